//! [`MyNumber`]: 個人番号, reference §4.2. Sealed: redacted, zeroized, constant-time.

use core::fmt;
use core::str::FromStr;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::{ascii_digits, ascii_str, digit_value, IdError, IdKind};

const KIND: IdKind = IdKind::MyNumber;

/// A validated My Number (個人番号): 12 ASCII digits, the last being the statutory check digit
/// (MIC ordinance No. 85 of 2014, Art. 5).
///
/// **This type is sealed.** A `MyNumber`
/// - never prints itself: `Debug` gives `MyNumber(<redacted>)`, `Display` gives `************`;
/// - has no `Serialize`, `Hash` or `Ord`, so it cannot leak into a file, a log line, a hash map
///   key or a sorted index by accident;
/// - compares in constant time (`==` and [`MyNumber::ct_eq`] use `subtle`);
/// - wipes its digits when dropped (`zeroize`).
///
/// The only way to read the digits is [`MyNumber::expose_secret`].
///
/// Errors from parsing never contain the input. ([`IdError::CheckDigit`] names the single
/// expected and found check digit, nothing else.)
///
/// ```
/// use vrs_core::id::MyNumber;
/// // Synthetic number from the reference; never put real My Numbers in code.
/// let n = MyNumber::parse("123456789018")?;
/// assert_eq!(format!("{n:?}"), "MyNumber(<redacted>)");
/// assert_eq!(n.to_string(), "************");
/// assert_eq!(n, MyNumber::from_eleven_digits("12345678901")?);
/// assert!(MyNumber::parse("123456789013").is_err());
/// # Ok::<(), vrs_core::id::IdError>(())
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MyNumber([u8; 12]);

/// Weights over the 11 base digits, left to right.
const WEIGHTS: [u32; 11] = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/// Check digit over 11 ASCII digits: r = Σ digit·weight mod 11; 0 if r <= 1 else 11 - r.
fn compute_check(eleven: &[u8; 11]) -> u8 {
    let sum: u32 = eleven
        .iter()
        .zip(WEIGHTS)
        .map(|(&b, w)| u32::from(digit_value(b)) * w)
        .sum();
    let r = sum % 11;
    if r <= 1 {
        0
    } else {
        // r is 2..=10, so the result is 1..=9.
        (11 - r) as u8
    }
}

impl MyNumber {
    /// Parses exactly 12 ASCII digits and verifies the check digit.
    ///
    /// Errors, in the order they are checked: [`IdError::Empty`],
    /// [`IdError::SurroundingWhitespace`], [`IdError::FullWidthDigits`],
    /// [`IdError::ControlCharacter`], [`IdError::NonDigit`], [`IdError::WrongLength`],
    /// [`IdError::CheckDigit`]. Separators such as hyphens are not accepted.
    ///
    /// ```
    /// use vrs_core::id::{IdError, IdKind, MyNumber};
    /// assert!(MyNumber::parse("110000000000").is_ok());
    /// assert_eq!(
    ///     MyNumber::parse("1234-5678-9018").unwrap_err(),
    ///     IdError::NonDigit { kind: IdKind::MyNumber, position: 5 }
    /// );
    /// ```
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let digits = ascii_digits::<12>(s, KIND)?;
        // Build in place, so a rejected value is wiped too (drop zeroizes).
        let mut n = MyNumber([0; 12]);
        n.0.copy_from_slice(digits);
        let [base @ .., last] = &n.0;
        let expected = compute_check(base);
        let found = digit_value(*last);
        if expected == found {
            Ok(n)
        } else {
            Err(IdError::CheckDigit {
                kind: KIND,
                expected,
                found,
            })
        }
    }

    /// Computes the check digit for the first eleven digits.
    ///
    /// Errors only for input that is not exactly eleven ASCII digits
    /// ([`IdError::WrongLength`] with `expected: 11`, etc.).
    ///
    /// ```
    /// use vrs_core::id::MyNumber;
    /// assert_eq!(MyNumber::check_digit("12345678901"), Ok(8));
    /// assert_eq!(MyNumber::check_digit("11000000000"), Ok(0)); // remainder 0 -> 0
    /// ```
    pub fn check_digit(first_eleven: &str) -> Result<u8, IdError> {
        ascii_digits::<11>(first_eleven, KIND).map(compute_check)
    }

    /// Builds a My Number from its first eleven digits by appending the check digit.
    ///
    /// ```
    /// use vrs_core::id::MyNumber;
    /// let n = MyNumber::from_eleven_digits("98765432109")?;
    /// assert_eq!(n.expose_secret(), "987654321093");
    /// # Ok::<(), vrs_core::id::IdError>(())
    /// ```
    pub fn from_eleven_digits(first_eleven: &str) -> Result<Self, IdError> {
        let eleven = ascii_digits::<11>(first_eleven, KIND)?;
        let mut n = MyNumber([0; 12]);
        let [base @ .., last] = &mut n.0;
        base.copy_from_slice(eleven);
        *last = b'0' + compute_check(eleven);
        Ok(n)
    }

    /// **SECRET: returns the 12 digits in clear text.**
    ///
    /// This is the one deliberate way to read a My Number. Call it only at the point where the
    /// digits must leave the type: sealing with AES-GCM, computing the per-tenant HMAC, or
    /// writing an upload file that legally carries the number. Never log, print, format into an
    /// error, store unsealed, or keep the returned `&str` (or any copy of it) longer than
    /// necessary: copies you make are **not** zeroized. Every call site should be easy to
    /// find in review by searching for `expose_secret`.
    ///
    /// ```
    /// use vrs_core::id::MyNumber;
    /// let n = MyNumber::parse("500000000011")?;
    /// assert_eq!(n.expose_secret(), "500000000011");
    /// # Ok::<(), vrs_core::id::IdError>(())
    /// ```
    pub fn expose_secret(&self) -> &str {
        ascii_str(&self.0)
    }

    /// Every My Number-shaped number in free text: each maximal run of exactly 12 digits (ASCII
    /// or full-width `０`-`９`, optionally grouped by single hyphens or spaces, e.g.
    /// `1234-5678-9018`) whose last digit is the check digit of the other eleven. A longer or
    /// shorter run of digits is not one. Used to keep My Numbers out of fields that reach
    /// downloads (a doctor's name typed as a number, a My Number entered as an addressee
    /// number).
    ///
    /// ```
    /// use vrs_core::id::MyNumber;
    /// assert_eq!(MyNumber::shaped_in("医師 １２３４５６７８９０１８").len(), 1);
    /// assert_eq!(MyNumber::shaped_in("1234-5678-9018").len(), 1);
    /// assert!(MyNumber::shaped_in("123456789013").is_empty()); // wrong check digit
    /// assert!(MyNumber::shaped_in("1234567890180").is_empty()); // 13 digits
    /// ```
    pub fn shaped_in(text: &str) -> Vec<MyNumber> {
        let mut found = Vec::new();
        scan_shaped(text, DigitRuns::Grouped, &mut |m| {
            found.push(m);
            true
        });
        found
    }

    /// From 12 ASCII digits, if the check digit is right (a rejected value is wiped on drop).
    fn from_digits(digits: &[u8; 12]) -> Option<MyNumber> {
        let n = MyNumber(*digits);
        let [base @ .., last] = &n.0;
        (compute_check(base) == digit_value(*last)).then_some(n)
    }

    /// Constant-time equality (the time taken does not depend on where the numbers differ).
    /// `==` does the same.
    pub fn ct_eq(&self, other: &Self) -> bool {
        self.0[..].ct_eq(&other.0[..]).into()
    }
}

/// Which runs of digits [`scan_shaped`] reads as one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DigitRuns {
    /// Digits may be grouped by single hyphens or spaces (`1234-5678-9018`), as people type a
    /// number into a free-text field: the registry's entry checks.
    Grouped,
    /// Only an unbroken run, and not one touching an ASCII letter (then it is part of a code,
    /// such as a hex pseudonym): the validator's check of every download column.
    Plain,
}

/// Calls `found` with each maximal run of exactly 12 digits (ASCII or full-width) in `text`
/// whose last digit is the check digit of the other eleven, read as `runs` says, until `found`
/// returns `false`. The one scanner behind [`MyNumber::shaped_in`] and the validator's N02.
pub(crate) fn scan_shaped(text: &str, runs: DigitRuns, found: &mut dyn FnMut(MyNumber) -> bool) {
    let mut digits = [0u8; 12];
    let mut n = 0usize; // digits in the current run (saturating past 12)
    let mut after_separator = false;
    let mut run_after_letter = false;
    let mut previous_letter = false;
    // Ends the current run; `false` when `found` asked to stop.
    let mut finish = |digits: &mut [u8; 12], n: &mut usize, touches_letter: bool| {
        let mut go_on = true;
        let part_of_code = runs == DigitRuns::Plain && touches_letter;
        if *n == 12 && !part_of_code {
            if let Some(m) = MyNumber::from_digits(digits) {
                go_on = found(m);
            }
        }
        digits.zeroize();
        *n = 0;
        go_on
    };
    for c in text.chars() {
        let digit = match c {
            '0'..='9' => Some(c as u8),
            '０'..='９' => Some(b'0' + (c as u32 - '０' as u32) as u8),
            _ => None,
        };
        match digit {
            Some(d) => {
                if n == 0 {
                    run_after_letter = previous_letter;
                }
                if n < 12 {
                    digits[n] = d;
                }
                n = n.saturating_add(1).min(13);
                after_separator = false;
            }
            None if runs == DigitRuns::Grouped
                && n > 0
                && !after_separator
                && matches!(c, '-' | '‐' | '‑' | '－' | '−' | ' ' | '　') =>
            {
                after_separator = true;
            }
            None => {
                let touches = run_after_letter || c.is_ascii_alphabetic();
                if n > 0 && !finish(&mut digits, &mut n, touches) {
                    return;
                }
                after_separator = false;
            }
        }
        previous_letter = c.is_ascii_alphabetic();
    }
    if n > 0 {
        finish(&mut digits, &mut n, run_after_letter);
    }
}

impl PartialEq for MyNumber {
    /// Constant-time comparison via [`subtle::ConstantTimeEq`].
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other)
    }
}

impl Eq for MyNumber {}

impl fmt::Debug for MyNumber {
    /// Always `MyNumber(<redacted>)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MyNumber(<redacted>)")
    }
}

impl fmt::Display for MyNumber {
    /// Always `************` (twelve asterisks).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("************")
    }
}

impl FromStr for MyNumber {
    type Err = IdError;

    /// Same as [`MyNumber::parse`].
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod shape_tests {
    use super::*;

    #[test]
    fn shapes_are_found_in_any_form_and_only_with_the_check_digit() {
        let found = |t: &str| MyNumber::shaped_in(t).len();
        assert_eq!(found("123456789018"), 1);
        assert_eq!(found("山田123456789018一郎"), 1);
        assert_eq!(found("１２３４５６７８９０１８"), 1);
        assert_eq!(found("1234 5678 9018"), 1);
        assert_eq!(found("1234　5678－9018"), 1);
        assert_eq!(found("a 123456789018 b 110000000000"), 2);
        assert_eq!(found("123456789013"), 0);
        assert_eq!(found("12345678901"), 0);
        assert_eq!(found("1234567890180"), 0);
        assert_eq!(found("1234--5678-9018"), 0);
        assert_eq!(found("-123456789018-"), 1);
        assert_eq!(found(""), 0);
        assert_eq!(found("FA5765"), 0);
        assert_eq!(
            MyNumber::shaped_in("x123456789018")[0].expose_secret(),
            "123456789018"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// §4.2 worked examples (synthetic): (base, S, r, check, full).
    const TABLE: [(&str, u32, u32, u8, &str); 5] = [
        ("12345678901", 212, 3, 8, "123456789018"),
        ("11000000000", 11, 0, 0, "110000000000"),
        ("27182818284", 221, 1, 0, "271828182840"),
        ("50000000001", 32, 10, 1, "500000000011"),
        ("98765432109", 228, 8, 3, "987654321093"),
    ];

    #[test]
    fn reference_table() {
        for (base, s, r, check, full) in TABLE {
            let sum: u32 = base
                .bytes()
                .zip(WEIGHTS)
                .map(|(b, w)| u32::from(b - b'0') * w)
                .sum();
            assert_eq!(sum, s, "{base}");
            assert_eq!(sum % 11, r, "{base}");
            assert_eq!(MyNumber::check_digit(base), Ok(check), "{base}");
            let n = MyNumber::parse(full).unwrap();
            assert_eq!(n.expose_secret(), full);
            assert_eq!(MyNumber::from_eleven_digits(base).unwrap(), n);
            assert_eq!(full.parse::<MyNumber>().unwrap(), n);
        }
    }

    #[test]
    fn errors() {
        let k = IdKind::MyNumber;
        assert_eq!(MyNumber::parse(""), Err(IdError::Empty { kind: k }));
        assert_eq!(
            MyNumber::parse("12345678901"),
            Err(IdError::WrongLength {
                kind: k,
                expected: 12,
                found: 11
            })
        );
        assert_eq!(
            MyNumber::parse("１23456789018"),
            Err(IdError::FullWidthDigits {
                kind: k,
                position: 1
            })
        );
        assert_eq!(
            MyNumber::parse("123456789013"),
            Err(IdError::CheckDigit {
                kind: k,
                expected: 8,
                found: 3
            })
        );
        assert_eq!(
            MyNumber::parse(" 123456789018"),
            Err(IdError::SurroundingWhitespace { kind: k })
        );
        assert_eq!(
            MyNumber::check_digit("1234567890"),
            Err(IdError::WrongLength {
                kind: k,
                expected: 11,
                found: 10
            })
        );
        assert_eq!(
            MyNumber::from_eleven_digits("1234567890x"),
            Err(IdError::NonDigit {
                kind: k,
                position: 11
            })
        );
    }

    #[test]
    fn equality_is_by_value() {
        let a = MyNumber::parse("271828182840").unwrap();
        let b = MyNumber::parse("271828182840").unwrap();
        let c = MyNumber::parse("987654321093").unwrap();
        assert!(a.ct_eq(&b));
        assert_eq!(a, b);
        assert!(!a.ct_eq(&c));
        assert_ne!(a, c);
        assert_eq!(a.clone(), a);
    }

    #[test]
    fn zeroize_wipes_digits() {
        let mut n = MyNumber::parse("123456789018").unwrap();
        n.zeroize();
        assert_eq!(n.0, [0u8; 12]);
    }

    /// Canary: the digits must never appear in any rendering of the value or its errors.
    #[test]
    fn canary_never_printed() {
        const CANARY: &str = "987654321093";
        const CANARY_BASE: &str = "98765432109";
        let n = MyNumber::parse(CANARY).unwrap();
        let ok: Result<MyNumber, IdError> = Ok(n.clone());
        let renderings = [
            format!("{n:?}"),
            format!("{n:#?}"),
            format!("{n}"),
            format!("{ok:?}"),
            format!("{:?}", Some(&n)),
        ];
        for r in &renderings {
            assert!(!r.contains(CANARY_BASE), "{r}");
            assert!(!r.contains("98765"), "{r}");
        }
        assert_eq!(renderings[0], "MyNumber(<redacted>)");
        assert_eq!(renderings[2], "************");

        let invalid_inputs = [
            "987654321090",     // wrong check digit
            "98765432109",      // too short
            "9876543210931",    // too long
            "98765432109x",     // non-digit
            "９87654321093",    // full-width
            " 987654321093",    // whitespace
            "98765432109\u{7}", // control
            "9876-5432-1093",   // separators
        ];
        for input in invalid_inputs {
            let res: Result<MyNumber, IdError> = MyNumber::parse(input);
            let err = res.as_ref().unwrap_err();
            for r in [
                format!("{res:?}"),
                format!("{res:#?}"),
                err.to_string(),
                err.message_ja(),
            ] {
                assert!(!r.contains("98765"), "{input}: {r}");
                assert!(!r.contains("54321"), "{input}: {r}");
                assert!(!r.contains("9876"), "{input}: {r}");
            }
        }
    }

    proptest! {
        #[test]
        fn exactly_one_check_digit_is_valid(base in "[0-9]{11}") {
            let valid: Vec<u8> = (0u8..=9)
                .filter(|d| MyNumber::parse(&format!("{base}{d}")).is_ok())
                .collect();
            prop_assert_eq!(valid.len(), 1);
            prop_assert_eq!(Some(valid[0]), MyNumber::check_digit(&base).ok());
        }

        #[test]
        fn from_eleven_then_parse_round_trips(base in "[0-9]{11}") {
            let n = MyNumber::from_eleven_digits(&base).unwrap();
            prop_assert!(n.expose_secret().starts_with(&base));
            let again = MyNumber::parse(n.expose_secret()).unwrap();
            prop_assert!(again == n);
        }

        #[test]
        fn errors_never_contain_input(s in "[0-9]{6,14}") {
            if let Err(e) = MyNumber::parse(&s) {
                let debug = format!("{e:?}");
                prop_assert!(!debug.contains(&s));
                prop_assert!(!e.to_string().contains(&s));
                prop_assert!(!e.message_ja().contains(&s));
            }
        }

        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = MyNumber::parse(&s);
            let _ = MyNumber::check_digit(&s);
            let _ = MyNumber::from_eleven_digits(&s);
        }
    }
}
