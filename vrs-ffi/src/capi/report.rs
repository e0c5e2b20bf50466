//! `vrs_report`: the diagnostics of a validation (or of one written row), with counts, indexed
//! access to each diagnostic, and the JSON document of `vrs-conformance validate --format json`.

use vrs_core::diag::{Diagnostic, Lang, Report, ReportBuilder, Severity};
use vrs_core::layout::Layout;

use super::bytes::{vrs_bytes, vrs_str};
use super::macros::{ffi_fn, non_null, require, to_c};
use super::status::{vrs_status, VRS_INDEX_OUT_OF_RANGE, VRS_INVALID_ARGUMENT, VRS_OK};

/// The language of messages: `VRS_LANG_JA` (0, the default) or `VRS_LANG_EN` (a `uint32_t`;
/// the numbers are fixed forever).
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct vrs_lang(pub u32);

/// Japanese (the default: the users of these files read Japanese).
pub const VRS_LANG_JA: vrs_lang = vrs_lang(0);
/// English.
pub const VRS_LANG_EN: vrs_lang = vrs_lang(1);

impl vrs_lang {
    /// The core language, or `VRS_INVALID_ARGUMENT` for an unknown number.
    pub(crate) fn to_core(self) -> Result<Lang, vrs_status> {
        match self {
            VRS_LANG_JA => Ok(Lang::Ja),
            VRS_LANG_EN => Ok(Lang::En),
            _ => Err(VRS_INVALID_ARGUMENT),
        }
    }
}

/// How serious a diagnostic is: one of the `VRS_SEVERITY_*` numbers (a `uint32_t`; fixed
/// forever).
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct vrs_severity(pub u32);

/// The row or file is not acceptable.
pub const VRS_SEVERITY_ERROR: vrs_severity = vrs_severity(0);
/// Acceptable, but a person should check it.
pub const VRS_SEVERITY_WARNING: vrs_severity = vrs_severity(1);
/// For information only.
pub const VRS_SEVERITY_INFO: vrs_severity = vrs_severity(2);

impl From<Severity> for vrs_severity {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Error => VRS_SEVERITY_ERROR,
            Severity::Warning => VRS_SEVERITY_WARNING,
            Severity::Info => VRS_SEVERITY_INFO,
        }
    }
}

/// One diagnostic of a report, as filled by `vrs_report_diagnostic`.
///
/// Every `vrs_str` borrows from the report: valid until `vrs_report_free`, NUL-terminated, and
/// `{ NULL, 0 }` when the diagnostic has no such value.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vrs_diagnostic {
    /// Stable code, e.g. `"M01"` (explained in `vrs-core/DIAGNOSTICS.md`).
    pub code: vrs_str,
    /// Error, warning or info.
    pub severity: vrs_severity,
    /// Physical 1-based line (the header is line 1); 0 for a problem with the whole file.
    pub line: u64,
    /// 1-based field index in the row; 0 when the problem is not in one field.
    pub field: usize,
    /// Column name in Japanese as in the header row (e.g. `"1回目接種日"`); absent when the
    /// problem is not in one field.
    pub column: vrs_str,
    /// Column name in English; absent when the problem is not in one field.
    pub column_en: vrs_str,
    /// The offending value, shortened; `"<redacted>"` for anything that could be a My Number;
    /// absent when there is none.
    pub value: vrs_str,
    /// The message in the report's language (`lang` of the options).
    pub message: vrs_str,
    /// The message in Japanese.
    pub message_ja: vrs_str,
    /// The message in English.
    pub message_en: vrs_str,
}

/// NUL-terminated copies of a diagnostic's strings, owned by the report.
#[derive(Debug)]
struct DiagnosticText {
    code: Box<[u8]>,
    column: Option<Box<[u8]>>,
    column_en: Option<Box<[u8]>>,
    value: Option<Box<[u8]>>,
    message_ja: Box<[u8]>,
    message_en: Box<[u8]>,
}

/// `s` followed by a NUL byte.
pub(crate) fn nul_terminated(s: &str) -> Box<[u8]> {
    let mut v = Vec::with_capacity(s.len() + 1);
    v.extend_from_slice(s.as_bytes());
    v.push(0);
    v.into_boxed_slice()
}

impl DiagnosticText {
    fn new(d: &Diagnostic) -> Self {
        DiagnosticText {
            code: nul_terminated(d.code.as_str()),
            column: d.column.as_deref().map(nul_terminated),
            column_en: d.column_en.as_deref().map(nul_terminated),
            value: d.value.as_deref().map(nul_terminated),
            message_ja: nul_terminated(&d.message_ja),
            message_en: nul_terminated(&d.message_en),
        }
    }
}

/// The result of a validation, or the diagnostics of one row written by a `vrs_writer`.
///
/// Read it with the `vrs_report_*` accessors; free it with `vrs_report_free`. It does not depend
/// on the validator or writer that made it: either may be freed first. A report is never
/// modified, so it may be read from several threads at once.
pub struct vrs_report {
    report: Report,
    lang: Lang,
    texts: Vec<DiagnosticText>,
}

impl vrs_report {
    /// Wraps a core report; `lang` chooses `message` and the JSON's language.
    pub(crate) fn new(report: Report, lang: Lang) -> Self {
        let texts = report.diagnostics.iter().map(DiagnosticText::new).collect();
        vrs_report {
            report,
            lang,
            texts,
        }
    }

    /// A report holding `diagnostics` of one row of `layout` (rows = 1).
    pub(crate) fn of_row(
        diagnostics: Vec<Diagnostic>,
        layout: &Layout,
        encoding: &'static str,
        lang: Lang,
    ) -> Self {
        let mut builder = ReportBuilder::new(None);
        for d in diagnostics {
            builder.push(d);
        }
        let report = builder.finish(layout.id, layout.version, Some(encoding), false, 1);
        vrs_report::new(report, lang)
    }

    /// The wrapped core report.
    pub fn report(&self) -> &Report {
        &self.report
    }
}

/// Writes one of the report's counts to `*out`.
///
/// # Safety
/// `report` NULL or live; `out` NULL or valid for a write of `T`.
unsafe fn count<T>(
    report: *const vrs_report,
    out: *mut T,
    get: impl FnOnce(&vrs_report) -> T,
) -> vrs_status {
    ffi_fn! {
        require!(out);
        // SAFETY: the caller guarantees `report` is NULL or a live `vrs_report`.
        let report = non_null!(unsafe { report.as_ref() });
        let value = get(report);
        // SAFETY: `out` is not NULL and valid for a write of `T` (caller contract).
        unsafe { out.write(value) };
        VRS_OK
    }
}

/// Writes the number of data rows read (the header row is not counted) to `*out`.
///
/// Returns `VRS_OK` or `VRS_NULL_ARGUMENT`.
///
/// # Safety
/// `report` must be NULL or a live report; `out` must be NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn vrs_report_row_count(
    report: *const vrs_report,
    out: *mut u64,
) -> vrs_status {
    // SAFETY: forwarded caller contract.
    unsafe { count(report, out, |r| r.report.rows) }
}

/// Writes the number of errors to `*out` (all of them, also those left out by
/// `max_diagnostics`).
///
/// Returns `VRS_OK` or `VRS_NULL_ARGUMENT`.
///
/// # Safety
/// `report` must be NULL or a live report; `out` must be NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn vrs_report_error_count(
    report: *const vrs_report,
    out: *mut u64,
) -> vrs_status {
    // SAFETY: forwarded caller contract.
    unsafe { count(report, out, |r| r.report.errors) }
}

/// Writes the number of warnings to `*out` (all of them, also those left out by
/// `max_diagnostics`).
///
/// Returns `VRS_OK` or `VRS_NULL_ARGUMENT`.
///
/// # Safety
/// `report` must be NULL or a live report; `out` must be NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn vrs_report_warning_count(
    report: *const vrs_report,
    out: *mut u64,
) -> vrs_status {
    // SAFETY: forwarded caller contract.
    unsafe { count(report, out, |r| r.report.warnings) }
}

/// Writes the number of infos to `*out`.
///
/// Returns `VRS_OK` or `VRS_NULL_ARGUMENT`.
///
/// # Safety
/// `report` must be NULL or a live report; `out` must be NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn vrs_report_info_count(
    report: *const vrs_report,
    out: *mut u64,
) -> vrs_status {
    // SAFETY: forwarded caller contract.
    unsafe { count(report, out, |r| r.report.infos) }
}

/// Writes the number of diagnostics held (at most `max_diagnostics` when a limit was set) to
/// `*out`; valid indexes for `vrs_report_diagnostic` are `0 .. *out - 1`.
///
/// Returns `VRS_OK` or `VRS_NULL_ARGUMENT`.
///
/// # Safety
/// `report` must be NULL or a live report; `out` must be NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn vrs_report_diagnostic_count(
    report: *const vrs_report,
    out: *mut usize,
) -> vrs_status {
    // SAFETY: forwarded caller contract.
    unsafe { count(report, out, |r| r.report.diagnostics.len()) }
}

/// Writes to `*out` whether diagnostics were left out because of `max_diagnostics` (the counts
/// still cover all of them).
///
/// Returns `VRS_OK` or `VRS_NULL_ARGUMENT`.
///
/// # Safety
/// `report` must be NULL or a live report; `out` must be NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn vrs_report_truncated(
    report: *const vrs_report,
    out: *mut bool,
) -> vrs_status {
    // SAFETY: forwarded caller contract.
    unsafe { count(report, out, |r| r.report.truncated) }
}

/// Fills `*out` with diagnostic number `index` (0-based, in file order). The strings in `*out`
/// borrow from `report` and stay valid until `vrs_report_free(report)`.
///
/// Returns `VRS_OK`, `VRS_INDEX_OUT_OF_RANGE` when `index` is not below
/// `vrs_report_diagnostic_count`, or `VRS_NULL_ARGUMENT`.
///
/// # Safety
/// `report` must be NULL or a live report; `out` must be NULL or valid for a write of one
/// `vrs_diagnostic`.
#[no_mangle]
pub unsafe extern "C" fn vrs_report_diagnostic(
    report: *const vrs_report,
    index: usize,
    out: *mut vrs_diagnostic,
) -> vrs_status {
    ffi_fn! {
        require!(out);
        // SAFETY: the caller guarantees `report` is NULL or a live `vrs_report`.
        let report = non_null!(unsafe { report.as_ref() });
        let (Some(d), Some(t)) = (report.report.diagnostics.get(index), report.texts.get(index))
        else {
            return VRS_INDEX_OUT_OF_RANGE;
        };
        let opt = |s: &Option<Box<[u8]>>| s.as_deref().map_or(vrs_str::ABSENT, vrs_str::of);
        let message_ja = vrs_str::of(&t.message_ja);
        let message_en = vrs_str::of(&t.message_en);
        let view = vrs_diagnostic {
            code: vrs_str::of(&t.code),
            severity: d.severity.into(),
            line: d.line,
            field: d.field.unwrap_or(0),
            column: opt(&t.column),
            column_en: opt(&t.column_en),
            value: opt(&t.value),
            message: match report.lang {
                Lang::En => message_en,
                Lang::Ja => message_ja,
            },
            message_ja,
            message_en,
        };
        // SAFETY: `out` is not NULL and valid for a write of one `vrs_diagnostic`.
        unsafe { out.write(view) };
        VRS_OK
    }
}

/// Writes to `*out` a new buffer holding the report as JSON, the document
/// `vrs-conformance validate --format json` prints for one file (without its final newline):
/// keys `file`, `layout`, `layout_version`, `encoding`, `bom`, `rows`, `errors`, `warnings`,
/// `infos`, `truncated`, `diagnostics[]` and `summary[]`, messages in the report's language
/// (Japanese by default). Free the buffer with `vrs_bytes_free`.
///
/// Returns `VRS_OK` or `VRS_NULL_ARGUMENT`.
///
/// # Safety
/// `report` must be NULL or a live report; `out` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_report_json(
    report: *const vrs_report,
    out: *mut *mut vrs_bytes,
) -> vrs_status {
    ffi_fn! {
        require!(out);
        // SAFETY: the caller guarantees `report` is NULL or a live `vrs_report`.
        let report = non_null!(unsafe { report.as_ref() });
        let json = report.report.render_json(report.lang);
        // SAFETY: `out` is not NULL and valid for a pointer write (caller contract).
        unsafe { out.write(to_c(vrs_bytes::new(json.into_bytes()))) };
        VRS_OK
    }
}

/// Frees `report` (and every string borrowed from it). `vrs_report_free(NULL)` does nothing.
///
/// # Safety
/// `report` must be NULL or a pointer from this library that has not been freed yet; it must not
/// be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn vrs_report_free(report: *mut vrs_report) {
    ffi_fn! {
        if !report.is_null() {
            // SAFETY: `report` came from `Box::into_raw` in this library and is freed only once
            // (caller contract).
            drop(unsafe { Box::from_raw(report) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::validator::{
        vrs_validate_options, vrs_validator_feed, vrs_validator_finish, vrs_validator_free,
        vrs_validator_new, VRS_ENCODING_AUTO,
    };
    use crate::capi::{vrs_bytes_data, vrs_bytes_free, vrs_bytes_len, VRS_LANG_EN};
    use vrs_core::codec::{validate_bytes, ValidateOptions};
    use vrs_core::layout::{self, LayoutParams};

    const FILE: &str = "個人番号,宛名番号\r\n123456789018,1001\r\n123456789019,1002\r\n,1003\r\n";

    /// The JSON of `FILE` validated through the C functions.
    fn json_through_c(lang: vrs_lang, file_name: &str) -> String {
        let opts = vrs_validate_options {
            encoding: VRS_ENCODING_AUTO,
            lang,
            max_diagnostics: 0,
            as_of_yyyymmdd: 0,
            dose_blocks: 0,
            no_header: 0,
            tenant: std::ptr::null(),
            tenant_len: 0,
            file_name: file_name.as_ptr(),
            file_name_len: file_name.len(),
        };
        let id = "batch-inquiry-request";
        let mut v = std::ptr::null_mut();
        let mut r = std::ptr::null_mut();
        let mut json = std::ptr::null_mut();
        // SAFETY: every pointer is a live local or comes from the calls before; each handle is
        // freed once.
        unsafe {
            assert_eq!(
                vrs_validator_new(id.as_ptr(), id.len(), &opts, &mut v),
                VRS_OK
            );
            assert_eq!(vrs_validator_feed(v, FILE.as_ptr(), FILE.len()), VRS_OK);
            assert_eq!(vrs_validator_finish(v, &mut r), VRS_OK);
            assert_eq!(vrs_report_json(r, &mut json), VRS_OK);
            let bytes = std::slice::from_raw_parts(vrs_bytes_data(json), vrs_bytes_len(json));
            let text = String::from_utf8(bytes.to_vec()).expect("JSON is UTF-8");
            vrs_bytes_free(json);
            vrs_report_free(r);
            vrs_validator_free(v);
            text
        }
    }

    #[test]
    fn json_is_the_core_report_json() {
        let layout = layout::find("batch-inquiry-request", &LayoutParams::default()).unwrap();
        let mut expected = validate_bytes(FILE.as_bytes(), layout, ValidateOptions::default());
        expected.file = Some("upload.csv".to_owned());
        assert!(expected.errors >= 2);
        assert_eq!(
            json_through_c(VRS_LANG_JA, "upload.csv"),
            expected.to_json()
        );
        assert_eq!(
            json_through_c(VRS_LANG_EN, "upload.csv"),
            expected.render_json(Lang::En)
        );
    }
}
