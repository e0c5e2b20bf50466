//! Replays a fuzz target's inputs as an ordinary test (stable toolchain, no libFuzzer): the
//! target's body runs over every file of `fuzz/corpus/<target>/` and
//! `fuzz/regressions/<target>/`, and the test fails naming every input that panics.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// Runs `body` over the corpus and regressions of `target` under `fuzz_dir`; returns how many
/// inputs ran. Panics (listing the failing files) when any input fails, or when the corpus is
/// empty (a missing corpus would pass silently).
pub fn replay(fuzz_dir: &Path, target: &str, body: impl Fn(&[u8])) -> usize {
    let mut files = Vec::new();
    for dir in ["corpus", "regressions"] {
        let dir = fuzz_dir.join(dir).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_file()) {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    let corpus = fuzz_dir.join("corpus").join(target);
    assert!(
        files.iter().any(|f| f.starts_with(&corpus)),
        "no corpus in {}",
        corpus.display()
    );
    let mut failures = Vec::new();
    for file in &files {
        let data = match std::fs::read(file) {
            Ok(d) => d,
            Err(e) => panic!("{}: {e}", file.display()),
        };
        if catch_unwind(AssertUnwindSafe(|| body(&data))).is_err() {
            failures.push(file.display().to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "{target}: {} of {} inputs failed:\n  {}",
        failures.len(),
        files.len(),
        failures.join("\n  ")
    );
    files.len()
}
