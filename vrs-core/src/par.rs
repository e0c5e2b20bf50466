//! CPU-bound work split over the machine's cores: a batch inquiry derives and opens some 400,000
//! keyed, sealed records, which one core does in about a second.
//!
//! Only scoped threads of the standard library: nothing outlives the call, and a small input
//! (below [`MIN_PER_THREAD`] items per thread) runs on the caller's thread alone, so single
//! inquiries pay nothing for it.

use std::num::NonZeroUsize;
use std::thread;

/// The fewest items worth a thread of their own (spawning one costs tens of microseconds).
pub(crate) const MIN_PER_THREAD: usize = 2048;

/// Threads used at most, whatever the machine has (the work is memory-bound beyond a few).
const MAX_THREADS: usize = 4;

/// How many threads to split `items` items over.
pub(crate) fn threads_for(items: usize) -> usize {
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    cores.min(MAX_THREADS).min(items / MIN_PER_THREAD).max(1)
}

/// `f` applied to every item, in order; the first error (in item order) when any fails.
///
/// # Errors
/// The error of the first item (in order) for which `f` failed.
pub(crate) fn try_map<T, U, E, F>(items: &[T], f: F) -> Result<Vec<U>, E>
where
    T: Sync,
    U: Send,
    E: Send,
    F: Fn(&T) -> Result<U, E> + Sync,
{
    let threads = threads_for(items.len());
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    let parts: Vec<Result<Vec<U>, E>> = thread::scope(|s| {
        let mut chunks = items.chunks(chunk);
        // The caller's thread takes the first chunk itself.
        let first = chunks.next().unwrap_or(&[]);
        let handles: Vec<_> = chunks
            .map(|c| s.spawn(move || c.iter().map(f).collect::<Result<Vec<U>, E>>()))
            .collect();
        let mut parts = vec![first.iter().map(f).collect()];
        for h in handles {
            // A panic in `f` is re-raised here, as it would have been without threads.
            parts.push(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        parts
    });
    let mut out = Vec::with_capacity(items.len());
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

/// `f` applied to every item, in order.
pub(crate) fn map<T, U, F>(items: &[T], f: F) -> Vec<U>
where
    T: Sync,
    U: Send,
    F: Fn(&T) -> U + Sync,
{
    match try_map(items, |t| Ok::<U, std::convert::Infallible>(f(t))) {
        Ok(v) => v,
        Err(never) => match never {},
    }
}

/// Values a scan copies out (each with what identifies it) to work on a batch at a time on every
/// core: opening sealed records, computing their MACs. One buffer holds all the bytes.
pub(crate) struct ValueBatch<M> {
    bytes: Vec<u8>,
    items: Vec<(M, std::ops::Range<usize>)>,
}

impl<M: Sync> ValueBatch<M> {
    /// Values held before a scan should work on them: enough for every core to take a share,
    /// few enough that the copies stay small (a few megabytes).
    pub const FULL: usize = 8192;

    /// An empty batch.
    pub fn new() -> ValueBatch<M> {
        ValueBatch {
            bytes: Vec::new(),
            items: Vec::new(),
        }
    }

    /// Copies `value` in, with `meta`.
    pub fn push(&mut self, meta: M, value: &[u8]) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(value);
        self.items.push((meta, start..self.bytes.len()));
    }

    /// Whether the batch holds [`ValueBatch::FULL`] values or more.
    pub fn is_full(&self) -> bool {
        self.items.len() >= Self::FULL
    }

    /// `f` applied to every value, in order, on every core.
    pub fn map<U: Send>(&self, f: impl Fn(&M, &[u8]) -> U + Sync) -> Vec<U> {
        map(&self.items, |(meta, at)| f(meta, &self.bytes[at.clone()]))
    }

    /// What identifies each value, in order.
    pub fn metas(&self) -> impl Iterator<Item = &M> {
        self.items.iter().map(|(meta, _)| meta)
    }

    /// Empties the batch (its buffers are kept for the next).
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.items.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items_whatever_the_split() {
        for n in [0, 1, 10, MIN_PER_THREAD * 2 - 1, MIN_PER_THREAD * 2, 20_001] {
            let items: Vec<usize> = (0..n).collect();
            let squares = map(&items, |i| i * i);
            assert_eq!(squares, items.iter().map(|i| i * i).collect::<Vec<_>>());
        }
    }

    #[test]
    fn the_first_failing_item_in_order_is_reported() {
        let items: Vec<usize> = (0..20_000).collect();
        let r = try_map(&items, |&i| if i % 7_000 == 6_999 { Err(i) } else { Ok(i) });
        assert_eq!(r, Err(6_999));
        assert_eq!(
            try_map(&items, |&i| Ok::<_, ()>(i)).map(|v| v.len()),
            Ok(20_000)
        );
    }

    #[test]
    fn a_value_batch_maps_its_values_in_order_and_empties() {
        let mut batch = ValueBatch::new();
        for i in 0..(ValueBatch::<u32>::FULL as u32) {
            assert!(!batch.is_full());
            batch.push(i, &i.to_be_bytes()[..(i % 4) as usize]);
        }
        assert!(batch.is_full());
        let lens = batch.map(|i, v| (*i, v.len()));
        assert!(lens.iter().all(|(i, len)| *len == (*i % 4) as usize));
        assert!(batch.metas().copied().eq(0..ValueBatch::<u32>::FULL as u32));
        batch.clear();
        assert_eq!(batch.metas().count(), 0);
    }

    #[test]
    fn small_inputs_stay_on_the_callers_thread() {
        assert_eq!(threads_for(0), 1);
        assert_eq!(threads_for(MIN_PER_THREAD * 2 - 1), 1);
        assert!(threads_for(1_000_000) <= MAX_THREADS);
    }
}
