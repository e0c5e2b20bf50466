//! The output of `vrs-conformance run`: text (one line per failing or waived case, a line per
//! stage, then `N passed, N failed[, N waived]`), JSON, or JUnit XML.

use std::fmt::Write as _;

use serde_json::json;

use super::manifest::{Corpus, Stage};
use super::runner::{CaseRun, Status, Tally};

/// Text: failures with their differences, waived cases, counts per stage, the final line.
pub fn text(corpus: &Corpus, runs: &[CaseRun]) -> String {
    let mut out = String::new();
    for r in runs {
        let e = &corpus.entries[r.index];
        match &r.status {
            Status::Passed => {}
            Status::Failed(diffs) => {
                let _ = writeln!(out, "FAIL    {} [{}]", e.id(), e.stage());
                for d in diffs {
                    let _ = writeln!(out, "        - {d}");
                }
            }
            Status::Waived { passes, .. } => {
                let reason = corpus
                    .waiver(e.id())
                    .map(|k| k.reason_en.as_str())
                    .unwrap_or_default();
                let now = if *passes {
                    " (passes now: remove the waiver)"
                } else {
                    ""
                };
                let _ = writeln!(out, "WAIVED  {} [{}]{now}: {reason}", e.id(), e.stage());
            }
        }
    }
    for stage in Stage::ALL {
        let of: Vec<&CaseRun> = runs
            .iter()
            .filter(|r| corpus.entries[r.index].stage() == stage)
            .collect();
        if !of.is_empty() {
            let _ = writeln!(
                out,
                "{:<14} {:>4} cases: {}",
                stage.as_str(),
                of.len(),
                Tally::of(of).line()
            );
        }
    }
    let _ = writeln!(out, "{}", Tally::of(runs).line());
    out
}

/// One case as JSON.
fn case_json(corpus: &Corpus, r: &CaseRun) -> serde_json::Value {
    let e = &corpus.entries[r.index];
    let (differences, passes_now) = match &r.status {
        Status::Passed => (Vec::new(), None),
        Status::Failed(d) => (d.clone(), None),
        Status::Waived {
            passes,
            differences,
        } => (differences.clone(), Some(*passes)),
    };
    json!({
        "id": e.id(),
        "stage": e.stage().as_str(),
        "layout": e.layout(),
        "status": r.status.as_str(),
        "codes": e.codes(),
        "near_miss": e.near_miss(),
        "differences": differences,
        "waiver": corpus.waiver(e.id()).map(|k| json!({
            "reason_en": k.reason_en, "reason_ja": k.reason_ja, "tracking": k.tracking,
            "passes_now": passes_now,
        })),
    })
}

/// JSON: every case with its status and differences, and the counts.
pub fn json(corpus: &Corpus, runs: &[CaseRun]) -> String {
    let t = Tally::of(runs);
    let doc = json!({
        "tool": "vrs-conformance",
        "version": env!("CARGO_PKG_VERSION"),
        "cases": runs.iter().map(|r| case_json(corpus, r)).collect::<Vec<_>>(),
        "passed": t.passed,
        "failed": t.failed,
        "waived": t.waived,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// Escapes text for XML attributes and content.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {
                let _ = write!(out, "&#x{:X};", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one test suite per stage, one test case per case; waived cases are skipped.
pub fn junit(corpus: &Corpus, runs: &[CaseRun]) -> String {
    let t = Tally::of(runs);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"vrs-conformance\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
        runs.len(),
        t.failed,
        t.waived
    );
    for stage in Stage::ALL {
        let of: Vec<&CaseRun> = runs
            .iter()
            .filter(|r| corpus.entries[r.index].stage() == stage)
            .collect();
        if of.is_empty() {
            continue;
        }
        let st = Tally::of(of.iter().copied());
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
            stage.as_str(),
            of.len(),
            st.failed,
            st.waived
        );
        for r in of {
            let e = &corpus.entries[r.index];
            let _ = write!(
                out,
                "    <testcase classname=\"vrs.conformance.{}\" name=\"{}\"",
                stage.as_str(),
                xml_escape(e.id())
            );
            match &r.status {
                Status::Passed => out.push_str("/>\n"),
                Status::Failed(diffs) => {
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        xml_escape(diffs.first().map(String::as_str).unwrap_or("failed")),
                        xml_escape(&diffs.join("\n"))
                    );
                }
                Status::Waived { .. } => {
                    let reason = corpus
                        .waiver(e.id())
                        .map(|k| format!("waived: {} ({})", k.reason_en, k.tracking))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        xml_escape(&reason)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
