//! [`Report`] and [`Diagnostic`]: the result of a validation, as foreign-language values.

use std::sync::Arc;

use vrs_core::diag;

use super::Lang;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Severity {
    /// The row or file is not acceptable.
    Error,
    /// Acceptable, but a person should check it.
    Warning,
    /// For information only.
    Info,
}

impl From<diag::Severity> for Severity {
    fn from(s: diag::Severity) -> Self {
        match s {
            diag::Severity::Error => Severity::Error,
            diag::Severity::Warning => Severity::Warning,
            diag::Severity::Info => Severity::Info,
        }
    }
}

/// One problem in a file.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Diagnostic {
    /// Stable code, e.g. `M01`.
    pub code: String,
    /// Error, warning or info.
    pub severity: Severity,
    /// Physical 1-based line (the header is line 1); 0 for a problem with the whole file.
    pub line: u64,
    /// Japanese column name as in the header (e.g. `1回目接種日`), when the problem is in one field.
    pub column: Option<String>,
    /// English column name, when the problem is in one field.
    pub column_en: Option<String>,
    /// 1-based field index in the row, when the problem is in one field.
    pub field: Option<u32>,
    /// The offending value, shortened; `<redacted>` for My Number fields and anything that
    /// looks like a My Number.
    pub value: Option<String>,
    /// Message in Japanese.
    pub message_ja: String,
    /// Message in English.
    pub message_en: String,
}

impl From<&diag::Diagnostic> for Diagnostic {
    fn from(d: &diag::Diagnostic) -> Self {
        Diagnostic {
            code: d.code.as_str().to_owned(),
            severity: d.severity.into(),
            line: d.line,
            column: d.column.clone(),
            column_en: d.column_en.clone(),
            field: d.field.map(|f| u32::try_from(f).unwrap_or(u32::MAX)),
            value: d.value.clone(),
            message_ja: d.message_ja.clone(),
            message_en: d.message_en.clone(),
        }
    }
}

/// Per-code totals of a report.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SummaryEntry {
    /// The code, e.g. `M01`.
    pub code: String,
    /// The severity it was reported with.
    pub severity: Severity,
    /// How many times it occurred (also those left out by `max_diagnostics`).
    pub count: u64,
    /// The code's title in Japanese.
    pub title_ja: String,
    /// The code's title in English.
    pub title_en: String,
    /// The first lines it occurred on (at most 3).
    pub first_lines: Vec<u64>,
}

/// The result of validating one file: counts, diagnostics, a per-code summary and the JSON
/// document of `vrs-conformance validate --format json`.
///
/// Counts cover every diagnostic found, while [`diagnostics`](Report::diagnostics) holds at most
/// `max_diagnostics` of them; [`truncated`](Report::truncated) says when some were left out.
#[derive(Debug, uniffi::Object)]
pub struct Report {
    inner: diag::Report,
    lang: Lang,
}

impl Report {
    /// Wraps a core report; `lang` is the language of [`Report::to_json`].
    pub(crate) fn new(inner: diag::Report, lang: Lang) -> Arc<Self> {
        Arc::new(Report { inner, lang })
    }
}

#[uniffi::export]
impl Report {
    /// Number of errors.
    pub fn error_count(&self) -> u64 {
        self.inner.errors
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> u64 {
        self.inner.warnings
    }

    /// Number of infos.
    pub fn info_count(&self) -> u64 {
        self.inner.infos
    }

    /// Data rows read (the header is not counted).
    pub fn row_count(&self) -> u64 {
        self.inner.rows
    }

    /// True when diagnostics were left out because of `max_diagnostics`.
    pub fn truncated(&self) -> bool {
        self.inner.truncated
    }

    /// True when the report holds no error (warnings and infos allowed).
    pub fn is_ok(&self) -> bool {
        self.inner.is_ok()
    }

    /// The layout ID, e.g. `ledger-export`.
    pub fn layout(&self) -> String {
        self.inner.layout.clone()
    }

    /// The layout version.
    pub fn layout_version(&self) -> String {
        self.inner.layout_version.clone()
    }

    /// The file name given in the options, if any.
    pub fn file_name(&self) -> Option<String> {
        self.inner.file.clone()
    }

    /// The encoding the file was read with (`utf-8` or `cp932`), if anything was read.
    pub fn encoding(&self) -> Option<String> {
        self.inner.encoding.map(str::to_owned)
    }

    /// Whether the file started with a UTF-8 byte-order mark.
    pub fn bom(&self) -> bool {
        self.inner.bom
    }

    /// The diagnostics kept, in file order.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.inner
            .diagnostics
            .iter()
            .map(Diagnostic::from)
            .collect()
    }

    /// Per-code totals, by code.
    pub fn summary(&self) -> Vec<SummaryEntry> {
        self.inner
            .summary
            .iter()
            .map(|s| SummaryEntry {
                code: s.code.as_str().to_owned(),
                severity: s.severity.into(),
                count: s.count,
                title_ja: s.title_ja.to_owned(),
                title_en: s.title_en.to_owned(),
                first_lines: s.first_lines.clone(),
            })
            .collect()
    }

    /// The JSON document of `vrs-conformance validate --format json` (pretty-printed), with
    /// messages in the options' `lang` (Japanese by default).
    pub fn to_json(&self) -> String {
        self.inner.render_json(self.lang.into())
    }

    /// The same JSON document with messages in `lang`.
    pub fn render_json(&self, lang: Lang) -> String {
        self.inner.render_json(lang.into())
    }

    /// The report as text for a terminal (one line per diagnostic, then the summary), as
    /// `vrs-conformance validate` prints it.
    pub fn render_text(&self, lang: Lang) -> String {
        self.inner.render_text(lang.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vrs_core::codec::{validate_bytes, ValidateOptions};
    use vrs_core::layout::{self, LayoutParams};

    #[test]
    fn wraps_every_field() {
        let layout = layout::find("batch-inquiry-request", &LayoutParams::default()).unwrap();
        let mut core = validate_bytes(
            "個人番号,宛名番号\r\n123456789013,1001\r\n".as_bytes(),
            layout,
            ValidateOptions::default(),
        );
        core.file = Some("in.csv".into());
        let report = Report::new(core.clone(), Lang::En);
        assert_eq!(report.error_count(), 1);
        assert_eq!(report.row_count(), 1);
        assert!(!report.is_ok());
        assert_eq!(report.file_name().as_deref(), Some("in.csv"));
        assert_eq!(report.encoding().as_deref(), Some("utf-8"));
        let d = &report.diagnostics()[0];
        assert_eq!((d.code.as_str(), d.line, d.field), ("N01", 2, Some(1)));
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.value.as_deref(), Some("<redacted>"));
        assert_eq!(report.summary()[0].count, 1);
        assert_eq!(report.to_json(), core.render_json(diag::Lang::En));
        assert_eq!(
            report.render_json(Lang::Ja),
            core.render_json(diag::Lang::Ja)
        );
        assert!(!report.to_json().contains("123456789013"));
        assert!(report.render_text(Lang::En).contains("in.csv:2: error N01"));
    }
}
