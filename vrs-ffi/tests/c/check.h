/* A minimal assertion helper shared by the C tests of libvrs (compiled by tests/c_api.rs). */
#ifndef VRS_TEST_CHECK_H
#define VRS_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

#include "vrs.h"

static int check_failures = 0;
static int check_passes = 0;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (cond) {                                                                    \
            check_passes++;                                                            \
        } else {                                                                       \
            check_failures++;                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
        }                                                                              \
    } while (0)

#define CHECK_STATUS(expr, want)                                                       \
    do {                                                                               \
        vrs_status got_ = (expr);                                                      \
        vrs_status want_ = (want);                                                     \
        if (got_ == want_) {                                                           \
            check_passes++;                                                            \
        } else {                                                                       \
            check_failures++;                                                          \
            fprintf(stderr, "%s:%d: %s returned %u (%s), expected %u (%s)\n", __FILE__, \
                    __LINE__, #expr, (unsigned)got_, vrs_status_message(got_),         \
                    (unsigned)want_, vrs_status_message(want_));                       \
        }                                                                              \
    } while (0)

/* A string literal as (const uint8_t *, size_t) without its NUL. */
#define LIT(s) (const uint8_t *)(s), (sizeof(s) - 1)

/* A NUL-terminated string as (const uint8_t *, size_t). */
#define STR(s) (const uint8_t *)(s), strlen(s)

/* True when `view` (a vrs_str) holds exactly the NUL-terminated `text`, itself NUL-terminated. */
static inline int str_is(vrs_str view, const char *text) {
    size_t n = strlen(text);
    return view.data != NULL && view.len == n && memcmp(view.data, text, n) == 0 &&
           view.data[n] == '\0';
}

/* True when `hay` (len bytes) contains the NUL-terminated `needle`. */
static inline int contains(const void *hay, size_t len, const char *needle) {
    size_t n = strlen(needle);
    const unsigned char *h = (const unsigned char *)hay;
    if (n == 0) {
        return 1;
    }
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(h + i, needle, n) == 0) {
            return 1;
        }
    }
    return 0;
}

static inline int check_done(const char *name) {
    printf("%s: %d passed, %d failed\n", name, check_passes, check_failures);
    return check_failures == 0 ? 0 : 1;
}

#endif
