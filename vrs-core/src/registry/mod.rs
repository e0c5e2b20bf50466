//! The registry: the VRS record model, embeddable. Tenants (municipalities) sealed by their own
//! keys, principals and roles, subjects, vouchers, doses, flags, exports, statistics and a
//! tamper-evident audit log, over any [`Store`].
//!
//! | operation | staff (own tenant) | venue tablet (own tenant) | prefecture / national | operator |
//! |---|---|---|---|---|
//! | [`Registry::create_tenant`], [`Registry::register_staff`], [`Registry::set_staff_quota`] | - | - | - | yes |
//! | [`Registry::import_subjects`], [`Registry::issue_voucher`], [`Registry::reissue_voucher`] | yes | - | - | - |
//! | [`Registry::record_dose_ocr`] | yes | yes (confirmation only) | - | - |
//! | [`Registry::record_dose`], [`Registry::import_doses`], [`Registry::set_flag`] | yes | - | - | - |
//! | [`Registry::correct_dose`], [`Registry::void_dose`] | yes | - | - | - |
//! | [`Registry::subject_doses`], [`Registry::export_ledger`], [`Registry::export_awaiting`] | yes | - | - | - |
//! | [`Registry::record_national_db_provision`], [`Registry::retention_list`], [`Registry::purge`], [`Registry::set_legal_hold`], [`Registry::set_retention_minimum`] | yes | - | - | - |
//! | [`Registry::stats`] | own municipality | - | own prefecture / all | - |
//! | [`Registry::verify_audit`], [`Registry::audit_log`] | own tenant | - | - | yes |
//! | [`Registry::verify_store`], [`Registry::rotate_tenant_key`] | - | - | - | yes |
//!
//! Every call, allowed or refused, is appended to the audit chain of the tenant it targets
//! (calls without a tenant go to the registry-wide chain). A refused or failed call changes
//! nothing else.
//!
//! # Integrity and secrecy
//! - Every record is sealed (AES-256-GCM) under its tenant's key and bound to its place; record
//!   keys are keyed pseudonyms. Values a download carries never hold a My Number: rule N02
//!   refuses one (or a number shaped like one) in an addressee number, venue, doctor,
//!   manufacturer or lot, on every path that stores them.
//! - Everything in the store is authenticated by keys the store never holds: each tenant's
//!   records by a content digest, every audit chain's head and every digest by the registry
//!   anchor (design in `registry/anchor.rs`). A tenant whose records do not match is refused
//!   before anything is read from it; a registry whose anchor does not add up runs inspection
//!   only (quarantine). [`Registry::verify_store`] names every finding.
//! - A rollback of the whole store needs the host: [`Registry::anchor`] and
//!   [`Registry::check_anchor`].
//! - Keys: [`Registry::rotate_tenant_key`] re-seals a tenant under a new key version.
//!
//! ```
//! use std::sync::Arc;
//! use vrs_core::crypto::MasterKeyProvider;
//! use vrs_core::date::{Date, DateTime};
//! use vrs_core::id::{MunicipalityCode, OcrLine};
//! use vrs_core::registry::{DoseInput, FixedClock, ImportMode, Principal, Registry, RegistryConfig};
//! use vrs_core::store::MemoryStore;
//!
//! let now = DateTime::new(Date::new(2021, 7, 1)?, 9, 0, 0)?;
//! let mut reg = Registry::open(
//!     Box::new(MemoryStore::new()),
//!     Box::new(MasterKeyProvider::new([42; 32])),
//!     Box::new(FixedClock::new(now)),
//!     RegistryConfig::default(),
//! )?;
//! let chiyoda = MunicipalityCode::parse("131016")?;
//! reg.create_tenant(&Principal::Operator, &chiyoda)?;
//! reg.register_staff(&Principal::Operator, &chiyoda, "u1")?;
//! let staff = Principal::MunicipalStaff { tenant: chiyoda, user_id: "u1".into() };
//!
//! let file = "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n\
//!             131016,1001,123456789018,0000012345,千代田 花子,チヨダ ハナコ,19800101,2,20210501\r\n";
//! let outcome = reg.import_subjects(&staff, &chiyoda, file.as_bytes(), ImportMode::Strict)?;
//! assert_eq!(outcome.imported, 1);
//!
//! let tablet = Principal::VenueTablet { tenant: chiyoda };
//! let ocr = OcrLine::parse("111310160000012345")?;
//! let dose = DoseInput::new(Date::new(2021, 6, 30)?, "ファイザー", "FA5765", "区民会館", "山田一郎");
//! let confirmation = reg.record_dose_ocr(&tablet, &ocr, &dose)?;
//! assert_eq!(confirmation.dose, 1);
//!
//! let doses = reg.subject_doses(&staff, &chiyoda, "1001")?;
//! assert_eq!(doses.doses.len(), 1);
//! assert!(reg.verify_audit(&Principal::Operator, Some(&chiyoda))?.ok);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod access;
mod anchor;
mod area;
mod audit;
mod batch_inquiry;
mod clock;
mod correction;
mod dose;
mod eligibility;
mod error;
mod export;
mod fields;
mod flags;
mod fresh;
mod guard;
mod import;
mod inquiry;
pub(crate) mod inquiry_index;
mod keycheck;
mod log_entry;
mod model;
mod principal;
pub(crate) mod provision_log;
mod purge;
mod query;
mod retention;
mod rollback;
mod rotate;
mod stats;
mod verify;
mod voucher;

use std::sync::Arc;

pub use crate::codec::{BasisKind, LogKind};
pub use anchor::IntegrityFinding;
pub use audit::{AuditEntry, AuditVerification};
pub use batch_inquiry::{BatchInquiryOptions, BatchInquiryOutcome};
pub use clock::{jst_from_unix, Clock, FixedClock};
pub use correction::{DoseChange, DoseCorrection, DoseHistoryEntry};
pub use dose::{DoseConfirmation, DoseInput};
pub use eligibility::KeptCounts;
pub use error::RegistryError;
pub use flags::{Flag, SubjectRef};
pub use import::{ImportMode, ImportOutcome, RejectedRow};
pub use inquiry::{
    BasisRule, InquiryDose, InquiryOutcome, InquiryPolicy, InquiryRequest, LegalBasis,
    ProviderRecords,
};
pub use principal::Principal;
pub use provision_log::{log_chain_number, LogEntry, LogQuery};
pub use query::{DoseView, FlagView, SubjectDoses};
pub use retention::{
    DoseRetention, ProvisionOutcome, ProvisionSelection, PurgeOutcome, RemovalCounts, RetentionList,
};
pub use rollback::{AnchorCheck, RegistryAnchor};
pub use rotate::KeyRotation;
pub use stats::{Dimension, Stats, StatsCell, StatsQuery};
pub use verify::StoreVerification;

use crate::crypto::{KeyProvider, RecordKey, RecordKind, SecretKey};
use crate::date::DateTime;
use crate::id::MunicipalityCode;
use crate::retention::RetentionPolicy;
use crate::store::Store;
use crate::vaccine::VaccineTables;

use access::Access;
use anchor::{Anchored, IntegrityKeys, OpenState};
use area::{Area, AreaCache};
use audit::AuditDraft;
use inquiry_index::InquiryIndex;
use keycheck::KeyCheck;
use model::TenantMetaRec;

/// The registry-wide audit chain's number in the store.
const REGISTRY_CHAIN: u32 = anchor::REGISTRY;

/// Settings of a registry.
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    /// Staff user IDs a tenant may register unless the operator raised its quota (default 10,
    /// per the VRS FAQ).
    pub staff_quota: u32,
    /// Statistics cells counting fewer than this many doses are suppressed (default 10).
    pub stats_threshold: u64,
    /// Data rows per committed batch in lenient imports (default 10,000).
    pub import_batch_rows: usize,
    /// Vaccine tables (manufacturers, lots, programme window) used to check doses.
    pub tables: Arc<VaccineTables>,
    /// Lower bounds of the statistics age bands (default 0, 5, 12, 18, 20, 30, ..., 90).
    pub age_bands: Vec<u8>,
    /// Which legal bases inquiries may use, by the request's date (default: consent only
    /// before 2021-12-15, consent or "consent difficult to obtain" from then on).
    pub inquiry_policy: InquiryPolicy,
    /// Refuse an addressee number shaped like a My Number (12 digits with a valid check digit),
    /// rule N02 (default `true`). A municipality whose addressee numbers are 12 digits turns it
    /// off: one in ten of them has a valid check digit. An addressee number that is a My Number
    /// stored in the tenant is refused either way.
    pub refuse_my_number_shaped_addressees: bool,
    /// Records re-sealed per committed batch by [`Registry::rotate_tenant_key`] (default
    /// 10,000).
    pub rotation_batch_records: usize,
    /// The dated retention policy (default: the built-in one, reference §8).
    pub retention: Arc<RetentionPolicy>,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        RegistryConfig {
            staff_quota: 10,
            stats_threshold: 10,
            import_batch_rows: 10_000,
            tables: Arc::new(VaccineTables::default()),
            age_bands: vec![0, 5, 12, 18, 20, 30, 40, 50, 60, 65, 70, 80, 90],
            inquiry_policy: InquiryPolicy::default(),
            refuse_my_number_shaped_addressees: true,
            rotation_batch_records: 10_000,
            retention: Arc::new(RetentionPolicy::default()),
        }
    }
}

/// The record model over a store. See the [module docs](self) for roles and an example.
///
/// A registry is used by one thread at a time (`&mut self`); share it behind a `Mutex`. Several
/// registries (processes) may open the same SQLite store: SQLite serialises their writes.
pub struct Registry {
    /// The store, through the integrity layer every write goes through.
    store: Anchored,
    areas: AreaCache,
    clock: Box<dyn Clock>,
    config: RegistryConfig,
    /// MAC key of the registry-wide audit chain's head.
    registry_audit: SecretKey,
    /// Pseudonymises staff user IDs in audit entries.
    user_pseudonyms: SecretKey,
    /// The registry-wide inquiry index (which tenants hold a My Number).
    inquiry_index: InquiryIndex,
    /// Why the registry only allows inspection (its anchor does not add up, the store was
    /// rolled back), if it does.
    quarantine: Option<String>,
}

/// Operations that still run in quarantine and on a tenant whose content fails verification:
/// they only read, and they are how an operator finds out what is wrong.
const INSPECTION: [&str; 3] = ["verify-audit", "read-audit", "verify-store"];

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry").finish_non_exhaustive()
    }
}

/// What an operation body works with: the store inside the operation's transaction, the target
/// tenant's area, the time, and the record keys it touched (for the audit entry).
pub(crate) struct Ctx<'a> {
    pub store: &'a mut dyn Store,
    pub areas: &'a mut AreaCache,
    pub area: Option<Area>,
    pub now: DateTime,
    pub config: &'a RegistryConfig,
    pub touched: Vec<RecordKey>,
    /// The inquiry index: an operation that adds, changes or deletes a subject's My Number
    /// keeps it right through [`inquiry_index::on_subject_my_number_changed`].
    pub index: &'a InquiryIndex,
    /// Counts for the audit entry of an operation that lists no record keys (a purge).
    pub counts: Vec<(&'static str, u64)>,
    /// What the body is done with but is slow to free (see [`Ctx::free_beside_commit`]).
    pub garbage: Vec<Box<dyn Send>>,
}

impl Ctx<'_> {
    /// The target tenant's area (operations with a target always have one).
    pub fn area(&self) -> Result<Area, RegistryError> {
        self.area
            .clone()
            .ok_or_else(|| RegistryError::InvalidInput("the operation needs a tenant".into()))
    }

    /// Hands `value` over to be freed on another core while the operation's audit entry and
    /// commit are written. For a body's large working sets: freeing the million small
    /// allocations a batch inquiry collects takes a fifth of a second that nothing needs to
    /// wait for. Freed before the operation returns, so memory stays bounded.
    pub fn free_beside_commit(&mut self, value: impl Send + 'static) {
        self.garbage.push(Box::new(value));
    }
}

impl Registry {
    /// Opens a registry over `store` with keys from `keys` and time from `clock`. An empty
    /// store gets its registry anchor; a populated one has its anchor checked: when the anchored
    /// chain heads and content digests do not add up (a chain or tenant erased or rolled back),
    /// the registry opens in quarantine, refusing everything but inspection
    /// ([`Registry::quarantine`], [`Registry::verify_store`]).
    ///
    /// # Errors
    /// Key provider failures (no registry key); [`RegistryError::WrongKey`] (`the registry`)
    /// when the store was written under another registry key (e.g. a new `master.key` beside a
    /// populated store); store failures.
    pub fn open(
        store: Box<dyn Store>,
        keys: Box<dyn KeyProvider>,
        clock: Box<dyn Clock>,
        config: RegistryConfig,
    ) -> Result<Registry, RegistryError> {
        let registry_key = keys.registry_key()?;
        let integrity = IntegrityKeys::derive(&registry_key);
        let mut store = Anchored::new(store, integrity.clone());
        let quarantine = match store.open_check()? {
            OpenState::Sound => None,
            OpenState::Quarantine(why) => Some(why),
        };
        Ok(Registry {
            store,
            areas: AreaCache::new(keys, integrity),
            clock,
            config,
            registry_audit: registry_key.derive(b"vrs/registry-audit/v1"),
            user_pseudonyms: registry_key.derive(b"vrs/user-pseudonym/v1"),
            inquiry_index: InquiryIndex::new(&registry_key),
            quarantine,
        })
    }

    /// Why the registry refuses everything but inspection, if it does: its anchor did not add
    /// up when it opened, a commit found the store rolled back, or a host anchor check failed.
    /// Restore the store from a backup (and check it against the anchor kept with it).
    pub fn quarantine(&self) -> Option<&str> {
        self.quarantine.as_deref()
    }

    /// The configuration.
    pub fn config(&self) -> &RegistryConfig {
        &self.config
    }

    /// Creates the area of `tenant` (operator only). Its key must be available from the key
    /// provider; a check record sealed with it lets a wrong key be recognised later.
    ///
    /// # Errors
    /// [`RegistryError::Forbidden`], [`RegistryError::TenantExists`], key or store failures.
    pub fn create_tenant(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
    ) -> Result<(), RegistryError> {
        if !matches!(principal, Principal::Operator) {
            return self.refuse_without_area(
                principal,
                "create-tenant",
                "only the operator creates tenants",
            );
        }
        self.refuse_if_quarantined(principal, "create-tenant")?;
        let exists = self.store.get(
            tenant.to_u32(),
            RecordKind::TenantMeta.code(),
            RecordKey::SINGLETON.as_bytes(),
        )?;
        if exists.is_some() {
            let err = RegistryError::TenantExists(tenant.as_str().to_owned());
            self.audit_alone(
                principal,
                "create-tenant",
                None,
                "failed",
                Some(err.code()),
                vec![],
            )?;
            return Err(err);
        }
        let area = self.areas.fresh(tenant)?;
        let now = self.clock.now();
        let meta = TenantMetaRec {
            code: tenant.as_str().to_owned(),
            created_at: model::stamp(now),
            staff_quota: None,
        };
        self.store.begin()?;
        let check = KeyCheck::of(&area.keys, &[1], None);
        let result = keycheck::save(&mut *self.store, area.id, &check)
            .and_then(|()| {
                area.save(
                    &mut *self.store,
                    RecordKind::TenantMeta,
                    &RecordKey::SINGLETON,
                    &meta,
                )
            })
            .and_then(|()| {
                let draft = self.draft(principal, "create-tenant", now, "ok", None, vec![]);
                self.append_audit(Some(&area), draft)
            });
        self.finish_tx(result)?;
        self.areas.remember(&mut *self.store, area)?;
        Ok(())
    }

    /// Every tenant in the store (operator only): municipality codes, ascending.
    ///
    /// # Errors
    /// [`RegistryError::Forbidden`], store failures.
    pub fn tenants(
        &mut self,
        principal: &Principal,
    ) -> Result<Vec<MunicipalityCode>, RegistryError> {
        self.run(principal, "list-tenants", None, Access::Operator, |ctx| {
            area::tenant_codes(ctx.store)
        })
    }

    /// Registers a staff user ID for `tenant` (operator only), within the tenant's quota.
    /// Registering an ID twice is a no-op.
    ///
    /// # Errors
    /// [`RegistryError::QuotaExceeded`], [`RegistryError::InvalidInput`] for an empty or
    /// over-long ID, [`RegistryError::Forbidden`], [`RegistryError::UnknownTenant`].
    pub fn register_staff(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        user_id: &str,
    ) -> Result<(), RegistryError> {
        if user_id.is_empty()
            || user_id.chars().count() > 64
            || user_id.chars().any(char::is_control)
        {
            return Err(RegistryError::InvalidInput(
                "a user ID is 1 to 64 characters without control characters".into(),
            ));
        }
        self.run(
            principal,
            "register-staff",
            Some(tenant),
            Access::Operator,
            |ctx| access::register_staff(ctx, user_id),
        )
    }

    /// Removes a staff user ID (operator only); `true` if it was registered.
    ///
    /// # Errors
    /// [`RegistryError::Forbidden`], [`RegistryError::UnknownTenant`], store failures.
    pub fn unregister_staff(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        user_id: &str,
    ) -> Result<bool, RegistryError> {
        self.run(
            principal,
            "unregister-staff",
            Some(tenant),
            Access::Operator,
            |ctx| {
                let area = ctx.area()?;
                let key = area.key(RecordKind::StaffUser, user_id.as_bytes());
                ctx.touched.push(key);
                area.remove(ctx.store, RecordKind::StaffUser, &key)
            },
        )
    }

    /// Sets the staff quota of `tenant` (operator only; "more IDs on request").
    ///
    /// # Errors
    /// [`RegistryError::Forbidden`], [`RegistryError::UnknownTenant`], store failures.
    pub fn set_staff_quota(
        &mut self,
        principal: &Principal,
        tenant: &MunicipalityCode,
        quota: u32,
    ) -> Result<(), RegistryError> {
        self.run(
            principal,
            "set-staff-quota",
            Some(tenant),
            Access::Operator,
            |ctx| {
                let area = ctx.area()?;
                let key = RecordKey::SINGLETON;
                let mut meta: TenantMetaRec = area
                    .load(ctx.store, RecordKind::TenantMeta, &key)?
                    .ok_or_else(|| {
                    RegistryError::UnknownTenant(area.code.as_str().to_owned())
                })?;
                meta.staff_quota = Some(quota);
                area.save(ctx.store, RecordKind::TenantMeta, &key, &meta)
            },
        )
    }

    /// Checks the audit chain of `tenant` (or the registry-wide chain for `None`): operator, or
    /// staff for their own tenant. A chain the registry anchor lists but that has neither entries
    /// nor head was erased, and is reported so.
    ///
    /// # Errors
    /// [`RegistryError::Forbidden`], [`RegistryError::UnknownTenant`], store failures.
    pub fn verify_audit(
        &mut self,
        principal: &Principal,
        tenant: Option<&MunicipalityCode>,
    ) -> Result<AuditVerification, RegistryError> {
        let access = audit_access(tenant);
        let registry_audit = self.registry_audit.clone();
        let id = tenant.map_or(REGISTRY_CHAIN, MunicipalityCode::to_u32);
        // The anchor lists every chain that was ever written: an empty one was erased.
        let must_exist = self.store.listed(id, RecordKind::AuditHead)?;
        self.run(principal, "verify-audit", tenant, access, |ctx| {
            verify_chain(ctx, &registry_audit, must_exist)
        })
    }

    /// The entries of an audit chain, for review (operator, or staff for their own tenant). A
    /// chain that does not verify is not served: [`Registry::verify_audit`] says what is wrong.
    ///
    /// # Errors
    /// As for [`Registry::verify_audit`]; [`RegistryError::Tampered`] for a chain that does not
    /// verify.
    pub fn audit_log(
        &mut self,
        principal: &Principal,
        tenant: Option<&MunicipalityCode>,
    ) -> Result<Vec<AuditEntry>, RegistryError> {
        let access = audit_access(tenant);
        let registry_audit = self.registry_audit.clone();
        let id = tenant.map_or(REGISTRY_CHAIN, MunicipalityCode::to_u32);
        let must_exist = self.store.listed(id, RecordKind::AuditHead)?;
        self.run(principal, "read-audit", tenant, access, |ctx| {
            let v = verify_chain(ctx, &registry_audit, must_exist)?;
            if !v.ok {
                return Err(RegistryError::Tampered(format!(
                    "{}, audit entry {}: {}",
                    v.chain,
                    v.first_bad.unwrap_or(0),
                    v.problem.unwrap_or_default()
                )));
            }
            let chain = ctx.area.as_ref().map_or(REGISTRY_CHAIN, |a| a.id);
            audit::entries(ctx.store, chain)
        })
    }

    /// Runs `body` as one audited operation: access check, one transaction, audit entry.
    pub(crate) fn run<T>(
        &mut self,
        principal: &Principal,
        op: &'static str,
        tenant: Option<&MunicipalityCode>,
        access: Access,
        body: impl FnOnce(&mut Ctx<'_>) -> Result<T, RegistryError>,
    ) -> Result<T, RegistryError> {
        let now = self.clock.now();
        let inspection = INSPECTION.contains(&op);
        if !inspection {
            self.refuse_if_quarantined(principal, op)?;
        }
        let area = match tenant {
            Some(t) => {
                let opened = if inspection {
                    self.areas.for_inspection(&mut *self.store, t)
                } else {
                    self.areas.get(&mut *self.store, t)
                };
                match opened {
                    Ok(a) => Some(a),
                    Err(e) => {
                        self.audit_alone(principal, op, None, "failed", Some(e.code()), vec![])?;
                        return Err(e);
                    }
                }
            }
            None => None,
        };
        self.store.begin()?;
        if let Err(refusal) = access::check(&mut *self.store, principal, area.as_ref(), access) {
            self.store.rollback()?;
            self.audit_alone(
                principal,
                op,
                area.as_ref(),
                "refused",
                Some(refusal.code()),
                vec![],
            )?;
            return Err(refusal);
        }
        let mut ctx = Ctx {
            store: &mut *self.store,
            areas: &mut self.areas,
            area: area.clone(),
            now,
            config: &self.config,
            touched: Vec::new(),
            index: &self.inquiry_index,
            counts: Vec::new(),
            garbage: Vec::new(),
        };
        let result = body(&mut ctx);
        let touched = std::mem::take(&mut ctx.touched);
        let counts = std::mem::take(&mut ctx.counts);
        let garbage = std::mem::take(&mut ctx.garbage);
        match result {
            Ok(value) => std::thread::scope(|s| {
                if !garbage.is_empty() {
                    // A thread that cannot start leaves the garbage to be freed here.
                    let _ = std::thread::Builder::new().spawn_scoped(s, move || drop(garbage));
                }
                let mut draft = self.draft(principal, op, now, "ok", None, touched);
                draft.counts = counts;
                let appended = self.append_audit(area.as_ref(), draft);
                self.finish_tx(appended)?;
                Ok(value)
            }),
            Err(e) => {
                self.store.rollback()?;
                // A body may refuse too (e.g. an inquiry's legal basis): audited as refused.
                let outcome = if matches!(e, RegistryError::Forbidden(_)) {
                    "refused"
                } else {
                    "failed"
                };
                self.audit_alone(
                    principal,
                    op,
                    area.as_ref(),
                    outcome,
                    Some(e.code()),
                    vec![],
                )?;
                Err(e)
            }
        }
    }

    /// Commits on success, rolls back on failure. A commit that finds the store rolled back
    /// under the registry puts it in quarantine.
    fn finish_tx(&mut self, result: Result<(), RegistryError>) -> Result<(), RegistryError> {
        match result {
            Ok(()) => match self.store.commit() {
                Ok(()) => Ok(()),
                Err(e) => {
                    let e = RegistryError::from(e);
                    if let RegistryError::Tampered(why) = &e {
                        self.quarantine.get_or_insert_with(|| why.clone());
                    }
                    Err(e)
                }
            },
            Err(e) => {
                self.store.rollback()?;
                Err(e)
            }
        }
    }

    /// Refuses (and audits) any operation but inspection while the registry is in quarantine.
    fn refuse_if_quarantined(
        &mut self,
        principal: &Principal,
        op: &'static str,
    ) -> Result<(), RegistryError> {
        let Some(why) = self.quarantine.clone() else {
            return Ok(());
        };
        let err = RegistryError::Tampered(format!(
            "the registry runs inspection only until the store is restored: {why}"
        ));
        // The refusal is recorded where it can be: a failure to record it changes nothing.
        let _ = self.audit_alone(principal, op, None, "refused", Some(err.code()), vec![]);
        Err(err)
    }

    /// Refuses an operation that has no tenant (audited in the registry chain).
    fn refuse_without_area<T>(
        &mut self,
        principal: &Principal,
        op: &'static str,
        why: &str,
    ) -> Result<T, RegistryError> {
        let err = RegistryError::Forbidden(why.to_owned());
        self.audit_alone(principal, op, None, "refused", Some(err.code()), vec![])?;
        Err(err)
    }

    /// Appends one audit entry in its own transaction.
    fn audit_alone(
        &mut self,
        principal: &Principal,
        op: &'static str,
        area: Option<&Area>,
        outcome: &'static str,
        code: Option<&str>,
        records: Vec<RecordKey>,
    ) -> Result<(), RegistryError> {
        let now = self.clock.now();
        let draft = self.draft(
            principal,
            op,
            now,
            outcome,
            code.map(str::to_owned),
            records,
        );
        self.store.begin()?;
        let result = self.append_audit(area, draft);
        self.finish_tx(result)
    }

    /// The pseudonym of a staff user (32 hex digits) as audit entries and dose histories show
    /// it; `None` for other principals.
    fn user_pseudonym(&self, principal: &Principal) -> Option<String> {
        let Principal::MunicipalStaff { tenant, user_id } = principal else {
            return None;
        };
        Some(provision_log::user_pseudonym(
            &self.user_pseudonyms,
            tenant,
            user_id,
        ))
    }

    fn draft(
        &self,
        principal: &Principal,
        op: &'static str,
        now: DateTime,
        outcome: &'static str,
        code: Option<String>,
        records: Vec<RecordKey>,
    ) -> AuditDraft {
        let (scope, user) = match principal {
            Principal::MunicipalStaff { tenant, .. } => (
                Some(tenant.as_str().to_owned()),
                self.user_pseudonym(principal),
            ),
            Principal::VenueTablet { tenant } => (Some(tenant.as_str().to_owned()), None),
            Principal::PrefectureViewer { prefecture } => (Some(format!("{prefecture:02}")), None),
            Principal::NationalViewer | Principal::Operator => (None, None),
        };
        AuditDraft {
            at: now.to_string(),
            role: principal.role(),
            scope,
            user,
            op,
            records,
            outcome,
            code,
            counts: Vec::new(),
        }
    }

    /// Appends to the chain of `area` (or the registry chain) inside the open transaction.
    fn append_audit(
        &mut self,
        area: Option<&Area>,
        draft: AuditDraft,
    ) -> Result<(), RegistryError> {
        match area {
            Some(a) => {
                let keys = a.keys.clone();
                audit::append(&mut *self.store, a.id, &|d| keys.audit_mac(d), draft)
            }
            None => {
                let key = self.registry_audit.clone();
                audit::append(&mut *self.store, REGISTRY_CHAIN, &|d| key.mac(d), draft)
            }
        }
    }
}

/// Verifies the chain of the context's tenant (or the registry chain).
fn verify_chain(
    ctx: &mut Ctx<'_>,
    registry_audit: &SecretKey,
    must_exist: bool,
) -> Result<AuditVerification, RegistryError> {
    match &ctx.area {
        Some(area) => {
            let keys = area.keys.clone();
            let name = area.code.as_str().to_owned();
            let mac = |d: &[u8]| keys.audit_mac(d);
            audit::verify(ctx.store, area.id, name, Some(&mac), must_exist)
        }
        None => {
            let mac = |d: &[u8]| registry_audit.mac(d);
            let name = "registry".to_owned();
            audit::verify(ctx.store, REGISTRY_CHAIN, name, Some(&mac), must_exist)
        }
    }
}

/// Who may read or verify an audit chain: a tenant's chain its staff and the operator, the
/// registry-wide chain the operator only.
fn audit_access(tenant: Option<&MunicipalityCode>) -> Access {
    match tenant {
        Some(_) => Access::StaffOrOperator,
        None => Access::Operator,
    }
}

#[cfg(test)]
mod inquiry_tests;
#[cfg(test)]
mod integrity_tests;
#[cfg(test)]
mod retention_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_correction;
