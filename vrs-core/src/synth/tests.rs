//! Tests of the generator: every layout validates cleanly, output is reproducible, CP932
//! works, and the data look like the real thing.

use std::collections::HashSet;

use super::*;
use crate::codec::{
    validate_bytes, AwaitingRow, BatchInquiryRequestRow, BatchInquiryResultRow, DoseUploadRow,
    FlagKind, FlagRow, LayoutRecord, LedgerRow, MatchStatus, RecordReader, SubjectRegistrationRow,
    ValidateOptions,
};
use crate::diag::Report;
use crate::id::MyNumber;
use crate::layout::{self, Direction, LayoutParams};
use crate::text::{decode_strict, Encoding};

fn find(id: &str, dose_blocks: u8) -> Layout {
    layout::find(id, &LayoutParams { dose_blocks }).unwrap()
}

fn gen(layout: &Layout, options: &SynthOptions, write: WriteOptions) -> Vec<u8> {
    let mut out = Vec::new();
    let n = generate(layout, options, write, &mut out).unwrap();
    assert_eq!(n, options.rows, "{}", layout.id);
    out
}

fn validate(bytes: &[u8], layout: &Layout, options: &SynthOptions) -> Report {
    let check = ValidateOptions {
        as_of: Some(options.as_of),
        ..ValidateOptions::default()
    };
    validate_bytes(bytes, layout.clone(), check)
}

fn opts(rows: u64, seed: u64) -> SynthOptions {
    SynthOptions {
        rows,
        seed,
        ..SynthOptions::default()
    }
}

fn read<R: LayoutRecord>(bytes: &[u8], layout: &Layout) -> Vec<R> {
    let mut reader = RecordReader::new(bytes, layout.clone(), Encoding::Utf8, true);
    let mut out = Vec::new();
    while let Some(r) = reader.next_record::<R>() {
        out.push(r.unwrap().1);
    }
    out
}

/// Every layout (the ledger also with 1, 3 and 9 dose blocks), two seeds, 3,000 rows each.
fn all_layouts() -> Vec<Layout> {
    let mut out: Vec<Layout> = layout::all(&LayoutParams::default());
    for blocks in [1, 3, 9] {
        out.push(find("ledger-export", blocks));
    }
    out.push(find("awaiting-registration", 1));
    out.push(find("batch-inquiry-result", 9));
    out
}

fn summary(report: &Report) -> String {
    report
        .diagnostics
        .iter()
        .take(5)
        .map(|d| {
            format!(
                "{} line {} {:?}: {}",
                d.code.as_str(),
                d.line,
                d.column,
                d.message_en
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_layout_validates_without_errors_or_warnings() {
    for layout in all_layouts() {
        for seed in [1, 20240401] {
            let options = opts(3000, seed);
            let bytes = gen(&layout, &options, WriteOptions::default());
            let report = validate(&bytes, &layout, &options);
            let what = format!("{} blocks={} seed={seed}", layout.id, layout.dose_blocks);
            assert_eq!(report.rows, 3000, "{what}");
            assert_eq!(report.errors, 0, "{what}\n{}", summary(&report));
            // No warning either: intervals, ages, lot shapes, code table, sequences, OCR lines
            // all follow the tables the validator uses.
            assert_eq!(report.warnings, 0, "{what}\n{}", summary(&report));
            assert_eq!(report.encoding, Some("utf-8"));
        }
    }
}

#[test]
fn same_seed_same_bytes_different_seed_different_bytes() {
    for layout in layout::all(&LayoutParams::default()) {
        let a = gen(&layout, &opts(300, 5), WriteOptions::default());
        let b = gen(&layout, &opts(300, 5), WriteOptions::default());
        let c = gen(&layout, &opts(300, 6), WriteOptions::default());
        assert_eq!(a, b, "{}", layout.id);
        assert_ne!(a, c, "{}", layout.id);
        // A longer file starts with the shorter one: rows do not depend on the row count.
        let longer = gen(&layout, &opts(400, 5), WriteOptions::default());
        assert!(longer.starts_with(&a), "{}", layout.id);
    }
}

#[test]
fn cp932_output_validates_and_decodes_as_cp932() {
    let cp932 = WriteOptions {
        encoding: Encoding::Cp932,
        ..WriteOptions::default()
    };
    for id in [
        "subject-registration",
        "ledger-export",
        "dose-upload",
        "batch-inquiry-result",
    ] {
        let layout = find(id, 7);
        let options = opts(3000, 3);
        let bytes = gen(&layout, &options, cp932);
        assert!(std::str::from_utf8(&bytes).is_err(), "{id}: not UTF-8");
        let text = decode_strict(&bytes, Encoding::Cp932).unwrap();
        // Same content as the UTF-8 file of the same seed, character for character.
        let utf8 = gen(&layout, &options, WriteOptions::default());
        assert_eq!(text.as_bytes(), utf8.as_slice(), "{id}");
        let report = validate(&bytes, &layout, &options);
        assert_eq!(report.encoding, Some("cp932"), "{id}");
        assert_eq!(
            (report.rows, report.errors, report.warnings),
            (3000, 0, 0),
            "{id}\n{}",
            summary(&report)
        );
    }
}

#[test]
fn names_include_variant_kanji_and_katakana_readings() {
    let layout = find("subject-registration", 7);
    let rows: Vec<SubjectRegistrationRow> = read(
        &gen(&layout, &opts(3000, 1), WriteOptions::default()),
        &layout,
    );
    let variant = rows
        .iter()
        .filter(|r| r.name.contains(['髙', '﨑']))
        .count();
    // About 1 % of people (each with a few voucher rows): dozens of rows, a small minority.
    assert!((10..=150).contains(&variant), "{variant}");
    assert!(
        rows.iter().any(|r| r.name.contains('髙')) && rows.iter().any(|r| r.name.contains('﨑'))
    );
    for r in &rows {
        assert!(
            crate::text::is_katakana_name(&r.name_kana),
            "{}",
            r.name_kana
        );
        assert!(r.name.contains('\u{3000}'));
    }
    // Several voucher rows per person; names vary from person to person.
    let people: HashSet<&str> = rows.iter().map(|r| r.addressee.as_str()).collect();
    let distinct: HashSet<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert!(
        distinct.len() * 10 > people.len() * 7,
        "{} names, {} people",
        distinct.len(),
        people.len()
    );
}

#[test]
fn download_files_never_hold_a_my_number_shaped_value() {
    for layout in all_layouts()
        .into_iter()
        .filter(|l| l.direction == Direction::Download)
    {
        let bytes = gen(&layout, &opts(3000, 11), WriteOptions::default());
        let text = String::from_utf8(bytes).unwrap();
        assert!(!text.contains('"'), "no field needs quoting");
        for line in text.split_terminator("\r\n") {
            for field in line.split(',') {
                let twelve = field.len() == 12 && field.bytes().all(|b| b.is_ascii_digit());
                assert!(
                    !(twelve && MyNumber::parse(field).is_ok()),
                    "{}: {field}",
                    layout.id
                );
            }
        }
    }
}

#[test]
fn upload_my_numbers_are_valid_and_unique() {
    let subject = find("subject-registration", 7);
    let rows: Vec<SubjectRegistrationRow> = read(
        &gen(&subject, &opts(3000, 2), WriteOptions::default()),
        &subject,
    );
    let mut people: HashSet<(String, String)> = HashSet::new();
    let mut vouchers = HashSet::new();
    for r in &rows {
        let n = r.my_number.as_ref().unwrap();
        assert!(MyNumber::parse(n.expose_secret()).is_ok());
        people.insert((
            n.expose_secret().to_owned(),
            r.addressee.as_str().to_owned(),
        ));
        assert!(
            vouchers.insert(r.voucher.as_str().to_owned()),
            "voucher registered twice"
        );
        assert_eq!(r.municipality.as_str(), rows[0].municipality.as_str());
        assert!(!r.addressee.as_str().starts_with('0') && r.addressee.as_str().len() == 10);
    }
    // One My Number per addressee number and vice versa; several vouchers per person.
    let numbers: HashSet<&str> = people.iter().map(|p| p.0.as_str()).collect();
    let addressees: HashSet<&str> = people.iter().map(|p| p.1.as_str()).collect();
    assert_eq!(numbers.len(), people.len());
    assert_eq!(addressees.len(), people.len());
    assert!(
        people.len() < rows.len() && people.len() * 5 > rows.len(),
        "{} people",
        people.len()
    );

    let request = find("batch-inquiry-request", 7);
    let rows: Vec<BatchInquiryRequestRow> = read(
        &gen(&request, &opts(3000, 2), WriteOptions::default()),
        &request,
    );
    let numbers: HashSet<&str> = rows.iter().map(|r| r.my_number.expose_secret()).collect();
    assert_eq!(numbers.len(), 3000);
}

#[test]
fn ledger_rows_look_like_real_vaccination_histories() {
    let layout = find("ledger-export", 9);
    let options = SynthOptions {
        rows: 3000,
        seed: 4,
        tenant: Some("131016".parse().unwrap()),
        ..SynthOptions::default()
    };
    let rows: Vec<LedgerRow> = read(&gen(&layout, &options, WriteOptions::default()), &layout);
    let mut by_count = [0u32; 10];
    let (mut pfizer, mut moderna, mut other) = (0u32, 0u32, 0u32);
    let (mut dose1_2021, mut shared_sheet, mut foreign) = (0u32, 0u32, 0u32);
    for r in &rows {
        let doses: Vec<_> = r.doses.iter().flatten().collect();
        assert!(!doses.is_empty(), "a ledger row has at least dose 1");
        assert_eq!(doses.len(), r.doses.len(), "no gap between doses");
        by_count[doses.len()] += 1;
        let d1 = doses[0];
        if d1.vaccinated_on.year() == 2021 && d1.vaccinated_on.month() <= 11 {
            dose1_2021 += 1;
        }
        if let Some(d2) = doses.get(1) {
            assert_eq!(d1.manufacturer, d2.manufacturer);
            let days = d1.vaccinated_on.days_until(d2.vaccinated_on);
            assert!((19..=90).contains(&days), "{days}");
            if d1.voucher == d2.voucher {
                shared_sheet += 1;
            }
        }
        for d in &doses {
            match d.manufacturer.as_str() {
                "ファイザー" => pfizer += 1,
                "武田/モデルナ" => moderna += 1,
                _ => other += 1,
            }
            assert!(d.registered_at.date >= d.vaccinated_on);
            assert!(d.registered_at.date.days_until(d.vaccinated_on) > -15);
            assert!(crate::munis::lookup(d.voucher.municipality.as_str())
                .is_some_and(|e| e.is_tenant()));
            if d.voucher.municipality.as_str() != "131016" {
                foreign += 1;
            } else if !d.venue.starts_with("千代田区") {
                assert!(!d.venue.is_empty());
            }
        }
        for w in doses.windows(2).skip(1) {
            assert_ne!(
                w[0].voucher, w[1].voucher,
                "each booster has its own voucher"
            );
        }
    }
    let n = rows.len() as u32;
    assert!(
        dose1_2021 * 100 / n >= 85,
        "most first doses in 2021: {dose1_2021}"
    );
    assert!(
        shared_sheet * 100 / n >= 85,
        "doses 1 and 2 on one sheet: {shared_sheet}"
    );
    assert!(
        pfizer > moderna && moderna > other * 5 && other > 0,
        "{pfizer} {moderna} {other}"
    );
    assert!(
        foreign > 0 && foreign * 20 < n * 3,
        "some doses before moving in: {foreign}"
    );
    // Drop-off: everyone has dose 1, fewer have each later dose, a fair number have 7.
    let at_least = |k: usize| by_count[k..].iter().sum::<u32>();
    for k in 2..=7 {
        assert!(at_least(k) <= at_least(k - 1));
    }
    assert!(
        at_least(3) * 100 / n > 60 && at_least(7) > 50 && at_least(8) == 0,
        "{by_count:?}"
    );
}

#[test]
fn files_of_one_seed_describe_one_population() {
    let subject = find("subject-registration", 7);
    let ledger = find("ledger-export", 7);
    let upload = find("dose-upload", 7);
    let options = opts(2000, 9);
    let registered: Vec<SubjectRegistrationRow> =
        read(&gen(&subject, &options, WriteOptions::default()), &subject);
    let registered: HashSet<String> = registered
        .iter()
        .map(|r| r.addressee.as_str().to_owned())
        .collect();
    let ledger_rows: Vec<LedgerRow> = read(
        &gen(&ledger, &opts(300, 9), WriteOptions::default()),
        &ledger,
    );
    // The first 300 vaccinated residents are among the first ~1,000 registered people.
    let found = ledger_rows
        .iter()
        .filter(|r| registered.contains(r.addressee.as_str()))
        .count();
    assert_eq!(found, 300);
    let uploads: Vec<DoseUploadRow> = read(
        &gen(&upload, &opts(300, 9), WriteOptions::default()),
        &upload,
    );
    for u in uploads.iter().filter_map(|u| u.addressee.as_ref()) {
        assert!(registered.contains(u.as_str()));
    }
}

#[test]
fn awaiting_rows_have_no_addressee_and_one_or_two_doses() {
    let layout = find("awaiting-registration", 7);
    let options = opts(2000, 8);
    let rows: Vec<AwaitingRow> = read(&gen(&layout, &options, WriteOptions::default()), &layout);
    let ctx = ctx::Ctx::new(&options).unwrap();
    let mut vouchers = HashSet::new();
    let mut two = 0;
    for r in &rows {
        let doses: Vec<_> = r.doses.iter().flatten().collect();
        assert!((1..=2).contains(&doses.len()));
        if doses.len() == 2 {
            two += 1;
            assert_eq!(doses[0].voucher, doses[1].voucher);
        }
        assert_eq!(doses[0].voucher.municipality, ctx.tenant_code);
        assert!(vouchers.insert(doses[0].voucher));
    }
    assert!(two * 100 / rows.len() > 80);
}

#[test]
fn flags_are_plausible() {
    let layout = find("flags", 7);
    let options = opts(3000, 12);
    let rows: Vec<FlagRow> = read(&gen(&layout, &options, WriteOptions::default()), &layout);
    let tenant = rows[0].municipality;
    let (mut deaths, mut moves) = (0, 0);
    for r in &rows {
        assert_eq!(r.municipality, tenant);
        assert!(r.addressee.is_some() || r.voucher.is_some());
        assert!(r.date <= options.as_of && r.date.year() >= 2021);
        match r.kind {
            FlagKind::MoveOut => {
                moves += 1;
                let d = r.destination.unwrap();
                assert_ne!(d, tenant);
                assert!(crate::munis::lookup(d.as_str()).is_some_and(|e| e.is_tenant()));
            }
            FlagKind::Death => {
                deaths += 1;
                assert!(r.destination.is_none());
            }
        }
    }
    assert!(deaths > 300 && moves > deaths, "{deaths} {moves}");
}

#[test]
fn deaths_come_after_the_last_dose() {
    // Re-derive the people of a flags file and compare with their histories.
    let options = opts(500, 13);
    let ctx = ctx::Ctx::new(&options).unwrap();
    let layout = find("flags", 7);
    let rows: Vec<FlagRow> = read(&gen(&layout, &options, WriteOptions::default()), &layout);
    let mut checked = 0;
    for (r, row) in rows.iter().enumerate() {
        let mut rng = rng::Rng::for_item(ctx.seed, ctx::domain::FLAGS, r as u64);
        let p = r as u64 * 4 + rng.below(4);
        let mut prng = rng::Rng::for_item(ctx.seed, ctx::domain::RESIDENT, p);
        let plan = doses::Plan {
            moves: doses::Moves::Sometimes,
            cap: 9,
            force: false,
        };
        let h = ctx
            .history(&mut prng, doses::VoucherBase::Person(p), plan)
            .unwrap();
        if let Some(a) = &row.addressee {
            assert_eq!(a, &ctx.ids.addressee(p).unwrap());
        }
        if let (FlagKind::Death, Some(last)) = (row.kind, h.last_date()) {
            assert!(row.date > last || row.date == options.as_of);
            checked += 1;
        }
    }
    assert!(checked > 20);
}

#[test]
fn dose_upload_rows_carry_matching_ocr_lines() {
    let layout = find("dose-upload", 7);
    let rows: Vec<DoseUploadRow> = read(
        &gen(&layout, &opts(3000, 14), WriteOptions::default()),
        &layout,
    );
    let with_ocr = rows.iter().filter(|r| r.ocr.is_some()).count();
    let identified = rows
        .iter()
        .filter(|r| r.addressee.is_some() && r.birth_date.is_some())
        .count();
    assert!(
        with_ocr * 10 > rows.len() * 8 && identified * 10 > rows.len() * 7,
        "{with_ocr} {identified}"
    );
    for r in &rows {
        if let Some(ocr) = r.ocr {
            let expected = format!(
                "1{}{}{}",
                r.dose.get(),
                r.voucher.municipality.as_str(),
                r.voucher.number.as_str()
            );
            assert_eq!(ocr.format(), expected);
        }
        assert_eq!(r.addressee.is_some(), r.birth_date.is_some());
    }
    assert!(rows.iter().any(|r| r.dose.get() >= 5));
}

#[test]
fn batch_inquiry_result_matches_the_request_row_by_row() {
    let request = find("batch-inquiry-request", 7);
    let result = find("batch-inquiry-result", 7);
    let options = opts(1000, 15);
    let req: Vec<BatchInquiryRequestRow> =
        read(&gen(&request, &options, WriteOptions::default()), &request);
    let res: Vec<BatchInquiryResultRow> =
        read(&gen(&result, &options, WriteOptions::default()), &result);
    let ctx = ctx::Ctx::new(&options).unwrap();
    let mut matched = 0;
    let mut former = 0;
    for (a, b) in req.iter().zip(&res) {
        assert_eq!(a.addressee, b.addressee);
        match b.status {
            MatchStatus::Match => {
                matched += 1;
                assert!(!b.doses.is_empty());
                if b.doses
                    .iter()
                    .flatten()
                    .any(|d| d.voucher.municipality != ctx.tenant_code)
                {
                    former += 1;
                }
            }
            MatchStatus::NoMatch => assert!(b.doses.is_empty()),
        }
    }
    assert!(
        matched * 100 / res.len() >= 70 && matched < res.len(),
        "{matched}"
    );
    assert!(
        former * 10 > matched * 9,
        "doses found under the former municipality: {former}"
    );
}

#[test]
fn a_large_ledger_streams_to_a_sink() {
    // Memory is bounded by construction (nothing kept per row; see `files`), so this only
    // needs time. 200,000 rows of 7 dose blocks.
    let layout = find("ledger-export", 7);
    let options = opts(200_000, 21);
    assert_eq!(
        generate(&layout, &options, WriteOptions::default(), std::io::sink()).unwrap(),
        200_000
    );
}

#[test]
fn unusual_file_dates_still_give_valid_files() {
    // The first day of the programme (only forced health-care-worker doses are possible), the
    // middle of the first campaign, and long after the programme ended.
    for as_of in [
        crate::date::Date::new(2021, 2, 17).unwrap(),
        crate::date::Date::new(2021, 6, 30).unwrap(),
        crate::date::Date::new(2025, 12, 31).unwrap(),
    ] {
        for layout in all_layouts() {
            let options = SynthOptions {
                rows: 300,
                seed: 2,
                tenant: None,
                as_of,
            };
            let bytes = gen(&layout, &options, WriteOptions::default());
            let report = validate(&bytes, &layout, &options);
            assert_eq!(
                (report.errors, report.warnings),
                (0, 0),
                "{} {as_of}\n{}",
                layout.id,
                summary(&report)
            );
        }
    }
}

#[test]
fn bad_options_are_errors_not_panics() {
    let layout = find("ledger-export", 7);
    let mut out = Vec::new();
    let too_early = SynthOptions {
        as_of: crate::date::Date::new(2021, 2, 16).unwrap(),
        ..SynthOptions::default()
    };
    let err = generate(&layout, &too_early, WriteOptions::default(), &mut out).unwrap_err();
    assert!(err.to_string().contains("before the start"), "{err}");
    let ward = SynthOptions {
        tenant: Some("011011".parse().unwrap()),
        ..SynthOptions::default()
    };
    assert!(generate(&layout, &ward, WriteOptions::default(), &mut out)
        .unwrap_err()
        .to_string()
        .contains("tenant"));
    let huge = SynthOptions {
        rows: MAX_ROWS + 1,
        ..SynthOptions::default()
    };
    assert!(generate(&layout, &huge, WriteOptions::default(), &mut out).is_err());
    let mut other = layout.clone();
    other.id = "something-else";
    assert!(generate(
        &other,
        &SynthOptions::default(),
        WriteOptions::default(),
        &mut out
    )
    .is_err());
    assert!(out.is_empty(), "nothing written on bad options");
    let zero = SynthOptions {
        rows: 0,
        ..SynthOptions::default()
    };
    assert_eq!(
        generate(&layout, &zero, WriteOptions::default(), &mut out).unwrap(),
        0
    );
    assert_eq!(
        out.iter().filter(|b| **b == b'\n').count(),
        1,
        "header only"
    );
}

#[test]
fn the_tenant_option_is_respected_and_the_default_comes_from_the_seed() {
    let layout = find("subject-registration", 7);
    let options = SynthOptions {
        rows: 20,
        tenant: Some("011002".parse().unwrap()),
        ..SynthOptions::default()
    };
    let rows: Vec<SubjectRegistrationRow> =
        read(&gen(&layout, &options, WriteOptions::default()), &layout);
    assert!(rows.iter().all(|r| r.municipality.as_str() == "011002"));
    let tenants: HashSet<String> = (0..20)
        .map(|seed| {
            let rows: Vec<SubjectRegistrationRow> = read(
                &gen(&layout, &opts(1, seed), WriteOptions::default()),
                &layout,
            );
            rows[0].municipality.as_str().to_owned()
        })
        .collect();
    assert!(tenants.len() > 10);
}
