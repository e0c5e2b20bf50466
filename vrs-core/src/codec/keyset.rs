//! An exact set of integer keys in about 4 bytes per key, for cross-row rules on files of
//! millions of rows.
//!
//! Keys below 2^50 (every voucher key and every numeric addressee number, see
//! [`super::cross`]) are scrambled by a fixed bijection on 50 bits, so they spread evenly
//! whatever their shape, then split into an 18-bit bucket and a 32-bit remainder. The bulk of
//! the set is one sorted `Vec<u32>` of remainders plus a bucket offset table (1 MiB); new keys
//! collect in a small hash set and are merged in place when it fills. Nothing is approximate:
//! `insert` answers exactly whether the key was new. Keys of 2^50 and above go to a plain hash set.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// Keys below this are stored compactly.
pub(crate) const COMPACT_LIMIT: u64 = 1 << 50;
const HALF_BITS: u32 = 25;
const HALF_MASK: u64 = (1 << HALF_BITS) - 1;
const BUCKET_BITS: u32 = 18;
const BUCKETS: usize = 1 << BUCKET_BITS;
/// Keys whose lookups in the merged part run side by side.
const GROUP: usize = 32;
/// New keys held before a merge; bounds the hash set's memory (~4.6 MiB).
const PENDING_CAP: usize = 1 << 18;
const ROUND_KEYS: [u64; 4] = [
    0x243F_6A88_85A3,
    0x1319_8A2E_0370,
    0xA409_3822_299F,
    0x082E_FA98_EC4E,
];

/// A bijection on 50-bit values (a 4-round Feistel network): even spread, exact, reversible.
fn scramble(key: u64) -> u64 {
    let (mut left, mut right) = (key >> HALF_BITS & HALF_MASK, key & HALF_MASK);
    for k in ROUND_KEYS {
        let f = ((right ^ k).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 39) & HALF_MASK;
        (left, right) = (right, left ^ f);
    }
    (left << HALF_BITS) | right
}

/// Keys reaching the pending set are already scrambled, so their low bits hash them well.
#[derive(Debug, Default, Clone, Copy)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        // Spread the 50 scrambled bits over the whole word for the table's top-bit tags.
        self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type FastSet = HashSet<u64, BuildHasherDefault<PassThrough>>;

/// The set. See the module docs.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    /// Remainders (low 32 bits of scrambled keys), sorted by (bucket, remainder).
    rems: Vec<u32>,
    /// `offsets[b]..offsets[b + 1]` is bucket `b` in `rems`; empty until the first merge.
    offsets: Vec<u32>,
    /// Scrambled keys not yet merged.
    pending: FastSet,
    /// Keys of 2^50 and above.
    large: HashSet<u64>,
}

impl KeySet {
    /// Inserts `key`; returns false when it was already there.
    pub(crate) fn insert(&mut self, key: u64) -> bool {
        if key >= COMPACT_LIMIT {
            return self.large.insert(key);
        }
        let s = scramble(key);
        if self.merged_contains(s) || !self.pending.insert(s) {
            return false;
        }
        if self.pending.len() >= PENDING_CAP {
            self.merge();
        }
        true
    }

    /// Inserts every key of `keys` in order; `new[i]` says whether `keys[i]` was new (a key
    /// repeated within `keys` is new only the first time). The same answers as calling
    /// [`insert`](Self::insert) for each key, but the lookups in the merged part run side by
    /// side, so the cache misses of a row's keys overlap instead of queueing up: on a file of
    /// millions of rows these lookups are most of what cross-row rules cost.
    pub(crate) fn insert_many(&mut self, keys: &[u64], new: &mut [bool]) {
        for (keys, new) in keys.chunks(GROUP).zip(new.chunks_mut(GROUP)) {
            let mut scrambled = [0u64; GROUP];
            let mut merged = [false; GROUP];
            let n = keys.len().min(new.len());
            for (s, k) in scrambled.iter_mut().zip(keys) {
                *s = if *k < COMPACT_LIMIT { scramble(*k) } else { 0 };
            }
            if !self.offsets.is_empty() {
                self.merged_contains_many(&scrambled[..n], &mut merged[..n]);
            }
            for i in 0..n {
                new[i] = if keys[i] >= COMPACT_LIMIT {
                    self.large.insert(keys[i])
                } else {
                    !merged[i] && self.pending.insert(scrambled[i])
                };
            }
        }
        // Merge only now: the answers above were computed against the merged part as it was.
        if self.pending.len() >= PENDING_CAP {
            self.merge();
        }
    }

    /// `found[i]` = whether scrambled key `s[i]` is in the merged part: a branch-free binary
    /// search per key, advanced one step for all keys at a time.
    fn merged_contains_many(&self, scrambled: &[u64], found: &mut [bool]) {
        let n = scrambled.len().min(GROUP).min(found.len());
        let mut base = [0usize; GROUP];
        let mut len = [0usize; GROUP];
        for i in 0..n {
            let range = self.bucket_range((scrambled[i] >> 32) as usize);
            base[i] = range.start;
            len[i] = range.len();
        }
        let widest = len[..n].iter().copied().max().unwrap_or(0);
        let mut step = widest;
        while step > 1 {
            for i in 0..n {
                let half = len[i] / 2;
                let probe = self.rems.get(base[i] + half).copied().unwrap_or(u32::MAX);
                if half > 0 && probe <= scrambled[i] as u32 {
                    base[i] += half;
                }
                len[i] -= half;
            }
            step -= step / 2;
        }
        for i in 0..n {
            found[i] = len[i] > 0 && self.rems.get(base[i]) == Some(&(scrambled[i] as u32));
        }
    }

    /// True when `key` is in the set.
    pub(crate) fn contains(&self, key: u64) -> bool {
        if key >= COMPACT_LIMIT {
            return self.large.contains(&key);
        }
        let s = scramble(key);
        self.pending.contains(&s) || self.merged_contains(s)
    }

    /// Number of keys.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.rems.len() + self.pending.len() + self.large.len()
    }

    fn bucket_range(&self, bucket: usize) -> std::ops::Range<usize> {
        let start = self.offsets.get(bucket).copied().unwrap_or(0) as usize;
        let end = self.offsets.get(bucket + 1).copied().unwrap_or(0) as usize;
        start..end.max(start)
    }

    fn merged_contains(&self, scrambled: u64) -> bool {
        if self.offsets.is_empty() {
            return false;
        }
        let bucket = (scrambled >> 32) as usize;
        let rem = scrambled as u32;
        self.rems
            .get(self.bucket_range(bucket))
            .is_some_and(|slice| slice.binary_search(&rem).is_ok())
    }

    /// Merges the pending keys into the sorted remainders, in place, from the back.
    fn merge(&mut self) {
        let mut fresh: Vec<u64> = self.pending.drain().collect();
        fresh.sort_unstable();
        if self.offsets.is_empty() {
            self.offsets = vec![0; BUCKETS + 1];
        }
        let old_len = self.rems.len();
        self.rems.reserve_exact(fresh.len());
        self.rems.resize(old_len + fresh.len(), 0);
        // Walk buckets from the top: write position `w` counts down from the end.
        let mut w = self.rems.len();
        let mut f = fresh.len();
        for bucket in (0..BUCKETS).rev() {
            let (start, end) = (
                self.offsets[bucket] as usize,
                self.offsets[bucket + 1] as usize,
            );
            let mut s = end;
            let bucket_top = w;
            loop {
                let next_fresh = f
                    .checked_sub(1)
                    .map(|i| fresh[i])
                    .filter(|k| (k >> 32) as usize == bucket);
                let take_fresh = match (next_fresh, s > start) {
                    (Some(k), true) => (k as u32) > self.rems[s - 1],
                    (Some(_), false) => true,
                    (None, true) => false,
                    (None, false) => break,
                };
                w -= 1;
                if take_fresh {
                    f -= 1;
                    self.rems[w] = fresh[f] as u32;
                } else {
                    s -= 1;
                    self.rems[w] = self.rems[s];
                }
            }
            // The bucket now spans w..bucket_top; record its end (the start is set by the next lower bucket).
            self.offsets[bucket + 1] = bucket_top as u32;
            if bucket == 0 {
                self.offsets[0] = w as u32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn scramble_is_a_bijection_on_a_sample() {
        let mut seen = HashSet::new();
        for k in (0..200_000u64).chain((0..200_000).map(|i| COMPACT_LIMIT - 1 - i * 7919)) {
            let s = scramble(k);
            assert!(s < COMPACT_LIMIT);
            assert!(seen.insert(s), "collision at {k}");
        }
    }

    #[test]
    fn many_keys_across_merges_are_exact() {
        let mut set = KeySet::default();
        let n = (PENDING_CAP * 3 + 123) as u64;
        for i in 0..n {
            assert!(set.insert(i * 1_000_003 % COMPACT_LIMIT), "{i} is new");
        }
        assert_eq!(set.len() as u64, n);
        for i in (0..n).step_by(997) {
            assert!(
                !set.insert(i * 1_000_003 % COMPACT_LIMIT),
                "{i} is a duplicate"
            );
            assert!(set.contains(i * 1_000_003 % COMPACT_LIMIT));
        }
        assert!(!set.contains(1));
        assert!(set.insert(COMPACT_LIMIT + 5) && !set.insert(COMPACT_LIMIT + 5));
    }

    proptest! {
        #[test]
        fn insert_many_answers_like_insert(rounds in proptest::collection::vec(proptest::collection::vec(prop_oneof![0u64..64, 0u64..COMPACT_LIMIT, any::<u64>()], 0..40), 0..40)) {
            let mut one = KeySet::default();
            let mut many = KeySet::default();
            for (r, keys) in rounds.iter().enumerate() {
                let expected: Vec<bool> = keys.iter().map(|k| one.insert(*k)).collect();
                let mut got = vec![false; keys.len()];
                many.insert_many(keys, &mut got);
                prop_assert_eq!(got, expected);
                if r % 5 == 4 {
                    many.merge();
                    one.merge();
                }
            }
        }

        #[test]
        fn behaves_like_a_btreeset(keys in proptest::collection::vec(prop_oneof![0u64..64, 0u64..COMPACT_LIMIT, any::<u64>()], 0..400)) {
            let mut set = KeySet::default();
            let mut model = BTreeSet::new();
            for (i, k) in keys.iter().enumerate() {
                prop_assert_eq!(set.insert(*k), model.insert(*k));
                if i % 50 == 49 {
                    set.merge();
                }
            }
            for k in &keys {
                prop_assert!(set.contains(*k));
            }
        }
    }
}
