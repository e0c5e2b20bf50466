//! The streaming validator: bytes in (pushed in chunks, or pulled from any `Read`), a
//! [`Report`] out, in bounded memory: row rules keep nothing, cross-row rules compact keys, and
//! the report the first diagnostics (all counted).

use std::io::Read;

use crate::diag::{Code, Report, Severity};
use crate::layout::Layout;
use crate::text::{self, Encoding, EncodingChoice, UTF8_BOM};

use super::csv::{simple_lines_prefix, Record, RecordParser};
use super::decide::{Decider, Decision};
use super::options::ValidateOptions;
use super::pool::{Pool, BATCH_BYTES};
use super::sink::{EncodingState, RecordSink, MAX_FIELDS};

/// The pool (worker threads, or on one thread the grouping of rows for the cross-row rules)
/// starts once this many bytes have been fed: a small file is checked row by row on the
/// calling thread, sparing it the threads' start-up.
const PARALLEL_FROM_BYTES: usize = 1 << 20;

/// A streaming validator for one file of one layout.
///
/// Push bytes in chunks of any size with [`feed`](Self::feed), then call
/// [`finish`](Self::finish). Memory stays bounded by the largest record (capped by
/// [`ValidateOptions::max_record_bytes`]) plus the compact keys of cross-row rules.
///
/// The encoding is decided once, the same way however the file is fed (whole, in chunks of
/// any size, or from a reader): a leading UTF-8 BOM means UTF-8; otherwise the verdict of a
/// strict decode of the file as both encodings (UTF-8 when it decodes as UTF-8, else CP932 when
/// it decodes as CP932, else the one that reads further), which is certain at the first byte
/// one of them cannot read. Bytes from the first non-ASCII byte on are held back until then (a
/// few bytes in practice; at most 1 MiB, after which a file that still decodes as both is taken
/// as the preferred encoding: UTF-8, or the one given). Every record is then decoded strictly with that encoding, so a
/// file switching encodings midway gets F01 on each field that does not fit. A chosen encoding
/// ([`ValidateOptions::encoding`]) breaks ties; a file that does not read as it but reads as the
/// other one is checked as the other one, with one F01 saying so.
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
    /// Threads allowed, the calling thread included (1: no workers, rows of a large file still
    /// grouped for the cross-row rules; 0 after workers could not start: no pool).
    threads: usize,
    /// Bytes fed so far (until the pool starts).
    fed: usize,
    /// The pool starts once `fed` reaches this ([`PARALLEL_FROM_BYTES`]; tests change it).
    parallel_from: usize,
    pool: Option<Pool>,
    /// Decides the encoding; `None` once decided.
    decider: Option<Decider>,
    /// Bytes from the file's first non-ASCII byte on, held back until the encoding is decided.
    held: Vec<u8>,
    /// Whether a non-ASCII byte has been seen (and bytes are being held back).
    holding: bool,
    /// The physical line of the first byte held back.
    held_from_line: u64,
}

/// Hands a parsed record to the pool when it runs (once the header has been read), else
/// checks it here.
fn dispatch(sink: &mut RecordSink, pool: &mut Option<Pool>, r: &Record<'_>) {
    match pool {
        Some(pool) if !sink.engine.expects_header() => pool.push(r, sink),
        _ => sink.record(r),
    }
}

impl Validator {
    /// A validator for `layout` with `options`.
    pub fn new(layout: Layout, options: ValidateOptions) -> Self {
        let parser = RecordParser::new(options.max_record_bytes, MAX_FIELDS);
        let threads = options.resolved_threads();
        let decider = Some(Decider::new(options.encoding));
        Validator {
            decider,
            held: Vec::new(),
            holding: false,
            held_from_line: 1,
            parser,
            sink: RecordSink::new(layout, options),
            prefix: Vec::new(),
            started: false,
            bom: false,
            threads,
            fed: 0,
            parallel_from: PARALLEL_FROM_BYTES,
            pool: None,
        }
    }

    /// A validator that hands every diagnostic to `on_diagnostic` as it is found, instead of
    /// keeping it in the report: every diagnostic of any file, in bounded memory. The report
    /// of [`finish`](Self::finish) still has the counts and the per-code summary of all of
    /// them, but no diagnostics (it is [`truncated`](crate::diag::Report::truncated) when there
    /// were any). [`ValidateOptions::max_diagnostics`] does not apply.
    ///
    /// Diagnostics come in the order they are found: file order, except that a few cross-row
    /// findings come when the row that completes them is read (and dose gaps of a
    /// one-row-per-dose file at the end); [`finish`](Self::finish)'s report (when kept)
    /// sorts by line.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use vrs_core::codec::{ValidateOptions, Validator};
    /// use vrs_core::layout::{self, LayoutParams};
    ///
    /// let layout = layout::find("batch-inquiry-request", &LayoutParams::default()).unwrap();
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let sink = Arc::clone(&seen);
    /// let mut v = Validator::streaming(layout, ValidateOptions::default(), move |d| {
    ///     sink.lock().unwrap().push((d.line, d.code));
    /// });
    /// v.feed("個人番号,宛名番号\r\n123456789019,1001\r\n".as_bytes());
    /// let report = v.finish();
    /// assert_eq!(report.errors, 1);
    /// assert!(report.diagnostics.is_empty());
    /// assert_eq!(seen.lock().unwrap()[0].0, 2);
    /// ```
    pub fn streaming(
        layout: Layout,
        options: ValidateOptions,
        on_diagnostic: impl FnMut(&crate::diag::Diagnostic) + Send + 'static,
    ) -> Self {
        let mut v = Validator::new(layout, options);
        v.sink.engine.emit.stream_to(Box::new(on_diagnostic));
        v
    }

    /// Feeds the next chunk of the file.
    pub fn feed(&mut self, data: &[u8]) {
        self.feed_chunk(data, None);
    }

    /// Feeds the next chunk of a file held as text (UTF-8, so the file is read as UTF-8
    /// unless the options say otherwise). The same as [`feed`](Self::feed) with the text's
    /// bytes, but faster on a large file: the text need not be checked for UTF-8 again.
    ///
    /// ```
    /// use vrs_core::codec::{ValidateOptions, Validator};
    /// use vrs_core::layout::{self, LayoutParams};
    ///
    /// let layout = layout::find("flags", &LayoutParams::default()).unwrap();
    /// let mut v = Validator::new(layout, ValidateOptions::default());
    /// v.feed_str("not,the,header\r\n");
    /// let report = v.finish();
    /// assert!(report.errors > 0);
    /// ```
    pub fn feed_str(&mut self, text: &str) {
        self.feed_chunk(text.as_bytes(), Some(text));
    }

    /// [`feed`](Self::feed); `text`, when given, is `data` as text.
    fn feed_chunk(&mut self, mut data: &[u8], mut text: Option<&str>) {
        if self.pool.is_none() && self.threads > 0 {
            self.fed = self.fed.saturating_add(data.len());
        }
        if !self.started {
            // Hold back only as many bytes as a BOM has; the rest goes straight to the parser
            // (a whole file fed at once is never copied).
            let wanted = UTF8_BOM
                .len()
                .saturating_sub(self.prefix.len())
                .min(data.len());
            let (head, rest) = data.split_at(wanted);
            self.prefix.extend_from_slice(head);
            if self.prefix.len() >= UTF8_BOM.len() || !UTF8_BOM.starts_with(&self.prefix) {
                self.start();
            }
            data = rest;
            // None when the split cut a character: the rest goes as bytes.
            text = text.and_then(|t| t.get(wanted..));
            if !self.started || data.is_empty() {
                return;
            }
        }
        self.admit(data, text);
    }

    /// Passes bytes on to the parser once the encoding is decided; until then ASCII bytes pass
    /// (they read the same in both encodings) and the rest is held back (see [`Decider`]).
    fn admit(&mut self, mut data: &[u8], mut text: Option<&str>) {
        let Some(decider) = self.decider.as_mut() else {
            return self.parse(data, text);
        };
        if !self.holding {
            let ascii = encoding_rs::Encoding::ascii_valid_up_to(data);
            if ascii == data.len() {
                return self.parse(data, text);
            }
            // The first non-ASCII byte: a character boundary of any text.
            let (head, rest) = data.split_at(ascii);
            let head_text = text.and_then(|t| t.get(..ascii));
            text = text.and_then(|t| t.get(ascii..));
            data = rest;
            self.parse(head, head_text);
            self.holding = true;
            self.held_from_line = self.parser.line();
            return self.admit(data, text);
        }
        match decider.feed(data) {
            None => self.held.extend_from_slice(data),
            Some(decision) => {
                self.decided(decision, data);
                let held = std::mem::take(&mut self.held);
                self.parse(&held, None);
                self.parse(data, text);
            }
        }
    }

    /// Settles the encoding; `then`: the bytes that follow those held back (for the line of a
    /// declared encoding's first invalid byte).
    fn decided(&mut self, decision: Decision, then: &[u8]) {
        self.decider = None;
        self.sink.encoding = EncodingState::Known(decision.encoding);
        let Some((declared, at)) = decision.declared_but_invalid_at else {
            return;
        };
        let at = usize::try_from(at).unwrap_or(usize::MAX);
        let in_held = self.held.get(..at.min(self.held.len())).unwrap_or(&[]);
        let in_then = then
            .get(..at.saturating_sub(self.held.len()).min(then.len()))
            .unwrap_or(&[]);
        let breaks = memchr::memchr_iter(b'\n', in_held).count()
            + memchr::memchr_iter(b'\n', in_then).count();
        let line = self.held_from_line + breaks as u64;
        let read = decision.encoding;
        // In file order: after the rows checked so far.
        if let Some(pool) = self.pool.as_mut() {
            pool.drain(&mut self.sink);
        }
        self.sink.engine.emit.row(
            Code::F01,
            Severity::Error,
            1,
            format!(
                "the file was declared {}, but line {line} is not valid {} and the file reads as {}: checked as {}; use --encoding auto (or {read})",
                declared.label(),
                declared.label(),
                read.label(),
                read.label(),
            ),
            format!(
                "文字コードは {} と指定されましたが、{line}行目が {} として読めず、ファイルは {} として読めるため {} として検査しました。文字コードの指定を auto（または {read}）にしてください",
                declared.label(),
                declared.label(),
                read.label(),
                read.label(),
            ),
        );
    }

    /// Parses `data` (`text`: the same, as text, if known); with the pool, whole runs of
    /// simple lines go to it unparsed.
    fn parse(&mut self, mut data: &[u8], mut text: Option<&str>) {
        while !data.is_empty() {
            // The pool starts once the header has been read: it may change the layout.
            let wants_pool =
                self.pool.is_none() && self.threads > 0 && self.fed >= self.parallel_from;
            if wants_pool && !self.sink.engine.expects_header() {
                // The calling thread splits the file, runs the cross-row rules and checks
                // rows when the workers are busy: one worker fewer than the threads allowed
                // (none on one thread: the pool then only groups rows for the cross-row rules).
                self.pool = Pool::start(&self.sink, self.threads - 1);
                // Threads could not start: stay as it is, and stop trying.
                if self.pool.is_none() {
                    self.threads = 0;
                }
                continue;
            }
            let (sink, pool) = (&mut self.sink, &mut self.pool);
            let Some(workers) = pool.as_mut() else {
                // Up to the end of the header's line when the pool is to start after it.
                let end = match wants_pool {
                    true => memchr::memchr(b'\n', data).map_or(data.len(), |nl| nl + 1),
                    false => data.len(),
                };
                self.parser
                    .feed(&data[..end], &mut |r| dispatch(sink, pool, r));
                data = &data[end..];
                text = text.and_then(|t| t.get(end..));
                continue;
            };
            // Lines can skip the parser between records, once the header has been read (bytes
            // reach here once the encoding is decided, or while they are all ASCII).
            if self.parser.at_record_start() && !sink.engine.expects_header() {
                let (len, lines) = simple_lines_prefix(data, BATCH_BYTES);
                if len > 0 {
                    // Runs end after a line feed, an ASCII byte: a character boundary.
                    let run_text = text.and_then(|t| t.get(..len));
                    workers.push_lines(&data[..len], run_text, self.parser.line(), sink);
                    self.parser.skip_lines(lines);
                    data = &data[len..];
                    text = text.and_then(|t| t.get(len..));
                    continue;
                }
            }
            // A line the parser must see (quotes, a lone CR, an unfinished line): up to its end.
            let end = memchr::memchr(b'\n', data).map_or(data.len(), |nl| nl + 1);
            self.parser
                .feed(&data[..end], &mut |r| dispatch(sink, pool, r));
            data = &data[end..];
            text = text.and_then(|t| t.get(end..));
        }
    }

    fn start(&mut self) {
        self.started = true;
        let prefix = std::mem::take(&mut self.prefix);
        let body = match prefix.strip_prefix(&UTF8_BOM[..]) {
            Some(rest) => {
                self.bom = true;
                if self.sink.engine.opts.encoding == EncodingChoice::Cp932 {
                    self.sink.engine.emit.row(
                        Code::F01,
                        Severity::Error,
                        1,
                        "the file starts with a UTF-8 byte-order mark but was declared cp932"
                            .into(),
                        "CP932 と指定されたファイルの先頭に UTF-8 の BOM があります".into(),
                    );
                } else {
                    // A BOM promises UTF-8.
                    self.decider = None;
                    self.sink.encoding = EncodingState::Known(Encoding::Utf8);
                }
                rest
            }
            None => &prefix[..],
        };
        self.admit(body, None);
    }

    /// Starts the pool (worker threads when allowed, else grouping alone) as soon as bytes are
    /// fed, whatever the file's size.
    #[cfg(test)]
    pub(crate) fn parallel_from_the_start(&mut self) {
        self.parallel_from = 0;
    }

    /// Never starts the pool: every row's cross-row rules run right after its row rules.
    #[cfg(test)]
    pub(crate) fn never_parallel(&mut self) {
        self.parallel_from = usize::MAX;
    }

    /// Whether rows go through the pool (checked by workers, or grouped on this thread).
    #[cfg(test)]
    pub(crate) fn has_pool(&self) -> bool {
        self.pool.is_some()
    }

    /// Data rows checked so far (rows still being checked by worker threads, or held back while
    /// the encoding is not yet certain, are not counted yet).
    pub fn rows(&self) -> u64 {
        self.sink.engine.rows()
    }

    /// Errors found so far (like [`rows`](Self::rows), without rows still being checked).
    pub fn error_count(&self) -> u64 {
        self.sink.engine.error_count()
    }

    /// Ends the file and returns the report.
    pub fn finish(mut self) -> Report {
        if !self.started {
            self.start();
        }
        if let Some(mut decider) = self.decider.take() {
            let decision = decider.finish();
            self.decided(decision, &[]);
            let held = std::mem::take(&mut self.held);
            self.parse(&held, None);
        }
        let (sink, pool) = (&mut self.sink, &mut self.pool);
        self.parser.finish(&mut |r| dispatch(sink, pool, r));
        if let Some(pool) = self.pool.take() {
            pool.finish(&mut self.sink);
        }
        // A file with no non-ASCII byte is valid in both encodings; report it as UTF-8.
        let encoding = self.sink.encoding.or_utf8().name();
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

/// Validates a whole file held in memory: the same report as feeding the bytes to a
/// [`Validator`] in any chunks (the encoding is decided the same way), faster on a large file.
pub fn validate_bytes(bytes: &[u8], layout: Layout, options: ValidateOptions) -> Report {
    let threads = options.resolved_threads();
    // Unless CP932 was declared, a file that decodes as UTF-8 throughout is UTF-8 (see
    // `Decider`): checked here (in two halves at once when threads allow), it is then fed as
    // text, which is not checked again.
    let utf8 = (options.encoding != EncodingChoice::Cp932)
        .then(|| utf8_body(bytes, threads))
        .flatten();
    let mut v = Validator::new(layout, options);
    match utf8 {
        Some(Utf8Body { bom, parts }) => {
            v.decider = None;
            v.sink.encoding = EncodingState::Known(Encoding::Utf8);
            v.feed(bom);
            for part in parts {
                v.feed_str(part);
            }
        }
        None => v.feed(bytes),
    }
    v.finish()
}

/// Files from this size have their UTF-8 check split between two threads.
const SPLIT_CHECK_FROM: usize = 8 << 20;

/// A file found to be UTF-8: its BOM (if any), then its body as checked text, in parts.
#[derive(Debug)]
struct Utf8Body<'a> {
    bom: &'a [u8],
    parts: [&'a str; 2],
}

/// `bytes` as text when the file (after a BOM) is UTF-8 throughout; checked in two halves at
/// once when more than one thread is allowed: on a large file the check is a pass over every
/// byte before any row is read.
fn utf8_body(bytes: &[u8], threads: usize) -> Option<Utf8Body<'_>> {
    let (body, _) = text::strip_utf8_bom(bytes);
    let bom = bytes.get(..bytes.len() - body.len()).unwrap_or(&[]);
    let parts = if threads > 1 && body.len() >= SPLIT_CHECK_FROM {
        utf8_in_halves(body)
    } else {
        simdutf8::basic::from_utf8(body).ok().map(|all| [all, ""])
    };
    parts.map(|parts| Utf8Body { bom, parts })
}

/// `body` as text when it is UTF-8, its two halves checked on two threads. The halves meet
/// after a line feed, an ASCII byte, so both are UTF-8 exactly when the whole is.
fn utf8_in_halves(body: &[u8]) -> Option<[&str; 2]> {
    let middle = body.len() / 2;
    let cut = body
        .get(middle..)
        .and_then(|tail| memchr::memchr(b'\n', tail))
        .map_or(body.len(), |at| middle + at + 1);
    let (head, tail) = body.split_at(cut);
    std::thread::scope(|scope| {
        let checked = std::thread::Builder::new()
            .name("vrs-detect".into())
            .spawn_scoped(scope, || simdutf8::basic::from_utf8(tail).ok());
        let head = simdutf8::basic::from_utf8(head).ok();
        let tail = match checked {
            Ok(handle) => handle.join().ok().flatten(),
            // No thread: check it here.
            Err(_) => simdutf8::basic::from_utf8(tail).ok(),
        };
        Some([head?, tail?])
    })
}

#[cfg(test)]
mod detect_tests {
    use super::*;

    /// The two-half check answers as a check of the whole, wherever the bad byte or the cut is,
    /// and its halves make up the whole.
    #[test]
    fn halves_answer_like_the_whole() {
        let line = "12345,あま市保健センター,ファイザー\r\n";
        let mut cases: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"\n".to_vec(),
            "あいう".as_bytes().to_vec(),
            line.repeat(40).into_bytes(),
            [&UTF8_BOM[..], line.repeat(9).as_bytes()].concat(),
        ];
        let good = line.repeat(50).into_bytes();
        for at in [
            0,
            1,
            good.len() / 2 - 1,
            good.len() / 2,
            good.len() / 2 + 7,
            good.len() - 1,
        ] {
            for bad in [0xFFu8, 0x82, 0xE3] {
                let mut case = good.clone();
                case[at] = bad;
                cases.push(case);
            }
        }
        // A character cut off at the end, and a file with no line feed after its middle.
        cases.push(good[..good.len() - 3].to_vec());
        cases.push("あ".repeat(30).into_bytes());
        for case in &cases {
            let body = text::strip_utf8_bom(case).0;
            let whole = simdutf8::basic::from_utf8(body).ok();
            let halves = utf8_in_halves(body);
            assert_eq!(halves.is_some(), whole.is_some(), "{case:?}");
            if let (Some([head, tail]), Some(whole)) = (halves, whole) {
                assert_eq!(format!("{head}{tail}"), whole);
            }
        }
    }

    #[test]
    fn large_utf8_files_are_checked_in_halves() {
        let line = "12345,あま市保健センター,ファイザー\r\n";
        let utf8 = line.repeat(SPLIT_CHECK_FROM / line.len() + 1).into_bytes();
        for threads in [1, 2] {
            let body = utf8_body(&utf8, threads).expect("text");
            assert_eq!(body.parts.concat().as_bytes(), &utf8[..]);
        }
        let with_bom = [&UTF8_BOM[..], &utf8[..]].concat();
        assert_eq!(utf8_body(&with_bom, 2).map(|b| b.bom), Some(&UTF8_BOM[..]));
        let text = line.repeat(SPLIT_CHECK_FROM / line.len() + 1);
        let (cp932, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
        for threads in [1, 2] {
            assert!(utf8_body(&cp932, threads).is_none());
        }
    }
}
