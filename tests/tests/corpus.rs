//! The conformance corpus (`tests/cases/manifest.json`): every case passes against this
//! library, the manifest is valid and in its canonical form, every diagnostic code has a
//! trigger and a near-miss case, every scenario file is a case, the README's index is current,
//! and no report shows a My Number.
//!
//! After an intended change of the library: `vrs-conformance bless` (or
//! `UPDATE_GOLDEN=1 cargo test -p vrs-conformance --test corpus`) rewrites the expectations and
//! the README index; review the diff.

use std::path::{Path, PathBuf};

use vrs_conformance::corpus::bless::{bless, manifest_text};
use vrs_conformance::corpus::coverage::coverage_problems;
use vrs_conformance::corpus::drivers::{drift, parse_results, results_text, rust_results};
use vrs_conformance::corpus::index::{index_markdown, splice};
use vrs_conformance::corpus::manifest::{Entry, Kind, MANIFEST_FILE};
use vrs_conformance::corpus::runner::validate_case_bytes;
use vrs_conformance::corpus::{run_all, Corpus, Selection, Stage, Status, Tally};
use vrs_core::diag::Lang;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
}

fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some()
}

fn corpus() -> Corpus {
    // With UPDATE_GOLDEN, bless once before any test reads the corpus.
    static BLESSED: std::sync::Once = std::sync::Once::new();
    if updating() {
        BLESSED.call_once(|| {
            let done = bless(&cases_dir(), &Selection::default()).expect("bless");
            assert!(done.problems.is_empty(), "{:?}", done.problems);
        });
    }
    Corpus::load(&cases_dir()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_case_meets_its_expectation() {
    let corpus = corpus();
    let runs = run_all(&corpus, &Selection::default(), &mut |_, _, _| {});
    let tally = Tally::of(&runs);
    let mut problems = Vec::new();
    for r in &runs {
        let id = corpus.entries[r.index].id();
        match &r.status {
            Status::Passed => {}
            Status::Failed(d) => problems.push(format!("{id}: {}", d.join("; "))),
            Status::Waived { passes: true, .. } => problems.push(format!(
                "{id} is waived but passes now: remove its known issue from the manifest"
            )),
            Status::Waived { passes: false, .. } => {}
        }
    }
    assert!(
        problems.is_empty(),
        "{} (re-bless with `vrs-conformance bless` after an intended change, then review the diff):\n{}",
        tally.line(),
        problems.join("\n")
    );
    assert!(runs.len() >= 300, "the corpus has {} cases", runs.len());
    for stage in Stage::ALL {
        assert!(
            corpus.entries.iter().any(|e| e.stage() == stage),
            "no case in stage {stage}"
        );
    }
}

#[test]
fn the_manifest_is_in_its_canonical_form() {
    let corpus = corpus();
    let on_disk = std::fs::read_to_string(cases_dir().join(MANIFEST_FILE)).unwrap();
    assert_eq!(
        on_disk,
        manifest_text(&corpus.manifest).unwrap(),
        "manifest.json is not as bless writes it: run `vrs-conformance bless`"
    );
}

#[test]
fn every_code_has_a_trigger_and_a_near_miss_case() {
    let problems = coverage_problems(&corpus());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_scenario_file_is_a_case() {
    let corpus = corpus();
    let dir = cases_dir().join(&corpus.manifest.scenarios.dir);
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            let id = format!(
                "{}{}",
                corpus.manifest.scenarios.id_prefix,
                p.file_stem().unwrap().to_string_lossy()
            );
            assert!(
                corpus
                    .entries
                    .iter()
                    .any(|e| e.id() == id && e.stage() == Stage::Registry),
                "{} is not in the corpus",
                p.display()
            );
            n += 1;
        }
    }
    assert!(n >= 20, "{n} scenario files");
}

#[test]
fn the_readme_index_is_current() {
    let corpus = corpus();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let want =
        splice(&readme, &index_markdown(&corpus)).expect("the index markers in tests/README.md");
    if updating() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    assert!(
        readme == want,
        "tests/README.md's case index is stale: UPDATE_GOLDEN=1 cargo test -p vrs-conformance --test corpus"
    );
}

/// Every run of `vrs_core::id::MyNumber`-valid 12 digits in `text`.
fn my_numbers(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|t| t.len() == 12 && vrs_core::id::MyNumber::parse(t).is_ok())
        .map(str::to_owned)
        .collect()
}

#[test]
fn no_report_of_any_read_case_shows_a_my_number() {
    let corpus = corpus();
    let mut checked = 0;
    for e in &corpus.entries {
        let Entry::Case(c) = e else { continue };
        if c.kind != Kind::Read {
            continue;
        }
        let bytes = std::fs::read(corpus.path(&c.input)).unwrap();
        let report = validate_case_bytes(c, &bytes).unwrap();
        for lang in [Lang::En, Lang::Ja] {
            let shown = [report.render_json(lang), report.render_text(lang)].concat();
            assert!(
                my_numbers(&shown).is_empty(),
                "{}: a My Number in the report",
                c.id
            );
        }
        checked += 1;
    }
    assert!(checked > 250);
    // Nor does the manifest, outside the never-shown lists that name them.
    let text = std::fs::read_to_string(cases_dir().join(MANIFEST_FILE)).unwrap();
    let listed: Vec<&String> = corpus
        .manifest
        .cases
        .iter()
        .flat_map(|c| &c.expect.never_shown)
        .collect();
    for n in my_numbers(&text) {
        assert!(
            listed.iter().any(|l| l.contains(&n)),
            "the manifest shows a My Number outside never_shown"
        );
    }
}

/// A copy of the corpus (cases and scenarios) in a temporary directory, removed on drop.
struct CorpusCopy(PathBuf);

impl CorpusCopy {
    fn new(name: &str) -> Self {
        let root = std::env::temp_dir().join(format!("vrs-corpus-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let src = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy_dir(&src.join("cases"), &root.join("cases"));
        copy_dir(&src.join("scenarios"), &root.join("scenarios"));
        CorpusCopy(root)
    }

    fn cases(&self) -> PathBuf {
        self.0.join("cases")
    }
}

impl Drop for CorpusCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

#[test]
fn bless_rewrites_a_changed_expectation_and_leaves_waivers_alone() {
    let copy = CorpusCopy::new("bless");
    let manifest = copy.cases().join(MANIFEST_FILE);
    let original = std::fs::read_to_string(&manifest).unwrap();
    // Break one expectation and one expected output; bless restores both.
    let broken = original.replacen(
        "{\"code\": \"F03\", \"line\": 2, \"field\": null}",
        "{\"code\": \"F03\", \"line\": 9, \"field\": null}",
        1,
    );
    assert_ne!(broken, original);
    std::fs::write(&manifest, &broken).unwrap();
    let out = copy.cases().join("writer/write-flags-utf8.expected.csv");
    let bytes = std::fs::read(&out).unwrap();
    std::fs::write(&out, b"nonsense").unwrap();
    let corpus = Corpus::load(&copy.cases()).unwrap();
    let runs = run_all(&corpus, &Selection::default(), &mut |_, _, _| {});
    assert_eq!(Tally::of(&runs).failed, 2);
    let done = bless(&copy.cases(), &Selection::default()).unwrap();
    assert!(done.problems.is_empty(), "{:?}", done.problems);
    assert_eq!(
        done.waived.len(),
        corpus
            .manifest
            .known_issues
            .iter()
            .filter(|k| k.case.is_some())
            .count()
    );
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), original);
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
    // Blessing again changes nothing.
    let again = bless(&copy.cases(), &Selection::default()).unwrap();
    assert!(again.changed.is_empty(), "{:?}", again.changed);
}

#[test]
fn a_new_scenario_file_joins_the_corpus_by_the_rule() {
    let copy = CorpusCopy::new("rule");
    let src = copy.0.join("scenarios/01-quickstart.json");
    std::fs::copy(&src, copy.0.join("scenarios/99-copy.json")).unwrap();
    let corpus = Corpus::load(&copy.cases()).unwrap();
    let e = corpus
        .entries
        .iter()
        .find(|e| e.id() == "scenario-99-copy")
        .expect("the new scenario is a case");
    assert_eq!(e.stage(), Stage::Registry);
    assert!(!e.codes().is_empty() || e.near_miss().is_empty());
}

#[test]
fn an_invalid_manifest_is_refused_with_every_problem_listed() {
    let copy = CorpusCopy::new("invalid");
    let manifest = copy.cases().join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&manifest).unwrap();
    let bad = text
        .replacen("\"tables\": \"built-in\"", "\"tables\": \"mine\"", 1)
        .replacen("\"near_miss\": [\"F01\"]", "\"near_miss\": [\"Z99\"]", 1);
    std::fs::write(&manifest, bad).unwrap();
    let err = Corpus::load(&copy.cases()).unwrap_err();
    assert!(err.contains("only \"built-in\""), "{err}");
    assert!(err.contains("unknown code Z99"), "{err}");
    std::fs::write(&manifest, text.replacen("\"schema\"", "\"schemas\"", 1)).unwrap();
    let err = Corpus::load(&copy.cases()).unwrap_err();
    assert!(err.contains("unknown field"), "{err}");
}

#[test]
fn drift_between_languages_is_found_case_by_case() {
    let corpus = corpus();
    let rust = rust_results(&corpus).unwrap();
    let text = results_text(&rust);
    // The results format carries everything compared: parsed back, no drift.
    let same = parse_results(&text).unwrap();
    assert!(drift(&corpus, &rust, &same).is_empty());
    // One diagnostic on another field, one written byte changed, one case missing.
    let changed = text
        .replacen("diag\tM01\t2\t1\n", "diag\tM01\t2\t2\n", 1)
        .replacen("output\t", "output\t00", 1);
    let mut other = parse_results(&changed).unwrap();
    other.remove("F02-empty-file");
    let diffs = drift(&corpus, &rust, &other);
    assert_eq!(diffs.len(), 3, "{diffs:#?}");
    assert!(diffs
        .iter()
        .any(|d| d.contains("M01 at 2:1") && d.contains("M01 at 2:2")));
    assert!(diffs.iter().any(|d| d.contains("output bytes differ")));
    assert!(diffs
        .iter()
        .any(|d| d.starts_with("F02-empty-file: not run by both")));
    assert!(parse_results("rows\t1\n").is_err());
    assert!(parse_results("case\tx\nrow\t2\tmaybe\n").is_err());
}
