/*
 * Real Intel DCAP quotes from ../shared/vectors (SOURCES.md, "Intel DCAP"), verified with
 * their collateral at the times SOURCES.md suggests, with the TCB statuses Intel's QVL
 * semantics give (cross-checked against dcap-qvl tests/verify_quote.rs for sgx_quote and
 * tdx_quote, go-tdx-guest verify_test.go for tdx_prod_quote_SPR_E4), and tampered or
 * mismatched variants rejected with the matching code. Skips (77) only when the vectors
 * folder is absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include <attest/attest.h>

#include "check_main.h"
#include "vectors.h"

#define T_2023_06_20 1687219200
#define T_2025_03_01 1740787200
#define T_2025_07_01 1751328000
#define T_2025_08_01 1754006400
#define T_2025_11_01 1761955200
#define T_2026_03_01 1772323200


/* One quote, its collateral (paths under vectors/), a time, and what a verifier must say. */
struct vec {
    const char *quote;
    const char *collateral[4];
    int64_t at;
    attest_status rc;
    const char *status;      /* with ATTEST_OK */
    attest_verdict verdict;  /* with ATTEST_OK */
    const char *advisories;  /* the advisory_ids claim, compact JSON */
    const char *error;       /* with a failure: part of the message */
};

#define GO_TDX "tdx/go-tdx-guest", "tdx/automata/tcb_signing_cert.pem"
#define OCCLUM_COLL                                                                            \
    "sgx/automata", "tdx/automata/pck_platform_crl.der", "tdx/automata/intel_root_ca_crl.der",   \
        "tdx/automata/tcb_signing_cert.pem"

static const struct vec vecs[] = {
    /* dcap-qvl tests/verify_quote.rs: ConfigurationAndSWHardeningNeeded, these two ids */
    {"sgx/dcap-qvl/sgx_quote", {"sgx/dcap-qvl/sgx_quote_collateral.json"}, T_2025_07_01, ATTEST_OK,
     "ConfigurationAndSWHardeningNeeded", ATTEST_VERDICT_WARNING,
     "[\"INTEL-SA-00289\",\"INTEL-SA-00615\"]", NULL},
    /* an Occlum debug enclave (ATTRIBUTES.DEBUG): authentic, never affirmed */
    {"sgx/trustee/occlum_quote.dat", {OCCLUM_COLL}, T_2025_03_01, ATTEST_OK, "OutOfDate",
     ATTEST_VERDICT_CONTRAINDICATED, "[]", NULL},
    /* go-tdx-guest TestNegativeRawQuoteVerifyWithCollateral: no matching TCB level */
    {"tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", {GO_TDX}, T_2023_06_20, ATTEST_E_TCB, NULL, 0,
     NULL, "below every TCB level"},
    /* a debug TD (Trustee's parse_tdx_claims_expected.json says debug: true) */
    {"tdx/trustee/tdx_quote_4.dat", {GO_TDX}, T_2023_06_20, ATTEST_OK, "UpToDate",
     ATTEST_VERDICT_CONTRAINDICATED, "[]", NULL},
    /* v5, TD 1.5 body; QE identity and CRLs from the dcap-qvl set of the same FMSPC */
    {"tdx/go-tdx-guest/quote_v5_sample.dat",
     {"tdx/go-tdx-guest/sample_tcbinfo_response_v5",
      "tdx/dcap-qvl/tdx_quote_outdated_collateral.json"},
     T_2026_03_01, ATTEST_OK, "UpToDate", ATTEST_VERDICT_AFFIRMING, "[]", NULL},
    {"tdx/trustee/tdx_quote_5.dat", {"tdx/dcap-qvl/tdx_quote_outdated_collateral.json"},
     T_2026_03_01, ATTEST_E_TCB, NULL, 0, NULL, "below every TCB level"},
    /* Trustee's TCB info for this FMSPC is from 2025-10/11; no PCK CRL of that time is
     * public, so the quote cannot be judged then: fail closed */
    {"tdx/trustee/tdx_quote_6.dat",
     {"tdx/trustee", "tdx/dcap-qvl/tdx_quote_collateral.json"}, T_2025_11_01, ATTEST_E_EXPIRED,
     NULL, 0, NULL, "no PCK Platform CA CRL is current"},
    /* dcap-qvl tests/verify_quote.rs: UpToDate, no advisories */
    {"tdx/dcap-qvl/tdx_quote", {"tdx/dcap-qvl/tdx_quote_collateral.json"}, T_2025_07_01, ATTEST_OK,
     "UpToDate", ATTEST_VERDICT_AFFIRMING, "[]", NULL},
    /* named "outdated" upstream, but its PCK TCB is below every level: QVL says not
     * supported (dcap-qvl only passes it after inserting an all-zero level) */
    {"tdx/dcap-qvl/tdx_quote_outdated", {"tdx/dcap-qvl/tdx_quote_outdated_collateral.json"},
     T_2026_03_01, ATTEST_E_TCB, NULL, 0, NULL, "below every TCB level"},
    {"tdx/automata/quote_tdx_00806f050000.dat", {"tdx/automata"}, T_2025_03_01, ATTEST_OK,
     "OutOfDate", ATTEST_VERDICT_WARNING,
     "[\"INTEL-SA-00960\",\"INTEL-SA-00982\",\"INTEL-SA-00986\"]", NULL},
};

static attest_ctx *ctx_for(const struct vec *v, int64_t at)
{
    attest_ctx *ctx;
    char path[8192];
    ck_assert_int_eq(attest_ctx_new(&ctx), ATTEST_OK);
    ck_assert_int_eq(attest_ctx_set_time(ctx, at), ATTEST_OK);
    for (int i = 0; i < 4 && v->collateral[i] != NULL; i++) {
        vectors_path(path, sizeof(path), v->collateral[i]);
        ck_assert_int_eq(attest_ctx_add_collateral(ctx, path), ATTEST_OK);
    }
    return ctx;
}

static attest_status verify_bytes(attest_ctx *ctx, const char *tee, const uint8_t *q,
                                  size_t len, attest_result **res)
{
    attest_request *req;
    ck_assert_int_eq(attest_request_new(&req, tee, q, len), ATTEST_OK);
    attest_status rc = attest_verify(ctx, req, res);
    attest_request_free(req);
    ck_assert((rc == ATTEST_OK) == (*res != NULL));
    return rc;
}

static void check_result(const struct vec *v, attest_ctx *ctx, attest_status rc,
                         attest_result *res)
{
    ck_assert_msg(rc == v->rc, "%s: got %d (%s), want %d", v->quote, rc,
                  attest_ctx_last_error(ctx), v->rc);
    if (rc != ATTEST_OK) {
        ck_assert_msg(strstr(attest_ctx_last_error(ctx), v->error) != NULL, "%s: message %s",
                      v->quote, attest_ctx_last_error(ctx));
        return;
    }
    ck_assert_str_eq(attest_result_tcb_status(res), v->status);
    ck_assert_int_eq(attest_result_verdict(res), v->verdict);
    const char *tee = attest_result_tee(res);
    char name[64], *adv = NULL;
    snprintf(name, sizeof(name), "%s.advisory_ids", tee);
    ck_assert_int_eq(attest_result_claim_json(res, name, &adv), ATTEST_OK);
    ck_assert_str_eq(adv, v->advisories);
    attest_free(adv);
    snprintf(name, sizeof(name), "%s.tcb_status", tee);
    const char *st = NULL;
    ck_assert_int_eq(attest_result_claim_string(res, name, &st), ATTEST_OK);
    ck_assert_str_eq(st, v->status);
}

/* Every vector, detected by content (no tee named), as SOURCES.md expects. */
START_TEST(test_dcap_vectors_verify)
{
    const struct vec *v = &vecs[_i];
    size_t len;
    uint8_t *q = vectors_slurp(v->quote, &len);
    attest_ctx *ctx = ctx_for(v, v->at);
    attest_result *res = NULL;
    attest_status rc = verify_bytes(ctx, NULL, q, len, &res);
    check_result(v, ctx, rc, res);
    attest_result_free(res);
    /* a second time on the same ctx (cached chain and collateral): the same answer */
    rc = verify_bytes(ctx, NULL, q, len, &res);
    check_result(v, ctx, rc, res);
    attest_result_free(res);
    attest_ctx_free(ctx);
    free(q);
}
END_TEST

/* Offset of the QE report inside a quote (tdx-sgx.md §3, §4). */
static size_t qe_report_offset(const uint8_t *q)
{
    unsigned version = q[0] | (q[1] << 8);
    if (version == 3)
        return 48 + 384 + 4 + 128;
    if (version == 4)
        return 48 + 584 + 4 + 128 + 6;
    size_t body = (size_t)q[50] | ((size_t)q[51] << 8);
    return 48 + 6 + body + 4 + 128 + 6;
}

/* Tampering with the body, the header, the QE report, the attestation key or the PCK
 * chain of a verifying quote is always caught. */
START_TEST(test_dcap_vectors_tampered)
{
    const struct vec *v = &vecs[_i];
    if (v->rc != ATTEST_OK)
        return;
    size_t len;
    uint8_t *q = vectors_slurp(v->quote, &len);
    unsigned version = q[0] | (q[1] << 8);
    size_t body = version == 5 ? 54 : 48;
    size_t qe = qe_report_offset(q);
    const struct { size_t off; attest_status rc; const char *msg; } cases[] = {
        {body + 64, ATTEST_E_SIGNATURE, "quote signature"},        /* body (MRSIGNERSEAM/MRENCLAVE) */
        {body + 380, ATTEST_E_SIGNATURE, "quote signature"},       /* body near report data */
        {28, ATTEST_E_SIGNATURE, "quote signature"},               /* header user data */
        {qe + 100, ATTEST_E_SIGNATURE, "QE report signature"},     /* QE report */
        {qe - 64 - 6 + 10, ATTEST_E_SIGNATURE, NULL},              /* attestation key */
        {qe + 384 + 5, ATTEST_E_SIGNATURE, "QE report signature"}, /* QE report signature */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t off = cases[i].off;
        if (version == 3 && i == 4)
            off = qe - 64 + 10; /* v3 has no type-6 header */
        uint8_t *t = malloc(len);
        memcpy(t, q, len);
        t[off] ^= 0x01;
        attest_ctx *ctx = ctx_for(v, v->at);
        attest_result *res = NULL;
        attest_status rc = verify_bytes(ctx, NULL, t, len, &res);
        ck_assert_msg(rc == cases[i].rc, "%s byte %zu: got %d (%s)", v->quote, off, rc,
                      attest_ctx_last_error(ctx));
        if (cases[i].msg != NULL)
            ck_assert_msg(strstr(attest_ctx_last_error(ctx), cases[i].msg) != NULL, "%s: %s",
                          v->quote, attest_ctx_last_error(ctx));
        attest_ctx_free(ctx);
        free(t);
    }
    /* truncated anywhere before the end of the signature data (padding after it is not
     * part of the quote): an error, never a crash or a verdict */
    size_t sd = version == 3 ? 48 + 384 : body + (version == 5 ? (size_t)(q[50] | q[51] << 8) : 584);
    size_t end = sd + 4 + ((size_t)q[sd] | (size_t)q[sd + 1] << 8 | (size_t)q[sd + 2] << 16 |
                           (size_t)q[sd + 3] << 24);
    ck_assert(end <= len);
    for (size_t cut = 0; cut < end; cut += 97) {
        attest_ctx *ctx = ctx_for(v, v->at);
        attest_result *res = NULL;
        attest_request *req;
        attest_status rc = attest_request_new(&req, version == 3 ? "sgx" : "tdx", q, cut);
        if (rc == ATTEST_OK) {
            rc = attest_verify(ctx, req, &res);
            attest_request_free(req);
        }
        ck_assert_msg(rc != ATTEST_OK && res == NULL, "%s cut at %zu verified", v->quote, cut);
        attest_ctx_free(ctx);
    }
    free(q);
}
END_TEST

/* Collateral that is missing, of another FMSPC, or outside its window fails closed. */
START_TEST(test_dcap_vectors_collateral)
{
    const struct vec *tdx = &vecs[7]; /* dcap-qvl tdx_quote */
    size_t len;
    uint8_t *q = vectors_slurp(tdx->quote, &len);
    attest_result *res = NULL;
    struct {
        struct vec v;
        attest_status rc;
        const char *msg;
    } cases[] = {
        {{tdx->quote, {NULL}, T_2025_07_01, 0, 0, 0, 0, 0}, ATTEST_E_NOT_FOUND, "no CRL"},
        /* another FMSPC's TCB info only (CRLs and QE identity of the outdated set are
         * current in 2026, so pick that time) */
        {{tdx->quote, {"tdx/dcap-qvl/tdx_quote_outdated_collateral.json"}, T_2026_03_01, 0, 0, 0,
          0, 0},
         ATTEST_E_NOT_FOUND, "no TDX TCB info for FMSPC b0c06f000000"},
        {{tdx->quote, {"tdx/dcap-qvl/tdx_quote_collateral.json"}, T_2025_08_01, 0, 0, 0, 0, 0},
         ATTEST_E_EXPIRED, "current at 2025-08-01"},
        /* the SGX bundle holds an SGX TCB info and QE identity: not for a TDX quote */
        {{tdx->quote,
          {"sgx/dcap-qvl/sgx_quote_collateral.json", "tdx/automata/pck_platform_crl.der"},
          T_2025_07_01, 0, 0, 0, 0, 0},
         ATTEST_E_EXPIRED, "CRL"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        attest_ctx *ctx = ctx_for(&cases[i].v, cases[i].v.at);
        attest_status rc = verify_bytes(ctx, "tdx", q, len, &res);
        ck_assert_msg(rc == cases[i].rc, "case %zu: got %d (%s)", i, rc,
                      attest_ctx_last_error(ctx));
        ck_assert_msg(strstr(attest_ctx_last_error(ctx), cases[i].msg) != NULL,
                      "case %zu: %s", i, attest_ctx_last_error(ctx));
        attest_ctx_free(ctx);
    }
    /* the SGX quote named as tdx, and the reverse, are refused by the driver */
    attest_ctx *ctx = ctx_for(tdx, tdx->at);
    ck_assert_int_eq(verify_bytes(ctx, "sgx", q, len, &res), ATTEST_E_PARSE);
    attest_ctx_free(ctx);
    free(q);
}
END_TEST

/* Trustee's TdxEvidence JSON wraps the same quote: the same result. */
START_TEST(test_dcap_vectors_trustee_json)
{
    const struct vec *v = &vecs[7];
    size_t len;
    uint8_t *q = vectors_slurp(v->quote, &len);
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    /* Trustee puts a CCEL event log (often tens of KiB) before the quote: detection must
     * still find the quote */
    char *json = malloc(len * 2 + 20064);
    ck_assert(json != NULL);
    size_t o = (size_t)sprintf(json, "{\"cc_eventlog\":\"");
    memset(json + o, 'A', 20000);
    o += 20000;
    o += (size_t)sprintf(json + o, "\",\"quote\":\"");
    for (size_t i = 0; i < len; i += 3) {
        uint32_t n = (uint32_t)q[i] << 16 | (i + 1 < len ? (uint32_t)q[i + 1] << 8 : 0) |
                     (i + 2 < len ? q[i + 2] : 0);
        json[o++] = b64[(n >> 18) & 63];
        json[o++] = b64[(n >> 12) & 63];
        json[o++] = i + 1 < len ? b64[(n >> 6) & 63] : '=';
        json[o++] = i + 2 < len ? b64[n & 63] : '=';
    }
    o += (size_t)sprintf(json + o, "\"}");
    attest_ctx *ctx = ctx_for(v, v->at);
    attest_result *res = NULL;
    attest_status rc = verify_bytes(ctx, NULL, (const uint8_t *)json, o, &res);
    check_result(v, ctx, rc, res);
    ck_assert_str_eq(attest_result_tee(res), "tdx");
    attest_result_free(res);
    attest_ctx_free(ctx);
    free(json);
    free(q);
}
END_TEST

/* The claims of tdx_quote_4.dat equal Trustee's parse_tdx_claims_expected.json. */
START_TEST(test_dcap_vectors_trustee_claims)
{
    const struct vec *v = &vecs[3];
    size_t len, elen;
    uint8_t *q = vectors_slurp(v->quote, &len);
    char *exp = (char *)vectors_slurp("tdx/trustee/parse_tdx_claims_expected.json", &elen);
    cJSON *want = cJSON_Parse(exp);
    ck_assert(want != NULL);
    attest_ctx *ctx = ctx_for(v, v->at);
    attest_result *res = NULL;
    ck_assert_int_eq(verify_bytes(ctx, NULL, q, len, &res), ATTEST_OK);
    cJSON *body = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(want, "quote"), "body");
    int n = 0;
    for (cJSON *f = body->child; f != NULL; f = f->next, n++) {
        char name[96];
        const char *got = NULL;
        snprintf(name, sizeof(name), "tdx.quote.body.%s", f->string);
        ck_assert_msg(attest_result_claim_string(res, name, &got) == ATTEST_OK, "%s", name);
        ck_assert_msg(strcmp(got, f->valuestring) == 0, "%s: %s vs %s", name, got,
                      f->valuestring);
    }
    ck_assert_int_eq(n, 15);
    cJSON *attrs = cJSON_GetObjectItemCaseSensitive(want, "td_attributes");
    for (cJSON *f = attrs->child; f != NULL; f = f->next) {
        char name[96];
        int got;
        snprintf(name, sizeof(name), "tdx.td_attributes.%s", f->string);
        ck_assert_int_eq(attest_result_claim_bool(res, name, &got), ATTEST_OK);
        ck_assert_msg((got != 0) == (cJSON_IsTrue(f) != 0), "%s", name);
    }
    const char *s;
    ck_assert_int_eq(attest_result_claim_string(res, "tdx.quote.header.vendor_id", &s), ATTEST_OK);
    ck_assert_str_eq(s, "939a7233f79c4ca9940a0db3957f0607");
    ck_assert_int_eq(attest_result_claim_string(res, "tdx.pck.fmspc", &s), ATTEST_OK);
    ck_assert_str_eq(s, "50806f000000");
    attest_result_free(res);
    attest_ctx_free(ctx);
    cJSON_Delete(want);
    free(exp);
    free(q);
}
END_TEST

/* report_data binds runtime data; mr_config_id (TDX) binds init data. */
START_TEST(test_dcap_vectors_binding)
{
    const struct vec *v = &vecs[7];
    size_t len;
    uint8_t *q = vectors_slurp(v->quote, &len);
    const uint8_t *rd = q + 48 + 520, *cfg = q + 48 + 184;
    for (int wrong = 0; wrong < 2; wrong++) {
        uint8_t want[64];
        memcpy(want, rd, 64);
        want[0] ^= (uint8_t)wrong;
        attest_ctx *ctx = ctx_for(v, v->at);
        attest_request *req;
        attest_result *res = NULL;
        ck_assert_int_eq(attest_request_new(&req, "tdx", q, len), ATTEST_OK);
        ck_assert_int_eq(attest_request_set_runtime_data(req, ATTEST_DATA_RAW, want, 64,
                                                         ATTEST_HASH_SHA384),
                         ATTEST_OK);
        ck_assert_int_eq(attest_request_set_init_data(req, ATTEST_DATA_RAW, cfg, 48,
                                                      ATTEST_HASH_SHA384),
                         ATTEST_OK);
        attest_status rc = attest_verify(ctx, req, &res);
        ck_assert_int_eq(rc, wrong ? ATTEST_E_BINDING : ATTEST_OK);
        if (wrong)
            ck_assert(strstr(attest_ctx_last_error(ctx), "report_data") != NULL);
        attest_result_free(res);
        attest_request_free(req);
        attest_ctx_free(ctx);
    }
    free(q);
}
END_TEST

/* Intel's sgx_ql_qve_collateral_t layout (PCCS clients, Trustee's QVL path): tcb_info and
 * qe_identity hold whole PCS responses, with no separate signatures. Made here from the
 * dcap-qvl bundle of tdx_quote; given as a file, and through the collateral callback. */
static char *qve_bundle(void)
{
    size_t len;
    char *text = (char *)vectors_slurp("tdx/dcap-qvl/tdx_quote_collateral.json", &len);
    cJSON *in = cJSON_Parse(text), *out = cJSON_CreateObject();
    ck_assert(in != NULL && out != NULL);
    static const char *const copy[] = {"pck_crl_issuer_chain", "root_ca_crl", "pck_crl",
                                       "tcb_info_issuer_chain", "qe_identity_issuer_chain"};
    for (size_t i = 0; i < 5; i++)
        cJSON_AddStringToObject(out, copy[i],
                                cJSON_GetObjectItemCaseSensitive(in, copy[i])->valuestring);
    char buf[32768];
    snprintf(buf, sizeof(buf), "{\"tcbInfo\":%s,\"signature\":\"%s\"}",
             cJSON_GetObjectItemCaseSensitive(in, "tcb_info")->valuestring,
             cJSON_GetObjectItemCaseSensitive(in, "tcb_info_signature")->valuestring);
    cJSON_AddStringToObject(out, "tcb_info", buf);
    snprintf(buf, sizeof(buf), "{\"enclaveIdentity\":%s,\"signature\":\"%s\"}",
             cJSON_GetObjectItemCaseSensitive(in, "qe_identity")->valuestring,
             cJSON_GetObjectItemCaseSensitive(in, "qe_identity_signature")->valuestring);
    cJSON_AddStringToObject(out, "qe_identity", buf);
    cJSON_AddNumberToObject(out, "version", 3);
    char *json = cJSON_PrintUnformatted(out);
    cJSON_Delete(in);
    cJSON_Delete(out);
    free(text);
    return json;
}

static int callback_calls;

static attest_status give_bundle(const char *tee, const char *kind, const char *key,
                                 attest_collateral_reply *reply, void *payload)
{
    callback_calls++;
    if (strcmp(tee, "tdx") != 0 || strcmp(kind, "collateral") != 0 ||
        strcmp(key, "tdx/b0c06f000000/platform") != 0)
        return ATTEST_E_NOT_FOUND;
    return attest_collateral_reply_set(reply, payload, strlen(payload));
}

START_TEST(test_dcap_vectors_qve_layout)
{
    const struct vec *v = &vecs[7];
    size_t len;
    uint8_t *q = vectors_slurp(v->quote, &len);
    char *json = qve_bundle(), path[] = "/tmp/dcap-qve-XXXXXX";
    int fd = mkstemp(path);
    ck_assert(fd >= 0 && write(fd, json, strlen(json)) == (ssize_t)strlen(json));
    close(fd);
    struct vec file = {v->quote, {NULL}, v->at, 0, 0, 0, 0, 0};
    attest_ctx *ctx = ctx_for(&file, v->at);
    ck_assert_int_eq(attest_ctx_add_collateral(ctx, path), ATTEST_OK);
    attest_result *res = NULL;
    attest_status rc = verify_bytes(ctx, "tdx", q, len, &res);
    check_result(v, ctx, rc, res);
    attest_result_free(res);
    attest_ctx_free(ctx);
    /* the same bundle from the collateral callback, asked with the quote's FMSPC */
    ctx = ctx_for(&file, v->at);
    callback_calls = 0;
    ck_assert_int_eq(attest_ctx_set_collateral_fn(ctx, give_bundle, json), ATTEST_OK);
    rc = verify_bytes(ctx, "tdx", q, len, &res);
    check_result(v, ctx, rc, res);
    ck_assert_int_eq(callback_calls, 1);
    attest_result_free(res);
    attest_ctx_free(ctx);
    unlink(path);
    cJSON_free(json);
    free(q);
}
END_TEST

Suite *make_suite(void)
{
    vectors_init();
    Suite *s = suite_create("dcap_vectors");
    TCase *tc = tcase_create("verify");
    tcase_set_timeout(tc, 120);
    int n = (int)(sizeof(vecs) / sizeof(vecs[0]));
    tcase_add_loop_test(tc, test_dcap_vectors_verify, 0, n);
    tcase_add_loop_test(tc, test_dcap_vectors_tampered, 0, n);
    tcase_add_test(tc, test_dcap_vectors_collateral);
    tcase_add_test(tc, test_dcap_vectors_trustee_json);
    tcase_add_test(tc, test_dcap_vectors_trustee_claims);
    tcase_add_test(tc, test_dcap_vectors_binding);
    tcase_add_test(tc, test_dcap_vectors_qve_layout);
    suite_add_tcase(s, tc);
    return s;
}
