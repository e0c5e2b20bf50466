//! One row generator per layout. Each streams rows straight to the writer.
//!
//! Memory is bounded by construction: the loops below keep only the current person (their at
//! most seven doses and at most nine pending voucher rows) and a few counters. No `Vec`,
//! `HashMap` or other collection grows with the number of rows; uniqueness of addressee
//! numbers, voucher numbers and My Numbers comes from bijections of the row or person index
//! (see `ctx::Ids`), not from remembering what was written.

use std::io::Write;

use crate::codec::{
    AwaitingRow, BasisKind, BatchInquiryRequestRow, BatchInquiryResultRow, CsvWriter,
    DoseUploadRow, FlagKind, FlagRow, InquiryDoseEntry, LedgerRow, LogKind, MatchStatus,
    ProvisionLogRow, SubjectRegistrationRow, INQUIRY_ITEMS,
};
use crate::date::{Date, DateTime};
use crate::id::MunicipalityCode;
use crate::id::{OcrLine, VoucherNumber};
use crate::vaccine::DoseNumber;

use super::ctx::{domain, Ctx, AWAITING_VOUCHER_BASE, RESIDENT_CAP, VOUCHER_SLOTS};
use super::doses::{Group, History, Moves, Plan, VoucherBase};
use super::rng::Rng;
use super::{bad_input, OrBug, Res};

/// After this many unvaccinated people in a row (only possible when the file date is in the
/// first days of the programme), the next person is drawn with a forced first dose.
const MAX_SKIPS: u32 = 64;

fn add_days(d: Date, n: i64) -> Res<Date> {
    d.add_days(i32::try_from(n).unwrap_or(0)).or_bug()
}

/// The resident with person index `p` (the same person in every layout of one seed).
fn resident(ctx: &Ctx, p: u64, force: bool) -> Res<History> {
    if p >= RESIDENT_CAP {
        return Err(bad_input(format!("more than {RESIDENT_CAP} people needed")));
    }
    let mut rng = Rng::for_item(ctx.seed, domain::RESIDENT, p);
    ctx.history(
        &mut rng,
        VoucherBase::Person(p),
        Plan {
            moves: Moves::Sometimes,
            cap: 9,
            force,
        },
    )
}

/// Walks the residents, skipping those without any dose; yields person index and history.
struct Vaccinated {
    next: u64,
    skips: u32,
}

impl Vaccinated {
    fn new() -> Self {
        Vaccinated { next: 0, skips: 0 }
    }

    fn next(&mut self, ctx: &Ctx) -> Res<(u64, History)> {
        loop {
            let p = self.next;
            self.next += 1;
            let h = resident(ctx, p, self.skips >= MAX_SKIPS)?;
            if h.doses.is_empty() {
                self.skips += 1;
                continue;
            }
            self.skips = 0;
            return Ok((p, h));
        }
    }
}

/// 予防接種台帳向け出力: one vaccinated resident per row, doses in blocks.
pub(crate) fn ledger<W: Write>(ctx: &Ctx, w: &mut CsvWriter<W>, rows: u64) -> Res<()> {
    let blocks = w.layout().dose_blocks;
    let mut people = Vaccinated::new();
    for _ in 0..rows {
        let (p, h) = people.next(ctx)?;
        let row = LedgerRow {
            addressee: ctx.ids.addressee(p)?,
            doses: h.entries(ctx, blocks)?,
        };
        w.write_record(&row)?;
    }
    Ok(())
}

/// 接種対象者登録待ちリスト: doses 1 (and usually 2) on one of the tenant's vouchers whose
/// subject is not registered yet; no addressee number.
pub(crate) fn awaiting<W: Write>(ctx: &Ctx, w: &mut CsvWriter<W>, rows: u64) -> Res<()> {
    let blocks = w.layout().dose_blocks;
    for r in 0..rows {
        let base = VoucherBase::Single(AWAITING_VOUCHER_BASE + r);
        let mut rng = Rng::for_item(ctx.seed, domain::AWAITING, r);
        let mut h = ctx.history(
            &mut rng,
            base,
            Plan {
                moves: Moves::Never,
                cap: 2,
                force: false,
            },
        )?;
        if h.doses.is_empty() {
            let mut rng = Rng::for_item(ctx.seed, domain::AWAITING, r | 1 << 63);
            h = ctx.history(
                &mut rng,
                base,
                Plan {
                    moves: Moves::Never,
                    cap: 2,
                    force: true,
                },
            )?;
        }
        w.write_record(&AwaitingRow {
            doses: h.entries(ctx, blocks)?,
        })?;
    }
    Ok(())
}

/// A voucher the tenant issued to a resident, as registered in VRS.
#[derive(Debug, Clone, Copy)]
struct Issued {
    slot: u64,
    issued: Option<Date>,
}

/// The vouchers the tenant issued to a resident, in order (at most 9): the primary-series
/// sheet, one per booster given in the tenant, and sometimes one sent for a booster not (yet)
/// used. Doses given before a move-in used the former municipality's vouchers and are not here.
fn tenant_vouchers(ctx: &Ctx, p: u64, h: &History) -> Res<Vec<Issued>> {
    let mut rng = Rng::for_item(ctx.seed, domain::SUBJECT, p);
    let mut out: Vec<Issued> = Vec::with_capacity(9);
    let base = p * VOUCHER_SLOTS;
    let mut prev: Option<Date> = None;
    for d in h
        .doses
        .iter()
        .filter(|d| d.voucher.municipality == ctx.tenant_code)
    {
        if out.iter().any(|i| i.slot == d.slot) {
            prev = Some(d.date);
            continue; // dose 2 on the dose-1 sheet
        }
        // Sent 1-6 weeks before the dose, after the previous dose, from March 2021 (the first
        // vouchers); boosters from November 2021.
        let floor = if d.n >= 3 {
            ctx.cal.booster_from.add_days(-30).or_bug()?
        } else {
            ctx.cal.start.add_days(-20).or_bug()?
        };
        let mut issued = add_days(d.date, -rng.between(7, 42))?.max(floor);
        if let Some(pd) = prev {
            issued = issued.max(add_days(pd, 1)?);
        }
        if let Some(m) = h.moved_in {
            issued = issued.max(m.on);
        }
        out.push(Issued {
            slot: d.slot,
            issued: Some(issued.min(d.date).max(h.person.birth)),
        });
        prev = Some(d.date);
    }
    let next_slot = base + h.doses.last().map_or(0, |d| u64::from(d.n));
    let has_next_slot = h.doses.len() < VOUCHER_SLOTS as usize;
    if out.is_empty() && has_next_slot {
        // Unvaccinated, or vaccinated only before moving in: the tenant sent a voucher for the
        // next dose (primary vouchers by age group, but not before the person lived there).
        let primary = primary_issue_date(&mut rng, h)?;
        let issued = match h.moved_in {
            Some(m) => primary.max(add_days(m.on, rng.between(3, 30))?),
            None => primary,
        };
        out.push(Issued {
            slot: next_slot,
            issued: Some(issued),
        });
    } else if let (Some(last), true) = (h.last_date(), has_next_slot) {
        // Sometimes a booster voucher was sent and not used (never after the programme).
        let sent = add_days(last, rng.between(120, 240))?;
        if h.doses.len() >= 2 && rng.chance(350) && sent <= ctx.limit {
            out.push(Issued {
                slot: next_slot,
                issued: Some(sent),
            });
        }
    }
    // A voucher dated after the file date does not exist yet, except the first one, which is
    // registered without an issue date.
    let as_of = ctx.as_of;
    let mut kept: Vec<Issued> = Vec::with_capacity(out.len());
    for (i, v) in out.into_iter().enumerate() {
        match v.issued {
            Some(d) if d > as_of && i == 0 => kept.push(Issued {
                slot: v.slot,
                issued: None,
            }),
            Some(d) if d > as_of => {}
            _ => kept.push(v),
        }
    }
    Ok(kept)
}

/// When the primary-series voucher sheet was mailed, by priority group.
fn primary_issue_date(rng: &mut Rng, h: &History) -> Res<Date> {
    let (y, m, d, span) = match h.group {
        Group::Elderly => (2021, 3, 20, 40),
        Group::HealthWorker => (2021, 2, 1, 40),
        Group::Sixties | Group::Adult => (2021, 5, 1, 60),
        Group::Teen => (2021, 6, 1, 60),
        Group::Child => (2022, 2, 7, 50),
    };
    let start = Date::new(y, m, d).or_bug()?;
    let mut issued = add_days(start, rng.between(0, span))?;
    if let Some(first) = h.doses.first() {
        issued = issued.min(add_days(first.date, -rng.between(3, 20))?);
    }
    Ok(issued.max(h.person.birth))
}

/// 接種対象者・接種券発行登録: one row per voucher the tenant issued; every resident is
/// registered (vaccinated or not), with their My Number.
pub(crate) fn subject_registration<W: Write>(
    ctx: &Ctx,
    w: &mut CsvWriter<W>,
    rows: u64,
) -> Res<()> {
    let mut written = 0u64;
    let mut p = 0u64;
    while written < rows {
        let h = resident(ctx, p, false)?;
        let addressee = ctx.ids.addressee(p)?;
        for v in tenant_vouchers(ctx, p, &h)? {
            if written >= rows {
                break;
            }
            let row = SubjectRegistrationRow {
                municipality: ctx.tenant_code,
                addressee: addressee.clone(),
                my_number: Some(ctx.ids.my_number(p)?),
                voucher: ctx.ids.voucher(v.slot)?,
                name: h.person.name(),
                name_kana: h.person.name_kana(),
                birth_date: h.person.birth,
                sex: h.person.sex,
                issue_date: v.issued,
            };
            w.write_record(&row)?;
            written += 1;
        }
        p += 1;
    }
    Ok(())
}

/// 転出・死亡フラグ: move-outs (to another real tenant) and deaths (after the last dose) of
/// residents; each row names the person by addressee number, voucher number or both.
pub(crate) fn flags<W: Write>(ctx: &Ctx, w: &mut CsvWriter<W>, rows: u64) -> Res<()> {
    for r in 0..rows {
        let mut rng = Rng::for_item(ctx.seed, domain::FLAGS, r);
        // Every fourth resident or so: distinct people, in person order.
        let p = r * 4 + rng.below(4);
        let h = resident(ctx, p, false)?;
        let age = h.person.birth.age_on(ctx.as_of).unwrap_or(0);
        let death_per_mille = match age {
            85.. => 750,
            75..=84 => 500,
            60..=74 => 180,
            40..=59 => 40,
            _ => 10,
        };
        let kind = if rng.chance(death_per_mille) {
            FlagKind::Death
        } else {
            FlagKind::MoveOut
        };
        // After the last dose and the move-in; never after the file date.
        let mut lo = ctx.cal.moves_from;
        if let Some(d) = h.last_date() {
            lo = lo.max(add_days(d, 1)?);
        }
        if let Some(m) = h.moved_in {
            lo = lo.max(add_days(m.on, 1)?);
        }
        let date = if lo > ctx.as_of {
            ctx.as_of
        } else {
            add_days(lo, rng.between(0, i64::from(lo.days_until(ctx.as_of))))?
        };
        let voucher: Option<VoucherNumber> = match tenant_vouchers(ctx, p, &h)?.last() {
            Some(v) => Some(ctx.ids.voucher(v.slot)?),
            None => None,
        };
        let (by_addressee, by_voucher) = match rng.weighted(&[75, 15, 10]) {
            0 => (true, false),
            1 => (true, true),
            _ => (voucher.is_none(), true),
        };
        let destination = match kind {
            FlagKind::MoveOut => Some(ctx.other_tenant(&mut rng, 550)?.1),
            FlagKind::Death => None,
        };
        let row = FlagRow {
            municipality: ctx.tenant_code,
            addressee: if by_addressee {
                Some(ctx.ids.addressee(p)?)
            } else {
                None
            },
            voucher: if by_voucher { voucher } else { None },
            kind,
            date,
            destination,
        };
        w.write_record(&row)?;
    }
    Ok(())
}

/// 接種記録一括登録: one row per dose given on the tenant's vouchers, a contiguous run of each
/// vaccinated resident's doses (as keyed in from paper questionnaires), most with the OCR line,
/// addressee number and birth date.
pub(crate) fn dose_upload<W: Write>(ctx: &Ctx, w: &mut CsvWriter<W>, rows: u64) -> Res<()> {
    let mut written = 0u64;
    let mut people = Vaccinated::new();
    while written < rows {
        let (p, h) = people.next(ctx)?;
        let mut rng = Rng::for_item(ctx.seed, domain::UPLOAD, p);
        let own: Vec<_> = h
            .doses
            .iter()
            .filter(|d| d.voucher.municipality == ctx.tenant_code)
            .collect();
        if own.is_empty() {
            continue;
        }
        let from = if rng.chance(600) {
            0
        } else {
            rng.below(own.len() as u64) as usize
        };
        let identified = rng.chance(880);
        for d in own.iter().skip(from) {
            if written >= rows {
                break;
            }
            let ocr = if rng.chance(900) {
                Some(OcrLine::new(1, d.n, d.voucher).or_bug()?)
            } else {
                None
            };
            let row = DoseUploadRow {
                voucher: d.voucher,
                dose: DoseNumber::new(d.n).or_bug()?,
                vaccinated_on: d.date,
                venue: d.venue.clone(),
                doctor: d.doctor.clone(),
                manufacturer: ctx.maker(d.maker)?.name.clone(),
                lot: d.lot.clone(),
                ocr,
                addressee: if identified {
                    Some(ctx.ids.addressee(p)?)
                } else {
                    None
                },
                birth_date: if identified {
                    Some(h.person.birth)
                } else {
                    None
                },
            };
            w.write_record(&row)?;
            written += 1;
        }
    }
    Ok(())
}

/// The incoming resident of batch-inquiry row `r` (the same in the request and the result).
fn incoming(ctx: &Ctx, r: u64) -> Res<(u64, History)> {
    if r >= RESIDENT_CAP {
        return Err(bad_input(format!("more than {RESIDENT_CAP} inquiry rows")));
    }
    let p = RESIDENT_CAP + r;
    let mut rng = Rng::for_item(ctx.seed, domain::INCOMING, r);
    let h = ctx.history(
        &mut rng,
        VoucherBase::Person(p),
        Plan {
            moves: Moves::Recently,
            cap: 9,
            force: false,
        },
    )?;
    Ok((p, h))
}

/// 一括照会依頼: the My Numbers and addressee numbers of people who moved in recently.
pub(crate) fn batch_request<W: Write>(ctx: &Ctx, w: &mut CsvWriter<W>, rows: u64) -> Res<()> {
    for r in 0..rows {
        let p = RESIDENT_CAP + r;
        let row = BatchInquiryRequestRow {
            my_number: ctx.ids.my_number(p)?,
            addressee: ctx.ids.addressee(p)?,
            former: None,
        };
        w.write_record(&row)?;
    }
    Ok(())
}

/// 一括照会結果: for each row of the request of the same seed, one 一致 row per former
/// municipality holding doses of the person (the doses given there, at their dose numbers), or
/// one 該当なし row. Doses given in the tenant itself after the move are not in the answer.
pub(crate) fn batch_result<W: Write>(ctx: &Ctx, w: &mut CsvWriter<W>, rows: u64) -> Res<()> {
    let blocks = usize::from(w.layout().dose_blocks);
    for r in 0..rows {
        let (p, h) = incoming(ctx, r)?;
        let addressee = ctx.ids.addressee(p)?;
        let mut providers: Vec<MunicipalityCode> = Vec::new();
        for d in h.doses.iter().take(blocks) {
            let m = d.voucher.municipality;
            if m != ctx.tenant_code && !providers.contains(&m) {
                providers.push(m);
            }
        }
        if providers.is_empty() {
            w.write_record(&BatchInquiryResultRow {
                addressee,
                status: MatchStatus::NoMatch,
                provider: None,
                doses: Vec::new(),
            })?;
            continue;
        }
        for provider in providers {
            let mut doses = Vec::new();
            for (i, d) in h.doses.iter().take(blocks).enumerate() {
                if d.voucher.municipality == provider {
                    doses.resize(i + 1, None);
                    doses[i] = Some(InquiryDoseEntry::from(&d.entry(ctx)?));
                }
            }
            w.write_record(&BatchInquiryResultRow {
                addressee: addressee.clone(),
                status: MatchStatus::Match,
                provider: Some(provider),
                doses,
            })?;
        }
    }
    Ok(())
}

/// 情報提供等の記録: entries of the tenant's provision log (another municipality asked, the tenant
/// provided or not) and inquiry log (the tenant asked), one per row, a second apart.
pub(crate) fn provision_log<W: Write>(ctx: &Ctx, w: &mut CsvWriter<W>, rows: u64) -> Res<()> {
    let hex = |rng: &mut Rng| format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64());
    for r in 0..rows {
        let mut rng = Rng::for_item(ctx.seed, domain::LOG, r);
        let (_, other) = ctx.other_tenant(&mut rng, 300)?;
        let at = DateTime::new(
            ctx.limit,
            9 + u8::try_from(r / 3600 % 12).unwrap_or(0),
            u8::try_from(r / 60 % 60).unwrap_or(0),
            u8::try_from(r % 60).unwrap_or(0),
        )
        .or_bug()?;
        let consent = ctx.limit < Date::new(2021, 12, 15).or_bug()? || rng.chance(100);
        let provided = rng.chance(800);
        let doses = if provided { 1 + rng.below(5) } else { 0 };
        let log = if rng.chance(500) {
            LogKind::Provision
        } else {
            LogKind::Inquiry
        };
        let (requester, provider, reference): (MunicipalityCode, _, _) = match log {
            LogKind::Provision => (other, Some(ctx.tenant_code), None),
            LogKind::Inquiry => (
                ctx.tenant_code,
                rng.chance(700).then_some(other),
                Some(ctx.ids.addressee(RESIDENT_CAP + r)?.as_str().to_owned()),
            ),
        };
        let providers = match (provided, log) {
            (false, _) => Vec::new(),
            (true, LogKind::Provision) => vec![ctx.tenant_code],
            (true, LogKind::Inquiry) => vec![other],
        };
        w.write_record(&ProvisionLogRow {
            seq: r + 1,
            log,
            requester,
            provider,
            providers,
            requested_at: at,
            provided_at: at,
            legal_basis: if consent {
                BasisKind::Consent
            } else {
                BasisKind::ConsentDifficult
            },
            form_ref: consent.then(|| format!("F-{}", 1000 + r)),
            identity_verified: consent,
            reference,
            items: if provided {
                INQUIRY_ITEMS
                    .iter()
                    .map(|(id, _)| (*id).to_owned())
                    .collect()
            } else {
                Vec::new()
            },
            provided,
            doses: u32::try_from(doses).unwrap_or(0),
            batch: rng.chance(300).then(|| hex(&mut rng)),
            subject: hex(&mut rng),
            user: Some(hex(&mut rng)),
        })?;
    }
    Ok(())
}
