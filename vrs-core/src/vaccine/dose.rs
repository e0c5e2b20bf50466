//! Dose ordinals (接種回数).

use std::fmt;

use super::error::VaccineError;

/// The running dose count of a person (1回目, 2回目, …), 1..=9.
///
/// Doses are counted cumulatively per person; a voucher's OCR digit caps one voucher at
/// 9 (reference §7.2).
///
/// ```
/// use vrs_core::vaccine::DoseNumber;
/// let third = DoseNumber::parse("3")?;
/// assert_eq!(third.get(), 3);
/// assert!(DoseNumber::new(0).is_err());
/// assert!(DoseNumber::parse("10").is_err());
/// # Ok::<(), vrs_core::vaccine::VaccineError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DoseNumber(u8);

impl DoseNumber {
    /// Smallest dose number.
    pub const MIN: u8 = 1;
    /// Largest dose number.
    pub const MAX: u8 = 9;

    /// Checks that `n` is 1..=9.
    pub fn new(n: u8) -> Result<Self, VaccineError> {
        if (Self::MIN..=Self::MAX).contains(&n) {
            Ok(DoseNumber(n))
        } else {
            Err(VaccineError::DoseOutOfRange {
                found: n.to_string(),
            })
        }
    }

    /// The number, 1..=9.
    pub fn get(self) -> u8 {
        self.0
    }

    /// Parses exactly one ASCII digit `1`..=`9` (no spaces, signs or full-width digits).
    pub fn parse(s: &str) -> Result<Self, VaccineError> {
        match s.as_bytes() {
            [b @ b'1'..=b'9'] => Ok(DoseNumber(b - b'0')),
            _ => Err(VaccineError::DoseOutOfRange {
                found: s.to_string(),
            }),
        }
    }
}

impl fmt::Display for DoseNumber {
    /// The bare number, for example `3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<u8> for DoseNumber {
    type Error = VaccineError;

    fn try_from(n: u8) -> Result<Self, VaccineError> {
        DoseNumber::new(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_and_parse() {
        for n in 1..=9u8 {
            let dose = DoseNumber::new(n).unwrap();
            assert_eq!(dose.get(), n);
            assert_eq!(DoseNumber::parse(&n.to_string()), Ok(dose));
            assert_eq!(dose.to_string(), n.to_string());
        }
        assert_eq!(
            DoseNumber::new(0),
            Err(VaccineError::DoseOutOfRange { found: "0".into() })
        );
        assert!(DoseNumber::new(10).is_err());
        assert!(DoseNumber::try_from(255).is_err());
        for bad in ["", "0", "10", " 1", "1 ", "+1", "３", "a", "01"] {
            assert_eq!(
                DoseNumber::parse(bad),
                Err(VaccineError::DoseOutOfRange { found: bad.into() }),
                "{bad:?}"
            );
        }
        assert!(DoseNumber::new(2).unwrap() < DoseNumber::new(3).unwrap());
    }
}
