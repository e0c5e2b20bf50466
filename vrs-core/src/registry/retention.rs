//! Retention in the registry: provisions to the national database, legal holds, the tenant's own
//! minimum period, and the retention list. The rule itself is data: [`crate::retention`].

use std::collections::HashSet;

use serde::Serialize;

use crate::codec::LogKind;
use crate::crypto::{RecordKey, RecordKind};
use crate::date::Date;
use crate::diag::Code;
use crate::id::{AddresseeNumber, MunicipalityCode};

use super::access::Access;
use super::eligibility::{
    self, HoldRec, JudgedDose, KeptCounts, ProvidedDoseRec, ProvisionRec, RetentionSettingsRec,
};
use super::error::RegistryError;
use super::model::{self, SubjectRec, VoucherRec};
use super::principal::Principal;
use super::provision_log;
use super::Registry;

/// Which doses a provision to the national database covered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProvisionSelection {
    /// Every dose of the tenant given on or before the provision day.
    All,
    /// The doses of these subjects (addressee numbers); an unknown one fails the call.
    Subjects(Vec<AddresseeNumber>),
    /// The doses given in this range of vaccination dates (both days included).
    VaccinatedBetween {
        /// First vaccination date.
        from: Date,
        /// Last vaccination date.
        to: Date,
    },
}

/// What [`Registry::record_national_db_provision`] recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvisionOutcome {
    /// The provision day (ISO).
    pub provided_on: String,
    /// Doses whose provision was recorded now (first time, or a later day than before).
    pub doses: u64,
    /// Doses already recorded as provided on that day or later (nothing changed).
    pub unchanged: u64,
    /// Vouchers whose provision record changed.
    pub vouchers: u64,
}

/// One dose in a retention list: the dates that decide it, and no personal data beyond what the
/// tenant's staff see anyway (no name, no My Number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoseRetention {
    /// The subject's addressee number (`None`: the voucher awaits registration).
    pub addressee: Option<String>,
    /// The voucher the dose is registered on.
    pub voucher_number: String,
    /// Dose number.
    pub dose: u8,
    /// Vaccination date (ISO).
    pub vaccinated_on: String,
    /// The rule that decided (its id in the policy).
    pub rule: String,
    /// The recorded date of death (ISO), if any.
    pub death_on: Option<String>,
    /// The recorded provision to the national database (ISO), if any.
    pub provided_on: Option<String>,
    /// The last day the law keeps the record (ISO).
    pub law_retain_through: String,
    /// The last day of the municipality's own minimum (ISO), if it set one.
    pub tenant_retain_through: Option<String>,
    /// The first day the record may be deleted (ISO).
    pub eligible_from: String,
}

impl From<JudgedDose> for DoseRetention {
    fn from(j: JudgedDose) -> Self {
        DoseRetention {
            addressee: j.addressee,
            voucher_number: j.voucher,
            dose: j.dose,
            vaccinated_on: j.vaccinated_on.to_string(),
            rule: j.rule,
            death_on: j.death.map(|d| d.to_string()),
            provided_on: j.provided_on.map(|d| d.to_string()),
            law_retain_through: j.law_retain_through.to_string(),
            tenant_retain_through: j.tenant_retain_through.map(|d| d.to_string()),
            eligible_from: j.eligible_from.to_string(),
        }
    }
}

/// What a purge on the same day would remove.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RemovalCounts {
    /// Dose records.
    pub doses: u64,
    /// Voucher records (unlinked ones emptied, and every voucher of a leaving subject).
    pub vouchers: u64,
    /// Subjects left with nothing retained.
    pub subjects: u64,
    /// Provision-log entries answered more than the policy's `log_years` before the as-of date.
    pub provision_log_entries: u64,
    /// Inquiry-log entries answered more than the policy's `log_years` before the as-of date.
    pub inquiry_log_entries: u64,
}

/// The retention list of a tenant on an as-of date ([`Registry::retention_list`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionList {
    /// The tenant.
    pub tenant: String,
    /// The as-of date (ISO).
    pub as_of: String,
    /// The policy's version.
    pub policy_version: String,
    /// The tenant's own minimum in years, if set.
    pub tenant_minimum_years: Option<u16>,
    /// Doses eligible for deletion, by voucher number and dose.
    pub eligible: Vec<DoseRetention>,
    /// Doses eligible by their dates but under a legal hold (kept).
    pub held: Vec<DoseRetention>,
    /// Doses kept, counted by reason.
    pub kept: KeptCounts,
    /// What a purge on the as-of date would remove.
    pub would_remove: RemovalCounts,
}

/// What [`Registry::purge`] removed. Counts only: which records went is not kept anywhere.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PurgeOutcome {
    /// Dose records removed.
    pub doses: u64,
    /// Voucher records removed.
    pub vouchers: u64,
    /// Subjects removed.
    pub subjects: u64,
    /// My Number index entries removed.
    pub my_number_index: u64,
    /// Awaiting-registration entries removed.
    pub awaiting: u64,
    /// Provision records removed or trimmed.
    pub provisions: u64,
    /// Provision-log entries removed: those answered more than the policy's `log_years` ago.
    pub provision_log_entries: u64,
    /// Inquiry-log entries removed: those answered more than the policy's `log_years` ago.
    pub inquiry_log_entries: u64,
    /// Whether the store could make the deleted bytes unrecoverable at once (SQLite: the WAL
    /// checkpoint finished); `false` when another connection was reading — a later checkpoint
    /// (any later purge, or closing the store) finishes it.
    pub store_checkpointed: bool,
}

impl Registry {
    /// Records that `tenant` provided doses to the national immunization database
    /// (予防接種等関連情報データベース) on `provided_on` (staff of the tenant only): every dose of
    /// `selection` given on or before that day. A provision is a term of 附則第17条: a COVID
    /// record is kept at least until it was provided. Recording again with a later day keeps the
    /// later day (the record is then kept longer); with the same or an earlier day, nothing
    /// changes.
    ///
    /// # Errors
    /// [`RegistryError::Rule`] D02 for a provision day after today;
    /// [`RegistryError::InvalidInput`] for a day before the database accepted provisions
    /// ([`crate::retention::RetentionPolicy::national_db_from`]) or a reversed date range;
    /// [`RegistryError::NotFound`] for an unknown subject of the selection (nothing recorded);
    /// [`RegistryError::Forbidden`].
    pub fn record_national_db_provision(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        provided_on: Date,
        selection: &ProvisionSelection,
    ) -> Result<ProvisionOutcome, RegistryError> {
        let from = self.config.retention.national_db_from;
        self.run(
            principal,
            "national-db-provision",
            Some(tenant),
            Access::Staff,
            |ctx| {
                if provided_on > ctx.now.date {
                    return Err(RegistryError::Rule {
                        code: Code::D02,
                        message: "the provision day is in the future".into(),
                    });
                }
                if provided_on < from {
                    return Err(RegistryError::InvalidInput(format!(
                        "the national database accepts provisions from {from}"
                    )));
                }
                let area = ctx.area()?;
                let vouchers: Vec<VoucherRec> = match selection {
                    ProvisionSelection::Subjects(list) => {
                        let mut out = Vec::new();
                        let mut seen = HashSet::new();
                        for a in list {
                            if !seen.insert(a.as_str()) {
                                continue;
                            }
                            let key = area.key(RecordKind::Subject, a.as_str().as_bytes());
                            let s: SubjectRec = area
                                .load(ctx.store, RecordKind::Subject, &key)?
                                .ok_or_else(|| {
                                    RegistryError::NotFound(
                                        "no subject with this addressee number".into(),
                                    )
                                })?;
                            for n in &s.vouchers {
                                let k = area.key(RecordKind::Voucher, n.as_bytes());
                                if let Some(v) = area.load(ctx.store, RecordKind::Voucher, &k)? {
                                    out.push(v);
                                }
                            }
                        }
                        out
                    }
                    ProvisionSelection::All | ProvisionSelection::VaccinatedBetween { .. } => {
                        if let ProvisionSelection::VaccinatedBetween { from, to } = selection {
                            if to < from {
                                return Err(RegistryError::InvalidInput(
                                    "the vaccination date range ends before it starts".into(),
                                ));
                            }
                        }
                        let mut out = Vec::new();
                        area.scan::<VoucherRec>(ctx.store, RecordKind::Voucher, |_, v| {
                            out.push(v);
                            Ok(true)
                        })?;
                        out
                    }
                };
                let in_range = |d: Date| match selection {
                    ProvisionSelection::VaccinatedBetween { from, to } => *from <= d && d <= *to,
                    _ => true,
                };
                let day = model::days(provided_on);
                let mut outcome = ProvisionOutcome {
                    provided_on: provided_on.to_string(),
                    doses: 0,
                    unchanged: 0,
                    vouchers: 0,
                };
                for v in vouchers {
                    let key = area.key(RecordKind::NationalDbProvision, v.number.as_bytes());
                    let mut rec: ProvisionRec = area
                        .load(ctx.store, RecordKind::NationalDbProvision, &key)?
                        .unwrap_or_else(|| ProvisionRec {
                            voucher: v.number.clone(),
                            doses: Vec::new(),
                        });
                    let mut changed = false;
                    for d in &v.doses {
                        let on = model::date(d.vaccinated_on)?;
                        if on > provided_on || !in_range(on) {
                            continue;
                        }
                        let existing = rec
                            .doses
                            .iter_mut()
                            .find(|p| p.dose == d.dose && p.vaccinated_on == d.vaccinated_on);
                        match existing {
                            Some(p) if p.provided_on >= day => outcome.unchanged += 1,
                            Some(p) => {
                                p.provided_on = day;
                                p.recorded_at = model::stamp(ctx.now);
                                changed = true;
                                outcome.doses += 1;
                            }
                            None => {
                                rec.doses.push(ProvidedDoseRec {
                                    dose: d.dose,
                                    vaccinated_on: d.vaccinated_on,
                                    provided_on: day,
                                    recorded_at: model::stamp(ctx.now),
                                });
                                changed = true;
                                outcome.doses += 1;
                            }
                        }
                    }
                    if changed {
                        area.save(ctx.store, RecordKind::NationalDbProvision, &key, &rec)?;
                        ctx.touched.push(key);
                        outcome.vouchers += 1;
                    }
                }
                Ok(outcome)
            },
        )
    }

    /// Puts a legal hold on the subject `addressee` of `tenant` (`on`), or lifts it (staff of the
    /// tenant only). A held subject's records are never purged, whatever their dates. Returns
    /// whether anything changed.
    ///
    /// # Errors
    /// [`RegistryError::NotFound`] (placing a hold on an unknown subject),
    /// [`RegistryError::Forbidden`].
    pub fn set_legal_hold(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        addressee: &AddresseeNumber,
        on: bool,
    ) -> Result<bool, RegistryError> {
        self.run(
            principal,
            "legal-hold",
            Some(tenant),
            Access::Staff,
            |ctx| {
                let area = ctx.area()?;
                let key = area.key(RecordKind::LegalHold, addressee.as_str().as_bytes());
                ctx.touched.push(key);
                if !on {
                    return area.remove(ctx.store, RecordKind::LegalHold, &key);
                }
                if area
                    .load::<HoldRec>(ctx.store, RecordKind::LegalHold, &key)?
                    .is_some()
                {
                    return Ok(false);
                }
                let subject_key = area.key(RecordKind::Subject, addressee.as_str().as_bytes());
                if ctx
                    .store
                    .get(area.id, RecordKind::Subject.code(), subject_key.as_bytes())?
                    .is_none()
                {
                    return Err(RegistryError::NotFound(
                        "no subject with this addressee number".into(),
                    ));
                }
                let rec = HoldRec {
                    addressee: addressee.as_str().to_owned(),
                    set_at: model::stamp(ctx.now),
                };
                area.save(ctx.store, RecordKind::LegalHold, &key, &rec)?;
                Ok(true)
            },
        )
    }

    /// Sets the tenant's own minimum retention period in years from the vaccination (`None`
    /// clears it), staff of the tenant only: how long a municipality keeps its register beyond
    /// the law is its own decision (e.g. 30 years), not the operator's. It only ever lengthens the
    /// law's period. Audited like every call.
    ///
    /// # Errors
    /// [`RegistryError::InvalidInput`] for 0 or more than 200 years, [`RegistryError::Forbidden`].
    pub fn set_retention_minimum(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        years: Option<u16>,
    ) -> Result<(), RegistryError> {
        if years.is_some_and(|y| !(1..=200).contains(&y)) {
            return Err(RegistryError::InvalidInput(
                "a minimum retention period is 1 to 200 years".into(),
            ));
        }
        self.run(
            principal,
            "retention-minimum",
            Some(tenant),
            Access::Staff,
            |ctx| {
                let area = ctx.area()?;
                let rec = RetentionSettingsRec {
                    minimum_years: years,
                    set_at: model::stamp(ctx.now),
                };
                let key = RecordKey::SINGLETON;
                area.save(ctx.store, RecordKind::RetentionSettings, &key, &rec)
            },
        )
    }

    /// The retention list of `tenant` on `as_of` (staff of the tenant only): every dose eligible
    /// for deletion under the policy in force on that day, with the rule and the dates that
    /// decided it; the doses eligible by their dates but held; the doses kept, counted by reason;
    /// and what a purge that day would remove. Any as-of date may be asked (planning ahead); only
    /// today's can be purged. Deletes nothing.
    ///
    /// # Errors
    /// [`RegistryError::Forbidden`], [`RegistryError::UnknownTenant`], key or store failures.
    pub fn retention_list(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        as_of: Date,
    ) -> Result<RetentionList, RegistryError> {
        let policy = self.config.retention.clone();
        self.run(
            principal,
            "retention-list",
            Some(tenant),
            Access::Staff,
            |ctx| {
                let area = ctx.area()?;
                let plan = eligibility::plan(ctx.store, &area, &policy, as_of, true)?;
                let order = |d: &DoseRetention| (d.voucher_number.clone(), d.dose);
                let mut eligible: Vec<DoseRetention> =
                    plan.eligible.into_iter().map(Into::into).collect();
                eligible.sort_by_key(order);
                let mut held: Vec<DoseRetention> = plan.held.into_iter().map(Into::into).collect();
                held.sort_by_key(order);
                Ok(RetentionList {
                    tenant: area.code.as_str().to_owned(),
                    as_of: as_of.to_string(),
                    policy_version: policy.version.clone(),
                    tenant_minimum_years: eligibility::minimum_years(ctx.store, &area)?,
                    eligible,
                    held,
                    kept: plan.kept,
                    would_remove: RemovalCounts {
                        doses: plan.doses_going,
                        vouchers: plan.vouchers_leaving,
                        subjects: plan.subjects_leaving,
                        provision_log_entries: provision_log::expired_count(
                            ctx.store,
                            &area,
                            LogKind::Provision,
                            as_of,
                            policy.log_years,
                        )?,
                        inquiry_log_entries: provision_log::expired_count(
                            ctx.store,
                            &area,
                            LogKind::Inquiry,
                            as_of,
                            policy.log_years,
                        )?,
                    },
                })
            },
        )
    }
}
