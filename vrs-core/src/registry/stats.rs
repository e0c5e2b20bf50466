//! Statistics for prefectures and the state: dose counts with small cells suppressed. No
//! personal data: only counts of at least the threshold leave the registry.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::crypto::RecordKind;
use crate::store::Store;

use super::access::Access;
use super::area::Area;
use super::error::RegistryError;
use super::model::{self, SubjectRec, VoucherRec};
use super::principal::Principal;
use super::{Registry, RegistryConfig};

/// A dimension statistics can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dimension {
    /// Municipality code of the tenant holding the dose.
    Municipality,
    /// Dose number.
    Dose,
    /// Week of the vaccination (its Monday, ISO date).
    Week,
    /// Manufacturer (canonical spelling).
    Manufacturer,
    /// Age band on the vaccination day (`12-17`, `90+`, `unknown` when the subject is not
    /// registered).
    AgeBand,
}

impl Dimension {
    /// Parses `municipality`, `dose`, `week`, `manufacturer`, `age-band`.
    pub fn parse(s: &str) -> Option<Dimension> {
        Some(match s {
            "municipality" => Dimension::Municipality,
            "dose" => Dimension::Dose,
            "week" => Dimension::Week,
            "manufacturer" => Dimension::Manufacturer,
            "age-band" | "age_band" => Dimension::AgeBand,
            _ => return None,
        })
    }
}

/// What to count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsQuery {
    /// Group by these dimensions (default: municipality and dose).
    pub group_by: Vec<Dimension>,
}

impl Default for StatsQuery {
    fn default() -> Self {
        StatsQuery {
            group_by: vec![Dimension::Municipality, Dimension::Dose],
        }
    }
}

/// One cell: the values of the grouped dimensions and the count, `None` when suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatsCell {
    /// Municipality code (when grouped by it).
    pub municipality: Option<String>,
    /// Dose number (when grouped by it).
    pub dose: Option<u8>,
    /// Monday of the week (when grouped by it).
    pub week: Option<String>,
    /// Manufacturer (when grouped by it).
    pub manufacturer: Option<String>,
    /// Age band (when grouped by it).
    pub age_band: Option<String>,
    /// Doses counted; `None` when fewer than the threshold (suppressed).
    pub count: Option<u64>,
}

/// Statistics as a viewer receives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// The dimensions grouped by.
    pub group_by: Vec<Dimension>,
    /// Cells under this count are suppressed.
    pub threshold: u64,
    /// Number of suppressed cells.
    pub suppressed: u64,
    /// The cells, ordered by their dimension values.
    pub cells: Vec<StatsCell>,
}

type CellKey = (
    Option<String>,
    Option<u8>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn age_band(bands: &[u8], age: u32) -> String {
    let mut lower = 0u32;
    let mut upper = None;
    for (i, &b) in bands.iter().enumerate() {
        if u32::from(b) <= age {
            lower = u32::from(b);
            upper = bands.get(i + 1).map(|&n| u32::from(n) - 1);
        }
    }
    match upper {
        Some(u) => format!("{lower}-{u}"),
        None => format!("{lower}+"),
    }
}

fn count_tenant(
    store: &mut dyn Store,
    area: &Area,
    query: &StatsQuery,
    config: &RegistryConfig,
    counts: &mut BTreeMap<CellKey, u64>,
) -> Result<(), RegistryError> {
    let by = |d| query.group_by.contains(&d);
    let mut births: HashMap<String, i32> = HashMap::new();
    if by(Dimension::AgeBand) {
        area.scan::<SubjectRec>(store, RecordKind::Subject, |_, s| {
            births.insert(s.addressee.clone(), s.birth);
            Ok(true)
        })?;
    }
    area.scan::<VoucherRec>(store, RecordKind::Voucher, |_, v| {
        for d in &v.doses {
            let on = model::date(d.vaccinated_on)?;
            let band = if by(Dimension::AgeBand) {
                let birth = v.subject.as_ref().and_then(|a| births.get(a)).copied();
                Some(
                    match birth
                        .map(model::date)
                        .transpose()?
                        .and_then(|b| b.age_on(on))
                    {
                        Some(age) => age_band(&config.age_bands, age),
                        None => "unknown".to_owned(),
                    },
                )
            } else {
                None
            };
            let week = by(Dimension::Week).then(|| {
                let back = 1 - i32::from(on.weekday().number_from_monday());
                on.add_days(back)
                    .map_or_else(|_| on.to_string(), |monday| monday.to_string())
            });
            let key = (
                by(Dimension::Municipality).then(|| area.code.as_str().to_owned()),
                by(Dimension::Dose).then_some(d.dose),
                week,
                by(Dimension::Manufacturer).then(|| d.manufacturer.clone()),
                band,
            );
            *counts.entry(key).or_insert(0) += 1;
        }
        Ok(true)
    })
}

impl Registry {
    /// Dose statistics: national viewers see every municipality, prefecture viewers their
    /// prefecture's, staff their own. Cells counting fewer than
    /// [`RegistryConfig::stats_threshold`] doses are suppressed (`count: None`).
    ///
    /// # Errors
    /// [`RegistryError::Forbidden`] for venue tablets and the operator; key or store failures.
    pub fn stats(
        &mut self,
        principal: &Principal,
        query: &StatsQuery,
    ) -> Result<Stats, RegistryError> {
        let (tenant, access) = match principal {
            Principal::MunicipalStaff { tenant, .. } => (Some(*tenant), Access::Staff),
            Principal::PrefectureViewer { .. } | Principal::NationalViewer => {
                (None, Access::Anyone)
            }
            _ => (None, Access::Operator),
        };
        if matches!(principal, Principal::Operator) {
            return self.refuse_without_area(principal, "stats", "the operator sees no statistics");
        }
        let mut query = query.clone();
        query.group_by.sort();
        query.group_by.dedup();
        self.run(principal, "stats", tenant.as_ref(), access, |ctx| {
            let mut counts = BTreeMap::new();
            let areas: Vec<Area> = match (&ctx.area, principal) {
                (Some(a), _) => vec![a.clone()],
                (None, Principal::PrefectureViewer { prefecture }) => {
                    tenants_in(ctx, Some(*prefecture))?
                }
                _ => tenants_in(ctx, None)?,
            };
            for area in &areas {
                count_tenant(ctx.store, area, &query, ctx.config, &mut counts)?;
            }
            let threshold = ctx.config.stats_threshold;
            let mut suppressed = 0;
            let cells = counts
                .into_iter()
                .map(|((municipality, dose, week, manufacturer, age_band), n)| {
                    let count = (n >= threshold).then_some(n);
                    if count.is_none() {
                        suppressed += 1;
                    }
                    StatsCell {
                        municipality,
                        dose,
                        week,
                        manufacturer,
                        age_band,
                        count,
                    }
                })
                .collect();
            Ok(Stats {
                group_by: query.group_by.clone(),
                threshold,
                suppressed,
                cells,
            })
        })
    }
}

/// The areas of every tenant (of one prefecture).
fn tenants_in(
    ctx: &mut super::Ctx<'_>,
    prefecture: Option<u8>,
) -> Result<Vec<Area>, RegistryError> {
    let mut out = Vec::new();
    for code in super::area::tenant_codes(ctx.store)? {
        if prefecture.is_some_and(|p| code.prefecture() != p) {
            continue;
        }
        out.push(ctx.areas.get(ctx.store, &code)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bands_are_labelled() {
        let bands = RegistryConfig::default().age_bands;
        assert_eq!(age_band(&bands, 0), "0-4");
        assert_eq!(age_band(&bands, 12), "12-17");
        assert_eq!(age_band(&bands, 64), "60-64");
        assert_eq!(age_band(&bands, 101), "90+");
    }
}
