//! The corpus commands as a vendor's CI uses them: `run` (formats, exit codes, selection, the
//! final line), `check-output` on deliberately wrong vendor files (the explanations asserted),
//! and `report` (JSON and self-contained HTML).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vrs-conformance"));
    c.stdin(Stdio::null());
    c
}

fn cases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run vrs-conformance")
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("UTF-8 output")
}

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("vrs-suite-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn run_passes_and_ends_with_the_count_line() {
    let c = cases();
    let o = run(&["run", "--cases", c.to_str().unwrap()]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let last = out.lines().last().unwrap();
    let (passed, rest) = last.split_once(" passed, ").expect(last);
    assert!(passed.parse::<usize>().unwrap() >= 300, "{last}");
    assert!(rest.starts_with("0 failed"), "{last}");
    // Waived cases (known issues naming a case) are listed, when there are any.
    let manifest = std::fs::read_to_string(c.join("manifest.json")).unwrap();
    let waived_cases = manifest.matches("\"case\": ").count();
    assert_eq!(out.matches("WAIVED  ").count(), waived_cases, "{out}");
    // On a pipe: nothing but the report (no progress on standard error).
    assert!(o.stderr.is_empty(), "{}", text(&o.stderr));
}

#[test]
fn run_selects_by_filter_and_stage() {
    let c = cases();
    let o = run(&[
        "run",
        "--cases",
        c.to_str().unwrap(),
        "--filter",
        "cp932*taka",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["cp932-ibm-ext-taka", "cp932-nec-selected-taka"]);
    assert_eq!(v["passed"], 2);
    let o = run(&[
        "run",
        "--cases",
        c.to_str().unwrap(),
        "--stage",
        "writer",
        "--format",
        "junit",
    ]);
    let xml = text(&o.stdout);
    assert!(xml.starts_with("<?xml"));
    assert_eq!(xml.matches("<testsuite ").count(), 1);
    assert!(xml.contains("<testsuite name=\"writer\""));
    assert!(xml.matches("<testcase ").count() >= 20);
    let o = run(&["run", "--cases", c.to_str().unwrap(), "--stage", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("unknown stage"));
    let o = run(&["run", "--cases", "/nonexistent"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn run_fails_with_exit_1_and_says_what_differs() {
    let tmp = TempDir::new("fail");
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["cases", "scenarios"] {
        copy_dir(&src.join(dir), &tmp.0.join(dir));
    }
    let manifest = tmp.0.join("cases/manifest.json");
    let m = std::fs::read_to_string(&manifest).unwrap();
    // Move the expected M01 of one case to another field.
    let at = m.find("\"id\": \"M01-check-digit-wrong\"").unwrap();
    let broken = format!(
        "{}{}",
        &m[..at],
        m[at..].replacen(
            "{\"code\": \"M01\", \"line\": 2, \"field\": 1}",
            "{\"code\": \"M01\", \"line\": 2, \"field\": 2}",
            1,
        )
    );
    std::fs::write(&manifest, broken).unwrap();
    let c = tmp.0.join("cases");
    let o = run(&["run", "--cases", c.to_str().unwrap(), "--stage", "field"]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert!(out.contains("FAIL    "), "{out}");
    assert!(out.contains("missing M01 at 2:2"), "{out}");
    assert!(out.contains("unexpected M01 at 2:1"), "{out}");
    let last = out.trim_end().lines().last().unwrap_or_default();
    assert!(last.contains(" passed, 1 failed"), "{out}");
    let o = run(&[
        "run",
        "--cases",
        c.to_str().unwrap(),
        "--stage",
        "field",
        "--format",
        "junit",
    ]);
    assert!(text(&o.stdout).contains("<failure message=\"missing M01 at 2:2\">"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

fn expected(id: &str) -> Vec<u8> {
    std::fs::read(cases().join(format!("writer/{id}.expected.csv"))).unwrap()
}

/// Vendor files with the classic mistakes, and one right one.
fn wrong_vendor_files(dir: &Path) {
    // CP932 written with NEC-selected codes (Python's cp932 codec): 髙 as EE E0, not FB FC.
    let mut nec = expected("write-ledger-export-cp932");
    let at = nec
        .windows(2)
        .position(|w| w == b"\xFB\xFC")
        .expect("髙 in the expected bytes");
    nec[at..at + 2].copy_from_slice(b"\xEE\xE0");
    std::fs::write(dir.join("write-ledger-export-cp932.csv"), nec).unwrap();
    // LF line ends.
    let lf: Vec<u8> = text(&expected("write-dose-upload-utf8"))
        .replace("\r\n", "\n")
        .into_bytes();
    std::fs::write(dir.join("write-dose-upload-utf8.csv"), lf).unwrap();
    // A BOM where none is allowed.
    let bom = [&b"\xEF\xBB\xBF"[..], &expected("write-flags-utf8")].concat();
    std::fs::write(dir.join("write-flags-utf8.csv"), bom).unwrap();
    // A shifted column: an empty field inserted after the addressee number.
    let shifted = text(&expected("write-subject-registration-utf8")).replacen(
        "131016,1001,",
        "131016,1001,,",
        1,
    );
    std::fs::write(dir.join("write-subject-registration-utf8.csv"), shifted).unwrap();
    // Excel dropped the leading zero of 011002.
    let mut zeros = expected("write-flags-cp932");
    let at = zeros
        .windows(7)
        .position(|w| w == b",011002")
        .expect("011002");
    zeros.remove(at + 1);
    std::fs::write(dir.join("write-flags-cp932.csv"), zeros).unwrap();
    // Right.
    std::fs::write(
        dir.join("write-batch-inquiry-request-utf8.csv"),
        expected("write-batch-inquiry-request-utf8"),
    )
    .unwrap();
    // Read cases: the vendor's own validator found F03 on the right line; another missed F04.
    std::fs::write(
        dir.join("F03-too-few-fields.diagnostics.json"),
        r#"[{"code": "F03", "line": 2, "field": null}]"#,
    )
    .unwrap();
    std::fs::write(dir.join("F04-tab-in-field.diagnostics.json"), "[]").unwrap();
    // A file the product exported again for a read case: its M01 is still there.
    std::fs::copy(
        cases().join("field/M01-check-digit-wrong.csv"),
        dir.join("M01-check-digit-wrong.csv"),
    )
    .unwrap();
}

#[test]
fn check_output_explains_the_first_difference_of_wrong_vendor_files() {
    let tmp = TempDir::new("vendor");
    wrong_vendor_files(&tmp.0);
    let c = cases();
    let o = run(&[
        "check-output",
        "--cases",
        c.to_str().unwrap(),
        "--vendor-output",
        tmp.0.to_str().unwrap(),
    ]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let block = |id: &str| -> String {
        let start = out
            .find(&format!("DIFFERS  {id}"))
            .unwrap_or_else(|| panic!("{id} not reported:\n{out}"));
        out[start..].lines().take(3).collect::<Vec<_>>().join("\n")
    };
    let nec = block("write-ledger-export-cp932");
    assert!(nec.contains("line 3, field 6"), "{nec}");
    assert!(nec.contains("EE E0 where a conformant writer"), "{nec}");
    assert!(nec.contains("Python's cp932 codec maps 髙"), "{nec}");
    assert!(nec.contains("NEC選定IBM拡張文字"), "{nec}");
    let lf = block("write-dose-upload-utf8");
    assert!(
        lf.contains("line 1") && lf.contains("LF where CRLF is required"),
        "{lf}"
    );
    assert!(lf.contains("改行がLFのみです"), "{lf}");
    let bom = block("write-flags-utf8");
    assert!(
        bom.contains("byte-order mark (EF BB BF) where none is allowed"),
        "{bom}"
    );
    assert!(bom.contains("BOM（EF BB BF）は付けられません"), "{bom}");
    let shifted = block("write-subject-registration-utf8");
    assert!(shifted.contains("line 2, field 3"), "{shifted}");
    assert!(shifted.contains("shifted column: the line has 10 fields where the layout has 9 — a field was inserted here"), "{shifted}");
    assert!(shifted.contains("項目がずれています"), "{shifted}");
    let zeros = block("write-flags-cp932");
    assert!(zeros.contains("leading zeros dropped"), "{zeros}");
    assert!(
        out.contains("ok       write-batch-inquiry-request-utf8"),
        "{out}"
    );
    assert!(out.contains("ok       F03-too-few-fields"), "{out}");
    assert!(out.contains("ok       M01-check-digit-wrong"), "{out}");
    assert!(
        out.contains("F04-tab-in-field.diagnostics.json: missing F04 at 2:5"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("without a vendor file"), "{out}");
    assert!(out.contains("3 matched, 6 differ"), "{out}");
    // Never a My Number in the explanations (the subject registration holds some).
    for n in ["123456789018", "110000000000", "271828182840"] {
        assert!(!out.contains(n), "{out}");
    }
    // JSON carries the same explanation.
    let o = run(&[
        "check-output",
        "--cases",
        c.to_str().unwrap(),
        "--vendor-output",
        tmp.0.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let case = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "write-dose-upload-utf8")
        .unwrap();
    assert_eq!(case["status"], "differs");
    assert!(case["detail"]["cause_en"]
        .as_str()
        .unwrap()
        .contains("LF where CRLF"));
    // No vendor file at all: could not run.
    let empty = TempDir::new("vendor-empty");
    let o = run(&[
        "check-output",
        "--cases",
        c.to_str().unwrap(),
        "--vendor-output",
        empty.0.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn report_writes_json_and_a_self_contained_html_page() {
    let tmp = TempDir::new("report");
    let vendor = tmp.0.join("vendor");
    std::fs::create_dir_all(&vendor).unwrap();
    wrong_vendor_files(&vendor);
    let out_dir = tmp.0.join("out");
    let c = cases();
    let o = run(&[
        "report",
        "--cases",
        c.to_str().unwrap(),
        "--vendor",
        "Example <Health> 株式会社",
        "--product",
        "Kenko 5.2",
        "--vendor-output",
        vendor.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    // The corpus passes, the vendor files do not: exit 1.
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.join("conformance-report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["vendor"], "Example <Health> 株式会社");
    assert_eq!(json["tool"]["version"], env!("CARGO_PKG_VERSION"));
    for key in ["manifest_sha256", "corpus_sha256"] {
        let h = json["corpus"][key].as_str().unwrap();
        assert_eq!(h.len(), 64);
        assert!(h.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    assert_eq!(json["result"]["failed"], 0);
    // The corpus passes, the vendor files do not: not conformant.
    assert_eq!(json["result"]["conformant"], false);
    assert_eq!(json["stages"].as_array().unwrap().len(), 8);
    assert_eq!(
        json["codes"].as_array().unwrap().len(),
        vrs_core::diag::Code::ALL.len()
    );
    assert_eq!(json["vendor_output"]["differ"], 6);
    let html = std::fs::read_to_string(out_dir.join("conformance-report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("Example &lt;Health&gt; 株式会社"),
        "the vendor name is escaped"
    );
    assert!(html.contains("@page"));
    for external in ["http://", "https://", "<script", "<link", "<img", "url("] {
        assert!(!html.contains(external), "external asset: {external}");
    }
    // The same corpus hashes the same.
    let again = TempDir::new("report-again");
    let o = run(&[
        "report",
        "--cases",
        c.to_str().unwrap(),
        "--out",
        again.0.to_str().unwrap(),
        "--stage",
        "writer",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let json2: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(again.0.join("conformance-report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        json2["corpus"]["corpus_sha256"],
        json["corpus"]["corpus_sha256"]
    );
    assert!(json2["result"]["passed"].as_u64().unwrap() >= 20);
    assert_eq!(json2["result"]["failed"], 0);
    assert_eq!(json2["result"]["conformant"], true);
}
