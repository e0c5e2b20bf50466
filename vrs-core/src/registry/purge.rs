//! The purge: removes what the retention list says is eligible, then what is left with nothing
//! retained. Only the owning tenant's staff may run it, only as of today, and only by calling it:
//! nothing is ever deleted automatically.
//!
//! Every write goes through [`Area`] (so per-tenant bookkeeping kept there covers the purge), in
//! the operation's one transaction: a purge is complete or absent. The store then checkpoints
//! (SQLite: `secure_delete` has zeroed the freed pages; the WAL is copied back and truncated), so
//! the removed records' bytes are gone from the files. The audit entry counts what went and names
//! no record: its keys would be a trace of who was there.
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
use crate::store::Store;

use super::access::Access;
use super::area::Area;
use super::eligibility::{self, VoucherFate};
use super::error::RegistryError;
use super::inquiry_index::on_subject_my_number_changed;
use super::model::{DoseHistoryRec, MyNumberRec, SubjectRec, VoucherRec};
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
    /// (the logs then start after them: see [`super::audit`]; a log that does not verify is
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
                ..PurgeOutcome::default()
            };
            let leaving: HashSet<&str> = plan
                .subjects
                .iter()
                .map(|(_, s)| s.addressee.as_str())
                .collect();
            // Every removal is listed first, then done in (kind, key) order: deleting along the
            // B-tree instead of at random is what keeps a large purge near a bare DELETE.
            let mut removals: Vec<(RecordKind, RecordKey)> = Vec::new();
            for (key, number, fate) in &plan.vouchers {
                match fate {
                    VoucherFate::Remove => {
                        removals.push((RecordKind::Voucher, *key));
                        removals.push(history_key(&area, number));
                        let awaiting = area.key(RecordKind::Awaiting, number.as_bytes());
                        removals.push((RecordKind::Awaiting, awaiting));
                    }
                    // A leaving subject's vouchers go with it, below.
                    VoucherFate::Emptied(a) if leaving.contains(a.as_str()) => {}
                    VoucherFate::Emptied(_) => {
                        let mut v: VoucherRec = area
                            .load(ctx.store, RecordKind::Voucher, key)?
                            .ok_or_else(|| RegistryError::Corrupt("a voucher vanished".into()))?;
                        v.doses.clear();
                        area.save(ctx.store, RecordKind::Voucher, key, &v)?;
                        removals.push(history_key(&area, number));
                    }
                    VoucherFate::Trim(v) => {
                        let before: VoucherRec = area
                            .load(ctx.store, RecordKind::Voucher, key)?
                            .ok_or_else(|| RegistryError::Corrupt("a voucher vanished".into()))?;
                        area.save(ctx.store, RecordKind::Voucher, key, v)?;
                        let gone: Vec<u8> = before
                            .doses
                            .iter()
                            .filter(|d| !v.doses.iter().any(|k| k.dose == d.dose))
                            .map(|d| d.dose)
                            .collect();
                        if let Some(removal) = prune_history(ctx.store, &area, number, &gone)? {
                            removals.push(removal);
                        }
                    }
                }
            }
            for (number, rest) in &plan.provisions {
                let key = area.key(RecordKind::NationalDbProvision, number.as_bytes());
                match rest {
                    Some(p) => area.save(ctx.store, RecordKind::NationalDbProvision, &key, p)?,
                    None => removals.push((RecordKind::NationalDbProvision, key)),
                }
                out.provisions += 1;
            }
            let mut index_entries = Vec::new();
            for (key, subject) in &plan.subjects {
                // Inquiries by the person's My Number no longer find this municipality.
                on_subject_my_number_changed(
                    ctx.store,
                    ctx.index,
                    &area.code,
                    subject.my_number.as_ref(),
                    None,
                )?;
                for number in &subject.vouchers {
                    removals.push((RecordKind::Voucher, area.key(RecordKind::Voucher, number.as_bytes())));
                    removals.push(history_key(&area, number));
                }
                if let Some(entry) = index_entry(&area, subject) {
                    index_entries.push(entry);
                }
                removals.push((RecordKind::Subject, *key));
                out.subjects += 1;
            }
            index_entries.sort_unstable_by_key(|(k, _)| *k);
            for (key, subject) in index_entries {
                if forget_subject(ctx.store, &area, &key, subject)? {
                    removals.push((RecordKind::MyNumberIndex, key));
                }
            }
            removals.sort_unstable();
            removals.dedup();
            for (kind, key) in &removals {
                let existed = u64::from(area.remove(ctx.store, *kind, key)?);
                match kind {
                    RecordKind::Voucher => out.vouchers += existed,
                    RecordKind::Awaiting => out.awaiting += existed,
                    RecordKind::MyNumberIndex => out.my_number_index += existed,
                    _ => {}
                }
            }
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

/// The My Number index entry of `subject`, if it has a My Number: its key, and the subject.
fn index_entry<'s>(area: &Area, subject: &'s SubjectRec) -> Option<(RecordKey, &'s SubjectRec)> {
    let number = subject.my_number.as_ref()?;
    let key = area.key(RecordKind::MyNumberIndex, number.0.as_bytes());
    Some((key, subject))
}

/// Whether the My Number index entry `key` belongs to the purged `subject` (then the caller
/// removes it with the subject's other records): what lets anyone find the subject by their My
/// Number goes. An entry pointing elsewhere belongs to someone kept.
///
/// The registry-wide inquiry index drops the tenant for the subject's number in the purge loop
/// (`on_subject_my_number_changed`), in the same transaction.
fn forget_subject(
    store: &mut dyn Store,
    area: &Area,
    key: &RecordKey,
    subject: &SubjectRec,
) -> Result<bool, RegistryError> {
    let entry: Option<MyNumberRec> = area.load(store, RecordKind::MyNumberIndex, key)?;
    Ok(entry.is_some_and(|e| e.addressee == subject.addressee))
}
