//! `vrs_principal`: who calls a registry operation. The host authenticates the person or device
//! and then makes the matching principal; the registry checks what each principal may do.

use vrs_core::id::MunicipalityCode;
use vrs_core::registry::Principal;

use super::macros::{ffi_fn, require, text, to_c, tri};
use super::status::{vrs_status, VRS_INVALID_ARGUMENT, VRS_OK};

/// The caller of a registry operation: municipal staff, a venue tablet, a prefecture or national
/// viewer, or the operator. Make one with a `vrs_principal_*_new` function, pass it to any number
/// of registry calls (also from several threads: it never changes), free it with
/// `vrs_principal_free`. It does not depend on a registry.
///
/// | role | may |
/// |---|---|
/// | staff (own municipality, user ID registered by the operator) | import, vouchers, doses, flags, read a subject, exports, own statistics, own audit log |
/// | venue tablet (own municipality) | record doses by OCR line (sees only the confirmation) |
/// | prefecture / national viewer | statistics of its prefecture / of all municipalities |
/// | operator | tenants, staff user IDs and quotas, audit logs, store verification; no personal data |
#[derive(Debug, Clone)]
pub struct vrs_principal {
    pub(crate) principal: Principal,
}

/// Writes a new principal to `*out` (only on success).
///
/// # Safety
/// `out` must be valid for a pointer write.
unsafe fn give(principal: Principal, out: *mut *mut vrs_principal) -> vrs_status {
    // SAFETY: the caller checked `out` is not NULL and guarantees it is valid for a write.
    unsafe { out.write(to_c(vrs_principal { principal })) };
    VRS_OK
}

/// The municipality code at `(tenant, len)`.
///
/// # Safety
/// `tenant` must be NULL or valid for reads of `len` bytes.
unsafe fn municipality(tenant: *const u8, len: usize) -> Result<MunicipalityCode, vrs_status> {
    // SAFETY: forwarded caller contract.
    let code = unsafe { text(tenant, len) }?;
    MunicipalityCode::parse(code).map_err(|_| VRS_INVALID_ARGUMENT)
}

/// Makes a municipal staff member of `tenant` (a municipality code, `tenant_len` bytes) with
/// login ID `user_id` (`user_id_len` bytes of UTF-8), and writes it to `*out`. The ID must have
/// been registered for the tenant (`vrs_registry_register_staff`) before it can act.
///
/// Returns `VRS_OK`; `VRS_INVALID_ARGUMENT` for an invalid municipality code or an empty user
/// ID; `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`.
///
/// # Safety
/// `tenant` and `user_id` must be NULL or valid for reads of their lengths; `out` must be NULL
/// or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_principal_staff_new(
    tenant: *const u8,
    tenant_len: usize,
    user_id: *const u8,
    user_id_len: usize,
    out: *mut *mut vrs_principal,
) -> vrs_status {
    ffi_fn! {
        require!(out);
        // SAFETY: the caller guarantees `tenant` is NULL or valid for `tenant_len` bytes.
        let tenant = tri!(unsafe { municipality(tenant, tenant_len) });
        // SAFETY: the caller guarantees `user_id` is NULL or valid for `user_id_len` bytes.
        let user_id = tri!(unsafe { text(user_id, user_id_len) });
        if user_id.is_empty() {
            return VRS_INVALID_ARGUMENT;
        }
        let principal = Principal::MunicipalStaff { tenant, user_id: user_id.to_owned() };
        // SAFETY: `out` is not NULL and valid for a pointer write (caller contract).
        unsafe { give(principal, out) }
    }
}

/// Makes a vaccination venue's tablet issued by `tenant` (a municipality code) and writes it to
/// `*out`. A tablet may only record doses by OCR line on its municipality's vouchers.
///
/// Returns `VRS_OK`, `VRS_INVALID_ARGUMENT` (invalid code), `VRS_INVALID_UTF8` or
/// `VRS_NULL_ARGUMENT`.
///
/// # Safety
/// `tenant` must be NULL or valid for reads of `tenant_len` bytes; `out` must be NULL or valid
/// for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_principal_venue_new(
    tenant: *const u8,
    tenant_len: usize,
    out: *mut *mut vrs_principal,
) -> vrs_status {
    ffi_fn! {
        require!(out);
        // SAFETY: the caller guarantees `tenant` is NULL or valid for `tenant_len` bytes.
        let tenant = tri!(unsafe { municipality(tenant, tenant_len) });
        // SAFETY: `out` is not NULL and valid for a pointer write (caller contract).
        unsafe { give(Principal::VenueTablet { tenant }, out) }
    }
}

/// Makes a prefecture's viewer (statistics of its own municipalities only) for prefecture number
/// `prefecture` (1 Hokkaido .. 47 Okinawa) and writes it to `*out`.
///
/// Returns `VRS_OK`, `VRS_INVALID_ARGUMENT` (not 1..=47) or `VRS_NULL_ARGUMENT`.
///
/// # Safety
/// `out` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_principal_prefecture_new(
    prefecture: u8,
    out: *mut *mut vrs_principal,
) -> vrs_status {
    ffi_fn! {
        require!(out);
        if !(1..=47).contains(&prefecture) {
            return VRS_INVALID_ARGUMENT;
        }
        // SAFETY: `out` is not NULL and valid for a pointer write (caller contract).
        unsafe { give(Principal::PrefectureViewer { prefecture }, out) }
    }
}

/// Makes the national viewer (statistics of every municipality) and writes it to `*out`.
///
/// Returns `VRS_OK` or `VRS_NULL_ARGUMENT`.
///
/// # Safety
/// `out` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_principal_national_new(out: *mut *mut vrs_principal) -> vrs_status {
    ffi_fn! {
        require!(out);
        // SAFETY: `out` is not NULL and valid for a pointer write (caller contract).
        unsafe { give(Principal::NationalViewer, out) }
    }
}

/// Makes the operator (the operations contractor: tenants, staff user IDs, audit, maintenance;
/// never personal data) and writes it to `*out`.
///
/// Returns `VRS_OK` or `VRS_NULL_ARGUMENT`.
///
/// # Safety
/// `out` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_principal_operator_new(out: *mut *mut vrs_principal) -> vrs_status {
    ffi_fn! {
        require!(out);
        // SAFETY: `out` is not NULL and valid for a pointer write (caller contract).
        unsafe { give(Principal::Operator, out) }
    }
}

/// Frees `principal`. `vrs_principal_free(NULL)` does nothing.
///
/// # Safety
/// `principal` must be NULL or a pointer from this library that has not been freed yet; it
/// must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn vrs_principal_free(principal: *mut vrs_principal) {
    ffi_fn! {
        if !principal.is_null() {
            // SAFETY: `principal` came from `Box::into_raw` in this library and is freed only
            // once (caller contract).
            drop(unsafe { Box::from_raw(principal) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::status::{VRS_INVALID_UTF8, VRS_NULL_ARGUMENT};

    #[test]
    fn constructors_check_their_arguments() {
        let mut p = std::ptr::null_mut();
        // SAFETY: every pointer is a live local or NULL; each principal made is freed once.
        unsafe {
            assert_eq!(
                vrs_principal_staff_new(b"131016".as_ptr(), 6, b"u1".as_ptr(), 2, &mut p),
                VRS_OK
            );
            assert!(matches!(
                &(*p).principal,
                Principal::MunicipalStaff { user_id, .. } if user_id == "u1"
            ));
            vrs_principal_free(p);
            p = std::ptr::null_mut();
            assert_eq!(
                vrs_principal_staff_new(b"131017".as_ptr(), 6, b"u1".as_ptr(), 2, &mut p),
                VRS_INVALID_ARGUMENT
            );
            assert_eq!(
                vrs_principal_staff_new(b"131016".as_ptr(), 6, std::ptr::null(), 0, &mut p),
                VRS_INVALID_ARGUMENT
            );
            assert_eq!(
                vrs_principal_venue_new(b"\xff".as_ptr(), 1, &mut p),
                VRS_INVALID_UTF8
            );
            assert_eq!(
                vrs_principal_prefecture_new(0, &mut p),
                VRS_INVALID_ARGUMENT
            );
            assert_eq!(
                vrs_principal_prefecture_new(48, &mut p),
                VRS_INVALID_ARGUMENT
            );
            assert_eq!(
                vrs_principal_operator_new(std::ptr::null_mut()),
                VRS_NULL_ARGUMENT
            );
            assert!(p.is_null(), "outputs are written only on success");
            assert_eq!(vrs_principal_prefecture_new(13, &mut p), VRS_OK);
            vrs_principal_free(p);
            assert_eq!(vrs_principal_national_new(&mut p), VRS_OK);
            vrs_principal_free(p);
            vrs_principal_free(std::ptr::null_mut());
        }
    }
}
