//! Helpers shared by the integration tests.

use std::path::PathBuf;

use vrs_core::id::MunicipalityCode;
use vrs_core::registry::Principal;

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

/// The municipality code `c` (a valid code).
// Each test binary compiles this module and uses a part of it.
#[allow(dead_code)]
pub fn code(c: &str) -> MunicipalityCode {
    MunicipalityCode::parse(c).unwrap()
}

/// Staff user `u1` of municipality `c`.
#[allow(dead_code)]
pub fn staff(c: &str) -> Principal {
    Principal::MunicipalStaff {
        tenant: code(c),
        user_id: "u1".into(),
    }
}
