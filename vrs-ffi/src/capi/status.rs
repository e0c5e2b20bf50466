//! `vrs_status`, the result of every fallible call, its messages, and the library version.

use std::ffi::c_char;

/// The result of a fallible `libvrs` call.
///
/// A `uint32_t`: `VRS_OK` (0) or one of the `VRS_*` status numbers below. The numbers are fixed
/// forever: a number is never reused for another meaning and new statuses only get new numbers,
/// so code may switch on them and store them. `vrs_status_message()` describes any number,
/// including ones unknown to this version of the library.
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct vrs_status(pub u32);

/// Success.
pub const VRS_OK: vrs_status = vrs_status(0);
/// The input is well formed but not valid: an identifier that fails its rules, a row with an
/// error (the diagnostics say why), or an unknown `vrs_id_kind` number.
pub const VRS_INVALID: vrs_status = vrs_status(1);
/// A required pointer argument was NULL (a NULL data pointer is allowed only with length 0).
pub const VRS_NULL_ARGUMENT: vrs_status = vrs_status(2);
/// A text argument (identifier, layout ID, column ID, value) is not valid UTF-8.
pub const VRS_INVALID_UTF8: vrs_status = vrs_status(3);
/// A value cannot be written in the chosen output encoding (a character CP932 cannot hold).
pub const VRS_ENCODING: vrs_status = vrs_status(4);
/// An I/O error while writing.
pub const VRS_IO: vrs_status = vrs_status(5);
/// No layout has the given ID (or `ID@version`).
pub const VRS_UNKNOWN_LAYOUT: vrs_status = vrs_status(6);
/// A panic was caught inside the library (a bug: please report it). A validator or writer the
/// call was made on is left finished: later calls on it return `VRS_INVALID_STATE`; it must
/// still be freed.
pub const VRS_PANIC: vrs_status = vrs_status(7);
/// The caller's buffer is too small; nothing was written (each function says what size it needs).
pub const VRS_INSUFFICIENT_BUFFER: vrs_status = vrs_status(8);
/// The handle cannot do this any more: it was already finished (feeding or finishing a validator
/// after `vrs_validator_finish`, using a writer after `vrs_writer_finish`), or a report was asked
/// of a writer that is not finished.
pub const VRS_INVALID_STATE: vrs_status = vrs_status(9);
/// The layout has no column with the given ID.
pub const VRS_UNKNOWN_COLUMN: vrs_status = vrs_status(10);
/// An argument is out of its range: an unknown enum number in an options struct, a dose block
/// count above 9, an impossible `as_of_yyyymmdd` date, an invalid tenant municipality code, or a
/// length above `PTRDIFF_MAX`.
pub const VRS_INVALID_ARGUMENT: vrs_status = vrs_status(11);
/// An index is not below the number of items (e.g. a diagnostic index).
pub const VRS_INDEX_OUT_OF_RANGE: vrs_status = vrs_status(12);
/// Registry: the principal may not do this (wrong role, another municipality, a staff user ID
/// that is not registered). The call was recorded in the audit log as refused.
pub const VRS_FORBIDDEN: vrs_status = vrs_status(13);
/// Registry: the tenant (municipality) does not exist in this registry.
pub const VRS_UNKNOWN_TENANT: vrs_status = vrs_status(14);
/// Registry: the tenant exists already.
pub const VRS_TENANT_EXISTS: vrs_status = vrs_status(15);
/// Registry: no subject, voucher or user with that identifier.
pub const VRS_NOT_FOUND: vrs_status = vrs_status(16);
/// Registry: the request contradicts stored data (a voucher issued to someone else, a different
/// dose already recorded...); the error's `rule` names the rule (V02, S03...).
pub const VRS_CONFLICT: vrs_status = vrs_status(17);
/// Registry: a rule of the domain forbids it (D02 future date, L01 dose after death, T03
/// unknown manufacturer...); the error's `rule` names it.
pub const VRS_RULE: vrs_status = vrs_status(18);
/// Registry: the tenant's staff user quota is used up.
pub const VRS_QUOTA_EXCEEDED: vrs_status = vrs_status(19);
/// Registry: a strict import found problems and imported nothing (or the file itself is
/// unusable); the error's JSON lists the rejected rows.
pub const VRS_IMPORT_REJECTED: vrs_status = vrs_status(20);
/// Registry: the key supplied for a tenant does not open its data.
pub const VRS_WRONG_KEY: vrs_status = vrs_status(21);
/// Registry: a key is missing or unusable, or sealing/opening failed.
pub const VRS_CRYPTO: vrs_status = vrs_status(22);
/// Registry: the store failed (database error, unreadable directory, newer schema...).
pub const VRS_STORE: vrs_status = vrs_status(23);
/// Registry: a stored record is unreadable (written by a newer library, or corrupt).
pub const VRS_CORRUPT: vrs_status = vrs_status(24);
/// Registry: writing an export failed (e.g. a name CP932 cannot hold).
pub const VRS_EXPORT: vrs_status = vrs_status(25);
/// Registry: another error, new in `vrs-core`, that has no status of its own yet; the error's
/// `code` says which.
pub const VRS_REGISTRY: vrs_status = vrs_status(26);
/// Registry: stored data failed an integrity check (records altered, deleted, added or rolled
/// back, an audit chain erased, the store rolled back or replaced); nothing tampered is served.
/// The message names the tenant, record kind and pseudonymous key; `vrs_registry_verify_store`
/// lists every finding.
pub const VRS_TAMPERED: vrs_status = vrs_status(27);

/// A static, NUL-terminated English description of `status`; never NULL, never to be freed.
///
/// Numbers this version does not know get a generic message.
#[no_mangle]
pub extern "C" fn vrs_status_message(status: vrs_status) -> *const c_char {
    super::macros::ffi_fn! {
        message(status).as_ptr()
    }
}

/// The message of a status, NUL-terminated.
fn message(status: vrs_status) -> &'static std::ffi::CStr {
    match status {
        VRS_OK => c"success",
        VRS_INVALID => c"invalid input: the value or row does not pass its rules",
        VRS_NULL_ARGUMENT => c"a required pointer argument was NULL",
        VRS_INVALID_UTF8 => c"text argument is not valid UTF-8",
        VRS_ENCODING => c"a value cannot be written in the chosen encoding",
        VRS_IO => c"input/output error",
        VRS_UNKNOWN_LAYOUT => c"unknown layout ID or version",
        VRS_PANIC => c"internal error: a panic was caught inside libvrs (please report it)",
        VRS_INSUFFICIENT_BUFFER => c"the output buffer is too small",
        VRS_INVALID_STATE => c"the handle is already finished or not finished yet",
        VRS_UNKNOWN_COLUMN => c"the layout has no column with this ID",
        VRS_INVALID_ARGUMENT => c"an argument is out of range",
        VRS_INDEX_OUT_OF_RANGE => c"index out of range",
        VRS_FORBIDDEN => c"forbidden: the principal may not do this",
        VRS_UNKNOWN_TENANT => c"the tenant does not exist in this registry",
        VRS_TENANT_EXISTS => c"the tenant exists already",
        VRS_NOT_FOUND => c"not found",
        VRS_CONFLICT => c"the request conflicts with stored data",
        VRS_RULE => c"a rule forbids this",
        VRS_QUOTA_EXCEEDED => c"the staff user quota is used up",
        VRS_IMPORT_REJECTED => c"the import was rejected; nothing was imported",
        VRS_WRONG_KEY => c"the tenant's key does not open its data",
        VRS_CRYPTO => c"a key is missing or unusable, or sealing failed",
        VRS_STORE => c"the store failed",
        VRS_CORRUPT => c"a stored record is unreadable",
        VRS_EXPORT => c"writing the export failed",
        VRS_REGISTRY => c"the registry could not do this",
        VRS_TAMPERED => c"stored data failed an integrity check (tampering or damage)",
        _ => c"unknown status",
    }
}

/// The library version (e.g. `"0.1.0"`, the same as `VRS_VERSION` in the header this library
/// was built with): a static NUL-terminated string, never NULL, never to be freed.
///
/// Compare it with `VRS_VERSION` to detect a program compiled against another header.
#[no_mangle]
pub extern "C" fn vrs_version() -> *const c_char {
    super::macros::ffi_fn! {
        VERSION.as_ptr()
    }
}

/// `CARGO_PKG_VERSION` with its NUL terminator.
const VERSION: &std::ffi::CStr = match std::ffi::CStr::from_bytes_with_nul(
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes(),
) {
    Ok(v) => v,
    Err(_) => c"unknown",
};

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_status_has_its_own_message_and_unknown_numbers_a_generic_one() {
        let mut seen = std::collections::HashSet::new();
        for n in 0..=27 {
            // SAFETY: vrs_status_message returns a static NUL-terminated string.
            let m = unsafe { CStr::from_ptr(vrs_status_message(vrs_status(n))) };
            assert!(seen.insert(m.to_owned()), "duplicate message for {n}");
            assert_ne!(m, c"unknown status", "{n} has no message");
        }
        // SAFETY: as above.
        let unknown = unsafe { CStr::from_ptr(vrs_status_message(vrs_status(4242))) };
        assert_eq!(unknown, c"unknown status");
    }

    #[test]
    fn version_is_the_package_version() {
        // SAFETY: vrs_version returns a static NUL-terminated string.
        let v = unsafe { CStr::from_ptr(vrs_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
