//! A tenant's area: its keys, and typed access to its sealed records.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde::{de::DeserializeOwned, Serialize};

use crate::crypto::{CryptoError, KeyProvider, RecordKey, RecordKind, SealContext, TenantKeys};
use crate::id::MunicipalityCode;
use crate::par::ValueBatch;
use crate::store::{RecordId, Store};

use super::anchor::{self, IntegrityKeys};
use super::error::RegistryError;
use super::keycheck::{self, KeyCheck};
use super::model::{self, TenantMetaRec};

/// One tenant's area: everything in it is sealed with its keys.
#[derive(Debug, Clone)]
pub(crate) struct Area {
    pub code: MunicipalityCode,
    /// The tenant's number in the store.
    pub id: u32,
    pub keys: Arc<TenantKeys>,
}

impl Area {
    /// The record key of a natural key.
    pub fn key(&self, kind: RecordKind, natural: &[u8]) -> RecordKey {
        self.keys.pseudonym(kind, natural)
    }

    /// Opens and decodes a record.
    pub fn load<T: DeserializeOwned>(
        &self,
        store: &mut dyn Store,
        kind: RecordKind,
        key: &RecordKey,
    ) -> Result<Option<T>, RegistryError> {
        match store.get(self.id, kind.code(), key.as_bytes())? {
            Some(sealed) => Ok(Some(self.open(kind, key, &sealed)?)),
            None => Ok(None),
        }
    }

    /// Opens and decodes a sealed value of record `key`.
    pub fn open<T: DeserializeOwned>(
        &self,
        kind: RecordKind,
        key: &RecordKey,
        sealed: &[u8],
    ) -> Result<T, RegistryError> {
        let plain = self.open_bytes(kind, key, sealed)?;
        model::decode(&plain).map_err(|e| match e {
            RegistryError::Corrupt(why) => RegistryError::Corrupt(format!(
                "{}, {} record {key}: {why}",
                self.code.as_str(),
                kind.name()
            )),
            other => other,
        })
    }

    /// Opens a sealed value; a value that does not open under the (checked) key is tampering,
    /// named by tenant, kind and pseudonymous key.
    pub fn open_bytes(
        &self,
        kind: RecordKind,
        key: &RecordKey,
        sealed: &[u8],
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, RegistryError> {
        let ctx = SealContext::new(&self.code, kind, key);
        self.keys.open(&ctx, sealed).map_err(|e| match e {
            CryptoError::OpenFailed | CryptoError::Malformed(_) => {
                RegistryError::Tampered(format!(
                    "{}, {} record {key}: the sealed value does not open ({})",
                    self.code.as_str(),
                    kind.name(),
                    match e {
                        CryptoError::Malformed(what) => what,
                        _ => "altered, truncated, or moved from another place",
                    }
                ))
            }
            other => RegistryError::Crypto(other),
        })
    }

    /// Opens `sealed` (a value of record `key` of `kind`) and seals it again under the write
    /// version: a key rotation's step.
    pub fn reseal(
        &self,
        kind: RecordKind,
        key: &RecordKey,
        sealed: &[u8],
    ) -> Result<Vec<u8>, RegistryError> {
        let plain = self.open_bytes(kind, key, sealed)?;
        let ctx = SealContext::new(&self.code, kind, key);
        Ok(self.keys.seal(&ctx, &plain)?)
    }

    /// Encodes, seals and stores a record.
    pub fn save<T: Serialize>(
        &self,
        store: &mut dyn Store,
        kind: RecordKind,
        key: &RecordKey,
        record: &T,
    ) -> Result<(), RegistryError> {
        let sealed = self.seal(kind, key, record)?;
        Ok(store.put(self.id, kind.code(), key.as_bytes(), &sealed)?)
    }

    /// Encodes and seals a record for `key` without storing it.
    pub fn seal<T: Serialize>(
        &self,
        kind: RecordKind,
        key: &RecordKey,
        record: &T,
    ) -> Result<Vec<u8>, RegistryError> {
        let plain = model::encode(record)?;
        let ctx = SealContext::new(&self.code, kind, key);
        Ok(self.keys.seal(&ctx, &plain)?)
    }

    /// Removes a record.
    pub fn remove(
        &self,
        store: &mut dyn Store,
        kind: RecordKind,
        key: &RecordKey,
    ) -> Result<bool, RegistryError> {
        Ok(store.delete(self.id, kind.code(), key.as_bytes())?)
    }

    /// Calls `visit` with every record of `kind`, opened and decoded, until it returns `false`.
    ///
    /// Records are opened and decoded a batch ([`ValueBatch`]) at a time on every core
    /// (opening is most of what a scan of a large tenant costs: retention, purge, exports,
    /// statistics), then visited in key order on the caller's thread. A record is only opened
    /// ahead of its visit, never reported ahead of it: the first failure met in key order is
    /// returned, and nothing after a visit that returned `false` is visited or reported.
    pub fn scan<T: DeserializeOwned + Send>(
        &self,
        store: &mut dyn Store,
        kind: RecordKind,
        visit: impl FnMut(RecordKey, T) -> Result<bool, RegistryError>,
    ) -> Result<(), RegistryError> {
        self.scan_map(store, kind, |_, record: T| Ok(record), visit)
    }

    /// [`Area::scan`] with a first step, `map`, run on every core beside the opening: what a
    /// visit needs of a record is worked out where the record was decoded, and only that
    /// reaches the caller's thread (which then does only what must be done in order).
    pub fn scan_map<T: DeserializeOwned, U: Send>(
        &self,
        store: &mut dyn Store,
        kind: RecordKind,
        map: impl Fn(&RecordKey, T) -> Result<U, RegistryError> + Sync,
        mut visit: impl FnMut(RecordKey, U) -> Result<bool, RegistryError>,
    ) -> Result<(), RegistryError> {
        let mut batch = ValueBatch::new();
        let mut outcome: Result<bool, RegistryError> = Ok(true);
        let mut visit_batch = |batch: &mut ValueBatch<RecordKey>| {
            let mapped = batch.map(|key, sealed| map(key, self.open::<T>(kind, key, sealed)?));
            for (key, item) in batch.metas().zip(mapped) {
                if !visit(*key, item?)? {
                    return Ok(false);
                }
            }
            batch.clear();
            Ok(true)
        };
        store.scan(self.id, kind.code(), &mut |key, sealed| {
            batch.push(RecordKey(*key), sealed);
            if !batch.is_full() {
                return true;
            }
            outcome = visit_batch(&mut batch);
            matches!(outcome, Ok(true))
        })?;
        if matches!(outcome, Ok(true)) {
            outcome = visit_batch(&mut batch);
        }
        outcome.map(|_| ())
    }
}

/// The municipality codes of every tenant in the store (the store keys tenants by number).
pub(crate) fn tenant_codes(store: &mut dyn Store) -> Result<Vec<MunicipalityCode>, RegistryError> {
    Ok(store
        .tenants()?
        .into_iter()
        .filter_map(MunicipalityCode::from_u32)
        .collect())
}

/// The areas opened so far, and the key provider for the others.
pub(crate) struct AreaCache {
    keys: Box<dyn KeyProvider>,
    integrity: IntegrityKeys,
    /// Each open area, with the store's change token when its content was last verified.
    open: HashMap<MunicipalityCode, (Area, Option<u64>)>,
    /// Tenants whose content failed verification at a change token: why.
    tampered: HashMap<MunicipalityCode, (String, Option<u64>)>,
    /// The registry's own area (the inquiry index): the outcome of its last verification
    /// (`Err`: why it failed) and the change token it was made at.
    registry_area: Option<(Result<(), String>, Option<u64>)>,
}

impl AreaCache {
    pub fn new(keys: Box<dyn KeyProvider>, integrity: IntegrityKeys) -> AreaCache {
        AreaCache {
            keys,
            integrity,
            open: HashMap::new(),
            tampered: HashMap::new(),
            registry_area: None,
        }
    }

    /// Verifies the registry's own area (the inquiry index, the anchor's index) against its
    /// authenticated content digest, once and again after another connection committed, as
    /// [`AreaCache::get`] does for a tenant: an inquiry never answers from an index entry that
    /// was altered, put back or deleted outside the registry (a deleted entry would turn a
    /// match into a no-match without a word).
    ///
    /// # Errors
    /// [`RegistryError::Tampered`] naming what does not match; store failures.
    pub fn verify_registry_area(&mut self, store: &mut dyn Store) -> Result<(), RegistryError> {
        let token = store.change_token()?;
        if let Some((outcome, at)) = &self.registry_area {
            if token.is_none() || *at == token {
                return outcome.clone().map_err(RegistryError::Tampered);
            }
        }
        let findings = anchor::verify_content(store, &self.integrity, anchor::REGISTRY)?;
        let outcome = anchor::summary(&findings).map_or(Ok(()), Err);
        self.registry_area = Some((outcome.clone(), token));
        outcome.map_err(RegistryError::Tampered)
    }

    /// The area of an existing tenant whose content has been verified against its
    /// authenticated digest (once, and again after another connection committed) and whose
    /// keys match its key check values. Tampered content is refused, so it is never served.
    ///
    /// Must not be called inside a transaction that already wrote (it compares committed
    /// state).
    pub fn get(
        &mut self,
        store: &mut dyn Store,
        code: &MunicipalityCode,
    ) -> Result<Area, RegistryError> {
        let token = store.change_token()?;
        if let Some((area, at)) = self.open.get(code) {
            if token.is_none() || *at == token {
                return Ok(area.clone());
            }
        }
        self.open.remove(code);
        if let Some((why, at)) = self.tampered.get(code) {
            if token.is_some() && *at == token {
                return Err(RegistryError::Tampered(why.clone()));
            }
        }
        let findings = anchor::verify_content(store, &self.integrity, code.to_u32())?;
        if let Some(why) = anchor::summary(&findings) {
            self.tampered.insert(*code, (why.clone(), token));
            return Err(RegistryError::Tampered(why));
        }
        self.tampered.remove(code);
        let area = self.checked(store, code)?;
        let meta: Option<TenantMetaRec> = area.load(
            store,
            RecordKind::TenantMeta,
            &crate::crypto::RecordKey::SINGLETON,
        )?;
        if meta.is_none() {
            return Err(RegistryError::Tampered(format!(
                "{}, tenant-meta: the tenant's settings record is missing",
                code.as_str()
            )));
        }
        self.open.insert(*code, (area.clone(), token));
        Ok(area)
    }

    /// The area of an existing tenant with its keys checked, its content not verified: for
    /// inspection (audit verification and review), which must work on a tampered tenant too.
    pub fn for_inspection(
        &mut self,
        store: &mut dyn Store,
        code: &MunicipalityCode,
    ) -> Result<Area, RegistryError> {
        if let Some((area, _)) = self.open.get(code) {
            return Ok(area.clone());
        }
        self.checked(store, code)
    }

    /// The area of `code` with every key version its key record lists, checked against the
    /// record's check values.
    fn checked(
        &self,
        store: &mut dyn Store,
        code: &MunicipalityCode,
    ) -> Result<Area, RegistryError> {
        let Some(check) = keycheck::load(store, code.to_u32())? else {
            return Err(RegistryError::UnknownTenant(code.as_str().to_owned()));
        };
        self.with_keys(code, &check)
    }

    /// The area of `code` with the key versions `check` lists, checked against its values.
    pub fn with_keys(
        &self,
        code: &MunicipalityCode,
        check: &KeyCheck,
    ) -> Result<Area, RegistryError> {
        let mut keys = self.keys.tenant_keys(code)?;
        for (v, _) in &check.versions {
            if *v != 1 {
                keys.add_version(*v, &self.keys.tenant_key_version(code, *v)?);
            }
        }
        check.verify(code.as_str(), &keys)?;
        keys.set_write_version(check.write)?;
        Ok(Area {
            code: *code,
            id: code.to_u32(),
            keys: Arc::new(keys),
        })
    }

    /// The key provider (a rotation asks it for a new version).
    pub fn provider(&self) -> &dyn KeyProvider {
        &*self.keys
    }

    /// The area of `code` with keys from the provider (version 1), not checked against the
    /// store: for a tenant being created.
    pub fn fresh(&self, code: &MunicipalityCode) -> Result<Area, RegistryError> {
        Ok(Area {
            code: *code,
            id: code.to_u32(),
            keys: Arc::new(self.keys.tenant_keys(code)?),
        })
    }

    /// Caches an area this registry just wrote (a new tenant, new key versions), as verified
    /// at the current change token.
    pub fn remember(&mut self, store: &mut dyn Store, area: Area) -> Result<(), RegistryError> {
        let token = store.change_token()?;
        self.tampered.remove(&area.code);
        self.open.insert(area.code, (area, token));
        Ok(())
    }
}

/// `open(i, value)` of every record of `ids` (`None` when absent), in order, each called on the
/// thread that read the record ([`Store::visit_many`]).
///
/// # Errors
/// The first failure (by position) of `open`; store failures.
pub(crate) fn read_many<T: Send + Sync>(
    store: &mut dyn Store,
    ids: &[RecordId],
    open: impl Fn(usize, Option<&[u8]>) -> Result<T, RegistryError> + Sync,
) -> Result<Vec<T>, RegistryError> {
    let slots: Vec<OnceLock<Result<T, RegistryError>>> = std::iter::repeat_with(OnceLock::new)
        .take(ids.len())
        .collect();
    store.visit_many(ids, &|i, value| {
        if let Some(slot) = slots.get(i) {
            // Each index is visited once; a second visit would be the store's bug, and is
            // ignored rather than allowed to replace the first value.
            let _ = slot.set(open(i, value));
        }
    })?;
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner().unwrap_or_else(|| {
                Err(RegistryError::Corrupt(
                    "the store skipped a record of a batch read".into(),
                ))
            })
        })
        .collect()
}
