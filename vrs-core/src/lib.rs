//! # vrs-core
//!
//! The record model and exchange files of Japan's COVID-19 Vaccination Record System (VRS,
//! ワクチン接種記録システム), for the vendors of municipal health-management systems.
//!
//! - [`id`]: validated identifiers (municipality codes, My Number, vouchers, OCR lines).
//! - [`text`]: strict UTF-8 / CP932 decoding and encoding, width normalisation.
//! - [`date`]: `YYYYMMDD`, `YYYYMMDDHHMMSS` and Japanese era dates (和暦).
//! - [`vaccine`]: manufacturers, lots, dose numbers, interval and age rules as data tables.
//! - [`munis`]: the table of real local-government codes.
//! - [`diag`]: diagnostics with stable codes and Japanese/English messages, reports.
//! - [`layout`]: the exchange-file layouts, as data.
//! - [`codec`]: the streaming validator and the writer.
//! - [`retention`]: how long records are kept (the dated policy of 施行規則 第3条 and 附則第17条).
//! - [`synth`]: deterministic synthetic test files for every layout.
//! - [`registry`]: the VRS record model, embeddable: municipalities as tenants, principals and
//!   roles, subject and voucher imports, doses by OCR line, flags, ledger exports, suppressed
//!   statistics and a tamper-evident audit log.
//! - [`store`]: where the registry keeps its sealed records: the [`Store`](store::Store) trait,
//!   an in-memory store and the embedded SQLite store (feature `sqlite`, on by default), and
//!   key files for development ([`FileKeyProvider`](store::FileKeyProvider)).
//! - [`crypto`]: keys and sealing: the [`KeyProvider`](crypto::KeyProvider) trait your HSM or
//!   KMS implements, per-tenant keys, AES-256-GCM sealed records and pseudonymous record keys.
//!
//! Files first (the validator, below), then the registry (see [`registry`] for a whole flow:
//! import, dose by OCR line, audit). The repository's `README.md` has the tours for Rust, C and
//! Python.
//!
//! ```
//! use vrs_core::codec::{validate_bytes, ValidateOptions};
//! use vrs_core::layout::{self, LayoutParams};
//!
//! let layout = layout::find("ledger-export", &LayoutParams { dose_blocks: 1 }).unwrap();
//! let file = "個別宛名番号,1回目接種履歴登録日時,1回目接種日,1回目券番号,1回目接種自治体コード,\
//!             1回目接種会場名,1回目接種医師名,1回目ワクチンメーカー,1回目ワクチンロット番号\r\n\
//!             1001,20210601120000,20210601,0000012345,131017,区民会館,山田一郎,ファイザー,FA5765\r\n";
//! let report = validate_bytes(file.as_bytes(), layout, ValidateOptions::default());
//! assert_eq!(report.errors, 1);
//! let d = &report.diagnostics[0];
//! assert_eq!((d.code.as_str(), d.line, d.column.as_deref()), ("M01", 2, Some("1回目接種自治体コード")));
//! assert_eq!(d.message_en, "dose 1 municipality code: check digit should be 6, found 7");
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod codec;
pub mod crypto;
pub mod date;
pub mod diag;
pub mod id;
pub mod layout;
pub mod munis;
mod par;
pub mod registry;
pub mod retention;
pub mod store;
pub mod synth;
pub mod text;
pub mod vaccine;

// The Rust programs of the README run as doc tests, so that a newcomer's first copy and paste
// compiles and runs (its C and Python programs run from vrs-ffi's tests). README.ja.md has the
// same programs with translated comments (tests/tour.rs checks that).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
