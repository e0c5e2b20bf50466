//! [`Registry`]: the VRS record model (tenants, staff, subjects, vouchers, doses, flags,
//! exports, statistics, the audit chain) over a SQLite store directory or in memory.
//!
//! Every operation takes the calling [`Principal`] first; what each may do is the table of
//! `vrs_core::registry`. Results are records; a refused or failed operation raises a
//! [`VrsError`] (`Forbidden`, `Rule`, `Conflict`, `ImportRejected`...) and changes nothing but
//! the audit log, which records every call.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use vrs_core::codec::WriteOptions;
use vrs_core::date::DateTime;
use vrs_core::id::{self as core_id, AddresseeNumber, MunicipalityCode, VoucherNumber};
use vrs_core::registry as core;
use vrs_core::vaccine::DoseNumber;

use super::error::both;
use super::{parse_date_arg, Encoding, Lang, Report, VrsError};
use crate::host::{self, HostClock, Settings};

/// Who calls a registry operation. The host authenticates the person or device, then names
/// the matching principal.
///
/// In Python `vrs.Principal.MUNICIPAL_STAFF(tenant="131016", user_id="u1")`,
/// `vrs.Principal.OPERATOR()`; in Kotlin `Principal.MunicipalStaff("131016", "u1")`,
/// `Principal.Operator`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Principal {
    /// A municipal staff member whose login ID the operator registered for the municipality:
    /// full access to their own tenant.
    MunicipalStaff {
        /// The municipality code they work for.
        tenant: String,
        /// Their login ID.
        user_id: String,
    },
    /// A vaccination venue's tablet: records doses by OCR line for its municipality and sees
    /// only the confirmation.
    VenueTablet {
        /// The municipality code that issued the tablet.
        tenant: String,
    },
    /// A prefecture: statistics of its own municipalities.
    PrefectureViewer {
        /// Prefecture number 1 (Hokkaido) .. 47 (Okinawa).
        prefecture: u8,
    },
    /// The state: statistics of every municipality.
    NationalViewer,
    /// The operations contractor: tenants, staff user IDs, audit, maintenance; no personal data.
    Operator,
}

impl Principal {
    /// The core principal, checking the codes.
    pub(super) fn to_core(&self) -> Result<core::Principal, VrsError> {
        Ok(match self {
            Principal::MunicipalStaff { tenant, user_id } => core::Principal::MunicipalStaff {
                tenant: code("principal.tenant", tenant)?,
                user_id: user_id.clone(),
            },
            Principal::VenueTablet { tenant } => core::Principal::VenueTablet {
                tenant: code("principal.tenant", tenant)?,
            },
            Principal::PrefectureViewer { prefecture } => {
                if !(1..=47).contains(prefecture) {
                    return Err(VrsError::InvalidArgument(both(
                        format!(
                            "principal.prefecture: a prefecture is 1 to 47, found {prefecture}"
                        ),
                        format!(
                            "principal.prefecture：都道府県番号は1～47です（指定は{prefecture}）"
                        ),
                    )));
                }
                core::Principal::PrefectureViewer {
                    prefecture: *prefecture,
                }
            }
            Principal::NationalViewer => core::Principal::NationalViewer,
            Principal::Operator => core::Principal::Operator,
        })
    }
}

/// A municipality code argument.
pub(super) fn code(what: &str, s: &str) -> Result<MunicipalityCode, VrsError> {
    MunicipalityCode::parse(s).map_err(|e| VrsError::id_option(what, &e))
}

/// A voucher number argument.
fn voucher(what: &str, s: &str) -> Result<VoucherNumber, VrsError> {
    VoucherNumber::parse(s).map_err(|e| VrsError::id_option(what, &e))
}

/// An addressee number argument.
pub(super) fn addressee(what: &str, s: &str) -> Result<AddresseeNumber, VrsError> {
    AddresseeNumber::parse(s).map_err(|e| VrsError::id_option(what, &e))
}

/// A required date argument (`YYYY-MM-DD` or `YYYYMMDD`).
pub(super) fn date(what: &str, s: &str) -> Result<vrs_core::date::Date, VrsError> {
    parse_date_arg(what, s)
}

/// A time argument (`YYYY-MM-DDTHH:MM:SS` or `YYYYMMDDHHMMSS`).
fn time(what: &str, s: Option<&str>) -> Result<Option<DateTime>, VrsError> {
    s.map(|s| {
        host::parse_time(s).map_err(|e| {
            VrsError::InvalidArgument(both(
                format!("{what}: {e} (use YYYY-MM-DDTHH:MM:SS or YYYYMMDDHHMMSS)"),
                format!(
                    "{what}：{}（YYYY-MM-DDTHH:MM:SS または YYYYMMDDHHMMSS で指定してください）",
                    e.message_ja()
                ),
            ))
        })
    })
    .transpose()
}

/// How a [`Registry`] is set up. Every field has a default.
#[derive(Debug, Clone, PartialEq, Eq, Default, uniffi::Record)]
pub struct RegistryOptions {
    /// Pin the registry's clock at this Japan time, `YYYY-MM-DDTHH:MM:SS` (or
    /// `YYYYMMDDHHMMSS`); `None` (default): the system clock. The time dates registrations and
    /// audit entries and is the "today" of the no-future-dates rules.
    #[uniffi(default = None)]
    pub fixed_time: Option<String>,
    /// Staff user IDs a tenant may register unless the operator raised its quota; `None`
    /// (default): 10.
    #[uniffi(default = None)]
    pub staff_quota: Option<u32>,
    /// Statistics cells counting fewer doses than this are suppressed; `None` (default): 10.
    #[uniffi(default = None)]
    pub stats_threshold: Option<u64>,
    /// Data rows per committed batch in lenient imports; `None` (default): 10,000.
    #[uniffi(default = None)]
    pub import_batch_rows: Option<u32>,
}

impl RegistryOptions {
    fn settings(&self) -> Result<(Settings, Option<DateTime>), VrsError> {
        let settings = Settings {
            staff_quota: self.staff_quota,
            stats_threshold: self.stats_threshold,
            import_batch_rows: self
                .import_batch_rows
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        };
        Ok((settings, time("fixed_time", self.fixed_time.as_deref())?))
    }
}

/// How an import treats rows with problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, uniffi::Enum)]
pub enum ImportMode {
    /// All or nothing: any rejected row and nothing is imported ([`VrsError::ImportRejected`]).
    #[default]
    Strict,
    /// Import the valid rows in committed batches; the outcome lists the rejected ones.
    Lenient,
}

impl From<ImportMode> for core::ImportMode {
    fn from(m: ImportMode) -> Self {
        match m {
            ImportMode::Strict => core::ImportMode::Strict,
            ImportMode::Lenient => core::ImportMode::Lenient,
        }
    }
}

/// A row an import did not take.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RejectedRow {
    /// Physical line in the file (header = 1).
    pub line: u64,
    /// The rule (diagnostics catalogue code, e.g. `N01`).
    pub code: String,
    /// Why, in English (never the My Number).
    pub message_en: String,
    /// Why, in Japanese.
    pub message_ja: String,
}

/// What an import did.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ImportOutcome {
    /// Data rows in the file.
    pub rows: u64,
    /// Rows that created or changed records.
    pub imported: u64,
    /// Rows identical to what was stored already.
    pub unchanged: u64,
    /// Rows not imported (validation errors or conflicts with stored data).
    pub rejected: u64,
    /// The first 1,000 rejected rows.
    pub rejected_rows: Vec<RejectedRow>,
    /// Transactions committed (lenient: one per batch; strict: one).
    pub batches_committed: u64,
    /// The same file was imported completely before; nothing was done.
    pub already_imported: bool,
    /// The validation report of the file.
    pub validation: Arc<Report>,
}

impl From<core::ImportOutcome> for ImportOutcome {
    fn from(o: core::ImportOutcome) -> Self {
        ImportOutcome {
            rows: o.rows,
            imported: o.imported,
            unchanged: o.unchanged,
            rejected: o.rejected,
            rejected_rows: o.rejected_rows.into_iter().map(rejected_row).collect(),
            batches_committed: o.batches_committed,
            already_imported: o.already_imported,
            validation: Report::new(o.validation, Lang::Ja),
        }
    }
}

fn rejected_row(r: core::RejectedRow) -> RejectedRow {
    RejectedRow {
        line: r.line,
        code: r.code,
        message_en: r.message_en,
        message_ja: r.message_ja,
    }
}

/// One dose as a venue or staff member enters it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DoseInput {
    /// Vaccination date, `YYYY-MM-DD` or `YYYYMMDD`.
    pub vaccinated_on: String,
    /// Manufacturer as written (any accepted spelling, e.g. `ファイザー`).
    pub manufacturer: String,
    /// Lot number (1-20 of `[0-9A-Za-z-]`).
    pub lot: String,
    /// Venue name (at most 30 characters).
    pub venue: String,
    /// Doctor's name (at most 20 characters).
    pub doctor: String,
}

impl DoseInput {
    fn to_core(&self) -> Result<core::DoseInput, VrsError> {
        Ok(core::DoseInput::new(
            date("vaccinated_on", &self.vaccinated_on)?,
            &self.manufacturer,
            &self.lot,
            &self.venue,
            &self.doctor,
        ))
    }
}

/// What a venue sees after recording a dose: no name, no My Number.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DoseConfirmation {
    /// The voucher the dose was recorded on.
    pub voucher_number: String,
    /// Dose number.
    pub dose: u8,
    /// Vaccination date (`YYYY-MM-DD`).
    pub vaccinated_on: String,
    /// Registration time (`YYYY-MM-DDTHH:MM:SS`, Japan time).
    pub registered_at: String,
    /// The same dose was recorded before; nothing changed.
    pub already_recorded: bool,
    /// The voucher is not linked to a subject yet: the dose waits in the awaiting list.
    pub awaiting_registration: bool,
    /// Warning rule codes (e.g. `L02`, dose after a move-out).
    pub warnings: Vec<String>,
}

impl From<core::DoseConfirmation> for DoseConfirmation {
    fn from(c: core::DoseConfirmation) -> Self {
        DoseConfirmation {
            voucher_number: c.voucher_number,
            dose: c.dose,
            vaccinated_on: c.vaccinated_on,
            registered_at: c.registered_at,
            already_recorded: c.already_recorded,
            awaiting_registration: c.awaiting_registration,
            warnings: c.warnings,
        }
    }
}

/// How a request names a subject.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SubjectRef {
    /// By addressee number (宛名番号).
    Addressee {
        /// The addressee number.
        number: String,
    },
    /// By one of their voucher numbers (券番号).
    Voucher {
        /// The voucher number.
        number: String,
    },
}

impl SubjectRef {
    fn to_core(&self) -> Result<core::SubjectRef, VrsError> {
        Ok(match self {
            SubjectRef::Addressee { number } => {
                core::SubjectRef::Addressee(addressee("subject", number)?)
            }
            SubjectRef::Voucher { number } => {
                core::SubjectRef::Voucher(voucher("subject", number)?)
            }
        })
    }
}

/// A flag on a subject. Flags never delete data.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Flag {
    /// Moved out (転出): later doses under this tenant's vouchers get warning L02.
    MovedOut {
        /// Move-out date, `YYYY-MM-DD` or `YYYYMMDD`.
        date: String,
        /// The destination municipality code, when known.
        destination: Option<String>,
    },
    /// Died (死亡): later doses are refused (rule L01).
    Deceased {
        /// Date of death, `YYYY-MM-DD` or `YYYYMMDD`.
        date: String,
    },
}

/// One dose as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DoseView {
    /// Dose number.
    pub dose: u8,
    /// Vaccination date (`YYYY-MM-DD`).
    pub vaccinated_on: String,
    /// The voucher it was recorded on.
    pub voucher_number: String,
    /// Manufacturer (canonical spelling).
    pub manufacturer: String,
    /// Lot number.
    pub lot: String,
    /// Venue name.
    pub venue: String,
    /// Doctor's name.
    pub doctor: String,
    /// Registration time (`YYYY-MM-DDTHH:MM:SS`).
    pub registered_at: String,
    /// `venue`, `staff` or `upload`.
    pub source: String,
}

/// A flag as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FlagView {
    /// `moved-out` or `deceased`.
    pub kind: String,
    /// Effective date (`YYYY-MM-DD`).
    pub date: String,
    /// Destination municipality of a move, when known.
    pub destination: Option<String>,
}

/// One subject's record as staff see it: never the My Number.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SubjectDoses {
    /// Addressee number.
    pub addressee: String,
    /// Name.
    pub name: String,
    /// Name in katakana.
    pub name_kana: String,
    /// Birth date (`YYYY-MM-DD`).
    pub birth_date: String,
    /// `1` male, `2` female.
    pub sex: u8,
    /// Whether a My Number is on file (the number itself is never returned).
    pub has_my_number: bool,
    /// Voucher numbers, oldest first.
    pub vouchers: Vec<String>,
    /// Flags.
    pub flags: Vec<FlagView>,
    /// Doses, by dose number (voided doses are not among them).
    pub doses: Vec<DoseView>,
    /// Corrections and voids of the subject's doses, oldest first.
    pub history: Vec<DoseHistoryEntry>,
}

/// New values for a stored dose's fields; `None` keeps the stored value.
#[derive(Debug, Clone, PartialEq, Eq, Default, uniffi::Record)]
pub struct DoseCorrection {
    /// Vaccination date, `YYYY-MM-DD` or `YYYYMMDD`.
    #[uniffi(default = None)]
    pub vaccinated_on: Option<String>,
    /// Manufacturer, any accepted spelling.
    #[uniffi(default = None)]
    pub manufacturer: Option<String>,
    /// Lot number.
    #[uniffi(default = None)]
    pub lot: Option<String>,
    /// Venue name.
    #[uniffi(default = None)]
    pub venue: Option<String>,
    /// Doctor's name.
    #[uniffi(default = None)]
    pub doctor: Option<String>,
}

impl DoseCorrection {
    fn to_core(&self) -> Result<core::DoseCorrection, VrsError> {
        Ok(core::DoseCorrection {
            vaccinated_on: self
                .vaccinated_on
                .as_deref()
                .map(|d| date("correction.vaccinated_on", d))
                .transpose()?,
            manufacturer: self.manufacturer.clone(),
            lot: self.lot.clone(),
            venue: self.venue.clone(),
            doctor: self.doctor.clone(),
        })
    }
}

/// What a correction or void did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DoseChange {
    /// The voucher the dose is recorded on.
    pub voucher_number: String,
    /// Dose number.
    pub dose: u8,
    /// `corrected` or `voided`.
    pub action: String,
    /// `false` when the correction equals what is stored: nothing was changed or recorded.
    pub changed: bool,
    /// The dose as stored now (`None` after a void).
    pub dose_now: Option<DoseView>,
    /// Warning rule codes for the corrected dose (e.g. `L02`).
    pub warnings: Vec<String>,
}

impl From<core::DoseChange> for DoseChange {
    fn from(c: core::DoseChange) -> Self {
        DoseChange {
            voucher_number: c.voucher_number,
            dose: c.dose,
            action: c.action,
            changed: c.changed,
            dose_now: c.dose_now.map(DoseView::from),
            warnings: c.warnings,
        }
    }
}

/// One correction or void in a subject's dose history.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DoseHistoryEntry {
    /// The voucher the dose is recorded on.
    pub voucher_number: String,
    /// Dose number.
    pub dose: u8,
    /// `corrected` or `voided`.
    pub action: String,
    /// When (`YYYY-MM-DDTHH:MM:SS`, Japan time).
    pub at: String,
    /// Pseudonym of the staff user who made the change (as in the audit log).
    pub by: String,
    /// Why, as the staff user wrote it.
    pub reason: String,
    /// The dose before the change.
    pub before: DoseView,
}

impl From<core::DoseView> for DoseView {
    fn from(d: core::DoseView) -> Self {
        DoseView {
            dose: d.dose,
            vaccinated_on: d.vaccinated_on,
            voucher_number: d.voucher_number,
            manufacturer: d.manufacturer,
            lot: d.lot,
            venue: d.venue,
            doctor: d.doctor,
            registered_at: d.registered_at,
            source: d.source,
        }
    }
}

impl From<core::SubjectDoses> for SubjectDoses {
    fn from(s: core::SubjectDoses) -> Self {
        SubjectDoses {
            addressee: s.addressee,
            name: s.name,
            name_kana: s.name_kana,
            birth_date: s.birth_date,
            sex: s.sex,
            has_my_number: s.has_my_number,
            vouchers: s.vouchers,
            flags: s
                .flags
                .into_iter()
                .map(|f| FlagView {
                    kind: f.kind,
                    date: f.date,
                    destination: f.destination,
                })
                .collect(),
            doses: s.doses.into_iter().map(DoseView::from).collect(),
            history: s
                .history
                .into_iter()
                .map(|h| DoseHistoryEntry {
                    voucher_number: h.voucher_number,
                    dose: h.dose,
                    action: h.action,
                    at: h.at,
                    by: h.by,
                    reason: h.reason,
                    before: h.before.into(),
                })
                .collect(),
        }
    }
}

/// How an export is written. Every field has a default.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExportOptions {
    /// Output encoding; `None` (default) means UTF-8. With CP932 a name it cannot hold fails
    /// the export ([`VrsError::Export`]), never replaced.
    #[uniffi(default = None)]
    pub encoding: Option<Encoding>,
    /// Start with a UTF-8 byte-order mark (default `false`; ignored for CP932).
    #[uniffi(default = false)]
    pub bom: bool,
    /// Write the header row (default `true`).
    #[uniffi(default = true)]
    pub header: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            encoding: None,
            bom: false,
            header: true,
        }
    }
}

/// A dimension statistics can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Dimension {
    /// The municipality holding the dose.
    Municipality,
    /// The dose number.
    Dose,
    /// The week of vaccination (its Monday).
    Week,
    /// The manufacturer (canonical spelling).
    Manufacturer,
    /// The age band on the vaccination day (`12-17`, `90+`, `unknown`).
    AgeBand,
}

impl From<Dimension> for core::Dimension {
    fn from(d: Dimension) -> Self {
        match d {
            Dimension::Municipality => core::Dimension::Municipality,
            Dimension::Dose => core::Dimension::Dose,
            Dimension::Week => core::Dimension::Week,
            Dimension::Manufacturer => core::Dimension::Manufacturer,
            Dimension::AgeBand => core::Dimension::AgeBand,
        }
    }
}

impl From<core::Dimension> for Dimension {
    fn from(d: core::Dimension) -> Self {
        match d {
            core::Dimension::Municipality => Dimension::Municipality,
            core::Dimension::Dose => Dimension::Dose,
            core::Dimension::Week => Dimension::Week,
            core::Dimension::Manufacturer => Dimension::Manufacturer,
            core::Dimension::AgeBand => Dimension::AgeBand,
        }
    }
}

/// One statistics cell: the values of the grouped dimensions (`None` for the others) and the
/// count.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StatsCell {
    /// Municipality code.
    pub municipality: Option<String>,
    /// Dose number.
    pub dose: Option<u8>,
    /// Monday of the week (`YYYY-MM-DD`).
    pub week: Option<String>,
    /// Manufacturer.
    pub manufacturer: Option<String>,
    /// Age band.
    pub age_band: Option<String>,
    /// Doses counted; `None` when fewer than the threshold (suppressed).
    pub count: Option<u64>,
}

/// Dose statistics as a viewer receives them.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Stats {
    /// The dimensions grouped by (sorted, without duplicates).
    pub group_by: Vec<Dimension>,
    /// Cells under this count are suppressed.
    pub threshold: u64,
    /// Number of suppressed cells.
    pub suppressed: u64,
    /// The cells, ordered by their dimension values.
    pub cells: Vec<StatsCell>,
}

impl From<core::Stats> for Stats {
    fn from(s: core::Stats) -> Self {
        Stats {
            group_by: s.group_by.into_iter().map(Dimension::from).collect(),
            threshold: s.threshold,
            suppressed: s.suppressed,
            cells: s
                .cells
                .into_iter()
                .map(|c| StatsCell {
                    municipality: c.municipality,
                    dose: c.dose,
                    week: c.week,
                    manufacturer: c.manufacturer,
                    age_band: c.age_band,
                    count: c.count,
                })
                .collect(),
        }
    }
}

/// The result of verifying one audit chain.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuditVerification {
    /// The chain: a municipality code, or `registry`.
    pub chain: String,
    /// Entries found.
    pub entries: u64,
    /// `true` when every entry and the MAC-protected head check out.
    pub ok: bool,
    /// The first entry (sequence number) that is altered, missing or out of place.
    pub first_bad: Option<u64>,
    /// What is wrong there.
    pub problem: Option<String>,
}

impl From<core::AuditVerification> for AuditVerification {
    fn from(v: core::AuditVerification) -> Self {
        AuditVerification {
            chain: v.chain,
            entries: v.entries,
            ok: v.ok,
            first_bad: v.first_bad,
            problem: v.problem,
        }
    }
}

/// One audit entry. Holds no personal data: record keys are pseudonyms, staff user IDs are
/// pseudonymised.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuditEntry {
    /// Position in its chain, from 1.
    pub seq: u64,
    /// When (Japan time, `YYYY-MM-DDTHH:MM:SS`).
    pub at: String,
    /// The principal's role: `staff`, `venue`, `prefecture`, `national`, `operator`.
    pub role: String,
    /// The principal's municipality (staff, venue) or prefecture number.
    pub scope: Option<String>,
    /// Pseudonym of the staff user ID.
    pub user: Option<String>,
    /// The operation (`import`, `record-dose`, `set-flag`...).
    pub op: String,
    /// Affected record keys (pseudonyms, hex), at most 32.
    pub records: Vec<String>,
    /// Number of affected records.
    pub record_count: u64,
    /// SHA-256 over all affected record keys (hex).
    pub records_digest: String,
    /// `ok`, `refused` or `failed`.
    pub outcome: String,
    /// The error code of a refused or failed operation (`forbidden`...).
    pub code: Option<String>,
    /// What an operation that names no records counted (a purge: `doses`, `vouchers`,
    /// `subjects`...).
    pub counts: Option<std::collections::HashMap<String, u64>>,
    /// Hash of the previous entry (hex).
    pub prev: String,
}

impl From<core::AuditEntry> for AuditEntry {
    fn from(e: core::AuditEntry) -> Self {
        AuditEntry {
            seq: e.seq,
            at: e.at,
            role: e.role,
            scope: e.scope,
            user: e.user,
            op: e.op,
            records: e.records,
            record_count: e.record_count,
            records_digest: e.records_digest,
            outcome: e.outcome,
            code: e.code,
            counts: e.counts.map(|c| c.into_iter().collect()),
            prev: e.prev,
        }
    }
}

/// An integrity problem [`Registry::verify_store`] found. Names no personal data.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct IntegrityFinding {
    /// Where: a municipality code, `registry`, or `chain N`.
    pub scope: String,
    /// The record kind concerned (`voucher`, `audit-head`, `content-state`...), if one is.
    pub kind: Option<String>,
    /// The pseudonymous key of the record concerned (32 hex digits), if one is.
    pub key: Option<String>,
    /// What is wrong, in English.
    pub problem: String,
}

impl From<core::IntegrityFinding> for IntegrityFinding {
    fn from(f: core::IntegrityFinding) -> Self {
        IntegrityFinding {
            scope: f.scope,
            kind: f.kind,
            key: f.key,
            problem: f.problem,
        }
    }
}

/// The result of [`Registry::verify_store`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StoreVerification {
    /// `true` when nothing below reports a problem.
    pub ok: bool,
    /// Storage problems the storage engine found (empty when none).
    pub problems: Vec<String>,
    /// One verification per audit chain: the registry-wide one, then each tenant's.
    pub chains: Vec<AuditVerification>,
    /// Every integrity finding: records that do not open, records deleted, added, altered or
    /// rolled back, chains or tenants erased or rolled back, references to missing records.
    pub findings: Vec<IntegrityFinding>,
    /// Sealed records opened.
    pub records_checked: u64,
}

/// What [`Registry::rotate_tenant_key`] did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct KeyRotation {
    /// The tenant.
    pub tenant: String,
    /// The key version replaced.
    pub from_version: u32,
    /// The key version every record is sealed with afterwards.
    pub to_version: u32,
    /// Records this call re-sealed.
    pub records: u64,
    /// Transactions this call committed.
    pub batches: u64,
    /// This call continued a rotation an earlier call did not finish.
    pub resumed: bool,
    /// Every record is sealed under `to_version`.
    pub finished: bool,
}

impl From<core::KeyRotation> for KeyRotation {
    fn from(r: core::KeyRotation) -> Self {
        KeyRotation {
            tenant: r.tenant,
            from_version: r.from_version,
            to_version: r.to_version,
            records: r.records,
            batches: r.batches,
            resumed: r.resumed,
            finished: r.finished,
        }
    }
}

/// Creates a key directory with a fresh random `master.key` (mode 0600, directory 0700), from
/// which every tenant key is derived; refuses to overwrite an existing master key. For
/// production keep keys in an HSM or KMS (the Rust `KeyProvider` trait) instead.
///
/// # Errors
/// [`VrsError::Storage`] when a master key exists already or the directory cannot be written.
#[uniffi::export]
pub fn create_key_dir(dir: String) -> Result<(), VrsError> {
    Ok(host::create_key_dir(Path::new(&dir))?)
}

/// The VRS record model over one store: tenants, staff, subjects, vouchers, doses, flags,
/// exports, statistics and a tamper-evident audit log. Open it over a store directory with
/// [`Registry::open`], or in memory with [`Registry::in_memory`].
///
/// ```python
/// reg = vrs.Registry.in_memory(bytes(32), vrs.RegistryOptions(fixed_time="2021-07-01T09:00:00"))
/// op = vrs.Principal.OPERATOR()
/// reg.create_tenant(op, "131016")
/// reg.register_staff(op, "131016", "u1")
/// staff = vrs.Principal.MUNICIPAL_STAFF(tenant="131016", user_id="u1")
/// outcome = reg.import_subjects(staff, "131016", data)
/// ```
///
/// A registry may be shared between threads: calls are serialised.
#[derive(uniffi::Object)]
pub struct Registry {
    inner: Mutex<core::Registry>,
    clock: HostClock,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry").finish_non_exhaustive()
    }
}

impl Registry {
    pub(super) fn lock(&self) -> Result<MutexGuard<'_, core::Registry>, VrsError> {
        self.inner
            .lock()
            .map_err(|_| VrsError::poisoned("registry"))
    }

    fn wrap(registry: core::Registry, clock: HostClock) -> Arc<Self> {
        Arc::new(Registry {
            inner: Mutex::new(registry),
            clock,
        })
    }
}

/// The core write options of an export.
fn write_options(o: Option<ExportOptions>) -> WriteOptions {
    let o = o.unwrap_or_default();
    WriteOptions {
        encoding: o.encoding.unwrap_or(Encoding::Utf8).into(),
        bom: o.bom,
        header: o.header,
    }
}

/// A dose number argument (1-9).
fn dose_number_arg(n: u8) -> Result<DoseNumber, VrsError> {
    DoseNumber::new(n).map_err(|e| {
        VrsError::InvalidArgument(both(
            format!("dose_number: {e}"),
            format!("dose_number：{}", e.message_ja()),
        ))
    })
}

/// An optional tenant argument.
fn tenant_opt(tenant: Option<&str>) -> Result<Option<MunicipalityCode>, VrsError> {
    tenant.map(|t| code("tenant", t)).transpose()
}

#[uniffi::export]
impl Registry {
    /// Opens the registry stored in `store_dir` (created with mode 0700 if needed), with keys
    /// from the key directory `key_dir` (see [`create_key_dir`]).
    ///
    /// # Errors
    /// [`VrsError::Crypto`] (no `master.key`, a key file others may read, a key directory that
    /// is not the store's: a new `master.key` beside a populated store is refused),
    /// [`VrsError::Storage`] (missing or unsafe key directory, database error),
    /// [`VrsError::InvalidArgument`] (a bad `fixed_time`).
    #[uniffi::constructor(default(options = None))]
    pub fn open(
        store_dir: String,
        key_dir: String,
        options: Option<RegistryOptions>,
    ) -> Result<Arc<Self>, VrsError> {
        let (settings, at) = options.unwrap_or_default().settings()?;
        let clock = HostClock::new(at);
        let registry = host::open_dirs(
            Path::new(&store_dir),
            Path::new(&key_dir),
            settings,
            clock.clone(),
        )?;
        Ok(Registry::wrap(registry, clock))
    }

    /// An empty registry held in memory, every key derived from the 32-byte `master_key`: for
    /// tests, demos and trying the API.
    ///
    /// # Errors
    /// [`VrsError::InvalidArgument`] for a key that is not 32 bytes or a bad `fixed_time`.
    #[uniffi::constructor(default(options = None))]
    pub fn in_memory(
        master_key: Vec<u8>,
        options: Option<RegistryOptions>,
    ) -> Result<Arc<Self>, VrsError> {
        let key: [u8; 32] = master_key.as_slice().try_into().map_err(|_| {
            VrsError::InvalidArgument(both(
                format!("master_key: a key is 32 bytes, got {}", master_key.len()),
                format!(
                    "master_key：鍵は32バイトです（指定は{}バイト）",
                    master_key.len()
                ),
            ))
        })?;
        let (settings, at) = options.unwrap_or_default().settings()?;
        let clock = HostClock::new(at);
        let registry = host::open_memory(key, settings, clock.clone())?;
        Ok(Registry::wrap(registry, clock))
    }

    /// Pins the clock at `at` (`YYYY-MM-DDTHH:MM:SS` or `YYYYMMDDHHMMSS`, Japan time), or with
    /// `None` lets it follow the system clock again.
    ///
    /// # Errors
    /// [`VrsError::InvalidArgument`] for an impossible time.
    pub fn set_time(&self, at: Option<String>) -> Result<(), VrsError> {
        self.clock.set(time("at", at.as_deref())?);
        Ok(())
    }

    /// Creates the tenant (municipality) `tenant`. Operator only.
    ///
    /// # Errors
    /// [`VrsError::Forbidden`], [`VrsError::TenantExists`], [`VrsError::InvalidArgument`].
    pub fn create_tenant(&self, principal: Principal, tenant: String) -> Result<(), VrsError> {
        let (p, t) = (principal.to_core()?, code("tenant", &tenant)?);
        Ok(self.lock()?.create_tenant(&p, &t)?)
    }

    /// Every tenant's municipality code, ascending. Operator only.
    ///
    /// # Errors
    /// [`VrsError::Forbidden`].
    pub fn tenants(&self, principal: Principal) -> Result<Vec<String>, VrsError> {
        let p = principal.to_core()?;
        let codes = self.lock()?.tenants(&p)?;
        Ok(codes.iter().map(|c| c.as_str().to_owned()).collect())
    }

    /// Registers the staff login ID `user_id` (1-64 characters) for `tenant`, within its
    /// quota; registering it twice does nothing. Operator only.
    ///
    /// # Errors
    /// [`VrsError::QuotaExceeded`], [`VrsError::Forbidden`], [`VrsError::UnknownTenant`],
    /// [`VrsError::InvalidArgument`].
    pub fn register_staff(
        &self,
        principal: Principal,
        tenant: String,
        user_id: String,
    ) -> Result<(), VrsError> {
        let (p, t) = (principal.to_core()?, code("tenant", &tenant)?);
        Ok(self.lock()?.register_staff(&p, &t, &user_id)?)
    }

    /// Removes a staff login ID; `true` if it was registered. Operator only.
    ///
    /// # Errors
    /// [`VrsError::Forbidden`], [`VrsError::UnknownTenant`].
    pub fn unregister_staff(
        &self,
        principal: Principal,
        tenant: String,
        user_id: String,
    ) -> Result<bool, VrsError> {
        let (p, t) = (principal.to_core()?, code("tenant", &tenant)?);
        Ok(self.lock()?.unregister_staff(&p, &t, &user_id)?)
    }

    /// Sets how many staff user IDs `tenant` may register. Operator only.
    ///
    /// # Errors
    /// [`VrsError::Forbidden`], [`VrsError::UnknownTenant`].
    pub fn set_staff_quota(
        &self,
        principal: Principal,
        tenant: String,
        quota: u32,
    ) -> Result<(), VrsError> {
        let (p, t) = (principal.to_core()?, code("tenant", &tenant)?);
        Ok(self.lock()?.set_staff_quota(&p, &t, quota)?)
    }

    /// Imports a subject and voucher registration upload (layout `subject-registration`,
    /// UTF-8 or CP932) into `tenant`. Staff of the tenant only. Strict mode (default) imports
    /// everything or nothing; lenient mode commits the valid rows. Importing the same file
    /// again changes nothing (`already_imported`).
    ///
    /// # Errors
    /// [`VrsError::ImportRejected`] listing the rejected rows (strict mode with problems, or a
    /// file-level problem in either mode), [`VrsError::Forbidden`],
    /// [`VrsError::UnknownTenant`].
    #[uniffi::method(default(mode = None))]
    pub fn import_subjects(
        &self,
        principal: Principal,
        tenant: String,
        file: Vec<u8>,
        mode: Option<ImportMode>,
    ) -> Result<ImportOutcome, VrsError> {
        let (p, t) = (principal.to_core()?, code("tenant", &tenant)?);
        let mode = mode.unwrap_or_default().into();
        Ok(self.lock()?.import_subjects(&p, &t, &file, mode)?.into())
    }

    /// Imports a bulk dose-record upload (layout `dose-upload`) into `tenant`, like
    /// [`Registry::import_subjects`]. A row breaking a registry rule is a rejected row.
    ///
    /// # Errors
    /// As for [`Registry::import_subjects`].
    #[uniffi::method(default(mode = None))]
    pub fn import_doses(
        &self,
        principal: Principal,
        tenant: String,
        file: Vec<u8>,
        mode: Option<ImportMode>,
    ) -> Result<ImportOutcome, VrsError> {
        let (p, t) = (principal.to_core()?, code("tenant", &tenant)?);
        let mode = mode.unwrap_or_default().into();
        Ok(self.lock()?.import_doses(&p, &t, &file, mode)?.into())
    }

    /// Imports a move-out/death flags upload (layout `flags`) into `tenant`, like
    /// [`Registry::import_subjects`]. A row naming an unknown subject is a rejected row.
    ///
    /// # Errors
    /// As for [`Registry::import_subjects`].
    #[uniffi::method(default(mode = None))]
    pub fn import_flags(
        &self,
        principal: Principal,
        tenant: String,
        file: Vec<u8>,
        mode: Option<ImportMode>,
    ) -> Result<ImportOutcome, VrsError> {
        let (p, t) = (principal.to_core()?, code("tenant", &tenant)?);
        let mode = mode.unwrap_or_default().into();
        Ok(self.lock()?.import_flags(&p, &t, &file, mode)?.into())
    }

    /// Issues voucher `voucher` to the registered subject `addressee` of `tenant` on
    /// `issued_on` (`YYYY-MM-DD` or `YYYYMMDD`), e.g. a booster voucher. Staff only.
    ///
    /// # Errors
    /// [`VrsError::NotFound`] (no such subject), [`VrsError::Conflict`] (V02: the voucher
    /// belongs to someone else), [`VrsError::Forbidden`], [`VrsError::InvalidArgument`].
    pub fn issue_voucher(
        &self,
        principal: Principal,
        tenant: String,
        addressee_number: String,
        voucher_number: String,
        issued_on: String,
    ) -> Result<(), VrsError> {
        let p = principal.to_core()?;
        let t = code("tenant", &tenant)?;
        let a = addressee("addressee_number", &addressee_number)?;
        let v = voucher("voucher_number", &voucher_number)?;
        let on = date("issued_on", &issued_on)?;
        Ok(self.lock()?.issue_voucher(&p, &t, &a, &v, on)?)
    }

    /// Reissues a voucher (lost, damaged, DV protection): `new_voucher` replaces `old_voucher`
    /// for the same subject. Doses scanned later from the old one are refused (L04). Staff
    /// only.
    ///
    /// # Errors
    /// [`VrsError::NotFound`], [`VrsError::Conflict`] (L04 already replaced, V02 new number
    /// in use), [`VrsError::Forbidden`], [`VrsError::InvalidArgument`].
    pub fn reissue_voucher(
        &self,
        principal: Principal,
        tenant: String,
        old_voucher: String,
        new_voucher: String,
        issued_on: String,
    ) -> Result<(), VrsError> {
        let p = principal.to_core()?;
        let t = code("tenant", &tenant)?;
        let old = voucher("old_voucher", &old_voucher)?;
        let new = voucher("new_voucher", &new_voucher)?;
        let on = date("issued_on", &issued_on)?;
        Ok(self.lock()?.reissue_voucher(&p, &t, &old, &new, on)?)
    }

    /// Records a dose from a voucher's 18-digit OCR line (strict: digits only) as scanned at a
    /// venue: the tenant is the line's municipality, the dose number its dose digit. A venue
    /// tablet or staff of that municipality only.
    ///
    /// # Errors
    /// [`VrsError::Rule`] (D02 future date, D03, D05, T01-T04, L01 after death, L04, S02; the
    /// message starts with the rule), [`VrsError::Conflict`] (S03),
    /// [`VrsError::Forbidden`], [`VrsError::UnknownTenant`], [`VrsError::InvalidArgument`].
    pub fn record_dose_ocr(
        &self,
        principal: Principal,
        ocr_line: String,
        dose: DoseInput,
    ) -> Result<DoseConfirmation, VrsError> {
        let p = principal.to_core()?;
        let line =
            core_id::OcrLine::parse(&ocr_line).map_err(|e| VrsError::id_option("ocr_line", &e))?;
        let input = dose.to_core()?;
        Ok(self.lock()?.record_dose_ocr(&p, &line, &input)?.into())
    }

    /// Records dose number `dose_number` (1-9) on voucher `voucher_number` of `tenant`, as
    /// entered by staff. Staff only.
    ///
    /// # Errors
    /// As for [`Registry::record_dose_ocr`].
    pub fn record_dose(
        &self,
        principal: Principal,
        tenant: String,
        voucher_number: String,
        dose_number: u8,
        dose: DoseInput,
    ) -> Result<DoseConfirmation, VrsError> {
        let p = principal.to_core()?;
        let t = code("tenant", &tenant)?;
        let v = voucher("voucher_number", &voucher_number)?;
        let n = dose_number_arg(dose_number)?;
        let input = dose.to_core()?;
        Ok(self.lock()?.record_dose(&p, &t, &v, n, &input)?.into())
    }

    /// Sets a move-out or death flag on a subject of `tenant`; the same kind again replaces
    /// its date. Staff only.
    ///
    /// # Errors
    /// [`VrsError::NotFound`], [`VrsError::Forbidden`], [`VrsError::InvalidArgument`].
    pub fn set_flag(
        &self,
        principal: Principal,
        tenant: String,
        subject: SubjectRef,
        flag: Flag,
    ) -> Result<(), VrsError> {
        let p = principal.to_core()?;
        let t = code("tenant", &tenant)?;
        let who = subject.to_core()?;
        let flag = match &flag {
            Flag::MovedOut {
                date: on,
                destination,
            } => core::Flag::MovedOut {
                date: date("flag.date", on)?,
                destination: destination
                    .as_deref()
                    .map(|d| code("flag.destination", d))
                    .transpose()?,
            },
            Flag::Deceased { date: on } => core::Flag::Deceased {
                date: date("flag.date", on)?,
            },
        };
        Ok(self.lock()?.set_flag(&p, &t, &who, &flag)?)
    }

    /// Corrects fields of dose `dose_number` of the person `subject` (by addressee number, or
    /// by a voucher number: the dose may be on any of their vouchers). The corrected dose is
    /// checked like a new one (D02, D03, T01-T04, T08, D05, L01, S02 against the neighbouring
    /// doses); the dose as it was is kept in the sealed history with `reason`, shown in
    /// [`SubjectDoses::history`]. A correction equal to what is stored changes nothing
    /// (`changed` false). Staff of the tenant only; audited as `correct-dose`.
    ///
    /// # Errors
    /// [`VrsError::Rule`], [`VrsError::NotFound`], [`VrsError::Forbidden`],
    /// [`VrsError::InvalidArgument`] (no field to change, missing reason).
    pub fn correct_dose(
        &self,
        principal: Principal,
        tenant: String,
        subject: SubjectRef,
        dose_number: u8,
        correction: DoseCorrection,
        reason: String,
    ) -> Result<DoseChange, VrsError> {
        let p = principal.to_core()?;
        let t = code("tenant", &tenant)?;
        let who = subject.to_core()?;
        let n = dose_number_arg(dose_number)?;
        let c = correction.to_core()?;
        Ok(self
            .lock()?
            .correct_dose(&p, &t, &who, n, &c, &reason)?
            .into())
    }

    /// Voids dose `dose_number` of the person `subject`, recorded in error: it leaves the
    /// subject's doses, the exports and the statistics, stays in the sealed history with
    /// `reason`, and the same dose number can be recorded again. Staff of the tenant only;
    /// audited as `void-dose`.
    ///
    /// # Errors
    /// [`VrsError::NotFound`], [`VrsError::Forbidden`], [`VrsError::InvalidArgument`].
    pub fn void_dose(
        &self,
        principal: Principal,
        tenant: String,
        subject: SubjectRef,
        dose_number: u8,
        reason: String,
    ) -> Result<DoseChange, VrsError> {
        let p = principal.to_core()?;
        let t = code("tenant", &tenant)?;
        let who = subject.to_core()?;
        let n = dose_number_arg(dose_number)?;
        Ok(self.lock()?.void_dose(&p, &t, &who, n, &reason)?.into())
    }

    /// The record of the subject `addressee_number` of `tenant`: name, birth date, vouchers,
    /// flags and doses, never the My Number. Staff only.
    ///
    /// # Errors
    /// [`VrsError::NotFound`], [`VrsError::Forbidden`], [`VrsError::InvalidArgument`].
    pub fn subject_doses(
        &self,
        principal: Principal,
        tenant: String,
        addressee_number: String,
    ) -> Result<SubjectDoses, VrsError> {
        let p = principal.to_core()?;
        let t = code("tenant", &tenant)?;
        let a = addressee("addressee_number", &addressee_number)?;
        Ok(self.lock()?.subject_doses(&p, &t, a.as_str())?.into())
    }

    /// The ledger export (予防接種台帳向け出力) of `tenant` as the CSV file's bytes: one row
    /// per subject with doses. The layout has no My Number column. Staff only.
    ///
    /// # Errors
    /// [`VrsError::Export`] (a name CP932 cannot hold), [`VrsError::Forbidden`].
    #[uniffi::method(default(options = None))]
    pub fn export_ledger(
        &self,
        principal: Principal,
        tenant: String,
        options: Option<ExportOptions>,
    ) -> Result<Vec<u8>, VrsError> {
        let (p, t) = (principal.to_core()?, code("tenant", &tenant)?);
        let mut file = Vec::new();
        self.lock()?
            .export_ledger(&p, &t, &mut file, write_options(options))?;
        Ok(file)
    }

    /// The awaiting-registration list of `tenant` (doses on vouchers not yet linked to a
    /// subject) as the CSV file's bytes. Staff only.
    ///
    /// # Errors
    /// As for [`Registry::export_ledger`].
    #[uniffi::method(default(options = None))]
    pub fn export_awaiting(
        &self,
        principal: Principal,
        tenant: String,
        options: Option<ExportOptions>,
    ) -> Result<Vec<u8>, VrsError> {
        let (p, t) = (principal.to_core()?, code("tenant", &tenant)?);
        let mut file = Vec::new();
        self.lock()?
            .export_awaiting(&p, &t, &mut file, write_options(options))?;
        Ok(file)
    }

    /// Dose statistics grouped by `group_by` (`None`, the default: municipality and dose; an
    /// empty list: one cell with the total). National viewers see every municipality,
    /// prefecture viewers their prefecture's, staff their own; small cells are suppressed.
    ///
    /// # Errors
    /// [`VrsError::Forbidden`] for venue tablets and the operator.
    #[uniffi::method(default(group_by = None))]
    pub fn stats(
        &self,
        principal: Principal,
        group_by: Option<Vec<Dimension>>,
    ) -> Result<Stats, VrsError> {
        let p = principal.to_core()?;
        let query = match group_by {
            None => core::StatsQuery::default(),
            Some(dims) => core::StatsQuery {
                group_by: dims.into_iter().map(core::Dimension::from).collect(),
            },
        };
        Ok(self.lock()?.stats(&p, &query)?.into())
    }

    /// Verifies the audit chain of `tenant` (`None`: the registry-wide chain). The operator,
    /// or staff for their own tenant. A broken chain is a result (`ok` false), not an error.
    ///
    /// # Errors
    /// [`VrsError::Forbidden`], [`VrsError::UnknownTenant`].
    #[uniffi::method(default(tenant = None))]
    pub fn verify_audit(
        &self,
        principal: Principal,
        tenant: Option<String>,
    ) -> Result<AuditVerification, VrsError> {
        let p = principal.to_core()?;
        let t = tenant_opt(tenant.as_deref())?;
        Ok(self.lock()?.verify_audit(&p, t.as_ref())?.into())
    }

    /// The entries of the audit chain of `tenant` (`None`: the registry-wide chain), oldest
    /// first. The operator, or staff for their own tenant.
    ///
    /// # Errors
    /// As for [`Registry::verify_audit`].
    #[uniffi::method(default(tenant = None))]
    pub fn audit_log(
        &self,
        principal: Principal,
        tenant: Option<String>,
    ) -> Result<Vec<AuditEntry>, VrsError> {
        let p = principal.to_core()?;
        let t = tenant_opt(tenant.as_deref())?;
        let entries = self.lock()?.audit_log(&p, t.as_ref())?;
        Ok(entries.into_iter().map(AuditEntry::from).collect())
    }

    /// Maintenance check of everything (operator only): the storage engine's check, the
    /// registry anchor and every chain head and content digest, every tenant's records against
    /// its digest, every sealed record opened, references between records, every audit chain.
    /// Runs on a registry in quarantine too.
    ///
    /// # Errors
    /// [`VrsError::Forbidden`]; store failures (a finding is not an error).
    pub fn verify_store(&self, principal: Principal) -> Result<StoreVerification, VrsError> {
        let p = principal.to_core()?;
        let v = self.lock()?.verify_store(&p)?;
        Ok(StoreVerification {
            ok: v.ok,
            problems: v.problems,
            chains: v.chains.into_iter().map(AuditVerification::from).collect(),
            findings: v.findings.into_iter().map(IntegrityFinding::from).collect(),
            records_checked: v.records_checked,
        })
    }

    /// Re-seals every record of `tenant` under a new version of its key (operator only), in
    /// batches, each its own transaction; calling it again after a crash continues. A registry
    /// opened over a key directory writes the new key as `<code>.v<N>.key` (keep `<code>.key`
    /// or `master.key`: record keys and the audit MAC still derive from version 1).
    ///
    /// # Errors
    /// [`VrsError::Forbidden`], [`VrsError::UnknownTenant`], [`VrsError::Crypto`] (no new key
    /// version), [`VrsError::Tampered`], store failures.
    pub fn rotate_tenant_key(
        &self,
        principal: Principal,
        tenant: String,
    ) -> Result<KeyRotation, VrsError> {
        let (p, t) = (principal.to_core()?, code("tenant", &tenant)?);
        Ok(self.lock()?.rotate_tenant_key(&p, &t)?.into())
    }

    /// The store's current anchor (`vrs-anchor-1:<commits>:<hex>`, no personal data, no key),
    /// for the host to keep outside the store: a whole store rolled back to an older copy is
    /// found only by comparing with it ([`Registry::check_anchor`]). Host-level: no principal,
    /// not audited.
    ///
    /// # Errors
    /// [`VrsError::Tampered`] when the anchor is missing, forged, or went back.
    pub fn anchor(&self) -> Result<String, VrsError> {
        Ok(self.lock()?.anchor()?.to_string())
    }

    /// Compares an anchor the host kept with the store; returns how many commits the store has
    /// beyond it (0: exactly as kept). Host-level: no principal, not audited.
    ///
    /// # Errors
    /// [`VrsError::Tampered`] when the store is older than the kept anchor or differs from it
    /// at the same commit (the registry then refuses everything but inspection);
    /// [`VrsError::InvalidArgument`] for a string that is not an anchor.
    pub fn check_anchor(&self, anchor: String) -> Result<u64, VrsError> {
        let kept: core::RegistryAnchor = anchor.parse()?;
        Ok(match self.lock()?.check_anchor(&kept)? {
            core::AnchorCheck::Same => 0,
            core::AnchorCheck::Newer { commits } => commits,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBJECTS: &str =
        "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n\
        131016,1001,123456789018,0000012345,千代田 花子,チヨダ ハナコ,19800101,2,20210501\r\n";

    fn dose(on: &str) -> DoseInput {
        DoseInput {
            vaccinated_on: on.into(),
            manufacturer: "ファイザー".into(),
            lot: "FA5765".into(),
            venue: "区民会館".into(),
            doctor: "山田一郎".into(),
        }
    }

    #[test]
    fn the_scenario_through_the_uniffi_interface() {
        let options = RegistryOptions {
            fixed_time: Some("2021-07-01T09:00:00".into()),
            stats_threshold: Some(1),
            ..Default::default()
        };
        let reg = Registry::in_memory(vec![3; 32], Some(options)).unwrap();
        let op = Principal::Operator;
        let t = "131016".to_owned();
        reg.create_tenant(op.clone(), t.clone()).unwrap();
        reg.register_staff(op.clone(), t.clone(), "u1".into())
            .unwrap();
        let staff = Principal::MunicipalStaff {
            tenant: t.clone(),
            user_id: "u1".into(),
        };
        let outcome = reg
            .import_subjects(staff.clone(), t.clone(), SUBJECTS.as_bytes().to_vec(), None)
            .unwrap();
        assert_eq!(outcome.imported, 1);
        let venue = Principal::VenueTablet { tenant: t.clone() };
        let c = reg
            .record_dose_ocr(
                venue.clone(),
                "111310160000012345".into(),
                dose("2021-06-30"),
            )
            .unwrap();
        assert_eq!(
            (c.dose, c.registered_at.as_str()),
            (1, "2021-07-01T09:00:00")
        );
        let err = reg
            .record_dose_ocr(venue, "121310160000012345".into(), dose("20210702"))
            .unwrap_err();
        assert!(matches!(err, VrsError::Rule(_)), "{err}");
        assert!(err.to_string().starts_with("rule D02: "), "{err}");
        let other = Principal::MunicipalStaff {
            tenant: "131032".into(),
            user_id: "u2".into(),
        };
        let err = reg
            .subject_doses(other, t.clone(), "1001".into())
            .unwrap_err();
        assert!(
            matches!(err, VrsError::UnknownTenant(_) | VrsError::Forbidden(_)),
            "{err}"
        );
        let ledger = reg.export_ledger(staff.clone(), t.clone(), None).unwrap();
        let ledger = String::from_utf8(ledger).unwrap();
        assert!(ledger.contains("FA5765") && !ledger.contains("123456789018"));
        let stats = reg.stats(staff.clone(), None).unwrap();
        assert_eq!(stats.cells[0].count, Some(1));
        assert!(reg.verify_audit(staff.clone(), Some(t.clone())).unwrap().ok);
        assert!(reg.verify_store(op.clone()).unwrap().ok);
        let bad = SUBJECTS.replace("123456789018", "123456789013");
        let err = reg
            .import_subjects(staff, t, bad.into_bytes(), Some(ImportMode::Strict))
            .unwrap_err();
        assert!(matches!(err, VrsError::ImportRejected(_)), "{err}");
        assert!(err.to_string().contains("line 2 N01"), "{err}");
        assert!(!err.to_string().contains("123456789013"), "{err}");
        assert!(matches!(
            Registry::in_memory(vec![0; 31], None),
            Err(VrsError::InvalidArgument(_))
        ));
        assert!(matches!(
            reg.set_time(Some("2021-13-01T00:00:00".into())),
            Err(VrsError::InvalidArgument(_))
        ));
        assert!(matches!(
            reg.tenants(Principal::PrefectureViewer { prefecture: 48 }),
            Err(VrsError::InvalidArgument(_))
        ));
    }
}
