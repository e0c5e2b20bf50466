/*
 * Hostile calls: NULL everywhere, zero lengths, invalid UTF-8, feeding after finish, double
 * finish, handles freed in any order, writer misuse. Every call returns its documented status,
 * outputs stay untouched on failure, and nothing crashes or leaks (valgrind checks the latter).
 */
#include <stdlib.h>

#include "check.h"

/* A pointer value that must survive failed calls unchanged. */
static char sentinel;
#define SENTINEL(type) ((type *)(void *)&sentinel)

static const uint8_t BAD_UTF8[] = {0x31, 0xff, 0xfe, 0x32};

static void statics_and_frees(void) {
    CHECK(vrs_version() != NULL);
    CHECK(vrs_status_message(VRS_PANIC) != NULL);
    CHECK(vrs_bytes_data(NULL) == NULL);
    CHECK(vrs_bytes_len(NULL) == 0);
    vrs_bytes_free(NULL);
    vrs_report_free(NULL);
    vrs_validator_free(NULL);
    vrs_writer_free(NULL);
}

static void identifiers(void) {
    uint8_t digit = 42;
    vrs_ocr_line line;
    memset(&line, 0x55, sizeof line);
    char buf[32] = "untouched";
    size_t len = 77;

    CHECK_STATUS(vrs_id_check(VRS_ID_MY_NUMBER, NULL, 0), VRS_INVALID);
    CHECK_STATUS(vrs_id_check(VRS_ID_MY_NUMBER, NULL, 12), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_id_check(VRS_ID_MY_NUMBER, NULL, SIZE_MAX), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_id_check(VRS_ID_MY_NUMBER, (const uint8_t *)"1", SIZE_MAX),
                 VRS_INVALID_ARGUMENT);
    CHECK_STATUS(vrs_id_check(VRS_ID_MUNICIPALITY_CODE, (const uint8_t *)"131016", 0), VRS_INVALID);
    CHECK_STATUS(vrs_id_check(VRS_ID_MUNICIPALITY_CODE, BAD_UTF8, sizeof BAD_UTF8),
                 VRS_INVALID_UTF8);
    CHECK_STATUS(vrs_id_check(VRS_ID_MUNICIPALITY_CODE, (const uint8_t *)"1310\0" "6", 6),
                 VRS_INVALID);
    CHECK_STATUS(vrs_id_check(12345, BAD_UTF8, sizeof BAD_UTF8), VRS_INVALID_UTF8);

    CHECK_STATUS(vrs_municipality_check_digit(LIT("13101"), NULL), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_municipality_check_digit(NULL, 5, &digit), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_municipality_check_digit(NULL, 0, &digit), VRS_INVALID);
    CHECK_STATUS(vrs_municipality_check_digit(BAD_UTF8, sizeof BAD_UTF8, &digit),
                 VRS_INVALID_UTF8);
    CHECK_STATUS(vrs_my_number_check_digit(LIT("12345678901"), NULL), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_my_number_check_digit(NULL, 11, &digit), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_my_number_check_digit(NULL, 0, &digit), VRS_INVALID);
    CHECK_STATUS(vrs_my_number_check_digit(BAD_UTF8, sizeof BAD_UTF8, &digit), VRS_INVALID_UTF8);
    CHECK(digit == 42);

    CHECK_STATUS(vrs_ocr_line_parse(LIT("111310160000012345"), NULL), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_ocr_line_parse(NULL, 18, &line), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_ocr_line_parse(NULL, 0, &line), VRS_INVALID);
    CHECK_STATUS(vrs_ocr_line_parse(BAD_UTF8, sizeof BAD_UTF8, &line), VRS_INVALID_UTF8);
    CHECK(line.dose == 0x55);

    vrs_ocr_line good = {1, 1, "131016", "0000012345"};
    CHECK_STATUS(vrs_ocr_line_format(NULL, buf, sizeof buf, &len), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_ocr_line_format(&good, NULL, sizeof buf, &len), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_ocr_line_format(&good, NULL, 0, &len), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_ocr_line_format(&good, buf, 0, &len), VRS_INSUFFICIENT_BUFFER);
    CHECK(strcmp(buf, "untouched") == 0 && len == 77);
    /* An all-garbage struct (no NUL anywhere) is invalid, never read out of bounds. */
    vrs_ocr_line garbage;
    memset(&garbage, 0xff, sizeof garbage);
    CHECK_STATUS(vrs_ocr_line_format(&garbage, buf, sizeof buf, &len), VRS_INVALID_UTF8);
    memset(&garbage, '9', sizeof garbage);
    CHECK_STATUS(vrs_ocr_line_format(&garbage, buf, sizeof buf, &len), VRS_INVALID);
    CHECK(strcmp(buf, "untouched") == 0 && len == 77);
}

static vrs_report *finished_report(void) {
    vrs_validator *v = NULL;
    vrs_report *r = NULL;
    CHECK_STATUS(vrs_validator_new(LIT("flags"), NULL, &v), VRS_OK);
    CHECK_STATUS(vrs_validator_finish(v, &r), VRS_OK);
    vrs_validator_free(v);
    return r;
}

static void reports(void) {
    vrs_report *r = finished_report();
    uint64_t n64 = 5;
    size_t n = 5;
    bool b = true;
    vrs_diagnostic d;
    vrs_bytes *json = SENTINEL(vrs_bytes);

    CHECK_STATUS(vrs_report_row_count(NULL, &n64), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_report_row_count(r, NULL), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_report_error_count(NULL, &n64), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_report_error_count(r, NULL), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_report_warning_count(NULL, &n64), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_report_warning_count(r, NULL), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_report_info_count(NULL, &n64), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_report_info_count(r, NULL), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_report_diagnostic_count(NULL, &n), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_report_diagnostic_count(r, NULL), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_report_truncated(NULL, &b), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_report_truncated(r, NULL), VRS_NULL_ARGUMENT);
    CHECK(n64 == 5 && n == 5 && b);
    CHECK_STATUS(vrs_report_diagnostic(NULL, 0, &d), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_report_diagnostic(r, 0, NULL), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_report_diagnostic(r, 1000, &d), VRS_INDEX_OUT_OF_RANGE);
    CHECK_STATUS(vrs_report_json(NULL, &json), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_report_json(r, NULL), VRS_NULL_ARGUMENT);
    CHECK(json == SENTINEL(vrs_bytes));

    /* The report of an empty file: one F02 at line 1, no field. */
    CHECK_STATUS(vrs_report_diagnostic(r, 0, &d), VRS_OK);
    CHECK(str_is(d.code, "F02") && d.line == 1 && d.field == 0);
    CHECK(d.column.data == NULL && d.column.len == 0);
    CHECK(d.column_en.data == NULL && d.value.data == NULL);
    vrs_report_free(r);
}

static void validators(void) {
    vrs_validator *v = SENTINEL(vrs_validator);
    vrs_validate_options opts;

    CHECK_STATUS(vrs_validator_new(LIT("flags"), NULL, NULL), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_validator_new(NULL, 5, NULL, &v), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_validator_new(NULL, 0, NULL, &v), VRS_UNKNOWN_LAYOUT);
    CHECK_STATUS(vrs_validator_new(LIT(""), NULL, &v), VRS_UNKNOWN_LAYOUT);
    CHECK_STATUS(vrs_validator_new(LIT("no-such-layout"), NULL, &v), VRS_UNKNOWN_LAYOUT);
    CHECK_STATUS(vrs_validator_new(LIT("flags@99"), NULL, &v), VRS_UNKNOWN_LAYOUT);
    CHECK_STATUS(vrs_validator_new(BAD_UTF8, sizeof BAD_UTF8, NULL, &v), VRS_INVALID_UTF8);
    /* "flags" followed by a NUL is not "flags". */
    CHECK_STATUS(vrs_validator_new((const uint8_t *)"flags", 6, NULL, &v), VRS_UNKNOWN_LAYOUT);

    memset(&opts, 0, sizeof opts);
    opts.encoding = 3;
    CHECK_STATUS(vrs_validator_new(LIT("flags"), &opts, &v), VRS_INVALID_ARGUMENT);
    opts.encoding = UINT32_MAX;
    CHECK_STATUS(vrs_validator_new(LIT("flags"), &opts, &v), VRS_INVALID_ARGUMENT);
    memset(&opts, 0, sizeof opts);
    opts.lang = 2;
    CHECK_STATUS(vrs_validator_new(LIT("flags"), &opts, &v), VRS_INVALID_ARGUMENT);
    memset(&opts, 0, sizeof opts);
    opts.dose_blocks = 10;
    CHECK_STATUS(vrs_validator_new(LIT("ledger-export"), &opts, &v), VRS_INVALID_ARGUMENT);
    memset(&opts, 0, sizeof opts);
    opts.as_of_yyyymmdd = 20210230;
    CHECK_STATUS(vrs_validator_new(LIT("flags"), &opts, &v), VRS_INVALID_ARGUMENT);
    opts.as_of_yyyymmdd = UINT32_MAX;
    CHECK_STATUS(vrs_validator_new(LIT("flags"), &opts, &v), VRS_INVALID_ARGUMENT);
    memset(&opts, 0, sizeof opts);
    opts.tenant = (const uint8_t *)"131017";
    opts.tenant_len = 6;
    CHECK_STATUS(vrs_validator_new(LIT("flags"), &opts, &v), VRS_INVALID_ARGUMENT);
    opts.tenant = BAD_UTF8;
    opts.tenant_len = sizeof BAD_UTF8;
    CHECK_STATUS(vrs_validator_new(LIT("flags"), &opts, &v), VRS_INVALID_UTF8);
    memset(&opts, 0, sizeof opts);
    opts.file_name = BAD_UTF8;
    opts.file_name_len = sizeof BAD_UTF8;
    CHECK_STATUS(vrs_validator_new(LIT("flags"), &opts, &v), VRS_INVALID_UTF8);
    CHECK(v == SENTINEL(vrs_validator));

    /* NULL with a length is refused, as for every input (found by fuzzing). */
    memset(&opts, 0, sizeof opts);
    opts.file_name_len = 99;
    CHECK_STATUS(vrs_validator_new(LIT("flags"), &opts, &v), VRS_NULL_ARGUMENT);
    opts.file_name_len = 0;
    opts.tenant_len = 99;
    CHECK_STATUS(vrs_validator_new(LIT("flags"), &opts, &v), VRS_NULL_ARGUMENT);
    CHECK(v == SENTINEL(vrs_validator));

    /* A working validator, misused. */
    memset(&opts, 0, sizeof opts);
    CHECK_STATUS(vrs_validator_new(LIT("flags"), &opts, &v), VRS_OK);
    CHECK_STATUS(vrs_validator_feed(NULL, LIT("x")), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_validator_feed(v, NULL, 0), VRS_OK);
    CHECK_STATUS(vrs_validator_feed(v, NULL, 10), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_validator_feed(v, (const uint8_t *)"x", 0), VRS_OK);
    CHECK_STATUS(vrs_validator_feed(v, (const uint8_t *)"x", SIZE_MAX), VRS_INVALID_ARGUMENT);
    /* Invalid bytes in the content are diagnostics, not a status. */
    CHECK_STATUS(vrs_validator_feed(v, BAD_UTF8, sizeof BAD_UTF8), VRS_OK);
    vrs_report *r = SENTINEL(vrs_report);
    CHECK_STATUS(vrs_validator_finish(NULL, &r), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_validator_finish(v, NULL), VRS_NULL_ARGUMENT);
    CHECK(r == SENTINEL(vrs_report));
    CHECK_STATUS(vrs_validator_finish(v, &r), VRS_OK);
    CHECK(r != SENTINEL(vrs_report) && r != NULL);

    /* After finish: feed and finish say VRS_INVALID_STATE, the output stays untouched. */
    vrs_report *again = SENTINEL(vrs_report);
    CHECK_STATUS(vrs_validator_feed(v, LIT("more")), VRS_INVALID_STATE);
    CHECK_STATUS(vrs_validator_feed(v, NULL, 0), VRS_INVALID_STATE);
    CHECK_STATUS(vrs_validator_finish(v, &again), VRS_INVALID_STATE);
    CHECK_STATUS(vrs_validator_finish(v, &again), VRS_INVALID_STATE);
    CHECK(again == SENTINEL(vrs_report));

    /* The validator is freed first; the report lives on. */
    vrs_validator_free(v);
    uint64_t errors = 0;
    CHECK_STATUS(vrs_report_error_count(r, &errors), VRS_OK);
    CHECK(errors >= 1);
    vrs_report_free(r);

    /* The other order, and a validator never finished. */
    CHECK_STATUS(vrs_validator_new(LIT("flags"), NULL, &v), VRS_OK);
    CHECK_STATUS(vrs_validator_feed(v, LIT("自治体コード")), VRS_OK);
    CHECK_STATUS(vrs_validator_finish(v, &r), VRS_OK);
    vrs_report_free(r);
    CHECK_STATUS(vrs_validator_feed(v, LIT("x")), VRS_INVALID_STATE);
    vrs_validator_free(v);
    CHECK_STATUS(vrs_validator_new(LIT("flags"), NULL, &v), VRS_OK);
    CHECK_STATUS(vrs_validator_feed(v, LIT("half a rec")), VRS_OK);
    vrs_validator_free(v);
}

static void writers(void) {
    vrs_writer *w = SENTINEL(vrs_writer);
    vrs_write_options opts;

    CHECK_STATUS(vrs_writer_new(LIT("flags"), NULL, NULL), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_writer_new(NULL, 5, NULL, &w), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_writer_new(NULL, 0, NULL, &w), VRS_UNKNOWN_LAYOUT);
    CHECK_STATUS(vrs_writer_new(LIT("nope"), NULL, &w), VRS_UNKNOWN_LAYOUT);
    CHECK_STATUS(vrs_writer_new(BAD_UTF8, sizeof BAD_UTF8, NULL, &w), VRS_INVALID_UTF8);
    memset(&opts, 0, sizeof opts);
    opts.encoding = 3;
    CHECK_STATUS(vrs_writer_new(LIT("flags"), &opts, &w), VRS_INVALID_ARGUMENT);
    memset(&opts, 0, sizeof opts);
    opts.lang = 7;
    CHECK_STATUS(vrs_writer_new(LIT("flags"), &opts, &w), VRS_INVALID_ARGUMENT);
    memset(&opts, 0, sizeof opts);
    opts.dose_blocks = 200;
    CHECK_STATUS(vrs_writer_new(LIT("ledger-export"), &opts, &w), VRS_INVALID_ARGUMENT);
    memset(&opts, 0, sizeof opts);
    opts.as_of_yyyymmdd = 1;
    CHECK_STATUS(vrs_writer_new(LIT("flags"), &opts, &w), VRS_INVALID_ARGUMENT);
    memset(&opts, 0, sizeof opts);
    opts.tenant = (const uint8_t *)"13101";
    opts.tenant_len = 5;
    CHECK_STATUS(vrs_writer_new(LIT("flags"), &opts, &w), VRS_INVALID_ARGUMENT);
    CHECK(w == SENTINEL(vrs_writer));

    memset(&opts, 0, sizeof opts);
    CHECK_STATUS(vrs_writer_new(LIT("batch-inquiry-request"), &opts, &w), VRS_OK);
    CHECK_STATUS(vrs_writer_set(NULL, LIT("my_number"), LIT("1")), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_writer_set(w, NULL, 9, LIT("1")), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_writer_set(w, NULL, 0, LIT("1")), VRS_UNKNOWN_COLUMN);
    CHECK_STATUS(vrs_writer_set(w, LIT("my_number"), NULL, 3), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_writer_set(w, LIT("my_number"), NULL, 0), VRS_OK);
    CHECK_STATUS(vrs_writer_set(w, BAD_UTF8, sizeof BAD_UTF8, LIT("1")), VRS_INVALID_UTF8);
    CHECK_STATUS(vrs_writer_set(w, LIT("my_number"), BAD_UTF8, sizeof BAD_UTF8), VRS_INVALID_UTF8);
    CHECK_STATUS(vrs_writer_set(w, LIT("MY_NUMBER"), LIT("1")), VRS_UNKNOWN_COLUMN);

    /* An empty row is invalid (required fields), and reported as such. */
    vrs_report *diags = SENTINEL(vrs_report);
    CHECK_STATUS(vrs_writer_end_row(NULL, &diags), VRS_NULL_ARGUMENT);
    CHECK(diags == SENTINEL(vrs_report));
    CHECK_STATUS(vrs_writer_end_row(w, &diags), VRS_INVALID);
    size_t count = 0;
    CHECK_STATUS(vrs_report_diagnostic_count(diags, &count), VRS_OK);
    CHECK(count == 2);
    vrs_report_free(diags);
    CHECK_STATUS(vrs_writer_end_row(w, NULL), VRS_INVALID);

    vrs_report *report = SENTINEL(vrs_report);
    CHECK_STATUS(vrs_writer_report(NULL, &report), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_writer_report(w, NULL), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_writer_report(w, &report), VRS_INVALID_STATE);
    CHECK(report == SENTINEL(vrs_report));

    vrs_bytes *file = SENTINEL(vrs_bytes);
    CHECK_STATUS(vrs_writer_finish(NULL, &file), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_writer_finish(w, NULL), VRS_NULL_ARGUMENT);
    CHECK(file == SENTINEL(vrs_bytes));
    CHECK_STATUS(vrs_writer_finish(w, &file), VRS_OK);
    static const char header_only[] = "個人番号,宛名番号\r\n";
    CHECK(vrs_bytes_len(file) == sizeof header_only - 1);
    CHECK(memcmp(vrs_bytes_data(file), header_only, sizeof header_only - 1) == 0);

    /* After finish: everything but the report says VRS_INVALID_STATE. */
    vrs_bytes *again = SENTINEL(vrs_bytes);
    diags = SENTINEL(vrs_report);
    CHECK_STATUS(vrs_writer_set(w, LIT("my_number"), LIT("123456789018")), VRS_INVALID_STATE);
    CHECK_STATUS(vrs_writer_set(w, LIT("nope"), LIT("1")), VRS_INVALID_STATE);
    CHECK_STATUS(vrs_writer_end_row(w, &diags), VRS_INVALID_STATE);
    CHECK_STATUS(vrs_writer_end_row(w, NULL), VRS_INVALID_STATE);
    CHECK_STATUS(vrs_writer_finish(w, &again), VRS_INVALID_STATE);
    CHECK_STATUS(vrs_writer_finish(w, &again), VRS_INVALID_STATE);
    CHECK(again == SENTINEL(vrs_bytes) && diags == SENTINEL(vrs_report));

    /* The report can be taken twice; each copy is its own handle. */
    vrs_report *r1 = NULL, *r2 = NULL;
    CHECK_STATUS(vrs_writer_report(w, &r1), VRS_OK);
    CHECK_STATUS(vrs_writer_report(w, &r2), VRS_OK);
    CHECK(r1 != NULL && r2 != NULL && r1 != r2);
    uint64_t errors = 0, rows = 0;
    CHECK_STATUS(vrs_report_error_count(r1, &errors), VRS_OK);
    CHECK_STATUS(vrs_report_row_count(r1, &rows), VRS_OK);
    CHECK(errors == 4 && rows == 2);
    vrs_report_free(r1);
    vrs_writer_free(w);
    CHECK_STATUS(vrs_report_error_count(r2, &errors), VRS_OK);
    CHECK(errors == 4);
    vrs_report_free(r2);
    vrs_bytes_free(file);

    /* A writer freed unfinished, with a row half set. */
    CHECK_STATUS(vrs_writer_new(LIT("flags"), NULL, &w), VRS_OK);
    CHECK_STATUS(vrs_writer_set(w, LIT("flag_kind"), LIT("1")), VRS_OK);
    vrs_writer_free(w);
}

int main(void) {
    statics_and_frees();
    identifiers();
    reports();
    validators();
    writers();
    return check_done("hostile");
}
