//! Inquiries on a move (転入時の接種記録照会): the new municipality B asks, by the resident's
//! My Number, which doses the former municipality A (or any municipality) recorded.
//!
//! The registry-wide [inquiry index](super::inquiry_index) names the tenants holding the person;
//! each is searched in its own area by its own pseudonym of the number, exactly. The answer is
//! [`InquiryOutcome::Match`] with one [`ProviderRecords`] per municipality holding dose records,
//! or [`InquiryOutcome::NoMatch`], which is the same value (and the same bytes) whatever the
//! reason: a wrong former code, a person who never lived there, records purged, or a
//! municipality that does not exist. Asking stores nothing in a municipality that holds no record
//! of the person; a municipality that holds one gets an entry in its provision log, and B one in
//! its inquiry log.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use std::collections::HashMap;
use std::sync::Arc;

use crate::codec::{BasisKind, LogKind};
use crate::crypto::{RecordKey, RecordKind};
use crate::date::Date;
use crate::diag::looks_like_my_number;
use crate::id::{AddresseeNumber, MunicipalityCode, MyNumber};
use crate::par;
use crate::store::{RecordId, Store};
use crate::text::{char_count, first_control_char};

use super::access::Access;
use super::area::{read_many, Area, AreaCache};
use super::error::RegistryError;
use super::inquiry_index::InquiryIndex;
use super::log_entry::{Pending, Shared};
use super::model::{self, DoseRec, MyNumberRec, SubjectRec, VoucherRec};
use super::principal::Principal;
use super::provision_log::{self, LogBook};
use super::Registry;

/// Longest consent-form reference accepted (characters).
const FORM_REF_MAX: usize = 30;

/// Why B may ask (My Number Act Art. 19, "life, body or property" route).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegalBasis {
    /// The person consented, on the form `form_ref` (e.g. 新接種券発行申請書兼接種記録確認同意書).
    /// The request must also confirm that the person's identity was verified (Art. 16).
    Consent {
        /// Reference of the signed consent form (1–30 characters, not a My Number).
        form_ref: String,
    },
    /// Consent is difficult to obtain: the route the Digital Agency adopted for moves from
    /// mid-December 2021.
    ConsentDifficult,
}

impl LegalBasis {
    /// The basis as logs and files carry it.
    pub fn kind(&self) -> BasisKind {
        match self {
            LegalBasis::Consent { .. } => BasisKind::Consent,
            LegalBasis::ConsentDifficult => BasisKind::ConsentDifficult,
        }
    }

    /// The consent form's reference, if any.
    pub fn form_ref(&self) -> Option<&str> {
        match self {
            LegalBasis::Consent { form_ref } => Some(form_ref),
            LegalBasis::ConsentDifficult => None,
        }
    }
}

/// One period of the [`InquiryPolicy`]: from `from` (inclusive) until the next rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BasisRule {
    /// First day the rule applies.
    pub from: Date,
    /// Whether [`LegalBasis::Consent`] is accepted.
    pub consent: bool,
    /// Whether [`LegalBasis::ConsentDifficult`] is accepted.
    pub consent_difficult: bool,
}

/// Which legal bases inquiries may use, by the date of the request (a request is judged by the
/// rule of its own day). The last rule whose `from` is on or before the date applies; before
/// the first rule, none is accepted.
///
/// The default follows the reference §9: consent (with identity verification) only, until
/// 2021-12-14; from 2021-12-15 also "consent difficult to obtain".
///
/// ```
/// use vrs_core::date::Date;
/// use vrs_core::registry::{InquiryPolicy, LegalBasis};
/// let policy = InquiryPolicy::default();
/// let difficult = LegalBasis::ConsentDifficult;
/// assert!(!policy.accepts(&difficult, Date::new(2021, 12, 14)?));
/// assert!(policy.accepts(&difficult, Date::new(2021, 12, 15)?));
/// # Ok::<(), vrs_core::date::DateError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InquiryPolicy {
    /// The rules, by `from` ascending.
    pub rules: Vec<BasisRule>,
}

impl Default for InquiryPolicy {
    fn default() -> Self {
        // A constant date: both are valid, so the fallbacks are never taken.
        let mid_december = Date::new(2021, 12, 15).unwrap_or(Date::MIN);
        InquiryPolicy {
            rules: vec![
                BasisRule {
                    from: Date::MIN,
                    consent: true,
                    consent_difficult: false,
                },
                BasisRule {
                    from: mid_december,
                    consent: true,
                    consent_difficult: true,
                },
            ],
        }
    }
}

impl InquiryPolicy {
    /// The rule that applies on `day`.
    pub fn rule_on(&self, day: Date) -> Option<&BasisRule> {
        self.rules.iter().rev().find(|r| r.from <= day)
    }

    /// Whether `basis` is accepted for a request made on `day`.
    pub fn accepts(&self, basis: &LegalBasis, day: Date) -> bool {
        self.rule_on(day).is_some_and(|r| match basis {
            LegalBasis::Consent { .. } => r.consent,
            LegalBasis::ConsentDifficult => r.consent_difficult,
        })
    }
}

/// An inquiry by the new municipality's staff about one incoming resident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InquiryRequest {
    /// The municipality the person moved from; `None` asks every municipality.
    pub former: Option<MunicipalityCode>,
    /// The person's My Number.
    pub my_number: MyNumber,
    /// Why the requester may ask.
    pub legal_basis: LegalBasis,
    /// The person's identity was verified under My Number Act Art. 16 (required with consent).
    pub identity_verified: bool,
    /// The requester's own reference for the person, e.g. its addressee number (an addressee
    /// number's shape; never the My Number). It goes into the requester's inquiry log only.
    pub reference: String,
}

/// One dose as an inquiry answer carries it: nothing about the person, nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InquiryDose {
    /// Dose number.
    pub dose: u8,
    /// Vaccination date (ISO).
    pub vaccinated_on: String,
    /// Voucher number.
    pub voucher_number: String,
    /// The municipality that issued the voucher.
    pub municipality_code: MunicipalityCode,
    /// Venue name.
    pub venue: String,
    /// Doctor's name.
    pub doctor: String,
    /// Manufacturer.
    pub manufacturer: String,
    /// Lot number.
    pub lot: String,
}

/// The dose records one municipality provided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderRecords {
    /// The providing municipality.
    pub provider: MunicipalityCode,
    /// Its doses of the person, by dose number.
    pub doses: Vec<InquiryDose>,
}

/// The answer to an inquiry. Serialises as `{"outcome": "match" | "no-match", "providers": [...]}`;
/// every no-match is the same bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InquiryOutcome {
    /// Municipalities hold dose records of the person: one entry each, by municipality code.
    Match {
        /// The providers (at least one).
        providers: Vec<ProviderRecords>,
    },
    /// Nothing to provide.
    NoMatch,
}

impl InquiryOutcome {
    /// `match` or `no-match`.
    pub fn name(&self) -> &'static str {
        match self {
            InquiryOutcome::Match { .. } => "match",
            InquiryOutcome::NoMatch => "no-match",
        }
    }

    /// The providers (empty for no match).
    pub fn providers(&self) -> &[ProviderRecords] {
        match self {
            InquiryOutcome::Match { providers } => providers,
            InquiryOutcome::NoMatch => &[],
        }
    }
}

impl Serialize for InquiryOutcome {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("InquiryOutcome", 2)?;
        st.serialize_field("outcome", self.name())?;
        st.serialize_field("providers", self.providers())?;
        st.end()
    }
}

/// A person found in one providing area: the area and their doses there (possibly none), by
/// dose number, each with its voucher number.
pub(crate) struct Found {
    pub area: Area,
    /// Each dose with its voucher number (shared by the doses of one voucher).
    pub doses: Vec<(Arc<str>, DoseRec)>,
}

/// Checks the parts of a request that need no store: the form reference and the reference.
pub(crate) fn check_request_text(request: &InquiryRequest) -> Result<(), RegistryError> {
    if let LegalBasis::Consent { form_ref } = &request.legal_basis {
        check_form_ref(form_ref)?;
    }
    check_reference(&request.reference, &request.my_number)
}

pub(crate) fn check_form_ref(form_ref: &str) -> Result<(), RegistryError> {
    if form_ref.trim().is_empty()
        || char_count(form_ref) > FORM_REF_MAX
        || first_control_char(form_ref).is_some()
    {
        return Err(RegistryError::InvalidInput(format!(
            "a consent form reference is 1 to {FORM_REF_MAX} characters without control characters"
        )));
    }
    if looks_like_my_number(form_ref) {
        return Err(RegistryError::InvalidInput(
            "the consent form reference looks like a My Number; it is kept in logs, so it must not be one"
                .into(),
        ));
    }
    Ok(())
}

fn check_reference(reference: &str, my_number: &MyNumber) -> Result<(), RegistryError> {
    AddresseeNumber::parse(reference)
        .map_err(|e| RegistryError::InvalidInput(format!("the requester's reference: {e}")))?;
    if looks_like_my_number(reference) || reference == my_number.expose_secret() {
        return Err(RegistryError::InvalidInput(
            "the requester's reference looks like a My Number; it is kept in logs, so it must not be one"
                .into(),
        ));
    }
    Ok(())
}

/// The policy decision for a request made on `day` (a refusal, audited as such).
pub(crate) fn check_basis(
    policy: &InquiryPolicy,
    basis: &LegalBasis,
    identity_verified: bool,
    day: Date,
) -> Result<(), RegistryError> {
    if !policy.accepts(basis, day) {
        let what = match basis {
            LegalBasis::Consent { .. } => "consent",
            LegalBasis::ConsentDifficult => "consent difficult to obtain",
        };
        return Err(RegistryError::Forbidden(format!(
            "the legal basis \"{what}\" is not accepted for requests made on {day}"
        )));
    }
    if matches!(basis, LegalBasis::Consent { .. }) && !identity_verified {
        return Err(RegistryError::Forbidden(
            "an inquiry with consent needs the person's identity verified (My Number Act Art. 16)"
                .into(),
        ));
    }
    Ok(())
}

/// One person to look up: the digits of their My Number, the key of its inquiry-index entry
/// ([`InquiryIndex::key`]) and the former municipality named.
pub(crate) struct Wanted<'a> {
    pub digits: &'a str,
    pub index_key: RecordKey,
    pub former: Option<MunicipalityCode>,
}

/// Looks up the person with My Number `digits` (see [`look_up_many`]).
pub(crate) fn look_up(
    store: &mut dyn Store,
    areas: &mut AreaCache,
    index: &InquiryIndex,
    requester: &MunicipalityCode,
    former: Option<&MunicipalityCode>,
    digits: &str,
) -> Result<Vec<Found>, RegistryError> {
    let wanted = [Wanted {
        digits,
        index_key: index.key(digits),
        former: former.copied(),
    }];
    let mut found = look_up_many(store, areas, index, requester, &wanted)?;
    Ok(found.pop().unwrap_or_default())
}

/// One (person, holding tenant) pair being looked up.
struct Pair {
    row: usize,
    area: Area,
    addressee: Option<String>,
    vouchers: Vec<String>,
    doses: Vec<(Arc<str>, DoseRec)>,
    subject_found: bool,
}

/// Looks up every person of `wanted`: the inquiry index names the tenants holding each; each
/// of those (except the requester, and only the former municipality when one is named) is
/// searched in its own area by its own pseudonym of the number, exactly. Returns, per person,
/// the areas where a subject with the number was found, by municipality code.
///
/// The work goes stage by stage (index entries, My Number links, subjects, vouchers), each
/// stage's lookups in key order, so that neighbouring lookups share the store's pages: a
/// batch of 100,000 costs far less than 100,000 single inquiries.
pub(crate) fn look_up_many(
    store: &mut dyn Store,
    areas: &mut AreaCache,
    index: &InquiryIndex,
    requester: &MunicipalityCode,
    wanted: &[Wanted<'_>],
) -> Result<Vec<Vec<Found>>, RegistryError> {
    areas.verify_registry_area(store)?;
    // Stage 1: the index entries.
    let mut order: Vec<(RecordKey, usize)> = wanted.iter().map(|w| w.index_key).zip(0..).collect();
    order.sort_unstable_by_key(|(k, _)| *k);
    let entry_keys: Vec<RecordKey> = order.iter().map(|(k, _)| *k).collect();
    let holders = index.holders_of_many(store, &entry_keys)?;
    let mut opened: HashMap<u32, Option<Area>> = HashMap::new();
    let mut pairs: Vec<Pair> = Vec::new();
    for ((_, row), codes) in order.iter().zip(holders) {
        let w = &wanted[*row];
        if w.former == Some(*requester) {
            continue;
        }
        for code in codes {
            if code == *requester || w.former.is_some_and(|f| f != code) {
                continue;
            }
            let area = match opened.get(&code.to_u32()) {
                Some(a) => a.clone(),
                None => {
                    let a = match areas.get(store, &code) {
                        Ok(a) => Some(a),
                        // A tenant removed since the index was written holds nothing.
                        Err(RegistryError::UnknownTenant(_)) => None,
                        Err(e) => return Err(e),
                    };
                    opened.insert(code.to_u32(), a.clone());
                    a
                }
            };
            if let Some(area) = area {
                pairs.push(Pair {
                    row: *row,
                    area,
                    addressee: None,
                    vouchers: Vec::new(),
                    doses: Vec::new(),
                    subject_found: false,
                });
            }
        }
    }
    // Stage 2: each holder's link from the number to the subject.
    let links: Vec<(usize, RecordKey)> = par::map(&pairs, |pair| {
        let digits = wanted[pair.row].digits.as_bytes();
        pair.area.key(RecordKind::MyNumberIndex, digits)
    })
    .into_iter()
    .enumerate()
    .collect();
    let addressees = load_in_key_order(
        store,
        &pairs,
        &links,
        RecordKind::MyNumberIndex,
        |_, link: MyNumberRec| link.addressee,
    )?;
    for ((p, _), addressee) in links.iter().zip(addressees) {
        pairs[*p].addressee = addressee;
    }
    // Stage 3: the subjects.
    let subjects: Vec<(usize, RecordKey)> = par::map(&pairs, |pair| {
        let a = pair.addressee.as_ref()?;
        Some(pair.area.key(RecordKind::Subject, a.as_bytes()))
    })
    .into_iter()
    .enumerate()
    .filter_map(|(p, key)| Some((p, key?)))
    .collect();
    // Exact match only: the lookup is keyed, and the record must agree.
    let vouchers = load_in_key_order(
        store,
        &pairs,
        &subjects,
        RecordKind::Subject,
        |p, subject: SubjectRec| {
            let digits = wanted[pairs[p].row].digits;
            (subject.my_number.as_ref().map(|n| n.0.as_str()) == Some(digits))
                .then_some(subject.vouchers)
        },
    )?;
    for ((p, _), vouchers) in subjects.iter().zip(vouchers) {
        if let Some(vouchers) = vouchers.flatten() {
            pairs[*p].subject_found = true;
            pairs[*p].vouchers = vouchers;
        }
    }
    // Stage 4: the vouchers and their doses.
    let voucher_keys: Vec<Vec<RecordKey>> = par::map(&pairs, |pair| {
        pair.vouchers
            .iter()
            .map(|number| pair.area.key(RecordKind::Voucher, number.as_bytes()))
            .collect()
    });
    let mut voucher_of: Vec<(usize, usize)> = Vec::new();
    let mut vouchers: Vec<(usize, RecordKey)> = Vec::new();
    for (p, keys) in voucher_keys.into_iter().enumerate() {
        for (v, key) in keys.into_iter().enumerate() {
            vouchers.push((p, key));
            voucher_of.push((p, v));
        }
    }
    let doses = load_in_key_order(
        store,
        &pairs,
        &vouchers,
        RecordKind::Voucher,
        |_, voucher: VoucherRec| voucher.doses,
    )?;
    for ((p, v), doses) in voucher_of.into_iter().zip(doses) {
        if let Some(doses) = doses {
            let pair = &mut pairs[p];
            let number: Arc<str> = Arc::from(pair.vouchers[v].as_str());
            pair.doses
                .extend(doses.into_iter().map(|d| (number.clone(), d)));
        }
    }
    let mut out: Vec<Vec<Found>> = Vec::new();
    out.resize_with(wanted.len(), Vec::new);
    for mut pair in pairs {
        if pair.subject_found {
            pair.doses.sort_by_key(|(_, d)| d.dose);
            out[pair.row].push(Found {
                area: pair.area,
                doses: pair.doses,
            });
        }
    }
    Ok(out)
}

/// Loads the records `wanted` (pair index, key in that pair's area) of `kind`, reading them in
/// (tenant, key) order so that neighbouring reads share the store's pages, and returns
/// `extract(pair index, record)` of each, in the order of `wanted` (`None` for an absent
/// record). `extract` runs on the thread that read the record, so what it drops is freed there.
fn load_in_key_order<T, R>(
    store: &mut dyn Store,
    pairs: &[Pair],
    wanted: &[(usize, RecordKey)],
    kind: RecordKind,
    extract: impl Fn(usize, T) -> R + Sync,
) -> Result<Vec<Option<R>>, RegistryError>
where
    T: serde::de::DeserializeOwned,
    R: Send + Sync,
{
    let mut order: Vec<(u32, RecordKey, usize)> = wanted
        .iter()
        .enumerate()
        .map(|(i, (p, key))| (pairs[*p].area.id, *key, i))
        .collect();
    order.sort_unstable();
    let ids: Vec<RecordId> = order
        .iter()
        .map(|(tenant, key, _)| (*tenant, kind.code(), *key.as_bytes()))
        .collect();
    let loaded = read_many(store, &ids, |n, sealed| {
        let Some(sealed) = sealed else {
            return Ok(None);
        };
        let (_, key, i) = &order[n];
        let p = wanted[*i].0;
        let record: T = pairs[p].area.open(kind, key, sealed)?;
        Ok(Some(extract(p, record)))
    })?;
    let mut out: Vec<Option<R>> = Vec::new();
    out.resize_with(wanted.len(), || None);
    for ((_, _, i), value) in order.iter().zip(loaded) {
        out[*i] = value;
    }
    Ok(out)
}

/// The doses of a found person as an answer carries them.
fn answer_doses(found: &Found) -> Result<Vec<InquiryDose>, RegistryError> {
    found
        .doses
        .iter()
        .map(|(voucher, d)| {
            Ok(InquiryDose {
                dose: d.dose,
                vaccinated_on: model::date(d.vaccinated_on)?.to_string(),
                voucher_number: voucher.to_string(),
                municipality_code: found.area.code,
                venue: d.venue.clone(),
                doctor: d.doctor.clone(),
                manufacturer: d.manufacturer.clone(),
                lot: d.lot.clone(),
            })
        })
        .collect()
}

/// The answer to one request: one entry per area holding dose records, by municipality code.
pub(crate) fn outcome_of(found: &[Found]) -> Result<InquiryOutcome, RegistryError> {
    let mut providers = Vec::new();
    for f in found.iter().filter(|f| !f.doses.is_empty()) {
        providers.push(ProviderRecords {
            provider: f.area.code,
            doses: answer_doses(f)?,
        });
    }
    providers.sort_by_key(|p| p.provider);
    Ok(if providers.is_empty() {
        InquiryOutcome::NoMatch
    } else {
        InquiryOutcome::Match { providers }
    })
}

/// What one request repeats in its log entries besides what the whole operation shares.
pub(crate) struct Asked<'a> {
    pub requester: &'a Area,
    pub former: Option<MunicipalityCode>,
    pub digits: &'a str,
    pub reference: &'a str,
}

/// Queues the log entries of one answered request: one in each found area's provision log (the
/// provider holds the person; nothing is written where nobody is held), one in the requester's
/// inquiry log.
pub(crate) fn log_request(book: &mut LogBook, asked: &Asked<'_>, found: &[Found]) {
    for (area, entry) in log_entries(asked, found) {
        book.add(area, entry);
    }
}

/// The log entries of one answered request, each with the area whose log it goes to (see
/// [`log_request`]). Pure: a batch makes them for many rows at once, on every core.
pub(crate) fn log_entries<'a>(asked: &Asked<'a>, found: &'a [Found]) -> Vec<(&'a Area, Pending)> {
    let mut entries = Vec::with_capacity(found.len() + 1);
    let mut providers: Vec<MunicipalityCode> = Vec::new();
    let mut total = 0usize;
    for f in found {
        let n = f.doses.len();
        let provided: Vec<MunicipalityCode> = if n > 0 { vec![f.area.code] } else { Vec::new() };
        entries.push((
            &f.area,
            Pending {
                log: LogKind::Provision,
                provider: Some(f.area.code),
                providers: provided,
                reference: None,
                doses: u32::try_from(n).unwrap_or(u32::MAX),
                subject: provision_log::subject_key(&f.area, asked.digits),
            },
        ));
        if n > 0 {
            providers.push(f.area.code);
            total += n;
        }
    }
    providers.sort();
    entries.push((
        asked.requester,
        Pending {
            log: LogKind::Inquiry,
            provider: asked.former,
            providers,
            reference: Some(asked.reference.to_owned()),
            doses: u32::try_from(total).unwrap_or(u32::MAX),
            subject: provision_log::subject_key(asked.requester, asked.digits),
        },
    ));
    entries
}

impl Registry {
    /// Asks, as staff of the new municipality, which doses other municipalities recorded for
    /// the incoming resident `request.my_number` (転入時の接種記録照会).
    ///
    /// The legal basis must be accepted by [`RegistryConfig::inquiry_policy`](super::RegistryConfig)
    /// on the request's day (the registry clock), and consent needs `identity_verified`. Only
    /// staff may ask, and never about their own municipality. The answer never says why there is
    /// no match. Every call is audited in the requester's chain; an answered one also writes the
    /// provision and inquiry log entries (see [`Registry::provision_log`]).
    ///
    /// # Errors
    /// [`RegistryError::Forbidden`] (not staff, own municipality named, basis not accepted,
    /// identity not verified), [`RegistryError::InvalidInput`] (a reference or form reference
    /// that is malformed or looks like a My Number; not audited, like other malformed input),
    /// store and key failures.
    pub fn inquire(
        &mut self,
        principal: &Principal,
        request: &InquiryRequest,
    ) -> Result<InquiryOutcome, RegistryError> {
        check_request_text(request)?;
        let Some(requester) = principal.tenant().copied() else {
            return self.refuse_without_area(
                principal,
                "inquire",
                "only a municipality's staff may inquire",
            );
        };
        let user = self.user_pseudonym(principal);
        let index = self.inquiry_index.clone();
        self.run(
            principal,
            "inquire",
            Some(&requester),
            Access::Staff,
            |ctx| {
                if request.former == Some(requester) {
                    return Err(RegistryError::Forbidden(
                        "staff cannot inquire about their own municipality".into(),
                    ));
                }
                check_basis(
                    &ctx.config.inquiry_policy,
                    &request.legal_basis,
                    request.identity_verified,
                    ctx.now.date,
                )?;
                let area = ctx.area()?;
                let digits = request.my_number.expose_secret();
                let found = look_up(
                    ctx.store,
                    ctx.areas,
                    &index,
                    &requester,
                    request.former.as_ref(),
                    digits,
                )?;
                let mut book = LogBook::new(Shared {
                    requester,
                    at: ctx.now.to_string(),
                    basis: request.legal_basis.kind(),
                    form_ref: request.legal_basis.form_ref().map(str::to_owned),
                    identity_verified: request.identity_verified,
                    batch: None,
                    user: user.clone(),
                });
                let asked = Asked {
                    requester: &area,
                    former: request.former,
                    digits,
                    reference: &request.reference,
                };
                log_request(&mut book, &asked, &found);
                let outcome = outcome_of(&found)?;
                book.write(ctx.store)?;
                Ok(outcome)
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: u16, m: u8, d: u8) -> Date {
        Date::new(y, m, d).unwrap()
    }

    #[test]
    fn the_default_policy_changes_on_15_december_2021() {
        let p = InquiryPolicy::default();
        let consent = LegalBasis::Consent {
            form_ref: "F-1".into(),
        };
        let difficult = LegalBasis::ConsentDifficult;
        assert!(p.accepts(&consent, day(2021, 4, 1)));
        assert!(!p.accepts(&difficult, day(2021, 12, 14)));
        assert!(p.accepts(&difficult, day(2021, 12, 15)));
        assert!(p.accepts(&consent, day(2026, 1, 1)));
        let none = InquiryPolicy { rules: vec![] };
        assert!(!none.accepts(&consent, day(2022, 1, 1)));
        assert!(check_basis(&p, &consent, false, day(2022, 1, 1)).is_err());
        assert!(check_basis(&p, &consent, true, day(2022, 1, 1)).is_ok());
        assert!(check_basis(&p, &difficult, false, day(2022, 1, 1)).is_ok());
    }

    #[test]
    fn references_that_could_carry_a_my_number_are_refused() {
        let n = MyNumber::parse("123456789018").unwrap();
        assert!(check_reference("1001", &n).is_ok());
        assert!(check_reference("123456789018", &n).is_err());
        assert!(check_reference("1234-5678-9018", &n).is_err());
        assert!(check_reference("", &n).is_err());
        assert!(check_form_ref("F-2021-001").is_ok());
        assert!(check_form_ref("同意書 123456789018").is_err());
        assert!(check_form_ref(&"x".repeat(31)).is_err());
        assert!(check_form_ref("a\tb").is_err());
    }

    #[test]
    fn every_no_match_is_the_same_bytes() {
        let json = serde_json::to_string(&InquiryOutcome::NoMatch).unwrap();
        assert_eq!(json, r#"{"outcome":"no-match","providers":[]}"#);
    }
}
