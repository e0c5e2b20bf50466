//! Write a ledger export (予防接種台帳向け出力) from typed records, in CP932, and check it.
//!
//! ```sh
//! cargo run -p vrs-core --example write_ledger -- ledger.csv   # or: ... write_ledger > ledger.csv
//! ```
//!
//! The file is CP932 bytes, not text for a terminal: with no file name and standard output a
//! terminal, it refuses (exit 2) instead of printing mojibake.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use vrs_core::codec::{
    validate_bytes, CsvWriter, DoseEntry, LedgerRow, ValidateOptions, WriteOptions,
};
use vrs_core::date::{Date, DateTime};
use vrs_core::id::{MunicipalityCode, VoucherKey, VoucherNumber};
use vrs_core::layout::{self, LayoutParams};
use vrs_core::text::Encoding;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let target = match args.as_slice() {
        [] if std::io::stdout().is_terminal() => {
            eprintln!(
                "write_ledger: the ledger export is CP932 bytes; give a file name or redirect:\n  \
                 cargo run -p vrs-core --example write_ledger -- ledger.csv"
            );
            return ExitCode::from(2);
        }
        [] => None,
        [path] => Some(path.as_str()),
        _ => {
            eprintln!("usage: write_ledger [FILE]   (default: standard output, when redirected)");
            return ExitCode::from(2);
        }
    };
    let bytes = match ledger() {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("write_ledger: {e}");
            return ExitCode::FAILURE;
        }
    };
    let written = match target {
        Some(path) => std::fs::write(path, &bytes).map_err(|e| format!("{path}: {e}")),
        None => std::io::stdout()
            .write_all(&bytes)
            .map_err(|e| format!("standard output: {e}")),
    };
    match written {
        Ok(()) => {
            if let Some(path) = target {
                eprintln!(
                    "write_ledger: {} bytes (CP932) written to {path}",
                    bytes.len()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("write_ledger: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The ledger export of one person with two doses, as CP932 bytes, checked by the validator.
fn ledger() -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let layout = layout::find("ledger-export", &LayoutParams::default())?;
    let chiyoda = MunicipalityCode::parse("131016")?;
    let dose =
        |day: u8, voucher: &str, lot: &str| -> Result<DoseEntry, Box<dyn std::error::Error>> {
            let date = Date::new(2021, 6, day)?;
            Ok(DoseEntry {
                registered_at: DateTime::new(date, 18, 0, 0)?,
                vaccinated_on: date,
                voucher: VoucherKey::new(chiyoda, VoucherNumber::parse(voucher)?),
                venue: "千代田区役所".into(),
                doctor: "髙橋一郎".into(), // outside JIS X 0208, but CP932 holds it
                manufacturer: "ファイザー".into(),
                lot: lot.into(),
            })
        };
    let rows = [LedgerRow {
        addressee: "1001".parse()?,
        doses: vec![
            Some(dose(1, "0000012345", "FA5765")?),
            Some(dose(22, "0000012345", "FC3661")?),
        ],
    }];

    let options = WriteOptions {
        encoding: Encoding::Cp932,
        ..WriteOptions::default()
    };
    let mut writer = CsvWriter::new(Vec::new(), layout.clone(), options)?;
    for row in &rows {
        writer.write_record(row)?;
    }
    let bytes = writer.finish()?;

    // What we write must pass our own validator.
    let report = validate_bytes(&bytes, layout, ValidateOptions::default());
    if !report.is_ok() {
        return Err(report.render_text(vrs_core::diag::Lang::En).into());
    }
    Ok(bytes)
}
