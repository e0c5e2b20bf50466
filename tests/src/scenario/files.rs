//! Reading the files a scenario names: regular files only, never more than a limit.
//!
//! A scenario comes from a vendor's CI and its `file_path`s may point anywhere: `/dev/zero` would
//! otherwise be read until memory runs out, and a FIFO would block the run forever.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Largest scenario file (the JSON document itself).
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;

/// Largest file an `import` or `import-doses` step reads through `file_path` (a 1,000,000-row
/// registration file is about 100 MiB).
pub const MAX_INPUT_FILE_BYTES: u64 = 512 << 20;

/// Largest store file `scan-store` reads (a scenario's store is small; this only bounds memory).
pub const MAX_STORE_FILE_BYTES: u64 = 1 << 30;

/// Reads the whole of `path`, which must be a regular file of at most `max` bytes.
///
/// # Errors
/// A message naming the path: missing or unreadable, not a regular file (a directory, a device
/// such as `/dev/zero`, a FIFO, a socket), or larger than `max` (checked while reading too, in
/// case the file grows).
pub fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let fail = |why: String| format!("{}: {why}", path.display());
    // Checked before opening: opening a FIFO blocks until someone writes to it.
    let meta = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
    if !meta.is_file() {
        return Err(fail(format!(
            "not a regular file ({}); give a file",
            kind(&meta.file_type())
        )));
    }
    let too_big = || fail(format!("larger than the limit of {} MiB", max >> 20));
    if meta.len() > max {
        return Err(too_big());
    }
    let file = File::open(path).map_err(|e| fail(e.to_string()))?;
    // The path may have been replaced between the two looks: check what was opened.
    let opened = file.metadata().map_err(|e| fail(e.to_string()))?;
    if !opened.is_file() {
        return Err(fail(format!(
            "not a regular file ({}); give a file",
            kind(&opened.file_type())
        )));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len().min(max)).unwrap_or(0));
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| fail(e.to_string()))?;
    if bytes.len() as u64 > max {
        return Err(too_big());
    }
    Ok(bytes)
}

/// What a non-regular file is, for the message.
fn kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("vrs-scenario-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn reads_a_regular_file_up_to_the_limit() {
        let dir = temp("limit");
        let p = dir.join("f.csv");
        std::fs::write(&p, b"0123456789").unwrap();
        assert_eq!(read_regular(&p, 10).unwrap(), b"0123456789");
        let e = read_regular(&p, 9).unwrap_err();
        assert!(e.contains("larger than the limit"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refuses_devices_directories_and_fifos() {
        #[cfg(unix)]
        {
            let e = read_regular(Path::new("/dev/zero"), MAX_INPUT_FILE_BYTES).unwrap_err();
            assert_eq!(
                e,
                "/dev/zero: not a regular file (a character device); give a file"
            );
        }
        let dir = temp("kinds");
        let e = read_regular(&dir, 1 << 20).unwrap_err();
        assert!(
            e.ends_with("not a regular file (a directory); give a file"),
            "{e}"
        );
        #[cfg(unix)]
        {
            // A FIFO nobody writes to: opening it would block forever.
            let fifo = dir.join("fifo");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                let e = read_regular(&fifo, 1 << 20).unwrap_err();
                assert!(
                    e.ends_with("not a regular file (a FIFO); give a file"),
                    "{e}"
                );
            }
        }
        let e = read_regular(&dir.join("absent"), 1 << 20).unwrap_err();
        assert!(e.contains("absent"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
