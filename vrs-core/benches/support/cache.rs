//! Benchmark stores built once and kept under the target directory (shared by the benches that
//! include it): a store of a million people takes minutes to build; each sample copies it.

use std::path::{Path, PathBuf};

/// The directory `<target tmp>/vrs-bench-<bench>/<variant>`, filled by `build` when it was not
/// completed before. `variant` carries a version to raise when the stored format changes, so a
/// store an older build wrote is not reused.
pub fn cached(bench: &str, variant: &str, build: impl FnOnce(&Path)) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("vrs-bench-{bench}"))
        .join(variant);
    let done = dir.join("complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("bench store dir");
        eprintln!("building the benchmark store in {} (once)", dir.display());
        build(&dir);
        std::fs::write(&done, b"ok").expect("marker");
    }
    dir
}
