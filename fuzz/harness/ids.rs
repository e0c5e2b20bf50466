//! The identifier parsers of `vrs_core::id`: municipality code, My Number, voucher number and
//! key, OCR line (strict and lenient), addressee number.
//!
//! Input: one byte (the addressee length limit), then the text (inputs that are not UTF-8 are
//! read lossily). Every parser gets the text; what one accepts it gives back exactly, its
//! derived forms agree (check digits, builders, formatting), and no error message repeats a
//! digit string it was given.

use vrs_core::id::{
    AddresseeNumber, IdError, MunicipalityCode, MyNumber, OcrLine, VoucherKey, VoucherNumber,
};

use crate::input::Input;

/// The fuzz target body.
pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let max_chars = usize::from(input.byte());
    let text = String::from_utf8_lossy(input.rest());
    let s = text.as_ref();

    municipality(s);
    my_number(s);
    voucher(s);
    ocr_line(s);
    addressee(s, max_chars);
}

/// Error messages never repeat the input when it is a run of digits long enough to identify
/// anything (a short one may coincide with a number in the message).
fn check_error(e: &IdError, s: &str) {
    let (en, ja) = (e.to_string(), e.message_ja());
    assert!(!en.is_empty() && !ja.is_empty());
    let _ = e.kind();
    if s.len() >= 5 && s.bytes().all(|b| b.is_ascii_digit()) {
        assert!(
            !en.contains(s) && !ja.contains(s),
            "an error repeats the input"
        );
    }
}

fn municipality(s: &str) {
    match MunicipalityCode::parse(s) {
        Ok(code) => {
            assert_eq!(code.as_str(), s);
            assert_eq!(s.parse::<MunicipalityCode>().as_ref(), Ok(&code));
            let digit = u32::from(s.as_bytes()[5] - b'0');
            assert_eq!(
                MunicipalityCode::check_digit(&s[..5]).map(u32::from),
                Ok(digit)
            );
            assert_eq!(MunicipalityCode::from_five_digits(&s[..5]), Ok(code));
            assert_eq!(format!("{:06}", code.to_u32()), s);
            assert!((1..=47).contains(&code.prefecture()));
            let prefecture = code.prefecture_code();
            assert!(prefecture.is_prefecture());
            assert_eq!(prefecture.prefecture(), code.prefecture());
            assert_eq!(MunicipalityCode::parse(prefecture.as_str()), Ok(prefecture));
        }
        Err(e) => check_error(&e, s),
    }
    match MunicipalityCode::from_five_digits(s) {
        Ok(code) => {
            assert_eq!(&code.as_str()[..5], s);
            assert_eq!(MunicipalityCode::parse(code.as_str()), Ok(code));
        }
        Err(e) => check_error(&e, s),
    }
    if let Ok(d) = MunicipalityCode::check_digit(s) {
        assert!(d <= 9);
    }
}

fn my_number(s: &str) {
    match MyNumber::parse(s) {
        Ok(n) => {
            assert_eq!(n.expose_secret(), s);
            let built = MyNumber::from_eleven_digits(&s[..11]);
            assert!(built.as_ref().is_ok_and(|b| b.ct_eq(&n) && *b == n));
            let digit = u32::from(s.as_bytes()[11] - b'0');
            assert_eq!(MyNumber::check_digit(&s[..11]).map(u32::from), Ok(digit));
            assert!(!format!("{n:?}").contains(s), "Debug shows a My Number");
        }
        Err(e) => check_error(&e, s),
    }
    match MyNumber::from_eleven_digits(s) {
        Ok(n) => {
            assert!(n.expose_secret().starts_with(s));
            assert!(MyNumber::parse(n.expose_secret()).is_ok_and(|p| p == n));
        }
        Err(e) => check_error(&e, s),
    }
}

fn voucher(s: &str) {
    match VoucherNumber::parse(s) {
        Ok(v) => {
            assert_eq!(v.as_str(), s);
            assert_eq!(format!("{:010}", v.to_u64()), s);
        }
        Err(e) => check_error(&e, s),
    }
    match VoucherKey::parse(s) {
        Ok(k) => {
            assert_eq!(k.to_string(), s);
            assert_eq!(s.parse::<VoucherKey>(), Ok(k));
        }
        Err(e) => {
            let _ = (e.to_string(), e.message_ja());
        }
    }
}

fn ocr_line(s: &str) {
    let strict = OcrLine::parse(s);
    match &strict {
        Ok(line) => {
            assert_eq!(line.format(), s);
            assert_eq!(line.to_string(), s);
            assert_eq!(
                OcrLine::new(line.voucher_type, line.dose, line.key),
                Ok(*line)
            );
            assert!(line.voucher_type <= 9 && (1..=9).contains(&line.dose));
            assert_eq!(OcrLine::parse_lenient(s).as_ref(), Ok(line));
        }
        Err(e) => check_error(e, s),
    }
    match OcrLine::parse_lenient(s) {
        Ok(line) => {
            assert_eq!(OcrLine::parse(&line.format()), Ok(line));
            assert_eq!(
                line.format().chars().count(),
                18,
                "a lenient parse gives 18 digits"
            );
        }
        Err(e) => {
            let _ = (e.to_string(), e.message_ja());
        }
    }
}

fn addressee(s: &str, max_chars: usize) {
    match AddresseeNumber::parse_with_max(s, max_chars) {
        Ok(a) => {
            assert_eq!(a.as_str(), s);
            assert!(s.chars().count() <= max_chars);
            assert!(!s.chars().any(char::is_control));
            let zero_filled =
                s.len() > 1 && s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit());
            assert_eq!(a.is_zero_filled_numeric(), zero_filled);
        }
        Err(e) => {
            let _ = (e.to_string(), e.message_ja());
        }
    }
    let default = AddresseeNumber::parse(s);
    let with_default = AddresseeNumber::parse_with_max(s, AddresseeNumber::DEFAULT_MAX_CHARS);
    assert_eq!(default, with_default);
}
