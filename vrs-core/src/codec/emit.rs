//! Turns findings into [`Diagnostic`]s with both messages and a redacted value.

use crate::diag::{display_value, Code, Diagnostic, ReportBuilder, Severity};
use crate::layout::{Column, FieldType};

/// Collects diagnostics for one run.
#[derive(Debug)]
pub(crate) struct Emitter {
    pub(crate) builder: ReportBuilder,
    /// On a worker: diagnostics held for the thread that builds the report, in order.
    buffer: Option<Vec<Diagnostic>>,
}

impl Emitter {
    pub(crate) fn new(max: Option<usize>) -> Self {
        Emitter {
            builder: ReportBuilder::new(max),
            buffer: None,
        }
    }

    /// From now on, holds diagnostics in a buffer instead of the report.
    pub(crate) fn buffer(&mut self) {
        self.buffer.get_or_insert_with(Vec::new);
    }

    /// Number of diagnostics in the buffer.
    pub(crate) fn buffered(&self) -> usize {
        self.buffer.as_ref().map_or(0, Vec::len)
    }

    /// The buffered diagnostics; the buffer stays on, empty.
    pub(crate) fn take_buffer(&mut self) -> Vec<Diagnostic> {
        self.buffer.as_mut().map(std::mem::take).unwrap_or_default()
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        match self.buffer.as_mut() {
            Some(buffer) => buffer.push(diagnostic),
            None => self.builder.push(diagnostic),
        }
    }

    /// A finding about the file or a whole row.
    pub(crate) fn row(
        &mut self,
        code: Code,
        severity: Severity,
        line: u64,
        en: String,
        ja: String,
    ) {
        self.push(Diagnostic {
            code,
            severity,
            line,
            column: None,
            column_en: None,
            field: None,
            value: None,
            message_ja: ja,
            message_en: en,
        });
    }

    /// A finding about one field. `index` is 0-based; reports show it 1-based.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn field(
        &mut self,
        code: Code,
        severity: Severity,
        line: u64,
        column: &Column,
        index: usize,
        value: Option<&str>,
        en: &str,
        ja: &str,
    ) {
        let sensitive = column.ty == FieldType::MyNumber;
        self.push(Diagnostic {
            code,
            severity,
            line,
            column: Some(column.name_ja.clone()),
            column_en: Some(column.name_en.clone()),
            field: Some(index + 1),
            value: value
                .filter(|v| !v.is_empty())
                .map(|v| display_value(v, sensitive)),
            message_ja: format!("{}：{ja}", column.name_ja),
            message_en: format!("{}: {en}", column.name_en),
        });
    }

    /// A finding about column `col` of `columns` when given (and known), else about the row.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn at(
        &mut self,
        columns: &[Column],
        code: Code,
        severity: Severity,
        line: u64,
        col: Option<usize>,
        value: Option<&str>,
        en: &str,
        ja: &str,
    ) {
        match col.and_then(|i| columns.get(i).map(|c| (i, c))) {
            Some((i, column)) => self.field(code, severity, line, column, i, value, en, ja),
            None => self.row(code, severity, line, en.to_owned(), ja.to_owned()),
        }
    }
}
