//! Download files: the ledger export (予防接種台帳向け出力) and the awaiting-registration list.
//! Neither layout has a My Number column, so neither can carry one.

use std::borrow::Cow;
use std::io::Write;

use crate::codec::{AwaitingRow, CsvWriter, DoseEntry, LedgerRow, WriteError, WriteOptions};
use crate::crypto::{RecordKey, RecordKind};
use crate::id::{AddresseeNumber, MunicipalityCode, VoucherKey, VoucherNumber};
use crate::layout::{self, LayoutParams};
use crate::store::Store;
use crate::text::{cp932_replacement, fold_to_cp932, TextError};

use super::access::Access;
use super::area::Area;
use super::error::RegistryError;
use super::model::{self, AwaitingRec, DoseRec, SubjectRec, VoucherRec};
use super::principal::Principal;
use super::query::doses_of;
use super::Registry;

/// Dose blocks in an export unless a dose number needs more.
const DEFAULT_BLOCKS: usize = 7;

fn entry(area: &Area, voucher: &str, d: &DoseRec) -> Result<DoseEntry, RegistryError> {
    let number = VoucherNumber::parse(voucher)
        .map_err(|_| RegistryError::Corrupt("a stored voucher number is malformed".into()))?;
    Ok(DoseEntry {
        registered_at: model::unstamp(d.registered_at)?,
        vaccinated_on: model::date(d.vaccinated_on)?,
        voucher: VoucherKey::new(area.code, number),
        venue: exportable(&d.venue),
        doctor: exportable(&d.doctor),
        manufacturer: d.manufacturer.clone(),
        lot: d.lot.clone(),
    })
}

/// A stored text as exported: folded like new entries are (stores written before the registry
/// folded at entry may hold 〜 and its kin). A value CP932 cannot hold at all is kept as is:
/// UTF-8 carries it, and a CP932 export names its row (see [`row_err`]).
fn exportable(stored: &str) -> String {
    fold_to_cp932(stored).map_or_else(|_| stored.to_owned(), Cow::into_owned)
}

fn blocks(
    doses: &[(String, DoseRec)],
    area: &Area,
    n: usize,
) -> Result<Vec<Option<DoseEntry>>, RegistryError> {
    let mut out = vec![None; n];
    for (voucher, d) in doses {
        if let Some(slot) = out.get_mut(usize::from(d.dose).saturating_sub(1)) {
            *slot = Some(entry(area, voucher, d)?);
        }
    }
    Ok(out)
}

/// Highest dose number stored in the tenant (at least the default block count).
fn block_count(store: &mut dyn Store, area: &Area) -> Result<usize, RegistryError> {
    let mut max = DEFAULT_BLOCKS;
    area.scan::<VoucherRec>(store, RecordKind::Voucher, |_, v| {
        for d in &v.doses {
            max = max.max(usize::from(d.dose));
        }
        Ok(true)
    })?;
    Ok(max)
}

/// Addressee numbers in the order a person expects: numeric ones by value, then the rest.
fn sort_key(a: &str) -> (usize, &str) {
    (a.len(), a)
}

fn export_err(e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Export(e.to_string())
}

/// A row that could not be written, naming it (`row`), the column and, for a character the
/// encoding lacks, a replacement when one is known.
fn row_err(row: &str, e: &WriteError) -> RegistryError {
    let hint = match e {
        WriteError::Unencodable {
            source: TextError::Unencodable { ch, .. },
            ..
        } => cp932_replacement(*ch).map_or_else(
            || "; correct the dose with a character of JIS X 0208".to_owned(),
            |r| format!("; correct the dose, replacing it with '{r}'"),
        ),
        _ => String::new(),
    };
    RegistryError::Export(format!("{row}: {e}{hint}"))
}

impl Registry {
    /// Writes the ledger export of `tenant` (staff only): one row per subject with doses, in
    /// addressee-number order, 7 dose blocks (more when a stored dose number needs them).
    /// Returns the number of rows.
    ///
    /// Stored text is folded as at entry (〜 → ～...), so everything stored since the registry
    /// checks text at entry exports in every encoding.
    ///
    /// # Errors
    /// [`RegistryError::Export`] when writing fails, or when a value stored by an older version
    /// cannot be written in CP932 (the message names the addressee number, the column and a
    /// replacement), [`RegistryError::Forbidden`].
    pub fn export_ledger(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        out: &mut dyn Write,
        options: WriteOptions,
    ) -> Result<u64, RegistryError> {
        self.run(
            principal,
            "export-ledger",
            Some(tenant),
            Access::Staff,
            |ctx| {
                let area = ctx.area()?;
                let n = block_count(ctx.store, &area)?;
                let layout = layout::find(
                    "ledger-export",
                    &LayoutParams {
                        dose_blocks: u8::try_from(n).unwrap_or(9),
                    },
                )
                .map_err(export_err)?;
                let mut subjects: Vec<(String, RecordKey)> = Vec::new();
                area.scan::<SubjectRec>(ctx.store, RecordKind::Subject, |key, s| {
                    subjects.push((s.addressee.clone(), key));
                    Ok(true)
                })?;
                subjects.sort_by(|a, b| sort_key(&a.0).cmp(&sort_key(&b.0)));
                let mut writer = CsvWriter::new(out, layout, options).map_err(export_err)?;
                for (_, key) in &subjects {
                    let Some(subject) =
                        area.load::<SubjectRec>(ctx.store, RecordKind::Subject, key)?
                    else {
                        continue;
                    };
                    let doses = doses_of(ctx.store, &area, &subject)?;
                    if doses.is_empty() {
                        continue;
                    }
                    let row = LedgerRow {
                        addressee: AddresseeNumber::parse(&subject.addressee)
                            .map_err(export_err)?,
                        doses: blocks(&doses, &area, n)?,
                    };
                    writer.write_record(&row).map_err(|e| {
                        row_err(&format!("addressee number {}", subject.addressee), &e)
                    })?;
                    ctx.touched.push(*key);
                }
                let rows = writer.rows();
                writer.finish().map_err(export_err)?;
                Ok(rows)
            },
        )
    }

    /// Writes the awaiting-registration list of `tenant` (staff only): doses on vouchers not
    /// yet linked to a subject, one row per voucher. Returns the number of rows.
    ///
    /// # Errors
    /// As for [`Registry::export_ledger`].
    pub fn export_awaiting(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        out: &mut dyn Write,
        options: WriteOptions,
    ) -> Result<u64, RegistryError> {
        self.run(
            principal,
            "export-awaiting",
            Some(tenant),
            Access::Staff,
            |ctx| {
                let area = ctx.area()?;
                let mut vouchers: Vec<String> = Vec::new();
                area.scan::<AwaitingRec>(ctx.store, RecordKind::Awaiting, |_, a| {
                    vouchers.push(a.voucher);
                    Ok(true)
                })?;
                vouchers.sort();
                let mut rows = Vec::new();
                let mut n = DEFAULT_BLOCKS;
                for number in &vouchers {
                    let key = area.key(RecordKind::Voucher, number.as_bytes());
                    if let Some(v) =
                        area.load::<VoucherRec>(ctx.store, RecordKind::Voucher, &key)?
                    {
                        if v.subject.is_none() && !v.doses.is_empty() {
                            n = n.max(
                                v.doses
                                    .iter()
                                    .map(|d| usize::from(d.dose))
                                    .max()
                                    .unwrap_or(0),
                            );
                            rows.push(v);
                            ctx.touched.push(key);
                        }
                    }
                }
                let layout = layout::find(
                    "awaiting-registration",
                    &LayoutParams {
                        dose_blocks: u8::try_from(n).unwrap_or(9),
                    },
                )
                .map_err(export_err)?;
                let mut writer = CsvWriter::new(out, layout, options).map_err(export_err)?;
                for v in &rows {
                    let doses: Vec<(String, DoseRec)> = v
                        .doses
                        .iter()
                        .map(|d| (v.number.clone(), d.clone()))
                        .collect();
                    let row = AwaitingRow {
                        doses: blocks(&doses, &area, n)?,
                    };
                    writer
                        .write_record(&row)
                        .map_err(|e| row_err(&format!("voucher number {}", v.number), &e))?;
                }
                let count = writer.rows();
                writer.finish().map_err(export_err)?;
                Ok(count)
            },
        )
    }
}
