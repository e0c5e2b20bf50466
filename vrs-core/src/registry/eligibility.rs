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

impl KeptCounts {
    fn add(&mut self, other: &KeptCounts) {
        self.doses += other.doses;
        self.waiting_for_death += other.waiting_for_death;
        self.waiting_for_provision += other.waiting_for_provision;
        self.within_period += other.within_period;
        self.tenant_minimum += other.tenant_minimum;
        self.legal_hold += other.legal_hold;
        self.no_rule += other.no_rule;
    }
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
    /// The maps the plan was drawn from, handed back rather than freed: a purge frees them
    /// (a million small allocations for a large tenant) on another core while it deletes.
    pub scratch: Scratch,
}

/// What [`plan`] read and tallied to draw its plan (see [`Plan::scratch`]).
#[derive(Default)]
pub(crate) struct Scratch {
    _holds: HashSet<String>,
    _deaths: HashMap<String, Death>,
    _provisions: HashMap<String, Vec<ProvidedDoseRec>>,
    _tallies: HashMap<String, Tally>,
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

/// What judges a voucher's doses: the policy, the day, and the tenant's facts read first.
struct Judge<'a> {
    policy: &'a RetentionPolicy,
    as_of: Date,
    list: bool,
    minimum: Option<u16>,
    holds: &'a HashSet<String>,
    deaths: &'a HashMap<String, Death>,
    /// The doses provided to the national database, by voucher number.
    provisions: &'a HashMap<String, Vec<ProvidedDoseRec>>,
}

/// One voucher judged: what the plan needs of it (worked out on the core that decoded it).
struct JudgedVoucher {
    number: String,
    subject: Option<String>,
    going: u32,
    kept: u32,
    kept_counts: KeptCounts,
    /// For the list: its eligible doses, and whether each is under a legal hold.
    listed: Vec<(bool, JudgedDose)>,
    /// For a purge, when a dose goes: the voucher's fate, and what stays of its provision
    /// record (`None`: it has none; `Some(None)`: nothing stays).
    change: Option<(VoucherFate, Option<Option<ProvisionRec>>)>,
}

impl Judge<'_> {
    fn voucher(&self, v: VoucherRec) -> Result<JudgedVoucher, RegistryError> {
        let as_of = self.as_of;
        let death = match v.subject.as_ref().and_then(|a| self.deaths.get(a)) {
            Some(d) => Some(model::date(d.date)?),
            None => None,
        };
        let held = v.subject.as_ref().is_some_and(|a| self.holds.contains(a));
        let provided = self.provisions.get(&v.number);
        let mut kept_counts = KeptCounts::default();
        let mut listed = Vec::new();
        let mut going: Vec<bool> = Vec::with_capacity(v.doses.len());
        for d in &v.doses {
            let vaccinated_on = model::date(d.vaccinated_on)?;
            let provided_on = provided
                .and_then(|p| p.iter().find(|pd| pd.is(d)))
                .map(|pd| model::date(pd.provided_on))
                .transpose()?;
            let facts = Facts {
                vaccinated_on,
                death,
                provided_on,
                tenant_minimum_years: self.minimum,
            };
            let verdict = self.policy.verdict(&facts, as_of);
            let eligible = verdict.eligible_on(as_of);
            let goes = eligible && !held;
            going.push(goes);
            if !goes {
                count_kept(&mut kept_counts, &verdict, eligible, held, as_of);
            }
            if let (true, Some(e)) = (self.list && eligible, verdict.eligible_from) {
                let judged = JudgedDose {
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
                listed.push((held, judged));
            }
        }
        let n_going = going.iter().filter(|g| **g).count() as u32;
        let n_kept = going.len() as u32 - n_going;
        let change = (n_going > 0 && !self.list).then(|| {
            // What stays of the voucher's provision record (nothing when every dose goes).
            let provision = provided.map(|p| {
                let rest: Vec<ProvidedDoseRec> = if n_kept == 0 {
                    Vec::new()
                } else {
                    let goes = |pd: &ProvidedDoseRec| {
                        v.doses.iter().zip(&going).any(|(d, g)| *g && pd.is(d))
                    };
                    p.iter().filter(|pd| !goes(pd)).cloned().collect()
                };
                (!rest.is_empty()).then(|| ProvisionRec {
                    voucher: v.number.clone(),
                    doses: rest,
                })
            });
            // A voucher of a subject goes with its subject; an unlinked one goes when emptied.
            let fate = match (n_kept, &v.subject) {
                (0, None) => VoucherFate::Remove,
                (0, Some(a)) => VoucherFate::Emptied(a.clone()),
                _ => {
                    let mut trimmed = v.clone();
                    let mut flags = going.iter();
                    trimmed.doses.retain(|_| !*flags.next().unwrap_or(&false));
                    VoucherFate::Trim(trimmed)
                }
            };
            (fate, provision)
        });
        Ok(JudgedVoucher {
            number: v.number,
            subject: v.subject,
            going: n_going,
            kept: n_kept,
            kept_counts,
            listed,
            change,
        })
    }
}

/// Judges every dose of `area` on `as_of`. `list` keeps the judged doses (for the retention
/// list); a purge passes `false` and keeps only what it changes.
///
/// The records are judged where they are decoded, on every core ([`Area::scan_map`]); only
/// the tallies and the lists are kept in order on the caller's thread.
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
    let provision_kind = RecordKind::NationalDbProvision;
    let mut provisions: HashMap<String, Vec<ProvidedDoseRec>> =
        HashMap::with_capacity(capacity(store.count(area.id, provision_kind.code())?));
    area.scan::<ProvisionRec>(store, provision_kind, |_, p| {
        provisions.insert(p.voucher, p.doses);
        Ok(true)
    })?;
    // Deaths only: most subjects have none, so the map stays small. A purge keeps the records
    // of the dead, who are most of those leaving: they are not read twice.
    // (The records sit in a list beside the map: a map of whole records is slow to grow.)
    let mut deaths: HashMap<String, Death> = HashMap::new();
    let mut dead: Vec<(RecordKey, SubjectRec)> = Vec::new();
    area.scan_map(
        store,
        RecordKind::Subject,
        |_, s: SubjectRec| {
            let death = s.flags.iter().find(|f| f.kind == 2).map(|f| f.date);
            Ok(death.map(|date| (date, s.addressee.clone(), (!list).then_some(s))))
        },
        |key, death| {
            if let Some((date, addressee, record)) = death {
                let record = record.map(|s| {
                    dead.push((key, s));
                    dead.len() - 1
                });
                deaths.insert(addressee, Death { date, record });
            }
            Ok(true)
        },
    )?;

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
        scratch: Scratch::default(),
    };
    let judge = Judge {
        policy,
        as_of,
        list,
        minimum,
        holds: &holds,
        deaths: &deaths,
        provisions: &provisions,
    };
    let voucher_kind = RecordKind::Voucher;
    let mut tallies: HashMap<String, Tally> =
        HashMap::with_capacity(capacity(store.count(area.id, voucher_kind.code())?));
    area.scan_map(
        store,
        voucher_kind,
        |_, v: VoucherRec| judge.voucher(v),
        |key, v| {
            out.kept.add(&v.kept_counts);
            for (held, dose) in v.listed {
                if held {
                    out.held.push(dose);
                } else {
                    out.eligible.push(dose);
                }
            }
            if let Some(a) = v.subject.as_ref() {
                // Looked up before inserting: the key is copied only for a subject's first
                // voucher.
                let t = match tallies.get_mut(a) {
                    Some(t) => t,
                    None => tallies.entry(a.clone()).or_default(),
                };
                t.going += v.going;
                t.kept += v.kept;
                t.vouchers += 1;
            }
            if v.going == 0 {
                return Ok(true);
            }
            out.doses_going += u64::from(v.going);
            if v.subject.is_none() && v.kept == 0 {
                out.vouchers_leaving += 1;
            }
            if let Some((fate, provision)) = v.change {
                if let Some(rest) = provision {
                    out.provisions.push((v.number.clone(), rest));
                }
                out.vouchers.push((key, v.number, fate));
            }
            Ok(true)
        },
    )?;

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
        // The dead kept from the scan are in key order already; the living are loaded in key
        // order (the B-tree is walked once, not sought at random), and the two lists merged.
        let mut goes = vec![false; dead.len()];
        let mut living: Vec<RecordKey> = Vec::new();
        for (addressee, _) in &leaving {
            match deaths.get(*addressee).and_then(|d| d.record) {
                Some(at) => goes[at] = true,
                None => living.push(area.key(RecordKind::Subject, addressee.as_bytes())),
            }
        }
        out.subjects = dead
            .into_iter()
            .zip(goes)
            .filter(|(_, goes)| *goes)
            .map(|(subject, _)| subject)
            .collect();
        if !living.is_empty() {
            living.sort_unstable();
            for key in living {
                if let Some(s) = area.load::<SubjectRec>(store, RecordKind::Subject, &key)? {
                    out.subjects.push((key, s));
                }
            }
            out.subjects.sort_by_key(|(key, _)| *key);
        }
    }
    drop(leaving);
    out.scratch = Scratch {
        _holds: holds,
        _deaths: deaths,
        _provisions: provisions,
        _tallies: tallies,
    };
    Ok(out)
}

/// A map's starting capacity for `records` entries (bounded: a count read from the store
/// reserves no more than a few million slots up front; the map grows past that if it must).
fn capacity(records: u64) -> usize {
    usize::try_from(records).unwrap_or(usize::MAX).min(4 << 20)
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
