/*
 * Inquiries on a move through the C ABI: Chiyoda (131016) holds a resident with one dose, the
 * resident moves to Minato (131032), which asks by My Number: a match with Chiyoda's dose, then
 * the same no-match bytes for every kind of miss; refusals (own municipality, a venue tablet, a
 * basis not accepted on the day); a batch inquiry with its result file; the provision and
 * inquiry logs (read, searched, exported, verified). No output holds the My Number or the name.
 * Every handle is freed (valgrind checks it when installed).
 */
#include <stdlib.h>

#include "check.h"

#define MY_NUMBER "123456789018"
#define NOBODY "234567890121"
#define CHIYODA "131016"
#define MINATO "131032"
#define NAME "千代田 花子"
#define NO_MATCH "{\"outcome\":\"no-match\",\"providers\":[]}"

static const char SUBJECTS[] =
    "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n"
    "131016,1001," MY_NUMBER ",0000012345," NAME ",チヨダ ハナコ,19800101,2,20210501\r\n";

static const char BATCH[] =
    "個人番号,宛名番号\r\n" MY_NUMBER ",5001\r\n" NOBODY ",5002\r\n123456789019,5003\r\n";

static int bytes_have(const vrs_bytes *b, const char *needle) {
    return contains(vrs_bytes_data(b), vrs_bytes_len(b), needle);
}

static int bytes_are(const vrs_bytes *b, const char *text) {
    return vrs_bytes_len(b) == strlen(text) && memcmp(vrs_bytes_data(b), text, strlen(text)) == 0;
}

/* Nothing personal in `b`, then frees it. */
static void clean_and_free(vrs_bytes *b) {
    CHECK(b != NULL);
    if (b == NULL) {
        return;
    }
    CHECK(!bytes_have(b, MY_NUMBER) && !bytes_have(b, NOBODY) && !bytes_have(b, NAME));
    vrs_bytes_free(b);
}

/* `err` is there with `status`, holds no My Number; frees it. */
static void expect_error(vrs_error *err, vrs_status status) {
    CHECK(err != NULL);
    if (err == NULL) {
        return;
    }
    vrs_error_info info;
    CHECK_STATUS(vrs_error_describe(err, &info), VRS_OK);
    CHECK(info.status == status);
    CHECK(!contains(info.message_en.data, info.message_en.len, MY_NUMBER));
    CHECK(!contains(info.message_en.data, info.message_en.len, "123456789019"));
    vrs_error_free(err);
}

static vrs_inquiry_request request(const char *former, const char *my_number) {
    vrs_inquiry_request r;
    memset(&r, 0, sizeof r);
    if (former != NULL) {
        r.former = (const uint8_t *)former;
        r.former_len = strlen(former);
    }
    r.my_number = (const uint8_t *)my_number;
    r.my_number_len = strlen(my_number);
    r.legal_basis = VRS_LEGAL_BASIS_CONSENT_DIFFICULT;
    r.reference = (const uint8_t *)"M-1";
    r.reference_len = 3;
    return r;
}

int main(void) {
    CHECK(VRS_LEGAL_BASIS_CONSENT == 1 && VRS_LEGAL_BASIS_CONSENT_DIFFICULT == 2);
    CHECK(VRS_LOG_PROVISION == 1 && VRS_LOG_INQUIRY == 2);

    vrs_registry_options opts;
    memset(&opts, 0, sizeof opts);
    opts.fixed_time_yyyymmddhhmmss = 20220301090000ULL;
    uint8_t key[32];
    memset(key, 9, sizeof key);
    vrs_registry *reg = NULL;
    vrs_error *err = NULL;
    CHECK_STATUS(vrs_registry_open_memory(key, sizeof key, &opts, &reg, &err), VRS_OK);

    vrs_principal *operator = NULL, *chiyoda = NULL, *minato = NULL, *tablet = NULL;
    CHECK_STATUS(vrs_principal_operator_new(&operator), VRS_OK);
    CHECK_STATUS(vrs_principal_staff_new(LIT(CHIYODA), LIT("u1"), &chiyoda), VRS_OK);
    CHECK_STATUS(vrs_principal_staff_new(LIT(MINATO), LIT("m1"), &minato), VRS_OK);
    CHECK_STATUS(vrs_principal_venue_new(LIT(MINATO), &tablet), VRS_OK);
    CHECK_STATUS(vrs_registry_create_tenant(reg, operator, LIT(CHIYODA), &err), VRS_OK);
    CHECK_STATUS(vrs_registry_create_tenant(reg, operator, LIT(MINATO), &err), VRS_OK);
    CHECK_STATUS(vrs_registry_register_staff(reg, operator, LIT(CHIYODA), LIT("u1"), &err), VRS_OK);
    CHECK_STATUS(vrs_registry_register_staff(reg, operator, LIT(MINATO), LIT("m1"), &err), VRS_OK);

    vrs_bytes *json = NULL;
    CHECK_STATUS(vrs_registry_import_subjects(reg, chiyoda, LIT(CHIYODA), (const uint8_t *)SUBJECTS,
                                              sizeof SUBJECTS - 1, VRS_IMPORT_STRICT, &json, &err),
                 VRS_OK);
    vrs_bytes_free(json);
    vrs_dose_input dose;
    memset(&dose, 0, sizeof dose);
    dose.vaccinated_on_yyyymmdd = 20210601;
    dose.manufacturer = (const uint8_t *)"ファイザー";
    dose.manufacturer_len = strlen("ファイザー");
    dose.lot = (const uint8_t *)"FA5765";
    dose.lot_len = 6;
    CHECK_STATUS(vrs_registry_record_dose(reg, chiyoda, LIT(CHIYODA), LIT("0000012345"), 1, &dose,
                                          &json, &err),
                 VRS_OK);
    vrs_bytes_free(json);

    /* A match: Chiyoda's dose and nothing about the person. */
    vrs_inquiry_request r = request(CHIYODA, MY_NUMBER);
    json = NULL;
    CHECK_STATUS(vrs_registry_inquire(reg, minato, &r, &json, &err), VRS_OK);
    CHECK(json != NULL && bytes_have(json, "{\"outcome\":\"match\",\"providers\":[{\"provider\":\"131016\""));
    CHECK(json != NULL && bytes_have(json, "\"vaccinated_on\":\"2021-06-01\",\"voucher_number\":\"0000012345\""));
    CHECK(json != NULL && !bytes_have(json, "1001") && !bytes_have(json, "1980"));
    clean_and_free(json);

    /* Every miss is the same bytes, and none is an error. */
    const char *formers[] = {CHIYODA, NULL, "271004"};
    const char *numbers[] = {NOBODY, NOBODY, MY_NUMBER};
    for (size_t i = 0; i < 3; i++) {
        r = request(formers[i], numbers[i]);
        json = NULL;
        CHECK_STATUS(vrs_registry_inquire(reg, minato, &r, &json, &err), VRS_OK);
        CHECK(json != NULL && bytes_are(json, NO_MATCH));
        clean_and_free(json);
    }

    /* Refusals: own municipality, a tablet, consent without identity verification, a bad number. */
    r = request(CHIYODA, MY_NUMBER);
    json = (vrs_bytes *)&r; /* must stay untouched */
    CHECK_STATUS(vrs_registry_inquire(reg, chiyoda, &r, &json, &err), VRS_FORBIDDEN);
    CHECK(json == (vrs_bytes *)&r);
    expect_error(err, VRS_FORBIDDEN);
    err = NULL;
    json = NULL;
    CHECK_STATUS(vrs_registry_inquire(reg, tablet, &r, &json, &err), VRS_FORBIDDEN);
    expect_error(err, VRS_FORBIDDEN);
    err = NULL;
    r.legal_basis = VRS_LEGAL_BASIS_CONSENT;
    r.form_ref = (const uint8_t *)"F-1";
    r.form_ref_len = 3;
    CHECK_STATUS(vrs_registry_inquire(reg, minato, &r, &json, &err), VRS_FORBIDDEN);
    expect_error(err, VRS_FORBIDDEN);
    err = NULL;
    r.identity_verified = 1;
    CHECK_STATUS(vrs_registry_inquire(reg, minato, &r, &json, &err), VRS_OK);
    clean_and_free(json);
    r = request(NULL, "123456789019");
    CHECK_STATUS(vrs_registry_inquire(reg, minato, &r, &json, &err), VRS_INVALID_ARGUMENT);
    expect_error(err, VRS_INVALID_ARGUMENT);
    err = NULL;
    r = request(NULL, MY_NUMBER);
    r.reference = (const uint8_t *)MY_NUMBER;
    r.reference_len = 12;
    CHECK_STATUS(vrs_registry_inquire(reg, minato, &r, &json, &err), VRS_INVALID_ARGUMENT);
    expect_error(err, VRS_INVALID_ARGUMENT);
    err = NULL;
    CHECK_STATUS(vrs_registry_inquire(reg, minato, NULL, &json, &err), VRS_NULL_ARGUMENT);
    vrs_error_free(err);
    err = NULL;

    /* A batch: the result file and the outcome. */
    vrs_batch_inquiry_options bo;
    memset(&bo, 0, sizeof bo);
    bo.legal_basis = VRS_LEGAL_BASIS_CONSENT_DIFFICULT;
    vrs_bytes *result = NULL;
    json = NULL;
    CHECK_STATUS(vrs_registry_batch_inquire(reg, minato, (const uint8_t *)BATCH, sizeof BATCH - 1,
                                            &bo, &result, &json, &err),
                 VRS_OK);
    CHECK(json != NULL && bytes_have(json, "\"answered\":2,\"matched\":1,\"no_match\":1,\"rejected\":1"));
    CHECK(result != NULL && bytes_have(result, "\r\n5001,一致,131016,20210601,0000012345,131016,"));
    CHECK(result != NULL && bytes_have(result, "\r\n5002,該当なし,,"));
    clean_and_free(result);
    clean_and_free(json);

    /* The logs: Chiyoda's provision log, searched by the subject's My Number. */
    vrs_log_query q;
    memset(&q, 0, sizeof q);
    q.subject = (const uint8_t *)MY_NUMBER;
    q.subject_len = 12;
    json = NULL;
    CHECK_STATUS(vrs_registry_provision_log(reg, chiyoda, LIT(CHIYODA), &q, &json, &err), VRS_OK);
    CHECK(json != NULL && bytes_have(json, "\"log\":\"provision\",\"requester\":\"131032\""));
    CHECK(json != NULL && bytes_have(json, "\"seq\":3,"));
    clean_and_free(json);
    CHECK_STATUS(vrs_registry_provision_log(reg, minato, LIT(CHIYODA), NULL, &json, &err), VRS_FORBIDDEN);
    expect_error(err, VRS_FORBIDDEN);
    err = NULL;
    CHECK_STATUS(vrs_registry_inquiry_log(reg, minato, LIT(MINATO), NULL, &json, &err), VRS_OK);
    CHECK(json != NULL && bytes_have(json, "\"reference\":\"5002\""));
    clean_and_free(json);
    vrs_export_options eo;
    memset(&eo, 0, sizeof eo);
    eo.encoding = VRS_ENCODING_CP932;
    vrs_bytes *csv = NULL;
    uint64_t rows = 0;
    CHECK_STATUS(vrs_registry_export_log(reg, minato, LIT(MINATO), VRS_LOG_INQUIRY, NULL, &eo, &csv,
                                         &rows, &err),
                 VRS_OK);
    CHECK(rows == 7);
    clean_and_free(csv);
    bool ok = false;
    CHECK_STATUS(vrs_registry_verify_logs(reg, operator, LIT(CHIYODA), &ok, NULL, &err), VRS_OK);
    CHECK(ok);
    uint64_t entries = 0;
    CHECK_STATUS(vrs_registry_rebuild_inquiry_index(reg, operator, &entries, &err), VRS_OK);
    CHECK(entries == 1);

    vrs_principal_free(operator);
    vrs_principal_free(chiyoda);
    vrs_principal_free(minato);
    vrs_principal_free(tablet);
    vrs_registry_free(reg);
    return check_done("inquiry");
}
