//! Row rules (several fields of one row) and dose-pair rules (S02, S04, S06).

use crate::date::Date;
use crate::diag::{Code, Severity};
use crate::layout::{DoseField, Layout, Requirement, Role, RowUnit};
use crate::vaccine::{DoseNumber, VaccineTables};

use super::cross::DoseFact;
use super::emit::Emitter;
use super::field::{field_bit, RowData};
use super::options::ValidateOptions;

/// Column indexes by role, computed once per layout.
#[derive(Debug, Clone, Default)]
pub(crate) struct RoleIndex {
    pub addressee: Option<usize>,
    pub my_number: Option<usize>,
    pub municipality: Option<usize>,
    pub voucher: Option<usize>,
    pub dose_number: Option<usize>,
    pub ocr: Option<usize>,
    pub birth: Option<usize>,
    pub issue_date: Option<usize>,
    pub flag_kind: Option<usize>,
    pub flag_date: Option<usize>,
    pub destination: Option<usize>,
    pub match_status: Option<usize>,
    /// Per block, the column of each of the 8 dose fields.
    pub dose: Vec<[Option<usize>; 8]>,
    /// Per block, the bits ([`field_bit`]) of its fields required when the block is used.
    pub in_block: Vec<u8>,
}

impl RoleIndex {
    pub(crate) fn new(layout: &Layout) -> Self {
        let mut idx = RoleIndex {
            dose: vec![[None; 8]; usize::from(layout.dose_blocks)],
            in_block: vec![0; usize::from(layout.dose_blocks)],
            ..Default::default()
        };
        for (i, c) in layout.columns.iter().enumerate() {
            let slot = match c.role {
                Role::Addressee => &mut idx.addressee,
                Role::MyNumber => &mut idx.my_number,
                Role::Municipality => &mut idx.municipality,
                Role::Voucher => &mut idx.voucher,
                Role::DoseNumber => &mut idx.dose_number,
                Role::Ocr => &mut idx.ocr,
                Role::BirthDate => &mut idx.birth,
                Role::IssueDate => &mut idx.issue_date,
                Role::FlagKind => &mut idx.flag_kind,
                Role::FlagDate => &mut idx.flag_date,
                Role::Destination => &mut idx.destination,
                Role::MatchStatus => &mut idx.match_status,
                Role::Dose { block, field } => {
                    if let Some(b) = idx.dose.get_mut(usize::from(block)) {
                        b[field as usize] = Some(i);
                    }
                    if let Some(bits) = idx.in_block.get_mut(usize::from(block)) {
                        if c.requirement == Requirement::InBlock {
                            *bits |= field_bit(field);
                        }
                    }
                    continue;
                }
                Role::Name | Role::NameKana | Role::Sex => continue,
            };
            *slot = Some(i);
        }
        idx
    }

    pub(crate) fn dose_col(&self, block: usize, field: DoseField) -> Option<usize> {
        self.dose.get(block).and_then(|b| b[field as usize])
    }
}

/// Everything a row rule reads, plus where it reports.
pub(crate) struct RowCtx<'a> {
    pub layout: &'a Layout,
    pub opts: &'a ValidateOptions,
    pub idx: &'a RoleIndex,
    pub emit: &'a mut Emitter,
    pub row: &'a RowData,
    pub line: u64,
    /// Line on which each field starts.
    pub field_lines: &'a [u64],
    /// Whether each field is non-empty.
    pub filled: &'a [bool],
    /// The decoded text of each field.
    pub values: &'a [&'a str],
}

impl RowCtx<'_> {
    fn at(&mut self, code: Code, severity: Severity, col: Option<usize>, en: &str, ja: &str) {
        let line = col
            .and_then(|i| self.field_lines.get(i).copied())
            .unwrap_or(self.line);
        let value = col.and_then(|i| self.values.get(i).copied());
        self.emit.at(
            &self.layout.columns,
            code,
            severity,
            line,
            col,
            value,
            en,
            ja,
        );
    }

    /// The dose number of block `b`: the block position, or the row's dose-number column.
    fn dose_number(&self, block: usize) -> Option<u8> {
        match self.layout.row_unit {
            RowUnit::Dose => self.row.dose_number.map(DoseNumber::get),
            _ => u8::try_from(block + 1).ok(),
        }
    }
}

/// Runs every row rule that applies to the layout.
pub(crate) fn check_row(ctx: &mut RowCtx<'_>) {
    check_blocks(ctx);
    check_dates(ctx);
    check_flags(ctx);
    check_ocr(ctx);
    check_match_status(ctx);
    if ctx.layout.row_unit == RowUnit::Person || ctx.layout.row_unit == RowUnit::Inquiry {
        check_sequence_in_row(ctx);
    }
}

/// B01: a dose block with some fields filled and a required one empty.
fn check_blocks(ctx: &mut RowCtx<'_>) {
    if ctx.layout.row_unit == RowUnit::Dose {
        return; // one-row-per-dose files mark their fields Required instead
    }
    for block in 0..ctx.row.doses.len() {
        let slot = ctx.row.doses[block];
        // A used block whose required fields all hold a value (the common case) is done.
        let required = ctx.idx.in_block.get(block).copied().unwrap_or(0);
        if !slot.present() || required & !slot.filled == 0 {
            continue;
        }
        for field in DoseField::ALL {
            if required & field_bit(field) == 0 {
                continue;
            }
            let Some(col) = ctx.idx.dose_col(block, field) else {
                continue;
            };
            // `filled` also counts a value that could not be decoded (reported as F01).
            if !ctx.filled[col] {
                ctx.at(
                    Code::B01,
                    Severity::Error,
                    Some(col),
                    &format!("empty, but dose {} has other fields filled", block + 1),
                    &format!("空欄ですが、{}回目の他の項目は入力されています", block + 1),
                );
            }
        }
    }
}

/// L03 (info): the dose may be deleted on `today` under the retention policy in force that day.
/// A file knows no death and no provision, so a COVID dose under 附則第17条 (from 2026-02-01) is
/// never reported: only the registry, which records both, can find those eligible.
fn check_retention(ctx: &mut RowCtx<'_>, date: Date, today: Date, col: Option<usize>) {
    let opts = ctx.opts;
    let verdict = opts
        .retention
        .verdict(&crate::retention::Facts::dose(date), today);
    if let (true, Some(from), Some(rule)) = (
        verdict.eligible_on(today),
        verdict.eligible_from,
        verdict.rule,
    ) {
        ctx.at(
            Code::L03,
            Severity::Info,
            col,
            &format!(
                "{date}: the record may be deleted from {from} ({})",
                rule.id
            ),
            &format!("{date}：{from} から削除できる記録です（{}）", rule.id),
        );
    }
}

fn check_dates(ctx: &mut RowCtx<'_>) {
    // A copy of the `&'a` options reference: borrowing `tables` from it leaves `ctx` free.
    let opts = ctx.opts;
    let tables = opts.tables.as_ref();
    let as_of = ctx.opts.as_of;
    let birth = ctx.row.birth;
    if let (Some(b), Some(today)) = (birth, as_of) {
        if b > today {
            ctx.at(
                Code::D05,
                Severity::Error,
                ctx.idx.birth,
                &format!("birth date {b} is in the future"),
                &format!("生年月日 {b} が未来の日付です"),
            );
        }
    }
    for (date, col, what_en, what_ja) in [
        (
            ctx.row.flag_date,
            ctx.idx.flag_date,
            "effective date",
            "異動日",
        ),
        (
            ctx.row.issue_date,
            ctx.idx.issue_date,
            "issue date",
            "発行日",
        ),
    ] {
        if let (Some(d), Some(today)) = (date, as_of) {
            if d > today {
                ctx.at(
                    Code::D02,
                    Severity::Error,
                    col,
                    &format!("{what_en} {d} is after the file date {today}"),
                    &format!("{what_ja} {d} がファイル作成日 {today} より後です"),
                );
            }
        }
    }
    if let (Some(b), Some(issued)) = (birth, ctx.row.issue_date) {
        if issued < b {
            ctx.at(
                Code::D05,
                Severity::Error,
                ctx.idx.birth,
                &format!("birth date {b} is after the voucher issue date {issued}"),
                &format!("生年月日 {b} が接種券の発行日 {issued} より後です"),
            );
        }
    }
    for block in 0..ctx.row.doses.len() {
        let slot = ctx.row.doses[block];
        let Some(date) = slot.date else { continue };
        let date_col = ctx.idx.dose_col(block, DoseField::VaccinatedOn);
        if let Some(today) = as_of {
            if date > today {
                ctx.at(
                    Code::D02,
                    Severity::Error,
                    date_col,
                    &format!("vaccination date {date} is after the file date {today}"),
                    &format!("接種日 {date} がファイル作成日 {today} より後です"),
                );
            }
            check_retention(ctx, date, today, date_col);
        }
        if !tables.programme.contains(date) {
            let end = tables
                .programme
                .end
                .map_or_else(|| "open".to_owned(), |d| d.to_string());
            ctx.at(
                Code::D03,
                Severity::Error,
                date_col,
                &format!(
                    "vaccination date {date} is outside the programme window {} .. {end}",
                    tables.programme.start
                ),
                &format!(
                    "接種日 {date} が接種事業の期間（{}～{end}）外です",
                    tables.programme.start
                ),
            );
        }
        if let Some(at) = slot.registered_at {
            if let Some(today) = as_of.filter(|today| at.date > *today) {
                ctx.at(
                    Code::D02,
                    Severity::Error,
                    ctx.idx.dose_col(block, DoseField::RegisteredAt),
                    &format!("registered at {at}, after the file date {today}"),
                    &format!("登録日時 {at} がファイル作成日 {today} より後です"),
                );
            }
            if at.date < date {
                ctx.at(
                    Code::D06,
                    Severity::Warning,
                    ctx.idx.dose_col(block, DoseField::RegisteredAt),
                    &format!("registered at {at}, before the vaccination date {date}"),
                    &format!("登録日時 {at} が接種日 {date} より前です"),
                );
            }
        }
        if let Some(b) = birth {
            if b > date {
                ctx.at(
                    Code::D05,
                    Severity::Error,
                    ctx.idx.birth,
                    &format!("birth date {b} is after the vaccination date {date}"),
                    &format!("生年月日 {b} が接種日 {date} より後です"),
                );
            } else if let (Some(n), Some(maker)) = (ctx.dose_number(block), slot.maker) {
                let rule = DoseNumber::new(n)
                    .ok()
                    .and_then(|n| tables.min_age(n, Some(maker), date));
                if let Some(rule) = rule {
                    if !rule.is_met(b, date) {
                        let months = rule.min_age_months;
                        let (age_en, age_ja) = if months % 12 == 0 {
                            (
                                format!("{} years", months / 12),
                                format!("{}歳", months / 12),
                            )
                        } else {
                            (format!("{months} months"), format!("生後{months}か月"))
                        };
                        ctx.at(
                            Code::S05,
                            Severity::Warning,
                            date_col,
                            &format!("dose {n} on {date}: born {b}, below the minimum age of {age_en} ({})", rule.source),
                            &format!("{n}回目 {date}：生年月日 {b} で、最低年齢 {age_ja} に達していません（{}）", rule.source),
                        );
                    }
                }
            }
        }
        // T04 (warning): the lot does not have the manufacturer's usual shape.
        if let (Some(maker), Some(lot_col)) = (slot.maker, ctx.idx.dose_col(block, DoseField::Lot))
        {
            let lot = ctx.values.get(lot_col).copied().unwrap_or("");
            // An invalid lot already has its T04 error; full-width lots are folded for the shape.
            let matches = || match lot.is_ascii() {
                true => tables.lot_matches_shape(maker, lot),
                false => tables.lot_matches_shape(maker, &crate::text::fold_width(lot)),
            };
            if slot.lot_ok && !matches() {
                let name = tables
                    .manufacturer(maker)
                    .map_or("", |m| m.canonical.as_str());
                let shapes = tables
                    .manufacturer(maker)
                    .map(|m| m.lot_shapes.join(", "))
                    .unwrap_or_default();
                ctx.at(
                    Code::T04,
                    Severity::Warning,
                    Some(lot_col),
                    &format!("lot does not have the usual shape for {name} ({shapes}; A = letter, 9 = digit)"),
                    &format!("{name} のロット番号の通常の形（{shapes}、A＝英字、9＝数字）ではありません"),
                );
            }
        }
    }
}

/// Flags upload: who the flag is for, and where a destination is allowed.
fn check_flags(ctx: &mut RowCtx<'_>) {
    if ctx.layout.row_unit != RowUnit::Flag {
        return;
    }
    let (Some(a), Some(v)) = (ctx.idx.addressee, ctx.idx.voucher) else {
        return;
    };
    if !ctx.filled[a] && !ctx.filled[v] {
        ctx.at(
            Code::R01,
            Severity::Error,
            Some(a),
            "give the addressee number or the voucher number of the person",
            "対象者の宛名番号または券番号のどちらかを入力してください",
        );
    }
    if let Some(dest) = ctx.row.destination {
        if ctx.row.flag_kind == Some(1) {
            ctx.at(
                Code::M04,
                Severity::Error,
                ctx.idx.destination,
                "a destination is given for a death flag",
                "死亡フラグに転出先が指定されています",
            );
        } else if Some(dest) == ctx.row.municipality {
            ctx.at(
                Code::M04,
                Severity::Error,
                ctx.idx.destination,
                &format!("destination {dest} is the municipality itself"),
                &format!("転出先 {dest} が自自治体です"),
            );
        }
    }
}

/// V03-V05: the OCR line agrees with the row.
fn check_ocr(ctx: &mut RowCtx<'_>) {
    let Some(ocr) = ctx.row.ocr else { return };
    let slot = ctx.row.doses.first().copied().unwrap_or_default();
    let col = ctx.idx.ocr;
    if let Some(m) = slot.municipality {
        if ocr.key.municipality != m {
            ctx.at(
                Code::V03,
                Severity::Error,
                col,
                &format!(
                    "OCR line municipality {} differs from the row's {m}",
                    ocr.key.municipality
                ),
                &format!(
                    "OCRラインの自治体コード {} が行の {m} と異なります",
                    ocr.key.municipality
                ),
            );
        }
    }
    if let Some(v) = slot.voucher {
        if ocr.key.number != v {
            ctx.at(
                Code::V03,
                Severity::Error,
                col,
                &format!(
                    "OCR line voucher number {} differs from the row's {v}",
                    ocr.key.number
                ),
                &format!(
                    "OCRラインの券番号 {} が行の {v} と異なります",
                    ocr.key.number
                ),
            );
        }
    }
    if let Some(n) = ctx.row.dose_number {
        if ocr.dose != n.get() {
            ctx.at(
                Code::V04,
                Severity::Warning,
                col,
                &format!(
                    "OCR line is for dose {}, the row is dose {}",
                    ocr.dose,
                    n.get()
                ),
                &format!(
                    "OCRラインは{}回目用ですが、行は{}回目です",
                    ocr.dose,
                    n.get()
                ),
            );
        }
    }
    if !ctx.opts.voucher_types.contains(&ocr.voucher_type) {
        let set: Vec<String> = ctx.opts.voucher_types.iter().map(u8::to_string).collect();
        ctx.at(
            Code::V05,
            Severity::Warning,
            col,
            &format!(
                "voucher type {} is not in the configured set {{{}}}",
                ocr.voucher_type,
                set.join(", ")
            ),
            &format!(
                "券種 {} は設定された値（{}）にありません",
                ocr.voucher_type,
                set.join("、")
            ),
        );
    }
}

/// Q01: a batch-inquiry result row's status agrees with its dose blocks.
fn check_match_status(ctx: &mut RowCtx<'_>) {
    let Some(status) = ctx.row.match_status else {
        return;
    };
    let any_dose = ctx.row.doses.iter().any(|d| d.present());
    let col = ctx.idx.match_status;
    match (status, any_dose) {
        (0, false) => ctx.at(
            Code::Q01,
            Severity::Error,
            col,
            "status is match but no dose is given",
            "照会結果が「一致」ですが接種記録がありません",
        ),
        (1, true) => ctx.at(
            Code::Q01,
            Severity::Error,
            col,
            "status is no match but doses are given",
            "照会結果が「該当なし」ですが接種記録があります",
        ),
        _ => {}
    }
}

/// S01, S02, S04, S06 between the dose blocks of one row.
fn check_sequence_in_row(ctx: &mut RowCtx<'_>) {
    let mut previous: Option<DoseFact> = None;
    let mut gap_reported = false;
    for block in 0..ctx.row.doses.len() {
        let slot = ctx.row.doses[block];
        let n = u8::try_from(block + 1).unwrap_or(u8::MAX);
        if !slot.present() {
            continue;
        }
        let date_col = ctx.idx.dose_col(block, DoseField::VaccinatedOn);
        if block > 0 && !ctx.row.doses[block - 1].present() && !gap_reported {
            gap_reported = true;
            ctx.at(
                Code::S01,
                Severity::Warning,
                date_col,
                &format!("dose {n} is recorded but dose {} is not", n - 1),
                &format!("{n}回目の記録がありますが、{}回目の記録がありません", n - 1),
            );
        }
        let Some(date) = slot.date else {
            previous = None;
            continue;
        };
        let fact = DoseFact {
            n,
            date,
            maker: slot.maker,
            line: ctx.line,
        };
        if let Some(prev) = previous.filter(|p| p.n + 1 == n) {
            for finding in pair_findings(&ctx.opts.tables, prev, fact) {
                let (en, ja) = finding.messages(prev, fact, &ctx.opts.tables);
                let col = if finding.code == Code::S06 {
                    ctx.idx.dose_col(block, DoseField::Manufacturer)
                } else {
                    date_col
                };
                ctx.at(finding.code, finding.code.default_severity(), col, &en, &ja);
            }
        }
        previous = Some(fact);
    }
}

/// A finding about two consecutive doses of one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PairFinding {
    pub code: Code,
    earliest: Option<Date>,
}

/// S02 (not after), S04 (interval), S06 (primary-series maker) for doses `prev` and `next`,
/// where `next.n == prev.n + 1`. At most two findings (S02 or S04, and S06); a fixed array
/// because this runs for every pair of doses of every row.
pub(crate) fn pair_findings(
    tables: &VaccineTables,
    prev: DoseFact,
    next: DoseFact,
) -> impl Iterator<Item = PairFinding> {
    let mut order = None;
    if next.date <= prev.date {
        order = Some(PairFinding {
            code: Code::S02,
            earliest: None,
        });
    } else if let Some(rule) = DoseNumber::new(next.n)
        .ok()
        .and_then(|n| tables.min_interval(n, next.maker, next.date))
    {
        if let Ok(earliest) = rule.earliest_after(prev.date) {
            if next.date < earliest {
                order = Some(PairFinding {
                    code: Code::S04,
                    earliest: Some(earliest),
                });
            }
        }
    }
    let mut maker = None;
    if next.n == 2 && tables.same_maker_primary_series {
        if let (Some(a), Some(b)) = (prev.maker, next.maker) {
            if a != b {
                maker = Some(PairFinding {
                    code: Code::S06,
                    earliest: None,
                });
            }
        }
    }
    [order, maker].into_iter().flatten()
}

impl PairFinding {
    pub(crate) fn messages(
        &self,
        prev: DoseFact,
        next: DoseFact,
        tables: &VaccineTables,
    ) -> (String, String) {
        let (p, n) = (prev.n, next.n);
        let (pd, nd) = (prev.date, next.date);
        match self.code {
            Code::S02 => (
                format!("dose {n} on {nd} is not after dose {p} on {pd}"),
                format!("{n}回目の接種日 {nd} が{p}回目の接種日 {pd} より後ではありません"),
            ),
            Code::S04 => {
                let e = self.earliest.map(|d| d.to_string()).unwrap_or_default();
                (
                    format!("dose {n} on {nd} is earlier than the minimum interval after dose {p} on {pd} allows (from {e})"),
                    format!("{n}回目の接種日 {nd} は、{p}回目（{pd}）からの最短間隔（{e}以降）より早いです"),
                )
            }
            _ => {
                let name = |m: Option<crate::vaccine::ManufacturerId>| {
                    m.and_then(|m| tables.manufacturer(m))
                        .map_or("?", |s| s.canonical.as_str())
                        .to_owned()
                };
                (
                    format!(
                        "dose {n} manufacturer {} differs from dose {p} manufacturer {}",
                        name(next.maker),
                        name(prev.maker)
                    ),
                    format!(
                        "{n}回目のメーカー {} が{p}回目のメーカー {} と異なります",
                        name(next.maker),
                        name(prev.maker)
                    ),
                )
            }
        }
    }
}
