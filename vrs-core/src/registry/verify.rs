//! The maintenance check of the whole store: [`Registry::verify_store`].

use serde::Serialize;

use crate::crypto::{CryptoError, RecordKey, RecordKind, SealContext};
use crate::id::MunicipalityCode;
use crate::store::Store;

use super::anchor::{self, IntegrityFinding, REGISTRY};
use super::area::Area;
use super::audit::{self, AuditVerification};
use super::error::RegistryError;
use super::model::{MyNumberRec, SubjectRec, VoucherRec};
use super::principal::Principal;
use super::provision_log;
use super::Registry;

/// What [`Registry::verify_store`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreVerification {
    /// `true` when nothing below reports a problem.
    pub ok: bool,
    /// Physical problems the storage engine reports (e.g. SQLite's `PRAGMA integrity_check`).
    pub problems: Vec<String>,
    /// Every audit chain (the registry's, each tenant's, any other chain), verified.
    pub chains: Vec<AuditVerification>,
    /// Every integrity finding: records that do not open, tenants whose records do not match
    /// their content digest (records deleted, added, altered or rolled back), chains or tenants
    /// erased or rolled back, records that refer to records that are missing. Each names its
    /// tenant, record kind and pseudonymous key where it can, never personal data.
    pub findings: Vec<IntegrityFinding>,
    /// Sealed records opened.
    pub records_checked: u64,
}

/// Why a sealed value does not open, for a finding.
fn open_problem(e: &CryptoError) -> String {
    match e {
        CryptoError::OpenFailed => {
            "the sealed value does not open under the tenant's key (altered, truncated, or moved \
             from another place)"
                .to_owned()
        }
        CryptoError::Malformed(what) => format!("the sealed value is malformed ({what})"),
        CryptoError::NoKey(_) => {
            "the value is sealed under a key version the key provider does not have".to_owned()
        }
        other => format!("the sealed value cannot be opened: {other}"),
    }
}

/// The (kind, key) of every record of a tenant, sorted: what exists, for the cross-checks.
type Present = Vec<(u8, [u8; 16])>;

/// Opens every sealed record of `area` (findings for those that do not open); returns how many
/// were opened and the records present.
fn open_all(
    store: &mut dyn Store,
    area: &Area,
    findings: &mut Vec<IntegrityFinding>,
) -> Result<(u64, Present), RegistryError> {
    let mut opened = 0u64;
    let mut present = Vec::new();
    store.scan_tenant(area.id, &mut |code, key, value| {
        present.push((code, *key));
        let Some(kind) = RecordKind::from_code(code) else {
            return true; // A kind this version does not know: covered by the digest only.
        };
        if kind.is_sealed() {
            opened += 1;
            let ctx = SealContext::new(&area.code, kind, &RecordKey(*key));
            if let Err(e) = area.keys.open(&ctx, value) {
                findings.push(IntegrityFinding::new(
                    area.id,
                    Some(code),
                    Some(key),
                    open_problem(&e),
                ));
            }
        }
        true
    })?;
    present.sort_unstable();
    Ok((opened, present))
}

/// Records that must exist because others name them: a subject's My Number index entry and
/// vouchers, an index entry's subject, a voucher's subject (or its awaiting entry).
fn cross_check(
    store: &mut dyn Store,
    area: &Area,
    present: &[(u8, [u8; 16])],
    findings: &mut Vec<IntegrityFinding>,
) -> Result<(), RegistryError> {
    let has =
        |kind: RecordKind, key: &RecordKey| present.binary_search(&(kind.code(), key.0)).is_ok();
    let mut missing = |from: RecordKind, key: &RecordKey, what: &str| {
        findings.push(IntegrityFinding::new(
            area.id,
            Some(from.code()),
            Some(key.as_bytes()),
            what.to_owned(),
        ));
    };
    let mut check = |kind: RecordKind, visit: &mut dyn FnMut(RecordKey, &[u8])| {
        store.scan(area.id, kind.code(), &mut |key, value| {
            visit(RecordKey(*key), value);
            true
        })
    };
    check(RecordKind::Subject, &mut |key, value| {
        let Ok(s) = area.open::<SubjectRec>(RecordKind::Subject, &key, value) else {
            return; // Reported when opening.
        };
        if let Some(n) = &s.my_number {
            let k = area.key(RecordKind::MyNumberIndex, n.0.as_bytes());
            if !has(RecordKind::MyNumberIndex, &k) {
                missing(
                    RecordKind::Subject,
                    &key,
                    "its My Number index record is missing (deleted outside the registry: the \
                     same My Number could be registered again)",
                );
            }
        }
        for v in &s.vouchers {
            if !has(
                RecordKind::Voucher,
                &area.key(RecordKind::Voucher, v.as_bytes()),
            ) {
                missing(
                    RecordKind::Subject,
                    &key,
                    "one of its voucher records is missing",
                );
            }
        }
    })?;
    check(RecordKind::MyNumberIndex, &mut |key, value| {
        let Ok(i) = area.open::<MyNumberRec>(RecordKind::MyNumberIndex, &key, value) else {
            return;
        };
        if !has(
            RecordKind::Subject,
            &area.key(RecordKind::Subject, i.addressee.as_bytes()),
        ) {
            missing(
                RecordKind::MyNumberIndex,
                &key,
                "the subject record it names is missing",
            );
        }
    })?;
    check(RecordKind::Voucher, &mut |key, value| {
        let Ok(v) = area.open::<VoucherRec>(RecordKind::Voucher, &key, value) else {
            return;
        };
        match &v.subject {
            Some(a)
                if !has(
                    RecordKind::Subject,
                    &area.key(RecordKind::Subject, a.as_bytes()),
                ) =>
            {
                missing(RecordKind::Voucher, &key, "its subject record is missing");
            }
            Some(_) => {}
            None if !v.doses.is_empty() => {
                let k = area.key(RecordKind::Awaiting, v.number.as_bytes());
                if !has(RecordKind::Awaiting, &k) {
                    missing(
                        RecordKind::Voucher,
                        &key,
                        "it holds doses awaiting registration but its awaiting entry is missing",
                    );
                }
            }
            None => {}
        }
    })?;
    Ok(())
}

impl Registry {
    /// Maintenance check (operator only), of everything: the storage engine's own check, the
    /// registry anchor and every chain head and content digest it anchors, every tenant's
    /// records against its content digest, every sealed record opened, references between
    /// records, and every audit chain. Runs on a registry in quarantine too (it is how an
    /// operator finds out why). See [`StoreVerification`].
    ///
    /// It reads the whole store: minutes for tens of millions of records.
    ///
    /// # Errors
    /// [`RegistryError::Forbidden`]; store failures (a finding is not an error).
    pub fn verify_store(
        &mut self,
        principal: &Principal,
    ) -> Result<StoreVerification, RegistryError> {
        if !matches!(principal, Principal::Operator) {
            return self.refuse_without_area(
                principal,
                "verify-store",
                "only the operator runs maintenance",
            );
        }
        let result = self.check_store();
        let (outcome, code) = match &result {
            Ok(_) => ("ok", None),
            Err(e) => ("failed", Some(e.code())),
        };
        // A store whose anchor is forged or missing takes no commit at all: the check is still
        // reported (it is how the operator finds out), only its audit entry cannot be written.
        match self.audit_alone(principal, "verify-store", None, outcome, code, vec![]) {
            Ok(()) | Err(RegistryError::Tampered(_)) => result,
            Err(e) => Err(e),
        }
    }

    fn check_store(&mut self) -> Result<StoreVerification, RegistryError> {
        let problems = self.store.integrity_check()?;
        let mut findings = self.store.check_anchor(true)?;
        let keys = self.store.keys().clone();
        let mut ids = self.store.tenants()?;
        ids.insert(0, REGISTRY);
        let mut chains = Vec::new();
        let mut records_checked = 0u64;
        for id in ids {
            findings.extend(anchor::verify_content(&mut *self.store, &keys, id)?);
            let has_chain = self.store.audit_last(id)?.is_some()
                || self
                    .store
                    .get(
                        id,
                        RecordKind::AuditHead.code(),
                        RecordKey::SINGLETON.as_bytes(),
                    )?
                    .is_some()
                || self.store.listed(id, RecordKind::AuditHead)?;
            let code = if id == REGISTRY {
                None
            } else {
                MunicipalityCode::from_u32(id)
            };
            let Some(code) = code else {
                if has_chain {
                    chains.push(self.chain_check(id, None)?);
                }
                continue;
            };
            match self.areas.for_inspection(&mut *self.store, &code) {
                Ok(area) => {
                    let (opened, present) = open_all(&mut *self.store, &area, &mut findings)?;
                    records_checked += opened;
                    cross_check(&mut *self.store, &area, &present, &mut findings)?;
                    if has_chain {
                        chains.push(self.chain_check(id, Some(&area))?);
                    }
                    // The tenant's provision and inquiry logs, with their own head MACs (their
                    // heads are anchored like every chain's).
                    chains.extend(provision_log::verify_chains(&mut *self.store, &area)?);
                }
                Err(e) => {
                    findings.push(IntegrityFinding::new(
                        id,
                        Some(RecordKind::KeyCheck.code()),
                        None,
                        format!("the tenant's records cannot be checked: {e}"),
                    ));
                    if has_chain {
                        chains.push(AuditVerification {
                            chain: code.as_str().to_owned(),
                            entries: 0,
                            ok: false,
                            first_bad: None,
                            problem: Some(format!("cannot verify: {e}")),
                        });
                    }
                }
            }
        }
        let ok = problems.is_empty() && findings.is_empty() && chains.iter().all(|c| c.ok);
        Ok(StoreVerification {
            ok,
            problems,
            chains,
            findings,
            records_checked,
        })
    }

    /// Verifies chain `id`: with the tenant's audit key for a tenant's chain, the registry
    /// key for the registry chain, and (anchor-authenticated) without a head MAC otherwise.
    pub(crate) fn chain_check(
        &mut self,
        id: u32,
        area: Option<&Area>,
    ) -> Result<AuditVerification, RegistryError> {
        let must_exist = self.store.listed(id, RecordKind::AuditHead)?;
        let name = anchor::scope_name(id);
        match (id, area) {
            (REGISTRY, _) => {
                let key = self.registry_audit.clone();
                audit::verify(
                    &mut *self.store,
                    id,
                    name,
                    Some(&|d| key.mac(d)),
                    must_exist,
                )
            }
            (_, Some(area)) => {
                let keys = area.keys.clone();
                audit::verify(
                    &mut *self.store,
                    id,
                    name,
                    Some(&|d| keys.audit_mac(d)),
                    must_exist,
                )
            }
            (_, None) => audit::verify(&mut *self.store, id, name, None, must_exist),
        }
    }
}
