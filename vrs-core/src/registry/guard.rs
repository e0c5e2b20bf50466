//! Keeping My Numbers out of downloads: the one check every path that stores a value a
//! download carries (subject import, dose entry by OCR line or by staff, bulk dose upload, and
//! any later correction path) calls before storing it.
//!
//! A value is refused (rule N02) when it holds a number shaped like a My Number (12 digits,
//! ASCII or full-width, optionally grouped, with a valid check digit: [`MyNumber::shaped_in`]),
//! or — for an addressee number when [`super::RegistryConfig::refuse_my_number_shaped_addressees`]
//! is off — when it is a My Number stored in the tenant (looked up through the pseudonymous My
//! Number index, so the number itself is never compared in clear outside the seal).

use crate::crypto::RecordKind;
use crate::diag::Code;
use crate::id::MyNumber;
use crate::store::Store;

use super::area::Area;
use super::error::RegistryError;
use super::RegistryConfig;

/// A field a download carries (a new one a download gains gets a variant here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// 宛名番号: the ledger export's key column.
    Addressee,
    /// 接種会場: free text.
    Venue,
    /// 医師名: free text.
    Doctor,
    /// メーカー as entered.
    Manufacturer,
    /// ロット番号.
    Lot,
    /// 訂正理由: the free-text reason of a dose correction or void (kept in the history).
    Reason,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Addressee => "addressee number",
            Field::Venue => "venue name",
            Field::Doctor => "doctor name",
            Field::Manufacturer => "manufacturer",
            Field::Lot => "lot number",
            Field::Reason => "correction reason",
        }
    }

    fn name_ja(self) -> &'static str {
        match self {
            Field::Addressee => "宛名番号",
            Field::Venue => "接種会場",
            Field::Doctor => "医師名",
            Field::Manufacturer => "メーカー",
            Field::Lot => "ロット番号",
            Field::Reason => "訂正理由",
        }
    }
}

/// The N02 refusal of `field` (English and Japanese reasons; the value is never echoed).
pub(crate) fn refusal(field: Field) -> (String, String) {
    (
        format!(
            "the {} holds a My Number (or a number shaped like one); downloads would disclose it",
            field.name()
        ),
        format!(
            "{}に個人番号（または個人番号の形式の番号）が含まれています。ダウンロードファイルに個人番号が出てしまいます",
            field.name_ja()
        ),
    )
}

/// `Err` (rule N02) when any of `fields` holds a My Number: see the [module docs](self).
///
/// # Errors
/// [`RegistryError::Rule`] with code N02 naming the field, never the value; store failures.
pub(crate) fn refuse_my_numbers(
    store: &mut dyn Store,
    area: &Area,
    config: &RegistryConfig,
    fields: &[(Field, &str)],
) -> Result<(), RegistryError> {
    for (field, value) in fields {
        let shaped = MyNumber::shaped_in(value);
        if shaped.is_empty() {
            continue;
        }
        let refuse = if *field != Field::Addressee || config.refuse_my_number_shaped_addressees {
            true
        } else {
            let mut stored = false;
            for n in &shaped {
                let key = area.key(RecordKind::MyNumberIndex, n.expose_secret().as_bytes());
                if store
                    .get(area.id, RecordKind::MyNumberIndex.code(), key.as_bytes())?
                    .is_some()
                {
                    stored = true;
                    break;
                }
            }
            stored
        };
        if refuse {
            return Err(RegistryError::Rule {
                code: Code::N02,
                message: refusal(*field).0,
            });
        }
    }
    Ok(())
}
