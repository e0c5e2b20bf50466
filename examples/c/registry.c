/*
 * registry: a tour of the VRS registry through libvrs.
 *
 *   registry DIR [YYYYMMDDHHMMSS]
 *
 * Keeps its data in DIR: a key directory (DIR/keys, created with a random master.key on the first
 * run) and a SQLite store (DIR/store). The optional second argument pins the clock (Japan time);
 * without it the system clock is used. Then, as each role would:
 *
 *   operator   creates the tenant 131016 (千代田区) and registers the staff login "u1";
 *   staff      imports a subject registration file;
 *   venue      records a dose by scanning the voucher's OCR line;
 *   another municipality's staff is refused;
 *   staff      writes the ledger export to DIR/ledger.csv (it never holds a My Number);
 *   national   reads statistics (small counts are suppressed);
 *   operator   verifies the audit chain.
 *
 * Running it again is safe: the tenant exists, the file was imported, the dose was recorded.
 * Exit status: 0 on success, 1 when an operation failed, 2 for bad arguments.
 *
 * Every registry call takes the caller (a vrs_principal) and, last, an optional vrs_error **:
 * on failure it receives the details (a stable code such as "forbidden", the rule such as "D02",
 * messages in English and Japanese). Structured results come as JSON in a vrs_bytes.
 *
 * Build: see the Makefile next to this file (`make`, then `./registry /tmp/vrs-demo`).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrs.h"

#define TENANT "131016"

/* Room for DIR and the names the tour puts in it. */
#define PATH_LEN 4096

/* A text argument as (const uint8_t *, size_t). */
#define TEXT(s) (const uint8_t *)(s), strlen(s)

static const char SUBJECTS[] =
    "自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n"
    "131016,1001,123456789018,0000012345,千代田 花子,チヨダ ハナコ,19800101,2,20210501\r\n";

/* Voucher type 1, dose 1, municipality 131016, voucher 0000012345. */
static const char OCR_LINE[] = "111310160000012345";

/* Prints why `what` failed (status, code, English message) and frees the error. */
static int report(const char *what, vrs_status status, vrs_error *err) {
    vrs_error_info info;
    if (err != NULL && vrs_error_describe(err, &info) == VRS_OK) {
        fprintf(stderr, "registry: %s: %s (status %u, code %s%s%s)\n", what, info.message_en.data,
                (unsigned)status, info.code.data, info.rule.data != NULL ? ", rule " : "",
                info.rule.data != NULL ? info.rule.data : "");
    } else {
        fprintf(stderr, "registry: %s: %s (status %u)\n", what, vrs_status_message(status),
                (unsigned)status);
    }
    vrs_error_free(err);
    return 1;
}

/* Prints a JSON result with a label and frees it. */
static void print_json(const char *label, vrs_bytes *json) {
    printf("%s: %s\n", label, (const char *)vrs_bytes_data(json));
    vrs_bytes_free(json);
}

/* Opens the registry in `dir`, creating the key directory on the first run. */
static int open_registry(const char *dir, uint64_t now, vrs_registry **out) {
    char keys[PATH_LEN], store[PATH_LEN], master[PATH_LEN + 16];
    snprintf(keys, sizeof keys, "%s/keys", dir);
    snprintf(store, sizeof store, "%s/store", dir);
    snprintf(master, sizeof master, "%s/master.key", keys);
    vrs_error *err = NULL;
    vrs_status s;
    FILE *probe = fopen(master, "r");
    if (probe != NULL) {
        fclose(probe);
    } else {
        /* mode 0700, master.key 0600; in production keep keys in an HSM or KMS instead. */
        s = vrs_registry_create_key_dir(TEXT(keys), &err);
        if (s != VRS_OK) {
            return report("create keys", s, err);
        }
        printf("keys: created %s\n", keys);
    }
    vrs_registry_options opts;
    memset(&opts, 0, sizeof opts); /* all defaults: system clock, threshold 10, quota 10 */
    opts.fixed_time_yyyymmddhhmmss = now;
    s = vrs_registry_open(TEXT(store), TEXT(keys), &opts, out, &err);
    return s == VRS_OK ? 0 : report("open", s, err);
}

static int tour(vrs_registry *reg, const char *dir, vrs_principal *operator_,
                vrs_principal *staff, vrs_principal *venue, vrs_principal *outsider,
                vrs_principal *national) {
    vrs_error *err = NULL;
    vrs_bytes *json = NULL;

    /* Operator: the tenant and a staff login (registering twice does nothing). */
    vrs_status s = vrs_registry_create_tenant(reg, operator_, TEXT(TENANT), &err);
    if (s == VRS_TENANT_EXISTS) {
        vrs_error_free(err);
        err = NULL;
        printf("tenant %s: exists already\n", TENANT);
    } else if (s != VRS_OK) {
        return report("create tenant", s, err);
    } else {
        printf("tenant %s: created\n", TENANT);
    }
    s = vrs_registry_register_staff(reg, operator_, TEXT(TENANT), TEXT("u1"), &err);
    if (s != VRS_OK) {
        return report("register staff", s, err);
    }

    /* Staff: import the subject file (strict: all rows or none). */
    s = vrs_registry_import_subjects(reg, staff, TEXT(TENANT), (const uint8_t *)SUBJECTS,
                                     sizeof SUBJECTS - 1, VRS_IMPORT_STRICT, &json, &err);
    if (s != VRS_OK) {
        /* VRS_IMPORT_REJECTED: vrs_error_json(err) lists the rejected rows under "import". */
        return report("import", s, err);
    }
    print_json("import", json);

    /* Venue tablet: scan the OCR line, enter the dose. */
    vrs_dose_input dose;
    memset(&dose, 0, sizeof dose);
    dose.vaccinated_on_yyyymmdd = 20210630;
    dose.manufacturer = (const uint8_t *)"ファイザー";
    dose.manufacturer_len = strlen("ファイザー");
    dose.lot = (const uint8_t *)"FA5765";
    dose.lot_len = strlen("FA5765");
    dose.venue = (const uint8_t *)"区民会館";
    dose.venue_len = strlen("区民会館");
    dose.doctor = (const uint8_t *)"山田一郎";
    dose.doctor_len = strlen("山田一郎");
    s = vrs_registry_record_dose_ocr(reg, venue, TEXT(OCR_LINE), &dose, &json, &err);
    if (s != VRS_OK) {
        /* VRS_RULE: the error's rule says which (D02 future date, L01 after death...). */
        return report("record dose", s, err);
    }
    print_json("dose", json);

    /* Another municipality's staff may not read this subject: refused, and audited. */
    s = vrs_registry_subject_doses(reg, outsider, TEXT(TENANT), TEXT("1001"), &json, &err);
    if (s == VRS_FORBIDDEN) {
        vrs_error_info info;
        vrs_error_describe(err, &info);
        printf("refused: %s (%s)\n", info.code.data, info.message_en.data);
        vrs_error_free(err);
        err = NULL;
    } else if (s == VRS_OK) {
        vrs_bytes_free(json);
        fprintf(stderr, "registry: another municipality read the subject\n");
        return 1;
    } else {
        return report("subject doses", s, err);
    }

    /* Staff: the ledger export, as the CSV file's bytes. */
    vrs_bytes *csv = NULL;
    uint64_t rows = 0;
    s = vrs_registry_export_ledger(reg, staff, TEXT(TENANT), NULL, &csv, &rows, &err);
    if (s != VRS_OK) {
        return report("export", s, err);
    }
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/ledger.csv", dir);
    /* Names and doses are personal data: keep DIR where only its owner can read it (the
     * library creates DIR/keys and DIR/store with mode 0700; fopen uses the umask). */
    FILE *out = fopen(path, "wb");
    if (out == NULL || fwrite(vrs_bytes_data(csv), 1, vrs_bytes_len(csv), out) != vrs_bytes_len(csv)) {
        fprintf(stderr, "registry: cannot write %s\n", path);
        if (out != NULL) {
            fclose(out);
        }
        vrs_bytes_free(csv);
        return 1;
    }
    fclose(out);
    vrs_bytes_free(csv);
    printf("ledger: %" PRIu64 " row(s) -> %s\n", rows, path);

    /* National viewer: statistics by municipality and dose; small cells are suppressed. */
    const vrs_dimension by[] = {VRS_DIMENSION_MUNICIPALITY, VRS_DIMENSION_DOSE};
    s = vrs_registry_stats(reg, national, by, 2, &json, &err);
    if (s != VRS_OK) {
        return report("stats", s, err);
    }
    print_json("stats", json);

    /* Operator: the tenant's audit chain (every call above, refusals too). */
    bool ok = false;
    s = vrs_registry_verify_audit(reg, operator_, TEXT(TENANT), &ok, &json, &err);
    if (s != VRS_OK) {
        return report("verify audit", s, err);
    }
    print_json("audit", json);
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: registry DIR [YYYYMMDDHHMMSS]\n");
        return 2;
    }
    if (strlen(argv[1]) > PATH_LEN - 32) {
        fprintf(stderr, "registry: DIR is too long\n");
        return 2;
    }
    uint64_t now = 0;
    if (argc == 3) {
        char *end = NULL;
        now = strtoull(argv[2], &end, 10);
        if (end == argv[2] || *end != '\0') {
            fprintf(stderr, "usage: registry DIR [YYYYMMDDHHMMSS]\n");
            return 2;
        }
    }
    vrs_registry *reg = NULL;
    if (open_registry(argv[1], now, &reg) != 0) {
        return 1;
    }

    /* The host authenticates people and devices; the registry checks what each may do. */
    vrs_principal *operator_ = NULL, *staff = NULL, *venue = NULL, *outsider = NULL,
                  *national = NULL;
    int status = 1;
    if (vrs_principal_operator_new(&operator_) == VRS_OK &&
        vrs_principal_staff_new(TEXT(TENANT), TEXT("u1"), &staff) == VRS_OK &&
        vrs_principal_venue_new(TEXT(TENANT), &venue) == VRS_OK &&
        vrs_principal_staff_new(TEXT("131032"), TEXT("u1"), &outsider) == VRS_OK &&
        vrs_principal_national_new(&national) == VRS_OK) {
        status = tour(reg, argv[1], operator_, staff, venue, outsider, national);
    }
    vrs_principal_free(operator_);
    vrs_principal_free(staff);
    vrs_principal_free(venue);
    vrs_principal_free(outsider);
    vrs_principal_free(national);
    vrs_registry_free(reg);
    return status;
}
