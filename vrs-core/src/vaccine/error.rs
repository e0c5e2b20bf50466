//! Errors of the `vaccine` module.

use std::fmt;

/// Why a dose number, a lot number or a vaccine table was rejected.
///
/// Character positions count Unicode characters from 0; messages count from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VaccineError {
    /// The dose number is not 1 to 9 (one ASCII digit).
    #[error("dose number \"{found}\" is not a single digit 1 to 9")]
    DoseOutOfRange {
        /// The text or number found.
        found: String,
    },
    /// The lot number is empty.
    #[error("the lot number is empty")]
    LotEmpty,
    /// The lot number is longer than allowed.
    #[error("the lot number has {found} characters; at most {max} are allowed")]
    LotTooLong {
        /// Maximum number of characters (20).
        max: usize,
        /// Number of characters found.
        found: usize,
    },
    /// The lot number contains a character other than a letter, a digit or `-`
    /// (after folding full-width characters).
    #[error("character {} of the lot number is not a letter A-Z, a digit 0-9 or '-'", .position.saturating_add(1))]
    LotBadCharacter {
        /// Position of the offending character, counted from 0.
        position: usize,
    },
    /// An all-digit lot number starts with `0`: numeric lots are written without zero fill.
    #[error("the lot number is all digits and starts with 0; numeric lot numbers must not be zero-filled")]
    LotZeroFilled,
    /// The vaccine-table JSON could not be read (syntax, a missing or unknown field,
    /// a wrong type or an invalid date).
    #[error("the vaccine tables could not be read: {message}")]
    Json {
        /// The JSON reader's explanation (with line and column).
        message: String,
    },
    /// A rule names a manufacturer key that is not in the manufacturer list.
    #[error("a rule refers to manufacturer key \"{key}\", which is not in the manufacturer list")]
    UnknownManufacturerKey {
        /// The unknown key.
        key: String,
    },
    /// Two manufacturers have the same key.
    #[error("manufacturer key \"{key}\" appears more than once")]
    DuplicateKey {
        /// The repeated key.
        key: String,
    },
    /// Two different manufacturers accept the same spelling (after normalisation),
    /// so it could not be resolved unambiguously.
    #[error("the spelling \"{spelling}\" is accepted for both \"{first}\" and \"{second}\"")]
    DuplicateSpelling {
        /// The normalised spelling.
        spelling: String,
        /// Key of the first manufacturer listing it.
        first: String,
        /// Key of the second manufacturer listing it.
        second: String,
    },
    /// A row of the vaccine tables is not usable.
    #[error("{table}[{index}]: {problem}")]
    InvalidTable {
        /// The JSON field holding the row: `manufacturers`, `intervals`, `ages` or `programme`.
        table: &'static str,
        /// Index of the row in that list, counted from 0.
        index: usize,
        /// What is wrong with it.
        problem: TableProblem,
    },
}

impl VaccineError {
    /// The same message as `Display`, in natural Japanese.
    ///
    /// ```
    /// use vrs_core::vaccine::{check_lot, VaccineError};
    /// let err = check_lot("0123").unwrap_err();
    /// assert_eq!(err, VaccineError::LotZeroFilled);
    /// assert_eq!(err.message_ja(), "数字だけのロット番号が0で始まっています（ゼロ埋めせずに記入してください）");
    /// ```
    pub fn message_ja(&self) -> String {
        match self {
            VaccineError::DoseOutOfRange { found } => {
                format!("接種回数「{found}」は1〜9の半角数字1文字ではありません")
            }
            VaccineError::LotEmpty => "ロット番号が空です".to_string(),
            VaccineError::LotTooLong { max, found } => {
                format!("ロット番号が{found}文字あります（{max}文字以内にしてください）")
            }
            VaccineError::LotBadCharacter { position } => format!(
                "ロット番号の{}文字目が英字・数字・ハイフン以外の文字です",
                position.saturating_add(1)
            ),
            VaccineError::LotZeroFilled => {
                "数字だけのロット番号が0で始まっています（ゼロ埋めせずに記入してください）"
                    .to_string()
            }
            VaccineError::Json { message } => {
                format!("ワクチン表（JSON）を読み込めません: {message}")
            }
            VaccineError::UnknownManufacturerKey { key } => {
                format!("規則が参照しているメーカーキー「{key}」がメーカー一覧にありません")
            }
            VaccineError::DuplicateKey { key } => {
                format!("メーカーキー「{key}」が重複しています")
            }
            VaccineError::DuplicateSpelling {
                spelling,
                first,
                second,
            } => format!("表記「{spelling}」が「{first}」と「{second}」の両方に登録されています"),
            VaccineError::InvalidTable {
                table,
                index,
                problem,
            } => format!("{table}[{index}]: {}", problem.message_ja()),
        }
    }
}

/// What is wrong with a row of the vaccine tables (see [`VaccineError::InvalidTable`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TableProblem {
    /// A manufacturer key is empty.
    EmptyKey,
    /// A manufacturer's canonical name or one of its spellings is empty (after trimming).
    EmptyName,
    /// A lot shape is empty.
    EmptyLotShape,
    /// There are more manufacturers than a `ManufacturerId` can number.
    TooManyManufacturers,
    /// A dose number is outside the range the rule allows (2..=9 for intervals,
    /// 1..=9 for ages).
    DoseOutOfRange {
        /// The dose number found.
        dose: u8,
    },
    /// An age rule's dose range ends before it starts.
    DoseRangeReversed,
    /// `valid_to` (or the programme `end`) is before `valid_from` (or `start`).
    EndBeforeStart,
    /// An interval rule has neither `min_days` nor `min_months`.
    IntervalMissing,
}

impl TableProblem {
    fn message_ja(self) -> String {
        match self {
            TableProblem::EmptyKey => "メーカーキーが空です".to_string(),
            TableProblem::EmptyName => "メーカー名または表記が空です".to_string(),
            TableProblem::EmptyLotShape => "ロット番号の形が空です".to_string(),
            TableProblem::TooManyManufacturers => "メーカーの数が多すぎます".to_string(),
            TableProblem::DoseOutOfRange { dose } => {
                format!("接種回数{dose}はこの規則では使えません")
            }
            TableProblem::DoseRangeReversed => {
                "接種回数の範囲の終わりが始まりより前です".to_string()
            }
            TableProblem::EndBeforeStart => "終了日が開始日より前です".to_string(),
            TableProblem::IntervalMissing => {
                "min_days と min_months のどちらも指定されていません".to_string()
            }
        }
    }
}

impl fmt::Display for TableProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TableProblem::EmptyKey => f.write_str("the manufacturer key is empty"),
            TableProblem::EmptyName => f.write_str("the canonical name or a spelling is empty"),
            TableProblem::EmptyLotShape => f.write_str("a lot shape is empty"),
            TableProblem::TooManyManufacturers => f.write_str("there are too many manufacturers"),
            TableProblem::DoseOutOfRange { dose } => {
                write!(f, "dose number {dose} is not allowed in this rule")
            }
            TableProblem::DoseRangeReversed => f.write_str("the dose range ends before it starts"),
            TableProblem::EndBeforeStart => f.write_str("the end date is before the start date"),
            TableProblem::IntervalMissing => {
                f.write_str("neither min_days nor min_months is given")
            }
        }
    }
}
