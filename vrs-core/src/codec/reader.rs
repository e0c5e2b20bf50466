//! Reading typed records back from a file (the other half of write-then-read round trips).

use std::collections::VecDeque;
use std::io::Read;

use crate::layout::Layout;
use crate::text::{self, Encoding, UTF8_BOM};

use super::csv::RecordParser;
use super::records::{LayoutRecord, RecordError};

/// Why a record could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The underlying reader failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// Bytes not valid in the encoding.
    #[error("line {line}: {source}")]
    Decode {
        /// Physical line.
        line: u64,
        /// The decoding problem.
        source: text::TextError,
    },
    /// Broken CSV structure (unbalanced quotes, oversized record).
    #[error("line {line}: malformed CSV record")]
    Csv {
        /// Physical line.
        line: u64,
    },
    /// A field is not a valid value of its column.
    #[error("line {line}: {source}")]
    Record {
        /// Physical line.
        line: u64,
        /// The field problem.
        source: RecordError,
    },
}

type RawRow = Result<(u64, Vec<String>), ReadError>;

/// Reads rows of one layout as typed records, streaming.
///
/// Use [`crate::codec::Validator`] to find every problem in a file; the reader stops being
/// useful at the first bad row of a file you did not validate.
///
/// ```
/// use vrs_core::codec::{BatchInquiryRequestRow, RecordReader};
/// use vrs_core::layout::{self, LayoutParams};
/// use vrs_core::text::Encoding;
///
/// let layout = layout::find("batch-inquiry-request", &LayoutParams::default()).unwrap();
/// let data = "個人番号,宛名番号\r\n123456789018,1001\r\n".as_bytes();
/// let mut reader = RecordReader::new(data, layout, Encoding::Utf8, true);
/// let (line, row): (u64, BatchInquiryRequestRow) = reader.next_record().unwrap().unwrap();
/// assert_eq!((line, row.addressee.as_str()), (2, "1001"));
/// assert!(reader.next_record::<BatchInquiryRequestRow>().is_none());
/// ```
#[derive(Debug)]
pub struct RecordReader<R: Read> {
    reader: R,
    layout: Layout,
    encoding: Encoding,
    skip_header: bool,
    parser: RecordParser,
    queue: VecDeque<RawRow>,
    buf: Vec<u8>,
    started: bool,
    eof: bool,
}

impl<R: Read> RecordReader<R> {
    /// A reader of `layout` rows in `encoding`; `header` says the first row is a header to skip.
    pub fn new(reader: R, layout: Layout, encoding: Encoding, header: bool) -> Self {
        RecordReader {
            reader,
            layout,
            encoding,
            skip_header: header,
            parser: RecordParser::new(1 << 20, 4096),
            queue: VecDeque::new(),
            buf: vec![0; 64 * 1024],
            started: false,
            eof: false,
        }
    }

    fn parse(&mut self, data: &[u8]) {
        let encoding = self.encoding;
        let queue = &mut self.queue;
        let mut sink = |r: &super::csv::Record<'_>| {
            // A line break inside quotes is valid RFC 4180 (the validator reports it, F04); other
            // structural problems make the fields unreliable.
            let broken = r
                .problems
                .iter()
                .any(|p| !matches!(p, super::csv::CsvProblem::LineBreakInQuotes(_)));
            if r.oversized || broken {
                queue.push_back(Err(ReadError::Csv { line: r.line }));
                return;
            }
            let mut fields = Vec::with_capacity(r.len());
            for i in 0..r.len() {
                match text::decode_strict(r.field(i), encoding) {
                    Ok(s) => fields.push(s.into_owned()),
                    Err(source) => {
                        queue.push_back(Err(ReadError::Decode {
                            line: r.field_line(i),
                            source,
                        }));
                        return;
                    }
                }
            }
            queue.push_back(Ok((r.line, fields)));
        };
        self.parser.feed(data, &mut sink);
        if self.eof {
            self.parser.finish(&mut sink);
        }
    }

    fn fill(&mut self) -> Result<(), ReadError> {
        while self.queue.is_empty() && !self.eof {
            let mut buf = std::mem::take(&mut self.buf);
            let n = loop {
                match self.reader.read(&mut buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        self.buf = buf;
                        return Err(e.into());
                    }
                }
            };
            self.eof = n == 0;
            let mut data = &buf[..n];
            if !self.started && n > 0 {
                self.started = true;
                if let Some(rest) = data.strip_prefix(&UTF8_BOM[..]) {
                    data = rest;
                }
            }
            self.parse(data);
            self.buf = buf;
        }
        Ok(())
    }

    /// The next record, with the physical line it starts on; `None` at the end.
    pub fn next_record<T: LayoutRecord>(&mut self) -> Option<Result<(u64, T), ReadError>> {
        loop {
            if let Err(e) = self.fill() {
                return Some(Err(e));
            }
            let raw = self.queue.pop_front()?;
            if self.skip_header {
                self.skip_header = false;
                if raw.is_ok() {
                    continue;
                }
            }
            return Some(raw.and_then(|(line, fields)| {
                if fields.len() == 1 && fields[0].is_empty() {
                    return Err(ReadError::Csv { line });
                }
                let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
                T::from_fields(&refs, &self.layout)
                    .map(|t| (line, t))
                    .map_err(|source| ReadError::Record { line, source })
            }));
        }
    }
}
