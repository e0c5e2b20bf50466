#!/usr/bin/env python3
"""Retention with the `vrs` Python bindings: what may be deleted, and the purge.

    pip install ./bindings/python
    python3 examples/python/retention.py

In memory, with the clock pinned. Two residents vaccinated in June 2021; on 2026-12-01 five years
have passed, but under 予防接種法施行規則 附則第17条 (in force 2026-02-01) a COVID-19 record is
kept until the later of five years after the person's death and its provision to the national
immunization database: nothing is eligible. One of them died in 2021 and both records were
provided on 2026-06-01: that one becomes eligible, a legal hold keeps it for a while, and the
purge removes it. Nothing is ever deleted automatically: only the municipality's staff purge.
Exit status: 0 on success, 1 when an operation failed.
"""

import sys

import vrs

TENANT = "131016"
SUBJECTS = (
    "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n"
    "131016,1001,200000000018,0000012345,保存 一郎,ホゾン イチロウ,19400101,1,20210501\r\n"
    "131016,1002,200000000026,0000012346,保存 二郎,ホゾン ジロウ,19400101,1,20210501\r\n"
)


def show(reg, staff, day):
    listed = reg.retention_list(staff, TENANT, day)
    kept = listed.kept
    print(f"{day}: {len(listed.eligible)} eligible, {kept.doses} kept "
          f"({kept.waiting_for_death} alive as far as we know, "
          f"{kept.waiting_for_provision} not provided, {kept.legal_hold} held)")
    for d in listed.eligible:
        print(f"  {d.addressee} voucher {d.voucher_number} dose {d.dose} ({d.vaccinated_on}): "
              f"{d.rule}, died {d.death_on}, provided {d.provided_on}, deletable from {d.eligible_from}")


def main():
    reg = vrs.Registry.in_memory(bytes(32), vrs.RegistryOptions(fixed_time="2021-07-01T09:00:00"))
    operator = vrs.Principal.OPERATOR()
    reg.create_tenant(operator, TENANT)
    reg.register_staff(operator, TENANT, "u1")
    staff = vrs.Principal.MUNICIPAL_STAFF(tenant=TENANT, user_id="u1")
    venue = vrs.Principal.VENUE_TABLET(tenant=TENANT)
    reg.import_subjects(staff, TENANT, SUBJECTS.encode())
    dose = vrs.DoseInput(vaccinated_on="2021-06-10", manufacturer="ファイザー", lot="FA5765",
                         venue="区民会館", doctor="山田一郎")
    for ocr in ("111310160000012345", "111310160000012346"):
        reg.record_dose_ocr(venue, ocr, dose)

    reg.set_time("2026-12-01T09:00:00")
    show(reg, staff, "2026-12-01")
    reg.set_flag(staff, TENANT, vrs.SubjectRef.ADDRESSEE(number="1001"), vrs.Flag.DECEASED(date="2021-07-15"))
    p = reg.record_national_db_provision(staff, TENANT, "2026-06-01", vrs.ProvisionSelection.ALL())
    print(f"provided to the national database on {p.provided_on}: {p.doses} dose(s)")
    reg.set_legal_hold(staff, TENANT, "1001", True)
    show(reg, staff, "2026-12-01")
    reg.set_legal_hold(staff, TENANT, "1001", False)
    show(reg, staff, "2026-12-01")
    out = reg.purge(staff, TENANT, "2026-12-01")
    print(f"purged: {out.doses} dose(s), {out.subjects} subject(s), {out.vouchers} voucher(s)")
    try:
        reg.subject_doses(staff, TENANT, "1001")
    except vrs.VrsError.NotFound:
        print("1001: gone")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except vrs.VrsError as e:
        print(f"failed: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
