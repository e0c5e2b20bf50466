/*
 * retention: what may be deleted, and the purge, through libvrs.
 *
 *   retention
 *
 * In memory, with the clock pinned. Two residents vaccinated on 2021-06-10. On 2026-12-01 five
 * years have passed, but under 予防接種法施行規則 附則第17条 (in force 2026-02-01) a COVID-19
 * record is kept until the later of five years after the person's death and its provision to the
 * national immunization database: the retention list is empty. One of them died in 2021 and both
 * records were provided on 2026-06-01: that one becomes eligible, and the staff purge it.
 * Nothing is ever deleted automatically.
 * Exit status: 0 on success, 1 when an operation failed.
 *
 * Build: see the Makefile next to this file (`make`, then `./retention`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrs.h"

#define TENANT "131016"
#define TEXT(s) (const uint8_t *)(s), strlen(s)

static const char SUBJECTS[] =
    "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n"
    "131016,1001,200000000018,0000012345,保存 一郎,ホゾン イチロウ,19400101,1,20210501\r\n"
    "131016,1002,200000000026,0000012346,保存 二郎,ホゾン ジロウ,19400101,1,20210501\r\n";

/* Prints a failed call's details and frees them; returns 1. */
static int failed(const char *what, vrs_status status, vrs_error *err) {
    vrs_error_info info;
    if (err != NULL && vrs_error_describe(err, &info) == VRS_OK) {
        fprintf(stderr, "%s: %s (%.*s): %.*s\n", what, vrs_status_message(status),
                (int)info.code.len, info.code.data, (int)info.message_en.len,
                info.message_en.data);
    } else {
        fprintf(stderr, "%s: %s\n", what, vrs_status_message(status));
    }
    vrs_error_free(err);
    return 1;
}

/* Prints a JSON result and frees it. */
static void print_json(const char *what, vrs_bytes *json) {
    printf("%s: %.*s\n", what, (int)vrs_bytes_len(json), (const char *)vrs_bytes_data(json));
    vrs_bytes_free(json);
}

int main(void) {
    vrs_registry_options opts;
    memset(&opts, 0, sizeof opts);
    opts.fixed_time_yyyymmddhhmmss = 20210701090000u;
    const uint8_t key[32] = {1, 2, 3};
    vrs_registry *reg = NULL;
    vrs_error *err = NULL;
    vrs_status s = vrs_registry_open_memory(key, sizeof key, &opts, &reg, &err);
    if (s != VRS_OK) {
        return failed("open", s, err);
    }
    vrs_principal *op = NULL, *staff = NULL, *venue = NULL;
    vrs_principal_operator_new(&op);
    vrs_principal_staff_new(TEXT(TENANT), TEXT("u1"), &staff);
    vrs_principal_venue_new(TEXT(TENANT), &venue);
    int rc = 0;
    vrs_bytes *json = NULL;
    vrs_dose_input dose;
    memset(&dose, 0, sizeof dose);
    dose.vaccinated_on_yyyymmdd = 20210610;
    dose.manufacturer = (const uint8_t *)"ファイザー";
    dose.manufacturer_len = strlen("ファイザー");
    dose.lot = (const uint8_t *)"FA5765";
    dose.lot_len = 6;
    dose.venue = (const uint8_t *)"区民会館";
    dose.venue_len = strlen("区民会館");
    dose.doctor = (const uint8_t *)"山田一郎";
    dose.doctor_len = strlen("山田一郎");
    vrs_flag died;
    memset(&died, 0, sizeof died);
    died.kind = VRS_FLAG_DECEASED;
    died.date_yyyymmdd = 20210715;

    if ((s = vrs_registry_create_tenant(reg, op, TEXT(TENANT), &err)) != VRS_OK ||
        (s = vrs_registry_register_staff(reg, op, TEXT(TENANT), TEXT("u1"), &err)) != VRS_OK) {
        rc = failed("setup", s, err);
        goto done;
    }
    if ((s = vrs_registry_import_subjects(reg, staff, TEXT(TENANT), TEXT(SUBJECTS),
                                          VRS_IMPORT_STRICT, &json, &err)) != VRS_OK) {
        rc = failed("import", s, err);
        goto done;
    }
    vrs_bytes_free(json);
    const char *lines[] = {"111310160000012345", "111310160000012346"};
    for (int i = 0; i < 2; i++) {
        json = NULL;
        if ((s = vrs_registry_record_dose_ocr(reg, venue, TEXT(lines[i]), &dose, &json, &err)) !=
            VRS_OK) {
            rc = failed("dose", s, err);
            goto done;
        }
        vrs_bytes_free(json);
    }

    /* Five years later: nothing is eligible while the person lives. */
    vrs_registry_set_time(reg, 20261201090000u);
    if ((s = vrs_registry_retention_list(reg, staff, TEXT(TENANT), 20261201, &json, &err)) !=
        VRS_OK) {
        rc = failed("retention list", s, err);
        goto done;
    }
    print_json("2026-12-01", json);

    /* A death recorded, the records provided to the national database: eligible. */
    if ((s = vrs_registry_set_flag(reg, staff, TEXT(TENANT), VRS_SUBJECT_BY_ADDRESSEE,
                                   TEXT("1001"), &died, &err)) != VRS_OK ||
        (s = vrs_registry_record_national_db_provision(reg, staff, TEXT(TENANT), 20260601, NULL,
                                                       &json, &err)) != VRS_OK) {
        rc = failed("death and provision", s, err);
        goto done;
    }
    print_json("provision", json);
    if ((s = vrs_registry_retention_list(reg, staff, TEXT(TENANT), 20261201, &json, &err)) !=
        VRS_OK) {
        rc = failed("retention list", s, err);
        goto done;
    }
    print_json("2026-12-01", json);
    if ((s = vrs_registry_purge(reg, staff, TEXT(TENANT), 20261201, &json, &err)) != VRS_OK) {
        rc = failed("purge", s, err);
        goto done;
    }
    print_json("purge", json);

done:
    vrs_principal_free(op);
    vrs_principal_free(staff);
    vrs_principal_free(venue);
    vrs_registry_free(reg);
    return rc;
}
