//! The conformance corpus (`tests/cases/manifest.json`) through the C library and the Python
//! bindings, compared with the Rust runner (`vrs_conformance::corpus`): for every read and
//! write case, the rows, encoding, each diagnostic's code, line and field, each record's
//! outcome and the written bytes must be the same in all three. Any drift fails.
//!
//! - C: `tests/conformance/driver.c`, compiled with the C tests' warnings against the `libvrs.so`
//!   of this build, reads the plan derived from the manifest and runs every case in one process.
//! - Python: `tests/conformance/conformance.py` (unittest) with the checked-in bindings reads the
//!   manifest itself and runs every case in one process. Skipped, with a notice, only when
//!   `python3` is not installed.
//!
//! Registry scenarios run in the Rust runner only (see `tests/README.md`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use vrs_conformance::corpus::drivers::{drift, parse_results, plan, rust_results};
use vrs_conformance::corpus::runner::Observed;
use vrs_conformance::corpus::Corpus;

mod common;
use common::{notice, TempDir};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn root() -> PathBuf {
    crate_dir().parent().expect("workspace root").to_path_buf()
}

fn corpus() -> Corpus {
    Corpus::load(&root().join("tests").join("cases")).unwrap_or_else(|e| panic!("{e}"))
}

fn rust(corpus: &Corpus) -> BTreeMap<String, Observed> {
    rust_results(corpus).unwrap_or_else(|e| panic!("{e}"))
}

fn assert_no_drift(language: &str, corpus: &Corpus, results: &str) {
    let other = parse_results(results).unwrap_or_else(|e| panic!("{language}: {e}"));
    let cases = corpus
        .entries
        .iter()
        .filter(|e| e.as_case().is_some())
        .count();
    assert_eq!(
        other.len(),
        cases,
        "{language} ran {} of {cases} cases",
        other.len()
    );
    let diffs = drift(corpus, &rust(corpus), &other);
    assert!(
        diffs.is_empty(),
        "{language} results differ from the Rust runner's in {} case(s):\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn c_driver_runs_the_corpus_like_the_rust_runner() {
    let corpus = corpus();
    let tmp = TempDir::new("conformance-c");
    let plan_path = tmp.path().join("plan.tsv");
    std::fs::write(&plan_path, plan(&corpus).expect("plan")).expect("write the plan");
    let exe = tmp.path().join("driver");
    let lib = common::lib_dir();
    let cc = Command::new(std::env::var_os("CC").unwrap_or_else(|| "cc".into()))
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-O1",
        ])
        .arg("-I")
        .arg(root().join("include"))
        .arg(crate_dir().join("tests/conformance/driver.c"))
        .arg("-o")
        .arg(&exe)
        .arg(format!("-L{}", lib.display()))
        .arg("-lvrs")
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .output()
        .expect("run cc (a C compiler is needed)");
    assert!(
        cc.status.success(),
        "cc failed:\n{}",
        String::from_utf8_lossy(&cc.stderr)
    );
    let out = Command::new(&exe)
        .arg(&plan_path)
        .env("LD_LIBRARY_PATH", &lib)
        .output()
        .expect("run the C driver");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the C driver failed:\n{stderr}");
    let results = String::from_utf8(out.stdout).expect("UTF-8 results");
    assert_no_drift("C", &corpus, &results);
}

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
fn python_driver_runs_the_corpus_like_the_rust_runner() {
    if Command::new("python3").arg("--version").output().is_err() {
        notice("skipped: python3 is not installed, the corpus did not run through Python");
        return;
    }
    let corpus = corpus();
    let tmp = TempDir::new("conformance-python");
    for (from, to) in [
        (root().join("bindings/python/vrs.py"), "vrs.py"),
        (common::lib_dir().join(cdylib_name()), cdylib_name()),
        (
            crate_dir().join("tests/conformance/conformance.py"),
            "conformance.py",
        ),
    ] {
        std::fs::copy(&from, tmp.path().join(to))
            .unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    }
    let results_path = tmp.path().join("results.tsv");
    let out = Command::new("python3")
        .args(["-m", "unittest", "-v", "conformance"])
        .current_dir(tmp.path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("VRS_CASES_DIR", root().join("tests").join("cases"))
        .env("VRS_RESULTS", &results_path)
        .output()
        .expect("run python3");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the Python driver failed:\n{stderr}");
    assert!(
        stderr.contains("\nOK"),
        "unexpected unittest output:\n{stderr}"
    );
    let results = std::fs::read_to_string(&results_path).expect("the Python results");
    assert_no_drift("Python", &corpus, &results);
}

/// The plan holds every read and write case once (each starts with `read` or `write`).
#[test]
fn the_plan_covers_every_read_and_write_case() {
    let corpus = corpus();
    let plan = plan(&corpus).unwrap();
    let starts = plan
        .lines()
        .filter(|l| l.starts_with("read\t") || l.starts_with("write\t"))
        .count();
    assert_eq!(
        starts,
        corpus
            .entries
            .iter()
            .filter(|e| e.as_case().is_some())
            .count()
    );
}
