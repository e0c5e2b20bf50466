//! `vrs-conformance id KIND [VALUE...]`: check identifiers and dates one per line.

use vrs_core::date::{parse_wareki, Date};
use vrs_core::id::{MunicipalityCode, MyNumber, OcrLine, VoucherNumber};

/// The kinds `id` checks (their help texts: `help::TEXTS`, keys `id kind=...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum IdKindArg {
    MunicipalityCode,
    MyNumber,
    VoucherNumber,
    OcrLine,
    Date,
    Wareki,
}

/// Checks one value; returns the output line (starting with `ok` or `invalid`) and whether it is ok.
/// The line never contains the input.
pub fn check(kind: IdKindArg, value: &str) -> (String, bool) {
    let result: Result<String, String> = match kind {
        IdKindArg::MunicipalityCode => MunicipalityCode::parse(value)
            .map(|code| match vrs_core::munis::lookup(code.as_str()) {
                Some(entry) => format!("ok {}", entry.full_name_ja()),
                None => "ok (not in the code table)".to_owned(),
            })
            .map_err(|e| e.to_string()),
        IdKindArg::MyNumber => MyNumber::parse(value)
            .map(|_| "ok".to_owned())
            .map_err(|e| e.to_string()),
        IdKindArg::VoucherNumber => VoucherNumber::parse(value)
            .map(|_| "ok".to_owned())
            .map_err(|e| e.to_string()),
        IdKindArg::OcrLine => OcrLine::parse(value)
            .map(|o| {
                format!(
                    "ok voucher-type={} dose={} municipality={} voucher={}",
                    o.voucher_type, o.dose, o.key.municipality, o.key.number
                )
            })
            .map_err(|e| e.to_string()),
        IdKindArg::Date => Date::parse_yyyymmdd(value)
            .map(|d| format!("ok {d}"))
            .map_err(|e| e.to_string()),
        IdKindArg::Wareki => parse_wareki(value)
            .map(|d| format!("ok {d}"))
            .map_err(|e| e.to_string()),
    };
    match result {
        Ok(line) => (line, true),
        Err(reason) => (format!("invalid: {reason}"), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_examples() {
        for code in [
            "131016", "271276", "062014", "132098", "011011", "011070", "341002", "130001",
        ] {
            assert!(check(IdKindArg::MunicipalityCode, code).1, "{code}");
        }
        assert_eq!(
            check(IdKindArg::MunicipalityCode, "131016").0,
            "ok 東京都千代田区"
        );
        for n in [
            "123456789018",
            "110000000000",
            "271828182840",
            "500000000011",
            "987654321093",
        ] {
            assert_eq!(check(IdKindArg::MyNumber, n), ("ok".to_owned(), true));
        }
        let (line, ok) = check(IdKindArg::MyNumber, "123456789013");
        assert!(!ok);
        assert_eq!(line, "invalid: My Number: check digit should be 8, found 3");
        assert!(check(IdKindArg::OcrLine, "111310160000012345").1);
        assert_eq!(
            check(IdKindArg::Wareki, "令和元年5月1日").0,
            "ok 2019-05-01"
        );
        assert_eq!(check(IdKindArg::Date, "20210423").0, "ok 2021-04-23");
    }

    #[test]
    fn strict_forms_only() {
        assert!(!check(IdKindArg::MyNumber, "1234 5678 9018").1);
        assert!(!check(IdKindArg::MyNumber, "１２３４５６７８９０１８").1);
        assert!(!check(IdKindArg::Date, "2021-04-23").1);
        assert!(!check(IdKindArg::OcrLine, "1-1-131016-0000012345").1);
        assert!(!check(IdKindArg::Wareki, "平成31年5月1日").1);
    }

    #[test]
    fn never_echoes_a_my_number() {
        for v in [
            "123456789013",
            "12345678901",
            "1234567890123",
            "１２３４５６７８９０１８",
        ] {
            let (line, _) = check(IdKindArg::MyNumber, v);
            assert!(!line.contains("1234567890"), "{line}");
        }
    }
}
