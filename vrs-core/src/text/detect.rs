//! Strict, streaming encoding detection over a whole input.

use std::fmt;

use encoding_rs::{Decoder, DecoderResult, SHIFT_JIS};

use super::{Detection, Encoding, TextError, UTF8_BOM};

/// Size of the throw-away output buffer the CP932 validator decodes into.
const SCRATCH_LEN: usize = 16 * 1024;

/// Decides the encoding of a whole stream, fed in chunks of any size.
///
/// Both candidate encodings are validated over **every** byte; nothing is decided from a
/// prefix. Chunk boundaries may fall anywhere, including inside a multi-byte character.
///
/// The verdict of [`finish`](EncodingDetector::finish):
/// * UTF-8 if the entire input is valid UTF-8 (a leading UTF-8 BOM is reported in
///   [`Detection::bom`]); this includes empty and all-ASCII input;
/// * otherwise, if the input starts with a BOM, [`TextError::BomThenInvalidUtf8`] (a BOM
///   promises UTF-8);
/// * otherwise CP932 if the entire input is valid CP932 (decoded without replacement);
/// * otherwise [`TextError::NotUtf8NorCp932`] with, for each encoding, the byte offset of the
///   first invalid sequence.
///
/// Memory is constant (a 16 KiB scratch buffer, allocated on the first non-empty chunk).
///
/// ```
/// use vrs_core::text::{Encoding, EncodingDetector};
///
/// // 山田 in CP932, split inside a character.
/// let mut detector = EncodingDetector::new();
/// detector.feed(b"name\r\n\x8E");
/// detector.feed(b"\x52\x93\x63\r\n");
/// assert_eq!(detector.bytes_seen(), 12);
/// assert_eq!(detector.finish()?.encoding, Encoding::Cp932);
/// # Ok::<(), vrs_core::text::TextError>(())
/// ```
pub struct EncodingDetector {
    seen: u64,
    head: [u8; 3],
    head_len: usize,
    utf8: Utf8Validator,
    cp932: Cp932Validator,
}

impl EncodingDetector {
    /// A detector that has seen nothing yet.
    #[must_use]
    pub fn new() -> Self {
        EncodingDetector {
            seen: 0,
            head: [0; 3],
            head_len: 0,
            utf8: Utf8Validator::default(),
            cp932: Cp932Validator::new(),
        }
    }

    /// Feeds the next chunk of the stream.
    pub fn feed(&mut self, chunk: &[u8]) {
        if chunk.is_empty() {
            return;
        }
        for &b in chunk
            .iter()
            .take(self.head.len().saturating_sub(self.head_len))
        {
            if let Some(slot) = self.head.get_mut(self.head_len) {
                *slot = b;
                self.head_len += 1;
            }
        }
        self.utf8.feed(chunk, self.seen);
        // CP932 is validated even after a BOM followed by invalid UTF-8 (whose verdict
        // `finish` knows already): `invalid_offsets` must not depend on where the chunks
        // ended, and a stream fed from its first non-ASCII byte (the validator's encoding
        // decision) may start with a BOM's bytes in the middle of a file.
        self.cp932.feed(chunk, false);
        self.seen = self.seen.saturating_add(chunk.len() as u64);
    }

    /// The number of bytes fed so far.
    #[must_use]
    pub fn bytes_seen(&self) -> u64 {
        self.seen
    }

    /// Whether the stream is still valid UTF-8 so far (an incomplete character at the end of
    /// what was fed counts as valid, since the next chunk may complete it).
    #[must_use]
    pub fn utf8_possible(&self) -> bool {
        self.utf8.error.is_none()
    }

    /// Where each strict decode first failed so far: the 0-based offset of the first invalid
    /// sequence as UTF-8 and as CP932 (`None`: valid so far). An unfinished character at the
    /// end of what was fed is not counted yet (see [`end`](Self::end)).
    pub(crate) fn invalid_offsets(&self) -> (Option<u64>, Option<u64>) {
        (self.utf8.error, self.cp932.error)
    }

    /// Ends the stream in place: a character left unfinished becomes an invalid sequence in
    /// [`invalid_offsets`](Self::invalid_offsets).
    pub(crate) fn end(&mut self) {
        self.utf8.finish();
        self.cp932.feed(&[], true);
    }

    /// Ends the stream and gives the verdict (see the type's documentation).
    ///
    /// # Errors
    ///
    /// [`TextError::BomThenInvalidUtf8`] or [`TextError::NotUtf8NorCp932`].
    pub fn finish(mut self) -> Result<Detection, TextError> {
        self.utf8.finish();
        let bom = self.starts_with_bom();
        let Some(utf8_offset) = self.utf8.error else {
            return Ok(Detection {
                encoding: Encoding::Utf8,
                bom,
            });
        };
        if bom {
            return Err(TextError::BomThenInvalidUtf8 {
                offset: utf8_offset,
            });
        }
        self.cp932.feed(&[], true);
        match self.cp932.error {
            None => Ok(Detection {
                encoding: Encoding::Cp932,
                bom: false,
            }),
            Some(cp932_offset) => Err(TextError::NotUtf8NorCp932 {
                utf8_offset,
                cp932_offset,
            }),
        }
    }

    fn starts_with_bom(&self) -> bool {
        self.head_len == UTF8_BOM.len() && self.head == UTF8_BOM
    }
}

impl Default for EncodingDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for EncodingDetector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncodingDetector")
            .field("bytes_seen", &self.seen)
            .field("bom", &self.starts_with_bom())
            .field("utf8_error", &self.utf8.error)
            .field("cp932_error", &self.cp932.error)
            .finish_non_exhaustive()
    }
}

/// Detects the encoding of a complete input held in memory (see [`EncodingDetector`]).
///
/// # Errors
///
/// [`TextError::BomThenInvalidUtf8`] or [`TextError::NotUtf8NorCp932`].
///
/// ```
/// use vrs_core::text::{detect, Detection, Encoding, TextError};
///
/// assert_eq!(detect(b"")?, Detection { encoding: Encoding::Utf8, bom: false });
/// assert_eq!(detect("山田".as_bytes())?.encoding, Encoding::Utf8);
/// assert_eq!(detect(b"\x8E\x52\x93\x63")?.encoding, Encoding::Cp932);
/// assert_eq!(
///     detect(b"ab\xFF"),
///     Err(TextError::NotUtf8NorCp932 { utf8_offset: 2, cp932_offset: 2 })
/// );
/// # Ok::<(), TextError>(())
/// ```
pub fn detect(bytes: &[u8]) -> Result<Detection, TextError> {
    // The common case in one fast pass: the whole input is UTF-8 (with or without a BOM).
    let (body, bom) = super::strip_utf8_bom(bytes);
    if simdutf8::basic::from_utf8(body).is_ok() {
        return Ok(Detection {
            encoding: Encoding::Utf8,
            bom,
        });
    }
    detect_by_both_decodes(bytes)
}

/// [`detect`] past its first step: a strict decode of the whole input in both encodings, for
/// input already found not to be UTF-8 throughout (so that pass is not made twice).
fn detect_by_both_decodes(bytes: &[u8]) -> Result<Detection, TextError> {
    let mut detector = EncodingDetector::new();
    detector.feed(bytes);
    detector.finish()
}

/// Incremental UTF-8 validation on top of `std::str::from_utf8`.
#[derive(Default)]
struct Utf8Validator {
    /// The start of a character split by a chunk boundary.
    pending: [u8; 4],
    pending_len: usize,
    /// Absolute offset of `pending[0]`.
    pending_start: u64,
    /// Absolute offset of the first invalid sequence.
    error: Option<u64>,
}

impl Utf8Validator {
    /// Validates `chunk`, whose first byte is at absolute offset `base`.
    fn feed(&mut self, mut chunk: &[u8], mut base: u64) {
        if self.error.is_some() {
            return;
        }
        if self.pending_len > 0 {
            let needed = utf8_sequence_len(self.pending[0]).saturating_sub(self.pending_len);
            let (head, rest) = chunk.split_at(needed.min(chunk.len()));
            for &b in head {
                if let Some(slot) = self.pending.get_mut(self.pending_len) {
                    *slot = b;
                    self.pending_len += 1;
                }
            }
            let sequence = self.pending.get(..self.pending_len).unwrap_or_default();
            match std::str::from_utf8(sequence) {
                Ok(_) => self.pending_len = 0,
                Err(e) if e.error_len().is_some() => {
                    self.error = Some(self.pending_start);
                    return;
                }
                // Still incomplete: the chunk was too short to finish the character.
                Err(_) => return,
            }
            chunk = rest;
            base += head.len() as u64;
        }
        if let Err(e) = std::str::from_utf8(chunk) {
            let valid = e.valid_up_to();
            let at = base + valid as u64;
            if e.error_len().is_some() {
                self.error = Some(at);
                return;
            }
            // An incomplete (but so far valid) character at the end of the chunk: at most 3 bytes.
            let tail = chunk.get(valid..).unwrap_or_default();
            self.pending_len = 0;
            for &b in tail {
                if let Some(slot) = self.pending.get_mut(self.pending_len) {
                    *slot = b;
                    self.pending_len += 1;
                }
            }
            self.pending_start = at;
        }
    }

    /// End of input: a character still incomplete is an error.
    fn finish(&mut self) {
        if self.error.is_none() && self.pending_len > 0 {
            self.error = Some(self.pending_start);
        }
    }
}

/// Length of the UTF-8 sequence a (valid) lead byte starts.
fn utf8_sequence_len(lead: u8) -> usize {
    match lead {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// Incremental CP932 validation with `encoding_rs`'s `Shift_JIS` decoder, output discarded.
struct Cp932Validator {
    decoder: Decoder,
    /// Bytes consumed by the decoder so far.
    consumed: u64,
    /// Absolute offset of the first invalid sequence.
    error: Option<u64>,
    scratch: Vec<u8>,
    /// The last chunk has been fed: the decoder takes nothing more.
    ended: bool,
}

impl Cp932Validator {
    fn new() -> Self {
        Cp932Validator {
            decoder: SHIFT_JIS.new_decoder_without_bom_handling(),
            consumed: 0,
            error: None,
            scratch: Vec::new(),
            ended: false,
        }
    }

    fn feed(&mut self, chunk: &[u8], last: bool) {
        if self.error.is_some() || self.ended {
            return;
        }
        self.ended = last;
        if self.scratch.is_empty() {
            self.scratch = vec![0; SCRATCH_LEN];
        }
        let mut src = chunk;
        loop {
            let (result, read, written) =
                self.decoder
                    .decode_to_utf8_without_replacement(src, &mut self.scratch, last);
            self.consumed += read as u64;
            src = src.get(read..).unwrap_or_default();
            match result {
                DecoderResult::InputEmpty => return,
                DecoderResult::OutputFull if read > 0 || written > 0 => {}
                DecoderResult::OutputFull => {
                    // No progress despite a 16 KiB buffer: cannot happen; never loop forever.
                    self.error = Some(self.consumed);
                    return;
                }
                DecoderResult::Malformed(bad, after) => {
                    let back = u64::from(bad) + u64::from(after);
                    self.error = Some(self.consumed.saturating_sub(back));
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{decode_strict, encode_strict};
    use proptest::prelude::*;

    fn cp932(s: &str) -> Vec<u8> {
        encode_strict(s, Encoding::Cp932).unwrap().into_owned()
    }

    /// Found by the `validate_flags` fuzz target: after a BOM followed by invalid UTF-8 the
    /// detector stopped validating CP932, so where the first chunk ended decided whether the
    /// CP932 failure was seen. The validator feeds the detector from a file's first non-ASCII
    /// byte, which may be a BOM's bytes in mid-file: the same file was CP932 whole and UTF-8 in
    /// chunks (`fuzz/regressions/validate_flags/bom-bytes-in-mid-file`).
    #[test]
    fn invalid_offsets_do_not_depend_on_chunking_after_a_bom() {
        // EF BB BF, NUL, then E5 A5 ',' (invalid UTF-8 at 4); EF BB is not CP932 (invalid at 0).
        let data = b"\xef\xbb\xbf\x00\xe5\xa5,\xe7\x95\xb0";
        let mut whole = EncodingDetector::new();
        whole.feed(data);
        assert_eq!(whole.invalid_offsets(), (Some(4), Some(0)));
        for size in 1..data.len() {
            let mut chunked = EncodingDetector::new();
            for c in data.chunks(size) {
                chunked.feed(c);
            }
            assert_eq!(
                chunked.invalid_offsets(),
                whole.invalid_offsets(),
                "chunks of {size}"
            );
        }
        assert!(matches!(
            whole.finish(),
            Err(TextError::BomThenInvalidUtf8 { offset: 4 })
        ));
    }

    fn detect_chunked(bytes: &[u8], size: usize) -> Result<Detection, TextError> {
        let mut d = EncodingDetector::new();
        for chunk in bytes.chunks(size.max(1)) {
            d.feed(chunk);
        }
        assert_eq!(d.bytes_seen(), bytes.len() as u64);
        d.finish()
    }

    /// Reference: whole-buffer offsets from std and encoding_rs.
    fn reference(bytes: &[u8]) -> Result<Detection, TextError> {
        let utf8 = std::str::from_utf8(bytes).map_err(|e| e.valid_up_to() as u64);
        let bom = bytes.starts_with(&UTF8_BOM);
        match utf8 {
            Ok(_) => Ok(Detection {
                encoding: Encoding::Utf8,
                bom,
            }),
            Err(offset) if bom => Err(TextError::BomThenInvalidUtf8 { offset }),
            Err(utf8_offset) => match decode_strict(bytes, Encoding::Cp932) {
                Ok(_) => Ok(Detection {
                    encoding: Encoding::Cp932,
                    bom: false,
                }),
                Err(TextError::InvalidBytes { offset, .. }) => Err(TextError::NotUtf8NorCp932 {
                    utf8_offset,
                    cp932_offset: offset,
                }),
                Err(e) => panic!("unexpected {e:?}"),
            },
        }
    }

    const UTF8_DET: Detection = Detection {
        encoding: Encoding::Utf8,
        bom: false,
    };
    const CP932_DET: Detection = Detection {
        encoding: Encoding::Cp932,
        bom: false,
    };

    #[test]
    fn empty_and_ascii_are_utf8() {
        assert_eq!(detect(b""), Ok(UTF8_DET));
        assert_eq!(EncodingDetector::new().finish(), Ok(UTF8_DET));
        assert_eq!(detect(b"code,name\r\n131016,abc\r\n"), Ok(UTF8_DET));
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let text = "自治体コード,氏名\r\n131016,山田太郎\r\n";
        assert_eq!(detect(text.as_bytes()), Ok(UTF8_DET));
        let mut with_bom = UTF8_BOM.to_vec();
        with_bom.extend_from_slice(text.as_bytes());
        let expected = Detection {
            encoding: Encoding::Utf8,
            bom: true,
        };
        assert_eq!(detect(&with_bom), Ok(expected));
        assert_eq!(detect(&UTF8_BOM), Ok(expected));
        // BOM split over chunks.
        for size in 1..=4 {
            assert_eq!(detect_chunked(&with_bom, size), Ok(expected), "{size}");
        }
        // A BOM that is not at the start is just U+FEFF, not a BOM.
        let mut late = b"a".to_vec();
        late.extend_from_slice(&UTF8_BOM);
        assert_eq!(detect(&late), Ok(UTF8_DET));
    }

    #[test]
    fn cp932_names_and_half_width_kana() {
        let yamada = cp932("山田太郎");
        assert_eq!(yamada, b"\x8E\x52\x93\x63\x91\xBE\x98\x59");
        assert_eq!(detect(&yamada), Ok(CP932_DET));
        let kana = cp932("ﾔﾏﾀﾞ ﾀﾛｳ");
        assert!(std::str::from_utf8(&kana).is_err());
        assert_eq!(detect(&kana), Ok(CP932_DET));
        let file = cp932("氏名,カナ\r\n髙﨑 花子,ﾀｶｻｷ ﾊﾅｺ\r\n");
        assert_eq!(detect(&file), Ok(CP932_DET));
        for size in [1, 2, 3, 7] {
            assert_eq!(detect_chunked(&file, size), Ok(CP932_DET));
        }
    }

    fn ascii_prefix_then_cp932() -> Vec<u8> {
        let mut bytes = Vec::with_capacity(70_000);
        while bytes.len() < 64 * 1024 {
            bytes.extend_from_slice(b"131016,0000000001,20210412,ABC123\r\n");
        }
        bytes.truncate(64 * 1024);
        bytes.extend_from_slice(&cp932("\r\n131016,山田太郎,ﾔﾏﾀﾞ ﾀﾛｳ\r\n"));
        bytes
    }

    #[test]
    fn no_prefix_sampling() {
        let bytes = ascii_prefix_then_cp932();
        assert!(bytes[..64 * 1024].is_ascii());
        assert_eq!(detect(&bytes), Ok(CP932_DET));
        assert_eq!(detect_chunked(&bytes, 4096), Ok(CP932_DET));
        assert_eq!(detect_chunked(&bytes, 65_537), Ok(CP932_DET));
    }

    #[test]
    fn no_prefix_sampling_one_byte_chunks() {
        let bytes = ascii_prefix_then_cp932();
        assert_eq!(detect_chunked(&bytes, 1), Ok(CP932_DET));
    }

    #[test]
    fn utf8_char_split_across_chunks() {
        let text = "ab山田😀c".as_bytes();
        // Every possible two-way and three-way split.
        for i in 0..=text.len() {
            for j in i..=text.len() {
                let mut d = EncodingDetector::new();
                d.feed(&text[..i]);
                d.feed(&text[i..j]);
                d.feed(&text[j..]);
                assert_eq!(d.finish(), Ok(UTF8_DET), "split at {i},{j}");
            }
        }
        // The first chunk ends inside 山 (E5 B1 B1).
        let mut d = EncodingDetector::new();
        d.feed(b"ab\xE5");
        assert!(d.utf8_possible());
        d.feed(b"\xB1\xB1");
        assert_eq!(d.finish(), Ok(UTF8_DET));
    }

    #[test]
    fn truncated_utf8_at_end_is_invalid() {
        // "a" + first two bytes of 山: not UTF-8; as CP932, E5 B1 is a valid kanji.
        assert_eq!(detect_chunked(b"a\xE5\xB1", 1), Ok(CP932_DET));
        // E5 alone at the end is invalid in both.
        assert_eq!(
            detect_chunked(b"ab\xE5", 1),
            Err(TextError::NotUtf8NorCp932 {
                utf8_offset: 2,
                cp932_offset: 2
            })
        );
    }

    #[test]
    fn invalid_in_both_gives_both_offsets() {
        // UTF-8 fails at 4 (CP932 bytes of 山), CP932 fails at 9 (0xFF).
        let mut bytes = b"abcd".to_vec();
        bytes.extend_from_slice(&cp932("山田"));
        bytes.extend_from_slice(b"x\xFFyz");
        let expected = Err(TextError::NotUtf8NorCp932 {
            utf8_offset: 4,
            cp932_offset: 9,
        });
        assert_eq!(detect(&bytes), expected);
        for size in 1..=bytes.len() {
            assert_eq!(detect_chunked(&bytes, size), expected, "{size}");
        }
        // UTF-8 text that later contains CP932 bytes: "aà" (61 C3 A0) then 山 (8E 52).
        // 0xA0 is a UTF-8 continuation byte but never valid in CP932.
        let mut mixed = "aà".as_bytes().to_vec();
        mixed.extend_from_slice(b"\x8E\x52");
        assert_eq!(
            detect(&mixed),
            Err(TextError::NotUtf8NorCp932 {
                utf8_offset: 3,
                cp932_offset: 2
            })
        );
        // Most UTF-8 Japanese happens to be structurally valid CP932 too: 山 (E5 B1 B1)
        // followed by CP932 山 reads as CP932, which is why UTF-8 is tried first.
        let mut ambiguous = "山".as_bytes().to_vec();
        ambiguous.extend_from_slice(b"\x8E\x52");
        assert_eq!(detect(&ambiguous), Ok(CP932_DET));
    }

    #[test]
    fn bom_then_cp932_is_an_error() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice(b"id,");
        bytes.extend_from_slice(&cp932("山田太郎"));
        let expected = Err(TextError::BomThenInvalidUtf8 { offset: 6 });
        assert_eq!(detect(&bytes), expected);
        assert_eq!(detect_chunked(&bytes, 1), expected);
        assert_eq!(detect_chunked(&bytes, 2), expected);
    }

    #[test]
    fn debug_does_not_dump_content() {
        let mut d = EncodingDetector::default();
        d.feed(b"secret");
        let dbg = format!("{d:?}");
        assert!(dbg.contains("bytes_seen: 6"));
        assert!(!dbg.contains("secret"));
    }

    fn japanese_text() -> impl Strategy<Value = String> {
        let pieces = prop_oneof![
            proptest::char::range('ぁ', 'ん'),
            proptest::char::range('ァ', 'ヶ'),
            proptest::char::range('ｦ', 'ﾟ'),
            proptest::sample::select(
                "山田太郎花子髙﨑橋本渡邊齋藤東京都千代田区接種券番号予防接種台帳"
                    .chars()
                    .collect::<Vec<_>>()
            ),
            proptest::char::range('0', 'z'),
        ];
        proptest::collection::vec(pieces, 1..60).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn chunked_equals_whole_and_reference(
            bytes in proptest::collection::vec(
                prop_oneof![any::<u8>(), Just(0x8E), Just(0xE5), Just(0xB1), Just(b'a')],
                0..80,
            ),
            sizes in proptest::collection::vec(1usize..8, 1..20),
        ) {
            let whole = detect(&bytes);
            prop_assert_eq!(&whole, &reference(&bytes));
            let mut d = EncodingDetector::new();
            let mut rest = &bytes[..];
            let mut i = 0;
            while !rest.is_empty() {
                let n = sizes[i % sizes.len()].min(rest.len());
                d.feed(&rest[..n]);
                rest = &rest[n..];
                i += 1;
            }
            prop_assert_eq!(d.finish(), whole);
        }

        #[test]
        fn chunked_valid_text(text in japanese_text(), size in 1usize..9) {
            let mut with_bom = UTF8_BOM.to_vec();
            with_bom.extend_from_slice(text.as_bytes());
            prop_assert_eq!(detect_chunked(text.as_bytes(), size), Ok(UTF8_DET));
            prop_assert_eq!(
                detect_chunked(&with_bom, size),
                Ok(Detection { encoding: Encoding::Utf8, bom: true })
            );
        }

        #[test]
        fn cp932_encoded_japanese_is_detected_as_cp932(text in japanese_text(), size in 1usize..9) {
            prop_assume!(!text.is_ascii());
            let bytes = cp932(&text);
            let expected = if std::str::from_utf8(&bytes).is_err() { CP932_DET } else { UTF8_DET };
            prop_assert_eq!(detect(&bytes), Ok(expected));
            prop_assert_eq!(detect_chunked(&bytes, size), Ok(expected));
            if expected == CP932_DET {
                let decoded = decode_strict(&bytes, Encoding::Cp932).unwrap();
                prop_assert_eq!(decoded.as_ref(), text.as_str());
            }
        }
    }
}
