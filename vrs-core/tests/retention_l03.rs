//! L03 (a record past its retention period) follows the dated retention policy: a file carries no
//! death and no provision, so from 2026-02-01 a COVID dose of 2021-02-17..2024-03-31 is never
//! reported deletable from a file.

use std::sync::Arc;

use vrs_core::codec::{validate_bytes, ValidateOptions};
use vrs_core::date::Date;
use vrs_core::layout::{self, LayoutParams};
use vrs_core::retention::RetentionPolicy;

const LEDGER: &str =
    "個別宛名番号,1回目接種履歴登録日時,1回目接種日,1回目券番号,1回目接種自治体コード,\
1回目接種会場名,1回目接種医師名,1回目ワクチンメーカー,1回目ワクチンロット番号\r\n\
1001,20210610120000,20210610,0000012345,131016,区民会館,山田一郎,ファイザー,FA5765\r\n";

fn l03(as_of: &str, retention: Arc<RetentionPolicy>) -> Vec<String> {
    let layout = layout::find("ledger-export", &LayoutParams { dose_blocks: 1 }).unwrap();
    let options = ValidateOptions {
        as_of: Some(Date::parse_iso(as_of).unwrap()),
        retention,
        ..ValidateOptions::default()
    };
    let report = validate_bytes(LEDGER.as_bytes(), layout, options);
    assert_eq!(report.errors, 0, "{:?}", report.diagnostics);
    report
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "L03")
        .map(|d| d.message_en.clone())
        .collect()
}

/// The same policy without 附則第17条: the naive five years.
fn naive() -> Arc<RetentionPolicy> {
    let mut p = RetentionPolicy::default();
    p.rules.retain(|r| r.id == "art3-five-years");
    Arc::new(p)
}

#[test]
fn a_2021_dose_is_never_deletable_from_a_file_under_the_2026_rule() {
    let policy = Arc::new(RetentionPolicy::default());
    for as_of in ["2026-06-11", "2026-12-01", "2031-01-01", "2060-01-01"] {
        assert!(l03(as_of, policy.clone()).is_empty(), "as of {as_of}");
    }
}

#[test]
fn the_naive_five_year_rule_would_have_reported_it() {
    // What the 2026 rule prevents: under Art. 3 alone the dose is deletable from 2026-06-11.
    assert!(l03("2026-06-10", naive()).is_empty());
    let found = l03("2026-06-11", naive());
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0],
        "dose 1 vaccination date: 2021-06-10: the record may be deleted from 2026-06-11 (art3-five-years)"
    );
}

#[test]
fn without_an_as_of_date_nothing_is_judged() {
    let layout = layout::find("ledger-export", &LayoutParams { dose_blocks: 1 }).unwrap();
    let options = ValidateOptions {
        retention: naive(),
        ..ValidateOptions::default()
    };
    let report = validate_bytes(LEDGER.as_bytes(), layout, options);
    assert!(report.diagnostics.iter().all(|d| d.code.as_str() != "L03"));
}
