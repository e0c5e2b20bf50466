//! [`Writer`]: builds an exchange file row by row, checking each row before writing it.

use std::sync::{Arc, Mutex, MutexGuard};

use vrs_core::codec::{self, CheckedWriter};

use super::{find_layout, parse_date, parse_tenant, Diagnostic, Encoding, VrsError};

/// How the [`Writer`] writes and checks. Every field has a default.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WriterOptions {
    /// Output encoding; `None` (default) means UTF-8. With CP932 a character it cannot hold is
    /// an error ([`VrsError::Unencodable`]), never replaced.
    #[uniffi(default = None)]
    pub encoding: Option<Encoding>,
    /// Write a UTF-8 byte-order mark first (default `false`; ignored for CP932).
    #[uniffi(default = false)]
    pub bom: bool,
    /// Write the header row of Japanese column names (default `true`).
    #[uniffi(default = true)]
    pub header: bool,
    /// Dose blocks of the block layouts: 1..=9, default 7.
    #[uniffi(default = 7)]
    pub dose_blocks: u8,
    /// The file's creation date, `YYYY-MM-DD` or `YYYYMMDD`, for the no-future-dates rules;
    /// `None` (default) skips them.
    #[uniffi(default = None)]
    pub as_of: Option<String>,
    /// The uploading municipality's code (rule M03); `None` (default): the first row's code.
    #[uniffi(default = None)]
    pub tenant: Option<String>,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            encoding: None,
            bom: false,
            header: true,
            dose_blocks: 7,
            as_of: None,
            tenant: None,
        }
    }
}

/// Writes one exchange file in memory: set the fields of a row by column ID
/// ([`layout`](super::layout) lists them), then [`end_row`](Writer::end_row) checks the row
/// with the validator's rules and writes it; [`finish`](Writer::finish) returns the bytes
/// (CRLF line ends, RFC 4180 quoting).
///
/// ```python
/// w = vrs.Writer("batch-inquiry-request")
/// w.set("my_number", "123456789018")
/// w.set("addressee_number", "1001")
/// warnings = w.end_row()        # raises vrs.VrsError.InvalidRow when the row has an error
/// data = w.finish()
/// ```
#[derive(uniffi::Object)]
pub struct Writer {
    /// `None` once finished.
    inner: Mutex<Option<CheckedWriter<Vec<u8>>>>,
}

/// Shows only whether the writer is finished: the current row may hold a My Number.
impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let finished = self.inner.lock().map(|w| w.is_none()).unwrap_or(true);
        f.debug_struct("Writer")
            .field("finished", &finished)
            .finish_non_exhaustive()
    }
}

impl Writer {
    fn lock(&self) -> Result<MutexGuard<'_, Option<CheckedWriter<Vec<u8>>>>, VrsError> {
        self.inner.lock().map_err(|_| VrsError::poisoned("writer"))
    }

    fn finished() -> VrsError {
        VrsError::finished("writer", "書き込み")
    }
}

#[uniffi::export]
impl Writer {
    /// A writer for `layout` (an ID such as `dose-upload`, or `id@version`).
    ///
    /// # Errors
    /// [`VrsError::Layout`] for an unknown layout or dose-block count,
    /// [`VrsError::InvalidArgument`] for a bad `as_of` or `tenant`.
    #[uniffi::constructor(default(options = None))]
    pub fn new(layout: String, options: Option<WriterOptions>) -> Result<Arc<Self>, VrsError> {
        let o = options.unwrap_or_default();
        let layout = find_layout(&layout, o.dose_blocks)?;
        let write = codec::WriteOptions {
            encoding: o.encoding.unwrap_or(Encoding::Utf8).into(),
            bom: o.bom,
            header: o.header,
        };
        let check = codec::ValidateOptions {
            as_of: parse_date("as_of", o.as_of.as_deref())?,
            tenant: parse_tenant(o.tenant.as_deref())?,
            ..codec::ValidateOptions::default()
        };
        let writer = CheckedWriter::new(Vec::new(), layout, write, check)?;
        Ok(Arc::new(Writer {
            inner: Mutex::new(Some(writer)),
        }))
    }

    /// Sets a field of the current row by column ID (e.g. `dose1_vaccinated_on`).
    ///
    /// # Errors
    /// [`VrsError::UnknownColumn`]; [`VrsError::Finished`] after [`finish`](Writer::finish).
    pub fn set(&self, column_id: String, value: String) -> Result<(), VrsError> {
        Ok(self
            .lock()?
            .as_mut()
            .ok_or_else(Self::finished)?
            .set(&column_id, &value)?)
    }

    /// Checks and writes the current row, then clears it for the next one. Returns the row's
    /// warnings (empty when it is clean).
    ///
    /// # Errors
    /// [`VrsError::InvalidRow`] listing the diagnostics when the row has an error, or
    /// [`VrsError::Unencodable`] when a value cannot be written in CP932: the row was not
    /// written (and is cleared). [`VrsError::Finished`] after [`finish`](Writer::finish).
    pub fn end_row(&self) -> Result<Vec<Diagnostic>, VrsError> {
        let found = self
            .lock()?
            .as_mut()
            .ok_or_else(Self::finished)?
            .end_row()?;
        Ok(found.iter().map(Diagnostic::from).collect())
    }

    /// Ends the file and returns its bytes. The writer cannot be used afterwards.
    ///
    /// # Errors
    /// [`VrsError::Finished`] when called twice.
    pub fn finish(&self) -> Result<Vec<u8>, VrsError> {
        let writer = self.lock()?.take().ok_or_else(Self::finished)?;
        let (bytes, _report) = writer.finish()?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inquiry(options: Option<WriterOptions>) -> Arc<Writer> {
        Writer::new("batch-inquiry-request".into(), options).unwrap()
    }

    #[test]
    fn writes_checked_rows() {
        let w = inquiry(None);
        w.set("my_number".into(), "123456789013".into()).unwrap();
        w.set("addressee_number".into(), "1001".into()).unwrap();
        let err = w.end_row().unwrap_err();
        assert!(matches!(err, VrsError::InvalidRow(_)));
        let msg = err.to_string();
        assert!(
            msg.contains("error N01 at line 2, column 個人番号"),
            "{msg}"
        );
        assert!(msg.contains("check digit should be 8"), "{msg}");
        assert!(!msg.contains("123456789013"), "{msg}");
        w.set("my_number".into(), "123456789018".into()).unwrap();
        w.set("addressee_number".into(), "1001".into()).unwrap();
        assert_eq!(w.end_row().unwrap(), vec![]);
        let bytes = w.finish().unwrap();
        assert_eq!(
            bytes,
            "個人番号,宛名番号\r\n123456789018,1001\r\n".as_bytes()
        );
        assert!(matches!(w.finish(), Err(VrsError::Finished(_))));
        assert!(matches!(
            w.set("my_number".into(), String::new()),
            Err(VrsError::Finished(_))
        ));
        assert!(matches!(w.end_row(), Err(VrsError::Finished(_))));
    }

    #[test]
    fn debug_shows_no_field_values() {
        let w = inquiry(None);
        w.set("my_number".into(), "123456789018".into()).unwrap();
        let shown = format!("{w:?}");
        assert_eq!(shown, "Writer { finished: false, .. }");
        w.finish().unwrap();
        assert_eq!(format!("{w:?}"), "Writer { finished: true, .. }");
    }

    #[test]
    fn unknown_columns_and_unencodable_values() {
        let w = inquiry(Some(WriterOptions {
            encoding: Some(Encoding::Cp932),
            ..Default::default()
        }));
        let err = w.set("nope".into(), "1".into()).unwrap_err();
        assert!(matches!(err, VrsError::UnknownColumn(_)), "{err}");
        w.set("my_number".into(), "123456789018".into()).unwrap();
        w.set("addressee_number".into(), "A\u{1F600}".into())
            .unwrap();
        let err = w.end_row().unwrap_err();
        assert!(matches!(err, VrsError::Unencodable(_)), "{err}");
        assert!(err.to_string().contains("宛名番号"), "{err}");
        let bytes = w.finish().unwrap();
        let header =
            vrs_core::text::encode_strict("個人番号,宛名番号\r\n", vrs_core::text::Encoding::Cp932)
                .unwrap();
        assert_eq!(bytes, header.as_ref());
    }

    #[test]
    fn options_are_checked_in_the_constructor() {
        let e = Writer::new(
            "flags".into(),
            Some(WriterOptions {
                as_of: Some("20211301".into()),
                ..Default::default()
            }),
        )
        .unwrap_err();
        assert!(matches!(e, VrsError::InvalidArgument(_)), "{e}");
        assert!(matches!(
            Writer::new("nope".into(), None),
            Err(VrsError::Layout(_))
        ));
    }
}
