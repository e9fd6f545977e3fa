/*
 * The sample TEE through the public API: collect, detect, verify, bind, claims, and every
 * way its evidence can be wrong.
 */
#include <stdlib.h>
#include <string.h>

#include <attest/attest.h>

#include "check_main.h"

static attest_ctx *ctx;

/* base64 of 65 zero bytes: one byte more than any report data field holds */
#define B64_65_ZERO_BYTES                                                                  \
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

static void setup(void)
{
    ck_assert_int_eq(attest_ctx_new(&ctx), ATTEST_OK);
}

static void teardown(void)
{
    attest_ctx_free(ctx);
}

/* Verify text evidence; returns the status, *res set on success. */
static attest_status verify_text(const char *tee, const char *ev, const char *runtime_json,
                                 attest_result **res)
{
    attest_request *req = NULL;
    attest_status rc = attest_request_new(&req, tee, (const uint8_t *)ev, strlen(ev));
    ck_assert_int_eq(rc, ATTEST_OK);
    if (runtime_json != NULL)
        ck_assert_int_eq(attest_request_set_runtime_data(req, ATTEST_DATA_JSON,
                                                         (const uint8_t *)runtime_json,
                                                         strlen(runtime_json),
                                                         ATTEST_HASH_SHA384),
                         ATTEST_OK);
    rc = attest_verify(ctx, req, res);
    attest_request_free(req);
    return rc;
}

static void expect_rejected(const char *ev, attest_status code, const char *msg_part)
{
    attest_result *res = NULL;
    ck_assert_int_eq(verify_text("sample", ev, NULL, &res), code);
    ck_assert_ptr_null(res);
    ck_assert_msg(strstr(attest_ctx_last_error(ctx), msg_part) != NULL, "message \"%s\"",
                  attest_ctx_last_error(ctx));
}

/* Collect with report data = sha384(JCS(runtime)), then verify with the same runtime. */
START_TEST(test_sample_collect_then_verify)
{
    const char *runtime = "{\"tee-pubkey\":{\"kty\":\"EC\"},\"nonce\":\"n-1\"}";
    uint8_t rd[ATTEST_BINDING_MAX];
    size_t rd_len;
    attest_attester *att = NULL;
    attest_evidence *ev = NULL;

    ck_assert_int_eq(attest_binding_digest(ctx, ATTEST_DATA_JSON, (const uint8_t *)runtime,
                                           strlen(runtime), ATTEST_HASH_SHA384, rd, sizeof(rd),
                                           &rd_len),
                     ATTEST_OK);
    ck_assert_int_eq(attest_attester_new(&att, ctx, "sample"), ATTEST_OK);
    ck_assert_str_eq(attest_attester_tee(att), "sample");
    ck_assert_int_eq(attest_attester_collect(att, rd, rd_len, &ev), ATTEST_OK);
    ck_assert_str_eq(attest_evidence_tee(ev), "sample");
    size_t len;
    const uint8_t *data = attest_evidence_data(ev, &len);

    attest_request *req;
    attest_result *res = NULL;
    ck_assert_int_eq(attest_request_new(&req, NULL, data, len), ATTEST_OK); /* detect */
    ck_assert_int_eq(attest_request_set_runtime_data(req, ATTEST_DATA_JSON,
                                                     (const uint8_t *)runtime, strlen(runtime),
                                                     ATTEST_HASH_SHA384),
                     ATTEST_OK);
    ck_assert_int_eq(attest_verify(ctx, req, &res), ATTEST_OK);
    ck_assert_str_eq(attest_result_tee(res), "sample");
    ck_assert_str_eq(attest_result_tcb_status(res), "NotHardwareBacked");
    ck_assert_int_eq(attest_result_hardware_backed(res), 0);
    ck_assert_int_eq(attest_result_verdict(res), ATTEST_VERDICT_WARNING);
    ck_assert_str_eq(attest_verdict_name(attest_result_verdict(res)), "warning");
    ck_assert_ptr_null(attest_verdict_name((attest_verdict)9));
    ck_assert_int_eq(attest_result_verdict(NULL), ATTEST_VERDICT_CONTRAINDICATED);

    const char *svn;
    int64_t major;
    int debug = -1;
    ck_assert_int_eq(attest_result_claim_string(res, "sample.svn", &svn), ATTEST_OK);
    ck_assert_str_eq(svn, "1");
    ck_assert_int_eq(attest_result_claim_int(res, "sample.platform_version.major", &major),
                     ATTEST_OK);
    ck_assert_int_eq(major, 1);
    ck_assert_int_eq(attest_result_claim_bool(res, "sample.debug", &debug), ATTEST_OK);
    ck_assert_int_eq(debug, 0);
    const char *hex;
    ck_assert_int_eq(attest_result_claim_string(res, "report_data", &hex), ATTEST_OK);
    ck_assert_uint_eq(strlen(hex), 96);
    ck_assert_int_eq(attest_result_claim_string(res, "sample.nothing", &svn),
                     ATTEST_E_NOT_FOUND);
    ck_assert_int_eq(attest_result_claim_int(res, "sample.svn", &major), ATTEST_E_NOT_FOUND);
    ck_assert_int_eq(attest_result_claim_bool(res, "sample.svn", &debug), ATTEST_E_NOT_FOUND);
    char *json = NULL;
    ck_assert_int_eq(attest_result_claim_json(res, "sample.platform_version", &json),
                     ATTEST_OK);
    ck_assert_str_eq(json, "{\"major\":1,\"minor\":4}");
    attest_free(json);

    /* leaf names, in document order */
    ck_assert_uint_eq(attest_result_claim_count(res), 7);
    ck_assert_str_eq(attest_result_claim_name(res, 0), "sample.svn");
    ck_assert_str_eq(attest_result_claim_name(res, 3), "sample.platform_version.major");
    ck_assert_str_eq(attest_result_claim_name(res, 6), "report_data");
    ck_assert_ptr_null(attest_result_claim_name(res, 7));

    attest_result_free(res);
    attest_request_free(req);
    attest_evidence_free(ev);
    attest_attester_free(att);
}
END_TEST

/* Trustee's own sample evidence shape: report_data is base64 of the raw value. */
START_TEST(test_sample_binding_mismatch_is_an_error)
{
    attest_result *res = NULL;
    /* report_data = base64(sha384(JCS({"a":1}))) would match; this is another value */
    ck_assert_int_eq(verify_text("sample", "{\"svn\":\"1\",\"report_data\":\"AAECAw==\"}",
                                 "{\"a\":1}", &res),
                     ATTEST_E_BINDING);
    ck_assert_ptr_null(res);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx),
                                 "longer than report_data (got 48 bytes, want at most 4)"));

    /* right length, wrong bytes */
    uint8_t rd[48];
    size_t rd_len;
    ck_assert_int_eq(attest_binding_digest(ctx, ATTEST_DATA_JSON, (const uint8_t *)"{\"a\":2}",
                                           7, ATTEST_HASH_SHA384, rd, sizeof(rd), &rd_len),
                     ATTEST_OK);
    attest_attester *att;
    attest_evidence *ev;
    ck_assert_int_eq(attest_attester_new(&att, ctx, "sample"), ATTEST_OK);
    ck_assert_int_eq(attest_attester_collect(att, rd, rd_len, &ev), ATTEST_OK);
    ck_assert_int_eq(verify_text("sample", (const char *)attest_evidence_data(ev, NULL),
                                 "{\"a\":1}", &res),
                     ATTEST_E_BINDING);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx),
                                 "sample: report_data does not match the expected runtime data"));
    /* and the matching one passes */
    ck_assert_int_eq(verify_text("sample", (const char *)attest_evidence_data(ev, NULL),
                                 "{\"a\":2}", &res),
                     ATTEST_OK);
    attest_result_free(res);
    attest_evidence_free(ev);
    attest_attester_free(att);
}
END_TEST

START_TEST(test_sample_raw_runtime_data_is_exact_and_zero_padded)
{
    attest_request *req;
    attest_result *res = NULL;
    const char *ev = "{\"svn\":\"1\",\"report_data\":\"AQIDAAAA\"}"; /* 01 02 03 00 00 00 */
    ck_assert_int_eq(attest_request_new(&req, "sample", (const uint8_t *)ev, strlen(ev)),
                     ATTEST_OK);
    ck_assert_int_eq(attest_request_set_runtime_data(req, ATTEST_DATA_RAW,
                                                     (const uint8_t *)"\x01\x02\x03", 3,
                                                     ATTEST_HASH_SHA384),
                     ATTEST_OK);
    ck_assert_int_eq(attest_verify(ctx, req, &res), ATTEST_OK);
    attest_result_free(res);
    res = NULL;
    ck_assert_int_eq(attest_request_set_runtime_data(req, ATTEST_DATA_RAW,
                                                     (const uint8_t *)"\x01\x02\x04", 3,
                                                     ATTEST_HASH_SHA384),
                     ATTEST_OK);
    ck_assert_int_eq(attest_verify(ctx, req, &res), ATTEST_E_BINDING);
    ck_assert_ptr_null(res);
    attest_request_free(req);
}
END_TEST

START_TEST(test_sample_init_data)
{
    attest_request *req;
    attest_result *res = NULL;
    /* init_data = 32 bytes of 0x11 */
    const char *with = "{\"svn\":\"1\",\"init_data\":\"ERERERERERERERERERERERERERERERERERERERERERE=\"}";
    const char *without = "{\"svn\":\"1\"}";
    uint8_t id[32];
    memset(id, 0x11, sizeof(id));

    ck_assert_int_eq(attest_request_new(&req, "sample", (const uint8_t *)with, strlen(with)),
                     ATTEST_OK);
    ck_assert_int_eq(attest_request_set_init_data(req, ATTEST_DATA_RAW, id, 32,
                                                  ATTEST_HASH_SHA256),
                     ATTEST_OK);
    ck_assert_int_eq(attest_verify(ctx, req, &res), ATTEST_OK);
    const char *hex;
    ck_assert_int_eq(attest_result_claim_string(res, "init_data", &hex), ATTEST_OK);
    ck_assert_str_eq(hex, "1111111111111111111111111111111111111111111111111111111111111111");
    attest_result_free(res);
    res = NULL;
    id[31] = 0x12;
    ck_assert_int_eq(attest_request_set_init_data(req, ATTEST_DATA_RAW, id, 32,
                                                  ATTEST_HASH_SHA256),
                     ATTEST_OK);
    ck_assert_int_eq(attest_verify(ctx, req, &res), ATTEST_E_BINDING);
    attest_request_free(req);

    ck_assert_int_eq(attest_request_new(&req, "sample", (const uint8_t *)without,
                                        strlen(without)),
                     ATTEST_OK);
    ck_assert_int_eq(attest_request_set_init_data(req, ATTEST_DATA_RAW, id, 32,
                                                  ATTEST_HASH_SHA256),
                     ATTEST_OK);
    ck_assert_int_eq(attest_verify(ctx, req, &res), ATTEST_E_BINDING);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "no init_data"));
    ck_assert_ptr_null(res);
    attest_request_free(req);
}
END_TEST

START_TEST(test_sample_rejects_malformed)
{
    expect_rejected("{\"svn\":\"1\"", ATTEST_E_PARSE, "not JSON");        /* truncated */
    expect_rejected("[\"svn\"]", ATTEST_E_PARSE, "not a JSON object");
    expect_rejected("{\"report_data\":\"\"}", ATTEST_E_PARSE, "svn is missing");
    expect_rejected("{\"svn\":1}", ATTEST_E_PARSE, "svn is not a string");
    expect_rejected("{\"svn\":\"1\",\"report_data\":7}", ATTEST_E_PARSE,
                    "report_data is not a string");
    expect_rejected("{\"svn\":\"1\",\"report_data\":\"***\"}", ATTEST_E_PARSE,
                    "report_data is not valid base64");
    /* 65 bytes: oversized */
    expect_rejected("{\"svn\":\"1\",\"report_data\":\"" B64_65_ZERO_BYTES "\"}",
                    ATTEST_E_PARSE, "got 65 bytes, want at most 64");
    expect_rejected("{\"svn\":\"1\",\"debug\":\"no\"}", ATTEST_E_PARSE, "debug is not a boolean");
    expect_rejected("{\"svn\":\"1\",\"platform_version\":{\"major\":1.5,\"minor\":0}}",
                    ATTEST_E_PARSE, "platform_version.major");
    expect_rejected("{\"svn\":\"1\",\"platform_version\":[]}", ATTEST_E_PARSE,
                    "platform_version is not an object");
    expect_rejected("{\"svn\":\"1\",\"init_data\":\"=\"}", ATTEST_E_PARSE,
                    "init_data is not valid base64");
}
END_TEST

START_TEST(test_sample_evidence_may_set_claims)
{
    attest_result *res = NULL;
    ck_assert_int_eq(verify_text(NULL, "{\"svn\":\"7\",\"launch_digest\":\"ff\",\"debug\":true,"
                                       "\"platform_version\":{\"major\":2,\"minor\":0},"
                                       "\"unknown\":[1]}",
                                 NULL, &res),
                     ATTEST_OK);
    ck_assert_str_eq(attest_result_claims_json(res),
                     "{\"sample\":{\"svn\":\"7\",\"report_data\":\"\",\"launch_digest\":\"ff\","
                     "\"platform_version\":{\"major\":2,\"minor\":0},\"debug\":true}}");
    attest_result_free(res);
}
END_TEST

START_TEST(test_sample_detection_and_tee_names)
{
    attest_request *req = NULL;
    attest_result *res = NULL;
    const char *junk = "\x01\x02garbage";
    ck_assert_int_eq(attest_request_new(&req, NULL, (const uint8_t *)junk, strlen(junk)),
                     ATTEST_OK);
    ck_assert_int_eq(attest_verify(ctx, req, &res), ATTEST_E_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "not recognised"));
    attest_request_free(req);

    ck_assert_int_eq(attest_request_new(&req, "no-such-tee", (const uint8_t *)"{}", 2),
                     ATTEST_E_UNSUPPORTED);
    ck_assert_int_eq(attest_request_new(&req, "sample", NULL, 2), ATTEST_E_ARG);
    ck_assert_int_eq(attest_request_new(&req, "sample", (const uint8_t *)"{}", 0), ATTEST_E_ARG);
    ck_assert_int_eq(attest_request_new(NULL, "sample", (const uint8_t *)"{}", 2), ATTEST_E_ARG);

    int found = 0;
    for (size_t i = 0; i < attest_tee_count(); i++)
        found |= strcmp(attest_tee_name(i), "sample") == 0;
    ck_assert(found);
    ck_assert_ptr_null(attest_tee_name(attest_tee_count()));
}
END_TEST

START_TEST(test_sample_attester_arguments)
{
    attest_attester *att = NULL;
    attest_evidence *ev = NULL;
    uint8_t big[65] = {0};
    /* "auto" never picks the sample TEE */
    attest_status rc = attest_attester_new(&att, ctx, "auto");
    ck_assert(rc == ATTEST_E_NOT_FOUND || (rc == ATTEST_OK &&
                                           strcmp(attest_attester_tee(att), "sample") != 0));
    attest_attester_free(att);
    att = NULL;
    ck_assert_int_eq(attest_attester_new(&att, ctx, "nope"), ATTEST_E_UNSUPPORTED);
    ck_assert_int_eq(attest_attester_new(&att, NULL, "sample"), ATTEST_E_ARG);
    ck_assert_int_eq(attest_attester_new(&att, ctx, "sample"), ATTEST_OK);
    ck_assert_int_eq(attest_attester_collect(att, big, sizeof(big), &ev), ATTEST_E_ARG);
    ck_assert_ptr_null(ev);
    ck_assert_int_eq(attest_attester_collect(att, NULL, 0, &ev), ATTEST_OK);
    ck_assert_str_eq((const char *)attest_evidence_data(ev, NULL),
                     "{\"svn\":\"1\",\"report_data\":\"\"}");
    attest_evidence_free(ev);
    attest_attester_free(att);
    attest_attester_free(NULL);
    attest_evidence_free(NULL);
    attest_result_free(NULL);
    attest_request_free(NULL);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("sample");
    TCase *tc = tcase_create("verify");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_sample_collect_then_verify);
    tcase_add_test(tc, test_sample_binding_mismatch_is_an_error);
    tcase_add_test(tc, test_sample_raw_runtime_data_is_exact_and_zero_padded);
    tcase_add_test(tc, test_sample_init_data);
    tcase_add_test(tc, test_sample_rejects_malformed);
    tcase_add_test(tc, test_sample_evidence_may_set_claims);
    tcase_add_test(tc, test_sample_detection_and_tee_names);
    tcase_add_test(tc, test_sample_attester_arguments);
    suite_add_tcase(s, tc);
    return s;
}
