//! Japanese era calendar (和暦): the era table, [`Wareki`] and [`parse_wareki`].

use std::fmt;

use super::civil::Date;
use super::error::{DateError, Expected};

/// A Japanese era (元号) since the adoption of the solar calendar.
///
/// ```
/// use vrs_core::date::{Date, Era};
/// assert_eq!(Era::Heisei.name_ja(), "平成");
/// assert_eq!(Era::Heisei.letter(), 'H');
/// assert_eq!(Era::Heisei.start(), Date::new(1989, 1, 8)?);
/// assert_eq!(Era::Heisei.end(), Some(Date::new(2019, 4, 30)?));
/// assert_eq!(Era::Reiwa.end(), None);
/// # Ok::<(), vrs_core::date::DateError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Era {
    /// 明治 (M), year 1 = 1868; supported only from 1873-01-01 (Meiji 6).
    Meiji,
    /// 大正 (T), from 1912-07-30.
    Taisho,
    /// 昭和 (S), from 1926-12-25.
    Showa,
    /// 平成 (H), from 1989-01-08.
    Heisei,
    /// 令和 (R), from 2019-05-01.
    Reiwa,
}

/// One row of the era table.
struct EraRow {
    era: Era,
    name_ja: &'static str,
    name_en: &'static str,
    letter: char,
    /// Gregorian year of the era's year 1 (元年).
    first_year: u16,
    /// First supported day.
    start: Date,
    /// Last day (the day before the next era starts), `None` for the current era.
    end: Option<Date>,
}

/// The first day of the solar (Gregorian) calendar in Japan: 明治6年1月1日.
const SOLAR_CALENDAR_START: Date = Date::from_table(1873, 1, 1);

/// The era table, in chronological order. Row `i` describes `Era::ALL[i]`.
const ERA_TABLE: [EraRow; 5] = [
    EraRow {
        era: Era::Meiji,
        name_ja: "明治",
        name_en: "Meiji",
        letter: 'M',
        first_year: 1868,
        start: SOLAR_CALENDAR_START,
        end: Some(Date::from_table(1912, 7, 29)),
    },
    EraRow {
        era: Era::Taisho,
        name_ja: "大正",
        name_en: "Taisho",
        letter: 'T',
        first_year: 1912,
        start: Date::from_table(1912, 7, 30),
        end: Some(Date::from_table(1926, 12, 24)),
    },
    EraRow {
        era: Era::Showa,
        name_ja: "昭和",
        name_en: "Showa",
        letter: 'S',
        first_year: 1926,
        start: Date::from_table(1926, 12, 25),
        end: Some(Date::from_table(1989, 1, 7)),
    },
    EraRow {
        era: Era::Heisei,
        name_ja: "平成",
        name_en: "Heisei",
        letter: 'H',
        first_year: 1989,
        start: Date::from_table(1989, 1, 8),
        end: Some(Date::from_table(2019, 4, 30)),
    },
    EraRow {
        era: Era::Reiwa,
        name_ja: "令和",
        name_en: "Reiwa",
        letter: 'R',
        first_year: 2019,
        start: Date::from_table(2019, 5, 1),
        end: None,
    },
];

impl Era {
    /// All eras, oldest first.
    pub const ALL: [Era; 5] = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    fn row(self) -> &'static EraRow {
        // `self as usize` is 0..=4, the table has 5 rows (checked by a test).
        &ERA_TABLE[self as usize]
    }

    /// Japanese name: 明治, 大正, 昭和, 平成 or 令和.
    pub fn name_ja(self) -> &'static str {
        self.row().name_ja
    }

    /// Romanised name: Meiji, Taisho, Showa, Heisei or Reiwa.
    pub fn name_en(self) -> &'static str {
        self.row().name_en
    }

    /// The one-letter abbreviation: M, T, S, H or R.
    pub fn letter(self) -> char {
        self.row().letter
    }

    /// First supported day of the era. For Meiji this is 1873-01-01 (Meiji 6, the first
    /// solar-calendar day), not the era's historical start.
    pub fn start(self) -> Date {
        self.row().start
    }

    /// Last day of the era (the day before the next era starts); `None` for Reiwa.
    pub fn end(self) -> Option<Date> {
        self.row().end
    }

    /// Gregorian year of the era's first year (元年), for example 2019 for Reiwa.
    pub fn first_year(self) -> u16 {
        self.row().first_year
    }

    /// The era containing `date`, or `None` before 1873-01-01.
    pub fn of_date(date: Date) -> Option<Era> {
        ERA_TABLE
            .iter()
            .rev()
            .find(|row| row.start <= date)
            .map(|row| row.era)
    }

    /// The era with this letter (M, T, S, H, R; ASCII case-insensitive).
    pub fn from_letter(letter: char) -> Option<Era> {
        let upper = letter.to_ascii_uppercase();
        ERA_TABLE
            .iter()
            .find(|row| row.letter == upper)
            .map(|row| row.era)
    }

    /// The era with this Japanese name (明治 … 令和).
    pub fn from_name_ja(name: &str) -> Option<Era> {
        ERA_TABLE
            .iter()
            .find(|row| row.name_ja == name)
            .map(|row| row.era)
    }
}

/// A date written in the Japanese era calendar (和暦), for example 令和3年4月23日.
///
/// Fields are public and unchecked; [`Wareki::to_date`] validates them.
///
/// ```
/// use vrs_core::date::{parse_wareki, Date, Era, Wareki};
/// let w = Date::new(2019, 5, 1)?.to_wareki()?;
/// assert_eq!(w, Wareki { era: Era::Reiwa, year: 1, month: 5, day: 1 });
/// assert_eq!(w.long(), "令和元年5月1日");
/// assert_eq!(w.short(), "R01.05.01");
/// assert_eq!(parse_wareki("Ｒ３．４．２３")?, Date::new(2021, 4, 23)?);
/// assert!(parse_wareki("平成31年5月1日").is_err()); // Heisei ended on 2019-04-30
/// # Ok::<(), vrs_core::date::DateError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wareki {
    /// The era.
    pub era: Era,
    /// Year of the era, 1 = 元年.
    pub year: u16,
    /// Month, 1..=12.
    pub month: u8,
    /// Day of the month.
    pub day: u8,
}

impl Wareki {
    /// The Gregorian date, checking that the day exists and lies inside the era.
    pub fn to_date(self) -> Result<Date, DateError> {
        if self.year == 0 {
            return Err(DateError::EraYearZero);
        }
        let year = u32::from(self.era.first_year()) + u32::from(self.year) - 1;
        let year = u16::try_from(year).map_err(|_| DateError::YearOutOfRange {
            year: i64::from(year),
        })?;
        let date = Date::new(year, self.month, self.day)?;
        if date < SOLAR_CALENDAR_START {
            return Err(DateError::BeforeSolarCalendar);
        }
        if date < self.era.start() {
            return Err(DateError::BeforeEraStart {
                era: self.era,
                start: self.era.start(),
            });
        }
        if let Some(end) = self.era.end() {
            if date > end {
                return Err(DateError::AfterEraEnd { era: self.era, end });
            }
        }
        Ok(date)
    }

    /// Long Japanese form: `令和3年4月23日`; year 1 is written 元年 (`令和元年5月1日`).
    pub fn long(self) -> String {
        if self.year == 1 {
            format!("{}元年{}月{}日", self.era.name_ja(), self.month, self.day)
        } else {
            format!(
                "{}{}年{}月{}日",
                self.era.name_ja(),
                self.year,
                self.month,
                self.day
            )
        }
    }

    /// Short form with the era letter and two-digit fields: `R03.04.23`.
    pub fn short(self) -> String {
        format!(
            "{}{:02}.{:02}.{:02}",
            self.era.letter(),
            self.year,
            self.month,
            self.day
        )
    }
}

impl fmt::Display for Wareki {
    /// The long form, for example `令和3年4月23日`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.long())
    }
}

/// Folds full-width ASCII (U+FF01..=U+FF5E) to ASCII; other characters are unchanged.
fn fold_width(c: char) -> char {
    match u32::from(c) {
        cp @ 0xFF01..=0xFF5E => char::from_u32(cp - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// A cursor over the input that folds full-width ASCII and counts characters.
struct Cursor<'a> {
    rest: &'a str,
    /// Characters consumed so far.
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<char> {
        self.rest.chars().next().map(fold_width)
    }

    fn bump(&mut self) {
        let mut chars = self.rest.chars();
        if chars.next().is_some() {
            self.pos += 1;
        }
        self.rest = chars.as_str();
    }

    fn malformed(&self, expected: Expected) -> DateError {
        DateError::Malformed {
            position: self.pos,
            expected,
        }
    }

    /// Reads 1..=`max` ASCII (or full-width) digits.
    fn number(&mut self, max: usize) -> Result<u16, DateError> {
        let mut value: u16 = 0;
        let mut count = 0;
        while count < max {
            match self.peek().and_then(|c| c.to_digit(10)) {
                Some(digit) => {
                    // At most 4 digits: fits in u16.
                    value = value * 10 + digit as u16;
                    count += 1;
                    self.bump();
                }
                None => break,
            }
        }
        if count == 0 {
            Err(self.malformed(Expected::Number))
        } else {
            Ok(value)
        }
    }

    fn expect(&mut self, wanted: char) -> Result<(), DateError> {
        if self.peek() == Some(wanted) {
            self.bump();
            Ok(())
        } else {
            Err(self.malformed(Expected::Char(wanted)))
        }
    }

    fn era(&mut self) -> Result<Era, DateError> {
        for row in &ERA_TABLE {
            if let Some(rest) = self.rest.strip_prefix(row.name_ja) {
                self.rest = rest;
                self.pos += row.name_ja.chars().count();
                return Ok(row.era);
            }
        }
        match self.peek() {
            Some(c) if c.is_ascii_alphabetic() => {
                let era = Era::from_letter(c).ok_or_else(|| DateError::UnknownEra {
                    found: c.to_string(),
                })?;
                self.bump();
                Ok(era)
            }
            Some(c) if c.is_ascii_digit() || c.is_ascii_punctuation() || c.is_whitespace() => {
                Err(self.malformed(Expected::Era))
            }
            None => Err(self.malformed(Expected::Era)),
            Some(_) => {
                // Something like 慶応 or 皇紀: report the run of characters before the year.
                let found: String = self
                    .rest
                    .chars()
                    .take_while(|&c| {
                        let c = fold_width(c);
                        !(c.is_ascii_digit() || c == '元' || c.is_whitespace())
                    })
                    .take(8)
                    .collect();
                Err(DateError::UnknownEra { found })
            }
        }
    }
}

/// Parses a Japanese-era date and returns the Gregorian date.
///
/// Accepted forms (the era as 明治/大正/昭和/平成/令和 or its letter M/T/S/H/R in either
/// case; full-width digits, letters and punctuation are folded):
///
/// * `令和3年4月23日`, `令和03年04月23日`, `令和元年5月1日`, `R3年4月23日`
/// * `R03.04.23`, `R3.4.23`, `R3/4/23`, `R3-4-23`, `r3.4.23`, `Ｒ３．４．２３`, `令和3.4.23`
///
/// The separators after year and month must match (`年…月…日`, or the same one of
/// `.`, `/`, `-` twice). Year: 1 to 4 digits or 元; month and day: 1 or 2 digits.
/// Strict: no surrounding spaces, nothing after the date, and the date must exist and
/// lie inside the named era (`平成31年5月1日` and `令和元年4月30日` fail).
///
/// ```
/// use vrs_core::date::{parse_wareki, Date, DateError, Era};
/// assert_eq!(parse_wareki("令和元年5月1日")?, Date::new(2019, 5, 1)?);
/// assert_eq!(parse_wareki("H31/4/30")?, Date::new(2019, 4, 30)?);
/// assert_eq!(
///     parse_wareki("令和元年4月30日"),
///     Err(DateError::BeforeEraStart { era: Era::Reiwa, start: Date::new(2019, 5, 1)? })
/// );
/// # Ok::<(), vrs_core::date::DateError>(())
/// ```
pub fn parse_wareki(s: &str) -> Result<Date, DateError> {
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    let mut cur = Cursor { rest: s, pos: 0 };
    let era = cur.era()?;
    let year = if cur.peek() == Some('元') {
        cur.bump();
        1
    } else {
        cur.number(4)?
    };
    let separator = match cur.peek() {
        Some(c @ ('年' | '.' | '/' | '-')) => c,
        _ => return Err(cur.malformed(Expected::Separator)),
    };
    cur.bump();
    let month = cur.number(2)?;
    cur.expect(if separator == '年' { '月' } else { separator })?;
    let day = cur.number(2)?;
    if separator == '年' {
        cur.expect('日')?;
    }
    if !cur.rest.is_empty() {
        return Err(cur.malformed(Expected::End));
    }
    // Month and day have at most 2 digits, so they fit in u8.
    Wareki {
        era,
        year,
        month: month as u8,
        day: day as u8,
    }
    .to_date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: u16, m: u8, dd: u8) -> Date {
        Date::new(y, m, dd).unwrap()
    }

    #[test]
    fn table_is_consistent() {
        for (i, era) in Era::ALL.iter().enumerate() {
            assert_eq!(ERA_TABLE[i].era, *era);
            assert_eq!(Era::from_letter(era.letter()), Some(*era));
            assert_eq!(Era::from_name_ja(era.name_ja()), Some(*era));
            if let Some(next) = Era::ALL.get(i + 1) {
                assert_eq!(era.end(), Some(next.start().add_days(-1).unwrap()));
                assert_eq!(next.first_year(), next.start().year());
            }
        }
        assert_eq!(Era::Meiji.start(), d(1873, 1, 1));
        assert_eq!(Era::Meiji.first_year(), 1868);
        assert_eq!(Era::Taisho.start(), d(1912, 7, 30));
        assert_eq!(Era::Showa.start(), d(1926, 12, 25));
        assert_eq!(Era::Heisei.start(), d(1989, 1, 8));
        assert_eq!(Era::Reiwa.start(), d(2019, 5, 1));
        assert_eq!(Era::Reiwa.end(), None);
        assert_eq!(Era::from_letter('r'), Some(Era::Reiwa));
        assert_eq!(Era::from_letter('X'), None);
    }

    #[test]
    fn era_boundaries() {
        let cases = [
            (d(1873, 1, 1), "明治6年1月1日", "M06.01.01"),
            (d(1912, 7, 29), "明治45年7月29日", "M45.07.29"),
            (d(1912, 7, 30), "大正元年7月30日", "T01.07.30"),
            (d(1926, 12, 24), "大正15年12月24日", "T15.12.24"),
            (d(1926, 12, 25), "昭和元年12月25日", "S01.12.25"),
            (d(1989, 1, 7), "昭和64年1月7日", "S64.01.07"),
            (d(1989, 1, 8), "平成元年1月8日", "H01.01.08"),
            (d(2019, 4, 30), "平成31年4月30日", "H31.04.30"),
            (d(2019, 5, 1), "令和元年5月1日", "R01.05.01"),
            (d(2021, 4, 23), "令和3年4月23日", "R03.04.23"),
        ];
        for (date, long, short) in cases {
            let w = date.to_wareki().unwrap();
            assert_eq!(w.long(), long);
            assert_eq!(w.to_string(), long);
            assert_eq!(w.short(), short);
            assert_eq!(parse_wareki(long), Ok(date), "{long}");
            assert_eq!(parse_wareki(short), Ok(date), "{short}");
            assert_eq!(w.to_date(), Ok(date));
        }
        assert_eq!(
            d(1872, 12, 31).to_wareki(),
            Err(DateError::BeforeSolarCalendar)
        );
    }

    #[test]
    fn accepted_forms() {
        let target = d(2021, 4, 23);
        for s in [
            "令和3年4月23日",
            "令和03年04月23日",
            "R03.04.23",
            "R3.4.23",
            "R3/4/23",
            "R3-4-23",
            "r3.4.23",
            "Ｒ３．４．２３",
            "ｒ３．４．２３",
            "令和３年４月２３日",
            "R3年4月23日",
            "令和3.4.23",
            "Ｒ３／４／２３",
            "R0003.4.23",
        ] {
            assert_eq!(parse_wareki(s), Ok(target), "{s}");
        }
        assert_eq!(parse_wareki("令和元年5月1日"), Ok(d(2019, 5, 1)));
        assert_eq!(parse_wareki("R元.5.1"), Ok(d(2019, 5, 1)));
        assert_eq!(parse_wareki("M6.1.1"), Ok(d(1873, 1, 1)));
        assert_eq!(parse_wareki("T1.7.30"), Ok(d(1912, 7, 30)));
        assert_eq!(parse_wareki("S64.1.7"), Ok(d(1989, 1, 7)));
        assert_eq!(parse_wareki("h31.4.30"), Ok(d(2019, 4, 30)));
        assert_eq!(parse_wareki("昭和20年8月15日"), Ok(d(1945, 8, 15)));
        assert_eq!(parse_wareki("大正12年9月1日"), Ok(d(1923, 9, 1)));
        assert_eq!(parse_wareki("平成12年2月29日"), Ok(d(2000, 2, 29)));
    }

    #[test]
    fn strict_rejections() {
        assert_eq!(
            parse_wareki("平成31年5月1日"),
            Err(DateError::AfterEraEnd {
                era: Era::Heisei,
                end: d(2019, 4, 30)
            })
        );
        assert_eq!(
            parse_wareki("平成31年5月1日").unwrap_err().to_string(),
            "Heisei ended on 2019-04-30"
        );
        assert_eq!(
            parse_wareki("令和元年4月30日"),
            Err(DateError::BeforeEraStart {
                era: Era::Reiwa,
                start: d(2019, 5, 1)
            })
        );
        assert_eq!(parse_wareki("令和0年5月1日"), Err(DateError::EraYearZero));
        assert_eq!(parse_wareki("R00.05.01"), Err(DateError::EraYearZero));
        assert_eq!(
            parse_wareki("令和3年2月30日"),
            Err(DateError::DayOutOfRange {
                year: 2021,
                month: 2,
                day: 30
            })
        );
        assert_eq!(
            parse_wareki("令和3年13月1日"),
            Err(DateError::MonthOutOfRange { month: 13 })
        );
        assert_eq!(
            parse_wareki("明治5年12月2日"),
            Err(DateError::BeforeSolarCalendar)
        );
        assert_eq!(
            parse_wareki("明治5年1月1日"),
            Err(DateError::BeforeSolarCalendar)
        );
        assert_eq!(parse_wareki("M1.1.1"), Err(DateError::BeforeSolarCalendar));
        assert_eq!(
            parse_wareki("明治45年7月30日"),
            Err(DateError::AfterEraEnd {
                era: Era::Meiji,
                end: d(1912, 7, 29)
            })
        );
        assert_eq!(
            parse_wareki("昭和64年1月8日"),
            Err(DateError::AfterEraEnd {
                era: Era::Showa,
                end: d(1989, 1, 7)
            })
        );
        assert_eq!(
            parse_wareki("平成元年1月7日"),
            Err(DateError::BeforeEraStart {
                era: Era::Heisei,
                start: d(1989, 1, 8)
            })
        );
        assert_eq!(
            parse_wareki("令和3年4月23日x"),
            Err(DateError::Malformed {
                position: 9,
                expected: Expected::End
            })
        );
        assert_eq!(
            parse_wareki("R3.4.23 "),
            Err(DateError::Malformed {
                position: 7,
                expected: Expected::End
            })
        );
        assert_eq!(
            parse_wareki("R3.4.234"),
            Err(DateError::Malformed {
                position: 7,
                expected: Expected::End
            })
        );
        assert_eq!(
            parse_wareki("令和3年4月23"),
            Err(DateError::Malformed {
                position: 8,
                expected: Expected::Char('日')
            })
        );
        assert_eq!(
            parse_wareki("R3.4/23"),
            Err(DateError::Malformed {
                position: 4,
                expected: Expected::Char('.')
            })
        );
        assert_eq!(
            parse_wareki("R3:4:23"),
            Err(DateError::Malformed {
                position: 2,
                expected: Expected::Separator
            })
        );
        assert_eq!(
            parse_wareki("R.4.23"),
            Err(DateError::Malformed {
                position: 1,
                expected: Expected::Number
            })
        );
        assert_eq!(
            parse_wareki("R12345.4.23"),
            Err(DateError::Malformed {
                position: 5,
                expected: Expected::Separator
            })
        );
        assert_eq!(
            parse_wareki(" R3.4.23"),
            Err(DateError::Malformed {
                position: 0,
                expected: Expected::Era
            })
        );
        assert_eq!(
            parse_wareki("3.4.23"),
            Err(DateError::Malformed {
                position: 0,
                expected: Expected::Era
            })
        );
        assert_eq!(
            parse_wareki("X3.4.23"),
            Err(DateError::UnknownEra { found: "X".into() })
        );
        assert_eq!(
            parse_wareki("慶応3年1月1日"),
            Err(DateError::UnknownEra {
                found: "慶応".into()
            })
        );
        assert_eq!(parse_wareki(""), Err(DateError::Empty));
        assert_eq!(
            parse_wareki("令和"),
            Err(DateError::Malformed {
                position: 2,
                expected: Expected::Number
            })
        );
        assert_eq!(
            parse_wareki("R9999.1.1"),
            Err(DateError::YearOutOfRange { year: 12017 })
        );
        assert_eq!(
            Wareki {
                era: Era::Reiwa,
                year: u16::MAX,
                month: 1,
                day: 1
            }
            .to_date(),
            Err(DateError::YearOutOfRange {
                year: 2019 + 65535 - 1
            })
        );
    }

    proptest! {
        #[test]
        fn wareki_round_trip(n in Date::new(1873, 1, 1).unwrap().days_since_epoch()
                ..=Date::new(2100, 12, 31).unwrap().days_since_epoch()) {
            let date = Date::from_days_since_epoch(n).unwrap();
            let w = date.to_wareki().unwrap();
            prop_assert!(w.year >= 1);
            prop_assert_eq!(w.to_date(), Ok(date));
            prop_assert_eq!(parse_wareki(&w.long()), Ok(date));
            prop_assert_eq!(parse_wareki(&w.short()), Ok(date));
            prop_assert_eq!(Era::of_date(date), Some(w.era));
        }

        #[test]
        fn parse_wareki_never_panics(s in "\\PC{0,14}") {
            let _ = parse_wareki(&s);
        }

        #[test]
        fn parse_wareki_never_panics_near_misses(
            era in "(令和|平成|昭和|大正|明治|R|H|S|T|M|r|Ｒ|X|慶応)",
            y in "(元|[0-9０-９]{0,5})",
            sep in "[年./\\-:]",
            m in "[0-9]{0,3}",
            sep2 in "[月./\\-]",
            dd in "[0-9]{0,3}",
            tail in "(日|)(x|)",
        ) {
            let s = format!("{era}{y}{sep}{m}{sep2}{dd}{tail}");
            if let Ok(date) = parse_wareki(&s) {
                let w = date.to_wareki().unwrap();
                prop_assert_eq!(parse_wareki(&w.long()), Ok(date));
            }
        }
    }
}
