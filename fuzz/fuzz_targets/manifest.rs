//! The conformance manifest parser, checker and canonical writer (harness/manifest.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vrs_fuzz::manifest::run(data));
