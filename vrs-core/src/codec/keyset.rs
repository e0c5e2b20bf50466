//! An exact set of integer keys in about 4 bytes per key, for cross-row rules on files of
//! millions of rows.
//!
//! Keys below 2^50 (every voucher key and every numeric addressee number, see
//! [`super::cross`]) are scrambled by a fixed bijection on 50 bits, so they spread evenly
//! whatever their shape, then split into an 18-bit bucket and a 32-bit remainder. The bulk of
//! the set is one sorted `Vec<u32>` of remainders plus a bucket offset table (1 MiB); new keys
//! collect in a small hash set (keys inserted one by one) or a sorted vector (keys inserted by
//! large batches, which are sorted and then looked up in ascending order) and are merged in
//! place when these fill. Nothing is approximate: `insert` answers exactly whether the key was
//! new. Keys of 2^50 and above go to a plain hash set.

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
/// Batches of at least this many keys are sorted before their lookups.
const SORTED_FROM: usize = 4096;
/// New keys held before a merge; bounds the pending keys' memory (~4.6 MiB as a hash set,
/// 2 MiB as a sorted vector).
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
    /// Scrambled keys not yet merged, inserted one by one.
    pending: FastSet,
    /// Scrambled keys not yet merged, inserted by large batches: sorted, so a sorted batch is
    /// looked up in it by one merge-join.
    pending_sorted: Vec<u64>,
    /// Keys of 2^50 and above.
    large: HashSet<u64>,
    /// Scratch of the sorted path, kept to avoid reallocating per batch.
    scratch: SortScratch,
}

/// Buffers reused by [`KeySet::insert_many`] on large batches.
#[derive(Debug, Default)]
struct SortScratch {
    /// (scrambled key, position in the batch), then the same sorted.
    items: Vec<(u64, u32)>,
    sorted: Vec<(u64, u32)>,
    /// Per top-bits bin, where its items start in `sorted`.
    starts: Vec<u32>,
    cursors: Vec<u32>,
    /// Distinct keys of the batch not found in the merged part, ascending; the index of each
    /// in `probe`; whether each was among the sorted pending keys already.
    fresh: Vec<u64>,
    fresh_at: Vec<u32>,
    repeat: Vec<bool>,
    /// The distinct scrambled keys of the batch, ascending; the position of each key's first
    /// occurrence; whether each is in the set.
    probe: Vec<u64>,
    first: Vec<u32>,
    found: Vec<bool>,
}

impl KeySet {
    /// Inserts `key`; returns false when it was already there.
    pub(crate) fn insert(&mut self, key: u64) -> bool {
        if key >= COMPACT_LIMIT {
            return self.large.insert(key);
        }
        let s = scramble(key);
        if self.merged_contains(s) || self.in_pending_sorted(s) || !self.pending.insert(s) {
            return false;
        }
        if self.pending_len() >= PENDING_CAP {
            self.merge();
        }
        true
    }

    /// Keys inserted and not yet merged.
    fn pending_len(&self) -> usize {
        self.pending.len() + self.pending_sorted.len()
    }

    fn in_pending_sorted(&self, scrambled: u64) -> bool {
        !self.pending_sorted.is_empty() && self.pending_sorted.binary_search(&scrambled).is_ok()
    }

    /// Inserts every key of `keys` in order; `new[i]` says whether `keys[i]` was new (a key
    /// repeated within `keys` is new only the first time). The same answers as calling
    /// [`insert`](Self::insert) for each key, but the lookups in the merged part run side by
    /// side, so the cache misses of a row's keys overlap instead of queueing up: on a file of
    /// millions of rows these lookups are most of what cross-row rules cost.
    ///
    /// A batch of [`SORTED_FROM`] keys or more is sorted first and looked up in ascending
    /// order: the lookups then sweep the set from its start to its end instead of jumping
    /// about it, which is what makes a lookup cheap once the set is far larger than the cache.
    pub(crate) fn insert_many(&mut self, keys: &[u64], new: &mut [bool]) {
        if keys.len() >= SORTED_FROM {
            // Positions in a sorted batch are u32.
            for (keys, new) in keys.chunks(1 << 24).zip(new.chunks_mut(1 << 24)) {
                self.insert_sorted(keys, new);
            }
            return;
        }
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
                    !merged[i]
                        && !self.in_pending_sorted(scrambled[i])
                        && self.pending.insert(scrambled[i])
                };
            }
        }
        // Merge only now: the answers above were computed against the merged part as it was.
        if self.pending_len() >= PENDING_CAP {
            self.merge();
        }
    }

    /// [`insert_many`](Self::insert_many) for a large batch (fewer than 2^32 keys): sort the
    /// batch, mark repeats within it, look up each distinct key in ascending order (in the
    /// merged part by grouped lookups, in the sorted pending keys by a merge-join), then add
    /// the new keys to the sorted pending keys by one merge.
    fn insert_sorted(&mut self, keys: &[u64], new: &mut [bool]) {
        let mut sc = std::mem::take(&mut self.scratch);
        sc.items.clear();
        for (i, (k, n)) in keys.iter().zip(new.iter_mut()).enumerate() {
            if *k >= COMPACT_LIMIT {
                *n = self.large.insert(*k);
            } else {
                sc.items.push((scramble(*k), i as u32));
            }
        }
        sort_scrambled(&sc.items, &mut sc.sorted, &mut sc.starts, &mut sc.cursors);
        // Each distinct key once, with its first position (the first of equal keys in the
        // sort); a repeat within the batch is never new.
        sc.probe.clear();
        sc.first.clear();
        for &(s, i) in &sc.sorted {
            if sc.probe.last() == Some(&s) {
                if let Some(n) = new.get_mut(i as usize) {
                    *n = false;
                }
            } else {
                sc.probe.push(s);
                sc.first.push(i);
            }
        }
        sc.found.clear();
        sc.found.resize(sc.probe.len(), false);
        if !self.offsets.is_empty() {
            for (keys, found) in sc.probe.chunks(GROUP).zip(sc.found.chunks_mut(GROUP)) {
                self.merged_contains_many(keys, found);
            }
        }
        // Keys in neither the merged part nor the hash set go into the sorted pending keys by
        // one merge, which also tells which of them were there already.
        sc.fresh.clear();
        sc.fresh_at.clear();
        for (k, (s, found)) in sc.probe.iter().zip(sc.found.iter_mut()).enumerate() {
            *found = *found || (!self.pending.is_empty() && self.pending.contains(s));
            if !*found {
                sc.fresh.push(*s);
                sc.fresh_at.push(k as u32);
            }
        }
        sc.repeat.clear();
        sc.repeat.resize(sc.fresh.len(), false);
        merge_new(&mut self.pending_sorted, &sc.fresh, &mut sc.repeat);
        for (k, repeat) in sc.fresh_at.iter().zip(&sc.repeat) {
            if let Some(found) = sc.found.get_mut(*k as usize) {
                *found |= *repeat;
            }
        }
        for (i, found) in sc.first.iter().zip(&sc.found) {
            if let Some(n) = new.get_mut(*i as usize) {
                *n = !found;
            }
        }
        self.scratch = sc;
        if self.pending_len() >= PENDING_CAP {
            self.merge();
        }
    }

    /// `found[i]` = whether scrambled key `scrambled[i]` is in the merged part. Remainders
    /// are uniform within a bucket, so a key's place is guessed from its value (interpolation)
    /// and the search walks from there, usually inside the cache line guessed. The bucket
    /// bounds of all keys are read first, then the guessed slots of all keys, so the cache
    /// misses of a group overlap instead of queueing up.
    fn merged_contains_many(&self, scrambled: &[u64], found: &mut [bool]) {
        let n = scrambled.len().min(GROUP).min(found.len());
        let mut ranges = [(0usize, 0usize); GROUP];
        for (range, s) in ranges.iter_mut().zip(&scrambled[..n]) {
            let r = self.bucket_range((s >> 32) as usize);
            *range = (r.start, r.end);
        }
        let mut guesses = [0usize; GROUP];
        let mut touched = 0u32;
        for ((guess, (start, end)), s) in guesses.iter_mut().zip(&ranges).zip(&scrambled[..n]) {
            *guess = interpolate(*start, *end, *s as u32);
            // Start the load of the guessed slot now; the walk below finds it cached.
            touched ^= self.rems.get(*guess).copied().unwrap_or(0);
        }
        std::hint::black_box(touched);
        for i in 0..n {
            let (start, end) = ranges[i];
            found[i] = self.walk(start, end, guesses[i], scrambled[i] as u32);
        }
    }

    /// Whether `rem` is in the sorted slice `rems[start..end]`, searching from `guess`.
    fn walk(&self, start: usize, end: usize, guess: usize, rem: u32) -> bool {
        let Some(bucket) = self.rems.get(start..end) else {
            return false;
        };
        let mut i = guess.saturating_sub(start).min(bucket.len());
        while i < bucket.len() && bucket[i] < rem {
            i += 1;
        }
        while i > 0 && bucket[i - 1] >= rem {
            i -= 1;
        }
        bucket.get(i) == Some(&rem)
    }

    /// True when `key` is in the set.
    pub(crate) fn contains(&self, key: u64) -> bool {
        if key >= COMPACT_LIMIT {
            return self.large.contains(&key);
        }
        let s = scramble(key);
        self.pending.contains(&s) || self.in_pending_sorted(s) || self.merged_contains(s)
    }

    /// Number of keys.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.rems.len() + self.pending_len() + self.large.len()
    }

    fn bucket_range(&self, bucket: usize) -> std::ops::Range<usize> {
        let start = self.offsets.get(bucket).copied().unwrap_or(0) as usize;
        let end = self.offsets.get(bucket + 1).copied().unwrap_or(0) as usize;
        start..end.max(start)
    }

    fn merged_contains(&self, scrambled: u64) -> bool {
        let range = self.bucket_range((scrambled >> 32) as usize);
        let rem = scrambled as u32;
        self.walk(
            range.start,
            range.end,
            interpolate(range.start, range.end, rem),
            rem,
        )
    }

    /// Merges the pending keys into the sorted remainders, in place. The pending keys are
    /// grouped by bucket (a counting sort), then buckets are moved up from the top one down:
    /// each bucket moves by the number of new keys below it, as whole runs between its new keys,
    /// so a merge costs one pass of block copies over the set, not a comparison per element.
    fn merge(&mut self) {
        if self.pending_len() == 0 {
            return;
        }
        if self.offsets.is_empty() {
            self.offsets = vec![0; BUCKETS + 1];
        }
        // `starts[b]..starts[b + 1]` will be bucket b's new keys in `fresh` (buffers kept
        // from merge to merge: a fresh megabyte each time costs page faults).
        let mut starts = std::mem::take(&mut self.scratch.starts);
        starts.clear();
        starts.resize(BUCKETS + 1, 0);
        for s in self.pending.iter().chain(&self.pending_sorted) {
            starts[(s >> 32) as usize + 1] += 1;
        }
        for b in 0..BUCKETS {
            starts[b + 1] += starts[b];
        }
        let mut fresh = vec![0u32; self.pending_len()];
        if self.pending.is_empty() {
            // Only sorted keys (large batches): already in (bucket, remainder) order.
            for (slot, s) in fresh.iter_mut().zip(self.pending_sorted.drain(..)) {
                *slot = s as u32;
            }
        } else {
            // Fill each bucket's range from its start; the cursors end at the next starts.
            let mut cursors = std::mem::take(&mut self.scratch.cursors);
            cursors.clear();
            cursors.extend_from_slice(&starts);
            for s in self.pending.drain().chain(self.pending_sorted.drain(..)) {
                let b = (s >> 32) as usize;
                let at = cursors[b] as usize;
                if let Some(slot) = fresh.get_mut(at) {
                    *slot = s as u32;
                }
                cursors[b] += 1;
            }
            self.scratch.cursors = cursors;
            for b in 0..BUCKETS {
                if let Some(keys) = fresh.get_mut(starts[b] as usize..starts[b + 1] as usize) {
                    keys.sort_unstable();
                }
            }
        }
        let old_len = self.rems.len();
        self.rems.reserve_exact(fresh.len());
        self.rems.resize(old_len + fresh.len(), 0);
        for b in (0..BUCKETS).rev() {
            let (old_start, old_end) = (self.offsets[b] as usize, self.offsets[b + 1] as usize);
            let (f_start, f_end) = (starts[b] as usize, starts[b + 1] as usize);
            if f_end == 0 {
                // No new key here or below: the rest of the set stays where it is.
                break;
            }
            // Below this bucket, `f_start` new keys; so everything here moves up by that much
            // plus the bucket's own new keys below each element. A bucket holds a few dozen
            // remainders and gets a few new keys, so elements move one by one, each new key
            // slotted in as the walk down passes its place (no search, no call per key).
            let mut w = old_end + f_end;
            let mut i = old_end;
            for &key in fresh[f_start..f_end].iter().rev() {
                while i > old_start && self.rems[i - 1] > key {
                    w -= 1;
                    i -= 1;
                    self.rems[w] = self.rems[i];
                }
                w -= 1;
                self.rems[w] = key;
            }
            // The bucket's elements below its lowest new key move up by `f_start`.
            if f_start > 0 {
                if i - old_start <= 32 {
                    for k in (old_start..i).rev() {
                        self.rems[k + f_start] = self.rems[k];
                    }
                } else {
                    self.rems.copy_within(old_start..i, old_start + f_start);
                }
            }
            self.offsets[b + 1] = (old_end + f_end) as u32;
        }
        self.scratch.starts = starts;
    }
}

/// `sorted` = `items` sorted by (scrambled key, position): a counting sort on the top bits
/// (about one item per bin), then each bin sorted on its own. `starts`, `cursors`: scratch.
fn sort_scrambled(
    items: &[(u64, u32)],
    sorted: &mut Vec<(u64, u32)>,
    starts: &mut Vec<u32>,
    cursors: &mut Vec<u32>,
) {
    // Scrambled keys are uniform on 50 bits: about one item per bin.
    let bits = (usize::BITS - items.len().leading_zeros()).clamp(4, 20);
    let shift = 50 - bits;
    let bins = 1usize << bits;
    starts.clear();
    starts.resize(bins + 1, 0);
    for (s, _) in items {
        starts[(s >> shift) as usize + 1] += 1;
    }
    for b in 0..bins {
        starts[b + 1] += starts[b];
    }
    sorted.clear();
    sorted.resize(items.len(), (0, 0));
    // Stable: within a bin, items keep their (ascending) positions.
    cursors.clear();
    cursors.extend_from_slice(&starts[..bins]);
    for item in items {
        let bin = (item.0 >> shift) as usize;
        if let Some(slot) = sorted.get_mut(cursors[bin] as usize) {
            *slot = *item;
        }
        cursors[bin] += 1;
    }
    for b in 0..bins {
        let Some(bin) = sorted.get_mut(starts[b] as usize..starts[b + 1] as usize) else {
            continue;
        };
        if bin.len() <= 16 {
            // Insertion sort on the key only: stable, so equal keys stay in position order.
            for i in 1..bin.len() {
                let mut j = i;
                while j > 0 && bin[j - 1].0 > bin[j].0 {
                    bin.swap(j - 1, j);
                    j -= 1;
                }
            }
        } else {
            // A crowded bin (keys chosen to collide): no quadratic sort.
            bin.sort_unstable();
        }
    }
}

/// Merges the ascending `fresh` into the ascending `sorted`, in place and each value once;
/// `repeat[k]` (false on entry) becomes true when `fresh[k]` was in `sorted` already. From the
/// back, so no second buffer is needed, and without a branch per step: the keys are random,
/// so a branch on which side to take would be mispredicted about every other step.
fn merge_new(sorted: &mut Vec<u64>, fresh: &[u64], repeat: &mut [bool]) {
    let old_len = sorted.len();
    sorted.resize(old_len + fresh.len(), 0);
    let (mut i, mut j) = (old_len, fresh.len().min(repeat.len()));
    let mut w = sorted.len();
    while i > 0 && j > 0 {
        let (a, b) = (sorted[i - 1], fresh[j - 1]);
        w -= 1;
        sorted[w] = a.max(b);
        // Written at every step; the last write for `j - 1` is the step that takes it.
        repeat[j - 1] = a == b;
        i -= usize::from(a >= b);
        j -= usize::from(b >= a);
    }
    // What is left of `fresh` is below all of `sorted`.
    while j > 0 {
        w -= 1;
        sorted[w] = fresh[j - 1];
        j -= 1;
    }
    // Each repeat left one slot unused at the front: close the gap.
    if w > i {
        sorted.copy_within(0..i, w - i);
        let gap = w - i;
        sorted.copy_within(gap.., 0);
        sorted.truncate(sorted.len() - gap);
    }
}

/// The slot where `rem` would be in a sorted bucket `start..end` of uniform remainders.
fn interpolate(start: usize, end: usize, rem: u32) -> usize {
    let len = end.saturating_sub(start) as u64;
    start + ((u64::from(rem) * len) >> 32) as usize
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

    /// Large batches take the sorted path: the same answers as a model set, with repeats
    /// inside a batch, across batches, across merges, and single inserts in between.
    #[test]
    fn sorted_batches_answer_like_a_model() {
        let mut set = KeySet::default();
        let mut model = BTreeSet::new();
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..60 {
            let len = SORTED_FROM + (next() % 20_000) as usize;
            let keys: Vec<u64> = (0..len)
                .map(|_| match next() % 10 {
                    // Small range: many repeats within and across batches.
                    0..=3 => next() % 50_000,
                    4 => next() | COMPACT_LIMIT,
                    _ => next() % COMPACT_LIMIT,
                })
                .collect();
            let mut new = vec![false; len];
            set.insert_many(&keys, &mut new);
            for (k, n) in keys.iter().zip(&new) {
                assert_eq!(*n, model.insert(*k), "round {round}, key {k}");
            }
            // Single inserts in the first half only: later merges see sorted keys alone.
            for _ in 0..if round < 20 { 100 } else { 0 } {
                let k = next() % 60_000;
                assert_eq!(set.insert(k), model.insert(k));
            }
        }
        assert_eq!(set.len(), model.len());
        assert!(model.iter().step_by(101).all(|k| set.contains(*k)));
    }

    proptest! {
        /// The in-place merge gives the sorted union and marks exactly the keys already there.
        #[test]
        fn merging_new_keys_gives_the_union(
            old in proptest::collection::btree_set(0u64..400, 0..120),
            fresh in proptest::collection::btree_set(0u64..400, 0..120),
        ) {
            let mut sorted: Vec<u64> = old.iter().copied().collect();
            let fresh: Vec<u64> = fresh.into_iter().collect();
            let mut repeat = vec![false; fresh.len()];
            merge_new(&mut sorted, &fresh, &mut repeat);
            let union: Vec<u64> = old.iter().chain(&fresh).copied().collect::<BTreeSet<_>>().into_iter().collect();
            prop_assert_eq!(sorted, union);
            for (k, r) in fresh.iter().zip(&repeat) {
                prop_assert_eq!(*r, old.contains(k));
            }
        }
    }

    #[test]
    fn crowded_bins_sort_exactly() {
        // Scrambled values sharing their top bits: one bin holds them all.
        let items: Vec<(u64, u32)> = (0..5000u32)
            .map(|i| (u64::from(i % 700) * 3 + 7, i))
            .collect();
        let (mut sorted, mut starts, mut cursors) = (Vec::new(), Vec::new(), Vec::new());
        sort_scrambled(&items, &mut sorted, &mut starts, &mut cursors);
        let mut expected = items.clone();
        expected.sort_unstable();
        assert_eq!(sorted, expected);
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
