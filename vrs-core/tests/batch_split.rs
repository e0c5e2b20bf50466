//! A batch inquiry large enough to be split (the SQLite store reads it on two connections and
//! threads, the registry opens records on every core, the result file is written beside the
//! logs) answers exactly as the in-memory store, which reads one record at a time: the same
//! result file byte for byte, the same outcome, the same log entries.

#![cfg(feature = "sqlite")]

mod common;

use std::fmt::Write as _;

use vrs_core::crypto::MasterKeyProvider;
use vrs_core::date::{Date, DateTime};
use vrs_core::id::MyNumber;
use vrs_core::registry::{
    BatchInquiryOptions, FixedClock, ImportMode, LegalBasis, LogQuery, Principal, Registry,
    RegistryConfig,
};
use vrs_core::store::{MemoryStore, SqliteOptions, SqliteStore, Store};

use common::{code, staff, TempDir};

/// People in the registry (above the store's split threshold of 4,096 reads per stage).
const PEOPLE: u64 = 6_000;
const TENANTS: [&str; 3] = ["131016", "011002", "271004"];
const REQUESTER: &str = "131032";

fn my_number(p: u64) -> MyNumber {
    MyNumber::from_eleven_digits(&format!("{:011}", 42_000_000_000 + p)).unwrap()
}

/// Person `p` lives in tenant `p % 3`; every fifth also in the next one, with a third dose.
fn build(store: Box<dyn Store>) -> Registry {
    let now = DateTime::new(Date::new(2022, 3, 1).unwrap(), 9, 0, 0).unwrap();
    let mut reg = Registry::open(
        store,
        Box::new(MasterKeyProvider::new([9; 32])),
        Box::new(FixedClock::ticking(now, 1)),
        RegistryConfig::default(),
    )
    .unwrap();
    for c in TENANTS.iter().chain([&REQUESTER]) {
        reg.create_tenant(&Principal::Operator, &code(c)).unwrap();
        reg.register_staff(&Principal::Operator, &code(c), "u1")
            .unwrap();
    }
    for (i, c) in TENANTS.iter().enumerate() {
        let mut subjects = String::from(
            "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n",
        );
        let mut doses = String::from(
            "接種自治体コード,券番号,接種回数,接種日,接種会場名,接種医師名,ワクチンメーカー,ワクチンロット番号,OCRライン,宛名番号,生年月日\r\n",
        );
        for p in 0..PEOPLE {
            let home = (p % 3) as usize == i;
            let second = p % 5 == 0 && ((p + 1) % 3) as usize == i;
            if !home && !second {
                continue;
            }
            let voucher = if home { p } else { 5_000_000_000 + p };
            let _ = write!(
                subjects,
                "{c},{},{},{voucher:010},試験 太郎,シケン タロウ,19700101,1,20210501\r\n",
                p + 1,
                my_number(p).expose_secret()
            );
            let plan: &[(u8, &str)] = if home {
                &[(1, "20210601"), (2, "20210622")]
            } else {
                &[(3, "20220110")]
            };
            for (dose, day) in plan {
                let _ = write!(
                    doses,
                    "{c},{voucher:010},{dose},{day},会場{p},医師,ファイザー,FA{p:04},,,\r\n"
                );
            }
        }
        let s = reg
            .import_subjects(&staff(c), &code(c), subjects.as_bytes(), ImportMode::Strict)
            .unwrap();
        assert_eq!(s.rejected, 0);
        let d = reg
            .import_doses(&staff(c), &code(c), doses.as_bytes(), ImportMode::Strict)
            .unwrap();
        assert_eq!(d.rejected, 0);
    }
    reg
}

/// Everyone, a few nobody holds, one duplicate row.
fn request() -> Vec<u8> {
    let mut file = String::from("個人番号,宛名番号\r\n");
    for p in 0..PEOPLE + 50 {
        let _ = write!(file, "{},{}\r\n", my_number(p).expose_secret(), 800_000 + p);
    }
    let _ = write!(file, "{},1\r\n", my_number(7).expose_secret());
    file.into_bytes()
}

#[test]
fn a_split_batch_answers_byte_for_byte_as_one_read_at_a_time() {
    let dir = TempDir::fresh("batch-split");
    let sqlite = SqliteStore::open_dir(&dir.0, SqliteOptions::default()).unwrap();
    let file = request();
    let options = BatchInquiryOptions::new(LegalBasis::ConsentDifficult);
    let mut results = Vec::new();
    for store in [
        Box::new(MemoryStore::new()) as Box<dyn Store>,
        Box::new(sqlite),
    ] {
        let mut reg = build(store);
        let mut out = Vec::new();
        let outcome = reg
            .batch_inquire(&staff(REQUESTER), &file, &options, &mut out)
            .unwrap();
        let inquiries = reg
            .inquiry_log(&staff(REQUESTER), &code(REQUESTER), &LogQuery::default())
            .unwrap();
        let provisions: Vec<_> = TENANTS
            .iter()
            .map(|c| {
                reg.provision_log(&staff(c), &code(c), &LogQuery::default())
                    .unwrap()
            })
            .collect();
        assert!(reg.verify_store(&Principal::Operator).unwrap().ok);
        results.push((outcome, out, inquiries, provisions));
    }
    let (memory, sqlite) = (&results[0], &results[1]);
    assert_eq!(memory.0.answered, PEOPLE + 50);
    assert_eq!(memory.0.matched, PEOPLE);
    assert_eq!(memory.0.rejected, 1);
    // One row per provider: movers have two.
    assert_eq!(memory.0.result_rows, PEOPLE + PEOPLE / 5 + 50);
    assert_eq!(memory.0, sqlite.0);
    assert!(memory.1 == sqlite.1, "the result files differ");
    assert_eq!(memory.2, sqlite.2);
    assert_eq!(memory.3, sqlite.3);
    assert_eq!(memory.2.len() as u64, PEOPLE + 50);
}
