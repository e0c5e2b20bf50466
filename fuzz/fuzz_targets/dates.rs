//! The date and 和暦 parsers, both directions (harness/dates.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vrs_fuzz::dates::run(data));
