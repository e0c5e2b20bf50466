//! Argument parsing and the subcommands.

use std::fs::File;
use std::io::{self, BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use vrs_core::codec::{ValidateOptions, Validator, WriteOptions, DEFAULT_MAX_DIAGNOSTICS};
use vrs_core::date::Date;
use vrs_core::diag::{render_junit, Diagnostic, Lang, Report};
use vrs_core::id::MunicipalityCode;
use vrs_core::layout::{self, Layout, LayoutParams};
use vrs_core::synth::{self, SynthOptions};
use vrs_core::text::{Encoding, EncodingChoice};
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
        /// Dose blocks of the block layouts (ledger export, awaiting list, inquiry result), 1-9.
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u8).range(1..=9))]
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
    /// Keep at most N diagnostics per file, the first ones found (default 1000); the counts and
    /// the per-code summary still cover all of them. `unlimited` prints every diagnostic as it
    /// is found instead of keeping them (text and json; memory stays bounded either way).
    #[arg(long, value_name = "N|unlimited", default_value_t = DEFAULT_MAX_DIAGNOSTICS.to_string())]
    max_errors: String,
    /// File creation date for the no-future-dates rules (YYYY-MM-DD, YYYYMMDD or `today`).
    #[arg(long, default_value = "today")]
    as_of: String,
    /// The uploading municipality code (rule M03); default: the first row's code.
    #[arg(long)]
    tenant: Option<String>,
    /// Dose blocks of the block layouts (1-9). Default: the header's (7 without a header).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=9))]
    doses: Option<u8>,
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
    /// Dose blocks of the block layouts, 1-9.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u8).range(1..=9))]
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
    // The error of the form the text has, not of the other one ("2021-02-30": the day does not
    // exist, not "expected 8 characters").
    let parsed = if s.contains('-') {
        Date::parse_iso(s)
    } else {
        Date::parse_yyyymmdd(s)
    };
    parsed.map_err(|e| {
        Fatal(format!(
            "bad date {s:?}: {e} (use YYYY-MM-DD, YYYYMMDD or today)"
        ))
    })
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
    let layout = find_layout(&args.layout, args.doses.unwrap_or(7))?;
    let choice: EncodingChoice = args.encoding.parse()?;
    let lang: Lang = args.lang.parse().map_err(Fatal)?;
    let max_diagnostics = parse_max_errors(&args.max_errors)?;
    if max_diagnostics.is_none() && args.format == ReportFormat::Junit {
        return Err(Fatal(
            "--max-errors unlimited prints diagnostics as they are found, in text or json; \
             JUnit groups them by code: give a number"
                .into(),
        ));
    }
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
    let options = ValidateOptions {
        tables,
        encoding: choice,
        max_diagnostics,
        as_of: Some(parse_date_arg(&args.as_of)?),
        tenant,
        header: !args.no_header,
        dose_blocks_from_header: args.doses.is_none(),
        threads: args.threads,
        ..ValidateOptions::default()
    };
    let out = Shared::stdout();
    let streamed = max_diagnostics.is_none().then_some(args.format);
    let json_list = args.files.len() > 1 && args.format == ReportFormat::Json;
    if streamed.is_some() && json_list {
        out.write("[\n");
    }
    let mut reports = Vec::with_capacity(args.files.len());
    let mut unreadable = 0usize;
    for file in &args.files {
        // Say so and go on with the other files; the exit status says it at the end.
        let input = match open_input(file) {
            Ok(input) => input,
            Err(message) => {
                eprintln!("vrs-conformance: {message}");
                unreadable += 1;
                continue;
            }
        };
        let stream = streamed.map(|format| {
            let element = json_list && !reports.is_empty();
            Stream::begin(&out, file, format, lang, element)
        });
        match validate_input(input, file, &layout, options.clone(), stream.as_ref()) {
            Ok(mut report) => {
                report.file = Some(file.clone());
                if let Some(stream) = &stream {
                    stream.end(&report);
                }
                reports.push(report);
            }
            Err(message) => {
                eprintln!("vrs-conformance: {message}");
                unreadable += 1;
                if let Some(stream) = &stream {
                    stream.abandon();
                }
            }
        }
    }
    match streamed {
        Some(_) if json_list => out.write("]\n"),
        Some(_) => {}
        None => print_reports(&reports, args.format, lang, &out),
    }
    out.flush()?;
    if unreadable > 0 {
        eprintln!(
            "vrs-conformance: {unreadable} of {} files could not be read",
            args.files.len()
        );
        return Ok(ExitCode::from(2));
    }
    let errors: u64 = reports.iter().map(|r| r.errors).sum();
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `--max-errors`: a number, or `unlimited` (`None`).
fn parse_max_errors(s: &str) -> Result<Option<usize>, Fatal> {
    if s.eq_ignore_ascii_case("unlimited") {
        return Ok(None);
    }
    s.parse::<usize>().map(Some).map_err(|_| {
        Fatal(format!(
            "--max-errors {s:?}: give a number of diagnostics to keep, or unlimited"
        ))
    })
}

/// An input to validate and its size when known: the file, or standard input for `-`.
type Input = (Box<dyn Read>, u64);

/// Opens `file` (`-`: standard input). `Err`: why it cannot be read.
fn open_input(file: &str) -> Result<Input, String> {
    if file == "-" {
        return Ok((Box::new(io::stdin().lock()), 0));
    }
    let f = File::open(file).map_err(|e| format!("{file}: {e}"))?;
    let meta = f.metadata().map_err(|e| format!("{file}: {e}"))?;
    if meta.is_dir() {
        return Err(format!("{file}: is a directory"));
    }
    Ok((Box::new(f), meta.len()))
}

/// Validates one input, its diagnostics streamed when `stream` is given. `Err`: a read failed.
fn validate_input(
    (input, size): Input,
    file: &str,
    layout: &Layout,
    options: ValidateOptions,
    stream: Option<&Stream>,
) -> Result<Report, String> {
    let mut v = match stream {
        Some(stream) => Validator::streaming(layout.clone(), options, stream.on_diagnostic()),
        None => Validator::new(layout.clone(), options),
    };
    let mut reader = Progress::new(input, size, file);
    let fed = feed(&mut v, &mut reader);
    reader.clear();
    fed.map_err(|e| format!("{file}: {e}"))?;
    Ok(v.finish())
}

/// Feeds everything `reader` yields to `v`, in chunks of 256 KiB.
fn feed(v: &mut Validator, mut reader: impl Read) -> io::Result<()> {
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => v.feed(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Standard output, shared with the callbacks that print diagnostics as they are found.
#[derive(Clone)]
struct Shared(std::sync::Arc<std::sync::Mutex<BufWriter<io::Stdout>>>);

impl Shared {
    fn stdout() -> Self {
        Shared(std::sync::Arc::new(std::sync::Mutex::new(BufWriter::new(
            io::stdout(),
        ))))
    }

    /// Writes `text`; a failed write (a closed pipe) shows at the final flush.
    fn write(&self, text: &str) {
        if let Ok(mut out) = self.0.lock() {
            let _ = out.write_all(text.as_bytes());
        }
    }

    fn flush(&self) -> io::Result<()> {
        match self.0.lock() {
            Ok(mut out) => out.flush(),
            Err(_) => Err(io::Error::other("output lock poisoned")),
        }
    }
}

/// One file's report printed as it is made (`--max-errors unlimited`): each diagnostic as it
/// is found, then the summary.
struct Stream {
    out: Shared,
    file: String,
    format: ReportFormat,
    lang: Lang,
    /// Diagnostics printed (for the commas between JSON elements).
    printed: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Stream {
    /// Starts the file's output; `element`: a JSON report that follows another in the list.
    fn begin(out: &Shared, file: &str, format: ReportFormat, lang: Lang, element: bool) -> Self {
        if format == ReportFormat::Json {
            let sep = if element { ",\n" } else { "" };
            out.write(&format!("{sep}{{\n  \"diagnostics\": [\n"));
        }
        Stream {
            out: out.clone(),
            file: file.to_owned(),
            format,
            lang,
            printed: Default::default(),
        }
    }

    /// The callback printing each diagnostic.
    fn on_diagnostic(&self) -> impl FnMut(&Diagnostic) + Send + 'static {
        let (out, file, format, lang) =
            (self.out.clone(), self.file.clone(), self.format, self.lang);
        let printed = std::sync::Arc::clone(&self.printed);
        move |d: &Diagnostic| {
            let n = printed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            match format {
                ReportFormat::Json => {
                    let json = serde_json::to_string_pretty(&d.to_json_value(lang))
                        .unwrap_or_default()
                        .replace('\n', "\n    ");
                    let sep = if n == 0 { "" } else { ",\n" };
                    out.write(&format!("{sep}    {json}"));
                }
                _ => out.write(&format!("{}\n", d.render_line(&file, lang))),
            }
        }
    }

    /// Ends the file's output with the rest of its report.
    fn end(&self, report: &Report) {
        match self.format {
            ReportFormat::Json => {
                let mut rest = report.to_json_value(self.lang);
                if let Some(map) = rest.as_object_mut() {
                    map.remove("diagnostics");
                    // Every diagnostic is in the array above.
                    map.insert("truncated".into(), serde_json::Value::Bool(false));
                }
                let rest = serde_json::to_string_pretty(&rest).unwrap_or_default();
                // `{\n  "bom": ...\n}` after the diagnostics' array.
                let body = rest.trim_start_matches('{').trim_start_matches('\n');
                self.out.write(&format!("\n  ],\n{body}"));
                self.out.write("\n");
            }
            _ => self.out.write(&report.render_text_summary(self.lang)),
        }
    }

    /// Ends the output of a file that could not be read (valid JSON still).
    fn abandon(&self) {
        if self.format == ReportFormat::Json {
            self.out.write("\n  ],\n  \"unreadable\": true\n}\n");
        }
    }
}

fn print_reports(reports: &[Report], format: ReportFormat, lang: Lang, out: &Shared) {
    match format {
        ReportFormat::Text => {
            for r in reports {
                out.write(&r.render_text(lang));
            }
        }
        ReportFormat::Json => {
            let doc = match reports {
                [one] => one.to_json_value(lang),
                many => {
                    serde_json::Value::Array(many.iter().map(|r| r.to_json_value(lang)).collect())
                }
            };
            out.write(&serde_json::to_string_pretty(&doc).unwrap_or_default());
            out.write("\n");
        }
        ReportFormat::Junit => out.write(&render_junit(reports, lang)),
    }
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
