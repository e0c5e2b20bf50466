//! A push-based RFC 4180 record parser that knows physical line numbers.
//!
//! Unlike a general CSV reader it reports what an upload validator must see: the physical line
//! on which each record and each field starts (quoted fields may span lines), quotes that are
//! never closed, stray quotes in unquoted fields, and records too large to hold. It is fed
//! chunks of any size and keeps at most one record in memory, so memory stays constant however
//! large the file.

use super::bytes::{bytes_equal, c0_or_del, word};

/// What is structurally wrong with one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CsvProblem {
    /// A `"` inside an unquoted field (0-based field index).
    QuoteInUnquoted(usize),
    /// Text after the closing quote of a quoted field.
    TextAfterQuote(usize),
    /// A line break inside a quoted field.
    LineBreakInQuotes(usize),
    /// End of input inside a quoted field.
    UnterminatedQuote(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StartField,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// One parsed record, borrowed from the parser until the callback returns.
#[derive(Debug)]
pub(crate) struct Record<'a> {
    buf: &'a [u8],
    /// `(start, end)` of each field in `buf`.
    bounds: &'a [(usize, usize)],
    field_lines: &'a [u64],
    /// Physical line where the record starts (1-based).
    pub line: u64,
    /// Structural problems found while parsing it.
    pub problems: &'a [CsvProblem],
    /// True when the record exceeded the size limit; its fields are then incomplete.
    pub oversized: bool,
    /// True when any byte is outside ASCII.
    pub non_ascii: bool,
    /// Total number of fields, also when oversized.
    pub field_count: usize,
}

impl<'a> Record<'a> {
    /// Number of fields held.
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    /// The raw bytes of field `i` (quotes removed, `""` unescaped).
    pub fn field(&self, i: usize) -> &'a [u8] {
        self.buf.get(self.field_range(i)).unwrap_or(&[])
    }

    /// Byte range of field `i` within [`bytes`](Self::bytes).
    pub fn field_range(&self, i: usize) -> std::ops::Range<usize> {
        match self.bounds.get(i) {
            Some(&(start, end)) => start..end.max(start),
            None => 0..0,
        }
    }

    /// True when the record spans more than one physical line (a quoted line break).
    pub fn spans_lines(&self) -> bool {
        self.field_lines.last().is_some_and(|l| *l != self.line)
    }

    /// Fills `out` with the line each field starts on when the record spans lines; else
    /// empties it (every field is on [`line`](Self::line)).
    pub fn field_lines_into(&self, out: &mut Vec<u64>) {
        out.clear();
        if self.spans_lines() {
            out.extend((0..self.len()).map(|i| self.field_line(i)));
        }
    }

    /// Physical line on which field `i` starts.
    pub fn field_line(&self, i: usize) -> u64 {
        self.field_lines.get(i).copied().unwrap_or(self.line)
    }

    /// The bytes holding the record's fields (for a fast per-record UTF-8 check: everything in
    /// it that is not a field is an ASCII delimiter).
    pub fn bytes(&self) -> &'a [u8] {
        self.buf
    }

    /// True for a line holding nothing at all. An oversized record is never blank, though its
    /// bytes were not kept: a field over the limit in one piece leaves the buffer empty.
    pub fn is_blank(&self) -> bool {
        self.field_count == 1 && self.buf.is_empty() && self.problems.is_empty() && !self.oversized
    }
}

/// Where one record of a [`RecordBatch`] ends in the batch's lists, and its flags.
#[derive(Debug, Clone, Copy)]
struct BatchEntry<T> {
    bytes_end: usize,
    bounds_end: usize,
    lines_end: usize,
    problems_end: usize,
    line: u64,
    oversized: bool,
    non_ascii: bool,
    field_count: usize,
    tag: T,
}

/// Records copied out of the parser, so they can be checked on another thread: the bytes of
/// all records back to back, and each record's field bounds, field lines and problems, with a
/// tag per record (the validator's encoding for it).
#[derive(Debug)]
pub(crate) struct RecordBatch<T> {
    bytes: Vec<u8>,
    bounds: Vec<(usize, usize)>,
    field_lines: Vec<u64>,
    problems: Vec<CsvProblem>,
    entries: Vec<BatchEntry<T>>,
}

impl<T> Default for RecordBatch<T> {
    fn default() -> Self {
        RecordBatch {
            bytes: Vec::new(),
            bounds: Vec::new(),
            field_lines: Vec::new(),
            problems: Vec::new(),
            entries: Vec::new(),
        }
    }
}

impl<T: Copy> RecordBatch<T> {
    /// Appends a copy of `record`.
    pub(crate) fn push(&mut self, record: &Record<'_>, tag: T) {
        self.bytes.extend_from_slice(record.buf);
        self.bounds.extend_from_slice(record.bounds);
        self.field_lines.extend_from_slice(record.field_lines);
        self.problems.extend_from_slice(record.problems);
        self.entries.push(BatchEntry {
            bytes_end: self.bytes.len(),
            bounds_end: self.bounds.len(),
            lines_end: self.field_lines.len(),
            problems_end: self.problems.len(),
            line: record.line,
            oversized: record.oversized,
            non_ascii: record.non_ascii,
            field_count: record.field_count,
            tag,
        });
    }

    /// Record `i` as the parser gave it, and its tag.
    pub(crate) fn get(&self, i: usize) -> Option<(Record<'_>, T)> {
        let entry = self.entries.get(i)?;
        let previous = i.checked_sub(1).and_then(|p| self.entries.get(p));
        let (bytes, bounds, lines, problems) = previous.map_or((0, 0, 0, 0), |p| {
            (p.bytes_end, p.bounds_end, p.lines_end, p.problems_end)
        });
        let record = Record {
            buf: self.bytes.get(bytes..entry.bytes_end)?,
            bounds: self.bounds.get(bounds..entry.bounds_end)?,
            field_lines: self.field_lines.get(lines..entry.lines_end)?,
            line: entry.line,
            problems: self.problems.get(problems..entry.problems_end)?,
            oversized: entry.oversized,
            non_ascii: entry.non_ascii,
            field_count: entry.field_count,
        };
        Some((record, entry.tag))
    }

    /// Number of records.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Bytes of record text held.
    pub(crate) fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// Empties the batch, keeping its allocations.
    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
        self.bounds.clear();
        self.field_lines.clear();
        self.problems.clear();
        self.entries.clear();
    }
}

/// Bytes that end a run of ordinary bytes in an unquoted field.
const fn unquoted_specials() -> [bool; 256] {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'\n' as usize] = true;
    t
}
static UNQUOTED_SPECIAL: [bool; 256] = unquoted_specials();

/// The parser. Feed it bytes; it calls back once per record.
#[derive(Debug)]
pub(crate) struct RecordParser {
    state: State,
    /// Current physical line (1-based).
    line: u64,
    record_line: u64,
    after_cr: bool,
    buf: Vec<u8>,
    bounds: Vec<(usize, usize)>,
    field_start: usize,
    field_lines: Vec<u64>,
    problems: Vec<CsvProblem>,
    non_ascii: bool,
    oversized: bool,
    field_count: usize,
    /// The last byte stored in a quoted field was a CR (so a following LF ends no extra line).
    quoted_cr: bool,
    /// True once any byte of the current record has been seen.
    in_record: bool,
    max_record_bytes: usize,
    max_fields: usize,
}

impl RecordParser {
    pub(crate) fn new(max_record_bytes: usize, max_fields: usize) -> Self {
        RecordParser {
            state: State::StartField,
            line: 1,
            record_line: 1,
            after_cr: false,
            buf: Vec::with_capacity(1024),
            bounds: Vec::with_capacity(64),
            field_start: 0,
            field_lines: Vec::with_capacity(64),
            problems: Vec::new(),
            non_ascii: false,
            oversized: false,
            field_count: 0,
            quoted_cr: false,
            in_record: false,
            max_record_bytes,
            max_fields,
        }
    }

    fn begin_field(&mut self) {
        self.field_start = self.buf.len();
        if !self.in_record {
            self.in_record = true;
            self.record_line = self.line;
        }
        if self.field_lines.len() < self.max_fields {
            self.field_lines.push(self.line);
        }
    }

    fn push_bytes(&mut self, bytes: &[u8]) {
        if self.oversized {
            return;
        }
        if self.buf.len() + bytes.len() > self.max_record_bytes {
            self.oversized = true;
            return;
        }
        if !self.non_ascii && !bytes.is_ascii() {
            self.non_ascii = true;
        }
        self.buf.extend_from_slice(bytes);
    }

    fn end_field(&mut self) {
        self.field_count += 1;
        if self.bounds.len() < self.max_fields {
            self.bounds.push((self.field_start, self.buf.len()));
        } else {
            self.oversized = true;
        }
        self.state = State::StartField;
    }

    fn problem(&mut self, p: CsvProblem) {
        // One of each kind per field is enough; a broken line would repeat it thousands of times.
        if self.problems.len() < 16 && !self.problems.contains(&p) {
            self.problems.push(p);
        }
    }

    fn emit(&mut self, sink: &mut impl FnMut(&Record<'_>)) {
        let record = Record {
            buf: &self.buf,
            bounds: &self.bounds,
            field_lines: &self.field_lines,
            line: self.record_line,
            problems: &self.problems,
            oversized: self.oversized,
            non_ascii: self.non_ascii,
            field_count: self.field_count,
        };
        sink(&record);
        self.buf.clear();
        self.bounds.clear();
        self.field_lines.clear();
        self.problems.clear();
        self.non_ascii = false;
        self.oversized = false;
        self.field_count = 0;
        self.in_record = false;
        self.state = State::StartField;
    }

    fn end_record(&mut self, sink: &mut impl FnMut(&Record<'_>)) {
        if self.state == State::StartField {
            // An empty last field (`a,` or an empty line) has not begun yet.
            self.begin_field();
        }
        self.end_field();
        self.emit(sink);
    }

    /// Parses one whole line without quotes in place: no copy, fields split on commas.
    /// Returns the bytes consumed, or `None` when the line needs the state machine (quotes, a
    /// lone CR, or no line end in this chunk).
    fn fast_line(&mut self, rest: &[u8], sink: &mut impl FnMut(&Record<'_>)) -> Option<usize> {
        let (line, Some(used)) = split_line(rest) else {
            return None;
        };
        if memchr::memchr2(b'"', b'\r', line).is_some() {
            return None;
        }
        let limits = (self.max_record_bytes, self.max_fields);
        sink(&simple_record(line, self.line, &mut self.bounds, limits));
        self.bounds.clear();
        self.line += 1;
        Some(used)
    }

    /// True between records: the next byte begins a record (no quoted field, partial record or
    /// pending CR carried over).
    pub(crate) fn at_record_start(&self) -> bool {
        self.state == State::StartField && !self.in_record && !self.after_cr
    }

    /// The physical line the next record starts on.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// Counts `lines` lines parsed elsewhere (by [`for_each_simple_line`]) at a record start.
    pub(crate) fn skip_lines(&mut self, lines: u64) {
        self.line += lines;
    }

    /// Feeds a chunk; calls `sink` for every complete record.
    pub(crate) fn feed(&mut self, data: &[u8], sink: &mut impl FnMut(&Record<'_>)) {
        let mut i = 0;
        while i < data.len() {
            if self.state == State::StartField && !self.in_record && !self.after_cr {
                if let Some(used) = data.get(i..).and_then(|rest| self.fast_line(rest, sink)) {
                    i += used;
                    continue;
                }
            }
            let b = data[i];
            if self.after_cr {
                self.after_cr = false;
                if b == b'\n' && self.state != State::Quoted {
                    // The LF of a CRLF whose CR already ended the record and counted the line.
                    i += 1;
                    continue;
                }
            }
            match self.state {
                State::StartField => match b {
                    b'"' => {
                        self.begin_field();
                        self.state = State::Quoted;
                        i += 1;
                    }
                    b',' => {
                        self.begin_field();
                        self.end_field();
                        i += 1;
                    }
                    b'\r' | b'\n' => {
                        self.end_record(sink);
                        self.line += 1;
                        self.after_cr = b == b'\r';
                        i += 1;
                    }
                    _ => {
                        self.begin_field();
                        self.state = State::Unquoted;
                    }
                },
                State::Unquoted => {
                    let start = i;
                    while i < data.len() && !UNQUOTED_SPECIAL[usize::from(data[i])] {
                        i += 1;
                    }
                    self.push_bytes(&data[start..i]);
                    if let Some(&b) = data.get(i) {
                        match b {
                            b',' => self.end_field(),
                            b'"' => {
                                let field = self.field_count;
                                self.problem(CsvProblem::QuoteInUnquoted(field));
                                self.push_bytes(b"\"");
                            }
                            _ => {
                                self.end_record(sink);
                                self.line += 1;
                                self.after_cr = b == b'\r';
                            }
                        }
                        i += 1;
                    }
                }
                State::Quoted => {
                    let start = i;
                    while i < data.len() && !matches!(data[i], b'"' | b'\n' | b'\r') {
                        i += 1;
                    }
                    if i > start {
                        self.quoted_cr = false;
                    }
                    self.push_bytes(&data[start..i]);
                    if let Some(&b) = data.get(i) {
                        match b {
                            b'"' => {
                                self.quoted_cr = false;
                                self.state = State::QuoteInQuoted;
                            }
                            _ => {
                                let field = self.field_count;
                                self.problem(CsvProblem::LineBreakInQuotes(field));
                                self.push_bytes(&[b]);
                                // CRLF counts once: the CR counts, the LF after it does not.
                                if b == b'\r' || !self.quoted_cr {
                                    self.line += 1;
                                }
                                self.quoted_cr = b == b'\r';
                            }
                        }
                        i += 1;
                    }
                }
                State::QuoteInQuoted => match b {
                    b'"' => {
                        self.push_bytes(b"\"");
                        self.state = State::Quoted;
                        i += 1;
                    }
                    b',' => {
                        self.end_field();
                        i += 1;
                    }
                    b'\r' | b'\n' => {
                        self.end_record(sink);
                        self.line += 1;
                        self.after_cr = b == b'\r';
                        i += 1;
                    }
                    _ => {
                        let field = self.field_count;
                        self.problem(CsvProblem::TextAfterQuote(field));
                        self.state = State::Unquoted;
                    }
                },
            }
        }
    }

    /// Ends the input: emits the last record if it has no line break after it.
    pub(crate) fn finish(&mut self, sink: &mut impl FnMut(&Record<'_>)) {
        if self.state == State::Quoted {
            let field = self.field_count;
            self.problem(CsvProblem::UnterminatedQuote(field));
        }
        if self.in_record {
            self.end_field();
            self.emit(sink);
        }
    }
}

/// Splits `line` on its commas: calls `field(start, end)` for each field but the last and
/// `each_word` with every eight bytes (the last, shorter word padded with spaces); returns
/// where the last field starts. `None` when the line has more than `max_fields` fields (the
/// record is oversized, as the state machine holds it) or when `field` refuses one. Fields average a few bytes,
/// too few for memchr's per-match set-up: the commas of eight bytes at a time are found at
/// once (a word's comma mask), then taken one by one.
#[inline]
fn split_commas(
    line: &[u8],
    max_fields: usize,
    mut each_word: impl FnMut(u64),
    mut field: impl FnMut(usize, usize) -> bool,
) -> Option<usize> {
    let mut start = 0;
    let mut taken = 0;
    for (n, chunk) in line.chunks(8).enumerate() {
        let w = word(chunk);
        each_word(w);
        let mut commas = bytes_equal(w, b',');
        while commas != 0 {
            // This comma starts field `taken + 2`: one too many once `taken + 1` reaches the
            // limit (the state machine's `end_field` refuses field `max_fields + 1`).
            if taken + 1 >= max_fields {
                return None;
            }
            let at = n * 8 + (commas.trailing_zeros() / 8) as usize;
            if !field(start, at) {
                return None;
            }
            taken += 1;
            start = at + 1;
            commas &= commas - 1;
        }
    }
    Some(start)
}

/// The record of one simple line (no quote, no CR; the line end removed), its fields split on
/// commas into `bounds`: exactly what the parser makes of such a line. `limits` are the
/// parser's (bytes per record, fields per record).
pub(crate) fn simple_record<'a>(
    line: &'a [u8],
    line_no: u64,
    bounds: &'a mut Vec<(usize, usize)>,
    (max_record_bytes, max_fields): (usize, usize),
) -> Record<'a> {
    bounds.clear();
    let last = split_commas(
        line,
        max_fields,
        |_| {},
        |start, end| {
            bounds.push((start, end));
            true
        },
    );
    // An oversized record is reported as such, its fields unused.
    bounds.push((last.unwrap_or(line.len()), line.len()));
    // The size limit counts the bytes of the fields, as the state machine holds them (without
    // the commas), so a record is oversized or not whatever the chunks it arrived in.
    let oversized = last.is_none() || line.len() - (bounds.len() - 1) > max_record_bytes;
    Record {
        buf: line,
        bounds,
        field_lines: &[],
        line: line_no,
        problems: &[],
        oversized,
        non_ascii: !line.is_ascii(),
        field_count: bounds.len(),
    }
}

/// What the pass that splits a simple line found in its bytes besides commas.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LineScan {
    /// A C0 control or DEL somewhere in the line.
    pub c0_or_del: bool,
    /// A byte above 0x7F somewhere in the line.
    pub non_ascii: bool,
}

/// The fields of simple line `line` (no quote, no CR, no line end) as text, into `values`, and
/// what else its bytes hold, all in one pass over them: what [`simple_record`] and a scan for
/// control characters find, without a list of field bounds in between. `None` for a blank
/// line or one over the parser's `limits`, which take the general path.
pub(crate) fn split_simple_text<'a>(
    line: &'a str,
    values: &mut Vec<&'a str>,
    (max_record_bytes, max_fields): (usize, usize),
) -> Option<LineScan> {
    values.clear();
    if line.is_empty() {
        return None;
    }
    let (mut c0, mut high) = (false, 0u64);
    let each_word = |w: u64| {
        c0 |= c0_or_del(w);
        high |= w;
    };
    // Commas are ASCII: every field is a character boundary.
    let last = split_commas(line.as_bytes(), max_fields, each_word, |start, end| {
        line.get(start..end).map(|v| values.push(v)).is_some()
    })?;
    values.push(line.get(last..)?);
    // The size limit counts the bytes of the fields, without the commas (as simple_record).
    if line.len() - (values.len() - 1) > max_record_bytes {
        return None;
    }
    Some(LineScan {
        c0_or_del: c0,
        non_ascii: high & 0x8080_8080_8080_8080 != 0,
    })
}

/// [`for_each_simple_line`] for lines known to be text: calls `sink` with each line's start
/// offset, number and text (without its line end).
pub(crate) fn for_each_simple_text_line(
    text: &str,
    first_line: u64,
    mut sink: impl FnMut(usize, u64, &str),
) {
    let mut offset = 0;
    let mut line_no = first_line;
    while let Some(rest) = text.get(offset..).filter(|r| !r.is_empty()) {
        let (line, used) = split_line(rest.as_bytes());
        // The line ends before an ASCII byte (CR or LF) or at the end: a character boundary.
        sink(offset, line_no, rest.get(..line.len()).unwrap_or(""));
        offset += used.unwrap_or(rest.len());
        line_no += 1;
    }
}

/// The longest start of `data`, at most `cap` bytes, made of whole simple lines: each ends
/// with LF, holds no `"`, and holds a CR only right before its LF. Returns its length and its
/// number of lines. Such lines are parsed alike by anyone at a record start (see
/// [`for_each_simple_line`]), so they can be handed to another thread without parsing them.
pub(crate) fn simple_lines_prefix(data: &[u8], cap: usize) -> (usize, u64) {
    let window = data.get(..cap.min(data.len())).unwrap_or(data);
    let Some(last_newline) = memchr::memrchr(b'\n', window) else {
        return (0, 0);
    };
    let mut len = last_newline + 1;
    let region = window.get(..len).unwrap_or(&[]);
    for at in memchr::memchr2_iter(b'"', b'\r', region) {
        if region[at] == b'\r' && region.get(at + 1) == Some(&b'\n') {
            continue;
        }
        // Stop before the line holding it.
        len = memchr::memrchr(b'\n', &region[..at]).map_or(0, |nl| nl + 1);
        break;
    }
    // memchr's count: a plain filter-and-count loop here cost more than the rest together.
    let lines = memchr::memchr_iter(b'\n', &region[..len]).count() as u64;
    (len, lines)
}

/// Calls `sink` with the start offset and record of each line of `data`, whole simple lines as
/// [`simple_lines_prefix`] finds them, numbered from `first_line`, as [`RecordParser`] with the
/// same limits would give them.
pub(crate) fn for_each_simple_line(
    data: &[u8],
    first_line: u64,
    limits: (usize, usize),
    bounds: &mut Vec<(usize, usize)>,
    mut sink: impl FnMut(usize, &Record<'_>),
) {
    let mut offset = 0;
    let mut line_no = first_line;
    while let Some(rest) = data.get(offset..).filter(|r| !r.is_empty()) {
        let (line, used) = split_line(rest);
        sink(offset, &simple_record(line, line_no, bounds, limits));
        offset += used.unwrap_or(rest.len());
        line_no += 1;
    }
}

/// The record of the simple line `data` starts with (see [`for_each_simple_line`]).
pub(crate) fn first_simple_line<'a>(
    data: &'a [u8],
    line_no: u64,
    limits: (usize, usize),
    bounds: &'a mut Vec<(usize, usize)>,
) -> Record<'a> {
    simple_record(split_line(data).0, line_no, bounds, limits)
}

/// The line at the start of `rest` without its line end (LF or CRLF), and the bytes it takes
/// with its LF (`None` when `rest` holds no LF).
fn split_line(rest: &[u8]) -> (&[u8], Option<usize>) {
    let newline = memchr::memchr(b'\n', rest);
    let line = &rest[..newline.unwrap_or(rest.len())];
    (
        line.strip_suffix(b"\r").unwrap_or(line),
        newline.map(|n| n + 1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::tests_support::*;

    fn parse(s: &str) -> Vec<Owned> {
        parse_chunks(&[s.as_bytes()], 1 << 20)
    }

    proptest::proptest! {
        #[test]
        fn simple_records_split_like_a_plain_split(
            line in proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(b','), proptest::strategy::Just(b'a'), proptest::strategy::Just(0xE3u8), proptest::num::u8::ANY], 0..80),
            max_fields in 1usize..12,
        ) {
            let line: Vec<u8> = line.into_iter().filter(|b| !matches!(b, b'"' | b'\r' | b'\n')).collect();
            let mut bounds = Vec::new();
            let record = simple_record(&line, 1, &mut bounds, (usize::MAX, max_fields));
            let all: Vec<&[u8]> = line.split(|b| *b == b',').collect();
            // As the state machine: oversized with more than `max_fields` fields.
            proptest::prop_assert_eq!(record.oversized, all.len() > max_fields);
            if !record.oversized {
                let got: Vec<&[u8]> = (0..record.len()).map(|i| record.field(i)).collect();
                proptest::prop_assert_eq!(got, all);
            }
        }
    }

    proptest::proptest! {
        /// The one-pass text split gives the fields simple_record gives, the same limits, and
        /// exactly the control-character and non-ASCII answers of a plain scan.
        #[test]
        fn text_lines_split_like_simple_records(
            chars in proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just(','),
                proptest::strategy::Just('a'),
                proptest::strategy::Just('あ'),
                proptest::strategy::Just('\u{7F}'),
                proptest::strategy::Just('\u{85}'),
                proptest::char::range('\u{0}', '\u{20}'),
                proptest::char::any(),
            ], 0..80),
            max_fields in 1usize..12,
            max_bytes in 1usize..200,
        ) {
            let line: String = chars.into_iter().filter(|c| !matches!(c, '"' | '\r' | '\n')).collect();
            let limits = (max_bytes, max_fields);
            let mut bounds = Vec::new();
            let record = simple_record(line.as_bytes(), 1, &mut bounds, limits);
            let mut values = Vec::new();
            match split_simple_text(&line, &mut values, limits) {
                None => proptest::prop_assert!(record.oversized || record.is_blank()),
                Some(scan) => {
                    proptest::prop_assert!(!record.oversized && !record.is_blank());
                    let fields: Vec<&[u8]> = (0..record.len()).map(|i| record.field(i)).collect();
                    let got: Vec<&[u8]> = values.iter().map(|v| v.as_bytes()).collect();
                    proptest::prop_assert_eq!(got, fields);
                    let c0 = line.bytes().any(|b| b < 0x20 || b == 0x7F);
                    proptest::prop_assert_eq!(scan.c0_or_del, c0);
                    proptest::prop_assert_eq!(scan.non_ascii, !line.is_ascii());
                }
            }
        }
    }

    /// Found by the `validate_batch_inquiry_request` fuzz target: a line of `max_fields + 1`
    /// fields was oversized (F06) through the state machine and not through the whole-line
    /// path, so whether it was depended on how the file was fed
    /// (fuzz/regressions/validate_batch_inquiry_request/too-many-fields-by-chunking).
    #[test]
    fn one_field_over_the_limit_is_oversized_on_both_paths() {
        for (line, over) in [(&b"a,b,c"[..], true), (b"a,b", false), (b"a", false)] {
            let mut bounds = Vec::new();
            let fast = simple_record(line, 1, &mut bounds, (usize::MAX, 2)).oversized;
            let mut parser = RecordParser::new(usize::MAX, 2);
            let mut slow = Vec::new();
            for b in line.iter().chain(b"\n") {
                parser.feed(std::slice::from_ref(b), &mut |r| slow.push(r.oversized));
            }
            assert_eq!((fast, slow), (over, vec![over]), "{line:?}");
        }
    }

    /// Found by the `validate_batch_inquiry_request` fuzz target: a one-field line over the
    /// size limit after a lone CR went to the state machine, which refused its bytes in one
    /// piece and emitted an oversized record with an empty buffer; the validator took it for
    /// an empty line (F03 warning) when the file came whole, and reported F06 when chunking had
    /// split the field (`fuzz/regressions/validate_batch_inquiry_request/`
    /// `oversized-field-read-as-blank-line`).
    #[test]
    fn a_field_over_the_limit_in_one_piece_is_oversized_not_blank() {
        let line = b"x\r0123456789abcdef\r\n";
        let mut whole = Vec::new();
        RecordParser::new(8, 4).feed(line, &mut |r| whole.push((r.oversized, r.is_blank())));
        let mut parser = RecordParser::new(8, 4);
        let mut bytewise = Vec::new();
        for b in line {
            parser.feed(std::slice::from_ref(b), &mut |r| {
                bytewise.push((r.oversized, r.is_blank()))
            });
        }
        assert_eq!(whole, [(false, false), (true, false)]);
        assert_eq!(bytewise, whole);
    }

    #[test]
    fn plain_records_and_line_endings() {
        let r = parse("a,b\r\nc,d\ne,f");
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].fields, ["a", "b"]);
        assert_eq!((r[1].line, r[2].line), (2, 3));
        assert_eq!(r[2].fields, ["e", "f"]);
    }

    #[test]
    fn quoted_fields_spanning_lines_keep_physical_lines() {
        let r = parse("h1,h2\r\n\"x\r\ny\",z\r\nnext,1\r\n");
        assert_eq!(r[1].fields, ["x\r\ny", "z"]);
        assert_eq!(r[1].line, 2);
        assert_eq!(r[1].field_lines, [2, 3]);
        assert_eq!(r[1].problems, [CsvProblem::LineBreakInQuotes(0)]);
        assert_eq!(
            r[2].line, 4,
            "the record after a two-line record starts on line 4"
        );
    }

    #[test]
    fn doubled_quotes_and_commas_inside_quotes() {
        let r = parse("\"a,\"\"b\"\"\",c\n");
        assert_eq!(r[0].fields, ["a,\"b\"", "c"]);
        assert!(r[0].problems.is_empty());
    }

    #[test]
    fn structural_problems() {
        let r = parse("a\"b,\"c\"d,\"open\n");
        assert_eq!(r.len(), 1);
        assert!(r[0].problems.contains(&CsvProblem::QuoteInUnquoted(0)));
        assert!(r[0].problems.contains(&CsvProblem::TextAfterQuote(1)));
        assert!(r[0].problems.contains(&CsvProblem::UnterminatedQuote(2)));
    }

    #[test]
    fn simple_line_runs_stop_before_lines_the_parser_must_see() {
        assert_eq!(simple_lines_prefix(b"", 100), (0, 0));
        assert_eq!(simple_lines_prefix(b"a,b", 100), (0, 0), "no line end yet");
        assert_eq!(simple_lines_prefix(b"a,b\r\nc\n\nd", 100), (8, 3));
        assert_eq!(simple_lines_prefix(b"a\r\nb\"c\r\nd\r\n", 100), (3, 1));
        assert_eq!(
            simple_lines_prefix(b"a\r\nb\rc\r\n", 100),
            (3, 1),
            "a lone CR"
        );
        assert_eq!(simple_lines_prefix(b"a\r\nb\r\r\n", 100), (3, 1));
        assert_eq!(simple_lines_prefix(b"\"q\"\r\nb\r\n", 100), (0, 0));
        assert_eq!(simple_lines_prefix(b"ab\ncd\nef\n", 7), (6, 2), "capped");
        // The lines a run holds parse as the parser parses them.
        let data = b"x,y\r\n\n1,,3\n";
        let (len, lines) = simple_lines_prefix(data, 100);
        assert_eq!((len, lines), (data.len(), 3));
        let mut ours = Vec::new();
        let mut bounds = Vec::new();
        for_each_simple_line(data, 7, (1 << 20, 4096), &mut bounds, |at, r| {
            let fields: Vec<Vec<u8>> = (0..r.len()).map(|i| r.field(i).to_vec()).collect();
            ours.push((at, r.line, fields));
        });
        let mut parser = RecordParser::new(1 << 20, 4096);
        parser.skip_lines(6);
        let mut theirs = Vec::new();
        parser.feed(data, &mut |r| {
            let fields: Vec<Vec<u8>> = (0..r.len()).map(|i| r.field(i).to_vec()).collect();
            theirs.push((r.line, fields));
        });
        assert!(parser.at_record_start());
        assert_eq!(parser.line(), 10);
        let starts: Vec<usize> = ours.iter().map(|o| o.0).collect();
        assert_eq!(starts, [0, 5, 6]);
        let ours: Vec<_> = ours.into_iter().map(|(_, l, f)| (l, f)).collect();
        assert_eq!(ours, theirs);
        let mut bounds = Vec::new();
        let r = first_simple_line(&data[6..], 9, (1 << 20, 4096), &mut bounds);
        assert_eq!((r.line, r.field(2)), (9, &b"3"[..]));
    }

    #[test]
    fn blank_lines_and_empty_input() {
        assert!(parse("").is_empty());
        let r = parse("a\n\nb\n");
        assert_eq!(r.len(), 3);
        assert_eq!(r[1].fields, [""]);
        assert_eq!(r[2].line, 3);
    }

    #[test]
    fn chunking_does_not_change_the_result() {
        let text = "h,i\r\n\"q\r\nq\",2\r\n3,\"\"\"\"\r\nlast,x";
        let whole = parse(text);
        let bytes: Vec<&[u8]> = text.as_bytes().chunks(1).collect();
        assert_eq!(parse_chunks(&bytes, 1 << 20), whole);
        for split in 0..text.len() {
            let (a, b) = text.as_bytes().split_at(split);
            assert_eq!(parse_chunks(&[a, b], 1 << 20), whole, "split at {split}");
        }
    }

    #[test]
    fn the_size_limit_does_not_depend_on_chunking() {
        // 10 bytes of fields in each line (commas not counted): at the limit, then one over.
        let text = "ab,cd,ef,gh,ij\r\nab,cd,ef,gh,ijk\r\n";
        let whole = parse_chunks(&[text.as_bytes()], 10);
        let flags: Vec<bool> = whole.iter().map(|r| r.oversized).collect();
        assert_eq!(flags, [false, true]);
        for split in 0..text.len() {
            let (a, b) = text.as_bytes().split_at(split);
            let parts = parse_chunks(&[a, b], 10);
            let split_flags: Vec<bool> = parts.iter().map(|r| r.oversized).collect();
            assert_eq!(split_flags, flags, "split at {split}");
        }
    }

    #[test]
    fn a_batch_gives_back_the_records_it_was_given() {
        let text = "h,i\r\n\"q\r\nq\",2\r\n\r\n3,\"\"\"\"\r\na\"b,x\r\nlast,ü";
        let direct = parse(text);
        let mut batch = RecordBatch::default();
        let mut p = RecordParser::new(1 << 20, 1000);
        let mut tag = 0u8;
        let mut sink = |r: &Record<'_>| {
            batch.push(r, tag);
            tag += 1;
        };
        p.feed(text.as_bytes(), &mut sink);
        p.finish(&mut sink);
        assert_eq!(batch.len(), direct.len());
        for (i, want) in direct.iter().enumerate() {
            let (r, t) = batch.get(i).unwrap();
            assert_eq!(usize::from(t), i);
            assert_eq!(&Owned::of(&r), want);
            assert_eq!(r.non_ascii, i == direct.len() - 1);
            assert_eq!(r.is_blank(), want.fields == [""]);
        }
        assert!(batch.get(direct.len()).is_none());
        assert!(batch.byte_len() > 0);
        batch.clear();
        assert_eq!((batch.len(), batch.byte_len()), (0, 0));
    }

    #[test]
    fn oversized_records_are_flagged_and_parsing_resumes() {
        let long = "x".repeat(100);
        let text = format!("{long},{long}\nok,1\n");
        let r = parse_chunks(&[text.as_bytes()], 50);
        assert!(r[0].oversized);
        assert_eq!(r[1].fields, ["ok", "1"]);
        assert_eq!(r[1].line, 2);
    }
}

#[cfg(test)]
mod differential {
    use super::tests_support::*;

    #[test]
    fn fast_and_slow_paths_agree_on_garbage() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let specials = [
            b',', b'"', b'\r', b'\n', 0, 0xEF, 0xBB, 0xBF, 0x82, 0xA0, b'1',
        ];
        for len in [17usize, 256, 4096] {
            let mut bytes = Vec::with_capacity(len);
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let pick = (state % 16) as usize;
                bytes.push(if pick < specials.len() {
                    specials[pick]
                } else {
                    (state >> 8) as u8
                });
            }
            let whole = parse_chunks(&[&bytes], 1 << 20);
            let singles: Vec<&[u8]> = bytes.chunks(1).collect();
            let one = parse_chunks(&singles, 1 << 20);
            for (i, (a, b)) in whole.iter().zip(&one).enumerate() {
                assert_eq!(a, b, "record {i}");
            }
            assert_eq!(whole.len(), one.len());
        }
    }
}

#[cfg(test)]
mod tests_support {
    use super::*;

    #[derive(Debug, PartialEq)]
    pub(super) struct Owned {
        pub line: u64,
        pub fields: Vec<String>,
        pub field_lines: Vec<u64>,
        pub problems: Vec<CsvProblem>,
        pub oversized: bool,
    }

    impl Owned {
        /// An owned copy of what `r` holds (fields decoded lossily, for comparison).
        pub(super) fn of(r: &Record<'_>) -> Owned {
            Owned {
                line: r.line,
                fields: (0..r.len())
                    .map(|i| String::from_utf8_lossy(r.field(i)).into_owned())
                    .collect(),
                field_lines: (0..r.len()).map(|i| r.field_line(i)).collect(),
                problems: r.problems.to_vec(),
                oversized: r.oversized,
            }
        }
    }

    pub(super) fn parse_chunks(chunks: &[&[u8]], max: usize) -> Vec<Owned> {
        let mut p = RecordParser::new(max, 1000);
        let mut out = Vec::new();
        let mut sink = |r: &Record<'_>| out.push(Owned::of(r));
        for c in chunks {
            p.feed(c, &mut sink);
        }
        p.finish(&mut sink);
        out
    }
}
