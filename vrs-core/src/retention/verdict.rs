//! Deciding one dose record: which rule, through which day it is kept, and why.

use crate::date::Date;

use super::counting::years_after;
use super::policy::{RetentionPolicy, RetentionRule, Term};

/// What is known about one dose record when its retention is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The vaccination date.
    pub vaccinated_on: Date,
    /// The person's date of death, if recorded.
    pub death: Option<Date>,
    /// The day the record was provided to the national database, if recorded.
    pub provided_on: Option<Date>,
    /// The municipality's own minimum, in years from the vaccination, if it set one.
    pub tenant_minimum_years: Option<u16>,
}

impl Facts {
    /// Facts of a dose with nothing else known (a file: no death, no provision, no minimum).
    pub fn dose(vaccinated_on: Date) -> Facts {
        Facts {
            vaccinated_on,
            death: None,
            provided_on: None,
            tenant_minimum_years: None,
        }
    }
}

/// Why a record cannot be deleted yet, or not at all for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Waiting {
    /// The rule counts from the death and none is recorded: the person is taken to be alive.
    pub death: bool,
    /// The rule waits for the provision to the national database, and none is recorded.
    pub provision: bool,
    /// No rule covers the dose (a policy without a catch-all rule).
    pub no_rule: bool,
}

impl Waiting {
    /// Whether anything is unknown (then the record is never eligible for now).
    pub fn any(self) -> bool {
        self.death || self.provision || self.no_rule
    }
}

/// The decision for one dose record on one as-of date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict<'a> {
    /// The rule in force on the as-of date for this dose (`None`: no rule covers it).
    pub rule: Option<&'a RetentionRule>,
    /// The last day the law keeps the record (the latest term); `None` while a term is unknown.
    pub law_retain_through: Option<Date>,
    /// The last day of the municipality's own minimum, if it set one.
    pub tenant_retain_through: Option<Date>,
    /// The first day the record may be deleted: the day after the later of the law's and the
    /// municipality's last day. `None`: not while something is unknown ([`Verdict::waiting`]).
    pub eligible_from: Option<Date>,
    /// What is unknown.
    pub waiting: Waiting,
}

impl Verdict<'_> {
    /// Whether the record may be deleted on `day` (a legal hold aside).
    pub fn eligible_on(&self, day: Date) -> bool {
        self.eligible_from.is_some_and(|e| e <= day)
    }
}

impl RetentionPolicy {
    /// Decides one dose record on `as_of`: the rule in force for it ([`RetentionPolicy::rule_for`]),
    /// the last day of each term, the LATER of them, then the municipality's minimum on top.
    ///
    /// Dates too far in the future to count (past year 9999) keep the record.
    ///
    /// ```
    /// use vrs_core::date::Date;
    /// use vrs_core::retention::{Facts, RetentionPolicy};
    /// let policy = RetentionPolicy::default();
    /// let dose = Facts::dose(Date::new(2021, 6, 10)?);
    /// // Before 2026-02-01 the five-year rule: deletable from 2026-06-11.
    /// let before = policy.verdict(&dose, Date::new(2026, 1, 31)?);
    /// assert_eq!(before.eligible_from, Some(Date::new(2026, 6, 11)?));
    /// // From 2026-02-01 附則第17条: a living person's COVID record is never deletable.
    /// let after = policy.verdict(&dose, Date::new(2026, 12, 1)?);
    /// assert_eq!(after.eligible_from, None);
    /// assert!(after.waiting.death && after.waiting.provision);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verdict(&self, facts: &Facts, as_of: Date) -> Verdict<'_> {
        let rule = self.rule_for(facts.vaccinated_on, as_of);
        let mut waiting = Waiting {
            no_rule: rule.is_none(),
            ..Waiting::default()
        };
        let mut law: Option<Date> = None;
        let mut overflow = false;
        for term in rule.map_or(&[][..], |r| r.terms.as_slice()) {
            let last_day = match *term {
                Term::YearsAfterVaccination { years } => {
                    years_after(facts.vaccinated_on, years).ok()
                }
                Term::YearsAfterDeath { years } => match facts.death {
                    Some(death) => years_after(death, years).ok(),
                    None => {
                        waiting.death = true;
                        continue;
                    }
                },
                Term::NationalDbProvision => match facts.provided_on {
                    Some(p) => Some(p),
                    None => {
                        waiting.provision = true;
                        continue;
                    }
                },
            };
            match last_day {
                Some(d) => law = law.max(Some(d)),
                None => overflow = true,
            }
        }
        let law_retain_through = law.filter(|_| !waiting.any() && !overflow);
        let tenant_retain_through = facts
            .tenant_minimum_years
            .and_then(|years| years_after(facts.vaccinated_on, years).ok());
        let tenant_overflow =
            facts.tenant_minimum_years.is_some() && tenant_retain_through.is_none();
        let eligible_from = law_retain_through
            .filter(|_| !tenant_overflow)
            .map(|l| l.max(tenant_retain_through.unwrap_or(l)))
            .and_then(|last| last.add_days(1).ok());
        Verdict {
            rule,
            law_retain_through,
            tenant_retain_through,
            eligible_from,
            waiting,
        }
    }
}
