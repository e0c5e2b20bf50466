//! `vrs-conformance`: validate, generate and inspect VRS exchange files from the command line.
//!
//! Exit codes of `validate` and `id`: 0 = no errors (warnings allowed), 1 = errors found,
//! 2 = could not run (usage, unreadable file).

mod cli;
mod ids;
mod progress;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
