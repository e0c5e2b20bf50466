//! State kept across rows, in compact keys only.
//!
//! Memory is what limits a streaming validator on a file of millions of rows, so cross-row
//! rules keep integers, never strings: a voucher key packs into 54 bits exactly (6-digit
//! municipality code in 20 bits, 10-digit voucher number in 34) — or below 2^49 as the code
//! without its check digit times 10^10 plus the number — a numeric addressee number of up to 15
//! digits into 50 bits exactly, other addressee numbers into a 64-bit hash, and a My Number
//! into a 40-bit value passed through a keyed permutation chosen at random per run, so the
//! clear number is never held. Sets of keys are [`KeySet`]s, about 4 bytes per key.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};

use crate::date::Date;
use crate::id::{MunicipalityCode, MyNumber, VoucherNumber};
use crate::vaccine::ManufacturerId;

pub(crate) use super::keyset::KeySet;

fn digits_value(s: &str) -> u64 {
    s.bytes().fold(0u64, |acc, b| {
        acc.wrapping_mul(10)
            .wrapping_add(u64::from(b.wrapping_sub(b'0')))
    })
}

/// Exact 54-bit key of a voucher (municipality code, voucher number).
pub(crate) fn voucher_key(municipality: &MunicipalityCode, number: &VoucherNumber) -> u64 {
    (u64::from(municipality.to_u32()) << 34) | number.to_u64()
}

const HASHED: u64 = 1 << 63;
const BY_VOUCHER: u64 = 1 << 62;

/// Key of an addressee number: exact for digit strings of up to 15 digits (the index of the
/// string among all digit strings ordered by length then value, below 2^50, so "0123" and "123"
/// differ), else a 64-bit hash with the top bit set.
pub(crate) fn addressee_key(s: &str) -> u64 {
    if !s.is_empty() && s.len() <= 15 && super::bytes::all_ascii_digits(s) {
        // Digit strings shorter than len(s): 10 + 100 + ... + 10^(len-1).
        shorter_digit_strings(s.len()) + digits_value(s)
    } else {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        s.hash(&mut h);
        h.finish() | HASHED
    }
}

/// The number of digit strings shorter than `len` (1..=15): 10 + 100 + ... + 10^(len-1).
fn shorter_digit_strings(len: usize) -> u64 {
    const SHORTER: [u64; 16] = {
        let mut table = [0u64; 16];
        let mut len = 2;
        let mut power = 10u64;
        while len < 16 {
            table[len] = table[len - 1] + power;
            power *= 10;
            len += 1;
        }
        table
    };
    SHORTER.get(len).copied().unwrap_or(0)
}

/// Tags a voucher key in [`CrossState::seen`]; addressee keys of that set stay below it.
const SEEN_VOUCHER: u64 = 1 << 49;

/// The key of addressee key `person` in [`CrossState::seen`]: compact below 2^49, else in the
/// set's exact hash part (hashed addressee numbers already are).
pub(crate) fn seen_person(person: u64) -> u64 {
    if person < SEEN_VOUCHER {
        person
    } else {
        person | HASHED
    }
}

/// The key of compact voucher key `voucher` ([`compact_voucher_key`]) in
/// [`CrossState::seen`]: tagged with bit 49 below 2^49 (every valid code), else in the set's
/// exact hash part with bit 62 set.
pub(crate) fn seen_voucher(voucher: u64) -> u64 {
    if voucher < SEEN_VOUCHER {
        voucher | SEEN_VOUCHER
    } else {
        voucher | HASHED | BY_VOUCHER
    }
}

/// The voucher of a voucher key of [`CrossState::seen`] ([`seen_voucher`] of a
/// [`compact_voucher_key`]): for messages, which show it.
pub(crate) fn voucher_of_seen(key: u64) -> Option<(MunicipalityCode, VoucherNumber)> {
    let compact = if key & HASHED != 0 {
        key & !(HASHED | BY_VOUCHER)
    } else {
        key & !SEEN_VOUCHER
    };
    let municipality = u32::try_from(compact / 10_000_000_000).ok()?;
    Some((
        MunicipalityCode::from_five_digit_value(municipality)?,
        VoucherNumber::from_u64(compact % 10_000_000_000)?,
    ))
}

/// A person key for one-row-per-dose files without an addressee number: the voucher.
pub(crate) fn person_key_from_voucher(voucher_key: u64) -> u64 {
    voucher_key | BY_VOUCHER
}

/// A keyed permutation of 40-bit values (4-round Feistel), so that equal My Numbers map to
/// equal keys within one run while the clear number is never stored.
#[derive(Debug, Clone)]
pub(crate) struct Blinder {
    round_keys: [u64; 4],
}

impl Blinder {
    pub(crate) fn new() -> Self {
        let state = RandomState::new();
        let mut round_keys = [0u64; 4];
        for (i, k) in round_keys.iter_mut().enumerate() {
            *k = state.hash_one(i as u64);
        }
        Blinder { round_keys }
    }

    pub(crate) fn blind(&self, n: &MyNumber) -> u64 {
        let value = digits_value(n.expose_secret()); // < 10^12 < 2^40
        let mask = (1u64 << 20) - 1;
        let (mut left, mut right) = (value >> 20, value & mask);
        for key in self.round_keys {
            let f = (right ^ key).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 44 & mask;
            (left, right) = (right, left ^ f);
        }
        (left << 20) | right
    }
}

/// The compact key of a voucher, below 2^49: the code without its check digit (the check
/// digit follows from the rest; prefectures 01..=47 keep it below 48,000) times 10^10, plus the
/// 10-digit voucher number. Exact, and a function of the voucher alone, so any thread can
/// compute it.
pub(crate) fn compact_voucher_key(municipality: &MunicipalityCode, number: &VoucherNumber) -> u64 {
    u64::from(municipality.to_u32() / 10) * 10_000_000_000 + number.to_u64()
}

/// Doses of one person seen so far in a one-row-per-dose file.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PersonDoses {
    /// Days since 2000-01-01, plus one; 0 = not seen.
    dates: [u16; 9],
    makers: [u16; 9],
    lines: [u32; 9],
}

const NO_MAKER: u16 = u16::MAX;

fn epoch() -> i32 {
    Date::new(2000, 1, 1)
        .map(|d| d.days_since_epoch())
        .unwrap_or(10957)
}

/// One dose as remembered across rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DoseFact {
    pub n: u8,
    pub date: Date,
    pub maker: Option<ManufacturerId>,
    pub line: u64,
}

impl PersonDoses {
    pub(crate) fn get(&self, n: u8) -> Option<DoseFact> {
        let i = usize::from(n.checked_sub(1)?);
        let stored = *self.dates.get(i)?;
        if stored == 0 {
            return None;
        }
        let date = Date::from_days_since_epoch(epoch() + i32::from(stored) - 1).ok()?;
        let maker = match self.makers[i] {
            NO_MAKER => None,
            m => Some(ManufacturerId(m)),
        };
        Some(DoseFact {
            n,
            date,
            maker,
            line: u64::from(self.lines[i]),
        })
    }

    /// Remembers a dose; false when its date cannot be held (before 2000 or after 2179).
    pub(crate) fn set(&mut self, fact: DoseFact) -> bool {
        let Some(i) = usize::from(fact.n).checked_sub(1).filter(|i| *i < 9) else {
            return false;
        };
        let offset = fact.date.days_since_epoch() - epoch() + 1;
        let Ok(stored) = u16::try_from(offset) else {
            return false;
        };
        if stored == 0 {
            return false;
        }
        self.dates[i] = stored;
        self.makers[i] = fact.maker.map_or(NO_MAKER, |m| m.0);
        self.lines[i] = u32::try_from(fact.line).unwrap_or(u32::MAX);
        true
    }

    /// The earliest line of any dose seen.
    pub(crate) fn first_line(&self) -> u32 {
        self.lines
            .iter()
            .zip(&self.dates)
            .filter(|(_, d)| **d != 0)
            .map(|(l, _)| *l)
            .min()
            .unwrap_or(u32::MAX)
    }

    /// Dose numbers seen, ascending.
    pub(crate) fn seen(&self) -> impl Iterator<Item = u8> + '_ {
        (1..=9u8).filter(|n| self.dates[usize::from(*n - 1)] != 0)
    }
}

/// All cross-row state of one validation run.
#[derive(Debug, Default)]
pub(crate) struct CrossState {
    /// Keys already seen, for S03 (one row per person, [`seen_person`]) and V02 in
    /// one-row-per-person files (vouchers used by earlier rows, [`seen_voucher`]): one set, so
    /// all the keys of a row are looked up together.
    pub seen: KeySet,
    /// S03 (one row per person) applies.
    pub unique_person: bool,
    /// V02 for one-row-per-person files applies.
    pub row_vouchers: bool,
    /// V02 for one-row-per-voucher files: voucher -> addressee key.
    pub voucher_owner: Option<HashMap<u64, u64>>,
    /// N03: blinded My Number -> addressee key.
    pub my_number_owner: Option<HashMap<u64, u64>>,
    /// S01-S04, S06 across rows: person key -> doses.
    pub doses: Option<HashMap<u64, PersonDoses>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_exact_where_promised() {
        let a = MunicipalityCode::parse("011002").unwrap();
        let v = VoucherNumber::parse("9999999999").unwrap();
        let k = voucher_key(&a, &v);
        assert!(k < 1 << 54);
        assert_eq!(k & ((1 << 34) - 1), 9_999_999_999);
        assert_eq!(k >> 34, 11002);
        assert_ne!(addressee_key("123"), addressee_key("0123"));
        assert_eq!(addressee_key("123"), addressee_key("123"));
        assert!(addressee_key("A-1") & HASHED != 0);
        assert!(addressee_key("999999999999999") < super::super::keyset::COMPACT_LIMIT);
        assert!(
            addressee_key("0") < addressee_key("9") && addressee_key("9") < addressee_key("00")
        );
        let b = MunicipalityCode::parse("131016").unwrap();
        let c = compact_voucher_key(&b, &v);
        assert_eq!(c, 13101 * 10_000_000_000 + 9_999_999_999);
        assert!(c < SEEN_VOUCHER);
        // The largest code of the largest prefecture still fits below the tag bit.
        let largest = (0..10)
            .find_map(|check| MunicipalityCode::parse(&format!("47999{check}")).ok())
            .expect("47999 with its check digit");
        assert!(compact_voucher_key(&largest, &v) < SEEN_VOUCHER);
        assert_ne!(compact_voucher_key(&a, &v), compact_voucher_key(&b, &v));
        // Messages show the voucher again from its key.
        let w = VoucherNumber::parse("0000000042").unwrap();
        for (m, n) in [(a, v), (b, w), (largest, w)] {
            let key = seen_voucher(compact_voucher_key(&m, &n));
            assert_eq!(voucher_of_seen(key), Some((m, n)));
        }
    }

    #[test]
    fn shorter_digit_string_counts_match_their_sum() {
        for len in 1..=15usize {
            let sum: u64 = (1..len as u32).map(|l| 10u64.pow(l)).sum();
            assert_eq!(shorter_digit_strings(len), sum, "{len}");
        }
        assert_eq!(addressee_key("0"), 0);
        assert_eq!(addressee_key("00"), 10);
        assert_eq!(addressee_key("999999999999999"), 1_111_111_111_111_110 - 1);
    }

    #[test]
    fn blinding_is_a_per_run_bijection() {
        let b = Blinder::new();
        let x = MyNumber::parse("123456789018").unwrap();
        let y = MyNumber::parse("110000000000").unwrap();
        assert_eq!(b.blind(&x), b.blind(&x.clone()));
        assert_ne!(b.blind(&x), b.blind(&y));
        assert_ne!(b.blind(&x), 123_456_789_018);
        assert!(b.blind(&x) < 1 << 40);
    }

    #[test]
    fn person_doses_round_trip() {
        let mut p = PersonDoses::default();
        let d = Date::new(2021, 6, 1).unwrap();
        assert!(p.set(DoseFact {
            n: 2,
            date: d,
            maker: Some(ManufacturerId(1)),
            line: 7
        }));
        assert_eq!(
            p.get(2),
            Some(DoseFact {
                n: 2,
                date: d,
                maker: Some(ManufacturerId(1)),
                line: 7
            })
        );
        assert_eq!(p.get(1), None);
        assert_eq!(p.seen().collect::<Vec<_>>(), vec![2]);
        assert!(!p.set(DoseFact {
            n: 1,
            date: Date::new(1999, 1, 1).unwrap(),
            maker: None,
            line: 1
        }));
    }
}
