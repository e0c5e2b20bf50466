//! The same bytes give the same report however they are fed (whole, in chunks, from a
//! reader), real CP932 names are never taken for mixed encodings, a declared encoding the file
//! does not read as is said once, and diagnostics stay bounded on a file full of errors.

use std::sync::{Arc, Mutex};

use proptest::prelude::*;

use super::*;
use crate::date::Date;
use crate::diag::{Code, Diagnostic, Report, Severity};
use crate::id::MyNumber;
use crate::layout::{self, Layout, LayoutParams};
use crate::synth::names::{FEMALE, MALE, SURNAMES};
use crate::text::{encode_strict, Encoding, EncodingChoice};

fn layout(id: &str) -> Layout {
    layout::find(id, &LayoutParams::default()).unwrap()
}

fn opts() -> ValidateOptions {
    ValidateOptions {
        as_of: Some(Date::new(2024, 4, 1).unwrap()),
        ..ValidateOptions::default()
    }
}

fn cp932(s: &str) -> Vec<u8> {
    encode_strict(s, Encoding::Cp932).unwrap().into_owned()
}

/// The report of `bytes` fed in chunks of the given sizes (cycled).
fn fed(bytes: &[u8], l: &Layout, o: ValidateOptions, sizes: &[usize]) -> Report {
    let mut v = Validator::new(l.clone(), o);
    let mut rest = bytes;
    for size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let n = (*size).clamp(1, rest.len());
        v.feed(&rest[..n]);
        rest = &rest[n..];
    }
    v.finish()
}

/// A registration row for person `i` with this name and reading.
fn registration_row(i: u64, name: &str, kana: &str) -> String {
    let my_number = MyNumber::from_eleven_digits(&format!("{:011}", 10_000_000 + i)).unwrap();
    format!(
        "131016,{},{},{:010},{name},{kana},19800101,2,20210501\r\n",
        1000 + i,
        my_number.expose_secret(),
        12345 + i
    )
}

/// Katakana to half-width katakana, as a health system writing ﾅｶ ﾏｷ does.
fn half_width(kana: &str) -> String {
    const FULL: &str = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンァィゥェォャュョッー";
    const HALF: &str = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｧｨｩｪｫｬｭｮｯｰ";
    const VOICED: &str = "ガギグゲゴザジズゼゾダヂヅデドバビブベボ";
    const VOICED_BASE: &str = "カキクケコサシスセソタチツテトハヒフヘホ";
    const SEMI: &str = "パピプペポ";
    const SEMI_BASE: &str = "ハヒフヘホ";
    let map = |c: char, from: &str, to: &str| {
        from.chars()
            .position(|f| f == c)
            .and_then(|i| to.chars().nth(i))
    };
    let mut out = String::new();
    for c in kana.chars() {
        if let Some(base) = map(c, VOICED, VOICED_BASE) {
            out.extend(map(base, FULL, HALF));
            out.push('ﾞ');
        } else if let Some(base) = map(c, SEMI, SEMI_BASE) {
            out.extend(map(base, FULL, HALF));
            out.push('ﾟ');
        } else if c == '　' {
            out.push(' ');
        } else {
            out.push(map(c, FULL, HALF).unwrap_or(c));
        }
    }
    out
}

/// Issue 15 item 1: a field whose CP932 bytes are also valid UTF-8 (ﾅｶ ﾏｷ = C5 B6 20 CF B7,
/// 德 = ED 9E) was "UTF-8 mixed in" (F01), even with the encoding declared. Thousands of real
/// names in CP932 — kanji, full- and half-width kana, NEC and IBM extension characters — give
/// no F01 and no F07, however the file is fed.
#[test]
fn real_names_in_cp932_are_never_mixed_encodings() {
    let l = layout("subject-registration");
    let mut text = format!("{}\r\n", l.header().join(","));
    let mut i = 0u64;
    let mut add = |text: &mut String, name: &str, kana: &str| {
        text.push_str(&registration_row(i, name, kana));
        i += 1;
    };
    // The issue's row, and names with the characters it names.
    add(&mut text, "中 真紀", "ﾅｶ ﾏｷ");
    add(&mut text, "德永 瑞希", "ﾄｸﾅｶﾞ ﾐｽﾞｷ");
    for extra in ["髙橋 ①子", "山﨑 ㈱", "德田 ⅰ", "神﨑 №"] {
        add(&mut text, extra, "ﾃｽﾄ");
    }
    let givens: Vec<_> = MALE
        .iter()
        .chain(FEMALE.iter())
        .flat_map(|g| g.iter())
        .collect();
    for (s, (surname, surname_kana, _)) in SURNAMES.iter().enumerate() {
        for (g, (given, given_kana, _)) in givens.iter().enumerate() {
            let name = format!("{surname} {given}");
            let reading = format!("{surname_kana} {given_kana}");
            let kana = match (s + g) % 3 {
                0 => half_width(&reading),
                1 => reading.replace(' ', "　"),
                _ => reading,
            };
            add(&mut text, &name, &kana);
        }
    }
    let rows = i;
    assert!(rows > 3_000, "{rows} names");
    let bytes = cp932(&text);
    let check = |r: &Report, how: &str| {
        let mixed: Vec<&Diagnostic> = r
            .diagnostics
            .iter()
            .filter(|d| matches!(d.code, Code::F01 | Code::F07))
            .collect();
        assert!(mixed.is_empty(), "{how}: {mixed:#?}");
        assert_eq!(
            (r.encoding, r.rows, r.errors),
            (Some("cp932"), rows, 0),
            "{how}: {:#?}",
            r.summary
        );
    };
    for choice in [EncodingChoice::Auto, EncodingChoice::Cp932] {
        let o = ValidateOptions {
            encoding: choice,
            ..opts()
        };
        check(&validate_bytes(&bytes, l.clone(), o.clone()), "whole");
        check(&fed(&bytes, &l, o.clone(), &[1, 7, 4096, 3]), "chunks");
        let read = validate_reader(&bytes[..], l.clone(), o).unwrap();
        check(&read, "reader");
    }
    // Without the header, the first row decides alone: still CP932.
    let no_header = cp932(&registration_row(0, "中 真紀", "ﾅｶ ﾏｷ"));
    let o = ValidateOptions {
        header: false,
        ..opts()
    };
    let r = validate_bytes(&no_header, l.clone(), o.clone());
    assert_eq!(r.errors, 0, "{:#?}", r.diagnostics);
}

/// UTF-8 Japanese in a CP932 file whose bytes also decode as CP932 (mojibake): a warning that
/// says how likely mixing is, not an error; bytes that do not decode are F01 naming the mix.
#[test]
fn signs_of_mixed_encodings_are_warnings_with_their_likelihood() {
    let l = layout("subject-registration");
    let mut bytes = cp932(&format!("{}\r\n", l.header().join(",")));
    bytes.extend(cp932(&registration_row(0, "中 真紀", "ナカ マキ")));
    // 山田 in UTF-8 (E5 B1 B1 E7 94 B0) is also valid CP932 (two kanji, two half-width kana).
    let utf8 = registration_row(1, "山田", "ヤマダ");
    let (name_at, name_end) = {
        let at = utf8.find("山田").unwrap();
        (at, at + "山田".len())
    };
    bytes.extend(cp932(&utf8[..name_at]));
    bytes.extend(&utf8.as_bytes()[name_at..name_end]);
    bytes.extend(cp932(&utf8[name_end..]));
    let r = validate_bytes(&bytes, l.clone(), opts());
    assert_eq!(r.encoding, Some("cp932"));
    let f07: Vec<&Diagnostic> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::F07)
        .collect();
    assert_eq!(f07.len(), 1, "{:#?}", r.diagnostics);
    assert_eq!((f07[0].severity, f07[0].line), (Severity::Warning, 3));
    assert!(
        f07[0].message_en.contains("probably a UTF-8 field"),
        "{}",
        f07[0].message_en
    );
    assert!(f07[0].message_ja.contains("山田"), "{}", f07[0].message_ja);
    // A UTF-8 kana name that is not valid CP932: an error naming the mix.
    let mut broken = cp932(&format!("{}\r\n", l.header().join(",")));
    broken.extend(cp932(&registration_row(0, "中 真紀", "ナカ マキ")));
    broken.extend(registration_row(1, "山田 花子", "ヤマダ ハナコ").as_bytes());
    let r = validate_bytes(&broken, l, opts());
    assert_eq!(r.encoding, Some("cp932"));
    assert!(
        r.diagnostics.iter().any(|d| d.code == Code::F01
            && d.line == 3
            && d.message_en
                .contains("which reads as UTF-8: the file mixes encodings")),
        "{:#?}",
        r.diagnostics
    );
}

/// Issue 15 item 2: a UTF-8 file declared CP932 got 568 F01 lines and a confusing F02. Now one
/// F01 says the file reads as UTF-8 and it is checked as UTF-8.
#[test]
fn a_declared_encoding_the_file_does_not_read_as_is_said_once() {
    let sample = include_bytes!("../../../examples/data/ledger-export.sample.csv");
    let l = layout("ledger-export");
    let o = ValidateOptions {
        encoding: EncodingChoice::Cp932,
        ..opts()
    };
    for r in [
        validate_bytes(sample, l.clone(), o.clone()),
        fed(sample, &l, o.clone(), &[5, 300]),
    ] {
        assert_eq!(r.encoding, Some("utf-8"));
        assert_eq!(r.errors, 1, "{:#?}", r.diagnostics);
        let d = &r.diagnostics[0];
        assert_eq!((d.code, d.line), (Code::F01, 1));
        assert!(
            d.message_en.contains("declared CP932") && d.message_en.contains("reads as UTF-8"),
            "{}",
            d.message_en
        );
        assert!(
            d.message_ja.contains("UTF-8 として検査しました"),
            "{}",
            d.message_ja
        );
    }
    // The other way round: a CP932 file declared UTF-8.
    let cp = cp932(std::str::from_utf8(sample).unwrap());
    let r = validate_bytes(
        &cp,
        l.clone(),
        ValidateOptions {
            encoding: EncodingChoice::Utf8,
            ..opts()
        },
    );
    assert_eq!(
        (r.encoding, r.errors),
        (Some("cp932"), 1),
        "{:#?}",
        r.diagnostics
    );
    // Declared as it is: nothing to say.
    let r = validate_bytes(
        sample,
        l,
        ValidateOptions {
            encoding: EncodingChoice::Utf8,
            ..opts()
        },
    );
    assert_eq!(r.errors, 0);
}

/// A few rows with CP932 and UTF-8 pieces, ASCII and stray bytes, header or not.
fn mixed_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"131016,".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\"a,\r\nb\",".to_vec()),
        Just(cp932("中 真紀,")),
        Just(cp932("ﾅｶ ﾏｷ,")),
        Just(cp932("德永,")),
        Just("山田,".as_bytes().to_vec()),
        Just("ファイザー,".as_bytes().to_vec()),
        Just(vec![0x80, 0x90]),
        Just(vec![0xAA, 0x2C, 0xFA, 0x0D, 0x83, 0x40]),
        proptest::collection::vec(any::<u8>(), 1..4),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Issue 12 item 6: by name the whole file decided the encoding while streams decided on
    /// their first record (`80 90`: CP932 whole, UTF-8 streamed). Now the whole file, any
    /// chunks and a reader give the same report, whatever the bytes and the options.
    #[test]
    fn every_feeding_gives_the_same_report(
        bytes in mixed_bytes(),
        sizes in proptest::collection::vec(1usize..9, 1..6),
        header in any::<bool>(),
        choice in prop_oneof![Just(EncodingChoice::Auto), Just(EncodingChoice::Utf8), Just(EncodingChoice::Cp932)],
        id in prop_oneof![Just("flags"), Just("subject-registration"), Just("ledger-export")],
    ) {
        let l = layout(id);
        let o = ValidateOptions { header, encoding: choice, threads: 1, ..opts() };
        let whole = validate_bytes(&bytes, l.clone(), o.clone()).to_json();
        prop_assert_eq!(&fed(&bytes, &l, o.clone(), &sizes).to_json(), &whole);
        prop_assert_eq!(&fed(&bytes, &l, o.clone(), &[bytes.len().max(1)]).to_json(), &whole);
        let read = validate_reader(&bytes[..], l.clone(), o).unwrap().to_json();
        prop_assert_eq!(&read, &whole);
    }
}

#[test]
fn the_issues_byte_sequences_read_alike_by_every_path() {
    for (bytes, header) in [
        (&b"\x80\x90"[..], true),
        (b"\xaa\x2c\xfa\x0d\x83\x40", false),
    ] {
        let l = layout("flags");
        let o = ValidateOptions { header, ..opts() };
        let whole = validate_bytes(bytes, l.clone(), o.clone());
        assert_eq!(whole.encoding, Some("cp932"));
        for size in 1..=bytes.len() {
            assert_eq!(fed(bytes, &l, o.clone(), &[size]), whole, "{size}");
        }
    }
}

/// A ledger file with U+0001 in every field of every row.
fn control_characters_everywhere(rows: usize) -> Vec<u8> {
    let l = layout("ledger-export");
    let mut text = format!("{}\r\n", l.header().join(","));
    let row = vec!["\u{1}"; l.columns.len()].join(",");
    for _ in 0..rows {
        text.push_str(&row);
        text.push_str("\r\n");
    }
    text.into_bytes()
}

/// Issue 12 item 3: diagnostics are bounded by default (the first 1,000 kept, all counted),
/// with worker threads too; a line repeats a finding for 3 fields, then folds the rest.
#[test]
fn a_file_full_of_errors_keeps_the_first_diagnostics_and_counts_all() {
    let l = layout("ledger-export");
    let rows = 3_000;
    let bytes = control_characters_everywhere(rows);
    let mut reports = Vec::new();
    for threads in [1, 2] {
        let mut v = Validator::new(l.clone(), ValidateOptions { threads, ..opts() });
        v.parallel_from_the_start();
        v.feed(&bytes);
        reports.push(v.finish());
    }
    let r = &reports[0];
    assert_eq!(reports[1], *r, "threads change nothing");
    assert_eq!(r.diagnostics.len(), DEFAULT_MAX_DIAGNOSTICS);
    assert!(r.truncated);
    // Per line: 3 F04 in full, then one that folds the other 54 fields.
    assert_eq!(r.errors, 4 * rows as u64);
    let line2: Vec<&Diagnostic> = r.diagnostics.iter().filter(|d| d.line == 2).collect();
    assert_eq!(line2.len(), 4);
    assert!(
        line2[3]
            .message_en
            .starts_with("54 more fields of this line have the same finding (F04)"),
        "{}",
        line2[3].message_en
    );
    let f04 = r.summary.iter().find(|s| s.code == Code::F04).unwrap();
    assert_eq!(
        (f04.count, f04.first_lines.clone()),
        (4 * rows as u64, vec![2, 2, 2])
    );
}

/// Every diagnostic, streamed as found, is the unlimited report's, with the same counts.
#[test]
fn streamed_diagnostics_are_the_unlimited_reports() {
    let l = layout("ledger-export");
    let mut bytes = control_characters_everywhere(2_500);
    bytes.extend_from_slice(b"1001,20210601101500,20210631\r\n");
    for threads in [1, 2] {
        let o = ValidateOptions {
            threads,
            max_diagnostics: None,
            ..opts()
        };
        let mut all = Validator::new(l.clone(), o.clone());
        all.parallel_from_the_start();
        all.feed(&bytes);
        let all = all.finish();
        assert!(!all.truncated && all.diagnostics.len() as u64 == all.errors);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let mut v =
            Validator::streaming(l.clone(), o, move |d| sink.lock().unwrap().push(d.clone()));
        v.parallel_from_the_start();
        v.feed(&bytes);
        let streamed = v.finish();
        let mut seen = seen.lock().unwrap().clone();
        seen.sort_by_key(|d| d.line);
        assert_eq!(seen, all.diagnostics);
        assert_eq!(
            (streamed.errors, &streamed.summary),
            (all.errors, &all.summary)
        );
        assert!(streamed.diagnostics.is_empty());
    }
}
