//! The per-stage index of cases and the per-code coverage table, rendered from the manifest
//! into `tests/README.md` between two markers (a test checks it is up to date).

use std::fmt::Write as _;

use super::coverage::coverage;
use super::manifest::{Corpus, Stage};

/// The line before the index in `tests/README.md`.
pub const BEGIN: &str = "<!-- BEGIN CASE INDEX (generated from tests/cases/manifest.json) -->";
/// The line after it.
pub const END: &str = "<!-- END CASE INDEX -->";

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The index in Markdown (without the markers). Registry scenarios are named by the rule, not
/// listed (they have their own table in `tests/scenarios/README.md`), so that a new scenario
/// file never makes this index stale.
pub fn index_markdown(corpus: &Corpus) -> String {
    let mut out = String::new();
    let cases = corpus
        .entries
        .iter()
        .filter(|e| e.as_case().is_some())
        .count();
    let _ = writeln!(
        out,
        "{cases} read and write cases in {} stages, and every registry scenario.\n",
        Stage::ALL.len() - 1
    );
    for stage in Stage::ALL {
        if stage == Stage::Registry {
            let _ = writeln!(
                out,
                "### {} — {} (`{}`)\n\nEvery `tests/scenarios/*.json` is a case `{}<file name>` (see [`scenarios/README.md`](scenarios/README.md)); their near-misses are in the manifest's `scenarios.notes`.\n",
                stage.title_en(),
                stage.title_ja(),
                stage.as_str(),
                corpus.manifest.scenarios.id_prefix
            );
            continue;
        }
        let of: Vec<_> = corpus
            .entries
            .iter()
            .filter(|e| e.stage() == stage)
            .collect();
        let _ = writeln!(
            out,
            "### {} — {} (`{}`, {} cases)\n",
            stage.title_en(),
            stage.title_ja(),
            stage.as_str(),
            of.len()
        );
        let _ = writeln!(
            out,
            "| ID | Layout | Codes | Near-miss | What it tests | 内容 |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for e in of {
            let waived = if corpus.waiver(e.id()).is_some() {
                " (waived)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "| `{}`{waived} | {} | {} | {} | {} | {} |",
                e.id(),
                e.layout(),
                e.codes().join(" "),
                e.near_miss().join(" "),
                cell(e.description_en()),
                cell(e.description_ja())
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "### Coverage by code — コード別\n");
    let _ = writeln!(out, "| Code | Title | Trigger cases | Near-miss cases |");
    let _ = writeln!(out, "|---|---|---|---|");
    for c in coverage(corpus) {
        let code = c.info.code.as_str();
        let name = |ix: &[usize]| -> String {
            let (cases, scenarios): (Vec<usize>, Vec<usize>) = ix
                .iter()
                .partition(|&&i| corpus.entries[i].as_case().is_some());
            let mut shown: Vec<String> = cases
                .iter()
                .take(4)
                .map(|&i| format!("`{}`", corpus.entries[i].id()))
                .collect();
            if cases.len() > 4 {
                shown.push(format!("+{}", cases.len() - 4));
            }
            if !scenarios.is_empty() {
                shown.push("registry scenarios".to_owned());
            }
            if shown.is_empty() {
                return corpus
                    .code_waiver(code)
                    .map(|k| format!("— (known issue: {})", cell(&k.reason_en)))
                    .unwrap_or_else(|| "—".to_owned());
            }
            shown.join(", ")
        };
        let _ = writeln!(
            out,
            "| {code} | {} / {} | {} | {} |",
            c.info.title_en,
            c.info.title_ja,
            name(&c.triggers),
            name(&c.near_misses)
        );
    }
    out
}

/// `readme` with the part between the markers replaced by the index; `None` when a marker
/// is missing.
pub fn splice(readme: &str, index: &str) -> Option<String> {
    let start = readme.find(BEGIN)? + BEGIN.len();
    let end = readme[start..].find(END)? + start;
    Some(format!(
        "{}\n\n{}\n{}",
        &readme[..start],
        index.trim_end(),
        &readme[end..]
    ))
}
