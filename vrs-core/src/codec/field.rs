//! Checks of one field against its column type; typed results go into [`RowData`].

use std::borrow::Cow;

use crate::date::{Date, DateTime};
use crate::diag::{Code, Severity};
use crate::id::{
    scan_shaped, AddresseeNumber, DigitRuns, IdError, MunicipalityCode, MyNumber, OcrLine,
    VoucherNumber,
};
use crate::layout::{Column, DoseField, FieldType, Role};
use crate::text;
use crate::vaccine::{check_lot, DoseNumber, ManufacturerId};

use super::cross::{addressee_key, Blinder};
use super::emit::Emitter;
use super::excel;
use super::options::{ValidateOptions, WidthUnit};
use super::plan::{store_date, store_municipality, store_voucher};

/// Typed values of one dose block.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DoseSlot {
    /// Bit per [`DoseField`] that holds a value.
    pub filled: u8,
    pub registered_at: Option<DateTime>,
    pub date: Option<Date>,
    pub voucher: Option<VoucherNumber>,
    pub municipality: Option<MunicipalityCode>,
    pub maker: Option<ManufacturerId>,
    /// The lot passed its check (so the per-maker shape warning may be looked at).
    pub lot_ok: bool,
}

impl DoseSlot {
    pub fn present(&self) -> bool {
        self.filled != 0
    }
}

pub(crate) fn field_bit(field: DoseField) -> u8 {
    1 << (field as u8)
}

/// Most dose blocks a layout has (dose numbers run 1..=9).
pub(crate) const MAX_BLOCKS: usize = 9;

/// The dose blocks of one row: a fixed array, so a row's typed values are plain data that can
/// be copied to the thread running the cross-row rules.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DoseSlots {
    slots: [DoseSlot; MAX_BLOCKS],
    len: usize,
}

impl std::ops::Deref for DoseSlots {
    type Target = [DoseSlot];
    fn deref(&self) -> &[DoseSlot] {
        self.slots.get(..self.len).unwrap_or(&[])
    }
}

impl std::ops::DerefMut for DoseSlots {
    fn deref_mut(&mut self) -> &mut [DoseSlot] {
        self.slots.get_mut(..self.len).unwrap_or(&mut [])
    }
}

/// Typed values of one row, reused from row to row.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct RowData {
    pub addressee: Option<u64>,
    pub my_number: Option<u64>,
    pub municipality: Option<MunicipalityCode>,
    pub voucher: Option<VoucherNumber>,
    pub dose_number: Option<DoseNumber>,
    pub ocr: Option<OcrLine>,
    pub birth: Option<Date>,
    pub issue_date: Option<Date>,
    pub flag_kind: Option<usize>,
    pub flag_date: Option<Date>,
    pub destination: Option<MunicipalityCode>,
    pub match_status: Option<usize>,
    pub doses: DoseSlots,
}

impl RowData {
    pub fn reset(&mut self, blocks: usize) {
        *self = RowData::default();
        self.doses.len = blocks.min(MAX_BLOCKS);
    }
}

/// The values of one dose block that cross-row rules read.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CrossDose {
    pub municipality: Option<MunicipalityCode>,
    pub voucher: Option<VoucherNumber>,
    pub date: Option<Date>,
    pub maker: Option<ManufacturerId>,
}

/// The share of a row's [`RowData`] that cross-row rules read (the keys of the seen set are
/// listed apart): small, as it is what a worker hands to the thread running those rules for
/// every row.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CrossRow {
    pub addressee: Option<u64>,
    pub my_number: Option<u64>,
    pub municipality: Option<MunicipalityCode>,
    pub voucher: Option<VoucherNumber>,
    pub dose_number: Option<DoseNumber>,
    /// The first dose block (the only one of a one-row-per-dose file).
    pub first_dose: CrossDose,
}

impl CrossRow {
    pub fn of(row: &RowData) -> Self {
        let first_dose = row
            .doses
            .first()
            .map_or_else(CrossDose::default, |from| CrossDose {
                municipality: from.municipality,
                voucher: from.voucher,
                date: from.date,
                maker: from.maker,
            });
        CrossRow {
            addressee: row.addressee,
            my_number: row.my_number,
            municipality: row.municipality,
            voucher: row.voucher,
            dose_number: row.dose_number,
            first_dose,
        }
    }
}

/// Answers remembered across rows: a file holds few distinct municipalities and makers, so
/// the last answers are almost always the next ones.
#[derive(Debug, Default)]
pub(crate) struct Memo {
    /// The last municipality code looked up in the code table, and whether it was there.
    code_table: Option<(MunicipalityCode, bool)>,
    /// Recent manufacturer spellings and what they resolved to (a handful at most).
    makers: Vec<(String, Option<ManufacturerId>)>,
}

impl Memo {
    const MAKERS: usize = 16;

    pub(super) fn in_code_table(&mut self, code: MunicipalityCode) -> bool {
        match self.code_table {
            Some((c, known)) if c == code => known,
            _ => {
                let known = crate::munis::contains(code.as_str());
                self.code_table = Some((code, known));
                known
            }
        }
    }

    /// Parses a municipality code, answering from the last code looked up in the table when
    /// the text is the same (a file repeats a few codes in every row).
    pub(super) fn municipality(&self, v: &str) -> Result<MunicipalityCode, IdError> {
        match self.code_table {
            Some((code, _)) if code.as_bytes() == v.as_bytes() => Ok(code),
            _ => MunicipalityCode::parse(v),
        }
    }

    pub(super) fn maker(
        &mut self,
        tables: &crate::vaccine::VaccineTables,
        spelling: &str,
    ) -> Option<ManufacturerId> {
        if let Some((_, id)) = self.makers.iter().find(|(s, _)| s == spelling) {
            return *id;
        }
        let id = tables.resolve_manufacturer(spelling);
        if self.makers.len() >= Self::MAKERS {
            self.makers.remove(0);
        }
        self.makers.push((spelling.to_owned(), id));
        id
    }
}

/// What one field check needs besides the value.
pub(crate) struct FieldCtx<'a> {
    pub opts: &'a ValidateOptions,
    pub emit: &'a mut Emitter,
    pub blinder: &'a Blinder,
    pub memo: &'a mut Memo,
    pub download: bool,
    pub line: u64,
    pub index: usize,
    pub column: &'a Column,
}

impl FieldCtx<'_> {
    fn report(&mut self, code: Code, severity: Severity, value: &str, en: &str, ja: &str) {
        self.emit.field(
            code,
            severity,
            self.line,
            self.column,
            self.index,
            Some(value),
            en,
            ja,
        );
    }

    /// Reports an invalid value (`value`, as checked; `raw`, as in the file) with what a
    /// spreadsheet did to it, when its damage has a known shape ([`excel::explain`]).
    fn report_invalid(
        &mut self,
        code: Code,
        severity: Severity,
        raw: &str,
        value: &str,
        en: &str,
        ja: &str,
    ) {
        match excel::explain(&self.column.ty, raw) {
            Some(damage) => {
                let en = format!("{en}; {}", damage.en);
                let ja = format!("{ja}。{}", damage.ja);
                self.report(code, severity, value, &en, &ja);
            }
            None => self.report(code, severity, value, en, ja),
        }
    }

    /// Reports an identifier error without repeating the identifier's name after the column's.
    fn report_id(&mut self, code: Code, severity: Severity, raw: &str, value: &str, err: &IdError) {
        let (en, ja) = (err.to_string(), err.message_ja());
        let (kind_en, kind_ja) = (err.kind().name_en(), err.kind().name_ja());
        // "municipality code: ...", "municipality code must be ...", "自治体コードは..."
        let en = [": ", " "]
            .iter()
            .find_map(|sep| en.strip_prefix(&format!("{kind_en}{sep}")))
            .unwrap_or(&en);
        let ja = [": ", "は", "が"]
            .iter()
            .find_map(|sep| ja.strip_prefix(&format!("{kind_ja}{sep}")))
            .unwrap_or(&ja);
        self.report_invalid(code, severity, raw, value, en, ja);
    }
}

fn is_digit_type(ty: &FieldType) -> bool {
    matches!(
        ty,
        FieldType::MunicipalityCode
            | FieldType::MyNumber
            | FieldType::VoucherNumber
            | FieldType::OcrLine
            | FieldType::Date
            | FieldType::DateTime
            | FieldType::DoseNumber
    )
}

fn text_width(s: &str, unit: WidthUnit) -> usize {
    match unit {
        WidthUnit::Chars => text::char_count(s),
        // An unencodable character is reported elsewhere (when writing); count it as 2 bytes.
        WidthUnit::Cp932Bytes => text::cp932_byte_len(s)
            .unwrap_or_else(|| s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()),
    }
}

fn width_code(column: &Column) -> Code {
    match column.role {
        Role::Dose {
            field: DoseField::Venue,
            ..
        } => Code::T01,
        Role::Dose {
            field: DoseField::Doctor,
            ..
        } => Code::T02,
        _ => Code::T06,
    }
}

/// Checks one non-empty field and stores its typed value. Returns false when it is invalid.
pub(crate) fn check_field(ctx: &mut FieldCtx<'_>, raw: &str, row: &mut RowData) -> bool {
    let column = ctx.column;
    // F05: full-width digits in a digits field are normalised (warning) or refused (error).
    let value: Cow<'_, str> = if is_digit_type(&column.ty) && !raw.is_ascii() {
        match text::normalize_digits(raw) {
            Some(ascii) => {
                let severity = if ctx.opts.normalize_fullwidth {
                    Severity::Warning
                } else {
                    Severity::Error
                };
                ctx.report(
                    Code::F05,
                    severity,
                    raw,
                    "full-width digits; use ASCII digits 0-9",
                    "全角数字が含まれています。半角数字0～9を使ってください",
                );
                if severity == Severity::Error {
                    return false;
                }
                Cow::Owned(ascii)
            }
            None => Cow::Borrowed(raw),
        }
    } else {
        Cow::Borrowed(raw)
    };
    let v = value.as_ref();
    match &column.ty {
        FieldType::MunicipalityCode => match ctx.memo.municipality(v) {
            Ok(code) => {
                if ctx.opts.check_code_table && !ctx.memo.in_code_table(code) {
                    ctx.report(
                        Code::M02,
                        Severity::Warning,
                        v,
                        &format!(
                            "{} is not in the code table ({})",
                            code,
                            crate::munis::SOURCE
                        ),
                        &format!("{code} はコード表（{}）にありません", crate::munis::SOURCE),
                    );
                }
                store_municipality(column.role, code, row);
                true
            }
            Err(err) => {
                let severity = match err {
                    IdError::CheckDigit { .. } if !ctx.opts.strict_municipality_check_digit => {
                        Severity::Warning
                    }
                    _ => Severity::Error,
                };
                ctx.report_id(Code::M01, severity, raw, v, &err);
                severity != Severity::Error
            }
        },
        FieldType::MyNumber => match MyNumber::parse(v) {
            Ok(n) => {
                row.my_number = Some(ctx.blinder.blind(&n));
                true
            }
            Err(err) => {
                ctx.report_id(Code::N01, Severity::Error, raw, v, &err);
                false
            }
        },
        FieldType::VoucherNumber => match VoucherNumber::parse(v) {
            Ok(n) => {
                store_voucher(column.role, n, row);
                true
            }
            Err(err) => {
                ctx.report_id(Code::V01, Severity::Error, raw, v, &err);
                false
            }
        },
        FieldType::OcrLine => match OcrLine::parse(v) {
            Ok(ocr) => {
                row.ocr = Some(ocr);
                true
            }
            Err(err) => {
                ctx.report_id(Code::V03, Severity::Error, raw, v, &err);
                false
            }
        },
        FieldType::Date => match Date::parse_yyyymmdd(v) {
            Ok(d) => {
                store_date(column.role, d, row);
                true
            }
            Err(err) => {
                ctx.report_invalid(
                    Code::D01,
                    Severity::Error,
                    raw,
                    v,
                    &err.to_string(),
                    &err.message_ja(),
                );
                false
            }
        },
        FieldType::DateTime => match DateTime::parse_yyyymmddhhmmss(v) {
            Ok(t) => {
                if let Role::Dose { block, .. } = column.role {
                    if let Some(slot) = row.doses.get_mut(usize::from(block)) {
                        slot.registered_at = Some(t);
                    }
                }
                true
            }
            Err(err) => {
                ctx.report_invalid(
                    Code::D04,
                    Severity::Error,
                    raw,
                    v,
                    &err.to_string(),
                    &err.message_ja(),
                );
                false
            }
        },
        FieldType::DoseNumber => match DoseNumber::parse(v) {
            Ok(n) => {
                row.dose_number = Some(n);
                true
            }
            Err(err) => {
                ctx.report_invalid(
                    Code::S07,
                    Severity::Error,
                    raw,
                    v,
                    &err.to_string(),
                    &err.message_ja(),
                );
                false
            }
        },
        FieldType::Text => check_width(ctx, v),
        FieldType::Name => check_width(ctx, v),
        FieldType::NameKana => {
            let kana = text::halfwidth_katakana_to_fullwidth(v);
            if !text::is_katakana_name(&kana) || kana.trim_matches([' ', '\u{3000}']).is_empty() {
                ctx.report(
                    Code::T07,
                    Severity::Error,
                    v,
                    "must be written in katakana",
                    "カタカナで記入してください",
                );
                return false;
            }
            check_width(ctx, &kana)
        }
        FieldType::Manufacturer => match ctx.memo.maker(&ctx.opts.tables, v) {
            Some(id) => {
                if let Role::Dose { block, .. } = column.role {
                    if let Some(slot) = row.doses.get_mut(usize::from(block)) {
                        slot.maker = Some(id);
                    }
                }
                true
            }
            None => {
                let known: Vec<&str> = ctx
                    .opts
                    .tables
                    .manufacturers
                    .iter()
                    .map(|m| m.canonical.as_str())
                    .collect();
                ctx.report(
                    Code::T03,
                    Severity::Error,
                    v,
                    &format!("unknown manufacturer; accepted: {}", known.join(", ")),
                    &format!("不明なメーカーです。使用できる名称：{}", known.join("、")),
                );
                false
            }
        },
        FieldType::Lot => match lot_fast_path(v).map_or_else(|| check_lot(v).map(|_| ()), Ok) {
            Ok(()) => {
                if let Role::Dose { block, .. } = column.role {
                    if let Some(slot) = row.doses.get_mut(usize::from(block)) {
                        slot.lot_ok = true;
                    }
                }
                true
            }
            Err(err) => {
                ctx.report(
                    Code::T04,
                    Severity::Error,
                    v,
                    &err.to_string(),
                    &err.message_ja(),
                );
                false
            }
        },
        FieldType::AddresseeNumber => {
            match AddresseeNumber::check_with_max(v, ctx.opts.addressee_max_chars) {
                Ok(()) if excel::explain(&column.ty, raw).is_some() => {
                    ctx.report_invalid(
                        Code::T05,
                        Severity::Error,
                        raw,
                        v,
                        "not an addressee number as the health system holds it",
                        "健康管理システムの保持する宛名番号の形ではありません",
                    );
                    false
                }
                Ok(()) => {
                    if crate::id::is_zero_filled_numeric(v) {
                        ctx.report(
                            Code::T05,
                            Severity::Warning,
                            v,
                            "numeric addressee number with added zero fill",
                            "数字の宛名番号が0埋めされています",
                        );
                    }
                    if ctx.download && is_my_number_shaped(v) {
                        ctx.report(
                            Code::N02,
                            Severity::Warning,
                            v,
                            "value has the shape of a My Number (12 digits, valid check digit) in a download-type file",
                            "ダウンロード系ファイルに個人番号の形（12桁・検査数字一致）の値があります",
                        );
                    }
                    row.addressee = Some(addressee_key(v));
                    true
                }
                Err(err) => {
                    ctx.report_id(Code::T05, Severity::Error, raw, v, &err);
                    false
                }
            }
        }
        FieldType::Code { values } => match values.iter().position(|c| c.value == v) {
            Some(i) => {
                match column.role {
                    Role::FlagKind => row.flag_kind = Some(i),
                    Role::MatchStatus => row.match_status = Some(i),
                    _ => {}
                }
                true
            }
            None => {
                let en: Vec<String> = values
                    .iter()
                    .map(|c| format!("{} ({})", c.value, c.meaning_en))
                    .collect();
                let ja: Vec<String> = values
                    .iter()
                    .map(|c| format!("{}（{}）", c.value, c.meaning_ja))
                    .collect();
                ctx.report(
                    Code::R02,
                    Severity::Error,
                    v,
                    &format!("not an allowed value; use one of {}", en.join(", ")),
                    &format!(
                        "許可されていない値です。{} のいずれかを使ってください",
                        ja.join("、")
                    ),
                );
                false
            }
        },
    }
}

fn check_width(ctx: &mut FieldCtx<'_>, v: &str) -> bool {
    let Some(max) = ctx.column.width.map(usize::from) else {
        return true;
    };
    // Characters never outnumber bytes, and CP932 needs at most as many bytes as UTF-8 does.
    if v.len() <= max {
        return true;
    }
    let width = text_width(v, ctx.opts.width_unit);
    if width <= max {
        return true;
    }
    let (unit_en, unit_ja) = match ctx.opts.width_unit {
        WidthUnit::Chars => ("characters", "文字"),
        WidthUnit::Cp932Bytes => ("bytes in CP932", "バイト（CP932）"),
    };
    let code = width_code(ctx.column);
    ctx.report(
        code,
        Severity::Error,
        v,
        &format!("{width} {unit_en}, at most {max} allowed"),
        &format!("{width}{unit_ja}です。{max}{unit_ja}以内にしてください"),
    );
    false
}

/// The common case of a lot number decided without allocating: 1..=20 ASCII letters, digits
/// and hyphens, not a zero-filled number. `None` sends it to the full check (which also
/// explains what is wrong).
pub(super) fn lot_fast_path(v: &str) -> Option<()> {
    let b = v.as_bytes();
    let shape_ok =
        (1..=20).contains(&b.len()) && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-');
    let zero_filled = b.len() > 1 && b[0] == b'0' && b.iter().all(u8::is_ascii_digit) || b == b"0";
    (shape_ok && !zero_filled).then_some(())
}

/// 12 ASCII digits with a valid My Number check digit.
pub(crate) fn is_my_number_shaped(v: &str) -> bool {
    v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) && MyNumber::parse(v).is_ok()
}

/// Whether `v` holds a My Number: a run of exactly 12 digits (ASCII or full-width, not part of
/// a longer run) with a valid My Number check digit, alone or within text. A run touching an
/// ASCII letter is part of a code, not a number someone typed: hex pseudonyms (the provision
/// log's subject and staff columns) hold 12-digit runs by chance.
pub(crate) fn contains_my_number(v: &str) -> bool {
    // 12 digits take at least 12 bytes.
    if v.len() < 12 {
        return false;
    }
    let mut any = false;
    scan_shaped(v, DigitRuns::Plain, &mut |_| {
        any = true;
        false
    });
    any
}
