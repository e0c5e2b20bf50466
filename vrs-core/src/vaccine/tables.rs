//! [`VaccineTables`]: manufacturers, interval and age rules as one JSON document.

use std::cmp::Reverse;
use std::collections::HashMap;

use crate::date::Date;

use super::dose::DoseNumber;
use super::error::{TableProblem, VaccineError};
use super::lot::lot_has_shape;
use super::manufacturer::{normalise_spelling, ManufacturerId, ManufacturerSpec};
use super::rules::{AgeRule, IntervalRule, ProgrammeWindow};

/// The built-in tables (reference §7), labelled row by row.
const DEFAULT_TABLES_JSON: &str = include_str!("default_tables.json");

/// Manufacturers, interval rules, age rules and the programme window, as data.
///
/// The tables are a JSON document (see `default_tables.json` for the format);
/// [`VaccineTables::default`] loads the built-in one and [`VaccineTables::from_json`]
/// a vendor's replacement. Every row carries a `source` naming the reference's label
/// (`CONFIRMED Sx`, `INFERRED Sx`, `ASSUMPTION`).
///
/// Construction validates the rows and precomputes a lookup map of normalised
/// spellings, so [`VaccineTables::resolve_manufacturer`] is cheap per row. The fields
/// are public for reading; after changing them, call [`VaccineTables::rebuild`].
///
/// ```
/// use vrs_core::date::Date;
/// use vrs_core::vaccine::{DoseNumber, VaccineTables};
///
/// let tables = VaccineTables::default(); // parse once, share by reference
/// let moderna = tables.resolve_manufacturer("武田／モデルナ");
/// assert_eq!(moderna, tables.manufacturer_by_key("moderna"));
/// assert_eq!(tables.resolve_manufacturer(" pfizer "), tables.manufacturer_by_key("pfizer"));
/// assert_eq!(tables.resolve_manufacturer("unknown"), None);
///
/// // 3rd dose on 2022-06-01: 5 months after the 2nd.
/// let rule = tables.min_interval(DoseNumber::new(3)?, moderna, Date::new(2022, 6, 1)?).unwrap();
/// assert_eq!(rule.min_months, Some(5));
/// assert_eq!(rule.earliest_after(Date::new(2021, 12, 31)?)?, Date::new(2022, 5, 31)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "TablesDocument")]
pub struct VaccineTables {
    /// Manufacturers; a [`ManufacturerId`] is an index into this list.
    pub manufacturers: Vec<ManufacturerSpec>,
    /// Minimum intervals between consecutive doses.
    pub intervals: Vec<IntervalRule>,
    /// Minimum ages.
    pub ages: Vec<AgeRule>,
    /// Vaccination dates VRS covers.
    pub programme: ProgrammeWindow,
    /// Whether the primary series (doses 1-2) must use one manufacturer
    /// [CONFIRMED S24, S27].
    pub same_maker_primary_series: bool,
    /// Normalised spelling → manufacturer; rebuilt on every construction.
    #[serde(skip)]
    lookup: HashMap<String, ManufacturerId>,
    /// Rule indexes by dose number and manufacturer (`[n][m]`: the rules that can apply to
    /// dose `n` of maker slot `m`, see [`maker_slot`](Self::maker_slot)), best first, so a
    /// lookup returns the first rule in force on the date: a check of every dose of every
    /// row costs a comparison or two, not a scan of the table. Rebuilt with `lookup`.
    #[serde(skip)]
    intervals_by_dose: Vec<Vec<Vec<usize>>>,
    #[serde(skip)]
    ages_by_dose: Vec<Vec<Vec<usize>>>,
}

/// The JSON document, field for field; deserialised first, then validated.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TablesDocument {
    manufacturers: Vec<ManufacturerSpec>,
    intervals: Vec<IntervalRule>,
    ages: Vec<AgeRule>,
    programme: ProgrammeWindow,
    same_maker_primary_series: bool,
}

impl TryFrom<TablesDocument> for VaccineTables {
    type Error = VaccineError;

    fn try_from(doc: TablesDocument) -> Result<Self, VaccineError> {
        VaccineTables::new(
            doc.manufacturers,
            doc.intervals,
            doc.ages,
            doc.programme,
            doc.same_maker_primary_series,
        )
    }
}

impl PartialEq for VaccineTables {
    /// Compares the public tables (the lookup map is derived from them).
    fn eq(&self, other: &Self) -> bool {
        self.manufacturers == other.manufacturers
            && self.intervals == other.intervals
            && self.ages == other.ages
            && self.programme == other.programme
            && self.same_maker_primary_series == other.same_maker_primary_series
    }
}

impl Eq for VaccineTables {}

impl Default for VaccineTables {
    /// The built-in tables from `default_tables.json` (reference §7).
    ///
    /// Parses JSON on every call: build once and share.
    fn default() -> Self {
        // The built-in document is fixed at compile time and checked by the tests
        // (`default_tables_load`), so this cannot fail at run time.
        #[allow(clippy::expect_used)]
        VaccineTables::from_json(DEFAULT_TABLES_JSON)
            .expect("built-in default_tables.json is valid (checked by tests)")
    }
}

fn invalid(table: &'static str, index: usize, problem: TableProblem) -> VaccineError {
    VaccineError::InvalidTable {
        table,
        index,
        problem,
    }
}

impl VaccineTables {
    /// Builds and validates tables from their parts (see [`VaccineTables::rebuild`] for
    /// the checks).
    pub fn new(
        manufacturers: Vec<ManufacturerSpec>,
        intervals: Vec<IntervalRule>,
        ages: Vec<AgeRule>,
        programme: ProgrammeWindow,
        same_maker_primary_series: bool,
    ) -> Result<Self, VaccineError> {
        let mut tables = VaccineTables {
            manufacturers,
            intervals,
            ages,
            programme,
            same_maker_primary_series,
            lookup: HashMap::new(),
            intervals_by_dose: Vec::new(),
            ages_by_dose: Vec::new(),
        };
        tables.rebuild()?;
        Ok(tables)
    }

    /// Reads tables from a JSON document in the format of `default_tables.json`
    /// (unknown fields are errors; dates are `YYYY-MM-DD`) and validates them.
    pub fn from_json(json: &str) -> Result<Self, VaccineError> {
        let doc: TablesDocument = serde_json::from_str(json).map_err(|e| VaccineError::Json {
            message: e.to_string(),
        })?;
        VaccineTables::try_from(doc)
    }

    /// The tables as pretty-printed JSON, readable by [`VaccineTables::from_json`].
    pub fn to_json(&self) -> Result<String, VaccineError> {
        serde_json::to_string_pretty(self).map_err(|e| VaccineError::Json {
            message: e.to_string(),
        })
    }

    /// Validates the public fields and rebuilds the spelling lookup. Call it after
    /// changing the fields.
    ///
    /// Checks: manufacturer keys non-empty and unique; canonical names and spellings
    /// non-empty and not shared between manufacturers; lot shapes non-empty; interval
    /// doses 2..=9 and age doses 1..=9 in order; every referenced manufacturer key
    /// exists; no rule or programme ends before it starts; every interval rule has
    /// `min_days` or `min_months`. On error the lookup is left empty.
    pub fn rebuild(&mut self) -> Result<(), VaccineError> {
        self.lookup.clear();
        self.intervals_by_dose.clear();
        self.ages_by_dose.clear();
        let lookup = self.validate()?;
        self.lookup = lookup;
        let doses = usize::from(DoseNumber::MAX) + 1;
        let intervals = &self.intervals;
        self.intervals_by_dose = self.index_rules(
            doses,
            intervals.len(),
            |i, n| usize::from(intervals[i].dose) == n,
            |i| intervals[i].manufacturer.as_deref(),
            |i| {
                let r = &intervals[i];
                (Reverse(r.manufacturer.is_some()), Reverse(r.valid_from))
            },
        );
        let ages = &self.ages;
        self.ages_by_dose = self.index_rules(
            doses,
            ages.len(),
            |i, n| u8::try_from(n).is_ok_and(|n| ages[i].covers_dose(n)),
            |i| ages[i].manufacturer.as_deref(),
            |i| {
                (
                    Reverse(ages[i].manufacturer.is_some()),
                    ages[i].min_age_months,
                )
            },
        );
        Ok(())
    }

    /// `[n][slot]`: the indexes of the `count` rules that cover dose `n` (`covers(rule, n)`)
    /// and apply to the manufacturer of `slot` (`maker(rule)`: the rule's manufacturer key,
    /// `None` for a generic rule), ordered best first by `rank`. The sort is stable, so
    /// equally good rules keep their table order (the first one wins).
    fn index_rules<'t, K: Ord>(
        &self,
        doses: usize,
        count: usize,
        covers: impl Fn(usize, usize) -> bool,
        maker: impl Fn(usize) -> Option<&'t str>,
        rank: impl Fn(usize) -> K,
    ) -> Vec<Vec<Vec<usize>>> {
        (0..doses)
            .map(|n| {
                (0..=self.manufacturers.len())
                    .map(|slot| {
                        let key = self.key_of(Self::slot_maker(slot));
                        let mut rules: Vec<usize> = (0..count)
                            .filter(|&i| covers(i, n) && maker_matches(maker(i), key))
                            .collect();
                        rules.sort_by_key(|&i| rank(i));
                        rules
                    })
                    .collect()
            })
            .collect()
    }

    /// The index slot of a manufacturer in the rule indexes: 0 for none (or an unknown id).
    fn maker_slot(&self, maker: Option<ManufacturerId>) -> usize {
        maker
            .map(|id| usize::from(id.0))
            .filter(|i| *i < self.manufacturers.len())
            .map_or(0, |i| i + 1)
    }

    /// The manufacturer of index slot `slot`.
    fn slot_maker(slot: usize) -> Option<ManufacturerId> {
        slot.checked_sub(1)
            .and_then(|i| u16::try_from(i).ok())
            .map(ManufacturerId)
    }

    fn validate(&self) -> Result<HashMap<String, ManufacturerId>, VaccineError> {
        let mut lookup: HashMap<String, ManufacturerId> = HashMap::new();
        for (index, spec) in self.manufacturers.iter().enumerate() {
            let table = "manufacturers";
            let id = u16::try_from(index)
                .map(ManufacturerId)
                .map_err(|_| invalid(table, index, TableProblem::TooManyManufacturers))?;
            if spec.key.trim().is_empty() {
                return Err(invalid(table, index, TableProblem::EmptyKey));
            }
            if self.manufacturers[..index]
                .iter()
                .any(|m| m.key == spec.key)
            {
                return Err(VaccineError::DuplicateKey {
                    key: spec.key.clone(),
                });
            }
            if spec.lot_shapes.iter().any(String::is_empty) {
                return Err(invalid(table, index, TableProblem::EmptyLotShape));
            }
            let names = std::iter::once(&spec.canonical)
                .chain(std::iter::once(&spec.name_en))
                .chain(spec.spellings.iter());
            for name in names {
                let normalised = normalise_spelling(name);
                if normalised.is_empty() {
                    return Err(invalid(table, index, TableProblem::EmptyName));
                }
                match lookup.get(normalised.as_ref()) {
                    Some(&other) if other != id => {
                        let first = self
                            .manufacturer(other)
                            .map(|m| m.key.clone())
                            .unwrap_or_default();
                        return Err(VaccineError::DuplicateSpelling {
                            spelling: normalised.into_owned(),
                            first,
                            second: spec.key.clone(),
                        });
                    }
                    Some(_) => {}
                    None => {
                        lookup.insert(normalised.into_owned(), id);
                    }
                }
            }
        }
        let check_key = |key: &Option<String>| -> Result<(), VaccineError> {
            match key {
                Some(k) if self.manufacturer_by_key(k).is_none() => {
                    Err(VaccineError::UnknownManufacturerKey { key: k.clone() })
                }
                _ => Ok(()),
            }
        };
        for (index, rule) in self.intervals.iter().enumerate() {
            let table = "intervals";
            if !(2..=DoseNumber::MAX).contains(&rule.dose) {
                return Err(invalid(
                    table,
                    index,
                    TableProblem::DoseOutOfRange { dose: rule.dose },
                ));
            }
            check_key(&rule.manufacturer)?;
            if rule.valid_to.is_some_and(|to| to < rule.valid_from) {
                return Err(invalid(table, index, TableProblem::EndBeforeStart));
            }
            if rule.min_days.is_none() && rule.min_months.is_none() {
                return Err(invalid(table, index, TableProblem::IntervalMissing));
            }
        }
        for (index, rule) in self.ages.iter().enumerate() {
            let table = "ages";
            for dose in [rule.doses.0, rule.doses.1] {
                if !(DoseNumber::MIN..=DoseNumber::MAX).contains(&dose) {
                    return Err(invalid(table, index, TableProblem::DoseOutOfRange { dose }));
                }
            }
            if rule.doses.1 < rule.doses.0 {
                return Err(invalid(table, index, TableProblem::DoseRangeReversed));
            }
            check_key(&rule.manufacturer)?;
            if rule.valid_to.is_some_and(|to| to < rule.valid_from) {
                return Err(invalid(table, index, TableProblem::EndBeforeStart));
            }
        }
        if self
            .programme
            .end
            .is_some_and(|end| end < self.programme.start)
        {
            return Err(invalid("programme", 0, TableProblem::EndBeforeStart));
        }
        Ok(lookup)
    }

    /// Finds the manufacturer for a spelling found in a file.
    ///
    /// Matches the canonical name, the English name or any listed spelling, after
    /// trimming whitespace, folding full-width ASCII (`／` equals `/`, `ＰＦＩＺＥＲ`
    /// equals `PFIZER`) and ignoring Latin case. Does not allocate for input that is
    /// already in normalised form (for example the canonical strings).
    pub fn resolve_manufacturer(&self, s: &str) -> Option<ManufacturerId> {
        let trimmed = s.trim();
        if let Some(&id) = self.lookup.get(trimmed) {
            return Some(id);
        }
        match normalise_spelling(trimmed) {
            std::borrow::Cow::Owned(normalised) => self.lookup.get(&normalised).copied(),
            std::borrow::Cow::Borrowed(_) => None,
        }
    }

    /// The manufacturer with this id, if the id belongs to these tables.
    pub fn manufacturer(&self, id: ManufacturerId) -> Option<&ManufacturerSpec> {
        self.manufacturers.get(usize::from(id.0))
    }

    /// The id of the manufacturer with this exact key (for example `pfizer`).
    pub fn manufacturer_by_key(&self, key: &str) -> Option<ManufacturerId> {
        self.manufacturers
            .iter()
            .position(|m| m.key == key)
            .and_then(|i| u16::try_from(i).ok())
            .map(ManufacturerId)
    }

    fn key_of(&self, maker: Option<ManufacturerId>) -> Option<&str> {
        maker
            .and_then(|id| self.manufacturer(id))
            .map(|m| m.key.as_str())
    }

    /// The minimum-interval rule for dose `dose` given on `vaccinated_on`.
    ///
    /// Among the rules for that dose in force on that date, a rule for the given
    /// manufacturer beats a generic one (`manufacturer: null`); among equally specific
    /// rules, the one that started latest wins, then the first in the table. With
    /// `maker` = `None` only generic rules apply. `None` if no rule applies.
    pub fn min_interval(
        &self,
        dose: DoseNumber,
        maker: Option<ManufacturerId>,
        vaccinated_on: Date,
    ) -> Option<&IntervalRule> {
        self.intervals_by_dose
            .get(usize::from(dose.get()))
            .and_then(|by_maker| by_maker.get(self.maker_slot(maker)))
            .into_iter()
            .flatten()
            .filter_map(|&i| self.intervals.get(i))
            .find(|r| r.applies_on(vaccinated_on))
    }

    /// The minimum-age rule for dose `dose` given on `vaccinated_on`.
    ///
    /// A rule for the given manufacturer beats a generic one. Among equally specific
    /// rules the lowest minimum age wins, because one manufacturer string covers
    /// several formulations (Pfizer: 12+, 5-11 and 6 months-4 years). With `maker` =
    /// `None` only generic rules apply. `None` if no rule applies.
    pub fn min_age(
        &self,
        dose: DoseNumber,
        maker: Option<ManufacturerId>,
        vaccinated_on: Date,
    ) -> Option<&AgeRule> {
        self.ages_by_dose
            .get(usize::from(dose.get()))
            .and_then(|by_maker| by_maker.get(self.maker_slot(maker)))
            .into_iter()
            .flatten()
            .filter_map(|&i| self.ages.get(i))
            .find(|r| r.applies_on(vaccinated_on))
    }

    /// Whether `lot` has one of the manufacturer's expected shapes (see
    /// [`ManufacturerSpec::lot_shapes`]). True when the manufacturer lists no shapes or
    /// the id is not in these tables (nothing to check against). Pass a lot that has
    /// passed [`check_lot`](super::check_lot).
    pub fn lot_matches_shape(&self, maker: ManufacturerId, lot: &str) -> bool {
        match self.manufacturer(maker) {
            Some(spec) => {
                spec.lot_shapes.is_empty()
                    || spec
                        .lot_shapes
                        .iter()
                        .any(|shape| lot_has_shape(lot, shape))
            }
            None => true,
        }
    }
}

/// Whether a rule for `rule_key` (None = generic) applies to a dose by `maker_key`.
fn maker_matches(rule_key: Option<&str>, maker_key: Option<&str>) -> bool {
    match rule_key {
        None => true,
        Some(k) => maker_key == Some(k),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: u16, m: u8, dd: u8) -> Date {
        Date::new(y, m, dd).unwrap()
    }

    fn dose(n: u8) -> DoseNumber {
        DoseNumber::new(n).unwrap()
    }

    /// The rule lookups as the tables define them: every rule in force, best by specificity,
    /// then by start date (intervals) or minimum age (ages), then table order.
    #[test]
    fn indexed_lookups_pick_the_rule_a_full_scan_picks() {
        let t = tables();
        let makers = (0..=t.manufacturers.len() as u16).map(|i| Some(ManufacturerId(i)));
        let makers: Vec<Option<ManufacturerId>> = std::iter::once(None).chain(makers).collect();
        let mut day = d(2020, 1, 1);
        while day < d(2027, 1, 1) {
            for n in 1..=DoseNumber::MAX {
                for maker in &makers {
                    let key = t.key_of(*maker);
                    let interval = t
                        .intervals
                        .iter()
                        .filter(|r| r.dose == n && r.applies_on(day))
                        .filter(|r| maker_matches(r.manufacturer.as_deref(), key))
                        .min_by_key(|r| (Reverse(r.manufacturer.is_some()), Reverse(r.valid_from)));
                    let got = t.min_interval(dose(n), *maker, day);
                    assert_eq!(got.map(|r| r as *const _), interval.map(|r| r as *const _));
                    let age = t
                        .ages
                        .iter()
                        .filter(|r| r.covers_dose(n) && r.applies_on(day))
                        .filter(|r| maker_matches(r.manufacturer.as_deref(), key))
                        .min_by_key(|r| (Reverse(r.manufacturer.is_some()), r.min_age_months));
                    let got = t.min_age(dose(n), *maker, day);
                    assert_eq!(got.map(|r| r as *const _), age.map(|r| r as *const _));
                }
            }
            day = day.add_days(5).unwrap();
        }
    }

    fn tables() -> VaccineTables {
        VaccineTables::default()
    }

    fn id(t: &VaccineTables, key: &str) -> ManufacturerId {
        t.manufacturer_by_key(key).unwrap()
    }

    #[test]
    fn default_tables_load() {
        let t = VaccineTables::from_json(DEFAULT_TABLES_JSON).unwrap();
        assert_eq!(t.manufacturers.len(), 5);
        assert!(t.same_maker_primary_series);
        assert_eq!(t.programme.start, d(2021, 2, 17));
        assert_eq!(t.programme.end, Some(d(2024, 3, 31)));
        for rule in &t.intervals {
            assert!(!rule.source.is_empty());
        }
        for rule in &t.ages {
            assert!(!rule.source.is_empty());
        }
        for spec in &t.manufacturers {
            assert!(!spec.source.is_empty());
        }
        let labels = ["CONFIRMED", "INFERRED", "ASSUMPTION"];
        let all_sources = t
            .manufacturers
            .iter()
            .map(|m| &m.source)
            .chain(t.intervals.iter().map(|r| &r.source))
            .chain(t.ages.iter().map(|r| &r.source));
        for source in all_sources {
            assert!(labels.iter().any(|l| source.starts_with(l)), "{source}");
        }
    }

    #[test]
    fn resolve_every_spelling() {
        let t = tables();
        let cases: &[(&str, &[&str])] = &[
            (
                "pfizer",
                &[
                    "ファイザー",
                    "Pfizer",
                    "ファイザー社",
                    "コミナティ",
                    " pfizer ",
                    "PFIZER",
                    "ＰＦＩＺＥＲ",
                    "\u{3000}ファイザー\u{3000}",
                    "comirnaty",
                ],
            ),
            (
                "moderna",
                &[
                    "武田/モデルナ",
                    "モデルナ",
                    "Moderna",
                    "武田／モデルナ",
                    "スパイクバックス",
                    "Takeda/Moderna",
                    "takeda／moderna",
                    "Ｍｏｄｅｒｎａ",
                    "Spikevax",
                ],
            ),
            (
                "astrazeneca",
                &[
                    "アストラゼネカ",
                    "AstraZeneca",
                    "バキスゼブリア",
                    "astrazeneca",
                    "Vaxzevria",
                ],
            ),
            (
                "novavax",
                &[
                    "武田/ノババックス",
                    "武田／ノババックス",
                    "ノババックス",
                    "Novavax",
                    "ヌバキソビッド",
                    "Takeda/Novavax",
                    "Nuvaxovid",
                ],
            ),
            (
                "daiichi_sankyo",
                &[
                    "第一三共",
                    "Daiichi Sankyo",
                    "ダイチロナ",
                    "DAIICHI SANKYO",
                    "Daichirona",
                ],
            ),
        ];
        for (key, spellings) in cases {
            let want = Some(id(&t, key));
            for s in *spellings {
                assert_eq!(t.resolve_manufacturer(s), want, "{s:?}");
            }
        }
        for s in [
            "",
            " ",
            "Unknown",
            "ファイザ",
            "モデルナ社X",
            "pfizer moderna",
            "sinovac",
        ] {
            assert_eq!(t.resolve_manufacturer(s), None, "{s:?}");
        }
        assert_eq!(
            t.manufacturer(id(&t, "pfizer")).unwrap().canonical,
            "ファイザー"
        );
        assert_eq!(t.manufacturer(ManufacturerId(99)), None);
        assert_eq!(t.manufacturer_by_key("Pfizer"), None);
    }

    #[test]
    fn intervals_for_dose_two() {
        let t = tables();
        let on = d(2021, 6, 1);
        let days = |key: &str| {
            t.min_interval(dose(2), Some(id(&t, key)), on)
                .and_then(|r| r.min_days)
        };
        assert_eq!(days("pfizer"), Some(19));
        assert_eq!(days("moderna"), Some(27));
        assert_eq!(days("novavax"), Some(19));
        assert_eq!(days("astrazeneca"), Some(28));
        assert_eq!(days("daiichi_sankyo"), None);
        assert_eq!(t.min_interval(dose(2), None, on), None);
        assert_eq!(
            t.min_interval(dose(2), Some(id(&t, "pfizer")), d(2021, 2, 16)),
            None
        );
        let rule = t.min_interval(dose(2), Some(id(&t, "pfizer")), on).unwrap();
        assert!(rule.source.starts_with("CONFIRMED S22"));
        assert_eq!(rule.earliest_after(d(2021, 5, 1)), Ok(d(2021, 5, 20)));
        assert!(!rule.is_met(d(2021, 5, 1), d(2021, 5, 19)));
        assert!(rule.is_met(d(2021, 5, 1), d(2021, 5, 20)));
        let moderna = t
            .min_interval(dose(2), Some(id(&t, "moderna")), on)
            .unwrap();
        assert!(moderna.source.starts_with("ASSUMPTION"));
    }

    #[test]
    fn booster_intervals_by_period() {
        let t = tables();
        let pfizer = Some(id(&t, "pfizer"));
        let months = |n: u8, maker: Option<ManufacturerId>, on: Date| {
            t.min_interval(dose(n), maker, on)
                .and_then(|r| r.min_months)
        };
        assert_eq!(months(3, pfizer, d(2021, 11, 30)), None);
        assert_eq!(months(3, pfizer, d(2021, 12, 1)), Some(6));
        assert_eq!(months(3, pfizer, d(2022, 5, 24)), Some(6));
        assert_eq!(months(3, pfizer, d(2022, 5, 25)), Some(5));
        assert_eq!(months(4, pfizer, d(2022, 7, 1)), Some(5));
        assert_eq!(months(4, pfizer, d(2022, 10, 20)), Some(5));
        assert_eq!(months(5, pfizer, d(2022, 10, 21)), Some(3));
        assert_eq!(months(9, pfizer, d(2024, 3, 1)), Some(3));
        assert_eq!(months(5, None, d(2023, 1, 1)), Some(3));
        let novavax = Some(id(&t, "novavax"));
        assert_eq!(months(3, novavax, d(2022, 6, 1)), Some(6));
        assert_eq!(months(4, novavax, d(2023, 1, 1)), Some(6));
        let rule = t.min_interval(dose(3), pfizer, d(2022, 1, 31)).unwrap();
        // 6 months after 2021-08-31 would be 2022-02-31, which does not exist: 2022-03-01.
        assert_eq!(rule.earliest_after(d(2021, 8, 31)), Ok(d(2022, 3, 1)));
    }

    #[test]
    fn age_rules() {
        let t = tables();
        let age = |n: u8, key: Option<&str>, on: Date| {
            t.min_age(dose(n), key.map(|k| id(&t, k)), on)
                .map(|r| r.min_age_months)
        };
        assert_eq!(age(1, Some("pfizer"), d(2021, 2, 17)), Some(192));
        assert_eq!(age(1, Some("pfizer"), d(2021, 5, 31)), Some(192));
        assert_eq!(age(2, Some("pfizer"), d(2021, 6, 1)), Some(144));
        assert_eq!(age(1, Some("moderna"), d(2021, 7, 15)), Some(216));
        assert_eq!(age(1, Some("moderna"), d(2021, 7, 16)), Some(144));
        assert_eq!(age(1, Some("astrazeneca"), d(2021, 9, 1)), Some(216));
        assert_eq!(age(2, Some("novavax"), d(2022, 6, 1)), Some(144));
        assert_eq!(age(1, Some("pfizer"), d(2021, 2, 16)), None);
        assert_eq!(age(1, None, d(2021, 7, 1)), None);
        // Boosters: generic rule.
        assert_eq!(age(3, Some("moderna"), d(2021, 12, 1)), Some(216));
        assert_eq!(age(3, Some("moderna"), d(2022, 3, 24)), Some(216));
        assert_eq!(age(3, Some("moderna"), d(2022, 3, 25)), Some(144));
        assert_eq!(age(3, Some("pfizer"), d(2021, 11, 30)), None);
        assert_eq!(age(4, None, d(2022, 6, 1)), Some(144));
        // Pfizer paediatric and infant formulations.
        assert_eq!(age(1, Some("pfizer"), d(2022, 2, 20)), Some(144));
        assert_eq!(age(1, Some("pfizer"), d(2022, 2, 21)), Some(60));
        assert_eq!(age(3, Some("pfizer"), d(2022, 3, 1)), Some(216));
        assert_eq!(age(3, Some("pfizer"), d(2022, 4, 1)), Some(144));
        assert_eq!(age(3, Some("pfizer"), d(2022, 9, 6)), Some(60));
        assert_eq!(age(1, Some("pfizer"), d(2022, 10, 24)), Some(6));
        assert_eq!(age(3, Some("pfizer"), d(2022, 10, 24)), Some(6));
        assert_eq!(age(4, Some("pfizer"), d(2022, 10, 24)), Some(144));
        assert_eq!(age(1, Some("moderna"), d(2022, 10, 24)), Some(144));

        let rule = t
            .min_age(dose(1), Some(id(&t, "pfizer")), d(2021, 6, 10))
            .unwrap();
        assert!(rule.is_met(d(2009, 6, 10), d(2021, 6, 10)));
        assert!(!rule.is_met(d(2009, 6, 11), d(2021, 6, 10)));
        let infant = t
            .min_age(dose(1), Some(id(&t, "pfizer")), d(2022, 11, 1))
            .unwrap();
        assert!(infant.is_met(d(2022, 5, 1), d(2022, 11, 1)));
        assert!(!infant.is_met(d(2022, 5, 2), d(2022, 11, 1)));
    }

    #[test]
    fn lot_shapes_per_maker() {
        let t = tables();
        let pfizer = id(&t, "pfizer");
        let moderna = id(&t, "moderna");
        let az = id(&t, "astrazeneca");
        assert!(t.lot_matches_shape(pfizer, "FJ7489"));
        assert!(!t.lot_matches_shape(pfizer, "3004667"));
        assert!(t.lot_matches_shape(moderna, "3004667"));
        assert!(t.lot_matches_shape(moderna, "082E21A"));
        assert!(!t.lot_matches_shape(moderna, "FJ7489"));
        assert!(t.lot_matches_shape(az, "anything-goes"));
        assert!(t.lot_matches_shape(ManufacturerId(999), "X"));
    }

    #[test]
    fn json_round_trip() {
        let t = tables();
        let json = t.to_json().unwrap();
        let back = VaccineTables::from_json(&json).unwrap();
        assert_eq!(back, t);
        assert_eq!(
            back.resolve_manufacturer("武田／モデルナ"),
            t.manufacturer_by_key("moderna")
        );
        // Plain serde also validates and rebuilds the lookup.
        let via_serde: VaccineTables = serde_json::from_str(&json).unwrap();
        assert_eq!(via_serde, t);
        assert_eq!(
            via_serde.resolve_manufacturer(" pfizer "),
            t.manufacturer_by_key("pfizer")
        );
        let compact = serde_json::to_string(&t).unwrap();
        assert!(!compact.contains("lookup"));
        assert_eq!(VaccineTables::from_json(&compact).unwrap(), t);
    }

    fn edit(f: impl FnOnce(&mut serde_json::Value)) -> Result<VaccineTables, VaccineError> {
        let mut v: serde_json::Value = serde_json::from_str(DEFAULT_TABLES_JSON).unwrap();
        f(&mut v);
        VaccineTables::from_json(&v.to_string())
    }

    #[test]
    fn from_json_validates() {
        assert!(matches!(
            VaccineTables::from_json("{"),
            Err(VaccineError::Json { .. })
        ));
        assert!(matches!(
            VaccineTables::from_json("[]"),
            Err(VaccineError::Json { .. })
        ));
        assert_eq!(
            edit(|v| v["manufacturers"][1]["key"] = "pfizer".into()),
            Err(VaccineError::DuplicateKey {
                key: "pfizer".into()
            })
        );
        assert_eq!(
            edit(|v| v["intervals"][0]["manufacturer"] = "sinovac".into()),
            Err(VaccineError::UnknownManufacturerKey {
                key: "sinovac".into()
            })
        );
        assert_eq!(
            edit(|v| v["ages"][0]["manufacturer"] = "sinovac".into()),
            Err(VaccineError::UnknownManufacturerKey {
                key: "sinovac".into()
            })
        );
        assert_eq!(
            edit(|v| v["manufacturers"][1]["spellings"][0] = "PFIZER".into()),
            Err(VaccineError::DuplicateSpelling {
                spelling: "pfizer".into(),
                first: "pfizer".into(),
                second: "moderna".into()
            })
        );
        assert_eq!(
            edit(|v| v["manufacturers"][0]["key"] = "".into()),
            Err(VaccineError::InvalidTable {
                table: "manufacturers",
                index: 0,
                problem: TableProblem::EmptyKey
            })
        );
        assert_eq!(
            edit(|v| v["manufacturers"][2]["spellings"][0] = " ".into()),
            Err(VaccineError::InvalidTable {
                table: "manufacturers",
                index: 2,
                problem: TableProblem::EmptyName
            })
        );
        assert_eq!(
            edit(|v| v["manufacturers"][0]["lot_shapes"][0] = "".into()),
            Err(VaccineError::InvalidTable {
                table: "manufacturers",
                index: 0,
                problem: TableProblem::EmptyLotShape
            })
        );
        assert_eq!(
            edit(|v| v["intervals"][1]["dose"] = 1.into()),
            Err(VaccineError::InvalidTable {
                table: "intervals",
                index: 1,
                problem: TableProblem::DoseOutOfRange { dose: 1 }
            })
        );
        assert_eq!(
            edit(|v| v["intervals"][1]["valid_to"] = "2020-01-01".into()),
            Err(VaccineError::InvalidTable {
                table: "intervals",
                index: 1,
                problem: TableProblem::EndBeforeStart
            })
        );
        assert_eq!(
            edit(|v| v["intervals"][1]["min_days"] = serde_json::Value::Null),
            Err(VaccineError::InvalidTable {
                table: "intervals",
                index: 1,
                problem: TableProblem::IntervalMissing
            })
        );
        assert_eq!(
            edit(|v| v["ages"][2]["doses"] = serde_json::json!([3, 2])),
            Err(VaccineError::InvalidTable {
                table: "ages",
                index: 2,
                problem: TableProblem::DoseRangeReversed
            })
        );
        assert_eq!(
            edit(|v| v["ages"][2]["doses"] = serde_json::json!([0, 2])),
            Err(VaccineError::InvalidTable {
                table: "ages",
                index: 2,
                problem: TableProblem::DoseOutOfRange { dose: 0 }
            })
        );
        assert_eq!(
            edit(|v| v["programme"]["end"] = "2020-01-01".into()),
            Err(VaccineError::InvalidTable {
                table: "programme",
                index: 0,
                problem: TableProblem::EndBeforeStart
            })
        );
        // Unknown fields and bad dates are JSON errors.
        let unknown = edit(|v| v["intervals"][0]["min_weeks"] = 3.into());
        assert!(
            matches!(&unknown, Err(VaccineError::Json { message }) if message.contains("min_weeks")),
            "{unknown:?}"
        );
        let bad_date = edit(|v| v["ages"][0]["valid_from"] = "2021-02-30".into());
        assert!(
            matches!(&bad_date, Err(VaccineError::Json { message }) if message.contains("day 30 does not exist")),
            "{bad_date:?}"
        );
        // Optional fields may be omitted.
        let t = edit(|v| {
            let rule = v["intervals"][0].as_object_mut().unwrap();
            rule.remove("valid_to");
            rule.remove("min_months");
            v["programme"].as_object_mut().unwrap().remove("end");
        })
        .unwrap();
        assert_eq!(t.programme.end, None);
        // Plain serde reports validation errors too.
        let mut v: serde_json::Value = serde_json::from_str(DEFAULT_TABLES_JSON).unwrap();
        v["manufacturers"][1]["key"] = "pfizer".into();
        let err = serde_json::from_value::<VaccineTables>(v).unwrap_err();
        assert!(err.to_string().contains("appears more than once"), "{err}");
    }

    #[test]
    fn vendor_tables_and_rebuild() {
        let mut t = tables();
        t.manufacturers.push(ManufacturerSpec {
            key: "sinovac".into(),
            canonical: "シノバック".into(),
            name_en: "Sinovac".into(),
            spellings: vec!["CoronaVac".into()],
            platform: "inactivated".into(),
            lot_shapes: vec![],
            source: "TEST".into(),
        });
        assert_eq!(
            t.resolve_manufacturer("coronavac"),
            None,
            "stale until rebuilt"
        );
        t.rebuild().unwrap();
        assert_eq!(t.resolve_manufacturer("coronavac"), Some(ManufacturerId(5)));
        t.manufacturers.push(t.manufacturers[0].clone());
        assert!(t.rebuild().is_err());
        assert_eq!(
            t.resolve_manufacturer("ファイザー"),
            None,
            "lookup cleared on error"
        );
        let rebuilt = VaccineTables::new(
            vec![],
            vec![],
            vec![],
            ProgrammeWindow {
                start: d(2021, 2, 17),
                end: None,
            },
            false,
        )
        .unwrap();
        assert_eq!(rebuilt.resolve_manufacturer("ファイザー"), None);
        assert_eq!(rebuilt.min_interval(dose(2), None, d(2022, 1, 1)), None);
    }

    #[test]
    fn error_messages() {
        let errors = [
            VaccineError::DoseOutOfRange { found: "0".into() },
            VaccineError::LotEmpty,
            VaccineError::LotTooLong { max: 20, found: 21 },
            VaccineError::LotBadCharacter { position: 2 },
            VaccineError::LotZeroFilled,
            VaccineError::Json {
                message: "x".into(),
            },
            VaccineError::UnknownManufacturerKey { key: "x".into() },
            VaccineError::DuplicateKey { key: "x".into() },
            VaccineError::DuplicateSpelling {
                spelling: "a".into(),
                first: "b".into(),
                second: "c".into(),
            },
            VaccineError::InvalidTable {
                table: "ages",
                index: 1,
                problem: TableProblem::DoseRangeReversed,
            },
        ];
        for e in errors {
            assert!(!e.to_string().is_empty());
            assert!(!e.message_ja().is_empty());
            assert_ne!(e.to_string(), e.message_ja());
        }
        assert_eq!(
            VaccineError::InvalidTable {
                table: "ages",
                index: 1,
                problem: TableProblem::DoseRangeReversed
            }
            .to_string(),
            "ages[1]: the dose range ends before it starts"
        );
        assert_eq!(
            VaccineError::LotTooLong { max: 20, found: 21 }.message_ja(),
            "ロット番号が21文字あります（20文字以内にしてください）"
        );
    }
}
