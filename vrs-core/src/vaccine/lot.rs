//! Lot numbers (ロット番号): the general check and per-manufacturer shapes.

use std::borrow::Cow;

use super::error::VaccineError;

/// Maximum length of a lot number in characters [CONFIRMED S3].
pub const MAX_LOT_LEN: usize = 20;

/// Folds one full-width ASCII character (U+FF01..=U+FF5E) to ASCII.
pub(super) fn fold_full_width(c: char) -> char {
    match u32::from(c) {
        cp @ 0xFF01..=0xFF5E => char::from_u32(cp - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Whether `c` is in the full-width ASCII block.
pub(super) fn is_full_width_ascii(c: char) -> bool {
    matches!(u32::from(c), 0xFF01..=0xFF5E)
}

/// Checks a lot number and returns it with full-width letters, digits and `－` folded
/// to ASCII.
///
/// Accepted: 1 to 20 characters of `0-9`, `A-Z`, `a-z` and `-` (after folding). An
/// all-digit lot that starts with `0` is rejected: numeric lots are written without
/// zero fill [CONFIRMED S3]. Returns the input borrowed when nothing was folded.
/// Letter case is kept.
///
/// ```
/// use vrs_core::vaccine::{check_lot, VaccineError};
/// use std::borrow::Cow;
/// assert!(matches!(check_lot("FJ7489"), Ok(Cow::Borrowed("FJ7489"))));
/// assert_eq!(check_lot("ＦＪ７４８９")?, "FJ7489");
/// assert_eq!(check_lot("FJ 7489"), Err(VaccineError::LotBadCharacter { position: 2 }));
/// assert_eq!(check_lot("0123"), Err(VaccineError::LotZeroFilled));
/// # Ok::<(), VaccineError>(())
/// ```
pub fn check_lot(raw: &str) -> Result<Cow<'_, str>, VaccineError> {
    if raw.is_empty() {
        return Err(VaccineError::LotEmpty);
    }
    let mut count = 0usize;
    let mut needs_folding = false;
    let mut all_digits = true;
    let mut bad: Option<usize> = None;
    for (i, c) in raw.chars().enumerate() {
        count += 1;
        needs_folding |= is_full_width_ascii(c);
        let c = fold_full_width(c);
        all_digits &= c.is_ascii_digit();
        if bad.is_none() && !(c.is_ascii_alphanumeric() || c == '-') {
            bad = Some(i);
        }
    }
    if count > MAX_LOT_LEN {
        return Err(VaccineError::LotTooLong {
            max: MAX_LOT_LEN,
            found: count,
        });
    }
    if let Some(position) = bad {
        return Err(VaccineError::LotBadCharacter { position });
    }
    if all_digits && raw.chars().next().map(fold_full_width) == Some('0') {
        return Err(VaccineError::LotZeroFilled);
    }
    if needs_folding {
        Ok(Cow::Owned(raw.chars().map(fold_full_width).collect()))
    } else {
        Ok(Cow::Borrowed(raw))
    }
}

/// Whether `lot` has the given shape: in `shape`, `A` stands for any ASCII letter,
/// `9` for any ASCII digit, and every other character for itself. The lengths must
/// be equal. `lot` should already have passed [`check_lot`].
///
/// ```
/// use vrs_core::vaccine::lot_has_shape;
/// assert!(lot_has_shape("FJ7489", "AA9999"));
/// assert!(!lot_has_shape("FJ748", "AA9999"));
/// assert!(lot_has_shape("082E21A", "999A99A"));
/// ```
pub fn lot_has_shape(lot: &str, shape: &str) -> bool {
    // Byte by byte while the shape is ASCII (table shapes are): a lot byte outside ASCII then
    // never matches, just as its character would not.
    let (lot_bytes, shape_bytes) = (lot.as_bytes(), shape.as_bytes());
    if shape_bytes.last().is_some_and(u8::is_ascii) {
        let mut matched = lot_bytes.len() == shape_bytes.len();
        for (c, s) in lot_bytes.iter().zip(shape_bytes) {
            matched &= match s {
                b'A' => c.is_ascii_alphabetic(),
                b'9' => c.is_ascii_digit(),
                other if other.is_ascii() => c == other,
                // A shape with a character outside ASCII: compare characters.
                _ => return lot_has_shape_chars(lot, shape),
            };
        }
        return matched;
    }
    lot_has_shape_chars(lot, shape)
}

/// [`lot_has_shape`], character by character.
fn lot_has_shape_chars(lot: &str, shape: &str) -> bool {
    let mut lot_chars = lot.chars();
    for s in shape.chars() {
        let Some(c) = lot_chars.next() else {
            return false;
        };
        let ok = match s {
            'A' => c.is_ascii_alphabetic(),
            '9' => c.is_ascii_digit(),
            other => c == other,
        };
        if !ok {
            return false;
        }
    }
    lot_chars.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn check_lot_cases() {
        assert!(matches!(check_lot("FJ7489"), Ok(Cow::Borrowed("FJ7489"))));
        assert!(matches!(check_lot("3004667"), Ok(Cow::Borrowed(_))));
        assert!(matches!(check_lot("082E21A"), Ok(Cow::Borrowed(_))));
        assert!(matches!(check_lot("ab-12"), Ok(Cow::Borrowed(_))));
        let folded = check_lot("ＦＪ７４８９").unwrap();
        assert!(matches!(folded, Cow::Owned(_)));
        assert_eq!(folded, "FJ7489");
        assert_eq!(check_lot("FJ７489").unwrap(), "FJ7489");
        assert_eq!(check_lot("ＡＢ－１").unwrap(), "AB-1");
        assert_eq!(check_lot(""), Err(VaccineError::LotEmpty));
        assert_eq!(check_lot("0123"), Err(VaccineError::LotZeroFilled));
        assert_eq!(check_lot("０１２３"), Err(VaccineError::LotZeroFilled));
        assert_eq!(check_lot("0"), Err(VaccineError::LotZeroFilled));
        assert!(check_lot("0A12").is_ok());
        assert!(check_lot("1023").is_ok());
        assert_eq!(check_lot(&"A".repeat(20)).unwrap().len(), 20);
        assert_eq!(
            check_lot(&"A".repeat(21)),
            Err(VaccineError::LotTooLong { max: 20, found: 21 })
        );
        assert_eq!(
            check_lot(&"Ａ".repeat(21)),
            Err(VaccineError::LotTooLong { max: 20, found: 21 })
        );
        assert_eq!(
            check_lot("FJ 7489"),
            Err(VaccineError::LotBadCharacter { position: 2 })
        );
        assert_eq!(
            check_lot(" FJ7489"),
            Err(VaccineError::LotBadCharacter { position: 0 })
        );
        assert_eq!(
            check_lot("FJ7489\u{3000}"),
            Err(VaccineError::LotBadCharacter { position: 6 })
        );
        assert_eq!(
            check_lot("ＦＪ７４８９ア"),
            Err(VaccineError::LotBadCharacter { position: 6 })
        );
        assert_eq!(
            check_lot("FJ_7489"),
            Err(VaccineError::LotBadCharacter { position: 2 })
        );
        assert_eq!(
            check_lot("é"),
            Err(VaccineError::LotBadCharacter { position: 0 })
        );
        assert_eq!(
            check_lot("FJ 7489").unwrap_err().to_string(),
            "character 3 of the lot number is not a letter A-Z, a digit 0-9 or '-'"
        );
    }

    #[test]
    fn shapes() {
        assert!(lot_has_shape("FJ7489", "AA9999"));
        assert!(lot_has_shape("fj7489", "AA9999"));
        assert!(!lot_has_shape("F17489", "AA9999"));
        assert!(!lot_has_shape("FJ74890", "AA9999"));
        assert!(lot_has_shape("3004667", "9999999"));
        assert!(!lot_has_shape("300466A", "9999999"));
        assert!(lot_has_shape("AB-12", "AA-99"));
        assert!(!lot_has_shape("AB_12", "AA-99"));
        assert!(lot_has_shape("", ""));
        assert!(!lot_has_shape("A", ""));
    }

    proptest! {
        #[test]
        fn valid_lots_pass_and_fold_idempotently(s in "[1-9A-Za-z-][0-9A-Za-z-]{0,19}") {
            let checked = check_lot(&s).unwrap();
            prop_assert!(matches!(checked, Cow::Borrowed(_)));
            let wide: String = s.chars().map(|c| char::from_u32(u32::from(c) + 0xFEE0).unwrap()).collect();
            let folded = check_lot(&wide).unwrap();
            prop_assert_eq!(folded.as_ref(), s.as_str());
        }

        #[test]
        fn shape_matching_by_bytes_agrees_with_characters(lot in "[A9a1Zé９Ａ-]{0,6}", shape in "[A9aé-]{0,6}") {
            prop_assert_eq!(lot_has_shape(&lot, &shape), lot_has_shape_chars(&lot, &shape));
        }

        #[test]
        fn check_lot_never_panics(s in "\\PC{0,25}") {
            if let Ok(lot) = check_lot(&s) {
                prop_assert!(!lot.is_empty() && lot.chars().count() <= MAX_LOT_LEN);
                prop_assert!(lot.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
            }
        }
    }
}
