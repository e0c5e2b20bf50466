//! The text layer of VRS exchange files: strict encodings and width normalisation.
//!
//! VRS exchange files are read as UTF-8 (with or without a byte order mark) or CP932
//! (Windows-31J, "Windows `Shift_JIS`") and written as UTF-8 without BOM or, on request, CP932
//! (domain reference §6.1). Everything here is **strict**: invalid bytes and characters that
//! cannot be written are errors carrying their position, never silently replaced.
//!
//! * [`EncodingDetector`] / [`detect`]: decide the encoding of a whole stream, chunk by chunk.
//! * [`decode_strict`], [`encode_strict`], [`encode_into`]: per-field or per-line conversion.
//! * [`fold_to_cp932`]: brings a value into the common repertoire of UTF-8 and CP932 for storing
//!   (folds the JIS/Microsoft mapping differences, [`CP932_MAPPING_DIFFERENCES`], and refuses
//!   what CP932 cannot hold, suggesting [`cp932_replacement`]).
//! * [`fold_width`], [`fold_slash`], [`normalize_digits`], [`halfwidth_katakana_to_fullwidth`]
//!   and the predicates next to them: width normalisation for codes, lot numbers and names.
//!
//! The functions are meant for hot loops over millions of rows: they take fast paths for ASCII
//! and return [`Cow::Borrowed`](std::borrow::Cow::Borrowed) when nothing changes.
//!
//! CP932 is implemented with `encoding_rs`'s `SHIFT_JIS`, which is the WHATWG `Shift_JIS`
//! (the Windows-31J repertoire: JIS X 0208, NEC row 13, NEC-selected and IBM extensions).
//! Two facts of that mapping matter to callers:
//!
//! * a few characters are encodable but do not come back unchanged: U+00A5 `¥` (written as
//!   0x5C, read back as `\`), U+203E `‾` (0x7E, read back as `~`) and U+2212 `−` MINUS SIGN
//!   (written as 0x817C, read back as U+FF0D `－`); see [`CP932_NON_ROUND_TRIP`];
//! * the user-defined area 0xF040–0xF9FC (外字, EUDC) decodes to the private use characters
//!   U+E000–U+E757, but those cannot be encoded back to CP932.
//!
//! ```
//! use vrs_core::text::{detect, decode_strict, encode_strict, Encoding};
//!
//! let bytes = encode_strict("山田太郎", Encoding::Cp932)?;
//! let detection = detect(&bytes)?;
//! assert_eq!(detection.encoding, Encoding::Cp932);
//! assert_eq!(decode_strict(&bytes, detection.encoding)?, "山田太郎");
//! # Ok::<(), vrs_core::text::TextError>(())
//! ```

mod codec;
mod detect;
mod error;
mod repertoire;
mod width;

pub use codec::{
    cp932_byte_len, cp932_suggestion, decode_strict, encode_into, encode_strict,
    is_cp932_encodable, CP932_NON_ROUND_TRIP,
};
pub use detect::{detect, EncodingDetector};
pub use error::TextError;
pub use repertoire::{
    cp932_replacement, fold_to_cp932, MappingDifference, CP932_MAPPING_DIFFERENCES,
};
pub use width::{
    char_count, first_control_char, fold_slash, fold_width, halfwidth_katakana_to_fullwidth,
    is_ascii_digits, is_katakana_name, normalize_digits,
};

use std::fmt;
use std::str::FromStr;

/// The UTF-8 byte order mark, `EF BB BF`.
pub const UTF8_BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Splits a leading UTF-8 byte order mark off `bytes`.
///
/// Returns the bytes after the BOM and whether there was one. Detection reports the BOM in
/// [`Detection::bom`]; a reader uses this to skip it before splitting lines.
///
/// ```
/// use vrs_core::text::strip_utf8_bom;
///
/// assert_eq!(strip_utf8_bom(b"\xEF\xBB\xBFabc"), (&b"abc"[..], true));
/// assert_eq!(strip_utf8_bom(b"abc"), (&b"abc"[..], false));
/// ```
#[must_use]
pub fn strip_utf8_bom(bytes: &[u8]) -> (&[u8], bool) {
    match bytes.strip_prefix(&UTF8_BOM[..]) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    }
}

/// A file encoding.
///
/// Parses case-insensitively from `utf-8`, `utf8`, `cp932`, `windows-31j`, `shift_jis`,
/// `shift-jis`, `sjis` and `ms932` (surrounding whitespace is ignored); displays as its
/// [`name`](Encoding::name).
///
/// ```
/// use vrs_core::text::Encoding;
///
/// let e: Encoding = "Windows-31J".parse()?;
/// assert_eq!(e, Encoding::Cp932);
/// assert_eq!(e.to_string(), "cp932");
/// assert!("latin1".parse::<Encoding>().is_err());
/// # Ok::<(), vrs_core::text::TextError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// UTF-8 (on input optionally preceded by a byte order mark).
    Utf8,
    /// CP932 / Windows-31J, Microsoft's `Shift_JIS`.
    Cp932,
}

impl Encoding {
    /// The canonical lower-case name: `"utf-8"` or `"cp932"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Cp932 => "cp932",
        }
    }

    /// The name as written in prose and messages: `"UTF-8"` or `"CP932"`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Cp932 => "CP932",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Matches a name (already trimmed) against the accepted spellings, case-insensitively.
fn parse_encoding_name(name: &str) -> Option<Encoding> {
    const UTF8_NAMES: [&str; 2] = ["utf-8", "utf8"];
    const CP932_NAMES: [&str; 6] = [
        "cp932",
        "windows-31j",
        "shift_jis",
        "shift-jis",
        "sjis",
        "ms932",
    ];
    if UTF8_NAMES.iter().any(|n| n.eq_ignore_ascii_case(name)) {
        Some(Encoding::Utf8)
    } else if CP932_NAMES.iter().any(|n| n.eq_ignore_ascii_case(name)) {
        Some(Encoding::Cp932)
    } else {
        None
    }
}

impl FromStr for Encoding {
    type Err = TextError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_encoding_name(s.trim()).ok_or_else(|| TextError::unknown_encoding(s))
    }
}

/// The encoding a caller asked for: a fixed one or automatic detection.
///
/// Parses from `auto` or any name [`Encoding`] accepts (case-insensitive).
///
/// ```
/// use vrs_core::text::{Encoding, EncodingChoice};
///
/// assert_eq!("AUTO".parse::<EncodingChoice>()?, EncodingChoice::Auto);
/// assert_eq!("sjis".parse::<EncodingChoice>()?.encoding(), Some(Encoding::Cp932));
/// assert_eq!(EncodingChoice::default(), EncodingChoice::Auto);
/// # Ok::<(), vrs_core::text::TextError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EncodingChoice {
    /// Detect the encoding with [`EncodingDetector`].
    #[default]
    Auto,
    /// The input is UTF-8 (a leading BOM is allowed).
    Utf8,
    /// The input is CP932.
    Cp932,
}

impl EncodingChoice {
    /// The fixed encoding, or `None` for [`EncodingChoice::Auto`].
    #[must_use]
    pub fn encoding(self) -> Option<Encoding> {
        match self {
            EncodingChoice::Auto => None,
            EncodingChoice::Utf8 => Some(Encoding::Utf8),
            EncodingChoice::Cp932 => Some(Encoding::Cp932),
        }
    }

    /// The canonical name: `"auto"`, `"utf-8"` or `"cp932"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self.encoding() {
            None => "auto",
            Some(e) => e.name(),
        }
    }
}

impl From<Encoding> for EncodingChoice {
    fn from(e: Encoding) -> Self {
        match e {
            Encoding::Utf8 => EncodingChoice::Utf8,
            Encoding::Cp932 => EncodingChoice::Cp932,
        }
    }
}

impl fmt::Display for EncodingChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for EncodingChoice {
    type Err = TextError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim();
        if name.eq_ignore_ascii_case("auto") {
            return Ok(EncodingChoice::Auto);
        }
        parse_encoding_name(name)
            .map(EncodingChoice::from)
            .ok_or_else(|| TextError::unknown_encoding(s))
    }
}

/// The result of detection: the encoding and whether the input started with a UTF-8 BOM.
///
/// `bom` is only ever `true` together with [`Encoding::Utf8`].
///
/// ```
/// use vrs_core::text::{detect, Detection, Encoding};
///
/// let d = detect(b"\xEF\xBB\xBFcode,name\r\n")?;
/// assert_eq!(d, Detection { encoding: Encoding::Utf8, bom: true });
/// assert_eq!(d.body_offset(), 3);
/// # Ok::<(), vrs_core::text::TextError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    /// The detected encoding.
    pub encoding: Encoding,
    /// Whether the input starts with a UTF-8 byte order mark.
    pub bom: bool,
}

impl Detection {
    /// Where the content starts: 3 after a BOM, else 0.
    #[must_use]
    pub fn body_offset(&self) -> usize {
        if self.bom {
            UTF8_BOM.len()
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_names_parse_case_insensitively() {
        for n in ["utf-8", "utf8", "UTF-8", "Utf8", " utf-8 "] {
            assert_eq!(n.parse::<Encoding>(), Ok(Encoding::Utf8), "{n}");
        }
        for n in [
            "cp932",
            "CP932",
            "windows-31j",
            "Windows-31J",
            "shift_jis",
            "Shift_JIS",
            "sjis",
            "SJIS",
            "ms932",
            "shift-jis",
        ] {
            assert_eq!(n.parse::<Encoding>(), Ok(Encoding::Cp932), "{n}");
        }
        assert_eq!(
            "auto".parse::<Encoding>(),
            Err(TextError::UnknownEncoding {
                name: "auto".to_owned()
            })
        );
        assert!("".parse::<Encoding>().is_err());
        assert!("euc-jp".parse::<Encoding>().is_err());
    }

    #[test]
    fn encoding_display_is_name() {
        assert_eq!(Encoding::Utf8.to_string(), "utf-8");
        assert_eq!(Encoding::Cp932.to_string(), "cp932");
        assert_eq!(Encoding::Cp932.label(), "CP932");
        for e in [Encoding::Utf8, Encoding::Cp932] {
            assert_eq!(e.to_string().parse::<Encoding>(), Ok(e));
        }
    }

    #[test]
    fn encoding_choice_parses() {
        assert_eq!("auto".parse(), Ok(EncodingChoice::Auto));
        assert_eq!("Auto".parse(), Ok(EncodingChoice::Auto));
        assert_eq!("UTF8".parse(), Ok(EncodingChoice::Utf8));
        assert_eq!("windows-31j".parse(), Ok(EncodingChoice::Cp932));
        assert!(matches!(
            "latin-1".parse::<EncodingChoice>(),
            Err(TextError::UnknownEncoding { name }) if name == "latin-1"
        ));
        for c in [
            EncodingChoice::Auto,
            EncodingChoice::Utf8,
            EncodingChoice::Cp932,
        ] {
            assert_eq!(c.to_string().parse::<EncodingChoice>(), Ok(c));
        }
        assert_eq!(EncodingChoice::Auto.encoding(), None);
        assert_eq!(
            EncodingChoice::from(Encoding::Cp932).encoding(),
            Some(Encoding::Cp932)
        );
    }

    #[test]
    fn bom_stripping() {
        assert_eq!(strip_utf8_bom(b""), (&b""[..], false));
        assert_eq!(strip_utf8_bom(b"\xEF\xBB"), (&b"\xEF\xBB"[..], false));
        assert_eq!(strip_utf8_bom(b"\xEF\xBB\xBF"), (&b""[..], true));
        let d = Detection {
            encoding: Encoding::Cp932,
            bom: false,
        };
        assert_eq!(d.body_offset(), 0);
    }
}
