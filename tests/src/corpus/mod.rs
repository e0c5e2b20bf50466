//! The conformance corpus (`tests/cases/`): the manifest, the runner, `bless`,
//! `check-output`, the reports, and what the C and Python drivers need.

pub mod bless;
pub mod check_output;
pub mod coverage;
pub mod drivers;
pub mod explain;
pub mod index;
pub mod json_fmt;
pub mod manifest;
pub mod render;
pub mod report;
pub mod runner;

pub use manifest::{Corpus, Stage};
pub use runner::{run_all, CaseRun, Selection, Status, Tally};
