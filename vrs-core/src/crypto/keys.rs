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

/// Bytes a sealed value adds to its plaintext: version, nonce, tag.
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

    fn bytes(&self) -> &[u8; 32] {
        &self.0
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

    fn registry_key(&self) -> Result<SecretKey, CryptoError> {
        Ok(self.master.derive(b"vrs/registry-key/v1"))
    }
}

/// Explicit keys: one per tenant plus the registry key, for a host whose key management issues
/// an independent key per municipality. A tenant without a key cannot be opened.
#[derive(Debug, Clone)]
pub struct StaticKeyProvider {
    registry: SecretKey,
    tenants: HashMap<MunicipalityCode, SecretKey>,
}

impl StaticKeyProvider {
    /// A provider with the registry key and no tenant keys yet.
    pub fn new(registry: SecretKey) -> StaticKeyProvider {
        StaticKeyProvider {
            registry,
            tenants: HashMap::new(),
        }
    }

    /// Adds (or replaces) the key of `tenant`.
    pub fn insert(&mut self, tenant: MunicipalityCode, key: SecretKey) {
        self.tenants.insert(tenant, key);
    }
}

impl KeyProvider for StaticKeyProvider {
    fn tenant_key(&self, tenant: &MunicipalityCode) -> Result<SecretKey, CryptoError> {
        self.tenants
            .get(tenant)
            .cloned()
            .ok_or_else(|| CryptoError::NoKey(tenant.as_str().to_owned()))
    }

    fn registry_key(&self) -> Result<SecretKey, CryptoError> {
        Ok(self.registry.clone())
    }
}

/// A tenant's working keys: the AES-256-GCM cipher, the pseudonym HMAC and the audit HMAC, each
/// derived from the tenant key under its own label.
#[derive(Clone)]
pub struct TenantKeys {
    tenant: MunicipalityCode,
    cipher: Aes256Gcm,
    pseudonym: HmacSha256,
    audit: HmacSha256,
}

impl fmt::Debug for TenantKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TenantKeys({}, <redacted>)", self.tenant.as_str())
    }
}

impl TenantKeys {
    /// The sub-keys of `tenant` derived from its master key.
    pub fn derive(tenant: MunicipalityCode, key: &SecretKey) -> TenantKeys {
        let seal = key.derive(b"vrs/seal/v1");
        let pseudonym = key.derive(b"vrs/pseudonym/v1");
        let audit = key.derive(b"vrs/audit/v1");
        TenantKeys {
            tenant,
            cipher: Aes256Gcm::new(&(*seal.bytes()).into()),
            pseudonym: keyed(pseudonym.bytes()),
            audit: keyed(audit.bytes()),
        }
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

    /// Seals `plaintext` for the place `ctx`: version byte, random nonce, ciphertext and tag.
    ///
    /// # Errors
    /// [`CryptoError::Random`] when no nonce could be drawn.
    pub fn seal(&self, ctx: &SealContext, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        seal_with(&self.cipher, ctx, plaintext)
    }

    /// Opens a value sealed for `ctx`. The plaintext is wiped when the returned buffer drops.
    ///
    /// # Errors
    /// [`CryptoError::Malformed`] for a truncated value or unknown version,
    /// [`CryptoError::OpenFailed`] for a wrong key, wrong place, or altered bytes.
    pub fn open(
        &self,
        ctx: &SealContext,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        open_with(&self.cipher, ctx, sealed)
    }
}

/// The keys of the registry-wide inquiry index, derived from the registry key under their own
/// labels: a pseudonym HMAC (My Number → index key, the same in every tenant, unlike a tenant's
/// record keys) and an AES-256-GCM cipher for the index entries.
#[derive(Clone)]
pub struct IndexKeys {
    cipher: Aes256Gcm,
    pseudonym: HmacSha256,
}

impl fmt::Debug for IndexKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IndexKeys(<redacted>)")
    }
}

impl IndexKeys {
    /// The index keys derived from the registry key.
    pub fn derive(registry_key: &SecretKey) -> IndexKeys {
        let seal = registry_key.derive(b"vrs/inquiry-index/seal/v1");
        let pseudonym = registry_key.derive(b"vrs/inquiry-index/pseudonym/v1");
        IndexKeys {
            cipher: Aes256Gcm::new(&(*seal.bytes()).into()),
            pseudonym: keyed(pseudonym.bytes()),
        }
    }

    /// The registry-wide record key of `natural` (a My Number's digits).
    pub fn pseudonym(&self, natural: &[u8]) -> RecordKey {
        let mut mac = self.pseudonym.clone();
        mac.update(&[RecordKind::InquiryIndex.code()]);
        mac.update(natural);
        let full = mac.finalize().into_bytes();
        let mut key = [0u8; 16];
        key.copy_from_slice(&full[..16]);
        RecordKey(key)
    }

    /// Seals an index entry for `ctx` (see [`SealContext::registry`]).
    ///
    /// # Errors
    /// [`CryptoError::Random`] when no nonce could be drawn.
    pub fn seal(&self, ctx: &SealContext, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        seal_with(&self.cipher, ctx, plaintext)
    }

    /// Opens an index entry sealed for `ctx`.
    ///
    /// # Errors
    /// As for [`TenantKeys::open`].
    pub fn open(
        &self,
        ctx: &SealContext,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        open_with(&self.cipher, ctx, sealed)
    }
}

/// Version byte, random nonce, ciphertext and tag.
fn seal_with(
    cipher: &Aes256Gcm,
    ctx: &SealContext,
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let nonce = fresh_nonce()?;
    let mut out = Vec::with_capacity(plaintext.len() + SEAL_OVERHEAD);
    out.push(SEAL_VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    let tag = cipher
        .encrypt_inout_detached(&Nonce::from(nonce), ctx.bytes(), (&mut out[13..]).into())
        .map_err(|_| CryptoError::Malformed("plaintext too long"))?;
    out.extend_from_slice(&tag);
    Ok(out)
}

fn open_with(
    cipher: &Aes256Gcm,
    ctx: &SealContext,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if sealed.len() < SEAL_OVERHEAD {
        return Err(CryptoError::Malformed("too short"));
    }
    if sealed[0] != SEAL_VERSION {
        return Err(CryptoError::Malformed("unknown format version"));
    }
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&sealed[1..13]);
    let (body, tag) = sealed[13..].split_at(sealed.len() - SEAL_OVERHEAD);
    let mut plain = Zeroizing::new(body.to_vec());
    let tag: [u8; 16] = tag
        .try_into()
        .map_err(|_| CryptoError::Malformed("too short"))?;
    cipher
        .decrypt_inout_detached(
            &Nonce::from(nonce),
            ctx.bytes(),
            (&mut plain[..]).into(),
            &tag.into(),
        )
        .map_err(|_| CryptoError::OpenFailed)?;
    Ok(plain)
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
    fn index_keys_are_their_own_and_do_not_open_tenant_values() {
        let p = MasterKeyProvider::new([5; 32]);
        let index = IndexKeys::derive(&p.registry_key().unwrap());
        let t = p.tenant_keys(&code("131016")).unwrap();
        let k = index.pseudonym(b"123456789018");
        assert_eq!(k, index.pseudonym(b"123456789018"));
        assert_ne!(k, t.pseudonym(RecordKind::InquiryIndex, b"123456789018"));
        assert_ne!(k, t.pseudonym(RecordKind::MyNumberIndex, b"123456789018"));
        let ctx = SealContext::registry(RecordKind::InquiryIndex, &k);
        let sealed = index.seal(&ctx, b"tenants").unwrap();
        assert_eq!(&index.open(&ctx, &sealed).unwrap()[..], b"tenants");
        let other = SealContext::registry(RecordKind::InquiryIndex, &RecordKey([1; 16]));
        assert_eq!(index.open(&other, &sealed), Err(CryptoError::OpenFailed));
        // A tenant's sealed value under the same kind and key does not open as an index entry.
        let tenant_ctx = SealContext::new(&code("131016"), RecordKind::InquiryIndex, &k);
        let tenant_sealed = t.seal(&tenant_ctx, b"tenants").unwrap();
        assert!(index.open(&ctx, &tenant_sealed).is_err());
        assert!(format!("{index:?}").contains("redacted"));
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
