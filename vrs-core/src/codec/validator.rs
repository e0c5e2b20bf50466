//! The streaming validator: bytes in (pushed in chunks, or pulled from any `Read`), a
//! [`Report`] out, in constant memory for row rules.

use std::io::Read;

use crate::diag::{Code, Report, Severity};
use crate::layout::Layout;
use crate::text::{self, Encoding, EncodingChoice, UTF8_BOM};

use super::csv::{CsvProblem, Record, RecordParser};
use super::engine::Engine;
use super::options::ValidateOptions;

/// Most fields a record may have before it counts as oversized (F06).
const MAX_FIELDS: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EncodingState {
    /// Not yet known: everything so far was ASCII.
    Undecided,
    /// Fixed by the caller, by a BOM, or by the first record holding non-ASCII bytes.
    Known(Encoding),
}

/// Decodes records and hands them to the engine.
#[derive(Debug)]
struct RecordSink {
    engine: Engine,
    encoding: EncodingState,
    /// Set when the caller fixed the encoding; auto-detection never overrides it.
    fixed: bool,
    text: String,
    ranges: Vec<(usize, usize)>,
    ok: Vec<bool>,
    lines: Vec<u64>,
}

impl RecordSink {
    fn decode_error(&mut self, line: u64, field: usize, bytes: &[u8], encoding: Encoding) {
        let other = match encoding {
            Encoding::Utf8 => Encoding::Cp932,
            Encoding::Cp932 => Encoding::Utf8,
        };
        let offset = match text::decode_strict(bytes, encoding) {
            Err(text::TextError::InvalidBytes { offset, .. }) => offset,
            _ => 0,
        };
        let column = self.engine.layout.columns.get(field);
        let (en, ja) = if text::decode_strict(bytes, other).is_ok() && !self.fixed {
            (
                format!("bytes of {other} in a file read as {encoding} (mixed encodings)"),
                format!("{encoding} として読んでいるファイルに {other} のバイト列があります（文字コードの混在）"),
            )
        } else {
            (
                format!(
                    "invalid {encoding} bytes at byte {} of the field",
                    offset + 1
                ),
                format!(
                    "項目の{}バイト目に {encoding} として不正なバイト列があります",
                    offset + 1
                ),
            )
        };
        match column {
            Some(c) => {
                let c = c.clone();
                self.engine
                    .emit
                    .field(Code::F01, Severity::Error, line, &c, field, None, &en, &ja);
            }
            None => self
                .engine
                .emit
                .row(Code::F01, Severity::Error, line, en, ja),
        }
    }

    fn mixed_utf8(&mut self, line: u64, field: usize) {
        let en = "UTF-8 text in a file read as cp932 (mixed encodings)";
        let ja = "CP932 として読んでいるファイルに UTF-8 の文字列があります（文字コードの混在）";
        match self.engine.layout.columns.get(field).cloned() {
            Some(c) => {
                self.engine
                    .emit
                    .field(Code::F01, Severity::Error, line, &c, field, None, en, ja)
            }
            None => self
                .engine
                .emit
                .row(Code::F01, Severity::Error, line, en.into(), ja.into()),
        }
    }

    fn record(&mut self, r: &Record<'_>) {
        if r.is_blank() {
            if !self.engine.expects_header() {
                self.engine.emit.row(
                    Code::F03,
                    Severity::Warning,
                    r.line,
                    "empty line ignored".into(),
                    "空行を無視しました".into(),
                );
            }
            return;
        }
        if r.oversized {
            let max = self.engine.opts.max_record_bytes;
            self.engine.emit.row(
                Code::F06,
                Severity::Error,
                r.line,
                format!("record larger than {max} bytes or {MAX_FIELDS} fields; skipped"),
                format!("1行が{max}バイトまたは{MAX_FIELDS}項目を超えるため読み飛ばしました"),
            );
            if self.engine.expects_header() {
                self.engine.header(&[], r.line);
            }
            return;
        }
        for p in r.problems {
            let (field, en, ja) = match *p {
                CsvProblem::QuoteInUnquoted(f) => (
                    f,
                    "quote character inside an unquoted field",
                    "引用符で囲まれていない項目に引用符があります",
                ),
                CsvProblem::TextAfterQuote(f) => (
                    f,
                    "text after the closing quote",
                    "閉じ引用符の後に文字があります",
                ),
                CsvProblem::LineBreakInQuotes(f) => (
                    f,
                    "line break inside a quoted field",
                    "引用符で囲まれた項目に改行があります",
                ),
                CsvProblem::UnterminatedQuote(f) => (
                    f,
                    "quote opened here is never closed (end of file)",
                    "ここで開いた引用符が閉じられないままファイルが終わっています",
                ),
            };
            let line = r.field_line(field);
            match self.engine.layout.columns.get(field).cloned() {
                Some(c) => self.engine.emit.field(
                    Code::F04,
                    Severity::Error,
                    line,
                    &c,
                    field,
                    None,
                    en,
                    ja,
                ),
                None => {
                    self.engine
                        .emit
                        .row(Code::F04, Severity::Error, line, en.into(), ja.into())
                }
            }
        }
        if r.non_ascii && self.encoding == EncodingState::Undecided {
            // The first record with non-ASCII bytes decides, decoding the whole record strictly.
            if std::str::from_utf8(r.bytes()).is_ok() {
                self.encoding = EncodingState::Known(Encoding::Utf8);
            } else if text::decode_strict(r.bytes(), Encoding::Cp932).is_ok() {
                self.encoding = EncodingState::Known(Encoding::Cp932);
            }
        }
        let encoding = match self.encoding {
            EncodingState::Known(e) => e,
            EncodingState::Undecided => Encoding::Utf8,
        };
        self.lines.clear();
        if r.spans_lines() {
            self.lines.extend((0..r.len()).map(|i| r.field_line(i)));
        }
        // Fast path: a record that is valid UTF-8 as a whole (every ASCII record, every record of
        // a UTF-8 file) is sliced in place: delimiters are ASCII, so field boundaries are char
        // boundaries.
        if !r.non_ascii || encoding == Encoding::Utf8 {
            if let Ok(all) = simdutf8::basic::from_utf8(r.bytes()) {
                // Fields of a quoted record are stored back to back, so a character could be
                // valid only across a field boundary: then a slice fails and the per-field path
                // below reports the field.
                let values: Option<Vec<&str>> =
                    (0..r.len()).map(|i| all.get(r.field_range(i))).collect();
                if let Some(values) = values {
                    self.dispatch(&values, &[], r.line);
                    return;
                }
            }
        }
        self.text.clear();
        self.ranges.clear();
        self.ok.clear();
        for i in 0..r.len() {
            let bytes = r.field(i);
            let start = self.text.len();
            let decoded = if bytes.is_ascii() || encoding == Encoding::Utf8 {
                std::str::from_utf8(bytes)
                    .map(|s| self.text.push_str(s))
                    .is_ok()
            } else if std::str::from_utf8(bytes).is_ok() {
                // Japanese text in CP932 is practically never valid UTF-8 (its lead bytes are UTF-8
                // continuation bytes), while UTF-8 often happens to decode as CP932 mojibake: a
                // non-ASCII field that is valid UTF-8 in a CP932 file is a mixed encoding.
                self.mixed_utf8(r.field_line(i), i);
                false
            } else {
                match text::decode_strict(bytes, encoding) {
                    Ok(s) => {
                        self.text.push_str(&s);
                        true
                    }
                    Err(_) => {
                        self.decode_error(r.field_line(i), i, bytes, encoding);
                        false
                    }
                }
            };
            if !decoded && encoding == Encoding::Utf8 {
                self.decode_error(r.field_line(i), i, bytes, encoding);
            }
            self.ranges.push((start, self.text.len()));
            self.ok.push(decoded);
        }
        let text = std::mem::take(&mut self.text);
        let ok = std::mem::take(&mut self.ok);
        let values: Vec<&str> = self
            .ranges
            .iter()
            .map(|&(a, b)| text.get(a..b).unwrap_or(""))
            .collect();
        self.dispatch(&values, &ok, r.line);
        self.text = text;
        self.ok = ok;
    }

    fn dispatch(&mut self, values: &[&str], ok: &[bool], line: u64) {
        if self.engine.expects_header() {
            self.engine.header(values, line);
        } else {
            self.engine.row(values, ok, line, &self.lines);
        }
    }
}

/// A streaming validator for one file of one layout.
///
/// Push bytes in chunks of any size with [`feed`](Self::feed), then call
/// [`finish`](Self::finish). Memory stays bounded by the largest record (capped by
/// [`ValidateOptions::max_record_bytes`]) plus the compact keys of cross-row rules.
///
/// With [`EncodingChoice::Auto`], a leading UTF-8 BOM means UTF-8; otherwise the first record
/// holding non-ASCII bytes decides (UTF-8 if it decodes strictly as UTF-8, else CP932), and every
/// later record is decoded strictly with that encoding, so a file switching encodings midway
/// gets F01 "mixed encodings" on each line that does not fit. [`validate_bytes`] and the command
/// line decide by a strict decode of the whole file before validating instead.
///
/// ```
/// use vrs_core::codec::{ValidateOptions, Validator};
/// use vrs_core::layout::{self, LayoutParams};
///
/// let layout = layout::find("batch-inquiry-request", &LayoutParams::default()).unwrap();
/// let mut v = Validator::new(layout, ValidateOptions::default());
/// v.feed("個人番号,宛名番号\r\n1234567890".as_bytes());
/// v.feed(b"18,1001\r\n123456789019,1002\r\n");
/// let report = v.finish();
/// assert_eq!(report.rows, 2);
/// assert_eq!(report.errors, 1); // line 3: check digit
/// assert_eq!(report.diagnostics[0].line, 3);
/// assert_eq!(report.diagnostics[0].code.as_str(), "N01");
/// assert_eq!(report.diagnostics[0].value.as_deref(), Some("<redacted>"));
/// ```
#[derive(Debug)]
pub struct Validator {
    parser: RecordParser,
    sink: RecordSink,
    /// Bytes held back at the very start until we know whether they are a BOM.
    prefix: Vec<u8>,
    started: bool,
    bom: bool,
}

impl Validator {
    /// A validator for `layout` with `options`.
    pub fn new(layout: Layout, options: ValidateOptions) -> Self {
        let (encoding, fixed) = match options.encoding {
            EncodingChoice::Auto => (EncodingState::Undecided, false),
            EncodingChoice::Utf8 => (EncodingState::Known(Encoding::Utf8), true),
            EncodingChoice::Cp932 => (EncodingState::Known(Encoding::Cp932), true),
        };
        let parser = RecordParser::new(options.max_record_bytes, MAX_FIELDS);
        Validator {
            parser,
            sink: RecordSink {
                engine: Engine::new(layout, options),
                encoding,
                fixed,
                text: String::new(),
                ranges: Vec::new(),
                ok: Vec::new(),
                lines: Vec::new(),
            },
            prefix: Vec::new(),
            started: false,
            bom: false,
        }
    }

    /// Feeds the next chunk of the file.
    pub fn feed(&mut self, data: &[u8]) {
        if self.started {
            let sink = &mut self.sink;
            self.parser.feed(data, &mut |r| sink.record(r));
            return;
        }
        self.prefix.extend_from_slice(data);
        if self.prefix.len() >= UTF8_BOM.len() || !UTF8_BOM.starts_with(&self.prefix) {
            self.start();
        }
    }

    fn start(&mut self) {
        self.started = true;
        let prefix = std::mem::take(&mut self.prefix);
        let body = match prefix.strip_prefix(&UTF8_BOM[..]) {
            Some(rest) => {
                self.bom = true;
                match self.sink.encoding {
                    EncodingState::Known(Encoding::Cp932) => self.sink.engine.emit.row(
                        Code::F01,
                        Severity::Error,
                        1,
                        "the file starts with a UTF-8 byte-order mark but was declared cp932"
                            .into(),
                        "CP932 と指定されたファイルの先頭に UTF-8 の BOM があります".into(),
                    ),
                    _ => self.sink.encoding = EncodingState::Known(Encoding::Utf8),
                }
                rest
            }
            None => &prefix[..],
        };
        let sink = &mut self.sink;
        self.parser.feed(body, &mut |r| sink.record(r));
    }

    /// Data rows seen so far.
    pub fn rows(&self) -> u64 {
        self.sink.engine.rows()
    }

    /// Errors found so far.
    pub fn error_count(&self) -> u64 {
        self.sink.engine.error_count()
    }

    /// Ends the file and returns the report.
    pub fn finish(mut self) -> Report {
        if !self.started {
            self.start();
        }
        let sink = &mut self.sink;
        self.parser.finish(&mut |r| sink.record(r));
        // A file with no non-ASCII byte is valid in both encodings; report it as UTF-8.
        let encoding = match self.sink.encoding {
            EncodingState::Known(e) => e.name(),
            EncodingState::Undecided => Encoding::Utf8.name(),
        };
        self.sink.engine.finish(Some(encoding), self.bom)
    }
}

/// Validates everything `reader` yields, in chunks of 256 KiB.
///
/// # Errors
/// Only I/O errors of the reader; problems in the content are diagnostics in the report.
pub fn validate_reader<R: Read>(
    mut reader: R,
    layout: Layout,
    options: ValidateOptions,
) -> std::io::Result<Report> {
    let mut v = Validator::new(layout, options);
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => v.feed(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(v.finish())
}

/// Validates a whole file held in memory. With [`EncodingChoice::Auto`] the encoding is first
/// decided by a strict decode of all bytes ([`text::detect`]); when neither UTF-8 nor CP932 fits,
/// the encoding that got further is used and the offending lines get F01.
pub fn validate_bytes(bytes: &[u8], layout: Layout, mut options: ValidateOptions) -> Report {
    if options.encoding == EncodingChoice::Auto {
        options.encoding = match text::detect(bytes) {
            Ok(d) => EncodingChoice::from(d.encoding),
            Err(text::TextError::NotUtf8NorCp932 {
                utf8_offset,
                cp932_offset,
            }) if cp932_offset > utf8_offset => EncodingChoice::Cp932,
            Err(_) => EncodingChoice::Utf8,
        };
    }
    let mut v = Validator::new(layout, options);
    v.feed(bytes);
    v.finish()
}
