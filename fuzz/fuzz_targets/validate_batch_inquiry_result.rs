//! The batch-inquiry-result validator: whole file against fuzzer-chosen chunks (harness/validate.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vrs_fuzz::validate::run("batch-inquiry-result", data));
