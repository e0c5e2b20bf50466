//! A key provider reading key files from a directory, for development and small installations.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::crypto::{CryptoError, KeyProvider, MasterKeyProvider, SecretKey};
use crate::id::MunicipalityCode;

use super::error::StoreError;

/// Reads keys from files in one directory: `master.key` (every key is derived from it), and
/// optionally `<municipality code>.key` for a tenant with its own key and `registry.key`.
/// A key rotation adds `<municipality code>.v<N>.key` (version N ≥ 2, written by
/// [`KeyProvider::create_tenant_key_version`]). A key file holds 64 hex digits (a trailing
/// newline is fine).
///
/// Files readable or writable by group or others are refused (Unix), as is a directory writable
/// by others, anything but a regular file (a FIFO, a device, a directory), and a file longer
/// than 128 bytes; at most 129 bytes are ever read. For production, implement [`KeyProvider`]
/// over your HSM or KMS instead.
///
/// A key directory belongs to one store: `master.key` is created only for a new store (a new
/// key beside a populated store would be refused by the registry anyway, as
/// [`crate::registry::RegistryError::WrongKey`]).
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
/// The longest key file accepted: 64 hex digits and generous line ends / trailing blanks.
const MAX_KEY_FILE: u64 = 128;

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes a fresh random key to the new file `path` (mode 0600), refusing to replace one.
fn write_new_key(path: &Path) -> Result<(), StoreError> {
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
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => StoreError::KeyFile {
            path: path.display().to_string(),
            why: "a key exists already; refusing to overwrite it".into(),
        },
        _ => io_error(path)(e),
    })?;
    std::io::Write::write_all(&mut file, hex.as_bytes()).map_err(io_error(path))?;
    file.sync_all().map_err(io_error(path))?;
    // The new name survives a crash too.
    if let Some(dir) = path.parent() {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

impl FileKeyProvider {
    /// Creates `dir` (mode 0700) with a fresh random `master.key` (mode 0600). Refuses to
    /// overwrite an existing master key.
    ///
    /// # Errors
    /// [`StoreError::KeyFile`] when a master key exists; I/O errors.
    pub fn create(dir: &Path) -> Result<FileKeyProvider, StoreError> {
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(io_error(dir))?;
        }
        write_new_key(&dir.join(MASTER)).map_err(|e| match e {
            StoreError::KeyFile { path, .. } => StoreError::KeyFile {
                path,
                why: "a master key already exists; refusing to overwrite it".into(),
            },
            other => other,
        })?;
        Ok(FileKeyProvider {
            dir: dir.to_path_buf(),
        })
    }

    /// Uses the key files in `dir`; checks the directory's permissions now and each file's when
    /// it is read.
    ///
    /// # Errors
    /// [`StoreError::KeyFile`] for a directory others may write, or not a directory; I/O errors.
    pub fn open(dir: &Path) -> Result<FileKeyProvider, StoreError> {
        let meta = std::fs::metadata(dir).map_err(io_error(dir))?;
        if !meta.is_dir() {
            return Err(StoreError::KeyFile {
                path: dir.display().to_string(),
                why: "the key directory is not a directory".into(),
            });
        }
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
        Ok(FileKeyProvider {
            dir: dir.to_path_buf(),
        })
    }

    /// Whether `master.key` exists in the directory (without reading it).
    pub fn has_master_key(&self) -> bool {
        self.dir.join(MASTER).exists()
    }

    fn read(&self, name: &str) -> Result<Option<SecretKey>, StoreError> {
        let path = self.dir.join(name);
        let shown = path.display().to_string();
        let refuse = |why: String| StoreError::KeyFile {
            path: shown.clone(),
            why,
        };
        // Checked before opening: opening a FIFO for reading would wait for a writer.
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
        check_key_file(&meta).map_err(refuse)?;
        let file = std::fs::File::open(&path).map_err(io_error(&path))?;
        // And again on what was opened (the name may have been swapped meanwhile).
        check_key_file(&file.metadata().map_err(io_error(&path))?).map_err(refuse)?;
        let mut text = zeroize::Zeroizing::new(Vec::with_capacity(MAX_KEY_FILE as usize + 1));
        file.take(MAX_KEY_FILE + 1)
            .read_to_end(&mut text)
            .map_err(io_error(&path))?;
        if text.len() as u64 > MAX_KEY_FILE {
            return Err(refuse(format!(
                "a key file holds 64 hex digits; this one is longer than {MAX_KEY_FILE} bytes"
            )));
        }
        let trimmed = text.trim_ascii_end();
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(trimmed, &mut bytes[..])
            .map_err(|_| refuse("a key file holds exactly 64 hex digits".into()))?;
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

    /// The file of version `version` (≥ 2) of a tenant's key.
    fn version_file(tenant: &MunicipalityCode, version: u32) -> String {
        format!("{}.v{version}.key", tenant.as_str())
    }
}

/// `Err(why)` unless `meta` is a regular file of at most [`MAX_KEY_FILE`] bytes that only its
/// owner may read (Unix).
fn check_key_file(meta: &std::fs::Metadata) -> Result<(), String> {
    if !meta.is_file() {
        return Err("not a regular file (a FIFO, device or directory is refused)".into());
    }
    if meta.len() > MAX_KEY_FILE {
        return Err(format!(
            "a key file holds 64 hex digits; this one has {} bytes",
            meta.len()
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "mode {:o} lets group or others access the key; run chmod 600",
                mode & 0o777
            ));
        }
    }
    Ok(())
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

    /// Version 1: as [`KeyProvider::tenant_key`]; later versions: the file
    /// `<code>.v<N>.key`, which must exist.
    fn tenant_key_version(
        &self,
        tenant: &MunicipalityCode,
        version: u32,
    ) -> Result<SecretKey, CryptoError> {
        match version {
            0 => Err(CryptoError::NoKey(format!(
                "{} (key version 0)",
                tenant.as_str()
            ))),
            1 => self.tenant_key(tenant),
            v => self.own(&Self::version_file(tenant, v))?.ok_or_else(|| {
                CryptoError::NoKey(format!(
                    "{} (key version {v}: no {} in {})",
                    tenant.as_str(),
                    Self::version_file(tenant, v),
                    self.dir.display()
                ))
            }),
        }
    }

    /// Writes a fresh random `<code>.v<N>.key` (mode 0600) unless it exists (a rotation
    /// interrupted by a crash asks again and gets the same key).
    fn create_tenant_key_version(
        &self,
        tenant: &MunicipalityCode,
        version: u32,
    ) -> Result<(), CryptoError> {
        if version < 2 {
            return Err(CryptoError::NoKey(format!(
                "{} (key version {version} cannot be created)",
                tenant.as_str()
            )));
        }
        let name = Self::version_file(tenant, version);
        if self.own(&name)?.is_some() {
            return Ok(());
        }
        write_new_key(&self.dir.join(&name)).map_err(|e| CryptoError::BadKey(e.to_string()))
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

    #[test]
    fn key_files_are_read_bounded_and_only_when_regular() {
        let dir = std::env::temp_dir().join(format!("vrs-keyfile-bounds-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let p = FileKeyProvider::create(&dir).unwrap();
        let code = MunicipalityCode::parse("131016").unwrap();
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            }
        };
        // A huge file is refused without being read.
        write("131016.key", &vec![b'a'; 300 * 1024]);
        let err = p.tenant_key(&code).unwrap_err().to_string();
        assert!(err.contains("bytes"), "{err}");
        // A directory is refused.
        std::fs::remove_file(dir.join("131016.key")).unwrap();
        std::fs::create_dir(dir.join("131016.key")).unwrap();
        let err = p.tenant_key(&code).unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
        std::fs::remove_dir(dir.join("131016.key")).unwrap();
        // A FIFO is refused at once (opening it would block).
        #[cfg(unix)]
        {
            let fifo = dir.join("131016.key");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&fifo, std::fs::Permissions::from_mode(0o600)).unwrap();
                let err = p.tenant_key(&code).unwrap_err().to_string();
                assert!(err.contains("not a regular file"), "{err}");
                std::fs::remove_file(&fifo).unwrap();
            }
        }
        // NUL bytes, short keys: refused.
        write("131016.key", &[0u8; 64]);
        assert!(p.tenant_key(&code).is_err());
        write("131016.key", b"abcd\n");
        assert!(p.tenant_key(&code).is_err());
        std::fs::remove_file(dir.join("131016.key")).unwrap();
        // Versions: created once, the same key when asked again, refused when absent.
        assert!(matches!(
            p.tenant_key_version(&code, 2),
            Err(CryptoError::NoKey(_))
        ));
        p.create_tenant_key_version(&code, 2).unwrap();
        let a = p.tenant_key_version(&code, 2).unwrap();
        p.create_tenant_key_version(&code, 2).unwrap();
        let b = p.tenant_key_version(&code, 2).unwrap();
        assert_eq!(a.check_value(), b.check_value());
        assert_ne!(a.check_value(), p.tenant_key(&code).unwrap().check_value());
        assert!(p.create_tenant_key_version(&code, 1).is_err());
        // Not a directory.
        assert!(FileKeyProvider::open(&dir.join(MASTER)).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
