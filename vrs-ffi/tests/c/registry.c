/*
 * The registry through the C ABI: an in-memory registry pinned at 2021-07-01T09:00:00, a tenant,
 * a staff user, a subject import, a dose recorded by OCR line at a venue, refusals, a rule error,
 * a rejected import, the ledger export (which never holds a My Number), statistics and the audit
 * chain. Every handle is freed (valgrind checks it when installed).
 */
#include <stdlib.h>

#include "check.h"

#define MY_NUMBER "123456789018"
#define CANARY "123456789013"
#define CHIYODA "131016"
#define MINATO "131032"

static const char SUBJECTS[] =
    "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n"
    "131016,1001," MY_NUMBER ",0000012345,千代田 花子,チヨダ ハナコ,19800101,2,20210501\r\n";

static const char BAD_SUBJECTS[] =
    "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n"
    "131016,1002," CANARY ",0000012346,千代田 太郎,チヨダ タロウ,19800101,1,20210501\r\n";

static const char OCR[] = "111310160000012345";

/* An address no output is ever set to: outputs must stay untouched on failure. */
static char sentinel;

/* The bytes of `b` hold `needle`. */
static int bytes_have(const vrs_bytes *b, const char *needle) {
    return contains(vrs_bytes_data(b), vrs_bytes_len(b), needle);
}

/* The dose of the scenario: 2021-06-30, ファイザー FA5765 at 区民会館 by 山田一郎. */
static vrs_dose_input the_dose(uint32_t yyyymmdd) {
    vrs_dose_input d;
    memset(&d, 0, sizeof d);
    d.vaccinated_on_yyyymmdd = yyyymmdd;
    d.manufacturer = (const uint8_t *)"ファイザー";
    d.manufacturer_len = strlen("ファイザー");
    d.lot = (const uint8_t *)"FA5765";
    d.lot_len = 6;
    d.venue = (const uint8_t *)"区民会館";
    d.venue_len = strlen("区民会館");
    d.doctor = (const uint8_t *)"山田一郎";
    d.doctor_len = strlen("山田一郎");
    return d;
}

/* Checks that `err` is there with `status` and `code`, holds no My Number, and frees it. */
static void expect_error(vrs_error *err, vrs_status status, const char *code) {
    CHECK(err != NULL);
    if (err == NULL) {
        return;
    }
    vrs_error_info info;
    CHECK_STATUS(vrs_error_describe(err, &info), VRS_OK);
    CHECK(info.status == status);
    CHECK(str_is(info.code, code));
    CHECK(info.message_en.len > 0 && info.message_ja.len > 0);
    CHECK(!contains(info.message_en.data, info.message_en.len, MY_NUMBER));
    CHECK(!contains(info.message_ja.data, info.message_ja.len, MY_NUMBER));
    vrs_bytes *json = NULL;
    CHECK_STATUS(vrs_error_json(err, &json), VRS_OK);
    CHECK(bytes_have(json, "\"code\":\""));
    CHECK(!bytes_have(json, MY_NUMBER) && !bytes_have(json, CANARY));
    vrs_bytes_free(json);
    vrs_error_free(err);
}

static void statuses(void) {
    CHECK(VRS_FORBIDDEN == 13 && VRS_UNKNOWN_TENANT == 14 && VRS_TENANT_EXISTS == 15);
    CHECK(VRS_NOT_FOUND == 16 && VRS_CONFLICT == 17 && VRS_RULE == 18);
    CHECK(VRS_QUOTA_EXCEEDED == 19 && VRS_IMPORT_REJECTED == 20 && VRS_WRONG_KEY == 21);
    CHECK(VRS_CRYPTO == 22 && VRS_STORE == 23 && VRS_CORRUPT == 24 && VRS_EXPORT == 25);
    CHECK(VRS_REGISTRY == 26 && VRS_TAMPERED == 27);
    for (vrs_status s = VRS_FORBIDDEN; s <= VRS_TAMPERED; s++) {
        CHECK(strcmp(vrs_status_message(s), "unknown status") != 0);
    }
    CHECK(strcmp(vrs_status_message(VRS_TAMPERED + 1), "unknown status") == 0);
}

static void principals(void) {
    vrs_principal *p = NULL;
    CHECK_STATUS(vrs_principal_staff_new(LIT("131017"), LIT("u1"), &p), VRS_INVALID_ARGUMENT);
    CHECK_STATUS(vrs_principal_staff_new(LIT(CHIYODA), NULL, 0, &p), VRS_INVALID_ARGUMENT);
    CHECK_STATUS(vrs_principal_venue_new(LIT(CHIYODA), NULL), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_principal_prefecture_new(48, &p), VRS_INVALID_ARGUMENT);
    CHECK(p == NULL);
    CHECK_STATUS(vrs_principal_prefecture_new(13, &p), VRS_OK);
    vrs_principal_free(p);
    vrs_principal_free(NULL);
}

static void opening(void) {
    vrs_registry *reg = NULL;
    vrs_error *err = NULL;
    const uint8_t short_key[16] = {0};
    CHECK_STATUS(vrs_registry_open_memory(short_key, sizeof short_key, NULL, &reg, &err),
                 VRS_INVALID_ARGUMENT);
    CHECK(reg == NULL);
    expect_error(err, VRS_INVALID_ARGUMENT, "invalid_input");
    vrs_registry_options opts;
    memset(&opts, 0, sizeof opts);
    opts.fixed_time_yyyymmddhhmmss = 20211301090000u; /* month 13 */
    const uint8_t key[32] = {1};
    err = NULL;
    CHECK_STATUS(vrs_registry_open_memory(key, sizeof key, &opts, &reg, &err),
                 VRS_INVALID_ARGUMENT);
    expect_error(err, VRS_INVALID_ARGUMENT, "invalid_input");
    CHECK_STATUS(vrs_registry_open_memory(key, sizeof key, NULL, NULL, NULL), VRS_NULL_ARGUMENT);
    CHECK(reg == NULL);
    /* A key directory without master.key cannot open a registry. */
    err = NULL;
    CHECK_STATUS(vrs_registry_open(LIT("/nonexistent/vrs-store"), LIT("/nonexistent/vrs-keys"),
                                   NULL, &reg, &err),
                 VRS_STORE);
    expect_error(err, VRS_STORE, "store");
    CHECK(reg == NULL);
    vrs_registry_free(NULL);
}

static void scenario(void) {
    vrs_registry_options opts;
    memset(&opts, 0, sizeof opts);
    opts.fixed_time_yyyymmddhhmmss = 20210701090000u;
    opts.stats_threshold = 1;
    const uint8_t key[32] = {42, 42, 42};
    vrs_registry *reg = NULL;
    vrs_error *err = NULL;
    CHECK_STATUS(vrs_registry_open_memory(key, sizeof key, &opts, &reg, &err), VRS_OK);
    CHECK(reg != NULL && err == NULL);
    if (reg == NULL) {
        return;
    }

    vrs_principal *operator_ = NULL, *staff = NULL, *venue = NULL, *other = NULL,
                  *national = NULL;
    CHECK_STATUS(vrs_principal_operator_new(&operator_), VRS_OK);
    CHECK_STATUS(vrs_principal_staff_new(LIT(CHIYODA), LIT("u1"), &staff), VRS_OK);
    CHECK_STATUS(vrs_principal_venue_new(LIT(CHIYODA), &venue), VRS_OK);
    CHECK_STATUS(vrs_principal_staff_new(LIT(MINATO), LIT("u2"), &other), VRS_OK);
    CHECK_STATUS(vrs_principal_national_new(&national), VRS_OK);

    /* The operator sets up two tenants and a staff user in each. */
    CHECK_STATUS(vrs_registry_create_tenant(reg, operator_, LIT(CHIYODA), &err), VRS_OK);
    CHECK_STATUS(vrs_registry_create_tenant(reg, operator_, LIT(MINATO), NULL), VRS_OK);
    CHECK(err == NULL);
    CHECK_STATUS(vrs_registry_create_tenant(reg, operator_, LIT(CHIYODA), &err),
                 VRS_TENANT_EXISTS);
    expect_error(err, VRS_TENANT_EXISTS, "tenant_exists");
    err = NULL;
    CHECK_STATUS(vrs_registry_create_tenant(reg, staff, LIT("011002"), &err), VRS_FORBIDDEN);
    expect_error(err, VRS_FORBIDDEN, "forbidden");
    CHECK_STATUS(vrs_registry_register_staff(reg, operator_, LIT(CHIYODA), LIT("u1"), NULL),
                 VRS_OK);
    CHECK_STATUS(vrs_registry_register_staff(reg, operator_, LIT(MINATO), LIT("u2"), NULL),
                 VRS_OK);
    vrs_bytes *json = NULL;
    CHECK_STATUS(vrs_registry_tenants(reg, operator_, &json, NULL), VRS_OK);
    CHECK(strcmp((const char *)vrs_bytes_data(json), "[\"131016\",\"131032\"]") == 0);
    vrs_bytes_free(json);

    /* Staff import the subject file. */
    json = NULL;
    CHECK_STATUS(vrs_registry_import_subjects(reg, staff, LIT(CHIYODA), LIT(SUBJECTS),
                                              VRS_IMPORT_STRICT, &json, &err),
                 VRS_OK);
    CHECK(json != NULL && bytes_have(json, "\"imported\":1"));
    CHECK(json != NULL && bytes_have(json, "\"rejected\":0"));
    CHECK(json != NULL && !bytes_have(json, MY_NUMBER));
    vrs_bytes_free(json);

    /* The venue scans the voucher's OCR line. */
    vrs_dose_input dose = the_dose(20210630);
    json = NULL;
    CHECK_STATUS(vrs_registry_record_dose_ocr(reg, venue, LIT(OCR), &dose, &json, &err), VRS_OK);
    CHECK(json != NULL && bytes_have(json, "\"voucher_number\":\"0000012345\""));
    CHECK(json != NULL && bytes_have(json, "\"dose\":1"));
    CHECK(json != NULL && bytes_have(json, "\"registered_at\":\"2021-07-01T09:00:00\""));
    CHECK(json != NULL && bytes_have(json, "\"already_recorded\":false"));
    vrs_bytes_free(json);
    /* Scanning it again changes nothing. */
    json = NULL;
    CHECK_STATUS(vrs_registry_record_dose_ocr(reg, venue, LIT(OCR), &dose, &json, NULL), VRS_OK);
    CHECK(json != NULL && bytes_have(json, "\"already_recorded\":true"));
    vrs_bytes_free(json);

    /* Another municipality's staff are refused, and the output is left alone. */
    vrs_bytes *untouched = (vrs_bytes *)&sentinel;
    json = untouched;
    err = NULL;
    CHECK_STATUS(vrs_registry_subject_doses(reg, other, LIT(CHIYODA), LIT("1001"), &json, &err),
                 VRS_FORBIDDEN);
    CHECK(json == untouched);
    expect_error(err, VRS_FORBIDDEN, "forbidden");
    err = NULL;
    CHECK_STATUS(vrs_registry_record_dose_ocr(reg, other, LIT(OCR), &dose, &json, &err),
                 VRS_FORBIDDEN);
    expect_error(err, VRS_FORBIDDEN, "forbidden");
    err = NULL;
    CHECK_STATUS(vrs_registry_export_ledger(reg, other, LIT(CHIYODA), NULL, &json, NULL, &err),
                 VRS_FORBIDDEN);
    expect_error(err, VRS_FORBIDDEN, "forbidden");
    CHECK(json == untouched);
    /* A venue tablet sees no personal data. */
    err = NULL;
    CHECK_STATUS(vrs_registry_subject_doses(reg, venue, LIT(CHIYODA), LIT("1001"), &json, &err),
                 VRS_FORBIDDEN);
    expect_error(err, VRS_FORBIDDEN, "forbidden");

    /* A dose dated after the registry's today breaks rule D02. */
    vrs_dose_input future = the_dose(20210702);
    err = NULL;
    CHECK_STATUS(vrs_registry_record_dose_ocr(reg, venue, LIT("121310160000012345"), &future,
                                              &json, &err),
                 VRS_RULE);
    CHECK(json == untouched);
    if (err != NULL) {
        vrs_error_info info;
        CHECK_STATUS(vrs_error_describe(err, &info), VRS_OK);
        CHECK(str_is(info.rule, "D02"));
    }
    expect_error(err, VRS_RULE, "rule");
    /* Bad arguments name the argument. */
    err = NULL;
    CHECK_STATUS(vrs_registry_record_dose_ocr(reg, venue, LIT("11131016000001234"), &dose, &json,
                                              &err),
                 VRS_INVALID_ARGUMENT);
    if (err != NULL) {
        vrs_error_info info;
        CHECK_STATUS(vrs_error_describe(err, &info), VRS_OK);
        CHECK(strncmp(info.message_en.data, "ocr_line: ", 10) == 0);
    }
    expect_error(err, VRS_INVALID_ARGUMENT, "invalid_input");
    err = NULL;
    CHECK_STATUS(vrs_registry_record_dose_ocr(reg, venue, LIT(OCR), NULL, &json, &err),
                 VRS_NULL_ARGUMENT);
    expect_error(err, VRS_NULL_ARGUMENT, "null_argument");
    CHECK_STATUS(vrs_registry_record_dose_ocr(NULL, venue, LIT(OCR), &dose, &json, NULL),
                 VRS_NULL_ARGUMENT);
    CHECK(json == untouched);

    /* A strict import with an invalid My Number imports nothing; the error lists the row. */
    err = NULL;
    CHECK_STATUS(vrs_registry_import_subjects(reg, staff, LIT(CHIYODA), LIT(BAD_SUBJECTS),
                                              VRS_IMPORT_STRICT, &json, &err),
                 VRS_IMPORT_REJECTED);
    if (err != NULL) {
        vrs_bytes *doc = NULL;
        CHECK_STATUS(vrs_error_json(err, &doc), VRS_OK);
        CHECK(bytes_have(doc, "\"status\":20"));
        CHECK(bytes_have(doc, "\"rejected_rows\":[{\"line\":2,\"code\":\"N01\""));
        CHECK(!bytes_have(doc, CANARY));
        vrs_bytes_free(doc);
    }
    expect_error(err, VRS_IMPORT_REJECTED, "import_rejected");
    CHECK_STATUS(vrs_registry_import_subjects(reg, staff, LIT(CHIYODA), LIT(SUBJECTS), 7, &json,
                                              NULL),
                 VRS_INVALID_ARGUMENT);

    /* The subject's record as staff see it: no My Number. */
    json = NULL;
    CHECK_STATUS(vrs_registry_subject_doses(reg, staff, LIT(CHIYODA), LIT("1001"), &json, NULL),
                 VRS_OK);
    CHECK(json != NULL && bytes_have(json, "\"name\":\"千代田 花子\""));
    CHECK(json != NULL && bytes_have(json, "\"has_my_number\":true"));
    CHECK(json != NULL && bytes_have(json, "\"lot\":\"FA5765\""));
    CHECK(json != NULL && !bytes_have(json, MY_NUMBER));
    vrs_bytes_free(json);

    /* The ledger export, in UTF-8 and in CP932: never a My Number. */
    vrs_bytes *csv = NULL;
    uint64_t rows = 0;
    CHECK_STATUS(vrs_registry_export_ledger(reg, staff, LIT(CHIYODA), NULL, &csv, &rows, NULL),
                 VRS_OK);
    CHECK(rows == 1);
    CHECK(csv != NULL && bytes_have(csv, "個別宛名番号,1回目接種履歴登録日時,1回目接種日"));
    CHECK(csv != NULL &&
          bytes_have(csv, "\r\n1001,20210701090000,20210630,0000012345,131016,区民会館,山田一郎,"));
    CHECK(csv != NULL && bytes_have(csv, "FA5765"));
    CHECK(csv != NULL && !bytes_have(csv, MY_NUMBER));
    vrs_bytes_free(csv);
    vrs_export_options eo;
    memset(&eo, 0, sizeof eo);
    eo.encoding = VRS_ENCODING_CP932;
    eo.no_header = 1;
    csv = NULL;
    CHECK_STATUS(vrs_registry_export_ledger(reg, staff, LIT(CHIYODA), &eo, &csv, NULL, NULL),
                 VRS_OK);
    CHECK(csv != NULL && bytes_have(csv, "1001,20210701090000,20210630,0000012345,131016,"));
    CHECK(csv != NULL && bytes_have(csv, "\x8b\xe6\x96\xaf\x89\xef\x8a\xd9")); /* 区民会館 */
    CHECK(csv != NULL && !bytes_have(csv, MY_NUMBER));
    vrs_bytes_free(csv);
    eo.encoding = 9;
    CHECK_STATUS(vrs_registry_export_ledger(reg, staff, LIT(CHIYODA), &eo, &csv, NULL, NULL),
                 VRS_INVALID_ARGUMENT);
    csv = NULL;
    CHECK_STATUS(vrs_registry_export_awaiting(reg, staff, LIT(CHIYODA), NULL, &csv, &rows, NULL),
                 VRS_OK);
    CHECK(rows == 0);
    vrs_bytes_free(csv);

    /* Statistics: staff see their municipality, the state everyone. */
    const vrs_dimension by[] = {VRS_DIMENSION_MUNICIPALITY, VRS_DIMENSION_DOSE};
    json = NULL;
    CHECK_STATUS(vrs_registry_stats(reg, staff, by, 2, &json, NULL), VRS_OK);
    CHECK(json != NULL && bytes_have(json, "\"group_by\":[\"municipality\",\"dose\"]"));
    CHECK(json != NULL && bytes_have(json, "{\"municipality\":\"131016\",\"dose\":1,"));
    CHECK(json != NULL && bytes_have(json, "\"count\":1}"));
    vrs_bytes_free(json);
    json = NULL;
    CHECK_STATUS(vrs_registry_stats(reg, national, NULL, 0, &json, NULL), VRS_OK);
    CHECK(json != NULL && bytes_have(json, "\"group_by\":[]"));
    vrs_bytes_free(json);
    const vrs_dimension bad_dim[] = {99};
    CHECK_STATUS(vrs_registry_stats(reg, national, bad_dim, 1, &json, NULL),
                 VRS_INVALID_ARGUMENT);
    err = NULL;
    CHECK_STATUS(vrs_registry_stats(reg, venue, by, 2, &json, &err), VRS_FORBIDDEN);
    expect_error(err, VRS_FORBIDDEN, "forbidden");

    /* The audit chain records everything, refusals too, and verifies. */
    bool ok = false;
    json = NULL;
    CHECK_STATUS(vrs_registry_verify_audit(reg, operator_, LIT(CHIYODA), &ok, &json, NULL),
                 VRS_OK);
    CHECK(ok);
    CHECK(json != NULL && bytes_have(json, "\"chain\":\"131016\""));
    vrs_bytes_free(json);
    ok = false;
    CHECK_STATUS(vrs_registry_verify_audit(reg, staff, LIT(CHIYODA), &ok, NULL, NULL), VRS_OK);
    CHECK(ok);
    CHECK_STATUS(vrs_registry_verify_audit(reg, other, LIT(CHIYODA), &ok, NULL, NULL),
                 VRS_FORBIDDEN);
    json = NULL;
    CHECK_STATUS(vrs_registry_audit_log(reg, staff, LIT(CHIYODA), &json, NULL), VRS_OK);
    CHECK(json != NULL && bytes_have(json, "\"op\":\"record-dose\""));
    CHECK(json != NULL && bytes_have(json, "\"outcome\":\"refused\",\"code\":\"forbidden\""));
    CHECK(json != NULL && !bytes_have(json, MY_NUMBER) && !bytes_have(json, "u1"));
    vrs_bytes_free(json);
    ok = false;
    json = NULL;
    CHECK_STATUS(vrs_registry_verify_store(reg, operator_, &ok, &json, NULL), VRS_OK);
    CHECK(ok);
    CHECK(json != NULL && bytes_have(json, "\"chain\":\"registry\""));
    CHECK(json != NULL && bytes_have(json, "\"findings\":[],\"records_checked\":"));
    vrs_bytes_free(json);
    CHECK_STATUS(vrs_registry_verify_store(reg, staff, &ok, NULL, NULL), VRS_FORBIDDEN);

    /* Staff user IDs: quota, removal. */
    CHECK_STATUS(vrs_registry_set_staff_quota(reg, operator_, LIT(MINATO), 1, NULL), VRS_OK);
    err = NULL;
    CHECK_STATUS(vrs_registry_register_staff(reg, operator_, LIT(MINATO), LIT("u3"), &err),
                 VRS_QUOTA_EXCEEDED);
    expect_error(err, VRS_QUOTA_EXCEEDED, "quota_exceeded");
    bool removed = false;
    CHECK_STATUS(vrs_registry_unregister_staff(reg, operator_, LIT(MINATO), LIT("u2"), &removed,
                                               NULL),
                 VRS_OK);
    CHECK(removed);
    err = NULL;
    CHECK_STATUS(vrs_registry_create_tenant(reg, operator_, LIT("131017"), &err),
                 VRS_INVALID_ARGUMENT);
    expect_error(err, VRS_INVALID_ARGUMENT, "invalid_input");

    vrs_principal_free(operator_);
    vrs_principal_free(staff);
    vrs_principal_free(venue);
    vrs_principal_free(other);
    vrs_principal_free(national);
    vrs_registry_free(reg);
}

/* Vouchers, flags, staff entry, pinned time and the awaiting list. */
static void vouchers_and_flags(void) {
    vrs_registry_options opts;
    memset(&opts, 0, sizeof opts);
    opts.fixed_time_yyyymmddhhmmss = 20210701090000u;
    const uint8_t key[32] = {9};
    vrs_registry *reg = NULL;
    CHECK_STATUS(vrs_registry_open_memory(key, sizeof key, &opts, &reg, NULL), VRS_OK);
    if (reg == NULL) {
        return;
    }
    vrs_principal *operator_ = NULL, *staff = NULL, *venue = NULL;
    CHECK_STATUS(vrs_principal_operator_new(&operator_), VRS_OK);
    CHECK_STATUS(vrs_principal_staff_new(LIT(CHIYODA), LIT("u1"), &staff), VRS_OK);
    CHECK_STATUS(vrs_principal_venue_new(LIT(CHIYODA), &venue), VRS_OK);
    CHECK_STATUS(vrs_registry_create_tenant(reg, operator_, LIT(CHIYODA), NULL), VRS_OK);
    CHECK_STATUS(vrs_registry_register_staff(reg, operator_, LIT(CHIYODA), LIT("u1"), NULL),
                 VRS_OK);
    vrs_bytes *json = NULL;
    CHECK_STATUS(vrs_registry_import_subjects(reg, staff, LIT(CHIYODA), LIT(SUBJECTS),
                                              VRS_IMPORT_LENIENT, &json, NULL),
                 VRS_OK);
    vrs_bytes_free(json);

    /* A voucher of someone not registered yet: its dose waits in the awaiting list. */
    vrs_dose_input dose = the_dose(20210630);
    json = NULL;
    CHECK_STATUS(vrs_registry_record_dose_ocr(reg, venue, LIT("111310160000099999"), &dose,
                                              &json, NULL),
                 VRS_OK);
    CHECK(json != NULL && bytes_have(json, "\"awaiting_registration\":true"));
    vrs_bytes_free(json);
    vrs_bytes *csv = NULL;
    uint64_t rows = 0;
    CHECK_STATUS(vrs_registry_export_awaiting(reg, staff, LIT(CHIYODA), NULL, &csv, &rows, NULL),
                 VRS_OK);
    CHECK(rows == 1 && csv != NULL && bytes_have(csv, "0000099999"));
    vrs_bytes_free(csv);

    /* Booster voucher, reissue, and a second dose entered by staff. */
    vrs_error *err = NULL;
    CHECK_STATUS(vrs_registry_issue_voucher(reg, staff, LIT(CHIYODA), LIT("1001"),
                                            LIT("0000054321"), 20210615, &err),
                 VRS_OK);
    CHECK(err == NULL);
    CHECK_STATUS(vrs_registry_issue_voucher(reg, staff, LIT(CHIYODA), LIT("1001"),
                                            LIT("0000099999"), 20210615, NULL),
                 VRS_OK);
    CHECK_STATUS(vrs_registry_issue_voucher(reg, staff, LIT(CHIYODA), LIT("9999"),
                                            LIT("0000011111"), 20210615, &err),
                 VRS_NOT_FOUND);
    expect_error(err, VRS_NOT_FOUND, "not_found");
    err = NULL;
    CHECK_STATUS(vrs_registry_issue_voucher(reg, staff, LIT(CHIYODA), LIT("1001"),
                                            LIT("0000011111"), 20210231, &err),
                 VRS_INVALID_ARGUMENT);
    expect_error(err, VRS_INVALID_ARGUMENT, "invalid_input");
    CHECK_STATUS(vrs_registry_reissue_voucher(reg, staff, LIT(CHIYODA), LIT("0000054321"),
                                              LIT("0000054322"), 20210620, NULL),
                 VRS_OK);
    err = NULL;
    CHECK_STATUS(vrs_registry_reissue_voucher(reg, staff, LIT(CHIYODA), LIT("0000054321"),
                                              LIT("0000054323"), 20210620, &err),
                 VRS_CONFLICT);
    if (err != NULL) {
        vrs_error_info info;
        CHECK_STATUS(vrs_error_describe(err, &info), VRS_OK);
        CHECK(str_is(info.rule, "L04"));
    }
    expect_error(err, VRS_CONFLICT, "conflict");

    /* Same person, dose 1 differently on another voucher: S03 conflict. */
    vrs_dose_input other_dose = the_dose(20210629);
    err = NULL;
    CHECK_STATUS(vrs_registry_record_dose(reg, staff, LIT(CHIYODA), LIT("0000054322"), 1,
                                          &other_dose, &json, &err),
                 VRS_CONFLICT);
    expect_error(err, VRS_CONFLICT, "conflict");
    CHECK_STATUS(vrs_registry_record_dose(reg, staff, LIT(CHIYODA), LIT("0000054322"), 0,
                                          &other_dose, &json, NULL),
                 VRS_INVALID_ARGUMENT);
    vrs_registry_set_time(reg, 20210801090000u);
    vrs_dose_input second = the_dose(20210721);
    json = NULL;
    CHECK_STATUS(vrs_registry_record_dose(reg, staff, LIT(CHIYODA), LIT("0000054322"), 2,
                                          &second, &json, NULL),
                 VRS_OK);
    CHECK(json != NULL && bytes_have(json, "\"registered_at\":\"2021-08-01T09:00:00\""));
    vrs_bytes_free(json);

    /* A death flag: later doses are refused (L01). */
    vrs_flag died;
    memset(&died, 0, sizeof died);
    died.kind = VRS_FLAG_DECEASED;
    died.date_yyyymmdd = 20210722;
    CHECK_STATUS(vrs_registry_set_flag(reg, staff, LIT(CHIYODA), VRS_SUBJECT_BY_VOUCHER,
                                       LIT("0000054322"), &died, NULL),
                 VRS_OK);
    vrs_dose_input third = the_dose(20210725);
    err = NULL;
    CHECK_STATUS(vrs_registry_record_dose(reg, staff, LIT(CHIYODA), LIT("0000054322"), 3, &third,
                                          &json, &err),
                 VRS_RULE);
    if (err != NULL) {
        vrs_error_info info;
        CHECK_STATUS(vrs_error_describe(err, &info), VRS_OK);
        CHECK(str_is(info.rule, "L01"));
    }
    expect_error(err, VRS_RULE, "rule");
    vrs_flag moved;
    memset(&moved, 0, sizeof moved);
    moved.kind = VRS_FLAG_MOVED_OUT;
    moved.date_yyyymmdd = 20210710;
    moved.destination = (const uint8_t *)MINATO;
    moved.destination_len = 6;
    CHECK_STATUS(vrs_registry_set_flag(reg, staff, LIT(CHIYODA), VRS_SUBJECT_BY_ADDRESSEE,
                                       LIT("1001"), &moved, NULL),
                 VRS_OK);
    CHECK_STATUS(vrs_registry_set_flag(reg, staff, LIT(CHIYODA), 3, LIT("1001"), &moved, NULL),
                 VRS_INVALID_ARGUMENT);
    moved.kind = 0;
    CHECK_STATUS(vrs_registry_set_flag(reg, staff, LIT(CHIYODA), VRS_SUBJECT_BY_ADDRESSEE,
                                       LIT("1001"), &moved, NULL),
                 VRS_INVALID_ARGUMENT);
    /* A flags upload: the move-out date of 1001 changes; an unknown subject is rejected. */
    static const char FLAGS[] =
        "自治体コード,宛名番号,券番号,フラグ種別,異動日,転出先自治体コード\r\n"
        "131016,1001,,1,20210712,131032\r\n"
        "131016,9999,,1,20210712,\r\n";
    json = NULL;
    CHECK_STATUS(vrs_registry_import_flags(reg, staff, LIT(CHIYODA), LIT(FLAGS),
                                           VRS_IMPORT_LENIENT, &json, NULL),
                 VRS_OK);
    CHECK(json != NULL && bytes_have(json, "\"imported\":1,\"unchanged\":0,\"rejected\":1,"));
    vrs_bytes_free(json);
    CHECK_STATUS(vrs_registry_import_flags(reg, venue, LIT(CHIYODA), LIT(FLAGS),
                                           VRS_IMPORT_LENIENT, &json, NULL),
                 VRS_FORBIDDEN);
    json = NULL;
    CHECK_STATUS(vrs_registry_subject_doses(reg, staff, LIT(CHIYODA), LIT("1001"), &json, NULL),
                 VRS_OK);
    CHECK(json != NULL && bytes_have(json, "\"kind\":\"moved-out\",\"date\":\"2021-07-12\""));
    CHECK(json != NULL && bytes_have(json, "\"kind\":\"deceased\",\"date\":\"2021-07-22\""));
    CHECK(json != NULL && bytes_have(json, "\"destination\":\"131032\""));
    CHECK(json != NULL && bytes_have(json, "\"source\":\"staff\""));
    vrs_bytes_free(json);

    vrs_principal_free(operator_);
    vrs_principal_free(staff);
    vrs_principal_free(venue);
    vrs_registry_free(reg);
}

/* Key rotation, host anchors, and a registry that refuses all but inspection once its store
 * does not match the anchor the host kept. */
static void keys_and_anchors(void) {
    vrs_registry_options opts;
    memset(&opts, 0, sizeof opts);
    opts.fixed_time_yyyymmddhhmmss = 20210701090000u;
    const uint8_t key[32] = {7};
    vrs_registry *reg = NULL;
    CHECK_STATUS(vrs_registry_open_memory(key, sizeof key, &opts, &reg, NULL), VRS_OK);
    if (reg == NULL) {
        return;
    }
    vrs_principal *op = NULL, *staff = NULL;
    CHECK_STATUS(vrs_principal_operator_new(&op), VRS_OK);
    CHECK_STATUS(vrs_principal_staff_new(LIT(CHIYODA), LIT("u1"), &staff), VRS_OK);
    CHECK_STATUS(vrs_registry_create_tenant(reg, op, LIT(CHIYODA), NULL), VRS_OK);
    CHECK_STATUS(vrs_registry_register_staff(reg, op, LIT(CHIYODA), LIT("u1"), NULL), VRS_OK);
    vrs_bytes *json = NULL;
    CHECK_STATUS(vrs_registry_import_subjects(reg, staff, LIT(CHIYODA), LIT(SUBJECTS),
                                              VRS_IMPORT_STRICT, &json, NULL),
                 VRS_OK);
    vrs_bytes_free(json);

    /* Rotation: operator only; every record re-sealed; reads as before. */
    vrs_error *err = NULL;
    CHECK_STATUS(vrs_registry_rotate_tenant_key(reg, staff, LIT(CHIYODA), NULL, &err),
                 VRS_FORBIDDEN);
    expect_error(err, VRS_FORBIDDEN, "forbidden");
    json = NULL;
    CHECK_STATUS(vrs_registry_rotate_tenant_key(reg, op, LIT(CHIYODA), &json, NULL), VRS_OK);
    CHECK(json != NULL && bytes_have(json, "\"from_version\":1,\"to_version\":2,\"records\":6"));
    CHECK(json != NULL && bytes_have(json, "\"finished\":true"));
    vrs_bytes_free(json);
    CHECK_STATUS(vrs_registry_rotate_tenant_key(reg, op, NULL, 6, NULL, NULL), VRS_NULL_ARGUMENT);
    json = NULL;
    CHECK_STATUS(vrs_registry_subject_doses(reg, staff, LIT(CHIYODA), LIT("1001"), &json, NULL),
                 VRS_OK);
    vrs_bytes_free(json);

    /* Anchors: the current one compares equal; junk is an argument error; NULLs refused. */
    vrs_bytes *anchor = NULL;
    CHECK_STATUS(vrs_registry_anchor(reg, &anchor, NULL), VRS_OK);
    CHECK(anchor != NULL && bytes_have(anchor, "vrs-anchor-1:"));
    CHECK_STATUS(vrs_registry_anchor(NULL, &anchor, NULL), VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_registry_anchor(reg, NULL, NULL), VRS_NULL_ARGUMENT);
    uint64_t newer = 99;
    CHECK_STATUS(vrs_registry_check_anchor(reg, vrs_bytes_data(anchor), vrs_bytes_len(anchor),
                                           &newer, NULL),
                 VRS_OK);
    CHECK(newer == 0);
    err = NULL;
    CHECK_STATUS(vrs_registry_check_anchor(reg, LIT("vrs-anchor-1:x"), &newer, &err),
                 VRS_INVALID_ARGUMENT);
    expect_error(err, VRS_INVALID_ARGUMENT, "invalid_input");
    CHECK_STATUS(vrs_registry_check_anchor(reg, NULL, 5, &newer, NULL), VRS_NULL_ARGUMENT);

    /* A kept anchor from a later commit: this store is older (rolled back). */
    char later[160];
    const char *counter = (const char *)vrs_bytes_data(anchor) + strlen("vrs-anchor-1:");
    unsigned long long n = strtoull(counter, NULL, 10);
    snprintf(later, sizeof later, "vrs-anchor-1:%llu:%064d", n + 5, 0);
    vrs_bytes_free(anchor);
    err = NULL;
    CHECK_STATUS(vrs_registry_check_anchor(reg, STR(later), &newer, &err), VRS_TAMPERED);
    expect_error(err, VRS_TAMPERED, "tampered");
    /* Now everything but inspection is refused. */
    err = NULL;
    CHECK_STATUS(vrs_registry_subject_doses(reg, staff, LIT(CHIYODA), LIT("1001"), &json, &err),
                 VRS_TAMPERED);
    expect_error(err, VRS_TAMPERED, "tampered");
    bool ok = false;
    CHECK_STATUS(vrs_registry_verify_store(reg, op, &ok, NULL, NULL), VRS_OK);
    CHECK(ok);

    vrs_principal_free(op);
    vrs_principal_free(staff);
    vrs_registry_free(reg);
}

/* Correcting and voiding doses (staff only), the sealed history, and text folded at entry so
 * that the CP932 export carries a venue typed with the JIS wave dash. */
static void corrections(void) {
    vrs_registry_options opts;
    memset(&opts, 0, sizeof opts);
    opts.fixed_time_yyyymmddhhmmss = 20210701090000u;
    const uint8_t key[32] = {7};
    vrs_registry *reg = NULL;
    CHECK_STATUS(vrs_registry_open_memory(key, sizeof key, &opts, &reg, NULL), VRS_OK);
    if (reg == NULL) {
        return;
    }
    vrs_principal *operator_ = NULL, *staff = NULL, *venue = NULL;
    CHECK_STATUS(vrs_principal_operator_new(&operator_), VRS_OK);
    CHECK_STATUS(vrs_principal_staff_new(LIT(CHIYODA), LIT("u1"), &staff), VRS_OK);
    CHECK_STATUS(vrs_principal_venue_new(LIT(CHIYODA), &venue), VRS_OK);
    CHECK_STATUS(vrs_registry_create_tenant(reg, operator_, LIT(CHIYODA), NULL), VRS_OK);
    CHECK_STATUS(vrs_registry_register_staff(reg, operator_, LIT(CHIYODA), LIT("u1"), NULL),
                 VRS_OK);
    vrs_bytes *json = NULL;
    CHECK_STATUS(vrs_registry_import_subjects(reg, staff, LIT(CHIYODA), LIT(SUBJECTS),
                                              VRS_IMPORT_STRICT, &json, NULL),
                 VRS_OK);
    vrs_bytes_free(json);
    vrs_dose_input first = the_dose(20210601);
    first.venue = (const uint8_t *)"区民会館〜別館"; /* U+301C WAVE DASH */
    first.venue_len = strlen("区民会館〜別館");
    json = NULL;
    CHECK_STATUS(vrs_registry_record_dose_ocr(reg, venue, LIT(OCR), &first, &json, NULL), VRS_OK);
    vrs_bytes_free(json);
    vrs_dose_input second = the_dose(20210622);
    json = NULL;
    CHECK_STATUS(vrs_registry_record_dose(reg, staff, LIT(CHIYODA), LIT("0000012345"), 2, &second,
                                          &json, NULL),
                 VRS_OK);
    vrs_bytes_free(json);

    /* The CP932 export succeeds and holds ～ (0x81 0x60). */
    vrs_export_options cp932;
    memset(&cp932, 0, sizeof cp932);
    cp932.encoding = VRS_ENCODING_CP932;
    vrs_bytes *csv = NULL;
    uint64_t rows = 0;
    CHECK_STATUS(vrs_registry_export_ledger(reg, staff, LIT(CHIYODA), &cp932, &csv, &rows, NULL),
                 VRS_OK);
    CHECK(rows == 1 && csv != NULL && bytes_have(csv, "\x81\x60"));
    vrs_bytes_free(csv);

    /* A character CP932 lacks is refused at entry (T08). */
    vrs_dose_input third = the_dose(20210630);
    third.doctor = (const uint8_t *)"\xF0\xA0\xAE\xB7田"; /* U+20BB7 */
    third.doctor_len = strlen("\xF0\xA0\xAE\xB7田");
    vrs_error *err = NULL;
    CHECK_STATUS(vrs_registry_record_dose(reg, staff, LIT(CHIYODA), LIT("0000012345"), 3, &third,
                                          &json, &err),
                 VRS_RULE);
    if (err != NULL) {
        vrs_error_info info;
        CHECK_STATUS(vrs_error_describe(err, &info), VRS_OK);
        CHECK(str_is(info.rule, "T08"));
        CHECK(contains(info.message_en.data, info.message_en.len, "U+20BB7"));
    }
    expect_error(err, VRS_RULE, "rule");

    /* Correct the lot of dose 1 by addressee; a NULL text keeps the stored value. */
    vrs_dose_correction fix;
    memset(&fix, 0, sizeof fix);
    fix.lot = (const uint8_t *)"FA5766";
    fix.lot_len = 6;
    json = NULL;
    CHECK_STATUS(vrs_registry_correct_dose(reg, staff, LIT(CHIYODA), VRS_SUBJECT_BY_ADDRESSEE,
                                           LIT("1001"), 1, &fix, LIT("lot typed wrongly"), &json,
                                           NULL),
                 VRS_OK);
    CHECK(json != NULL && bytes_have(json, "\"action\":\"corrected\",\"changed\":true"));
    CHECK(json != NULL && bytes_have(json, "\"lot\":\"FA5766\""));
    CHECK(json != NULL && bytes_have(json, "\"venue\":\"区民会館～別館\""));
    vrs_bytes_free(json);

    /* Rules are checked again: dose 2 may not move before dose 1 (S02); nothing changes. */
    vrs_dose_correction early;
    memset(&early, 0, sizeof early);
    early.vaccinated_on_yyyymmdd = 20210531;
    err = NULL;
    CHECK_STATUS(vrs_registry_correct_dose(reg, staff, LIT(CHIYODA), VRS_SUBJECT_BY_VOUCHER,
                                           LIT("0000012345"), 2, &early, LIT("x"), &json, &err),
                 VRS_RULE);
    if (err != NULL) {
        vrs_error_info info;
        CHECK_STATUS(vrs_error_describe(err, &info), VRS_OK);
        CHECK(str_is(info.rule, "S02"));
    }
    expect_error(err, VRS_RULE, "rule");
    /* No field, no reason, a NULL correction, a bad date, an unknown dose. */
    vrs_dose_correction nothing;
    memset(&nothing, 0, sizeof nothing);
    CHECK_STATUS(vrs_registry_correct_dose(reg, staff, LIT(CHIYODA), VRS_SUBJECT_BY_ADDRESSEE,
                                           LIT("1001"), 1, &nothing, LIT("x"), &json, NULL),
                 VRS_INVALID_ARGUMENT);
    CHECK_STATUS(vrs_registry_correct_dose(reg, staff, LIT(CHIYODA), VRS_SUBJECT_BY_ADDRESSEE,
                                           LIT("1001"), 1, &fix, LIT(""), &json, NULL),
                 VRS_INVALID_ARGUMENT);
    CHECK_STATUS(vrs_registry_correct_dose(reg, staff, LIT(CHIYODA), VRS_SUBJECT_BY_ADDRESSEE,
                                           LIT("1001"), 1, NULL, LIT("x"), &json, NULL),
                 VRS_NULL_ARGUMENT);
    early.vaccinated_on_yyyymmdd = 20210231;
    CHECK_STATUS(vrs_registry_correct_dose(reg, staff, LIT(CHIYODA), VRS_SUBJECT_BY_ADDRESSEE,
                                           LIT("1001"), 2, &early, LIT("x"), &json, NULL),
                 VRS_INVALID_ARGUMENT);
    CHECK_STATUS(vrs_registry_correct_dose(reg, staff, LIT(CHIYODA), 3, LIT("1001"), 1, &fix,
                                           LIT("x"), &json, NULL),
                 VRS_INVALID_ARGUMENT);
    CHECK_STATUS(vrs_registry_void_dose(reg, staff, LIT(CHIYODA), VRS_SUBJECT_BY_ADDRESSEE,
                                        LIT("1001"), 5, LIT("x"), &json, NULL),
                 VRS_NOT_FOUND);
    CHECK_STATUS(vrs_registry_void_dose(reg, staff, LIT(CHIYODA), VRS_SUBJECT_BY_ADDRESSEE,
                                        LIT("1001"), 2, LIT("x"), NULL, NULL),
                 VRS_NULL_ARGUMENT);
    /* Venue tablets and the operator are refused. */
    CHECK_STATUS(vrs_registry_correct_dose(reg, venue, LIT(CHIYODA), VRS_SUBJECT_BY_ADDRESSEE,
                                           LIT("1001"), 1, &fix, LIT("x"), &json, NULL),
                 VRS_FORBIDDEN);
    CHECK_STATUS(vrs_registry_void_dose(reg, operator_, LIT(CHIYODA), VRS_SUBJECT_BY_ADDRESSEE,
                                        LIT("1001"), 2, LIT("x"), &json, NULL),
                 VRS_FORBIDDEN);

    /* Void dose 2: gone from the doses, kept in the history; the number can be used again. */
    json = NULL;
    CHECK_STATUS(vrs_registry_void_dose(reg, staff, LIT(CHIYODA), VRS_SUBJECT_BY_ADDRESSEE,
                                        LIT("1001"), 2, LIT("wrong person"), &json, NULL),
                 VRS_OK);
    CHECK(json != NULL && bytes_have(json, "\"action\":\"voided\""));
    CHECK(json != NULL && bytes_have(json, "\"dose_now\":null"));
    vrs_bytes_free(json);
    json = NULL;
    CHECK_STATUS(vrs_registry_subject_doses(reg, staff, LIT(CHIYODA), LIT("1001"), &json, NULL),
                 VRS_OK);
    /* Only dose 1 (from the venue) is left among the doses. */
    CHECK(json != NULL && bytes_have(json, "\"source\":\"venue\"}],\"history\":["));
    CHECK(json != NULL && bytes_have(json, "\"action\":\"corrected\""));
    CHECK(json != NULL && bytes_have(json, "\"reason\":\"lot typed wrongly\""));
    CHECK(json != NULL && bytes_have(json, "\"action\":\"voided\""));
    CHECK(json != NULL && bytes_have(json, "\"lot\":\"FA5765\""));
    vrs_bytes_free(json);
    second = the_dose(20210623);
    json = NULL;
    CHECK_STATUS(vrs_registry_record_dose(reg, staff, LIT(CHIYODA), LIT("0000012345"), 2, &second,
                                          &json, NULL),
                 VRS_OK);
    vrs_bytes_free(json);

    vrs_principal_free(operator_);
    vrs_principal_free(staff);
    vrs_principal_free(venue);
    vrs_registry_free(reg);
}

int main(void) {
    statuses();
    principals();
    opening();
    scenario();
    vouchers_and_flags();
    corrections();
    keys_and_anchors();
    return check_done("registry");
}
