//! Key material: the host's [`KeyProvider`], and the per-tenant sub-keys derived from it.

use std::collections::HashMap;
use std::fmt;

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use crate::id::MunicipalityCode;

use super::error::CryptoError;
use super::pseudonym::{RecordKey, RecordKind};
use super::seal::{SealContext, SEAL_VERSION};

type HmacSha256 = Hmac<Sha256>;

/// Bytes a sealed value adds to its plaintext under key version 1: format byte, nonce, tag (a
/// later key version adds its 4-byte number).
pub const SEAL_OVERHEAD: usize = 1 + 12 + 16;

/// Random bytes drawn from the OS in blocks, per thread: one system call serves 341 nonces.
struct NoncePool {
    /// The process the bytes were drawn in: a forked child must not reuse its parent's pool.
    pid: u32,
    bytes: [u8; 4092],
    used: usize,
}

thread_local! {
    static NONCES: std::cell::RefCell<NoncePool> = const {
        std::cell::RefCell::new(NoncePool { pid: 0, bytes: [0; 4092], used: 4092 })
    };
}

/// A fresh random 96-bit nonce.
fn fresh_nonce() -> Result<[u8; 12], CryptoError> {
    NONCES.with(|pool| {
        let mut pool = pool.borrow_mut();
        let pid = std::process::id();
        if pool.used + 12 > pool.bytes.len() || pool.pid != pid {
            getrandom::fill(&mut pool.bytes).map_err(|_| CryptoError::Random)?;
            pool.used = 0;
            pool.pid = pid;
        }
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&pool.bytes[pool.used..pool.used + 12]);
        pool.used += 12;
        Ok(nonce)
    })
}

/// A 32-byte key, wiped from memory when dropped; `Debug` never shows it.
#[derive(Clone)]
pub struct SecretKey(Zeroizing<[u8; 32]>);

impl SecretKey {
    /// Wraps 32 bytes of key material (the argument is wiped).
    pub fn new(mut bytes: [u8; 32]) -> SecretKey {
        let key = SecretKey(Zeroizing::new(bytes));
        bytes.zeroize();
        key
    }

    /// From exactly 32 bytes.
    ///
    /// # Errors
    /// [`CryptoError::BadKey`] for any other length.
    pub fn from_slice(bytes: &[u8]) -> Result<SecretKey, CryptoError> {
        let array: [u8; 32] = bytes
            .try_into()
            .map_err(|_| CryptoError::BadKey(format!("a key is 32 bytes, got {}", bytes.len())))?;
        Ok(SecretKey::new(array))
    }

    /// A fresh random key from the operating system.
    ///
    /// # Errors
    /// [`CryptoError::Random`] when the OS generator fails.
    pub fn generate() -> Result<SecretKey, CryptoError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut bytes[..]).map_err(|_| CryptoError::Random)?;
        Ok(SecretKey(bytes))
    }

    /// HMAC-SHA256 of `label` under this key: a sub-key for one purpose.
    pub fn derive(&self, label: &[u8]) -> SecretKey {
        let mut mac = keyed(&self.0[..]);
        mac.update(label);
        let mut out: [u8; 32] = mac.finalize().into_bytes().into();
        let key = SecretKey(Zeroizing::new(out));
        out.zeroize();
        key
    }

    /// HMAC-SHA256 of `data` under this key.
    pub fn mac(&self, data: &[u8]) -> [u8; 32] {
        let mut mac = keyed(&self.0[..]);
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    /// A reusable HMAC-SHA256 state under this key, for many MACs (the key schedule is done
    /// once).
    pub fn mac_key(&self) -> MacKey {
        MacKey(keyed(&self.0[..]))
    }

    /// A 16-byte key check value: HMAC-SHA256 under this key of a fixed label, truncated. Lets a
    /// store recognise the key it was written with without revealing anything about it.
    pub fn check_value(&self) -> [u8; 16] {
        let full = self.derive(b"vrs/key-check/v1").mac(b"vrs/key-check-value");
        let mut out = [0u8; 16];
        out.copy_from_slice(&full[..16]);
        out
    }

    fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// A keyed HMAC-SHA256 ready to use many times; `Debug` never shows the key.
#[derive(Clone)]
pub struct MacKey(HmacSha256);

impl MacKey {
    /// HMAC-SHA256 of the concatenation of `parts`.
    pub fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = self.0.clone();
        for p in parts {
            mac.update(p);
        }
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for MacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MacKey(<redacted>)")
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

fn keyed(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length; this cannot fail.
    <HmacSha256 as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!())
}

/// Where keys come from: the host's key management (an HSM, a KMS, a protected file).
///
/// The registry asks for a tenant's key when it first touches that tenant, and for the registry
/// key (which protects the registry-wide audit chain and principal pseudonyms) once when it opens.
pub trait KeyProvider: Send + Sync {
    /// The 32-byte master key of `tenant`.
    ///
    /// # Errors
    /// [`CryptoError::NoKey`] when the tenant has no key, or any failure of the key source.
    fn tenant_key(&self, tenant: &MunicipalityCode) -> Result<SecretKey, CryptoError>;

    /// The registry's own 32-byte key.
    ///
    /// # Errors
    /// As for [`KeyProvider::tenant_key`].
    fn registry_key(&self) -> Result<SecretKey, CryptoError>;

    /// Version `version` of the key of `tenant`, for key rotation. Version 1 is
    /// [`KeyProvider::tenant_key`]; records sealed after a rotation name the version they were
    /// sealed with, so the registry asks for every version still in use. The default provider
    /// has version 1 only.
    ///
    /// Version 1 stays in use after any rotation: record keys (pseudonyms) and the audit MAC of
    /// a tenant are derived from it (rotating them would re-key every record and orphan every
    /// audit entry); later versions only seal.
    ///
    /// # Errors
    /// [`CryptoError::NoKey`] when the provider has no such version; any failure of the source.
    fn tenant_key_version(
        &self,
        tenant: &MunicipalityCode,
        version: u32,
    ) -> Result<SecretKey, CryptoError> {
        match version {
            1 => self.tenant_key(tenant),
            _ => Err(CryptoError::NoKey(format!(
                "{} (key version {version})",
                tenant.as_str()
            ))),
        }
    }

    /// Makes version `version` (2 or more) of the key of `tenant` available, creating it when
    /// the provider can (a key file, a KMS key version); called once when a rotation starts.
    /// Calling it again for a version that exists must succeed and change nothing (a rotation
    /// interrupted by a crash asks again). The default accepts a version the provider already
    /// has and refuses any other.
    ///
    /// # Errors
    /// [`CryptoError::NoKey`] when the provider cannot create keys; failures of the source.
    fn create_tenant_key_version(
        &self,
        tenant: &MunicipalityCode,
        version: u32,
    ) -> Result<(), CryptoError> {
        self.tenant_key_version(tenant, version).map(drop)
    }

    /// The derived sub-keys of `tenant`, ready to use.
    ///
    /// # Errors
    /// As for [`KeyProvider::tenant_key`].
    fn tenant_keys(&self, tenant: &MunicipalityCode) -> Result<TenantKeys, CryptoError> {
        Ok(TenantKeys::derive(*tenant, &self.tenant_key(tenant)?))
    }
}

/// One master key from which every tenant key is derived (HMAC-SHA256 with the tenant code), for
/// a host that keeps a single secret. Compromise of the master exposes every tenant.
#[derive(Debug, Clone)]
pub struct MasterKeyProvider {
    master: SecretKey,
}

impl MasterKeyProvider {
    /// Derives everything from `master` (the argument is wiped).
    pub fn new(master: [u8; 32]) -> MasterKeyProvider {
        MasterKeyProvider {
            master: SecretKey::new(master),
        }
    }

    /// Derives everything from an existing key.
    pub fn from_key(master: SecretKey) -> MasterKeyProvider {
        MasterKeyProvider { master }
    }
}

impl KeyProvider for MasterKeyProvider {
    fn tenant_key(&self, tenant: &MunicipalityCode) -> Result<SecretKey, CryptoError> {
        let mut label = b"vrs/tenant-key/v1/".to_vec();
        label.extend_from_slice(tenant.as_str().as_bytes());
        Ok(self.master.derive(&label))
    }

    /// Version 1 is [`KeyProvider::tenant_key`]; later versions are derived from the master
    /// with the version number (a rotation then re-seals, but whoever holds the master holds
    /// every version).
    fn tenant_key_version(
        &self,
        tenant: &MunicipalityCode,
        version: u32,
    ) -> Result<SecretKey, CryptoError> {
        match version {
            0 => Err(CryptoError::NoKey(format!(
                "{} (key version 0)",
                tenant.as_str()
            ))),
            1 => self.tenant_key(tenant),
            v => {
                let label = format!("vrs/tenant-key/v1/{}/{v}", tenant.as_str());
                Ok(self.master.derive(label.as_bytes()))
            }
        }
    }

    fn registry_key(&self) -> Result<SecretKey, CryptoError> {
        Ok(self.master.derive(b"vrs/registry-key/v1"))
    }
}

/// Explicit keys: one per tenant plus the registry key, for a host whose key management issues
/// an independent key per municipality. A tenant without a key cannot be opened.
#[derive(Debug, Clone)]
pub struct StaticKeyProvider {
    registry: SecretKey,
    tenants: HashMap<(MunicipalityCode, u32), SecretKey>,
}

impl StaticKeyProvider {
    /// A provider with the registry key and no tenant keys yet.
    pub fn new(registry: SecretKey) -> StaticKeyProvider {
        StaticKeyProvider {
            registry,
            tenants: HashMap::new(),
        }
    }

    /// Adds (or replaces) the key of `tenant` (version 1).
    pub fn insert(&mut self, tenant: MunicipalityCode, key: SecretKey) {
        self.tenants.insert((tenant, 1), key);
    }

    /// Adds (or replaces) version `version` of the key of `tenant`, for a rotation.
    pub fn insert_version(&mut self, tenant: MunicipalityCode, version: u32, key: SecretKey) {
        self.tenants.insert((tenant, version), key);
    }
}

impl KeyProvider for StaticKeyProvider {
    fn tenant_key(&self, tenant: &MunicipalityCode) -> Result<SecretKey, CryptoError> {
        self.tenant_key_version(tenant, 1)
    }

    fn tenant_key_version(
        &self,
        tenant: &MunicipalityCode,
        version: u32,
    ) -> Result<SecretKey, CryptoError> {
        self.tenants
            .get(&(*tenant, version))
            .cloned()
            .ok_or_else(|| match version {
                1 => CryptoError::NoKey(tenant.as_str().to_owned()),
                v => CryptoError::NoKey(format!("{} (key version {v})", tenant.as_str())),
            })
    }

    fn registry_key(&self) -> Result<SecretKey, CryptoError> {
        Ok(self.registry.clone())
    }
}

/// A tenant's working keys: the AES-256-GCM ciphers of each key version in use, the pseudonym
/// HMAC and the audit HMAC, each derived from a tenant key under its own label.
///
/// Key versions: a tenant starts with version 1; [`crate::registry::Registry::rotate_tenant_key`]
/// adds a version and re-seals every record under it. A value sealed under version 1 has
/// format byte 1 (`[1][nonce][ciphertext][tag]`); under a later version, format byte 2 and the
/// version (`[2][version, u32 big-endian][nonce][ciphertext][tag]`, the version also in the
/// associated data). Either way a value opens under exactly one key. The pseudonym and audit
/// keys always come from version 1.
#[derive(Clone)]
pub struct TenantKeys {
    tenant: MunicipalityCode,
    /// Sealing ciphers by key version, with each version's key check value.
    ciphers: Vec<(u32, Aes256Gcm, [u8; 16])>,
    /// The version new values are sealed with.
    write: u32,
    pseudonym: HmacSha256,
    audit: HmacSha256,
}

impl fmt::Debug for TenantKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TenantKeys({}, version {}, <redacted>)",
            self.tenant.as_str(),
            self.write
        )
    }
}

/// Format byte of a value sealed under key version 1.
const FORMAT_V1: u8 = SEAL_VERSION;
/// Format byte of a value sealed under a later key version (the version follows).
const FORMAT_VERSIONED: u8 = 2;

impl TenantKeys {
    /// The sub-keys of `tenant` derived from its key (version 1).
    pub fn derive(tenant: MunicipalityCode, key: &SecretKey) -> TenantKeys {
        let pseudonym = key.derive(b"vrs/pseudonym/v1");
        let audit = key.derive(b"vrs/audit/v1");
        let mut keys = TenantKeys {
            tenant,
            ciphers: Vec::new(),
            write: 1,
            pseudonym: keyed(pseudonym.bytes()),
            audit: keyed(audit.bytes()),
        };
        keys.add_version(1, key);
        keys
    }

    /// Adds (or replaces) the sealing key of key version `version` (derived from `key` as for
    /// version 1), so values sealed under it open. Does not change the version new values are
    /// sealed with.
    pub fn add_version(&mut self, version: u32, key: &SecretKey) {
        let seal = key.derive(b"vrs/seal/v1");
        let cipher = Aes256Gcm::new(&(*seal.bytes()).into());
        let check = key.check_value();
        self.ciphers.retain(|(v, _, _)| *v != version);
        self.ciphers.push((version, cipher, check));
    }

    /// Seals new values under key version `version` from now on.
    ///
    /// # Errors
    /// [`CryptoError::NoKey`] when that version was not added.
    pub fn set_write_version(&mut self, version: u32) -> Result<(), CryptoError> {
        if self.ciphers.iter().any(|(v, _, _)| *v == version) {
            self.write = version;
            Ok(())
        } else {
            Err(self.no_key(version))
        }
    }

    /// The key version new values are sealed with.
    pub fn write_version(&self) -> u32 {
        self.write
    }

    /// The key check value of version `version` (see [`SecretKey::check_value`]), if added.
    pub fn check_value(&self, version: u32) -> Option<[u8; 16]> {
        self.ciphers
            .iter()
            .find(|(v, _, _)| *v == version)
            .map(|(_, _, c)| *c)
    }

    /// The key version a sealed value names (1 for format 1), without opening it.
    ///
    /// # Errors
    /// [`CryptoError::Malformed`] for a value too short or of an unknown format.
    pub fn sealed_version(sealed: &[u8]) -> Result<u32, CryptoError> {
        match sealed.first() {
            Some(&FORMAT_V1) if sealed.len() >= SEAL_OVERHEAD => Ok(1),
            Some(&FORMAT_VERSIONED) if sealed.len() >= SEAL_OVERHEAD + 4 => {
                let mut v = [0u8; 4];
                v.copy_from_slice(&sealed[1..5]);
                Ok(u32::from_be_bytes(v))
            }
            Some(&FORMAT_V1 | &FORMAT_VERSIONED) | None => Err(CryptoError::Malformed("too short")),
            Some(_) => Err(CryptoError::Malformed("unknown format version")),
        }
    }

    fn no_key(&self, version: u32) -> CryptoError {
        CryptoError::NoKey(format!("{} (key version {version})", self.tenant.as_str()))
    }

    fn cipher(&self, version: u32) -> Result<&Aes256Gcm, CryptoError> {
        self.ciphers
            .iter()
            .find(|(v, _, _)| *v == version)
            .map(|(_, c, _)| c)
            .ok_or_else(|| self.no_key(version))
    }

    /// The tenant these keys belong to.
    pub fn tenant(&self) -> &MunicipalityCode {
        &self.tenant
    }

    /// The record key of `natural` (an addressee number, voucher number, My Number...) of `kind`.
    pub fn pseudonym(&self, kind: RecordKind, natural: &[u8]) -> RecordKey {
        let mut mac = self.pseudonym.clone();
        mac.update(&[kind.code()]);
        mac.update(natural);
        let full = mac.finalize().into_bytes();
        let mut key = [0u8; 16];
        key.copy_from_slice(&full[..16]);
        RecordKey(key)
    }

    /// HMAC-SHA256 of `data` under the audit key (protects the head of the audit chain).
    pub fn audit_mac(&self, data: &[u8]) -> [u8; 32] {
        let mut mac = self.audit.clone();
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    /// Seals `plaintext` for the place `ctx` under the write version: format byte (and version),
    /// random nonce, ciphertext and tag.
    ///
    /// # Errors
    /// [`CryptoError::Random`] when no nonce could be drawn.
    pub fn seal(&self, ctx: &SealContext, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let version = self.write;
        let cipher = self.cipher(version)?;
        let nonce = fresh_nonce()?;
        let mut out = Vec::with_capacity(plaintext.len() + SEAL_OVERHEAD + 4);
        let aad = versioned_aad(ctx, version);
        let aad: &[u8] = if version == 1 {
            out.push(FORMAT_V1);
            ctx.bytes()
        } else {
            out.push(FORMAT_VERSIONED);
            out.extend_from_slice(&version.to_be_bytes());
            &aad
        };
        let body = out.len() + 12;
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plaintext);
        let tag = cipher
            .encrypt_inout_detached(&Nonce::from(nonce), aad, (&mut out[body..]).into())
            .map_err(|_| CryptoError::Malformed("plaintext too long"))?;
        out.extend_from_slice(&tag);
        Ok(out)
    }

    /// Opens a value sealed for `ctx` under whichever added version it names. The plaintext is
    /// wiped when the returned buffer drops.
    ///
    /// # Errors
    /// [`CryptoError::Malformed`] for a truncated value or unknown format,
    /// [`CryptoError::NoKey`] for a key version that was not added, [`CryptoError::OpenFailed`]
    /// for a wrong key, wrong place, or altered bytes.
    pub fn open(
        &self,
        ctx: &SealContext,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let version = TenantKeys::sealed_version(sealed)?;
        let cipher = self.cipher(version)?;
        let aad = versioned_aad(ctx, version);
        let (aad, start): (&[u8], usize) = if version == 1 && sealed[0] == FORMAT_V1 {
            (ctx.bytes(), 1)
        } else {
            (&aad, 5)
        };
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&sealed[start..start + 12]);
        let (body, tag) = sealed[start + 12..].split_at(sealed.len() - start - 12 - 16);
        let mut plain = Zeroizing::new(body.to_vec());
        let tag: [u8; 16] = tag
            .try_into()
            .map_err(|_| CryptoError::Malformed("too short"))?;
        cipher
            .decrypt_inout_detached(
                &Nonce::from(nonce),
                aad,
                (&mut plain[..]).into(),
                &tag.into(),
            )
            .map_err(|_| CryptoError::OpenFailed)?;
        Ok(plain)
    }
}

/// The associated data of a value sealed under a later key version: the place, then the version.
fn versioned_aad(ctx: &SealContext, version: u32) -> [u8; 31] {
    let mut aad = [0u8; 31];
    aad[..27].copy_from_slice(ctx.bytes());
    aad[27..].copy_from_slice(&version.to_be_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> MunicipalityCode {
        MunicipalityCode::parse(s).unwrap()
    }

    #[test]
    fn seal_round_trips_and_binds_place() {
        let keys = MasterKeyProvider::new([1; 32]);
        let t = keys.tenant_keys(&code("131016")).unwrap();
        let k1 = t.pseudonym(RecordKind::Subject, b"1001");
        let k2 = t.pseudonym(RecordKind::Subject, b"1002");
        let ctx = SealContext::new(&code("131016"), RecordKind::Subject, &k1);
        let sealed = t.seal(&ctx, b"secret").unwrap();
        assert_eq!(sealed.len(), 6 + SEAL_OVERHEAD);
        assert_eq!(&t.open(&ctx, &sealed).unwrap()[..], b"secret");
        // Another record key, kind or tenant: does not open.
        let other_key = SealContext::new(&code("131016"), RecordKind::Subject, &k2);
        let other_kind = SealContext::new(&code("131016"), RecordKind::Voucher, &k1);
        assert_eq!(t.open(&other_key, &sealed), Err(CryptoError::OpenFailed));
        assert_eq!(t.open(&other_kind, &sealed), Err(CryptoError::OpenFailed));
        // Another tenant's key: does not open either.
        let u = keys.tenant_keys(&code("131032")).unwrap();
        assert_eq!(u.open(&ctx, &sealed), Err(CryptoError::OpenFailed));
        // Every single-bit flip is detected.
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 1;
            assert!(t.open(&ctx, &bad).is_err(), "flip at {i}");
        }
        assert_eq!(
            t.open(&ctx, &sealed[..10]),
            Err(CryptoError::Malformed("too short"))
        );
    }

    #[test]
    fn key_versions_each_open_only_their_own_values() {
        let p = MasterKeyProvider::new([5; 32]);
        let t = code("131016");
        let mut keys = p.tenant_keys(&t).unwrap();
        let ctx = SealContext::new(&t, RecordKind::Voucher, &RecordKey([1; 16]));
        let v1 = keys.seal(&ctx, b"dose").unwrap();
        assert_eq!(TenantKeys::sealed_version(&v1), Ok(1));
        assert_eq!(keys.set_write_version(2), Err(keys.no_key(2)));
        keys.add_version(2, &p.tenant_key_version(&t, 2).unwrap());
        keys.set_write_version(2).unwrap();
        let v2 = keys.seal(&ctx, b"dose").unwrap();
        assert_eq!(v2.len(), v1.len() + 4);
        assert_eq!(TenantKeys::sealed_version(&v2), Ok(2));
        assert_eq!(&keys.open(&ctx, &v1).unwrap()[..], b"dose");
        assert_eq!(&keys.open(&ctx, &v2).unwrap()[..], b"dose");
        // Version 1 keys alone do not open version 2, and a relabelled version does not open.
        let only_v1 = p.tenant_keys(&t).unwrap();
        assert!(matches!(
            only_v1.open(&ctx, &v2),
            Err(CryptoError::NoKey(_))
        ));
        let mut relabelled = v2.clone();
        relabelled[4] = 3;
        keys.add_version(3, &p.tenant_key_version(&t, 3).unwrap());
        assert_eq!(keys.open(&ctx, &relabelled), Err(CryptoError::OpenFailed));
        // Pseudonyms and the audit MAC stay those of version 1.
        assert_eq!(
            keys.pseudonym(RecordKind::Subject, b"1"),
            only_v1.pseudonym(RecordKind::Subject, b"1")
        );
        assert_eq!(keys.audit_mac(b"x"), only_v1.audit_mac(b"x"));
        assert_ne!(keys.check_value(1), keys.check_value(2));
        for i in 0..v2.len() {
            let mut bad = v2.clone();
            bad[i] ^= 1;
            assert!(keys.open(&ctx, &bad).is_err(), "flip at {i}");
        }
        assert!(keys.open(&ctx, &v2[..20]).is_err());
        assert!(keys.open(&ctx, &[]).is_err());
    }

    #[test]
    fn nonces_differ_and_plaintext_is_not_visible() {
        let t = MasterKeyProvider::new([2; 32])
            .tenant_keys(&code("011002"))
            .unwrap();
        let ctx = SealContext::new(&code("011002"), RecordKind::Subject, &RecordKey([3; 16]));
        let a = t.seal(&ctx, b"CANARY-CANARY-CANARY").unwrap();
        let b = t.seal(&ctx, b"CANARY-CANARY-CANARY").unwrap();
        assert_ne!(a, b);
        assert!(!a.windows(6).any(|w| w == b"CANARY"));
    }

    #[test]
    fn pooled_nonces_do_not_repeat() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..5_000 {
            assert!(seen.insert(fresh_nonce().unwrap()));
        }
    }

    #[test]
    fn pseudonyms_are_keyed_and_kind_separated() {
        let p = MasterKeyProvider::new([4; 32]);
        let a = p.tenant_keys(&code("131016")).unwrap();
        let b = p.tenant_keys(&code("131032")).unwrap();
        assert_eq!(
            a.pseudonym(RecordKind::Subject, b"1"),
            a.pseudonym(RecordKind::Subject, b"1")
        );
        assert_ne!(
            a.pseudonym(RecordKind::Subject, b"1"),
            b.pseudonym(RecordKind::Subject, b"1")
        );
        assert_ne!(
            a.pseudonym(RecordKind::Subject, b"1"),
            a.pseudonym(RecordKind::Voucher, b"1")
        );
        assert_eq!(a.pseudonym(RecordKind::Subject, b"1").to_hex().len(), 32);
    }

    #[test]
    fn static_provider_refuses_unknown_tenant_and_debug_redacts() {
        let mut p = StaticKeyProvider::new(SecretKey::new([9; 32]));
        p.insert(code("131016"), SecretKey::from_slice(&[8; 32]).unwrap());
        assert!(p.tenant_keys(&code("131016")).is_ok());
        assert_eq!(
            p.tenant_keys(&code("131032")).unwrap_err(),
            CryptoError::NoKey("131032".into())
        );
        assert!(SecretKey::from_slice(&[0; 31]).is_err());
        let dbg = format!("{p:?}");
        assert!(dbg.contains("<redacted>") && !dbg.contains("9, 9"));
    }

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut mac = keyed(b"Jefe");
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
