//! Which cases trigger each diagnostic code of the catalogue and which are its near-misses:
//! every code needs at least one of each (or a waiver in `known_issues`).

use vrs_core::diag::{catalogue, Code, CodeInfo};

use super::manifest::Corpus;

/// The cases of one code.
#[derive(Debug, Clone)]
pub struct CodeCoverage {
    /// The code's catalogue entry.
    pub info: &'static CodeInfo,
    /// Indices (into the corpus's entries) of the cases triggering it.
    pub triggers: Vec<usize>,
    /// Indices of its near-miss cases.
    pub near_misses: Vec<usize>,
}

/// Coverage of every code, in catalogue order.
pub fn coverage(corpus: &Corpus) -> Vec<CodeCoverage> {
    catalogue()
        .iter()
        .map(|info| {
            let code = info.code.as_str();
            let by = |f: &dyn Fn(&super::manifest::Entry) -> bool| -> Vec<usize> {
                (0..corpus.entries.len())
                    .filter(|&i| f(&corpus.entries[i]))
                    .collect()
            };
            CodeCoverage {
                info,
                triggers: by(&|e| e.codes().contains(&code)),
                near_misses: by(&|e| e.near_miss().contains(&code)),
            }
        })
        .collect()
}

/// Codes lacking a trigger or a near-miss without a waiver, and waivers no longer needed.
pub fn coverage_problems(corpus: &Corpus) -> Vec<String> {
    let mut problems = Vec::new();
    for c in coverage(corpus) {
        let code = c.info.code.as_str();
        let waived = corpus.code_waiver(code).is_some();
        let complete = !c.triggers.is_empty() && !c.near_misses.is_empty();
        match (complete, waived) {
            (false, false) => {
                if c.triggers.is_empty() {
                    problems.push(format!("{code}: no case triggers it"));
                }
                if c.near_misses.is_empty() {
                    problems.push(format!("{code}: no near-miss case"));
                }
            }
            (true, true) => problems.push(format!(
                "{code} now has a trigger and a near-miss case: remove its known issue"
            )),
            _ => {}
        }
    }
    for k in &corpus.manifest.known_issues {
        if let Some(code) = &k.code {
            if code.parse::<Code>().is_err() {
                problems.push(format!("known issue for unknown code {code}"));
            }
        }
    }
    problems
}
