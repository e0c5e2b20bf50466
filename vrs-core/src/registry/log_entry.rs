//! What a provision- or inquiry-log entry is made of before it is chained, and its canonical
//! JSON, written by hand.
//!
//! Why by hand: a batch inquiry writes 200,000 entries, and serde's derived serializer spent
//! about two microseconds on each, re-encoding the dozen fields every entry of the operation
//! shares. [`EntryJson`] encodes those once and splices them in; the bytes are exactly those of
//! serde's serialization of [`LogEntry`](super::provision_log::LogEntry)'s fields in order (the
//! tests compare the two), so stored logs and their hashes do not change.

use serde::Serialize;

use crate::codec::{BasisKind, LogKind, INQUIRY_ITEMS};
use crate::crypto::RecordKey;
use crate::id::MunicipalityCode;

use super::error::RegistryError;

/// What every log entry of one operation shares.
pub(crate) struct Shared {
    pub requester: MunicipalityCode,
    /// When asked and answered (ISO; one reading of the clock per operation).
    pub at: String,
    pub basis: BasisKind,
    pub form_ref: Option<String>,
    pub identity_verified: bool,
    pub batch: Option<String>,
    pub user: Option<String>,
}

/// One log entry waiting to be chained: what differs between entries.
pub(crate) struct Pending {
    pub log: LogKind,
    pub provider: Option<MunicipalityCode>,
    pub providers: Vec<MunicipalityCode>,
    pub reference: Option<String>,
    pub doses: u32,
    pub subject: RecordKey,
}

/// The JSON of the entries of one operation: the shared fields encoded once.
pub(crate) struct EntryJson {
    /// `,"requester":"…"`.
    requester: Vec<u8>,
    /// From `,"requested_at"` through `"identity_verified":…`.
    when_and_why: Vec<u8>,
    /// `,"items":[…]` when something was provided.
    items_provided: Vec<u8>,
    /// `,"batch":…`.
    batch: Vec<u8>,
    /// `,"user":…`.
    user: Vec<u8>,
}

/// `,"name":value` appended to `out`.
fn field<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    name: &str,
    value: &T,
) -> Result<(), RegistryError> {
    out.extend_from_slice(b",\"");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
    json_value(out, value)
}

/// `value`'s JSON appended to `out`.
fn json_value<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), RegistryError> {
    serde_json::to_writer(&mut *out, value)
        .map_err(|e| RegistryError::Corrupt(format!("cannot encode a log entry: {e}")))
}

impl EntryJson {
    /// Encodes what the entries of `shared` have in common.
    ///
    /// # Errors
    /// A value serde cannot encode (never for these types).
    pub fn new(shared: &Shared) -> Result<EntryJson, RegistryError> {
        let mut requester = Vec::new();
        field(&mut requester, "requester", &shared.requester)?;
        let mut when_and_why = Vec::new();
        field(&mut when_and_why, "requested_at", &shared.at)?;
        field(&mut when_and_why, "provided_at", &shared.at)?;
        field(&mut when_and_why, "legal_basis", &shared.basis)?;
        field(&mut when_and_why, "form_ref", &shared.form_ref)?;
        field(
            &mut when_and_why,
            "identity_verified",
            &shared.identity_verified,
        )?;
        let ids: Vec<&str> = INQUIRY_ITEMS.iter().map(|(id, _)| *id).collect();
        let mut items_provided = Vec::new();
        field(&mut items_provided, "items", &ids)?;
        let mut batch = Vec::new();
        field(&mut batch, "batch", &shared.batch)?;
        let mut user = Vec::new();
        field(&mut user, "user", &shared.user)?;
        Ok(EntryJson {
            requester,
            when_and_why,
            items_provided,
            batch,
            user,
        })
    }

    /// The canonical JSON of entry `seq` of `entry`, chained after the entry whose hash is
    /// `prev` (64 hex digits).
    ///
    /// # Errors
    /// A value serde cannot encode (never for these types).
    pub fn entry(&self, seq: u64, entry: &Pending, prev: &str) -> Result<Vec<u8>, RegistryError> {
        let mut out = Vec::with_capacity(640);
        out.extend_from_slice(b"{\"seq\":");
        json_value(&mut out, &seq)?;
        field(&mut out, "log", &entry.log)?;
        out.extend_from_slice(&self.requester);
        field(&mut out, "provider", &entry.provider)?;
        field(&mut out, "providers", &entry.providers)?;
        out.extend_from_slice(&self.when_and_why);
        field(&mut out, "reference", &entry.reference)?;
        if entry.doses > 0 {
            out.extend_from_slice(&self.items_provided);
            out.extend_from_slice(b",\"provided\":true");
        } else {
            out.extend_from_slice(b",\"items\":[],\"provided\":false");
        }
        field(&mut out, "doses", &entry.doses)?;
        out.extend_from_slice(&self.batch);
        let mut subject = [0u8; 32];
        hex::encode_to_slice(entry.subject.as_bytes(), &mut subject)
            .map_err(|_| RegistryError::Corrupt("a pseudonym is not 16 bytes".into()))?;
        out.extend_from_slice(b",\"subject\":\"");
        out.extend_from_slice(&subject);
        out.push(b'"');
        out.extend_from_slice(&self.user);
        out.extend_from_slice(b",\"prev\":\"");
        out.extend_from_slice(prev.as_bytes());
        out.extend_from_slice(b"\"}");
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::provision_log::LogEntry;

    fn code(c: &str) -> MunicipalityCode {
        MunicipalityCode::parse(c).unwrap()
    }

    /// The entry as serde writes `LogEntry`'s fields.
    fn by_serde(shared: &Shared, seq: u64, e: &Pending, prev: &str) -> Vec<u8> {
        let provided = e.doses > 0;
        let entry = LogEntry {
            seq,
            log: e.log,
            requester: shared.requester,
            provider: e.provider,
            providers: e.providers.clone(),
            requested_at: shared.at.clone(),
            provided_at: shared.at.clone(),
            legal_basis: shared.basis,
            form_ref: shared.form_ref.clone(),
            identity_verified: shared.identity_verified,
            reference: e.reference.clone(),
            items: INQUIRY_ITEMS
                .iter()
                .filter(|_| provided)
                .map(|(id, _)| (*id).to_owned())
                .collect(),
            provided,
            doses: e.doses,
            batch: shared.batch.clone(),
            subject: e.subject.to_hex(),
            user: shared.user.clone(),
            prev: prev.to_owned(),
        };
        serde_json::to_vec(&entry).unwrap()
    }

    #[test]
    fn the_bytes_are_serdes_for_every_shape_of_entry() {
        let prev = "ab".repeat(32);
        let shareds = [
            Shared {
                requester: code("131016"),
                at: "2022-03-01T09:00:00+09:00".into(),
                basis: BasisKind::ConsentDifficult,
                form_ref: None,
                identity_verified: false,
                batch: Some("0f".repeat(16)),
                user: Some("1e".repeat(16)),
            },
            Shared {
                requester: code("011002"),
                at: "2021-12-15T00:00:00+09:00".into(),
                basis: BasisKind::Consent,
                form_ref: Some("同意書 \"No.\" 1\\2".into()),
                identity_verified: true,
                batch: None,
                user: None,
            },
        ];
        let entries = [
            Pending {
                log: LogKind::Provision,
                provider: Some(code("011002")),
                providers: vec![code("011002")],
                reference: None,
                doses: 3,
                subject: RecordKey([7; 16]),
            },
            Pending {
                log: LogKind::Inquiry,
                provider: None,
                providers: vec![code("011002"), code("131016")],
                reference: Some("A-1001".into()),
                doses: 0,
                subject: RecordKey([0; 16]),
            },
            Pending {
                log: LogKind::Inquiry,
                provider: Some(code("131016")),
                providers: Vec::new(),
                reference: Some("宛名\u{1}".into()),
                doses: u32::MAX,
                subject: RecordKey([255; 16]),
            },
        ];
        for shared in &shareds {
            let fast = EntryJson::new(shared).unwrap();
            for (i, e) in entries.iter().enumerate() {
                let seq = [1, 99, u64::MAX][i];
                assert_eq!(
                    String::from_utf8(fast.entry(seq, e, &prev).unwrap()).unwrap(),
                    String::from_utf8(by_serde(shared, seq, e, &prev)).unwrap()
                );
            }
        }
    }
}
