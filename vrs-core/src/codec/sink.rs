//! Turns parsed records into decoded rows for the engine: encoding detection, decoding
//! (strict, per field when needed), structural CSV findings (F01, F03, F04, F06).

use crate::diag::{Code, Severity};
use crate::layout::Layout;
use crate::text::{self, Encoding, EncodingChoice};

use super::csv::{simple_record, split_simple_text, CsvProblem, Record};
use super::engine::Engine;
use super::options::ValidateOptions;

/// Most fields a record may have before it counts as oversized (F06).
pub(crate) const MAX_FIELDS: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum EncodingState {
    /// Not yet known: everything so far was ASCII.
    #[default]
    Undecided,
    /// Fixed by the caller, by a BOM, or by the first record holding non-ASCII bytes.
    Known(Encoding),
}

impl EncodingState {
    /// The encoding to decode with: UTF-8 while undecided (the bytes so far are ASCII, valid
    /// in both).
    pub(crate) fn or_utf8(self) -> Encoding {
        match self {
            EncodingState::Known(e) => e,
            EncodingState::Undecided => Encoding::Utf8,
        }
    }
}

/// Decodes records and hands them to the engine.
#[derive(Debug)]
pub(crate) struct RecordSink {
    pub(crate) engine: Engine,
    pub(crate) encoding: EncodingState,
    /// Set when the caller fixed the encoding; auto-detection never overrides it.
    fixed: bool,
    text: String,
    ranges: Vec<(usize, usize)>,
    ok: Vec<bool>,
    lines: Vec<u64>,
    /// The allocation behind each record's list of field values, kept from record to record.
    values: Vec<&'static str>,
}

/// Empties `v` and hands its allocation over for slices of another lifetime (the standard
/// library collects `into_iter().filter(..).map(..)` in place when the element layouts match), so
/// the per-record list of field values is allocated once per file, not once per record.
fn recycle<'b>(mut v: Vec<&'_ str>) -> Vec<&'b str> {
    v.clear();
    v.into_iter().filter(|_| false).map(|_| "").collect()
}

impl RecordSink {
    /// A sink for `layout` with `options`.
    pub(crate) fn new(layout: Layout, options: ValidateOptions) -> Self {
        let (encoding, fixed) = match options.encoding {
            EncodingChoice::Auto => (EncodingState::Undecided, false),
            EncodingChoice::Utf8 => (EncodingState::Known(Encoding::Utf8), true),
            EncodingChoice::Cp932 => (EncodingState::Known(Encoding::Cp932), true),
        };
        RecordSink {
            engine: Engine::new(layout, options),
            encoding,
            fixed,
            text: String::new(),
            ranges: Vec::new(),
            ok: Vec::new(),
            lines: Vec::new(),
            values: Vec::new(),
        }
    }

    /// A sink for a worker thread: same layout and options (and the same My Number blinding,
    /// so keys agree), its engine deferring cross-row rules to this one's.
    pub(crate) fn worker(&self) -> Self {
        let mut sink = RecordSink::new(self.engine.layout.clone(), self.engine.opts.clone());
        sink.fixed = self.fixed;
        sink.engine.share_blinding(&self.engine);
        sink.engine.defer_cross_rules();
        sink
    }

    /// Settles the encoding the way [`record`](Self::record) would for `r`, without checking it
    /// (the records that follow are then checked elsewhere, tagged with it).
    pub(crate) fn decide_encoding(&mut self, r: &Record<'_>) -> EncodingState {
        if !r.is_blank() && !r.oversized {
            self.decide(r);
        }
        self.encoding
    }

    fn decide(&mut self, r: &Record<'_>) {
        if r.non_ascii && self.encoding == EncodingState::Undecided {
            // The first record with non-ASCII bytes decides, decoding each of its fields
            // strictly. Field by field, not `r.bytes()` whole: those bytes hold the delimiters
            // on one parser path and not on the other (a line split across fed chunks), and
            // two fields run together can decode where the line does not (`…\x89,\xe5…`).
            let fields = || (0..r.len()).map(|i| r.field(i));
            if fields().all(|f| std::str::from_utf8(f).is_ok()) {
                self.encoding = EncodingState::Known(Encoding::Utf8);
            } else if fields().all(|f| text::decode_strict(f, Encoding::Cp932).is_ok()) {
                self.encoding = EncodingState::Known(Encoding::Cp932);
            }
        }
    }

    fn decode_error(&mut self, line: u64, field: usize, bytes: &[u8], encoding: Encoding) {
        let other = match encoding {
            Encoding::Utf8 => Encoding::Cp932,
            Encoding::Cp932 => Encoding::Utf8,
        };
        let offset = match text::decode_strict(bytes, encoding) {
            Err(text::TextError::InvalidBytes { offset, .. }) => offset,
            _ => 0,
        };
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
        self.field_error(Code::F01, line, field, &en, &ja);
    }

    fn mixed_utf8(&mut self, line: u64, field: usize) {
        let en = "UTF-8 text in a file read as cp932 (mixed encodings)";
        let ja = "CP932 として読んでいるファイルに UTF-8 の文字列があります（文字コードの混在）";
        self.field_error(Code::F01, line, field, en, ja);
    }

    /// An error about field `field` (about the row when the layout has no such column).
    fn field_error(&mut self, code: Code, line: u64, field: usize, en: &str, ja: &str) {
        let engine = &mut self.engine;
        let columns = &engine.layout.columns;
        engine.emit.at(
            columns,
            code,
            Severity::Error,
            line,
            Some(field),
            None,
            en,
            ja,
        );
    }

    pub(crate) fn record(&mut self, r: &Record<'_>) {
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
            self.field_error(Code::F04, r.field_line(field), field, en, ja);
        }
        self.decide(r);
        let encoding = self.encoding.or_utf8();
        r.field_lines_into(&mut self.lines);
        // Fast path: a record that is valid UTF-8 as a whole (every ASCII record, every record of
        // a UTF-8 file) is sliced in place: delimiters are ASCII, so field boundaries are char
        // boundaries.
        if !r.non_ascii || encoding == Encoding::Utf8 {
            if let Ok(all) = simdutf8::basic::from_utf8(r.bytes()) {
                // Fields of a quoted record are stored back to back, so a character could be
                // valid only across a field boundary: then a slice fails and the per-field path
                // below reports the field.
                let mut values = recycle(std::mem::take(&mut self.values));
                values.extend((0..r.len()).map_while(|i| all.get(r.field_range(i))));
                let sliced = values.len() == r.len();
                if sliced {
                    // One scan of the whole record instead of one per field: a control
                    // character is rare, and where there is one the fields are scanned.
                    let no_controls = !super::bytes::holds_control(all);
                    self.dispatch(&values, &[], r.line, no_controls);
                }
                self.values = recycle(values);
                if sliced {
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
        let mut values = recycle(std::mem::take(&mut self.values));
        values.extend(
            self.ranges
                .iter()
                .map(|&(a, b)| text.get(a..b).unwrap_or("")),
        );
        self.dispatch(&values, &ok, r.line, false);
        self.values = recycle(values);
        self.text = text;
        self.ok = ok;
    }

    /// A simple line of a UTF-8 run, as text (see [`super::csv::for_each_simple_text_line`]):
    /// split and scanned for control characters in one pass, then checked. The same as
    /// [`record`](Self::record) on the line's record; blank and oversized lines (rare) take
    /// that path. `bounds`: scratch for it.
    pub(crate) fn simple_text_line(
        &mut self,
        line: &str,
        line_no: u64,
        limits: (usize, usize),
        bounds: &mut Vec<(usize, usize)>,
    ) {
        let mut values = recycle(std::mem::take(&mut self.values));
        let Some(scan) = split_simple_text(line, &mut values, limits) else {
            self.values = recycle(values);
            let record = simple_record(line.as_bytes(), line_no, bounds, limits);
            self.record(&record);
            return;
        };
        // A simple line has all its fields on its own line.
        self.lines.clear();
        let controls = scan.c0_or_del || (scan.non_ascii && super::bytes::c1_or_bom(line));
        let no_controls = !controls;
        self.dispatch(&values, &[], line_no, no_controls);
        self.values = recycle(values);
    }

    fn dispatch(&mut self, values: &[&str], ok: &[bool], line: u64, no_controls: bool) {
        if self.engine.expects_header() {
            self.engine.header(values, line);
        } else {
            self.engine.row(values, ok, line, &self.lines, no_controls);
        }
    }
}
