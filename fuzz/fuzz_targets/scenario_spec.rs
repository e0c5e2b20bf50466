//! The scenario loader and spec checker (harness/scenario.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vrs_fuzz::scenario::run(data));
