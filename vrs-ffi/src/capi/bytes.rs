//! `vrs_bytes` (an owned byte buffer handed to C) and `vrs_str` (a borrowed string view).

use std::ffi::c_char;

use super::macros::{ffi_fn, non_null};

/// An owned buffer of bytes produced by the library: a JSON report (`vrs_report_json`) or a
/// written file (`vrs_writer_finish`). Read it with `vrs_bytes_data` and `vrs_bytes_len`, free it
/// with `vrs_bytes_free`. It does not depend on the handle that produced it.
pub struct vrs_bytes {
    /// The bytes followed by one NUL byte (not counted in the length).
    data: Box<[u8]>,
}

impl vrs_bytes {
    /// A buffer holding `content`, NUL-terminated for C.
    pub(crate) fn new(mut content: Vec<u8>) -> Self {
        content.push(0);
        vrs_bytes {
            data: content.into_boxed_slice(),
        }
    }

    /// The content without the terminating NUL.
    fn content(&self) -> &[u8] {
        self.data.split_last().map_or(&[], |(_, rest)| rest)
    }
}

/// A borrowed string: `len` bytes of UTF-8 at `data`, followed by a NUL byte (so `data` can be
/// printed with `%s`; use `len` when the text may itself contain NUL bytes).
///
/// `data` is NULL (and `len` 0) when the value is absent. The bytes belong to the object the view
/// came from and stay valid until that object is freed.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vrs_str {
    /// The first byte, or NULL when absent.
    pub data: *const c_char,
    /// Number of bytes, without the terminating NUL.
    pub len: usize,
}

impl vrs_str {
    /// The absent value: `{ NULL, 0 }`.
    pub(crate) const ABSENT: vrs_str = vrs_str {
        data: std::ptr::null(),
        len: 0,
    };

    /// A view of `nul_terminated`, which must end with a NUL byte (not counted).
    pub(crate) fn of(nul_terminated: &[u8]) -> vrs_str {
        debug_assert_eq!(nul_terminated.last(), Some(&0));
        vrs_str {
            data: nul_terminated.as_ptr().cast(),
            len: nul_terminated.len().saturating_sub(1),
        }
    }
}

/// The first byte of `bytes`, followed by `vrs_bytes_len(bytes)` bytes and one NUL byte (so a
/// JSON document can be printed with `%s`). Valid until `vrs_bytes_free(bytes)`.
///
/// Returns NULL when `bytes` is NULL.
///
/// # Safety
/// `bytes` must be NULL or a live pointer from this library that has not been freed.
#[no_mangle]
pub unsafe extern "C" fn vrs_bytes_data(bytes: *const vrs_bytes) -> *const u8 {
    ffi_fn! {
        // SAFETY: the caller guarantees `bytes` is NULL or a live `vrs_bytes`.
        let bytes = non_null!(unsafe { bytes.as_ref() });
        bytes.data.as_ptr()
    }
}

/// The number of bytes in `bytes` (without the terminating NUL); 0 when `bytes` is NULL.
///
/// # Safety
/// `bytes` must be NULL or a live pointer from this library that has not been freed.
#[no_mangle]
pub unsafe extern "C" fn vrs_bytes_len(bytes: *const vrs_bytes) -> usize {
    ffi_fn! {
        // SAFETY: the caller guarantees `bytes` is NULL or a live `vrs_bytes`.
        let bytes = non_null!(unsafe { bytes.as_ref() });
        bytes.content().len()
    }
}

/// Frees `bytes`. `vrs_bytes_free(NULL)` does nothing.
///
/// # Safety
/// `bytes` must be NULL or a pointer from this library that has not been freed yet; it must not
/// be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn vrs_bytes_free(bytes: *mut vrs_bytes) {
    ffi_fn! {
        if !bytes.is_null() {
            // SAFETY: `bytes` came from `Box::into_raw` in this library and is freed only once
            // (caller contract).
            drop(unsafe { Box::from_raw(bytes) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::macros::to_c;

    #[test]
    fn bytes_are_nul_terminated_and_null_safe() {
        let b = to_c(vrs_bytes::new(b"{}".to_vec()));
        // SAFETY: `b` is live until freed below.
        unsafe {
            assert_eq!(vrs_bytes_len(b), 2);
            let data = std::slice::from_raw_parts(vrs_bytes_data(b), 3);
            assert_eq!(data, b"{}\0");
            vrs_bytes_free(b);
            assert_eq!(vrs_bytes_len(std::ptr::null()), 0);
            assert!(vrs_bytes_data(std::ptr::null()).is_null());
            vrs_bytes_free(std::ptr::null_mut());
        }
    }
}
