//! Crash safety: a child process importing a 100,000-row subject file is killed with SIGKILL at
//! random points, 50 times; each time the store must reopen, verify (SQLite integrity and every
//! audit chain), and hold exactly the batches whose commit the child reported (or one more, when
//! the kill landed between a commit and its report).
//!
//! The child is this test binary itself, re-run with `VRS_CRASH_CHILD` set.

#![cfg(all(unix, feature = "sqlite"))]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use vrs_core::codec::WriteOptions;
use vrs_core::crypto::{MasterKeyProvider, RecordKind};
use vrs_core::date::{Date, DateTime};
use vrs_core::id::MunicipalityCode;
use vrs_core::layout::{self, LayoutParams};
use vrs_core::registry::{FixedClock, ImportMode, Principal, Registry, RegistryConfig};
use vrs_core::store::{SqliteOptions, SqliteStore, Store};
use vrs_core::synth::{self, SynthOptions};

use common::TempDir;

const ROWS: u64 = 100_000;
const BATCH: usize = 5_000;
const KILLS: u32 = 50;
const TENANT: &str = "131016";

fn tenant() -> MunicipalityCode {
    MunicipalityCode::parse(TENANT).unwrap()
}

fn open(dir: &Path) -> Registry {
    let store = SqliteStore::open_dir(dir, SqliteOptions::default()).unwrap();
    let now = DateTime::new(Date::new(2024, 4, 1).unwrap(), 9, 0, 0).unwrap();
    let config = RegistryConfig {
        import_batch_rows: BATCH,
        ..RegistryConfig::default()
    };
    Registry::open(
        Box::new(store),
        Box::new(MasterKeyProvider::new([5; 32])),
        Box::new(FixedClock::ticking(now, 1)),
        config,
    )
    .unwrap()
}

fn staff() -> Principal {
    Principal::MunicipalStaff {
        tenant: tenant(),
        user_id: "importer".into(),
    }
}

/// The child: set up the tenant if needed, import the file, report each commit on stdout.
#[test]
fn crash_child_import() {
    let (Ok(dir), Ok(file)) = (
        std::env::var("VRS_CRASH_CHILD"),
        std::env::var("VRS_CRASH_FILE"),
    ) else {
        return; // Not the child: nothing to do in a normal run.
    };
    let dir = PathBuf::from(dir);
    let bytes = std::fs::read(file).unwrap();
    let mut reg = open(&dir);
    let _ = reg.create_tenant(&Principal::Operator, &tenant());
    reg.register_staff(&Principal::Operator, &tenant(), "importer")
        .unwrap();
    let mut out = std::io::stdout();
    reg.import_subjects_with(&staff(), &tenant(), &bytes, ImportMode::Lenient, &mut |o| {
        let done = o.imported + o.unchanged + o.rejected;
        writeln!(out, "vrs-committed {done}").unwrap();
        out.flush().unwrap();
    })
    .unwrap();
    writeln!(out, "vrs-finished").unwrap();
}

/// Runs the child on a fresh store; kills it after `delay` (never, for `None`). Returns the
/// highest commit it reported and whether it finished.
fn run_child(file: &Path, store: &Path, delay: Option<Duration>) -> (u64, bool) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "crash_child_import",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("VRS_CRASH_CHILD", store)
        .env("VRS_CRASH_FILE", file)
        .stdout(Stdio::piped())
        .stderr(if delay.is_some() {
            Stdio::null()
        } else {
            Stdio::piped()
        })
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let progress = Arc::new(Mutex::new((0u64, false)));
    let seen = Arc::clone(&progress);
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let mut p = seen.lock().unwrap();
            if std::env::var("VRS_CRASH_DEBUG").is_ok() {
                eprintln!("child: {line}");
            }
            // libtest may print "test crash_child_import ... " in front of the first line.
            if let Some((_, n)) = line.split_once("vrs-committed ") {
                p.0 = p.0.max(n.trim().parse().unwrap_or(0));
            } else if line.contains("vrs-finished") {
                p.1 = true;
            }
        }
    });
    if let Some(d) = delay {
        std::thread::sleep(d);
        let _ = child.kill(); // SIGKILL
    }
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
    }
    child.wait().unwrap();
    reader.join().unwrap();
    if delay.is_none() && !progress.lock().unwrap().1 {
        eprintln!("child did not finish: {stderr}");
    }
    let p = *progress.lock().unwrap();
    p
}

/// Tiny deterministic generator for the kill points.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn sigkill_during_import_leaves_whole_batches() {
    if std::env::var("VRS_CRASH_CHILD").is_ok() {
        return;
    }
    let temp = TempDir::fresh("crash");
    let base = temp.0.clone();
    std::fs::create_dir_all(&base).unwrap();
    let file = base.join("subjects.csv");
    let layout = layout::find("subject-registration", &LayoutParams::default()).unwrap();
    let options = SynthOptions {
        rows: ROWS,
        seed: 7,
        tenant: Some(tenant()),
        as_of: Date::new(2024, 4, 1).unwrap(),
    };
    let mut bytes = Vec::new();
    synth::generate(&layout, &options, WriteOptions::default(), &mut bytes).unwrap();
    std::fs::write(&file, &bytes).unwrap();

    // Calibrate: one uninterrupted run gives the import's duration.
    let full = base.join("full");
    let started = Instant::now();
    let (done, finished) = run_child(&file, &full, None);
    let duration = started.elapsed();
    assert!(finished, "the uninterrupted import must finish");
    assert_eq!(done, ROWS);
    check_store(&full, ROWS);

    let mut seed = 0x5eed_1234_u64;
    let mut mid_import_kills = 0;
    for i in 0..KILLS {
        let dir = base.join(format!("kill-{i}"));
        let millis = duration.as_millis() as u64 + 200;
        let delay = Duration::from_millis(next(&mut seed) % millis);
        let (reported, finished) = run_child(&file, &dir, Some(delay));
        if !dir.join("vrs.sqlite3").exists() {
            continue; // Killed before the store was created: nothing to check.
        }
        let held = count_vouchers(&dir);
        if finished {
            assert_eq!(held, ROWS, "run {i}");
        } else {
            mid_import_kills += 1;
            let whole = held.is_multiple_of(BATCH as u64) || held == ROWS;
            assert!(
                whole,
                "run {i}: {held} rows is not a whole number of batches"
            );
            assert!(
                held == reported
                    || held == reported + BATCH as u64
                    || (held == ROWS && reported + BATCH as u64 >= ROWS),
                "run {i}: reported {reported} committed rows, store holds {held}"
            );
        }
        check_store(&dir, held);
        // Resuming the import completes it without duplicates.
        if i % 10 == 0 {
            let (_, finished) = run_child(&file, &dir, None);
            assert!(finished);
            check_store(&dir, ROWS);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
    assert!(
        mid_import_kills >= KILLS / 2,
        "only {mid_import_kills} kills landed mid-import"
    );
}

fn count_vouchers(dir: &Path) -> u64 {
    let mut store = SqliteStore::open_dir(dir, SqliteOptions::default()).unwrap();
    store
        .count(tenant().to_u32(), RecordKind::Voucher.code())
        .unwrap()
}

/// The store opens, SQLite finds no damage, every audit chain verifies, and it holds `rows`.
fn check_store(dir: &Path, rows: u64) {
    let mut reg = open(dir);
    let v = reg.verify_store(&Principal::Operator).unwrap();
    assert!(v.ok, "{v:?}");
    drop(reg);
    assert_eq!(count_vouchers(dir), rows);
}
