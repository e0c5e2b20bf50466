//! [`Validator`] (streaming), [`validate_bytes`] (whole file) and their [`ValidateOptions`].

use std::sync::{Arc, Mutex, MutexGuard};

use vrs_core::codec::{self, WidthUnit};
use vrs_core::layout::Layout;
use vrs_core::text::EncodingChoice;

use super::{find_layout, parse_date, parse_tenant, Encoding, Lang, Report, VrsError};

/// What the validator checks and how. Every field has a default: `ValidateOptions()` in Python
/// and Kotlin gives the defaults, `ValidateOptions(as_of="2021-12-01")` changes one.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ValidateOptions {
    /// Encoding of the input; `None` (default) detects it: a UTF-8 BOM means UTF-8, otherwise
    /// a strict decode as both encodings decides (UTF-8 when the file decodes as UTF-8, CP932
    /// when only as CP932), the same way for [`validate_bytes`] and the streaming
    /// [`Validator`]. A given encoding breaks ties; a file that does not decode as it but does
    /// as the other one is checked as the other one, with one F01 saying so.
    #[uniffi(default = None)]
    pub encoding: Option<Encoding>,
    /// Keep at most this many diagnostics in the report, the first ones found (the counts and
    /// the summary still cover all); `None` (default): 1000, so that memory stays bounded
    /// whatever the file holds. See `keep_all_diagnostics`.
    #[uniffi(default = None)]
    pub max_diagnostics: Option<u32>,
    /// Keep every diagnostic (`max_diagnostics` is then ignored): memory grows with the
    /// findings (a file with an error in every field has millions). Default `false`.
    #[uniffi(default = false)]
    pub keep_all_diagnostics: bool,
    /// The file's creation date, `YYYY-MM-DD` or `YYYYMMDD`: dates after it are in the future
    /// (D02, D05). `None` (default) skips those checks: the library reads no clock.
    #[uniffi(default = None)]
    pub as_of: Option<String>,
    /// The uploading municipality's code (rule M03); `None` (default): the first row's code.
    #[uniffi(default = None)]
    pub tenant: Option<String>,
    /// The file starts with a header row of the Japanese column names (default `true`).
    #[uniffi(default = true)]
    pub header: bool,
    /// Dose blocks of the block layouts (ledger export, awaiting registration, batch-inquiry
    /// result): 1..=9. `None` (default): the header's count (an F02 info says when it is not
    /// 7), 7 without a header.
    #[uniffi(default = None)]
    pub dose_blocks: Option<u8>,
    /// Language of [`Report::to_json`]; `None` (default) means Japanese, like `vrs-conformance`.
    #[uniffi(default = None)]
    pub lang: Option<Lang>,
    /// Full-width digits in digit fields are normalised with a warning (`true`, default) or
    /// reported as an error (`false`).
    #[uniffi(default = true)]
    pub normalize_fullwidth: bool,
    /// In the subject registration upload the My Number may be empty only when this is `false`
    /// (default `true`).
    #[uniffi(default = true)]
    pub require_my_number: bool,
    /// A municipality-code check-digit mismatch is an error (`true`, default) or a warning.
    #[uniffi(default = true)]
    pub strict_municipality_check_digit: bool,
    /// Warn (M02) when a municipality code is not in the built-in code table (default `true`).
    #[uniffi(default = true)]
    pub check_code_table: bool,
    /// Accepted voucher types, the first digit of the OCR line (V05); `None` (default): 1 and 2.
    #[uniffi(default = None)]
    pub voucher_types: Option<Vec<u32>>,
    /// Count text widths in CP932 bytes (a full-width character counts 2) instead of
    /// characters (default `false`).
    #[uniffi(default = false)]
    pub count_cp932_bytes: bool,
    /// The file name shown as `file` in the report and its JSON; `None` (default) shows none.
    #[uniffi(default = None)]
    pub file_name: Option<String>,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        ValidateOptions {
            encoding: None,
            max_diagnostics: None,
            keep_all_diagnostics: false,
            as_of: None,
            tenant: None,
            header: true,
            dose_blocks: None,
            lang: None,
            normalize_fullwidth: true,
            require_my_number: true,
            strict_municipality_check_digit: true,
            check_code_table: true,
            voucher_types: None,
            count_cp932_bytes: false,
            file_name: None,
        }
    }
}

/// Everything a validation run needs, checked.
struct Prepared {
    layout: Layout,
    options: codec::ValidateOptions,
    lang: Lang,
    file: Option<String>,
}

impl ValidateOptions {
    /// Checks the options and builds the core layout and options.
    fn prepare(self, layout: &str) -> Result<Prepared, VrsError> {
        let layout = find_layout(layout, self.dose_blocks.unwrap_or(7))?;
        let voucher_types = match self.voucher_types {
            None => None,
            Some(types) => Some(
                types
                    .into_iter()
                    .map(|t| {
                        u8::try_from(t).ok().filter(|t| *t <= 9).ok_or_else(|| {
                            VrsError::InvalidArgument(super::error::both(
                                format!(
                                    "voucher_types: a voucher type is one digit 0 to 9, found {t}"
                                ),
                                format!("voucher_types：券種は0～9の1桁です（指定は{t}）"),
                            ))
                        })
                    })
                    .collect::<Result<Vec<u8>, VrsError>>()?,
            ),
        };
        let defaults = codec::ValidateOptions::default();
        let options = codec::ValidateOptions {
            encoding: match self.encoding {
                None => EncodingChoice::Auto,
                Some(e) => EncodingChoice::from(vrs_core::text::Encoding::from(e)),
            },
            max_diagnostics: match (self.keep_all_diagnostics, self.max_diagnostics) {
                (true, _) => None,
                (false, None) => Some(codec::DEFAULT_MAX_DIAGNOSTICS),
                (false, Some(n)) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
            },
            dose_blocks_from_header: self.dose_blocks.is_none(),
            as_of: parse_date("as_of", self.as_of.as_deref())?,
            tenant: parse_tenant(self.tenant.as_deref())?,
            normalize_fullwidth: self.normalize_fullwidth,
            header: self.header,
            voucher_types: voucher_types.unwrap_or_else(|| defaults.voucher_types.clone()),
            require_my_number: self.require_my_number,
            strict_municipality_check_digit: self.strict_municipality_check_digit,
            check_code_table: self.check_code_table,
            width_unit: if self.count_cp932_bytes {
                WidthUnit::Cp932Bytes
            } else {
                WidthUnit::Chars
            },
            ..defaults
        };
        Ok(Prepared {
            layout,
            options,
            lang: self.lang.unwrap_or(Lang::Ja),
            file: self.file_name,
        })
    }
}

/// A streaming validator for one file of one layout: [`feed`](Validator::feed) chunks of any
/// size, then [`finish`](Validator::finish) for the [`Report`]. Memory stays bounded by the
/// largest record, whatever the file size.
///
/// ```python
/// v = vrs.Validator("ledger-export", vrs.ValidateOptions(as_of="2021-12-01"))
/// with open(path, "rb") as f:
///     while chunk := f.read(1 << 16):
///         v.feed(chunk)
/// report = v.finish()
/// ```
#[derive(uniffi::Object)]
pub struct Validator {
    /// `None` once finished.
    inner: Mutex<Option<codec::Validator>>,
    lang: Lang,
    file: Option<String>,
}

/// Shows only whether the validator is finished: the core state holds per-run keys and
/// field values that must not reach a log.
impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let finished = self.inner.lock().map(|v| v.is_none()).unwrap_or(true);
        f.debug_struct("Validator")
            .field("finished", &finished)
            .finish_non_exhaustive()
    }
}

impl Validator {
    fn lock(&self) -> Result<MutexGuard<'_, Option<codec::Validator>>, VrsError> {
        self.inner
            .lock()
            .map_err(|_| VrsError::poisoned("validator"))
    }

    fn finished() -> VrsError {
        VrsError::finished("validator", "検証")
    }
}

#[uniffi::export]
impl Validator {
    /// A validator for `layout` (an ID such as `ledger-export`, or `id@version`).
    ///
    /// # Errors
    /// [`VrsError::Layout`] for an unknown layout or dose-block count,
    /// [`VrsError::InvalidArgument`] for a bad `as_of`, `tenant` or voucher type.
    #[uniffi::constructor(default(options = None))]
    pub fn new(layout: String, options: Option<ValidateOptions>) -> Result<Arc<Self>, VrsError> {
        let p = options.unwrap_or_default().prepare(&layout)?;
        Ok(Arc::new(Validator {
            inner: Mutex::new(Some(codec::Validator::new(p.layout, p.options))),
            lang: p.lang,
            file: p.file,
        }))
    }

    /// Feeds the next chunk of the file.
    ///
    /// # Errors
    /// [`VrsError::Finished`] after [`finish`](Validator::finish).
    pub fn feed(&self, data: Vec<u8>) -> Result<(), VrsError> {
        self.lock()?
            .as_mut()
            .ok_or_else(Self::finished)?
            .feed(&data);
        Ok(())
    }

    /// Data rows checked so far (rows held back while the encoding is not yet certain, or
    /// still being checked by worker threads, are not counted yet).
    ///
    /// # Errors
    /// [`VrsError::Finished`] after [`finish`](Validator::finish) (the report has the count).
    pub fn row_count(&self) -> Result<u64, VrsError> {
        Ok(self.lock()?.as_ref().ok_or_else(Self::finished)?.rows())
    }

    /// Errors found so far (in the rows [`row_count`](Validator::row_count) counts).
    ///
    /// # Errors
    /// [`VrsError::Finished`] after [`finish`](Validator::finish) (the report has the count).
    pub fn error_count(&self) -> Result<u64, VrsError> {
        Ok(self
            .lock()?
            .as_ref()
            .ok_or_else(Self::finished)?
            .error_count())
    }

    /// Ends the file and returns the report. The validator cannot be used afterwards.
    ///
    /// # Errors
    /// [`VrsError::Finished`] when called twice.
    pub fn finish(&self) -> Result<Arc<Report>, VrsError> {
        let validator = self.lock()?.take().ok_or_else(Self::finished)?;
        let mut report = validator.finish();
        report.file.clone_from(&self.file);
        Ok(Report::new(report, self.lang))
    }
}

/// Validates a whole file held in memory: the same report as feeding it to a [`Validator`] in
/// any chunks (the encoding is decided the same way), faster on a large file.
///
/// # Errors
/// As [`Validator::new`].
#[uniffi::export(default(options = None))]
pub fn validate_bytes(
    layout: String,
    data: Vec<u8>,
    options: Option<ValidateOptions>,
) -> Result<Arc<Report>, VrsError> {
    let p = options.unwrap_or_default().prepare(&layout)?;
    let mut report = codec::validate_bytes(&data, p.layout, p.options);
    report.file = p.file;
    Ok(Report::new(report, p.lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "個人番号,宛名番号\r\n";

    #[test]
    fn streams_and_refuses_use_after_finish() {
        let v = Validator::new("batch-inquiry-request".into(), None).unwrap();
        v.feed(HEADER.as_bytes().to_vec()).unwrap();
        v.feed(b"1234567890".to_vec()).unwrap();
        v.feed(b"18,1001\r\n123456789013,1002\r\n".to_vec())
            .unwrap();
        // Counted as checked: the header reads as UTF-8 and as CP932 and the rest is ASCII, so
        // the rows may wait until the encoding is certain (at the end here).
        assert!(v.row_count().unwrap() <= 2);
        assert!(v.error_count().unwrap() <= 1);
        let report = v.finish().unwrap();
        assert_eq!(report.error_count(), 1);
        assert_eq!(report.row_count(), 2);
        assert_eq!(report.diagnostics()[0].line, 3);
        assert!(matches!(v.feed(vec![b'x']), Err(VrsError::Finished(_))));
        assert!(matches!(v.finish(), Err(VrsError::Finished(_))));
        assert!(matches!(v.row_count(), Err(VrsError::Finished(_))));
    }

    #[test]
    fn debug_shows_no_state() {
        let v = Validator::new("batch-inquiry-request".into(), None).unwrap();
        v.feed(format!("{HEADER}123456789018,1001\r\n").into_bytes())
            .unwrap();
        assert_eq!(format!("{v:?}"), "Validator { finished: false, .. }");
    }

    #[test]
    fn options_are_checked_in_the_constructor() {
        let bad = |o: ValidateOptions| Validator::new("flags".into(), Some(o)).unwrap_err();
        assert!(matches!(
            Validator::new("nope".into(), None),
            Err(VrsError::Layout(_))
        ));
        let e = bad(ValidateOptions {
            as_of: Some("2021-13-01".into()),
            ..Default::default()
        });
        assert!(matches!(e, VrsError::InvalidArgument(_)), "{e}");
        let e = bad(ValidateOptions {
            tenant: Some("999999".into()),
            ..Default::default()
        });
        assert!(e.to_string().starts_with("tenant: "), "{e}");
        let e = bad(ValidateOptions {
            voucher_types: Some(vec![1, 12]),
            ..Default::default()
        });
        assert!(e.to_string().contains("found 12"), "{e}");
        let e = Validator::new(
            "ledger-export".into(),
            Some(ValidateOptions {
                dose_blocks: Some(10),
                ..Default::default()
            }),
        )
        .unwrap_err();
        assert!(matches!(e, VrsError::Layout(_)), "{e}");
    }

    #[test]
    fn whole_file_validation_uses_the_options() {
        let data = format!("{HEADER}123456789013,1001\r\n123456789018,1002\r\n").into_bytes();
        let options = ValidateOptions {
            max_diagnostics: Some(0),
            lang: Some(Lang::En),
            file_name: Some("x.csv".into()),
            ..Default::default()
        };
        let report = validate_bytes("batch-inquiry-request".into(), data, Some(options)).unwrap();
        assert_eq!(report.error_count(), 1);
        assert!(report.truncated());
        assert!(report.diagnostics().is_empty());
        assert!(report.to_json().contains("\"file\": \"x.csv\""));
        assert!(report.to_json().contains("\"errors\": 1"));
        assert!(report.to_json().contains("\"diagnostics\": []"));
    }
}
