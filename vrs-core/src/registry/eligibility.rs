//! What the retention engine stores (provisions, holds, the tenant's minimum) and the plan it
//! draws from a tenant's records: every dose judged by the dated policy, and the vouchers and
//! subjects a purge would leave with nothing retained. Shared by the retention list and the purge,
//! so both always agree.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::crypto::{RecordKey, RecordKind};
use crate::date::Date;
use crate::retention::{Facts, RetentionPolicy};
use crate::store::Store;

use super::area::Area;
use super::error::RegistryError;
use super::model::{self, DoseRec, SubjectRec, VoucherRec};

/// The provisions of one voucher's doses to the national database (kind 30, keyed by voucher).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ProvisionRec {
    pub voucher: String,
    pub doses: Vec<ProvidedDoseRec>,
}

/// One dose provided: which (dose number and vaccination date), when, and when it was recorded.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ProvidedDoseRec {
    pub dose: u8,
    pub vaccinated_on: i32,
    /// The provision day (the latest, when provided more than once).
    pub provided_on: i32,
    pub recorded_at: u64,
}

impl ProvidedDoseRec {
    fn is(&self, d: &DoseRec) -> bool {
        self.dose == d.dose && self.vaccinated_on == d.vaccinated_on
    }
}

/// A legal hold on a subject (kind 31, keyed by addressee number).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct HoldRec {
    pub addressee: String,
    pub set_at: u64,
}

/// The tenant's retention settings (kind 32, singleton).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RetentionSettingsRec {
    /// Years from the vaccination the tenant keeps every record at least.
    pub minimum_years: Option<u16>,
    pub set_at: u64,
}

/// The tenant's own minimum, if set.
pub(crate) fn minimum_years(
    store: &mut dyn Store,
    area: &Area,
) -> Result<Option<u16>, RegistryError> {
    let rec: Option<RetentionSettingsRec> =
        area.load(store, RecordKind::RetentionSettings, &RecordKey::SINGLETON)?;
    Ok(rec.and_then(|r| r.minimum_years))
}

/// One dose's facts and verdict, as the list shows them.
#[derive(Debug, Clone)]
pub(crate) struct JudgedDose {
    pub addressee: Option<String>,
    pub voucher: String,
    pub dose: u8,
    pub vaccinated_on: Date,
    pub death: Option<Date>,
    pub provided_on: Option<Date>,
    pub rule: String,
    pub law_retain_through: Date,
    pub tenant_retain_through: Option<Date>,
    pub eligible_from: Date,
}

/// Why doses are kept, counted (a dose may count under several reasons).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KeptCounts {
    /// Doses kept, whatever the reason.
    pub doses: u64,
    /// The rule counts from the death, and none is recorded (the person is taken to be alive).
    pub waiting_for_death: u64,
    /// The rule waits for the provision to the national database, and none is recorded.
    pub waiting_for_provision: u64,
    /// The law's period has not run out on the as-of date.
    pub within_period: u64,
    /// The law's period has run out, the municipality's own minimum has not.
    pub tenant_minimum: u64,
    /// Eligible by the dates, but the subject is under a legal hold.
    pub legal_hold: u64,
    /// No rule of the policy covers the dose.
    pub no_rule: u64,
}

/// What happens to one voucher.
pub(crate) enum VoucherFate {
    /// Every dose goes and nothing holds the voucher: remove it (and its awaiting entry).
    Remove,
    /// Some doses go: the voucher keeps the others.
    Trim(VoucherRec),
    /// Every dose of a subject's voucher goes (the subject's addressee number): the voucher goes
    /// with its subject if the subject leaves, else it stays without doses.
    Emptied(String),
}

/// The plan for one tenant on one as-of date.
pub(crate) struct Plan {
    pub eligible: Vec<JudgedDose>,
    pub held: Vec<JudgedDose>,
    pub kept: KeptCounts,
    pub doses_going: u64,
    /// Vouchers that would go: unlinked ones emptied, and every voucher of a leaving subject.
    pub vouchers_leaving: u64,
    /// Subjects left with nothing retained.
    pub subjects_leaving: u64,
    /// Vouchers to change, by key, with their number.
    pub vouchers: Vec<(RecordKey, String, VoucherFate)>,
    /// Subjects left with nothing retained: their key and record.
    pub subjects: Vec<(RecordKey, SubjectRec)>,
    /// Provision records to rewrite (`Some`) or remove (`None`), by voucher number.
    pub provisions: Vec<(String, Option<ProvisionRec>)>,
}

/// A subject's death, and (for a purge) where the subject's record is kept.
struct Death {
    date: i32,
    record: Option<usize>,
}

/// Per subject: doses going and doses kept.
#[derive(Default, Clone, Copy)]
struct Tally {
    going: u32,
    kept: u32,
    vouchers: u32,
}

/// Judges every dose of `area` on `as_of`. `list` keeps the judged doses (for the retention
/// list); a purge passes `false` and keeps only what it changes.
pub(crate) fn plan(
    store: &mut dyn Store,
    area: &Area,
    policy: &RetentionPolicy,
    as_of: Date,
    list: bool,
) -> Result<Plan, RegistryError> {
    let minimum = minimum_years(store, area)?;
    let mut holds: HashSet<String> = HashSet::new();
    area.scan::<HoldRec>(store, RecordKind::LegalHold, |_, h| {
        holds.insert(h.addressee);
        Ok(true)
    })?;
    let mut provisions: HashMap<String, ProvisionRec> = HashMap::new();
    area.scan::<ProvisionRec>(store, RecordKind::NationalDbProvision, |_, p| {
        provisions.insert(p.voucher.clone(), p);
        Ok(true)
    })?;
    // Deaths only: most subjects have none, so the map stays small. A purge keeps the records
    // of the dead, who are most of those leaving: they are not read twice.
    // (The records sit in a list beside the map: a map of whole records is slow to grow.)
    let mut deaths: HashMap<String, Death> = HashMap::new();
    let mut dead: Vec<Option<(RecordKey, SubjectRec)>> = Vec::new();
    area.scan::<SubjectRec>(store, RecordKind::Subject, |key, s| {
        if let Some(f) = s.flags.iter().find(|f| f.kind == 2) {
            let date = f.date;
            let addressee = s.addressee.clone();
            let record = (!list).then(|| {
                dead.push(Some((key, s)));
                dead.len() - 1
            });
            deaths.insert(addressee, Death { date, record });
        }
        Ok(true)
    })?;

    let mut out = Plan {
        eligible: Vec::new(),
        held: Vec::new(),
        kept: KeptCounts::default(),
        doses_going: 0,
        vouchers_leaving: 0,
        subjects_leaving: 0,
        vouchers: Vec::new(),
        subjects: Vec::new(),
        provisions: Vec::new(),
    };
    let mut tallies: HashMap<String, Tally> = HashMap::new();
    area.scan::<VoucherRec>(store, RecordKind::Voucher, |key, v| {
        let death = match v.subject.as_ref().and_then(|a| deaths.get(a)) {
            Some(d) => Some(model::date(d.date)?),
            None => None,
        };
        let held = v.subject.as_ref().is_some_and(|a| holds.contains(a));
        let provided = provisions.get(&v.number);
        let mut going: Vec<bool> = Vec::with_capacity(v.doses.len());
        for d in &v.doses {
            let vaccinated_on = model::date(d.vaccinated_on)?;
            let provided_on = provided
                .and_then(|p| p.doses.iter().find(|pd| pd.is(d)))
                .map(|pd| model::date(pd.provided_on))
                .transpose()?;
            let facts = Facts {
                vaccinated_on,
                death,
                provided_on,
                tenant_minimum_years: minimum,
            };
            let verdict = policy.verdict(&facts, as_of);
            let eligible = verdict.eligible_on(as_of);
            let goes = eligible && !held;
            going.push(goes);
            if !goes {
                count_kept(&mut out.kept, &verdict, eligible, held, as_of);
            }
            let judged = |e: crate::date::Date| JudgedDose {
                addressee: v.subject.clone(),
                voucher: v.number.clone(),
                dose: d.dose,
                vaccinated_on,
                death,
                provided_on,
                rule: verdict.rule.map(|r| r.id.clone()).unwrap_or_default(),
                law_retain_through: verdict.law_retain_through.unwrap_or(e),
                tenant_retain_through: verdict.tenant_retain_through,
                eligible_from: e,
            };
            if let (true, Some(e)) = (list && eligible, verdict.eligible_from) {
                if held {
                    out.held.push(judged(e));
                } else {
                    out.eligible.push(judged(e));
                }
            }
        }
        let n_going = going.iter().filter(|g| **g).count();
        let n_kept = going.len() - n_going;
        if let Some(a) = &v.subject {
            let t = tallies.entry(a.clone()).or_default();
            t.going += n_going as u32;
            t.kept += n_kept as u32;
            t.vouchers += 1;
        }
        if n_going == 0 {
            return Ok(true);
        }
        out.doses_going += n_going as u64;
        if list {
            if v.subject.is_none() && n_kept == 0 {
                out.vouchers_leaving += 1;
            }
            return Ok(true);
        }
        // What stays of the voucher's provision record (nothing when every dose goes).
        if let Some(p) = provided {
            let change = if n_kept == 0 {
                None
            } else {
                let mut rest = p.clone();
                let gone: Vec<&DoseRec> = v
                    .doses
                    .iter()
                    .zip(&going)
                    .filter(|(_, g)| **g)
                    .map(|(d, _)| d)
                    .collect();
                rest.doses.retain(|pd| !gone.iter().any(|d| pd.is(d)));
                (!rest.doses.is_empty()).then_some(rest)
            };
            out.provisions.push((v.number.clone(), change));
        }
        // A voucher of a subject goes with its subject; an unlinked one goes when emptied.
        let fate = match (n_kept, &v.subject) {
            (0, None) => {
                out.vouchers_leaving += 1;
                VoucherFate::Remove
            }
            (0, Some(a)) => VoucherFate::Emptied(a.clone()),
            _ => {
                let mut trimmed = v.clone();
                let mut flags = going.iter();
                trimmed.doses.retain(|_| !*flags.next().unwrap_or(&false));
                VoucherFate::Trim(trimmed)
            }
        };
        out.vouchers.push((key, v.number, fate));
        Ok(true)
    })?;

    // Subjects whose every dose goes now (and who had any): they leave entirely.
    let leaving: Vec<(&String, &Tally)> = tallies
        .iter()
        .filter(|(_, t)| t.going > 0 && t.kept == 0)
        .collect();
    out.subjects_leaving = leaving.len() as u64;
    out.vouchers_leaving += leaving
        .iter()
        .map(|(_, t)| u64::from(t.vouchers))
        .sum::<u64>();
    if !list {
        // The living are loaded in key order: the B-tree is walked once, not sought at random.
        let mut living: Vec<RecordKey> = Vec::new();
        for (addressee, _) in &leaving {
            let kept = deaths
                .get(*addressee)
                .and_then(|d| d.record)
                .and_then(|at| dead.get_mut(at)?.take());
            match kept {
                Some(kept) => out.subjects.push(kept),
                None => living.push(area.key(RecordKind::Subject, addressee.as_bytes())),
            }
        }
        living.sort_unstable();
        for key in living {
            if let Some(s) = area.load::<SubjectRec>(store, RecordKind::Subject, &key)? {
                out.subjects.push((key, s));
            }
        }
        out.subjects.sort_unstable_by_key(|(key, _)| *key);
    }
    Ok(out)
}

fn count_kept(
    kept: &mut KeptCounts,
    verdict: &crate::retention::Verdict<'_>,
    eligible: bool,
    held: bool,
    as_of: Date,
) {
    kept.doses += 1;
    let w = verdict.waiting;
    kept.waiting_for_death += u64::from(w.death);
    kept.waiting_for_provision += u64::from(w.provision);
    kept.no_rule += u64::from(w.no_rule);
    if eligible && held {
        kept.legal_hold += 1;
    }
    if let Some(law) = verdict.law_retain_through {
        if law >= as_of {
            kept.within_period += 1;
        } else if !eligible {
            kept.tenant_minimum += 1;
        }
    }
}
