//! Errors for identifier parsing: [`IdKind`] and [`IdError`].
//!
//! No message ever contains the rejected input: the input may be a My Number.
//! Messages carry only kinds, positions, lengths and (for check digits) the
//! single expected and found digit.

use core::fmt;

/// Which identifier an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdKind {
    /// Municipality code (全国地方公共団体コード, JIS X 0402), 6 digits with check digit.
    MunicipalityCode,
    /// My Number (個人番号), 12 digits with check digit.
    MyNumber,
    /// Voucher number (券番号), 10 digits, no check digit.
    VoucherNumber,
    /// The 18-digit OCR line / QR payload printed on a voucher (OCRライン).
    OcrLine,
    /// Addressee number (宛名番号), a municipality-internal person id.
    AddresseeNumber,
    /// A voucher key written as `municipality code-voucher number`, e.g. `131016-0000012345`.
    VoucherKey,
}

impl IdKind {
    /// English name used in messages, e.g. `"municipality code"`.
    ///
    /// ```
    /// use vrs_core::id::IdKind;
    /// assert_eq!(IdKind::MyNumber.name_en(), "My Number");
    /// ```
    pub fn name_en(self) -> &'static str {
        match self {
            IdKind::MunicipalityCode => "municipality code",
            IdKind::MyNumber => "My Number",
            IdKind::VoucherNumber => "voucher number",
            IdKind::OcrLine => "OCR line",
            IdKind::AddresseeNumber => "addressee number",
            IdKind::VoucherKey => "voucher key",
        }
    }

    /// Japanese name used in messages, e.g. `"自治体コード"`.
    ///
    /// ```
    /// use vrs_core::id::IdKind;
    /// assert_eq!(IdKind::MunicipalityCode.name_ja(), "自治体コード");
    /// ```
    pub fn name_ja(self) -> &'static str {
        match self {
            IdKind::MunicipalityCode => "自治体コード",
            IdKind::MyNumber => "個人番号",
            IdKind::VoucherNumber => "券番号",
            IdKind::OcrLine => "OCRライン",
            IdKind::AddresseeNumber => "宛名番号",
            IdKind::VoucherKey => "接種券キー",
        }
    }
}

impl fmt::Display for IdKind {
    /// Writes the English name ([`IdKind::name_en`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_en())
    }
}

/// `"character"` or `"characters"`.
fn chars_en(n: usize) -> &'static str {
    if n == 1 {
        "character"
    } else {
        "characters"
    }
}

/// Why an identifier was rejected.
///
/// Positions are 1-based character positions (not byte offsets). Lengths are counted in
/// characters. The rejected input itself is never part of the error.
///
/// ```
/// use vrs_core::id::{IdError, IdKind, MunicipalityCode};
/// let err = MunicipalityCode::parse("13101").unwrap_err();
/// assert_eq!(err, IdError::WrongLength { kind: IdKind::MunicipalityCode, expected: 6, found: 5 });
/// assert_eq!(err.to_string(), "municipality code must be 6 digits, found 5 characters");
/// assert_eq!(err.message_ja(), "自治体コードは6桁の数字でなければなりません（入力は5文字です）");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The input is empty or consists only of whitespace.
    #[error("{kind} is empty")]
    Empty {
        /// The identifier concerned.
        kind: IdKind,
    },
    /// The input has the wrong number of characters.
    #[error("{kind} must be {expected} digits, found {found} {}", chars_en(*found))]
    WrongLength {
        /// The identifier concerned.
        kind: IdKind,
        /// Required number of digits.
        expected: usize,
        /// Number of characters found.
        found: usize,
    },
    /// A character that is not an ASCII digit `0`-`9`.
    #[error("{kind}: character {position} is not an ASCII digit")]
    NonDigit {
        /// The identifier concerned.
        kind: IdKind,
        /// 1-based position of the first offending character.
        position: usize,
    },
    /// A full-width digit (U+FF10..U+FF19, `０`-`９`) where an ASCII digit is required.
    /// Reported in preference to [`IdError::NonDigit`] so the fix is obvious.
    #[error("{kind}: full-width digit at position {position}; use ASCII digits 0-9")]
    FullWidthDigits {
        /// The identifier concerned.
        kind: IdKind,
        /// 1-based position of the first full-width digit.
        position: usize,
    },
    /// The check digit does not match the one computed from the other digits.
    #[error("{kind}: check digit should be {expected}, found {found}")]
    CheckDigit {
        /// The identifier concerned.
        kind: IdKind,
        /// The check digit computed from the other digits.
        expected: u8,
        /// The check digit present in the input.
        found: u8,
    },
    /// The prefecture part (first two digits) of a municipality code is not 01..=47.
    #[error("municipality code: prefecture part must be 01 to 47, found {found:02}")]
    PrefectureOutOfRange {
        /// The prefecture number found (0..=99).
        found: u8,
    },
    /// The dose digit (position 2) of an OCR line is 0; it must be 1..=9.
    #[error("OCR line: dose digit (position 2) must be 1 to 9, found 0")]
    DoseDigitZero,
    /// A dose number above 9 was given for an OCR line, which has one digit for it.
    #[error("OCR line: dose must be 1 to 9, found {found}")]
    DoseOutOfRange {
        /// The dose number given.
        found: u8,
    },
    /// A voucher type above 9 was given for an OCR line, which has one digit for it.
    #[error("OCR line: voucher type must be a single digit 0 to 9, found {found}")]
    VoucherTypeOutOfRange {
        /// The voucher type given.
        found: u8,
    },
    /// The input is longer than allowed (addressee number).
    #[error("{kind} must be at most {max} {}, found {found}", chars_en(*max))]
    TooLong {
        /// The identifier concerned.
        kind: IdKind,
        /// Maximum number of characters.
        max: usize,
        /// Number of characters found.
        found: usize,
    },
    /// A control character (C0, DEL or C1) in the input.
    #[error("{kind}: character {position} is a control character")]
    ControlCharacter {
        /// The identifier concerned.
        kind: IdKind,
        /// 1-based position of the first control character.
        position: usize,
    },
    /// The input starts or ends with whitespace (ASCII whitespace, U+3000 or other Unicode
    /// white space).
    #[error("{kind} has leading or trailing whitespace")]
    SurroundingWhitespace {
        /// The identifier concerned.
        kind: IdKind,
    },
    /// A voucher key is not written as `municipality code-voucher number`
    /// (e.g. `131016-0000012345`): the `-` separator is missing.
    #[error("{kind}: expected municipality code, '-', voucher number (like 131016-0000012345)")]
    MissingSeparator {
        /// The identifier concerned.
        kind: IdKind,
    },
    /// A part of an OCR line (the municipality code, positions 3-8) is invalid.
    ///
    /// `positions` are 1-based, inclusive positions within the 18-digit payload.
    #[error("OCR line positions {}-{}: {inner}", positions.0, positions.1)]
    InOcrLine {
        /// First and last position (1-based, inclusive) of the part within the 18 digits.
        positions: (usize, usize),
        /// The error of the part, e.g. a municipality code check-digit error.
        inner: Box<IdError>,
    },
}

impl IdError {
    /// The identifier this error is about. For [`IdError::InOcrLine`] this is
    /// [`IdKind::OcrLine`] (the inner error names the part).
    ///
    /// ```
    /// use vrs_core::id::{IdKind, OcrLine};
    /// let err = OcrLine::parse("111310170000012345").unwrap_err();
    /// assert_eq!(err.kind(), IdKind::OcrLine);
    /// ```
    pub fn kind(&self) -> IdKind {
        match self {
            IdError::Empty { kind }
            | IdError::WrongLength { kind, .. }
            | IdError::NonDigit { kind, .. }
            | IdError::FullWidthDigits { kind, .. }
            | IdError::CheckDigit { kind, .. }
            | IdError::TooLong { kind, .. }
            | IdError::ControlCharacter { kind, .. }
            | IdError::SurroundingWhitespace { kind }
            | IdError::MissingSeparator { kind } => *kind,
            IdError::PrefectureOutOfRange { .. } => IdKind::MunicipalityCode,
            IdError::DoseDigitZero
            | IdError::DoseOutOfRange { .. }
            | IdError::VoucherTypeOutOfRange { .. }
            | IdError::InOcrLine { .. } => IdKind::OcrLine,
        }
    }

    /// The same message as `Display`, in natural Japanese.
    ///
    /// ```
    /// use vrs_core::id::MyNumber;
    /// let err = MyNumber::parse("123456789013").unwrap_err();
    /// assert_eq!(err.message_ja(), "個人番号: チェックデジットが一致しません（正しくは8、入力は3）");
    /// ```
    pub fn message_ja(&self) -> String {
        match self {
            IdError::Empty { kind } => format!("{}が入力されていません", kind.name_ja()),
            IdError::WrongLength {
                kind,
                expected,
                found,
            } => format!(
                "{}は{}桁の数字でなければなりません（入力は{}文字です）",
                kind.name_ja(),
                expected,
                found
            ),
            IdError::NonDigit { kind, position } => format!(
                "{}: {}文字目が半角数字ではありません",
                kind.name_ja(),
                position
            ),
            IdError::FullWidthDigits { kind, position } => format!(
                "{}: {}文字目が全角数字です。半角数字（0-9）で入力してください",
                kind.name_ja(),
                position
            ),
            IdError::CheckDigit {
                kind,
                expected,
                found,
            } => format!(
                "{}: チェックデジットが一致しません（正しくは{}、入力は{}）",
                kind.name_ja(),
                expected,
                found
            ),
            IdError::PrefectureOutOfRange { found } => format!(
                "自治体コード: 都道府県コード部分は01～47でなければなりません（入力は{found:02}）"
            ),
            IdError::DoseDigitZero => {
                "OCRライン: 回数（2桁目）は1～9でなければなりません（入力は0）".to_string()
            }
            IdError::DoseOutOfRange { found } => {
                format!("OCRライン: 回数は1～9でなければなりません（指定は{found}）")
            }
            IdError::VoucherTypeOutOfRange { found } => {
                format!("OCRライン: 券種は0～9の1桁でなければなりません（指定は{found}）")
            }
            IdError::TooLong { kind, max, found } => format!(
                "{}は{}文字以内でなければなりません（入力は{}文字です）",
                kind.name_ja(),
                max,
                found
            ),
            IdError::ControlCharacter { kind, position } => format!(
                "{}: {}文字目に制御文字が含まれています",
                kind.name_ja(),
                position
            ),
            IdError::SurroundingWhitespace { kind } => {
                format!("{}の先頭または末尾に空白があります", kind.name_ja())
            }
            IdError::MissingSeparator { kind } => format!(
                "{}: 「自治体コード-券番号」の形式（例: 131016-0000012345）で入力してください",
                kind.name_ja()
            ),
            IdError::InOcrLine { positions, inner } => format!(
                "OCRライン {}～{}桁目: {}",
                positions.0,
                positions.1,
                inner.message_ja()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names() {
        let all = [
            (
                IdKind::MunicipalityCode,
                "municipality code",
                "自治体コード",
            ),
            (IdKind::MyNumber, "My Number", "個人番号"),
            (IdKind::VoucherNumber, "voucher number", "券番号"),
            (IdKind::OcrLine, "OCR line", "OCRライン"),
            (IdKind::AddresseeNumber, "addressee number", "宛名番号"),
            (IdKind::VoucherKey, "voucher key", "接種券キー"),
        ];
        for (kind, en, ja) in all {
            assert_eq!(kind.name_en(), en);
            assert_eq!(kind.name_ja(), ja);
            assert_eq!(kind.to_string(), en);
        }
    }

    #[test]
    fn every_variant_has_messages_and_kind() {
        let cases: Vec<(IdError, IdKind, &str, &str)> = vec![
            (
                IdError::Empty {
                    kind: IdKind::VoucherNumber,
                },
                IdKind::VoucherNumber,
                "voucher number is empty",
                "券番号が入力されていません",
            ),
            (
                IdError::WrongLength {
                    kind: IdKind::MunicipalityCode,
                    expected: 6,
                    found: 5,
                },
                IdKind::MunicipalityCode,
                "municipality code must be 6 digits, found 5 characters",
                "自治体コードは6桁の数字でなければなりません（入力は5文字です）",
            ),
            (
                IdError::WrongLength {
                    kind: IdKind::MyNumber,
                    expected: 12,
                    found: 1,
                },
                IdKind::MyNumber,
                "My Number must be 12 digits, found 1 character",
                "個人番号は12桁の数字でなければなりません（入力は1文字です）",
            ),
            (
                IdError::NonDigit {
                    kind: IdKind::VoucherNumber,
                    position: 4,
                },
                IdKind::VoucherNumber,
                "voucher number: character 4 is not an ASCII digit",
                "券番号: 4文字目が半角数字ではありません",
            ),
            (
                IdError::FullWidthDigits {
                    kind: IdKind::MunicipalityCode,
                    position: 1,
                },
                IdKind::MunicipalityCode,
                "municipality code: full-width digit at position 1; use ASCII digits 0-9",
                "自治体コード: 1文字目が全角数字です。半角数字（0-9）で入力してください",
            ),
            (
                IdError::CheckDigit {
                    kind: IdKind::MyNumber,
                    expected: 8,
                    found: 3,
                },
                IdKind::MyNumber,
                "My Number: check digit should be 8, found 3",
                "個人番号: チェックデジットが一致しません（正しくは8、入力は3）",
            ),
            (
                IdError::PrefectureOutOfRange { found: 0 },
                IdKind::MunicipalityCode,
                "municipality code: prefecture part must be 01 to 47, found 00",
                "自治体コード: 都道府県コード部分は01～47でなければなりません（入力は00）",
            ),
            (
                IdError::DoseDigitZero,
                IdKind::OcrLine,
                "OCR line: dose digit (position 2) must be 1 to 9, found 0",
                "OCRライン: 回数（2桁目）は1～9でなければなりません（入力は0）",
            ),
            (
                IdError::DoseOutOfRange { found: 10 },
                IdKind::OcrLine,
                "OCR line: dose must be 1 to 9, found 10",
                "OCRライン: 回数は1～9でなければなりません（指定は10）",
            ),
            (
                IdError::VoucherTypeOutOfRange { found: 12 },
                IdKind::OcrLine,
                "OCR line: voucher type must be a single digit 0 to 9, found 12",
                "OCRライン: 券種は0～9の1桁でなければなりません（指定は12）",
            ),
            (
                IdError::TooLong {
                    kind: IdKind::AddresseeNumber,
                    max: 15,
                    found: 16,
                },
                IdKind::AddresseeNumber,
                "addressee number must be at most 15 characters, found 16",
                "宛名番号は15文字以内でなければなりません（入力は16文字です）",
            ),
            (
                IdError::ControlCharacter {
                    kind: IdKind::AddresseeNumber,
                    position: 3,
                },
                IdKind::AddresseeNumber,
                "addressee number: character 3 is a control character",
                "宛名番号: 3文字目に制御文字が含まれています",
            ),
            (
                IdError::SurroundingWhitespace {
                    kind: IdKind::AddresseeNumber,
                },
                IdKind::AddresseeNumber,
                "addressee number has leading or trailing whitespace",
                "宛名番号の先頭または末尾に空白があります",
            ),
            (
                IdError::MissingSeparator {
                    kind: IdKind::VoucherKey,
                },
                IdKind::VoucherKey,
                "voucher key: expected municipality code, '-', voucher number (like 131016-0000012345)",
                "接種券キー: 「自治体コード-券番号」の形式（例: 131016-0000012345）で入力してください",
            ),
            (
                IdError::InOcrLine {
                    positions: (3, 8),
                    inner: Box::new(IdError::CheckDigit {
                        kind: IdKind::MunicipalityCode,
                        expected: 6,
                        found: 7,
                    }),
                },
                IdKind::OcrLine,
                "OCR line positions 3-8: municipality code: check digit should be 6, found 7",
                "OCRライン 3～8桁目: 自治体コード: チェックデジットが一致しません（正しくは6、入力は7）",
            ),
        ];
        for (err, kind, en, ja) in cases {
            assert_eq!(err.kind(), kind, "{err:?}");
            assert_eq!(err.to_string(), en);
            assert_eq!(err.message_ja(), ja);
        }
    }

    #[test]
    fn in_ocr_line_is_not_reported_twice_as_source() {
        use std::error::Error;
        let err = IdError::InOcrLine {
            positions: (3, 8),
            inner: Box::new(IdError::PrefectureOutOfRange { found: 48 }),
        };
        // The inner message is already part of Display; it is not also a `source()`,
        // so error-chain printers do not repeat it.
        assert!(err.source().is_none());
    }
}
