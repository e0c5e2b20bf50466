/*
 * The canary My Number 123456789013 (wrong check digit, so it is reported) never appears in any
 * diagnostic or JSON document the library produces, whichever column it is in and in either
 * language. (tests/c_api.rs also checks that no program's output contains it.)
 */
#include <stdlib.h>

#include "check.h"

#define CANARY "123456789013"
/* The canary's digits without separators, and the form with hyphens. */
#define CANARY_SPLIT "1234-5678-9013"

/* Fails when any string of any diagnostic of `r`, or its JSON, holds the canary. */
static void check_clean(const vrs_report *r, size_t expect_at_least) {
    size_t count = 0;
    CHECK_STATUS(vrs_report_diagnostic_count(r, &count), VRS_OK);
    CHECK(count >= expect_at_least);
    for (size_t i = 0; i < count; i++) {
        vrs_diagnostic d;
        CHECK_STATUS(vrs_report_diagnostic(r, i, &d), VRS_OK);
        const vrs_str fields[] = {d.code,    d.column,  d.column_en,  d.value,
                                  d.message, d.message_ja, d.message_en};
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
            CHECK(!contains(fields[f].data, fields[f].len, "123456789013"));
            CHECK(!contains(fields[f].data, fields[f].len, "9013"));
        }
    }
    vrs_bytes *json = NULL;
    CHECK_STATUS(vrs_report_json(r, &json), VRS_OK);
    CHECK(!contains(vrs_bytes_data(json), vrs_bytes_len(json), "123456789013"));
    CHECK(!contains(vrs_bytes_data(json), vrs_bytes_len(json), "9013"));
    CHECK(contains(vrs_bytes_data(json), vrs_bytes_len(json), "\"errors\""));
    vrs_bytes_free(json);
}

static void validating(vrs_lang lang) {
    static const char file[] =
        "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n"
        /* in the My Number column: N01 */
        "131016,1001," CANARY ",0000000001,髙橋一郎,タカハシイチロウ,19600101,1,20210401\r\n"
        /* in the addressee column, and hyphenated in the name column */
        "131016," CANARY ",123456789018,0000000002,山田" CANARY_SPLIT ",ヤマダ,19600101,1,20210401\r\n"
        /* in the voucher column (too long: V01) */
        "131016,1003,110000000000," CANARY ",佐藤花子,サトウハナコ,19600101,2,20210401\r\n";
    vrs_validate_options opts;
    memset(&opts, 0, sizeof opts);
    opts.lang = lang;
    vrs_validator *v = NULL;
    vrs_report *r = NULL;
    CHECK_STATUS(vrs_validator_new(LIT("subject-registration"), &opts, &v), VRS_OK);
    CHECK_STATUS(vrs_validator_feed(v, (const uint8_t *)file, sizeof file - 1), VRS_OK);
    CHECK_STATUS(vrs_validator_finish(v, &r), VRS_OK);
    uint64_t errors = 0;
    vrs_report_error_count(r, &errors);
    CHECK(errors >= 2);
    check_clean(r, 2);

    /* The My Number error is there, with its value redacted. */
    size_t count = 0;
    int n01 = 0;
    vrs_report_diagnostic_count(r, &count);
    for (size_t i = 0; i < count; i++) {
        vrs_diagnostic d;
        vrs_report_diagnostic(r, i, &d);
        if (str_is(d.code, "N01")) {
            n01++;
            CHECK(d.line == 2);
            CHECK(str_is(d.column, "個人番号"));
            CHECK(str_is(d.value, "<redacted>"));
        }
    }
    CHECK(n01 == 1);
    vrs_report_free(r);
    vrs_validator_free(v);
}

static void writing(void) {
    vrs_writer *w = NULL;
    CHECK_STATUS(vrs_writer_new(LIT("batch-inquiry-request"), NULL, &w), VRS_OK);
    CHECK_STATUS(vrs_writer_set(w, LIT("my_number"), LIT(CANARY)), VRS_OK);
    CHECK_STATUS(vrs_writer_set(w, LIT("addressee_number"), LIT("1001")), VRS_OK);
    vrs_report *diags = NULL;
    CHECK_STATUS(vrs_writer_end_row(w, &diags), VRS_INVALID);
    check_clean(diags, 1);
    vrs_report_free(diags);

    CHECK_STATUS(vrs_writer_set(w, LIT("my_number"), LIT("123456789018")), VRS_OK);
    CHECK_STATUS(vrs_writer_set(w, LIT("addressee_number"), LIT(CANARY)), VRS_OK);
    diags = NULL;
    vrs_status s = vrs_writer_end_row(w, &diags);
    CHECK(s == VRS_OK || s == VRS_INVALID);
    check_clean(diags, 0);
    vrs_report_free(diags);

    vrs_bytes *bytes = NULL;
    CHECK_STATUS(vrs_writer_finish(w, &bytes), VRS_OK);
    /* The rejected row was not written. */
    CHECK(!contains(vrs_bytes_data(bytes), vrs_bytes_len(bytes), "123456789013,1001"));
    vrs_bytes_free(bytes);
    vrs_report *all = NULL;
    CHECK_STATUS(vrs_writer_report(w, &all), VRS_OK);
    check_clean(all, 1);
    vrs_report_free(all);
    vrs_writer_free(w);
}

static void identifiers(void) {
    CHECK_STATUS(vrs_id_check(VRS_ID_MY_NUMBER, LIT(CANARY)), VRS_INVALID);
    uint8_t digit = 0;
    CHECK_STATUS(vrs_my_number_check_digit((const uint8_t *)CANARY, 11, &digit), VRS_OK);
    CHECK(digit == 8);
}

int main(void) {
    validating(VRS_LANG_JA);
    validating(VRS_LANG_EN);
    writing();
    identifiers();
    return check_done("canary");
}
