//! Storage: the [`Store`] trait the registry writes through, an in-memory store, and the embedded
//! SQLite store (cargo feature `sqlite`, on by default).
//!
//! A store holds opaque values: every value the registry puts is already sealed (AES-256-GCM)
//! and every key is already a pseudonym, so a store implementation never sees personal data and
//! needs no cryptography of its own. That is the seam for putting the registry on another
//! database: implement [`Store`] (eleven small methods, two more optional) over PostgreSQL, a distributed key-value
//! store, etc., sharded by tenant if you like; nothing above this trait assumes one process or
//! one file.
//!
//! Transactions: [`Store::begin`] opens one, [`Store::commit`] makes everything since durable at
//! once, [`Store::rollback`] forgets it. The registry runs one transaction per operation (one per
//! batch for imports), so a crash leaves each operation either complete or absent.
//!
//! ```
//! use vrs_core::store::{MemoryStore, Store};
//!
//! let mut store = MemoryStore::new();
//! store.begin()?;
//! store.put(131016, 1, &[7; 16], b"sealed bytes")?;
//! store.rollback()?;
//! assert_eq!(store.get(131016, 1, &[7; 16])?, None);
//! # Ok::<(), vrs_core::store::StoreError>(())
//! ```

#[cfg(feature = "sqlite")]
mod checkpointer;
mod error;
mod keyfile;
mod memory;
#[cfg(feature = "sqlite")]
mod side_reader;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "sqlite")]
mod walk;

pub use error::StoreError;
pub use keyfile::FileKeyProvider;
pub use memory::MemoryStore;
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteOptions, SqliteStore, Synchronous};

/// The highest number [`Store::tenants`] reports: municipality codes have six digits.
pub const MAX_TENANT: u32 = 999_999;

/// A record's key in the store: 16 opaque bytes (a pseudonym).
pub type Key = [u8; 16];

/// A record's full address: tenant number, kind number, key.
pub type RecordId = (u32, u8, Key);

/// One entry of an audit chain as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// The entry's canonical bytes (JSON without personal data).
    pub entry: Vec<u8>,
    /// SHA-256 over the previous hash and `entry`.
    pub hash: [u8; 32],
}

/// What the registry needs from a database. Values and keys are opaque (sealed, pseudonymous).
///
/// `tenant` is the municipality code as a number (`131016`); number `0` holds the registry-wide
/// audit chain and registry-level records, numbers from 1,000,000 up the registry's log chains
/// (see [`Store::tenants`]). `kind` is a small record-kind number.
pub trait Store: Send {
    /// Starts a transaction. Writes outside a transaction are refused.
    ///
    /// # Errors
    /// [`StoreError::Transaction`] if one is already open; backend errors.
    fn begin(&mut self) -> Result<(), StoreError>;

    /// Makes every write since [`Store::begin`] durable, atomically.
    ///
    /// # Errors
    /// [`StoreError::Transaction`] without an open transaction; backend errors (after which the
    /// transaction is rolled back).
    fn commit(&mut self) -> Result<(), StoreError>;

    /// Forgets every write since [`Store::begin`]. A no-op without an open transaction.
    ///
    /// # Errors
    /// Backend errors.
    fn rollback(&mut self) -> Result<(), StoreError>;

    /// The value of a record, if present.
    ///
    /// # Errors
    /// Backend errors.
    fn get(&mut self, tenant: u32, kind: u8, key: &Key) -> Result<Option<Vec<u8>>, StoreError>;

    /// Reads many records and hands each value to `visit` with its index in `ids` (`None` when
    /// the record is absent), each exactly once, in no particular order. A backend may spread
    /// the reads over several connections and threads, calling `visit` on each (the SQLite
    /// store does for large batches read in a transaction that has written nothing yet, when
    /// every connection sees the same snapshot): `visit` decrypts and decodes where the bytes
    /// are, so that work is spread too. The default reads one by one on this thread. Sorted
    /// `ids` read fastest; the SQLite store reads a large sorted batch of one tenant and kind
    /// that is a large share of it (a purge's) in one walk along the kind, handing the values
    /// to `visit` on every core.
    ///
    /// # Errors
    /// Backend errors (some values may have been visited).
    fn visit_many(
        &mut self,
        ids: &[RecordId],
        visit: &(dyn Fn(usize, Option<&[u8]>) + Sync),
    ) -> Result<(), StoreError> {
        for (i, (tenant, kind, key)) in ids.iter().enumerate() {
            visit(i, self.get(*tenant, *kind, key)?.as_deref());
        }
        Ok(())
    }

    /// Inserts or replaces a record.
    ///
    /// # Errors
    /// [`StoreError::Transaction`] outside a transaction; backend errors.
    fn put(&mut self, tenant: u32, kind: u8, key: &Key, value: &[u8]) -> Result<(), StoreError>;

    /// Inserts a record the caller knows to be absent (a bulk load into an empty tenant): a
    /// store may skip looking for an old value, and should refuse a key that is taken
    /// ([`StoreError::Conflict`]) rather than replace it. The default is [`Store::put`].
    ///
    /// # Errors
    /// As for [`Store::put`]; [`StoreError::Conflict`] when the key is taken.
    fn put_new(
        &mut self,
        tenant: u32,
        kind: u8,
        key: &Key,
        value: &[u8],
    ) -> Result<(), StoreError> {
        self.put(tenant, kind, key, value)
    }

    /// Removes a record (its bytes are overwritten, not left in free space); `true` if it existed.
    ///
    /// # Errors
    /// [`StoreError::Transaction`] outside a transaction; backend errors.
    fn delete(&mut self, tenant: u32, kind: u8, key: &Key) -> Result<bool, StoreError>;

    /// A hint: the caller is about to delete the records `ids` in this transaction (a purge).
    /// A wrapper that must know each removed value (the registry's integrity layer, which takes
    /// every record's contribution out of its tenant's digest) may read them all now, in one
    /// batch ([`Store::visit_many`]), instead of looking each one up as it is deleted. A store
    /// itself has nothing to do: the default does nothing.
    ///
    /// # Errors
    /// [`StoreError::Transaction`] outside a transaction; backend errors.
    fn will_delete(&mut self, ids: &[RecordId]) -> Result<(), StoreError> {
        let _ = ids;
        Ok(())
    }

    /// Calls `visit` with every record of `kind` in `tenant`, in key order, until it returns
    /// `false`.
    ///
    /// # Errors
    /// Backend errors.
    fn scan(
        &mut self,
        tenant: u32,
        kind: u8,
        visit: &mut dyn FnMut(&Key, &[u8]) -> bool,
    ) -> Result<(), StoreError>;

    /// Calls `visit` with every record of `tenant` (all kinds) in (kind, key) order, until it
    /// returns `false`. The default scans kind by kind.
    ///
    /// # Errors
    /// Backend errors.
    fn scan_tenant(
        &mut self,
        tenant: u32,
        visit: &mut dyn FnMut(u8, &Key, &[u8]) -> bool,
    ) -> Result<(), StoreError> {
        for kind in 0..=u8::MAX {
            let mut go_on = true;
            self.scan(tenant, kind, &mut |key, value| {
                go_on = visit(kind, key, value);
                go_on
            })?;
            if !go_on {
                break;
            }
        }
        Ok(())
    }

    /// Number of records of `kind` in `tenant`.
    ///
    /// # Errors
    /// Backend errors.
    fn count(&mut self, tenant: u32, kind: u8) -> Result<u64, StoreError>;

    /// Every tenant that has any record or audit entry, ascending: the numbers 1..=999,999 (a
    /// municipality code is six digits). Chain 0 (the registry's own audit chain and records,
    /// such as the inquiry index) and chains from 1,000,000 up (each tenant's provision and
    /// inquiry logs) are the registry's, not tenants.
    ///
    /// # Errors
    /// Backend errors.
    fn tenants(&mut self) -> Result<Vec<u32>, StoreError>;

    /// Appends an entry to an audit chain. `seq` must be greater than the last entry's (gaps are
    /// allowed: they are evidence that entries were removed).
    ///
    /// # Errors
    /// [`StoreError::Transaction`] outside a transaction; [`StoreError::Conflict`] when `seq`
    /// is not greater than the last; backend errors.
    fn audit_append(&mut self, chain: u32, row: &AuditRow) -> Result<(), StoreError>;

    /// Calls `visit` with every entry of an audit chain in `seq` order, until it returns `false`.
    ///
    /// # Errors
    /// Backend errors.
    fn audit_scan(
        &mut self,
        chain: u32,
        visit: &mut dyn FnMut(&AuditRow) -> bool,
    ) -> Result<(), StoreError>;

    /// The last entry of an audit chain.
    ///
    /// # Errors
    /// Backend errors.
    fn audit_last(&mut self, chain: u32) -> Result<Option<AuditRow>, StoreError>;

    /// Removes the entries of an audit chain numbered `through` or lower (a retention run
    /// dropping the oldest entries of a log; the chain's head then records where it starts);
    /// returns how many were removed.
    ///
    /// # Errors
    /// [`StoreError::Transaction`] outside a transaction; backend errors.
    fn audit_remove_through(&mut self, chain: u32, through: u64) -> Result<u64, StoreError>;

    /// A number that changes whenever **another** connection or process commits to the store
    /// (SQLite's `PRAGMA data_version`); `None` when the store cannot tell. The registry uses it
    /// to know that nobody else wrote between two of its own transactions (bulk loads into an
    /// empty tenant skip lookups of keys they know to be absent).
    ///
    /// # Errors
    /// Backend errors.
    fn change_token(&mut self) -> Result<Option<u64>, StoreError> {
        Ok(None)
    }

    /// Makes deleted records unrecoverable from the storage's files as far as the backend can:
    /// SQLite copies its write-ahead log into the database and truncates it (deleted pages are
    /// already zeroed by `secure_delete`). Called after a purge, outside a transaction. Returns
    /// `false` when it could not finish (another connection was reading): the old page images
    /// stay in the log until a later checkpoint. The default does nothing and returns `true`.
    ///
    /// # Errors
    /// Backend errors.
    fn checkpoint(&mut self) -> Result<bool, StoreError> {
        Ok(true)
    }

    /// Checks the physical integrity of the storage (e.g. SQLite's `PRAGMA integrity_check`);
    /// an empty list means no problem found.
    ///
    /// # Errors
    /// Backend errors.
    fn integrity_check(&mut self) -> Result<Vec<String>, StoreError>;
}

/// Whether `store` holds anything at all (a record or an audit entry, in any tenant or the
/// registry's own area). A host creates new keys only for a store that holds nothing: keys
/// created beside a populated store would not open it.
///
/// # Errors
/// Backend errors.
pub fn holds_data(store: &mut dyn Store) -> Result<bool, StoreError> {
    if !store.tenants()?.is_empty() || store.audit_last(0)?.is_some() {
        return Ok(true);
    }
    let mut any = false;
    store.scan_tenant(0, &mut |_, _, _| {
        any = true;
        false
    })?;
    Ok(any)
}
