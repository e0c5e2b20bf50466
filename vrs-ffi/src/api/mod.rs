//! The uniffi interface: Python module `vrs`, Kotlin package `jp.vrs`, Swift module `Vrs`.
//!
//! The same capabilities as the C ABI, in each language's idiom. Every item converts its
//! arguments, calls [`vrs_core`] and converts the result back; the only error type is
//! [`VrsError`]. Input is validated in constructors and functions that return `Result`, never
//! in type conversions.
//!
//! - identifiers: [`check_id`], [`id_problem`], [`id_problem_ja`],
//!   [`municipality_check_digit`], [`my_number_check_digit`], [`parse_ocr_line`],
//!   [`format_ocr_line`], [`municipality_name`];
//! - validation: [`Validator`] (streaming: `feed` / `finish`), [`validate_bytes`],
//!   [`ValidateOptions`], the [`Report`] with its [`Diagnostic`]s;
//! - writing: [`Writer`] checks each row with the validator's rules and returns the bytes;
//! - [`layouts`] / [`layout`]: the layouts with their column IDs and names; [`version`];
//! - the registry: [`Registry`] (over a store directory, or in memory) with operations taking
//!   the calling [`Principal`], [`create_key_dir`], and result records ([`ImportOutcome`],
//!   [`DoseConfirmation`], [`SubjectDoses`], [`Stats`], [`AuditVerification`]...).
//!
//! The generated bindings are checked in under `bindings/` (regenerate with
//! `bindings/generate.sh`). In Python:
//!
//! ```python
//! import vrs
//! vrs.check_id(vrs.IdKind.MY_NUMBER, "123456789018")          # True
//! report = vrs.validate_bytes("ledger-export", data, vrs.ValidateOptions(as_of="2021-12-01"))
//! for d in report.diagnostics():
//!     print(d.line, d.code, d.message_en)
//! ```
//!
//! Names follow each language: `check_id` / `IdKind.MY_NUMBER` in Python, `checkId` /
//! `IdKind.MY_NUMBER` in Kotlin, `checkId(kind:value:)` / `.myNumber` in Swift; errors are `vrs.VrsError.<Variant>` in Python,
//! `jp.vrs.VrsException.<Variant>` in Kotlin, `VrsError.<Variant>(message:)` in Swift.

mod error;
mod id;
mod registry;
mod report;
mod retention;
mod validator;
mod writer;

pub use error::VrsError;
pub use id::{
    check_id, format_ocr_line, id_problem, id_problem_ja, municipality_check_digit,
    municipality_name, my_number_check_digit, parse_ocr_line, IdKind, OcrLine,
};
pub use registry::{
    create_key_dir, AuditEntry, AuditVerification, Dimension, DoseChange, DoseConfirmation,
    DoseCorrection, DoseHistoryEntry, DoseInput, DoseView, ExportOptions, Flag, FlagView,
    ImportMode, ImportOutcome, IntegrityFinding, KeyRotation, Principal, Registry, RegistryOptions,
    RejectedRow, Stats, StatsCell, StoreVerification, SubjectDoses, SubjectRef,
};
pub use report::{Diagnostic, Report, Severity, SummaryEntry};
pub use retention::{
    DoseRetention, KeptCounts, ProvisionOutcome, ProvisionSelection, PurgeOutcome, RemovalCounts,
    RetentionList,
};
pub use validator::{validate_bytes, ValidateOptions, Validator};
pub use writer::{Writer, WriterOptions};

use vrs_core::date::Date;
use vrs_core::id::MunicipalityCode;
use vrs_core::layout::{self as core_layout, LayoutParams};

/// The version of the library (the `vrs` crates' version, e.g. `0.1.0`).
#[uniffi::export]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// A text encoding of exchange files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Encoding {
    /// UTF-8 (on input a leading byte-order mark is accepted).
    Utf8,
    /// CP932 / Windows-31J (Microsoft's Shift_JIS).
    Cp932,
}

impl From<Encoding> for vrs_core::text::Encoding {
    fn from(e: Encoding) -> Self {
        match e {
            Encoding::Utf8 => vrs_core::text::Encoding::Utf8,
            Encoding::Cp932 => vrs_core::text::Encoding::Cp932,
        }
    }
}

/// The language of messages in rendered reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Lang {
    /// Japanese (the default of `vrs-conformance`).
    Ja,
    /// English.
    En,
}

impl From<Lang> for vrs_core::diag::Lang {
    fn from(l: Lang) -> Self {
        match l {
            Lang::Ja => vrs_core::diag::Lang::Ja,
            Lang::En => vrs_core::diag::Lang::En,
        }
    }
}

/// Whether a file goes to VRS or comes from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Direction {
    /// Uploaded by a municipality to VRS.
    Upload,
    /// Downloaded from VRS (never carries a My Number).
    Download,
}

/// Whether a column must hold a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Requirement {
    /// Always required (R01 when empty).
    Required,
    /// May be empty.
    Optional,
    /// Required when any field of its dose block is filled (B01 when empty).
    InBlock,
    /// Must be empty.
    Empty,
}

/// How sure the layout tables are of a column or layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Provenance {
    /// Stated in a public source.
    Confirmed,
    /// Follows closely from a public source.
    Inferred,
    /// A working model: check against the official layout before release.
    Modelled,
}

fn provenance(p: core_layout::Provenance) -> Provenance {
    match p {
        core_layout::Provenance::Confirmed => Provenance::Confirmed,
        core_layout::Provenance::Inferred => Provenance::Inferred,
        core_layout::Provenance::Modelled => Provenance::Modelled,
    }
}

/// One column of a layout.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ColumnInfo {
    /// Stable ASCII ID, used by [`Writer::set`], e.g. `dose1_vaccinated_on`.
    pub id: String,
    /// Japanese name as in the header row, e.g. `1回目接種日`.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
    /// Whether a value is required.
    pub requirement: Requirement,
    /// Maximum characters for text, exact digits for codes, when the layout says.
    pub width: Option<u16>,
    /// How sure we are of this column.
    pub provenance: Provenance,
}

/// A layout with its columns.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LayoutInfo {
    /// Stable ID, e.g. `ledger-export`.
    pub id: String,
    /// Layout version.
    pub version: String,
    /// Japanese name, e.g. `予防接種台帳向け出力`.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
    /// Upload or download.
    pub direction: Direction,
    /// Dose blocks (8 columns each) of block layouts, 1 for one-row-per-dose, else 0.
    pub dose_blocks: u8,
    /// A short description.
    pub description: String,
    /// How sure we are of the layout as a whole.
    pub provenance: Provenance,
    /// The columns in file order.
    pub columns: Vec<ColumnInfo>,
}

impl From<&core_layout::Layout> for LayoutInfo {
    fn from(l: &core_layout::Layout) -> Self {
        LayoutInfo {
            id: l.id.to_owned(),
            version: l.version.to_owned(),
            name_ja: l.name_ja.to_owned(),
            name_en: l.name_en.to_owned(),
            direction: match l.direction {
                core_layout::Direction::Upload => Direction::Upload,
                core_layout::Direction::Download => Direction::Download,
            },
            dose_blocks: l.dose_blocks,
            description: l.description.to_owned(),
            provenance: provenance(l.provenance),
            columns: l
                .columns
                .iter()
                .map(|c| ColumnInfo {
                    id: c.id.clone(),
                    name_ja: c.name_ja.clone(),
                    name_en: c.name_en.clone(),
                    requirement: match c.requirement {
                        core_layout::Requirement::Required => Requirement::Required,
                        core_layout::Requirement::Optional => Requirement::Optional,
                        core_layout::Requirement::InBlock => Requirement::InBlock,
                        core_layout::Requirement::Empty => Requirement::Empty,
                    },
                    width: c.width,
                    provenance: provenance(c.provenance),
                })
                .collect(),
        }
    }
}

/// Every layout, in display order, with block layouts built with `dose_blocks` blocks.
///
/// # Errors
/// [`VrsError::Layout`] when `dose_blocks` is outside 1..=9.
#[uniffi::export(default(dose_blocks = 7))]
pub fn layouts(dose_blocks: u8) -> Result<Vec<LayoutInfo>, VrsError> {
    core_layout::LAYOUT_IDS
        .iter()
        .map(|id| find_layout(id, dose_blocks).map(|l| LayoutInfo::from(&l)))
        .collect()
}

/// One layout by ID (`ledger-export`) or `id@version`.
///
/// # Errors
/// [`VrsError::Layout`] for an unknown ID or a `dose_blocks` outside 1..=9.
#[uniffi::export(default(dose_blocks = 7))]
pub fn layout(id: String, dose_blocks: u8) -> Result<LayoutInfo, VrsError> {
    find_layout(&id, dose_blocks).map(|l| LayoutInfo::from(&l))
}

/// Finds a core layout, converting the error.
pub(crate) fn find_layout(id: &str, dose_blocks: u8) -> Result<core_layout::Layout, VrsError> {
    Ok(core_layout::find(id, &LayoutParams { dose_blocks })?)
}

/// Parses an optional date option given as `YYYY-MM-DD` or `YYYYMMDD`.
pub(crate) fn parse_date(what: &str, s: Option<&str>) -> Result<Option<Date>, VrsError> {
    s.map(|s| parse_date_arg(what, s)).transpose()
}

/// Parses a date argument given as `YYYY-MM-DD` or `YYYYMMDD`.
pub(crate) fn parse_date_arg(what: &str, s: &str) -> Result<Date, VrsError> {
    let parsed = if s.contains('-') {
        Date::parse_iso(s)
    } else {
        Date::parse_yyyymmdd(s)
    };
    parsed.map_err(|e| VrsError::date(what, &e))
}

/// Parses an optional tenant (uploading municipality) code.
pub(crate) fn parse_tenant(s: Option<&str>) -> Result<Option<MunicipalityCode>, VrsError> {
    s.map(|s| MunicipalityCode::parse(s).map_err(|e| VrsError::id_option("tenant", &e)))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_follow_the_dose_blocks() {
        let all = layouts(3).unwrap();
        assert_eq!(all.len(), core_layout::LAYOUT_IDS.len());
        let ledger = all.iter().find(|l| l.id == "ledger-export").unwrap();
        assert_eq!(ledger.columns.len(), 1 + 3 * 8);
        assert_eq!(ledger.columns[2].name_ja, "1回目接種日");
        assert_eq!(ledger.columns[2].id, "dose1_vaccinated_on");
        assert_eq!(ledger.direction, Direction::Download);
        assert!(matches!(layouts(0), Err(VrsError::Layout(_))));
        assert!(matches!(layouts(10), Err(VrsError::Layout(_))));
        assert!(matches!(layout("nope".into(), 7), Err(VrsError::Layout(_))));
    }

    #[test]
    fn dates_accept_both_forms() {
        let d = parse_date("as_of", Some("2021-12-01")).unwrap();
        assert_eq!(d, parse_date("as_of", Some("20211201")).unwrap());
        assert_eq!(parse_date("as_of", None).unwrap(), None);
        let err = parse_date("as_of", Some("2021-02-30")).unwrap_err();
        assert!(matches!(err, VrsError::InvalidArgument(_)));
        assert!(err.to_string().starts_with("as_of: "), "{err}");
    }

    #[test]
    fn tenant_errors_never_echo_the_input() {
        let err = parse_tenant(Some("131017")).unwrap_err();
        assert!(!err.to_string().contains("131017"), "{err}");
        assert_eq!(
            parse_tenant(Some("131016")).unwrap().unwrap().as_str(),
            "131016"
        );
    }
}
