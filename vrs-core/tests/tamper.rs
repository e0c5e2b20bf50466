//! The tamper suite: for every kind of record and log in a SQLite store, edit the database file
//! directly (rusqlite, as an attacker with file access or a failing disk would) — flip a bit,
//! truncate, delete, reorder, swap between tenants, roll back to an older copy — and check that
//! `verify_store` names what failed, that the registry refuses to serve the tampered data, and
//! that nothing panics. Whole-table and whole-database rollbacks are included (the latter found
//! with the anchor the host kept). Prints a table of cases and outcomes (`--nocapture`).

#![cfg(feature = "sqlite")]

mod common;

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use vrs_core::crypto::{MasterKeyProvider, RecordKind};
use vrs_core::date::{Date, DateTime};
use vrs_core::id::{AddresseeNumber, MyNumber};
use vrs_core::id::{MunicipalityCode, OcrLine};
use vrs_core::registry::{
    log_chain_number, DoseCorrection, DoseInput, FixedClock, Flag, ImportMode, InquiryRequest,
    LegalBasis, LogEntry, LogKind, LogQuery, Principal, ProvisionSelection, Registry,
    RegistryAnchor, RegistryConfig, RegistryError, SubjectRef,
};
use vrs_core::store::{SqliteOptions, SqliteStore};
use vrs_core::vaccine::DoseNumber;

use common::TempDir;

const A: &str = "131016";
const B: &str = "131032";
const HEADER: &str = "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n";
const DB: &str = "vrs.sqlite3";

fn code(s: &str) -> MunicipalityCode {
    MunicipalityCode::parse(s).unwrap()
}

fn staff(t: &str) -> Principal {
    Principal::MunicipalStaff {
        tenant: code(t),
        user_id: "u1".into(),
    }
}

fn open(dir: &Path) -> Result<Registry, RegistryError> {
    open_on(dir, Date::new(2021, 7, 1).unwrap())
}

/// The registry of `dir` with its clock on `day` (09:00, ticking a second per call).
fn open_on(dir: &Path, day: Date) -> Result<Registry, RegistryError> {
    let store = SqliteStore::open_dir(dir, SqliteOptions::default())?;
    let now = DateTime::new(day, 9, 0, 0).unwrap();
    Registry::open(
        Box::new(store),
        Box::new(MasterKeyProvider::new([11; 32])),
        Box::new(FixedClock::ticking(now, 1)),
        RegistryConfig::default(),
    )
}

fn dose(on: Date) -> DoseInput {
    DoseInput::new(on, "ファイザー", "FA5765", "区民会館", "山田一郎")
}

fn on(m: u8, d: u8) -> Date {
    Date::new(2021, m, d).unwrap()
}

/// An inquiry by staff of `by` about `my_number`, asked of `of`, with the person's consent.
fn inquiry(of: &str, my_number: &str) -> InquiryRequest {
    InquiryRequest {
        former: Some(code(of)),
        my_number: MyNumber::parse(my_number).unwrap(),
        legal_basis: LegalBasis::Consent {
            form_ref: "F-1".into(),
        },
        identity_verified: true,
        reference: "R-1".into(),
    }
}

/// Builds the store: two tenants with subjects, vouchers, doses, an awaiting voucher, a flag,
/// a corrected dose, staff, imports, inquiries both ways (provision and inquiry logs, the
/// inquiry index), a provision to the national database, a legal hold, a retention minimum and
/// every audit chain; `early` is a copy taken half-way (the source of rollbacks); returns the
/// anchor the host kept at the end.
fn build(dir: &Path, early: &Path) -> RegistryAnchor {
    let mut reg = open(dir).unwrap();
    let op = Principal::Operator;
    for t in [A, B] {
        reg.create_tenant(&op, &code(t)).unwrap();
        reg.register_staff(&op, &code(t), "u1").unwrap();
    }
    reg.tenants(&op).unwrap(); // an entry in the registry chain
    let rows = |t: &str, base: u32| {
        let mut s = HEADER.to_owned();
        for (i, n) in ["123456789018", "110000000000", "500000000011"]
            .iter()
            .enumerate()
        {
            s.push_str(&format!(
                "{t},{},{n},{:010},名前 {i},ナマエ,19800101,2,20210501\r\n",
                1001 + i,
                base + i as u32
            ));
        }
        s
    };
    for (t, base) in [(A, 12345), (B, 22345)] {
        reg.import_subjects(
            &staff(t),
            &code(t),
            rows(t, base).as_bytes(),
            ImportMode::Strict,
        )
        .unwrap();
    }
    let venue = |t: &str| Principal::VenueTablet { tenant: code(t) };
    for (t, v) in [(A, "0000012345"), (B, "0000022345")] {
        let ocr = OcrLine::parse(&format!("11{t}{v}")).unwrap();
        reg.record_dose_ocr(&venue(t), &ocr, &dose(on(6, 1)))
            .unwrap();
        // A dose on a voucher nobody holds yet: an awaiting entry.
        let ocr = OcrLine::parse(&format!("11{t}0000099999")).unwrap();
        reg.record_dose_ocr(&venue(t), &ocr, &dose(on(6, 2)))
            .unwrap();
    }
    // Each municipality asks the other once: both provision and inquiry logs start.
    reg.inquire(&staff(B), &inquiry(A, "123456789018")).unwrap();
    reg.inquire(&staff(A), &inquiry(B, "123456789018")).unwrap();
    let first = SubjectRef::Addressee(AddresseeNumber::parse("1001").unwrap());
    let dose_1 = DoseNumber::new(1).unwrap();
    let lot = |l: &str| DoseCorrection {
        lot: Some(l.into()),
        ..DoseCorrection::default()
    };
    for t in [A, B] {
        reg.correct_dose(&staff(t), &code(t), &first, dose_1, &lot("FA5766"), "typo")
            .unwrap();
    }
    drop(reg);
    copy_db(dir, early);
    // The second half happens in 2026, once the national database takes provisions.
    let mut reg = open_on(dir, Date::new(2026, 12, 1).unwrap()).unwrap();
    reg.inquire(&staff(B), &inquiry(A, "123456789018")).unwrap();
    reg.inquire(&staff(A), &inquiry(B, "123456789018")).unwrap();
    let provided_on = Date::new(2026, 6, 1).unwrap();
    let addressee = AddresseeNumber::parse("1003").unwrap();
    for t in [A, B] {
        reg.correct_dose(&staff(t), &code(t), &first, dose_1, &lot("FA5767"), "typo")
            .unwrap();
        let all = ProvisionSelection::All;
        reg.record_national_db_provision(&staff(t), &code(t), provided_on, &all)
            .unwrap();
        reg.set_legal_hold(&staff(t), &code(t), &addressee, true)
            .unwrap();
        reg.set_retention_minimum(&staff(t), &code(t), Some(30))
            .unwrap();
    }
    for (t, v) in [(A, "0000012345"), (B, "0000022345")] {
        let ocr = OcrLine::parse(&format!("12{t}{v}")).unwrap();
        reg.record_dose_ocr(&venue(t), &ocr, &dose(on(6, 22)))
            .unwrap();
        let who = SubjectRef::Addressee(vrs_core::id::AddresseeNumber::parse("1002").unwrap());
        let flag = Flag::MovedOut {
            date: on(6, 30),
            destination: None,
        };
        reg.set_flag(&staff(t), &code(t), &who, &flag).unwrap();
        reg.register_staff(&op, &code(t), "u2").unwrap();
    }
    reg.rotate_tenant_key(&op, &code(A)).unwrap();
    reg.tenants(&op).unwrap();
    assert!(reg.verify_store(&op).unwrap().ok);
    let kept = reg.anchor().unwrap();
    drop(reg);
    kept
}

/// Copies the database file of `from` (closed, checkpointed) to the file `to`.
fn copy_db(from: &Path, to: &Path) {
    std::fs::copy(from.join(DB), to).unwrap();
}

/// What a case does to the database.
type Edit = Box<dyn Fn(&Connection, &Connection)>;

/// A tamper case: its name, the tenant whose data it touches (`None`: the registry's own), what
/// it does (given the live database and the early copy).
struct Case {
    name: String,
    scope: Option<&'static str>,
    /// A record kind (for the expected finding), or none for audit and log entries.
    kind: Option<RecordKind>,
    /// The provision or inquiry log whose entries the case edits (none: an audit chain).
    log: Option<LogKind>,
    edit: Edit,
}

fn first_key(conn: &Connection, tenant: u32, kind: u8) -> Option<Vec<u8>> {
    conn.query_row(
        "SELECT key FROM records WHERE tenant = ?1 AND kind = ?2 ORDER BY key LIMIT 1",
        params![tenant, kind],
        |r| r.get(0),
    )
    .optional()
    .unwrap()
}

fn keys(conn: &Connection, tenant: u32, kind: u8) -> Vec<Vec<u8>> {
    let mut stmt = conn
        .prepare("SELECT key FROM records WHERE tenant = ?1 AND kind = ?2 ORDER BY key")
        .unwrap();
    stmt.query_map(params![tenant, kind], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn value(conn: &Connection, tenant: u32, kind: u8, key: &[u8]) -> Option<Vec<u8>> {
    conn.query_row(
        "SELECT value FROM records WHERE tenant = ?1 AND kind = ?2 AND key = ?3",
        params![tenant, kind, key],
        |r| r.get(0),
    )
    .optional()
    .unwrap()
}

fn set(conn: &Connection, tenant: u32, kind: u8, key: &[u8], v: &[u8]) {
    conn.execute(
        "INSERT OR REPLACE INTO records (tenant, kind, key, value) VALUES (?1, ?2, ?3, ?4)",
        params![tenant, kind, key, v],
    )
    .unwrap();
}

/// The record cases of `kind` in area `tenant` (`0`: the registry's), for every action (a
/// rollback only where the record changed since the early copy: the registry's index and
/// content digest do not).
fn record_cases(kind: RecordKind, tenant: u32, scope: Option<&'static str>) -> Vec<Case> {
    let k = kind.code();
    let other = if tenant == code(A).to_u32() {
        code(B).to_u32()
    } else {
        code(A).to_u32()
    };
    let name = |action: &str| format!("{} {action}", kind.name());
    let case = |action: &str, edit: Edit| Case {
        name: name(action),
        scope,
        kind: Some(kind),
        log: None,
        edit,
    };
    // Rollback needs a record that changed since the early copy; the registry's index and
    // content digest do not, nor do the records written only after it.
    let registry_static = tenant == 0
        && matches!(
            kind,
            RecordKind::AnchorIndex | RecordKind::ContentState | RecordKind::InquiryIndex
        );
    let written_late = matches!(
        kind,
        RecordKind::NationalDbProvision | RecordKind::LegalHold | RecordKind::RetentionSettings
    );
    let changes = !registry_static && !written_late;
    let mut cases = vec![
        case(
            "flip",
            Box::new(move |c, _| {
                let key = first_key(c, tenant, k).unwrap();
                let mut v = value(c, tenant, k, &key).unwrap();
                let at = v.len() / 2;
                v[at] ^= 0x10;
                set(c, tenant, k, &key, &v);
            }),
        ),
        case(
            "truncate",
            Box::new(move |c, _| {
                let key = first_key(c, tenant, k).unwrap();
                let v = value(c, tenant, k, &key).unwrap();
                set(c, tenant, k, &key, &v[..v.len() / 2]);
            }),
        ),
        case(
            "delete",
            Box::new(move |c, _| {
                let key = first_key(c, tenant, k).unwrap();
                c.execute(
                    "DELETE FROM records WHERE tenant = ?1 AND kind = ?2 AND key = ?3",
                    params![tenant, k, key],
                )
                .unwrap();
            }),
        ),
    ];
    if changes {
        cases.push(case(
            "rollback",
            Box::new(move |c, early| {
                // The first record whose early value differs.
                let all = keys(c, tenant, k);
                let old = all.iter().find_map(|key| {
                    let before = value(early, tenant, k, key)?;
                    (Some(&before) != value(c, tenant, k, key).as_ref()).then_some((key, before))
                });
                let (key, before) = old.expect("a record that changed since the early copy");
                set(c, tenant, k, key, &before);
            }),
        ));
    }
    if tenant != 0 {
        cases.push(case(
            "reorder",
            Box::new(move |c, _| {
                // Two records of the kind swap values; a singleton swaps with another kind's.
                let all = keys(c, tenant, k);
                if all.len() >= 2 {
                    let (a, b) = (&all[0], &all[1]);
                    let (va, vb) = (
                        value(c, tenant, k, a).unwrap(),
                        value(c, tenant, k, b).unwrap(),
                    );
                    set(c, tenant, k, a, &vb);
                    set(c, tenant, k, b, &va);
                } else {
                    let key = &all[0];
                    let mine = value(c, tenant, k, key).unwrap();
                    let meta = RecordKind::TenantMeta.code();
                    let other_kind = if k == meta {
                        RecordKind::StaffUser.code()
                    } else {
                        meta
                    };
                    let theirs_key = first_key(c, tenant, other_kind).unwrap();
                    let theirs = value(c, tenant, other_kind, &theirs_key).unwrap();
                    set(c, tenant, k, key, &theirs);
                    set(c, tenant, other_kind, &theirs_key, &mine);
                }
            }),
        ));
        cases.push(case(
            "swap-tenants",
            Box::new(move |c, _| {
                // The other tenant's record of the kind put in this tenant's place.
                let key = first_key(c, other, k).unwrap();
                let v = value(c, other, k, &key).unwrap();
                let mine = first_key(c, tenant, k).unwrap();
                let target = if k == RecordKind::AuditHead.code()
                    || k == RecordKind::ContentState.code()
                    || k == RecordKind::TenantMeta.code()
                    || k == RecordKind::KeyCheck.code()
                {
                    mine
                } else {
                    key
                };
                set(c, tenant, k, &target, &v);
            }),
        ));
    }
    cases
}

/// The audit-entry cases of chain `chain`.
fn audit_cases(chain: u32, scope: Option<&'static str>) -> Vec<Case> {
    let label = if chain == 0 {
        "audit entries of registry".to_owned()
    } else {
        format!("audit entries of {chain}")
    };
    let other = if chain == code(B).to_u32() {
        code(A).to_u32()
    } else {
        code(B).to_u32()
    };
    chain_cases(chain, other, label, audit_flip, scope, None)
}

/// The entry cases of a provision or inquiry log (`tenant`'s log of `kind`).
fn log_cases(kind: LogKind, tenant: &'static str) -> Vec<Case> {
    let other = if tenant == A { B } else { A };
    let chain = log_chain_number(kind, &code(tenant));
    let label = format!("{kind:?} log of {tenant}").to_lowercase();
    let other = log_chain_number(kind, &code(other));
    chain_cases(chain, other, label, log_flip, Some(tenant), Some(kind))
}

/// An audit entry (JSON) saying "no" where it said "ok".
fn audit_flip(entry: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8(entry).expect("an audit entry is JSON");
    assert!(text.contains("\"ok\""), "{text}");
    text.replace("\"ok\"", "\"no\"").into_bytes()
}

/// A log entry (stored binary) saying nothing was provided where something was.
fn log_flip(entry: Vec<u8>) -> Vec<u8> {
    let mut e = LogEntry::from_stored(&entry).expect("a log entry");
    assert!(e.provided, "{e:?}");
    e.provided = false;
    e.to_stored().expect("stored form")
}

/// The cases of one hash chain (at least two entries): `flip` rewrites one field of entry 2;
/// `swap-tenants` copies entry 2 of chain `other`.
fn chain_cases(
    chain: u32,
    other: u32,
    label: String,
    flip: fn(Vec<u8>) -> Vec<u8>,
    scope: Option<&'static str>,
    log: Option<LogKind>,
) -> Vec<Case> {
    let case = |action: &str, edit: Edit| Case {
        name: format!("{label} {action}"),
        scope,
        kind: None,
        log,
        edit,
    };
    vec![
        case(
            "flip",
            Box::new(move |c, _| {
                let entry: Vec<u8> = c
                    .query_row(
                        "SELECT entry FROM audit WHERE chain = ?1 AND seq = 2",
                        params![chain],
                        |r| r.get(0),
                    )
                    .unwrap_or_else(|e| panic!("chain {chain} has no entry 2: {e}"));
                c.execute(
                    "UPDATE audit SET entry = ?2 WHERE chain = ?1 AND seq = 2",
                    params![chain, flip(entry)],
                )
                .unwrap();
            }),
        ),
        case(
            "truncate",
            Box::new(move |c, _| {
                c.execute(
                    "UPDATE audit SET entry = substr(entry, 1, 20) WHERE chain = ?1 AND seq = 1",
                    params![chain],
                )
                .unwrap();
            }),
        ),
        case(
            "delete",
            Box::new(move |c, _| {
                c.execute(
                    "DELETE FROM audit WHERE chain = ?1 AND seq = 2",
                    params![chain],
                )
                .unwrap();
            }),
        ),
        case(
            "reorder",
            Box::new(move |c, _| {
                c.execute_batch(&format!(
                    "UPDATE audit SET seq = -1 WHERE chain = {chain} AND seq = 1;
                     UPDATE audit SET seq = 1 WHERE chain = {chain} AND seq = 2;
                     UPDATE audit SET seq = 2 WHERE chain = {chain} AND seq = -1;"
                ))
                .unwrap();
            }),
        ),
        case(
            "swap-tenants",
            Box::new(move |c, _| {
                c.execute(
                    "UPDATE audit SET entry = (SELECT entry FROM audit WHERE chain = ?2 AND seq = 2), \
                     hash = (SELECT hash FROM audit WHERE chain = ?2 AND seq = 2) \
                     WHERE chain = ?1 AND seq = 2",
                    params![chain, other],
                )
                .unwrap();
            }),
        ),
        case(
            "erase",
            Box::new(move |c, _| {
                c.execute("DELETE FROM audit WHERE chain = ?1", params![chain])
                    .unwrap();
                c.execute(
                    "DELETE FROM records WHERE tenant = ?1 AND kind = ?2",
                    params![chain, RecordKind::AuditHead.code()],
                )
                .unwrap();
            }),
        ),
        case(
            "rollback",
            Box::new(move |c, early| {
                // The chain's entries and head as they were in the early copy.
                c.execute("DELETE FROM audit WHERE chain = ?1", params![chain])
                    .unwrap();
                let mut stmt = early
                    .prepare("SELECT seq, entry, hash FROM audit WHERE chain = ?1")
                    .unwrap();
                let rows: Vec<(i64, Vec<u8>, Vec<u8>)> = stmt
                    .query_map(params![chain], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                for (seq, entry, hash) in rows {
                    c.execute(
                        "INSERT INTO audit (chain, seq, entry, hash) VALUES (?1, ?2, ?3, ?4)",
                        params![chain, seq, entry, hash],
                    )
                    .unwrap();
                }
                let head = RecordKind::AuditHead.code();
                let old = value(early, chain, head, &[0; 16]).unwrap();
                set(c, chain, head, &[0; 16], &old);
            }),
        ),
    ]
}

/// What happened to one case.
struct Outcome {
    /// The first finding (or chain problem) verify_store named, if any.
    named: Option<String>,
    /// How the registry refused the tampered data: "op -> code", or what it served.
    refused: String,
    /// Whether the other tenant was still served (tenant-scope cases).
    other_served: Option<bool>,
}

fn first_named(v: &vrs_core::registry::StoreVerification) -> Option<String> {
    v.findings
        .first()
        .map(ToString::to_string)
        .or_else(|| {
            v.chains.iter().find(|c| !c.ok).map(|c| {
                format!(
                    "chain {}: entry {:?}: {}",
                    c.chain,
                    c.first_bad,
                    c.problem.clone().unwrap_or_default()
                )
            })
        })
        .or_else(|| v.problems.first().cloned())
}

/// Runs the checks of one tampered store in `dir`.
fn check(dir: &Path, case: &Case, kept: &RegistryAnchor) -> Outcome {
    let mut reg = match open(dir) {
        Ok(r) => r,
        Err(e) => {
            return Outcome {
                named: None,
                refused: format!("open -> {}", e.code()),
                other_served: None,
            }
        }
    };
    let op = Principal::Operator;
    let v = reg.verify_store(&op).unwrap();
    let named = first_named(&v);
    assert!(!v.ok || named.is_none(), "{}: ok with findings", case.name);
    // The registry refuses what was tampered with.
    let target = case.scope.unwrap_or(A);
    let refused = if let (Some(kind), None) = (case.log, reg.quarantine()) {
        // Log entries: the log is not served, read or exported.
        let q = LogQuery::default();
        let (t, who) = (code(target), staff(target));
        let read = match kind {
            LogKind::Provision => reg.provision_log(&who, &t, &q),
            LogKind::Inquiry => reg.inquiry_log(&who, &t, &q),
        };
        let export = reg.export_log(&who, &t, kind, &q, &mut Vec::new(), Default::default());
        match (read, export) {
            (Err(a), Err(b)) => {
                format!("{kind:?}-log -> {}, export -> {}", a.code(), b.code()).to_lowercase()
            }
            (Ok(_), _) => "log served".to_owned(),
            (_, Ok(_)) => "log export served".to_owned(),
        }
    } else if case.kind == Some(RecordKind::InquiryIndex) && reg.quarantine().is_none() {
        // The registry-wide index: inquiries (its only readers) are refused.
        let asked = reg.inquire(&staff(B), &inquiry(A, "123456789018"));
        let anyone = reg.inquire(
            &staff(B),
            &InquiryRequest {
                former: None,
                ..inquiry(A, "110000000000")
            },
        );
        match (asked, anyone) {
            (Err(a), Err(b)) => format!("inquire -> {}, inquire-all -> {}", a.code(), b.code()),
            _ => "inquiry served".to_owned(),
        }
    } else if case.kind.is_none() && reg.quarantine().is_none() {
        // Audit entries: the log is not served (the data beside it is not tampered).
        let chain = case.scope.map(code);
        match reg.audit_log(&op, chain.as_ref()) {
            Ok(entries) => format!("audit log served ({} entries)", entries.len()),
            Err(e) => format!("audit-log -> {}", e.code()),
        }
    } else {
        let read = reg.subject_doses(&staff(target), &code(target), "1001");
        let mut out = Vec::new();
        let export = reg.export_ledger(&staff(target), &code(target), &mut out, Default::default());
        match (read, export) {
            (Err(a), Err(b)) => format!("subject-doses -> {}, export -> {}", a.code(), b.code()),
            (Ok(_), _) => "subject-doses served".to_owned(),
            (_, Ok(_)) => "export served".to_owned(),
        }
    };
    let other_served = case.scope.map(|s| {
        let other = if s == A { B } else { A };
        reg.subject_doses(&staff(other), &code(other), "1001")
            .is_ok()
    });
    // The host's anchor: nothing here is older than it, or it says so.
    let _ = reg.check_anchor(kept);
    Outcome {
        named,
        refused,
        other_served,
    }
}

fn all_cases() -> Vec<Case> {
    let (a, b) = (code(A).to_u32(), code(B).to_u32());
    let mut cases = Vec::new();
    for kind in [
        RecordKind::Subject,
        RecordKind::Voucher,
        RecordKind::MyNumberIndex,
        RecordKind::Awaiting,
        RecordKind::StaffUser,
        RecordKind::Import,
        RecordKind::TenantMeta,
        RecordKind::KeyCheck,
        RecordKind::AuditHead,
        RecordKind::ContentState,
        RecordKind::DoseHistory,
        RecordKind::NationalDbProvision,
        RecordKind::LegalHold,
        RecordKind::RetentionSettings,
    ] {
        cases.extend(record_cases(kind, a, Some(A)));
    }
    // The registry's own area.
    for kind in [
        RecordKind::Anchor,
        RecordKind::AnchorIndex,
        RecordKind::ContentState,
        RecordKind::AuditHead,
        RecordKind::InquiryIndex,
    ] {
        cases.extend(record_cases(kind, 0, None));
    }
    // Records of the other tenant, to show the damage stays where it is.
    cases.extend(
        record_cases(RecordKind::Voucher, b, Some(B))
            .into_iter()
            .filter(|c| c.name.ends_with("flip") || c.name.ends_with("rollback")),
    );
    cases.extend(audit_cases(a, Some(A)));
    cases.extend(audit_cases(0, None));
    cases.extend(log_cases(LogKind::Provision, A));
    cases.extend(log_cases(LogKind::Inquiry, B));
    cases.push(Case {
        name: "whole records table rolled back".into(),
        scope: None,
        kind: Some(RecordKind::Voucher),
        log: None,
        edit: Box::new(|c, early| {
            copy_table(c, early, "records");
        }),
    });
    cases.push(Case {
        name: "whole audit table rolled back".into(),
        scope: None,
        kind: None,
        log: None,
        edit: Box::new(|c, early| {
            copy_table(c, early, "audit");
        }),
    });
    cases.push(Case {
        name: "tenant removed (every row of 131016)".into(),
        scope: Some(A),
        kind: Some(RecordKind::ContentState),
        log: None,
        edit: Box::new(move |c, _| {
            c.execute("DELETE FROM records WHERE tenant = ?1", params![a])
                .unwrap();
            c.execute("DELETE FROM audit WHERE chain = ?1", params![a])
                .unwrap();
        }),
    });
    cases
}

/// Replaces table `table` of `c` with the early copy's.
fn copy_table(c: &Connection, early: &Connection, table: &str) {
    c.execute(&format!("DELETE FROM {table}"), []).unwrap();
    let (cols, n) = match table {
        "records" => ("tenant, kind, key, value", 4),
        _ => ("chain, seq, entry, hash", 4),
    };
    let mut stmt = early
        .prepare(&format!("SELECT {cols} FROM {table}"))
        .unwrap();
    let rows: Vec<Vec<rusqlite::types::Value>> = stmt
        .query_map([], |r| (0..n).map(|i| r.get(i)).collect())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let placeholders = (1..=n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    for row in rows {
        c.execute(
            &format!("INSERT INTO {table} ({cols}) VALUES ({placeholders})"),
            rusqlite::params_from_iter(row),
        )
        .unwrap();
    }
}

#[test]
fn every_kind_of_tampering_is_named_refused_and_never_panics() {
    let temp = TempDir::fresh("tamper");
    let base = temp.0.join("base");
    std::fs::create_dir_all(&base).unwrap();
    let early = temp.0.join("early.sqlite3");
    let kept = build(&base, &early);
    let early_conn = Connection::open(&early).unwrap();

    let mut table = Vec::new();
    let mut failures = Vec::new();
    for (i, case) in all_cases().iter().enumerate() {
        let dir: PathBuf = temp.0.join(format!("case-{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        copy_db(&base, &dir.join(DB));
        {
            let conn = Connection::open(dir.join(DB)).unwrap();
            (case.edit)(&conn, &early_conn);
        }
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&dir, case, &kept)));
        let Ok(outcome) = outcome else {
            failures.push(format!("{}: panicked", case.name));
            continue;
        };
        if outcome.named.is_none() {
            failures.push(format!("{}: verify_store named nothing", case.name));
        }
        if outcome.refused.contains("served") {
            failures.push(format!("{}: {}", case.name, outcome.refused));
        }
        // Damage to a tenant's records stays with the tenant; damage to what the registry
        // anchors (chain heads, content digests) puts the whole registry in quarantine.
        let contained = case.kind.is_some_and(|k| {
            !matches!(
                k,
                RecordKind::AuditHead
                    | RecordKind::ContentState
                    | RecordKind::Anchor
                    | RecordKind::AnchorIndex
            )
        });
        if contained && outcome.other_served == Some(false) {
            failures.push(format!("{}: the other tenant was refused too", case.name));
        }
        table.push((case.name.clone(), outcome));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    // The whole database rolled back to the early copy: consistent in itself, found by the
    // anchor the host kept, then refused.
    let dir = temp.0.join("whole-db");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&early, dir.join(DB)).unwrap();
    let mut reg = open(&dir).unwrap();
    let inside = reg.verify_store(&Principal::Operator).unwrap();
    let found = reg.check_anchor(&kept).unwrap_err();
    let refused = reg
        .subject_doses(&staff(A), &code(A), "1001")
        .unwrap_err()
        .code();
    assert!(inside.ok && found.code() == "tampered" && refused == "tampered");
    table.push((
        "whole database rolled back (older copy)".into(),
        Outcome {
            named: Some(format!(
                "(verify_store ok: consistent) check_anchor: {found}"
            )),
            refused: format!("subject-doses -> {refused}"),
            other_served: None,
        },
    ));

    println!("\n{:<46} | {:<40} | named", "case", "refused");
    println!("{}", "-".repeat(160));
    for (name, o) in &table {
        let named = o.named.clone().unwrap_or_else(|| "-".into());
        let other = match o.other_served {
            Some(true) => " (other tenant served)",
            Some(false) => " (other tenant refused)",
            None => "",
        };
        println!("{name:<46} | {:<40} | {named}{other}", o.refused);
    }
    println!("{} cases", table.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(table.len() >= 80, "{} cases", table.len());
}
