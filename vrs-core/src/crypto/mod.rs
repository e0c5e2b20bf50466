//! Sealing and pseudonyms: AES-256-GCM with associated data, HMAC-SHA256 record keys, and the
//! [`KeyProvider`] through which the host hands the library its keys.
//!
//! Every tenant (municipality) has its own 32-byte key. From it three sub-keys are derived with
//! HMAC-SHA256 under fixed labels, so one key never serves two purposes:
//!
//! | sub-key | used for |
//! |---|---|
//! | seal | AES-256-GCM over every stored record of the tenant |
//! | pseudonym | HMAC-SHA256 record keys (addressee, voucher, My Number lookups) |
//! | audit | the MAC over the head of the tenant's audit chain |
//!
//! A tenant's key may be rotated ([`KeyProvider::tenant_key_version`]): later versions only
//! seal; the pseudonym and audit sub-keys stay derived from version 1 (see [`TenantKeys`]).
//!
//! ```
//! use vrs_core::crypto::{KeyProvider, MasterKeyProvider, RecordKind, SealContext};
//! use vrs_core::id::MunicipalityCode;
//!
//! let keys = MasterKeyProvider::new([7u8; 32]);
//! let chiyoda = MunicipalityCode::parse("131016")?;
//! let tenant = keys.tenant_keys(&chiyoda)?;
//! let key = tenant.pseudonym(RecordKind::Subject, b"1001");
//! let ctx = SealContext::new(&chiyoda, RecordKind::Subject, &key);
//! let sealed = tenant.seal(&ctx, b"name and birth date")?;
//! assert_eq!(&tenant.open(&ctx, &sealed)?[..], b"name and birth date");
//!
//! // The same bytes presented as another tenant's record do not open.
//! let minato = MunicipalityCode::parse("131032")?;
//! let other = SealContext::new(&minato, RecordKind::Subject, &key);
//! assert!(tenant.open(&other, &sealed).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Security notes
//! - Nonces are 96 random bits from the operating system per sealing. Under one tenant key that
//!   is safe for well over 2^32 sealings (NIST SP 800-38D); a tenant rewriting its whole
//!   register a thousand times stays far below that.
//! - The associated data binds a sealed value to its tenant, record kind and record key: a value
//!   copied into another tenant's area, or under another key, fails to open.
//! - Key material lives in [`zeroize`]-on-drop buffers; plaintext buffers handed to
//!   [`TenantKeys::seal`] are the caller's to wipe ([`zeroize::Zeroizing`]).

mod error;
mod keys;
mod pseudonym;
mod seal;

pub use error::CryptoError;
pub use keys::{
    KeyProvider, MacKey, MasterKeyProvider, SecretKey, StaticKeyProvider, TenantKeys, SEAL_OVERHEAD,
};
pub use pseudonym::{RecordKey, RecordKind};
pub use seal::SealContext;
