#!/usr/bin/env python3
"""Inquiries between municipalities with the `vrs` Python bindings (転入時の接種記録照会).

    pip install ./bindings/python
    python3 examples/python/inquiry.py

In memory, with the clock pinned. A resident of Chiyoda (131016) vaccinated twice in 2021 moves
to Minato (131032). Minato's staff ask, by the resident's My Number and under the "consent
difficult to obtain" basis, which doses were recorded, then send a batch of three incoming
residents (一括照会). Chiyoda's staff read and export their provision log (情報提供等の記録),
which holds pseudonyms, never the My Number. Seven years later a purge removes the log entries
whose period has passed, and the logs still verify. Nothing printed carries a My Number or a
name. Exit status: 0 on success, 1 when an operation failed.
"""

import sys

import vrs

CHIYODA = "131016"
MINATO = "131032"
MY_NUMBER = "123456789018"   # the resident who moved
STRANGER = "234567890121"    # nobody holds records of this one
SUBJECTS = (
    "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n"
    f"131016,1001,{MY_NUMBER},0000012345,千代田 花子,チヨダ ハナコ,19800101,2,20210501\r\n"
)
# A batch-inquiry request: My Number and Minato's own addressee number per row.
BATCH = (
    "個人番号,宛名番号\r\n"
    f"{MY_NUMBER},M-5001\r\n"
    f"{STRANGER},M-5002\r\n"
    "123456789012,M-5003\r\n"  # a wrong check digit: rejected with N01, not asked
)


def main():
    reg = vrs.Registry.in_memory(bytes(32), vrs.RegistryOptions(fixed_time="2021-07-01T09:00:00"))
    operator = vrs.Principal.OPERATOR()
    for tenant in (CHIYODA, MINATO):
        reg.create_tenant(operator, tenant)
        reg.register_staff(operator, tenant, "u1")
    chiyoda = vrs.Principal.MUNICIPAL_STAFF(tenant=CHIYODA, user_id="u1")
    minato = vrs.Principal.MUNICIPAL_STAFF(tenant=MINATO, user_id="u1")
    reg.import_subjects(chiyoda, CHIYODA, SUBJECTS.encode())
    venue = vrs.Principal.VENUE_TABLET(tenant=CHIYODA)
    for ocr, day in (("111310160000012345", "2021-05-10"), ("121310160000012345", "2021-06-01")):
        reg.record_dose_ocr(venue, ocr, vrs.DoseInput(
            vaccinated_on=day, manufacturer="ファイザー", lot="FA5765", venue="区民会館", doctor="山田一郎"))

    # 2022-03-01: the resident has moved in to Minato.
    reg.set_time("2022-03-01T09:00:00")
    request = vrs.InquiryRequest(former=CHIYODA, my_number=MY_NUMBER,
                                 legal_basis=vrs.LegalBasis.CONSENT_DIFFICULT(),
                                 identity_verified=False, reference="M-5001")
    answer = reg.inquire(minato, request)
    print(f"inquiry: {answer.outcome.name.lower()}")
    for p in answer.providers:
        for d in p.doses:
            print(f"  {p.provider} dose {d.dose} on {d.vaccinated_on}: {d.manufacturer} lot {d.lot}, "
                  f"voucher {d.voucher_number}, {d.venue}")
    stranger = reg.inquire(minato, vrs.InquiryRequest(
        former=None, my_number=STRANGER, legal_basis=vrs.LegalBasis.CONSENT_DIFFICULT(),
        identity_verified=False, reference="M-5002"))
    print(f"stranger: {stranger.json}")

    batch = reg.batch_inquire(minato, BATCH.encode(), vrs.BatchInquiryOptions(
        legal_basis=vrs.LegalBasis.CONSENT_DIFFICULT()))
    print(f"batch: {batch.rows} rows, {batch.matched} matched, {batch.no_match} no match, "
          f"{batch.rejected} rejected ({', '.join(r.code for r in batch.rejected_rows)})")
    sys.stdout.write(batch.result.decode("utf-8").replace("\r\n", "\n"))

    # Chiyoda's provision log: what it provided, to whom, on what basis; searchable by person.
    entries = reg.log_entries(chiyoda, CHIYODA, vrs.LogKind.PROVISION, vrs.LogQuery(subject=MY_NUMBER))
    for e in entries:
        print(f"provision log {e.seq}: to {e.requester} at {e.provided_at}, {e.legal_basis}, "
              f"{e.doses} dose(s), batch {'yes' if e.batch else 'no'}")
    csv = reg.export_log(chiyoda, CHIYODA, vrs.LogKind.PROVISION).decode("utf-8")
    print(f"exported: {csv.count(chr(10)) - 1} row(s)")

    # Seven years on, the log entries of 2022 have passed their period: a purge removes them.
    reg.set_time("2029-03-02T09:00:00")
    listed = reg.retention_list(chiyoda, CHIYODA, "2029-03-02")
    print(f"2029-03-02: {listed.would_remove.provision_log_entries} provision-log entries past 7 years")
    out = reg.purge(chiyoda, CHIYODA, "2029-03-02")
    print(f"purged: {out.provision_log_entries} provision-log entries, {out.doses} doses")
    intact = all(v.ok for v in reg.verify_logs(chiyoda, CHIYODA))
    print(f"logs verify: {intact}")
    return 0 if intact else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except vrs.VrsError as e:
        print(f"failed: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
