//! Vaccination histories: which doses a person got, when, with which vaccine, where, on
//! which voucher, and when the record was registered.
//!
//! Every date is checked against the vaccine tables the validator uses: the minimum interval
//! for the dose, maker and date ([`VaccineTables::min_interval`]) and the minimum age
//! ([`VaccineTables::min_age`]). A dose that cannot be placed within the rules before the
//! file date simply does not happen, so histories drop off naturally near the file date.
//!
//! [`VaccineTables::min_interval`]: crate::vaccine::VaccineTables::min_interval
//! [`VaccineTables::min_age`]: crate::vaccine::VaccineTables::min_age

use crate::codec::DoseEntry;
use crate::date::{Date, DateTime};
use crate::id::{MunicipalityCode, VoucherKey};
use crate::munis::MunicipalityEntry;
use crate::vaccine::DoseNumber;

use super::ctx::{domain, Ctx, Maker, VOUCHER_SLOTS};
use super::people::{adult_birth_date, doctor_name, surname, Person};
use super::rng::Rng;
use super::{OrBug, Res};

/// Priority group for the first dose (decides when dose 1 comes and how many doses follow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    /// 65 or older on 31 March 2022.
    Elderly = 0,
    /// 60-64 on 31 March 2022.
    Sixties = 1,
    /// Health-care workers (a share of the 20-64 year olds).
    HealthWorker = 2,
    /// Other people 18 or older on 30 November 2021.
    Adult = 3,
    /// 12-17 on 30 November 2021.
    Teen = 4,
    /// Younger: the paediatric formulation from 2022.
    Child = 5,
}

/// Probability (per mille) of having at least 1, 2, ... 7 doses, by group: roughly the
/// national uptake at the end of the programme (elderly: 92 % first dose, ~54 % seventh).
/// Younger people could not get more than five doses unless at high risk (the fourth-dose
/// campaign of mid-2022 and the spring 2023 campaign were for the old, the high-risk and
/// health-care workers); the schedule enforces that, these shares only reflect it.
const AT_LEAST: [[u64; 7]; 6] = [
    [920, 910, 890, 830, 760, 640, 540],
    [880, 870, 820, 650, 500, 140, 70],
    [985, 980, 940, 700, 520, 300, 220],
    [800, 790, 640, 360, 200, 15, 8],
    [740, 730, 420, 160, 75, 0, 0],
    [230, 220, 90, 30, 10, 0, 0],
];

/// How a history is drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// Whether (and how) the person moved into the tenant.
    pub moves: Moves,
    /// At most this many doses.
    pub cap: u8,
    /// The person must have at least one dose (used only when the file date leaves almost no
    /// room; it replaces the birth date by an adult one).
    pub force: bool,
}

/// Move-in model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Moves {
    /// Always lived in the tenant.
    Never,
    /// 5 % moved in at some point of the programme.
    Sometimes,
    /// Moved in recently (a batch-inquiry subject).
    Recently,
}

/// Where vouchers of a history come from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum VoucherBase {
    /// Person `p`: dose N uses voucher slot `p·9 + N-1`.
    Person(u64),
    /// One voucher for every dose (awaiting list row).
    Single(u64),
}

/// A move into the tenant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MoveIn {
    /// Where the person lived before.
    pub from: &'static MunicipalityEntry,
    /// Its code.
    pub from_code: MunicipalityCode,
    /// The move-in date.
    pub on: Date,
}

/// One dose of a history.
#[derive(Debug, Clone)]
pub(crate) struct Dose {
    pub n: u8,
    pub date: Date,
    pub maker: Maker,
    pub registered_at: DateTime,
    pub voucher: VoucherKey,
    /// Index of the voucher (for the OCR line and issue dates).
    pub slot: u64,
    pub venue: String,
    pub doctor: String,
    pub lot: String,
}

/// A person with their history.
#[derive(Debug, Clone)]
pub(crate) struct History {
    pub person: Person,
    pub group: Group,
    pub moved_in: Option<MoveIn>,
    /// Doses 1, 2, ... in order (at most 7; bounded, never grows with the file).
    pub doses: Vec<Dose>,
}

impl History {
    /// The doses as the dose blocks of a layout with `blocks` blocks.
    pub(crate) fn entries(&self, ctx: &Ctx, blocks: u8) -> Res<Vec<Option<DoseEntry>>> {
        self.doses
            .iter()
            .take(usize::from(blocks))
            .map(|d| Ok(Some(d.entry(ctx)?)))
            .collect()
    }

    /// Date of the last dose.
    pub(crate) fn last_date(&self) -> Option<Date> {
        self.doses.last().map(|d| d.date)
    }
}

impl Dose {
    /// The dose as a typed dose block.
    pub(crate) fn entry(&self, ctx: &Ctx) -> Res<DoseEntry> {
        Ok(DoseEntry {
            registered_at: self.registered_at,
            vaccinated_on: self.date,
            voucher: self.voucher,
            venue: self.venue.clone(),
            doctor: self.doctor.clone(),
            manufacturer: ctx.maker(self.maker)?.name.clone(),
            lot: self.lot.clone(),
        })
    }
}

fn add_days(d: Date, n: i64) -> Res<Date> {
    d.add_days(i32::try_from(n).unwrap_or(0)).or_bug()
}

/// A date between `start` and `end` with a triangular distribution peaking at `mode`.
fn triangular(rng: &mut Rng, start: Date, mode: Date, end: Date) -> Res<Date> {
    let len = f64::from(start.days_until(end).max(0));
    let m = f64::from(
        start
            .days_until(mode)
            .clamp(0, start.days_until(end).max(0)),
    );
    if len <= 0.0 {
        return Ok(start);
    }
    let u = rng.unit();
    let x = if u < m / len {
        (u * len * m).sqrt()
    } else {
        len - ((1.0 - u) * len * (len - m)).sqrt()
    };
    add_days(start, x.floor() as i64)
}

/// A date in `lo..=hi` skewed towards `lo` (most people go early in a campaign).
fn early_in(rng: &mut Rng, lo: Date, hi: Date) -> Res<Date> {
    let len = f64::from(lo.days_until(hi).max(0) + 1);
    let u = rng.unit();
    add_days(lo, (len * u * u * u).floor() as i64)
}

/// `lo` plus a lag of about `mean` days (at most `4·mean`, never past `hi`): how long a person
/// waits once a dose becomes possible.
fn after_lag(rng: &mut Rng, lo: Date, hi: Date, mean: i64) -> Res<Date> {
    let u = rng.unit();
    let lag = (4.0 * mean as f64 * u * u * u).floor() as i64;
    add_days(lo, lag.min(i64::from(lo.days_until(hi).max(0))))
}

impl Ctx {
    fn age_years(birth: Date, on: Date) -> u32 {
        birth.age_on(on).unwrap_or(0)
    }

    /// Whether the tables' age rule for dose `n` by `maker` on `on` is met.
    fn age_ok(&self, n: u8, maker: Maker, birth: Date, on: Date) -> Res<bool> {
        let dose = DoseNumber::new(n).or_bug()?;
        let id = self.maker(maker)?.id;
        Ok(self
            .tables
            .min_age(dose, Some(id), on)
            .is_none_or(|r| r.is_met(birth, on)))
    }

    /// The first date in `from..=until` on which the age rule for dose `n` is met: the rule
    /// can only change at a rule boundary or when the person reaches a rule's minimum age,
    /// so those dates are the only candidates.
    fn first_age_ok(
        &self,
        n: u8,
        maker: Maker,
        birth: Date,
        from: Date,
        until: Date,
    ) -> Res<Option<Date>> {
        if from > until {
            return Ok(None);
        }
        if self.age_ok(n, maker, birth, from)? {
            return Ok(Some(from));
        }
        let mut best: Option<Date> = None;
        for rule in &self.tables.ages {
            let candidates = [
                birth.add_months_jp(rule.min_age_months).ok(),
                Some(rule.valid_from),
                rule.valid_to.and_then(|d| d.add_days(1).ok()),
            ];
            for c in candidates.into_iter().flatten() {
                if c > from
                    && c <= until
                    && best.is_none_or(|b| c < b)
                    && self.age_ok(n, maker, birth, c)?
                {
                    best = Some(c);
                }
            }
        }
        Ok(best)
    }

    /// The earliest date dose `n` on `on` may have after a dose on `prev`, by the tables.
    fn earliest(&self, n: u8, maker: Maker, prev: Date, on: Date) -> Res<Date> {
        let dose = DoseNumber::new(n).or_bug()?;
        let id = self.maker(maker)?.id;
        match self.tables.min_interval(dose, Some(id), on) {
            Some(rule) => rule.earliest_after(prev).or_bug(),
            None => Ok(prev.add_days(1).or_bug()?),
        }
    }

    /// Moves `date` forward until both the interval after `prev` and the age rule hold, staying
    /// within `until`. `None` when that is impossible.
    fn settle(
        &self,
        n: u8,
        maker: Maker,
        birth: Date,
        prev: Option<Date>,
        mut date: Date,
        until: Date,
    ) -> Res<Option<Date>> {
        for _ in 0..8 {
            if date > until {
                return Ok(None);
            }
            let mut next = date;
            if let Some(p) = prev {
                next = next
                    .max(self.earliest(n, maker, p, next)?)
                    .max(p.add_days(1).or_bug()?);
            }
            let Some(next) = self.first_age_ok(n, maker, birth, next, until)? else {
                return Ok(None);
            };
            if next == date {
                return Ok(Some(date));
            }
            date = next;
        }
        Ok(None)
    }

    fn group(&self, rng: &mut Rng, birth: Date) -> Group {
        let age_fy = Ctx::age_years(birth, self.cal.fy2021_end);
        let age_nov = Ctx::age_years(birth, self.cal.primary_end);
        if age_fy >= 65 {
            Group::Elderly
        } else if age_fy >= 60 {
            Group::Sixties
        } else if age_nov >= 18 {
            if age_nov >= 20 && rng.chance(60) {
                Group::HealthWorker
            } else {
                Group::Adult
            }
        } else if age_nov >= 12 {
            Group::Teen
        } else {
            Group::Child
        }
    }

    fn primary_maker(&self, rng: &mut Rng, group: Group, birth: Date, date: Date) -> Maker {
        let age = Ctx::age_years(birth, date);
        if date < self.cal.moderna_from || group == Group::Child || age < 18 {
            return Maker::Pfizer;
        }
        let az = if date >= self.cal.az_from && age >= 40 {
            2
        } else {
            0
        };
        let nvx = if date >= self.cal.novavax_from { 40 } else { 0 };
        match rng.weighted(&[720, 260, az, nvx]) {
            1 => Maker::Moderna,
            2 => Maker::AstraZeneca,
            3 => Maker::Novavax,
            _ => Maker::Pfizer,
        }
    }

    fn booster_maker(&self, rng: &mut Rng, birth: Date, date: Date) -> Maker {
        if Ctx::age_years(birth, date) < 18 {
            return Maker::Pfizer;
        }
        let nvx = if date >= self.cal.novavax_from { 10 } else { 0 };
        let ds = if date >= self.cal.daiichi_from { 60 } else { 0 };
        match rng.weighted(&[550, 420, nvx, ds]) {
            1 => Maker::Moderna,
            2 => Maker::Novavax,
            3 => Maker::Daiichi,
            _ => Maker::Pfizer,
        }
    }

    /// Days between doses 1 and 2 as given in practice (always at least the tables' minimum,
    /// which `settle` enforces anyway).
    fn second_dose_gap(rng: &mut Rng, maker: Maker) -> i64 {
        let (usual, late_max) = match maker {
            Maker::Pfizer | Maker::Novavax | Maker::Daiichi => (21, 42),
            Maker::Moderna => (28, 42),
            Maker::AstraZeneca => return rng.between(56, 84),
        };
        match rng.weighted(&[70, 25, 5]) {
            0 => usual,
            1 => rng.between(usual + 1, usual + 7),
            _ => rng.between(usual + 8, late_max),
        }
    }

    /// Whether booster campaign window `w` is open to the person for dose `n`.
    fn window_open(w: usize, n: u8, person: &Person, group: Group, on: Date) -> bool {
        let age = Ctx::age_years(person.birth, on);
        let priority = group == Group::HealthWorker || (person.high_risk && age >= 18);
        match w {
            0 => n == 3,
            1 => n == 3 || age >= 60 || priority,
            3 => age >= 65 || priority,
            _ => true,
        }
    }

    /// The dates and makers of a person's doses (at most `cap`).
    fn schedule(
        &self,
        rng: &mut Rng,
        person: &Person,
        group: Group,
        cap: u8,
        force: bool,
    ) -> Res<Vec<(u8, Date, Maker)>> {
        let mut out: Vec<(u8, Date, Maker)> = Vec::with_capacity(7);
        let u = rng.below(1000);
        let row = AT_LEAST.get(group as usize).copied().unwrap_or([0; 7]);
        let mut count = row.iter().filter(|t| u < **t).count() as u8;
        if force {
            count = count.max(1);
        }
        let count = count.min(cap);
        let late = rng.chance(40) && !matches!(group, Group::Child | Group::HealthWorker);
        if count == 0 {
            return Ok(out);
        }
        // Dose 1.
        let (start, mode, end) = self
            .cal
            .first_dose
            .get(group as usize)
            .copied()
            .or_bug_msg("group window")?;
        let mut d1 = if late {
            early_in(rng, self.cal.late_first.0, self.cal.late_first.1)?
        } else {
            triangular(rng, start, mode, end)?
        };
        if force && d1 > self.limit {
            d1 = add_days(
                self.cal.start,
                rng.between(0, i64::from(self.cal.start.days_until(self.limit).min(60))),
            )?;
        }
        let m1 = self.primary_maker(rng, group, person.birth, d1);
        let Some(d1) = self.settle(1, m1, person.birth, None, d1, self.limit)? else {
            return Ok(out);
        };
        out.push((1, d1, m1));
        if count < 2 {
            return Ok(out);
        }
        // Dose 2: same maker (same-maker rule of the primary series).
        let target = add_days(d1, Ctx::second_dose_gap(rng, m1))?;
        let Some(d2) = self.settle(2, m1, person.birth, Some(d1), target, self.limit)? else {
            return Ok(out);
        };
        out.push((2, d2, m1));
        // Boosters: at most one per campaign window, after the usual gap.
        let mut prev = d2;
        let mut last_window: Option<usize> = None;
        // Some people book as soon as a campaign opens, others wait weeks.
        let promptness = rng.between(7, 45);
        for n in 3..=count {
            // Dose 3 came 6-8 months after dose 2; later doses as soon as the next campaign
            // and the minimum interval allowed, for most people.
            let months = if n == 3 {
                6 + rng.below(3)
            } else {
                3 + rng.below(2)
            };
            let target = add_days(
                prev.add_months_jp(months as u32).or_bug()?,
                rng.between(-10, 20),
            )?;
            let mut placed = None;
            for (w, &(ws, we)) in self.cal.windows.iter().enumerate() {
                if last_window.is_some_and(|l| w <= l) || we < target {
                    continue;
                }
                let lo = target.max(ws);
                if lo > self.limit || !Ctx::window_open(w, n, person, group, lo) {
                    continue;
                }
                let until = we.min(self.limit);
                let date = after_lag(rng, lo, until, promptness)?;
                let maker = self.booster_maker(rng, person.birth, date);
                if let Some(d) = self.settle(n, maker, person.birth, Some(prev), date, until)? {
                    placed = Some((w, d, maker));
                    break;
                }
            }
            let Some((w, d, maker)) = placed else { break };
            out.push((n, d, maker));
            last_window = Some(w);
            prev = d;
        }
        Ok(out)
    }

    /// When the record of a dose on `date` was registered: mostly on the day at the venue's
    /// tablet, otherwise a few days later from paper; never after the file date.
    fn registered_at(&self, rng: &mut Rng, date: Date) -> Res<DateTime> {
        let (day, hour) = if rng.chance(780) {
            (date, rng.between(9, 20))
        } else {
            (add_days(date, rng.between(1, 10))?, rng.between(9, 17))
        };
        let day = day.min(self.as_of).max(date);
        DateTime::new(day, hour as u8, rng.below(60) as u8, rng.below(60) as u8).or_bug()
    }

    /// A lot number of `maker` plausible for `date`: a handful of lots per maker and week, so
    /// people vaccinated the same week share lots, as in reality. Matches the tables' lot shapes.
    fn lot(&self, rng: &mut Rng, maker: Maker, date: Date) -> Res<String> {
        const PFIZER: &[&str] = &[
            "EP", "ER", "ET", "EW", "EX", "EY", "FA", "FC", "FD", "FE", "FF", "FG", "FH", "FJ",
            "FK", "FL", "FM", "FN", "FP", "FR", "GA", "GD", "GF", "GH", "GJ", "GK", "GL", "HA",
            "HF", "HH", "HJ", "HK", "HL", "HN", "HP",
        ];
        let week = u64::try_from(self.cal.start.days_until(date).max(0) / 7).unwrap_or(0);
        let pick = rng.below(4);
        let mut h = Rng::for_item(
            self.seed,
            domain::LOT,
            ((week * 8 + pick) << 3) | maker as u64,
        );
        Ok(match maker {
            Maker::Pfizer => {
                // ~162 weeks in the programme: walk through the prefixes in order.
                let i = usize::try_from(week * PFIZER.len() as u64 / 163)
                    .unwrap_or(0)
                    .min(PFIZER.len() - 1);
                format!(
                    "{}{:04}",
                    PFIZER.get(i).copied().unwrap_or("FJ"),
                    h.below(10_000)
                )
            }
            Maker::Moderna if date < self.cal.moderna_new_lots => {
                format!("300{:04}", h.below(10_000))
            }
            Maker::Moderna => {
                let letter = char::from(b'A' + h.below(26) as u8);
                format!("{:03}{}{:02}A", h.below(1000), letter, h.below(100))
            }
            Maker::AstraZeneca => format!("ABV{:04}", 1000 + h.below(9000)),
            Maker::Novavax => format!("4302MF{:03}", 1 + h.below(999)),
            Maker::Daiichi => format!("DS{:05}", 10_000 + h.below(90_000)),
        })
    }

    /// A venue in `muni` and the doctor who vaccinated, for a dose on `date`.
    fn venue(
        &self,
        rng: &mut Rng,
        muni: &MunicipalityEntry,
        maker: Maker,
        date: Date,
        age: u32,
    ) -> (String, String) {
        const GROUP: &[&str] = &[
            "保健センター",
            "保健福祉センター",
            "総合体育館",
            "文化会館",
            "集団接種会場",
            "総合福祉センター",
            "中央公民館",
        ];
        const CLINIC: &[&str] = &[
            "クリニック",
            "内科クリニック",
            "内科医院",
            "医院",
            "整形外科",
            "ファミリークリニック",
            "内科",
        ];
        const CHILD: &[&str] = &["小児科医院", "こどもクリニック", "小児科"];
        let big_city_area = matches!(
            muni.prefecture_code(),
            "11" | "12" | "13" | "14" | "26" | "27" | "28" | "29"
        );
        let workplace = if maker == Maker::Moderna
            && date >= self.cal.workplace_from
            && date < self.cal.novavax_from
            && (18..65).contains(&age)
        {
            80
        } else {
            0
        };
        let sdf = if maker == Maker::Moderna && big_city_area && date <= self.cal.primary_end {
            30
        } else {
            0
        };
        let mass = if date >= self.cal.moderna_from && date < self.cal.windows[2].1 {
            40
        } else {
            0
        };
        let weights = if age < 12 {
            [150, 850, 0, 0, 0]
        } else {
            [400, 520, workplace, sdf, mass]
        };
        let (venue, doctor_surname) = match rng.weighted(&weights) {
            1 => {
                let s = surname(rng);
                let suffix = if age < 12 { CHILD } else { CLINIC };
                let suffix = suffix
                    .get(rng.below(suffix.len() as u64) as usize)
                    .copied()
                    .unwrap_or("医院");
                (format!("{}{}", s.0, suffix), s)
            }
            2 => (
                format!("{}工業株式会社職域接種会場", surname(rng).0),
                surname(rng),
            ),
            3 => {
                let site = if muni.prefecture_code() < "20" {
                    "東京"
                } else {
                    "大阪"
                };
                (format!("自衛隊{site}大規模接種センター"), surname(rng))
            }
            4 => (
                format!("{}大規模接種会場", muni.prefecture_ja),
                surname(rng),
            ),
            _ => {
                let suffix = GROUP
                    .get(rng.below(GROUP.len() as u64) as usize)
                    .copied()
                    .unwrap_or("保健センター");
                (format!("{}{}", muni.name_ja, suffix), surname(rng))
            }
        };
        let doctor = if rng.chance(20) {
            String::new()
        } else {
            doctor_name(rng, doctor_surname)
        };
        (truncate(venue, 30), truncate(doctor, 20))
    }

    /// Draws a whole history for one person.
    pub(crate) fn history(&self, rng: &mut Rng, vouchers: VoucherBase, plan: Plan) -> Res<History> {
        let mut person = Person::draw(rng)?;
        if plan.force {
            person.birth = adult_birth_date(rng)?;
        }
        let group = if plan.force {
            Group::HealthWorker
        } else {
            self.group(rng, person.birth)
        };
        let moved_in = match plan.moves {
            Moves::Never => None,
            Moves::Sometimes if rng.chance(50) && self.cal.moves_from <= self.limit => {
                let span = i64::from(self.cal.moves_from.days_until(self.limit));
                let on = add_days(self.cal.moves_from, rng.between(0, span))?;
                let (from, from_code) = self.other_tenant(rng, 500)?;
                Some(MoveIn {
                    from,
                    from_code,
                    on,
                })
            }
            Moves::Sometimes => None,
            Moves::Recently => {
                let on = add_days(self.limit, -rng.between(0, 120))?.max(self.cal.start);
                let (from, from_code) = self.other_tenant(rng, 400)?;
                Some(MoveIn {
                    from,
                    from_code,
                    on,
                })
            }
        };
        let plan_doses = self.schedule(rng, &person, group, plan.cap, plan.force)?;
        let mut doses: Vec<Dose> = Vec::with_capacity(plan_doses.len());
        let mut primary_venue: Option<(MunicipalityCode, String, String)> = None;
        for (n, date, maker) in plan_doses {
            let (muni, code) = match moved_in {
                Some(m) if date < m.on => (m.from, m.from_code),
                _ => (self.tenant, self.tenant_code),
            };
            // Doses 1 and 2 share the voucher sheet when given in the same municipality.
            let same_sheet = n == 2
                && doses
                    .first()
                    .is_some_and(|d| d.voucher.municipality == code);
            let slot = match vouchers {
                VoucherBase::Person(p) => {
                    let own = if same_sheet { 0 } else { u64::from(n - 1) };
                    p * VOUCHER_SLOTS + own
                }
                VoucherBase::Single(i) => i,
            };
            let voucher = self.voucher_key(code, slot)?;
            let age = Ctx::age_years(person.birth, date);
            let (venue, doctor) = match (&primary_venue, n) {
                (Some((c, v, d)), 2) if *c == code => (v.clone(), d.clone()),
                _ => self.venue(rng, muni, maker, date, age),
            };
            if n == 1 {
                primary_venue = Some((code, venue.clone(), doctor.clone()));
            }
            let registered_at = self.registered_at(rng, date)?;
            let lot = self.lot(rng, maker, date)?;
            doses.push(Dose {
                n,
                date,
                maker,
                registered_at,
                voucher,
                slot,
                venue,
                doctor,
                lot,
            });
        }
        Ok(History {
            person,
            group,
            moved_in,
            doses,
        })
    }
}

/// At most `max` characters of `s`.
fn truncate(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        s
    } else {
        s.chars().take(max).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::SynthOptions;

    fn ctx() -> Ctx {
        Ctx::new(&SynthOptions::default()).unwrap()
    }

    #[test]
    fn histories_respect_the_tables() {
        let ctx = ctx();
        let mut counts = [0u32; 8];
        let mut makers = [0u32; 5];
        for p in 0..4000u64 {
            let mut rng = Rng::for_item(ctx.seed, domain::RESIDENT, p);
            let plan = Plan {
                moves: Moves::Sometimes,
                cap: 9,
                force: false,
            };
            let h = ctx.history(&mut rng, VoucherBase::Person(p), plan).unwrap();
            counts[h.doses.len()] += 1;
            let mut prev: Option<&Dose> = None;
            for d in &h.doses {
                makers[d.maker as usize] += 1;
                assert!(d.date >= ctx.cal.start && d.date <= ctx.limit);
                assert!(d.registered_at.date >= d.date && d.registered_at.date <= ctx.as_of);
                assert!(ctx.age_ok(d.n, d.maker, h.person.birth, d.date).unwrap());
                assert!(
                    ctx.tables
                        .lot_matches_shape(ctx.maker(d.maker).unwrap().id, &d.lot),
                    "{}",
                    d.lot
                );
                assert!(d.venue.chars().count() <= 30 && d.doctor.chars().count() <= 20);
                if let Some(p) = prev {
                    assert_eq!(p.n + 1, d.n);
                    assert!(
                        d.date >= ctx.earliest(d.n, d.maker, p.date, d.date).unwrap(),
                        "{p:?} {d:?}"
                    );
                    if d.n == 2 {
                        assert_eq!(p.maker, d.maker);
                        assert_eq!(
                            p.voucher == d.voucher,
                            p.voucher.municipality == d.voucher.municipality
                        );
                    } else {
                        assert_ne!(p.voucher, d.voucher);
                    }
                }
                if d.n == 1 && !matches!(h.group, Group::Child) {
                    // Dose 1 mostly in the 2021 campaign.
                    assert!(d.date.year() <= 2023);
                }
                if d.n >= 3 {
                    assert!(d.date >= ctx.cal.booster_from);
                }
                match h.moved_in {
                    Some(m) if d.date < m.on => assert_eq!(d.voucher.municipality, m.from_code),
                    _ => assert_eq!(d.voucher.municipality, ctx.tenant_code),
                }
                prev = Some(d);
            }
        }
        let total: u32 = counts.iter().sum();
        // Uptake: about 80-85 % had at least one dose, a drop-off at each later dose.
        let none = counts[0] * 100 / total;
        assert!((10..=25).contains(&none), "{counts:?}");
        assert!(counts[7] > 0 && counts[3] > 0, "{counts:?}");
        // Mostly Pfizer, then Moderna, a few others.
        assert!(
            makers[0] > makers[1] && makers[1] > makers[2] + makers[3] + makers[4],
            "{makers:?}"
        );
        assert!(makers[3] + makers[4] > 0, "{makers:?}");
        assert!(crate::synth::names::SURNAMES.len() > 50);
    }

    #[test]
    fn an_early_file_date_still_gives_forced_doses() {
        let options = SynthOptions {
            as_of: Date::new(2021, 2, 18).unwrap(),
            ..SynthOptions::default()
        };
        let ctx = Ctx::new(&options).unwrap();
        let mut rng = Rng::for_item(1, domain::RESIDENT, 1);
        let h = ctx
            .history(
                &mut rng,
                VoucherBase::Person(1),
                Plan {
                    moves: Moves::Sometimes,
                    cap: 9,
                    force: true,
                },
            )
            .unwrap();
        assert_eq!(h.doses.len(), 1);
        assert!(h.doses[0].date <= options.as_of);
    }
}
