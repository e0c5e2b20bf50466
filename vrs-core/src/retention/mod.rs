//! How long a vaccination record must be kept, as a dated, versioned policy in data, and the
//! Civil Code counting behind it (reference §8).
//!
//! # The law, as the built-in policy reads it
//!
//! - **予防接種法施行規則 第3条** (Art. 3) [CONFIRMED S10]: the municipality keeps the record
//!   「当該定期の予防接種等を行つたときから五年間」 — five years from the vaccination. Counted
//!   under the Civil Code (Art. 140: the day of the vaccination is not counted; Art. 143(2): the
//!   period ends on the day before the day of the fifth year corresponding to its first day, or
//!   on the last day of the month when there is none) [INFERRED, §8.2]: a dose of 2021-06-10 is
//!   kept through 2026-06-10 and may be deleted from 2026-06-11; a dose of 2024-02-29 is kept
//!   through 2029-02-28.
//! - **附則第17条**, added by 令和8年厚生労働省令第6号, in force **2026-02-01** [CONFIRMED S60]:
//!   records of the COVID-19 special temporary vaccination given **2021-02-17 … 2024-03-31** are
//!   kept until the LATER of (a) 「死亡した日の翌日から起算して五年を経過する日」 — the day
//!   on which five years counted from the day after the person's death run out — and (b) the
//!   day the municipality provided them to the national immunization database
//!   (予防接種等関連情報データベース, operating from 2026-06-01).
//!
//! # Decisions (each a row or a field of `default_retention.json`, so each can be changed)
//!
//! - **"Five years counted from the day after death"**: the period's first day is the day after
//!   death (the statute says so; Art. 140 would give the same). By Art. 143(2) it ends on the
//!   day before the corresponding day five years later, i.e. on the **month and day of the
//!   death, five years later**; when the day after death is 29 February, the fifth year has no
//!   corresponding day and the period ends on the last day of February. 「経過する日」 is that
//!   last day (the day the period runs out), not the day after it. Death 2026-04-30: kept
//!   through 2031-04-30. Death 2027-12-31: the period starts on 1 January and ends on
//!   2032-12-31. Death 2028-02-28: first day 2028-02-29, ends 2033-02-28.
//! - **"The later of"**: the record is kept through the later of the two days, that day
//!   included; it may be deleted from the **next day** — the *eligible date* this module
//!   reports ([`Verdict::eligible_from`]). Death + 5 years ending 2031-06-10 and a provision on
//!   2031-07-01: deletable from 2031-07-02.
//! - **Unknown terms keep the record**: no death recorded means the person is taken to be alive;
//!   no provision recorded means not provided. Either way the record is never eligible.
//! - **Which rule**: the law in force on the as-of date decides
//!   ([`RetentionPolicy::rule_for`]). Before 2026-02-01 every dose falls under Art. 3; from
//!   then on, doses given 2021-02-17 … 2024-03-31 fall under 附則第17条 and the others under
//!   Art. 3. A naive "five years" would have made the first COVID records (given 2021-02-17)
//!   deletable on 2026-02-18: the amendment came first.
//! - **A floor**: the 附則第17条 row also keeps "five years from the vaccination" as a third
//!   term \[ASSUMPTION\]. With consistent data it changes nothing (a death is never before the
//!   vaccination); with a death date recorded before the vaccination (an L01 error) it stops
//!   the record from going earlier than Art. 3 would allow.
//! - **The municipality's minimum** ([`Facts::tenant_minimum_years`]): a municipality may keep
//!   records longer (Kodaira, Mito: 30 years; Abiko: 10) [CONFIRMED S63]. It is counted from the
//!   vaccination like Art. 3 [ASSUMPTION: a municipality counting from the end of the fiscal
//!   year sets one year more] and only ever lengthens the law's period.
//!
//! The library reports what is eligible; it never deletes on its own (reference §8.2). A legal
//! hold (registry) blocks deletion whatever the dates say.
//!
//! ```
//! use vrs_core::date::Date;
//! use vrs_core::retention::{Facts, RetentionPolicy};
//!
//! let policy = RetentionPolicy::default();
//! let facts = Facts {
//!     vaccinated_on: Date::new(2021, 7, 1)?,
//!     death: Some(Date::new(2026, 4, 30)?),
//!     provided_on: Some(Date::new(2026, 7, 1)?),
//!     tenant_minimum_years: None,
//! };
//! let v = policy.verdict(&facts, Date::new(2031, 5, 1)?);
//! assert_eq!(v.rule.map(|r| r.id.as_str()), Some("suppl-art17-covid"));
//! assert_eq!(v.eligible_from, Some(Date::new(2031, 5, 1)?));
//! assert!(v.eligible_on(Date::new(2031, 5, 1)?));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod counting;
mod error;
mod policy;
mod verdict;

pub use counting::{period_end, years_after};
pub use error::RetentionError;
pub use policy::{RetentionPolicy, RetentionRule, Term};
pub use verdict::{Facts, Verdict, Waiting};

#[cfg(test)]
mod table_tests;
