//! The C ABI from C: compiles every `tests/c/*.c` with
//! `cc -std=c11 -Wall -Wextra -Werror -pedantic -I include` against both `libvrs.so` and
//! `libvrs.a` (the ones `cargo test` just built, next to this test's executable), runs each
//! program, and, when `valgrind` is installed, runs them again under valgrind memcheck: its
//! summary must say 0 errors and nothing definitely or indirectly lost. When Debian's `clang` and
//! its sanitizer runtime (`libclang-rt-*-dev`) are installed, builds them once more with
//! AddressSanitizer and UndefinedBehaviorSanitizer against `libvrs.a` and runs them with
//! LeakSanitizer: no report of any of the three. Also builds `examples/c/validate.c` and
//! `examples/c/registry.c` and checks what they print and their exit codes.
//!
//! Build outputs go to a temporary directory removed afterwards. Needs a C compiler (`cc`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::TempDir;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn include_dir() -> PathBuf {
    crate_dir().join("..").join("include")
}

/// How a test program is linked.
#[derive(Debug, Clone, Copy)]
enum Link {
    Shared,
    Static,
}

/// `cc` with the warnings the C surface must compile cleanly under.
fn cc(source: &Path, exe: &Path, link: Link) -> Output {
    let lib = common::lib_dir();
    let mut cmd = Command::new(std::env::var_os("CC").unwrap_or_else(|| "cc".into()));
    cmd.args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g"])
        .arg("-I")
        .arg(include_dir())
        .arg(source)
        .arg("-o")
        .arg(exe);
    match link {
        Link::Shared => {
            cmd.arg(format!("-L{}", lib.display()))
                .arg("-lvrs")
                .arg(format!("-Wl,-rpath,{}", lib.display()));
        }
        Link::Static => {
            cmd.arg(lib.join("libvrs.a"))
                .args(["-lpthread", "-ldl", "-lm"]);
        }
    }
    cmd.output().expect("run cc (a C compiler is needed)")
}

fn show(out: &Output) -> String {
    format!(
        "status: {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A command running the test program `exe`, which finds the `libvrs.so` of this build: cargo
/// runs tests with `LD_LIBRARY_PATH` naming `target/<profile>/` too, where `cargo build` may have
/// left an older copy, and `LD_LIBRARY_PATH` wins over the program's runpath.
fn program(exe: &Path) -> Command {
    let mut cmd = Command::new(exe);
    cmd.env("LD_LIBRARY_PATH", common::lib_dir());
    cmd
}

fn has_valgrind() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn valgrind(exe: &Path, args: &[&str]) -> Output {
    let mut cmd = program(Path::new("valgrind"));
    cmd.args([
        "--error-exitcode=99",
        "--leak-check=full",
        "--errors-for-leak-kinds=definite,indirect",
    ])
    .arg(exe)
    .args(args)
    .output()
    .expect("run valgrind")
}

/// What is wrong with a memcheck run by its summary (`None`: 0 errors, nothing definitely or
/// indirectly lost). The exit code says the same (`--error-exitcode`); the summary is read too,
/// so that a change of options or of valgrind cannot silently stop the check.
fn memcheck_problem(out: &Output) -> Option<String> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary = |key: &str| {
        stderr
            .lines()
            .filter_map(|l| l.split_once(key).map(|(_, rest)| rest.trim().to_owned()))
            .next_back()
    };
    let errors = summary("ERROR SUMMARY:");
    if !errors.as_deref().is_some_and(|e| e.starts_with("0 errors")) {
        return Some(format!("memcheck error summary: {errors:?}"));
    }
    // Without any allocation left at exit valgrind prints no leak summary, only this.
    if stderr.contains("All heap blocks were freed -- no leaks are possible") {
        return None;
    }
    for kind in ["definitely lost:", "indirectly lost:"] {
        let lost = summary(kind);
        if !lost.as_deref().is_some_and(|l| l.starts_with("0 bytes")) {
            return Some(format!("memcheck {kind} {lost:?}"));
        }
    }
    None
}

/// The C compiler for the sanitizer builds: Debian's `clang` (its runtime comes with
/// `libclang-rt-*-dev`).
const SANITIZER_CC: &str = "clang";

/// The sanitizer flags of the C test programs.
const SANITIZE: [&str; 2] = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer"];

/// Why the sanitizer builds cannot run here (`None`: they can): `clang` missing, or its
/// sanitizer runtime, found by building a program that does nothing.
fn sanitizers_missing(dir: &Path) -> Option<String> {
    let source = dir.join("probe.c");
    std::fs::write(&source, "int main(void) { return 0; }\n").expect("write probe.c");
    let exe = dir.join("probe");
    let built = match Command::new(SANITIZER_CC)
        .args(SANITIZE)
        .arg(&source)
        .arg("-o")
        .arg(&exe)
        .output()
    {
        Ok(out) => out,
        Err(_) => return Some(format!("{SANITIZER_CC} is not installed")),
    };
    if !built.status.success() {
        return Some(format!(
            "{SANITIZER_CC} cannot link sanitized programs (install libclang-rt-*-dev):\n{}",
            show(&built)
        ));
    }
    None
}

/// `clang` with the sanitizers, linking `libvrs.a`.
fn cc_sanitized(source: &Path, exe: &Path) -> Output {
    Command::new(SANITIZER_CC)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g"])
        .args(SANITIZE)
        .arg("-I")
        .arg(include_dir())
        .arg(source)
        .arg("-o")
        .arg(exe)
        .arg(common::lib_dir().join("libvrs.a"))
        .args(["-lpthread", "-ldl", "-lm"])
        .output()
        .expect("run clang")
}

/// Runs a sanitized program: LeakSanitizer on, UndefinedBehaviorSanitizer stopping at the first
/// finding with a stack trace.
fn run_sanitized(exe: &Path) -> Output {
    program(exe)
        .env("ASAN_OPTIONS", "detect_leaks=1")
        .env("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
        .output()
        .expect("run sanitized test program")
}

/// What the sanitizers reported in a run, if anything (a report also fails the exit code).
fn sanitizer_problem(out: &Output) -> Option<String> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let found = [
        "ERROR: AddressSanitizer",
        "ERROR: LeakSanitizer",
        "runtime error:",
        "SUMMARY: UndefinedBehaviorSanitizer",
    ]
    .into_iter()
    .find(|marker| stderr.contains(marker));
    match (found, out.status.success()) {
        (None, true) => None,
        (found, _) => Some(format!("{found:?}\n{}", show(out))),
    }
}

/// Every `tests/c/*.c`, sorted.
fn c_tests() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(crate_dir().join("tests").join("c"))
        .expect("list tests/c")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    files.sort();
    files
}

/// The canary My Number of `tests/c/canary.c`: no program may print it.
const CANARY: &str = "123456789013";

#[test]
fn c_programs_pass_linked_shared_and_static() {
    let tmp = TempDir::new("tests");
    let tests = c_tests();
    assert!(
        tests.len() >= 5,
        "expected the C tests in tests/c, found {tests:?}"
    );
    let check_memory = has_valgrind();
    if !check_memory {
        eprintln!("valgrind is not installed: memory checks skipped");
    }
    let mut failures = Vec::new();
    for source in &tests {
        let name = source
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("file name");
        for link in [Link::Shared, Link::Static] {
            let exe = tmp.0.join(format!("{name}-{link:?}"));
            let built = cc(source, &exe, link);
            if !built.status.success() {
                failures.push(format!(
                    "{name} ({link:?}) does not compile:\n{}",
                    show(&built)
                ));
                continue;
            }
            let run = program(&exe).output().expect("run test program");
            if !run.status.success() {
                failures.push(format!("{name} ({link:?}) failed:\n{}", show(&run)));
                continue;
            }
            if show(&run).contains(CANARY) {
                failures.push(format!("{name} ({link:?}) printed the canary My Number"));
            }
            if check_memory {
                let run = valgrind(&exe, &[]);
                if let Some(problem) = memcheck_problem(&run) {
                    failures.push(format!("{name} ({link:?}): {problem}\n{}", show(&run)));
                } else if !run.status.success() {
                    failures.push(format!("{name} ({link:?}) under valgrind:\n{}", show(&run)));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn c_programs_pass_under_address_and_undefined_behavior_sanitizers() {
    let tmp = TempDir::new("sanitized");
    if let Some(why) = sanitizers_missing(&tmp.0) {
        common::notice(&format!("C tests under ASan/UBSan skipped: {why}"));
        return;
    }
    let tests = c_tests();
    assert!(
        tests.len() >= 5,
        "expected the C tests in tests/c, found {tests:?}"
    );
    let mut failures = Vec::new();
    for source in &tests {
        let name = source
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("file name");
        let exe = tmp.0.join(format!("{name}-sanitized"));
        let built = cc_sanitized(source, &exe);
        if !built.status.success() {
            failures.push(format!(
                "{name} does not build with the sanitizers:\n{}",
                show(&built)
            ));
            continue;
        }
        let run = run_sanitized(&exe);
        if let Some(problem) = sanitizer_problem(&run) {
            failures.push(format!("{name} under ASan/UBSan/LSan: {problem}"));
        }
        if show(&run).contains(CANARY) {
            failures.push(format!("{name} (sanitized) printed the canary My Number"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Memcheck's summary is read as intended: a clean run passes, an error or a leak does not.
#[test]
fn memcheck_summaries_are_read() {
    let out = |status: i32, stderr: &str| {
        use std::os::unix::process::ExitStatusExt;
        Output {
            status: std::process::ExitStatus::from_raw(status << 8),
            stdout: Vec::new(),
            stderr: stderr.as_bytes().to_vec(),
        }
    };
    let clean = "==1== HEAP SUMMARY:\n==1==     in use at exit: 0 bytes in 0 blocks\n\
                 ==1== All heap blocks were freed -- no leaks are possible\n\
                 ==1== ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 0 from 0)\n";
    assert_eq!(memcheck_problem(&out(0, clean)), None);
    let reachable = "==1== LEAK SUMMARY:\n==1==    definitely lost: 0 bytes in 0 blocks\n\
                     ==1==    indirectly lost: 0 bytes in 0 blocks\n\
                     ==1==    still reachable: 56 bytes in 1 blocks\n\
                     ==1== ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 0 from 0)\n";
    assert_eq!(memcheck_problem(&out(0, reachable)), None);
    let leak = reachable.replace("definitely lost: 0 bytes", "definitely lost: 10 bytes");
    assert!(memcheck_problem(&out(99, &leak)).is_some());
    let error = clean.replace("0 errors from 0", "1 errors from 1");
    assert!(memcheck_problem(&out(99, &error)).is_some());
    assert!(memcheck_problem(&out(0, "no summary at all")).is_some());
}

/// A small ledger export (1 dose block) with one M01 error on line 3.
const LEDGER_WITH_ERROR: &str =
    "個別宛名番号,1回目接種履歴登録日時,1回目接種日,1回目券番号,1回目接種自治体コード,\
    1回目接種会場名,1回目接種医師名,1回目ワクチンメーカー,1回目ワクチンロット番号\r\n\
    1001,20210601120000,20210601,0000012345,131016,区民会館,山田一郎,ファイザー,FA5765\r\n\
    1002,20210601120000,20210601,0000012346,131017,区民会館,山田一郎,ファイザー,FA5765\r\n";

#[test]
fn example_validate_prints_diagnostics_and_exits_like_the_cli() {
    let tmp = TempDir::new("example");
    let source = crate_dir()
        .join("..")
        .join("examples")
        .join("c")
        .join("validate.c");
    let exe = tmp.0.join("validate");
    let built = cc(&source, &exe, Link::Shared);
    assert!(
        built.status.success(),
        "validate.c does not compile:\n{}",
        show(&built)
    );

    let bad = tmp.0.join("bad.csv");
    std::fs::write(&bad, LEDGER_WITH_ERROR).expect("write sample");
    let good = tmp.0.join("good.csv");
    let first_row_only: String = LEDGER_WITH_ERROR.split_inclusive("\r\n").take(2).collect();
    std::fs::write(&good, first_row_only).expect("write sample");
    let bad_s = bad.to_str().expect("utf-8 path");
    let good_s = good.to_str().expect("utf-8 path");

    let run = |args: &[&str]| program(&exe).args(args).output().expect("run validate");
    let out = run(&["--doses", "1", "ledger-export", bad_s]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("3 M01 1回目接種自治体コード: "),
        "{}",
        show(&out)
    );
    assert!(
        stdout.contains("rows: 2, errors: 1, warnings: 0"),
        "{}",
        show(&out)
    );

    let out = run(&["--doses", "1", "ledger-export", good_s]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("rows: 1, errors: 0"));

    // Could not run: unknown layout, missing file, no arguments.
    assert_eq!(run(&["no-such-layout", good_s]).status.code(), Some(2));
    let missing = tmp.0.join("missing.csv");
    assert_eq!(
        run(&["ledger-export", missing.to_str().expect("utf-8 path")])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(&[]).status.code(), Some(2));

    if has_valgrind() {
        let out = valgrind(&exe, &["--doses", "1", "ledger-export", bad_s]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "under valgrind:\n{}",
            show(&out)
        );
        assert_eq!(memcheck_problem(&out), None, "{}", show(&out));
    }
}

#[test]
fn example_registry_tours_twice_over_the_same_directory() {
    let tmp = TempDir::new("example-registry");
    let source = crate_dir()
        .join("..")
        .join("examples")
        .join("c")
        .join("registry.c");
    let exe = tmp.0.join("registry");
    let built = cc(&source, &exe, Link::Shared);
    assert!(
        built.status.success(),
        "registry.c does not compile:\n{}",
        show(&built)
    );
    let demo = tmp.0.join("demo");
    let demo_s = demo.to_str().expect("utf-8 path");
    let run = |args: &[&str]| program(&exe).args(args).output().expect("run registry");

    let first = run(&[demo_s, "20210701090000"]);
    assert_eq!(first.status.code(), Some(0), "{}", show(&first));
    let stdout = String::from_utf8_lossy(&first.stdout);
    for line in [
        "tenant 131016: created",
        "import: {\"rows\":1,\"imported\":1,",
        "dose: {\"voucher_number\":\"0000012345\",\"dose\":1,\"vaccinated_on\":\"2021-06-30\",\
         \"registered_at\":\"2021-07-01T09:00:00\",\"already_recorded\":false,",
        "refused: forbidden (",
        "ledger: 1 row(s) -> ",
        "\"count\":null}]}",
        "audit: {\"chain\":\"131016\",",
    ] {
        assert!(stdout.contains(line), "{line:?} missing:\n{}", show(&first));
    }
    // Again, on the system clock: everything is there already.
    let second = run(&[demo_s]);
    assert_eq!(second.status.code(), Some(0), "{}", show(&second));
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(
        stdout.contains("tenant 131016: exists already"),
        "{}",
        show(&second)
    );
    assert!(
        stdout.contains("\"already_imported\":true"),
        "{}",
        show(&second)
    );
    assert!(
        stdout.contains("\"already_recorded\":true"),
        "{}",
        show(&second)
    );
    let ledger = std::fs::read(demo.join("ledger.csv")).expect("read the ledger export");
    let ledger = String::from_utf8(ledger).expect("UTF-8 ledger");
    assert!(ledger.starts_with("個別宛名番号,"), "{ledger}");
    assert!(ledger.contains("\r\n1001,20210701090000,20210630,0000012345,131016,区民会館"));
    for out in [&first, &second] {
        assert!(
            !show(out).contains("123456789018"),
            "a My Number was printed"
        );
    }
    assert!(
        !ledger.contains("123456789018"),
        "the export holds a My Number"
    );

    // An impossible pinned time fails the operation (1); bad usage is 2.
    let bad = run(&[demo_s, "20211301000000"]);
    assert_eq!(bad.status.code(), Some(1), "{}", show(&bad));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("code invalid_input"));
    assert_eq!(run(&[]).status.code(), Some(2));

    if has_valgrind() {
        let out = valgrind(&exe, &[demo_s]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "under valgrind:\n{}",
            show(&out)
        );
        assert_eq!(memcheck_problem(&out), None, "{}", show(&out));
    }
}

/// Compiles `examples/c/<name>.c` against the shared libvrs into a temporary directory (kept
/// as long as the returned guard); returns the guard and the program's path.
fn build_example(name: &str) -> (TempDir, PathBuf) {
    let tmp = TempDir::new(&format!("example-{name}"));
    let source = crate_dir()
        .join("..")
        .join("examples")
        .join("c")
        .join(format!("{name}.c"));
    let exe = tmp.0.join(name);
    let built = cc(&source, &exe, Link::Shared);
    assert!(
        built.status.success(),
        "{name}.c does not compile:\n{}",
        show(&built)
    );
    (tmp, exe)
}

#[test]
fn example_retention_lists_and_purges() {
    let (_tmp, exe) = build_example("retention");
    let out = program(&exe).output().expect("run retention");
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in [
        "2026-12-01: {\"tenant\":\"131016\",\"as_of\":\"2026-12-01\",\"policy_version\":\"2026-02-01\",\
         \"tenant_minimum_years\":null,\"eligible\":[],",
        "provision: {\"provided_on\":\"2026-06-01\",\"doses\":2,",
        "\"eligible_from\":\"2026-07-16\"}]",
        "purge: {\"doses\":1,\"vouchers\":1,\"subjects\":1,",
    ] {
        assert!(stdout.contains(line), "{line:?} missing:\n{}", show(&out));
    }
    assert!(
        !show(&out).contains("200000000018"),
        "a My Number was printed"
    );
}

#[test]
fn example_inquiry_asks_batches_reads_the_log_and_purges_it() {
    let (_tmp, exe) = build_example("inquiry");
    let out = program(&exe).output().expect("run inquiry");
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in [
        "inquiry: {\"outcome\":\"match\",\"providers\":[{\"provider\":\"131016\",\"doses\":[{\"dose\":1,\
         \"vaccinated_on\":\"2021-05-10\"",
        "stranger: {\"outcome\":\"no-match\",\"providers\":[]}",
        "\r\nM-5001,一致,131016,20210510,0000012345,131016,",
        "\r\nM-5002,該当なし,",
        "provision log: [{\"seq\":1,\"log\":\"provision\",\"requester\":\"131032\"",
        "\"provision_log_entries\":2,\"inquiry_log_entries\":0,",
        "logs verify: yes",
    ] {
        assert!(stdout.contains(line), "{line:?} missing:\n{}", show(&out));
    }
    for secret in ["123456789018", "234567890121", "千代田", "チヨダ"] {
        assert!(!show(&out).contains(secret), "{secret} was printed");
    }
    if has_valgrind() {
        let out = valgrind(&exe, &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "under valgrind:\n{}",
            show(&out)
        );
        assert_eq!(memcheck_problem(&out), None, "{}", show(&out));
    }
}

/// `make -C examples/c` links the libvrs of cargo's target directory wherever that is
/// (`CARGO_TARGET_DIR` here), and what it builds is ignored by git.
#[test]
fn example_makefile_follows_cargo_target_dir() {
    let has_make = Command::new("make")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_make {
        common::notice("skipped: make is not installed, examples/c/Makefile was not tested");
        return;
    }
    let tmp = TempDir::new("example-make");
    // A target directory of its own, holding this build's libvrs as a debug build.
    let target = tmp.0.join("target");
    let debug = target.join("debug");
    std::fs::create_dir_all(&debug).expect("create target/debug");
    for lib in ["libvrs.so", "libvrs.a"] {
        std::os::unix::fs::symlink(common::lib_dir().join(lib), debug.join(lib))
            .expect("link libvrs");
    }
    let out = tmp.0.join("out");
    std::fs::create_dir_all(&out).expect("create out");
    let examples = crate_dir().join("..").join("examples").join("c");
    // The make run finds cargo the way a shell would.
    let mut path = std::env::var_os("CARGO")
        .map(PathBuf::from)
        .and_then(|c| c.parent().map(Path::to_path_buf))
        .map(|d| vec![d])
        .unwrap_or_default();
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let made = Command::new("make")
        .arg("-C")
        .arg(&examples)
        .arg(format!("OUT={}", out.display()))
        .env("CARGO_TARGET_DIR", &target)
        .env("PATH", std::env::join_paths(path).expect("PATH"))
        .env_remove("TARGET")
        .env_remove("PROFILE")
        .output()
        .expect("run make");
    assert!(made.status.success(), "{}", show(&made));
    let commands = String::from_utf8_lossy(&made.stdout);
    assert!(
        commands.contains(&format!("-L{}", debug.display())),
        "make did not link the libvrs of CARGO_TARGET_DIR:\n{}",
        show(&made)
    );
    let sample = crate_dir().join("../examples/data/ledger-export.sample.csv");
    let run = program(&out.join("validate"))
        .arg("ledger-export")
        .arg(&sample)
        .output()
        .expect("run validate");
    assert!(
        String::from_utf8_lossy(&run.stdout).contains("rows: "),
        "{}",
        show(&run)
    );

    // What `make -C examples/c` leaves in the source tree is ignored by git.
    let root = crate_dir().join("..");
    let git = Command::new("git")
        .arg("-C")
        .arg(&root)
        .args(["check-ignore", "examples/c/validate", "examples/c/registry"])
        .output();
    if let Ok(git) = git {
        if git.status.code() != Some(128) {
            // 128: not a git checkout (a source tarball); nothing to check.
            let ignored = String::from_utf8_lossy(&git.stdout);
            assert_eq!(
                ignored.lines().count(),
                2,
                "examples/c/validate and examples/c/registry must be in .gitignore"
            );
        }
    }
}

/// Every C program of the READMEs compiles with the warnings of the C tests and runs from the
/// repository root, as the README tells a newcomer to do.
#[test]
fn readme_c_programs_compile_and_run() {
    let blocks = common::readme_blocks("c", &[]);
    assert!(blocks.len() >= 2, "README.md has C programs");
    let tmp = TempDir::new("readme-c");
    for (n, (label, code)) in blocks.iter().enumerate() {
        let source = tmp.0.join(format!("tour{n}.c"));
        std::fs::write(&source, code).expect("write tour.c");
        let exe = tmp.0.join(format!("tour{n}"));
        let built = cc(&source, &exe, Link::Shared);
        assert!(
            built.status.success(),
            "{label} does not compile:\n{}",
            show(&built)
        );
        let run = program(&exe)
            .current_dir(common::repo_root())
            .output()
            .expect("run the README program");
        assert_eq!(run.status.code(), Some(0), "{label}:\n{}", show(&run));
        assert!(
            !show(&run).contains("123456789018"),
            "{label}: a My Number was printed"
        );
    }
}
