//! The cost of the C ABI: checking 1,000,000 identifiers (a mix of valid and invalid
//! municipality codes, My Numbers, voucher numbers and OCR lines) through the `extern "C"`
//! function `vrs_id_check` versus the same checks through `vrs-core` directly.
//!
//! ```sh
//! cargo bench -p vrs-ffi --bench c_abi
//! ```
//!
//! After criterion's report, prints `throughput ratio c_abi/rust` from a best-of-5 timing of
//! each path (target: at least 0.8, i.e. the C ABI costs at most 25% more per identifier).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion, Throughput};
use vrs::capi::{
    vrs_id_check, vrs_id_kind, VRS_ID_MUNICIPALITY_CODE, VRS_ID_MY_NUMBER, VRS_ID_OCR_LINE,
    VRS_ID_VOUCHER_NUMBER, VRS_OK,
};
use vrs_core::id::{MunicipalityCode, MyNumber, OcrLine, VoucherNumber};

/// How many identifiers one iteration checks.
const COUNT: usize = 1_000_000;

/// A small deterministic generator (64-bit LCG), so every run checks the same identifiers.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }
}

/// Replaces the last digit by another one: the check digit no longer matches.
fn break_last_digit(s: &str) -> String {
    let (head, last) = s.split_at(s.len() - 1);
    let d = last.as_bytes()[0] - b'0';
    format!("{head}{}", (d + 1) % 10)
}

fn municipality(rng: &mut Lcg) -> String {
    let pref = 1 + rng.next() % 47;
    let five = format!("{pref:02}{}", rng.digits(3));
    MunicipalityCode::from_five_digits(&five)
        .map(|c| c.as_str().to_owned())
        .unwrap_or(five)
}

/// One identifier: kinds in turn, every third one invalid.
fn identifier(i: usize, rng: &mut Lcg) -> (vrs_id_kind, String) {
    let invalid = i % 3 == 2;
    match i % 4 {
        0 => {
            let code = municipality(rng);
            let code = if invalid {
                break_last_digit(&code)
            } else {
                code
            };
            (VRS_ID_MUNICIPALITY_CODE, code)
        }
        1 => {
            let eleven = rng.digits(11);
            let n = MyNumber::from_eleven_digits(&eleven)
                .map(|n| n.expose_secret().to_owned())
                .unwrap_or(eleven);
            (
                VRS_ID_MY_NUMBER,
                if invalid { break_last_digit(&n) } else { n },
            )
        }
        2 => {
            let v = rng.digits(10);
            (
                VRS_ID_VOUCHER_NUMBER,
                if invalid { v[..9].to_owned() } else { v },
            )
        }
        _ => {
            let muni = municipality(rng);
            let muni = if invalid {
                break_last_digit(&muni)
            } else {
                muni
            };
            let line = format!(
                "{}{}{muni}{}",
                rng.next() % 3,
                1 + rng.next() % 9,
                rng.digits(10)
            );
            (VRS_ID_OCR_LINE, line)
        }
    }
}

fn identifiers() -> Vec<(vrs_id_kind, String)> {
    let mut rng = Lcg(0x5eed);
    (0..COUNT).map(|i| identifier(i, &mut rng)).collect()
}

/// Valid identifiers among `ids`, checked through the C ABI.
fn count_c_abi(ids: &[(vrs_id_kind, String)]) -> usize {
    ids.iter()
        .filter(|(kind, s)| {
            let s = black_box(s.as_bytes());
            // SAFETY: `s` is a live slice of `s.len()` bytes.
            unsafe { vrs_id_check(black_box(*kind), s.as_ptr(), s.len()) == VRS_OK }
        })
        .count()
}

/// Valid identifiers among `ids`, checked through `vrs-core` (text already known to be UTF-8).
fn count_rust(ids: &[(vrs_id_kind, String)]) -> usize {
    ids.iter()
        .filter(|(kind, s)| {
            let s = black_box(s.as_str());
            match black_box(*kind) {
                VRS_ID_MUNICIPALITY_CODE => MunicipalityCode::parse(s).is_ok(),
                VRS_ID_MY_NUMBER => MyNumber::parse(s).is_ok(),
                VRS_ID_VOUCHER_NUMBER => VoucherNumber::parse(s).is_ok(),
                VRS_ID_OCR_LINE => OcrLine::parse(s).is_ok(),
                _ => false,
            }
        })
        .count()
}

fn bench(c: &mut Criterion) {
    let ids = identifiers();
    assert_eq!(count_c_abi(&ids), count_rust(&ids));
    let mut group = c.benchmark_group("check_1m_identifiers");
    group.throughput(Throughput::Elements(COUNT as u64));
    group.sample_size(10);
    group.bench_function("c_abi", |b| b.iter(|| count_c_abi(black_box(&ids))));
    group.bench_function("rust", |b| b.iter(|| count_rust(black_box(&ids))));
    group.finish();
}

/// The fastest of `runs` timings of `f`.
fn best_of(runs: usize, mut f: impl FnMut() -> usize) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Prints the throughput ratio of the two paths.
fn ratio() {
    let ids = identifiers();
    let valid = count_rust(&ids);
    let c_abi = best_of(5, || count_c_abi(&ids));
    let rust = best_of(5, || count_rust(&ids));
    let per = |d: Duration| d.as_nanos() as f64 / COUNT as f64;
    println!(
        "{COUNT} identifiers ({valid} valid): c_abi {:.1} ns/id, rust {:.1} ns/id, \
         throughput ratio c_abi/rust = {:.3} (target >= 0.8)",
        per(c_abi),
        per(rust),
        rust.as_secs_f64() / c_abi.as_secs_f64()
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo test --benches` runs this binary in test mode: skip the extra timing there.
    if !std::env::args().any(|a| a == "--test") {
        ratio();
    }
}
