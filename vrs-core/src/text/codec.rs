//! Strict decoding and encoding of single fields or lines.

use std::borrow::Cow;

use encoding_rs::{DecoderResult, EncoderResult, SHIFT_JIS};

use super::{Encoding, TextError};

/// Characters that CP932 can encode but that do not decode back to themselves, with what they
/// decode to.
///
/// This follows from the WHATWG `Shift_JIS` encoder used for CP932: `¥` (U+00A5) is written as
/// byte 0x5C and `‾` (U+203E) as 0x7E, which read back as ASCII `\` and `~`; the MINUS SIGN
/// (U+2212) is written as 0x817C, which reads back as FULLWIDTH HYPHEN-MINUS (U+FF0D). Every
/// other encodable character round-trips (checked exhaustively by the tests).
pub const CP932_NON_ROUND_TRIP: &[(char, char)] = &[
    ('\u{00A5}', '\u{005C}'),
    ('\u{203E}', '\u{007E}'),
    ('\u{2212}', '\u{FF0D}'),
];

/// Strictly decodes one field or line.
///
/// UTF-8 is borrowed when valid. CP932 is borrowed when the bytes are pure ASCII, otherwise
/// decoded without replacement. A BOM is not treated specially (it decodes as U+FEFF in
/// UTF-8); strip it with [`strip_utf8_bom`](super::strip_utf8_bom) first. On error the offset
/// is that of the first invalid byte sequence in `bytes`.
///
/// # Errors
///
/// [`TextError::InvalidBytes`] when `bytes` is not valid in `encoding`.
///
/// ```
/// use std::borrow::Cow;
/// use vrs_core::text::{decode_strict, Encoding, TextError};
///
/// assert!(matches!(decode_strict(b"abc", Encoding::Cp932)?, Cow::Borrowed("abc")));
/// assert_eq!(decode_strict(b"\x8E\x52\x93\x63", Encoding::Cp932)?, "山田");
/// assert_eq!(
///     decode_strict(b"ab\xFF", Encoding::Utf8),
///     Err(TextError::InvalidBytes { encoding: Encoding::Utf8, offset: 2 })
/// );
/// # Ok::<(), TextError>(())
/// ```
pub fn decode_strict(bytes: &[u8], encoding: Encoding) -> Result<Cow<'_, str>, TextError> {
    match encoding {
        Encoding::Utf8 => {
            std::str::from_utf8(bytes)
                .map(Cow::Borrowed)
                .map_err(|e| TextError::InvalidBytes {
                    encoding: Encoding::Utf8,
                    offset: e.valid_up_to() as u64,
                })
        }
        Encoding::Cp932 => decode_cp932(bytes),
    }
}

fn decode_cp932(bytes: &[u8]) -> Result<Cow<'_, str>, TextError> {
    if bytes.is_ascii() {
        if let Ok(s) = std::str::from_utf8(bytes) {
            return Ok(Cow::Borrowed(s));
        }
    }
    let mut decoder = SHIFT_JIS.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len());
    let mut out = String::with_capacity(capacity);
    let mut src = bytes;
    let mut consumed = 0usize;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(src, &mut out, true);
        consumed += read;
        src = src.get(read..).unwrap_or_default();
        match result {
            DecoderResult::InputEmpty => return Ok(Cow::Owned(out)),
            DecoderResult::OutputFull => out.reserve(src.len().saturating_mul(3).max(16)),
            DecoderResult::Malformed(bad, after) => {
                let offset = consumed.saturating_sub(usize::from(bad) + usize::from(after));
                return Err(TextError::InvalidBytes {
                    encoding: Encoding::Cp932,
                    offset: offset as u64,
                });
            }
        }
    }
}

/// Strictly encodes text.
///
/// UTF-8 borrows the bytes of `s`. CP932 borrows when `s` is ASCII, otherwise encodes with
/// `encoding_rs` without replacement; a character CP932 cannot represent (for example U+301C
/// WAVE DASH, where Windows text has U+FF5E) is an [`TextError::Unencodable`] error naming
/// the character, its 1-based character position and byte offset. Nothing is ever substituted.
///
/// # Errors
///
/// [`TextError::Unencodable`] for the first character CP932 cannot represent.
///
/// ```
/// use vrs_core::text::{encode_strict, Encoding};
///
/// assert_eq!(&*encode_strict("髙", Encoding::Cp932)?, b"\xFB\xFC");
/// assert_eq!(&*encode_strict("～", Encoding::Cp932)?, b"\x81\x60");
/// assert!(encode_strict("〜", Encoding::Cp932).is_err());
/// # Ok::<(), vrs_core::text::TextError>(())
/// ```
pub fn encode_strict(s: &str, encoding: Encoding) -> Result<Cow<'_, [u8]>, TextError> {
    match encoding {
        Encoding::Utf8 => Ok(Cow::Borrowed(s.as_bytes())),
        Encoding::Cp932 => {
            if s.is_ascii() {
                return Ok(Cow::Borrowed(s.as_bytes()));
            }
            let mut out = Vec::new();
            encode_cp932_into(s, &mut out)?;
            Ok(Cow::Owned(out))
        }
    }
}

/// Like [`encode_strict`] but appends to `out`, for writers that reuse one buffer.
///
/// # Errors
///
/// [`TextError::Unencodable`] as for [`encode_strict`]; `out` is then left exactly as it was
/// before the call.
///
/// ```
/// use vrs_core::text::{encode_into, Encoding};
///
/// let mut buf = b"id,".to_vec();
/// encode_into("ｶﾅ", Encoding::Cp932, &mut buf)?;
/// assert_eq!(buf, b"id,\xB6\xC5");
/// assert!(encode_into("x〜", Encoding::Cp932, &mut buf).is_err());
/// assert_eq!(buf, b"id,\xB6\xC5");
/// # Ok::<(), vrs_core::text::TextError>(())
/// ```
pub fn encode_into(s: &str, encoding: Encoding, out: &mut Vec<u8>) -> Result<(), TextError> {
    match encoding {
        Encoding::Utf8 => {
            out.extend_from_slice(s.as_bytes());
            Ok(())
        }
        Encoding::Cp932 => encode_cp932_into(s, out),
    }
}

fn encode_cp932_into(s: &str, out: &mut Vec<u8>) -> Result<(), TextError> {
    let start = out.len();
    let ascii = encoding_rs::Encoding::ascii_valid_up_to(s.as_bytes());
    if ascii == s.len() {
        out.extend_from_slice(s.as_bytes());
        return Ok(());
    }
    let mut encoder = SHIFT_JIS.new_encoder();
    out.reserve(
        encoder
            .max_buffer_length_from_utf8_without_replacement(s.len())
            .unwrap_or(s.len()),
    );
    let mut src = s;
    let mut consumed = 0usize;
    loop {
        let (result, read) = encoder.encode_from_utf8_to_vec_without_replacement(src, out, true);
        consumed += read;
        src = src.get(read..).unwrap_or_default();
        match result {
            EncoderResult::InputEmpty => return Ok(()),
            EncoderResult::OutputFull => out.reserve(src.len().saturating_mul(2).max(8)),
            EncoderResult::Unmappable(ch) => {
                out.truncate(start);
                let byte_offset = consumed.saturating_sub(ch.len_utf8());
                let position = s.get(..byte_offset).map_or(0, |p| p.chars().count()) + 1;
                return Err(TextError::Unencodable {
                    ch,
                    position,
                    byte_offset,
                    encoding: Encoding::Cp932,
                });
            }
        }
    }
}

/// Whether CP932 can encode `c` (see [`CP932_NON_ROUND_TRIP`] for the three encodable
/// characters that come back as something else).
///
/// ```
/// use vrs_core::text::is_cp932_encodable;
///
/// assert!(is_cp932_encodable('﨑'));
/// assert!(!is_cp932_encodable('〜'));
/// ```
#[must_use]
pub fn is_cp932_encodable(c: char) -> bool {
    if c.is_ascii() {
        return true;
    }
    let mut utf8 = [0u8; 4];
    let src: &str = c.encode_utf8(&mut utf8);
    let mut dst = [0u8; 8];
    let mut encoder = SHIFT_JIS.new_encoder();
    let (result, _, _) = encoder.encode_from_utf8_without_replacement(src, &mut dst, true);
    result == EncoderResult::InputEmpty
}

/// The number of bytes `s` takes in CP932, or `None` if it contains a character CP932 cannot
/// encode. For a byte-width limit mode (domain reference §6.1).
///
/// ```
/// use vrs_core::text::cp932_byte_len;
///
/// assert_eq!(cp932_byte_len("AB山田ｶﾅ"), Some(8));
/// assert_eq!(cp932_byte_len("〜"), None);
/// ```
#[must_use]
pub fn cp932_byte_len(s: &str) -> Option<usize> {
    let ascii = encoding_rs::Encoding::ascii_valid_up_to(s.as_bytes());
    if ascii == s.len() {
        return Some(s.len());
    }
    let mut src = s.get(ascii..)?;
    let mut total = ascii;
    let mut encoder = SHIFT_JIS.new_encoder();
    let mut buf = [0u8; 512];
    loop {
        let (result, read, written) =
            encoder.encode_from_utf8_without_replacement(src, &mut buf, true);
        total += written;
        src = src.get(read..)?;
        match result {
            EncoderResult::InputEmpty => return Some(total),
            EncoderResult::OutputFull if read > 0 || written > 0 => {}
            // No progress (cannot happen with a 512-byte buffer) or an unmappable character.
            EncoderResult::OutputFull | EncoderResult::Unmappable(_) => return None,
        }
    }
}

/// A CP932-encodable look-alike for a character that CP932 cannot encode, to suggest in a
/// message; `None` when there is no well-known one.
///
/// Covers the classic JIS-versus-Microsoft mapping differences: U+301C WAVE DASH → U+FF5E,
/// U+2016 → U+2225, U+2014 EM DASH → U+2015, U+00A2/U+00A3/U+00AC/U+00A6 → their full-width
/// forms (the entries of [`CP932_MAPPING_DIFFERENCES`](super::CP932_MAPPING_DIFFERENCES) that
/// CP932 cannot encode). The encoders never substitute on their own; the registry folds these at
/// entry with [`fold_to_cp932`](super::fold_to_cp932).
///
/// ```
/// use vrs_core::text::cp932_suggestion;
///
/// assert_eq!(cp932_suggestion('〜'), Some('～'));
/// assert_eq!(cp932_suggestion('山'), None);
/// ```
#[must_use]
pub fn cp932_suggestion(c: char) -> Option<char> {
    // The look-alikes are the mapping differences whose JIS form CP932 cannot encode at all.
    super::CP932_MAPPING_DIFFERENCES
        .iter()
        .find(|d| d.from == c && !is_cp932_encodable(c))
        .map(|d| d.to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cp932(s: &str) -> Vec<u8> {
        match encode_strict(s, Encoding::Cp932) {
            Ok(b) => b.into_owned(),
            Err(e) => panic!("cannot encode {s:?}: {e}"),
        }
    }

    fn decode_char(bytes: &[u8]) -> Option<String> {
        decode_strict(bytes, Encoding::Cp932)
            .ok()
            .map(Cow::into_owned)
    }

    /// All characters that CP932 encodes and decodes back to themselves.
    fn round_trip_chars() -> Vec<char> {
        (0..=0xFFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| is_cp932_encodable(c))
            .filter(|&c| {
                let s = c.to_string();
                decode_char(&cp932(&s)).as_deref() == Some(s.as_str())
            })
            .collect()
    }

    #[test]
    fn utf8_decode_borrows_and_reports_offsets() {
        let d = decode_strict("山田".as_bytes(), Encoding::Utf8);
        assert!(matches!(d, Ok(Cow::Borrowed("山田"))));
        // Truncated 3-byte sequence at the end.
        assert_eq!(
            decode_strict(b"abc\xE5\xB1", Encoding::Utf8),
            Err(TextError::InvalidBytes {
                encoding: Encoding::Utf8,
                offset: 3
            })
        );
        // CP932 bytes are not UTF-8.
        assert_eq!(
            decode_strict(b"\x8E\x52", Encoding::Utf8),
            Err(TextError::InvalidBytes {
                encoding: Encoding::Utf8,
                offset: 0
            })
        );
        // A BOM is just U+FEFF to the per-field decoder.
        assert_eq!(
            decode_strict(b"\xEF\xBB\xBFa", Encoding::Utf8).as_deref(),
            Ok("\u{FEFF}a")
        );
    }

    #[test]
    fn cp932_decode() {
        assert!(matches!(
            decode_strict(b"A1,\\~", Encoding::Cp932),
            Ok(Cow::Borrowed("A1,\\~"))
        ));
        assert_eq!(
            decode_strict(b"\x8E\x52\x93\x63\x91\xBE\x98\x59", Encoding::Cp932).as_deref(),
            Ok("山田太郎")
        );
        assert_eq!(
            decode_strict(b"\xB6\xDE", Encoding::Cp932).as_deref(),
            Ok("ｶﾞ")
        );
        assert_eq!(decode_strict(b"", Encoding::Cp932).as_deref(), Ok(""));
        // Invalid single bytes.
        for (bytes, offset) in [
            (&b"ab\xA0"[..], 2u64),
            (b"\xFD", 0),
            (b"x\xFFy", 1),
            // Lead byte at the end of the field.
            (b"abc\x8E", 3),
            // Lead byte followed by a byte that cannot be a trail byte.
            (b"a\x81\x20b", 1),
            (b"\x8E\x52\x81\x7F", 2),
        ] {
            assert_eq!(
                decode_strict(bytes, Encoding::Cp932),
                Err(TextError::InvalidBytes {
                    encoding: Encoding::Cp932,
                    offset
                }),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn cp932_encodes_ibm_extensions_and_round_trips() {
        let taka = cp932("髙");
        assert_eq!(taka, b"\xFB\xFC");
        assert_eq!(decode_char(&taka).as_deref(), Some("髙"));
        let saki = cp932("﨑");
        assert_eq!(saki, b"\xFA\xB1");
        assert_eq!(decode_char(&saki).as_deref(), Some("﨑"));
        let name = "髙﨑 太郎";
        assert_eq!(decode_char(&cp932(name)).as_deref(), Some(name));
    }

    #[test]
    fn cp932_encode_known_bytes() {
        assert_eq!(cp932("山田太郎"), b"\x8E\x52\x93\x63\x91\xBE\x98\x59");
        assert_eq!(cp932("ｶﾞ"), b"\xB6\xDE");
        assert_eq!(cp932("～"), b"\x81\x60"); // U+FF5E FULLWIDTH TILDE
        assert_eq!(cp932("∥"), b"\x81\x61"); // U+2225
        assert_eq!(cp932("①"), b"\x87\x40"); // NEC row 13
        assert!(matches!(
            encode_strict("abc", Encoding::Cp932),
            Ok(Cow::Borrowed(b"abc"))
        ));
        assert!(matches!(
            encode_strict("山", Encoding::Utf8),
            Ok(Cow::Borrowed(b"\xE5\xB1\xB1"))
        ));
    }

    #[test]
    fn wave_dash_is_an_error_naming_it() {
        let err = encode_strict("山田〜太郎", Encoding::Cp932);
        assert_eq!(
            err,
            Err(TextError::Unencodable {
                ch: '\u{301C}',
                position: 3,
                byte_offset: 6,
                encoding: Encoding::Cp932
            })
        );
        let msg = err.map(|_| ()).unwrap_err().to_string();
        assert!(msg.contains("U+301C"), "{msg}");
        assert!(msg.contains("position 3"), "{msg}");
        // First unencodable character wins; positions count characters, not bytes.
        assert_eq!(
            encode_strict("ab😀〜", Encoding::Cp932),
            Err(TextError::Unencodable {
                ch: '😀',
                position: 3,
                byte_offset: 2,
                encoding: Encoding::Cp932
            })
        );
    }

    #[test]
    fn encode_into_appends_and_restores_on_error() {
        let mut out = Vec::with_capacity(4);
        encode_into("a", Encoding::Cp932, &mut out).unwrap();
        encode_into("山田", Encoding::Cp932, &mut out).unwrap();
        encode_into("山", Encoding::Utf8, &mut out).unwrap();
        assert_eq!(out, b"a\x8E\x52\x93\x63\xE5\xB1\xB1");
        let before = out.clone();
        let err = encode_into("山田\u{2014}", Encoding::Cp932, &mut out);
        assert!(matches!(
            err,
            Err(TextError::Unencodable {
                ch: '\u{2014}',
                position: 3,
                ..
            })
        ));
        assert_eq!(out, before);
        // Long input crosses any internal buffer size.
        let long = "髙橋ｶﾅabc".repeat(5000);
        let mut out = Vec::new();
        encode_into(&long, Encoding::Cp932, &mut out).unwrap();
        assert_eq!(out, cp932(&long));
        assert_eq!(decode_char(&out).as_deref(), Some(long.as_str()));
    }

    #[test]
    fn encodable_predicate_and_byte_len() {
        assert!(is_cp932_encodable('a'));
        assert!(is_cp932_encodable('\u{0080}'));
        assert!(is_cp932_encodable('ｱ'));
        assert!(is_cp932_encodable('髙'));
        assert!(is_cp932_encodable('\u{FF5E}'));
        assert!(!is_cp932_encodable('\u{301C}'));
        assert!(!is_cp932_encodable('😀'));
        assert!(!is_cp932_encodable('\u{E000}'));
        assert!(!is_cp932_encodable('한'));
        assert_eq!(cp932_byte_len(""), Some(0));
        assert_eq!(cp932_byte_len("abc"), Some(3));
        assert_eq!(cp932_byte_len("ｱｲｳ"), Some(3));
        assert_eq!(cp932_byte_len("山田太郎"), Some(8));
        assert_eq!(cp932_byte_len("a〜"), None);
        let long = "髙ｱa".repeat(1000);
        assert_eq!(cp932_byte_len(&long), Some(4000));
    }

    #[test]
    fn eudc_decodes_to_private_use_but_does_not_encode() {
        assert_eq!(
            decode_strict(b"\xF0\x40", Encoding::Cp932).as_deref(),
            Ok("\u{E000}")
        );
        assert!(matches!(
            encode_strict("\u{E000}", Encoding::Cp932),
            Err(TextError::Unencodable { ch: '\u{E000}', .. })
        ));
    }

    #[test]
    fn suggestions_are_unencodable_to_encodable() {
        let mut suggested = 0;
        for d in super::super::CP932_MAPPING_DIFFERENCES {
            assert!(is_cp932_encodable(d.to), "{:?} should be encodable", d.to);
            if !is_cp932_encodable(d.from) {
                assert_eq!(cp932_suggestion(d.from), Some(d.to));
                suggested += 1;
            }
        }
        assert_eq!(suggested, 7, "〜 ‖ — ¢ £ ¬ ¦");
        assert_eq!(
            cp932_suggestion('\u{2212}'),
            None,
            "encodable: no suggestion"
        );
        assert_eq!(cp932_suggestion('a'), None);
    }

    /// Exhaustive: exactly the documented characters are encodable without round-tripping.
    #[test]
    fn non_round_trip_set_is_exactly_documented() {
        let mut found = Vec::new();
        let mut encodable = 0usize;
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if !is_cp932_encodable(c) {
                continue;
            }
            encodable += 1;
            let s = c.to_string();
            let bytes = cp932(&s);
            assert_eq!(cp932_byte_len(&s), Some(bytes.len()));
            let back = decode_char(&bytes);
            if back.as_deref() != Some(s.as_str()) {
                let back = back.unwrap_or_default();
                let mut chars = back.chars();
                let b = chars.next().unwrap_or('\0');
                assert_eq!(chars.next(), None, "{c:?} decoded to several chars");
                found.push((c, b));
            }
        }
        assert_eq!(found, CP932_NON_ROUND_TRIP);
        // 128 ASCII + U+0080 + 63 half-width kana + the double-byte repertoire.
        assert!(encodable > 7_000, "only {encodable} encodable chars");
    }

    fn encodable_string() -> impl Strategy<Value = String> {
        let chars = round_trip_chars();
        proptest::collection::vec(proptest::sample::select(chars), 0..40)
            .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn utf8_round_trip(s in any::<String>()) {
            let bytes = encode_strict(&s, Encoding::Utf8).unwrap();
            prop_assert!(matches!(bytes, Cow::Borrowed(_)));
            let back = decode_strict(&bytes, Encoding::Utf8).unwrap();
            prop_assert_eq!(back.as_ref(), s.as_str());
        }

        #[test]
        fn cp932_round_trip(s in encodable_string()) {
            let bytes = encode_strict(&s, Encoding::Cp932).unwrap();
            prop_assert_eq!(cp932_byte_len(&s), Some(bytes.len()));
            let mut appended = vec![b'x'];
            encode_into(&s, Encoding::Cp932, &mut appended).unwrap();
            prop_assert_eq!(&appended[1..], &bytes[..]);
            let back = decode_strict(&bytes, Encoding::Cp932).unwrap();
            prop_assert_eq!(back.as_ref(), s.as_str());
        }

        #[test]
        fn cp932_decode_never_panics_and_offsets_are_in_range(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            match decode_strict(&bytes, Encoding::Cp932) {
                Ok(s) => {
                    // Strict: nothing is ever replaced.
                    let replaced = s.contains('\u{FFFD}');
                    prop_assert!(!replaced);
                }
                Err(TextError::InvalidBytes { encoding: Encoding::Cp932, offset }) => {
                    prop_assert!((offset as usize) < bytes.len());
                    // The prefix before the offset is not where the problem is.
                    let prefix = &bytes[..offset as usize];
                    let ok_prefix = decode_strict(prefix, Encoding::Cp932).is_ok();
                    prop_assert!(ok_prefix);
                }
                Err(e) => prop_assert!(false, "unexpected error {e:?}"),
            }
        }

        #[test]
        fn unencodable_error_points_at_the_char(prefix in encodable_string(), suffix in encodable_string()) {
            let s = format!("{prefix}\u{301C}{suffix}");
            match encode_strict(&s, Encoding::Cp932) {
                Err(TextError::Unencodable { ch, position, byte_offset, encoding }) => {
                    prop_assert_eq!(ch, '\u{301C}');
                    prop_assert_eq!(position, prefix.chars().count() + 1);
                    prop_assert_eq!(byte_offset, prefix.len());
                    prop_assert_eq!(encoding, Encoding::Cp932);
                }
                other => prop_assert!(false, "unexpected {other:?}"),
            }
            prop_assert_eq!(cp932_byte_len(&s), None);
        }
    }
}
