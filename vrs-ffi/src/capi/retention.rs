//! Retention on a `vrs_registry`: provisions to the national immunization database
//! (予防接種等関連情報データベース), legal holds, the tenant's own minimum, the retention list and
//! the purge. The rule is the dated policy of `vrs_core::retention` (施行規則 第3条; from
//! 2026-02-01 附則第17条: COVID-19 records of 2021-02-17..2024-03-31 are kept until the later of
//! five years after death and their provision to the national database).
//!
//! Conventions as in `registry`: the registry, the principal, the arguments, the outputs, then
//! `vrs_error **out_error`; results as compact UTF-8 JSON in a `vrs_bytes`; dates as the number
//! `YYYYMMDD`. Nothing here ever holds a name or a My Number.

use vrs_core::id::AddresseeNumber;
use vrs_core::registry::{Principal, ProvisionSelection, Registry};

use super::bytes::vrs_bytes;
use super::error::{vrs_error, Failure};
use super::macros::ffi_fn;
use super::principal::vrs_principal;
use super::registry::{
    arg_addressee, arg_code, arg_date, arg_out, arg_ref, arg_text, give_json, give_opt, operate,
    vrs_registry,
};
use super::status::vrs_status;

/// Which doses a provision covered: one of the `VRS_PROVISION_*` numbers (a `uint32_t`; fixed
/// forever, 0 is never a kind).
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct vrs_provision_kind(pub u32);

/// Every dose of the tenant given on or before the provision day.
pub const VRS_PROVISION_ALL: vrs_provision_kind = vrs_provision_kind(1);
/// The doses of the subjects listed in `addressees`.
pub const VRS_PROVISION_SUBJECTS: vrs_provision_kind = vrs_provision_kind(2);
/// The doses given from `from_yyyymmdd` to `to_yyyymmdd` (both included).
pub const VRS_PROVISION_VACCINATED_BETWEEN: vrs_provision_kind = vrs_provision_kind(3);

/// The doses a provision covered, for `vrs_registry_record_national_db_provision` (NULL there:
/// all doses).
///
/// The struct may only grow in a new major version of the library.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vrs_provision_selection {
    /// `VRS_PROVISION_ALL`, `VRS_PROVISION_SUBJECTS` or `VRS_PROVISION_VACCINATED_BETWEEN`.
    pub kind: vrs_provision_kind,
    /// With `VRS_PROVISION_SUBJECTS`: addressee numbers as UTF-8, separated by newlines or
    /// commas (`"1001\n1002"`); NULL with length 0 otherwise.
    pub addressees: *const u8,
    /// Length of `addressees` in bytes.
    pub addressees_len: usize,
    /// With `VRS_PROVISION_VACCINATED_BETWEEN`: the first vaccination date, `YYYYMMDD`.
    pub from_yyyymmdd: u32,
    /// With `VRS_PROVISION_VACCINATED_BETWEEN`: the last vaccination date, `YYYYMMDD`.
    pub to_yyyymmdd: u32,
}

/// The core selection of a `vrs_provision_selection` (NULL: all).
///
/// # Safety
/// `sel` must be NULL or point to a readable `vrs_provision_selection` whose `addressees` is NULL
/// or valid for `addressees_len` bytes.
unsafe fn arg_selection(
    sel: *const vrs_provision_selection,
) -> Result<ProvisionSelection, Failure> {
    if sel.is_null() {
        return Ok(ProvisionSelection::All);
    }
    // SAFETY: not NULL, readable (caller contract).
    let s = unsafe { arg_ref("selection", sel) }?;
    match s.kind {
        VRS_PROVISION_ALL => Ok(ProvisionSelection::All),
        VRS_PROVISION_SUBJECTS => {
            // SAFETY: the caller guarantees `addressees` is NULL or valid for its length.
            let list = unsafe { arg_text("selection.addressees", s.addressees, s.addressees_len) }?;
            let numbers = list
                .split(['\n', ','])
                .map(|a| a.trim_end_matches('\r'))
                .filter(|a| !a.is_empty())
                .map(|a| {
                    AddresseeNumber::parse(a)
                        .map_err(|e| Failure::argument("selection.addressees", &e, e.message_ja()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ProvisionSelection::Subjects(numbers))
        }
        VRS_PROVISION_VACCINATED_BETWEEN => Ok(ProvisionSelection::VaccinatedBetween {
            from: arg_date("selection.from_yyyymmdd", s.from_yyyymmdd)?,
            to: arg_date("selection.to_yyyymmdd", s.to_yyyymmdd)?,
        }),
        _ => Err(Failure::argument(
            "selection.kind",
            "unknown provision kind number",
            "不明な提供範囲の番号です",
        )),
    }
}

/// Records that `tenant` provided doses to the national immunization database on
/// `provided_on_yyyymmdd`: every dose of `selection` (NULL: all) given on or before that day.
/// Recording again with a later day keeps the later day. Staff of the tenant only. Writes to
/// `*out_json`:
///
/// ```json
/// {"provided_on": "2026-06-01", "doses": 4, "unchanged": 0, "vouchers": 3}
/// ```
///
/// Returns `VRS_OK`; `VRS_RULE` (D02: a day after today); `VRS_INVALID_ARGUMENT` (a day before
/// the database accepted provisions, 2026-06-01 by default; a reversed range; a malformed date,
/// number or kind); `VRS_NOT_FOUND` (an unknown subject: nothing recorded); `VRS_FORBIDDEN`;
/// `VRS_UNKNOWN_TENANT`; `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`; key or store failures.
/// `*out_json` is written only on `VRS_OK`; details go to `*out_error` (when not NULL) on
/// failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant` must be NULL or valid for reads of
/// `tenant_len` bytes; `selection` as documented on `vrs_provision_selection`; `out_json` and
/// `out_error` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_record_national_db_provision(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    provided_on_yyyymmdd: u32,
    selection: *const vrs_provision_selection,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            arg_out("out_json", out_json)?;
            // SAFETY: the caller guarantees `tenant` is NULL or valid for its length.
            let tenant = unsafe { arg_code("tenant", tenant, tenant_len) }?;
            let on = arg_date("provided_on_yyyymmdd", provided_on_yyyymmdd)?;
            // SAFETY: the caller guarantees `selection` as documented.
            let selection = unsafe { arg_selection(selection) }?;
            let out = reg.record_national_db_provision(p, &tenant, on, &selection)?;
            // SAFETY: `out_json` is not NULL (checked above) and valid for a write.
            unsafe { give_json(out_json, &out) }
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Writes to `*out_json` the retention list of `tenant` on `as_of_yyyymmdd` (any day; a future
/// one plans ahead): the doses eligible for deletion under the policy in force that day, with the
/// rule and dates that decided them; those eligible by their dates but held; the kept ones
/// counted by reason; and what a purge that day would remove. Deletes nothing. Staff only.
///
/// ```json
/// {"tenant": "131016", "as_of": "2026-12-01", "policy_version": "2026-02-01",
///  "tenant_minimum_years": null,
///  "eligible": [{"addressee": "1001", "voucher_number": "0000012345", "dose": 1,
///                "vaccinated_on": "2021-06-10", "rule": "suppl-art17-covid",
///                "death_on": "2021-07-15", "provided_on": "2026-06-01",
///                "law_retain_through": "2026-07-15", "tenant_retain_through": null,
///                "eligible_from": "2026-07-16"}],
///  "held": [],
///  "kept": {"doses": 3, "waiting_for_death": 3, "waiting_for_provision": 0,
///           "within_period": 0, "tenant_minimum": 0, "legal_hold": 0, "no_rule": 0},
///  "would_remove": {"doses": 1, "vouchers": 1, "subjects": 1, "provision_log_entries": 0,
///                   "inquiry_log_entries": 0}}
/// ```
///
/// Returns `VRS_OK`; `VRS_FORBIDDEN`; `VRS_UNKNOWN_TENANT`; `VRS_INVALID_ARGUMENT`;
/// `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`; key or store failures. `*out_json` is written only
/// on `VRS_OK`; details go to `*out_error` (when not NULL) on failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant` must be NULL or valid for reads of
/// `tenant_len` bytes; `out_json` and `out_error` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_retention_list(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    as_of_yyyymmdd: u32,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            arg_out("out_json", out_json)?;
            // SAFETY: the caller guarantees `tenant` is NULL or valid for its length.
            let tenant = unsafe { arg_code("tenant", tenant, tenant_len) }?;
            let as_of = arg_date("as_of_yyyymmdd", as_of_yyyymmdd)?;
            let list = reg.retention_list(p, &tenant, as_of)?;
            // SAFETY: `out_json` is not NULL (checked above) and valid for a write.
            unsafe { give_json(out_json, &list) }
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Removes from `tenant` every dose eligible for deletion on `as_of_yyyymmdd`, which must be
/// today (the law in force on the day of deletion decides), except under a legal hold; then the
/// subjects left with no dose (vouchers, My Number index entry, provision records) and emptied
/// unlinked vouchers; and the provision- and inquiry-log entries answered more than the policy's
/// `log_years` (7) ago. Idempotent; audited with counts only; the store is checkpointed so the
/// removed bytes leave its files. Staff of the tenant only; nothing is ever deleted
/// automatically. Writes to `*out_json`:
///
/// ```json
/// {"doses": 2, "vouchers": 1, "subjects": 1, "my_number_index": 1, "awaiting": 0,
///  "provisions": 1, "provision_log_entries": 0, "inquiry_log_entries": 0,
///  "store_checkpointed": true}
/// ```
///
/// Returns `VRS_OK`; `VRS_INVALID_ARGUMENT` (not today, malformed); `VRS_FORBIDDEN`;
/// `VRS_UNKNOWN_TENANT`; `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`; key or store failures (nothing
/// removed). `*out_json` is written only on `VRS_OK`; details go to `*out_error` (when not NULL)
/// on failure.
///
/// # Safety
/// As for `vrs_registry_retention_list`.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_purge(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    as_of_yyyymmdd: u32,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            arg_out("out_json", out_json)?;
            // SAFETY: the caller guarantees `tenant` is NULL or valid for its length.
            let tenant = unsafe { arg_code("tenant", tenant, tenant_len) }?;
            let as_of = arg_date("as_of_yyyymmdd", as_of_yyyymmdd)?;
            let out = reg.purge(p, &tenant, as_of)?;
            // SAFETY: `out_json` is not NULL (checked above) and valid for a write.
            unsafe { give_json(out_json, &out) }
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Puts (`on` true) or lifts a legal hold on the subject with addressee number `addressee` in
/// `tenant`: a held subject is never purged. `*out_changed` (when not NULL) receives whether
/// anything changed. Staff of the tenant only.
///
/// Returns `VRS_OK`; `VRS_NOT_FOUND` (holding an unknown subject); `VRS_FORBIDDEN`;
/// `VRS_UNKNOWN_TENANT`; `VRS_INVALID_ARGUMENT`; `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`; key or
/// store failures. Details go to `*out_error` (when not NULL) on failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant` and `addressee` must be NULL or
/// valid for reads of their lengths; `out_changed` must be NULL or valid for a write of a `bool`;
/// `out_error` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_set_legal_hold(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    addressee: *const u8,
    addressee_len: usize,
    on: bool,
    out_changed: *mut bool,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            // SAFETY: the caller guarantees the texts are NULL or valid for their lengths.
            let (tenant, addressee) = unsafe {
                (
                    arg_code("tenant", tenant, tenant_len)?,
                    arg_addressee("addressee", addressee, addressee_len)?,
                )
            };
            let changed = reg.set_legal_hold(p, &tenant, &addressee, on)?;
            // SAFETY: `out_changed` is NULL or valid for a write (caller contract).
            unsafe { give_opt(out_changed, changed) };
            Ok(())
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Sets the tenant's own minimum retention period, `years` from the vaccination (1 to 200; 0
/// clears it). It only ever lengthens the law's period. Staff of the tenant only: how long a
/// municipality keeps its register is its own decision. Audited.
///
/// Returns `VRS_OK`; `VRS_INVALID_ARGUMENT` (over 200); `VRS_FORBIDDEN`; `VRS_UNKNOWN_TENANT`;
/// `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`; key or store failures. Details go to `*out_error`
/// (when not NULL) on failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant` must be NULL or valid for reads of
/// `tenant_len` bytes; `out_error` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_set_retention_minimum(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    years: u32,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            // SAFETY: the caller guarantees `tenant` is NULL or valid for its length.
            let tenant = unsafe { arg_code("tenant", tenant, tenant_len) }?;
            let years = match years {
                0 => None,
                y => Some(u16::try_from(y).map_err(|_| {
                    Failure::argument(
                        "years",
                        "a minimum retention period is 1 to 200 years",
                        "保存期間の下限は1～200年です",
                    )
                })?),
            };
            Ok(reg.set_retention_minimum(p, &tenant, years)?)
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}
