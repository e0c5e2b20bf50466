//! Errors of the text layer.

use super::Encoding;

/// Longest encoding name kept in [`TextError::UnknownEncoding`], in characters.
const MAX_NAME_CHARS: usize = 64;

/// Why bytes could not be read or text could not be written.
///
/// Offsets are 0-based byte offsets into the input that was examined (for detection: the whole
/// stream, BOM included); positions are 1-based character positions.
///
/// ```
/// use vrs_core::text::{encode_strict, Encoding, TextError};
///
/// let err = encode_strict("A-〜", Encoding::Cp932).unwrap_err();
/// assert_eq!(
///     err,
///     TextError::Unencodable { ch: '〜', position: 3, byte_offset: 2, encoding: Encoding::Cp932 }
/// );
/// assert_eq!(err.to_string(), "character '〜' (U+301C) at position 3 cannot be written in cp932");
/// assert_eq!(err.message_ja(), "3文字目の「〜」(U+301C) は cp932 で書き出せない文字です");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// The bytes are not valid in the given encoding; `offset` is where the first invalid
    /// sequence starts.
    #[error("not valid {} at byte {offset}", encoding.label())]
    InvalidBytes {
        /// The encoding the bytes were decoded as.
        encoding: Encoding,
        /// 0-based byte offset of the first invalid sequence.
        offset: u64,
    },
    /// Detection failed: the input is valid in neither encoding.
    #[error(
        "the input is neither valid UTF-8 (first invalid byte at offset {utf8_offset}) \
         nor valid CP932 (first invalid byte at offset {cp932_offset})"
    )]
    NotUtf8NorCp932 {
        /// 0-based byte offset of the first sequence that is not valid UTF-8.
        utf8_offset: u64,
        /// 0-based byte offset of the first sequence that is not valid CP932.
        cp932_offset: u64,
    },
    /// The input starts with a UTF-8 byte order mark (which promises UTF-8) but is not valid
    /// UTF-8 further on.
    #[error(
        "the input starts with a UTF-8 byte order mark but is not valid UTF-8 at byte {offset}"
    )]
    BomThenInvalidUtf8 {
        /// 0-based byte offset (BOM included) of the first invalid UTF-8 sequence.
        offset: u64,
    },
    /// A character cannot be represented in the target encoding.
    #[error(
        "character '{ch}' (U+{:04X}) at position {position} cannot be written in {encoding}",
        u32::from(*ch)
    )]
    Unencodable {
        /// The character.
        ch: char,
        /// 1-based character position in the text being encoded.
        position: usize,
        /// 0-based byte offset of the character in the UTF-8 text being encoded.
        byte_offset: usize,
        /// The target encoding.
        encoding: Encoding,
    },
    /// An encoding name was not recognised.
    #[error("unknown encoding \"{name}\" (supported: auto, utf-8, cp932)")]
    UnknownEncoding {
        /// The name as given (cut to 64 characters).
        name: String,
    },
}

impl TextError {
    /// The same message in natural Japanese, for end users.
    #[must_use]
    pub fn message_ja(&self) -> String {
        match self {
            TextError::InvalidBytes { encoding, offset } => format!(
                "{offset}バイト目（0始まり）に {} として不正なバイト列があります",
                encoding.label()
            ),
            TextError::NotUtf8NorCp932 {
                utf8_offset,
                cp932_offset,
            } => format!(
                "文字コードを判定できません。UTF-8 としては{utf8_offset}バイト目、\
                 CP932（Shift_JIS）としては{cp932_offset}バイト目（いずれも0始まり）に不正なバイト列があります"
            ),
            TextError::BomThenInvalidUtf8 { offset } => format!(
                "ファイルは UTF-8 の BOM で始まっていますが、{offset}バイト目（0始まり）に \
                 UTF-8 として不正なバイト列があります"
            ),
            TextError::Unencodable {
                ch,
                position,
                encoding,
                ..
            } => format!(
                "{position}文字目の「{ch}」(U+{:04X}) は {encoding} で書き出せない文字です",
                u32::from(*ch)
            ),
            TextError::UnknownEncoding { name } => format!(
                "文字コード「{name}」には対応していません（auto、utf-8、cp932 のいずれかを指定してください）"
            ),
        }
    }

    /// Builds [`TextError::UnknownEncoding`], keeping at most 64 characters of the name.
    pub(crate) fn unknown_encoding(name: &str) -> TextError {
        let name = match name.char_indices().nth(MAX_NAME_CHARS) {
            Some((cut, _)) => name.get(..cut).unwrap_or(name),
            None => name,
        };
        TextError::UnknownEncoding {
            name: name.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_messages() {
        let e = TextError::InvalidBytes {
            encoding: Encoding::Utf8,
            offset: 17,
        };
        assert_eq!(e.to_string(), "not valid UTF-8 at byte 17");
        let e = TextError::InvalidBytes {
            encoding: Encoding::Cp932,
            offset: 0,
        };
        assert_eq!(e.to_string(), "not valid CP932 at byte 0");
        let e = TextError::NotUtf8NorCp932 {
            utf8_offset: 4,
            cp932_offset: 9,
        };
        assert_eq!(
            e.to_string(),
            "the input is neither valid UTF-8 (first invalid byte at offset 4) \
             nor valid CP932 (first invalid byte at offset 9)"
        );
        let e = TextError::BomThenInvalidUtf8 { offset: 3 };
        assert_eq!(
            e.to_string(),
            "the input starts with a UTF-8 byte order mark but is not valid UTF-8 at byte 3"
        );
        let e = TextError::Unencodable {
            ch: '〜',
            position: 3,
            byte_offset: 2,
            encoding: Encoding::Cp932,
        };
        assert_eq!(
            e.to_string(),
            "character '〜' (U+301C) at position 3 cannot be written in cp932"
        );
        let e = TextError::unknown_encoding("latin1");
        assert_eq!(
            e.to_string(),
            "unknown encoding \"latin1\" (supported: auto, utf-8, cp932)"
        );
    }

    #[test]
    fn japanese_messages() {
        let e = TextError::InvalidBytes {
            encoding: Encoding::Utf8,
            offset: 17,
        };
        assert_eq!(
            e.message_ja(),
            "17バイト目（0始まり）に UTF-8 として不正なバイト列があります"
        );
        let e = TextError::NotUtf8NorCp932 {
            utf8_offset: 4,
            cp932_offset: 9,
        };
        assert!(e.message_ja().contains("UTF-8 としては4バイト目"));
        assert!(e.message_ja().contains("9バイト目"));
        let e = TextError::BomThenInvalidUtf8 { offset: 3 };
        assert!(e.message_ja().contains("BOM"));
        assert!(e.message_ja().contains("3バイト目"));
        let e = TextError::Unencodable {
            ch: '〜',
            position: 3,
            byte_offset: 2,
            encoding: Encoding::Cp932,
        };
        assert_eq!(
            e.message_ja(),
            "3文字目の「〜」(U+301C) は cp932 で書き出せない文字です"
        );
        let e = TextError::unknown_encoding("latin1");
        assert!(e.message_ja().contains("「latin1」"));
    }

    #[test]
    fn unknown_encoding_name_is_capped() {
        let long = "あ".repeat(100);
        match TextError::unknown_encoding(&long) {
            TextError::UnknownEncoding { name } => {
                assert_eq!(name.chars().count(), 64);
                assert!(long.starts_with(&name));
            }
            other => panic!("unexpected {other:?}"),
        }
        match TextError::unknown_encoding("x") {
            TextError::UnknownEncoding { name } => assert_eq!(name, "x"),
            other => panic!("unexpected {other:?}"),
        }
    }
}
