//! The sealed-record opener: random bytes never open, an altered ciphertext never opens, and a
//! registry whose stored records were altered refuses to serve them, without panicking.
//!
//! Input: a mode byte, then the mode's values.
//! - mode 0: a record kind, a 16-byte record key, then bytes opened as a sealed value.
//! - mode 1: a plaintext is sealed here (fresh random nonce), then altered as the input says:
//!   bit flips (position, mask pairs), a truncation, an extension, or another place (tenant,
//!   kind, key). Only the unaltered value opens, to the plaintext.
//! - mode 2: a registry with subjects and doses is built once; one of its stored records is
//!   altered (bits flipped, or its value swapped with another record's) and the registry is
//!   asked for both subjects, the ledger export and the checks. Every answer is an error or
//!   exactly the answer of the unaltered registry; the altered subject is never served.

use std::sync::OnceLock;

use vrs_core::codec::WriteOptions;
use vrs_core::crypto::{
    KeyProvider, MasterKeyProvider, RecordKey, RecordKind, SealContext, TenantKeys,
};
use vrs_core::date::{Date, DateTime};
use vrs_core::id::{MunicipalityCode, OcrLine};
use vrs_core::registry::{
    DoseInput, FixedClock, ImportMode, Principal, Registry, RegistryConfig, RegistryError,
};
use vrs_core::store::{Key, MemoryStore, Store};

use crate::input::Input;

/// The master key of every registry and tenant key here.
const MASTER: [u8; 32] = [0x5A; 32];

/// Bytes sealing adds: format version, nonce, tag.
const SEAL_OVERHEAD: usize = 1 + 12 + 16;

/// Record kind numbers probed in the store (the registry's kinds, and room for new ones).
const KINDS: std::ops::RangeInclusive<u8> = 1..=63;

fn chiyoda() -> MunicipalityCode {
    MunicipalityCode::from_five_digits("13101").unwrap_or_else(|e| panic!("{e}"))
}

fn tenant_keys(code: &MunicipalityCode) -> TenantKeys {
    match MasterKeyProvider::new(MASTER).tenant_keys(code) {
        Ok(keys) => keys,
        Err(e) => panic!("tenant keys: {e}"),
    }
}

fn kind(byte: u8) -> RecordKind {
    (1..=8)
        .cycle()
        .nth(usize::from(byte))
        .and_then(RecordKind::from_code)
        .unwrap_or(RecordKind::Subject)
}

/// The fuzz target body.
pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    match input.byte() % 3 {
        0 => random_bytes(input),
        1 => altered_ciphertext(input),
        _ => altered_store(input),
    }
}

fn random_bytes(mut input: Input<'_>) {
    let code = chiyoda();
    let keys = tenant_keys(&code);
    let kind = kind(input.byte());
    let key = RecordKey::from_slice(input.take(16)).unwrap_or(RecordKey::SINGLETON);
    let ctx = SealContext::new(&code, kind, &key);
    let sealed = input.rest();
    match keys.open(&ctx, sealed) {
        Ok(_) => panic!("{} random bytes opened", sealed.len()),
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

fn altered_ciphertext(mut input: Input<'_>) {
    let code = chiyoda();
    let keys = tenant_keys(&code);
    let kind = kind(input.byte());
    let key = keys.pseudonym(kind, input.piece(32));
    let ctx = SealContext::new(&code, kind, &key);
    let how = input.byte();
    let amount = usize::from(input.u16());
    let flips: Vec<(u16, u8)> = (0..usize::from(how >> 4))
        .map(|_| (input.u16(), input.byte()))
        .collect();
    let plaintext = input.rest();
    let sealed = match keys.seal(&ctx, plaintext) {
        Ok(s) => s,
        Err(e) => panic!("seal: {e}"),
    };
    assert_eq!(sealed.len(), plaintext.len() + SEAL_OVERHEAD);
    let opened = keys.open(&ctx, &sealed);
    assert_eq!(opened.as_deref().map(Vec::as_slice), Ok(plaintext));

    let mut altered = sealed.clone();
    let mut ctx_used = ctx;
    match how % 4 {
        0 => {
            for (at, mask) in &flips {
                let at = usize::from(*at) % altered.len();
                altered[at] ^= mask;
            }
            if flips.is_empty() || altered == sealed {
                altered[amount % sealed.len()] ^= 1;
            }
        }
        1 => altered.truncate(amount % sealed.len()),
        2 => altered.extend(std::iter::repeat_n(how, amount % 64 + 1)),
        _ => {
            // The same bytes presented in another place: another kind, key or tenant.
            let other_kind = RecordKind::from_code(kind.code() % 8 + 1).unwrap_or(kind);
            let other_key = keys.pseudonym(kind, &amount.to_le_bytes());
            let minato = MunicipalityCode::from_five_digits("13103").unwrap_or(code);
            ctx_used = match amount % 3 {
                0 => SealContext::new(&code, other_kind, &key),
                1 => SealContext::new(&code, kind, &other_key),
                _ => SealContext::new(&minato, kind, &key),
            };
            if ctx_used == ctx {
                return;
            }
        }
    }
    if let Ok(opened) = keys.open(&ctx_used, &altered) {
        panic!(
            "an altered value opened (alteration {}, {} bytes)",
            how % 4,
            opened.len()
        );
    }
    // The other tenant's keys do not open the original either.
    let minato = MunicipalityCode::from_five_digits("13103").unwrap_or(code);
    assert!(tenant_keys(&minato).open(&ctx, &sealed).is_err());
}

/// What the fixture registry answers before any alteration.
struct Fixture {
    store: MemoryStore,
    /// `subject_doses` of 1001 and 1002, as JSON.
    subjects: [String; 2],
    /// The ledger export.
    ledger: Vec<u8>,
    /// Every stored record: tenant, kind, key.
    records: Vec<(u32, u8, Key)>,
}

const ADDRESSEES: [&str; 2] = ["1001", "1002"];

fn now() -> DateTime {
    Date::new(2021, 8, 1)
        .and_then(|d| DateTime::new(d, 9, 0, 0))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn open_registry(store: MemoryStore) -> Registry {
    match Registry::open(
        Box::new(store),
        Box::new(MasterKeyProvider::new(MASTER)),
        Box::new(FixedClock::new(now())),
        RegistryConfig::default(),
    ) {
        Ok(r) => r,
        Err(e) => panic!("open: {e}"),
    }
}

fn staff() -> Principal {
    Principal::MunicipalStaff {
        tenant: chiyoda(),
        user_id: "u1".into(),
    }
}

fn subject_json(reg: &mut Registry, addressee: &str) -> Result<String, RegistryError> {
    reg.subject_doses(&staff(), &chiyoda(), addressee)
        .map(|s| serde_json::to_string(&s).unwrap_or_default())
}

fn ledger(reg: &mut Registry) -> Result<Vec<u8>, RegistryError> {
    let mut out = Vec::new();
    reg.export_ledger(&staff(), &chiyoda(), &mut out, WriteOptions::default())?;
    Ok(out)
}

fn build_fixture() -> Fixture {
    fn ok<T>(r: Result<T, RegistryError>, what: &str) -> T {
        r.unwrap_or_else(|e| panic!("fixture, {what}: {e}"))
    }
    let store = MemoryStore::new();
    let handle = store.share();
    let mut reg = open_registry(store);
    let code = chiyoda();
    ok(reg.create_tenant(&Principal::Operator, &code), "tenant");
    ok(
        reg.register_staff(&Principal::Operator, &code, "u1"),
        "staff",
    );
    let file = "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n\
                131016,1001,123456789018,0000012345,千代田 花子,チヨダ ハナコ,19800101,2,20210501\r\n\
                131016,1002,987654321093,0000012346,千代田 太郎,チヨダ タロウ,19751231,1,20210501\r\n";
    ok(
        reg.import_subjects(&staff(), &code, file.as_bytes(), ImportMode::Strict),
        "import",
    );
    let doses = [
        ("111310160000012345", (2021, 6, 30)),
        ("121310160000012345", (2021, 7, 21)),
        ("111310160000012346", (2021, 7, 1)),
        ("111310160000099999", (2021, 7, 2)),
    ];
    for (line, (y, m, d)) in doses {
        let ocr = ok(
            OcrLine::parse(line).map_err(|e| RegistryError::InvalidInput(e.to_string())),
            "ocr",
        );
        let date = ok(
            Date::new(y, m, d).map_err(|e| RegistryError::InvalidInput(e.to_string())),
            "date",
        );
        let dose = DoseInput::new(date, "ファイザー", "FA5765", "区民会館", "山田一郎");
        ok(reg.record_dose_ocr(&staff(), &ocr, &dose), "dose");
    }
    let subjects = ADDRESSEES.map(|a| ok(subject_json(&mut reg, a), "subject"));
    let ledger = ok(ledger(&mut reg), "ledger");
    drop(reg);
    let mut store = handle.snapshot();
    let mut records = Vec::new();
    let tenants = store.tenants().unwrap_or_else(|e| panic!("{e}"));
    for tenant in std::iter::once(0).chain(tenants) {
        for kind in KINDS {
            let r = store.scan(tenant, kind, &mut |key, _| {
                records.push((tenant, kind, *key));
                true
            });
            r.unwrap_or_else(|e| panic!("{e}"));
        }
    }
    assert!(
        records.len() >= 8,
        "fixture holds {} records",
        records.len()
    );
    Fixture {
        store,
        subjects,
        ledger,
        records,
    }
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(build_fixture)
}

fn altered_store(mut input: Input<'_>) {
    let fx = fixture();
    let mut store = fx.store.snapshot();
    let pick = usize::from(input.u16()) % fx.records.len();
    let (tenant, kind, key) = fx.records[pick];
    let Ok(Some(mut value)) = store.get(tenant, kind, &key) else {
        panic!("fixture record {pick} is gone");
    };
    let how = input.byte();
    if how.is_multiple_of(2) {
        // Bits flipped in the sealed value.
        let flips = usize::from(how >> 1) % 8 + 1;
        let before = value.clone();
        for _ in 0..flips {
            let at = usize::from(input.u16()) % value.len().max(1);
            let mask = input.byte().max(1);
            if let Some(b) = value.get_mut(at) {
                *b ^= mask;
            }
        }
        if value == before {
            return;
        }
    } else {
        // Swapped with another record's value (a transplant).
        let other = fx.records[usize::from(input.u16()) % fx.records.len()];
        let Ok(Some(other_value)) = store.get(other.0, other.1, &other.2) else {
            panic!("fixture record gone");
        };
        if other_value == value {
            return;
        }
        value = other_value;
    }
    let put = store
        .begin()
        .and_then(|()| store.put(tenant, kind, &key, &value))
        .and_then(|()| store.commit());
    put.unwrap_or_else(|e| panic!("{e}"));

    let mut reg = open_registry(store);
    let code = chiyoda();
    let keys = tenant_keys(&code);
    for (i, addressee) in ADDRESSEES.iter().enumerate() {
        let answer = subject_json(&mut reg, addressee);
        if let Ok(json) = &answer {
            assert_eq!(json, &fx.subjects[i], "an altered store served {addressee}");
        }
        let subject_key = keys.pseudonym(RecordKind::Subject, addressee.as_bytes());
        let is_subject = tenant == code.to_u32()
            && kind == RecordKind::Subject.code()
            && key == *subject_key.as_bytes();
        assert!(
            !(is_subject && answer.is_ok()),
            "altered subject {addressee} served"
        );
    }
    if let Ok(bytes) = ledger(&mut reg) {
        assert_eq!(
            bytes, fx.ledger,
            "an altered store served a different ledger"
        );
    }
    let _ = reg.verify_audit(&Principal::Operator, Some(&code));
    let _ = reg.verify_store(&Principal::Operator);
}
