//! Typed records of each layout: what a program writes, and what a reader gives back.
//!
//! Download-type records ([`LedgerRow`], [`AwaitingRow`], [`BatchInquiryResultRow`],
//! [`ProvisionLogRow`]) have no My Number field, so no writer can emit one.

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

    /// Writes the fields in column order into `fields`, reusing its strings' memory (a writer
    /// of a million rows keeps one row's worth). The default replaces `fields` with
    /// [`LayoutRecord::to_fields`]; a record may write in place. On error `fields` holds
    /// unspecified values.
    ///
    /// # Errors
    /// As [`LayoutRecord::to_fields`].
    fn fill_fields(&self, layout: &Layout, fields: &mut Vec<String>) -> Result<(), RecordError> {
        *fields = self.to_fields(layout)?;
        Ok(())
    }

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
    /// The municipality the person moved from, when known (layout version 2 only; `None`:
    /// every municipality is asked).
    pub former: Option<MunicipalityCode>,
}

/// One dose as an inquiry answer carries it: the fields of a §6.2 dose block except the
/// registration timestamp (the dose number is the block's position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InquiryDoseEntry {
    /// Vaccination date.
    pub vaccinated_on: Date,
    /// The voucher used (issuing municipality + number).
    pub voucher: VoucherKey,
    /// Venue name (may be empty).
    pub venue: String,
    /// Doctor name (may be empty).
    pub doctor: String,
    /// Manufacturer.
    pub manufacturer: String,
    /// Lot number (may be empty).
    pub lot: String,
}

impl From<&DoseEntry> for InquiryDoseEntry {
    fn from(d: &DoseEntry) -> Self {
        InquiryDoseEntry {
            vaccinated_on: d.vaccinated_on,
            voucher: d.voucher,
            venue: d.venue.clone(),
            doctor: d.doctor.clone(),
            manufacturer: d.manufacturer.clone(),
            lot: d.lot.clone(),
        }
    }
}

/// A row of the batch-inquiry result download (never echoes the My Number): one row per
/// request row and providing municipality, or one 該当なし row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchInquiryResultRow {
    /// The requester's addressee number.
    pub addressee: AddresseeNumber,
    /// Match or no match.
    pub status: MatchStatus,
    /// The municipality whose records this row carries (`None` for no match).
    pub provider: Option<MunicipalityCode>,
    /// Dose N at index N-1 (empty for no match).
    pub doses: Vec<Option<InquiryDoseEntry>>,
}

/// Which of a municipality's two logs an entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogKind {
    /// 情報提供: what the municipality provided to others' inquiries.
    Provision,
    /// 情報照会: the municipality's own inquiries.
    Inquiry,
}

/// The legal basis of an inquiry as logs and files carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BasisKind {
    /// The person consented (同意).
    Consent,
    /// Consent was difficult to obtain (同意取得困難).
    ConsentDifficult,
}

/// The items an inquiry answer can carry, as `(ID, Japanese name)`: the log records which were
/// provided.
pub const INQUIRY_ITEMS: [(&str, &str); 8] = [
    ("vaccinated_on", "接種日"),
    ("dose", "接種回数"),
    ("voucher_number", "券番号"),
    ("municipality_code", "接種自治体コード"),
    ("venue", "接種会場名"),
    ("doctor", "接種医師名"),
    ("manufacturer", "ワクチンメーカー"),
    ("lot", "ワクチンロット番号"),
];

/// A row of the provision-log download (情報提供等の記録): one log entry, no My Number, no name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionLogRow {
    /// Position in its log, from 1.
    pub seq: u64,
    /// Provision log or inquiry log.
    pub log: LogKind,
    /// The requesting municipality.
    pub requester: MunicipalityCode,
    /// The municipality asked (`None`: every municipality).
    pub provider: Option<MunicipalityCode>,
    /// The municipalities that provided records.
    pub providers: Vec<MunicipalityCode>,
    /// When the inquiry was made.
    pub requested_at: DateTime,
    /// When it was answered.
    pub provided_at: DateTime,
    /// Legal basis.
    pub legal_basis: BasisKind,
    /// Reference of the consent form (consent only).
    pub form_ref: Option<String>,
    /// Identity verified under My Number Act Art. 16.
    pub identity_verified: bool,
    /// The requester's own reference (inquiry log only).
    pub reference: Option<String>,
    /// IDs of the items provided (see [`INQUIRY_ITEMS`]).
    pub items: Vec<String>,
    /// Whether anything was provided.
    pub provided: bool,
    /// Dose records provided.
    pub doses: u32,
    /// The batch inquiry the entry belongs to.
    pub batch: Option<String>,
    /// The subject's pseudonym in the log's municipality.
    pub subject: String,
    /// The staff user's pseudonym.
    pub user: Option<String>,
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

/// Dose blocks of an inquiry answer (7 columns each) starting at column `first`.
fn inquiry_blocks(
    f: &Fields<'_>,
    first: usize,
    blocks: u8,
) -> Result<Vec<Option<InquiryDoseEntry>>, RecordError> {
    let mut doses = Vec::with_capacity(usize::from(blocks));
    for b in 0..usize::from(blocks) {
        let c = first + 7 * b;
        if (c..c + 7).all(|i| f.raw(i).is_empty()) {
            doses.push(None);
            continue;
        }
        doses.push(Some(InquiryDoseEntry {
            vaccinated_on: f.date(c)?,
            voucher: VoucherKey::new(
                f.id(c + 2, MunicipalityCode::parse)?,
                f.id(c + 1, VoucherNumber::parse)?,
            ),
            venue: f.raw(c + 3).to_owned(),
            doctor: f.raw(c + 4).to_owned(),
            manufacturer: f.raw(c + 5).to_owned(),
            lot: f.raw(c + 6).to_owned(),
        }));
    }
    while doses.last().is_some_and(Option::is_none) {
        doses.pop();
    }
    Ok(doses)
}

fn too_many_doses(given: usize, layout: &Layout) -> RecordError {
    let blocks = layout.dose_blocks;
    RecordError::new(
        "",
        format!(
            "{given} doses given, layout {} holds {blocks}",
            layout.qualified_id()
        ),
        format!(
            "接種が{given}回分ありますが、レイアウト {} は{blocks}回分までです",
            layout.qualified_id()
        ),
    )
}

fn push_blocks(
    out: &mut Vec<String>,
    doses: &[Option<DoseEntry>],
    layout: &Layout,
) -> Result<(), RecordError> {
    let blocks = usize::from(layout.dose_blocks);
    if doses.len() > blocks {
        return Err(too_many_doses(doses.len(), layout));
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

    fn to_fields(&self, layout: &Layout) -> Result<Vec<String>, RecordError> {
        let mut out = vec![
            self.my_number.expose_secret().to_owned(),
            self.addressee.as_str().to_owned(),
        ];
        match (layout.columns.len(), &self.former) {
            (3, former) => out.push(opt_string(&former.map(|m| m.as_str().to_owned()))),
            (_, None) => {}
            (_, Some(_)) => {
                return Err(RecordError::new(
                    "転出元自治体コード",
                    format!(
                        "layout {} has no former municipality column (version 2 has)",
                        layout.qualified_id()
                    ),
                    format!(
                        "レイアウト {} に転出元自治体コードの項目はありません（第2版にあります）",
                        layout.qualified_id()
                    ),
                ))
            }
        }
        Ok(out)
    }

    fn from_fields(fields: &[&str], layout: &Layout) -> Result<Self, RecordError> {
        let f = Fields::new(fields, layout)?;
        Ok(BatchInquiryRequestRow {
            my_number: f.id(0, MyNumber::parse)?,
            addressee: f.id(1, AddresseeNumber::parse)?,
            former: if layout.columns.len() == 3 {
                f.opt_id(2, MunicipalityCode::parse)?
            } else {
                None
            },
        })
    }
}

impl LayoutRecord for BatchInquiryResultRow {
    const LAYOUT: &'static str = "batch-inquiry-result";

    fn to_fields(&self, layout: &Layout) -> Result<Vec<String>, RecordError> {
        let mut out = Vec::new();
        self.fill_fields(layout, &mut out)?;
        Ok(out)
    }

    fn fill_fields(&self, layout: &Layout, fields: &mut Vec<String>) -> Result<(), RecordError> {
        let blocks = usize::from(layout.dose_blocks);
        if self.doses.len() > blocks {
            return Err(too_many_doses(self.doses.len(), layout));
        }
        fields.resize_with(3 + 7 * blocks, String::new);
        let mut at = fields.iter_mut();
        let mut put = |value: &str| {
            if let Some(f) = at.next() {
                f.clear();
                f.push_str(value);
            }
        };
        put(self.addressee.as_str());
        put(match self.status {
            MatchStatus::Match => "一致",
            MatchStatus::NoMatch => "該当なし",
        });
        put(self.provider.as_ref().map_or("", MunicipalityCode::as_str));
        for b in 0..blocks {
            match self.doses.get(b).and_then(Option::as_ref) {
                Some(d) => {
                    let mut day = [0u8; 8];
                    d.vaccinated_on.write_yyyymmdd(&mut day);
                    put(std::str::from_utf8(&day).unwrap_or_default());
                    put(d.voucher.number.as_str());
                    put(d.voucher.municipality.as_str());
                    put(&d.venue);
                    put(&d.doctor);
                    put(&d.manufacturer);
                    put(&d.lot);
                }
                None => (0..7).for_each(|_| put("")),
            }
        }
        Ok(())
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
            provider: f.opt_id(2, MunicipalityCode::parse)?,
            doses: inquiry_blocks(&f, 3, layout.dose_blocks)?,
        })
    }
}

impl LayoutRecord for ProvisionLogRow {
    const LAYOUT: &'static str = "provision-log";

    fn to_fields(&self, _layout: &Layout) -> Result<Vec<String>, RecordError> {
        let items: Vec<&str> = self
            .items
            .iter()
            .map(|id| {
                INQUIRY_ITEMS
                    .iter()
                    .find(|(i, _)| i == id)
                    .map(|(_, ja)| *ja)
                    .ok_or_else(|| {
                        RecordError::new(
                            "提供項目",
                            format!("unknown item {id:?}"),
                            format!("不明な項目「{id}」です"),
                        )
                    })
            })
            .collect::<Result<_, _>>()?;
        let code = |m: &MunicipalityCode| m.as_str().to_owned();
        Ok(vec![
            self.seq.to_string(),
            match self.log {
                LogKind::Provision => "提供",
                LogKind::Inquiry => "照会",
            }
            .to_owned(),
            code(&self.requester),
            self.provider.as_ref().map(code).unwrap_or_default(),
            self.providers
                .iter()
                .map(code)
                .collect::<Vec<_>>()
                .join(" "),
            self.requested_at.yyyymmddhhmmss(),
            self.provided_at.yyyymmddhhmmss(),
            match self.legal_basis {
                BasisKind::Consent => "同意",
                BasisKind::ConsentDifficult => "同意取得困難",
            }
            .to_owned(),
            self.form_ref.clone().unwrap_or_default(),
            if self.identity_verified { "1" } else { "0" }.to_owned(),
            self.reference.clone().unwrap_or_default(),
            items.join("、"),
            if self.provided { "1" } else { "0" }.to_owned(),
            self.doses.to_string(),
            self.batch.clone().unwrap_or_default(),
            self.subject.clone(),
            self.user.clone().unwrap_or_default(),
        ])
    }

    fn from_fields(fields: &[&str], layout: &Layout) -> Result<Self, RecordError> {
        let f = Fields::new(fields, layout)?;
        let number = |i: usize| -> Result<u64, RecordError> {
            f.req(i)?
                .parse()
                .map_err(|_| RecordError::new(f.name(i), "not a number", "数値ではありません"))
        };
        let providers = f
            .raw(4)
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(|c| {
                MunicipalityCode::parse(c)
                    .map_err(|e| RecordError::new(f.name(4), e.to_string(), e.message_ja()))
            })
            .collect::<Result<_, _>>()?;
        let items = f
            .raw(11)
            .split('、')
            .filter(|s| !s.is_empty())
            .map(|ja| {
                INQUIRY_ITEMS
                    .iter()
                    .find(|(_, j)| *j == ja)
                    .map(|(id, _)| (*id).to_owned())
                    .ok_or_else(|| {
                        RecordError::new(
                            f.name(11),
                            format!("unknown item {ja:?}"),
                            format!("不明な項目「{ja}」です"),
                        )
                    })
            })
            .collect::<Result<_, _>>()?;
        let text = |i: usize| f.opt(i).map(str::to_owned);
        Ok(ProvisionLogRow {
            seq: number(0)?,
            log: if f.code(1)? == 0 {
                LogKind::Provision
            } else {
                LogKind::Inquiry
            },
            requester: f.id(2, MunicipalityCode::parse)?,
            provider: f.opt_id(3, MunicipalityCode::parse)?,
            providers,
            requested_at: f.datetime(5)?,
            provided_at: f.datetime(6)?,
            legal_basis: if f.code(7)? == 0 {
                BasisKind::Consent
            } else {
                BasisKind::ConsentDifficult
            },
            form_ref: text(8),
            identity_verified: f.code(9)? == 0,
            reference: text(10),
            items,
            provided: f.code(12)? == 0,
            doses: u32::try_from(number(13)?)
                .map_err(|_| RecordError::new(f.name(13), "too large", "大きすぎます"))?,
            batch: text(14),
            subject: f.req(15)?.to_owned(),
            user: text(16),
        })
    }
}
