//! Reading a dense batch by walking it: when the records a batch of point reads
//! ([`Store::visit_many`](super::Store::visit_many)) wants are a large share of their kind (a purge
//! reads every record it is about to delete), one walk along the kind in key order costs a
//! fraction of a look-up per record passed. The walk checks as it goes that the batch is dense,
//! and hands back the rest to be looked up as soon as it is not, so a sparse batch (an inquiry's
//! reads among a million records) pays a few milliseconds for trying.

use rusqlite::{params, Connection};

use super::error::StoreError;
use super::side_reader::value_bytes;
use super::RecordId;
use crate::par::ValueBatch;

/// Batches smaller than this are looked up without trying a walk.
pub(crate) const MIN_WALK: usize = 4096;
/// A walk goes on while at least one record in this many it passes is wanted (a look-up costs
/// about as much as passing this many records) ...
const SHARE: usize = 8;
/// ... judged once it has passed this many records.
const PROBE: usize = 4096;

/// Whether `ids` may be walked: enough of them, all of one tenant and kind, in key order.
pub(crate) fn walkable(ids: &[RecordId]) -> bool {
    ids.len() >= MIN_WALK
        && ids
            .windows(2)
            .all(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1) && w[0].2 < w[1].2)
}

/// Walks the kind of `ids` (see [`walkable`]) from the first of them on `conn`, handing each
/// value wanted to `visit` with its index (on every core, a batch at a time) and each absent
/// one as `None`. Returns how many of `ids` were visited: all of them, or fewer when the walk
/// found the batch sparse and stopped; the caller looks the rest up.
///
/// # Errors
/// Backend errors (some values may have been visited).
pub(crate) fn walk(
    conn: &Connection,
    ids: &[RecordId],
    visit: &(dyn Fn(usize, Option<&[u8]>) + Sync),
) -> Result<usize, StoreError> {
    let Some(&(tenant, kind, first)) = ids.first() else {
        return Ok(0);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT key, value FROM records WHERE tenant = ?1 AND kind = ?2 AND key >= ?3 ORDER BY key",
    )?;
    let mut rows = stmt.query(params![tenant, kind, &first[..]])?;
    let mut batch: ValueBatch<usize> = ValueBatch::new();
    let flush = |batch: &mut ValueBatch<usize>| {
        batch.map(|at, value| visit(*at, Some(value)));
        batch.clear();
    };
    let (mut next, mut passed, mut found) = (0, 0, 0);
    while next < ids.len() {
        let Some(row) = rows.next()? else {
            // The kind ends here: the rest are absent.
            (next..ids.len()).for_each(|i| visit(i, None));
            next = ids.len();
            break;
        };
        let key = row.get_ref(0)?.as_blob()?;
        while ids.get(next).is_some_and(|id| id.2[..] < *key) {
            visit(next, None);
            next += 1;
        }
        if ids.get(next).is_some_and(|id| id.2[..] == *key) {
            batch.push(next, value_bytes(row.get_ref(1)?)?);
            next += 1;
            found += 1;
            if batch.is_full() {
                flush(&mut batch);
            }
        }
        passed += 1;
        if passed >= PROBE && found * SHARE < passed {
            break;
        }
    }
    flush(&mut batch);
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// An empty table shaped like the SQLite store's.
    fn table() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE records (tenant INTEGER NOT NULL, kind INTEGER NOT NULL, \
             key BLOB NOT NULL, value BLOB NOT NULL, PRIMARY KEY (tenant, kind, key)) WITHOUT ROWID",
        )
        .unwrap();
        conn
    }

    /// Records `keys` in each of (1, 1), (1, 2) and (2, 1), valued (key, kind, tenant).
    fn conn_with(keys: &[u8]) -> Connection {
        let conn = table();
        for (tenant, kind) in [(1u32, 1u8), (1, 2), (2, 1)] {
            for k in keys {
                let key = key_of(*k, 0);
                let value = [*k, kind, tenant as u8];
                conn.execute(
                    "INSERT INTO records VALUES (?1, ?2, ?3, ?4)",
                    params![tenant, kind, &key[..], &value[..]],
                )
                .unwrap();
            }
        }
        conn
    }

    fn key_of(hi: u8, lo: u16) -> [u8; 16] {
        let mut k = [0u8; 16];
        k[0] = hi;
        k[14..].copy_from_slice(&lo.to_be_bytes());
        k
    }

    fn visited(conn: &Connection, ids: &[RecordId]) -> (usize, Vec<Option<Vec<u8>>>) {
        let seen: Vec<Mutex<Option<Option<Vec<u8>>>>> =
            ids.iter().map(|_| Mutex::new(None)).collect();
        let n = walk(conn, ids, &|i, v| {
            let mut slot = seen[i].lock().unwrap();
            assert!(slot.is_none(), "record {i} visited twice");
            *slot = Some(v.map(<[u8]>::to_vec));
        })
        .unwrap();
        let seen: Vec<_> = seen.into_iter().map(|m| m.into_inner().unwrap()).collect();
        // Exactly the first `n` were visited.
        assert!(seen[..n].iter().all(Option::is_some));
        assert!(seen[n..].iter().all(Option::is_none));
        (n, seen.into_iter().flatten().collect())
    }

    #[test]
    fn a_dense_batch_is_walked_whole_with_the_absent_ones_reported() {
        let stored: Vec<u8> = (0..=255u8).filter(|k| k % 4 != 0).collect();
        let conn = conn_with(&stored);
        // Every stored key of (1, 2), and the absent multiples of 4, before and after the end.
        let ids: Vec<RecordId> = (0..=255u8).map(|k| (1, 2, key_of(k, 0))).collect();
        let (n, values) = visited(&conn, &ids);
        assert_eq!(n, ids.len());
        for (k, v) in (0..=255u8).zip(values) {
            if k % 4 == 0 {
                assert_eq!(v, None, "key {k}");
            } else {
                assert_eq!(v, Some(vec![k, 2, 1]), "key {k}");
            }
        }
    }

    #[test]
    fn a_walk_stays_within_its_tenant_and_kind() {
        let conn = conn_with(&[1, 2, 3]);
        let ids = vec![(1, 1, key_of(3, 0)), (1, 1, key_of(9, 0))];
        let (n, values) = visited(&conn, &ids);
        assert_eq!(n, 2);
        assert_eq!(values, vec![Some(vec![3, 1, 1]), None]);
    }

    #[test]
    fn a_sparse_batch_is_handed_back_after_the_probe() {
        let conn = table();
        for lo in 0..40_000u16 {
            conn.execute(
                "INSERT INTO records VALUES (1, 1, ?1, x'00')",
                params![&key_of(0, lo)[..]],
            )
            .unwrap();
        }
        // One wanted record in 20: the walk stops soon after the probe and hands back the rest.
        let ids: Vec<RecordId> = (0..2000u16).map(|i| (1, 1, key_of(0, i * 20))).collect();
        let (n, values) = visited(&conn, &ids);
        assert!(n > 0 && n < ids.len(), "walked {n} of {}", ids.len());
        assert!(values.iter().all(|v| v.as_deref() == Some(&[0][..])));
    }

    #[test]
    fn only_sorted_batches_of_one_kind_are_walkable() {
        let ids: Vec<RecordId> = (0..MIN_WALK as u16).map(|i| (1, 1, key_of(0, i))).collect();
        assert!(walkable(&ids));
        assert!(!walkable(&ids[..MIN_WALK - 1]));
        let mut unsorted = ids.clone();
        unsorted.swap(0, 1);
        assert!(!walkable(&unsorted));
        let mut mixed = ids.clone();
        mixed[7].1 = 2;
        assert!(!walkable(&mixed));
    }

    proptest::proptest! {
        /// Whatever is stored and wanted, the walk hands over exactly what a look-up of each
        /// wanted key finds (the sets are small: dense or not, the walk goes to the end).
        #[test]
        fn a_walk_sees_what_look_ups_see(
            stored in proptest::collection::btree_set(0u16..600, 0..300),
            wanted in proptest::collection::btree_set(0u16..600, 1..300),
        ) {
            let conn = table();
            for k in &stored {
                conn.execute(
                    "INSERT INTO records VALUES (1, 1, ?1, ?2)",
                    params![&key_of(7, *k)[..], &k.to_be_bytes()[..]],
                )
                .unwrap();
            }
            let ids: Vec<RecordId> = wanted.iter().map(|k| (1, 1, key_of(7, *k))).collect();
            let (n, values) = visited(&conn, &ids);
            proptest::prop_assert_eq!(n, ids.len());
            let expected: Vec<Option<Vec<u8>>> = wanted
                .iter()
                .map(|k| stored.contains(k).then(|| k.to_be_bytes().to_vec()))
                .collect();
            proptest::prop_assert_eq!(values, expected);
        }
    }
}
