//! The embedded default store: one SQLite database file (bundled SQLite, WAL journal).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection};

use super::checkpointer::Checkpointer;
use super::error::StoreError;
use super::side_reader::{self, value_bytes, SideReader};
use super::walk;
use super::{AuditRow, Key, RecordId, Store};

/// The schema version this library writes (`PRAGMA user_version`).
const SCHEMA_VERSION: u32 = 1;

/// File name of the database inside a store directory.
pub const DB_FILE: &str = "vrs.sqlite3";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
    tenant INTEGER NOT NULL,
    kind   INTEGER NOT NULL,
    key    BLOB    NOT NULL,
    value  BLOB    NOT NULL,
    PRIMARY KEY (tenant, kind, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit (
    chain INTEGER NOT NULL,
    seq   INTEGER NOT NULL,
    entry BLOB    NOT NULL,
    hash  BLOB    NOT NULL,
    PRIMARY KEY (chain, seq)
) WITHOUT ROWID;
";

/// How hard SQLite works to make a commit survive a power cut (`PRAGMA synchronous`).
///
/// The default is `Normal`, SQLite's recommendation for WAL databases: a committed operation
/// survives a crash or kill of the process (the crash-safety test kills importers with SIGKILL),
/// and the database is never corrupted, but an operating-system crash or power cut may roll back
/// the last commits. Hosts that must keep every acknowledged dose through a power cut choose
/// `Full` and pay an fsync per operation: registering one dose with 1,000,000 rows stored took
/// p99 0.73 ms with `Normal` and 2.7 ms with `Full` on the development machine (the `registry`
/// benchmark).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// Every commit is fsynced: survives power loss.
    Full,
    /// WAL is fsynced at checkpoints only: survives a process crash, may lose the last commits
    /// on power loss (default).
    #[default]
    Normal,
}

/// Tuning for [`SqliteStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqliteOptions {
    /// Durability of commits (default [`Synchronous::Normal`]).
    pub synchronous: Synchronous,
    /// Page cache size in MiB (default 64).
    pub cache_mib: u32,
    /// How much of the database file SQLite reads through a memory map, in MiB (default 2,048,
    /// SQLite's own ceiling; 0 reads with system calls only). Point lookups over a file larger
    /// than the page cache (an inquiry batch over a national registry) cost about a third less
    /// mapped. Reading a mapped file that another program truncates kills the process
    /// (`SIGBUS`): keep the store's files to the store.
    pub mmap_mib: u32,
    /// Copy the write-ahead log into the database from a background thread (default `true`),
    /// so that no operation waits for a checkpoint; `false` leaves it to SQLite's automatic
    /// checkpoints, which make one commit in a few hundred 5–10 ms slower.
    pub background_checkpoint: bool,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            synchronous: Synchronous::default(),
            cache_mib: 64,
            mmap_mib: 2048,
            background_checkpoint: true,
        }
    }
}

/// SQLite's automatic checkpoint threshold (pages, about 400 MB) while the background thread
/// runs: a backstop that bounds the WAL if the thread falls behind. Why so high: a batch inquiry
/// commits some 40,000 pages at once, and with the threshold below that the commit itself
/// copied them into the database (a third of a second) instead of the thread.
const BACKSTOP_CHECKPOINT_PAGES: i64 = 100_000;

/// Whether the machine has a second core for the side connection.
fn several_cores() -> bool {
    std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
}

/// A [`Store`] in one SQLite file: WAL journal, `secure_delete` on (deleted records are
/// overwritten with zeros, not left in free pages), one table of sealed records and one of audit
/// entries. Opening creates or migrates the schema; a file from a newer library is refused.
///
/// ```
/// use vrs_core::store::{SqliteStore, Store};
/// let dir = std::env::temp_dir().join(format!("vrs-doc-sqlite-{}", std::process::id()));
/// let mut store = SqliteStore::open_dir(&dir, Default::default())?;
/// store.begin()?;
/// store.put(131016, 1, &[1; 16], b"sealed")?;
/// store.commit()?;
/// assert_eq!(store.count(131016, 1)?, 1);
/// drop(store);
/// std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), vrs_core::store::StoreError>(())
/// ```
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    in_tx: bool,
    /// The last sequence number this connection appended to each chain in the open
    /// transaction. `BEGIN IMMEDIATE` holds the write lock, so nobody else appends meanwhile:
    /// a chain appended to many times in one transaction (a batch inquiry's logs) is looked up
    /// once.
    audit_tails: std::collections::HashMap<u32, u64>,
    /// Held around every checkpoint, by the background thread and by this connection.
    checkpoint_lock: Arc<Mutex<()>>,
    /// The background checkpoint thread, when [`SqliteOptions::background_checkpoint`] is on.
    checkpointer: Option<Checkpointer>,
    /// The second connection that reads half of a large [`Store::visit_many`], on machines
    /// with more than one core. Opened with the store's own connection, so both have the same
    /// file open (a file put in the store's place later is never read).
    side: Option<SideReader>,
    /// `total_changes()` when the open transaction began: equal now means it wrote nothing.
    changes_at_begin: u64,
}

impl SqliteStore {
    /// Opens (creating if needed) the store directory `dir` (mode 0700 on Unix) and its database.
    ///
    /// # Errors
    /// I/O errors creating the directory; as for [`SqliteStore::open`].
    pub fn open_dir(dir: &Path, options: SqliteOptions) -> Result<SqliteStore, StoreError> {
        let io = |source| StoreError::Io {
            path: dir.display().to_string(),
            source,
        };
        if !dir.exists() {
            std::fs::create_dir_all(dir).map_err(io)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                    .map_err(io)?;
            }
        }
        SqliteStore::open(&dir.join(DB_FILE), options)
    }

    /// Opens (creating if needed) the database file at `path`.
    ///
    /// # Errors
    /// [`StoreError::SchemaTooNew`] for a file written by a newer library; backend errors.
    pub fn open(path: &Path, options: SqliteOptions) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        let sync = match options.synchronous {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        };
        conn.pragma_update(None, "synchronous", sync)?;
        conn.pragma_update(None, "cache_size", -(i64::from(options.cache_mib) * 1024))?;
        conn.pragma_update(None, "mmap_size", i64::from(options.mmap_mib) << 20)?;
        let checkpoint_lock = Arc::new(Mutex::new(()));
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            in_tx: false,
            audit_tails: std::collections::HashMap::new(),
            checkpoint_lock: checkpoint_lock.clone(),
            checkpointer: None,
            side: None,
            changes_at_begin: 0,
        };
        store.migrate()?;
        if several_cores() {
            store.side = Some(SideReader::open(path, options.cache_mib, options.mmap_mib)?);
        }
        if options.background_checkpoint {
            store
                .conn
                .pragma_update(None, "wal_autocheckpoint", BACKSTOP_CHECKPOINT_PAGES)?;
            store.checkpointer = Some(Checkpointer::start(path, checkpoint_lock)?);
        }
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version in the file.
    ///
    /// # Errors
    /// Backend errors.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Brings the schema up to this library's version (idempotent); returns the version before.
    ///
    /// # Errors
    /// [`StoreError::SchemaTooNew`]; backend errors.
    pub fn migrate(&mut self) -> Result<u32, StoreError> {
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found < SCHEMA_VERSION {
            // Version 0 is an empty file; later versions add steps here.
            self.conn.execute_batch(SCHEMA)?;
            self.conn
                .pragma_update(None, "user_version", SCHEMA_VERSION)?;
        }
        Ok(found)
    }

    /// Copies the write-ahead log into the database and truncates it, so no old page images
    /// (which may hold since-deleted sealed records) linger in the `-wal` file.
    ///
    /// # Errors
    /// Backend errors.
    pub fn checkpoint(&mut self) -> Result<(), StoreError> {
        self.truncate_wal()?;
        Ok(())
    }

    /// `PRAGMA wal_checkpoint(TRUNCATE)` under the checkpoint lock; `true` when it finished
    /// (no other connection kept it from copying everything).
    fn truncate_wal(&mut self) -> Result<bool, StoreError> {
        let lock = self.checkpoint_lock.clone();
        // A poisoned lock only means a checkpoint panicked; checkpointing again is safe.
        let _guard = lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // The first column is 1 when another connection kept the checkpoint from finishing.
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        Ok(busy == 0)
    }

    fn need_tx(&self) -> Result<(), StoreError> {
        if self.in_tx {
            Ok(())
        } else {
            Err(StoreError::Transaction("write outside a transaction"))
        }
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // The thread stops first, so the last checkpoint below is the only one.
        drop(self.checkpointer.take());
        if self.in_tx {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        // Best effort: a failure leaves a WAL that SQLite replays at the next open.
        let _ = self.checkpoint();
    }
}

impl Store for SqliteStore {
    fn begin(&mut self) -> Result<(), StoreError> {
        if self.in_tx {
            return Err(StoreError::Transaction("a transaction is already open"));
        }
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        self.in_tx = true;
        self.audit_tails.clear();
        self.changes_at_begin = self.conn.total_changes();
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        if !self.in_tx {
            return Err(StoreError::Transaction("commit without a transaction"));
        }
        let result = self.conn.execute_batch("COMMIT");
        if result.is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        self.in_tx = false;
        self.audit_tails.clear();
        Ok(result?)
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
        if !self.in_tx {
            return Ok(());
        }
        self.in_tx = false;
        self.audit_tails.clear();
        Ok(self.conn.execute_batch("ROLLBACK")?)
    }

    fn get(&mut self, tenant: u32, kind: u8, key: &Key) -> Result<Option<Vec<u8>>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT value FROM records WHERE tenant = ?1 AND kind = ?2 AND key = ?3",
        )?;
        side_reader::read_one(&mut stmt, tenant, kind, key)
    }

    fn visit_many(
        &mut self,
        ids: &[RecordId],
        visit: &(dyn Fn(usize, Option<&[u8]>) + Sync),
    ) -> Result<(), StoreError> {
        // A dense batch is walked (see `walk`); what the walk leaves is looked up.
        let walked = if walk::walkable(ids) {
            walk::walk(&self.conn, ids, visit)?
        } else {
            0
        };
        let ids = &ids[walked..];
        // Two connections read the same records only while this one holds the write lock and
        // has written nothing (see `side_reader`).
        let same_snapshot = self.in_tx && self.conn.total_changes() == self.changes_at_begin;
        let SqliteStore { conn, side, .. } = self;
        let Some(side) = side
            .as_mut()
            .filter(|_| same_snapshot && ids.len() >= side_reader::MIN_SPLIT)
        else {
            return side_reader::visit_each(conn, ids, walked, visit);
        };
        let half = ids.len() / 2;
        let (mine, theirs) = ids.split_at(half);
        std::thread::scope(|s| {
            let other = s.spawn(|| side.visit(theirs, walked + half, visit));
            let first = side_reader::visit_each(conn, mine, walked, visit);
            // A panic on the side thread is re-raised here, as if this thread had read alone.
            let second = other
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            first.and(second)
        })
    }

    fn put(&mut self, tenant: u32, kind: u8, key: &Key, value: &[u8]) -> Result<(), StoreError> {
        self.need_tx()?;
        let mut stmt = self.conn.prepare_cached(
            "INSERT OR REPLACE INTO records (tenant, kind, key, value) VALUES (?1, ?2, ?3, ?4)",
        )?;
        stmt.execute(params![tenant, kind, &key[..], value])?;
        Ok(())
    }

    fn put_new(
        &mut self,
        tenant: u32,
        kind: u8,
        key: &Key,
        value: &[u8],
    ) -> Result<(), StoreError> {
        self.need_tx()?;
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO records (tenant, kind, key, value) VALUES (?1, ?2, ?3, ?4)",
        )?;
        match stmt.execute(params![tenant, kind, &key[..], value]) {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(StoreError::Conflict("a record expected to be new exists"))
            }
            Err(e) => Err(e.into()),
        }
    }

    fn delete(&mut self, tenant: u32, kind: u8, key: &Key) -> Result<bool, StoreError> {
        self.need_tx()?;
        let mut stmt = self
            .conn
            .prepare_cached("DELETE FROM records WHERE tenant = ?1 AND kind = ?2 AND key = ?3")?;
        Ok(stmt.execute(params![tenant, kind, &key[..]])? > 0)
    }

    fn scan(
        &mut self,
        tenant: u32,
        kind: u8,
        visit: &mut dyn FnMut(&Key, &[u8]) -> bool,
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT key, value FROM records WHERE tenant = ?1 AND kind = ?2 ORDER BY key",
        )?;
        let mut rows = stmt.query(params![tenant, kind])?;
        while let Some(row) = rows.next()? {
            let key = row.get_ref(0)?.as_blob()?;
            let Ok(key) = <Key>::try_from(key) else {
                return Err(StoreError::Backend("a record key is not 16 bytes".into()));
            };
            if !visit(&key, value_bytes(row.get_ref(1)?)?) {
                break;
            }
        }
        Ok(())
    }

    fn scan_tenant(
        &mut self,
        tenant: u32,
        visit: &mut dyn FnMut(u8, &Key, &[u8]) -> bool,
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, key, value FROM records WHERE tenant = ?1 ORDER BY kind, key",
        )?;
        let mut rows = stmt.query(params![tenant])?;
        while let Some(row) = rows.next()? {
            let kind: i64 = row.get(0)?;
            let Ok(kind) = u8::try_from(kind) else {
                return Err(StoreError::Backend("a record kind is not 0 to 255".into()));
            };
            let key = row.get_ref(1)?.as_blob()?;
            let Ok(key) = <Key>::try_from(key) else {
                return Err(StoreError::Backend("a record key is not 16 bytes".into()));
            };
            if !visit(kind, &key, value_bytes(row.get_ref(2)?)?) {
                break;
            }
        }
        Ok(())
    }

    fn count(&mut self, tenant: u32, kind: u8) -> Result<u64, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT count(*) FROM records WHERE tenant = ?1 AND kind = ?2")?;
        let n: i64 = stmt.query_row(params![tenant, kind], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn tenants(&mut self) -> Result<Vec<u32>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT tenant FROM records WHERE tenant BETWEEN 1 AND ?1 UNION SELECT DISTINCT chain FROM audit WHERE chain BETWEEN 1 AND ?1 ORDER BY 1",
        )?;
        let rows = stmt.query_map(params![super::MAX_TENANT], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<u32>, _>>()?)
    }

    fn audit_append(&mut self, chain: u32, row: &AuditRow) -> Result<(), StoreError> {
        self.need_tx()?;
        let last = match self.audit_tails.get(&chain) {
            Some(&seq) => Some(seq),
            None => {
                let mut stmt = self
                    .conn
                    .prepare_cached("SELECT max(seq) FROM audit WHERE chain = ?1")?;
                let max: Option<i64> = stmt.query_row(params![chain], |r| r.get(0))?;
                max.map(|m| u64::try_from(m).unwrap_or(0))
            }
        };
        if last.is_some_and(|l| l >= row.seq) {
            return Err(StoreError::Conflict("audit sequence number taken"));
        }
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO audit (chain, seq, entry, hash) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let seq = i64::try_from(row.seq)
            .map_err(|_| StoreError::Conflict("audit sequence number out of range"))?;
        stmt.execute(params![chain, seq, row.entry, &row.hash[..]])?;
        self.audit_tails.insert(chain, row.seq);
        Ok(())
    }

    fn audit_scan(
        &mut self,
        chain: u32,
        visit: &mut dyn FnMut(&AuditRow) -> bool,
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, entry, hash FROM audit WHERE chain = ?1 ORDER BY seq")?;
        let mut rows = stmt.query(params![chain])?;
        while let Some(row) = rows.next()? {
            if !visit(&audit_row(row)?) {
                break;
            }
        }
        Ok(())
    }

    fn audit_last(&mut self, chain: u32) -> Result<Option<AuditRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, entry, hash FROM audit WHERE chain = ?1 ORDER BY seq DESC LIMIT 1",
        )?;
        let mut rows = stmt.query(params![chain])?;
        match rows.next()? {
            Some(row) => Ok(Some(audit_row(row)?)),
            None => Ok(None),
        }
    }

    fn audit_remove_through(&mut self, chain: u32, through: u64) -> Result<u64, StoreError> {
        self.need_tx()?;
        let through = i64::try_from(through).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare_cached("DELETE FROM audit WHERE chain = ?1 AND seq <= ?2")?;
        let n = stmt.execute(params![chain, through])?;
        Ok(n as u64)
    }

    fn change_token(&mut self) -> Result<Option<u64>, StoreError> {
        let v: i64 = self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))?;
        Ok(Some(v as u64))
    }

    fn checkpoint(&mut self) -> Result<bool, StoreError> {
        if self.in_tx {
            return Err(StoreError::Transaction(
                "a checkpoint runs outside a transaction",
            ));
        }
        self.truncate_wal()
    }

    fn integrity_check(&mut self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut problems = rows.collect::<Result<Vec<_>, _>>()?;
        problems.retain(|p| p != "ok");
        Ok(problems)
    }
}

fn audit_row(row: &rusqlite::Row<'_>) -> Result<AuditRow, StoreError> {
    let hash = row.get_ref(2)?.as_blob()?;
    let hash = <[u8; 32]>::try_from(hash)
        .map_err(|_| StoreError::Backend("an audit hash is not 32 bytes".into()))?;
    let seq: i64 = row.get(0)?;
    Ok(AuditRow {
        seq: u64::try_from(seq).unwrap_or(0),
        entry: row.get(1)?,
        hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct TempDir(PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    fn temp(name: &str) -> TempDir {
        let d = std::env::temp_dir().join(format!("vrs-sqlite-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        TempDir(d)
    }

    /// Every value `visit_many` hands over, by index (each index at most once).
    fn visit_all(s: &mut SqliteStore, ids: &[RecordId]) -> Vec<Option<Vec<u8>>> {
        let seen: Vec<std::sync::Mutex<Option<Option<Vec<u8>>>>> =
            ids.iter().map(|_| std::sync::Mutex::new(None)).collect();
        s.visit_many(ids, &|i, value| {
            let mut slot = seen[i].lock().unwrap();
            assert!(slot.is_none(), "index {i} visited twice");
            *slot = Some(value.map(<[u8]>::to_vec));
        })
        .unwrap();
        seen.into_iter()
            .map(|m| m.into_inner().unwrap().expect("every index visited"))
            .collect()
    }

    #[test]
    fn a_large_batch_read_sees_what_single_reads_see_on_both_connections() {
        let dir = temp("visit-many");
        let mut s = SqliteStore::open_dir(&dir.0, SqliteOptions::default()).unwrap();
        let n = side_reader::MIN_SPLIT * 2 + 7;
        s.begin().unwrap();
        for i in 0..n as u32 {
            // Every third record absent.
            if i % 3 != 0 {
                s.put(131016, 1, &key(i), &i.to_be_bytes()).unwrap();
            }
        }
        s.commit().unwrap();
        let ids: Vec<RecordId> = (0..n as u32).map(|i| (131016, 1, key(i))).collect();
        let expected: Vec<Option<Vec<u8>>> = (0..n as u32)
            .map(|i| (i % 3 != 0).then(|| i.to_be_bytes().to_vec()))
            .collect();
        // In a transaction that has written nothing: split over two connections.
        s.begin().unwrap();
        assert_eq!(visit_all(&mut s, &ids), expected);
        // After a write in the same transaction, the side connection could not see it: the
        // store reads alone, and sees its own write.
        s.put(131016, 1, &key(0), b"new").unwrap();
        let mut expected_after = expected.clone();
        expected_after[0] = Some(b"new".to_vec());
        assert_eq!(visit_all(&mut s, &ids), expected_after);
        s.rollback().unwrap();
        // Outside a transaction: alone, committed values.
        assert_eq!(visit_all(&mut s, &ids), expected);
        // Small batches (read alone) agree too.
        assert_eq!(visit_all(&mut s, &ids[..10]), expected[..10].to_vec());
    }

    #[test]
    fn a_large_sparse_batch_read_sees_what_single_reads_see() {
        // One record wanted in ten: the walk finds the batch sparse after its probe and the
        // rest is looked up (split over both connections in a transaction that wrote nothing).
        let dir = temp("visit-sparse");
        let mut s = SqliteStore::open_dir(&dir.0, SqliteOptions::default()).unwrap();
        let n = 50_000u32;
        s.begin().unwrap();
        for i in 0..n {
            s.put(131016, 1, &key(i), &i.to_be_bytes()).unwrap();
        }
        s.commit().unwrap();
        // Every tenth record, and past the end some that are absent.
        let wanted: Vec<u32> = (0..n + 2_000).step_by(10).collect();
        let ids: Vec<RecordId> = wanted.iter().map(|i| (131016, 1, key(*i))).collect();
        let expected: Vec<Option<Vec<u8>>> = wanted
            .iter()
            .map(|i| (*i < n).then(|| i.to_be_bytes().to_vec()))
            .collect();
        s.begin().unwrap();
        assert_eq!(visit_all(&mut s, &ids), expected);
        s.rollback().unwrap();
        assert_eq!(visit_all(&mut s, &ids), expected);
    }

    fn key(i: u32) -> Key {
        let mut k = [0u8; 16];
        k[..4].copy_from_slice(&i.to_be_bytes());
        k
    }

    #[test]
    fn commit_persists_and_rollback_forgets_across_reopen() {
        let dir = temp("persist");
        {
            let mut s = SqliteStore::open_dir(&dir.0, SqliteOptions::default()).unwrap();
            s.begin().unwrap();
            s.put(131016, 1, &[1; 16], b"kept").unwrap();
            s.audit_append(
                131016,
                &AuditRow {
                    seq: 1,
                    entry: b"{}".to_vec(),
                    hash: [5; 32],
                },
            )
            .unwrap();
            s.commit().unwrap();
            s.begin().unwrap();
            s.put(131016, 1, &[2; 16], b"forgotten").unwrap();
            s.rollback().unwrap();
            s.begin().unwrap();
            s.put(131032, 1, &[3; 16], b"open at drop").unwrap();
        }
        let mut s = SqliteStore::open_dir(&dir.0, SqliteOptions::default()).unwrap();
        assert_eq!(
            s.get(131016, 1, &[1; 16]).unwrap().as_deref(),
            Some(&b"kept"[..])
        );
        assert_eq!(s.get(131016, 1, &[2; 16]).unwrap(), None);
        assert_eq!(s.get(131032, 1, &[3; 16]).unwrap(), None);
        assert_eq!(s.tenants().unwrap(), vec![131016]);
        assert_eq!(s.audit_last(131016).unwrap().unwrap().hash, [5; 32]);
        assert!(s.integrity_check().unwrap().is_empty());
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn audit_sequence_conflicts_are_found_within_and_across_transactions() {
        let dir = temp("audit-seq");
        let mut s = SqliteStore::open_dir(&dir.0, SqliteOptions::default()).unwrap();
        let row = |seq| AuditRow {
            seq,
            entry: b"{}".to_vec(),
            hash: [1; 32],
        };
        s.begin().unwrap();
        s.audit_append(1_131_016, &row(1)).unwrap();
        s.audit_append(1_131_016, &row(2)).unwrap();
        assert!(matches!(
            s.audit_append(1_131_016, &row(2)),
            Err(StoreError::Conflict(_))
        ));
        s.commit().unwrap();
        s.begin().unwrap();
        assert!(matches!(
            s.audit_append(1_131_016, &row(1)),
            Err(StoreError::Conflict(_))
        ));
        s.audit_append(1_131_016, &row(5)).unwrap();
        s.put(0, 20, &[3; 16], b"index").unwrap();
        s.put(2_131_016, 7, &[0; 16], b"head").unwrap();
        s.commit().unwrap();
        assert_eq!(s.audit_last(1_131_016).unwrap().unwrap().seq, 5);
        // Registry-level records and log chains are not tenants.
        assert!(s.tenants().unwrap().is_empty());
        s.begin().unwrap();
        s.put(131016, 1, &[1; 16], b"x").unwrap();
        s.commit().unwrap();
        assert_eq!(s.tenants().unwrap(), vec![131016]);
    }

    #[test]
    fn audit_entries_are_removed_from_the_front_and_the_chain_goes_on() {
        let dir = temp("audit-remove");
        let mut s = SqliteStore::open_dir(&dir.0, SqliteOptions::default()).unwrap();
        let row = |seq| AuditRow {
            seq,
            entry: b"{}".to_vec(),
            hash: [1; 32],
        };
        assert!(matches!(
            s.audit_remove_through(7, 1),
            Err(StoreError::Transaction(_))
        ));
        s.begin().unwrap();
        for seq in 1..=3 {
            s.audit_append(7, &row(seq)).unwrap();
        }
        s.audit_append(8, &row(1)).unwrap();
        s.commit().unwrap();
        s.begin().unwrap();
        assert_eq!(s.audit_remove_through(7, 3).unwrap(), 3);
        assert_eq!(s.audit_remove_through(7, 3).unwrap(), 0);
        // The chain's numbering goes on after the removed entries (the registry numbers from
        // the chain's head); other chains are untouched.
        s.audit_append(7, &row(4)).unwrap();
        s.commit().unwrap();
        assert_eq!(s.audit_last(7).unwrap().unwrap().seq, 4);
        assert_eq!(s.audit_last(8).unwrap().unwrap().seq, 1);
    }

    #[test]
    fn full_checkpoints_never_meet_the_background_thread() {
        // Both checkpoint under one lock: a purge's truncating checkpoint always finishes.
        let dir = temp("checkpointer");
        let mut s = SqliteStore::open_dir(&dir.0, SqliteOptions::default()).unwrap();
        assert!(s.checkpointer.is_some());
        for i in 0..40u8 {
            s.begin().unwrap();
            s.put(131016, 1, &[i; 16], &[i; 4000]).unwrap();
            s.commit().unwrap();
            assert!(
                Store::checkpoint(&mut s).unwrap(),
                "checkpoint {i} did not finish"
            );
        }
        drop(s);
        let options = SqliteOptions {
            background_checkpoint: false,
            mmap_mib: 0,
            ..SqliteOptions::default()
        };
        let mut s = SqliteStore::open_dir(&dir.0, options).unwrap();
        assert!(s.checkpointer.is_none());
        assert_eq!(s.count(131016, 1).unwrap(), 40);
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = temp("newer");
        drop(SqliteStore::open_dir(&dir.0, SqliteOptions::default()).unwrap());
        let conn = Connection::open(dir.0.join(DB_FILE)).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        assert!(matches!(
            SqliteStore::open_dir(&dir.0, SqliteOptions::default()),
            Err(StoreError::SchemaTooNew { found: 99, .. })
        ));
    }

    #[test]
    fn deleted_values_do_not_linger_in_the_file() {
        let dir = temp("secure-delete");
        let canary = b"CANARY-SEALED-VALUE-0123456789";
        {
            let mut s = SqliteStore::open_dir(&dir.0, SqliteOptions::default()).unwrap();
            s.begin().unwrap();
            s.put(1, 1, &[1; 16], canary).unwrap();
            s.commit().unwrap();
            s.checkpoint().unwrap();
            s.begin().unwrap();
            assert!(s.delete(1, 1, &[1; 16]).unwrap());
            s.commit().unwrap();
        }
        let bytes = std::fs::read(dir.0.join(DB_FILE)).unwrap();
        assert!(!bytes.windows(canary.len()).any(|w| w == canary));
    }
}
