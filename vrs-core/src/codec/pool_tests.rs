//! A file checked with worker threads gets exactly the report one thread builds: the same
//! diagnostics in the same order, the same counts, the same truncation.

use proptest::prelude::*;

use super::*;
use crate::date::Date;
use crate::layout::{self, Layout, LayoutParams};
use crate::synth::{self, SynthOptions};
use crate::text::Encoding;

fn layout(id: &str) -> Layout {
    layout::find(id, &LayoutParams::default()).unwrap()
}

fn generated(l: &Layout, rows: u64, seed: u64, encoding: Encoding) -> Vec<u8> {
    let options = SynthOptions {
        rows,
        seed,
        tenant: None,
        as_of: Date::new(2024, 4, 1).unwrap(),
    };
    let write = WriteOptions {
        encoding,
        ..WriteOptions::default()
    };
    let mut out = Vec::new();
    synth::generate(l, &options, write, &mut out).unwrap();
    out
}

/// A validator of `l` as of 2024-04-01 with `threads` threads and at most `max` diagnostics.
fn validator(l: &Layout, threads: usize, max: Option<usize>) -> Validator {
    let options = ValidateOptions {
        as_of: Some(Date::new(2024, 4, 1).unwrap()),
        max_diagnostics: max,
        threads,
        ..ValidateOptions::default()
    };
    Validator::new(l.clone(), options)
}

/// The report as JSON, validated with `threads` threads (workers from the first byte; with one
/// thread, each row's cross-row rules run right after its row rules, as without a pool), the
/// bytes fed in chunks of `chunk`.
fn report(bytes: &[u8], l: &Layout, threads: usize, max: Option<usize>, chunk: usize) -> String {
    pooled_report(bytes, l, threads, max, chunk, threads > 1)
}

/// [`report`], choosing whether rows go through the pool (on one thread: checked here and
/// their cross-row rules run in groups).
fn pooled_report(
    bytes: &[u8],
    l: &Layout,
    threads: usize,
    max: Option<usize>,
    chunk: usize,
    pooled: bool,
) -> String {
    let mut v = validator(l, threads, max);
    if pooled {
        v.parallel_from_the_start();
    } else {
        v.never_parallel();
    }
    for c in bytes.chunks(chunk.max(1)) {
        v.feed(c);
    }
    // The pool starts once the header has been read (it may change the layout).
    if !pooled {
        assert!(!v.has_pool());
    }
    v.finish().to_json()
}

/// [`pooled_report`] (pooled) with the file fed as text ([`Validator::feed_str`]), in chunks
/// of about `chunk` bytes cut at character boundaries.
fn text_report(text: &str, l: &Layout, threads: usize, max: Option<usize>, chunk: usize) -> String {
    let mut v = validator(l, threads, max);
    v.parallel_from_the_start();
    let mut rest = text;
    while !rest.is_empty() {
        let mut cut = chunk.max(1).min(rest.len());
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        let (part, tail) = rest.split_at(cut);
        v.feed_str(part);
        rest = tail;
    }
    v.finish().to_json()
}

fn assert_same(bytes: &[u8], l: &Layout, max: Option<usize>) {
    let alone = report(bytes, l, 1, max, bytes.len());
    if let Ok(text) = std::str::from_utf8(bytes) {
        for (threads, chunk) in [(1, bytes.len()), (2, bytes.len()), (2, 777), (3, 4096)] {
            assert_eq!(
                text_report(text, l, threads, max, chunk),
                alone,
                "{} fed as text with {threads} threads, chunks of {chunk}",
                l.id
            );
        }
    }
    for chunk in [bytes.len(), 777] {
        assert_eq!(
            pooled_report(bytes, l, 1, max, chunk, true),
            alone,
            "{} grouped on one thread, chunks of {chunk}",
            l.id
        );
    }
    for threads in [2, 3] {
        for chunk in [bytes.len(), 4096, 777] {
            assert_eq!(
                report(bytes, l, threads, max, chunk),
                alone,
                "{} with {threads} threads, chunks of {chunk}",
                l.id
            );
        }
    }
}

/// Line `n` (0-based, header = 0) of a CRLF file.
fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
        .filter(|l| !l.is_empty())
        .collect()
}

fn join(lines: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        out.extend_from_slice(l);
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[test]
fn every_layout_gets_the_same_report() {
    for id in crate::layout::LAYOUT_IDS {
        let l = layout(id);
        let bytes = generated(&l, 1500, 7, Encoding::Utf8);
        assert_same(&bytes, &l, None);
    }
}

#[test]
fn a_cp932_file_gets_the_same_report() {
    let l = layout("ledger-export");
    let bytes = generated(&l, 1200, 3, Encoding::Cp932);
    assert_same(&bytes, &l, None);
}

#[test]
fn findings_across_batches_match_with_and_without_a_limit() {
    let l = layout("ledger-export");
    let mut rows = lines(&generated(&l, 1400, 11, Encoding::Utf8));
    // Repeats far apart (S03, V02 across batches), broken rows of every structural kind.
    let early = rows[5].clone();
    rows.insert(1300, early);
    let voucher_reuse = rows[40].clone();
    rows[900] = voucher_reuse;
    rows[300] = b"too,few,fields".to_vec();
    rows[301].extend_from_slice(b"\x00");
    rows[302] = [&b"\"multi\r\nline\""[..], &rows[302][10..]].concat();
    // Full-width digits in the first dose date (F05).
    let text = String::from_utf8(rows[303].clone()).unwrap();
    let mut fields: Vec<String> = text.split(',').map(str::to_owned).collect();
    fields[2] = fields[2].replace('2', "２");
    rows[303] = fields.join(",").into_bytes();
    rows[304].splice(0..0, [0x82, 0xA0]);
    rows.insert(700, Vec::new());
    // A quote never closed runs to the end of the file: last.
    rows.push(b"\"never closed".to_vec());
    let bytes = join(&rows);
    assert_same(&bytes, &l, None);
    assert_same(&bytes, &l, Some(5));
    let all = report(&bytes, &l, 2, None, 4096);
    for code in ["S03", "V02", "F03", "F04", "F05", "F01"] {
        assert!(all.contains(&format!("\"{code}\"")), "{code} in {all}");
    }
}

#[test]
fn many_findings_and_repeats_in_large_groups_match() {
    // Thousands of findings (groups are applied early once 4,096 are waiting) and repeated
    // rows spread over more than one group of sorted seen-set lookups.
    let l = layout("ledger-export");
    let mut rows = lines(&generated(&l, 6000, 23, Encoding::Utf8));
    for i in (1..rows.len()).step_by(3) {
        // Dates and registration times of the form 2021…: the letter O instead of a zero.
        let broken: Vec<u8> = String::from_utf8(rows[i].clone())
            .unwrap()
            .replace(",202", ",2O2")
            .into_bytes();
        rows[i] = broken;
    }
    for (from, to) in [(10, 5000), (2, 5999), (4100, 4200), (700, 3100)] {
        rows[to] = rows[from].clone();
    }
    let bytes = join(&rows);
    let alone = report(&bytes, &l, 1, None, bytes.len());
    assert!(
        alone.contains("\"D01\"") && alone.contains("\"S03\""),
        "{alone}"
    );
    for (max, chunk) in [
        (None, bytes.len()),
        (Some(50), bytes.len()),
        (None, 100_000),
    ] {
        let expected = report(&bytes, &l, 1, max, chunk);
        let grouped = pooled_report(&bytes, &l, 1, max, chunk, true);
        assert_eq!(grouped, expected, "one thread, grouped: {max:?} {chunk}");
        assert_eq!(
            report(&bytes, &l, 2, max, chunk),
            expected,
            "{max:?} {chunk}"
        );
    }
}

#[test]
fn upload_rules_with_state_match() {
    // M03 (the first row's municipality is the tenant) and N03 (one My Number, one addressee
    // number) keep state across rows: both run on the calling thread, in file order.
    let l = layout("subject-registration");
    let mut rows = lines(&generated(&l, 1200, 5, Encoding::Utf8));
    let copy = rows[3].clone();
    rows[1000] = copy;
    let other_tenant = String::from_utf8(rows[800].clone())
        .unwrap()
        .replacen(',', ",X", 1)
        .into_bytes();
    rows[800] = other_tenant;
    let bytes = join(&rows);
    assert_same(&bytes, &l, None);
}

#[test]
fn odd_line_ends_and_quotes_between_simple_lines_match() {
    // Workers parse runs of simple lines themselves; the calling thread parses the rest. Every
    // kind of line that breaks a run, at run edges and in chunk seams, with LF-only lines too.
    let l = layout("ledger-export");
    let mut rows = lines(&generated(&l, 1300, 19, Encoding::Utf8));
    rows[100].extend_from_slice(b"\r"); // a CR before the CRLF: "\r\r\n"
    rows[200].insert(5, b'\r'); // a lone CR ends the record mid-line
    rows[300] = [&b"\""[..], &rows[300][..], &b"\""[..]].concat(); // quoted first field
    rows[301].push(b'"'); // a stray quote at the end
    rows.insert(400, Vec::new());
    rows.insert(401, Vec::new());
    rows[500] = [&rows[500][..], &b",\"spans\r\nthree\nlines\""[..]].concat();
    let mut bytes = join(&rows);
    // LF-only line ends in the second half.
    let half = bytes.len() / 2;
    let tail: Vec<u8> = bytes[half..]
        .windows(2)
        .filter(|w| w != b"\r\n")
        .map(|w| w[1])
        .collect();
    bytes.truncate(half + 1);
    bytes.extend_from_slice(&tail);
    // No line end after the last row.
    while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        bytes.pop();
    }
    assert_same(&bytes, &l, None);
    assert_same(&bytes, &l, Some(3));
}

#[test]
fn oversized_lines_match() {
    let l = layout("ledger-export");
    let bytes = generated(&l, 900, 23, Encoding::Utf8);
    let options = |threads| ValidateOptions {
        as_of: Some(Date::new(2024, 4, 1).unwrap()),
        max_record_bytes: 600,
        threads,
        ..ValidateOptions::default()
    };
    let run = |threads, chunk: usize| {
        let mut v = Validator::new(l.clone(), options(threads));
        v.parallel_from_the_start();
        for c in bytes.chunks(chunk) {
            v.feed(c);
        }
        v.finish().to_json()
    };
    let alone = run(1, bytes.len());
    assert!(alone.contains("\"F06\""), "some rows are over 600 bytes");
    for chunk in [bytes.len(), 1000] {
        let threaded = run(2, chunk);
        let diff: Vec<(&str, &str)> = threaded
            .lines()
            .zip(alone.lines())
            .filter(|(a, b)| a != b)
            .take(6)
            .collect();
        assert!(diff.is_empty(), "chunks of {chunk}: {diff:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn structural_bytes_anywhere_get_the_same_report(
        seed in 0u64..1000,
        edits in proptest::collection::vec(
            (0usize..1_000_000, prop_oneof![Just(b'"'), Just(b'\r'), Just(b'\n'), Just(b','), Just(0u8)]),
            0..30,
        ),
        chunk in 200usize..5000,
    ) {
        let l = layout("ledger-export");
        let mut bytes = generated(&l, 500, seed, Encoding::Utf8);
        for (at, byte) in edits {
            let at = at % bytes.len();
            bytes.insert(at, byte);
        }
        let alone = report(&bytes, &l, 1, None, bytes.len());
        prop_assert_eq!(report(&bytes, &l, 2, None, chunk), alone);
    }

    #[test]
    fn damaged_files_get_the_same_report(
        seed in 0u64..1000,
        edits in proptest::collection::vec((0usize..1_000_000, any::<u8>()), 0..40),
        repeats in proptest::collection::vec((0usize..700, 0usize..700), 0..6),
    ) {
        let l = layout("ledger-export");
        let mut rows = lines(&generated(&l, 700, seed, Encoding::Utf8));
        for (from, to) in repeats {
            let row = rows[1 + from % (rows.len() - 1)].clone();
            let at = 1 + to % (rows.len() - 1);
            rows[at] = row;
        }
        let mut bytes = join(&rows);
        for (at, byte) in edits {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        let alone = report(&bytes, &l, 1, None, bytes.len());
        prop_assert_eq!(report(&bytes, &l, 2, None, 3000), alone.clone());
        prop_assert_eq!(report(&bytes, &l, 2, Some(7), 3000), report(&bytes, &l, 1, Some(7), 3000));
    }
}
