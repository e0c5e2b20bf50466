//! The SQLite store's background checkpointer: a thread with its own connection that copies
//! the write-ahead log into the database file (`PRAGMA wal_checkpoint(PASSIVE)`) every few tens
//! of milliseconds, so that no operation pays for a checkpoint.
//!
//! Why: with SQLite's automatic checkpoints, the commit that takes the WAL past 1,000 pages
//! copies them all into the database and fsyncs it before it returns. Under a steady stream of
//! small operations (single inquiries, doses registered at a venue) that is one operation in a
//! hundred taking 5–10 ms instead of 0.3 ms: the p99 latency is the checkpoint's. A passive
//! checkpoint never blocks the writer (it copies what is committed and leaves the rest).
//!
//! The store's own full checkpoints ([`super::SqliteStore::checkpoint`], after a purge, and on
//! drop) take the same lock as the thread, so the two never meet (SQLite would refuse the second
//! checkpointer with `SQLITE_BUSY` and the purge could not truncate the WAL).

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use super::error::StoreError;

/// How often the thread looks for committed frames to copy.
const PERIOD: Duration = Duration::from_millis(50);

/// The running thread; stopping it (drop) waits for a checkpoint in progress to finish.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread on its own connection to the database at `path`. `lock` is held
    /// around every checkpoint, by the thread and by the store's own full checkpoints.
    ///
    /// # Errors
    /// Backend errors opening the connection; the thread cannot be spawned.
    pub fn start(path: &Path, lock: Arc<Mutex<()>>) -> Result<Checkpointer, StoreError> {
        let conn = Connection::open(path)?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("vrs-sqlite-checkpoint".into())
            .spawn(move || loop {
                match stopped.recv_timeout(PERIOD) {
                    Err(RecvTimeoutError::Timeout) => {}
                    // Asked to stop, or the store is gone.
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                }
                let Ok(_guard) = lock.lock() else {
                    return; // A checkpoint on the store's side panicked: stop quietly.
                };
                // Best effort: a failure (the file is busy, an I/O error) is retried next period,
                // and the store's automatic checkpoint remains as a backstop.
                let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            })
            .map_err(|e| StoreError::Backend(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Checkpointer {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
