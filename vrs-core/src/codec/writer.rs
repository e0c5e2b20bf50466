//! Writing exchange files: exact bytes (CRLF line ends, RFC 4180 quoting, strict encoding).

use std::io::Write;

use crate::diag::{Diagnostic, Report, Severity};
use crate::layout::Layout;
use crate::text::{self, Encoding, TextError, UTF8_BOM};

use super::engine::Engine;
use super::options::{ValidateOptions, WriteOptions};
use super::records::{LayoutRecord, RecordError};

/// Why a row or file could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The underlying writer failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The row has a different number of fields than the layout.
    #[error("row has {found} fields, layout {layout} has {expected}")]
    FieldCount {
        /// Layout ID.
        layout: String,
        /// Columns of the layout.
        expected: usize,
        /// Fields given.
        found: usize,
    },
    /// A value cannot be written in the chosen encoding (never substituted).
    #[error("column {column}: {source}")]
    Unencodable {
        /// Japanese column name.
        column: String,
        /// The encoding problem (names the character and its position).
        source: TextError,
    },
    /// A typed record does not fit the layout.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// The record belongs to another layout.
    #[error("a {record} record cannot be written to layout {layout}")]
    WrongLayout {
        /// The record's layout.
        record: &'static str,
        /// The writer's layout.
        layout: String,
    },
    /// No column has this ID.
    #[error("layout {layout} has no column {column:?}")]
    UnknownColumn {
        /// Layout ID.
        layout: String,
        /// The ID asked for.
        column: String,
    },
    /// The row breaks the layout's rules; nothing was written. The diagnostics say why.
    #[error("row not written: {}", .0.first().map_or("invalid", |d| d.message_en.as_str()))]
    Invalid(Vec<Diagnostic>),
}

impl WriteError {
    /// The message in Japanese.
    pub fn message_ja(&self) -> String {
        match self {
            WriteError::Io(e) => format!("入出力エラー：{e}"),
            WriteError::FieldCount {
                layout,
                expected,
                found,
            } => {
                format!("行の項目数が{found}です。レイアウト {layout} は{expected}項目です")
            }
            WriteError::Unencodable { column, source } => {
                format!("{column}：{}", source.message_ja())
            }
            WriteError::Record(e) => e.message_ja(),
            WriteError::WrongLayout { record, layout } => {
                format!("{record} のレコードはレイアウト {layout} に書けません")
            }
            WriteError::UnknownColumn { layout, column } => {
                format!("レイアウト {layout} に項目「{column}」はありません")
            }
            WriteError::Invalid(d) => format!(
                "行を書き込みませんでした：{}",
                d.first()
                    .map_or("不正な値があります", |d| d.message_ja.as_str())
            ),
        }
    }
}

fn needs_quotes(s: &str) -> bool {
    s.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

/// Appends one field, quoted when it holds `,` `"` CR or LF, inner quotes doubled.
fn push_field(out: &mut Vec<u8>, value: &str, encoding: Encoding) -> Result<(), TextError> {
    if !needs_quotes(value) {
        return text::encode_into(value, encoding, out);
    }
    out.push(b'"');
    for (i, part) in value.split('"').enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\"\"");
        }
        text::encode_into(part, encoding, out)?;
    }
    out.push(b'"');
    Ok(())
}

/// Writes rows of one layout as exact bytes: one header row of the Japanese column names
/// (unless disabled), CRLF after every row, RFC 4180 quoting, UTF-8 without BOM by default or
/// CP932. A character the encoding cannot hold is an error naming it, never a substitution.
///
/// The writer does not check values; [`CheckedWriter`] does.
///
/// ```
/// use vrs_core::codec::{CsvWriter, WriteOptions};
/// use vrs_core::layout::{self, LayoutParams};
///
/// let layout = layout::find("batch-inquiry-request", &LayoutParams::default()).unwrap();
/// let mut w = CsvWriter::new(Vec::new(), layout, WriteOptions::default()).unwrap();
/// w.write_fields(&["123456789018", "A,1"]).unwrap();
/// let bytes = w.finish().unwrap();
/// assert_eq!(bytes, "個人番号,宛名番号\r\n123456789018,\"A,1\"\r\n".as_bytes());
/// ```
#[derive(Debug)]
pub struct CsvWriter<W: Write> {
    out: W,
    layout: Layout,
    options: WriteOptions,
    line: Vec<u8>,
    rows: u64,
}

impl<W: Write> CsvWriter<W> {
    /// Starts a file: writes the BOM (if asked, UTF-8 only) and the header row.
    ///
    /// # Errors
    /// I/O errors, or a column name the encoding cannot hold.
    pub fn new(out: W, layout: Layout, options: WriteOptions) -> Result<Self, WriteError> {
        let mut w = CsvWriter {
            out,
            layout,
            options,
            line: Vec::with_capacity(1024),
            rows: 0,
        };
        if options.bom && options.encoding == Encoding::Utf8 {
            w.out.write_all(&UTF8_BOM)?;
        }
        if options.header {
            let header: Vec<String> = w.layout.columns.iter().map(|c| c.name_ja.clone()).collect();
            w.write_line(&header)?;
            w.rows = 0;
        }
        Ok(w)
    }

    /// The layout being written.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Data rows written.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Encodes one row into the line buffer (nothing written yet).
    fn encode_line<S: AsRef<str>>(&mut self, fields: &[S]) -> Result<(), WriteError> {
        if fields.len() != self.layout.columns.len() {
            return Err(WriteError::FieldCount {
                layout: self.layout.qualified_id(),
                expected: self.layout.columns.len(),
                found: fields.len(),
            });
        }
        self.line.clear();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.line.push(b',');
            }
            push_field(&mut self.line, f.as_ref(), self.options.encoding).map_err(|source| {
                WriteError::Unencodable {
                    column: self
                        .layout
                        .columns
                        .get(i)
                        .map(|c| c.name_ja.clone())
                        .unwrap_or_default(),
                    source,
                }
            })?;
        }
        self.line.extend_from_slice(b"\r\n");
        Ok(())
    }

    /// Writes the encoded line.
    fn write_encoded(&mut self) -> Result<(), WriteError> {
        self.out.write_all(&self.line)?;
        self.rows += 1;
        Ok(())
    }

    fn write_line<S: AsRef<str>>(&mut self, fields: &[S]) -> Result<(), WriteError> {
        self.encode_line(fields)?;
        self.write_encoded()
    }

    /// Writes one row given as strings in column order. Nothing is written on error.
    ///
    /// # Errors
    /// Wrong field count, an unencodable character, or I/O.
    pub fn write_fields<S: AsRef<str>>(&mut self, fields: &[S]) -> Result<(), WriteError> {
        self.write_line(fields)
    }

    /// Writes one typed record.
    ///
    /// # Errors
    /// A record of another layout, one that does not fit (more doses than blocks), an
    /// unencodable character, or I/O.
    pub fn write_record<R: LayoutRecord>(&mut self, record: &R) -> Result<(), WriteError> {
        if R::LAYOUT != self.layout.id {
            return Err(WriteError::WrongLayout {
                record: R::LAYOUT,
                layout: self.layout.qualified_id(),
            });
        }
        let fields = record.to_fields(&self.layout)?;
        self.write_line(&fields)
    }

    /// Flushes and returns the underlying writer.
    ///
    /// # Errors
    /// I/O errors on flush.
    pub fn finish(mut self) -> Result<W, WriteError> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// A writer that checks every row with the validator's rules before writing it.
///
/// Set fields of the current row by column ID, then [`end_row`](Self::end_row): a row with an
/// error is not written and its diagnostics are returned; warnings are returned and the row is
/// written. Cross-row rules (V02, N03, S03...) apply across the rows written.
///
/// ```
/// use vrs_core::codec::{CheckedWriter, ValidateOptions, WriteOptions};
/// use vrs_core::layout::{self, LayoutParams};
///
/// let layout = layout::find("batch-inquiry-request", &LayoutParams::default()).unwrap();
/// let mut w = CheckedWriter::new(Vec::new(), layout, WriteOptions::default(), ValidateOptions::default()).unwrap();
/// w.set("my_number", "123456789019").unwrap();
/// w.set("addressee_number", "1001").unwrap();
/// let err = w.end_row().unwrap_err();
/// assert!(err.to_string().contains("check digit should be 8"));
/// w.set("my_number", "123456789018").unwrap();
/// w.set("addressee_number", "1001").unwrap();
/// assert!(w.end_row().unwrap().is_empty());
/// let (bytes, report) = w.finish().unwrap();
/// assert_eq!(report.rows, 2);
/// assert!(bytes.ends_with(b"123456789018,1001\r\n"));
/// ```
#[derive(Debug)]
pub struct CheckedWriter<W: Write> {
    writer: CsvWriter<W>,
    engine: Engine,
    current: Vec<String>,
    line: u64,
}

impl<W: Write> CheckedWriter<W> {
    /// Starts a checked file (writes the header if asked).
    ///
    /// # Errors
    /// As [`CsvWriter::new`].
    pub fn new(
        out: W,
        layout: Layout,
        write: WriteOptions,
        mut check: ValidateOptions,
    ) -> Result<Self, WriteError> {
        check.header = false;
        check.max_diagnostics = None;
        let columns = layout.columns.len();
        let mut engine = Engine::new(layout.clone(), check);
        engine.forget_rejected_rows();
        let writer = CsvWriter::new(out, layout, write)?;
        let line = if write.header { 1 } else { 0 };
        Ok(CheckedWriter {
            writer,
            engine,
            current: vec![String::new(); columns],
            line,
        })
    }

    /// Sets a field of the current row by column ID (e.g. `dose1_vaccinated_on`).
    ///
    /// # Errors
    /// [`WriteError::UnknownColumn`].
    pub fn set(&mut self, column_id: &str, value: &str) -> Result<(), WriteError> {
        let i = self.writer.layout.column_index(column_id).ok_or_else(|| {
            WriteError::UnknownColumn {
                layout: self.writer.layout.qualified_id(),
                column: column_id.to_owned(),
            }
        })?;
        value.clone_into(&mut self.current[i]);
        Ok(())
    }

    /// Checks and writes the current row, then clears it. Returns the row's warnings.
    ///
    /// # Errors
    /// [`WriteError::Invalid`] with the diagnostics when the row has an error (nothing written),
    /// or an encoding/I/O error.
    pub fn end_row(&mut self) -> Result<Vec<Diagnostic>, WriteError> {
        let line = self.line + 1;
        let result = self.check_and_write(line);
        for f in &mut self.current {
            f.clear();
        }
        result
    }

    /// Checks and writes a typed record, as [`end_row`](Self::end_row) does with fields set
    /// one by one (fields already set for the current row are replaced).
    ///
    /// # Errors
    /// As [`CsvWriter::write_record`], and [`WriteError::Invalid`] as for `end_row`.
    pub fn write_record<R: LayoutRecord>(
        &mut self,
        record: &R,
    ) -> Result<Vec<Diagnostic>, WriteError> {
        if R::LAYOUT != self.writer.layout.id {
            return Err(WriteError::WrongLayout {
                record: R::LAYOUT,
                layout: self.writer.layout.qualified_id(),
            });
        }
        let expected = self.writer.layout.columns.len();
        let filled = record.fill_fields(&self.writer.layout, &mut self.current);
        let found = self.current.len();
        if filled.is_err() || found != expected {
            // The row is not written; the next starts from empty fields.
            self.current.clear();
            self.current.resize_with(expected, String::new);
        }
        filled?;
        if found != expected {
            return Err(WriteError::FieldCount {
                layout: self.writer.layout.qualified_id(),
                expected,
                found,
            });
        }
        self.end_row()
    }

    fn check_and_write(&mut self, line: u64) -> Result<Vec<Diagnostic>, WriteError> {
        // Encode first: a value the encoding cannot hold rejects the row before any rule sees it.
        self.writer.encode_line(&self.current)?;
        let before = self.engine.emit.builder.stored();
        {
            let values: Vec<&str> = self.current.iter().map(String::as_str).collect();
            // Every value is decoded text on one line: the engine's defaults for `ok` and field lines.
            self.engine.row(&values, &[], line, &[], false);
        }
        let found = self.engine.emit.builder.stored_since(before).to_vec();
        if found.iter().any(|d| d.severity == Severity::Error) {
            return Err(WriteError::Invalid(found));
        }
        self.writer.write_encoded()?;
        self.line = line;
        Ok(found)
    }

    /// Flushes; returns the writer and a report of everything found while writing.
    ///
    /// # Errors
    /// I/O errors on flush.
    pub fn finish(self) -> Result<(W, Report), WriteError> {
        let encoding = self.writer.options.encoding.name();
        let out = self.writer.finish()?;
        Ok((out, self.engine.finish(Some(encoding), false)))
    }
}
