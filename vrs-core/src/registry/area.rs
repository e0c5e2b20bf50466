//! A tenant's area: its keys, and typed access to its sealed records.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{de::DeserializeOwned, Serialize};

use crate::crypto::{CryptoError, KeyProvider, RecordKey, RecordKind, SealContext, TenantKeys};
use crate::id::MunicipalityCode;
use crate::store::Store;

use super::error::RegistryError;
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

    fn open<T: DeserializeOwned>(
        &self,
        kind: RecordKind,
        key: &RecordKey,
        sealed: &[u8],
    ) -> Result<T, RegistryError> {
        let ctx = SealContext::new(&self.code, kind, key);
        let plain = self.keys.open(&ctx, sealed)?;
        model::decode(&plain)
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
    pub fn scan<T: DeserializeOwned>(
        &self,
        store: &mut dyn Store,
        kind: RecordKind,
        mut visit: impl FnMut(RecordKey, T) -> Result<bool, RegistryError>,
    ) -> Result<(), RegistryError> {
        let mut failure = None;
        store.scan(self.id, kind.code(), &mut |key, sealed| {
            let key = RecordKey(*key);
            let step = self
                .open(kind, &key, sealed)
                .and_then(|rec| visit(key, rec));
            match step {
                Ok(go_on) => go_on,
                Err(e) => {
                    failure = Some(e);
                    false
                }
            }
        })?;
        failure.map_or(Ok(()), Err)
    }
}

/// The municipality codes of every tenant in the store (the store keys tenants by number).
pub(crate) fn tenant_codes(store: &mut dyn Store) -> Result<Vec<MunicipalityCode>, RegistryError> {
    Ok(store
        .tenants()?
        .into_iter()
        .filter_map(|id| MunicipalityCode::parse(&format!("{id:06}")).ok())
        .collect())
}

/// The areas opened so far, and the key provider for the others.
pub(crate) struct AreaCache {
    keys: Box<dyn KeyProvider>,
    open: HashMap<MunicipalityCode, Area>,
}

impl AreaCache {
    pub fn new(keys: Box<dyn KeyProvider>) -> AreaCache {
        AreaCache {
            keys,
            open: HashMap::new(),
        }
    }

    /// The area of an existing tenant, its key checked against the tenant's check record.
    pub fn get(
        &mut self,
        store: &mut dyn Store,
        code: &MunicipalityCode,
    ) -> Result<Area, RegistryError> {
        if let Some(a) = self.open.get(code) {
            return Ok(a.clone());
        }
        let area = self.fresh(code)?;
        let meta: Option<TenantMetaRec> = match area.load(
            store,
            RecordKind::TenantMeta,
            &crate::crypto::RecordKey::SINGLETON,
        ) {
            Ok(m) => m,
            Err(RegistryError::Crypto(CryptoError::OpenFailed)) => {
                return Err(RegistryError::WrongKey(code.as_str().to_owned()))
            }
            Err(e) => return Err(e),
        };
        if meta.is_none() {
            return Err(RegistryError::UnknownTenant(code.as_str().to_owned()));
        }
        self.open.insert(*code, area.clone());
        Ok(area)
    }

    /// The area of `code` with keys from the provider, not checked against the store.
    pub fn fresh(&self, code: &MunicipalityCode) -> Result<Area, RegistryError> {
        Ok(Area {
            code: *code,
            id: code.to_u32(),
            keys: Arc::new(self.keys.tenant_keys(code)?),
        })
    }

    /// Caches a newly created area.
    pub fn remember(&mut self, area: Area) {
        self.open.insert(area.code, area);
    }
}
