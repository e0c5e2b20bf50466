//! Why a storage operation failed.

/// Why the store could not do what was asked. Messages name no values (keys and values are
/// pseudonymous and sealed anyway).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A write outside a transaction, a nested `begin`, or a `commit` without `begin`.
    #[error("transaction misuse: {0}")]
    Transaction(&'static str),
    /// A key that must be new is taken (e.g. an audit sequence number).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The database was written by a newer version of this library.
    #[error("the store has schema version {found}; this library supports up to {supported}")]
    SchemaTooNew {
        /// Version found in the store.
        found: u32,
        /// Newest version this library knows.
        supported: u32,
    },
    /// The database engine reported an error.
    #[error("database error: {0}")]
    Backend(String),
    /// A file could not be read or written.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The store's content failed an integrity check (a record, chain or anchor altered,
    /// removed or rolled back outside the registry); the message names what, never a value.
    #[error("integrity check failed: {0}")]
    Tampered(String),
    /// A key file is unusable (readable by others, wrong length...).
    #[error("key file {path}: {why}")]
    KeyFile {
        /// The file.
        path: String,
        /// What is wrong.
        why: String,
    },
}

impl StoreError {
    /// The same message in Japanese.
    pub fn message_ja(&self) -> String {
        match self {
            StoreError::Transaction(w) => format!("トランザクションの使い方が不正です: {w}"),
            StoreError::Conflict(w) => format!("キーが競合しました: {w}"),
            StoreError::SchemaTooNew { found, supported } => format!(
                "ストアのスキーマ版 {found} はこのライブラリ（{supported} まで対応）より新しいものです"
            ),
            StoreError::Backend(m) => format!("データベースのエラー: {m}"),
            StoreError::Io { path, source } => format!("{path} の入出力エラー: {source}"),
            StoreError::KeyFile { path, why } => format!("鍵ファイル {path}: {why}"),
            StoreError::Tampered(what) => format!("完全性の検査に失敗しました（改ざんの疑い）: {what}"),
        }
    }
}

#[cfg(feature = "sqlite")]
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Backend(e.to_string())
    }
}

#[cfg(feature = "sqlite")]
impl From<rusqlite::types::FromSqlError> for StoreError {
    fn from(e: rusqlite::types::FromSqlError) -> Self {
        StoreError::Backend(e.to_string())
    }
}
