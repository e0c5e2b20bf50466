//! The manifest (`tests/cases/manifest.json`): its types, loading, and the checks every
//! manifest must pass. The format is documented in `tests/README.md`; the types here are its
//! definition (unknown keys are errors).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use vrs_core::diag::Code;
use vrs_core::layout::{self, LayoutParams};

/// The value of the manifest's `schema` key this version of the tool reads.
pub const SCHEMA: &str = "vrs-conformance-manifest/1";

/// The stages of the corpus, in the order a file meets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Bytes to text: UTF-8, CP932, BOMs, invalid and mixed bytes.
    Encoding,
    /// Text to records: header, line ends, quoting, field counts, truncation.
    Structure,
    /// One field against its type: codes, check digits, dates, widths, lots.
    Field,
    /// Fields of one row against each other: OCR line, dose blocks, status, tenant.
    CrossField,
    /// Rows against each other: duplicates, voucher owners, dose order across rows.
    CrossRow,
    /// Vaccine rules and dates: intervals, ages, programme window, the as-of date.
    BusinessRule,
    /// Typed records to exact bytes: what a conformant writer produces.
    Writer,
    /// Registry scenarios (`tests/scenarios/*.json`).
    Registry,
}

impl Stage {
    /// Every stage, in corpus order.
    pub const ALL: [Stage; 8] = [
        Stage::Encoding,
        Stage::Structure,
        Stage::Field,
        Stage::CrossField,
        Stage::CrossRow,
        Stage::BusinessRule,
        Stage::Writer,
        Stage::Registry,
    ];

    /// The name used in the manifest and on the command line, e.g. `cross-row`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Encoding => "encoding",
            Stage::Structure => "structure",
            Stage::Field => "field",
            Stage::CrossField => "cross-field",
            Stage::CrossRow => "cross-row",
            Stage::BusinessRule => "business-rule",
            Stage::Writer => "writer",
            Stage::Registry => "registry",
        }
    }

    /// The stage's title in English.
    pub fn title_en(self) -> &'static str {
        match self {
            Stage::Encoding => "Encoding",
            Stage::Structure => "Structure",
            Stage::Field => "Fields",
            Stage::CrossField => "Cross-field rules",
            Stage::CrossRow => "Cross-row rules",
            Stage::BusinessRule => "Business rules",
            Stage::Writer => "Writer output",
            Stage::Registry => "Registry scenarios",
        }
    }

    /// The stage's title in Japanese.
    pub fn title_ja(self) -> &'static str {
        match self {
            Stage::Encoding => "文字コード",
            Stage::Structure => "ファイル構造",
            Stage::Field => "項目",
            Stage::CrossField => "項目間",
            Stage::CrossRow => "行間",
            Stage::BusinessRule => "業務ルール",
            Stage::Writer => "書き出し",
            Stage::Registry => "登録シナリオ",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Stage {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = Stage::ALL.iter().map(|s| s.as_str()).collect();
                format!("unknown stage {s:?}; stages: {}", known.join(", "))
            })
    }
}

/// What a case does with its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Validate the input file; expect diagnostics.
    Read,
    /// Write the input records; expect exact bytes and per-row outcomes.
    Write,
}

/// The whole manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// What the corpus is, English.
    pub description_en: String,
    /// What the corpus is, Japanese.
    pub description_ja: String,
    /// How registry scenarios join the corpus.
    pub scenarios: ScenarioRule,
    /// Waived cases and codes without a case, each with its reason.
    pub known_issues: Vec<KnownIssue>,
    /// The read and write cases.
    pub cases: Vec<Case>,
}

/// The rule that makes every scenario file a case of the registry stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRule {
    /// Directory of the scenario files, relative to the manifest; every `*.json` directly in
    /// it is a case (sub-directories such as `known-issues/` are not).
    pub dir: String,
    /// The case ID is this prefix followed by the file name without `.json`.
    pub id_prefix: String,
    /// Optional notes per scenario (key: file name without `.json`).
    #[serde(default)]
    pub notes: BTreeMap<String, ScenarioNote>,
}

/// What the manifest adds to a scenario case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioNote {
    /// Near-misses the scenario shows: code → the step (`"step N"`) that comes close to the
    /// code and must not get it, and why.
    #[serde(default)]
    pub near_miss: BTreeMap<String, String>,
}

/// A waiver: a case that is known to fail (it still runs and is reported as waived), or a
/// code that has no trigger or no near-miss case yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownIssue {
    /// The waived case, or
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// the code without a trigger or near-miss case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Why, English.
    pub reason_en: String,
    /// Why, Japanese.
    pub reason_ja: String,
    /// Where it is tracked (issue, branch or component).
    pub tracking: String,
}

/// The fixed context a case runs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// The file's creation date `YYYY-MM-DD` (no-future-dates rules), or `null`.
    pub as_of: Option<String>,
    /// The uploading municipality (M03), or `null` (the first row's code).
    pub tenant: Option<String>,
    /// The vaccine tables: `built-in` (the library's default tables; the only value so far).
    pub tables: String,
    /// Reading: `auto`, `utf-8` or `cp932`; writing: `utf-8` or `cp932`.
    pub encoding: String,
    /// Dose blocks of the block layouts (1–9); `null` (reading only): the header row's count,
    /// as the library does by default.
    pub dose_blocks: Option<u8>,
    /// Reading: the file has a header row; writing: write one.
    pub header: bool,
    /// Reading: keep at most this many diagnostics (`null`: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_diagnostics: Option<u32>,
    /// Writing: start with a UTF-8 byte-order mark.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bom: bool,
}

/// One diagnostic as the corpus keys it: code, physical line, 1-based field (`null`: the
/// whole row or file). Messages are not part of the key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// The code, e.g. `F03`.
    pub code: String,
    /// Physical 1-based line (the header is line 1); 0: the whole file.
    pub line: u64,
    /// 1-based field (column number), or `null`.
    pub field: Option<u64>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Some(field) => write!(f, "{} at {}:{}", self.code, self.line, field),
            None => write!(f, "{} at {}", self.code, self.line),
        }
    }
}

/// A message check, for the cases that are about a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageCheck {
    /// The diagnostic's code.
    pub code: String,
    /// Its line.
    pub line: u64,
    /// Text its English message must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en_contains: Option<String>,
    /// Text its Japanese message must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ja_contains: Option<String>,
}

/// What happened to one written row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Checked and written (warnings allowed).
    Written,
    /// Not written: the row has an error.
    Rejected,
    /// Not written: a value cannot be written in the output encoding (reported as F01).
    Unencodable,
}

impl Outcome {
    /// `written`, `rejected` or `unencodable`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Written => "written",
            Outcome::Rejected => "rejected",
            Outcome::Unencodable => "unencodable",
        }
    }
}

/// The outcome of one input record of a writer case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowResult {
    /// The line the row has (or would have had) in the file.
    pub line: u64,
    /// Written or why not.
    pub outcome: Outcome,
    /// The row's diagnostics.
    pub diagnostics: Vec<Finding>,
}

/// The expected result of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Read: data rows read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// Read: the encoding the file was read with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Read: every diagnostic, exactly (order: line, field, code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<Vec<Finding>>,
    /// Write: the file holding the exact expected bytes, relative to the manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// Write: one entry per input record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written: Option<Vec<RowResult>>,
    /// Read: messages to check (kept by bless).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<MessageCheck>,
    /// Strings that must never appear in the report, in either language (e.g. a My Number;
    /// kept by bless).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub never_shown: Vec<String>,
}

/// One read or write case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Unique ID saying what the case tests, e.g. `F03-quote-inside-field`.
    pub id: String,
    /// The stage.
    pub stage: Stage,
    /// Read or write.
    pub kind: Kind,
    /// Layout ID.
    pub layout: String,
    /// Layout version.
    pub layout_version: String,
    /// The input, relative to the manifest: the file to read, or the records to write
    /// (`{"rows": [{"column_id": "value", ...}, ...]}`).
    pub input: String,
    /// The codes the case triggers (each must be in the expected result).
    pub codes: Vec<String>,
    /// The codes the case comes close to and must not trigger.
    pub near_miss: Vec<String>,
    /// Traps and topics, for filtering and the index (e.g. `cp932`, `excel`, `bom`).
    pub tags: Vec<String>,
    /// What it tests, English.
    pub description_en: String,
    /// What it tests, Japanese.
    pub description_ja: String,
    /// The fixed context.
    pub context: Context,
    /// The expected result (generated by `vrs-conformance bless`, then reviewed).
    pub expect: Expect,
}

/// A scenario file taken into the corpus by the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioCase {
    /// `scenario-<file stem>`.
    pub id: String,
    /// The scenario file.
    pub path: PathBuf,
    /// Its path relative to the manifest.
    pub input: String,
    /// Codes its expectations name.
    pub codes: Vec<String>,
    /// Near-misses from the manifest's notes: code → step and why.
    pub near_miss: BTreeMap<String, String>,
    /// The scenario's `description`.
    pub description: String,
}

/// A case of the corpus: from the manifest, or a scenario by rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A read or write case.
    Case(Box<Case>),
    /// A registry scenario.
    Scenario(ScenarioCase),
}

impl Entry {
    /// The case ID.
    pub fn id(&self) -> &str {
        match self {
            Entry::Case(c) => &c.id,
            Entry::Scenario(s) => &s.id,
        }
    }

    /// The stage.
    pub fn stage(&self) -> Stage {
        match self {
            Entry::Case(c) => c.stage,
            Entry::Scenario(_) => Stage::Registry,
        }
    }

    /// Codes triggered.
    pub fn codes(&self) -> Vec<&str> {
        match self {
            Entry::Case(c) => c.codes.iter().map(String::as_str).collect(),
            Entry::Scenario(s) => s.codes.iter().map(String::as_str).collect(),
        }
    }

    /// Near-miss codes.
    pub fn near_miss(&self) -> Vec<&str> {
        match self {
            Entry::Case(c) => c.near_miss.iter().map(String::as_str).collect(),
            Entry::Scenario(s) => s.near_miss.keys().map(String::as_str).collect(),
        }
    }

    /// The input path relative to the manifest.
    pub fn input(&self) -> &str {
        match self {
            Entry::Case(c) => &c.input,
            Entry::Scenario(s) => &s.input,
        }
    }

    /// Layout and version (`-` for scenarios).
    pub fn layout(&self) -> String {
        match self {
            Entry::Case(c) => format!("{}@{}", c.layout, c.layout_version),
            Entry::Scenario(_) => "-".to_owned(),
        }
    }

    /// The English description.
    pub fn description_en(&self) -> &str {
        match self {
            Entry::Case(c) => &c.description_en,
            Entry::Scenario(s) => &s.description,
        }
    }

    /// The Japanese description (a scenario's description is in English only).
    pub fn description_ja(&self) -> &str {
        match self {
            Entry::Case(c) => &c.description_ja,
            Entry::Scenario(s) => &s.description,
        }
    }

    /// The read or write case, if it is one.
    pub fn as_case(&self) -> Option<&Case> {
        match self {
            Entry::Case(c) => Some(c),
            Entry::Scenario(_) => None,
        }
    }
}

/// A loaded corpus: the manifest, where it lives, and every case including the scenarios.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The directory of the manifest.
    pub dir: PathBuf,
    /// The manifest as read.
    pub manifest: Manifest,
    /// Every case: the manifest's, then the scenarios by file name.
    pub entries: Vec<Entry>,
}

/// The manifest's file name in the cases directory.
pub const MANIFEST_FILE: &str = "manifest.json";

impl Corpus {
    /// Loads `dir/manifest.json` and the scenarios its rule names, and checks the manifest.
    ///
    /// # Errors
    /// An unreadable or invalid manifest (every problem listed).
    pub fn load(dir: &Path) -> Result<Corpus, String> {
        let path = dir.join(MANIFEST_FILE);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let manifest: Manifest =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut entries: Vec<Entry> = manifest
            .cases
            .iter()
            .cloned()
            .map(|c| Entry::Case(Box::new(c)))
            .collect();
        for s in scenario_cases(dir, &manifest.scenarios)? {
            entries.push(Entry::Scenario(s));
        }
        let corpus = Corpus {
            dir: dir.to_path_buf(),
            manifest,
            entries,
        };
        let problems = corpus.problems();
        if problems.is_empty() {
            Ok(corpus)
        } else {
            Err(format!(
                "{}: {} problem(s):\n  {}",
                path.display(),
                problems.len(),
                problems.join("\n  ")
            ))
        }
    }

    /// The waiver of a case, if it is waived.
    pub fn waiver(&self, id: &str) -> Option<&KnownIssue> {
        self.manifest
            .known_issues
            .iter()
            .find(|k| k.case.as_deref() == Some(id))
    }

    /// The waiver of a code without a trigger or near-miss case, if any.
    pub fn code_waiver(&self, code: &str) -> Option<&KnownIssue> {
        self.manifest
            .known_issues
            .iter()
            .find(|k| k.code.as_deref() == Some(code))
    }

    /// A path relative to the manifest.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.join(relative)
    }

    /// Everything wrong with the manifest (empty when it is valid).
    pub fn problems(&self) -> Vec<String> {
        let m = &self.manifest;
        let mut problems = Vec::new();
        if m.schema != SCHEMA {
            problems.push(format!(
                "schema is {:?}, this tool reads {SCHEMA:?}",
                m.schema
            ));
        }
        let mut ids = BTreeSet::new();
        for e in &self.entries {
            if !ids.insert(e.id().to_owned()) {
                problems.push(format!("{}: duplicate case ID", e.id()));
            }
        }
        for c in &m.cases {
            problems.extend(
                case_problems(self, c)
                    .into_iter()
                    .map(|p| format!("{}: {p}", c.id)),
            );
        }
        for k in &m.known_issues {
            match (&k.case, &k.code) {
                (Some(case), None) if !ids.contains(case) => {
                    problems.push(format!("known issue for unknown case {case}"));
                }
                (None, Some(code)) if code.parse::<Code>().is_err() => {
                    problems.push(format!("known issue for unknown code {code}"));
                }
                (Some(_), None) | (None, Some(_)) => {}
                _ => problems.push("a known issue names exactly one of `case` or `code`".into()),
            }
            if k.reason_en.trim().is_empty() || k.reason_ja.trim().is_empty() {
                problems.push("a known issue needs reasons in English and Japanese".into());
            }
        }
        for name in m.scenarios.notes.keys() {
            let id = format!("{}{name}", m.scenarios.id_prefix);
            if !ids.contains(&id) {
                problems.push(format!(
                    "scenario note for {name}, which is no scenario file"
                ));
            }
        }
        for e in &self.entries {
            if let Entry::Scenario(s) = e {
                for code in s.near_miss.keys() {
                    if code.parse::<Code>().is_err() {
                        problems.push(format!("{}: near miss of unknown code {code}", s.id));
                    }
                }
            }
        }
        problems
    }
}

fn case_problems(corpus: &Corpus, c: &Case) -> Vec<String> {
    let mut p = Vec::new();
    let id_ok = !c.id.is_empty()
        && c.id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if !id_ok {
        p.push("the ID must be ASCII letters, digits, '-' and '.'".into());
    }
    if c.stage == Stage::Registry {
        p.push("registry cases come from the scenario files, not the case list".into());
    }
    if (c.kind == Kind::Write) != (c.stage == Stage::Writer) {
        p.push("write cases are exactly the cases of the writer stage".into());
    }
    if c.description_en.trim().is_empty() || c.description_ja.trim().is_empty() {
        p.push("needs a description in English and Japanese".into());
    }
    if c.kind == Kind::Write && c.context.dose_blocks.is_none() {
        p.push("a write case names its dose blocks".into());
    }
    let params = LayoutParams {
        dose_blocks: c
            .context
            .dose_blocks
            .unwrap_or(LayoutParams::default().dose_blocks),
    };
    match layout::find(&format!("{}@{}", c.layout, c.layout_version), &params) {
        Ok(_) => {}
        Err(e) => p.push(format!("layout: {e}")),
    }
    if !corpus.path(&c.input).is_file() {
        p.push(format!("input {} does not exist", c.input));
    }
    for code in c.codes.iter().chain(&c.near_miss) {
        if code.parse::<Code>().is_err() {
            p.push(format!("unknown code {code}"));
        }
    }
    if let Some(code) = c.codes.iter().find(|code| c.near_miss.contains(code)) {
        p.push(format!("{code} is both triggered and a near miss"));
    }
    let ctx = &c.context;
    if ctx.tables != "built-in" {
        p.push(format!(
            "tables {:?}: only \"built-in\" is supported",
            ctx.tables
        ));
    }
    let encodings: &[&str] = match c.kind {
        Kind::Read => &["auto", "utf-8", "cp932"],
        Kind::Write => &["utf-8", "cp932"],
    };
    if !encodings.contains(&ctx.encoding.as_str()) {
        p.push(format!("encoding {:?}: one of {encodings:?}", ctx.encoding));
    }
    if let Some(d) = &ctx.as_of {
        if vrs_core::date::Date::parse_iso(d).is_err() {
            p.push(format!("as_of {d:?} is not a YYYY-MM-DD date"));
        }
    }
    if let Some(t) = &ctx.tenant {
        if vrs_core::id::MunicipalityCode::parse(t).is_err() {
            p.push(format!("tenant {t:?} is not a municipality code"));
        }
    }
    let e = &c.expect;
    match c.kind {
        Kind::Read => {
            if ctx.bom {
                p.push("bom is a writer option".into());
            }
            if e.output.is_some() || e.written.is_some() {
                p.push("a read case expects rows, encoding and diagnostics".into());
            }
            if e.rows.is_none() || e.encoding.is_none() || e.diagnostics.is_none() {
                p.push("expect needs rows, encoding and diagnostics (run bless)".into());
            }
            if let Some(found) = &e.diagnostics {
                for code in &c.codes {
                    if !found.iter().any(|f| &f.code == code) {
                        p.push(format!("{code} is listed in codes but not expected"));
                    }
                }
                for code in &c.near_miss {
                    if found.iter().any(|f| &f.code == code) {
                        p.push(format!("near miss {code} is expected"));
                    }
                }
            }
        }
        Kind::Write => {
            if ctx.max_diagnostics.is_some() {
                p.push("max_diagnostics is a reader option".into());
            }
            if e.rows.is_some() || e.encoding.is_some() || e.diagnostics.is_some() {
                p.push("a write case expects output and written".into());
            }
            match (&e.output, &e.written) {
                (Some(out), Some(rows)) => {
                    if !corpus.path(out).is_file() {
                        p.push(format!("expected output {out} does not exist (run bless)"));
                    }
                    let all: Vec<&Finding> = rows.iter().flat_map(|r| &r.diagnostics).collect();
                    for code in &c.codes {
                        if !all.iter().any(|f| &f.code == code) {
                            p.push(format!("{code} is listed in codes but not expected"));
                        }
                    }
                    for code in &c.near_miss {
                        if all.iter().any(|f| &f.code == code) {
                            p.push(format!("near miss {code} is expected"));
                        }
                    }
                }
                _ => p.push("expect needs output and written (run bless)".into()),
            }
            if !e.messages.is_empty() {
                p.push("message checks are for read cases".into());
            }
        }
    }
    p
}

/// The scenario files the rule names, as cases, sorted by file name.
///
/// # Errors
/// An unreadable directory or scenario file.
pub fn scenario_cases(dir: &Path, rule: &ScenarioRule) -> Result<Vec<ScenarioCase>, String> {
    let sdir = dir.join(&rule.dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&sdir)
        .map_err(|e| format!("{}: {e}", sdir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut codes = BTreeSet::new();
        if let Some(steps) = value.get("steps").and_then(|s| s.as_array()) {
            for step in steps {
                if let Some(expect) = step.get("expect") {
                    collect_codes(expect, &mut codes);
                }
            }
        }
        let near_miss = rule
            .notes
            .get(&stem)
            .map(|n| n.near_miss.clone())
            .unwrap_or_default();
        out.push(ScenarioCase {
            id: format!("{}{stem}", rule.id_prefix),
            input: format!("{}/{}.json", rule.dir.trim_end_matches('/'), stem),
            path,
            codes: codes.into_iter().collect(),
            near_miss,
            description: value
                .get("description")
                .and_then(|d| d.as_str())
                .unwrap_or_default()
                .to_owned(),
        });
    }
    Ok(out)
}

/// Every string in an expectation that is a catalogue code (`"error": "L01"`, `"rule": "V02"`,
/// `"code": "N01"` in rejected rows, `"warnings": ["L02"]`...).
fn collect_codes(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::String(s) if s.len() == 3 && s.parse::<Code>().is_ok() => {
            out.insert(s.clone());
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| collect_codes(i, out)),
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                // Output the step must not contain is no trigger.
                if k != "not_contains" {
                    collect_codes(v, out);
                }
            }
        }
        _ => {}
    }
}
