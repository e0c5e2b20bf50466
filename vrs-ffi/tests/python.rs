//! Runs the Python test suite (`tests/python/test_vrs.py`, unittest) against the `libvrs` built
//! for this test run with the checked-in generated bindings (`bindings/python/vrs.py`, the same
//! file `pip install ./bindings/python` generates). (`bindings/generate.sh --check`, run by CI, fails when they are
//! stale; the Python bindings of this uniffi version do not compare API checksums on load.)
//!
//! The three files are copied into a temporary directory that is removed afterwards. Skipped,
//! with a notice, only when `python3` is not installed.

use std::path::Path;
use std::process::Command;

mod common;
use common::{notice, TempDir};

fn cdylib_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "libvrs.dylib"
    } else if cfg!(windows) {
        "vrs.dll"
    } else {
        "libvrs.so"
    }
}

#[test]
fn python_unittest_suite() {
    if Command::new("python3").arg("--version").output().is_err() {
        notice("skipped: python3 is not installed, the Python bindings were not tested");
        return;
    }
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = crate_dir.parent().expect("workspace root");
    let lib = common::lib_dir().join(cdylib_name());
    assert!(lib.is_file(), "{} was not built", lib.display());

    let tmp = TempDir::new("python");
    for (from, to) in [
        (root.join("bindings/python/vrs.py"), "vrs.py"),
        (lib, cdylib_name()),
        (crate_dir.join("tests/python/test_vrs.py"), "test_vrs.py"),
    ] {
        std::fs::copy(&from, tmp.0.join(to))
            .unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    }

    let output = Command::new("python3")
        .args(["-m", "unittest", "-v", "test_vrs"])
        .current_dir(&tmp.0)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("VRS_EXAMPLES_DIR", root.join("examples/python"))
        .output()
        .expect("run python3");
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{}{stderr}", String::from_utf8_lossy(&output.stdout));
    assert!(output.status.success(), "the Python tests failed");
    // unittest prints "OK" (with counts of skips and expected failures) only when all passed.
    assert!(stderr.contains("\nOK"), "unexpected unittest output");
    assert!(
        !stderr.contains("skipped"),
        "a Python test was skipped unexpectedly"
    );
}

/// Every Python program of the READMEs runs on its own from the repository root (with the `vrs`
/// module of this build on `PYTHONPATH`, as `pip install ./bindings/python` would provide it).
#[test]
fn readme_python_programs_run() {
    if Command::new("python3").arg("--version").output().is_err() {
        notice("skipped: python3 is not installed, the README's Python programs were not run");
        return;
    }
    let root = common::repo_root();
    let blocks = common::readme_blocks("python", &["bindings/python/README.md"]);
    assert!(blocks.len() >= 3, "the READMEs have Python programs");
    let tmp = TempDir::new("readme-python");
    for (from, to) in [
        (root.join("bindings/python/vrs.py"), "vrs.py"),
        (common::lib_dir().join(cdylib_name()), cdylib_name()),
    ] {
        std::fs::copy(&from, tmp.0.join(to))
            .unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    }
    for (n, (label, code)) in blocks.iter().enumerate() {
        let script = tmp.0.join(format!("tour{n}.py"));
        std::fs::write(&script, code).expect("write the program");
        let out = Command::new("python3")
            .arg(&script)
            .current_dir(&root)
            .env("PYTHONPATH", &tmp.0)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("TMPDIR", &tmp.0)
            .output()
            .expect("run python3");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{label} failed:\n{stdout}\n{stderr}");
        assert!(
            !stdout.contains("123456789018"),
            "{label}: a My Number was printed"
        );
    }
}
