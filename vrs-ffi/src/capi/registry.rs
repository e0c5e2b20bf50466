//! `vrs_registry`: the VRS record model of `vrs_core::registry` (tenants, staff, subjects,
//! vouchers, doses, flags, exports, statistics, the audit chain) over a SQLite store directory
//! or in memory.
//!
//! Every operation takes the registry, the calling `vrs_principal`, its arguments, its outputs,
//! and last an optional `vrs_error **out_error`: when it is not NULL and the call fails (any
//! status but `VRS_OK` and `VRS_PANIC`), `*out_error` receives the details (free them with
//! `vrs_error_free`); on success it is left alone. That is the one kind of output written on
//! failure.
//!
//! Structured results come as compact UTF-8 JSON in a `vrs_bytes` (each function documents its
//! document's shape); exports come as the CSV file's bytes. No result, error or export holds a
//! My Number: it is only stored sealed and used for matching.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;
use vrs_core::codec::WriteOptions;
use vrs_core::date::{Date, DateTime};
use vrs_core::id::{AddresseeNumber, MunicipalityCode, OcrLine, VoucherNumber};
use vrs_core::registry::{
    AnchorCheck, Dimension, DoseCorrection, DoseInput, Flag, ImportMode, Principal, Registry,
    RegistryAnchor, StatsQuery, SubjectRef,
};
use vrs_core::text::Encoding;
use vrs_core::vaccine::DoseNumber;

use super::bytes::vrs_bytes;
use super::error::{fail, vrs_error, Failure};
use super::macros::{bytes, ffi_fn, non_null, text, to_c};
use super::principal::vrs_principal;
use super::status::{
    vrs_status, VRS_INVALID_ARGUMENT, VRS_INVALID_STATE, VRS_INVALID_UTF8, VRS_NULL_ARGUMENT,
    VRS_OK, VRS_REGISTRY,
};
use super::validator::{vrs_encoding, VRS_ENCODING_AUTO, VRS_ENCODING_CP932, VRS_ENCODING_UTF8};
use crate::host::{self, HostClock, Settings};

/// A registry: the record model over one store, with keys from the host. Open it with
/// `vrs_registry_open` (a store directory and a key directory) or `vrs_registry_open_memory`
/// (in memory, for tests and demos); free it with `vrs_registry_free`.
///
/// A registry may be used from several threads at once: calls are serialised by a lock inside.
/// Several processes may open the same store directory (SQLite serialises their writes).
/// After a panic inside a call (`VRS_PANIC`) every later call returns `VRS_INVALID_STATE`: free
/// the registry and open it again.
pub struct vrs_registry {
    registry: Mutex<Registry>,
    clock: HostClock,
}

/// Options of `vrs_registry_open` and `vrs_registry_open_memory`. A zero-initialised struct
/// (`vrs_registry_options o = {0};`) gives the defaults, the same as passing NULL.
///
/// The struct may only grow in a new major version of the library.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct vrs_registry_options {
    /// Pin the registry's clock at this Japan time, the number `YYYYMMDDHHMMSS` (e.g.
    /// `20210701090000`); 0: the system clock (the default). `vrs_registry_set_time` changes it
    /// later. The time dates registrations and audit entries and is the "today" of the
    /// no-future-dates rules.
    pub fixed_time_yyyymmddhhmmss: u64,
    /// Statistics cells counting fewer doses than this are suppressed (`"count": null`); 0: the
    /// default, 10. (1 suppresses nothing.)
    pub stats_threshold: u64,
    /// Staff user IDs a tenant may register unless the operator raised its quota; 0: the
    /// default, 10.
    pub staff_quota: u32,
    /// Data rows per committed batch in lenient imports; 0: the default, 10,000.
    pub import_batch_rows: u32,
}

/// How an import treats rows with problems: `VRS_IMPORT_STRICT` (0, the default) or
/// `VRS_IMPORT_LENIENT` (a `uint32_t`; the numbers are fixed forever).
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct vrs_import_mode(pub u32);

/// All or nothing: any rejected row and nothing is imported (`VRS_IMPORT_REJECTED`).
pub const VRS_IMPORT_STRICT: vrs_import_mode = vrs_import_mode(0);
/// Import the valid rows in committed batches; the outcome lists the rejected ones.
pub const VRS_IMPORT_LENIENT: vrs_import_mode = vrs_import_mode(1);

/// How `vrs_registry_set_flag` names the subject: one of the `VRS_SUBJECT_BY_*` numbers (a
/// `uint32_t`; fixed forever, 0 is never a kind).
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct vrs_subject_kind(pub u32);

/// By addressee number (宛名番号).
pub const VRS_SUBJECT_BY_ADDRESSEE: vrs_subject_kind = vrs_subject_kind(1);
/// By one of the subject's voucher numbers (券番号).
pub const VRS_SUBJECT_BY_VOUCHER: vrs_subject_kind = vrs_subject_kind(2);

/// A flag's kind: one of the `VRS_FLAG_*` numbers (a `uint32_t`; fixed forever, the same
/// numbers as the flag file's フラグ種別).
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct vrs_flag_kind(pub u32);

/// Moved out (転出): later doses under this tenant's vouchers get warning L02.
pub const VRS_FLAG_MOVED_OUT: vrs_flag_kind = vrs_flag_kind(1);
/// Died (死亡): later doses are refused (L01).
pub const VRS_FLAG_DECEASED: vrs_flag_kind = vrs_flag_kind(2);

/// A flag to set with `vrs_registry_set_flag`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vrs_flag {
    /// `VRS_FLAG_MOVED_OUT` or `VRS_FLAG_DECEASED`.
    pub kind: vrs_flag_kind,
    /// The move-out date or the date of death, the number `YYYYMMDD`.
    pub date_yyyymmdd: u32,
    /// Moved out: the destination municipality code, `destination_len` bytes; NULL when unknown
    /// (and always for a death).
    pub destination: *const u8,
    /// Length of `destination` in bytes.
    pub destination_len: usize,
}

/// A statistics dimension: one of the `VRS_DIMENSION_*` numbers (a `uint32_t`; fixed forever,
/// 0 is never a dimension).
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct vrs_dimension(pub u32);

/// The municipality holding the dose (`"municipality"` in the JSON).
pub const VRS_DIMENSION_MUNICIPALITY: vrs_dimension = vrs_dimension(1);
/// The dose number (`"dose"`).
pub const VRS_DIMENSION_DOSE: vrs_dimension = vrs_dimension(2);
/// The week of vaccination, as its Monday (`"week"`).
pub const VRS_DIMENSION_WEEK: vrs_dimension = vrs_dimension(3);
/// The manufacturer, canonical spelling (`"manufacturer"`).
pub const VRS_DIMENSION_MANUFACTURER: vrs_dimension = vrs_dimension(4);
/// The age band on the vaccination day (`"age-band"`: `"12-17"`, `"90+"`, `"unknown"`).
pub const VRS_DIMENSION_AGE_BAND: vrs_dimension = vrs_dimension(5);

/// One dose as a venue or staff member enters it. Text fields are `(pointer, length)` pairs of
/// UTF-8; NULL with length 0 is the empty text.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vrs_dose_input {
    /// Vaccination date, the number `YYYYMMDD`.
    pub vaccinated_on_yyyymmdd: u32,
    /// Manufacturer as written (any accepted spelling, e.g. `ファイザー`).
    pub manufacturer: *const u8,
    /// Length of `manufacturer` in bytes.
    pub manufacturer_len: usize,
    /// Lot number (1-20 of `[0-9A-Za-z-]`).
    pub lot: *const u8,
    /// Length of `lot` in bytes.
    pub lot_len: usize,
    /// Venue name (at most 30 characters).
    pub venue: *const u8,
    /// Length of `venue` in bytes.
    pub venue_len: usize,
    /// Doctor's name (at most 20 characters).
    pub doctor: *const u8,
    /// Length of `doctor` in bytes.
    pub doctor_len: usize,
}

/// New values for a stored dose's fields, for `vrs_registry_correct_dose`. A zero date or a
/// NULL text keeps the stored value (a zero-initialised struct changes nothing); texts are
/// `(pointer, length)` pairs of UTF-8.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vrs_dose_correction {
    /// New vaccination date, the number `YYYYMMDD`; 0 keeps it.
    pub vaccinated_on_yyyymmdd: u32,
    /// New manufacturer (any accepted spelling); NULL keeps it.
    pub manufacturer: *const u8,
    /// Length of `manufacturer` in bytes.
    pub manufacturer_len: usize,
    /// New lot number; NULL keeps it.
    pub lot: *const u8,
    /// Length of `lot` in bytes.
    pub lot_len: usize,
    /// New venue name; NULL keeps it.
    pub venue: *const u8,
    /// Length of `venue` in bytes.
    pub venue_len: usize,
    /// New doctor's name; NULL keeps it.
    pub doctor: *const u8,
    /// Length of `doctor` in bytes.
    pub doctor_len: usize,
}

/// Options of the exports. A zero-initialised struct gives the defaults, the same as passing
/// NULL: UTF-8 without BOM, with a header row.
///
/// The struct may only grow in a new major version of the library.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vrs_export_options {
    /// `VRS_ENCODING_AUTO` (0) or `VRS_ENCODING_UTF8` for UTF-8, `VRS_ENCODING_CP932` for CP932
    /// (a character CP932 cannot hold fails the export with `VRS_EXPORT`, never replaced).
    pub encoding: vrs_encoding,
    /// Nonzero: start with a UTF-8 byte-order mark (ignored for CP932).
    pub bom: u8,
    /// Nonzero: write no header row.
    pub no_header: u8,
}

// ---------------------------------------------------------------------------------------------
// Argument conversion: every failure becomes a `Failure` naming the argument, never its value.

/// Borrows the text argument `what`.
///
/// # Safety
/// `data` must be NULL or valid for reads of `len` bytes for `'a`.
pub(super) unsafe fn arg_text<'a>(
    what: &str,
    data: *const u8,
    len: usize,
) -> Result<&'a str, Failure> {
    // SAFETY: forwarded caller contract.
    unsafe { text(data, len) }.map_err(|status| boundary(what, status))
}

/// Borrows the byte argument `what`.
///
/// # Safety
/// `data` must be NULL or valid for reads of `len` bytes for `'a`.
unsafe fn arg_bytes<'a>(what: &str, data: *const u8, len: usize) -> Result<&'a [u8], Failure> {
    // SAFETY: forwarded caller contract.
    unsafe { bytes(data, len) }.map_err(|status| boundary(what, status))
}

/// The failure for a status of the input helpers.
fn boundary(what: &str, status: vrs_status) -> Failure {
    match status {
        VRS_NULL_ARGUMENT => Failure::null(what),
        VRS_INVALID_UTF8 => Failure::utf8(what),
        _ => Failure::argument(
            what,
            "the length is above PTRDIFF_MAX",
            "長さが PTRDIFF_MAX を超えています",
        ),
    }
}

/// Borrows the pointer argument `what`.
///
/// # Safety
/// `ptr` must be NULL or point to a readable `T` that lives for `'a`.
pub(super) unsafe fn arg_ref<'a, T>(what: &str, ptr: *const T) -> Result<&'a T, Failure> {
    // SAFETY: forwarded caller contract.
    unsafe { ptr.as_ref() }.ok_or_else(|| Failure::null(what))
}

/// Checks that the output pointer `what` is not NULL (before any work, so that a failure
/// changes nothing).
pub(super) fn arg_out<T>(what: &str, ptr: *mut T) -> Result<(), Failure> {
    if ptr.is_null() {
        Err(Failure::null(what))
    } else {
        Ok(())
    }
}

/// The municipality code argument `what`.
///
/// # Safety
/// As [`arg_text`].
pub(super) unsafe fn arg_code(
    what: &str,
    data: *const u8,
    len: usize,
) -> Result<MunicipalityCode, Failure> {
    // SAFETY: forwarded caller contract.
    let s = unsafe { arg_text(what, data, len) }?;
    MunicipalityCode::parse(s).map_err(|e| Failure::argument(what, &e, e.message_ja()))
}

/// The voucher number argument `what`.
///
/// # Safety
/// As [`arg_text`].
unsafe fn arg_voucher(what: &str, data: *const u8, len: usize) -> Result<VoucherNumber, Failure> {
    // SAFETY: forwarded caller contract.
    let s = unsafe { arg_text(what, data, len) }?;
    VoucherNumber::parse(s).map_err(|e| Failure::argument(what, &e, e.message_ja()))
}

/// The addressee number argument `what`.
///
/// # Safety
/// As [`arg_text`].
pub(super) unsafe fn arg_addressee(
    what: &str,
    data: *const u8,
    len: usize,
) -> Result<AddresseeNumber, Failure> {
    // SAFETY: forwarded caller contract.
    let s = unsafe { arg_text(what, data, len) }?;
    AddresseeNumber::parse(s).map_err(|e| Failure::argument(what, &e, e.message_ja()))
}

/// The date argument `what`, given as the number `YYYYMMDD`.
pub(super) fn arg_date(what: &str, yyyymmdd: u32) -> Result<Date, Failure> {
    if yyyymmdd > 99_999_999 {
        return Err(Failure::argument(
            what,
            "a date is the number YYYYMMDD",
            "日付は YYYYMMDD の数値です",
        ));
    }
    Date::parse_yyyymmdd(&format!("{yyyymmdd:08}"))
        .map_err(|e| Failure::argument(what, &e, e.message_ja()))
}

/// The time argument `what`, given as the number `YYYYMMDDHHMMSS`; 0 is `None`.
fn arg_time(what: &str, yyyymmddhhmmss: u64) -> Result<Option<DateTime>, Failure> {
    if yyyymmddhhmmss == 0 {
        return Ok(None);
    }
    if yyyymmddhhmmss > 99_999_999_999_999 {
        return Err(Failure::argument(
            what,
            "a time is the number YYYYMMDDHHMMSS",
            "日時は YYYYMMDDHHMMSS の数値です",
        ));
    }
    DateTime::parse_yyyymmddhhmmss(&format!("{yyyymmddhhmmss:014}"))
        .map(Some)
        .map_err(|e| Failure::argument(what, &e, e.message_ja()))
}

/// The dose details of a `vrs_dose_input`.
///
/// # Safety
/// `input` must be NULL or point to a readable `vrs_dose_input` whose text pointers satisfy
/// their field docs.
unsafe fn arg_dose(input: *const vrs_dose_input) -> Result<DoseInput, Failure> {
    // SAFETY: forwarded caller contract.
    let d = unsafe { arg_ref("dose", input) }?;
    let on = arg_date("dose.vaccinated_on_yyyymmdd", d.vaccinated_on_yyyymmdd)?;
    // SAFETY: the caller guarantees each text pointer is NULL or valid for its length.
    let (manufacturer, lot, venue, doctor) = unsafe {
        (
            arg_text("dose.manufacturer", d.manufacturer, d.manufacturer_len)?,
            arg_text("dose.lot", d.lot, d.lot_len)?,
            arg_text("dose.venue", d.venue, d.venue_len)?,
            arg_text("dose.doctor", d.doctor, d.doctor_len)?,
        )
    };
    Ok(DoseInput::new(on, manufacturer, lot, venue, doctor))
}

/// The subject argument named `what`: an addressee or voucher number, as `by` says.
///
/// # Safety
/// As [`arg_text`].
unsafe fn arg_subject(
    what: &str,
    by: vrs_subject_kind,
    data: *const u8,
    len: usize,
) -> Result<SubjectRef, Failure> {
    match by {
        // SAFETY: forwarded caller contract.
        VRS_SUBJECT_BY_ADDRESSEE => Ok(SubjectRef::Addressee(unsafe {
            arg_addressee(what, data, len)
        }?)),
        // SAFETY: forwarded caller contract.
        VRS_SUBJECT_BY_VOUCHER => Ok(SubjectRef::Voucher(unsafe {
            arg_voucher(what, data, len)
        }?)),
        _ => Err(Failure::argument(
            "by",
            "unknown subject kind number",
            "不明な対象者の指定方法の番号です",
        )),
    }
}

/// The dose correction argument (NULL texts and a zero date keep the stored values).
///
/// # Safety
/// `input` must be NULL or point to a readable `vrs_dose_correction` whose non-NULL texts are
/// valid for their lengths.
unsafe fn arg_correction(input: *const vrs_dose_correction) -> Result<DoseCorrection, Failure> {
    // SAFETY: forwarded caller contract.
    let c = unsafe { arg_ref("correction", input) }?;
    let optional = |what: &str, data: *const u8, len: usize| {
        if data.is_null() {
            Ok(None)
        } else {
            // SAFETY: the caller guarantees a non-NULL text is valid for its length.
            unsafe { arg_text(what, data, len) }.map(|t| Some(t.to_owned()))
        }
    };
    Ok(DoseCorrection {
        vaccinated_on: match c.vaccinated_on_yyyymmdd {
            0 => None,
            d => Some(arg_date("correction.vaccinated_on_yyyymmdd", d)?),
        },
        manufacturer: optional(
            "correction.manufacturer",
            c.manufacturer,
            c.manufacturer_len,
        )?,
        lot: optional("correction.lot", c.lot, c.lot_len)?,
        venue: optional("correction.venue", c.venue, c.venue_len)?,
        doctor: optional("correction.doctor", c.doctor, c.doctor_len)?,
    })
}

/// The write options of an export (NULL: defaults).
///
/// # Safety
/// `opts` must be NULL or point to a readable `vrs_export_options`.
unsafe fn arg_export(opts: *const vrs_export_options) -> Result<WriteOptions, Failure> {
    // SAFETY: forwarded caller contract.
    let o = unsafe { opts.as_ref() }
        .copied()
        .unwrap_or(vrs_export_options {
            encoding: VRS_ENCODING_AUTO,
            bom: 0,
            no_header: 0,
        });
    let encoding = match o.encoding {
        VRS_ENCODING_AUTO | VRS_ENCODING_UTF8 => Encoding::Utf8,
        VRS_ENCODING_CP932 => Encoding::Cp932,
        _ => {
            return Err(Failure::argument(
                "options.encoding",
                "unknown encoding number",
                "不明なエンコーディング番号です",
            ))
        }
    };
    Ok(WriteOptions {
        encoding,
        bom: o.bom != 0,
        header: o.no_header == 0,
    })
}

/// The settings and pinned time of the options (NULL: defaults).
fn arg_settings(
    opts: Option<&vrs_registry_options>,
) -> Result<(Settings, Option<DateTime>), Failure> {
    let o = opts.copied().unwrap_or_default();
    let settings = Settings {
        staff_quota: (o.staff_quota != 0).then_some(o.staff_quota),
        stats_threshold: (o.stats_threshold != 0).then_some(o.stats_threshold),
        import_batch_rows: (o.import_batch_rows != 0)
            .then(|| usize::try_from(o.import_batch_rows).unwrap_or(usize::MAX)),
    };
    let at = arg_time(
        "options.fixed_time_yyyymmddhhmmss",
        o.fixed_time_yyyymmddhhmmss,
    )?;
    Ok((settings, at))
}

// ---------------------------------------------------------------------------------------------
// Running operations.

/// The failure of a call on a registry whose lock was poisoned by an earlier panic.
fn poisoned() -> Failure {
    Failure::other(
        VRS_INVALID_STATE,
        "invalid_state",
        "the registry is unusable after a panic in an earlier call; free it and open it again",
        "以前の呼び出しで内部エラーが起きたためレジストリを使えません。解放して開き直してください",
    )
}

impl vrs_registry {
    fn lock(&self) -> Result<MutexGuard<'_, Registry>, Failure> {
        self.registry.lock().map_err(|_| poisoned())
    }
}

/// Turns the outcome of a call into its status, handing a failure's details to `out_error`.
///
/// # Safety
/// `out_error` must be NULL or valid for a write of a pointer.
unsafe fn finish(result: Result<(), Failure>, out_error: *mut *mut vrs_error) -> vrs_status {
    match result {
        Ok(()) => VRS_OK,
        // SAFETY: forwarded caller contract.
        Err(f) => unsafe { fail(out_error, f) },
    }
}

/// Runs one registry operation: checks the registry and principal pointers, locks the registry,
/// runs `op`, and hands a failure to `out_error`.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles from this library; `out_error` must be NULL
/// or valid for a write of a pointer.
pub(super) unsafe fn operate(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    out_error: *mut *mut vrs_error,
    op: impl FnOnce(&mut Registry, &Principal) -> Result<(), Failure>,
) -> vrs_status {
    let result = (|| {
        // SAFETY: the caller guarantees `registry` is NULL or a live registry.
        let handle = unsafe { arg_ref("registry", registry) }?;
        // SAFETY: the caller guarantees `who` is NULL or a live principal.
        let principal = unsafe { arg_ref("principal", who) }?;
        let mut registry = handle.lock()?;
        op(&mut registry, &principal.principal)
    })();
    // SAFETY: forwarded caller contract.
    unsafe { finish(result, out_error) }
}

/// Writes `value` as compact JSON to `*out`.
///
/// # Safety
/// `out` must not be NULL and must be valid for a write of a pointer.
pub(super) unsafe fn give_json<T: Serialize + ?Sized>(
    out: *mut *mut vrs_bytes,
    value: &T,
) -> Result<(), Failure> {
    let json = serde_json::to_vec(value).map_err(|_| {
        Failure::other(
            VRS_REGISTRY,
            "internal",
            "the result cannot be encoded as JSON",
            "結果を JSON に変換できません",
        )
    })?;
    // SAFETY: `out` is not NULL and valid for a pointer write (caller contract).
    unsafe { out.write(to_c(vrs_bytes::new(json))) };
    Ok(())
}

/// Writes `value` to `*out` when `out` is not NULL.
///
/// # Safety
/// `out` must be NULL or valid for a write of a `T`.
pub(super) unsafe fn give_opt<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: `out` is not NULL and valid for a write (caller contract).
        unsafe { out.write(value) };
    }
}

// ---------------------------------------------------------------------------------------------
// Opening and closing.

/// Creates the key directory `key_dir` (`key_dir_len` bytes of UTF-8; mode 0700) with a fresh
/// random `master.key` (64 hex digits, mode 0600) from which every tenant key is derived. A
/// `<municipality code>.key` added later gives that tenant its own key. Refuses to overwrite an
/// existing master key. For production, keep keys in an HSM or KMS instead (through the Rust
/// `KeyProvider` trait).
///
/// Returns `VRS_OK`; `VRS_STORE` when a master key exists already or the directory cannot be
/// written; `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`. Details go to `*out_error` (when not NULL)
/// on failure.
///
/// # Safety
/// `key_dir` must be NULL or valid for reads of `key_dir_len` bytes; `out_error` must be NULL or
/// valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_create_key_dir(
    key_dir: *const u8,
    key_dir_len: usize,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let result = (|| {
            // SAFETY: the caller guarantees `key_dir` is NULL or valid for `key_dir_len` bytes.
            let dir = unsafe { arg_text("key_dir", key_dir, key_dir_len) }?;
            Ok(host::create_key_dir(Path::new(dir))?)
        })();
        // SAFETY: the caller guarantees `out_error` is NULL or valid for a pointer write.
        unsafe { finish(result, out_error) }
    }
}

/// Writes the new registry handle to `*out`.
///
/// # Safety
/// `out` must not be NULL and must be valid for a write of a pointer.
unsafe fn give_registry(out: *mut *mut vrs_registry, registry: Registry, clock: HostClock) {
    let handle = vrs_registry {
        registry: Mutex::new(registry),
        clock,
    };
    // SAFETY: `out` is not NULL and valid for a pointer write (caller contract).
    unsafe { out.write(to_c(handle)) };
}

/// Opens the registry stored in the directory `store_dir` (created with mode 0700 if needed;
/// the SQLite database `vrs.sqlite3` inside), with keys from the key directory `key_dir` (see
/// `vrs_registry_create_key_dir`), and writes it to `*out`. Paths are UTF-8. `opts` may be NULL
/// for the defaults (system clock).
///
/// Returns `VRS_OK`; `VRS_CRYPTO` (no `master.key`, or a key file readable by others, not a
/// regular file or over 128 bytes); `VRS_WRONG_KEY` (the key directory is not the store's: e.g.
/// a new `master.key` created beside a populated store); `VRS_STORE` (missing or unsafe key
/// directory, database error, store written by a newer library); `VRS_INVALID_ARGUMENT` (an impossible `fixed_time_yyyymmddhhmmss`);
/// `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`. `*out` is written only on `VRS_OK`; details go to
/// `*out_error` (when not NULL) on failure.
///
/// # Safety
/// `store_dir` and `key_dir` must be NULL or valid for reads of their lengths; `opts` must be
/// NULL or point to a readable `vrs_registry_options`; `out` and `out_error` must be NULL or
/// valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_open(
    store_dir: *const u8,
    store_dir_len: usize,
    key_dir: *const u8,
    key_dir_len: usize,
    opts: *const vrs_registry_options,
    out: *mut *mut vrs_registry,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let result = (|| {
            arg_out("out", out)?;
            // SAFETY: the caller guarantees both paths are NULL or valid for their lengths.
            let (store_dir, key_dir) = unsafe {
                (
                    arg_text("store_dir", store_dir, store_dir_len)?,
                    arg_text("key_dir", key_dir, key_dir_len)?,
                )
            };
            // SAFETY: the caller guarantees `opts` is NULL or points to readable options.
            let (settings, at) = arg_settings(unsafe { opts.as_ref() })?;
            let clock = HostClock::new(at);
            let registry =
                host::open_dirs(Path::new(store_dir), Path::new(key_dir), settings, clock.clone())?;
            // SAFETY: `out` is not NULL (checked above) and valid for a pointer write.
            unsafe { give_registry(out, registry, clock) };
            Ok(())
        })();
        // SAFETY: the caller guarantees `out_error` is NULL or valid for a pointer write.
        unsafe { finish(result, out_error) }
    }
}

/// Opens an empty registry held in memory (gone when freed), every key derived from the 32-byte
/// `master_key` (`master_key_len` must be 32), and writes it to `*out`. For tests, demos and
/// trying the API; `opts` may be NULL for the defaults.
///
/// Returns `VRS_OK`; `VRS_INVALID_ARGUMENT` (a key length other than 32, an impossible
/// `fixed_time_yyyymmddhhmmss`); `VRS_NULL_ARGUMENT`. `*out` is written only on `VRS_OK`;
/// details go to `*out_error` (when not NULL) on failure.
///
/// # Safety
/// `master_key` must be NULL or valid for reads of `master_key_len` bytes; `opts` must be NULL
/// or point to a readable `vrs_registry_options`; `out` and `out_error` must be NULL or valid
/// for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_open_memory(
    master_key: *const u8,
    master_key_len: usize,
    opts: *const vrs_registry_options,
    out: *mut *mut vrs_registry,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let result = (|| {
            arg_out("out", out)?;
            // SAFETY: the caller guarantees `master_key` is NULL or valid for its length.
            let key = unsafe { arg_bytes("master_key", master_key, master_key_len) }?;
            let key: [u8; 32] = key.try_into().map_err(|_| {
                Failure::argument("master_key", "a key is 32 bytes", "鍵は32バイトです")
            })?;
            // SAFETY: the caller guarantees `opts` is NULL or points to readable options.
            let (settings, at) = arg_settings(unsafe { opts.as_ref() })?;
            let clock = HostClock::new(at);
            let registry = host::open_memory(key, settings, clock.clone())?;
            // SAFETY: `out` is not NULL (checked above) and valid for a pointer write.
            unsafe { give_registry(out, registry, clock) };
            Ok(())
        })();
        // SAFETY: the caller guarantees `out_error` is NULL or valid for a pointer write.
        unsafe { finish(result, out_error) }
    }
}

/// Pins the registry's clock at the Japan time `yyyymmddhhmmss` (e.g. `20210701090000`), or
/// with 0 lets it follow the system clock again. Takes effect from the next call.
///
/// Returns `VRS_OK`, `VRS_INVALID_ARGUMENT` (an impossible time) or `VRS_NULL_ARGUMENT`.
///
/// # Safety
/// `registry` must be NULL or a live registry.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_set_time(
    registry: *const vrs_registry,
    yyyymmddhhmmss: u64,
) -> vrs_status {
    ffi_fn! {
        // SAFETY: the caller guarantees `registry` is NULL or a live registry.
        let handle = non_null!(unsafe { registry.as_ref() });
        match arg_time("yyyymmddhhmmss", yyyymmddhhmmss) {
            Ok(at) => {
                handle.clock.set(at);
                VRS_OK
            }
            Err(_) => VRS_INVALID_ARGUMENT,
        }
    }
}

/// Frees `registry` (closing its store; everything committed stays in a store directory).
/// `vrs_registry_free(NULL)` does nothing.
///
/// # Safety
/// `registry` must be NULL or a pointer from this library that has not been freed yet, with no
/// call on it still running in another thread; it must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_free(registry: *mut vrs_registry) {
    ffi_fn! {
        if !registry.is_null() {
            // SAFETY: `registry` came from `Box::into_raw` in this library and is freed only
            // once (caller contract).
            drop(unsafe { Box::from_raw(registry) });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tenants and staff (operator).

/// Creates the tenant (municipality) `tenant` (a municipality code, `tenant_len` bytes).
/// Operator only.
///
/// Returns `VRS_OK`; `VRS_FORBIDDEN`; `VRS_TENANT_EXISTS`; `VRS_INVALID_ARGUMENT` (invalid
/// code); `VRS_CRYPTO`/`VRS_STORE`; `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`. Like every
/// registry operation: details go to `*out_error` (when not NULL) on failure; every call,
/// allowed or refused, is recorded in the audit log.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant` must be NULL or valid for reads
/// of `tenant_len` bytes; `out_error` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_create_tenant(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            // SAFETY: the caller guarantees `tenant` is NULL or valid for `tenant_len`.
            let tenant = unsafe { arg_code("tenant", tenant, tenant_len) }?;
            Ok(reg.create_tenant(p, &tenant)?)
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Writes to `*out_json` a JSON array of every tenant's municipality code, ascending (e.g.
/// `["131016","131032"]`). Operator only.
///
/// Returns `VRS_OK`, `VRS_FORBIDDEN`, `VRS_STORE`, `VRS_NULL_ARGUMENT`. `*out_json` (free it
/// with `vrs_bytes_free`) is written only on `VRS_OK`; details go to `*out_error` (when not
/// NULL) on failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `out_json` and `out_error` must be NULL
/// or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_tenants(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            arg_out("out_json", out_json)?;
            let codes: Vec<String> =
                reg.tenants(p)?.iter().map(|c| c.as_str().to_owned()).collect();
            // SAFETY: `out_json` is not NULL (checked above) and valid for a write.
            unsafe { give_json(out_json, &codes) }
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Registers the staff login ID `user_id` (`user_id_len` bytes of UTF-8, 1-64 characters, no
/// control characters) for `tenant`, within the tenant's quota. Registering an ID twice does
/// nothing. Operator only.
///
/// Returns `VRS_OK`; `VRS_QUOTA_EXCEEDED`; `VRS_FORBIDDEN`; `VRS_UNKNOWN_TENANT`;
/// `VRS_INVALID_ARGUMENT` (invalid code or user ID); `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`;
/// store failures. Details go to `*out_error` (when not NULL) on failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant` and `user_id` must be NULL or
/// valid for reads of their lengths; `out_error` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_register_staff(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    user_id: *const u8,
    user_id_len: usize,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            // SAFETY: the caller guarantees both texts are NULL or valid for their lengths.
            let (tenant, user_id) = unsafe {
                (
                    arg_code("tenant", tenant, tenant_len)?,
                    arg_text("user_id", user_id, user_id_len)?,
                )
            };
            Ok(reg.register_staff(p, &tenant, user_id)?)
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Removes the staff login ID `user_id` of `tenant` and writes to `*out_removed` whether it was
/// registered. Operator only.
///
/// Returns `VRS_OK`, `VRS_FORBIDDEN`, `VRS_UNKNOWN_TENANT`, `VRS_INVALID_ARGUMENT`,
/// `VRS_INVALID_UTF8`, `VRS_NULL_ARGUMENT`, store failures. `*out_removed` is written only on
/// `VRS_OK`; details go to `*out_error` (when not NULL) on failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant` and `user_id` must be NULL or
/// valid for reads of their lengths; `out_removed` must be NULL or valid for a write of a
/// `bool`; `out_error` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_unregister_staff(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    user_id: *const u8,
    user_id_len: usize,
    out_removed: *mut bool,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            arg_out("out_removed", out_removed)?;
            // SAFETY: the caller guarantees both texts are NULL or valid for their lengths.
            let (tenant, user_id) = unsafe {
                (
                    arg_code("tenant", tenant, tenant_len)?,
                    arg_text("user_id", user_id, user_id_len)?,
                )
            };
            let removed = reg.unregister_staff(p, &tenant, user_id)?;
            // SAFETY: `out_removed` is not NULL (checked above) and valid for a write.
            unsafe { out_removed.write(removed) };
            Ok(())
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Sets how many staff user IDs `tenant` may register ("more IDs on request"). Operator only.
///
/// Returns `VRS_OK`, `VRS_FORBIDDEN`, `VRS_UNKNOWN_TENANT`, `VRS_INVALID_ARGUMENT`,
/// `VRS_INVALID_UTF8`, `VRS_NULL_ARGUMENT`, store failures. Details go to `*out_error` (when not
/// NULL) on failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant` must be NULL or valid for reads
/// of `tenant_len` bytes; `out_error` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_set_staff_quota(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    quota: u32,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            // SAFETY: the caller guarantees `tenant` is NULL or valid for `tenant_len`.
            let tenant = unsafe { arg_code("tenant", tenant, tenant_len) }?;
            Ok(reg.set_staff_quota(p, &tenant, quota)?)
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

// ---------------------------------------------------------------------------------------------
// Imports, vouchers, doses, flags (staff; doses by OCR also venue tablets).

/// The core import mode.
fn arg_mode(mode: vrs_import_mode) -> Result<ImportMode, Failure> {
    match mode {
        VRS_IMPORT_STRICT => Ok(ImportMode::Strict),
        VRS_IMPORT_LENIENT => Ok(ImportMode::Lenient),
        _ => Err(Failure::argument(
            "mode",
            "unknown import mode number",
            "不明な取込モード番号です",
        )),
    }
}

/// Which import an `import_file` call runs.
#[derive(Clone, Copy)]
enum ImportKind {
    Subjects,
    Doses,
    Flags,
}

/// The body of both imports.
///
/// # Safety
/// As the exported import functions.
#[allow(clippy::too_many_arguments)]
unsafe fn import_file(
    kind: ImportKind,
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    file: *const u8,
    file_len: usize,
    mode: vrs_import_mode,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
        arg_out("out_json", out_json)?;
        // SAFETY: the caller guarantees both inputs are NULL or valid for their lengths.
        let (tenant, file) = unsafe {
            (
                arg_code("tenant", tenant, tenant_len)?,
                arg_bytes("file", file, file_len)?,
            )
        };
        let mode = arg_mode(mode)?;
        let outcome = match kind {
            ImportKind::Subjects => reg.import_subjects(p, &tenant, file, mode)?,
            ImportKind::Doses => reg.import_doses(p, &tenant, file, mode)?,
            ImportKind::Flags => reg.import_flags(p, &tenant, file, mode)?,
        };
        // SAFETY: `out_json` is not NULL (checked above) and valid for a write.
        unsafe { give_json(out_json, &outcome) }
    };
    // SAFETY: forwarded caller contract.
    unsafe { operate(registry, who, out_error, op) }
}

/// Imports a subject and voucher registration upload (接種対象者・接種券発行登録, layout
/// `subject-registration`, UTF-8 or CP932, `file_len` bytes) into `tenant`. Staff of the
/// tenant only. The file is validated first (every row's municipality must be the tenant);
/// `VRS_IMPORT_STRICT` imports everything or nothing, `VRS_IMPORT_LENIENT` commits the valid
/// rows. Importing the same file again changes nothing (`"already_imported": true`).
///
/// On `VRS_OK`, `*out_json` receives the outcome (free it with `vrs_bytes_free`):
///
/// ```json
/// {"rows": 1, "imported": 1, "unchanged": 0, "rejected": 0,
///  "rejected_rows": [{"line": 3, "code": "N01", "message_en": "...", "message_ja": "..."}],
///  "batches_committed": 1, "already_imported": false,
///  "validation": {"layout": "subject-registration", "layout_version": "1", "file": null,
///                 "encoding": "utf-8", "bom": false, "rows": 1, "errors": 0, "warnings": 0,
///                 "infos": 0, "truncated": false,
///                 "diagnostics": [{"code", "severity", "line", "column", "column_en", "field",
///                                  "value", "message_ja", "message_en"}],
///                 "summary": [{"code", "severity", "count", "title_en", "title_ja",
///                              "first_lines"}]}}
/// ```
///
/// (`rejected_rows` lists the first 1,000; a diagnostic's `value` is `"<redacted>"` for
/// anything that could be a My Number.)
///
/// Returns `VRS_OK`; `VRS_IMPORT_REJECTED` (strict mode with rejected rows, or a file-level
/// problem such as a wrong header in either mode: nothing was imported, and the error's JSON
/// holds this same outcome document under `"import"`); `VRS_FORBIDDEN`; `VRS_UNKNOWN_TENANT`;
/// `VRS_INVALID_ARGUMENT` (invalid code, unknown mode); `VRS_NULL_ARGUMENT`; key or store
/// failures. Details go to `*out_error` (when not NULL) on failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant` and `file` must be NULL or valid
/// for reads of their lengths; `out_json` and `out_error` must be NULL or valid for a write of
/// a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_import_subjects(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    file: *const u8,
    file_len: usize,
    mode: vrs_import_mode,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        // SAFETY: forwarded caller contract.
        unsafe {
            import_file(ImportKind::Subjects, registry, who, tenant, tenant_len, file, file_len,
                mode, out_json, out_error)
        }
    }
}

/// Imports a bulk dose-record upload (layout `dose-upload`) into `tenant`, with the same modes,
/// outcome document and statuses as `vrs_registry_import_subjects`. A row breaking a registry
/// rule (L01 dose after death, S03 a different dose already recorded...) is a rejected row.
/// Staff of the tenant only.
///
/// # Safety
/// As `vrs_registry_import_subjects`.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_import_doses(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    file: *const u8,
    file_len: usize,
    mode: vrs_import_mode,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        // SAFETY: forwarded caller contract.
        unsafe {
            import_file(ImportKind::Doses, registry, who, tenant, tenant_len, file, file_len,
                mode, out_json, out_error)
        }
    }
}

/// Imports a move-out/death flags upload (layout `flags`) into `tenant`, with the same modes,
/// outcome document and statuses as `vrs_registry_import_subjects`. A row naming an unknown
/// subject is a rejected row. Staff of the tenant only.
///
/// # Safety
/// As `vrs_registry_import_subjects`.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_import_flags(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    file: *const u8,
    file_len: usize,
    mode: vrs_import_mode,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        // SAFETY: forwarded caller contract.
        unsafe {
            import_file(ImportKind::Flags, registry, who, tenant, tenant_len, file, file_len,
                mode, out_json, out_error)
        }
    }
}

/// Issues the voucher `voucher` (券番号, 10 digits) to the registered subject `addressee`
/// (宛名番号) of `tenant` on `issued_on_yyyymmdd`, e.g. a booster voucher. Issuing the same
/// voucher to the same subject again only updates the issue date. Staff of the tenant only.
///
/// Returns `VRS_OK`; `VRS_NOT_FOUND` (no such subject); `VRS_CONFLICT` (rule V02: the voucher
/// belongs to someone else); `VRS_FORBIDDEN`; `VRS_UNKNOWN_TENANT`; `VRS_INVALID_ARGUMENT`;
/// `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`; key or store failures. Details go to `*out_error`
/// (when not NULL) on failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; the text arguments must be NULL or valid
/// for reads of their lengths; `out_error` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_issue_voucher(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    addressee: *const u8,
    addressee_len: usize,
    voucher: *const u8,
    voucher_len: usize,
    issued_on_yyyymmdd: u32,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            // SAFETY: the caller guarantees the texts are NULL or valid for their lengths.
            let (tenant, addressee, voucher) = unsafe {
                (
                    arg_code("tenant", tenant, tenant_len)?,
                    arg_addressee("addressee", addressee, addressee_len)?,
                    arg_voucher("voucher", voucher, voucher_len)?,
                )
            };
            let on = arg_date("issued_on_yyyymmdd", issued_on_yyyymmdd)?;
            Ok(reg.issue_voucher(p, &tenant, &addressee, &voucher, on)?)
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Reissues a voucher (lost, damaged, DV protection): `new_voucher` replaces `old_voucher` for
/// the same subject of `tenant`, issued on `issued_on_yyyymmdd`. Doses on the old voucher stay;
/// doses scanned later from it are refused (L04). Staff of the tenant only.
///
/// Returns `VRS_OK`; `VRS_NOT_FOUND` (unknown old voucher, or one without a subject);
/// `VRS_CONFLICT` (old already replaced: L04; new one in use: V02); `VRS_INVALID_ARGUMENT`
/// (also when both numbers are equal); `VRS_FORBIDDEN`; `VRS_UNKNOWN_TENANT`;
/// `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`; key or store failures. Details go to `*out_error`
/// (when not NULL) on failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; the text arguments must be NULL or valid
/// for reads of their lengths; `out_error` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_reissue_voucher(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    old_voucher: *const u8,
    old_voucher_len: usize,
    new_voucher: *const u8,
    new_voucher_len: usize,
    issued_on_yyyymmdd: u32,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            // SAFETY: the caller guarantees the texts are NULL or valid for their lengths.
            let (tenant, old, new) = unsafe {
                (
                    arg_code("tenant", tenant, tenant_len)?,
                    arg_voucher("old_voucher", old_voucher, old_voucher_len)?,
                    arg_voucher("new_voucher", new_voucher, new_voucher_len)?,
                )
            };
            let on = arg_date("issued_on_yyyymmdd", issued_on_yyyymmdd)?;
            Ok(reg.reissue_voucher(p, &tenant, &old, &new, on)?)
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Records a dose from a voucher's 18-digit OCR line (`ocr_line`, strict: digits only) as
/// scanned at a venue: the tenant is the line's municipality, the dose number its dose digit.
/// A venue tablet or staff of that municipality only. A voucher not yet registered to a subject
/// is created and its doses wait in the awaiting-registration list.
///
/// On `VRS_OK`, `*out_json` receives the confirmation a venue may see (no name, no My Number):
///
/// ```json
/// {"voucher_number": "0000012345", "dose": 1, "vaccinated_on": "2021-06-30",
///  "registered_at": "2021-07-01T09:00:00", "already_recorded": false,
///  "awaiting_registration": false, "warnings": ["L02"]}
/// ```
///
/// (`already_recorded`: the same dose was recorded before and nothing changed; `warnings`: rule
/// codes such as L02, dose after a move-out.)
///
/// Returns `VRS_OK`; `VRS_RULE` (D02 date after the registry's today, D03 outside the
/// programme, D05 before birth, T01-T04 venue/doctor/manufacturer/lot, L01 after death, L04
/// replaced voucher, S02 order of doses; the error's `rule` says which); `VRS_CONFLICT` (S03:
/// a different dose with this number is recorded); `VRS_FORBIDDEN`; `VRS_UNKNOWN_TENANT`;
/// `VRS_INVALID_ARGUMENT` (not an OCR line, an impossible date); `VRS_INVALID_UTF8`;
/// `VRS_NULL_ARGUMENT`; key or store failures. Details go to `*out_error` (when not NULL) on
/// failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `ocr_line` must be NULL or valid for
/// reads of `ocr_line_len` bytes; `dose` must be NULL or point to a readable `vrs_dose_input`
/// whose texts are valid for their lengths; `out_json` and `out_error` must be NULL or valid for
/// a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_record_dose_ocr(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    ocr_line: *const u8,
    ocr_line_len: usize,
    dose: *const vrs_dose_input,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            arg_out("out_json", out_json)?;
            // SAFETY: the caller guarantees `ocr_line` is NULL or valid for its length.
            let line = unsafe { arg_text("ocr_line", ocr_line, ocr_line_len) }?;
            let line = OcrLine::parse(line)
                .map_err(|e| Failure::argument("ocr_line", &e, e.message_ja()))?;
            // SAFETY: the caller guarantees `dose` is NULL or a readable dose input.
            let input = unsafe { arg_dose(dose) }?;
            let confirmation = reg.record_dose_ocr(p, &line, &input)?;
            // SAFETY: `out_json` is not NULL (checked above) and valid for a write.
            unsafe { give_json(out_json, &confirmation) }
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Records dose number `dose_number` (1-9) on the voucher `voucher` of `tenant`, as entered by
/// staff (e.g. from a paper record). Staff of the tenant only. The confirmation document and
/// the statuses are those of `vrs_registry_record_dose_ocr` (`VRS_INVALID_ARGUMENT` also for a
/// dose number outside 1-9).
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant` and `voucher` must be NULL or
/// valid for reads of their lengths; `dose` must be NULL or point to a readable
/// `vrs_dose_input` whose texts are valid for their lengths; `out_json` and `out_error` must be
/// NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_record_dose(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    voucher: *const u8,
    voucher_len: usize,
    dose_number: u8,
    dose: *const vrs_dose_input,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            arg_out("out_json", out_json)?;
            // SAFETY: the caller guarantees the texts are NULL or valid for their lengths.
            let (tenant, voucher) = unsafe {
                (
                    arg_code("tenant", tenant, tenant_len)?,
                    arg_voucher("voucher", voucher, voucher_len)?,
                )
            };
            let number = DoseNumber::new(dose_number).map_err(|e| {
                Failure::argument("dose_number", &e, e.message_ja())
            })?;
            // SAFETY: the caller guarantees `dose` is NULL or a readable dose input.
            let input = unsafe { arg_dose(dose) }?;
            let confirmation = reg.record_dose(p, &tenant, &voucher, number, &input)?;
            // SAFETY: `out_json` is not NULL (checked above) and valid for a write.
            unsafe { give_json(out_json, &confirmation) }
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Sets a move-out or death flag on a subject of `tenant`, named by addressee number or by one
/// of its voucher numbers (`by`, then `subject`, `subject_len` bytes). Setting the same kind of
/// flag again replaces its date; nothing is ever deleted. Staff of the tenant only.
///
/// Returns `VRS_OK`; `VRS_NOT_FOUND`; `VRS_FORBIDDEN`; `VRS_UNKNOWN_TENANT`;
/// `VRS_INVALID_ARGUMENT` (unknown `by` or flag kind, invalid identifier, date or destination);
/// `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`; key or store failures. Details go to `*out_error`
/// (when not NULL) on failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant` and `subject` must be NULL or
/// valid for reads of their lengths; `flag` must be NULL or point to a readable `vrs_flag`
/// whose `destination` is NULL or valid for `destination_len` bytes; `out_error` must be NULL
/// or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_set_flag(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    by: vrs_subject_kind,
    subject: *const u8,
    subject_len: usize,
    flag: *const vrs_flag,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            // SAFETY: the caller guarantees `tenant` is NULL or valid for its length.
            let tenant = unsafe { arg_code("tenant", tenant, tenant_len) }?;
            // SAFETY: the caller guarantees `subject` is NULL or valid for its length.
            let who_ref = unsafe { arg_subject("subject", by, subject, subject_len) }?;
            // SAFETY: the caller guarantees `flag` is NULL or a readable `vrs_flag`.
            let f = unsafe { arg_ref("flag", flag) }?;
            let date = arg_date("flag.date_yyyymmdd", f.date_yyyymmdd)?;
            let flag = match f.kind {
                VRS_FLAG_MOVED_OUT => Flag::MovedOut {
                    date,
                    destination: if f.destination.is_null() {
                        None
                    } else {
                        // SAFETY: the caller guarantees `destination` is valid for its
                        // length when not NULL.
                        Some(unsafe {
                            arg_code("flag.destination", f.destination, f.destination_len)
                        }?)
                    },
                },
                VRS_FLAG_DECEASED => Flag::Deceased { date },
                _ => {
                    return Err(Failure::argument(
                        "flag.kind",
                        "unknown flag kind number",
                        "不明なフラグ種別の番号です",
                    ))
                }
            };
            Ok(reg.set_flag(p, &tenant, &who_ref, &flag)?)
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Corrects fields of dose number `dose_number` (1-9) of a person of `tenant`, named by
/// addressee number or by one of their voucher numbers (`by`, then `subject`, `subject_len`
/// bytes; the dose may be on any of the person's vouchers). `correction` gives the new values
/// (a zero date or a NULL text keeps the stored one); `reason` (required, at most 200
/// characters) is kept with the dose as it was in the subject's sealed history, which
/// `vrs_registry_subject_doses` shows under `history`. The corrected dose is checked like a new
/// one (D02, D03, T01-T04, T08, D05, L01, S02 against the neighbouring doses). Staff of the
/// tenant only; audited as `correct-dose`. Writes to `*out_json`:
///
/// ```json
/// {"voucher_number": "0000012345", "dose": 1, "action": "corrected", "changed": true,
///  "dose_now": {"dose": 1, "vaccinated_on": "2021-06-01", "voucher_number": "0000012345",
///               "manufacturer": "ファイザー", "lot": "FA5765", "venue": "区民会館",
///               "doctor": "山田一郎", "registered_at": "2021-07-01T09:00:00",
///               "source": "venue"},
///  "warnings": []}
/// ```
///
/// (`changed` is false when the correction equals what is stored: nothing was recorded.)
///
/// Returns `VRS_OK`; `VRS_RULE` (the corrected dose breaks a rule; nothing changed);
/// `VRS_NOT_FOUND` (no such person, voucher or dose); `VRS_FORBIDDEN`; `VRS_UNKNOWN_TENANT`;
/// `VRS_INVALID_ARGUMENT` (unknown `by`, invalid identifier, date or dose number, no field to
/// change, missing reason); `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`; key or store failures.
/// `*out_json` is written only on `VRS_OK`; details go to `*out_error` (when not NULL) on
/// failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant`, `subject` and `reason` must be
/// NULL or valid for reads of their lengths; `correction` must be NULL or point to a readable
/// `vrs_dose_correction` whose non-NULL texts are valid for their lengths; `out_json` and
/// `out_error` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_correct_dose(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    by: vrs_subject_kind,
    subject: *const u8,
    subject_len: usize,
    dose_number: u8,
    correction: *const vrs_dose_correction,
    reason: *const u8,
    reason_len: usize,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            arg_out("out_json", out_json)?;
            // SAFETY: the caller guarantees the texts are NULL or valid for their lengths and
            // `correction` is NULL or a readable correction.
            let (tenant, who_ref, correction, reason) = unsafe {
                (
                    arg_code("tenant", tenant, tenant_len)?,
                    arg_subject("subject", by, subject, subject_len)?,
                    arg_correction(correction)?,
                    arg_text("reason", reason, reason_len)?,
                )
            };
            let number = DoseNumber::new(dose_number).map_err(|e| {
                Failure::argument("dose_number", &e, e.message_ja())
            })?;
            let change = reg.correct_dose(p, &tenant, &who_ref, number, &correction, reason)?;
            // SAFETY: `out_json` is not NULL (checked above) and valid for a write.
            unsafe { give_json(out_json, &change) }
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Voids dose number `dose_number` (1-9) of a person of `tenant` (named as for
/// `vrs_registry_correct_dose`), recorded in error: it leaves the subject's doses, the exports
/// and the statistics, and stays in the sealed history with `reason` (required); the same dose
/// number can then be recorded again. Staff of the tenant only; audited as `void-dose`. Writes
/// to `*out_json` the document of `vrs_registry_correct_dose` with `"action": "voided"` and
/// `"dose_now": null`.
///
/// Returns `VRS_OK`; `VRS_NOT_FOUND`; `VRS_FORBIDDEN`; `VRS_UNKNOWN_TENANT`;
/// `VRS_INVALID_ARGUMENT`; `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`; key or store failures.
/// `*out_json` is written only on `VRS_OK`; details go to `*out_error` (when not NULL) on
/// failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant`, `subject` and `reason` must be
/// NULL or valid for reads of their lengths; `out_json` and `out_error` must be NULL or valid
/// for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_void_dose(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    by: vrs_subject_kind,
    subject: *const u8,
    subject_len: usize,
    dose_number: u8,
    reason: *const u8,
    reason_len: usize,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            arg_out("out_json", out_json)?;
            // SAFETY: the caller guarantees the texts are NULL or valid for their lengths.
            let (tenant, who_ref, reason) = unsafe {
                (
                    arg_code("tenant", tenant, tenant_len)?,
                    arg_subject("subject", by, subject, subject_len)?,
                    arg_text("reason", reason, reason_len)?,
                )
            };
            let number = DoseNumber::new(dose_number).map_err(|e| {
                Failure::argument("dose_number", &e, e.message_ja())
            })?;
            let change = reg.void_dose(p, &tenant, &who_ref, number, reason)?;
            // SAFETY: `out_json` is not NULL (checked above) and valid for a write.
            unsafe { give_json(out_json, &change) }
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading: one subject, exports, statistics (staff; statistics also viewers).

/// Writes to `*out_json` the record of the subject with addressee number `addressee` in
/// `tenant`: name, birth date, vouchers, flags and doses, never the My Number. Staff of the
/// tenant only.
///
/// ```json
/// {"addressee": "1001", "name": "千代田 花子", "name_kana": "チヨダ ハナコ",
///  "birth_date": "1980-01-01", "sex": 2, "has_my_number": true,
///  "vouchers": ["0000012345"],
///  "flags": [{"kind": "moved-out", "date": "2021-08-01", "destination": "131032"}],
///  "doses": [{"dose": 1, "vaccinated_on": "2021-06-30", "voucher_number": "0000012345",
///             "manufacturer": "ファイザー", "lot": "FA5765", "venue": "区民会館",
///             "doctor": "山田一郎", "registered_at": "2021-07-01T09:00:00",
///             "source": "venue"}],
///  "history": [{"voucher_number": "0000012345", "dose": 1, "action": "corrected",
///               "at": "2021-07-02T10:00:00", "by": "f306f743a740e21c929cc989fc0aa31c",
///               "reason": "lot typed wrongly", "before": {"dose": 1, "lot": "FA5756", ...}}]}
/// ```
///
/// (`sex`: 1 male, 2 female; a flag's `kind` is `moved-out` or `deceased`; a dose's `source`
/// is `venue`, `staff` or `upload`; `history` lists corrections and voids, oldest first, with
/// the dose as it was, the staff user's pseudonym and the reason.)
///
/// Returns `VRS_OK`; `VRS_NOT_FOUND`; `VRS_FORBIDDEN`; `VRS_UNKNOWN_TENANT`;
/// `VRS_INVALID_ARGUMENT`; `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`; key or store failures.
/// `*out_json` is written only on `VRS_OK`; details go to `*out_error` (when not NULL) on
/// failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant` and `addressee` must be NULL or
/// valid for reads of their lengths; `out_json` and `out_error` must be NULL or valid for a
/// write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_subject_doses(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    addressee: *const u8,
    addressee_len: usize,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            arg_out("out_json", out_json)?;
            // SAFETY: the caller guarantees the texts are NULL or valid for their lengths.
            let (tenant, addressee) = unsafe {
                (
                    arg_code("tenant", tenant, tenant_len)?,
                    arg_addressee("addressee", addressee, addressee_len)?,
                )
            };
            let record = reg.subject_doses(p, &tenant, addressee.as_str())?;
            // SAFETY: `out_json` is not NULL (checked above) and valid for a write.
            unsafe { give_json(out_json, &record) }
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Which export an `export` call writes.
#[derive(Clone, Copy)]
enum ExportKind {
    Ledger,
    Awaiting,
}

/// The body of both exports.
///
/// # Safety
/// As the exported export functions.
#[allow(clippy::too_many_arguments)]
unsafe fn export(
    kind: ExportKind,
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    opts: *const vrs_export_options,
    out: *mut *mut vrs_bytes,
    out_rows: *mut u64,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
        arg_out("out", out)?;
        // SAFETY: the caller guarantees `tenant` is NULL or valid for its length.
        let tenant = unsafe { arg_code("tenant", tenant, tenant_len) }?;
        // SAFETY: the caller guarantees `opts` is NULL or readable options.
        let options = unsafe { arg_export(opts) }?;
        let mut file = Vec::new();
        let rows = match kind {
            ExportKind::Ledger => reg.export_ledger(p, &tenant, &mut file, options)?,
            ExportKind::Awaiting => reg.export_awaiting(p, &tenant, &mut file, options)?,
        };
        // SAFETY: `out` is not NULL (checked above) and `out_rows` is NULL or valid for a
        // write (caller contract).
        unsafe {
            out.write(to_c(vrs_bytes::new(file)));
            give_opt(out_rows, rows);
        }
        Ok(())
    };
    // SAFETY: forwarded caller contract.
    unsafe { operate(registry, who, out_error, op) }
}

/// Writes the ledger export (予防接種台帳向け出力, layout `ledger-export`) of `tenant` to
/// `*out` as the CSV file's bytes (CRLF, header of Japanese column names, 7 dose blocks or more
/// when a stored dose number needs them): one row per subject with doses, in addressee-number
/// order. The layout has no My Number column, so the file cannot carry one. The number of data
/// rows goes to `*out_rows` (NULL to ignore). `opts` may be NULL for UTF-8 with a header. Staff
/// of the tenant only.
///
/// Returns `VRS_OK`; `VRS_EXPORT` (a name CP932 cannot hold); `VRS_FORBIDDEN`;
/// `VRS_UNKNOWN_TENANT`; `VRS_INVALID_ARGUMENT` (invalid code, unknown encoding);
/// `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`; key or store failures. `*out` (free it with
/// `vrs_bytes_free`) and `*out_rows` are written only on `VRS_OK`; details go to `*out_error`
/// (when not NULL) on failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant` must be NULL or valid for reads
/// of `tenant_len` bytes; `opts` must be NULL or point to a readable `vrs_export_options`;
/// `out` and `out_error` must be NULL or valid for a write of a pointer; `out_rows` must be NULL
/// or valid for a write of a `uint64_t`.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_export_ledger(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    opts: *const vrs_export_options,
    out: *mut *mut vrs_bytes,
    out_rows: *mut u64,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        // SAFETY: forwarded caller contract.
        unsafe {
            export(ExportKind::Ledger, registry, who, tenant, tenant_len, opts, out, out_rows,
                out_error)
        }
    }
}

/// Writes the awaiting-registration list (layout `awaiting-registration`) of `tenant` to `*out`:
/// the doses on vouchers not yet linked to a subject, one row per voucher. Otherwise as
/// `vrs_registry_export_ledger`.
///
/// # Safety
/// As `vrs_registry_export_ledger`.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_export_awaiting(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    opts: *const vrs_export_options,
    out: *mut *mut vrs_bytes,
    out_rows: *mut u64,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        // SAFETY: forwarded caller contract.
        unsafe {
            export(ExportKind::Awaiting, registry, who, tenant, tenant_len, opts, out, out_rows,
                out_error)
        }
    }
}

/// Writes dose statistics to `*out_json`, grouped by the `group_by_count` dimensions at
/// `group_by` (any order, duplicates ignored; none at all gives one cell with the total).
/// National viewers see every municipality, prefecture viewers their prefecture's, staff their
/// own municipality's; venue tablets and the operator are refused. Cells counting fewer doses
/// than the threshold (`vrs_registry_options.stats_threshold`) are suppressed:
///
/// ```json
/// {"group_by": ["municipality", "dose"], "threshold": 10, "suppressed": 1,
///  "cells": [{"municipality": "131016", "dose": 1, "week": null, "manufacturer": null,
///             "age_band": null, "count": null}]}
/// ```
///
/// (A dimension not grouped by is `null` in every cell; `count` is `null` when suppressed;
/// `week` is the Monday as `YYYY-MM-DD`; `age_band` such as `"60-64"`, `"90+"` or
/// `"unknown"`; `group_by` names are `municipality`, `dose`, `week`, `manufacturer`,
/// `age-band`.)
///
/// Returns `VRS_OK`; `VRS_FORBIDDEN`; `VRS_INVALID_ARGUMENT` (unknown dimension number);
/// `VRS_NULL_ARGUMENT` (also `group_by` NULL with a count above 0); key or store failures.
/// `*out_json` is written only on `VRS_OK`; details go to `*out_error` (when not NULL) on
/// failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `group_by` must be NULL or valid for
/// reads of `group_by_count` elements; `out_json` and `out_error` must be NULL or valid for a
/// write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_stats(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    group_by: *const vrs_dimension,
    group_by_count: usize,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            arg_out("out_json", out_json)?;
            let dims: &[vrs_dimension] = if group_by_count == 0 {
                &[]
            } else if group_by.is_null() {
                return Err(Failure::null("group_by"));
            } else if group_by_count > isize::MAX as usize / std::mem::size_of::<vrs_dimension>() {
                return Err(boundary("group_by", VRS_INVALID_ARGUMENT));
            } else {
                // SAFETY: `group_by` is not NULL and the caller guarantees it is valid for
                // `group_by_count` elements; the size fits in `isize` (checked above).
                unsafe { std::slice::from_raw_parts(group_by, group_by_count) }
            };
            let group_by = dims
                .iter()
                .map(|d| match *d {
                    VRS_DIMENSION_MUNICIPALITY => Ok(Dimension::Municipality),
                    VRS_DIMENSION_DOSE => Ok(Dimension::Dose),
                    VRS_DIMENSION_WEEK => Ok(Dimension::Week),
                    VRS_DIMENSION_MANUFACTURER => Ok(Dimension::Manufacturer),
                    VRS_DIMENSION_AGE_BAND => Ok(Dimension::AgeBand),
                    _ => Err(Failure::argument(
                        "group_by",
                        "unknown dimension number",
                        "不明な集計軸の番号です",
                    )),
                })
                .collect::<Result<Vec<_>, _>>()?;
            let stats = reg.stats(p, &StatsQuery { group_by })?;
            // SAFETY: `out_json` is not NULL (checked above) and valid for a write.
            unsafe { give_json(out_json, &stats) }
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

// ---------------------------------------------------------------------------------------------
// Audit and maintenance.

/// Verifies the audit chain of `tenant` (a municipality code), or with `tenant` NULL the
/// registry-wide chain (calls without a tenant), and writes to `*out_ok` whether every entry
/// and the MAC-protected head check out. When `out_json` is not NULL it receives the details:
///
/// ```json
/// {"chain": "131016", "entries": 12, "ok": true, "first_bad": null, "problem": null}
/// ```
///
/// (`first_bad`: the sequence number of the first altered, missing or misplaced entry;
/// `problem`: what is wrong there.) The operator, or staff for their own tenant.
///
/// Returns `VRS_OK` (also when the chain is broken: read `*out_ok`); `VRS_FORBIDDEN`;
/// `VRS_UNKNOWN_TENANT`; `VRS_INVALID_ARGUMENT`; `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`; key or
/// store failures. Outputs are written only on `VRS_OK`; details go to `*out_error` (when not
/// NULL) on failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant` must be NULL or valid for reads
/// of `tenant_len` bytes; `out_ok` must be NULL or valid for a write of a `bool`; `out_json` and
/// `out_error` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_verify_audit(
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
            let tenant = if tenant.is_null() {
                None
            } else {
                // SAFETY: the caller guarantees `tenant` is valid for its length.
                Some(unsafe { arg_code("tenant", tenant, tenant_len) }?)
            };
            let verification = reg.verify_audit(p, tenant.as_ref())?;
            if !out_json.is_null() {
                // SAFETY: `out_json` is not NULL and valid for a write (caller contract).
                unsafe { give_json(out_json, &verification) }?;
            }
            // SAFETY: `out_ok` is not NULL (checked above) and valid for a write.
            unsafe { out_ok.write(verification.ok) };
            Ok(())
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Writes to `*out_json` the entries of the audit chain of `tenant` (NULL: the registry-wide
/// chain), oldest first, for review. Entries hold no personal data: record keys are pseudonyms
/// and staff user IDs are pseudonymised. The operator, or staff for their own tenant.
///
/// ```json
/// [{"seq": 1, "at": "2021-07-01T09:00:00", "role": "operator", "scope": null, "user": null,
///   "op": "create-tenant", "records": ["<hex>"], "record_count": 1,
///   "records_digest": "<hex>", "outcome": "ok", "code": null, "prev": "<hex>"}]
/// ```
///
/// (`role`: `staff`, `venue`, `prefecture`, `national` or `operator`; `outcome`: `ok`,
/// `refused` or `failed`, with the error's `code` for the latter two.)
///
/// Returns as `vrs_registry_verify_audit`.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant` must be NULL or valid for reads
/// of `tenant_len` bytes; `out_json` and `out_error` must be NULL or valid for a write of a
/// pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_audit_log(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            arg_out("out_json", out_json)?;
            let tenant = if tenant.is_null() {
                None
            } else {
                // SAFETY: the caller guarantees `tenant` is valid for its length.
                Some(unsafe { arg_code("tenant", tenant, tenant_len) }?)
            };
            let entries = reg.audit_log(p, tenant.as_ref())?;
            // SAFETY: `out_json` is not NULL (checked above) and valid for a write.
            unsafe { give_json(out_json, &entries) }
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Maintenance check of everything (operator only): the storage engine's own check, the
/// registry anchor and every audit chain head and content digest it anchors, every tenant's
/// records against its content digest, every sealed record opened, references between records,
/// and every audit chain. Writes to `*out_ok` whether nothing was found; when `out_json` is not
/// NULL it receives the details:
///
/// ```json
/// {"ok": false, "problems": [],
///  "chains": [{"chain": "registry", "entries": 3, "ok": true, "first_bad": null,
///              "problem": null}, {"chain": "131016", ...}],
///  "findings": [{"scope": "131016", "kind": "voucher", "key": null,
///                "problem": "2 of 5 record(s) are missing (deleted outside the registry)"}],
///  "records_checked": 1234}
/// ```
///
/// (`problems`: the storage engine's; `findings`: each integrity problem, naming the tenant
/// (`scope`: a municipality code, `registry`, or `chain N`), the record kind and the
/// pseudonymous record key where it can, never personal data.) Runs on a registry in
/// quarantine too.
///
/// Operator only. Returns `VRS_OK` (also when problems were found: read `*out_ok`);
/// `VRS_FORBIDDEN`; `VRS_NULL_ARGUMENT`; key or store failures. Outputs are written only on
/// `VRS_OK`; details go to `*out_error` (when not NULL) on failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `out_ok` must be NULL or valid for a
/// write of a `bool`; `out_json` and `out_error` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_verify_store(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    out_ok: *mut bool,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            arg_out("out_ok", out_ok)?;
            let verification = reg.verify_store(p)?;
            if !out_json.is_null() {
                // SAFETY: `out_json` is not NULL and valid for a write (caller contract).
                unsafe { give_json(out_json, &verification) }?;
            }
            // SAFETY: `out_ok` is not NULL (checked above) and valid for a write.
            unsafe { out_ok.write(verification.ok) };
            Ok(())
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

// ---------------------------------------------------------------------------------------------
// Keys and rollback protection.

/// Re-seals every record of `tenant` (a municipality code) under a new version of its key
/// (operator only), in batches, each its own transaction: other tenants keep working between
/// batches, and a crash leaves every record readable under exactly one key. Calling it again
/// after a crash or failure continues the rotation. The key provider of a registry opened with
/// `vrs_registry_open` writes the new key as `<code>.v<N>.key` in the key directory (mode
/// 0600); keep `<code>.key` or `master.key`: record keys and the audit MAC still derive from
/// version 1. When `out_json` is not NULL it receives:
///
/// ```json
/// {"tenant": "131016", "from_version": 1, "to_version": 2, "records": 300, "batches": 3,
///  "resumed": false, "finished": true}
/// ```
///
/// Returns `VRS_OK`; `VRS_FORBIDDEN`; `VRS_UNKNOWN_TENANT`; `VRS_CRYPTO` (the key provider
/// cannot create or hand out the new version); `VRS_TAMPERED`; `VRS_INVALID_ARGUMENT`;
/// `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`; store failures. Details go to `*out_error` (when
/// not NULL) on failure.
///
/// # Safety
/// `registry` and `who` must be NULL or live handles; `tenant` must be NULL or valid for reads
/// of `tenant_len` bytes; `out_json` and `out_error` must be NULL or valid for a write of a
/// pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_rotate_tenant_key(
    registry: *const vrs_registry,
    who: *const vrs_principal,
    tenant: *const u8,
    tenant_len: usize,
    out_json: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry, p: &Principal| -> Result<(), Failure> {
            // SAFETY: the caller guarantees `tenant` is NULL or valid for `tenant_len`.
            let tenant = unsafe { arg_code("tenant", tenant, tenant_len) }?;
            let rotation = reg.rotate_tenant_key(p, &tenant)?;
            if !out_json.is_null() {
                // SAFETY: `out_json` is not NULL and valid for a write (caller contract).
                unsafe { give_json(out_json, &rotation) }?;
            }
            Ok(())
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { operate(registry, who, out_error, op) }
    }
}

/// Runs `op` on the registry without a principal (host-level calls).
///
/// # Safety
/// `registry` must be NULL or a live registry; `out_error` must be NULL or valid for a write
/// of a pointer.
unsafe fn host_call(
    registry: *const vrs_registry,
    out_error: *mut *mut vrs_error,
    op: impl FnOnce(&mut Registry) -> Result<(), Failure>,
) -> vrs_status {
    let result = (|| {
        // SAFETY: the caller guarantees `registry` is NULL or a live registry.
        let handle = unsafe { arg_ref("registry", registry) }?;
        let mut registry = handle.lock()?;
        op(&mut registry)
    })();
    // SAFETY: forwarded caller contract.
    unsafe { finish(result, out_error) }
}

/// Writes to `*out_anchor` the store's current anchor, `vrs-anchor-1:<commits>:<64 hex
/// digits>` (no personal data, no key), for the host to keep outside the store: a store rolled
/// back as a whole to an older copy is authentic in itself, and only the kept anchor tells
/// (`vrs_registry_check_anchor`). Keep it after every write for full protection, or
/// periodically to bound what a rollback can forget. A host-level call: no principal, not
/// audited.
///
/// Returns `VRS_OK`; `VRS_TAMPERED` (the anchor is missing, forged, or older than one this
/// registry saw); `VRS_NULL_ARGUMENT`; store failures. `*out_anchor` (free it with
/// `vrs_bytes_free`) is written only on `VRS_OK`.
///
/// # Safety
/// `registry` must be NULL or a live registry; `out_anchor` and `out_error` must be NULL or
/// valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_anchor(
    registry: *const vrs_registry,
    out_anchor: *mut *mut vrs_bytes,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry| -> Result<(), Failure> {
            arg_out("out_anchor", out_anchor)?;
            let anchor = reg.anchor()?.to_string();
            // SAFETY: `out_anchor` is not NULL (checked above) and valid for a write.
            unsafe { out_anchor.write(to_c(vrs_bytes::new(anchor.into_bytes()))) };
            Ok(())
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { host_call(registry, out_error, op) }
    }
}

/// Compares an anchor the host kept (`anchor`, `anchor_len` bytes, from `vrs_registry_anchor`)
/// with the store; call it right after opening. Writes to `*out_newer_commits` (when not NULL)
/// how many commits the store has beyond the kept anchor (0: exactly as kept; more: keep the new
/// anchor). A host-level call: no principal, not audited.
///
/// Returns `VRS_OK`; `VRS_TAMPERED` when the store is older than the kept anchor or differs
/// from it at the same commit (rolled back or replaced) — the registry then refuses everything
/// but inspection; `VRS_INVALID_ARGUMENT` (not an anchor); `VRS_INVALID_UTF8`;
/// `VRS_NULL_ARGUMENT`; store failures.
///
/// # Safety
/// `registry` must be NULL or a live registry; `anchor` must be NULL or valid for reads of
/// `anchor_len` bytes; `out_newer_commits` must be NULL or valid for a write of a `uint64_t`;
/// `out_error` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_registry_check_anchor(
    registry: *const vrs_registry,
    anchor: *const u8,
    anchor_len: usize,
    out_newer_commits: *mut u64,
    out_error: *mut *mut vrs_error,
) -> vrs_status {
    ffi_fn! {
        let op = |reg: &mut Registry| -> Result<(), Failure> {
            // SAFETY: the caller guarantees `anchor` is NULL or valid for `anchor_len` bytes.
            let text = unsafe { arg_text("anchor", anchor, anchor_len) }?;
            let kept: RegistryAnchor = text.parse()?;
            let newer = match reg.check_anchor(&kept)? {
                AnchorCheck::Same => 0,
                AnchorCheck::Newer { commits } => commits,
            };
            // SAFETY: `out_newer_commits` is NULL or valid for a write (caller contract).
            unsafe { give_opt(out_newer_commits, newer) };
            Ok(())
        };
        // SAFETY: the caller guarantees the contract documented above.
        unsafe { host_call(registry, out_error, op) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::error::{vrs_error_describe, vrs_error_free, vrs_error_info};
    use crate::capi::principal::{
        vrs_principal_free, vrs_principal_operator_new, vrs_principal_staff_new,
        vrs_principal_venue_new,
    };
    use crate::capi::status::{
        VRS_FORBIDDEN, VRS_IMPORT_REJECTED, VRS_INVALID_ARGUMENT, VRS_RULE, VRS_TENANT_EXISTS,
    };
    use crate::capi::{vrs_bytes_data, vrs_bytes_free, vrs_bytes_len};

    const SUBJECTS: &str =
        "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n\
        131016,1001,123456789018,0000012345,千代田 花子,チヨダ ハナコ,19800101,2,20210501\r\n";

    /// Takes the content of `bytes` and frees it.
    fn take(bytes: *mut vrs_bytes) -> String {
        // SAFETY: `bytes` is a live buffer from this library, freed once here.
        unsafe {
            let data = std::slice::from_raw_parts(vrs_bytes_data(bytes), vrs_bytes_len(bytes));
            let text = String::from_utf8(data.to_vec()).unwrap();
            vrs_bytes_free(bytes);
            text
        }
    }

    fn principal(make: impl FnOnce(*mut *mut vrs_principal) -> vrs_status) -> *mut vrs_principal {
        let mut p = std::ptr::null_mut();
        assert_eq!(make(&mut p), VRS_OK);
        p
    }

    /// The status, code and English message of an error, which is freed.
    fn take_error(e: *mut vrs_error) -> (vrs_status, String, String) {
        let mut info = std::mem::MaybeUninit::<vrs_error_info>::uninit();
        // SAFETY: `e` is a live error, freed once here; the strings are copied before.
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

    #[test]
    fn a_day_at_the_registry_through_the_c_functions() {
        let opts = vrs_registry_options {
            fixed_time_yyyymmddhhmmss: 20210701090000,
            stats_threshold: 1,
            ..Default::default()
        };
        let key = [7u8; 32];
        let mut reg = std::ptr::null_mut();
        let mut err = std::ptr::null_mut();
        let mut json = std::ptr::null_mut();
        // SAFETY: every pointer is a live local or a handle from the calls before, freed once.
        unsafe {
            assert_eq!(
                vrs_registry_open_memory(key.as_ptr(), 32, &opts, &mut reg, &mut err),
                VRS_OK
            );
            assert!(err.is_null());
            let operator = principal(|o| vrs_principal_operator_new(o));
            let staff =
                principal(|o| vrs_principal_staff_new(b"131016".as_ptr(), 6, b"u1".as_ptr(), 2, o));
            let venue = principal(|o| vrs_principal_venue_new(b"131016".as_ptr(), 6, o));
            let t = b"131016";
            assert_eq!(
                vrs_registry_create_tenant(reg, operator, t.as_ptr(), 6, &mut err),
                VRS_OK
            );
            assert_eq!(
                vrs_registry_create_tenant(reg, operator, t.as_ptr(), 6, &mut err),
                VRS_TENANT_EXISTS
            );
            assert_eq!(take_error(err).1, "tenant_exists");
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
            let file = SUBJECTS.as_bytes();
            assert_eq!(
                vrs_registry_import_subjects(
                    reg,
                    staff,
                    t.as_ptr(),
                    6,
                    file.as_ptr(),
                    file.len(),
                    VRS_IMPORT_STRICT,
                    &mut json,
                    &mut err
                ),
                VRS_OK
            );
            let outcome: serde_json::Value = serde_json::from_str(&take(json)).unwrap();
            assert_eq!(outcome["imported"], 1);
            let dose = vrs_dose_input {
                vaccinated_on_yyyymmdd: 20210630,
                manufacturer: "ファイザー".as_ptr(),
                manufacturer_len: "ファイザー".len(),
                lot: b"FA5765".as_ptr(),
                lot_len: 6,
                venue: "区民会館".as_ptr(),
                venue_len: "区民会館".len(),
                doctor: "山田一郎".as_ptr(),
                doctor_len: "山田一郎".len(),
            };
            let ocr = b"111310160000012345";
            assert_eq!(
                vrs_registry_record_dose_ocr(
                    reg,
                    venue,
                    ocr.as_ptr(),
                    18,
                    &dose,
                    &mut json,
                    &mut err
                ),
                VRS_OK
            );
            let confirmation: serde_json::Value = serde_json::from_str(&take(json)).unwrap();
            assert_eq!(confirmation["dose"], 1);
            assert_eq!(confirmation["registered_at"], "2021-07-01T09:00:00");
            // The venue cannot read the subject.
            assert_eq!(
                vrs_registry_subject_doses(
                    reg,
                    venue,
                    t.as_ptr(),
                    6,
                    b"1001".as_ptr(),
                    4,
                    &mut json,
                    &mut err
                ),
                VRS_FORBIDDEN
            );
            assert_eq!(take_error(err).1, "forbidden");
            // A future dose is a rule error naming the rule.
            vrs_registry_set_time(reg, 20210629090000);
            let later = b"121310160000012345";
            assert_eq!(
                vrs_registry_record_dose_ocr(
                    reg,
                    venue,
                    later.as_ptr(),
                    18,
                    &dose,
                    &mut json,
                    &mut err
                ),
                VRS_RULE
            );
            let (status, code, message) = take_error(err);
            assert_eq!((status, code.as_str()), (VRS_RULE, "rule"));
            assert!(message.contains("D02"), "{message}");
            assert_eq!(
                vrs_registry_set_time(reg, 20211399000000),
                VRS_INVALID_ARGUMENT
            );
            vrs_registry_set_time(reg, 20210701090000);
            // A strict import with a bad row is rejected with the outcome in the error.
            let bad = SUBJECTS.replace("123456789018", "123456789013");
            assert_eq!(
                vrs_registry_import_subjects(
                    reg,
                    staff,
                    t.as_ptr(),
                    6,
                    bad.as_ptr(),
                    bad.len(),
                    VRS_IMPORT_STRICT,
                    &mut json,
                    &mut err
                ),
                VRS_IMPORT_REJECTED
            );
            let mut doc = std::ptr::null_mut();
            assert_eq!(crate::capi::vrs_error_json(err, &mut doc), VRS_OK);
            let doc = take(doc);
            assert!(!doc.contains("123456789013"), "{doc}");
            let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
            assert_eq!(doc["import"]["rejected_rows"][0]["code"], "N01");
            vrs_error_free(err);

            let mut rows = 0u64;
            assert_eq!(
                vrs_registry_export_ledger(
                    reg,
                    staff,
                    t.as_ptr(),
                    6,
                    std::ptr::null(),
                    &mut json,
                    &mut rows,
                    &mut err
                ),
                VRS_OK
            );
            let ledger = take(json);
            assert_eq!(rows, 1);
            assert!(
                ledger.contains("1001,20210701090000,20210630,0000012345,131016,区民会館"),
                "{ledger}"
            );
            assert!(!ledger.contains("123456789018"));

            let dims = [VRS_DIMENSION_MUNICIPALITY, VRS_DIMENSION_DOSE];
            assert_eq!(
                vrs_registry_stats(reg, staff, dims.as_ptr(), 2, &mut json, &mut err),
                VRS_OK
            );
            let stats: serde_json::Value = serde_json::from_str(&take(json)).unwrap();
            assert_eq!(stats["cells"][0]["count"], 1, "{stats}");
            let mut ok = false;
            assert_eq!(
                vrs_registry_verify_audit(
                    reg,
                    operator,
                    t.as_ptr(),
                    6,
                    &mut ok,
                    std::ptr::null_mut(),
                    &mut err
                ),
                VRS_OK
            );
            assert!(ok);
            assert_eq!(
                vrs_registry_verify_store(reg, operator, &mut ok, &mut json, &mut err),
                VRS_OK
            );
            assert!(ok, "{}", take(json));
            // NULL handles give statuses and details.
            assert_eq!(
                vrs_registry_create_tenant(std::ptr::null(), operator, t.as_ptr(), 6, &mut err),
                VRS_NULL_ARGUMENT
            );
            assert_eq!(take_error(err).2, "registry is NULL");
            for p in [operator, staff, venue] {
                vrs_principal_free(p);
            }
            vrs_registry_free(reg);
            vrs_registry_free(std::ptr::null_mut());
        }
    }
}
