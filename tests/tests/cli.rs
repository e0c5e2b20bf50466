//! The command line as a vendor's CI uses it: exit codes, formats, standard input.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vrs-conformance"))
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn vrs-conformance");
    if let Some(data) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(data).expect("write stdin");
    }
    child.wait_with_output().expect("wait")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("vrs-cli-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn layouts_lists_every_layout_with_its_version() {
    let o = run(&["layouts", "--format", "json"], None);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vrs_core::layout::LAYOUT_IDS);
    assert!(v[0]["columns"].as_array().unwrap().len() == 57);
    let text = stdout(&run(&["layouts"], None));
    assert!(text.contains("ledger-export") && text.contains("予防接種台帳向け出力"));
}

#[test]
fn help_lists_every_subcommand() {
    let o = run(&["--help"], None);
    assert!(o.status.success());
    let text = stdout(&o);
    for cmd in ["layouts", "validate", "generate", "id", "scenario"] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(cmd)),
            "{cmd} missing in:\n{text}"
        );
    }
    let o = run(&["scenario", "--help"], None);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(
        text.contains("--store <DIR>") && text.contains("Exit 0"),
        "{text}"
    );
}

#[test]
fn id_checks_arguments_and_stdin_and_never_echoes_a_my_number() {
    let o = run(
        &["id", "municipality-code", "131016", "131017", "011002"],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(
        lines[0].starts_with("ok") && lines[1].starts_with("invalid") && lines[2].starts_with("ok")
    );
    assert!(lines[1].contains("check digit should be 6, found 7"));
    let o = run(
        &["id", "my-number"],
        Some(b"123456789018\r\n123456789013\n\n12345678901\n"),
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(out.lines().count(), 4);
    assert!(out.starts_with("ok\ninvalid: My Number: check digit should be 8, found 3\n"));
    assert!(
        !out.contains("12345678901") && !String::from_utf8_lossy(&o.stderr).contains("1234567890")
    );
    let o = run(
        &[
            "id",
            "wareki",
            "令和3年4月23日",
            "R03.04.23",
            "R3.4.23",
            "令和元年5月1日",
        ],
        None,
    );
    assert!(o.status.success());
    assert_eq!(
        stdout(&o),
        "ok 2021-04-23\nok 2021-04-23\nok 2021-04-23\nok 2019-05-01\n"
    );
    let o = run(
        &[
            "id",
            "wareki",
            "平成31年5月1日",
            "令和元年4月30日",
            "令和0年1月1日",
            "令和3年2月30日",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).lines().all(|l| l.starts_with("invalid")));
    let o = run(&["id", "date", "20210423", "2021-04-23"], None);
    assert_eq!(stdout(&o).lines().next(), Some("ok 2021-04-23"));
    let o = run(&["id", "ocr-line", "111310160000012345"], None);
    assert!(o.status.success());
    let o = run(&["id", "voucher-number", "0000012345", "000001234"], None);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn generate_then_validate_round_trips_through_files_and_stdin() {
    let tmp = TempDir::new("gen");
    for layout in vrs_core::layout::LAYOUT_IDS {
        for encoding in ["utf-8", "cp932"] {
            let args = [
                "generate",
                "--layout",
                layout,
                "--rows",
                "300",
                "--seed",
                "7",
                "--encoding",
                encoding,
            ];
            let g = run(&args, None);
            assert!(
                g.status.success(),
                "{layout}: {}",
                String::from_utf8_lossy(&g.stderr)
            );
            let again = run(&args, None);
            assert_eq!(g.stdout, again.stdout, "generation is deterministic");
            let path = tmp.0.join(format!("{layout}-{encoding}.csv"));
            std::fs::write(&path, &g.stdout).unwrap();
            let v = run(
                &[
                    "validate",
                    "--layout",
                    layout,
                    "--format",
                    "json",
                    "--as-of",
                    "2024-04-01",
                    path.to_str().unwrap(),
                ],
                None,
            );
            let report: serde_json::Value = serde_json::from_str(&stdout(&v)).unwrap();
            assert_eq!(report["errors"], 0, "{layout} {encoding}: {report}");
            assert_eq!(report["rows"], 300);
            assert_eq!(report["encoding"], encoding);
            assert_eq!(v.status.code(), Some(0));
            let from_stdin = run(
                &[
                    "validate",
                    "--layout",
                    layout,
                    "--format",
                    "json",
                    "--as-of",
                    "2024-04-01",
                    "-",
                ],
                Some(&g.stdout),
            );
            let r2: serde_json::Value = serde_json::from_str(&stdout(&from_stdin)).unwrap();
            assert_eq!(
                (r2["errors"].clone(), r2["encoding"].clone()),
                (serde_json::json!(0), serde_json::json!(encoding))
            );
        }
    }
}

#[test]
fn validate_exit_codes_and_formats() {
    let tmp = TempDir::new("fmt");
    let bad = tmp.0.join("bad.csv");
    std::fs::write(
        &bad,
        "個人番号,宛名番号\r\n123456789013,1\r\n123456789013,2\r\n123456789013,3\r\n",
    )
    .unwrap();
    let o = run(
        &[
            "validate",
            "--layout",
            "batch-inquiry-request",
            "--format",
            "json",
            "--max-errors",
            "2",
            bad.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (v["errors"].as_u64(), v["truncated"].as_bool()),
        (Some(3), Some(true))
    );
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 2);
    let d = &v["diagnostics"][0];
    for key in ["code", "severity", "line", "column", "message"] {
        assert!(d.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["summary"][0]["count"], 3);
    assert!(!stdout(&o).contains("123456789013"));
    let text = stdout(&run(
        &[
            "validate",
            "--layout",
            "batch-inquiry-request",
            "--lang",
            "en",
            bad.to_str().unwrap(),
        ],
        None,
    ));
    assert!(
        text.contains(
            "bad.csv:2: error N01 My Number: check digit should be 8, found 3 [value: <redacted>]"
        ),
        "{text}"
    );
    let junit = stdout(&run(
        &[
            "validate",
            "--layout",
            "batch-inquiry-request",
            "--format",
            "junit",
            bad.to_str().unwrap(),
        ],
        None,
    ));
    assert!(junit.starts_with("<?xml") && junit.contains("<failure message=\"N01 x3\">"));
    // Could not run: missing file, unknown layout, bad option.
    assert_eq!(
        run(
            &[
                "validate",
                "--layout",
                "ledger-export",
                "/nonexistent/file.csv"
            ],
            None
        )
        .status
        .code(),
        Some(2)
    );
    let unknown = run(
        &["validate", "--layout", "nope", bad.to_str().unwrap()],
        None,
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("ledger-export"));
    assert_eq!(
        run(
            &[
                "validate",
                "--layout",
                "ledger-export",
                "--encoding",
                "ebcdic",
                "-"
            ],
            Some(b"")
        )
        .status
        .code(),
        Some(2)
    );
    assert_eq!(run(&["validate"], None).status.code(), Some(2));
}

#[test]
fn vaccine_tables_can_be_replaced() {
    let tmp = TempDir::new("tables");
    // The built-in tables, with Pfizer's spellings and name changed: "ファイザー" becomes unknown.
    let json = vrs_core::vaccine::VaccineTables::default()
        .to_json()
        .unwrap()
        .replace("\"ファイザー\"", "\"ファイザー社製\"");
    let tables = tmp.0.join("tables.json");
    std::fs::write(&tables, json).unwrap();
    let file = tmp.0.join("doses.csv");
    std::fs::write(
        &file,
        "接種自治体コード,券番号,接種回数,接種日,接種会場名,接種医師名,ワクチンメーカー,ワクチンロット番号,OCRライン,宛名番号,生年月日\r\n\
         131016,0000000001,1,20210601,会場,医師,ファイザー,FA5765,,1001,19500101\r\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let default = run(
        &[
            "validate",
            "--layout",
            "dose-upload",
            "--as-of",
            "2024-04-01",
            path,
        ],
        None,
    );
    assert_eq!(default.status.code(), Some(0));
    let custom = run(
        &[
            "validate",
            "--layout",
            "dose-upload",
            "--as-of",
            "2024-04-01",
            "--format",
            "json",
            "--tables",
            tables.to_str().unwrap(),
            path,
        ],
        None,
    );
    assert_eq!(custom.status.code(), Some(1));
    assert!(stdout(&custom).contains("\"T03\""));
    let bad = tmp.0.join("bad.json");
    std::fs::write(&bad, "{}").unwrap();
    assert_eq!(
        run(
            &[
                "validate",
                "--layout",
                "dose-upload",
                "--tables",
                bad.to_str().unwrap(),
                path
            ],
            None
        )
        .status
        .code(),
        Some(2)
    );
}

#[test]
fn validate_gives_one_report_whatever_the_threads() {
    // Over 1 MiB, so worker threads start; a repeated row gives cross-row findings (S03, V02).
    let tmp = TempDir::new("threads");
    let file = tmp.0.join("ledger.csv");
    let generated = run(
        &[
            "generate",
            "--layout",
            "ledger-export",
            "--rows",
            "4000",
            "--seed",
            "9",
        ],
        None,
    );
    assert!(generated.status.success());
    let mut bytes = generated.stdout;
    let second_row: Vec<u8> = bytes
        .split(|b| *b == b'\n')
        .nth(1)
        .expect("a data row")
        .to_vec();
    bytes.extend_from_slice(&second_row);
    bytes.push(b'\n');
    assert!(bytes.len() > 1 << 20);
    std::fs::write(&file, &bytes).unwrap();
    let report = |threads: &str| {
        let o = run(
            &[
                "validate",
                "--layout",
                "ledger-export",
                "--as-of",
                "2024-04-01",
                "--format",
                "json",
                "--threads",
                threads,
                file.to_str().unwrap(),
            ],
            None,
        );
        assert_eq!(o.status.code(), Some(1), "threads {threads}");
        stdout(&o)
    };
    let alone = report("1");
    assert!(alone.contains("\"S03\"") && alone.contains("\"V02\""));
    assert_eq!(report("2"), alone);
    assert_eq!(report("0"), alone);
}

/// Issue 15 item 7 / issue 12 item 8: `validate a.csv missing.csv b.csv` validated nothing. The
/// readable files are validated and reported; the exit status (2) says one could not be read.
#[test]
fn an_unreadable_file_among_several_does_not_suppress_the_others() {
    let tmp = TempDir::new("several");
    let a = tmp.0.join("a.csv");
    let b = tmp.0.join("b.csv");
    std::fs::write(&a, "個人番号,宛名番号\r\n123456789018,1\r\n").unwrap();
    std::fs::write(&b, "個人番号,宛名番号\r\n123456789013,1\r\n").unwrap();
    let missing = tmp.0.join("missing.csv");
    let files = [
        a.to_str().unwrap(),
        missing.to_str().unwrap(),
        b.to_str().unwrap(),
    ];
    for format in ["text", "json", "junit"] {
        let mut args = vec![
            "validate",
            "--layout",
            "batch-inquiry-request",
            "--format",
            format,
        ];
        args.extend(files);
        let o = run(&args, None);
        assert_eq!(o.status.code(), Some(2), "{format}");
        let out = stdout(&o);
        assert!(
            out.contains("a.csv") && out.contains("b.csv"),
            "{format}: {out}"
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("missing.csv") && err.contains("1 of 3 files"),
            "{err}"
        );
    }
    let o = run(
        &[
            "validate",
            "--layout",
            "batch-inquiry-request",
            "--format",
            "json",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v.as_array().map(Vec::len), Some(2));
    assert_eq!(o.status.code(), Some(1));
}

/// Issue 12 item 8: `--as-of 2021-02-30` said "expected 8 characters, found 10"; `--doses
/// 1000000` said "not in 0..=255".
#[test]
fn option_errors_say_what_is_wrong() {
    let o = run(
        &[
            "validate",
            "--layout",
            "flags",
            "--as-of",
            "2021-02-30",
            "-",
        ],
        Some(b""),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("day 30 does not exist in 2021-02"), "{err}");
    let o = run(
        &["validate", "--layout", "flags", "--as-of", "20210230", "-"],
        Some(b""),
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("day 30 does not exist"));
    for doses in ["1000000", "0", "10"] {
        let o = run(
            &[
                "validate",
                "--layout",
                "ledger-export",
                "--doses",
                doses,
                "-",
            ],
            Some(b""),
        );
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("not in 1..=9"), "{err}");
    }
    let o = run(
        &["validate", "--layout", "flags", "--max-errors", "many", "-"],
        Some(b""),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("or unlimited"));
}

/// Issue 12 item 3: the first 1,000 diagnostics are kept by default and all are counted;
/// `--max-errors unlimited` prints every one as it is found (text and JSON, still valid JSON).
#[test]
fn diagnostics_are_bounded_unless_streamed() {
    let tmp = TempDir::new("bounded");
    let file = tmp.0.join("errors.csv");
    let mut text = String::from("個人番号,宛名番号\r\n");
    for i in 0..1500 {
        text.push_str(&format!("123456789013,{i}\r\n"));
    }
    std::fs::write(&file, &text).unwrap();
    let path = file.to_str().unwrap();
    let json = |max: &str| {
        let o = run(
            &[
                "validate",
                "--layout",
                "batch-inquiry-request",
                "--format",
                "json",
                "--max-errors",
                max,
                path,
            ],
            None,
        );
        assert_eq!(o.status.code(), Some(1));
        serde_json::from_str::<serde_json::Value>(&stdout(&o)).unwrap()
    };
    let bounded = json("1000");
    assert_eq!(bounded["diagnostics"].as_array().unwrap().len(), 1000);
    assert_eq!(
        (bounded["errors"].as_u64(), bounded["truncated"].as_bool()),
        (Some(1500), Some(true))
    );
    let all = json("unlimited");
    assert_eq!(all["diagnostics"].as_array().unwrap().len(), 1500);
    assert_eq!(
        (all["errors"].as_u64(), all["truncated"].as_bool()),
        (Some(1500), Some(false))
    );
    assert_eq!(all["summary"], bounded["summary"]);
    let o = run(
        &[
            "validate",
            "--layout",
            "batch-inquiry-request",
            "--max-errors",
            "unlimited",
            path,
        ],
        None,
    );
    let out = stdout(&o);
    assert_eq!(
        out.lines().filter(|l| l.contains(": エラー N01 ")).count(),
        1500
    );
    assert!(!out.contains("123456789013"));
    let o = run(
        &[
            "validate",
            "--layout",
            "batch-inquiry-request",
            "--format",
            "junit",
            "--max-errors",
            "unlimited",
            path,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
}

/// Issue 12 item 6: the same bytes gave another report through stdin than by name.
#[test]
fn stdin_and_a_named_file_give_the_same_report() {
    let tmp = TempDir::new("stdin");
    let mut cases: Vec<(&str, Vec<u8>, bool)> = vec![
        ("flags", b"\x80\x90".to_vec(), true),
        ("flags", b"\xaa\x2c\xfa\x0d\x83\x40".to_vec(), false),
    ];
    // A CP932 registration whose first name is half-width kana (valid UTF-8 too).
    let mut kana =
        "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n".to_owned();
    kana.push_str("131016,1001,123456789018,0000012345,中 真紀,ﾅｶ ﾏｷ,19800101,2,20210501\r\n");
    let cp932 = vrs_core::text::encode_strict(&kana, vrs_core::text::Encoding::Cp932).unwrap();
    cases.push(("subject-registration", cp932.into_owned(), true));
    for (i, (layout, bytes, header)) in cases.iter().enumerate() {
        let path = tmp.0.join(format!("case{i}.csv"));
        std::fs::write(&path, bytes).unwrap();
        let mut args = vec![
            "validate",
            "--layout",
            layout,
            "--format",
            "json",
            "--as-of",
            "2024-04-01",
        ];
        if !header {
            args.push("--no-header");
        }
        let by_name = {
            let mut a = args.clone();
            a.push(path.to_str().unwrap());
            run(&a, None)
        };
        let by_stdin = {
            let mut a = args.clone();
            a.push("-");
            run(&a, Some(bytes))
        };
        let strip = |o: &Output| {
            let mut v: serde_json::Value = serde_json::from_str(&stdout(o)).unwrap();
            v["file"] = serde_json::Value::Null;
            v
        };
        assert_eq!(strip(&by_name), strip(&by_stdin), "case {i}");
        assert_eq!(by_name.status.code(), by_stdin.status.code());
    }
}
