//! Bulk loads into an empty tenant: lookups of keys the load has not written yet are known to
//! miss, so they skip the store. A Bloom filter remembers the keys written (about 10 bits per
//! key); any doubt goes to the store. The shortcut holds only while nobody else writes: the
//! store's change token is checked at the start of every batch.
//!
//! Files list a person's vouchers on consecutive rows, and each row grows the person's record:
//! the last subject record written is held back and written once, when another subject comes
//! or before the batch commits ([`FreshLoad::flush`]).

use crate::crypto::RecordKind;
use crate::store::{AuditRow, Key, RecordId, Store, StoreError};

use super::error::RegistryError;

/// Record kinds an import looks up.
const KINDS: [RecordKind; 4] = [
    RecordKind::Subject,
    RecordKind::Voucher,
    RecordKind::MyNumberIndex,
    RecordKind::Awaiting,
];

/// Probes per key.
const PROBES: u64 = 7;

/// A Bloom filter over record keys (already uniformly random HMAC outputs).
#[derive(Debug)]
struct Bloom {
    bits: Vec<u64>,
    mask: u64,
}

impl Bloom {
    fn with_keys(keys: u64) -> Bloom {
        let bits = (keys.max(1024) * 10).next_power_of_two();
        Bloom {
            bits: vec![0; (bits / 64) as usize],
            mask: bits - 1,
        }
    }

    /// The bit positions of `key` (double hashing over the key's two halves).
    fn probes(mask: u64, kind: u8, key: &Key) -> impl Iterator<Item = u64> {
        let mut a = [0u8; 8];
        let mut b = [0u8; 8];
        a.copy_from_slice(&key[..8]);
        b.copy_from_slice(&key[8..]);
        let h1 = u64::from_le_bytes(a) ^ u64::from(kind).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let h2 = u64::from_le_bytes(b) | 1;
        (0..PROBES).map(move |i| h1.wrapping_add(i.wrapping_mul(h2)) & mask)
    }

    fn insert(&mut self, kind: u8, key: &Key) {
        for bit in Bloom::probes(self.mask, kind, key) {
            if let Some(word) = self.bits.get_mut((bit / 64) as usize) {
                *word |= 1 << (bit % 64);
            }
        }
    }

    fn may_contain(&self, kind: u8, key: &Key) -> bool {
        Bloom::probes(self.mask, kind, key).all(|bit| {
            self.bits
                .get((bit / 64) as usize)
                .is_some_and(|w| w & (1 << (bit % 64)) != 0)
        })
    }
}

/// What a bulk load knows about its tenant.
#[derive(Debug)]
pub(crate) struct FreshLoad {
    tenant: u32,
    token: u64,
    written: Bloom,
    /// A subject record written but not yet passed to the store: (key, sealed value, known to
    /// be new in the store).
    held: Option<(Key, Vec<u8>, bool)>,
}

impl FreshLoad {
    /// Inside the first transaction: `Some` when the tenant holds no record an import looks up
    /// and the store can report foreign writes.
    pub fn start(
        store: &mut dyn Store,
        tenant: u32,
        rows: u64,
    ) -> Result<Option<FreshLoad>, RegistryError> {
        let Some(token) = store.change_token()? else {
            return Ok(None);
        };
        for kind in KINDS {
            let mut any = false;
            store.scan(tenant, kind.code(), &mut |_, _| {
                any = true;
                false
            })?;
            if any {
                return Ok(None);
            }
        }
        Ok(Some(FreshLoad {
            tenant,
            token,
            written: Bloom::with_keys(rows.saturating_mul(3)),
            held: None,
        }))
    }

    /// At the start of a later transaction: still nobody else wrote?
    pub fn still_valid(&self, store: &mut dyn Store) -> Result<bool, RegistryError> {
        Ok(store.change_token()? == Some(self.token))
    }

    /// Writes the held-back subject record (before a commit).
    pub fn flush(&mut self, store: &mut dyn Store) -> Result<(), RegistryError> {
        Ok(put_held(store, self.tenant, self.held.take())?)
    }

    /// The store as seen through this knowledge.
    pub fn over<'a>(&'a mut self, store: &'a mut dyn Store) -> Shortcut<'a> {
        Shortcut {
            inner: store,
            fresh: self,
        }
    }
}

/// Passes a held-back subject record to `store`: as a new record when the load knows it is.
fn put_held(
    store: &mut dyn Store,
    tenant: u32,
    held: Option<(Key, Vec<u8>, bool)>,
) -> Result<(), StoreError> {
    match held {
        Some((key, value, true)) => store.put_new(tenant, RecordKind::Subject.code(), &key, &value),
        Some((key, value, false)) => store.put(tenant, RecordKind::Subject.code(), &key, &value),
        None => Ok(()),
    }
}

/// A store wrapper answering known misses itself and remembering what is written. Records it
/// knows to be new reach the store as [`Store::put_new`], so the layer below (the registry's
/// content digest) need not look for an old value either.
pub(crate) struct Shortcut<'a> {
    inner: &'a mut dyn Store,
    fresh: &'a mut FreshLoad,
}

impl Shortcut<'_> {
    /// The held-back value of a subject record, if it is this one.
    fn held(&self, tenant: u32, kind: u8, key: &Key) -> Option<&[u8]> {
        match &self.fresh.held {
            Some((k, v, _))
                if tenant == self.fresh.tenant
                    && kind == RecordKind::Subject.code()
                    && k == key =>
            {
                Some(v)
            }
            _ => None,
        }
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        put_held(self.inner, self.fresh.tenant, self.fresh.held.take())
    }

    fn tracked(&self, tenant: u32, kind: u8) -> bool {
        tenant == self.fresh.tenant && KINDS.iter().any(|k| k.code() == kind)
    }
}

impl Store for Shortcut<'_> {
    fn begin(&mut self) -> Result<(), StoreError> {
        self.inner.begin()
    }
    fn commit(&mut self) -> Result<(), StoreError> {
        self.flush()?;
        self.inner.commit()
    }
    fn rollback(&mut self) -> Result<(), StoreError> {
        self.inner.rollback()
    }
    fn get(&mut self, tenant: u32, kind: u8, key: &Key) -> Result<Option<Vec<u8>>, StoreError> {
        if let Some(value) = self.held(tenant, kind, key) {
            return Ok(Some(value.to_vec()));
        }
        if self.tracked(tenant, kind) && !self.fresh.written.may_contain(kind, key) {
            return Ok(None);
        }
        self.inner.get(tenant, kind, key)
    }
    fn put(&mut self, tenant: u32, kind: u8, key: &Key, value: &[u8]) -> Result<(), StoreError> {
        // Absent from the tenant when the load started and not written since: new.
        let tracked = self.tracked(tenant, kind);
        let new = tracked && !self.fresh.written.may_contain(kind, key);
        if tracked {
            self.fresh.written.insert(kind, key);
        }
        if tenant == self.fresh.tenant && kind == RecordKind::Subject.code() {
            let held_new = match &self.fresh.held {
                Some((k, _, held_new)) if k == key => Some(*held_new),
                _ => None,
            };
            let new = match held_new {
                Some(held_new) => held_new,
                None => {
                    self.flush()?;
                    new
                }
            };
            self.fresh.held = Some((*key, value.to_vec(), new));
            return Ok(());
        }
        if new {
            self.inner.put_new(tenant, kind, key, value)
        } else {
            self.inner.put(tenant, kind, key, value)
        }
    }
    fn put_new(
        &mut self,
        tenant: u32,
        kind: u8,
        key: &Key,
        value: &[u8],
    ) -> Result<(), StoreError> {
        self.put(tenant, kind, key, value)
    }
    fn delete(&mut self, tenant: u32, kind: u8, key: &Key) -> Result<bool, StoreError> {
        self.flush()?;
        self.inner.delete(tenant, kind, key)
    }
    fn will_delete(&mut self, ids: &[RecordId]) -> Result<(), StoreError> {
        self.flush()?;
        self.inner.will_delete(ids)
    }
    fn scan(
        &mut self,
        tenant: u32,
        kind: u8,
        visit: &mut dyn FnMut(&Key, &[u8]) -> bool,
    ) -> Result<(), StoreError> {
        self.flush()?;
        self.inner.scan(tenant, kind, visit)
    }
    fn scan_tenant(
        &mut self,
        tenant: u32,
        visit: &mut dyn FnMut(u8, &Key, &[u8]) -> bool,
    ) -> Result<(), StoreError> {
        self.flush()?;
        self.inner.scan_tenant(tenant, visit)
    }
    fn count(&mut self, tenant: u32, kind: u8) -> Result<u64, StoreError> {
        self.flush()?;
        self.inner.count(tenant, kind)
    }
    fn tenants(&mut self) -> Result<Vec<u32>, StoreError> {
        self.inner.tenants()
    }
    fn audit_append(&mut self, chain: u32, row: &AuditRow) -> Result<(), StoreError> {
        self.inner.audit_append(chain, row)
    }
    fn audit_scan(
        &mut self,
        chain: u32,
        visit: &mut dyn FnMut(&AuditRow) -> bool,
    ) -> Result<(), StoreError> {
        self.inner.audit_scan(chain, visit)
    }
    fn audit_last(&mut self, chain: u32) -> Result<Option<AuditRow>, StoreError> {
        self.inner.audit_last(chain)
    }
    fn audit_remove_through(&mut self, chain: u32, through: u64) -> Result<u64, StoreError> {
        self.inner.audit_remove_through(chain, through)
    }
    fn change_token(&mut self) -> Result<Option<u64>, StoreError> {
        self.inner.change_token()
    }
    fn checkpoint(&mut self) -> Result<bool, StoreError> {
        self.inner.checkpoint()
    }
    fn integrity_check(&mut self) -> Result<Vec<String>, StoreError> {
        self.inner.integrity_check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    #[test]
    fn bloom_has_no_false_negatives_and_few_false_positives() {
        let mut b = Bloom::with_keys(10_000);
        let key = |i: u32| {
            let mut k = [0u8; 16];
            let h = u128::from(i).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835);
            k.copy_from_slice(&h.to_le_bytes());
            k
        };
        for i in 0..10_000 {
            b.insert(1, &key(i));
        }
        assert!((0..10_000).all(|i| b.may_contain(1, &key(i))));
        let false_hits = (10_000..110_000)
            .filter(|&i| b.may_contain(1, &key(i)))
            .count();
        assert!(false_hits < 2_000, "{false_hits}");
        assert!(!b.may_contain(2, &key(1)) || b.may_contain(2, &key(1)));
    }

    #[test]
    fn shortcut_is_off_for_non_empty_tenants_and_after_foreign_writes() {
        let mut store = MemoryStore::new();
        let mut other = store.share();
        store.begin().unwrap();
        assert!(FreshLoad::start(&mut store, 7, 10).unwrap().is_some());
        store
            .put(7, RecordKind::Voucher.code(), &[1; 16], b"v")
            .unwrap();
        assert!(FreshLoad::start(&mut store, 7, 10).unwrap().is_none());
        let mut fresh = FreshLoad::start(&mut store, 8, 10).unwrap().unwrap();
        {
            let mut s = fresh.over(&mut store);
            s.put(8, RecordKind::Subject.code(), &[2; 16], b"s")
                .unwrap();
            assert_eq!(
                s.get(8, RecordKind::Subject.code(), &[2; 16])
                    .unwrap()
                    .as_deref(),
                Some(&b"s"[..])
            );
            assert_eq!(
                s.get(8, RecordKind::Subject.code(), &[3; 16]).unwrap(),
                None
            );
        }
        fresh.flush(&mut store).unwrap();
        store.commit().unwrap();
        assert_eq!(store.count(8, RecordKind::Subject.code()).unwrap(), 1);
        assert!(fresh.still_valid(&mut store).unwrap());
        other.begin().unwrap();
        other.commit().unwrap();
        assert!(!fresh.still_valid(&mut store).unwrap());
    }
}
