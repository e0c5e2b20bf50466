//! An exact set of integer keys in about 4 bytes per key, for cross-row rules on files of
//! millions of rows.
//!
//! Keys below 2^50 (every voucher key and every numeric addressee number, see
//! [`super::cross`]) are scrambled by a bijection on 50 bits keyed at random per set, so they
//! spread evenly whatever their shape (and a file cannot be crafted to crowd them), then split
//! into an 18-bit bucket and a 32-bit remainder. A small set is a hash set of scrambled keys;
//! from [`SMALL_LIMIT`] keys on, the set is one `Vec<u32>` of remainders laid out bucket by
//! bucket, each bucket's remainders sorted at the start of its region and a few free slots
//! after them, plus a table of bucket bounds (2 MiB). A new key is slotted into its bucket
//! right where its lookup ended; a full bucket borrows a free slot from the nearest bucket
//! that has one, shifting the buckets in between by one slot; when few free slots are left,
//! the layout is spread again with new ones. Nothing is approximate: `insert` answers exactly
//! whether the key was new. Keys of 2^50 and above go to a plain hash set. Slots are numbered
//! in 32 bits: up to about four billion keys, a file of some 400 GB.

use std::collections::hash_map::RandomState;
use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

/// Keys below this are stored compactly.
pub(crate) const COMPACT_LIMIT: u64 = 1 << 50;
const HALF_BITS: u32 = 25;
const BUCKET_BITS: u32 = 18;
const BUCKETS: usize = 1 << BUCKET_BITS;
/// Keys whose lookups run side by side.
const GROUP: usize = 32;
/// Batches of at least this many keys are sorted before their lookups.
const SORTED_FROM: usize = 4096;
/// Keys held in the hash set before the bucket layout (whose bounds table alone is 2 MiB) is
/// built.
const SMALL_LIMIT: usize = 1 << 16;
/// Free slots per bucket after a layout (plus one per 32 keys, so that layouts grow
/// geometrically on very large files): a bucket borrows from a neighbour only once it has
/// taken this many more keys than it had.
const SLACK_PER_BUCKET: usize = 2;
/// The layout is spread again when fewer free slots than this are left (half a slot per
/// bucket: the free slot nearest to a full bucket is then a few buckets away).
const RESPREAD_BELOW: usize = BUCKETS / 2;
/// Farthest a full bucket looks for a free slot (in buckets, each way) before the layout is
/// spread again.
const REACH: usize = 64;

/// Scrambled keys are already uniform, so their low bits hash them well.
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

/// A bijection on 50-bit values with random keys: even spread, exact, and not predictable from
/// outside the run. Each step is a bijection of `0..2^50`: xor with a key, multiplication by an
/// odd number modulo 2^50 (which carries every bit upwards), and a right xor-shift (which
/// brings the high bits down into the remainder).
#[derive(Debug, Clone)]
struct Scrambler {
    keys: [u64; 2],
}

impl Default for Scrambler {
    fn default() -> Self {
        let state = RandomState::new();
        Scrambler {
            keys: [
                state.hash_one(0u64) & MASK_50,
                state.hash_one(1u64) & MASK_50,
            ],
        }
    }
}

const MASK_50: u64 = COMPACT_LIMIT - 1;

impl Scrambler {
    fn scramble(&self, key: u64) -> u64 {
        let mut x = (key ^ self.keys[0]) & MASK_50;
        x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15) & MASK_50;
        x ^= x >> HALF_BITS;
        x ^= self.keys[1];
        x = x.wrapping_mul(0xD6E8_FEB8_6659_FD93) & MASK_50;
        x ^ (x >> HALF_BITS)
    }
}

/// The set. See the module docs.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    scrambler: Scrambler,
    /// Scrambled keys while the set is small (no layout yet).
    small: FastSet,
    /// Remainders (low 32 bits of scrambled keys), bucket by bucket.
    rems: Vec<u32>,
    /// Per bucket `[start, end]`: its region is `start..` the next bucket's start, its sorted
    /// remainders `start..end`. One more entry holds the end of the last region. Empty until
    /// the set is laid out.
    bounds: Vec<[u32; 2]>,
    /// Keys in `rems`.
    laid: usize,
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
}

impl KeySet {
    /// Inserts `key`; returns false when it was already there.
    pub(crate) fn insert(&mut self, key: u64) -> bool {
        if key >= COMPACT_LIMIT {
            return self.large.insert(key);
        }
        let s = self.scrambler.scramble(key);
        self.insert_scrambled(s)
    }

    /// True when `key` is in the set.
    pub(crate) fn contains(&self, key: u64) -> bool {
        if key >= COMPACT_LIMIT {
            return self.large.contains(&key);
        }
        let s = self.scrambler.scramble(key);
        if self.bounds.is_empty() {
            self.small.contains(&s)
        } else {
            self.find(s).is_ok()
        }
    }

    /// Number of keys.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.small.len() + self.laid + self.large.len()
    }

    /// Inserts every key of `keys` in order; `new[i]` says whether `keys[i]` was new (a key
    /// repeated within `keys` is new only the first time). The same answers as calling
    /// [`insert`](Self::insert) for each key.
    ///
    /// A batch of [`SORTED_FROM`] keys or more is sorted first and looked up in ascending
    /// order: the lookups then sweep the set from its start to its end instead of jumping
    /// about it, which is what makes a lookup cheap once the set is far larger than the cache,
    /// and the memory of each group of lookups is touched before any of them runs, so their
    /// cache misses overlap instead of queueing up.
    pub(crate) fn insert_many(&mut self, keys: &[u64], new: &mut [bool]) {
        if keys.len() >= SORTED_FROM {
            // Positions in a sorted batch are u32.
            for (keys, new) in keys.chunks(1 << 24).zip(new.chunks_mut(1 << 24)) {
                self.insert_sorted(keys, new);
            }
            return;
        }
        for (k, n) in keys.iter().zip(new.iter_mut()) {
            *n = self.insert(*k);
        }
    }

    /// [`insert_many`](Self::insert_many) for a large batch (fewer than 2^32 keys): sort the
    /// batch, then insert its keys in ascending order, a repeat within the batch never new.
    fn insert_sorted(&mut self, keys: &[u64], new: &mut [bool]) {
        let mut sc = std::mem::take(&mut self.scratch);
        sc.items.clear();
        for (i, (k, n)) in keys.iter().zip(new.iter_mut()).enumerate() {
            if *k >= COMPACT_LIMIT {
                *n = self.large.insert(*k);
            } else {
                sc.items.push((self.scrambler.scramble(*k), i as u32));
            }
        }
        sort_scrambled(&sc.items, &mut sc.sorted, &mut sc.starts, &mut sc.cursors);
        // Equal keys are side by side, the first position first: only that one can be new.
        let mut last = None;
        let mut groups = sc.sorted.chunks(GROUP).peekable();
        if let Some(first) = groups.peek() {
            self.touch(first.iter().map(|(s, _)| *s));
        }
        while let Some(group) = groups.next() {
            // The next group's memory loads while this group is inserted.
            if let Some(next) = groups.peek() {
                self.touch(next.iter().map(|(s, _)| *s));
            }
            for &(s, i) in group {
                let fresh = last != Some(s) && self.insert_scrambled(s);
                last = Some(s);
                if let Some(n) = new.get_mut(i as usize) {
                    *n = fresh;
                }
            }
        }
        self.scratch = sc;
    }

    /// Starts loading the memory the lookups of `scrambled` will read (their buckets' bounds,
    /// then the slots guessed for them), so that the cache misses of a group overlap.
    fn touch(&self, scrambled: impl Iterator<Item = u64> + Clone) {
        if self.bounds.is_empty() {
            return;
        }
        let mut touched = 0u32;
        for s in scrambled.clone() {
            touched ^= self.bounds.get(bucket_of(s)).map_or(0, |b| b[0]);
        }
        for s in scrambled {
            let keys = self.keys_of(bucket_of(s));
            let guess = interpolate(keys.start, keys.end, s as u32);
            touched ^= self.rems.get(guess).copied().unwrap_or(0);
        }
        std::hint::black_box(touched);
    }

    /// Inserts scrambled key `s` (below 2^50); false when it was there.
    fn insert_scrambled(&mut self, s: u64) -> bool {
        if self.bounds.is_empty() {
            if !self.small.insert(s) {
                return false;
            }
            if self.small.len() >= SMALL_LIMIT {
                self.lay_out();
            }
            return true;
        }
        match self.find(s) {
            Ok(()) => false,
            Err(at) => {
                self.place(s, at);
                true
            }
        }
    }

    /// The slots of bucket `b`'s remainders.
    fn keys_of(&self, b: usize) -> std::ops::Range<usize> {
        match self.bounds.get(b) {
            Some(&[start, end]) => start as usize..(end as usize).max(start as usize),
            None => 0..0,
        }
    }

    /// The start of the region after bucket `b`'s (its region's end).
    fn region_end(&self, b: usize) -> usize {
        self.bounds
            .get(b + 1)
            .map_or(self.rems.len(), |n| n[0] as usize)
    }

    /// `Ok` when scrambled key `s` is laid out, else `Err` with the slot it would take in its
    /// bucket. Remainders are uniform within a bucket, so the slot is guessed from the value
    /// (interpolation) and the walk from there is short, usually inside the cache line guessed.
    fn find(&self, s: u64) -> Result<(), usize> {
        let keys = self.keys_of(bucket_of(s));
        let rem = s as u32;
        let Some(bucket) = self.rems.get(keys.clone()) else {
            return Err(keys.start);
        };
        let mut i = interpolate(0, bucket.len(), rem).min(bucket.len());
        while i < bucket.len() && bucket[i] < rem {
            i += 1;
        }
        while i > 0 && bucket[i - 1] >= rem {
            i -= 1;
        }
        if bucket.get(i) == Some(&rem) {
            Ok(())
        } else {
            Err(keys.start + i)
        }
    }

    /// Puts scrambled key `s` at slot `at` of its bucket, where [`find`](Self::find) said it
    /// goes.
    fn place(&mut self, s: u64, mut at: usize) {
        let b = bucket_of(s);
        if self.keys_of(b).end >= self.region_end(b) {
            // Full: take a free slot from a neighbour, or spread the layout again.
            match self.borrow_slot(b) {
                Some(true) => at -= 1,
                Some(false) => {}
                None => {
                    self.respread();
                    // Every bucket has free slots after a spread; find the key's slot again.
                    match self.find(s) {
                        Err(slot) => at = slot,
                        Ok(()) => return,
                    }
                }
            }
        }
        let keys = self.keys_of(b);
        shift_up(&mut self.rems, at..keys.end);
        self.rems[at] = s as u32;
        self.bounds[b][1] += 1;
        self.laid += 1;
        if self.free() < RESPREAD_BELOW {
            self.respread();
        }
    }

    /// Gives full bucket `b` a free slot at its end by shifting the buckets between it and the
    /// nearest bucket with a free slot (at most [`REACH`] away) by one slot. Returns whether
    /// bucket `b`'s remainders moved down one slot (the free slot came from below); `None`
    /// when no bucket within reach has a free slot.
    fn borrow_slot(&mut self, b: usize) -> Option<bool> {
        for d in 1..=REACH {
            let up = b + d;
            if up < BUCKETS && self.keys_of(up).end < self.region_end(up) {
                // Buckets b+1..=up move up one slot; b's region ends one slot later.
                let from = self.region_end(b);
                let to = self.keys_of(up).end;
                shift_up(&mut self.rems, from..to);
                for bound in &mut self.bounds[b + 1..=up] {
                    bound[0] += 1;
                    bound[1] += 1;
                }
                return Some(false);
            }
            if let Some(down) = b.checked_sub(d) {
                if self.keys_of(down).end < self.region_end(down) {
                    // Buckets down+1..=b move down one slot into the free slot of `down`.
                    let from = self.region_end(down);
                    let to = self.keys_of(b).end;
                    self.rems.copy_within(from..to, from - 1);
                    for bound in &mut self.bounds[down + 1..=b] {
                        bound[0] -= 1;
                        bound[1] -= 1;
                    }
                    return Some(true);
                }
            }
        }
        None
    }

    /// Builds the bucket layout from the small hash set.
    fn lay_out(&mut self) {
        let mut keys: Vec<u64> = self.small.drain().collect();
        self.small = FastSet::default();
        keys.sort_unstable();
        // Packed, bucket after bucket, then spread like any layout.
        self.rems = keys.iter().map(|s| *s as u32).collect();
        self.bounds = Vec::with_capacity(BUCKETS + 1);
        let mut next = 0;
        for b in 0..BUCKETS {
            let start = next;
            next += keys[next..]
                .iter()
                .take_while(|s| bucket_of(**s) == b)
                .count();
            self.bounds.push([start as u32, next as u32]);
        }
        self.bounds.push([keys.len() as u32; 2]);
        self.laid = keys.len();
        self.respread();
    }

    /// Free slots in `rems`: every slot not holding a key.
    fn free(&self) -> usize {
        self.rems.len() - self.laid
    }

    /// Spreads the layout again with fresh free slots evenly between buckets, moving each
    /// bucket once. Buckets moving down are moved first, lowest first,
    /// then buckets moving up, highest first: neither kind can overwrite a bucket not yet moved
    /// (the order of buckets is kept, so a bucket moving down lands above every lower bucket's
    /// new place, and a bucket moving up lands below every higher bucket's).
    fn respread(&mut self) {
        let n = self.laid;
        if n + slack_for(n) > self.rems.len() {
            self.rems.resize(n + slack_for(n), 0);
        }
        let capacity = self.rems.len();
        let slack = capacity - n;
        // Pass 1: buckets moving down, ascending; their new start from the keys below them.
        let mut below = 0;
        for b in 0..BUCKETS {
            let keys = self.keys_of(b);
            let start = below + spread_before(b, slack);
            if start < keys.start {
                self.rems.copy_within(keys.clone(), start);
                self.bounds[b] = [start as u32, (start + keys.len()) as u32];
            }
            below += keys.len();
        }
        // Pass 2: buckets moving up, descending; their new start from the keys above them.
        let mut above = 0;
        for b in (0..BUCKETS).rev() {
            let keys = self.keys_of(b);
            above += keys.len();
            let start = n - above + spread_before(b, slack);
            if start > keys.start {
                shift_to(&mut self.rems, keys.clone(), start);
                self.bounds[b] = [start as u32, (start + keys.len()) as u32];
            }
        }
        if let Some(last) = self.bounds.get_mut(BUCKETS) {
            *last = [capacity as u32; 2];
        }
    }
}

/// The bucket of scrambled key `s`.
fn bucket_of(s: u64) -> usize {
    (s >> 32) as usize
}

/// Free slots for a layout of `n` keys.
fn slack_for(n: usize) -> usize {
    SLACK_PER_BUCKET * BUCKETS + n / 32
}

/// Free slots before bucket `b` when `slack` of them are spread evenly.
fn spread_before(b: usize, slack: usize) -> usize {
    (b as u64 * slack as u64 / BUCKETS as u64) as usize
}

/// Moves `rems[range]` up one slot (the slot after it is free). Buckets are short, so a plain
/// loop beats a call to `memmove` for most of them.
fn shift_up(rems: &mut [u32], range: std::ops::Range<usize>) {
    shift_to(rems, range.clone(), range.start + 1);
}

/// Moves `rems[range]` to start at `to` (not below its start), highest first.
fn shift_to(rems: &mut [u32], range: std::ops::Range<usize>, to: usize) {
    if range.len() > 32 {
        rems.copy_within(range, to);
        return;
    }
    let by = to - range.start;
    for i in range.rev() {
        rems[i + by] = rems[i];
    }
}

/// `sorted` = `items` sorted by (scrambled key, position): a counting sort on the top bits
/// (a few items per bin), then each bin sorted on its own. `starts`, `cursors`: scratch.
fn sort_scrambled(
    items: &[(u64, u32)],
    sorted: &mut Vec<(u64, u32)>,
    starts: &mut Vec<u32>,
    cursors: &mut Vec<u32>,
) {
    // Scrambled keys are uniform on 50 bits: two to four items per bin, so that the passes
    // over the bins cost less than the items' own moves.
    let bits = (usize::BITS - items.len().leading_zeros())
        .saturating_sub(2)
        .clamp(4, 20);
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

    impl KeySet {
        /// Lays the set out now, however small.
        fn force_layout(&mut self) {
            if self.bounds.is_empty() {
                self.lay_out();
            }
        }

        /// Checks the layout's invariants: bounds in order, each bucket's remainders sorted
        /// and in their bucket, the counts right.
        fn assert_laid_out_well(&self) {
            let mut keys = 0;
            let mut free = 0;
            for b in 0..BUCKETS {
                let k = self.keys_of(b);
                assert!(
                    k.start <= k.end && k.end <= self.region_end(b),
                    "bucket {b}"
                );
                assert!(
                    self.rems[k.clone()].windows(2).all(|w| w[0] < w[1]),
                    "bucket {b}"
                );
                keys += k.len();
                free += self.region_end(b) - k.end;
            }
            assert_eq!(keys, self.laid);
            assert_eq!(free, self.free());
            assert_eq!(self.region_end(BUCKETS - 1), self.rems.len());
        }
    }

    #[test]
    fn scramble_is_a_bijection_on_a_sample() {
        let scrambler = Scrambler::default();
        let mut seen = HashSet::new();
        for k in (0..200_000u64).chain((0..200_000).map(|i| COMPACT_LIMIT - 1 - i * 7919)) {
            let s = scrambler.scramble(k);
            assert!(s < COMPACT_LIMIT);
            assert!(seen.insert(s), "collision at {k}");
        }
    }

    #[test]
    fn many_keys_across_layouts_are_exact() {
        let mut set = KeySet::default();
        // Past the layout and two spreads.
        let n = (SMALL_LIMIT * 12 + 123) as u64;
        for i in 0..n {
            assert!(set.insert(i * 1_000_003 % COMPACT_LIMIT), "{i} is new");
        }
        assert_eq!(set.len() as u64, n);
        set.assert_laid_out_well();
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

    /// Keys crowded into a few buckets (as if chosen to collide): full buckets borrow free
    /// slots from neighbours on both sides, then the layout is spread again; every answer
    /// stays exact.
    #[test]
    fn crowded_buckets_borrow_and_spread_again() {
        let mut set = KeySet::default();
        let mut model = BTreeSet::new();
        for i in 0..1000u64 {
            let s = i * 0x9E37_79B9 % COMPACT_LIMIT;
            assert_eq!(set.insert_scrambled(s), model.insert(s));
        }
        set.force_layout();
        set.assert_laid_out_well();
        let mut x = 88_172_645_463_325_252u64;
        for round in 0..6_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // The first bucket, the last, and one in the middle.
            let bucket = [0, BUCKETS as u64 - 1, 12_345][(round % 3) as usize];
            let s = bucket << 32 | (x % 5_000);
            assert_eq!(set.insert_scrambled(s), model.insert(s), "round {round}");
            if round % 1000 == 999 {
                set.assert_laid_out_well();
            }
        }
        set.assert_laid_out_well();
        assert_eq!(set.len(), model.len());
        for s in &model {
            assert!(set.find(*s).is_ok(), "{s}");
        }
        assert!(set.find(12_345 << 32 | 5_001).is_err());
    }

    /// Large batches take the sorted path: the same answers as a model set, with repeats
    /// inside a batch, across batches, across spreads, and single inserts in between.
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
            for _ in 0..if round < 20 { 100 } else { 0 } {
                let k = next() % 60_000;
                assert_eq!(set.insert(k), model.insert(k));
            }
        }
        assert_eq!(set.len(), model.len());
        set.assert_laid_out_well();
        assert!(model.iter().step_by(101).all(|k| set.contains(*k)));
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
                    many.force_layout();
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
                    set.force_layout();
                }
            }
            for k in &keys {
                prop_assert!(set.contains(*k));
            }
        }
    }
}
