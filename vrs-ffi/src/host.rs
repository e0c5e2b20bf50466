//! What the host supplies to a registry, shared by the C ABI and the uniffi interface: the
//! clock (the operating system's, or a pinned time), and opening a registry over a store
//! directory with a key directory, or in memory with one master key.
//!
//! `vrs-core` reads no clock of its own; this is where real time enters.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use vrs_core::crypto::MasterKeyProvider;
use vrs_core::date::DateTime;
use vrs_core::registry::{jst_from_unix, Clock, Registry, RegistryConfig, RegistryError};
use vrs_core::store::{FileKeyProvider, MemoryStore, SqliteOptions, SqliteStore};

/// The operating system's clock, read as Japan time.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime {
        let seconds = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
            Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
        };
        jst_from_unix(seconds)
    }
}

/// The clock a registry opened through the bindings reads: the system clock, unless the host
/// pinned a time (tests, batch runs with a fixed processing date). Clones share the setting, so
/// the handle can move the clock of the registry it owns.
#[derive(Debug, Clone, Default)]
pub(crate) struct HostClock {
    pinned: Arc<Mutex<Option<DateTime>>>,
}

impl HostClock {
    /// A clock pinned at `at`, or following the system clock for `None`.
    pub(crate) fn new(at: Option<DateTime>) -> HostClock {
        HostClock {
            pinned: Arc::new(Mutex::new(at)),
        }
    }

    /// Pins the clock at `at`, or lets it follow the system clock again for `None`.
    pub(crate) fn set(&self, at: Option<DateTime>) {
        *self.pinned.lock().unwrap_or_else(PoisonError::into_inner) = at;
    }
}

impl Clock for HostClock {
    fn now(&self) -> DateTime {
        let pinned = *self.pinned.lock().unwrap_or_else(PoisonError::into_inner);
        pinned.unwrap_or_else(|| SystemClock.now())
    }
}

/// The settings a host may change; `None` keeps the core default.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Settings {
    pub staff_quota: Option<u32>,
    pub stats_threshold: Option<u64>,
    pub import_batch_rows: Option<usize>,
}

impl Settings {
    fn config(self) -> RegistryConfig {
        let defaults = RegistryConfig::default();
        RegistryConfig {
            staff_quota: self.staff_quota.unwrap_or(defaults.staff_quota),
            stats_threshold: self.stats_threshold.unwrap_or(defaults.stats_threshold),
            import_batch_rows: self.import_batch_rows.unwrap_or(defaults.import_batch_rows),
            ..defaults
        }
    }
}

/// Opens the registry whose SQLite store is in `store_dir` (created if needed), with keys from
/// the key directory `key_dir` (`master.key`, see [`FileKeyProvider`]).
pub(crate) fn open_dirs(
    store_dir: &Path,
    key_dir: &Path,
    settings: Settings,
    clock: HostClock,
) -> Result<Registry, RegistryError> {
    // Keys first: a missing or unsafe key directory creates no database file.
    let keys = FileKeyProvider::open(key_dir)?;
    let store = SqliteStore::open_dir(store_dir, SqliteOptions::default())?;
    Registry::open(
        Box::new(store),
        Box::new(keys),
        Box::new(clock),
        settings.config(),
    )
}

/// Opens an empty in-memory registry whose keys all derive from `master` (tests, demos).
pub(crate) fn open_memory(
    master: [u8; 32],
    settings: Settings,
    clock: HostClock,
) -> Result<Registry, RegistryError> {
    Registry::open(
        Box::new(MemoryStore::new()),
        Box::new(MasterKeyProvider::new(master)),
        Box::new(clock),
        settings.config(),
    )
}

/// Creates a key directory with a fresh random `master.key` (mode 0600, directory 0700).
pub(crate) fn create_key_dir(dir: &Path) -> Result<(), RegistryError> {
    FileKeyProvider::create(dir)?;
    Ok(())
}

/// A pinned time from `YYYY-MM-DDTHH:MM:SS` or `YYYYMMDDHHMMSS`.
pub(crate) fn parse_time(s: &str) -> Result<DateTime, vrs_core::date::DateError> {
    if s.contains('T') {
        DateTime::parse_iso(s)
    } else {
        DateTime::parse_yyyymmddhhmmss(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_clock_follows_the_system_until_pinned() {
        let clock = HostClock::new(None);
        let before = SystemClock.now();
        let now = clock.now();
        assert!(now >= before && now.date >= vrs_core::date::Date::new(2024, 1, 1).unwrap());
        let at = parse_time("2021-07-01T09:00:00").unwrap();
        assert_eq!(parse_time("20210701090000").unwrap(), at);
        let shared = clock.clone();
        shared.set(Some(at));
        assert_eq!(clock.now(), at);
        assert_eq!(clock.now(), at, "a pinned clock stands still");
        clock.set(None);
        assert!(shared.now() >= now);
    }
}
