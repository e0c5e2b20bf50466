//! The provision log (情報提供等の記録) and the inquiry log of each tenant: one entry per
//! inquiry in the providing municipality's provision log and one in the requesting
//! municipality's inquiry log, hash-chained and head-MACed by the audit module's machinery
//! (chains [`PROVISION_LOG_BASE`] + tenant and [`INQUIRY_LOG_BASE`] + tenant).
//!
//! An entry holds what My Number Act Art. 23 asks of such records (requester, provider, when it
//! was asked and answered, the items provided, whether anything was provided) plus the legal
//! basis, the batch ID, a pseudonym of the subject and of the staff user: never a My Number or
//! a name. The subject pseudonym is the log-owner tenant's own (a keyed hash under its key, in
//! a domain of its own), so one municipality's log cannot be joined with another's.
//!
//! Only the owning tenant's staff read, search and export a log; its staff and the operator
//! verify it. Entries are kept [`crate::retention::RetentionPolicy::log_years`] years (7 by
//! default) after the inquiry was answered; a purge ([`Registry::purge`]) then removes them
//! ([`remove_expired`]), and the log's head records where the chain now starts.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::Arc;

use crate::codec::{CsvWriter, LogKind, ProvisionLogRow, WriteOptions};
use crate::crypto::{RecordKey, RecordKind, TenantKeys};
use crate::date::{Date, DateTime};
use crate::id::{MunicipalityCode, MyNumber};
use crate::layout::{self, LayoutParams};
use crate::store::Store;

use super::access::Access;
use super::area::Area;
use super::audit::{self, Appender, AuditVerification};
#[cfg(doc)]
use super::audit::{INQUIRY_LOG_BASE, PROVISION_LOG_BASE};
use super::error::RegistryError;
pub use super::log_entry::LogEntry;
use super::log_entry::{EntryBytes, Pending, Shared};
use super::principal::Principal;
use super::Registry;

/// Every entry of the log chain `chain`, in either stored form.
fn read_entries(store: &mut dyn Store, chain: u32) -> Result<Vec<LogEntry>, RegistryError> {
    audit::entries_decoded(store, chain, |bytes| LogEntry::from_stored(bytes).ok())
}

/// What to look for in a log. Every condition given must hold; none given lists everything.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    /// Entries about this person (matched by the municipality's pseudonym of the number).
    pub subject: Option<MyNumber>,
    /// Entries by this staff user ID of the requesting municipality.
    pub user: Option<String>,
    /// Answered on or after this date.
    pub from: Option<Date>,
    /// Answered on or before this date.
    pub to: Option<Date>,
}

/// The chain number of `tenant`'s log of `kind` ([`PROVISION_LOG_BASE`] or
/// [`INQUIRY_LOG_BASE`] plus the tenant's number).
pub(crate) fn chain(kind: LogKind, tenant: u32) -> u32 {
    let [_, provision, inquiry] = audit::chains_of_tenant(tenant);
    match kind {
        LogKind::Provision => provision,
        LogKind::Inquiry => inquiry,
    }
}

/// The store's chain number of `tenant`'s provision or inquiry log (for store-level tools:
/// backups, audits of the database file). Tenants' audit chains are numbered by the
/// municipality code itself, the registry-wide chain 0.
///
/// ```
/// use vrs_core::id::MunicipalityCode;
/// use vrs_core::registry::{log_chain_number, LogKind};
/// let chiyoda = MunicipalityCode::parse("131016")?;
/// assert_eq!(log_chain_number(LogKind::Provision, &chiyoda), 1_131_016);
/// assert_eq!(log_chain_number(LogKind::Inquiry, &chiyoda), 2_131_016);
/// # Ok::<(), vrs_core::id::IdError>(())
/// ```
pub fn log_chain_number(kind: LogKind, tenant: &MunicipalityCode) -> u32 {
    chain(kind, tenant.to_u32())
}

/// The MAC over a log chain's head: the tenant's audit key under a label per log, so a head
/// never verifies another chain.
pub(crate) fn head_mac(keys: &TenantKeys, kind: LogKind, head: &[u8]) -> [u8; 32] {
    let label: &[u8] = match kind {
        LogKind::Provision => b"vrs/provision-log/v1\0",
        LogKind::Inquiry => b"vrs/inquiry-log/v1\0",
    };
    let mut data = Vec::with_capacity(label.len() + head.len());
    data.extend_from_slice(label);
    data.extend_from_slice(head);
    keys.audit_mac(&data)
}

/// The record key whose hex is the pseudonym of a subject in `area`'s logs.
pub(crate) fn subject_key(area: &Area, digits: &str) -> RecordKey {
    area.key(RecordKind::LogSubject, digits.as_bytes())
}

/// The pseudonym of a subject in `area`'s logs.
pub(crate) fn subject_pseudonym(area: &Area, digits: &str) -> String {
    subject_key(area, digits).to_hex()
}

/// Log entries waiting to be chained: an operation collects them and writes them, chain by
/// chain with one head update each, inside its transaction.
pub(crate) struct LogBook {
    shared: Shared,
    pending: BTreeMap<u32, (Arc<TenantKeys>, LogKind, Vec<Pending>)>,
}

impl LogBook {
    /// An empty book for entries sharing `shared`.
    pub fn new(shared: Shared) -> LogBook {
        LogBook {
            shared,
            pending: BTreeMap::new(),
        }
    }

    /// Queues `entry` for `area`'s log of the entry's kind.
    pub fn add(&mut self, area: &Area, entry: Pending) {
        let kind = entry.log;
        self.pending
            .entry(chain(kind, area.id))
            .or_insert_with(|| (area.keys.clone(), kind, Vec::new()))
            .2
            .push(entry);
    }

    /// Chains every queued entry.
    ///
    /// # Errors
    /// Store failures (nothing is committed: the caller's transaction rolls back).
    pub fn write(&self, store: &mut dyn Store) -> Result<(), RegistryError> {
        let bytes = EntryBytes::new(&self.shared)?;
        for (number, (keys, kind, entries)) in &self.pending {
            let mac = |d: &[u8]| head_mac(keys, *kind, d);
            let mut appender = Appender::start(store, *number, &mac)?;
            for e in entries {
                appender.push(store, |seq, prev| bytes.entry(seq, e, prev))?;
            }
            appender.finish(store, &mac)?;
        }
        Ok(())
    }
}

/// How many entries of `area`'s log of `kind` [`expired_entries`] finds (for the retention
/// list).
///
/// # Errors
/// Store failures, or an unreadable entry.
pub(crate) fn expired_count(
    store: &mut dyn Store,
    area: &Area,
    kind: LogKind,
    as_of: Date,
    years: u16,
) -> Result<u64, RegistryError> {
    Ok(expired_entries(store, area.id, kind, as_of, years)?.len() as u64)
}

/// Removes the entries of `area`'s log of `kind` kept past `years` years on `as_of` (the
/// purge's part for logs, in its transaction): the chain then starts after them, its head
/// recording where (see [`audit::remove_through`]). Returns how many went.
///
/// # Errors
/// [`RegistryError::Tampered`] when the log does not verify (nothing is removed from a log
/// that was tampered with); store failures.
pub(crate) fn remove_expired(
    store: &mut dyn Store,
    area: &Area,
    kind: LogKind,
    as_of: Date,
    years: u16,
) -> Result<u64, RegistryError> {
    let expired = expired_entries(store, area.id, kind, as_of, years)?;
    let Some(&through) = expired.last() else {
        return Ok(0);
    };
    let mac = |d: &[u8]| head_mac(&area.keys, kind, d);
    audit::remove_through(
        store,
        chain(kind, area.id),
        log_name(area, kind),
        &mac,
        through,
    )
}

/// The retention run's view of a log (the retention engine purges expired log entries).
///
/// The sequence numbers of `tenant`'s log entries of `kind` answered more than `years` years
/// before `as_of` (Civil Code counting: an entry of 2022-03-01 kept 7 years is kept through
/// 2029-03-01), for a retention run. Entries are chained in time order, so these are a prefix
/// of the chain.
///
/// # Errors
/// Store failures, or an unreadable entry.
pub(crate) fn expired_entries(
    store: &mut dyn Store,
    tenant: u32,
    kind: LogKind,
    as_of: Date,
    years: u16,
) -> Result<Vec<u64>, RegistryError> {
    let mut out = Vec::new();
    for (seq, answered) in entry_dates(store, tenant, kind)? {
        match answered.add_years_clamped(years) {
            Ok(kept_through) if kept_through < as_of => out.push(seq),
            _ => break,
        }
    }
    Ok(out)
}

/// The date each entry of `tenant`'s log of `kind` was answered, in chain order.
///
/// # Errors
/// Store failures, or an unreadable entry.
pub(crate) fn entry_dates(
    store: &mut dyn Store,
    tenant: u32,
    kind: LogKind,
) -> Result<Vec<(u64, Date)>, RegistryError> {
    let entries = read_entries(store, chain(kind, tenant))?;
    entries
        .iter()
        .map(|e| {
            let at = DateTime::parse_iso(&e.provided_at)
                .map_err(|_| RegistryError::Corrupt("a log entry has a bad timestamp".into()))?;
            Ok((e.seq, at.date))
        })
        .collect()
}

/// The entries of a log that match `query`.
fn search(
    store: &mut dyn Store,
    area: &Area,
    kind: LogKind,
    query: &LogQuery,
    user_pseudonym: &dyn Fn(&MunicipalityCode, &str) -> String,
) -> Result<Vec<LogEntry>, RegistryError> {
    require_intact(store, area, kind)?;
    let entries = read_entries(store, chain(kind, area.id))?;
    let subject = query
        .subject
        .as_ref()
        .map(|n| subject_pseudonym(area, n.expose_secret()));
    let mut users: HashMap<MunicipalityCode, String> = HashMap::new();
    let mut out = Vec::new();
    for e in entries {
        if subject.as_ref().is_some_and(|s| *s != e.subject) {
            continue;
        }
        if let Some(user) = &query.user {
            let wanted = users
                .entry(e.requester)
                .or_insert_with(|| user_pseudonym(&e.requester, user));
            if e.user.as_ref() != Some(wanted) {
                continue;
            }
        }
        if query.from.is_some() || query.to.is_some() {
            let day = DateTime::parse_iso(&e.provided_at)
                .map_err(|_| RegistryError::Corrupt("a log entry has a bad timestamp".into()))?
                .date;
            if query.from.is_some_and(|f| day < f) || query.to.is_some_and(|t| day > t) {
                continue;
            }
        }
        out.push(e);
    }
    Ok(out)
}

fn row(e: &LogEntry) -> Result<ProvisionLogRow, RegistryError> {
    let at = |s: &str| {
        DateTime::parse_iso(s)
            .map_err(|_| RegistryError::Corrupt("a log entry has a bad timestamp".into()))
    };
    Ok(ProvisionLogRow {
        seq: e.seq,
        log: e.log,
        requester: e.requester,
        provider: e.provider,
        providers: e.providers.clone(),
        requested_at: at(&e.requested_at)?,
        provided_at: at(&e.provided_at)?,
        legal_basis: e.legal_basis,
        form_ref: e.form_ref.clone(),
        identity_verified: e.identity_verified,
        reference: e.reference.clone(),
        items: e.items.clone(),
        provided: e.provided,
        doses: e.doses,
        batch: e.batch.clone(),
        subject: e.subject.clone(),
        user: e.user.clone(),
    })
}

fn op_name(kind: LogKind, verb: &str) -> &'static str {
    match (kind, verb) {
        (LogKind::Provision, "read") => "read-provision-log",
        (LogKind::Inquiry, "read") => "read-inquiry-log",
        (LogKind::Provision, _) => "export-provision-log",
        (LogKind::Inquiry, _) => "export-inquiry-log",
    }
}

impl Registry {
    /// The entries of `tenant`'s provision log (情報提供等の記録: what it provided to other
    /// municipalities' inquiries) matching `query` (staff of the tenant only).
    ///
    /// # Errors
    /// [`RegistryError::Forbidden`], [`RegistryError::UnknownTenant`],
    /// [`RegistryError::Tampered`] for a log that does not verify, store failures.
    pub fn provision_log(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        query: &LogQuery,
    ) -> Result<Vec<LogEntry>, RegistryError> {
        self.read_log(principal, tenant, LogKind::Provision, query)
    }

    /// The entries of `tenant`'s inquiry log (its own inquiries) matching `query` (staff of
    /// the tenant only).
    ///
    /// # Errors
    /// As for [`Registry::provision_log`].
    pub fn inquiry_log(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        query: &LogQuery,
    ) -> Result<Vec<LogEntry>, RegistryError> {
        self.read_log(principal, tenant, LogKind::Inquiry, query)
    }

    fn read_log(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        kind: LogKind,
        query: &LogQuery,
    ) -> Result<Vec<LogEntry>, RegistryError> {
        let pseudonyms = self.user_pseudonyms.clone();
        let op = op_name(kind, "read");
        self.run(principal, op, Some(tenant), Access::Staff, |ctx| {
            let area = ctx.area()?;
            search(ctx.store, &area, kind, query, &|t, u| {
                user_pseudonym(&pseudonyms, t, u)
            })
        })
    }

    /// Writes the entries of `tenant`'s provision or inquiry log matching `query` as a
    /// `provision-log` download (staff of the tenant only). Returns the number of rows.
    ///
    /// # Errors
    /// [`RegistryError::Export`] when writing or encoding fails, [`RegistryError::Forbidden`],
    /// [`RegistryError::Tampered`] for a log that does not verify.
    pub fn export_log(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        kind: LogKind,
        query: &LogQuery,
        out: &mut dyn Write,
        options: WriteOptions,
    ) -> Result<u64, RegistryError> {
        let pseudonyms = self.user_pseudonyms.clone();
        let op = op_name(kind, "export");
        self.run(principal, op, Some(tenant), Access::Staff, |ctx| {
            let area = ctx.area()?;
            let entries = search(ctx.store, &area, kind, query, &|t, u| {
                user_pseudonym(&pseudonyms, t, u)
            })?;
            let export = |e: crate::codec::WriteError| RegistryError::Export(e.to_string());
            let layout = layout::find("provision-log", &LayoutParams::default())
                .map_err(|e| RegistryError::Export(e.to_string()))?;
            let mut writer = CsvWriter::new(out, layout, options).map_err(export)?;
            for e in &entries {
                writer.write_record(&row(e)?).map_err(export)?;
            }
            let rows = writer.rows();
            writer.finish().map_err(export)?;
            Ok(rows)
        })
    }

    /// Checks `tenant`'s provision and inquiry logs from their first entries to their MACed
    /// heads (staff of the tenant, or the operator): one verification per log, named
    /// `<code>/provision` and `<code>/inquiry`.
    ///
    /// # Errors
    /// [`RegistryError::Forbidden`], [`RegistryError::UnknownTenant`], store failures.
    pub fn verify_logs(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
    ) -> Result<Vec<AuditVerification>, RegistryError> {
        self.run(
            principal,
            "verify-logs",
            Some(tenant),
            Access::StaffOrOperator,
            |ctx| {
                let area = ctx.area()?;
                verify_chains(ctx.store, &area)
            },
        )
    }
}

/// Checks `area`'s provision and inquiry logs from their first entries to their MACed heads,
/// one verification per log (`<code>/provision`, `<code>/inquiry`). No access check and no
/// audit entry: [`Registry::verify_logs`] and the operator's store check do that.
pub(crate) fn verify_chains(
    store: &mut dyn Store,
    area: &Area,
) -> Result<Vec<AuditVerification>, RegistryError> {
    Ok(vec![
        verify_chain(store, area, LogKind::Provision)?,
        verify_chain(store, area, LogKind::Inquiry)?,
    ])
}

/// The name of `area`'s log of `kind` in verifications and errors: `<code>/provision` or
/// `<code>/inquiry`.
fn log_name(area: &Area, kind: LogKind) -> String {
    match kind {
        LogKind::Provision => format!("{}/provision", area.code.as_str()),
        LogKind::Inquiry => format!("{}/inquiry", area.code.as_str()),
    }
}

/// Checks `area`'s log of `kind` from where it starts to its MACed head.
fn verify_chain(
    store: &mut dyn Store,
    area: &Area,
    kind: LogKind,
) -> Result<AuditVerification, RegistryError> {
    let keys = area.keys.clone();
    audit::verify(
        store,
        chain(kind, area.id),
        log_name(area, kind),
        Some(&|d| head_mac(&keys, kind, d)),
        // A log nobody has written to yet is empty, not erased (erasure is the anchor's
        // finding).
        false,
    )
}

/// Refuses a log that does not verify: like the audit log, a log that was tampered with is not
/// served (read, searched or exported); [`Registry::verify_logs`] says what is wrong.
fn require_intact(store: &mut dyn Store, area: &Area, kind: LogKind) -> Result<(), RegistryError> {
    let v = verify_chain(store, area, kind)?;
    if v.ok {
        return Ok(());
    }
    Err(RegistryError::Tampered(format!(
        "{}, entry {}: {}",
        v.chain,
        v.first_bad.unwrap_or(0),
        v.problem.unwrap_or_default()
    )))
}

/// The pseudonym of staff user `user_id` of `tenant`, as audit and log entries carry it.
pub(crate) fn user_pseudonym(
    key: &crate::crypto::SecretKey,
    tenant: &MunicipalityCode,
    user_id: &str,
) -> String {
    let mut input = tenant.as_str().as_bytes().to_vec();
    input.push(0);
    input.extend_from_slice(user_id.as_bytes());
    let p = key.mac(&input);
    hex::encode(&p[..16])
}
