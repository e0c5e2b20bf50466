//! Turns parsed records into decoded rows for the engine: decoding (strict, per field when
//! needed) with the encoding the validator decided, structural CSV findings (F01, F03, F04,
//! F06) and signs of mixed encodings (F07).

use crate::diag::{Code, Severity};
use crate::layout::Layout;
use crate::text::{self, Encoding};

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
    /// Decided (see [`super::decide`]).
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
        RecordSink {
            engine: Engine::new(layout, options),
            encoding: EncodingState::Undecided,
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
        sink.engine.defer_cross_rules(&self.engine);
        sink
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
        let (en, ja) = if text::decode_strict(bytes, other).is_ok() {
            (
                format!(
                    "not valid {} at byte {} of the field, which reads as {}: the file mixes encodings",
                    encoding.label(),
                    offset + 1,
                    other.label()
                ),
                format!(
                    "項目の{}バイト目が {} として不正です。この項目は {} として読めるため、文字コードが混在しています",
                    offset + 1,
                    encoding.label(),
                    other.label()
                ),
            )
        } else {
            (
                format!(
                    "invalid {} bytes at byte {} of the field",
                    encoding.label(),
                    offset + 1
                ),
                format!(
                    "項目の{}バイト目に {} として不正なバイト列があります",
                    offset + 1,
                    encoding.label()
                ),
            )
        };
        self.field_error(Code::F01, line, field, &en, &ja);
    }

    /// F07: a field of a CP932 file whose bytes also read as UTF-8 Japanese text (most likely
    /// a UTF-8 field in a CP932 file). CP932 text is rarely valid UTF-8 at all, and when it is
    /// (half-width kana such as ﾅｶ, some kanji pairs) it reads as Latin, Greek or Hangul
    /// letters, not as Japanese; so only a Japanese reading is worth a warning.
    fn mixed_evidence(&mut self, line: u64, field: usize, bytes: &[u8], cp932: &str) {
        let Ok(utf8) = std::str::from_utf8(bytes) else {
            return;
        };
        let japanese = utf8.chars().filter(|c| is_japanese(*c)).count();
        if japanese == 0 || utf8.chars().any(|c| !c.is_ascii() && !is_japanese(c)) {
            return;
        }
        let column = self.engine.layout.columns.get(field);
        let sensitive = column.is_some_and(|c| c.ty == crate::layout::FieldType::MyNumber);
        let as_utf8 = crate::diag::display_value(utf8, sensitive);
        let as_cp932 = crate::diag::display_value(cp932, sensitive);
        let (likely_en, likely_ja) = if japanese >= 2 {
            ("probably", "おそらく")
        } else {
            ("possibly", "もしかすると")
        };
        let en = format!(
            "valid CP932 (reads \"{as_cp932}\"), but its bytes also read as UTF-8 Japanese \"{as_utf8}\": {likely_en} a UTF-8 field in a CP932 file ({japanese} Japanese characters; CP932 text rarely reads as Japanese in UTF-8)"
        );
        let ja = format!(
            "CP932 として正しく「{as_cp932}」と読めますが、同じバイト列が UTF-8 では日本語「{as_utf8}」と読めます。{likely_ja} CP932 のファイルに UTF-8 の項目が混ざっています（UTF-8 として日本語{japanese}文字。CP932 の文字列が偶然 UTF-8 の日本語として読めることはまれです）"
        );
        let engine = &mut self.engine;
        engine.emit.at(
            &engine.layout.columns,
            Code::F07,
            Severity::Warning,
            line,
            Some(field),
            None,
            &en,
            &ja,
        );
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
                let decoded = std::str::from_utf8(bytes)
                    .map(|s| self.text.push_str(s))
                    .is_ok();
                if !decoded {
                    self.decode_error(r.field_line(i), i, bytes, encoding);
                }
                decoded
            } else {
                match text::decode_strict(bytes, encoding) {
                    Ok(s) => {
                        self.text.push_str(&s);
                        self.mixed_evidence(r.field_line(i), i, bytes, &s);
                        true
                    }
                    Err(_) => {
                        self.decode_error(r.field_line(i), i, bytes, encoding);
                        false
                    }
                }
            };
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

/// Kana, kanji, Japanese punctuation and full-width forms: what Japanese text is made of.
fn is_japanese(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{30FF}' // punctuation, hiragana, katakana
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
        | '\u{FF01}'..='\u{FF9F}' // full-width forms, half-width katakana
    )
}
