//! Validated identifiers used by VRS (reference §4, §5.2).
//!
//! Every type here can only be built through validation, so a value of the type is proof
//! that the text was well formed:
//!
//! | type | what | rule |
//! |---|---|---|
//! | [`MunicipalityCode`] | 全国地方公共団体コード (JIS X 0402) | 6 ASCII digits, prefecture 01-47, check digit |
//! | [`MyNumber`] | 個人番号 | 12 ASCII digits, statutory check digit; sealed (redacted, zeroized, constant-time) |
//! | [`VoucherNumber`] | 券番号 | exactly 10 ASCII digits, no check digit |
//! | [`VoucherKey`] | (municipality, voucher number) | the uniqueness key of a voucher |
//! | [`OcrLine`] | 18-digit OCR / QR payload | type + dose + municipality + voucher number |
//! | [`AddresseeNumber`] | 宛名番号 | free text, trimmed, no control characters, length limit |
//!
//! Errors are [`IdError`]; their messages never contain the input.
//!
//! ```
//! use vrs_core::id::{MunicipalityCode, OcrLine};
//! let chiyoda: MunicipalityCode = "131016".parse()?;
//! let line = OcrLine::parse("111310160000012345")?;
//! assert_eq!(line.key.municipality, chiyoda);
//! assert_eq!(line.key.to_string(), "131016-0000012345");
//! # Ok::<(), vrs_core::id::IdError>(())
//! ```

mod addressee;
mod error;
mod municipality;
mod my_number;
mod ocr;
mod voucher;

pub(crate) use addressee::is_zero_filled_numeric;
pub use addressee::AddresseeNumber;
pub use error::{IdError, IdKind};
pub use municipality::MunicipalityCode;
pub use my_number::MyNumber;
pub(crate) use my_number::{scan_shaped, DigitRuns};
pub use ocr::OcrLine;
pub use voucher::{VoucherKey, VoucherNumber};

/// True for a full-width digit `０`..`９` (U+FF10..U+FF19).
fn is_full_width_digit(c: char) -> bool {
    ('\u{FF10}'..='\u{FF19}').contains(&c)
}

/// Checks the shape shared by every text identifier: not blank, no surrounding whitespace.
fn check_not_blank(s: &str, kind: IdKind) -> Result<(), IdError> {
    if s.trim().is_empty() {
        return Err(IdError::Empty { kind });
    }
    let starts = s.chars().next().is_some_and(char::is_whitespace);
    let ends = s.chars().next_back().is_some_and(char::is_whitespace);
    if starts || ends {
        return Err(IdError::SurroundingWhitespace { kind });
    }
    Ok(())
}

/// 1-based position of the first character of `s` matching `pred`.
fn first_position(s: &str, pred: impl Fn(char) -> bool) -> Option<usize> {
    s.chars().position(pred).map(|i| i + 1)
}

/// Validates that `s` is exactly `N` ASCII digits and returns them as bytes (ASCII codes).
///
/// Order of checks (the first failing one is reported): empty/blank, surrounding whitespace,
/// full-width digit, control character, other non-digit, length.
fn ascii_digits<const N: usize>(s: &str, kind: IdKind) -> Result<&[u8; N], IdError> {
    // Fast path for the canonical form (millions of calls per file); the checks below only
    // run to explain what is wrong.
    if let Ok(digits) = <&[u8; N]>::try_from(s.as_bytes()) {
        if digits.iter().all(u8::is_ascii_digit) {
            return Ok(digits);
        }
    }
    check_not_blank(s, kind)?;
    if let Some(position) = first_position(s, is_full_width_digit) {
        return Err(IdError::FullWidthDigits { kind, position });
    }
    if let Some(position) = first_position(s, char::is_control) {
        return Err(IdError::ControlCharacter { kind, position });
    }
    if let Some(position) = first_position(s, |c| !c.is_ascii_digit()) {
        return Err(IdError::NonDigit { kind, position });
    }
    // All characters are ASCII digits here, so bytes == characters.
    s.as_bytes().try_into().map_err(|_| IdError::WrongLength {
        kind,
        expected: N,
        found: s.len(),
    })
}

/// `value` as `N` ASCII digits, leading zeros kept; `None` when it needs more.
fn decimal_digits<const N: usize>(value: u64) -> Option<[u8; N]> {
    let mut digits = [b'0'; N];
    let mut rest = value;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    (rest == 0).then_some(digits)
}

/// Numeric value of an ASCII digit byte (caller guarantees `b'0'..=b'9'`).
fn digit_value(b: u8) -> u8 {
    b.wrapping_sub(b'0')
}

/// Views validated ASCII bytes as `&str`.
///
/// Every caller passes bytes that were validated as ASCII on construction, so the fallback
/// (an empty string) is unreachable; it exists only so that no code path can panic.
fn ascii_str(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or_default()
}

/// Serde support: every public type except `MyNumber` (de)serializes as its canonical string,
/// and deserializing runs the same validation as `FromStr`.
mod serde_str {
    use core::fmt;
    use core::marker::PhantomData;
    use core::str::FromStr;

    use serde::de::{self, Visitor};

    use super::IdError;

    /// Visitor that parses a string with `T::from_str`.
    pub(super) struct StrVisitor<T>(pub(super) PhantomData<T>, pub(super) &'static str);

    impl<T: FromStr<Err = IdError>> Visitor<'_> for StrVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.1)
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            T::from_str(v).map_err(E::custom)
        }
    }

    /// Implements `Serialize` (via `Display`) and `Deserialize` (via `FromStr`) for a type.
    macro_rules! impl_serde_via_str {
        ($ty:ty, $expecting:literal) => {
            impl serde::Serialize for $ty {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.collect_str(self)
                }
            }

            impl<'de> serde::Deserialize<'de> for $ty {
                fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    d.deserialize_str(super::serde_str::StrVisitor(
                        core::marker::PhantomData,
                        $expecting,
                    ))
                }
            }
        };
    }
    pub(super) use impl_serde_via_str;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_digits_order_of_checks() {
        let k = IdKind::VoucherNumber;
        assert_eq!(ascii_digits::<3>("", k), Err(IdError::Empty { kind: k }));
        assert_eq!(
            ascii_digits::<3>(" \u{3000}", k),
            Err(IdError::Empty { kind: k })
        );
        assert_eq!(
            ascii_digits::<3>(" 123", k),
            Err(IdError::SurroundingWhitespace { kind: k })
        );
        assert_eq!(
            ascii_digits::<3>("123\u{3000}", k),
            Err(IdError::SurroundingWhitespace { kind: k })
        );
        // full-width wins over an earlier non-digit
        assert_eq!(
            ascii_digits::<3>("a\u{FF11}3", k),
            Err(IdError::FullWidthDigits {
                kind: k,
                position: 2
            })
        );
        assert_eq!(
            ascii_digits::<3>("1\u{0}3", k),
            Err(IdError::ControlCharacter {
                kind: k,
                position: 2
            })
        );
        // positions count characters, not bytes
        assert_eq!(
            ascii_digits::<3>("漢1x", k),
            Err(IdError::NonDigit {
                kind: k,
                position: 1
            })
        );
        assert_eq!(
            ascii_digits::<3>("1-x", k),
            Err(IdError::NonDigit {
                kind: k,
                position: 2
            })
        );
        assert_eq!(
            ascii_digits::<3>("1234", k),
            Err(IdError::WrongLength {
                kind: k,
                expected: 3,
                found: 4
            })
        );
        assert_eq!(ascii_digits::<3>("123", k), Ok(b"123"));
    }
}
