//! Runs cases against this library and judges the results.
//!
//! A read case goes through [`validate_bytes`] (the whole file decides the encoding, as
//! `vrs-conformance validate` does), a write case through the [`CheckedWriter`] (fields set by
//! column ID, as the C and Python writers do), a scenario through the scenario runner on a
//! fresh temporary store. Everything runs in this process.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use vrs_core::codec::{
    validate_bytes, AwaitingRow, BatchInquiryRequestRow, BatchInquiryResultRow, CheckedWriter,
    CsvWriter, DoseUploadRow, FlagRow, LayoutRecord, LedgerRow, SubjectRegistrationRow,
    ValidateOptions, WriteError, WriteOptions,
};
use vrs_core::date::Date;
use vrs_core::diag::{Code, Diagnostic, Lang, Report};
use vrs_core::id::MunicipalityCode;
use vrs_core::layout::{self, Layout, LayoutParams};
use vrs_core::text::{Encoding, EncodingChoice};
use vrs_core::vaccine::VaccineTables;

use super::manifest::{
    Case, Context, Corpus, Entry, Finding, Kind, Outcome, RowResult, ScenarioCase,
};

/// What the library did with one case: the part of the result the corpus keys on, the same
/// whichever language ran it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Observed {
    /// Read: data rows.
    pub rows: Option<u64>,
    /// Read: the encoding used.
    pub encoding: Option<String>,
    /// Read: the diagnostics, sorted by line, field and code.
    pub diagnostics: Vec<Finding>,
    /// Write: the bytes written.
    pub output: Option<Vec<u8>>,
    /// Write: per input record.
    pub written: Vec<RowResult>,
    /// Scenario: the expectations that did not hold (empty: all held).
    pub scenario_failures: Vec<String>,
    /// Checks only the Rust runner makes (messages, never-shown strings, the typed-record
    /// writer); empty when they all hold.
    pub extra_failures: Vec<String>,
}

/// The records of a write case's input file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Records {
    /// What the records show (optional).
    #[serde(default)]
    pub description: Option<String>,
    /// One object per row: column ID → value; columns left out are empty.
    pub rows: Vec<BTreeMap<String, String>>,
}

impl Records {
    /// Reads a records file.
    ///
    /// # Errors
    /// An unreadable or invalid file.
    pub fn load(path: &Path) -> Result<Records, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// Sorts findings the way the corpus compares them.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| (a.line, a.field, &a.code).cmp(&(b.line, b.field, &b.code)));
}

/// A diagnostic as the corpus keys it.
pub fn finding(d: &Diagnostic) -> Finding {
    Finding {
        code: d.code.as_str().to_owned(),
        line: d.line,
        field: d.field.map(|f| f as u64),
    }
}

/// The layout of a case in its context.
///
/// # Errors
/// An unknown layout or dose-block count.
pub fn case_layout(case: &Case) -> Result<Layout, String> {
    layout::find(
        &format!("{}@{}", case.layout, case.layout_version),
        &LayoutParams {
            dose_blocks: case
                .context
                .dose_blocks
                .unwrap_or(LayoutParams::default().dose_blocks),
        },
    )
    .map_err(|e| e.to_string())
}

/// The validator options of a read case's context.
///
/// # Errors
/// A context the manifest check should have refused.
pub fn validate_options(ctx: &Context) -> Result<ValidateOptions, String> {
    let encoding = match ctx.encoding.as_str() {
        "auto" => EncodingChoice::Auto,
        other => other.parse::<EncodingChoice>().map_err(|e| e.to_string())?,
    };
    Ok(ValidateOptions {
        encoding,
        max_diagnostics: ctx.max_diagnostics.map(|n| n as usize),
        as_of: ctx
            .as_of
            .as_deref()
            .map(Date::parse_iso)
            .transpose()
            .map_err(|e| e.to_string())?,
        tenant: ctx
            .tenant
            .as_deref()
            .map(MunicipalityCode::parse)
            .transpose()
            .map_err(|e| e.to_string())?,
        header: ctx.header,
        dose_blocks_from_header: ctx.dose_blocks.is_none(),
        tables: Arc::new(VaccineTables::default()),
        // One thread: the report is the same whatever the number, and cases are small.
        threads: 1,
        ..ValidateOptions::default()
    })
}

/// Validates `bytes` as the read case `case` says (also used for vendors' files).
///
/// # Errors
/// An invalid layout or context.
pub fn validate_case_bytes(case: &Case, bytes: &[u8]) -> Result<Report, String> {
    let layout = case_layout(case)?;
    let options = validate_options(&case.context)?;
    Ok(validate_bytes(bytes, layout, options))
}

/// Runs one case. `Err` means the case could not run at all (a broken input file).
///
/// # Errors
/// As above.
pub fn run_entry(corpus: &Corpus, entry: &Entry) -> Result<Observed, String> {
    match entry {
        Entry::Case(c) => match c.kind {
            Kind::Read => run_read(corpus, c),
            Kind::Write => run_write(corpus, c),
        },
        Entry::Scenario(s) => run_scenario(s),
    }
}

fn run_read(corpus: &Corpus, case: &Case) -> Result<Observed, String> {
    let path = corpus.path(&case.input);
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let report = validate_case_bytes(case, &bytes)?;
    let mut diagnostics: Vec<Finding> = report.diagnostics.iter().map(finding).collect();
    sort_findings(&mut diagnostics);
    let mut extra = Vec::new();
    for m in &case.expect.messages {
        let found = report
            .diagnostics
            .iter()
            .find(|d| d.code.as_str() == m.code && d.line == m.line);
        match found {
            None => extra.push(format!("message check: no {} on line {}", m.code, m.line)),
            Some(d) => {
                if let Some(want) = &m.en_contains {
                    if !d.message_en.contains(want.as_str()) {
                        extra.push(format!(
                            "{} line {}: English message {:?} lacks {want:?}",
                            m.code, m.line, d.message_en
                        ));
                    }
                }
                if let Some(want) = &m.ja_contains {
                    if !d.message_ja.contains(want.as_str()) {
                        extra.push(format!(
                            "{} line {}: Japanese message {:?} lacks {want:?}",
                            m.code, m.line, d.message_ja
                        ));
                    }
                }
            }
        }
    }
    if !case.expect.never_shown.is_empty() {
        let shown = [report.render_json(Lang::En), report.render_json(Lang::Ja)].concat();
        for s in &case.expect.never_shown {
            if shown.contains(s.as_str()) {
                extra.push(format!(
                    "the report shows {} characters it must never show",
                    s.len()
                ));
            }
        }
    }
    Ok(Observed {
        rows: Some(report.rows),
        encoding: report.encoding.map(str::to_owned),
        diagnostics,
        extra_failures: extra,
        ..Observed::default()
    })
}

/// The writer options of a write case's context.
fn write_options(ctx: &Context) -> Result<(WriteOptions, ValidateOptions), String> {
    let encoding: Encoding = ctx
        .encoding
        .parse()
        .map_err(|e: vrs_core::text::TextError| e.to_string())?;
    let write = WriteOptions {
        encoding,
        bom: ctx.bom,
        header: ctx.header,
    };
    // The checked writer's rules: the read options of the same context (the checked writer
    // sets the encoding and header itself; the other options are as C and Python set them).
    let read = validate_options(&Context {
        encoding: "auto".into(),
        ..ctx.clone()
    })?;
    let check = ValidateOptions {
        as_of: read.as_of,
        tenant: read.tenant,
        ..ValidateOptions::default()
    };
    Ok((write, check))
}

fn run_write(corpus: &Corpus, case: &Case) -> Result<Observed, String> {
    let layout = case_layout(case)?;
    let records = Records::load(&corpus.path(&case.input))?;
    let (write, check) = write_options(&case.context)?;
    let mut w =
        CheckedWriter::new(Vec::new(), layout.clone(), write, check).map_err(|e| e.to_string())?;
    let mut line = if write.header { 2 } else { 1 };
    let mut written = Vec::new();
    let mut clean_rows: Vec<Vec<String>> = Vec::new();
    let mut all_clean = true;
    for row in &records.rows {
        for (column, value) in row {
            w.set(column, value).map_err(|e| e.to_string())?;
        }
        let (outcome, found) = match w.end_row() {
            Ok(found) => (Outcome::Written, found.iter().map(finding).collect()),
            Err(WriteError::Invalid(found)) => {
                (Outcome::Rejected, found.iter().map(finding).collect())
            }
            Err(WriteError::Unencodable { column, .. }) => {
                let field = layout
                    .columns
                    .iter()
                    .position(|c| c.name_ja == column)
                    .map(|i| i as u64 + 1);
                let f = Finding {
                    code: Code::F01.as_str().to_owned(),
                    line,
                    field,
                };
                (Outcome::Unencodable, vec![f])
            }
            Err(e) => return Err(e.to_string()),
        };
        let mut found: Vec<Finding> = found;
        sort_findings(&mut found);
        if outcome == Outcome::Written {
            if found.is_empty() {
                clean_rows.push(
                    layout
                        .columns
                        .iter()
                        .map(|c| row.get(&c.id).cloned().unwrap_or_default())
                        .collect(),
                );
            } else {
                all_clean = false;
            }
        } else {
            all_clean = false;
        }
        written.push(RowResult {
            line,
            outcome,
            diagnostics: found,
        });
        if outcome == Outcome::Written {
            line += 1;
        }
    }
    let (bytes, _report) = w.finish().map_err(|e| e.to_string())?;
    let mut extra = Vec::new();
    if all_clean {
        match typed_bytes(&layout, write, &clean_rows) {
            Ok(typed) if typed == bytes => {}
            Ok(_) => extra.push(
                "the typed records written with CsvWriter::write_record differ from the checked writer's bytes"
                    .to_owned(),
            ),
            Err(e) => extra.push(format!("typed records: {e}")),
        }
    }
    Ok(Observed {
        output: Some(bytes),
        written,
        extra_failures: extra,
        ..Observed::default()
    })
}

/// The rows parsed into the layout's typed record and written with [`CsvWriter::write_record`]:
/// the typed path must give the same bytes as setting fields by column ID.
fn typed_bytes(
    layout: &Layout,
    write: WriteOptions,
    rows: &[Vec<String>],
) -> Result<Vec<u8>, String> {
    fn typed<R: LayoutRecord>(
        layout: &Layout,
        write: WriteOptions,
        rows: &[Vec<String>],
    ) -> Result<Vec<u8>, String> {
        let mut w = CsvWriter::new(Vec::new(), layout.clone(), write).map_err(|e| e.to_string())?;
        for row in rows {
            let fields: Vec<&str> = row.iter().map(String::as_str).collect();
            let record = R::from_fields(&fields, layout).map_err(|e| e.to_string())?;
            w.write_record(&record).map_err(|e| e.to_string())?;
        }
        w.finish().map_err(|e| e.to_string())
    }
    match layout.id {
        "ledger-export" => typed::<LedgerRow>(layout, write, rows),
        "awaiting-registration" => typed::<AwaitingRow>(layout, write, rows),
        "subject-registration" => typed::<SubjectRegistrationRow>(layout, write, rows),
        "flags" => typed::<FlagRow>(layout, write, rows),
        "dose-upload" => typed::<DoseUploadRow>(layout, write, rows),
        "batch-inquiry-request" => typed::<BatchInquiryRequestRow>(layout, write, rows),
        "batch-inquiry-result" => typed::<BatchInquiryResultRow>(layout, write, rows),
        other => Err(format!("no typed record for layout {other}")),
    }
}

/// A store directory for one scenario, removed afterwards.
struct ScratchStore(std::path::PathBuf);

impl Drop for ScratchStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run_scenario(s: &ScenarioCase) -> Result<Observed, String> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let store = ScratchStore(std::env::temp_dir().join(format!(
        "vrs-conformance-{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        s.id
    )));
    let _ = std::fs::remove_dir_all(&store.0);
    let mut out = Vec::new();
    let mut err = Vec::new();
    let held = crate::scenario::run(&s.path, &store.0, &mut out, &mut err)?;
    let mut failures: Vec<String> = String::from_utf8_lossy(&err)
        .lines()
        .map(str::to_owned)
        .collect();
    if !held && failures.is_empty() {
        failures.push("some expectation did not hold".to_owned());
    }
    Ok(Observed {
        scenario_failures: failures,
        ..Observed::default()
    })
}

/// How a case came out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// As expected.
    Passed,
    /// Not as expected: what differs.
    Failed(Vec<String>),
    /// Waived by a known issue; whether it would pass now.
    Waived {
        /// The case meets its expectation (the waiver can go).
        passes: bool,
        /// What differs when it does not.
        differences: Vec<String>,
    },
}

impl Status {
    /// `passed`, `failed` or `waived`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed(_) => "failed",
            Status::Waived { .. } => "waived",
        }
    }
}

/// The differences between a case's expectation and what was observed (empty: it passes).
pub fn differences(entry: &Entry, observed: &Observed) -> Vec<String> {
    let mut out = observed.extra_failures.clone();
    match entry {
        Entry::Scenario(_) => out.extend(observed.scenario_failures.iter().cloned()),
        Entry::Case(c) => match c.kind {
            Kind::Read => {
                let e = &c.expect;
                if e.rows != observed.rows {
                    out.push(format!(
                        "rows: expected {:?}, found {:?}",
                        e.rows, observed.rows
                    ));
                }
                if e.encoding != observed.encoding {
                    out.push(format!(
                        "encoding: expected {:?}, found {:?}",
                        e.encoding, observed.encoding
                    ));
                }
                let mut want = e.diagnostics.clone().unwrap_or_default();
                sort_findings(&mut want);
                out.extend(finding_differences("", &want, &observed.diagnostics));
            }
            Kind::Write => out.extend(write_differences(c, observed)),
        },
    }
    out
}

fn finding_differences(prefix: &str, want: &[Finding], found: &[Finding]) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest: Vec<&Finding> = found.iter().collect();
    for w in want {
        match rest.iter().position(|f| *f == w) {
            Some(i) => {
                rest.remove(i);
            }
            None => out.push(format!("{prefix}missing {w}")),
        }
    }
    for f in rest {
        out.push(format!("{prefix}unexpected {f}"));
    }
    out
}

fn write_differences(case: &Case, observed: &Observed) -> Vec<String> {
    let mut out = Vec::new();
    let want_rows = case.expect.written.clone().unwrap_or_default();
    if want_rows.len() != observed.written.len() {
        out.push(format!(
            "rows: expected {} outcomes, found {}",
            want_rows.len(),
            observed.written.len()
        ));
    }
    for (i, (w, f)) in want_rows.iter().zip(&observed.written).enumerate() {
        let prefix = format!("record {}: ", i + 1);
        if (w.line, w.outcome) != (f.line, f.outcome) {
            out.push(format!(
                "{prefix}expected {} at line {}, found {} at line {}",
                w.outcome.as_str(),
                w.line,
                f.outcome.as_str(),
                f.line
            ));
        }
        let mut want = w.diagnostics.clone();
        sort_findings(&mut want);
        out.extend(finding_differences(&prefix, &want, &f.diagnostics));
    }
    out
}

/// The expected bytes of a write case, if its expected output file can be read.
pub fn expected_output(corpus: &Corpus, case: &Case) -> Option<Vec<u8>> {
    case.expect
        .output
        .as_ref()
        .and_then(|p| std::fs::read(corpus.path(p)).ok())
}

/// The status of `entry` given what was observed (`Err`: it could not run).
pub fn judge(corpus: &Corpus, entry: &Entry, observed: &Result<Observed, String>) -> Status {
    let diffs = match observed {
        Err(e) => vec![format!("could not run: {e}")],
        Ok(o) => {
            let mut d = differences(entry, o);
            if let Entry::Case(c) = entry {
                if c.kind == Kind::Write {
                    match (expected_output(corpus, c), &o.output) {
                        (Some(want), Some(found)) if want == *found => {}
                        (Some(want), Some(found)) => {
                            let enc = c.context.encoding.as_str();
                            let why = super::explain::first_difference(&want, found, enc);
                            d.push(format!("output bytes differ: {}", why.summary_en()));
                        }
                        (None, _) => d.push("the expected output file is missing".to_owned()),
                        (_, None) => d.push("nothing was written".to_owned()),
                    }
                }
            }
            d
        }
    };
    match corpus.waiver(entry.id()) {
        Some(_) => Status::Waived {
            passes: diffs.is_empty(),
            differences: diffs,
        },
        None if diffs.is_empty() => Status::Passed,
        None => Status::Failed(diffs),
    }
}

/// One case's run: the entry, what was observed, the status.
#[derive(Debug, Clone)]
pub struct CaseRun {
    /// Index into the corpus's entries.
    pub index: usize,
    /// What the library did (`Err`: the case could not run).
    pub observed: Result<Observed, String>,
    /// How it came out.
    pub status: Status,
}

/// Which cases to run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only IDs containing this text (a `*` matches any run of characters).
    pub filter: Option<String>,
    /// Only this stage.
    pub stage: Option<super::manifest::Stage>,
}

impl Selection {
    /// Whether `entry` is selected.
    pub fn matches(&self, entry: &Entry) -> bool {
        self.stage.is_none_or(|s| s == entry.stage())
            && self
                .filter
                .as_deref()
                .is_none_or(|f| wildcard_contains(entry.id(), f))
    }
}

/// `text` contains `pattern`, where `*` in the pattern matches any run of characters.
fn wildcard_contains(text: &str, pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut from = 0;
    for part in parts {
        match text[from..].find(part) {
            Some(at) => from += at + part.len(),
            None => return false,
        }
    }
    true
}

/// Runs the selected cases in corpus order, calling `progress(done, total, id)` after each.
pub fn run_all(
    corpus: &Corpus,
    selection: &Selection,
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Vec<CaseRun> {
    let chosen: Vec<usize> = (0..corpus.entries.len())
        .filter(|&i| selection.matches(&corpus.entries[i]))
        .collect();
    let total = chosen.len();
    let mut runs = Vec::with_capacity(total);
    for (n, i) in chosen.into_iter().enumerate() {
        let entry = &corpus.entries[i];
        let observed = run_entry(corpus, entry);
        let status = judge(corpus, entry, &observed);
        runs.push(CaseRun {
            index: i,
            observed,
            status,
        });
        progress(n + 1, total, entry.id());
    }
    runs
}

/// Counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Waived cases.
    pub waived: usize,
}

impl Tally {
    /// The counts of `runs`.
    pub fn of<'a>(runs: impl IntoIterator<Item = &'a CaseRun>) -> Tally {
        let mut t = Tally::default();
        for r in runs {
            match r.status {
                Status::Passed => t.passed += 1,
                Status::Failed(_) => t.failed += 1,
                Status::Waived { .. } => t.waived += 1,
            }
        }
        t
    }

    /// `N passed, N failed` and `, N waived` when there are any.
    pub fn line(&self) -> String {
        let mut s = format!("{} passed, {} failed", self.passed, self.failed);
        if self.waived > 0 {
            s.push_str(&format!(", {} waived", self.waived));
        }
        s
    }
}
