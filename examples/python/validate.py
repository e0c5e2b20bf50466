#!/usr/bin/env python3
"""Validate a VRS exchange file with the `vrs` Python bindings.

    pip install ./bindings/python
    python3 examples/python/validate.py --layout ledger-export --as-of 2021-12-01 ledger.csv

Prints one line per diagnostic (`FILE:LINE: error CODE [column]: message`) and a summary line,
or with --json the JSON document of `vrs-conformance validate --format json`.

Exit status: 0 when the file has no error (warnings allowed), 1 when it has errors, 2 when it
could not be validated (bad arguments, unreadable file, unknown layout, bad option).
"""

import argparse
import sys

import vrs

CHUNK = 1 << 20  # the validator streams: memory stays small whatever the file size

ENCODINGS = {"auto": None, "utf-8": vrs.Encoding.UTF8, "cp932": vrs.Encoding.CP932}
LANGS = {"ja": vrs.Lang.JA, "en": vrs.Lang.EN}
SEVERITY = {
    "ja": {vrs.Severity.ERROR: "エラー", vrs.Severity.WARNING: "警告", vrs.Severity.INFO: "情報"},
    "en": {vrs.Severity.ERROR: "error", vrs.Severity.WARNING: "warning", vrs.Severity.INFO: "info"},
}


def parse_args(argv):
    p = argparse.ArgumentParser(description="Validate a VRS exchange file.")
    p.add_argument("file", help="the file to validate ('-' for standard input)")
    p.add_argument("--layout", required=True, help="layout ID, e.g. ledger-export")
    p.add_argument("--encoding", choices=sorted(ENCODINGS), default="auto")
    p.add_argument("--as-of", help="file creation date (YYYY-MM-DD): later dates are errors")
    p.add_argument("--tenant", help="the uploading municipality code (rule M03)")
    p.add_argument("--doses", type=int, help="dose blocks of block layouts (1-9; default: the header's)")
    p.add_argument("--lang", choices=sorted(LANGS), default="ja")
    p.add_argument("--max", type=int, help="keep at most this many diagnostics (default 1000)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    return p.parse_args(argv)  # exits with status 2 on bad usage


def validate(args):
    options = vrs.ValidateOptions(
        encoding=ENCODINGS[args.encoding],
        as_of=args.as_of,
        tenant=args.tenant,
        dose_blocks=args.doses,
        lang=LANGS[args.lang],
        max_diagnostics=args.max,
        file_name=args.file,
    )
    validator = vrs.Validator(args.layout, options)
    stream = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")
    with stream:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            validator.feed(chunk)
    return validator.finish()


def print_report(report, args):
    if args.json:
        print(report.to_json())
        return
    words = SEVERITY[args.lang]
    for d in report.diagnostics():
        column = d.column if args.lang == "ja" else d.column_en
        where = f" [{column}]" if column else ""
        message = d.message_ja if args.lang == "ja" else d.message_en
        print(f"{args.file}:{d.line}: {words[d.severity]} {d.code}{where}: {message}")
    if report.truncated():
        print("(more diagnostics were left out: --max reached)")
    print(
        f"{args.file}: {report.layout()}@{report.layout_version()}, {report.encoding() or '-'}, "
        f"{report.row_count()} rows, {report.error_count()} errors, {report.warning_count()} warnings"
    )


def main(argv=None):
    args = parse_args(argv)
    try:
        report = validate(args)
    except vrs.VrsError as e:  # unknown layout, bad option: the message says which
        print(f"{sys.argv[0]}: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"{sys.argv[0]}: {args.file}: {e.strerror}", file=sys.stderr)
        return 2
    print_report(report, args)
    return 0 if report.is_ok() else 1


if __name__ == "__main__":
    sys.exit(main())
