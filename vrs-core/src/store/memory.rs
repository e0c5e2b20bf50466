//! An in-memory store: for tests, property tests and hosts that persist elsewhere.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::error::StoreError;
use super::{AuditRow, Key, RecordId, Store};

/// Undo information for one write inside a transaction.
#[derive(Debug, Clone)]
enum Undo {
    Record(RecordId, Option<Vec<u8>>),
    Audit(u32),
    /// Entries removed from the front of a chain, to put back.
    AuditRemoved(u32, Vec<AuditRow>),
}

/// A [`Store`] in process memory. Transactions keep an undo log, so a rollback restores the
/// exact previous state.
///
/// [`MemoryStore::share`] gives a second handle on the same data (e.g. to inspect what a
/// registry stored), [`MemoryStore::snapshot`] an independent copy.
///
/// ```
/// use vrs_core::store::{MemoryStore, Store};
/// let mut s = MemoryStore::new();
/// let view = s.share();
/// s.begin()?;
/// s.put(1, 1, &[0; 16], b"x")?;
/// s.commit()?;
/// assert_eq!(view.snapshot().count(1, 1)?, 1);
/// # Ok::<(), vrs_core::store::StoreError>(())
/// ```
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
    /// Commits made through this handle (the others' commits change the change token).
    own_commits: u64,
}

#[derive(Debug, Default, Clone)]
struct State {
    records: BTreeMap<RecordId, Vec<u8>>,
    audit: BTreeMap<u32, Vec<AuditRow>>,
    undo: Option<Vec<Undo>>,
    /// Commits through any handle.
    commits: u64,
}

impl State {
    fn log(&mut self) -> Result<&mut Vec<Undo>, StoreError> {
        self.undo
            .as_mut()
            .ok_or(StoreError::Transaction("write outside a transaction"))
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Another handle on the same data.
    pub fn share(&self) -> MemoryStore {
        MemoryStore {
            state: Arc::clone(&self.state),
            own_commits: 0,
        }
    }

    /// An independent copy of the committed and uncommitted data.
    pub fn snapshot(&self) -> MemoryStore {
        MemoryStore {
            state: Arc::new(Mutex::new(self.lock().clone())),
            own_commits: 0,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent data (every write is one map
        // operation), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every stored value and audit entry, for tests that scan for leaked plaintext.
    pub fn raw_bytes(&self) -> Vec<u8> {
        let state = self.lock();
        let mut out = Vec::new();
        for v in state.records.values() {
            out.extend_from_slice(v);
        }
        for chain in state.audit.values() {
            for row in chain {
                out.extend_from_slice(&row.entry);
            }
        }
        out
    }

    /// Edits, adds or removes records directly (no transaction, no change token), for tests
    /// that tamper with the store: `edit` gets the map of `(tenant, kind, key)` to value.
    pub fn tamper_records(&self, edit: impl FnOnce(&mut BTreeMap<(u32, u8, Key), Vec<u8>>)) {
        let mut state = self.lock();
        edit(&mut state.records);
    }

    /// Edits the rows of an audit chain directly, for tests that tamper with the log.
    pub fn tamper_audit(&self, chain: u32, edit: impl FnOnce(&mut Vec<AuditRow>)) {
        let mut state = self.lock();
        edit(state.audit.entry(chain).or_default());
    }
}

impl Store for MemoryStore {
    fn begin(&mut self) -> Result<(), StoreError> {
        let mut st = self.lock();
        if st.undo.is_some() {
            return Err(StoreError::Transaction("a transaction is already open"));
        }
        st.undo = Some(Vec::new());
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        let mut st = self.lock();
        st.undo
            .take()
            .ok_or(StoreError::Transaction("commit without a transaction"))?;
        st.commits += 1;
        drop(st);
        self.own_commits += 1;
        Ok(())
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
        let mut st = self.lock();
        let Some(log) = st.undo.take() else {
            return Ok(());
        };
        for undo in log.into_iter().rev() {
            match undo {
                Undo::Record(id, Some(old)) => {
                    st.records.insert(id, old);
                }
                Undo::Record(id, None) => {
                    st.records.remove(&id);
                }
                Undo::Audit(chain) => {
                    if let Some(rows) = st.audit.get_mut(&chain) {
                        rows.pop();
                    }
                }
                Undo::AuditRemoved(chain, mut removed) => {
                    let rows = st.audit.entry(chain).or_default();
                    removed.append(rows);
                    *rows = removed;
                }
            }
        }
        Ok(())
    }

    fn get(&mut self, tenant: u32, kind: u8, key: &Key) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.lock().records.get(&(tenant, kind, *key)).cloned())
    }

    fn put(&mut self, tenant: u32, kind: u8, key: &Key, value: &[u8]) -> Result<(), StoreError> {
        let mut st = self.lock();
        st.log()?;
        let id = (tenant, kind, *key);
        let old = st.records.insert(id, value.to_vec());
        st.log()?.push(Undo::Record(id, old));
        Ok(())
    }

    fn put_new(
        &mut self,
        tenant: u32,
        kind: u8,
        key: &Key,
        value: &[u8],
    ) -> Result<(), StoreError> {
        let mut st = self.lock();
        st.log()?;
        let id = (tenant, kind, *key);
        if st.records.contains_key(&id) {
            return Err(StoreError::Conflict("a record expected to be new exists"));
        }
        st.records.insert(id, value.to_vec());
        st.log()?.push(Undo::Record(id, None));
        Ok(())
    }

    fn delete(&mut self, tenant: u32, kind: u8, key: &Key) -> Result<bool, StoreError> {
        let mut st = self.lock();
        st.log()?;
        let id = (tenant, kind, *key);
        let old = st.records.remove(&id);
        let existed = old.is_some();
        st.log()?.push(Undo::Record(id, old));
        Ok(existed)
    }

    fn scan(
        &mut self,
        tenant: u32,
        kind: u8,
        visit: &mut dyn FnMut(&Key, &[u8]) -> bool,
    ) -> Result<(), StoreError> {
        // Visit a copy, so the visitor may call back into the store.
        let range = (tenant, kind, [0u8; 16])..=(tenant, kind, [0xff; 16]);
        let rows: Vec<(Key, Vec<u8>)> = self
            .lock()
            .records
            .range(range)
            .map(|((_, _, k), v)| (*k, v.clone()))
            .collect();
        for (key, value) in &rows {
            if !visit(key, value) {
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
        let range = (tenant, 0, [0u8; 16])..=(tenant, u8::MAX, [0xff; 16]);
        let rows: Vec<(u8, Key, Vec<u8>)> = self
            .lock()
            .records
            .range(range)
            .map(|((_, kind, k), v)| (*kind, *k, v.clone()))
            .collect();
        for (kind, key, value) in &rows {
            if !visit(*kind, key, value) {
                break;
            }
        }
        Ok(())
    }

    fn count(&mut self, tenant: u32, kind: u8) -> Result<u64, StoreError> {
        let range = (tenant, kind, [0u8; 16])..=(tenant, kind, [0xff; 16]);
        Ok(self.lock().records.range(range).count() as u64)
    }

    fn tenants(&mut self) -> Result<Vec<u32>, StoreError> {
        let st = self.lock();
        let mut out: Vec<u32> = st.records.keys().map(|(t, _, _)| *t).collect();
        out.extend(st.audit.keys().copied());
        out.retain(|&t| (1..=super::MAX_TENANT).contains(&t));
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    fn audit_append(&mut self, chain: u32, row: &AuditRow) -> Result<(), StoreError> {
        let mut st = self.lock();
        st.log()?;
        let rows = st.audit.entry(chain).or_default();
        if rows.last().is_some_and(|r| r.seq >= row.seq) {
            return Err(StoreError::Conflict("audit sequence number taken"));
        }
        rows.push(row.clone());
        st.log()?.push(Undo::Audit(chain));
        Ok(())
    }

    fn audit_scan(
        &mut self,
        chain: u32,
        visit: &mut dyn FnMut(&AuditRow) -> bool,
    ) -> Result<(), StoreError> {
        let rows = self.lock().audit.get(&chain).cloned().unwrap_or_default();
        for row in &rows {
            if !visit(row) {
                break;
            }
        }
        Ok(())
    }

    fn audit_last(&mut self, chain: u32) -> Result<Option<AuditRow>, StoreError> {
        Ok(self
            .lock()
            .audit
            .get(&chain)
            .and_then(|r| r.last().cloned()))
    }

    fn audit_remove_through(&mut self, chain: u32, through: u64) -> Result<u64, StoreError> {
        let mut st = self.lock();
        st.log()?;
        let rows = st.audit.entry(chain).or_default();
        let n = rows.partition_point(|r| r.seq <= through);
        let removed: Vec<AuditRow> = rows.drain(..n).collect();
        st.log()?.push(Undo::AuditRemoved(chain, removed));
        Ok(n as u64)
    }

    fn change_token(&mut self) -> Result<Option<u64>, StoreError> {
        Ok(Some(self.lock().commits - self.own_commits))
    }

    fn integrity_check(&mut self) -> Result<Vec<String>, StoreError> {
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollback_restores_everything() {
        let mut s = MemoryStore::new();
        s.begin().unwrap();
        s.put(1, 1, &[1; 16], b"a").unwrap();
        s.commit().unwrap();
        s.begin().unwrap();
        s.put(1, 1, &[1; 16], b"b").unwrap();
        s.put(1, 1, &[2; 16], b"c").unwrap();
        assert!(s.delete(1, 1, &[1; 16]).unwrap());
        let row = AuditRow {
            seq: 1,
            entry: b"{}".to_vec(),
            hash: [0; 32],
        };
        s.audit_append(1, &row).unwrap();
        s.rollback().unwrap();
        assert_eq!(s.get(1, 1, &[1; 16]).unwrap().as_deref(), Some(&b"a"[..]));
        assert_eq!(s.get(1, 1, &[2; 16]).unwrap(), None);
        assert_eq!(s.audit_last(1).unwrap(), None);
    }

    #[test]
    fn removed_audit_entries_come_back_on_rollback() {
        let mut s = MemoryStore::new();
        let row = |seq| AuditRow {
            seq,
            entry: b"{}".to_vec(),
            hash: [seq as u8; 32],
        };
        s.begin().unwrap();
        for seq in 1..=3 {
            s.audit_append(9, &row(seq)).unwrap();
        }
        s.commit().unwrap();
        let seqs = |s: &mut MemoryStore| {
            let mut out = Vec::new();
            s.audit_scan(9, &mut |r| {
                out.push(r.seq);
                true
            })
            .unwrap();
            out
        };
        s.begin().unwrap();
        assert_eq!(s.audit_remove_through(9, 2).unwrap(), 2);
        assert_eq!(seqs(&mut s), vec![3]);
        s.audit_append(9, &row(4)).unwrap();
        s.rollback().unwrap();
        assert_eq!(seqs(&mut s), vec![1, 2, 3]);
        assert!(matches!(
            s.audit_remove_through(9, 1),
            Err(StoreError::Transaction(_))
        ));
    }

    #[test]
    fn change_token_moves_only_for_other_handles() {
        let mut a = MemoryStore::new();
        let mut b = a.share();
        let t0 = a.change_token().unwrap();
        a.begin().unwrap();
        a.put(1, 1, &[1; 16], b"x").unwrap();
        a.commit().unwrap();
        assert_eq!(a.change_token().unwrap(), t0);
        b.begin().unwrap();
        b.commit().unwrap();
        assert_ne!(a.change_token().unwrap(), t0);
    }

    #[test]
    fn writes_need_a_transaction_and_seq_must_follow() {
        let mut s = MemoryStore::new();
        assert!(matches!(
            s.put(1, 1, &[0; 16], b"x"),
            Err(StoreError::Transaction(_))
        ));
        s.begin().unwrap();
        assert!(matches!(s.begin(), Err(StoreError::Transaction(_))));
        let row = AuditRow {
            seq: 2,
            entry: vec![],
            hash: [0; 32],
        };
        s.audit_append(0, &row).unwrap();
        assert!(matches!(
            s.audit_append(0, &row),
            Err(StoreError::Conflict(_))
        ));
    }
}
