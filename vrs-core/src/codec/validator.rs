//! The streaming validator: bytes in (pushed in chunks, or pulled from any `Read`), a
//! [`Report`] out, in constant memory for row rules.

use std::io::Read;

use crate::diag::{Code, Report, Severity};
use crate::layout::Layout;
use crate::text::{self, Encoding, EncodingChoice, UTF8_BOM};

use super::csv::{simple_lines_prefix, Record, RecordParser};
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
    /// Threads allowed, the calling thread included (1: no workers, rows of a large file still
    /// grouped for the cross-row rules; 0 after workers could not start: no pool).
    threads: usize,
    /// Bytes fed so far (until the pool starts).
    fed: usize,
    /// The pool starts once `fed` reaches this ([`PARALLEL_FROM_BYTES`]; tests change it).
    parallel_from: usize,
    pool: Option<Pool>,
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
        Validator {
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
            if self.fed >= self.parallel_from {
                // The calling thread splits the file, runs the cross-row rules and checks
                // rows when the workers are busy: one worker fewer than the threads allowed
                // (none on one thread: the pool then only groups rows for the cross-row rules).
                self.pool = Pool::start(&self.sink, self.threads - 1);
                // Threads could not start: stay as it is, and stop trying.
                if self.pool.is_none() {
                    self.threads = 0;
                }
            }
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
        self.parse(data, text);
    }

    /// Parses `data` (`text`: the same, as text, if known); with the pool, whole runs of
    /// simple lines go to it unparsed.
    fn parse(&mut self, mut data: &[u8], mut text: Option<&str>) {
        while !data.is_empty() {
            let (sink, pool) = (&mut self.sink, &mut self.pool);
            let Some(workers) = pool.as_mut() else {
                self.parser.feed(data, &mut |r| dispatch(sink, pool, r));
                return;
            };
            // Lines can skip the parser between records, once the header has been read and
            // the encoding settled (records only ever confirm it then).
            if self.parser.at_record_start()
                && !sink.engine.expects_header()
                && matches!(sink.encoding, EncodingState::Known(_))
            {
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
        self.parse(body, None);
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

    /// Data rows checked so far (on a large file checked by worker threads, rows still being
    /// checked are not counted yet).
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

/// Validates a whole file held in memory. With [`EncodingChoice::Auto`] the encoding is first
/// decided by a strict decode of all bytes ([`text::detect`]); when neither UTF-8 nor CP932 fits,
/// the encoding that got further is used and the offending lines get F01.
pub fn validate_bytes(bytes: &[u8], layout: Layout, mut options: ValidateOptions) -> Report {
    let mut utf8 = None;
    if options.encoding == EncodingChoice::Auto {
        let (choice, body) = detect_encoding(bytes, options.resolved_threads());
        options.encoding = choice;
        utf8 = body;
    }
    let mut v = Validator::new(layout, options);
    match utf8 {
        // Checked text is fed as text: not checked again.
        Some(Utf8Body { bom, parts }) => {
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

/// The encoding [`text::detect`] decides for `bytes`, and, when it is UTF-8, the text. Its
/// first step, whether the file is UTF-8 throughout, is taken here (in two halves at once when
/// more than one thread is allowed: on a large file the check is a pass over every byte before
/// any row is read), and its other step after it, so the answer is always detect's.
fn detect_encoding(bytes: &[u8], threads: usize) -> (EncodingChoice, Option<Utf8Body<'_>>) {
    let (body, _) = text::strip_utf8_bom(bytes);
    let bom = bytes.get(..bytes.len() - body.len()).unwrap_or(&[]);
    let parts = if threads > 1 && body.len() >= SPLIT_CHECK_FROM {
        utf8_in_halves(body)
    } else {
        simdutf8::basic::from_utf8(body).ok().map(|all| [all, ""])
    };
    if let Some(parts) = parts {
        return (EncodingChoice::Utf8, Some(Utf8Body { bom, parts }));
    }
    // Not UTF-8 throughout: detect's other step, without checking UTF-8 again.
    let choice = match text::detect_by_both_decodes(bytes) {
        Ok(d) => EncodingChoice::from(d.encoding),
        Err(text::TextError::NotUtf8NorCp932 {
            utf8_offset,
            cp932_offset,
        }) if cp932_offset > utf8_offset => EncodingChoice::Cp932,
        Err(_) => EncodingChoice::Utf8,
    };
    (choice, None)
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
    fn large_files_get_detects_answer() {
        let line = "12345,あま市保健センター,ファイザー\r\n";
        let utf8 = line.repeat(SPLIT_CHECK_FROM / line.len() + 1).into_bytes();
        for threads in [1, 2] {
            let (choice, body) = detect_encoding(&utf8, threads);
            assert_eq!(choice, EncodingChoice::Utf8);
            let body = body.expect("text");
            assert_eq!(body.parts.concat().as_bytes(), &utf8[..]);
        }
        let with_bom = [&UTF8_BOM[..], &utf8[..]].concat();
        let (_, body) = detect_encoding(&with_bom, 2);
        assert_eq!(body.map(|b| b.bom), Some(&UTF8_BOM[..]));
        let text = line.repeat(SPLIT_CHECK_FROM / line.len() + 1);
        let (cp932, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
        for threads in [1, 2] {
            let (choice, body) = detect_encoding(&cp932, threads);
            assert_eq!(choice, EncodingChoice::Cp932);
            assert!(body.is_none());
        }
    }
}
