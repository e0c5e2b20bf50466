//! Retention: the dated policy on its own, then a retention list and a purge in an in-memory
//! registry.
//!
//! ```sh
//! cargo run -p vrs-core --example retention
//! ```
//!
//! A dose given on 2021-06-10 was "five years from the vaccination" until 2026-01-31; from
//! 2026-02-01 (予防接種法施行規則 附則第17条) a COVID-19 record of 2021-02-17..2024-03-31 is kept
//! until the later of five years after the person's death and its provision to the national
//! immunization database. The library lists what may go; only the municipality's staff purge.

use std::sync::Arc;

use vrs_core::crypto::MasterKeyProvider;
use vrs_core::date::{Date, DateTime};
use vrs_core::id::{AddresseeNumber, MunicipalityCode, OcrLine};
use vrs_core::registry::{
    Clock, DoseInput, FixedClock, Flag, ImportMode, Principal, ProvisionSelection, Registry,
    RegistryConfig, SubjectRef,
};
use vrs_core::retention::{Facts, RetentionPolicy};
use vrs_core::store::MemoryStore;

/// The example's clock, moved by hand.
struct Shared(Arc<FixedClock>);

impl Clock for Shared {
    fn now(&self) -> DateTime {
        self.0.now()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The policy alone: one dose, asked on three days.
    let policy = RetentionPolicy::default();
    let vaccinated = Date::new(2021, 6, 10)?;
    for (as_of, death, provided) in [
        (Date::new(2026, 1, 31)?, None, None),
        (Date::new(2026, 12, 1)?, None, None),
        (
            Date::new(2026, 12, 1)?,
            Some(Date::new(2021, 7, 15)?),
            Some(Date::new(2026, 6, 1)?),
        ),
    ] {
        let facts = Facts {
            vaccinated_on: vaccinated,
            death,
            provided_on: provided,
            tenant_minimum_years: None,
        };
        let v = policy.verdict(&facts, as_of);
        let rule = v.rule.map_or("-", |r| r.id.as_str());
        match v.eligible_from {
            Some(from) => println!("as of {as_of}: {rule}: deletable from {from}"),
            None => println!(
                "as of {as_of}: {rule}: kept (death unknown: {}, not provided: {})",
                v.waiting.death, v.waiting.provision
            ),
        }
    }

    // The registry: two residents, one of whom died in 2021.
    let clock = Arc::new(FixedClock::new(DateTime::new(
        Date::new(2021, 7, 1)?,
        9,
        0,
        0,
    )?));
    let mut reg = Registry::open(
        Box::new(MemoryStore::new()),
        Box::new(MasterKeyProvider::new([5; 32])),
        Box::new(Shared(clock.clone())),
        RegistryConfig::default(),
    )?;
    let t = MunicipalityCode::parse("131016")?;
    reg.create_tenant(&Principal::Operator, &t)?;
    reg.register_staff(&Principal::Operator, &t, "u1")?;
    let staff = Principal::MunicipalStaff {
        tenant: t,
        user_id: "u1".into(),
    };
    let file = "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n\
        131016,1001,200000000018,0000012345,保存 一郎,ホゾン イチロウ,19400101,1,20210501\r\n\
        131016,1002,200000000026,0000012346,保存 二郎,ホゾン ジロウ,19400101,1,20210501\r\n";
    reg.import_subjects(&staff, &t, file.as_bytes(), ImportMode::Strict)?;
    let venue = Principal::VenueTablet { tenant: t };
    let dose = DoseInput::new(vaccinated, "ファイザー", "FA5765", "区民会館", "山田一郎");
    for line in ["111310160000012345", "111310160000012346"] {
        reg.record_dose_ocr(&venue, &OcrLine::parse(line)?, &dose)?;
    }
    clock.set(DateTime::new(Date::new(2026, 12, 1)?, 9, 0, 0)?);
    let today = Date::new(2026, 12, 1)?;
    let who = SubjectRef::Addressee(AddresseeNumber::parse("1001")?);
    reg.set_flag(
        &staff,
        &t,
        &who,
        &Flag::Deceased {
            date: Date::new(2021, 7, 15)?,
        },
    )?;
    reg.record_national_db_provision(&staff, &t, Date::new(2026, 6, 1)?, &ProvisionSelection::All)?;
    let list = reg.retention_list(&staff, &t, today)?;
    for d in &list.eligible {
        println!(
            "eligible: {} voucher {} dose {}: {} (died {}, provided {}), from {}",
            d.addressee.as_deref().unwrap_or("-"),
            d.voucher_number,
            d.dose,
            d.rule,
            d.death_on.as_deref().unwrap_or("-"),
            d.provided_on.as_deref().unwrap_or("-"),
            d.eligible_from
        );
    }
    println!(
        "kept: {} dose(s), {} alive as far as we know",
        list.kept.doses, list.kept.waiting_for_death
    );
    let out = reg.purge(&staff, &t, today)?;
    println!(
        "purged: {} dose(s), {} subject(s), {} voucher(s)",
        out.doses, out.subjects, out.vouchers
    );
    Ok(())
}
