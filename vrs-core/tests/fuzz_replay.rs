//! The fuzz targets of `fuzz/` on the stable toolchain: every input of their corpora
//! (`fuzz/corpus/<target>/`) and every crash kept from them (`fuzz/regressions/<target>/`) runs
//! through the same harness the fuzzer uses (`fuzz/harness/`). The C-entry target replays in
//! `vrs-ffi/tests/fuzz_replay.rs`, the scenario and manifest ones in `tests/tests/fuzz_replay.rs`.

use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "../../fuzz/harness/input.rs"]
mod input;
#[path = "../../fuzz/harness/replay.rs"]
mod replay;

#[path = "../../fuzz/harness/dates.rs"]
mod dates;
#[path = "../../fuzz/harness/ids.rs"]
mod ids;
#[path = "../../fuzz/harness/sealed.rs"]
mod sealed;
#[path = "../../fuzz/harness/text.rs"]
mod text;
#[path = "../../fuzz/harness/validate.rs"]
mod validate;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("fuzz")
}

fn replay(target: &str, body: impl Fn(&[u8])) {
    replay::replay(&fuzz_dir(), target, body);
}

#[test]
fn validate_ledger_export() {
    replay("validate_ledger_export", |d| {
        validate::run("ledger-export", d)
    });
}

#[test]
fn validate_awaiting_registration() {
    replay("validate_awaiting_registration", |d| {
        validate::run("awaiting-registration", d)
    });
}

#[test]
fn validate_subject_registration() {
    replay("validate_subject_registration", |d| {
        validate::run("subject-registration", d)
    });
}

#[test]
fn validate_flags() {
    replay("validate_flags", |d| validate::run("flags", d));
}

#[test]
fn validate_dose_upload() {
    replay("validate_dose_upload", |d| validate::run("dose-upload", d));
}

#[test]
fn validate_batch_inquiry_request() {
    replay("validate_batch_inquiry_request", |d| {
        validate::run("batch-inquiry-request", d)
    });
}

#[test]
fn validate_batch_inquiry_result() {
    replay("validate_batch_inquiry_result", |d| {
        validate::run("batch-inquiry-result", d)
    });
}

#[test]
fn text_detect() {
    replay("text_detect", text::run);
}

#[test]
fn ids() {
    replay("ids", ids::run);
}

#[test]
fn dates() {
    replay("dates", dates::run);
}

#[test]
fn sealed_open() {
    replay("sealed_open", sealed::run);
}
