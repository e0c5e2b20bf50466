//! Registering doses: by OCR line (venue tablet or staff), by staff entry, by bulk upload.

use serde::Serialize;

use crate::codec::DoseUploadRow;
use crate::crypto::{RecordKey, RecordKind};
use crate::date::{Date, DateTime};
use crate::diag::Code;
use crate::id::{MunicipalityCode, OcrLine, VoucherNumber};
use crate::store::Store;
use crate::text::char_count;
use crate::vaccine::{check_lot, DoseNumber};

use super::access::Access;
use super::area::Area;
use super::error::RegistryError;
use super::fields;
use super::guard::{self, Field};
use super::import::{self, ImportMode, ImportOutcome, RowResult};
use super::model::{self, DoseRec, SubjectRec, VoucherRec};
use super::principal::Principal;
use super::{Registry, RegistryConfig};

/// Where a dose came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Venue = 1,
    Staff = 2,
    Upload = 3,
}

/// The details of one dose as a venue or staff member enters them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoseInput {
    /// Vaccination date.
    pub vaccinated_on: Date,
    /// Manufacturer as written (any accepted spelling, e.g. `ファイザー`, `武田/モデルナ`).
    pub manufacturer: String,
    /// Lot number (1–20 of `[0-9A-Za-z-]`).
    pub lot: String,
    /// Venue name (≤ 30 characters). Stored folded into the common repertoire of UTF-8 and
    /// CP932 ([`crate::text::fold_to_cp932`]: 〜 becomes ～); a character CP932 lacks is refused.
    pub venue: String,
    /// Doctor's name (≤ 20 characters), stored like the venue name.
    pub doctor: String,
}

impl DoseInput {
    /// Dose details from their parts.
    pub fn new(
        vaccinated_on: Date,
        manufacturer: &str,
        lot: &str,
        venue: &str,
        doctor: &str,
    ) -> DoseInput {
        DoseInput {
            vaccinated_on,
            manufacturer: manufacturer.to_owned(),
            lot: lot.to_owned(),
            venue: venue.to_owned(),
            doctor: doctor.to_owned(),
        }
    }
}

/// What a venue sees after registering a dose: no name, no My Number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoseConfirmation {
    /// The voucher the dose was registered on.
    pub voucher_number: String,
    /// Dose number.
    pub dose: u8,
    /// Vaccination date (ISO).
    pub vaccinated_on: String,
    /// Registration timestamp (ISO).
    pub registered_at: String,
    /// The same dose was registered before; nothing changed.
    pub already_recorded: bool,
    /// The voucher is not yet linked to a subject: the dose waits in the awaiting-registration list.
    pub awaiting_registration: bool,
    /// Warning codes (e.g. `L02` dose after move-out).
    pub warnings: Vec<String>,
}

pub(crate) fn rule(code: Code, message: &str) -> RegistryError {
    RegistryError::Rule {
        code,
        message: message.to_owned(),
    }
}

/// A dose's fields as they are stored: checked, manufacturer in its canonical spelling, text
/// folded into the common repertoire of the download encodings.
pub(crate) struct CheckedDose {
    pub manufacturer: String,
    pub lot: String,
    pub venue: String,
    pub doctor: String,
}

/// Field checks of a dose, the same rules the file validator applies, plus the registry's text
/// check ([`fields::storable`]). Every way a dose's fields are stored (registration, bulk
/// upload, correction) goes through here.
pub(crate) fn check_input(
    input: &DoseInput,
    now: DateTime,
    config: &RegistryConfig,
) -> Result<CheckedDose, RegistryError> {
    if input.vaccinated_on > now.date {
        return Err(rule(Code::D02, "the vaccination date is in the future"));
    }
    let programme = &config.tables.programme;
    if input.vaccinated_on < programme.start
        || programme.end.is_some_and(|e| input.vaccinated_on > e)
    {
        return Err(rule(
            Code::D03,
            "the vaccination date is outside the programme window",
        ));
    }
    let text = |value: &str, max: usize, code: Code, field: fields::Field| {
        if char_count(value) > max {
            return Err(rule(
                code,
                &format!("the {} is longer than {max} characters", field.en),
            ));
        }
        Ok(fields::storable(field, value)?.into_owned())
    };
    let venue = text(&input.venue, 30, Code::T01, fields::VENUE)?;
    let doctor = text(&input.doctor, 20, Code::T02, fields::DOCTOR)?;
    let maker = config
        .tables
        .resolve_manufacturer(&input.manufacturer)
        .and_then(|id| config.tables.manufacturer(id))
        .ok_or_else(|| {
            rule(
                Code::T03,
                "the manufacturer is not in the accepted-spelling table",
            )
        })?;
    let lot = check_lot(&input.lot).map_err(|e| rule(Code::T04, &e.to_string()))?;
    Ok(CheckedDose {
        manufacturer: maker.canonical.clone(),
        lot: lot.into_owned(),
        venue,
        doctor,
    })
}

/// The fields of a dose that downloads carry, for [`guard::refuse_my_numbers`].
pub(crate) fn dose_fields(input: &DoseInput) -> [(Field, &str); 4] {
    [
        (Field::Venue, input.venue.as_str()),
        (Field::Doctor, input.doctor.as_str()),
        (Field::Manufacturer, input.manufacturer.as_str()),
        (Field::Lot, input.lot.as_str()),
    ]
}

/// Registers dose `dose` on voucher `number` of `area` inside the open transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) fn register(
    store: &mut dyn Store,
    area: &Area,
    now: DateTime,
    config: &RegistryConfig,
    number: &str,
    dose: DoseNumber,
    input: &DoseInput,
    source: Source,
    touched: &mut Vec<RecordKey>,
) -> Result<DoseConfirmation, RegistryError> {
    let checked = check_input(input, now, config)?;
    guard::refuse_my_numbers(store, area, config, &dose_fields(input))?;
    let rec = DoseRec {
        dose: dose.get(),
        vaccinated_on: model::days(input.vaccinated_on),
        registered_at: model::stamp(now),
        venue: checked.venue,
        doctor: checked.doctor,
        manufacturer: checked.manufacturer,
        lot: checked.lot,
        source: source as u8,
    };
    let voucher_key = area.key(RecordKind::Voucher, number.as_bytes());
    let mut voucher: VoucherRec = match area.load(store, RecordKind::Voucher, &voucher_key)? {
        Some(v) => v,
        None => VoucherRec {
            number: number.to_owned(),
            subject: None,
            issued_on: None,
            replaced_by: None,
            doses: Vec::new(),
        },
    };
    let mut confirmation = DoseConfirmation {
        voucher_number: number.to_owned(),
        dose: dose.get(),
        vaccinated_on: input.vaccinated_on.to_string(),
        registered_at: now.to_string(),
        already_recorded: false,
        awaiting_registration: voucher.subject.is_none(),
        warnings: Vec::new(),
    };
    if voucher.replaced_by.is_some() {
        return Err(rule(
            Code::L04,
            "the voucher was replaced by a reissued one",
        ));
    }
    // Doses of the same person on their other vouchers.
    let mut all_doses: Vec<DoseRec> = voucher.doses.clone();
    if let Some(addressee) = &voucher.subject {
        let subject_key = area.key(RecordKind::Subject, addressee.as_bytes());
        let subject: Option<SubjectRec> = area.load(store, RecordKind::Subject, &subject_key)?;
        if let Some(subject) = subject {
            check_subject(&subject, input.vaccinated_on, &mut confirmation.warnings)?;
            for other in subject.vouchers.iter().filter(|v| *v != number) {
                let k = area.key(RecordKind::Voucher, other.as_bytes());
                if let Some(v) = area.load::<VoucherRec>(store, RecordKind::Voucher, &k)? {
                    all_doses.extend(v.doses);
                }
            }
        }
    }
    if let Some(same) = all_doses.iter().find(|d| d.dose == rec.dose) {
        if same.same_dose(&rec) {
            confirmation.already_recorded = true;
            confirmation.registered_at = model::unstamp(same.registered_at)?.to_string();
            return Ok(confirmation);
        }
        return Err(RegistryError::Conflict {
            code: Code::S03,
            message: format!(
                "a different dose {} is already recorded for this person",
                rec.dose
            ),
        });
    }
    check_order(&all_doses, &rec)?;
    voucher.doses.push(rec);
    voucher.doses.sort_by_key(|d| d.dose);
    area.save(store, RecordKind::Voucher, &voucher_key, &voucher)?;
    touched.push(voucher_key);
    if voucher.subject.is_none() {
        touched.push(import::mark_awaiting(store, area, number)?);
    }
    Ok(confirmation)
}

/// S02: `rec` is dated after the person's previous dose and before their next one (`others`:
/// their other doses).
pub(crate) fn check_order(others: &[DoseRec], rec: &DoseRec) -> Result<(), RegistryError> {
    if let Some(prev) = others.iter().find(|d| d.dose + 1 == rec.dose) {
        if prev.vaccinated_on >= rec.vaccinated_on {
            return Err(rule(
                Code::S02,
                "the dose is not dated after the previous dose",
            ));
        }
    }
    if let Some(next) = others.iter().find(|d| d.dose == rec.dose + 1) {
        if next.vaccinated_on <= rec.vaccinated_on {
            return Err(rule(
                Code::S02,
                "the dose is not dated before the next dose",
            ));
        }
    }
    Ok(())
}

/// L01 (error) and L02 (warning, added to `warnings`) against the subject's flags; D05 against
/// the birth date.
pub(crate) fn check_subject(
    subject: &SubjectRec,
    on: Date,
    warnings: &mut Vec<String>,
) -> Result<(), RegistryError> {
    let on_days = model::days(on);
    if on_days < subject.birth {
        return Err(rule(
            Code::D05,
            "the vaccination date is before the birth date",
        ));
    }
    for flag in &subject.flags {
        match flag.kind {
            2 if on_days > flag.date => {
                return Err(rule(
                    Code::L01,
                    "the vaccination date is after the date of death",
                ));
            }
            1 if on_days > flag.date => warnings.push(Code::L02.as_str().to_owned()),
            _ => {}
        }
    }
    Ok(())
}

impl Registry {
    /// Registers a dose from a voucher's OCR line (venue tablet of the voucher's municipality, or
    /// its staff). The dose number is the OCR line's dose digit. A voucher not yet registered
    /// to a subject is created and its doses wait in the awaiting-registration list.
    ///
    /// # Errors
    /// [`RegistryError::Rule`] (D02 future date, D03, T01–T04, T08 a character CP932 lacks,
    /// L01 after death, L04 replaced voucher, S02, N02 a My Number in the venue, doctor,
    /// manufacturer or lot), [`RegistryError::Conflict`] (S03 a different dose N exists),
    /// [`RegistryError::Forbidden`], [`RegistryError::UnknownTenant`].
    pub fn record_dose_ocr(
        &mut self,
        principal: &Principal,
        ocr: &OcrLine,
        input: &DoseInput,
    ) -> Result<DoseConfirmation, RegistryError> {
        let dose = DoseNumber::new(ocr.dose)
            .map_err(|_| RegistryError::InvalidInput("the OCR line's dose digit is 0".into()))?;
        let tenant = ocr.key.municipality;
        let number = ocr.key.number;
        let source = match principal {
            Principal::VenueTablet { .. } => Source::Venue,
            _ => Source::Staff,
        };
        let access = Access::StaffOrVenue;
        self.record_one(principal, &tenant, access, &number, dose, input, source)
    }

    /// Registers a dose entered by staff on one of the tenant's vouchers.
    ///
    /// # Errors
    /// As for [`Registry::record_dose_ocr`]; staff only.
    pub fn record_dose(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        voucher: &VoucherNumber,
        dose: DoseNumber,
        input: &DoseInput,
    ) -> Result<DoseConfirmation, RegistryError> {
        self.record_one(
            principal,
            tenant,
            Access::Staff,
            voucher,
            dose,
            input,
            Source::Staff,
        )
    }

    /// One audited dose registration on voucher `number` of `tenant`.
    #[allow(clippy::too_many_arguments)]
    fn record_one(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        access: Access,
        number: &VoucherNumber,
        dose: DoseNumber,
        input: &DoseInput,
        source: Source,
    ) -> Result<DoseConfirmation, RegistryError> {
        self.run(principal, "record-dose", Some(tenant), access, |ctx| {
            let area = ctx.area()?;
            let n = number.as_str();
            let (store, now, config) = (&mut *ctx.store, ctx.now, ctx.config);
            register(
                store,
                &area,
                now,
                config,
                n,
                dose,
                input,
                source,
                &mut ctx.touched,
            )
        })
    }

    /// Imports a bulk dose-record upload (`dose-upload` layout) into `tenant` (staff only), with
    /// the same modes and guarantees as [`Registry::import_subjects`]. Rows breaking a registry
    /// rule (L01, S03...) are rejected rows.
    ///
    /// # Errors
    /// As for [`Registry::import_subjects`].
    pub fn import_doses(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        file: &[u8],
        mode: ImportMode,
    ) -> Result<ImportOutcome, RegistryError> {
        let spec = import::ImportSpec {
            layout: "dose-upload",
            op: "import-doses",
        };
        self.import_file::<DoseUploadRow>(
            principal,
            tenant,
            file,
            mode,
            spec,
            &mut |_| {},
            &mut |store, area, now, config, row| {
                let input = DoseInput {
                    vaccinated_on: row.vaccinated_on,
                    manufacturer: row.manufacturer.clone(),
                    lot: row.lot.clone(),
                    venue: row.venue.clone(),
                    doctor: row.doctor.clone(),
                };
                let mut touched = Vec::new();
                match register(
                    store,
                    area,
                    now,
                    config,
                    row.voucher.number.as_str(),
                    row.dose,
                    &input,
                    Source::Upload,
                    &mut touched,
                ) {
                    Ok(c) if c.already_recorded => Ok(RowResult::Unchanged),
                    Ok(_) => Ok(RowResult::Changed(touched)),
                    Err(
                        RegistryError::Rule { code, message }
                        | RegistryError::Conflict { code, message },
                    ) => {
                        let ja = code.info().title_ja.to_owned();
                        Ok(RowResult::Rejected(code, message, ja))
                    }
                    Err(e) => Err(e),
                }
            },
        )
    }
}
