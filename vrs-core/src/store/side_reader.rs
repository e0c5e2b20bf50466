//! The SQLite store's second reading connection: it reads half of a large batch of point reads
//! ([`Store::visit_many`](super::Store::visit_many)) on its own thread while the store's connection
//! reads the other half, so a batch inquiry's 400,000 keyed reads take half the time on two
//! cores.
//!
//! Why the two connections see the same records: the store's connection holds the write lock
//! (`BEGIN IMMEDIATE`) and has written nothing in its transaction, so the newest commit is its
//! snapshot, and nobody can commit a newer one until it finishes; the side connection's read
//! transaction, started afterwards, sees exactly that commit. The store checks both conditions
//! before every use and reads alone otherwise.

use std::path::Path;

use rusqlite::{params, Connection};

use super::error::StoreError;
use super::{Key, RecordId};

/// The fewest reads worth splitting (a thread costs tens of microseconds; a read about two).
pub(crate) const MIN_SPLIT: usize = 4096;

/// The second connection, opened with the store's and kept (its page cache stays warm).
#[derive(Debug)]
pub(crate) struct SideReader {
    conn: Connection,
}

impl SideReader {
    /// Opens a read-only connection to `path` with the store's cache and memory-map sizes.
    ///
    /// # Errors
    /// Backend errors.
    pub fn open(path: &Path, cache_mib: u32, mmap_mib: u32) -> Result<SideReader, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "query_only", true)?;
        conn.pragma_update(None, "cache_size", -(i64::from(cache_mib) * 1024))?;
        conn.pragma_update(None, "mmap_size", i64::from(mmap_mib) << 20)?;
        Ok(SideReader { conn })
    }

    /// Reads `ids` in one read transaction of this connection, handing each value to `visit`
    /// with its index plus `offset`.
    ///
    /// # Errors
    /// Backend errors.
    pub fn visit(
        &mut self,
        ids: &[RecordId],
        offset: usize,
        visit: &(dyn Fn(usize, Option<&[u8]>) + Sync),
    ) -> Result<(), StoreError> {
        if !self.conn.is_autocommit() {
            // A visitor panicked during the last batch and its read transaction stayed open:
            // end it, or it would pin an old snapshot (and the WAL) for good.
            self.conn.execute_batch("ROLLBACK")?;
        }
        self.conn.execute_batch("BEGIN")?;
        let read = visit_each(&self.conn, ids, offset, visit);
        // A read transaction has nothing to keep: ending it only releases the snapshot.
        let ended = self.conn.execute_batch("COMMIT");
        read?;
        ended?;
        Ok(())
    }
}

/// Point reads of `ids` on `conn`, in order, each value handed to `visit` with its index plus
/// `offset` (borrowed from SQLite: nothing is copied).
pub(crate) fn visit_each(
    conn: &Connection,
    ids: &[RecordId],
    offset: usize,
    visit: &(dyn Fn(usize, Option<&[u8]>) + Sync),
) -> Result<(), StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT value FROM records WHERE tenant = ?1 AND kind = ?2 AND key = ?3")?;
    for (i, (tenant, kind, key)) in ids.iter().enumerate() {
        let mut rows = stmt.query(params![tenant, kind, &key[..]])?;
        match rows.next()? {
            Some(row) => visit(offset + i, Some(value_bytes(row.get_ref(0)?)?)),
            None => visit(offset + i, None),
        }
    }
    Ok(())
}

/// One point read with the prepared `SELECT value ... WHERE tenant, kind, key` statement.
pub(crate) fn read_one(
    stmt: &mut rusqlite::CachedStatement<'_>,
    tenant: u32,
    kind: u8,
    key: &Key,
) -> Result<Option<Vec<u8>>, StoreError> {
    let mut rows = stmt.query(params![tenant, kind, &key[..]])?;
    match rows.next()? {
        Some(row) => Ok(Some(value_bytes(row.get_ref(0)?)?.to_vec())),
        None => Ok(None),
    }
}

/// A record's value as bytes: a blob, or text (an edit of the file may leave one; its bytes are
/// then judged like any other value by the registry's integrity checks).
pub(crate) fn value_bytes(v: rusqlite::types::ValueRef<'_>) -> Result<&[u8], StoreError> {
    match v {
        rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => Ok(b),
        _ => Err(StoreError::Backend(
            "a record value is neither a blob nor text".into(),
        )),
    }
}
