//! Vaccines as VRS records them: manufacturers and their accepted spellings, dose
//! numbers, lot numbers, and the interval and age rules, with effective dates.
//!
//! The rules are data: a JSON document deserialised into [`VaccineTables`]. The
//! built-in document (`default_tables.json`, reference §7) labels every row with its
//! source (`CONFIRMED Sx`, `INFERRED Sx` or `ASSUMPTION`); a vendor can replace it with
//! [`VaccineTables::from_json`]. Adding a manufacturer or a campaign period is a table
//! change, not new code.
//!
//! Interval, age and lot-shape findings are meant as warnings: VRS records what
//! actually happened. Only [`check_lot`] and [`DoseNumber`] reject input.
//!
//! ```
//! use vrs_core::date::Date;
//! use vrs_core::vaccine::{check_lot, DoseNumber, VaccineTables};
//!
//! let tables = VaccineTables::default();
//! let maker = tables.resolve_manufacturer("ファイザー").unwrap();
//! let lot = check_lot("ＦＪ７４８９")?;
//! assert!(tables.lot_matches_shape(maker, &lot));
//!
//! let dose2 = DoseNumber::parse("2")?;
//! let on = Date::new(2021, 6, 1)?;
//! let interval = tables.min_interval(dose2, Some(maker), on).unwrap();
//! assert!(interval.is_met(Date::new(2021, 5, 13)?, on)); // 19 days
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod dose;
mod error;
mod lot;
mod manufacturer;
mod rules;
mod tables;

pub use dose::DoseNumber;
pub use error::{TableProblem, VaccineError};
pub use lot::{check_lot, lot_has_shape, MAX_LOT_LEN};
pub use manufacturer::{ManufacturerId, ManufacturerSpec};
pub use rules::{AgeRule, IntervalRule, ProgrammeWindow};
pub use tables::VaccineTables;
