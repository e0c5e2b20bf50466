//! Move-out and death flags: they never delete data.

use crate::crypto::RecordKind;
use crate::date::Date;
use crate::id::{AddresseeNumber, MunicipalityCode, VoucherNumber};

use super::access::Access;
use super::area::Area;
use super::error::RegistryError;
use super::model::{self, FlagRec, SubjectRec, VoucherRec};
use super::principal::Principal;
use super::Registry;
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

impl Registry {
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
            let addressee = resolve(ctx.store, &area, who)?;
            let key = area.key(RecordKind::Subject, addressee.as_bytes());
            let mut subject: SubjectRec = area
                .load(ctx.store, RecordKind::Subject, &key)?
                .ok_or_else(|| {
                    RegistryError::NotFound("no subject with this addressee number".into())
                })?;
            let rec = match flag {
                Flag::MovedOut { date, destination } => FlagRec {
                    kind: 1,
                    date: model::days(*date),
                    destination: destination.map(|d| d.as_str().to_owned()),
                    set_at: model::stamp(ctx.now),
                },
                Flag::Deceased { date } => FlagRec {
                    kind: 2,
                    date: model::days(*date),
                    destination: None,
                    set_at: model::stamp(ctx.now),
                },
            };
            subject.flags.retain(|f| f.kind != rec.kind);
            subject.flags.push(rec);
            area.save(ctx.store, RecordKind::Subject, &key, &subject)?;
            ctx.touched.push(key);
            Ok(())
        })
    }
}
