//! Byte tests eight bytes at a time (one `u64` word), for the per-field scans every row
//! pays for: commas of a line, digit-only fields, control characters. Exact: each test
//! sets the high bit of a byte from that byte alone (no carry or borrow crosses bytes), or
//! answers yes or no for the whole word.

const ONES: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;

/// The word of up to eight bytes, little-endian (byte 0 in the low bits); missing bytes are
/// spaces, which are neither commas, digits, controls nor non-ASCII.
pub(crate) fn word(bytes: &[u8]) -> u64 {
    match <[u8; 8]>::try_from(bytes) {
        Ok(whole) => u64::from_le_bytes(whole),
        Err(_) => {
            let mut padded = [b' '; 8];
            let n = bytes.len().min(8);
            padded[..n].copy_from_slice(&bytes[..n]);
            u64::from_le_bytes(padded)
        }
    }
}

/// The high bit of each byte of `word` that is zero.
pub(crate) fn zero_bytes(word: u64) -> u64 {
    // Per byte: high bit set when the byte is not zero (its low seven bits, or the high bit).
    !(((word & LOW7) + LOW7) | word | LOW7)
}

/// The high bit of each byte of `word` equal to `byte`.
pub(crate) fn bytes_equal(word: u64, byte: u8) -> u64 {
    zero_bytes(word ^ (ONES * u64::from(byte)))
}

/// Whether `s` is made of ASCII digits only (true for the empty string).
pub(crate) fn all_ascii_digits(s: &str) -> bool {
    let mut words = s.as_bytes().chunks_exact(8);
    for w in &mut words {
        // '0'..'9' become 0..9; anything else has a high nibble or reaches 0x10 when 6 is added.
        let y = word(w) ^ (ONES * 0x30);
        if y & (ONES * 0xF0) != 0 || (y + ONES * 6) & (ONES * 0x10) != 0 {
            return false;
        }
    }
    words.remainder().iter().all(u8::is_ascii_digit)
}

/// Whether any byte of `word` is zero (exact as a yes/no answer, not per byte).
fn any_zero(word: u64) -> bool {
    word.wrapping_sub(ONES) & !word & (ONES * 0x80) != 0
}

/// Whether any byte of `word` is a C0 control (below 0x20) or DEL (exact as a yes/no answer).
pub(crate) fn c0_or_del(word: u64) -> bool {
    // Below 0x20: bytes 0x00..0x1F have neither bit 5, 6 nor 7 set.
    any_zero(word & (ONES * 0xE0)) | any_zero(word ^ (ONES * 0x7F))
}

/// Whether `s` holds a C1 control or U+FEFF: the lead bytes of the two multi-byte cases (a C1
/// control is `C2 80..9F` in UTF-8, U+FEFF is `EF BB BF`), found by memchr, and the bytes
/// after each.
pub(crate) fn c1_or_bom(s: &str) -> bool {
    let bytes = s.as_bytes();
    memchr::memchr2_iter(0xC2, 0xEF, bytes).any(|i| match bytes[i] {
        0xC2 => bytes.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n)),
        _ => bytes.get(i + 1..i + 3) == Some(&[0xBB, 0xBF][..]),
    })
}

/// Whether `s` holds a control character (C0, DEL, C1) or U+FEFF. C0 and DEL eight bytes at a
/// time; then, in non-ASCII text, C1 and U+FEFF ([`c1_or_bom`]).
pub(crate) fn holds_control(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut words = bytes.chunks_exact(8);
    let mut found = false;
    for w in &mut words {
        found |= c0_or_del(word(w));
    }
    if found || words.remainder().iter().any(|&b| b < 0x20 || b == 0x7F) {
        return true;
    }
    !s.is_ascii() && c1_or_bom(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn word_tests_mark_exactly_their_bytes() {
        for byte in 0..=255u8 {
            for at in 0..8 {
                // The byte among neighbours that would show a carry or a borrow.
                for fill in [b',', b'-', b'0', b'9', 0xFF, 0x00, 0x1F, 0x20, 0x7F, 0x80] {
                    let mut w = [fill; 8];
                    w[at] = byte;
                    let mask = |f: &dyn Fn(u8) -> bool| {
                        w.iter()
                            .enumerate()
                            .filter(|(_, b)| f(**b))
                            .fold(0u64, |m, (i, _)| m | 0x80 << (8 * i))
                    };
                    let x = u64::from_le_bytes(w);
                    assert_eq!(zero_bytes(x), mask(&|b| b == 0), "{w:?}");
                    assert_eq!(bytes_equal(x, b','), mask(&|b| b == b','), "{w:?}");
                    assert_eq!(any_zero(x), w.contains(&0), "{w:?}");
                }
            }
        }
    }

    #[test]
    fn control_detection_agrees_with_the_exact_scan() {
        let samples = [
            "",
            "abc",
            "12345678901234567",
            "山田\u{0}一郎",
            "abcdefgh\u{7F}",
            "a\tb",
            "区民会館",
            "x\u{85}y",
            "abcdefghij\u{FEFF}",
            "ＡＢＣ１２３",
            "武田／モデルナ",
            "¥100",
            "\u{9F}",
            "ok ok ok ok ok ok",
            "ﾃﾞ",
            "\u{FEFE}",
            "0123456\u{1F}",
        ];
        for s in samples {
            assert_eq!(
                holds_control(s),
                crate::text::first_control_char(s).is_some(),
                "{s:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn word_scans_agree_with_byte_scans(s in "[0-9a\\u{0}-\\u{1F}\\u{7F}-\\u{A0}\\u{FEFF}\\u{FF10}-\\u{FF19}、館]{0,40}") {
            prop_assert_eq!(holds_control(&s), crate::text::first_control_char(&s).is_some());
            prop_assert_eq!(all_ascii_digits(&s), s.bytes().all(|b| b.is_ascii_digit()));
        }

        #[test]
        fn digit_strings_pass(s in "[0-9]{0,40}", junk in any::<char>(), at in 0usize..40) {
            prop_assert!(all_ascii_digits(&s));
            let mut t = s.clone();
            t.insert(at.min(t.len()), junk);
            prop_assert_eq!(all_ascii_digits(&t), junk.is_ascii_digit());
        }
    }
}
