/* Version, status messages, identifiers, check digits and OCR lines through the C ABI. */
#include <stdlib.h>

#include "check.h"

static void version(void) {
    char macro_version[32];
    snprintf(macro_version, sizeof macro_version, "%d.%d.%d", VRS_VERSION_MAJOR,
             VRS_VERSION_MINOR, VRS_VERSION_PATCH);
    CHECK(strcmp(vrs_version(), VRS_VERSION) == 0);
    CHECK(strncmp(macro_version, VRS_VERSION, strlen(macro_version)) == 0);
}

static void status_messages(void) {
    for (vrs_status s = VRS_OK; s <= VRS_INDEX_OUT_OF_RANGE; s++) {
        const char *m = vrs_status_message(s);
        CHECK(m != NULL && strlen(m) > 0);
        CHECK(strcmp(m, "unknown status") != 0);
    }
    CHECK(strcmp(vrs_status_message(VRS_OK), "success") == 0);
    CHECK(strcmp(vrs_status_message(4242), "unknown status") == 0);
    CHECK(strcmp(vrs_status_message(UINT32_MAX), "unknown status") == 0);
    /* The numbers are part of the ABI. */
    CHECK(VRS_OK == 0 && VRS_INVALID == 1 && VRS_NULL_ARGUMENT == 2 && VRS_INVALID_UTF8 == 3);
    CHECK(VRS_ENCODING == 4 && VRS_IO == 5 && VRS_UNKNOWN_LAYOUT == 6 && VRS_PANIC == 7);
    CHECK(VRS_INSUFFICIENT_BUFFER == 8 && VRS_INVALID_STATE == 9 && VRS_UNKNOWN_COLUMN == 10);
    CHECK(VRS_INVALID_ARGUMENT == 11 && VRS_INDEX_OUT_OF_RANGE == 12);
}

static void identifiers(void) {
    CHECK_STATUS(vrs_id_check(VRS_ID_MUNICIPALITY_CODE, LIT("131016")), VRS_OK);
    CHECK_STATUS(vrs_id_check(VRS_ID_MUNICIPALITY_CODE, LIT("011002")), VRS_OK);
    CHECK_STATUS(vrs_id_check(VRS_ID_MUNICIPALITY_CODE, LIT("131017")), VRS_INVALID);
    CHECK_STATUS(vrs_id_check(VRS_ID_MUNICIPALITY_CODE, LIT("481001")), VRS_INVALID);
    CHECK_STATUS(vrs_id_check(VRS_ID_MUNICIPALITY_CODE, LIT("13101")), VRS_INVALID);
    CHECK_STATUS(vrs_id_check(VRS_ID_MY_NUMBER, LIT("123456789018")), VRS_OK);
    CHECK_STATUS(vrs_id_check(VRS_ID_MY_NUMBER, LIT("123456789013")), VRS_INVALID);
    CHECK_STATUS(vrs_id_check(VRS_ID_MY_NUMBER, LIT("1234-5678-9018")), VRS_INVALID);
    CHECK_STATUS(vrs_id_check(VRS_ID_VOUCHER_NUMBER, LIT("0000012345")), VRS_OK);
    CHECK_STATUS(vrs_id_check(VRS_ID_VOUCHER_NUMBER, LIT("000001234X")), VRS_INVALID);
    CHECK_STATUS(vrs_id_check(VRS_ID_OCR_LINE, LIT("111310160000012345")), VRS_OK);
    CHECK_STATUS(vrs_id_check(VRS_ID_OCR_LINE, LIT("101310160000012345")), VRS_INVALID);
    /* Full-width digits are not ASCII digits. */
    CHECK_STATUS(vrs_id_check(VRS_ID_MUNICIPALITY_CODE, LIT("\xef\xbc\x91\xef\xbc\x93" "1016")),
                 VRS_INVALID);
    /* The length is what counts, not a NUL: "131016" followed by garbage is cut at 6 bytes. */
    CHECK_STATUS(vrs_id_check(VRS_ID_MUNICIPALITY_CODE, (const uint8_t *)"131016999", 6), VRS_OK);
    /* An unknown kind is a bad argument, not an invalid identifier. */
    CHECK_STATUS(vrs_id_check(0, LIT("131016")), VRS_INVALID_ARGUMENT);
    CHECK_STATUS(vrs_id_check(5, LIT("131016")), VRS_INVALID_ARGUMENT);
    CHECK_STATUS(vrs_id_check(UINT32_MAX, LIT("131016")), VRS_INVALID_ARGUMENT);
}

static void check_digits(void) {
    uint8_t d = 99;
    CHECK_STATUS(vrs_municipality_check_digit(LIT("13101"), &d), VRS_OK);
    CHECK(d == 6);
    CHECK_STATUS(vrs_municipality_check_digit(LIT("01107"), &d), VRS_OK);
    CHECK(d == 0);
    d = 99;
    CHECK_STATUS(vrs_municipality_check_digit(LIT("1310"), &d), VRS_INVALID);
    CHECK_STATUS(vrs_municipality_check_digit(LIT("131016"), &d), VRS_INVALID);
    CHECK_STATUS(vrs_municipality_check_digit(LIT("1310a"), &d), VRS_INVALID);
    CHECK(d == 99);
    CHECK_STATUS(vrs_my_number_check_digit(LIT("12345678901"), &d), VRS_OK);
    CHECK(d == 8);
    CHECK_STATUS(vrs_my_number_check_digit(LIT("11000000000"), &d), VRS_OK);
    CHECK(d == 0);
    d = 99;
    CHECK_STATUS(vrs_my_number_check_digit(LIT("123456789012"), &d), VRS_INVALID);
    CHECK(d == 99);
}

static void ocr_lines(void) {
    vrs_ocr_line line;
    memset(&line, 0x7f, sizeof line);
    CHECK_STATUS(vrs_ocr_line_parse(LIT("131310160000012345"), &line), VRS_OK);
    CHECK(line.voucher_type == 1);
    CHECK(line.dose == 3);
    CHECK(strcmp(line.municipality, "131016") == 0);
    CHECK(strcmp(line.voucher_number, "0000012345") == 0);

    char buf[VRS_OCR_LINE_BUFFER_LEN];
    size_t len = 0;
    CHECK_STATUS(vrs_ocr_line_format(&line, buf, sizeof buf, &len), VRS_OK);
    CHECK(len == VRS_OCR_LINE_LEN);
    CHECK(strcmp(buf, "131310160000012345") == 0);
    CHECK_STATUS(vrs_ocr_line_format(&line, buf, sizeof buf, NULL), VRS_OK);

    /* Too small a buffer: nothing written, not even the length. */
    char small[18];
    memset(small, 'x', sizeof small);
    len = 77;
    CHECK_STATUS(vrs_ocr_line_format(&line, small, sizeof small, &len), VRS_INSUFFICIENT_BUFFER);
    CHECK(len == 77 && small[0] == 'x' && small[17] == 'x');
    CHECK_STATUS(vrs_ocr_line_format(&line, small, 0, &len), VRS_INSUFFICIENT_BUFFER);

    /* A struct built by hand. */
    vrs_ocr_line made = {2, 1, "011002", "9999999999"};
    CHECK_STATUS(vrs_ocr_line_format(&made, buf, sizeof buf, &len), VRS_OK);
    CHECK(strcmp(buf, "210110029999999999") == 0);
    made.dose = 0;
    CHECK_STATUS(vrs_ocr_line_format(&made, buf, sizeof buf, &len), VRS_INVALID);
    made.dose = 10;
    CHECK_STATUS(vrs_ocr_line_format(&made, buf, sizeof buf, &len), VRS_INVALID);
    made.dose = 1;
    made.voucher_type = 10;
    CHECK_STATUS(vrs_ocr_line_format(&made, buf, sizeof buf, &len), VRS_INVALID);
    made.voucher_type = 0;
    memcpy(made.municipality, "011003", 7); /* wrong check digit */
    CHECK_STATUS(vrs_ocr_line_format(&made, buf, sizeof buf, &len), VRS_INVALID);
    memcpy(made.municipality, "0110020", 7); /* no NUL inside the array */
    CHECK_STATUS(vrs_ocr_line_format(&made, buf, sizeof buf, &len), VRS_INVALID);
    memcpy(made.municipality, "011002", 7);
    memcpy(made.voucher_number, "123", 4); /* too short */
    CHECK_STATUS(vrs_ocr_line_format(&made, buf, sizeof buf, &len), VRS_INVALID);
    memcpy(made.voucher_number, "\xff\xfe", 3);
    CHECK_STATUS(vrs_ocr_line_format(&made, buf, sizeof buf, &len), VRS_INVALID_UTF8);

    /* Bad lines leave the output untouched. */
    memset(&line, 0x7f, sizeof line);
    CHECK_STATUS(vrs_ocr_line_parse(LIT("111310170000012345"), &line), VRS_INVALID);
    CHECK_STATUS(vrs_ocr_line_parse(LIT("11131016000001234"), &line), VRS_INVALID);
    CHECK_STATUS(vrs_ocr_line_parse(LIT("11 131016 0000012345"), &line), VRS_INVALID);
    CHECK(line.voucher_type == 0x7f && line.dose == 0x7f);
}

int main(void) {
    version();
    status_messages();
    identifiers();
    check_digits();
    ocr_lines();
    return check_done("basics");
}
