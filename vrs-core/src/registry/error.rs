//! Why a registry operation did not happen.

use crate::crypto::CryptoError;
use crate::diag::Code;
use crate::store::StoreError;

use super::import::ImportOutcome;

/// Why an operation was refused or failed. A refused or failed operation changes nothing (except
/// the audit entry recording it). [`RegistryError::code`] is a stable machine-readable string.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The principal may not do this (wrong role, wrong tenant, unregistered user).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The tenant does not exist in this registry.
    #[error("tenant {0} does not exist in this registry")]
    UnknownTenant(String),
    /// The tenant exists already.
    #[error("tenant {0} exists already")]
    TenantExists(String),
    /// The key supplied by the key provider is not the one the data was written with (checked
    /// against a stored key check value): `tenant 131016`, `tenant 131016 (key version 2)`, or
    /// `the registry` (e.g. a new `master.key` beside a populated store).
    #[error("the key supplied for {0} does not open its data")]
    WrongKey(String),
    /// No subject, voucher or user with that identifier.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request contradicts stored data (voucher bound to another subject, My Number bound to
    /// another addressee number, a different dose already recorded...).
    #[error("conflict ({code}): {message}")]
    Conflict {
        /// The rule, as in the diagnostics catalogue (V02, N03, S03...).
        code: Code,
        /// English explanation (names no personal data).
        message: String,
    },
    /// A rule of the domain forbids it (L01 dose after death, D02 future date, T03 unknown
    /// manufacturer...).
    #[error("rule {code}: {message}")]
    Rule {
        /// The rule, as in the diagnostics catalogue.
        code: Code,
        /// English explanation (names no personal data).
        message: String,
    },
    /// An argument is malformed (not a file problem: those are diagnostics).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The staff user quota of the tenant is used up.
    #[error("tenant {tenant} already has {quota} staff user IDs (the quota)")]
    QuotaExceeded {
        /// The tenant.
        tenant: String,
        /// Its quota.
        quota: usize,
    },
    /// A strict import found problems and imported nothing; the outcome lists them.
    #[error("the file has {} rejected row(s); nothing was imported (strict mode)", .0.rejected)]
    ImportRejected(Box<ImportOutcome>),
    /// A stored record could not be decoded (written by a newer library, or corrupt).
    #[error("a stored record is unreadable: {0}")]
    Corrupt(String),
    /// Sealing or opening failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// Stored data failed an integrity check: a record that does not open under the right key,
    /// records missing, added, swapped or put back at an older version, an audit chain erased
    /// or rolled back, the whole store rolled back. The message names the tenant, record kind
    /// and pseudonymous record key concerned, never personal data. The registry refuses to
    /// serve data that fails its checks; [`super::Registry::verify_store`] lists every finding.
    #[error("integrity check failed: {0}")]
    Tampered(String),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
    /// Writing an export failed.
    #[error("export failed: {0}")]
    Export(String),
}

impl From<StoreError> for RegistryError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Tampered(what) => RegistryError::Tampered(what),
            other => RegistryError::Store(other),
        }
    }
}

impl RegistryError {
    /// A stable code: `forbidden`, `unknown_tenant`, `tenant_exists`, `wrong_key`, `not_found`,
    /// `conflict`, `rule`, `invalid_input`, `quota_exceeded`, `import_rejected`, `corrupt`,
    /// `crypto`, `store`, `export`, `tampered`.
    pub fn code(&self) -> &'static str {
        match self {
            RegistryError::Forbidden(_) => "forbidden",
            RegistryError::UnknownTenant(_) => "unknown_tenant",
            RegistryError::TenantExists(_) => "tenant_exists",
            RegistryError::WrongKey(_) => "wrong_key",
            RegistryError::NotFound(_) => "not_found",
            RegistryError::Conflict { .. } => "conflict",
            RegistryError::Rule { .. } => "rule",
            RegistryError::InvalidInput(_) => "invalid_input",
            RegistryError::QuotaExceeded { .. } => "quota_exceeded",
            RegistryError::ImportRejected(_) => "import_rejected",
            RegistryError::Corrupt(_) => "corrupt",
            RegistryError::Crypto(_) => "crypto",
            RegistryError::Store(_) => "store",
            RegistryError::Export(_) => "export",
            RegistryError::Tampered(_) => "tampered",
        }
    }

    /// The diagnostics-catalogue rule behind a conflict or rule error (`"L01"`...), if any.
    pub fn rule(&self) -> Option<Code> {
        match self {
            RegistryError::Conflict { code, .. } | RegistryError::Rule { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The message in Japanese.
    pub fn message_ja(&self) -> String {
        match self {
            RegistryError::Forbidden(why) => format!("権限がありません: {}", reason_ja(why)),
            RegistryError::UnknownTenant(t) => format!("団体 {t} はこのレジストリに存在しません"),
            RegistryError::TenantExists(t) => format!("団体 {t} は既に存在します"),
            RegistryError::WrongKey(whose) => match whose.strip_prefix("tenant ") {
                Some(t) => format!("団体 {t} の鍵でデータを復号できません"),
                None => "レジストリの鍵でデータを復号できません".to_owned(),
            },
            RegistryError::NotFound(what) => format!("見つかりません: {}", reason_ja(what)),
            RegistryError::Conflict { code, .. } => {
                format!(
                    "登録済みのデータと矛盾します（{}）: {}",
                    code.as_str(),
                    code.info().title_ja
                )
            }
            RegistryError::Rule { code, .. } => {
                format!(
                    "規則 {} に反します: {}",
                    code.as_str(),
                    code.info().title_ja
                )
            }
            RegistryError::InvalidInput(why) => format!("入力が不正です: {why}"),
            RegistryError::QuotaExceeded { tenant, quota } => {
                format!("団体 {tenant} の職員ユーザIDは上限の {quota} 件に達しています")
            }
            RegistryError::ImportRejected(o) => format!(
                "{} 行に問題があるため、何も取り込みませんでした（厳格モード）",
                o.rejected
            ),
            RegistryError::Corrupt(why) => format!("保存済みレコードを読めません: {why}"),
            RegistryError::Crypto(e) => e.message_ja(),
            RegistryError::Store(e) => e.message_ja(),
            RegistryError::Export(why) => format!("出力に失敗しました: {why}"),
            RegistryError::Tampered(what) => {
                format!("完全性の検査に失敗しました（改ざんの疑い）: {what}")
            }
        }
    }
}

/// The Japanese for the registry's fixed English reasons (anything else is shown as is).
fn reason_ja(en: &str) -> &str {
    match en {
        "only the operator may do this" => "運用保守事業者のみが行えます",
        "only the operator creates tenants" => "団体の作成は運用保守事業者のみが行えます",
        "only the operator runs maintenance" => "保守作業は運用保守事業者のみが行えます",
        "the operator sees no statistics" => "運用保守事業者は統計を閲覧できません",
        "a venue tablet may register doses only for its own municipality" => {
            "接種会場のタブレットは自団体の接種券の接種のみ登録できます"
        }
        "only the municipality's staff may do this" => "当該市区町村の職員のみが行えます",
        "only the operator or the municipality's staff may do this" => {
            "運用保守事業者または当該市区町村の職員のみが行えます"
        }
        "staff may act only on their own municipality" => "職員は自団体のデータのみ扱えます",
        "the user ID is not registered for this municipality" => {
            "このユーザIDは当該市区町村に登録されていません"
        }
        "no subject with this addressee number" => "この宛名番号の接種対象者はいません",
        "no such voucher" => "この券番号の接種券はありません",
        "the voucher has no registered subject" => "この接種券には接種対象者が登録されていません",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_messages_translate_the_fixed_reasons() {
        let e = RegistryError::Forbidden("staff may act only on their own municipality".into());
        assert_eq!(
            e.message_ja(),
            "権限がありません: 職員は自団体のデータのみ扱えます"
        );
        let e = RegistryError::NotFound("no such voucher".into());
        assert_eq!(
            e.message_ja(),
            "見つかりません: この券番号の接種券はありません"
        );
        assert_eq!(e.code(), "not_found");
    }
}
