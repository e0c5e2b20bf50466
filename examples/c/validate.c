/*
 * validate: check a VRS exchange file with libvrs, the way `vrs-conformance validate` does.
 *
 *   validate [--doses N] [--encoding auto|utf-8|cp932] [--lang ja|en] [--json] LAYOUT FILE
 *
 * Prints one line per diagnostic, `line code column: message` (column `-` when the problem is not
 * in one field), then the counts; with --json prints the JSON report instead. Exit status as the
 * command line: 0 no errors (warnings allowed), 1 errors, 2 could not run.
 *
 * Build: see the Makefile next to this file (`make`, then `./validate ledger-export FILE`).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrs.h"

static int usage(void) {
    fprintf(stderr,
            "usage: validate [--doses N] [--encoding auto|utf-8|cp932] [--lang ja|en] [--json] "
            "LAYOUT FILE\n");
    return 2;
}

/* Reports a failed libvrs call and returns the "could not run" exit status. */
static int fail(const char *what, vrs_status status) {
    fprintf(stderr, "validate: %s: %s (status %u)\n", what, vrs_status_message(status),
            (unsigned)status);
    return 2;
}

/* Streams `file` through `validator` in 64 KiB chunks: constant memory for any file size. */
static int feed_file(vrs_validator *validator, FILE *file) {
    static uint8_t buf[64 * 1024];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, file)) > 0) {
        vrs_status s = vrs_validator_feed(validator, buf, n);
        if (s != VRS_OK) {
            return fail("feed", s);
        }
    }
    if (ferror(file)) {
        fprintf(stderr, "validate: read error\n");
        return 2;
    }
    return 0;
}

static int print_report(const vrs_report *report, int json) {
    if (json) {
        vrs_bytes *doc = NULL;
        vrs_status s = vrs_report_json(report, &doc);
        if (s != VRS_OK) {
            return fail("json", s);
        }
        printf("%s\n", (const char *)vrs_bytes_data(doc));
        vrs_bytes_free(doc);
    } else {
        size_t count = 0;
        vrs_report_diagnostic_count(report, &count);
        for (size_t i = 0; i < count; i++) {
            vrs_diagnostic d;
            vrs_status s = vrs_report_diagnostic(report, i, &d);
            if (s != VRS_OK) {
                return fail("diagnostic", s);
            }
            printf("%" PRIu64 " %s %s: %s\n", d.line, d.code.data,
                   d.column.data != NULL ? d.column.data : "-", d.message.data);
        }
    }
    uint64_t rows = 0, errors = 0, warnings = 0;
    bool truncated = false;
    vrs_report_row_count(report, &rows);
    vrs_report_error_count(report, &errors);
    vrs_report_warning_count(report, &warnings);
    vrs_report_truncated(report, &truncated);
    fprintf(json ? stderr : stdout, "rows: %" PRIu64 ", errors: %" PRIu64 ", warnings: %" PRIu64 "%s\n",
            rows, errors, warnings, truncated ? " (some diagnostics left out)" : "");
    return errors == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    vrs_validate_options opts;
    memset(&opts, 0, sizeof opts); /* all zero: the defaults */
    int json = 0;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--json") == 0) {
            json = 1;
        } else if (strcmp(arg, "--doses") == 0 && value != NULL) {
            char *end = NULL;
            long n = strtol(value, &end, 10);
            if (*end != '\0' || n < 1 || n > 9) {
                return usage();
            }
            opts.dose_blocks = (uint8_t)n;
            i++;
        } else if (strcmp(arg, "--encoding") == 0 && value != NULL) {
            if (strcmp(value, "auto") == 0) {
                opts.encoding = VRS_ENCODING_AUTO;
            } else if (strcmp(value, "utf-8") == 0) {
                opts.encoding = VRS_ENCODING_UTF8;
            } else if (strcmp(value, "cp932") == 0) {
                opts.encoding = VRS_ENCODING_CP932;
            } else {
                return usage();
            }
            i++;
        } else if (strcmp(arg, "--lang") == 0 && value != NULL) {
            if (strcmp(value, "ja") == 0) {
                opts.lang = VRS_LANG_JA;
            } else if (strcmp(value, "en") == 0) {
                opts.lang = VRS_LANG_EN;
            } else {
                return usage();
            }
            i++;
        } else {
            return usage();
        }
    }
    if (argc - i != 2) {
        return usage();
    }
    const char *layout = argv[i];
    const char *path = argv[i + 1];
    opts.file_name = (const uint8_t *)path;
    opts.file_name_len = strlen(path);

    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "validate: %s: %s\n", path, strerror(errno));
        return 2;
    }
    vrs_validator *validator = NULL;
    vrs_status s = vrs_validator_new((const uint8_t *)layout, strlen(layout), &opts, &validator);
    if (s != VRS_OK) {
        fclose(file);
        return fail(layout, s);
    }
    int rc = feed_file(validator, file);
    fclose(file);
    vrs_report *report = NULL;
    if (rc == 0) {
        s = vrs_validator_finish(validator, &report);
        rc = s == VRS_OK ? print_report(report, json) : fail("finish", s);
    }
    vrs_report_free(report);
    vrs_validator_free(validator);
    return rc;
}
