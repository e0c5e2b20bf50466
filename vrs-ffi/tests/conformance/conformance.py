"""The conformance corpus through the Python bindings, in one process.

Reads the manifest (VRS_CASES_DIR/manifest.json) itself, runs every read case with
vrs.validate_bytes and every write case with vrs.Writer, and writes the results in the drivers'
results format (see vrs_conformance::corpus::drivers) to VRS_RESULTS, which
tests/conformance.rs compares with the Rust runner's. Registry scenarios are not run here.
"""

import json
import os
import re
import unittest

import vrs

ENCODINGS = {"utf-8": vrs.Encoding.UTF8, "cp932": vrs.Encoding.CP932}

# A rejected row's diagnostics come inside the InvalidRow message, one per
# "<severity> <CODE> at line <N>[, column <name>]: <message>".
DIAGNOSTIC = re.compile(r"(?:^|; |: )(?:error|warning|info) ([A-Z][0-9]{2}) at line ([0-9]+)(?:, column ([^:;]+))?: ")


def read_case(cases_dir, case):
    ctx = case["context"]
    options = vrs.ValidateOptions(
        encoding=ENCODINGS.get(ctx["encoding"]),
        max_diagnostics=ctx.get("max_diagnostics"),
        as_of=ctx["as_of"],
        tenant=ctx["tenant"],
        header=ctx["header"],
        dose_blocks=ctx["dose_blocks"],
    )
    with open(os.path.join(cases_dir, case["input"]), "rb") as f:
        data = f.read()
    report = vrs.validate_bytes(f"{case['layout']}@{case['layout_version']}", data, options)
    lines = [f"case\t{case['id']}", f"rows\t{report.row_count()}", f"encoding\t{report.encoding() or '-'}"]
    for d in report.diagnostics():
        lines.append(f"diag\t{d.code}\t{d.line}\t{d.field or 0}")
    return lines


def write_case(cases_dir, case):
    ctx = case["context"]
    layout_id = f"{case['layout']}@{case['layout_version']}"
    columns = [c.name_ja for c in vrs.layout(layout_id, ctx["dose_blocks"]).columns]
    writer = vrs.Writer(
        layout_id,
        vrs.WriterOptions(
            encoding=ENCODINGS[ctx["encoding"]],
            bom=ctx.get("bom", False),
            header=ctx["header"],
            dose_blocks=ctx["dose_blocks"],
            as_of=ctx["as_of"],
            tenant=ctx["tenant"],
        ),
    )
    with open(os.path.join(cases_dir, case["input"]), encoding="utf-8") as f:
        records = json.load(f)["rows"]
    lines = [f"case\t{case['id']}"]
    line = 2 if ctx["header"] else 1
    for record in records:
        for column, value in record.items():
            writer.set(column, value)
        try:
            found = [(d.code, d.line, d.field or 0) for d in writer.end_row()]
            outcome = "written"
        except vrs.VrsError.InvalidRow as e:
            outcome = "rejected"
            found = [
                (code, int(at), columns.index(name) + 1 if name else 0)
                for code, at, name in DIAGNOSTIC.findall(str(e))
            ]
        except vrs.VrsError.Unencodable as e:
            outcome = "unencodable"
            # "column <name>: character ... cannot be written in cp932 (...)"
            named = re.search(r"column ([^:]+): ", str(e))
            name = named.group(1) if named else None
            found = [("F01", line, columns.index(name) + 1 if name in columns else 0)]
        lines.append(f"row\t{line}\t{outcome}")
        lines.extend(f"rowdiag\t{c}\t{n}\t{f}" for c, n, f in found)
        if outcome == "written":
            line += 1
    lines.append("output\t" + writer.finish().hex())
    return lines


class Conformance(unittest.TestCase):
    def test_every_read_and_write_case_runs(self):
        cases_dir = os.environ["VRS_CASES_DIR"]
        with open(os.path.join(cases_dir, "manifest.json"), encoding="utf-8") as f:
            manifest = json.load(f)
        out = []
        ran = 0
        for case in manifest["cases"]:
            run = read_case if case["kind"] == "read" else write_case
            out.extend(run(cases_dir, case))
            ran += 1
        with open(os.environ["VRS_RESULTS"], "w", encoding="utf-8") as f:
            f.write("\n".join(out) + "\n")
        self.assertGreaterEqual(ran, 250)


if __name__ == "__main__":
    unittest.main()
