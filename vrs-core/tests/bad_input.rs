//! Hostile input: every case gets a diagnostic or a clear error, never a panic.

use std::io::Read;

use vrs_core::codec::{validate_bytes, validate_reader, ValidateOptions, Validator};
use vrs_core::diag::{Code, Report};
use vrs_core::layout::{self, Layout, LayoutParams};
use vrs_core::text::EncodingChoice;

fn ledger() -> Layout {
    layout::find("ledger-export", &LayoutParams { dose_blocks: 1 }).unwrap()
}

fn codes(r: &Report) -> Vec<(Code, u64)> {
    r.diagnostics.iter().map(|d| (d.code, d.line)).collect()
}

/// A reader producing a header, then one line of `len` bytes with no line break, then a good row.
struct HugeLine {
    prefix: Vec<u8>,
    remaining: u64,
    suffix: Vec<u8>,
    stage: u8,
}

impl Read for HugeLine {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.stage {
            0 => {
                let n = self.prefix.len().min(buf.len());
                buf[..n].copy_from_slice(&self.prefix[..n]);
                self.prefix.drain(..n);
                if self.prefix.is_empty() {
                    self.stage = 1;
                }
                Ok(n)
            }
            1 => {
                let n = (buf.len() as u64).min(self.remaining) as usize;
                buf[..n].fill(b'x');
                self.remaining -= n as u64;
                if self.remaining == 0 {
                    self.stage = 2;
                }
                Ok(n)
            }
            2 => {
                let n = self.suffix.len().min(buf.len());
                buf[..n].copy_from_slice(&self.suffix[..n]);
                self.suffix.drain(..n);
                if self.suffix.is_empty() {
                    self.stage = 3;
                }
                Ok(n)
            }
            _ => Ok(0),
        }
    }
}

#[test]
fn a_one_gigabyte_single_line_is_skipped_in_bounded_memory() {
    let l = ledger();
    let header = format!("{}\r\n", l.header().join(","));
    let good = "\r\n1001,20210601120000,20210601,0000012345,131016,会場,医師,ファイザー,FA5765\r\n";
    let reader = HugeLine {
        prefix: header.into_bytes(),
        remaining: 1 << 30,
        suffix: good.as_bytes().to_vec(),
        stage: 0,
    };
    let report = validate_reader(reader, l, ValidateOptions::default()).unwrap();
    assert_eq!(codes(&report), vec![(Code::F06, 2)]);
    assert_eq!(
        report.rows, 1,
        "the oversized record is skipped, the good row after it is validated"
    );
}

#[test]
fn empty_input_and_header_only() {
    let l = ledger();
    let r = validate_bytes(b"", l.clone(), ValidateOptions::default());
    assert_eq!(codes(&r), vec![(Code::F02, 1)]);
    let h = format!("{}\r\n", l.header().join(","));
    let r = validate_bytes(h.as_bytes(), l, ValidateOptions::default());
    assert_eq!((r.rows, r.errors, r.warnings), (0, 0, 0));
}

#[test]
fn garbage_never_panics() {
    // Deterministic pseudo-random byte soup with the CSV specials over-represented.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let specials = [
        b',', b'"', b'\r', b'\n', 0, 0xEF, 0xBB, 0xBF, 0x82, 0xA0, b'1',
    ];
    for layout in layout::all(&LayoutParams::default()) {
        for len in [0usize, 1, 2, 3, 17, 256, 4096] {
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
            let r = validate_bytes(&bytes, layout.clone(), ValidateOptions::default());
            if len > 0 {
                assert!(
                    r.errors > 0,
                    "{len} bytes of garbage cannot be a valid {} file",
                    layout.id
                );
            }
            // The same bytes pushed one at a time give the same report (fixed encoding both ways).
            let fixed = ValidateOptions {
                encoding: EncodingChoice::Utf8,
                ..ValidateOptions::default()
            };
            let whole = validate_bytes(&bytes, layout.clone(), fixed.clone());
            let mut v = Validator::new(layout.clone(), fixed);
            for b in &bytes {
                v.feed(std::slice::from_ref(b));
            }
            assert_eq!(v.finish(), whole);
        }
    }
}

#[test]
fn truncated_file_and_wrong_column_count() {
    let l = ledger();
    let text = format!("{}\r\n1001,20210601120000,2021", l.header().join(","));
    let r = validate_bytes(text.as_bytes(), l.clone(), ValidateOptions::default());
    assert_eq!(codes(&r), vec![(Code::F03, 2)]);
    let text = format!("{}\r\n1001,\"20210601120000", l.header().join(","));
    let r = validate_bytes(text.as_bytes(), l, ValidateOptions::default());
    assert!(codes(&r).contains(&(Code::F04, 2)));
}
