//! The conformance corpus: every file under `tests/cases/<layout-id>/` is validated by the
//! `vrs-conformance` binary and its JSON report compared with `<name>.expected.json` beside it.
//! A `<name>.args` file beside a case holds extra arguments of `validate`, one per line (for
//! example `--encoding` and `cp932`).
//! Regenerate after an intended change with `UPDATE_GOLDEN=1 cargo test -p vrs-conformance --test corpus`
//! and review the diff.

use std::path::{Path, PathBuf};
use std::process::Command;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
}

fn run_case(layout: &str, dir: &Path, file: &str) -> (i32, String) {
    let args_file = dir.join(file.replace(".csv", ".args"));
    let extra: Vec<String> = std::fs::read_to_string(args_file)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_vrs-conformance"))
        .current_dir(dir)
        .args([
            "validate",
            "--layout",
            layout,
            "--format",
            "json",
            "--lang",
            "en",
            "--as-of",
            "2024-04-01",
        ])
        .args(&extra)
        .arg(file)
        .output()
        .expect("run vrs-conformance");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("UTF-8 JSON"),
    )
}

#[test]
fn every_case_matches_its_expected_report() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut layouts: Vec<_> = std::fs::read_dir(cases_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .collect();
    layouts.sort_by_key(|e| e.path());
    for entry in layouts {
        let dir = entry.path();
        let layout = entry.file_name().to_string_lossy().into_owned();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".csv"))
            .collect();
        files.sort();
        for file in files {
            let (code, json) = run_case(&layout, &dir, &file);
            let value: serde_json::Value = serde_json::from_str(&json)
                .unwrap_or_else(|e| panic!("{layout}/{file}: bad JSON {e}: {json}"));
            let errors = value["errors"].as_u64().unwrap();
            assert_eq!(
                code,
                if errors == 0 { 0 } else { 1 },
                "{layout}/{file}: exit code"
            );
            let expected_path = dir.join(file.replace(".csv", ".expected.json"));
            if update {
                std::fs::write(&expected_path, &json).unwrap();
            }
            let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
            if expected != json {
                failures.push(format!("{layout}/{file}"));
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "corpus too small: {checked} cases");
    assert!(failures.is_empty(), "reports differ from the expected files (UPDATE_GOLDEN=1 to regenerate, then review): {failures:?}");
}

#[test]
fn no_report_in_the_corpus_contains_a_my_number() {
    // Every expected report, across all cases, is free of 12-digit values that pass the My Number check.
    for entry in walk(&cases_dir()) {
        if entry.to_string_lossy().ends_with(".expected.json") {
            let text = std::fs::read_to_string(&entry).unwrap();
            for token in text.split(|c: char| !c.is_ascii_digit()) {
                if token.len() == 12 {
                    assert!(
                        vrs_core::id::MyNumber::parse(token).is_err(),
                        "{} leaks a My Number",
                        entry.display()
                    );
                }
            }
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
