//! Registry speed, each against a floor measured in the same run.
//!
//! - `import/vrs_import_subjects`: validate, seal, index and commit a generated subject
//!   registration file (1,000,000 rows by default) into a fresh SQLite store.
//! - `import/sqlite_blob_floor`: insert the same number of opaque blobs, each the size of the
//!   sealed records the import stores per row, into SQLite directly (same pragmas, same table
//!   shape with random 16-byte keys, same rows per transaction). Target: the import reaches at
//!   least 0.4x the floor's rows per second.
//! - `ocr/record_dose_ocr`: registering a dose by OCR line with the whole file stored; the
//!   p50/p99/max of 10,000 single registrations are printed (target: p99 under 1 ms).
//! - printed: the first read of the tenant by a newly opened registry, which verifies the
//!   tenant's content digest over every record (once per process).
//!
//! ```text
//! cargo bench -p vrs-core --bench registry                   # 1,000,000 rows
//! VRS_BENCH_ROWS=100000 cargo bench -p vrs-core --bench registry
//! VRS_BENCH_SYNC=full cargo bench -p vrs-core --bench registry    # synchronous=FULL
//! VRS_BENCH_SKIP_IMPORT=1 cargo bench -p vrs-core --bench registry  # only the OCR latency
//! ```

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rusqlite::{params, Connection};

use vrs_core::codec::WriteOptions;
use vrs_core::crypto::MasterKeyProvider;
use vrs_core::date::{Date, DateTime};
use vrs_core::id::{MunicipalityCode, OcrLine};
use vrs_core::layout::{self, LayoutParams};
use vrs_core::registry::{DoseInput, FixedClock, ImportMode, Principal, Registry, RegistryConfig};
use vrs_core::store::{SqliteOptions, SqliteStore, Synchronous};

#[path = "support/scratch.rs"]
mod scratch;
use scratch::ScratchDir;
use vrs_core::synth::{self, SynthOptions};

const BATCH: usize = 10_000;

fn rows() -> u64 {
    std::env::var("VRS_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn sync() -> Synchronous {
    match std::env::var("VRS_BENCH_SYNC").as_deref() {
        Ok("full") => Synchronous::Full,
        _ => Synchronous::default(),
    }
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

fn registry(dir: &Path) -> Registry {
    let options = SqliteOptions {
        synchronous: sync(),
        ..SqliteOptions::default()
    };
    let store = SqliteStore::open_dir(dir, options).expect("store");
    let now = DateTime::new(Date::new(2024, 3, 31).expect("date"), 9, 0, 0).expect("time");
    let config = RegistryConfig {
        import_batch_rows: BATCH,
        ..RegistryConfig::default()
    };
    Registry::open(
        Box::new(store),
        Box::new(MasterKeyProvider::new([7; 32])),
        Box::new(FixedClock::ticking(now, 1)),
        config,
    )
    .expect("registry")
}

/// A fresh registry in `dir` with the tenant and a staff user; returns it and the import time.
fn import(dir: &Path, file: &[u8]) -> (Registry, Duration) {
    let mut reg = registry(dir);
    reg.create_tenant(&Principal::Operator, &tenant())
        .expect("tenant");
    reg.register_staff(&Principal::Operator, &tenant(), "bench")
        .expect("staff");
    let started = Instant::now();
    let outcome = reg
        .import_subjects(&staff(), &tenant(), file, ImportMode::Lenient)
        .expect("import");
    let elapsed = started.elapsed();
    assert_eq!(outcome.rejected, 0, "{:?}", outcome.rejected_rows.first());
    (reg, elapsed)
}

/// Average bytes of sealed records per row in a store the import filled.
fn sealed_bytes_per_row(dir: &Path, rows: u64) -> usize {
    let conn = Connection::open(dir.join("vrs.sqlite3")).expect("open");
    let total: i64 = conn
        .query_row(
            "SELECT sum(length(value)) FROM records WHERE kind IN (1, 2, 3)",
            [],
            |r| r.get(0),
        )
        .expect("sum");
    (total as u64 / rows.max(1)) as usize
}

/// The floor: `rows` random-keyed blobs of `size` bytes, `BATCH` per transaction.
fn blob_floor(dir: &Path, rows: u64, size: usize) -> Duration {
    let conn = Connection::open(dir.join("floor.sqlite3")).expect("open");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    conn.pragma_update(None, "secure_delete", "ON")
        .expect("secure");
    let sync = match sync() {
        Synchronous::Full => "FULL",
        Synchronous::Normal => "NORMAL",
    };
    conn.pragma_update(None, "synchronous", sync).expect("sync");
    conn.pragma_update(None, "cache_size", -(64 * 1024))
        .expect("cache");
    conn.execute_batch(
        "CREATE TABLE blobs (tenant INTEGER NOT NULL, kind INTEGER NOT NULL, key BLOB NOT NULL,
         value BLOB NOT NULL, PRIMARY KEY (tenant, kind, key)) WITHOUT ROWID",
    )
    .expect("table");
    let mut blob = vec![0u8; size];
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let started = Instant::now();
    let mut done = 0u64;
    while done < rows {
        conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
        let mut stmt = conn
            .prepare_cached("INSERT INTO blobs (tenant, kind, key, value) VALUES (?1, 1, ?2, ?3)")
            .expect("prepare");
        for _ in 0..BATCH.min((rows - done) as usize) {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let mut key = [0u8; 16];
            key[..8].copy_from_slice(&state.to_le_bytes());
            key[8..].copy_from_slice(&state.rotate_left(29).to_le_bytes());
            blob[..8].copy_from_slice(&state.to_le_bytes());
            stmt.execute(params![131016, &key[..], &blob[..]])
                .expect("insert");
            done += 1;
        }
        drop(stmt);
        conn.execute_batch("COMMIT").expect("commit");
    }
    started.elapsed()
}

fn subject_file(rows: u64) -> Vec<u8> {
    let layout = layout::find("subject-registration", &LayoutParams::default()).expect("layout");
    let options = SynthOptions {
        rows,
        seed: 11,
        tenant: Some(tenant()),
        as_of: Date::new(2024, 3, 31).expect("date"),
    };
    let mut file = Vec::new();
    synth::generate(&layout, &options, WriteOptions::default(), &mut file).expect("generate");
    file
}

/// The first voucher of every adult in the file (dose 1 on it is always valid).
fn adult_vouchers(file: &[u8], want: usize) -> Vec<String> {
    let text = std::str::from_utf8(file).expect("utf-8");
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() >= 7 && f[6] < "20000101" && seen.insert(f[1].to_owned()) {
            out.push(f[3].to_owned());
            if out.len() == want {
                break;
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let rows = rows();
    let file = subject_file(rows);
    eprintln!(
        "subject registration: {rows} rows, {} MiB, synchronous={:?}",
        file.len() >> 20,
        sync()
    );

    // One import up front: the blob size for the floor, and the store for the OCR benchmark.
    let kept = ScratchDir::new("kept");
    let (mut reg, first) = import(&kept.0, &file);
    let size = sealed_bytes_per_row(&kept.0, rows);
    eprintln!(
        "first import: {:.2} s; sealed bytes per row: {size}",
        first.as_secs_f64()
    );

    first_read(&kept.0, rows, &file);
    if std::env::var("VRS_BENCH_SKIP_IMPORT").is_err() {
        import_group(c, rows, size, &file);
    }
    ocr_latency(c, &mut reg, rows, &file);
}

fn import_group(c: &mut Criterion, rows: u64, size: usize, file: &[u8]) {
    let mut group = c.benchmark_group("import");
    group.throughput(Throughput::Elements(rows));
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(1));
    group.bench_function("sqlite_blob_floor", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    let dir = ScratchDir::new("floor");
                    blob_floor(&dir.0, rows, size)
                })
                .sum()
        })
    });
    group.bench_function("vrs_import_subjects", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    let dir = ScratchDir::new("import");
                    import(&dir.0, file).1
                })
                .sum()
        })
    });
    group.finish();
}

/// A newly opened registry's first read of the tenant: it verifies the tenant's content digest
/// over every record first.
fn first_read(dir: &Path, rows: u64, file: &[u8]) {
    let text = std::str::from_utf8(file).expect("utf-8");
    let addressee = text
        .lines()
        .nth(1)
        .and_then(|l| l.split(',').nth(1))
        .expect("a row")
        .to_owned();
    let mut reg = registry(dir);
    let started = Instant::now();
    reg.subject_doses(&staff(), &tenant(), &addressee)
        .expect("read");
    let first = started.elapsed();
    let started = Instant::now();
    reg.subject_doses(&staff(), &tenant(), &addressee)
        .expect("read");
    eprintln!(
        "first read by a new registry with {rows} rows stored (verifies the tenant's digest): \
         {first:?}; the next read: {:?}",
        started.elapsed()
    );
}

/// Dose registration by OCR line with every row stored.
fn ocr_latency(c: &mut Criterion, reg: &mut Registry, rows: u64, file: &[u8]) {
    let vouchers = adult_vouchers(file, 20_000);
    let venue = Principal::VenueTablet { tenant: tenant() };
    let dose = DoseInput::new(
        Date::new(2021, 6, 1).expect("date"),
        "ファイザー",
        "FA5765",
        "区民会館",
        "山田一郎",
    );
    let ocr = |v: &str| OcrLine::parse(&format!("11131016{v}")).expect("ocr");
    let (timed, rest) = vouchers.split_at(vouchers.len().min(10_000));
    let mut latencies: Vec<Duration> = timed
        .iter()
        .map(|v| {
            let line = ocr(v);
            let started = Instant::now();
            let confirmation = reg.record_dose_ocr(&venue, &line, &dose);
            let elapsed = started.elapsed();
            assert!(confirmation.is_ok(), "{confirmation:?}");
            elapsed
        })
        .collect();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p) as usize];
    eprintln!(
        "record_dose_ocr with {rows} rows stored ({} registrations): p50 {:?}, p99 {:?}, max {:?}",
        latencies.len(),
        pct(0.50),
        pct(0.99),
        pct(1.0)
    );
    let mut next = rest.iter().cycle();
    let mut group = c.benchmark_group("ocr");
    group.sample_size(10);
    group.bench_function("record_dose_ocr", |b| {
        b.iter(|| {
            let line = ocr(next.next().expect("voucher"));
            black_box(reg.record_dose_ocr(&venue, &line, &dose).ok())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
