/*
 * Retention through the C ABI: the dated policy keeps a living person's COVID record in 2026
 * (where five years from the vaccination would have let it go), a death and a provision to the
 * national database make it eligible, a legal hold blocks the purge, and the purge removes the
 * person from reads and exports. The canary name and My Number never appear in any output.
 * Every handle is freed (valgrind checks it when installed).
 */
#include <stdlib.h>

#include "check.h"

#define CHIYODA "131016"
#define MINATO "131032"
#define CANARY_NAME "鵺野 鳴子"
#define MY_NUMBER "200000000018"

static const char SUBJECTS[] =
    "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n"
    "131016,1001," MY_NUMBER ",0000012345," CANARY_NAME ",ヌエノ ナルコ,19400101,2,20210501\r\n"
    "131016,1002,200000000026,0000012346,保存 二郎,ホゾン ジロウ,19400101,1,20210501\r\n";

static int bytes_have(const vrs_bytes *b, const char *needle) {
    return b != NULL && contains(vrs_bytes_data(b), vrs_bytes_len(b), needle);
}

/* An output is clean: no canary name, no My Number. */
static void check_clean(const vrs_bytes *b) {
    CHECK(b != NULL);
    CHECK(!bytes_have(b, CANARY_NAME) && !bytes_have(b, MY_NUMBER));
}

static void expect_error(vrs_error *err, vrs_status status, const char *code) {
    CHECK(err != NULL);
    if (err == NULL) {
        return;
    }
    vrs_error_info info;
    CHECK_STATUS(vrs_error_describe(err, &info), VRS_OK);
    CHECK(info.status == status);
    CHECK(str_is(info.code, code));
    CHECK(!contains(info.message_en.data, info.message_en.len, MY_NUMBER));
    CHECK(!contains(info.message_en.data, info.message_en.len, CANARY_NAME));
    vrs_error_free(err);
}

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

int main(void) {
    vrs_registry_options opts;
    memset(&opts, 0, sizeof opts);
    opts.fixed_time_yyyymmddhhmmss = 20210701090000u;
    const uint8_t key[32] = {7, 7, 7};
    vrs_registry *reg = NULL;
    CHECK_STATUS(vrs_registry_open_memory(key, sizeof key, &opts, &reg, NULL), VRS_OK);
    if (reg == NULL) {
        return check_done("retention");
    }
    vrs_principal *op = NULL, *staff = NULL, *venue = NULL, *other = NULL;
    CHECK_STATUS(vrs_principal_operator_new(&op), VRS_OK);
    CHECK_STATUS(vrs_principal_staff_new(LIT(CHIYODA), LIT("u1"), &staff), VRS_OK);
    CHECK_STATUS(vrs_principal_venue_new(LIT(CHIYODA), &venue), VRS_OK);
    CHECK_STATUS(vrs_principal_staff_new(LIT(MINATO), LIT("m1"), &other), VRS_OK);
    CHECK_STATUS(vrs_registry_create_tenant(reg, op, LIT(CHIYODA), NULL), VRS_OK);
    CHECK_STATUS(vrs_registry_create_tenant(reg, op, LIT(MINATO), NULL), VRS_OK);
    CHECK_STATUS(vrs_registry_register_staff(reg, op, LIT(CHIYODA), LIT("u1"), NULL), VRS_OK);
    CHECK_STATUS(vrs_registry_register_staff(reg, op, LIT(MINATO), LIT("m1"), NULL), VRS_OK);
    vrs_bytes *json = NULL;
    CHECK_STATUS(vrs_registry_import_subjects(reg, staff, LIT(CHIYODA), LIT(SUBJECTS),
                                              VRS_IMPORT_STRICT, &json, NULL),
                 VRS_OK);
    vrs_bytes_free(json);
    vrs_dose_input dose = the_dose(20210610);
    json = NULL;
    CHECK_STATUS(vrs_registry_record_dose_ocr(reg, venue, LIT("111310160000012345"), &dose, &json,
                                              NULL),
                 VRS_OK);
    vrs_bytes_free(json);
    json = NULL;
    CHECK_STATUS(vrs_registry_record_dose_ocr(reg, venue, LIT("111310160000012346"), &dose, &json,
                                              NULL),
                 VRS_OK);
    vrs_bytes_free(json);

    /* 2026-12-01: five years have passed, but the person lives: nothing is eligible. */
    CHECK_STATUS(vrs_registry_set_time(reg, 20261201090000u), VRS_OK);
    json = NULL;
    CHECK_STATUS(vrs_registry_retention_list(reg, staff, LIT(CHIYODA), 20261201, &json, NULL),
                 VRS_OK);
    CHECK(bytes_have(json, "\"eligible\":[]"));
    CHECK(bytes_have(json, "\"waiting_for_death\":2"));
    check_clean(json);
    vrs_bytes_free(json);

    /* A death, a provision (2026-06-01, all doses), then a hold. */
    vrs_flag died;
    memset(&died, 0, sizeof died);
    died.kind = VRS_FLAG_DECEASED;
    died.date_yyyymmdd = 20210715;
    CHECK_STATUS(vrs_registry_set_flag(reg, staff, LIT(CHIYODA), VRS_SUBJECT_BY_ADDRESSEE,
                                       LIT("1001"), &died, NULL),
                 VRS_OK);
    vrs_error *err = NULL;
    json = NULL;
    CHECK_STATUS(vrs_registry_record_national_db_provision(reg, staff, LIT(CHIYODA), 20260531,
                                                           NULL, &json, &err),
                 VRS_INVALID_ARGUMENT);
    CHECK(json == NULL);
    expect_error(err, VRS_INVALID_ARGUMENT, "invalid_input");
    vrs_provision_selection sel;
    memset(&sel, 0, sizeof sel);
    sel.kind = VRS_PROVISION_SUBJECTS;
    sel.addressees = (const uint8_t *)"1001\n1002";
    sel.addressees_len = strlen("1001\n1002");
    CHECK_STATUS(vrs_registry_record_national_db_provision(reg, staff, LIT(CHIYODA), 20260601,
                                                           &sel, &json, NULL),
                 VRS_OK);
    CHECK(bytes_have(json, "\"doses\":2"));
    check_clean(json);
    vrs_bytes_free(json);
    sel.kind = 9;
    json = NULL;
    CHECK_STATUS(vrs_registry_record_national_db_provision(reg, staff, LIT(CHIYODA), 20260601,
                                                           &sel, &json, NULL),
                 VRS_INVALID_ARGUMENT);
    CHECK(json == NULL);
    bool changed = false;
    CHECK_STATUS(vrs_registry_set_legal_hold(reg, staff, LIT(CHIYODA), LIT("1001"), true,
                                             &changed, NULL),
                 VRS_OK);
    CHECK(changed);
    json = NULL;
    CHECK_STATUS(vrs_registry_retention_list(reg, staff, LIT(CHIYODA), 20261201, &json, NULL),
                 VRS_OK);
    CHECK(bytes_have(json, "\"eligible\":[]"));
    CHECK(bytes_have(json, "\"held\":[{\"addressee\":\"1001\""));
    check_clean(json);
    vrs_bytes_free(json);
    json = NULL;
    CHECK_STATUS(vrs_registry_purge(reg, staff, LIT(CHIYODA), 20261201, &json, NULL), VRS_OK);
    CHECK(bytes_have(json, "\"doses\":0"));
    vrs_bytes_free(json);

    /* Refusals: another municipality, a tablet; a purge not as of today. */
    err = NULL;
    json = NULL;
    CHECK_STATUS(vrs_registry_purge(reg, other, LIT(CHIYODA), 20261201, &json, &err),
                 VRS_FORBIDDEN);
    CHECK(json == NULL);
    expect_error(err, VRS_FORBIDDEN, "forbidden");
    err = NULL;
    CHECK_STATUS(vrs_registry_set_legal_hold(reg, venue, LIT(CHIYODA), LIT("1001"), false, NULL,
                                             &err),
                 VRS_FORBIDDEN);
    expect_error(err, VRS_FORBIDDEN, "forbidden");
    err = NULL;
    CHECK_STATUS(vrs_registry_purge(reg, staff, LIT(CHIYODA), 20261202, &json, &err),
                 VRS_INVALID_ARGUMENT);
    expect_error(err, VRS_INVALID_ARGUMENT, "invalid_input");
    CHECK_STATUS(vrs_registry_purge(reg, staff, LIT(CHIYODA), 20261201, NULL, NULL),
                 VRS_NULL_ARGUMENT);
    CHECK_STATUS(vrs_registry_set_retention_minimum(reg, staff, LIT(CHIYODA), 300, NULL),
                 VRS_INVALID_ARGUMENT);
    CHECK_STATUS(vrs_registry_set_retention_minimum(reg, staff, LIT(CHIYODA), 30, NULL), VRS_OK);
    CHECK_STATUS(vrs_registry_set_retention_minimum(reg, staff, LIT(CHIYODA), 0, NULL), VRS_OK);

    /* Lift the hold and purge: 1001 goes, 1002 (alive) stays. */
    CHECK_STATUS(vrs_registry_set_legal_hold(reg, staff, LIT(CHIYODA), LIT("1001"), false,
                                             &changed, NULL),
                 VRS_OK);
    CHECK(changed);
    json = NULL;
    CHECK_STATUS(vrs_registry_purge(reg, staff, LIT(CHIYODA), 20261201, &json, NULL), VRS_OK);
    CHECK(bytes_have(json, "\"doses\":1"));
    CHECK(bytes_have(json, "\"subjects\":1"));
    check_clean(json);
    vrs_bytes_free(json);
    err = NULL;
    json = NULL;
    CHECK_STATUS(vrs_registry_subject_doses(reg, staff, LIT(CHIYODA), LIT("1001"), &json, &err),
                 VRS_NOT_FOUND);
    expect_error(err, VRS_NOT_FOUND, "not_found");
    json = NULL;
    CHECK_STATUS(vrs_registry_export_ledger(reg, staff, LIT(CHIYODA), NULL, &json, NULL, NULL),
                 VRS_OK);
    CHECK(bytes_have(json, "\r\n1002,") && !bytes_have(json, "\r\n1001,"));
    check_clean(json);
    vrs_bytes_free(json);
    json = NULL;
    CHECK_STATUS(vrs_registry_audit_log(reg, staff, LIT(CHIYODA), &json, NULL), VRS_OK);
    CHECK(bytes_have(json, "\"op\":\"purge\""));
    CHECK(bytes_have(json, "\"counts\":{"));
    check_clean(json);
    vrs_bytes_free(json);

    vrs_principal_free(op);
    vrs_principal_free(staff);
    vrs_principal_free(venue);
    vrs_principal_free(other);
    vrs_registry_free(reg);
    return check_done("retention");
}
