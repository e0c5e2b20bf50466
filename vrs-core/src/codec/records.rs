//! Typed records of each layout: what a program writes, and what a reader gives back.
//!
//! Download-type records ([`LedgerRow`], [`AwaitingRow`], [`BatchInquiryResultRow`]) have no
//! My Number field, so no writer can emit one.

use crate::date::{Date, DateTime};
use crate::id::{
    AddresseeNumber, IdError, MunicipalityCode, MyNumber, OcrLine, VoucherKey, VoucherNumber,
};
use crate::layout::{Column, FieldType, Layout};
use crate::vaccine::DoseNumber;

/// A field that could not be turned into a typed value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{column}: {message}")]
pub struct RecordError {
    /// Column name (Japanese).
    pub column: String,
    /// What is wrong, English (never contains a My Number).
    pub message: String,
    /// What is wrong, Japanese.
    pub message_ja: String,
}

impl RecordError {
    fn new(column: &str, message: impl Into<String>, message_ja: impl Into<String>) -> Self {
        RecordError {
            column: column.to_owned(),
            message: message.into(),
            message_ja: message_ja.into(),
        }
    }

    fn shape(expected: usize, found: usize) -> Self {
        RecordError::new(
            "",
            format!("expected {expected} fields, found {found}"),
            format!("{expected}項目のはずが{found}項目です"),
        )
    }

    /// The message in Japanese.
    pub fn message_ja(&self) -> String {
        format!("{}：{}", self.column, self.message_ja)
    }
}

/// A typed record of one layout.
pub trait LayoutRecord: Sized {
    /// The layout ID (e.g. `ledger-export`).
    const LAYOUT: &'static str;

    /// The fields in column order for `layout`.
    ///
    /// # Errors
    /// When the record does not fit the layout (e.g. more doses than dose blocks).
    fn to_fields(&self, layout: &Layout) -> Result<Vec<String>, RecordError>;

    /// Parses fields in column order.
    ///
    /// # Errors
    /// The first field that is not a valid value of its column.
    fn from_fields(fields: &[&str], layout: &Layout) -> Result<Self, RecordError>;
}

/// One dose as carried in the 8-column dose blocks (reference §6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoseEntry {
    /// When the dose was registered in VRS.
    pub registered_at: DateTime,
    /// Vaccination date.
    pub vaccinated_on: Date,
    /// The voucher used (issuing municipality + number).
    pub voucher: VoucherKey,
    /// Venue name (≤ 30 characters; may be empty).
    pub venue: String,
    /// Doctor name (≤ 20 characters; may be empty).
    pub doctor: String,
    /// Manufacturer as written (e.g. `ファイザー`).
    pub manufacturer: String,
    /// Lot number (may be empty).
    pub lot: String,
}

/// Sex code of the subject registration (modelled: 1 = male, 2 = female).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// 1, 男.
    Male,
    /// 2, 女.
    Female,
}

impl Sex {
    /// The layout's code: 1 male, 2 female.
    pub fn code(self) -> u8 {
        match self {
            Sex::Male => 1,
            Sex::Female => 2,
        }
    }
}

/// Kind of a flag in the flags upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlagKind {
    /// 1, 転出.
    MoveOut,
    /// 2, 死亡.
    Death,
}

/// Result of one batch inquiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchStatus {
    /// 一致.
    Match,
    /// 該当なし.
    NoMatch,
}

/// A row of the ledger export (予防接種台帳向け出力): one person, doses in blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    /// The person's addressee number.
    pub addressee: AddresseeNumber,
    /// Dose N at index N-1; `None` for a dose not given. At most the layout's block count.
    pub doses: Vec<Option<DoseEntry>>,
}

/// A row of the awaiting-registration list: doses whose voucher has no subject yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwaitingRow {
    /// Dose N at index N-1.
    pub doses: Vec<Option<DoseEntry>>,
}

/// A row of the subject and voucher registration upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectRegistrationRow {
    /// The registering municipality.
    pub municipality: MunicipalityCode,
    /// Addressee number.
    pub addressee: AddresseeNumber,
    /// My Number (sealed; written only to this upload layout).
    pub my_number: Option<MyNumber>,
    /// Voucher number.
    pub voucher: VoucherNumber,
    /// Name in kanji.
    pub name: String,
    /// Name in katakana.
    pub name_kana: String,
    /// Date of birth.
    pub birth_date: Date,
    /// Sex.
    pub sex: Sex,
    /// Voucher issue date.
    pub issue_date: Option<Date>,
}

/// A row of the move-out/death flags upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagRow {
    /// The municipality setting the flag.
    pub municipality: MunicipalityCode,
    /// The person, by addressee number...
    pub addressee: Option<AddresseeNumber>,
    /// ...or by voucher number.
    pub voucher: Option<VoucherNumber>,
    /// Move-out or death.
    pub kind: FlagKind,
    /// Effective date.
    pub date: Date,
    /// Destination of a move-out, when known.
    pub destination: Option<MunicipalityCode>,
}

/// A row of the bulk dose-record upload (one dose per row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoseUploadRow {
    /// The voucher used.
    pub voucher: VoucherKey,
    /// Dose number.
    pub dose: DoseNumber,
    /// Vaccination date.
    pub vaccinated_on: Date,
    /// Venue name.
    pub venue: String,
    /// Doctor name.
    pub doctor: String,
    /// Manufacturer as written.
    pub manufacturer: String,
    /// Lot number.
    pub lot: String,
    /// The voucher's OCR line, when read.
    pub ocr: Option<OcrLine>,
    /// Addressee number, when known.
    pub addressee: Option<AddresseeNumber>,
    /// Date of birth, when known (enables the age rule S05).
    pub birth_date: Option<Date>,
}

/// A row of the batch-inquiry request upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchInquiryRequestRow {
    /// The incoming resident's My Number.
    pub my_number: MyNumber,
    /// The requester's addressee number, to join results back.
    pub addressee: AddresseeNumber,
}

/// A row of the batch-inquiry result download (never echoes the My Number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchInquiryResultRow {
    /// The requester's addressee number.
    pub addressee: AddresseeNumber,
    /// Match or no match.
    pub status: MatchStatus,
    /// Dose N at index N-1 (empty for no match).
    pub doses: Vec<Option<DoseEntry>>,
}

// ---- field helpers -------------------------------------------------------------------------

struct Fields<'a> {
    fields: &'a [&'a str],
    columns: &'a [Column],
}

impl<'a> Fields<'a> {
    fn new(fields: &'a [&'a str], layout: &'a Layout) -> Result<Self, RecordError> {
        if fields.len() != layout.columns.len() {
            return Err(RecordError::shape(layout.columns.len(), fields.len()));
        }
        Ok(Fields {
            fields,
            columns: &layout.columns,
        })
    }

    fn name(&self, i: usize) -> &str {
        self.columns.get(i).map_or("", |c| c.name_ja.as_str())
    }

    fn raw(&self, i: usize) -> &'a str {
        self.fields.get(i).copied().unwrap_or("")
    }

    fn opt(&self, i: usize) -> Option<&'a str> {
        Some(self.raw(i)).filter(|s| !s.is_empty())
    }

    fn req(&self, i: usize) -> Result<&'a str, RecordError> {
        self.opt(i).ok_or_else(|| {
            RecordError::new(
                self.name(i),
                "required, but empty",
                "必須項目ですが空欄です",
            )
        })
    }

    fn id<T>(
        &self,
        i: usize,
        parse: impl Fn(&str) -> Result<T, IdError>,
    ) -> Result<T, RecordError> {
        parse(self.req(i)?)
            .map_err(|e| RecordError::new(self.name(i), e.to_string(), e.message_ja()))
    }

    fn opt_id<T>(
        &self,
        i: usize,
        parse: impl Fn(&str) -> Result<T, IdError>,
    ) -> Result<Option<T>, RecordError> {
        match self.opt(i) {
            None => Ok(None),
            Some(_) => self.id(i, parse).map(Some),
        }
    }

    fn date(&self, i: usize) -> Result<Date, RecordError> {
        Date::parse_yyyymmdd(self.req(i)?)
            .map_err(|e| RecordError::new(self.name(i), e.to_string(), e.message_ja()))
    }

    fn opt_date(&self, i: usize) -> Result<Option<Date>, RecordError> {
        match self.opt(i) {
            None => Ok(None),
            Some(_) => self.date(i).map(Some),
        }
    }

    fn datetime(&self, i: usize) -> Result<DateTime, RecordError> {
        DateTime::parse_yyyymmddhhmmss(self.req(i)?)
            .map_err(|e| RecordError::new(self.name(i), e.to_string(), e.message_ja()))
    }

    fn code(&self, i: usize) -> Result<usize, RecordError> {
        let v = self.req(i)?;
        match self.columns.get(i).map(|c| &c.ty) {
            Some(FieldType::Code { values }) => {
                values.iter().position(|c| c.value == v).ok_or_else(|| {
                    RecordError::new(
                        self.name(i),
                        format!("{v:?} is not an allowed value"),
                        format!("「{v}」は許可された値ではありません"),
                    )
                })
            }
            _ => Err(RecordError::new(
                self.name(i),
                "not a coded column",
                "コード項目ではありません",
            )),
        }
    }

    /// Dose blocks starting at column `first`.
    fn blocks(&self, first: usize, blocks: u8) -> Result<Vec<Option<DoseEntry>>, RecordError> {
        let mut doses = Vec::with_capacity(usize::from(blocks));
        for b in 0..usize::from(blocks) {
            let c = first + 8 * b;
            if (c..c + 8).all(|i| self.raw(i).is_empty()) {
                doses.push(None);
                continue;
            }
            doses.push(Some(DoseEntry {
                registered_at: self.datetime(c)?,
                vaccinated_on: self.date(c + 1)?,
                voucher: VoucherKey::new(
                    self.id(c + 3, MunicipalityCode::parse)?,
                    self.id(c + 2, VoucherNumber::parse)?,
                ),
                venue: self.raw(c + 4).to_owned(),
                doctor: self.raw(c + 5).to_owned(),
                manufacturer: self.raw(c + 6).to_owned(),
                lot: self.raw(c + 7).to_owned(),
            }));
        }
        // Trailing empty blocks carry no information; keep the record minimal.
        while doses.last().is_some_and(Option::is_none) {
            doses.pop();
        }
        Ok(doses)
    }
}

fn push_blocks(
    out: &mut Vec<String>,
    doses: &[Option<DoseEntry>],
    layout: &Layout,
) -> Result<(), RecordError> {
    let blocks = usize::from(layout.dose_blocks);
    if doses.len() > blocks {
        return Err(RecordError::new(
            "",
            format!(
                "{} doses given, layout {} holds {blocks}",
                doses.len(),
                layout.qualified_id()
            ),
            format!(
                "接種が{}回分ありますが、レイアウト {} は{blocks}回分までです",
                doses.len(),
                layout.qualified_id()
            ),
        ));
    }
    for b in 0..blocks {
        match doses.get(b).and_then(Option::as_ref) {
            Some(d) => out.extend([
                d.registered_at.yyyymmddhhmmss(),
                d.vaccinated_on.yyyymmdd(),
                d.voucher.number.as_str().to_owned(),
                d.voucher.municipality.as_str().to_owned(),
                d.venue.clone(),
                d.doctor.clone(),
                d.manufacturer.clone(),
                d.lot.clone(),
            ]),
            None => out.extend(std::iter::repeat_n(String::new(), 8)),
        }
    }
    Ok(())
}

fn opt_string<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

// ---- the records ---------------------------------------------------------------------------

impl LayoutRecord for LedgerRow {
    const LAYOUT: &'static str = "ledger-export";

    fn to_fields(&self, layout: &Layout) -> Result<Vec<String>, RecordError> {
        let mut out = vec![self.addressee.as_str().to_owned()];
        push_blocks(&mut out, &self.doses, layout)?;
        Ok(out)
    }

    fn from_fields(fields: &[&str], layout: &Layout) -> Result<Self, RecordError> {
        let f = Fields::new(fields, layout)?;
        Ok(LedgerRow {
            addressee: f.id(0, AddresseeNumber::parse)?,
            doses: f.blocks(1, layout.dose_blocks)?,
        })
    }
}

impl LayoutRecord for AwaitingRow {
    const LAYOUT: &'static str = "awaiting-registration";

    fn to_fields(&self, layout: &Layout) -> Result<Vec<String>, RecordError> {
        let mut out = vec![String::new()];
        push_blocks(&mut out, &self.doses, layout)?;
        Ok(out)
    }

    fn from_fields(fields: &[&str], layout: &Layout) -> Result<Self, RecordError> {
        let f = Fields::new(fields, layout)?;
        Ok(AwaitingRow {
            doses: f.blocks(1, layout.dose_blocks)?,
        })
    }
}

impl LayoutRecord for SubjectRegistrationRow {
    const LAYOUT: &'static str = "subject-registration";

    fn to_fields(&self, _layout: &Layout) -> Result<Vec<String>, RecordError> {
        Ok(vec![
            self.municipality.as_str().to_owned(),
            self.addressee.as_str().to_owned(),
            self.my_number
                .as_ref()
                .map(|n| n.expose_secret().to_owned())
                .unwrap_or_default(),
            self.voucher.as_str().to_owned(),
            self.name.clone(),
            self.name_kana.clone(),
            self.birth_date.yyyymmdd(),
            self.sex.code().to_string(),
            self.issue_date.map(Date::yyyymmdd).unwrap_or_default(),
        ])
    }

    fn from_fields(fields: &[&str], layout: &Layout) -> Result<Self, RecordError> {
        let f = Fields::new(fields, layout)?;
        Ok(SubjectRegistrationRow {
            municipality: f.id(0, MunicipalityCode::parse)?,
            addressee: f.id(1, AddresseeNumber::parse)?,
            my_number: f.opt_id(2, MyNumber::parse)?,
            voucher: f.id(3, VoucherNumber::parse)?,
            name: f.req(4)?.to_owned(),
            name_kana: f.req(5)?.to_owned(),
            birth_date: f.date(6)?,
            sex: if f.code(7)? == 0 {
                Sex::Male
            } else {
                Sex::Female
            },
            issue_date: f.opt_date(8)?,
        })
    }
}

impl LayoutRecord for FlagRow {
    const LAYOUT: &'static str = "flags";

    fn to_fields(&self, _layout: &Layout) -> Result<Vec<String>, RecordError> {
        Ok(vec![
            self.municipality.as_str().to_owned(),
            opt_string(&self.addressee),
            opt_string(&self.voucher),
            match self.kind {
                FlagKind::MoveOut => "1",
                FlagKind::Death => "2",
            }
            .to_owned(),
            self.date.yyyymmdd(),
            opt_string(&self.destination),
        ])
    }

    fn from_fields(fields: &[&str], layout: &Layout) -> Result<Self, RecordError> {
        let f = Fields::new(fields, layout)?;
        Ok(FlagRow {
            municipality: f.id(0, MunicipalityCode::parse)?,
            addressee: f.opt_id(1, AddresseeNumber::parse)?,
            voucher: f.opt_id(2, VoucherNumber::parse)?,
            kind: if f.code(3)? == 0 {
                FlagKind::MoveOut
            } else {
                FlagKind::Death
            },
            date: f.date(4)?,
            destination: f.opt_id(5, MunicipalityCode::parse)?,
        })
    }
}

impl LayoutRecord for DoseUploadRow {
    const LAYOUT: &'static str = "dose-upload";

    fn to_fields(&self, _layout: &Layout) -> Result<Vec<String>, RecordError> {
        Ok(vec![
            self.voucher.municipality.as_str().to_owned(),
            self.voucher.number.as_str().to_owned(),
            self.dose.get().to_string(),
            self.vaccinated_on.yyyymmdd(),
            self.venue.clone(),
            self.doctor.clone(),
            self.manufacturer.clone(),
            self.lot.clone(),
            self.ocr.map(|o| o.format()).unwrap_or_default(),
            opt_string(&self.addressee),
            self.birth_date.map(Date::yyyymmdd).unwrap_or_default(),
        ])
    }

    fn from_fields(fields: &[&str], layout: &Layout) -> Result<Self, RecordError> {
        let f = Fields::new(fields, layout)?;
        let dose = DoseNumber::parse(f.req(2)?)
            .map_err(|e| RecordError::new(f.name(2), e.to_string(), e.message_ja()))?;
        Ok(DoseUploadRow {
            voucher: VoucherKey::new(
                f.id(0, MunicipalityCode::parse)?,
                f.id(1, VoucherNumber::parse)?,
            ),
            dose,
            vaccinated_on: f.date(3)?,
            venue: f.raw(4).to_owned(),
            doctor: f.raw(5).to_owned(),
            manufacturer: f.req(6)?.to_owned(),
            lot: f.req(7)?.to_owned(),
            ocr: f.opt_id(8, OcrLine::parse)?,
            addressee: f.opt_id(9, AddresseeNumber::parse)?,
            birth_date: f.opt_date(10)?,
        })
    }
}

impl LayoutRecord for BatchInquiryRequestRow {
    const LAYOUT: &'static str = "batch-inquiry-request";

    fn to_fields(&self, _layout: &Layout) -> Result<Vec<String>, RecordError> {
        Ok(vec![
            self.my_number.expose_secret().to_owned(),
            self.addressee.as_str().to_owned(),
        ])
    }

    fn from_fields(fields: &[&str], layout: &Layout) -> Result<Self, RecordError> {
        let f = Fields::new(fields, layout)?;
        Ok(BatchInquiryRequestRow {
            my_number: f.id(0, MyNumber::parse)?,
            addressee: f.id(1, AddresseeNumber::parse)?,
        })
    }
}

impl LayoutRecord for BatchInquiryResultRow {
    const LAYOUT: &'static str = "batch-inquiry-result";

    fn to_fields(&self, layout: &Layout) -> Result<Vec<String>, RecordError> {
        let status = match self.status {
            MatchStatus::Match => "一致",
            MatchStatus::NoMatch => "該当なし",
        };
        let mut out = vec![self.addressee.as_str().to_owned(), status.to_owned()];
        push_blocks(&mut out, &self.doses, layout)?;
        Ok(out)
    }

    fn from_fields(fields: &[&str], layout: &Layout) -> Result<Self, RecordError> {
        let f = Fields::new(fields, layout)?;
        Ok(BatchInquiryResultRow {
            addressee: f.id(0, AddresseeNumber::parse)?,
            status: if f.code(1)? == 0 {
                MatchStatus::Match
            } else {
                MatchStatus::NoMatch
            },
            doses: f.blocks(2, layout.dose_blocks)?,
        })
    }
}
