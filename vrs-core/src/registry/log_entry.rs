//! A provision- or inquiry-log entry ([`LogEntry`]) and its stored form.
//!
//! Why a binary form: a batch inquiry of 100,000 rows writes about 200,000 entries in one
//! transaction, and the bytes written were most of its cost (B-tree splits, pages spilled and
//! written to the WAL, checkpoints). As JSON an entry took about 560 bytes, more than half of
//! them field names, hex digits and the same list of items; binary it takes about 180. Entries
//! written as JSON before stay JSON and are read, verified and exported as before
//! ([`LogEntry::from_stored`] reads both).
//!
//! The binary form, after the chain's header ([`audit::binary_header`]: tag, `seq`, `prev`),
//! in [`LogEntry`]'s field order: `log` (1 byte: 0 provision, 1 inquiry); `requester` and
//! `provider` (the code as a 4-byte big-endian number, 0 for none); `providers` (2-byte count,
//! codes); `requested_at`, `provided_at` (text: 2-byte length, UTF-8); `legal_basis` (1 byte:
//! 0 consent, 1 consent-difficult); `form_ref` (0, or 1 and text); `identity_verified` (0/1);
//! `reference` (0, or 1 and text); `items` (1-byte count, each an index into
//! [`INQUIRY_ITEMS`]); `provided` (0/1); `doses` (4 bytes); `batch`, `subject`, `user` (0 none,
//! 1 and 16 bytes for 32 lowercase hex digits, 2 and text otherwise). Nothing may follow.
//!
//! [`EntryBytes`] writes a batch's entries: what every entry of one operation shares is encoded
//! once and spliced in; the bytes are exactly [`LogEntry::to_stored`]'s (the tests compare).

use serde::{Deserialize, Serialize};

use crate::codec::{BasisKind, LogKind, INQUIRY_ITEMS};
use crate::crypto::RecordKey;
use crate::id::MunicipalityCode;

use super::audit;
use super::error::RegistryError;

/// One entry of a provision or inquiry log, as shown to the owning municipality's staff (and
/// stored in the compact form of the module docs). No My Number, no name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Position in its log, from 1.
    pub seq: u64,
    /// Which log: `provision` (this municipality provided) or `inquiry` (it asked).
    pub log: LogKind,
    /// The requesting municipality.
    pub requester: MunicipalityCode,
    /// The municipality asked: in a provision log this municipality; in an inquiry log the
    /// former municipality named in the request, `None` when every municipality was asked.
    pub provider: Option<MunicipalityCode>,
    /// The municipalities that provided records (this one, or none, in a provision log).
    pub providers: Vec<MunicipalityCode>,
    /// When the inquiry was made (Japan time, ISO 8601).
    pub requested_at: String,
    /// When it was answered.
    pub provided_at: String,
    /// The legal basis: `consent` or `consent-difficult`.
    pub legal_basis: BasisKind,
    /// The consent form's reference (consent only).
    pub form_ref: Option<String>,
    /// Whether the requester verified the person's identity (My Number Act Art. 16).
    pub identity_verified: bool,
    /// The requester's own reference (e.g. its addressee number); inquiry log only.
    pub reference: Option<String>,
    /// IDs of the items provided (see [`crate::codec::INQUIRY_ITEMS`]); empty when nothing was.
    pub items: Vec<String>,
    /// Whether anything was provided.
    pub provided: bool,
    /// Dose records provided.
    pub doses: u32,
    /// The batch inquiry this entry belongs to.
    pub batch: Option<String>,
    /// Pseudonym of the subject (32 hex digits), this municipality's own.
    pub subject: String,
    /// Pseudonym of the requesting staff user (as in the audit log).
    pub user: Option<String>,
    /// Hash of the previous entry (hex).
    pub prev: String,
}

impl LogEntry {
    /// The entry's stored bytes (what its chain hashes), for store-level tools such as a
    /// forensic review or a repair of a damaged file.
    ///
    /// # Errors
    /// [`RegistryError::InvalidInput`] for what the stored form cannot hold: `prev` not 64 hex
    /// digits, an item not in [`INQUIRY_ITEMS`], a text over 65,535 bytes, over 65,535
    /// providers.
    pub fn to_stored(&self) -> Result<Vec<u8>, RegistryError> {
        let mut prev = [0u8; 32];
        hex::decode_to_slice(&self.prev, &mut prev)
            .map_err(|_| invalid("prev is not 64 hex digits"))?;
        let mut out = audit::binary_header(self.seq, &prev, 128);
        out.push(log_byte(self.log));
        out.extend_from_slice(&code_bytes(Some(self.requester)));
        out.extend_from_slice(&code_bytes(self.provider));
        put_codes(&mut out, &self.providers)?;
        put_text(&mut out, &self.requested_at)?;
        put_text(&mut out, &self.provided_at)?;
        out.push(basis_byte(self.legal_basis));
        put_opt_text(&mut out, self.form_ref.as_deref())?;
        out.push(u8::from(self.identity_verified));
        put_opt_text(&mut out, self.reference.as_deref())?;
        let items = self
            .items
            .iter()
            .map(|id| item_index(id).ok_or_else(|| invalid("an item is not an inquiry item")))
            .collect::<Result<Vec<u8>, _>>()?;
        put_items(&mut out, &items)?;
        out.push(u8::from(self.provided));
        out.extend_from_slice(&self.doses.to_be_bytes());
        put_pseudonym(&mut out, self.batch.as_deref())?;
        put_pseudonym(&mut out, Some(&self.subject))?;
        put_pseudonym(&mut out, self.user.as_deref())?;
        Ok(out)
    }

    /// Reads an entry's stored bytes: the binary form, or the JSON of entries written before
    /// it.
    ///
    /// # Errors
    /// [`RegistryError::Corrupt`] when the bytes are neither (damaged or tampered with).
    pub fn from_stored(bytes: &[u8]) -> Result<LogEntry, RegistryError> {
        let read = if bytes.first() == Some(&audit::BINARY_TAG) {
            decode_binary(bytes)
        } else {
            serde_json::from_slice(bytes).ok()
        };
        read.ok_or_else(|| RegistryError::Corrupt("a log entry is unreadable".into()))
    }
}

fn invalid(why: &str) -> RegistryError {
    RegistryError::InvalidInput(format!("a log entry cannot be stored: {why}"))
}

fn log_byte(kind: LogKind) -> u8 {
    match kind {
        LogKind::Provision => 0,
        LogKind::Inquiry => 1,
    }
}

fn basis_byte(basis: BasisKind) -> u8 {
    match basis {
        BasisKind::Consent => 0,
        BasisKind::ConsentDifficult => 1,
    }
}

fn item_index(id: &str) -> Option<u8> {
    let i = INQUIRY_ITEMS.iter().position(|(item, _)| *item == id)?;
    u8::try_from(i).ok()
}

/// A code as its 4-byte number, 0 for none (no municipality code is 000000).
fn code_bytes(code: Option<MunicipalityCode>) -> [u8; 4] {
    code.map_or(0, |c| c.to_u32()).to_be_bytes()
}

fn put_codes(out: &mut Vec<u8>, codes: &[MunicipalityCode]) -> Result<(), RegistryError> {
    let n = u16::try_from(codes.len()).map_err(|_| invalid("too many providers"))?;
    out.extend_from_slice(&n.to_be_bytes());
    for c in codes {
        out.extend_from_slice(&code_bytes(Some(*c)));
    }
    Ok(())
}

fn put_text(out: &mut Vec<u8>, text: &str) -> Result<(), RegistryError> {
    let n = u16::try_from(text.len()).map_err(|_| invalid("a text is too long"))?;
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

fn put_opt_text(out: &mut Vec<u8>, text: Option<&str>) -> Result<(), RegistryError> {
    match text {
        None => out.push(0),
        Some(t) => {
            out.push(1);
            put_text(out, t)?;
        }
    }
    Ok(())
}

fn put_items(out: &mut Vec<u8>, items: &[u8]) -> Result<(), RegistryError> {
    out.push(u8::try_from(items.len()).map_err(|_| invalid("too many items"))?);
    out.extend_from_slice(items);
    Ok(())
}

/// A pseudonym (32 lowercase hex digits) as its 16 bytes; any other text as text.
fn put_pseudonym(out: &mut Vec<u8>, text: Option<&str>) -> Result<(), RegistryError> {
    let Some(text) = text else {
        out.push(0);
        return Ok(());
    };
    let mut raw = [0u8; 16];
    let lower_hex = text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if text.len() == 32 && lower_hex && hex::decode_to_slice(text, &mut raw).is_ok() {
        out.push(1);
        out.extend_from_slice(&raw);
    } else {
        out.push(2);
        put_text(out, text)?;
    }
    Ok(())
}

/// Reads the binary form; `None` when anything is out of place.
fn decode_binary(bytes: &[u8]) -> Option<LogEntry> {
    let (seq, prev, fields) = audit::split_binary(bytes)?;
    let prev = hex::encode(prev);
    let mut r = Reader(fields);
    let log = match r.u8()? {
        0 => LogKind::Provision,
        1 => LogKind::Inquiry,
        _ => return None,
    };
    let requester = r.code()??;
    let provider = r.code()?;
    let count = u16::from_be_bytes(r.array()?);
    let providers = (0..count).map(|_| r.code()?).collect::<Option<Vec<_>>>()?;
    let requested_at = r.text()?;
    let provided_at = r.text()?;
    let legal_basis = match r.u8()? {
        0 => BasisKind::Consent,
        1 => BasisKind::ConsentDifficult,
        _ => return None,
    };
    let form_ref = r.opt_text()?;
    let identity_verified = r.flag()?;
    let reference = r.opt_text()?;
    let count = r.u8()?;
    let items = (0..count)
        .map(|_| {
            let (id, _) = INQUIRY_ITEMS.get(usize::from(r.u8()?))?;
            Some((*id).to_owned())
        })
        .collect::<Option<Vec<_>>>()?;
    let provided = r.flag()?;
    let doses = u32::from_be_bytes(r.array()?);
    let batch = r.pseudonym()?;
    let subject = r.pseudonym()??;
    let user = r.pseudonym()?;
    if !r.0.is_empty() {
        return None;
    }
    Some(LogEntry {
        seq,
        log,
        requester,
        provider,
        providers,
        requested_at,
        provided_at,
        legal_basis,
        form_ref,
        identity_verified,
        reference,
        items,
        provided,
        doses,
        batch,
        subject,
        user,
        prev,
    })
}

/// Reads the binary form front to back; every read is `None` past the end.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.array::<1>()?[0])
    }

    fn flag(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    /// A code, `Some(None)` for 0; `None` for a number that is no municipality code.
    fn code(&mut self) -> Option<Option<MunicipalityCode>> {
        match u32::from_be_bytes(self.array()?) {
            0 => Some(None),
            n => MunicipalityCode::from_u32(n).map(Some),
        }
    }

    fn text(&mut self) -> Option<String> {
        let n = u16::from_be_bytes(self.array()?);
        let bytes = self.take(usize::from(n))?;
        String::from_utf8(bytes.to_vec()).ok()
    }

    fn opt_text(&mut self) -> Option<Option<String>> {
        match self.u8()? {
            0 => Some(None),
            1 => self.text().map(Some),
            _ => None,
        }
    }

    fn pseudonym(&mut self) -> Option<Option<String>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(hex::encode(self.array::<16>()?))),
            2 => self.text().map(Some),
            _ => None,
        }
    }
}

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

/// The stored bytes of the entries of one operation: the shared fields encoded once.
pub(crate) struct EntryBytes {
    /// `requester`.
    requester: [u8; 4],
    /// `requested_at` through `identity_verified`.
    when_and_why: Vec<u8>,
    /// `items` when something was provided.
    items_provided: Vec<u8>,
    /// `batch`.
    batch: Vec<u8>,
    /// `user`.
    user: Vec<u8>,
}

impl EntryBytes {
    /// Encodes what the entries of `shared` have in common.
    ///
    /// # Errors
    /// [`RegistryError::InvalidInput`] for a text the stored form cannot hold.
    pub fn new(shared: &Shared) -> Result<EntryBytes, RegistryError> {
        let mut when_and_why = Vec::new();
        put_text(&mut when_and_why, &shared.at)?;
        put_text(&mut when_and_why, &shared.at)?;
        when_and_why.push(basis_byte(shared.basis));
        put_opt_text(&mut when_and_why, shared.form_ref.as_deref())?;
        when_and_why.push(u8::from(shared.identity_verified));
        let all: Vec<u8> = (0..INQUIRY_ITEMS.len())
            .filter_map(|i| u8::try_from(i).ok())
            .collect();
        let mut items_provided = Vec::new();
        put_items(&mut items_provided, &all)?;
        let mut batch = Vec::new();
        put_pseudonym(&mut batch, shared.batch.as_deref())?;
        let mut user = Vec::new();
        put_pseudonym(&mut user, shared.user.as_deref())?;
        Ok(EntryBytes {
            requester: code_bytes(Some(shared.requester)),
            when_and_why,
            items_provided,
            batch,
            user,
        })
    }

    /// The stored bytes of entry `seq` of `entry`, chained after the entry whose hash is
    /// `prev`.
    ///
    /// # Errors
    /// [`RegistryError::InvalidInput`] for a reference the stored form cannot hold.
    pub fn entry(
        &self,
        seq: u64,
        entry: &Pending,
        prev: &[u8; 32],
    ) -> Result<Vec<u8>, RegistryError> {
        let mut out = audit::binary_header(seq, prev, 160);
        out.push(log_byte(entry.log));
        out.extend_from_slice(&self.requester);
        out.extend_from_slice(&code_bytes(entry.provider));
        put_codes(&mut out, &entry.providers)?;
        out.extend_from_slice(&self.when_and_why);
        put_opt_text(&mut out, entry.reference.as_deref())?;
        if entry.doses > 0 {
            out.extend_from_slice(&self.items_provided);
            out.push(1);
        } else {
            out.extend_from_slice(&[0, 0]);
        }
        out.extend_from_slice(&entry.doses.to_be_bytes());
        out.extend_from_slice(&self.batch);
        out.push(1);
        out.extend_from_slice(entry.subject.as_bytes());
        out.extend_from_slice(&self.user);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(c: &str) -> MunicipalityCode {
        MunicipalityCode::parse(c).unwrap()
    }

    /// The entry as [`LogEntry`] holds it.
    fn as_entry(shared: &Shared, seq: u64, e: &Pending, prev: &[u8; 32]) -> LogEntry {
        let provided = e.doses > 0;
        LogEntry {
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
            prev: hex::encode(prev),
        }
    }

    fn shareds() -> [Shared; 3] {
        [
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
            Shared {
                requester: code("472158"),
                at: String::new(),
                basis: BasisKind::Consent,
                form_ref: Some(String::new()),
                identity_verified: false,
                // Not pseudonyms: kept as text.
                batch: Some("0F".repeat(16)),
                user: Some("bench".into()),
            },
        ]
    }

    fn pendings() -> [Pending; 3] {
        [
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
        ]
    }

    #[test]
    fn a_batch_writes_the_bytes_of_each_entry_and_reads_them_back() {
        for shared in &shareds() {
            let fast = EntryBytes::new(shared).unwrap();
            for (i, e) in pendings().iter().enumerate() {
                let seq = [1, 99, u64::MAX][i];
                let prev = [i as u8 * 100; 32];
                let entry = as_entry(shared, seq, e, &prev);
                let bytes = fast.entry(seq, e, &prev).unwrap();
                assert_eq!(bytes, entry.to_stored().unwrap());
                assert_eq!(LogEntry::from_stored(&bytes).unwrap(), entry);
                // Well under half of the JSON.
                assert!(bytes.len() * 2 < serde_json::to_vec(&entry).unwrap().len());
            }
        }
    }

    #[test]
    fn entries_stored_as_json_before_are_still_read() {
        let entry = as_entry(&shareds()[0], 5, &pendings()[0], &[9; 32]);
        let json = serde_json::to_vec(&entry).unwrap();
        assert_eq!(LogEntry::from_stored(&json).unwrap(), entry);
    }

    #[test]
    fn damaged_bytes_are_an_error_never_a_panic() {
        let entry = as_entry(&shareds()[1], 7, &pendings()[1], &[3; 32]);
        let bytes = entry.to_stored().unwrap();
        for n in 0..bytes.len() {
            assert!(LogEntry::from_stored(&bytes[..n]).is_err(), "cut at {n}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(LogEntry::from_stored(&longer).is_err());
        for bad in [&[][..], &[0u8; 200][..], &[1u8; 200][..], b"{\"seq\":1}"] {
            assert!(LogEntry::from_stored(bad).is_err());
        }
        // A provider number that is no municipality code (bad check digit).
        let mut wrong = bytes;
        let at = audit::BINARY_HEADER + 1;
        wrong[at..at + 4].copy_from_slice(&131_017u32.to_be_bytes());
        assert!(LogEntry::from_stored(&wrong).is_err());
    }

    #[test]
    fn what_the_stored_form_cannot_hold_is_refused() {
        let mut entry = as_entry(&shareds()[0], 1, &pendings()[0], &[0; 32]);
        entry.items.push("name".into());
        assert!(entry.to_stored().is_err());
        let mut entry = as_entry(&shareds()[0], 1, &pendings()[0], &[0; 32]);
        entry.prev = "xyz".into();
        assert!(entry.to_stored().is_err());
        entry.prev = "ab".repeat(32);
        entry.reference = Some("x".repeat(70_000));
        assert!(entry.to_stored().is_err());
    }

    proptest! {
        #[test]
        fn every_entry_survives_its_stored_form(
            seq in any::<u64>(),
            prev in any::<[u8; 32]>(),
            inquiry in any::<bool>(),
            provider in proptest::option::of(0usize..3),
            providers in proptest::collection::vec(0usize..3, 0..4),
            at in "\\PC{0,30}",
            form_ref in proptest::option::of("\\PC{0,20}"),
            reference in proptest::option::of("\\PC{0,20}"),
            items in proptest::collection::vec(0usize..INQUIRY_ITEMS.len(), 0..9),
            flags in any::<(bool, bool, bool)>(),
            doses in any::<u32>(),
            batch in proptest::option::of("[0-9a-fA-F]{30,34}"),
            subject in "[0-9a-f]{32}|\\PC{0,10}",
            user in proptest::option::of("[0-9a-f]{32}|\\PC{0,10}"),
        ) {
            let codes = [code("131016"), code("011002"), code("472158")];
            let entry = LogEntry {
                seq,
                log: if inquiry { LogKind::Inquiry } else { LogKind::Provision },
                requester: codes[seq as usize % 3],
                provider: provider.map(|i| codes[i]),
                providers: providers.iter().map(|&i| codes[i]).collect(),
                requested_at: at.clone(),
                provided_at: at.chars().rev().collect(),
                legal_basis: if flags.0 { BasisKind::Consent } else { BasisKind::ConsentDifficult },
                form_ref,
                identity_verified: flags.1,
                reference,
                items: items.iter().map(|&i| INQUIRY_ITEMS[i].0.to_owned()).collect(),
                provided: flags.2,
                doses,
                batch,
                subject,
                user,
                prev: hex::encode(prev),
            };
            let bytes = entry.to_stored().unwrap();
            prop_assert_eq!(LogEntry::from_stored(&bytes).unwrap(), entry);
        }
    }
}
