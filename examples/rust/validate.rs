//! Validate a VRS exchange file with vrs-core, the way a Rust integrator would.
//!
//! ```sh
//! cargo run -p vrs-core --example validate -- ledger-export examples/data/ledger-export.sample.csv
//! ```
//!
//! Prints one line per diagnostic and a summary; exits 0 when the file has no error, 1 when it
//! has errors, 2 when it could not be read.

use std::process::ExitCode;

use vrs_core::codec::{validate_reader, ValidateOptions};
use vrs_core::diag::Lang;
use vrs_core::layout::{self, LayoutParams};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [layout_id, path] = args.as_slice() else {
        eprintln!(
            "usage: validate LAYOUT FILE   (layouts: {})",
            layout::LAYOUT_IDS.join(", ")
        );
        return ExitCode::from(2);
    };
    let layout = match layout::find(layout_id, &LayoutParams::default()) {
        Ok(layout) => layout,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    // The reader is streamed in chunks: memory stays small whatever the file size.
    let mut report = match validate_reader(file, layout, ValidateOptions::default()) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    report.file = Some(path.clone());
    for d in &report.diagnostics {
        println!(
            "{path}:{}: {} {} [{}] {}",
            d.line,
            d.severity,
            d.code,
            d.column.as_deref().unwrap_or("-"),
            d.message(Lang::Ja)
        );
    }
    println!(
        "{} rows, {} errors, {} warnings",
        report.rows, report.errors, report.warnings
    );
    if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
