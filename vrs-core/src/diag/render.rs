//! Rendering reports (JSON, text, JUnit XML) and the code catalogue (Markdown).

use serde::Serialize;
use std::fmt::Write as _;

use super::{catalogue, Code, Diagnostic, Report, Scope, Severity, SummaryEntry};

/// The language of messages in rendered output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Japanese (the default: the users of these files read Japanese; English is always present too).
    #[default]
    Ja,
    /// English.
    En,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "ja" | "jp" | "japanese" => Ok(Lang::Ja),
            "en" | "english" => Ok(Lang::En),
            other => Err(format!("unknown language {other:?} (use ja or en)")),
        }
    }
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: Code,
    severity: Severity,
    line: u64,
    column: Option<&'a str>,
    column_en: Option<&'a str>,
    field: Option<usize>,
    value: Option<&'a str>,
    message: &'a str,
    message_ja: &'a str,
    message_en: &'a str,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    code: Code,
    severity: Severity,
    count: u64,
    title: &'a str,
    first_lines: &'a [u64],
}

#[derive(Serialize)]
struct JsonReport<'a> {
    file: Option<&'a str>,
    layout: &'a str,
    layout_version: &'a str,
    encoding: Option<&'a str>,
    bom: bool,
    rows: u64,
    errors: u64,
    warnings: u64,
    infos: u64,
    truncated: bool,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Vec<JsonSummary<'a>>,
}

fn title(entry: &SummaryEntry, lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => entry.title_ja,
        Lang::En => entry.title_en,
    }
}

impl Report {
    /// The report as a JSON value with messages in `lang`: keys `file`, `layout`,
    /// `layout_version`, `encoding`, `bom`, `rows`, `errors`, `warnings`, `infos`, `truncated`,
    /// `diagnostics[]` (`code`, `severity`, `line`, `column`, `column_en`, `field`, `value`,
    /// `message`, `message_ja`, `message_en`) and `summary[]` (`code`, `severity`, `count`,
    /// `title`, `first_lines`).
    pub fn to_json_value(&self, lang: Lang) -> serde_json::Value {
        let doc = JsonReport {
            file: self.file.as_deref(),
            layout: &self.layout,
            layout_version: &self.layout_version,
            encoding: self.encoding,
            bom: self.bom,
            rows: self.rows,
            errors: self.errors,
            warnings: self.warnings,
            infos: self.infos,
            truncated: self.truncated,
            diagnostics: self.diagnostics.iter().map(|d| d.json(lang)).collect(),
            summary: self
                .summary
                .iter()
                .map(|s| JsonSummary {
                    code: s.code,
                    severity: s.severity,
                    count: s.count,
                    title: title(s, lang),
                    first_lines: &s.first_lines,
                })
                .collect(),
        };
        serde_json::to_value(doc).unwrap_or(serde_json::Value::Null)
    }

    /// The report as pretty-printed JSON with messages in `lang`.
    pub fn render_json(&self, lang: Lang) -> String {
        serde_json::to_string_pretty(&self.to_json_value(lang)).unwrap_or_default()
    }

    /// The report as text for a terminal: one line per diagnostic (with its value, redacted
    /// when it could be a My Number), then the summary.
    pub fn render_text(&self, lang: Lang) -> String {
        let mut out = String::new();
        let file = self.file.as_deref().unwrap_or("-");
        for d in &self.diagnostics {
            out.push_str(&d.render_line(file, lang));
            out.push('\n');
        }
        out.push_str(&self.render_text_summary(lang));
        out
    }

    /// The end of [`render_text`](Self::render_text): what was left out, the per-code summary
    /// and the totals (after diagnostics shown as they came, see
    /// [`Diagnostic::render_line`]).
    pub fn render_text_summary(&self, lang: Lang) -> String {
        let mut out = String::new();
        let file = self.file.as_deref().unwrap_or("-");
        let total = self.errors + self.warnings + self.infos;
        let left_out = total.saturating_sub(self.diagnostics.len() as u64);
        if self.truncated && !self.diagnostics.is_empty() && left_out > 0 {
            let _ = writeln!(
                out,
                "{}",
                match lang {
                    Lang::Ja => format!(
                        "（ほか{left_out}件は一覧に含めていません。件数は下の集計にすべて含まれます。一覧の上限は --max-errors / max_diagnostics で変えられます）"
                    ),
                    Lang::En => format!(
                        "({left_out} more not listed; the summary below counts them all. --max-errors / max_diagnostics sets how many are listed)"
                    ),
                }
            );
        }
        for s in &self.summary {
            let _ = writeln!(
                out,
                "  {} {:7} x{}  {}",
                s.code,
                severity_word(s.severity, lang),
                s.count,
                title(s, lang)
            );
        }
        let encoding = self.encoding.unwrap_or("-");
        let _ = match lang {
            Lang::Ja => writeln!(
                out,
                "{file}: レイアウト {}@{}、文字コード {encoding}、{} 行、エラー {} 件、警告 {} 件",
                self.layout, self.layout_version, self.rows, self.errors, self.warnings
            ),
            Lang::En => writeln!(
                out,
                "{file}: layout {}@{}, encoding {encoding}, {} rows, {} errors, {} warnings",
                self.layout, self.layout_version, self.rows, self.errors, self.warnings
            ),
        };
        out
    }
}

impl Diagnostic {
    fn json(&self, lang: Lang) -> JsonDiagnostic<'_> {
        JsonDiagnostic {
            code: self.code,
            severity: self.severity,
            line: self.line,
            column: self.column.as_deref(),
            column_en: self.column_en.as_deref(),
            field: self.field,
            value: self.value.as_deref(),
            message: self.message(lang),
            message_ja: &self.message_ja,
            message_en: &self.message_en,
        }
    }

    /// The diagnostic as a JSON value with the message in `lang`: one element of a report's
    /// `diagnostics[]` (see [`Report::to_json_value`]).
    pub fn to_json_value(&self, lang: Lang) -> serde_json::Value {
        serde_json::to_value(self.json(lang)).unwrap_or(serde_json::Value::Null)
    }

    /// The diagnostic as one line of text output, without the line break:
    /// `FILE:LINE: SEVERITY CODE MESSAGE [value: VALUE]`. The message names the column
    /// itself; the value is the one kept in [`value`](Diagnostic::value) (shortened, and
    /// redacted when it could be a My Number).
    pub fn render_line(&self, file: &str, lang: Lang) -> String {
        let mut out = format!(
            "{file}:{}: {} {} {}",
            self.line,
            severity_word(self.severity, lang),
            self.code,
            self.message(lang)
        );
        if let Some(value) = &self.value {
            // Control characters shown, not sent to the terminal.
            let value: String = value
                .chars()
                .map(|c| match c.is_control() {
                    true => format!("<U+{:04X}>", u32::from(c)),
                    false => c.to_string(),
                })
                .collect();
            let _ = match lang {
                Lang::Ja => write!(out, "［値：{value}］"),
                Lang::En => write!(out, " [value: {value}]"),
            };
        }
        out
    }
}

fn severity_word(severity: Severity, lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => severity.name_ja(),
        Lang::En => severity.as_str(),
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Renders several reports as one JUnit XML document: one test suite per file, one test case per
/// code of the catalogue that applies to files, failing when the file has errors with that code.
pub fn render_junit(reports: &[Report], lang: Lang) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for report in reports {
        let name = xml_escape(report.file.as_deref().unwrap_or("-"));
        let codes: Vec<&super::CodeInfo> = catalogue()
            .iter()
            .filter(|c| c.scope != Scope::Registry)
            .collect();
        let errors_of = |code: Code| {
            report
                .summary
                .iter()
                .filter(|s| s.code == code && s.severity == Severity::Error)
                .map(|s| s.count)
                .sum::<u64>()
        };
        let failures = codes.iter().filter(|c| errors_of(c.code) > 0).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">",
            codes.len()
        );
        for info in codes {
            let case_title = match lang {
                Lang::Ja => info.title_ja,
                Lang::En => info.title_en,
            };
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{} {}\"",
                xml_escape(&report.layout),
                info.code,
                xml_escape(case_title)
            );
            let count = errors_of(info.code);
            if count == 0 {
                out.push_str("/>\n");
                continue;
            }
            let _ = writeln!(out, ">\n      <failure message=\"{} x{count}\">", info.code);
            let listed: Vec<&Diagnostic> = report
                .diagnostics
                .iter()
                .filter(|d| d.code == info.code && d.severity == Severity::Error)
                .collect();
            for d in &listed {
                let _ = write!(out, "line {}: {}", d.line, xml_escape(d.message(lang)));
                if let Some(value) = &d.value {
                    let _ = write!(out, " [{}]", xml_escape(value));
                }
                out.push('\n');
            }
            let more = count.saturating_sub(listed.len() as u64);
            if more > 0 {
                let _ = match lang {
                    Lang::Ja => writeln!(out, "（ほか{more}件）"),
                    Lang::En => writeln!(out, "({more} more)"),
                };
            }
            out.push_str("      </failure>\n    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// The code catalogue as Markdown (the content of `vrs-core/DIAGNOSTICS.md`).
pub fn catalogue_markdown() -> String {
    let mut out = String::from(
        "# Diagnostic codes / 診断コード一覧\n\n\
         Generated from `vrs_core::diag::catalogue()`; a test fails when this file and the code disagree\n\
         (regenerate with `UPDATE_GOLDEN=1 cargo test -p vrs-core catalogue`).\n\n\
         | Code | Severity | Scope | Reference rule | Title | 見出し |\n|---|---|---|---|---|---|\n",
    );
    for c in catalogue() {
        let scope = match c.scope {
            Scope::Row => "row",
            Scope::File => "file",
            Scope::Registry => "registry",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            c.code,
            c.severity,
            scope,
            c.reference_rule.unwrap_or("(own)"),
            c.title_en,
            c.title_ja
        );
    }
    for c in catalogue() {
        let _ = write!(
            out,
            "\n## {} — {} / {}\n\n\
             - **Severity**: {}\n\
             - **Why it matters**: {}\n\
             - **How to fix**: {}\n\
             - **なぜ問題か**: {}\n\
             - **直し方**: {}\n",
            c.code, c.title_en, c.title_ja, c.severity, c.why_en, c.fix_en, c.why_ja, c.fix_ja
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::ReportBuilder;

    fn sample_report() -> Report {
        let mut b = ReportBuilder::new(None);
        b.push(Diagnostic {
            code: Code::M01,
            severity: Severity::Error,
            line: 3,
            column: Some("1回目接種自治体コード".into()),
            column_en: Some("dose 1 municipality code".into()),
            field: Some(5),
            value: Some("131017".into()),
            message_ja: "検査数字は6であるべきところ7です".into(),
            message_en: "check digit should be 6, found 7 <&>".into(),
        });
        let mut r = b.finish("ledger-export", "1", Some("utf-8"), false, 2);
        r.file = Some("a.csv".into());
        r
    }

    #[test]
    fn json_has_the_documented_keys() {
        let v = sample_report().to_json_value(Lang::Ja);
        for key in [
            "layout",
            "encoding",
            "rows",
            "errors",
            "warnings",
            "truncated",
            "diagnostics",
            "summary",
        ] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        let d = &v["diagnostics"][0];
        assert_eq!(d["code"], "M01");
        assert_eq!(d["severity"], "error");
        assert_eq!(d["line"], 3);
        assert_eq!(d["column"], "1回目接種自治体コード");
        assert_eq!(d["message"], "検査数字は6であるべきところ7です");
        assert_eq!(v["summary"][0]["count"], 1);
    }

    #[test]
    fn text_and_junit_render() {
        let r = sample_report();
        let text = r.render_text(Lang::En);
        // The message names the column; the value follows it.
        assert!(
            text.starts_with(
                "a.csv:3: error M01 check digit should be 6, found 7 <&> [value: 131017]\n"
            ),
            "{text}"
        );
        let ja = r.render_text(Lang::Ja);
        assert!(
            ja.contains("エラー M01 検査数字は6であるべきところ7です［値：131017］"),
            "{ja}"
        );
        let xml = render_junit(&[r], Lang::En);
        assert!(xml.contains("<failure message=\"M01 x1\">"));
        assert!(xml.contains("&lt;&amp;&gt;"));
        assert!(!xml.contains("<&>"));
    }

    #[test]
    fn catalogue_file_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/DIAGNOSTICS.md");
        let generated = catalogue_markdown();
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(path, &generated).expect("write DIAGNOSTICS.md");
        }
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == generated,
            "vrs-core/DIAGNOSTICS.md is stale: run UPDATE_GOLDEN=1 cargo test -p vrs-core catalogue"
        );
    }
}
