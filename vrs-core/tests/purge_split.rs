//! A purge large enough for its batch reads to be split (the integrity layer reads the records
//! about to go ahead of their deletion, over two SQLite connections) leaves exactly what the
//! in-memory store, which reads one record at a time, leaves: the same counts, a store whose
//! every digest still verifies, an inquiry index that no longer finds the purged people in the
//! purging municipality but still finds them where they also live, and a second purge that
//! finds nothing more.

#![cfg(feature = "sqlite")]

mod common;

use std::fmt::Write as _;
use std::sync::Arc;

use vrs_core::crypto::MasterKeyProvider;
use vrs_core::date::{Date, DateTime};
use vrs_core::id::{AddresseeNumber, MyNumber};
use vrs_core::registry::{
    Clock, FixedClock, ImportMode, InquiryOutcome, InquiryRequest, LegalBasis, Principal,
    ProvisionSelection, PurgeOutcome, Registry, RegistryConfig,
};
use vrs_core::store::{MemoryStore, SqliteOptions, SqliteStore, Store};

use common::{code, staff, TempDir};

/// People in the purging municipality: the records to remove of each kind (about 4,150
/// subjects, vouchers and My Number index entries, two thirds of each kind) are above the
/// SQLite store's threshold of 4,096 reads, from which it splits a batch read over two
/// connections, or walks a dense one along its kind.
const PEOPLE: u64 = 6_300;
const PURGING: &str = "131016";
const ALSO: &str = "011002";
const REQUESTER: &str = "131032";

fn day(y: u16, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

/// The test's clock, shared with the registry.
struct Shared(Arc<FixedClock>);

impl Clock for Shared {
    fn now(&self) -> DateTime {
        self.0.now()
    }
}

fn my_number(p: u64) -> MyNumber {
    MyNumber::from_eleven_digits(&format!("{:011}", 43_000_000_000 + p)).unwrap()
}

/// Person `p` has two doses in 2021; two in three died in 2021 (the living are kept); every
/// fifth also lives in [`ALSO`] (so the inquiry index keeps an entry for them); every
/// hundredth is under a legal hold. Every dose was provided to the national database.
fn build(store: Box<dyn Store>) -> (Registry, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::ticking(
        DateTime::new(day(2021, 7, 1), 9, 0, 0).unwrap(),
        1,
    ));
    let mut reg = Registry::open(
        store,
        Box::new(MasterKeyProvider::new([9; 32])),
        Box::new(Shared(clock.clone())),
        RegistryConfig::default(),
    )
    .unwrap();
    for c in [PURGING, ALSO, REQUESTER] {
        reg.create_tenant(&Principal::Operator, &code(c)).unwrap();
        reg.register_staff(&Principal::Operator, &code(c), "u1")
            .unwrap();
    }
    let header = "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n";
    let mut subjects = String::from(header);
    let mut doses = String::from("接種自治体コード,券番号,接種回数,接種日,接種会場名,接種医師名,ワクチンメーカー,ワクチンロット番号,OCRライン,宛名番号,生年月日\r\n");
    let mut flags =
        String::from("自治体コード,宛名番号,券番号,フラグ種別,異動日,転出先自治体コード\r\n");
    let mut also = String::from(header);
    let mut also_doses = doses.clone();
    for p in 0..PEOPLE {
        let n = my_number(p);
        let voucher = format!("{:010}", 3_000_000 + p);
        writeln!(
            subjects,
            "{PURGING},{},{},{voucher},削除 太郎,サクジョ タロウ,19400101,1,20210501\r",
            100_000 + p,
            n.expose_secret()
        )
        .unwrap();
        for (dose, on) in [(1, "20210601"), (2, "20210629")] {
            writeln!(
                doses,
                "{PURGING},{voucher},{dose},{on},区民会館,山田一郎,ファイザー,FA5765,,,\r"
            )
            .unwrap();
        }
        if p % 3 != 0 {
            writeln!(flags, "{PURGING},{},,2,20210710,\r", 100_000 + p).unwrap();
        }
        if p % 5 == 0 {
            writeln!(
                also,
                "{ALSO},{},{},{:010},削除 太郎,サクジョ タロウ,19400101,1,20210501\r",
                200_000 + p,
                n.expose_secret(),
                4_000_000 + p
            )
            .unwrap();
            writeln!(
                also_doses,
                "{ALSO},{:010},1,20210620,市民会館,鈴木花子,モデルナ,MD0001,,,\r",
                4_000_000 + p
            )
            .unwrap();
        }
    }
    let t = code(PURGING);
    let lenient = ImportMode::Lenient;
    let imported = [
        reg.import_subjects(&staff(PURGING), &t, subjects.as_bytes(), lenient),
        reg.import_subjects(&staff(ALSO), &code(ALSO), also.as_bytes(), lenient),
        reg.import_doses(&staff(PURGING), &t, doses.as_bytes(), lenient),
        reg.import_doses(&staff(ALSO), &code(ALSO), also_doses.as_bytes(), lenient),
    ];
    for (file, out) in imported.into_iter().enumerate() {
        let out = out.unwrap();
        assert_eq!(
            out.rejected,
            0,
            "file {file}: {:?}",
            out.rejected_rows.first()
        );
    }
    clock.set(DateTime::new(day(2026, 12, 1), 9, 0, 0).unwrap());
    let out = reg
        .import_flags(&staff(PURGING), &t, flags.as_bytes(), lenient)
        .unwrap();
    assert_eq!(out.rejected, 0, "{:?}", out.rejected_rows.first());
    for p in (0..PEOPLE).step_by(100) {
        let a = AddresseeNumber::parse(&format!("{}", 100_000 + p + 1)).unwrap();
        reg.set_legal_hold(&staff(PURGING), &t, &a, true).unwrap();
    }
    reg.record_national_db_provision(
        &staff(PURGING),
        &t,
        day(2026, 6, 1),
        &ProvisionSelection::All,
    )
    .unwrap();
    (reg, clock)
}

fn purge(reg: &mut Registry) -> PurgeOutcome {
    reg.purge(&staff(PURGING), &code(PURGING), day(2026, 12, 1))
        .unwrap()
}

/// Who provides for person `p` when the requester asks every municipality.
fn providers(reg: &mut Registry, p: u64) -> Vec<String> {
    let request = InquiryRequest {
        former: None,
        my_number: my_number(p),
        legal_basis: LegalBasis::ConsentDifficult,
        identity_verified: false,
        reference: "9001".into(),
    };
    match reg.inquire(&staff(REQUESTER), &request).unwrap() {
        InquiryOutcome::Match { providers } => providers
            .iter()
            .map(|p| p.provider.as_str().to_string())
            .collect(),
        InquiryOutcome::NoMatch => Vec::new(),
    }
}

#[test]
fn a_split_purge_leaves_what_a_one_by_one_purge_leaves() {
    let temp = TempDir::fresh("purge-split");
    let sqlite = SqliteStore::open_dir(&temp.0, SqliteOptions::default()).unwrap();
    let (mut on_disk, _clock) = build(Box::new(sqlite));
    let (mut in_memory, _same) = build(Box::new(MemoryStore::new()));

    let split = purge(&mut on_disk);
    let one_by_one = purge(&mut in_memory);
    assert!(split.store_checkpointed);
    assert_eq!(
        PurgeOutcome {
            store_checkpointed: false,
            ..split
        },
        PurgeOutcome {
            store_checkpointed: false,
            ..one_by_one
        }
    );
    // The dead (two in three), less the held (one in a hundred).
    let gone = (0..PEOPLE).filter(|p| p % 3 != 0 && p % 100 != 1).count() as u64;
    assert_eq!((split.subjects, split.doses), (gone, 2 * gone));
    assert_eq!((split.vouchers, split.my_number_index), (gone, gone));

    for reg in [&mut on_disk, &mut in_memory] {
        let verified = reg.verify_store(&Principal::Operator).unwrap();
        assert!(verified.ok, "{:?}", verified.findings.first());
        // Purged and also living elsewhere; purged only here; held; alive.
        assert_eq!(providers(reg, 5), vec![ALSO.to_string()]);
        assert!(providers(reg, 2).is_empty());
        assert_eq!(providers(reg, 1), vec![PURGING.to_string()]);
        assert_eq!(providers(reg, 3), vec![PURGING.to_string()]);
        assert_eq!(
            providers(reg, 0),
            vec![ALSO.to_string(), PURGING.to_string()]
        );
        // Idempotent.
        assert_eq!(purge(reg).doses, 0);
    }
    drop(on_disk);
    // Reopened, the store is sound.
    let sqlite = SqliteStore::open_dir(&temp.0, SqliteOptions::default()).unwrap();
    let mut reopened = Registry::open(
        Box::new(sqlite),
        Box::new(MasterKeyProvider::new([9; 32])),
        Box::new(FixedClock::new(
            DateTime::new(day(2026, 12, 2), 9, 0, 0).unwrap(),
        )),
        RegistryConfig::default(),
    )
    .unwrap();
    assert!(reopened.verify_store(&Principal::Operator).unwrap().ok);
    assert_eq!(providers(&mut reopened, 5), vec![ALSO.to_string()]);
}
