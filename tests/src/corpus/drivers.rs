//! The same corpus through other languages: the plan the C driver reads, the results format
//! the C and Python drivers print, and the comparison of their results with this runner's.
//!
//! **Plan** (for the C driver, which has no JSON parser): one directive per line, fields
//! separated by TAB, each field percent-encoded (`%`, TAB, CR, LF and other bytes below 0x20
//! as `%XX`):
//!
//! ```text
//! read  ID LAYOUT@VERSION INPUT-PATH ENCODING(0 auto|1 utf-8|2 cp932) AS-OF(YYYYMMDD|0) TENANT(-|code) DOSE-BLOCKS HEADER(0|1) MAX-DIAGNOSTICS(0: all)
//! write ID LAYOUT@VERSION ENCODING AS-OF TENANT DOSE-BLOCKS HEADER BOM(0|1)
//! set   COLUMN-ID VALUE        (a field of the current row of the last write)
//! row                          (end the current row)
//! end                          (end the last write)
//! ```
//!
//! **Results** (printed by the C and Python drivers), one item per line, TAB-separated:
//!
//! ```text
//! case ID
//! rows N                       (read)
//! encoding NAME|-              (read)
//! diag CODE LINE FIELD(0: none)
//! row LINE written|rejected|unencodable    (write, one per record)
//! rowdiag CODE LINE FIELD      (a diagnostic of the last row)
//! output HEX                   (write: the bytes written)
//! ```
//!
//! Registry scenarios are run by the Rust runner only: they drive the embedded registry
//! through the scenario format, which the C and Python drivers do not implement.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::manifest::{Corpus, Entry, Finding, Kind, Outcome, RowResult};
use super::runner::{sort_findings, Observed, Records};

/// Percent-encodes a plan field.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '%' || (c as u32) < 0x20 || c == '\u{7F}' {
            let _ = write!(out, "%{:02X}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

fn date_number(d: Option<&str>) -> String {
    d.map(|d| d.replace('-', ""))
        .unwrap_or_else(|| "0".to_owned())
}

/// The plan of every read and write case of the corpus.
///
/// # Errors
/// An unreadable records file.
pub fn plan(corpus: &Corpus) -> Result<String, String> {
    let mut out = String::new();
    for entry in &corpus.entries {
        let Entry::Case(c) = entry else { continue };
        let ctx = &c.context;
        let layout = format!("{}@{}", c.layout, c.layout_version);
        let enc = match ctx.encoding.as_str() {
            "utf-8" => "1",
            "cp932" => "2",
            _ => "0",
        };
        let tenant = ctx.tenant.clone().unwrap_or_else(|| "-".into());
        let header = u8::from(ctx.header);
        match c.kind {
            Kind::Read => {
                let path = corpus.path(&c.input);
                let _ = writeln!(
                    out,
                    "read\t{}\t{}\t{}\t{enc}\t{}\t{}\t{}\t{header}\t{}",
                    escape(&c.id),
                    escape(&layout),
                    escape(&path.to_string_lossy()),
                    date_number(ctx.as_of.as_deref()),
                    escape(&tenant),
                    ctx.dose_blocks.unwrap_or(0),
                    ctx.max_diagnostics.unwrap_or(0)
                );
            }
            Kind::Write => {
                let records = Records::load(&corpus.path(&c.input))?;
                let _ = writeln!(
                    out,
                    "write\t{}\t{}\t{enc}\t{}\t{}\t{}\t{header}\t{}",
                    escape(&c.id),
                    escape(&layout),
                    date_number(ctx.as_of.as_deref()),
                    escape(&tenant),
                    ctx.dose_blocks.unwrap_or(7),
                    u8::from(ctx.bom)
                );
                for row in &records.rows {
                    for (k, v) in row {
                        let _ = writeln!(out, "set\t{}\t{}", escape(k), escape(v));
                    }
                    out.push_str("row\n");
                }
                out.push_str("end\n");
            }
        }
    }
    Ok(out)
}

fn parse_field(s: &str) -> Result<Option<u64>, String> {
    let n: u64 = s.parse().map_err(|_| format!("bad field {s:?}"))?;
    Ok((n != 0).then_some(n))
}

fn parse_finding(parts: &[&str]) -> Result<Finding, String> {
    match parts {
        [code, line, field] => Ok(Finding {
            code: (*code).to_owned(),
            line: line.parse().map_err(|_| format!("bad line {line:?}"))?,
            field: parse_field(field)?,
        }),
        _ => Err(format!("bad diagnostic {parts:?}")),
    }
}

fn unhex(s: &str) -> Result<Vec<u8>, String> {
    hex::decode(s).map_err(|e| format!("bad hex output: {e}"))
}

/// Parses a driver's results into one [`Observed`] per case ID.
///
/// # Errors
/// A malformed line (with its number).
pub fn parse_results(text: &str) -> Result<BTreeMap<String, Observed>, String> {
    let mut out: BTreeMap<String, Observed> = BTreeMap::new();
    let mut current: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        let err = |e: String| format!("results line {}: {e}: {line:?}", n + 1);
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split('\t').collect();
        if parts[0] == "case" {
            let id = parts.get(1).ok_or_else(|| err("no ID".into()))?.to_string();
            out.insert(id.clone(), Observed::default());
            current = Some(id);
            continue;
        }
        let id = current
            .clone()
            .ok_or_else(|| err("before any case".into()))?;
        let o = out.get_mut(&id).ok_or_else(|| err("no case".into()))?;
        match (parts[0], &parts[1..]) {
            ("rows", [n]) => o.rows = Some(n.parse().map_err(|_| err("bad rows".into()))?),
            ("encoding", [e]) => o.encoding = (*e != "-").then(|| (*e).to_owned()),
            ("diag", rest) => o.diagnostics.push(parse_finding(rest).map_err(err)?),
            ("row", [line, outcome]) => o.written.push(RowResult {
                line: line.parse().map_err(|_| err("bad line".into()))?,
                outcome: match *outcome {
                    "written" => Outcome::Written,
                    "rejected" => Outcome::Rejected,
                    "unencodable" => Outcome::Unencodable,
                    other => return Err(err(format!("bad outcome {other}"))),
                },
                diagnostics: Vec::new(),
            }),
            ("rowdiag", rest) => {
                let f = parse_finding(rest).map_err(err)?;
                o.written
                    .last_mut()
                    .ok_or_else(|| err("rowdiag before row".into()))?
                    .diagnostics
                    .push(f);
            }
            ("output", [h]) => o.output = Some(unhex(h).map_err(err)?),
            ("output", []) => o.output = Some(Vec::new()),
            _ => return Err(err("unknown item".into())),
        }
    }
    for o in out.values_mut() {
        sort_findings(&mut o.diagnostics);
        for r in &mut o.written {
            sort_findings(&mut r.diagnostics);
        }
    }
    Ok(out)
}

/// Results in the drivers' format (what the C and Python drivers print), for a map of cases.
pub fn results_text(results: &BTreeMap<String, Observed>) -> String {
    let mut out = String::new();
    for (id, o) in results {
        let _ = writeln!(out, "case\t{id}");
        if let Some(rows) = o.rows {
            let _ = writeln!(out, "rows\t{rows}");
            let _ = writeln!(out, "encoding\t{}", o.encoding.as_deref().unwrap_or("-"));
        }
        for d in &o.diagnostics {
            let _ = writeln!(
                out,
                "diag\t{}\t{}\t{}",
                d.code,
                d.line,
                d.field.unwrap_or(0)
            );
        }
        for r in &o.written {
            let _ = writeln!(out, "row\t{}\t{}", r.line, r.outcome.as_str());
            for d in &r.diagnostics {
                let _ = writeln!(
                    out,
                    "rowdiag\t{}\t{}\t{}",
                    d.code,
                    d.line,
                    d.field.unwrap_or(0)
                );
            }
        }
        if let Some(bytes) = &o.output {
            let _ = writeln!(out, "output\t{}", hex::encode(bytes));
        }
    }
    out
}

/// Where another language's results differ from this runner's, case by case (empty: no
/// drift). Every read and write case must be present; scenarios are not compared.
pub fn drift(
    corpus: &Corpus,
    rust: &BTreeMap<String, Observed>,
    other: &BTreeMap<String, Observed>,
) -> Vec<String> {
    let mut out = Vec::new();
    for entry in &corpus.entries {
        let Entry::Case(c) = entry else { continue };
        let (Some(r), Some(o)) = (rust.get(&c.id), other.get(&c.id)) else {
            out.push(format!("{}: not run by both", c.id));
            continue;
        };
        let mut diffs = Vec::new();
        if r.rows != o.rows {
            diffs.push(format!("rows {:?} vs {:?}", r.rows, o.rows));
        }
        if r.encoding != o.encoding {
            diffs.push(format!("encoding {:?} vs {:?}", r.encoding, o.encoding));
        }
        if r.diagnostics != o.diagnostics {
            let show = |v: &[Finding]| {
                v.iter()
                    .map(|f| f.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            diffs.push(format!(
                "diagnostics [{}] vs [{}]",
                show(&r.diagnostics),
                show(&o.diagnostics)
            ));
        }
        if r.written != o.written {
            diffs.push(format!("row outcomes {:?} vs {:?}", r.written, o.written));
        }
        if r.output != o.output {
            diffs.push("output bytes differ".to_owned());
        }
        if !diffs.is_empty() {
            out.push(format!("{}: {}", c.id, diffs.join("; ")));
        }
    }
    for id in other.keys() {
        if !corpus.entries.iter().any(|e| e.id() == id) {
            out.push(format!("{id}: not in the corpus"));
        }
    }
    out
}

/// The results this runner gets, for comparison (read and write cases only).
///
/// # Errors
/// A case that could not run.
pub fn rust_results(corpus: &Corpus) -> Result<BTreeMap<String, Observed>, String> {
    let mut out = BTreeMap::new();
    for entry in &corpus.entries {
        if let Entry::Case(c) = entry {
            let o =
                super::runner::run_entry(corpus, entry).map_err(|e| format!("{}: {e}", c.id))?;
            out.insert(c.id.clone(), o);
        }
    }
    Ok(out)
}
