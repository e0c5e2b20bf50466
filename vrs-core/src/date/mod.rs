//! Dates as VRS files write them: `YYYYMMDD`, `YYYYMMDDHHMMSS`, and the Japanese era
//! calendar (和暦, for example 令和3年4月23日 or R03.04.23).
//!
//! * [`Date`]: a proleptic-Gregorian date, years 1..=9999, with the arithmetic the
//!   programme needs: day counts, "N months after" as municipalities count it
//!   ([`Date::add_months_jp`]), year offsets for retention ([`Date::add_years_clamped`])
//!   and ages ([`Date::age_on`], [`Date::age_in_months_on`]).
//! * [`DateTime`]: `YYYYMMDDHHMMSS` timestamps (24-hour clock, no zone).
//! * [`Era`], [`Wareki`], [`parse_wareki`]: the era table (data, not control flow),
//!   supported from 1873-01-01 (明治6年, the first solar-calendar day).
//!
//! The fixed-width parsers are strict and do not allocate: they run once per field of
//! every row of a file. Errors are [`DateError`], with English `Display` and
//! [`DateError::message_ja`].
//!
//! ```
//! use vrs_core::date::{parse_wareki, Date};
//!
//! let dose1 = Date::parse_yyyymmdd("20210831")?;
//! assert_eq!(dose1.add_months_jp(1)?, Date::parse_iso("2021-10-01")?);
//! assert_eq!(parse_wareki("令和3年8月31日")?, dose1);
//! # Ok::<(), vrs_core::date::DateError>(())
//! ```

mod civil;
mod error;
mod wareki;

pub use civil::{Date, DateTime, Weekday};
pub use error::{DateError, Expected};
pub use wareki::{parse_wareki, Era, Wareki};
