//! Record keys: keyed hashes (HMAC-SHA256, truncated to 128 bits) of natural keys, so the store
//! never holds an addressee number, voucher number or My Number in clear.

use std::fmt;

/// What a stored record is. The kind is part of both the pseudonym input and the sealing's
/// associated data, so a subject record cannot be passed off as a voucher record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RecordKind {
    /// A subject (resident), keyed by addressee number.
    Subject,
    /// A voucher with its dose records, keyed by voucher number.
    Voucher,
    /// The My Number lookup: keyed by the My Number, holds the addressee number.
    MyNumberIndex,
    /// A voucher with doses but no subject yet (the awaiting-registration list).
    Awaiting,
    /// A registered staff user ID, keyed by the ID.
    StaffUser,
    /// An imported file, keyed by its SHA-256 (so a re-import is recognised).
    Import,
    /// The MAC-protected head of the audit chain.
    AuditHead,
    /// Tenant settings.
    TenantMeta,
    /// A tenant's authenticated content digest (the registry maintains it; not sealed).
    ContentState,
    /// The registry-wide anchor over every chain head and content digest (not sealed).
    Anchor,
    /// One entry of the registry's list of anchored records (not sealed).
    AnchorIndex,
    /// A tenant's key versions and their key check values (not sealed).
    KeyCheck,
    /// The corrections and voids of one voucher's doses (the values before each change),
    /// keyed by voucher number.
    DoseHistory,
    /// The provisions of a voucher's doses to the national immunization database, keyed by
    /// voucher number.
    NationalDbProvision,
    /// A legal hold on a subject (blocks its purge), keyed by addressee number.
    LegalHold,
    /// The tenant's retention settings (its own minimum period).
    RetentionSettings,
}

impl RecordKind {
    /// The stable number the store keeps (never reused). Kinds the registry keeps for its own
    /// bookkeeping (integrity, keys) are numbered from 200.
    pub fn code(self) -> u8 {
        match self {
            RecordKind::Subject => 1,
            RecordKind::Voucher => 2,
            RecordKind::MyNumberIndex => 3,
            RecordKind::Awaiting => 4,
            RecordKind::StaffUser => 5,
            RecordKind::Import => 6,
            RecordKind::AuditHead => 7,
            RecordKind::TenantMeta => 8,
            RecordKind::ContentState => 200,
            RecordKind::Anchor => 201,
            RecordKind::AnchorIndex => 202,
            RecordKind::KeyCheck => 203,
            RecordKind::DoseHistory => 9,
            // Retention kinds are numbered from 30 (other kinds take the numbers below).
            RecordKind::NationalDbProvision => 30,
            RecordKind::LegalHold => 31,
            RecordKind::RetentionSettings => 32,
        }
    }

    /// A short lower-case name for messages and reports (`voucher`, `my-number-index`...).
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Subject => "subject",
            RecordKind::Voucher => "voucher",
            RecordKind::MyNumberIndex => "my-number-index",
            RecordKind::Awaiting => "awaiting",
            RecordKind::StaffUser => "staff",
            RecordKind::Import => "import",
            RecordKind::AuditHead => "audit-head",
            RecordKind::TenantMeta => "tenant-meta",
            RecordKind::ContentState => "content-state",
            RecordKind::Anchor => "anchor",
            RecordKind::AnchorIndex => "anchor-index",
            RecordKind::KeyCheck => "key-check",
            RecordKind::DoseHistory => "dose-history",
            RecordKind::NationalDbProvision => "national-db-provision",
            RecordKind::LegalHold => "legal-hold",
            RecordKind::RetentionSettings => "retention-settings",
        }
    }

    /// The name of the kind stored under `code` ([`RecordKind::name`]), or `kind <code>` for a
    /// number this version does not know.
    pub fn describe(code: u8) -> String {
        RecordKind::from_code(code).map_or_else(|| format!("kind {code}"), |k| k.name().to_owned())
    }

    /// Whether values of this kind are sealed under the tenant key. The registry's bookkeeping
    /// records (audit heads, content digests, the anchor and its index, key checks) hold no
    /// personal data and are authenticated by MACs instead.
    pub fn is_sealed(self) -> bool {
        !matches!(
            self,
            RecordKind::AuditHead
                | RecordKind::ContentState
                | RecordKind::Anchor
                | RecordKind::AnchorIndex
                | RecordKind::KeyCheck
        )
    }

    /// The kind stored under `code`, if any.
    pub fn from_code(code: u8) -> Option<RecordKind> {
        Some(match code {
            1 => RecordKind::Subject,
            2 => RecordKind::Voucher,
            3 => RecordKind::MyNumberIndex,
            4 => RecordKind::Awaiting,
            5 => RecordKind::StaffUser,
            6 => RecordKind::Import,
            7 => RecordKind::AuditHead,
            8 => RecordKind::TenantMeta,
            200 => RecordKind::ContentState,
            201 => RecordKind::Anchor,
            202 => RecordKind::AnchorIndex,
            203 => RecordKind::KeyCheck,
            9 => RecordKind::DoseHistory,
            30 => RecordKind::NationalDbProvision,
            31 => RecordKind::LegalHold,
            32 => RecordKind::RetentionSettings,
            _ => return None,
        })
    }
}

/// A record key: 16 bytes of HMAC-SHA256 over (kind, natural key) under the tenant's pseudonym
/// key. Shown as 32 hex digits; reveals nothing about the natural key without the tenant key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordKey(pub [u8; 16]);

impl RecordKey {
    /// A fixed key for singleton records (one per tenant, e.g. the audit head).
    pub const SINGLETON: RecordKey = RecordKey([0; 16]);

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The key from raw bytes; `None` unless exactly 16.
    pub fn from_slice(bytes: &[u8]) -> Option<RecordKey> {
        <[u8; 16]>::try_from(bytes).ok().map(RecordKey)
    }

    /// 32 lower-case hex digits (what the audit log shows).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for RecordKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordKey({})", self.to_hex())
    }
}

impl fmt::Display for RecordKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}
