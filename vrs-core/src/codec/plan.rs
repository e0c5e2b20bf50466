//! A layout's columns compiled once for the row loop.
//!
//! On a file of millions of rows, most fields are valid, and most of the cost of checking one
//! is finding out what to do with it: which requirement applies, which dose block it fills,
//! which parser runs, where its value goes. A [`ColumnPlan`] answers these once per column.
//! Its [`Accept`] parses a value and stores it only when the value is valid with nothing to
//! report; anything else (an invalid value, a warning, a type without a fast path) goes to
//! the full check ([`super::field::check_field`]), which parses it again and reports, so the
//! diagnostics never depend on the fast path.

use crate::date::{Date, DateTime};
use crate::id::{MunicipalityCode, VoucherNumber};
use crate::layout::{Column, Direction, FieldType, Layout, Requirement, Role, RowUnit};
use crate::text;

use super::field::{field_bit, lot_fast_path, Memo, RowData};
use super::options::{ValidateOptions, WidthUnit};

/// What the row loop needs to know about one column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ColumnPlan {
    /// For a dose-block column: the block and the field's bit in
    /// [`DoseSlot::filled`](super::field::DoseSlot::filled).
    pub dose_bit: Option<(usize, u8)>,
    /// An empty value is an error here (R01).
    pub required: bool,
    /// A value is an error here (R02).
    pub must_be_empty: bool,
    /// A value holding a My Number is an error here (N02: any column of a download layout but
    /// the addressee number, whose own check warns of one).
    pub no_my_number: bool,
    /// The fast acceptance of a valid value.
    pub accept: Accept,
}

impl ColumnPlan {
    /// The plan of every column of `layout`, in order.
    pub(crate) fn for_layout(layout: &Layout, opts: &ValidateOptions) -> Vec<ColumnPlan> {
        layout
            .columns
            .iter()
            .map(|column| ColumnPlan::of(column, layout, opts))
            .collect()
    }

    fn of(column: &Column, layout: &Layout, opts: &ValidateOptions) -> ColumnPlan {
        let row_unit = layout.row_unit;
        // A tenant configured "no My Number" may leave it empty in its registration upload.
        let required = column.requirement == Requirement::Required
            && (column.ty != FieldType::MyNumber
                || row_unit != RowUnit::SubjectVoucher
                || opts.require_my_number);
        let dose_bit = match column.role {
            Role::Dose { block, field } => Some((usize::from(block), field_bit(field))),
            _ => None,
        };
        ColumnPlan {
            dose_bit,
            required,
            must_be_empty: column.requirement == Requirement::Empty,
            // An addressee number's own check says N02 (as a warning: a numeric addressee
            // number can be 12 digits), unless the column must be empty and is not checked.
            no_my_number: layout.direction == Direction::Download
                && (column.ty != FieldType::AddresseeNumber
                    || column.requirement == Requirement::Empty),
            accept: Accept::of(column),
        }
    }
}

/// How a valid value of a column is recognised and stored without the full check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accept {
    /// Always the full check (rare types, and those with warnings on valid values).
    Full,
    /// A date (`YYYYMMDD`) stored by role.
    Date(Role),
    /// A registration time (`YYYYMMDDhhmmss`) of a dose block.
    DoseDateTime(usize),
    /// A voucher number stored by role.
    Voucher(Role),
    /// A municipality code stored by role; valid and, when the options ask, in the code table.
    Municipality(Role),
    /// A manufacturer spelling the vaccine tables know, of a dose block.
    Maker(usize),
    /// A lot number of the common shape, of a dose block.
    Lot(usize),
    /// Text within its width: no longer in bytes than the width, or (when widths count
    /// characters) in characters.
    Width(Option<usize>),
}

impl Accept {
    fn of(column: &Column) -> Accept {
        let block = match column.role {
            Role::Dose { block, .. } => Some(usize::from(block)),
            _ => None,
        };
        match (&column.ty, block) {
            (FieldType::Date, _) => Accept::Date(column.role),
            (FieldType::DateTime, Some(block)) => Accept::DoseDateTime(block),
            (FieldType::VoucherNumber, _) => Accept::Voucher(column.role),
            (FieldType::MunicipalityCode, _) => Accept::Municipality(column.role),
            (FieldType::Manufacturer, Some(block)) => Accept::Maker(block),
            (FieldType::Lot, Some(block)) => Accept::Lot(block),
            (FieldType::Text | FieldType::Name, _) => Accept::Width(column.width.map(usize::from)),
            _ => Accept::Full,
        }
    }

    /// Stores the typed value of `v` in `row` and returns true when `v` is valid and the full
    /// check would report nothing; returns false (storing nothing) otherwise. Every parser
    /// here accepts ASCII digits only, so full-width digits (F05) always take the full check.
    #[inline]
    pub(crate) fn try_accept(
        self,
        v: &str,
        row: &mut RowData,
        memo: &mut Memo,
        opts: &ValidateOptions,
    ) -> bool {
        match self {
            Accept::Full => false,
            Accept::Date(role) => match Date::parse_yyyymmdd(v) {
                Ok(date) => {
                    store_date(role, date, row);
                    true
                }
                Err(_) => false,
            },
            Accept::DoseDateTime(block) => match DateTime::parse_yyyymmddhhmmss(v) {
                Ok(time) => {
                    if let Some(slot) = row.doses.get_mut(block) {
                        slot.registered_at = Some(time);
                    }
                    true
                }
                Err(_) => false,
            },
            Accept::Voucher(role) => match VoucherNumber::parse(v) {
                Ok(number) => {
                    store_voucher(role, number, row);
                    true
                }
                Err(_) => false,
            },
            Accept::Municipality(role) => match memo.municipality(v) {
                Ok(code) if !opts.check_code_table || memo.in_code_table(code) => {
                    store_municipality(role, code, row);
                    true
                }
                _ => false,
            },
            Accept::Maker(block) => match memo.maker(&opts.tables, v) {
                Some(id) => {
                    if let Some(slot) = row.doses.get_mut(block) {
                        slot.maker = Some(id);
                    }
                    true
                }
                None => false,
            },
            Accept::Lot(block) => {
                let ok = lot_fast_path(v).is_some();
                if let Some(slot) = row.doses.get_mut(block).filter(|_| ok) {
                    slot.lot_ok = true;
                }
                ok
            }
            // Characters never outnumber bytes, and CP932 needs at most as many bytes as
            // UTF-8 does; in characters, the count is cheap enough to take here too.
            Accept::Width(max) => max.is_none_or(|max| {
                v.len() <= max
                    || (opts.width_unit == WidthUnit::Chars && text::char_count(v) <= max)
            }),
        }
    }
}

/// Stores a date by the role of its column.
pub(crate) fn store_date(role: Role, date: Date, row: &mut RowData) {
    match role {
        Role::BirthDate => row.birth = Some(date),
        Role::IssueDate => row.issue_date = Some(date),
        Role::FlagDate => row.flag_date = Some(date),
        Role::Dose { block, .. } => {
            if let Some(slot) = row.doses.get_mut(usize::from(block)) {
                slot.date = Some(date);
            }
        }
        _ => {}
    }
}

/// Stores a municipality code by the role of its column.
pub(crate) fn store_municipality(role: Role, code: MunicipalityCode, row: &mut RowData) {
    match role {
        Role::Municipality => row.municipality = Some(code),
        Role::Destination => row.destination = Some(code),
        Role::Dose { block, .. } => {
            if let Some(slot) = row.doses.get_mut(usize::from(block)) {
                slot.municipality = Some(code);
            }
        }
        _ => {}
    }
}

/// Stores a voucher number by the role of its column.
pub(crate) fn store_voucher(role: Role, number: VoucherNumber, row: &mut RowData) {
    match role {
        Role::Dose { block, .. } => {
            if let Some(slot) = row.doses.get_mut(usize::from(block)) {
                slot.voucher = Some(number);
            }
        }
        _ => row.voucher = Some(number),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::codec::cross::Blinder;
    use crate::codec::emit::Emitter;
    use crate::codec::field::{check_field, FieldCtx};
    use crate::layout::{self, Direction, LayoutParams};

    /// The full check of `v` in `column`: whether it passed with nothing reported, and the
    /// row it left (as text, for comparison).
    fn full_check(layout: &Layout, i: usize, v: &str, opts: &ValidateOptions) -> (bool, String) {
        let mut row = RowData::default();
        row.reset(usize::from(layout.dose_blocks));
        let mut emit = Emitter::new(None);
        emit.buffer_for(&Emitter::new(None));
        let mut memo = Memo::default();
        let blinder = Blinder::new();
        let mut ctx = FieldCtx {
            opts,
            emit: &mut emit,
            blinder: &blinder,
            memo: &mut memo,
            download: layout.direction == Direction::Download,
            line: 2,
            index: i,
            column: &layout.columns[i],
        };
        let ok = check_field(&mut ctx, v, &mut row);
        (ok && emit.buffered() == 0, format!("{row:?}"))
    }

    /// The fast path on `v`: whether it accepted, and the row it left.
    fn fast_check(
        layout: &Layout,
        plan: &ColumnPlan,
        v: &str,
        opts: &ValidateOptions,
    ) -> (bool, String) {
        let mut row = RowData::default();
        row.reset(usize::from(layout.dose_blocks));
        let mut memo = Memo::default();
        let accepted = plan.accept.try_accept(v, &mut row, &mut memo, opts);
        (accepted, format!("{row:?}"))
    }

    /// Values near and far from each type's valid shapes.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9]{6}",
            "[0-9]{8}",
            "20[12][0-9](0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])",
            "20[12][0-9](0[1-9]|1[0-2])[0-3][0-9][0-2][0-9][0-5][0-9][0-5][0-9]",
            "[0-9]{10}",
            "[0-9]{14}",
            "[0-9０-９]{6,10}",
            "[A-Z0-9-]{0,22}",
            "0[0-9]{0,5}",
            Just("ファイザー".to_owned()),
            Just("武田/モデルナ".to_owned()),
            Just("モデルナ".to_owned()),
            Just("232378".to_owned()),
            Just("011002".to_owned()),
            Just("130001".to_owned()),
            Just("EY0956".to_owned()),
            Just("105G39A".to_owned()),
            "[ァ-ヶ　 ]{0,12}",
            "\\PC{0,70}",
            ".{0,4}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(600))]

        /// Whatever the fast path accepts, the full check accepts with nothing to report and
        /// stores the same values; whatever it refuses, it leaves the row untouched.
        #[test]
        fn fast_acceptance_agrees_with_the_full_check(
            v in value(),
            code_table in any::<bool>(),
            cp932_widths in any::<bool>(),
        ) {
            let opts = ValidateOptions {
                check_code_table: code_table,
                width_unit: if cp932_widths { WidthUnit::Cp932Bytes } else { WidthUnit::Chars },
                ..ValidateOptions::default()
            };
            for layout in layout::all(&LayoutParams::default()) {
                let plans = ColumnPlan::for_layout(&layout, &opts);
                let mut blank = RowData::default();
                blank.reset(usize::from(layout.dose_blocks));
                let blank = format!("{blank:?}");
                for (i, plan) in plans.iter().enumerate() {
                    let (fast, fast_row) = fast_check(&layout, plan, &v, &opts);
                    if fast {
                        let (full, full_row) = full_check(&layout, i, &v, &opts);
                        prop_assert!(full, "{} column {i}: {v:?} accepted fast only", layout.id);
                        prop_assert_eq!(fast_row, full_row);
                    } else {
                        prop_assert_eq!(&fast_row, &blank);
                    }
                }
            }
        }
    }

    #[test]
    fn common_values_take_the_fast_path() {
        let opts = ValidateOptions::default();
        let layout = layout::find("ledger-export", &LayoutParams::default()).expect("layout");
        let plans = ColumnPlan::for_layout(&layout, &opts);
        let value_of = |accept: Accept| match accept {
            Accept::Date(_) => "20210823",
            Accept::DoseDateTime(_) => "20210826143736",
            Accept::Voucher(_) => "4285497192",
            Accept::Municipality(_) => "232378",
            Accept::Maker(_) => "ファイザー",
            Accept::Lot(_) => "EY0956",
            Accept::Width(_) => "あま市保健センター",
            Accept::Full => "",
        };
        let mut fast_columns = 0;
        for plan in &plans {
            if plan.accept == Accept::Full {
                continue;
            }
            let (accepted, _) = fast_check(&layout, plan, value_of(plan.accept), &opts);
            assert!(accepted, "{:?}", plan.accept);
            fast_columns += 1;
        }
        // Every dose-block column and nothing else but the addressee number.
        assert_eq!(fast_columns, plans.len() - 1);
        assert!(plans.iter().all(|p| !p.must_be_empty));
    }
}
