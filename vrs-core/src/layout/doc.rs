//! The layouts as Markdown: `vrs-core/LAYOUTS.md`, with the provenance of every column.

use std::fmt::Write as _;

use super::{all, FieldType, LayoutParams, Provenance, Requirement};

fn type_name(ty: &FieldType) -> String {
    match ty {
        FieldType::AddresseeNumber => "addressee number".into(),
        FieldType::MunicipalityCode => "municipality code (6 digits)".into(),
        FieldType::MyNumber => "My Number (12 digits)".into(),
        FieldType::VoucherNumber => "voucher number (10 digits)".into(),
        FieldType::OcrLine => "OCR line (18 digits)".into(),
        FieldType::Date => "date YYYYMMDD".into(),
        FieldType::DateTime => "timestamp YYYYMMDDHHMMSS".into(),
        FieldType::DoseNumber => "dose number 1-9".into(),
        FieldType::Text => "text".into(),
        FieldType::Name => "name".into(),
        FieldType::NameKana => "name in katakana".into(),
        FieldType::Manufacturer => "manufacturer".into(),
        FieldType::Lot => "lot number".into(),
        FieldType::Code { values } => {
            let list: Vec<String> = values
                .iter()
                .map(|v| format!("`{}` {}", v.value, v.meaning_en))
                .collect();
            format!("code: {}", list.join(", "))
        }
    }
}

fn provenance(p: Provenance) -> &'static str {
    match p {
        Provenance::Confirmed => "**confirmed**",
        Provenance::Inferred => "inferred",
        Provenance::Modelled => "modelled",
    }
}

/// The provenance of a layout's columns as runs, e.g. "columns 1–14 **confirmed**, 15–17
/// inferred, 18–57 modelled", or "every column modelled".
fn provenance_runs(columns: &[super::Column]) -> String {
    let mut runs: Vec<(usize, usize, Provenance)> = Vec::new();
    for (i, c) in columns.iter().enumerate() {
        match runs.last_mut() {
            Some((_, end, p)) if *p == c.provenance => *end = i + 1,
            _ => runs.push((i + 1, i + 1, c.provenance)),
        }
    }
    if let [(_, _, p)] = runs.as_slice() {
        return format!("every column {}", provenance(*p));
    }
    let parts: Vec<String> = runs
        .iter()
        .map(|&(start, end, p)| {
            let span = if start == end {
                start.to_string()
            } else {
                format!("{start}–{end}")
            };
            format!("{span} {}", provenance(p))
        })
        .collect();
    format!("columns {}", parts.join(", "))
}

fn requirement(r: Requirement) -> &'static str {
    match r {
        Requirement::Required => "required",
        Requirement::Optional => "optional",
        Requirement::InBlock => "required in a filled dose block",
        Requirement::Empty => "must be empty",
    }
}

/// All layouts (with the default 7 dose blocks) as Markdown: one table per layout giving each
/// column's Japanese and English name, ID, type, width, requirement and provenance
/// (confirmed from a public source, inferred, or modelled).
pub fn layouts_markdown() -> String {
    let mut out = String::from(
        "# Exchange-file layouts / ファイルレイアウト\n\n\
         Generated from `vrs_core::layout`; a test fails when this file and the code disagree\n\
         (regenerate with `UPDATE_GOLDEN=1 cargo test -p vrs-core layouts_file`).\n\n\
         Provenance follows the domain reference (§0): **confirmed** = stated in a public source,\n\
         inferred = follows closely from one, modelled = our working model, to be checked against the\n\
         official layout before release. Only the first 14 columns of the ledger export are confirmed.\n\
         Every file has one header row of the Japanese column names; rows end in CRLF.\n",
    );
    let params = LayoutParams::default();
    let others = super::OTHER_VERSIONS
        .iter()
        .filter_map(|id| super::find(id, &params).ok());
    let mut layouts = all(&params);
    for other in others {
        // Beside its default version.
        let at = layouts
            .iter()
            .rposition(|l| l.id == other.id)
            .map_or(layouts.len(), |i| i + 1);
        layouts.insert(at, other);
    }
    for l in layouts {
        let _ = write!(
            out,
            "\n## `{}` v{} — {} / {}\n\n{} Direction: {}; provenance: {}.\n\n\
             | # | 項目名 | Column | ID | Type | Width | Requirement | Provenance |\n|---|---|---|---|---|---|---|---|\n",
            l.id,
            l.version,
            l.name_ja,
            l.name_en,
            l.description,
            match l.direction {
                super::Direction::Upload => "upload",
                super::Direction::Download => "download (never carries a My Number)",
            },
            provenance_runs(&l.columns),
        );
        for (i, c) in l.columns.iter().enumerate() {
            let _ = writeln!(
                out,
                "| {} | {} | {} | `{}` | {} | {} | {} | {} |",
                i + 1,
                c.name_ja,
                c.name_en,
                c.id,
                type_name(&c.ty),
                c.width.map_or_else(|| "-".to_owned(), |w| w.to_string()),
                requirement(c.requirement),
                provenance(c.provenance)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn layouts_file_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/LAYOUTS.md");
        let generated = super::layouts_markdown();
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(path, &generated).expect("write LAYOUTS.md");
        }
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == generated,
            "vrs-core/LAYOUTS.md is stale: run UPDATE_GOLDEN=1 cargo test -p vrs-core layouts_file"
        );
        assert!(
            generated.contains("| 14 | 2回目接種会場名 |") && generated.contains("**confirmed**")
        );
        // The ledger export is confirmed only in part, and says which part.
        assert!(generated
            .contains("provenance: columns 1–14 **confirmed**, 15–17 inferred, 18–57 modelled."));
        assert!(!generated.contains("provenance of the layout: **confirmed**"));
    }
}
