//! Reading, validating and writing VRS exchange files.
//!
//! - [`Validator`] / [`validate_reader`] / [`validate_bytes`]: stream a file through every rule
//!   of its layout and get a [`Report`](crate::diag::Report) of diagnostics with exact lines.
//! - [`CsvWriter`] writes typed records or raw rows as exact bytes; [`CheckedWriter`] checks
//!   each row with the validator's rules before writing it.
//! - [`RecordReader`] reads typed records back.
//!
//! Data flows one way: bytes → text → records → rules → diagnostics, and records → text → bytes.

mod bytes;
mod cross;
mod csv;
mod decide;
mod emit;
mod engine;
mod excel;
mod field;
mod header;
mod keyset;
mod options;
mod plan;
mod pool;
mod reader;
mod records;
mod rules;
mod sink;
mod validator;
mod writer;

pub use options::{ValidateOptions, WidthUnit, WriteOptions, DEFAULT_MAX_DIAGNOSTICS};
pub use reader::{ReadError, RecordReader};
pub use records::{
    AwaitingRow, BatchInquiryRequestRow, BatchInquiryResultRow, DoseEntry, DoseUploadRow, FlagKind,
    FlagRow, LayoutRecord, LedgerRow, MatchStatus, RecordError, Sex, SubjectRegistrationRow,
};
pub use validator::{validate_bytes, validate_reader, Validator};
pub use writer::{CheckedWriter, CsvWriter, WriteError};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod roundtrip;

#[cfg(test)]
mod pool_tests;

#[cfg(test)]
mod feeding_tests;
