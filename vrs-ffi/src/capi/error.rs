//! `vrs_error`: the details of a failed registry call, handed out through the call's optional
//! last parameter `vrs_error **out_error` (never through a global or the registry handle, so
//! threads sharing a registry never see each other's errors).

use vrs_core::diag::Code;
use vrs_core::registry::{ImportOutcome, RegistryError};

use super::bytes::{vrs_bytes, vrs_str};
use super::macros::{ffi_fn, non_null, require, to_c};
use super::report::nul_terminated;
use super::status::{
    vrs_status, VRS_CONFLICT, VRS_CORRUPT, VRS_CRYPTO, VRS_EXPORT, VRS_FORBIDDEN,
    VRS_IMPORT_REJECTED, VRS_INVALID_ARGUMENT, VRS_INVALID_UTF8, VRS_NOT_FOUND, VRS_NULL_ARGUMENT,
    VRS_OK, VRS_QUOTA_EXCEEDED, VRS_REGISTRY, VRS_RULE, VRS_STORE, VRS_TAMPERED, VRS_TENANT_EXISTS,
    VRS_UNKNOWN_TENANT, VRS_WRONG_KEY,
};

/// Why a registry call failed, as the Rust side builds it before handing it to C.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The status the call returns.
    pub status: vrs_status,
    /// The stable code: `RegistryError::code()`, or a boundary code (`null_argument`...).
    pub code: &'static str,
    /// The rule of a conflict or rule error.
    pub rule: Option<Code>,
    /// English message (names no My Number).
    pub message_en: String,
    /// Japanese message.
    pub message_ja: String,
    /// The outcome of a rejected import.
    pub import: Option<Box<ImportOutcome>>,
}

impl Failure {
    /// A required pointer argument `what` was NULL.
    pub(crate) fn null(what: &str) -> Failure {
        Failure {
            status: VRS_NULL_ARGUMENT,
            code: "null_argument",
            rule: None,
            message_en: format!("{what} is NULL"),
            message_ja: format!("{what} が NULL です"),
            import: None,
        }
    }

    /// The text argument `what` is not UTF-8.
    pub(crate) fn utf8(what: &str) -> Failure {
        Failure {
            status: VRS_INVALID_UTF8,
            code: "invalid_utf8",
            rule: None,
            message_en: format!("{what} is not valid UTF-8"),
            message_ja: format!("{what} が UTF-8 ではありません"),
            import: None,
        }
    }

    /// The argument `what` is malformed or out of range (`VRS_INVALID_ARGUMENT`, code
    /// `invalid_input` like the registry's own argument errors). The messages must not echo the
    /// argument.
    pub(crate) fn argument(
        what: &str,
        en: impl std::fmt::Display,
        ja: impl std::fmt::Display,
    ) -> Failure {
        Failure {
            status: VRS_INVALID_ARGUMENT,
            code: "invalid_input",
            rule: None,
            message_en: format!("{what}: {en}"),
            message_ja: format!("{what}：{ja}"),
            import: None,
        }
    }

    /// A failure with only a status and a code (e.g. a poisoned registry).
    pub(crate) fn other(status: vrs_status, code: &'static str, en: &str, ja: &str) -> Failure {
        Failure {
            status,
            code,
            rule: None,
            message_en: en.to_owned(),
            message_ja: ja.to_owned(),
            import: None,
        }
    }
}

/// The status of a registry error.
pub(crate) fn status_of(e: &RegistryError) -> vrs_status {
    match e {
        RegistryError::Forbidden(_) => VRS_FORBIDDEN,
        RegistryError::UnknownTenant(_) => VRS_UNKNOWN_TENANT,
        RegistryError::TenantExists(_) => VRS_TENANT_EXISTS,
        RegistryError::WrongKey(_) => VRS_WRONG_KEY,
        RegistryError::NotFound(_) => VRS_NOT_FOUND,
        RegistryError::Conflict { .. } => VRS_CONFLICT,
        RegistryError::Rule { .. } => VRS_RULE,
        RegistryError::InvalidInput(_) => VRS_INVALID_ARGUMENT,
        RegistryError::QuotaExceeded { .. } => VRS_QUOTA_EXCEEDED,
        RegistryError::ImportRejected(_) => VRS_IMPORT_REJECTED,
        RegistryError::Corrupt(_) => VRS_CORRUPT,
        RegistryError::Crypto(_) => VRS_CRYPTO,
        RegistryError::Store(_) => VRS_STORE,
        RegistryError::Export(_) => VRS_EXPORT,
        RegistryError::Tampered(_) => VRS_TAMPERED,
        _ => VRS_REGISTRY,
    }
}

impl From<RegistryError> for Failure {
    fn from(e: RegistryError) -> Self {
        let message_en = e.to_string();
        let message_ja = e.message_ja();
        Failure {
            status: status_of(&e),
            code: e.code(),
            rule: e.rule(),
            message_en,
            message_ja,
            import: match e {
                RegistryError::ImportRejected(outcome) => Some(outcome),
                _ => None,
            },
        }
    }
}

/// The details of a failed registry call: its status, a stable code, the rule behind a conflict
/// or rule error, messages in English and Japanese, and (for `VRS_IMPORT_REJECTED`) the import
/// outcome listing the rejected rows. Read it with `vrs_error_describe` and `vrs_error_json`,
/// free it with `vrs_error_free`.
///
/// No message or document holds a My Number. An error never changes, so it may be read from
/// several threads at once.
pub struct vrs_error {
    failure: Failure,
    code: Box<[u8]>,
    rule: Option<Box<[u8]>>,
    message_en: Box<[u8]>,
    message_ja: Box<[u8]>,
}

impl vrs_error {
    pub(crate) fn new(failure: Failure) -> vrs_error {
        vrs_error {
            code: nul_terminated(failure.code),
            rule: failure.rule.map(|r| nul_terminated(r.as_str())),
            message_en: nul_terminated(&failure.message_en),
            message_ja: nul_terminated(&failure.message_ja),
            failure,
        }
    }

    /// The JSON document of `vrs_error_json`.
    fn json(&self) -> String {
        let f = &self.failure;
        let doc = ErrorDoc {
            status: f.status.0,
            code: f.code,
            rule: f.rule.map(|r| r.as_str()),
            message_en: &f.message_en,
            message_ja: &f.message_ja,
            import: f.import.as_deref(),
        };
        // Plain data with string keys: serialising cannot fail.
        serde_json::to_string(&doc).unwrap_or_default()
    }
}

/// The JSON document of `vrs_error_json`, in this key order.
#[derive(serde::Serialize)]
struct ErrorDoc<'a> {
    status: u32,
    code: &'a str,
    rule: Option<&'a str>,
    message_en: &'a str,
    message_ja: &'a str,
    import: Option<&'a ImportOutcome>,
}

/// What `vrs_error_describe` fills in. The strings borrow from the error: valid until
/// `vrs_error_free`, NUL-terminated.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vrs_error_info {
    /// The status the call returned.
    pub status: vrs_status,
    /// A stable machine-readable code: one of `forbidden`, `unknown_tenant`, `tenant_exists`,
    /// `wrong_key`, `not_found`, `conflict`, `rule`, `invalid_input`, `quota_exceeded`,
    /// `import_rejected`, `corrupt`, `crypto`, `store`, `export` (the registry's codes), or
    /// `null_argument`, `invalid_utf8`, `invalid_state`, `internal` (failures at the C
    /// boundary; an argument the boundary rejects is `invalid_input` like the registry's own).
    pub code: vrs_str,
    /// The rule of a `VRS_CONFLICT` or `VRS_RULE` error as in the diagnostics catalogue
    /// (`"S03"`, `"D02"`...); absent (`{ NULL, 0 }`) otherwise.
    pub rule: vrs_str,
    /// The message in English.
    pub message_en: vrs_str,
    /// The message in Japanese.
    pub message_ja: vrs_str,
}

/// Fills `*out` with the status, code, rule and messages of `error`; the strings borrow from
/// `error` and stay valid until `vrs_error_free(error)`.
///
/// Returns `VRS_OK` or `VRS_NULL_ARGUMENT`.
///
/// # Safety
/// `error` must be NULL or a live error; `out` must be NULL or valid for a write of one
/// `vrs_error_info`.
#[no_mangle]
pub unsafe extern "C" fn vrs_error_describe(
    error: *const vrs_error,
    out: *mut vrs_error_info,
) -> vrs_status {
    ffi_fn! {
        require!(out);
        // SAFETY: the caller guarantees `error` is NULL or a live `vrs_error`.
        let error = non_null!(unsafe { error.as_ref() });
        let info = vrs_error_info {
            status: error.failure.status,
            code: vrs_str::of(&error.code),
            rule: error.rule.as_deref().map_or(vrs_str::ABSENT, vrs_str::of),
            message_en: vrs_str::of(&error.message_en),
            message_ja: vrs_str::of(&error.message_ja),
        };
        // SAFETY: `out` is not NULL and valid for a write of one `vrs_error_info`.
        unsafe { out.write(info) };
        VRS_OK
    }
}

/// Writes to `*out` a new buffer holding `error` as a compact JSON object (free it with
/// `vrs_bytes_free`):
///
/// ```json
/// {"status": 20, "code": "import_rejected", "rule": null,
///  "message_en": "...", "message_ja": "...", "import": { ...an import outcome... }}
/// ```
///
/// `rule` is a string such as `"D02"` for `VRS_CONFLICT` and `VRS_RULE`, else `null`; `import`
/// is the outcome of the rejected import for `VRS_IMPORT_REJECTED` (the document
/// `vrs_registry_import_subjects` describes, with `rejected_rows` saying which lines and why),
/// else `null`.
///
/// Returns `VRS_OK` or `VRS_NULL_ARGUMENT`.
///
/// # Safety
/// `error` must be NULL or a live error; `out` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_error_json(
    error: *const vrs_error,
    out: *mut *mut vrs_bytes,
) -> vrs_status {
    ffi_fn! {
        require!(out);
        // SAFETY: the caller guarantees `error` is NULL or a live `vrs_error`.
        let error = non_null!(unsafe { error.as_ref() });
        let json = error.json();
        // SAFETY: `out` is not NULL and valid for a pointer write (caller contract).
        unsafe { out.write(to_c(vrs_bytes::new(json.into_bytes()))) };
        VRS_OK
    }
}

/// Frees `error` (and every string borrowed from it). `vrs_error_free(NULL)` does nothing.
///
/// # Safety
/// `error` must be NULL or a pointer from this library that has not been freed yet; it must not
/// be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn vrs_error_free(error: *mut vrs_error) {
    ffi_fn! {
        if !error.is_null() {
            // SAFETY: `error` came from `Box::into_raw` in this library and is freed only once
            // (caller contract).
            drop(unsafe { Box::from_raw(error) });
        }
    }
}

/// Hands `failure` to the caller through `out_error` (when not NULL) and returns its status.
///
/// # Safety
/// `out_error` must be NULL or valid for a write of a pointer.
pub(crate) unsafe fn fail(out_error: *mut *mut vrs_error, failure: Failure) -> vrs_status {
    let status = failure.status;
    if !out_error.is_null() {
        // SAFETY: `out_error` is not NULL and valid for a pointer write (caller contract).
        unsafe { out_error.write(to_c(vrs_error::new(failure))) };
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::{vrs_bytes_data, vrs_bytes_free, vrs_bytes_len};

    #[test]
    fn errors_describe_themselves_and_render_as_json() {
        let e = RegistryError::Rule {
            code: Code::D02,
            message: "the vaccination date is in the future".into(),
        };
        let mut out = std::ptr::null_mut();
        // SAFETY: `out` is a live local.
        let status = unsafe { fail(&mut out, e.into()) };
        assert_eq!(status, VRS_RULE);
        let mut info = std::mem::MaybeUninit::<vrs_error_info>::uninit();
        let mut json = std::ptr::null_mut();
        // SAFETY: `out` is a live error until freed; the other pointers are live locals.
        unsafe {
            assert_eq!(vrs_error_describe(out, info.as_mut_ptr()), VRS_OK);
            let info = info.assume_init();
            assert_eq!(info.status, VRS_RULE);
            let s = |v: vrs_str| {
                std::str::from_utf8(std::slice::from_raw_parts(v.data.cast::<u8>(), v.len))
                    .unwrap()
                    .to_owned()
            };
            assert_eq!(s(info.code), "rule");
            assert_eq!(s(info.rule), "D02");
            assert_eq!(
                s(info.message_en),
                "rule D02: the vaccination date is in the future"
            );
            assert!(s(info.message_ja).starts_with("規則 D02"));
            assert_eq!(vrs_error_json(out, &mut json), VRS_OK);
            let text = std::slice::from_raw_parts(vrs_bytes_data(json), vrs_bytes_len(json));
            let doc: serde_json::Value = serde_json::from_slice(text).unwrap();
            assert_eq!(doc["status"], 18);
            assert_eq!(doc["rule"], "D02");
            assert!(doc["import"].is_null());
            vrs_bytes_free(json);
            vrs_error_free(out);
            vrs_error_free(std::ptr::null_mut());
            let mut again = std::mem::MaybeUninit::<vrs_error_info>::uninit();
            assert_eq!(
                vrs_error_describe(std::ptr::null(), again.as_mut_ptr()),
                VRS_NULL_ARGUMENT
            );
            // Without an out-parameter only the status comes back.
            assert_eq!(
                fail(std::ptr::null_mut(), Failure::null("who")),
                VRS_NULL_ARGUMENT
            );
        }
    }
}
