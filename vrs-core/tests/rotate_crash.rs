//! Crash safety of key rotation: a child process rotating a tenant's key (small batches, each
//! its own transaction) is killed with SIGKILL at random points; each time every record of the
//! store must open under exactly the key its header names (and not under the other), the store
//! must verify, and running the rotation again must complete it.
//!
//! Short by default (a 3,000-row tenant, 4 kills: a few seconds); `VRS_ROTATE_CRASH_LONG=1`
//! runs 30,000 rows and 25 kills. The child is this test binary, re-run with
//! `VRS_ROTATE_CHILD` set.

#![cfg(all(unix, feature = "sqlite"))]

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use vrs_core::codec::WriteOptions;
use vrs_core::crypto::{KeyProvider, RecordKey, RecordKind, SealContext, TenantKeys};
use vrs_core::date::{Date, DateTime};
use vrs_core::id::MunicipalityCode;
use vrs_core::layout::{self, LayoutParams};
use vrs_core::registry::{FixedClock, ImportMode, Principal, Registry, RegistryConfig};
use vrs_core::store::{FileKeyProvider, SqliteOptions, SqliteStore, Store};
use vrs_core::synth::{self, SynthOptions};

use common::TempDir;

const TENANT: &str = "131016";
const BATCH: usize = 500;

fn long() -> bool {
    std::env::var_os("VRS_ROTATE_CRASH_LONG").is_some()
}

fn tenant() -> MunicipalityCode {
    MunicipalityCode::parse(TENANT).unwrap()
}

fn open(dir: &Path) -> Registry {
    let store = SqliteStore::open_dir(&dir.join("store"), SqliteOptions::default()).unwrap();
    let now = DateTime::new(Date::new(2024, 4, 1).unwrap(), 9, 0, 0).unwrap();
    let config = RegistryConfig {
        rotation_batch_records: BATCH,
        ..RegistryConfig::default()
    };
    Registry::open(
        Box::new(store),
        Box::new(FileKeyProvider::open(&dir.join("keys")).unwrap()),
        Box::new(FixedClock::ticking(now, 1)),
        config,
    )
    .unwrap()
}

/// The child: rotate, reporting each committed batch on stdout.
#[test]
fn rotate_crash_child() {
    let Ok(dir) = std::env::var("VRS_ROTATE_CHILD") else {
        return; // Not the child: nothing to do in a normal run.
    };
    let mut reg = open(Path::new(&dir));
    let mut out = std::io::stdout();
    let done = reg
        .rotate_tenant_key_with(&Principal::Operator, &tenant(), &mut |p| {
            writeln!(out, "vrs-batch {}", p.batches).unwrap();
            out.flush().unwrap();
        })
        .unwrap();
    writeln!(out, "vrs-finished {}", done.to_version).unwrap();
}

/// Runs the child on `dir`; kills it after `delay` (never, for `None`). Returns whether it
/// finished.
fn run_child(dir: &Path, delay: Option<Duration>) -> bool {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "rotate_crash_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("VRS_ROTATE_CHILD", dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let finished = Arc::new(Mutex::new(false));
    let seen = Arc::clone(&finished);
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line.contains("vrs-finished") {
                *seen.lock().unwrap() = true;
            }
        }
    });
    if let Some(d) = delay {
        std::thread::sleep(d);
        let _ = child.kill(); // SIGKILL
    }
    child.wait().unwrap();
    reader.join().unwrap();
    let done = *finished.lock().unwrap();
    done
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
}

/// Every sealed record of the tenant opens under exactly the key version its header names:
/// with that version's key, and not with another version's under the same label. Returns the
/// number of records per version.
fn every_record_opens_under_exactly_one_key(dir: &Path) -> BTreeMap<u32, u64> {
    let keys = FileKeyProvider::open(&dir.join("keys")).unwrap();
    let t = tenant();
    // Every version the key directory holds (a rerun after a finished rotation makes another).
    let mut versions = vec![keys.tenant_key(&t).unwrap()];
    while let Ok(k) = keys.tenant_key_version(&t, versions.len() as u32 + 1) {
        versions.push(k);
    }
    let mut right = TenantKeys::derive(t, &versions[0]);
    for (i, k) in versions.iter().enumerate().skip(1) {
        right.add_version(i as u32 + 1, k);
    }
    // For each version, keys holding another version's key under its label.
    let wrong = |v: u32| {
        let other = if v == 1 { &versions[1] } else { &versions[0] };
        let mut w = TenantKeys::derive(t, if v == 1 { other } else { &versions[0] });
        if v != 1 {
            w.add_version(v, other);
        }
        w
    };
    let mut store = SqliteStore::open_dir(&dir.join("store"), SqliteOptions::default()).unwrap();
    let mut counts = BTreeMap::new();
    store
        .scan_tenant(t.to_u32(), &mut |code, key, value| {
            let Some(kind) = RecordKind::from_code(code).filter(|k| k.is_sealed()) else {
                return true;
            };
            let ctx = SealContext::new(&t, kind, &RecordKey(*key));
            let v = TenantKeys::sealed_version(value).unwrap();
            *counts.entry(v).or_insert(0u64) += 1;
            assert!(right.open(&ctx, value).is_ok(), "{kind:?} does not open");
            if versions.len() > 1 {
                assert!(
                    wrong(v).open(&ctx, value).is_err(),
                    "{kind:?} opens under two keys"
                );
            }
            true
        })
        .unwrap();
    counts
}

fn verify(dir: &Path) {
    let mut reg = open(dir);
    let v = reg.verify_store(&Principal::Operator).unwrap();
    assert!(v.ok, "{v:?}");
    assert!(reg.quarantine().is_none());
    let s = reg
        .subject_doses(
            &Principal::MunicipalStaff {
                tenant: tenant(),
                user_id: "u1".into(),
            },
            &tenant(),
            &first_addressee(dir),
        )
        .unwrap();
    assert!(!s.vouchers.is_empty());
}

fn first_addressee(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("..").join("subjects.csv")).unwrap();
    let row = text.lines().nth(1).unwrap();
    row.split(',').nth(1).unwrap().to_owned()
}

/// Tiny deterministic generator for the kill points.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn sigkill_during_rotation_leaves_every_record_under_exactly_one_key() {
    if std::env::var_os("VRS_ROTATE_CHILD").is_some() {
        return;
    }
    let (rows, kills) = if long() { (30_000, 25) } else { (3_000, 4) };
    let temp = TempDir::fresh("rotate-crash");
    let pristine = temp.0.join("pristine");
    std::fs::create_dir_all(&pristine).unwrap();
    FileKeyProvider::create(&pristine.join("keys")).unwrap();
    let layout = layout::find("subject-registration", &LayoutParams::default()).unwrap();
    let options = SynthOptions {
        rows,
        seed: 3,
        tenant: Some(tenant()),
        as_of: Date::new(2024, 4, 1).unwrap(),
    };
    let mut file = Vec::new();
    synth::generate(&layout, &options, WriteOptions::default(), &mut file).unwrap();
    std::fs::write(temp.0.join("subjects.csv"), &file).unwrap();
    {
        let mut reg = open(&pristine);
        reg.create_tenant(&Principal::Operator, &tenant()).unwrap();
        reg.register_staff(&Principal::Operator, &tenant(), "u1")
            .unwrap();
        let staff = Principal::MunicipalStaff {
            tenant: tenant(),
            user_id: "u1".into(),
        };
        let out = reg
            .import_subjects(&staff, &tenant(), &file, ImportMode::Lenient)
            .unwrap();
        assert!(out.imported > 0);
    }

    // Calibrate: one uninterrupted rotation on a copy.
    let full = temp.0.join("full");
    copy_dir(&pristine, &full);
    let started = Instant::now();
    assert!(
        run_child(&full, None),
        "the uninterrupted rotation must finish"
    );
    let duration = started.elapsed();
    let counts = every_record_opens_under_exactly_one_key(&full);
    assert_eq!(counts.keys().copied().collect::<Vec<_>>(), vec![2]);
    assert!(counts[&2] > rows);
    verify(&full);

    let mut seed = 0x0dd_ba11_u64;
    let mut mid_rotation = 0;
    for i in 0..kills {
        let dir: PathBuf = temp.0.join(format!("kill-{i}"));
        copy_dir(&pristine, &dir);
        let millis = duration.as_millis() as u64 + 50;
        let delay = Duration::from_millis(next(&mut seed) % millis);
        let finished = run_child(&dir, Some(delay));
        let counts = every_record_opens_under_exactly_one_key(&dir);
        if !finished && counts.len() == 2 {
            mid_rotation += 1;
        }
        verify(&dir);
        // Running it again completes the rotation (or, if the kill came after it finished,
        // rotates once more): every record under the newest version.
        assert!(run_child(&dir, None), "run {i}: the rerun must finish");
        let counts = every_record_opens_under_exactly_one_key(&dir);
        assert_eq!(counts.len(), 1, "run {i}: {counts:?}");
        assert!(counts.keys().all(|v| *v >= 2) && counts.values().all(|n| *n > rows));
        verify(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
    }
    eprintln!(
        "{kills} kills, {mid_rotation} in the middle of the re-sealing ({duration:?} per rotation)"
    );
}
