//! `vrs-conformance scenario FILE.json --store DIR`: runs a declarative scenario against an
//! embedded registry in DIR and prints one JSON line per step:
//! `{"step": N, "op": "...", "ok": bool, "error": {"code", "rule", "message"} | null, "result": ...}`.
//!
//! The format and every op are documented in `tests/scenarios/README.md`.

mod expect;
mod retention_ops;
pub mod spec;
mod store_ops;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use vrs_core::codec::WriteOptions;
use vrs_core::date::DateTime;
use vrs_core::diag::{Code, Severity};
use vrs_core::id::{AddresseeNumber, MunicipalityCode, OcrLine, VoucherNumber};
use vrs_core::registry::{
    AnchorCheck, AuditEntry, Clock, DoseCorrection, DoseInput, FixedClock, Flag, ImportOutcome,
    Principal, Registry, RegistryAnchor, RegistryConfig, RegistryError, RejectedRow, StatsQuery,
    SubjectRef,
};
use vrs_core::store::{FileKeyProvider, SqliteOptions, SqliteStore};
use vrs_core::text::{decode_strict, Encoding};
use vrs_core::vaccine::DoseNumber;

use spec::{DoseTarget, Op, Scenario, Step, SubjectArg};

pub use spec::parse_scenario;

/// The clock the runner moves between steps, shared with the registry.
#[derive(Debug, Clone)]
struct SharedClock(Arc<FixedClock>);

impl Clock for SharedClock {
    fn now(&self) -> DateTime {
        self.0.now()
    }
}

/// What a step produced.
struct Outcome {
    ok: bool,
    error: Option<ErrorView>,
    /// The result as printed (struct field order) and as checked.
    result: Option<(String, Value)>,
}

impl Outcome {
    fn ok<T: Serialize>(result: &T) -> Outcome {
        Outcome {
            ok: true,
            error: None,
            result: Some(both(result)),
        }
    }

    fn err(e: &RegistryError) -> Outcome {
        let result = match e {
            RegistryError::ImportRejected(outcome) => Some(both(&ImportView::new(outcome))),
            _ => None,
        };
        Outcome {
            ok: false,
            error: Some(ErrorView {
                code: e.code().to_owned(),
                rule: e.rule().map(Code::as_str),
                message: e.to_string(),
            }),
            result,
        }
    }

    /// A data argument the runner could not even pass to the registry.
    fn invalid(why: String) -> Outcome {
        Outcome {
            ok: false,
            error: Some(ErrorView {
                code: "invalid_input".into(),
                rule: None,
                message: format!("not sent to the registry: {why}"),
            }),
            result: None,
        }
    }

    fn from<T: Serialize>(r: Result<T, RegistryError>) -> Outcome {
        match r {
            Ok(v) => Outcome::ok(&v),
            Err(e) => Outcome::err(&e),
        }
    }

    fn unit(r: Result<(), RegistryError>) -> Outcome {
        Outcome::from(r.map(|()| json!({})))
    }
}

fn both<T: Serialize>(v: &T) -> (String, Value) {
    (
        serde_json::to_string(v).unwrap_or_else(|_| "null".into()),
        serde_json::to_value(v).unwrap_or(Value::Null),
    )
}

/// An error as printed.
#[derive(Debug, Clone, Serialize)]
struct ErrorView {
    code: String,
    rule: Option<&'static str>,
    message: String,
}

/// An import outcome with a compact validation summary.
#[derive(Serialize)]
struct ImportView<'a> {
    rows: u64,
    imported: u64,
    unchanged: u64,
    rejected: u64,
    rejected_rows: &'a [RejectedRow],
    batches_committed: u64,
    already_imported: bool,
    validation: ValidationView<'a>,
}

#[derive(Serialize)]
struct ValidationView<'a> {
    encoding: Option<&'static str>,
    errors: u64,
    warnings: u64,
    diagnostics: Vec<DiagnosticView<'a>>,
}

#[derive(Serialize)]
struct DiagnosticView<'a> {
    line: u64,
    code: &'static str,
    severity: Severity,
    message: &'a str,
}

impl<'a> ImportView<'a> {
    fn new(o: &'a ImportOutcome) -> Self {
        ImportView {
            rows: o.rows,
            imported: o.imported,
            unchanged: o.unchanged,
            rejected: o.rejected,
            rejected_rows: &o.rejected_rows,
            batches_committed: o.batches_committed,
            already_imported: o.already_imported,
            validation: ValidationView {
                encoding: o.validation.encoding,
                errors: o.validation.errors,
                warnings: o.validation.warnings,
                diagnostics: o
                    .validation
                    .diagnostics
                    .iter()
                    .map(|d| DiagnosticView {
                        line: d.line,
                        code: d.code.as_str(),
                        severity: d.severity,
                        message: &d.message_en,
                    })
                    .collect(),
            },
        }
    }
}

/// An audit entry as `audit-log` shows it: no pseudonyms (they differ between stores).
#[derive(Serialize)]
struct AuditView<'a> {
    seq: u64,
    at: &'a str,
    role: &'a str,
    scope: Option<&'a str>,
    op: &'a str,
    outcome: &'a str,
    code: Option<&'a str>,
    record_count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    counts: Option<&'a std::collections::BTreeMap<String, u64>>,
}

impl<'a> From<&'a AuditEntry> for AuditView<'a> {
    fn from(e: &'a AuditEntry) -> Self {
        AuditView {
            seq: e.seq,
            at: &e.at,
            role: &e.role,
            scope: e.scope.as_deref(),
            op: &e.op,
            outcome: &e.outcome,
            code: e.code.as_deref(),
            record_count: e.record_count,
            counts: e.counts.as_ref(),
        }
    }
}

/// The registry over DIR and what the runner needs beside it.
struct Runner {
    dir: PathBuf,
    db: PathBuf,
    keys: PathBuf,
    clock: SharedClock,
    config: RegistryConfig,
    reg: Registry,
    my_numbers: Vec<String>,
    /// The anchor the host kept (`keep-anchor`).
    kept_anchor: Option<RegistryAnchor>,
}

/// File name of the master key inside DIR/keys.
const MASTER_KEY: &str = "master.key";

fn open_registry(
    dir: &Path,
    keys: &Path,
    clock: &SharedClock,
    config: &RegistryConfig,
) -> Result<(Registry, PathBuf), String> {
    let store = SqliteStore::open_dir(dir, SqliteOptions::default())
        .map_err(|e| format!("store {}: {e}", dir.display()))?;
    let db = store.path().to_path_buf();
    // A new master key only for a new store: a key created beside a populated store would not
    // open it (and must not replace the one that does).
    let mut store = store;
    let provider = if keys.join(MASTER_KEY).exists() {
        FileKeyProvider::open(keys)
    } else if vrs_core::store::holds_data(&mut store).map_err(|e| format!("store: {e}"))? {
        return Err(format!(
            "keys {}: no {MASTER_KEY}, and the store in {} holds data: refusing to create a new \
             key (restore the key directory)",
            keys.display(),
            dir.display()
        ));
    } else {
        FileKeyProvider::create(keys)
    }
    .map_err(|e| format!("keys {}: {e}", keys.display()))?;
    let reg = Registry::open(
        Box::new(store),
        Box::new(provider),
        Box::new(clock.clone()),
        config.clone(),
    )
    .map_err(|e| format!("registry: {e}"))?;
    Ok((reg, db))
}

/// A registry over nothing, held while the runner swaps the store's file.
fn open_memory_registry(clock: &SharedClock, config: &RegistryConfig) -> Result<Registry, String> {
    Registry::open(
        Box::new(vrs_core::store::MemoryStore::new()),
        Box::new(vrs_core::crypto::MasterKeyProvider::new([0; 32])),
        Box::new(clock.clone()),
        config.clone(),
    )
    .map_err(|e| format!("registry: {e}"))
}

impl Runner {
    fn open(dir: &Path, scenario: &Scenario) -> Result<Runner, String> {
        let clock = SharedClock(Arc::new(FixedClock::new(scenario.today)));
        let mut config = RegistryConfig::default();
        let c = &scenario.config;
        if let Some(q) = c.staff_quota {
            config.staff_quota = q;
        }
        if let Some(t) = c.stats_threshold {
            config.stats_threshold = t;
        }
        if let Some(b) = c.import_batch_rows {
            config.import_batch_rows = b;
        }
        let keys = dir.join("keys");
        // The store first: it creates DIR with mode 0700.
        let (reg, db) = open_registry(dir, &keys, &clock, &config)?;
        let mut runner = Runner {
            dir: dir.to_path_buf(),
            db,
            keys,
            clock,
            config,
            reg,
            my_numbers: scenario.my_numbers.clone(),
            kept_anchor: None,
        };
        runner.setup(scenario)?;
        Ok(runner)
    }

    /// Creates the missing tenants (own key files first) and registers their staff.
    fn setup(&mut self, scenario: &Scenario) -> Result<(), String> {
        let op = Principal::Operator;
        let fail = |what: String, e: RegistryError| format!("setup: {what}: {e}");
        let existing = self
            .reg
            .tenants(&op)
            .map_err(|e| fail("listing tenants".into(), e))?;
        for t in &scenario.tenants {
            if !existing.contains(&t.code) {
                // The key provider reads a tenant's key file when its area is first opened.
                let key = self.keys.join(format!("{}.key", t.code));
                if t.own_key && !key.exists() {
                    store_ops::write_random_key(&key).map_err(|e| format!("setup: {e}"))?;
                }
                self.reg
                    .create_tenant(&op, &t.code)
                    .map_err(|e| fail(format!("creating tenant {}", t.code), e))?;
            }
            if let Some(q) = t.staff_quota {
                self.reg
                    .set_staff_quota(&op, &t.code, q)
                    .map_err(|e| fail(format!("staff quota of {}", t.code), e))?;
            }
            for user in &t.staff {
                self.reg
                    .register_staff(&op, &t.code, user)
                    .map_err(|e| fail(format!("staff {user:?} of {}", t.code), e))?;
            }
        }
        Ok(())
    }

    /// Drops the registry and opens it again (new keys are read, caches are empty).
    fn reopen(&mut self) -> Result<(), String> {
        let (reg, db) = open_registry(&self.dir, &self.keys, &self.clock, &self.config)?;
        self.reg = reg;
        self.db = db;
        Ok(())
    }

    fn today(&self) -> vrs_core::date::Date {
        self.clock.now().date
    }

    /// Runs one step. `Err` only for store-level failures that stop the scenario.
    fn exec(&mut self, step: &Step) -> Result<Outcome, String> {
        if let Some(t) = step.today {
            self.clock.0.set(t);
        }
        let p = step.principal.clone().unwrap_or(Principal::Operator);
        let p = &p;
        let date = |s: &str| spec::parse_date(s);
        macro_rules! arg {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(why) => return Ok(Outcome::invalid(why.to_string())),
                }
            };
        }
        Ok(match &step.op {
            Op::Import { tenant, file, mode } => {
                match self.reg.import_subjects(p, tenant, file, *mode) {
                    Ok(o) => Outcome::ok(&ImportView::new(&o)),
                    Err(e) => Outcome::err(&e),
                }
            }
            Op::ImportDoses { tenant, file, mode } => {
                match self.reg.import_doses(p, tenant, file, *mode) {
                    Ok(o) => Outcome::ok(&ImportView::new(&o)),
                    Err(e) => Outcome::err(&e),
                }
            }
            Op::ImportFlags { tenant, file, mode } => {
                match self.reg.import_flags(p, tenant, file, *mode) {
                    Ok(o) => Outcome::ok(&ImportView::new(&o)),
                    Err(e) => Outcome::err(&e),
                }
            }
            Op::IssueVoucher {
                tenant,
                addressee,
                voucher,
                issued_on,
            } => {
                let addressee = arg!(AddresseeNumber::parse(addressee));
                let voucher = arg!(VoucherNumber::parse(voucher));
                let on = match issued_on {
                    Some(s) => arg!(date(s)),
                    None => self.today(),
                };
                Outcome::unit(self.reg.issue_voucher(p, tenant, &addressee, &voucher, on))
            }
            Op::ReissueVoucher {
                tenant,
                old,
                new,
                issued_on,
            } => {
                let old = arg!(VoucherNumber::parse(old));
                let new = arg!(VoucherNumber::parse(new));
                let on = match issued_on {
                    Some(s) => arg!(date(s)),
                    None => self.today(),
                };
                Outcome::unit(self.reg.reissue_voucher(p, tenant, &old, &new, on))
            }
            Op::RecordDose { target, dose } => {
                let input = DoseInput::new(
                    arg!(date(&dose.vaccinated_on)),
                    &dose.manufacturer,
                    &dose.lot,
                    &dose.venue,
                    &dose.doctor,
                );
                match target {
                    DoseTarget::Ocr(line) => {
                        let ocr = arg!(OcrLine::parse(line));
                        Outcome::from(self.reg.record_dose_ocr(p, &ocr, &input))
                    }
                    DoseTarget::Voucher {
                        tenant,
                        voucher,
                        dose,
                    } => {
                        let voucher = arg!(VoucherNumber::parse(voucher));
                        let n = arg!(DoseNumber::new(*dose));
                        Outcome::from(self.reg.record_dose(p, tenant, &voucher, n, &input))
                    }
                }
            }
            Op::SetFlag {
                tenant,
                subject,
                deceased,
                date: on,
                destination,
            } => {
                let who = arg!(subject_ref(subject));
                let on = arg!(date(on));
                let flag = if *deceased {
                    Flag::Deceased { date: on }
                } else {
                    Flag::MovedOut {
                        date: on,
                        destination: *destination,
                    }
                };
                Outcome::unit(self.reg.set_flag(p, tenant, &who, &flag))
            }
            Op::CorrectDose {
                tenant,
                subject,
                dose,
                fields,
                reason,
            } => {
                let who = arg!(subject_ref(subject));
                let n = arg!(DoseNumber::new(*dose));
                let correction = DoseCorrection {
                    vaccinated_on: match &fields.vaccinated_on {
                        Some(d) => Some(arg!(date(d))),
                        None => None,
                    },
                    manufacturer: fields.manufacturer.clone(),
                    lot: fields.lot.clone(),
                    venue: fields.venue.clone(),
                    doctor: fields.doctor.clone(),
                };
                Outcome::from(
                    self.reg
                        .correct_dose(p, tenant, &who, n, &correction, reason),
                )
            }
            Op::VoidDose {
                tenant,
                subject,
                dose,
                reason,
            } => {
                let who = arg!(subject_ref(subject));
                let n = arg!(DoseNumber::new(*dose));
                Outcome::from(self.reg.void_dose(p, tenant, &who, n, reason))
            }
            Op::SubjectDoses { tenant, addressee } => {
                Outcome::from(self.reg.subject_doses(p, tenant, addressee))
            }
            Op::Export {
                tenant,
                awaiting,
                encoding,
                show_csv,
            } => self.export(p, tenant, *awaiting, *encoding, *show_csv),
            Op::Stats { group_by } => {
                let query = StatsQuery {
                    group_by: group_by.clone(),
                };
                Outcome::from(self.reg.stats(p, &query))
            }
            Op::VerifyAudit { tenant } => Outcome::from(self.reg.verify_audit(p, tenant.as_ref())),
            Op::AuditLog { tenant, last } => match self.reg.audit_log(p, tenant.as_ref()) {
                Ok(entries) => {
                    let skip = last.map_or(0, |n| entries.len().saturating_sub(n));
                    let shown: Vec<AuditView<'_>> =
                        entries[skip..].iter().map(AuditView::from).collect();
                    #[derive(Serialize)]
                    struct AuditLogView<'a> {
                        count: usize,
                        entries: Vec<AuditView<'a>>,
                    }
                    Outcome::ok(&AuditLogView {
                        count: entries.len(),
                        entries: shown,
                    })
                }
                Err(e) => Outcome::err(&e),
            },
            Op::RegisterStaff { tenant, user } => {
                Outcome::unit(self.reg.register_staff(p, tenant, user))
            }
            Op::SetStaffQuota { tenant, quota } => {
                Outcome::unit(self.reg.set_staff_quota(p, tenant, *quota))
            }
            Op::CreateTenant { tenant } => Outcome::unit(self.reg.create_tenant(p, tenant)),
            Op::VerifyStore => Outcome::from(self.reg.verify_store(p)),
            Op::TamperAudit { chain, seq, action } => Outcome::ok(&store_ops::tamper_audit(
                &self.db,
                chain.as_ref(),
                *seq,
                action,
            )?),
            Op::TamperRecord { kind, action } => {
                Outcome::ok(&store_ops::tamper_record(&self.db, *kind, action)?)
            }
            Op::ReplaceKey { tenant } => {
                store_ops::write_random_key(&self.keys.join(format!("{tenant}.key")))?;
                self.reopen()?;
                Outcome::ok(&json!({"tenant": tenant.as_str()}))
            }
            Op::ScanStore { find } => {
                Outcome::ok(&store_ops::scan_store(&self.dir, find, &self.my_numbers)?)
            }
            Op::EraseChain { chain } => {
                Outcome::ok(&store_ops::erase_chain(&self.db, chain.as_ref())?)
            }
            Op::SaveCopy { name } => Outcome::ok(&store_ops::save_copy(&self.db, name)?),
            Op::RestoreCopy { name } => {
                // The registry lets go of the file first; then it opens the restored one.
                let placeholder = open_memory_registry(&self.clock, &self.config)?;
                drop(std::mem::replace(&mut self.reg, placeholder));
                let view = store_ops::restore_copy(&self.db, name)?;
                self.reopen()?;
                Outcome::ok(&view)
            }
            Op::KeepAnchor => match self.reg.anchor() {
                Ok(a) => {
                    self.kept_anchor = Some(a);
                    Outcome::ok(&json!({"counter": a.counter()}))
                }
                Err(e) => Outcome::err(&e),
            },
            Op::CheckAnchor => {
                let Some(kept) = self.kept_anchor else {
                    return Err("check-anchor: no anchor was kept (keep-anchor first)".into());
                };
                match self.reg.check_anchor(&kept) {
                    Ok(AnchorCheck::Same) => Outcome::ok(&json!({"newer_commits": 0})),
                    Ok(AnchorCheck::Newer { commits }) => {
                        Outcome::ok(&json!({"newer_commits": commits}))
                    }
                    Err(e) => Outcome::err(&e),
                }
            }
            Op::RotateKey { tenant } => Outcome::from(self.reg.rotate_tenant_key(p, tenant)),
            Op::Retention(op) => {
                let today = self.today();
                match retention_ops::run(&mut self.reg, p, op, today) {
                    retention_ops::Ran::Done(r) => Outcome::from(r),
                    retention_ops::Ran::Invalid(why) => Outcome::invalid(why),
                }
            }
        })
    }

    fn export(
        &mut self,
        p: &Principal,
        tenant: &MunicipalityCode,
        awaiting: bool,
        encoding: Encoding,
        show_csv: bool,
    ) -> Outcome {
        let options = WriteOptions {
            encoding,
            ..WriteOptions::default()
        };
        let mut buf = Vec::new();
        let rows = if awaiting {
            self.reg.export_awaiting(p, tenant, &mut buf, options)
        } else {
            self.reg.export_ledger(p, tenant, &mut buf, options)
        };
        let rows = match rows {
            Ok(n) => n,
            Err(e) => return Outcome::err(&e),
        };
        let has_my_number = self
            .my_numbers
            .iter()
            .any(|n| buf.windows(n.len()).any(|w| w == n.as_bytes()));
        #[derive(Serialize)]
        struct ExportView {
            rows: u64,
            bytes: usize,
            encoding: &'static str,
            sha256: String,
            has_my_number: bool,
            #[serde(skip_serializing_if = "Option::is_none")]
            csv: Option<String>,
        }
        let csv = (show_csv && !has_my_number).then(|| match decode_strict(&buf, encoding) {
            Ok(text) => text.into_owned(),
            Err(e) => format!("(not decodable: {e})"),
        });
        Outcome::ok(&ExportView {
            rows,
            bytes: buf.len(),
            encoding: encoding.name(),
            sha256: hex::encode(Sha256::digest(&buf)),
            has_my_number,
            csv,
        })
    }
}

/// Replaces every one of `my_numbers` in `s`; `true` when there was one.
fn redact(s: &mut String, my_numbers: &[String]) -> bool {
    let mut found = false;
    for n in my_numbers {
        if s.contains(n.as_str()) {
            *s = s.replace(n.as_str(), "[REDACTED]");
            found = true;
        }
    }
    found
}

/// Runs the scenario in `file` against the store in `dir`, writing one line per step to `out`
/// and failed expectations to `err`. `Ok(true)`: every expectation holds.
///
/// # Errors
/// The scenario cannot run: unreadable or invalid file, store or key failures.
pub fn run(
    file: &Path,
    dir: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<bool, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let base = file.parent().unwrap_or(Path::new("."));
    let scenario = parse_scenario(&text, base).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut runner = Runner::open(dir, &scenario)?;
    let io = |e: std::io::Error| format!("writing the output: {e}");
    let mut failed_steps = 0usize;
    for (i, step) in scenario.steps.iter().enumerate() {
        let n = i + 1;
        let outcome = runner
            .exec(step)
            .map_err(|e| format!("step {n} ({}): {e}", step.op.name()))?;
        let (error_text, error_value) = match &outcome.error {
            Some(e) => both(e),
            None => ("null".to_owned(), Value::Null),
        };
        let (result_text, result_value) = outcome
            .result
            .unwrap_or_else(|| ("null".to_owned(), Value::Null));
        let mut line = format!(
            "{{\"step\":{n},\"op\":\"{}\",\"ok\":{},\"error\":{error_text},\"result\":{result_text}}}",
            step.op.name(),
            outcome.ok
        );
        let mut failures = Vec::new();
        if redact(&mut line, &runner.my_numbers) {
            failures.push("the output contained a My Number (redacted)".to_owned());
        }
        if let Some(want) = &step.expect {
            failures.extend(expect::check(
                want,
                outcome.ok,
                &error_value,
                &result_value,
                &line,
            ));
        }
        writeln!(out, "{line}").map_err(io)?;
        if !failures.is_empty() {
            failed_steps += 1;
            for mut f in failures {
                redact(&mut f, &runner.my_numbers);
                writeln!(
                    err,
                    "{}: step {n} ({}): {f}",
                    file.display(),
                    step.op.name()
                )
                .map_err(io)?;
            }
        }
    }
    out.flush().map_err(io)?;
    if failed_steps > 0 {
        writeln!(
            err,
            "{}: {failed_steps} of {} step(s) did not meet their expectations ({})",
            file.display(),
            scenario.steps.len(),
            scenario.description
        )
        .map_err(io)?;
    }
    Ok(failed_steps == 0)
}

/// The registry's reference to a subject named in a scenario.
fn subject_ref(subject: &SubjectArg) -> Result<SubjectRef, String> {
    Ok(match subject {
        SubjectArg::Addressee(a) => {
            SubjectRef::Addressee(AddresseeNumber::parse(a).map_err(|e| e.to_string())?)
        }
        SubjectArg::Voucher(v) => {
            SubjectRef::Voucher(VoucherNumber::parse(v).map_err(|e| e.to_string())?)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_my_numbers_are_redacted() {
        let known = vec!["123456789018".to_owned(), "110000000000".to_owned()];
        let mut s = r#"{"addressee":"123456789018","x":"1100000000001"}"#.to_owned();
        assert!(redact(&mut s, &known));
        assert_eq!(s, r#"{"addressee":"[REDACTED]","x":"[REDACTED]1"}"#);
        let mut clean = "0000012345".to_owned();
        assert!(!redact(&mut clean, &known));
    }

    #[test]
    fn errors_print_code_rule_message_in_that_order() {
        let e = RegistryError::Rule {
            code: Code::L01,
            message: "the vaccination date is after the date of death".into(),
        };
        let o = Outcome::err(&e);
        let (text, value) = both(o.error.as_ref().unwrap());
        assert_eq!(
            text,
            r#"{"code":"rule","rule":"L01","message":"rule L01: the vaccination date is after the date of death"}"#
        );
        assert_eq!(value["rule"], "L01");
        assert!(o.result.is_none());
        let o = Outcome::invalid("voucher number must be 10 digits".into());
        assert_eq!(o.error.unwrap().code, "invalid_input");
    }
}
