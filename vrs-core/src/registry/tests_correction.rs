//! Text folding at entry (issue 15 item 5) and dose corrections and voids (item 6).

use super::model::VoucherRec;
use super::tests::{awaiting, code, date, ledger, ocr, pfizer, registry, row, staff, HEADER};
use super::*;
use crate::codec::WriteOptions;
use crate::crypto::{RecordKey, RecordKind};
use crate::diag::Code;
use crate::id::{AddresseeNumber, VoucherNumber};
use crate::text::Encoding;
use crate::vaccine::DoseNumber;

const T: &str = "131016";

fn one(n: u8) -> DoseNumber {
    DoseNumber::new(n).unwrap()
}

fn voucher(s: &str) -> VoucherNumber {
    VoucherNumber::parse(s).unwrap()
}

fn by_addressee(a: &str) -> SubjectRef {
    SubjectRef::Addressee(AddresseeNumber::parse(a).unwrap())
}

/// A registry with subject 1001 (voucher 0000012345) and doses 1 (6/1) and 2 (6/22).
fn two_doses() -> Registry {
    let mut reg = registry();
    let t = code(T);
    let file = format!(
        "{HEADER}{}",
        row(T, "1001", "123456789018", "0000012345", "千代田 花子")
    );
    reg.import_subjects(&staff(T), &t, file.as_bytes(), ImportMode::Strict)
        .unwrap();
    for (n, on) in [(1, date(2021, 6, 1)), (2, date(2021, 6, 22))] {
        reg.record_dose(&staff(T), &t, &voucher("0000012345"), one(n), &pfizer(on))
            .unwrap();
    }
    reg
}

fn export(reg: &mut Registry, encoding: Encoding) -> Result<Vec<u8>, RegistryError> {
    let mut out = Vec::new();
    let options = WriteOptions {
        encoding,
        ..WriteOptions::default()
    };
    reg.export_ledger(&staff(T), &code(T), &mut out, options)?;
    Ok(out)
}

fn rule_of(r: Result<DoseChange, RegistryError>) -> Option<Code> {
    match r {
        Err(e) => e.rule(),
        Ok(_) => None,
    }
}

#[test]
fn wave_dash_venue_is_folded_and_the_cp932_export_succeeds() {
    let mut reg = two_doses();
    let t = code(T);
    let input = DoseInput::new(
        date(2021, 6, 30),
        "ファイザー",
        "FA5765",
        "区民会館〜別館",
        "山田−一郎",
    );
    reg.record_dose(&staff(T), &t, &voucher("0000012345"), one(3), &input)
        .unwrap();
    let s = reg.subject_doses(&staff(T), &t, "1001").unwrap();
    assert_eq!(s.doses[2].venue, "区民会館～別館");
    assert_eq!(s.doses[2].doctor, "山田－一郎");
    let cp932 = export(&mut reg, Encoding::Cp932).unwrap();
    assert!(
        cp932.windows(2).any(|w| w == [0x81, 0x60]),
        "～ is 0x8160 in CP932"
    );
    let text = crate::text::decode_strict(&cp932, Encoding::Cp932).unwrap();
    assert!(text.contains("区民会館～別館"), "{text}");
    // Recording the same dose with the JIS form again is the same dose (folded alike).
    let again = reg
        .record_dose(&staff(T), &t, &voucher("0000012345"), one(3), &input)
        .unwrap();
    assert!(again.already_recorded);
}

#[test]
fn characters_outside_cp932_are_refused_at_entry_naming_field_and_character() {
    let mut reg = two_doses();
    let t = code(T);
    let input = DoseInput::new(
        date(2021, 6, 30),
        "ファイザー",
        "FA5765",
        "会館",
        "\u{20BB7}田",
    );
    let err = reg
        .record_dose(&staff(T), &t, &voucher("0000012345"), one(3), &input)
        .unwrap_err();
    assert_eq!(err.rule(), Some(Code::T08));
    let msg = err.to_string();
    assert!(
        msg.contains("doctor name") && msg.contains("U+20BB7") && msg.contains("'吉'"),
        "{msg}"
    );
    assert_eq!(
        reg.subject_doses(&staff(T), &t, "1001")
            .unwrap()
            .doses
            .len(),
        2
    );

    // Subject import: names and kana are checked the same way, per row.
    let file = format!(
        "{HEADER}{}131016,1003,200000000000,0000012347,ヷ 太郎,ヷ タロウ,19800101,1,20210501\r\n{}",
        row(T, "1002", "110000000000", "0000012346", "\u{20BB7}野 花子"),
        row(T, "1004", "300000000004", "0000012348", "山田〜花子"),
    );
    let err = reg
        .import_subjects(&staff(T), &t, file.as_bytes(), ImportMode::Lenient)
        .unwrap();
    assert_eq!(
        (err.imported, err.rejected),
        (1, 2),
        "{:?}",
        err.rejected_rows
    );
    let rejected: Vec<_> = err
        .rejected_rows
        .iter()
        .map(|r| (r.line, r.code.as_str()))
        .collect();
    assert_eq!(rejected, vec![(2, "T08"), (3, "T08")]);
    assert!(err.rejected_rows[0].message_ja.contains("「吉」"));
    assert!(err.rejected_rows[1].message_en.contains("'ヴァ'"));
    let folded = reg.subject_doses(&staff(T), &t, "1004").unwrap();
    assert_eq!(folded.name, "山田～花子");
}

#[test]
fn values_stored_before_folding_export_folded_or_name_their_row() {
    let mut reg = two_doses();
    let t = code(T);
    // Write what an older version stored, through the area (as the registry does).
    let set_venue = |reg: &mut Registry, venue: &str| {
        let area = reg.areas.get(&mut *reg.store, &t).unwrap();
        let key = area.key(RecordKind::Voucher, b"0000012345");
        let mut v: VoucherRec = area
            .load(&mut *reg.store, RecordKind::Voucher, &key)
            .unwrap()
            .unwrap();
        v.doses[0].venue = venue.to_owned();
        reg.store.begin().unwrap();
        area.save(&mut *reg.store, RecordKind::Voucher, &key, &v)
            .unwrap();
        reg.store.commit().unwrap();
    };
    set_venue(&mut reg, "区民会館〜別館");
    let cp932 = export(&mut reg, Encoding::Cp932).unwrap();
    assert!(cp932.windows(2).any(|w| w == [0x81, 0x60]));
    set_venue(&mut reg, "会館\u{20BB7}");
    let err = export(&mut reg, Encoding::Cp932).unwrap_err().to_string();
    for part in [
        "addressee number 1001",
        "1回目接種会場名",
        "U+20BB7",
        "'吉'",
    ] {
        assert!(err.contains(part), "{part} missing in {err}");
    }
    assert!(export(&mut reg, Encoding::Utf8).is_ok(), "UTF-8 carries it");
    // The way out: correct the dose.
    let fix = DoseCorrection {
        venue: Some("会館吉".into()),
        ..DoseCorrection::default()
    };
    reg.correct_dose(&staff(T), &t, &by_addressee("1001"), one(1), &fix, "外字")
        .unwrap();
    assert!(export(&mut reg, Encoding::Cp932).is_ok());
}

#[test]
fn a_correction_changes_fields_keeps_the_old_values_and_rechecks_rules() {
    let mut reg = two_doses();
    let t = code(T);
    let who = by_addressee("1001");
    let lot = DoseCorrection {
        lot: Some("FA5766".into()),
        ..DoseCorrection::default()
    };
    let c = reg
        .correct_dose(
            &staff(T),
            &t,
            &who,
            one(1),
            &lot,
            "venue typed the lot wrongly",
        )
        .unwrap();
    assert!(c.changed);
    assert_eq!(
        (c.voucher_number.as_str(), c.dose, c.action.as_str()),
        ("0000012345", 1, "corrected")
    );
    let now = c.dose_now.unwrap();
    assert_eq!(
        (now.lot.as_str(), now.venue.as_str()),
        ("FA5766", "区民会館")
    );
    let s = reg.subject_doses(&staff(T), &t, "1001").unwrap();
    assert_eq!(s.doses[0].lot, "FA5766");
    assert_eq!(
        s.doses[0].registered_at, now.registered_at,
        "registration time kept"
    );
    assert_eq!(s.history.len(), 1);
    let h = &s.history[0];
    assert_eq!(
        (h.dose, h.action.as_str(), h.before.lot.as_str()),
        (1, "corrected", "FA5765")
    );
    assert_eq!(h.reason, "venue typed the lot wrongly");
    assert_eq!(h.by.len(), 32);
    let audit = reg.audit_log(&staff(T), Some(&t)).unwrap();
    let last = audit.iter().rev().find(|e| e.op == "correct-dose").unwrap();
    assert_eq!(
        last.user.as_deref(),
        Some(h.by.as_str()),
        "same pseudonym as the audit"
    );

    // The same correction again changes nothing and records nothing.
    let same = reg
        .correct_dose(&staff(T), &t, &who, one(1), &lot, "again")
        .unwrap();
    assert!(!same.changed);
    assert_eq!(
        reg.subject_doses(&staff(T), &t, "1001")
            .unwrap()
            .history
            .len(),
        1
    );

    // Rules: S02 against the neighbours, D02, T01, T03, T04, T08; nothing is changed.
    let on = |d| DoseCorrection {
        vaccinated_on: Some(d),
        ..DoseCorrection::default()
    };
    let reason = "fix";
    assert_eq!(
        rule_of(reg.correct_dose(&staff(T), &t, &who, one(1), &on(date(2021, 6, 22)), reason)),
        Some(Code::S02)
    );
    assert_eq!(
        rule_of(reg.correct_dose(&staff(T), &t, &who, one(2), &on(date(2021, 6, 1)), reason)),
        Some(Code::S02)
    );
    assert_eq!(
        rule_of(reg.correct_dose(&staff(T), &t, &who, one(2), &on(date(2021, 7, 2)), reason)),
        Some(Code::D02)
    );
    let field = |f: fn(&mut DoseCorrection)| {
        let mut c = DoseCorrection::default();
        f(&mut c);
        c
    };
    for (c, code_) in [
        (field(|c| c.venue = Some("会".repeat(31))), Code::T01),
        (field(|c| c.doctor = Some("医".repeat(21))), Code::T02),
        (field(|c| c.manufacturer = Some("どこか".into())), Code::T03),
        (field(|c| c.lot = Some("bad lot!".into())), Code::T04),
        (field(|c| c.doctor = Some("山田😀".into())), Code::T08),
    ] {
        assert_eq!(
            rule_of(reg.correct_dose(&staff(T), &t, &who, one(2), &c, reason)),
            Some(code_)
        );
    }
    let s = reg.subject_doses(&staff(T), &t, "1001").unwrap();
    assert_eq!(
        (s.doses[1].vaccinated_on.as_str(), s.history.len()),
        ("2021-06-22", 1)
    );

    // A valid date move between the neighbours, named by voucher; the manufacturer is
    // canonicalised and the venue folded.
    let c = DoseCorrection {
        vaccinated_on: Some(date(2021, 6, 20)),
        manufacturer: Some("モデルナ".into()),
        venue: Some("市民ホール〜東".into()),
        ..DoseCorrection::default()
    };
    let r = reg
        .correct_dose(
            &staff(T),
            &t,
            &SubjectRef::Voucher(voucher("0000012345")),
            one(2),
            &c,
            "wrong date",
        )
        .unwrap();
    let now = r.dose_now.unwrap();
    assert_eq!(now.vaccinated_on, "2021-06-20");
    assert_eq!(now.venue, "市民ホール～東");
    assert_ne!(
        now.manufacturer, "モデルナ",
        "canonical spelling: {}",
        now.manufacturer
    );
    assert!(ledger(&mut reg, T).contains("市民ホール～東"));

    // L01: a correction may not date a dose after the death; L02 warns after a move-out.
    reg.set_flag(
        &staff(T),
        &t,
        &who,
        &Flag::Deceased {
            date: date(2021, 6, 25),
        },
    )
    .unwrap();
    assert_eq!(
        rule_of(reg.correct_dose(&staff(T), &t, &who, one(2), &on(date(2021, 6, 26)), reason)),
        Some(Code::L01)
    );

    // Arguments: no field, no reason, unknown dose or subject.
    let none = DoseCorrection::default();
    assert!(matches!(
        reg.correct_dose(&staff(T), &t, &who, one(1), &none, reason),
        Err(RegistryError::InvalidInput(_))
    ));
    assert!(matches!(
        reg.correct_dose(&staff(T), &t, &who, one(1), &lot, "  "),
        Err(RegistryError::InvalidInput(_))
    ));
    assert!(matches!(
        reg.correct_dose(&staff(T), &t, &who, one(5), &lot, reason),
        Err(RegistryError::NotFound(_))
    ));
    assert!(matches!(
        reg.correct_dose(&staff(T), &t, &by_addressee("9999"), one(1), &lot, reason),
        Err(RegistryError::NotFound(_))
    ));
    assert!(reg.verify_audit(&Principal::Operator, Some(&t)).unwrap().ok);
}

#[test]
fn a_void_hides_the_dose_everywhere_and_the_number_can_be_recorded_again() {
    let mut reg = two_doses();
    let t = code(T);
    let who = by_addressee("1001");
    let has_dose_2 = |reg: &mut Registry| {
        reg.stats(&staff(T), &StatsQuery::default())
            .unwrap()
            .cells
            .iter()
            .any(|c| c.dose == Some(2))
    };
    assert!(has_dose_2(&mut reg));
    let v = reg
        .void_dose(&staff(T), &t, &who, one(2), "recorded on the wrong person")
        .unwrap();
    assert_eq!(
        (v.action.as_str(), v.changed, v.dose_now),
        ("voided", true, None)
    );
    let s = reg.subject_doses(&staff(T), &t, "1001").unwrap();
    assert_eq!(s.doses.len(), 1);
    assert_eq!(s.history.len(), 1);
    assert_eq!(
        (
            s.history[0].action.as_str(),
            s.history[0].before.vaccinated_on.as_str()
        ),
        ("voided", "2021-06-22")
    );
    assert!(!ledger(&mut reg, T).contains("20210622"));
    assert!(!has_dose_2(&mut reg));
    assert!(matches!(
        reg.void_dose(&staff(T), &t, &who, one(2), "twice"),
        Err(RegistryError::NotFound(_))
    ));
    // Recorded again with another date: no conflict with the voided one.
    reg.record_dose(
        &staff(T),
        &t,
        &voucher("0000012345"),
        one(2),
        &pfizer(date(2021, 6, 23)),
    )
    .unwrap();
    let s = reg.subject_doses(&staff(T), &t, "1001").unwrap();
    assert_eq!(
        (s.doses[1].vaccinated_on.as_str(), s.history.len()),
        ("2021-06-23", 1)
    );

    // A dose waiting for registration: voiding the last one empties the awaiting list.
    let venue = Principal::VenueTablet { tenant: t };
    reg.record_dose_ocr(&venue, &ocr(T, 1, "0000077777"), &pfizer(date(2021, 6, 1)))
        .unwrap();
    assert_eq!(awaiting(&mut reg, T).lines().count(), 2);
    let w = SubjectRef::Voucher(voucher("0000077777"));
    reg.void_dose(&staff(T), &t, &w, one(1), "test scan")
        .unwrap();
    assert_eq!(awaiting(&mut reg, T).lines().count(), 1);
    let area = reg.areas.get(&mut *reg.store, &t).unwrap();
    let k: RecordKey = area.key(RecordKind::Awaiting, b"0000077777");
    assert!(reg
        .store
        .get(area.id, RecordKind::Awaiting.code(), k.as_bytes())
        .unwrap()
        .is_none());
    reg.record_dose_ocr(&venue, &ocr(T, 1, "0000077777"), &pfizer(date(2021, 6, 2)))
        .unwrap();
    assert_eq!(awaiting(&mut reg, T).lines().count(), 2);
}

#[test]
fn only_the_tenants_staff_correct_or_void_and_refusals_are_audited() {
    let mut reg = two_doses();
    let t = code(T);
    let who = by_addressee("1001");
    let fix = DoseCorrection {
        lot: Some("FA5766".into()),
        ..DoseCorrection::default()
    };
    for p in [
        Principal::VenueTablet { tenant: t },
        staff("131032"),
        Principal::MunicipalStaff {
            tenant: t,
            user_id: "not-registered".into(),
        },
        Principal::PrefectureViewer { prefecture: 13 },
        Principal::NationalViewer,
        Principal::Operator,
    ] {
        assert!(
            matches!(
                reg.correct_dose(&p, &t, &who, one(1), &fix, "x"),
                Err(RegistryError::Forbidden(_))
            ),
            "{p:?}"
        );
        assert!(
            matches!(
                reg.void_dose(&p, &t, &who, one(1), "x"),
                Err(RegistryError::Forbidden(_))
            ),
            "{p:?}"
        );
    }
    let s = reg.subject_doses(&staff(T), &t, "1001").unwrap();
    assert_eq!(
        (s.doses.len(), s.doses[0].lot.as_str(), s.history.len()),
        (2, "FA5765", 0)
    );
    let audit = reg.audit_log(&staff(T), Some(&t)).unwrap();
    let refused = |op: &str| {
        audit
            .iter()
            .filter(|e| e.op == op && e.outcome == "refused")
            .count()
    };
    assert_eq!((refused("correct-dose"), refused("void-dose")), (6, 6));
}

#[test]
fn a_my_number_typed_into_a_correction_or_its_reason_is_refused_and_never_echoed() {
    let mut reg = two_doses();
    let t = code(T);
    let who = by_addressee("1001");
    let canary = "123456789018";
    let doctor = DoseCorrection {
        doctor: Some(format!("医師 {canary}")),
        ..DoseCorrection::default()
    };
    let refused = reg.correct_dose(&staff(T), &t, &who, one(1), &doctor, "typo");
    let message = format!("{refused:?}");
    assert_eq!(rule_of(refused), Some(Code::N02));
    assert!(!message.contains(canary), "{message}");
    let lot = DoseCorrection {
        lot: Some("FA5766".into()),
        ..DoseCorrection::default()
    };
    let reason = format!("the person's number is {canary}");
    let refused = reg.correct_dose(&staff(T), &t, &who, one(1), &lot, &reason);
    assert_eq!(rule_of(refused), Some(Code::N02));
    let refused = reg.void_dose(&staff(T), &t, &who, one(2), &reason);
    let message = format!("{refused:?}");
    assert_eq!(rule_of(refused), Some(Code::N02));
    assert!(!message.contains(canary), "{message}");
    // Nothing changed.
    let s = reg.subject_doses(&staff(T), &t, "1001").unwrap();
    assert_eq!(s.doses.len(), 2);
    assert_eq!(s.doses[0].lot, "FA5765");
    assert!(s.history.is_empty());
}
