//! Why a cryptographic operation failed.

/// Why sealing, opening or obtaining a key failed. Messages never contain key material or
/// plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// A sealed value did not open: wrong key, wrong tenant or record key (associated data), or
    /// the bytes were altered.
    #[error("a sealed record failed to open (wrong key, wrong tenant or altered bytes)")]
    OpenFailed,
    /// The sealed value is shorter than a nonce and a tag, or has an unknown format version.
    #[error("a sealed record is malformed ({0})")]
    Malformed(&'static str),
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    Random,
    /// The key provider has no key for this tenant.
    #[error("no key for tenant {0}")]
    NoKey(String),
    /// A key has the wrong length or could not be loaded.
    #[error("key problem: {0}")]
    BadKey(String),
}

impl CryptoError {
    /// The same message in Japanese.
    pub fn message_ja(&self) -> String {
        match self {
            CryptoError::OpenFailed => {
                "暗号化されたレコードを復号できません（鍵・団体の不一致、または改ざん）".into()
            }
            CryptoError::Malformed(what) => {
                format!("暗号化されたレコードの形式が不正です（{what}）")
            }
            CryptoError::Random => "OS の乱数生成に失敗しました".into(),
            CryptoError::NoKey(t) => format!("団体 {t} の鍵がありません"),
            CryptoError::BadKey(why) => format!("鍵に問題があります: {why}"),
        }
    }
}
