//! The retention ops of a scenario: `national-db-provision`, `retention-list`, `purge`,
//! `legal-hold` and `retention-minimum` (parsed here, run by [`run`]).

use serde::Deserialize;
use serde_json::{Map, Value};
use vrs_core::date::Date;
use vrs_core::id::{AddresseeNumber, MunicipalityCode};
use vrs_core::registry::{Principal, ProvisionSelection, Registry, RegistryError};

use super::spec::{args, target, SpecError};

/// Op names, for the op list.
pub const RETENTION_OPS: &[&str] = &[
    "national-db-provision",
    "retention-list",
    "purge",
    "legal-hold",
    "retention-minimum",
];

/// Which doses `national-db-provision` covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectionArg {
    /// Neither `addressees` nor a date range: every dose.
    All,
    /// `"addressees": ["1001", ...]`.
    Subjects(Vec<String>),
    /// `"vaccinated_from"` and `"vaccinated_to"`.
    Range(String, String),
}

/// A retention op with its arguments (data arguments checked when the step runs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetentionOp {
    /// `national-db-provision`.
    Provision {
        tenant: MunicipalityCode,
        provided_on: Option<String>,
        selection: SelectionArg,
    },
    /// `retention-list`.
    List {
        tenant: MunicipalityCode,
        as_of: Option<String>,
    },
    /// `purge`.
    Purge {
        tenant: MunicipalityCode,
        as_of: Option<String>,
    },
    /// `legal-hold`.
    LegalHold {
        tenant: MunicipalityCode,
        addressee: String,
        on: bool,
    },
    /// `retention-minimum`.
    Minimum {
        tenant: MunicipalityCode,
        years: Option<u16>,
    },
}

impl RetentionOp {
    /// The op's name as written in scenarios.
    pub fn name(&self) -> &'static str {
        match self {
            RetentionOp::Provision { .. } => "national-db-provision",
            RetentionOp::List { .. } => "retention-list",
            RetentionOp::Purge { .. } => "purge",
            RetentionOp::LegalHold { .. } => "legal-hold",
            RetentionOp::Minimum { .. } => "retention-minimum",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvisionJson {
    tenant: Option<String>,
    provided_on: Option<String>,
    addressees: Option<Vec<String>>,
    vaccinated_from: Option<String>,
    vaccinated_to: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AsOfJson {
    tenant: Option<String>,
    as_of: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HoldJson {
    tenant: Option<String>,
    addressee: String,
    on: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MinimumJson {
    tenant: Option<String>,
    years: Option<u16>,
}

/// Parses a retention op (`name` is one of [`RETENTION_OPS`]).
pub fn parse(
    name: &str,
    rest: Map<String, Value>,
    p: Option<&Principal>,
) -> Result<RetentionOp, SpecError> {
    Ok(match name {
        "national-db-provision" => {
            let j: ProvisionJson = args(name, rest)?;
            let selection = match (j.addressees, j.vaccinated_from, j.vaccinated_to) {
                (None, None, None) => SelectionArg::All,
                (Some(list), None, None) => SelectionArg::Subjects(list),
                (None, Some(from), Some(to)) => SelectionArg::Range(from, to),
                _ => {
                    return Err(SpecError(format!(
                        "{name}: give addressees, or vaccinated_from and vaccinated_to, or neither (all doses)"
                    )))
                }
            };
            RetentionOp::Provision {
                tenant: target(j.tenant.as_deref(), p, name)?,
                provided_on: j.provided_on,
                selection,
            }
        }
        "retention-list" | "purge" => {
            let j: AsOfJson = args(name, rest)?;
            let tenant = target(j.tenant.as_deref(), p, name)?;
            if name == "purge" {
                RetentionOp::Purge {
                    tenant,
                    as_of: j.as_of,
                }
            } else {
                RetentionOp::List {
                    tenant,
                    as_of: j.as_of,
                }
            }
        }
        "legal-hold" => {
            let j: HoldJson = args(name, rest)?;
            RetentionOp::LegalHold {
                tenant: target(j.tenant.as_deref(), p, name)?,
                addressee: j.addressee,
                on: j.on,
            }
        }
        _ => {
            let j: MinimumJson = args(name, rest)?;
            RetentionOp::Minimum {
                tenant: target(j.tenant.as_deref(), p, name)?,
                years: j.years,
            }
        }
    })
}

/// What a retention step returns: a result to print, an error from the registry, or a data
/// argument the registry never saw.
pub enum Ran {
    /// The registry's answer, as JSON.
    Done(Result<Value, RegistryError>),
    /// A malformed data argument.
    Invalid(String),
}

fn json<T: serde::Serialize>(r: Result<T, RegistryError>) -> Ran {
    Ran::Done(r.map(|v| serde_json::to_value(v).unwrap_or(Value::Null)))
}

/// Runs a retention op; dates default to `today`.
pub fn run(reg: &mut Registry, p: &Principal, op: &RetentionOp, today: Date) -> Ran {
    let date = |s: &Option<String>| match s {
        Some(s) => super::spec::parse_date(s),
        None => Ok(today),
    };
    macro_rules! arg {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(why) => return Ran::Invalid(why.to_string()),
            }
        };
    }
    match op {
        RetentionOp::Provision {
            tenant,
            provided_on,
            selection,
        } => {
            let on = arg!(date(provided_on));
            let selection = match selection {
                SelectionArg::All => ProvisionSelection::All,
                SelectionArg::Subjects(list) => ProvisionSelection::Subjects(arg!(list
                    .iter()
                    .map(|a| AddresseeNumber::parse(a))
                    .collect::<Result<Vec<_>, _>>())),
                SelectionArg::Range(from, to) => ProvisionSelection::VaccinatedBetween {
                    from: arg!(super::spec::parse_date(from)),
                    to: arg!(super::spec::parse_date(to)),
                },
            };
            json(reg.record_national_db_provision(p, tenant, on, &selection))
        }
        RetentionOp::List { tenant, as_of } => {
            json(reg.retention_list(p, tenant, arg!(date(as_of))))
        }
        RetentionOp::Purge { tenant, as_of } => json(reg.purge(p, tenant, arg!(date(as_of)))),
        RetentionOp::LegalHold {
            tenant,
            addressee,
            on,
        } => {
            let a = arg!(AddresseeNumber::parse(addressee));
            json(
                reg.set_legal_hold(p, tenant, &a, *on)
                    .map(|changed| serde_json::json!({ "changed": changed })),
            )
        }
        RetentionOp::Minimum { tenant, years } => json(
            reg.set_retention_minimum(p, tenant, *years)
                .map(|()| serde_json::json!({})),
        ),
    }
}
