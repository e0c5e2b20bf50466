//! Interval and age rules, and the programme window: rows of the vaccine tables.

use crate::date::{Date, DateError};

/// Minimum interval before dose `dose`, counted from the previous dose (N-1 → N).
///
/// Interval violations are warnings, not rejections: VRS records what happened.
///
/// ```
/// use vrs_core::date::Date;
/// use vrs_core::vaccine::{DoseNumber, VaccineTables};
/// let tables = VaccineTables::default();
/// let pfizer = tables.manufacturer_by_key("pfizer");
/// let rule = tables
///     .min_interval(DoseNumber::new(2)?, pfizer, Date::new(2021, 6, 1)?)
///     .unwrap();
/// assert_eq!(rule.min_days, Some(19));
/// assert_eq!(rule.earliest_after(Date::new(2021, 5, 10)?)?, Date::new(2021, 5, 29)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntervalRule {
    /// The later dose N (the interval runs from dose N-1 to dose N), 2..=9.
    pub dose: u8,
    /// Manufacturer key of dose N; `None` = any manufacturer (a generic rule).
    #[serde(default)]
    pub manufacturer: Option<String>,
    /// First vaccination date (of dose N) the rule applies to.
    pub valid_from: Date,
    /// Last vaccination date the rule applies to; `None` = open-ended.
    #[serde(default)]
    pub valid_to: Option<Date>,
    /// Minimum days after the previous dose.
    #[serde(default)]
    pub min_days: Option<u32>,
    /// Minimum months after the previous dose, counted with [`Date::add_months_jp`].
    #[serde(default)]
    pub min_months: Option<u32>,
    /// The reference's label, for example `CONFIRMED S22` or `ASSUMPTION`.
    pub source: String,
}

impl IntervalRule {
    /// Whether the rule is in force for a dose given on `vaccinated_on`.
    pub fn applies_on(&self, vaccinated_on: Date) -> bool {
        applies(self.valid_from, self.valid_to, vaccinated_on)
    }

    /// The earliest date dose N may be given after the previous dose on `previous`:
    /// `previous + min_days`, or `previous.add_months_jp(min_months)`; when both are
    /// set, the later of the two; when neither is, `previous`.
    pub fn earliest_after(&self, previous: Date) -> Result<Date, DateError> {
        let by_days = match self.min_days {
            Some(n) => Some(previous.add_days(i32::try_from(n).map_err(|_| DateError::Overflow)?)?),
            None => None,
        };
        let by_months = match self.min_months {
            Some(n) => Some(previous.add_months_jp(n)?),
            None => None,
        };
        Ok(match (by_days, by_months) {
            (Some(a), Some(b)) => a.max(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => previous,
        })
    }

    /// Whether a dose on `on` respects the interval after a dose on `previous`.
    /// A date computation outside years 1..=9999 counts as not met.
    pub fn is_met(&self, previous: Date, on: Date) -> bool {
        self.earliest_after(previous)
            .map(|earliest| on >= earliest)
            .unwrap_or(false)
    }
}

/// Minimum age on the vaccination day for doses in `doses`.
///
/// ```
/// use vrs_core::date::Date;
/// use vrs_core::vaccine::{DoseNumber, VaccineTables};
/// let tables = VaccineTables::default();
/// let pfizer = tables.manufacturer_by_key("pfizer");
/// let rule = tables.min_age(DoseNumber::new(1)?, pfizer, Date::new(2021, 7, 1)?).unwrap();
/// assert_eq!(rule.min_age_months, 12 * 12);
/// assert!(rule.is_met(Date::new(2009, 7, 1)?, Date::new(2021, 7, 1)?));
/// assert!(!rule.is_met(Date::new(2009, 7, 2)?, Date::new(2021, 7, 1)?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeRule {
    /// Dose numbers the rule covers, inclusive (for example `(1, 2)`).
    pub doses: (u8, u8),
    /// Manufacturer key; `None` = any manufacturer (a generic rule).
    #[serde(default)]
    pub manufacturer: Option<String>,
    /// First vaccination date the rule applies to.
    pub valid_from: Date,
    /// Last vaccination date the rule applies to; `None` = open-ended.
    #[serde(default)]
    pub valid_to: Option<Date>,
    /// Minimum age in full months on the vaccination day (12 years = 144).
    pub min_age_months: u32,
    /// The reference's label, for example `CONFIRMED S24` or `ASSUMPTION`.
    pub source: String,
}

impl AgeRule {
    /// Whether the rule is in force for a dose given on `vaccinated_on`.
    pub fn applies_on(&self, vaccinated_on: Date) -> bool {
        applies(self.valid_from, self.valid_to, vaccinated_on)
    }

    /// Whether the rule covers dose number `dose`.
    pub fn covers_dose(&self, dose: u8) -> bool {
        (self.doses.0..=self.doses.1).contains(&dose)
    }

    /// Whether a person born on `birth` is old enough on `on` (age in full months,
    /// counted as [`Date::age_in_months_on`] does). False if `on` is before `birth`.
    pub fn is_met(&self, birth: Date, on: Date) -> bool {
        birth
            .age_in_months_on(on)
            .is_some_and(|months| months >= self.min_age_months)
    }
}

/// The vaccination dates VRS covers: the special temporary vaccination programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeWindow {
    /// First day (2021-02-17, the first vaccinations in Japan) [CONFIRMED S35].
    pub start: Date,
    /// Last day (2024-03-31 by default, configurable); `None` = open-ended
    /// [CONFIRMED S28 for the programme end; ASSUMPTION that VRS stops there].
    #[serde(default)]
    pub end: Option<Date>,
}

impl ProgrammeWindow {
    /// Whether `date` lies inside the window.
    pub fn contains(&self, date: Date) -> bool {
        applies(self.start, self.end, date)
    }
}

fn applies(from: Date, to: Option<Date>, on: Date) -> bool {
    from <= on && to.is_none_or(|to| on <= to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: u16, m: u8, dd: u8) -> Date {
        Date::new(y, m, dd).unwrap()
    }

    fn interval(min_days: Option<u32>, min_months: Option<u32>) -> IntervalRule {
        IntervalRule {
            dose: 3,
            manufacturer: None,
            valid_from: d(2021, 12, 1),
            valid_to: Some(d(2022, 5, 24)),
            min_days,
            min_months,
            source: "TEST".into(),
        }
    }

    #[test]
    fn earliest_after_days_months_both_neither() {
        let prev = d(2021, 8, 31);
        assert_eq!(
            interval(Some(19), None).earliest_after(prev),
            Ok(d(2021, 9, 19))
        );
        assert_eq!(
            interval(None, Some(6)).earliest_after(prev),
            Ok(d(2022, 3, 1))
        );
        assert_eq!(
            interval(Some(200), Some(6)).earliest_after(prev),
            Ok(d(2022, 3, 19))
        );
        assert_eq!(
            interval(Some(10), Some(6)).earliest_after(prev),
            Ok(d(2022, 3, 1))
        );
        assert_eq!(interval(None, None).earliest_after(prev), Ok(prev));
        assert_eq!(
            interval(Some(u32::MAX), None).earliest_after(prev),
            Err(DateError::Overflow)
        );
        assert!(interval(None, Some(6)).is_met(prev, d(2022, 3, 1)));
        assert!(!interval(None, Some(6)).is_met(prev, d(2022, 2, 28)));
        assert!(!interval(Some(u32::MAX), None).is_met(prev, Date::MAX));
    }

    #[test]
    fn validity_windows() {
        let rule = interval(Some(1), None);
        assert!(!rule.applies_on(d(2021, 11, 30)));
        assert!(rule.applies_on(d(2021, 12, 1)));
        assert!(rule.applies_on(d(2022, 5, 24)));
        assert!(!rule.applies_on(d(2022, 5, 25)));
        let window = ProgrammeWindow {
            start: d(2021, 2, 17),
            end: None,
        };
        assert!(window.contains(d(2030, 1, 1)));
        assert!(!window.contains(d(2021, 2, 16)));
    }

    #[test]
    fn age_rule_is_met() {
        let rule = AgeRule {
            doses: (1, 3),
            manufacturer: Some("pfizer".into()),
            valid_from: d(2022, 10, 24),
            valid_to: None,
            min_age_months: 6,
            source: "TEST".into(),
        };
        assert!(rule.covers_dose(1) && rule.covers_dose(3) && !rule.covers_dose(4));
        let birth = d(2022, 4, 30);
        assert!(!rule.is_met(birth, d(2022, 10, 29)));
        assert!(rule.is_met(birth, d(2022, 10, 30)));
        assert!(!rule.is_met(birth, d(2022, 1, 1)));
        let end_of_month = d(2022, 8, 31);
        assert!(!rule.is_met(end_of_month, d(2023, 2, 28)));
        assert!(rule.is_met(end_of_month, d(2023, 3, 1)));
    }
}
