/*
 * inquiry: inquiries between municipalities through libvrs (転入時の接種記録照会).
 *
 *   inquiry
 *
 * In memory, with the clock pinned. A resident of Chiyoda (131016) vaccinated twice in 2021
 * moves to Minato (131032). Minato's staff ask by the resident's My Number, under the "consent
 * difficult to obtain" basis, which doses Chiyoda recorded; ask about someone nobody knows (the
 * answer is the one no-match every miss gets); then send a batch of incoming residents
 * (一括照会) and print the result file, which never carries a My Number. Chiyoda's staff read
 * their provision log (情報提供等の記録) for that person and verify it. Seven years later a
 * purge removes the log entries whose period has passed.
 * Exit status: 0 on success, 1 when an operation failed.
 *
 * Build: see the Makefile next to this file (`make`, then `./inquiry`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrs.h"

#define CHIYODA "131016"
#define MINATO "131032"
#define MY_NUMBER "123456789018"
#define TEXT(s) (const uint8_t *)(s), strlen(s)

static const char SUBJECTS[] =
    "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n"
    "131016,1001," MY_NUMBER ",0000012345,千代田 花子,チヨダ ハナコ,19800101,2,20210501\r\n";

/* A batch-inquiry request: My Number and Minato's own addressee number per row. */
static const char BATCH[] = "個人番号,宛名番号\r\n" MY_NUMBER ",M-5001\r\n"
                            "234567890121,M-5002\r\n";

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

/* Prints a JSON result (or a file) and frees it. */
static void print_bytes(const char *what, vrs_bytes *bytes) {
    printf("%s: %.*s\n", what, (int)vrs_bytes_len(bytes), (const char *)vrs_bytes_data(bytes));
    vrs_bytes_free(bytes);
}

/* An inquiry by Minato under the "consent difficult to obtain" basis. */
static vrs_inquiry_request request(const char *former, const char *my_number,
                                   const char *reference) {
    vrs_inquiry_request r;
    memset(&r, 0, sizeof r);
    if (former != NULL) {
        r.former = (const uint8_t *)former;
        r.former_len = strlen(former);
    }
    r.my_number = (const uint8_t *)my_number;
    r.my_number_len = strlen(my_number);
    r.legal_basis = VRS_LEGAL_BASIS_CONSENT_DIFFICULT;
    r.reference = (const uint8_t *)reference;
    r.reference_len = strlen(reference);
    return r;
}

int main(void) {
    vrs_registry_options opts;
    memset(&opts, 0, sizeof opts);
    opts.fixed_time_yyyymmddhhmmss = 20210701090000u;
    const uint8_t key[32] = {7, 7, 7};
    vrs_registry *reg = NULL;
    vrs_error *err = NULL;
    vrs_status s = vrs_registry_open_memory(key, sizeof key, &opts, &reg, &err);
    if (s != VRS_OK) {
        return failed("open", s, err);
    }
    vrs_principal *op = NULL, *chiyoda = NULL, *minato = NULL, *venue = NULL;
    vrs_principal_operator_new(&op);
    vrs_principal_staff_new(TEXT(CHIYODA), TEXT("u1"), &chiyoda);
    vrs_principal_staff_new(TEXT(MINATO), TEXT("u1"), &minato);
    vrs_principal_venue_new(TEXT(CHIYODA), &venue);
    int rc = 0;
    vrs_bytes *json = NULL, *file = NULL;
    vrs_dose_input dose;
    memset(&dose, 0, sizeof dose);
    dose.manufacturer = (const uint8_t *)"ファイザー";
    dose.manufacturer_len = strlen("ファイザー");
    dose.lot = (const uint8_t *)"FA5765";
    dose.lot_len = 6;
    dose.venue = (const uint8_t *)"区民会館";
    dose.venue_len = strlen("区民会館");
    dose.doctor = (const uint8_t *)"山田一郎";
    dose.doctor_len = strlen("山田一郎");

    const char *tenants[] = {CHIYODA, MINATO};
    for (int i = 0; i < 2; i++) {
        if ((s = vrs_registry_create_tenant(reg, op, TEXT(tenants[i]), &err)) != VRS_OK ||
            (s = vrs_registry_register_staff(reg, op, TEXT(tenants[i]), TEXT("u1"), &err)) !=
                VRS_OK) {
            rc = failed("setup", s, err);
            goto done;
        }
    }
    if ((s = vrs_registry_import_subjects(reg, chiyoda, TEXT(CHIYODA), TEXT(SUBJECTS),
                                          VRS_IMPORT_STRICT, &json, &err)) != VRS_OK) {
        rc = failed("import", s, err);
        goto done;
    }
    vrs_bytes_free(json);
    const char *lines[] = {"111310160000012345", "121310160000012345"};
    const uint32_t days[] = {20210510, 20210601};
    for (int i = 0; i < 2; i++) {
        dose.vaccinated_on_yyyymmdd = days[i];
        if ((s = vrs_registry_record_dose_ocr(reg, venue, TEXT(lines[i]), &dose, &json, &err)) !=
            VRS_OK) {
            rc = failed("dose", s, err);
            goto done;
        }
        vrs_bytes_free(json);
    }

    /* 2022-03-01: the resident has moved in to Minato, which asks Chiyoda. */
    vrs_registry_set_time(reg, 20220301090000u);
    vrs_inquiry_request asked = request(CHIYODA, MY_NUMBER, "M-5001");
    if ((s = vrs_registry_inquire(reg, minato, &asked, &json, &err)) != VRS_OK) {
        rc = failed("inquire", s, err);
        goto done;
    }
    print_bytes("inquiry", json);
    vrs_inquiry_request stranger = request(NULL, "234567890121", "M-5002");
    if ((s = vrs_registry_inquire(reg, minato, &stranger, &json, &err)) != VRS_OK) {
        rc = failed("inquire", s, err);
        goto done;
    }
    print_bytes("stranger", json);

    vrs_batch_inquiry_options batch;
    memset(&batch, 0, sizeof batch);
    batch.legal_basis = VRS_LEGAL_BASIS_CONSENT_DIFFICULT;
    if ((s = vrs_registry_batch_inquire(reg, minato, TEXT(BATCH), &batch, &file, &json, &err)) !=
        VRS_OK) {
        rc = failed("batch inquiry", s, err);
        goto done;
    }
    vrs_bytes_free(json);
    print_bytes("batch result", file);

    /* Chiyoda's provision log, for that person: pseudonyms only. */
    vrs_log_query query;
    memset(&query, 0, sizeof query);
    query.subject = (const uint8_t *)MY_NUMBER;
    query.subject_len = strlen(MY_NUMBER);
    if ((s = vrs_registry_provision_log(reg, chiyoda, TEXT(CHIYODA), &query, &json, &err)) !=
        VRS_OK) {
        rc = failed("provision log", s, err);
        goto done;
    }
    print_bytes("provision log", json);

    /* Seven years later the 2022 entries have passed their period: the purge removes them. */
    vrs_registry_set_time(reg, 20290302090000u);
    if ((s = vrs_registry_purge(reg, chiyoda, TEXT(CHIYODA), 20290302, &json, &err)) != VRS_OK) {
        rc = failed("purge", s, err);
        goto done;
    }
    print_bytes("purge", json);
    bool intact = false;
    if ((s = vrs_registry_verify_logs(reg, chiyoda, TEXT(CHIYODA), &intact, NULL, &err)) !=
        VRS_OK) {
        rc = failed("verify logs", s, err);
        goto done;
    }
    printf("logs verify: %s\n", intact ? "yes" : "no");
    rc = intact ? 0 : 1;

done:
    vrs_principal_free(op);
    vrs_principal_free(chiyoda);
    vrs_principal_free(minato);
    vrs_principal_free(venue);
    vrs_registry_free(reg);
    return rc;
}
