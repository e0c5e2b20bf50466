/*
 * The canary My Number 123456789013 (wrong check digit, so it is reported) never appears in any
 * diagnostic or JSON document the library produces, whichever column it is in and in either
 * language. (tests/c_api.rs also checks that no program's output contains it.)
 *
 * The registry sweep: a valid canary My Number and a canary name go through every registry
 * operation and error path over a store directory; no JSON, error message or export holds the
 * number (the name only in answers to staff), and no file of the store holds either in UTF-8,
 * UTF-16 or CP932.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* ---- The registry sweep. */

#define SWEEP_NUMBER "246813579005"
#define SWEEP_NAME "鵺野 鳴子"
#define SWEEP_FAMILY "鵺野"
#define SWEEP_HEADER "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n"

/* The canaries in every encoding they could leak in. */
static const unsigned char NAME_CP932[] = {0xea, 0x4b, 0x96, 0xec, 0x20, 0x96, 0xc2, 0x8e, 0x71};
static const unsigned char FAMILY_CP932[] = {0xea, 0x4b, 0x96, 0xec};
static const unsigned char NAME_UTF16LE[] = {0x7a, 0x9d, 0xce, 0x91, 0x20, 0x00,
                                             0xf4, 0x9c, 0x50, 0x5b};
static const unsigned char FAMILY_UTF16LE[] = {0x7a, 0x9d, 0xce, 0x91};

static int has_bytes(const unsigned char *hay, size_t len, const unsigned char *needle, size_t n) {
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(hay + i, needle, n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The number as UTF-16 (either byte order): each digit followed or preceded by a zero byte. */
static int has_number_utf16(const unsigned char *hay, size_t len) {
    unsigned char le[24], be[24];
    for (size_t i = 0; i < 12; i++) {
        le[2 * i] = (unsigned char)SWEEP_NUMBER[i];
        le[2 * i + 1] = 0;
        be[2 * i] = 0;
        be[2 * i + 1] = (unsigned char)SWEEP_NUMBER[i];
    }
    return has_bytes(hay, len, le, sizeof le) || has_bytes(hay, len, be, sizeof be);
}

/* Nothing of the canary number; nothing of the name unless `name_allowed`. */
static void check_sweep_clean(const char *where, const void *data, size_t len, int name_allowed) {
    const unsigned char *d = (const unsigned char *)data;
    int leak = contains(d, len, SWEEP_NUMBER) || has_number_utf16(d, len);
    if (!name_allowed) {
        leak = leak || contains(d, len, SWEEP_FAMILY) || has_bytes(d, len, NAME_CP932, sizeof NAME_CP932) ||
               has_bytes(d, len, FAMILY_CP932, sizeof FAMILY_CP932) ||
               has_bytes(d, len, NAME_UTF16LE, sizeof NAME_UTF16LE) ||
               has_bytes(d, len, FAMILY_UTF16LE, sizeof FAMILY_UTF16LE);
    }
    if (leak) {
        fprintf(stderr, "a canary leaked in %s\n", where);
    }
    CHECK(!leak);
}

/* Checks and frees the JSON of a call's output and of its error, if any. */
static void sweep_outputs(const char *where, vrs_bytes *json, vrs_error *err) {
    if (json != NULL) {
        check_sweep_clean(where, vrs_bytes_data(json), vrs_bytes_len(json), 0);
        vrs_bytes_free(json);
    }
    if (err != NULL) {
        vrs_error_info info;
        CHECK_STATUS(vrs_error_describe(err, &info), VRS_OK);
        check_sweep_clean(where, info.message_en.data, info.message_en.len, 0);
        check_sweep_clean(where, info.message_ja.data, info.message_ja.len, 0);
        vrs_bytes *doc = NULL;
        CHECK_STATUS(vrs_error_json(err, &doc), VRS_OK);
        check_sweep_clean(where, vrs_bytes_data(doc), vrs_bytes_len(doc), 0);
        vrs_bytes_free(doc);
        vrs_error_free(err);
    }
}

/* Scans every file under `dir` (recursively); returns how many. */
static int scan_files(const char *dir) {
    int files = 0;
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (d == NULL) {
        return 0;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0) {
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            files += scan_files(path);
            continue;
        }
        FILE *f = fopen(path, "rb");
        CHECK(f != NULL);
        if (f == NULL) {
            continue;
        }
        unsigned char *buf = malloc((size_t)st.st_size + 1);
        size_t got = fread(buf, 1, (size_t)st.st_size, f);
        fclose(f);
        check_sweep_clean(path, buf, got, 0);
        free(buf);
        files++;
    }
    closedir(d);
    return files;
}

static void remove_tree(const char *dir) {
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            remove_tree(path);
        } else {
            unlink(path);
        }
    }
    closedir(d);
    rmdir(dir);
}

static vrs_dose_input sweep_dose(uint32_t day, const char *venue, const char *doctor, const char *lot) {
    vrs_dose_input d;
    memset(&d, 0, sizeof d);
    d.vaccinated_on_yyyymmdd = day;
    d.manufacturer = (const uint8_t *)"ファイザー";
    d.manufacturer_len = strlen("ファイザー");
    d.lot = (const uint8_t *)lot;
    d.lot_len = strlen(lot);
    d.venue = (const uint8_t *)venue;
    d.venue_len = strlen(venue);
    d.doctor = (const uint8_t *)doctor;
    d.doctor_len = strlen(doctor);
    return d;
}

static void registry_sweep(void) {
    char tmp[] = "/tmp/vrs-c-canary-XXXXXX";
    CHECK(mkdtemp(tmp) != NULL);
    char keys[4200], store[4200];
    snprintf(keys, sizeof keys, "%s/keys", tmp);
    snprintf(store, sizeof store, "%s/store", tmp);
    CHECK_STATUS(vrs_registry_create_key_dir(STR(keys), NULL), VRS_OK);
    vrs_registry_options o;
    memset(&o, 0, sizeof o);
    o.fixed_time_yyyymmddhhmmss = 20210701090000ULL;
    o.stats_threshold = 1;
    vrs_registry *reg = NULL;
    CHECK_STATUS(vrs_registry_open(STR(store), STR(keys), &o, &reg, NULL), VRS_OK);
    vrs_principal *op = NULL, *staff = NULL, *venue = NULL;
    CHECK_STATUS(vrs_principal_operator_new(&op), VRS_OK);
    CHECK_STATUS(vrs_principal_staff_new(LIT("131016"), LIT("u1"), &staff), VRS_OK);
    CHECK_STATUS(vrs_principal_venue_new(LIT("131016"), &venue), VRS_OK);
    CHECK_STATUS(vrs_registry_create_tenant(reg, op, LIT("131016"), NULL), VRS_OK);
    CHECK_STATUS(vrs_registry_register_staff(reg, op, LIT("131016"), LIT("u1"), NULL), VRS_OK);

    static const char file[] = SWEEP_HEADER
        "131016,1001," SWEEP_NUMBER ",0000012345," SWEEP_NAME ",ヌエノ ナルコ,19800101,2,20210501\r\n";
    vrs_bytes *json = NULL;
    vrs_error *err = NULL;
    CHECK_STATUS(vrs_registry_import_subjects(reg, staff, LIT("131016"), LIT(file),
                                              VRS_IMPORT_STRICT, &json, &err),
                 VRS_OK);
    sweep_outputs("import", json, err);
    /* N03: the canary number for another addressee; N02: as an addressee number. */
    static const char clash[] = SWEEP_HEADER
        "131016,2002," SWEEP_NUMBER ",0000022222,別人 太郎,ベツジン タロウ,19700101,1,\r\n"
        "131016," SWEEP_NUMBER ",110000000000,0000033333,別人 次郎,ベツジン ジロウ,19700101,1,\r\n";
    json = NULL;
    err = NULL;
    CHECK_STATUS(vrs_registry_import_subjects(reg, staff, LIT("131016"), LIT(clash),
                                              VRS_IMPORT_LENIENT, &json, &err),
                 VRS_OK);
    CHECK(json != NULL && contains(vrs_bytes_data(json), vrs_bytes_len(json), "\"N03\""));
    CHECK(json != NULL && contains(vrs_bytes_data(json), vrs_bytes_len(json), "\"N02\""));
    sweep_outputs("clash", json, err);
    /* The same rows in another file, strict: rejected as a whole. */
    static const char clash_again[] = SWEEP_HEADER
        "131016,2003," SWEEP_NUMBER ",0000022223,別人 太郎,ベツジン タロウ,19700101,1,\r\n";
    json = NULL;
    err = NULL;
    CHECK_STATUS(vrs_registry_import_subjects(reg, staff, LIT("131016"), LIT(clash_again),
                                              VRS_IMPORT_STRICT, &json, &err),
                 VRS_IMPORT_REJECTED);
    sweep_outputs("strict clash", json, err);

    /* The canary number typed into every free-text field of a dose: refused (N02). */
    const char *fields[][3] = {{"区民会館", SWEEP_NUMBER, "FA5765"},
                               {"会館" SWEEP_NUMBER, "山田一郎", "FA5765"},
                               {"区民会館", "山田一郎", SWEEP_NUMBER}};
    for (size_t i = 0; i < 3; i++) {
        vrs_dose_input d = sweep_dose(20210601, fields[i][0], fields[i][1], fields[i][2]);
        json = NULL;
        err = NULL;
        CHECK_STATUS(vrs_registry_record_dose_ocr(reg, venue, LIT("111310160000012345"), &d, &json,
                                                  &err),
                     VRS_RULE);
        sweep_outputs("dose field", json, err);
        json = NULL;
        err = NULL;
        CHECK_STATUS(vrs_registry_record_dose(reg, staff, LIT("131016"), LIT("0000012345"), 1, &d,
                                              &json, &err),
                     VRS_RULE);
        sweep_outputs("staff dose field", json, err);
    }
    vrs_dose_input ok = sweep_dose(20210601, "区民会館", "山田一郎", "FA5765");
    json = NULL;
    CHECK_STATUS(vrs_registry_record_dose_ocr(reg, venue, LIT("111310160000012345"), &ok, &json,
                                              NULL),
                 VRS_OK);
    sweep_outputs("dose", json, NULL);
    err = NULL;
    CHECK_STATUS(vrs_registry_subject_doses(reg, venue, LIT("131016"), LIT("1001"), &json, &err),
                 VRS_FORBIDDEN);
    sweep_outputs("refused read", NULL, err);
    err = NULL;
    CHECK_STATUS(vrs_registry_subject_doses(reg, staff, LIT("131016"), LIT(SWEEP_NUMBER), &json,
                                            &err),
                 VRS_NOT_FOUND);
    sweep_outputs("not found", NULL, err);
    json = NULL;
    CHECK_STATUS(vrs_registry_subject_doses(reg, staff, LIT("131016"), LIT("1001"), &json, NULL),
                 VRS_OK);
    /* Staff see the name, never the number. */
    CHECK(json != NULL && contains(vrs_bytes_data(json), vrs_bytes_len(json), SWEEP_NAME));
    check_sweep_clean("staff view", vrs_bytes_data(json), vrs_bytes_len(json), 1);
    vrs_bytes_free(json);
    for (int cp932 = 0; cp932 < 2; cp932++) {
        vrs_export_options eo;
        memset(&eo, 0, sizeof eo);
        eo.encoding = cp932 ? VRS_ENCODING_CP932 : VRS_ENCODING_UTF8;
        vrs_bytes *csv = NULL;
        CHECK_STATUS(vrs_registry_export_ledger(reg, staff, LIT("131016"), &eo, &csv, NULL, NULL),
                     VRS_OK);
        sweep_outputs("ledger", csv, NULL);
        csv = NULL;
        CHECK_STATUS(vrs_registry_export_awaiting(reg, staff, LIT("131016"), &eo, &csv, NULL, NULL),
                     VRS_OK);
        sweep_outputs("awaiting", csv, NULL);
    }
    json = NULL;
    CHECK_STATUS(vrs_registry_audit_log(reg, staff, LIT("131016"), &json, NULL), VRS_OK);
    sweep_outputs("audit log", json, NULL);
    json = NULL;
    CHECK_STATUS(vrs_registry_rotate_tenant_key(reg, op, LIT("131016"), &json, NULL), VRS_OK);
    CHECK(json != NULL && contains(vrs_bytes_data(json), vrs_bytes_len(json), "\"finished\":true"));
    sweep_outputs("rotation", json, NULL);
    vrs_bytes *anchor = NULL;
    CHECK_STATUS(vrs_registry_anchor(reg, &anchor, NULL), VRS_OK);
    sweep_outputs("anchor", anchor, NULL);
    err = NULL;
    CHECK_STATUS(vrs_registry_check_anchor(reg, LIT(SWEEP_NUMBER), NULL, &err),
                 VRS_INVALID_ARGUMENT);
    sweep_outputs("bad anchor", NULL, err);
    bool sound = false;
    json = NULL;
    CHECK_STATUS(vrs_registry_verify_store(reg, op, &sound, &json, NULL), VRS_OK);
    CHECK(sound);
    sweep_outputs("verify store", json, NULL);

    vrs_registry_free(reg);
    vrs_principal_free(op);
    vrs_principal_free(staff);
    vrs_principal_free(venue);
    CHECK(scan_files(store) >= 1);
    remove_tree(tmp);
}

int main(void) {
    validating(VRS_LANG_JA);
    validating(VRS_LANG_EN);
    writing();
    identifiers();
    registry_sweep();
    return check_done("canary");
}
