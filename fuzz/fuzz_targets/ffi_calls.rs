//! The C entry points called with fuzzer-chosen arguments (harness/ffi.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vrs_fuzz::ffi::run(data));
