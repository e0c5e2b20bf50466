//! Store-level steps: they act on the store's files directly, as an attacker with file access
//! (or a failing disk) would, to show what the registry notices. None goes through the registry.

use std::io::Write;
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use vrs_core::crypto::RecordKind;
use vrs_core::id::MunicipalityCode;
use vrs_core::registry::{log_chain_number, LogEntry, LogKind};
use vrs_core::store::{SqliteOptions, SqliteStore, Store};

use super::spec::{AuditTamper, RecordTamper};

fn sql(e: rusqlite::Error) -> String {
    format!("SQLite: {e}")
}

fn chain_name(chain: Option<&MunicipalityCode>) -> String {
    chain.map_or_else(|| "registry".to_owned(), |c| c.as_str().to_owned())
}

/// What `tamper-audit` did.
#[derive(Debug, Serialize)]
pub struct AuditTamperView {
    chain: String,
    seq: i64,
    action: &'static str,
    rehashed: u64,
}

/// Edits or deletes one entry of an audit chain (`seq`: default the last one).
///
/// # Errors
/// The chain has no such entry; SQLite failures.
pub fn tamper_audit(
    db: &Path,
    chain: Option<&MunicipalityCode>,
    log: Option<LogKind>,
    seq: Option<u64>,
    action: &AuditTamper,
) -> Result<AuditTamperView, String> {
    let (id, name) = match (log, chain) {
        (Some(kind), Some(tenant)) => (
            log_chain_number(kind, tenant),
            format!(
                "{}/{}",
                tenant.as_str(),
                match kind {
                    LogKind::Provision => "provision",
                    LogKind::Inquiry => "inquiry",
                }
            ),
        ),
        _ => (chain.map_or(0, MunicipalityCode::to_u32), chain_name(chain)),
    };
    let mut conn = Connection::open(db).map_err(sql)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(sql)?;
    let seq: i64 = match seq {
        Some(s) => i64::try_from(s).map_err(|_| format!("seq {s} is out of range"))?,
        None => conn
            .query_row(
                "SELECT MAX(seq) FROM audit WHERE chain = ?1",
                params![id],
                |r| r.get::<_, Option<i64>>(0),
            )
            .map_err(sql)?
            .ok_or_else(|| format!("the audit chain {name} is empty"))?,
    };
    let tx = conn.transaction().map_err(sql)?;
    let entry: Vec<u8> = tx
        .query_row(
            "SELECT entry FROM audit WHERE chain = ?1 AND seq = ?2",
            params![id, seq],
            |r| r.get(0),
        )
        .optional()
        .map_err(sql)?
        .ok_or_else(|| format!("the audit chain {name} has no entry {seq}"))?;
    let (action_name, rehashed) = match action {
        AuditTamper::Delete => {
            tx.execute(
                "DELETE FROM audit WHERE chain = ?1 AND seq = ?2",
                params![id, seq],
            )
            .map_err(sql)?;
            ("delete", 0)
        }
        AuditTamper::Edit { set, rehash } => {
            let (mut obj, form) = entry_fields(&entry, seq)?;
            for (k, v) in set {
                obj.insert(k.clone(), v.clone());
            }
            let bytes = entry_bytes(obj, form)?;
            tx.execute(
                "UPDATE audit SET entry = ?3 WHERE chain = ?1 AND seq = ?2",
                params![id, seq, bytes],
            )
            .map_err(sql)?;
            let rehashed = if *rehash {
                rehash_from(&tx, id, seq)?
            } else {
                0
            };
            ("edit", rehashed)
        }
    };
    tx.commit().map_err(sql)?;
    Ok(AuditTamperView {
        chain: name,
        seq,
        action: action_name,
        rehashed,
    })
}

/// How an entry is stored: audit entries as JSON, provision- and inquiry-log entries binary
/// (older log entries JSON too).
#[derive(Clone, Copy)]
enum EntryForm {
    Json,
    Log,
}

/// The fields of stored entry `seq`, and its form.
fn entry_fields(entry: &[u8], seq: i64) -> Result<(Map<String, Value>, EntryForm), String> {
    if let Ok(obj) = serde_json::from_slice::<Map<String, Value>>(entry) {
        return Ok((obj, EntryForm::Json));
    }
    let log = LogEntry::from_stored(entry).map_err(|e| format!("audit entry {seq}: {e}"))?;
    match serde_json::to_value(log).map_err(|e| e.to_string())? {
        Value::Object(obj) => Ok((obj, EntryForm::Log)),
        _ => Err(format!("audit entry {seq} is not a record")),
    }
}

/// `fields` stored in `form` again.
fn entry_bytes(fields: Map<String, Value>, form: EntryForm) -> Result<Vec<u8>, String> {
    match form {
        EntryForm::Json => serde_json::to_vec(&fields).map_err(|e| e.to_string()),
        EntryForm::Log => {
            let log: LogEntry = serde_json::from_value(Value::Object(fields))
                .map_err(|e| format!("the edited log entry is not one: {e}"))?;
            log.to_stored().map_err(|e| e.to_string())
        }
    }
}

/// Recomputes the hash chain from `seq` on, as a forger without the head key would: each
/// entry's `prev` and stored hash made consistent again. Returns the entries rewritten.
fn rehash_from(tx: &rusqlite::Transaction<'_>, chain: u32, seq: i64) -> Result<u64, String> {
    let mut prev: Vec<u8> = if seq > 1 {
        tx.query_row(
            "SELECT hash FROM audit WHERE chain = ?1 AND seq = ?2",
            params![chain, seq - 1],
            |r| r.get(0),
        )
        .map_err(sql)?
    } else {
        vec![0; 32]
    };
    let rows: Vec<(i64, Vec<u8>)> = {
        let mut stmt = tx
            .prepare("SELECT seq, entry FROM audit WHERE chain = ?1 AND seq >= ?2 ORDER BY seq")
            .map_err(sql)?;
        let it = stmt
            .query_map(params![chain, seq], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(sql)?;
        it.collect::<Result<_, _>>().map_err(sql)?
    };
    let mut n = 0;
    for (s, entry) in rows {
        let (mut obj, form) = entry_fields(&entry, s)?;
        obj.insert("prev".into(), Value::String(hex::encode(&prev)));
        let bytes = entry_bytes(obj, form)?;
        let mut h = Sha256::new();
        h.update(&prev);
        h.update(&bytes);
        let hash = h.finalize().to_vec();
        tx.execute(
            "UPDATE audit SET entry = ?3, hash = ?4 WHERE chain = ?1 AND seq = ?2",
            params![chain, s, bytes, hash],
        )
        .map_err(sql)?;
        prev = hash;
        n += 1;
    }
    Ok(n)
}

/// What `tamper-record` did.
#[derive(Debug, Serialize)]
pub struct RecordTamperView {
    action: &'static str,
    records: usize,
}

/// The saved copy `name` of the database in `db`'s directory.
pub fn copy_path(db: &Path, name: &str) -> std::path::PathBuf {
    let dir = db.parent().unwrap_or(Path::new("."));
    dir.join("copies").join(format!("{name}.sqlite3"))
}

/// What `save-copy`, `restore-copy` and `erase-chain` did.
#[derive(Debug, Serialize)]
pub struct FileOpView {
    action: &'static str,
    name: String,
}

/// Saves a consistent copy of the database (`VACUUM INTO`), as a backup or an attacker's
/// snapshot would be.
///
/// # Errors
/// SQLite and I/O failures.
pub fn save_copy(db: &Path, name: &str) -> Result<FileOpView, String> {
    let path = copy_path(db, name);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let _ = std::fs::remove_file(&path);
    let conn = Connection::open(db).map_err(sql)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(sql)?;
    let target = path.to_str().ok_or("the copy's path is not UTF-8")?;
    conn.execute("VACUUM INTO ?1", params![target])
        .map_err(sql)?;
    Ok(FileOpView {
        action: "save-copy",
        name: name.to_owned(),
    })
}

/// Puts the saved copy `name` in place of the database (the registry must be closed): the
/// whole store rolled back.
///
/// # Errors
/// No such copy; I/O failures.
pub fn restore_copy(db: &Path, name: &str) -> Result<FileOpView, String> {
    let path = copy_path(db, name);
    if !path.is_file() {
        return Err(format!("no saved copy {name:?}"));
    }
    for suffix in ["-wal", "-shm"] {
        let mut journal = db.as_os_str().to_owned();
        journal.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(journal));
    }
    std::fs::copy(&path, db).map_err(|e| format!("{}: {e}", db.display()))?;
    Ok(FileOpView {
        action: "restore-copy",
        name: name.to_owned(),
    })
}

/// Deletes every entry of a chain and its head record: its whole history, as an attacker with
/// the file would.
///
/// # Errors
/// SQLite failures.
pub fn erase_chain(db: &Path, chain: Option<&MunicipalityCode>) -> Result<FileOpView, String> {
    let id = chain.map_or(0, MunicipalityCode::to_u32);
    let mut conn = Connection::open(db).map_err(sql)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(sql)?;
    let tx = conn.transaction().map_err(sql)?;
    tx.execute("DELETE FROM audit WHERE chain = ?1", params![id])
        .map_err(sql)?;
    tx.execute(
        "DELETE FROM records WHERE tenant = ?1 AND kind = ?2",
        params![id, RecordKind::AuditHead.code()],
    )
    .map_err(sql)?;
    tx.commit().map_err(sql)?;
    Ok(FileOpView {
        action: "erase-chain",
        name: chain_name(chain),
    })
}

/// Copies, corrupts, deletes or rolls back records through a second connection to the store.
///
/// # Errors
/// Store failures.
pub fn tamper_record(
    db: &Path,
    kind: RecordKind,
    action: &RecordTamper,
) -> Result<RecordTamperView, String> {
    let mut store = SqliteStore::open(db, SqliteOptions::default()).map_err(|e| e.to_string())?;
    let source = match action {
        RecordTamper::Transplant { from, .. } => from,
        RecordTamper::Corrupt { tenant }
        | RecordTamper::Delete { tenant, .. }
        | RecordTamper::Rollback { tenant, .. } => tenant,
    };
    let mut rows: Vec<([u8; 16], Vec<u8>)> = Vec::new();
    store
        .scan(source.to_u32(), kind.code(), &mut |k, v| {
            rows.push((*k, v.to_vec()));
            true
        })
        .map_err(|e| e.to_string())?;
    let (dest, name) = match action {
        RecordTamper::Transplant { to, .. } => (to, "transplant"),
        RecordTamper::Corrupt { tenant } => (tenant, "corrupt"),
        RecordTamper::Delete { tenant, count } => {
            let n = count.unwrap_or(rows.len()).min(rows.len());
            store.begin().map_err(|e| e.to_string())?;
            for (key, _) in &rows[..n] {
                store
                    .delete(tenant.to_u32(), kind.code(), key)
                    .map_err(|e| e.to_string())?;
            }
            store.commit().map_err(|e| e.to_string())?;
            return Ok(RecordTamperView {
                action: "delete",
                records: n,
            });
        }
        RecordTamper::Rollback { tenant, copy } => {
            let path = copy_path(db, copy);
            if !path.is_file() {
                return Err(format!("no saved copy {copy:?}"));
            }
            let mut old =
                SqliteStore::open(&path, SqliteOptions::default()).map_err(|e| e.to_string())?;
            let mut put_back = Vec::new();
            for (key, value) in &rows {
                let before = old
                    .get(tenant.to_u32(), kind.code(), key)
                    .map_err(|e| e.to_string())?;
                if let Some(b) = before.filter(|b| b != value) {
                    put_back.push((*key, b));
                }
            }
            drop(old);
            store.begin().map_err(|e| e.to_string())?;
            for (key, value) in &put_back {
                store
                    .put(tenant.to_u32(), kind.code(), key, value)
                    .map_err(|e| e.to_string())?;
            }
            store.commit().map_err(|e| e.to_string())?;
            return Ok(RecordTamperView {
                action: "rollback",
                records: put_back.len(),
            });
        }
    };
    let count = rows.len();
    store.begin().map_err(|e| e.to_string())?;
    for (key, mut value) in rows {
        if matches!(action, RecordTamper::Corrupt { .. }) {
            if let Some(last) = value.last_mut() {
                *last ^= 1;
            }
        }
        store
            .put(dest.to_u32(), kind.code(), &key, &value)
            .map_err(|e| e.to_string())?;
    }
    store.commit().map_err(|e| e.to_string())?;
    Ok(RecordTamperView {
        action: name,
        records: count,
    })
}

/// Writes a fresh random 32-byte key (64 hex digits, mode 0600) to `path`, replacing any.
///
/// # Errors
/// I/O failures, no randomness.
pub fn write_random_key(path: &Path) -> Result<(), String> {
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).map_err(|e| format!("no randomness: {e}"))?;
    let text = format!("{}\n", hex::encode(raw));
    raw.fill(0);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// What `scan-store` found.
#[derive(Debug, Serialize)]
pub struct ScanView {
    files: usize,
    bytes: u64,
    found: Vec<usize>,
    my_numbers_searched: usize,
    my_numbers_found: usize,
}

/// Searches the raw store files (the database and its journal, not the keys) for each string
/// of `find` and each known My Number. Returns the indices of `find` found and how many My
/// Numbers were found (never which).
///
/// # Errors
/// I/O failures.
pub fn scan_store(dir: &Path, find: &[String], my_numbers: &[String]) -> Result<ScanView, String> {
    let mut contents = Vec::new();
    let io = |e: std::io::Error| format!("{}: {e}", dir.display());
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(io)?;
    names.sort_by_key(std::fs::DirEntry::file_name);
    let mut bytes = 0u64;
    for entry in names {
        if entry.file_type().map_err(io)?.is_file() {
            let data =
                super::files::read_regular(&entry.path(), super::files::MAX_STORE_FILE_BYTES)?;
            bytes += data.len() as u64;
            contents.push(data);
        }
    }
    let present = |needle: &[u8]| {
        !needle.is_empty()
            && contents
                .iter()
                .any(|c| c.windows(needle.len()).any(|w| w == needle))
    };
    let found: Vec<usize> = find
        .iter()
        .enumerate()
        .filter(|(_, s)| present(s.as_bytes()))
        .map(|(i, _)| i)
        .collect();
    let my = my_numbers.iter().filter(|n| present(n.as_bytes())).count();
    Ok(ScanView {
        files: contents.len(),
        bytes,
        found,
        my_numbers_searched: my_numbers.len(),
        my_numbers_found: my,
    })
}
