//! [`VoucherNumber`] (券番号, reference §4.3) and [`VoucherKey`].

use core::fmt;
use core::str::FromStr;

use super::{ascii_digits, ascii_str, decimal_digits, IdError, IdKind, MunicipalityCode};

/// A validated voucher number (券番号): exactly 10 ASCII digits, zero-filled, no check digit.
///
/// A voucher number is unique only within its issuing municipality; use [`VoucherKey`] as
/// the identity of a voucher.
///
/// ```
/// use vrs_core::id::VoucherNumber;
/// let n = VoucherNumber::parse("0000012345")?;
/// assert_eq!(n.as_str(), "0000012345");
/// assert!(VoucherNumber::parse("12345").is_err()); // zero fill is required
/// # Ok::<(), vrs_core::id::IdError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VoucherNumber([u8; 10]);

impl VoucherNumber {
    /// Parses exactly 10 ASCII digits.
    ///
    /// Errors, in the order they are checked: [`IdError::Empty`],
    /// [`IdError::SurroundingWhitespace`], [`IdError::FullWidthDigits`],
    /// [`IdError::ControlCharacter`], [`IdError::NonDigit`], [`IdError::WrongLength`].
    pub fn parse(s: &str) -> Result<Self, IdError> {
        ascii_digits::<10>(s, IdKind::VoucherNumber).map(|d| VoucherNumber(*d))
    }

    /// The number `value` (below 10^10) as ten digits, leading zeros kept.
    pub(crate) fn from_u64(value: u64) -> Option<Self> {
        decimal_digits::<10>(value).map(VoucherNumber)
    }

    /// The 10-digit canonical string.
    pub fn as_str(&self) -> &str {
        ascii_str(&self.0)
    }

    /// The number as an integer (below 10^10), for compact keys; never for printing.
    pub fn to_u64(&self) -> u64 {
        self.0
            .iter()
            .fold(0, |acc, d| acc * 10 + u64::from(d - b'0'))
    }
}

impl fmt::Debug for VoucherNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VoucherNumber")
            .field(&self.as_str())
            .finish()
    }
}

impl fmt::Display for VoucherNumber {
    /// Writes the 10-digit canonical string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for VoucherNumber {
    type Err = IdError;

    /// Same as [`VoucherNumber::parse`].
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::parse(s)
    }
}

super::serde_str::impl_serde_via_str!(VoucherNumber, "a 10-digit voucher number");

/// The identity of a voucher: issuing municipality plus voucher number.
///
/// Canonical string (`Display`, `FromStr`, serde): `MMMMMM-NNNNNNNNNN`, e.g.
/// `131016-0000012345`. Ordered by municipality, then number.
///
/// ```
/// use vrs_core::id::{MunicipalityCode, VoucherKey, VoucherNumber};
/// let key = VoucherKey::new(
///     MunicipalityCode::parse("131016")?,
///     VoucherNumber::parse("0000012345")?,
/// );
/// assert_eq!(key.to_string(), "131016-0000012345");
/// assert_eq!("131016-0000012345".parse::<VoucherKey>()?, key);
/// # Ok::<(), vrs_core::id::IdError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VoucherKey {
    /// The issuing municipality.
    pub municipality: MunicipalityCode,
    /// The voucher number, unique within `municipality`.
    pub number: VoucherNumber,
}

impl VoucherKey {
    /// Combines a municipality code and a voucher number.
    pub fn new(municipality: MunicipalityCode, number: VoucherNumber) -> Self {
        VoucherKey {
            municipality,
            number,
        }
    }

    /// Parses `MMMMMM-NNNNNNNNNN` (the `Display` form).
    ///
    /// A missing `-` gives [`IdError::MissingSeparator`]; otherwise each part is parsed
    /// strictly and its error is returned as is (kind and positions refer to that part).
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let (m, n) = s.split_once('-').ok_or_else(|| {
            if s.trim().is_empty() {
                IdError::Empty {
                    kind: IdKind::VoucherKey,
                }
            } else {
                IdError::MissingSeparator {
                    kind: IdKind::VoucherKey,
                }
            }
        })?;
        Ok(VoucherKey::new(
            MunicipalityCode::parse(m)?,
            VoucherNumber::parse(n)?,
        ))
    }
}

impl fmt::Display for VoucherKey {
    /// Writes `MMMMMM-NNNNNNNNNN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.municipality, self.number)
    }
}

impl FromStr for VoucherKey {
    type Err = IdError;

    /// Same as [`VoucherKey::parse`].
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::parse(s)
    }
}

super::serde_str::impl_serde_via_str!(
    VoucherKey,
    "a voucher key like 131016-0000012345 (municipality code, '-', voucher number)"
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn voucher_number() {
        let n = VoucherNumber::parse("0000012345").unwrap();
        assert_eq!(n.as_str(), "0000012345");
        assert_eq!(n.to_string(), "0000012345");
        assert_eq!(format!("{n:?}"), "VoucherNumber(\"0000012345\")");
        assert_eq!("0000012345".parse::<VoucherNumber>(), Ok(n));
        assert!(VoucherNumber::parse("0000000001").unwrap() < n);
        let k = IdKind::VoucherNumber;
        assert_eq!(VoucherNumber::parse(""), Err(IdError::Empty { kind: k }));
        assert_eq!(
            VoucherNumber::parse("000001234"),
            Err(IdError::WrongLength {
                kind: k,
                expected: 10,
                found: 9
            })
        );
        assert_eq!(
            VoucherNumber::parse("000A012345"),
            Err(IdError::NonDigit {
                kind: k,
                position: 4
            })
        );
        assert_eq!(
            VoucherNumber::parse("00000１2345"),
            Err(IdError::FullWidthDigits {
                kind: k,
                position: 6
            })
        );
        assert_eq!(
            VoucherNumber::parse("0000012345\u{3000}"),
            Err(IdError::SurroundingWhitespace { kind: k })
        );
        assert_eq!(
            VoucherNumber::parse("00000\u{85}2345"),
            Err(IdError::ControlCharacter {
                kind: k,
                position: 6
            })
        );
    }

    #[test]
    fn voucher_key() {
        let key: VoucherKey = "131016-0000012345".parse().unwrap();
        assert_eq!(key.municipality.as_str(), "131016");
        assert_eq!(key.number.as_str(), "0000012345");
        assert_eq!(key.to_string(), "131016-0000012345");
        assert_eq!(
            VoucherKey::parse("1310160000012345"),
            Err(IdError::MissingSeparator {
                kind: IdKind::VoucherKey
            })
        );
        assert_eq!(
            VoucherKey::parse(""),
            Err(IdError::Empty {
                kind: IdKind::VoucherKey
            })
        );
        assert_eq!(
            VoucherKey::parse("131017-0000012345"),
            Err(IdError::CheckDigit {
                kind: IdKind::MunicipalityCode,
                expected: 6,
                found: 7
            })
        );
        assert_eq!(
            VoucherKey::parse("131016-0000-12345"),
            Err(IdError::NonDigit {
                kind: IdKind::VoucherNumber,
                position: 5
            })
        );
        // ordered by municipality first
        let a: VoucherKey = "011002-9999999999".parse().unwrap();
        assert!(a < key);
    }

    #[test]
    fn serde_round_trips() {
        let key: VoucherKey = "341002-0000000001".parse().unwrap();
        let json = serde_json::to_string(&key).unwrap();
        assert_eq!(json, "\"341002-0000000001\"");
        assert_eq!(serde_json::from_str::<VoucherKey>(&json).unwrap(), key);
        let json = serde_json::to_string(&key.number).unwrap();
        assert_eq!(json, "\"0000000001\"");
        assert_eq!(
            serde_json::from_str::<VoucherNumber>(&json).unwrap(),
            key.number
        );
        assert!(serde_json::from_str::<VoucherNumber>("\"1\"").is_err());
        assert!(serde_json::from_str::<VoucherKey>("\"341003-0000000001\"").is_err());
    }

    proptest! {
        #[test]
        fn voucher_number_round_trip(s in "[0-9]{10}") {
            let n = VoucherNumber::parse(&s).unwrap();
            prop_assert_eq!(n.as_str(), s.as_str());
            let json = serde_json::to_string(&n).unwrap();
            prop_assert_eq!(serde_json::from_str::<VoucherNumber>(&json).unwrap(), n);
        }

        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = VoucherNumber::parse(&s);
            let _ = VoucherKey::parse(&s);
        }
    }
}
