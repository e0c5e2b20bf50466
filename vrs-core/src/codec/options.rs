//! Options of the validator and the writer.

use std::sync::Arc;

use crate::date::Date;
use crate::id::{AddresseeNumber, MunicipalityCode};
use crate::retention::RetentionPolicy;
use crate::text::{Encoding, EncodingChoice};
use crate::vaccine::VaccineTables;

/// How text widths are counted (reference §6.1: unknown whether VRS counts characters or
/// Shift_JIS bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WidthUnit {
    /// Count Unicode characters (default).
    #[default]
    Chars,
    /// Count bytes in CP932 (a full-width character counts 2).
    Cp932Bytes,
}

/// Diagnostics a report keeps in full by default ([`ValidateOptions::max_diagnostics`]).
pub const DEFAULT_MAX_DIAGNOSTICS: usize = 1000;

/// What the validator checks and how.
///
/// ```
/// use vrs_core::codec::{ValidateOptions, DEFAULT_MAX_DIAGNOSTICS};
/// let opts = ValidateOptions::default();
/// assert_eq!(opts.max_diagnostics, Some(DEFAULT_MAX_DIAGNOSTICS));
/// let opts = ValidateOptions { max_diagnostics: Some(100), ..opts };
/// assert!(opts.header);
/// ```
#[derive(Debug, Clone)]
pub struct ValidateOptions {
    /// Encoding of the input: auto-detected (default), UTF-8 or CP932.
    pub encoding: EncodingChoice,
    /// Keep at most this many diagnostics in the report, the first ones found (default
    /// [`DEFAULT_MAX_DIAGNOSTICS`], 1,000); the counts and the per-code summary still cover
    /// every one, and [`Report::truncated`](crate::diag::Report::truncated) says when some were
    /// left out. Memory then stays bounded whatever the file holds. `None` keeps every
    /// diagnostic: memory grows with the findings (a file with an error in every field has
    /// millions). To see every diagnostic of any file in bounded memory, stream them instead
    /// ([`Validator::streaming`](super::Validator::streaming)).
    pub max_diagnostics: Option<usize>,
    /// The file's creation date: dates after it are in the future (D02, D05). `None` skips
    /// those checks (the library reads no clock; the command line passes today's date).
    pub as_of: Option<Date>,
    /// The uploading municipality (M03). `None`: the first row's code is taken as the tenant.
    pub tenant: Option<MunicipalityCode>,
    /// Full-width digits in digits fields are normalised and reported as a warning (`true`,
    /// default) or reported as an error (`false`).
    pub normalize_fullwidth: bool,
    /// The file starts with a header row of the layout's Japanese column names (default `true`).
    pub header: bool,
    /// A block layout (ledger export, awaiting-registration list, batch-inquiry result) whose
    /// header row has another number of dose blocks (1..=9) is checked with the header's
    /// number, with an F02 info saying so (`true`, default); `false` keeps the layout's number
    /// and reports the header (F02 error, naming the count it has).
    pub dose_blocks_from_header: bool,
    /// Accepted voucher types, the first digit of the OCR line (V05; default `[1, 2]`).
    pub voucher_types: Vec<u8>,
    /// In the subject registration upload, the My Number may be empty only when this is `false`
    /// (a tenant configured "no My Number"). Default `true`.
    pub require_my_number: bool,
    /// A municipality-code check-digit mismatch is an error (`true`, default) or a warning.
    pub strict_municipality_check_digit: bool,
    /// Warn (M02) when a municipality code is not in the built-in code table (default `true`).
    pub check_code_table: bool,
    /// How text widths are counted.
    pub width_unit: WidthUnit,
    /// Maximum characters of an addressee number (default 15).
    pub addressee_max_chars: usize,
    /// Records larger than this many bytes are skipped with F06 (default 1 MiB).
    pub max_record_bytes: usize,
    /// Vaccine tables: manufacturers, intervals, ages, programme window.
    pub tables: Arc<VaccineTables>,
    /// The dated retention policy behind L03 (a dose past its retention on `as_of`).
    pub retention: Arc<RetentionPolicy>,
    /// Threads validating a large file (over 1 MiB), the calling thread included: it parses
    /// the file, runs the cross-row rules and checks rows when the other threads are busy.
    /// `0` (default) = one per available core (at most 8); `1` = the calling thread alone.
    /// The report is the same whatever the number.
    pub threads: usize,
}

impl ValidateOptions {
    /// [`threads`](Self::threads) with `0` resolved to the available cores (at most 8).
    pub(crate) fn resolved_threads(&self) -> usize {
        match self.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get().min(8)),
            n => n,
        }
    }
}

impl Default for ValidateOptions {
    fn default() -> Self {
        ValidateOptions {
            encoding: EncodingChoice::Auto,
            max_diagnostics: Some(DEFAULT_MAX_DIAGNOSTICS),
            as_of: None,
            tenant: None,
            normalize_fullwidth: true,
            header: true,
            dose_blocks_from_header: true,
            voucher_types: vec![1, 2],
            require_my_number: true,
            strict_municipality_check_digit: true,
            check_code_table: true,
            width_unit: WidthUnit::Chars,
            addressee_max_chars: AddresseeNumber::DEFAULT_MAX_CHARS,
            max_record_bytes: 1 << 20,
            tables: Arc::new(VaccineTables::default()),
            retention: Arc::new(RetentionPolicy::default()),
            threads: 0,
        }
    }
}

/// How the writer writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// Output encoding (default UTF-8).
    pub encoding: Encoding,
    /// Write a UTF-8 byte-order mark first (default `false`; ignored for CP932).
    pub bom: bool,
    /// Write the header row (default `true`).
    pub header: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            encoding: Encoding::Utf8,
            bom: false,
            header: true,
        }
    }
}
