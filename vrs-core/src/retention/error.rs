//! Errors of the `retention` module.

/// Why a retention policy document was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RetentionError {
    /// The JSON could not be read (syntax, a missing or unknown field, a wrong type, a bad date).
    #[error("the retention policy could not be read: {message}")]
    Json {
        /// The JSON reader's explanation (with line and column).
        message: String,
    },
    /// A field of the policy itself is unusable.
    #[error("the retention policy is invalid: {0}")]
    InvalidPolicy(String),
    /// A rule is unusable.
    #[error("rules[{index}]: {problem}")]
    InvalidRule {
        /// Index of the rule, counted from 0.
        index: usize,
        /// What is wrong with it.
        problem: String,
    },
}

impl RetentionError {
    /// The same message as `Display`, in Japanese.
    pub fn message_ja(&self) -> String {
        match self {
            RetentionError::Json { message } => {
                format!("保存期間の規則（JSON）を読み込めません: {message}")
            }
            RetentionError::InvalidPolicy(p) => format!("保存期間の規則が不正です: {p}"),
            RetentionError::InvalidRule { index, problem } => {
                format!("保存期間の規則 rules[{index}] が不正です: {problem}")
            }
        }
    }
}
