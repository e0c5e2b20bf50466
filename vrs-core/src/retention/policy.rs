//! [`RetentionPolicy`]: the dated, versioned retention rules as one JSON document.

use std::collections::HashSet;

use crate::date::Date;

use super::error::RetentionError;

/// The built-in policy (reference §8.2, §8.4), labelled rule by rule.
const DEFAULT_POLICY_JSON: &str = include_str!("default_retention.json");

/// How long the law keeps a dose record, as data: which rule applies to a dose is decided by the
/// date the question is asked (the as-of date) and the vaccination date.
///
/// A vendor replaces the built-in document with [`RetentionPolicy::from_json`] when a rule
/// changes (routine vaccinations moving to "death + 5 years", reference §8.4): a new rule is a
/// new row with its `in_force_from` date, not new code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "PolicyDocument")]
pub struct RetentionPolicy {
    /// The policy's version (the date of its latest rule, by convention).
    pub version: String,
    /// The first day the national immunization database accepts provisions: a provision dated
    /// earlier is refused.
    pub national_db_from: Date,
    /// Source label of `national_db_from`.
    pub national_db_source: String,
    /// Years provision- and inquiry-log entries are kept after the inquiry was answered
    /// (default 7, as My Number Act Art. 23 sets for its provision records); a purge removes
    /// older ones. Audit logs are kept whole.
    pub log_years: u16,
    /// Source label of `log_years`.
    pub log_source: String,
    /// The rules; see [`RetentionPolicy::rule_for`] for which one applies.
    pub rules: Vec<RetentionRule>,
}

/// One rule: for doses given in a date range, from the day it came into force, the record is kept
/// until every term has run out (the LATER of them).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionRule {
    /// Stable identifier, shown in retention lists (`art3-five-years`).
    pub id: String,
    /// What the rule is, naming the statute.
    pub title: String,
    /// First day the rule is law; `None` = always.
    #[serde(default)]
    pub in_force_from: Option<Date>,
    /// Last day the rule is law; `None` = still in force.
    #[serde(default)]
    pub in_force_until: Option<Date>,
    /// First vaccination date the rule covers; `None` = no lower bound.
    #[serde(default)]
    pub vaccinated_from: Option<Date>,
    /// Last vaccination date the rule covers; `None` = no upper bound.
    #[serde(default)]
    pub vaccinated_until: Option<Date>,
    /// The terms: the record is kept through the latest of their last days.
    pub terms: Vec<Term>,
    /// The reference's label (`CONFIRMED Sx`, `INFERRED Sx`, `ASSUMPTION`) and why.
    pub source: String,
}

/// One term of a rule: a day through which the record must be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Term {
    /// `years` years from the vaccination (Civil Code counting: ends on the vaccination's month
    /// and day, `years` later).
    YearsAfterVaccination {
        /// Number of years.
        years: u16,
    },
    /// `years` years counted from the day after the person's death. Unknown while no death is
    /// recorded: the record is kept.
    YearsAfterDeath {
        /// Number of years.
        years: u16,
    },
    /// Until the day the municipality provided the record to the national immunization database.
    /// Unknown until a provision is recorded: the record is kept.
    NationalDbProvision,
}

/// The JSON document, field for field; deserialised first, then validated.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyDocument {
    version: String,
    national_db_from: Date,
    national_db_source: String,
    log_years: u16,
    log_source: String,
    rules: Vec<RetentionRule>,
}

impl TryFrom<PolicyDocument> for RetentionPolicy {
    type Error = RetentionError;

    fn try_from(doc: PolicyDocument) -> Result<Self, RetentionError> {
        let policy = RetentionPolicy {
            version: doc.version,
            national_db_from: doc.national_db_from,
            national_db_source: doc.national_db_source,
            log_years: doc.log_years,
            log_source: doc.log_source,
            rules: doc.rules,
        };
        policy.validate()?;
        Ok(policy)
    }
}

impl Default for RetentionPolicy {
    /// The built-in policy from `default_retention.json`: Art. 3 (five years from the
    /// vaccination) and, from 2026-02-01, 附則第17条 for the COVID-19 special temporary
    /// vaccination.
    fn default() -> Self {
        // The built-in document is fixed at compile time and checked by the tests
        // (`default_policy_loads`), so this cannot fail at run time.
        #[allow(clippy::expect_used)]
        RetentionPolicy::from_json(DEFAULT_POLICY_JSON)
            .expect("built-in default_retention.json is valid (checked by tests)")
    }
}

fn within(from: Option<Date>, until: Option<Date>, day: Date) -> bool {
    from.is_none_or(|f| f <= day) && until.is_none_or(|u| day <= u)
}

impl RetentionPolicy {
    /// Reads a policy in the format of `default_retention.json` (unknown fields are errors,
    /// dates `YYYY-MM-DD`) and validates it.
    ///
    /// # Errors
    /// [`RetentionError::Json`], [`RetentionError::InvalidRule`].
    pub fn from_json(json: &str) -> Result<Self, RetentionError> {
        serde_json::from_str(json).map_err(|e| RetentionError::Json {
            message: e.to_string(),
        })
    }

    /// The policy as pretty-printed JSON, readable by [`RetentionPolicy::from_json`].
    ///
    /// # Errors
    /// [`RetentionError::Json`] (not expected: every field serialises).
    pub fn to_json(&self) -> Result<String, RetentionError> {
        serde_json::to_string_pretty(self).map_err(|e| RetentionError::Json {
            message: e.to_string(),
        })
    }

    /// Checks: a version; rule ids non-empty and unique; every rule has at least one term, no
    /// term of 0 years or more than 200; no range ending before it starts; `log_years` 1..=200.
    ///
    /// # Errors
    /// [`RetentionError::InvalidRule`] naming the first bad rule.
    pub fn validate(&self) -> Result<(), RetentionError> {
        if self.version.trim().is_empty() {
            return Err(RetentionError::InvalidPolicy("the version is empty".into()));
        }
        if !(1..=200).contains(&self.log_years) {
            return Err(RetentionError::InvalidPolicy(
                "log_years must be 1 to 200".into(),
            ));
        }
        let mut ids = HashSet::new();
        for (index, rule) in self.rules.iter().enumerate() {
            let bad = |problem: &str| {
                Err(RetentionError::InvalidRule {
                    index,
                    problem: problem.to_owned(),
                })
            };
            if rule.id.trim().is_empty() {
                return bad("the id is empty");
            }
            if !ids.insert(rule.id.as_str()) {
                return bad("the id appears twice");
            }
            if rule.terms.is_empty() {
                return bad("a rule needs at least one term");
            }
            let years_ok = |y: u16| (1..=200).contains(&y);
            if rule.terms.iter().any(|t| match t {
                Term::YearsAfterVaccination { years } | Term::YearsAfterDeath { years } => {
                    !years_ok(*years)
                }
                Term::NationalDbProvision => false,
            }) {
                return bad("a term's years must be 1 to 200");
            }
            if let (Some(f), Some(u)) = (rule.in_force_from, rule.in_force_until) {
                if u < f {
                    return bad("in_force_until is before in_force_from");
                }
            }
            if let (Some(f), Some(u)) = (rule.vaccinated_from, rule.vaccinated_until) {
                if u < f {
                    return bad("vaccinated_until is before vaccinated_from");
                }
            }
        }
        Ok(())
    }

    /// The rule that decides, on `as_of`, how long a dose given on `vaccinated_on` is kept: of
    /// the rules in force on `as_of` that cover the vaccination date, the one that came into
    /// force last (a later regulation overrides an earlier one for the records it names; for
    /// equal dates, the later row). `None` when no rule covers the dose: it is kept.
    pub fn rule_for(&self, vaccinated_on: Date, as_of: Date) -> Option<&RetentionRule> {
        self.rules
            .iter()
            .filter(|r| within(r.in_force_from, r.in_force_until, as_of))
            .filter(|r| within(r.vaccinated_from, r.vaccinated_until, vaccinated_on))
            .max_by_key(|r| r.in_force_from)
    }
}
