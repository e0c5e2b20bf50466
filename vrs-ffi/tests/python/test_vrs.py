"""Tests of the `vrs` Python bindings (uniffi).

Run by `cargo test -p vrs-ffi` (tests/python.rs), which copies the checked-in generated
`bindings/python/vrs.py`, the freshly built `libvrs.so` and this file into a temporary directory
and runs `python3 -m unittest` there. Set VRS_EXAMPLES_DIR to test examples/python/validate.py.
"""

import enum
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import vrs

# An invalid My Number (check digit 3, should be 8): it must never appear in any output.
CANARY = "123456789013"
VALID_MY_NUMBER = "123456789018"

INQUIRY_HEADER = "個人番号,宛名番号\r\n"


def ledger_header():
    return ",".join(c.name_ja for c in vrs.layout("ledger-export", 1).columns) + "\r\n"


LEDGER_ROW = "1001,20210601120000,20210601,0000012345,131016,区民会館,山田一郎,ファイザー,FA5765\r\n"


def ledger_options(**kw):
    return vrs.ValidateOptions(dose_blocks=1, **kw)


SUBJECT_ROW = {
    "municipality_code": "131016",
    "addressee_number": "1001",
    "my_number": VALID_MY_NUMBER,
    "voucher_number": "0000012345",
    "name": "山田 太郎",
    "name_kana": "ヤマダ タロウ",
    "birth_date": "19800101",
    "sex": "1",
    "issue_date": "20210401",
}

OTHER_SUBJECT = dict(
    SUBJECT_ROW, addressee_number="1002", my_number="987654321093", voucher_number="0000012346"
)


def set_row(writer, row):
    for column, value in row.items():
        writer.set(column, value)


class IdTests(unittest.TestCase):
    def test_version(self):
        self.assertRegex(vrs.version(), r"^\d+\.\d+\.\d+")

    def test_check_id_every_kind(self):
        valid = {
            vrs.IdKind.MUNICIPALITY_CODE: "131016",
            vrs.IdKind.MY_NUMBER: VALID_MY_NUMBER,
            vrs.IdKind.VOUCHER_NUMBER: "0000012345",
            vrs.IdKind.OCR_LINE: "111310160000012345",
        }
        invalid = {
            vrs.IdKind.MUNICIPALITY_CODE: "131017",
            vrs.IdKind.MY_NUMBER: CANARY,
            vrs.IdKind.VOUCHER_NUMBER: "12345",
            vrs.IdKind.OCR_LINE: "1 1 131016-0000012345",
        }
        for kind, value in valid.items():
            self.assertTrue(vrs.check_id(kind, value), kind)
            self.assertIsNone(vrs.id_problem(kind, value), kind)
            self.assertIsNone(vrs.id_problem_ja(kind, value), kind)
        for kind, value in invalid.items():
            self.assertFalse(vrs.check_id(kind, value), kind)
            self.assertIsInstance(vrs.id_problem(kind, value), str)
            self.assertIsInstance(vrs.id_problem_ja(kind, value), str)
        self.assertFalse(vrs.check_id(vrs.IdKind.MY_NUMBER, ""))
        self.assertFalse(vrs.check_id(vrs.IdKind.MY_NUMBER, "１２３４５６７８９０１８"))

    def test_id_problem_gives_the_reason(self):
        self.assertEqual(
            vrs.id_problem(vrs.IdKind.MY_NUMBER, CANARY),
            "My Number: check digit should be 8, found 3",
        )
        self.assertEqual(
            vrs.id_problem_ja(vrs.IdKind.MY_NUMBER, CANARY),
            "個人番号: チェックデジットが一致しません（正しくは8、入力は3）",
        )
        self.assertEqual(
            vrs.id_problem(vrs.IdKind.MUNICIPALITY_CODE, "13101"),
            "municipality code must be 6 digits, found 5 characters",
        )

    def test_check_digits(self):
        self.assertEqual(vrs.municipality_check_digit("13101"), 6)
        self.assertEqual(vrs.my_number_check_digit("12345678901"), 8)
        with self.assertRaises(vrs.VrsError.InvalidId) as cm:
            vrs.my_number_check_digit(CANARY)  # 12 digits instead of 11
        self.assertIn("11", str(cm.exception))
        with self.assertRaises(vrs.VrsError.InvalidId):
            vrs.municipality_check_digit("1310a")

    def test_municipality_name(self):
        self.assertEqual(vrs.municipality_name("131016"), "東京都千代田区")
        self.assertIsNone(vrs.municipality_name("131017"))
        unknown = "13999" + str(vrs.municipality_check_digit("13999"))
        self.assertIsNone(vrs.municipality_name(unknown))

    def test_ocr_line_parse_and_format(self):
        line = vrs.parse_ocr_line("111310160000012345")
        self.assertEqual(
            (line.voucher_type, line.dose, line.municipality, line.voucher_number),
            (1, 1, "131016", "0000012345"),
        )
        self.assertEqual(vrs.format_ocr_line(line), "111310160000012345")
        self.assertEqual(vrs.parse_ocr_line("11 131016-0000012345", lenient=True), line)
        with self.assertRaises(vrs.VrsError.InvalidId):
            vrs.parse_ocr_line("11 131016-0000012345")
        with self.assertRaises(vrs.VrsError.InvalidId) as cm:
            vrs.parse_ocr_line("111310170000012345")
        self.assertIn("check digit should be 6", str(cm.exception))
        built = vrs.OcrLine(voucher_type=2, dose=3, municipality="131016", voucher_number="0000000001")
        self.assertEqual(vrs.format_ocr_line(built), "231310160000000001")
        for bad in (
            vrs.OcrLine(voucher_type=1, dose=0, municipality="131016", voucher_number="0000000001"),
            vrs.OcrLine(voucher_type=10, dose=1, municipality="131016", voucher_number="0000000001"),
            vrs.OcrLine(voucher_type=1, dose=1, municipality="131017", voucher_number="0000000001"),
            vrs.OcrLine(voucher_type=1, dose=1, municipality="131016", voucher_number="1"),
        ):
            with self.assertRaises(vrs.VrsError.InvalidId):
                vrs.format_ocr_line(bad)


class LayoutTests(unittest.TestCase):
    def test_layouts(self):
        layouts = vrs.layouts()
        ids = [l.id for l in layouts]
        self.assertEqual(ids[0], "ledger-export")
        self.assertIn("batch-inquiry-request", ids)
        ledger = layouts[0]
        self.assertEqual(len(ledger.columns), 1 + 7 * 8)
        self.assertEqual(ledger.direction, vrs.Direction.DOWNLOAD)
        self.assertEqual(ledger.columns[2].id, "dose1_vaccinated_on")
        self.assertEqual(ledger.columns[2].name_ja, "1回目接種日")
        self.assertEqual(ledger.columns[0].requirement, vrs.Requirement.REQUIRED)
        self.assertEqual(len(vrs.layouts(2)[0].columns), 1 + 2 * 8)
        self.assertFalse(any(c.id == "my_number" for l in layouts if l.direction == vrs.Direction.DOWNLOAD for c in l.columns))

    def test_layout_lookup_and_errors(self):
        self.assertEqual(vrs.layout("ledger-export@1").version, "1")
        with self.assertRaises(vrs.VrsError.Layout) as cm:
            vrs.layout("nope")
        self.assertIn("known layouts: ledger-export", str(cm.exception))
        self.assertIn("レイアウト「nope」はありません", str(cm.exception))
        with self.assertRaises(vrs.VrsError.Layout):
            vrs.layouts(10)
        with self.assertRaises(vrs.VrsError.Layout):
            vrs.layout("ledger-export", 0)


class ValidatorTests(unittest.TestCase):
    def test_streaming_matches_whole_file(self):
        data = (INQUIRY_HEADER + f"{VALID_MY_NUMBER},1001\r\n{CANARY},1002\r\n").encode()
        v = vrs.Validator("batch-inquiry-request")
        for i in range(len(data)):  # one byte at a time
            v.feed(data[i : i + 1])
        # Counted as checked: the bytes after the header wait until the encoding is certain (the
        # header reads as both UTF-8 and CP932; the rest is ASCII), so maybe not yet.
        self.assertLessEqual(v.row_count(), 2)
        self.assertLessEqual(v.error_count(), 1)
        streamed = v.finish()
        self.assertEqual((streamed.row_count(), streamed.error_count()), (2, 1))
        whole = vrs.validate_bytes("batch-inquiry-request", data)
        self.assertEqual(streamed.diagnostics(), whole.diagnostics())
        self.assertEqual(streamed.to_json(), whole.to_json())
        d = whole.diagnostics()[0]
        self.assertEqual((d.code, d.severity, d.line, d.field), ("N01", vrs.Severity.ERROR, 3, 1))
        self.assertEqual((d.column, d.column_en), ("個人番号", "My Number"))
        self.assertEqual(d.value, "<redacted>")
        self.assertIn("check digit should be 8", d.message_en)
        self.assertIn("チェックデジット", d.message_ja)

    def test_report_accessors(self):
        data = (ledger_header() + LEDGER_ROW).encode()
        report = vrs.validate_bytes("ledger-export", data, ledger_options(file_name="ledger.csv"))
        self.assertTrue(report.is_ok(), report.render_text(vrs.Lang.EN))
        self.assertEqual(
            (report.error_count(), report.warning_count(), report.info_count(), report.row_count()),
            (0, 0, 0, 1),
        )
        self.assertEqual((report.layout(), report.layout_version()), ("ledger-export", "1"))
        self.assertEqual(report.file_name(), "ledger.csv")
        self.assertEqual(report.encoding(), "utf-8")
        self.assertFalse(report.bom())
        self.assertFalse(report.truncated())
        self.assertEqual(report.diagnostics(), [])
        self.assertEqual(report.summary(), [])
        with_bom = vrs.validate_bytes("ledger-export", b"\xef\xbb\xbf" + data, ledger_options())
        self.assertTrue(with_bom.bom())
        self.assertIsNone(with_bom.file_name())

    def test_cp932_input(self):
        data = (ledger_header() + LEDGER_ROW).encode("cp932")
        auto = vrs.validate_bytes("ledger-export", data, ledger_options())
        self.assertEqual(auto.encoding(), "cp932")
        self.assertTrue(auto.is_ok())
        # Declared UTF-8, the file reads as CP932 only: checked as CP932, and one F01 says so.
        forced = vrs.validate_bytes("ledger-export", data, ledger_options(encoding=vrs.Encoding.UTF8))
        self.assertEqual(forced.encoding(), "cp932")
        self.assertEqual([d.code for d in forced.diagnostics()], ["F01"])
        self.assertIn("reads as CP932", forced.diagnostics()[0].message_en)
        # Declared CP932 (and valid CP932): ﾅｶ ﾏｷ is valid UTF-8 too, but never "mixed".
        kana = (ledger_header() + LEDGER_ROW.replace("山田一郎", "ﾅｶ ﾏｷ")).encode("cp932")
        for options in (ledger_options(), ledger_options(encoding=vrs.Encoding.CP932)):
            self.assertTrue(vrs.validate_bytes("ledger-export", kana, options).is_ok())

    def test_diagnostics_are_bounded_by_default(self):
        bad = LEDGER_ROW.replace("131016", "131017")
        data = (ledger_header() + bad * 1200).encode()
        report = vrs.validate_bytes("ledger-export", data, ledger_options())
        self.assertGreaterEqual(report.error_count(), 1200)
        self.assertEqual(len(report.diagnostics()), 1000)
        self.assertTrue(report.truncated())
        every = vrs.validate_bytes("ledger-export", data, ledger_options(keep_all_diagnostics=True))
        self.assertEqual(len(every.diagnostics()), every.error_count())
        self.assertFalse(every.truncated())

    def test_options(self):
        rows = "".join(
            LEDGER_ROW.replace("1001", f"100{i}").replace("0000012345", f"000001234{i}").replace("131016", "131017")
            for i in range(3)
        )
        data = (ledger_header() + rows).encode()
        report = vrs.validate_bytes("ledger-export", data, ledger_options(max_diagnostics=1))
        self.assertGreaterEqual(report.error_count(), 3)
        self.assertEqual(len(report.diagnostics()), 1)
        self.assertTrue(report.truncated())
        summary = {s.code: s for s in report.summary()}
        self.assertEqual(summary["M01"].count, 3)
        self.assertEqual(summary["M01"].first_lines, [2, 3, 4])
        self.assertEqual(summary["M01"].severity, vrs.Severity.ERROR)
        self.assertTrue(summary["M01"].title_en)
        # A check-digit mismatch can be downgraded to a warning.
        lenient = vrs.validate_bytes(
            "ledger-export", data, ledger_options(strict_municipality_check_digit=False)
        )
        self.assertEqual(lenient.error_count(), 0)
        self.assertGreaterEqual(lenient.warning_count(), 3)
        # Dates after as_of are in the future; without as_of that check is skipped.
        ok = vrs.validate_bytes("ledger-export", (ledger_header() + LEDGER_ROW).encode(), ledger_options())
        future = vrs.validate_bytes(
            "ledger-export", (ledger_header() + LEDGER_ROW).encode(), ledger_options(as_of="2021-05-01")
        )
        self.assertTrue(ok.is_ok())
        self.assertFalse(future.is_ok())
        self.assertTrue(all(d.code.startswith("D") for d in future.diagnostics()), future.diagnostics())
        # No header row.
        headless = vrs.validate_bytes("ledger-export", LEDGER_ROW.encode(), ledger_options(header=False))
        self.assertTrue(headless.is_ok(), headless.render_text(vrs.Lang.EN))
        self.assertEqual(headless.row_count(), 1)

    def test_json_is_the_conformance_document(self):
        data = (INQUIRY_HEADER + f"{CANARY},1001\r\n").encode()
        report = vrs.validate_bytes("batch-inquiry-request", data, vrs.ValidateOptions(file_name="in.csv"))
        doc = json.loads(report.to_json())
        self.assertEqual(
            set(doc),
            {"file", "layout", "layout_version", "encoding", "bom", "rows", "errors", "warnings",
             "infos", "truncated", "diagnostics", "summary"},
        )
        self.assertEqual((doc["file"], doc["rows"], doc["errors"]), ("in.csv", 1, 1))
        d = doc["diagnostics"][0]
        self.assertEqual((d["code"], d["severity"], d["line"], d["value"]), ("N01", "error", 2, "<redacted>"))
        self.assertEqual(d["message"], d["message_ja"])  # Japanese by default
        english = json.loads(vrs.validate_bytes(
            "batch-inquiry-request", data, vrs.ValidateOptions(lang=vrs.Lang.EN)).to_json())
        self.assertEqual(english["diagnostics"][0]["message"], d["message_en"])
        self.assertEqual(json.loads(report.render_json(vrs.Lang.EN))["diagnostics"][0]["message"], d["message_en"])
        # The message names the column once; the value follows, redacted.
        self.assertIn("in.csv:2: error N01 My Number: check digit", report.render_text(vrs.Lang.EN))
        self.assertIn("[value: <redacted>]", report.render_text(vrs.Lang.EN))
        self.assertIn("in.csv:2: エラー N01 個人番号：", report.render_text(vrs.Lang.JA))

    def test_use_after_finish_raises(self):
        v = vrs.Validator("flags")
        v.feed(b"")
        report = v.finish()
        self.assertEqual(report.row_count(), 0)
        for call in (lambda: v.feed(b"x"), v.finish, v.row_count, v.error_count):
            with self.assertRaises(vrs.VrsError.Finished) as cm:
                call()
            self.assertIn("already finished", str(cm.exception))
            self.assertIsInstance(cm.exception, vrs.VrsError)

    def test_bad_layout_and_options_raise_in_the_constructor(self):
        with self.assertRaises(vrs.VrsError.Layout):
            vrs.Validator("nope")
        with self.assertRaises(vrs.VrsError.Layout):
            vrs.validate_bytes("nope", b"")
        with self.assertRaises(vrs.VrsError.Layout):
            vrs.Validator("ledger-export", vrs.ValidateOptions(dose_blocks=0))
        bad_options = {
            "as_of": vrs.ValidateOptions(as_of="2021-02-30"),
            "tenant": vrs.ValidateOptions(tenant="131017"),
            "voucher_types": vrs.ValidateOptions(voucher_types=[1, 12]),
        }
        for name, options in bad_options.items():
            with self.assertRaises(vrs.VrsError.InvalidArgument) as cm:
                vrs.Validator("flags", options)
            self.assertTrue(str(cm.exception).startswith(name + ":"), str(cm.exception))
        with self.assertRaises(vrs.VrsError.InvalidArgument):
            vrs.validate_bytes("flags", b"", vrs.ValidateOptions(as_of="tomorrow"))


class WriterTests(unittest.TestCase):
    def test_writes_exact_bytes(self):
        w = vrs.Writer("batch-inquiry-request")
        w.set("my_number", VALID_MY_NUMBER)
        w.set("addressee_number", "A,1")
        self.assertEqual(w.end_row(), [])
        self.assertEqual(w.finish(), (INQUIRY_HEADER + f'{VALID_MY_NUMBER},"A,1"\r\n').encode())

    def test_options(self):
        w = vrs.Writer("batch-inquiry-request", vrs.WriterOptions(bom=True))
        self.assertTrue(w.finish().startswith(b"\xef\xbb\xbf\xe5\x80\x8b"))
        w = vrs.Writer("batch-inquiry-request", vrs.WriterOptions(header=False))
        w.set("my_number", VALID_MY_NUMBER)
        w.set("addressee_number", "1")
        w.end_row()
        self.assertEqual(w.finish(), f"{VALID_MY_NUMBER},1\r\n".encode())
        w = vrs.Writer("ledger-export", vrs.WriterOptions(dose_blocks=2, encoding=vrs.Encoding.CP932))
        header = w.finish().decode("cp932")
        self.assertTrue(header.endswith("2回目ワクチンロット番号\r\n"), header)
        with self.assertRaises(vrs.VrsError.InvalidArgument):
            vrs.Writer("flags", vrs.WriterOptions(as_of="20211301"))
        with self.assertRaises(vrs.VrsError.InvalidArgument):
            vrs.Writer("flags", vrs.WriterOptions(tenant="13101"))
        with self.assertRaises(vrs.VrsError.Layout):
            vrs.Writer("nope")

    def test_invalid_row_is_not_written(self):
        w = vrs.Writer("subject-registration", vrs.WriterOptions(as_of="2021-12-01"))
        set_row(w, dict(SUBJECT_ROW, my_number=CANARY, birth_date="19800231"))
        with self.assertRaises(vrs.VrsError.InvalidRow) as cm:
            w.end_row()
        message = str(cm.exception)
        self.assertIn("error N01 at line 2, column 個人番号", message)
        self.assertIn("check digit should be 8", message)
        self.assertIn("チェックデジットが一致しません", message)
        self.assertIn("生年月日", message)
        set_row(w, OTHER_SUBJECT)
        self.assertEqual(w.end_row(), [])
        lines = w.finish().decode().split("\r\n")
        self.assertEqual(len(lines), 3)  # header, one row, "" after the last CRLF
        self.assertTrue(lines[1].startswith("131016,1002,987654321093,"), lines)

    # A rejected row leaves no trace in the cross-row state, so the corrected row is accepted.
    def test_corrected_row_can_be_retried(self):
        w = vrs.Writer("subject-registration", vrs.WriterOptions(as_of="2021-12-01"))
        set_row(w, dict(SUBJECT_ROW, my_number=CANARY))
        with self.assertRaises(vrs.VrsError.InvalidRow):
            w.end_row()
        set_row(w, SUBJECT_ROW)
        self.assertEqual(w.end_row(), [])

    def test_row_with_unencodable_character_can_be_retried(self):
        w = vrs.Writer("subject-registration", vrs.WriterOptions(encoding=vrs.Encoding.CP932))
        set_row(w, dict(SUBJECT_ROW, name="𠮷田 花子"))
        with self.assertRaises(vrs.VrsError.Unencodable):
            w.end_row()
        set_row(w, dict(SUBJECT_ROW, name="吉田 花子"))
        self.assertEqual(w.end_row(), [])

    def test_warnings_are_returned_and_the_row_written(self):
        unknown = "13999" + str(vrs.municipality_check_digit("13999"))
        w = vrs.Writer("flags")
        set_row(w, {"municipality_code": unknown, "addressee_number": "1001", "flag_kind": "1", "flag_date": "20210701"})
        warnings = w.end_row()
        self.assertEqual([d.code for d in warnings], ["M02"])
        self.assertEqual(warnings[0].severity, vrs.Severity.WARNING)
        self.assertIn(unknown, w.finish().decode())

    def test_unknown_column(self):
        w = vrs.Writer("flags")
        with self.assertRaises(vrs.VrsError.UnknownColumn) as cm:
            w.set("no_such_column", "1")
        self.assertIn("no_such_column", str(cm.exception))

    def test_cp932_unencodable_character(self):
        w = vrs.Writer("subject-registration", vrs.WriterOptions(encoding=vrs.Encoding.CP932))
        set_row(w, dict(SUBJECT_ROW, name="𠮷田 花子"))
        with self.assertRaises(vrs.VrsError.Unencodable) as cm:
            w.end_row()
        message = str(cm.exception)
        self.assertIn("氏名", message)
        self.assertIn("U+20BB7", message)
        data = w.finish()
        self.assertEqual(data.decode("cp932").count("\r\n"), 1)  # only the header was written
        self.assertNotIn(VALID_MY_NUMBER.encode(), data)
        utf8 = vrs.Writer("subject-registration")
        set_row(utf8, dict(SUBJECT_ROW, name="𠮷田 花子"))
        utf8.end_row()
        self.assertIn("𠮷田 花子", utf8.finish().decode())

    def test_use_after_finish_raises(self):
        w = vrs.Writer("flags")
        w.finish()
        for call in (w.finish, w.end_row, lambda: w.set("flag_kind", "1")):
            with self.assertRaises(vrs.VrsError.Finished):
                call()


REGISTRY_SUBJECTS = (
    "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n"
    f"131016,1001,{VALID_MY_NUMBER},0000012345,千代田 花子,チヨダ ハナコ,19800101,2,20210501\r\n"
)
OCR = "111310160000012345"


def registry_dose(on="2021-06-30"):
    return vrs.DoseInput(vaccinated_on=on, manufacturer="ファイザー", lot="FA5765", venue="区民会館", doctor="山田一郎")


class RegistryTests(unittest.TestCase):
    """The registry scenario: tenant, staff, import, dose by OCR, refusals, export, stats, audit."""

    def setUp(self):
        options = vrs.RegistryOptions(fixed_time="2021-07-01T09:00:00", stats_threshold=1)
        self.reg = vrs.Registry.in_memory(bytes(range(32)), options)
        self.op = vrs.Principal.OPERATOR()
        self.staff = vrs.Principal.MUNICIPAL_STAFF(tenant="131016", user_id="u1")
        self.venue = vrs.Principal.VENUE_TABLET(tenant="131016")
        self.other = vrs.Principal.MUNICIPAL_STAFF(tenant="131032", user_id="u2")
        for tenant, user in (("131016", "u1"), ("131032", "u2")):
            self.reg.create_tenant(self.op, tenant)
            self.reg.register_staff(self.op, tenant, user)
        self.outcome = self.reg.import_subjects(self.staff, "131016", REGISTRY_SUBJECTS.encode())

    def test_scenario(self):
        reg, staff = self.reg, self.staff
        self.assertEqual(reg.tenants(self.op), ["131016", "131032"])
        o = self.outcome
        self.assertEqual((o.rows, o.imported, o.unchanged, o.rejected, o.already_imported), (1, 1, 0, 0, False))
        self.assertTrue(o.validation.is_ok())
        again = reg.import_subjects(staff, "131016", REGISTRY_SUBJECTS.encode())
        self.assertTrue(again.already_imported)

        c = reg.record_dose_ocr(self.venue, OCR, registry_dose())
        self.assertEqual(
            (c.voucher_number, c.dose, c.vaccinated_on, c.registered_at, c.already_recorded, c.awaiting_registration),
            ("0000012345", 1, "2021-06-30", "2021-07-01T09:00:00", False, False),
        )
        self.assertTrue(reg.record_dose_ocr(self.venue, OCR, registry_dose("20210630")).already_recorded)

        # Another municipality's staff, and a venue tablet, cannot read the subject.
        with self.assertRaises(vrs.VrsError.Forbidden) as cm:
            reg.subject_doses(self.other, "131016", "1001")
        self.assertIn("forbidden", str(cm.exception))
        self.assertIn("権限がありません", str(cm.exception))
        with self.assertRaises(vrs.VrsError.Forbidden):
            reg.record_dose_ocr(self.other, OCR, registry_dose())
        with self.assertRaises(vrs.VrsError.Forbidden):
            reg.subject_doses(self.venue, "131016", "1001")
        with self.assertRaises(vrs.VrsError.Forbidden):
            reg.create_tenant(staff, "011002")

        record = reg.subject_doses(staff, "131016", "1001")
        self.assertEqual((record.name, record.birth_date, record.sex), ("千代田 花子", "1980-01-01", 2))
        self.assertTrue(record.has_my_number)
        self.assertEqual([(d.dose, d.lot, d.source) for d in record.doses], [(1, "FA5765", "venue")])
        self.assertNotIn(VALID_MY_NUMBER, repr(record))

        ledger = reg.export_ledger(staff, "131016")
        self.assertNotIn(VALID_MY_NUMBER.encode(), ledger)
        lines = ledger.decode().split("\r\n")
        self.assertTrue(lines[0].startswith("個別宛名番号,1回目接種履歴登録日時,1回目接種日"), lines[0])
        self.assertTrue(lines[1].startswith("1001,20210701090000,20210630,0000012345,131016,区民会館,山田一郎,"), lines[1])
        cp932 = reg.export_ledger(staff, "131016", vrs.ExportOptions(encoding=vrs.Encoding.CP932, header=False))
        self.assertEqual(cp932.decode("cp932"), "\r\n".join(lines[1:]))
        self.assertEqual(reg.export_awaiting(staff, "131016").count(b"\r\n"), 1)  # header only

        stats = reg.stats(staff)
        self.assertEqual(stats.group_by, [vrs.Dimension.MUNICIPALITY, vrs.Dimension.DOSE])
        self.assertEqual([(s.municipality, s.dose, s.count) for s in stats.cells], [("131016", 1, 1)])
        total = reg.stats(vrs.Principal.NATIONAL_VIEWER(), [])
        self.assertEqual([s.count for s in total.cells], [1])
        pref = reg.stats(vrs.Principal.PREFECTURE_VIEWER(prefecture=1), [vrs.Dimension.MANUFACTURER])
        self.assertEqual(pref.cells, [])
        with self.assertRaises(vrs.VrsError.Forbidden):
            reg.stats(self.venue)

        audit = reg.verify_audit(self.op, "131016")
        self.assertTrue(audit.ok)
        self.assertEqual(audit.chain, "131016")
        self.assertTrue(reg.verify_audit(staff, "131016").ok)
        self.assertTrue(reg.verify_audit(self.op).ok)
        with self.assertRaises(vrs.VrsError.Forbidden):
            reg.verify_audit(self.other, "131016")
        log = reg.audit_log(staff, "131016")
        self.assertIn(("record-dose", "ok"), [(e.op, e.outcome) for e in log])
        self.assertIn(("subject-doses", "refused", "forbidden"), [(e.op, e.outcome, e.code) for e in log])
        self.assertEqual([e.seq for e in log], list(range(1, len(log) + 1)))
        store = reg.verify_store(self.op)
        self.assertTrue(store.ok)
        self.assertEqual(
            [c.chain for c in store.chains],
            ["registry", "131016", "131016/provision", "131016/inquiry",
             "131032", "131032/provision", "131032/inquiry"],
        )

    def test_rules_conflicts_and_arguments(self):
        reg, staff = self.reg, self.staff
        with self.assertRaises(vrs.VrsError.Rule) as cm:
            reg.record_dose_ocr(self.venue, OCR, registry_dose("2021-07-02"))
        self.assertTrue(str(cm.exception).startswith("rule D02: "), str(cm.exception))
        with self.assertRaises(vrs.VrsError.Rule) as cm:
            reg.record_dose_ocr(self.venue, OCR, vrs.DoseInput(
                vaccinated_on="2021-06-30", manufacturer="unknown", lot="FA5765", venue="v", doctor="d"))
        self.assertIn("T03", str(cm.exception))
        reg.record_dose_ocr(self.venue, OCR, registry_dose())
        with self.assertRaises(vrs.VrsError.Conflict) as cm:
            reg.record_dose(staff, "131016", "0000012345", 1, registry_dose("2021-06-29"))
        self.assertIn("S03", str(cm.exception))
        with self.assertRaises(vrs.VrsError.TenantExists):
            reg.create_tenant(self.op, "131016")
        with self.assertRaises(vrs.VrsError.NotFound):
            reg.subject_doses(staff, "131016", "9999")
        for call in (
            lambda: reg.record_dose_ocr(self.venue, "11131016000001234", registry_dose()),
            lambda: reg.record_dose_ocr(self.venue, OCR, registry_dose("2021-02-30")),
            lambda: reg.record_dose(staff, "131016", "0000012345", 0, registry_dose()),
            lambda: reg.create_tenant(self.op, "131017"),
            lambda: reg.subject_doses(vrs.Principal.PREFECTURE_VIEWER(prefecture=48), "131016", "1001"),
            lambda: reg.set_time("2021-07-01 09:00"),
            lambda: vrs.Registry.in_memory(bytes(31)),
        ):
            with self.assertRaises(vrs.VrsError.InvalidArgument):
                call()

        # Vouchers, reissue, flags.
        reg.issue_voucher(staff, "131016", "1001", "0000054321", "2021-06-15")
        reg.reissue_voucher(staff, "131016", "0000054321", "0000054322", "20210620")
        with self.assertRaises(vrs.VrsError.Conflict) as cm:
            reg.reissue_voucher(staff, "131016", "0000054321", "0000054323", "20210620")
        self.assertIn("L04", str(cm.exception))
        reg.set_time("2021-08-01T09:00:00")
        second = reg.record_dose(staff, "131016", "0000054322", 2, registry_dose("2021-07-21"))
        self.assertEqual(second.registered_at, "2021-08-01T09:00:00")
        reg.set_flag(staff, "131016", vrs.SubjectRef.VOUCHER(number="0000054322"), vrs.Flag.DECEASED(date="2021-07-22"))
        reg.set_flag(staff, "131016", vrs.SubjectRef.ADDRESSEE(number="1001"),
                     vrs.Flag.MOVED_OUT(date="2021-07-10", destination="131032"))
        with self.assertRaises(vrs.VrsError.Rule) as cm:
            reg.record_dose(staff, "131016", "0000054322", 3, registry_dose("2021-07-25"))
        self.assertIn("L01", str(cm.exception))
        flags = reg.subject_doses(staff, "131016", "1001").flags
        self.assertEqual([(f.kind, f.date, f.destination) for f in flags],
                         [("deceased", "2021-07-22", None), ("moved-out", "2021-07-10", "131032")])
        upload = ("自治体コード,宛名番号,券番号,フラグ種別,異動日,転出先自治体コード\r\n"
                  "131016,1001,,1,20210712,131032\r\n131016,9999,,1,20210712,\r\n")
        with self.assertRaises(vrs.VrsError.ImportRejected) as cm:
            reg.import_flags(staff, "131016", upload.encode())
        self.assertIn("line 3 ", str(cm.exception))
        outcome = reg.import_flags(staff, "131016", upload.encode(), vrs.ImportMode.LENIENT)
        self.assertEqual((outcome.imported, outcome.rejected), (1, 1))
        flags = reg.subject_doses(staff, "131016", "1001").flags
        self.assertIn(("moved-out", "2021-07-12"), [(f.kind, f.date) for f in flags])

        # Staff quota.
        reg.set_staff_quota(self.op, "131032", 1)
        with self.assertRaises(vrs.VrsError.QuotaExceeded):
            reg.register_staff(self.op, "131032", "u3")
        self.assertTrue(reg.unregister_staff(self.op, "131032", "u2"))
        self.assertFalse(reg.unregister_staff(self.op, "131032", "u2"))

    def test_correct_and_void_doses_with_history(self):
        reg, staff = self.reg, self.staff
        wave = vrs.DoseInput(vaccinated_on="2021-06-01", manufacturer="ファイザー", lot="FA5756",
                             venue="区民会館〜別館", doctor="山田一郎")
        reg.record_dose_ocr(self.venue, OCR, wave)
        reg.record_dose(staff, "131016", "0000012345", 2, registry_dose("2021-06-22"))
        # The JIS wave dash is stored as the CP932 form, so the CP932 export succeeds.
        ledger = reg.export_ledger(staff, "131016", vrs.ExportOptions(encoding=vrs.Encoding.CP932))
        self.assertIn(b"\x81\x60", ledger)
        self.assertIn("区民会館～別館", ledger.decode("cp932"))
        with self.assertRaises(vrs.VrsError.Rule) as cm:
            reg.record_dose(staff, "131016", "0000012345", 3, vrs.DoseInput(
                vaccinated_on="2021-06-30", manufacturer="ファイザー", lot="FA5765", venue="会館",
                doctor="\U00020BB7田"))
        self.assertIn("T08", str(cm.exception))
        self.assertIn("U+20BB7", str(cm.exception))

        who = vrs.SubjectRef.ADDRESSEE(number="1001")
        change = reg.correct_dose(staff, "131016", who, 1, vrs.DoseCorrection(lot="FA5765"), "lot typed wrongly")
        self.assertEqual((change.voucher_number, change.dose, change.action, change.changed),
                         ("0000012345", 1, "corrected", True))
        self.assertEqual(change.dose_now.lot, "FA5765")
        self.assertFalse(reg.correct_dose(staff, "131016", who, 1, vrs.DoseCorrection(lot="FA5765"), "again").changed)
        with self.assertRaises(vrs.VrsError.Rule) as cm:
            reg.correct_dose(staff, "131016", vrs.SubjectRef.VOUCHER(number="0000012345"), 2,
                             vrs.DoseCorrection(vaccinated_on="2021-05-31"), "wrong date")
        self.assertIn("S02", str(cm.exception))
        for call in (
            lambda: reg.correct_dose(staff, "131016", who, 1, vrs.DoseCorrection(), "nothing"),
            lambda: reg.correct_dose(staff, "131016", who, 1, vrs.DoseCorrection(lot="X1"), " "),
            lambda: reg.correct_dose(staff, "131016", who, 1, vrs.DoseCorrection(vaccinated_on="2021-02-30"), "x"),
            lambda: reg.void_dose(staff, "131016", who, 0, "x"),
        ):
            with self.assertRaises(vrs.VrsError.InvalidArgument):
                call()
        for p in (self.venue, self.other, self.op):
            with self.assertRaises(vrs.VrsError.Forbidden):
                reg.void_dose(p, "131016", who, 2, "x")

        voided = reg.void_dose(staff, "131016", who, 2, "recorded on the wrong person")
        self.assertEqual((voided.action, voided.dose_now), ("voided", None))
        with self.assertRaises(vrs.VrsError.NotFound):
            reg.void_dose(staff, "131016", who, 2, "twice")
        record = reg.subject_doses(staff, "131016", "1001")
        self.assertEqual([d.dose for d in record.doses], [1])
        self.assertEqual([(h.dose, h.action, h.reason, h.before.lot) for h in record.history],
                         [(1, "corrected", "lot typed wrongly", "FA5756"),
                          (2, "voided", "recorded on the wrong person", "FA5765")])
        self.assertEqual(len(record.history[0].by), 32)
        self.assertEqual([s.dose for s in reg.stats(staff).cells], [1])
        reg.record_dose(staff, "131016", "0000012345", 2, registry_dose("2021-06-23"))
        self.assertEqual([d.vaccinated_on for d in reg.subject_doses(staff, "131016", "1001").doses],
                         ["2021-06-01", "2021-06-23"])
        log = [(e.op, e.outcome) for e in reg.audit_log(staff, "131016")]
        self.assertIn(("correct-dose", "ok"), log)
        self.assertIn(("void-dose", "refused"), log)
        self.assertTrue(reg.verify_audit(staff, "131016").ok)

    def test_rejected_import_lists_rows_without_the_my_number(self):
        bad = REGISTRY_SUBJECTS.replace("1001", "1002").replace(VALID_MY_NUMBER, CANARY)
        with self.assertRaises(vrs.VrsError.ImportRejected) as cm:
            self.reg.import_subjects(self.staff, "131016", bad.encode(), vrs.ImportMode.STRICT)
        message = str(cm.exception)
        self.assertIn("line 2 N01: My Number: check digit should be 8", message)
        self.assertNotIn(CANARY, message)
        lenient = self.reg.import_subjects(self.staff, "131016", bad.encode(), vrs.ImportMode.LENIENT)
        self.assertEqual((lenient.imported, lenient.rejected), (0, 1))
        self.assertEqual([(r.line, r.code) for r in lenient.rejected_rows], [(2, "N01")])
        self.assertNotIn(CANARY, repr(lenient.rejected_rows) + lenient.validation.to_json())

    def test_store_and_key_directories(self):
        with tempfile.TemporaryDirectory() as tmp:
            keys, store = os.path.join(tmp, "keys"), os.path.join(tmp, "store")
            with self.assertRaises(vrs.VrsError.Storage):
                vrs.Registry.open(store, keys)
            vrs.create_key_dir(keys)
            with self.assertRaises(vrs.VrsError.Storage):
                vrs.create_key_dir(keys)  # never overwrites a master key
            reg = vrs.Registry.open(store, keys, vrs.RegistryOptions(fixed_time="20210701090000"))
            reg.create_tenant(self.op, "131016")
            del reg
            reopened = vrs.Registry.open(store, keys)
            self.assertEqual(reopened.tenants(self.op), ["131016"])
            self.assertTrue(reopened.verify_store(self.op).ok)


class InquiryTests(unittest.TestCase):
    """Inquiries on a move, a batch inquiry and the provision and inquiry logs."""

    NOBODY = "234567890121"
    NO_MATCH = '{"outcome":"no-match","providers":[]}'

    def setUp(self):
        options = vrs.RegistryOptions(fixed_time="2022-03-01T09:00:00")
        self.reg = vrs.Registry.in_memory(bytes(range(32)), options)
        self.op = vrs.Principal.OPERATOR()
        self.chiyoda = vrs.Principal.MUNICIPAL_STAFF(tenant="131016", user_id="u1")
        self.minato = vrs.Principal.MUNICIPAL_STAFF(tenant="131032", user_id="m1")
        for tenant, user in (("131016", "u1"), ("131032", "m1")):
            self.reg.create_tenant(self.op, tenant)
            self.reg.register_staff(self.op, tenant, user)
        self.reg.import_subjects(self.chiyoda, "131016", REGISTRY_SUBJECTS.encode())
        self.reg.record_dose(self.chiyoda, "131016", "0000012345", 1, registry_dose("2021-06-01"))

    def request(self, former, my_number, basis=None, verified=False):
        return vrs.InquiryRequest(
            former=former, my_number=my_number,
            legal_basis=basis or vrs.LegalBasis.CONSENT_DIFFICULT(),
            identity_verified=verified, reference="M-1")

    def test_match_and_the_same_no_match_for_every_miss(self):
        reg = self.reg
        answer = reg.inquire(self.minato, self.request("131016", VALID_MY_NUMBER))
        self.assertEqual(answer.outcome, vrs.InquiryOutcomeKind.MATCH)
        self.assertEqual(len(answer.providers), 1)
        p = answer.providers[0]
        self.assertEqual(p.provider, "131016")
        d = p.doses[0]
        self.assertEqual(
            (d.dose, d.vaccinated_on, d.voucher_number, d.municipality_code, d.venue, d.doctor, d.manufacturer, d.lot),
            (1, "2021-06-01", "0000012345", "131016", "区民会館", "山田一郎", "ファイザー", "FA5765"))
        self.assertNotIn("千代田", repr(answer))
        self.assertNotIn(VALID_MY_NUMBER, repr(answer))
        misses = [
            self.request("131016", self.NOBODY),     # never lived there
            self.request(None, self.NOBODY),         # nobody holds them
            self.request("271004", VALID_MY_NUMBER),  # not a tenant
        ]
        for r in misses:
            a = reg.inquire(self.minato, r)
            self.assertEqual(a.outcome, vrs.InquiryOutcomeKind.NO_MATCH)
            self.assertEqual(a.json, self.NO_MATCH)

    def test_refusals_and_the_dated_policy(self):
        reg = self.reg
        with self.assertRaises(vrs.VrsError.Forbidden):
            reg.inquire(self.chiyoda, self.request("131016", VALID_MY_NUMBER))
        with self.assertRaises(vrs.VrsError.Forbidden):
            reg.inquire(vrs.Principal.VENUE_TABLET(tenant="131032"), self.request(None, VALID_MY_NUMBER))
        consent = vrs.LegalBasis.CONSENT(form_ref="F-1")
        with self.assertRaises(vrs.VrsError.Forbidden) as cm:
            reg.inquire(self.minato, self.request(None, VALID_MY_NUMBER, consent))
        self.assertIn("Art. 16", str(cm.exception))
        reg.set_time("2021-12-14T09:00:00")
        with self.assertRaises(vrs.VrsError.Forbidden):
            reg.inquire(self.minato, self.request(None, VALID_MY_NUMBER))
        ok = reg.inquire(self.minato, self.request(None, VALID_MY_NUMBER, consent, verified=True))
        self.assertEqual(ok.outcome, vrs.InquiryOutcomeKind.MATCH)
        with self.assertRaises(vrs.VrsError.InvalidArgument) as cm:
            reg.inquire(self.minato, self.request(None, CANARY))
        self.assertNotIn(CANARY, str(cm.exception))

    def test_batch_and_logs(self):
        reg = self.reg
        data = (INQUIRY_HEADER + f"{VALID_MY_NUMBER},5001\r\n{self.NOBODY},5002\r\n{CANARY},5003\r\n").encode()
        o = reg.batch_inquire(self.minato, data, vrs.BatchInquiryOptions(
            legal_basis=vrs.LegalBasis.CONSENT_DIFFICULT(),
            result=vrs.ExportOptions(encoding=vrs.Encoding.CP932)))
        self.assertEqual((o.rows, o.answered, o.matched, o.no_match, o.rejected, o.result_rows), (3, 2, 1, 1, 1, 2))
        self.assertEqual(o.rejected_rows[0].code, "N01")
        result = o.result.decode("cp932")
        self.assertIn("\r\n5001,一致,131016,20210601,0000012345,131016,", result)
        self.assertIn("\r\n5002,該当なし,,", result)
        for secret in (VALID_MY_NUMBER, self.NOBODY, CANARY):
            self.assertNotIn(secret, result)
        provision = reg.log_entries(self.chiyoda, "131016", vrs.LogKind.PROVISION)
        self.assertEqual(len(provision), 1)
        e = provision[0]
        self.assertEqual((e.requester, e.provider, e.providers, e.provided, e.doses), ("131032", "131016", ["131016"], True, 1))
        self.assertEqual(e.batch, o.batch_id)
        self.assertEqual(len(e.subject), 32)
        by_subject = reg.log_entries(self.chiyoda, "131016", vrs.LogKind.PROVISION, vrs.LogQuery(subject=VALID_MY_NUMBER))
        self.assertEqual(len(by_subject), 1)
        by_other = reg.log_entries(self.chiyoda, "131016", vrs.LogKind.PROVISION, vrs.LogQuery(subject=self.NOBODY))
        self.assertEqual(by_other, [])
        inquiry = reg.log_entries(self.minato, "131032", vrs.LogKind.INQUIRY, vrs.LogQuery(user="m1", from_date="2022-03-01"))
        self.assertEqual([x.reference for x in inquiry], ["5001", "5002"])
        for text in (repr(provision), repr(by_subject), repr(inquiry), repr(o)):
            for secret in (VALID_MY_NUMBER, self.NOBODY, CANARY, "千代田"):
                self.assertNotIn(secret, text)
        with self.assertRaises(vrs.VrsError.Forbidden) as cm:
            reg.log_entries(self.minato, "131016", vrs.LogKind.PROVISION, vrs.LogQuery(subject=VALID_MY_NUMBER))
        self.assertNotIn(VALID_MY_NUMBER, str(cm.exception) + repr(cm.exception))
        csv = reg.export_log(self.chiyoda, "131016", vrs.LogKind.PROVISION).decode()
        self.assertTrue(csv.startswith("連番,記録種別,照会元自治体コード,"))
        self.assertNotIn(VALID_MY_NUMBER, csv)
        self.assertTrue(all(v.ok for v in reg.verify_logs(self.op, "131016")))
        self.assertEqual(reg.rebuild_inquiry_index(self.op), 1)
class IntegrityTests(unittest.TestCase):
    """Verification findings, host anchors and key rotation from Python."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.keys = os.path.join(self.tmp.name, "keys")
        self.store = os.path.join(self.tmp.name, "store")
        vrs.create_key_dir(self.keys)
        self.options = vrs.RegistryOptions(fixed_time="2021-07-01T09:00:00")
        self.reg = vrs.Registry.open(self.store, self.keys, self.options)
        self.op = vrs.Principal.OPERATOR()
        self.staff = vrs.Principal.MUNICIPAL_STAFF(tenant="131016", user_id="u1")
        self.reg.create_tenant(self.op, "131016")
        self.reg.register_staff(self.op, "131016", "u1")
        self.reg.import_subjects(self.staff, "131016", REGISTRY_SUBJECTS.encode())

    def tearDown(self):
        del self.reg
        self.tmp.cleanup()

    def test_rotation_and_verification(self):
        with self.assertRaises(vrs.VrsError.Forbidden):
            self.reg.rotate_tenant_key(self.staff, "131016")
        rotation = self.reg.rotate_tenant_key(self.op, "131016")
        self.assertEqual((rotation.from_version, rotation.to_version), (1, 2))
        self.assertTrue(rotation.finished and not rotation.resumed)
        self.assertEqual(rotation.records, 6)
        self.assertTrue(os.path.exists(os.path.join(self.keys, "131016.v2.key")))
        self.assertEqual(self.reg.subject_doses(self.staff, "131016", "1001").name, "千代田 花子")
        store = self.reg.verify_store(self.op)
        self.assertTrue(store.ok, store)
        self.assertEqual(store.findings, [])
        self.assertEqual(store.records_checked, 6)
        # The new key is needed from now on.
        del self.reg
        os.remove(os.path.join(self.keys, "131016.v2.key"))
        reg = vrs.Registry.open(self.store, self.keys, self.options)
        with self.assertRaises(vrs.VrsError.Crypto):
            reg.subject_doses(self.staff, "131016", "1001")
        self.reg = reg

    def test_anchor_finds_a_whole_store_rollback(self):
        import shutil

        backup = os.path.join(self.tmp.name, "backup")
        del self.reg
        shutil.copytree(self.store, backup)
        self.reg = vrs.Registry.open(self.store, self.keys, self.options)
        venue = vrs.Principal.VENUE_TABLET(tenant="131016")
        self.reg.record_dose_ocr(venue, OCR, vrs.DoseInput(vaccinated_on="2021-06-30", manufacturer="ファイザー", lot="FA5765", venue="区民会館", doctor="山田一郎"))
        anchor = self.reg.anchor()
        self.assertRegex(anchor, r"^vrs-anchor-1:\d+:[0-9a-f]{64}$")
        self.assertEqual(self.reg.check_anchor(anchor), 0)
        with self.assertRaises(vrs.VrsError.InvalidArgument):
            self.reg.check_anchor("not an anchor")
        del self.reg
        shutil.rmtree(self.store)
        shutil.copytree(backup, self.store)
        self.reg = vrs.Registry.open(self.store, self.keys, self.options)
        with self.assertRaises(vrs.VrsError.Tampered) as cm:
            self.reg.check_anchor(anchor)
        self.assertIn("rolled back", str(cm.exception))
        with self.assertRaises(vrs.VrsError.Tampered):
            self.reg.subject_doses(self.staff, "131016", "1001")
        self.assertTrue(self.reg.verify_store(self.op).ok)

    def test_tampered_records_are_named_and_not_served(self):
        import sqlite3

        del self.reg
        db = sqlite3.connect(os.path.join(self.store, "vrs.sqlite3"))
        db.execute("DELETE FROM records WHERE tenant = 131016 AND kind = 3")
        db.commit()
        db.close()
        self.reg = vrs.Registry.open(self.store, self.keys, self.options)
        with self.assertRaises(vrs.VrsError.Tampered) as cm:
            self.reg.subject_doses(self.staff, "131016", "1001")
        self.assertIn("131016, my-number-index", str(cm.exception))
        store = self.reg.verify_store(self.op)
        self.assertFalse(store.ok)
        kinds = {(f.scope, f.kind) for f in store.findings}
        self.assertIn(("131016", "my-number-index"), kinds)
        self.assertIn(("131016", "subject"), kinds)
        self.assertNotIn(VALID_MY_NUMBER, repr(store))

    def test_a_new_master_key_beside_a_populated_store_is_refused(self):
        del self.reg
        other = os.path.join(self.tmp.name, "other-keys")
        vrs.create_key_dir(other)
        with self.assertRaises(vrs.VrsError.Crypto) as cm:
            vrs.Registry.open(self.store, other, self.options)
        self.assertIn("the registry does not open its data", str(cm.exception))
        self.reg = vrs.Registry.open(self.store, self.keys, self.options)

    def test_my_numbers_stay_out_of_dose_fields(self):
        venue = vrs.Principal.VENUE_TABLET(tenant="131016")
        for doctor in (VALID_MY_NUMBER, "１２３４５６７８９０１８", "医師 1234-5678-9018"):
            with self.assertRaises(vrs.VrsError.Rule) as cm:
                self.reg.record_dose_ocr(venue, OCR, vrs.DoseInput(vaccinated_on="2021-06-30", manufacturer="ファイザー", lot="FA5765", venue="区民会館", doctor=doctor))
            self.assertIn("N02", str(cm.exception))
            self.assertNotIn(VALID_MY_NUMBER, str(cm.exception))


# A canary My Number (valid, so it is stored) and a canary name for the secrecy sweep.
SWEEP_NUMBER = "246813579005"
SWEEP_NAME = "鵺野 鳴子"
SWEEP_KANA = "ヌエノ ナルコ"


def dump(value):
    """Every field of a result, recursively, as text (a record's repr may not show them)."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(dump(v) for v in value) + "]"
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace") + " " + value.decode("cp932", "replace")
    if isinstance(value, (enum.Enum, type, str, int, float, bool)) or value is None:
        return repr(value)
    if hasattr(value, "to_json"):  # a report (an object, not a record)
        return value.to_json()
    if hasattr(value, "__dict__") and vars(value):
        return type(value).__name__ + "{" + ", ".join(f"{k}={dump(v)}" for k, v in vars(value).items()) + "}"
    return repr(value)


class RegistrySecrecySweepTests(unittest.TestCase):
    """The canaries go through every registry operation and error path; they never come back
    in an output or message (the name only in answers to staff), and never lie unsealed on
    disk in UTF-8, UTF-16 or CP932."""

    def needles(self):
        out = []
        for text in (SWEEP_NUMBER, SWEEP_NAME, SWEEP_KANA, SWEEP_NAME.split()[0]):
            for enc in ("utf-8", "utf-16-le", "utf-16-be", "cp932"):
                out.append((f"{text!r} {enc}", text.encode(enc)))
        return out

    def assertClean(self, place, data):
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
        for what, needle in self.needles():
            self.assertNotIn(needle, data, f"{what} found in {place}")

    def test_sweep(self):
        outputs = []

        def call(name, fn):
            try:
                outputs.append((name, dump(fn())))
            except vrs.VrsError as e:
                outputs.append((name + " error", f"{type(e).__name__}: {e}"))

        with tempfile.TemporaryDirectory() as tmp:
            keys, store = os.path.join(tmp, "keys"), os.path.join(tmp, "store")
            vrs.create_key_dir(keys)
            options = vrs.RegistryOptions(fixed_time="2021-07-01T09:00:00", stats_threshold=1)
            reg = vrs.Registry.open(store, keys, options)
            op = vrs.Principal.OPERATOR()
            staff = vrs.Principal.MUNICIPAL_STAFF(tenant="131016", user_id="u1")
            venue = vrs.Principal.VENUE_TABLET(tenant="131016")
            reg.create_tenant(op, "131016")
            reg.register_staff(op, "131016", "u1")
            header = "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n"
            row = f"131016,1001,{SWEEP_NUMBER},0000012345,{SWEEP_NAME},{SWEEP_KANA},19800101,2,20210501\r\n"
            call("import utf-8", lambda: reg.import_subjects(staff, "131016", (header + row).encode()))
            cp932 = (header + row.replace("0000012345", "0000012399")).encode("cp932")
            call("import cp932", lambda: reg.import_subjects(staff, "131016", cp932, vrs.ImportMode.LENIENT))
            clash = header + row.replace(",1001,", ",2002,").replace("0000012345", "0000022222")
            call("N03 lenient", lambda: reg.import_subjects(staff, "131016", clash.encode(), vrs.ImportMode.LENIENT))
            call("N03 strict", lambda: reg.import_subjects(staff, "131016", clash.replace("2002", "2003").encode()))
            as_addressee = header + f"131016,{SWEEP_NUMBER},110000000000,0000033333,別人 太郎,ベツジン タロウ,19700101,1,20210501\r\n"
            call("N02 addressee", lambda: reg.import_subjects(staff, "131016", as_addressee.encode(), vrs.ImportMode.LENIENT))
            bad_digit = header + row.replace(SWEEP_NUMBER, SWEEP_NUMBER[:11] + "9")
            call("check digit", lambda: reg.import_subjects(staff, "131016", bad_digit.encode()))
            dose = vrs.DoseInput(vaccinated_on="2021-06-01", manufacturer="ファイザー", lot="FA5765", venue="区民会館", doctor="山田一郎")
            call("dose", lambda: reg.record_dose_ocr(venue, OCR, dose))
            for field in ("doctor", "venue", "lot"):
                d = vrs.DoseInput(vaccinated_on="2021-06-02", manufacturer="ファイザー", lot="FA5765", venue="区民会館", doctor="山田一郎")
                setattr(d, field, SWEEP_NUMBER)
                call(f"N02 {field}", lambda d=d: reg.record_dose_ocr(venue, "121310160000012345", d))
                call(f"N02 {field} staff", lambda d=d: reg.record_dose(staff, "131016", "0000012345", 2, d))
            call("dose upload", lambda: reg.import_doses(staff, "131016", (
                "接種自治体コード,券番号,接種回数,接種日,接種会場名,接種医師名,ワクチンメーカー,ワクチンロット番号,OCRライン,宛名番号,生年月日\r\n"
                f"131016,0000012345,2,20210622,区民会館,{SWEEP_NUMBER},ファイザー,FA5765,,,\r\n").encode(), vrs.ImportMode.LENIENT))
            call("flag", lambda: reg.set_flag(staff, "131016", vrs.SubjectRef.ADDRESSEE("1001"), vrs.Flag.MOVED_OUT(date="2021-06-15", destination=None)))
            call("refused read", lambda: reg.subject_doses(venue, "131016", "1001"))
            call("not found", lambda: reg.subject_doses(staff, "131016", SWEEP_NUMBER))
            for enc in (vrs.Encoding.UTF8, vrs.Encoding.CP932):
                call("ledger", lambda enc=enc: reg.export_ledger(staff, "131016", vrs.ExportOptions(encoding=enc)))
                call("awaiting", lambda enc=enc: reg.export_awaiting(staff, "131016", vrs.ExportOptions(encoding=enc)))
            call("stats", lambda: reg.stats(vrs.Principal.NATIONAL_VIEWER(), [vrs.Dimension.MUNICIPALITY, vrs.Dimension.AGE_BAND]))
            call("audit log", lambda: reg.audit_log(staff, "131016"))
            call("verify audit", lambda: reg.verify_audit(op, "131016"))
            call("rotate", lambda: reg.rotate_tenant_key(op, "131016"))
            call("anchor", lambda: reg.anchor())
            call("bad anchor", lambda: reg.check_anchor(SWEEP_NUMBER))
            call("verify store", lambda: reg.verify_store(op))
            staff_view = dump(reg.subject_doses(staff, "131016", "1001"))
            self.assertIn(SWEEP_NAME, staff_view)  # staff see the name ...
            self.assertNotIn(SWEEP_NUMBER, staff_view)  # ... never the My Number
            del reg
            self.assertTrue(any("N02" in text for _, text in outputs), outputs)
            for place, text in outputs:
                self.assertClean(place, text)
            files = 0
            for root, _, names in os.walk(store):
                for name in names:
                    with open(os.path.join(root, name), "rb") as f:
                        self.assertClean(os.path.join(root, name), f.read())
                    files += 1
            self.assertGreaterEqual(files, 1)


class CanaryTests(unittest.TestCase):
    """A My Number given anywhere never comes back in a message, a report, a JSON or a repr."""

    def assertNoCanary(self, text):
        self.assertNotIn(CANARY, text)
        self.assertNotIn(CANARY[:11], text)  # not even its first eleven digits

    def test_never_in_any_output(self):
        outputs = [
            vrs.id_problem(vrs.IdKind.MY_NUMBER, CANARY),
            vrs.id_problem_ja(vrs.IdKind.MY_NUMBER, CANARY),
        ]
        for kind in vrs.IdKind:
            outputs += [str(vrs.id_problem(kind, CANARY)), str(vrs.id_problem_ja(kind, CANARY))]
        for call in (
            lambda: vrs.my_number_check_digit(CANARY),
            lambda: vrs.municipality_check_digit(CANARY),
            lambda: vrs.parse_ocr_line(CANARY),
            lambda: vrs.format_ocr_line(vrs.OcrLine(voucher_type=1, dose=1, municipality="131016", voucher_number=CANARY)),
            lambda: vrs.Validator("flags", vrs.ValidateOptions(tenant=CANARY)),
            lambda: vrs.Validator("flags", vrs.ValidateOptions(as_of=CANARY)),
        ):
            with self.assertRaises(vrs.VrsError) as cm:
                call()
            outputs += [str(cm.exception), repr(cm.exception)]

        # In a My Number column, in a wrong column, and in a free-text column.
        data = (INQUIRY_HEADER + f"{CANARY},1001\r\n{VALID_MY_NUMBER},{CANARY}\r\n").encode()
        ledger = (ledger_header() + LEDGER_ROW.replace("0000012345", CANARY)
                  + LEDGER_ROW.replace("区民会館", "会場" + CANARY)).encode()
        for layout, data, options in (
            ("batch-inquiry-request", data, None),
            ("ledger-export", ledger, ledger_options()),
        ):
            v = vrs.Validator(layout, options)
            v.feed(data)
            outputs.append(repr(v))
            report = v.finish()
            self.assertGreater(report.error_count(), 0)
            outputs += [report.to_json(), report.render_json(vrs.Lang.EN), repr(report)]
            outputs += [report.render_text(lang) for lang in vrs.Lang]
            outputs += [repr(d) for d in report.diagnostics()] + [str(d) for d in report.diagnostics()]
            outputs += [str(s) for s in report.summary()]

        w = vrs.Writer("subject-registration", vrs.WriterOptions(encoding=vrs.Encoding.CP932))
        set_row(w, dict(SUBJECT_ROW, my_number=CANARY))
        outputs.append(repr(w))
        with self.assertRaises(vrs.VrsError.InvalidRow) as cm:
            w.end_row()
        outputs += [str(cm.exception), repr(cm.exception)]
        set_row(w, dict(SUBJECT_ROW, my_number=CANARY, name="𠮷"))
        with self.assertRaises(vrs.VrsError) as cm:
            w.end_row()
        outputs += [str(cm.exception), repr(cm.exception)]
        outputs.append(repr(w.finish()))

        self.assertGreater(len(outputs), 30)
        for text in outputs:
            self.assertNoCanary(text)


class RetentionTests(unittest.TestCase):
    """Retention under the dated policy: kept while alive or unprovided, held, then purged; the
    canary name and My Number never come back in a list, an outcome, an error or the audit log."""

    NAME = "鵺野 鳴子"
    NUMBER = "200000000018"

    def setUp(self):
        options = vrs.RegistryOptions(fixed_time="2021-07-01T09:00:00")
        self.reg = vrs.Registry.in_memory(bytes(range(32)), options)
        self.op = vrs.Principal.OPERATOR()
        self.staff = vrs.Principal.MUNICIPAL_STAFF(tenant="131016", user_id="u1")
        self.venue = vrs.Principal.VENUE_TABLET(tenant="131016")
        self.reg.create_tenant(self.op, "131016")
        self.reg.register_staff(self.op, "131016", "u1")
        subjects = ("自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n"
                    f"131016,1001,{self.NUMBER},0000012345,{self.NAME},ヌエノ ナルコ,19400101,2,20210501\r\n"
                    "131016,1002,200000000026,0000012346,保存 二郎,ホゾン ジロウ,19400101,1,20210501\r\n")
        self.reg.import_subjects(self.staff, "131016", subjects.encode())
        for ocr in ("111310160000012345", "111310160000012346"):
            self.reg.record_dose_ocr(self.venue, ocr, registry_dose("2021-06-10"))
        self.reg.set_time("2026-12-01T09:00:00")

    def test_kept_held_then_purged(self):
        reg, staff = self.reg, self.staff
        outputs = []
        listed = reg.retention_list(staff, "131016", "2026-12-01")
        self.assertEqual(listed.eligible, [])
        self.assertEqual((listed.kept.doses, listed.kept.waiting_for_death), (2, 2))
        self.assertEqual(listed.policy_version, "2026-02-01")
        outputs.append(repr(listed))
        reg.set_flag(staff, "131016", vrs.SubjectRef.ADDRESSEE(number="1001"), vrs.Flag.DECEASED(date="2021-07-15"))
        with self.assertRaises(vrs.VrsError.InvalidArgument) as cm:
            reg.record_national_db_provision(staff, "131016", "2026-05-31", vrs.ProvisionSelection.ALL())
        outputs.append(str(cm.exception))
        p = reg.record_national_db_provision(
            staff, "131016", "2026-06-01", vrs.ProvisionSelection.SUBJECTS(addressees=["1001", "1002"]))
        self.assertEqual((p.doses, p.vouchers), (2, 2))
        self.assertTrue(reg.set_legal_hold(staff, "131016", "1001", True))
        held = reg.retention_list(staff, "131016", "2026-12-01")
        self.assertEqual([d.addressee for d in held.held], ["1001"])
        self.assertEqual(reg.purge(staff, "131016", "2026-12-01").doses, 0)
        with self.assertRaises(vrs.VrsError.Forbidden):
            reg.purge(self.venue, "131016", "2026-12-01")
        with self.assertRaises(vrs.VrsError.InvalidArgument):
            reg.purge(staff, "131016", "2026-12-02")
        reg.set_retention_minimum(staff, "131016", 30)
        reg.set_retention_minimum(staff, "131016", None)
        self.assertTrue(reg.set_legal_hold(staff, "131016", "1001", False))
        listed = reg.retention_list(staff, "131016", "2026-12-01")
        [d] = listed.eligible
        self.assertEqual(
            (d.addressee, d.rule, d.death_on, d.provided_on, d.law_retain_through, d.eligible_from),
            ("1001", "suppl-art17-covid", "2021-07-15", "2026-06-01", "2026-07-15", "2026-07-16"),
        )
        outputs.append(repr(listed))
        out = reg.purge(staff, "131016", "2026-12-01")
        self.assertEqual((out.doses, out.vouchers, out.subjects, out.my_number_index), (1, 1, 1, 1))
        self.assertEqual(reg.purge(staff, "131016", "2026-12-01").doses, 0)
        with self.assertRaises(vrs.VrsError.NotFound) as cm:
            reg.subject_doses(staff, "131016", "1001")
        outputs += [repr(out), str(cm.exception)]
        ledger = reg.export_ledger(staff, "131016").decode()
        self.assertIn("\r\n1002,", ledger)
        self.assertNotIn("\r\n1001,", ledger)
        log = reg.audit_log(staff, "131016")
        purge = [e for e in log if e.op == "purge" and e.outcome == "ok"][-2]
        self.assertEqual(purge.counts["subjects"], 1)
        self.assertEqual(purge.records, [])
        outputs += [ledger, repr(log)]
        for text in outputs:
            self.assertNotIn(self.NAME, text)
            self.assertNotIn(self.NUMBER, text)


class RetentionExampleTests(unittest.TestCase):
    """examples/python/retention.py runs and prints the list and the purge."""

    def test_example(self):
        examples = os.environ.get("VRS_EXAMPLES_DIR")
        if not examples:
            self.skipTest("VRS_EXAMPLES_DIR not set")
        env = dict(os.environ, PYTHONPATH=os.path.dirname(vrs.__file__), PYTHONDONTWRITEBYTECODE="1")
        r = subprocess.run([sys.executable, os.path.join(examples, "retention.py")],
                           capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("2026-12-01: 0 eligible, 2 kept (2 alive as far as we know, 2 not provided, 0 held)", r.stdout)
        self.assertIn("purged: 1 dose(s), 1 subject(s)", r.stdout)


class InquiryExampleTests(unittest.TestCase):
    """examples/python/inquiry.py runs: an inquiry, a batch, the provision log, its purge."""

    def test_example(self):
        examples = os.environ.get("VRS_EXAMPLES_DIR")
        if not examples:
            self.skipTest("VRS_EXAMPLES_DIR not set")
        env = dict(os.environ, PYTHONPATH=os.path.dirname(vrs.__file__), PYTHONDONTWRITEBYTECODE="1")
        r = subprocess.run([sys.executable, os.path.join(examples, "inquiry.py")],
                           capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        for line in ("inquiry: match",
                     "  131016 dose 2 on 2021-06-01: ファイザー lot FA5765, voucher 0000012345, 区民会館",
                     'stranger: {"outcome":"no-match","providers":[]}',
                     "batch: 3 rows, 1 matched, 1 no match, 1 rejected (N01)",
                     "M-5001,一致,131016,",
                     "M-5002,該当なし,",
                     "2029-03-02: 2 provision-log entries past 7 years",
                     "purged: 2 provision-log entries, 0 doses",
                     "logs verify: True"):
            self.assertIn(line, r.stdout)
        for secret in ("123456789018", "234567890121", "千代田", "チヨダ"):
            self.assertNotIn(secret, r.stdout + r.stderr)


class ExampleTests(unittest.TestCase):
    """examples/python/validate.py: exit 0 (no error), 1 (errors), 2 (could not validate)."""

    def setUp(self):
        examples = os.environ.get("VRS_EXAMPLES_DIR")
        if not examples:
            self.skipTest("VRS_EXAMPLES_DIR not set")
        self.script = os.path.join(examples, "validate.py")
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def run_example(self, *args):
        env = dict(os.environ, PYTHONPATH=os.path.dirname(vrs.__file__), PYTHONDONTWRITEBYTECODE="1")
        return subprocess.run(
            [sys.executable, self.script, *args], capture_output=True, text=True, env=env, timeout=120
        )

    def write(self, name, text, encoding="utf-8"):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w", encoding=encoding, newline="") as f:
            f.write(text)
        return path

    def test_exit_codes_and_output(self):
        good = self.write("good.csv", ledger_header() + LEDGER_ROW, "cp932")
        bad = self.write("bad.csv", INQUIRY_HEADER + f"{CANARY},1001\r\n")
        r = self.run_example("--layout", "ledger-export", "--doses", "1", "--as-of", "2021-12-01", good)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ledger-export@1, cp932, 1 rows, 0 errors", r.stdout)
        r = self.run_example("--layout", "batch-inquiry-request", "--lang", "en", bad)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(f"{bad}:2: error N01 [My Number]: My Number: check digit should be 8", r.stdout)
        self.assertNotIn(CANARY, r.stdout + r.stderr)
        r = self.run_example("--layout", "batch-inquiry-request", "--json", bad)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(json.loads(r.stdout)["file"], bad)
        r = self.run_example("--layout", "nope", good)
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown layout", r.stderr)
        r = self.run_example("--layout", "flags", os.path.join(self.tmp.name, "missing.csv"))
        self.assertEqual(r.returncode, 2)
        r = self.run_example("--layout", "flags", "--as-of", "2021-02-30", good)
        self.assertEqual(r.returncode, 2)
        self.assertIn("as_of", r.stderr)
        r = self.run_example(good)  # --layout missing: argparse usage error
        self.assertEqual(r.returncode, 2)
        self.assertTrue(re.search(r"--layout", r.stderr))


class RegistryExampleTests(unittest.TestCase):
    """examples/python/registry.py: a tour that can run again over the same directory."""

    def setUp(self):
        examples = os.environ.get("VRS_EXAMPLES_DIR")
        if not examples:
            self.skipTest("VRS_EXAMPLES_DIR not set")
        self.script = os.path.join(examples, "registry.py")
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def run_example(self, *args):
        env = dict(os.environ, PYTHONPATH=os.path.dirname(vrs.__file__), PYTHONDONTWRITEBYTECODE="1")
        return subprocess.run(
            [sys.executable, self.script, *args], capture_output=True, text=True, env=env, timeout=120
        )

    def test_tour_twice(self):
        demo = os.path.join(self.tmp.name, "demo")
        first = self.run_example("--dir", demo, "--now", "2021-07-01T09:00:00")
        self.assertEqual(first.returncode, 0, first.stderr)
        for line in (
            "tenant 131016: created",
            "import: 1 rows, 1 imported, 0 unchanged, 0 rejected",
            "dose: voucher 0000012345, dose 1 on 2021-06-30: recorded at 2021-07-01T09:00:00",
            "refused: Forbidden: forbidden",
            "ledger: 1 row(s)",
            "stats: 131016 dose 1: suppressed (fewer than 10)",
            "audit 131016: ok",
        ):
            self.assertIn(line, first.stdout)
        second = self.run_example("--dir", demo)  # the system clock
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertIn("tenant 131016: exists already", second.stdout)
        self.assertIn("(already imported)", second.stdout)
        self.assertIn("already recorded", second.stdout)
        with open(os.path.join(demo, "ledger.csv"), "rb") as f:
            self.assertNotIn(VALID_MY_NUMBER.encode(), f.read())
        for out in (first, second):
            self.assertNotIn(VALID_MY_NUMBER, out.stdout + out.stderr)
        bad = self.run_example("--dir", demo, "--now", "tomorrow")
        self.assertEqual(bad.returncode, 1)
        self.assertIn("InvalidArgument", bad.stderr)


if __name__ == "__main__":
    unittest.main()
