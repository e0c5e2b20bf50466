//! Synthetic people: sex, birth date with a realistic age structure, kanji and katakana names.

use crate::codec::Sex;
use crate::date::Date;

use super::names::{era_of_birth_year, Given, Surname, FEMALE, MALE, SURNAMES};
use super::rng::Rng;
use super::{OrBug, Res};

/// Birth cohorts `(first year, last year, weight)`: Japan's population by age in 2021, in
/// units of 100,000 people (Statistics Bureau estimates, rounded). Covers births 1920..=2016.
const COHORTS: &[(u16, u16, u32)] = &[
    (1920, 1921, 1),
    (1922, 1926, 5),
    (1927, 1931, 19),
    (1932, 1936, 38),
    (1937, 1941, 54),
    (1942, 1946, 70),
    (1947, 1951, 92),
    (1952, 1956, 87),
    (1957, 1961, 74),
    (1962, 1966, 79),
    (1967, 1971, 88),
    (1972, 1976, 97),
    (1977, 1981, 84),
    (1982, 1986, 75),
    (1987, 1991, 67),
    (1992, 1996, 63),
    (1997, 2001, 63),
    (2002, 2006, 57),
    (2007, 2011, 53),
    (2012, 2016, 50),
];

/// One synthetic person.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    /// Sex (a little over half female overall, more among the very old).
    pub sex: Sex,
    /// Surname entry.
    pub surname: &'static Surname,
    /// Given-name entry.
    pub given: &'static Given,
    /// Date of birth, 1920..=2016.
    pub birth: Date,
    /// Has an underlying condition (eligible for the boosters reserved to high-risk people).
    pub high_risk: bool,
}

/// A uniform date in `year` (1 January ..= 31 December).
fn day_in_year(rng: &mut Rng, year: u16) -> Res<Date> {
    let first = Date::new(year, 1, 1).or_bug()?;
    let len = if Date::is_leap_year(year) { 366 } else { 365 };
    first.add_days(rng.between(0, len - 1) as i32).or_bug()
}

/// A birth date drawn from [`COHORTS`].
pub(crate) fn birth_date(rng: &mut Rng) -> Res<Date> {
    let weights: [u32; COHORTS.len()] = std::array::from_fn(|i| COHORTS.get(i).map_or(0, |c| c.2));
    let (first, last, _) = COHORTS
        .get(rng.weighted(&weights))
        .copied()
        .unwrap_or((1970, 1970, 1));
    let year = rng.between(i64::from(first), i64::from(last));
    day_in_year(rng, u16::try_from(year).unwrap_or(first))
}

/// A birth date of an adult of working age (born 1950..=1990), used when a file must have a
/// vaccinated person and the file date leaves only the first weeks of the programme.
pub(crate) fn adult_birth_date(rng: &mut Rng) -> Res<Date> {
    let year = rng.between(1950, 1990);
    day_in_year(rng, u16::try_from(year).unwrap_or(1970))
}

/// A given name for someone born in `year`.
pub(crate) fn given_name(rng: &mut Rng, sex: Sex, year: u16) -> &'static Given {
    let lists = match sex {
        Sex::Male => &MALE,
        Sex::Female => &FEMALE,
    };
    let list = lists.get(era_of_birth_year(year)).copied().unwrap_or(&[]);
    rng.pick(list, |g| g.2).unwrap_or(&("一郎", "イチロウ", 1))
}

/// A surname.
pub(crate) fn surname(rng: &mut Rng) -> &'static Surname {
    rng.pick(SURNAMES, |s| s.2)
        .unwrap_or(&("佐藤", "サトウ", 1))
}

impl Person {
    /// Draws a person.
    pub(crate) fn draw(rng: &mut Rng) -> Res<Person> {
        let birth = birth_date(rng)?;
        let female_per_mille = if birth.year() < 1947 { 600 } else { 505 };
        let sex = if rng.chance(female_per_mille) {
            Sex::Female
        } else {
            Sex::Male
        };
        let surname = surname(rng);
        let given = given_name(rng, sex, birth.year());
        let high_risk = rng.chance(80);
        Ok(Person {
            sex,
            surname,
            given,
            birth,
            high_risk,
        })
    }

    /// Full name in kanji, surname and given name separated by an ideographic space.
    pub(crate) fn name(&self) -> String {
        format!("{}\u{3000}{}", self.surname.0, self.given.0)
    }

    /// Full name in katakana, separated by an ideographic space.
    pub(crate) fn name_kana(&self) -> String {
        format!("{}\u{3000}{}", self.surname.1, self.given.1)
    }
}

/// A doctor's name (surname given, no space), for someone practising in 2021-2024.
pub(crate) fn doctor_name(rng: &mut Rng, surname: &'static Surname) -> String {
    let sex = if rng.chance(250) {
        Sex::Female
    } else {
        Sex::Male
    };
    let year = u16::try_from(rng.between(1950, 1995)).unwrap_or(1970);
    format!("{}{}", surname.0, given_name(rng, sex, year).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn births_follow_the_cohort_table() {
        let mut rng = Rng::for_item(1, 1, 1);
        let (mut old, mut young, mut n) = (0u32, 0u32, 0u32);
        for _ in 0..20_000 {
            let b = birth_date(&mut rng).unwrap();
            assert!((1920..=2016).contains(&b.year()), "{b}");
            n += 1;
            if b.year() <= 1956 {
                old += 1; // 65 or older in 2021
            }
            if b.year() >= 2007 {
                young += 1;
            }
        }
        // Japan: about 29 % aged 65+, and about 8 % aged 5-14, of the population drawn here.
        let old_pct = old * 100 / n;
        let young_pct = young * 100 / n;
        assert!((26..=33).contains(&old_pct), "{old_pct}");
        assert!((6..=11).contains(&young_pct), "{young_pct}");
    }

    #[test]
    fn names_have_the_expected_shape() {
        let mut rng = Rng::for_item(2, 1, 1);
        for _ in 0..1000 {
            let p = Person::draw(&mut rng).unwrap();
            let name = p.name();
            assert!(name.contains('\u{3000}'));
            assert!(name.chars().count() <= 20);
            assert!(
                crate::text::is_katakana_name(&p.name_kana()),
                "{}",
                p.name_kana()
            );
            let doctor = doctor_name(&mut rng, p.surname);
            assert!(!doctor.contains(' ') && doctor.chars().count() <= 20);
        }
    }
}
