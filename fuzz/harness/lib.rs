//! The bodies of the fuzz targets, one module per target family. Each module is a plain file
//! that the stable replay tests also compile (with `#[path]`), so every corpus and regression
//! input runs under `cargo test` without a nightly toolchain:
//!
//! | module | replayed by |
//! |---|---|
//! | `validate`, `text`, `ids`, `dates`, `sealed` | `vrs-core/tests/fuzz_replay.rs` |
//! | `ffi` | `vrs-ffi/tests/fuzz_replay.rs` |
//! | `scenario`, `manifest` | `tests/tests/fuzz_replay.rs` |
//!
//! A module uses only `crate::input` besides the crates its replay test can see; `replay` is the
//! replay tests' loop over the input files.

pub mod input;
pub mod replay;

pub mod dates;
pub mod ffi;
pub mod ids;
pub mod manifest;
pub mod scenario;
pub mod sealed;
pub mod text;
pub mod validate;
