//! The associated data that binds a sealed value to its place.

use crate::id::MunicipalityCode;

use super::pseudonym::{RecordKey, RecordKind};

/// Format version of sealed values (first byte).
pub(super) const SEAL_VERSION: u8 = 1;

/// Where a sealed value lives: tenant, record kind and record key. It is the AES-GCM associated
/// data, so the value opens only in exactly this place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealContext {
    aad: [u8; 4 + 6 + 1 + 16],
}

impl SealContext {
    /// The context of record `key` of `kind` in `tenant`'s area.
    pub fn new(tenant: &MunicipalityCode, kind: RecordKind, key: &RecordKey) -> SealContext {
        let mut aad = [0u8; 27];
        aad[..4].copy_from_slice(b"vrs1");
        aad[4..10].copy_from_slice(tenant.as_str().as_bytes());
        aad[10] = kind.code();
        aad[11..].copy_from_slice(key.as_bytes());
        SealContext { aad }
    }

    /// The context of a registry-level record (the inquiry index): no tenant; the prefix differs
    /// from every tenant context's, so a tenant's sealed value never opens here and vice versa.
    pub fn registry(kind: RecordKind, key: &RecordKey) -> SealContext {
        let mut aad = [0u8; 27];
        aad[..4].copy_from_slice(b"vrsR");
        aad[4..10].copy_from_slice(b"------");
        aad[10] = kind.code();
        aad[11..].copy_from_slice(key.as_bytes());
        SealContext { aad }
    }

    /// The associated-data bytes.
    pub(super) fn bytes(&self) -> &[u8] {
        &self.aad
    }
}
