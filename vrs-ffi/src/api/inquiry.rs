//! Inquiries on a move (転入時の接種記録照会), batch inquiries (一括照会) and the provision and
//! inquiry logs (情報提供等の記録), as methods of [`Registry`].
//!
//! In Python:
//!
//! ```python
//! answer = reg.inquire(minato, vrs.InquiryRequest(
//!     former="131016", my_number="123456789018",
//!     legal_basis=vrs.LegalBasis.CONSENT_DIFFICULT(), reference="M-1"))
//! answer.outcome                  # vrs.InquiryOutcome.MATCH
//! answer.providers[0].doses[0].vaccinated_on
//! ```

use vrs_core::id::MyNumber;
use vrs_core::registry as core;

use super::registry::{
    code, date, rejected_row, write_options, ExportOptions, Principal, Registry, RejectedRow,
};
use super::{Lang, Report, VrsError};
use std::sync::Arc;

/// Why the new municipality may ask.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum LegalBasis {
    /// The person consented on the form `form_ref`; the request must also confirm that their
    /// identity was verified (My Number Act Art. 16).
    Consent {
        /// Reference of the signed consent form (1-30 characters, not a My Number).
        form_ref: String,
    },
    /// Consent is difficult to obtain (accepted for requests from 2021-12-15 by default).
    ConsentDifficult,
}

impl From<&LegalBasis> for core::LegalBasis {
    fn from(b: &LegalBasis) -> Self {
        match b {
            LegalBasis::Consent { form_ref } => core::LegalBasis::Consent {
                form_ref: form_ref.clone(),
            },
            LegalBasis::ConsentDifficult => core::LegalBasis::ConsentDifficult,
        }
    }
}

/// An inquiry about one incoming resident.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct InquiryRequest {
    /// The municipality code the person moved from; `None`: every other municipality.
    #[uniffi(default = None)]
    pub former: Option<String>,
    /// The person's My Number.
    pub my_number: String,
    /// Why the requester may ask.
    pub legal_basis: LegalBasis,
    /// The person's identity was verified (required with consent).
    #[uniffi(default = false)]
    pub identity_verified: bool,
    /// The requester's own reference (e.g. its addressee number; never the My Number).
    pub reference: String,
}

/// A My Number argument: the error names the problem, never the value.
fn my_number(what: &str, s: &str) -> Result<MyNumber, VrsError> {
    MyNumber::parse(s).map_err(|e| VrsError::id_option(what, &e))
}

impl InquiryRequest {
    fn to_core(&self) -> Result<core::InquiryRequest, VrsError> {
        Ok(core::InquiryRequest {
            former: self
                .former
                .as_deref()
                .map(|f| code("former", f))
                .transpose()?,
            my_number: my_number("my_number", &self.my_number)?,
            legal_basis: (&self.legal_basis).into(),
            identity_verified: self.identity_verified,
            reference: self.reference.clone(),
        })
    }
}

/// Match or no match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum InquiryOutcomeKind {
    /// Municipalities hold dose records of the person (一致).
    Match,
    /// Nothing to provide (該当なし), whatever the reason.
    NoMatch,
}

/// One dose as an inquiry answer carries it, and nothing more.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct InquiryDose {
    /// Dose number.
    pub dose: u8,
    /// Vaccination date (`YYYY-MM-DD`).
    pub vaccinated_on: String,
    /// Voucher number.
    pub voucher_number: String,
    /// The municipality that issued the voucher.
    pub municipality_code: String,
    /// Venue name.
    pub venue: String,
    /// Doctor's name.
    pub doctor: String,
    /// Manufacturer.
    pub manufacturer: String,
    /// Lot number.
    pub lot: String,
}

/// The doses one municipality provided.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProviderRecords {
    /// The providing municipality's code.
    pub provider: String,
    /// Its doses of the person.
    pub doses: Vec<InquiryDose>,
}

/// The answer to an inquiry.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct InquiryAnswer {
    /// Match or no match.
    pub outcome: InquiryOutcomeKind,
    /// One entry per providing municipality (empty for no match).
    pub providers: Vec<ProviderRecords>,
    /// The answer as the C ABI gives it (`{"outcome":"no-match","providers":[]}` for every
    /// no-match).
    pub json: String,
}

impl From<core::InquiryOutcome> for InquiryAnswer {
    fn from(o: core::InquiryOutcome) -> Self {
        let json = serde_json::to_string(&o).unwrap_or_default();
        let outcome = match o {
            core::InquiryOutcome::Match { .. } => InquiryOutcomeKind::Match,
            _ => InquiryOutcomeKind::NoMatch,
        };
        InquiryAnswer {
            outcome,
            providers: o
                .providers()
                .iter()
                .map(|p| ProviderRecords {
                    provider: p.provider.as_str().to_owned(),
                    doses: p
                        .doses
                        .iter()
                        .map(|d| InquiryDose {
                            dose: d.dose,
                            vaccinated_on: d.vaccinated_on.clone(),
                            voucher_number: d.voucher_number.clone(),
                            municipality_code: d.municipality_code.as_str().to_owned(),
                            venue: d.venue.clone(),
                            doctor: d.doctor.clone(),
                            manufacturer: d.manufacturer.clone(),
                            lot: d.lot.clone(),
                        })
                        .collect(),
                })
                .collect(),
            json,
        }
    }
}

/// How a batch is asked and its result written.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BatchInquiryOptions {
    /// The legal basis of every row.
    pub legal_basis: LegalBasis,
    /// Every person's identity was verified (required with consent).
    #[uniffi(default = false)]
    pub identity_verified: bool,
    /// Encoding, BOM and header of the result file.
    #[uniffi(default = None)]
    pub result: Option<ExportOptions>,
}

/// What a batch inquiry did, and its result file.
#[derive(Debug, Clone, uniffi::Record)]
pub struct BatchInquiryOutcome {
    /// The batch's ID (as its log entries carry it).
    pub batch_id: String,
    /// Data rows in the request file.
    pub rows: u64,
    /// Rows asked and answered.
    pub answered: u64,
    /// Answered rows with records somewhere (一致).
    pub matched: u64,
    /// Answered rows without (該当なし).
    pub no_match: u64,
    /// Rows not asked.
    pub rejected: u64,
    /// The first 1,000 rejected rows.
    pub rejected_rows: Vec<RejectedRow>,
    /// Rows in the result file.
    pub result_rows: u64,
    /// The result file (`batch-inquiry-result`), never carrying a My Number.
    pub result: Vec<u8>,
    /// The validation report of the request file.
    pub validation: Arc<Report>,
}

/// Which log of a municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LogKind {
    /// What the municipality provided to others' inquiries (情報提供).
    Provision,
    /// The municipality's own inquiries (情報照会).
    Inquiry,
}

impl From<LogKind> for core::LogKind {
    fn from(k: LogKind) -> Self {
        match k {
            LogKind::Provision => core::LogKind::Provision,
            LogKind::Inquiry => core::LogKind::Inquiry,
        }
    }
}

/// What to look for in a log; every condition given must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default, uniffi::Record)]
pub struct LogQuery {
    /// Entries about the person with this My Number.
    #[uniffi(default = None)]
    pub subject: Option<String>,
    /// Entries by this staff user ID of the requesting municipality.
    #[uniffi(default = None)]
    pub user: Option<String>,
    /// Answered on or after this date (`YYYY-MM-DD` or `YYYYMMDD`).
    #[uniffi(default = None)]
    pub from_date: Option<String>,
    /// Answered on or before this date.
    #[uniffi(default = None)]
    pub to_date: Option<String>,
}

impl LogQuery {
    fn to_core(&self) -> Result<core::LogQuery, VrsError> {
        Ok(core::LogQuery {
            subject: self
                .subject
                .as_deref()
                .map(|s| my_number("subject", s))
                .transpose()?,
            user: self.user.clone(),
            from: self
                .from_date
                .as_deref()
                .map(|d| date("from_date", d))
                .transpose()?,
            to: self
                .to_date
                .as_deref()
                .map(|d| date("to_date", d))
                .transpose()?,
        })
    }
}

/// One entry of a provision or inquiry log: no My Number, no name.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LogEntry {
    /// Position in its log, from 1.
    pub seq: u64,
    /// Which log.
    pub log: LogKind,
    /// The requesting municipality.
    pub requester: String,
    /// The municipality asked (provision log: this one; inquiry log: the former municipality
    /// named, `None` for every municipality).
    pub provider: Option<String>,
    /// The municipalities that provided records.
    pub providers: Vec<String>,
    /// When the inquiry was made.
    pub requested_at: String,
    /// When it was answered.
    pub provided_at: String,
    /// `consent` or `consent-difficult`.
    pub legal_basis: String,
    /// The consent form's reference.
    pub form_ref: Option<String>,
    /// Identity verified.
    pub identity_verified: bool,
    /// The requester's own reference (inquiry log only).
    pub reference: Option<String>,
    /// IDs of the items provided.
    pub items: Vec<String>,
    /// Whether anything was provided.
    pub provided: bool,
    /// Dose records provided.
    pub doses: u32,
    /// The batch ID.
    pub batch: Option<String>,
    /// This municipality's pseudonym of the subject.
    pub subject: String,
    /// The requesting staff user's pseudonym.
    pub user: Option<String>,
}

impl From<core::LogEntry> for LogEntry {
    fn from(e: core::LogEntry) -> Self {
        LogEntry {
            seq: e.seq,
            log: match e.log {
                core::LogKind::Provision => LogKind::Provision,
                core::LogKind::Inquiry => LogKind::Inquiry,
            },
            requester: e.requester.as_str().to_owned(),
            provider: e.provider.map(|p| p.as_str().to_owned()),
            providers: e.providers.iter().map(|p| p.as_str().to_owned()).collect(),
            requested_at: e.requested_at,
            provided_at: e.provided_at,
            legal_basis: match e.legal_basis {
                core::BasisKind::Consent => "consent",
                core::BasisKind::ConsentDifficult => "consent-difficult",
            }
            .to_owned(),
            form_ref: e.form_ref,
            identity_verified: e.identity_verified,
            reference: e.reference,
            items: e.items,
            provided: e.provided,
            doses: e.doses,
            batch: e.batch,
            subject: e.subject,
            user: e.user,
        }
    }
}

#[uniffi::export]
impl Registry {
    /// Asks, as staff of the new municipality, which doses other municipalities recorded for an
    /// incoming resident (転入時の接種記録照会). One entry per providing municipality; every
    /// no-match is the same answer. Logged in each provider's provision log and the
    /// requester's inquiry log.
    pub fn inquire(
        &self,
        principal: Principal,
        request: InquiryRequest,
    ) -> Result<InquiryAnswer, VrsError> {
        let p = principal.to_core()?;
        let r = request.to_core()?;
        Ok(self.lock()?.inquire(&p, &r)?.into())
    }

    /// Answers a batch-inquiry request file (一括照会; `batch-inquiry-request`, version 1 or 2)
    /// and returns the outcome with the result file (`batch-inquiry-result`).
    pub fn batch_inquire(
        &self,
        principal: Principal,
        file: Vec<u8>,
        options: BatchInquiryOptions,
    ) -> Result<BatchInquiryOutcome, VrsError> {
        let p = principal.to_core()?;
        let mut o = core::BatchInquiryOptions::new((&options.legal_basis).into());
        o.identity_verified = options.identity_verified;
        o.write = write_options(options.result);
        let mut result = Vec::new();
        let outcome = self.lock()?.batch_inquire(&p, &file, &o, &mut result)?;
        Ok(BatchInquiryOutcome {
            batch_id: outcome.batch_id,
            rows: outcome.rows,
            answered: outcome.answered,
            matched: outcome.matched,
            no_match: outcome.no_match,
            rejected: outcome.rejected,
            rejected_rows: outcome
                .rejected_rows
                .into_iter()
                .map(rejected_row)
                .collect(),
            result_rows: outcome.result_rows,
            result,
            validation: Report::new(outcome.validation, Lang::Ja),
        })
    }

    /// The entries of `tenant`'s provision or inquiry log matching `query` (staff of the
    /// tenant only).
    #[uniffi::method(default(query = None))]
    pub fn log_entries(
        &self,
        principal: Principal,
        tenant: String,
        kind: LogKind,
        query: Option<LogQuery>,
    ) -> Result<Vec<LogEntry>, VrsError> {
        let p = principal.to_core()?;
        let t = code("tenant", &tenant)?;
        let q = query.unwrap_or_default().to_core()?;
        let mut reg = self.lock()?;
        let entries = match kind {
            LogKind::Provision => reg.provision_log(&p, &t, &q)?,
            LogKind::Inquiry => reg.inquiry_log(&p, &t, &q)?,
        };
        Ok(entries.into_iter().map(LogEntry::from).collect())
    }

    /// The `provision-log` download of `tenant`'s provision or inquiry log (staff only).
    #[uniffi::method(default(query = None, options = None))]
    pub fn export_log(
        &self,
        principal: Principal,
        tenant: String,
        kind: LogKind,
        query: Option<LogQuery>,
        options: Option<ExportOptions>,
    ) -> Result<Vec<u8>, VrsError> {
        let p = principal.to_core()?;
        let t = code("tenant", &tenant)?;
        let q = query.unwrap_or_default().to_core()?;
        let mut file = Vec::new();
        self.lock()?
            .export_log(&p, &t, kind.into(), &q, &mut file, write_options(options))?;
        Ok(file)
    }

    /// Checks `tenant`'s provision and inquiry logs (staff of the tenant, or the operator).
    pub fn verify_logs(
        &self,
        principal: Principal,
        tenant: String,
    ) -> Result<Vec<super::AuditVerification>, VrsError> {
        let p = principal.to_core()?;
        let t = code("tenant", &tenant)?;
        let checks = self.lock()?.verify_logs(&p, &t)?;
        Ok(checks
            .into_iter()
            .map(super::AuditVerification::from)
            .collect())
    }

    /// Rebuilds the registry-wide inquiry index from every tenant's subjects (operator only);
    /// returns the number of entries.
    pub fn rebuild_inquiry_index(&self, principal: Principal) -> Result<u64, VrsError> {
        let p = principal.to_core()?;
        Ok(self.lock()?.rebuild_inquiry_index(&p)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::RegistryOptions;

    #[test]
    fn inquiries_and_logs_through_the_uniffi_interface() {
        let options = RegistryOptions {
            fixed_time: Some("2022-03-01T09:00:00".into()),
            ..Default::default()
        };
        let reg = Registry::in_memory(vec![5; 32], Some(options)).unwrap();
        let op = Principal::Operator;
        for t in ["131016", "131032"] {
            reg.create_tenant(op.clone(), t.into()).unwrap();
            reg.register_staff(op.clone(), t.into(), "u1".into())
                .unwrap();
        }
        let staff = |t: &str| Principal::MunicipalStaff {
            tenant: t.into(),
            user_id: "u1".into(),
        };
        let file = "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n\
            131016,1001,123456789018,0000012345,千代田 花子,チヨダ ハナコ,19800101,2,20210501\r\n";
        reg.import_subjects(
            staff("131016"),
            "131016".into(),
            file.as_bytes().to_vec(),
            None,
        )
        .unwrap();
        let dose = super::super::DoseInput {
            vaccinated_on: "2021-06-01".into(),
            manufacturer: "ファイザー".into(),
            lot: "FA5765".into(),
            venue: "区民会館".into(),
            doctor: "山田一郎".into(),
        };
        reg.record_dose(
            staff("131016"),
            "131016".into(),
            "0000012345".into(),
            1,
            dose,
        )
        .unwrap();
        let request = InquiryRequest {
            former: Some("131016".into()),
            my_number: "123456789018".into(),
            legal_basis: LegalBasis::ConsentDifficult,
            identity_verified: false,
            reference: "M-1".into(),
        };
        let answer = reg.inquire(staff("131032"), request.clone()).unwrap();
        assert_eq!(answer.outcome, InquiryOutcomeKind::Match);
        assert_eq!(answer.providers[0].doses[0].vaccinated_on, "2021-06-01");
        let none = reg
            .inquire(
                staff("131032"),
                InquiryRequest {
                    my_number: "234567890121".into(),
                    ..request.clone()
                },
            )
            .unwrap();
        assert_eq!(none.json, r#"{"outcome":"no-match","providers":[]}"#);
        let err = reg
            .inquire(
                staff("131032"),
                InquiryRequest {
                    my_number: "123456789019".into(),
                    ..request.clone()
                },
            )
            .unwrap_err();
        assert!(!err.to_string().contains("123456789019"), "{err}");
        let err = reg.inquire(staff("131016"), request).unwrap_err();
        assert!(matches!(err, VrsError::Forbidden(_)), "{err}");
        let outcome = reg
            .batch_inquire(
                staff("131032"),
                "個人番号,宛名番号\r\n123456789018,5001\r\n"
                    .as_bytes()
                    .to_vec(),
                BatchInquiryOptions {
                    legal_basis: LegalBasis::ConsentDifficult,
                    identity_verified: false,
                    result: None,
                },
            )
            .unwrap();
        assert_eq!((outcome.answered, outcome.matched), (1, 1));
        assert!(String::from_utf8(outcome.result)
            .unwrap()
            .contains("\r\n5001,一致,131016,"));
        let log = reg
            .log_entries(staff("131016"), "131016".into(), LogKind::Provision, None)
            .unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(log[1].batch.as_deref(), Some(outcome.batch_id.as_str()));
        let csv = reg
            .export_log(
                staff("131032"),
                "131032".into(),
                LogKind::Inquiry,
                None,
                None,
            )
            .unwrap();
        assert!(!String::from_utf8(csv).unwrap().contains("123456789018"));
        assert!(reg
            .verify_logs(op.clone(), "131016".into())
            .unwrap()
            .iter()
            .all(|v| v.ok));
        assert_eq!(reg.rebuild_inquiry_index(op).unwrap(), 1);
    }
}
