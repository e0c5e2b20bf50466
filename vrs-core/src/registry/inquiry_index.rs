//! The registry-wide inquiry index: which tenants hold a person, found by My Number in one
//! lookup, so an inquiry costs the same with 20 tenants as with 1,741.
//!
//! Without it, an inquiry "of every municipality" computes each tenant's own pseudonym of the
//! My Number and looks it up in each area: 1,741 pseudonyms and lookups per number. The index
//! keeps, under one registry-wide pseudonym of the My Number, the list of tenants whose areas
//! hold a subject with that number; an inquiry then searches only those areas (each by its own
//! pseudonym, exactly as before).
//!
//! # What it holds, and who can read it
//! - **Key**: HMAC-SHA256 of the My Number under the inquiry-index pseudonym key (derived from
//!   the registry key under its own label), truncated to 128 bits. It differs from every
//!   tenant's record keys, so the index and a tenant's area cannot be joined by key.
//! - **Value**: the tenant numbers, sealed with AES-256-GCM under the inquiry-index sealing key
//!   (again derived from the registry key), with the record key in the associated data. The
//!   list is padded to a multiple of eight tenants.
//! - **Where**: registry-level records (number 0 in the store, the registry chain's area, kind
//!   [`RecordKind::InquiryIndex`]), behind the same [`Store`] trait as everything else; the
//!   store never reports number 0 as a tenant.
//! - **Who reads it**: only [`Registry::inquire`](super::Registry::inquire) and
//!   [`Registry::batch_inquire`](super::Registry::batch_inquire) open it, and they reveal a
//!   tenant only by returning that tenant's dose records under a legal basis, with an entry in
//!   the provider's provision log and the requester's inquiry log. No operation returns the
//!   index, and no tenant's key opens it.
//!
//! # What it reveals, to whom
//! - A tenant's staff learn nothing new: they can learn where a person is held only by a lawful,
//!   logged inquiry, as before.
//! - The operator or host (who sees the store's bytes but not the registry key) sees one entry
//!   per distinct My Number with a subject anywhere, how many tenants hold it (to a bucket of
//!   eight), and, from the timing of writes, which tenant's import added or removed it. The
//!   entry's key is not the number and cannot be turned back into it without the registry key.
//! - Whoever holds the registry key (the key provider) can test a candidate My Number against
//!   the index and learn which tenants hold it. Without the index they could do the same by
//!   deriving each tenant's key when the key provider derives tenant keys from one master
//!   key ([`MasterKeyProvider`](crate::crypto::MasterKeyProvider)); with independent tenant keys
//!   the index is what makes this possible, so the registry key must be guarded as well as the
//!   strongest tenant key.
//!
//! # Keeping it right
//! Every write that adds, changes or removes a subject's My Number calls
//! [`on_subject_my_number_changed`] inside its own transaction (the subject import, and purges
//! that delete subjects), so the index and the areas commit or roll back together.
//! [`Registry::rebuild_inquiry_index`](super::Registry::rebuild_inquiry_index) rebuilds it from
//! the areas (stores written before the index existed, or after a repair).

use std::collections::HashMap;
use std::sync::Arc;

use zeroize::Zeroizing;

use crate::crypto::{IndexKeys, RecordKey, RecordKind, SealContext, SecretKey};
use crate::id::MunicipalityCode;
use crate::par;
use crate::store::{RecordId, Store};

use super::access::Access;
use super::area::{read_many, tenant_codes};
use super::error::RegistryError;
use super::model::{SecretDigits, SubjectRec};
use super::principal::Principal;
use super::Registry;

/// Store number of registry-level records (shared with the registry-wide audit chain).
pub(crate) const REGISTRY_AREA: u32 = 0;

/// Format byte of an index entry.
const FORMAT: u8 = 1;

/// Tenants per padding bucket: an entry's length shows only how many buckets it fills.
const BUCKET: usize = 8;

/// The index's keys. Cheap to clone.
#[derive(Clone)]
pub(crate) struct InquiryIndex {
    keys: Arc<IndexKeys>,
}

impl std::fmt::Debug for InquiryIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InquiryIndex(<redacted>)")
    }
}

impl InquiryIndex {
    /// The index of the registry whose key is `registry_key`.
    pub fn new(registry_key: &SecretKey) -> InquiryIndex {
        InquiryIndex {
            keys: Arc::new(IndexKeys::derive(registry_key)),
        }
    }

    /// The entry key of a My Number (its 12 digits).
    pub fn key(&self, digits: &str) -> RecordKey {
        self.keys.pseudonym(digits.as_bytes())
    }

    /// The tenant numbers of the entry `key`, ascending (empty when there is none).
    pub fn holders_of(
        &self,
        store: &mut dyn Store,
        key: &RecordKey,
    ) -> Result<Vec<u32>, RegistryError> {
        let Some(sealed) = store.get(
            REGISTRY_AREA,
            RecordKind::InquiryIndex.code(),
            key.as_bytes(),
        )?
        else {
            return Ok(Vec::new());
        };
        self.open_entry(key, &sealed)
    }

    /// The tenant numbers in the sealed entry `key`.
    fn open_entry(&self, key: &RecordKey, sealed: &[u8]) -> Result<Vec<u32>, RegistryError> {
        let ctx = SealContext::registry(RecordKind::InquiryIndex, key);
        let plain = self.keys.open(&ctx, sealed)?;
        decode(&plain)
    }

    /// The tenants of each entry of `keys`, in order ([`InquiryIndex::holders_of`] as codes,
    /// for a batch: one batch of store reads, opened on every core).
    pub fn holders_of_many(
        &self,
        store: &mut dyn Store,
        keys: &[RecordKey],
    ) -> Result<Vec<Vec<MunicipalityCode>>, RegistryError> {
        let kind = RecordKind::InquiryIndex.code();
        let ids: Vec<RecordId> = keys
            .iter()
            .map(|k| (REGISTRY_AREA, kind, *k.as_bytes()))
            .collect();
        read_many(store, &ids, |i, sealed| {
            let Some(sealed) = sealed else {
                return Ok(Vec::new());
            };
            Ok(self
                .open_entry(&keys[i], sealed)?
                .into_iter()
                .filter_map(MunicipalityCode::from_u32)
                .collect())
        })
    }

    /// The tenants holding a subject with this My Number, ascending.
    #[cfg(test)]
    pub fn holders(
        &self,
        store: &mut dyn Store,
        digits: &str,
    ) -> Result<Vec<MunicipalityCode>, RegistryError> {
        Ok(self
            .holders_of_many(store, &[self.key(digits)])?
            .pop()
            .unwrap_or_default())
    }

    fn save(
        &self,
        store: &mut dyn Store,
        key: &RecordKey,
        tenants: &[u32],
    ) -> Result<(), RegistryError> {
        let kind = RecordKind::InquiryIndex.code();
        if tenants.is_empty() {
            store.delete(REGISTRY_AREA, kind, key.as_bytes())?;
            return Ok(());
        }
        let ctx = SealContext::registry(RecordKind::InquiryIndex, key);
        let sealed = self.keys.seal(&ctx, &encode(tenants))?;
        store.put(REGISTRY_AREA, kind, key.as_bytes(), &sealed)?;
        Ok(())
    }

    /// Adds (`true`) or removes (`false`) `tenant` in the entry of `digits`.
    fn update(
        &self,
        store: &mut dyn Store,
        digits: &str,
        tenant: u32,
        add: bool,
    ) -> Result<(), RegistryError> {
        let key = self.key(digits);
        let mut tenants = self.holders_of(store, &key)?;
        let at = tenants.binary_search(&tenant);
        match (add, at) {
            (true, Err(i)) => tenants.insert(i, tenant),
            (false, Ok(i)) => {
                tenants.remove(i);
            }
            _ => return Ok(()), // already as wanted
        }
        self.save(store, &key, &tenants)
    }
}

fn encode(tenants: &[u32]) -> Zeroizing<Vec<u8>> {
    let slots = tenants.len().div_ceil(BUCKET).max(1) * BUCKET;
    let mut out = Zeroizing::new(Vec::with_capacity(1 + 4 * slots));
    out.push(FORMAT);
    for t in tenants {
        out.extend_from_slice(&t.to_be_bytes());
    }
    // Padding: tenant number 0 is never a tenant.
    out.resize(1 + 4 * slots, 0);
    out
}

fn decode(plain: &[u8]) -> Result<Vec<u32>, RegistryError> {
    match plain.split_first() {
        Some((&FORMAT, body)) if body.len() % 4 == 0 => Ok(body
            .chunks_exact(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
            .filter(|&t| t != 0)
            .collect()),
        Some((&FORMAT, _)) | None => Err(RegistryError::Corrupt(
            "an inquiry index entry is malformed".into(),
        )),
        Some((v, _)) => Err(RegistryError::Corrupt(format!(
            "inquiry index format {v} is newer than this library"
        ))),
    }
}

/// Keeps the inquiry index right when a subject's My Number changes in `tenant`: `old` is the
/// number the subject had before the write (`None` for a new subject, or one without a number),
/// `new` the number it has after (`None` when the subject is deleted or its number removed).
/// Call it inside the write's transaction, once per subject written; equal numbers are a no-op.
///
/// A tenant holds at most one subject per My Number (rule N03), so removing the tenant from the
/// old number's entry is exact.
///
/// # Errors
/// Store and sealing failures (the caller rolls its transaction back).
pub(crate) fn on_subject_my_number_changed(
    store: &mut dyn Store,
    index: &InquiryIndex,
    tenant: &MunicipalityCode,
    old: Option<&SecretDigits>,
    new: Option<&SecretDigits>,
) -> Result<(), RegistryError> {
    if old == new {
        return Ok(());
    }
    let id = tenant.to_u32();
    if let Some(old) = old {
        index.update(store, &old.0, id, false)?;
    }
    if let Some(new) = new {
        index.update(store, &new.0, id, true)?;
    }
    Ok(())
}

/// The entries of the My Numbers `numbers` (the subjects a purge removes) without `tenant`:
/// each changed entry's key and remaining tenants (empty: the entry goes), in key order, for
/// [`save_entries`]. What [`on_subject_my_number_changed`] does for one subject, for many at
/// once: the entries are read in one batch in key order and opened on every core (read before
/// the transaction writes anything, the batch may use more than one connection, see
/// [`Store::visit_many`]).
///
/// # Errors
/// Store and sealing failures.
pub(crate) fn entries_without_tenant(
    store: &mut dyn Store,
    index: &InquiryIndex,
    tenant: &MunicipalityCode,
    numbers: &[&SecretDigits],
) -> Result<Vec<(RecordKey, Vec<u32>)>, RegistryError> {
    let mut keys: Vec<RecordKey> = par::map(numbers, |n| index.key(&n.0));
    keys.sort_unstable();
    keys.dedup();
    let ids: Vec<RecordId> = keys.iter().map(entry_id).collect();
    let entries = read_many(store, &ids, |i, sealed| match sealed {
        Some(sealed) => index.open_entry(&keys[i], sealed),
        None => Ok(Vec::new()),
    })?;
    let id = tenant.to_u32();
    Ok(keys
        .into_iter()
        .zip(entries)
        .filter_map(|(key, mut tenants)| {
            let at = tenants.binary_search(&id).ok()?;
            tenants.remove(at);
            Some((key, tenants))
        })
        .collect())
}

/// Writes the entries [`entries_without_tenant`] made (an entry with no tenant left is
/// removed), inside the caller's transaction.
///
/// # Errors
/// Store and sealing failures (the caller rolls its transaction back).
pub(crate) fn save_entries(
    store: &mut dyn Store,
    index: &InquiryIndex,
    entries: &[(RecordKey, Vec<u32>)],
) -> Result<(), RegistryError> {
    for (key, tenants) in entries {
        index.save(store, key, tenants)?;
    }
    Ok(())
}

/// The store id of the index entry `key`.
pub(crate) fn entry_id(key: &RecordKey) -> RecordId {
    (
        REGISTRY_AREA,
        RecordKind::InquiryIndex.code(),
        *key.as_bytes(),
    )
}

/// Replaces the whole index by one built from `holders` (entry key → tenant numbers), inside the
/// caller's transaction. Returns the number of entries written.
pub(crate) fn replace_all(
    store: &mut dyn Store,
    index: &InquiryIndex,
    holders: HashMap<RecordKey, Vec<u32>>,
) -> Result<u64, RegistryError> {
    let kind = RecordKind::InquiryIndex.code();
    let mut stale = Vec::new();
    store.scan(REGISTRY_AREA, kind, &mut |key, _| {
        stale.push(*key);
        true
    })?;
    for key in &stale {
        if !holders.contains_key(&RecordKey(*key)) {
            store.delete(REGISTRY_AREA, kind, key)?;
        }
    }
    let mut entries: Vec<(RecordKey, Vec<u32>)> = holders.into_iter().collect();
    entries.sort_unstable_by_key(|(k, _)| *k);
    for (key, tenants) in &mut entries {
        tenants.sort_unstable();
        tenants.dedup();
        index.save(store, key, tenants)?;
    }
    Ok(entries.len() as u64)
}

impl Registry {
    /// Rebuilds the inquiry index from every tenant's subjects (operator only): for a store
    /// written before the index existed, or after a repair. Returns the number of entries. The
    /// operator sees no personal data: only the count.
    ///
    /// # Errors
    /// [`RegistryError::Forbidden`], key and store failures (nothing is changed then).
    pub fn rebuild_inquiry_index(&mut self, principal: &Principal) -> Result<u64, RegistryError> {
        self.run(
            principal,
            "rebuild-inquiry-index",
            None,
            Access::Operator,
            |ctx| {
                let mut holders: HashMap<RecordKey, Vec<u32>> = HashMap::new();
                for code in tenant_codes(ctx.store)? {
                    let area = ctx.areas.get(ctx.store, &code)?;
                    area.scan::<SubjectRec>(ctx.store, RecordKind::Subject, |_, s| {
                        if let Some(n) = &s.my_number {
                            holders
                                .entry(ctx.index.key(&n.0))
                                .or_default()
                                .push(area.id);
                        }
                        Ok(true)
                    })?;
                }
                replace_all(ctx.store, ctx.index, holders)
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    fn digits(s: &str) -> SecretDigits {
        SecretDigits(s.to_owned())
    }

    #[test]
    fn entries_follow_adds_changes_and_removals() {
        let index = InquiryIndex::new(&SecretKey::new([3; 32]));
        let mut store = MemoryStore::new();
        let a = MunicipalityCode::parse("131016").unwrap();
        let b = MunicipalityCode::parse("131032").unwrap();
        let n1 = digits("123456789018");
        let n2 = digits("234567890121");
        store.begin().unwrap();
        on_subject_my_number_changed(&mut store, &index, &a, None, Some(&n1)).unwrap();
        on_subject_my_number_changed(&mut store, &index, &b, None, Some(&n1)).unwrap();
        on_subject_my_number_changed(&mut store, &index, &a, None, Some(&n1)).unwrap();
        assert_eq!(index.holders(&mut store, &n1.0).unwrap(), vec![a, b]);
        // A changed number moves the tenant; removing the last holder deletes the entry.
        on_subject_my_number_changed(&mut store, &index, &a, Some(&n1), Some(&n2)).unwrap();
        assert_eq!(index.holders(&mut store, &n1.0).unwrap(), vec![b]);
        assert_eq!(index.holders(&mut store, &n2.0).unwrap(), vec![a]);
        on_subject_my_number_changed(&mut store, &index, &b, Some(&n1), None).unwrap();
        assert!(index.holders(&mut store, &n1.0).unwrap().is_empty());
        store.commit().unwrap();
        assert_eq!(
            store
                .count(REGISTRY_AREA, RecordKind::InquiryIndex.code())
                .unwrap(),
            1
        );
        // Registry-level records are never reported as tenants; no digits in the bytes.
        assert!(store.tenants().unwrap().is_empty());
        let raw = store.raw_bytes();
        assert!(!raw.windows(12).any(|w| w == b"234567890121"));
    }

    #[test]
    fn padding_hides_the_count_within_a_bucket_and_decoding_checks_the_format() {
        assert_eq!(
            encode(&[131016]).len(),
            encode(&[1, 2, 3, 4, 5, 6, 7, 8]).len()
        );
        assert!(encode(&[1; 9]).len() > encode(&[1; 8]).len());
        assert_eq!(
            decode(&encode(&[11002, 131016])).unwrap(),
            vec![11002, 131016]
        );
        assert!(decode(&[]).is_err());
        assert!(decode(&[FORMAT, 1, 2]).is_err());
        assert!(decode(&[9, 0, 0, 0, 1]).is_err());
    }

    #[test]
    fn an_entry_copied_under_another_key_does_not_open() {
        let index = InquiryIndex::new(&SecretKey::new([4; 32]));
        let mut store = MemoryStore::new();
        let a = MunicipalityCode::parse("131016").unwrap();
        let (n1, n2) = (digits("123456789018"), digits("234567890121"));
        store.begin().unwrap();
        on_subject_my_number_changed(&mut store, &index, &a, None, Some(&n1)).unwrap();
        let kind = RecordKind::InquiryIndex.code();
        let k1 = index.key(&n1.0);
        let k2 = index.key(&n2.0);
        let v = store
            .get(REGISTRY_AREA, kind, k1.as_bytes())
            .unwrap()
            .unwrap();
        store.put(REGISTRY_AREA, kind, k2.as_bytes(), &v).unwrap();
        assert!(matches!(
            index.holders(&mut store, &n2.0),
            Err(RegistryError::Crypto(_))
        ));
    }
}
