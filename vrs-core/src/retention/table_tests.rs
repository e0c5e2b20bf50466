//! The retention table: eligible dates written by hand from the rule text, never computed by the
//! code under test. Each row says how its date follows from the statute.
//!
//! Art. 3: 「行つたときから五年間」 → first day = day after the vaccination (Civil Code
//! Art. 140), last day = the day before the corresponding day five years later (Art. 143(2)),
//! eligible = the day after the last day.
//! 附則第17条 (from 2026-02-01, doses 2021-02-17..2024-03-31): kept through the later of
//! (a) 「死亡した日の翌日から起算して五年を経過する日」 (first day = day after death) and
//! (b) the provision day; eligible = the day after.

use crate::date::Date;

use super::{Facts, RetentionPolicy};

const ART3: &str = "art3-five-years";
const ART17: &str = "suppl-art17-covid";

/// One row: what is known, the as-of date, the rule expected, the eligible date expected
/// (`None`: never, for now).
struct Row {
    why: &'static str,
    vaccinated: &'static str,
    death: Option<&'static str>,
    provided: Option<&'static str>,
    minimum: Option<u16>,
    as_of: &'static str,
    rule: &'static str,
    eligible: Option<&'static str>,
}

#[rustfmt::skip]
const TABLE: &[Row] = &[
    // --- Art. 3 alone (before 2026-02-01): the reference §8.2 table.
    Row { why: "§8.2: 2021-06-10 → first day 06-11, ends 2026-06-10", vaccinated: "2021-06-10", death: None, provided: None, minimum: None, as_of: "2026-01-31", rule: ART3, eligible: Some("2026-06-11") },
    Row { why: "§8.2: 2024-02-28 → first day 02-29, 2029 has none → ends 2029-02-28 (month end)", vaccinated: "2024-02-28", death: None, provided: None, minimum: None, as_of: "2026-01-31", rule: ART3, eligible: Some("2029-03-01") },
    Row { why: "§8.2: 29 Feb → first day 03-01 → ends the day before 2029-03-01", vaccinated: "2024-02-29", death: None, provided: None, minimum: None, as_of: "2026-01-31", rule: ART3, eligible: Some("2029-03-01") },
    Row { why: "§8.2: 2024-03-31 → first day 04-01 → ends 2029-03-31", vaccinated: "2024-03-31", death: None, provided: None, minimum: None, as_of: "2026-01-31", rule: ART3, eligible: Some("2029-04-01") },
    Row { why: "the first COVID dose under Art. 3 would have gone 2026-02-18", vaccinated: "2021-02-17", death: None, provided: None, minimum: None, as_of: "2026-01-31", rule: ART3, eligible: Some("2026-02-18") },
    Row { why: "death is irrelevant under Art. 3", vaccinated: "2021-02-17", death: Some("2021-02-20"), provided: None, minimum: None, as_of: "2026-01-31", rule: ART3, eligible: Some("2026-02-18") },
    // --- 2026-02-01: the amendment takes over for doses 2021-02-17..2024-03-31.
    Row { why: "in force 2026-02-01: a living person's record is kept", vaccinated: "2021-02-17", death: None, provided: None, minimum: None, as_of: "2026-02-01", rule: ART17, eligible: None },
    Row { why: "naive five years would delete on 2026-02-18: it must not", vaccinated: "2021-02-17", death: None, provided: None, minimum: None, as_of: "2026-02-18", rule: ART17, eligible: None },
    Row { why: "dead but not provided: kept", vaccinated: "2021-02-17", death: Some("2021-03-01"), provided: None, minimum: None, as_of: "2026-12-01", rule: ART17, eligible: None },
    Row { why: "provided but alive: kept", vaccinated: "2021-02-17", death: None, provided: Some("2026-06-01"), minimum: None, as_of: "2026-12-01", rule: ART17, eligible: None },
    Row { why: "(a) first day 2021-03-02 → ends 2026-03-01; (b) 2026-06-01 later → from 06-02", vaccinated: "2021-02-17", death: Some("2021-03-01"), provided: Some("2026-06-01"), minimum: None, as_of: "2026-12-01", rule: ART17, eligible: Some("2026-06-02") },
    Row { why: "last covered day; death the same day → (a) first day 2024-04-01 → ends 2029-03-31", vaccinated: "2024-03-31", death: Some("2024-03-31"), provided: Some("2026-06-01"), minimum: None, as_of: "2026-12-01", rule: ART17, eligible: Some("2029-04-01") },
    Row { why: "2024-04-01 is outside the amendment: Art. 3, death ignored", vaccinated: "2024-04-01", death: Some("2024-05-01"), provided: None, minimum: None, as_of: "2026-12-01", rule: ART3, eligible: Some("2029-04-02") },
    Row { why: "2021-02-16 is outside the amendment: Art. 3", vaccinated: "2021-02-16", death: None, provided: None, minimum: None, as_of: "2026-12-01", rule: ART3, eligible: Some("2026-02-17") },
    Row { why: "death on the last day of a year: first day 2028-01-01, five calendar years → 2032-12-31", vaccinated: "2022-05-10", death: Some("2027-12-31"), provided: Some("2026-06-15"), minimum: None, as_of: "2033-01-01", rule: ART17, eligible: Some("2033-01-01") },
    Row { why: "death on the last day of a month: first day 2026-05-01 → ends 2031-04-30", vaccinated: "2021-07-01", death: Some("2026-04-30"), provided: Some("2026-07-01"), minimum: None, as_of: "2031-05-01", rule: ART17, eligible: Some("2031-05-01") },
    Row { why: "death 2028-02-28: first day 2028-02-29, 2033 has none → month end 2033-02-28", vaccinated: "2023-09-20", death: Some("2028-02-28"), provided: Some("2026-06-01"), minimum: None, as_of: "2033-03-01", rule: ART17, eligible: Some("2033-03-01") },
    Row { why: "death 29 Feb 2028: first day 03-01 → ends 2033-02-28", vaccinated: "2023-09-20", death: Some("2028-02-29"), provided: Some("2026-06-01"), minimum: None, as_of: "2033-02-28", rule: ART17, eligible: Some("2033-03-01") },
    Row { why: "vaccinated and died 29 Feb 2024: first day 2024-03-01 → ends 2029-02-28", vaccinated: "2024-02-29", death: Some("2024-02-29"), provided: Some("2026-06-01"), minimum: None, as_of: "2026-12-01", rule: ART17, eligible: Some("2029-03-01") },
    Row { why: "(b) later than (a): (a) ends 2026-05-02, provided 2026-07-10 → from 07-11", vaccinated: "2021-05-01", death: Some("2021-05-02"), provided: Some("2026-07-10"), minimum: None, as_of: "2026-12-01", rule: ART17, eligible: Some("2026-07-11") },
    Row { why: "(a) and (b) the same day 2026-06-01 → from 06-02", vaccinated: "2021-05-20", death: Some("2021-06-01"), provided: Some("2026-06-01"), minimum: None, as_of: "2026-12-01", rule: ART17, eligible: Some("2026-06-02") },
    Row { why: "(a) later than (b): death 2030-01-15 → ends 2035-01-15", vaccinated: "2022-11-11", death: Some("2030-01-15"), provided: Some("2026-06-01"), minimum: None, as_of: "2030-02-01", rule: ART17, eligible: Some("2035-01-16") },
    Row { why: "floor (ASSUMPTION): death recorded before the vaccination; Art. 3 ends 2027-01-10", vaccinated: "2022-01-10", death: Some("2021-12-01"), provided: Some("2026-06-01"), minimum: None, as_of: "2026-12-01", rule: ART17, eligible: Some("2027-01-11") },
    // --- The municipality's minimum only lengthens.
    Row { why: "30-year minimum: vaccinated 2021-06-10 → kept through 2051-06-10", vaccinated: "2021-06-10", death: Some("2021-07-01"), provided: Some("2026-06-01"), minimum: Some(30), as_of: "2026-12-01", rule: ART17, eligible: Some("2051-06-11") },
    Row { why: "10-year minimum on an Art. 3 dose: 2024-04-01 → through 2034-04-01", vaccinated: "2024-04-01", death: None, provided: None, minimum: Some(10), as_of: "2026-12-01", rule: ART3, eligible: Some("2034-04-02") },
    Row { why: "a 3-year minimum never shortens the law", vaccinated: "2024-04-01", death: None, provided: None, minimum: Some(3), as_of: "2026-12-01", rule: ART3, eligible: Some("2029-04-02") },
    Row { why: "a minimum does not make a living person's record eligible", vaccinated: "2021-06-10", death: None, provided: Some("2026-06-01"), minimum: Some(5), as_of: "2040-01-01", rule: ART17, eligible: None },
];

fn date(s: &str) -> Date {
    Date::parse_iso(s).unwrap()
}

#[test]
fn eligible_dates_match_the_hand_written_table() {
    let policy = RetentionPolicy::default();
    for row in TABLE {
        let facts = Facts {
            vaccinated_on: date(row.vaccinated),
            death: row.death.map(date),
            provided_on: row.provided.map(date),
            tenant_minimum_years: row.minimum,
        };
        let as_of = date(row.as_of);
        let v = policy.verdict(&facts, as_of);
        assert_eq!(
            v.rule.map(|r| r.id.as_str()),
            Some(row.rule),
            "rule: {}",
            row.why
        );
        assert_eq!(v.eligible_from, row.eligible.map(date), "date: {}", row.why);
        // Eligible exactly from that day on, not the day before.
        if let Some(e) = v.eligible_from {
            assert!(v.eligible_on(e), "{}", row.why);
            assert!(!v.eligible_on(e.add_days(-1).unwrap()), "{}", row.why);
        }
    }
}

#[test]
fn no_covid_record_is_ever_eligible_under_the_2026_rule_without_death_and_provision() {
    // Every vaccination day of the programme, every as-of date from the amendment to 2040: the
    // naive five years would have made each eligible; the dated policy never does.
    let policy = RetentionPolicy::default();
    let mut day = date("2021-02-17");
    while day <= date("2024-03-31") {
        for as_of in ["2026-02-01", "2026-02-18", "2029-04-01", "2040-01-01"] {
            let v = policy.verdict(&Facts::dose(day), date(as_of));
            assert_eq!(v.eligible_from, None, "{day} as of {as_of}");
        }
        day = day.add_days(1).unwrap();
    }
}

#[test]
fn default_policy_loads_and_round_trips() {
    let p = RetentionPolicy::default();
    assert_eq!(p.version, "2026-02-01");
    assert_eq!(p.national_db_from, date("2026-06-01"));
    assert_eq!(p.log_years, 7);
    let json = p.to_json().unwrap();
    assert_eq!(RetentionPolicy::from_json(&json).unwrap(), p);
    for rule in &p.rules {
        assert!(
            ["CONFIRMED", "INFERRED", "ASSUMPTION"]
                .iter()
                .any(|l| rule.source.starts_with(l)),
            "{} has no label",
            rule.id
        );
    }
}

#[test]
fn bad_policies_are_refused_with_the_rule_named() {
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v: serde_json::Value =
            serde_json::from_str(include_str!("default_retention.json")).unwrap();
        f(&mut v);
        RetentionPolicy::from_json(&v.to_string())
    };
    let e = edit(&|v| v["rules"][1]["id"] = "art3-five-years".into()).unwrap_err();
    assert!(e.to_string().contains("rules[1]"), "{e}");
    let e = edit(&|v| v["rules"][0]["terms"] = serde_json::json!([])).unwrap_err();
    assert!(e.to_string().contains("at least one term"), "{e}");
    let e = edit(&|v| v["rules"][0]["terms"][0]["years"] = 0.into()).unwrap_err();
    assert!(e.to_string().contains("1 to 200"), "{e}");
    let e = edit(&|v| v["rules"][1]["vaccinated_until"] = "2020-01-01".into()).unwrap_err();
    assert!(e.message_ja().contains("rules[1]"));
    let e = edit(&|v| v["rules"][0]["terms"][0]["kind"] = "forever".into()).unwrap_err();
    assert!(matches!(e, super::RetentionError::Json { .. }));
    assert!(RetentionPolicy::from_json("").is_err());
    assert!(RetentionPolicy::from_json("\0\0").is_err());
    // A policy without a catch-all rule keeps what no rule covers.
    let narrow = edit(&|v| {
        v["rules"][0]["vaccinated_until"] = "2020-12-31".into();
    })
    .unwrap();
    let v = narrow.verdict(&Facts::dose(date("2024-06-01")), date("2040-01-01"));
    assert!(v.waiting.no_rule && v.eligible_from.is_none());
}
