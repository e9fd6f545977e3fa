/* RFC 8785 canonicalisation: RFC appendix vectors, Trustee's vector, and rejections. */
#include "check_main.h"
#include <stdlib.h>
#include <string.h>

#include <attest/attest.h>

static attest_ctx *ctx;

static void setup(void)
{
    ck_assert_int_eq(attest_ctx_new(&ctx), ATTEST_OK);
}

static void teardown(void)
{
    attest_ctx_free(ctx);
}

static void expect_canon(const char *in, const char *want)
{
    char *out = NULL;
    size_t len = 0;
    attest_status rc = attest_json_canonicalize(ctx, in, strlen(in), &out, &len);
    ck_assert_msg(rc == ATTEST_OK, "%s: %s", in, attest_ctx_last_error(ctx));
    ck_assert_str_eq(out, want);
    ck_assert_uint_eq(len, strlen(want));
    attest_free(out);
}

static void expect_reject(const char *in, size_t len, const char *msg_part)
{
    char *out = (char *)"untouched";
    attest_status rc = attest_json_canonicalize(ctx, in, len, &out, NULL);
    ck_assert_int_eq(rc, ATTEST_E_PARSE);
    ck_assert_str_eq(out, "untouched");
    ck_assert_msg(strstr(attest_ctx_last_error(ctx), msg_part) != NULL, "message \"%s\"",
                  attest_ctx_last_error(ctx));
}

/* RFC 8785 Appendix B: IEEE-754 values and their ECMAScript serialisations. The inputs are
 * the shortest literals that parse to each double (Python repr). */
START_TEST(test_jcs_numbers_rfc8785_appendix_b)
{
    static const char *const cases[][2] = {
        {"5e-324", "5e-324"},
        {"-5e-324", "-5e-324"},
        {"1.7976931348623157e+308", "1.7976931348623157e+308"},
        {"-1.7976931348623157e+308", "-1.7976931348623157e+308"},
        {"9007199254740992.0", "9007199254740992"},
        {"-9007199254740992.0", "-9007199254740992"},
        {"2.9514790517935283e+20", "295147905179352830000"},
        {"9.999999999999997e+22", "9.999999999999997e+22"},
        {"1e+23", "1e+23"},
        {"1.0000000000000001e+23", "1.0000000000000001e+23"},
        {"9.999999999999997e+20", "999999999999999700000"},
        {"9.999999999999999e+20", "999999999999999900000"},
        {"1e+21", "1e+21"},
        {"9.999999999999997e-07", "9.999999999999997e-7"},
        {"1e-06", "0.000001"},
        {"333333333.3333332", "333333333.3333332"},
        {"333333333.33333325", "333333333.33333325"},
        {"333333333.3333333", "333333333.3333333"},
        {"333333333.3333334", "333333333.3333334"},
        {"333333333.33333343", "333333333.33333343"},
        {"-3.3333333333333333e-06", "-0.0000033333333333333333"},
        {"1424953923781206.2", "1424953923781206.2"},
        {"0.0", "0"},
        {"-0.0", "0"},
        {"-0", "0"},
        {"4.50", "4.5"},
        {"2e-3", "0.002"},
        {"1E30", "1e+30"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_canon(cases[i][0], cases[i][1]);
}
END_TEST

/* Integer literals that fit 64 bits stay exact (as in Python and serde_json). */
START_TEST(test_jcs_numbers_keep_64bit_integers)
{
    expect_canon("[9007199254740993,-9223372036854775808,18446744073709551615]",
                 "[9007199254740993,-9223372036854775808,18446744073709551615]");
    /* beyond 64 bits: through a double, as RFC 8785 says */
    expect_canon("18446744073709551616", "18446744073709552000");
}
END_TEST

/* RFC 8785 §3.2.2 example (strings, numbers, literals). */
START_TEST(test_jcs_rfc8785_example)
{
    expect_canon("{\"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, "
                 "0.000000000000000000000000001], \"string\": "
                 "\"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\", "
                 "\"literals\": [null, true, false]}",
                 "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,"
                 "0.002,1e-27],\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}
END_TEST

/* RFC 8785 §3.2.3: members sorted by UTF-16 code units (the emoji sorts before U+FB33). */
START_TEST(test_jcs_sorts_by_utf16_units)
{
    expect_canon("{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew\","
                 "\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji\",\"\\u0080\":\"Control\","
                 "\"\\u00f6\":\"o\"}",
                 "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\","
                 "\"\xc3\xb6\":\"o\",\"\xe2\x82\xac\":\"Euro Sign\","
                 "\"\xf0\x9f\x98\x80\":\"Emoji\",\"\xef\xac\xb3\":\"Hebrew\"}");
}
END_TEST

START_TEST(test_jcs_nesting_and_whitespace)
{
    expect_canon(" {\"b\" : [ 1 , {\"z\":null, \"a\" : [ ] } ], \"a\" : { } }\n\t",
                 "{\"a\":{},\"b\":[1,{\"a\":[],\"z\":null}]}");
    expect_canon("\"just a string\"", "\"just a string\"");
    expect_canon("[\"\\u0000\\u001f\\u007f\\b\\f\\t\"]", "[\"\\u0000\\u001f\x7f\\b\\f\\t\"]");
}
END_TEST

START_TEST(test_jcs_rejects_malformed)
{
    expect_reject("", 0, "unexpected end");
    expect_reject("{\"a\":1,}", 8, "member name");
    expect_reject("[1,]", 4, "unexpected character");
    expect_reject("{\"a\":1,\"a\":2}", 13, "duplicate member");
    expect_reject("01", 2, "trailing");
    expect_reject("1.", 2, "after '.'");
    expect_reject("1e", 2, "exponent");
    expect_reject("1e400", 5, "IEEE double");
    expect_reject("\"\\ud800\"", 8, "lone high surrogate");
    expect_reject("\"\\udc00\"", 8, "lone low surrogate");
    expect_reject("\"\\ud800\\u0041\"", 14, "low one");
    expect_reject("\"\xc0\xaf\"", 4, "invalid UTF-8");     /* overlong '/' */
    expect_reject("\"\xed\xa0\x80\"", 5, "invalid UTF-8"); /* encoded surrogate */
    expect_reject("\"\xf4\x90\x80\x80\"", 6, "invalid UTF-8"); /* above U+10FFFF */
    expect_reject("\"a\nb\"", 5, "control character");
    expect_reject("\"\\x\"", 4, "invalid escape");
    expect_reject("nul", 3, "unexpected character");
    expect_reject("[1] [2]", 7, "trailing");
    expect_reject("{\"a\" 1}", 7, "':'");
    expect_reject("\"abc", 4, "unterminated");
    /* an embedded NUL is not whitespace */
    expect_reject("{}\0", 3, "trailing");
}
END_TEST

START_TEST(test_jcs_rejects_deep_nesting)
{
    char deep[300];
    memset(deep, '[', 129);
    memset(deep + 129, ']', 129);
    expect_reject(deep, 258, "deeper than 128");
    /* 128 levels are fine */
    char ok[300];
    memset(ok, '[', 128);
    memset(ok + 128, ']', 128);
    ok[256] = '\0';
    expect_canon(ok, ok);
}
END_TEST

START_TEST(test_jcs_arguments)
{
    char *out = NULL;
    ck_assert_int_eq(attest_json_canonicalize(NULL, "1", 1, &out, NULL), ATTEST_E_ARG);
    ck_assert_int_eq(attest_json_canonicalize(ctx, NULL, 1, &out, NULL), ATTEST_E_ARG);
    ck_assert_int_eq(attest_json_canonicalize(ctx, "1", 1, NULL, NULL), ATTEST_E_ARG);
    ck_assert_ptr_null(out);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("jcs");
    TCase *tc = tcase_create("canonicalize");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_jcs_numbers_rfc8785_appendix_b);
    tcase_add_test(tc, test_jcs_numbers_keep_64bit_integers);
    tcase_add_test(tc, test_jcs_rfc8785_example);
    tcase_add_test(tc, test_jcs_sorts_by_utf16_units);
    tcase_add_test(tc, test_jcs_nesting_and_whitespace);
    tcase_add_test(tc, test_jcs_rejects_malformed);
    tcase_add_test(tc, test_jcs_rejects_deep_nesting);
    tcase_add_test(tc, test_jcs_arguments);
    suite_add_tcase(s, tc);
    return s;
}
