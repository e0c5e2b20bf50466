//! Identifiers: checks, reasons, check digits and the voucher OCR line.
//!
//! No function returns or reports the value it was given: a reason names the problem
//! (position, length, expected digit), so passing a My Number is safe.

use vrs_core::id::{self as core_id, MunicipalityCode, MyNumber, VoucherKey, VoucherNumber};

use super::VrsError;

/// The identifiers [`check_id`] and [`id_problem`] know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum IdKind {
    /// Municipality code (全国地方公共団体コード): 6 digits, prefecture 01-47, check digit.
    MunicipalityCode,
    /// My Number (個人番号): 12 digits with check digit.
    MyNumber,
    /// Voucher number (券番号): exactly 10 digits.
    VoucherNumber,
    /// The 18-digit OCR line of a voucher (OCRライン), strict form (digits only).
    OcrLine,
}

/// The core error for `value` read as `kind`, if any.
fn problem(kind: IdKind, value: &str) -> Option<core_id::IdError> {
    match kind {
        IdKind::MunicipalityCode => MunicipalityCode::parse(value).err(),
        IdKind::MyNumber => MyNumber::parse(value).err(),
        IdKind::VoucherNumber => VoucherNumber::parse(value).err(),
        IdKind::OcrLine => core_id::OcrLine::parse(value).err(),
    }
}

/// True when `value` is a valid identifier of `kind` (strict: ASCII digits, no separators).
#[uniffi::export]
pub fn check_id(kind: IdKind, value: String) -> bool {
    problem(kind, &value).is_none()
}

/// Why `value` is not a valid identifier of `kind`, in English; `None` when it is valid.
/// The reason never contains the value.
#[uniffi::export]
pub fn id_problem(kind: IdKind, value: String) -> Option<String> {
    problem(kind, &value).map(|e| e.to_string())
}

/// The same reason as [`id_problem`], in Japanese.
#[uniffi::export]
pub fn id_problem_ja(kind: IdKind, value: String) -> Option<String> {
    problem(kind, &value).map(|e| e.message_ja())
}

/// The check digit (6th digit) of a municipality code from its first five digits.
///
/// # Errors
/// [`VrsError::InvalidId`] unless `first_five` is exactly five ASCII digits.
#[uniffi::export]
pub fn municipality_check_digit(first_five: String) -> Result<u8, VrsError> {
    Ok(MunicipalityCode::check_digit(&first_five)?)
}

/// The check digit (12th digit) of a My Number from its first eleven digits.
///
/// # Errors
/// [`VrsError::InvalidId`] unless `first_eleven` is exactly eleven ASCII digits.
#[uniffi::export]
pub fn my_number_check_digit(first_eleven: String) -> Result<u8, VrsError> {
    Ok(MyNumber::check_digit(&first_eleven)?)
}

/// The Japanese name of a municipality (e.g. `東京都千代田区` for `131016`), or `None` when the
/// code is invalid or not in the built-in code table.
#[uniffi::export]
pub fn municipality_name(code: String) -> Option<String> {
    MunicipalityCode::parse(&code)
        .ok()
        .and_then(|c| vrs_core::munis::lookup(c.as_str()))
        .map(|entry| entry.full_name_ja())
}

/// The fields of a voucher's 18-digit OCR line.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OcrLine {
    /// 券種 (voucher type), position 1: a digit 0..=9.
    pub voucher_type: u8,
    /// 回数 (dose number), position 2: 1..=9.
    pub dose: u8,
    /// 市町村コード (municipality code), positions 3-8.
    pub municipality: String,
    /// 券番号 (voucher number), positions 9-18.
    pub voucher_number: String,
}

/// Parses an OCR line. Strict by default (exactly 18 ASCII digits); with `lenient`, spaces and
/// hyphen-like separators a printer or a person may insert are removed first.
///
/// # Errors
/// [`VrsError::InvalidId`] naming the problem (e.g. the municipality code's check digit).
#[uniffi::export(default(lenient = false))]
pub fn parse_ocr_line(value: String, lenient: bool) -> Result<OcrLine, VrsError> {
    let line = if lenient {
        core_id::OcrLine::parse_lenient(&value)?
    } else {
        core_id::OcrLine::parse(&value)?
    };
    Ok(OcrLine {
        voucher_type: line.voucher_type,
        dose: line.dose,
        municipality: line.key.municipality.as_str().to_owned(),
        voucher_number: line.key.number.as_str().to_owned(),
    })
}

/// Formats the canonical 18 digits of an OCR line, checking every field first.
///
/// # Errors
/// [`VrsError::InvalidId`] for a voucher type above 9, a dose outside 1..=9, an invalid
/// municipality code or a voucher number that is not 10 digits.
#[uniffi::export]
pub fn format_ocr_line(line: OcrLine) -> Result<String, VrsError> {
    let key = VoucherKey::new(
        MunicipalityCode::parse(&line.municipality)?,
        VoucherNumber::parse(&line.voucher_number)?,
    );
    Ok(core_id::OcrLine::new(line.voucher_type, line.dose, key)?.format())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_and_reasons() {
        assert!(check_id(IdKind::MyNumber, "123456789018".into()));
        assert!(!check_id(IdKind::MyNumber, "123456789013".into()));
        assert_eq!(
            id_problem(IdKind::MyNumber, "123456789013".into()).as_deref(),
            Some("My Number: check digit should be 8, found 3")
        );
        assert_eq!(
            id_problem_ja(IdKind::MunicipalityCode, "13101".into()).as_deref(),
            Some("自治体コードは6桁の数字でなければなりません（入力は5文字です）")
        );
        assert_eq!(id_problem(IdKind::VoucherNumber, "0000012345".into()), None);
        assert!(check_id(IdKind::OcrLine, "111310160000012345".into()));
    }

    #[test]
    fn check_digits() {
        assert_eq!(municipality_check_digit("13101".into()), Ok(6));
        assert_eq!(my_number_check_digit("12345678901".into()), Ok(8));
        assert!(matches!(
            my_number_check_digit("1234567890".into()),
            Err(VrsError::InvalidId(_))
        ));
        assert_eq!(
            municipality_name("131016".into()).as_deref(),
            Some("東京都千代田区")
        );
        assert_eq!(municipality_name("131017".into()), None);
    }

    #[test]
    fn ocr_round_trip() {
        let line = parse_ocr_line("111310160000012345".into(), false).unwrap();
        assert_eq!(
            line,
            OcrLine {
                voucher_type: 1,
                dose: 1,
                municipality: "131016".into(),
                voucher_number: "0000012345".into(),
            }
        );
        assert_eq!(format_ocr_line(line.clone()).unwrap(), "111310160000012345");
        assert!(parse_ocr_line("1 1 131016-0000012345".into(), false).is_err());
        assert_eq!(
            parse_ocr_line("1 1 131016-0000012345".into(), true).unwrap(),
            line
        );
        let bad = OcrLine { dose: 0, ..line };
        assert!(matches!(format_ocr_line(bad), Err(VrsError::InvalidId(_))));
    }
}
