//! The conformance manifest (`tests/cases/manifest.json`): parsing, the checks every manifest
//! must pass, and the canonical writer `bless` uses. Any text is refused or accepted without a
//! panic; an accepted manifest, written canonically, reads back equal (and writes the same);
//! the canonical layout of any JSON document is the same document.
//!
//! Input: the manifest text.

use std::path::Path;

use serde_json::Value;
use vrs_conformance::corpus::bless::manifest_text;
use vrs_conformance::corpus::json_fmt::canonical;
use vrs_conformance::corpus::manifest::{Entry, Manifest};
use vrs_conformance::corpus::Corpus;

/// The manifest's directory: none, so case inputs are never found (their checks still run).
const DIR: &str = "/nonexistent/vrs-fuzz-cases";

/// The fuzz target body.
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(manifest) = serde_json::from_str::<Manifest>(text) {
        let entries = manifest
            .cases
            .iter()
            .cloned()
            .map(|c| Entry::Case(Box::new(c)))
            .collect();
        let corpus = Corpus {
            dir: Path::new(DIR).to_path_buf(),
            manifest: manifest.clone(),
            entries,
        };
        let _ = corpus.problems();
        let written = match manifest_text(&manifest) {
            Ok(w) => w,
            Err(e) => panic!("manifest_text: {e}"),
        };
        let back = serde_json::from_str::<Manifest>(&written);
        assert!(
            back.as_ref().is_ok_and(|b| *b == manifest),
            "a written manifest reads back different: {back:?}"
        );
        assert_eq!(manifest_text(&manifest).ok().as_ref(), Some(&written));
    }
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        let compact = v.to_string();
        let pretty = canonical(&compact);
        let again: Result<Value, _> = serde_json::from_str(&pretty);
        let expected: Result<Value, _> = serde_json::from_str(&compact);
        assert!(
            matches!((&again, &expected), (Ok(a), Ok(b)) if a == b),
            "the canonical layout changed the document:\n{compact}\n{pretty}"
        );
    }
}
