//! A key provider reading key files from a directory, for development and small installations.

use std::path::{Path, PathBuf};

use crate::crypto::{CryptoError, KeyProvider, MasterKeyProvider, SecretKey};
use crate::id::MunicipalityCode;

use super::error::StoreError;

/// Reads keys from files in one directory: `master.key` (every key is derived from it), and
/// optionally `<municipality code>.key` for a tenant with its own key and `registry.key`.
/// A key file holds 64 hex digits (a trailing newline is fine).
///
/// Files readable or writable by group or others are refused (Unix), as is a directory writable
/// by others. For production, implement [`KeyProvider`] over your HSM or KMS instead.
///
/// ```
/// use vrs_core::store::FileKeyProvider;
/// use vrs_core::crypto::KeyProvider;
/// let dir = std::env::temp_dir().join(format!("vrs-doc-keys-{}", std::process::id()));
/// FileKeyProvider::create(&dir)?;             // writes master.key, mode 0600
/// let keys = FileKeyProvider::open(&dir)?;
/// assert!(keys.registry_key().is_ok());
/// std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), vrs_core::store::StoreError>(())
/// ```
#[derive(Debug, Clone)]
pub struct FileKeyProvider {
    dir: PathBuf,
}

const MASTER: &str = "master.key";

impl FileKeyProvider {
    /// Creates `dir` (mode 0700) with a fresh random `master.key` (mode 0600). Refuses to
    /// overwrite an existing master key.
    ///
    /// # Errors
    /// [`StoreError::KeyFile`] when a master key exists; I/O errors.
    pub fn create(dir: &Path) -> Result<FileKeyProvider, StoreError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| StoreError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let path = dir.join(MASTER);
        let mut raw = zeroize::Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut raw[..]).map_err(|_| StoreError::KeyFile {
            path: path.display().to_string(),
            why: "the operating system's random number generator failed".into(),
        })?;
        let hex = zeroize::Zeroizing::new(format!("{}\n", hex::encode(&raw[..])));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            options.mode(0o600);
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(io(dir))?;
        }
        let mut file = options.open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => StoreError::KeyFile {
                path: path.display().to_string(),
                why: "a master key already exists; refusing to overwrite it".into(),
            },
            _ => io(&path)(e),
        })?;
        std::io::Write::write_all(&mut file, hex.as_bytes()).map_err(io(&path))?;
        file.sync_all().map_err(io(&path))?;
        Ok(FileKeyProvider {
            dir: dir.to_path_buf(),
        })
    }

    /// Uses the key files in `dir`; checks the directory's permissions now and each file's when
    /// it is read.
    ///
    /// # Errors
    /// [`StoreError::KeyFile`] for a directory others may write; I/O errors.
    pub fn open(dir: &Path) -> Result<FileKeyProvider, StoreError> {
        let meta = std::fs::metadata(dir).map_err(|source| StoreError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if meta.permissions().mode() & 0o022 != 0 {
                return Err(StoreError::KeyFile {
                    path: dir.display().to_string(),
                    why: "the key directory is writable by group or others".into(),
                });
            }
        }
        let _ = meta;
        Ok(FileKeyProvider {
            dir: dir.to_path_buf(),
        })
    }

    fn read(&self, name: &str) -> Result<Option<SecretKey>, StoreError> {
        let path = self.dir.join(name);
        let shown = path.display().to_string();
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StoreError::Io {
                    path: shown,
                    source,
                })
            }
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(StoreError::KeyFile {
                    path: shown,
                    why: format!(
                        "mode {:o} lets group or others access the key; run chmod 600",
                        mode & 0o777
                    ),
                });
            }
        }
        let _ = meta;
        let text = zeroize::Zeroizing::new(std::fs::read_to_string(&path).map_err(|source| {
            StoreError::Io {
                path: shown.clone(),
                source,
            }
        })?);
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.trim_end(), &mut bytes[..]).map_err(|_| StoreError::KeyFile {
            path: shown,
            why: "a key file holds exactly 64 hex digits".into(),
        })?;
        Ok(Some(SecretKey::new(*bytes)))
    }

    /// The key in `name`, if that file exists.
    fn own(&self, name: &str) -> Result<Option<SecretKey>, CryptoError> {
        self.read(name)
            .map_err(|e| CryptoError::BadKey(e.to_string()))
    }

    /// Derivation from `master.key`, exactly as a [`MasterKeyProvider`] over it.
    fn master(&self) -> Result<MasterKeyProvider, CryptoError> {
        let key = self
            .own(MASTER)?
            .ok_or_else(|| CryptoError::BadKey(format!("no {MASTER} in {}", self.dir.display())))?;
        Ok(MasterKeyProvider::from_key(key))
    }
}

impl KeyProvider for FileKeyProvider {
    fn tenant_key(&self, tenant: &MunicipalityCode) -> Result<SecretKey, CryptoError> {
        match self.own(&format!("{}.key", tenant.as_str()))? {
            Some(k) => Ok(k),
            None => self.master()?.tenant_key(tenant),
        }
    }

    fn registry_key(&self) -> Result<SecretKey, CryptoError> {
        match self.own("registry.key")? {
            Some(k) => Ok(k),
            None => self.master()?.registry_key(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_provider_derives_like_master_and_refuses_open_permissions() {
        let dir = std::env::temp_dir().join(format!("vrs-keyfile-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        FileKeyProvider::create(&dir).unwrap();
        assert!(matches!(
            FileKeyProvider::create(&dir),
            Err(StoreError::KeyFile { .. })
        ));
        let p = FileKeyProvider::open(&dir).unwrap();
        let code = MunicipalityCode::parse("131016").unwrap();
        let a = p.tenant_keys(&code).unwrap();
        // Same derivation as a MasterKeyProvider over the file's key.
        let text = std::fs::read_to_string(dir.join(MASTER)).unwrap();
        let mut raw = [0u8; 32];
        hex::decode_to_slice(text.trim_end(), &mut raw).unwrap();
        let b = MasterKeyProvider::new(raw).tenant_keys(&code).unwrap();
        let k =
            |t: &crate::crypto::TenantKeys| t.pseudonym(crate::crypto::RecordKind::Subject, b"1");
        assert_eq!(k(&a), k(&b));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.join(MASTER), std::fs::Permissions::from_mode(0o644))
                .unwrap();
            let err = p.tenant_keys(&code).unwrap_err();
            assert!(err.to_string().contains("chmod 600"), "{err}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
