//! `vrs-conformance bless`: rewrites the expectations of the corpus from what this library
//! does now, for a person to review as a diff. Waived cases keep their expectations (they
//! describe the intended behaviour), and so do message checks and never-shown strings.

use std::path::Path;

use super::json_fmt::canonical;
use super::manifest::{Corpus, Entry, Kind, Manifest, MANIFEST_FILE};
use super::runner::{run_entry, Selection};

/// What a bless run changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blessed {
    /// Cases whose expectation changed.
    pub changed: Vec<String>,
    /// Cases left alone because they are waived.
    pub waived: Vec<String>,
    /// Cases that could not run (left alone), with why.
    pub broken: Vec<String>,
    /// Problems of the manifest after blessing (e.g. a listed code no longer triggered).
    pub problems: Vec<String>,
}

/// The manifest as written by bless: canonical layout.
///
/// # Errors
/// Serialisation failures (not expected).
pub fn manifest_text(manifest: &Manifest) -> Result<String, String> {
    serde_json::to_string(manifest)
        .map(|compact| canonical(&compact))
        .map_err(|e| e.to_string())
}

/// Re-blesses the selected cases of the corpus in `dir`: rewrites `manifest.json` and the
/// expected output files of write cases.
///
/// # Errors
/// An unreadable manifest or a file that cannot be written.
pub fn bless(dir: &Path, selection: &Selection) -> Result<Blessed, String> {
    let corpus = match Corpus::load(dir) {
        Ok(c) => c,
        // A fresh case has no expectation yet: load without the checks, bless, check after.
        Err(_) => load_unchecked(dir)?,
    };
    let mut manifest = corpus.manifest.clone();
    let mut done = Blessed::default();
    for case in &mut manifest.cases {
        let entry = Entry::Case(Box::new(case.clone()));
        if !selection.matches(&entry) {
            continue;
        }
        if corpus.waiver(&case.id).is_some() {
            done.waived.push(case.id.clone());
            continue;
        }
        let observed = match run_entry(&corpus, &entry) {
            Ok(o) => o,
            Err(e) => {
                done.broken.push(format!("{}: {e}", case.id));
                continue;
            }
        };
        let before = case.expect.clone();
        match case.kind {
            Kind::Read => {
                case.expect.rows = observed.rows;
                case.expect.encoding = observed.encoding.clone();
                case.expect.diagnostics = Some(observed.diagnostics.clone());
            }
            Kind::Write => {
                let out = case
                    .expect
                    .output
                    .clone()
                    .unwrap_or_else(|| default_output_path(&case.input));
                let path = corpus.path(&out);
                let bytes = observed.output.clone().unwrap_or_default();
                let old = std::fs::read(&path).ok();
                if old.as_deref() != Some(&bytes[..]) {
                    std::fs::write(&path, &bytes)
                        .map_err(|e| format!("{}: {e}", path.display()))?;
                    done.changed.push(format!("{} (output bytes)", case.id));
                }
                case.expect.output = Some(out);
                case.expect.written = Some(observed.written.clone());
            }
        }
        if case.expect != before {
            done.changed.push(case.id.clone());
        }
    }
    let path = dir.join(MANIFEST_FILE);
    std::fs::write(&path, manifest_text(&manifest)?)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    done.changed.dedup();
    if let Err(e) = Corpus::load(dir) {
        done.problems.push(e);
    }
    Ok(done)
}

/// `writer/x.records.json` → `writer/x.expected.csv`.
pub fn default_output_path(input: &str) -> String {
    let stem = input
        .strip_suffix(".records.json")
        .or_else(|| input.strip_suffix(".json"))
        .unwrap_or(input);
    format!("{stem}.expected.csv")
}

fn load_unchecked(dir: &Path) -> Result<Corpus, String> {
    let path = dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let entries = manifest
        .cases
        .iter()
        .cloned()
        .map(|c| Entry::Case(Box::new(c)))
        .collect();
    Ok(Corpus {
        dir: dir.to_path_buf(),
        manifest,
        entries,
    })
}
