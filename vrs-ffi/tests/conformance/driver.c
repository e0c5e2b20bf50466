/* The conformance corpus through the C ABI of libvrs, in one process.
 *
 * Usage: driver PLAN
 *
 * PLAN is the manifest flattened for C by vrs_conformance::corpus::drivers::plan (one directive
 * per line, TAB-separated, percent-encoded fields): `read` cases are validated with
 * vrs_validate_bytes, `write` cases written with vrs_writer_*. The results go to standard output
 * in the drivers' results format (`case`, `rows`, `encoding`, `diag`, `row`, `rowdiag`,
 * `output` lines), which tests/conformance.rs compares with the Rust runner's. Exit 0 when every
 * case ran (whatever its result), 1 when the plan or a call of the library failed. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrs.h"

#define MAX_FIELDS 16

static int failed = 0;

static void fail(const char *what, const char *id, vrs_status s) {
    fprintf(stderr, "driver: %s: %s: status %u (%s)\n", id, what, (unsigned)s, vrs_status_message(s));
    failed = 1;
}

/* Decodes %XX escapes in place; returns the decoded length. */
static size_t unescape(char *s) {
    char *out = s;
    const char *in = s;
    while (*in) {
        if (in[0] == '%' && in[1] && in[2]) {
            char hex[3] = {in[1], in[2], 0};
            *out++ = (char)strtol(hex, NULL, 16);
            in += 3;
        } else {
            *out++ = *in++;
        }
    }
    *out = 0;
    return (size_t)(out - s);
}

/* Splits `line` at TABs into at most MAX_FIELDS fields, each unescaped; returns the count. */
static size_t split(char *line, char **fields, size_t *lens) {
    size_t n = 0;
    char *p = line;
    for (;;) {
        char *tab = strchr(p, '\t');
        if (tab) {
            *tab = 0;
        }
        if (n < MAX_FIELDS) {
            fields[n] = p;
            lens[n] = unescape(p);
            n++;
        }
        if (!tab) {
            break;
        }
        p = tab + 1;
    }
    return n;
}

static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0) {
            break;
        }
        n += got;
    }
    fclose(f);
    *len = n;
    return buf;
}

static vrs_encoding encoding_of(const char *s) {
    switch (s[0]) {
    case '1':
        return VRS_ENCODING_UTF8;
    case '2':
        return VRS_ENCODING_CP932;
    default:
        return VRS_ENCODING_AUTO;
    }
}

/* Prints the diagnostics of `report` as `kind CODE LINE FIELD` lines. */
static void print_diagnostics(const vrs_report *report, const char *kind, const char *id) {
    size_t count = 0;
    vrs_status s = vrs_report_diagnostic_count(report, &count);
    if (s != VRS_OK) {
        fail("vrs_report_diagnostic_count", id, s);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        vrs_diagnostic d;
        s = vrs_report_diagnostic(report, i, &d);
        if (s != VRS_OK) {
            fail("vrs_report_diagnostic", id, s);
            return;
        }
        printf("%s\t%.*s\t%llu\t%zu\n", kind, (int)d.code.len, (const char *)d.code.data,
               (unsigned long long)d.line, d.field);
    }
}

static void run_read(char **f, size_t nf) {
    /* read ID LAYOUT PATH ENCODING AS-OF TENANT DOSE-BLOCKS HEADER MAX-DIAGNOSTICS */
    if (nf != 10) {
        fail("a read directive needs 10 fields", nf > 1 ? f[1] : "?", VRS_INVALID_ARGUMENT);
        return;
    }
    const char *id = f[1];
    size_t len = 0;
    unsigned char *data = read_file(f[3], &len);
    if (!data) {
        fprintf(stderr, "driver: %s: cannot read %s\n", id, f[3]);
        failed = 1;
        return;
    }
    vrs_validate_options o;
    memset(&o, 0, sizeof o);
    o.encoding = encoding_of(f[4]);
    o.as_of_yyyymmdd = (uint32_t)strtoul(f[5], NULL, 10);
    if (strcmp(f[6], "-") != 0) {
        o.tenant = (const uint8_t *)f[6];
        o.tenant_len = strlen(f[6]);
    }
    o.dose_blocks = (uint8_t)atoi(f[7]);
    o.no_header = f[8][0] == '0';
    o.max_diagnostics = (size_t)strtoul(f[9], NULL, 10);
    vrs_report *report = NULL;
    vrs_status s = vrs_validate_bytes((const uint8_t *)f[2], strlen(f[2]), data, len, &o, &report);
    free(data);
    if (s != VRS_OK) {
        fail("vrs_validate_bytes", id, s);
        return;
    }
    uint64_t rows = 0;
    vrs_report_row_count(report, &rows);
    printf("case\t%s\nrows\t%llu\n", id, (unsigned long long)rows);
    /* The report's JSON names the encoding; take it from there (`"encoding": "cp932"`). */
    vrs_bytes *json = NULL;
    const char *enc = "-";
    char enc_buf[16] = {0};
    if (vrs_report_json(report, &json) == VRS_OK) {
        const char *j = (const char *)vrs_bytes_data(json);
        const char *k = strstr(j, "\"encoding\": \"");
        if (k) {
            k += strlen("\"encoding\": \"");
            size_t n = strcspn(k, "\"");
            if (n < sizeof enc_buf) {
                memcpy(enc_buf, k, n);
                enc = enc_buf;
            }
        }
        vrs_bytes_free(json);
    }
    printf("encoding\t%s\n", enc);
    print_diagnostics(report, "diag", id);
    vrs_report_free(report);
}

/* The writer case being run. */
static vrs_writer *writer = NULL;
static char writer_id[512];
static uint64_t next_line = 0;

static void start_write(char **f, size_t nf) {
    /* write ID LAYOUT ENCODING AS-OF TENANT DOSE-BLOCKS HEADER BOM */
    if (nf != 9) {
        fail("a write directive needs 9 fields", nf > 1 ? f[1] : "?", VRS_INVALID_ARGUMENT);
        return;
    }
    snprintf(writer_id, sizeof writer_id, "%s", f[1]);
    vrs_write_options o;
    memset(&o, 0, sizeof o);
    o.encoding = encoding_of(f[3]);
    o.as_of_yyyymmdd = (uint32_t)strtoul(f[4], NULL, 10);
    if (strcmp(f[5], "-") != 0) {
        o.tenant = (const uint8_t *)f[5];
        o.tenant_len = strlen(f[5]);
    }
    o.dose_blocks = (uint8_t)atoi(f[6]);
    o.no_header = f[7][0] == '0';
    o.bom = f[8][0] == '1';
    vrs_status s = vrs_writer_new((const uint8_t *)f[2], strlen(f[2]), &o, &writer);
    if (s != VRS_OK) {
        fail("vrs_writer_new", writer_id, s);
        writer = NULL;
        return;
    }
    next_line = o.no_header ? 1 : 2;
    printf("case\t%s\n", writer_id);
}

static void end_row(void) {
    if (!writer) {
        return;
    }
    vrs_report *diags = NULL;
    vrs_status s = vrs_writer_end_row(writer, &diags);
    const char *outcome;
    if (s == VRS_OK) {
        outcome = "written";
    } else if (s == VRS_INVALID) {
        outcome = "rejected";
    } else if (s == VRS_ENCODING) {
        outcome = "unencodable";
    } else {
        fail("vrs_writer_end_row", writer_id, s);
        return;
    }
    printf("row\t%llu\t%s\n", (unsigned long long)next_line, outcome);
    if (diags) {
        print_diagnostics(diags, "rowdiag", writer_id);
        vrs_report_free(diags);
    }
    if (s == VRS_OK) {
        next_line++;
    }
}

static void end_write(void) {
    if (!writer) {
        return;
    }
    vrs_bytes *bytes = NULL;
    vrs_status s = vrs_writer_finish(writer, &bytes);
    if (s != VRS_OK) {
        fail("vrs_writer_finish", writer_id, s);
    } else {
        const uint8_t *b = vrs_bytes_data(bytes);
        size_t n = vrs_bytes_len(bytes);
        printf("output\t");
        for (size_t i = 0; i < n; i++) {
            printf("%02x", b[i]);
        }
        printf("\n");
        vrs_bytes_free(bytes);
    }
    vrs_writer_free(writer);
    writer = NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: driver PLAN\n");
        return 2;
    }
    FILE *plan = fopen(argv[1], "r");
    if (!plan) {
        fprintf(stderr, "driver: cannot open %s\n", argv[1]);
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    long cases = 0;
    while ((got = getline(&line, &cap, plan)) != -1) {
        if (got > 0 && line[got - 1] == '\n') {
            line[got - 1] = 0;
        }
        char *f[MAX_FIELDS];
        size_t lens[MAX_FIELDS];
        size_t nf = split(line, f, lens);
        if (strcmp(f[0], "read") == 0) {
            run_read(f, nf);
            cases++;
        } else if (strcmp(f[0], "write") == 0) {
            start_write(f, nf);
            cases++;
        } else if (strcmp(f[0], "set") == 0 && nf == 3) {
            if (writer) {
                vrs_status s = vrs_writer_set(writer, (const uint8_t *)f[1], lens[1], (const uint8_t *)f[2], lens[2]);
                if (s != VRS_OK) {
                    fail("vrs_writer_set", writer_id, s);
                }
            }
        } else if (strcmp(f[0], "row") == 0) {
            end_row();
        } else if (strcmp(f[0], "end") == 0) {
            end_write();
        } else if (f[0][0] != 0) {
            fprintf(stderr, "driver: unknown directive %s\n", f[0]);
            failed = 1;
        }
    }
    free(line);
    fclose(plan);
    fprintf(stderr, "driver: %ld cases\n", cases);
    return failed;
}
