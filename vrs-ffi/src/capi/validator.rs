//! `vrs_validator`: streaming validation of one exchange file over `vrs_core::codec::Validator`.

use vrs_core::codec::{validate_bytes, ValidateOptions, Validator, DEFAULT_MAX_DIAGNOSTICS};
use vrs_core::date::Date;
use vrs_core::diag::Lang;
use vrs_core::id::MunicipalityCode;
use vrs_core::layout::{self, Layout, LayoutError, LayoutParams};
use vrs_core::text::EncodingChoice;

use super::macros::{bytes, ffi_fn, non_null, opt_text, require, text, to_c, tri};
use super::report::{vrs_lang, vrs_report};
use super::status::{
    vrs_status, VRS_INVALID_ARGUMENT, VRS_INVALID_STATE, VRS_OK, VRS_UNKNOWN_LAYOUT,
};

/// A text encoding: one of the `VRS_ENCODING_*` numbers (a `uint32_t`; fixed forever).
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct vrs_encoding(pub u32);

/// Reading: detect (a leading UTF-8 BOM means UTF-8, else a strict decode as both encodings:
/// UTF-8 when the file decodes as UTF-8, CP932 when only as CP932; the same verdict however the
/// file is fed). Writing: UTF-8. The default (0).
pub const VRS_ENCODING_AUTO: vrs_encoding = vrs_encoding(0);
/// UTF-8 (on input a leading BOM is allowed).
pub const VRS_ENCODING_UTF8: vrs_encoding = vrs_encoding(1);
/// CP932 / Windows-31J (Microsoft's Shift_JIS).
pub const VRS_ENCODING_CP932: vrs_encoding = vrs_encoding(2);

impl vrs_encoding {
    /// The core choice, or `VRS_INVALID_ARGUMENT` for an unknown number.
    pub(crate) fn to_choice(self) -> Result<EncodingChoice, vrs_status> {
        match self {
            VRS_ENCODING_AUTO => Ok(EncodingChoice::Auto),
            VRS_ENCODING_UTF8 => Ok(EncodingChoice::Utf8),
            VRS_ENCODING_CP932 => Ok(EncodingChoice::Cp932),
            _ => Err(VRS_INVALID_ARGUMENT),
        }
    }
}

/// Options of `vrs_validator_new`. A zero-initialised struct (`vrs_validate_options o = {0};`)
/// gives the defaults, the same as passing NULL.
///
/// The struct may only grow in a new major version of the library.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vrs_validate_options {
    /// Input encoding: `VRS_ENCODING_AUTO` (0, default), `VRS_ENCODING_UTF8` or
    /// `VRS_ENCODING_CP932`. A declared encoding breaks ties (a file that decodes as both); a
    /// file that does not decode as it but does as the other one is checked as the other one,
    /// with one F01 saying so.
    pub encoding: vrs_encoding,
    /// Language of `vrs_diagnostic.message` and of the JSON: `VRS_LANG_JA` (0, default) or
    /// `VRS_LANG_EN`.
    pub lang: vrs_lang,
    /// Keep at most this many diagnostics in the report, the first ones found (the counts and
    /// the per-code summary still cover all; `vrs_report_truncated` says when some were left
    /// out), so that memory stays bounded whatever the file holds. 0: the default, 1000.
    /// `SIZE_MAX`: every diagnostic (memory then grows with the findings: a file with an error
    /// in every field has millions).
    pub max_diagnostics: usize,
    /// The file's creation date as the number `YYYYMMDD` (e.g. `20240401`): dates after it are
    /// in the future (D02, D05). 0: no such check (the library reads no clock).
    pub as_of_yyyymmdd: u32,
    /// Dose blocks of the block layouts (ledger export, awaiting list, inquiry result), 1..=9.
    /// 0 (default): the header's count (an F02 info says when it is not 7), 7 without a header.
    pub dose_blocks: u8,
    /// Nonzero: the file has no header row.
    pub no_header: u8,
    /// The uploading municipality code (rule M03), `tenant_len` bytes; NULL (with length 0): the first row's
    /// code is taken.
    pub tenant: *const u8,
    /// Length of `tenant` in bytes.
    pub tenant_len: usize,
    /// The file name to put in the report's `file` (as the command line does), `file_name_len`
    /// bytes of UTF-8; NULL (with length 0): none (`"file": null`).
    pub file_name: *const u8,
    /// Length of `file_name` in bytes.
    pub file_name_len: usize,
}

/// The `as_of` date from `YYYYMMDD` as a number (0: none).
pub(crate) fn as_of(yyyymmdd: u32) -> Result<Option<Date>, vrs_status> {
    if yyyymmdd == 0 {
        return Ok(None);
    }
    let year = u16::try_from(yyyymmdd / 10_000).map_err(|_| VRS_INVALID_ARGUMENT)?;
    let month = u8::try_from(yyyymmdd / 100 % 100).map_err(|_| VRS_INVALID_ARGUMENT)?;
    let day = u8::try_from(yyyymmdd % 100).map_err(|_| VRS_INVALID_ARGUMENT)?;
    Date::new(year, month, day)
        .map(Some)
        .map_err(|_| VRS_INVALID_ARGUMENT)
}

/// The tenant municipality code, if given (NULL with length 0: not given).
///
/// # Safety
/// `tenant` must be NULL or valid for reads of `len` bytes.
pub(crate) unsafe fn tenant(
    tenant: *const u8,
    len: usize,
) -> Result<Option<MunicipalityCode>, vrs_status> {
    // SAFETY: forwarded caller contract.
    let Some(code) = (unsafe { opt_text(tenant, len) })? else {
        return Ok(None);
    };
    MunicipalityCode::parse(code)
        .map(Some)
        .map_err(|_| VRS_INVALID_ARGUMENT)
}

/// Dose blocks from an options struct (0: the default).
pub(crate) fn dose_blocks(n: u8) -> LayoutParams {
    if n == 0 {
        LayoutParams::default()
    } else {
        LayoutParams { dose_blocks: n }
    }
}

/// Finds the layout `id` (`ID` or `ID@version`).
pub(crate) fn find_layout(id: &str, params: &LayoutParams) -> Result<Layout, vrs_status> {
    layout::find(id, params).map_err(|e| match e {
        LayoutError::Unknown { .. } => VRS_UNKNOWN_LAYOUT,
        _ => VRS_INVALID_ARGUMENT,
    })
}

/// Everything `vrs_validator_new` takes from its options.
struct Settings {
    params: LayoutParams,
    options: ValidateOptions,
    lang: Lang,
    file: Option<String>,
}

/// Converts the C options (NULL: defaults).
///
/// # Safety
/// `opts`' pointers must satisfy their field docs.
unsafe fn settings(opts: Option<&vrs_validate_options>) -> Result<Settings, vrs_status> {
    let Some(o) = opts else {
        return Ok(Settings {
            params: LayoutParams::default(),
            options: ValidateOptions::default(),
            lang: Lang::default(),
            file: None,
        });
    };
    // SAFETY: the caller guarantees `file_name` is NULL or valid for `file_name_len` bytes.
    let file = unsafe { opt_text(o.file_name, o.file_name_len) }?.map(str::to_owned);
    Ok(Settings {
        params: dose_blocks(o.dose_blocks),
        options: ValidateOptions {
            encoding: o.encoding.to_choice()?,
            max_diagnostics: match o.max_diagnostics {
                0 => Some(DEFAULT_MAX_DIAGNOSTICS),
                usize::MAX => None,
                n => Some(n),
            },
            dose_blocks_from_header: o.dose_blocks == 0,
            as_of: as_of(o.as_of_yyyymmdd)?,
            // SAFETY: the caller guarantees `tenant` is NULL or valid for `tenant_len` bytes.
            tenant: unsafe { tenant(o.tenant, o.tenant_len) }?,
            header: o.no_header == 0,
            ..ValidateOptions::default()
        },
        lang: o.lang.to_core()?,
        file,
    })
}

/// A streaming validator for one file of one layout: feed the file's bytes in chunks of any
/// size with `vrs_validator_feed`, then `vrs_validator_finish` for the report. Free it with
/// `vrs_validator_free` (also after finishing).
///
/// Memory stays bounded by the largest record plus the keys of cross-row rules and the
/// diagnostics kept (`max_diagnostics`), whatever the file holds. A validator may be moved
/// between threads but not used from two at once.
pub struct vrs_validator {
    /// `None` once finished (or after a caught panic).
    validator: Option<Box<Validator>>,
    lang: Lang,
    file: Option<String>,
}

/// Creates a validator for the layout `layout_id` (`len` bytes of UTF-8, e.g. `"ledger-export"`
/// or `"ledger-export@1"`) and writes it to `*out`.
///
/// `opts` may be NULL for the defaults (auto-detected encoding, 1000 diagnostics kept, no as-of
/// date, the header's dose blocks, header row, Japanese). Returns `VRS_OK`; `VRS_UNKNOWN_LAYOUT`; `VRS_INVALID_ARGUMENT`
/// for an option out of range (unknown encoding or lang number, `dose_blocks` above 9, an
/// impossible `as_of_yyyymmdd`, an invalid tenant code); `VRS_INVALID_UTF8`;
/// `VRS_NULL_ARGUMENT` (`out` or `layout_id` NULL, the latter allowed only with `len == 0`,
/// which is an unknown layout). `*out` is written only on `VRS_OK`.
///
/// # Safety
/// `layout_id` must be NULL or valid for reads of `len` bytes; `opts` must be NULL or point to a
/// readable `vrs_validate_options` whose pointers satisfy its field docs; `out` must be NULL or
/// valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_validator_new(
    layout_id: *const u8,
    len: usize,
    opts: *const vrs_validate_options,
    out: *mut *mut vrs_validator,
) -> vrs_status {
    ffi_fn! {
        require!(out);
        // SAFETY: the caller guarantees `layout_id` is NULL or valid for `len` bytes.
        let id = tri!(unsafe { text(layout_id, len) });
        // SAFETY: the caller guarantees `opts` is NULL or points to readable options whose
        // pointers are valid as documented.
        let settings = tri!(unsafe { settings(opts.as_ref()) });
        let layout = tri!(find_layout(id, &settings.params));
        let handle = vrs_validator {
            validator: Some(Box::new(Validator::new(layout, settings.options))),
            lang: settings.lang,
            file: settings.file,
        };
        // SAFETY: `out` is not NULL and valid for a pointer write (caller contract).
        unsafe { out.write(to_c(handle)) };
        VRS_OK
    }
}

/// Feeds the next `len` bytes of the file (any chunk size; a chunk may end inside a record or a
/// character).
///
/// Returns `VRS_OK`; `VRS_INVALID_STATE` after `vrs_validator_finish`; `VRS_NULL_ARGUMENT`
/// (`validator` NULL, or `data` NULL with `len > 0`; NULL with `len == 0` feeds nothing).
/// Problems in the content are diagnostics in the final report, never a status.
///
/// # Safety
/// `validator` must be NULL or a live validator not used by another thread meanwhile; `data`
/// must be NULL or valid for reads of `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn vrs_validator_feed(
    validator: *mut vrs_validator,
    data: *const u8,
    len: usize,
) -> vrs_status {
    ffi_fn! {
        // SAFETY: the caller guarantees `validator` is NULL or live and not shared meanwhile.
        let handle = non_null!(unsafe { validator.as_mut() });
        // SAFETY: the caller guarantees `data` is NULL or valid for `len` bytes.
        let data = tri!(unsafe { bytes(data, len) });
        // Taken out while working: a panic leaves the handle finished, never half-updated.
        let Some(mut v) = handle.validator.take() else {
            return VRS_INVALID_STATE;
        };
        v.feed(data);
        handle.validator = Some(v);
        VRS_OK
    }
}

/// Ends the file and writes its report to `*out` (free it with `vrs_report_free`; it does not
/// depend on the validator). The validator is finished afterwards: feeding or finishing it again
/// returns `VRS_INVALID_STATE`; it must still be freed.
///
/// Returns `VRS_OK`, `VRS_INVALID_STATE` or `VRS_NULL_ARGUMENT`. `*out` is written only on
/// `VRS_OK`.
///
/// # Safety
/// `validator` must be NULL or a live validator not used by another thread meanwhile; `out` must
/// be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_validator_finish(
    validator: *mut vrs_validator,
    out: *mut *mut vrs_report,
) -> vrs_status {
    ffi_fn! {
        require!(out);
        // SAFETY: the caller guarantees `validator` is NULL or live and not shared meanwhile.
        let handle = non_null!(unsafe { validator.as_mut() });
        let Some(v) = handle.validator.take() else {
            return VRS_INVALID_STATE;
        };
        let mut report = v.finish();
        report.file = handle.file.clone();
        // SAFETY: `out` is not NULL and valid for a pointer write (caller contract).
        unsafe { out.write(to_c(vrs_report::new(report, handle.lang))) };
        VRS_OK
    }
}

/// Validates a whole file held in memory, `data_len` bytes, as layout `layout_id` (`len`
/// bytes, as for `vrs_validator_new`) and writes its report to `*out` (free it with
/// `vrs_report_free`).
///
/// The same report as `vrs-conformance validate` and Python's `vrs.validate_bytes` give: with
/// `VRS_ENCODING_AUTO` the encoding is decided by a strict decode of the whole file (a
/// streaming `vrs_validator` decides by the first record holding non-ASCII bytes, as it cannot
/// see ahead), so a file switching encodings midway is read in the encoding that fits it, or
/// fits more of it.
///
/// `opts` may be NULL for the defaults. Returns `VRS_OK`; `VRS_UNKNOWN_LAYOUT`;
/// `VRS_INVALID_ARGUMENT` (as `vrs_validator_new`); `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`
/// (`out` NULL, `layout_id` NULL with `len > 0`, `data` NULL with `data_len > 0`). `*out` is
/// written only on `VRS_OK`.
///
/// # Safety
/// `layout_id` must be NULL or valid for reads of `len` bytes; `data` must be NULL or valid for
/// reads of `data_len` bytes; `opts` as for `vrs_validator_new`; `out` must be NULL or valid for
/// a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_validate_bytes(
    layout_id: *const u8,
    len: usize,
    data: *const u8,
    data_len: usize,
    opts: *const vrs_validate_options,
    out: *mut *mut vrs_report,
) -> vrs_status {
    ffi_fn! {
        require!(out);
        // SAFETY: the caller guarantees `layout_id` is NULL or valid for `len` bytes.
        let id = tri!(unsafe { text(layout_id, len) });
        // SAFETY: the caller guarantees `data` is NULL or valid for `data_len` bytes.
        let data = tri!(unsafe { bytes(data, data_len) });
        // SAFETY: the caller guarantees `opts` is NULL or points to readable options whose
        // pointers are valid as documented.
        let settings = tri!(unsafe { settings(opts.as_ref()) });
        let layout = tri!(find_layout(id, &settings.params));
        let mut report = validate_bytes(data, layout, settings.options);
        report.file = settings.file;
        // SAFETY: `out` is not NULL and valid for a pointer write (caller contract).
        unsafe { out.write(to_c(vrs_report::new(report, settings.lang))) };
        VRS_OK
    }
}

/// Frees `validator`, finished or not. `vrs_validator_free(NULL)` does nothing.
///
/// # Safety
/// `validator` must be NULL or a pointer from `vrs_validator_new` that has not been freed yet; it
/// must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn vrs_validator_free(validator: *mut vrs_validator) {
    ffi_fn! {
        if !validator.is_null() {
            // SAFETY: `validator` came from `Box::into_raw` in `vrs_validator_new` and is freed
            // only once (caller contract).
            drop(unsafe { Box::from_raw(validator) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::status::VRS_NULL_ARGUMENT;

    #[test]
    fn as_of_dates() {
        assert_eq!(as_of(0), Ok(None));
        assert_eq!(as_of(20240401), Ok(Some(Date::new(2024, 4, 1).unwrap())));
        assert_eq!(as_of(20240230), Err(VRS_INVALID_ARGUMENT));
        assert_eq!(as_of(u32::MAX), Err(VRS_INVALID_ARGUMENT));
        assert_eq!(as_of(1), Err(VRS_INVALID_ARGUMENT));
    }

    /// Found by the `ffi_calls` fuzz target: a NULL tenant or file name with a non-zero length
    /// was taken as absent instead of refused (fuzz/regressions/ffi_calls/null-file-name-with-length).
    #[test]
    fn null_tenant_or_file_name_with_a_length_is_refused() {
        let opts = |tenant_len, file_name_len| vrs_validate_options {
            encoding: vrs_encoding(0),
            lang: vrs_lang(0),
            max_diagnostics: 0,
            as_of_yyyymmdd: 0,
            dose_blocks: 0,
            no_header: 0,
            tenant: std::ptr::null(),
            tenant_len,
            file_name: std::ptr::null(),
            file_name_len,
        };
        for (t, f) in [(1, 0), (0, 5), (usize::MAX, usize::MAX)] {
            let o = opts(t, f);
            // SAFETY: NULL pointers; nothing is read.
            let got = unsafe { settings(Some(&o)) };
            assert!(matches!(got, Err(s) if s == VRS_NULL_ARGUMENT), "{t}, {f}");
            let mut report = std::ptr::null_mut();
            // SAFETY: valid layout id and data; `report` is a valid out pointer.
            let status = unsafe {
                vrs_validate_bytes(b"flags".as_ptr(), 5, b"".as_ptr(), 0, &o, &mut report)
            };
            assert_eq!(status, VRS_NULL_ARGUMENT);
            assert!(report.is_null());
        }
        // SAFETY: NULL pointers; nothing is read.
        assert!(unsafe { settings(Some(&opts(0, 0))) }.is_ok_and(|s| s.file.is_none()));
    }
}
