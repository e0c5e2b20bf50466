//! Rotating a tenant's key: every record re-sealed under a new key version, in batches, each its
//! own transaction, so other tenants (and other processes) keep working between batches and a
//! crash loses nothing.
//!
//! 1. The key provider makes the new version available
//!    ([`crate::crypto::KeyProvider::create_tenant_key_version`]), and one transaction records
//!    it in the tenant's key record as the version new records are sealed with, the old one
//!    still listed ("rotating from"). From then on every write uses the new version.
//! 2. Batches of records still sealed under another version are opened and sealed again, each
//!    batch one transaction with its audit entry. A value names the version it is sealed with,
//!    so after a crash at any point every record opens under exactly one listed key.
//! 3. A last transaction re-seals any record written under an old version meanwhile (by another
//!    process that had not seen the new key record yet) and drops the old version from the key
//!    record. The host may then retire the old key — except version 1, from which the tenant's
//!    record keys (pseudonyms) and audit MAC are derived.
//!
//! Calling it again after a crash resumes the rotation in progress.

use serde::Serialize;

use crate::crypto::{RecordKey, RecordKind, TenantKeys};
use crate::id::MunicipalityCode;

use super::area::Area;
use super::error::RegistryError;
use super::keycheck::{self, KeyCheck};
use super::principal::Principal;
use super::Registry;

/// What a key rotation did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRotation {
    /// The tenant.
    pub tenant: String,
    /// The key version replaced.
    pub from_version: u32,
    /// The key version every record is sealed with afterwards.
    pub to_version: u32,
    /// Records this call re-sealed (so far).
    pub records: u64,
    /// Transactions this call committed (so far).
    pub batches: u64,
    /// This call continued a rotation an earlier call started (and did not finish).
    pub resumed: bool,
    /// The rotation is complete: every record is sealed under `to_version`.
    pub finished: bool,
}

const OP: &str = "rotate-key";

/// The records of `area` not sealed under `version`, as (kind, key), in store order. Values
/// that name no version (damaged) are left to verification.
fn outdated(
    store: &mut dyn crate::store::Store,
    area: &Area,
    version: u32,
) -> Result<Vec<(RecordKind, RecordKey)>, RegistryError> {
    let mut out = Vec::new();
    store.scan_tenant(area.id, &mut |code, key, value| {
        let Some(kind) = RecordKind::from_code(code) else {
            return true; // A kind this version does not know: left as it is.
        };
        if kind.is_sealed() && TenantKeys::sealed_version(value).is_ok_and(|v| v != version) {
            out.push((kind, RecordKey(*key)));
        }
        true
    })?;
    Ok(out)
}

/// Re-seals `records` of `area` still under another version than its write version, inside
/// the open transaction; returns the keys re-sealed.
fn reseal(
    store: &mut dyn crate::store::Store,
    area: &Area,
    records: &[(RecordKind, RecordKey)],
) -> Result<Vec<RecordKey>, RegistryError> {
    let to = area.keys.write_version();
    let mut done = Vec::new();
    for (kind, key) in records {
        let Some(value) = store.get(area.id, kind.code(), key.as_bytes())? else {
            continue; // Removed since the scan.
        };
        if TenantKeys::sealed_version(&value).is_ok_and(|v| v == to) {
            continue;
        }
        let sealed = area.reseal(*kind, key, &value)?;
        store.put(area.id, kind.code(), key.as_bytes(), &sealed)?;
        done.push(*key);
    }
    Ok(done)
}

impl Registry {
    /// Re-seals every record of `tenant` under a new key version (operator only): see the
    /// design notes at the top of `vrs-core/src/registry/rotate.rs`. Resumes a rotation an
    /// earlier call did not finish.
    ///
    /// # Errors
    /// [`RegistryError::Forbidden`], [`RegistryError::UnknownTenant`],
    /// [`RegistryError::Crypto`] when the key provider cannot create or hand out the new
    /// version, [`RegistryError::Tampered`] for a tenant whose content fails verification (or a
    /// record that does not open), store failures. What was committed before a failure stays;
    /// calling again continues.
    pub fn rotate_tenant_key(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
    ) -> Result<KeyRotation, RegistryError> {
        self.rotate_tenant_key_with(principal, tenant, &mut |_| {})
    }

    /// [`Registry::rotate_tenant_key`], calling `on_batch` with the progress after every
    /// committed transaction.
    ///
    /// # Errors
    /// As for [`Registry::rotate_tenant_key`].
    pub fn rotate_tenant_key_with(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        on_batch: &mut dyn FnMut(&KeyRotation),
    ) -> Result<KeyRotation, RegistryError> {
        if !matches!(principal, Principal::Operator) {
            return self.refuse_without_area(principal, OP, "only the operator rotates keys");
        }
        self.refuse_if_quarantined(principal, OP)?;
        let area = match self.areas.get(&mut *self.store, tenant) {
            Ok(a) => a,
            Err(e) => {
                self.audit_alone(principal, OP, None, "failed", Some(e.code()), vec![])?;
                return Err(e);
            }
        };
        let result = self.rotate(principal, tenant, area, on_batch);
        if let Err(e) = &result {
            self.store.rollback()?;
            let area = self.areas.for_inspection(&mut *self.store, tenant).ok();
            self.audit_alone(
                principal,
                OP,
                area.as_ref(),
                "failed",
                Some(e.code()),
                vec![],
            )?;
        }
        result
    }

    fn rotate(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        area: Area,
        on_batch: &mut dyn FnMut(&KeyRotation),
    ) -> Result<KeyRotation, RegistryError> {
        let check = keycheck::load(&mut *self.store, area.id)?
            .ok_or_else(|| RegistryError::UnknownTenant(tenant.as_str().to_owned()))?;
        let mut progress = KeyRotation {
            tenant: tenant.as_str().to_owned(),
            from_version: check.rotating_from.unwrap_or(check.write),
            to_version: check.write,
            records: 0,
            batches: 0,
            resumed: check.rotating_from.is_some(),
            finished: false,
        };
        let area = if progress.resumed {
            area
        } else {
            // Step 1: a new version, recorded as the write version.
            let to = check.versions.iter().map(|(v, _)| *v).max().unwrap_or(1) + 1;
            progress.to_version = to;
            let provider = self.areas.provider();
            provider.create_tenant_key_version(tenant, to)?;
            let mut keys = (*area.keys).clone();
            keys.add_version(to, &provider.tenant_key_version(tenant, to)?);
            keys.set_write_version(to)?;
            let mut versions = vec![1, progress.from_version, to];
            versions.dedup();
            let next = KeyCheck::of(&keys, &versions, Some(progress.from_version));
            let area = Area {
                keys: std::sync::Arc::new(keys),
                ..area
            };
            self.store.begin()?;
            keycheck::save(&mut *self.store, area.id, &next)?;
            self.commit_batch(principal, &area, OP, vec![])?;
            self.areas.remember(&mut *self.store, area.clone())?;
            progress.batches += 1;
            on_batch(&progress);
            area
        };

        // Step 2: the records in batches.
        let batch = self.config.rotation_batch_records.max(1);
        let todo = outdated(&mut *self.store, &area, progress.to_version)?;
        for chunk in todo.chunks(batch) {
            self.store.begin()?;
            let done = reseal(&mut *self.store, &area, chunk)?;
            progress.records += done.len() as u64;
            self.commit_batch(principal, &area, OP, done)?;
            progress.batches += 1;
            on_batch(&progress);
        }

        // Step 3: stragglers, and the old version off the key record.
        self.store.begin()?;
        let late = outdated(&mut *self.store, &area, progress.to_version)?;
        let done = reseal(&mut *self.store, &area, &late)?;
        progress.records += done.len() as u64;
        let mut versions = vec![1, progress.to_version];
        versions.dedup();
        let last = KeyCheck::of(&area.keys, &versions, None);
        keycheck::save(&mut *self.store, area.id, &last)?;
        self.commit_batch(principal, &area, OP, done)?;
        let area = self.areas.with_keys(tenant, &last)?;
        self.areas.remember(&mut *self.store, area)?;
        progress.batches += 1;
        progress.finished = true;
        on_batch(&progress);
        Ok(progress)
    }
}
