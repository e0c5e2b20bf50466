//! [`AddresseeNumber`]: 宛名番号, reference §4.4 and rule T05.

use core::fmt;
use core::str::FromStr;

use super::{check_not_blank, first_position, IdError, IdKind};

const KIND: IdKind = IdKind::AddresseeNumber;

/// A validated addressee number (宛名番号): the person id from a municipality's own register.
///
/// Free text of unspecified width; it means nothing outside its municipality. Validation:
/// non-empty, no leading or trailing whitespace (ASCII, U+3000 or other Unicode white space),
/// no control characters (C0, DEL, C1), and at most a maximum number of characters
/// ([`AddresseeNumber::DEFAULT_MAX_CHARS`] unless [`AddresseeNumber::parse_with_max`] is used).
/// The text is kept exactly as given (no normalisation).
///
/// `FromStr` and serde `Deserialize` use the default maximum.
///
/// ```
/// use vrs_core::id::AddresseeNumber;
/// let a = AddresseeNumber::parse("A-1024")?;
/// assert_eq!(a.as_str(), "A-1024");
/// assert!(AddresseeNumber::parse(" 1024").is_err());
/// // numeric values should carry no added zero fill (rule T05, a warning)
/// assert!(AddresseeNumber::parse("0001024")?.is_zero_filled_numeric());
/// # Ok::<(), vrs_core::id::IdError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AddresseeNumber(String);

impl AddresseeNumber {
    /// Default maximum length in characters used by [`AddresseeNumber::parse`].
    /// The official width is "任意" (unspecified); this is a configurable assumption.
    pub const DEFAULT_MAX_CHARS: usize = 15;

    /// Validates with the default maximum ([`AddresseeNumber::DEFAULT_MAX_CHARS`]).
    pub fn parse(s: &str) -> Result<Self, IdError> {
        Self::parse_with_max(s, Self::DEFAULT_MAX_CHARS)
    }

    /// Validates with a maximum of `max_chars` characters (Unicode scalar values).
    ///
    /// Errors, in the order they are checked: [`IdError::Empty`] (empty or only whitespace),
    /// [`IdError::SurroundingWhitespace`], [`IdError::ControlCharacter`], [`IdError::TooLong`].
    ///
    /// ```
    /// use vrs_core::id::{AddresseeNumber, IdError, IdKind};
    /// assert!(AddresseeNumber::parse_with_max("12345678901234567890", 20).is_ok());
    /// assert_eq!(
    ///     AddresseeNumber::parse_with_max("123456", 5),
    ///     Err(IdError::TooLong { kind: IdKind::AddresseeNumber, max: 5, found: 6 })
    /// );
    /// ```
    pub fn parse_with_max(s: &str, max_chars: usize) -> Result<Self, IdError> {
        Self::check_with_max(s, max_chars)?;
        Ok(AddresseeNumber(s.to_owned()))
    }

    /// The checks of [`parse_with_max`](Self::parse_with_max) without keeping the value (a
    /// validator checks millions of them and keeps none).
    pub(crate) fn check_with_max(s: &str, max_chars: usize) -> Result<(), IdError> {
        check_not_blank(s, KIND)?;
        if let Some(position) = first_position(s, char::is_control) {
            return Err(IdError::ControlCharacter {
                kind: KIND,
                position,
            });
        }
        let found = s.chars().count();
        if found > max_chars {
            return Err(IdError::TooLong {
                kind: KIND,
                max: max_chars,
                found,
            });
        }
        Ok(())
    }

    /// The addressee number as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for a numeric value with added zero fill: all ASCII digits, longer than one
    /// character, starting with `0` (e.g. `"000123"`). VRS expects numeric addressee numbers
    /// without zero fill, so validators warn on this (reference rule T05).
    ///
    /// ```
    /// use vrs_core::id::AddresseeNumber;
    /// assert!(!AddresseeNumber::parse("123")?.is_zero_filled_numeric());
    /// assert!(!AddresseeNumber::parse("0")?.is_zero_filled_numeric());
    /// assert!(!AddresseeNumber::parse("0A1")?.is_zero_filled_numeric());
    /// # Ok::<(), vrs_core::id::IdError>(())
    /// ```
    pub fn is_zero_filled_numeric(&self) -> bool {
        is_zero_filled_numeric(&self.0)
    }
}

/// [`AddresseeNumber::is_zero_filled_numeric`] of a string.
pub(crate) fn is_zero_filled_numeric(s: &str) -> bool {
    s.len() > 1 && s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit())
}

impl fmt::Debug for AddresseeNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AddresseeNumber").field(&self.0).finish()
    }
}

impl fmt::Display for AddresseeNumber {
    /// Writes the addressee number as given.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for AddresseeNumber {
    type Err = IdError;

    /// Same as [`AddresseeNumber::parse`] (default maximum).
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::parse(s)
    }
}

super::serde_str::impl_serde_via_str!(AddresseeNumber, "an addressee number");

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts() {
        for s in ["1", "123456789012345", "A-12 B", "宛名０１", "ｱｲｳ-1"] {
            let a = AddresseeNumber::parse(s).unwrap();
            assert_eq!(a.as_str(), s);
            assert_eq!(a.to_string(), s);
            assert_eq!(s.parse::<AddresseeNumber>().unwrap(), a);
        }
        assert_eq!(
            format!("{:?}", AddresseeNumber::parse("A1").unwrap()),
            "AddresseeNumber(\"A1\")"
        );
        // 15 multi-byte characters are 15 characters
        assert!(AddresseeNumber::parse("あいうえおかきくけこさしすせそ").is_ok());
    }

    #[test]
    fn errors() {
        let k = IdKind::AddresseeNumber;
        assert_eq!(AddresseeNumber::parse(""), Err(IdError::Empty { kind: k }));
        assert_eq!(
            AddresseeNumber::parse(" \u{3000}\t"),
            Err(IdError::Empty { kind: k })
        );
        for s in [" 1", "1 ", "\u{3000}1", "1\u{3000}", "\t1", "1\n"] {
            assert_eq!(
                AddresseeNumber::parse(s),
                Err(IdError::SurroundingWhitespace { kind: k }),
                "{s:?}"
            );
        }
        for (s, pos) in [("A\u{0}1", 2), ("AB\u{7f}", 3), ("\u{9f}A", 1), ("1\t2", 2)] {
            assert_eq!(
                AddresseeNumber::parse(s),
                Err(IdError::ControlCharacter {
                    kind: k,
                    position: pos
                }),
                "{s:?}"
            );
        }
        assert_eq!(
            AddresseeNumber::parse("1234567890123456"),
            Err(IdError::TooLong {
                kind: k,
                max: 15,
                found: 16
            })
        );
        assert_eq!(
            AddresseeNumber::parse_with_max("1", 0),
            Err(IdError::TooLong {
                kind: k,
                max: 0,
                found: 1
            })
        );
        assert!(AddresseeNumber::parse_with_max("1234567890123456", 16).is_ok());
    }

    #[test]
    fn zero_filled() {
        let cases = [
            ("0001", true),
            ("00", true),
            ("0", false),
            ("1000", false),
            ("0A", false),
            ("０１", false),
        ];
        for (s, want) in cases {
            assert_eq!(
                AddresseeNumber::parse(s).unwrap().is_zero_filled_numeric(),
                want,
                "{s}"
            );
        }
    }

    #[test]
    fn serde_round_trip() {
        let a = AddresseeNumber::parse("宛名-001").unwrap();
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<AddresseeNumber>(&json).unwrap(), a);
        assert!(serde_json::from_str::<AddresseeNumber>("\" 1\"").is_err());
        assert!(serde_json::from_str::<AddresseeNumber>("\"\"").is_err());
    }

    proptest! {
        #[test]
        fn valid_text_round_trips(s in "[A-Za-z0-9ぁ-ん][A-Za-z0-9ぁ-ん \u{3000}-]{0,12}[A-Za-z0-9ぁ-ん]") {
            let a = AddresseeNumber::parse(&s).unwrap();
            prop_assert_eq!(a.as_str(), s.as_str());
            let json = serde_json::to_string(&a).unwrap();
            prop_assert_eq!(serde_json::from_str::<AddresseeNumber>(&json).unwrap(), a);
        }

        #[test]
        fn parse_never_panics(s in any::<String>(), max in 0usize..40) {
            if let Ok(a) = AddresseeNumber::parse_with_max(&s, max) {
                prop_assert!(a.as_str().chars().count() <= max);
                prop_assert!(!a.as_str().chars().any(char::is_control));
            }
        }
    }
}
