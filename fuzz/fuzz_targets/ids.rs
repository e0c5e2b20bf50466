//! The identifier parsers (harness/ids.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vrs_fuzz::ids::run(data));
