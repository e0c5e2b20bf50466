//! Batch inquiry (一括照会), answered at once: VRS matched the uploaded My Numbers overnight and
//! offered the result the next morning; here the result file comes back from the call.
//!
//! The request file (`batch-inquiry-request`, version 1: My Number and addressee number;
//! version 2 adds the former municipality per row) is validated with its layout first: rows with
//! problems get diagnostics and are not asked; every other row is answered exactly as
//! [`Registry::inquire`] answers one request, with the same log entries (marked with the
//! batch's ID). The result (`batch-inquiry-result`) goes through the checked writer: one row per
//! request row and providing municipality, or one 該当なし row; keyed by the requester's
//! addressee number, never carrying the My Number.
//!
//! Where the time goes, and what runs beside what (a batch of 100,000 against 1,000,000 people:
//! README, "Benchmarks"): the look-up reads each stage's records in key order, split over two
//! SQLite connections ([`Store::visit_many`](crate::store::Store::visit_many)), each record
//! opened on the thread that read it; the result file is written on a second thread while this
//! one stores the log entries (in their compact binary form: their bytes were most of the cost);
//! the commit follows when both are done, so a result that cannot be written (e.g. a venue name
//! outside CP932) leaves no log entry behind. The look-up's million small allocations are freed
//! on another core while the commit is written ([`Ctx::free_beside_commit`](super::Ctx)).

use std::collections::HashMap;
use std::io::Write;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::codec::{
    validate_bytes, BatchInquiryRequestRow, BatchInquiryResultRow, CheckedWriter, InquiryDoseEntry,
    MatchStatus, ReadError, RecordReader, ValidateOptions, WriteOptions,
};
use crate::crypto::{RecordKey, RecordKind};
use crate::diag::{looks_like_my_number, Code, Report};
use crate::id::{MunicipalityCode, VoucherKey, VoucherNumber};
use crate::layout::{self, Layout, LayoutParams};
use crate::par;
use crate::text::Encoding;

use super::access::Access;
use super::error::RegistryError;
use super::import::{error_lines, find_layout, list_rejection, RejectedRow};
use super::inquiry::{self, check_basis, check_form_ref, Asked, Found, LegalBasis, Wanted};
use super::inquiry_index::InquiryIndex;
use super::log_entry::Shared;
use super::model;
use super::principal::Principal;
use super::provision_log::LogBook;
use super::Registry;

/// Dose blocks in a result file unless a dose number needs more.
const DEFAULT_BLOCKS: u8 = 7;

/// Bytes reserved per result row (a row with two doses takes about 200).
const ROW_BYTES: usize = 320;

/// The most reserved for a result file up front (a larger one grows as it is written).
const RESERVE_CAP: usize = 256 << 20;

/// How a batch is asked and its result written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchInquiryOptions {
    /// The legal basis of every row (batch inquiry came with the "consent difficult to obtain"
    /// route, but consent is accepted where the policy allows it).
    pub legal_basis: LegalBasis,
    /// Every person's identity was verified (required with consent).
    pub identity_verified: bool,
    /// Encoding, header and BOM of the result file.
    pub write: WriteOptions,
}

impl BatchInquiryOptions {
    /// Options with `legal_basis`, identity not verified, and the default result encoding
    /// (UTF-8 without BOM, header row, CRLF).
    pub fn new(legal_basis: LegalBasis) -> BatchInquiryOptions {
        BatchInquiryOptions {
            legal_basis,
            identity_verified: false,
            write: WriteOptions::default(),
        }
    }
}

/// What a batch inquiry did. Holds no My Number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchInquiryOutcome {
    /// The batch's ID, as its log entries carry it (32 hex digits).
    pub batch_id: String,
    /// Data rows in the request file.
    pub rows: u64,
    /// Rows asked and answered.
    pub answered: u64,
    /// Answered rows with records somewhere (一致).
    pub matched: u64,
    /// Answered rows without (該当なし).
    pub no_match: u64,
    /// Rows not asked (validation errors, duplicates, a row naming the requester itself).
    pub rejected: u64,
    /// The first 1,000 rejected rows.
    pub rejected_rows: Vec<RejectedRow>,
    /// Rows in the result file (one per answered row and providing municipality).
    pub result_rows: u64,
    /// The validation report of the request file.
    pub validation: Report,
}

/// One request row that will be asked.
struct Asking {
    line: u64,
    row: BatchInquiryRequestRow,
    /// The key of the number's inquiry-index entry.
    index_key: RecordKey,
}

/// Validates `file` with version 1 of the request layout, or version 2 when only that one
/// reads its header.
fn validate(file: &[u8], options: &ValidateOptions) -> Result<(Layout, Report), RegistryError> {
    let v1 = find_layout("batch-inquiry-request")?;
    let report = validate_bytes(file, v1.clone(), options.clone());
    let header_bad = |r: &Report| {
        r.diagnostics
            .iter()
            .any(|d| d.line <= 1 && d.severity == crate::diag::Severity::Error)
    };
    if header_bad(&report) {
        let v2 = find_layout("batch-inquiry-request@2")?;
        let second = validate_bytes(file, v2.clone(), options.clone());
        if !header_bad(&second) {
            return Ok((v2, second));
        }
    }
    Ok((v1, report))
}

impl Registry {
    /// Answers a batch-inquiry request file uploaded by staff of the new municipality and
    /// writes the `batch-inquiry-result` file to `out` (一括照会). Every valid row is asked of
    /// every other municipality (or of the former municipality its row names) and logged as
    /// [`Registry::inquire`] would log it, all in one transaction: either every row is answered
    /// and logged, or nothing is. The result is written to `out` after the transaction
    /// committed.
    ///
    /// A file whose header cannot be read answers nothing: every row is rejected and the result
    /// file holds only its header.
    ///
    /// # Errors
    /// [`RegistryError::Forbidden`] (not staff, basis not accepted on the day, consent without
    /// identity verification), [`RegistryError::InvalidInput`] (a malformed consent form
    /// reference), [`RegistryError::Export`] (the result cannot be encoded, e.g. a venue name
    /// outside CP932, or `out` fails), store and key failures.
    pub fn batch_inquire(
        &mut self,
        principal: &Principal,
        file: &[u8],
        options: &BatchInquiryOptions,
        out: &mut dyn Write,
    ) -> Result<BatchInquiryOutcome, RegistryError> {
        if let LegalBasis::Consent { form_ref } = &options.legal_basis {
            check_form_ref(form_ref)?;
        }
        let Some(requester) = principal.tenant().copied() else {
            return self.refuse_without_area(
                principal,
                "batch-inquire",
                "only a municipality's staff may inquire",
            );
        };
        let user = self.user_pseudonym(principal);
        let index = self.inquiry_index.clone();
        let (outcome, bytes) = self.run(
            principal,
            "batch-inquire",
            Some(&requester),
            Access::Staff,
            |ctx| {
                check_basis(
                    &ctx.config.inquiry_policy,
                    &options.legal_basis,
                    options.identity_verified,
                    ctx.now.date,
                )?;
                let area = ctx.area()?;
                let check = ValidateOptions {
                    as_of: Some(ctx.now.date),
                    tables: ctx.config.tables.clone(),
                    ..ValidateOptions::default()
                };
                let (layout, report) = validate(file, &check)?;
                let mut outcome = BatchInquiryOutcome {
                    batch_id: batch_id(&area, file, ctx.now),
                    rows: report.rows,
                    answered: 0,
                    matched: 0,
                    no_match: 0,
                    rejected: 0,
                    rejected_rows: Vec::new(),
                    result_rows: 0,
                    validation: report,
                };
                let asking = rows_to_ask(file, layout, &requester, &index, &mut outcome);
                let wanted: Vec<Wanted<'_>> = asking
                    .iter()
                    .map(|a| Wanted {
                        digits: a.row.my_number.expose_secret(),
                        index_key: a.index_key,
                        former: a.row.former,
                    })
                    .collect();
                let found =
                    inquiry::look_up_many(ctx.store, ctx.areas, &index, &requester, &wanted)?;
                let mut book = LogBook::new(Shared {
                    requester,
                    at: ctx.now.to_string(),
                    basis: options.legal_basis.kind(),
                    form_ref: options.legal_basis.form_ref().map(str::to_owned),
                    identity_verified: options.identity_verified,
                    batch: Some(outcome.batch_id.clone()),
                    user: user.clone(),
                });
                let rows: Vec<(&Asking, &Vec<Found>)> = asking.iter().zip(&found).collect();
                let entries = par::map(&rows, |(a, f)| {
                    let asked = Asked {
                        requester: &area,
                        former: a.row.former,
                        digits: a.row.my_number.expose_secret(),
                        reference: a.row.addressee.as_str(),
                    };
                    inquiry::log_entries(&asked, f)
                });
                for (area, entry) in entries.into_iter().flatten() {
                    book.add(area, entry);
                }
                for f in &found {
                    if f.iter().any(|x| !x.doses.is_empty()) {
                        outcome.matched += 1;
                    } else {
                        outcome.no_match += 1;
                    }
                }
                outcome.answered = asking.len() as u64;
                // The result file needs nothing from the store: it is written on another core
                // while this one writes the log entries.
                let (written, logged) = std::thread::scope(|s| {
                    // It copies what it needs and frees nothing of `found`: a free on this
                    // thread of memory from the look-up's threads takes their allocator arena's
                    // lock, which the thread storing the log entries keeps taking (glibc), and
                    // the two then wait on each other. `found` is freed after both are done,
                    // beside the commit.
                    let result = s.spawn(|| write_result(&asking, &found, &options.write));
                    let logged = book.write(ctx.store);
                    // A panic while writing the result is re-raised here, as without a thread.
                    let written = result
                        .join()
                        .unwrap_or_else(|p| std::panic::resume_unwind(p));
                    (written, logged)
                });
                drop((wanted, rows));
                ctx.free_beside_commit((asking, found, book));
                logged?;
                let (bytes, result_rows) = written?;
                outcome.result_rows = result_rows;
                Ok((outcome, bytes))
            },
        )?;
        out.write_all(&bytes)
            .and_then(|()| out.flush())
            .map_err(|e| RegistryError::Export(e.to_string()))?;
        Ok(outcome)
    }
}

/// A batch's ID: a keyed hash (the requester's key) of the file and the time, so it names the
/// batch without revealing anything about the file's content.
fn batch_id(area: &super::area::Area, file: &[u8], now: crate::date::DateTime) -> String {
    let mut h = Sha256::new();
    h.update(file);
    h.update(model::stamp(now).to_be_bytes());
    let digest: [u8; 32] = h.finalize().into();
    area.key(RecordKind::InquiryBatch, &digest).to_hex()
}

/// The rows to ask, in file order; the others are counted and listed in `outcome`.
fn rows_to_ask(
    file: &[u8],
    layout: Layout,
    requester: &MunicipalityCode,
    index: &InquiryIndex,
    outcome: &mut BatchInquiryOutcome,
) -> Vec<Asking> {
    let (bad_lines, file_level) = error_lines(&outcome.validation);
    let reject = |outcome: &mut BatchInquiryOutcome, line, code: Code, en: &str, ja: &str| {
        outcome.rejected += 1;
        list_rejection(
            &mut outcome.rejected_rows,
            line,
            code,
            en.to_owned(),
            ja.to_owned(),
        );
    };
    if file_level {
        for d in outcome
            .validation
            .diagnostics
            .clone()
            .iter()
            .filter(|d| d.severity == crate::diag::Severity::Error)
        {
            list_rejection(
                &mut outcome.rejected_rows,
                d.line,
                d.code,
                d.message_en.clone(),
                d.message_ja.clone(),
            );
        }
        outcome.rejected = outcome.rows;
        return Vec::new();
    }
    let encoding = match outcome.validation.encoding {
        Some("cp932") => Encoding::Cp932,
        _ => Encoding::Utf8,
    };
    let mut reader = RecordReader::new(file, layout, encoding, true);
    // Read every row first, so the index keys (a keyed hash each) are made on every core.
    let mut read: Vec<Result<(u64, BatchInquiryRequestRow), u64>> = Vec::new();
    while let Some(next) = reader.next_record::<BatchInquiryRequestRow>() {
        read.push(match next {
            Ok((line, row)) if !bad_lines.contains_key(&line) => Ok((line, row)),
            Ok((line, _))
            | Err(ReadError::Record { line, .. })
            | Err(ReadError::Decode { line, .. })
            | Err(ReadError::Csv { line }) => Err(line),
            Err(_) => break,
        });
    }
    let keys = par::map(&read, |r| {
        r.as_ref()
            .ok()
            .map(|(_, row)| index.key(row.my_number.expose_secret()))
    });
    let mut first_line: HashMap<RecordKey, u64> = HashMap::new();
    let mut asking = Vec::new();
    for (next, key) in read.into_iter().zip(keys) {
        let (line, row, seen) = match (next, key) {
            (Ok((line, row)), Some(key)) => (line, row, key),
            (Ok((line, _)) | Err(line), _) => {
                let (code, en, ja) = bad_lines.get(&line).cloned().unwrap_or_else(|| {
                    (
                        Code::F03,
                        "the row cannot be read".to_owned(),
                        "行を読み取れません".to_owned(),
                    )
                });
                reject(outcome, line, code, &en, &ja);
                continue;
            }
        };
        if looks_like_my_number(row.addressee.as_str()) {
            reject(
                outcome,
                line,
                Code::N02,
                "the addressee number looks like a My Number; the result file would disclose it",
                "宛名番号が個人番号の形です。照会結果ファイルに個人番号が出てしまいます",
            );
            continue;
        }
        if row.former == Some(*requester) {
            reject(
                outcome,
                line,
                Code::Q02,
                "the former municipality is the requester itself",
                "転出元自治体が照会する自治体自身です",
            );
            continue;
        }
        // The pseudonym, not the number, is remembered across rows.
        if let Some(first) = first_line.get(&seen) {
            let en = format!("this My Number is already asked on line {first}");
            let ja = format!("この個人番号は{first}行目で照会済みです");
            reject(outcome, line, Code::S03, &en, &ja);
            continue;
        }
        first_line.insert(seen, line);
        asking.push(Asking {
            line,
            row,
            index_key: seen,
        });
    }
    asking
}

/// The result file (checked row by row): one row per answered row and providing municipality
/// (by municipality code), or one 該当なし row. Returns the file and its number of rows.
fn write_result(
    asking: &[Asking],
    found: &[Vec<Found>],
    write: &WriteOptions,
) -> Result<(Vec<u8>, u64), RegistryError> {
    let export = |e: crate::codec::WriteError| RegistryError::Export(e.to_string());
    let most = found
        .iter()
        .flatten()
        .flat_map(|f| f.doses.iter().map(|(_, d)| d.dose))
        .max()
        .unwrap_or(0);
    let layout = layout::find(
        "batch-inquiry-result",
        &LayoutParams {
            dose_blocks: most.clamp(DEFAULT_BLOCKS, 9),
        },
    )
    .map_err(|e| RegistryError::Export(e.to_string()))?;
    // Room for a typical row up front (at most RESERVE_CAP): growing a buffer of tens of
    // megabytes by doubling copies it over and over.
    let rows = asking.len() + found.iter().map(Vec::len).sum::<usize>();
    let buffer = Vec::with_capacity(rows.saturating_mul(ROW_BYTES).min(RESERVE_CAP));
    let mut writer =
        CheckedWriter::new(buffer, layout, *write, ValidateOptions::default()).map_err(export)?;
    let mut result_rows = 0u64;
    for (a, found) in asking.iter().zip(found) {
        let mut providers: Vec<&Found> = found.iter().filter(|f| !f.doses.is_empty()).collect();
        providers.sort_by_key(|f| f.area.code);
        let mut rows = Vec::with_capacity(providers.len().max(1));
        if providers.is_empty() {
            rows.push(BatchInquiryResultRow {
                addressee: a.row.addressee.clone(),
                status: MatchStatus::NoMatch,
                provider: None,
                doses: Vec::new(),
            });
        }
        for f in providers {
            let code = f.area.code;
            let mut doses: Vec<Option<InquiryDoseEntry>> = Vec::new();
            for (voucher, d) in &f.doses {
                let at = usize::from(d.dose).saturating_sub(1);
                if doses.len() <= at {
                    doses.resize(at + 1, None);
                }
                doses[at] = Some(InquiryDoseEntry {
                    vaccinated_on: model::date(d.vaccinated_on)?,
                    voucher: VoucherKey::new(
                        code,
                        VoucherNumber::parse(voucher).map_err(|_| {
                            RegistryError::Corrupt("a stored voucher number is malformed".into())
                        })?,
                    ),
                    venue: d.venue.clone(),
                    doctor: d.doctor.clone(),
                    manufacturer: d.manufacturer.clone(),
                    lot: d.lot.clone(),
                });
            }
            rows.push(BatchInquiryResultRow {
                addressee: a.row.addressee.clone(),
                status: MatchStatus::Match,
                provider: Some(code),
                doses,
            });
        }
        for r in &rows {
            writer
                .write_record(r)
                .map_err(|e| RegistryError::Export(format!("result for line {}: {e}", a.line)))?;
            result_rows += 1;
        }
    }
    let (bytes, _) = writer.finish().map_err(export)?;
    Ok((bytes, result_rows))
}
