//! The newcomer's tour: the Rust examples (`examples/rust/`) as the README runs them (`cargo test`
//! builds them next to this test's executable, in `target/<profile>/examples/`), and the Japanese
//! README kept in step with the English one. (The README's Rust programs run as doc tests of
//! vrs-core; its C and Python programs run from vrs-ffi's `c_api` and `python` tests.)

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::TempDir;
use vrs_core::codec::{validate_bytes, ValidateOptions};
use vrs_core::layout::{self, LayoutParams};
use vrs_core::text::Encoding;

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let profile = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    let path = profile.join("examples").join(name);
    assert!(
        path.is_file(),
        "{} was not built (cargo test builds the examples)",
        path.display()
    );
    path
}

#[test]
fn write_ledger_writes_a_valid_cp932_file_to_a_file_or_a_redirect() {
    let temp = TempDir::fresh("example-ledger");
    std::fs::create_dir_all(&temp.0).unwrap();
    let file = temp.0.join("ledger.csv");
    let out = Command::new(example("write_ledger"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let bytes = std::fs::read(&file).unwrap();
    let layout = layout::find("ledger-export", &LayoutParams::default()).unwrap();
    let report = validate_bytes(&bytes, layout, ValidateOptions::default());
    assert!(report.is_ok() && report.rows == 1);
    assert_eq!(report.encoding, Some(Encoding::Cp932.name()));

    // Standard output redirected (here: a pipe) gets the same bytes.
    let piped = Command::new(example("write_ledger")).output().unwrap();
    assert!(piped.status.success());
    assert_eq!(piped.stdout, bytes);
}

#[cfg(unix)]
#[test]
fn write_ledger_refuses_to_print_cp932_to_a_terminal() {
    // `script` runs the example with a pseudo-terminal as its standard output.
    let has_script = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        eprintln!("skipped: `script` (util-linux) is not installed; no terminal to test with");
        return;
    }
    let out = Command::new("script")
        .args(["-qec"])
        .arg(example("write_ledger"))
        .arg("/dev/null")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{shown}");
    assert!(shown.contains("give a file name or redirect"), "{shown}");
    // Nothing of the file reached the terminal: its CP932 header starts 8C C2 95 CA.
    assert!(!out.stdout.windows(4).any(|w| w == [0x8c, 0xc2, 0x95, 0xca]));
}

/// The fenced code blocks of `lang` in a Markdown file, in order.
fn blocks(markdown: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line == format!("```{lang}") => current = Some(String::new()),
            None => {}
            Some(_) if line == "```" => out.extend(current.take()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    out
}

/// The code without its comments and blank lines, each line trimmed: what must be the same in
/// both languages (comments are translated).
fn code_only(block: &str, lang: &str) -> Vec<String> {
    let mut text = block.to_owned();
    if lang == "c" {
        // Block comments, possibly over several lines.
        while let Some(start) = text.find("/*") {
            let end = text[start..]
                .find("*/")
                .map_or(text.len(), |e| start + e + 2);
            text.replace_range(start..end, "");
        }
    }
    let marker = match lang {
        "python" | "sh" => "#",
        _ => "//",
    };
    text.lines()
        .map(|l| {
            // A comment marker inside a string literal would be cut too; these tours have none.
            let code = if lang == "rust" && l.trim_start().starts_with("///") {
                ""
            } else {
                l.find(marker).map_or(l, |i| &l[..i])
            };
            code.trim().to_owned()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn the_japanese_readme_runs_the_same_commands_and_programs() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let en = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let ja = std::fs::read_to_string(format!("{root}/README.ja.md")).unwrap();
    for lang in ["rust", "c", "python"] {
        let (e, j) = (blocks(&en, lang), blocks(&ja, lang));
        assert!(!e.is_empty(), "README.md has no {lang} block");
        assert_eq!(e.len(), j.len(), "{lang} blocks: README.md vs README.ja.md");
        for (i, (e, j)) in e.iter().zip(&j).enumerate() {
            assert_eq!(
                code_only(e, lang),
                code_only(j, lang),
                "{lang} block {i} differs between README.md and README.ja.md (beyond comments)"
            );
        }
    }
    // Every command of the English set-up and tours appears in the Japanese README.
    let ja_commands: Vec<String> = blocks(&ja, "sh")
        .iter()
        .flat_map(|b| code_only(b, "sh"))
        .collect();
    for command in blocks(&en, "sh").iter().flat_map(|b| code_only(b, "sh")) {
        if command.starts_with("cargo bench") {
            continue; // the benchmarks are described in English only
        }
        assert!(
            ja_commands.contains(&command),
            "README.ja.md lacks the command {command:?} of README.md"
        );
    }
}
