//! The scenario file: parsed and checked completely before anything runs, so a typo in an op or
//! argument name stops the run (exit 2) instead of producing a half-run scenario.
//!
//! Structure (op names, argument names and types, principals, tenant codes, clock readings,
//! files to read) is checked here. Data arguments (voucher numbers, OCR lines, addressee
//! numbers, dates of doses and flags) are checked when their step runs: a malformed one is that
//! step's `invalid_input` error, like any other refused input.

use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};
use vrs_core::crypto::RecordKind;
use vrs_core::date::{Date, DateTime};
use vrs_core::id::{MunicipalityCode, MyNumber};
use vrs_core::layout::{self, LayoutParams};
use vrs_core::registry::{Dimension, ImportMode, Principal};
use vrs_core::text::{encode_strict, Encoding};

use super::retention_ops::{self, RetentionOp, RETENTION_OPS};

/// Why a scenario cannot run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError(pub String);

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn bad<T>(msg: impl Into<String>) -> Result<T, SpecError> {
    Err(SpecError(msg.into()))
}

/// A whole scenario, ready to run.
#[derive(Debug)]
pub struct Scenario {
    /// What it shows.
    pub description: String,
    /// The clock at the start.
    pub today: DateTime,
    /// Registry settings.
    pub config: ConfigSpec,
    /// Tenants (and their staff) created by the operator before the first step.
    pub tenants: Vec<TenantSpec>,
    /// The steps.
    pub steps: Vec<Step>,
    /// Every valid My Number found in the scenario's input files: none may appear in the
    /// output (the runner redacts and fails the step), and exports are checked against them.
    pub my_numbers: Vec<String>,
}

/// Registry settings a scenario may change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigSpec {
    /// Staff user IDs per tenant (default 10).
    pub staff_quota: Option<u32>,
    /// Statistics cells under this count are suppressed (default 10).
    pub stats_threshold: Option<u64>,
    /// Rows per committed batch in lenient imports (default 10,000).
    pub import_batch_rows: Option<usize>,
}

/// A tenant to create before the first step.
#[derive(Debug, Clone)]
pub struct TenantSpec {
    /// Its municipality code.
    pub code: MunicipalityCode,
    /// Staff user IDs to register.
    pub staff: Vec<String>,
    /// A staff quota other than the default.
    pub staff_quota: Option<u32>,
    /// Give the tenant its own key file (`<code>.key`) instead of one derived from the master key.
    pub own_key: bool,
}

/// One step.
#[derive(Debug)]
pub struct Step {
    /// Who calls (absent for the store-level ops).
    pub principal: Option<Principal>,
    /// Move the clock to this reading first.
    pub today: Option<DateTime>,
    /// The operation.
    pub op: Op,
    /// What must come out.
    pub expect: Option<Expect>,
}

/// A subject named by addressee number or by voucher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectArg {
    /// `"addressee": "1001"`.
    Addressee(String),
    /// `"voucher": "0000012345"`.
    Voucher(String),
}

/// How `record-dose` names the voucher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DoseTarget {
    /// The 18-digit OCR line (dose number and municipality come from it).
    Ocr(String),
    /// A voucher of a tenant and a dose number (staff entry).
    Voucher {
        /// The tenant.
        tenant: MunicipalityCode,
        /// Voucher number.
        voucher: String,
        /// Dose number.
        dose: u8,
    },
}

/// The dose details of `record-dose`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoseFields {
    /// Vaccination date (ISO or YYYYMMDD).
    pub vaccinated_on: String,
    /// Manufacturer.
    pub manufacturer: String,
    /// Lot.
    pub lot: String,
    /// Venue name.
    pub venue: String,
    /// Doctor's name.
    pub doctor: String,
}

/// The fields `correct-dose` changes (`None`: kept).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectionFields {
    /// Vaccination date (ISO or YYYYMMDD).
    pub vaccinated_on: Option<String>,
    /// Manufacturer.
    pub manufacturer: Option<String>,
    /// Lot.
    pub lot: Option<String>,
    /// Venue name.
    pub venue: Option<String>,
    /// Doctor's name.
    pub doctor: Option<String>,
}

/// What `tamper-audit` does to an entry.
#[derive(Debug, Clone, PartialEq)]
pub enum AuditTamper {
    /// Overwrite fields of the entry's JSON.
    Edit {
        /// Fields and their new values.
        set: Map<String, Value>,
        /// Also recompute the hash chain from this entry on (a smarter forger).
        rehash: bool,
    },
    /// Remove the entry.
    Delete,
}

/// What `tamper-record` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordTamper {
    /// Copy every record of the kind from one tenant's area into another's.
    Transplant {
        /// Source tenant.
        from: MunicipalityCode,
        /// Destination tenant.
        to: MunicipalityCode,
    },
    /// Flip one bit in every record of the kind.
    Corrupt {
        /// The tenant.
        tenant: MunicipalityCode,
    },
    /// Delete the records of the kind (the first `count` in key order, or all).
    Delete {
        /// The tenant.
        tenant: MunicipalityCode,
        /// How many (all when `None`).
        count: Option<usize>,
    },
    /// Put back the values the records of the kind had in a copy saved with `save-copy`
    /// (records present in both).
    Rollback {
        /// The tenant.
        tenant: MunicipalityCode,
        /// The saved copy's name.
        copy: String,
    },
}

/// The operations.
#[derive(Debug)]
pub enum Op {
    /// `import`: subject and voucher registration upload.
    Import {
        tenant: MunicipalityCode,
        file: Vec<u8>,
        mode: ImportMode,
    },
    /// `import-doses`: bulk dose upload.
    ImportDoses {
        tenant: MunicipalityCode,
        file: Vec<u8>,
        mode: ImportMode,
    },
    /// `import-flags`: move-out and death flags upload.
    ImportFlags {
        tenant: MunicipalityCode,
        file: Vec<u8>,
        mode: ImportMode,
    },
    /// `issue-voucher`.
    IssueVoucher {
        tenant: MunicipalityCode,
        addressee: String,
        voucher: String,
        issued_on: Option<String>,
    },
    /// `reissue-voucher`.
    ReissueVoucher {
        tenant: MunicipalityCode,
        old: String,
        new: String,
        issued_on: Option<String>,
    },
    /// `record-dose`.
    RecordDose {
        target: DoseTarget,
        dose: DoseFields,
    },
    /// `set-flag`.
    SetFlag {
        tenant: MunicipalityCode,
        subject: SubjectArg,
        deceased: bool,
        date: String,
        destination: Option<MunicipalityCode>,
    },
    /// `correct-dose`: new values for fields of a stored dose.
    CorrectDose {
        tenant: MunicipalityCode,
        subject: SubjectArg,
        dose: u8,
        fields: CorrectionFields,
        reason: String,
    },
    /// `void-dose`.
    VoidDose {
        tenant: MunicipalityCode,
        subject: SubjectArg,
        dose: u8,
        reason: String,
    },
    /// `subject-doses`.
    SubjectDoses {
        tenant: MunicipalityCode,
        addressee: String,
    },
    /// `export` (ledger) or `awaiting-list`.
    Export {
        tenant: MunicipalityCode,
        awaiting: bool,
        encoding: Encoding,
        show_csv: bool,
    },
    /// `stats`.
    Stats { group_by: Vec<Dimension> },
    /// `verify-audit` (`None`: the registry-wide chain).
    VerifyAudit { tenant: Option<MunicipalityCode> },
    /// `audit-log`.
    AuditLog {
        tenant: Option<MunicipalityCode>,
        last: Option<usize>,
    },
    /// `register-staff`.
    RegisterStaff {
        tenant: MunicipalityCode,
        user: String,
    },
    /// `set-staff-quota`.
    SetStaffQuota {
        tenant: MunicipalityCode,
        quota: u32,
    },
    /// `create-tenant`.
    CreateTenant { tenant: MunicipalityCode },
    /// `verify-store`.
    VerifyStore,
    /// `tamper-audit` (store level, no principal).
    TamperAudit {
        chain: Option<MunicipalityCode>,
        seq: Option<u64>,
        action: AuditTamper,
    },
    /// `tamper-record` (store level).
    TamperRecord {
        kind: RecordKind,
        action: RecordTamper,
    },
    /// `replace-key` (store level): a new random key file for the tenant; the registry reopens.
    ReplaceKey { tenant: MunicipalityCode },
    /// `scan-store` (store level): search the raw store files for strings.
    ScanStore { find: Vec<String> },
    /// `erase-chain` (store level): delete a chain's entries and its head record.
    EraseChain { chain: Option<MunicipalityCode> },
    /// `save-copy` (store level): keep a copy of the database under a name.
    SaveCopy { name: String },
    /// `restore-copy` (store level): put a saved copy back in place of the whole database (a
    /// whole-store rollback); the registry reopens.
    RestoreCopy { name: String },
    /// `keep-anchor` (host level): the host keeps the registry's current anchor.
    KeepAnchor,
    /// `check-anchor` (host level): the store is compared with the anchor kept.
    CheckAnchor,
    /// `rotate-key`: re-seal a tenant under a new key version (operator).
    RotateKey { tenant: MunicipalityCode },
    /// The retention ops (`national-db-provision`, `retention-list`, `purge`, `legal-hold`,
    /// `retention-minimum`).
    Retention(RetentionOp),
}

impl Op {
    /// The op's name as written in scenarios.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Import { .. } => "import",
            Op::ImportDoses { .. } => "import-doses",
            Op::ImportFlags { .. } => "import-flags",
            Op::IssueVoucher { .. } => "issue-voucher",
            Op::ReissueVoucher { .. } => "reissue-voucher",
            Op::RecordDose { .. } => "record-dose",
            Op::SetFlag { .. } => "set-flag",
            Op::CorrectDose { .. } => "correct-dose",
            Op::VoidDose { .. } => "void-dose",
            Op::SubjectDoses { .. } => "subject-doses",
            Op::Export {
                awaiting: false, ..
            } => "export",
            Op::Export { awaiting: true, .. } => "awaiting-list",
            Op::Stats { .. } => "stats",
            Op::VerifyAudit { .. } => "verify-audit",
            Op::AuditLog { .. } => "audit-log",
            Op::RegisterStaff { .. } => "register-staff",
            Op::SetStaffQuota { .. } => "set-staff-quota",
            Op::CreateTenant { .. } => "create-tenant",
            Op::VerifyStore => "verify-store",
            Op::TamperAudit { .. } => "tamper-audit",
            Op::TamperRecord { .. } => "tamper-record",
            Op::ReplaceKey { .. } => "replace-key",
            Op::ScanStore { .. } => "scan-store",
            Op::EraseChain { .. } => "erase-chain",
            Op::SaveCopy { .. } => "save-copy",
            Op::RestoreCopy { .. } => "restore-copy",
            Op::KeepAnchor => "keep-anchor",
            Op::CheckAnchor => "check-anchor",
            Op::RotateKey { .. } => "rotate-key",
            Op::Retention(r) => r.name(),
        }
    }

    /// Store-level ops act on the files directly and take no principal.
    pub fn is_store_level(&self) -> bool {
        matches!(
            self,
            Op::TamperAudit { .. }
                | Op::TamperRecord { .. }
                | Op::ReplaceKey { .. }
                | Op::ScanStore { .. }
                | Op::EraseChain { .. }
                | Op::SaveCopy { .. }
                | Op::RestoreCopy { .. }
                | Op::KeepAnchor
                | Op::CheckAnchor
        )
    }
}

/// Every op name, for messages and the README.
pub const OPS: &[&str] = &[
    "import",
    "import-doses",
    "import-flags",
    "issue-voucher",
    "reissue-voucher",
    "record-dose",
    "set-flag",
    "correct-dose",
    "void-dose",
    "subject-doses",
    "export",
    "awaiting-list",
    "stats",
    "verify-audit",
    "audit-log",
    "register-staff",
    "set-staff-quota",
    "create-tenant",
    "verify-store",
    "tamper-audit",
    "tamper-record",
    "replace-key",
    "scan-store",
    "erase-chain",
    "save-copy",
    "restore-copy",
    "keep-anchor",
    "check-anchor",
    "rotate-key",
];

/// A step's expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    /// Whether the step succeeds.
    pub ok: Option<bool>,
    /// The error: a string (its `code` or its `rule`) or an object (a subset of the error).
    pub error: Option<Value>,
    /// A subset of the result.
    pub result: Option<Value>,
    /// Strings the output line must contain.
    pub contains: Vec<String>,
    /// Strings the output line must not contain.
    pub not_contains: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectJson {
    ok: Option<bool>,
    error: Option<Value>,
    result: Option<Value>,
    #[serde(default)]
    contains: Vec<String>,
    #[serde(default)]
    not_contains: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioJson {
    #[serde(default)]
    description: String,
    today: String,
    #[serde(default)]
    config: ConfigSpec,
    #[serde(default)]
    tenants: Vec<TenantJson>,
    #[serde(default)]
    principals: Map<String, Value>,
    steps: Vec<Map<String, Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantJson {
    code: String,
    #[serde(default)]
    staff: Vec<String>,
    staff_quota: Option<u32>,
    #[serde(default)]
    own_key: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PrincipalFields {
    role: String,
    tenant: Option<String>,
    user: Option<String>,
    prefecture: Option<u8>,
}

/// The file of an import: exactly one of `file`, `rows`, `file_path`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportJson {
    tenant: Option<String>,
    file: Option<String>,
    rows: Option<Vec<String>>,
    file_path: Option<String>,
    encoding: Option<String>,
    mode: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IssueJson {
    tenant: Option<String>,
    addressee: String,
    voucher: String,
    issued_on: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReissueJson {
    tenant: Option<String>,
    old: String,
    new: String,
    issued_on: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DoseJson {
    tenant: Option<String>,
    ocr: Option<String>,
    voucher: Option<String>,
    dose: Option<u8>,
    vaccinated_on: String,
    manufacturer: Option<String>,
    lot: Option<String>,
    venue: Option<String>,
    doctor: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlagJson {
    tenant: Option<String>,
    addressee: Option<String>,
    voucher: Option<String>,
    flag: String,
    date: String,
    destination: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeJson {
    tenant: Option<String>,
    addressee: Option<String>,
    voucher: Option<String>,
    dose: u8,
    reason: String,
    /// `correct-dose` only.
    set: Option<CorrectionFields>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubjectJson {
    tenant: Option<String>,
    addressee: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportJson {
    tenant: Option<String>,
    encoding: Option<String>,
    #[serde(default)]
    show_csv: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatsJson {
    group_by: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChainJson {
    tenant: Option<String>,
    last: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StaffJson {
    tenant: String,
    user: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuotaJson {
    tenant: String,
    quota: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantArgJson {
    tenant: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoArgsJson {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TamperAuditJson {
    tenant: String,
    seq: Option<u64>,
    action: String,
    set: Option<Map<String, Value>>,
    #[serde(default)]
    rehash: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TamperRecordJson {
    action: String,
    kind: String,
    tenant: Option<String>,
    from: Option<String>,
    to: Option<String>,
    count: Option<usize>,
    copy: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CopyJson {
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScanJson {
    #[serde(default)]
    find: Vec<String>,
}

/// Default dose details, so a scenario names only what matters to it.
pub const DEFAULT_MANUFACTURER: &str = "ファイザー";
/// Default lot.
pub const DEFAULT_LOT: &str = "FA5765";
/// Default venue.
pub const DEFAULT_VENUE: &str = "区民会館";
/// Default doctor.
pub const DEFAULT_DOCTOR: &str = "山田一郎";

/// Parses a clock reading: `2021-07-01` (09:00:00), `20210701`, or `2021-07-01T10:30:00`.
pub fn parse_clock(s: &str) -> Result<DateTime, SpecError> {
    if let Ok(t) = DateTime::parse_iso(s) {
        return Ok(t);
    }
    let date = parse_date(s).map_err(SpecError)?;
    DateTime::new(date, 9, 0, 0).map_err(|e| SpecError(e.to_string()))
}

/// Parses a date: `2021-07-01` or `20210701`.
pub fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse_iso(s)
        .or_else(|_| Date::parse_yyyymmdd(s))
        .map_err(|e| format!("bad date {s:?}: {e}"))
}

fn municipality(s: &str, what: &str) -> Result<MunicipalityCode, SpecError> {
    MunicipalityCode::parse(s).map_err(|e| SpecError(format!("{what}: {e}")))
}

/// Principals named in the scenario's `principals` object.
pub type Names = std::collections::BTreeMap<String, Principal>;

/// Parses a principal: `"operator"`, `"national"`, or an object with `role` and its fields.
pub fn parse_principal(v: &Value) -> Result<Principal, SpecError> {
    let f = match v {
        Value::String(role) => PrincipalFields {
            role: role.clone(),
            tenant: None,
            user: None,
            prefecture: None,
        },
        Value::Object(_) => {
            serde_json::from_value(v.clone()).map_err(|e| SpecError(format!("principal: {e}")))?
        }
        _ => return bad("principal: a role name, a principal's name, or an object with role"),
    };
    let tenant = |f: &PrincipalFields| match &f.tenant {
        Some(t) => municipality(t, "principal.tenant"),
        None => bad(format!("principal: role {:?} needs a tenant", f.role)),
    };
    let extra = |allowed: &[&str]| {
        let given = [
            ("tenant", f.tenant.is_some()),
            ("user", f.user.is_some()),
            ("prefecture", f.prefecture.is_some()),
        ];
        match given
            .iter()
            .find(|(name, set)| *set && !allowed.contains(name))
        {
            Some((name, _)) => bad(format!("principal: role {:?} takes no {name}", f.role)),
            None => Ok(()),
        }
    };
    match f.role.as_str() {
        "staff" => {
            extra(&["tenant", "user"])?;
            let Some(user) = f.user.clone() else {
                return bad("principal: role \"staff\" needs a user");
            };
            Ok(Principal::MunicipalStaff {
                tenant: tenant(&f)?,
                user_id: user,
            })
        }
        "venue" => {
            extra(&["tenant"])?;
            Ok(Principal::VenueTablet {
                tenant: tenant(&f)?,
            })
        }
        "prefecture" => {
            extra(&["prefecture"])?;
            match f.prefecture {
                Some(p @ 1..=47) => Ok(Principal::PrefectureViewer { prefecture: p }),
                Some(p) => bad(format!("principal: prefecture {p} is not 1..=47")),
                None => bad("principal: role \"prefecture\" needs a prefecture number"),
            }
        }
        "national" => {
            extra(&[])?;
            Ok(Principal::NationalViewer)
        }
        "operator" => {
            extra(&[])?;
            Ok(Principal::Operator)
        }
        other => bad(format!(
            "principal: unknown role {other:?} (staff, venue, prefecture, national, operator)"
        )),
    }
}

fn parse_expect(v: Value) -> Result<Expect, SpecError> {
    let e: ExpectJson = serde_json::from_value(v).map_err(|e| SpecError(format!("expect: {e}")))?;
    if let Some(err) = &e.error {
        if !(err.is_string() || err.is_object()) {
            return bad("expect.error: a code or rule string, or an object");
        }
    }
    let ok = match (e.ok, e.error.is_some(), e.result.is_some()) {
        (Some(true), true, _) => return bad("expect: ok is true but an error is expected"),
        (Some(ok), _, _) => Some(ok),
        (None, true, _) => Some(false),
        (None, false, true) => Some(true),
        (None, false, false) => None,
    };
    Ok(Expect {
        ok,
        error: e.error,
        result: e.result,
        contains: e.contains,
        not_contains: e.not_contains,
    })
}

fn mode(s: Option<&str>) -> Result<ImportMode, SpecError> {
    match s {
        None | Some("strict") => Ok(ImportMode::Strict),
        Some("lenient") => Ok(ImportMode::Lenient),
        Some(other) => bad(format!("mode {other:?}: strict or lenient")),
    }
}

fn encoding(s: Option<&str>) -> Result<Encoding, SpecError> {
    match s {
        None => Ok(Encoding::Utf8),
        Some(e) => e
            .parse()
            .map_err(|_| SpecError(format!("encoding {e:?}: utf-8 or cp932"))),
    }
}

/// The header row of a layout, as its files have it.
fn header(layout_id: &str) -> Result<String, SpecError> {
    let l =
        layout::find(layout_id, &LayoutParams::default()).map_err(|e| SpecError(e.to_string()))?;
    Ok(l.columns
        .iter()
        .map(|c| c.name_ja.as_str())
        .collect::<Vec<_>>()
        .join(","))
}

/// The bytes of an import's file.
fn import_file(j: &ImportJson, layout_id: &str, base: &Path) -> Result<Vec<u8>, SpecError> {
    let text = match (&j.file, &j.rows, &j.file_path) {
        (Some(f), None, None) => f.clone(),
        (None, Some(rows), None) => {
            let mut s = header(layout_id)?;
            s.push_str("\r\n");
            for r in rows {
                s.push_str(r);
                s.push_str("\r\n");
            }
            s
        }
        (None, None, Some(p)) => {
            if j.encoding.is_some() {
                return bad("encoding applies to file and rows; file_path is read as is");
            }
            let path = base.join(p);
            return std::fs::read(&path).map_err(|e| SpecError(format!("{}: {e}", path.display())));
        }
        _ => return bad("give exactly one of file, rows, file_path"),
    };
    let enc = encoding(j.encoding.as_deref())?;
    encode_strict(&text, enc)
        .map(|b| b.into_owned())
        .map_err(|e| SpecError(format!("the file cannot be encoded as {}: {e}", enc.name())))
}

pub(super) fn args<T: serde::de::DeserializeOwned>(
    op: &str,
    rest: Map<String, Value>,
) -> Result<T, SpecError> {
    serde_json::from_value(Value::Object(rest)).map_err(|e| SpecError(format!("{op}: {e}")))
}

/// The tenant an op acts on: the argument, else the principal's own.
pub(super) fn target(
    given: Option<&str>,
    principal: Option<&Principal>,
    op: &str,
) -> Result<MunicipalityCode, SpecError> {
    match (given, principal.and_then(Principal::tenant)) {
        (Some(t), _) => municipality(t, &format!("{op}.tenant")),
        (None, Some(t)) => Ok(*t),
        (None, None) => bad(format!(
            "{op}: give a tenant (the principal has none of its own)"
        )),
    }
}

/// A chain: a municipality code, or `registry`.
fn chain(
    given: Option<&str>,
    principal: Option<&Principal>,
    op: &str,
) -> Result<Option<MunicipalityCode>, SpecError> {
    match given {
        Some("registry") => Ok(None),
        Some(t) => municipality(t, &format!("{op}.tenant")).map(Some),
        None => Ok(principal.and_then(Principal::tenant).copied()),
    }
}

fn record_kind(s: &str) -> Result<RecordKind, SpecError> {
    let known: Vec<RecordKind> = (0..=u8::MAX).filter_map(RecordKind::from_code).collect();
    match known.iter().find(|k| k.name() == s) {
        Some(k) => Ok(*k),
        None => {
            let names: Vec<&str> = known.iter().map(|k| k.name()).collect();
            bad(format!("kind {s:?}: one of {}", names.join(", ")))
        }
    }
}

/// Parses one op and its arguments (`rest`: the step without `op`, `principal`, `today`,
/// `expect`, `note`).
pub fn parse_op(
    name: &str,
    rest: Map<String, Value>,
    principal: Option<&Principal>,
    base: &Path,
) -> Result<Op, SpecError> {
    let p = principal;
    Ok(match name {
        "import" | "import-doses" | "import-flags" => {
            let j: ImportJson = args(name, rest)?;
            let layout_id = match name {
                "import" => "subject-registration",
                "import-doses" => "dose-upload",
                _ => "flags",
            };
            let tenant = target(j.tenant.as_deref(), p, name)?;
            let file = import_file(&j, layout_id, base)?;
            let mode = mode(j.mode.as_deref())?;
            match name {
                "import" => Op::Import { tenant, file, mode },
                "import-doses" => Op::ImportDoses { tenant, file, mode },
                _ => Op::ImportFlags { tenant, file, mode },
            }
        }
        "issue-voucher" => {
            let j: IssueJson = args(name, rest)?;
            Op::IssueVoucher {
                tenant: target(j.tenant.as_deref(), p, name)?,
                addressee: j.addressee,
                voucher: j.voucher,
                issued_on: j.issued_on,
            }
        }
        "reissue-voucher" => {
            let j: ReissueJson = args(name, rest)?;
            Op::ReissueVoucher {
                tenant: target(j.tenant.as_deref(), p, name)?,
                old: j.old,
                new: j.new,
                issued_on: j.issued_on,
            }
        }
        "record-dose" => {
            let j: DoseJson = args(name, rest)?;
            let target = match (j.ocr, j.voucher, j.dose) {
                (Some(ocr), None, None) => {
                    if j.tenant.is_some() {
                        return bad("record-dose: with ocr the tenant comes from the OCR line");
                    }
                    DoseTarget::Ocr(ocr)
                }
                (None, Some(voucher), Some(dose)) => DoseTarget::Voucher {
                    tenant: target(j.tenant.as_deref(), p, name)?,
                    voucher,
                    dose,
                },
                _ => return bad("record-dose: give either ocr, or voucher and dose"),
            };
            Op::RecordDose {
                target,
                dose: DoseFields {
                    vaccinated_on: j.vaccinated_on,
                    manufacturer: j
                        .manufacturer
                        .unwrap_or_else(|| DEFAULT_MANUFACTURER.into()),
                    lot: j.lot.unwrap_or_else(|| DEFAULT_LOT.into()),
                    venue: j.venue.unwrap_or_else(|| DEFAULT_VENUE.into()),
                    doctor: j.doctor.unwrap_or_else(|| DEFAULT_DOCTOR.into()),
                },
            }
        }
        "set-flag" => {
            let j: FlagJson = args(name, rest)?;
            let subject = match (j.addressee, j.voucher) {
                (Some(a), None) => SubjectArg::Addressee(a),
                (None, Some(v)) => SubjectArg::Voucher(v),
                _ => return bad("set-flag: give either addressee or voucher"),
            };
            let deceased = match j.flag.as_str() {
                "deceased" => true,
                "moved-out" => false,
                other => return bad(format!("set-flag: flag {other:?}: moved-out or deceased")),
            };
            if deceased && j.destination.is_some() {
                return bad("set-flag: only a moved-out flag has a destination");
            }
            Op::SetFlag {
                tenant: target(j.tenant.as_deref(), p, name)?,
                subject,
                deceased,
                date: j.date,
                destination: j
                    .destination
                    .as_deref()
                    .map(|d| municipality(d, "set-flag.destination"))
                    .transpose()?,
            }
        }
        "correct-dose" | "void-dose" => {
            let j: ChangeJson = args(name, rest)?;
            let subject = match (j.addressee, j.voucher) {
                (Some(a), None) => SubjectArg::Addressee(a),
                (None, Some(v)) => SubjectArg::Voucher(v),
                _ => return bad(format!("{name}: give either addressee or voucher")),
            };
            let tenant = target(j.tenant.as_deref(), p, name)?;
            match (name, j.set) {
                ("correct-dose", Some(fields)) => Op::CorrectDose {
                    tenant,
                    subject,
                    dose: j.dose,
                    fields,
                    reason: j.reason,
                },
                ("correct-dose", None) => {
                    return bad("correct-dose: give the fields to change in set")
                }
                (_, Some(_)) => return bad("void-dose: takes no set"),
                (_, None) => Op::VoidDose {
                    tenant,
                    subject,
                    dose: j.dose,
                    reason: j.reason,
                },
            }
        }
        "subject-doses" => {
            let j: SubjectJson = args(name, rest)?;
            Op::SubjectDoses {
                tenant: target(j.tenant.as_deref(), p, name)?,
                addressee: j.addressee,
            }
        }
        "export" | "awaiting-list" => {
            let j: ExportJson = args(name, rest)?;
            Op::Export {
                tenant: target(j.tenant.as_deref(), p, name)?,
                awaiting: name == "awaiting-list",
                encoding: encoding(j.encoding.as_deref())?,
                show_csv: j.show_csv,
            }
        }
        "stats" => {
            let j: StatsJson = args(name, rest)?;
            let group_by = match j.group_by {
                None => vec![Dimension::Municipality, Dimension::Dose],
                Some(names) => names
                    .iter()
                    .map(|n| {
                        Dimension::parse(n).ok_or_else(|| {
                            SpecError(format!(
                                "stats: dimension {n:?}: municipality, dose, week, manufacturer or age-band"
                            ))
                        })
                    })
                    .collect::<Result<_, _>>()?,
            };
            Op::Stats { group_by }
        }
        "verify-audit" | "audit-log" => {
            let j: ChainJson = args(name, rest)?;
            let tenant = chain(j.tenant.as_deref(), p, name)?;
            if name == "verify-audit" {
                if j.last.is_some() {
                    return bad("verify-audit: unknown field `last`");
                }
                Op::VerifyAudit { tenant }
            } else {
                Op::AuditLog {
                    tenant,
                    last: j.last,
                }
            }
        }
        "register-staff" => {
            let j: StaffJson = args(name, rest)?;
            Op::RegisterStaff {
                tenant: municipality(&j.tenant, "register-staff.tenant")?,
                user: j.user,
            }
        }
        "set-staff-quota" => {
            let j: QuotaJson = args(name, rest)?;
            Op::SetStaffQuota {
                tenant: municipality(&j.tenant, "set-staff-quota.tenant")?,
                quota: j.quota,
            }
        }
        "create-tenant" => {
            let j: TenantArgJson = args(name, rest)?;
            Op::CreateTenant {
                tenant: municipality(&j.tenant, "create-tenant.tenant")?,
            }
        }
        "verify-store" => {
            let _: NoArgsJson = args(name, rest)?;
            Op::VerifyStore
        }
        "tamper-audit" => {
            let j: TamperAuditJson = args(name, rest)?;
            let action = match (j.action.as_str(), j.set) {
                ("edit", Some(set)) => AuditTamper::Edit {
                    set,
                    rehash: j.rehash,
                },
                ("edit", None) => return bad("tamper-audit: edit needs `set`"),
                ("delete", None) if !j.rehash => AuditTamper::Delete,
                ("delete", _) => return bad("tamper-audit: delete takes no `set` or `rehash`"),
                (other, _) => {
                    return bad(format!("tamper-audit: action {other:?}: edit or delete"))
                }
            };
            Op::TamperAudit {
                chain: chain(Some(&j.tenant), None, name)?,
                seq: j.seq,
                action,
            }
        }
        "tamper-record" => {
            let j: TamperRecordJson = args(name, rest)?;
            let kind = record_kind(&j.kind)?;
            let tenant = |t: &str| municipality(t, "tamper-record.tenant");
            let action = match (j.action.as_str(), j.tenant, j.from, j.to, j.count, j.copy) {
                ("transplant", None, Some(from), Some(to), None, None) => {
                    RecordTamper::Transplant {
                        from: municipality(&from, "tamper-record.from")?,
                        to: municipality(&to, "tamper-record.to")?,
                    }
                }
                ("corrupt", Some(t), None, None, None, None) => RecordTamper::Corrupt {
                    tenant: tenant(&t)?,
                },
                ("delete", Some(t), None, None, count, None) => RecordTamper::Delete {
                    tenant: tenant(&t)?,
                    count,
                },
                ("rollback", Some(t), None, None, None, Some(copy)) => RecordTamper::Rollback {
                    tenant: tenant(&t)?,
                    copy,
                },
                ("transplant", ..) => {
                    return bad("tamper-record: transplant takes from and to only")
                }
                ("corrupt", ..) => return bad("tamper-record: corrupt takes tenant only"),
                ("delete", ..) => return bad("tamper-record: delete takes tenant and count"),
                ("rollback", ..) => return bad("tamper-record: rollback takes tenant and copy"),
                (other, ..) => {
                    return bad(format!(
                        "tamper-record: action {other:?}: transplant, corrupt, delete or rollback"
                    ))
                }
            };
            Op::TamperRecord { kind, action }
        }
        "replace-key" => {
            let j: TenantArgJson = args(name, rest)?;
            Op::ReplaceKey {
                tenant: municipality(&j.tenant, "replace-key.tenant")?,
            }
        }
        "scan-store" => {
            let j: ScanJson = args(name, rest)?;
            Op::ScanStore { find: j.find }
        }
        "erase-chain" => {
            let j: TenantArgJson = args(name, rest)?;
            Op::EraseChain {
                chain: chain(Some(&j.tenant), None, name)?,
            }
        }
        "save-copy" | "restore-copy" => {
            let j: CopyJson = args(name, rest)?;
            if j.name.is_empty()
                || j.name.len() > 64
                || !j
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return bad(format!("{name}: a copy's name is 1-64 of [A-Za-z0-9_-]"));
            }
            if name == "save-copy" {
                Op::SaveCopy { name: j.name }
            } else {
                Op::RestoreCopy { name: j.name }
            }
        }
        "keep-anchor" => {
            let _: NoArgsJson = args(name, rest)?;
            Op::KeepAnchor
        }
        "check-anchor" => {
            let _: NoArgsJson = args(name, rest)?;
            Op::CheckAnchor
        }
        "rotate-key" => {
            let j: TenantArgJson = args(name, rest)?;
            Op::RotateKey {
                tenant: municipality(&j.tenant, "rotate-key.tenant")?,
            }
        }
        n if RETENTION_OPS.contains(&n) => Op::Retention(retention_ops::parse(n, rest, p)?),
        other => {
            return bad(format!(
                "unknown op {other:?}; known ops: {}, {}",
                OPS.join(", "),
                RETENTION_OPS.join(", ")
            ))
        }
    })
}

/// Parses one step (`n` from 1, for messages).
pub fn parse_step(
    n: usize,
    mut obj: Map<String, Value>,
    names: &Names,
    base: &Path,
) -> Result<Step, SpecError> {
    let at = |e: SpecError| SpecError(format!("step {n}: {e}"));
    let op = match obj.remove("op") {
        Some(Value::String(s)) => s,
        Some(_) => return Err(at(SpecError("op must be a string".into()))),
        None => return Err(at(SpecError("no op".into()))),
    };
    let principal = match obj.remove("principal") {
        Some(Value::String(name)) if names.contains_key(&name) => Some(names[&name].clone()),
        Some(v) => Some(parse_principal(&v).map_err(at)?),
        None => None,
    };
    let today = match obj.remove("today") {
        Some(Value::String(s)) => Some(parse_clock(&s).map_err(at)?),
        Some(_) => return Err(at(SpecError("today must be a string".into()))),
        None => None,
    };
    let expect = obj
        .remove("expect")
        .map(parse_expect)
        .transpose()
        .map_err(at)?;
    if let Some(note) = obj.remove("note") {
        if !note.is_string() {
            return Err(at(SpecError("note must be a string".into())));
        }
    }
    let op = parse_op(&op, obj, principal.as_ref(), base).map_err(at)?;
    match (op.is_store_level(), principal.is_some()) {
        (true, true) => {
            return Err(at(SpecError(format!(
                "{} acts on the store files and takes no principal",
                op.name()
            ))))
        }
        (false, false) => return Err(at(SpecError(format!("{} needs a principal", op.name())))),
        _ => {}
    }
    Ok(Step {
        principal,
        today,
        op,
        expect,
    })
}

/// Every valid My Number (a run of exactly 12 ASCII digits passing the check digit) in `bytes`.
pub fn find_my_numbers(bytes: &[u8], out: &mut Vec<String>) {
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i - start == 12 {
            let s = String::from_utf8_lossy(&bytes[start..i]).into_owned();
            if MyNumber::parse(&s).is_ok() && !out.contains(&s) {
                out.push(s);
            }
        }
    }
}

/// Parses a scenario document; files named by `file_path` are read relative to `base`.
pub fn parse_scenario(text: &str, base: &Path) -> Result<Scenario, SpecError> {
    let doc: ScenarioJson =
        serde_json::from_str(text).map_err(|e| SpecError(format!("not a scenario: {e}")))?;
    let today = parse_clock(&doc.today).map_err(|e| SpecError(format!("today: {e}")))?;
    let mut tenants = Vec::new();
    for t in doc.tenants {
        let code = municipality(&t.code, "tenants.code")?;
        if tenants.iter().any(|x: &TenantSpec| x.code == code) {
            return bad(format!("tenant {code} is listed twice"));
        }
        tenants.push(TenantSpec {
            code,
            staff: t.staff,
            staff_quota: t.staff_quota,
            own_key: t.own_key,
        });
    }
    let mut names = Names::new();
    for (name, v) in &doc.principals {
        if matches!(name.as_str(), "operator" | "national") {
            return bad(format!(
                "principals: {name:?} is a role; choose another name"
            ));
        }
        let p = parse_principal(v).map_err(|e| SpecError(format!("principals.{name}: {e}")))?;
        names.insert(name.clone(), p);
    }
    if doc.steps.is_empty() {
        return bad("a scenario has at least one step");
    }
    let mut steps = Vec::new();
    let mut my_numbers = Vec::new();
    for (i, obj) in doc.steps.into_iter().enumerate() {
        let step = parse_step(i + 1, obj, &names, base)?;
        if let Op::Import { file, .. }
        | Op::ImportDoses { file, .. }
        | Op::ImportFlags { file, .. } = &step.op
        {
            find_my_numbers(file, &mut my_numbers);
        }
        steps.push(step);
    }
    Ok(Scenario {
        description: doc.description,
        today,
        config: doc.config,
        tenants,
        steps,
        my_numbers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn step(v: Value) -> Result<Step, SpecError> {
        match v {
            Value::Object(o) => {
                let mut names = Names::new();
                names.insert(
                    "chiyoda".into(),
                    Principal::MunicipalStaff {
                        tenant: chiyoda(),
                        user_id: "u1".into(),
                    },
                );
                parse_step(1, o, &names, Path::new("."))
            }
            _ => unreachable!(),
        }
    }

    fn chiyoda() -> MunicipalityCode {
        MunicipalityCode::parse("131016").unwrap()
    }

    #[test]
    fn principals_of_every_role() {
        assert_eq!(
            parse_principal(&json!({"role": "staff", "tenant": "131016", "user": "u1"})).unwrap(),
            Principal::MunicipalStaff {
                tenant: chiyoda(),
                user_id: "u1".into()
            }
        );
        assert_eq!(
            parse_principal(&json!({"role": "venue", "tenant": "131016"})).unwrap(),
            Principal::VenueTablet { tenant: chiyoda() }
        );
        assert_eq!(
            parse_principal(&json!({"role": "prefecture", "prefecture": 13})).unwrap(),
            Principal::PrefectureViewer { prefecture: 13 }
        );
        assert_eq!(
            parse_principal(&json!("national")).unwrap(),
            Principal::NationalViewer
        );
        assert_eq!(
            parse_principal(&json!({"role": "operator"})).unwrap(),
            Principal::Operator
        );
    }

    #[test]
    fn principals_with_missing_or_extra_fields_are_refused() {
        for (v, msg) in [
            (json!({"role": "staff", "tenant": "131016"}), "needs a user"),
            (json!({"role": "venue"}), "needs a tenant"),
            (json!({"role": "venue", "tenant": "131017"}), "check digit"),
            (
                json!({"role": "operator", "tenant": "131016"}),
                "takes no tenant",
            ),
            (
                json!({"role": "prefecture", "prefecture": 48}),
                "not 1..=47",
            ),
            (json!({"role": "prefecture"}), "needs a prefecture"),
            (json!("mayor"), "unknown role"),
            (json!(7), "principal"),
            (
                json!({"role": "staff", "tenant": "131016", "user": "u1", "pw": "x"}),
                "unknown field `pw`",
            ),
        ] {
            let e = parse_principal(&v).unwrap_err();
            assert!(e.0.contains(msg), "{v}: {e}");
        }
    }

    #[test]
    fn named_principals() {
        let s = step(json!({"principal": "chiyoda", "op": "subject-doses", "addressee": "1001"}))
            .unwrap();
        assert!(matches!(
            s.principal,
            Some(Principal::MunicipalStaff { .. })
        ));
        let e = step(json!({"principal": "minato", "op": "subject-doses", "addressee": "1001"}))
            .unwrap_err();
        assert!(e.0.contains("unknown role \"minato\""), "{e}");
        let text = r#"{"today": "2021-07-01", "principals": {"operator": {"role": "national"}},
                       "steps": [{"principal": "operator", "op": "verify-store"}]}"#;
        assert!(parse_scenario(text, Path::new("."))
            .unwrap_err()
            .0
            .contains("is a role"));
    }

    #[test]
    fn import_rows_get_the_layout_header_and_crlf() {
        let s = step(json!({
            "principal": {"role": "staff", "tenant": "131016", "user": "u1"},
            "op": "import",
            "mode": "lenient",
            "rows": ["131016,1001,123456789018,0000012345,千代田 花子,チヨダ ハナコ,19800101,2,20210501"]
        }))
        .unwrap();
        let Op::Import { tenant, file, mode } = s.op else {
            panic!("not an import")
        };
        assert_eq!(tenant, chiyoda());
        assert_eq!(mode, ImportMode::Lenient);
        let text = String::from_utf8(file).unwrap();
        assert!(text.starts_with("自治体コード,宛名番号,個人番号,券番号,"));
        assert!(text.ends_with(",20210501\r\n"));
        assert_eq!(text.matches("\r\n").count(), 2);
    }

    #[test]
    fn import_file_sources_are_exclusive_and_cp932_is_encoded() {
        let base = json!({
            "principal": {"role": "staff", "tenant": "131016", "user": "u1"},
            "op": "import",
        });
        let with = |extra: Value| {
            let mut o = base.as_object().unwrap().clone();
            o.extend(extra.as_object().unwrap().clone());
            step(Value::Object(o))
        };
        assert!(with(json!({})).unwrap_err().0.contains("exactly one"));
        assert!(with(json!({"file": "x", "rows": []}))
            .unwrap_err()
            .0
            .contains("exactly one"));
        assert!(with(json!({"file_path": "no/such/file.csv"}))
            .unwrap_err()
            .0
            .contains("no/such/file.csv"));
        let s = with(json!({"file": "千", "encoding": "cp932"})).unwrap();
        let Op::Import { file, .. } = s.op else {
            panic!()
        };
        assert_eq!(file, vec![0x90, 0xe7]);
        assert!(with(json!({"file": "x", "mode": "lax"}))
            .unwrap_err()
            .0
            .contains("strict or lenient"));
    }

    #[test]
    fn unknown_ops_and_arguments_stop_the_run() {
        let e = step(json!({"principal": "operator", "op": "delete-everything"})).unwrap_err();
        assert!(e.0.starts_with("step 1: unknown op") && e.0.contains("verify-audit"));
        let e = step(json!({
            "principal": {"role": "staff", "tenant": "131016", "user": "u1"},
            "op": "subject-doses", "adressee": "1001"
        }))
        .unwrap_err();
        assert!(e.0.contains("unknown field `adressee`"), "{e}");
        let e = step(json!({"op": "stats"})).unwrap_err();
        assert!(e.0.contains("needs a principal"));
        let e = step(json!({"principal": "operator", "op": "scan-store"})).unwrap_err();
        assert!(e.0.contains("takes no principal"));
        let e = step(json!({"principal": "operator", "op": "export"})).unwrap_err();
        assert!(e.0.contains("give a tenant"));
    }

    #[test]
    fn record_dose_by_ocr_or_by_voucher_with_defaults() {
        let s = step(json!({
            "principal": {"role": "venue", "tenant": "131016"},
            "op": "record-dose", "ocr": "111310160000012345", "vaccinated_on": "2021-06-30"
        }))
        .unwrap();
        let Op::RecordDose { target, dose } = s.op else {
            panic!()
        };
        assert_eq!(target, DoseTarget::Ocr("111310160000012345".into()));
        assert_eq!(dose.manufacturer, DEFAULT_MANUFACTURER);
        assert_eq!(dose.lot, DEFAULT_LOT);
        let s = step(json!({
            "principal": {"role": "staff", "tenant": "131016", "user": "u1"},
            "op": "record-dose", "voucher": "0000012345", "dose": 2,
            "vaccinated_on": "20210721", "manufacturer": "武田/モデルナ", "lot": "3004667"
        }))
        .unwrap();
        let Op::RecordDose { target, dose } = s.op else {
            panic!()
        };
        assert_eq!(
            target,
            DoseTarget::Voucher {
                tenant: chiyoda(),
                voucher: "0000012345".into(),
                dose: 2
            }
        );
        assert_eq!(dose.lot, "3004667");
        assert!(step(json!({
            "principal": {"role": "venue", "tenant": "131016"},
            "op": "record-dose", "ocr": "111310160000012345", "dose": 1, "vaccinated_on": "2021-06-30"
        }))
        .is_err());
    }

    #[test]
    fn expectations_imply_ok() {
        let e = parse_expect(json!({"error": "forbidden"})).unwrap();
        assert_eq!(e.ok, Some(false));
        let e = parse_expect(json!({"result": {"dose": 1}})).unwrap();
        assert_eq!(e.ok, Some(true));
        let e = parse_expect(json!({"not_contains": ["x"]})).unwrap();
        assert_eq!(e.ok, None);
        assert!(parse_expect(json!({"ok": true, "error": "rule"})).is_err());
        assert!(parse_expect(json!({"error": 3})).is_err());
        assert!(parse_expect(json!({"okay": true})).is_err());
    }

    #[test]
    fn clock_readings_and_chains() {
        assert_eq!(
            parse_clock("2021-07-01").unwrap().to_string(),
            "2021-07-01T09:00:00"
        );
        assert_eq!(
            parse_clock("20210701").unwrap().to_string(),
            "2021-07-01T09:00:00"
        );
        assert_eq!(
            parse_clock("2021-07-01T17:30:05").unwrap().to_string(),
            "2021-07-01T17:30:05"
        );
        assert!(parse_clock("2021-02-30").is_err());
        let s = step(json!({"principal": "operator", "op": "verify-audit"})).unwrap();
        assert!(matches!(s.op, Op::VerifyAudit { tenant: None }));
        let s = step(json!({
            "principal": {"role": "staff", "tenant": "131016", "user": "u1"},
            "op": "audit-log", "last": 2
        }))
        .unwrap();
        assert!(matches!(s.op, Op::AuditLog { tenant: Some(t), last: Some(2) } if t == chiyoda()));
        let s =
            step(json!({"op": "tamper-audit", "tenant": "registry", "seq": 1, "action": "delete"}))
                .unwrap();
        assert!(matches!(
            s.op,
            Op::TamperAudit {
                chain: None,
                seq: Some(1),
                action: AuditTamper::Delete
            }
        ));
    }

    #[test]
    fn my_numbers_in_inputs_are_collected() {
        let mut found = Vec::new();
        find_my_numbers(
            b"131016,1001,123456789018,0000012345\r\n131016,1002,123456789013,x,110000000000,1234567890180",
            &mut found,
        );
        assert_eq!(found, ["123456789018", "110000000000"]);
    }

    #[test]
    fn a_whole_scenario() {
        let text = r#"{
            "description": "d",
            "today": "2021-07-01",
            "config": {"stats_threshold": 3},
            "tenants": [{"code": "131016", "staff": ["u1"]}],
            "steps": [
                {"principal": {"role": "staff", "tenant": "131016", "user": "u1"},
                 "op": "subject-doses", "addressee": "1001", "note": "nobody yet",
                 "expect": {"error": "not_found"}}
            ]
        }"#;
        let s = parse_scenario(text, Path::new(".")).unwrap();
        assert_eq!(s.tenants[0].staff, ["u1"]);
        assert_eq!(s.config.stats_threshold, Some(3));
        assert_eq!(s.steps.len(), 1);
        let e =
            parse_scenario(r#"{"today": "2021-07-01", "steps": []}"#, Path::new(".")).unwrap_err();
        assert!(e.0.contains("at least one step"));
        let e = parse_scenario(
            r#"{"today": "2021-07-01", "steps": [], "extra": 1}"#,
            Path::new("."),
        )
        .unwrap_err();
        assert!(e.0.contains("unknown field"));
    }
}
