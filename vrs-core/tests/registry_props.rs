//! Property test: random operation sequences over several tenants and every role. No principal
//! ever reads another tenant's data or anything its role forbids; a refused call changes nothing.

use proptest::prelude::*;

use vrs_core::codec::WriteOptions;
use vrs_core::crypto::MasterKeyProvider;
use vrs_core::date::{Date, DateTime};
use vrs_core::id::{AddresseeNumber, MunicipalityCode, MyNumber, OcrLine};
use vrs_core::registry::{
    Dimension, DoseInput, FixedClock, Flag, ImportMode, Principal, Registry, RegistryConfig,
    StatsQuery, SubjectRef,
};
use vrs_core::store::MemoryStore;

/// Tenants: two in Tokyo (prefecture 13), one in Hokkaido (1). Each has its own name marker.
const TENANTS: [(&str, &str); 3] = [("131016", "千代田"), ("131032", "港区"), ("011002", "札幌")];
const HEADER: &str = "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n";

fn code(i: usize) -> MunicipalityCode {
    MunicipalityCode::parse(TENANTS[i].0).unwrap()
}

/// Person `p` (0..4) of tenant `t`: the same addressee and voucher numbers in every tenant (so
/// a leak by number would show), a tenant-specific name and My Number.
fn person(t: usize, p: usize) -> (String, MyNumber, String, String) {
    let addressee = format!("{}", 1001 + p);
    let my_number = MyNumber::from_eleven_digits(&format!("{:011}", 30_000 + t * 10 + p)).unwrap();
    let voucher = format!("{:010}", 500 + p);
    let name = format!(
        "{}{}",
        TENANTS[t].1,
        ["一郎", "花子", "次郎", "三郎", "桜"][p]
    );
    (addressee, my_number, voucher, name)
}

fn file(t: usize, people: &[usize]) -> String {
    let mut f = HEADER.to_owned();
    for &p in people {
        let (a, n, v, name) = person(t, p);
        f.push_str(&format!(
            "{},{a},{},{v},{name},テスト,19700101,1,20210501\r\n",
            TENANTS[t].0,
            n.expose_secret()
        ));
    }
    f
}

#[derive(Debug, Clone)]
enum Who {
    Staff(usize),
    Unregistered(usize),
    Venue(usize),
    Prefecture(u8),
    National,
    Operator,
}

#[derive(Debug, Clone)]
enum Op {
    Import(Vec<usize>, bool),
    Dose(usize, u8),
    Doses(usize),
    Ledger,
    Awaiting,
    Flag(usize, bool),
    Stats,
    Audit,
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        (0..3usize).prop_map(Who::Staff),
        (0..3usize).prop_map(Who::Unregistered),
        (0..3usize).prop_map(Who::Venue),
        prop_oneof![Just(13u8), Just(1u8)].prop_map(Who::Prefecture),
        Just(Who::National),
        Just(Who::Operator),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (proptest::collection::vec(0..5usize, 1..4), any::<bool>()).prop_map(|(p, l)| Op::Import(p, l)),
        3 => (0..5usize, 1..3u8).prop_map(|(p, d)| Op::Dose(p, d)),
        2 => (0..5usize).prop_map(Op::Doses),
        1 => Just(Op::Ledger),
        1 => Just(Op::Awaiting),
        1 => (0..5usize, any::<bool>()).prop_map(|(p, d)| Op::Flag(p, d)),
        1 => Just(Op::Stats),
        1 => Just(Op::Audit),
    ]
}

fn principal(w: &Who) -> Principal {
    match w {
        Who::Staff(t) => Principal::MunicipalStaff {
            tenant: code(*t),
            user_id: "u1".into(),
        },
        Who::Unregistered(t) => Principal::MunicipalStaff {
            tenant: code(*t),
            user_id: "ghost".into(),
        },
        Who::Venue(t) => Principal::VenueTablet { tenant: code(*t) },
        Who::Prefecture(p) => Principal::PrefectureViewer { prefecture: *p },
        Who::National => Principal::NationalViewer,
        Who::Operator => Principal::Operator,
    }
}

/// The reference policy: may `who` run `op` on tenant `target`?
fn allowed(who: &Who, op: &Op, target: usize) -> bool {
    match (who, op) {
        (Who::Staff(_), Op::Stats) => true,
        (Who::Prefecture(_) | Who::National, Op::Stats) => true,
        (Who::Operator, Op::Audit) => true,
        (Who::Staff(t), _) => *t == target,
        (Who::Venue(t), Op::Dose(..)) => *t == target,
        _ => false,
    }
}

/// Everything a tenant holds, as its staff would export it.
fn fingerprint(reg: &mut Registry) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for t in 0..3 {
        let staff = principal(&Who::Staff(t));
        let mut ledger = Vec::new();
        reg.export_ledger(&staff, &code(t), &mut ledger, WriteOptions::default())
            .unwrap();
        let mut awaiting = Vec::new();
        reg.export_awaiting(&staff, &code(t), &mut awaiting, WriteOptions::default())
            .unwrap();
        out.push(ledger);
        out.push(awaiting);
    }
    out
}

fn registry() -> Registry {
    let now = DateTime::new(Date::new(2021, 7, 1).unwrap(), 9, 0, 0).unwrap();
    let mut reg = Registry::open(
        Box::new(MemoryStore::new()),
        Box::new(MasterKeyProvider::new([11; 32])),
        Box::new(FixedClock::ticking(now, 1)),
        RegistryConfig {
            stats_threshold: 1,
            ..RegistryConfig::default()
        },
    )
    .unwrap();
    for t in 0..3 {
        reg.create_tenant(&Principal::Operator, &code(t)).unwrap();
        reg.register_staff(&Principal::Operator, &code(t), "u1")
            .unwrap();
    }
    reg
}

/// Runs `op` as `who` on `target`; returns `Err(code)` or everything the caller received.
fn run(reg: &mut Registry, who: &Who, op: &Op, target: usize) -> Result<String, String> {
    let p = principal(who);
    let t = code(target);
    let e =
        |e: vrs_core::registry::RegistryError| format!("{}: {e} / {}", e.code(), e.message_ja());
    match op {
        Op::Import(people, lenient) => {
            let mode = if *lenient {
                ImportMode::Lenient
            } else {
                ImportMode::Strict
            };
            reg.import_subjects(&p, &t, file(target, people).as_bytes(), mode)
                .map(|o| format!("{o:?}"))
                .map_err(e)
        }
        Op::Dose(person, dose) => {
            let (_, _, v, _) = super_person(target, *person);
            let ocr = OcrLine::parse(&format!("1{dose}{}{v}", TENANTS[target].0)).unwrap();
            let on = Date::new(2021, 5 + *dose, 1).unwrap();
            let input = DoseInput::new(on, "ファイザー", "FA5765", "会場", "医師");
            reg.record_dose_ocr(&p, &ocr, &input)
                .map(|c| format!("{c:?}"))
                .map_err(e)
        }
        Op::Doses(person) => {
            let (a, ..) = super_person(target, *person);
            reg.subject_doses(&p, &t, &a)
                .map(|s| format!("{s:?}"))
                .map_err(e)
        }
        Op::Ledger | Op::Awaiting => {
            let mut out = Vec::new();
            let r = if matches!(op, Op::Ledger) {
                reg.export_ledger(&p, &t, &mut out, WriteOptions::default())
            } else {
                reg.export_awaiting(&p, &t, &mut out, WriteOptions::default())
            };
            r.map(|_| String::from_utf8(out).unwrap()).map_err(e)
        }
        Op::Flag(person, death) => {
            let (a, ..) = super_person(target, *person);
            let who = SubjectRef::Addressee(AddresseeNumber::parse(&a).unwrap());
            let date = Date::new(2021, 6, 15).unwrap();
            let flag = if *death {
                Flag::Deceased { date }
            } else {
                Flag::MovedOut {
                    date,
                    destination: None,
                }
            };
            reg.set_flag(&p, &t, &who, &flag)
                .map(|()| String::new())
                .map_err(e)
        }
        Op::Stats => {
            let q = StatsQuery {
                group_by: vec![Dimension::Municipality, Dimension::Dose, Dimension::AgeBand],
            };
            reg.stats(&p, &q)
                .map(|s| serde_json::to_string(&s).unwrap())
                .map_err(e)
        }
        Op::Audit => reg
            .audit_log(&p, Some(&t))
            .map(|l| serde_json::to_string(&l).unwrap())
            .map_err(e),
    }
}

fn super_person(t: usize, p: usize) -> (String, MyNumber, String, String) {
    person(t, p)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn no_principal_sees_what_it_must_not(steps in proptest::collection::vec((who(), op(), 0..3usize), 1..25)) {
        let mut reg = registry();
        for (who, op, target) in &steps {
            let before = fingerprint(&mut reg);
            let result = run(&mut reg, who, op, *target);
            let text = match &result { Ok(s) | Err(s) => s.clone() };
            // No My Number of anyone, ever.
            for t in 0..3 {
                for p in 0..5 {
                    let (_, n, _, name) = person(t, p);
                    prop_assert!(!text.contains(n.expose_secret()), "{who:?} {op:?}: My Number in {text}");
                    // Names: only staff of the tenant may see its names.
                    let may_see = matches!(who, Who::Staff(s) if *s == t && *s == *target);
                    prop_assert!(may_see || !text.contains(&name), "{who:?} {op:?} on {target}: saw {name}");
                }
            }
            let is_allowed = allowed(who, op, *target);
            match &result {
                Err(msg) if msg.starts_with("forbidden") => {
                    prop_assert!(!is_allowed, "{who:?} {op:?} on {target} was refused: {msg}");
                    prop_assert_eq!(&fingerprint(&mut reg), &before, "a refused call changed data");
                }
                _ => prop_assert!(is_allowed, "{:?} {:?} on {} was not refused: {:?}", who, op, target, result),
            }
            // Statistics never name anyone, and a prefecture sees only its municipalities.
            if let (Op::Stats, Ok(json), Who::Prefecture(pref)) = (op, &result, who) {
                let stats: serde_json::Value = serde_json::from_str(json).unwrap();
                for cell in stats["cells"].as_array().unwrap() {
                    let m = cell["municipality"].as_str().unwrap();
                    prop_assert_eq!(MunicipalityCode::parse(m).unwrap().prefecture(), *pref);
                }
            }
            if let (Op::Stats, Ok(json), Who::Staff(s)) = (op, &result, who) {
                let stats: serde_json::Value = serde_json::from_str(json).unwrap();
                for cell in stats["cells"].as_array().unwrap() {
                    prop_assert_eq!(cell["municipality"].as_str().unwrap(), TENANTS[*s].0);
                }
            }
        }
        for t in 0..3 {
            prop_assert!(reg.verify_audit(&Principal::Operator, Some(&code(t))).unwrap().ok);
        }
    }
}
