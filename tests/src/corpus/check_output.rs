//! `vrs-conformance check-output`: for vendors who do not link libvrs. Compares the files a
//! vendor's product wrote with the corpus, case by case, and explains the first difference.
//!
//! In the vendor directory, for a case with ID `ID`:
//! - write case: `ID.csv`, the file the product wrote from the case's records, compared byte
//!   for byte with the expected output;
//! - read case: `ID.csv`, a file the product wrote for the case (e.g. the case's input read
//!   and written back), validated with the case's context: its diagnostics must be the
//!   expected ones; and/or `ID.diagnostics.json`, the diagnostics the product's own validator
//!   reported for the case's input (`[{"code": "F03", "line": 3, "field": null}, ...]`),
//!   compared with the expected ones.
//!
//! Missing files are reported as such and do not fail the check.

use std::path::Path;

use serde_json::json;

use super::explain::{explain, Difference};
use super::manifest::{Case, Corpus, Entry, Finding, Kind};
use super::runner::{
    differences, expected_output, finding, sort_findings, validate_case_bytes, Observed, Selection,
};

/// How one case came out against the vendor's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VendorStatus {
    /// Everything compared matches.
    Matches,
    /// The written bytes differ: the first difference.
    BytesDiffer(Box<Difference>),
    /// The diagnostics differ: what differs (`file` or `diagnostics.json`: which input).
    DiagnosticsDiffer(Vec<String>),
    /// No vendor file for the case.
    Missing,
    /// A vendor file could not be read or parsed.
    Unreadable(String),
}

impl VendorStatus {
    /// `matches`, `differs`, `missing` or `unreadable`.
    pub fn as_str(&self) -> &'static str {
        match self {
            VendorStatus::Matches => "matches",
            VendorStatus::BytesDiffer(_) | VendorStatus::DiagnosticsDiffer(_) => "differs",
            VendorStatus::Missing => "missing",
            VendorStatus::Unreadable(_) => "unreadable",
        }
    }

    /// Whether this counts as a failure.
    pub fn failed(&self) -> bool {
        matches!(
            self,
            VendorStatus::BytesDiffer(_)
                | VendorStatus::DiagnosticsDiffer(_)
                | VendorStatus::Unreadable(_)
        )
    }
}

/// One case checked against the vendor's files.
#[derive(Debug, Clone)]
pub struct VendorCase {
    /// Index into the corpus's entries.
    pub index: usize,
    /// The outcome.
    pub status: VendorStatus,
}

/// Checks every selected read and write case against the files in `vendor_dir`.
pub fn check_output(corpus: &Corpus, vendor_dir: &Path, selection: &Selection) -> Vec<VendorCase> {
    let mut out = Vec::new();
    for (index, entry) in corpus.entries.iter().enumerate() {
        let Entry::Case(case) = entry else { continue };
        if !selection.matches(entry) {
            continue;
        }
        out.push(VendorCase {
            index,
            status: check_case(corpus, case, vendor_dir),
        });
    }
    out
}

fn check_case(corpus: &Corpus, case: &Case, dir: &Path) -> VendorStatus {
    let file = dir.join(format!("{}.csv", case.id));
    let diags = dir.join(format!("{}.diagnostics.json", case.id));
    match case.kind {
        Kind::Write => {
            if !file.is_file() {
                return VendorStatus::Missing;
            }
            let found = match std::fs::read(&file) {
                Ok(b) => b,
                Err(e) => return VendorStatus::Unreadable(format!("{}: {e}", file.display())),
            };
            let Some(want) = expected_output(corpus, case) else {
                return VendorStatus::Unreadable("the corpus lacks the expected output".into());
            };
            match explain(&want, &found, &case.context.encoding) {
                None => VendorStatus::Matches,
                Some(d) => VendorStatus::BytesDiffer(Box::new(d)),
            }
        }
        Kind::Read => {
            let mut problems = Vec::new();
            let mut compared = false;
            if file.is_file() {
                compared = true;
                match std::fs::read(&file) {
                    Err(e) => return VendorStatus::Unreadable(format!("{}: {e}", file.display())),
                    Ok(bytes) => match validate_case_bytes(case, &bytes) {
                        Err(e) => return VendorStatus::Unreadable(e),
                        Ok(report) => {
                            let mut diagnostics: Vec<Finding> =
                                report.diagnostics.iter().map(finding).collect();
                            sort_findings(&mut diagnostics);
                            let observed = Observed {
                                diagnostics,
                                rows: case.expect.rows,
                                encoding: case.expect.encoding.clone(),
                                ..Observed::default()
                            };
                            let entry = Entry::Case(Box::new(case.clone()));
                            problems.extend(
                                differences(&entry, &observed)
                                    .into_iter()
                                    .map(|d| format!("{}.csv: {d}", case.id)),
                            );
                        }
                    },
                }
            }
            if diags.is_file() {
                compared = true;
                let parsed = std::fs::read_to_string(&diags)
                    .map_err(|e| e.to_string())
                    .and_then(|t| {
                        serde_json::from_str::<Vec<Finding>>(&t).map_err(|e| e.to_string())
                    });
                match parsed {
                    Err(e) => return VendorStatus::Unreadable(format!("{}: {e}", diags.display())),
                    Ok(mut found) => {
                        sort_findings(&mut found);
                        let observed = Observed {
                            diagnostics: found,
                            rows: case.expect.rows,
                            encoding: case.expect.encoding.clone(),
                            ..Observed::default()
                        };
                        let entry = Entry::Case(Box::new(case.clone()));
                        problems.extend(
                            differences(&entry, &observed)
                                .into_iter()
                                .map(|d| format!("{}.diagnostics.json: {d}", case.id)),
                        );
                    }
                }
            }
            match (compared, problems.is_empty()) {
                (false, _) => VendorStatus::Missing,
                (true, true) => VendorStatus::Matches,
                (true, false) => VendorStatus::DiagnosticsDiffer(problems),
            }
        }
    }
}

/// Counts: matched, differing (or unreadable), missing.
pub fn counts(results: &[VendorCase]) -> (usize, usize, usize) {
    let mut c = (0, 0, 0);
    for r in results {
        match r.status {
            VendorStatus::Matches => c.0 += 1,
            VendorStatus::Missing => c.2 += 1,
            _ => c.1 += 1,
        }
    }
    c
}

/// The text output: one block per differing case (English and Japanese), then the counts.
pub fn text(corpus: &Corpus, results: &[VendorCase]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for r in results {
        let e = &corpus.entries[r.index];
        match &r.status {
            VendorStatus::Matches => {
                let _ = writeln!(out, "ok       {}", e.id());
            }
            VendorStatus::Missing => {}
            VendorStatus::Unreadable(why) => {
                let _ = writeln!(out, "ERROR    {}: {why}", e.id());
            }
            VendorStatus::DiagnosticsDiffer(d) => {
                let _ = writeln!(
                    out,
                    "DIFFERS  {}: the diagnostics differ / 診断結果が異なります",
                    e.id()
                );
                for line in d {
                    let _ = writeln!(out, "         - {line}");
                }
            }
            VendorStatus::BytesDiffer(d) => {
                let _ = writeln!(out, "DIFFERS  {}", e.id());
                let _ = writeln!(out, "         {}", d.summary_en());
                let _ = writeln!(out, "         {}", d.summary_ja());
            }
        }
    }
    let (ok, bad, missing) = counts(results);
    let _ = writeln!(
        out,
        "{ok} matched, {bad} differ, {missing} without a vendor file"
    );
    out
}

/// The JSON output.
pub fn json(corpus: &Corpus, results: &[VendorCase]) -> String {
    let (ok, bad, missing) = counts(results);
    let cases: Vec<serde_json::Value> = results
        .iter()
        .map(|r| {
            let e = &corpus.entries[r.index];
            let detail = match &r.status {
                VendorStatus::BytesDiffer(d) => json!({
                    "line": d.line, "field": d.field, "column": d.column, "byte_offset": d.byte_offset,
                    "expected": d.expected, "found": d.found,
                    "cause_en": d.cause.en(), "cause_ja": d.cause.ja(),
                }),
                VendorStatus::DiagnosticsDiffer(d) => json!({ "differences": d }),
                VendorStatus::Unreadable(why) => json!({ "error": why }),
                _ => serde_json::Value::Null,
            };
            json!({"id": e.id(), "stage": e.stage().as_str(), "status": r.status.as_str(), "detail": detail})
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&json!({
        "tool": "vrs-conformance", "version": env!("CARGO_PKG_VERSION"),
        "cases": cases, "matched": ok, "differ": bad, "missing": missing,
    }))
    .unwrap_or_default();
    s.push('\n');
    s
}
