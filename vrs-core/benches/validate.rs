//! Validation throughput against a floor measured in the same run.
//!
//! The floor is the `csv` crate's `ByteRecord` reader going over the same bytes and doing nothing
//! else. The target: `vrs_validate` at least 0.5x the floor's throughput. `vrs_validate` uses
//! the default threads (one per core: the calling thread splits the file into runs of lines and
//! runs the cross-row rules, the others parse and check rows); `vrs_validate_one_thread` shows
//! the calling thread alone.
//!
//! ```text
//! cargo bench -p vrs-core --bench validate            # 1,000,000-row ledger export
//! VRS_BENCH_ROWS=100000 cargo bench -p vrs-core --bench validate
//! ```

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

use vrs_core::codec::{validate_bytes, ValidateOptions, WriteOptions};
use vrs_core::date::Date;
use vrs_core::layout::{self, LayoutParams};
use vrs_core::synth::{self, SynthOptions};

fn rows() -> u64 {
    std::env::var("VRS_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn bench(c: &mut Criterion) {
    let layout = layout::find("ledger-export", &LayoutParams::default()).expect("layout");
    let as_of = Date::new(2024, 4, 1).expect("date");
    let options = SynthOptions {
        rows: rows(),
        seed: 42,
        tenant: None,
        as_of,
    };
    let mut file = Vec::new();
    synth::generate(&layout, &options, WriteOptions::default(), &mut file).expect("generate");
    eprintln!(
        "ledger export: {} rows, {} MiB",
        options.rows,
        file.len() >> 20
    );

    let mut group = c.benchmark_group("ledger-export");
    group.throughput(Throughput::Bytes(file.len() as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.warm_up_time(Duration::from_secs(2));

    group.bench_function("csv_byte_record_floor", |b| {
        b.iter(|| {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(true)
                .from_reader(&file[..]);
            let mut record = csv::ByteRecord::new();
            let mut n = 0u64;
            while reader.read_byte_record(&mut record).expect("csv") {
                n += 1;
            }
            black_box(n)
        });
    });

    for (name, threads) in [("vrs_validate", 0), ("vrs_validate_one_thread", 1)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let opts = ValidateOptions {
                    as_of: Some(as_of),
                    threads,
                    ..ValidateOptions::default()
                };
                let report = validate_bytes(black_box(&file), layout.clone(), opts);
                assert_eq!(report.errors, 0);
                black_box(report.rows)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
