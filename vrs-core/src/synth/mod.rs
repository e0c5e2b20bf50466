//! Deterministic synthetic test files for every layout.
//!
//! [`generate`] writes a complete file (header and rows) of any layout of [`crate::layout`],
//! with data that look real and pass the validator of [`crate::codec`] without a single error
//! or warning:
//!
//! - **Reproducible**: the same seed and options give byte-identical output on every
//!   platform. The generator has its own tiny PRNG (SplitMix64); it reads no clock.
//! - **Streaming**: rows go straight to the writer; memory does not depend on the number of
//!   rows.
//! - **One population per seed**: person *p* is the same person (name, birth date, doses,
//!   vouchers, addressee number, My Number) in the subject registration, the ledger export,
//!   the dose upload and the flags of one seed; the batch-inquiry request and result of one seed
//!   describe the same incoming residents row by row.
//! - **People**: kanji names with katakana readings from built-in lists of common names,
//!   including the non-JIS-X-0208 kanji 髙 and 﨑 (in 髙橋, 山﨑, ...) at a realistic rate of
//!   about 1 % of people (both are in CP932, so CP932 output works); birth dates 1920-2016
//!   following Japan's age structure.
//! - **Identifiers**: the tenant and every other municipality are real codes from
//!   [`crate::munis`]; addressee numbers (10 digits, no zero fill), voucher numbers and My
//!   Numbers (valid check digit) come from bijections of the row or person index, so they never
//!   collide and nothing is remembered. The My Numbers are synthetic: derived from the index,
//!   not taken from anyone, but since every valid number may be issued to someone, treat the
//!   files as test data only.
//! - **Vaccinations**: dose 1 mostly from February (health-care workers) to November 2021,
//!   earlier for the old (children 5-11 from February 2022, and a few late first doses up to
//!   2023); dose 2 with the same maker three or four weeks later; boosters from December 2021,
//!   at most one per campaign (the old and high-risk get up to seven doses, others up to five),
//!   with a realistic drop-off and some people never vaccinated; every interval
//!   and age checked against [`VaccineTables::default`](crate::vaccine::VaccineTables); makers
//!   mostly ファイザー and 武田/モデルナ, a few アストラゼネカ, 武田/ノババックス and 第一三共 when
//!   they were in use; lots shaped like the maker's (`FJ7489`, `3004667`); venue and doctor
//!   names; registration timestamps on the vaccination day or a few days later. Some residents
//!   moved in during the programme: their earlier doses carry the former municipality's code
//!   and voucher. Doses 1 and 2 share a voucher sheet; each booster has its own voucher. No
//!   date is after [`SynthOptions::as_of`].
//!
//! Per layout: the **ledger export** has one vaccinated resident per row; the
//! **awaiting-registration list** doses 1 (and usually 2) on unregistered vouchers, addressee
//! blank; the **subject registration** one row per voucher the tenant issued (every resident,
//! with My Number; unused booster vouchers too); the **flags** move-outs to other real tenants
//! and deaths after the last dose; the **dose upload** one row per dose given on the tenant's
//! vouchers, with the OCR line (type 1 + dose + municipality + voucher) on most rows; the
//! **batch-inquiry request** My Numbers and addressee numbers of recent incoming residents, and
//! the **result** 一致 with their doses (mostly under the former municipality) or 該当なし.
//!
//! ```
//! use vrs_core::codec::{validate_bytes, ValidateOptions, WriteOptions};
//! use vrs_core::layout::{self, LayoutParams};
//! use vrs_core::synth::{generate, SynthOptions};
//!
//! let layout = layout::find("subject-registration", &LayoutParams::default())?;
//! let options = SynthOptions { rows: 50, seed: 42, ..SynthOptions::default() };
//! let mut file = Vec::new();
//! let rows = generate(&layout, &options, WriteOptions::default(), &mut file)?;
//! assert_eq!(rows, 50);
//! let check = ValidateOptions { as_of: Some(options.as_of), ..ValidateOptions::default() };
//! let report = validate_bytes(&file, layout, check);
//! assert_eq!((report.rows, report.errors, report.warnings), (50, 0, 0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod ctx;
mod doses;
mod files;
pub(crate) mod names;
mod people;
mod rng;

use std::io::Write;

use crate::codec::{CsvWriter, WriteError, WriteOptions};
use crate::date::Date;
use crate::id::MunicipalityCode;
use crate::layout::Layout;

/// Largest number of rows [`generate`] writes in one file (the identifier bijections have
/// room for more; this keeps every index far from their limits).
pub const MAX_ROWS: u64 = 100_000_000;

/// Options of the generator.
///
/// ```
/// use vrs_core::date::Date;
/// use vrs_core::synth::SynthOptions;
///
/// let o = SynthOptions::default();
/// assert_eq!((o.rows, o.seed, o.tenant), (100, 1, None));
/// assert_eq!(o.as_of, Date::new(2024, 4, 1)?);
/// # Ok::<(), vrs_core::date::DateError>(())
/// ```
#[derive(Debug, Clone)]
pub struct SynthOptions {
    /// Data rows to write (at most [`MAX_ROWS`]).
    pub rows: u64,
    /// Same seed and options give byte-identical output.
    pub seed: u64,
    /// The municipality the file belongs to (a VRS tenant: city, special ward, town or village
    /// of [`crate::munis::tenants`]); `None` = chosen from the seed among the tenants.
    pub tenant: Option<MunicipalityCode>,
    /// File creation date: no generated date is later. At least 2021-02-17, the first day of
    /// the programme (default 2024-04-01).
    pub as_of: Date,
}

impl Default for SynthOptions {
    fn default() -> Self {
        // 2024-04-01, the day after the end of the special vaccination programme. (`Date::new`
        // cannot fail for this literal; the fallback only keeps this function panic-free.)
        let as_of = Date::new(2024, 4, 1).unwrap_or(Date::MAX);
        SynthOptions {
            rows: 100,
            seed: 1,
            tenant: None,
            as_of,
        }
    }
}

/// Writes a complete file (header + `options.rows` rows) of `layout` to `out` and returns the
/// number of rows written.
///
/// Streams: memory stays constant whatever `options.rows` is (nothing is kept per row;
/// uniqueness comes from bijections of the row index). Rows are written as typed records
/// through [`CsvWriter::write_record`], so a download-type file can never carry a My Number.
/// `layout` is identified by its `id`; the ledger export, the awaiting-registration list and
/// the batch-inquiry result may have any number of dose blocks (1..=9): people with more doses
/// than blocks show their first doses.
///
/// # Errors
///
/// [`WriteError::Io`] with kind [`InvalidInput`](std::io::ErrorKind::InvalidInput) for an
/// unknown layout ID, more than [`MAX_ROWS`] rows, a tenant that is not in the code table or
/// not a VRS tenant, or an `as_of` before 2021-02-17; otherwise the writer's errors (I/O, or a
/// column the encoding cannot hold).
///
/// ```
/// use vrs_core::codec::{WriteOptions};
/// use vrs_core::layout::{self, LayoutParams};
/// use vrs_core::synth::{generate, SynthOptions};
///
/// let layout = layout::find("ledger-export", &LayoutParams { dose_blocks: 3 })?;
/// let options = SynthOptions { rows: 2, seed: 7, tenant: Some("131016".parse()?), ..SynthOptions::default() };
/// let mut out = Vec::new();
/// assert_eq!(generate(&layout, &options, WriteOptions::default(), &mut out)?, 2);
/// let text = String::from_utf8(out)?;
/// let lines: Vec<&str> = text.split_terminator("\r\n").collect();
/// assert_eq!(lines.len(), 3);
/// assert!(lines[0].starts_with("個別宛名番号,1回目接種履歴登録日時,1回目接種日"));
/// // Same seed, same bytes.
/// let mut again = Vec::new();
/// generate(&layout, &options, WriteOptions::default(), &mut again)?;
/// assert_eq!(again, text.as_bytes());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn generate<W: Write>(
    layout: &Layout,
    options: &SynthOptions,
    write: WriteOptions,
    out: W,
) -> Result<u64, WriteError> {
    type Gen<W> = fn(&ctx::Ctx, &mut CsvWriter<W>, u64) -> Res<()>;
    let generator: Gen<W> = match layout.id {
        "ledger-export" => files::ledger,
        "awaiting-registration" => files::awaiting,
        "subject-registration" => files::subject_registration,
        "flags" => files::flags,
        "dose-upload" => files::dose_upload,
        "batch-inquiry-request" => files::batch_request,
        "batch-inquiry-result" => files::batch_result,
        other => return Err(bad_input(format!("no generator for layout {other:?}"))),
    };
    if options.rows > MAX_ROWS {
        return Err(bad_input(format!(
            "{} rows requested, at most {MAX_ROWS}",
            options.rows
        )));
    }
    let ctx = ctx::Ctx::new(options)?;
    let mut writer = CsvWriter::new(out, layout.clone(), write)?;
    generator(&ctx, &mut writer, options.rows)?;
    let rows = writer.rows();
    writer.finish()?;
    Ok(rows)
}

/// Result of the generator's internals.
pub(crate) type Res<T> = Result<T, WriteError>;

/// An error for options the generator cannot honour.
pub(crate) fn bad_input(message: String) -> WriteError {
    WriteError::Io(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        message,
    ))
}

/// Turns a "cannot happen" failure (a date or identifier built from values that are valid by
/// construction) into an error instead of a panic.
pub(crate) trait OrBug<T> {
    /// The value, or an error describing the failure.
    fn or_bug(self) -> Res<T>;
    /// The value, or an error naming `what` failed.
    fn or_bug_msg(self, what: &str) -> Res<T>;
}

fn internal(message: String) -> WriteError {
    WriteError::Io(std::io::Error::other(format!(
        "synthetic data generator: {message}"
    )))
}

impl<T, E: std::fmt::Display> OrBug<T> for Result<T, E> {
    fn or_bug(self) -> Res<T> {
        self.map_err(|e| internal(e.to_string()))
    }
    fn or_bug_msg(self, what: &str) -> Res<T> {
        self.map_err(|e| internal(format!("{what}: {e}")))
    }
}

impl<T> OrBug<T> for Option<T> {
    fn or_bug(self) -> Res<T> {
        self.ok_or_else(|| internal("missing value".to_owned()))
    }
    fn or_bug_msg(self, what: &str) -> Res<T> {
        self.ok_or_else(|| internal(what.to_owned()))
    }
}

#[cfg(test)]
mod tests;
