//! Proleptic-Gregorian calendar dates ([`Date`]) and second-precision timestamps ([`DateTime`]).

use std::fmt;
use std::str::FromStr;

use super::error::{DateError, Expected};
use super::wareki::{Era, Wareki};

/// Smallest supported year.
const MIN_YEAR: u16 = 1;
/// Largest supported year.
const MAX_YEAR: u16 = 9999;
/// Days from 1970-01-01 to 0001-01-01.
const MIN_DAYS: i32 = days_from_civil(MIN_YEAR, 1, 1);
/// Days from 1970-01-01 to 9999-12-31.
const MAX_DAYS: i32 = days_from_civil(MAX_YEAR, 12, 31);

/// A proleptic-Gregorian calendar date, years 1..=9999.
///
/// Dates order chronologically. Arithmetic never panics: results outside the
/// supported years are an `Err`.
///
/// ```
/// use vrs_core::date::{Date, Weekday};
///
/// let d = Date::parse_yyyymmdd("20210423")?;
/// assert_eq!(d, Date::new(2021, 4, 23)?);
/// assert_eq!(d.to_string(), "2021-04-23");
/// assert_eq!(d.weekday(), Weekday::Friday);
/// assert_eq!(d.add_days(19)?, Date::new(2021, 5, 12)?);
/// // "1 month after" as municipalities count it:
/// assert_eq!(Date::new(2021, 8, 31)?.add_months_jp(1)?, Date::new(2021, 10, 1)?);
/// assert_eq!(d.to_wareki()?.long(), "令和3年4月23日");
/// # Ok::<(), vrs_core::date::DateError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    // Field order matters: the derived `Ord` compares year, then month, then day.
    y: u16,
    m: u8,
    d: u8,
}

/// Whether `year` is a leap year in the Gregorian calendar.
const fn leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Number of days in `month` of `year`; 0 when `month` is not 1..=12.
const fn month_len(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a valid civil date (H. Hinnant's `days_from_civil`).
const fn days_from_civil(year: u16, month: u8, day: u8) -> i32 {
    // Years are >= 1 here, so the shifted year below is >= 0 and all divisions are exact floors.
    let y = if month <= 2 {
        year as i32 - 1
    } else {
        year as i32
    };
    let era = y / 400;
    let yoe = y - era * 400; // [0, 399]
    let mp = (month as i32 + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + day as i32 - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`] for `days` in `MIN_DAYS..=MAX_DAYS`.
const fn civil_from_days(days: i32) -> (u16, u8, u8) {
    let z = days + 719_468; // >= 0 for every supported date
    let era = z / 146_097;
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let y = if m <= 2 { y + 1 } else { y };
    (y as u16, m as u8, d as u8)
}

/// Reads the decimal number in `bytes[start..start + len]`; the caller has checked
/// that these bytes are ASCII digits.
fn number(bytes: &[u8], start: usize, len: usize) -> u16 {
    bytes
        .get(start..start + len)
        .unwrap_or(&[])
        .iter()
        .fold(0u16, |acc, b| acc * 10 + u16::from(b.wrapping_sub(b'0')))
}

/// Checks `s` against a fixed-width ASCII pattern in which `9` stands for a digit and
/// every other byte for itself. Returns the bytes on success. Never allocates.
fn scan_fixed<const N: usize>(s: &str, pattern: &[u8; N]) -> Result<[u8; N], DateError> {
    // Every date field of every row comes here: a match is decided in one pass over the
    // bytes, and only a mismatch goes on to find what to report.
    if let Ok(bytes) = <&[u8; N]>::try_from(s.as_bytes()) {
        let matches = bytes.iter().zip(pattern).fold(true, |ok, (b, p)| {
            ok & if *p == b'9' {
                b.is_ascii_digit()
            } else {
                b == p
            }
        });
        if matches {
            return Ok(*bytes);
        }
    }
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    let mismatch = |position: usize, c: char, p: u8| -> Option<DateError> {
        if p == b'9' {
            (!c.is_ascii_digit()).then_some(DateError::NonDigit { position })
        } else {
            (c != char::from(p)).then_some(DateError::Malformed {
                position,
                expected: Expected::Char(char::from(p)),
            })
        }
    };
    if s.len() == N {
        let mut out = [0u8; N];
        for (i, (&b, (&p, slot))) in s
            .as_bytes()
            .iter()
            .zip(pattern.iter().zip(out.iter_mut()))
            .enumerate()
        {
            // Every byte before `i` matched an ASCII pattern byte, so `i` is also the
            // character position, and a non-ASCII lead byte simply fails to match.
            if let Some(err) = mismatch(i, char::from(b), p) {
                return Err(err);
            }
            *slot = b;
        }
        return Ok(out);
    }
    let found = s.chars().count();
    if found != N {
        return Err(DateError::WrongLength { expected: N, found });
    }
    // Right number of characters, but some are not ASCII: report the first mismatch.
    for (i, (c, &p)) in s.chars().zip(pattern.iter()).enumerate() {
        if let Some(err) = mismatch(i, c, p) {
            return Err(err);
        }
    }
    Err(DateError::WrongLength {
        expected: N,
        found: s.len(),
    })
}

/// Writes `value` as `width` zero-padded ASCII digits into `out` starting at `start`.
fn put_digits(out: &mut [u8], start: usize, width: usize, mut value: u16) {
    for slot in out.iter_mut().skip(start).take(width).rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

impl Date {
    /// 0001-01-01, the earliest supported date.
    pub const MIN: Date = Date { y: 1, m: 1, d: 1 };
    /// 9999-12-31, the latest supported date.
    pub const MAX: Date = Date {
        y: 9999,
        m: 12,
        d: 31,
    };

    /// Builds a date, checking year (1..=9999), month and day.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Date, DateError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(DateError::YearOutOfRange {
                year: i64::from(year),
            });
        }
        if !(1..=12).contains(&month) {
            return Err(DateError::MonthOutOfRange { month });
        }
        if day < 1 || day > month_len(year, month) {
            return Err(DateError::DayOutOfRange { year, month, day });
        }
        Ok(Date {
            y: year,
            m: month,
            d: day,
        })
    }

    /// Builds a date in a constant table. Evaluated at compile time, where an invalid
    /// date stops the build; never call it with run-time input.
    pub(super) const fn from_table(year: u16, month: u8, day: u8) -> Date {
        if year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1 {
            panic!("invalid date in a constant table");
        }
        if day > month_len(year, month) {
            panic!("invalid date in a constant table");
        }
        Date {
            y: year,
            m: month,
            d: day,
        }
    }

    /// The year, 1..=9999.
    pub const fn year(self) -> u16 {
        self.y
    }

    /// The month, 1..=12.
    pub const fn month(self) -> u8 {
        self.m
    }

    /// The day of the month, 1..=31.
    pub const fn day(self) -> u8 {
        self.d
    }

    /// Whether `year` is a Gregorian leap year.
    pub const fn is_leap_year(year: u16) -> bool {
        leap(year)
    }

    /// Number of days in `month` of `year` (28..=31), or `None` if `month` is not 1..=12.
    pub const fn days_in_month(year: u16, month: u8) -> Option<u8> {
        match month_len(year, month) {
            0 => None,
            n => Some(n),
        }
    }

    /// Day of the year, 1..=366.
    pub fn ordinal(self) -> u16 {
        let jan1 = days_from_civil(self.y, 1, 1);
        // Difference is 0..=365.
        (self.days_since_epoch() - jan1 + 1) as u16
    }

    /// Parses exactly 8 ASCII digits `YYYYMMDD` (the VRS file format), for example `20210423`.
    ///
    /// Strict: no spaces, signs or full-width digits. Does not allocate (except for
    /// nothing at all: errors carry only numbers).
    pub fn parse_yyyymmdd(s: &str) -> Result<Date, DateError> {
        let b = scan_fixed(s, b"99999999")?;
        Date::new(
            number(&b, 0, 4),
            number(&b, 4, 2) as u8,
            number(&b, 6, 2) as u8,
        )
    }

    /// Parses an ISO 8601 calendar date `YYYY-MM-DD`, for example `2021-04-23`. Strict.
    pub fn parse_iso(s: &str) -> Result<Date, DateError> {
        let b = scan_fixed(s, b"9999-99-99")?;
        Date::new(
            number(&b, 0, 4),
            number(&b, 5, 2) as u8,
            number(&b, 8, 2) as u8,
        )
    }

    /// Formats as `YYYYMMDD`, for example `20210423`.
    pub fn yyyymmdd(self) -> String {
        let mut out = [0u8; 8];
        self.write_yyyymmdd(&mut out);
        out.iter().map(|&b| char::from(b)).collect()
    }

    /// Writes `YYYYMMDD` as 8 ASCII bytes into `out` (no allocation).
    pub fn write_yyyymmdd(self, out: &mut [u8; 8]) {
        put_digits(out, 0, 4, self.y);
        put_digits(out, 4, 2, u16::from(self.m));
        put_digits(out, 6, 2, u16::from(self.d));
    }

    /// Days since 1970-01-01 (which is 0); negative before it.
    pub const fn days_since_epoch(self) -> i32 {
        days_from_civil(self.y, self.m, self.d)
    }

    /// The date `days` days after 1970-01-01 (negative: before).
    pub fn from_days_since_epoch(days: i32) -> Result<Date, DateError> {
        if !(MIN_DAYS..=MAX_DAYS).contains(&days) {
            return Err(DateError::Overflow);
        }
        let (y, m, d) = civil_from_days(days);
        Ok(Date { y, m, d })
    }

    /// The date `n` days later (`n` may be negative).
    pub fn add_days(self, n: i32) -> Result<Date, DateError> {
        let days = self
            .days_since_epoch()
            .checked_add(n)
            .ok_or(DateError::Overflow)?;
        Date::from_days_since_epoch(days)
    }

    /// Number of days from `self` to `later` (negative if `later` is earlier).
    pub const fn days_until(self, later: Date) -> i32 {
        later.days_since_epoch() - self.days_since_epoch()
    }

    /// "N months after" as Japanese municipalities count it: the same day of the month
    /// N months later; if that day does not exist, the 1st of the following month.
    ///
    /// ```
    /// use vrs_core::date::Date;
    /// let d = Date::new(2022, 1, 31)?;
    /// assert_eq!(d.add_months_jp(1)?, Date::new(2022, 3, 1)?);
    /// assert_eq!(d.add_months_jp(2)?, Date::new(2022, 3, 31)?);
    /// # Ok::<(), vrs_core::date::DateError>(())
    /// ```
    pub fn add_months_jp(self, n: u32) -> Result<Date, DateError> {
        let total = u64::from(self.y) * 12 + u64::from(self.m - 1) + u64::from(n);
        let year = total / 12;
        let month = (total % 12) as u8 + 1;
        let year = u16::try_from(year).ok().filter(|y| *y <= MAX_YEAR).ok_or(
            DateError::YearOutOfRange {
                year: i64::try_from(year).unwrap_or(i64::MAX),
            },
        )?;
        if self.d <= month_len(year, month) {
            Ok(Date {
                y: year,
                m: month,
                d: self.d,
            })
        } else if month == 12 {
            // Unreachable in practice (December has 31 days), kept total.
            Date::new(year.saturating_add(1), 1, 1)
        } else {
            Ok(Date {
                y: year,
                m: month + 1,
                d: 1,
            })
        }
    }

    /// The same month and day `n` years later; 29 February becomes 28 February when the
    /// target year is not a leap year (Civil Code counting, used for retention in §8.2).
    ///
    /// ```
    /// use vrs_core::date::Date;
    /// let d = Date::new(2024, 2, 29)?;
    /// assert_eq!(d.add_years_clamped(5)?, Date::new(2029, 2, 28)?);
    /// # Ok::<(), vrs_core::date::DateError>(())
    /// ```
    pub fn add_years_clamped(self, n: u16) -> Result<Date, DateError> {
        let year = u32::from(self.y) + u32::from(n);
        let year = u16::try_from(year).ok().filter(|y| *y <= MAX_YEAR).ok_or(
            DateError::YearOutOfRange {
                year: i64::from(year),
            },
        )?;
        let day = self.d.min(month_len(year, self.m));
        Ok(Date {
            y: year,
            m: self.m,
            d: day,
        })
    }

    /// Day of the week.
    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday (index 3 counting from Monday = 0).
        Weekday::from_index_from_monday((self.days_since_epoch() + 3).rem_euclid(7))
    }

    /// ISO 8601 week date: (ISO week-numbering year, week 1..=53).
    ///
    /// ```
    /// use vrs_core::date::Date;
    /// assert_eq!(Date::new(2021, 1, 3)?.iso_week(), (2020, 53));
    /// assert_eq!(Date::new(2021, 1, 4)?.iso_week(), (2021, 1));
    /// # Ok::<(), vrs_core::date::DateError>(())
    /// ```
    pub fn iso_week(self) -> (u16, u8) {
        let wd = i32::from(self.weekday().number_from_monday());
        let week = (i32::from(self.ordinal()) - wd + 10) / 7;
        if week < 1 {
            // Belongs to the last week of the previous year (never happens in year 1,
            // whose 1 January is a Monday).
            let prev = self.y.saturating_sub(1).max(MIN_YEAR);
            (prev, iso_weeks_in_year(prev))
        } else if week > i32::from(iso_weeks_in_year(self.y)) {
            (self.y.saturating_add(1), 1)
        } else {
            (self.y, week as u8)
        }
    }

    /// Age in full years completed on `on`, for a person born on `self`; `None` if
    /// `on` is before the birth date.
    ///
    /// The age increases on the birthday itself; someone born on 29 February reaches
    /// the next year of age on 1 March in non-leap years.
    ///
    /// ```
    /// use vrs_core::date::Date;
    /// let birth = Date::new(2008, 2, 29)?;
    /// assert_eq!(birth.age_on(Date::new(2021, 2, 28)?), Some(12));
    /// assert_eq!(birth.age_on(Date::new(2021, 3, 1)?), Some(13));
    /// # Ok::<(), vrs_core::date::DateError>(())
    /// ```
    pub fn age_on(self, on: Date) -> Option<u32> {
        if on < self {
            return None;
        }
        let years = u32::from(on.y - self.y);
        if (on.m, on.d) < (self.m, self.d) {
            Some(years - 1)
        } else {
            Some(years)
        }
    }

    /// Age in full months completed on `on`, for a person born on `self`; `None` if
    /// `on` is before the birth date. Consistent with [`Date::add_months_jp`]: `n`
    /// months are complete exactly from `self.add_months_jp(n)` on.
    pub fn age_in_months_on(self, on: Date) -> Option<u32> {
        if on < self {
            return None;
        }
        let months = u32::from(on.y - self.y) * 12 + u32::from(on.m) - u32::from(self.m);
        if on.d < self.d {
            Some(months - 1)
        } else {
            Some(months)
        }
    }

    /// This date in the Japanese era calendar (和暦).
    ///
    /// Fails with [`DateError::BeforeSolarCalendar`] before 1873-01-01.
    pub fn to_wareki(self) -> Result<Wareki, DateError> {
        let era = Era::of_date(self).ok_or(DateError::BeforeSolarCalendar)?;
        Ok(Wareki {
            era,
            year: self.y - era.first_year() + 1,
            month: self.m,
            day: self.d,
        })
    }
}

/// Number of ISO weeks (52 or 53) in ISO week-numbering year `year`.
fn iso_weeks_in_year(year: u16) -> u8 {
    let p = |y: i32| (y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400)).rem_euclid(7);
    let y = i32::from(year);
    if p(y) == 4 || p(y - 1) == 3 {
        53
    } else {
        52
    }
}

impl fmt::Display for Date {
    /// ISO 8601: `2021-04-23`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }
}

impl fmt::Debug for Date {
    /// `Date(2021-04-23)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl FromStr for Date {
    type Err = DateError;

    /// Parses ISO `YYYY-MM-DD` (see [`Date::parse_iso`]).
    fn from_str(s: &str) -> Result<Date, DateError> {
        Date::parse_iso(s)
    }
}

impl serde::Serialize for Date {
    /// Serialises as the ISO string `"2021-04-23"`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    /// Deserialises from the ISO string `"2021-04-23"`.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        struct IsoVisitor;
        impl serde::de::Visitor<'_> for IsoVisitor {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date string YYYY-MM-DD")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Date, E> {
                Date::parse_iso(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(IsoVisitor)
    }
}

/// Day of the week, Monday first (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Weekday {
    /// 月曜日
    Monday,
    /// 火曜日
    Tuesday,
    /// 水曜日
    Wednesday,
    /// 木曜日
    Thursday,
    /// 金曜日
    Friday,
    /// 土曜日
    Saturday,
    /// 日曜日
    Sunday,
}

impl Weekday {
    /// All days, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    fn from_index_from_monday(i: i32) -> Weekday {
        match i {
            0 => Weekday::Monday,
            1 => Weekday::Tuesday,
            2 => Weekday::Wednesday,
            3 => Weekday::Thursday,
            4 => Weekday::Friday,
            5 => Weekday::Saturday,
            _ => Weekday::Sunday,
        }
    }

    /// ISO number: Monday = 1 … Sunday = 7.
    pub const fn number_from_monday(self) -> u8 {
        self as u8 + 1
    }

    /// Japanese name, for example `金曜日`.
    pub const fn name_ja(self) -> &'static str {
        match self {
            Weekday::Monday => "月曜日",
            Weekday::Tuesday => "火曜日",
            Weekday::Wednesday => "水曜日",
            Weekday::Thursday => "木曜日",
            Weekday::Friday => "金曜日",
            Weekday::Saturday => "土曜日",
            Weekday::Sunday => "日曜日",
        }
    }
}

/// A timestamp `YYYYMMDDHHMMSS`, 24-hour clock (hour 00..=23, minute and second
/// 00..=59; no leap second), without time zone (VRS files use Japan time).
///
/// ```
/// use vrs_core::date::{Date, DateTime};
/// let t = DateTime::parse_yyyymmddhhmmss("20210423101500")?;
/// assert_eq!(t.date, Date::new(2021, 4, 23)?);
/// assert_eq!((t.hour, t.minute, t.second), (10, 15, 0));
/// assert_eq!(t.to_string(), "2021-04-23T10:15:00");
/// assert_eq!(t.yyyymmddhhmmss(), "20210423101500");
/// assert!(DateTime::parse_yyyymmddhhmmss("20210423240000").is_err());
/// # Ok::<(), vrs_core::date::DateError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct DateTime {
    /// The calendar date.
    pub date: Date,
    /// Hour, 0..=23.
    pub hour: u8,
    /// Minute, 0..=59.
    pub minute: u8,
    /// Second, 0..=59.
    pub second: u8,
}

impl DateTime {
    /// Builds a timestamp, checking the time of day.
    pub fn new(date: Date, hour: u8, minute: u8, second: u8) -> Result<DateTime, DateError> {
        if hour > 23 || minute > 59 || second > 59 {
            return Err(DateError::TimeOutOfRange {
                hour,
                minute,
                second,
            });
        }
        Ok(DateTime {
            date,
            hour,
            minute,
            second,
        })
    }

    /// Parses exactly 14 ASCII digits `YYYYMMDDHHMMSS`. Strict; does not allocate.
    pub fn parse_yyyymmddhhmmss(s: &str) -> Result<DateTime, DateError> {
        let b = scan_fixed(s, b"99999999999999")?;
        let date = Date::new(
            number(&b, 0, 4),
            number(&b, 4, 2) as u8,
            number(&b, 6, 2) as u8,
        )?;
        DateTime::new(
            date,
            number(&b, 8, 2) as u8,
            number(&b, 10, 2) as u8,
            number(&b, 12, 2) as u8,
        )
    }

    /// Parses ISO 8601 `YYYY-MM-DDTHH:MM:SS` (the `Display` form). Strict.
    pub fn parse_iso(s: &str) -> Result<DateTime, DateError> {
        let b = scan_fixed(s, b"9999-99-99T99:99:99")?;
        let date = Date::new(
            number(&b, 0, 4),
            number(&b, 5, 2) as u8,
            number(&b, 8, 2) as u8,
        )?;
        DateTime::new(
            date,
            number(&b, 11, 2) as u8,
            number(&b, 14, 2) as u8,
            number(&b, 17, 2) as u8,
        )
    }

    /// Formats as `YYYYMMDDHHMMSS`.
    pub fn yyyymmddhhmmss(self) -> String {
        let mut out = [0u8; 14];
        self.write_yyyymmddhhmmss(&mut out);
        out.iter().map(|&b| char::from(b)).collect()
    }

    /// Writes `YYYYMMDDHHMMSS` as 14 ASCII bytes into `out` (no allocation).
    pub fn write_yyyymmddhhmmss(self, out: &mut [u8; 14]) {
        put_digits(out, 0, 4, self.date.y);
        put_digits(out, 4, 2, u16::from(self.date.m));
        put_digits(out, 6, 2, u16::from(self.date.d));
        put_digits(out, 8, 2, u16::from(self.hour));
        put_digits(out, 10, 2, u16::from(self.minute));
        put_digits(out, 12, 2, u16::from(self.second));
    }
}

impl fmt::Display for DateTime {
    /// ISO 8601 without zone: `2021-04-23T10:15:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}T{:02}:{:02}:{:02}",
            self.date, self.hour, self.minute, self.second
        )
    }
}

impl FromStr for DateTime {
    type Err = DateError;

    /// Parses `YYYY-MM-DDTHH:MM:SS` (see [`DateTime::parse_iso`]).
    fn from_str(s: &str) -> Result<DateTime, DateError> {
        DateTime::parse_iso(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: u16, m: u8, dd: u8) -> Date {
        Date::new(y, m, dd).unwrap()
    }

    #[test]
    fn epoch_and_limits() {
        assert_eq!(d(1970, 1, 1).days_since_epoch(), 0);
        assert_eq!(d(1969, 12, 31).days_since_epoch(), -1);
        assert_eq!(d(2000, 3, 1).days_since_epoch(), 11_017);
        assert_eq!(Date::from_days_since_epoch(MIN_DAYS), Ok(Date::MIN));
        assert_eq!(Date::from_days_since_epoch(MAX_DAYS), Ok(Date::MAX));
        assert_eq!(
            Date::from_days_since_epoch(MIN_DAYS - 1),
            Err(DateError::Overflow)
        );
        assert_eq!(
            Date::from_days_since_epoch(MAX_DAYS + 1),
            Err(DateError::Overflow)
        );
        assert_eq!(Date::MAX.add_days(1), Err(DateError::Overflow));
        assert_eq!(Date::MIN.add_days(-1), Err(DateError::Overflow));
        assert_eq!(Date::MIN.add_days(i32::MIN), Err(DateError::Overflow));
        assert_eq!(Date::MAX.add_days(i32::MAX), Err(DateError::Overflow));
    }

    #[test]
    fn brute_force_day_counter_1873_to_2100() {
        let mut days = d(1873, 1, 1).days_since_epoch();
        let mut weekday = d(1873, 1, 1).weekday();
        assert_eq!(weekday, Weekday::Wednesday);
        for y in 1873..=2100u16 {
            let feb = if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                29
            } else {
                28
            };
            let lens = [31, feb, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
            for (m, len) in (1..=12u8).zip(lens) {
                for dd in 1..=len {
                    let date = d(y, m, dd);
                    assert_eq!(date.days_since_epoch(), days, "{date}");
                    assert_eq!(Date::from_days_since_epoch(days), Ok(date));
                    assert_eq!(date.weekday(), weekday);
                    days += 1;
                    weekday = Weekday::from_index_from_monday(
                        i32::from(weekday.number_from_monday()) % 7,
                    );
                }
                assert_eq!(
                    Date::new(y, m, len + 1).unwrap_err(),
                    DateError::DayOutOfRange {
                        year: y,
                        month: m,
                        day: len + 1
                    }
                );
            }
        }
        assert_eq!(days, d(2101, 1, 1).days_since_epoch());
    }

    #[test]
    fn new_rejects_bad_parts() {
        assert_eq!(
            Date::new(0, 1, 1),
            Err(DateError::YearOutOfRange { year: 0 })
        );
        assert_eq!(
            Date::new(10000, 1, 1),
            Err(DateError::YearOutOfRange { year: 10000 })
        );
        assert_eq!(
            Date::new(2021, 0, 1),
            Err(DateError::MonthOutOfRange { month: 0 })
        );
        assert_eq!(
            Date::new(2021, 13, 1),
            Err(DateError::MonthOutOfRange { month: 13 })
        );
        assert_eq!(
            Date::new(2021, 2, 29),
            Err(DateError::DayOutOfRange {
                year: 2021,
                month: 2,
                day: 29
            })
        );
        assert_eq!(
            Date::new(2021, 4, 0).unwrap_err().to_string(),
            "day 0 does not exist in 2021-04"
        );
        assert!(Date::new(2020, 2, 29).is_ok());
        assert!(Date::new(2000, 2, 29).is_ok());
        assert!(Date::new(1900, 2, 29).is_err());
    }

    #[test]
    fn parse_yyyymmdd_ok_and_errors() {
        assert_eq!(Date::parse_yyyymmdd("20210423"), Ok(d(2021, 4, 23)));
        assert_eq!(Date::parse_yyyymmdd("00010101"), Ok(Date::MIN));
        assert_eq!(Date::parse_yyyymmdd("99991231"), Ok(Date::MAX));
        assert_eq!(Date::parse_yyyymmdd(""), Err(DateError::Empty));
        assert_eq!(
            Date::parse_yyyymmdd("2021042"),
            Err(DateError::WrongLength {
                expected: 8,
                found: 7
            })
        );
        assert_eq!(
            Date::parse_yyyymmdd("2021-04-23"),
            Err(DateError::WrongLength {
                expected: 8,
                found: 10
            })
        );
        assert_eq!(
            Date::parse_yyyymmdd("2021O423"),
            Err(DateError::NonDigit { position: 4 })
        );
        assert_eq!(
            Date::parse_yyyymmdd(" 2021042"),
            Err(DateError::NonDigit { position: 0 })
        );
        assert_eq!(
            Date::parse_yyyymmdd("+2021042"),
            Err(DateError::NonDigit { position: 0 })
        );
        // Full-width digits: 8 characters, but not ASCII.
        assert_eq!(
            Date::parse_yyyymmdd("２０２１０４２３"),
            Err(DateError::NonDigit { position: 0 })
        );
        assert_eq!(
            Date::parse_yyyymmdd("2021042３"),
            Err(DateError::NonDigit { position: 7 })
        );
        // 7 ASCII bytes + a 1-char multi-byte = 8 chars, 10 bytes.
        assert_eq!(
            Date::parse_yyyymmdd("202104é3"),
            Err(DateError::NonDigit { position: 6 })
        );
        assert_eq!(
            Date::parse_yyyymmdd("20211323"),
            Err(DateError::MonthOutOfRange { month: 13 })
        );
        assert_eq!(
            Date::parse_yyyymmdd("20210230"),
            Err(DateError::DayOutOfRange {
                year: 2021,
                month: 2,
                day: 30
            })
        );
        assert_eq!(
            Date::parse_yyyymmdd("00000101"),
            Err(DateError::YearOutOfRange { year: 0 })
        );
    }

    #[test]
    fn parse_iso_and_display() {
        assert_eq!(Date::parse_iso("2021-04-23"), Ok(d(2021, 4, 23)));
        assert_eq!("0987-01-09".parse::<Date>(), Ok(d(987, 1, 9)));
        assert_eq!(d(987, 1, 9).to_string(), "0987-01-09");
        assert_eq!(format!("{:?}", d(2021, 4, 23)), "Date(2021-04-23)");
        assert_eq!(
            Date::parse_iso("2021/04/23"),
            Err(DateError::Malformed {
                position: 4,
                expected: Expected::Char('-')
            })
        );
        assert_eq!(
            Date::parse_iso("20210423"),
            Err(DateError::WrongLength {
                expected: 10,
                found: 8
            })
        );
        assert_eq!(
            Date::parse_iso("2021-0a-23"),
            Err(DateError::NonDigit { position: 6 })
        );
        assert_eq!(
            Date::parse_iso("2021－04-23"),
            Err(DateError::Malformed {
                position: 4,
                expected: Expected::Char('-')
            })
        );
    }

    #[test]
    fn formatting_yyyymmdd() {
        assert_eq!(d(2021, 4, 3).yyyymmdd(), "20210403");
        assert_eq!(d(5, 12, 31).yyyymmdd(), "00051231");
        let mut buf = [0u8; 8];
        d(1999, 10, 1).write_yyyymmdd(&mut buf);
        assert_eq!(&buf, b"19991001");
    }

    #[test]
    fn serde_as_iso_string() {
        let json = serde_json::to_string(&d(2021, 4, 23)).unwrap();
        assert_eq!(json, "\"2021-04-23\"");
        assert_eq!(serde_json::from_str::<Date>(&json).unwrap(), d(2021, 4, 23));
        let err = serde_json::from_str::<Date>("\"2021-02-30\"").unwrap_err();
        assert!(
            err.to_string().contains("day 30 does not exist in 2021-02"),
            "{err}"
        );
        assert!(serde_json::from_str::<Date>("20210423").is_err());
    }

    #[test]
    fn add_months_jp_examples() {
        assert_eq!(d(2021, 8, 31).add_months_jp(1), Ok(d(2021, 10, 1)));
        assert_eq!(d(2022, 1, 31).add_months_jp(1), Ok(d(2022, 3, 1)));
        assert_eq!(d(2024, 1, 31).add_months_jp(1), Ok(d(2024, 3, 1)));
        assert_eq!(d(2024, 1, 29).add_months_jp(1), Ok(d(2024, 2, 29)));
        assert_eq!(d(2023, 1, 29).add_months_jp(1), Ok(d(2023, 3, 1)));
        assert_eq!(d(2021, 4, 23).add_months_jp(0), Ok(d(2021, 4, 23)));
        assert_eq!(d(2021, 12, 1).add_months_jp(6), Ok(d(2022, 6, 1)));
        assert_eq!(d(2021, 10, 31).add_months_jp(3), Ok(d(2022, 1, 31)));
        assert_eq!(d(2021, 11, 30).add_months_jp(3), Ok(d(2022, 3, 1)));
        assert_eq!(d(2021, 3, 31).add_months_jp(6), Ok(d(2021, 10, 1)));
        assert_eq!(d(2021, 5, 15).add_months_jp(20), Ok(d(2023, 1, 15)));
        assert_eq!(
            d(9999, 12, 1).add_months_jp(1),
            Err(DateError::YearOutOfRange { year: 10000 })
        );
        assert!(d(2021, 1, 1).add_months_jp(u32::MAX).is_err());
    }

    #[test]
    fn add_years_clamped_examples() {
        assert_eq!(d(2024, 2, 29).add_years_clamped(5), Ok(d(2029, 2, 28)));
        assert_eq!(d(2024, 2, 29).add_years_clamped(4), Ok(d(2028, 2, 29)));
        assert_eq!(d(2021, 6, 10).add_years_clamped(5), Ok(d(2026, 6, 10)));
        assert_eq!(d(2024, 3, 31).add_years_clamped(5), Ok(d(2029, 3, 31)));
        assert_eq!(
            d(9999, 1, 1).add_years_clamped(1),
            Err(DateError::YearOutOfRange { year: 10000 })
        );
        assert!(d(2021, 1, 1).add_years_clamped(u16::MAX).is_err());
    }

    #[test]
    fn ages() {
        let birth = d(2009, 4, 23);
        assert_eq!(birth.age_on(d(2009, 4, 22)), None);
        assert_eq!(birth.age_on(birth), Some(0));
        assert_eq!(birth.age_on(d(2021, 4, 22)), Some(11));
        assert_eq!(birth.age_on(d(2021, 4, 23)), Some(12));
        let leapling = d(2004, 2, 29);
        assert_eq!(leapling.age_on(d(2021, 2, 28)), Some(16));
        assert_eq!(leapling.age_on(d(2021, 3, 1)), Some(17));
        assert_eq!(leapling.age_on(d(2020, 2, 28)), Some(15));
        assert_eq!(leapling.age_on(d(2020, 2, 29)), Some(16));
        assert_eq!(birth.age_in_months_on(d(2009, 4, 22)), None);
        assert_eq!(birth.age_in_months_on(d(2009, 10, 22)), Some(5));
        assert_eq!(birth.age_in_months_on(d(2009, 10, 23)), Some(6));
        let end_of_month = d(2022, 8, 31);
        assert_eq!(end_of_month.age_in_months_on(d(2022, 9, 30)), Some(0));
        assert_eq!(end_of_month.age_in_months_on(d(2022, 10, 1)), Some(1));
        assert_eq!(end_of_month.age_in_months_on(d(2023, 2, 28)), Some(5));
        assert_eq!(end_of_month.age_in_months_on(d(2023, 3, 1)), Some(6));
    }

    #[test]
    fn weekdays_and_iso_weeks() {
        assert_eq!(d(1970, 1, 1).weekday(), Weekday::Thursday);
        assert_eq!(d(2021, 4, 23).weekday(), Weekday::Friday);
        assert_eq!(d(1, 1, 1).weekday(), Weekday::Monday);
        assert_eq!(Weekday::Sunday.number_from_monday(), 7);
        assert_eq!(Weekday::Friday.name_ja(), "金曜日");
        assert_eq!(d(2021, 1, 3).iso_week(), (2020, 53));
        assert_eq!(d(2021, 1, 4).iso_week(), (2021, 1));
        assert_eq!(d(2020, 12, 31).iso_week(), (2020, 53));
        assert_eq!(d(2019, 12, 30).iso_week(), (2020, 1));
        assert_eq!(d(2008, 12, 29).iso_week(), (2009, 1));
        assert_eq!(d(2010, 1, 3).iso_week(), (2009, 53));
        assert_eq!(d(2021, 4, 23).iso_week(), (2021, 16));
        assert_eq!(d(1, 1, 1).iso_week(), (1, 1));
        assert_eq!(Date::MAX.iso_week(), (9999, 52));
        assert_eq!(d(2021, 12, 31).ordinal(), 365);
        assert_eq!(d(2020, 12, 31).ordinal(), 366);
    }

    #[test]
    fn datetime_parse_and_errors() {
        let t = DateTime::parse_yyyymmddhhmmss("20210423235959").unwrap();
        assert_eq!(t, DateTime::new(d(2021, 4, 23), 23, 59, 59).unwrap());
        assert_eq!(t.to_string(), "2021-04-23T23:59:59");
        assert_eq!("2021-04-23T23:59:59".parse::<DateTime>(), Ok(t));
        let mut buf = [0u8; 14];
        t.write_yyyymmddhhmmss(&mut buf);
        assert_eq!(&buf, b"20210423235959");
        assert_eq!(
            DateTime::parse_yyyymmddhhmmss("20210423240000"),
            Err(DateError::TimeOutOfRange {
                hour: 24,
                minute: 0,
                second: 0
            })
        );
        assert_eq!(
            DateTime::parse_yyyymmddhhmmss("20210423106000"),
            Err(DateError::TimeOutOfRange {
                hour: 10,
                minute: 60,
                second: 0
            })
        );
        assert_eq!(
            DateTime::parse_yyyymmddhhmmss("20210423105960"),
            Err(DateError::TimeOutOfRange {
                hour: 10,
                minute: 59,
                second: 60
            })
        );
        assert_eq!(
            DateTime::parse_yyyymmddhhmmss("2021042310150"),
            Err(DateError::WrongLength {
                expected: 14,
                found: 13
            })
        );
        assert_eq!(
            DateTime::parse_yyyymmddhhmmss("20210423 10150"),
            Err(DateError::NonDigit { position: 8 })
        );
        assert_eq!(
            DateTime::parse_yyyymmddhhmmss("20210231101500"),
            Err(DateError::DayOutOfRange {
                year: 2021,
                month: 2,
                day: 31
            })
        );
        assert_eq!(
            DateTime::parse_yyyymmddhhmmss("20210423240000")
                .unwrap_err()
                .to_string(),
            "time 24:00:00 is not a valid 24-hour time"
        );
        assert!(DateTime::parse_iso("2021-04-23 10:15:00").is_err());
        let earlier = DateTime::new(d(2021, 4, 23), 9, 0, 0).unwrap();
        assert!(earlier < t);
    }

    #[test]
    fn error_messages_have_both_languages() {
        let errors = [
            DateError::Empty,
            DateError::WrongLength {
                expected: 8,
                found: 7,
            },
            DateError::NonDigit { position: 3 },
            DateError::MonthOutOfRange { month: 13 },
            DateError::DayOutOfRange {
                year: 2021,
                month: 2,
                day: 30,
            },
            DateError::YearOutOfRange { year: 10000 },
            DateError::TimeOutOfRange {
                hour: 24,
                minute: 0,
                second: 0,
            },
            DateError::UnknownEra { found: "X".into() },
            DateError::EraYearZero,
            DateError::BeforeEraStart {
                era: Era::Reiwa,
                start: d(2019, 5, 1),
            },
            DateError::AfterEraEnd {
                era: Era::Heisei,
                end: d(2019, 4, 30),
            },
            DateError::BeforeSolarCalendar,
            DateError::Malformed {
                position: 0,
                expected: Expected::End,
            },
            DateError::Overflow,
        ];
        for e in errors {
            assert!(!e.to_string().is_empty());
            assert!(!e.message_ja().is_empty());
            assert_ne!(e.to_string(), e.message_ja());
        }
        assert_eq!(
            DateError::NonDigit { position: 3 }.to_string(),
            "character 4 is not a digit 0-9"
        );
        assert_eq!(
            DateError::NonDigit { position: 3 }.message_ja(),
            "4文字目が半角数字ではありません"
        );
        assert_eq!(
            DateError::AfterEraEnd {
                era: Era::Heisei,
                end: d(2019, 4, 30)
            }
            .to_string(),
            "Heisei ended on 2019-04-30"
        );
        assert_eq!(
            DateError::AfterEraEnd {
                era: Era::Heisei,
                end: d(2019, 4, 30)
            }
            .message_ja(),
            "平成は2019年4月30日で終わっています"
        );
    }

    fn any_date() -> impl Strategy<Value = Date> {
        (MIN_DAYS..=MAX_DAYS).prop_map(|n| Date::from_days_since_epoch(n).unwrap())
    }

    proptest! {
        #[test]
        fn days_round_trip(n in MIN_DAYS..=MAX_DAYS) {
            let date = Date::from_days_since_epoch(n).unwrap();
            prop_assert_eq!(date.days_since_epoch(), n);
            prop_assert_eq!(Date::new(date.year(), date.month(), date.day()), Ok(date));
        }

        #[test]
        fn add_days_inverse(date in any_date(), n in -1_000_000i32..1_000_000) {
            if let Ok(later) = date.add_days(n) {
                prop_assert_eq!(later.add_days(-n), Ok(date));
                prop_assert_eq!(date.days_until(later), n);
                prop_assert_eq!(n > 0, later > date);
            }
        }

        #[test]
        fn yyyymmdd_round_trip(date in any_date()) {
            prop_assert_eq!(Date::parse_yyyymmdd(&date.yyyymmdd()), Ok(date));
            prop_assert_eq!(Date::parse_iso(&date.to_string()), Ok(date));
        }

        #[test]
        fn datetime_round_trip(date in any_date(), h in 0u8..24, m in 0u8..60, s in 0u8..60) {
            let t = DateTime::new(date, h, m, s).unwrap();
            prop_assert_eq!(DateTime::parse_yyyymmddhhmmss(&t.yyyymmddhhmmss()), Ok(t));
            prop_assert_eq!(DateTime::parse_iso(&t.to_string()), Ok(t));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,16}") {
            let _ = Date::parse_yyyymmdd(&s);
            let _ = Date::parse_iso(&s);
            let _ = DateTime::parse_yyyymmddhhmmss(&s);
        }

        #[test]
        fn months_age_matches_add_months(birth in any_date(), on in any_date()) {
            match birth.age_in_months_on(on) {
                None => prop_assert!(on < birth),
                Some(n) => {
                    prop_assert!(birth.add_months_jp(n).unwrap() <= on);
                    if let Ok(next) = birth.add_months_jp(n + 1) {
                        prop_assert!(next > on);
                    }
                    let years = birth.age_on(on).unwrap();
                    prop_assert_eq!(years, n / 12);
                }
            }
        }

        #[test]
        fn ordering_is_chronological(a in any_date(), b in any_date()) {
            prop_assert_eq!(a.cmp(&b), a.days_since_epoch().cmp(&b.days_since_epoch()));
        }
    }
}
