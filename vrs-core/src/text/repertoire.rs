//! The common repertoire of UTF-8 and CP932: what a stored value may hold so that every export
//! encoding can carry it unchanged.
//!
//! Text reaches the registry typed on Macs, pasted from web pages or converted by tools that use
//! the JIS X 0208 mapping to Unicode, and leaves it in UTF-8 or CP932 (Windows-31J). The two
//! mappings of the same Shift_JIS bytes differ for a handful of characters; a value holding the
//! "JIS" form cannot be written in CP932 (or does not come back unchanged). [`fold_to_cp932`]
//! replaces each of those by its CP932 form ([`CP932_MAPPING_DIFFERENCES`]) and refuses what
//! CP932 cannot hold at all, so that refusal happens at entry, naming the field, and never in
//! the middle of a whole tenant's export.

use std::borrow::Cow;

use super::codec::encode_strict;
use super::{Encoding, TextError};

/// One documented difference between the JIS X 0208 (and JIS X 0201) mapping to Unicode and
/// Microsoft's CP932 mapping: the same character on paper, two code points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MappingDifference {
    /// The code point a JIS-mapping system (macOS, EUC-JP/ISO-2022-JP converters, many web
    /// pages) produces.
    pub from: char,
    /// The code point CP932 uses for the same character (encodable, and decodes back to itself).
    pub to: char,
    /// Why they are the same character.
    pub why: &'static str,
}

/// The characters [`fold_to_cp932`] replaces, each with its CP932 form and the reason.
///
/// The first eight rows are the Microsoft/JIS mapping-difference table of the Shift_JIS double
/// byte set (the same bytes, mapped to different code points by `JIS0208.TXT` and by
/// `CP932.TXT`, or by the IBM extension rows for ¦); the last two are JIS X 0201 single bytes
/// that CP932 writes but reads back as ASCII.
pub const CP932_MAPPING_DIFFERENCES: &[MappingDifference] = &[
    MappingDifference {
        from: '\u{301C}',
        to: '\u{FF5E}',
        why: "WAVE DASH 〜: Shift_JIS 0x8160 is U+301C in JIS X 0208 and U+FF5E FULLWIDTH TILDE ～ in CP932",
    },
    MappingDifference {
        from: '\u{2016}',
        to: '\u{2225}',
        why: "DOUBLE VERTICAL LINE ‖: Shift_JIS 0x8161 is U+2016 in JIS X 0208 and U+2225 PARALLEL TO ∥ in CP932",
    },
    MappingDifference {
        from: '\u{2212}',
        to: '\u{FF0D}',
        why: "MINUS SIGN −: Shift_JIS 0x817C is U+2212 in JIS X 0208 and U+FF0D FULLWIDTH HYPHEN-MINUS － in CP932 (CP932 writes U+2212 but reads it back as U+FF0D)",
    },
    MappingDifference {
        from: '\u{2014}',
        to: '\u{2015}',
        why: "EM DASH —: Shift_JIS 0x815C is U+2014 in JIS X 0208 and U+2015 HORIZONTAL BAR ― in CP932",
    },
    MappingDifference {
        from: '\u{00A2}',
        to: '\u{FFE0}',
        why: "CENT SIGN ¢: Shift_JIS 0x8191 is U+00A2 in JIS X 0208 and U+FFE0 FULLWIDTH CENT SIGN ￠ in CP932",
    },
    MappingDifference {
        from: '\u{00A3}',
        to: '\u{FFE1}',
        why: "POUND SIGN £: Shift_JIS 0x8192 is U+00A3 in JIS X 0208 and U+FFE1 FULLWIDTH POUND SIGN ￡ in CP932",
    },
    MappingDifference {
        from: '\u{00AC}',
        to: '\u{FFE2}',
        why: "NOT SIGN ¬: Shift_JIS 0x81CA is U+00AC in JIS X 0208 and U+FFE2 FULLWIDTH NOT SIGN ￢ in CP932",
    },
    MappingDifference {
        from: '\u{00A6}',
        to: '\u{FFE4}',
        why: "BROKEN BAR ¦: the IBM extension 0xFA55 is U+00A6 in JIS-based tables and U+FFE4 FULLWIDTH BROKEN BAR ￤ in CP932",
    },
    MappingDifference {
        from: '\u{00A5}',
        to: '\u{FFE5}',
        why: "YEN SIGN ¥: JIS X 0201 0x5C; CP932 writes U+00A5 as 0x5C but reads 0x5C back as a backslash, so the full-width ￥ (0x818F) is the form that survives",
    },
    MappingDifference {
        from: '\u{203E}',
        to: '\u{FFE3}',
        why: "OVERLINE ‾: JIS X 0201 0x7E; CP932 writes U+203E as 0x7E but reads it back as a tilde, so the full-width ￣ (0x8150) is the form that survives",
    },
];

/// Suggested replacements for characters that have no CP932 form at all (so no exact
/// equivalent): shown in error messages, never substituted automatically, because they change
/// what a name says.
const CP932_REPLACEMENTS: &[(char, &str)] = &[
    ('\u{20BB7}', "吉"),      // 𠮷 "tsuchi-yoshi", outside JIS X 0208
    ('\u{20B9F}', "叱"),      // 𠮟 (JIS X 0213 form of 叱)
    ('\u{525D}', "剥"),       // 剝 (JIS X 0213 form of 剥)
    ('\u{9830}', "頬"),       // 頰 (JIS X 0213 form of 頬)
    ('\u{5861}', "填"),       // 塡 (JIS X 0213 form of 填)
    ('\u{30F7}', "ヴァ"),     // ヷ
    ('\u{30F8}', "ヴィ"),     // ヸ
    ('\u{30F9}', "ヴェ"),     // ヹ
    ('\u{30FA}', "ヴォ"),     // ヺ
    ('\u{00A0}', " "),        // NO-BREAK SPACE, pasted from web pages
    ('\u{2013}', "\u{FF0D}"), // EN DASH: CP932 has no en dash; － is the usual stand-in
    ('\u{2053}', "\u{FF5E}"), // SWUNG DASH, another look-alike of 〜
];

/// A replacement to suggest for `c`: its CP932 form from [`CP932_MAPPING_DIFFERENCES`], or a
/// conventional stand-in for a character CP932 lacks (𠮷 → 吉, ヷ → ヴァ, NO-BREAK SPACE →
/// space...); `None` when there is no well-known one (emoji, most characters outside JIS).
///
/// ```
/// use vrs_core::text::cp932_replacement;
///
/// assert_eq!(cp932_replacement('〜').as_deref(), Some("～"));
/// assert_eq!(cp932_replacement('\u{20BB7}').as_deref(), Some("吉"));
/// assert_eq!(cp932_replacement('ヷ').as_deref(), Some("ヴァ"));
/// assert_eq!(cp932_replacement('😀'), None);
/// ```
#[must_use]
pub fn cp932_replacement(c: char) -> Option<String> {
    if let Some(d) = CP932_MAPPING_DIFFERENCES.iter().find(|d| d.from == c) {
        return Some(d.to.to_string());
    }
    CP932_REPLACEMENTS
        .iter()
        .find(|(from, _)| *from == c)
        .map(|&(_, to)| to.to_owned())
}

/// The CP932 form of `c` when `c` is one of the [`CP932_MAPPING_DIFFERENCES`], else `c`.
fn fold_char(c: char) -> char {
    CP932_MAPPING_DIFFERENCES
        .iter()
        .find(|d| d.from == c)
        .map_or(c, |d| d.to)
}

/// Whether `c` needs folding (all table entries are outside ASCII).
fn needs_fold(c: char) -> bool {
    !c.is_ascii() && CP932_MAPPING_DIFFERENCES.iter().any(|d| d.from == c)
}

/// Brings a value into the common repertoire of UTF-8 and CP932, for storing.
///
/// Replaces each character of [`CP932_MAPPING_DIFFERENCES`] by its CP932 form (〜 → ～,
/// − → －, ‖ → ∥, — → ―, ¢ £ ¬ ¦ ¥ ‾ → their full-width forms), then checks that every
/// character can be written in CP932 and reads back unchanged. The result can therefore be
/// written in every export encoding, and what a CP932 reader sees is what was stored.
/// Borrowed when nothing changes (always for ASCII).
///
/// Control characters are not this function's concern (they are CP932-encodable); check them
/// with [`first_control_char`](super::first_control_char).
///
/// # Errors
///
/// [`TextError::Unencodable`] for the first character that CP932 cannot hold (a character
/// outside JIS X 0208 and the NEC/IBM extensions such as 𠮷 U+20BB7, an emoji, ヷ, a private
/// use 外字 character), with its 1-based position and its byte offset in `s`. Suggest
/// [`cp932_replacement`] to the user.
///
/// ```
/// use vrs_core::text::{fold_to_cp932, TextError};
///
/// assert_eq!(fold_to_cp932("区民会館〜別館")?, "区民会館～別館");
/// assert_eq!(fold_to_cp932("A−1")?, "A－1");
/// let err = fold_to_cp932("\u{20BB7}野").unwrap_err();
/// assert!(matches!(err, TextError::Unencodable { ch: '\u{20BB7}', position: 1, .. }));
/// # Ok::<(), TextError>(())
/// ```
pub fn fold_to_cp932(s: &str) -> Result<Cow<'_, str>, TextError> {
    if s.is_ascii() {
        return Ok(Cow::Borrowed(s));
    }
    let folded: Cow<'_, str> = if s.chars().any(needs_fold) {
        Cow::Owned(s.chars().map(fold_char).collect())
    } else {
        Cow::Borrowed(s)
    };
    match encode_strict(&folded, Encoding::Cp932) {
        Ok(_) => Ok(folded),
        Err(TextError::Unencodable { ch, position, .. }) => {
            // Folding maps one character to one, so the position holds in `s`; the byte
            // offset is recomputed there (a folded character may be longer in UTF-8).
            let byte_offset = s
                .char_indices()
                .nth(position.saturating_sub(1))
                .map_or(0, |(i, _)| i);
            Err(TextError::Unencodable {
                ch,
                position,
                byte_offset,
                encoding: Encoding::Cp932,
            })
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{decode_strict, is_cp932_encodable, CP932_NON_ROUND_TRIP};

    fn round_trips(c: char) -> bool {
        let s = c.to_string();
        encode_strict(&s, Encoding::Cp932)
            .ok()
            .and_then(|b| decode_strict(&b, Encoding::Cp932).ok().map(|d| d == s))
            .unwrap_or(false)
    }

    #[test]
    fn every_mapping_target_round_trips_and_every_source_does_not() {
        for d in CP932_MAPPING_DIFFERENCES {
            assert!(round_trips(d.to), "{:?} ({}) must round-trip", d.to, d.why);
            assert!(!round_trips(d.from), "{:?} needs no folding", d.from);
            assert!(!d.why.is_empty());
            assert_eq!(cp932_replacement(d.from), Some(d.to.to_string()));
        }
        let mut sources: Vec<char> = CP932_MAPPING_DIFFERENCES.iter().map(|d| d.from).collect();
        sources.sort_unstable();
        sources.dedup();
        assert_eq!(sources.len(), CP932_MAPPING_DIFFERENCES.len());
    }

    #[test]
    fn the_non_round_trip_characters_are_all_folded() {
        for &(c, _) in CP932_NON_ROUND_TRIP {
            assert!(needs_fold(c), "{c:?} is encodable but changes: fold it");
        }
    }

    #[test]
    fn the_wave_dash_repro_folds_to_fullwidth_tilde() {
        let v = fold_to_cp932("区民会館〜別館").unwrap();
        assert_eq!(v, "区民会館～別館");
        let bytes = encode_strict(&v, Encoding::Cp932).unwrap();
        assert!(bytes.windows(2).any(|w| w == [0x81, 0x60]));
    }

    #[test]
    fn folding_borrows_when_nothing_changes() {
        assert!(matches!(fold_to_cp932("abc-1"), Ok(Cow::Borrowed("abc-1"))));
        assert!(matches!(
            fold_to_cp932("髙﨑 太郎①ｶﾅ"),
            Ok(Cow::Borrowed("髙﨑 太郎①ｶﾅ"))
        ));
        assert_eq!(fold_to_cp932("").unwrap(), "");
        assert_eq!(fold_to_cp932("¢£¬¦¥‾—‖−〜").unwrap(), "￠￡￢￤￥￣―∥－～");
    }

    #[test]
    fn characters_outside_cp932_are_refused_with_position_and_offset() {
        for (s, ch, position, byte_offset) in [
            ("¢\u{20BB7}", '\u{20BB7}', 2, 2),
            ("山田😀", '😀', 3, 6),
            ("ヷイン", 'ヷ', 1, 0),
            ("外\u{E000}", '\u{E000}', 2, 3),
            ("a\u{00A0}b", '\u{00A0}', 2, 1),
        ] {
            assert_eq!(
                fold_to_cp932(s),
                Err(TextError::Unencodable {
                    ch,
                    position,
                    byte_offset,
                    encoding: Encoding::Cp932
                }),
                "{s}"
            );
        }
    }

    #[test]
    fn replacements_are_suggestions_in_the_repertoire() {
        for &(from, to) in CP932_REPLACEMENTS {
            assert!(
                !is_cp932_encodable(from),
                "{from:?} is encodable: fold or drop it"
            );
            assert!(fold_to_cp932(to).is_ok(), "{to:?}");
            assert_eq!(cp932_replacement(from).as_deref(), Some(to));
        }
        assert_eq!(cp932_replacement('山'), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Folded text round-trips through CP932 unchanged, and folding is idempotent.
        #[test]
        fn folded_text_round_trips(s in "[a-zA-Z0-9 〜−‖—¢£¬¦¥‾山田ｶﾅ髙﨑①😀ヷ\u{20BB7}]{0,16}") {
            match fold_to_cp932(&s) {
                Ok(folded) => {
                    let bytes = encode_strict(&folded, Encoding::Cp932).unwrap();
                    let back = decode_strict(&bytes, Encoding::Cp932).unwrap();
                    proptest::prop_assert_eq!(back.as_ref(), folded.as_ref());
                    proptest::prop_assert_eq!(fold_to_cp932(&folded).unwrap(), folded.clone());
                }
                Err(TextError::Unencodable { ch, .. }) => {
                    proptest::prop_assert!(fold_to_cp932(&ch.to_string()).is_err());
                    proptest::prop_assert!(s.contains(ch));
                }
                Err(e) => proptest::prop_assert!(false, "{e}"),
            }
        }
    }
}
