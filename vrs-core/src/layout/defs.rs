//! The layout tables. Each builder lists columns as data; see the reference §6 for sources.

use super::{
    CodeValue, Column, CrossRules, Direction, DoseField, FieldType, Layout, LayoutError,
    Provenance, Requirement, Role, RowUnit,
};

/// Parameters of layouts that vary in shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayoutParams {
    /// Number of dose blocks in the ledger export, the awaiting-registration list and the
    /// batch-inquiry result (1..=9, default 7). Later VRS versions may differ: never hard-code 57 columns.
    pub dose_blocks: u8,
}

impl Default for LayoutParams {
    fn default() -> Self {
        LayoutParams { dose_blocks: 7 }
    }
}

/// The IDs of all layouts, in display order.
pub const LAYOUT_IDS: &[&str] = &[
    "ledger-export",
    "awaiting-registration",
    "subject-registration",
    "flags",
    "dose-upload",
    "batch-inquiry-request",
    "batch-inquiry-result",
    "provision-log",
];

/// Finds a layout by `id` or `id@version`.
///
/// # Errors
/// [`LayoutError::Unknown`] for an unknown ID or version, [`LayoutError::DoseBlocks`] for a
/// dose block count outside 1..=9.
pub fn find(id: &str, params: &LayoutParams) -> Result<Layout, LayoutError> {
    let (name, version) = match id.split_once('@') {
        Some((n, v)) => (n, Some(v)),
        None => (id, None),
    };
    let unknown = || LayoutError::Unknown {
        id: id.to_owned(),
        known: LAYOUT_IDS.join(", "),
    };
    let layout = match name {
        "ledger-export" => ledger_export(params.dose_blocks)?,
        "awaiting-registration" => awaiting_registration(params.dose_blocks)?,
        "subject-registration" => subject_registration()?,
        "flags" => flags()?,
        "dose-upload" => dose_upload()?,
        "batch-inquiry-request" if version == Some("2") => batch_inquiry_request(true)?,
        "batch-inquiry-request" => batch_inquiry_request(false)?,
        "batch-inquiry-result" => batch_inquiry_result(params.dose_blocks)?,
        "provision-log" => provision_log()?,
        _ => return Err(unknown()),
    };
    match version {
        Some(v) if v != layout.version => Err(unknown()),
        _ => Ok(layout),
    }
}

/// Every layout, built with `params`.
pub fn all(params: &LayoutParams) -> Vec<Layout> {
    LAYOUT_IDS
        .iter()
        .filter_map(|id| find(id, params).ok())
        .collect()
}

/// Versions other than the default of a layout that are in use side by side with it, as
/// `id@version` (the default versions are those of [`LAYOUT_IDS`]).
pub const OTHER_VERSIONS: &[&str] = &["batch-inquiry-request@2"];

#[allow(clippy::too_many_arguments)] // one call per table row: every argument is a column attribute
fn col(
    id: &str,
    name_ja: &str,
    name_en: &str,
    ty: FieldType,
    role: Role,
    requirement: Requirement,
    width: Option<u16>,
    provenance: Provenance,
) -> Column {
    Column {
        id: id.to_owned(),
        name_ja: name_ja.to_owned(),
        name_en: name_en.to_owned(),
        ty,
        role,
        requirement,
        width,
        provenance,
    }
}

fn codes(values: &[(&str, &str, &str)]) -> FieldType {
    FieldType::Code {
        values: values
            .iter()
            .map(|(v, ja, en)| CodeValue {
                value: (*v).to_owned(),
                meaning_ja: (*ja).to_owned(),
                meaning_en: (*en).to_owned(),
            })
            .collect(),
    }
}

/// The per-dose block fields: (field, Japanese suffix, English name, id suffix, type, width, in-block requirement).
const BLOCK: [(DoseField, &str, &str, &str, u16, Requirement); 8] = [
    (
        DoseField::RegisteredAt,
        "接種履歴登録日時",
        "registration timestamp",
        "registered_at",
        14,
        Requirement::InBlock,
    ),
    (
        DoseField::VaccinatedOn,
        "接種日",
        "vaccination date",
        "vaccinated_on",
        8,
        Requirement::InBlock,
    ),
    (
        DoseField::Voucher,
        "券番号",
        "voucher number",
        "voucher_number",
        10,
        Requirement::InBlock,
    ),
    (
        DoseField::Municipality,
        "接種自治体コード",
        "municipality code",
        "municipality_code",
        6,
        Requirement::InBlock,
    ),
    (
        DoseField::Venue,
        "接種会場名",
        "venue name",
        "venue",
        30,
        Requirement::Optional,
    ),
    (
        DoseField::Doctor,
        "接種医師名",
        "doctor name",
        "doctor",
        20,
        Requirement::Optional,
    ),
    (
        DoseField::Manufacturer,
        "ワクチンメーカー",
        "manufacturer",
        "manufacturer",
        20,
        Requirement::InBlock,
    ),
    (
        DoseField::Lot,
        "ワクチンロット番号",
        "lot number",
        "lot",
        20,
        Requirement::Optional,
    ),
];

fn block_type(field: DoseField) -> FieldType {
    match field {
        DoseField::RegisteredAt => FieldType::DateTime,
        DoseField::VaccinatedOn => FieldType::Date,
        DoseField::Voucher => FieldType::VoucherNumber,
        DoseField::Municipality => FieldType::MunicipalityCode,
        DoseField::Venue | DoseField::Doctor => FieldType::Text,
        DoseField::Manufacturer => FieldType::Manufacturer,
        DoseField::Lot => FieldType::Lot,
    }
}

/// Columns 2.. of §6.2: `blocks` blocks of 8. Columns 2-14 are confirmed, 15-17 inferred, the rest modelled.
fn dose_blocks(blocks: u8, confirmed_prefix: bool) -> Vec<Column> {
    let mut out = Vec::with_capacity(usize::from(blocks) * 8);
    for block in 0..blocks {
        let n = block + 1;
        for (field, ja, en, id, width, requirement) in BLOCK {
            let position = 2 + out.len(); // 1-based column number in the file
            let provenance = match (confirmed_prefix, position) {
                (true, ..=14) => Provenance::Confirmed,
                (true, 15..=17) => Provenance::Inferred,
                _ => Provenance::Modelled,
            };
            out.push(col(
                &format!("dose{n}_{id}"),
                &format!("{n}回目{ja}"),
                &format!("dose {n} {en}"),
                block_type(field),
                Role::Dose { block, field },
                requirement,
                Some(width),
                provenance,
            ));
        }
    }
    out
}

fn check_blocks(blocks: u8) -> Result<(), LayoutError> {
    if (1..=9).contains(&blocks) {
        Ok(())
    } else {
        Err(LayoutError::DoseBlocks(blocks))
    }
}

fn ledger_export(blocks: u8) -> Result<Layout, LayoutError> {
    check_blocks(blocks)?;
    #[rustfmt::skip]
    let mut columns = vec![col("addressee_number", "個別宛名番号", "addressee number", FieldType::AddresseeNumber, Role::Addressee, Requirement::Required, None, Provenance::Confirmed)];
    columns.extend(dose_blocks(blocks, true));
    // Columns 1-14 are confirmed, 15-17 inferred, later dose blocks modelled: the layout is as
    // certain as its least certain column (with one dose block, all of it is confirmed).
    let provenance = columns
        .iter()
        .map(|c| c.provenance)
        .max()
        .unwrap_or(Provenance::Modelled);
    Layout::new(Layout {
        id: "ledger-export",
        version: "1",
        name_ja: "予防接種台帳向け出力",
        name_en: "ledger export (output for the immunization register)",
        direction: Direction::Download,
        row_unit: RowUnit::Person,
        dose_blocks: blocks,
        columns,
        cross: CrossRules { voucher_single_owner: true, unique_person: true, ..CrossRules::default() },
        provenance,
        description: "VRS download of dose records for the health system's register: addressee number + 8 columns per dose (columns 1-14 confirmed, S3).",
    })
}

fn awaiting_registration(blocks: u8) -> Result<Layout, LayoutError> {
    let mut layout = ledger_export(blocks)?;
    layout.id = "awaiting-registration";
    layout.name_ja = "接種対象者登録待ちリスト出力";
    layout.name_en = "awaiting-registration list (doses whose voucher has no registered subject)";
    layout.provenance = Provenance::Inferred;
    layout.description = "Doses registered at venues whose voucher is not yet linked to a subject; same columns as the ledger export with the addressee number blank (inferred, S3).";
    layout.cross = CrossRules {
        voucher_single_owner: true,
        ..CrossRules::default()
    };
    if let Some(first) = layout.columns.first_mut() {
        first.requirement = Requirement::Empty;
        first.provenance = Provenance::Inferred;
    }
    for c in layout.columns.iter_mut().skip(1) {
        c.provenance = Provenance::Inferred;
    }
    Layout::new(layout)
}

fn sex_codes() -> FieldType {
    codes(&[("1", "男", "male"), ("2", "女", "female")])
}

fn subject_registration() -> Result<Layout, LayoutError> {
    use FieldType as T;
    use Provenance::Modelled as M;
    use Requirement::{Optional as Opt, Required as Req};
    #[rustfmt::skip]
    let columns = vec![
        col("municipality_code", "自治体コード", "municipality code", T::MunicipalityCode, Role::Municipality, Req, Some(6), M),
        col("addressee_number", "宛名番号", "addressee number", T::AddresseeNumber, Role::Addressee, Req, Some(15), M),
        col("my_number", "個人番号", "My Number", T::MyNumber, Role::MyNumber, Req, Some(12), M),
        col("voucher_number", "券番号", "voucher number", T::VoucherNumber, Role::Voucher, Req, Some(10), M),
        col("name", "氏名", "name", T::Name, Role::Name, Req, Some(20), M),
        col("name_kana", "氏名カナ", "name (kana)", T::NameKana, Role::NameKana, Req, Some(40), M),
        col("birth_date", "生年月日", "date of birth", T::Date, Role::BirthDate, Req, Some(8), M),
        col("sex", "性別", "sex", sex_codes(), Role::Sex, Req, Some(1), M),
        col("issue_date", "発行日", "voucher issue date", T::Date, Role::IssueDate, Opt, Some(8), M),
    ];
    Layout::new(Layout {
        id: "subject-registration",
        version: "1",
        name_ja: "接種対象者・接種券発行登録",
        name_en: "subject and voucher registration upload",
        direction: Direction::Upload,
        row_unit: RowUnit::SubjectVoucher,
        dose_blocks: 0,
        columns,
        cross: CrossRules { voucher_single_owner: true, my_number_single_addressee: true, ..CrossRules::default() },
        provenance: Provenance::Modelled,
        description: "Registers eligible residents and the vouchers issued to them, one row per voucher (modelled from S2; the official layout is not public).",
    })
}

fn flags() -> Result<Layout, LayoutError> {
    use FieldType as T;
    use Provenance::Modelled as M;
    use Requirement::{Optional as Opt, Required as Req};
    #[rustfmt::skip]
    let columns = vec![
        col("municipality_code", "自治体コード", "municipality code", T::MunicipalityCode, Role::Municipality, Req, Some(6), M),
        col("addressee_number", "宛名番号", "addressee number", T::AddresseeNumber, Role::Addressee, Opt, Some(15), M),
        col("voucher_number", "券番号", "voucher number", T::VoucherNumber, Role::Voucher, Opt, Some(10), M),
        col("flag_kind", "フラグ種別", "flag kind", codes(&[("1", "転出", "move-out"), ("2", "死亡", "death")]), Role::FlagKind, Req, Some(1), M),
        col("flag_date", "異動日", "effective date", T::Date, Role::FlagDate, Req, Some(8), M),
        col("destination_code", "転出先自治体コード", "move-out destination code", T::MunicipalityCode, Role::Destination, Opt, Some(6), M),
    ];
    Layout::new(Layout {
        id: "flags",
        version: "1",
        name_ja: "転出・死亡フラグ登録",
        name_en: "move-out and death flags upload",
        direction: Direction::Upload,
        row_unit: RowUnit::Flag,
        dose_blocks: 0,
        columns,
        cross: CrossRules::default(),
        provenance: Provenance::Modelled,
        description: "Sets move-out or death flags (never deletes data); the person is named by addressee number or voucher number (modelled from S2 §I-2).",
    })
}

fn dose_upload() -> Result<Layout, LayoutError> {
    use FieldType as T;
    use Provenance::Modelled as M;
    use Requirement::{Optional as Opt, Required as Req};
    let dose = |field| Role::Dose { block: 0, field };
    #[rustfmt::skip]
    let columns = vec![
        col("municipality_code", "接種自治体コード", "municipality code", T::MunicipalityCode, dose(DoseField::Municipality), Req, Some(6), M),
        col("voucher_number", "券番号", "voucher number", T::VoucherNumber, dose(DoseField::Voucher), Req, Some(10), M),
        col("dose_number", "接種回数", "dose number", T::DoseNumber, Role::DoseNumber, Req, Some(1), M),
        col("vaccinated_on", "接種日", "vaccination date", T::Date, dose(DoseField::VaccinatedOn), Req, Some(8), M),
        col("venue", "接種会場名", "venue name", T::Text, dose(DoseField::Venue), Opt, Some(30), M),
        col("doctor", "接種医師名", "doctor name", T::Text, dose(DoseField::Doctor), Opt, Some(20), M),
        col("manufacturer", "ワクチンメーカー", "manufacturer", T::Manufacturer, dose(DoseField::Manufacturer), Req, Some(20), M),
        col("lot", "ワクチンロット番号", "lot number", T::Lot, dose(DoseField::Lot), Req, Some(20), M),
        col("ocr_line", "OCRライン", "OCR line", T::OcrLine, Role::Ocr, Opt, Some(18), M),
        col("addressee_number", "宛名番号", "addressee number", T::AddresseeNumber, Role::Addressee, Opt, Some(15), M),
        col("birth_date", "生年月日", "date of birth", T::Date, Role::BirthDate, Opt, Some(8), M),
    ];
    Layout::new(Layout {
        id: "dose-upload",
        version: "1",
        name_ja: "接種記録一括登録",
        name_en: "bulk dose-record upload",
        direction: Direction::Upload,
        row_unit: RowUnit::Dose,
        dose_blocks: 1,
        columns,
        cross: CrossRules { dose_sequence_across_rows: true, ..CrossRules::default() },
        provenance: Provenance::Modelled,
        description: "One row per dose keyed by (municipality code, voucher number, dose number), e.g. keyed in from paper questionnaires; registration time is assigned by VRS (modelled from S34, S42).",
    })
}

/// Version 1: My Number and addressee number (asked of every municipality). Version 2 adds the
/// former municipality per row (asked of that municipality only; empty: every municipality).
fn batch_inquiry_request(with_former: bool) -> Result<Layout, LayoutError> {
    use Provenance::Modelled as M;
    use Requirement::Required as Req;
    #[rustfmt::skip]
    let mut columns = vec![
        col("my_number", "個人番号", "My Number", FieldType::MyNumber, Role::MyNumber, Req, Some(12), M),
        col("addressee_number", "宛名番号", "addressee number", FieldType::AddresseeNumber, Role::Addressee, Req, Some(15), M),
    ];
    if with_former {
        #[rustfmt::skip]
        columns.push(col("former_code", "転出元自治体コード", "former municipality code (empty: every municipality)", FieldType::MunicipalityCode, Role::Municipality, Requirement::Optional, Some(6), M));
    }
    Layout::new(Layout {
        id: "batch-inquiry-request",
        version: if with_former { "2" } else { "1" },
        name_ja: "一括照会依頼",
        name_en: "batch inquiry request upload",
        direction: Direction::Upload,
        row_unit: RowUnit::Inquiry,
        dose_blocks: 0,
        columns,
        cross: CrossRules {
            my_number_single_addressee: true,
            ..CrossRules::default()
        },
        provenance: Provenance::Modelled,
        description: if with_former {
            "Incoming residents' My Numbers, each with the municipality they moved from when known (version 2, our extension: the row is asked of that municipality only). Modelled."
        } else {
            "Incoming residents' My Numbers for the batch inquiry across all municipalities (function confirmed S11, H-46; layout modelled)."
        },
    })
}

fn batch_inquiry_result(blocks: u8) -> Result<Layout, LayoutError> {
    check_blocks(blocks)?;
    #[rustfmt::skip]
    let mut columns = vec![
        col("addressee_number", "宛名番号", "addressee number", FieldType::AddresseeNumber, Role::Addressee, Requirement::Required, Some(15), Provenance::Modelled),
        col("match_status", "照会結果", "match status", codes(&[("一致", "一致", "match"), ("該当なし", "該当なし", "no match"), ]), Role::MatchStatus, Requirement::Required, Some(4), Provenance::Modelled),
        col("provider_code", "提供元自治体コード", "providing municipality code", FieldType::MunicipalityCode, Role::Municipality, Requirement::Optional, Some(6), Provenance::Modelled),
    ];
    // An answer carries the dose fields of §6.2 except when VRS registered the dose.
    columns.extend(dose_blocks(blocks, false).into_iter().filter(|c| {
        !matches!(
            c.role,
            Role::Dose {
                field: DoseField::RegisteredAt,
                ..
            }
        )
    }));
    Layout::new(Layout {
        id: "batch-inquiry-result",
        version: "2",
        name_ja: "一括照会結果",
        name_en: "batch inquiry result download",
        direction: Direction::Download,
        row_unit: RowUnit::Inquiry,
        dose_blocks: blocks,
        columns,
        // One row per providing municipality: an addressee number may repeat.
        cross: CrossRules { voucher_single_owner: true, ..CrossRules::default() },
        provenance: Provenance::Modelled,
        description: "Result of a batch inquiry: the requester's addressee number, match status, the providing municipality (one row per municipality holding records) and dose blocks of §6.2 without the registration timestamp (7 columns each); never echoes the My Number (modelled).",
    })
}

fn provision_log() -> Result<Layout, LayoutError> {
    use FieldType::{DateTime, MunicipalityCode, Text};
    use Provenance::{Inferred as I, Modelled as M};
    use Requirement::{Optional as Opt, Required as Req};
    use Role::Log as L;
    #[rustfmt::skip]
    let columns = vec![
        col("seq", "連番", "sequence number", Text, L, Req, Some(20), M),
        col("log", "記録種別", "log", codes(&[("提供", "情報提供", "provision"), ("照会", "情報照会", "inquiry")]), L, Req, Some(2), M),
        col("requester", "照会元自治体コード", "requesting municipality", MunicipalityCode, L, Req, Some(6), I),
        col("provider", "照会先自治体コード", "municipality asked (empty: every municipality)", MunicipalityCode, L, Opt, Some(6), I),
        col("providers", "提供元自治体コード", "municipalities that provided records (space-separated)", Text, L, Opt, None, M),
        col("requested_at", "照会日時", "requested at", DateTime, L, Req, Some(14), I),
        col("provided_at", "提供日時", "provided at", DateTime, L, Req, Some(14), I),
        col("legal_basis", "根拠", "legal basis", codes(&[("同意", "本人同意", "consent"), ("同意取得困難", "本人同意の取得が困難", "consent difficult to obtain")]), L, Req, Some(6), M),
        col("form_ref", "同意書番号", "consent form reference", Text, L, Opt, Some(30), M),
        col("identity_verified", "本人確認", "identity verified (My Number Act Art. 16)", codes(&[("1", "確認済", "verified"), ("0", "未確認", "not verified")]), L, Req, Some(1), M),
        col("reference", "照会元管理番号", "requester's own reference", Text, L, Opt, Some(15), M),
        col("items", "提供項目", "items provided", Text, L, Opt, None, I),
        col("provided", "提供有無", "anything provided", codes(&[("1", "提供あり", "provided"), ("0", "提供なし", "nothing provided")]), L, Req, Some(1), I),
        col("doses", "提供件数", "dose records provided", Text, L, Req, Some(3), M),
        col("batch", "一括照会ID", "batch inquiry ID", Text, L, Opt, Some(32), M),
        col("subject", "対象者仮名", "subject pseudonym (this municipality's)", Text, L, Req, Some(32), M),
        col("user", "職員仮名", "staff user pseudonym", Text, L, Opt, Some(32), M),
    ];
    Layout::new(Layout {
        id: "provision-log",
        version: "1",
        name_ja: "情報提供等の記録",
        name_en: "provision and inquiry log export",
        direction: Direction::Download,
        row_unit: RowUnit::LogEntry,
        dose_blocks: 0,
        columns,
        cross: CrossRules::default(),
        provenance: Provenance::Modelled,
        description: "A municipality's provision log (records it provided to other municipalities' inquiries) or inquiry log (its own inquiries): the fields of My Number Act Art. 23 plus legal basis, batch ID and pseudonyms; no My Number, no name (fields inferred from S64, layout modelled).",
    })
}
