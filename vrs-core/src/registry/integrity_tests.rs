//! Integrity, secrecy and key rotation on the in-memory store: erased chains, deleted and
//! rolled-back records, whole-store rollbacks, My Numbers kept out of downloads, rotation.

use super::*;
use crate::codec::WriteOptions;
use crate::crypto::{MasterKeyProvider, StaticKeyProvider, TenantKeys};
use crate::date::Date;
use crate::id::{OcrLine, VoucherNumber};
use crate::store::{MemoryStore, Store};
use crate::vaccine::DoseNumber;

const HEADER: &str = "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n";
const T: &str = "131016";

fn code(s: &str) -> MunicipalityCode {
    MunicipalityCode::parse(s).unwrap()
}

fn now() -> DateTime {
    DateTime::new(Date::new(2021, 7, 1).unwrap(), 9, 0, 0).unwrap()
}

fn open_with(store: &MemoryStore, config: RegistryConfig) -> Registry {
    Registry::open(
        Box::new(store.share()),
        Box::new(MasterKeyProvider::new([42; 32])),
        Box::new(FixedClock::ticking(now(), 1)),
        config,
    )
    .unwrap()
}

fn open(store: &MemoryStore) -> Registry {
    open_with(store, RegistryConfig::default())
}

fn staff() -> Principal {
    Principal::MunicipalStaff {
        tenant: code(T),
        user_id: "u1".into(),
    }
}

fn row(addressee: &str, my_number: &str, voucher: &str) -> String {
    format!(
        "{T},{addressee},{my_number},{voucher},千代田 花子,チヨダ ハナコ,19800101,2,20210501\r\n"
    )
}

fn dose(on: Date, doctor: &str) -> DoseInput {
    DoseInput::new(on, "ファイザー", "FA5765", "区民会館", doctor)
}

/// A store with one tenant, two subjects, two doses on the first one's voucher.
fn populated() -> (MemoryStore, Registry) {
    let store = MemoryStore::new();
    let mut reg = open(&store);
    reg.create_tenant(&Principal::Operator, &code(T)).unwrap();
    reg.register_staff(&Principal::Operator, &code(T), "u1")
        .unwrap();
    let file = format!(
        "{HEADER}{}{}",
        row("1001", "123456789018", "0000012345"),
        row("1002", "110000000000", "0000012346")
    );
    reg.import_subjects(&staff(), &code(T), file.as_bytes(), ImportMode::Strict)
        .unwrap();
    let venue = Principal::VenueTablet { tenant: code(T) };
    let ocr = |n: u8| OcrLine::parse(&format!("1{n}{T}0000012345")).unwrap();
    reg.record_dose_ocr(
        &venue,
        &ocr(1),
        &dose(Date::new(2021, 6, 1).unwrap(), "山田一郎"),
    )
    .unwrap();
    (store, reg)
}

fn second_dose(reg: &mut Registry) {
    let venue = Principal::VenueTablet { tenant: code(T) };
    let ocr = OcrLine::parse(&format!("12{T}0000012345")).unwrap();
    reg.record_dose_ocr(
        &venue,
        &ocr,
        &dose(Date::new(2021, 6, 22).unwrap(), "山田一郎"),
    )
    .unwrap();
}

fn findings(reg: &mut Registry) -> Vec<IntegrityFinding> {
    let v = reg.verify_store(&Principal::Operator).unwrap();
    assert_eq!(v.ok, v.findings.is_empty() && v.chains.iter().all(|c| c.ok));
    v.findings
}

fn has(findings: &[IntegrityFinding], kind: &str, problem: &str) -> bool {
    findings
        .iter()
        .any(|f| f.kind.as_deref() == Some(kind) && f.problem.contains(problem))
}

#[test]
fn a_clean_store_verifies_and_counts_its_records() {
    let (_, mut reg) = populated();
    let v = reg.verify_store(&Principal::Operator).unwrap();
    assert!(v.ok, "{v:?}");
    // 2 subjects, 2 vouchers, 2 index entries, the import, staff, tenant meta.
    assert_eq!(v.records_checked, 9);
    assert!(v.chains.iter().any(|c| c.chain == T && c.ok), "{v:?}");
}

#[test]
fn an_erased_tenant_history_is_found_and_refused() {
    let (store, _) = populated();
    let t = code(T).to_u32();
    store.tamper_records(|r| {
        r.remove(&(t, RecordKind::AuditHead.code(), [0; 16]));
    });
    store.tamper_audit(t, Vec::clear);
    let mut reg = open(&store);
    let why = reg.quarantine().unwrap().to_owned();
    assert!(
        why.starts_with("131016, audit-head: the audit chain's head is missing"),
        "{why}"
    );
    // The erased chain is not started afresh: that would hide the erasure.
    let e = reg
        .verify_audit(&Principal::Operator, Some(&code(T)))
        .unwrap_err();
    assert_eq!(e.code(), "tampered");
    assert!(e.to_string().contains("erased"), "{e}");
    let v = reg.verify_store(&Principal::Operator).unwrap();
    assert!(!v.ok);
    assert!(has(&v.findings, "audit-head", "head is missing"), "{v:?}");
    let chain = v.chains.iter().find(|c| c.chain == T).unwrap();
    assert!(!chain.ok && chain.entries == 0, "{chain:?}");
    assert!(chain.problem.as_deref().unwrap().contains("erased"));
    // Nothing but inspection runs.
    let e = reg.subject_doses(&staff(), &code(T), "1001").unwrap_err();
    assert_eq!(e.code(), "tampered");
    assert!(e.to_string().contains("inspection only"), "{e}");
    assert_eq!(
        reg.create_tenant(&Principal::Operator, &code("131032"))
            .unwrap_err()
            .code(),
        "tampered"
    );
}

#[test]
fn a_chain_rolled_back_to_an_older_head_is_found() {
    let (store, mut reg) = populated();
    let before = store.snapshot();
    second_dose(&mut reg);
    drop(reg);
    let t = code(T).to_u32();
    // The tenant's chain and head as they were, everything else as it is.
    let old_head = before
        .share()
        .get(t, RecordKind::AuditHead.code(), &[0; 16])
        .unwrap()
        .unwrap();
    let old_rows = {
        let mut rows = Vec::new();
        before
            .share()
            .audit_scan(t, &mut |r| {
                rows.push(r.clone());
                true
            })
            .unwrap();
        rows
    };
    store.tamper_records(|r| {
        r.insert((t, RecordKind::AuditHead.code(), [0; 16]), old_head);
    });
    store.tamper_audit(t, |rows| *rows = old_rows);
    let mut reg = open(&store);
    assert!(reg.quarantine().unwrap().contains("rolled back"));
    // The chain alone looks fine: only the anchor knows.
    assert!(
        reg.verify_audit(&Principal::Operator, Some(&code(T)))
            .unwrap()
            .ok
    );
    let f = findings(&mut reg);
    assert!(has(&f, "anchor", "rolled back"), "{f:?}");
}

#[test]
fn deleted_and_rolled_back_records_are_named_and_never_served() {
    let (store, mut reg) = populated();
    let before = store.snapshot();
    second_dose(&mut reg);
    drop(reg);
    let t = code(T).to_u32();
    let voucher = RecordKind::Voucher.code();

    // Voucher rows deleted: the dose history is gone, and that is seen.
    let deleted = store.snapshot();
    deleted.tamper_records(|r| r.retain(|(tn, k, _), _| !(*tn == t && *k == voucher)));
    let mut reg = open(&deleted);
    let e = reg.subject_doses(&staff(), &code(T), "1001").unwrap_err();
    assert_eq!(e.code(), "tampered");
    assert!(
        e.to_string()
            .contains("131016, voucher: 2 of 2 record(s) are missing"),
        "{e}"
    );
    let f = findings(&mut reg);
    assert!(has(&f, "voucher", "2 of 2 record(s) are missing"), "{f:?}");
    assert!(has(&f, "subject", "voucher records is missing"), "{f:?}");
    // Other tenants' work is not blocked by one tenant's tampering.
    assert!(reg.quarantine().is_none());

    // The voucher put back as it was before the second dose: removes a dose, and is seen.
    let rolled = store.snapshot();
    let mut old = Vec::new();
    before
        .share()
        .scan(t, voucher, &mut |k, v| {
            old.push((*k, v.to_vec()));
            true
        })
        .unwrap();
    rolled.tamper_records(|r| {
        for (k, v) in old {
            r.insert((t, voucher, k), v);
        }
    });
    let mut reg = open(&rolled);
    let e = reg.subject_doses(&staff(), &code(T), "1001").unwrap_err();
    assert!(e.to_string().contains("older version"), "{e}");
    let mut out = Vec::new();
    let e = reg
        .export_ledger(&staff(), &code(T), &mut out, WriteOptions::default())
        .unwrap_err();
    assert_eq!(e.code(), "tampered");
    assert!(out.is_empty());
    assert!(has(&findings(&mut reg), "voucher", "older version"));

    // My Number index rows deleted: the same My Number cannot be imported for someone else.
    let no_index = store.snapshot();
    let index = RecordKind::MyNumberIndex.code();
    no_index.tamper_records(|r| r.retain(|(tn, k, _), _| !(*tn == t && *k == index)));
    let mut reg = open(&no_index);
    let clash = format!("{HEADER}{}", row("2002", "123456789018", "0000022222"));
    let e = reg
        .import_subjects(&staff(), &code(T), clash.as_bytes(), ImportMode::Lenient)
        .unwrap_err();
    assert_eq!(e.code(), "tampered");
    let f = findings(&mut reg);
    assert!(has(&f, "my-number-index", "record(s) are missing"), "{f:?}");
    assert!(
        has(&f, "subject", "My Number index record is missing"),
        "{f:?}"
    );
    assert!(f.iter().all(|f| !format!("{f}").contains("123456789018")));
}

#[test]
fn a_flipped_bit_reads_as_tampering_naming_the_record_never_as_a_wrong_key() {
    let (store, reg) = populated();
    drop(reg);
    let t = code(T).to_u32();
    let meta = RecordKind::TenantMeta.code();
    let flipped = store.snapshot();
    flipped.tamper_records(|r| {
        if let Some(v) = r.get_mut(&(t, meta, [0; 16])) {
            v[20] ^= 1;
        }
    });
    let mut reg = open(&flipped);
    let e = reg.subject_doses(&staff(), &code(T), "1001").unwrap_err();
    assert_eq!(e.code(), "tampered", "{e}");
    assert!(e.to_string().contains("tenant-meta"), "{e}");
    let f = findings(&mut reg);
    assert!(
        f.iter().any(|f| f.kind.as_deref() == Some("tenant-meta")
            && f.key.as_deref() == Some("00000000000000000000000000000000")
            && f.problem.contains("does not open")),
        "{f:?}"
    );

    // Under an open registry (no other connection committed): the read itself refuses, naming
    // kind and pseudonymous key.
    let live = store.snapshot();
    let mut reg = open(&live);
    reg.subject_doses(&staff(), &code(T), "1001").unwrap();
    let voucher = RecordKind::Voucher.code();
    let mut victim = None;
    live.tamper_records(|r| {
        if let Some(((_, _, k), v)) = r
            .iter_mut()
            .find(|((tn, kd, _), _)| *tn == t && *kd == voucher)
        {
            v[15] ^= 0x40;
            victim = Some(hex::encode(k));
        }
    });
    let e = reg.subject_doses(&staff(), &code(T), "1001").unwrap_err();
    assert_eq!(e.code(), "tampered");
    assert!(
        e.to_string()
            .contains(&format!("131016, voucher record {}", victim.unwrap())),
        "{e}"
    );
}

#[test]
fn a_whole_store_rollback_needs_the_hosts_anchor_and_is_then_refused() {
    let (store, mut reg) = populated();
    let before = store.snapshot();
    second_dose(&mut reg);
    let kept = reg.anchor().unwrap();
    assert_eq!(reg.check_anchor(&kept).unwrap(), AnchorCheck::Same);
    // The store moves on: the kept anchor is older, which is fine.
    reg.subject_doses(&staff(), &code(T), "1001").unwrap();
    assert!(matches!(
        reg.check_anchor(&kept).unwrap(),
        AnchorCheck::Newer { commits: 1 }
    ));
    let kept = reg.anchor().unwrap();
    drop(reg);

    // The whole store replaced by the older copy: consistent in itself...
    let mut reg = open(&before);
    assert!(reg.quarantine().is_none());
    assert!(reg.verify_store(&Principal::Operator).unwrap().ok);
    // ... but older than the anchor the host kept.
    let e = reg.check_anchor(&kept).unwrap_err();
    assert_eq!(e.code(), "tampered");
    assert!(e.to_string().contains("rolled back"), "{e}");
    assert_eq!(
        reg.subject_doses(&staff(), &code(T), "1001")
            .unwrap_err()
            .code(),
        "tampered"
    );
    // A different store at the same commit count is refused too.
    let forged: RegistryAnchor = format!("vrs-anchor-1:{}:{}", kept.counter(), "00".repeat(32))
        .parse()
        .unwrap();
    let mut reg = open(&store);
    assert_eq!(reg.check_anchor(&forged).unwrap_err().code(), "tampered");
    assert!("vrs-anchor-2:1:00".parse::<RegistryAnchor>().is_err());
}

#[test]
fn a_store_rolled_back_under_an_open_registry_is_refused_at_the_next_write() {
    let (store, mut reg) = populated();
    let before = store.snapshot();
    second_dose(&mut reg);
    store.tamper_records(|r| before.tamper_records(|b| *r = b.clone()));
    let e = reg
        .register_staff(&Principal::Operator, &code(T), "u2")
        .unwrap_err();
    assert_eq!(e.code(), "tampered");
    assert!(reg.quarantine().unwrap().contains("rolled back"));
}

#[test]
fn my_numbers_are_refused_in_every_field_a_download_carries() {
    let (store, mut reg) = populated();
    let t = code(T);
    let import = |reg: &mut Registry, rows: &str| {
        reg.import_subjects(
            &staff(),
            &t,
            format!("{HEADER}{rows}").as_bytes(),
            ImportMode::Lenient,
        )
        .unwrap()
    };
    // (a) Another subject's My Number as an addressee number.
    let out = import(&mut reg, &row("123456789018", "500000000011", "0000012399"));
    assert_eq!(out.rejected_rows[0].code, "N02", "{out:?}");
    assert!(out.rejected_rows[0].message_en.contains("addressee number"));
    // With shape checks off for addressee numbers, a stored My Number is still refused...
    drop(reg);
    let relaxed = RegistryConfig {
        refuse_my_number_shaped_addressees: false,
        ..RegistryConfig::default()
    };
    let mut reg = open_with(&store, relaxed);
    let out = import(&mut reg, &row("110000000000", "500000000011", "0000012399"));
    assert_eq!(out.rejected_rows[0].code, "N02", "{out:?}");
    // ... a 12-digit addressee number that is nobody's My Number is accepted...
    let own = crate::id::MyNumber::from_eleven_digits("60000000000").unwrap();
    let out = import(
        &mut reg,
        &row("500000000020", own.expose_secret(), "0000012398"),
    );
    assert_eq!(out.imported, 1, "{out:?}");
    // ... and then nobody may register it as their My Number.
    let out = import(&mut reg, &row("1003", "500000000020", "0000012397"));
    assert_eq!(out.rejected_rows[0].code, "N02", "{out:?}");
    drop(reg);
    let mut reg = open(&store);

    // (b) Free-text dose fields, by every path.
    let venue = Principal::VenueTablet { tenant: t };
    let ocr = OcrLine::parse(&format!("12{T}0000012346")).unwrap();
    let on = Date::new(2021, 6, 1).unwrap();
    for input in [
        dose(on, "山田123456789018"),
        dose(on, "１２３４５６７８９０１８"),
        DoseInput::new(on, "ファイザー", "FA5765", "会館 1234-5678-9018", "山田"),
        DoseInput::new(on, "ファイザー", "123456789018", "区民会館", "山田"),
    ] {
        let e = reg.record_dose_ocr(&venue, &ocr, &input).unwrap_err();
        assert_eq!(e.rule(), Some(crate::diag::Code::N02), "{e}");
        assert!(!e.to_string().contains("9018"), "{e}");
        let voucher = VoucherNumber::parse("0000012346").unwrap();
        let e = reg
            .record_dose(&staff(), &t, &voucher, DoseNumber::new(1).unwrap(), &input)
            .unwrap_err();
        assert_eq!(e.rule(), Some(crate::diag::Code::N02), "{e}");
    }
    let upload = "接種自治体コード,券番号,接種回数,接種日,接種会場名,接種医師名,ワクチンメーカー,\
                  ワクチンロット番号,OCRライン,宛名番号,生年月日\r\n\
                  131016,0000012346,1,20210601,区民会館,医師123456789018,ファイザー,FA5765,,,\r\n";
    let out = reg
        .import_doses(&staff(), &t, upload.as_bytes(), ImportMode::Lenient)
        .unwrap();
    assert_eq!((out.imported, out.rejected), (0, 1), "{out:?}");
    assert_eq!(out.rejected_rows[0].code, "N02", "{out:?}");
    // Nothing of it reached the ledger.
    let mut out = Vec::new();
    reg.export_ledger(&staff(), &t, &mut out, WriteOptions::default())
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    for n in [
        "123456789018",
        "110000000000",
        "500000000011",
        "500000000020",
    ] {
        assert!(!text.contains(n), "{n} in {text}");
    }
}

fn sealed_versions(store: &MemoryStore, tenant: u32) -> Vec<u32> {
    let mut versions = Vec::new();
    store
        .share()
        .scan_tenant(tenant, &mut |kind, _, value| {
            if RecordKind::from_code(kind).is_some_and(RecordKind::is_sealed) {
                versions.push(TenantKeys::sealed_version(value).unwrap());
            }
            true
        })
        .unwrap();
    versions
}

#[test]
fn rotation_reseals_every_record_in_batches_and_resumes_after_a_crash() {
    let store = MemoryStore::new();
    let config = RegistryConfig {
        rotation_batch_records: 7,
        ..RegistryConfig::default()
    };
    let mut reg = open_with(&store, config.clone());
    reg.create_tenant(&Principal::Operator, &code(T)).unwrap();
    reg.create_tenant(&Principal::Operator, &code("131032"))
        .unwrap();
    reg.register_staff(&Principal::Operator, &code(T), "u1")
        .unwrap();
    let mut rows = String::new();
    for i in 0..20u32 {
        let n = crate::id::MyNumber::from_eleven_digits(&format!(
            "{:011}",
            20_000_000_000u64 + u64::from(i)
        ))
        .unwrap();
        rows.push_str(&row(
            &format!("{}", 1000 + i),
            n.expose_secret(),
            &format!("{:010}", 5000 + i),
        ));
    }
    reg.import_subjects(
        &staff(),
        &code(T),
        format!("{HEADER}{rows}").as_bytes(),
        ImportMode::Strict,
    )
    .unwrap();
    let t = code(T).to_u32();
    let sealed = sealed_versions(&store, t).len() as u64;
    assert_eq!(sealed, 63);

    // Staff may not; a provider without the new version refuses, and nothing changes.
    assert_eq!(
        reg.rotate_tenant_key(&staff(), &code(T))
            .unwrap_err()
            .code(),
        "forbidden"
    );
    let master = MasterKeyProvider::new([42; 32]);
    let mut v1_only = StaticKeyProvider::new(master.registry_key().unwrap());
    v1_only.insert(code(T), master.tenant_key(&code(T)).unwrap());
    let mut limited = Registry::open(
        Box::new(store.share()),
        Box::new(v1_only),
        Box::new(FixedClock::new(now())),
        config.clone(),
    )
    .unwrap();
    assert_eq!(
        limited
            .rotate_tenant_key(&Principal::Operator, &code(T))
            .unwrap_err()
            .code(),
        "crypto"
    );
    assert!(sealed_versions(&store, t).iter().all(|v| *v == 1));

    // A crash after the third batch (a panic inside the progress callback).
    let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        reg.rotate_tenant_key_with(&Principal::Operator, &code(T), &mut |p| {
            if p.batches == 3 {
                panic!("simulated crash");
            }
        })
    }));
    assert!(crashed.is_err());
    drop(reg);
    let versions = sealed_versions(&store, t);
    assert!(
        versions.contains(&1) && versions.contains(&2),
        "{versions:?}"
    );
    // Every record opens (under exactly the key it names); the store verifies.
    let mut reg = open_with(&store, config);
    assert!(reg.verify_store(&Principal::Operator).unwrap().ok);
    assert_eq!(
        reg.subject_doses(&staff(), &code(T), "1005")
            .unwrap()
            .addressee,
        "1005"
    );
    // The rerun finishes what was left.
    let done = reg
        .rotate_tenant_key(&Principal::Operator, &code(T))
        .unwrap();
    assert!(done.resumed && done.finished, "{done:?}");
    assert_eq!((done.from_version, done.to_version), (1, 2));
    assert!(done.records > 0 && done.records < sealed, "{done:?}");
    assert!(sealed_versions(&store, t).iter().all(|v| *v == 2));
    assert!(reg.verify_store(&Principal::Operator).unwrap().ok);
    // Pseudonyms did not change: lookups by addressee and My Number still work.
    assert_eq!(
        reg.subject_doses(&staff(), &code(T), "1019")
            .unwrap()
            .vouchers
            .len(),
        1
    );
    let first = crate::id::MyNumber::from_eleven_digits("20000000000").unwrap();
    let clash = format!(
        "{HEADER}{}",
        row("9999", first.expose_secret(), "0000099999")
    );
    let out = reg
        .import_subjects(&staff(), &code(T), clash.as_bytes(), ImportMode::Lenient)
        .unwrap();
    assert!(out.rejected_rows.iter().any(|r| r.code == "N03"), "{out:?}");
    // Again: version 3, in one call; the other tenant untouched.
    let again = reg
        .rotate_tenant_key(&Principal::Operator, &code(T))
        .unwrap();
    assert_eq!(
        (again.from_version, again.to_version, again.resumed),
        (2, 3, false)
    );
    assert!(sealed_versions(&store, t).iter().all(|v| *v == 3));
    assert!(sealed_versions(&store, code("131032").to_u32())
        .iter()
        .all(|v| *v == 1));
    let log = reg.audit_log(&Principal::Operator, Some(&code(T))).unwrap();
    assert!(log.iter().any(|e| e.op == "rotate-key"));
}
