//! Inquiries, batch inquiries, the inquiry index and the provision/inquiry logs, on the
//! in-memory store.

use super::*;
use crate::codec::WriteOptions;
use crate::crypto::MasterKeyProvider;
use crate::date::Date;
use crate::id::{MyNumber, OcrLine};
use crate::store::{MemoryStore, Store};

const HEADER: &str = "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n";
/// Chiyoda (A, the former municipality), Minato (B, the new one), Sapporo (C, in between).
const A: &str = "131016";
const B: &str = "131032";
const C: &str = "011002";
const MOVER: &str = "123456789018";
const STAYER: &str = "110000000000";

fn code(s: &str) -> MunicipalityCode {
    MunicipalityCode::parse(s).unwrap()
}

fn date(y: u16, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

fn staff(t: &str) -> Principal {
    Principal::MunicipalStaff {
        tenant: code(t),
        user_id: "u1".into(),
    }
}

fn clock_at(y: u16, m: u8, d: u8) -> DateTime {
    DateTime::new(date(y, m, d), 9, 0, 0).unwrap()
}

struct World {
    reg: Registry,
    store: MemoryStore,
    clock: std::sync::Arc<FixedClock>,
}

struct SharedClock(std::sync::Arc<FixedClock>);
impl Clock for SharedClock {
    fn now(&self) -> DateTime {
        self.0.now()
    }
}

/// A, B and C with staff `u1`; the mover registered in A (doses 1 and 2) and in C (dose 3,
/// after moving there); the stayer in A with no dose. The clock shows 2022-03-01.
fn world() -> World {
    let store = MemoryStore::new();
    let clock = std::sync::Arc::new(FixedClock::new(clock_at(2021, 7, 1)));
    let mut reg = Registry::open(
        Box::new(store.share()),
        Box::new(MasterKeyProvider::new([42; 32])),
        Box::new(SharedClock(clock.clone())),
        RegistryConfig::default(),
    )
    .unwrap();
    for t in [A, B, C] {
        reg.create_tenant(&Principal::Operator, &code(t)).unwrap();
        reg.register_staff(&Principal::Operator, &code(t), "u1")
            .unwrap();
    }
    let a_file = format!(
        "{HEADER}{A},1001,{MOVER},0000012345,千代田 花子,チヨダ ハナコ,19800101,2,20210501\r\n\
         {A},1002,{STAYER},0000012346,髙﨑 一郎,タカサキ イチロウ,19700101,1,20210501\r\n"
    );
    reg.import_subjects(&staff(A), &code(A), a_file.as_bytes(), ImportMode::Strict)
        .unwrap();
    let tablet = Principal::VenueTablet { tenant: code(A) };
    for (dose, day) in [(1, date(2021, 5, 10)), (2, date(2021, 6, 1))] {
        let ocr = OcrLine::parse(&format!("1{dose}{A}0000012345")).unwrap();
        let input = DoseInput::new(day, "ファイザー", "FA5765", "区民会館", "山田一郎");
        reg.record_dose_ocr(&tablet, &ocr, &input).unwrap();
    }
    clock.set(clock_at(2022, 1, 10));
    let c_file = format!(
        "{HEADER}{C},77,{MOVER},0000500001,千代田 花子,チヨダ ハナコ,19800101,2,20211201\r\n"
    );
    reg.import_subjects(&staff(C), &code(C), c_file.as_bytes(), ImportMode::Strict)
        .unwrap();
    let ocr = OcrLine::parse(&format!("13{C}0000500001")).unwrap();
    let input = DoseInput::new(
        date(2022, 1, 5),
        "武田/モデルナ",
        "3004667",
        "札幌会場",
        "北海太郎",
    );
    reg.record_dose_ocr(&Principal::VenueTablet { tenant: code(C) }, &ocr, &input)
        .unwrap();
    clock.set(clock_at(2022, 3, 1));
    World { reg, store, clock }
}

fn request(former: Option<&str>, my_number: &str) -> InquiryRequest {
    InquiryRequest {
        former: former.map(code),
        my_number: MyNumber::parse(my_number).unwrap(),
        legal_basis: LegalBasis::ConsentDifficult,
        identity_verified: false,
        reference: "B-5001".into(),
    }
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap()
}

#[test]
fn an_inquiry_returns_the_doses_of_every_former_municipality_and_only_them() {
    let mut w = world();
    let all = w.reg.inquire(&staff(B), &request(None, MOVER)).unwrap();
    let providers = all.providers();
    assert_eq!(providers.len(), 2);
    assert_eq!(providers[0].provider, code(C)); // 011002 before 131016
    assert_eq!(providers[1].provider, code(A));
    let a = &providers[1].doses;
    assert_eq!(a.iter().map(|d| d.dose).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(a[0].vaccinated_on, "2021-05-10");
    assert_eq!(a[0].voucher_number, "0000012345");
    assert_eq!(a[0].municipality_code, code(A));
    assert_eq!(
        (a[0].venue.as_str(), a[0].doctor.as_str()),
        ("区民会館", "山田一郎")
    );
    assert_eq!(
        (a[0].manufacturer.as_str(), a[0].lot.as_str()),
        ("ファイザー", "FA5765")
    );
    assert_eq!(providers[0].doses[0].dose, 3);
    // Nothing about the person: no name, birth date or A's addressee number.
    let text = json(&all);
    for secret in [MOVER, "千代田", "チヨダ", "1980", "\"1001\"", "\"77\""] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    // Naming the former municipality asks it only.
    let only_a = w.reg.inquire(&staff(B), &request(Some(A), MOVER)).unwrap();
    assert_eq!(only_a.providers().len(), 1);
    assert_eq!(only_a.providers()[0].provider, code(A));
    // A moved-out person's new municipality may ask the old one, and vice versa.
    let from_c = w.reg.inquire(&staff(C), &request(None, MOVER)).unwrap();
    assert_eq!(from_c.providers().len(), 1);
    assert_eq!(from_c.providers()[0].provider, code(A));
}

#[test]
fn every_no_match_looks_the_same_and_stores_nothing_where_nothing_is_held() {
    let mut w = world();
    let never = "234567890121";
    let cases = [
        request(Some(C), STAYER), // wrong former code: C never held this person
        request(None, never),     // nobody holds them
        request(Some(A), never),  // never lived in A
        request(Some("271004"), MOVER), // a municipality that is not a tenant
        request(Some(A), STAYER), // held in A, but no dose records
    ];
    let before_c = (
        w.store
            .count(code(C).to_u32(), RecordKind::Subject.code())
            .unwrap(),
        w.reg
            .provision_log(&staff(C), &code(C), &LogQuery::default())
            .unwrap()
            .len(),
    );
    let mut answers = Vec::new();
    for r in &cases {
        answers.push(json(&w.reg.inquire(&staff(B), r).unwrap()));
    }
    assert!(answers
        .iter()
        .all(|a| a == r#"{"outcome":"no-match","providers":[]}"#));
    // C never held the stayer: nothing was written in its area or its logs.
    let after_c = (
        w.store
            .count(code(C).to_u32(), RecordKind::Subject.code())
            .unwrap(),
        w.reg
            .provision_log(&staff(C), &code(C), &LogQuery::default())
            .unwrap()
            .len(),
    );
    assert_eq!(before_c, after_c);
    // A holds the stayer: its provision log says nothing was provided.
    let a_log = w
        .reg
        .provision_log(&staff(A), &code(A), &LogQuery::default())
        .unwrap();
    assert_eq!(a_log.len(), 1);
    assert!(!a_log[0].provided && a_log[0].items.is_empty() && a_log[0].doses == 0);
    // B logged every request, none provided.
    let b_log = w
        .reg
        .inquiry_log(&staff(B), &code(B), &LogQuery::default())
        .unwrap();
    assert_eq!(b_log.len(), cases.len());
    assert!(b_log.iter().all(|e| !e.provided && e.providers.is_empty()));
    assert_eq!(b_log[3].provider, Some(code("271004")));
}

#[test]
fn only_staff_of_another_municipality_may_inquire_and_refusals_are_audited() {
    let mut w = world();
    let r = request(None, MOVER);
    for p in [
        Principal::VenueTablet { tenant: code(B) },
        Principal::PrefectureViewer { prefecture: 13 },
        Principal::NationalViewer,
        Principal::Operator,
        Principal::MunicipalStaff {
            tenant: code(B),
            user_id: "nobody".into(),
        },
    ] {
        let err = w.reg.inquire(&p, &r).unwrap_err();
        assert_eq!(err.code(), "forbidden", "{p:?}");
    }
    // Own municipality through this path: refused, and audited as refused.
    let err = w
        .reg
        .inquire(&staff(A), &request(Some(A), MOVER))
        .unwrap_err();
    assert_eq!(err.code(), "forbidden");
    let log = w.reg.audit_log(&staff(A), Some(&code(A))).unwrap();
    let last = log.last().unwrap();
    assert_eq!(
        (last.op.as_str(), last.outcome.as_str()),
        ("inquire", "refused")
    );
    let b = w.reg.audit_log(&staff(B), Some(&code(B))).unwrap();
    let refused = b
        .iter()
        .filter(|e| e.op == "inquire" && e.outcome == "refused")
        .count();
    assert_eq!(refused, 2); // the tablet and the unregistered user
    let registry = w.reg.audit_log(&Principal::Operator, None).unwrap();
    assert_eq!(
        registry
            .iter()
            .filter(|e| e.op == "inquire" && e.outcome == "refused")
            .count(),
        3
    );
    // Nothing was logged as an inquiry or provision.
    assert!(w
        .reg
        .inquiry_log(&staff(B), &code(B), &LogQuery::default())
        .unwrap()
        .is_empty());
}

#[test]
fn the_legal_basis_is_judged_by_the_rule_of_the_request_day() {
    let mut w = world();
    let difficult = request(None, MOVER);
    let mut consent = request(None, MOVER);
    consent.legal_basis = LegalBasis::Consent {
        form_ref: "F-2021-0042".into(),
    };
    w.clock.set(clock_at(2021, 12, 14));
    let err = w.reg.inquire(&staff(B), &difficult).unwrap_err();
    assert!(err.to_string().contains("not accepted"), "{err}");
    // Consent needs identity verification.
    let err = w.reg.inquire(&staff(B), &consent).unwrap_err();
    assert!(err.to_string().contains("Art. 16"), "{err}");
    consent.identity_verified = true;
    assert_eq!(w.reg.inquire(&staff(B), &consent).unwrap().name(), "match");
    w.clock.set(clock_at(2021, 12, 15));
    assert_eq!(
        w.reg.inquire(&staff(B), &difficult).unwrap().name(),
        "match"
    );
    // Malformed references are refused before the registry is asked.
    let mut bad = request(None, MOVER);
    bad.reference = MOVER.into();
    assert_eq!(
        w.reg.inquire(&staff(B), &bad).unwrap_err().code(),
        "invalid_input"
    );
    let mut bad = consent.clone();
    bad.legal_basis = LegalBasis::Consent {
        form_ref: format!("consent {STAYER}"),
    };
    assert_eq!(
        w.reg.inquire(&staff(B), &bad).unwrap_err().code(),
        "invalid_input"
    );
    // A stricter policy in the configuration applies.
    w.reg.config.inquiry_policy = InquiryPolicy {
        rules: vec![BasisRule {
            from: date(2021, 1, 1),
            consent: true,
            consent_difficult: false,
        }],
    };
    assert_eq!(
        w.reg.inquire(&staff(B), &difficult).unwrap_err().code(),
        "forbidden"
    );
}

#[test]
fn logs_record_each_inquiry_on_both_sides_and_only_their_owner_reads_them() {
    let mut w = world();
    let mut consent = request(Some(A), MOVER);
    consent.legal_basis = LegalBasis::Consent {
        form_ref: "F-1".into(),
    };
    consent.identity_verified = true;
    w.reg.inquire(&staff(B), &consent).unwrap();
    w.clock.set(clock_at(2022, 4, 1));
    w.reg.inquire(&staff(B), &request(None, MOVER)).unwrap();

    let a = w
        .reg
        .provision_log(&staff(A), &code(A), &LogQuery::default())
        .unwrap();
    assert_eq!(a.len(), 2);
    let e = &a[0];
    assert_eq!(
        (e.seq, e.log, e.requester, e.provider),
        (1, LogKind::Provision, code(B), Some(code(A)))
    );
    assert_eq!(e.providers, vec![code(A)]);
    assert_eq!((e.provided, e.doses, e.items.len()), (true, 2, 8));
    assert_eq!(e.legal_basis, BasisKind::Consent);
    assert_eq!(e.form_ref.as_deref(), Some("F-1"));
    assert!(e.identity_verified && e.reference.is_none() && e.batch.is_none());
    assert_eq!(e.requested_at, "2022-03-01T09:00:00");
    assert_eq!(e.subject.len(), 32);
    assert!(e.user.is_some());
    let b = w
        .reg
        .inquiry_log(&staff(B), &code(B), &LogQuery::default())
        .unwrap();
    assert_eq!(b.len(), 2);
    assert_eq!(b[1].provider, None);
    assert_eq!(b[1].providers, vec![code(C), code(A)]);
    assert_eq!((b[1].doses, b[1].reference.as_deref()), (3, Some("B-5001")));
    // Each municipality's pseudonym of the subject is its own.
    assert_ne!(b[0].subject, a[0].subject);
    assert_eq!(b[0].subject, b[1].subject);

    // Search by subject, user and date.
    let by_subject = |n: &str| LogQuery {
        subject: Some(MyNumber::parse(n).unwrap()),
        ..LogQuery::default()
    };
    assert_eq!(
        w.reg
            .provision_log(&staff(A), &code(A), &by_subject(MOVER))
            .unwrap()
            .len(),
        2
    );
    assert!(w
        .reg
        .provision_log(&staff(A), &code(A), &by_subject(STAYER))
        .unwrap()
        .is_empty());
    let by_user = |u: &str| LogQuery {
        user: Some(u.into()),
        ..LogQuery::default()
    };
    assert_eq!(
        w.reg
            .provision_log(&staff(A), &code(A), &by_user("u1"))
            .unwrap()
            .len(),
        2
    );
    assert!(w
        .reg
        .provision_log(&staff(A), &code(A), &by_user("u2"))
        .unwrap()
        .is_empty());
    let march = LogQuery {
        from: Some(date(2022, 3, 1)),
        to: Some(date(2022, 3, 31)),
        ..LogQuery::default()
    };
    assert_eq!(
        w.reg
            .inquiry_log(&staff(B), &code(B), &march)
            .unwrap()
            .len(),
        1
    );

    // Only the owner's staff read or export; the owner's staff and the operator verify.
    for p in [
        staff(B),
        Principal::Operator,
        Principal::VenueTablet { tenant: code(A) },
    ] {
        assert_eq!(
            w.reg
                .provision_log(&p, &code(A), &LogQuery::default())
                .unwrap_err()
                .code(),
            "forbidden"
        );
    }
    for v in w.reg.verify_logs(&Principal::Operator, &code(A)).unwrap() {
        assert!(v.ok, "{v:?}");
    }
    let v = w.reg.verify_store(&Principal::Operator).unwrap();
    let (problems, chains) = (v.problems, v.chains);
    assert!(problems.is_empty());
    assert!(chains
        .iter()
        .any(|c| c.chain == "131016/provision" && c.entries == 2));
    assert!(chains.iter().all(|c| c.ok), "{chains:?}");

    // The export: the provision-log layout, no My Number, no name.
    let mut out = Vec::new();
    let rows = w
        .reg
        .export_log(
            &staff(A),
            &code(A),
            LogKind::Provision,
            &LogQuery::default(),
            &mut out,
            WriteOptions::default(),
        )
        .unwrap();
    assert_eq!(rows, 2);
    let csv = String::from_utf8(out).unwrap();
    assert!(
        csv.starts_with("連番,記録種別,照会元自治体コード,"),
        "{csv}"
    );
    assert!(
        csv.contains(",提供,131032,131016,131016,20220301090000,"),
        "{csv}"
    );
    for secret in [MOVER, "千代田", "チヨダ"] {
        assert!(!csv.contains(secret));
    }
    let report = crate::codec::validate_bytes(
        csv.as_bytes(),
        crate::layout::find("provision-log", &Default::default()).unwrap(),
        Default::default(),
    );
    assert_eq!(report.errors, 0, "{:?}", report.diagnostics);
}

#[test]
fn a_tampered_log_entry_is_found() {
    let mut w = world();
    w.reg.inquire(&staff(B), &request(None, MOVER)).unwrap();
    w.reg.inquire(&staff(B), &request(None, MOVER)).unwrap();
    let chain = provision_log::chain(LogKind::Provision, code(A).to_u32());
    w.store.tamper_audit(chain, |rows| {
        let mut entry = LogEntry::from_stored(&rows[0].entry).unwrap();
        assert_eq!(entry.doses, 2);
        entry.doses = 0;
        rows[0].entry = entry.to_stored().unwrap();
    });
    let v = w.reg.verify_logs(&staff(A), &code(A)).unwrap();
    assert!(!v[0].ok && v[0].first_bad == Some(1), "{v:?}");
    assert!(v[1].ok);
    // Removing the tail is found through the MACed head.
    let chain = provision_log::chain(LogKind::Inquiry, code(B).to_u32());
    w.store.tamper_audit(chain, |rows| {
        rows.pop();
    });
    let v = w.reg.verify_logs(&staff(B), &code(B)).unwrap();
    assert!(!v[1].ok, "{v:?}");
}

#[test]
fn the_index_follows_my_number_changes_and_a_rebuild_agrees() {
    let mut w = world();
    let holders = |w: &mut World, n: &str| w.reg.inquiry_index.holders(&mut w.store, n).unwrap();
    assert_eq!(holders(&mut w, MOVER), vec![code(C), code(A)]);
    // C corrects the mover's My Number: the index moves C to the new number.
    let corrected = "234567890121";
    let file = format!(
        "{HEADER}{C},77,{corrected},0000500001,千代田 花子,チヨダ ハナコ,19800101,2,20211201\r\n"
    );
    w.reg
        .import_subjects(&staff(C), &code(C), file.as_bytes(), ImportMode::Strict)
        .unwrap();
    assert_eq!(holders(&mut w, MOVER), vec![code(A)]);
    assert_eq!(holders(&mut w, corrected), vec![code(C)]);
    let answer = w.reg.inquire(&staff(B), &request(None, corrected)).unwrap();
    assert_eq!(answer.providers()[0].provider, code(C));
    // A rebuild from the areas gives the same entries.
    let before = w.store.snapshot();
    let entries = w.reg.rebuild_inquiry_index(&Principal::Operator).unwrap();
    assert_eq!(entries, 3);
    assert_eq!(holders(&mut w, MOVER), vec![code(A)]);
    assert_eq!(holders(&mut w, STAYER), vec![code(A)]);
    assert_eq!(holders(&mut w, corrected), vec![code(C)]);
    let kind = RecordKind::InquiryIndex.code();
    let keys = |s: &mut MemoryStore| {
        let mut k = Vec::new();
        s.scan(0, kind, &mut |key, _| {
            k.push(*key);
            true
        })
        .unwrap();
        k
    };
    assert_eq!(keys(&mut before.snapshot()), keys(&mut w.store));
    assert_eq!(
        w.reg.rebuild_inquiry_index(&staff(A)).unwrap_err().code(),
        "forbidden"
    );
    // Registry-level records and log chains are never listed as tenants.
    assert_eq!(w.store.tenants().unwrap(), vec![11002, 131016, 131032]);
    assert_eq!(
        w.reg.tenants(&Principal::Operator).unwrap(),
        vec![code(C), code(A), code(B)]
    );
}

#[test]
fn a_batch_answers_valid_rows_and_lists_the_others() {
    let mut w = world();
    let file = format!(
        "個人番号,宛名番号\r\n{MOVER},5001\r\n234567890121,5002\r\n123456789019,5003\r\n{MOVER},5004\r\n{STAYER},5005\r\n"
    );
    let mut out = Vec::new();
    let options = BatchInquiryOptions::new(LegalBasis::ConsentDifficult);
    let o = w
        .reg
        .batch_inquire(&staff(B), file.as_bytes(), &options, &mut out)
        .unwrap();
    assert_eq!(
        (o.rows, o.answered, o.matched, o.no_match, o.rejected),
        (5, 3, 1, 2, 2)
    );
    let codes: Vec<(u64, &str)> = o
        .rejected_rows
        .iter()
        .map(|r| (r.line, r.code.as_str()))
        .collect();
    // Line 4: a bad check digit; line 5: the same My Number on another addressee (N03).
    assert_eq!(codes.len(), 2);
    assert!(codes.contains(&(4, "N01")), "{codes:?}");
    assert!(codes.iter().any(|(l, _)| *l == 5), "{codes:?}");
    assert_eq!(o.result_rows, 4);
    assert_eq!(o.batch_id.len(), 32);
    let csv = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5, "{csv}");
    assert!(lines[0].starts_with("宛名番号,照会結果,提供元自治体コード,1回目接種日,"));
    assert!(
        lines[1].starts_with("5001,一致,011002,,,,,,,,,,,,,,,20220105,0000500001,011002,札幌会場"),
        "{}",
        lines[1]
    );
    assert!(lines[2].starts_with("5001,一致,131016,20210510,0000012345,131016,区民会館,山田一郎,ファイザー,FA5765,20210601,"), "{}", lines[2]);
    assert!(lines[3].starts_with("5002,該当なし,,"));
    assert!(lines[4].starts_with("5005,該当なし,,"));
    for secret in [MOVER, STAYER, "234567890121", "千代田"] {
        assert!(!csv.contains(secret));
    }
    let report = crate::codec::validate_bytes(
        csv.as_bytes(),
        crate::layout::find("batch-inquiry-result", &Default::default()).unwrap(),
        Default::default(),
    );
    assert_eq!(report.errors, 0, "{:?}", report.diagnostics);
    // Every answered row is logged, with the batch ID.
    let b = w
        .reg
        .inquiry_log(&staff(B), &code(B), &LogQuery::default())
        .unwrap();
    assert_eq!(b.len(), 3);
    assert!(b
        .iter()
        .all(|e| e.batch.as_deref() == Some(o.batch_id.as_str())));
    assert_eq!(b[0].reference.as_deref(), Some("5001"));
    let a = w
        .reg
        .provision_log(&staff(A), &code(A), &LogQuery::default())
        .unwrap();
    assert_eq!(a.len(), 2); // the mover (provided) and the stayer (nothing to provide)
    let audit = w.reg.audit_log(&staff(B), Some(&code(B))).unwrap();
    let batch = audit.iter().find(|e| e.op == "batch-inquire").unwrap();
    assert_eq!(batch.outcome, "ok");
}

#[test]
fn a_batch_with_former_codes_asks_each_row_of_its_former_municipality_only() {
    let mut w = world();
    let file = format!(
        "個人番号,宛名番号,転出元自治体コード\r\n{MOVER},5001,{A}\r\n{STAYER},5002,{B}\r\n234567890121,5003,\r\n"
    );
    let mut out = Vec::new();
    let options = BatchInquiryOptions::new(LegalBasis::ConsentDifficult);
    let o = w
        .reg
        .batch_inquire(&staff(B), file.as_bytes(), &options, &mut out)
        .unwrap();
    assert_eq!((o.answered, o.matched, o.rejected), (2, 1, 1));
    assert_eq!(o.rejected_rows[0].code, "Q02");
    let csv = String::from_utf8(out).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.contains("\r\n5001,一致,131016,"));
    assert!(!csv.contains("011002"));
}

#[test]
fn a_batch_is_refused_like_a_single_inquiry_and_a_bad_header_answers_nothing() {
    let mut w = world();
    let file = format!("個人番号,宛名番号\r\n{MOVER},5001\r\n");
    let options = BatchInquiryOptions::new(LegalBasis::ConsentDifficult);
    for p in [
        Principal::Operator,
        Principal::VenueTablet { tenant: code(B) },
    ] {
        let mut out = Vec::new();
        let err = w
            .reg
            .batch_inquire(&p, file.as_bytes(), &options, &mut out)
            .unwrap_err();
        assert_eq!(err.code(), "forbidden");
        assert!(out.is_empty());
    }
    w.clock.set(clock_at(2021, 11, 1));
    let mut out = Vec::new();
    let err = w
        .reg
        .batch_inquire(&staff(B), file.as_bytes(), &options, &mut out)
        .unwrap_err();
    assert_eq!(err.code(), "forbidden");
    w.clock.set(clock_at(2022, 3, 1));
    let mut out = Vec::new();
    let o = w
        .reg
        .batch_inquire(&staff(B), b"my,number\r\n1,2\r\n", &options, &mut out)
        .unwrap();
    assert_eq!((o.answered, o.rejected), (0, 1));
    assert!(!o.rejected_rows.is_empty());
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 1);
    assert!(w
        .reg
        .inquiry_log(&staff(B), &code(B), &LogQuery::default())
        .unwrap()
        .is_empty());
}

#[test]
fn no_my_number_or_name_reaches_the_store_in_clear() {
    let w = {
        let mut w = world();
        w.reg.inquire(&staff(B), &request(None, MOVER)).unwrap();
        let file = format!("個人番号,宛名番号\r\n{MOVER},5001\r\n");
        let mut out = Vec::new();
        let options = BatchInquiryOptions::new(LegalBasis::ConsentDifficult);
        w.reg
            .batch_inquire(&staff(B), file.as_bytes(), &options, &mut out)
            .unwrap();
        w
    };
    let raw = w.store.raw_bytes();
    for secret in [MOVER.as_bytes(), STAYER.as_bytes(), "千代田".as_bytes()] {
        assert!(!raw.windows(secret.len()).any(|x| x == secret));
    }
}

#[test]
fn expired_log_entries_are_the_ones_answered_more_than_the_kept_years_ago() {
    let mut w = world();
    w.reg.inquire(&staff(B), &request(None, MOVER)).unwrap();
    w.clock.set(clock_at(2024, 2, 29));
    w.reg.inquire(&staff(B), &request(None, MOVER)).unwrap();
    let a = code(A).to_u32();
    let expired = |w: &mut World, as_of| {
        provision_log::expired_entries(&mut w.store, a, LogKind::Provision, as_of, 7).unwrap()
    };
    // 2022-03-01 is kept through 2029-03-01; 2024-02-29 through 2031-02-28.
    assert!(expired(&mut w, date(2029, 3, 1)).is_empty());
    assert_eq!(expired(&mut w, date(2029, 3, 2)), vec![1]);
    assert_eq!(expired(&mut w, date(2031, 2, 28)), vec![1]);
    assert_eq!(expired(&mut w, date(2031, 3, 1)), vec![1, 2]);
    let dates = provision_log::entry_dates(&mut w.store, a, LogKind::Provision).unwrap();
    assert_eq!(dates, vec![(1, date(2022, 3, 1)), (2, date(2024, 2, 29))]);
    assert_eq!(w.reg.config().retention.log_years, 7);
}

/// Every chain of the store verifies and the anchor has no finding.
fn store_is_sound(w: &mut World) {
    let v = w.reg.verify_store(&Principal::Operator).unwrap();
    assert!(v.ok, "{v:?}");
}

#[test]
fn a_purge_removes_log_entries_past_their_years_and_the_logs_still_verify() {
    let mut w = world();
    w.reg.inquire(&staff(B), &request(Some(A), MOVER)).unwrap(); // 2022-03-01
    w.clock.set(clock_at(2024, 2, 29));
    w.reg.inquire(&staff(B), &request(Some(A), MOVER)).unwrap();
    let (a, b) = (code(A), code(B));
    let entries = |w: &mut World, t: &str, kind: LogKind| -> Vec<u64> {
        let q = LogQuery::default();
        let log = match kind {
            LogKind::Provision => w.reg.provision_log(&staff(t), &code(t), &q),
            LogKind::Inquiry => w.reg.inquiry_log(&staff(t), &code(t), &q),
        };
        log.unwrap().iter().map(|e| e.seq).collect()
    };

    // The day after 2022-03-01's entry was kept through (2029-03-01): only that one goes.
    let day = date(2029, 3, 2);
    w.clock.set(DateTime::new(day, 9, 0, 0).unwrap());
    let list = w.reg.retention_list(&staff(A), &a, day).unwrap();
    assert_eq!(list.would_remove.provision_log_entries, 1);
    assert_eq!(list.would_remove.inquiry_log_entries, 0);
    let out = w.reg.purge(&staff(A), &a, day).unwrap();
    assert_eq!((out.provision_log_entries, out.inquiry_log_entries), (1, 0));
    assert_eq!(entries(&mut w, A, LogKind::Provision), vec![2]);
    let out = w.reg.purge(&staff(B), &b, day).unwrap();
    assert_eq!((out.provision_log_entries, out.inquiry_log_entries), (0, 1));
    assert_eq!(entries(&mut w, B, LogKind::Inquiry), vec![2]);
    // Idempotent; the logs verify from where they now start, and so does the whole store.
    let again = w.reg.purge(&staff(A), &a, day).unwrap();
    assert_eq!(again.provision_log_entries, 0);
    assert!(w
        .reg
        .verify_logs(&staff(A), &a)
        .unwrap()
        .iter()
        .all(|v| v.ok));
    store_is_sound(&mut w);
    // The audit entry counts what went.
    let audit = w.reg.audit_log(&staff(A), Some(&a)).unwrap();
    let counted: Vec<u64> = audit
        .iter()
        .filter(|e| e.op == "purge")
        .map(|e| e.counts.as_ref().unwrap()["provision_log_entries"])
        .collect();
    assert_eq!(counted, vec![1, 0]);

    // A new entry follows on (seq 3) and everything still verifies.
    w.reg.inquire(&staff(B), &request(Some(A), MOVER)).unwrap();
    assert_eq!(entries(&mut w, A, LogKind::Provision), vec![2, 3]);
    store_is_sound(&mut w);

    // Removing one more entry than the purge did is found.
    let chain = provision_log::chain(LogKind::Provision, a.to_u32());
    w.store.tamper_audit(chain, |rows| {
        rows.remove(0);
    });
    let v = w.reg.verify_logs(&staff(A), &a).unwrap();
    assert!(!v[0].ok && v[0].first_bad == Some(2), "{v:?}");
    // ... and a purge refuses to remove entries from a log that does not verify.
    let later = date(2036, 3, 3); // entry 3 (2029-03-02) is then past its 7 years
    w.clock.set(DateTime::new(later, 9, 0, 0).unwrap());
    let err = w.reg.purge(&staff(A), &a, later).unwrap_err();
    assert!(matches!(err, RegistryError::Tampered(_)), "{err:?}");
}

#[test]
fn a_log_emptied_by_a_purge_verifies_and_goes_on() {
    let mut w = world();
    w.reg.inquire(&staff(B), &request(Some(A), MOVER)).unwrap();
    let a = code(A);
    let chain = provision_log::chain(LogKind::Provision, a.to_u32());
    let head_kind = RecordKind::AuditHead.code();
    let singleton = *crate::crypto::RecordKey::SINGLETON.as_bytes();
    let old_head = w.store.get(chain, head_kind, &singleton).unwrap().unwrap();
    let mut removed = Vec::new();
    w.store.tamper_audit(chain, |rows| removed = rows.clone());
    let day = date(2030, 1, 1);
    w.clock.set(DateTime::new(day, 9, 0, 0).unwrap());
    assert_eq!(
        w.reg
            .purge(&staff(A), &a, day)
            .unwrap()
            .provision_log_entries,
        1
    );
    assert!(w
        .reg
        .provision_log(&staff(A), &a, &LogQuery::default())
        .unwrap()
        .is_empty());
    store_is_sound(&mut w);
    let new_head = w.store.get(chain, head_kind, &singleton).unwrap().unwrap();
    assert_eq!((old_head.len(), new_head.len()), (72, 112));

    // Putting back the removed entry and the head from before the purge: the anchor knows.
    w.store.tamper_audit(chain, |rows| *rows = removed.clone());
    w.store.begin().unwrap();
    w.store
        .put(chain, head_kind, &singleton, &old_head)
        .unwrap();
    w.store.commit().unwrap();
    let v = w.reg.verify_store(&Principal::Operator).unwrap();
    assert!(!v.ok && !v.findings.is_empty(), "{v:?}");
    // Only the entry put back: the chain starts after it.
    w.store.begin().unwrap();
    w.store
        .put(chain, head_kind, &singleton, &new_head)
        .unwrap();
    w.store.commit().unwrap();
    let v = w.reg.verify_logs(&staff(A), &a).unwrap();
    assert!(!v[0].ok && v[0].first_bad == Some(2), "{v:?}");
    w.store.tamper_audit(chain, |rows| rows.clear());
    store_is_sound(&mut w);

    // The log goes on after the purge.
    w.reg.inquire(&staff(B), &request(Some(A), MOVER)).unwrap();
    let seqs: Vec<u64> = w
        .reg
        .provision_log(&staff(A), &a, &LogQuery::default())
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, vec![2]);
    store_is_sound(&mut w);
}
