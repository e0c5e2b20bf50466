//! Who may do what: the access check every operation runs first, and staff registration.

use crate::crypto::{RecordKey, RecordKind};
use crate::store::Store;

use super::area::Area;
use super::error::RegistryError;
use super::model::{self, StaffRec, TenantMetaRec};
use super::principal::Principal;
use super::Ctx;

/// What an operation requires of its principal.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Access {
    /// A registered staff user of the target tenant.
    Staff,
    /// Staff of the target tenant, or one of its venue tablets.
    StaffOrVenue,
    /// The operator.
    Operator,
    /// The operator, or staff of the target tenant.
    StaffOrOperator,
    /// Anyone; the operation filters what the principal sees (statistics).
    Anyone,
}

/// `Ok` when `principal` may run an operation requiring `access` on `area`.
pub(crate) fn check(
    store: &mut dyn Store,
    principal: &Principal,
    area: Option<&Area>,
    access: Access,
) -> Result<(), RegistryError> {
    let forbid = |why: &str| Err(RegistryError::Forbidden(why.to_owned()));
    match (access, principal) {
        (Access::Anyone, _) => Ok(()),
        (Access::Operator, Principal::Operator) => Ok(()),
        (Access::Operator, _) => forbid("only the operator may do this"),
        (Access::StaffOrOperator, Principal::Operator) => Ok(()),
        (
            Access::StaffOrOperator | Access::Staff | Access::StaffOrVenue,
            Principal::MunicipalStaff { tenant, user_id },
        ) => {
            let Some(area) = area else {
                return forbid("staff may act only on their own municipality");
            };
            if *tenant != area.code {
                return forbid("staff may act only on their own municipality");
            }
            let key = area.key(RecordKind::StaffUser, user_id.as_bytes());
            if store
                .get(area.id, RecordKind::StaffUser.code(), key.as_bytes())?
                .is_none()
            {
                return forbid("the user ID is not registered for this municipality");
            }
            Ok(())
        }
        (Access::StaffOrVenue, Principal::VenueTablet { tenant }) => match area {
            Some(a) if a.code == *tenant => Ok(()),
            _ => forbid("a venue tablet may register doses only for its own municipality"),
        },
        (Access::StaffOrVenue | Access::Staff, _) => {
            forbid("only the municipality's staff may do this")
        }
        (Access::StaffOrOperator, _) => {
            forbid("only the operator or the municipality's staff may do this")
        }
    }
}

/// Registers a staff user ID in the context's tenant, within its quota.
pub(crate) fn register_staff(ctx: &mut Ctx<'_>, user_id: &str) -> Result<(), RegistryError> {
    let area = ctx.area()?;
    let key = area.key(RecordKind::StaffUser, user_id.as_bytes());
    ctx.touched.push(key);
    if area
        .load::<StaffRec>(ctx.store, RecordKind::StaffUser, &key)?
        .is_some()
    {
        return Ok(());
    }
    let meta: TenantMetaRec = area
        .load(ctx.store, RecordKind::TenantMeta, &RecordKey::SINGLETON)?
        .ok_or_else(|| RegistryError::UnknownTenant(area.code.as_str().to_owned()))?;
    let quota = meta.staff_quota.unwrap_or(ctx.config.staff_quota);
    let used = ctx.store.count(area.id, RecordKind::StaffUser.code())?;
    if used >= u64::from(quota) {
        return Err(RegistryError::QuotaExceeded {
            tenant: area.code.as_str().to_owned(),
            quota: quota as usize,
        });
    }
    let rec = StaffRec {
        user_id: user_id.to_owned(),
        registered_at: model::stamp(ctx.now),
    };
    area.save(ctx.store, RecordKind::StaffUser, &key, &rec)
}
