//! [`MunicipalityCode`]: 全国地方公共団体コード (JIS X 0402), reference §4.1.

use core::fmt;
use core::str::FromStr;

use super::{ascii_digits, ascii_str, decimal_digits, digit_value, IdError, IdKind};

const KIND: IdKind = IdKind::MunicipalityCode;

/// A validated 6-digit municipality code (全国地方公共団体コード, JIS X 0402):
/// prefecture `PP` (01..=47) + municipality `CCC` + check digit `D`.
///
/// Kept as text, so leading zeros survive (`011002` is Sapporo). Prefectures have codes of
/// their own of the form `PP000D` (Tokyo is `130001`); those are valid codes too.
///
/// A valid check digit does not prove the code exists (codes change with mergers); check
/// existence against a dated code table separately.
///
/// ```
/// use vrs_core::id::{IdError, MunicipalityCode};
/// let chiyoda = MunicipalityCode::parse("131016")?;
/// assert_eq!(chiyoda.as_str(), "131016");
/// assert_eq!(chiyoda.prefecture(), 13);
/// assert_eq!(chiyoda.prefecture_code().as_str(), "130001");
/// assert_eq!(MunicipalityCode::from_five_digits("01100")?.as_str(), "011002");
/// assert!(matches!(
///     MunicipalityCode::parse("131017"),
///     Err(IdError::CheckDigit { expected: 6, found: 7, .. })
/// ));
/// # Ok::<(), IdError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MunicipalityCode([u8; 6]);

/// Check digit over five ASCII digits: `(11 - (6d1+5d2+4d3+3d4+2d5) mod 11) mod 10`.
fn compute_check(five: &[u8; 5]) -> u8 {
    let sum: u32 = five
        .iter()
        .zip([6u32, 5, 4, 3, 2])
        .map(|(&b, w)| u32::from(digit_value(b)) * w)
        .sum();
    let r = sum % 11;
    // r is 0..=10, so 11 - r is 1..=11 and the result is 0..=9.
    ((11 - r) % 10) as u8
}

/// Builds the code from five validated digits plus their check digit (no prefecture check).
fn with_check(five: &[u8; 5]) -> MunicipalityCode {
    let [a, b, c, d, e] = *five;
    MunicipalityCode([a, b, c, d, e, b'0' + compute_check(five)])
}

/// Prefecture number from the first two ASCII digits.
fn prefecture_of(a: u8, b: u8) -> u8 {
    digit_value(a) * 10 + digit_value(b)
}

fn check_prefecture(a: u8, b: u8) -> Result<(), IdError> {
    let found = prefecture_of(a, b);
    if (1..=47).contains(&found) {
        Ok(())
    } else {
        Err(IdError::PrefectureOutOfRange { found })
    }
}

impl MunicipalityCode {
    /// Parses exactly 6 ASCII digits and checks the prefecture part (01..=47) and the
    /// check digit.
    ///
    /// Errors, in the order they are checked: [`IdError::Empty`],
    /// [`IdError::SurroundingWhitespace`], [`IdError::FullWidthDigits`],
    /// [`IdError::ControlCharacter`], [`IdError::NonDigit`], [`IdError::WrongLength`],
    /// [`IdError::PrefectureOutOfRange`], [`IdError::CheckDigit`].
    ///
    /// ```
    /// use vrs_core::id::MunicipalityCode;
    /// assert!(MunicipalityCode::parse("011011").is_ok());
    /// assert!(MunicipalityCode::parse("11011").is_err()); // leading zero lost
    /// ```
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let digits = ascii_digits::<6>(s, KIND)?;
        let [a, b, c, d, e, found] = *digits;
        check_prefecture(a, b)?;
        let code = with_check(&[a, b, c, d, e]);
        if code.0 == *digits {
            Ok(code)
        } else {
            Err(IdError::CheckDigit {
                kind: KIND,
                expected: code.check(),
                found: digit_value(found),
            })
        }
    }

    /// Computes the JIS X 0402 check digit for the first five digits.
    ///
    /// This is pure arithmetic: the prefecture range is not checked. Errors only for input that
    /// is not exactly five ASCII digits ([`IdError::WrongLength`] with `expected: 5`, etc.).
    ///
    /// ```
    /// use vrs_core::id::MunicipalityCode;
    /// assert_eq!(MunicipalityCode::check_digit("13101"), Ok(6));
    /// assert_eq!(MunicipalityCode::check_digit("01101"), Ok(1)); // remainder 0 -> 1
    /// assert_eq!(MunicipalityCode::check_digit("01107"), Ok(0)); // remainder 1 -> 0
    /// ```
    pub fn check_digit(first_five: &str) -> Result<u8, IdError> {
        ascii_digits::<5>(first_five, KIND).map(compute_check)
    }

    /// Builds a code from its first five digits by appending the check digit.
    /// The prefecture part must be 01..=47.
    ///
    /// ```
    /// use vrs_core::id::MunicipalityCode;
    /// assert_eq!(MunicipalityCode::from_five_digits("34100")?.as_str(), "341002");
    /// # Ok::<(), vrs_core::id::IdError>(())
    /// ```
    pub fn from_five_digits(first_five: &str) -> Result<Self, IdError> {
        let five = ascii_digits::<5>(first_five, KIND)?;
        let [a, b, ..] = *five;
        check_prefecture(a, b)?;
        Ok(with_check(five))
    }

    /// The 6-digit canonical string, e.g. `"011002"`.
    pub fn as_str(&self) -> &str {
        ascii_str(&self.0)
    }

    /// The code whose first five digits are the decimal `five_digits` (below 100,000), with its
    /// check digit; `None` outside prefectures 01..=47.
    pub(crate) fn from_five_digit_value(five_digits: u32) -> Option<Self> {
        let five = decimal_digits::<5>(u64::from(five_digits))?;
        check_prefecture(five[0], five[1]).ok()?;
        Some(with_check(&five))
    }

    /// The six ASCII digits, for comparisons that need no `str`.
    pub(crate) fn as_bytes(&self) -> &[u8; 6] {
        &self.0
    }

    /// The code as a number (`011002` → 11002); leading zeros are not recoverable from it, so
    /// use it only as a compact key, never to print.
    pub fn to_u32(&self) -> u32 {
        self.0
            .iter()
            .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'))
    }

    /// The code whose number is `n` (the inverse of [`MunicipalityCode::to_u32`]: `11002` →
    /// `011002`); `None` when `n` is no valid code (more than six digits, a wrong check digit,
    /// a prefecture outside 01..=47). Tenant and chain numbers come back to codes this way.
    pub(crate) fn from_u32(n: u32) -> Option<Self> {
        let digits = decimal_digits::<6>(u64::from(n))?;
        Self::parse(ascii_str(&digits)).ok()
    }

    /// The prefecture number 1..=47 (JIS X 0401), e.g. 13 for Tokyo.
    pub fn prefecture(&self) -> u8 {
        let [a, b, ..] = self.0;
        prefecture_of(a, b)
    }

    /// True if this is a prefecture's own code (`PP000D`), e.g. `130001`.
    ///
    /// ```
    /// use vrs_core::id::MunicipalityCode;
    /// assert!(MunicipalityCode::parse("130001")?.is_prefecture());
    /// assert!(!MunicipalityCode::parse("131016")?.is_prefecture());
    /// # Ok::<(), vrs_core::id::IdError>(())
    /// ```
    pub fn is_prefecture(&self) -> bool {
        let [_, _, c, d, e, _] = self.0;
        [c, d, e] == *b"000"
    }

    /// The code of this code's prefecture (`PP000D`); a prefecture code returns itself.
    pub fn prefecture_code(&self) -> MunicipalityCode {
        let [a, b, ..] = self.0;
        with_check(&[a, b, b'0', b'0', b'0'])
    }

    /// The check digit (last digit) as a number.
    fn check(&self) -> u8 {
        let [.., last] = self.0;
        digit_value(last)
    }
}

impl fmt::Debug for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MunicipalityCode")
            .field(&self.as_str())
            .finish()
    }
}

impl fmt::Display for MunicipalityCode {
    /// Writes the 6-digit canonical string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MunicipalityCode {
    type Err = IdError;

    /// Same as [`MunicipalityCode::parse`].
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::parse(s)
    }
}

super::serde_str::impl_serde_via_str!(MunicipalityCode, "a 6-digit municipality code");

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn from_u32_reads_back_every_number_as_parsing_its_six_digits_does() {
        for n in (0..1_000_000u32)
            .step_by(7)
            .chain([11_002, 131_016, 999_999])
        {
            assert_eq!(
                MunicipalityCode::from_u32(n),
                MunicipalityCode::parse(&format!("{n:06}")).ok(),
                "{n}"
            );
        }
        assert_eq!(MunicipalityCode::from_u32(1_000_000), None);
        assert_eq!(MunicipalityCode::from_u32(u32::MAX), None);
        let code = MunicipalityCode::parse("011002").unwrap();
        assert_eq!(MunicipalityCode::from_u32(code.to_u32()), Some(code));
    }

    /// §4.1 worked examples: (code, d1..d5, S, r, check).
    const TABLE: [(&str, u32, u32, u8); 7] = [
        ("131016", 27, 5, 6),
        ("271276", 71, 5, 6),
        ("062014", 40, 7, 4),
        ("132098", 47, 3, 8),
        ("011011", 11, 0, 1),
        ("011070", 23, 1, 0),
        ("341002", 42, 9, 2),
    ];

    #[test]
    fn reference_table() {
        for (code, _s, _r, check) in TABLE {
            let five = &code[..5];
            assert_eq!(MunicipalityCode::check_digit(five), Ok(check), "{code}");
            let parsed = MunicipalityCode::parse(code).unwrap();
            assert_eq!(parsed.as_str(), code);
            assert_eq!(parsed.to_string(), code);
            assert_eq!(MunicipalityCode::from_five_digits(five), Ok(parsed));
            assert!(!parsed.is_prefecture());
        }
    }

    #[test]
    fn reference_table_intermediate_values() {
        for (code, s, r, _check) in TABLE {
            let sum: u32 = code
                .bytes()
                .take(5)
                .zip([6u32, 5, 4, 3, 2])
                .map(|(b, w)| u32::from(b - b'0') * w)
                .sum();
            assert_eq!(sum, s, "{code}");
            assert_eq!(sum % 11, r, "{code}");
        }
    }

    #[test]
    fn prefecture_codes() {
        let tokyo = MunicipalityCode::parse("130001").unwrap();
        assert!(tokyo.is_prefecture());
        assert_eq!(tokyo.prefecture(), 13);
        assert_eq!(tokyo.prefecture_code(), tokyo);
        let chiyoda = MunicipalityCode::parse("131016").unwrap();
        assert_eq!(chiyoda.prefecture_code(), tokyo);
        let sapporo_chuo = MunicipalityCode::parse("011011").unwrap();
        assert_eq!(sapporo_chuo.prefecture(), 1);
        assert_eq!(sapporo_chuo.prefecture_code().as_str(), "010006");
        assert_eq!(
            MunicipalityCode::parse("341002")
                .unwrap()
                .prefecture_code()
                .as_str(),
            "340006"
        );
    }

    #[test]
    fn errors() {
        let k = IdKind::MunicipalityCode;
        assert_eq!(MunicipalityCode::parse(""), Err(IdError::Empty { kind: k }));
        assert_eq!(
            MunicipalityCode::parse("13101"),
            Err(IdError::WrongLength {
                kind: k,
                expected: 6,
                found: 5
            })
        );
        assert_eq!(
            MunicipalityCode::parse("13101a"),
            Err(IdError::NonDigit {
                kind: k,
                position: 6
            })
        );
        assert_eq!(
            MunicipalityCode::parse("１３１０１６"),
            Err(IdError::FullWidthDigits {
                kind: k,
                position: 1
            })
        );
        assert_eq!(
            MunicipalityCode::parse("131016\n"),
            Err(IdError::SurroundingWhitespace { kind: k })
        );
        assert_eq!(
            MunicipalityCode::parse("13\u{7f}016"),
            Err(IdError::ControlCharacter {
                kind: k,
                position: 3
            })
        );
        assert_eq!(
            MunicipalityCode::parse("131017"),
            Err(IdError::CheckDigit {
                kind: k,
                expected: 6,
                found: 7
            })
        );
        for (code, pref) in [("000000", 0), ("480001", 48), ("991234", 99)] {
            assert_eq!(
                MunicipalityCode::parse(code),
                Err(IdError::PrefectureOutOfRange { found: pref })
            );
        }
        assert_eq!(
            MunicipalityCode::from_five_digits("48000"),
            Err(IdError::PrefectureOutOfRange { found: 48 })
        );
        assert_eq!(
            MunicipalityCode::check_digit("131016"),
            Err(IdError::WrongLength {
                kind: k,
                expected: 5,
                found: 6
            })
        );
        assert_eq!(
            MunicipalityCode::check_digit("1310x"),
            Err(IdError::NonDigit {
                kind: k,
                position: 5
            })
        );
        // check_digit is pure arithmetic: no prefecture check
        assert!(MunicipalityCode::check_digit("99999").is_ok());
    }

    #[test]
    fn traits() {
        let a: MunicipalityCode = "011002".parse().unwrap();
        let b = MunicipalityCode::parse("131016").unwrap();
        assert!(a < b);
        assert_eq!(format!("{a:?}"), "MunicipalityCode(\"011002\")");
        assert_eq!(format!("{a}"), "011002");
        let copy = a;
        assert_eq!(copy, a);
    }

    #[test]
    fn serde_round_trip() {
        let code = MunicipalityCode::parse("062014").unwrap();
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, "\"062014\"");
        let back: MunicipalityCode = serde_json::from_str(&json).unwrap();
        assert_eq!(back, code);
        let err = serde_json::from_str::<MunicipalityCode>("\"062015\"").unwrap_err();
        assert!(err.to_string().contains("check digit should be 4, found 5"));
        assert!(serde_json::from_str::<MunicipalityCode>("62014").is_err());
    }

    fn five_digits() -> impl Strategy<Value = String> {
        (1u8..=47, 0u16..=999).prop_map(|(p, c)| format!("{p:02}{c:03}"))
    }

    proptest! {
        #[test]
        fn from_five_then_parse_round_trips(five in five_digits()) {
            let code = MunicipalityCode::from_five_digits(&five).unwrap();
            prop_assert!(code.as_str().starts_with(&five));
            prop_assert_eq!(MunicipalityCode::parse(code.as_str()), Ok(code));
            prop_assert_eq!(code.as_str().parse::<MunicipalityCode>(), Ok(code));
            let json = serde_json::to_string(&code).unwrap();
            prop_assert_eq!(serde_json::from_str::<MunicipalityCode>(&json).unwrap(), code);
        }

        #[test]
        fn exactly_one_check_digit_is_valid(five in five_digits()) {
            let valid: Vec<u8> = (0u8..=9)
                .filter(|d| MunicipalityCode::parse(&format!("{five}{d}")).is_ok())
                .collect();
            prop_assert_eq!(valid.len(), 1);
            prop_assert_eq!(Some(valid[0]), MunicipalityCode::check_digit(&five).ok());
        }

        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = MunicipalityCode::parse(&s);
            let _ = MunicipalityCode::check_digit(&s);
            let _ = MunicipalityCode::from_five_digits(&s);
        }
    }
}
