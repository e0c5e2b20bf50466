//! Errors of the `date` module.

use std::fmt;

use super::civil::Date;
use super::wareki::Era;

/// Why a date, timestamp or Japanese-era text could not be parsed or computed.
///
/// Character positions (`position`) count Unicode characters from 0; the
/// English and Japanese messages count them from 1, as a person would.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// The input text is empty.
    #[error("the date is empty")]
    Empty,
    /// The input has the wrong number of characters for its fixed-width format.
    #[error("expected {expected} characters, found {found}")]
    WrongLength {
        /// Number of characters the format requires.
        expected: usize,
        /// Number of characters found.
        found: usize,
    },
    /// A character that must be an ASCII digit `0`-`9` is something else.
    #[error("character {} is not a digit 0-9", .position.saturating_add(1))]
    NonDigit {
        /// Position of the offending character, counted from 0.
        position: usize,
    },
    /// The month is not 1 to 12.
    #[error("month {month} is not between 1 and 12")]
    MonthOutOfRange {
        /// The month found.
        month: u8,
    },
    /// The day does not exist in that month (for example 30 February).
    #[error("day {day} does not exist in {year:04}-{month:02}")]
    DayOutOfRange {
        /// Year (Gregorian).
        year: u16,
        /// Month 1 to 12.
        month: u8,
        /// The day found.
        day: u8,
    },
    /// The (Gregorian) year is outside the supported range 1 to 9999.
    #[error("year {year} is outside the supported range 1 to 9999")]
    YearOutOfRange {
        /// The year found or computed.
        year: i64,
    },
    /// The time of day is not a valid 24-hour time (hour 0-23, minute and second 0-59).
    #[error("time {hour:02}:{minute:02}:{second:02} is not a valid 24-hour time")]
    TimeOutOfRange {
        /// Hour found.
        hour: u8,
        /// Minute found.
        minute: u8,
        /// Second found.
        second: u8,
    },
    /// The Japanese era name or letter is not one of 明治/大正/昭和/平成/令和 (M/T/S/H/R).
    #[error(
        "unknown Japanese era \"{found}\" (expected 明治, 大正, 昭和, 平成, 令和 or M, T, S, H, R)"
    )]
    UnknownEra {
        /// The text found where the era was expected.
        found: String,
    },
    /// An era year of 0 was given; the first year of an era is 1 (元年).
    #[error("era year 0 does not exist (the first year of an era is 1, written 元年)")]
    EraYearZero,
    /// The date lies before the first day of the named era.
    #[error("{} began on {start}", .era.name_en())]
    BeforeEraStart {
        /// The era named in the input.
        era: Era,
        /// Its first day.
        start: Date,
    },
    /// The date lies after the last day of the named era.
    #[error("{} ended on {end}", .era.name_en())]
    AfterEraEnd {
        /// The era named in the input.
        era: Era,
        /// Its last day.
        end: Date,
    },
    /// The date is before 1873-01-01 (Meiji 6), when Japan adopted the solar calendar;
    /// earlier Japanese dates are lunisolar and are not supported.
    #[error("dates before 1873-01-01 (Meiji 6, when Japan adopted the Gregorian calendar) are not supported")]
    BeforeSolarCalendar,
    /// The text does not have the expected shape.
    #[error("unexpected text at character {}: expected {expected}", .position.saturating_add(1))]
    Malformed {
        /// Position of the first unexpected character (or of the end of the text), counted from 0.
        position: usize,
        /// What was expected there.
        expected: Expected,
    },
    /// A date calculation went outside the supported years 1 to 9999.
    #[error("the date calculation goes outside the supported years 1 to 9999")]
    Overflow,
}

impl DateError {
    /// The same message as `Display`, in natural Japanese.
    ///
    /// ```
    /// use vrs_core::date::Date;
    /// let err = Date::new(2021, 2, 30).unwrap_err();
    /// assert_eq!(err.to_string(), "day 30 does not exist in 2021-02");
    /// assert_eq!(err.message_ja(), "2021年2月30日は存在しない日付です");
    /// ```
    pub fn message_ja(&self) -> String {
        match self {
            DateError::Empty => "日付が空です".to_string(),
            DateError::WrongLength { expected, found } => {
                format!("{expected}文字で指定してください（{found}文字あります）")
            }
            DateError::NonDigit { position } => {
                format!("{}文字目が半角数字ではありません", position.saturating_add(1))
            }
            DateError::MonthOutOfRange { month } => {
                format!("{month}月は存在しません（月は1〜12です）")
            }
            DateError::DayOutOfRange { year, month, day } => {
                format!("{year}年{month}月{day}日は存在しない日付です")
            }
            DateError::YearOutOfRange { year } => {
                format!("{year}年は対応範囲（1〜9999年）外です")
            }
            DateError::TimeOutOfRange {
                hour,
                minute,
                second,
            } => format!(
                "{hour:02}:{minute:02}:{second:02}は24時間制の正しい時刻ではありません"
            ),
            DateError::UnknownEra { found } => format!(
                "「{found}」は不明な元号です（明治・大正・昭和・平成・令和、またはM・T・S・H・Rを指定してください）"
            ),
            DateError::EraYearZero => {
                "元号の0年は存在しません（最初の年は元年です）".to_string()
            }
            DateError::BeforeEraStart { era, start } => format!(
                "{}は{}年{}月{}日から始まっています",
                era.name_ja(),
                start.year(),
                start.month(),
                start.day()
            ),
            DateError::AfterEraEnd { era, end } => format!(
                "{}は{}年{}月{}日で終わっています",
                era.name_ja(),
                end.year(),
                end.month(),
                end.day()
            ),
            DateError::BeforeSolarCalendar => {
                "1873年1月1日（明治6年、太陽暦への改暦）より前の日付には対応していません"
                    .to_string()
            }
            DateError::Malformed { position, expected } => format!(
                "{}文字目が不正です（{}が必要です）",
                position.saturating_add(1),
                expected.describe_ja()
            ),
            DateError::Overflow => {
                "日付の計算結果が対応範囲（1〜9999年）を超えました".to_string()
            }
        }
    }
}

/// What a parser expected at the position of a [`DateError::Malformed`] error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expected {
    /// A Japanese era name or letter (令和, R, ...).
    Era,
    /// A number (one or more digits).
    Number,
    /// This exact character (for example `-`, `月`, `日` or the separator used earlier).
    Char(char),
    /// A separator after the era year: `年`, `.`, `/` or `-`.
    Separator,
    /// The end of the text (something follows a complete date).
    End,
}

impl Expected {
    fn describe_ja(self) -> String {
        match self {
            Expected::Era => "元号（令和・R など）".to_string(),
            Expected::Number => "数字".to_string(),
            Expected::Char(c) => format!("「{c}」"),
            Expected::Separator => "「年」「.」「/」「-」のいずれか".to_string(),
            Expected::End => "文字列の終わり（余分な文字があります）".to_string(),
        }
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Era => f.write_str("a Japanese era (令和, R, ...)"),
            Expected::Number => f.write_str("a number"),
            Expected::Char(c) => write!(f, "'{c}'"),
            Expected::Separator => f.write_str("one of '年', '.', '/' or '-'"),
            Expected::End => f.write_str("the end of the text (extra characters follow)"),
        }
    }
}
