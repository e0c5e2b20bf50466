//! The records the registry stores (each sealed under the tenant key), and their encoding.
//!
//! Encoding: one format byte, then postcard (compact, not self-describing). A new format adds a
//! new format byte and a decoder for it; old records keep opening.

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::date::{Date, DateTime};

use super::error::RegistryError;

/// Format byte of every record this version writes.
const FORMAT: u8 = 1;

/// Encodes a record for sealing. The buffer is wiped when dropped.
pub(crate) fn encode<T: Serialize>(record: &T) -> Result<Zeroizing<Vec<u8>>, RegistryError> {
    let mut out = Zeroizing::new(vec![FORMAT]);
    postcard::to_io(record, &mut *out)
        .map_err(|e| RegistryError::Corrupt(format!("cannot encode a record: {e}")))?;
    Ok(out)
}

/// Decodes an opened record.
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, RegistryError> {
    match bytes.split_first() {
        Some((&FORMAT, body)) => postcard::from_bytes(body)
            .map_err(|e| RegistryError::Corrupt(format!("undecodable record: {e}"))),
        Some((v, _)) => Err(RegistryError::Corrupt(format!(
            "record format {v} is newer than this library"
        ))),
        None => Err(RegistryError::Corrupt("empty record".into())),
    }
}

/// A date as days since 1970-01-01.
pub(crate) fn days(d: Date) -> i32 {
    d.days_since_epoch()
}

/// The date `n` days after 1970-01-01.
pub(crate) fn date(n: i32) -> Result<Date, RegistryError> {
    Date::from_days_since_epoch(n).map_err(|_| RegistryError::Corrupt("date out of range".into()))
}

/// A timestamp as YYYYMMDDHHMMSS in a u64.
pub(crate) fn stamp(t: DateTime) -> u64 {
    let d = t.date;
    let ymd = u64::from(d.year()) * 10_000 + u64::from(d.month()) * 100 + u64::from(d.day());
    ymd * 1_000_000 + u64::from(t.hour) * 10_000 + u64::from(t.minute) * 100 + u64::from(t.second)
}

/// The timestamp of [`stamp`].
pub(crate) fn unstamp(v: u64) -> Result<DateTime, RegistryError> {
    // Taken apart arithmetically: exports call this for every dose, so no text round trip.
    let part = |div: u64, modulo: u64| (v / div % modulo) as u8;
    let year = u16::try_from(v / 10_000_000_000).unwrap_or(u16::MAX);
    Date::new(year, part(100_000_000, 100), part(1_000_000, 100))
        .and_then(|d| DateTime::new(d, part(10_000, 100), part(100, 100), part(1, 100)))
        .map_err(|_| RegistryError::Corrupt("timestamp out of range".into()))
}

/// 12 My Number digits inside a record: wiped on drop.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[zeroize(drop)]
pub(crate) struct SecretDigits(pub String);

/// A resident (接種対象者).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SubjectRec {
    pub addressee: String,
    pub my_number: Option<SecretDigits>,
    pub name: String,
    pub name_kana: String,
    pub birth: i32,
    /// 1 male, 2 female (the registration layout's codes).
    pub sex: u8,
    pub flags: Vec<FlagRec>,
    /// Voucher numbers issued to this subject, oldest first.
    pub vouchers: Vec<String>,
}

/// A move-out or death flag.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FlagRec {
    /// 1 move-out, 2 death.
    pub kind: u8,
    pub date: i32,
    pub destination: Option<String>,
    pub set_at: u64,
}

/// A voucher and the doses registered on it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct VoucherRec {
    pub number: String,
    /// The subject's addressee number; `None` while doses wait for registration.
    pub subject: Option<String>,
    pub issued_on: Option<i32>,
    /// Set when the voucher was replaced by a reissue.
    pub replaced_by: Option<String>,
    pub doses: Vec<DoseRec>,
}

/// One dose.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DoseRec {
    pub dose: u8,
    pub vaccinated_on: i32,
    pub registered_at: u64,
    pub venue: String,
    pub doctor: String,
    pub manufacturer: String,
    pub lot: String,
    /// 1 venue tablet (OCR), 2 staff entry, 3 bulk upload.
    pub source: u8,
}

impl DoseRec {
    /// Same dose, ignoring when and how it was registered (re-registration is a no-op).
    pub fn same_dose(&self, other: &DoseRec) -> bool {
        (
            self.dose,
            self.vaccinated_on,
            &self.venue,
            &self.doctor,
            &self.manufacturer,
            &self.lot,
        ) == (
            other.dose,
            other.vaccinated_on,
            &other.venue,
            &other.doctor,
            &other.manufacturer,
            &other.lot,
        )
    }
}

/// The sealed history of one voucher's doses: every correction and void, oldest first, with
/// the dose as it was before. Its own record kind (keyed by voucher number) so that vouchers
/// written before corrections existed keep decoding.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DoseHistoryRec {
    pub voucher: String,
    pub changes: Vec<DoseChangeRec>,
}

/// One change to a stored dose.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DoseChangeRec {
    pub dose: u8,
    /// 1 corrected, 2 voided.
    pub action: u8,
    /// When (a [`stamp`]).
    pub at: u64,
    /// The staff user's pseudonym, as in audit entries.
    pub by: String,
    pub reason: String,
    /// The dose before the change.
    pub before: DoseRec,
}

/// My Number → addressee number.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MyNumberRec {
    pub addressee: String,
}

/// A voucher with doses and no subject (awaiting-registration list).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AwaitingRec {
    pub voucher: String,
}

/// A registered staff user ID.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StaffRec {
    pub user_id: String,
    pub registered_at: u64,
}

/// A completely imported file.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ImportRec {
    pub rows: u64,
    pub imported: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub at: u64,
}

/// Tenant settings; opening it proves the key is right.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TenantMetaRec {
    pub code: String,
    pub created_at: u64,
    pub staff_quota: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_unknown_format_is_refused() {
        let s = SubjectRec {
            addressee: "1001".into(),
            my_number: Some(SecretDigits("123456789018".into())),
            name: "髙橋 﨑子".into(),
            name_kana: "タカハシ サキコ".into(),
            birth: -100,
            sex: 2,
            flags: vec![],
            vouchers: vec!["0000012345".into()],
        };
        let bytes = encode(&s).unwrap();
        assert!(decode::<SubjectRec>(&bytes).unwrap() == s);
        let mut newer = bytes.to_vec();
        newer[0] = 9;
        assert!(matches!(
            decode::<SubjectRec>(&newer),
            Err(RegistryError::Corrupt(_))
        ));
        assert!(decode::<SubjectRec>(&[]).is_err());
        assert!(decode::<SubjectRec>(&bytes[..5]).is_err());
        let t = DateTime::parse_yyyymmddhhmmss("20210423101500").unwrap();
        assert_eq!(unstamp(stamp(t)).unwrap(), t);
    }
}
