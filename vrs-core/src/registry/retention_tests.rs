//! Retention in the registry: the 2026 rule keeps what a naive five years would delete; holds,
//! minimums and access; what a purge removes and leaves.

use std::sync::Arc;

use super::tests::code;
use super::*;
use crate::codec::WriteOptions;
use crate::crypto::{MasterKeyProvider, RecordKind};
use crate::date::Date;
use crate::id::{AddresseeNumber, OcrLine, VoucherNumber};
use crate::store::{MemoryStore, Store};
use crate::vaccine::DoseNumber;

const HEADER: &str = "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n";
const T: &str = "131016";

struct Shared(Arc<FixedClock>);

impl Clock for Shared {
    fn now(&self) -> DateTime {
        self.0.now()
    }
}

fn date(s: &str) -> Date {
    Date::parse_iso(s).unwrap()
}

fn at(s: &str) -> DateTime {
    DateTime::new(date(s), 9, 0, 0).unwrap()
}

fn staff() -> Principal {
    Principal::MunicipalStaff {
        tenant: code(T),
        user_id: "u1".into(),
    }
}

fn addressee(s: &str) -> AddresseeNumber {
    AddresseeNumber::parse(s).unwrap()
}

/// A registry on 2021-07-01 with tenants 131016 and 131032: subjects 1001 (voucher 12345,
/// doses on 2021-06-10 and 2021-06-30) and 1002 (voucher 12346, a dose on 2021-06-10), and a
/// dose on the unlinked voucher 99999.
fn setup(policy: RetentionPolicy) -> (Registry, Arc<FixedClock>, MemoryStore) {
    let store = MemoryStore::new();
    let clock = Arc::new(FixedClock::new(at("2021-07-01")));
    let config = RegistryConfig {
        retention: Arc::new(policy),
        ..RegistryConfig::default()
    };
    let mut reg = Registry::open(
        Box::new(store.share()),
        Box::new(MasterKeyProvider::new([42; 32])),
        Box::new(Shared(clock.clone())),
        config,
    )
    .unwrap();
    for t in [T, "131032"] {
        reg.create_tenant(&Principal::Operator, &code(t)).unwrap();
        reg.register_staff(&Principal::Operator, &code(t), "u1")
            .unwrap();
    }
    let file = format!(
        "{HEADER}{T},1001,123456789018,0000012345,保存 花子,ホゾン ハナコ,19800101,2,20210501\r\n\
         {T},1002,110000000000,0000012346,保存 次郎,ホゾン ジロウ,19810101,1,20210501\r\n"
    );
    reg.import_subjects(&staff(), &code(T), file.as_bytes(), ImportMode::Strict)
        .unwrap();
    let venue = Principal::VenueTablet { tenant: code(T) };
    for (dose, voucher, on) in [
        (1, "0000012345", "2021-06-10"),
        (2, "0000012345", "2021-06-30"),
        (1, "0000012346", "2021-06-10"),
        (1, "0000099999", "2021-06-12"),
    ] {
        let line = OcrLine::parse(&format!("1{dose}{T}{voucher}")).unwrap();
        let input = DoseInput::new(date(on), "ファイザー", "FA5765", "区民会館", "山田一郎");
        reg.record_dose_ocr(&venue, &line, &input).unwrap();
    }
    (reg, clock, store)
}

fn deceased(reg: &mut Registry, who: &str, on: &str) {
    reg.set_flag(
        &staff(),
        &code(T),
        &SubjectRef::Addressee(addressee(who)),
        &Flag::Deceased { date: date(on) },
    )
    .unwrap();
}

fn ledger(reg: &mut Registry) -> String {
    let mut out = Vec::new();
    reg.export_ledger(&staff(), &code(T), &mut out, WriteOptions::default())
        .unwrap();
    String::from_utf8(out).unwrap()
}

/// The policy without 附則第17条: what a library that never learnt of the amendment applies.
fn naive() -> RetentionPolicy {
    let mut p = RetentionPolicy::default();
    p.rules.retain(|r| r.id == "art3-five-years");
    p
}

#[test]
fn the_2026_rule_keeps_what_five_years_would_delete() {
    // The same data under both policies, on 2026-12-01: naive five years would delete all four
    // doses (given in June 2021); the dated policy deletes none of a living, unprovided person.
    let (mut naive_reg, clock, _) = setup(naive());
    clock.set(at("2026-12-01"));
    let list = naive_reg
        .retention_list(&staff(), &code(T), date("2026-12-01"))
        .unwrap();
    assert_eq!(list.eligible.len(), 4);
    assert_eq!(list.would_remove.subjects, 2);

    let (mut reg, clock, _) = setup(RetentionPolicy::default());
    clock.set(at("2026-12-01"));
    let today = date("2026-12-01");
    let list = reg.retention_list(&staff(), &code(T), today).unwrap();
    assert!(list.eligible.is_empty() && list.held.is_empty());
    assert_eq!(list.kept.doses, 4);
    assert_eq!(list.kept.waiting_for_death, 4);
    assert_eq!(list.kept.waiting_for_provision, 4);
    assert_eq!(list.policy_version, "2026-02-01");
    let out = reg.purge(&staff(), &code(T), today).unwrap();
    assert_eq!((out.doses, out.vouchers, out.subjects), (0, 0, 0));

    // Dead but not provided: still kept. Provided: eligible the day after the later date.
    deceased(&mut reg, "1001", "2021-07-15");
    let list = reg.retention_list(&staff(), &code(T), today).unwrap();
    assert!(list.eligible.is_empty());
    assert_eq!(list.kept.waiting_for_provision, 4);
    let p = reg
        .record_national_db_provision(
            &staff(),
            &code(T),
            date("2026-06-01"),
            &ProvisionSelection::All,
        )
        .unwrap();
    assert_eq!((p.doses, p.unchanged, p.vouchers), (4, 0, 3));
    let list = reg.retention_list(&staff(), &code(T), today).unwrap();
    let eligible: Vec<_> = list
        .eligible
        .iter()
        .map(|d| {
            (
                d.voucher_number.as_str(),
                d.dose,
                d.rule.as_str(),
                d.death_on.as_deref(),
                d.provided_on.as_deref(),
                d.eligible_from.as_str(),
            )
        })
        .collect();
    // Death 2021-07-15: five years from the next day end 2026-07-15; provided 2026-06-01.
    let rule = "suppl-art17-covid";
    let death = Some("2021-07-15");
    let provided = Some("2026-06-01");
    assert_eq!(
        eligible,
        [
            ("0000012345", 1, rule, death, provided, "2026-07-16"),
            ("0000012345", 2, rule, death, provided, "2026-07-16"),
        ]
    );
    assert_eq!(list.would_remove.subjects, 1);
    // Not the day before.
    let before = reg
        .retention_list(&staff(), &code(T), date("2026-07-15"))
        .unwrap();
    assert!(before.eligible.is_empty());
    assert_eq!(before.kept.within_period, 2);
}

#[test]
fn purge_removes_the_eligible_and_what_is_left_with_nothing_and_is_idempotent() {
    let (mut reg, clock, store) = setup(RetentionPolicy::default());
    clock.set(at("2026-12-01"));
    let today = date("2026-12-01");
    deceased(&mut reg, "1001", "2021-07-15");
    reg.record_national_db_provision(
        &staff(),
        &code(T),
        date("2026-06-01"),
        &ProvisionSelection::All,
    )
    .unwrap();
    let stats_before = reg.stats(&staff(), &StatsQuery::default()).unwrap();
    assert!(ledger(&mut reg).contains("\r\n1001,"));

    // Only today.
    let e = reg
        .purge(&staff(), &code(T), date("2026-11-30"))
        .unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    let e = reg
        .purge(&staff(), &code(T), date("2026-12-02"))
        .unwrap_err();
    assert_eq!(e.code(), "invalid_input");

    let out = reg.purge(&staff(), &code(T), today).unwrap();
    assert_eq!(
        (
            out.doses,
            out.vouchers,
            out.subjects,
            out.my_number_index,
            out.provisions
        ),
        (2, 1, 1, 1, 1)
    );
    assert!(out.store_checkpointed);
    // Gone from reads, exports and statistics; the other subject stays whole.
    let e = reg.subject_doses(&staff(), &code(T), "1001").unwrap_err();
    assert_eq!(e.code(), "not_found");
    let csv = ledger(&mut reg);
    assert!(!csv.contains("\r\n1001,") && csv.contains("\r\n1002,"));
    assert_eq!(
        reg.subject_doses(&staff(), &code(T), "1002")
            .unwrap()
            .doses
            .len(),
        1
    );
    let stats_after = reg.stats(&staff(), &StatsQuery::default()).unwrap();
    assert_ne!(stats_before, stats_after);
    // The My Number can be registered to someone else now: its index entry went.
    let again = format!(
        "{HEADER}{T},2001,123456789018,0000022222,新規 一郎,シンキ イチロウ,19900101,1,20261201\r\n"
    );
    reg.import_subjects(&staff(), &code(T), again.as_bytes(), ImportMode::Strict)
        .unwrap();

    // Idempotent.
    let second = reg.purge(&staff(), &code(T), today).unwrap();
    assert_eq!((second.doses, second.vouchers, second.subjects), (0, 0, 0));

    // The audit entry counts, names no record, holds no personal data.
    let log = reg.audit_log(&staff(), Some(&code(T))).unwrap();
    let purge = log
        .iter()
        .rev()
        .find(|e| e.op == "purge" && e.outcome == "ok")
        .unwrap();
    assert!(purge.records.is_empty());
    let counts = purge.counts.as_ref().unwrap();
    assert_eq!(counts.get("doses"), Some(&0));
    let first = log
        .iter()
        .find(|e| e.op == "purge" && e.outcome == "ok")
        .unwrap();
    assert_eq!(first.counts.as_ref().unwrap().get("subjects"), Some(&1));
    assert!(reg.verify_audit(&staff(), Some(&code(T))).unwrap().ok);
    let raw = store.raw_bytes();
    for secret in ["保存 花子", "123456789018"] {
        assert!(!contains(&raw, secret.as_bytes()), "{secret}");
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_legal_hold_blocks_the_purge_until_lifted() {
    let (mut reg, clock, _) = setup(RetentionPolicy::default());
    clock.set(at("2026-12-01"));
    let today = date("2026-12-01");
    deceased(&mut reg, "1001", "2021-07-15");
    reg.record_national_db_provision(
        &staff(),
        &code(T),
        date("2026-06-01"),
        &ProvisionSelection::All,
    )
    .unwrap();
    assert!(reg
        .set_legal_hold(&staff(), &code(T), &addressee("1001"), true)
        .unwrap());
    assert!(!reg
        .set_legal_hold(&staff(), &code(T), &addressee("1001"), true)
        .unwrap());
    let list = reg.retention_list(&staff(), &code(T), today).unwrap();
    assert!(list.eligible.is_empty());
    assert_eq!(list.held.len(), 2);
    assert_eq!(list.kept.legal_hold, 2);
    assert_eq!(reg.purge(&staff(), &code(T), today).unwrap().doses, 0);
    assert!(reg.subject_doses(&staff(), &code(T), "1001").is_ok());
    let e = reg
        .set_legal_hold(&staff(), &code(T), &addressee("7777"), true)
        .unwrap_err();
    assert_eq!(e.code(), "not_found");
    assert!(reg
        .set_legal_hold(&staff(), &code(T), &addressee("1001"), false)
        .unwrap());
    assert_eq!(reg.purge(&staff(), &code(T), today).unwrap().subjects, 1);
}

#[test]
fn the_tenant_minimum_only_lengthens() {
    let (mut reg, clock, _) = setup(RetentionPolicy::default());
    clock.set(at("2026-12-01"));
    let today = date("2026-12-01");
    deceased(&mut reg, "1001", "2021-07-15");
    reg.record_national_db_provision(
        &staff(),
        &code(T),
        date("2026-06-01"),
        &ProvisionSelection::All,
    )
    .unwrap();
    reg.set_retention_minimum(&staff(), &code(T), Some(30))
        .unwrap();
    let list = reg.retention_list(&staff(), &code(T), today).unwrap();
    assert_eq!(list.tenant_minimum_years, Some(30));
    assert!(list.eligible.is_empty());
    assert_eq!(list.kept.tenant_minimum, 2);
    assert_eq!(reg.purge(&staff(), &code(T), today).unwrap().doses, 0);
    // Thirty years from 2021-06-10 and 2021-06-30.
    let later = reg
        .retention_list(&staff(), &code(T), date("2051-07-01"))
        .unwrap();
    let from: Vec<_> = later
        .eligible
        .iter()
        .map(|d| d.eligible_from.as_str())
        .collect();
    assert_eq!(from, ["2051-06-11", "2051-07-01"]);
    assert_eq!(
        later.eligible[0].tenant_retain_through.as_deref(),
        Some("2051-06-10")
    );
    let e = reg
        .set_retention_minimum(&staff(), &code(T), Some(0))
        .unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    reg.set_retention_minimum(&staff(), &code(T), None).unwrap();
    assert_eq!(reg.purge(&staff(), &code(T), today).unwrap().doses, 2);
}

#[test]
fn provisions_are_checked_and_selected() {
    let (mut reg, clock, _) = setup(RetentionPolicy::default());
    clock.set(at("2026-12-01"));
    let t = code(T);
    let all = ProvisionSelection::All;
    let e = reg
        .record_national_db_provision(&staff(), &t, date("2026-12-02"), &all)
        .unwrap_err();
    assert_eq!(e.rule().map(|c| c.as_str()), Some("D02"));
    let e = reg
        .record_national_db_provision(&staff(), &t, date("2026-05-31"), &all)
        .unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    let who = ProvisionSelection::Subjects(vec![addressee("1002"), addressee("7777")]);
    let e = reg
        .record_national_db_provision(&staff(), &t, date("2026-06-01"), &who)
        .unwrap_err();
    assert_eq!(e.code(), "not_found");
    let who = ProvisionSelection::Subjects(vec![addressee("1002"), addressee("1002")]);
    let p = reg
        .record_national_db_provision(&staff(), &t, date("2026-06-01"), &who)
        .unwrap();
    assert_eq!((p.doses, p.vouchers), (1, 1));
    let range = ProvisionSelection::VaccinatedBetween {
        from: date("2021-06-11"),
        to: date("2021-06-30"),
    };
    let p = reg
        .record_national_db_provision(&staff(), &t, date("2026-06-01"), &range)
        .unwrap();
    assert_eq!((p.doses, p.unchanged), (2, 0)); // 2021-06-12 (unlinked) and 2021-06-30
    let p = reg
        .record_national_db_provision(&staff(), &t, date("2026-06-01"), &all)
        .unwrap();
    assert_eq!((p.doses, p.unchanged), (1, 3));
    // A later day replaces the earlier (the record is kept longer); an earlier one changes nothing.
    let p = reg
        .record_national_db_provision(&staff(), &t, date("2026-07-01"), &all)
        .unwrap();
    assert_eq!((p.doses, p.unchanged), (4, 0));
    let p = reg
        .record_national_db_provision(&staff(), &t, date("2026-06-15"), &all)
        .unwrap();
    assert_eq!((p.doses, p.unchanged), (0, 4));
    let reversed = ProvisionSelection::VaccinatedBetween {
        from: date("2021-07-01"),
        to: date("2021-06-01"),
    };
    let e = reg
        .record_national_db_provision(&staff(), &t, date("2026-06-01"), &reversed)
        .unwrap_err();
    assert_eq!(e.code(), "invalid_input");
}

#[test]
fn only_the_owning_tenants_staff_may_and_refusals_are_audited() {
    let (mut reg, clock, _) = setup(RetentionPolicy::default());
    clock.set(at("2026-12-01"));
    let t = code(T);
    let today = date("2026-12-01");
    let others = [
        Principal::MunicipalStaff {
            tenant: code("131032"),
            user_id: "u1".into(),
        },
        Principal::VenueTablet { tenant: t },
        Principal::Operator,
        Principal::NationalViewer,
        Principal::PrefectureViewer { prefecture: 13 },
    ];
    for p in &others {
        assert_eq!(reg.purge(p, &t, today).unwrap_err().code(), "forbidden");
        assert_eq!(
            reg.retention_list(p, &t, today).unwrap_err().code(),
            "forbidden"
        );
        let e = reg
            .set_legal_hold(p, &t, &addressee("1001"), true)
            .unwrap_err();
        assert_eq!(e.code(), "forbidden");
        let e = reg.set_retention_minimum(p, &t, Some(30)).unwrap_err();
        assert_eq!(e.code(), "forbidden");
        let e = reg
            .record_national_db_provision(p, &t, date("2026-06-01"), &ProvisionSelection::All)
            .unwrap_err();
        assert_eq!(e.code(), "forbidden");
    }
    let log = reg.audit_log(&Principal::Operator, Some(&t)).unwrap();
    let refused = log.iter().filter(|e| e.outcome == "refused").count();
    assert_eq!(refused, others.len() * 5);
    assert_eq!(
        reg.purge(&staff(), &code("011002"), today)
            .unwrap_err()
            .code(),
        "unknown_tenant"
    );
}

#[test]
fn unlinked_vouchers_and_partial_purges_under_a_five_year_policy() {
    // Under Art. 3 alone every June-2021 dose is eligible by 2026-07-01; dose 2 of 1001 (given
    // 2021-06-30) only from 2026-07-01.
    let (mut reg, clock, _) = setup(naive());
    clock.set(at("2026-06-20"));
    let today = date("2026-06-20");
    let list = reg.retention_list(&staff(), &code(T), today).unwrap();
    assert_eq!(list.eligible.len(), 3);
    assert_eq!(list.would_remove.subjects, 1); // 1002; 1001 keeps dose 2
    assert_eq!(list.would_remove.vouchers, 2); // 1002's and the unlinked one
    let mut out = Vec::new();
    reg.export_awaiting(&staff(), &code(T), &mut out, WriteOptions::default())
        .unwrap();
    assert!(String::from_utf8(out).unwrap().contains("0000099999"));
    let purged = reg.purge(&staff(), &code(T), today).unwrap();
    assert_eq!(
        (
            purged.doses,
            purged.vouchers,
            purged.subjects,
            purged.awaiting
        ),
        (3, 2, 1, 1)
    );
    let mut out = Vec::new();
    reg.export_awaiting(&staff(), &code(T), &mut out, WriteOptions::default())
        .unwrap();
    assert!(!String::from_utf8(out).unwrap().contains("0000099999"));
    let left = reg.subject_doses(&staff(), &code(T), "1001").unwrap();
    assert_eq!(left.doses.iter().map(|d| d.dose).collect::<Vec<_>>(), [2]);
    // A new dose on the purged unlinked voucher starts afresh.
    let venue = Principal::VenueTablet { tenant: code(T) };
    let line = OcrLine::parse(&format!("11{T}0000099999")).unwrap();
    let input = DoseInput::new(
        date("2021-06-12"),
        "ファイザー",
        "FA5765",
        "区民会館",
        "山田一郎",
    );
    assert!(
        !reg.record_dose_ocr(&venue, &line, &input)
            .unwrap()
            .already_recorded
    );
    clock.set(at("2026-07-01"));
    let last = reg.purge(&staff(), &code(T), date("2026-07-01")).unwrap();
    assert_eq!((last.doses, last.subjects), (2, 1));
    let _ = VoucherNumber::parse("0000012345").unwrap();
}

#[test]
fn a_purge_takes_the_correction_history_of_the_doses_it_removes() {
    // Under Art. 3 alone, on 2026-06-20: 1001 keeps dose 2 (its voucher is trimmed), 1002 leaves.
    let (mut reg, clock, mut store) = setup(naive());
    let lot = DoseCorrection {
        lot: Some("FA5766".into()),
        ..DoseCorrection::default()
    };
    for (who, dose) in [("1001", 1), ("1001", 2), ("1002", 1)] {
        let subject = SubjectRef::Addressee(addressee(who));
        let n = DoseNumber::new(dose).unwrap();
        reg.correct_dose(&staff(), &code(T), &subject, n, &lot, "lot misread")
            .unwrap();
    }
    let histories = |store: &mut MemoryStore| {
        let mut doses = Vec::new();
        store
            .scan(131016, RecordKind::DoseHistory.code(), &mut |_, _| {
                doses.push(());
                true
            })
            .unwrap();
        doses.len()
    };
    assert_eq!(histories(&mut store), 2); // one per voucher
    clock.set(at("2026-06-20"));
    reg.purge(&staff(), &code(T), date("2026-06-20")).unwrap();
    // 1002's history went with its voucher; 1001's keeps only dose 2's correction.
    assert_eq!(histories(&mut store), 1);
    let left = reg.subject_doses(&staff(), &code(T), "1001").unwrap();
    assert_eq!(left.history.iter().map(|h| h.dose).collect::<Vec<_>>(), [2]);
    clock.set(at("2026-07-01"));
    reg.purge(&staff(), &code(T), date("2026-07-01")).unwrap();
    assert_eq!(histories(&mut store), 0);
}
