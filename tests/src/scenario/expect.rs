//! Checking a step's output against its `expect`.

use serde_json::Value;

use super::spec::Expect;

/// Where `actual` differs from the subset `expected`, as a JSON-pointer-like path and a reason;
/// `None` when it matches.
///
/// Objects: every expected key must be present and match (other keys are ignored). Arrays: the
/// same length, element by element. Anything else: equal (numbers by value: `1` matches `1.0`).
pub fn subset(expected: &Value, actual: &Value) -> Option<String> {
    fn walk(e: &Value, a: &Value, path: &mut String) -> Option<String> {
        match (e, a) {
            (Value::Object(eo), Value::Object(ao)) => {
                for (k, ev) in eo {
                    let len = path.len();
                    path.push('/');
                    path.push_str(k);
                    let r = match ao.get(k) {
                        Some(av) => walk(ev, av, path),
                        None => Some(format!("{path}: missing")),
                    };
                    path.truncate(len);
                    if r.is_some() {
                        return r;
                    }
                }
                None
            }
            (Value::Array(ea), Value::Array(aa)) => {
                if ea.len() != aa.len() {
                    return Some(format!(
                        "{}: expected {} element(s), got {}",
                        shown(path),
                        ea.len(),
                        aa.len()
                    ));
                }
                for (i, (ev, av)) in ea.iter().zip(aa).enumerate() {
                    let len = path.len();
                    path.push_str(&format!("/{i}"));
                    let r = walk(ev, av, path);
                    path.truncate(len);
                    if r.is_some() {
                        return r;
                    }
                }
                None
            }
            (Value::Number(en), Value::Number(an)) if en.as_f64() == an.as_f64() => None,
            _ if e == a => None,
            _ => Some(format!("{}: expected {e}, got {a}", shown(path))),
        }
    }
    fn shown(path: &str) -> &str {
        if path.is_empty() {
            "/"
        } else {
            path
        }
    }
    walk(expected, actual, &mut String::new())
}

/// The failed expectations of one step (empty when all hold). `line` is the printed output line.
pub fn check(expect: &Expect, ok: bool, error: &Value, result: &Value, line: &str) -> Vec<String> {
    let mut failures = Vec::new();
    if let Some(want) = expect.ok {
        if want != ok {
            let got = match error.get("code").and_then(Value::as_str) {
                Some(code) => format!("error {code}: {}", message(error)),
                None => "ok".to_owned(),
            };
            failures.push(format!(
                "expected {}, got {got}",
                if want { "ok" } else { "an error" }
            ));
        }
    }
    if let Some(want) = &expect.error {
        if !error.is_null() {
            match want {
                Value::String(s) => {
                    let code = error.get("code").and_then(Value::as_str);
                    let rule = error.get("rule").and_then(Value::as_str);
                    if code != Some(s) && rule != Some(s) {
                        failures.push(format!(
                            "expected error {s}, got {} (rule {})",
                            code.unwrap_or("?"),
                            rule.unwrap_or("none")
                        ));
                    }
                }
                other => {
                    if let Some(d) = subset(other, error) {
                        failures.push(format!("error {d}"));
                    }
                }
            }
        }
    }
    if let Some(want) = &expect.result {
        if let Some(d) = subset(want, result) {
            failures.push(format!("result {d}"));
        }
    }
    for s in &expect.contains {
        if !line.contains(s.as_str()) {
            failures.push(format!("the output does not contain {s:?}"));
        }
    }
    for s in &expect.not_contains {
        if line.contains(s.as_str()) {
            failures.push(format!("the output contains {s:?}"));
        }
    }
    failures
}

fn message(error: &Value) -> &str {
    error.get("message").and_then(Value::as_str).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subsets_of_objects_arrays_and_numbers() {
        let actual = json!({"rows": 3, "cells": [{"a": 1, "b": null}, {"a": 2, "b": 5}], "x": "y"});
        assert_eq!(subset(&json!({}), &actual), None);
        assert_eq!(subset(&json!({"rows": 3.0}), &actual), None);
        assert_eq!(
            subset(&json!({"cells": [{"b": null}, {"a": 2}]}), &actual),
            None
        );
        assert_eq!(
            subset(&json!({"cells": [{"b": 4}, {"a": 2}]}), &actual).unwrap(),
            "/cells/0/b: expected 4, got null"
        );
        assert_eq!(
            subset(&json!({"cells": [{}]}), &actual).unwrap(),
            "/cells: expected 1 element(s), got 2"
        );
        assert_eq!(subset(&json!({"z": 1}), &actual).unwrap(), "/z: missing");
        assert_eq!(
            subset(&json!(null), &actual).unwrap().split(':').next(),
            Some("/")
        );
    }

    fn expect(v: Value) -> Expect {
        Expect {
            ok: v.get("ok").and_then(Value::as_bool),
            error: v.get("error").cloned(),
            result: v.get("result").cloned(),
            contains: vec![],
            not_contains: vec![],
        }
    }

    #[test]
    fn errors_match_by_code_rule_or_subset() {
        let err = json!({"code": "rule", "rule": "L01", "message": "m"});
        let e = expect(json!({"ok": false, "error": "L01"}));
        assert!(check(&e, false, &err, &Value::Null, "").is_empty());
        let e = expect(json!({"ok": false, "error": "rule"}));
        assert!(check(&e, false, &err, &Value::Null, "").is_empty());
        let e = expect(json!({"ok": false, "error": {"code": "rule", "rule": "L02"}}));
        assert_eq!(
            check(&e, false, &err, &Value::Null, ""),
            ["error /rule: expected \"L02\", got \"L01\""]
        );
        let e = expect(json!({"ok": false, "error": "forbidden"}));
        let f = check(&e, true, &Value::Null, &json!({}), "");
        assert_eq!(f, ["expected an error, got ok"]);
        let e = expect(json!({"ok": true}));
        let f = check(&e, false, &err, &Value::Null, "");
        assert_eq!(f, ["expected ok, got error rule: m"]);
    }

    #[test]
    fn output_must_and_must_not_contain() {
        let mut e = expect(json!({}));
        e.contains = vec!["dose".into()];
        e.not_contains = vec!["千代田".into()];
        assert!(check(&e, true, &Value::Null, &json!({}), r#"{"dose":1}"#).is_empty());
        assert_eq!(
            check(&e, true, &Value::Null, &json!({}), r#"{"name":"千代田"}"#).len(),
            2
        );
    }
}
