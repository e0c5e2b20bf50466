//! Helpers shared by the integration tests that drive other languages (C, Python, Kotlin).

// Each test crate includes this module and uses a different part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Prints a notice that stays visible under the test harness's output capture (which only
/// intercepts the `print!` family of macros).
pub fn notice(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// A directory removed on drop, also when the test fails.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh, empty directory named after `name` and this process.
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("vrs-ffi-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temporary directory");
        TempDir(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The directory holding the `libvrs.so`/`libvrs.a` of this very build: `cargo test` leaves them in
/// `deps/` beside the test executable (only `cargo build` copies them up to `target/debug/`, which
/// may hold an older build's copy).
pub fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let deps = exe.parent().expect("target/<profile>/deps").to_path_buf();
    let candidates = [
        deps.clone(),
        deps.parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| deps.clone()),
    ];
    for dir in candidates {
        if ["libvrs.so", "libvrs.a"]
            .iter()
            .all(|lib| dir.join(lib).is_file())
        {
            return dir;
        }
    }
    panic!(
        "libvrs.so/libvrs.a not found beside {}: build with `cargo test -p vrs-ffi`",
        deps.display()
    );
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The fenced ```` ```lang ```` blocks of the READMEs a newcomer copies from (`README.md` and
/// `extra` files relative to the repository root), each labelled `FILE:LINE` (the line of its
/// opening fence). `README.ja.md` holds the same programs with translated comments (vrs-core's
/// `tour` test checks that), so running README.md's covers both.
pub fn readme_blocks(lang: &str, extra: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for name in ["README.md"].iter().chain(extra) {
        let text = std::fs::read_to_string(repo_root().join(name))
            .unwrap_or_else(|e| panic!("read {name}: {e}"));
        let mut current: Option<(String, String)> = None;
        for (i, line) in text.lines().enumerate() {
            match &mut current {
                None if line == format!("```{lang}") => {
                    current = Some((format!("{name}:{}", i + 1), String::new()));
                }
                None => {}
                Some(_) if line == "```" => out.extend(current.take()),
                Some((_, code)) => {
                    code.push_str(line);
                    code.push('\n');
                }
            }
        }
    }
    out
}
