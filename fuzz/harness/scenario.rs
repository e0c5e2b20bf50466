//! The scenario loader and spec checker of the conformance suite
//! ([`vrs_conformance::check_scenario`]): any text is refused with a message or accepted, never
//! a panic, and the same text always gets the same answer.
//!
//! Input: the scenario text. A scenario may name an input file (`file_path`); the harness
//! points every such name at a file that does not exist, so fuzzing never reads the machine's
//! files (or waits on a device).

use std::path::Path;

use serde_json::Value;

/// Where scenario files would be read from: nowhere.
const BASE: &str = "/nonexistent/vrs-fuzz";

/// Replaces every `file_path` string by a name that does not exist; `true` if any was found.
fn neutralise(v: &mut Value) -> bool {
    match v {
        Value::Object(map) => {
            let mut found = false;
            for (key, value) in map.iter_mut() {
                if key == "file_path" && value.is_string() {
                    *value = Value::String("no-such-file.csv".into());
                    found = true;
                } else {
                    found |= neutralise(value);
                }
            }
            found
        }
        Value::Array(items) => items.iter_mut().fold(false, |f, i| neutralise(i) | f),
        _ => false,
    }
}

/// The fuzz target body.
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut text = text.to_owned();
    if let Ok(mut v) = serde_json::from_str::<Value>(&text) {
        if neutralise(&mut v) {
            text = v.to_string();
        }
    } else if text.contains("file_path") {
        // Not JSON as a whole: refused before any file is read, unless the parser is more
        // lenient than serde_json's own; no chance taken.
        return;
    }
    let base = Path::new(BASE);
    let first = vrs_conformance::check_scenario(&text, base);
    if let Err(e) = &first {
        assert!(!e.is_empty(), "a refusal without a reason");
    }
    assert_eq!(vrs_conformance::check_scenario(&text, base), first);
}
