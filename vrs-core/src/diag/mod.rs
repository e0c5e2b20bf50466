//! Diagnostics: problems found in a user's file, as data.
//!
//! A [`Diagnostic`] says what is wrong (a stable [`Code`]), how bad it is ([`Severity`]), and
//! where: the physical `line` a spreadsheet user sees (the header is line 1; a quoted field that
//! spans lines is reported at the line where it starts), the column name and the 1-based field
//! index. Messages come in Japanese and English. A [`Report`] collects them with counts and a
//! per-code [`SummaryEntry`].
//!
//! Diagnostics are never `Err`: an `Err` from this crate means an operation could not run at all.
//!
//! ```
//! use vrs_core::diag::{Code, Severity};
//! let info = Code::M01.info();
//! assert_eq!(info.severity, Severity::Error);
//! assert_eq!(info.title_en, "invalid municipality code");
//! ```

mod code;
mod render;
mod report;

pub use code::{catalogue, Code, CodeInfo, Scope, UnknownCode};
pub use render::{catalogue_markdown, render_junit, Lang};
pub use report::{Report, ReportBuilder, SummaryEntry, SUMMARY_EXAMPLES};

use serde::Serialize;
use std::fmt;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The row or file is not acceptable.
    Error,
    /// Acceptable, but a person should check it.
    Warning,
    /// For information only.
    Info,
}

impl Severity {
    /// `"error"`, `"warning"` or `"info"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// The Japanese word for the severity.
    pub fn name_ja(self) -> &'static str {
        match self {
            Severity::Error => "エラー",
            Severity::Warning => "警告",
            Severity::Info => "情報",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text shown instead of a value that could be a My Number.
pub const REDACTED: &str = "<redacted>";

/// One problem in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code, e.g. `M01`.
    pub code: Code,
    /// Error, warning or info.
    pub severity: Severity,
    /// Physical 1-based line (header = line 1); 0 for a problem with the whole file.
    pub line: u64,
    /// Column name in Japanese as in the header (e.g. `1回目接種日`), when the problem is in one field.
    pub column: Option<String>,
    /// Column name in English, when the problem is in one field.
    pub column_en: Option<String>,
    /// 1-based field index in the row, when the problem is in one field.
    pub field: Option<usize>,
    /// The offending value, shortened; always [`REDACTED`] for My Number fields and for
    /// anything that looks like a My Number.
    pub value: Option<String>,
    /// Message in Japanese.
    pub message_ja: String,
    /// Message in English.
    pub message_en: String,
}

impl Diagnostic {
    /// The message in the requested language.
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.message_ja,
            Lang::En => &self.message_en,
        }
    }

    /// The column name in the requested language.
    pub fn column_name(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::Ja => self.column.as_deref(),
            Lang::En => self.column_en.as_deref(),
        }
    }
}

/// Longest value (in characters) kept in a diagnostic.
pub const MAX_VALUE_CHARS: usize = 40;

/// Prepares a raw field value for a diagnostic: shortened to [`MAX_VALUE_CHARS`], and replaced by
/// [`REDACTED`] when `sensitive` is set or when the value could be a My Number (12 digits,
/// ASCII or full-width, with or without separators).
pub fn display_value(raw: &str, sensitive: bool) -> String {
    if sensitive || looks_like_my_number(raw) {
        return REDACTED.to_owned();
    }
    let mut out: String = raw.chars().take(MAX_VALUE_CHARS).collect();
    if raw.chars().nth(MAX_VALUE_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// True when `raw` contains a run of exactly 12 digits (ASCII or full-width), possibly broken
/// up by spaces or hyphens: conservative on purpose, so a My Number typed into a wrong column
/// never reaches a report, while 14-digit timestamps and 18-digit OCR lines stay visible.
pub fn looks_like_my_number(raw: &str) -> bool {
    let mut digits_in_run = 0usize;
    for c in raw.chars() {
        if c.is_ascii_digit() || ('\u{FF10}'..='\u{FF19}').contains(&c) {
            digits_in_run += 1;
        } else if matches!(
            c,
            ' ' | '-' | '\u{3000}' | '\u{FF0D}' | '\u{2010}'..='\u{2015}'
        ) {
            continue;
        } else {
            if digits_in_run == 12 {
                return true;
            }
            digits_in_run = 0;
        }
    }
    digits_in_run == 12
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_could_be_my_numbers_are_redacted() {
        assert_eq!(display_value("123456789018", false), REDACTED);
        assert_eq!(display_value("1234-5678-9018", false), REDACTED);
        assert_eq!(display_value("１２３４５６７８９０１８", false), REDACTED);
        assert_eq!(display_value("0000012345", false), "0000012345");
        assert_eq!(display_value("20210423101500", false), "20210423101500");
        assert_eq!(display_value("山田123456789018様", false), REDACTED);
        assert_eq!(display_value("abc", true), REDACTED);
    }

    #[test]
    fn long_values_are_shortened() {
        let long = "あ".repeat(100);
        let shown = display_value(&long, false);
        assert_eq!(shown.chars().count(), MAX_VALUE_CHARS + 1);
        assert!(shown.ends_with('…'));
    }
}
