//! Property tests: write-then-read round trips of raw rows and of every layout's typed records.

use proptest::prelude::*;

use super::csv::RecordParser;
use super::*;
use crate::date::{Date, DateTime};
use crate::id::{AddresseeNumber, MunicipalityCode, MyNumber, OcrLine, VoucherKey, VoucherNumber};
use crate::layout::{self, Layout, LayoutParams};
use crate::text::{self, Encoding};
use crate::vaccine::DoseNumber;

fn parse_all(bytes: &[u8], encoding: Encoding) -> Vec<Vec<String>> {
    let mut p = RecordParser::new(1 << 20, 4096);
    let mut out = Vec::new();
    let mut sink = |r: &super::csv::Record<'_>| {
        out.push(
            (0..r.len())
                .map(|i| {
                    text::decode_strict(r.field(i), encoding)
                        .unwrap()
                        .into_owned()
                })
                .collect(),
        )
    };
    p.feed(bytes, &mut sink);
    p.finish(&mut sink);
    out
}

fn field() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,\"\r\nあ-んア-ン山田髙﨑〜・ー]{0,12}"
}

fn municipality() -> impl Strategy<Value = MunicipalityCode> {
    let codes: Vec<&'static str> = crate::munis::tenants().map(|t| t.code).collect();
    proptest::sample::select(codes).prop_map(|c| MunicipalityCode::parse(c).unwrap())
}

fn voucher() -> impl Strategy<Value = VoucherNumber> {
    "[0-9]{10}".prop_map(|s| VoucherNumber::parse(&s).unwrap())
}

fn date() -> impl Strategy<Value = Date> {
    let lo = Date::new(2021, 2, 17).unwrap().days_since_epoch();
    let hi = Date::new(2024, 3, 31).unwrap().days_since_epoch();
    (lo..=hi).prop_map(|d| Date::from_days_since_epoch(d).unwrap())
}

fn datetime() -> impl Strategy<Value = DateTime> {
    (date(), 0u8..24, 0u8..60, 0u8..60).prop_map(|(d, h, m, s)| DateTime::new(d, h, m, s).unwrap())
}

fn addressee() -> impl Strategy<Value = AddresseeNumber> {
    "[1-9][0-9]{0,9}|[A-Z][0-9A-Z-]{0,8}[0-9]".prop_map(|s| AddresseeNumber::parse(&s).unwrap())
}

fn my_number() -> impl Strategy<Value = MyNumber> {
    "[0-9]{11}".prop_map(|s| MyNumber::from_eleven_digits(&s).unwrap())
}

fn dose_entry() -> impl Strategy<Value = DoseEntry> {
    (
        datetime(),
        date(),
        municipality(),
        voucher(),
        field(),
        field(),
        "ファイザー|武田/モデルナ|Pfizer",
        "[A-Z]{2}[0-9]{4}|",
    )
        .prop_map(
            |(registered_at, vaccinated_on, m, v, venue, doctor, manufacturer, lot)| DoseEntry {
                registered_at,
                vaccinated_on,
                voucher: VoucherKey::new(m, v),
                venue,
                doctor,
                manufacturer,
                lot,
            },
        )
}

/// Dose lists as the reader returns them: no trailing empty blocks.
fn doses(max: usize) -> impl Strategy<Value = Vec<Option<DoseEntry>>> {
    proptest::collection::vec(proptest::option::weighted(0.7, dose_entry()), 0..=max).prop_map(
        |mut v| {
            while v.last().is_some_and(Option::is_none) {
                v.pop();
            }
            v
        },
    )
}

fn find(id: &str, blocks: u8) -> Layout {
    layout::find(
        id,
        &LayoutParams {
            dose_blocks: blocks,
        },
    )
    .unwrap()
}

fn round_trip<R: LayoutRecord + PartialEq + std::fmt::Debug>(
    layout: &Layout,
    records: &[R],
    encoding: Encoding,
) {
    let mut w = CsvWriter::new(
        Vec::new(),
        layout.clone(),
        WriteOptions {
            encoding,
            ..WriteOptions::default()
        },
    )
    .unwrap();
    for r in records {
        w.write_record(r).unwrap();
    }
    let bytes = w.finish().unwrap();
    let mut reader = RecordReader::new(&bytes[..], layout.clone(), encoding, true);
    let mut back = Vec::new();
    while let Some(item) = reader.next_record::<R>() {
        back.push(item.unwrap().1);
    }
    assert_eq!(&back, records);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn raw_rows_round_trip_in_utf8(rows in proptest::collection::vec(proptest::collection::vec(field(), 2), 0..20)) {
        let l = find("batch-inquiry-request", 1);
        let mut w = CsvWriter::new(Vec::new(), l, WriteOptions { header: false, ..WriteOptions::default() }).unwrap();
        for r in &rows {
            w.write_fields(r).unwrap();
        }
        let bytes = w.finish().unwrap();
        prop_assert!(bytes.is_empty() || bytes.ends_with(b"\r\n"));
        prop_assert_eq!(parse_all(&bytes, Encoding::Utf8), rows);
    }

    #[test]
    fn raw_rows_round_trip_in_cp932(rows in proptest::collection::vec(proptest::collection::vec(field(), 2), 0..20)) {
        let l = find("batch-inquiry-request", 1);
        let mut w = CsvWriter::new(Vec::new(), l, WriteOptions { header: false, encoding: Encoding::Cp932, ..WriteOptions::default() }).unwrap();
        let mut written = Vec::new();
        for r in &rows {
            match w.write_fields(r) {
                Ok(()) => written.push(r.clone()),
                // Only characters outside CP932 may fail, and they are named, never substituted.
                Err(WriteError::Unencodable { source: text::TextError::Unencodable { ch, .. }, .. }) => prop_assert!(!text::is_cp932_encodable(ch)),
                Err(e) => prop_assert!(false, "{e}"),
            }
        }
        let bytes = w.finish().unwrap();
        prop_assert_eq!(parse_all(&bytes, Encoding::Cp932), written);
    }

    #[test]
    fn ledger_rows_round_trip(rows in proptest::collection::vec((addressee(), doses(3)), 0..8)) {
        let l = find("ledger-export", 3);
        let rows: Vec<LedgerRow> = rows.into_iter().map(|(addressee, doses)| LedgerRow { addressee, doses }).collect();
        round_trip(&l, &rows, Encoding::Utf8);
    }

    #[test]
    fn awaiting_and_result_rows_round_trip(a in proptest::collection::vec(doses(2), 0..6), r in proptest::collection::vec((addressee(), any::<bool>(), doses(2)), 0..6)) {
        round_trip(&find("awaiting-registration", 2), &a.into_iter().map(|doses| AwaitingRow { doses }).collect::<Vec<_>>(), Encoding::Utf8);
        let rows: Vec<BatchInquiryResultRow> = r.into_iter().map(|(addressee, m, doses)| BatchInquiryResultRow {
            addressee,
            status: if m { MatchStatus::Match } else { MatchStatus::NoMatch },
            provider: doses.iter().flatten().next().map(|d| d.voucher.municipality),
            doses: doses.iter().map(|d| d.as_ref().map(InquiryDoseEntry::from)).collect(),
        }).collect();
        round_trip(&find("batch-inquiry-result", 2), &rows, Encoding::Utf8);
    }

    #[test]
    fn subject_rows_round_trip(rows in proptest::collection::vec((municipality(), addressee(), proptest::option::of(my_number()), voucher(), "[山田髙﨑一郎花子]{1,6}", "[ヤマダタカハシイチロウ]{1,10}", date(), any::<bool>(), proptest::option::of(date())), 0..8)) {
        let rows: Vec<SubjectRegistrationRow> = rows.into_iter().map(|(municipality, addressee, my_number, voucher, name, name_kana, birth_date, male, issue_date)| SubjectRegistrationRow {
            municipality, addressee, my_number, voucher, name, name_kana, birth_date, sex: if male { Sex::Male } else { Sex::Female }, issue_date,
        }).collect();
        round_trip(&find("subject-registration", 1), &rows, Encoding::Utf8);
        round_trip(&find("subject-registration", 1), &rows, Encoding::Cp932);
    }

    #[test]
    fn flag_dose_and_request_rows_round_trip(
        flags in proptest::collection::vec((municipality(), proptest::option::of(addressee()), proptest::option::of(voucher()), any::<bool>(), date(), proptest::option::of(municipality())), 0..6),
        doses in proptest::collection::vec((municipality(), voucher(), 1u8..=9, date(), field(), field(), proptest::option::of(addressee()), proptest::option::of(date()), any::<bool>()), 0..6),
        requests in proptest::collection::vec((my_number(), addressee(), proptest::option::of(municipality())), 0..6),
    ) {
        let flags: Vec<FlagRow> = flags.into_iter().map(|(municipality, addressee, voucher, death, date, destination)| FlagRow {
            municipality, addressee, voucher, kind: if death { FlagKind::Death } else { FlagKind::MoveOut }, date, destination,
        }).collect();
        round_trip(&find("flags", 1), &flags, Encoding::Utf8);
        let doses: Vec<DoseUploadRow> = doses.into_iter().map(|(m, v, n, vaccinated_on, venue, doctor, addressee, birth_date, with_ocr)| {
            let key = VoucherKey::new(m, v);
            DoseUploadRow {
                voucher: key, dose: DoseNumber::new(n).unwrap(), vaccinated_on, venue, doctor,
                manufacturer: "ファイザー".into(), lot: "FA5765".into(),
                ocr: with_ocr.then(|| OcrLine::new(1, n, key).unwrap()), addressee, birth_date,
            }
        }).collect();
        round_trip(&find("dose-upload", 1), &doses, Encoding::Utf8);
        let requests: Vec<BatchInquiryRequestRow> = requests.into_iter().map(|(my_number, addressee, former)| BatchInquiryRequestRow { my_number, addressee, former }).collect();
        round_trip(&layout::find("batch-inquiry-request@2", &LayoutParams::default()).unwrap(), &requests, Encoding::Cp932);
        let without: Vec<BatchInquiryRequestRow> = requests.into_iter().map(|r| BatchInquiryRequestRow { former: None, ..r }).collect();
        round_trip(&find("batch-inquiry-request", 1), &without, Encoding::Cp932);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn provision_log_rows_round_trip(rows in proptest::collection::vec(((any::<u32>(), any::<bool>(), municipality(), proptest::option::of(municipality()), proptest::collection::vec(municipality(), 0..3), datetime()), (any::<bool>(), proptest::option::of("[A-Z0-9-]{1,30}"), any::<bool>(), proptest::option::of(addressee()), any::<bool>(), 0u32..100, proptest::option::of("[0-9a-f]{32}"), "[0-9a-f]{32}", proptest::option::of("[0-9a-f]{32}"))), 0..8)) {
        let rows: Vec<ProvisionLogRow> = rows.into_iter().map(|((seq, provision, requester, provider, providers, at), (consent, form_ref, verified, reference, provided, doses, batch, subject, user))| ProvisionLogRow {
            seq: u64::from(seq),
            log: if provision { LogKind::Provision } else { LogKind::Inquiry },
            requester, provider, providers,
            requested_at: at, provided_at: at,
            legal_basis: if consent { BasisKind::Consent } else { BasisKind::ConsentDifficult },
            form_ref, identity_verified: verified,
            reference: reference.map(|a| a.as_str().to_owned()),
            items: if provided { INQUIRY_ITEMS.iter().map(|(id, _)| (*id).to_owned()).collect() } else { Vec::new() },
            provided, doses, batch, subject, user,
        }).collect();
        round_trip(&find("provision-log", 1), &rows, Encoding::Utf8);
        round_trip(&find("provision-log", 1), &rows, Encoding::Cp932);
    }
}
