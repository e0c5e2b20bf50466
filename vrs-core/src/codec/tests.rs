//! Behaviour of the validator and writer, rule by rule.

use super::*;
use crate::date::Date;
use crate::diag::{Code, Report, Severity};
use crate::layout::{self, Layout, LayoutParams};
use crate::text::{Encoding, EncodingChoice};

fn layout(id: &str, blocks: u8) -> Layout {
    layout::find(
        id,
        &LayoutParams {
            dose_blocks: blocks,
        },
    )
    .unwrap()
}

fn header(l: &Layout) -> String {
    l.header().join(",")
}

fn opts() -> ValidateOptions {
    ValidateOptions {
        as_of: Some(Date::new(2024, 4, 1).unwrap()),
        ..ValidateOptions::default()
    }
}

/// Validates `header + body` (body lines joined by CRLF).
fn run(l: &Layout, body: &[&str]) -> Report {
    run_with(l, body, opts())
}

fn run_with(l: &Layout, body: &[&str], o: ValidateOptions) -> Report {
    let mut text = header(l);
    for line in body {
        text.push_str("\r\n");
        text.push_str(line);
    }
    text.push_str("\r\n");
    validate_bytes(text.as_bytes(), l.clone(), o)
}

fn codes(r: &Report) -> Vec<(Code, u64)> {
    r.diagnostics.iter().map(|d| (d.code, d.line)).collect()
}

const DOSE1: &str = "20210601120000,20210601,0000012345,131016,区民会館,山田一郎,ファイザー,FA5765";
const DOSE2: &str = "20210622120000,20210622,0000012345,131016,区民会館,山田一郎,ファイザー,FC3661";

#[test]
fn a_clean_ledger_has_no_diagnostics() {
    let l = layout("ledger-export", 2);
    let r = run(
        &l,
        &[
            &format!("1001,{DOSE1},{DOSE2}"),
            &format!("1002,{DOSE1},,,,,,,,").replace("0000012345", "0000012346"),
        ],
    );
    assert_eq!(r.diagnostics, vec![], "{:#?}", r.diagnostics);
    assert_eq!((r.rows, r.errors, r.encoding), (2, 0, Some("utf-8")));
}

#[test]
fn field_errors_carry_line_column_and_both_messages() {
    let l = layout("ledger-export", 1);
    let bad = DOSE1
        .replace("131016", "131017")
        .replace("20210601,", "20210631,");
    let r = run(&l, &[&format!("1001,{DOSE1}"), &format!("1002,{bad}")]);
    assert_eq!(codes(&r), vec![(Code::D01, 3), (Code::M01, 3)]);
    let m01 = &r.diagnostics[1];
    assert_eq!(m01.column.as_deref(), Some("1回目接種自治体コード"));
    assert_eq!(m01.field, Some(5));
    assert_eq!(m01.value.as_deref(), Some("131017"));
    assert!(m01.message_en.contains("check digit should be 6, found 7"));
    assert!(m01.message_ja.starts_with("1回目接種自治体コード："));
}

#[test]
fn header_problems() {
    let l = layout("ledger-export", 1);
    let r = validate_bytes("宛名番号\r\n".as_bytes(), l.clone(), opts());
    assert_eq!(codes(&r), vec![(Code::F02, 1)]);
    let r = validate_bytes(b"", l.clone(), opts());
    assert_eq!(codes(&r), vec![(Code::F02, 1)]);
    assert!(r.diagnostics[0].message_en.contains("empty"));
    let header_only = format!("{}\r\n", header(&l));
    let r = validate_bytes(header_only.as_bytes(), l.clone(), opts());
    assert_eq!((r.rows, r.errors), (0, 0));
    // N02: a My Number column in a download file.
    let with_mn = header(&l).replace("個別宛名番号", "個人番号");
    let r = validate_bytes(with_mn.as_bytes(), l, opts());
    assert!(codes(&r).contains(&(Code::N02, 1)));
}

#[test]
fn wrong_field_count_and_blank_lines() {
    let l = layout("ledger-export", 1);
    let r = run(&l, &["1001,1,2", "", &format!("1002,{DOSE1}")]);
    assert_eq!(codes(&r), vec![(Code::F03, 2), (Code::F03, 3)]);
    assert_eq!(r.diagnostics[1].severity, Severity::Warning);
}

#[test]
fn quoted_fields_spanning_lines_report_physical_lines() {
    let l = layout("ledger-export", 1);
    let venue_with_break = DOSE1.replace("区民会館", "\"区民\r\n会館\"");
    let bad_lot = DOSE1.replace("FA5765", "FA 5765");
    let r = run(
        &l,
        &[
            &format!("1001,{venue_with_break}"),
            &format!("1002,{bad_lot}").replace("0000012345", "0000012399"),
        ],
    );
    // The broken venue is F04 on line 2; the next record starts on physical line 4.
    assert_eq!(
        codes(&r),
        vec![(Code::F04, 2), (Code::F04, 2), (Code::T04, 4)]
    );
}

#[test]
fn control_characters_and_nul_bytes() {
    let l = layout("ledger-export", 1);
    let r = run(
        &l,
        &[&format!("1001,{}", DOSE1.replace("山田一郎", "山田\0一郎"))],
    );
    assert_eq!(codes(&r), vec![(Code::F04, 2)]);
    assert!(r.diagnostics[0].message_en.contains("U+0000"));
}

#[test]
fn unterminated_quote_at_end_of_file() {
    let l = layout("ledger-export", 1);
    let text = format!("{}\r\n1001,\"unclosed", header(&l));
    let r = validate_bytes(text.as_bytes(), l, opts());
    assert!(codes(&r).contains(&(Code::F04, 2)));
}

#[test]
fn cp932_files_decode_and_mixed_encodings_are_reported() {
    let l = layout("ledger-export", 1);
    let text = format!("{}\r\n1001,{DOSE1}\r\n", header(&l));
    let cp932 = crate::text::encode_strict(&text, Encoding::Cp932)
        .unwrap()
        .into_owned();
    let r = validate_bytes(&cp932, l.clone(), opts());
    assert_eq!((r.errors, r.encoding), (0, Some("cp932")));
    // UTF-8 header, CP932 line: the header does not read as CP932, so the file is UTF-8, and
    // the CP932 line "mixes encodings".
    let mut mixed = format!("{}\r\n", header(&l)).into_bytes();
    mixed.extend_from_slice(
        &crate::text::encode_strict(&format!("1001,{DOSE1}\r\n"), Encoding::Cp932).unwrap(),
    );
    let mut v = Validator::new(l.clone(), opts());
    v.feed(&mixed);
    let r = v.finish();
    assert_eq!(r.encoding, Some("utf-8"));
    assert!(r
        .diagnostics
        .iter()
        .any(|d| d.code == Code::F01 && d.line == 2 && d.message_en.contains("mixes encodings")));
    // Declared cp932 but the file is UTF-8 with a BOM.
    let mut bom = crate::text::UTF8_BOM.to_vec();
    bom.extend_from_slice(text.as_bytes());
    let r = validate_bytes(
        &bom,
        l.clone(),
        ValidateOptions {
            encoding: EncodingChoice::Cp932,
            ..opts()
        },
    );
    assert!(codes(&r).contains(&(Code::F01, 1)));
    let r = validate_bytes(&bom, l, opts());
    assert_eq!((r.errors, r.bom), (0, true));
}

#[test]
fn invalid_bytes_and_a_bom_in_the_middle() {
    let l = layout("ledger-export", 1);
    let mut bytes = format!("{}\r\n1001,{DOSE1}\r\n", header(&l)).into_bytes();
    bytes.extend_from_slice(b"\xff\xfe,1\r\n");
    let r = validate_bytes(
        &bytes,
        l.clone(),
        ValidateOptions {
            encoding: EncodingChoice::Utf8,
            ..opts()
        },
    );
    assert!(codes(&r).contains(&(Code::F01, 3)));
    let text = format!("{}\r\n1001,{DOSE1}\r\n\u{FEFF}1002,{DOSE1}\r\n", header(&l))
        .replace("0000012345\",", "");
    let r = validate_bytes(text.as_bytes(), l, opts());
    assert!(r
        .diagnostics
        .iter()
        .any(|d| d.code == Code::F01 && d.line == 3 && d.message_en.contains("byte-order mark")));
}

#[test]
fn full_width_digits_are_normalised_with_a_warning() {
    let l = layout("ledger-export", 1);
    let fw = DOSE1.replace("131016", "１３１０１６");
    let r = run(&l, &[&format!("1001,{fw}")]);
    assert_eq!(codes(&r), vec![(Code::F05, 2)]);
    assert_eq!(r.diagnostics[0].severity, Severity::Warning);
    let r = run_with(
        &l,
        &[&format!("1001,{fw}")],
        ValidateOptions {
            normalize_fullwidth: false,
            ..opts()
        },
    );
    assert_eq!(r.diagnostics[0].severity, Severity::Error);
}

#[test]
fn block_rules() {
    let l = layout("ledger-export", 2);
    let incomplete = "20210601120000,20210601,,131016,,,ファイザー,";
    let r = run(&l, &[&format!("1001,{incomplete},,,,,,,,")]);
    assert_eq!(codes(&r), vec![(Code::B01, 2)]);
    assert_eq!(r.diagnostics[0].column.as_deref(), Some("1回目券番号"));
    // S01: dose 2 without dose 1; S02: dose 2 not after dose 1.
    let r = run(&l, &[&format!("1001,,,,,,,,,{DOSE2}")]);
    assert_eq!(codes(&r), vec![(Code::S01, 2)]);
    let early = DOSE2.replace("20210622", "20210601");
    let r = run(&l, &[&format!("1001,{DOSE1},{early}")]);
    assert!(codes(&r).contains(&(Code::S02, 2)));
    // S04: 10 days after a Pfizer dose 1 (minimum 19); S06: another maker.
    let soon = DOSE2
        .replace("20210622", "20210611")
        .replace("ファイザー,FC3661", "武田/モデルナ,3004667");
    let r = run(&l, &[&format!("1001,{DOSE1},{soon}")]);
    let c: Vec<Code> = r.diagnostics.iter().map(|d| d.code).collect();
    assert!(c.contains(&Code::S04) && c.contains(&Code::S06), "{c:?}");
}

#[test]
fn date_rules() {
    let l = layout("ledger-export", 1);
    let before_programme = DOSE1
        .replace("20210601,", "20201231,")
        .replace("20210601120000", "20201231120000");
    let future = DOSE1
        .replace("20210601,", "20250101,")
        .replace("20210601120000", "20250101120000");
    let registered_early = DOSE1.replace("20210601120000", "20210531120000");
    let bad_time = DOSE1.replace("20210601120000", "20210601240000");
    let r = run(
        &l,
        &[
            &format!("1001,{before_programme}"),
            &format!("1002,{future}").replace("12345", "12346"),
            &format!("1003,{registered_early}").replace("12345", "12347"),
            &format!("1004,{bad_time}").replace("12345", "12348"),
        ],
    );
    assert_eq!(
        codes(&r),
        vec![
            (Code::D03, 2),
            (Code::D02, 3),
            (Code::D03, 3),
            (Code::D02, 3),
            (Code::D06, 4),
            (Code::D04, 5)
        ]
    );
}

#[test]
fn text_and_lot_rules() {
    let l = layout("ledger-export", 1);
    let long_venue = DOSE1.replace("区民会館", &"会".repeat(31));
    let long_doctor = DOSE1.replace("山田一郎", &"医".repeat(21));
    let unknown_maker = DOSE1.replace("ファイザー", "ワクチン社");
    let zero_lot = DOSE1.replace("FA5765", "0123");
    let odd_lot = DOSE1.replace("FA5765", "12AB");
    let r = run(
        &l,
        &[
            &format!("1001,{long_venue}"),
            &format!("1002,{long_doctor}").replace("12345", "12346"),
            &format!("1003,{unknown_maker}").replace("12345", "12347"),
            &format!("1004,{zero_lot}").replace("12345", "12348"),
            &format!("1005,{odd_lot}").replace("12345", "12349"),
            &format!("01006,{DOSE1}").replace("12345", "12350"),
        ],
    );
    assert_eq!(
        codes(&r),
        vec![
            (Code::T01, 2),
            (Code::T02, 3),
            (Code::T03, 4),
            (Code::T04, 5),
            (Code::T04, 6),
            (Code::T05, 7)
        ]
    );
    assert_eq!(
        r.diagnostics[4].severity,
        Severity::Warning,
        "a lot with an unusual shape is a warning"
    );
    let r = run_with(
        &l,
        &[&format!("1001,{long_venue}")],
        ValidateOptions {
            width_unit: WidthUnit::Cp932Bytes,
            ..opts()
        },
    );
    assert!(r.diagnostics[0].message_en.contains("62 bytes in CP932"));
}

#[test]
fn cross_row_rules_in_the_ledger() {
    let l = layout("ledger-export", 2);
    let r = run(
        &l,
        &[
            &format!("1001,{DOSE1},{DOSE2}"),
            &format!("1001,{DOSE1},,,,,,,,").replace("12345", "22222"),
            &format!("1003,{DOSE1},,,,,,,,"),
        ],
    );
    assert_eq!(codes(&r), vec![(Code::S03, 3), (Code::V02, 4)]);
}

#[test]
fn my_numbers_are_checked_and_never_reported() {
    let canary = "123456789018";
    let l = layout("subject-registration", 7);
    let row = |addr: &str, mn: &str, voucher: &str| {
        format!("131016,{addr},{mn},{voucher},髙橋一郎,タカハシイチロウ,19600101,1,20210401")
    };
    let r = run(
        &l,
        &[
            &row("1001", canary, "0000000001"),
            &row("1002", canary, "0000000002"),
            &row("1003", "123456789013", "0000000001"),
            &row("1004", "", "0000000004"),
        ],
    );
    assert_eq!(
        codes(&r),
        vec![
            (Code::N03, 3),
            (Code::N01, 4),
            (Code::V02, 4),
            (Code::R01, 5)
        ]
    );
    let json = r.to_json();
    assert!(
        !json.contains(canary) && !json.contains("123456789013"),
        "{json}"
    );
    assert!(!format!("{r:?}").contains(canary));
    let r = run_with(
        &l,
        &[&row("1004", "", "0000000004")],
        ValidateOptions {
            require_my_number: false,
            ..opts()
        },
    );
    assert_eq!(r.errors, 0);
}

#[test]
fn my_number_shaped_values_in_downloads_are_flagged_and_redacted() {
    let l = layout("ledger-export", 1);
    let r = run(&l, &[&format!("123456789018,{DOSE1}")]);
    assert_eq!(codes(&r), vec![(Code::N02, 2)]);
    assert_eq!(
        r.diagnostics[0].value.as_deref(),
        Some(crate::diag::REDACTED)
    );
}

#[test]
fn subject_registration_rules() {
    let l = layout("subject-registration", 7);
    let r = run(
        &l,
        &[
            "131016,1001,123456789018,0000000001,山田太郎,ヤマダタロウ,19600101,1,20210401",
            "271276,1002,110000000000,0000000002,山田花子,ﾔﾏﾀﾞﾊﾅｺ,19600101,2,20210401",
            "131016,1003,271828182840,0000000003,山田次郎,山田次郎,19600101,3,20210401",
            "131016,1004,500000000011,0000000004,山田三郎,ヤマダサブロウ,20300101,1,",
        ],
    );
    assert_eq!(
        codes(&r),
        vec![
            (Code::M03, 3),
            (Code::T07, 4),
            (Code::R02, 4),
            (Code::D05, 5)
        ]
    );
    let r = run_with(
        &l,
        &["131016,1001,123456789018,0000000001,山田太郎,ヤマダタロウ,19600101,1,"],
        ValidateOptions {
            tenant: Some("271276".parse().unwrap()),
            ..opts()
        },
    );
    assert_eq!(codes(&r), vec![(Code::M03, 2)]);
}

#[test]
fn flag_rules() {
    let l = layout("flags", 7);
    let r = run(
        &l,
        &[
            "131016,1001,,1,20220101,271276",
            "131016,,,2,20220101,",
            "131016,1003,,2,20220101,271276",
            "131016,1004,,1,20220101,131016",
            "131016,1005,,3,20990101,",
        ],
    );
    assert_eq!(
        codes(&r),
        vec![
            (Code::R01, 3),
            (Code::M04, 4),
            (Code::M04, 5),
            (Code::R02, 6),
            (Code::D02, 6)
        ]
    );
}

#[test]
fn dose_upload_rules_across_rows() {
    let l = layout("dose-upload", 1);
    let row = |voucher: &str, n: u8, date: &str, maker: &str, lot: &str, ocr: &str, addr: &str| {
        format!("131016,{voucher},{n},{date},会場,医師,{maker},{lot},{ocr},{addr},19600101")
    };
    let r = run(
        &l,
        &[
            &row(
                "0000000001",
                2,
                "20210622",
                "ファイザー",
                "FC3661",
                "",
                "1001",
            ),
            &row(
                "0000000001",
                1,
                "20210601",
                "ファイザー",
                "FA5765",
                "111310160000000001",
                "1001",
            ),
            &row(
                "0000000001",
                1,
                "20210602",
                "ファイザー",
                "FA5765",
                "",
                "1001",
            ),
            &row(
                "0000000002",
                1,
                "20210601",
                "ファイザー",
                "FA5765",
                "121310160000000009",
                "1002",
            ),
            &row(
                "0000000003",
                1,
                "20210701",
                "ファイザー",
                "FA5765",
                "",
                "1003",
            ),
            &row(
                "0000000003",
                2,
                "20210705",
                "武田/モデルナ",
                "3004667",
                "",
                "1003",
            ),
            &row(
                "0000000004",
                1,
                "20210701",
                "ファイザー",
                "FA5765",
                "",
                "1004",
            ),
            &row(
                "0000000004",
                3,
                "20220301",
                "ファイザー",
                "FA5765",
                "",
                "1004",
            ),
        ],
    );
    let c = codes(&r);
    assert!(c.contains(&(Code::S03, 4)), "{c:?}");
    assert!(
        c.contains(&(Code::V03, 5)) && c.contains(&(Code::V04, 5)),
        "{c:?}"
    );
    assert!(
        c.contains(&(Code::S04, 7)) && c.contains(&(Code::S06, 7)),
        "{c:?}"
    );
    assert!(c.contains(&(Code::S01, 9)), "{c:?}");
    assert!(
        !c.iter()
            .any(|(code, line)| *line == 2 || *line == 3 && *code != Code::S03),
        "{c:?}"
    );
    // Dose 2 read before dose 1: the pair rule reports on dose 2's line.
    let r = run(
        &l,
        &[
            &row(
                "0000000001",
                2,
                "20210601",
                "ファイザー",
                "FC3661",
                "",
                "1001",
            ),
            &row(
                "0000000001",
                1,
                "20210610",
                "ファイザー",
                "FA5765",
                "",
                "1001",
            ),
        ],
    );
    assert_eq!(codes(&r), vec![(Code::S02, 2)]);
}

#[test]
fn age_rule_needs_a_birth_date() {
    let l = layout("dose-upload", 1);
    let r = run(
        &l,
        &["131016,0000000001,1,20210601,会場,医師,ファイザー,FA5765,,1001,20150101"],
    );
    assert_eq!(codes(&r), vec![(Code::S05, 2)]);
}

#[test]
fn inquiry_result_status_must_match_doses() {
    // A result's dose block has no registration timestamp; the provider comes before it.
    let l = layout("batch-inquiry-result", 1);
    let dose = "20210601,0000012345,131016,区民会館,山田一郎,ファイザー,FA5765";
    let r = run(
        &l,
        &[
            "1001,一致,131016,,,,,,,",
            &format!("1002,該当なし,,{dose}"),
            &format!("1003,一致,131016,{}", dose.replace("12345", "12346")),
            "1004,不明,,,,,,,,",
            &format!("1005,一致,1310,{}", dose.replace("12345", "12347")),
        ],
    );
    assert_eq!(
        codes(&r),
        vec![
            (Code::Q01, 2),
            (Code::Q01, 3),
            (Code::R02, 5),
            (Code::M01, 6)
        ]
    );
    assert_eq!(l.columns.len(), 3 + 7);
}

#[test]
fn awaiting_list_addressee_must_be_empty() {
    let l = layout("awaiting-registration", 1);
    let r = run(
        &l,
        &[
            &format!(",{DOSE1}"),
            &format!("1002,{}", DOSE1.replace("12345", "12346")),
        ],
    );
    assert_eq!(codes(&r), vec![(Code::R02, 3)]);
}

#[test]
fn max_diagnostics_truncates_the_list_not_the_counts() {
    let l = layout("ledger-export", 1);
    let bad = format!("1001,{}", DOSE1.replace("131016", "131017"));
    let rows: Vec<String> = (0..10)
        .map(|i| {
            bad.replace("12345", &format!("1234{i}"))
                .replace("1001", &format!("100{i}"))
        })
        .collect();
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let r = run_with(
        &l,
        &refs,
        ValidateOptions {
            max_diagnostics: Some(3),
            ..opts()
        },
    );
    assert!(r.truncated);
    assert_eq!((r.errors, r.diagnostics.len()), (10, 3));
    assert_eq!(r.summary[0].count, 10);
}

#[test]
fn feeding_byte_by_byte_gives_the_same_report() {
    let l = layout("ledger-export", 2);
    let text = format!(
        "{}\r\n1001,{DOSE1},{DOSE2}\r\n1002,\"{}\"\r\n",
        header(&l),
        "x\r\ny"
    );
    let whole = validate_bytes(text.as_bytes(), l.clone(), opts());
    let mut v = Validator::new(
        l,
        ValidateOptions {
            encoding: EncodingChoice::Utf8,
            ..opts()
        },
    );
    for b in text.as_bytes() {
        v.feed(std::slice::from_ref(b));
    }
    assert_eq!(v.finish(), whole);
}

#[test]
fn writer_quotes_and_ends_lines_exactly() {
    let l = layout("batch-inquiry-request", 7);
    let mut w = CsvWriter::new(
        Vec::new(),
        l.clone(),
        WriteOptions {
            header: false,
            ..WriteOptions::default()
        },
    )
    .unwrap();
    w.write_fields(&["a\"b", "c\r\nd"]).unwrap();
    w.write_fields(&["", "x,y"]).unwrap();
    assert_eq!(
        w.finish().unwrap(),
        b"\"a\"\"b\",\"c\r\nd\"\r\n,\"x,y\"\r\n"
    );
    let mut w = CsvWriter::new(
        Vec::new(),
        l.clone(),
        WriteOptions {
            encoding: Encoding::Cp932,
            ..WriteOptions::default()
        },
    )
    .unwrap();
    let err = w.write_fields(&["1", "波〜"]).unwrap_err();
    assert!(err.to_string().contains("U+301C"), "{err}");
    assert!(matches!(
        w.write_fields(&["1"]),
        Err(WriteError::FieldCount {
            expected: 2,
            found: 1,
            ..
        })
    ));
    let bytes = w.finish().unwrap();
    assert_eq!(
        bytes,
        crate::text::encode_strict("個人番号,宛名番号\r\n", Encoding::Cp932)
            .unwrap()
            .as_ref(),
        "nothing of the failed rows was written"
    );
}

#[test]
fn a_download_record_cannot_go_to_another_layout() {
    let l = layout("batch-inquiry-request", 7);
    let mut w = CsvWriter::new(Vec::new(), l, WriteOptions::default()).unwrap();
    let row = AwaitingRow { doses: vec![] };
    assert!(matches!(
        w.write_record(&row),
        Err(WriteError::WrongLayout { .. })
    ));
}

#[test]
fn checked_writer_rejects_unencodable_rows_without_remembering_them() {
    let l = layout("batch-inquiry-request", 7);
    let write = WriteOptions {
        encoding: Encoding::Cp932,
        ..WriteOptions::default()
    };
    let mut w = CheckedWriter::new(Vec::new(), l, write, opts()).unwrap();
    w.set("my_number", "123456789018").unwrap();
    w.set("addressee_number", "〜1").unwrap();
    assert!(matches!(w.end_row(), Err(WriteError::Unencodable { .. })));
    w.set("my_number", "123456789018").unwrap();
    w.set("addressee_number", "1001").unwrap();
    assert!(
        w.end_row().unwrap().is_empty(),
        "the My Number of the rejected row is not remembered (no N03)"
    );
}

#[test]
fn checked_writer_applies_cross_row_rules() {
    let l = layout("ledger-export", 1);
    let mut w = CheckedWriter::new(Vec::new(), l.clone(), WriteOptions::default(), opts()).unwrap();
    let fields: Vec<&str> = std::iter::once("1001").chain(DOSE1.split(',')).collect();
    for (c, v) in l.columns.iter().zip(&fields) {
        w.set(&c.id, v).unwrap();
    }
    assert!(w.end_row().unwrap().is_empty());
    for (c, v) in l.columns.iter().zip(&fields) {
        w.set(&c.id, v).unwrap();
    }
    let err = w.end_row().unwrap_err();
    let WriteError::Invalid(diags) = err else {
        panic!("expected Invalid")
    };
    assert_eq!(
        diags.iter().map(|d| d.code).collect::<Vec<_>>(),
        vec![Code::S03, Code::V02]
    );
    assert!(matches!(
        w.set("nope", "x"),
        Err(WriteError::UnknownColumn { .. })
    ));
    // A rejected row leaves no trace: person 1002 is refused for another's voucher (V02), then
    // accepted with their own voucher — no S03, since the refused row was never written.
    for (c, v) in l.columns.iter().zip(&fields) {
        w.set(&c.id, &v.replace("1001", "1002")).unwrap();
    }
    assert!(
        matches!(w.end_row(), Err(WriteError::Invalid(d)) if d.len() == 1 && d[0].code == Code::V02)
    );
    for (c, v) in l.columns.iter().zip(&fields) {
        w.set(
            &c.id,
            &v.replace("0000012345", "0000099999")
                .replace("1001", "1002"),
        )
        .unwrap();
    }
    assert!(
        w.end_row().unwrap().is_empty(),
        "a row after a rejected one is judged on its own"
    );
    let (bytes, report) = w.finish().unwrap();
    assert_eq!(String::from_utf8(bytes).unwrap().lines().count(), 3);
    assert_eq!(report.errors, 3);
}

#[test]
fn a_character_split_across_quoted_fields_is_invalid_in_both() {
    // Quoted records keep their fields back to back: E3 | 81 82 would read as "あ" across the
    // boundary, yet each field alone is invalid UTF-8.
    let l = layout("batch-inquiry-request", 7);
    let mut bytes = format!("{}\r\n", header(&l)).into_bytes();
    bytes.extend_from_slice(b"\"\xE3\",\x81\x82\r\n");
    let r = validate_bytes(
        &bytes,
        l,
        ValidateOptions {
            encoding: EncodingChoice::Utf8,
            ..opts()
        },
    );
    let f01: Vec<Option<usize>> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::F01)
        .map(|d| d.field)
        .collect();
    assert_eq!(f01, vec![Some(1), Some(2)]);
}

/// Every output of a report, for checking that a value never appears in any.
fn every_rendering(r: &Report) -> String {
    use crate::diag::{render_junit, Lang};
    let mut out = String::new();
    for lang in [Lang::Ja, Lang::En] {
        out.push_str(&r.render_json(lang));
        out.push_str(&r.render_text(lang));
        out.push_str(&render_junit(std::slice::from_ref(r), lang));
    }
    out.push_str(&format!("{r:?}"));
    out
}

/// Issue 12 item 4(b): a My Number in the doctor column of a ledger file validated with no
/// error. Any column of a download layout holding one (12 digits, ASCII or full-width, alone
/// or within text, with a valid check digit) is N02, redacted everywhere.
#[test]
fn a_my_number_in_any_column_of_a_download_is_an_error() {
    let l = layout("ledger-export", 1);
    let canary = "123456789018";
    let wide = "１２３４５６７８９０１８";
    for (doctor, lot) in [
        (canary.to_owned(), "FA5765".to_owned()),
        (format!("山田{wide}"), "FA5765".to_owned()),
        ("山田一郎".to_owned(), canary.to_owned()),
    ] {
        let dose = DOSE1.replace("山田一郎", &doctor).replace("FA5765", &lot);
        let r = run(&l, &[&format!("1001,{dose}")]);
        assert_eq!(codes(&r), vec![(Code::N02, 2)], "{doctor} {lot}");
        assert_eq!(r.diagnostics[0].severity, Severity::Error);
        let all = every_rendering(&r);
        assert!(!all.contains(canary) && !all.contains(wide), "{all}");
    }
    // Not a My Number: 12 digits with a wrong check digit, a 14-digit timestamp, 13 digits.
    for doctor in ["123456789013", "医師20210601101500", "1234567890180"] {
        let r = run(
            &l,
            &[&format!("1001,{}", DOSE1.replace("山田一郎", doctor))],
        );
        assert!(
            !codes(&r).iter().any(|(c, _)| *c == Code::N02),
            "{doctor}: {:?}",
            codes(&r)
        );
    }
    // Upload layouts carry My Numbers where they belong: no N02 there.
    let up = layout("dose-upload", 1);
    let row = "131016,0000012345,1,20210601,区民会館,123456789018,ファイザー,FA5765,,1001,";
    let r = run(&up, &[row]);
    assert!(
        !codes(&r).iter().any(|(c, _)| *c == Code::N02),
        "{:?}",
        codes(&r)
    );
}

/// Issue 12 item 5: F02 echoed header cells, a My Number or a name among them. A header that
/// is really a data row is described by position and shape only.
#[test]
fn a_wrong_header_never_echoes_its_cells() {
    let l = layout("ledger-export", 1);
    let text = format!("123456789018,{DOSE1}\r\n1001,{DOSE1}\r\n");
    let r = validate_bytes(text.as_bytes(), l.clone(), opts());
    let f02 = r
        .diagnostics
        .iter()
        .find(|d| d.code == Code::F02)
        .expect("F02");
    assert!(
        f02.message_en.contains("column 1 is not \"個別宛名番号\""),
        "{}",
        f02.message_en
    );
    assert!(
        f02.message_en.contains("header row missing"),
        "{}",
        f02.message_en
    );
    // The header row's My Number is N02 too (a download).
    assert!(r
        .diagnostics
        .iter()
        .any(|d| d.code == Code::N02 && d.line == 1));
    let all = every_rendering(&r);
    for secret in ["123456789018", "山田一郎", "区民会館"] {
        assert!(!all.contains(secret), "{secret} in {all}");
    }
}

/// Issue 15 item 3: a ledger export with 5 dose blocks failed every row (F02, then F03 on each).
/// The header's block count is taken (an F02 info says so); forced, the F02 names the count.
#[test]
fn the_dose_block_count_comes_from_the_header() {
    let five = layout("ledger-export", 5);
    let seven = layout("ledger-export", 7);
    let empty = ",".repeat(8 * 4 - 1);
    let text = format!("{}\r\n1001,{DOSE1},{empty}\r\n", header(&five));
    let r = validate_bytes(text.as_bytes(), seven.clone(), opts());
    assert_eq!((r.errors, r.infos), (0, 1), "{:#?}", r.diagnostics);
    assert!(r.diagnostics[0]
        .message_en
        .contains("5 dose blocks (41 columns)"));
    let forced = ValidateOptions {
        dose_blocks_from_header: false,
        ..opts()
    };
    let r = validate_bytes(text.as_bytes(), seven, forced);
    assert_eq!(codes(&r), vec![(Code::F02, 1), (Code::F03, 2)]);
    assert!(r.diagnostics[0]
        .message_en
        .contains("has 5 dose blocks (41 columns), but 7"));
}

/// Issue 15 item 4: Excel damage was described by length or position only. The messages keep
/// that and name the damage, the fix and (when it can be trusted) the value it should be.
#[test]
fn spreadsheet_damage_is_named_with_the_fix() {
    let l = layout("subject-registration", 7);
    let row = |code: &str, voucher: &str, birth: &str| {
        format!("{code},1001,123456789018,{voucher},髙橋一郎,タカハシイチロウ,{birth},1,20210401")
    };
    let r = run(&l, &[&row("11002", "0000000001", "19600101")]);
    let d = &r.diagnostics[0];
    assert_eq!((d.code, d.value.as_deref()), (Code::M01, Some("11002")));
    assert!(d.message_ja.starts_with("自治体コード：6桁の数字でなければなりません（入力は5文字です）。先頭の0が1桁消えています"), "{}", d.message_ja);
    assert!(
        d.message_ja.contains("011002 なら検査数字も一致します"),
        "{}",
        d.message_ja
    );
    let r = run(&l, &[&row("1.31016E+05", "0000000001", "19600101")]);
    let d = &r.diagnostics[0];
    assert!(
        d.message_ja
            .contains("2文字目が半角数字ではありません。表計算ソフトが数値を指数表記"),
        "{}",
        d.message_ja
    );
    assert!(
        d.message_en.contains("131016 has a valid check digit"),
        "{}",
        d.message_en
    );
    let r = run(&l, &[&row("131016", "0000000001", "1960/1/1")]);
    let d = &r.diagnostics[0];
    assert_eq!(d.code, Code::D01);
    assert!(
        d.message_ja.contains("日付が区切り記号付き") && d.message_ja.contains("19600101"),
        "{}",
        d.message_ja
    );
    let r = run(&l, &[&row("131016", "12345", "S35.1.1")]);
    assert!(r
        .diagnostics
        .iter()
        .any(|d| d.code == Code::V01 && d.message_en.contains("probably 0000012345")));
    assert!(r.diagnostics.iter().any(|d| d.code == Code::D01
        && d.message_en.contains("Japanese era")
        && d.message_en.contains("19600101")));
}

/// Found by the `validate_flags` fuzz target: the first record with non-ASCII bytes decided the
/// encoding from its bytes as a whole, which hold the commas when the line arrived in one feed
/// and not when it was split across feeds; `\x89` `,` `\xE5\x40` is no CP932 with the comma and
/// CP932 without it, so the same file was read as CP932 or UTF-8 depending on how it was fed
/// (fuzz/regressions/validate_flags/encoding-decided-by-chunking).
#[test]
fn the_encoding_an_auto_detected_stream_decides_does_not_depend_on_the_feeds() {
    let l = layout("flags", 7);
    let text: &[u8] = b"\x89,\xE5\x40,1,1,20210701,\r\n131016,\xE3\x81\x82,1001,1,20210701,\r\n";
    let o = ValidateOptions {
        header: false,
        ..opts()
    };
    let fed = |chunks: &[&[u8]]| {
        let mut v = Validator::new(l.clone(), o.clone());
        for c in chunks {
            v.feed(c);
        }
        v.finish()
    };
    let at_once = fed(&[text]);
    assert_eq!(at_once.encoding, Some("utf-8"));
    let bytes: Vec<&[u8]> = text.chunks(1).collect();
    assert_eq!(fed(&bytes), at_once, "byte by byte");
    let (a, b) = text.split_at(3);
    assert_eq!(fed(&[a, b]), at_once, "split inside the first line");
    assert_eq!(
        crate::codec::validate_bytes(text, l.clone(), o.clone()),
        at_once,
        "the whole file"
    );
}

/// The provision log's subject and staff pseudonyms are hex: a 12-digit run inside one is not a
/// My Number (found by the synthetic provision-log files), while one typed next to kanji is.
#[test]
fn a_digit_run_touching_ascii_letters_is_not_a_my_number() {
    use super::field::contains_my_number;
    assert!(!contains_my_number("e3123456789018fa0b1c2d3e4f5a6b7c"));
    assert!(!contains_my_number("123456789018abcdef"));
    assert!(!contains_my_number("abcdef123456789018"));
    assert!(contains_my_number("123456789018"));
    assert!(contains_my_number("医師123456789018"));
    assert!(contains_my_number("医師 １２３４５６７８９０１８ 様"));
    assert!(contains_my_number("no. 123456789018"));
}
