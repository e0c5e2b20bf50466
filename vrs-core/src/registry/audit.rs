//! The tamper-evident audit log: per tenant (plus one registry-wide chain), every operation,
//! allowed or refused, as a SHA-256 hash chain whose head is MAC-protected.
//!
//! Entry `n` stores `hash_n = SHA-256(hash_{n-1} ‖ entry_n)` (`hash_0` = 32 zero bytes); the
//! chain's head `(n, hash_n)` is stored with an HMAC under the tenant's audit key. Verification
//! recomputes every hash, so an altered, removed or reordered entry is found; a truncated tail is
//! found through the head, which cannot be rewritten without the key.
//!
//! # Chains and their anchoring
//! A chain is a number: `0` the registry-wide chain, a tenant's municipality number its audit
//! chain; other per-tenant chains (a provision log, an inquiry log) take numbers of their own
//! that are not municipality numbers, and call [`append`] and [`verify`] like the audit chain.
//! Whatever the chain, its head is a record of kind `audit-head` in the chain's own area, and
//! every such record is anchored by the registry ([`super::anchor`]): the registry anchor counts
//! every chain head and authenticates each one's current value, so erasing a chain (its head
//! and its entries), or rolling it back to an older head with the entries that went with it, is
//! found by [`super::Registry::verify_store`] and refused when a registry opens — with nothing
//! to do in the code that appends. The head's own MAC lets the chain be checked by whoever
//! holds the chain's key (a tenant's staff); the anchor protects it with the registry key.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::crypto::{RecordKey, RecordKind};
use crate::store::{AuditRow, Store};

use super::error::RegistryError;

/// Record keys listed in full in one entry; a bulk operation lists the first ones and a digest
/// of all.
const LISTED_KEYS: usize = 32;

/// One audit entry, as stored (canonical JSON) and as shown to reviewers. Holds no personal
/// data: record keys are pseudonyms, staff user IDs are pseudonymised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in its chain, from 1.
    pub seq: u64,
    /// When (Japan time, ISO 8601).
    pub at: String,
    /// The principal's role (`staff`, `venue`, `prefecture`, `national`, `operator`).
    pub role: String,
    /// The principal's municipality (staff, venue) or prefecture number (prefecture viewer).
    pub scope: Option<String>,
    /// Pseudonym of the staff user ID (HMAC under the registry key).
    pub user: Option<String>,
    /// The operation (`import`, `record-dose`, `set-flag`...).
    pub op: String,
    /// Affected record keys (pseudonyms), at most 32.
    pub records: Vec<String>,
    /// Number of affected records.
    pub record_count: u64,
    /// SHA-256 over all affected record keys, in order.
    pub records_digest: String,
    /// `ok`, `refused` or `failed`.
    pub outcome: String,
    /// The error code of a refused or failed operation.
    pub code: Option<String>,
    /// What an operation that names no records counted (a purge: doses, vouchers, subjects
    /// removed). Absent from the stored JSON of other entries, so older chains verify as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<std::collections::BTreeMap<String, u64>>,
    /// Hash of the previous entry (hex).
    pub prev: String,
}

/// What an operation reports to the audit log before it is chained.
#[derive(Debug, Clone)]
pub(crate) struct AuditDraft {
    pub at: String,
    pub role: &'static str,
    pub scope: Option<String>,
    pub user: Option<String>,
    pub op: &'static str,
    pub records: Vec<RecordKey>,
    pub outcome: &'static str,
    pub code: Option<String>,
    /// Counts to record instead of record keys (see [`AuditEntry::counts`]).
    pub counts: Vec<(&'static str, u64)>,
}

/// Result of verifying one audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    /// The chain: a municipality code, or `registry`.
    pub chain: String,
    /// Entries found.
    pub entries: u64,
    /// `true` when every entry and the head check out.
    pub ok: bool,
    /// The first entry (sequence number) that is altered, missing or out of place.
    pub first_bad: Option<u64>,
    /// What is wrong there.
    pub problem: Option<String>,
}

/// MAC function protecting a chain's head.
pub(crate) type HeadMac<'a> = &'a dyn Fn(&[u8]) -> [u8; 32];

fn head_bytes(seq: u64, hash: &[u8; 32]) -> [u8; 40] {
    let mut b = [0u8; 40];
    b[..8].copy_from_slice(&seq.to_be_bytes());
    b[8..].copy_from_slice(hash);
    b
}

/// Appends `draft` to `chain` (inside the caller's transaction) and updates the MACed head.
pub(crate) fn append(
    store: &mut dyn Store,
    chain: u32,
    mac: HeadMac<'_>,
    draft: AuditDraft,
) -> Result<(), RegistryError> {
    let last = store.audit_last(chain)?;
    // Chain from the authentic (MACed) head, never from whatever the table ends with: a
    // removed tail or a rewritten chain then stays visible to verification. When the head
    // itself is missing or forged, keep appending but never bless that state with a new MAC.
    let (seq, prev, update_head) = match (read_head(store, chain, mac)?, last) {
        (Head::Valid(seq, hash), Some(l)) => (seq.max(l.seq) + 1, hash, true),
        (Head::Valid(seq, hash), None) => (seq + 1, hash, true),
        (Head::Missing, None) => (1, [0u8; 32], true),
        (Head::Missing | Head::Forged, Some(l)) => (l.seq + 1, l.hash, false),
        (Head::Forged, None) => (1, [0u8; 32], false),
    };
    let mut digest = Sha256::new();
    for k in &draft.records {
        digest.update(k.as_bytes());
    }
    let entry = AuditEntry {
        seq,
        at: draft.at,
        role: draft.role.to_owned(),
        scope: draft.scope,
        user: draft.user,
        op: draft.op.to_owned(),
        records: draft
            .records
            .iter()
            .take(LISTED_KEYS)
            .map(RecordKey::to_hex)
            .collect(),
        record_count: draft.records.len() as u64,
        records_digest: hex::encode(digest.finalize()),
        outcome: draft.outcome.to_owned(),
        code: draft.code,
        counts: (!draft.counts.is_empty()).then(|| {
            draft
                .counts
                .iter()
                .map(|(k, v)| ((*k).to_owned(), *v))
                .collect()
        }),
        prev: hex::encode(prev),
    };
    let bytes = serde_json::to_vec(&entry)
        .map_err(|e| RegistryError::Corrupt(format!("cannot encode an audit entry: {e}")))?;
    let hash = chain_hash(&prev, &bytes);
    store.audit_append(
        chain,
        &AuditRow {
            seq,
            entry: bytes,
            hash,
        },
    )?;
    if update_head {
        let head = head_bytes(seq, &hash);
        let mut value = head.to_vec();
        value.extend_from_slice(&mac(&head));
        let key = RecordKey::SINGLETON;
        store.put(chain, RecordKind::AuditHead.code(), key.as_bytes(), &value)?;
    }
    Ok(())
}

/// The stored head of a chain.
enum Head {
    /// No head record.
    Missing,
    /// A head whose MAC checks out: its sequence number and hash.
    Valid(u64, [u8; 32]),
    /// A head record with a wrong MAC or length.
    Forged,
}

fn read_head(store: &mut dyn Store, chain: u32, mac: HeadMac<'_>) -> Result<Head, RegistryError> {
    let key = RecordKey::SINGLETON;
    let Some(head) = store.get(chain, RecordKind::AuditHead.code(), key.as_bytes())? else {
        return Ok(Head::Missing);
    };
    if head.len() != 72 || mac(&head[..40]) != head[40..] {
        return Ok(Head::Forged);
    }
    let mut seq = [0u8; 8];
    seq.copy_from_slice(&head[..8]);
    let mut hash = [0u8; 32];
    hash.copy_from_slice(&head[8..40]);
    Ok(Head::Valid(u64::from_be_bytes(seq), hash))
}

/// The head without checking its MAC (well-formedness only).
fn read_head_unchecked(store: &mut dyn Store, chain: u32) -> Result<Head, RegistryError> {
    let key = RecordKey::SINGLETON;
    let Some(head) = store.get(chain, RecordKind::AuditHead.code(), key.as_bytes())? else {
        return Ok(Head::Missing);
    };
    if head.len() != 72 {
        return Ok(Head::Forged);
    }
    let mut seq = [0u8; 8];
    seq.copy_from_slice(&head[..8]);
    let mut hash = [0u8; 32];
    hash.copy_from_slice(&head[8..40]);
    Ok(Head::Valid(u64::from_be_bytes(seq), hash))
}

fn chain_hash(prev: &[u8; 32], entry: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(entry);
    h.finalize().into()
}

/// Checks `chain` from its first entry to its MACed head (with `mac: None`, the head's MAC is
/// not checked: a chain whose key this code does not know, authenticated by the registry
/// anchor instead).
///
/// `must_exist`: the registry anchor lists the chain, so a chain with neither entries nor head
/// was erased.
pub(crate) fn verify(
    store: &mut dyn Store,
    chain: u32,
    name: String,
    mac: Option<HeadMac<'_>>,
    must_exist: bool,
) -> Result<AuditVerification, RegistryError> {
    let mut expected_seq = 1u64;
    let mut prev = [0u8; 32];
    let mut bad: Option<(u64, String)> = None;
    let mut entries = 0u64;
    store.audit_scan(chain, &mut |row| {
        entries += 1;
        if bad.is_some() {
            return true; // Only counting from here on.
        }
        let problem = if row.seq != expected_seq {
            Some("an entry is missing or out of order")
        } else if chain_hash(&prev, &row.entry) != row.hash {
            Some("the entry was altered, or does not follow the previous one")
        } else {
            match serde_json::from_slice::<AuditEntry>(&row.entry) {
                Ok(e) if e.seq == row.seq && e.prev == hex::encode(prev) => None,
                _ => Some("the entry's content does not match its place in the chain"),
            }
        };
        if let Some(p) = problem {
            bad = Some((expected_seq, p.to_owned()));
            return true;
        }
        prev = row.hash;
        expected_seq += 1;
        true
    })?;
    if bad.is_none() {
        bad = check_head(store, chain, entries, &prev, mac, must_exist)?;
    }
    Ok(AuditVerification {
        chain: name,
        entries,
        ok: bad.is_none(),
        first_bad: bad.as_ref().map(|b| b.0),
        problem: bad.map(|b| b.1),
    })
}

fn check_head(
    store: &mut dyn Store,
    chain: u32,
    entries: u64,
    last_hash: &[u8; 32],
    mac: Option<HeadMac<'_>>,
    must_exist: bool,
) -> Result<Option<(u64, String)>, RegistryError> {
    let head = match mac {
        Some(mac) => read_head(store, chain, mac)?,
        None => read_head_unchecked(store, chain)?,
    };
    let problem = match head {
        Head::Missing if entries > 0 => (1, "the chain's head record is missing"),
        Head::Missing if must_exist => (
            1,
            "the chain was erased: its head and every entry are missing",
        ),
        Head::Missing => return Ok(None),
        Head::Forged => (1, "the chain's head record is not authentic"),
        Head::Valid(seq, _) if seq > entries => (entries + 1, "entries were removed from the end"),
        Head::Valid(seq, hash) if seq < entries || hash != *last_hash => {
            (seq + 1, "entries were added after the authentic head")
        }
        Head::Valid(..) => return Ok(None),
    };
    Ok(Some((problem.0, problem.1.to_owned())))
}

/// Every entry of a chain, for review.
pub(crate) fn entries(store: &mut dyn Store, chain: u32) -> Result<Vec<AuditEntry>, RegistryError> {
    let mut out = Vec::new();
    let mut bad = false;
    store.audit_scan(chain, &mut |row| match serde_json::from_slice(&row.entry) {
        Ok(e) => {
            out.push(e);
            true
        }
        Err(_) => {
            bad = true;
            false
        }
    })?;
    if bad {
        return Err(RegistryError::Corrupt(
            "an audit entry is unreadable".into(),
        ));
    }
    Ok(out)
}
