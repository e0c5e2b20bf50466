//! Manufacturers and the normalisation of their spellings.

use std::borrow::Cow;

use super::lot::{fold_full_width, is_full_width_ascii};

/// A manufacturer, as an index into [`VaccineTables::manufacturers`](super::VaccineTables).
///
/// Only meaningful together with the tables that produced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ManufacturerId(pub u16);

/// One manufacturer row of the vaccine tables.
///
/// ```
/// use vrs_core::vaccine::VaccineTables;
/// let tables = VaccineTables::default();
/// let id = tables.resolve_manufacturer("武田／モデルナ").unwrap();
/// let spec = tables.manufacturer(id).unwrap();
/// assert_eq!(spec.key, "moderna");
/// assert_eq!(spec.canonical, "武田/モデルナ");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManufacturerSpec {
    /// Stable key used by rules and code, for example `pfizer`.
    pub key: String,
    /// The string VRS files use and the library emits, for example `ファイザー`.
    pub canonical: String,
    /// English name, for example `Pfizer` (also accepted on input).
    pub name_en: String,
    /// Other accepted spellings (brand names, variants). Matching folds full-width
    /// ASCII, trims, and ignores Latin case.
    pub spellings: Vec<String>,
    /// Vaccine platform, for example `mRNA` (informational).
    pub platform: String,
    /// Expected lot-number shapes: `A` = ASCII letter, `9` = digit, other characters
    /// literal. Empty = no shape check. A mismatch is a warning, never a rejection.
    pub lot_shapes: Vec<String>,
    /// The reference's label for this row, for example `CONFIRMED S3` or `ASSUMPTION`.
    pub source: String,
}

/// Normalises a manufacturer spelling for lookup: trims whitespace (including the
/// ideographic space), folds full-width ASCII (so `／` equals `/`), and lowercases
/// ASCII letters. Borrows when nothing changes.
pub(super) fn normalise_spelling(s: &str) -> Cow<'_, str> {
    let trimmed = s.trim();
    if trimmed
        .chars()
        .any(|c| c.is_ascii_uppercase() || is_full_width_ascii(c))
    {
        Cow::Owned(
            trimmed
                .chars()
                .map(|c| fold_full_width(c).to_ascii_lowercase())
                .collect(),
        )
    } else {
        Cow::Borrowed(trimmed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        assert_eq!(normalise_spelling(" Pfizer "), "pfizer");
        assert_eq!(normalise_spelling("\u{3000}ＰＦＩＺＥＲ"), "pfizer");
        assert_eq!(normalise_spelling("武田／モデルナ"), "武田/モデルナ");
        assert!(matches!(
            normalise_spelling("ファイザー"),
            Cow::Borrowed("ファイザー")
        ));
        assert!(matches!(
            normalise_spelling(" moderna\t"),
            Cow::Borrowed("moderna")
        ));
        assert_eq!(normalise_spelling("   "), "");
    }
}
