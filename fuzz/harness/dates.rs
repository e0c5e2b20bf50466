//! The date parsers of `vrs_core::date`, both directions: text → date → text, and
//! date → 和暦 → date.
//!
//! Input: twelve bytes choosing a date (days since 1970), a day offset, an era date
//! (era, year, month, day) and month and year offsets; then a text. The text goes through every
//! parser, and what one accepts formats back to the same text and parses again to the same
//! date; the chosen dates go to 和暦 and back, and through the date arithmetic.

use vrs_core::date::{parse_wareki, Date, DateTime, Era, Wareki};

use crate::input::Input;

/// The fuzz target body.
pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let days = input.u32() as i32;
    let offset = i32::from(input.u16() as i16);
    let era = Era::ALL[usize::from(input.byte()) % Era::ALL.len()];
    let year = input.u16();
    let (month, day) = (input.byte(), input.byte());
    let (months, years) = (input.byte(), input.byte());
    let text = String::from_utf8_lossy(input.rest());

    parsers(&text);
    if let Ok(date) = Date::from_days_since_epoch(days) {
        assert_eq!(date.days_since_epoch(), days);
        to_wareki_and_back(date);
        arithmetic(date, offset, u32::from(months), u16::from(years));
    }
    let w = Wareki {
        era,
        year,
        month,
        day,
    };
    match w.to_date() {
        // A valid era date is the date's one era date.
        Ok(date) => assert_eq!(date.to_wareki(), Ok(w)),
        Err(e) => {
            let _ = (e.to_string(), e.message_ja());
        }
    }
}

/// Every text parser; each accepted text formats back to itself.
fn parsers(s: &str) {
    match Date::parse_yyyymmdd(s) {
        Ok(d) => {
            assert_eq!(d.yyyymmdd(), s);
            let mut out = [0u8; 8];
            d.write_yyyymmdd(&mut out);
            assert_eq!(&out[..], s.as_bytes());
            assert_eq!(Date::parse_iso(&d.to_string()), Ok(d));
        }
        Err(e) => {
            let _ = (e.to_string(), e.message_ja());
        }
    }
    match Date::parse_iso(s) {
        Ok(d) => {
            assert_eq!(d.to_string(), s);
            assert_eq!(s.parse::<Date>(), Ok(d));
            assert_eq!(Date::parse_yyyymmdd(&d.yyyymmdd()), Ok(d));
        }
        Err(e) => {
            let _ = (e.to_string(), e.message_ja());
        }
    }
    match DateTime::parse_yyyymmddhhmmss(s) {
        Ok(t) => {
            assert_eq!(t.yyyymmddhhmmss(), s);
            assert_eq!(DateTime::parse_iso(&t.to_string()), Ok(t));
        }
        Err(e) => {
            let _ = (e.to_string(), e.message_ja());
        }
    }
    match DateTime::parse_iso(s) {
        Ok(t) => assert_eq!(t.to_string(), s),
        Err(e) => {
            let _ = (e.to_string(), e.message_ja());
        }
    }
    match parse_wareki(s) {
        Ok(d) => {
            // parse → format → parse: both written forms of the era date name the same day.
            let w = d.to_wareki();
            assert!(w.is_ok(), "{d} parsed from 和暦 has no era date");
            if let Ok(w) = w {
                assert_eq!(w.to_date(), Ok(d));
                assert_eq!(parse_wareki(&w.long()), Ok(d), "long form {}", w.long());
                assert_eq!(parse_wareki(&w.short()), Ok(d), "short form {}", w.short());
                assert_eq!(w.to_string(), w.long());
            }
        }
        Err(e) => {
            let _ = (e.to_string(), e.message_ja());
        }
    }
}

/// Date → 和暦 → date, in both written forms.
fn to_wareki_and_back(date: Date) {
    match date.to_wareki() {
        Ok(w) => {
            assert_eq!(Era::of_date(date), Some(w.era));
            assert!(date >= w.era.start() && w.era.end().is_none_or(|end| date <= end));
            assert_eq!(w.to_date(), Ok(date));
            assert_eq!(parse_wareki(&w.long()), Ok(date), "long form {}", w.long());
            assert_eq!(
                parse_wareki(&w.short()),
                Ok(date),
                "short form {}",
                w.short()
            );
            assert_eq!(Era::from_letter(w.era.letter()), Some(w.era));
            assert_eq!(Era::from_name_ja(w.era.name_ja()), Some(w.era));
        }
        Err(_) => assert!(Era::of_date(date).is_none()),
    }
}

/// The arithmetic: inverse operations undo each other; results are real dates.
fn arithmetic(date: Date, offset: i32, months: u32, years: u16) {
    if let Ok(later) = date.add_days(offset) {
        assert_eq!(date.days_until(later), offset);
        assert_eq!(later.add_days(-offset), Ok(date));
    }
    if let Ok(later) = date.add_months_jp(months) {
        assert!(later >= date);
        assert_eq!(
            Date::new(later.year(), later.month(), later.day()),
            Ok(later)
        );
    }
    if let Ok(later) = date.add_years_clamped(years) {
        assert_eq!(later.year(), date.year() + years);
        assert_eq!(later.month(), date.month());
        if let Some(age) = date.age_on(later) {
            assert!(age >= u32::from(years) || later.day() < date.day());
        }
    }
    let (week_year, week) = date.iso_week();
    assert!((1..=53).contains(&week) && week_year.abs_diff(date.year()) <= 1);
    let _ = (date.weekday(), date.ordinal(), date.age_in_months_on(date));
}
