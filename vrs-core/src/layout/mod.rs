//! The VRS exchange-file layouts, declared as data.
//!
//! A [`Layout`] is a versioned list of [`Column`]s (Japanese and English names, field type,
//! width, whether required, what the column means) plus the cross-row rules that apply to the
//! file. Adding a dose block, a column or a new layout version is a change to the tables in
//! [`defs`](self), not new control flow in the validator.
//!
//! Only the first 14 columns of the ledger export (予防接種台帳向け出力) are confirmed from a public
//! source; everything else is modelled (see [`Provenance`] on each column and the reference §6).
//! No download-type layout carries a My Number column: [`Layout::new`] refuses to build one.
//!
//! ```
//! use vrs_core::layout::{self, LayoutParams};
//! let ledger = layout::find("ledger-export", &LayoutParams::default()).unwrap();
//! assert_eq!(ledger.columns.len(), 1 + 7 * 8);
//! assert_eq!(ledger.columns[2].name_ja, "1回目接種日");
//! ```

mod defs;
mod doc;

pub use defs::{all, find, LayoutParams, LAYOUT_IDS, OTHER_VERSIONS};
pub use doc::layouts_markdown;

use serde::Serialize;

/// Whether a file goes to VRS or comes from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Uploaded by a municipality to VRS.
    Upload,
    /// Downloaded from VRS (never carries a My Number).
    Download,
}

/// How sure we are of a column (reference §0 labels), from the most certain to the least
/// (the order `Ord` follows, so the least certain of several is their `max`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provenance {
    /// Stated in a public source.
    Confirmed,
    /// Follows closely from a public source.
    Inferred,
    /// Our working model: check against the official layout before release.
    Modelled,
}

/// One allowed value of a coded column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeValue {
    /// The value as written in the file, e.g. `"1"`.
    pub value: String,
    /// Meaning in Japanese.
    pub meaning_ja: String,
    /// Meaning in English.
    pub meaning_en: String,
}

/// The type of a column's values; each type brings its own checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum FieldType {
    /// Municipality-internal person ID (free text, no zero fill for numbers).
    AddresseeNumber,
    /// 6-digit JIS X 0402 code with check digit.
    MunicipalityCode,
    /// 12-digit My Number with check digit (upload layouts only).
    MyNumber,
    /// 10-digit voucher number.
    VoucherNumber,
    /// 18-digit OCR line of a voucher.
    OcrLine,
    /// `YYYYMMDD`.
    Date,
    /// `YYYYMMDDHHMMSS`.
    DateTime,
    /// Dose number 1..=9.
    DoseNumber,
    /// Free text (venue, doctor).
    Text,
    /// Person name in kanji.
    Name,
    /// Person name in katakana.
    NameKana,
    /// Vaccine manufacturer, matched against the vaccine tables.
    Manufacturer,
    /// Vaccine lot number.
    Lot,
    /// One of a fixed set of codes.
    Code {
        /// The allowed values.
        values: Vec<CodeValue>,
    },
}

/// The eight fields of one dose block (reference §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DoseField {
    /// 接種履歴登録日時: when the dose was registered in VRS.
    RegisteredAt,
    /// 接種日: vaccination date.
    VaccinatedOn,
    /// 券番号: voucher number.
    Voucher,
    /// 接種自治体コード: municipality that issued the voucher.
    Municipality,
    /// 接種会場名: venue name.
    Venue,
    /// 接種医師名: doctor name.
    Doctor,
    /// ワクチンメーカー: manufacturer.
    Manufacturer,
    /// ワクチンロット番号: lot number.
    Lot,
}

impl DoseField {
    /// The eight fields in file order.
    pub const ALL: [DoseField; 8] = [
        DoseField::RegisteredAt,
        DoseField::VaccinatedOn,
        DoseField::Voucher,
        DoseField::Municipality,
        DoseField::Venue,
        DoseField::Doctor,
        DoseField::Manufacturer,
        DoseField::Lot,
    ];
}

/// What a column means; rules are attached to roles, so a layout needs only to name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "role")]
pub enum Role {
    /// The person's addressee number.
    Addressee,
    /// The person's My Number.
    MyNumber,
    /// The row's municipality code (the uploading or issuing municipality).
    Municipality,
    /// The row's voucher number.
    Voucher,
    /// The dose number of a one-row-per-dose file.
    DoseNumber,
    /// The voucher's OCR line.
    Ocr,
    /// Name in kanji.
    Name,
    /// Name in katakana.
    NameKana,
    /// Date of birth.
    BirthDate,
    /// Sex code.
    Sex,
    /// Voucher issue date.
    IssueDate,
    /// Flag kind (move-out, death).
    FlagKind,
    /// Date the flag takes effect.
    FlagDate,
    /// Move-out destination municipality.
    Destination,
    /// Batch-inquiry match status.
    MatchStatus,
    /// A field of a provision- or inquiry-log entry: checked by its type only.
    Log,
    /// A field of a dose block; `block` 0 is the first block.
    Dose {
        /// Block index (0-based). In a one-row-per-dose file there is one block.
        block: u8,
        /// Which field of the block.
        field: DoseField,
    },
}

/// Whether a column must hold a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Requirement {
    /// Always required (R01 when empty).
    Required,
    /// May be empty.
    Optional,
    /// Required when any field of its dose block is filled (B01 when empty).
    InBlock,
    /// Must be empty (e.g. the addressee number in the awaiting-registration list).
    Empty,
}

/// One column of a layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    /// Stable ASCII identifier used by writers and bindings, e.g. `dose1_vaccinated_on`.
    pub id: String,
    /// Japanese name, as in the file's header row, e.g. `1回目接種日`.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
    /// Value type.
    pub ty: FieldType,
    /// Meaning.
    pub role: Role,
    /// Whether a value is required.
    pub requirement: Requirement,
    /// Width: maximum characters for text, exact digits for codes (informative for fixed types).
    pub width: Option<u16>,
    /// How sure we are of this column.
    pub provenance: Provenance,
}

/// Cross-row rules a layout asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CrossRules {
    /// V02: a voucher (municipality + number) belongs to one person.
    pub voucher_single_owner: bool,
    /// N03: a My Number is attached to one addressee number.
    pub my_number_single_addressee: bool,
    /// S03: one row per person (by addressee number).
    pub unique_person: bool,
    /// S01–S04, S06 across rows of a one-row-per-dose file.
    pub dose_sequence_across_rows: bool,
}

/// What one row of the file stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowUnit {
    /// One person with all their doses in blocks.
    Person,
    /// One subject with one voucher.
    SubjectVoucher,
    /// One dose.
    Dose,
    /// One flag.
    Flag,
    /// One inquiry request or result.
    Inquiry,
    /// One entry of a provision or inquiry log.
    LogEntry,
}

/// A versioned exchange-file layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layout {
    /// Stable ID, e.g. `ledger-export`.
    pub id: &'static str,
    /// Layout version (bumped when columns change).
    pub version: &'static str,
    /// Japanese name, e.g. `予防接種台帳向け出力`.
    pub name_ja: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Upload or download.
    pub direction: Direction,
    /// What one row stands for.
    pub row_unit: RowUnit,
    /// Number of dose blocks (8 columns each) for block layouts, 1 for one-row-per-dose, else 0.
    pub dose_blocks: u8,
    /// The columns in file order.
    pub columns: Vec<Column>,
    /// Cross-row rules.
    pub cross: CrossRules,
    /// The least certain provenance of its columns: a layout is confirmed only when every
    /// column is ([`Layout::new`] checks it). Each column carries its own.
    pub provenance: Provenance,
    /// A short description for `vrs-conformance layouts`.
    pub description: &'static str,
}

/// Why a layout could not be found or built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LayoutError {
    /// No layout has this ID (or this version).
    #[error("unknown layout {id:?}; known layouts: {known}")]
    Unknown {
        /// What was asked for.
        id: String,
        /// The known IDs, comma-separated.
        known: String,
    },
    /// Dose block count out of range.
    #[error("dose blocks must be 1..=9, got {0}")]
    DoseBlocks(u8),
    /// A download layout declared a My Number column (a bug in a layout table).
    #[error("download layout {0} must not carry a My Number column")]
    MyNumberInDownload(&'static str),
    /// Two columns share an ID or a Japanese name.
    #[error("layout {layout} has duplicate column {column:?}")]
    DuplicateColumn {
        /// Layout ID.
        layout: &'static str,
        /// The duplicated ID or name.
        column: String,
    },
    /// The layout's provenance is not the least certain of its columns' (a bug in a layout
    /// table: a layout must not claim more, or less, than its columns).
    #[error("layout {layout} declares provenance {declared:?}, but its least certain column is {columns:?}")]
    ProvenanceMismatch {
        /// Layout ID.
        layout: &'static str,
        /// What the layout declares.
        declared: Provenance,
        /// The least certain provenance among its columns.
        columns: Provenance,
    },
}

impl LayoutError {
    /// The message in Japanese.
    pub fn message_ja(&self) -> String {
        match self {
            LayoutError::Unknown { id, known } => {
                format!("レイアウト「{id}」はありません。使用できるレイアウト：{known}")
            }
            LayoutError::DoseBlocks(n) => format!("接種回ブロック数は1～9です（指定値 {n}）"),
            LayoutError::MyNumberInDownload(id) => {
                format!("ダウンロード系レイアウト {id} に個人番号の項目は持てません")
            }
            LayoutError::DuplicateColumn { layout, column } => {
                format!("レイアウト {layout} の項目「{column}」が重複しています")
            }
            LayoutError::ProvenanceMismatch {
                layout,
                declared,
                columns,
            } => format!(
                "レイアウト {layout} の確度が {declared:?} と宣言されていますが、最も不確かな項目は {columns:?} です"
            ),
        }
    }
}

impl Layout {
    /// Checks the invariants every layout must hold and returns it.
    ///
    /// # Errors
    /// A download layout with a My Number column, or duplicate column IDs/names.
    pub fn new(layout: Layout) -> Result<Layout, LayoutError> {
        if layout.direction == Direction::Download
            && layout.columns.iter().any(|c| c.ty == FieldType::MyNumber)
        {
            return Err(LayoutError::MyNumberInDownload(layout.id));
        }
        let mut seen = std::collections::HashSet::new();
        for c in &layout.columns {
            for key in [&c.id, &c.name_ja] {
                if !seen.insert(key.clone()) {
                    return Err(LayoutError::DuplicateColumn {
                        layout: layout.id,
                        column: key.clone(),
                    });
                }
            }
        }
        let columns = layout
            .columns
            .iter()
            .map(|c| c.provenance)
            .max()
            .unwrap_or(Provenance::Modelled);
        if layout.provenance != columns {
            return Err(LayoutError::ProvenanceMismatch {
                layout: layout.id,
                declared: layout.provenance,
                columns,
            });
        }
        Ok(layout)
    }

    /// `id@version`, e.g. `ledger-export@1`.
    pub fn qualified_id(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }

    /// The header row: the Japanese column names in order.
    pub fn header(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name_ja.as_str()).collect()
    }

    /// Index of the column with this ID.
    pub fn column_index(&self, id: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.id == id)
    }

    /// Index of the column with this role.
    pub fn role_index(&self, role: Role) -> Option<usize> {
        self.columns.iter().position(|c| c.role == role)
    }

    /// True when the layout has a My Number column.
    pub fn has_my_number(&self) -> bool {
        self.columns.iter().any(|c| c.ty == FieldType::MyNumber)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layout_builds_and_downloads_carry_no_my_number() {
        for layout in all(&LayoutParams::default()) {
            if layout.direction == Direction::Download {
                assert!(!layout.has_my_number(), "{}", layout.id);
            }
            assert!(!layout.columns.is_empty());
        }
    }

    #[test]
    fn ledger_block_positions_follow_the_reference_formula() {
        let l = find("ledger-export", &LayoutParams { dose_blocks: 7 }).unwrap();
        assert_eq!(l.columns.len(), 57);
        // Column number of field k (1-8) of dose N: 1 + 8(N-1) + k (1-based).
        for n in 1..=7u8 {
            for (k, field) in DoseField::ALL.iter().enumerate() {
                let col = 1 + 8 * (usize::from(n) - 1) + (k + 1);
                assert_eq!(
                    l.columns[col - 1].role,
                    Role::Dose {
                        block: n - 1,
                        field: *field
                    }
                );
            }
        }
        assert_eq!(l.columns[0].name_ja, "個別宛名番号");
        assert_eq!(l.columns[1].name_ja, "1回目接種履歴登録日時");
        assert_eq!(l.columns[13].name_ja, "2回目接種会場名");
        assert_eq!(l.columns[13].provenance, Provenance::Confirmed);
        assert_eq!(l.columns[14].provenance, Provenance::Inferred);
        assert_eq!(l.columns[17].provenance, Provenance::Modelled);
        // Columns 15-57 are not confirmed, so neither is the layout; one dose block is.
        assert_eq!(l.provenance, Provenance::Modelled);
        let one = find("ledger-export", &LayoutParams { dose_blocks: 1 }).unwrap();
        assert_eq!(one.provenance, Provenance::Confirmed);
        let two = find("ledger-export", &LayoutParams { dose_blocks: 2 }).unwrap();
        assert_eq!(two.provenance, Provenance::Inferred);
        let three = find("ledger-export", &LayoutParams { dose_blocks: 3 }).unwrap();
        assert_eq!(three.columns.len(), 25);
    }

    #[test]
    fn unknown_and_versioned_ids() {
        let p = LayoutParams::default();
        assert!(find("ledger-export@1", &p).is_ok());
        let err = find("ledger-export@9", &p).unwrap_err();
        assert!(err.to_string().contains("ledger-export"));
        assert!(find("nope", &p).is_err());
        assert!(find("ledger-export", &LayoutParams { dose_blocks: 0 }).is_err());
    }

    #[test]
    fn a_layout_claims_no_more_certainty_than_its_columns() {
        for dose_blocks in 1..=9 {
            for l in all(&LayoutParams { dose_blocks }) {
                let least = l.columns.iter().map(|c| c.provenance).max();
                assert_eq!(Some(l.provenance), least, "{}", l.id);
            }
        }
        let mut l = find("ledger-export", &LayoutParams::default()).unwrap();
        l.provenance = Provenance::Confirmed;
        assert_eq!(
            Layout::new(l).unwrap_err(),
            LayoutError::ProvenanceMismatch {
                layout: "ledger-export",
                declared: Provenance::Confirmed,
                columns: Provenance::Modelled,
            }
        );
    }

    #[test]
    fn a_download_layout_with_my_number_is_refused() {
        let mut l = find("batch-inquiry-request", &LayoutParams::default()).unwrap();
        l.direction = Direction::Download;
        assert_eq!(
            Layout::new(l).unwrap_err(),
            LayoutError::MyNumberInDownload("batch-inquiry-request")
        );
    }
}
