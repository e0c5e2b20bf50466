//! Purge speed against a floor measured in the same run.
//!
//! A store is prepared once and kept under the target directory: N/2 subjects with two doses
//! each (N doses, 1,000,000 by default), all deceased in 2021 and provided to the national
//! database on 2026-06-01, so on 2026-12-01 every dose is eligible under 附則第17条. Each sample
//! copies that store (not timed), then:
//!
//! - `purge/vrs_purge`: `Registry::purge` — judge every dose under the dated policy, remove the
//!   doses, subjects, vouchers, My Number index entries, provision records and inquiry-index
//!   entries through the sealed area, audit, commit, checkpoint the WAL.
//! - `purge/sqlite_delete_floor`: a bare SQLite `DELETE` of the same rows by key (keys listed
//!   before the clock starts: the tenant's subjects, vouchers, My Number index entries and
//!   provision records, and the inquiry-index entries the purge empties), same pragmas
//!   (`secure_delete`, WAL), one transaction, the same checkpoint.
//!
//! Target: the purge removes doses at no less than 0.3x the floor's rate. The ratio of the mean
//! times is printed at the end.
//!
//! ```text
//! cargo bench -p vrs-core --bench purge                       # 1,000,000 doses
//! VRS_BENCH_DOSES=100000 cargo bench -p vrs-core --bench purge
//! VRS_BENCH_ONCE=1 cargo bench -p vrs-core --bench purge      # one of each, no criterion
//! ```

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rusqlite::{params, Connection};

use vrs_core::crypto::MasterKeyProvider;
use vrs_core::date::{Date, DateTime};
use vrs_core::id::{MunicipalityCode, MyNumber};
use vrs_core::registry::{
    Clock, FixedClock, ImportMode, Principal, ProvisionSelection, Registry, RegistryConfig,
};
use vrs_core::store::{SqliteOptions, SqliteStore};

#[path = "support/cache.rs"]
mod cache;
#[path = "support/scratch.rs"]
mod scratch;
use scratch::ScratchDir;

const TENANT: u32 = 131016;
/// The rows a purge of a whole subject removes, as (store tenant, kind): the tenant's subject,
/// voucher, My Number index and provision records, and the subject's inquiry-index entry in
/// the registry's own area (number 0; the bench's only tenant is the only holder).
const ROWS: [(u32, u8); 5] = [(TENANT, 1), (TENANT, 2), (TENANT, 3), (TENANT, 30), (0, 20)];

fn doses() -> u64 {
    std::env::var("VRS_BENCH_DOSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn tenant() -> MunicipalityCode {
    MunicipalityCode::parse("131016").expect("code")
}

fn staff() -> Principal {
    Principal::MunicipalStaff {
        tenant: tenant(),
        user_id: "bench".into(),
    }
}

fn at(y: u16, m: u8, d: u8) -> DateTime {
    DateTime::new(Date::new(y, m, d).expect("date"), 9, 0, 0).expect("time")
}

struct Shared(Arc<FixedClock>);

impl Clock for Shared {
    fn now(&self) -> DateTime {
        self.0.now()
    }
}

fn registry(dir: &Path, clock: Arc<FixedClock>) -> Registry {
    let store = SqliteStore::open_dir(dir, SqliteOptions::default()).expect("store");
    let config = RegistryConfig {
        import_batch_rows: 50_000,
        ..RegistryConfig::default()
    };
    Registry::open(
        Box::new(store),
        Box::new(MasterKeyProvider::new([7; 32])),
        Box::new(Shared(clock)),
        config,
    )
    .expect("registry")
}

/// The three upload files: subjects, doses (two per subject), death flags.
fn files(subjects: u64) -> (String, String, String) {
    let mut s = String::from(
        "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n",
    );
    let mut d = String::from("接種自治体コード,券番号,接種回数,接種日,接種会場名,接種医師名,ワクチンメーカー,ワクチンロット番号,OCRライン,宛名番号,生年月日\r\n");
    let mut f =
        String::from("自治体コード,宛名番号,券番号,フラグ種別,異動日,転出先自治体コード\r\n");
    for i in 0..subjects {
        let n = MyNumber::from_eleven_digits(&format!("{:011}", 30_000_000_000 + i)).expect("n");
        let addressee = 100_000 + i;
        let voucher = format!("{:010}", 2_000_000 + i);
        s.push_str(&format!(
            "131016,{addressee},{},{voucher},削除 太郎,サクジョ タロウ,19400101,1,20210501\r\n",
            n.expose_secret()
        ));
        for (dose, on) in [(1, "20210601"), (2, "20210629")] {
            d.push_str(&format!(
                "131016,{voucher},{dose},{on},区民会館,山田一郎,ファイザー,FA5765,,,\r\n"
            ));
        }
        f.push_str(&format!("131016,{addressee},,2,20210710,\r\n"));
    }
    (s, d, f)
}

/// Builds the prepared store in `dir`.
fn prepare(dir: &Path, doses: u64) {
    let started = Instant::now();
    let clock = Arc::new(FixedClock::new(at(2021, 7, 1)));
    let mut reg = registry(dir, clock.clone());
    reg.create_tenant(&Principal::Operator, &tenant())
        .expect("tenant");
    reg.register_staff(&Principal::Operator, &tenant(), "bench")
        .expect("staff");
    let (s, d, f) = files(doses / 2);
    let lenient = ImportMode::Lenient;
    let out = reg
        .import_subjects(&staff(), &tenant(), s.as_bytes(), lenient)
        .expect("subjects");
    assert_eq!(out.rejected, 0, "{:?}", out.rejected_rows.first());
    let out = reg
        .import_doses(&staff(), &tenant(), d.as_bytes(), lenient)
        .expect("doses");
    assert_eq!(out.rejected, 0, "{:?}", out.rejected_rows.first());
    clock.set(at(2026, 12, 1));
    let out = reg
        .import_flags(&staff(), &tenant(), f.as_bytes(), lenient)
        .expect("flags");
    assert_eq!(out.rejected, 0, "{:?}", out.rejected_rows.first());
    let provided = Date::new(2026, 6, 1).expect("date");
    let p = reg
        .record_national_db_provision(&staff(), &tenant(), provided, &ProvisionSelection::All)
        .expect("provision");
    assert_eq!(p.doses, doses);
    let list = reg
        .retention_list(&staff(), &tenant(), Date::new(2026, 12, 1).expect("date"))
        .expect("list");
    assert_eq!(list.would_remove.doses, doses);
    drop(list);
    drop(reg);
    eprintln!(
        "prepared {doses} eligible doses in {:.1} s ({} MiB)",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(dir.join("vrs.sqlite3")).map_or(0, |m| m.len() >> 20)
    );
}

/// The prepared store of `doses` doses (built once, see `support/cache.rs`).
fn prepared(doses: u64) -> PathBuf {
    cache::cached("purge", &format!("{doses}-v1"), |dir| prepare(dir, doses))
}

/// A copy of the prepared store in a fresh directory.
fn copy(prepared: &Path, name: &str) -> ScratchDir {
    let dir = ScratchDir::new(name);
    std::fs::copy(prepared.join("vrs.sqlite3"), dir.0.join("vrs.sqlite3")).expect("copy");
    dir
}

fn purge_once(prepared: &Path, doses: u64) -> Duration {
    let dir = copy(prepared, "purge");
    let mut reg = registry(&dir.0, Arc::new(FixedClock::new(at(2026, 12, 1))));
    let today = Date::new(2026, 12, 1).expect("date");
    let started = Instant::now();
    let out = reg.purge(&staff(), &tenant(), today).expect("purge");
    let elapsed = started.elapsed();
    assert_eq!((out.doses, out.subjects), (doses, doses / 2));
    elapsed
}

fn floor_once(prepared: &Path, doses: u64) -> Duration {
    let dir = copy(prepared, "floor");
    let conn = Connection::open(dir.0.join("vrs.sqlite3")).expect("open");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    conn.pragma_update(None, "secure_delete", "ON")
        .expect("secure");
    conn.pragma_update(None, "synchronous", "NORMAL")
        .expect("sync");
    conn.pragma_update(None, "cache_size", -(64 * 1024))
        .expect("cache");
    let mut keys: Vec<(u32, u8, Vec<u8>)> = Vec::new();
    for (tenant, kind) in ROWS {
        let mut stmt = conn
            .prepare("SELECT key FROM records WHERE tenant = ?1 AND kind = ?2")
            .expect("prepare");
        let rows = stmt
            .query_map(params![tenant, kind], |r| r.get::<_, Vec<u8>>(0))
            .expect("query");
        keys.extend(rows.map(|k| (tenant, kind, k.expect("key"))));
    }
    assert_eq!(keys.len() as u64, doses / 2 * ROWS.len() as u64);
    let started = Instant::now();
    conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
    {
        let mut stmt = conn
            .prepare_cached("DELETE FROM records WHERE tenant = ?1 AND kind = ?2 AND key = ?3")
            .expect("prepare");
        for (tenant, kind, key) in &keys {
            stmt.execute(params![tenant, kind, key]).expect("delete");
        }
    }
    conn.execute_batch("COMMIT").expect("commit");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
    started.elapsed()
}

fn bench(c: &mut Criterion) {
    let doses = doses();
    let prepared = prepared(doses);
    if std::env::var_os("VRS_BENCH_ONCE").is_some() {
        // One floor and one purge, timed, without criterion (for profilers and quick checks).
        let floor = floor_once(&prepared, doses).as_secs_f64();
        let purge = purge_once(&prepared, doses).as_secs_f64();
        eprintln!(
            "once: floor {floor:.2} s, vrs {purge:.2} s: {:.2}x the floor's rate",
            floor / purge
        );
        return;
    }
    let times: RefCell<[Vec<Duration>; 2]> = RefCell::new([Vec::new(), Vec::new()]);
    let mut group = c.benchmark_group("purge");
    group.throughput(Throughput::Elements(doses));
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(1));
    group.bench_function("sqlite_delete_floor", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    let t = floor_once(&prepared, doses);
                    times.borrow_mut()[0].push(t);
                    t
                })
                .sum()
        })
    });
    group.bench_function("vrs_purge", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    let t = purge_once(&prepared, doses);
                    times.borrow_mut()[1].push(t);
                    t
                })
                .sum()
        })
    });
    group.finish();
    let times = times.borrow();
    let mean =
        |v: &Vec<Duration>| v.iter().map(Duration::as_secs_f64).sum::<f64>() / v.len() as f64;
    let (floor, purge) = (mean(&times[0]), mean(&times[1]));
    eprintln!(
        "purge of {doses} doses: floor {floor:.2} s ({:.0} doses/s), vrs {purge:.2} s ({:.0} doses/s): {:.2}x the floor's rate (target >= 0.3x)",
        doses as f64 / floor,
        doses as f64 / purge,
        floor / purge
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
