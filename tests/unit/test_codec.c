/* Hex and base64: RFC 4648 §10 vectors, strictness, round trips. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include "check_main.h"

static void b64_ok(enum attest_b64_alphabet a, const char *text, const char *want)
{
    uint8_t *out = NULL;
    size_t len = 0;
    ck_assert_msg(attest_b64__decode(a, text, strlen(text), &out, &len) == ATTEST_OK, "%s",
                  text);
    ck_assert_uint_eq(len, strlen(want));
    ck_assert_int_eq(memcmp(out, want, len), 0);
    free(out);
}

static void b64_bad(enum attest_b64_alphabet a, const char *text)
{
    uint8_t *out = NULL;
    size_t len = 0;
    ck_assert_msg(attest_b64__decode(a, text, strlen(text), &out, &len) == ATTEST_E_PARSE,
                  "accepted \"%s\"", text);
    ck_assert_ptr_null(out);
}

START_TEST(test_codec_b64_rfc4648_vectors)
{
    static const char *const v[][2] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        char *enc = attest_b64__encode(ATTEST_B64_STD, (const uint8_t *)v[i][0],
                                       strlen(v[i][0]));
        ck_assert_str_eq(enc, v[i][1]);
        free(enc);
        b64_ok(ATTEST_B64_STD, v[i][1], v[i][0]);
        enc = attest_b64__encode(ATTEST_B64_URL, (const uint8_t *)v[i][0], strlen(v[i][0]));
        ck_assert_ptr_null(strchr(enc, '='));
        b64_ok(ATTEST_B64_URL, enc, v[i][0]);
        free(enc);
    }
    b64_ok(ATTEST_B64_STD, "Zg", "f"); /* padding optional */
    b64_ok(ATTEST_B64_URL, "-_-_", "\xfb\xff\xbf");
    b64_ok(ATTEST_B64_STD, "+/+/", "\xfb\xff\xbf");
}
END_TEST

START_TEST(test_codec_b64_rejects)
{
    b64_bad(ATTEST_B64_STD, "Z");         /* one char cannot hold a byte */
    b64_bad(ATTEST_B64_STD, "Zg=");       /* incomplete padding */
    b64_bad(ATTEST_B64_STD, "Zh==");      /* non-zero trailing bits */
    b64_bad(ATTEST_B64_STD, "Zm9=v");     /* padding in the middle */
    b64_bad(ATTEST_B64_STD, "Zm 9v");     /* whitespace */
    b64_bad(ATTEST_B64_STD, "-_-_");      /* url alphabet in std */
    b64_bad(ATTEST_B64_URL, "+/+/");      /* std alphabet in url */
    b64_bad(ATTEST_B64_STD, "====");
    b64_bad(ATTEST_B64_STD, "Zm9v\n");
}
END_TEST

START_TEST(test_codec_hex)
{
    uint8_t out[4];
    size_t len = 0;
    char text[9];
    ck_assert(attest_hex__decode("00fFa1", 6, out, sizeof(out), &len));
    ck_assert_uint_eq(len, 3);
    attest_hex__encode(out, len, text);
    ck_assert_str_eq(text, "00ffa1");
    ck_assert(!attest_hex__decode("0", 1, out, sizeof(out), &len));
    ck_assert(!attest_hex__decode("0g", 2, out, sizeof(out), &len));
    ck_assert(!attest_hex__decode("0011223344", 10, out, sizeof(out), &len));
    char *h = attest_hex__encode_alloc((const uint8_t *)"\x01\xab", 2);
    ck_assert_str_eq(h, "01ab");
    free(h);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("codec");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, test_codec_b64_rfc4648_vectors);
    tcase_add_test(tc, test_codec_b64_rejects);
    tcase_add_test(tc, test_codec_hex);
    suite_add_tcase(s, tc);
    return s;
}
