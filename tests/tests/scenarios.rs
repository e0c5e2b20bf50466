//! The registry scenarios: every `tests/scenarios/*.json` runs through the `vrs-conformance
//! scenario` binary against a fresh store and must meet all its expectations; every
//! `tests/scenarios/known-issues/*.json` must still fail (see the README there). Plus the
//! runner's exit codes and store reuse.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// A fresh store directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "vrs-scenario-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(file: &Path, store: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vrs-conformance"))
        .arg("scenario")
        .arg(file)
        .arg("--store")
        .arg(store)
        .output()
        .expect("run vrs-conformance")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("scenario dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn step_count(file: &Path) -> usize {
    let text = std::fs::read_to_string(file).expect("read scenario");
    let v: serde_json::Value = serde_json::from_str(&text).expect("scenario JSON");
    v["steps"].as_array().expect("steps").len()
}

/// Checks the output shape: one line per step, numbered, in the documented form.
fn check_lines(name: &str, stdout: &str, steps: usize) {
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), steps, "{name}: one output line per step");
    for (i, line) in lines.iter().enumerate() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{name}: line {i}: {e}"));
        let obj = v.as_object().expect("an object");
        let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 5, "{name}: {line}");
        for k in ["step", "op", "ok", "error", "result"] {
            assert!(obj.contains_key(k), "{name}: {k} missing in {line}");
        }
        assert_eq!(v["step"], i + 1, "{name}");
        assert!(
            line.starts_with(&format!("{{\"step\":{},", i + 1)),
            "{line}"
        );
        let ok = v["ok"].as_bool().expect("ok is a bool");
        assert_eq!(ok, v["error"].is_null(), "{name}: {line}");
        if !ok {
            assert!(v["error"]["code"].is_string(), "{name}: {line}");
            assert!(v["error"]["message"].is_string(), "{name}: {line}");
            assert!(
                v["error"]["rule"].is_null() || v["error"]["rule"].is_string(),
                "{name}: {line}"
            );
        }
        for n in ["123456789018", "110000000000", "500000000011"] {
            assert!(!line.contains(n), "{name}: a My Number in {line}");
        }
    }
}

#[test]
fn every_scenario_meets_its_expectations_on_a_fresh_store() {
    let files = json_files(&scenarios_dir());
    assert!(
        files.len() >= 12,
        "at least 12 scenarios, found {}",
        files.len()
    );
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let store = TempDir::new(&name);
        let out = run(file, &store.0);
        let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name} failed:\n{stderr}\n{stdout}"
        );
        assert!(stderr.is_empty(), "{name}: {stderr}");
        check_lines(&name, &stdout, step_count(file));
        assert!(store.0.join("keys").join("master.key").is_file());
    }
}

#[test]
fn known_issues_still_fail() {
    let files = json_files(&scenarios_dir().join("known-issues"));
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let store = TempDir::new(&name);
        let out = run(file, &store.0);
        let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(
            out.status.code(),
            Some(0),
            "known-issues/{name} passes now: the issue looks fixed. Move the file up into \
             tests/scenarios/ (numbered, description updated) and drop its row from the README."
        );
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains("did not meet"), "{name}: {stderr}");
        check_lines(&name, &stdout, step_count(file));
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const IMPORT: &str = r#"{
  "today": "2021-07-01",
  "tenants": [{"code": "131016", "staff": ["u1"]}],
  "principals": {"u1": {"role": "staff", "tenant": "131016", "user": "u1"}},
  "steps": [
    {"principal": "u1", "op": "import", "file_path": "subjects.csv", "expect": {"result": {"imported": 1}}}
  ]
}"#;

const SUBJECTS: &str = "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n\
                        131016,1001,123456789018,0000012345,千代田 花子,チヨダ ハナコ,19800101,2,20210501\r\n";

#[test]
fn a_second_run_reuses_the_store_and_its_keys() {
    let tmp = TempDir::new("reuse");
    let scen = tmp.0.join("scen");
    let store = tmp.0.join("store");
    write(&scen, "subjects.csv", SUBJECTS);
    let first = write(&scen, "first.json", IMPORT);
    let out = run(&first, &store);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = std::fs::read(store.join("keys/master.key")).unwrap();

    let second = write(
        &scen,
        "second.json",
        r#"{
          "today": "2021-07-02",
          "tenants": [{"code": "131016", "staff": ["u1", "u2"]}],
          "steps": [
            {"principal": {"role": "staff", "tenant": "131016", "user": "u2"}, "op": "subject-doses",
             "addressee": "1001", "expect": {"result": {"name": "千代田 花子"}}},
            {"principal": {"role": "staff", "tenant": "131016", "user": "u1"}, "op": "import",
             "file_path": "subjects.csv", "expect": {"result": {"imported": 0, "already_imported": true}}},
            {"principal": "operator", "op": "verify-audit", "tenant": "131016", "expect": {"result": {"ok": true}}}
          ]
        }"#,
    );
    let out = run(&second, &store);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
    assert_eq!(std::fs::read(store.join("keys/master.key")).unwrap(), key);

    // The first scenario again: its import is now a no-op, so its expectation fails (exit 1).
    let out = run(&first, &store);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("first.json: step 1 (import): result /imported: expected 1, got 0"),
        "{stderr}"
    );
    assert!(stderr.contains("1 of 1 step(s) did not meet their expectations"));
}

#[test]
fn a_populated_store_whose_master_key_is_gone_is_refused_not_given_a_new_key() {
    let tmp = TempDir::new("lost-key");
    let scen = tmp.0.join("scen");
    let store = tmp.0.join("store");
    write(&scen, "subjects.csv", SUBJECTS);
    let first = write(&scen, "first.json", IMPORT);
    assert_eq!(run(&first, &store).status.code(), Some(0));
    std::fs::remove_file(store.join("keys/master.key")).unwrap();
    let out = run(&first, &store);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refusing to create a new key"), "{stderr}");
    assert!(!store.join("keys/master.key").exists());
    // A new key put there by hand does not open the store either.
    let keys = store.join("keys");
    std::fs::remove_dir_all(&keys).unwrap();
    vrs_core::store::FileKeyProvider::create(&keys).unwrap();
    let out = run(&first, &store);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the key supplied for the registry does not open its data"),
        "{stderr}"
    );
}

#[test]
fn failed_expectations_exit_1_and_are_named_on_stderr() {
    let tmp = TempDir::new("fail");
    let file = write(
        &tmp.0,
        "s.json",
        r#"{
          "description": "deliberately wrong",
          "today": "2021-07-01",
          "tenants": [{"code": "131016", "staff": ["u1"]}],
          "steps": [
            {"principal": {"role": "venue", "tenant": "131016"}, "op": "export", "expect": {"ok": true}},
            {"principal": "operator", "op": "stats", "expect": {"error": "forbidden"}},
            {"principal": "national", "op": "stats", "expect": {"result": {"threshold": 5}, "contains": ["nowhere"]}},
            {"principal": "national", "op": "stats"}
          ]
        }"#,
    );
    let out = run(&file, &tmp.0.join("store"));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    check_lines("s.json", &stdout, 4);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [
            format!(
                "{}: step 1 (export): expected ok, got error forbidden: forbidden: only the municipality's staff may do this",
                file.display()
            ),
            format!(
                "{}: step 3 (stats): result /threshold: expected 5, got 10",
                file.display()
            ),
            format!(
                "{}: step 3 (stats): the output does not contain \"nowhere\"",
                file.display()
            ),
            format!(
                "{}: 2 of 4 step(s) did not meet their expectations (deliberately wrong)",
                file.display()
            ),
        ]
    );
}

#[test]
fn scenarios_that_cannot_run_exit_2_before_any_step() {
    let tmp = TempDir::new("bad");
    let store = tmp.0.join("store");
    let cases = [
        ("not-json.json", "{\"today\": ", "not a scenario"),
        (
            "unknown-op.json",
            r#"{"today": "2021-07-01", "steps": [{"principal": "operator", "op": "verify-audit"},
                {"principal": "operator", "op": "drop-tables"}]}"#,
            "step 2: unknown op \"drop-tables\"",
        ),
        (
            "typo.json",
            r#"{"today": "2021-07-01", "steps": [{"principal": {"role": "staff", "tenant": "131016", "user": "u1"},
                "op": "subject-doses", "adressee": "1001"}]}"#,
            "unknown field `adressee`",
        ),
        (
            "missing-file.json",
            r#"{"today": "2021-07-01", "steps": [{"principal": {"role": "staff", "tenant": "131016", "user": "u1"},
                "op": "import", "file_path": "nowhere.csv"}]}"#,
            "nowhere.csv",
        ),
        (
            "bad-tenant.json",
            r#"{"today": "2021-07-01", "tenants": [{"code": "131017"}], "steps": [{"principal": "national", "op": "stats"}]}"#,
            "tenants.code",
        ),
        (
            "bad-clock.json",
            r#"{"today": "2021-02-30", "steps": [{"principal": "national", "op": "stats"}]}"#,
            "today",
        ),
    ];
    for (name, text, message) in cases {
        let file = write(&tmp.0, name, text);
        let out = run(&file, &store);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(out.stdout.is_empty(), "{name}: no step ran");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with("vrs-conformance: ") && stderr.contains(message),
            "{name}: {stderr}"
        );
    }
    assert!(
        !store.exists(),
        "nothing was created for a scenario that cannot run"
    );
    let out = run(&tmp.0.join("absent.json"), &store);
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(env!("CARGO_BIN_EXE_vrs-conformance"))
        .args(["scenario", "x.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--store is required");
}

#[test]
fn a_my_number_never_reaches_the_output() {
    let tmp = TempDir::new("leak");
    let file = write(
        &tmp.0,
        "s.json",
        r#"{
          "today": "2021-07-01",
          "tenants": [{"code": "131016", "staff": ["u1"]}],
          "principals": {"u1": {"role": "staff", "tenant": "131016", "user": "u1"}},
          "steps": [
            {"principal": "u1", "op": "import", "mode": "lenient",
             "rows": ["131016,123456789018,123456789018,0000012345,千代田 花子,チヨダ ハナコ,19800101,2,20210501"]},
            {"principal": "u1", "op": "subject-doses", "addressee": "123456789018"}
          ]
        }"#,
    );
    let out = run(&file, &tmp.0.join("store"));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stdout.contains("123456789018") && !stderr.contains("123456789018"));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2);
    if lines[1].contains("\"ok\":true") {
        // The registry accepted a My Number as addressee number (see known-issues/): the
        // runner redacts it and fails the step.
        assert!(
            lines[1].contains("\"addressee\":\"[REDACTED]\""),
            "{}",
            lines[1]
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr.contains("step 2 (subject-doses): the output contained a My Number (redacted)")
        );
    }
}
