/*
 * Real SEV-SNP evidence from ../shared/vectors (see its SOURCES.md for provenance and the
 * expected results), verified at pinned times, and tampered variants of each rejected with
 * the matching code. Skips (77) only when the vectors folder is absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include <attest/attest.h>

#include "check_main.h"
#include "vectors.h"

#define T_2025_06_01 1748736000 /* inside every vector certificate's validity */
#define T_2040_01_01 2208988800 /* after every VCEK's notAfter */
#define T_2022_01_01 1640995200 /* before every VCEK's notBefore */


struct vec {
    const char *report, *cert, *trust; /* paths under vectors/ */
};

/* Milan/Genoa roots as Trustee ships them (ASK, ARK, ASVK bundles) */
static const struct vec vecs[] = {
    {"snp/trustee/test-report.bin", "snp/trustee/test-vcek.der", "roots/amd/trustee"},
    {"snp/trustee/test-vlek-report.bin", "snp/trustee/test-vlek.der", "roots/amd/trustee"},
    {"snp/go-sev-guest/attestation.bin", "snp/go-sev-guest/vcek.testcer", "roots/amd/milan"},
    {"snp/virtee/report_milan.hex", "snp/virtee/vcek_milan.der", "roots/amd/milan"},
};

static attest_status verify(const uint8_t *ev, size_t len, const char *cert, const char *trust,
                            int64_t at, const uint8_t *expect_rd, size_t rd_len,
                            attest_result **res_out, char *msg, size_t msg_cap)
{
    attest_ctx *ctx;
    attest_request *req;
    attest_result *res = NULL;
    char path[8192];

    ck_assert_int_eq(attest_ctx_new(&ctx), ATTEST_OK);
    ck_assert_int_eq(attest_ctx_set_time(ctx, at), ATTEST_OK);
    vectors_path(path, sizeof(path), trust);
    ck_assert_int_eq(attest_ctx_add_trust_dir(ctx, path), ATTEST_OK);
    if (cert != NULL) {
        vectors_path(path, sizeof(path), cert);
        ck_assert_int_eq(attest_ctx_add_collateral(ctx, path), ATTEST_OK);
    }
    ck_assert_int_eq(attest_request_new(&req, NULL, ev, len), ATTEST_OK);
    if (expect_rd != NULL)
        ck_assert_int_eq(attest_request_set_runtime_data(req, ATTEST_DATA_RAW, expect_rd, rd_len,
                                                         ATTEST_HASH_SHA384),
                         ATTEST_OK);
    attest_status rc = attest_verify(ctx, req, &res);
    snprintf(msg, msg_cap, "%s", attest_ctx_last_error(ctx));
    if (res_out != NULL)
        *res_out = res;
    else
        attest_result_free(res);
    ck_assert((rc == ATTEST_OK) == (res != NULL));
    attest_request_free(req);
    attest_ctx_free(ctx);
    return rc;
}

/* The 0x4a0 report bytes of a vector (raw or hex text). */
static uint8_t *report_bytes(const char *rel)
{
    size_t len;
    uint8_t *raw = vectors_slurp(rel, &len);
    if (len == 0x4a0)
        return raw;
    ck_assert_uint_eq(len, 2 * 0x4a0);
    uint8_t *r = malloc(0x4a0);
    for (size_t i = 0; i < 0x4a0; i++) {
        unsigned v;
        ck_assert(sscanf((const char *)raw + 2 * i, "%2x", &v) == 1);
        r[i] = (uint8_t)v;
    }
    free(raw);
    return r;
}

static void expect(const struct vec *v, const uint8_t *r, size_t len, int64_t at,
                   attest_status want, const char *msg_part, const char *what)
{
    char msg[512];
    attest_status rc = verify(r, len, v->cert, v->trust, at, NULL, 0, NULL, msg, sizeof(msg));
    ck_assert_msg(rc == want, "%s %s: got %d (%s), want %d", v->report, what, rc, msg, want);
    if (msg_part != NULL)
        ck_assert_msg(strstr(msg, msg_part) != NULL, "%s %s: message \"%s\" lacks \"%s\"",
                      v->report, what, msg, msg_part);
}

START_TEST(test_snp_vectors_verify)
{
    const struct vec *v = &vecs[_i];
    size_t len;
    uint8_t *ev = vectors_slurp(v->report, &len);
    attest_result *res = NULL;
    char msg[512];

    attest_status rc = verify(ev, len, v->cert, v->trust, T_2025_06_01, NULL, 0, &res, msg,
                              sizeof(msg));
    ck_assert_msg(rc == ATTEST_OK, "%s: %s", v->report, msg);
    ck_assert_str_eq(attest_result_tee(res), "snp");
    const char *product;
    ck_assert_int_eq(attest_result_claim_string(res, "snp.product", &product), ATTEST_OK);
    ck_assert_str_eq(product, "Milan");
    ck_assert_int_eq(attest_result_hardware_backed(res), 1);
    attest_result_free(res);
    free(ev);
}
END_TEST

/* Claims of the Trustee test report, against SOURCES.md (reported_tcb bl 3, snp 8, ucode 115)
 * and the bytes themselves. */
START_TEST(test_snp_vectors_claims)
{
    size_t len;
    uint8_t *ev = vectors_slurp(vecs[0].report, &len);
    attest_result *res = NULL;
    char msg[512];
    int64_t n;
    int b;
    const char *s;

    ck_assert_int_eq(verify(ev, len, vecs[0].cert, vecs[0].trust, T_2025_06_01, ev + 0x50, 64,
                            &res, msg, sizeof(msg)),
                     ATTEST_OK);
    ck_assert_int_eq(attest_result_claim_int(res, "snp.reported_tcb.bootloader", &n), ATTEST_OK);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(attest_result_claim_int(res, "snp.reported_tcb_snp", &n), ATTEST_OK);
    ck_assert_int_eq(n, 8);
    ck_assert_int_eq(attest_result_claim_int(res, "snp.reported_tcb.microcode", &n), ATTEST_OK);
    ck_assert_int_eq(n, 115);
    ck_assert_int_eq(attest_result_claim_int(res, "snp.version", &n), ATTEST_OK);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(attest_result_claim_bool(res, "snp.policy.debug", &b), ATTEST_OK);
    ck_assert_int_eq(b, 0);
    ck_assert_int_eq(attest_result_claim_string(res, "snp.signer", &s), ATTEST_OK);
    ck_assert_str_eq(s, "VCEK");
    char hex[97];
    for (int i = 0; i < 48; i++)
        sprintf(hex + 2 * i, "%02x", ev[0x90 + i]);
    ck_assert_int_eq(attest_result_claim_string(res, "snp.measurement", &s), ATTEST_OK);
    ck_assert_str_eq(s, hex);
    ck_assert_int_eq(attest_result_claim_string(res, "report_data", &s), ATTEST_OK);
    ck_assert_uint_eq(strlen(s), 128);
    ck_assert_int_eq(attest_result_verdict(res), ATTEST_VERDICT_AFFIRMING);
    attest_result_free(res);
    free(ev);
}
END_TEST

START_TEST(test_snp_vectors_go_sev_guest_is_debug)
{
    size_t len;
    uint8_t *ev = vectors_slurp(vecs[2].report, &len);
    attest_result *res = NULL;
    char msg[512];
    int b;
    ck_assert_int_eq(verify(ev, len, vecs[2].cert, vecs[2].trust, T_2025_06_01, NULL, 0, &res,
                            msg, sizeof(msg)),
                     ATTEST_OK);
    ck_assert_int_eq(attest_result_claim_bool(res, "snp.policy_debug_allowed", &b), ATTEST_OK);
    ck_assert_int_eq(b, 1);
    ck_assert_int_eq(attest_result_verdict(res), ATTEST_VERDICT_CONTRAINDICATED);
    attest_result_free(res);
    free(ev);
}
END_TEST

/* The real Genoa v3 report inside the Azure HCL report (evidence-genoa.json, at 0x20). */
START_TEST(test_snp_vectors_genoa_from_hcl)
{
    size_t len;
    uint8_t *json = vectors_slurp("az-snp-vtpm/trustee/evidence-genoa.json", &len);
    cJSON *root = cJSON_ParseWithLength((const char *)json, len);
    cJSON *rep = cJSON_GetObjectItemCaseSensitive(root, "report");
    ck_assert(cJSON_IsArray(rep) && cJSON_GetArraySize(rep) >= 0x20 + 0x4a0);
    uint8_t r[0x4a0];
    for (int i = 0; i < 0x4a0; i++)
        r[i] = (uint8_t)cJSON_GetArrayItem(rep, 0x20 + i)->valuedouble;
    cJSON_Delete(root);
    free(json);

    const struct vec v = {"(genoa)", "az-snp-vtpm/trustee/vcek-genoa.pem", "roots/amd/genoa"};
    attest_result *res = NULL;
    char msg[512];
    ck_assert_int_eq(verify(r, sizeof(r), v.cert, v.trust, T_2025_06_01, NULL, 0, &res, msg,
                            sizeof(msg)),
                     ATTEST_OK);
    const char *product;
    int64_t n;
    ck_assert_int_eq(attest_result_claim_string(res, "snp.product", &product), ATTEST_OK);
    ck_assert_str_eq(product, "Genoa");
    ck_assert_int_eq(attest_result_claim_int(res, "snp.version", &n), ATTEST_OK);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(attest_result_claim_int(res, "snp.reported_tcb.bootloader", &n), ATTEST_OK);
    ck_assert_int_eq(n, 10);
    ck_assert_int_eq(attest_result_claim_int(res, "snp.reported_tcb.snp", &n), ATTEST_OK);
    ck_assert_int_eq(n, 23);
    ck_assert_int_eq(attest_result_claim_int(res, "snp.reported_tcb.microcode", &n), ATTEST_OK);
    ck_assert_int_eq(n, 84);
    attest_result_free(res);
    /* the Milan roots do not make a Genoa chain */
    const struct vec wrong = {"(genoa)", v.cert, "roots/amd/milan"};
    expect(&wrong, r, sizeof(r), T_2025_06_01, ATTEST_E_CHAIN, "SEV-Genoa", "milan roots");
}
END_TEST

START_TEST(test_snp_vectors_tampered)
{
    const struct vec *v = &vecs[_i];
    uint8_t *orig = report_bytes(v->report), r[0x4a0];

    /* signature */
    memcpy(r, orig, sizeof(r));
    r[0x2a0] ^= 1;
    expect(v, r, sizeof(r), T_2025_06_01, ATTEST_E_SIGNATURE, "report signature", "sig");
    /* measurement */
    memcpy(r, orig, sizeof(r));
    r[0x90] ^= 0x80;
    expect(v, r, sizeof(r), T_2025_06_01, ATTEST_E_SIGNATURE, "report signature", "measure");
    /* report_data */
    memcpy(r, orig, sizeof(r));
    r[0x50 + 63] ^= 1;
    expect(v, r, sizeof(r), T_2025_06_01, ATTEST_E_SIGNATURE, NULL, "report_data");
    /* reported_tcb microcode no longer what the VCEK/VLEK certifies */
    memcpy(r, orig, sizeof(r));
    r[0x187] += 1;
    expect(v, r, sizeof(r), T_2025_06_01, ATTEST_E_TCB, "reported_tcb microcode", "tcb");
    /* chip_id of another chip (VCEK only; a VLEK is not chip-bound) */
    memcpy(r, orig, sizeof(r));
    r[0x1a0] ^= 1;
    expect(v, r, sizeof(r), T_2025_06_01,
           ((orig[0x48] >> 2) & 7) == 0 ? ATTEST_E_CHAIN : ATTEST_E_SIGNATURE, NULL, "chip_id");
    /* outside the certificates' validity */
    expect(v, orig, sizeof(r), T_2040_01_01, ATTEST_E_EXPIRED, "is not valid at", "late");
    expect(v, orig, sizeof(r), T_2022_01_01, ATTEST_E_EXPIRED, "is not valid at", "early");
    /* truncated and oversized */
    expect(v, orig, sizeof(r) - 1, T_2025_06_01, ATTEST_E_UNSUPPORTED, NULL, "truncated");
    /* unknown version */
    memcpy(r, orig, sizeof(r));
    r[0] = 6;
    expect(v, r, sizeof(r), T_2025_06_01, ATTEST_E_UNSUPPORTED, "version 6", "version");
    /* non-zero reserved byte */
    memcpy(r, orig, sizeof(r));
    r[0x4a0 - 1] = 1;
    expect(v, r, sizeof(r), T_2025_06_01, ATTEST_E_PARSE, "reserved byte 0x49f", "reserved");
    /* a chain of another product: Turin roots only */
    const struct vec turin = {v->report, v->cert, "roots/amd/turin"};
    expect(&turin, orig, sizeof(r), T_2025_06_01, ATTEST_E_CHAIN, NULL, "turin roots");
    /* no VCEK/VLEK anywhere */
    const struct vec nocert = {v->report, NULL, v->trust};
    expect(&nocert, orig, sizeof(r), T_2025_06_01, ATTEST_E_NOT_FOUND, "no V", "no cert");
    free(orig);
}
END_TEST

START_TEST(test_snp_vectors_binding)
{
    uint8_t *r = report_bytes(vecs[0].report);
    char msg[512];
    uint8_t rd[64];
    memcpy(rd, r + 0x50, 64);
    /* the exact value, and the value without its zero padding (0x20.. are zero) */
    ck_assert_int_eq(verify(r, 0x4a0, vecs[0].cert, vecs[0].trust, T_2025_06_01, rd, 64, NULL,
                            msg, sizeof(msg)),
                     ATTEST_OK);
    ck_assert_int_eq(verify(r, 0x4a0, vecs[0].cert, vecs[0].trust, T_2025_06_01, rd, 32, NULL,
                            msg, sizeof(msg)),
                     ATTEST_OK);
    rd[5] ^= 1;
    ck_assert_int_eq(verify(r, 0x4a0, vecs[0].cert, vecs[0].trust, T_2025_06_01, rd, 64, NULL,
                            msg, sizeof(msg)),
                     ATTEST_E_BINDING);
    ck_assert_ptr_nonnull(strstr(msg, "snp: report_data does not match"));
    free(r);
}
END_TEST

/* The broken VCEKs Trustee keeps for extension-parsing tests: another chip, not signed by
 * the Milan ASK. */
START_TEST(test_snp_vectors_invalid_vceks)
{
    static const char *const bad[] = {"snp/trustee/test-vcek-invalid-legacy.der",
                                      "snp/trustee/test-vcek-invalid-new.der"};
    uint8_t *r = report_bytes(vecs[0].report);
    for (int i = 0; i < 2; i++) {
        const struct vec v = {vecs[0].report, bad[i], vecs[0].trust};
        expect(&v, r, 0x4a0, T_2025_06_01, ATTEST_E_CHAIN, NULL, bad[i]);
    }
    free(r);
}
END_TEST

Suite *make_suite(void)
{
    vectors_init();
    Suite *s = suite_create("snp_vectors");
    TCase *tc = tcase_create("verify");
    tcase_set_timeout(tc, 60);
    int n = (int)(sizeof(vecs) / sizeof(vecs[0]));
    tcase_add_loop_test(tc, test_snp_vectors_verify, 0, n);
    tcase_add_test(tc, test_snp_vectors_claims);
    tcase_add_test(tc, test_snp_vectors_go_sev_guest_is_debug);
    tcase_add_test(tc, test_snp_vectors_genoa_from_hcl);
    tcase_add_loop_test(tc, test_snp_vectors_tampered, 0, n);
    tcase_add_test(tc, test_snp_vectors_binding);
    tcase_add_test(tc, test_snp_vectors_invalid_vceks);
    suite_add_tcase(s, tc);
    return s;
}
