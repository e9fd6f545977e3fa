/* Status codes are pinned API: values, bands and texts never change. */
#include <string.h>

#include <attest/attest.h>

#include "check_main.h"

START_TEST(test_status_values_are_pinned)
{
    static const struct {
        attest_status code;
        int value;
        const char *text;
    } pinned[] = {
        {ATTEST_OK, 0, "ok"},
        {ATTEST_E_ARG, -100, "invalid argument"},
        {ATTEST_E_NOMEM, -200, "out of memory"},
        {ATTEST_E_PARSE, -300, "malformed input"},
        {ATTEST_E_SIGNATURE, -400, "signature does not verify"},
        {ATTEST_E_CHAIN, -500, "certificate chain does not reach a trusted root"},
        {ATTEST_E_TCB, -600, "TCB mismatch or revoked TCB"},
        {ATTEST_E_REVOKED, -601, "revoked"},
        {ATTEST_E_BINDING, -700, "binding mismatch"},
        {ATTEST_E_POLICY, -800, "policy denied"},
        {ATTEST_E_EXPIRED, -900, "not valid at the verification time"},
        {ATTEST_E_UNSUPPORTED, -1000, "unsupported"},
        {ATTEST_E_NOT_FOUND, -1100, "not found"},
        {ATTEST_E_IO, -1200, "I/O error"},
        {ATTEST_E_INTERNAL, -1300, "internal error"},
    };
    for (size_t i = 0; i < sizeof(pinned) / sizeof(pinned[0]); i++) {
        ck_assert_int_eq((int)pinned[i].code, pinned[i].value);
        ck_assert_str_eq(attest_strerror(pinned[i].code), pinned[i].text);
    }
    ck_assert_str_eq(attest_strerror((attest_status)-4242), "unknown status");
}
END_TEST

START_TEST(test_status_bands)
{
    ck_assert_int_eq(attest_status_band(ATTEST_OK), ATTEST_OK);
    ck_assert_int_eq(attest_status_band(ATTEST_E_REVOKED), ATTEST_E_TCB);
    ck_assert_int_eq(attest_status_band(ATTEST_E_BINDING), ATTEST_E_BINDING);
    ck_assert_int_eq(attest_status_band((attest_status)-399), ATTEST_E_PARSE);
    ck_assert_int_eq(attest_status_band((attest_status)5), ATTEST_E_ARG);
}
END_TEST

START_TEST(test_status_version)
{
    ck_assert_str_eq(attest_version(), ATTEST_VERSION_STRING);
    ck_assert_uint_eq(attest_version_number(), ATTEST_VERSION_NUMBER);
    ck_assert_uint_eq(ATTEST_VERSION_NUMBER, ATTEST_VERSION_MAJOR * 10000u +
                                                 ATTEST_VERSION_MINOR * 100u +
                                                 ATTEST_VERSION_PATCH);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("status");
    TCase *tc = tcase_create("codes");
    tcase_add_test(tc, test_status_values_are_pinned);
    tcase_add_test(tc, test_status_bands);
    tcase_add_test(tc, test_status_version);
    suite_add_tcase(s, tc);
    return s;
}
