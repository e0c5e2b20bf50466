//! The fuzz target of the C entry points (`fuzz/fuzz_targets/ffi_calls.rs`) on the stable
//! toolchain: every input of its corpus and every crash kept from it runs through the same
//! harness the fuzzer uses (`fuzz/harness/ffi.rs`).

use std::path::Path;

#[allow(dead_code)]
#[path = "../../fuzz/harness/input.rs"]
mod input;
#[path = "../../fuzz/harness/replay.rs"]
mod replay;

#[path = "../../fuzz/harness/ffi.rs"]
mod ffi;

#[test]
fn ffi_calls() {
    let fuzz_dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("fuzz");
    replay::replay(&fuzz_dir, "ffi_calls", ffi::run);
}
