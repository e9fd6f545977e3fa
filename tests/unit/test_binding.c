/*
 * Binding digests and the comparison with evidence fields. Expected digests were computed
 * independently with Python:
 *   json.dumps(json.loads(s), sort_keys=True, separators=(',', ':'), ensure_ascii=False)
 *   hashlib.new(alg, canon.encode()).hexdigest()
 */
#include "check_main.h"
#include <string.h>

#include "internal.h"

static attest_ctx *ctx;

static void setup(void)
{
    ck_assert_int_eq(attest_ctx_new(&ctx), ATTEST_OK);
}

static void teardown(void)
{
    attest_ctx_free(ctx);
}

static void expect_digest(attest_data_kind kind, const char *data, attest_hash_alg alg,
                          const char *want_hex)
{
    uint8_t out[ATTEST_BINDING_MAX];
    size_t len = 0;
    char hex[2 * ATTEST_BINDING_MAX + 1];
    attest_status rc = attest_binding_digest(ctx, kind, (const uint8_t *)data, strlen(data),
                                             alg, out, sizeof(out), &len);
    ck_assert_msg(rc == ATTEST_OK, "%s", attest_ctx_last_error(ctx));
    attest_hex__encode(out, len, hex);
    ck_assert_str_eq(hex, want_hex);
}

START_TEST(test_binding_json_trustee_vector)
{
    /* the AS unit test vector (../shared/specs/attestation-service.md §3) */
    expect_digest(ATTEST_DATA_JSON, "{\"b\":1,\"a\":\"test\",\"c\":{\"d\":\"e\"}}",
                  ATTEST_HASH_SHA384,
                  "e71ce8e70d814ba6639c3612ebee0ff1f76f650f8dbb5e47157e0f3f525cd22c4597480a1864"
                  "27c813ca941da78870c3");
    expect_digest(ATTEST_DATA_JSON, "{\"b\":1,\"a\":\"test\",\"c\":{\"d\":\"e\"}}",
                  ATTEST_HASH_SHA256,
                  "0d8dd5ac935172b240a914b51902748584205d6af5f7713d78f4488652f0718d");
    expect_digest(ATTEST_DATA_JSON, "{\"b\":1,\"a\":\"test\",\"c\":{\"d\":\"e\"}}",
                  ATTEST_HASH_SHA512,
                  "ceca355572ea3a15280a0ca7976a2909a8cdf3717ae26ce8ce865ab050aca6de959583c3861c"
                  "7d35f21a02263cc4903de195f4e448ef68efef47ba1c0139456b");
}
END_TEST

START_TEST(test_binding_json_kbs_runtime_data)
{
    expect_digest(ATTEST_DATA_JSON,
                  "{\"nonce\":\"NQ8vz2bY3Fw\",\"tee-pubkey\":{\"kty\":\"EC\",\"crv\":\"P-256\","
                  "\"alg\":\"ES256\",\"x\":\"abc\",\"y\":\"def\"}}",
                  ATTEST_HASH_SHA384,
                  "d4fdbabda15a0ce2c1c5ac8547031a43bb15060ddc2c44946b1c5a101442d63354c6703d5fcf"
                  "a47248afc30329f6765a");
}
END_TEST

START_TEST(test_binding_json_nesting_escapes_unicode_numbers)
{
    const char *in = "{\"z\":[1,2,{\"y\":\"\\u00e9\\u4e2d\\ud83d\\ude00\",\"x\":\"tab\\tq\\\"b"
                     "\\\\s\\u0001\"}],\"a\":{\"nested\":{\"deep\":[true,false,null,-7,0,"
                     "12345678901234]}}}";
    expect_digest(ATTEST_DATA_JSON, in, ATTEST_HASH_SHA256,
                  "3e1fc53c265890cc6d78eb14be74356b3860969af08c9f20004bef796c49c452");
    expect_digest(ATTEST_DATA_JSON, in, ATTEST_HASH_SHA384,
                  "9f40049de40714687797a953935e9ec36692495077084836542d09712c65de0f3530579efbaf"
                  "59e3e7b9067cfbeaa463");
    expect_digest(ATTEST_DATA_JSON, in, ATTEST_HASH_SHA512,
                  "721c4909ffa29e0fdc34a506db129fef1c264184e4e026628720664e13b9e97ceaa8b5a4dc53"
                  "ec463e6e94fe6186f16daf8460097e9863e129f78a3a6a40fe15");
    expect_digest(ATTEST_DATA_JSON, "[]", ATTEST_HASH_SHA384,
                  "562109b054cb4428fc53607b107c0acdf91de434b990a0295f516ef2aad79efc902238944e76"
                  "d42f21bcf710bfa4c554");
    expect_digest(ATTEST_DATA_JSON, "\"caf\\u00e9\"", ATTEST_HASH_SHA256,
                  "28380feb8724d669bc8d4cf5b5a5bb1adbdc61b81ebd06f3fabc567b4f3b0fc5");
}
END_TEST

START_TEST(test_binding_raw_kinds)
{
    expect_digest(ATTEST_DATA_RAW_HASHED, "hello", ATTEST_HASH_SHA384,
                  "59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f903"
                  "97bdf5f6a13de828684f");
    expect_digest(ATTEST_DATA_RAW_HASHED, "hello", ATTEST_HASH_SHA256,
                  "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    /* raw is the value itself, algorithm ignored */
    expect_digest(ATTEST_DATA_RAW, "hello", (attest_hash_alg)99, "68656c6c6f");
}
END_TEST

START_TEST(test_binding_rejects_bad_arguments)
{
    uint8_t out[ATTEST_BINDING_MAX], small[16];
    size_t len = 1234;
    uint8_t big[65] = {0};

    ck_assert_int_eq(attest_binding_digest(ctx, ATTEST_DATA_RAW, big, sizeof(big),
                                           ATTEST_HASH_SHA384, out, sizeof(out), &len),
                     ATTEST_E_ARG);
    ck_assert_int_eq(attest_binding_digest(ctx, ATTEST_DATA_RAW_HASHED, big, 1,
                                           ATTEST_HASH_SHA384, small, sizeof(small), &len),
                     ATTEST_E_ARG);
    ck_assert_int_eq(attest_binding_digest(ctx, (attest_data_kind)7, big, 1,
                                           ATTEST_HASH_SHA384, out, sizeof(out), &len),
                     ATTEST_E_ARG);
    ck_assert_int_eq(attest_binding_digest(ctx, ATTEST_DATA_JSON, (const uint8_t *)"{", 1,
                                           ATTEST_HASH_SHA384, out, sizeof(out), &len),
                     ATTEST_E_PARSE);
    ck_assert_uint_eq(len, 1234); /* untouched on failure */
    ck_assert_int_eq(attest_binding_digest(NULL, ATTEST_DATA_RAW, big, 1, ATTEST_HASH_SHA384,
                                           out, sizeof(out), &len),
                     ATTEST_E_ARG);
}
END_TEST

START_TEST(test_binding_hash_names)
{
    attest_hash_alg alg = ATTEST_HASH_SHA512;
    ck_assert_int_eq(attest_hash_alg_from_name("SHA256", &alg), ATTEST_OK);
    ck_assert_int_eq(alg, ATTEST_HASH_SHA256);
    ck_assert_int_eq(attest_hash_alg_from_name("sha384", &alg), ATTEST_OK);
    ck_assert_int_eq(alg, ATTEST_HASH_SHA384);
    ck_assert_int_eq(attest_hash_alg_from_name("sm3", &alg), ATTEST_E_UNSUPPORTED);
    ck_assert_int_eq(alg, ATTEST_HASH_SHA384);
    ck_assert_str_eq(attest_hash_alg_name(ATTEST_HASH_SHA512), "sha512");
    ck_assert_ptr_null(attest_hash_alg_name((attest_hash_alg)42));
    ck_assert_uint_eq(attest_hash_alg_size(ATTEST_HASH_SHA256), 32);
    ck_assert_uint_eq(attest_hash_alg_size(ATTEST_HASH_SHA384), 48);
    ck_assert_uint_eq(attest_hash_alg_size(ATTEST_HASH_SHA512), 64);
    ck_assert_uint_eq(attest_hash_alg_size((attest_hash_alg)42), 0);
}
END_TEST

/* The comparison: expected zero-padded to the field; longer is an error. */
START_TEST(test_binding_check_pads_and_compares)
{
    struct attest_expect e = {.set = true, .len = 3};
    uint8_t field[64] = {1, 2, 3};
    memcpy(e.value, field, 3);

    ck_assert_int_eq(attest_binding__check(ctx, "t", "report_data", "runtime data", &e, field,
                                           64), ATTEST_OK);
    field[63] = 1; /* a non-zero byte in the padding */
    ck_assert_int_eq(attest_binding__check(ctx, "t", "report_data", "runtime data", &e, field,
                                           64), ATTEST_E_BINDING);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx),
                                 "t: report_data does not match the expected runtime data"));
    ck_assert_int_eq(attest_binding__check(ctx, "t", "report_data", "runtime data", &e, field,
                                           2), ATTEST_E_BINDING);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "got 3 bytes, want at most 2"));
    struct attest_expect unset = {.set = false};
    ck_assert_int_eq(attest_binding__check(ctx, "t", "f", "x", &unset, field, 64), ATTEST_OK);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("binding");
    TCase *tc = tcase_create("bind");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_binding_json_trustee_vector);
    tcase_add_test(tc, test_binding_json_kbs_runtime_data);
    tcase_add_test(tc, test_binding_json_nesting_escapes_unicode_numbers);
    tcase_add_test(tc, test_binding_raw_kinds);
    tcase_add_test(tc, test_binding_rejects_bad_arguments);
    tcase_add_test(tc, test_binding_hash_names);
    tcase_add_test(tc, test_binding_check_pads_and_compares);
    suite_add_tcase(s, tc);
    return s;
}
