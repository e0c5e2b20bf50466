//! Argument parsing and the subcommands.

use std::fs::File;
use std::io::{self, BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use vrs_core::codec::{validate_reader, ValidateOptions, WriteOptions};
use vrs_core::date::Date;
use vrs_core::diag::{render_junit, Lang, Report};
use vrs_core::id::MunicipalityCode;
use vrs_core::layout::{self, Layout, LayoutParams};
use vrs_core::synth::{self, SynthOptions};
use vrs_core::text::{Encoding, EncodingChoice, EncodingDetector, TextError};
use vrs_core::vaccine::VaccineTables;

use crate::ids::{self, IdKindArg};
use crate::progress::Progress;

/// Conformance tool for the exchange files of Japan's COVID-19 Vaccination Record System (VRS).
#[derive(Debug, Parser)]
#[command(name = "vrs-conformance", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Text,
    Json,
    Junit,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the layouts and their versions.
    Layouts {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        /// Dose blocks of the block layouts (ledger export, awaiting list, inquiry result).
        #[arg(long, default_value_t = 7)]
        doses: u8,
    },
    /// Validate files against a layout. Exit 0: no errors; 1: errors; 2: could not run.
    Validate(ValidateArgs),
    /// Write a valid synthetic file of a layout to standard output.
    Generate(GenerateArgs),
    /// Check identifiers or dates, one output line per value (`ok ...` or `invalid: reason`).
    /// With no VALUE, reads one value per line from standard input. Never echoes a My Number.
    Id {
        /// What to check.
        #[arg(value_enum)]
        kind: IdKindArg,
        /// Values to check.
        values: Vec<String>,
    },
    /// Run a registry scenario against a store; print one JSON line per step.
    ///
    /// Runs the scenario FILE (tenants, clock, steps with principals, arguments and
    /// expectations) against an embedded registry in DIR, printing
    /// {"step": N, "op": ..., "ok": ..., "error": ..., "result": ...} per step. Exit 0: every
    /// expectation holds; 1: some do not (listed on standard error); 2: could not run.
    /// Format and ops: tests/scenarios/README.md.
    Scenario {
        /// The scenario file (JSON).
        file: PathBuf,
        /// The store directory: created if missing (database, and keys in DIR/keys); a later
        /// run on the same DIR reuses its data and keys.
        #[arg(long, value_name = "DIR")]
        store: PathBuf,
    },
    /// Run the conformance corpus against this library. Ends with `N passed, N failed`
    /// (`, N waived`). Exit 0: nothing failed; 1: some case failed; 2: could not run.
    Run(crate::suite::RunArgs),
    /// Rewrite the corpus's expectations from this library's results (then review the diff).
    Bless(crate::suite::BlessArgs),
    /// Compare a vendor's files with the corpus and explain the first difference of each.
    /// Exit 0: every file compared matches; 1: some differ; 2: could not run or no file found.
    CheckOutput(crate::suite::CheckOutputArgs),
    /// Run the corpus and write a conformance report (JSON and one-page HTML) to a directory.
    /// Exit 0: nothing failed; 1: some case failed; 2: could not run.
    Report(crate::suite::ReportArgs),
}

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
struct ValidateArgs {
    /// Layout ID (`vrs-conformance layouts`), optionally with a version: ledger-export@1.
    #[arg(long)]
    layout: String,
    /// Input encoding: auto (strict decode of the whole file), utf-8 or cp932.
    #[arg(long, default_value = "auto")]
    encoding: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// Language of messages: ja or en.
    #[arg(long, default_value = "ja")]
    lang: String,
    /// Keep at most N diagnostics per file (counts still cover all; the report says truncated).
    #[arg(long)]
    max_errors: Option<usize>,
    /// File creation date for the no-future-dates rules (YYYY-MM-DD, YYYYMMDD or `today`).
    #[arg(long, default_value = "today")]
    as_of: String,
    /// The uploading municipality code (rule M03); default: the first row's code.
    #[arg(long)]
    tenant: Option<String>,
    /// Dose blocks of the block layouts.
    #[arg(long, default_value_t = 7)]
    doses: u8,
    /// The file has no header row.
    #[arg(long)]
    no_header: bool,
    /// Vaccine tables (manufacturers, intervals, ages, programme window) to use instead of the
    /// built-in ones: a JSON document in the format of `vrs-core/src/vaccine/default_tables.json`.
    #[arg(long)]
    tables: Option<std::path::PathBuf>,
    /// Threads validating a large file, this one included (0 = one per core; 1 = no worker
    /// threads). The report is the same whatever the number.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Files to validate; `-` reads standard input.
    #[arg(required = true)]
    files: Vec<String>,
}

/// Arguments of `generate`.
#[derive(Debug, clap::Args)]
struct GenerateArgs {
    /// Layout ID.
    #[arg(long)]
    layout: String,
    /// Number of data rows.
    #[arg(long, default_value_t = 100)]
    rows: u64,
    /// Seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output encoding: utf-8 or cp932.
    #[arg(long, default_value = "utf-8")]
    encoding: String,
    /// The municipality the file belongs to (default: chosen by the seed).
    #[arg(long)]
    tenant: Option<String>,
    /// The file creation date (no generated date is later).
    #[arg(long, default_value = "2024-04-01")]
    as_of: String,
    /// Dose blocks of the block layouts.
    #[arg(long, default_value_t = 7)]
    doses: u8,
}

/// A failure that stops the command (exit 2).
pub struct Fatal(pub String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(e: E) -> Self {
        Fatal(e.to_string())
    }
}

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Layouts { format, doses } => layouts(format, doses),
        Command::Validate(args) => validate(&args),
        Command::Generate(args) => generate(&args),
        Command::Id { kind, values } => id(kind, &values),
        Command::Scenario { file, store } => scenario(&file, &store),
        Command::Run(args) => crate::suite::run(&args),
        Command::Bless(args) => crate::suite::bless(&args),
        Command::CheckOutput(args) => crate::suite::check_output(&args),
        Command::Report(args) => crate::suite::report(&args),
    };
    match result {
        Ok(code) => code,
        Err(Fatal(message)) => {
            eprintln!("vrs-conformance: {message}");
            ExitCode::from(2)
        }
    }
}

fn find_layout(id: &str, doses: u8) -> Result<Layout, Fatal> {
    layout::find(id, &LayoutParams { dose_blocks: doses }).map_err(|e| Fatal(e.to_string()))
}

fn parse_date_arg(s: &str) -> Result<Date, Fatal> {
    if s == "today" {
        return Ok(today());
    }
    Date::parse_iso(s)
        .or_else(|_| Date::parse_yyyymmdd(s))
        .map_err(|e| Fatal(format!("bad date {s:?}: {e}")))
}

/// Today's date (UTC) from the system clock: the command line is the edge where a clock may be read.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = i32::try_from(secs / 86_400).unwrap_or(0);
    Date::from_days_since_epoch(days).unwrap_or(Date::MAX)
}

fn layouts(format: ListFormat, doses: u8) -> Result<ExitCode, Fatal> {
    let all = layout::all(&LayoutParams { dose_blocks: doses });
    let mut out = io::stdout().lock();
    match format {
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = all
                .iter()
                .map(|l| {
                    serde_json::json!({
                        "id": l.id,
                        "version": l.version,
                        "qualified_id": l.qualified_id(),
                        "name_ja": l.name_ja,
                        "name_en": l.name_en,
                        "direction": l.direction,
                        "provenance": l.provenance,
                        "description": l.description,
                        "columns": l.columns,
                    })
                })
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
        }
        ListFormat::Text => {
            for l in &all {
                writeln!(
                    out,
                    "{:<24} v{}  {:<8} {:>3} columns  {} / {}",
                    l.id,
                    l.version,
                    format!("{:?}", l.direction).to_lowercase(),
                    l.columns.len(),
                    l.name_ja,
                    l.name_en
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn validate(args: &ValidateArgs) -> Result<ExitCode, Fatal> {
    let layout = find_layout(&args.layout, args.doses)?;
    let choice: EncodingChoice = args.encoding.parse()?;
    let lang: Lang = args.lang.parse().map_err(Fatal)?;
    let tenant = args
        .tenant
        .as_deref()
        .map(MunicipalityCode::parse)
        .transpose()?;
    let tables = match &args.tables {
        Some(path) => {
            let json = std::fs::read_to_string(path)
                .map_err(|e| Fatal(format!("{}: {e}", path.display())))?;
            let tables = VaccineTables::from_json(&json)
                .map_err(|e| Fatal(format!("{}: {e}", path.display())))?;
            std::sync::Arc::new(tables)
        }
        None => std::sync::Arc::new(VaccineTables::default()),
    };
    let base = ValidateOptions {
        tables,
        encoding: choice,
        max_diagnostics: args.max_errors,
        as_of: Some(parse_date_arg(&args.as_of)?),
        tenant,
        header: !args.no_header,
        threads: args.threads,
        ..ValidateOptions::default()
    };
    let mut reports = Vec::with_capacity(args.files.len());
    for file in &args.files {
        let mut options = base.clone();
        let mut report = if file == "-" {
            validate_reader(io::stdin().lock(), layout.clone(), options)
                .map_err(|e| Fatal(format!("-: {e}")))?
        } else {
            let path = Path::new(file);
            if options.encoding == EncodingChoice::Auto {
                options.encoding = detect_file(path).map_err(|e| Fatal(format!("{file}: {e}")))?;
            }
            let f = File::open(path).map_err(|e| Fatal(format!("{file}: {e}")))?;
            let size = f.metadata().map(|m| m.len()).unwrap_or(0);
            let mut reader = Progress::new(f, size, file);
            let report = validate_reader(&mut reader, layout.clone(), options)
                .map_err(|e| Fatal(format!("{file}: {e}")))?;
            reader.clear();
            report
        };
        report.file = Some(file.clone());
        reports.push(report);
    }
    print_reports(&reports, args.format, lang)?;
    let errors: u64 = reports.iter().map(|r| r.errors).sum();
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Decides the encoding of a file by a strict decode of all of it (streaming, constant memory).
/// When neither encoding fits, the one that got further is used and the bad lines get F01.
fn detect_file(path: &Path) -> io::Result<EncodingChoice> {
    if is_utf8_file(path)? {
        return Ok(EncodingChoice::Utf8);
    }
    let mut f = File::open(path)?;
    let mut detector = EncodingDetector::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        detector.feed(&buf[..n]);
    }
    Ok(match detector.finish() {
        Ok(d) => EncodingChoice::from(d.encoding),
        Err(TextError::NotUtf8NorCp932 {
            utf8_offset,
            cp932_offset,
        }) if cp932_offset > utf8_offset => EncodingChoice::Cp932,
        Err(_) => EncodingChoice::Utf8,
    })
}

/// One fast pass: is the whole file valid UTF-8? (Most are; CP932 is checked only if not.)
fn is_utf8_file(path: &Path) -> io::Result<bool> {
    let mut f = File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut carry = 0usize; // bytes of a character split by the previous read, moved to the front
    loop {
        let n = f.read(&mut buf[carry..])?;
        if n == 0 {
            return Ok(carry == 0);
        }
        let filled = carry + n;
        match simdutf8::compat::from_utf8(&buf[..filled]) {
            Ok(_) => carry = 0,
            // An incomplete character at the end: keep its bytes for the next read.
            Err(e) if e.error_len().is_none() => {
                let valid = e.valid_up_to();
                buf.copy_within(valid..filled, 0);
                carry = filled - valid;
            }
            Err(_) => return Ok(false),
        }
    }
}

fn print_reports(reports: &[Report], format: ReportFormat, lang: Lang) -> Result<(), Fatal> {
    let mut out = BufWriter::new(io::stdout().lock());
    match format {
        ReportFormat::Text => {
            for r in reports {
                write!(out, "{}", r.render_text(lang))?;
            }
        }
        ReportFormat::Json => {
            let doc = match reports {
                [one] => one.to_json_value(lang),
                many => {
                    serde_json::Value::Array(many.iter().map(|r| r.to_json_value(lang)).collect())
                }
            };
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        ReportFormat::Junit => write!(out, "{}", render_junit(reports, lang))?,
    }
    out.flush()?;
    Ok(())
}

fn generate(args: &GenerateArgs) -> Result<ExitCode, Fatal> {
    let layout = find_layout(&args.layout, args.doses)?;
    let encoding: Encoding = args.encoding.parse()?;
    let tenant = args
        .tenant
        .as_deref()
        .map(MunicipalityCode::parse)
        .transpose()?;
    let options = SynthOptions {
        rows: args.rows,
        seed: args.seed,
        tenant,
        as_of: parse_date_arg(&args.as_of)?,
    };
    let out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let write = WriteOptions {
        encoding,
        ..WriteOptions::default()
    };
    synth::generate(&layout, &options, write, out)?;
    Ok(ExitCode::SUCCESS)
}

fn id(kind: IdKindArg, values: &[String]) -> Result<ExitCode, Fatal> {
    let mut out = BufWriter::new(io::stdout().lock());
    let mut all_ok = true;
    if values.is_empty() {
        let stdin = io::stdin().lock();
        for line in stdin.split(b'\n') {
            let bytes = line?;
            let bytes = bytes.strip_suffix(b"\r").unwrap_or(&bytes);
            let (text, ok) = match std::str::from_utf8(bytes) {
                Ok(s) => ids::check(kind, s),
                Err(_) => ("invalid: not valid UTF-8".to_owned(), false),
            };
            all_ok &= ok;
            writeln!(out, "{text}")?;
        }
    } else {
        for v in values {
            let (text, ok) = ids::check(kind, v);
            all_ok &= ok;
            writeln!(out, "{text}")?;
        }
    }
    out.flush()?;
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn scenario(file: &Path, store: &Path) -> Result<ExitCode, Fatal> {
    let mut out = BufWriter::new(io::stdout().lock());
    let mut err = io::stderr().lock();
    let all_hold = vrs_conformance::run_scenario(file, store, &mut out, &mut err).map_err(Fatal)?;
    out.flush()?;
    Ok(if all_hold {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
