//! Time as the host provides it: the library reads no clock of its own.

use std::sync::atomic::{AtomicI64, Ordering};

use crate::date::{Date, DateTime};

/// Seconds in a day.
const DAY: i64 = 86_400;

/// The current Japan time, from the host. The registry asks once per operation.
pub trait Clock: Send + Sync {
    /// Now, in Japan Standard Time.
    fn now(&self) -> DateTime;
}

/// A clock that stands still until moved: for tests, scenarios and batch runs with a fixed
/// processing date. Each reading can optionally advance it by a step.
///
/// ```
/// use vrs_core::registry::{Clock, FixedClock};
/// use vrs_core::date::{Date, DateTime};
/// let clock = FixedClock::new(DateTime::new(Date::new(2022, 3, 1)?, 9, 0, 0)?);
/// assert_eq!(clock.now().to_string(), "2022-03-01T09:00:00");
/// clock.set(DateTime::new(Date::new(2022, 3, 2)?, 9, 0, 0)?);
/// assert_eq!(clock.now().date, Date::new(2022, 3, 2)?);
/// # Ok::<(), vrs_core::date::DateError>(())
/// ```
#[derive(Debug)]
pub struct FixedClock {
    seconds: AtomicI64,
    step: i64,
}

impl FixedClock {
    /// A clock showing `at`.
    pub fn new(at: DateTime) -> FixedClock {
        FixedClock {
            seconds: AtomicI64::new(to_seconds(at)),
            step: 0,
        }
    }

    /// A clock showing `at` that advances `step` seconds after every reading (distinct,
    /// ordered timestamps in the audit log).
    pub fn ticking(at: DateTime, step: u32) -> FixedClock {
        FixedClock {
            seconds: AtomicI64::new(to_seconds(at)),
            step: i64::from(step),
        }
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: DateTime) {
        self.seconds.store(to_seconds(at), Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime {
        from_seconds(self.seconds.fetch_add(self.step, Ordering::SeqCst))
    }
}

/// Seconds since 1970-01-01T00:00:00 of the same wall-clock reading.
fn to_seconds(t: DateTime) -> i64 {
    i64::from(t.date.days_since_epoch()) * DAY
        + i64::from(t.hour) * 3600
        + i64::from(t.minute) * 60
        + i64::from(t.second)
}

/// The wall-clock reading `s` seconds after 1970-01-01T00:00:00 (clamped to the date range).
fn from_seconds(s: i64) -> DateTime {
    let days = i32::try_from(s.div_euclid(DAY)).unwrap_or(i32::MAX);
    let date =
        Date::from_days_since_epoch(days).unwrap_or(if days < 0 { Date::MIN } else { Date::MAX });
    let rest = s.rem_euclid(DAY);
    DateTime {
        date,
        hour: (rest / 3600) as u8,
        minute: (rest % 3600 / 60) as u8,
        second: (rest % 60) as u8,
    }
}

/// Japan time for a Unix timestamp (seconds since 1970-01-01T00:00:00Z): what a host's clock
/// adapter passes on (`SystemTime::now()` → seconds → this).
///
/// ```
/// use vrs_core::registry::jst_from_unix;
/// assert_eq!(jst_from_unix(0).to_string(), "1970-01-01T09:00:00");
/// ```
pub fn jst_from_unix(unix_seconds: i64) -> DateTime {
    from_seconds(unix_seconds.saturating_add(9 * 3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticking_clock_advances_and_seconds_round_trip() {
        let t = DateTime::new(Date::new(2024, 2, 29).unwrap(), 23, 59, 59).unwrap();
        let c = FixedClock::ticking(t, 1);
        assert_eq!(c.now(), t);
        assert_eq!(c.now().to_string(), "2024-03-01T00:00:00");
        assert_eq!(from_seconds(to_seconds(t)), t);
        assert_eq!(
            jst_from_unix(1_700_000_000).to_string(),
            "2023-11-15T07:13:20"
        );
    }
}
