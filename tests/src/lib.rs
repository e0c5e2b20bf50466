//! The VRS conformance suite as a library: the case corpus of `tests/cases/` (manifest,
//! runner, bless, check-output, reports, the C and Python drivers' formats) and the registry
//! scenario runner. The `vrs-conformance` command line is built on it; `vrs-ffi`'s tests use
//! it to compare the C and Python results with the Rust runner's.

pub mod corpus;
mod scenario;

/// Runs the registry scenario in `file` against the store in `dir`, writing one JSON line per
/// step to `out` and each expectation that does not hold to `err`. `Ok(true)`: every
/// expectation holds. The format: `tests/scenarios/README.md`.
///
/// # Errors
/// The scenario cannot run: unreadable or invalid file, store or key failures.
pub fn run_scenario(
    file: &std::path::Path,
    dir: &std::path::Path,
    out: &mut dyn std::io::Write,
    err: &mut dyn std::io::Write,
) -> Result<bool, String> {
    scenario::run(file, dir, out, err)
}

/// Parses and checks a scenario document without running it (what [`run_scenario`] does before
/// its first step): `Ok` with the number of steps, or `Err` saying what is wrong. Files named by
/// `file_path` are read relative to `base`. The fuzz target `scenario_spec` calls this.
///
/// # Errors
/// An invalid scenario, or a file it names that cannot be read.
pub fn check_scenario(text: &str, base: &std::path::Path) -> Result<usize, String> {
    scenario::parse_scenario(text, base)
        .map(|s| s.steps.len())
        .map_err(|e| e.to_string())
}
