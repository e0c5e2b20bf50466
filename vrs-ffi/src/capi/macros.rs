//! The panic boundary and the argument helpers every `extern "C"` function uses.
//!
//! Every exported function wraps its whole body in `ffi_fn!`: the body runs inside
//! [`std::panic::catch_unwind`], so a panic never unwinds into C (which would abort the process
//! since Rust 1.81, or be undefined behaviour before). A caught panic becomes
//! [`VRS_PANIC`] for functions returning a [`vrs_status`], and the [`Fallback`] value (NULL, 0,
//! nothing) for the few that return something else. Inside the body, `return` leaves the
//! function early with a status.
//!
//! A NULL pointer becomes [`VRS_NULL_ARGUMENT`] through `non_null!` and the input helpers
//! `bytes` and `text`, which also turn non-UTF-8 text into [`VRS_INVALID_UTF8`].
//!
//! Catching panics needs `panic = "unwind"` (the default). A program that links `libvrs` built
//! with `panic = "abort"` gets an abort instead of `VRS_PANIC`.

use super::status::{
    vrs_status, VRS_INVALID_ARGUMENT, VRS_INVALID_UTF8, VRS_NULL_ARGUMENT, VRS_PANIC,
};

/// What an exported function returns when its body panicked or a required pointer was NULL.
///
/// Functions returning [`vrs_status`] return [`VRS_PANIC`] / [`VRS_NULL_ARGUMENT`]; the others
/// return a neutral value (NULL, 0 or nothing), as documented on each of them.
pub trait Fallback {
    /// The value after a caught panic.
    fn panicked() -> Self;
    /// The value when a required pointer argument was NULL.
    fn null_argument() -> Self;
}

impl Fallback for vrs_status {
    fn panicked() -> Self {
        VRS_PANIC
    }
    fn null_argument() -> Self {
        VRS_NULL_ARGUMENT
    }
}

impl Fallback for () {
    fn panicked() -> Self {}
    fn null_argument() -> Self {}
}

impl Fallback for usize {
    fn panicked() -> Self {
        0
    }
    fn null_argument() -> Self {
        0
    }
}

impl<T> Fallback for *const T {
    fn panicked() -> Self {
        std::ptr::null()
    }
    fn null_argument() -> Self {
        std::ptr::null()
    }
}

/// Runs the body of an exported function behind the panic boundary.
///
/// ```text
/// pub unsafe extern "C" fn vrs_thing(x: *const u8, len: usize) -> vrs_status {
///     ffi_fn! {
///         let input = tri!(unsafe { text(x, len) });
///         VRS_OK
///     }
/// }
/// ```
macro_rules! ffi_fn {
    ($($body:tt)*) => {
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| { $($body)* })) {
            Ok(value) => value,
            Err(_) => $crate::capi::macros::Fallback::panicked(),
        }
    };
}

/// Unwraps an `Option` of a pointer conversion (`ptr.as_ref()`, `ptr.as_mut()`), returning the
/// function's [`Fallback::null_argument`] value (usually [`VRS_NULL_ARGUMENT`]) when it is `None`.
macro_rules! non_null {
    ($option:expr) => {
        match $option {
            Some(value) => value,
            None => return $crate::capi::macros::Fallback::null_argument(),
        }
    };
}

/// Returns [`VRS_NULL_ARGUMENT`] when any of the given raw pointers is NULL (used for output
/// pointers, which are checked before any work so that failures leave them untouched).
macro_rules! require {
    ($($ptr:expr),+ $(,)?) => {
        if $($ptr.is_null())||+ {
            return $crate::capi::macros::Fallback::null_argument();
        }
    };
}

/// Unwraps a `Result<T, vrs_status>`, returning the status on `Err`.
macro_rules! tri {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(status) => return status,
        }
    };
}

pub(crate) use {ffi_fn, non_null, require, tri};

/// Borrows the input `(data, len)` as a byte slice.
///
/// A NULL `data` with `len == 0` is the empty input; a NULL `data` with `len > 0` is
/// [`VRS_NULL_ARGUMENT`]; a `len` above `isize::MAX` is [`VRS_INVALID_ARGUMENT`].
///
/// # Safety
/// Unless NULL, `data` must be valid for reads of `len` bytes that stay unchanged for `'a`.
pub(crate) unsafe fn bytes<'a>(data: *const u8, len: usize) -> Result<&'a [u8], vrs_status> {
    if data.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(VRS_NULL_ARGUMENT)
        };
    }
    if isize::try_from(len).is_err() {
        return Err(VRS_INVALID_ARGUMENT);
    }
    // SAFETY: `data` is not NULL and the caller guarantees it is valid for reads of `len` bytes
    // for `'a`; `len` fits in `isize` (checked above).
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

/// Borrows the input `(data, len)` as UTF-8 text: as [`bytes`], then [`VRS_INVALID_UTF8`] when
/// the bytes are not UTF-8.
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn text<'a>(data: *const u8, len: usize) -> Result<&'a str, vrs_status> {
    // SAFETY: forwarded caller contract.
    let raw = unsafe { bytes(data, len) }?;
    if raw.is_ascii() {
        // Identifiers are ASCII: an inlined word-at-a-time check instead of the general UTF-8
        // validation, which costs as much as checking the identifier itself (benches/c_abi.rs).
        // SAFETY: ASCII bytes are valid UTF-8.
        return Ok(unsafe { std::str::from_utf8_unchecked(raw) });
    }
    std::str::from_utf8(raw).map_err(|_| VRS_INVALID_UTF8)
}

/// Borrows an optional text input `(data, len)`: NULL with `len == 0` is absent (`None`); NULL
/// with `len > 0` is [`VRS_NULL_ARGUMENT`], as for every input (a caller that set a length but
/// lost the pointer made a mistake; treating it as absent would hide it); otherwise as [`text`]
/// (so a non-NULL pointer with `len == 0` is the empty text, not absent).
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn opt_text<'a>(
    data: *const u8,
    len: usize,
) -> Result<Option<&'a str>, vrs_status> {
    if data.is_null() && len == 0 {
        return Ok(None);
    }
    // SAFETY: forwarded caller contract.
    unsafe { text(data, len) }.map(Some)
}

/// Moves `value` to the heap and hands it to C as an owning pointer (freed by the matching
/// `vrs_*_free`, which calls [`Box::from_raw`]).
pub(crate) fn to_c<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::status::{VRS_INVALID, VRS_OK};

    /// A function built like every exported one, whose body panics on request: the test-only way
    /// to reach a panic, since no input is known to make `vrs-core` panic.
    fn status_fn(panic: bool) -> vrs_status {
        ffi_fn! {
            if panic {
                panic!("boom");
            }
            VRS_OK
        }
    }

    fn pointer_fn(panic: bool) -> *const std::ffi::c_char {
        ffi_fn! {
            if panic {
                panic!("boom");
            }
            c"x".as_ptr()
        }
    }

    fn count_fn(panic: bool, p: *const u8) -> usize {
        ffi_fn! {
            // SAFETY: `p` is NULL or points to a live byte in these tests.
            let b = non_null!(unsafe { p.as_ref() });
            if panic {
                panic!("boom");
            }
            usize::from(*b)
        }
    }

    fn out_fn(out: *mut u8, input: *const u8, len: usize) -> vrs_status {
        ffi_fn! {
            require!(out);
            // SAFETY: the tests pass NULL or a live slice of `len` bytes.
            let s = tri!(unsafe { text(input, len) });
            if s.is_empty() {
                return VRS_INVALID;
            }
            // SAFETY: `out` is not NULL and points to a live byte in these tests.
            unsafe { out.write(s.len() as u8) };
            VRS_OK
        }
    }

    #[test]
    fn a_panic_becomes_vrs_panic() {
        assert_eq!(status_fn(false), VRS_OK);
        assert_eq!(status_fn(true), VRS_PANIC);
    }

    #[test]
    fn a_panic_in_a_non_status_function_gives_the_fallback() {
        assert!(!pointer_fn(false).is_null());
        assert!(pointer_fn(true).is_null());
        let one = 7u8;
        assert_eq!(count_fn(false, &one), 7);
        assert_eq!(count_fn(true, &one), 0);
        assert_eq!(count_fn(false, std::ptr::null()), 0);
    }

    #[test]
    fn null_pointers_and_bad_text_become_statuses() {
        let mut out = 0u8;
        let input = b"abc";
        assert_eq!(out_fn(&mut out, input.as_ptr(), 3), VRS_OK);
        assert_eq!(out, 3);
        assert_eq!(
            out_fn(std::ptr::null_mut(), input.as_ptr(), 3),
            VRS_NULL_ARGUMENT
        );
        assert_eq!(out_fn(&mut out, std::ptr::null(), 3), VRS_NULL_ARGUMENT);
        // NULL with length 0 is the empty input.
        assert_eq!(out_fn(&mut out, std::ptr::null(), 0), VRS_INVALID);
        let bad = [0xffu8, 0xfe];
        out = 9;
        assert_eq!(out_fn(&mut out, bad.as_ptr(), 2), VRS_INVALID_UTF8);
        assert_eq!(out, 9, "outputs are written only on success");
        assert_eq!(
            out_fn(&mut out, input.as_ptr(), usize::MAX),
            VRS_INVALID_ARGUMENT
        );
    }

    #[test]
    fn optional_inputs_are_absent_only_as_null_with_length_0() {
        // SAFETY: NULL pointers with any length, and a live slice with its own length.
        unsafe {
            assert_eq!(opt_text(std::ptr::null(), 0), Ok(None));
            assert_eq!(opt_text(std::ptr::null(), 6), Err(VRS_NULL_ARGUMENT));
            assert_eq!(opt_text(b"131016".as_ptr(), 6), Ok(Some("131016")));
            assert_eq!(opt_text(b"131016".as_ptr(), 0), Ok(Some("")));
            assert_eq!(opt_text(b"\xff".as_ptr(), 1), Err(VRS_INVALID_UTF8));
        }
    }
}
