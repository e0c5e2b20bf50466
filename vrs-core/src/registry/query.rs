//! Reading one subject's record (staff only).

use serde::Serialize;

use crate::crypto::RecordKind;
use crate::id::{AddresseeNumber, MunicipalityCode};
use crate::store::Store;

use super::access::Access;
use super::area::Area;
use super::correction::{history_of, DoseHistoryEntry};
use super::error::RegistryError;
use super::model::{self, DoseRec, SubjectRec, VoucherRec};
use super::principal::Principal;
use super::Registry;

/// One dose as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoseView {
    /// Dose number.
    pub dose: u8,
    /// Vaccination date (ISO).
    pub vaccinated_on: String,
    /// Voucher number it was registered on.
    pub voucher_number: String,
    /// Manufacturer (canonical spelling).
    pub manufacturer: String,
    /// Lot number.
    pub lot: String,
    /// Venue name.
    pub venue: String,
    /// Doctor's name.
    pub doctor: String,
    /// Registration timestamp (ISO).
    pub registered_at: String,
    /// `venue`, `staff` or `upload`.
    pub source: String,
}

/// A flag as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlagView {
    /// `moved-out` or `deceased`.
    pub kind: String,
    /// Effective date (ISO).
    pub date: String,
    /// Destination municipality of a move, when known.
    pub destination: Option<String>,
}

/// One subject's record for staff: no My Number (it is only used for matching).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectDoses {
    /// Addressee number.
    pub addressee: String,
    /// Name.
    pub name: String,
    /// Name in katakana.
    pub name_kana: String,
    /// Birth date (ISO).
    pub birth_date: String,
    /// `1` male, `2` female.
    pub sex: u8,
    /// Whether a My Number is on file (the number itself is never returned).
    pub has_my_number: bool,
    /// Voucher numbers, oldest first.
    pub vouchers: Vec<String>,
    /// Flags.
    pub flags: Vec<FlagView>,
    /// Doses, by dose number (voided doses are not among them).
    pub doses: Vec<DoseView>,
    /// Corrections and voids of the subject's doses, oldest first, each with the dose as it
    /// was before.
    pub history: Vec<DoseHistoryEntry>,
}

/// The doses of a subject over all their vouchers, by dose number, each with its voucher.
pub(crate) fn doses_of(
    store: &mut dyn Store,
    area: &Area,
    subject: &SubjectRec,
) -> Result<Vec<(String, DoseRec)>, RegistryError> {
    let mut out = Vec::new();
    for number in &subject.vouchers {
        let key = area.key(RecordKind::Voucher, number.as_bytes());
        if let Some(v) = area.load::<VoucherRec>(store, RecordKind::Voucher, &key)? {
            out.extend(v.doses.into_iter().map(|d| (number.clone(), d)));
        }
    }
    out.sort_by_key(|(_, d)| d.dose);
    Ok(out)
}

pub(crate) fn dose_view(voucher: &str, d: &DoseRec) -> Result<DoseView, RegistryError> {
    Ok(DoseView {
        dose: d.dose,
        vaccinated_on: model::date(d.vaccinated_on)?.to_string(),
        voucher_number: voucher.to_owned(),
        manufacturer: d.manufacturer.clone(),
        lot: d.lot.clone(),
        venue: d.venue.clone(),
        doctor: d.doctor.clone(),
        registered_at: model::unstamp(d.registered_at)?.to_string(),
        source: match d.source {
            1 => "venue",
            2 => "staff",
            _ => "upload",
        }
        .to_owned(),
    })
}

impl Registry {
    /// One subject's record, doses and dose history (staff of the tenant only).
    ///
    /// # Errors
    /// [`RegistryError::NotFound`], [`RegistryError::Forbidden`], [`RegistryError::InvalidInput`]
    /// for a malformed addressee number.
    pub fn subject_doses(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        addressee: &str,
    ) -> Result<SubjectDoses, RegistryError> {
        let addressee = AddresseeNumber::parse(addressee)
            .map_err(|e| RegistryError::InvalidInput(e.to_string()))?;
        self.run(
            principal,
            "subject-doses",
            Some(tenant),
            Access::Staff,
            |ctx| {
                let area = ctx.area()?;
                let key = area.key(RecordKind::Subject, addressee.as_str().as_bytes());
                ctx.touched.push(key);
                let subject: SubjectRec = area
                    .load(ctx.store, RecordKind::Subject, &key)?
                    .ok_or_else(|| {
                        RegistryError::NotFound("no subject with this addressee number".into())
                    })?;
                let doses = doses_of(ctx.store, &area, &subject)?
                    .iter()
                    .map(|(v, d)| dose_view(v, d))
                    .collect::<Result<Vec<_>, _>>()?;
                let flags = subject
                    .flags
                    .iter()
                    .map(|f| {
                        Ok(FlagView {
                            kind: if f.kind == 2 { "deceased" } else { "moved-out" }.to_owned(),
                            date: model::date(f.date)?.to_string(),
                            destination: f.destination.clone(),
                        })
                    })
                    .collect::<Result<Vec<_>, RegistryError>>()?;
                Ok(SubjectDoses {
                    addressee: subject.addressee.clone(),
                    name: subject.name.clone(),
                    name_kana: subject.name_kana.clone(),
                    birth_date: model::date(subject.birth)?.to_string(),
                    sex: subject.sex,
                    has_my_number: subject.my_number.is_some(),
                    vouchers: subject.vouchers.clone(),
                    flags,
                    doses,
                    history: history_of(ctx.store, &area, &subject.vouchers)?,
                })
            },
        )
    }
}
