//! Identifiers: checks, check digits, and the 18-digit OCR line of a voucher.

use std::ffi::c_char;

use vrs_core::id::{MunicipalityCode, MyNumber, OcrLine, VoucherKey, VoucherNumber};

use super::macros::{ffi_fn, non_null, require, text, tri};
use super::status::{
    vrs_status, VRS_INSUFFICIENT_BUFFER, VRS_INVALID, VRS_INVALID_ARGUMENT, VRS_INVALID_UTF8,
    VRS_OK,
};

/// Which identifier `vrs_id_check` checks: one of the `VRS_ID_*` numbers (a `uint32_t`; the
/// numbers are fixed forever, 0 is never a kind).
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct vrs_id_kind(pub u32);

/// 全国地方公共団体コード: 6 ASCII digits, prefecture 01-47, JIS X 0402 check digit.
pub const VRS_ID_MUNICIPALITY_CODE: vrs_id_kind = vrs_id_kind(1);
/// 個人番号 (My Number): 12 ASCII digits with the statutory check digit.
pub const VRS_ID_MY_NUMBER: vrs_id_kind = vrs_id_kind(2);
/// 券番号 (voucher number): exactly 10 ASCII digits.
pub const VRS_ID_VOUCHER_NUMBER: vrs_id_kind = vrs_id_kind(3);
/// The 18-digit OCR line of a voucher (strict: 18 ASCII digits, no separators).
pub const VRS_ID_OCR_LINE: vrs_id_kind = vrs_id_kind(4);

/// Length of an OCR line in digits.
pub const VRS_OCR_LINE_LEN: usize = 18;
/// Buffer size `vrs_ocr_line_format` needs: the 18 digits and a NUL.
pub const VRS_OCR_LINE_BUFFER_LEN: usize = 19;

/// The parts of a voucher's 18-digit OCR line (reference §5.2), as filled by
/// `vrs_ocr_line_parse` and read by `vrs_ocr_line_format`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct vrs_ocr_line {
    /// 券種 (voucher type), position 1: 0..=9 (a number, not an ASCII digit).
    pub voucher_type: u8,
    /// 回数 (dose), position 2: 1..=9 (a number, not an ASCII digit).
    pub dose: u8,
    /// Municipality code, positions 3-8: 6 ASCII digits and a NUL.
    pub municipality: [c_char; 7],
    /// Voucher number, positions 9-18: 10 ASCII digits and a NUL.
    pub voucher_number: [c_char; 11],
}

/// Checks one identifier of the given kind in `input` (`len` bytes of UTF-8, no NUL needed).
///
/// Returns `VRS_OK` when valid; `VRS_INVALID` when not; `VRS_INVALID_ARGUMENT` when `kind` is
/// not a known `VRS_ID_*` number (a caller's mistake, not an invalid identifier);
/// `VRS_INVALID_UTF8` when `input` is not UTF-8; `VRS_NULL_ARGUMENT` when `input` is NULL with
/// `len > 0` (NULL with `len == 0` is the empty string, which is invalid). The input is checked
/// before the kind. The input is never copied, logged or kept.
///
/// # Safety
/// `input` must be NULL or valid for reads of `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn vrs_id_check(
    kind: vrs_id_kind,
    input: *const u8,
    len: usize,
) -> vrs_status {
    ffi_fn! {
        // SAFETY: the caller guarantees `input` is NULL or valid for `len` bytes.
        let input = tri!(unsafe { text(input, len) });
        let valid = match kind {
            VRS_ID_MUNICIPALITY_CODE => MunicipalityCode::parse(input).is_ok(),
            VRS_ID_MY_NUMBER => MyNumber::parse(input).is_ok(),
            VRS_ID_VOUCHER_NUMBER => VoucherNumber::parse(input).is_ok(),
            VRS_ID_OCR_LINE => OcrLine::parse(input).is_ok(),
            _ => return VRS_INVALID_ARGUMENT,
        };
        if valid {
            VRS_OK
        } else {
            VRS_INVALID
        }
    }
}

/// Computes the JIS X 0402 check digit of a municipality code from its first five digits
/// (`len` must be 5) and writes it to `*out_digit` as a number 0..=9.
///
/// Returns `VRS_INVALID` when the input is not exactly five ASCII digits (pure arithmetic: the
/// prefecture range is not checked), `VRS_INVALID_UTF8`, or `VRS_NULL_ARGUMENT` (`out_digit`
/// NULL, or `first5` NULL with `len > 0`).
///
/// # Safety
/// `first5` must be NULL or valid for reads of `len` bytes; `out_digit` must be NULL or valid for
/// a write of one byte.
#[no_mangle]
pub unsafe extern "C" fn vrs_municipality_check_digit(
    first5: *const u8,
    len: usize,
    out_digit: *mut u8,
) -> vrs_status {
    ffi_fn! {
        require!(out_digit);
        // SAFETY: the caller guarantees `first5` is NULL or valid for `len` bytes.
        let first5 = tri!(unsafe { text(first5, len) });
        let digit = tri!(MunicipalityCode::check_digit(first5).map_err(|_| VRS_INVALID));
        // SAFETY: `out_digit` is not NULL and valid for a one-byte write (caller contract).
        unsafe { out_digit.write(digit) };
        VRS_OK
    }
}

/// Computes the My Number check digit from the first eleven digits (`len` must be 11) and
/// writes it to `*out_digit` as a number 0..=9.
///
/// Returns `VRS_INVALID` when the input is not exactly eleven ASCII digits, `VRS_INVALID_UTF8`,
/// or `VRS_NULL_ARGUMENT`. The digits are never copied, logged or kept.
///
/// # Safety
/// `first11` must be NULL or valid for reads of `len` bytes; `out_digit` must be NULL or valid
/// for a write of one byte.
#[no_mangle]
pub unsafe extern "C" fn vrs_my_number_check_digit(
    first11: *const u8,
    len: usize,
    out_digit: *mut u8,
) -> vrs_status {
    ffi_fn! {
        require!(out_digit);
        // SAFETY: the caller guarantees `first11` is NULL or valid for `len` bytes.
        let first11 = tri!(unsafe { text(first11, len) });
        let digit = tri!(MyNumber::check_digit(first11).map_err(|_| VRS_INVALID));
        // SAFETY: `out_digit` is not NULL and valid for a one-byte write (caller contract).
        unsafe { out_digit.write(digit) };
        VRS_OK
    }
}

/// Copies ASCII `digits` into a NUL-terminated C array (`digits.len() < N`).
fn c_digits<const N: usize>(digits: &str) -> [c_char; N] {
    let mut out = [0; N];
    for (o, b) in out.iter_mut().zip(digits.bytes().take(N.saturating_sub(1))) {
        *o = b as c_char;
    }
    out
}

/// The text of a NUL-terminated C array: the bytes before the first NUL (all of them if none).
fn array_text(chars: &[c_char]) -> Result<&str, vrs_status> {
    let bytes: &[u8] = {
        let len = chars.iter().position(|&c| c == 0).unwrap_or(chars.len());
        let chars = chars.get(..len).unwrap_or(chars);
        // SAFETY: `c_char` and `u8` have the same size and alignment, and every bit pattern is
        // valid for both; the new slice covers exactly the memory of `chars`.
        unsafe { std::slice::from_raw_parts(chars.as_ptr().cast::<u8>(), chars.len()) }
    };
    std::str::from_utf8(bytes).map_err(|_| VRS_INVALID_UTF8)
}

/// Parses a strict 18-digit OCR line (`len` bytes of UTF-8) into `*out`.
///
/// Returns `VRS_INVALID` when the line is not 18 ASCII digits, has dose digit 0, or its
/// positions 3-8 are not a valid municipality code (prefecture and check digit);
/// `VRS_INVALID_UTF8`; or `VRS_NULL_ARGUMENT`. `*out` is written only on `VRS_OK`.
///
/// # Safety
/// `input` must be NULL or valid for reads of `len` bytes; `out` must be NULL or valid for a
/// write of one `vrs_ocr_line`.
#[no_mangle]
pub unsafe extern "C" fn vrs_ocr_line_parse(
    input: *const u8,
    len: usize,
    out: *mut vrs_ocr_line,
) -> vrs_status {
    ffi_fn! {
        require!(out);
        // SAFETY: the caller guarantees `input` is NULL or valid for `len` bytes.
        let input = tri!(unsafe { text(input, len) });
        let line = tri!(OcrLine::parse(input).map_err(|_| VRS_INVALID));
        let parsed = vrs_ocr_line {
            voucher_type: line.voucher_type,
            dose: line.dose,
            municipality: c_digits(line.key.municipality.as_str()),
            voucher_number: c_digits(line.key.number.as_str()),
        };
        // SAFETY: `out` is not NULL and valid for a write of one `vrs_ocr_line` (caller contract).
        unsafe { out.write(parsed) };
        VRS_OK
    }
}

/// Writes the canonical 18 digits of `line` and a NUL into `buf` (`buf_len` bytes), and 18 to
/// `*out_len` (`out_len` may be NULL).
///
/// Returns `VRS_INSUFFICIENT_BUFFER` when `buf_len < VRS_OCR_LINE_BUFFER_LEN` (19), checked
/// before the content; `VRS_INVALID` when `line` does not hold a valid OCR line (voucher type
/// above 9, dose not 1..=9, municipality not a valid code, voucher number not 10 digits, or
/// either text not NUL-terminated within its array); `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`
/// when `line` or `buf` is NULL. Nothing is written unless `VRS_OK` is returned.
///
/// # Safety
/// `line` must be NULL or point to a readable `vrs_ocr_line`; `buf` must be NULL or valid for
/// writes of `buf_len` bytes; `out_len` must be NULL or valid for a write of one `size_t`.
#[no_mangle]
pub unsafe extern "C" fn vrs_ocr_line_format(
    line: *const vrs_ocr_line,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> vrs_status {
    ffi_fn! {
        require!(buf);
        // SAFETY: the caller guarantees `line` is NULL or points to a readable `vrs_ocr_line`.
        let line = non_null!(unsafe { line.as_ref() });
        if buf_len < VRS_OCR_LINE_BUFFER_LEN {
            return VRS_INSUFFICIENT_BUFFER;
        }
        let municipality = tri!(array_text(&line.municipality));
        let number = tri!(array_text(&line.voucher_number));
        let key = tri!(MunicipalityCode::parse(municipality)
            .and_then(|m| Ok(VoucherKey::new(m, VoucherNumber::parse(number)?)))
            .map_err(|_| VRS_INVALID));
        let ocr = tri!(OcrLine::new(line.voucher_type, line.dose, key).map_err(|_| VRS_INVALID));
        let digits = ocr.format();
        if digits.len() != VRS_OCR_LINE_LEN {
            return VRS_INVALID;
        }
        // SAFETY: `buf` is not NULL and valid for `buf_len >= 19` bytes (caller contract), so
        // the 18 digits and the NUL fit; the source is a separate Rust allocation.
        unsafe {
            std::ptr::copy_nonoverlapping(digits.as_ptr(), buf.cast::<u8>(), VRS_OCR_LINE_LEN);
            buf.add(VRS_OCR_LINE_LEN).write(0);
        }
        if !out_len.is_null() {
            // SAFETY: `out_len` is not NULL and valid for a `size_t` write (caller contract).
            unsafe { out_len.write(VRS_OCR_LINE_LEN) };
        }
        VRS_OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::status::VRS_NULL_ARGUMENT;

    fn check(kind: vrs_id_kind, s: &[u8]) -> vrs_status {
        // SAFETY: `s` is a live slice.
        unsafe { vrs_id_check(kind, s.as_ptr(), s.len()) }
    }

    #[test]
    fn checks_each_kind() {
        assert_eq!(check(VRS_ID_MUNICIPALITY_CODE, b"131016"), VRS_OK);
        assert_eq!(check(VRS_ID_MUNICIPALITY_CODE, b"131017"), VRS_INVALID);
        assert_eq!(check(VRS_ID_MY_NUMBER, b"123456789018"), VRS_OK);
        assert_eq!(check(VRS_ID_MY_NUMBER, b"123456789013"), VRS_INVALID);
        assert_eq!(check(VRS_ID_VOUCHER_NUMBER, b"0000012345"), VRS_OK);
        assert_eq!(check(VRS_ID_VOUCHER_NUMBER, b"000001234"), VRS_INVALID);
        assert_eq!(check(VRS_ID_OCR_LINE, b"111310160000012345"), VRS_OK);
        assert_eq!(check(VRS_ID_OCR_LINE, b"111310170000012345"), VRS_INVALID);
        // An unknown kind is the caller's mistake, not an invalid identifier.
        assert_eq!(check(vrs_id_kind(0), b"131016"), VRS_INVALID_ARGUMENT);
        assert_eq!(check(vrs_id_kind(99), b"131016"), VRS_INVALID_ARGUMENT);
        assert_eq!(check(vrs_id_kind(5), b"\xff"), VRS_INVALID_UTF8);
        assert_eq!(check(VRS_ID_MY_NUMBER, b"\xff"), VRS_INVALID_UTF8);
        // SAFETY: NULL with length 0 is allowed; NULL with length 3 is rejected before reading.
        unsafe {
            assert_eq!(
                vrs_id_check(VRS_ID_MY_NUMBER, std::ptr::null(), 0),
                VRS_INVALID
            );
            assert_eq!(
                vrs_id_check(VRS_ID_MY_NUMBER, std::ptr::null(), 3),
                VRS_NULL_ARGUMENT
            );
        }
    }

    #[test]
    fn ocr_line_round_trip() {
        let mut line = vrs_ocr_line {
            voucher_type: 0,
            dose: 0,
            municipality: [0; 7],
            voucher_number: [0; 11],
        };
        let input = b"121310160000012345";
        let mut buf = [1 as c_char; 19];
        let mut len = 0usize;
        // SAFETY: all pointers are live locals of the right sizes.
        unsafe {
            assert_eq!(vrs_ocr_line_parse(input.as_ptr(), 18, &mut line), VRS_OK);
            assert_eq!((line.voucher_type, line.dose), (1, 2));
            assert_eq!(array_text(&line.municipality), Ok("131016"));
            assert_eq!(array_text(&line.voucher_number), Ok("0000012345"));
            assert_eq!(
                vrs_ocr_line_format(&line, buf.as_mut_ptr(), 18, &mut len),
                VRS_INSUFFICIENT_BUFFER
            );
            assert_eq!(len, 0);
            assert_eq!(
                vrs_ocr_line_format(&line, buf.as_mut_ptr(), 19, &mut len),
                VRS_OK
            );
            assert_eq!(len, 18);
            assert_eq!(array_text(&buf), Ok("121310160000012345"));
            line.dose = 10;
            assert_eq!(
                vrs_ocr_line_format(&line, buf.as_mut_ptr(), 19, std::ptr::null_mut()),
                VRS_INVALID
            );
        }
    }
}
