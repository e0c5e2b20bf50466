//! A purge leaves no trace of the removed records in the SQLite files: `secure_delete` zeroes
//! the freed cells and the purge checkpoints the write-ahead log, so neither the database file
//! nor the `-wal` file still holds a removed record's sealed bytes.

#![cfg(feature = "sqlite")]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use vrs_core::crypto::MasterKeyProvider;
use vrs_core::date::{Date, DateTime};
use vrs_core::id::{AddresseeNumber, MunicipalityCode, OcrLine};
use vrs_core::registry::{
    Clock, DoseInput, FixedClock, Flag, ImportMode, Principal, ProvisionSelection, Registry,
    RegistryConfig, SubjectRef,
};
use vrs_core::store::{SqliteOptions, SqliteStore, Store};

use common::TempDir;

struct Shared(Arc<FixedClock>);

impl Clock for Shared {
    fn now(&self) -> DateTime {
        self.0.now()
    }
}

const HEADER: &str = "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n";

/// Every record of the tenant, by (kind, key).
fn records(store: &mut SqliteStore, tenant: u32) -> BTreeMap<(u8, [u8; 16]), Vec<u8>> {
    let mut out = BTreeMap::new();
    for kind in 1..=40u8 {
        store
            .scan(tenant, kind, &mut |k, v| {
                out.insert((kind, *k), v.to_vec());
                true
            })
            .unwrap();
    }
    out
}

fn files(dir: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for name in ["vrs.sqlite3", "vrs.sqlite3-wal"] {
        if let Ok(b) = std::fs::read(dir.join(name)) {
            all.extend(b);
        }
    }
    all
}

fn holds(hay: &[u8], value: &[u8]) -> bool {
    // A 32-byte window from the middle of the sealed value (ciphertext: never repeats by chance).
    let mid = value.len() / 2;
    let needle = &value[mid.saturating_sub(16)..(mid + 16).min(value.len())];
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn purged_records_leave_no_bytes_in_the_store_files() {
    let temp = TempDir::fresh("purge-store");
    let dir = temp.0.clone();
    let t = MunicipalityCode::parse("131016").unwrap();
    let day = |y, m, d| Date::new(y, m, d).unwrap();
    let clock = Arc::new(FixedClock::new(
        DateTime::new(day(2021, 7, 1), 9, 0, 0).unwrap(),
    ));
    let store = SqliteStore::open_dir(&dir, SqliteOptions::default()).unwrap();
    let mut reg = Registry::open(
        Box::new(store),
        Box::new(MasterKeyProvider::new([9; 32])),
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
    let mut file = HEADER.to_string();
    for i in 0..40u32 {
        let n = vrs_core::id::MyNumber::from_eleven_digits(&format!("{:011}", 40_000 + i)).unwrap();
        file.push_str(&format!(
            "131016,{},{},{:010},削除 太郎,サクジョ タロウ,19700101,1,20210501\r\n",
            1000 + i,
            n.expose_secret(),
            500 + i
        ));
    }
    reg.import_subjects(&staff, &t, file.as_bytes(), ImportMode::Strict)
        .unwrap();
    let venue = Principal::VenueTablet { tenant: t };
    let dose = DoseInput::new(
        day(2021, 6, 1),
        "ファイザー",
        "FA5765",
        "区民会館",
        "山田一郎",
    );
    for i in 0..40u32 {
        let line = OcrLine::parse(&format!("11131016{:010}", 500 + i)).unwrap();
        reg.record_dose_ocr(&venue, &line, &dose).unwrap();
    }
    clock.set(DateTime::new(day(2026, 12, 1), 9, 0, 0).unwrap());
    // Half of them died in 2021 and everyone was provided: the dead half is eligible.
    for i in 0..20u32 {
        let who = SubjectRef::Addressee(AddresseeNumber::parse(&format!("{}", 1000 + i)).unwrap());
        let flag = Flag::Deceased {
            date: day(2021, 6, 20),
        };
        reg.set_flag(&staff, &t, &who, &flag).unwrap();
    }
    reg.record_national_db_provision(&staff, &t, day(2026, 6, 1), &ProvisionSelection::All)
        .unwrap();

    let mut reader = SqliteStore::open_dir(&dir, SqliteOptions::default()).unwrap();
    let before = records(&mut reader, t.to_u32());
    let out = reg.purge(&staff, &t, day(2026, 12, 1)).unwrap();
    assert_eq!((out.doses, out.subjects, out.vouchers), (20, 20, 20));
    assert!(out.store_checkpointed);
    let after = records(&mut reader, t.to_u32());
    let gone: Vec<&Vec<u8>> = before
        .iter()
        .filter(|(k, _)| !after.contains_key(k))
        .map(|(_, v)| v)
        .collect();
    // Subject, voucher, My Number index and provision record of each of the 20.
    assert_eq!(gone.len(), 80);
    let bytes = files(&dir);
    assert!(
        std::fs::metadata(dir.join("vrs.sqlite3-wal")).map_or(0, |m| m.len()) == 0,
        "the WAL was truncated"
    );
    for value in &gone {
        assert!(!holds(&bytes, value), "a purged record's bytes remain");
    }
    // The check itself finds what is there: the kept records' bytes.
    let kept = after.values().filter(|v| holds(&bytes, v)).count();
    assert!(kept >= after.len() / 2, "{kept} of {}", after.len());
    drop(reader);
    drop(reg);
}
