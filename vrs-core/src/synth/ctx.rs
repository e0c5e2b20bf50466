//! What every row generator shares: the tenant, the file date, the vaccine tables, the fixed
//! dates of the programme and the identifier bijections. Built once per file; its size does
//! not depend on the number of rows.

use crate::date::Date;
use crate::id::{AddresseeNumber, MunicipalityCode, MyNumber, VoucherKey, VoucherNumber};
use crate::munis::{self, MunicipalityEntry};
use crate::vaccine::{ManufacturerId, VaccineTables};

use super::rng::{Rng, Scramble};
use super::{bad_input, OrBug, Res, SynthOptions};

/// Stream identifiers: each kind of random decision draws from its own stream, so that the
/// people of one seed are the same in every layout (the subject registration, the ledger and
/// the flags of one seed describe one population).
pub(crate) mod domain {
    pub const TENANT: u64 = 1;
    pub const IDS: u64 = 2;
    pub const RESIDENT: u64 = 3;
    pub const INCOMING: u64 = 4;
    pub const AWAITING: u64 = 5;
    pub const FLAGS: u64 = 6;
    pub const UPLOAD: u64 = 7;
    pub const SUBJECT: u64 = 8;
    pub const LOT: u64 = 9;
    pub const LOG: u64 = 10;
}

/// Residents have person indexes `0..RESIDENT_CAP`, incoming residents (batch inquiry)
/// `RESIDENT_CAP..2 * RESIDENT_CAP`.
pub(crate) const RESIDENT_CAP: u64 = 500_000_000;
/// Voucher slots per person: dose N uses slot N-1 (dose 2 shares slot 0 when on the same sheet).
pub(crate) const VOUCHER_SLOTS: u64 = 9;
/// Vouchers of the awaiting-registration list start here (after every person's slots).
pub(crate) const AWAITING_VOUCHER_BASE: u64 = 2 * RESIDENT_CAP * VOUCHER_SLOTS;

/// The vaccine makers the generator uses, by their key in the vaccine tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Maker {
    /// ファイザー.
    Pfizer,
    /// 武田/モデルナ.
    Moderna,
    /// アストラゼネカ.
    AstraZeneca,
    /// 武田/ノババックス.
    Novavax,
    /// 第一三共.
    Daiichi,
}

impl Maker {
    const ALL: [Maker; 5] = [
        Maker::Pfizer,
        Maker::Moderna,
        Maker::AstraZeneca,
        Maker::Novavax,
        Maker::Daiichi,
    ];

    fn key(self) -> &'static str {
        match self {
            Maker::Pfizer => "pfizer",
            Maker::Moderna => "moderna",
            Maker::AstraZeneca => "astrazeneca",
            Maker::Novavax => "novavax",
            Maker::Daiichi => "daiichi_sankyo",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Fixed dates of the programme (reference §1.1, §7), as the generator models them.
#[derive(Debug, Clone)]
pub(crate) struct Cal {
    /// 2021-02-17: first vaccinations (health-care workers).
    pub start: Date,
    /// 2021-04-01: move-ins are modelled from here.
    pub moves_from: Date,
    /// 2021-05-24: Moderna in use (mass vaccination centres).
    pub moderna_from: Date,
    /// 2021-06-21: workplace vaccination (職域接種) starts.
    pub workplace_from: Date,
    /// 2021-08-03: AstraZeneca in use.
    pub az_from: Date,
    /// 2021-11-30: end of the main primary-series campaign.
    pub primary_end: Date,
    /// 2021-12-01: first boosters.
    pub booster_from: Date,
    /// 2022-01-01: Moderna lots change shape.
    pub moderna_new_lots: Date,
    /// 2022-03-31: end of fiscal 2021 (the age of "65 or older" was counted on this day).
    pub fy2021_end: Date,
    /// 2022-05-25: Novavax in use.
    pub novavax_from: Date,
    /// 2023-12-04: Daiichi Sankyo in use.
    pub daiichi_from: Date,
    /// Booster campaign windows, in order (see `doses`).
    pub windows: [(Date, Date); 5],
    /// Dose-1 sampling windows `(start, mode, end)` by group (see `doses::Group`).
    pub first_dose: [(Date, Date, Date); 6],
    /// Late first doses (after the main campaign).
    pub late_first: (Date, Date),
}

fn ymd(y: u16, m: u8, d: u8) -> Res<Date> {
    Date::new(y, m, d).or_bug()
}

impl Cal {
    fn new() -> Res<Cal> {
        Ok(Cal {
            start: ymd(2021, 2, 17)?,
            moves_from: ymd(2021, 4, 1)?,
            moderna_from: ymd(2021, 5, 24)?,
            workplace_from: ymd(2021, 6, 21)?,
            az_from: ymd(2021, 8, 3)?,
            primary_end: ymd(2021, 11, 30)?,
            booster_from: ymd(2021, 12, 1)?,
            moderna_new_lots: ymd(2022, 1, 1)?,
            fy2021_end: ymd(2022, 3, 31)?,
            novavax_from: ymd(2022, 5, 25)?,
            daiichi_from: ymd(2023, 12, 4)?,
            windows: [
                // W0: first booster campaign (dose 3 only).
                (ymd(2021, 12, 1)?, ymd(2022, 5, 24)?),
                // W1: fourth dose for 60+ and high-risk people.
                (ymd(2022, 5, 25)?, ymd(2022, 9, 19)?),
                // W2: Omicron-adapted autumn 2022 campaign, everyone 12+.
                (ymd(2022, 9, 20)?, ymd(2023, 5, 7)?),
                // W3: spring 2023, 65+ and high-risk people.
                (ymd(2023, 5, 8)?, ymd(2023, 9, 19)?),
                // W4: autumn 2023, everyone.
                (ymd(2023, 9, 20)?, ymd(2024, 3, 31)?),
            ],
            first_dose: [
                // Elderly (65+): from 12 April 2021, peak in early June.
                (ymd(2021, 4, 12)?, ymd(2021, 6, 5)?, ymd(2021, 9, 30)?),
                // 60-64.
                (ymd(2021, 5, 24)?, ymd(2021, 7, 15)?, ymd(2021, 10, 31)?),
                // Health-care workers: from 17 February 2021.
                (ymd(2021, 2, 17)?, ymd(2021, 3, 22)?, ymd(2021, 5, 15)?),
                // Other adults.
                (ymd(2021, 6, 1)?, ymd(2021, 8, 10)?, ymd(2021, 11, 30)?),
                // 12-17.
                (ymd(2021, 6, 15)?, ymd(2021, 9, 1)?, ymd(2021, 11, 30)?),
                // 5-11: paediatric formulation from 21 February 2022.
                (ymd(2022, 2, 21)?, ymd(2022, 4, 10)?, ymd(2022, 12, 28)?),
            ],
            late_first: (ymd(2021, 12, 1)?, ymd(2023, 12, 31)?),
        })
    }
}

/// Derives identifiers from item indexes through fixed bijections: unique by construction,
/// nothing stored.
#[derive(Debug, Clone)]
pub(crate) struct Ids {
    addressee: Scramble,
    voucher: Scramble,
    my_number: Scramble,
}

impl Ids {
    fn new(seed: u64) -> Ids {
        let mut rng = Rng::for_item(seed, domain::IDS, 0);
        Ids {
            addressee: Scramble::new(&mut rng, 9_000_000_000),
            voucher: Scramble::new(&mut rng, 10_000_000_000),
            my_number: Scramble::new(&mut rng, 100_000_000_000),
        }
    }

    /// The addressee number of person `p`: 10 digits, no zero fill (1000000000..=9999999999),
    /// distinct for distinct `p < 9·10⁹`. Never 12 digits, so never shaped like a My Number.
    pub(crate) fn addressee(&self, p: u64) -> Res<AddresseeNumber> {
        AddresseeNumber::parse(&(1_000_000_000 + self.addressee.apply(p)).to_string()).or_bug()
    }

    /// Voucher number `i` (10 digits, zero-filled), distinct for distinct `i < 10¹⁰`.
    pub(crate) fn voucher(&self, i: u64) -> Res<VoucherNumber> {
        VoucherNumber::parse(&format!("{:010}", self.voucher.apply(i))).or_bug()
    }

    /// The synthetic My Number of person `p`: an 11-digit base distinct for distinct
    /// `p < 10¹¹`, plus the statutory check digit.
    pub(crate) fn my_number(&self, p: u64) -> Res<MyNumber> {
        MyNumber::from_eleven_digits(&format!("{:011}", self.my_number.apply(p))).or_bug()
    }
}

/// A maker as the tables know it.
#[derive(Debug, Clone)]
pub(crate) struct MakerInfo {
    pub id: ManufacturerId,
    pub name: String,
}

/// Everything shared by the rows of one file.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub seed: u64,
    pub tenant: &'static MunicipalityEntry,
    pub tenant_code: MunicipalityCode,
    pub as_of: Date,
    /// Last possible vaccination date: the file date or the end of the programme.
    pub limit: Date,
    pub tables: VaccineTables,
    pub cal: Cal,
    pub ids: Ids,
    makers: Vec<MakerInfo>,
    /// Index range of the tenant's prefecture in [`munis::all`].
    prefecture: (usize, usize),
}

impl Ctx {
    pub(crate) fn new(options: &SynthOptions) -> Res<Ctx> {
        let tables = VaccineTables::default();
        let cal = Cal::new()?;
        if options.as_of < tables.programme.start {
            return Err(bad_input(format!(
                "as_of {} is before the start of the vaccination programme {}",
                options.as_of, tables.programme.start
            )));
        }
        let tenant = match options.tenant {
            Some(code) => munis::lookup(code.as_str())
                .filter(|e| e.is_tenant())
                .ok_or_else(|| {
                    bad_input(format!(
                        "{code} is not a municipality that can be a VRS tenant"
                    ))
                })?,
            None => {
                let count = munis::tenants().count() as u64;
                let i = Rng::for_item(options.seed, domain::TENANT, 0).below(count);
                munis::tenants()
                    .nth(usize::try_from(i).unwrap_or(0))
                    .ok_or_else(|| bad_input("the municipality table has no tenant".to_owned()))?
            }
        };
        let tenant_code = MunicipalityCode::parse(tenant.code).or_bug()?;
        let limit = match tables.programme.end {
            Some(end) => options.as_of.min(end),
            None => options.as_of,
        };
        let makers = Maker::ALL
            .iter()
            .map(|m| {
                let id = tables.manufacturer_by_key(m.key()).ok_or_else(|| {
                    bad_input(format!("vaccine tables lack manufacturer {}", m.key()))
                })?;
                let name = tables
                    .manufacturer(id)
                    .map(|s| s.canonical.clone())
                    .unwrap_or_default();
                Ok(MakerInfo { id, name })
            })
            .collect::<Res<Vec<_>>>()?;
        let all = munis::all();
        let pref = tenant.prefecture_code();
        let lo = all
            .iter()
            .position(|e| e.prefecture_code() == pref)
            .unwrap_or(0);
        let hi = all
            .iter()
            .rposition(|e| e.prefecture_code() == pref)
            .map_or(all.len(), |i| i + 1);
        Ok(Ctx {
            seed: options.seed,
            tenant,
            tenant_code,
            as_of: options.as_of,
            limit,
            tables,
            cal,
            ids: Ids::new(options.seed),
            makers,
            prefecture: (lo, hi),
        })
    }

    /// The tables' id and canonical name of a maker.
    pub(crate) fn maker(&self, m: Maker) -> Res<&MakerInfo> {
        self.makers.get(m.index()).or_bug_msg("maker missing")
    }

    /// Another real tenant than the file's, in the same prefecture with probability
    /// `same_pref_per_mille`. Bounded retries, no allocation.
    pub(crate) fn other_tenant(
        &self,
        rng: &mut Rng,
        same_pref_per_mille: u32,
    ) -> Res<(&'static MunicipalityEntry, MunicipalityCode)> {
        let all = munis::all();
        let (lo, hi) = if rng.chance(same_pref_per_mille) {
            self.prefecture
        } else {
            (0, all.len())
        };
        for attempt in 0..256u32 {
            // After 64 failures in the prefecture (a prefecture with few tenants), go national.
            let (lo, hi) = if attempt < 64 {
                (lo, hi)
            } else {
                (0, all.len())
            };
            let i = lo + usize::try_from(rng.below((hi - lo) as u64)).unwrap_or(0);
            if let Some(e) = all.get(i) {
                if e.is_tenant() && e.code != self.tenant.code {
                    return Ok((e, MunicipalityCode::parse(e.code).or_bug()?));
                }
            }
        }
        // Deterministic fallback: the first tenant that is not the file's.
        let e = munis::tenants()
            .find(|e| e.code != self.tenant.code)
            .or_bug_msg("no other tenant")?;
        Ok((e, MunicipalityCode::parse(e.code).or_bug()?))
    }

    /// The voucher key `(municipality, voucher number i)`.
    pub(crate) fn voucher_key(&self, municipality: MunicipalityCode, i: u64) -> Res<VoucherKey> {
        Ok(VoucherKey::new(municipality, self.ids.voucher(i)?))
    }
}
