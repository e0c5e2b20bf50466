//! Who is calling: principals the host creates after authenticating a person.

use crate::id::MunicipalityCode;

/// The caller of a registry operation. Authentication is the host's job; the registry checks
/// what each principal may do. See the role table in [`crate::registry`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Principal {
    /// A municipal staff member with a registered user ID: full access to their own tenant.
    MunicipalStaff {
        /// The municipality they work for.
        tenant: MunicipalityCode,
        /// Their login ID (must be registered with [`crate::registry::Registry::register_staff`]).
        user_id: String,
    },
    /// A vaccination venue's tablet: registers doses by OCR line, sees only confirmations.
    VenueTablet {
        /// The municipality that issued the tablet.
        tenant: MunicipalityCode,
    },
    /// A prefecture: statistics of its own municipalities only.
    PrefectureViewer {
        /// Prefecture number 1..=47.
        prefecture: u8,
    },
    /// The state: statistics only.
    NationalViewer,
    /// The operations contractor: maintenance (tenants, users, verification), no personal data.
    Operator,
}

impl Principal {
    /// The role name used in the audit log and scenarios: `staff`, `venue`, `prefecture`,
    /// `national`, `operator`.
    pub fn role(&self) -> &'static str {
        match self {
            Principal::MunicipalStaff { .. } => "staff",
            Principal::VenueTablet { .. } => "venue",
            Principal::PrefectureViewer { .. } => "prefecture",
            Principal::NationalViewer => "national",
            Principal::Operator => "operator",
        }
    }

    /// The tenant a staff member or tablet belongs to.
    pub fn tenant(&self) -> Option<&MunicipalityCode> {
        match self {
            Principal::MunicipalStaff { tenant, .. } | Principal::VenueTablet { tenant } => {
                Some(tenant)
            }
            _ => None,
        }
    }
}
