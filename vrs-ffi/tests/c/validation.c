/* Streaming validation through the C ABI: diagnostics via the accessors, JSON, options. */
#include <stdlib.h>

#include "check.h"

#define HEADER                                                                            \
    "個別宛名番号,1回目接種履歴登録日時,1回目接種日,1回目券番号,1回目接種自治体コード,"  \
    "1回目接種会場名,1回目接種医師名,1回目ワクチンメーカー,1回目ワクチンロット番号\r\n"
#define ROW_OK "1001,20210601120000,20210601,0000012345,131016,区民会館,山田一郎,ファイザー,FA5765\r\n"
#define ROW_M01 "1002,20210601120000,20210601,0000012346,131017,区民会館,山田一郎,ファイザー,FA5765\r\n"

static const char FILE_WITH_ERROR[] = HEADER ROW_OK ROW_M01;

/* Validates `len` bytes of `data` fed in chunks of `chunk` bytes. */
static vrs_report *validate(const vrs_validate_options *opts, const char *data, size_t len,
                            size_t chunk) {
    vrs_validator *v = NULL;
    vrs_report *report = NULL;
    CHECK_STATUS(vrs_validator_new(LIT("ledger-export"), opts, &v), VRS_OK);
    if (v == NULL) {
        return NULL;
    }
    for (size_t off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        CHECK_STATUS(vrs_validator_feed(v, (const uint8_t *)data + off, n), VRS_OK);
    }
    CHECK_STATUS(vrs_validator_finish(v, &report), VRS_OK);
    vrs_validator_free(v);
    return report;
}

static char *json_of(const vrs_report *report, size_t *len) {
    vrs_bytes *json = NULL;
    CHECK_STATUS(vrs_report_json(report, &json), VRS_OK);
    *len = vrs_bytes_len(json);
    char *copy = malloc(*len + 1);
    memcpy(copy, vrs_bytes_data(json), *len + 1);
    CHECK(copy[*len] == '\0');
    vrs_bytes_free(json);
    return copy;
}

static void error_with_line_code_column(void) {
    vrs_validate_options opts;
    memset(&opts, 0, sizeof opts);
    opts.dose_blocks = 1;
    vrs_report *r = validate(&opts, FILE_WITH_ERROR, sizeof FILE_WITH_ERROR - 1, 4096);

    uint64_t rows = 0, errors = 0, warnings = 9, infos = 9;
    size_t count = 0;
    bool truncated = true;
    CHECK_STATUS(vrs_report_row_count(r, &rows), VRS_OK);
    CHECK_STATUS(vrs_report_error_count(r, &errors), VRS_OK);
    CHECK_STATUS(vrs_report_warning_count(r, &warnings), VRS_OK);
    CHECK_STATUS(vrs_report_info_count(r, &infos), VRS_OK);
    CHECK_STATUS(vrs_report_diagnostic_count(r, &count), VRS_OK);
    CHECK_STATUS(vrs_report_truncated(r, &truncated), VRS_OK);
    CHECK(rows == 2 && errors == 1 && warnings == 0 && infos == 0 && count == 1 && !truncated);

    vrs_diagnostic d;
    CHECK_STATUS(vrs_report_diagnostic(r, 0, &d), VRS_OK);
    CHECK(str_is(d.code, "M01"));
    CHECK(d.severity == VRS_SEVERITY_ERROR);
    CHECK(d.line == 3);
    CHECK(d.field == 5);
    CHECK(str_is(d.column, "1回目接種自治体コード"));
    CHECK(str_is(d.column_en, "dose 1 municipality code"));
    CHECK(str_is(d.value, "131017"));
    CHECK(str_is(d.message_en, "dose 1 municipality code: check digit should be 6, found 7"));
    CHECK(d.message.data == d.message_ja.data); /* Japanese by default */
    CHECK(contains(d.message_ja.data, d.message_ja.len, "チェックデジット"));
    CHECK_STATUS(vrs_report_diagnostic(r, 1, &d), VRS_INDEX_OUT_OF_RANGE);
    CHECK_STATUS(vrs_report_diagnostic(r, (size_t)-1, &d), VRS_INDEX_OUT_OF_RANGE);

    size_t len = 0;
    char *json = json_of(r, &len);
    CHECK(contains(json, len, "\"errors\": 1"));
    CHECK(contains(json, len, "\"warnings\": 0"));
    CHECK(contains(json, len, "\"rows\": 2"));
    CHECK(contains(json, len, "\"code\": \"M01\""));
    CHECK(contains(json, len, "\"line\": 3"));
    CHECK(contains(json, len, "\"file\": null"));
    CHECK(contains(json, len, "\"layout\": \"ledger-export\""));
    /* The default language of "message" is Japanese, as on the command line. */
    CHECK(contains(json, len, "\"message\": \"1回目接種自治体コード："));
    CHECK(json[0] == '{' && json[len - 1] == '}');
    free(json);
    vrs_report_free(r);
}

static void chunk_size_does_not_matter(void) {
    vrs_validate_options opts;
    memset(&opts, 0, sizeof opts);
    opts.dose_blocks = 1;
    size_t n = sizeof FILE_WITH_ERROR - 1;
    vrs_report *whole = validate(&opts, FILE_WITH_ERROR, n, n);
    vrs_report *bytewise = validate(&opts, FILE_WITH_ERROR, n, 1);
    vrs_report *sevens = validate(&opts, FILE_WITH_ERROR, n, 7);
    size_t a_len, b_len, c_len;
    char *a = json_of(whole, &a_len);
    char *b = json_of(bytewise, &b_len);
    char *c = json_of(sevens, &c_len);
    CHECK(a_len == b_len && memcmp(a, b, a_len) == 0);
    CHECK(a_len == c_len && memcmp(a, c, a_len) == 0);
    free(a);
    free(b);
    free(c);
    vrs_report_free(whole);
    vrs_report_free(bytewise);
    vrs_report_free(sevens);
}

static void options(void) {
    /* English messages, the file name, and a limit of one diagnostic. */
    static const char two_errors[] = HEADER ROW_M01 ROW_M01;
    vrs_validate_options opts;
    memset(&opts, 0, sizeof opts);
    opts.dose_blocks = 1;
    opts.lang = VRS_LANG_EN;
    opts.max_diagnostics = 1;
    opts.file_name = (const uint8_t *)"upload.csv";
    opts.file_name_len = strlen("upload.csv");
    vrs_report *r = validate(&opts, two_errors, sizeof two_errors - 1, 64);
    uint64_t errors = 0;
    size_t count = 0;
    bool truncated = false;
    vrs_report_error_count(r, &errors);
    vrs_report_diagnostic_count(r, &count);
    vrs_report_truncated(r, &truncated);
    CHECK(errors >= 2 && count == 1 && truncated);
    vrs_diagnostic d;
    CHECK_STATUS(vrs_report_diagnostic(r, 0, &d), VRS_OK);
    CHECK(d.message.data == d.message_en.data);
    size_t len = 0;
    char *json = json_of(r, &len);
    CHECK(contains(json, len, "\"file\": \"upload.csv\""));
    CHECK(contains(json, len, "\"truncated\": true"));
    CHECK(contains(json, len, "\"message\": \"dose 1 municipality code: check digit"));
    free(json);
    vrs_report_free(r);

    /* An as-of date before the vaccination date makes it a future date. */
    memset(&opts, 0, sizeof opts);
    opts.dose_blocks = 1;
    opts.as_of_yyyymmdd = 20210531;
    static const char one_row[] = HEADER ROW_OK;
    r = validate(&opts, one_row, sizeof one_row - 1, 4096);
    vrs_report_error_count(r, &errors);
    CHECK(errors >= 1);
    vrs_report_free(r);
    opts.as_of_yyyymmdd = 20240401;
    r = validate(&opts, one_row, sizeof one_row - 1, 4096);
    vrs_report_error_count(r, &errors);
    CHECK(errors == 0);
    vrs_report_free(r);

    /* No header row. */
    memset(&opts, 0, sizeof opts);
    opts.dose_blocks = 1;
    opts.no_header = 1;
    r = validate(&opts, ROW_OK, strlen(ROW_OK), 4096);
    uint64_t rows = 0;
    vrs_report_error_count(r, &errors);
    vrs_report_row_count(r, &rows);
    CHECK(errors == 0 && rows == 1);
    vrs_report_free(r);

    /* The defaults take the header's dose blocks (1 here), with an F02 info saying so. */
    r = validate(NULL, one_row, sizeof one_row - 1, 4096);
    uint64_t infos = 0;
    vrs_report_error_count(r, &errors);
    vrs_report_info_count(r, &infos);
    CHECK(errors == 0 && infos == 1);
    vrs_diagnostic first;
    CHECK_STATUS(vrs_report_diagnostic(r, 0, &first), VRS_OK);
    CHECK(str_is(first.code, "F02") && first.severity == VRS_SEVERITY_INFO);
    vrs_report_free(r);
    /* Forced to 7, the 1-block header does not match (F02, naming the header's count). */
    opts.no_header = 0;
    opts.dose_blocks = 7;
    r = validate(&opts, one_row, sizeof one_row - 1, 4096);
    vrs_report_error_count(r, &errors);
    CHECK(errors >= 1);
    CHECK_STATUS(vrs_report_diagnostic(r, 0, &first), VRS_OK);
    CHECK(str_is(first.code, "F02") && first.severity == VRS_SEVERITY_ERROR);
    CHECK(contains(first.message_en.data, first.message_en.len, "the header has 1 dose block (9 columns)"));
    vrs_report_free(r);

    /* A layout with a version. */
    vrs_validator *v = NULL;
    CHECK_STATUS(vrs_validator_new(LIT("ledger-export@1"), NULL, &v), VRS_OK);
    vrs_validator_free(v);
}

/* 1,200 rows with an error each: 1,000 diagnostics kept by default, every one on request. */
static void diagnostics_are_bounded(void) {
    size_t rows = 1200;
    size_t row_len = sizeof ROW_M01 - 1;
    size_t len = sizeof HEADER - 1 + rows * row_len;
    char *data = malloc(len);
    memcpy(data, HEADER, sizeof HEADER - 1);
    for (size_t i = 0; i < rows; i++) {
        memcpy(data + sizeof HEADER - 1 + i * row_len, ROW_M01, row_len);
    }
    vrs_validate_options opts;
    memset(&opts, 0, sizeof opts);
    opts.dose_blocks = 1;
    size_t limits[2] = {0, SIZE_MAX};
    size_t kept[2] = {1000, 0};
    for (int i = 0; i < 2; i++) {
        opts.max_diagnostics = limits[i];
        vrs_report *r = validate(&opts, data, len, 65536);
        uint64_t errors = 0;
        size_t count = 0;
        bool truncated = false;
        vrs_report_error_count(r, &errors);
        vrs_report_diagnostic_count(r, &count);
        vrs_report_truncated(r, &truncated);
        /* Every row but the first repeats a voucher (V02) as well. */
        CHECK(errors >= rows);
        CHECK(count == (kept[i] ? kept[i] : (size_t)errors));
        CHECK(truncated == (kept[i] != 0));
        vrs_report_free(r);
    }
    free(data);
}

static void empty_file(void) {
    vrs_validator *v = NULL;
    vrs_report *r = NULL;
    CHECK_STATUS(vrs_validator_new(LIT("flags"), NULL, &v), VRS_OK);
    CHECK_STATUS(vrs_validator_finish(v, &r), VRS_OK);
    uint64_t errors = 0, rows = 9;
    vrs_report_error_count(r, &errors);
    vrs_report_row_count(r, &rows);
    CHECK(errors == 1 && rows == 0); /* F02: no header row */
    vrs_report_free(r);
    vrs_validator_free(v);
}

/* vrs_validate_bytes: the whole file at once gives the streaming validator's report here. */
static void whole_file(void) {
    vrs_validate_options opts;
    memset(&opts, 0, sizeof opts);
    opts.dose_blocks = 1;
    vrs_report *r = NULL;
    CHECK_STATUS(vrs_validate_bytes(LIT("ledger-export"), (const uint8_t *)FILE_WITH_ERROR,
                                    sizeof FILE_WITH_ERROR - 1, &opts, &r),
                 VRS_OK);
    uint64_t rows = 0;
    size_t count = 0;
    CHECK_STATUS(vrs_report_row_count(r, &rows), VRS_OK);
    CHECK_STATUS(vrs_report_diagnostic_count(r, &count), VRS_OK);
    CHECK(rows == 2 && count == 1);
    vrs_diagnostic d;
    CHECK_STATUS(vrs_report_diagnostic(r, 0, &d), VRS_OK);
    CHECK(str_is(d.code, "M01") && d.line == 3 && d.field == 5);
    vrs_report_free(r);

    vrs_report *untouched = (vrs_report *)&opts;
    CHECK_STATUS(vrs_validate_bytes(LIT("nope"), (const uint8_t *)"x", 1, NULL, &untouched),
                 VRS_UNKNOWN_LAYOUT);
    CHECK(untouched == (vrs_report *)&opts);
    CHECK_STATUS(vrs_validate_bytes(LIT("flags"), NULL, 5, NULL, &untouched), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_validate_bytes(LIT("flags"), NULL, 0, NULL, NULL), VRS_NULL_ARGUMENT);
    /* An empty file: no header (F02), a report all the same. */
    CHECK_STATUS(vrs_validate_bytes(LIT("flags"), NULL, 0, NULL, &r), VRS_OK);
    CHECK_STATUS(vrs_report_diagnostic_count(r, &count), VRS_OK);
    CHECK(count == 1);
    vrs_report_free(r);
}

int main(void) {
    whole_file();
    error_with_line_code_column();
    chunk_size_does_not_matter();
    options();
    diagnostics_are_bounded();
    empty_file();
    return check_done("validation");
}
