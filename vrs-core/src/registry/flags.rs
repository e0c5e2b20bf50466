//! Move-out and death flags: they never delete data.

use crate::crypto::RecordKind;
use crate::date::Date;
use crate::id::{AddresseeNumber, MunicipalityCode, VoucherNumber};

use super::access::Access;
use super::area::Area;
use super::error::RegistryError;
use super::import::{ImportMode, ImportOutcome, ImportSpec, RowResult};
use super::model::{self, FlagRec, SubjectRec, VoucherRec};
use super::principal::Principal;
use super::Registry;
use crate::codec::{FlagKind, FlagRow};
use crate::crypto::RecordKey;
use crate::date::DateTime;
use crate::store::Store;

/// A flag on a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Flag {
    /// Moved out (転出) on `date`, to `destination` when known. Doses dated later under this
    /// tenant's vouchers get warning L02.
    MovedOut {
        /// Move-out date.
        date: Date,
        /// Destination municipality, when known.
        destination: Option<MunicipalityCode>,
    },
    /// Died (死亡) on `date`. Doses dated later are refused (L01).
    Deceased {
        /// Date of death.
        date: Date,
    },
}

/// How a subject is named in a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectRef {
    /// By addressee number.
    Addressee(AddresseeNumber),
    /// By one of their voucher numbers.
    Voucher(VoucherNumber),
}

/// The addressee number behind a reference.
pub(crate) fn resolve(
    store: &mut dyn Store,
    area: &Area,
    who: &SubjectRef,
) -> Result<String, RegistryError> {
    match who {
        SubjectRef::Addressee(a) => Ok(a.as_str().to_owned()),
        SubjectRef::Voucher(v) => {
            let key = area.key(RecordKind::Voucher, v.as_str().as_bytes());
            let voucher: VoucherRec = area
                .load(store, RecordKind::Voucher, &key)?
                .ok_or_else(|| RegistryError::NotFound("no such voucher".into()))?;
            voucher.subject.ok_or_else(|| {
                RegistryError::NotFound("the voucher has no registered subject".into())
            })
        }
    }
}

/// Applies `flag` to the subject `who` inside the open transaction; returns the subject's key,
/// or `None` when the same flag was set already.
fn apply(
    store: &mut dyn Store,
    area: &Area,
    now: DateTime,
    who: &SubjectRef,
    flag: &Flag,
) -> Result<Option<RecordKey>, RegistryError> {
    let addressee = resolve(store, area, who)?;
    let key = area.key(RecordKind::Subject, addressee.as_bytes());
    let mut subject: SubjectRec = area
        .load(store, RecordKind::Subject, &key)?
        .ok_or_else(|| RegistryError::NotFound("no subject with this addressee number".into()))?;
    let rec = match flag {
        Flag::MovedOut { date, destination } => FlagRec {
            kind: 1,
            date: model::days(*date),
            destination: destination.map(|d| d.as_str().to_owned()),
            set_at: model::stamp(now),
        },
        Flag::Deceased { date } => FlagRec {
            kind: 2,
            date: model::days(*date),
            destination: None,
            set_at: model::stamp(now),
        },
    };
    let same =
        |f: &FlagRec| (f.kind, f.date, &f.destination) == (rec.kind, rec.date, &rec.destination);
    if subject.flags.iter().any(same) {
        return Ok(None); // The same flag again: nothing to change.
    }
    subject.flags.retain(|f| f.kind != rec.kind);
    subject.flags.push(rec);
    area.save(store, RecordKind::Subject, &key, &subject)?;
    Ok(Some(key))
}

impl Registry {
    /// Imports a move-out/death flags upload (`flags` layout) into `tenant` (staff only), with
    /// the modes and guarantees of [`Registry::import_subjects`]. A row naming an unknown
    /// subject is a rejected row.
    ///
    /// # Errors
    /// As for [`Registry::import_subjects`].
    pub fn import_flags(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        file: &[u8],
        mode: ImportMode,
    ) -> Result<ImportOutcome, RegistryError> {
        let spec = ImportSpec {
            layout: "flags",
            op: "import-flags",
        };
        self.import_file::<FlagRow>(
            principal,
            tenant,
            file,
            mode,
            spec,
            &mut |_| {},
            &mut |store, area, now, _, row| {
                let who = match (&row.addressee, &row.voucher) {
                    (Some(a), _) => SubjectRef::Addressee(a.clone()),
                    (None, Some(v)) => SubjectRef::Voucher(*v),
                    (None, None) => {
                        return Ok(RowResult::Rejected(
                            crate::diag::Code::R01,
                            "the row names no subject".into(),
                            "対象者を特定する項目がありません".into(),
                        ))
                    }
                };
                let flag = match row.kind {
                    FlagKind::MoveOut => Flag::MovedOut {
                        date: row.date,
                        destination: row.destination,
                    },
                    FlagKind::Death => Flag::Deceased { date: row.date },
                };
                match apply(store, area, now, &who, &flag) {
                    Ok(Some(key)) => Ok(RowResult::Changed(vec![key])),
                    Ok(None) => Ok(RowResult::Unchanged),
                    Err(RegistryError::NotFound(why)) => Ok(RowResult::Rejected(
                        crate::diag::Code::L05,
                        why,
                        "該当する接種対象者が登録されていません".into(),
                    )),
                    Err(e) => Err(e),
                }
            },
        )
    }

    /// Sets a move-out or death flag on a subject (staff only). Setting the same flag again
    /// replaces its date; data are never deleted.
    ///
    /// # Errors
    /// [`RegistryError::NotFound`], [`RegistryError::Forbidden`].
    pub fn set_flag(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        who: &SubjectRef,
        flag: &Flag,
    ) -> Result<(), RegistryError> {
        self.run(principal, "set-flag", Some(tenant), Access::Staff, |ctx| {
            let area = ctx.area()?;
            if let Some(key) = apply(ctx.store, &area, ctx.now, who, flag)? {
                ctx.touched.push(key);
            }
            Ok(())
        })
    }
}
