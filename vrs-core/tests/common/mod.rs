//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// A directory under the system temp dir, unique to this process, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// `vrs-<name>-<pid>`, emptied if a previous run left it behind (not created).
    pub fn fresh(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("vrs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
