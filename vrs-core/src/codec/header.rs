//! The header row: which dose-block count it has, and what is wrong with one that does not
//! match, said by position, count and the layout's own column names.
//!
//! A header cell that is not a column name of the layout is never repeated in a message: a
//! file whose header row is missing has a person's data there (a name, a My Number).

use crate::layout::{self, Layout, LayoutParams, RowUnit};
use crate::text;

/// What the header says about the layout.
#[derive(Debug)]
pub(crate) enum HeaderVerdict {
    /// The header is the layout's.
    Matches,
    /// The header is that of the same layout with another number of dose blocks.
    OtherBlocks(Layout),
    /// The header does not match: the explanation (English, Japanese), and the layout with the
    /// dose-block count of the header's column count, when recognising it is allowed and it
    /// is another count (the rows are then checked against that one, not all found too short
    /// or too long).
    Mismatch(String, String, Option<Layout>),
}

/// Checks `values` against `layout`'s header. With `recognise`, a header that is exactly the
/// layout's with another dose-block count (1..=9) gives that layout.
pub(crate) fn check_header(layout: &Layout, values: &[&str], recognise: bool) -> HeaderVerdict {
    let expected = layout.header();
    if values == expected.as_slice() {
        return HeaderVerdict::Matches;
    }
    let other = with_blocks_for(layout, values.len());
    if let Some(other) = &other {
        if values == other.header().as_slice() {
            if recognise {
                return HeaderVerdict::OtherBlocks(other.clone());
            }
            let (n, k) = (layout.dose_blocks, other.dose_blocks);
            return HeaderVerdict::Mismatch(
                format!(
                    "the header has {} ({} columns), but {n} were asked for (--doses / dose_blocks): leave the count out to take the header's",
                    dose_blocks_en(k),
                    values.len()
                ),
                format!(
                    "見出しは接種回{k}回分（{}項目）ですが、{n}回分が指定されています（--doses / dose_blocks）。指定を省くと見出しの回数で検査します",
                    values.len()
                ),
                None,
            );
        }
    }
    // Explain against the layout whose column count the header has, when there is one.
    let other = other.filter(|_| recognise);
    let (against, blocks_note) = match other.clone() {
        Some(other) => {
            let k = other.dose_blocks;
            let note = (
                format!(
                    " (the header has {} columns, as with {})",
                    values.len(),
                    dose_blocks_en(k)
                ),
                format!("（見出しは{}項目で、接種回{k}回分の数です）", values.len()),
            );
            (other, Some(note))
        }
        None => (layout.clone(), None),
    };
    let (mut en, mut ja) = describe(&against, values);
    if let Some((note_en, note_ja)) = blocks_note {
        en.push_str(&note_en);
        ja.push_str(&note_ja);
    }
    if looks_like_data(values) {
        en.push_str(
            "; the first line looks like data: is the header row missing? (a file without one is read with --no-header / header: false)",
        );
        ja.push_str(
            "。1行目がデータのように見えます。見出し行が抜けていませんか（見出し行のないファイルは --no-header / header: false で読みます）",
        );
    }
    HeaderVerdict::Mismatch(en, ja, other)
}

/// "1 dose block", "5 dose blocks".
pub(crate) fn dose_blocks_en(n: u8) -> String {
    match n {
        1 => "1 dose block".to_owned(),
        n => format!("{n} dose blocks"),
    }
}

/// The same layout with the number of dose blocks that gives `columns` columns, if that is
/// another number in 1..=9 (block layouts only).
fn with_blocks_for(layout: &Layout, columns: usize) -> Option<Layout> {
    if layout.dose_blocks == 0 || !matches!(layout.row_unit, RowUnit::Person | RowUnit::Inquiry) {
        return None;
    }
    let fixed = layout
        .columns
        .len()
        .checked_sub(8 * usize::from(layout.dose_blocks))?;
    let blocks = columns.checked_sub(fixed)?;
    if blocks % 8 != 0 {
        return None;
    }
    let blocks = u8::try_from(blocks / 8).ok()?;
    if blocks == layout.dose_blocks || !(1..=9).contains(&blocks) {
        return None;
    }
    let id = layout.qualified_id();
    layout::find(
        &id,
        &LayoutParams {
            dose_blocks: blocks,
        },
    )
    .ok()
}

/// The header's first difference from `layout`'s, described by position and the layout's
/// column names.
fn describe(layout: &Layout, values: &[&str]) -> (String, String) {
    let expected = layout.header();
    let qid = layout.qualified_id();
    let Some(i) = values.iter().zip(&expected).position(|(a, b)| a != b) else {
        // One is a prefix of the other.
        return if values.len() < expected.len() {
            let missing = expected.get(values.len()..).unwrap_or(&[]);
            (
                format!(
                    "the header has {} columns, layout {qid} has {}: missing from column {} on: {}",
                    values.len(),
                    expected.len(),
                    values.len() + 1,
                    names(missing, ", ")
                ),
                format!(
                    "見出しの項目数が{}です。レイアウト {qid} は{}項目で、{}列目以降（{}）がありません",
                    values.len(),
                    expected.len(),
                    values.len() + 1,
                    names(missing, "、")
                ),
            )
        } else {
            (
                format!(
                    "the header has {} columns, layout {qid} has {}: {} extra columns after the last one ({})",
                    values.len(),
                    expected.len(),
                    values.len() - expected.len(),
                    expected.last().copied().unwrap_or("")
                ),
                format!(
                    "見出しの項目数が{}です。レイアウト {qid} は{}項目で、最後の項目（{}）の後に{}項目多くあります",
                    values.len(),
                    expected.len(),
                    expected.last().copied().unwrap_or(""),
                    values.len() - expected.len()
                ),
            )
        };
    };
    let (col, want) = (i + 1, expected[i]);
    let cell = values[i];
    if normalised(cell) == normalised(want) {
        return (
            format!(
                "column {col} should be \"{want}\" (layout {qid}): it has that name written with full-width letters or digits, or with spaces"
            ),
            format!(
                "{col}列目は「{want}」であるべきです（レイアウト {qid}）。全角の英数字や空白を含む書き方になっています"
            ),
        );
    }
    if expected.get(i + 1) == Some(&cell) && values.get(i + 1) == Some(&want) {
        let next = expected.get(i + 1).copied().unwrap_or("");
        return (
            format!(
                "columns {col} and {} are swapped: \"{want}\" comes first, then \"{next}\" (layout {qid})",
                col + 1
            ),
            format!(
                "{col}列目と{}列目が入れ替わっています。「{want}」、「{next}」の順です（レイアウト {qid}）",
                col + 1
            ),
        );
    }
    if expected.get(i + 1) == Some(&cell) {
        return (
            format!(
                "column {col} \"{want}\" is missing (layout {qid}): the columns after it are one to the left"
            ),
            format!(
                "{col}列目の「{want}」がありません（レイアウト {qid}）。それ以降の項目が1列ずつ左にずれています"
            ),
        );
    }
    if values.get(i + 1) == Some(&want) {
        return (
            format!(
                "an extra column before column {} \"{want}\" (layout {qid}): the columns from there on are one to the right",
                col + 1
            ),
            format!(
                "「{want}」（{col}列目であるべき項目）の前に余分な項目があります（レイアウト {qid}）。そこから後ろが1列ずつ右にずれています"
            ),
        );
    }
    if let Some(at) = expected.iter().position(|name| *name == cell) {
        return (
            format!(
                "column {col} is \"{cell}\", expected \"{want}\" (layout {qid}): \"{cell}\" is column {} of the layout; are the columns out of order?",
                at + 1
            ),
            format!(
                "{col}列目が「{cell}」です。「{want}」であるべきです（レイアウト {qid}）。「{cell}」はレイアウトの{}列目の項目です。項目の順序が違っていませんか",
                at + 1
            ),
        );
    }
    let (what_en, what_ja) = shape(cell);
    (
        format!("column {col} is not \"{want}\" (layout {qid}): it holds {what_en}"),
        format!("{col}列目が「{want}」ではありません（レイアウト {qid}）。{what_ja}が入っています"),
    )
}

/// A header cell's shape, never its content: it may be a person's data.
fn shape(cell: &str) -> (String, String) {
    let n = cell.chars().count();
    if n == 0 {
        return (
            "nothing (an empty cell)".into(),
            "何も入っていない空欄".into(),
        );
    }
    let digits = cell
        .chars()
        .all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c));
    if digits {
        return (format!("{n} digits"), format!("{n}桁の数字"));
    }
    (
        format!("other text of {n} characters"),
        format!("{n}文字の別の文字列"),
    )
}

/// A name for comparing near misses: full-width letters and digits folded, spaces removed.
fn normalised(name: &str) -> String {
    text::fold_width(name)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The first few of `list`, joined.
fn names(list: &[&str], sep: &str) -> String {
    const SHOWN: usize = 4;
    let mut out = list
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(sep);
    if list.len() > SHOWN {
        out.push_str(sep);
        out.push('…');
    }
    out
}

/// Whether the first cell holds digits: headers hold names, data rows start with a number.
fn looks_like_data(values: &[&str]) -> bool {
    values.first().is_some_and(|first| {
        let first = text::fold_width(first);
        !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger(blocks: u8) -> Layout {
        layout::find(
            "ledger-export",
            &LayoutParams {
                dose_blocks: blocks,
            },
        )
        .unwrap()
    }

    fn mismatch(v: HeaderVerdict) -> (String, String) {
        match v {
            HeaderVerdict::Mismatch(en, ja, _) => (en, ja),
            other => panic!("expected a mismatch, got {other:?}"),
        }
    }

    #[test]
    fn another_block_count_is_recognised_or_named() {
        let seven = ledger(7);
        let five = ledger(5);
        let header = five.header();
        match check_header(&seven, &header, true) {
            HeaderVerdict::OtherBlocks(l) => assert_eq!(l.columns.len(), 41),
            other => panic!("{other:?}"),
        }
        let (en, ja) = mismatch(check_header(&seven, &header, false));
        assert!(en.contains("5 dose blocks (41 columns), but 7"), "{en}");
        assert!(ja.contains("接種回5回分"), "{ja}");
        assert!(matches!(
            check_header(&five, &header, false),
            HeaderVerdict::Matches
        ));
    }

    #[test]
    fn near_misses_are_explained_without_echoing_cells() {
        let l = ledger(1);
        let good = l.header();
        let mut wide = good.clone();
        wide[2] = "１回目接種日";
        let (en, _) = mismatch(check_header(&l, &wide, true));
        assert!(en.contains("column 3 should be \"1回目接種日\""), "{en}");
        let mut missing = good.clone();
        missing.remove(4);
        let (en, _) = mismatch(check_header(&l, &missing, true));
        assert!(
            en.contains("column 5 \"1回目接種自治体コード\" is missing"),
            "{en}"
        );
        let mut extra = good.clone();
        extra.insert(1, "備考");
        let (en, _) = mismatch(check_header(&l, &extra, true));
        assert!(en.contains("an extra column before column 3"), "{en}");
        assert!(!en.contains("備考"), "{en}");
        // A data row where the header should be: described, never repeated.
        let data = [
            "123456789018",
            "20210601101500",
            "20210601",
            "0000012345",
            "131016",
            "山田一郎",
            "山田一郎",
            "ファイザー",
            "FA5765",
        ];
        let (en, ja) = mismatch(check_header(&l, &data, true));
        assert!(en.contains("column 1 is not \"個別宛名番号\""), "{en}");
        assert!(
            en.contains("12 digits") && en.contains("header row missing"),
            "{en}"
        );
        for secret in ["123456789018", "山田一郎"] {
            assert!(!en.contains(secret) && !ja.contains(secret), "{en} / {ja}");
        }
        let mut swapped = good.clone();
        swapped.swap(2, 3);
        let (en, _) = mismatch(check_header(&l, &swapped, true));
        assert!(en.contains("columns 3 and 4 are swapped"), "{en}");
        let mut moved = good.clone();
        moved[2] = good[6];
        let (en, _) = mismatch(check_header(&l, &moved, true));
        assert!(en.contains("out of order"), "{en}");
        let (en, _) = mismatch(check_header(&l, &good[..5], true));
        assert!(en.contains("missing from column 6 on"), "{en}");
    }

    #[test]
    fn a_near_miss_of_another_block_count_says_so() {
        let five = ledger(5);
        let mut header = five.header();
        header[18] = "３回目接種日";
        let (en, _) = mismatch(check_header(&ledger(7), &header, true));
        assert!(en.contains("column 19 should be \"3回目接種日\""), "{en}");
        assert!(en.contains("41 columns, as with 5 dose blocks"), "{en}");
    }
}
