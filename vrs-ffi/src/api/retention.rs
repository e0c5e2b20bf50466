//! Retention on the [`Registry`]: provisions to the national immunization database, legal holds,
//! the tenant's own minimum, the retention list and the purge (`vrs_core::retention` holds the
//! dated rule: 施行規則 第3条, and from 2026-02-01 附則第17条).

use vrs_core::registry as core;

use super::registry::{addressee, code, date, Principal, Registry};
use super::VrsError;

/// Which doses a provision to the national database covered.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ProvisionSelection {
    /// Every dose of the tenant given on or before the provision day.
    All,
    /// The doses of these subjects (addressee numbers); an unknown one fails the call.
    Subjects {
        /// Addressee numbers.
        addressees: Vec<String>,
    },
    /// The doses given in this range of vaccination dates (both included).
    VaccinatedBetween {
        /// First vaccination date, `YYYY-MM-DD` or `YYYYMMDD`.
        from: String,
        /// Last vaccination date.
        to: String,
    },
}

/// What [`Registry::record_national_db_provision`] recorded.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProvisionOutcome {
    /// The provision day (`YYYY-MM-DD`).
    pub provided_on: String,
    /// Doses whose provision was recorded now.
    pub doses: u64,
    /// Doses already recorded as provided that day or later.
    pub unchanged: u64,
    /// Vouchers whose provision record changed.
    pub vouchers: u64,
}

/// One dose of a retention list: the dates that decide it; no name, no My Number.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DoseRetention {
    /// The subject's addressee number (`None`: the voucher awaits registration).
    pub addressee: Option<String>,
    /// The voucher the dose is registered on.
    pub voucher_number: String,
    /// Dose number.
    pub dose: u8,
    /// Vaccination date.
    pub vaccinated_on: String,
    /// The rule that decided (its id in the policy).
    pub rule: String,
    /// The recorded date of death, if any.
    pub death_on: Option<String>,
    /// The recorded provision to the national database, if any.
    pub provided_on: Option<String>,
    /// The last day the law keeps the record.
    pub law_retain_through: String,
    /// The last day of the municipality's own minimum, if set.
    pub tenant_retain_through: Option<String>,
    /// The first day the record may be deleted.
    pub eligible_from: String,
}

/// Doses kept, counted by reason (a dose may count under several).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct KeptCounts {
    /// Doses kept.
    pub doses: u64,
    /// No death recorded (the person is taken to be alive).
    pub waiting_for_death: u64,
    /// No provision to the national database recorded.
    pub waiting_for_provision: u64,
    /// The law's period has not run out.
    pub within_period: u64,
    /// The municipality's own minimum has not run out.
    pub tenant_minimum: u64,
    /// Under a legal hold.
    pub legal_hold: u64,
    /// No rule covers the dose.
    pub no_rule: u64,
}

/// What a purge would remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct RemovalCounts {
    /// Dose records.
    pub doses: u64,
    /// Voucher records.
    pub vouchers: u64,
    /// Subjects.
    pub subjects: u64,
    /// Provision-log entries past the policy's `log_years`.
    pub provision_log_entries: u64,
    /// Inquiry-log entries past the policy's `log_years`.
    pub inquiry_log_entries: u64,
}

/// The retention list of a tenant on an as-of date.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RetentionList {
    /// The tenant.
    pub tenant: String,
    /// The as-of date.
    pub as_of: String,
    /// The policy's version.
    pub policy_version: String,
    /// The tenant's own minimum in years, if set.
    pub tenant_minimum_years: Option<u16>,
    /// Doses eligible for deletion.
    pub eligible: Vec<DoseRetention>,
    /// Doses eligible by their dates but under a legal hold.
    pub held: Vec<DoseRetention>,
    /// Doses kept, by reason.
    pub kept: KeptCounts,
    /// What a purge on the as-of date would remove.
    pub would_remove: RemovalCounts,
}

/// What [`Registry::purge`] removed (counts only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct PurgeOutcome {
    /// Dose records.
    pub doses: u64,
    /// Voucher records.
    pub vouchers: u64,
    /// Subjects.
    pub subjects: u64,
    /// My Number index entries.
    pub my_number_index: u64,
    /// Awaiting-registration entries.
    pub awaiting: u64,
    /// Provision records removed or trimmed.
    pub provisions: u64,
    /// Provision-log entries removed (answered more than the policy's `log_years` ago).
    pub provision_log_entries: u64,
    /// Inquiry-log entries removed (answered more than the policy's `log_years` ago).
    pub inquiry_log_entries: u64,
    /// Whether the store made the removed bytes unrecoverable at once (WAL checkpointed).
    pub store_checkpointed: bool,
}

impl From<core::DoseRetention> for DoseRetention {
    fn from(d: core::DoseRetention) -> Self {
        DoseRetention {
            addressee: d.addressee,
            voucher_number: d.voucher_number,
            dose: d.dose,
            vaccinated_on: d.vaccinated_on,
            rule: d.rule,
            death_on: d.death_on,
            provided_on: d.provided_on,
            law_retain_through: d.law_retain_through,
            tenant_retain_through: d.tenant_retain_through,
            eligible_from: d.eligible_from,
        }
    }
}

impl From<core::RetentionList> for RetentionList {
    fn from(l: core::RetentionList) -> Self {
        let k = l.kept;
        RetentionList {
            tenant: l.tenant,
            as_of: l.as_of,
            policy_version: l.policy_version,
            tenant_minimum_years: l.tenant_minimum_years,
            eligible: l.eligible.into_iter().map(Into::into).collect(),
            held: l.held.into_iter().map(Into::into).collect(),
            kept: KeptCounts {
                doses: k.doses,
                waiting_for_death: k.waiting_for_death,
                waiting_for_provision: k.waiting_for_provision,
                within_period: k.within_period,
                tenant_minimum: k.tenant_minimum,
                legal_hold: k.legal_hold,
                no_rule: k.no_rule,
            },
            would_remove: RemovalCounts {
                doses: l.would_remove.doses,
                vouchers: l.would_remove.vouchers,
                subjects: l.would_remove.subjects,
                provision_log_entries: l.would_remove.provision_log_entries,
                inquiry_log_entries: l.would_remove.inquiry_log_entries,
            },
        }
    }
}

impl From<core::PurgeOutcome> for PurgeOutcome {
    fn from(o: core::PurgeOutcome) -> Self {
        PurgeOutcome {
            doses: o.doses,
            vouchers: o.vouchers,
            subjects: o.subjects,
            my_number_index: o.my_number_index,
            awaiting: o.awaiting,
            provisions: o.provisions,
            provision_log_entries: o.provision_log_entries,
            inquiry_log_entries: o.inquiry_log_entries,
            store_checkpointed: o.store_checkpointed,
        }
    }
}

#[uniffi::export]
impl Registry {
    /// Records that `tenant` provided doses to the national immunization database on
    /// `provided_on` (`YYYY-MM-DD`): every dose of `selection` given on or before that day.
    /// Staff only.
    ///
    /// # Errors
    /// [`VrsError::Rule`] D02 (a future day), [`VrsError::InvalidArgument`] (before the database
    /// operated, a reversed range, a malformed date or number), [`VrsError::NotFound`] (an
    /// unknown subject), [`VrsError::Forbidden`].
    pub fn record_national_db_provision(
        &self,
        principal: Principal,
        tenant: String,
        provided_on: String,
        selection: ProvisionSelection,
    ) -> Result<ProvisionOutcome, VrsError> {
        let p = principal.to_core()?;
        let t = code("tenant", &tenant)?;
        let on = date("provided_on", &provided_on)?;
        let selection = match &selection {
            ProvisionSelection::All => core::ProvisionSelection::All,
            ProvisionSelection::Subjects { addressees } => core::ProvisionSelection::Subjects(
                addressees
                    .iter()
                    .map(|a| addressee("selection.addressees", a))
                    .collect::<Result<_, _>>()?,
            ),
            ProvisionSelection::VaccinatedBetween { from, to } => {
                core::ProvisionSelection::VaccinatedBetween {
                    from: date("selection.from", from)?,
                    to: date("selection.to", to)?,
                }
            }
        };
        let out = self
            .lock()?
            .record_national_db_provision(&p, &t, on, &selection)?;
        Ok(ProvisionOutcome {
            provided_on: out.provided_on,
            doses: out.doses,
            unchanged: out.unchanged,
            vouchers: out.vouchers,
        })
    }

    /// The retention list of `tenant` on `as_of` (`YYYY-MM-DD`; any day may be listed): the
    /// doses eligible for deletion with the rule and dates that decided them, the held ones, the
    /// kept ones counted by reason. Deletes nothing. Staff only.
    ///
    /// # Errors
    /// [`VrsError::Forbidden`], [`VrsError::InvalidArgument`].
    pub fn retention_list(
        &self,
        principal: Principal,
        tenant: String,
        as_of: String,
    ) -> Result<RetentionList, VrsError> {
        let p = principal.to_core()?;
        let t = code("tenant", &tenant)?;
        let on = date("as_of", &as_of)?;
        Ok(self.lock()?.retention_list(&p, &t, on)?.into())
    }

    /// Removes from `tenant` what is eligible on `as_of`, which must be today, then what is left
    /// with nothing retained; idempotent; audited with counts only. Staff only.
    ///
    /// # Errors
    /// [`VrsError::InvalidArgument`] (not today, malformed), [`VrsError::Forbidden`].
    pub fn purge(
        &self,
        principal: Principal,
        tenant: String,
        as_of: String,
    ) -> Result<PurgeOutcome, VrsError> {
        let p = principal.to_core()?;
        let t = code("tenant", &tenant)?;
        let on = date("as_of", &as_of)?;
        Ok(self.lock()?.purge(&p, &t, on)?.into())
    }

    /// Puts (`on`) or lifts a legal hold on the subject `addressee_number` of `tenant`: a held
    /// subject is never purged. Returns whether anything changed. Staff only.
    ///
    /// # Errors
    /// [`VrsError::NotFound`] (holding an unknown subject), [`VrsError::Forbidden`].
    pub fn set_legal_hold(
        &self,
        principal: Principal,
        tenant: String,
        addressee_number: String,
        on: bool,
    ) -> Result<bool, VrsError> {
        let p = principal.to_core()?;
        let t = code("tenant", &tenant)?;
        let a = addressee("addressee_number", &addressee_number)?;
        Ok(self.lock()?.set_legal_hold(&p, &t, &a, on)?)
    }

    /// Sets the tenant's own minimum retention in years from the vaccination (`None` clears):
    /// it only lengthens the law's period. Staff only.
    ///
    /// # Errors
    /// [`VrsError::InvalidArgument`] (0 or over 200), [`VrsError::Forbidden`].
    pub fn set_retention_minimum(
        &self,
        principal: Principal,
        tenant: String,
        years: Option<u16>,
    ) -> Result<(), VrsError> {
        let p = principal.to_core()?;
        let t = code("tenant", &tenant)?;
        Ok(self.lock()?.set_retention_minimum(&p, &t, years)?)
    }
}
