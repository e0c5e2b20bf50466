//! Reports: the diagnostics of one validation run with counts and a per-code summary.

use serde::Serialize;
use std::collections::BTreeMap;

use super::{Code, Diagnostic, Severity};

/// How many example lines a summary entry keeps.
pub const SUMMARY_EXAMPLES: usize = 3;

/// Per-code totals of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SummaryEntry {
    /// The code.
    pub code: Code,
    /// The severity it was reported with.
    pub severity: Severity,
    /// How many times it occurred (all occurrences, also those cut by a limit).
    pub count: u64,
    /// The code's title, English.
    pub title_en: &'static str,
    /// The code's title, Japanese.
    pub title_ja: &'static str,
    /// The first lines it occurred on (at most [`SUMMARY_EXAMPLES`]).
    pub first_lines: Vec<u64>,
}

/// The result of validating one file.
///
/// Counts (`errors`, `warnings`, `infos`, the summary) cover every diagnostic found, while
/// `diagnostics` holds at most the configured maximum; `truncated` says when some were left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Layout ID, e.g. `ledger-export`.
    pub layout: String,
    /// Layout version.
    pub layout_version: String,
    /// The file name as given by the caller, if any.
    pub file: Option<String>,
    /// The encoding the file was read with (`utf-8` or `cp932`), `None` when nothing was read.
    pub encoding: Option<&'static str>,
    /// Whether the file started with a UTF-8 byte-order mark.
    pub bom: bool,
    /// Data rows read (the header is not counted).
    pub rows: u64,
    /// Number of errors.
    pub errors: u64,
    /// Number of warnings.
    pub warnings: u64,
    /// Number of infos.
    pub infos: u64,
    /// True when diagnostics were left out because of a limit.
    pub truncated: bool,
    /// The diagnostics kept, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// Per-code totals, by code.
    pub summary: Vec<SummaryEntry>,
}

impl Report {
    /// True when the report holds no error (warnings and infos allowed).
    pub fn is_ok(&self) -> bool {
        self.errors == 0
    }

    /// The report as a JSON document with messages in the default language, Japanese (the same
    /// document as `vrs-conformance validate --format json`; see [`Report::render_json`]).
    pub fn to_json(&self) -> String {
        self.render_json(super::Lang::default())
    }
}

/// Collects diagnostics into a [`Report`], keeping at most `max` of them.
#[derive(Debug, Clone)]
pub struct ReportBuilder {
    max: Option<usize>,
    diagnostics: Vec<Diagnostic>,
    summary: BTreeMap<(Code, Severity), SummaryEntry>,
    errors: u64,
    warnings: u64,
    infos: u64,
    truncated: bool,
}

impl ReportBuilder {
    /// A builder that keeps at most `max` diagnostics (`None`: all).
    pub fn new(max: Option<usize>) -> Self {
        ReportBuilder {
            max,
            diagnostics: Vec::new(),
            summary: BTreeMap::new(),
            errors: 0,
            warnings: 0,
            infos: 0,
            truncated: false,
        }
    }

    /// Adds one diagnostic: counted, and kept unless the builder holds its maximum already.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.tally(diagnostic.code, diagnostic.severity, diagnostic.line);
        if self.max.is_some_and(|max| self.diagnostics.len() >= max) {
            self.truncated = true;
        } else {
            self.diagnostics.push(diagnostic);
        }
    }

    /// Counts one diagnostic without keeping it (in the counts and the summary, as
    /// [`push`](Self::push) would; the report is then [`truncated`](Report::truncated)): for
    /// a diagnostic that would not be kept, or that was handed on elsewhere as it was found.
    pub fn count(&mut self, code: Code, severity: Severity, line: u64) {
        self.tally(code, severity, line);
        self.truncated = true;
    }

    fn tally(&mut self, code: Code, severity: Severity, line: u64) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
        }
        let entry = self.summary.entry((code, severity)).or_insert_with(|| {
            let info = code.info();
            SummaryEntry {
                code,
                severity,
                count: 0,
                title_en: info.title_en,
                title_ja: info.title_ja,
                first_lines: Vec::new(),
            }
        });
        entry.count += 1;
        if entry.first_lines.len() < SUMMARY_EXAMPLES {
            entry.first_lines.push(line);
        }
    }

    /// How many diagnostics are held now.
    pub fn stored(&self) -> usize {
        self.diagnostics.len()
    }

    /// The diagnostics held from index `start` on (those added since [`stored`](Self::stored) returned `start`).
    pub fn stored_since(&self, start: usize) -> &[Diagnostic] {
        self.diagnostics.get(start..).unwrap_or(&[])
    }

    /// Errors so far.
    pub fn error_count(&self) -> u64 {
        self.errors
    }

    /// Builds the report.
    pub fn finish(
        self,
        layout: &str,
        layout_version: &str,
        encoding: Option<&'static str>,
        bom: bool,
        rows: u64,
    ) -> Report {
        let mut diagnostics = self.diagnostics;
        // Cross-row findings are emitted late; present everything in file order.
        diagnostics.sort_by_key(|d| d.line);
        Report {
            layout: layout.to_owned(),
            layout_version: layout_version.to_owned(),
            file: None,
            encoding,
            bom,
            rows,
            errors: self.errors,
            warnings: self.warnings,
            infos: self.infos,
            truncated: self.truncated,
            diagnostics,
            summary: self.summary.into_values().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(code: Code, line: u64) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.default_severity(),
            line,
            column: None,
            column_en: None,
            field: None,
            value: None,
            message_ja: String::new(),
            message_en: String::new(),
        }
    }

    #[test]
    fn limit_truncates_but_counts_everything() {
        let mut b = ReportBuilder::new(Some(2));
        for line in [5, 3, 9, 4] {
            b.push(diag(Code::M01, line));
        }
        b.push(diag(Code::S01, 7));
        let r = b.finish("x", "1", Some("utf-8"), false, 10);
        assert_eq!(r.errors, 4);
        assert_eq!(r.warnings, 1);
        assert!(r.truncated);
        assert_eq!(r.diagnostics.len(), 2);
        assert_eq!(r.diagnostics[0].line, 3);
        let m01 = &r.summary[0];
        assert_eq!((m01.code, m01.count), (Code::M01, 4));
        assert_eq!(m01.first_lines, vec![5, 3, 9]);
        assert!(!r.is_ok());
    }

    #[test]
    fn no_limit_keeps_all() {
        let mut b = ReportBuilder::new(None);
        b.push(diag(Code::S01, 2));
        let r = b.finish("x", "1", None, false, 1);
        assert!(!r.truncated);
        assert!(r.is_ok());
        assert!(r.to_json().contains("\"truncated\": false"));
    }
}
