//! The validation engine: decoded rows in, diagnostics out. Shared by the streaming validator
//! (which feeds it records from bytes) and the writer (which feeds it the rows it writes).

use std::borrow::Cow;
use std::collections::HashMap;

use crate::diag::{Code, Report, Severity};
use crate::id::MunicipalityCode;
use crate::layout::{Direction, DoseField, Layout, RowUnit};

use super::bytes::{all_ascii_digits, holds_control};
use super::cross::{
    compact_voucher_key, person_key_from_voucher, seen_person, seen_voucher, voucher_key,
    voucher_of_seen, Blinder, CrossState, DoseFact, KeySet, PersonDoses,
};
use super::emit::{Emitter, Found};
use super::field::{
    check_field, contains_my_number, CrossRow, FieldCtx, Memo, RowData, MAX_BLOCKS,
};
use super::header::{check_header, dose_blocks_en, HeaderVerdict};
use super::options::ValidateOptions;
use super::plan::ColumnPlan;
use super::rules::{check_row, pair_findings, RoleIndex, RowCtx};

/// The text of a row's fields, for the value a cross-row diagnostic shows: a row checked on
/// the spot has its decoded fields at hand; a row whose cross-row rules run later, on the
/// thread that keeps the cross-row state, decodes again the one field a finding needs.
pub(crate) trait FieldText {
    /// The text of field `i`, if it has one.
    fn text(&self, i: usize) -> Option<Cow<'_, str>>;
}

impl FieldText for [&str] {
    fn text(&self, i: usize) -> Option<Cow<'_, str>> {
        self.get(i).map(|s| Cow::Borrowed(*s))
    }
}

/// The keys of one row in the seen set (see [`seen_keys`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SeenKeys {
    keys: [u64; 1 + MAX_BLOCKS],
    /// The dose block of each voucher key.
    blocks: [u8; 1 + MAX_BLOCKS],
    count: u8,
    /// `keys[0]` is the person's.
    person: bool,
}

impl SeenKeys {
    fn keys(&self) -> &[u64] {
        self.keys.get(..usize::from(self.count)).unwrap_or(&[])
    }
}

/// Whether each key of a [`SeenKeys`] was in the seen set before its row.
type Known = [bool; 1 + MAX_BLOCKS];

/// Seen-set answers looked up for a batch of rows ahead of their cross-row rules.
#[derive(Debug, Default)]
struct Prepared {
    /// Each row's keys and answers, in order; empty when no batch is prepared.
    rows: Vec<(SeenKeys, Known)>,
    /// The next row's index in `rows`.
    next: usize,
    /// Scratch: all keys of the batch, and whether each was new.
    keys: Vec<u64>,
    new: Vec<bool>,
}

/// The keys of `row` in the seen set: the person (S03), then each distinct voucher (V02). A
/// function of the row alone: workers compute it with the row's other checks.
fn seen_keys(cross: &CrossState, row: &RowData) -> SeenKeys {
    let mut seen = SeenKeys {
        keys: [0; 1 + MAX_BLOCKS],
        blocks: [0; 1 + MAX_BLOCKS],
        count: 0,
        person: false,
    };
    let mut count = 0;
    if let Some(a) = row.addressee.filter(|_| cross.unique_person) {
        seen.keys[0] = seen_person(a);
        count = 1;
        seen.person = true;
    }
    let first_voucher = count;
    if cross.row_vouchers {
        for (block, slot) in row.doses.iter().enumerate() {
            let (Some(m), Some(v)) = (slot.municipality, slot.voucher) else {
                continue;
            };
            let key = seen_voucher(compact_voucher_key(&m, &v));
            // Doses 1 and 2 on one voucher sheet: the voucher counts once for the row.
            let listed = seen.keys.get(first_voucher..count).unwrap_or(&[]);
            if listed.contains(&key) || count == seen.keys.len() {
                continue;
            }
            seen.keys[count] = key;
            seen.blocks[count] = block as u8;
            count += 1;
        }
    }
    seen.count = count as u8;
    seen
}

/// No field text: for findings reported on another row's line.
const NO_TEXT: &[&str] = &[];

/// A row whose row rules ran on a worker thread and whose cross-row rules are still to run
/// (see [`Engine::defer_cross_rules`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct DeferredRow {
    /// Physical line of the row.
    pub line: u64,
    /// Index of the row's record in its batch.
    pub record: usize,
    /// The row's diagnostics end here in the batch's list (cross-row findings follow them).
    pub diag_end: usize,
    /// What the row's cross-row rules read.
    pub crossing: Crossing,
}

/// What the cross-row rules read of one row: its values and its keys in the seen set.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Crossing {
    pub row: CrossRow,
    pub seen: SeenKeys,
}

/// Names a download file must never carry as a column (N02).
const MY_NUMBER_HEADERS: &[&str] = &[
    "個人番号",
    "マイナンバー",
    "my number",
    "mynumber",
    "my_number",
];

#[derive(Debug)]
pub(crate) struct Engine {
    pub(crate) layout: Layout,
    pub(crate) opts: ValidateOptions,
    pub(crate) emit: Emitter,
    idx: RoleIndex,
    blinder: Blinder,
    memo: Memo,
    /// The layout's columns compiled for the row loop.
    plan: Vec<ColumnPlan>,
    row: RowData,
    /// What the cross-row rules of the row whose turn it is read.
    crossing: Crossing,
    cross: CrossState,
    tenant: Option<MunicipalityCode>,
    rows: u64,
    header_pending: bool,
    filled: Vec<bool>,
    /// Whether rows with errors are remembered by cross-row rules: yes for a file (the row is
    /// in it), no for the checked writer (a rejected row is not written).
    remember_rejected: bool,
    /// Set on a worker's engine: rows get their row rules here and are listed for the
    /// cross-row rules, which run on the engine holding the cross-row state.
    deferred: Option<Vec<DeferredRow>>,
    /// Index in its batch of the record being checked (for [`DeferredRow::record`]).
    pub(crate) record_index: usize,
    prepared: Prepared,
}

impl Engine {
    pub(crate) fn new(layout: Layout, opts: ValidateOptions) -> Self {
        let idx = RoleIndex::new(&layout);
        let c = layout.cross;
        let person_rows =
            matches!(layout.row_unit, RowUnit::Person | RowUnit::Inquiry) && layout.dose_blocks > 0;
        let cross = CrossState {
            seen: KeySet::default(),
            unique_person: c.unique_person,
            row_vouchers: c.voucher_single_owner && person_rows,
            voucher_owner: (c.voucher_single_owner && !person_rows).then(HashMap::new),
            my_number_owner: c.my_number_single_addressee.then(HashMap::new),
            doses: c.dose_sequence_across_rows.then(HashMap::new),
        };
        Engine {
            emit: Emitter::new(opts.max_diagnostics),
            tenant: opts.tenant,
            header_pending: opts.header,
            row: RowData::default(),
            crossing: Crossing::default(),
            blinder: Blinder::new(),
            memo: Memo::default(),
            plan: ColumnPlan::for_layout(&layout, &opts),
            filled: Vec::with_capacity(layout.columns.len()),
            remember_rejected: true,
            deferred: None,
            record_index: 0,
            prepared: Prepared::default(),
            idx,
            cross,
            rows: 0,
            layout,
            opts,
        }
    }

    /// Makes this engine check rows for `main` without their cross-row rules: diagnostics are
    /// buffered (within `main`'s limits) and each row is listed (see
    /// [`take_deferred`](Self::take_deferred)) for `main`, which holds the cross-row state; My
    /// Numbers are blinded as `main` does, so both produce the same keys.
    pub(crate) fn defer_cross_rules(&mut self, main: &Engine) {
        self.blinder = main.blinder.clone();
        // The header is read by the engine that hands rows over.
        self.header_pending = false;
        self.deferred = Some(Vec::new());
        self.emit.buffer_for(&main.emit);
    }

    /// Lists the next rows in `rows` (emptied), a list handed back from an earlier
    /// [`take_deferred`](Self::take_deferred), so no list is allocated per batch.
    pub(crate) fn list_deferred_in(&mut self, mut rows: Vec<DeferredRow>) {
        if let Some(listed) = self.deferred.as_mut().filter(|l| l.is_empty()) {
            rows.clear();
            *listed = rows;
        }
    }

    /// The diagnostics, rows counted and rows listed since the last call (a deferring engine).
    pub(crate) fn take_deferred(&mut self) -> (Vec<Found>, u64, Vec<DeferredRow>) {
        let rows = std::mem::take(&mut self.rows);
        let listed = self
            .deferred
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default();
        (self.emit.take_buffer(), rows, listed)
    }

    /// Adds rows checked by a worker to the count.
    pub(crate) fn add_rows(&mut self, rows: u64) {
        self.rows += rows;
    }

    /// Runs the cross-row rules of a row checked by a worker, in file order.
    pub(crate) fn cross_rules_of<T: FieldText + ?Sized>(
        &mut self,
        deferred: &DeferredRow,
        text: &T,
        field_lines: &[u64],
    ) {
        self.crossing = deferred.crossing;
        let errors_before = self.emit.builder.error_count();
        self.cross_stage(text, deferred.line, field_lines, errors_before);
    }

    /// Makes cross-row rules ignore rows with errors (for the checked writer).
    pub(crate) fn forget_rejected_rows(&mut self) {
        self.remember_rejected = false;
    }

    /// Data rows seen so far.
    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }

    /// Errors so far.
    pub(crate) fn error_count(&self) -> u64 {
        self.emit.builder.error_count()
    }

    /// True while the next record is expected to be the header.
    pub(crate) fn expects_header(&self) -> bool {
        self.header_pending
    }

    /// Checks the header row (F02, N02); a header of the same layout with another number of
    /// dose blocks switches to that layout when the options allow (see
    /// [`ValidateOptions::dose_blocks_from_header`]).
    pub(crate) fn header(&mut self, values: &[&str], line: u64) {
        self.header_pending = false;
        if self.layout.direction == Direction::Download {
            if let Some(i) = values
                .iter()
                .position(|v| MY_NUMBER_HEADERS.contains(&v.trim().to_lowercase().as_str()))
            {
                self.emit.row(
                    Code::N02,
                    Severity::Error,
                    line,
                    format!("column {} is a My Number column; download-type files must never carry one", i + 1),
                    format!("{}列目は個人番号の項目です。ダウンロード系ファイルに個人番号を含めてはいけません", i + 1),
                );
            }
            if let Some(i) = values.iter().position(|v| contains_my_number(v)) {
                self.emit.row(
                    Code::N02,
                    Severity::Error,
                    line,
                    format!("column {} of the header row holds a value with the shape of a My Number (12 digits, valid check digit); download-type files must never carry one", i + 1),
                    format!("見出し行の{}列目に個人番号の形（12桁・検査数字一致）の値があります。ダウンロード系ファイルに個人番号を含めてはいけません", i + 1),
                );
            }
        }
        match check_header(&self.layout, values, self.opts.dose_blocks_from_header) {
            HeaderVerdict::Matches => {}
            HeaderVerdict::OtherBlocks(layout) => {
                let (k, n) = (layout.dose_blocks, layout.columns.len());
                let qid = layout.qualified_id();
                self.emit.row(
                    Code::F02,
                    Severity::Info,
                    line,
                    format!(
                        "the header has {} ({n} columns): checked as {qid} with {}",
                        dose_blocks_en(k),
                        dose_blocks_en(k)
                    ),
                    format!("見出しは接種回{k}回分（{n}項目）です。{qid} を接種回{k}回分として検査しました"),
                );
                self.relayout(layout);
            }
            HeaderVerdict::Mismatch(en, ja, other) => {
                self.emit.row(Code::F02, Severity::Error, line, en, ja);
                if let Some(layout) = other {
                    self.relayout(layout);
                }
            }
        }
        self.emit.end_row(line);
    }

    /// Checks rows against `layout` from now on (before any row: the header has just been
    /// read).
    fn relayout(&mut self, layout: Layout) {
        let fresh = Engine::new(layout, self.opts.clone());
        self.idx = fresh.idx;
        self.plan = fresh.plan;
        self.cross = fresh.cross;
        self.filled = fresh.filled;
        self.layout = fresh.layout;
    }

    /// Validates one data row. `ok[i]` is false for fields that could not be decoded (already
    /// reported). `no_controls`: the caller knows no field holds a control character or a BOM
    /// (it checked the whole record at once), so fields need not be scanned one by one.
    pub(crate) fn row(
        &mut self,
        values: &[&str],
        ok: &[bool],
        line: u64,
        field_lines: &[u64],
        no_controls: bool,
    ) {
        self.rows += 1;
        let errors_before = self.emit.builder.error_count();
        let expected = self.layout.columns.len();
        if values.len() != expected {
            self.emit.row(
                Code::F03,
                Severity::Error,
                line,
                format!(
                    "{} fields, layout {} has {expected}",
                    values.len(),
                    self.layout.qualified_id()
                ),
                format!(
                    "項目数が{}です。レイアウト {} は{expected}項目です",
                    values.len(),
                    self.layout.qualified_id()
                ),
            );
            self.emit.end_row(line);
            return;
        }
        self.row.reset(usize::from(self.layout.dose_blocks));
        self.filled.clear();
        let download = self.layout.direction == Direction::Download;
        for (i, (column, plan)) in self.layout.columns.iter().zip(&self.plan).enumerate() {
            let v = values[i];
            let decoded = ok.get(i).copied().unwrap_or(true);
            // A field that failed to decode (reported as F01) still holds something.
            let filled = !v.is_empty() || !decoded;
            self.filled.push(filled);
            if !decoded {
                continue;
            }
            if !filled {
                if plan.required {
                    let fline = field_lines.get(i).copied().unwrap_or(line);
                    self.emit.field(
                        Code::R01,
                        Severity::Error,
                        fline,
                        column,
                        i,
                        None,
                        "required, but empty",
                        "必須項目ですが空欄です",
                    );
                }
                continue;
            }
            if let Some((block, bit)) = plan.dose_bit {
                if let Some(slot) = self.row.doses.get_mut(block) {
                    slot.filled |= bit;
                }
            }
            let fline = field_lines.get(i).copied().unwrap_or(line);
            if plan.must_be_empty {
                self.emit.field(
                    Code::R02,
                    Severity::Error,
                    fline,
                    column,
                    i,
                    Some(v),
                    "must be empty in this layout",
                    "このレイアウトでは空欄でなければなりません",
                );
            }
            // N02: a My Number where a download file must never have one (digit strings of
            // another length, most fields of a dose block, cannot hold one).
            if plan.no_my_number
                && v.len() >= 12
                && !(v.len() != 12 && all_ascii_digits(v))
                && contains_my_number(v)
            {
                self.emit.field(
                    Code::N02,
                    Severity::Error,
                    fline,
                    column,
                    i,
                    Some(v),
                    "holds a value with the shape of a My Number (12 digits, valid check digit); download-type files must never carry one",
                    "個人番号の形（12桁・検査数字一致）の値があります。ダウンロード系ファイルに個人番号を含めてはいけません",
                );
                continue;
            }
            if plan.must_be_empty {
                // A value where none belongs is not checked further (R02 says it all, with N02
                // above when it could be a My Number).
                continue;
            }
            // Digit strings (most fields of a dose block) need no control-character scan.
            if let Some((pos, c)) = (!no_controls && !all_ascii_digits(v) && holds_control(v))
                .then(|| crate::text::first_control_char(v))
                .flatten()
            {
                let (code, en, ja) = if c == '\u{FEFF}' {
                    (
                        Code::F01,
                        "byte-order mark (U+FEFF) inside the file: files were concatenated?"
                            .to_owned(),
                        "ファイルの途中にBOM（U+FEFF）があります。ファイルを連結していませんか"
                            .to_owned(),
                    )
                } else {
                    (
                        Code::F04,
                        format!("control character U+{:04X} at position {pos}", u32::from(c)),
                        format!("{pos}文字目に制御文字 U+{:04X} があります", u32::from(c)),
                    )
                };
                self.emit
                    .field(code, Severity::Error, fline, column, i, Some(v), &en, &ja);
                continue;
            }
            // Most values are valid: stored without the full check.
            if plan
                .accept
                .try_accept(v, &mut self.row, &mut self.memo, &self.opts)
            {
                continue;
            }
            let mut ctx = FieldCtx {
                opts: &self.opts,
                emit: &mut self.emit,
                blinder: &self.blinder,
                memo: &mut self.memo,
                download,
                line: fline,
                index: i,
                column,
            };
            check_field(&mut ctx, v, &mut self.row);
        }
        let mut ctx = RowCtx {
            layout: &self.layout,
            opts: &self.opts,
            idx: &self.idx,
            emit: &mut self.emit,
            row: &self.row,
            line,
            field_lines,
            filled: &self.filled,
            values,
        };
        check_row(&mut ctx);
        self.emit.end_row(line);
        let crossing = Crossing {
            row: CrossRow::of(&self.row),
            seen: seen_keys(&self.cross, &self.row),
        };
        if let Some(listed) = self.deferred.as_mut() {
            listed.push(DeferredRow {
                line,
                record: self.record_index,
                diag_end: self.emit.buffered(),
                crossing,
            });
            return;
        }
        self.crossing = crossing;
        self.cross_stage(values, line, field_lines, errors_before);
    }

    /// Rules that need earlier rows: the uploading municipality (M03), then the cross-row rules.
    fn cross_stage<T: FieldText + ?Sized>(
        &mut self,
        values: &T,
        line: u64,
        field_lines: &[u64],
        errors_before: u64,
    ) {
        self.check_tenant(values, line, field_lines);
        self.cross_rules(values, line, field_lines, errors_before);
        self.emit.end_row(line);
    }

    /// M03: upload rows belong to the uploading municipality (the configured one, else the
    /// first row's).
    fn check_tenant<T: FieldText + ?Sized>(&mut self, values: &T, line: u64, field_lines: &[u64]) {
        if !matches!(
            self.layout.row_unit,
            RowUnit::SubjectVoucher | RowUnit::Flag
        ) {
            return;
        }
        let Some(code) = self.crossing.row.municipality else {
            return;
        };
        match self.tenant {
            None => self.tenant = Some(code),
            Some(t) if t != code => {
                let col = self.idx.municipality;
                let at = col
                    .and_then(|i| field_lines.get(i).copied())
                    .unwrap_or(line);
                self.at(
                    Code::M03,
                    col,
                    at,
                    values,
                    &format!("{code} is not the uploading municipality {t}"),
                    &format!("{code} は登録する自治体 {t} ではありません"),
                );
            }
            Some(_) => {}
        }
    }

    fn at<T: FieldText + ?Sized>(
        &mut self,
        code: Code,
        col: Option<usize>,
        line: u64,
        values: &T,
        en: &str,
        ja: &str,
    ) {
        let value = col.and_then(|i| values.text(i));
        self.emit.at(
            &self.layout.columns,
            code,
            code.default_severity(),
            line,
            col,
            value.as_deref(),
            en,
            ja,
        );
    }

    /// Looks up the seen-set keys of a whole batch of rows at once (`rows`: consecutive
    /// slices of it, in file order), before their cross-row rules run one by one: tens of
    /// thousands of lookups in ascending order sweep the set once, where the few keys of one
    /// row would each miss the cache. Same answers as row by row.
    pub(crate) fn prepare_batch<'a>(&mut self, rows: impl IntoIterator<Item = &'a [DeferredRow]>) {
        let p = &mut self.prepared;
        p.keys.clear();
        p.rows.clear();
        p.next = 0;
        for row in rows.into_iter().flatten() {
            let seen = row.crossing.seen;
            p.keys.extend_from_slice(seen.keys());
            p.rows.push((seen, [false; 1 + MAX_BLOCKS]));
        }
        p.new.clear();
        p.new.resize(p.keys.len(), false);
        self.cross.seen.insert_many(&p.keys, &mut p.new);
        let mut new = p.new.iter();
        for (seen, known) in &mut p.rows {
            for (k, n) in known.iter_mut().zip(new.by_ref().take(seen.keys().len())) {
                *k = !n;
            }
        }
    }

    /// Ends a batch begun with [`prepare_batch`](Self::prepare_batch).
    pub(crate) fn end_batch(&mut self) {
        self.prepared.rows.clear();
        self.prepared.next = 0;
    }

    /// Whether each key of the current row was seen before it: looked up ahead for a batch,
    /// else now (inserting at once when `insert_now`).
    fn known_keys(&mut self, insert_now: bool) -> (SeenKeys, Known) {
        if let Some(prepared) = self.prepared.rows.get(self.prepared.next) {
            self.prepared.next += 1;
            return *prepared;
        }
        let seen = self.crossing.seen;
        let keys = seen.keys();
        let mut known = [false; 1 + MAX_BLOCKS];
        if insert_now {
            let mut new = [false; 1 + MAX_BLOCKS];
            let new = new.get_mut(..keys.len()).unwrap_or(&mut []);
            self.cross.seen.insert_many(keys, new);
            for (k, n) in known.iter_mut().zip(new.iter()) {
                *k = !n;
            }
        } else {
            for (k, key) in known.iter_mut().zip(keys) {
                *k = self.cross.seen.contains(*key);
            }
        }
        (seen, known)
    }

    /// Cross-row rules: first every check (nothing remembered yet), then, unless the row is
    /// rejected and this engine only remembers accepted rows (the checked writer), remember
    /// the row's keys.
    fn cross_rules<T: FieldText + ?Sized>(
        &mut self,
        values: &T,
        line: u64,
        field_lines: &[u64],
        errors_before: u64,
    ) {
        let line_of = |col: Option<usize>| {
            col.and_then(|i| field_lines.get(i).copied())
                .unwrap_or(line)
        };
        // A file's rows are always remembered, so its checks insert at once (one lookup, not
        // two) and all keys of the row together (their cache misses overlap); the checked
        // writer looks first and remembers after (see the end).
        let insert_now = self.remember_rejected;
        let (
            SeenKeys {
                keys,
                blocks,
                count,
                person,
            },
            known,
        ) = self.known_keys(insert_now);
        let first_voucher = usize::from(person);
        // S03: one row per person.
        if person && known[0] {
            let col = self.idx.addressee;
            self.at(
                Code::S03,
                col,
                line_of(col),
                values,
                "this person already has a row earlier in the file",
                "この対象者の行がファイルの前の方にすでにあります",
            );
        }
        // V02 in one-row-per-person files: a voucher seen on an earlier row belongs to another person.
        let count = usize::from(count);
        if let Some(i) = (first_voucher..count).find(|i| known[*i]) {
            let block = usize::from(blocks[i]);
            // The voucher again from its key (rows carry only the first dose block over).
            if let Some((m, v)) = voucher_of_seen(keys[i]) {
                let col = self.idx.dose_col(block, DoseField::Voucher);
                self.at(
                    Code::V02,
                    col,
                    line_of(col),
                    values,
                    &format!("voucher {m}-{v} is already used by another row (another person)"),
                    &format!("接種券 {m}-{v} は別の行（別の人）ですでに使われています"),
                );
            }
        }
        // V02 / S03 in one-row-per-voucher files.
        let row = &self.crossing.row;
        let voucher_owner = match (row.municipality, row.voucher, row.addressee) {
            (Some(m), Some(v), Some(person)) => Some((voucher_key(&m, &v), person, m, v)),
            _ => None,
        };
        if let (Some(owners), Some((key, person, m, v))) =
            (self.cross.voucher_owner.as_ref(), voucher_owner)
        {
            match owners.get(&key) {
                Some(owner) if *owner != person => {
                    let col = self.idx.voucher;
                    self.at(
                        Code::V02,
                        col,
                        line_of(col),
                        values,
                        &format!(
                            "voucher {m}-{v} is already registered to another addressee number"
                        ),
                        &format!("接種券 {m}-{v} は別の宛名番号にすでに登録されています"),
                    );
                }
                Some(_) => {
                    let col = self.idx.voucher;
                    self.at(
                        Code::S03,
                        col,
                        line_of(col),
                        values,
                        &format!("voucher {m}-{v} is registered twice for this person"),
                        &format!("接種券 {m}-{v} がこの対象者に二重に登録されています"),
                    );
                }
                None => {}
            }
        }
        // N03: one My Number, one addressee number.
        if let (Some(owners), Some(n), Some(person)) = (
            self.cross.my_number_owner.as_ref(),
            self.crossing.row.my_number,
            self.crossing.row.addressee,
        ) {
            if owners.get(&n).is_some_and(|owner| *owner != person) {
                let col = self.idx.my_number;
                self.at(
                    Code::N03,
                    col,
                    line_of(col),
                    values,
                    "this My Number is already attached to another addressee number",
                    "この個人番号は別の宛名番号にすでに付いています",
                );
            }
        }
        let dose = self.dose_history_check(values, line, field_lines);

        if !self.remember_rejected && self.emit.builder.error_count() > errors_before {
            return;
        }
        if !insert_now {
            for key in &keys[..count] {
                self.cross.seen.insert(*key);
            }
        }
        if let (Some(owners), Some((key, person, ..))) =
            (self.cross.voucher_owner.as_mut(), voucher_owner)
        {
            owners.entry(key).or_insert(person);
        }
        if let (Some(owners), Some(n), Some(person)) = (
            self.cross.my_number_owner.as_mut(),
            self.crossing.row.my_number,
            self.crossing.row.addressee,
        ) {
            owners.entry(n).or_insert(person);
        }
        if let (Some(history), Some((person, fact))) = (self.cross.doses.as_mut(), dose) {
            let entry = history.entry(person).or_default();
            if entry.get(fact.n).is_none() {
                entry.set(fact);
            }
        }
    }

    /// S02, S03, S04, S06 across the rows of a one-row-per-dose file. Returns the person and
    /// dose to remember.
    fn dose_history_check<T: FieldText + ?Sized>(
        &mut self,
        values: &T,
        line: u64,
        field_lines: &[u64],
    ) -> Option<(u64, DoseFact)> {
        let history = self.cross.doses.as_ref()?;
        let row = &self.crossing.row;
        let slot = row.first_dose;
        let (Some(n), Some(date)) = (row.dose_number, slot.date) else {
            return None;
        };
        let person = match (row.addressee, slot.municipality, slot.voucher) {
            (Some(a), _, _) => a,
            (None, Some(m), Some(v)) => person_key_from_voucher(voucher_key(&m, &v)),
            _ => return None,
        };
        let n = n.get();
        let fact = DoseFact {
            n,
            date,
            maker: slot.maker,
            line,
        };
        let known = history.get(&person).copied().unwrap_or_default();
        if let Some(earlier) = known.get(n) {
            let col = self.idx.dose_number;
            let at = col
                .and_then(|i| field_lines.get(i).copied())
                .unwrap_or(line);
            let (en, ja) = (
                format!(
                    "dose {n} of this person is already on line {}",
                    earlier.line
                ),
                format!("この対象者の{n}回目は{}行目にすでにあります", earlier.line),
            );
            self.at(Code::S03, col, at, values, &en, &ja);
            return None;
        }
        let before = n.checked_sub(1).and_then(|p| known.get(p));
        let after = known.get(n + 1);
        let tables = self.opts.tables.clone();
        let date_col = self.idx.dose_col(0, DoseField::VaccinatedOn);
        if let Some(prev) = before {
            for f in pair_findings(&tables, prev, fact) {
                let (en, ja) = f.messages(prev, fact, &tables);
                self.at(f.code, date_col, line, values, &en, &ja);
            }
        }
        if let Some(next) = after {
            // The later dose was read first: report on its line, without its values at hand.
            for f in pair_findings(&tables, fact, next) {
                let (en, ja) = f.messages(fact, next, &tables);
                self.at(f.code, date_col, next.line, NO_TEXT, &en, &ja);
            }
        }
        Some((person, fact))
    }

    /// Ends the run: file-level findings (empty file, S01 gaps) and the report.
    pub(crate) fn finish(mut self, encoding: Option<&'static str>, bom: bool) -> Report {
        if self.header_pending {
            self.emit.row(
                Code::F02,
                Severity::Error,
                1,
                format!(
                    "the file is empty: no header row (layout {})",
                    self.layout.qualified_id()
                ),
                format!(
                    "ファイルが空です。見出し行がありません（レイアウト {}）",
                    self.layout.qualified_id()
                ),
            );
        }
        if let Some(history) = self.cross.doses.take() {
            let col = self.idx.dose_col(0, DoseField::VaccinatedOn);
            // Emit in file order: a hash map's order differs from run to run, and with a
            // diagnostics limit the kept examples must be the first ones.
            let mut people: Vec<&PersonDoses> = history.values().collect();
            people.sort_by_key(|d| d.first_line());
            for doses in people {
                // Gaps between the lowest and highest dose of a person: earlier doses may already be
                // in VRS, so only a hole in the middle is suspicious.
                let seen: Vec<u8> = doses.seen().collect();
                for pair in seen.windows(2) {
                    if pair[1] > pair[0] + 1 {
                        if let Some(fact) = doses.get(pair[1]) {
                            let (n, p) = (pair[1], pair[1] - 1);
                            self.at(Code::S01, col, fact.line, NO_TEXT, &format!("dose {n} is in the file but dose {p} of the same person is not"), &format!("{n}回目はありますが、同じ対象者の{p}回目がファイルにありません"));
                        }
                    }
                }
            }
        }
        self.emit.end_row(0);
        let rows = self.rows;
        let layout = self.layout;
        self.emit
            .builder
            .finish(layout.id, layout.version, encoding, bom, rows)
    }
}
