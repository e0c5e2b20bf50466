//! Write a ledger export (予防接種台帳向け出力) from typed records, in CP932, and check it.
//!
//! ```sh
//! cargo run -p vrs-core --example write_ledger > ledger.csv
//! ```

use std::io::Write;

use vrs_core::codec::{
    validate_bytes, CsvWriter, DoseEntry, LedgerRow, ValidateOptions, WriteOptions,
};
use vrs_core::date::{Date, DateTime};
use vrs_core::id::{MunicipalityCode, VoucherKey, VoucherNumber};
use vrs_core::layout::{self, LayoutParams};
use vrs_core::text::Encoding;

fn main() -> Result<(), Box<dyn std::error::Error>> {
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
    assert!(
        report.is_ok(),
        "{}",
        report.render_text(vrs_core::diag::Lang::En)
    );
    std::io::stdout().write_all(&bytes)?;
    Ok(())
}
