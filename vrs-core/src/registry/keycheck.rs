//! A tenant's key record (kind `key-check`, not sealed): which key versions its records may be
//! sealed with, the one new records are sealed with, a rotation in progress, and each version's
//! key check value.
//!
//! The check values tell a wrong key (the provider hands out another key: [`RegistryError::
//! WrongKey`]) from damage (a record that does not open under the right key:
//! [`RegistryError::Tampered`]). Each carries a checksum, so a damaged check value reads as
//! damage too. The record is part of the tenant's content digest.

use crate::crypto::{RecordKind, TenantKeys};
use crate::store::Store;

use super::anchor::{compare_check, stored_check, CheckValue};
use super::error::RegistryError;

const FORMAT: u8 = 1;
const SINGLETON: [u8; 16] = [0; 16];
/// Versions listed at most (1, the one being replaced, the new one; more only by damage).
const MAX_VERSIONS: usize = 16;

/// A tenant's key versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyCheck {
    /// The version new records are sealed with.
    pub write: u32,
    /// The version a rotation in progress replaces (records may still be sealed with it).
    pub rotating_from: Option<u32>,
    /// Every version in use (always 1: pseudonyms and the audit MAC derive from it), with its
    /// stored check value (16 bytes and a checksum).
    pub versions: Vec<(u32, [u8; 20])>,
}

impl KeyCheck {
    /// The record of keys that seal with their write version and hold versions `versions`.
    pub fn of(keys: &TenantKeys, versions: &[u32], rotating_from: Option<u32>) -> KeyCheck {
        KeyCheck {
            write: keys.write_version(),
            rotating_from,
            versions: versions
                .iter()
                .filter_map(|v| keys.check_value(*v).map(|c| (*v, stored_check(&c))))
                .collect(),
        }
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut b = vec![FORMAT];
        b.extend_from_slice(&self.write.to_be_bytes());
        b.extend_from_slice(&self.rotating_from.unwrap_or(0).to_be_bytes());
        b.push(self.versions.len() as u8);
        for (v, check) in &self.versions {
            b.extend_from_slice(&v.to_be_bytes());
            b.extend_from_slice(check);
        }
        b
    }

    fn parse(bytes: &[u8]) -> Option<KeyCheck> {
        let (&format, rest) = bytes.split_first()?;
        if format != FORMAT || rest.len() < 9 {
            return None;
        }
        let num = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        let write = num(&rest[..4]);
        let from = num(&rest[4..8]);
        let n = usize::from(rest[8]);
        let list = &rest[9..];
        if n > MAX_VERSIONS || list.len() != n * 24 {
            return None;
        }
        let versions: Vec<(u32, [u8; 20])> = list
            .chunks_exact(24)
            .map(|c| {
                let mut check = [0u8; 20];
                check.copy_from_slice(&c[4..]);
                (num(&c[..4]), check)
            })
            .collect();
        let listed = |v: u32| versions.iter().any(|(x, _)| *x == v);
        if !listed(1) || !listed(write) || (from != 0 && !listed(from)) {
            return None;
        }
        Some(KeyCheck {
            write,
            rotating_from: (from != 0).then_some(from),
            versions,
        })
    }

    /// Compares the stored check values with `keys` (which must hold every listed version).
    ///
    /// # Errors
    /// [`RegistryError::WrongKey`] for another key, [`RegistryError::Tampered`] for a damaged
    /// check value.
    pub fn verify(&self, tenant: &str, keys: &TenantKeys) -> Result<(), RegistryError> {
        for (v, stored) in &self.versions {
            let ours = keys.check_value(*v).unwrap_or([0; 16]);
            match compare_check(stored, &ours) {
                CheckValue::Matches => {}
                CheckValue::OtherKey if *v == 1 => {
                    return Err(RegistryError::WrongKey(format!("tenant {tenant}")))
                }
                CheckValue::OtherKey => {
                    return Err(RegistryError::WrongKey(format!(
                        "tenant {tenant} (key version {v})"
                    )))
                }
                CheckValue::Damaged => {
                    return Err(RegistryError::Tampered(format!(
                        "{tenant}, key-check: the key check value of version {v} is damaged"
                    )))
                }
            }
        }
        Ok(())
    }
}

/// The key record of `tenant`, if any.
///
/// # Errors
/// [`RegistryError::Tampered`] for a malformed record; store failures.
pub(crate) fn load(store: &mut dyn Store, tenant: u32) -> Result<Option<KeyCheck>, RegistryError> {
    match store.get(tenant, RecordKind::KeyCheck.code(), &SINGLETON)? {
        None => Ok(None),
        Some(bytes) => KeyCheck::parse(&bytes).map(Some).ok_or_else(|| {
            RegistryError::Tampered(format!(
                "{}, key-check: the key record is malformed",
                super::anchor::scope_name(tenant)
            ))
        }),
    }
}

/// Stores the key record of `tenant` (inside the caller's transaction).
///
/// # Errors
/// Store failures.
pub(crate) fn save(
    store: &mut dyn Store,
    tenant: u32,
    check: &KeyCheck,
) -> Result<(), RegistryError> {
    Ok(store.put(
        tenant,
        RecordKind::KeyCheck.code(),
        &SINGLETON,
        &check.to_bytes(),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{KeyProvider, MasterKeyProvider};
    use crate::id::MunicipalityCode;

    #[test]
    fn round_trips_and_tells_a_wrong_key_from_damage() {
        let t = MunicipalityCode::parse("131016").unwrap();
        let p = MasterKeyProvider::new([1; 32]);
        let mut keys = p.tenant_keys(&t).unwrap();
        keys.add_version(2, &p.tenant_key_version(&t, 2).unwrap());
        keys.set_write_version(2).unwrap();
        let check = KeyCheck::of(&keys, &[1, 2], Some(1));
        let bytes = check.to_bytes();
        assert_eq!(KeyCheck::parse(&bytes), Some(check.clone()));
        check.verify("131016", &keys).unwrap();
        let other = MasterKeyProvider::new([2; 32]).tenant_keys(&t).unwrap();
        assert!(matches!(
            check.verify("131016", &other),
            Err(RegistryError::WrongKey(w)) if w == "tenant 131016"
        ));
        // Any flipped bit: malformed, or damaged; never a wrong key.
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 1;
            if let Some(c) = KeyCheck::parse(&bad) {
                assert!(
                    !matches!(c.verify("131016", &keys), Err(RegistryError::WrongKey(_))),
                    "flip at {i}"
                );
            }
        }
        assert_eq!(KeyCheck::parse(&[]), None);
        assert_eq!(KeyCheck::parse(&bytes[..12]), None);
    }
}
