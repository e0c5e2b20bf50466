//! The inquiry ops of scenarios: `inquire`, `batch-inquire`, `provision-log`, `inquiry-log`
//! (parsing and running, kept apart from the other ops).

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use vrs_core::codec::WriteOptions;
use vrs_core::id::{MunicipalityCode, MyNumber};
use vrs_core::registry::{
    BatchInquiryOptions, BatchInquiryOutcome, InquiryRequest, LegalBasis, LogEntry, LogKind,
    LogQuery, Principal, Registry, RejectedRow,
};
use vrs_core::text::{decode_strict, Encoding};

use super::spec::{self, SpecError};

/// The legal basis as a scenario writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasisArg {
    /// `consent` (with `form_ref`) or `consent-difficult`.
    consent: Option<String>,
    identity_verified: bool,
}

impl BasisArg {
    fn basis(&self) -> LegalBasis {
        match &self.consent {
            Some(form_ref) => LegalBasis::Consent {
                form_ref: form_ref.clone(),
            },
            None => LegalBasis::ConsentDifficult,
        }
    }
}

/// An inquiry op, parsed.
#[derive(Debug)]
pub enum InquiryOp {
    /// `inquire`.
    Inquire {
        former: Option<MunicipalityCode>,
        my_number: String,
        basis: BasisArg,
        reference: String,
    },
    /// `batch-inquire`.
    BatchInquire {
        file: Vec<u8>,
        basis: BasisArg,
        result_encoding: Encoding,
        show_csv: bool,
    },
    /// `provision-log` or `inquiry-log`.
    Log {
        kind: LogKind,
        tenant: MunicipalityCode,
        subject: Option<String>,
        user: Option<String>,
        from: Option<String>,
        to: Option<String>,
        export: bool,
        encoding: Encoding,
        show_csv: bool,
    },
}

impl InquiryOp {
    /// The op's name as written in scenarios.
    pub fn name(&self) -> &'static str {
        match self {
            InquiryOp::Inquire { .. } => "inquire",
            InquiryOp::BatchInquire { .. } => "batch-inquire",
            InquiryOp::Log {
                kind: LogKind::Provision,
                ..
            } => "provision-log",
            InquiryOp::Log {
                kind: LogKind::Inquiry,
                ..
            } => "inquiry-log",
        }
    }

    /// The input strings that may hold My Numbers (the runner never prints them).
    pub fn inputs(&self) -> Vec<&[u8]> {
        match self {
            InquiryOp::Inquire { my_number, .. } => vec![my_number.as_bytes()],
            InquiryOp::BatchInquire { file, .. } => vec![file],
            InquiryOp::Log { subject, .. } => subject.iter().map(|s| s.as_bytes()).collect(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InquireJson {
    former: Option<String>,
    my_number: String,
    legal_basis: String,
    #[serde(default)]
    identity_verified: bool,
    form_ref: Option<String>,
    reference: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchJson {
    file: Option<String>,
    rows: Option<Vec<String>>,
    file_path: Option<String>,
    encoding: Option<String>,
    #[serde(default)]
    with_former: bool,
    legal_basis: String,
    #[serde(default)]
    identity_verified: bool,
    form_ref: Option<String>,
    result_encoding: Option<String>,
    #[serde(default)]
    show_csv: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogJson {
    tenant: Option<String>,
    subject: Option<String>,
    user: Option<String>,
    from: Option<String>,
    to: Option<String>,
    #[serde(default)]
    export: bool,
    encoding: Option<String>,
    #[serde(default)]
    show_csv: bool,
}

fn bad<T>(msg: impl Into<String>) -> Result<T, SpecError> {
    Err(SpecError(msg.into()))
}

fn args<T: serde::de::DeserializeOwned>(
    op: &str,
    rest: Map<String, Value>,
) -> Result<T, SpecError> {
    serde_json::from_value(Value::Object(rest)).map_err(|e| SpecError(format!("{op}: {e}")))
}

fn basis(
    op: &str,
    legal_basis: &str,
    form_ref: Option<String>,
    identity_verified: bool,
) -> Result<BasisArg, SpecError> {
    let consent = match (legal_basis, form_ref) {
        ("consent", Some(f)) => Some(f),
        ("consent", None) => return bad(format!("{op}: consent needs a form_ref")),
        ("consent-difficult", None) => None,
        ("consent-difficult", Some(_)) => {
            return bad(format!("{op}: form_ref goes with consent only"))
        }
        (other, _) => {
            return bad(format!(
                "{op}: legal_basis {other:?}: consent or consent-difficult"
            ))
        }
    };
    Ok(BasisArg {
        consent,
        identity_verified,
    })
}

fn encoding(op: &str, s: Option<&str>) -> Result<Encoding, SpecError> {
    match s {
        None => Ok(Encoding::Utf8),
        Some(e) => e
            .parse()
            .map_err(|_| SpecError(format!("{op}: encoding {e:?}: utf-8 or cp932"))),
    }
}

/// Parses an inquiry op; `None` when `name` is not one.
pub fn parse(
    name: &str,
    rest: Map<String, Value>,
    principal: Option<&Principal>,
    base: &Path,
) -> Option<Result<InquiryOp, SpecError>> {
    let parsed = match name {
        "inquire" => parse_inquire(rest),
        "batch-inquire" => parse_batch(rest, base),
        "provision-log" | "inquiry-log" => parse_log(name, rest, principal),
        _ => return None,
    };
    Some(parsed)
}

fn parse_inquire(rest: Map<String, Value>) -> Result<InquiryOp, SpecError> {
    let j: InquireJson = args("inquire", rest)?;
    Ok(InquiryOp::Inquire {
        former: j
            .former
            .as_deref()
            .map(|f| {
                MunicipalityCode::parse(f).map_err(|e| SpecError(format!("inquire.former: {e}")))
            })
            .transpose()?,
        my_number: j.my_number,
        basis: basis("inquire", &j.legal_basis, j.form_ref, j.identity_verified)?,
        reference: j.reference.unwrap_or_else(|| "1".into()),
    })
}

fn parse_batch(rest: Map<String, Value>, base: &Path) -> Result<InquiryOp, SpecError> {
    let j: BatchJson = args("batch-inquire", rest)?;
    let layout = if j.with_former {
        "batch-inquiry-request@2"
    } else {
        "batch-inquiry-request"
    };
    let file = spec::file_bytes(
        j.file.as_deref(),
        j.rows.as_deref(),
        j.file_path.as_deref(),
        j.encoding.as_deref(),
        layout,
        base,
    )?;
    Ok(InquiryOp::BatchInquire {
        file,
        basis: basis(
            "batch-inquire",
            &j.legal_basis,
            j.form_ref,
            j.identity_verified,
        )?,
        result_encoding: encoding("batch-inquire", j.result_encoding.as_deref())?,
        show_csv: j.show_csv,
    })
}

fn parse_log(
    name: &str,
    rest: Map<String, Value>,
    principal: Option<&Principal>,
) -> Result<InquiryOp, SpecError> {
    let j: LogJson = args(name, rest)?;
    let tenant = match (j.tenant.as_deref(), principal.and_then(Principal::tenant)) {
        (Some(t), _) => {
            MunicipalityCode::parse(t).map_err(|e| SpecError(format!("{name}.tenant: {e}")))?
        }
        (None, Some(t)) => *t,
        (None, None) => return bad(format!("{name}: give a tenant (the principal has none)")),
    };
    if !j.export && (j.encoding.is_some() || j.show_csv) {
        return bad(format!(
            "{name}: encoding and show_csv go with export: true"
        ));
    }
    Ok(InquiryOp::Log {
        kind: if name == "provision-log" {
            LogKind::Provision
        } else {
            LogKind::Inquiry
        },
        tenant,
        subject: j.subject,
        user: j.user,
        from: j.from,
        to: j.to,
        export: j.export,
        encoding: encoding(name, j.encoding.as_deref())?,
        show_csv: j.show_csv,
    })
}

/// A step's result (as printed, in field order, and as checked), or why the input never
/// reached the registry.
pub enum Ran {
    /// The registry's answer.
    Done(Result<(String, Value), vrs_core::registry::RegistryError>),
    /// A malformed data argument (not sent).
    Invalid(String),
}

fn to_value<T: Serialize>(v: &T) -> (String, Value) {
    (
        serde_json::to_string(v).unwrap_or_else(|_| "null".into()),
        serde_json::to_value(v).unwrap_or(Value::Null),
    )
}

/// A file a step produced, as printed: never its bytes when they hold a known My Number.
#[derive(Serialize)]
struct FileView {
    rows: u64,
    bytes: usize,
    encoding: &'static str,
    sha256: String,
    has_my_number: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    csv: Option<String>,
}

fn file_view(
    bytes: &[u8],
    rows: u64,
    encoding: Encoding,
    show_csv: bool,
    my_numbers: &[String],
) -> FileView {
    let has_my_number = my_numbers
        .iter()
        .any(|n| bytes.windows(n.len()).any(|w| w == n.as_bytes()));
    let csv = (show_csv && !has_my_number).then(|| match decode_strict(bytes, encoding) {
        Ok(text) => text.into_owned(),
        Err(e) => format!("(not decodable: {e})"),
    });
    FileView {
        rows,
        bytes: bytes.len(),
        encoding: encoding.name(),
        sha256: hex::encode(Sha256::digest(bytes)),
        has_my_number,
        csv,
    }
}

/// A batch outcome as printed: the batch ID (a keyed hash, different in every store) left out.
#[derive(Serialize)]
struct BatchView<'a> {
    rows: u64,
    answered: u64,
    matched: u64,
    no_match: u64,
    rejected: u64,
    rejected_rows: &'a [RejectedRow],
    result_rows: u64,
    validation_errors: u64,
    result: FileView,
}

/// A log entry as printed: pseudonyms and batch IDs left out (they differ per store).
#[derive(Serialize)]
struct EntryView<'a> {
    seq: u64,
    log: LogKind,
    requester: MunicipalityCode,
    provider: Option<MunicipalityCode>,
    providers: &'a [MunicipalityCode],
    requested_at: &'a str,
    provided_at: &'a str,
    legal_basis: vrs_core::registry::BasisKind,
    form_ref: Option<&'a str>,
    identity_verified: bool,
    reference: Option<&'a str>,
    items: &'a [String],
    provided: bool,
    doses: u32,
    in_batch: bool,
}

impl<'a> From<&'a LogEntry> for EntryView<'a> {
    fn from(e: &'a LogEntry) -> Self {
        EntryView {
            seq: e.seq,
            log: e.log,
            requester: e.requester,
            provider: e.provider,
            providers: &e.providers,
            requested_at: &e.requested_at,
            provided_at: &e.provided_at,
            legal_basis: e.legal_basis,
            form_ref: e.form_ref.as_deref(),
            identity_verified: e.identity_verified,
            reference: e.reference.as_deref(),
            items: &e.items,
            provided: e.provided,
            doses: e.doses,
            in_batch: e.batch.is_some(),
        }
    }
}

/// Runs an inquiry op.
pub fn run(reg: &mut Registry, p: &Principal, op: &InquiryOp, my_numbers: &[String]) -> Ran {
    match op {
        InquiryOp::Inquire {
            former,
            my_number,
            basis,
            reference,
        } => {
            let my_number = match MyNumber::parse(my_number) {
                Ok(n) => n,
                Err(e) => return Ran::Invalid(format!("my_number: {e}")),
            };
            let request = InquiryRequest {
                former: *former,
                my_number,
                legal_basis: basis.basis(),
                identity_verified: basis.identity_verified,
                reference: reference.clone(),
            };
            Ran::Done(reg.inquire(p, &request).map(|o| to_value(&o)))
        }
        InquiryOp::BatchInquire {
            file,
            basis,
            result_encoding,
            show_csv,
        } => {
            let mut options = BatchInquiryOptions::new(basis.basis());
            options.identity_verified = basis.identity_verified;
            options.write = WriteOptions {
                encoding: *result_encoding,
                ..WriteOptions::default()
            };
            let mut out = Vec::new();
            Ran::Done(reg.batch_inquire(p, file, &options, &mut out).map(
                |o: BatchInquiryOutcome| {
                    to_value(&BatchView {
                        rows: o.rows,
                        answered: o.answered,
                        matched: o.matched,
                        no_match: o.no_match,
                        rejected: o.rejected,
                        rejected_rows: &o.rejected_rows,
                        result_rows: o.result_rows,
                        validation_errors: o.validation.errors,
                        result: file_view(
                            &out,
                            o.result_rows,
                            *result_encoding,
                            *show_csv,
                            my_numbers,
                        ),
                    })
                },
            ))
        }
        InquiryOp::Log {
            kind,
            tenant,
            subject,
            user,
            from,
            to,
            export,
            encoding,
            show_csv,
        } => {
            let mut query = LogQuery {
                user: user.clone(),
                ..LogQuery::default()
            };
            if let Some(s) = subject {
                match MyNumber::parse(s) {
                    Ok(n) => query.subject = Some(n),
                    Err(e) => return Ran::Invalid(format!("subject: {e}")),
                }
            }
            for (given, slot) in [(from, &mut query.from), (to, &mut query.to)] {
                if let Some(d) = given {
                    match spec::parse_date(d) {
                        Ok(d) => *slot = Some(d),
                        Err(e) => return Ran::Invalid(e),
                    }
                }
            }
            if *export {
                let mut out = Vec::new();
                let options = WriteOptions {
                    encoding: *encoding,
                    ..WriteOptions::default()
                };
                Ran::Done(
                    reg.export_log(p, tenant, *kind, &query, &mut out, options)
                        .map(|rows| {
                            to_value(&file_view(&out, rows, *encoding, *show_csv, my_numbers))
                        }),
                )
            } else {
                let entries = match kind {
                    LogKind::Provision => reg.provision_log(p, tenant, &query),
                    LogKind::Inquiry => reg.inquiry_log(p, tenant, &query),
                };
                Ran::Done(entries.map(|entries| {
                    #[derive(Serialize)]
                    struct LogView<'a> {
                        count: usize,
                        entries: Vec<EntryView<'a>>,
                    }
                    to_value(&LogView {
                        count: entries.len(),
                        entries: entries.iter().map(EntryView::from).collect(),
                    })
                }))
            }
        }
    }
}
