//! The sealed-record opener (harness/sealed.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vrs_fuzz::sealed::run(data));
