//! What a spreadsheet did to a value. A CSV file opened and saved in Excel comes back with
//! codes turned into numbers (leading zeros lost, long numbers in scientific notation, a
//! trailing `.0`) and dates in the spreadsheet's own format (slashes, the Japanese era, a
//! serial day number); a value keyed in by hand may have full-width digits. A field check
//! that fails says what is wrong by length or position; this recognises the damage behind
//! it, names it in both languages with the fix, and gives the corrected value when it can be
//! trusted (a check digit confirms it, or nothing was lost) — never a My Number.

use crate::date::{parse_wareki, Date, DateTime};
use crate::id::{MunicipalityCode, MyNumber, OcrLine};
use crate::layout::FieldType;
use crate::text;

/// A recognised damage: what happened and the fix, in English and Japanese (each a sentence
/// to append to the field check's message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Damage {
    pub en: String,
    pub ja: String,
}

/// The damage behind an invalid value of a column of type `ty`, when it has a known shape.
pub(crate) fn explain(ty: &FieldType, raw: &str) -> Option<Damage> {
    let folded = text::fold_width(raw);
    let wide = folded != raw;
    let damage = match ty {
        FieldType::MunicipalityCode => number(&folded, 6, Checked::Municipality),
        FieldType::MyNumber => number(&folded, 12, Checked::MyNumber),
        FieldType::VoucherNumber => number(&folded, 10, Checked::Nothing),
        FieldType::OcrLine => number(&folded, 18, Checked::Ocr),
        FieldType::Date => date(&folded),
        FieldType::DateTime => date_time(&folded),
        FieldType::DoseNumber => number(&folded, 1, Checked::Nothing),
        FieldType::AddresseeNumber => scientific(&folded).map(|_| Found {
            what: What::Scientific,
            corrected: Corrected::None,
        }),
        _ => None,
    };
    match (damage, wide) {
        (Some(found), _) => Some(found.describe(wide)),
        (None, true)
            if *ty != FieldType::AddresseeNumber && folded.chars().any(|c| c.is_ascii_digit()) =>
        {
            Some(Damage {
                en: "it holds full-width characters: write digits as ASCII 0-9".into(),
                ja: "全角文字が含まれています。数字は半角の0～9で記入してください".into(),
            })
        }
        (None, _) => None,
    }
}

/// What an identifier's digits can be checked with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Checked {
    /// Nothing: a corrected value is only likely.
    Nothing,
    /// The municipality code check digit.
    Municipality,
    /// The My Number check digit (the value is never shown).
    MyNumber,
    /// The OCR line's municipality code check digit.
    Ocr,
}

/// The shape recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    /// Leading zeros dropped: `n` of them.
    LostZeros(usize),
    /// A decimal part `.0` added.
    Decimal,
    /// Scientific notation (e.g. `1.31016E+05`).
    Scientific,
    /// A date with `/`, `-` or `.` between its parts.
    SlashDate,
    /// A date in the Japanese era (和暦).
    EraDate,
    /// A spreadsheet's serial day number.
    SerialDate,
}

/// The corrected value, and how sure it is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Corrected {
    None,
    /// Nothing was lost: the value as it should be written.
    Exact(String),
    /// Confirmed by a check digit.
    Confirmed(String),
    /// Confirmed by a check digit, but a My Number: not shown.
    ConfirmedSecret,
    /// Likely, but nothing confirms it.
    Likely(String),
    /// Digits were lost: the value must be exported again.
    Lost,
}

#[derive(Debug)]
struct Found {
    what: What,
    corrected: Corrected,
}

/// A digits identifier of `width` digits.
fn number(v: &str, width: usize, checked: Checked) -> Option<Found> {
    let (digits, what, exact) = if let Some(int) = decimal(v) {
        (int.to_owned(), What::Decimal, true)
    } else if let Some((digits, exact)) = scientific(v) {
        (digits, What::Scientific, exact)
    } else if v.bytes().all(|b| b.is_ascii_digit()) && !v.is_empty() && v.len() < width {
        (v.to_owned(), What::LostZeros(width - v.len()), true)
    } else {
        return None;
    };
    if !exact {
        return Some(Found {
            what,
            corrected: Corrected::Lost,
        });
    }
    // Leading zeros the number lost on top of its decimal or exponent.
    let padded = match width.checked_sub(digits.len()) {
        Some(0) => digits,
        Some(n) => format!("{}{digits}", "0".repeat(n)),
        None => {
            return Some(Found {
                what,
                corrected: Corrected::None,
            })
        }
    };
    let corrected = match checked {
        Checked::Municipality if MunicipalityCode::parse(&padded).is_ok() => {
            Corrected::Confirmed(padded)
        }
        Checked::Ocr if OcrLine::parse(&padded).is_ok() => Corrected::Confirmed(padded),
        Checked::MyNumber if MyNumber::parse(&padded).is_ok() => Corrected::ConfirmedSecret,
        Checked::Nothing if matches!(what, What::LostZeros(_)) => Corrected::Likely(padded),
        Checked::Nothing => Corrected::Exact(padded),
        _ => Corrected::None,
    };
    Some(Found { what, corrected })
}

/// The integer part of `123.0` / `123.00`.
fn decimal(v: &str) -> Option<&str> {
    let (int, frac) = v.split_once('.')?;
    let ok = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && !frac.is_empty()
        && frac.bytes().all(|b| b == b'0');
    ok.then_some(int)
}

/// `1.31016E+05`: the integer's digits, and whether they are all there (the mantissa has as
/// many decimals as the exponent; otherwise the digits after them were lost).
fn scientific(v: &str) -> Option<(String, bool)> {
    let (mantissa, exponent) = v.split_once(['E', 'e'])?;
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    if exponent.is_empty() || exponent.len() > 2 || !exponent.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let exponent: usize = exponent.parse().ok()?;
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.len() != 1 || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > exponent {
        return None;
    }
    let exact = frac.len() == exponent;
    let digits = format!("{int}{frac}{}", "0".repeat(exponent - frac.len()));
    Some((digits, exact))
}

/// A date column.
fn date(v: &str) -> Option<Found> {
    if let Some(d) = slash_date(v) {
        return Some(Found {
            what: What::SlashDate,
            corrected: Corrected::Exact(d.yyyymmdd()),
        });
    }
    if let Ok(d) = parse_wareki(v) {
        return Some(Found {
            what: What::EraDate,
            corrected: Corrected::Exact(d.yyyymmdd()),
        });
    }
    if let Some(d) = serial_date(v) {
        return Some(Found {
            what: What::SerialDate,
            corrected: Corrected::Likely(d.yyyymmdd()),
        });
    }
    // An 8-digit date has no leading zero to lose: only a decimal part or an exponent.
    number(v, 8, Checked::Nothing).filter(|f| !matches!(f.what, What::LostZeros(_)))
}

/// A registration-time column.
fn date_time(v: &str) -> Option<Found> {
    let (day, time) = v.split_once([' ', 'T']).unwrap_or((v, ""));
    let date = slash_date(day)
        .map(|d| (d, What::SlashDate))
        .or_else(|| parse_wareki(day).ok().map(|d| (d, What::EraDate)));
    if let Some((date, what)) = date {
        let mut parts = time.split(':');
        let mut part = || {
            parts
                .next()
                .filter(|p| (1..=2).contains(&p.len()))
                .and_then(|p| p.parse::<u8>().ok())
        };
        let (h, m, s) = match time {
            "" => (Some(0), Some(0), Some(0)),
            _ => (part(), part(), part().or(Some(0))),
        };
        let corrected = match (h, m, s) {
            (Some(h), Some(m), Some(s)) if !time.is_empty() => DateTime::new(date, h, m, s)
                .map_or(Corrected::None, |t| Corrected::Exact(t.yyyymmddhhmmss())),
            _ => Corrected::None,
        };
        return Some(Found { what, corrected });
    }
    number(v, 14, Checked::Nothing).filter(|f| !matches!(f.what, What::LostZeros(_)))
}

/// `2021/9/17`, `2021-09-17`, `2021.9.17`.
fn slash_date(v: &str) -> Option<Date> {
    let sep = v.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let mut parts = v.split(sep);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || !(1..=2).contains(&m.len())
        || !(1..=2).contains(&d.len())
    {
        return None;
    }
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

/// Excel's serial day number (days since 1899-12-30) of 5 digits: a date from 1927 to 2100.
fn serial_date(v: &str) -> Option<Date> {
    if v.len() != 5 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let serial: i32 = v.parse().ok()?;
    if serial > 73_415 {
        return None;
    }
    // 1970-01-01 is serial 25569.
    Date::from_days_since_epoch(serial - 25_569).ok()
}

impl Found {
    fn describe(&self, wide: bool) -> Damage {
        let (mut en, mut ja) = match self.what {
            What::LostZeros(n) => (
                format!(
                    "{n} leading zero{} lost: a spreadsheet read the code as a number",
                    if n == 1 { " was" } else { "s were" }
                ),
                format!("先頭の0が{n}桁消えています（表計算ソフトが数値として読み込んだため）"),
            ),
            What::Decimal => (
                "a spreadsheet wrote the number with a decimal part (\".0\")".to_owned(),
                "表計算ソフトが数値に小数部（.0）を付けて書き出しています".to_owned(),
            ),
            What::Scientific => (
                "a spreadsheet wrote the number in scientific notation (like 1.31016E+05)"
                    .to_owned(),
                "表計算ソフトが数値を指数表記（1.31016E+05 のような形）で書き出しています"
                    .to_owned(),
            ),
            What::SlashDate => (
                "the date is written with separators, as a spreadsheet formats dates".to_owned(),
                "日付が区切り記号付き（表計算ソフトの日付の形式）で書かれています".to_owned(),
            ),
            What::EraDate => (
                "the date is written in the Japanese era (wareki)".to_owned(),
                "日付が和暦で書かれています".to_owned(),
            ),
            What::SerialDate => (
                "the date looks like a spreadsheet's serial day number".to_owned(),
                "日付が表計算ソフトのシリアル値（日数）になっているようです".to_owned(),
            ),
        };
        if wide {
            en.push_str(", with full-width digits");
            ja.push_str("。また全角数字が含まれています");
        }
        let (fix_en, fix_ja) = match self.what {
            What::SlashDate | What::EraDate | What::SerialDate => (
                "write the Gregorian date as 8 digits YYYYMMDD (14 with the time), and format the column as text".to_owned(),
                "西暦の YYYYMMDD の8桁（日時は14桁）で記入し、列を文字列形式にしてください".to_owned(),
            ),
            _ => (
                "format the column as text (文字列) before saving, or export the file again from the source system without opening it in a spreadsheet".to_owned(),
                "保存前に列を文字列形式にするか、表計算ソフトで開かずに元のシステムから出力し直してください".to_owned(),
            ),
        };
        let (value_en, value_ja) = match &self.corrected {
            Corrected::None => (String::new(), String::new()),
            Corrected::Exact(v) => (
                format!("; it should read {v}"),
                format!("。正しくは {v} です"),
            ),
            Corrected::Confirmed(v) => (
                format!("; {v} has a valid check digit"),
                format!("。{v} なら検査数字も一致します"),
            ),
            Corrected::ConfirmedSecret => (
                "; with the zeros restored the check digit matches".to_owned(),
                "。0を補うと検査数字が一致します".to_owned(),
            ),
            Corrected::Likely(v) => (format!("; probably {v}"), format!("。おそらく {v} です")),
            Corrected::Lost => (
                "; digits after the ones shown were lost and cannot be recovered".to_owned(),
                "。表示桁より後の数字は失われており、復元できません".to_owned(),
            ),
        };
        Damage {
            en: format!("{en}{value_en}: {fix_en}"),
            ja: format!("{ja}{value_ja}。{fix_ja}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en(ty: FieldType, v: &str) -> String {
        explain(&ty, v).map(|d| d.en).unwrap_or_default()
    }

    #[test]
    fn codes_that_became_numbers() {
        let m = en(FieldType::MunicipalityCode, "11002");
        assert!(
            m.contains("1 leading zero was lost") && m.contains("011002 has a valid check digit"),
            "{m}"
        );
        let m = en(FieldType::MunicipalityCode, "1.31016E+05");
        assert!(
            m.contains("scientific notation") && m.contains("131016"),
            "{m}"
        );
        let m = en(FieldType::MunicipalityCode, "1.1002E+04");
        assert!(m.contains("011002 has a valid check digit"), "{m}");
        let m = en(FieldType::MunicipalityCode, "131016.0");
        assert!(m.contains("decimal part") && m.contains("131016"), "{m}");
        let v = en(FieldType::VoucherNumber, "12345");
        assert!(
            v.contains("5 leading zeros were lost") && v.contains("probably 0000012345"),
            "{v}"
        );
        let v = en(FieldType::VoucherNumber, "1.23457E+09");
        assert!(v.contains("cannot be recovered"), "{v}");
        // A My Number that lost its zero: the check digit says so, the value is never shown.
        let full = MyNumber::from_eleven_digits("02345678901").unwrap();
        let lost = &full.expose_secret()[1..];
        let n = en(FieldType::MyNumber, lost);
        assert!(n.contains("check digit matches"), "{n}");
        assert!(!n.contains(lost), "{n}");
        let n = en(FieldType::MyNumber, "1.23457E+11");
        assert!(n.contains("cannot be recovered"), "{n}");
        assert_eq!(explain(&FieldType::MunicipalityCode, "13101x"), None);
        let a = en(FieldType::AddresseeNumber, "1.23457E+14");
        assert!(a.contains("scientific notation"), "{a}");
    }

    #[test]
    fn dates_a_spreadsheet_formatted() {
        let d = en(FieldType::Date, "2021/9/17");
        assert!(d.contains("separators") && d.contains("20210917"), "{d}");
        let d = en(FieldType::Date, "令和3年9月17日");
        assert!(d.contains("Japanese era") && d.contains("20210917"), "{d}");
        let d = en(FieldType::Date, "R3.9.17");
        assert!(d.contains("20210917"), "{d}");
        let d = en(FieldType::Date, "44456");
        assert!(d.contains("serial") && d.contains("20210917"), "{d}");
        let d = en(FieldType::DateTime, "2021/6/1 10:15");
        assert!(d.contains("20210601101500"), "{d}");
        let d = en(FieldType::DateTime, "2.02106E+13");
        assert!(d.contains("cannot be recovered"), "{d}");
        let d = en(FieldType::Date, "２０２１/９/１７");
        assert!(d.contains("full-width") && d.contains("20210917"), "{d}");
        assert_eq!(explain(&FieldType::Date, "20210931"), None);
    }
}
