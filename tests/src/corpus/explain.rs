//! The first difference between the bytes a conformant writer produces and a vendor's file,
//! located (line, field, character column, byte offset) and explained: the likely cause, in
//! English and Japanese. Values that could be a My Number are never shown.

use vrs_core::diag::display_value;
use vrs_core::text::{
    decode_strict, halfwidth_katakana_to_fullwidth, normalize_digits, Encoding, UTF8_BOM,
};

/// Why the bytes differ, as far as can be told.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cause {
    /// The vendor's file starts with a UTF-8 BOM where none is allowed.
    BomNotAllowed,
    /// The file should start with a UTF-8 BOM (the case asks for one) but does not.
    BomMissing,
    /// UTF-8 bytes where CP932 is required.
    Utf8WhereCp932,
    /// CP932 bytes where UTF-8 is required.
    Cp932WhereUtf8,
    /// Bytes that are not valid in the required encoding at all.
    InvalidBytes {
        /// The required encoding.
        encoding: &'static str,
    },
    /// A bare LF where CRLF is required.
    LfWhereCrlf,
    /// A bare CR where CRLF is required.
    CrWhereCrlf,
    /// The last row lacks its CRLF.
    MissingFinalLineEnd,
    /// Empty lines after the last row.
    TrailingEmptyLines,
    /// Rows missing at the end.
    MissingRows,
    /// Rows after the expected end.
    ExtraRows,
    /// The same text with other CP932 codes: NEC-selected IBM extensions (lead byte ED/EE)
    /// instead of the IBM extensions (FA-FC).
    NecSelected {
        /// The character.
        ch: char,
        /// Expected bytes.
        expected: Vec<u8>,
        /// Found bytes.
        found: Vec<u8>,
    },
    /// The same text with other CP932 codes (another duplicate code of the character).
    OtherCp932Code {
        /// The character.
        ch: char,
        /// Expected bytes.
        expected: Vec<u8>,
        /// Found bytes.
        found: Vec<u8>,
    },
    /// A JIS-mapping look-alike (WAVE DASH U+301C for FULLWIDTH TILDE U+FF5E, and the like).
    JisLookalike {
        /// The character found.
        found: char,
        /// The character expected.
        expected: char,
    },
    /// The line has another number of fields: a column added or dropped.
    ShiftedColumn {
        /// Fields expected.
        expected_fields: usize,
        /// Fields found.
        found_fields: usize,
        /// `Some(true)`: a field was inserted at the reported field; `Some(false)`: one was
        /// dropped there; `None`: unclear.
        inserted: Option<bool>,
    },
    /// The same value, quoted differently.
    Quoting,
    /// Leading zeros dropped (a code stored as a number: `11002` for `011002`).
    LeadingZerosDropped,
    /// A number in Excel's exponent form (`1.31016E+05`).
    ExcelExponent,
    /// A code written as a decimal number (`131016.0`).
    DecimalNumber,
    /// A date reformatted (`2021/6/1` for `20210601`).
    DateReformatted,
    /// Full-width digits where ASCII digits are required.
    FullWidthDigits,
    /// Half-width katakana where full-width is written.
    HalfWidthKana,
    /// The header row differs.
    Header,
    /// Another value.
    Value,
}

/// Uppercase hex of bytes, space-separated.
fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Cause {
    /// The likely cause in English.
    pub fn en(&self) -> String {
        match self {
            Cause::BomNotAllowed => "a UTF-8 byte-order mark (EF BB BF) where none is allowed: write UTF-8 without BOM (Excel's \"CSV UTF-8\" and .NET's default UTF8Encoding add one)".into(),
            Cause::BomMissing => "the UTF-8 byte-order mark this case asks for is missing".into(),
            Cause::Utf8WhereCp932 => "the file is UTF-8 where CP932 (Windows-31J) is required: the writer used the wrong encoding".into(),
            Cause::Cp932WhereUtf8 => "the file is CP932 (Shift_JIS) where UTF-8 is required: the writer used the wrong encoding".into(),
            Cause::InvalidBytes { encoding } => format!("bytes that are not valid {encoding}: a broken or mixed encoding"),
            Cause::LfWhereCrlf => "LF where CRLF is required: every row ends with CR LF (a Unix-style writer, or Python's csv module with lineterminator='\\n')".into(),
            Cause::CrWhereCrlf => "a bare CR where CRLF is required (an old Mac-style line end)".into(),
            Cause::MissingFinalLineEnd => "the last row has no CRLF: every row, the last included, ends with CR LF".into(),
            Cause::TrailingEmptyLines => "empty lines after the last row: the file ends right after the last row's CRLF".into(),
            Cause::MissingRows => "rows are missing at the end of the file".into(),
            Cause::ExtraRows => "rows after the last expected row".into(),
            Cause::NecSelected { ch, expected, found } => format!(
                "CP932 written with NEC-selected IBM extension codes: {ch} as {} where a conformant writer (Windows, WHATWG/encoding_rs, libvrs) writes {}; Python's cp932 codec maps {ch} this way. Both decode to the same text, but the bytes differ",
                hex(found), hex(expected)),
            Cause::OtherCp932Code { ch, expected, found } => format!(
                "{ch} written as CP932 {} where a conformant writer writes {} (a duplicate code of the same character, e.g. NEC row 13 instead of JIS row 2)",
                hex(found), hex(expected)),
            Cause::JisLookalike { found, expected } if is_microsoft_side(*found) => format!(
                "{found} (U+{:04X}) where the data holds {expected} (U+{:04X}): the text went through CP932 with the Microsoft mapping (Windows, Excel), which has no {expected}",
                u32::from(*found), u32::from(*expected)),
            Cause::JisLookalike { found, expected } => format!(
                "{found} (U+{:04X}) where the data holds {expected} (U+{:04X}): a JIS-mapping converter (EUC-JP/ISO-2022-JP tools, a Mac, Java's SJIS) changed the character",
                u32::from(*found), u32::from(*expected)),
            Cause::ShiftedColumn { expected_fields, found_fields, inserted } => {
                let how = match inserted {
                    Some(true) => " — a field was inserted here",
                    Some(false) => " — a field is missing here",
                    None => "",
                };
                format!("shifted column: the line has {found_fields} fields where the layout has {expected_fields}{how} (an unquoted comma, or a column added or dropped)")
            }
            Cause::Quoting => "the same value, quoted differently: a conformant writer quotes a field only when it holds a comma, a double quote, CR or LF".into(),
            Cause::LeadingZerosDropped => "leading zeros dropped: the code was stored or exported as a number (Excel turns 011002 into 11002); keep codes as text".into(),
            Cause::ExcelExponent => "a number in exponent form (1.31016E+05): the file went through Excel; keep codes as text".into(),
            Cause::DecimalNumber => "a code written as a decimal number (131016.0): a float column in the exporting tool (pandas, a spreadsheet)".into(),
            Cause::DateReformatted => "the date was reformatted (2021/6/1): write dates as YYYYMMDD, e.g. 20210601 (Excel reformats dates)".into(),
            Cause::FullWidthDigits => "full-width digits where ASCII digits 0-9 are required".into(),
            Cause::HalfWidthKana => "half-width katakana where full-width katakana is written".into(),
            Cause::Header => "the header row differs: it holds the layout's Japanese column names, in order".into(),
            Cause::Value => "a different value".into(),
        }
    }

    /// The likely cause in Japanese.
    pub fn ja(&self) -> String {
        match self {
            Cause::BomNotAllowed => "BOM（EF BB BF）は付けられません。BOMなしのUTF-8で出力してください（Excelの「CSV UTF-8」や.NETの既定のUTF8EncodingはBOMを付けます）".into(),
            Cause::BomMissing => "このケースで求められているUTF-8のBOMがありません".into(),
            Cause::Utf8WhereCp932 => "CP932（Windows-31J）が必要なところ、UTF-8で出力されています".into(),
            Cause::Cp932WhereUtf8 => "UTF-8が必要なところ、CP932（Shift_JIS）で出力されています".into(),
            Cause::InvalidBytes { encoding } => format!("{encoding} として正しくないバイト列があります（文字コードの破損または混在）"),
            Cause::LfWhereCrlf => "改行がLFのみです。各行はCR LFで終わる必要があります（Unix形式の出力や、Pythonのcsvでlineterminator='\\n'を指定した場合など）".into(),
            Cause::CrWhereCrlf => "改行がCRのみです。各行はCR LFで終わる必要があります".into(),
            Cause::MissingFinalLineEnd => "最終行にCR LFがありません。最終行も含め各行はCR LFで終わります".into(),
            Cause::TrailingEmptyLines => "最終行の後に空行があります。ファイルは最終行のCR LFで終わります".into(),
            Cause::MissingRows => "ファイルの末尾の行が不足しています".into(),
            Cause::ExtraRows => "期待される最終行の後に行があります".into(),
            Cause::NecSelected { ch, expected, found } => format!(
                "CP932がNEC選定IBM拡張文字のコードで書かれています。「{ch}」が {} ですが、準拠する出力（Windows、WHATWG/encoding_rs、libvrs）は {} です。Pythonのcp932コーデックはこの対応付けをします。読み込むと同じ文字ですが、バイト列が異なります",
                hex(found), hex(expected)),
            Cause::OtherCp932Code { ch, expected, found } => format!(
                "「{ch}」がCP932の {} で書かれていますが、準拠する出力は {} です（同じ文字の重複コード。例：JIS 2区ではなくNEC 13区）",
                hex(found), hex(expected)),
            Cause::JisLookalike { found, expected } if is_microsoft_side(*found) => format!(
                "データは「{expected}」(U+{:04X}) ですが「{found}」(U+{:04X}) になっています。Microsoftの対応表のCP932（Windows、Excel）を経由したため文字が変わっています（この対応表に「{expected}」はありません）",
                u32::from(*expected), u32::from(*found)),
            Cause::JisLookalike { found, expected } => format!(
                "データは「{expected}」(U+{:04X}) ですが「{found}」(U+{:04X}) になっています。JIS系の対応表による変換（EUC-JP/ISO-2022-JPのツール、Mac、JavaのSJISなど）で文字が変わっています",
                u32::from(*expected), u32::from(*found)),
            Cause::ShiftedColumn { expected_fields, found_fields, inserted } => {
                let how = match inserted {
                    Some(true) => "。ここに項目が挿入されています",
                    Some(false) => "。ここで項目が欠けています",
                    None => "",
                };
                format!("項目がずれています。レイアウトは{expected_fields}項目ですが、この行は{found_fields}項目です{how}（引用符なしのカンマ、または項目の追加・欠落）")
            }
            Cause::Quoting => "値は同じですが引用符の付け方が異なります。準拠する出力は、カンマ・二重引用符・CR・LFを含む項目だけを引用符で囲みます".into(),
            Cause::LeadingZerosDropped => "先頭の0が落ちています。コードが数値として保存・出力されています（Excelは011002を11002にします）。コードは文字列として扱ってください".into(),
            Cause::ExcelExponent => "数値が指数形式（1.31016E+05）になっています。Excelを経由しています。コードは文字列として扱ってください".into(),
            Cause::DecimalNumber => "コードが小数（131016.0）として書かれています。出力ツール（pandas、表計算ソフト）で浮動小数点数の列になっています".into(),
            Cause::DateReformatted => "日付の形式が変わっています（2021/6/1）。日付は20210601のようにYYYYMMDDで書いてください（Excelは日付を書き換えます）".into(),
            Cause::FullWidthDigits => "半角数字0～9が必要なところに全角数字があります".into(),
            Cause::HalfWidthKana => "全角カタカナのところに半角カタカナがあります".into(),
            Cause::Header => "見出し行が異なります。見出し行はレイアウトの日本語項目名を順に並べたものです".into(),
            Cause::Value => "値が異なります".into(),
        }
    }
}

/// The first difference, located and explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Byte offset of the first differing byte (in both files).
    pub byte_offset: usize,
    /// Physical 1-based line of that byte in the expected file.
    pub line: u64,
    /// 1-based field of the line, when it could be told.
    pub field: Option<usize>,
    /// 1-based character column in the line.
    pub column: usize,
    /// What was expected there (a field value or the bytes), never a My Number.
    pub expected: String,
    /// What was found there, never a My Number.
    pub found: String,
    /// The likely cause.
    pub cause: Cause,
}

impl Difference {
    /// One line: where, expected vs found, cause — English.
    pub fn summary_en(&self) -> String {
        format!(
            "line {}{}, column {} (byte offset {}): expected {} found {}: {}",
            self.line,
            self.field
                .map(|f| format!(", field {f}"))
                .unwrap_or_default(),
            self.column,
            self.byte_offset,
            self.expected,
            self.found,
            self.cause.en()
        )
    }

    /// One line: where, expected vs found, cause — Japanese.
    pub fn summary_ja(&self) -> String {
        format!(
            "{}行目{}、{}文字目（バイト位置 {}）：期待値 {}、実際 {}：{}",
            self.line,
            self.field
                .map(|f| format!("・{f}項目目"))
                .unwrap_or_default(),
            self.column,
            self.byte_offset,
            self.expected,
            self.found,
            self.cause.ja()
        )
    }
}

/// A value as shown in an explanation: quoted, shortened, never a My Number.
fn show(s: &str) -> String {
    format!("«{}»", display_value(s, false))
}

fn show_bytes(b: &[u8]) -> String {
    // A few bytes only: the hex of twelve ASCII digits would spell a My Number.
    let shown: Vec<u8> = b.iter().copied().take(4).collect();
    format!("[{}{}]", hex(&shown), if b.len() > 4 { " …" } else { "" })
}

/// Where the first difference of `expected` and `found` is and why; `encoding` is the case's
/// (`utf-8` or `cp932`). Returns `None` when they are equal.
pub fn explain(expected: &[u8], found: &[u8], encoding: &str) -> Option<Difference> {
    (expected != found).then(|| first_difference(expected, found, encoding))
}

/// As [`explain`], for bytes known to differ.
pub fn first_difference(expected: &[u8], found: &[u8], encoding: &str) -> Difference {
    let enc = if encoding == "cp932" {
        Encoding::Cp932
    } else {
        Encoding::Utf8
    };
    let at = expected
        .iter()
        .zip(found)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(found.len()));
    let (line, line_start) = line_of(expected, at);
    let whole = |cause: Cause, exp: String, fnd: String| Difference {
        byte_offset: at,
        line,
        field: None,
        column: column_of(expected, line_start, at, enc),
        expected: exp,
        found: fnd,
        cause,
    };
    let tail = |b: &[u8]| show_bytes(b.get(at..).unwrap_or(&[]));
    // The file as a whole: BOM, encoding.
    if at == 0 && found.starts_with(&UTF8_BOM) && !expected.starts_with(&UTF8_BOM) {
        return whole(Cause::BomNotAllowed, tail(expected), tail(found));
    }
    if at == 0 && expected.starts_with(&UTF8_BOM) && !found.starts_with(&UTF8_BOM) {
        return whole(Cause::BomMissing, tail(expected), tail(found));
    }
    let found_utf8 = std::str::from_utf8(found).is_ok();
    let found_cp932 = decode_strict(found, Encoding::Cp932).is_ok();
    let found_ascii = found.is_ascii();
    let same_text_as_utf8 = || {
        let exp_text = decode_strict(expected, Encoding::Cp932).ok();
        let fnd_text = std::str::from_utf8(found).ok();
        exp_text.as_deref() == fnd_text
    };
    if enc == Encoding::Cp932 && found_utf8 && !found_ascii && (!found_cp932 || same_text_as_utf8())
    {
        return whole(Cause::Utf8WhereCp932, tail(expected), tail(found));
    }
    if enc == Encoding::Utf8 && !found_utf8 {
        let cause = if found_cp932 {
            Cause::Cp932WhereUtf8
        } else {
            Cause::InvalidBytes { encoding: "UTF-8" }
        };
        return whole(cause, tail(expected), tail(found));
    }
    if enc == Encoding::Cp932 && !found_cp932 {
        return whole(
            Cause::InvalidBytes { encoding: "CP932" },
            tail(expected),
            tail(found),
        );
    }
    // Line ends and the end of the file.
    let e = expected.get(at).copied();
    let f = found.get(at).copied();
    match (e, f) {
        (Some(b'\r'), Some(b'\n')) => {
            return whole(Cause::LfWhereCrlf, tail(expected), tail(found))
        }
        (Some(b'\n'), Some(_)) if at > 0 && expected[at - 1] == b'\r' => {
            return whole(Cause::CrWhereCrlf, tail(expected), tail(found));
        }
        (Some(_), None) => {
            let cause = if expected[at..] == *b"\r\n" {
                Cause::MissingFinalLineEnd
            } else {
                Cause::MissingRows
            };
            return whole(cause, tail(expected), "«»".into());
        }
        (None, Some(_)) => {
            let cause = if found[at..].iter().all(|b| matches!(b, b'\r' | b'\n')) {
                Cause::TrailingEmptyLines
            } else {
                Cause::ExtraRows
            };
            return whole(cause, "«»".into(), tail(found));
        }
        _ => {}
    }
    // Within a line: decode both lines and compare field by field.
    let exp_line = line_bytes(expected, line_start);
    let fnd_line = line_bytes(found, line_start);
    let exp_text = decode_strict(exp_line, enc)
        .map(|c| c.into_owned())
        .unwrap_or_default();
    let fnd_text = decode_strict(fnd_line, enc)
        .map(|c| c.into_owned())
        .unwrap_or_default();
    let column = column_of(expected, line_start, at, enc);
    if exp_text == fnd_text && enc == Encoding::Cp932 {
        // Same text, other bytes: which character?
        let (ch, eb, fb) = cp932_char_at(exp_line, fnd_line, at - line_start);
        let cause = if matches!(fb.first(), Some(0xED | 0xEE)) {
            Cause::NecSelected {
                ch,
                expected: eb,
                found: fb,
            }
        } else {
            Cause::OtherCp932Code {
                ch,
                expected: eb,
                found: fb,
            }
        };
        return Difference {
            byte_offset: at,
            line,
            field: Some(field_at(&exp_text, column)),
            column,
            expected: format!("«{ch}»"),
            found: format!("«{ch}»"),
            cause,
        };
    }
    let exp_fields = split_fields(&exp_text);
    let fnd_fields = split_fields(&fnd_text);
    let first = exp_fields
        .iter()
        .zip(&fnd_fields)
        .position(|(a, b)| a != b)
        .unwrap_or(exp_fields.len().min(fnd_fields.len()));
    let (ev, fv) = (
        exp_fields.get(first).cloned().unwrap_or_default(),
        fnd_fields.get(first).cloned().unwrap_or_default(),
    );
    let cause = if exp_fields.len() != fnd_fields.len() {
        let inserted = if fnd_fields.get(first + 1..) == exp_fields.get(first..) {
            Some(true)
        } else if fnd_fields.get(first..) == exp_fields.get(first + 1..) {
            Some(false)
        } else {
            None
        };
        Cause::ShiftedColumn {
            expected_fields: exp_fields.len(),
            found_fields: fnd_fields.len(),
            inserted,
        }
    } else if line == 1 {
        Cause::Header
    } else {
        classify(&ev, &fv)
    };
    Difference {
        byte_offset: at,
        line,
        field: Some(first + 1),
        column,
        expected: show(&unquote(&ev)),
        found: show(&unquote(&fv)),
        cause,
    }
}

/// Why one field's value differs.
fn classify(raw_expected: &str, raw_found: &str) -> Cause {
    let (e, f) = (unquote(raw_expected), unquote(raw_found));
    if e == f {
        return Cause::Quoting;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits(&e) && e.starts_with('0') && f == e.trim_start_matches('0') {
        return Cause::LeadingZerosDropped;
    }
    let upper = f.to_ascii_uppercase();
    if digits(&e) && upper.contains("E+") && upper.parse::<f64>().is_ok() {
        return Cause::ExcelExponent;
    }
    if digits(&e)
        && f.strip_suffix(".0")
            .is_some_and(|int| int.trim_start_matches('0') == e.trim_start_matches('0'))
    {
        return Cause::DecimalNumber;
    }
    if e.len() == 8 && digits(&e) && same_date(&e, &f) {
        return Cause::DateReformatted;
    }
    if normalize_digits(&f).is_some_and(|n| n == e) && f != e {
        return Cause::FullWidthDigits;
    }
    if halfwidth_katakana_to_fullwidth(&f) == e {
        return Cause::HalfWidthKana;
    }
    let (ec, fc): (Vec<char>, Vec<char>) = (e.chars().collect(), f.chars().collect());
    if ec.len() == fc.len() {
        for (a, b) in ec.iter().zip(&fc) {
            if a != b {
                if is_jis_lookalike(*b, *a) {
                    return Cause::JisLookalike {
                        found: *b,
                        expected: *a,
                    };
                }
                break;
            }
        }
    }
    Cause::Value
}

/// Pairs (JIS-mapping character, Microsoft-mapping character) that tools confuse.
const LOOKALIKES: &[(char, char)] = &[
    ('\u{301C}', '\u{FF5E}'),
    ('\u{2016}', '\u{2225}'),
    ('\u{2014}', '\u{2015}'),
    ('\u{2212}', '\u{FF0D}'),
    ('\u{00A2}', '\u{FFE0}'),
    ('\u{00A3}', '\u{FFE1}'),
    ('\u{00AC}', '\u{FFE2}'),
    ('\u{00A6}', '\u{FFE4}'),
];

/// Whether `c` is the Microsoft-mapping side of a look-alike pair (the one CP932 can hold).
fn is_microsoft_side(c: char) -> bool {
    LOOKALIKES.iter().any(|&(_, ms)| ms == c)
}

fn is_jis_lookalike(found: char, expected: char) -> bool {
    LOOKALIKES
        .iter()
        .any(|&(a, b)| (found, expected) == (a, b) || (found, expected) == (b, a))
}

/// `e` is `YYYYMMDD` and `f` the same date written `Y/M/D` or `Y-M-D` (zero fill optional).
fn same_date(e: &str, f: &str) -> bool {
    let parts: Vec<&str> = f.split(['/', '-', '.']).collect();
    if parts.len() != 3 {
        return false;
    }
    let nums: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    nums.len() == 3 && format!("{:04}{:02}{:02}", nums[0], nums[1], nums[2]) == e
}

/// The line (1-based) holding byte `at`, and the offset where that line starts.
fn line_of(bytes: &[u8], at: usize) -> (u64, usize) {
    let before = &bytes[..at.min(bytes.len())];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count() as u64;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    (line, start)
}

/// The bytes of the line starting at `start`, without its line end.
fn line_bytes(bytes: &[u8], start: usize) -> &[u8] {
    let rest = bytes.get(start..).unwrap_or(&[]);
    let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let line = &rest[..end];
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// 1-based character column of byte `at` in the line starting at `start`.
fn column_of(bytes: &[u8], start: usize, at: usize, enc: Encoding) -> usize {
    let mut s = start;
    if start == 0 && bytes.starts_with(&UTF8_BOM) && at >= UTF8_BOM.len() {
        s = UTF8_BOM.len();
    }
    let prefix = bytes.get(s..at).unwrap_or(&[]);
    // Count characters of the longest decodable prefix.
    let mut n = prefix.len();
    loop {
        if let Ok(text) = decode_strict(&prefix[..n], enc) {
            return text.chars().count() + 1;
        }
        if n == 0 {
            return 1;
        }
        n -= 1;
    }
}

/// The CP932 character of the expected line whose bytes contain offset `at`, with its bytes
/// in both lines.
fn cp932_char_at(exp: &[u8], fnd: &[u8], at: usize) -> (char, Vec<u8>, Vec<u8>) {
    let mut i = 0;
    while i < exp.len() {
        let len = if matches!(exp[i], 0x81..=0x9F | 0xE0..=0xFC) {
            2
        } else {
            1
        };
        if at < i + len {
            let eb = exp[i..(i + len).min(exp.len())].to_vec();
            let fb = fnd.get(i..(i + len).min(fnd.len())).unwrap_or(&[]).to_vec();
            let ch = decode_strict(&eb, Encoding::Cp932)
                .ok()
                .and_then(|t| t.chars().next())
                .unwrap_or('\u{FFFD}');
            return (ch, eb, fb);
        }
        i += len;
    }
    ('\u{FFFD}', Vec::new(), Vec::new())
}

/// The 1-based field holding character column `column` of `line`.
fn field_at(line: &str, column: usize) -> usize {
    let mut field = 1;
    let mut quoted = false;
    for (i, c) in line.chars().enumerate() {
        if i + 1 >= column {
            break;
        }
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => field += 1,
            _ => {}
        }
    }
    field
}

/// The raw fields of one line (quotes kept), split at commas outside quotes.
pub fn split_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    for c in line.chars() {
        if c == ',' && !quoted {
            fields.push(String::new());
            continue;
        }
        if c == '"' {
            quoted = !quoted;
        }
        if let Some(f) = fields.last_mut() {
            f.push(c);
        }
    }
    fields
}

/// A raw field without its quotes, inner `""` as `"`.
fn unquote(raw: &str) -> String {
    match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp932(s: &str) -> Vec<u8> {
        vrs_core::text::encode_strict(s, Encoding::Cp932)
            .unwrap()
            .into_owned()
    }

    #[test]
    fn causes() {
        let exp = b"a,b\r\n011002,20210601\r\n".to_vec();
        let d = explain(&exp, b"a,b\n011002,20210601\n", "utf-8").unwrap();
        assert_eq!((d.cause, d.line), (Cause::LfWhereCrlf, 1));
        let d = explain(&exp, b"\xEF\xBB\xBFa,b\r\n011002,20210601\r\n", "utf-8").unwrap();
        assert_eq!(d.cause, Cause::BomNotAllowed);
        let d = explain(&exp, b"a,b\r\n11002,20210601\r\n", "utf-8").unwrap();
        assert_eq!(
            (d.cause, d.line, d.field),
            (Cause::LeadingZerosDropped, 2, Some(1))
        );
        let d = explain(&exp, b"a,b\r\n011002,2021/6/1\r\n", "utf-8").unwrap();
        assert_eq!((d.cause, d.field), (Cause::DateReformatted, Some(2)));
        let d = explain(&exp, b"a,b\r\n011002,,20210601\r\n", "utf-8").unwrap();
        assert!(
            matches!(
                d.cause,
                Cause::ShiftedColumn {
                    inserted: Some(true),
                    ..
                }
            ),
            "{d:?}"
        );
        let d = explain(&exp, b"a,b\r\n011002,20210601\r\n\r\n", "utf-8").unwrap();
        assert_eq!(d.cause, Cause::TrailingEmptyLines);
        let d = explain(&exp, b"a,b\r\n011002,20210601", "utf-8").unwrap();
        assert_eq!(d.cause, Cause::MissingFinalLineEnd);
        let d = explain(&exp, b"a,b\r\n\"011002\",20210601\r\n", "utf-8").unwrap();
        assert_eq!(d.cause, Cause::Quoting);
    }

    #[test]
    fn cp932_codes_and_encodings() {
        let exp = cp932("氏名\r\n髙橋\r\n");
        assert_eq!(&exp[6..8], b"\xFB\xFC");
        let mut nec = exp.clone();
        nec[6..8].copy_from_slice(b"\xEE\xE0");
        let d = explain(&exp, &nec, "cp932").unwrap();
        assert_eq!((d.line, d.column, d.field), (2, 1, Some(1)));
        assert!(
            matches!(d.cause, Cause::NecSelected { ch: '髙', .. }),
            "{d:?}"
        );
        assert!(d.cause.en().contains("Python's cp932 codec"));
        assert!(d.cause.ja().contains("NEC選定IBM拡張文字"));
        let d = explain(&exp, "氏名\r\n髙橋\r\n".as_bytes(), "cp932").unwrap();
        assert_eq!(d.cause, Cause::Utf8WhereCp932);
        let d = explain("x\r\n～\r\n".as_bytes(), "x\r\n〜\r\n".as_bytes(), "utf-8").unwrap();
        assert_eq!(
            d.cause,
            Cause::JisLookalike {
                found: '〜',
                expected: '～'
            }
        );
    }

    #[test]
    fn never_shows_a_my_number() {
        let d = explain(b"n\r\n123456789018\r\n", b"n\r\n123456789019\r\n", "utf-8").unwrap();
        assert!(
            !d.summary_en().contains("12345678901"),
            "{}",
            d.summary_en()
        );
        assert!(!d.summary_ja().contains("12345678901"));
    }
}
