//! Issuing and reissuing vouchers.

use crate::crypto::RecordKind;
use crate::date::Date;
use crate::diag::Code;
use crate::id::{AddresseeNumber, MunicipalityCode, VoucherNumber};

use super::access::Access;
use super::error::RegistryError;
use super::model::{self, SubjectRec, VoucherRec};
use super::principal::Principal;
use super::{Ctx, Registry};

/// Links voucher `number` to the subject `addressee` (creating the voucher, or adopting one
/// whose doses were waiting for registration).
fn link(
    ctx: &mut Ctx<'_>,
    addressee: &str,
    number: &str,
    issued_on: Date,
) -> Result<(), RegistryError> {
    let area = ctx.area()?;
    let subject_key = area.key(RecordKind::Subject, addressee.as_bytes());
    let mut subject: SubjectRec = area
        .load(ctx.store, RecordKind::Subject, &subject_key)?
        .ok_or_else(|| RegistryError::NotFound("no subject with this addressee number".into()))?;
    let voucher_key = area.key(RecordKind::Voucher, number.as_bytes());
    let existing: Option<VoucherRec> = area.load(ctx.store, RecordKind::Voucher, &voucher_key)?;
    let voucher = match existing {
        Some(v) if v.subject.as_deref().is_some_and(|s| s != addressee) => {
            return Err(RegistryError::Conflict {
                code: Code::V02,
                message: "the voucher number is already issued to another subject".into(),
            })
        }
        Some(mut v) => {
            if v.subject.is_none() {
                let k = area.key(RecordKind::Awaiting, number.as_bytes());
                area.remove(ctx.store, RecordKind::Awaiting, &k)?;
                ctx.touched.push(k);
            }
            v.subject = Some(addressee.to_owned());
            v.issued_on = Some(model::days(issued_on));
            v
        }
        None => VoucherRec {
            number: number.to_owned(),
            subject: Some(addressee.to_owned()),
            issued_on: Some(model::days(issued_on)),
            replaced_by: None,
            doses: Vec::new(),
        },
    };
    area.save(ctx.store, RecordKind::Voucher, &voucher_key, &voucher)?;
    ctx.touched.push(voucher_key);
    if !subject.vouchers.iter().any(|v| v == number) {
        subject.vouchers.push(number.to_owned());
        area.save(ctx.store, RecordKind::Subject, &subject_key, &subject)?;
        ctx.touched.push(subject_key);
    }
    Ok(())
}

impl Registry {
    /// Issues voucher `voucher` to the registered subject `addressee` (staff only), e.g. a
    /// booster voucher. Issuing the same voucher to the same subject again is a no-op apart
    /// from the issue date.
    ///
    /// # Errors
    /// [`RegistryError::NotFound`] (no such subject), [`RegistryError::Conflict`] V02 (voucher
    /// issued to someone else), [`RegistryError::Forbidden`].
    pub fn issue_voucher(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        addressee: &AddresseeNumber,
        voucher: &VoucherNumber,
        issued_on: Date,
    ) -> Result<(), RegistryError> {
        self.run(
            principal,
            "issue-voucher",
            Some(tenant),
            Access::Staff,
            |ctx| link(ctx, addressee.as_str(), voucher.as_str(), issued_on),
        )
    }

    /// Reissues a voucher (lost, damaged, DV protection): `new` replaces `old` for the same
    /// subject. Doses on `old` stay; new doses scanned from `old` are refused (L04).
    ///
    /// # Errors
    /// [`RegistryError::NotFound`] (unknown or unlinked old voucher),
    /// [`RegistryError::Conflict`] (old already replaced, or new taken),
    /// [`RegistryError::Forbidden`].
    pub fn reissue_voucher(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        old: &VoucherNumber,
        new: &VoucherNumber,
        issued_on: Date,
    ) -> Result<(), RegistryError> {
        if old == new {
            return Err(RegistryError::InvalidInput(
                "the new voucher number equals the old one".into(),
            ));
        }
        self.run(
            principal,
            "reissue-voucher",
            Some(tenant),
            Access::Staff,
            |ctx| {
                let area = ctx.area()?;
                let old_key = area.key(RecordKind::Voucher, old.as_str().as_bytes());
                let mut old_rec: VoucherRec = area
                    .load(ctx.store, RecordKind::Voucher, &old_key)?
                    .ok_or_else(|| RegistryError::NotFound("no such voucher".into()))?;
                if old_rec.replaced_by.is_some() {
                    return Err(RegistryError::Conflict {
                        code: Code::L04,
                        message: "the voucher was already replaced by a reissue".into(),
                    });
                }
                let addressee = old_rec.subject.clone().ok_or_else(|| {
                    RegistryError::NotFound("the voucher has no registered subject".into())
                })?;
                let new_key = area.key(RecordKind::Voucher, new.as_str().as_bytes());
                if area
                    .load::<VoucherRec>(ctx.store, RecordKind::Voucher, &new_key)?
                    .is_some()
                {
                    return Err(RegistryError::Conflict {
                        code: Code::V02,
                        message: "the new voucher number is already in use".into(),
                    });
                }
                old_rec.replaced_by = Some(new.as_str().to_owned());
                area.save(ctx.store, RecordKind::Voucher, &old_key, &old_rec)?;
                ctx.touched.push(old_key);
                link(ctx, &addressee, new.as_str(), issued_on)
            },
        )
    }
}
