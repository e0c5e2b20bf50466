//! Inquiries on a move (転入時の接種記録照会), batch inquiries (一括照会) and the provision and
//! inquiry logs (情報提供等の記録) of `vrs_core::registry`, on a `vrs_registry`.
//!
//! The conventions are those of the other registry calls: the registry, the calling
//! principal, the arguments, the outputs, and last the optional `vrs_error **out_error`.
//! Results are compact UTF-8 JSON; files are the CSV's bytes. None holds a My Number: the one a
//! caller passes is only used for matching, and never appears in a result, a log or an error.

use vrs_core::id::MyNumber;
use vrs_core::registry::{
    BatchInquiryOptions, InquiryRequest, LegalBasis, LogKind, LogQuery, Principal, Registry,
};

use super::bytes::vrs_bytes;
use super::error::{vrs_error, Failure};
use super::macros::{ffi_fn, to_c};
use super::principal::vrs_principal;
use super::registry::{
    arg_code, arg_date, arg_export, arg_out, arg_ref, arg_text, give_json, give_opt, operate,
    vrs_export_options, vrs_registry,
};
use super::status::vrs_status;

/// The legal basis of an inquiry: one of the `VRS_LEGAL_BASIS_*` numbers (a `uint32_t`; fixed
/// forever, 0 is never a basis).
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct vrs_legal_basis(pub u32);

/// The person consented (with the consent form's reference and the identity verified under
/// My Number Act Art. 16).
pub const VRS_LEGAL_BASIS_CONSENT: vrs_legal_basis = vrs_legal_basis(1);
/// Consent is difficult to obtain (accepted for requests from 2021-12-15 by default).
pub const VRS_LEGAL_BASIS_CONSENT_DIFFICULT: vrs_legal_basis = vrs_legal_basis(2);

/// Which log of a municipality: one of the `VRS_LOG_*` numbers (a `uint32_t`; fixed forever).
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct vrs_log_kind(pub u32);

/// The provision log (情報提供): what the municipality provided to others' inquiries.
pub const VRS_LOG_PROVISION: vrs_log_kind = vrs_log_kind(1);
/// The inquiry log (情報照会): the municipality's own inquiries.
pub const VRS_LOG_INQUIRY: vrs_log_kind = vrs_log_kind(2);

/// One inquiry by the new municipality's staff about an incoming resident. Text fields are
/// `(pointer, length)` pairs of UTF-8.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vrs_inquiry_request {
    /// The municipality code the person moved from; NULL (length 0): ask every other
    /// municipality.
    pub former: *const u8,
    /// Length of `former` in bytes.
    pub former_len: usize,
    /// The person's My Number (12 digits).
    pub my_number: *const u8,
    /// Length of `my_number` in bytes.
    pub my_number_len: usize,
    /// `VRS_LEGAL_BASIS_CONSENT` or `VRS_LEGAL_BASIS_CONSENT_DIFFICULT`.
    pub legal_basis: vrs_legal_basis,
    /// With consent: the consent form's reference (1-30 characters, not a My Number); ignored
    /// otherwise.
    pub form_ref: *const u8,
    /// Length of `form_ref` in bytes.
    pub form_ref_len: usize,
    /// Nonzero: the person's identity was verified (required with consent).
    pub identity_verified: u8,
    /// The requester's own reference for the person (e.g. its addressee number; never the My
    /// Number), kept in its inquiry log.
    pub reference: *const u8,
    /// Length of `reference` in bytes.
    pub reference_len: usize,
}

/// Options of `vrs_registry_batch_inquire`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vrs_batch_inquiry_options {
    /// `VRS_LEGAL_BASIS_CONSENT` or `VRS_LEGAL_BASIS_CONSENT_DIFFICULT`, for every row.
    pub legal_basis: vrs_legal_basis,
    /// With consent: the consent form's reference; ignored otherwise.
    pub form_ref: *const u8,
    /// Length of `form_ref` in bytes.
    pub form_ref_len: usize,
    /// Nonzero: every person's identity was verified (required with consent).
    pub identity_verified: u8,
    /// Encoding, BOM and header of the result file (zero: UTF-8 with a header).
    pub result: vrs_export_options,
}

/// What to look for in a log; every condition given must hold. A zero-initialised struct (or
/// NULL) lists every entry.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vrs_log_query {
    /// Entries about the person with this My Number; NULL (length 0): anyone.
    pub subject: *const u8,
    /// Length of `subject` in bytes.
    pub subject_len: usize,
    /// Entries by this staff user ID of the requesting municipality; NULL (length 0): anyone.
    pub user: *const u8,
    /// Length of `user` in bytes.
    pub user_len: usize,
    /// Answered on or after this date, the number `YYYYMMDD`; 0: no lower bound.
    pub from_yyyymmdd: u32,
    /// Answered on or before this date; 0: no upper bound.
    pub to_yyyymmdd: u32,
}

/// A My Number argument: the failure names the problem, never the value.
///
/// # Safety
/// As `arg_text`.
unsafe fn arg_my_number(what: &str, data: *const u8, len: usize) -> Result<MyNumber, Failure> {
    // SAFETY: forwarded caller contract.
    let s = unsafe { arg_text(what, data, len) }?;
    MyNumber::parse(s).map_err(|e| Failure::argument(what, &e, e.message_ja()))
}

/// The legal basis of `basis` with its form reference.
///
/// # Safety
/// `form_ref` must be NULL or valid for reads of `form_ref_len` bytes.
unsafe fn arg_basis(
    what: &str,
    basis: vrs_legal_basis,
    form_ref: *const u8,
    form_ref_len: usize,
) -> Result<LegalBasis, Failure> {
    match basis {
        VRS_LEGAL_BASIS_CONSENT => {
            // SAFETY: forwarded caller contract.
            let f = unsafe { arg_text("form_ref", form_ref, form_ref_len) }?;
            Ok(LegalBasis::Consent {
                form_ref: f.to_owned(),
            })
        }
        VRS_LEGAL_BASIS_CONSENT_DIFFICULT => Ok(LegalBasis::ConsentDifficult),
        _ => Err(Failure::argument(
            what,
            "unknown legal basis number",
            "不明な根拠の番号です",
        )),
    }
}

/// The core request of a `vrs_inquiry_request`.
///
/// # Safety
/// `request` must be NULL or point to a readable request whose text pointers satisfy their
/// field docs.
unsafe fn arg_request(request: *const vrs_inquiry_request) -> Result<InquiryRequest, Failure> {
    // SAFETY: forwarded caller contract.
    let r = unsafe { arg_ref("request", request) }?;
    let former = if r.former.is_null() && r.former_len == 0 {
        None
    } else {
        // SAFETY: the caller guarantees `former` is valid for `former_len` bytes.
        Some(unsafe { arg_code("request.former", r.former, r.former_len) }?)
    };
    // SAFETY: the caller guarantees each text pointer is NULL or valid for its length.
    let (my_number, legal_basis, reference) = unsafe {
        (
            arg_my_number("request.my_number", r.my_number, r.my_number_len)?,
            arg_basis(
                "request.legal_basis",
                r.legal_basis,
                r.form_ref,
                r.form_ref_len,
            )?,
            arg_text("request.reference", r.reference, r.reference_len)?,
        )
    };
    Ok(InquiryRequest {
        former,
        my_number,
        legal_basis,
        identity_verified: r.identity_verified != 0,
        reference: reference.to_owned(),
    })
}

/// The core query of a `vrs_log_query` (NULL: everything).
///
/// # Safety
/// `query` must be NULL or point to a readable query whose text pointers satisfy their docs.
unsafe fn arg_query(query: *const vrs_log_query) -> Result<LogQuery, Failure> {
    // SAFETY: forwarded caller contract.
    let Some(q) = (unsafe { query.as_ref() }) else {
        return Ok(LogQuery::default());
    };
    let mut out = LogQuery::default();
    if !(q.subject.is_null() && q.subject_len == 0) {
        // SAFETY: the caller guarantees `subject` is valid for `subject_len` bytes.
        out.subject = Some(unsafe { arg_my_number("query.subject", q.subject, q.subject_len) }?);
    }
    if !(q.user.is_null() && q.user_len == 0) {
        // SAFETY: the caller guarantees `user` is valid for `user_len` bytes.
        out.user = Some(unsafe { arg_text("query.user", q.user, q.user_len) }?.to_owned());
    }
    if q.from_yyyymmdd != 0 {
        out.from = Some(arg_date("query.from_yyyymmdd", q.from_yyyymmdd)?);
    }
    if q.to_yyyymmdd != 0 {
        out.to = Some(arg_date("query.to_yyyymmdd", q.to_yyyymmdd)?);
    }
    Ok(out)
}

fn arg_log_kind(kind: vrs_log_kind) -> Result<LogKind, Failure> {
    match kind {
        VRS_LOG_PROVISION => Ok(LogKind::Provision),
        VRS_LOG_INQUIRY => Ok(LogKind::Inquiry),
        _ => Err(Failure::argument(
            "kind",
            "unknown log number",
            "不明な記録の番号です",
        )),
    }
}

/// Asks, as staff of the new municipality, which doses other municipalities recorded for the
/// incoming resident of `request` (転入時の接種記録照会), and writes the answer to `*out_json`:
///
/// ```json
/// {"outcome": "match",
///  "providers": [{"provider": "131016",
///                 "doses": [{"dose": 1, "vaccinated_on": "2021-05-10",
///                            "voucher_number": "0000012345", "municipality_code": "131016",
///                            "venue": "区民会館", "doctor": "山田一郎",
///                            "manufacturer": "ファイザー", "lot": "FA5765"}]}]}
/// ```
///
/// One entry per municipality holding dose records of the person (the named former one only,
/// when given). A no-match is always exactly `{"outcome":"no-match","providers":[]}`, whatever
/// the reason (wrong former code, never lived there, records gone, not a tenant at all). The
/// legal basis must be accepted on the registry's day (by default consent only before
/// 2021-12-15); consent needs `identity_verified`. Staff only, never about their own
/// municipality. Writes an entry in each provider's provision log and one in the requester's
/// inquiry log.
///
/// Returns `VRS_OK`; `VRS_FORBIDDEN` (not staff, own municipality named, basis not accepted on
/// the day, identity not verified); `VRS_INVALID_ARGUMENT` (a malformed My Number, code,
/// reference or form reference, or one that looks like a My Number; an unknown basis number);
/// `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`; key or store failures. `*out_json` (free it with
/// `vrs_bytes_free`) is written only on `VRS_OK`; details go to `*out_error` (when not NULL) on
/// failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `request` must be NULL or point to a
/// readable `vrs_inquiry_request` whose text pointers satisfy their field docs; `out_json` and
/// `out_error` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_inquire(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    request: *const vrs_inquiry_request,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            arg_out("out_json", out_json)?;
            // SAFETY: the caller guarantees `request` is NULL or a readable request.
            let request = unsafe { arg_request(request) }?;
            let outcome = reg.inquire(p, &request)?;
            // SAFETY: `out_json` is not NULL (checked above) and valid for a write.
            unsafe { give_json(out_json, &outcome) }
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Answers a batch-inquiry request file (一括照会; layout `batch-inquiry-request`: My Number and
/// addressee number per row, or its version 2 with the former municipality per row; UTF-8 or
/// CP932, `file_len` bytes) uploaded by staff of the new municipality. The file is validated
/// first; rows with problems are listed and not asked; every other row is asked of every other
/// municipality (or of its former one) and logged like `vrs_registry_inquire`, all in one
/// transaction. The result file (layout `batch-inquiry-result`: addressee number, 一致 or
/// 該当なし, the providing municipality, dose blocks; one row per provider; never a My Number)
/// goes to `*out_result`, and the outcome to `*out_json`:
///
/// ```json
/// {"batch_id": "3f...", "rows": 6, "answered": 3, "matched": 2, "no_match": 1,
///  "rejected": 3, "rejected_rows": [{"line": 4, "code": "N01", "message_en": "...",
///  "message_ja": "..."}], "result_rows": 4, "validation": {...the report...}}
/// ```
///
/// Returns `VRS_OK`; `VRS_FORBIDDEN` (as for `vrs_registry_inquire`); `VRS_EXPORT` (the result
/// cannot be encoded, e.g. a venue name outside CP932: nothing was logged);
/// `VRS_INVALID_ARGUMENT`; `VRS_NULL_ARGUMENT`; key or store failures. `*out_result` and
/// `*out_json` (free them with `vrs_bytes_free`) are written only on `VRS_OK`; details go to
/// `*out_error` (when not NULL) on failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `file` must be NULL or valid for reads
/// of `file_len` bytes; `opts` must be NULL or point to readable options whose `form_ref`
/// satisfies its doc; `out_result`, `out_json` and `out_error` must be NULL or valid for a
/// write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_batch_inquire(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    file: *const u8,
    file_len: usize,
    opts: *const vrs_batch_inquiry_options,
    out_result: *mut *mut vrs_bytes,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            arg_out("out_result", out_result)?;
            arg_out("out_json", out_json)?;
            // SAFETY: the caller guarantees `file` is NULL or valid for `file_len` bytes.
            let file = unsafe { super::registry::arg_bytes("file", file, file_len) }?;
            // SAFETY: the caller guarantees `opts` is NULL or readable options.
            let o = unsafe { arg_ref("opts", opts) }?;
            // SAFETY: the caller guarantees `form_ref` is NULL or valid for its length.
            let basis = unsafe { arg_basis("opts.legal_basis", o.legal_basis, o.form_ref, o.form_ref_len) }?;
            let mut options = BatchInquiryOptions::new(basis);
            options.identity_verified = o.identity_verified != 0;
            // SAFETY: `o.result` is a readable value inside the options.
            options.write = unsafe { arg_export(&o.result) }?;
            let mut result = Vec::new();
            let outcome = reg.batch_inquire(p, file, &options, &mut result)?;
            // SAFETY: `out_json` is not NULL (checked above) and valid for a write.
            unsafe { give_json(out_json, &outcome) }?;
            // SAFETY: `out_result` is not NULL (checked above) and valid for a write.
            unsafe { out_result.write(to_c(vrs_bytes::new(result))) };
            Ok(())
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// The body of both log readers.
///
/// # Safety
/// As the exported log readers.
#[allow(clippy::too_many_arguments)]
unsafe fn read_log(
    kind: LogKind,
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    query: *const vrs_log_query,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
        arg_out("out_json", out_json)?;
        // SAFETY: the caller guarantees `tenant` is NULL or valid for its length.
        let tenant = unsafe { arg_code("tenant", tenant, tenant_len) }?;
        // SAFETY: the caller guarantees `query` is NULL or a readable query.
        let query = unsafe { arg_query(query) }?;
        let entries = match kind {
            LogKind::Provision => reg.provision_log(p, &tenant, &query)?,
            LogKind::Inquiry => reg.inquiry_log(p, &tenant, &query)?,
        };
        // SAFETY: `out_json` is not NULL (checked above) and valid for a write.
        unsafe { give_json(out_json, &entries) }
    };
    // SAFETY: forwarded caller contract.
    unsafe { operate(registry, who, out_error, op) }
}

/// Writes to `*out_json` the entries of `tenant`'s provision log (情報提供等の記録: what it
/// provided to other municipalities' inquiries) matching `query` (NULL: all), as a JSON array:
///
/// ```json
/// [{"seq": 1, "log": "provision", "requester": "131032", "provider": "131016",
///   "providers": ["131016"], "requested_at": "2022-03-01T09:00:00",
///   "provided_at": "2022-03-01T09:00:00", "legal_basis": "consent-difficult",
///   "form_ref": null, "identity_verified": false, "reference": null,
///   "items": ["vaccinated_on", "dose", "voucher_number", "municipality_code", "venue",
///             "doctor", "manufacturer", "lot"],
///   "provided": true, "doses": 2, "batch": null,
///   "subject": "<32 hex digits: this municipality's pseudonym of the person>",
///   "user": "<32 hex digits: the requesting staff user's pseudonym>", "prev": "<hash>"}]
/// ```
///
/// Staff of the tenant only. Returns `VRS_OK`; `VRS_FORBIDDEN`; `VRS_UNKNOWN_TENANT`;
/// `VRS_INVALID_ARGUMENT` (a malformed code, My Number or date); `VRS_INVALID_UTF8`;
/// `VRS_NULL_ARGUMENT`; key or store failures. `*out_json` is written only on `VRS_OK`; details
/// go to `*out_error` (when not NULL) on failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant` must be NULL or valid for reads
/// of `tenant_len` bytes; `query` must be NULL or point to a readable `vrs_log_query` whose text
/// pointers satisfy their docs; `out_json` and `out_error` must be NULL or valid for a write of
/// a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_provision_log(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    query: *const vrs_log_query,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        // SAFETY: forwarded caller contract.
        unsafe {
            read_log(LogKind::Provision, registry, who, tenant, tenant_len, query, out_json,
                out_error)
        }
    }
}

/// Writes to `*out_json` the entries of `tenant`'s inquiry log (its own inquiries) matching
/// `query`, in the format of `vrs_registry_provision_log` (`"log": "inquiry"`, `provider` the
/// former municipality asked or `null` for every municipality, `reference` the requester's
/// own reference). Staff of the tenant only; statuses as `vrs_registry_provision_log`.
///
/// # Safety
/// As `vrs_registry_provision_log`.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_inquiry_log(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    query: *const vrs_log_query,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        // SAFETY: forwarded caller contract.
        unsafe {
            read_log(LogKind::Inquiry, registry, who, tenant, tenant_len, query, out_json,
                out_error)
        }
    }
}

/// Writes the entries of `tenant`'s log `kind` (`VRS_LOG_PROVISION` or `VRS_LOG_INQUIRY`)
/// matching `query` (NULL: all) to `*out` as a `provision-log` download (情報提供等の記録: CRLF,
/// header of Japanese column names; no My Number, no name). The number of data rows goes to
/// `*out_rows` (NULL to ignore). `opts` may be NULL for UTF-8 with a header. Staff of the tenant
/// only.
///
/// Returns `VRS_OK`; `VRS_EXPORT`; `VRS_FORBIDDEN`; `VRS_UNKNOWN_TENANT`;
/// `VRS_INVALID_ARGUMENT`; `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`; key or store failures.
/// `*out` and `*out_rows` are written only on `VRS_OK`; details go to `*out_error` (when not
/// NULL) on failure.
///
/// # Safety
/// As `vrs_registry_provision_log`; `opts` must be NULL or point to a readable
/// `vrs_export_options`; `out_rows` must be NULL or valid for a write of a `uint64_t`.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_export_log(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    kind: vrs_log_kind,
    query: *const vrs_log_query,
    opts: *const vrs_export_options,
    out: *mut *mut vrs_bytes,
    out_rows: *mut u64,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            arg_out("out", out)?;
            // SAFETY: the caller guarantees `tenant` is NULL or valid for its length.
            let tenant = unsafe { arg_code("tenant", tenant, tenant_len) }?;
            let kind = arg_log_kind(kind)?;
            // SAFETY: the caller guarantees `query` and `opts` are NULL or readable.
            let (query, options) = unsafe { (arg_query(query)?, arg_export(opts)?) };
            let mut file = Vec::new();
            let rows = reg.export_log(p, &tenant, kind, &query, &mut file, options)?;
            // SAFETY: `out` is not NULL (checked above); `out_rows` is NULL or valid for a
            // write (caller contract).
            unsafe {
                out.write(to_c(vrs_bytes::new(file)));
                give_opt(out_rows, rows);
            }
            Ok(())
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Checks `tenant`'s provision and inquiry logs from their first entries to their MACed heads
/// and writes to `*out_ok` whether both are intact; `*out_json` (NULL to skip) receives one
/// verification per log, as `vrs_registry_verify_audit` gives one (chains named
/// `"<code>/provision"` and `"<code>/inquiry"`). Staff of the tenant, or the operator.
///
/// Returns `VRS_OK` (also when a log is damaged: see `*out_ok`); `VRS_FORBIDDEN`;
/// `VRS_UNKNOWN_TENANT`; `VRS_INVALID_ARGUMENT`; `VRS_NULL_ARGUMENT`; key or store failures.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant` must be NULL or valid for reads
/// of `tenant_len` bytes; `out_ok` must be NULL or valid for a write of a `bool`; `out_json`
/// and `out_error` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_verify_logs(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    out_ok: *mut bool,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            arg_out("out_ok", out_ok)?;
            // SAFETY: the caller guarantees `tenant` is NULL or valid for its length.
            let tenant = unsafe { arg_code("tenant", tenant, tenant_len) }?;
            let checks = reg.verify_logs(p, &tenant)?;
            if !out_json.is_null() {
                // SAFETY: `out_json` is not NULL and valid for a write (caller contract).
                unsafe { give_json(out_json, &checks) }?;
            }
            // SAFETY: `out_ok` is not NULL (checked above) and valid for a write.
            unsafe { out_ok.write(checks.iter().all(|c| c.ok)) };
            Ok(())
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Rebuilds the registry-wide inquiry index from every tenant's subjects (stores written before
/// it existed, or after a repair) and writes the number of entries to `*out_entries` (NULL to
/// ignore). Operator only; the operator sees only the count.
///
/// Returns `VRS_OK`; `VRS_FORBIDDEN`; `VRS_NULL_ARGUMENT`; key or store failures.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `out_entries` must be NULL or valid for a
/// write of a `uint64_t`; `out_error` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_rebuild_inquiry_index(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    out_entries: *mut u64,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            let n = reg.rebuild_inquiry_index(p)?;
            // SAFETY: `out_entries` is NULL or valid for a write (caller contract).
            unsafe { give_opt(out_entries, n) };
            Ok(())
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::error::{vrs_error_describe, vrs_error_free, vrs_error_info};
    use crate::capi::principal::{
        vrs_principal_free, vrs_principal_operator_new, vrs_principal_staff_new,
    };
    use crate::capi::registry::{
        vrs_dose_input, vrs_registry_create_tenant, vrs_registry_free,
        vrs_registry_import_subjects, vrs_registry_open_memory, vrs_registry_options,
        vrs_registry_record_dose, vrs_registry_register_staff, VRS_IMPORT_STRICT,
    };
    use crate::capi::status::{VRS_FORBIDDEN, VRS_INVALID_ARGUMENT, VRS_OK};
    use crate::capi::{vrs_bytes_data, vrs_bytes_free, vrs_bytes_len};

    fn take(bytes: *mut vrs_bytes) -> String {
        // SAFETY: a live handle from this library.
        unsafe {
            let data = std::slice::from_raw_parts(vrs_bytes_data(bytes), vrs_bytes_len(bytes));
            let text = String::from_utf8(data.to_vec()).unwrap();
            vrs_bytes_free(bytes);
            text
        }
    }

    fn take_error(e: *mut vrs_error) -> (vrs_status, String, String) {
        let mut info = std::mem::MaybeUninit::<vrs_error_info>::uninit();
        // SAFETY: a live error from this library.
        unsafe {
            assert_eq!(vrs_error_describe(e, info.as_mut_ptr()), VRS_OK);
            let info = info.assume_init();
            let s = |v: crate::capi::vrs_str| {
                String::from_utf8(std::slice::from_raw_parts(v.data.cast::<u8>(), v.len).to_vec())
                    .unwrap()
            };
            let out = (info.status, s(info.code), s(info.message_en));
            vrs_error_free(e);
            out
        }
    }

    fn staff(t: &[u8]) -> *mut vrs_principal {
        let mut p = std::ptr::null_mut();
        // SAFETY: valid inputs and output.
        let status = unsafe { vrs_principal_staff_new(t.as_ptr(), 6, b"u1".as_ptr(), 2, &mut p) };
        assert_eq!(status, VRS_OK);
        p
    }

    #[test]
    fn an_inquiry_a_batch_and_the_logs_through_the_c_functions() {
        let opts = vrs_registry_options {
            fixed_time_yyyymmddhhmmss: 20220301090000,
            ..Default::default()
        };
        let (a, b) = (b"131016", b"131032");
        let mut reg = std::ptr::null_mut();
        let mut err = std::ptr::null_mut();
        let mut json = std::ptr::null_mut();
        // SAFETY: every pointer below is valid for the call.
        unsafe {
            assert_eq!(
                vrs_registry_open_memory([9u8; 32].as_ptr(), 32, &opts, &mut reg, &mut err),
                VRS_OK
            );
            let mut operator = std::ptr::null_mut();
            assert_eq!(vrs_principal_operator_new(&mut operator), VRS_OK);
            for t in [a, b] {
                assert_eq!(
                    vrs_registry_create_tenant(reg, operator, t.as_ptr(), 6, &mut err),
                    VRS_OK
                );
                assert_eq!(
                    vrs_registry_register_staff(
                        reg,
                        operator,
                        t.as_ptr(),
                        6,
                        b"u1".as_ptr(),
                        2,
                        &mut err
                    ),
                    VRS_OK
                );
            }
            let (sa, sb) = (staff(a), staff(b));
            let file = "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n\
                131016,1001,123456789018,0000012345,千代田 花子,チヨダ ハナコ,19800101,2,20210501\r\n";
            assert_eq!(
                vrs_registry_import_subjects(
                    reg,
                    sa,
                    a.as_ptr(),
                    6,
                    file.as_ptr(),
                    file.len(),
                    VRS_IMPORT_STRICT,
                    &mut json,
                    &mut err
                ),
                VRS_OK
            );
            vrs_bytes_free(json);
            let dose = vrs_dose_input {
                vaccinated_on_yyyymmdd: 20210601,
                manufacturer: "ファイザー".as_ptr(),
                manufacturer_len: "ファイザー".len(),
                lot: b"FA5765".as_ptr(),
                lot_len: 6,
                venue: "区民会館".as_ptr(),
                venue_len: "区民会館".len(),
                doctor: "山田一郎".as_ptr(),
                doctor_len: "山田一郎".len(),
            };
            assert_eq!(
                vrs_registry_record_dose(
                    reg,
                    sa,
                    a.as_ptr(),
                    6,
                    b"0000012345".as_ptr(),
                    10,
                    1,
                    &dose,
                    &mut json,
                    &mut err
                ),
                VRS_OK
            );
            vrs_bytes_free(json);
            let mn = b"123456789018";
            let mut request = vrs_inquiry_request {
                former: a.as_ptr(),
                former_len: 6,
                my_number: mn.as_ptr(),
                my_number_len: 12,
                legal_basis: VRS_LEGAL_BASIS_CONSENT_DIFFICULT,
                form_ref: std::ptr::null(),
                form_ref_len: 0,
                identity_verified: 0,
                reference: b"M-1".as_ptr(),
                reference_len: 3,
            };
            assert_eq!(
                vrs_registry_inquire(reg, sb, &request, &mut json, &mut err),
                VRS_OK
            );
            let answer = take(json);
            assert!(answer.starts_with(r#"{"outcome":"match","providers":[{"provider":"131016","doses":[{"dose":1,"vaccinated_on":"2021-06-01""#), "{answer}");
            assert!(!answer.contains("123456789018") && !answer.contains("千代田"));
            request.former = std::ptr::null();
            request.former_len = 0;
            request.my_number = b"234567890121".as_ptr();
            assert_eq!(
                vrs_registry_inquire(reg, sb, &request, &mut json, &mut err),
                VRS_OK
            );
            assert_eq!(take(json), r#"{"outcome":"no-match","providers":[]}"#);
            // Own municipality: refused; a malformed number never shows in the error.
            request.former = a.as_ptr();
            request.former_len = 6;
            assert_eq!(
                vrs_registry_inquire(reg, sa, &request, &mut json, &mut err),
                VRS_FORBIDDEN
            );
            assert_eq!(take_error(err).1, "forbidden");
            request.my_number = b"123456789019".as_ptr();
            assert_eq!(
                vrs_registry_inquire(reg, sb, &request, &mut json, &mut err),
                VRS_INVALID_ARGUMENT
            );
            let (_, _, message) = take_error(err);
            assert!(!message.contains("123456789019"), "{message}");
            request.legal_basis = vrs_legal_basis(9);
            request.my_number = mn.as_ptr();
            assert_eq!(
                vrs_registry_inquire(reg, sb, &request, &mut json, &mut err),
                VRS_INVALID_ARGUMENT
            );
            vrs_error_free(err);

            // A batch.
            let batch = "個人番号,宛名番号\r\n123456789018,5001\r\n234567890121,5002\r\n";
            let options = vrs_batch_inquiry_options {
                legal_basis: VRS_LEGAL_BASIS_CONSENT_DIFFICULT,
                form_ref: std::ptr::null(),
                form_ref_len: 0,
                identity_verified: 0,
                result: vrs_export_options {
                    encoding: crate::capi::VRS_ENCODING_AUTO,
                    bom: 0,
                    no_header: 1,
                },
            };
            let mut result = std::ptr::null_mut();
            assert_eq!(
                vrs_registry_batch_inquire(
                    reg,
                    sb,
                    batch.as_ptr(),
                    batch.len(),
                    &options,
                    &mut result,
                    &mut json,
                    &mut err
                ),
                VRS_OK
            );
            let outcome: serde_json::Value = serde_json::from_str(&take(json)).unwrap();
            assert_eq!(
                (outcome["answered"].as_u64(), outcome["matched"].as_u64()),
                (Some(2), Some(1))
            );
            let csv = take(result);
            assert!(
                csv.starts_with("5001,一致,131016,20210601,0000012345,131016,"),
                "{csv}"
            );
            assert!(csv.contains("\r\n5002,該当なし,"));

            // The logs.
            let query = vrs_log_query {
                subject: mn.as_ptr(),
                subject_len: 12,
                user: std::ptr::null(),
                user_len: 0,
                from_yyyymmdd: 0,
                to_yyyymmdd: 0,
            };
            assert_eq!(
                vrs_registry_provision_log(reg, sa, a.as_ptr(), 6, &query, &mut json, &mut err),
                VRS_OK
            );
            let entries: serde_json::Value = serde_json::from_str(&take(json)).unwrap();
            assert_eq!(entries.as_array().unwrap().len(), 2);
            assert_eq!(
                vrs_registry_inquiry_log(
                    reg,
                    sb,
                    b.as_ptr(),
                    6,
                    std::ptr::null(),
                    &mut json,
                    &mut err
                ),
                VRS_OK
            );
            let entries: serde_json::Value = serde_json::from_str(&take(json)).unwrap();
            assert_eq!(entries.as_array().unwrap().len(), 4);
            assert_eq!(
                vrs_registry_provision_log(
                    reg,
                    sb,
                    a.as_ptr(),
                    6,
                    std::ptr::null(),
                    &mut json,
                    &mut err
                ),
                VRS_FORBIDDEN
            );
            vrs_error_free(err);
            let mut out = std::ptr::null_mut();
            let mut rows = 0u64;
            assert_eq!(
                vrs_registry_export_log(
                    reg,
                    sa,
                    a.as_ptr(),
                    6,
                    VRS_LOG_PROVISION,
                    std::ptr::null(),
                    std::ptr::null(),
                    &mut out,
                    &mut rows,
                    &mut err
                ),
                VRS_OK
            );
            assert_eq!(rows, 2);
            let csv = take(out);
            assert!(csv.starts_with("連番,記録種別,") && !csv.contains("123456789018"));
            assert_eq!(
                vrs_registry_export_log(
                    reg,
                    sa,
                    a.as_ptr(),
                    6,
                    vrs_log_kind(7),
                    std::ptr::null(),
                    std::ptr::null(),
                    &mut out,
                    &mut rows,
                    &mut err
                ),
                VRS_INVALID_ARGUMENT
            );
            vrs_error_free(err);
            let mut ok = false;
            assert_eq!(
                vrs_registry_verify_logs(
                    reg,
                    operator,
                    a.as_ptr(),
                    6,
                    &mut ok,
                    std::ptr::null_mut(),
                    &mut err
                ),
                VRS_OK
            );
            assert!(ok);
            let mut entries = 0u64;
            assert_eq!(
                vrs_registry_rebuild_inquiry_index(reg, operator, &mut entries, &mut err),
                VRS_OK
            );
            assert_eq!(entries, 1);
            assert_eq!(
                vrs_registry_rebuild_inquiry_index(reg, sa, &mut entries, &mut err),
                VRS_FORBIDDEN
            );
            vrs_error_free(err);
            for p in [operator, sa, sb] {
                vrs_principal_free(p);
            }
            vrs_registry_free(reg);
        }
    }
}
