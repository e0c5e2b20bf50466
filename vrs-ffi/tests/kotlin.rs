//! Compiles the checked-in generated Kotlin bindings (`bindings/kotlin/jp/vrs/vrs.kt`) with a
//! small Kotlin program (`tests/kotlin/VrsTest.kt`) and runs it on the JVM against the `libvrs`
//! built for this test run, through JNA.
//!
//! Runs only when `kotlinc`, `java` and the JNA jar are installed; otherwise it prints that it was
//! skipped. `kotlinc` is taken from `$KOTLINC`, then `PATH`, then the npm package
//! `kotlin-compiler` (`npm install -g kotlin-compiler` links only `kotlinc-js`); the JNA jar from
//! `$JNA_JAR`, else `/usr/share/java/jna.jar` (Debian/Ubuntu `libjna-java`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{notice, TempDir};

/// True when `program --version`-style probing runs at all.
fn runs(program: &Path, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn find_kotlinc() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(k) = std::env::var_os("KOTLINC") {
        candidates.push(k.into());
    }
    candidates.push("kotlinc".into());
    for prefix in ["/usr/lib", "/usr/local/lib", "/opt/homebrew/lib"] {
        candidates.push(Path::new(prefix).join("node_modules/kotlin-compiler/bin/kotlinc"));
    }
    candidates.into_iter().find(|k| runs(k, "-version"))
}

fn find_jna() -> Option<PathBuf> {
    let jar: PathBuf = std::env::var_os("JNA_JAR")
        .unwrap_or_else(|| OsString::from("/usr/share/java/jna.jar"))
        .into();
    jar.is_file().then_some(jar)
}

#[test]
fn kotlin_bindings() {
    let (Some(kotlinc), Some(jna)) = (find_kotlinc(), find_jna()) else {
        notice(
            "skipped: the Kotlin bindings were not tested (needs kotlinc and the JNA jar: \
             `npm install -g kotlin-compiler`, `apt-get install libjna-java`)",
        );
        return;
    };
    if !runs(Path::new("java"), "-version") {
        notice("skipped: the Kotlin bindings were not tested (java is not installed)");
        return;
    }
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = crate_dir.parent().expect("workspace root");
    let lib_dir = common::lib_dir();
    let lib = if cfg!(target_os = "macos") {
        "libvrs.dylib"
    } else {
        "libvrs.so"
    };
    assert!(lib_dir.join(lib).is_file(), "{lib} was not built");

    let tmp = TempDir::new("kotlin");
    let jar = tmp.0.join("vrs-test.jar");
    let compiled = Command::new(&kotlinc)
        .arg(root.join("bindings/kotlin/jp/vrs/vrs.kt"))
        .arg(crate_dir.join("tests/kotlin/VrsTest.kt"))
        .arg("-cp")
        .arg(&jna)
        .args(["-include-runtime", "-nowarn", "-d"])
        .arg(&jar)
        .output()
        .expect("run kotlinc");
    assert!(
        compiled.status.success(),
        "kotlinc failed:\n{}",
        String::from_utf8_lossy(&compiled.stderr)
    );

    let mut classpath = OsString::from(&jar);
    classpath.push(if cfg!(windows) { ";" } else { ":" });
    classpath.push(&jna);
    let mut library_path = OsString::from("-Djna.library.path=");
    library_path.push(&lib_dir);
    let run = Command::new("java")
        .arg(library_path)
        .arg("-cp")
        .arg(classpath)
        .arg("jp.vrs.test.VrsTestKt")
        .output()
        .expect("run java");
    let stdout = String::from_utf8_lossy(&run.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "the Kotlin test failed");
    assert!(stdout.starts_with("ok: "), "unexpected output");
}
