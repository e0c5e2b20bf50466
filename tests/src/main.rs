//! `vrs-conformance`: validate, generate and inspect VRS exchange files from the command line.
//!
//! Exit codes of `validate` and `id`: 0 = no errors (warnings allowed), 1 = errors found,
//! 2 = could not run (usage, unreadable file). `scenario`: 0 = every expectation holds,
//! 1 = some do not, 2 = could not run (bad scenario, unreadable file, store or key failure).

mod cli;
mod help;
mod ids;
mod progress;
mod scenario;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
