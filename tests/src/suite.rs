//! The corpus subcommands: `run`, `bless`, `check-output`, `report`.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use vrs_conformance::corpus::{
    bless as blessing, check_output as vendor, render, report as reporting, run_all, Corpus,
    Selection, Stage, Tally,
};

use crate::cli::Fatal;

/// Output format of `run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    /// One line per failing or waived case, counts per stage, `N passed, N failed`.
    Text,
    /// Every case with its status and differences.
    Json,
    /// JUnit XML: a test suite per stage.
    Junit,
}

/// Output format of `check-output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// A block per differing case in English and Japanese, then the counts.
    Text,
    /// Every case with its status and the explanation.
    Json,
}

/// Which cases (shared by the subcommands).
#[derive(Debug, Clone, clap::Args)]
pub struct Pick {
    /// The corpus directory (holding manifest.json).
    #[arg(long, default_value = "tests/cases", value_name = "DIR")]
    cases: PathBuf,
    /// Only cases whose ID contains PATTERN (`*` matches any run of characters).
    #[arg(long, value_name = "PATTERN")]
    filter: Option<String>,
    /// Only cases of this stage: encoding, structure, field, cross-field, cross-row,
    /// business-rule, writer, registry.
    #[arg(long, value_name = "S")]
    stage: Option<String>,
    /// The language of the help (`ja` or `en`; read before parsing, like every command's).
    #[allow(dead_code)]
    #[arg(long, value_parser = ["ja", "en"])]
    lang: Option<String>,
}

impl Pick {
    fn selection(&self) -> Result<Selection, Fatal> {
        let stage = self
            .stage
            .as_deref()
            .map(str::parse::<Stage>)
            .transpose()
            .map_err(Fatal)?;
        Ok(Selection {
            filter: self.filter.clone(),
            stage,
        })
    }

    fn load(&self) -> Result<Corpus, Fatal> {
        Corpus::load(&self.cases).map_err(Fatal)
    }
}

/// Arguments of `run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pick: Pick,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RunFormat::Text)]
    format: RunFormat,
}

/// Arguments of `bless`.
#[derive(Debug, clap::Args)]
pub struct BlessArgs {
    #[command(flatten)]
    pick: Pick,
}

/// Arguments of `check-output`.
#[derive(Debug, clap::Args)]
pub struct CheckOutputArgs {
    #[command(flatten)]
    pick: Pick,
    /// The directory of the vendor's files: `ID.csv` per case, and for read cases optionally
    /// `ID.diagnostics.json`.
    #[arg(long, value_name = "DIR")]
    vendor_output: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
}

/// Arguments of `report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pick: Pick,
    /// The vendor's name, shown on the report.
    #[arg(long, value_name = "NAME")]
    vendor: Option<String>,
    /// The product and its version, shown on the report.
    #[arg(long, value_name = "VERSION")]
    product: Option<String>,
    /// Also compare the vendor's files in DIR (as `check-output` does) and show the result.
    #[arg(long, value_name = "DIR")]
    vendor_output: Option<PathBuf>,
    /// Where to write `conformance-report.json` and `conformance-report.html`.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// A one-line counter on standard error, only when it is a terminal.
struct Counter {
    enabled: bool,
}

impl Counter {
    fn new() -> Self {
        Counter {
            enabled: io::stderr().is_terminal(),
        }
    }

    fn show(&self, done: usize, total: usize, id: &str) {
        if self.enabled {
            let mut err = io::stderr().lock();
            let shown: String = id.chars().take(50).collect();
            let _ = write!(err, "\r\x1b[K[{done}/{total}] {shown}");
            let _ = err.flush();
        }
    }

    fn clear(&self) {
        if self.enabled {
            let _ = write!(io::stderr().lock(), "\r\x1b[K");
        }
    }
}

fn exit_for(t: Tally) -> ExitCode {
    if t.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

pub fn run(args: &RunArgs) -> Result<ExitCode, Fatal> {
    let corpus = args.pick.load()?;
    let selection = args.pick.selection()?;
    let counter = Counter::new();
    let runs = run_all(&corpus, &selection, &mut |d, t, id| counter.show(d, t, id));
    counter.clear();
    if runs.is_empty() {
        return Err(Fatal("no case matches the selection".into()));
    }
    let text = match args.format {
        RunFormat::Text => render::text(&corpus, &runs),
        RunFormat::Json => render::json(&corpus, &runs),
        RunFormat::Junit => render::junit(&corpus, &runs),
    };
    io::stdout().lock().write_all(text.as_bytes())?;
    Ok(exit_for(Tally::of(&runs)))
}

pub fn bless(args: &BlessArgs) -> Result<ExitCode, Fatal> {
    let selection = args.pick.selection()?;
    let done = blessing::bless(&args.pick.cases, &selection).map_err(Fatal)?;
    let mut out = io::stdout().lock();
    for id in &done.changed {
        writeln!(out, "blessed  {id}")?;
    }
    for id in &done.waived {
        writeln!(
            out,
            "kept     {id} (waived: its expectation is the intended behaviour)"
        )?;
    }
    for b in &done.broken {
        writeln!(out, "BROKEN   {b}")?;
    }
    for p in &done.problems {
        writeln!(out, "PROBLEM  {p}")?;
    }
    writeln!(
        out,
        "{} expectation(s) changed; review with `git diff {}`",
        done.changed.len(),
        args.pick.cases.display()
    )?;
    Ok(if done.broken.is_empty() && done.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

pub fn check_output(args: &CheckOutputArgs) -> Result<ExitCode, Fatal> {
    let corpus = args.pick.load()?;
    let selection = args.pick.selection()?;
    if !args.vendor_output.is_dir() {
        return Err(Fatal(format!(
            "{}: not a directory",
            args.vendor_output.display()
        )));
    }
    let results = vendor::check_output(&corpus, &args.vendor_output, &selection);
    let text = match args.format {
        CheckFormat::Text => vendor::text(&corpus, &results),
        CheckFormat::Json => vendor::json(&corpus, &results),
    };
    io::stdout().lock().write_all(text.as_bytes())?;
    let (matched, differ, _) = vendor::counts(&results);
    Ok(if differ > 0 {
        ExitCode::from(1)
    } else if matched == 0 {
        eprintln!(
            "vrs-conformance: no vendor file for any case in {} (name them ID.csv)",
            args.vendor_output.display()
        );
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Now as `YYYY-MM-DD HH:MM UTC` (the command line is where a clock may be read).
fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let day = crate::cli::today();
    let in_day = secs % 86_400;
    format!("{day} {:02}:{:02} UTC", in_day / 3600, in_day % 3600 / 60)
}

pub fn report(args: &ReportArgs) -> Result<ExitCode, Fatal> {
    let corpus = args.pick.load()?;
    let selection = args.pick.selection()?;
    let counter = Counter::new();
    let runs = run_all(&corpus, &selection, &mut |d, t, id| counter.show(d, t, id));
    counter.clear();
    let vendor_results = args
        .vendor_output
        .as_ref()
        .map(|dir| vendor::check_output(&corpus, dir, &selection));
    let info = reporting::ReportInfo {
        vendor: args.vendor.clone(),
        product: args.product.clone(),
        generated_at: now_utc(),
    };
    let doc =
        reporting::report_json(&corpus, &runs, vendor_results.as_deref(), &info).map_err(Fatal)?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| Fatal(format!("{}: {e}", args.out.display())))?;
    let json_path = args.out.join("conformance-report.json");
    let html_path = args.out.join("conformance-report.html");
    let mut json = serde_json::to_string_pretty(&doc)?;
    json.push('\n');
    std::fs::write(&json_path, json).map_err(|e| Fatal(format!("{}: {e}", json_path.display())))?;
    std::fs::write(&html_path, reporting::report_html(&doc))
        .map_err(|e| Fatal(format!("{}: {e}", html_path.display())))?;
    let t = Tally::of(&runs);
    let mut out = io::stdout().lock();
    writeln!(out, "{}", json_path.display())?;
    writeln!(out, "{}", html_path.display())?;
    writeln!(out, "{}", t.line())?;
    let failed_vendor = vendor_results
        .as_ref()
        .is_some_and(|v| vendor::counts(v).1 > 0);
    Ok(if failed_vendor {
        ExitCode::from(1)
    } else {
        exit_for(t)
    })
}
