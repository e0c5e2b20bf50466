// Exercises the generated Kotlin bindings (package jp.vrs) against the freshly built libvrs:
// identifiers, the streaming Validator, the Writer and the Registry, including error paths. Run by
// `cargo test -p vrs-ffi` (tests/kotlin.rs) when kotlinc and the JNA jar are installed.
package jp.vrs.test

import jp.vrs.*

// An invalid My Number (check digit 3, should be 8): it must never appear in any output.
const val CANARY = "123456789013"
const val VALID_MY_NUMBER = "123456789018"
const val INQUIRY_HEADER = "個人番号,宛名番号\r\n"

private var checks = 0

private fun check(condition: Boolean, what: String) {
    checks++
    if (!condition) throw AssertionError(what)
}

private inline fun <reified T : Throwable> assertThrows(what: String, block: () -> Unit): T {
    try {
        block()
    } catch (e: Throwable) {
        if (e is T) {
            checks++
            return e
        }
        throw AssertionError("$what: expected ${T::class.simpleName}, got $e", e)
    }
    throw AssertionError("$what: nothing was thrown")
}

private fun identifiers() {
    check(version().matches(Regex("""\d+\.\d+\.\d+.*""")), "version")
    check(checkId(IdKind.MY_NUMBER, VALID_MY_NUMBER), "valid My Number")
    check(!checkId(IdKind.MY_NUMBER, CANARY), "invalid My Number")
    check(checkId(IdKind.MUNICIPALITY_CODE, "131016"), "valid municipality code")
    check(checkId(IdKind.VOUCHER_NUMBER, "0000012345"), "valid voucher number")
    check(!checkId(IdKind.OCR_LINE, "11131016000001234"), "short OCR line")
    check(idProblem(IdKind.MY_NUMBER, CANARY) == "My Number: check digit should be 8, found 3", "reason")
    check(idProblemJa(IdKind.MY_NUMBER, CANARY)!!.contains("チェックデジット"), "reason in Japanese")
    check(idProblem(IdKind.MUNICIPALITY_CODE, "131016") == null, "no reason when valid")
    check(municipalityCheckDigit("13101") == 6.toUByte(), "municipality check digit")
    check(myNumberCheckDigit("12345678901") == 8.toUByte(), "My Number check digit")
    assertThrows<VrsException.InvalidId>("check digit of 12 digits") { myNumberCheckDigit(CANARY) }
    check(municipalityName("131016") == "東京都千代田区", "municipality name")
    val line = parseOcrLine("111310160000012345")
    check(line == OcrLine(1u, 1u, "131016", "0000012345"), "OCR line fields")
    check(parseOcrLine("11 131016-0000012345", lenient = true) == line, "lenient OCR line")
    check(formatOcrLine(line.copy(dose = 3u)) == "131310160000012345", "format OCR line")
    assertThrows<VrsException.InvalidId>("dose 0") { formatOcrLine(line.copy(dose = 0u)) }
    val ledger = layouts().first()
    check(ledger.id == "ledger-export" && ledger.columns.size == 1 + 7 * 8, "layouts")
    check(layout("ledger-export", 1u).columns[2].id == "dose1_vaccinated_on", "column ids")
    assertThrows<VrsException.Layout>("unknown layout") { layout("nope") }
}

private fun validator() {
    Validator("batch-inquiry-request", ValidateOptions(lang = Lang.EN, fileName = "in.csv")).use { v ->
        val data = "$INQUIRY_HEADER$VALID_MY_NUMBER,1001\r\n$CANARY,1002\r\n".toByteArray()
        for (chunk in data.toList().chunked(7)) v.feed(chunk.toByteArray())
        // Counted as checked (bytes may wait until the encoding is certain).
        check(v.rowCount() <= 2uL && v.errorCount() <= 1uL, "counts while streaming")
        v.finish().use { report ->
            check(report.errorCount() == 1uL && report.rowCount() == 2uL && !report.isOk(), "report counts")
            val d = report.diagnostics().single()
            check(d.code == "N01" && d.severity == Severity.ERROR && d.line == 3uL, "diagnostic $d")
            check(d.column == "個人番号" && d.value == "<redacted>", "diagnostic place and value")
            val json = report.toJson()
            check(json.contains("\"file\": \"in.csv\"") && json.contains("\"errors\": 1"), "JSON")
            check(json.contains(d.messageEn), "JSON in English")
            for (text in listOf(json, report.renderText(Lang.JA), d.toString())) {
                check(!text.contains(CANARY), "no My Number in output")
            }
        }
        val e = assertThrows<VrsException.Finished>("feed after finish") { v.feed(byteArrayOf(1)) }
        check(e.message!!.contains("already finished"), "message of Finished")
        assertThrows<VrsException.Finished>("finish twice") { v.finish() }
    }
    assertThrows<VrsException.Layout>("unknown layout") { Validator("nope") }
    assertThrows<VrsException.InvalidArgument>("bad as_of") {
        Validator("flags", ValidateOptions(asOf = "2021-02-30"))
    }
    validateBytes("flags", "自治体コード,宛名番号,券番号,フラグ種別,異動日,転出先自治体コード\r\n".toByteArray()).use {
        check(it.isOk() && it.rowCount() == 0uL, "validateBytes")
    }
}

private fun writer() {
    Writer("batch-inquiry-request", WriterOptions(encoding = Encoding.CP932)).use { w ->
        w.set("my_number", CANARY)
        w.set("addressee_number", "1001")
        val e = assertThrows<VrsException.InvalidRow>("invalid row") { w.endRow() }
        check(e.message!!.contains("N01") && !e.message!!.contains(CANARY), "InvalidRow message")
        w.set("my_number", VALID_MY_NUMBER)
        w.set("addressee_number", "1001")
        check(w.endRow().isEmpty(), "valid row")
        assertThrows<VrsException.UnknownColumn>("unknown column") { w.set("nope", "1") }
        val text = String(w.finish(), charset("windows-31j"))
        check(text == "$INQUIRY_HEADER$VALID_MY_NUMBER,1001\r\n", "written bytes: $text")
        assertThrows<VrsException.Finished>("finish twice") { w.finish() }
    }
    Writer("batch-inquiry-request", WriterOptions(encoding = Encoding.CP932)).use { w ->
        w.set("my_number", VALID_MY_NUMBER)
        w.set("addressee_number", "𠮷")
        val e = assertThrows<VrsException.Unencodable>("unencodable") { w.endRow() }
        check(e.message!!.contains("U+20BB7"), "Unencodable message")
    }
    assertThrows<VrsException.InvalidArgument>("bad tenant") {
        Writer("flags", WriterOptions(tenant = "131017"))
    }
}

private fun registry() {
    val subjects = "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n" +
        "131016,1001,$VALID_MY_NUMBER,0000012345,千代田 花子,チヨダ ハナコ,19800101,2,20210501\r\n"
    val options = RegistryOptions(fixedTime = "2021-07-01T09:00:00", statsThreshold = 1uL)
    Registry.inMemory(ByteArray(32) { it.toByte() }, options).use { reg ->
        val op = Principal.Operator
        reg.createTenant(op, "131016")
        reg.registerStaff(op, "131016", "u1")
        val staff = Principal.MunicipalStaff("131016", "u1")
        val outcome = reg.importSubjects(staff, "131016", subjects.toByteArray())
        check(outcome.imported == 1uL && outcome.rejected == 0uL, "import $outcome")
        val dose = DoseInput("2021-06-30", "ファイザー", "FA5765", "区民会館", "山田一郎")
        val c = reg.recordDoseOcr(Principal.VenueTablet("131016"), "111310160000012345", dose)
        check(c.dose == 1.toUByte() && c.registeredAt == "2021-07-01T09:00:00", "confirmation $c")
        val e = assertThrows<VrsException.Forbidden>("another municipality") {
            reg.subjectDoses(Principal.MunicipalStaff("131032", "u2"), "131016", "1001")
        }
        check(!e.message!!.contains(VALID_MY_NUMBER), "Forbidden message")
        val rule = assertThrows<VrsException.Rule>("future dose") {
            reg.recordDoseOcr(Principal.VenueTablet("131016"), "121310160000012345", dose.copy(vaccinatedOn = "2021-07-02"))
        }
        check(rule.message!!.startsWith("rule D02: "), "Rule message")
        val ledger = String(reg.exportLedger(staff, "131016"))
        check(ledger.contains("FA5765") && !ledger.contains(VALID_MY_NUMBER), "ledger export")
        check(reg.stats(staff).cells.single().count == 1uL, "stats")
        val who = SubjectRef.Addressee("1001")
        val fixed = reg.correctDose(staff, "131016", who, 1u, DoseCorrection(lot = "FA5766"), "lot typed wrongly")
        check(fixed.changed && fixed.doseNow?.lot == "FA5766", "correction $fixed")
        val voided = reg.voidDose(staff, "131016", who, 1u, "recorded in error")
        check(voided.action == "voided" && voided.doseNow == null, "void $voided")
        val record = reg.subjectDoses(staff, "131016", "1001")
        check(record.doses.isEmpty() && record.history.map { it.action } == listOf("corrected", "voided"), "history")
        assertThrows<VrsException.Forbidden>("venue corrects") {
            reg.voidDose(Principal.VenueTablet("131016"), "131016", who, 1u, "x")
        }
        check(reg.verifyAudit(op, "131016").ok, "audit chain")
    }
}

fun main() {
    identifiers()
    validator()
    writer()
    registry()
    println("ok: $checks checks")
}
