//! `vrs-conformance report`: a conformance report to attach to a procurement document, as JSON
//! and as a one-page, self-contained HTML file that prints on A4.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::check_output::{self, VendorCase, VendorStatus};
use super::coverage::coverage;
use super::manifest::{Corpus, Stage, MANIFEST_FILE};
use super::render::xml_escape as esc;
use super::runner::{CaseRun, Status, Tally};

/// Who the report is for and when it was made.
#[derive(Debug, Clone, Default)]
pub struct ReportInfo {
    /// The vendor's name.
    pub vendor: Option<String>,
    /// The product and version.
    pub product: Option<String>,
    /// When the report was made (as the caller wants it shown, e.g. `2024-04-01 10:00 UTC`).
    pub generated_at: String,
}

/// SHA-256 of the manifest file.
///
/// # Errors
/// An unreadable manifest.
pub fn manifest_sha256(corpus: &Corpus) -> Result<String, String> {
    let path = corpus.dir.join(MANIFEST_FILE);
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            files_under(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// SHA-256 over the whole corpus: every file under the cases directory (the manifest
/// included) and the scenario directory, in order of their paths relative to the manifest;
/// each contributes its relative path (`/`-separated), a NUL byte, its length as 8 bytes
/// little-endian, and its bytes.
///
/// # Errors
/// An unreadable directory or file.
pub fn corpus_sha256(corpus: &Corpus) -> Result<(String, usize), String> {
    let rule_dir = corpus.manifest.scenarios.dir.trim_end_matches('/');
    let mut named: Vec<(String, PathBuf)> = Vec::new();
    for (dir, prefix) in [
        (corpus.dir.clone(), String::new()),
        (corpus.dir.join(rule_dir), format!("{rule_dir}/")),
    ] {
        let mut files = Vec::new();
        files_under(&dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
        for p in files {
            let rel = p
                .strip_prefix(&dir)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            named.push((format!("{prefix}{rel}"), p));
        }
    }
    named.sort();
    named.dedup_by(|a, b| a.0 == b.0);
    let mut h = Sha256::new();
    for (name, path) in &named {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        h.update(name.as_bytes());
        h.update([0u8]);
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    Ok((hex::encode(h.finalize()), named.len()))
}

/// The report as a JSON value.
///
/// # Errors
/// Unreadable corpus files (for the hashes).
pub fn report_json(
    corpus: &Corpus,
    runs: &[CaseRun],
    vendor: Option<&[VendorCase]>,
    info: &ReportInfo,
) -> Result<Value, String> {
    let t = Tally::of(runs);
    let (corpus_hash, files) = corpus_sha256(corpus)?;
    let stages: Vec<Value> = Stage::ALL
        .iter()
        .map(|&s| {
            let of: Vec<&CaseRun> = runs
                .iter()
                .filter(|r| corpus.entries[r.index].stage() == s)
                .collect();
            let st = Tally::of(of.iter().copied());
            json!({"stage": s.as_str(), "title_en": s.title_en(), "title_ja": s.title_ja(),
                   "cases": of.len(), "passed": st.passed, "failed": st.failed, "waived": st.waived})
        })
        .collect();
    let status_of = |i: usize| runs.iter().find(|r| r.index == i).map(|r| &r.status);
    let codes: Vec<Value> = coverage(corpus)
        .iter()
        .map(|c| {
            let count = |ix: &[usize]| {
                let ran: Vec<&Status> = ix.iter().filter_map(|&i| status_of(i)).collect();
                let passed = ran.iter().filter(|s| matches!(s, Status::Passed)).count();
                let failed = ran
                    .iter()
                    .filter(|s| matches!(s, Status::Failed(_)))
                    .count();
                let waived = ran.len() - passed - failed;
                json!({"cases": ran.len(), "passed": passed, "failed": failed, "waived": waived})
            };
            let code = c.info.code.as_str();
            json!({
                "code": code, "severity": c.info.severity.as_str(),
                "title_en": c.info.title_en, "title_ja": c.info.title_ja,
                "triggers": count(&c.triggers), "near_misses": count(&c.near_misses),
                "waived": corpus.code_waiver(code).map(|k| k.reason_en.clone()),
            })
        })
        .collect();
    let waivers: Vec<Value> = corpus
        .manifest
        .known_issues
        .iter()
        .map(|k| {
            let passes_now = k.case.as_ref().and_then(|id| {
                runs.iter().find_map(|r| match &r.status {
                    Status::Waived { passes, .. } if corpus.entries[r.index].id() == id => Some(*passes),
                    _ => None,
                })
            });
            json!({"case": k.case, "code": k.code, "reason_en": k.reason_en, "reason_ja": k.reason_ja,
                   "tracking": k.tracking, "passes_now": passes_now})
        })
        .collect();
    let failures: Vec<Value> = runs
        .iter()
        .filter_map(|r| match &r.status {
            Status::Failed(d) => {
                Some(json!({"id": corpus.entries[r.index].id(), "differences": d}))
            }
            _ => None,
        })
        .collect();
    let vendor_json = vendor.map(|v| {
        let (ok, bad, missing) = check_output::counts(v);
        let cases: Vec<Value> = v
            .iter()
            .filter(|c| c.status.failed())
            .map(|c| {
                let id = corpus.entries[c.index].id();
                match &c.status {
                    VendorStatus::BytesDiffer(d) => json!({"id": id, "summary_en": d.summary_en(), "summary_ja": d.summary_ja()}),
                    VendorStatus::DiagnosticsDiffer(d) => json!({"id": id, "summary_en": d.join("; "), "summary_ja": d.join("; ")}),
                    VendorStatus::Unreadable(e) => json!({"id": id, "summary_en": e, "summary_ja": e}),
                    _ => Value::Null,
                }
            })
            .collect();
        json!({"matched": ok, "differ": bad, "missing": missing, "differences": cases})
    });
    // With the vendor's files, the verdict covers them too.
    let vendor_ok = vendor.is_none_or(|v| check_output::counts(v).1 == 0);
    Ok(json!({
        "title": "VRS conformance report",
        "vendor": info.vendor,
        "product": info.product,
        "generated_at": info.generated_at,
        "tool": {"name": "vrs-conformance", "version": env!("CARGO_PKG_VERSION")},
        "corpus": {
            "manifest_sha256": manifest_sha256(corpus)?,
            "corpus_sha256": corpus_hash,
            "files": files,
            "cases": corpus.entries.len(),
            "cases_run": runs.len(),
        },
        "result": {
            "conformant": t.failed == 0 && !runs.is_empty() && vendor_ok,
            "passed": t.passed, "failed": t.failed, "waived": t.waived,
        },
        "stages": stages,
        "codes": codes,
        "waivers": waivers,
        "failures": failures,
        "vendor_output": vendor_json,
    }))
}

/// A JSON string field, or empty.
fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn n(v: &Value, key: &str) -> u64 {
    v.get(key).and_then(Value::as_u64).unwrap_or(0)
}

const CSS: &str = r#"
@page { size: A4; margin: 10mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif;
       font-size: 8.6pt; color: #111; margin: 0 auto; max-width: 190mm; line-height: 1.3; }
h1 { font-size: 15pt; margin: 0 0 1mm 0; }
h1 small, h2 small { font-weight: normal; font-size: 10pt; color: #444; }
h2 small { font-size: 7pt; }
h2 { font-size: 9.4pt; margin: 2.2mm 0 1mm 0; border-bottom: 0.4mm solid #333; padding-bottom: 0.5mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.2mm solid #999; padding: 0.6mm 1.4mm; text-align: left; vertical-align: top; }
th { background: #eee; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.meta td { border: none; padding: 0.3mm 1.4mm 0.3mm 0; }
.meta td:first-child { color: #444; white-space: nowrap; width: 28mm; }
.mono { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 7.4pt; word-break: break-all; }
.verdict { border: 0.6mm solid; padding: 1.6mm 3mm; margin: 1mm 0; font-size: 11pt; font-weight: 600; }
.pass { border-color: #1a7f37; background: #e9f7ee; color: #0f5323; }
.fail { border-color: #b42318; background: #fdecea; color: #7a1610; }
.codes { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 0.6mm; }
.code { border: 0.2mm solid #999; padding: 0.3mm 0.8mm; font-size: 6.6pt; line-height: 1.2; break-inside: avoid; }
.stages td, .stages th { padding: 0.3mm 1.2mm; font-size: 7.8pt; }
.code b { font-family: "DejaVu Sans Mono", monospace; }
.code .t { display: block; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.code.ok { background: #f1f9f3; } .code.bad { background: #fdecea; } .code.waived { background: #fff6db; }
.top { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; align-items: start; }
.top h2 { margin-top: 0; }
ul { margin: 0; padding-left: 4mm; font-size: 7pt; line-height: 1.25; } li { margin: 0.3mm 0; break-inside: avoid; }
.counts { font-size: 8.6pt; font-weight: normal; }
.foot { margin-top: 3mm; color: #555; font-size: 7.4pt; }
@media print { body { max-width: none; } }
"#;

/// Differing vendor files listed on the page (all are in the JSON).
const VENDOR_SHOWN: usize = 3;

/// The one-page HTML report (no external assets).
pub fn report_html(doc: &Value) -> String {
    let mut h = String::new();
    let result = &doc["result"];
    let conformant = result["conformant"].as_bool().unwrap_or(false);
    let vendor = doc["vendor"].as_str().unwrap_or("—");
    let product = doc["product"].as_str().unwrap_or("—");
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>VRS conformance report — {}</title><style>{CSS}</style></head><body>\n",
        esc(vendor)
    );
    let _ = writeln!(h, "<h1>VRS conformance report <small>ワクチン接種記録システム 連携ファイル適合性報告書</small></h1>");
    let corpus = &doc["corpus"];
    let tool = &doc["tool"];
    let _ = writeln!(h, "<div class=\"top\"><div><table class=\"meta\">");
    for (k, v, mono) in [
        ("Vendor / ベンダー", vendor.to_owned(), false),
        ("Product / 製品", product.to_owned(), false),
        (
            "Generated / 作成日時",
            s(doc, "generated_at").to_owned(),
            false,
        ),
        (
            "Tool / ツール",
            format!("{} {}", s(tool, "name"), s(tool, "version")),
            false,
        ),
        (
            "Manifest SHA-256",
            s(corpus, "manifest_sha256").to_owned(),
            true,
        ),
        (
            "Corpus SHA-256",
            format!(
                "{} ({} files)",
                s(corpus, "corpus_sha256"),
                n(corpus, "files")
            ),
            true,
        ),
    ] {
        let class = if mono { " class=\"mono\"" } else { "" };
        let _ = writeln!(h, "<tr><td>{}</td><td{class}>{}</td></tr>", esc(k), esc(&v));
    }
    let _ = writeln!(h, "</table>");
    let (class, word) = if conformant {
        ("pass", "PASS — conforms / 適合")
    } else {
        ("fail", "FAIL — does not conform / 不適合")
    };
    let vendor_line = match doc["vendor_output"].as_object() {
        Some(v) => {
            let v = Value::Object(v.clone());
            format!(
                "<br>vendor files: {} matched, {} differ, {} not supplied",
                n(&v, "matched"),
                n(&v, "differ"),
                n(&v, "missing")
            )
        }
        None => String::new(),
    };
    let _ = writeln!(
        h,
        "<div class=\"verdict {class}\">{word}<br><span class=\"counts\">libvrs: {} passed, {} failed, {} waived of {} cases run ({} in the corpus){vendor_line}</span></div>",
        n(result, "passed"), n(result, "failed"), n(result, "waived"), n(corpus, "cases_run"), n(corpus, "cases")
    );
    // Stages, beside the identification.
    let _ = writeln!(h, "</div><div><h2>Results by stage / 段階別の結果</h2><table class=\"stages\"><tr><th>Stage / 段階</th><th class=\"num\">Cases</th><th class=\"num\">Passed</th><th class=\"num\">Failed</th><th class=\"num\">Waived</th></tr>");
    for st in doc["stages"].as_array().into_iter().flatten() {
        let _ = writeln!(
            h,
            "<tr><td>{} / {}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(s(st, "title_en")), esc(s(st, "title_ja")), n(st, "cases"), n(st, "passed"), n(st, "failed"), n(st, "waived")
        );
    }
    let _ = writeln!(h, "</table></div></div>");
    // Codes.
    let _ = writeln!(h, "<h2>Diagnostic codes / 診断コード別 <small>T: trigger cases passed / 検出ケース合格数, N: near-miss cases passed / 類似非検出ケース合格数, w: waived</small></h2><div class=\"codes\">");
    for c in doc["codes"].as_array().into_iter().flatten() {
        let (t, m) = (&c["triggers"], &c["near_misses"]);
        let waived = !c["waived"].is_null();
        let bad = n(t, "failed") + n(m, "failed") > 0;
        let class = if bad {
            "bad"
        } else if waived {
            "waived"
        } else {
            "ok"
        };
        // Passed of the cases not waived, and the waived ones apart.
        let counted = |v: &Value| {
            let w = n(v, "waived");
            let base = format!("{}/{}", n(v, "passed"), n(v, "cases") - w);
            if w > 0 {
                format!("{base} +{w}w")
            } else {
                base
            }
        };
        let _ = writeln!(
            h,
            "<div class=\"code {class}\"><span class=\"t\"><b>{}</b> {}</span>T {} · N {}{}</div>",
            esc(s(c, "code")),
            esc(s(c, "title_ja")),
            counted(t),
            counted(m),
            if waived {
                " · no case yet (known issue)"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(h, "</div>");
    // Waivers and failures.
    let _ = writeln!(h, "<h2>Waivers (known issues) / 既知の問題による除外</h2>");
    let waivers = doc["waivers"].as_array().cloned().unwrap_or_default();
    if waivers.is_empty() {
        let _ = writeln!(h, "<p>None / なし</p>");
    } else {
        let _ = writeln!(h, "<ul>");
        for w in &waivers {
            let what = match (w["case"].as_str(), w["code"].as_str()) {
                (Some(case), _) => format!("case {case}"),
                (_, Some(code)) => format!("code {code}"),
                _ => String::new(),
            };
            let now = if w["passes_now"].as_bool() == Some(true) {
                " (passes now)"
            } else {
                ""
            };
            let _ = writeln!(
                h,
                "<li><b>{}</b>{}: {} / {} <i>[{}]</i></li>",
                esc(&what),
                now,
                esc(s(w, "reason_en")),
                esc(s(w, "reason_ja")),
                esc(s(w, "tracking"))
            );
        }
        let _ = writeln!(h, "</ul>");
    }
    let failures = doc["failures"].as_array().cloned().unwrap_or_default();
    if !failures.is_empty() {
        let _ = writeln!(h, "<h2>Failures / 不合格のケース</h2><ul>");
        for f in failures.iter().take(12) {
            let first = f["differences"][0].as_str().unwrap_or("");
            let _ = writeln!(h, "<li><b>{}</b>: {}</li>", esc(s(f, "id")), esc(first));
        }
        if failures.len() > 12 {
            let _ = writeln!(
                h,
                "<li>… and {} more (see the JSON report)</li>",
                failures.len() - 12
            );
        }
        let _ = writeln!(h, "</ul>");
    }
    if let Some(v) = doc["vendor_output"].as_object() {
        let vv = Value::Object(v.clone());
        let _ = writeln!(
            h,
            "<h2>Vendor files (check-output) / ベンダー出力ファイルの照合: {} matched, {} differ, {} not supplied</h2>",
            n(&vv, "matched"), n(&vv, "differ"), n(&vv, "missing")
        );
        let diffs = vv["differences"].as_array().cloned().unwrap_or_default();
        if !diffs.is_empty() {
            let _ = writeln!(h, "<ul>");
            for d in diffs.iter().take(VENDOR_SHOWN) {
                let _ = writeln!(
                    h,
                    "<li><b>{}</b>: {}<br>{}</li>",
                    esc(s(d, "id")),
                    esc(s(d, "summary_en")),
                    esc(s(d, "summary_ja"))
                );
            }
            if diffs.len() > VENDOR_SHOWN {
                let _ = writeln!(
                    h,
                    "<li>… and {} more (see the JSON report)</li>",
                    diffs.len() - VENDOR_SHOWN
                );
            }
            let _ = writeln!(h, "</ul>");
        }
    }
    let _ = writeln!(
        h,
        "<p class=\"foot\">Reproduce: <span class=\"mono\">vrs-conformance run --cases tests/cases</span> with the corpus whose SHA-256 is shown above. Each case fixes its context (as-of date, tenant, vaccine tables, encoding, dose blocks); expectations key on code, line and column. 各ケースは基準日・自治体・ワクチン表・文字コード・接種回ブロック数を固定し、期待結果はコード・行・列で照合します。</p>"
    );
    let _ = writeln!(h, "</body></html>");
    h
}
