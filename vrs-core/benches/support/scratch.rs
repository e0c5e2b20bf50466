//! A scratch directory for one benchmark sample (shared by the benches that include it).

use std::path::PathBuf;

/// A directory under the system temp dir, unique to this process, created empty and removed
/// when dropped.
pub struct ScratchDir(pub PathBuf);

impl ScratchDir {
    /// `vrs-bench-<name>-<pid>`, emptied if a previous run left it behind.
    pub fn new(name: &str) -> ScratchDir {
        let dir = std::env::temp_dir().join(format!("vrs-bench-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        ScratchDir(dir)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
