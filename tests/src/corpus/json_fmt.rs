//! The manifest's canonical layout: pretty JSON with two-space indents, keys in the order the
//! types declare them, and every array or object holding only scalars on one line (a diagnostic
//! is one line), so a re-bless shows as a small, reviewable diff.

/// Reformats compact JSON (as `serde_json::to_string` writes it, keys in declaration order) in
/// the canonical layout, ending with a newline. Input that is not compact JSON from serde_json
/// is not supported.
pub fn canonical(compact: &str) -> String {
    let bytes = compact.as_bytes();
    let mut out = String::with_capacity(compact.len() * 2);
    let mut i = 0;
    value(compact, bytes, &mut i, 0, &mut out);
    out.push('\n');
    out
}

/// Index just past the JSON string starting at `i` (a `"`).
fn string_end(bytes: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// Index just past the container starting at `i`, and whether it holds another container.
fn container_end(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut depth = 0usize;
    let mut nested = false;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i = string_end(bytes, i);
                continue;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > 1 {
                    nested = true;
                }
            }
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return (i + 1, nested);
                }
            }
            _ => {}
        }
        i += 1;
    }
    (i, nested)
}

/// One line holds a scalar-only container when it stays this short.
const INLINE_MAX: usize = 110;

fn value(text: &str, bytes: &[u8], i: &mut usize, indent: usize, out: &mut String) {
    match bytes.get(*i) {
        Some(b'[' | b'{') => {
            let (end, nested) = container_end(bytes, *i);
            if !nested && end - *i <= INLINE_MAX {
                inline(&text[*i..end], out);
                *i = end;
            } else {
                block(text, bytes, i, indent, out);
            }
        }
        Some(b'"') => {
            let end = string_end(bytes, *i);
            out.push_str(&text[*i..end]);
            *i = end;
        }
        Some(_) => {
            let start = *i;
            while *i < bytes.len() && !matches!(bytes[*i], b',' | b']' | b'}') {
                *i += 1;
            }
            out.push_str(&text[start..*i]);
        }
        None => {}
    }
}

/// A scalar-only container on one line: `, ` between items and `: ` after keys.
fn inline(compact: &str, out: &mut String) {
    let bytes = compact.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let end = string_end(bytes, i);
                out.push_str(&compact[i..end]);
                i = end;
                continue;
            }
            b',' => out.push_str(", "),
            b':' => out.push_str(": "),
            _ => out.push(char::from(bytes[i])),
        }
        i += 1;
    }
}

fn newline(indent: usize, out: &mut String) {
    out.push('\n');
    for _ in 0..indent {
        out.push_str("  ");
    }
}

fn block(text: &str, bytes: &[u8], i: &mut usize, indent: usize, out: &mut String) {
    let open = bytes[*i];
    let close = if open == b'[' { b']' } else { b'}' };
    out.push(char::from(open));
    *i += 1;
    if bytes.get(*i) == Some(&close) {
        out.push(char::from(close));
        *i += 1;
        return;
    }
    loop {
        newline(indent + 1, out);
        if open == b'{' {
            let end = string_end(bytes, *i);
            out.push_str(&text[*i..end]);
            out.push_str(": ");
            *i = end + 1; // the ':'
        }
        value(text, bytes, i, indent + 1, out);
        match bytes.get(*i) {
            Some(b',') => {
                out.push(',');
                *i += 1;
            }
            _ => break,
        }
    }
    newline(indent, out);
    out.push(char::from(close));
    *i += 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_containers_stay_on_one_line() {
        let compact = r#"{"id":"a,b","list":[],"d":[{"code":"F03","line":3,"field":null}],"n":{"x":[1,2],"s":"{[\"]"}}"#;
        let pretty = canonical(compact);
        assert_eq!(
            pretty,
            "{\n  \"id\": \"a,b\",\n  \"list\": [],\n  \"d\": [\n    {\"code\": \"F03\", \"line\": 3, \"field\": null}\n  ],\n  \"n\": {\n    \"x\": [1, 2],\n    \"s\": \"{[\\\"]\"\n  }\n}\n"
        );
        let back: serde_json::Value = serde_json::from_str(&pretty).unwrap();
        let orig: serde_json::Value = serde_json::from_str(compact).unwrap();
        assert_eq!(back, orig);
    }
}
