//! One layout's validator: the same bytes validated whole ([`validate_bytes`]) and pushed
//! through a [`Validator`] in fuzzer-chosen chunks must give equal reports, and every report
//! must hold together (counts, limits, renderings).
//!
//! Input: five option bytes, then the file.
//!
//! | byte | bits | option |
//! |---|---|---|
//! | 0 | 0-1 | encoding: 0 and 3 auto, 1 UTF-8, 2 CP932 |
//! | 0 | 2 | no header row |
//! | 0 | 3 | full-width digits are errors, not normalised |
//! | 0 | 4 | municipality check digit a warning |
//! | 0 | 5 | widths counted in CP932 bytes |
//! | 0 | 6 | no code-table check |
//! | 0 | 7 | My Number not required |
//! | 1 | 0-3 | dose blocks: 0 the default 7, else 1..=9 |
//! | 1 | 4-7 | as-of date: one of [`AS_OF`] (0: 2024-04-01, the corpus's), or none |
//! | 2 | 0-1 | tenant: none, 131016, 131032, none |
//! | 2 | 4-7 | kept diagnostics: 0 unlimited, n: n - 1 |
//! | 3 | | chunk sizes ([`Chunks`]) |
//! | 4 | | record limit: 0 the default 1 MiB, n: 16 n bytes |
//!
//! So a corpus file of the conformance cases is the case's file behind five bytes that say its
//! context (all zero for the common one).

use std::sync::Arc;

use vrs_core::codec::{validate_bytes, ValidateOptions, Validator, WidthUnit};
use vrs_core::date::Date;
use vrs_core::diag::{Lang, Report};
use vrs_core::id::MunicipalityCode;
use vrs_core::layout::{self, LayoutParams};
use vrs_core::text::EncodingChoice;
use vrs_core::vaccine::VaccineTables;

use crate::input::{Chunks, Input};

/// As-of dates byte 1 chooses from (`None`: no future-date checks).
const AS_OF: [Option<(u16, u8, u8)>; 6] = [
    Some((2024, 4, 1)),
    None,
    Some((2021, 6, 1)),
    Some((2024, 4, 30)),
    Some((2022, 2, 28)),
    Some((2021, 2, 17)),
];

/// Tables are built once: every run uses the same.
fn tables() -> Arc<VaccineTables> {
    static TABLES: std::sync::OnceLock<Arc<VaccineTables>> = std::sync::OnceLock::new();
    TABLES
        .get_or_init(|| Arc::new(VaccineTables::default()))
        .clone()
}

/// The options and dose-block count the option bytes choose.
fn options(input: &mut Input<'_>) -> (ValidateOptions, u8, Chunks) {
    let (a, b, c, chunk_seed, record) = (
        input.byte(),
        input.byte(),
        input.byte(),
        input.byte(),
        input.byte(),
    );
    let encoding = match a & 3 {
        1 => EncodingChoice::Utf8,
        2 => EncodingChoice::Cp932,
        _ => EncodingChoice::Auto,
    };
    let dose_blocks = match b & 0x0F {
        0 => 7,
        n => (n - 1) % 9 + 1,
    };
    let as_of =
        AS_OF[usize::from(b >> 4) % AS_OF.len()].and_then(|(y, m, d)| Date::new(y, m, d).ok());
    let tenant = match c & 3 {
        1 => MunicipalityCode::parse("131016").ok(),
        2 => MunicipalityCode::parse("131032").ok(),
        _ => None,
    };
    let options = ValidateOptions {
        encoding,
        header: a & 0x04 == 0,
        normalize_fullwidth: a & 0x08 == 0,
        strict_municipality_check_digit: a & 0x10 == 0,
        width_unit: if a & 0x20 == 0 {
            WidthUnit::Chars
        } else {
            WidthUnit::Cp932Bytes
        },
        check_code_table: a & 0x40 == 0,
        require_my_number: a & 0x80 == 0,
        as_of,
        tenant,
        max_diagnostics: match c >> 4 {
            0 => None,
            n => Some(usize::from(n) - 1),
        },
        max_record_bytes: match record {
            0 => 1 << 20,
            n => 16 * usize::from(n),
        },
        tables: tables(),
        // One thread: the same on every machine, and files this small never start the pool.
        threads: 1,
        ..ValidateOptions::default()
    };
    (options, dose_blocks, Chunks::new(chunk_seed))
}

/// Validates `file` through a [`Validator`] fed `chunks`.
fn streamed(layout: &layout::Layout, options: &ValidateOptions, chunks: &[&[u8]]) -> Report {
    let mut v = Validator::new(layout.clone(), options.clone());
    for chunk in chunks {
        v.feed(chunk);
    }
    v.finish()
}

/// Checks that `report` holds together for a file with `breaks` line breaks (CR or LF).
fn check_report(report: &Report, options: &ValidateOptions, breaks: u64) {
    let total = report.errors + report.warnings + report.infos;
    let summed: u64 = report.summary.iter().map(|s| s.count).sum();
    assert_eq!(summed, total, "summary counts against totals");
    let kept = report.diagnostics.len() as u64;
    assert!(kept <= total, "{kept} diagnostics kept of {total}");
    if let Some(max) = options.max_diagnostics {
        assert!(report.diagnostics.len() <= max, "more than {max} kept");
    }
    assert!(
        report.rows <= breaks + 1,
        "{} rows in {breaks} line breaks",
        report.rows
    );
    for d in &report.diagnostics {
        assert!(
            d.line <= breaks + 2,
            "line {} past the end ({breaks} breaks)",
            d.line
        );
        assert!(!d.message_en.is_empty() && !d.message_ja.is_empty());
    }
    for lang in [Lang::Ja, Lang::En] {
        let json = report.render_json(lang);
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(&json);
        assert!(parsed.is_ok(), "the JSON report does not parse: {json}");
        let _ = report.render_text(lang);
    }
}

/// The fuzz target body for layout `layout_id`.
pub fn run(layout_id: &str, data: &[u8]) {
    let mut input = Input::new(data);
    let (options, dose_blocks, mut chunker) = options(&mut input);
    let file = input.rest();
    let Ok(layout) = layout::find(layout_id, &LayoutParams { dose_blocks }) else {
        panic!("layout {layout_id} with {dose_blocks} dose blocks not found");
    };
    let breaks = file.iter().filter(|&&b| b == b'\n' || b == b'\r').count() as u64;

    let whole = validate_bytes(file, layout.clone(), options.clone());
    check_report(&whole, &options, breaks);

    let chunks = chunker.split(file);
    let chunked = streamed(&layout, &options, &chunks);
    check_report(&chunked, &options, breaks);
    // Issue 12 item 6: the same bytes give the same report by every path, whatever the
    // encoding choice (the encoding is decided once, the same way for a whole file and a stream).
    assert_eq!(whole, chunked, "whole file against chunks");
}
