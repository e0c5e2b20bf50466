//! The purge: removes what the retention list says is eligible, then what is left with nothing
//! retained. Only the owning tenant's staff may run it, only as of today, and only by calling it:
//! nothing is ever deleted automatically.
//!
//! Every write goes through [`Area`] (so per-tenant bookkeeping kept there covers the purge), in
//! the operation's one transaction: a purge is complete or absent. Everything is read and listed
//! before anything is written, and the records about to go are announced to the store
//! ([`Store::will_delete`]), so the integrity layer reads them in one batch instead of once per
//! delete (the SQLite store walks a kind when a large share of it goes, instead of seeking each
//! record); then the deletes run in (kind, key) order, along the B-tree, while what the plan read
//! is freed on another core. The store then checkpoints (SQLite: `secure_delete` has zeroed the
//! freed pages; the WAL is copied back and truncated), so the removed records' bytes are gone
//! from the files. The audit entry counts what went and names no record: its keys would be a
//! trace of who was there.
//!
//! Import records (a file's digest and row counts, no personal data) are kept: they make a
//! re-import of a years-old file a no-op instead of bringing purged people back.
//!
//! Logs: provision- and inquiry-log entries (pseudonyms, never names or My Numbers) are kept
//! [`crate::retention::RetentionPolicy::log_years`] years (7 by default) after the inquiry was
//! answered; the purge then removes them from the front of their chain, and the chain's MACed
//! head records where it now starts (see [`super::audit`]), so verification still finds an
//! entry removed by anyone else. The tenant's audit log is kept whole: it is the evidence of
//! every purge.

use std::collections::HashSet;

use crate::codec::LogKind;
use crate::crypto::{RecordKey, RecordKind};
use crate::date::Date;
use crate::id::MunicipalityCode;
use crate::par;
use crate::store::{RecordId, Store};

use super::access::Access;
use super::area::{read_many, Area};
use super::eligibility::{self, Plan, VoucherFate};
use super::error::RegistryError;
use super::inquiry_index::{entries_without_tenant, entry_id, save_entries};
use super::model::{DoseHistoryRec, MyNumberRec, SecretDigits, SubjectRec, VoucherRec};
use super::principal::Principal;
use super::provision_log;
use super::retention::PurgeOutcome;
use super::Registry;

impl Registry {
    /// Removes from `tenant` every dose eligible for deletion on `as_of` (see
    /// [`Registry::retention_list`]; held subjects excepted), then the subjects left with no dose
    /// (with their vouchers, My Number index entry and provision records) and the unlinked
    /// vouchers emptied (with their awaiting-registration entry); and the tenant's provision-
    /// and inquiry-log entries answered more than the policy's `log_years` before `as_of`
    /// (the logs then start after them: see the audit module; a log that does not verify is
    /// not trimmed, the purge fails with [`RegistryError::Tampered`]). Staff of the tenant
    /// only. Idempotent: a second purge the same day removes nothing. Writes an audit entry
    /// with the counts, then checkpoints the store so the removed bytes are gone from its
    /// files.
    ///
    /// `as_of` must be today (the registry clock's date): deletion happens today, so today's law
    /// decides — purging "as of" an earlier day could apply a rule since replaced (a purge as of
    /// 2026-01-31 would use the five-year rule that 附則第17条 displaced), and a later day would
    /// delete early.
    ///
    /// # Errors
    /// [`RegistryError::InvalidInput`] when `as_of` is not today; [`RegistryError::Forbidden`];
    /// [`RegistryError::UnknownTenant`]; [`RegistryError::Tampered`] when a log to trim does not
    /// verify; key or store failures (nothing removed).
    pub fn purge(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        as_of: Date,
    ) -> Result<PurgeOutcome, RegistryError> {
        let policy = self.config.retention.clone();
        let mut outcome = self.run(principal, "purge", Some(tenant), Access::Staff, |ctx| {
            if as_of != ctx.now.date {
                return Err(RegistryError::InvalidInput(format!(
                    "a purge runs as of today ({}): the law in force on the day of deletion decides",
                    ctx.now.date
                )));
            }
            let area = ctx.area()?;
            let plan = eligibility::plan(ctx.store, &area, &policy, as_of, false)?;
            let mut out = PurgeOutcome {
                doses: plan.doses_going,
                subjects: plan.subjects.len() as u64,
                provisions: plan.provisions.len() as u64,
                ..PurgeOutcome::default()
            };
            // Everything is read and listed before anything is written: then the records about
            // to go are read in one batch, which the store may spread over its connections.
            let index_entries = own_index_entries(ctx.store, &area, &plan.subjects)?;
            let numbers: Vec<&SecretDigits> = plan
                .subjects
                .iter()
                .filter_map(|(_, s)| s.my_number.as_ref())
                .collect();
            let inquiry_entries =
                entries_without_tenant(ctx.store, ctx.index, &area.code, &numbers)?;
            let leaving = leaving_addressees(&plan);
            let mut removals = list_removals(ctx.store, &area, &plan, &leaving, index_entries)?;
            // In (kind, key) order: deleting along the B-tree instead of at random is what
            // keeps a large purge near a bare DELETE.
            removals.sort_unstable();
            removals.dedup();
            announce(ctx.store, &area, &inquiry_entries, &removals)?;
            // Inquiries by the leaving people's My Numbers no longer find this municipality.
            save_entries(ctx.store, ctx.index, &inquiry_entries)?;
            let emptied_histories = rewrite_kept(ctx.store, &area, &plan, &leaving)?;
            if !emptied_histories.is_empty() {
                removals.extend(emptied_histories);
                removals.sort_unstable();
                removals.dedup();
            }
            drop((leaving, numbers));
            // What the plan read is not needed any more: it is freed on another core while the
            // deletes run (for a large tenant, a million small allocations).
            let working = (plan, inquiry_entries);
            std::thread::scope(|s| {
                // A thread that cannot start leaves it to be freed here.
                let _ = std::thread::Builder::new().spawn_scoped(s, move || drop(working));
                remove_all(ctx.store, &area, &removals, &mut out)
            })?;
            // Log entries past their own period (7 years by default), oldest first.
            out.provision_log_entries = provision_log::remove_expired(
                ctx.store,
                &area,
                LogKind::Provision,
                as_of,
                policy.log_years,
            )?;
            out.inquiry_log_entries = provision_log::remove_expired(
                ctx.store,
                &area,
                LogKind::Inquiry,
                as_of,
                policy.log_years,
            )?;
            ctx.counts = vec![
                ("doses", out.doses),
                ("vouchers", out.vouchers),
                ("subjects", out.subjects),
                ("my_number_index", out.my_number_index),
                ("awaiting", out.awaiting),
                ("provisions", out.provisions),
                ("provision_log_entries", out.provision_log_entries),
                ("inquiry_log_entries", out.inquiry_log_entries),
            ];
            Ok(out)
        })?;
        // After the commit (a checkpoint cannot run inside a transaction). A failure here does not
        // undo the purge: it is reported as not checkpointed, and the next checkpoint finishes.
        outcome.store_checkpointed = self.store.checkpoint().unwrap_or(false);
        Ok(outcome)
    }
}

/// Removes `removals` (sorted), counting in `out` the vouchers, awaiting entries and My Number
/// index entries that were there.
fn remove_all(
    store: &mut dyn Store,
    area: &Area,
    removals: &[(RecordKind, RecordKey)],
    out: &mut PurgeOutcome,
) -> Result<(), RegistryError> {
    for (kind, key) in removals {
        let existed = u64::from(area.remove(store, *kind, key)?);
        match kind {
            RecordKind::Voucher => out.vouchers += existed,
            RecordKind::Awaiting => out.awaiting += existed,
            RecordKind::MyNumberIndex => out.my_number_index += existed,
            _ => {}
        }
    }
    Ok(())
}

/// Every record the purge removes that is known before it writes anything: unlinked vouchers
/// left with nothing (with their history and awaiting entry), the correction history of a kept
/// subject's emptied voucher, provision records with nothing left, and each subject in
/// `leaving` with its vouchers, their histories and the subject's own My Number index entries
/// (`index_entries`). The removals of histories trimmed to nothing are found while writing, and
/// added then.
fn list_removals(
    store: &mut dyn Store,
    area: &Area,
    plan: &Plan,
    leaving: &HashSet<&str>,
    index_entries: Vec<RecordKey>,
) -> Result<Vec<(RecordKind, RecordKey)>, RegistryError> {
    // Few vouchers have a correction history or an awaiting entry: only those that exist are
    // listed.
    let histories = keys_of(store, area, RecordKind::DoseHistory)?;
    let awaiting = keys_of(store, area, RecordKind::Awaiting)?;
    let history = |number: &str| if_present(&histories, area, RecordKind::DoseHistory, number);
    let mut removals: Vec<(RecordKind, RecordKey)> = Vec::new();
    for (key, number, fate) in &plan.vouchers {
        match fate {
            VoucherFate::Remove => {
                removals.push((RecordKind::Voucher, *key));
                removals.extend(history(number));
                removals.extend(if_present(&awaiting, area, RecordKind::Awaiting, number));
            }
            // A leaving subject's vouchers go with it, below.
            VoucherFate::Emptied(a) if leaving.contains(a.as_str()) => {}
            VoucherFate::Emptied(_) => removals.extend(history(number)),
            VoucherFate::Trim(_) => {}
        }
    }
    for (number, rest) in &plan.provisions {
        if rest.is_none() {
            let key = area.key(RecordKind::NationalDbProvision, number.as_bytes());
            removals.push((RecordKind::NationalDbProvision, key));
        }
    }
    // The leaving subjects' vouchers (their keys computed on every core) and histories.
    let vouchers: Vec<&str> = plan
        .subjects
        .iter()
        .flat_map(|(_, s)| s.vouchers.iter().map(String::as_str))
        .collect();
    let voucher_keys = par::map(&vouchers, |number| {
        let kind = RecordKind::Voucher;
        ((kind, area.key(kind, number.as_bytes())), history(number))
    });
    removals.reserve(2 * voucher_keys.len() + plan.subjects.len() + index_entries.len());
    for (voucher, history) in voucher_keys {
        removals.push(voucher);
        removals.extend(history);
    }
    removals.extend(
        plan.subjects
            .iter()
            .map(|(key, _)| (RecordKind::Subject, *key)),
    );
    removals.extend(
        index_entries
            .into_iter()
            .map(|key| (RecordKind::MyNumberIndex, key)),
    );
    Ok(removals)
}

/// The removal of the record of `kind` kept for voucher `number`, if there is one (`keys`: the
/// tenant's records of that kind; when it has none, no key is computed).
fn if_present(
    keys: &HashSet<RecordKey>,
    area: &Area,
    kind: RecordKind,
    number: &str,
) -> Option<(RecordKind, RecordKey)> {
    if keys.is_empty() {
        return None;
    }
    let key = area.key(kind, number.as_bytes());
    keys.contains(&key).then_some((kind, key))
}

/// The addressee numbers of the subjects leaving.
fn leaving_addressees(plan: &Plan) -> HashSet<&str> {
    plan.subjects
        .iter()
        .map(|(_, s)| s.addressee.as_str())
        .collect()
}

/// Tells the store which records are about to go ([`Store::will_delete`]): the inquiry-index
/// entries left without a tenant and every listed removal.
fn announce(
    store: &mut dyn Store,
    area: &Area,
    inquiry_entries: &[(RecordKey, Vec<u32>)],
    removals: &[(RecordKind, RecordKey)],
) -> Result<(), RegistryError> {
    // Sized once: for a large purge this list is tens of megabytes, and growing it by
    // doubling would copy it and touch twice the memory.
    let mut ids: Vec<RecordId> = Vec::with_capacity(inquiry_entries.len() + removals.len());
    ids.extend(
        inquiry_entries
            .iter()
            .filter(|(_, tenants)| tenants.is_empty())
            .map(|(key, _)| entry_id(key)),
    );
    ids.extend(
        removals
            .iter()
            .map(|(kind, key)| (area.id, kind.code(), *key.as_bytes())),
    );
    Ok(store.will_delete(&ids)?)
}

/// Rewrites what stays of the vouchers that keep something (a kept subject's voucher emptied,
/// a voucher trimmed to its kept doses) and of the provision records that keep some doses;
/// returns the removals of correction histories trimmed to nothing.
fn rewrite_kept(
    store: &mut dyn Store,
    area: &Area,
    plan: &Plan,
    leaving: &HashSet<&str>,
) -> Result<Vec<(RecordKind, RecordKey)>, RegistryError> {
    let mut removals = Vec::new();
    for (key, number, fate) in &plan.vouchers {
        match fate {
            VoucherFate::Emptied(a) if !leaving.contains(a.as_str()) => {
                let mut v: VoucherRec = area
                    .load(store, RecordKind::Voucher, key)?
                    .ok_or_else(|| RegistryError::Corrupt("a voucher vanished".into()))?;
                v.doses.clear();
                area.save(store, RecordKind::Voucher, key, &v)?;
            }
            VoucherFate::Trim(v) => {
                let before: VoucherRec = area
                    .load(store, RecordKind::Voucher, key)?
                    .ok_or_else(|| RegistryError::Corrupt("a voucher vanished".into()))?;
                area.save(store, RecordKind::Voucher, key, v)?;
                let gone: Vec<u8> = before
                    .doses
                    .iter()
                    .filter(|d| !v.doses.iter().any(|k| k.dose == d.dose))
                    .map(|d| d.dose)
                    .collect();
                if let Some(removal) = prune_history(store, area, number, &gone)? {
                    removals.push(removal);
                }
            }
            // Removed (with their subject, when it leaves): listed by `list_removals`.
            VoucherFate::Remove | VoucherFate::Emptied(_) => {}
        }
    }
    for (number, rest) in &plan.provisions {
        if let Some(p) = rest {
            let key = area.key(RecordKind::NationalDbProvision, number.as_bytes());
            area.save(store, RecordKind::NationalDbProvision, &key, p)?;
        }
    }
    Ok(removals)
}

/// The sealed correction history of voucher `number` (it holds the dose values before each
/// correction or void, so it goes with the doses it describes).
fn history_key(area: &Area, number: &str) -> (RecordKind, RecordKey) {
    let kind = RecordKind::DoseHistory;
    (kind, area.key(kind, number.as_bytes()))
}

/// Drops the history entries of the doses numbered `gone` from voucher `number`'s history;
/// returns the history's removal when nothing is left of it.
fn prune_history(
    store: &mut dyn Store,
    area: &Area,
    number: &str,
    gone: &[u8],
) -> Result<Option<(RecordKind, RecordKey)>, RegistryError> {
    let (kind, key) = history_key(area, number);
    let Some(mut history) = area.load::<DoseHistoryRec>(store, kind, &key)? else {
        return Ok(None);
    };
    let before = history.changes.len();
    history.changes.retain(|c| !gone.contains(&c.dose));
    if history.changes.is_empty() {
        return Ok(Some((kind, key)));
    }
    if history.changes.len() != before {
        area.save(store, kind, &key, &history)?;
    }
    Ok(None)
}

/// The keys of the My Number index entries that belong to the leaving `subjects` (the caller
/// removes them with the subjects' other records): what lets anyone find a subject by their My
/// Number goes. An entry pointing elsewhere belongs to someone kept. Read in one batch, in key
/// order.
fn own_index_entries(
    store: &mut dyn Store,
    area: &Area,
    subjects: &[(RecordKey, SubjectRec)],
) -> Result<Vec<RecordKey>, RegistryError> {
    let keys = par::map(subjects, |(_, subject)| {
        let number = subject.my_number.as_ref()?;
        Some(area.key(RecordKind::MyNumberIndex, number.0.as_bytes()))
    });
    let mut entries: Vec<(RecordKey, &str)> = keys
        .into_iter()
        .zip(subjects)
        .filter_map(|(key, (_, subject))| Some((key?, subject.addressee.as_str())))
        .collect();
    entries.sort_unstable_by_key(|(key, _)| *key);
    let kind = RecordKind::MyNumberIndex;
    let ids: Vec<RecordId> = entries
        .iter()
        .map(|(key, _)| (area.id, kind.code(), *key.as_bytes()))
        .collect();
    let ours = read_many(store, &ids, |i, sealed| match sealed {
        Some(sealed) => {
            let entry: MyNumberRec = area.open(kind, &entries[i].0, sealed)?;
            Ok(entry.addressee == entries[i].1)
        }
        None => Ok(false),
    })?;
    Ok(entries
        .iter()
        .zip(ours)
        .filter_map(|((key, _), ours)| ours.then_some(*key))
        .collect())
}

/// The keys of the tenant's records of `kind` (values not opened).
fn keys_of(
    store: &mut dyn Store,
    area: &Area,
    kind: RecordKind,
) -> Result<HashSet<RecordKey>, RegistryError> {
    let mut keys = HashSet::new();
    store.scan(area.id, kind.code(), &mut |key, _| {
        keys.insert(RecordKey(*key));
        true
    })?;
    Ok(keys)
}
