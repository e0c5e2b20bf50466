//! Correcting and voiding stored doses (staff only): a municipality fixes what a venue entered
//! wrongly. The dose as it was before each change is kept in the voucher's sealed history
//! ([`RecordKind::DoseHistory`]), shown to the tenant's staff with the subject's doses.

use serde::Serialize;

use crate::crypto::{RecordKey, RecordKind};
use crate::date::Date;
use crate::id::MunicipalityCode;
use crate::store::Store;
use crate::text::char_count;
use crate::vaccine::DoseNumber;

use super::access::Access;
use super::area::Area;
use super::dose::{check_input, check_order, check_subject, dose_fields, DoseInput};
use super::error::RegistryError;
use super::fields;
use super::flags::SubjectRef;
use super::guard::{self, Field};
use super::model::{self, DoseChangeRec, DoseHistoryRec, DoseRec, SubjectRec, VoucherRec};
use super::principal::Principal;
use super::query::{dose_view, DoseView};
use super::{Ctx, Registry};

/// Longest reason accepted for a correction or void, in characters.
const MAX_REASON_CHARS: usize = 200;

const CORRECTED: u8 = 1;
const VOIDED: u8 = 2;

/// New values for a stored dose's fields; `None` keeps the stored value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DoseCorrection {
    /// Vaccination date.
    pub vaccinated_on: Option<Date>,
    /// Manufacturer, in any accepted spelling.
    pub manufacturer: Option<String>,
    /// Lot number.
    pub lot: Option<String>,
    /// Venue name.
    pub venue: Option<String>,
    /// Doctor's name.
    pub doctor: Option<String>,
}

impl DoseCorrection {
    /// Whether the correction names no field at all.
    pub fn is_empty(&self) -> bool {
        *self == DoseCorrection::default()
    }
}

/// What a correction or void did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoseChange {
    /// The voucher the dose is registered on.
    pub voucher_number: String,
    /// Dose number.
    pub dose: u8,
    /// `corrected` or `voided`.
    pub action: String,
    /// `false` when the correction equals what is stored: nothing was changed or recorded.
    pub changed: bool,
    /// The dose as stored now (`None` after a void).
    pub dose_now: Option<DoseView>,
    /// Warning codes for the corrected dose (e.g. `L02` dated after a move-out).
    pub warnings: Vec<String>,
}

/// One change in a subject's dose history, as the tenant's staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoseHistoryEntry {
    /// The voucher the dose is registered on.
    pub voucher_number: String,
    /// Dose number.
    pub dose: u8,
    /// `corrected` or `voided`.
    pub action: String,
    /// When (ISO timestamp).
    pub at: String,
    /// Pseudonym of the staff user who made the change (as in the audit log).
    pub by: String,
    /// Why, as the staff user wrote it.
    pub reason: String,
    /// The dose before the change.
    pub before: DoseView,
}

fn action_name(action: u8) -> &'static str {
    if action == VOIDED {
        "voided"
    } else {
        "corrected"
    }
}

/// The reason as stored: required, at most 200 characters, checked like every stored text.
fn checked_reason(reason: &str) -> Result<String, RegistryError> {
    let trimmed = reason.trim();
    if trimmed.is_empty() || char_count(trimmed) > MAX_REASON_CHARS {
        return Err(RegistryError::InvalidInput(format!(
            "a reason of 1 to {MAX_REASON_CHARS} characters is required"
        )));
    }
    Ok(fields::storable(fields::REASON, trimmed)?.into_owned())
}

/// A stored dose found for a change, with what its rules are checked against.
struct Located {
    number: String,
    key: RecordKey,
    voucher: VoucherRec,
    /// Index of the dose in `voucher.doses`.
    index: usize,
    subject: Option<SubjectRec>,
    /// The person's other doses (all their vouchers; this voucher's only when unregistered).
    others: Vec<DoseRec>,
}

/// Finds dose `dose` of the person or voucher `who`: on the named voucher, or on any voucher of
/// the person.
fn locate(
    store: &mut dyn Store,
    area: &Area,
    who: &SubjectRef,
    dose: DoseNumber,
) -> Result<Located, RegistryError> {
    let load_voucher = |store: &mut dyn Store, number: &str| {
        let key = area.key(RecordKind::Voucher, number.as_bytes());
        area.load::<VoucherRec>(store, RecordKind::Voucher, &key)
            .map(|v| v.map(|v| (key, v)))
    };
    let (addressee, named) = match who {
        SubjectRef::Addressee(a) => (Some(a.as_str().to_owned()), None),
        SubjectRef::Voucher(v) => {
            let (key, rec) = load_voucher(store, v.as_str())?
                .ok_or_else(|| RegistryError::NotFound("no such voucher".into()))?;
            (rec.subject.clone(), Some((key, rec)))
        }
    };
    let subject: Option<SubjectRec> = match &addressee {
        Some(a) => {
            let key = area.key(RecordKind::Subject, a.as_bytes());
            let found = area.load(store, RecordKind::Subject, &key)?;
            if found.is_none() && named.is_none() {
                return Err(RegistryError::NotFound(
                    "no subject with this addressee number".into(),
                ));
            }
            found
        }
        None => None,
    };
    let mut vouchers: Vec<(String, RecordKey, VoucherRec)> = Vec::new();
    if let Some((key, rec)) = named {
        vouchers.push((rec.number.clone(), key, rec));
    }
    for number in subject.iter().flat_map(|s| s.vouchers.iter()) {
        if vouchers.iter().any(|(n, _, _)| n == number) {
            continue;
        }
        if let Some((key, rec)) = load_voucher(store, number)? {
            vouchers.push((number.clone(), key, rec));
        }
    }
    let at = vouchers.iter().enumerate().find_map(|(i, (_, _, v))| {
        v.doses
            .iter()
            .position(|d| d.dose == dose.get())
            .map(|j| (i, j))
    });
    let Some((vi, index)) = at else {
        return Err(RegistryError::NotFound(format!(
            "no dose {} is recorded for this person",
            dose.get()
        )));
    };
    let others = vouchers
        .iter()
        .flat_map(|(_, _, v)| v.doses.iter())
        .filter(|d| d.dose != dose.get())
        .cloned()
        .collect();
    let (number, key, voucher) = vouchers.swap_remove(vi);
    Ok(Located {
        number,
        key,
        voucher,
        index,
        subject,
        others,
    })
}

/// Appends a change to the voucher's sealed history.
fn record_change(
    ctx: &mut Ctx<'_>,
    area: &Area,
    number: &str,
    change: DoseChangeRec,
) -> Result<(), RegistryError> {
    let key = area.key(RecordKind::DoseHistory, number.as_bytes());
    let mut history: DoseHistoryRec = area
        .load(ctx.store, RecordKind::DoseHistory, &key)?
        .unwrap_or_else(|| DoseHistoryRec {
            voucher: number.to_owned(),
            changes: Vec::new(),
        });
    history.changes.push(change);
    area.save(ctx.store, RecordKind::DoseHistory, &key, &history)?;
    ctx.touched.push(key);
    Ok(())
}

/// The history of the doses on `vouchers`, oldest change first.
pub(crate) fn history_of(
    store: &mut dyn Store,
    area: &Area,
    vouchers: &[String],
) -> Result<Vec<DoseHistoryEntry>, RegistryError> {
    let mut out = Vec::new();
    for number in vouchers {
        let key = area.key(RecordKind::DoseHistory, number.as_bytes());
        let Some(history) = area.load::<DoseHistoryRec>(store, RecordKind::DoseHistory, &key)?
        else {
            continue;
        };
        for c in &history.changes {
            out.push((
                c.at,
                DoseHistoryEntry {
                    voucher_number: number.clone(),
                    dose: c.dose,
                    action: action_name(c.action).to_owned(),
                    at: model::unstamp(c.at)?.to_string(),
                    by: c.by.clone(),
                    reason: c.reason.clone(),
                    before: dose_view(number, &c.before)?,
                },
            ));
        }
    }
    out.sort_by_key(|(at, _)| *at); // stable: a voucher's changes keep their order
    Ok(out.into_iter().map(|(_, e)| e).collect())
}

/// Applies a correction inside the operation's transaction.
fn correct(
    ctx: &mut Ctx<'_>,
    who: &SubjectRef,
    dose: DoseNumber,
    correction: &DoseCorrection,
    reason: &str,
    by: &str,
) -> Result<DoseChange, RegistryError> {
    let area = ctx.area()?;
    let mut found = locate(ctx.store, &area, who, dose)?;
    let stored = found
        .voucher
        .doses
        .get(found.index)
        .cloned()
        .ok_or_else(|| RegistryError::Corrupt("a located dose is missing".into()))?;
    let input = DoseInput {
        vaccinated_on: match correction.vaccinated_on {
            Some(d) => d,
            None => model::date(stored.vaccinated_on)?,
        },
        manufacturer: correction
            .manufacturer
            .clone()
            .unwrap_or_else(|| stored.manufacturer.clone()),
        lot: correction.lot.clone().unwrap_or_else(|| stored.lot.clone()),
        venue: correction
            .venue
            .clone()
            .unwrap_or_else(|| stored.venue.clone()),
        doctor: correction
            .doctor
            .clone()
            .unwrap_or_else(|| stored.doctor.clone()),
    };
    // The corrected dose meets every rule a new one does (one place: `check_input`).
    let checked = check_input(&input, ctx.now, ctx.config)?;
    guard::refuse_my_numbers(ctx.store, &area, ctx.config, &dose_fields(&input))?;
    guard::refuse_my_numbers(ctx.store, &area, ctx.config, &[(Field::Reason, reason)])?;
    let mut warnings = Vec::new();
    if let Some(subject) = &found.subject {
        check_subject(subject, input.vaccinated_on, &mut warnings)?;
    }
    let rec = DoseRec {
        dose: stored.dose,
        vaccinated_on: model::days(input.vaccinated_on),
        registered_at: stored.registered_at,
        venue: checked.venue,
        doctor: checked.doctor,
        manufacturer: checked.manufacturer,
        lot: checked.lot,
        source: stored.source,
    };
    check_order(&found.others, &rec)?;
    let changed = !rec.same_dose(&stored);
    if changed {
        if let Some(slot) = found.voucher.doses.get_mut(found.index) {
            *slot = rec.clone();
        }
        area.save(ctx.store, RecordKind::Voucher, &found.key, &found.voucher)?;
        ctx.touched.push(found.key);
        let change = DoseChangeRec {
            dose: stored.dose,
            action: CORRECTED,
            at: model::stamp(ctx.now),
            by: by.to_owned(),
            reason: reason.to_owned(),
            before: stored,
        };
        record_change(ctx, &area, &found.number, change)?;
    }
    Ok(DoseChange {
        voucher_number: found.number.clone(),
        dose: rec.dose,
        action: action_name(CORRECTED).to_owned(),
        changed,
        dose_now: Some(dose_view(&found.number, &rec)?),
        warnings,
    })
}

/// Applies a void inside the operation's transaction.
fn void(
    ctx: &mut Ctx<'_>,
    who: &SubjectRef,
    dose: DoseNumber,
    reason: &str,
    by: &str,
) -> Result<DoseChange, RegistryError> {
    let area = ctx.area()?;
    guard::refuse_my_numbers(ctx.store, &area, ctx.config, &[(Field::Reason, reason)])?;
    let mut found = locate(ctx.store, &area, who, dose)?;
    let stored = found.voucher.doses.remove(found.index);
    area.save(ctx.store, RecordKind::Voucher, &found.key, &found.voucher)?;
    ctx.touched.push(found.key);
    if found.voucher.subject.is_none() && found.voucher.doses.is_empty() {
        // Nothing left to wait for registration.
        let k = area.key(RecordKind::Awaiting, found.number.as_bytes());
        if area.remove(ctx.store, RecordKind::Awaiting, &k)? {
            ctx.touched.push(k);
        }
    }
    let change = DoseChangeRec {
        dose: stored.dose,
        action: VOIDED,
        at: model::stamp(ctx.now),
        by: by.to_owned(),
        reason: reason.to_owned(),
        before: stored,
    };
    record_change(ctx, &area, &found.number, change)?;
    Ok(DoseChange {
        voucher_number: found.number,
        dose: dose.get(),
        action: action_name(VOIDED).to_owned(),
        changed: true,
        dose_now: None,
        warnings: Vec::new(),
    })
}

impl Registry {
    /// Corrects fields of a stored dose (staff of the tenant only): dose `dose` of the person
    /// named by `who` (an addressee number, or a voucher number: the dose may be on any voucher
    /// of that person). The corrected dose is checked like a new one (D02, D03, T01–T04, T08,
    /// D05, L01, S02 against the person's neighbouring doses); the dose as it was is kept in
    /// the sealed history with the time, the staff user's pseudonym and `reason`, shown in
    /// [`SubjectDoses::history`](super::SubjectDoses::history). A correction equal to what is
    /// stored changes nothing (`changed: false`). Audited as `correct-dose`.
    ///
    /// # Errors
    /// [`RegistryError::InvalidInput`] (no field to correct, missing reason),
    /// [`RegistryError::NotFound`] (no such person, voucher or dose), [`RegistryError::Rule`],
    /// [`RegistryError::Forbidden`] (venue tablets, other tenants, viewers, the operator).
    pub fn correct_dose(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        who: &SubjectRef,
        dose: DoseNumber,
        correction: &DoseCorrection,
        reason: &str,
    ) -> Result<DoseChange, RegistryError> {
        let by = self.user_pseudonym(principal).unwrap_or_default();
        self.run(
            principal,
            "correct-dose",
            Some(tenant),
            Access::Staff,
            |ctx| {
                if correction.is_empty() {
                    return Err(RegistryError::InvalidInput(
                        "the correction names no field to change".into(),
                    ));
                }
                let reason = checked_reason(reason)?;
                correct(ctx, who, dose, correction, &reason, &by)
            },
        )
    }

    /// Voids a dose recorded in error (staff of the tenant only), named as for
    /// [`Registry::correct_dose`]. The dose disappears from the subject's doses, exports and
    /// statistics, and stays in the sealed history; the same dose number can then be recorded
    /// again. Audited as `void-dose`.
    ///
    /// # Errors
    /// [`RegistryError::InvalidInput`] (missing reason), [`RegistryError::NotFound`],
    /// [`RegistryError::Forbidden`].
    pub fn void_dose(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        who: &SubjectRef,
        dose: DoseNumber,
        reason: &str,
    ) -> Result<DoseChange, RegistryError> {
        let by = self.user_pseudonym(principal).unwrap_or_default();
        self.run(principal, "void-dose", Some(tenant), Access::Staff, |ctx| {
            let reason = checked_reason(reason)?;
            void(ctx, who, dose, &reason, &by)
        })
    }
}
