//! [`OcrLine`]: the 18-digit OCR line / QR payload of a voucher, reference §5.2.

use core::fmt;
use core::str::FromStr;

use super::{
    ascii_digits, ascii_str, digit_value, IdError, IdKind, MunicipalityCode, VoucherKey,
    VoucherNumber,
};

const KIND: IdKind = IdKind::OcrLine;

/// Positions (1-based, inclusive) of the municipality code within the 18 digits.
const MUNICIPALITY_POSITIONS: (usize, usize) = (3, 8);

/// The 18-digit payload printed as the OCR line (and encoded in the QR code) of a voucher:
///
/// | positions | field | rule |
/// |---|---|---|
/// | 1 | 券種 voucher type | any digit, exposed raw (its meaning is not public) |
/// | 2 | 回数 dose | 1..=9 |
/// | 3-8 | 市町村コード municipality | a valid [`MunicipalityCode`] (prefecture and check digit) |
/// | 9-18 | 券番号 voucher number | 10 digits, [`VoucherNumber`] |
///
/// There is no check digit over the whole line.
///
/// The fields are public for reading. Build values with [`OcrLine::new`] or the parsers;
/// the struct is `#[non_exhaustive]` so other crates cannot build one with a struct literal
/// that skips validation. If a field is changed by hand to a value above 9, [`OcrLine::format`]
/// writes it in decimal and the result is no longer 18 digits.
///
/// ```
/// use vrs_core::id::OcrLine;
/// let line = OcrLine::parse("111310160000012345")?;
/// assert_eq!(line.voucher_type, 1);
/// assert_eq!(line.dose, 1);
/// assert_eq!(line.key.municipality.as_str(), "131016");
/// assert_eq!(line.key.number.as_str(), "0000012345");
/// assert_eq!(line.format(), "111310160000012345");
/// assert_eq!(OcrLine::parse_lenient("1 1 131016-0000012345")?, line);
///
/// let err = OcrLine::parse("111310170000012345").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "OCR line positions 3-8: municipality code: check digit should be 6, found 7"
/// );
/// # Ok::<(), vrs_core::id::IdError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub struct OcrLine {
    /// 券種 (voucher type), position 1: a single digit 0..=9. Public sources do not define
    /// the values; callers decide which to accept (the reference suggests warning outside {1, 2}).
    pub voucher_type: u8,
    /// 回数 (dose number), position 2: 1..=9. On booster vouchers this is the cumulative
    /// dose count.
    pub dose: u8,
    /// Municipality code (positions 3-8) and voucher number (positions 9-18).
    pub key: VoucherKey,
}

/// Separators a printer or a person may insert, removed by [`OcrLine::parse_lenient`]:
/// ASCII space, ideographic space U+3000, `-`, U+2010..U+2015 (hyphens and dashes),
/// U+2212 (minus), U+30FC (katakana prolonged sound mark `ー`), U+FF0D (full-width hyphen-minus).
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{3000}' | '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' | '\u{FF0D}'
    )
}

/// Maps a position in the separator-free text back to the position in the original input.
fn remap(position: usize, origin: &[usize]) -> usize {
    position
        .checked_sub(1)
        .and_then(|i| origin.get(i))
        .copied()
        .unwrap_or(position)
}

impl OcrLine {
    /// Builds an OCR line from its parts, checking `voucher_type` is 0..=9 and `dose` is 1..=9.
    ///
    /// ```
    /// use vrs_core::id::{IdError, OcrLine};
    /// let key = "131016-0000012345".parse()?;
    /// assert_eq!(OcrLine::new(1, 3, key)?.format(), "131310160000012345");
    /// assert_eq!(OcrLine::new(1, 0, key), Err(IdError::DoseDigitZero));
    /// # Ok::<(), IdError>(())
    /// ```
    pub fn new(voucher_type: u8, dose: u8, key: VoucherKey) -> Result<Self, IdError> {
        if voucher_type > 9 {
            return Err(IdError::VoucherTypeOutOfRange {
                found: voucher_type,
            });
        }
        match dose {
            0 => Err(IdError::DoseDigitZero),
            1..=9 => Ok(OcrLine {
                voucher_type,
                dose,
                key,
            }),
            _ => Err(IdError::DoseOutOfRange { found: dose }),
        }
    }

    /// Strict parse: exactly 18 ASCII digits, nothing else.
    ///
    /// Errors: the digit-shape errors with kind [`IdKind::OcrLine`] ([`IdError::Empty`],
    /// [`IdError::SurroundingWhitespace`], [`IdError::FullWidthDigits`],
    /// [`IdError::ControlCharacter`], [`IdError::NonDigit`], [`IdError::WrongLength`]), then
    /// [`IdError::DoseDigitZero`], then [`IdError::InOcrLine`] with positions `(3, 8)` wrapping
    /// the municipality code error ([`IdError::PrefectureOutOfRange`] or
    /// [`IdError::CheckDigit`]).
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let digits = ascii_digits::<18>(s, KIND)?;
        let [voucher_type, dose, rest @ ..] = digits;
        let (municipality, number) = rest.split_at(6);
        if *dose == b'0' {
            return Err(IdError::DoseDigitZero);
        }
        let municipality =
            MunicipalityCode::parse(ascii_str(municipality)).map_err(|e| IdError::InOcrLine {
                positions: MUNICIPALITY_POSITIONS,
                inner: Box::new(e),
            })?;
        // Ten ASCII digits: cannot fail, but stay panic-free anyway.
        let number = VoucherNumber::parse(ascii_str(number))?;
        Ok(OcrLine {
            voucher_type: digit_value(*voucher_type),
            dose: digit_value(*dose),
            key: VoucherKey::new(municipality, number),
        })
    }

    /// Lenient parse for text typed or printed with separators: first removes ASCII spaces,
    /// U+3000 and hyphen-like characters (`-`, U+2010..U+2015, U+2212, U+30FC `ー`,
    /// U+FF0D `－`), then parses strictly.
    ///
    /// Full-width digits are **not** converted (they give [`IdError::FullWidthDigits`]).
    /// Positions in errors refer to the original input, except [`IdError::InOcrLine`]
    /// positions, which refer to the 18-digit payload. `WrongLength::found` counts the
    /// characters left after removing separators.
    ///
    /// ```
    /// use vrs_core::id::OcrLine;
    /// let a = OcrLine::parse_lenient("11\u{3000}131016ー0000012345")?;
    /// assert_eq!(a.format(), "111310160000012345");
    /// # Ok::<(), vrs_core::id::IdError>(())
    /// ```
    pub fn parse_lenient(s: &str) -> Result<Self, IdError> {
        let mut kept = String::with_capacity(s.len());
        let mut origin = Vec::with_capacity(18);
        for (i, c) in s.chars().enumerate() {
            if !is_separator(c) {
                kept.push(c);
                origin.push(i + 1);
            }
        }
        Self::parse(&kept).map_err(|e| match e {
            IdError::NonDigit { kind, position } => IdError::NonDigit {
                kind,
                position: remap(position, &origin),
            },
            IdError::FullWidthDigits { kind, position } => IdError::FullWidthDigits {
                kind,
                position: remap(position, &origin),
            },
            IdError::ControlCharacter { kind, position } => IdError::ControlCharacter {
                kind,
                position: remap(position, &origin),
            },
            other => other,
        })
    }

    /// The canonical 18-digit string (same as `Display`).
    pub fn format(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for OcrLine {
    /// Writes the canonical 18 digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}{}{}",
            self.voucher_type, self.dose, self.key.municipality, self.key.number
        )
    }
}

impl FromStr for OcrLine {
    type Err = IdError;

    /// Same as [`OcrLine::parse`] (strict).
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::parse(s)
    }
}

super::serde_str::impl_serde_via_str!(OcrLine, "an 18-digit voucher OCR line");

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reference_example() {
        let line = OcrLine::parse("111310160000012345").unwrap();
        assert_eq!(line.voucher_type, 1);
        assert_eq!(line.dose, 1);
        assert_eq!(line.key.to_string(), "131016-0000012345");
        assert_eq!(line.format(), "111310160000012345");
        assert_eq!(line.to_string(), "111310160000012345");
        assert_eq!("111310160000012345".parse::<OcrLine>(), Ok(line));
        let built = OcrLine::new(1, 1, "131016-0000012345".parse().unwrap()).unwrap();
        assert_eq!(built, line);
    }

    #[test]
    fn strict_errors() {
        let k = IdKind::OcrLine;
        assert_eq!(OcrLine::parse(""), Err(IdError::Empty { kind: k }));
        assert_eq!(
            OcrLine::parse("11131016000001234"),
            Err(IdError::WrongLength {
                kind: k,
                expected: 18,
                found: 17
            })
        );
        assert_eq!(
            OcrLine::parse("11 131016 0000012345"),
            Err(IdError::NonDigit {
                kind: k,
                position: 3
            })
        );
        assert_eq!(
            OcrLine::parse("１11310160000012345"),
            Err(IdError::FullWidthDigits {
                kind: k,
                position: 1
            })
        );
        assert_eq!(
            OcrLine::parse("111310160000012345\r\n"),
            Err(IdError::SurroundingWhitespace { kind: k })
        );
        assert_eq!(
            OcrLine::parse("1113101600000\u{1b}2345"),
            Err(IdError::ControlCharacter {
                kind: k,
                position: 14
            })
        );
        assert_eq!(
            OcrLine::parse("101310160000012345"),
            Err(IdError::DoseDigitZero)
        );
        let err = OcrLine::parse("111310170000012345").unwrap_err();
        assert_eq!(
            err,
            IdError::InOcrLine {
                positions: (3, 8),
                inner: Box::new(IdError::CheckDigit {
                    kind: IdKind::MunicipalityCode,
                    expected: 6,
                    found: 7
                })
            }
        );
        assert_eq!(
            err.to_string(),
            "OCR line positions 3-8: municipality code: check digit should be 6, found 7"
        );
        assert_eq!(
            err.message_ja(),
            "OCRライン 3～8桁目: 自治体コード: チェックデジットが一致しません（正しくは6、入力は7）"
        );
        assert_eq!(
            OcrLine::parse("114800010000012345"),
            Err(IdError::InOcrLine {
                positions: (3, 8),
                inner: Box::new(IdError::PrefectureOutOfRange { found: 48 })
            })
        );
    }

    #[test]
    fn new_errors() {
        let key: VoucherKey = "011002-0000000001".parse().unwrap();
        assert_eq!(
            OcrLine::new(10, 1, key),
            Err(IdError::VoucherTypeOutOfRange { found: 10 })
        );
        assert_eq!(OcrLine::new(1, 0, key), Err(IdError::DoseDigitZero));
        assert_eq!(
            OcrLine::new(1, 10, key),
            Err(IdError::DoseOutOfRange { found: 10 })
        );
        let line = OcrLine::new(0, 9, key).unwrap();
        assert_eq!(line.format(), "090110020000000001");
    }

    #[test]
    fn lenient() {
        let want = OcrLine::parse("111310160000012345").unwrap();
        for input in [
            "111310160000012345",
            "1 1 131016 0000012345",
            "11-131016-0000012345",
            " 11 131016 0000012345 ",
            "1\u{3000}1\u{3000}131016\u{2010}0000\u{2011}012345",
            "11\u{2012}131016\u{2013}00000\u{2014}12345\u{2015}",
            "11\u{2212}131016\u{30FC}0000012345\u{FF0D}",
        ] {
            assert_eq!(OcrLine::parse_lenient(input), Ok(want), "{input:?}");
        }
        let k = IdKind::OcrLine;
        // positions refer to the original input
        assert_eq!(
            OcrLine::parse_lenient("11-13101a-0000012345"),
            Err(IdError::NonDigit {
                kind: k,
                position: 9
            })
        );
        assert_eq!(
            OcrLine::parse_lenient("11 131016 00000１2345"),
            Err(IdError::FullWidthDigits {
                kind: k,
                position: 16
            })
        );
        assert_eq!(
            OcrLine::parse_lenient("11 131016 \u{0}000012345"),
            Err(IdError::ControlCharacter {
                kind: k,
                position: 11
            })
        );
        assert_eq!(
            OcrLine::parse_lenient(" - \u{3000}"),
            Err(IdError::Empty { kind: k })
        );
        assert_eq!(
            OcrLine::parse_lenient("11-131016-000001234"),
            Err(IdError::WrongLength {
                kind: k,
                expected: 18,
                found: 17
            })
        );
        // tabs are not separators
        assert_eq!(
            OcrLine::parse_lenient("11\t131016\t0000012345"),
            Err(IdError::ControlCharacter {
                kind: k,
                position: 3
            })
        );
        assert!(matches!(
            OcrLine::parse_lenient("11-131017-0000012345"),
            Err(IdError::InOcrLine {
                positions: (3, 8),
                ..
            })
        ));
    }

    #[test]
    fn serde_round_trip() {
        let line = OcrLine::parse("221320980123456789").unwrap();
        let json = serde_json::to_string(&line).unwrap();
        assert_eq!(json, "\"221320980123456789\"");
        assert_eq!(serde_json::from_str::<OcrLine>(&json).unwrap(), line);
        // deserialization is strict
        assert!(serde_json::from_str::<OcrLine>("\"22 132098 0123456789\"").is_err());
    }

    const SEPARATORS: [&str; 11] = [
        "", " ", "\u{3000}", "-", "\u{2010}", "\u{2015}", "\u{2212}", "\u{30FC}", "\u{FF0D}",
        " - ", "  ",
    ];

    fn ocr_line() -> impl Strategy<Value = OcrLine> {
        (0u8..=9, 1u8..=9, 1u8..=47, 0u16..=999, "[0-9]{10}").prop_map(
            |(vt, dose, pref, city, number)| {
                let m = MunicipalityCode::from_five_digits(&format!("{pref:02}{city:03}")).unwrap();
                let n = VoucherNumber::parse(&number).unwrap();
                OcrLine::new(vt, dose, VoucherKey::new(m, n)).unwrap()
            },
        )
    }

    proptest! {
        #[test]
        fn format_parse_round_trip(line in ocr_line()) {
            let s = line.format();
            prop_assert_eq!(s.len(), 18);
            prop_assert_eq!(OcrLine::parse(&s), Ok(line));
            let json = serde_json::to_string(&line).unwrap();
            prop_assert_eq!(serde_json::from_str::<OcrLine>(&json).unwrap(), line);
        }

        #[test]
        fn lenient_ignores_separators(
            line in ocr_line(),
            seps in proptest::collection::vec(0..SEPARATORS.len(), 4),
        ) {
            let s = line.format();
            let sep = |i: usize| SEPARATORS.get(seps.get(i).copied().unwrap_or(0)).copied().unwrap_or("");
            let spaced = format!(
                "{}{}{}{}{}{}{}",
                &s[..1], sep(0), &s[1..2], sep(1), &s[2..8], sep(2), &s[8..]
            ) + sep(3);
            prop_assert_eq!(OcrLine::parse_lenient(&spaced), Ok(line));
        }

        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = OcrLine::parse(&s);
            let _ = OcrLine::parse_lenient(&s);
        }

        #[test]
        fn digit_strings_never_panic(s in "[0-9 -]{0,24}") {
            let _ = OcrLine::parse(&s);
            let _ = OcrLine::parse_lenient(&s);
        }
    }
}
