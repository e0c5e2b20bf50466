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
//!
//! The same machinery ([`Appender`], [`verify`]) keeps each tenant's provision log
//! (情報提供等の記録) and inquiry log: separate chains with their own head MACs (see
//! [`chains_of_tenant`]).
//!
//! # Where a chain starts
//! A retention run may remove a log's oldest entries ([`remove_through`]). The head then also
//! records the chain's **base**: the sequence number and hash of the last entry removed, under
//! the same MAC. Verification starts there (entry `base + 1` must link to the base's hash), so
//! removing more entries than the run did, or putting back an older head, is still found; a
//! chain never trimmed keeps the original head format (`seq ‖ hash ‖ MAC`, 72 bytes), a trimmed
//! one `seq ‖ hash ‖ base seq ‖ base hash ‖ MAC` (112 bytes).
//!
//! # Two forms of entry
//! Every entry names its own place: its sequence number and the previous entry's hash, which
//! [`verify`] checks beside the hash chain. An audit-log entry is JSON with `seq` and `prev`
//! fields; a provision- or inquiry-log entry is binary (a batch inquiry writes 200,000 of them,
//! and their size is most of its cost): [`BINARY_TAG`], `seq` (8 bytes, big-endian), `prev`
//! (32 bytes), then the log's own fields ([`super::log_entry`]). JSON never starts with that
//! byte, so a chain may hold both (log entries written before the binary form stay JSON).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::crypto::{RecordKey, RecordKind};
use crate::store::{AuditRow, Store};

use super::error::RegistryError;

/// Chain number of a tenant's provision log: this plus the tenant's number.
pub(crate) const PROVISION_LOG_BASE: u32 = 1_000_000;
/// Chain number of a tenant's inquiry log: this plus the tenant's number.
pub(crate) const INQUIRY_LOG_BASE: u32 = 2_000_000;

/// Every chain of the tenant numbered `id` (its municipality code as a number): its audit chain
/// (`id`), its provision log and its inquiry log. Chain 0 is the registry-wide audit chain.
/// Municipality codes are below 1,000,000, so the ranges never meet, and the store reports only
/// numbers 1..=999,999 as tenants. Each chain's MACed head lives under its own chain number.
pub(crate) fn chains_of_tenant(id: u32) -> [u32; 3] {
    [id, PROVISION_LOG_BASE + id, INQUIRY_LOG_BASE + id]
}

/// The first byte of a binary entry (a JSON entry starts with `{`).
pub(crate) const BINARY_TAG: u8 = 0x01;

/// Bytes before a binary entry's own fields: the tag, `seq`, `prev`.
pub(crate) const BINARY_HEADER: usize = 1 + 8 + 32;

/// The start of a binary entry: [`BINARY_TAG`], `seq`, `prev`.
pub(crate) fn binary_header(seq: u64, prev: &[u8; 32], capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(BINARY_HEADER + capacity);
    out.push(BINARY_TAG);
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(prev);
    out
}

/// A binary entry's `seq`, `prev` and own fields; `None` when `entry` is not one.
pub(crate) fn split_binary(entry: &[u8]) -> Option<(u64, [u8; 32], &[u8])> {
    let (header, fields) = entry.split_at_checked(BINARY_HEADER)?;
    let (tag, rest) = header.split_first()?;
    let (seq, prev) = rest.split_at(8);
    if *tag != BINARY_TAG {
        return None;
    }
    Some((
        u64::from_be_bytes(seq.try_into().ok()?),
        prev.try_into().ok()?,
        fields,
    ))
}

/// The place an entry names for itself, `(seq, prev)`, in either form; `None` when it names
/// none (malformed, or not an entry).
fn linked(entry: &[u8]) -> Option<(u64, [u8; 32])> {
    if let Some((seq, prev, _)) = split_binary(entry) {
        return Some((seq, prev));
    }
    let l: Linked = serde_json::from_slice(entry).ok()?;
    let mut prev = [0u8; 32];
    hex::decode_to_slice(&l.prev, &mut prev).ok()?;
    Some((l.seq, prev))
}

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
    /// Entries found (a retention run may have removed the oldest entries of a log: the chain
    /// then starts after them, see [`super::Registry::purge`]).
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

/// Where a chain starts: the sequence number and hash of the last entry removed by a retention
/// run (0 and zeros when nothing was removed: the chain starts at entry 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Base {
    seq: u64,
    hash: [u8; 32],
}

/// The MACed part of a head: `seq ‖ hash`, followed by `base seq ‖ base hash` once entries were
/// removed (40 or 80 bytes).
fn head_bytes(seq: u64, hash: &[u8; 32], base: &Base) -> Vec<u8> {
    let mut b = Vec::with_capacity(80);
    b.extend_from_slice(&seq.to_be_bytes());
    b.extend_from_slice(hash);
    if base.seq > 0 {
        b.extend_from_slice(&base.seq.to_be_bytes());
        b.extend_from_slice(&base.hash);
    }
    b
}

/// Splits a stored head into its MACed part and its MAC, by length (72 or 112 bytes).
fn split_head(value: &[u8]) -> Option<(&[u8], &[u8])> {
    match value.len() {
        72 => Some(value.split_at(40)),
        112 => Some(value.split_at(80)),
        _ => None,
    }
}

/// The fields of a head's MACed part (as [`split_head`] returned it).
fn parse_head(body: &[u8]) -> Head {
    let u64_at = |at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&body[at..at + 8]);
        u64::from_be_bytes(b)
    };
    let hash_at = |at: usize| {
        let mut h = [0u8; 32];
        h.copy_from_slice(&body[at..at + 32]);
        h
    };
    let base = if body.len() == 80 {
        Base {
            seq: u64_at(40),
            hash: hash_at(48),
        }
    } else {
        Base::default()
    };
    let seq = u64_at(0);
    // A base of 0 is never written in the long form; a base past the head is nonsense.
    if body.len() == 80 && (base.seq == 0 || base.seq > seq) {
        return Head::Forged;
    }
    Head::Valid(seq, hash_at(8), base)
}

/// Appends `draft` to `chain` (inside the caller's transaction) and updates the MACed head.
pub(crate) fn append(
    store: &mut dyn Store,
    chain: u32,
    mac: HeadMac<'_>,
    draft: AuditDraft,
) -> Result<(), RegistryError> {
    let mut appender = Appender::start(store, chain, mac)?;
    appender.push(store, |seq, prev| {
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
        serde_json::to_vec(&entry)
            .map_err(|e| RegistryError::Corrupt(format!("cannot encode an audit entry: {e}")))
    })?;
    appender.finish(store, mac)
}

/// Appends entries to one chain inside the caller's transaction, writing the MACed head once at
/// the end: the audit log appends one entry per call, the provision and inquiry logs one per
/// answered inquiry (a batch inquiry appends thousands to the same chains).
///
/// Every entry names its sequence number and the previous entry's hash, in JSON (`seq` and
/// `prev` fields) or in the binary form's header (see the module docs); what else it holds is
/// the caller's.
#[derive(Debug)]
pub(crate) struct Appender {
    chain: u32,
    seq: u64,
    prev: [u8; 32],
    base: Base,
    update_head: bool,
}

impl Appender {
    /// Reads where `chain` ends.
    pub fn start(
        store: &mut dyn Store,
        chain: u32,
        mac: HeadMac<'_>,
    ) -> Result<Appender, RegistryError> {
        let last = store.audit_last(chain)?;
        // Chain from the authentic (MACed) head, never from whatever the table ends with: a
        // removed tail or a rewritten chain then stays visible to verification. When the head
        // itself is missing or forged, keep appending but never bless that state with a new MAC.
        let zero = Base::default();
        let (seq, prev, base, update_head) = match (read_head(store, chain, mac)?, last) {
            (Head::Valid(seq, hash, base), Some(l)) => (seq.max(l.seq), hash, base, true),
            (Head::Valid(seq, hash, base), None) => (seq, hash, base, true),
            (Head::Missing, None) => (0, [0u8; 32], zero, true),
            (Head::Missing | Head::Forged, Some(l)) => (l.seq, l.hash, zero, false),
            (Head::Forged, None) => (0, [0u8; 32], zero, false),
        };
        Ok(Appender {
            chain,
            seq,
            prev,
            base,
            update_head,
        })
    }

    /// Appends the entry `build(seq, prev)` returns (its stored bytes), given the entry's
    /// sequence number and the previous entry's hash.
    pub fn push(
        &mut self,
        store: &mut dyn Store,
        build: impl FnOnce(u64, &[u8; 32]) -> Result<Vec<u8>, RegistryError>,
    ) -> Result<(), RegistryError> {
        let seq = self.seq + 1;
        let bytes = build(seq, &self.prev)?;
        let hash = chain_hash(&self.prev, &bytes);
        store.audit_append(
            self.chain,
            &AuditRow {
                seq,
                entry: bytes,
                hash,
            },
        )?;
        self.seq = seq;
        self.prev = hash;
        Ok(())
    }

    /// Writes the MACed head after the last entry pushed.
    pub fn finish(self, store: &mut dyn Store, mac: HeadMac<'_>) -> Result<(), RegistryError> {
        if self.update_head && self.seq > 0 {
            write_head(store, self.chain, mac, self.seq, &self.prev, &self.base)?;
        }
        Ok(())
    }
}

fn write_head(
    store: &mut dyn Store,
    chain: u32,
    mac: HeadMac<'_>,
    seq: u64,
    hash: &[u8; 32],
    base: &Base,
) -> Result<(), RegistryError> {
    let mut value = head_bytes(seq, hash, base);
    let tag = mac(&value);
    value.extend_from_slice(&tag);
    let key = RecordKey::SINGLETON;
    store.put(chain, RecordKind::AuditHead.code(), key.as_bytes(), &value)?;
    Ok(())
}

/// Removes the entries of `chain` numbered `through` or lower (the retention run of a log, in
/// the caller's transaction) and records in the head that the chain now starts after entry
/// `through`. The chain is verified first: a run never removes, and so never launders, entries
/// that do not check out. Returns how many entries were removed (0 when `through` is not past
/// the current base).
///
/// # Errors
/// [`RegistryError::Tampered`] when the chain does not verify; [`RegistryError::Corrupt`] when
/// `through` is past the head; store failures.
pub(crate) fn remove_through(
    store: &mut dyn Store,
    chain: u32,
    name: String,
    mac: HeadMac<'_>,
    through: u64,
) -> Result<u64, RegistryError> {
    let check = verify(store, chain, name, Some(mac), false)?;
    if !check.ok {
        return Err(RegistryError::Tampered(format!(
            "{} (entry {}): {}",
            check.chain,
            check.first_bad.unwrap_or(0),
            check.problem.unwrap_or_default()
        )));
    }
    let Head::Valid(seq, hash, base) = read_head(store, chain, mac)? else {
        return Ok(0); // An empty chain that never had a head: nothing to remove.
    };
    if through > seq {
        return Err(RegistryError::Corrupt(format!(
            "cannot remove a chain's entries through {through}: it ends at {seq}"
        )));
    }
    if through <= base.seq {
        return Ok(0);
    }
    let mut new_base = None;
    store.audit_scan(chain, &mut |row| {
        if row.seq == through {
            new_base = Some(Base {
                seq: row.seq,
                hash: row.hash,
            });
        }
        row.seq < through
    })?;
    let new_base = new_base.ok_or_else(|| {
        RegistryError::Corrupt(format!("entry {through} of a verified chain is missing"))
    })?;
    let removed = store.audit_remove_through(chain, through)?;
    write_head(store, chain, mac, seq, &hash, &new_base)?;
    Ok(removed)
}

/// The stored head of a chain.
enum Head {
    /// No head record.
    Missing,
    /// A head whose MAC checks out: its sequence number and hash, and where the chain starts.
    Valid(u64, [u8; 32], Base),
    /// A head record with a wrong MAC or length.
    Forged,
}

fn read_head(store: &mut dyn Store, chain: u32, mac: HeadMac<'_>) -> Result<Head, RegistryError> {
    let key = RecordKey::SINGLETON;
    let Some(head) = store.get(chain, RecordKind::AuditHead.code(), key.as_bytes())? else {
        return Ok(Head::Missing);
    };
    match split_head(&head) {
        Some((body, tag)) if mac(body) == tag => Ok(parse_head(body)),
        _ => Ok(Head::Forged),
    }
}

/// The head without checking its MAC (well-formedness only).
fn read_head_unchecked(store: &mut dyn Store, chain: u32) -> Result<Head, RegistryError> {
    let key = RecordKey::SINGLETON;
    let Some(head) = store.get(chain, RecordKind::AuditHead.code(), key.as_bytes())? else {
        return Ok(Head::Missing);
    };
    match split_head(&head) {
        Some((body, _)) => Ok(parse_head(body)),
        None => Ok(Head::Forged),
    }
}

/// The sequence number a stored head names and where its chain starts (0 when nothing was
/// removed), without checking its MAC; `None` for a malformed head. For the registry anchor's
/// quick check that a chain ends where its head says.
pub(crate) fn head_span(value: &[u8]) -> Option<(u64, u64)> {
    let (body, _) = split_head(value)?;
    match parse_head(body) {
        Head::Valid(seq, _, base) => Some((base.seq, seq)),
        Head::Missing | Head::Forged => None,
    }
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
    // Where the chain starts: from the authentic head, or (when the head is forged, which
    // check_head reports) from what it claims, so that the report names the head.
    let base = match read_head_unchecked(store, chain)? {
        Head::Valid(_, _, base) => base,
        Head::Missing | Head::Forged => Base::default(),
    };
    let mut expected_seq = base.seq + 1;
    let mut prev = base.hash;
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
            match linked(&row.entry) {
                Some((seq, named)) if seq == row.seq && named == prev => None,
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
        bad = check_head(
            store,
            chain,
            entries,
            expected_seq - 1,
            &prev,
            mac,
            must_exist,
        )?;
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
    last_seq: u64,
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
        Head::Valid(seq, ..) if seq > last_seq => {
            (last_seq + 1, "entries were removed from the end")
        }
        Head::Valid(seq, hash, _) if seq < last_seq || hash != *last_hash => {
            (seq + 1, "entries were added after the authentic head")
        }
        Head::Valid(..) => return Ok(None),
    };
    Ok(Some((problem.0, problem.1.to_owned())))
}

/// The two fields every JSON entry has, whatever else it holds.
#[derive(Deserialize)]
struct Linked {
    seq: u64,
    prev: String,
}

/// Every entry of a chain of JSON entries, for review.
pub(crate) fn entries<T: serde::de::DeserializeOwned>(
    store: &mut dyn Store,
    chain: u32,
) -> Result<Vec<T>, RegistryError> {
    entries_decoded(store, chain, |bytes| serde_json::from_slice(bytes).ok())
}

/// Every entry of a chain, each read by `decode` (`None`: unreadable).
pub(crate) fn entries_decoded<T>(
    store: &mut dyn Store,
    chain: u32,
    mut decode: impl FnMut(&[u8]) -> Option<T>,
) -> Result<Vec<T>, RegistryError> {
    let mut out = Vec::new();
    let mut bad = false;
    store.audit_scan(chain, &mut |row| match decode(&row.entry) {
        Some(e) => {
            out.push(e);
            true
        }
        None => {
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
