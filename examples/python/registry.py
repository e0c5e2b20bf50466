#!/usr/bin/env python3
"""A tour of the VRS registry with the `vrs` Python bindings.

    pip install ./bindings/python
    python3 examples/python/registry.py --dir ./vrs-demo [--now 2021-07-01T09:00:00]

Keeps its data in DIR: a key directory (DIR/keys, created with a random master.key on the first
run) and a SQLite store (DIR/store). Then, as each role would:

  operator   creates the tenant 131016 (千代田区) and registers the staff login "u1";
  staff      imports a subject registration file;
  venue      records a dose by scanning the voucher's OCR line;
  another municipality's staff is refused;
  staff      writes the ledger export to DIR/ledger.csv (it never holds a My Number);
  national   reads statistics (small counts are suppressed);
  operator   verifies the audit chain.

Running it again is safe: the tenant exists, the file was imported, the dose was recorded.
Exit status: 0 on success, 1 when an operation failed, 2 for bad arguments.
"""

import argparse
import os
import sys

import vrs

TENANT = "131016"
SUBJECTS = (
    "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n"
    "131016,1001,123456789018,0000012345,千代田 花子,チヨダ ハナコ,19800101,2,20210501\r\n"
)
OCR_LINE = "111310160000012345"  # voucher type 1, dose 1, municipality 131016, voucher 0000012345


def parse_args(argv):
    p = argparse.ArgumentParser(description="A tour of the VRS registry.")
    p.add_argument("--dir", default="vrs-demo", help="where keys, store and export go")
    p.add_argument("--now", help="pin the clock (Japan time, YYYY-MM-DDTHH:MM:SS)")
    return p.parse_args(argv)


def open_registry(args):
    keys = os.path.join(args.dir, "keys")
    if not os.path.exists(os.path.join(keys, "master.key")):
        os.makedirs(args.dir, exist_ok=True)
        vrs.create_key_dir(keys)  # mode 0700, master.key 0600; use an HSM/KMS in production
        print(f"keys: created {keys}")
    options = vrs.RegistryOptions(fixed_time=args.now)
    return vrs.Registry.open(os.path.join(args.dir, "store"), keys, options)


def tour(reg, args):
    operator = vrs.Principal.OPERATOR()
    try:
        reg.create_tenant(operator, TENANT)
        print(f"tenant {TENANT}: created")
    except vrs.VrsError.TenantExists:
        print(f"tenant {TENANT}: exists already")
    reg.register_staff(operator, TENANT, "u1")  # registering twice does nothing

    # The host authenticated these callers; the registry checks what each may do.
    staff = vrs.Principal.MUNICIPAL_STAFF(tenant=TENANT, user_id="u1")
    venue = vrs.Principal.VENUE_TABLET(tenant=TENANT)
    outsider = vrs.Principal.MUNICIPAL_STAFF(tenant="131032", user_id="u1")

    outcome = reg.import_subjects(staff, TENANT, SUBJECTS.encode("utf-8"), vrs.ImportMode.STRICT)
    print(
        f"import: {outcome.rows} rows, {outcome.imported} imported, {outcome.unchanged} unchanged, "
        f"{outcome.rejected} rejected" + (" (already imported)" if outcome.already_imported else "")
    )

    dose = vrs.DoseInput(
        vaccinated_on="2021-06-30", manufacturer="ファイザー", lot="FA5765", venue="区民会館", doctor="山田一郎"
    )
    c = reg.record_dose_ocr(venue, OCR_LINE, dose)
    state = "already recorded" if c.already_recorded else "recorded"
    print(f"dose: voucher {c.voucher_number}, dose {c.dose} on {c.vaccinated_on}: {state} at {c.registered_at}")

    try:
        reg.subject_doses(outsider, TENANT, "1001")
    except (vrs.VrsError.Forbidden, vrs.VrsError.UnknownTenant) as e:
        print(f"refused: {type(e).__name__}: {e}")

    record = reg.subject_doses(staff, TENANT, "1001")
    print(f"subject 1001: {record.name}, {len(record.doses)} dose(s), My Number on file: {record.has_my_number}")

    ledger = reg.export_ledger(staff, TENANT)
    path = os.path.join(args.dir, "ledger.csv")
    # Names and doses are personal data: readable by the owner only.
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
        f.write(ledger)
    rows = ledger.count(b"\r\n") - 1  # CRLF line ends; the first line is the header
    print(f"ledger: {rows} row(s) -> {path}")

    stats = reg.stats(vrs.Principal.NATIONAL_VIEWER(), [vrs.Dimension.MUNICIPALITY, vrs.Dimension.DOSE])
    for cell in stats.cells:
        count = cell.count if cell.count is not None else f"suppressed (fewer than {stats.threshold})"
        print(f"stats: {cell.municipality} dose {cell.dose}: {count}")

    audit = reg.verify_audit(operator, TENANT)
    print(f"audit {audit.chain}: {'ok' if audit.ok else 'BROKEN at ' + str(audit.first_bad)}, {audit.entries} entries")
    return 0 if audit.ok else 1


def main(argv=None):
    args = parse_args(argv)
    try:
        reg = open_registry(args)
        return tour(reg, args)
    except vrs.VrsError as e:  # the message names the problem in English and Japanese
        print(f"{sys.argv[0]}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
