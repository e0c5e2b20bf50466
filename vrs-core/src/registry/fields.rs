//! The one check every free-text value passes before the registry stores it (names and kana of
//! imported subjects, venue and doctor of doses, reasons of corrections): no control
//! characters, and only characters every download encoding can carry (the JIS/Microsoft mapping
//! differences folded to their CP932 forms, anything CP932 lacks refused, naming the field and
//! the character and suggesting a replacement).

use std::borrow::Cow;

use crate::diag::Code;
use crate::text::{cp932_replacement, first_control_char, fold_to_cp932, TextError};

use super::error::RegistryError;

/// A free-text field, named for messages in both languages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub en: &'static str,
    pub ja: &'static str,
}

pub(crate) const NAME: Field = Field {
    en: "name",
    ja: "氏名",
};
pub(crate) const NAME_KANA: Field = Field {
    en: "kana name",
    ja: "氏名カナ",
};
pub(crate) const VENUE: Field = Field {
    en: "venue name",
    ja: "接種会場名",
};
pub(crate) const DOCTOR: Field = Field {
    en: "doctor name",
    ja: "医師名",
};
pub(crate) const REASON: Field = Field {
    en: "reason",
    ja: "理由",
};

/// Why a value cannot be stored: the rule and the explanation in English and Japanese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub code: Code,
    pub en: String,
    pub ja: String,
}

impl From<Refusal> for RegistryError {
    fn from(r: Refusal) -> RegistryError {
        RegistryError::Rule {
            code: r.code,
            message: r.en,
        }
    }
}

/// The value as it is stored: checked, and folded into the common repertoire of UTF-8 and
/// CP932 (〜 → ～ and the rest of [`crate::text::CP932_MAPPING_DIFFERENCES`]).
pub(crate) fn storable(field: Field, value: &str) -> Result<Cow<'_, str>, Refusal> {
    if let Some((position, ch)) = first_control_char(value) {
        return Err(Refusal {
            code: Code::F04,
            en: format!(
                "the {} contains a control character (U+{:04X}) at position {position}",
                field.en,
                u32::from(ch)
            ),
            ja: format!(
                "{}の{position}文字目に制御文字 (U+{:04X}) があります",
                field.ja,
                u32::from(ch)
            ),
        });
    }
    fold_to_cp932(value).map_err(|e| unwritable(field, &e))
}

/// T08 for a character CP932 cannot hold.
fn unwritable(field: Field, e: &TextError) -> Refusal {
    let TextError::Unencodable { ch, position, .. } = *e else {
        return Refusal {
            code: Code::T08,
            en: format!("the {}: {e}", field.en),
            ja: format!("{}: {}", field.ja, e.message_ja()),
        };
    };
    let cp = u32::from(ch);
    let (hint_en, hint_ja) = match cp932_replacement(ch) {
        Some(r) => (
            format!("; replace it with '{r}'"),
            format!("。「{r}」に置き換えてください"),
        ),
        None => (
            "; replace it with a character of JIS X 0208".to_owned(),
            "。JIS X 0208 の文字に置き換えてください".to_owned(),
        ),
    };
    Refusal {
        code: Code::T08,
        en: format!(
            "the {} has character '{ch}' (U+{cp:04X}) at position {position}, which cannot be \
             written in CP932 downloads{hint_en}",
            field.en
        ),
        ja: format!(
            "{}の{position}文字目「{ch}」(U+{cp:04X}) は CP932 のダウンロードで書き出せない文字です{hint_ja}",
            field.ja
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_known_differences_and_refuses_with_field_character_and_hint() {
        assert_eq!(storable(VENUE, "区民会館〜別館").unwrap(), "区民会館～別館");
        let r = storable(NAME, "\u{20BB7}野 太郎").unwrap_err();
        assert_eq!(r.code, Code::T08);
        assert!(r.en.contains("the name"), "{}", r.en);
        assert!(
            r.en.contains("U+20BB7") && r.en.contains("'吉'"),
            "{}",
            r.en
        );
        assert!(r.ja.contains("氏名") && r.ja.contains("「吉」"), "{}", r.ja);
        let r = storable(DOCTOR, "山田😀").unwrap_err();
        assert!(
            r.en.contains("U+1F600") && r.en.contains("JIS X 0208"),
            "{}",
            r.en
        );
        let r = storable(REASON, "a\tb").unwrap_err();
        assert_eq!(r.code, Code::F04);
        assert!(
            r.en.contains("reason") && r.en.contains("U+0009"),
            "{}",
            r.en
        );
    }
}
