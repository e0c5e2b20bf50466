//! A file's encoding, decided once and the same way however the file is fed: whole, in chunks
//! of any size, or from a reader.
//!
//! The verdict is that of a strict decode of the whole file as both encodings: UTF-8 when it
//! decodes as UTF-8, CP932 when it decodes as CP932 only, and, when it decodes as neither, the
//! encoding that reads further. That verdict is certain at the first byte one of the two
//! decodes cannot read (the other one read further), so it needs no more than the bytes up to
//! there: the validator parses the file up to its first non-ASCII byte (ASCII reads the same
//! in both), holds back what follows until the verdict is certain, and then decodes every
//! record with the one encoding. In practice that is a few bytes of the first line that holds
//! Japanese; a file that decodes as both for more than [`DECIDE_WITHIN`] bytes after its first
//! non-ASCII byte is decided there, for the preferred encoding, so memory stays bounded.
//!
//! An encoding the caller chose only breaks ties (a file that decodes as both): a file
//! declared CP932 whose first byte that is not CP932 comes before any byte that is not UTF-8
//! reads as UTF-8, and is checked as UTF-8 with one finding saying so, rather than with the
//! mojibake of the wrong encoding on every line.

use crate::text::{EncodingChoice, EncodingDetector};

use crate::text::Encoding;

/// Most bytes held back (from the first non-ASCII byte on) before the verdict is taken for the
/// preferred encoding.
pub(crate) const DECIDE_WITHIN: u64 = 1 << 20;

/// Bytes given to the detector at a time, so that a large chunk is not examined past the point
/// where the verdict is certain.
const PIECE: usize = 64 << 10;

/// The verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decision {
    /// The encoding every record is decoded with.
    pub encoding: Encoding,
    /// The caller's encoding, when the file does not read as it: its first invalid byte,
    /// counted from the first non-ASCII byte of the file.
    pub declared_but_invalid_at: Option<(Encoding, u64)>,
}

/// Decides the encoding of one file (see the module's documentation).
#[derive(Debug)]
pub(crate) struct Decider {
    detector: EncodingDetector,
    /// Taken when the file decodes as both.
    prefer: Encoding,
    /// What the caller chose, if anything.
    declared: Option<Encoding>,
    /// Bytes given to the detector.
    seen: u64,
}

impl Decider {
    pub(crate) fn new(choice: EncodingChoice) -> Self {
        let declared = choice.encoding();
        Decider {
            detector: EncodingDetector::new(),
            prefer: declared.unwrap_or(Encoding::Utf8),
            declared,
            seen: 0,
        }
    }

    /// Examines the next bytes (the first of all the bytes examined is the file's first
    /// non-ASCII byte). Returns the verdict once it is certain, with how many bytes of `data`
    /// were examined to reach it; `None`: all of `data` was examined and the verdict is still
    /// open.
    pub(crate) fn feed(&mut self, data: &[u8]) -> Option<Decision> {
        for piece in data.chunks(PIECE) {
            self.detector.feed(piece);
            self.seen = self.seen.saturating_add(piece.len() as u64);
            if let Some(decision) = self.settled() {
                return Some(decision);
            }
            if self.seen >= DECIDE_WITHIN {
                return Some(self.decision(self.prefer));
            }
        }
        None
    }

    /// The verdict at the end of the file.
    pub(crate) fn finish(&mut self) -> Decision {
        self.detector.end();
        match self.detector.invalid_offsets() {
            (None, None) => self.decision(self.prefer),
            (None, Some(_)) => self.decision(Encoding::Utf8),
            (Some(_), None) => self.decision(Encoding::Cp932),
            (Some(u), Some(c)) => self.decision(first_to_fail(u, c, self.prefer)),
        }
    }

    /// The verdict, if no byte still to come can change it: one decode has failed and the
    /// other can no longer fail at or before that byte (a CP932 character is at most 2 bytes
    /// long, a UTF-8 one at most 4).
    fn settled(&self) -> Option<Decision> {
        let encoding = match self.detector.invalid_offsets() {
            (None, None) => return None,
            (Some(u), None) if self.seen >= u.saturating_add(2) => Encoding::Cp932,
            (None, Some(c)) if self.seen >= c.saturating_add(4) => Encoding::Utf8,
            (Some(u), Some(c)) => first_to_fail(u, c, self.prefer),
            _ => return None,
        };
        Some(self.decision(encoding))
    }

    fn decision(&self, encoding: Encoding) -> Decision {
        let (utf8, cp932) = self.detector.invalid_offsets();
        let declared_but_invalid_at = self
            .declared
            .filter(|declared| *declared != encoding)
            .and_then(|declared| {
                let at = match declared {
                    Encoding::Utf8 => utf8,
                    Encoding::Cp932 => cp932,
                };
                at.map(|at| (declared, at))
            });
        Decision {
            encoding,
            declared_but_invalid_at,
        }
    }
}

/// The encoding that read further when both failed (`utf8`, `cp932`: where each failed);
/// `prefer` when both failed at the same byte.
fn first_to_fail(utf8: u64, cp932: u64, prefer: Encoding) -> Encoding {
    match utf8.cmp(&cp932) {
        std::cmp::Ordering::Less => Encoding::Cp932,
        std::cmp::Ordering::Greater => Encoding::Utf8,
        std::cmp::Ordering::Equal => prefer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{detect, TextError};
    use proptest::prelude::*;

    /// The verdict of feeding `bytes` in chunks of `size`, then the end.
    fn decide(bytes: &[u8], size: usize, choice: EncodingChoice) -> Decision {
        let mut d = Decider::new(choice);
        for chunk in bytes.chunks(size.max(1)) {
            if let Some(decision) = d.feed(chunk) {
                return decision;
            }
        }
        d.finish()
    }

    /// The whole-file rule, from `text::detect`.
    fn whole_file(bytes: &[u8]) -> Encoding {
        match detect(bytes) {
            Ok(d) => d.encoding,
            Err(TextError::NotUtf8NorCp932 {
                utf8_offset,
                cp932_offset,
            }) if cp932_offset > utf8_offset => Encoding::Cp932,
            Err(_) => Encoding::Utf8,
        }
    }

    #[test]
    fn half_width_kana_that_is_also_utf8() {
        // ﾅｶ ﾏｷ in CP932 is C5 B6 20 CF B7: valid UTF-8 too. Alone it is UTF-8 (ties go to
        // UTF-8), declared CP932 it is CP932; after 中 (CP932 92 86, never UTF-8) it is CP932.
        let kana = b"\xC5\xB6 \xCF\xB7";
        assert_eq!(
            decide(kana, 1, EncodingChoice::Auto).encoding,
            Encoding::Utf8
        );
        let declared = decide(kana, 1, EncodingChoice::Cp932);
        assert_eq!(declared.encoding, Encoding::Cp932);
        assert_eq!(declared.declared_but_invalid_at, None);
        let row = b"\x92\x86 \x90\x5E,\xC5\xB6 \xCF\xB7\r\n";
        for size in 1..row.len() {
            assert_eq!(
                decide(row, size, EncodingChoice::Auto).encoding,
                Encoding::Cp932
            );
        }
    }

    #[test]
    fn a_declared_encoding_the_file_does_not_read_as_is_named() {
        // The ledger export's header in UTF-8 (UTF-8 Japanese is often valid CP932 for a
        // while, but not for a whole header).
        let ledger = crate::layout::find("ledger-export", &Default::default()).unwrap();
        let header = format!("{}\r\n", ledger.header().join(","));
        let utf8 = header.as_bytes();
        let d = decide(utf8, 3, EncodingChoice::Cp932);
        assert_eq!(d.encoding, Encoding::Utf8);
        let (declared, at) = d.declared_but_invalid_at.expect("contradiction");
        assert_eq!(declared, Encoding::Cp932);
        assert!(at < utf8.len() as u64);
        let d = decide(utf8, 3, EncodingChoice::Utf8);
        assert_eq!(
            (d.encoding, d.declared_but_invalid_at),
            (Encoding::Utf8, None)
        );
    }

    #[test]
    fn long_ambiguous_input_is_decided_within_the_bound() {
        // "ﾅｶ" repeated: valid in both, for longer than the bound.
        let bytes = b"\xC5\xB6".repeat((DECIDE_WITHIN as usize) / 2 + PIECE);
        let mut d = Decider::new(EncodingChoice::Cp932);
        let decision = d.feed(&bytes).expect("decided within the bound");
        assert_eq!(decision.encoding, Encoding::Cp932);
        assert!(d.seen <= DECIDE_WITHIN + PIECE as u64);
    }

    proptest! {
        /// Short of the bound, the verdict is the whole-file rule's, whatever the chunks.
        #[test]
        fn chunked_verdict_is_the_whole_file_rule(
            bytes in proptest::collection::vec(
                prop_oneof![any::<u8>(), Just(0x8E), Just(0xE5), Just(0xB1), Just(0xC5), Just(b'a')],
                0..80,
            ),
            size in 1usize..9,
        ) {
            // A leading BOM is the validator's to read, not the decider's.
            prop_assume!(!bytes.starts_with(&crate::text::UTF8_BOM));
            let first = bytes.iter().position(|b| !b.is_ascii()).unwrap_or(bytes.len());
            let d = decide(&bytes[first..], size, EncodingChoice::Auto);
            prop_assert_eq!(d.encoding, whole_file(&bytes));
            prop_assert_eq!(d, decide(&bytes[first..], bytes.len(), EncodingChoice::Auto));
        }
    }
}
