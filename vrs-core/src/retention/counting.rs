//! Periods in years counted as the Civil Code counts them (民法 第140条, 第143条).
//!
//! - Art. 140: a period in days, weeks, months or years does not count its first day, unless it
//!   starts at midnight. "Five years from the vaccination" therefore starts on the day after the
//!   vaccination; "five years counted from the day after death" (死亡した日の翌日から起算して)
//!   names its first day outright: the day after death.
//! - Art. 143(2): a period not starting at the beginning of a year ends on the day before the day
//!   of the final year that corresponds to its first day (起算日に応当する日の前日); when the final
//!   month has no corresponding day (a first day of 29 February), it ends on that month's last day.
//!
//! A period ends at the end of its last day; the record may be deleted from the next day on.

use crate::date::{Date, DateError};

/// The last day of a period of `years` years whose first day is `first_day` (Art. 143(2)).
///
/// ```
/// use vrs_core::date::Date;
/// use vrs_core::retention::period_end;
/// // First day 2021-06-11 (the day after a vaccination on 2021-06-10): ends 2026-06-10.
/// assert_eq!(period_end(Date::new(2021, 6, 11)?, 5)?, Date::new(2026, 6, 10)?);
/// // First day 29 February 2028: 2033 has no 29 February, so the period ends on 28 February.
/// assert_eq!(period_end(Date::new(2028, 2, 29)?, 5)?, Date::new(2033, 2, 28)?);
/// # Ok::<(), vrs_core::date::DateError>(())
/// ```
///
/// # Errors
/// [`DateError`] when the end falls after 9999-12-31.
pub fn period_end(first_day: Date, years: u16) -> Result<Date, DateError> {
    let year = first_day
        .year()
        .checked_add(years)
        .ok_or(DateError::YearOutOfRange {
            year: i64::from(first_day.year()) + i64::from(years),
        })?;
    let month = first_day.month();
    match Date::new(year, month, first_day.day()) {
        // The corresponding day exists: the period ends the day before it.
        Ok(corresponding) => corresponding.add_days(-1),
        // No corresponding day in the final month (only 29 February): its last day.
        Err(_) => {
            let last = Date::days_in_month(year, month).unwrap_or(28);
            Date::new(year, month, last)
        }
    }
}

/// The last day a record must be kept when the law says "`years` years from `event`" (the
/// vaccination) or "`years` years counted from the day after `event`" (death): both periods
/// start on the day after the event.
///
/// # Errors
/// [`DateError`] out of the calendar's range.
pub fn years_after(event: Date, years: u16) -> Result<Date, DateError> {
    period_end(event.add_days(1)?, years)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: u16, m: u8, dd: u8) -> Date {
        Date::new(y, m, dd).unwrap()
    }

    #[test]
    fn periods_start_at_the_beginning_of_a_month_or_year_end_on_its_eve() {
        // Starts on 1 January: five calendar years, ending 31 December of the fifth.
        assert_eq!(period_end(d(2028, 1, 1), 5).unwrap(), d(2032, 12, 31));
        // Starts on 1 March after a leap day.
        assert_eq!(period_end(d(2024, 3, 1), 5).unwrap(), d(2029, 2, 28));
        assert_eq!(years_after(d(2026, 4, 30), 5).unwrap(), d(2031, 4, 30));
        assert!(period_end(d(9998, 1, 1), 5).is_err());
        // A vaccination on 28 February 1987: the period starts on 1 March and ends on the day
        // before 1 March 1992, the leap day (found by the property test below).
        assert_eq!(years_after(d(1987, 2, 28), 5).unwrap(), d(1992, 2, 29));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Counting from the day after an event ends on the event's month and day, five years
        /// later, 29 February falling back to 28 February: the §8.2 shortcut. One exception the
        /// shortcut misses: an event on 28 February whose final year is a leap year starts its
        /// period on 1 March, which ends the day before 1 March, on 29 February.
        #[test]
        fn the_shortcut_of_the_reference_agrees(days in 0i32..40_000) {
            let event = Date::from_days_since_epoch(days).unwrap();
            let end = years_after(event, 5).unwrap();
            let shortcut = event.add_years_clamped(5).unwrap();
            if event.month() == 2 && event.day() == 28 && Date::days_in_month(end.year(), 2) == Some(29) {
                prop_assert_eq!(end, shortcut.add_days(1).unwrap());
            } else {
                prop_assert_eq!(end, shortcut);
            }
        }
    }
}
