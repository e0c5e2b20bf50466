//! Registry behaviour on the in-memory store: roles, imports, doses, flags, exports, audit.

use super::*;
use crate::codec::WriteOptions;
use crate::crypto::MasterKeyProvider;
use crate::date::Date;
use crate::id::{AddresseeNumber, OcrLine, VoucherNumber};
use crate::store::{MemoryStore, Store};
use crate::vaccine::DoseNumber;

pub(super) const HEADER: &str =
    "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n";

pub(super) fn code(s: &str) -> MunicipalityCode {
    MunicipalityCode::parse(s).unwrap()
}

pub(super) fn date(y: u16, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

pub(super) fn registry() -> Registry {
    registry_with_store().0
}

pub(super) fn registry_with_store() -> (Registry, MemoryStore) {
    let store = MemoryStore::new();
    let now = DateTime::new(date(2021, 7, 1), 9, 0, 0).unwrap();
    let mut reg = Registry::open(
        Box::new(store.share()),
        Box::new(MasterKeyProvider::new([42; 32])),
        Box::new(FixedClock::ticking(now, 1)),
        RegistryConfig::default(),
    )
    .unwrap();
    for t in ["131016", "131032", "011002"] {
        reg.create_tenant(&Principal::Operator, &code(t)).unwrap();
        reg.register_staff(&Principal::Operator, &code(t), "u1")
            .unwrap();
    }
    (reg, store)
}

pub(super) fn staff(t: &str) -> Principal {
    Principal::MunicipalStaff {
        tenant: code(t),
        user_id: "u1".into(),
    }
}

pub(super) fn row(t: &str, addressee: &str, my_number: &str, voucher: &str, name: &str) -> String {
    format!("{t},{addressee},{my_number},{voucher},{name},チヨダ ハナコ,19800101,2,20210501\r\n")
}

pub(super) fn pfizer(on: Date) -> DoseInput {
    DoseInput::new(on, "ファイザー", "FA5765", "区民会館", "山田一郎")
}

pub(super) fn ocr(t: &str, dose: u8, voucher: &str) -> OcrLine {
    OcrLine::parse(&format!("1{dose}{t}{voucher}")).unwrap()
}

pub(super) fn ledger(reg: &mut Registry, t: &str) -> String {
    let mut out = Vec::new();
    reg.export_ledger(&staff(t), &code(t), &mut out, WriteOptions::default())
        .unwrap();
    String::from_utf8(out).unwrap()
}

pub(super) fn awaiting(reg: &mut Registry, t: &str) -> String {
    let mut out = Vec::new();
    reg.export_awaiting(&staff(t), &code(t), &mut out, WriteOptions::default())
        .unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn import_dose_query_export_and_reimport() {
    let mut reg = registry();
    let file = format!(
        "{HEADER}{}{}",
        row(
            "131016",
            "1001",
            "123456789018",
            "0000012345",
            "千代田 花子"
        ),
        row("131016", "1002", "110000000000", "0000012346", "髙﨑 一郎")
    );
    let t = code("131016");
    let out = reg
        .import_subjects(&staff("131016"), &t, file.as_bytes(), ImportMode::Strict)
        .unwrap();
    assert_eq!(
        (out.rows, out.imported, out.rejected, out.batches_committed),
        (2, 2, 0, 1)
    );
    let again = reg
        .import_subjects(&staff("131016"), &t, file.as_bytes(), ImportMode::Strict)
        .unwrap();
    assert!(again.already_imported);
    assert_eq!(again.imported, 0);
    // The same rows in another file: recognised as unchanged row by row.
    let reordered = format!(
        "{HEADER}{}{}",
        row("131016", "1002", "110000000000", "0000012346", "髙﨑 一郎"),
        row(
            "131016",
            "1001",
            "123456789018",
            "0000012345",
            "千代田 花子"
        )
    );
    let same = reg
        .import_subjects(
            &staff("131016"),
            &t,
            reordered.as_bytes(),
            ImportMode::Lenient,
        )
        .unwrap();
    assert_eq!((same.imported, same.unchanged), (0, 2));

    let c = reg
        .record_dose_ocr(
            &Principal::VenueTablet { tenant: t },
            &ocr("131016", 1, "0000012345"),
            &pfizer(date(2021, 6, 1)),
        )
        .unwrap();
    assert_eq!(
        (c.dose, c.awaiting_registration, c.already_recorded),
        (1, false, false)
    );
    let again = reg
        .record_dose_ocr(
            &Principal::VenueTablet { tenant: t },
            &ocr("131016", 1, "0000012345"),
            &pfizer(date(2021, 6, 1)),
        )
        .unwrap();
    assert!(again.already_recorded);
    reg.record_dose(
        &staff("131016"),
        &t,
        &VoucherNumber::parse("0000012345").unwrap(),
        DoseNumber::new(2).unwrap(),
        &pfizer(date(2021, 6, 22)),
    )
    .unwrap();

    let s = reg.subject_doses(&staff("131016"), &t, "1001").unwrap();
    assert_eq!(s.name, "千代田 花子");
    assert!(s.has_my_number);
    assert_eq!(
        s.doses.iter().map(|d| d.dose).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(s.doses[0].manufacturer, "ファイザー");
    assert!(!format!("{s:?}").contains("123456789018"));

    let csv = ledger(&mut reg, "131016");
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].starts_with("1001,"));
    assert!(lines[1].contains("20210601,0000012345,131016,区民会館,山田一郎,ファイザー,FA5765"));
    assert!(!csv.contains("123456789018"));
    // The export validates with the ledger layout.
    let layout = crate::layout::find("ledger-export", &Default::default()).unwrap();
    let report = crate::codec::validate_bytes(csv.as_bytes(), layout, Default::default());
    assert_eq!(report.errors, 0, "{:?}", report.diagnostics);

    let v = reg.verify_audit(&Principal::Operator, Some(&t)).unwrap();
    assert!(v.ok, "{v:?}");
    assert!(v.entries >= 8);
}

#[test]
fn roles_are_enforced_refusals_change_nothing_and_are_audited() {
    let mut reg = registry();
    let t = code("131016");
    let file = format!(
        "{HEADER}{}",
        row(
            "131016",
            "1001",
            "123456789018",
            "0000012345",
            "千代田 花子"
        )
    );
    reg.import_subjects(&staff("131016"), &t, file.as_bytes(), ImportMode::Strict)
        .unwrap();
    let before = ledger(&mut reg, "131016");
    let log_before = reg.audit_log(&Principal::Operator, Some(&t)).unwrap().len();

    let other_staff = staff("131032");
    let unregistered = Principal::MunicipalStaff {
        tenant: t,
        user_id: "intruder".into(),
    };
    let venue = Principal::VenueTablet { tenant: t };
    let foreign_venue = Principal::VenueTablet {
        tenant: code("131032"),
    };
    for p in [
        &other_staff,
        &unregistered,
        &venue,
        &Principal::Operator,
        &Principal::NationalViewer,
        &Principal::PrefectureViewer { prefecture: 13 },
    ] {
        let e = reg.subject_doses(p, &t, "1001").unwrap_err();
        assert_eq!(e.code(), "forbidden", "{p:?}");
        let e = reg
            .import_subjects(p, &t, file.as_bytes(), ImportMode::Lenient)
            .unwrap_err();
        assert_eq!(e.code(), "forbidden", "{p:?}");
        let mut out = Vec::new();
        assert!(reg
            .export_ledger(p, &t, &mut out, WriteOptions::default())
            .is_err());
        assert!(out.is_empty());
        let flag = Flag::Deceased {
            date: date(2021, 5, 1),
        };
        let who = SubjectRef::Addressee(AddresseeNumber::parse("1001").unwrap());
        assert_eq!(
            reg.set_flag(p, &t, &who, &flag).unwrap_err().code(),
            "forbidden"
        );
    }
    let e = reg
        .record_dose_ocr(
            &foreign_venue,
            &ocr("131016", 1, "0000012345"),
            &pfizer(date(2021, 6, 1)),
        )
        .unwrap_err();
    assert_eq!(e.code(), "forbidden");
    assert_eq!(
        reg.create_tenant(&staff("131016"), &code("131041"))
            .unwrap_err()
            .code(),
        "forbidden"
    );
    assert_eq!(
        reg.stats(&Principal::Operator, &StatsQuery::default())
            .unwrap_err()
            .code(),
        "forbidden"
    );
    assert_eq!(
        reg.stats(&venue, &StatsQuery::default())
            .unwrap_err()
            .code(),
        "forbidden"
    );
    assert_eq!(ledger(&mut reg, "131016"), before);
    let log = reg.audit_log(&Principal::Operator, Some(&t)).unwrap();
    let refused = log[log_before..]
        .iter()
        .filter(|e| e.outcome == "refused")
        .count();
    assert!(refused >= 20, "{refused}");
    assert!(log
        .iter()
        .all(|e| !serde_json::to_string(e).unwrap().contains("intruder")));
    assert!(reg.verify_audit(&staff("131016"), Some(&t)).unwrap().ok);
    assert_eq!(
        reg.verify_audit(&staff("131032"), Some(&t))
            .unwrap_err()
            .code(),
        "forbidden"
    );
}

#[test]
fn staff_quota_is_ten_by_default_and_can_be_raised() {
    let mut reg = registry();
    let t = code("131016");
    for i in 2..=10 {
        reg.register_staff(&Principal::Operator, &t, &format!("u{i}"))
            .unwrap();
    }
    reg.register_staff(&Principal::Operator, &t, "u10").unwrap();
    let e = reg
        .register_staff(&Principal::Operator, &t, "u11")
        .unwrap_err();
    assert_eq!(e.code(), "quota_exceeded");
    reg.set_staff_quota(&Principal::Operator, &t, 11).unwrap();
    reg.register_staff(&Principal::Operator, &t, "u11").unwrap();
    assert!(reg
        .unregister_staff(&Principal::Operator, &t, "u11")
        .unwrap());
    assert_eq!(
        reg.register_staff(&staff("131016"), &t, "u12")
            .unwrap_err()
            .code(),
        "forbidden"
    );
}

#[test]
fn strict_is_all_or_nothing_and_lenient_imports_the_valid_rows() {
    let mut reg = registry();
    let t = code("131016");
    let file = format!(
        "{HEADER}{}{}{}",
        row(
            "131016",
            "1001",
            "123456789018",
            "0000012345",
            "千代田 花子"
        ),
        row("131016", "1002", "123456789013", "0000012346", "番号 誤り"),
        row("131032", "1003", "110000000000", "0000012347", "他 団体")
    );
    let e = reg
        .import_subjects(&staff("131016"), &t, file.as_bytes(), ImportMode::Strict)
        .unwrap_err();
    let RegistryError::ImportRejected(outcome) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(outcome.rejected, 2);
    let codes: Vec<&str> = outcome
        .rejected_rows
        .iter()
        .map(|r| r.code.as_str())
        .collect();
    assert!(
        codes.contains(&"N01") && codes.contains(&"M03"),
        "{codes:?}"
    );
    assert!(!e.to_string().contains("123456789013"));
    assert_eq!(ledger(&mut reg, "131016").lines().count(), 1);
    assert_eq!(
        reg.subject_doses(&staff("131016"), &t, "1001")
            .unwrap_err()
            .code(),
        "not_found"
    );

    let out = reg
        .import_subjects(&staff("131016"), &t, file.as_bytes(), ImportMode::Lenient)
        .unwrap();
    assert_eq!((out.imported, out.rejected), (1, 2));
    assert!(reg.subject_doses(&staff("131016"), &t, "1001").is_ok());

    // Conflicts with stored data: the My Number and the voucher belong to 1001 already.
    let clash = format!(
        "{HEADER}{}{}",
        row("131016", "2001", "123456789018", "0000099999", "別人 一"),
        row("131016", "2002", "500000000011", "0000012345", "別人 二")
    );
    let out = reg
        .import_subjects(&staff("131016"), &t, clash.as_bytes(), ImportMode::Lenient)
        .unwrap();
    let codes: Vec<(u64, &str)> = out
        .rejected_rows
        .iter()
        .map(|r| (r.line, r.code.as_str()))
        .collect();
    assert_eq!(codes, vec![(2, "N03"), (3, "V02")]);
    // A wrong header is a file-level problem in both modes.
    let e = reg
        .import_subjects(
            &staff("131016"),
            &t,
            "a,b\r\n1,2\r\n".as_bytes(),
            ImportMode::Lenient,
        )
        .unwrap_err();
    assert_eq!(e.code(), "import_rejected");
}

#[test]
fn lenient_import_commits_batches() {
    let mut reg = registry();
    reg.config.import_batch_rows = 2;
    let t = code("131016");
    let mut file = HEADER.to_string();
    for i in 0..5u32 {
        let n = crate::id::MyNumber::from_eleven_digits(&format!("{:011}", 10_000 + i)).unwrap();
        file.push_str(&row(
            "131016",
            &format!("{}", 1000 + i),
            n.expose_secret(),
            &format!("{:010}", 500 + i),
            "分割 太郎",
        ));
    }
    let mut seen = Vec::new();
    let out = reg
        .import_subjects_with(
            &staff("131016"),
            &t,
            file.as_bytes(),
            ImportMode::Lenient,
            &mut |o| seen.push(o.imported),
        )
        .unwrap();
    assert_eq!(out.imported, 5);
    assert_eq!(seen, vec![2, 4, 5]);
}

#[test]
fn awaiting_doses_link_when_the_subject_is_registered() {
    let mut reg = registry();
    let t = code("131016");
    let venue = Principal::VenueTablet { tenant: t };
    let c = reg
        .record_dose_ocr(
            &venue,
            &ocr("131016", 1, "0000077777"),
            &pfizer(date(2021, 6, 1)),
        )
        .unwrap();
    assert!(c.awaiting_registration);
    let list = awaiting(&mut reg, "131016");
    assert_eq!(list.lines().count(), 2, "{list}");
    assert!(list.lines().nth(1).unwrap().starts_with(",2021070109"));
    let file = format!(
        "{HEADER}{}",
        row("131016", "3001", "500000000011", "0000077777", "待機 花子")
    );
    reg.import_subjects(&staff("131016"), &t, file.as_bytes(), ImportMode::Strict)
        .unwrap();
    assert_eq!(awaiting(&mut reg, "131016").lines().count(), 1);
    let s = reg.subject_doses(&staff("131016"), &t, "3001").unwrap();
    assert_eq!(s.doses.len(), 1);
    assert!(ledger(&mut reg, "131016").contains("3001,"));
}

#[test]
fn death_refuses_later_doses_and_move_out_warns() {
    let mut reg = registry();
    let t = code("131016");
    let file = format!(
        "{HEADER}{}{}",
        row(
            "131016",
            "1001",
            "123456789018",
            "0000012345",
            "千代田 花子"
        ),
        row(
            "131016",
            "1002",
            "110000000000",
            "0000012346",
            "千代田 次郎"
        )
    );
    reg.import_subjects(&staff("131016"), &t, file.as_bytes(), ImportMode::Strict)
        .unwrap();
    let who = SubjectRef::Voucher(VoucherNumber::parse("0000012345").unwrap());
    reg.set_flag(
        &staff("131016"),
        &t,
        &who,
        &Flag::Deceased {
            date: date(2021, 5, 31),
        },
    )
    .unwrap();
    let venue = Principal::VenueTablet { tenant: t };
    let e = reg
        .record_dose_ocr(
            &venue,
            &ocr("131016", 1, "0000012345"),
            &pfizer(date(2021, 6, 1)),
        )
        .unwrap_err();
    assert_eq!((e.code(), e.rule()), ("rule", Some(crate::diag::Code::L01)));
    // Before the death date: fine.
    reg.record_dose_ocr(
        &venue,
        &ocr("131016", 1, "0000012345"),
        &pfizer(date(2021, 5, 30)),
    )
    .unwrap();

    let who = SubjectRef::Addressee(AddresseeNumber::parse("1002").unwrap());
    let flag = Flag::MovedOut {
        date: date(2021, 5, 31),
        destination: Some(code("011002")),
    };
    reg.set_flag(&staff("131016"), &t, &who, &flag).unwrap();
    let c = reg
        .record_dose_ocr(
            &venue,
            &ocr("131016", 1, "0000012346"),
            &pfizer(date(2021, 6, 1)),
        )
        .unwrap();
    assert_eq!(c.warnings, vec!["L02".to_owned()]);
    let s = reg.subject_doses(&staff("131016"), &t, "1002").unwrap();
    assert_eq!(s.flags[0].destination.as_deref(), Some("011002"));
    assert_eq!(s.doses.len(), 1, "flags never delete data");
}

#[test]
fn dose_rules_and_reissue() {
    let mut reg = registry();
    let t = code("131016");
    let file = format!(
        "{HEADER}{}",
        row(
            "131016",
            "1001",
            "123456789018",
            "0000012345",
            "千代田 花子"
        )
    );
    reg.import_subjects(&staff("131016"), &t, file.as_bytes(), ImportMode::Strict)
        .unwrap();
    let venue = Principal::VenueTablet { tenant: t };
    let rule = |reg: &mut Registry, dose: u8, input: DoseInput| {
        reg.record_dose_ocr(&venue, &ocr("131016", dose, "0000012345"), &input)
            .unwrap_err()
            .rule()
            .map(|c| c.as_str())
    };
    assert_eq!(rule(&mut reg, 1, pfizer(date(2021, 7, 2))), Some("D02"));
    assert_eq!(rule(&mut reg, 1, pfizer(date(2021, 1, 2))), Some("D03"));
    assert_eq!(
        rule(
            &mut reg,
            1,
            DoseInput::new(date(2021, 6, 1), "不明", "A1", "", "")
        ),
        Some("T03")
    );
    assert_eq!(
        rule(
            &mut reg,
            1,
            DoseInput::new(date(2021, 6, 1), "ファイザー", "A 1", "", "")
        ),
        Some("T04")
    );
    assert_eq!(
        rule(
            &mut reg,
            1,
            DoseInput::new(date(2021, 6, 1), "ファイザー", "A1", &"会".repeat(31), "")
        ),
        Some("T01")
    );
    reg.record_dose_ocr(
        &venue,
        &ocr("131016", 1, "0000012345"),
        &pfizer(date(2021, 6, 1)),
    )
    .unwrap();
    assert_eq!(rule(&mut reg, 1, pfizer(date(2021, 6, 2))), Some("S03"));
    assert_eq!(rule(&mut reg, 2, pfizer(date(2021, 6, 1))), Some("S02"));

    let old = VoucherNumber::parse("0000012345").unwrap();
    let new = VoucherNumber::parse("0000054321").unwrap();
    reg.reissue_voucher(&staff("131016"), &t, &old, &new, date(2021, 6, 10))
        .unwrap();
    assert_eq!(rule(&mut reg, 2, pfizer(date(2021, 6, 22))), Some("L04"));
    reg.record_dose_ocr(
        &venue,
        &ocr("131016", 2, "0000054321"),
        &pfizer(date(2021, 6, 22)),
    )
    .unwrap();
    let s = reg.subject_doses(&staff("131016"), &t, "1001").unwrap();
    assert_eq!(s.vouchers, vec!["0000012345", "0000054321"]);
    assert_eq!(s.doses.len(), 2);
    let e = reg
        .reissue_voucher(
            &staff("131016"),
            &t,
            &old,
            &VoucherNumber::parse("0000000001").unwrap(),
            date(2021, 6, 10),
        )
        .unwrap_err();
    assert_eq!(e.code(), "conflict");
    // Issue a booster voucher to the same subject.
    let booster = VoucherNumber::parse("0000099999").unwrap();
    reg.issue_voucher(
        &staff("131016"),
        &t,
        &AddresseeNumber::parse("1001").unwrap(),
        &booster,
        date(2021, 6, 30),
    )
    .unwrap();
    let e = reg
        .issue_voucher(
            &staff("131016"),
            &t,
            &AddresseeNumber::parse("9999").unwrap(),
            &booster,
            date(2021, 6, 30),
        )
        .unwrap_err();
    assert_eq!(e.code(), "not_found");
}

#[test]
fn stats_suppress_small_cells_and_respect_scope() {
    let mut reg = registry();
    let mut file = HEADER.to_string();
    for i in 0..12u32 {
        let n = crate::id::MyNumber::from_eleven_digits(&format!("{:011}", 20_000 + i)).unwrap();
        file.push_str(&row(
            "131016",
            &format!("{}", 1000 + i),
            n.expose_secret(),
            &format!("{:010}", 100 + i),
            "統計 花子",
        ));
    }
    let t = code("131016");
    reg.import_subjects(&staff("131016"), &t, file.as_bytes(), ImportMode::Strict)
        .unwrap();
    let venue = Principal::VenueTablet { tenant: t };
    for i in 0..12u32 {
        reg.record_dose_ocr(
            &venue,
            &ocr("131016", 1, &format!("{:010}", 100 + i)),
            &pfizer(date(2021, 6, 1)),
        )
        .unwrap();
    }
    for i in 0..3u32 {
        reg.record_dose_ocr(
            &venue,
            &ocr("131016", 2, &format!("{:010}", 100 + i)),
            &pfizer(date(2021, 6, 22)),
        )
        .unwrap();
    }
    reg.record_dose_ocr(
        &Principal::VenueTablet {
            tenant: code("011002"),
        },
        &ocr("011002", 1, "0000000001"),
        &pfizer(date(2021, 6, 1)),
    )
    .unwrap();

    let national = reg
        .stats(&Principal::NationalViewer, &StatsQuery::default())
        .unwrap();
    let cells: Vec<(Option<&str>, Option<u8>, Option<u64>)> = national
        .cells
        .iter()
        .map(|c| (c.municipality.as_deref(), c.dose, c.count))
        .collect();
    assert_eq!(
        cells,
        vec![
            (Some("011002"), Some(1), None),
            (Some("131016"), Some(1), Some(12)),
            (Some("131016"), Some(2), None)
        ]
    );
    assert_eq!(national.suppressed, 2);
    let tokyo = reg
        .stats(
            &Principal::PrefectureViewer { prefecture: 13 },
            &StatsQuery::default(),
        )
        .unwrap();
    assert!(tokyo
        .cells
        .iter()
        .all(|c| c.municipality.as_deref() == Some("131016")));
    let query = StatsQuery {
        group_by: vec![Dimension::Week, Dimension::AgeBand, Dimension::Manufacturer],
    };
    let by_week = reg.stats(&Principal::NationalViewer, &query).unwrap();
    let big: Vec<_> = by_week.cells.iter().filter(|c| c.count.is_some()).collect();
    assert_eq!(big.len(), 1);
    assert_eq!(
        (
            big[0].week.as_deref(),
            big[0].age_band.as_deref(),
            big[0].count
        ),
        (Some("2021-05-31"), Some("40-49"), Some(12))
    );
    let own = reg.stats(&staff("131016"), &StatsQuery::default()).unwrap();
    assert!(own
        .cells
        .iter()
        .all(|c| c.municipality.as_deref() == Some("131016")));
    let text = serde_json::to_string(&national).unwrap();
    assert!(!text.contains("統計") && !text.contains("0000000100"));
}

#[test]
fn audit_tampering_is_found() {
    let store = MemoryStore::new();
    let keys = MasterKeyProvider::new([1; 32]);
    let now = DateTime::new(date(2021, 7, 1), 9, 0, 0).unwrap();
    let t = code("131016");
    let clock = || Box::new(FixedClock::ticking(now, 1));
    let mut reg = Registry::open(
        Box::new(store.share()),
        Box::new(keys.clone()),
        clock(),
        RegistryConfig::default(),
    )
    .unwrap();
    reg.create_tenant(&Principal::Operator, &t).unwrap();
    for i in 0..4 {
        reg.register_staff(&Principal::Operator, &t, &format!("u{i}"))
            .unwrap();
    }
    let verify = |store: MemoryStore| {
        let mut reg = Registry::open(
            Box::new(store),
            Box::new(keys.clone()),
            clock(),
            RegistryConfig::default(),
        )
        .unwrap();
        reg.verify_audit(&Principal::Operator, Some(&t)).unwrap()
    };
    let id = t.to_u32();
    let clean = verify(store.snapshot());
    assert!(clean.ok && clean.entries == 5, "{clean:?}");

    let altered = store.snapshot();
    altered.tamper_audit(id, |rows| {
        rows[2].entry = String::from_utf8(rows[2].entry.clone())
            .unwrap()
            .replace("\"ok\"", "\"no\"")
            .into_bytes();
    });
    assert_eq!(verify(altered).first_bad, Some(3));

    let removed = store.snapshot();
    removed.tamper_audit(id, |rows| {
        rows.remove(1);
    });
    assert_eq!(verify(removed).first_bad, Some(2));

    let swapped = store.snapshot();
    swapped.tamper_audit(id, |rows| {
        rows.swap(1, 2);
        let (a, b) = (rows[1].seq, rows[2].seq);
        rows[1].seq = b;
        rows[2].seq = a;
    });
    assert_eq!(verify(swapped).first_bad, Some(2));

    let truncated = store.snapshot();
    truncated.tamper_audit(id, |rows| {
        rows.pop();
    });
    let v = verify(truncated);
    assert_eq!((v.ok, v.first_bad), (false, Some(5)));
}

#[test]
fn records_copied_between_tenants_do_not_open_and_wrong_keys_are_recognised() {
    let (mut reg, store) = registry_with_store();
    let t = code("131016");
    let file = format!(
        "{HEADER}{}",
        row(
            "131016",
            "1001",
            "123456789018",
            "0000012345",
            "千代田 花子"
        )
    );
    reg.import_subjects(&staff("131016"), &t, file.as_bytes(), ImportMode::Strict)
        .unwrap();
    let mut store = store.snapshot();
    // Copy every subject record of 131016 under the same key into 131032's area.
    let mut copies = Vec::new();
    store
        .scan(131016, RecordKind::Subject.code(), &mut |k, v| {
            copies.push((*k, v.to_vec()));
            true
        })
        .unwrap();
    assert_eq!(copies.len(), 1);
    store.begin().unwrap();
    for (k, v) in &copies {
        store.put(131032, RecordKind::Subject.code(), k, v).unwrap();
    }
    store.commit().unwrap();
    let now = DateTime::new(date(2021, 7, 1), 9, 0, 0).unwrap();
    let mut reg = Registry::open(
        Box::new(store.share()),
        Box::new(MasterKeyProvider::new([42; 32])),
        Box::new(FixedClock::new(now)),
        RegistryConfig::default(),
    )
    .unwrap();
    let mut out = Vec::new();
    let e = reg
        .export_ledger(
            &staff("131032"),
            &code("131032"),
            &mut out,
            WriteOptions::default(),
        )
        .unwrap_err();
    assert_eq!(e.code(), "tampered");
    assert!(
        e.to_string().contains("131032, subject: 1 record(s) more"),
        "{e}"
    );
    // The registry key is right, Chiyoda's key is not.
    let master = MasterKeyProvider::new([42; 32]);
    let mut keys = crate::crypto::StaticKeyProvider::new(master.registry_key().unwrap());
    keys.insert(t, crate::crypto::SecretKey::new([7; 32]));
    let mut reg = Registry::open(
        Box::new(store),
        Box::new(keys),
        Box::new(FixedClock::new(now)),
        RegistryConfig::default(),
    )
    .unwrap();
    let e = reg.subject_doses(&staff("131016"), &t, "1001").unwrap_err();
    assert_eq!(e.code(), "wrong_key");
    assert_eq!(
        e.to_string(),
        "the key supplied for tenant 131016 does not open its data"
    );
    assert_eq!(
        reg.subject_doses(&staff("131016"), &code("132012"), "1001")
            .unwrap_err()
            .code(),
        "unknown_tenant"
    );
}

#[test]
fn tampering_is_not_laundered_by_later_operations() {
    let store = MemoryStore::new();
    let keys = MasterKeyProvider::new([1; 32]);
    let now = DateTime::new(date(2021, 7, 1), 9, 0, 0).unwrap();
    let t = code("131016");
    let open = |s: MemoryStore| {
        Registry::open(
            Box::new(s),
            Box::new(keys.clone()),
            Box::new(FixedClock::ticking(now, 1)),
            RegistryConfig::default(),
        )
        .unwrap()
    };
    let mut reg = open(store.share());
    reg.create_tenant(&Principal::Operator, &t).unwrap();
    for i in 0..4 {
        reg.register_staff(&Principal::Operator, &t, &format!("u{i}"))
            .unwrap();
    }
    // Remove the tail: a registry opening the store sees the chain end before its head and
    // runs inspection only; the gap stays visible.
    let cut = store.snapshot();
    cut.tamper_audit(t.to_u32(), |rows| {
        rows.pop();
        rows.pop();
    });
    let mut reg = open(cut);
    assert!(reg.quarantine().unwrap().contains("before its head"));
    assert_eq!(
        reg.register_staff(&Principal::Operator, &t, "u9")
            .unwrap_err()
            .code(),
        "tampered"
    );
    let v = reg.verify_audit(&Principal::Operator, Some(&t)).unwrap();
    assert_eq!((v.ok, v.first_bad), (false, Some(4)), "{v:?}");
    assert_eq!(
        reg.audit_log(&Principal::Operator, Some(&t))
            .unwrap_err()
            .code(),
        "tampered"
    );

    // Rewrite an entry and recompute every later hash: the authentic head still disagrees,
    // before and after further operations.
    let rewritten = store.snapshot();
    rewritten.tamper_audit(t.to_u32(), |rows| {
        use sha2::{Digest, Sha256};
        rows[1].entry = String::from_utf8(rows[1].entry.clone())
            .unwrap()
            .replace("register-staff", "register-other")
            .into_bytes();
        let mut prev = rows[0].hash;
        for r in rows.iter_mut().skip(1) {
            let mut h = Sha256::new();
            h.update(prev);
            h.update(&r.entry);
            r.hash = h.finalize().into();
            prev = r.hash;
        }
    });
    let mut reg = open(rewritten);
    assert!(!reg.verify_audit(&Principal::Operator, Some(&t)).unwrap().ok);
    reg.register_staff(&Principal::Operator, &t, "u9").unwrap();
    let v = reg.verify_audit(&Principal::Operator, Some(&t)).unwrap();
    assert!(!v.ok, "{v:?}");
}

#[test]
fn import_outcomes_are_exact() {
    let mut reg = registry();
    let t = code("131016");
    // N02: an addressee number equal to the My Number would leak it into downloads.
    let file = format!(
        "{HEADER}{}{}",
        row(
            "131016",
            "123456789018",
            "123456789018",
            "0000012345",
            "千代田 花子"
        ),
        row("131016", "1002", "12345678901X", "0000012346", "番号 誤り"),
    );
    let out = reg
        .import_subjects(&staff("131016"), &t, file.as_bytes(), ImportMode::Lenient)
        .unwrap();
    let codes: Vec<(u64, &str)> = out
        .rejected_rows
        .iter()
        .map(|r| (r.line, r.code.as_str()))
        .collect();
    assert_eq!(codes, vec![(2, "N02"), (3, "N01")]);
    assert_eq!((out.imported, out.rejected), (0, 2));
    let again = reg
        .import_subjects(&staff("131016"), &t, file.as_bytes(), ImportMode::Lenient)
        .unwrap();
    assert!(again.already_imported);
    assert_eq!(
        (again.unchanged, again.rejected, again.validation.errors),
        (0, 2, 0)
    );
    assert!(again.validation.diagnostics.is_empty());

    // A strict import rolled back by a registry rule reports nothing imported.
    let good = format!(
        "{HEADER}{}",
        row(
            "131016",
            "1001",
            "123456789018",
            "0000012345",
            "千代田 花子"
        )
    );
    let clash = format!(
        "{good}{}",
        row("131016", "1003", "110000000000", "0000099999", "別人")
    );
    reg.import_subjects(&staff("131016"), &t, good.as_bytes(), ImportMode::Strict)
        .unwrap();
    let clash = clash.replace(
        "1001,123456789018,0000012345",
        "1004,500000000011,0000012345",
    );
    let e = reg
        .import_subjects(&staff("131016"), &t, clash.as_bytes(), ImportMode::Strict)
        .unwrap_err();
    let RegistryError::ImportRejected(o) = e else {
        panic!()
    };
    assert_eq!(
        (o.imported, o.unchanged, o.rejected, o.batches_committed),
        (0, 0, 1, 0)
    );
    assert_eq!(
        reg.subject_doses(&staff("131016"), &t, "1003")
            .unwrap_err()
            .code(),
        "not_found"
    );
}

#[test]
fn flags_upload_and_verify_store_with_a_wrong_key() {
    let (mut reg, store) = registry_with_store();
    let t = code("131016");
    let file = format!(
        "{HEADER}{}",
        row(
            "131016",
            "1001",
            "123456789018",
            "0000012345",
            "千代田 花子"
        )
    );
    reg.import_subjects(&staff("131016"), &t, file.as_bytes(), ImportMode::Strict)
        .unwrap();
    let flags = "自治体コード,宛名番号,券番号,フラグ種別,異動日,転出先自治体コード\r\n\
                 131016,1001,,2,20210531,\r\n131016,9999,,1,20210531,011002\r\n";
    let out = reg
        .import_flags(&staff("131016"), &t, flags.as_bytes(), ImportMode::Lenient)
        .unwrap();
    assert_eq!(
        (out.imported, out.rejected),
        (1, 1),
        "{:?}",
        out.rejected_rows
    );
    assert_eq!(out.rejected_rows[0].code, "L05");
    let s = reg.subject_doses(&staff("131016"), &t, "1001").unwrap();
    assert_eq!(s.flags[0].kind, "deceased");

    // 131032 sealed with another key: verify_store reports it and checks the rest.
    let now = DateTime::new(date(2021, 7, 1), 9, 0, 0).unwrap();
    let master = MasterKeyProvider::new([42; 32]);
    let mut keys = crate::crypto::StaticKeyProvider::new(master.registry_key().unwrap());
    for c in ["131016", "011002"] {
        keys.insert(code(c), master.tenant_key(&code(c)).unwrap());
    }
    keys.insert(code("131032"), crate::crypto::SecretKey::new([3; 32]));
    let mut reg = Registry::open(
        Box::new(store.share()),
        Box::new(keys),
        Box::new(FixedClock::new(now)),
        RegistryConfig::default(),
    )
    .unwrap();
    let v = reg.verify_store(&Principal::Operator).unwrap();
    assert!(v.problems.is_empty());
    let bad: Vec<&str> = v
        .chains
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.chain.as_str())
        .collect();
    assert_eq!(bad, vec!["131032"], "{:?}", v.chains);
    let scopes: Vec<&str> = v.findings.iter().map(|f| f.scope.as_str()).collect();
    assert_eq!(scopes, vec!["131032"], "{:?}", v.findings);
    assert!(
        v.findings[0].problem.contains("does not open"),
        "{:?}",
        v.findings
    );
    // Another registry key is refused outright.
    let mut other = crate::crypto::StaticKeyProvider::new(crate::crypto::SecretKey::new([9; 32]));
    other.insert(code("131016"), master.tenant_key(&code("131016")).unwrap());
    let e = Registry::open(
        Box::new(store.share()),
        Box::new(other),
        Box::new(FixedClock::new(now)),
        RegistryConfig::default(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "wrong_key");
}
