//! The encoding detector and strict text codecs (harness/text.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vrs_fuzz::text::run(data));
