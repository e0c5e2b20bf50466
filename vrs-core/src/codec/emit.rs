//! Turns findings into [`Diagnostic`]s with both messages and a redacted value, within the
//! run's limits: the report keeps the first diagnostics in full and counts the rest, and one
//! line repeats a finding for at most [`PER_LINE`] fields before the rest are folded into one.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::diag::{display_value, Code, Diagnostic, ReportBuilder, Severity};
use crate::layout::{Column, FieldType};

/// Fields of one line reported with the same code before the others are folded into one
/// diagnostic ("and N more fields"): a line where every field is wrong the same way says so
/// a few times, not fifty.
pub(crate) const PER_LINE: usize = 3;

/// Column names a folded diagnostic lists.
const FOLD_NAMES: usize = 6;

/// Receives every diagnostic as it is found, instead of the report keeping it.
pub(crate) type DiagnosticStream = Box<dyn FnMut(&Diagnostic) + Send>;

/// A finding held by a worker for the thread that builds the report, in order.
#[derive(Debug)]
pub(crate) enum Found {
    /// In full: it may still be among the diagnostics the report keeps.
    Kept(Diagnostic),
    /// Counted only: the report is full, or this job alone found more than the report keeps
    /// before it.
    Counted {
        code: Code,
        severity: Severity,
        line: u64,
    },
}

/// Findings of one line beyond [`PER_LINE`] fields with the same code.
#[derive(Debug)]
struct Fold {
    code: Code,
    severity: Severity,
    fields: usize,
    names_ja: Vec<String>,
    names_en: Vec<String>,
}

/// Collects diagnostics for one run.
pub(crate) struct Emitter {
    pub(crate) builder: ReportBuilder,
    /// Diagnostics the report keeps in full (`None`: all).
    max: Option<usize>,
    /// Set once the report holds `max` diagnostics; shared with the workers' emitters, which
    /// then only count what they find.
    full: Arc<AtomicBool>,
    /// On a worker: findings held for the thread that builds the report, in order.
    buffer: Option<Vec<Found>>,
    /// Findings in the buffer held in full.
    kept: usize,
    /// Streams every diagnostic instead of keeping it.
    stream: Option<DiagnosticStream>,
    /// The line being reported on, and how many fields of it each code was reported for.
    line: u64,
    per_line: Vec<(Code, usize)>,
    folds: Vec<Fold>,
}

impl std::fmt::Debug for Emitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emitter")
            .field("max", &self.max)
            .field("stored", &self.builder.stored())
            .field("buffered", &self.buffered())
            .field("streaming", &self.stream.is_some())
            .finish_non_exhaustive()
    }
}

impl Emitter {
    pub(crate) fn new(max: Option<usize>) -> Self {
        Emitter {
            builder: ReportBuilder::new(max),
            max,
            full: Arc::new(AtomicBool::new(max == Some(0))),
            buffer: None,
            kept: 0,
            stream: None,
            line: 0,
            per_line: Vec::new(),
            folds: Vec::new(),
        }
    }

    /// From now on, holds diagnostics in a buffer instead of the report; `report`: the emitter
    /// of the report they go to (whose fullness this one follows).
    pub(crate) fn buffer_for(&mut self, report: &Emitter) {
        self.full = Arc::clone(&report.full);
        self.max = report.max;
        self.buffer.get_or_insert_with(Vec::new);
    }

    /// Streams every diagnostic to `stream` as it is found; the report keeps none (but
    /// counts them all).
    pub(crate) fn stream_to(&mut self, stream: DiagnosticStream) {
        self.stream = Some(stream);
        self.max = None;
    }

    /// Number of findings in the buffer.
    pub(crate) fn buffered(&self) -> usize {
        self.buffer.as_ref().map_or(0, Vec::len)
    }

    /// The buffered findings; the buffer stays on, empty.
    pub(crate) fn take_buffer(&mut self) -> Vec<Found> {
        self.kept = 0;
        self.buffer.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Adds a finding a worker held (in file order).
    pub(crate) fn add(&mut self, found: Found) {
        match found {
            Found::Kept(d) => self.keep(d),
            Found::Counted {
                code,
                severity,
                line,
            } => self.builder.count(code, severity, line),
        }
    }

    /// Whether the next diagnostic is held in full (else only counted).
    fn keeps_next(&self) -> bool {
        if self.stream.is_some() {
            return true;
        }
        let Some(max) = self.max else { return true };
        match &self.buffer {
            // A job's findings after the first `max` cannot be among the first `max` of the
            // report; none can once the report is full.
            Some(_) => self.kept < max && !self.full.load(Ordering::Relaxed),
            None => self.builder.stored() < max,
        }
    }

    /// Adds a diagnostic built only if it is held in full.
    fn push(
        &mut self,
        code: Code,
        severity: Severity,
        line: u64,
        build: impl FnOnce() -> Diagnostic,
    ) {
        if !self.keeps_next() {
            let counted = Found::Counted {
                code,
                severity,
                line,
            };
            match self.buffer.as_mut() {
                Some(buffer) => buffer.push(counted),
                None => self.add(counted),
            }
            return;
        }
        let diagnostic = build();
        match self.buffer.as_mut() {
            Some(buffer) => {
                buffer.push(Found::Kept(diagnostic));
                self.kept += 1;
            }
            None => self.keep(diagnostic),
        }
    }

    /// Adds a diagnostic in full to the report (or the stream).
    fn keep(&mut self, diagnostic: Diagnostic) {
        match self.stream.as_mut() {
            Some(stream) => {
                stream(&diagnostic);
                self.builder
                    .count(diagnostic.code, diagnostic.severity, diagnostic.line);
            }
            None => {
                self.builder.push(diagnostic);
                if self.max.is_some_and(|max| self.builder.stored() >= max) {
                    self.full.store(true, Ordering::Relaxed);
                }
            }
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
        self.push(code, severity, line, || Diagnostic {
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
        if self.fold(code, severity, line, column) {
            return;
        }
        let sensitive = column.ty == FieldType::MyNumber;
        self.push(code, severity, line, || Diagnostic {
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

    /// Counts a field finding on its line; true when the line has had [`PER_LINE`] of this
    /// code already, and this one is folded (see [`end_row`](Self::end_row)).
    fn fold(&mut self, code: Code, severity: Severity, line: u64, column: &Column) -> bool {
        if line != self.line {
            self.line = line;
            self.per_line.clear();
        }
        let seen = match self.per_line.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                self.per_line.push((code, 1));
                1
            }
        };
        if seen <= PER_LINE {
            return false;
        }
        let fold = match self
            .folds
            .iter_mut()
            .position(|f| f.code == code && f.severity == severity)
        {
            Some(i) => &mut self.folds[i],
            None => {
                self.folds.push(Fold {
                    code,
                    severity,
                    fields: 0,
                    names_ja: Vec::new(),
                    names_en: Vec::new(),
                });
                let last = self.folds.len() - 1;
                &mut self.folds[last]
            }
        };
        fold.fields += 1;
        if fold.names_ja.len() < FOLD_NAMES {
            fold.names_ja.push(column.name_ja.clone());
            fold.names_en.push(column.name_en.clone());
        }
        true
    }

    /// Ends a row: the findings folded on its line become one diagnostic each.
    pub(crate) fn end_row(&mut self, line: u64) {
        self.per_line.clear();
        self.line = 0;
        for fold in std::mem::take(&mut self.folds) {
            let more = if fold.fields > fold.names_ja.len() {
                ("…", ", …")
            } else {
                ("", "")
            };
            let en = format!(
                "{} more fields of this line have the same finding ({}): {}{}",
                fold.fields,
                fold.code,
                fold.names_en.join(", "),
                more.1
            );
            let ja = format!(
                "この行の他の{}項目にも同じ指摘（{}）があります：{}{}",
                fold.fields,
                fold.code,
                fold.names_ja.join("、"),
                more.0
            );
            self.row(fold.code, fold.severity, line, en, ja);
        }
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
