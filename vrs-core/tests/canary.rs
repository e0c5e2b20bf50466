//! The canary test: import files carrying a canary name and a canary My Number, use every
//! operation and error path (N02 refusals in every download field, key rotation, anchors,
//! tampering found, a panic carrying an error), then scan every byte of the store directory,
//! the audit log, every error, finding and export, in UTF-8, UTF-16 and CP932. The canaries
//! never appear in clear (the name legitimately appears only in answers to staff).

#![cfg(feature = "sqlite")]

mod common;

use std::path::Path;
use std::sync::Arc;

use vrs_core::codec::WriteOptions;
use vrs_core::crypto::MasterKeyProvider;
use vrs_core::date::{Date, DateTime};
use vrs_core::id::{AddresseeNumber, MunicipalityCode, MyNumber, OcrLine};
use vrs_core::registry::{
    Clock, Dimension, DoseInput, FixedClock, Flag, ImportMode, Principal, ProvisionSelection,
    Registry, RegistryConfig, StatsQuery, SubjectRef,
};
use vrs_core::store::{SqliteOptions, SqliteStore};
use vrs_core::text::{encode_strict, Encoding};

use common::TempDir;

const CANARY_NAME: &str = "鵺野 鳴子";
const CANARY_KANA: &str = "ヌエノ ナルコ";
const HEADER: &str = "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n";

/// The test's clock, moved between steps.
struct Shared(Arc<FixedClock>);

impl Clock for Shared {
    fn now(&self) -> DateTime {
        self.0.now()
    }
}

fn canary_number() -> MyNumber {
    MyNumber::from_eleven_digits("98765432109").unwrap()
}

/// Every encoding in which a canary could leak.
fn needles() -> Vec<(String, Vec<u8>)> {
    let number = canary_number();
    let mut out = Vec::new();
    for (what, text) in [
        ("name", CANARY_NAME.to_owned()),
        ("family name", "鵺野".to_owned()),
        ("kana", CANARY_KANA.to_owned()),
        ("my number", number.expose_secret().to_owned()),
    ] {
        out.push((format!("{what} utf-8"), text.as_bytes().to_vec()));
        let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        out.push((format!("{what} utf-16"), utf16));
        let utf16be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        out.push((format!("{what} utf-16be"), utf16be));
        if let Ok(cp932) = encode_strict(&text, Encoding::Cp932) {
            out.push((format!("{what} cp932"), cp932.into_owned()));
        }
    }
    out
}

fn assert_clean(place: &str, bytes: &[u8]) {
    for (what, needle) in needles() {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_slice()),
            "{what} found in {place}"
        );
    }
}

fn scan_dir(dir: &Path) -> usize {
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files += scan_dir(&path);
        } else {
            assert_clean(&path.display().to_string(), &std::fs::read(&path).unwrap());
            files += 1;
        }
    }
    files
}

#[test]
fn canaries_never_appear_in_clear() {
    let temp = TempDir::fresh("canary");
    let dir = temp.0.clone();
    let t = MunicipalityCode::parse("131016").unwrap();
    let now = DateTime::new(Date::new(2021, 7, 1).unwrap(), 9, 0, 0).unwrap();
    let store = SqliteStore::open_dir(&dir, SqliteOptions::default()).unwrap();
    let clock = Arc::new(FixedClock::ticking(now, 1));
    let mut reg = Registry::open(
        Box::new(store),
        Box::new(MasterKeyProvider::new([3; 32])),
        Box::new(Shared(clock.clone())),
        RegistryConfig::default(),
    )
    .unwrap();
    reg.create_tenant(&Principal::Operator, &t).unwrap();
    reg.register_staff(&Principal::Operator, &t, "u1").unwrap();
    let staff = Principal::MunicipalStaff {
        tenant: t,
        user_id: "u1".into(),
    };
    let n = canary_number();
    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();

    // The canary arrives in a UTF-8 file and in a CP932 file (a second voucher).
    let utf8 = format!(
        "{HEADER}131016,1001,{},0000012345,{CANARY_NAME},{CANARY_KANA},19800101,2,20210501\r\n",
        n.expose_secret()
    );
    let out = reg
        .import_subjects(&staff, &t, utf8.as_bytes(), ImportMode::Strict)
        .unwrap();
    assert_eq!(out.imported, 1);
    outputs.push(("import outcome".into(), format!("{out:?}").into_bytes()));
    let cp932_text = utf8.replace("0000012345", "0000012399");
    let cp932 = encode_strict(&cp932_text, Encoding::Cp932).unwrap();
    let out = reg
        .import_subjects(&staff, &t, &cp932, ImportMode::Lenient)
        .unwrap();
    assert_eq!(out.imported, 1, "{:?}", out.rejected_rows);

    // A clash on the canary My Number, and a strict rejection: their messages stay clean.
    let clash = format!(
        "{HEADER}131016,2002,{},0000022222,別人 太郎,ベツジン タロウ,19700101,1,\r\n",
        n.expose_secret()
    );
    let out = reg
        .import_subjects(&staff, &t, clash.as_bytes(), ImportMode::Lenient)
        .unwrap();
    assert_eq!(out.rejected_rows[0].code, "N03");
    outputs.push((
        "clash outcome".into(),
        format!("{out:?} {}", serde_json::to_string(&out).unwrap()).into_bytes(),
    ));
    let strict = clash.replace(",2002,", ",2003,");
    let err = reg
        .import_subjects(&staff, &t, strict.as_bytes(), ImportMode::Strict)
        .unwrap_err();
    outputs.push((
        "strict error".into(),
        format!("{err} {err:?} {}", err.message_ja()).into_bytes(),
    ));
    let bad = utf8.replace(n.expose_secret(), &format!("{}0", &n.expose_secret()[..11]));
    let err = reg
        .import_subjects(&staff, &t, bad.as_bytes(), ImportMode::Strict)
        .unwrap_err();
    outputs.push((
        "check-digit error".into(),
        format!("{err} {err:?}").into_bytes(),
    ));

    // Doses, flags, queries, exports, statistics.
    let venue = Principal::VenueTablet { tenant: t };
    let dose = DoseInput::new(
        Date::new(2021, 6, 1).unwrap(),
        "ファイザー",
        "FA5765",
        "区民会館",
        "山田一郎",
    );
    let c = reg
        .record_dose_ocr(
            &venue,
            &OcrLine::parse("111310160000012345").unwrap(),
            &dose,
        )
        .unwrap();
    outputs.push(("venue confirmation".into(), format!("{c:?}").into_bytes()));
    let c = reg
        .record_dose_ocr(
            &venue,
            &OcrLine::parse("111310160000077777").unwrap(),
            &dose,
        )
        .unwrap();
    assert!(c.awaiting_registration);
    let who = SubjectRef::Addressee(AddresseeNumber::parse("1001").unwrap());
    let flag = Flag::MovedOut {
        date: Date::new(2021, 6, 15).unwrap(),
        destination: None,
    };
    reg.set_flag(&staff, &t, &who, &flag).unwrap();
    let s = reg.subject_doses(&staff, &t, "1001").unwrap();
    assert_eq!(s.name, CANARY_NAME, "staff see the name");
    assert!(
        !format!("{s:?}").contains(n.expose_secret()),
        "but never the My Number"
    );
    for options in [
        WriteOptions::default(),
        WriteOptions {
            encoding: Encoding::Cp932,
            ..WriteOptions::default()
        },
    ] {
        let mut ledger = Vec::new();
        reg.export_ledger(&staff, &t, &mut ledger, options).unwrap();
        assert!(ledger.len() > 100);
        outputs.push(("ledger export".into(), ledger));
        let mut awaiting = Vec::new();
        reg.export_awaiting(&staff, &t, &mut awaiting, options)
            .unwrap();
        outputs.push(("awaiting export".into(), awaiting));
    }
    let all = StatsQuery {
        group_by: vec![
            Dimension::Municipality,
            Dimension::Dose,
            Dimension::Week,
            Dimension::Manufacturer,
            Dimension::AgeBand,
        ],
    };
    let stats = reg.stats(&Principal::NationalViewer, &all).unwrap();
    outputs.push(("stats".into(), serde_json::to_vec(&stats).unwrap()));
    let log = reg.audit_log(&Principal::Operator, Some(&t)).unwrap();
    assert!(log.len() >= 10);
    outputs.push(("audit log".into(), serde_json::to_vec(&log).unwrap()));
    let v = reg.verify_store(&Principal::Operator).unwrap();
    assert!(v.ok, "{v:?}");
    // Refused calls: their errors are clean too.
    let e = reg.subject_doses(&venue, &t, "1001").unwrap_err();
    outputs.push(("refusal".into(), format!("{e} {e:?}").into_bytes()));

    // Retention: a death, a provision, holds, the list and the purge (2026-12-01).
    retention(&mut reg, &clock, &staff, &venue, &mut outputs);
    // The canary My Number where a download would carry it: refused, and the refusal is clean.
    let as_addressee = format!(
        "{HEADER}131016,{},110000000000,0000055555,別人 次郎,ベツジン ジロウ,19700101,1,\r\n",
        n.expose_secret()
    );
    let out = reg
        .import_subjects(&staff, &t, as_addressee.as_bytes(), ImportMode::Lenient)
        .unwrap();
    assert_eq!(out.rejected_rows[0].code, "N02");
    outputs.push(("N02 addressee".into(), format!("{out:?}").into_bytes()));
    for (venue_name, doctor, lot) in [
        ("区民会館", n.expose_secret(), "FA5765"),
        (n.expose_secret(), "山田一郎", "FA5765"),
        ("区民会館", "山田一郎", n.expose_secret()),
    ] {
        let d = DoseInput::new(
            Date::new(2021, 6, 2).unwrap(),
            "ファイザー",
            lot,
            venue_name,
            doctor,
        );
        let line = OcrLine::parse("121310160000012345").unwrap();
        let e = reg.record_dose_ocr(&venue, &line, &d).unwrap_err();
        assert_eq!(e.code(), "rule");
        outputs.push((
            "N02 dose field".into(),
            format!("{e} {e:?} {}", e.message_ja()).into_bytes(),
        ));
    }
    // Key rotation, anchors, verification: clean.
    let rotation = reg.rotate_tenant_key(&Principal::Operator, &t).unwrap();
    outputs.push(("rotation".into(), format!("{rotation:?}").into_bytes()));
    let anchor = reg.anchor().unwrap();
    outputs.push(("anchor".into(), anchor.to_string().into_bytes()));
    let e = n
        .expose_secret()
        .parse::<vrs_core::registry::RegistryAnchor>()
        .unwrap_err();
    outputs.push(("bad anchor".into(), format!("{e} {e:?}").into_bytes()));
    drop(reg);

    // Tampering: a voucher record flipped in the file; the errors and findings name the record
    // by kind and pseudonymous key only.
    {
        let conn = rusqlite::Connection::open(dir.join("vrs.sqlite3")).unwrap();
        let (key, mut value): (Vec<u8>, Vec<u8>) = conn
            .query_row(
                "SELECT key, value FROM records WHERE kind = 2 ORDER BY key LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        value[20] ^= 1;
        conn.execute(
            "UPDATE records SET value = ?1 WHERE kind = 2 AND key = ?2",
            rusqlite::params![value, key],
        )
        .unwrap();
    }
    let store = SqliteStore::open_dir(&dir, SqliteOptions::default()).unwrap();
    let mut reg = Registry::open(
        Box::new(store),
        Box::new(MasterKeyProvider::new([3; 32])),
        Box::new(FixedClock::ticking(now, 1)),
        RegistryConfig::default(),
    )
    .unwrap();
    let e = reg.subject_doses(&staff, &t, "1001").unwrap_err();
    assert_eq!(e.code(), "tampered");
    outputs.push((
        "tampered".into(),
        format!("{e} {e:?} {}", e.message_ja()).into_bytes(),
    ));
    let v = reg.verify_store(&Principal::Operator).unwrap();
    assert!(!v.ok);
    outputs.push((
        "findings".into(),
        format!("{v:?} {}", serde_json::to_string(&v).unwrap()).into_bytes(),
    ));
    // A panic carrying an error (an `unwrap` in a host) prints nothing secret either.
    let messages = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = std::sync::Arc::clone(&messages);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        sink.lock().unwrap().push_str(&info.to_string());
    }));
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        reg.subject_doses(&staff, &t, "1001").unwrap();
    }));
    std::panic::set_hook(previous);
    assert!(caught.is_err());
    let panic_text = messages.lock().unwrap().clone();
    assert!(panic_text.contains("tampered") || panic_text.contains("Tampered"));
    outputs.push(("panic message".into(), panic_text.into_bytes()));
    drop(reg);

    for (place, bytes) in &outputs {
        assert_clean(place, bytes);
    }
    // The scan itself works: it finds a canary where there is one.
    let planted = encode_strict(CANARY_NAME, Encoding::Cp932)
        .unwrap()
        .into_owned();
    assert!(std::panic::catch_unwind(|| assert_clean("planted", &planted)).is_err());
    assert!(scan_dir(&dir) >= 1);
}

/// The retention calls of the canary: every output goes into `outputs`.
fn retention(
    reg: &mut Registry,
    clock: &FixedClock,
    staff: &Principal,
    venue: &Principal,
    outputs: &mut Vec<(String, Vec<u8>)>,
) {
    let t = MunicipalityCode::parse("131016").unwrap();
    let day = |y, m, d| Date::new(y, m, d).unwrap();
    clock.set(DateTime::new(day(2026, 12, 1), 9, 0, 0).unwrap());
    let today = day(2026, 12, 1);
    let who = SubjectRef::Addressee(AddresseeNumber::parse("1001").unwrap());
    let list = reg.retention_list(staff, &t, today).unwrap();
    assert!(
        list.eligible.is_empty(),
        "a living person's COVID record is kept"
    );
    outputs.push((
        "retention list (alive)".into(),
        serde_json::to_vec(&list).unwrap(),
    ));
    let death = Flag::Deceased {
        date: day(2021, 6, 20),
    };
    reg.set_flag(staff, &t, &who, &death).unwrap();
    let p = reg
        .record_national_db_provision(staff, &t, day(2026, 6, 1), &ProvisionSelection::All)
        .unwrap();
    outputs.push(("provision".into(), format!("{p:?}").into_bytes()));
    let canary = AddresseeNumber::parse("1001").unwrap();
    reg.set_legal_hold(staff, &t, &canary, true).unwrap();
    let held = reg.retention_list(staff, &t, today).unwrap();
    assert_eq!(held.held.len(), 1);
    outputs.push((
        "retention list (held)".into(),
        format!("{held:?} {}", serde_json::to_string(&held).unwrap()).into_bytes(),
    ));
    reg.set_legal_hold(staff, &t, &canary, false).unwrap();
    let list = reg.retention_list(staff, &t, today).unwrap();
    assert_eq!(list.eligible.len(), 1);
    outputs.push((
        "retention list".into(),
        format!("{list:?} {}", serde_json::to_string(&list).unwrap()).into_bytes(),
    ));
    let e = reg.purge(venue, &t, today).unwrap_err();
    outputs.push(("purge refusal".into(), format!("{e} {e:?}").into_bytes()));
    let out = reg.purge(staff, &t, today).unwrap();
    assert_eq!(out.subjects, 1);
    outputs.push(("purge".into(), serde_json::to_vec(&out).unwrap()));
    let e = reg.subject_doses(staff, &t, "1001").unwrap_err();
    outputs.push(("after purge".into(), format!("{e} {e:?}").into_bytes()));
    let mut ledger = Vec::new();
    reg.export_ledger(staff, &t, &mut ledger, WriteOptions::default())
        .unwrap();
    outputs.push(("ledger after purge".into(), ledger));
    let log = reg.audit_log(&Principal::Operator, Some(&t)).unwrap();
    outputs.push((
        "audit after purge".into(),
        serde_json::to_vec(&log).unwrap(),
    ));
}
