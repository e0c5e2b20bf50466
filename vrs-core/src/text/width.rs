//! Width and character-class helpers for fields (digits, codes, lot numbers, kana names).
//!
//! All of them are allocation-free when nothing changes and take an ASCII fast path.

use std::borrow::Cow;

/// Whether `s` is non-empty and consists only of ASCII digits `0`–`9`.
///
/// ```
/// use vrs_core::text::is_ascii_digits;
///
/// assert!(is_ascii_digits("0123"));
/// assert!(!is_ascii_digits(""));
/// assert!(!is_ascii_digits("１２"));
/// ```
#[must_use]
pub fn is_ascii_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Normalises full-width digits (U+FF10–U+FF19) in a digit string to ASCII.
///
/// Returns `Some` only when `s` consists solely of ASCII and full-width digits and contains at
/// least one full-width digit; `None` when there is nothing to normalise or `s` is not a digit
/// string (including the empty string).
///
/// ```
/// use vrs_core::text::normalize_digits;
///
/// assert_eq!(normalize_digits("１３1016").as_deref(), Some("131016"));
/// assert_eq!(normalize_digits("131016"), None);
/// assert_eq!(normalize_digits("１３a"), None);
/// ```
#[must_use]
pub fn normalize_digits(s: &str) -> Option<String> {
    if s.is_ascii() {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '0'..='9' => out.push(c),
            '\u{FF10}'..='\u{FF19}' => out.push(shift(c, FULLWIDTH_TO_ASCII)),
            _ => return None,
        }
    }
    // Non-ASCII input made only of digits necessarily contained a full-width one.
    Some(out)
}

/// Folds full-width ASCII variants (U+FF01–U+FF5E) to ASCII (U+0021–U+007E) and the
/// ideographic space U+3000 to an ASCII space: the subset of NFKC that matters for codes and
/// lot numbers. Borrowed when nothing changes.
///
/// ```
/// use std::borrow::Cow;
/// use vrs_core::text::fold_width;
///
/// assert_eq!(fold_width("ＥＸ１２３－Ａ\u{3000}"), "EX123-A ");
/// assert!(matches!(fold_width("EX123"), Cow::Borrowed("EX123")));
/// ```
#[must_use]
pub fn fold_width(s: &str) -> Cow<'_, str> {
    map_chars(s, |c| match c {
        '\u{FF01}'..='\u{FF5E}' => Some(shift(c, FULLWIDTH_TO_ASCII)),
        '\u{3000}' => Some(' '),
        _ => None,
    })
}

/// Folds the full-width solidus U+FF0F `／` to `/` (manufacturer names such as
/// "ファイザー／ビオンテック"). Borrowed when nothing changes.
///
/// ```
/// use vrs_core::text::fold_slash;
///
/// assert_eq!(fold_slash("A／B"), "A/B");
/// ```
#[must_use]
pub fn fold_slash(s: &str) -> Cow<'_, str> {
    if !s.contains('\u{FF0F}') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.replace('\u{FF0F}', "/"))
}

/// Full-width forms of U+FF61..=U+FF9F, in order.
const HALFWIDTH_KANA: [char; 63] = [
    '。', '「', '」', '、', '・', 'ヲ', 'ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ャ', 'ュ', 'ョ',
    'ッ', //
    'ー', 'ア', 'イ', 'ウ', 'エ', 'オ', 'カ', 'キ', 'ク', 'ケ', 'コ', 'サ', 'シ', 'ス',
    'セ', //
    'ソ', 'タ', 'チ', 'ツ', 'テ', 'ト', 'ナ', 'ニ', 'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ', 'フ',
    'ヘ', //
    'ホ', 'マ', 'ミ', 'ム', 'メ', 'モ', 'ヤ', 'ユ', 'ヨ', 'ラ', 'リ', 'ル', 'レ', 'ロ',
    'ワ', //
    'ン', '゛', '゜',
];

const HALFWIDTH_VOICED_MARK: char = '\u{FF9E}';
const HALFWIDTH_SEMI_VOICED_MARK: char = '\u{FF9F}';

fn halfwidth_kana(c: char) -> Option<char> {
    let index = u32::from(c).checked_sub(0xFF61)?;
    HALFWIDTH_KANA.get(usize::try_from(index).ok()?).copied()
}

/// The voiced (dakuten) form of a full-width katakana, if it has one.
fn voiced(c: char) -> Option<char> {
    match c {
        // カ..ト: the voiced form is the next code point (ッ U+30C3 is not in the table).
        'カ' | 'キ' | 'ク' | 'ケ' | 'コ' | 'サ' | 'シ' | 'ス' | 'セ' | 'ソ' | 'タ' | 'チ'
        | 'ツ' | 'テ' | 'ト' | 'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' => Some(shift(c, 1)),
        'ウ' => Some('ヴ'),
        // ワ and ヲ are deliberately not composed: ヷ and ヺ cannot be written in CP932.
        _ => None,
    }
}

/// The semi-voiced (handakuten) form of a full-width katakana, if it has one.
fn semi_voiced(c: char) -> Option<char> {
    match c {
        'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' => Some(shift(c, 2)),
        _ => None,
    }
}

/// Converts half-width katakana (U+FF61–U+FF9F) to full-width, composing a half-width
/// voiced or semi-voiced mark with the half-width kana before it (`ｶﾞ` → `ガ`, `ﾊﾟ` → `パ`,
/// `ｳﾞ` → `ヴ`). A mark that cannot be composed becomes the full-width mark `゛`/`゜`.
/// Borrowed when nothing changes.
///
/// Unlike NFKC, `ﾜﾞ` and `ｦﾞ` become `ワ゛` and `ヲ゛`, not `ヷ` and `ヺ`: those two cannot be
/// written in CP932, and a half-width kana input always has a CP932 form, so the result of
/// converting CP932-encodable text is CP932-encodable too.
///
/// ```
/// use vrs_core::text::halfwidth_katakana_to_fullwidth;
///
/// assert_eq!(halfwidth_katakana_to_fullwidth("ﾔﾏﾀﾞ ﾊﾟﾝ ｳﾞｨ"), "ヤマダ パン ヴィ");
/// ```
#[must_use]
pub fn halfwidth_katakana_to_fullwidth(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let Some(first) = s.find(|c| halfwidth_kana(c).is_some()) else {
        return Cow::Borrowed(s);
    };
    let (head, tail) = s.split_at(first);
    let mut out = String::with_capacity(s.len());
    out.push_str(head);
    // A full-width kana converted from half-width, not yet pushed, that a mark may modify.
    let mut base_kana: Option<char> = None;
    for c in tail.chars() {
        let composed = match (base_kana, c) {
            (Some(base), HALFWIDTH_VOICED_MARK) => voiced(base),
            (Some(base), HALFWIDTH_SEMI_VOICED_MARK) => semi_voiced(base),
            _ => None,
        };
        if let Some(composed) = composed {
            out.push(composed);
            base_kana = None;
            continue;
        }
        if let Some(base) = base_kana.take() {
            out.push(base);
        }
        match halfwidth_kana(c) {
            Some(full) if c != HALFWIDTH_VOICED_MARK && c != HALFWIDTH_SEMI_VOICED_MARK => {
                base_kana = Some(full);
            }
            Some(full) => out.push(full),
            None => out.push(c),
        }
    }
    if let Some(base) = base_kana {
        out.push(base);
    }
    Cow::Owned(out)
}

/// Whether `s` is a non-empty katakana name: only full-width katakana U+30A1–U+30FA, the
/// middle dot `・` U+30FB, the long vowel mark `ー` U+30FC, the iteration marks `ヽ` `ヾ`,
/// ASCII space and the ideographic space U+3000.
///
/// Note that a string of spaces alone passes; check for blank values separately.
///
/// ```
/// use vrs_core::text::is_katakana_name;
///
/// assert!(is_katakana_name("ヤマダ　タロウ"));
/// assert!(!is_katakana_name("ﾔﾏﾀﾞ"));
/// assert!(!is_katakana_name("やまだ"));
/// ```
#[must_use]
pub fn is_katakana_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| matches!(c, '\u{30A1}'..='\u{30FE}' | ' ' | '\u{3000}'))
}

/// The first control character in `s` with its 1-based character position: a C0 control
/// (U+0000–U+001F, including TAB, CR and LF), DEL U+007F, a C1 control (U+0080–U+009F) or
/// U+FEFF (a BOM or zero-width no-break space inside a field).
///
/// ```
/// use vrs_core::text::first_control_char;
///
/// assert_eq!(first_control_char("山田\t太郎"), Some((3, '\t')));
/// assert_eq!(first_control_char("山田 太郎"), None);
/// ```
#[must_use]
pub fn first_control_char(s: &str) -> Option<(usize, char)> {
    if s.is_ascii() {
        return s
            .bytes()
            .position(|b| b < 0x20 || b == 0x7F)
            .and_then(|i| Some((i + 1, char::from(*s.as_bytes().get(i)?))));
    }
    s.chars()
        .enumerate()
        .find(|&(_, c)| is_control(c))
        .map(|(i, c)| (i + 1, c))
}

fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}' | '\u{FEFF}')
}

/// The number of characters (Unicode scalar values) in `s`.
///
/// ```
/// use vrs_core::text::char_count;
///
/// assert_eq!(char_count("山田 Taro"), 7);
/// ```
#[must_use]
pub fn char_count(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// `c` moved by `delta` code points; `c` unchanged if the result is not a char (never the
/// case for the fixed ranges used here).
fn shift(c: char, delta: i64) -> char {
    u32::try_from(i64::from(u32::from(c)) + delta)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or(c)
}

/// Distance from a full-width ASCII variant (U+FF01..) to its ASCII counterpart.
const FULLWIDTH_TO_ASCII: i64 = 0x21 - 0xFF01;

/// Applies a per-char mapping, borrowing when no char is mapped.
fn map_chars(s: &str, f: impl Fn(char) -> Option<char>) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let Some((first, _)) = s.char_indices().find(|&(_, c)| f(c).is_some()) else {
        return Cow::Borrowed(s);
    };
    let (head, tail) = s.split_at(first);
    let mut out = String::with_capacity(s.len());
    out.push_str(head);
    out.extend(tail.chars().map(|c| f(c).unwrap_or(c)));
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ascii_digits() {
        assert!(is_ascii_digits("0"));
        assert!(is_ascii_digits("123456789012"));
        assert!(!is_ascii_digits(""));
        assert!(!is_ascii_digits("12 3"));
        assert!(!is_ascii_digits("-1"));
        assert!(!is_ascii_digits("１"));
        assert!(!is_ascii_digits("٣")); // Arabic-Indic digit
    }

    #[test]
    fn digits_normalisation() {
        assert_eq!(
            normalize_digits("０１２３４５６７８９").as_deref(),
            Some("0123456789")
        );
        assert_eq!(normalize_digits("1２3").as_deref(), Some("123"));
        assert_eq!(normalize_digits(""), None);
        assert_eq!(normalize_digits("123"), None);
        assert_eq!(normalize_digits("12a"), None);
        assert_eq!(normalize_digits("１２ａ"), None);
        assert_eq!(normalize_digits("１ ２"), None);
        assert_eq!(normalize_digits("１٣"), None);
    }

    #[test]
    fn width_folding() {
        assert_eq!(fold_width("！～"), "!~");
        assert_eq!(fold_width("ＡＢＣ１２３ａｂｃ"), "ABC123abc");
        assert_eq!(fold_width("Ｆ１２３４５\u{3000}Ｘ"), "F12345 X");
        assert_eq!(fold_width("山田ＡＢ"), "山田AB");
        // Outside the range: unchanged and borrowed.
        for s in ["山田", "ｶﾅ", "\u{FF00}\u{FF5F}", "￥", "EX-1"] {
            assert!(matches!(fold_width(s), Cow::Borrowed(b) if b == s), "{s}");
        }
    }

    #[test]
    fn slash_folding() {
        assert_eq!(
            fold_slash("ファイザー／ビオンテック"),
            "ファイザー/ビオンテック"
        );
        assert!(matches!(fold_slash("モデルナ"), Cow::Borrowed("モデルナ")));
        assert!(matches!(fold_slash("a/b"), Cow::Borrowed("a/b")));
    }

    #[test]
    fn kana_table_is_complete() {
        for c in '\u{FF61}'..='\u{FF9F}' {
            let full = halfwidth_kana(c).unwrap();
            assert!(('\u{3000}'..='\u{30FF}').contains(&full), "{c} -> {full}");
        }
        assert_eq!(halfwidth_kana('\u{FF60}'), None);
        assert_eq!(halfwidth_kana('\u{FFA0}'), None);
        assert_eq!(halfwidth_kana('ｱ'), Some('ア'));
        assert_eq!(halfwidth_kana('ﾝ'), Some('ン'));
        assert_eq!(halfwidth_kana('ｰ'), Some('ー'));
        assert_eq!(halfwidth_kana('ｯ'), Some('ッ'));
    }

    #[test]
    fn katakana_conversion() {
        let cases = [
            ("ｶﾞｷﾞｸﾞｹﾞｺﾞ", "ガギグゲゴ"),
            ("ｻﾞｼﾞｽﾞｾﾞｿﾞ", "ザジズゼゾ"),
            ("ﾀﾞﾁﾞﾂﾞﾃﾞﾄﾞ", "ダヂヅデド"),
            ("ﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞ", "バビブベボ"),
            ("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "パピプペポ"),
            ("ｳﾞ", "ヴ"),
            ("ﾜﾞｦﾞ", "ワ゛ヲ゛"),
            ("ｱﾞ", "ア゛"),
            ("ｶﾟ", "カ゜"),
            ("ﾞ", "゛"),
            ("ｶﾞﾞ", "ガ゛"),
            ("ｶ\u{3000}ﾞ", "カ\u{3000}゛"),
            // A full-width base is not composed with a half-width mark.
            ("カﾞ", "カ゛"),
            ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ"),
            ("ｷｬｯｼｭ･ｶｰﾄﾞ", "キャッシュ・カード"),
            ("｡｢｣､", "。「」、"),
            ("山田ﾀﾛｳ", "山田タロウ"),
            ("ﾀ", "タ"),
        ];
        for (input, expected) in cases {
            assert_eq!(halfwidth_katakana_to_fullwidth(input), expected, "{input}");
        }
        // Every half-width kana pair converts to something CP932 can write.
        for a in '\u{FF61}'..='\u{FF9F}' {
            for b in '\u{FF61}'..='\u{FF9F}' {
                let converted = halfwidth_katakana_to_fullwidth(&format!("{a}{b}")).into_owned();
                assert!(
                    converted.chars().all(crate::text::is_cp932_encodable),
                    "{a}{b} -> {converted}"
                );
            }
        }
        assert!(matches!(
            halfwidth_katakana_to_fullwidth("ヤマダ タロウ"),
            Cow::Borrowed("ヤマダ タロウ")
        ));
    }

    #[test]
    fn katakana_names() {
        assert!(is_katakana_name("ヤマダ タロウ"));
        assert!(is_katakana_name("ヴァン・デル・ヴェーヴェ"));
        assert!(is_katakana_name("ァヺヽヾ"));
        assert!(is_katakana_name(" "));
        assert!(!is_katakana_name(""));
        assert!(!is_katakana_name("ヤマダ\tタロウ"));
        assert!(!is_katakana_name("ヤマダ太郎"));
        assert!(!is_katakana_name("ヤマダ゛"));
        assert!(!is_katakana_name("ヷヿ"));
        assert!(!is_katakana_name("YAMADA"));
        assert!(!is_katakana_name("ｱ"));
    }

    #[test]
    fn control_chars() {
        assert_eq!(first_control_char(""), None);
        assert_eq!(first_control_char("abc"), None);
        assert_eq!(first_control_char("a\rb\n"), Some((2, '\r')));
        assert_eq!(first_control_char("\u{0}"), Some((1, '\u{0}')));
        assert_eq!(first_control_char("ab\u{7F}"), Some((3, '\u{7F}')));
        assert_eq!(first_control_char("山\u{85}"), Some((2, '\u{85}')));
        assert_eq!(first_control_char("山田\u{FEFF}"), Some((3, '\u{FEFF}')));
        assert_eq!(first_control_char("\u{FEFF}a\t"), Some((1, '\u{FEFF}')));
        assert_eq!(first_control_char("山田\u{A0}太郎"), None);
        assert_eq!(first_control_char("～\u{3000}"), None);
    }

    #[test]
    fn counting() {
        assert_eq!(char_count(""), 0);
        assert_eq!(char_count("abc"), 3);
        assert_eq!(char_count("山田"), 2);
        assert_eq!(char_count("😀a"), 2);
    }

    fn mixed_text() -> impl Strategy<Value = String> {
        let pieces = prop_oneof![
            proptest::char::range('\u{FF00}', '\u{FFA0}'),
            proptest::char::range('\u{3000}', '\u{3002}'),
            proptest::char::range('ァ', 'ヿ'),
            proptest::char::range(' ', '~'),
            proptest::char::range('０', '９'),
            Just('山'),
            any::<char>(),
        ];
        proptest::collection::vec(pieces, 0..40).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn fold_width_idempotent_and_ascii_result(s in mixed_text()) {
            let once = fold_width(&s).into_owned();
            prop_assert!(matches!(fold_width(&once), Cow::Borrowed(_)));
            let wide_left = once.chars().any(|c| matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}'));
            prop_assert!(!wide_left);
            prop_assert_eq!(char_count(&once), char_count(&s));
        }

        #[test]
        fn fold_slash_idempotent(s in mixed_text()) {
            let once = fold_slash(&s).into_owned();
            prop_assert!(matches!(fold_slash(&once), Cow::Borrowed(_)));
            let slash_left = once.contains('\u{FF0F}');
            prop_assert!(!slash_left);
            prop_assert_eq!(char_count(&once), char_count(&s));
        }

        #[test]
        fn kana_conversion_idempotent(s in mixed_text()) {
            let once = halfwidth_katakana_to_fullwidth(&s).into_owned();
            prop_assert!(matches!(halfwidth_katakana_to_fullwidth(&once), Cow::Borrowed(_)));
            let half_left = once.chars().any(|c| matches!(c, '\u{FF61}'..='\u{FF9F}'));
            prop_assert!(!half_left);
            prop_assert!(char_count(&once) <= char_count(&s));
        }

        #[test]
        fn digits_normalisation_properties(
            digits in proptest::collection::vec(
                prop_oneof![proptest::char::range('0', '9'), proptest::char::range('０', '９')],
                0..20,
            )
        ) {
            let s: String = digits.iter().collect();
            match normalize_digits(&s) {
                Some(n) => {
                    prop_assert!(!s.is_ascii());
                    prop_assert!(is_ascii_digits(&n));
                    prop_assert_eq!(n.len(), digits.len());
                    prop_assert_eq!(normalize_digits(&n), None);
                    let folded = fold_width(&s);
                    prop_assert_eq!(folded.as_ref(), n.as_str());
                }
                None => prop_assert!(s.is_ascii()),
            }
        }

        #[test]
        fn first_control_agrees_with_char_scan(s in mixed_text()) {
            let expected = s.chars().enumerate().find(|&(_, c)| c.is_control() || c == '\u{FEFF}')
                .map(|(i, c)| (i + 1, c));
            prop_assert_eq!(first_control_char(&s), expected);
            prop_assert_eq!(char_count(&s), s.chars().count());
        }
    }
}
