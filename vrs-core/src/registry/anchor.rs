//! Integrity of the whole store: every record, every audit chain and every tenant is
//! authenticated, so that a record altered, deleted, added, swapped or put back at an older
//! version, a chain erased or rolled back, or a tenant removed, is found.
//!
//! # Design
//!
//! Three layers, each authenticated by the one above, all keyed by sub-keys of the registry key
//! (so the layer needs no tenant key and an attacker without the registry key can forge none):
//!
//! 1. **Records.** Every record of a tenant — whatever its kind, sealed or not, except the
//!    anchored records of layer 2 — contributes `HMAC(content key, tenant ‖ kind ‖ record key ‖
//!    stored bytes)` to its tenant's **content digest**: per kind, the XOR of the contributions
//!    and the number of records. The digest is kept incrementally: a write XORs out the old
//!    value's contribution and XORs in the new one, so its cost does not depend on the size of
//!    the tenant. It is stored in the tenant's `content-state` record with a MAC. Contributions
//!    are keyed and each version of a record has its own (fresh nonces make every sealing
//!    unique), so no set of records other than the authentic one has the authentic digest:
//!    deleting voucher rows, putting back an older sealed blob of the same record, deleting My
//!    Number index rows or copying records between tenants all change it.
//! 2. **Anchored records**: the head of every audit chain (kind `audit-head`, whatever the
//!    chain: the registry chain, a tenant's audit chain, or any other chain
//!    [`super::audit`] manages) and every tenant's `content-state`. The **registry anchor**
//!    holds their number and the XOR of `HMAC(anchor key, id ‖ kind ‖ key ‖ bytes)` over all of
//!    them, so removing a chain or a tenant, or rolling one back to an older head, changes it.
//!    The anchor's **index** (one `anchor-index` record per anchored record, in the registry's
//!    own area, so covered by the registry's content digest) names what should exist, so a
//!    missing chain or tenant is named.
//! 3. **The anchor** itself: a counter of the commits that changed anything, the count and
//!    accumulator of layer 2, and the registry key's check value, under a MAC. A store rolled
//!    back to an older copy *as a whole* is consistent again at every layer; only something
//!    kept outside the store tells: see [`super::RegistryAnchor`].
//!
//! All of this is maintained in one place: [`Anchored`], the store wrapper every registry
//! operation writes through (bulk loads included: their shortcut store sits above it). A
//! feature that writes records through [`super::area::Area`] or the store it is given, and
//! chains through [`super::audit`], is covered without doing anything. The digests and the
//! anchor are written when the transaction commits, in the same transaction.
//!
//! Updates are incremental and never re-derive anything from the store, so tampering is never
//! laundered: a later write on top of a tampered state keeps the discrepancy.
//!
//! A removal must know the value it removes. A caller about to delete many records (a purge)
//! announces them ([`Store::will_delete`]): their values are read in one batch per kind
//! ([`Store::visit_many`]: spread over the store's connections, or walked along the kind when
//! they are a large share of it), and their removal is counted at once; each delete then only
//! deletes. An announced record written instead, or still there at commit, has its count taken
//! back from the value the store still holds; one that vanished meanwhile is tampering.
//!
//! # When it is checked
//! - **Opening a registry** checks the anchor: a wrong registry key (e.g. a new `master.key`
//!   created beside a populated store) is refused ([`RegistryError::WrongKey`]); a missing or
//!   forged anchor, or anchored records that do not add up, put the registry in quarantine:
//!   only inspection runs (verification, audit review) until the store is restored.
//! - **First use of a tenant** in a registry (and again whenever another connection committed
//!   to the store since) recomputes the tenant's content digest from every record and compares
//!   it: a tenant whose records do not match is refused ([`RegistryError::Tampered`]), so
//!   tampered data is never served. The cost is one pass over the tenant's records (about a
//!   second per million records); a host running several writer processes on one store pays
//!   it whenever another process committed.
//! - **Every commit** re-reads the anchor: a store rolled back while the registry is open is
//!   refused.
//! - [`super::Registry::verify_store`] checks everything and names each finding.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Serialize;

use crate::crypto::{MacKey, RecordKind, SecretKey};
use crate::id::MunicipalityCode;
use crate::par::ValueBatch;
use crate::store::{AuditRow, Key, RecordId, Store, StoreError};

use super::error::RegistryError;

/// The registry's own area (and chain) number.
pub(crate) const REGISTRY: u32 = 0;
/// The key of singleton records.
const SINGLETON: Key = [0; 16];
/// Format byte of the records this module writes.
const FORMAT: u8 = 1;
/// Values read or written in one transaction kept for the next write of the same record.
const SEEN_LIMIT: usize = 4096;
/// Records read ahead of their deletion in one batch: large enough for the store to spread it
/// over its connections, small enough that the batch's own memory stays a few megabytes.
const READ_AHEAD_CHUNK: usize = 65_536;

/// A problem [`super::Registry::verify_store`] (or a check before serving data) found. Names no
/// personal data: record keys are pseudonyms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntegrityFinding {
    /// Where: a municipality code, `registry`, or `chain N` for a chain of another family.
    pub scope: String,
    /// The record kind concerned (`voucher`, `audit-head`, `content-state`...), if one is.
    pub kind: Option<String>,
    /// The pseudonymous key of the record concerned (32 hex digits), if one is.
    pub key: Option<String>,
    /// What is wrong, in English.
    pub problem: String,
}

impl IntegrityFinding {
    pub(crate) fn new(
        id: u32,
        kind: Option<u8>,
        key: Option<&Key>,
        problem: impl Into<String>,
    ) -> IntegrityFinding {
        IntegrityFinding {
            scope: scope_name(id),
            kind: kind.map(RecordKind::describe),
            key: key.map(hex::encode),
            problem: problem.into(),
        }
    }
}

impl std::fmt::Display for IntegrityFinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.scope)?;
        if let Some(kind) = &self.kind {
            write!(f, ", {kind}")?;
        }
        if let Some(key) = &self.key {
            write!(f, " record {key}")?;
        }
        write!(f, ": {}", self.problem)
    }
}

/// One line for an error message: the first finding, and how many more there are.
pub(crate) fn summary(findings: &[IntegrityFinding]) -> Option<String> {
    let first = findings.first()?;
    Some(match findings.len() {
        1 => first.to_string(),
        n => format!("{first} (and {} more finding(s))", n - 1),
    })
}

/// How a store number is shown: a municipality code, `registry`, or `chain N`.
pub(crate) fn scope_name(id: u32) -> String {
    if id == REGISTRY {
        return "registry".to_owned();
    }
    match MunicipalityCode::from_u32(id) {
        Some(code) => code.as_str().to_owned(),
        None => format!("chain {id}"),
    }
}

fn tampered(why: impl Into<String>) -> StoreError {
    StoreError::Tampered(why.into())
}

/// The keys of this layer, derived from the registry key.
#[derive(Clone)]
pub(crate) struct IntegrityKeys {
    content: MacKey,
    anchor: MacKey,
    check: [u8; 16],
}

impl IntegrityKeys {
    pub fn derive(registry_key: &SecretKey) -> IntegrityKeys {
        IntegrityKeys {
            content: registry_key.derive(b"vrs/content-digest/v1").mac_key(),
            anchor: registry_key.derive(b"vrs/anchor/v1").mac_key(),
            check: registry_key.check_value(),
        }
    }

    /// A record's contribution to its tenant's content digest.
    fn contribution(&self, tenant: u32, kind: u8, key: &Key, value: &[u8]) -> [u8; 32] {
        self.content
            .mac(&[b"c", &tenant.to_be_bytes(), &[kind], key, value])
    }

    /// An anchored record's contribution to the registry anchor.
    fn item(&self, id: u32, kind: u8, key: &Key, value: &[u8]) -> [u8; 32] {
        self.anchor
            .mac(&[b"i", &id.to_be_bytes(), &[kind], key, value])
    }

    /// The key of an anchored record's index entry.
    fn index_key(&self, id: u32, kind: u8, key: &Key) -> Key {
        let full = self.anchor.mac(&[b"x", &id.to_be_bytes(), &[kind], key]);
        let mut out = [0u8; 16];
        out.copy_from_slice(&full[..16]);
        out
    }
}

/// How the integrity layer treats a record kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Counted in its tenant's content digest.
    Content,
    /// Counted in the registry anchor (audit heads; content states, which only this layer
    /// writes).
    Anchored,
    /// Written only by this layer and counted nowhere (the anchor itself).
    Root,
}

fn class(kind: u8) -> Class {
    match RecordKind::from_code(kind) {
        Some(RecordKind::AuditHead | RecordKind::ContentState) => Class::Anchored,
        Some(RecordKind::Anchor) => Class::Root,
        _ => Class::Content,
    }
}

fn xor_into(acc: &mut [u8; 32], x: &[u8; 32]) {
    for (a, b) in acc.iter_mut().zip(x) {
        *a ^= b;
    }
}

/// A 4-byte checksum of a key check value, so that a damaged check value reads as damage, not
/// as another key.
fn check_sum(check: &[u8; 16]) -> [u8; 4] {
    use sha2::{Digest, Sha256};
    let full = Sha256::digest(check);
    [full[0], full[1], full[2], full[3]]
}

/// What a stored key check value says about a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CheckValue {
    /// It is this key's.
    Matches,
    /// It is intact and another key's.
    OtherKey,
    /// It is damaged.
    Damaged,
}

/// Compares a stored check value (16 bytes and its checksum) with `ours`.
pub(crate) fn compare_check(stored: &[u8], ours: &[u8; 16]) -> CheckValue {
    let Ok(stored) = <[u8; 20]>::try_from(stored) else {
        return CheckValue::Damaged;
    };
    let mut check = [0u8; 16];
    check.copy_from_slice(&stored[..16]);
    if check_sum(&check) != stored[16..] {
        CheckValue::Damaged
    } else if check == *ours {
        CheckValue::Matches
    } else {
        CheckValue::OtherKey
    }
}

/// A stored key check value: the value and its checksum.
pub(crate) fn stored_check(check: &[u8; 16]) -> [u8; 20] {
    let mut out = [0u8; 20];
    out[..16].copy_from_slice(check);
    out[16..].copy_from_slice(&check_sum(check));
    out
}

// ---------------------------------------------------------------------------------------------
// The records of this layer.

/// Per kind: how many records, and the XOR of their contributions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct KindDigest {
    count: u64,
    digest: [u8; 32],
}

/// A change to a [`KindDigest`] within one transaction.
#[derive(Debug, Clone, Copy, Default)]
struct KindDelta {
    count: i64,
    digest: [u8; 32],
}

/// A tenant's content digest (record kind `content-state`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ContentState {
    kinds: BTreeMap<u8, KindDigest>,
}

impl ContentState {
    fn to_bytes(&self, tenant: u32, keys: &IntegrityKeys) -> Vec<u8> {
        let mut body = vec![FORMAT];
        // A kind with no records left keeps a non-zero digest if a record was altered before
        // it was removed: kept, so the discrepancy stays visible.
        let kinds: Vec<(&u8, &KindDigest)> = self
            .kinds
            .iter()
            .filter(|(_, d)| d.count > 0 || d.digest != [0; 32])
            .collect();
        body.extend_from_slice(&(kinds.len() as u16).to_be_bytes());
        for (kind, d) in kinds {
            body.push(*kind);
            body.extend_from_slice(&d.count.to_be_bytes());
            body.extend_from_slice(&d.digest);
        }
        let mac = keys.anchor.mac(&[b"s", &tenant.to_be_bytes(), &body]);
        body.extend_from_slice(&mac);
        body
    }

    /// `None` unless well formed and authentic for `tenant`.
    fn parse(tenant: u32, bytes: &[u8], keys: &IntegrityKeys) -> Option<ContentState> {
        let (body, mac) = bytes.split_at_checked(bytes.len().checked_sub(32)?)?;
        if keys.anchor.mac(&[b"s", &tenant.to_be_bytes(), body]) != mac {
            return None;
        }
        let (&format, rest) = body.split_first()?;
        if format != FORMAT {
            return None;
        }
        let (n, mut rest) = rest.split_at_checked(2)?;
        let n = u16::from_be_bytes([n[0], n[1]]);
        let mut kinds = BTreeMap::new();
        for _ in 0..n {
            let (entry, tail) = rest.split_at_checked(1 + 8 + 32)?;
            let mut count = [0u8; 8];
            count.copy_from_slice(&entry[1..9]);
            let mut digest = [0u8; 32];
            digest.copy_from_slice(&entry[9..]);
            let d = KindDigest {
                count: u64::from_be_bytes(count),
                digest,
            };
            kinds.insert(entry[0], d);
            rest = tail;
        }
        rest.is_empty().then_some(ContentState { kinds })
    }

    /// Applies a transaction's changes; `Err(kind)` when a count would go below zero (records
    /// the digest never counted were removed: the state was tampered with).
    fn apply(&mut self, deltas: &BTreeMap<u8, KindDelta>) -> Result<(), u8> {
        for (kind, delta) in deltas {
            let d = self.kinds.entry(*kind).or_default();
            d.count = d.count.checked_add_signed(delta.count).ok_or(*kind)?;
            xor_into(&mut d.digest, &delta.digest);
        }
        Ok(())
    }
}

/// The registry anchor (record kind `anchor` in the registry's area).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AnchorRec {
    counter: u64,
    items: u64,
    acc: [u8; 32],
    check: [u8; 16],
    /// The MAC, which commits to everything above: what a host keeps.
    mac: [u8; 32],
}

/// What reading the anchor found.
enum Parsed {
    Authentic(AnchorRec),
    WrongKey,
    Forged,
}

impl AnchorRec {
    const LEN: usize = 1 + 20 + 8 + 8 + 32 + 32;

    fn body(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(Self::LEN);
        b.push(FORMAT);
        b.extend_from_slice(&stored_check(&self.check));
        b.extend_from_slice(&self.counter.to_be_bytes());
        b.extend_from_slice(&self.items.to_be_bytes());
        b.extend_from_slice(&self.acc);
        b
    }

    fn new(counter: u64, items: u64, acc: [u8; 32], keys: &IntegrityKeys) -> AnchorRec {
        let mut a = AnchorRec {
            counter,
            items,
            acc,
            check: keys.check,
            mac: [0; 32],
        };
        a.mac = keys.anchor.mac(&[b"a", &a.body()]);
        a
    }

    fn to_bytes(self) -> Vec<u8> {
        let mut b = self.body();
        b.extend_from_slice(&self.mac);
        b
    }

    fn parse(bytes: &[u8], keys: &IntegrityKeys) -> Parsed {
        if bytes.len() != Self::LEN || bytes[0] != FORMAT {
            return Parsed::Forged;
        }
        match compare_check(&bytes[1..21], &keys.check) {
            CheckValue::OtherKey => return Parsed::WrongKey,
            CheckValue::Damaged => return Parsed::Forged,
            CheckValue::Matches => {}
        }
        let (body, mac) = bytes.split_at(Self::LEN - 32);
        if keys.anchor.mac(&[b"a", body]) != mac {
            return Parsed::Forged;
        }
        let num = |at: usize| {
            let mut n = [0u8; 8];
            n.copy_from_slice(&bytes[at..at + 8]);
            u64::from_be_bytes(n)
        };
        let mut acc = [0u8; 32];
        acc.copy_from_slice(&bytes[37..69]);
        let mut m = [0u8; 32];
        m.copy_from_slice(mac);
        Parsed::Authentic(AnchorRec {
            counter: num(21),
            items: num(29),
            acc,
            check: keys.check,
            mac: m,
        })
    }
}

/// An index entry's value: the anchored record it names.
fn index_value(id: u32, kind: u8, key: &Key) -> Vec<u8> {
    let mut v = Vec::with_capacity(22);
    v.push(FORMAT);
    v.extend_from_slice(&id.to_be_bytes());
    v.push(kind);
    v.extend_from_slice(key);
    v
}

fn parse_index(value: &[u8]) -> Option<(u32, u8, Key)> {
    if value.len() != 22 || value[0] != FORMAT {
        return None;
    }
    let id = u32::from_be_bytes([value[1], value[2], value[3], value[4]]);
    let mut key = [0u8; 16];
    key.copy_from_slice(&value[6..]);
    Some((id, value[5], key))
}

// ---------------------------------------------------------------------------------------------
// The store wrapper.

/// What a transaction changed, settled at commit.
#[derive(Default)]
struct Pending {
    /// Per tenant, per kind.
    content: BTreeMap<u32, BTreeMap<u8, KindDelta>>,
    /// XOR of the anchored records' contributions removed and added.
    items: [u8; 32],
    /// Anchored records created.
    new_items: Vec<(u32, u8, Key)>,
    added_items: u64,
    changed: bool,
    /// Values read or written in this transaction: a write replacing one needs no lookup.
    seen: HashMap<(u32, u8, Key), Option<Vec<u8>>>,
    /// Records read ahead of their deletion ([`Store::will_delete`]), sorted by id.
    ahead: Vec<(RecordId, Ahead)>,
    /// Where in `ahead` the next look-up probably is.
    ahead_next: std::cell::Cell<usize>,
}

/// What is known of a record read ahead of its deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ahead {
    /// Absent when read, and neither written nor deleted since: deleting it changes nothing.
    Absent,
    /// Present when read, and neither written nor deleted since: its removal is already
    /// counted in the content delta (taken back if it is written instead, or left in place).
    Counted,
    /// Deleted or written since: no longer special.
    Done,
}

impl Pending {
    fn account(
        &mut self,
        keys: &IntegrityKeys,
        id: (u32, u8, &Key),
        old: Option<&[u8]>,
        new: Option<&[u8]>,
    ) {
        let (tenant, kind, key) = id;
        if let Some(old) = old {
            self.count(tenant, kind, &keys.contribution(tenant, kind, key, old), -1);
        }
        if let Some(new) = new {
            self.count(tenant, kind, &keys.contribution(tenant, kind, key, new), 1);
        }
        self.changed = true;
    }

    /// Adds (`by` = 1) or takes out (`by` = -1) a record's contribution to its tenant's digest.
    fn count(&mut self, tenant: u32, kind: u8, contribution: &[u8; 32], by: i64) {
        let d = self
            .content
            .entry(tenant)
            .or_default()
            .entry(kind)
            .or_default();
        xor_into(&mut d.digest, contribution);
        d.count += by;
    }

    /// Where record `id` is among those read ahead, if it is.
    fn ahead_at(&self, id: &RecordId) -> Option<usize> {
        if self.ahead.is_empty() {
            return None;
        }
        // Deletes mostly come in the order they were listed: try the one after the last found.
        let next = self.ahead_next.get();
        if self.ahead.get(next).is_some_and(|(a, _)| a == id) {
            self.ahead_next.set(next + 1);
            return Some(next);
        }
        let at = self.ahead.binary_search_by(|(a, _)| a.cmp(id)).ok()?;
        self.ahead_next.set(at + 1);
        Some(at)
    }

    fn remember(&mut self, id: (u32, u8, Key), value: Option<Vec<u8>>) {
        if self.seen.len() >= SEEN_LIMIT {
            self.seen.clear();
        }
        self.seen.insert(id, value);
    }
}

/// The store every registry operation works through: it keeps the content digests and the
/// registry anchor (see the [module docs](self)). Everything else passes to the inner store.
///
/// It dereferences to `dyn Store`, so code holding it writes `&mut *registry.store` as for a
/// boxed store.
pub(crate) struct Anchored {
    inner: Box<dyn Store>,
    keys: IntegrityKeys,
    pending: Option<Pending>,
    /// The highest anchor counter seen or written: a lower one later means a rollback.
    seen_counter: u64,
}

impl std::ops::Deref for Anchored {
    type Target = dyn Store;
    fn deref(&self) -> &(dyn Store + 'static) {
        self
    }
}

impl std::ops::DerefMut for Anchored {
    fn deref_mut(&mut self) -> &mut (dyn Store + 'static) {
        self
    }
}

/// What opening found.
pub(crate) enum OpenState {
    /// Everything adds up.
    Sound,
    /// The registry must only be inspected: why.
    Quarantine(String),
}

impl Anchored {
    pub fn new(inner: Box<dyn Store>, keys: IntegrityKeys) -> Anchored {
        Anchored {
            inner,
            keys,
            pending: None,
            seen_counter: 0,
        }
    }

    /// The keys of this layer (the area cache verifies tenants' contents with them).
    pub fn keys(&self) -> &IntegrityKeys {
        &self.keys
    }

    /// At open: creates the anchor of an empty store, or checks the anchor of a populated one.
    ///
    /// # Errors
    /// [`RegistryError::WrongKey`] (`registry`) when the anchor was written under another
    /// registry key; store failures.
    pub fn open_check(&mut self) -> Result<OpenState, RegistryError> {
        let Some(bytes) = self
            .inner
            .get(REGISTRY, RecordKind::Anchor.code(), &SINGLETON)?
        else {
            if self.is_empty()? {
                self.initialise()?;
                return Ok(OpenState::Sound);
            }
            return Ok(OpenState::Quarantine(
                "registry, anchor: the registry anchor is missing from a store that holds data"
                    .into(),
            ));
        };
        let anchor = match AnchorRec::parse(&bytes, &self.keys) {
            Parsed::Authentic(a) => a,
            Parsed::WrongKey => return Err(RegistryError::WrongKey("the registry".into())),
            Parsed::Forged => {
                return Ok(OpenState::Quarantine(
                    "registry, anchor: the registry anchor is not authentic".into(),
                ))
            }
        };
        self.seen_counter = anchor.counter;
        let findings = self.check_anchor(false)?;
        Ok(match summary(&findings) {
            None => OpenState::Sound,
            Some(s) => OpenState::Quarantine(s),
        })
    }

    fn is_empty(&mut self) -> Result<bool, StoreError> {
        Ok(!crate::store::holds_data(&mut *self.inner)?)
    }

    fn initialise(&mut self) -> Result<(), StoreError> {
        let state = ContentState::default().to_bytes(REGISTRY, &self.keys);
        let code = RecordKind::ContentState.code();
        let acc = self.keys.item(REGISTRY, code, &SINGLETON, &state);
        let anchor = AnchorRec::new(1, 1, acc, &self.keys);
        self.inner.begin()?;
        let written = self
            .inner
            .put(REGISTRY, code, &SINGLETON, &state)
            .and_then(|()| {
                let a = anchor.to_bytes();
                self.inner
                    .put(REGISTRY, RecordKind::Anchor.code(), &SINGLETON, &a)
            });
        match written {
            Ok(()) => self.inner.commit()?,
            Err(e) => {
                self.inner.rollback()?;
                return Err(e);
            }
        }
        self.seen_counter = anchor.counter;
        Ok(())
    }

    fn read_anchor(&mut self) -> Result<AnchorRec, StoreError> {
        let bytes = self
            .inner
            .get(REGISTRY, RecordKind::Anchor.code(), &SINGLETON)?
            .ok_or_else(|| tampered("registry, anchor: the registry anchor is missing"))?;
        match AnchorRec::parse(&bytes, &self.keys) {
            Parsed::Authentic(a) => Ok(a),
            Parsed::WrongKey => Err(tampered(
                "registry, anchor: the registry anchor was replaced by one of another registry key",
            )),
            Parsed::Forged => Err(tampered(
                "registry, anchor: the registry anchor is not authentic",
            )),
        }
    }

    /// Whether the anchor's index lists the record of `kind` (singleton key) of `id`: it must
    /// exist (a chain head, a content digest).
    pub fn listed(&mut self, id: u32, kind: RecordKind) -> Result<bool, StoreError> {
        if id == REGISTRY && kind == RecordKind::ContentState {
            return Ok(true);
        }
        let ikey = self.keys.index_key(id, kind.code(), &SINGLETON);
        Ok(self
            .inner
            .get(REGISTRY, RecordKind::AnchorIndex.code(), &ikey)?
            .is_some())
    }

    /// The current anchor's counter and MAC (what a host keeps), checked.
    ///
    /// # Errors
    /// [`StoreError::Tampered`] when the anchor is missing, forged, or older than one this
    /// registry saw.
    pub fn current(&mut self) -> Result<(u64, [u8; 32]), StoreError> {
        let a = self.read_anchor()?;
        if a.counter < self.seen_counter {
            return Err(self.rolled_back(a.counter));
        }
        self.seen_counter = a.counter;
        Ok((a.counter, a.mac))
    }

    fn rolled_back(&self, found: u64) -> StoreError {
        tampered(format!(
            "registry, anchor: the store went back from commit {} to commit {found} (it was \
             rolled back to an older copy)",
            self.seen_counter
        ))
    }

    /// Checks the anchor and the anchored records the index names (and the registry's own
    /// content state, which it does not name) against it; with `unlisted`, also looks for
    /// anchored records present but not listed (a pass over every tenant).
    pub fn check_anchor(&mut self, unlisted: bool) -> Result<Vec<IntegrityFinding>, StoreError> {
        let anchor_kind = RecordKind::Anchor.code();
        let anchor = match self.inner.get(REGISTRY, anchor_kind, &SINGLETON)? {
            None => None,
            Some(bytes) => match AnchorRec::parse(&bytes, &self.keys) {
                Parsed::Authentic(a) => Some(a),
                Parsed::WrongKey | Parsed::Forged => {
                    return Ok(vec![IntegrityFinding::new(
                        REGISTRY,
                        Some(anchor_kind),
                        None,
                        "the registry anchor is not authentic",
                    )])
                }
            },
        };
        let mut findings = Vec::new();
        if anchor.is_none() {
            findings.push(IntegrityFinding::new(
                REGISTRY,
                Some(anchor_kind),
                None,
                "the registry anchor is missing",
            ));
        }
        let mut listed = vec![(REGISTRY, RecordKind::ContentState.code(), SINGLETON)];
        let index = RecordKind::AnchorIndex.code();
        self.inner.scan(REGISTRY, index, &mut |key, value| {
            match parse_index(value) {
                Some(item) => listed.push(item),
                None => findings.push(IntegrityFinding::new(
                    REGISTRY,
                    Some(index),
                    Some(key),
                    "the index entry is malformed",
                )),
            }
            true
        })?;
        let mut acc = [0u8; 32];
        let mut missing = false;
        for (id, kind, key) in &listed {
            match self.inner.get(*id, *kind, key)? {
                Some(v) => {
                    xor_into(&mut acc, &self.keys.item(*id, *kind, key, &v));
                    if *kind == RecordKind::AuditHead.code() {
                        if let Some(f) = self.chain_end(*id, &v)? {
                            findings.push(f);
                        }
                    }
                }
                None => {
                    missing = true;
                    findings.push(IntegrityFinding::new(
                        *id,
                        Some(*kind),
                        None,
                        missing_item(*kind),
                    ));
                }
            }
        }
        if unlisted {
            let listed_set: std::collections::HashSet<(u32, u8, Key)> =
                listed.iter().copied().collect();
            let mut ids = self.inner.tenants()?;
            ids.insert(0, REGISTRY);
            for id in ids {
                for kind in [
                    RecordKind::AuditHead.code(),
                    RecordKind::ContentState.code(),
                ] {
                    let mut found = Vec::new();
                    self.inner.scan(id, kind, &mut |key, _| {
                        found.push(*key);
                        true
                    })?;
                    for key in found {
                        if !listed_set.contains(&(id, kind, key)) {
                            findings.push(IntegrityFinding::new(
                                id,
                                Some(kind),
                                Some(&key),
                                "the record is not in the registry anchor's index (added \
                                 outside the registry, or its index entry was removed)",
                            ));
                        }
                    }
                }
            }
        }
        let Some(anchor) = anchor else {
            return Ok(findings);
        };
        if listed.len() as u64 != anchor.items {
            findings.push(IntegrityFinding::new(
                REGISTRY,
                Some(anchor_kind),
                None,
                format!(
                    "the anchor counts {} chain heads and content digests, its index lists {} \
                     (index entries were removed or added)",
                    anchor.items,
                    listed.len()
                ),
            ));
        } else if !missing && acc != anchor.acc {
            findings.push(IntegrityFinding::new(
                REGISTRY,
                Some(anchor_kind),
                None,
                "a chain head or a tenant's content digest is not the one the anchor recorded \
                 (a chain or a tenant was rolled back to an older state)",
            ));
        }
        Ok(findings)
    }

    /// A chain whose last entry is not the one its head names: its head or its entries were
    /// rolled back apart (one query per chain; the full check is [`super::audit::verify`]).
    fn chain_end(&mut self, id: u32, head: &[u8]) -> Result<Option<IntegrityFinding>, StoreError> {
        let Some((base, seq)) = super::audit::head_span(head) else {
            return Ok(None); // Malformed: the audit verification says so.
        };
        // A log whose every entry a retention run removed ends at its base.
        let last = self.inner.audit_last(id)?.map_or(base, |r| r.seq);
        let problem = match last.cmp(&seq) {
            std::cmp::Ordering::Equal => return Ok(None),
            std::cmp::Ordering::Greater => format!(
                "the chain holds entries up to {last} after its head at {seq} (the head was \
                 rolled back, or entries added)"
            ),
            std::cmp::Ordering::Less => format!(
                "the chain ends at entry {last} before its head at {seq} (entries were removed \
                 or rolled back)"
            ),
        };
        Ok(Some(IntegrityFinding::new(
            id,
            Some(RecordKind::AuditHead.code()),
            None,
            problem,
        )))
    }

    /// Settles a transaction's changes: content states, index entries, the anchor.
    fn settle(&mut self, mut p: Pending) -> Result<u64, StoreError> {
        // Nothing is written on top of an anchor that is not authentic or went back.
        let anchor = self.read_anchor()?;
        if anchor.counter < self.seen_counter {
            return Err(self.rolled_back(anchor.counter));
        }
        let tenants: Vec<u32> = p
            .content
            .keys()
            .copied()
            .filter(|&t| t != REGISTRY)
            .collect();
        for t in tenants {
            self.settle_tenant(t, &mut p)?;
        }
        // New anchored records get index entries, which are the registry's content.
        let index = RecordKind::AnchorIndex.code();
        for (id, kind, key) in std::mem::take(&mut p.new_items) {
            let ikey = self.keys.index_key(id, kind, &key);
            let value = index_value(id, kind, &key);
            let old = self.inner.get(REGISTRY, index, &ikey)?;
            if old.as_deref() != Some(&value[..]) {
                self.inner.put(REGISTRY, index, &ikey, &value)?;
                p.account(
                    &self.keys,
                    (REGISTRY, index, &ikey),
                    old.as_deref(),
                    Some(&value),
                );
            }
        }
        if p.content.contains_key(&REGISTRY) {
            self.settle_tenant(REGISTRY, &mut p)?;
        }
        let mut acc = anchor.acc;
        xor_into(&mut acc, &p.items);
        let next = AnchorRec::new(
            anchor.counter + 1,
            anchor.items + p.added_items,
            acc,
            &self.keys,
        );
        self.inner.put(
            REGISTRY,
            RecordKind::Anchor.code(),
            &SINGLETON,
            &next.to_bytes(),
        )?;
        Ok(next.counter)
    }

    fn settle_tenant(&mut self, tenant: u32, p: &mut Pending) -> Result<(), StoreError> {
        let deltas = p.content.remove(&tenant).unwrap_or_default();
        let code = RecordKind::ContentState.code();
        let old = self.inner.get(tenant, code, &SINGLETON)?;
        let mut state = match &old {
            Some(bytes) => ContentState::parse(tenant, bytes, &self.keys).ok_or_else(|| {
                tampered(format!(
                    "{}, content-state: the content digest is not authentic",
                    scope_name(tenant)
                ))
            })?,
            None => {
                let ikey = self.keys.index_key(tenant, code, &SINGLETON);
                let indexed = self
                    .inner
                    .get(REGISTRY, RecordKind::AnchorIndex.code(), &ikey)?
                    .is_some();
                if tenant == REGISTRY || indexed {
                    return Err(tampered(format!(
                        "{}, content-state: the content digest is missing",
                        scope_name(tenant)
                    )));
                }
                p.new_items.push((tenant, code, SINGLETON));
                p.added_items += 1;
                ContentState::default()
            }
        };
        state.apply(&deltas).map_err(|kind| {
            tampered(format!(
                "{}, {}: records the content digest never counted were removed",
                scope_name(tenant),
                RecordKind::describe(kind)
            ))
        })?;
        let new = state.to_bytes(tenant, &self.keys);
        self.inner.put(tenant, code, &SINGLETON, &new)?;
        if let Some(old) = &old {
            xor_into(&mut p.items, &self.keys.item(tenant, code, &SINGLETON, old));
        }
        xor_into(
            &mut p.items,
            &self.keys.item(tenant, code, &SINGLETON, &new),
        );
        Ok(())
    }

    /// Reads the records `ids` a caller is about to delete ([`Store::will_delete`]) in batches
    /// of [`READ_AHEAD_CHUNK`], and counts the removal of those present now: each delete then
    /// only deletes.
    /// Content records only, and only those this transaction knows nothing of yet.
    fn read_ahead(&mut self, ids: &[RecordId]) -> Result<(), StoreError> {
        let Some(p) = self.pending.as_ref() else {
            return Err(StoreError::Transaction("write outside a transaction"));
        };
        // Lists sized once: for a large purge they are tens of megabytes each.
        let mut wanted: Vec<RecordId> = Vec::with_capacity(ids.len());
        wanted.extend(ids.iter().filter(|id| {
            class(id.1) == Class::Content && !p.seen.contains_key(*id) && p.ahead_at(id).is_none()
        }));
        wanted.sort_unstable();
        wanted.dedup();
        let merge = !p.ahead.is_empty();
        if let Some(p) = self.pending.as_mut() {
            p.ahead.reserve(wanted.len());
        }
        let mut read = Ok(());
        // Kind by kind: a store may read a batch of one kind faster (see `Store::visit_many`).
        let chunks = wanted
            .chunk_by(|a, b| (a.0, a.1) == (b.0, b.1))
            .flat_map(|kind| kind.chunks(READ_AHEAD_CHUNK));
        for chunk in chunks {
            read = self.read_ahead_chunk(chunk);
            if read.is_err() {
                break;
            }
        }
        // Every record listed is counted, and every record counted is listed, even after a
        // failure (the caller then rolls the transaction back).
        if merge {
            if let Some(p) = self.pending.as_mut() {
                p.ahead.sort_unstable_by_key(|(id, _)| *id);
            }
        }
        read
    }

    /// [`Anchored::read_ahead`] of `ids` (sorted, at most [`READ_AHEAD_CHUNK`]): one batch read.
    fn read_ahead_chunk(&mut self, ids: &[RecordId]) -> Result<(), StoreError> {
        let slots: Vec<OnceLock<Option<[u8; 32]>>> = std::iter::repeat_with(OnceLock::new)
            .take(ids.len())
            .collect();
        let keys = &self.keys;
        self.inner.visit_many(ids, &|i, value| {
            if let (Some(slot), Some((tenant, kind, key))) = (slots.get(i), ids.get(i)) {
                let _ = slot.set(value.map(|v| keys.contribution(*tenant, *kind, key, v)));
            }
        })?;
        let Some(p) = self.pending.as_mut() else {
            return Err(StoreError::Transaction("write outside a transaction"));
        };
        for (id, slot) in ids.iter().zip(slots) {
            let state = match slot.into_inner() {
                None => {
                    return Err(StoreError::Backend(
                        "the store skipped a record of a batch read".into(),
                    ))
                }
                Some(Some(c)) => {
                    p.count(id.0, id.1, &c, -1);
                    Ahead::Counted
                }
                Some(None) => Ahead::Absent,
            };
            p.ahead.push((*id, state));
        }
        Ok(())
    }

    /// Record `id` stops being "read ahead" (it is about to be written, or the transaction
    /// commits without deleting it): a counted removal is taken back, from the value the store
    /// still holds (nothing changed it since it was read).
    fn release_ahead(&mut self, id: &RecordId) -> Result<(), StoreError> {
        let Some(p) = self.pending.as_ref() else {
            return Ok(());
        };
        let Some(at) = p.ahead_at(id) else {
            return Ok(());
        };
        let state = p.ahead[at].1;
        let value = match state {
            Ahead::Counted => Some(
                self.inner
                    .get(id.0, id.1, &id.2)?
                    .ok_or_else(|| vanished(id.0, id.1))?,
            ),
            Ahead::Absent | Ahead::Done => None,
        };
        let Anchored { keys, pending, .. } = self;
        if let Some(p) = pending.as_mut() {
            if let Some(v) = &value {
                p.count(id.0, id.1, &keys.contribution(id.0, id.1, &id.2, v), 1);
            }
            p.ahead[at].1 = Ahead::Done;
        }
        Ok(())
    }

    /// Takes back the counted removals of records read ahead but never deleted.
    fn release_all_ahead(&mut self) -> Result<(), StoreError> {
        let left: Vec<RecordId> = self
            .pending
            .as_ref()
            .map(|p| {
                p.ahead
                    .iter()
                    .filter(|(_, state)| *state != Ahead::Done)
                    .map(|(id, _)| *id)
                    .collect()
            })
            .unwrap_or_default();
        for id in &left {
            self.release_ahead(id)?;
        }
        Ok(())
    }

    /// The value a write replaces: known from this transaction, or looked up.
    fn old_value(
        &mut self,
        tenant: u32,
        kind: u8,
        key: &Key,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        if let Some(seen) = self
            .pending
            .as_ref()
            .and_then(|p| p.seen.get(&(tenant, kind, *key)))
        {
            return Ok(seen.clone());
        }
        self.inner.get(tenant, kind, key)
    }

    fn write(
        &mut self,
        tenant: u32,
        kind: u8,
        key: &Key,
        value: &[u8],
        new: bool,
    ) -> Result<(), StoreError> {
        if self.pending.is_none() {
            return Err(StoreError::Transaction("write outside a transaction"));
        }
        let class = class(kind);
        if class == Class::Root || kind == RecordKind::ContentState.code() {
            return Err(StoreError::Conflict(
                "the registry maintains this record itself",
            ));
        }
        self.release_ahead(&(tenant, kind, *key))?;
        let old = if new {
            None
        } else {
            self.old_value(tenant, kind, key)?
        };
        // A chain whose head was erased is not started afresh: that would hide the erasure.
        if class == Class::Anchored && old.is_none() {
            let ikey = self.keys.index_key(tenant, kind, key);
            if self
                .inner
                .get(REGISTRY, RecordKind::AnchorIndex.code(), &ikey)?
                .is_some()
            {
                return Err(tampered(format!(
                    "{}, {}: the chain's head was erased (the chain will not be started again)",
                    scope_name(tenant),
                    RecordKind::describe(kind)
                )));
            }
        }
        if new {
            self.inner.put_new(tenant, kind, key, value)?;
        } else {
            self.inner.put(tenant, kind, key, value)?;
        }
        let Anchored { keys, pending, .. } = self;
        let Some(p) = pending.as_mut() else {
            return Err(StoreError::Transaction("write outside a transaction"));
        };
        match class {
            Class::Content => p.account(keys, (tenant, kind, key), old.as_deref(), Some(value)),
            _ => {
                match &old {
                    Some(o) => xor_into(&mut p.items, &keys.item(tenant, kind, key, o)),
                    None => {
                        p.new_items.push((tenant, kind, *key));
                        p.added_items += 1;
                    }
                }
                xor_into(&mut p.items, &keys.item(tenant, kind, key, value));
                p.changed = true;
            }
        }
        p.remember((tenant, kind, *key), Some(value.to_vec()));
        Ok(())
    }
}

/// A record read ahead of its deletion in this transaction is gone: only someone writing to the
/// store behind the registry's back can have removed it.
fn vanished(tenant: u32, kind: u8) -> StoreError {
    tampered(format!(
        "{}, {}: a record read in this transaction vanished",
        scope_name(tenant),
        RecordKind::describe(kind)
    ))
}

fn missing_item(kind: u8) -> &'static str {
    match RecordKind::from_code(kind) {
        Some(RecordKind::AuditHead) => {
            "the audit chain's head is missing (the chain was erased or its head removed)"
        }
        Some(RecordKind::ContentState) => {
            "the tenant's content digest is missing (the tenant was removed or its digest erased)"
        }
        _ => "an anchored record is missing",
    }
}

impl Store for Anchored {
    fn begin(&mut self) -> Result<(), StoreError> {
        self.inner.begin()?;
        self.pending = Some(Pending::default());
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        if let Err(e) = self.release_all_ahead() {
            self.pending = None;
            let _ = self.inner.rollback();
            return Err(e);
        }
        let Some(pending) = self.pending.take() else {
            return self.inner.commit();
        };
        if !pending.changed {
            return self.inner.commit();
        }
        match self.settle(pending) {
            Ok(counter) => {
                self.inner.commit()?;
                self.seen_counter = counter;
                Ok(())
            }
            Err(e) => {
                let _ = self.inner.rollback();
                Err(e)
            }
        }
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
        self.pending = None;
        self.inner.rollback()
    }

    fn get(&mut self, tenant: u32, kind: u8, key: &Key) -> Result<Option<Vec<u8>>, StoreError> {
        let value = self.inner.get(tenant, kind, key)?;
        if let Some(p) = self.pending.as_mut() {
            p.remember((tenant, kind, *key), value.clone());
        }
        Ok(value)
    }

    fn visit_many(
        &mut self,
        ids: &[RecordId],
        visit: &(dyn Fn(usize, Option<&[u8]>) + Sync),
    ) -> Result<(), StoreError> {
        // Not remembered: batches of reads (inquiries) are not followed by writes of the same
        // records, and a write looks its old value up when it is not remembered.
        self.inner.visit_many(ids, visit)
    }

    fn put(&mut self, tenant: u32, kind: u8, key: &Key, value: &[u8]) -> Result<(), StoreError> {
        self.write(tenant, kind, key, value, false)
    }

    fn put_new(
        &mut self,
        tenant: u32,
        kind: u8,
        key: &Key,
        value: &[u8],
    ) -> Result<(), StoreError> {
        self.write(tenant, kind, key, value, true)
    }

    fn delete(&mut self, tenant: u32, kind: u8, key: &Key) -> Result<bool, StoreError> {
        if self.pending.is_none() {
            return Err(StoreError::Transaction("write outside a transaction"));
        }
        if class(kind) != Class::Content {
            return Err(StoreError::Conflict(
                "the registry never deletes audit heads or its own records",
            ));
        }
        let id = (tenant, kind, *key);
        let ahead = self
            .pending
            .as_ref()
            .and_then(|p| p.ahead_at(&id).map(|at| (at, p.ahead[at].1)));
        match ahead {
            // Absent when read, untouched since.
            Some((_, Ahead::Absent)) => return Ok(false),
            // Its removal is counted already.
            Some((at, Ahead::Counted)) => {
                if !self.inner.delete(tenant, kind, key)? {
                    return Err(vanished(tenant, kind));
                }
                if let Some(p) = self.pending.as_mut() {
                    p.ahead[at].1 = Ahead::Done;
                    p.changed = true;
                }
                return Ok(true);
            }
            Some((_, Ahead::Done)) | None => {}
        }
        let old = self.old_value(tenant, kind, key)?;
        let existed = self.inner.delete(tenant, kind, key)?;
        let Anchored { keys, pending, .. } = self;
        if let Some(p) = pending.as_mut() {
            if existed {
                p.account(keys, (tenant, kind, key), old.as_deref(), None);
            }
            p.remember((tenant, kind, *key), None);
        }
        Ok(existed)
    }

    fn will_delete(&mut self, ids: &[RecordId]) -> Result<(), StoreError> {
        self.read_ahead(ids)
    }

    fn scan(
        &mut self,
        tenant: u32,
        kind: u8,
        visit: &mut dyn FnMut(&Key, &[u8]) -> bool,
    ) -> Result<(), StoreError> {
        self.inner.scan(tenant, kind, visit)
    }

    fn scan_tenant(
        &mut self,
        tenant: u32,
        visit: &mut dyn FnMut(u8, &Key, &[u8]) -> bool,
    ) -> Result<(), StoreError> {
        self.inner.scan_tenant(tenant, visit)
    }

    fn count(&mut self, tenant: u32, kind: u8) -> Result<u64, StoreError> {
        self.inner.count(tenant, kind)
    }

    fn tenants(&mut self) -> Result<Vec<u32>, StoreError> {
        self.inner.tenants()
    }

    fn audit_append(&mut self, chain: u32, row: &AuditRow) -> Result<(), StoreError> {
        self.inner.audit_append(chain, row)
    }

    fn audit_scan(
        &mut self,
        chain: u32,
        visit: &mut dyn FnMut(&AuditRow) -> bool,
    ) -> Result<(), StoreError> {
        self.inner.audit_scan(chain, visit)
    }

    fn audit_last(&mut self, chain: u32) -> Result<Option<AuditRow>, StoreError> {
        self.inner.audit_last(chain)
    }

    fn audit_remove_through(&mut self, chain: u32, through: u64) -> Result<u64, StoreError> {
        self.inner.audit_remove_through(chain, through)
    }

    fn change_token(&mut self) -> Result<Option<u64>, StoreError> {
        self.inner.change_token()
    }

    fn checkpoint(&mut self) -> Result<bool, StoreError> {
        self.inner.checkpoint()
    }

    fn integrity_check(&mut self) -> Result<Vec<String>, StoreError> {
        self.inner.integrity_check()
    }
}

// ---------------------------------------------------------------------------------------------
// Checking a tenant's content.

/// Recomputes the content digest of `tenant` from its records and compares it with the stored,
/// authenticated one. Empty when they agree (or the tenant has neither records nor a digest).
/// Must not run inside a transaction with writes (it compares committed state).
pub(crate) fn verify_content(
    store: &mut dyn Store,
    keys: &IntegrityKeys,
    tenant: u32,
) -> Result<Vec<IntegrityFinding>, StoreError> {
    let mut found: BTreeMap<u8, KindDigest> = BTreeMap::new();
    // The MACs are most of the cost (a tenant's first use pays it): computed a batch at a time
    // on every core.
    let mut batch = ValueBatch::new();
    let mut fold = |batch: &mut ValueBatch<(u8, Key)>| {
        let contributions =
            batch.map(|(kind, key), value| keys.contribution(tenant, *kind, key, value));
        for ((kind, _), c) in batch.metas().zip(contributions) {
            let d = found.entry(*kind).or_default();
            d.count += 1;
            xor_into(&mut d.digest, &c);
        }
        batch.clear();
    };
    store.scan_tenant(tenant, &mut |kind, key, value| {
        if class(kind) == Class::Content {
            batch.push((kind, *key), value);
            if batch.is_full() {
                fold(&mut batch);
            }
        }
        true
    })?;
    fold(&mut batch);
    let code = RecordKind::ContentState.code();
    let stored = match store.get(tenant, code, &SINGLETON)? {
        None if found.is_empty() => return Ok(Vec::new()),
        None => {
            return Ok(vec![IntegrityFinding::new(
                tenant,
                Some(code),
                None,
                "the tenant holds records but its content digest is missing",
            )])
        }
        Some(bytes) => match ContentState::parse(tenant, &bytes, keys) {
            Some(s) => s,
            None => {
                return Ok(vec![IntegrityFinding::new(
                    tenant,
                    Some(code),
                    None,
                    "the content digest is not authentic",
                )])
            }
        },
    };
    let mut findings = Vec::new();
    let kinds: std::collections::BTreeSet<u8> =
        stored.kinds.keys().chain(found.keys()).copied().collect();
    for kind in kinds {
        let want = stored.kinds.get(&kind).copied().unwrap_or_default();
        let have = found.get(&kind).copied().unwrap_or_default();
        if want == have {
            continue;
        }
        let problem = match have.count.cmp(&want.count) {
            std::cmp::Ordering::Less => format!(
                "{} of {} record(s) are missing (deleted outside the registry)",
                want.count - have.count,
                want.count
            ),
            std::cmp::Ordering::Greater => format!(
                "{} record(s) more than the {} recorded (added outside the registry)",
                have.count - want.count,
                want.count
            ),
            std::cmp::Ordering::Equal => "records were altered, swapped, or put back at an older \
                                          version (the content digest differs)"
                .to_owned(),
        };
        findings.push(IntegrityFinding::new(tenant, Some(kind), None, problem));
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    fn keys() -> IntegrityKeys {
        IntegrityKeys::derive(&SecretKey::new([4; 32]))
    }

    fn opened(store: &MemoryStore) -> Anchored {
        let mut a = Anchored::new(Box::new(store.share()), keys());
        assert!(matches!(a.open_check().unwrap(), OpenState::Sound));
        a
    }

    fn write(a: &mut Anchored, f: impl FnOnce(&mut Anchored) -> Result<(), StoreError>) {
        a.begin().unwrap();
        f(a).unwrap();
        a.commit().unwrap();
    }

    #[test]
    fn every_write_keeps_the_digest_and_every_foreign_change_shows() {
        let store = MemoryStore::new();
        let mut a = opened(&store);
        write(&mut a, |a| {
            a.put(131016, 2, &[1; 16], b"v1")?;
            a.put(131016, 2, &[2; 16], b"w1")?;
            a.put_new(131016, 3, &[3; 16], b"i1")?;
            a.put(131016, 7, &SINGLETON, b"head-1")
        });
        write(&mut a, |a| {
            a.put(131016, 2, &[1; 16], b"v2")?;
            a.delete(131016, 2, &[2; 16]).map(drop)
        });
        assert!(verify_content(&mut a, &keys(), 131016).unwrap().is_empty());
        assert!(matches!(a.open_check().unwrap(), OpenState::Sound));

        // Put back an older value: same count, other digest.
        let rolled = store.snapshot();
        rolled.tamper_records(|r| {
            r.insert((131016, 2, [1; 16]), b"v1".to_vec());
        });
        let f = verify_content(&mut rolled.share(), &keys(), 131016).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind.as_deref(), Some("voucher"));
        assert!(f[0].problem.contains("older version"), "{}", f[0]);
        // Delete an index row: the count says so.
        let deleted = store.snapshot();
        deleted.tamper_records(|r| {
            r.remove(&(131016, 3, [3; 16]));
        });
        let f = verify_content(&mut deleted.share(), &keys(), 131016).unwrap();
        assert!(
            f[0].problem.starts_with("1 of 1 record(s) are missing"),
            "{}",
            f[0]
        );
        // Erase the tenant's chain head: the anchor names it.
        let erased = store.snapshot();
        erased.tamper_records(|r| {
            r.remove(&(131016, 7, SINGLETON));
        });
        let mut e = Anchored::new(Box::new(erased.share()), keys());
        let OpenState::Quarantine(why) = e.open_check().unwrap() else {
            panic!("erasure not found")
        };
        assert!(
            why.starts_with("131016, audit-head: the audit chain's head is missing"),
            "{why}"
        );
        // Roll the head back to an older one: the anchor does not add up.
        let old_head = store.snapshot();
        old_head.tamper_records(|r| {
            r.insert((131016, 7, SINGLETON), b"head-0".to_vec());
        });
        let mut o = Anchored::new(Box::new(old_head.share()), keys());
        let OpenState::Quarantine(why) = o.open_check().unwrap() else {
            panic!("rollback not found")
        };
        assert!(why.contains("rolled back"), "{why}");
        // A later write does not launder the tampering.
        write(&mut o, |o| o.put(131016, 7, &SINGLETON, b"head-2"));
        assert!(matches!(o.open_check().unwrap(), OpenState::Quarantine(_)));
    }

    #[test]
    fn records_read_ahead_of_their_deletion_count_as_if_looked_up_one_by_one() {
        // Two identical stores; one is told what will be deleted, the other is not.
        let plain = MemoryStore::new();
        let mut a = opened(&plain);
        write(&mut a, |a| {
            for i in 1..=6u8 {
                a.put(131016, 2, &[i; 16], &[i; 40])?;
            }
            Ok(())
        });
        let hinted = plain.snapshot();
        let mut b = opened(&hinted);
        let ops = |s: &mut Anchored| -> Result<Vec<bool>, StoreError> {
            let mut existed = vec![
                // Deleted as announced.
                s.delete(131016, 2, &[1; 16])?,
                // Absent when read ahead.
                s.delete(131016, 2, &[9; 16])?,
            ];
            // Written instead of deleted, then deleted after all.
            s.put(131016, 2, &[2; 16], b"rewritten")?;
            existed.push(s.delete(131016, 2, &[2; 16])?);
            // Written instead of deleted.
            s.put(131016, 2, &[3; 16], b"kept, changed")?;
            // Deleted twice.
            existed.push(s.delete(131016, 2, &[4; 16])?);
            existed.push(s.delete(131016, 2, &[4; 16])?);
            // An absent one written: it exists now.
            s.put_new(131016, 2, &[8; 16], b"new")?;
            existed.push(s.delete(131016, 2, &[8; 16])?);
            // [5; 16] announced, never deleted; [6; 16] not announced, deleted.
            existed.push(s.delete(131016, 2, &[6; 16])?);
            Ok(existed)
        };
        a.begin().unwrap();
        let one_by_one = ops(&mut a).unwrap();
        a.commit().unwrap();
        b.begin().unwrap();
        let announced: Vec<RecordId> = [1u8, 9, 2, 3, 4, 8, 5]
            .iter()
            .map(|i| (131016, 2, [*i; 16]))
            .collect();
        b.will_delete(&announced).unwrap();
        let ahead = ops(&mut b).unwrap();
        b.commit().unwrap();
        assert_eq!(ahead, one_by_one);
        assert_eq!(ahead, vec![true, false, true, true, false, true, true]);
        let state = |s: &MemoryStore| {
            let mut st = s.share();
            st.get(131016, RecordKind::ContentState.code(), &SINGLETON)
                .unwrap()
        };
        assert_eq!(state(&hinted), state(&plain));
        assert!(verify_content(&mut b, &keys(), 131016).unwrap().is_empty());
        assert!(matches!(b.open_check().unwrap(), OpenState::Sound));

        // Announced, then rolled back: nothing counted.
        b.begin().unwrap();
        b.will_delete(&[(131016, 2, [5; 16])]).unwrap();
        b.rollback().unwrap();
        write(&mut b, |b| b.put(131016, 2, &[7; 16], b"later"));
        assert!(verify_content(&mut b, &keys(), 131016).unwrap().is_empty());
        // A record read ahead that someone else removed is named, not miscounted.
        b.begin().unwrap();
        b.will_delete(&[(131016, 2, [5; 16])]).unwrap();
        hinted.tamper_records(|r| {
            r.remove(&(131016, 2, [5; 16]));
        });
        let err = b.delete(131016, 2, &[5; 16]).unwrap_err();
        assert!(err.to_string().contains("vanished"), "{err}");
        b.rollback().unwrap();
    }

    #[test]
    fn announcements_larger_than_a_batch_and_in_several_calls_are_all_kept() {
        let store = MemoryStore::new();
        let mut a = opened(&store);
        let key = |i: u32| {
            let mut k = [0u8; 16];
            k[..4].copy_from_slice(&i.to_be_bytes());
            k
        };
        // Present: every 10,000th of 0..70,000 (kind 2) and three of kind 3.
        write(&mut a, |a| {
            for i in (0..70_000).step_by(10_000) {
                a.put(131016, 2, &key(i), b"dose")?;
            }
            for i in 0..3 {
                a.put(131016, 3, &key(i), b"index")?;
            }
            Ok(())
        });
        a.begin().unwrap();
        // More than one batch, then a second call that must merge with the first.
        let first: Vec<RecordId> = (0..70_000).rev().map(|i| (131016, 2, key(i))).collect();
        a.will_delete(&first).unwrap();
        a.will_delete(&[(131016, 3, key(2)), (131016, 3, key(0))])
            .unwrap();
        let mut removed = 0;
        for i in (0..70_000).step_by(5_000) {
            removed += u32::from(a.delete(131016, 2, &key(i)).unwrap());
        }
        for i in 0..3 {
            removed += u32::from(a.delete(131016, 3, &key(i)).unwrap());
        }
        a.commit().unwrap();
        assert_eq!(removed, 7 + 3);
        assert!(verify_content(&mut a, &keys(), 131016).unwrap().is_empty());
    }

    #[test]
    fn another_registry_key_is_refused_and_own_records_cannot_be_written() {
        let store = MemoryStore::new();
        let mut a = opened(&store);
        write(&mut a, |a| a.put(1, 1, &[1; 16], b"x"));
        let mut other = Anchored::new(
            Box::new(store.share()),
            IntegrityKeys::derive(&SecretKey::new([5; 32])),
        );
        assert!(matches!(
            other.open_check(),
            Err(RegistryError::WrongKey(t)) if t == "the registry"
        ));
        a.begin().unwrap();
        assert!(matches!(
            a.put(1, RecordKind::ContentState.code(), &SINGLETON, b"x"),
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            a.delete(1, RecordKind::AuditHead.code(), &SINGLETON),
            Err(StoreError::Conflict(_))
        ));
        a.rollback().unwrap();
        // A populated store without an anchor is quarantined, not re-initialised.
        let stripped = store.snapshot();
        stripped.tamper_records(|r| {
            r.remove(&(REGISTRY, RecordKind::Anchor.code(), SINGLETON));
        });
        let mut s = Anchored::new(Box::new(stripped.share()), keys());
        assert!(matches!(s.open_check().unwrap(), OpenState::Quarantine(_)));
    }

    #[test]
    fn a_store_rolled_back_while_open_is_refused_at_the_next_commit() {
        let store = MemoryStore::new();
        let mut a = opened(&store);
        let before = store.snapshot();
        write(&mut a, |a| a.put(1, 1, &[1; 16], b"x"));
        write(&mut a, |a| a.put(1, 1, &[2; 16], b"y"));
        // Swap the whole state for the older copy under the open registry.
        let old = before.snapshot();
        store.tamper_records(|r| {
            old.tamper_records(|o| *r = o.clone());
        });
        a.begin().unwrap();
        a.put(1, 1, &[3; 16], b"z").unwrap();
        assert!(matches!(a.commit(), Err(StoreError::Tampered(_))));
        assert!(matches!(a.current(), Err(StoreError::Tampered(_))));
    }

    #[test]
    fn state_records_parse_only_when_authentic() {
        let k = keys();
        let mut s = ContentState::default();
        s.kinds.insert(
            2,
            KindDigest {
                count: 3,
                digest: [9; 32],
            },
        );
        let b = s.to_bytes(7, &k);
        assert_eq!(ContentState::parse(7, &b, &k), Some(s));
        assert_eq!(ContentState::parse(8, &b, &k), None);
        for i in 0..b.len() {
            let mut bad = b.clone();
            bad[i] ^= 1;
            assert_eq!(ContentState::parse(7, &bad, &k), None, "flip at {i}");
        }
        assert_eq!(ContentState::parse(7, &b[..10], &k), None);
        assert_eq!(ContentState::parse(7, &[], &k), None);
        let a = AnchorRec::new(5, 2, [1; 32], &k).to_bytes();
        assert!(matches!(AnchorRec::parse(&a, &k), Parsed::Authentic(r) if r.counter == 5));
        for i in 0..a.len() {
            let mut bad = a.clone();
            bad[i] ^= 1;
            assert!(
                !matches!(AnchorRec::parse(&bad, &k), Parsed::Authentic(_)),
                "flip at {i}"
            );
            // A damaged check value reads as damage, never as another key.
            assert!(
                !matches!(AnchorRec::parse(&bad, &k), Parsed::WrongKey),
                "flip at {i}"
            );
        }
    }
}
