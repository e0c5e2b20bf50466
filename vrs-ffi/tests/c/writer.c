/* Writing files through the C ABI: checked rows, diagnostics, CP932, the final report. */
#include <stdlib.h>

#include "check.h"

static vrs_status set(vrs_writer *w, const char *column, const char *value) {
    return vrs_writer_set(w, STR(column), STR(value));
}

static void batch_inquiry(void) {
    vrs_writer *w = NULL;
    CHECK_STATUS(vrs_writer_new(LIT("batch-inquiry-request"), NULL, &w), VRS_OK);

    /* A valid row: written, no diagnostics. */
    CHECK_STATUS(set(w, "my_number", "123456789018"), VRS_OK);
    CHECK_STATUS(set(w, "addressee_number", "1001"), VRS_OK);
    vrs_report *diags = NULL;
    CHECK_STATUS(vrs_writer_end_row(w, &diags), VRS_OK);
    size_t count = 99;
    CHECK_STATUS(vrs_report_diagnostic_count(diags, &count), VRS_OK);
    CHECK(count == 0);
    vrs_report_free(diags);

    /* A wrong check digit: not written, the diagnostics say why, the number is redacted. */
    CHECK_STATUS(set(w, "my_number", "123456789019"), VRS_OK);
    CHECK_STATUS(set(w, "addressee_number", "1002"), VRS_OK);
    diags = NULL;
    CHECK_STATUS(vrs_writer_end_row(w, &diags), VRS_INVALID);
    CHECK_STATUS(vrs_report_diagnostic_count(diags, &count), VRS_OK);
    CHECK(count == 1);
    vrs_diagnostic d;
    CHECK_STATUS(vrs_report_diagnostic(diags, 0, &d), VRS_OK);
    CHECK(str_is(d.code, "N01"));
    CHECK(d.severity == VRS_SEVERITY_ERROR);
    CHECK(d.line == 3);
    CHECK(str_is(d.column, "個人番号"));
    CHECK(str_is(d.value, "<redacted>"));
    uint64_t errors = 0;
    CHECK_STATUS(vrs_report_error_count(diags, &errors), VRS_OK);
    CHECK(errors == 1);
    vrs_report_free(diags);

    /* The row was cleared: ending it now gives R01 (required fields empty); ignore diagnostics. */
    CHECK_STATUS(vrs_writer_end_row(w, NULL), VRS_INVALID);

    /* Unknown columns, and NULL values of length 0 (= empty). */
    CHECK_STATUS(set(w, "no_such_column", "1"), VRS_UNKNOWN_COLUMN);
    CHECK_STATUS(set(w, "dose1_vaccinated_on", "20210601"), VRS_UNKNOWN_COLUMN);
    CHECK_STATUS(vrs_writer_set(w, LIT("addressee_number"), NULL, 0), VRS_OK);

    /* A second valid row, with a value that needs quoting. */
    CHECK_STATUS(set(w, "my_number", "110000000000"), VRS_OK);
    CHECK_STATUS(set(w, "addressee_number", "A,1"), VRS_OK);
    CHECK_STATUS(vrs_writer_end_row(w, NULL), VRS_OK);

    /* The report is only there once finished. */
    vrs_report *all = NULL;
    CHECK_STATUS(vrs_writer_report(w, &all), VRS_INVALID_STATE);
    CHECK(all == NULL);

    vrs_bytes *file = NULL;
    CHECK_STATUS(vrs_writer_finish(w, &file), VRS_OK);
    static const char expected[] =
        "個人番号,宛名番号\r\n123456789018,1001\r\n110000000000,\"A,1\"\r\n";
    CHECK(vrs_bytes_len(file) == sizeof expected - 1);
    CHECK(memcmp(vrs_bytes_data(file), expected, sizeof expected) == 0); /* with the NUL */

    CHECK_STATUS(vrs_writer_report(w, &all), VRS_OK);
    CHECK_STATUS(vrs_report_error_count(all, &errors), VRS_OK);
    CHECK(errors >= 2);

    /* The bytes and the report outlive the writer. */
    vrs_writer_free(w);
    CHECK(vrs_bytes_data(file)[0] == (uint8_t)expected[0]);
    vrs_diagnostic first;
    CHECK_STATUS(vrs_report_diagnostic(all, 0, &first), VRS_OK);
    CHECK(str_is(first.code, "N01"));
    vrs_report_free(all);
    vrs_bytes_free(file);
}

static void set_dose_row(vrs_writer *w, const char *venue) {
    CHECK_STATUS(set(w, "municipality_code", "131016"), VRS_OK);
    CHECK_STATUS(set(w, "voucher_number", "0000000001"), VRS_OK);
    CHECK_STATUS(set(w, "dose_number", "1"), VRS_OK);
    CHECK_STATUS(set(w, "vaccinated_on", "20210601"), VRS_OK);
    CHECK_STATUS(set(w, "venue", venue), VRS_OK);
    CHECK_STATUS(set(w, "doctor", "医師"), VRS_OK);
    CHECK_STATUS(set(w, "manufacturer", "ファイザー"), VRS_OK);
    CHECK_STATUS(set(w, "lot", "FA5765"), VRS_OK);
    CHECK_STATUS(set(w, "ocr_line", "111310160000000001"), VRS_OK);
    CHECK_STATUS(set(w, "addressee_number", "1001"), VRS_OK);
    CHECK_STATUS(set(w, "birth_date", "19600101"), VRS_OK);
}

static void cp932_round_trip(void) {
    vrs_write_options wo;
    memset(&wo, 0, sizeof wo);
    wo.encoding = VRS_ENCODING_CP932;
    wo.lang = VRS_LANG_EN;
    wo.as_of_yyyymmdd = 20240401;
    vrs_writer *w = NULL;
    CHECK_STATUS(vrs_writer_new(LIT("dose-upload"), &wo, &w), VRS_OK);

    /* A character CP932 cannot hold: VRS_ENCODING, one F01 naming the column. */
    set_dose_row(w, "会場\xf0\x9f\x8d\xa3"); /* U+1F363 */
    vrs_report *diags = NULL;
    CHECK_STATUS(vrs_writer_end_row(w, &diags), VRS_ENCODING);
    size_t count = 0;
    CHECK_STATUS(vrs_report_diagnostic_count(diags, &count), VRS_OK);
    CHECK(count == 1);
    vrs_diagnostic d;
    CHECK_STATUS(vrs_report_diagnostic(diags, 0, &d), VRS_OK);
    CHECK(str_is(d.code, "F01"));
    CHECK(d.line == 2);
    CHECK(d.field == 5);
    CHECK(str_is(d.column, "接種会場名"));
    CHECK(str_is(d.column_en, "venue name"));
    CHECK(d.value.data == NULL && d.value.len == 0);
    CHECK(contains(d.message_en.data, d.message_en.len, "U+1F363"));
    CHECK(d.message.data == d.message_en.data);
    vrs_report_free(diags);

    /* Another person's row with a venue CP932 can hold (vrs-core's checked writer keeps the
     * rejected row in its cross-row state, so the same person's dose 1 again would be S03). */
    set_dose_row(w, "髙島屋会場");
    CHECK_STATUS(set(w, "voucher_number", "0000000002"), VRS_OK);
    CHECK_STATUS(set(w, "ocr_line", "111310160000000002"), VRS_OK);
    CHECK_STATUS(set(w, "addressee_number", "1002"), VRS_OK);
    CHECK_STATUS(vrs_writer_end_row(w, NULL), VRS_OK);
    vrs_bytes *file = NULL;
    CHECK_STATUS(vrs_writer_finish(w, &file), VRS_OK);
    vrs_writer_free(w);

    /* The bytes are CP932 (not UTF-8) and validate cleanly as CP932, and as auto-detected. */
    CHECK(!contains(vrs_bytes_data(file), vrs_bytes_len(file), "接種"));
    static const vrs_encoding encodings[] = {VRS_ENCODING_CP932, VRS_ENCODING_AUTO};
    for (size_t i = 0; i < 2; i++) {
        vrs_validate_options vo;
        memset(&vo, 0, sizeof vo);
        vo.encoding = encodings[i];
        vo.as_of_yyyymmdd = 20240401;
        vrs_validator *v = NULL;
        vrs_report *r = NULL;
        CHECK_STATUS(vrs_validator_new(LIT("dose-upload"), &vo, &v), VRS_OK);
        CHECK_STATUS(vrs_validator_feed(v, vrs_bytes_data(file), vrs_bytes_len(file)), VRS_OK);
        CHECK_STATUS(vrs_validator_finish(v, &r), VRS_OK);
        uint64_t rows = 0, errors = 99;
        vrs_report_row_count(r, &rows);
        vrs_report_error_count(r, &errors);
        CHECK(rows == 1 && errors == 0);
        vrs_bytes *json = NULL;
        CHECK_STATUS(vrs_report_json(r, &json), VRS_OK);
        CHECK(contains(vrs_bytes_data(json), vrs_bytes_len(json), "\"encoding\": \"cp932\""));
        vrs_bytes_free(json);
        vrs_report_free(r);
        vrs_validator_free(v);
    }
    vrs_bytes_free(file);
}

static void options(void) {
    /* No header, a BOM, one dose block. */
    vrs_write_options wo;
    memset(&wo, 0, sizeof wo);
    wo.no_header = 1;
    wo.bom = 1;
    wo.dose_blocks = 1;
    vrs_writer *w = NULL;
    CHECK_STATUS(vrs_writer_new(LIT("ledger-export"), &wo, &w), VRS_OK);
    CHECK_STATUS(set(w, "addressee_number", "1001"), VRS_OK);
    CHECK_STATUS(set(w, "dose2_vaccinated_on", "20210601"), VRS_UNKNOWN_COLUMN);
    CHECK_STATUS(vrs_writer_end_row(w, NULL), VRS_OK);
    vrs_bytes *file = NULL;
    CHECK_STATUS(vrs_writer_finish(w, &file), VRS_OK);
    static const char expected[] = "\xef\xbb\xbf" "1001,,,,,,,,\r\n";
    CHECK(vrs_bytes_len(file) == sizeof expected - 1);
    CHECK(memcmp(vrs_bytes_data(file), expected, sizeof expected - 1) == 0);
    vrs_bytes_free(file);
    vrs_writer_free(w);

    /* A tenant: rows of another municipality are reported (M03). */
    memset(&wo, 0, sizeof wo);
    wo.tenant = (const uint8_t *)"011002";
    wo.tenant_len = 6;
    CHECK_STATUS(vrs_writer_new(LIT("flags"), &wo, &w), VRS_OK);
    CHECK_STATUS(set(w, "municipality_code", "131016"), VRS_OK);
    CHECK_STATUS(set(w, "addressee_number", "1001"), VRS_OK);
    CHECK_STATUS(set(w, "flag_kind", "2"), VRS_OK);
    CHECK_STATUS(set(w, "flag_date", "20210601"), VRS_OK);
    vrs_report *diags = NULL;
    vrs_status s = vrs_writer_end_row(w, &diags);
    CHECK(s == VRS_OK || s == VRS_INVALID);
    size_t count = 0;
    vrs_report_diagnostic_count(diags, &count);
    int found_m03 = 0;
    for (size_t i = 0; i < count; i++) {
        vrs_diagnostic d;
        CHECK_STATUS(vrs_report_diagnostic(diags, i, &d), VRS_OK);
        found_m03 |= str_is(d.code, "M03");
    }
    CHECK(found_m03);
    vrs_report_free(diags);
    vrs_writer_free(w);
}

int main(void) {
    batch_inquiry();
    cp932_round_trip();
    options();
    return check_done("writer");
}
