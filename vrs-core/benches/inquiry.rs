//! Inquiry speed at national scale, against a floor measured in the same run.
//!
//! - `batch/<T>-tenants`: a batch inquiry of 100,000 My Numbers (90% held somewhere, 10% by
//!   nobody) against 1,000,000 people spread over T municipalities (10% of them registered in a
//!   second municipality too: 1,100,000 subject records, 2,100,000 doses), T = 20 and 1,741:
//!   validate the request, look every number up, write 2 log entries per row, write the result
//!   file. Target: under 2 s for both; the time should not grow with T.
//! - `floor/<T>-tenants`: 100,000 point lookups of inquiry-index entries in the same SQLite
//!   file, through a bare rusqlite connection (the least any lookup by My Number costs).
//! - `single/<T>-tenants`: one inquiry (one transaction, two log entries); the p50/p99/max of
//!   10,000 inquiries are printed (target: p99 under 1 ms).
//!
//! Loading a million people takes minutes, so each store is built once into
//! `target/tmp/vrs-bench-inquiry/<T>x<people>-v1/` (kept between runs; delete the directory to
//! rebuild) and copied to a scratch directory for each run, which the inquiries then change.
//!
//! ```text
//! cargo bench -p vrs-core --bench inquiry
//! VRS_BENCH_PEOPLE=100000 cargo bench -p vrs-core --bench inquiry   # a smaller registry
//! VRS_BENCH_TENANTS=20,200,1741 cargo bench -p vrs-core --bench inquiry
//! VRS_BENCH_SINGLES=0 cargo bench -p vrs-core --bench inquiry     # no single inquiries
//! VRS_BENCH_ONCE=1 cargo bench -p vrs-core --bench inquiry        # one batch each, no criterion
//! VRS_BENCH_SINGLES_ONLY=1 cargo bench -p vrs-core --bench inquiry # single inquiries only
//! ```

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use rusqlite::{params, Connection};

use vrs_core::crypto::MasterKeyProvider;
use vrs_core::date::{Date, DateTime};
use vrs_core::id::{MunicipalityCode, MyNumber};
use vrs_core::registry::{
    BatchInquiryOptions, FixedClock, ImportMode, InquiryRequest, LegalBasis, Principal, Registry,
    RegistryConfig,
};
use vrs_core::store::{SqliteOptions, SqliteStore};

#[path = "support/cache.rs"]
mod cache;
#[path = "support/scratch.rs"]
mod scratch;
use scratch::ScratchDir;

/// Rows in the batch.
const QUERIES: u64 = 100_000;
/// Every tenth person is registered in a second municipality too.
const MOVER_EVERY: u64 = 10;
/// First My Number (its 11 digits before the check digit) of person 0.
const MY_NUMBER_BASE: u64 = 31_000_000_000;

fn people() -> u64 {
    std::env::var("VRS_BENCH_PEOPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn tenant_counts() -> Vec<usize> {
    std::env::var("VRS_BENCH_TENANTS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![20, 1741])
}

/// The first `n` real municipalities (spread over the whole table).
fn tenants(n: usize) -> Vec<MunicipalityCode> {
    let all: Vec<&str> = vrs_core::munis::tenants().map(|e| e.code).collect();
    let step = (all.len() / n.max(1)).max(1);
    all.iter()
        .step_by(step)
        .take(n)
        .map(|c| MunicipalityCode::parse(c).expect("code"))
        .collect()
}

fn my_number(p: u64) -> MyNumber {
    MyNumber::from_eleven_digits(&format!("{:011}", MY_NUMBER_BASE + p)).expect("my number")
}

fn staff(t: &MunicipalityCode) -> Principal {
    Principal::MunicipalStaff {
        tenant: *t,
        user_id: "bench".into(),
    }
}

fn registry(dir: &Path) -> Registry {
    let store = SqliteStore::open_dir(dir, SqliteOptions::default()).expect("store");
    let now = DateTime::new(Date::new(2022, 3, 1).expect("date"), 9, 0, 0).expect("time");
    Registry::open(
        Box::new(store),
        Box::new(MasterKeyProvider::new([7; 32])),
        Box::new(FixedClock::ticking(now, 1)),
        RegistryConfig::default(),
    )
    .expect("registry")
}

/// Person `p`'s home municipality, and the second one of a mover.
fn homes(p: u64, t: usize) -> (usize, Option<usize>) {
    let home = (p % t as u64) as usize;
    let second = p.is_multiple_of(MOVER_EVERY).then_some((home + 1) % t);
    (home, second)
}

/// Builds the store of `codes` with `people` people in `dir`.
fn build(dir: &Path, codes: &[MunicipalityCode], people: u64) {
    let started = Instant::now();
    let mut reg = registry(dir);
    let t = codes.len();
    for c in codes {
        reg.create_tenant(&Principal::Operator, c).expect("tenant");
        reg.register_staff(&Principal::Operator, c, "bench")
            .expect("staff");
    }
    for (i, c) in codes.iter().enumerate() {
        let mut subjects = String::from(
            "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n",
        );
        let mut doses = String::from(
            "接種自治体コード,券番号,接種回数,接種日,接種会場名,接種医師名,ワクチンメーカー,ワクチンロット番号,OCRライン,宛名番号,生年月日\r\n",
        );
        let mut p = i as u64;
        while p < people {
            let n = my_number(p);
            let _ = write!(
                subjects,
                "{c},{},{},{:010},試験 太郎,シケン タロウ,19700101,1,20210501\r\n",
                p + 1,
                n.expose_secret(),
                p
            );
            for (dose, day) in [(1, "20210601"), (2, "20210622")] {
                let _ = write!(
                    doses,
                    "{c},{p:010},{dose},{day},区民会館,山田一郎,ファイザー,FA5765,,,\r\n"
                );
            }
            p += t as u64;
        }
        // Movers whose second municipality is this one.
        let from = (i + t - 1) % t;
        let mut p = from as u64;
        while p < people {
            if homes(p, t).1 == Some(i) {
                let n = my_number(p);
                let voucher = 5_000_000_000 + p;
                let _ = write!(
                    subjects,
                    "{c},M{p},{},{voucher:010},試験 太郎,シケン タロウ,19700101,1,20211201\r\n",
                    n.expose_secret()
                );
                let _ = write!(
                    doses,
                    "{c},{voucher:010},3,20220110,市民会館,佐藤花子,ファイザー,FA5765,,,\r\n"
                );
            }
            p += t as u64;
        }
        let s = reg
            .import_subjects(&staff(c), c, subjects.as_bytes(), ImportMode::Lenient)
            .expect("subjects");
        assert_eq!(s.rejected, 0, "{:?}", s.rejected_rows.first());
        let d = reg
            .import_doses(&staff(c), c, doses.as_bytes(), ImportMode::Lenient)
            .expect("doses");
        assert_eq!(d.rejected, 0, "{:?}", d.rejected_rows.first());
        if i % 100 == 0 {
            eprintln!(
                "  built {}/{} tenants in {:.0?}",
                i + 1,
                t,
                started.elapsed()
            );
        }
    }
    drop(reg);
    eprintln!(
        "built {t} tenants, {people} people in {:.1?}",
        started.elapsed()
    );
}

/// The cached store of `t` tenants (built when missing), copied into a fresh scratch directory.
fn store_copy(t: usize, people: u64) -> (ScratchDir, Vec<MunicipalityCode>) {
    let codes = tenants(t);
    let cache = cache::cached("inquiry", &format!("{t}x{people}-v1"), |dir| {
        build(dir, &codes, people)
    });
    let scratch = ScratchDir::new(&format!("inquiry-{t}"));
    std::fs::copy(cache.join("vrs.sqlite3"), scratch.0.join("vrs.sqlite3")).expect("copy");
    (scratch, codes)
}

/// A simple deterministic generator (the same queries in every run).
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Rows in a batch: 100,000, or the number of people in a smaller registry.
fn queries(people: u64) -> u64 {
    QUERIES.min(people)
}

/// The `k`-th person asked about: 9 in 10 people who exist (distinct: 7,919 is a prime, so
/// `k * 7,919 mod people` does not repeat while `k < people` unless people is a multiple of
/// it), 1 in 10 nobody holds.
fn asked(k: u64, people: u64) -> u64 {
    if k % 10 == 9 {
        people + 1 + k
    } else {
        (k * 7_919 + 13) % people
    }
}

/// The request file: one row per person asked, with Minato-style addressee numbers.
fn request_file(people: u64) -> Vec<u8> {
    let mut out = String::from("個人番号,宛名番号\r\n");
    for k in 0..queries(people) {
        let _ = write!(
            out,
            "{},{}\r\n",
            my_number(asked(k, people)).expose_secret(),
            700_000 + k
        );
    }
    out.into_bytes()
}

fn batch(c: &mut Criterion) {
    let people = people();
    let file = request_file(people);
    let options = BatchInquiryOptions::new(LegalBasis::ConsentDifficult);
    let mut summary = Vec::new();
    for t in tenant_counts() {
        let (dir, codes) = store_copy(t, people);
        let requester = staff(&codes[0]);

        // Floor: bare point lookups of 100,000 index entries in the same file.
        let conn = Connection::open(dir.0.join("vrs.sqlite3")).expect("open");
        // The store's read settings (SqliteOptions' defaults): the same page cache and map.
        conn.pragma_update(None, "cache_size", -64 * 1024)
            .expect("cache");
        conn.pragma_update(None, "mmap_size", 2048_i64 << 20)
            .expect("mmap");
        let mut keys: Vec<Vec<u8>> = {
            let mut stmt = conn
                .prepare("SELECT key FROM records WHERE tenant = 0 AND kind = 20")
                .expect("prepare");
            let rows = stmt.query_map([], |r| r.get(0)).expect("query");
            rows.map(|r| r.expect("row")).collect()
        };
        let mut rng = Lcg(7);
        for i in (1..keys.len()).rev() {
            keys.swap(i, rng.below(i as u64 + 1) as usize);
        }
        keys.truncate(QUERIES as usize);
        keys.sort();
        let floor = |conn: &Connection| {
            let started = Instant::now();
            let mut stmt = conn
                .prepare_cached(
                    "SELECT value FROM records WHERE tenant = 0 AND kind = 20 AND key = ?1",
                )
                .expect("prepare");
            let mut bytes = 0usize;
            for k in &keys {
                let v: Vec<u8> = stmt.query_row(params![k], |r| r.get(0)).expect("lookup");
                bytes += v.len();
            }
            std::hint::black_box(bytes);
            started.elapsed()
        };

        let mut reg = registry(&dir.0);
        let singles_only = std::env::var_os("VRS_BENCH_SINGLES_ONLY").is_some();
        if std::env::var_os("VRS_BENCH_ONCE").is_some() && !singles_only {
            // One batch after a warm-up batch (the first use of each tenant verifies its
            // content), timed, without criterion (for profilers: the pause between them is
            // the moment to attach).
            let mut out = Vec::new();
            let started = Instant::now();
            reg.batch_inquire(&requester, &file, &options, &mut out)
                .expect("batch");
            eprintln!("{t} tenants: warm-up batch {:.2?}", started.elapsed());
            std::thread::sleep(Duration::from_secs(2));
            out.clear();
            let started = Instant::now();
            let o = reg
                .batch_inquire(&requester, &file, &options, &mut out)
                .expect("batch");
            eprintln!(
                "{t} tenants: one batch {:.2?} ({} rows answered)",
                started.elapsed(),
                o.answered
            );
            continue;
        }
        let mut batch_times = Vec::new();
        let mut floor_times = Vec::new();
        let mut last = None;
        if !singles_only {
            let mut group = c.benchmark_group(format!("inquiry-{t}-tenants"));
            group.sample_size(10);
            group.measurement_time(Duration::from_secs(20));
            group.bench_function("floor", |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let d = floor(&conn);
                        floor_times.push(d);
                        total += d;
                    }
                    total
                })
            });
            group.bench_function("batch", |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let mut out = Vec::with_capacity(32 << 20);
                        let started = Instant::now();
                        let o = reg
                            .batch_inquire(&requester, &file, &options, &mut out)
                            .expect("batch");
                        let d = started.elapsed();
                        batch_times.push(d);
                        total += d;
                        last = Some((o.answered, o.matched, o.result_rows));
                    }
                    total
                })
            });
            group.finish();
        }

        // Single inquiries: latency distribution.
        let singles: u64 = std::env::var("VRS_BENCH_SINGLES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000);
        let mut lat = vec![Duration::ZERO];
        for i in 0..singles {
            let p = asked(i * 37 + 5, people);
            let request = InquiryRequest {
                former: None,
                my_number: my_number(p),
                legal_basis: LegalBasis::ConsentDifficult,
                identity_verified: false,
                reference: format!("{}", 900_000 + i),
            };
            let started = Instant::now();
            let o = reg.inquire(&requester, &request).expect("inquire");
            if i == 0 {
                lat.clear();
            }
            lat.push(started.elapsed());
            std::hint::black_box(o);
        }
        lat.sort();
        let pct = |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)];
        let median = |v: &mut Vec<Duration>| {
            v.sort();
            v.get(v.len() / 2).copied().unwrap_or_default()
        };
        let (b, f) = (median(&mut batch_times), median(&mut floor_times));
        summary.push(format!(
            "{t:>5} tenants: batch {b:.2?} (answered/matched/result rows {last:?}); floor {f:.2?} \
             ({:.1}x the floor); single inquiry p50 {:.0?} p99 {:.2?} max {:.1?}",
            b.as_secs_f64() / f.as_secs_f64().max(1e-9),
            pct(0.5),
            pct(0.99),
            lat[lat.len() - 1]
        ));
        drop(reg);
        drop(conn);
    }
    eprintln!(
        "\n{people} people, {} My Numbers per batch:",
        queries(people)
    );
    for line in summary {
        eprintln!("{line}");
    }
}

criterion_group!(benches, batch);
criterion_main!(benches);
