//! Importing a subject and voucher registration upload (接種対象者・接種券発行登録).

use std::collections::HashMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::codec::{
    validate_bytes, LayoutRecord, ReadError, RecordReader, SubjectRegistrationRow, ValidateOptions,
};
use crate::crypto::{RecordKey, RecordKind};
use crate::date::DateTime;
use crate::diag::{Code, Report, Severity};
use crate::id::MunicipalityCode;
use crate::layout::{self, LayoutParams};
use crate::store::Store;
use crate::text::Encoding;

use super::access::{self, Access};
use super::area::Area;
use super::error::RegistryError;
use super::fields;
use super::fresh::FreshLoad;
use super::guard::{self, Field};
use super::model::{
    self, AwaitingRec, ImportRec, MyNumberRec, SecretDigits, SubjectRec, VoucherRec,
};
use super::principal::Principal;
use super::{Registry, RegistryConfig};

/// Rejected rows listed individually in an outcome; the count covers all.
const LISTED_REJECTIONS: usize = 1000;

/// How an import treats rows with problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportMode {
    /// All or nothing: any rejected row and nothing is imported (default).
    #[default]
    Strict,
    /// Import the valid rows in committed batches; report the rest.
    Lenient,
}

/// A row that was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    /// Physical line in the file (header = 1).
    pub line: u64,
    /// The rule (diagnostics catalogue code).
    pub code: String,
    /// Why, in English (names no My Number).
    pub message_en: String,
    /// Why, in Japanese.
    pub message_ja: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    /// Data rows in the file.
    pub rows: u64,
    /// Rows that created or changed records.
    pub imported: u64,
    /// Rows identical to what was stored already.
    pub unchanged: u64,
    /// Rows not imported (validation errors or conflicts with stored data).
    pub rejected: u64,
    /// The first 1,000 rejected rows.
    pub rejected_rows: Vec<RejectedRow>,
    /// Transactions committed (lenient: one per batch; strict: one).
    pub batches_committed: u64,
    /// The same file was imported completely before; nothing was done.
    pub already_imported: bool,
    /// The validation report of the file.
    pub validation: Report,
}

/// What one row did.
pub(crate) enum RowResult {
    /// Records were created or changed (their keys).
    Changed(Vec<RecordKey>),
    /// Everything was stored already.
    Unchanged,
    /// Not imported: rule, English and Japanese reason.
    Rejected(Code, String, String),
}

/// Which layout a file import reads and how it is audited.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ImportSpec {
    pub layout: &'static str,
    pub op: &'static str,
}

/// Applies one valid row inside the open transaction.
pub(crate) type ApplyRow<'a, R> = dyn FnMut(&mut dyn Store, &Area, DateTime, &RegistryConfig, &R) -> Result<RowResult, RegistryError>
    + 'a;

impl Registry {
    /// Imports a subject registration upload into `tenant` (staff only). The file is validated
    /// with the `subject-registration` layout first (M03: every row's municipality must be the
    /// tenant). Strict mode imports everything or nothing; lenient mode commits valid rows in
    /// batches of [`super::RegistryConfig::import_batch_rows`] and reports the rest. Importing
    /// the same file again changes nothing, as does importing rows identical to stored data.
    ///
    /// # Errors
    /// [`RegistryError::ImportRejected`] (strict mode with problems, or a file-level problem such
    /// as a wrong header in either mode), [`RegistryError::Forbidden`], store/key failures.
    pub fn import_subjects(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        file: &[u8],
        mode: ImportMode,
    ) -> Result<ImportOutcome, RegistryError> {
        self.import_subjects_with(principal, tenant, file, mode, &mut |_| {})
    }

    /// [`Registry::import_subjects`], calling `on_commit` with the outcome so far after every
    /// committed batch (progress bars, crash-recovery bookkeeping).
    ///
    /// # Errors
    /// As for [`Registry::import_subjects`].
    pub fn import_subjects_with(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        file: &[u8],
        mode: ImportMode,
        on_commit: &mut dyn FnMut(&ImportOutcome),
    ) -> Result<ImportOutcome, RegistryError> {
        let spec = ImportSpec {
            layout: "subject-registration",
            op: "import",
        };
        self.import_file::<SubjectRegistrationRow>(
            principal,
            tenant,
            file,
            mode,
            spec,
            on_commit,
            &mut |store, area, _, config, row| apply_subject_row(store, area, config, row),
        )
    }

    /// The shared import machinery: access check, re-import check, validation, batched apply.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn import_file<R: LayoutRecord>(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        file: &[u8],
        mode: ImportMode,
        spec: ImportSpec,
        on_commit: &mut dyn FnMut(&ImportOutcome),
        apply: &mut ApplyRow<'_, R>,
    ) -> Result<ImportOutcome, RegistryError> {
        let op = spec.op;
        self.refuse_if_quarantined(principal, op)?;
        let now = self.clock.now();
        let layout = find_layout(spec.layout)?;
        let area = match self.areas.get(&mut *self.store, tenant) {
            Ok(a) => a,
            Err(e) => {
                self.audit_alone(principal, op, None, "failed", Some(e.code()), vec![])?;
                return Err(e);
            }
        };
        // Access check and the re-import check, read-only.
        self.store.begin()?;
        let checked = access::check(&mut *self.store, principal, Some(&area), Access::Staff);
        let mut hasher = Sha256::new();
        hasher.update(spec.layout.as_bytes());
        hasher.update([0]);
        hasher.update(file);
        let digest: [u8; 32] = hasher.finalize().into();
        let file_key = area.key(RecordKind::Import, &digest);
        let previous = match checked {
            Ok(()) => area.load::<ImportRec>(&mut *self.store, RecordKind::Import, &file_key),
            Err(e) => Err(e),
        };
        self.store.rollback()?;
        let previous = match previous {
            Ok(p) => p,
            Err(e) => {
                let outcome = if matches!(e, RegistryError::Forbidden(_)) {
                    "refused"
                } else {
                    "failed"
                };
                self.audit_alone(principal, op, Some(&area), outcome, Some(e.code()), vec![])?;
                return Err(e);
            }
        };
        if let Some(prev) = previous {
            self.audit_alone(principal, op, Some(&area), "ok", None, vec![file_key])?;
            return Ok(ImportOutcome {
                rows: prev.rows,
                imported: 0,
                unchanged: prev.imported + prev.unchanged,
                rejected: prev.rejected,
                rejected_rows: Vec::new(),
                batches_committed: 0,
                already_imported: true,
                validation: not_validated(&layout, prev.rows),
            });
        }

        let options = ValidateOptions {
            // Every error line is needed to reject its row (the file is in memory already).
            max_diagnostics: None,
            tenant: Some(*tenant),
            as_of: Some(now.date),
            tables: self.config.tables.clone(),
            ..ValidateOptions::default()
        };
        let report = validate_bytes(file, layout.clone(), options);
        let mut outcome = ImportOutcome {
            rows: report.rows,
            imported: 0,
            unchanged: 0,
            rejected: 0,
            rejected_rows: Vec::new(),
            batches_committed: 0,
            already_imported: false,
            validation: report,
        };
        let (bad_lines, file_level) = error_lines(&outcome.validation);
        if file_level || (mode == ImportMode::Strict && !bad_lines.is_empty()) {
            let errors: Vec<_> = outcome
                .validation
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| (d.line, d.code, d.message_en.clone(), d.message_ja.clone()))
                .collect();
            for (line, code, en, ja) in errors {
                reject(&mut outcome, line, code, en, ja);
            }
            outcome.rejected = if file_level {
                outcome.rows
            } else {
                bad_lines.len() as u64
            };
            return self.refuse_import(principal, &area, op, outcome);
        }
        let encoding = match outcome.validation.encoding {
            Some("cp932") => Encoding::Cp932,
            _ => Encoding::Utf8,
        };
        let mut reader = RecordReader::new(file, layout, encoding, true);
        let batch_rows = match mode {
            ImportMode::Strict => usize::MAX,
            ImportMode::Lenient => self.config.import_batch_rows.max(1),
        };
        let mut touched: Vec<RecordKey> = Vec::new();
        let mut in_batch = 0usize;
        self.store.begin()?;
        let mut fresh = match FreshLoad::start(&mut *self.store, area.id, outcome.rows) {
            Ok(f) => f,
            Err(e) => {
                self.store.rollback()?;
                return Err(e);
            }
        };
        while let Some(next) = reader.next_record::<R>() {
            in_batch += 1;
            match next {
                Ok((line, _)) if bad_lines.contains_key(&line) => {
                    outcome.rejected += 1;
                    if let Some((code, en, ja)) = bad_lines.get(&line) {
                        reject(&mut outcome, line, *code, en.clone(), ja.clone());
                    }
                }
                Ok((line, row)) => {
                    let applied = match fresh.as_mut() {
                        Some(f) => apply(
                            &mut f.over(&mut *self.store),
                            &area,
                            now,
                            &self.config,
                            &row,
                        ),
                        None => apply(&mut *self.store, &area, now, &self.config, &row),
                    };
                    match applied {
                        Err(e) => {
                            self.store.rollback()?;
                            self.audit_alone(
                                principal,
                                op,
                                Some(&area),
                                "failed",
                                Some(e.code()),
                                vec![],
                            )?;
                            return Err(e);
                        }
                        Ok(RowResult::Changed(keys)) => {
                            outcome.imported += 1;
                            touched.extend(keys);
                        }
                        Ok(RowResult::Unchanged) => outcome.unchanged += 1,
                        Ok(RowResult::Rejected(code, en, ja)) => {
                            outcome.rejected += 1;
                            reject(&mut outcome, line, code, en, ja);
                        }
                    }
                }
                Err(ReadError::Record { line, source }) => {
                    outcome.rejected += 1;
                    let (code, en, ja) = bad_lines
                        .get(&line)
                        .cloned()
                        .unwrap_or_else(|| (Code::F03, source.to_string(), source.message_ja()));
                    reject(&mut outcome, line, code, en, ja);
                }
                Err(ReadError::Decode { line, .. } | ReadError::Csv { line }) => {
                    outcome.rejected += 1;
                    if let Some((code, en, ja)) = bad_lines.get(&line).cloned() {
                        reject(&mut outcome, line, code, en, ja);
                    }
                }
                Err(e) => {
                    self.store.rollback()?;
                    return Err(RegistryError::InvalidInput(e.to_string()));
                }
            }
            if in_batch >= batch_rows {
                if let Some(f) = fresh.as_mut() {
                    f.flush(&mut *self.store)?;
                }
                self.commit_batch(principal, &area, op, std::mem::take(&mut touched))?;
                outcome.batches_committed += 1;
                on_commit(&outcome);
                in_batch = 0;
                self.store.begin()?;
                if let Some(f) = &fresh {
                    if !f.still_valid(&mut *self.store)? {
                        fresh = None; // Someone else wrote: look everything up again.
                    }
                }
            }
        }
        if mode == ImportMode::Strict && outcome.rejected > 0 {
            self.store.rollback()?;
            (outcome.imported, outcome.unchanged) = (0, 0);
            return self.refuse_import(principal, &area, op, outcome);
        }
        let record = ImportRec {
            rows: outcome.rows,
            imported: outcome.imported,
            unchanged: outcome.unchanged,
            rejected: outcome.rejected,
            at: model::stamp(now),
        };
        if let Some(f) = fresh.as_mut() {
            f.flush(&mut *self.store)?;
        }
        if let Err(e) = area.save(&mut *self.store, RecordKind::Import, &file_key, &record) {
            self.store.rollback()?;
            return Err(e);
        }
        touched.push(file_key);
        self.commit_batch(principal, &area, op, touched)?;
        outcome.batches_committed += 1;
        on_commit(&outcome);
        Ok(outcome)
    }

    pub(super) fn commit_batch(
        &mut self,
        principal: &Principal,
        area: &Area,
        op: &'static str,
        touched: Vec<RecordKey>,
    ) -> Result<(), RegistryError> {
        let draft = self.draft(principal, op, self.clock.now(), "ok", None, touched);
        let appended = self.append_audit(Some(area), draft);
        self.finish_tx(appended)
    }

    fn refuse_import(
        &mut self,
        principal: &Principal,
        area: &Area,
        op: &'static str,
        outcome: ImportOutcome,
    ) -> Result<ImportOutcome, RegistryError> {
        let err = RegistryError::ImportRejected(Box::new(outcome));
        self.audit_alone(
            principal,
            op,
            Some(area),
            "failed",
            Some(err.code()),
            vec![],
        )?;
        Err(err)
    }
}

fn find_layout(id: &str) -> Result<crate::layout::Layout, RegistryError> {
    layout::find(id, &LayoutParams::default())
        .map_err(|e| RegistryError::Corrupt(format!("built-in layout missing: {e}")))
}

/// The first error of every line with errors, and whether an error concerns the whole file
/// (header, encoding at line 1).
fn error_lines(report: &Report) -> (HashMap<u64, (Code, String, String)>, bool) {
    let mut lines = HashMap::new();
    let mut file_level = false;
    for d in &report.diagnostics {
        if d.severity != Severity::Error {
            continue;
        }
        if d.line <= 1 {
            file_level = true;
        }
        lines
            .entry(d.line)
            .or_insert_with(|| (d.code, d.message_en.clone(), d.message_ja.clone()));
    }
    (lines, file_level)
}

/// The report of a file that was not validated again (it was imported before).
fn not_validated(layout: &crate::layout::Layout, rows: u64) -> Report {
    Report {
        layout: layout.id.to_string(),
        layout_version: layout.version.to_string(),
        file: None,
        encoding: None,
        bom: false,
        rows,
        errors: 0,
        warnings: 0,
        infos: 0,
        truncated: false,
        diagnostics: Vec::new(),
        summary: Vec::new(),
    }
}

fn reject(outcome: &mut ImportOutcome, line: u64, code: Code, en: String, ja: String) {
    if outcome.rejected_rows.len() < LISTED_REJECTIONS {
        outcome.rejected_rows.push(RejectedRow {
            line,
            code: code.as_str().to_owned(),
            message_en: en,
            message_ja: ja,
        });
    }
}

/// Applies one valid row inside the open transaction.
fn apply_subject_row(
    store: &mut dyn Store,
    area: &Area,
    config: &RegistryConfig,
    row: &SubjectRegistrationRow,
) -> Result<RowResult, RegistryError> {
    let addressee = row.addressee.as_str();
    let subject_key = area.key(RecordKind::Subject, addressee.as_bytes());
    let voucher_number = row.voucher.as_str();
    let voucher_key = area.key(RecordKind::Voucher, voucher_number.as_bytes());
    let existing: Option<SubjectRec> = area.load(store, RecordKind::Subject, &subject_key)?;

    // N02: an addressee number that is the person's My Number would put the My Number into
    // every download (ledger export) — refuse it.
    if row
        .my_number
        .as_ref()
        .is_some_and(|n| n.expose_secret() == addressee)
    {
        return Ok(RowResult::Rejected(
            Code::N02,
            "the addressee number is the person's My Number; downloads would disclose it".into(),
            "宛名番号が個人番号と同じです。ダウンロードファイルに個人番号が出てしまいます".into(),
        ));
    }
    // N02 against stored data: the addressee number is a download's key column, so it must
    // not be (or be shaped like) anybody's My Number; nor may this row's My Number be another
    // subject's addressee number.
    match guard::refuse_my_numbers(store, area, config, &[(Field::Addressee, addressee)]) {
        Ok(()) => {}
        Err(RegistryError::Rule { code, message }) => {
            let ja = guard::refusal(Field::Addressee).1;
            return Ok(RowResult::Rejected(code, message, ja));
        }
        Err(e) => return Err(e),
    }
    if let Some(n) = &row.my_number {
        let as_addressee = area.key(RecordKind::Subject, n.expose_secret().as_bytes());
        if store
            .get(area.id, RecordKind::Subject.code(), as_addressee.as_bytes())?
            .is_some()
        {
            return Ok(RowResult::Rejected(
                Code::N02,
                "this My Number is another subject's addressee number; downloads would disclose it"
                    .into(),
                "この個人番号は別の接種対象者の宛名番号です。ダウンロードファイルに個人番号が出てしまいます"
                    .into(),
            ));
        }
    }
    // N03 against stored data: the My Number must not belong to another addressee number.
    let my_number_key = row
        .my_number
        .as_ref()
        .map(|n| area.key(RecordKind::MyNumberIndex, n.expose_secret().as_bytes()));
    // A stored subject already holding this My Number implies its index entry (they are
    // written together), so the lookup is needed only for a new or changed number.
    let mut index_present = match (&existing, &row.my_number) {
        (Some(old), Some(n)) => old
            .my_number
            .as_ref()
            .is_some_and(|m| m.0 == n.expose_secret()),
        _ => false,
    };
    if let (Some(k), false) = (&my_number_key, index_present) {
        if let Some(idx) = area.load::<MyNumberRec>(store, RecordKind::MyNumberIndex, k)? {
            index_present = true;
            if idx.addressee != addressee {
                return Ok(RowResult::Rejected(
                    Code::N03,
                    "this My Number is already registered to another addressee number".into(),
                    "この個人番号は別の宛名番号に登録済みです".into(),
                ));
            }
        }
    }
    // V02 against stored data: the voucher must not belong to another subject.
    let voucher: Option<VoucherRec> = area.load(store, RecordKind::Voucher, &voucher_key)?;
    if let Some(v) = &voucher {
        if v.subject.as_deref().is_some_and(|s| s != addressee) {
            return Ok(RowResult::Rejected(
                Code::V02,
                format!("voucher {voucher_number} is already issued to another subject"),
                format!("券番号 {voucher_number} は別の接種対象者に発行済みです"),
            ));
        }
    }

    // Names are stored only in forms every download encoding carries.
    let (name, name_kana) = match (
        fields::storable(fields::NAME, &row.name),
        fields::storable(fields::NAME_KANA, &row.name_kana),
    ) {
        (Ok(n), Ok(k)) => (n.into_owned(), k.into_owned()),
        (Err(r), _) | (_, Err(r)) => return Ok(RowResult::Rejected(r.code, r.en, r.ja)),
    };
    let mut subject = SubjectRec {
        addressee: addressee.to_owned(),
        my_number: row
            .my_number
            .as_ref()
            .map(|n| SecretDigits(n.expose_secret().to_owned())),
        name,
        name_kana,
        birth: model::days(row.birth_date),
        sex: row.sex.code(),
        flags: Vec::new(),
        vouchers: vec![voucher_number.to_owned()],
    };
    let mut keys = Vec::new();
    if let Some(old) = &existing {
        subject.flags = old.flags.clone();
        subject.vouchers = old.vouchers.clone();
        if !subject.vouchers.iter().any(|v| v == voucher_number) {
            subject.vouchers.push(voucher_number.to_owned());
        }
        // A changed My Number: drop the old lookup.
        if let Some(old_n) = &old.my_number {
            if old.my_number != subject.my_number {
                let k = area.key(RecordKind::MyNumberIndex, old_n.0.as_bytes());
                area.remove(store, RecordKind::MyNumberIndex, &k)?;
                keys.push(k);
            }
        }
    }
    let issued_on = row.issue_date.map(model::days);
    let voucher_before = voucher.clone();
    let new_voucher = match voucher {
        Some(mut v) => {
            let was_awaiting = v.subject.is_none();
            v.subject = Some(addressee.to_owned());
            if issued_on.is_some() {
                v.issued_on = issued_on;
            }
            if was_awaiting {
                let k = area.key(RecordKind::Awaiting, voucher_number.as_bytes());
                area.remove(store, RecordKind::Awaiting, &k)?;
                keys.push(k);
            }
            v
        }
        None => VoucherRec {
            number: voucher_number.to_owned(),
            subject: Some(addressee.to_owned()),
            issued_on,
            replaced_by: None,
            doses: Vec::new(),
        },
    };
    let subject_changed = existing.as_ref() != Some(&subject);
    let voucher_changed = voucher_before.as_ref() != Some(&new_voucher);
    if !subject_changed && !voucher_changed && keys.is_empty() {
        return Ok(RowResult::Unchanged);
    }
    if subject_changed {
        area.save(store, RecordKind::Subject, &subject_key, &subject)?;
        keys.push(subject_key);
        if let (Some(k), false) = (&my_number_key, index_present) {
            let idx = MyNumberRec {
                addressee: addressee.to_owned(),
            };
            area.save(store, RecordKind::MyNumberIndex, k, &idx)?;
            keys.push(*k);
        }
    }
    if voucher_changed {
        area.save(store, RecordKind::Voucher, &voucher_key, &new_voucher)?;
        keys.push(voucher_key);
    }
    Ok(RowResult::Changed(keys))
}

/// Marks a voucher with doses but no subject as awaiting registration.
pub(crate) fn mark_awaiting(
    store: &mut dyn Store,
    area: &Area,
    voucher_number: &str,
) -> Result<RecordKey, RegistryError> {
    let k = area.key(RecordKind::Awaiting, voucher_number.as_bytes());
    let rec = AwaitingRec {
        voucher: voucher_number.to_owned(),
    };
    area.save(store, RecordKind::Awaiting, &k, &rec)?;
    Ok(k)
}
