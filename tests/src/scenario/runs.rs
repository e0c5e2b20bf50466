//! Which scenarios already ran on a store: a second run of the same scenario on the same
//! `--store` usually fails its expectations (they are written for a fresh store: the import is
//! `already_imported`, the dose `already_recorded`), and the runner says so instead of leaving
//! a newcomer with bare differences.
//!
//! Each run leaves an empty marker file `DIR/runs/<SHA-256 of the scenario file>`; the raw-store
//! scan (`scan-store`) reads only the files directly in DIR, so it never sees them.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The marker of one scenario file's content in the store directory `dir`.
pub struct RunMarker(PathBuf);

impl RunMarker {
    /// The marker for the scenario whose file holds `scenario` bytes.
    pub fn new(dir: &Path, scenario: &[u8]) -> RunMarker {
        RunMarker(dir.join("runs").join(hex::encode(Sha256::digest(scenario))))
    }

    /// Whether this scenario ran on the store before.
    pub fn exists(&self) -> bool {
        self.0.is_file()
    }

    /// Notes that the scenario runs on the store now.
    ///
    /// # Errors
    /// The directory or file cannot be written.
    pub fn record(&self) -> Result<(), String> {
        let fail = |e: std::io::Error| format!("{}: {e}", self.0.display());
        if let Some(runs) = self.0.parent() {
            std::fs::create_dir_all(runs).map_err(fail)?;
        }
        std::fs::write(&self.0, b"").map_err(fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_is_per_scenario_content_and_store() {
        let dir = std::env::temp_dir().join(format!("vrs-runs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let a = RunMarker::new(&dir, b"{\"steps\": 1}");
        let b = RunMarker::new(&dir, b"{\"steps\": 2}");
        assert!(!a.exists());
        a.record().unwrap();
        assert!(a.exists() && !b.exists());
        assert!(RunMarker::new(&dir, b"{\"steps\": 1}").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
