//! [`VrsError`]: the one error type of the uniffi interface.
//!
//! Following the application-services pattern, the public error is separate from the errors of
//! `vrs-core`: every core error is converted at the boundary (the `From` impls below) into a
//! variant carrying a readable message, English first and the Japanese after it. The core
//! errors never contain the rejected input, so neither does a `VrsError`: a My Number given to
//! any function never appears in an exception message.
//!
//! The error is "flat": only the message crosses the FFI. In Python it is raised as
//! `vrs.VrsError.<Variant>` (a subclass of `vrs.VrsError`), in Kotlin as
//! `jp.vrs.VrsException.<Variant>`, in Swift as `VrsError.<Variant>(message:)`.

use vrs_core::codec::WriteError;
use vrs_core::date::DateError;
use vrs_core::diag::Diagnostic;
use vrs_core::id::IdError;
use vrs_core::layout::LayoutError;
use vrs_core::registry::RegistryError;

/// Why a call of the uniffi interface could not run.
///
/// Problems in a file's content are never errors: they are [`Diagnostic`](super::Diagnostic)s
/// in a [`Report`](super::Report). An error means the call itself could not do its work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
#[non_exhaustive]
pub enum VrsError {
    /// No layout has this ID (or version), or the dose-block count is outside 1..=9.
    #[error("{0}")]
    Layout(String),
    /// An option or argument is not valid: a date, a tenant municipality code, a voucher type...
    #[error("{0}")]
    InvalidArgument(String),
    /// An identifier given to a check-digit or OCR-line function is not valid. The message
    /// names the problem (position, expected digit), never the input.
    #[error("{0}")]
    InvalidId(String),
    /// The validator or writer was already finished: create a new one.
    #[error("{0}")]
    Finished(String),
    /// The writer's layout has no column with this ID.
    #[error("{0}")]
    UnknownColumn(String),
    /// The row breaks the layout's rules and was not written; the message lists every
    /// diagnostic of the row.
    #[error("{0}")]
    InvalidRow(String),
    /// A value holds a character the output encoding (CP932) cannot represent; nothing of the
    /// row was written.
    #[error("{0}")]
    Unencodable(String),
    /// Something that should not happen (an I/O error on an in-memory buffer, an earlier call
    /// that panicked).
    #[error("{0}")]
    Internal(String),
    /// Registry: the principal may not do this (wrong role, another municipality, a staff user
    /// ID that is not registered). The refusal is recorded in the audit log.
    #[error("{0}")]
    Forbidden(String),
    /// Registry: the tenant (municipality) does not exist in this registry.
    #[error("{0}")]
    UnknownTenant(String),
    /// Registry: the tenant exists already.
    #[error("{0}")]
    TenantExists(String),
    /// Registry: no subject, voucher or user with that identifier.
    #[error("{0}")]
    NotFound(String),
    /// Registry: the request contradicts stored data; the message starts with
    /// `conflict (<rule>)`, e.g. `conflict (S03)`.
    #[error("{0}")]
    Conflict(String),
    /// Registry: a rule forbids it; the message starts with `rule <code>:`, e.g.
    /// `rule D02:` (future date) or `rule L01:` (dose after death).
    #[error("{0}")]
    Rule(String),
    /// Registry: the tenant's staff user quota is used up.
    #[error("{0}")]
    QuotaExceeded(String),
    /// Registry: a strict import found problems and imported nothing (or the file is unusable);
    /// the message lists the rejected rows as `line <n> <code>: <why>`.
    #[error("{0}")]
    ImportRejected(String),
    /// Registry: a key is missing, unusable or wrong for a tenant's data.
    #[error("{0}")]
    Crypto(String),
    /// Registry: the store failed, or a stored record is unreadable.
    #[error("{0}")]
    Storage(String),
    /// Registry: writing an export failed (e.g. a name CP932 cannot hold).
    #[error("{0}")]
    Export(String),
    /// Registry: stored data failed an integrity check (records altered, deleted, added or
    /// rolled back, an audit chain erased, the store rolled back or replaced); nothing tampered
    /// is served. `verify_store` lists every finding.
    #[error("{0}")]
    Tampered(String),
}

/// `"English (日本語)"`: the message shown to users of the bindings.
pub(crate) fn both(en: impl std::fmt::Display, ja: impl std::fmt::Display) -> String {
    format!("{en} ({ja})")
}

impl From<LayoutError> for VrsError {
    fn from(e: LayoutError) -> Self {
        VrsError::Layout(both(&e, e.message_ja()))
    }
}

impl From<IdError> for VrsError {
    fn from(e: IdError) -> Self {
        VrsError::InvalidId(both(&e, e.message_ja()))
    }
}

impl VrsError {
    /// A [`VrsError::InvalidArgument`] for a bad date in option `what`.
    pub(crate) fn date(what: &str, e: &DateError) -> Self {
        VrsError::InvalidArgument(both(
            format!("{what}: {e} (use YYYY-MM-DD or YYYYMMDD)"),
            format!(
                "{what}：{}（YYYY-MM-DD または YYYYMMDD で指定してください）",
                e.message_ja()
            ),
        ))
    }

    /// A [`VrsError::InvalidArgument`] for a bad identifier in option `what`.
    pub(crate) fn id_option(what: &str, e: &IdError) -> Self {
        VrsError::InvalidArgument(both(
            format!("{what}: {e}"),
            format!("{what}：{}", e.message_ja()),
        ))
    }

    /// The error for a call on a validator or writer that was already finished.
    pub(crate) fn finished(what: &str, ja: &str) -> Self {
        VrsError::Finished(both(
            format!("the {what} was already finished; create a new one"),
            format!("{ja}はすでに終了しています。新しく作成してください"),
        ))
    }

    /// The error when an earlier call panicked while holding the object's lock.
    pub(crate) fn poisoned(what: &str) -> Self {
        VrsError::Internal(format!(
            "the {what} is unusable after an internal error in an earlier call; create a new one"
        ))
    }
}

/// One line per diagnostic: `error M01 at line 2, column 1回目接種自治体コード: <en> (<ja>)`.
pub(crate) fn describe(d: &Diagnostic) -> String {
    let place = match &d.column {
        Some(c) => format!("line {}, column {c}", d.line),
        None => format!("line {}", d.line),
    };
    format!(
        "{} {} at {place}: {}",
        d.severity,
        d.code,
        both(&d.message_en, &d.message_ja)
    )
}

impl From<WriteError> for VrsError {
    fn from(e: WriteError) -> Self {
        match &e {
            WriteError::Invalid(diagnostics) => {
                let lines: Vec<String> = diagnostics.iter().map(describe).collect();
                VrsError::InvalidRow(format!(
                    "row not written (行を書き込みませんでした): {}",
                    lines.join("; ")
                ))
            }
            WriteError::UnknownColumn { .. } => VrsError::UnknownColumn(both(&e, e.message_ja())),
            WriteError::Unencodable { .. } => VrsError::Unencodable(both(&e, e.message_ja())),
            WriteError::FieldCount { .. }
            | WriteError::Record(_)
            | WriteError::WrongLayout { .. } => VrsError::InvalidArgument(both(&e, e.message_ja())),
            _ => VrsError::Internal(both(&e, e.message_ja())),
        }
    }
}

/// Rejected rows listed in an [`VrsError::ImportRejected`] message; the count covers all.
const LISTED_REJECTIONS: usize = 20;

impl From<RegistryError> for VrsError {
    fn from(e: RegistryError) -> Self {
        let message = both(&e, e.message_ja());
        match e {
            RegistryError::Forbidden(_) => VrsError::Forbidden(message),
            RegistryError::UnknownTenant(_) => VrsError::UnknownTenant(message),
            RegistryError::TenantExists(_) => VrsError::TenantExists(message),
            RegistryError::NotFound(_) => VrsError::NotFound(message),
            RegistryError::Conflict { .. } => VrsError::Conflict(message),
            RegistryError::Rule { .. } => VrsError::Rule(message),
            RegistryError::InvalidInput(_) => VrsError::InvalidArgument(message),
            RegistryError::QuotaExceeded { .. } => VrsError::QuotaExceeded(message),
            RegistryError::ImportRejected(outcome) => {
                let mut rows: Vec<String> = outcome
                    .rejected_rows
                    .iter()
                    .take(LISTED_REJECTIONS)
                    .map(|r| {
                        format!(
                            "line {} {}: {}",
                            r.line,
                            r.code,
                            both(&r.message_en, &r.message_ja)
                        )
                    })
                    .collect();
                let listed = rows.len() as u64;
                if outcome.rejected > listed {
                    rows.push(format!("... {} more", outcome.rejected - listed));
                }
                VrsError::ImportRejected(format!("{message}: {}", rows.join("; ")))
            }
            RegistryError::WrongKey(_) | RegistryError::Crypto(_) => VrsError::Crypto(message),
            RegistryError::Store(_) | RegistryError::Corrupt(_) => VrsError::Storage(message),
            RegistryError::Export(_) => VrsError::Export(message),
            RegistryError::Tampered(_) => VrsError::Tampered(message),
            _ => VrsError::Internal(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vrs_core::id::MyNumber;

    #[test]
    fn id_errors_carry_both_languages_and_never_the_input() {
        let err: VrsError = MyNumber::parse("123456789013").unwrap_err().into();
        let msg = err.to_string();
        assert_eq!(
            msg,
            "My Number: check digit should be 8, found 3 (個人番号: チェックデジットが一致しません（正しくは8、入力は3）)"
        );
        assert!(!msg.contains("123456789013"));
        assert!(matches!(err, VrsError::InvalidId(_)));
    }

    #[test]
    fn layout_errors_name_the_known_layouts() {
        let err: VrsError = vrs_core::layout::find("nope", &Default::default())
            .unwrap_err()
            .into();
        assert!(matches!(err, VrsError::Layout(_)));
        assert!(err.to_string().contains("ledger-export"));
        assert!(err.to_string().contains("レイアウト「nope」はありません"));
    }
}
