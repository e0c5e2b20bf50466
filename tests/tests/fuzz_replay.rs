//! The fuzz targets of the scenario loader and the conformance manifest on the stable
//! toolchain: every input of their corpora and every crash kept from them runs through the same
//! harnesses the fuzzer uses (`fuzz/harness/scenario.rs`, `fuzz/harness/manifest.rs`).

use std::path::{Path, PathBuf};

#[path = "../../fuzz/harness/replay.rs"]
mod replay;

#[path = "../../fuzz/harness/manifest.rs"]
mod manifest;
#[path = "../../fuzz/harness/scenario.rs"]
mod scenario;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("fuzz")
}

#[test]
fn scenario_spec() {
    replay::replay(&fuzz_dir(), "scenario_spec", scenario::run);
}

#[test]
fn manifest() {
    replay::replay(&fuzz_dir(), "manifest", manifest::run);
}
