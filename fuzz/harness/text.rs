//! The encoding detector and the strict text codecs of `vrs_core::text`.
//!
//! Input: one byte choosing chunk sizes ([`Chunks`]), then the bytes. Checked: the streaming
//! [`EncodingDetector`] fed in chunks agrees with [`detect`]; the verdict agrees with strict
//! decoding in each encoding (offsets included); CP932 text encodes back to itself; what cannot
//! be encoded is named exactly; the width helpers keep their documented promises.

use vrs_core::text::{
    char_count, cp932_byte_len, cp932_suggestion, decode_strict, detect, encode_strict,
    first_control_char, fold_slash, fold_width, halfwidth_katakana_to_fullwidth, is_ascii_digits,
    is_cp932_encodable, is_katakana_name, normalize_digits, Detection, Encoding, EncodingDetector,
    TextError, CP932_NON_ROUND_TRIP, UTF8_BOM,
};

use crate::input::{Chunks, Input};

/// The fuzz target body.
pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let mut chunker = Chunks::new(input.byte());
    let bytes = input.rest();

    let verdict = detect(bytes);
    let mut detector = EncodingDetector::new();
    for chunk in chunker.split(bytes) {
        detector.feed(chunk);
    }
    assert_eq!(detector.bytes_seen(), bytes.len() as u64);
    assert_eq!(
        detector.finish(),
        verdict,
        "streamed detection against detect"
    );

    let utf8 = std::str::from_utf8(bytes);
    let cp932 = decode_strict(bytes, Encoding::Cp932);
    let bom = bytes.starts_with(&UTF8_BOM);
    match &verdict {
        Ok(Detection {
            encoding: Encoding::Utf8,
            bom: b,
        }) => {
            assert_eq!(*b, bom);
            assert!(utf8.is_ok());
        }
        Ok(Detection {
            encoding: Encoding::Cp932,
            bom: b,
        }) => {
            assert!(!b && !bom && utf8.is_err() && cp932.is_ok());
        }
        Err(TextError::BomThenInvalidUtf8 { offset }) => {
            assert!(bom);
            let at = utf8.as_ref().err().map(|e| e.valid_up_to() as u64);
            assert_eq!(at, Some(*offset));
        }
        Err(TextError::NotUtf8NorCp932 {
            utf8_offset,
            cp932_offset,
        }) => {
            assert!(!bom);
            let at = utf8.as_ref().err().map(|e| e.valid_up_to() as u64);
            assert_eq!(at, Some(*utf8_offset));
            assert_eq!(
                cp932.as_ref().err(),
                Some(&TextError::InvalidBytes {
                    encoding: Encoding::Cp932,
                    offset: *cp932_offset
                })
            );
        }
        Err(other) => panic!("detect gave {other:?}"),
    }
    if let Err(e) = &verdict {
        let _ = (e.to_string(), e.message_ja());
    }

    if let Ok(text) = &cp932 {
        cp932_text(text);
        helpers(text);
    }
    if let Ok(text) = utf8 {
        utf8_text(text);
        helpers(text);
    }
}

/// Text decoded from CP932 encodes back to the same text, except the user-defined area
/// (外字, decoded to private-use characters that cannot be encoded back).
fn cp932_text(text: &str) {
    match encode_strict(text, Encoding::Cp932) {
        Ok(bytes) => {
            assert_eq!(cp932_byte_len(text), Some(bytes.len()));
            let back = decode_strict(&bytes, Encoding::Cp932);
            assert_eq!(back.as_deref(), Ok(text), "CP932 text does not round-trip");
        }
        Err(TextError::Unencodable { ch, .. }) => {
            assert!(
                ('\u{E000}'..='\u{E757}').contains(&ch),
                "{ch:?} decoded from CP932 cannot be encoded"
            );
            assert_eq!(cp932_byte_len(text), None);
        }
        Err(other) => panic!("encode gave {other:?}"),
    }
}

/// Any text: CP932 either holds it (and gives it back, up to the documented non-round-trip
/// characters) or names the first character it cannot hold, exactly.
fn utf8_text(text: &str) {
    match encode_strict(text, Encoding::Cp932) {
        Ok(bytes) => {
            assert_eq!(cp932_byte_len(text), Some(bytes.len()));
            let expected: String = text
                .chars()
                .map(|c| {
                    CP932_NON_ROUND_TRIP
                        .iter()
                        .find(|(from, _)| *from == c)
                        .map_or(c, |&(_, to)| to)
                })
                .collect();
            let back = decode_strict(&bytes, Encoding::Cp932);
            assert_eq!(back.as_deref(), Ok(expected.as_str()));
        }
        Err(
            ref e @ TextError::Unencodable {
                ch,
                position,
                byte_offset,
                encoding,
            },
        ) => {
            assert_eq!(encoding, Encoding::Cp932);
            assert!(text[byte_offset..].starts_with(ch), "byte offset of {ch:?}");
            assert_eq!(
                text.chars().nth(position - 1),
                Some(ch),
                "position of {ch:?}"
            );
            assert!(!is_cp932_encodable(ch));
            assert!(text[..byte_offset].chars().all(is_cp932_encodable));
            assert_eq!(cp932_byte_len(text), None);
            if let Some(alike) = cp932_suggestion(ch) {
                assert!(is_cp932_encodable(alike));
            }
            let _ = (e.to_string(), e.message_ja());
        }
        Err(other) => panic!("encode gave {other:?}"),
    }
}

/// The width and character-class helpers.
fn helpers(text: &str) {
    assert_eq!(char_count(text), text.chars().count());
    assert_eq!(
        is_ascii_digits(text),
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
    );
    if let Some(digits) = normalize_digits(text) {
        assert!(is_ascii_digits(&digits) && digits.chars().count() == char_count(text));
    }
    let _ = (fold_width(text), fold_slash(text), is_katakana_name(text));
    let kana = halfwidth_katakana_to_fullwidth(text);
    if cp932_byte_len(text).is_some() {
        assert!(
            cp932_byte_len(&kana).is_some(),
            "half-width kana made full-width is no longer CP932"
        );
    }
    if let Some((position, c)) = first_control_char(text) {
        assert_eq!(text.chars().nth(position - 1), Some(c));
        assert!(text
            .chars()
            .take(position - 1)
            .all(|c| !c.is_control() && c != '\u{FEFF}'));
    }
}
