/*
 * Intel DCAP verification throughput against the OpenSSL floor measured in the same run,
 * on real quotes from ../shared/vectors (ATTEST_VECTORS) with their collateral, at a time
 * inside every collateral window:
 *
 *   tdx, sgx   attest_verify() of the same quote on one ctx: the PCK chain, CRL verdicts,
 *              the collateral (parsed once) and its signature verdicts come from the ctx
 *              cache, as they do for every quote of a platform in steady state
 *   floor      the ECDSA P-256 verifies a quote needs that no cache can save: the quote
 *              signature over header and body by the attestation key (with the key
 *              decoded from its 64 raw bytes, as every quote carries it); and, for a
 *              verifier that has not seen this QE report, the QE report signature too
 *   cold       a new ctx per verification: collateral read and parsed, chain and
 *              collateral signatures verified
 *
 * usage: bench_dcap [SECONDS per measurement, default 1] [warm]  (warm tdx only, for profiling)
 * Exits 77 (skipped) when the vectors folder is absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <attest/attest.h>

#include "bench.h"

static char vectors[4096];

struct input {
    const char *name, *tee, *quote, *collateral;
    int64_t at;
    uint8_t *data;
    size_t len;
};

static struct input inputs[] = {
    {"tdx", "tdx", "tdx/dcap-qvl/tdx_quote", "tdx/dcap-qvl/tdx_quote_collateral.json",
     1751328000 /* 2025-07-01 */, NULL, 0},
    {"sgx", "sgx", "sgx/dcap-qvl/sgx_quote", "sgx/dcap-qvl/sgx_quote_collateral.json",
     1751328000, NULL, 0},
};

static uint8_t *slurp(const char *rel, size_t *len)
{
    char path[8192];
    snprintf(path, sizeof(path), "%s/%s", vectors, rel);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
        exit(1);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static attest_ctx *new_ctx(const struct input *in)
{
    attest_ctx *ctx;
    char path[8192];
    snprintf(path, sizeof(path), "%s/%s", vectors, in->collateral);
    if (attest_ctx_new(&ctx) != ATTEST_OK || attest_ctx_set_time(ctx, in->at) != ATTEST_OK ||
        attest_ctx_add_collateral(ctx, path) != ATTEST_OK)
        exit(1);
    return ctx;
}

struct run {
    const struct input *in;
    attest_ctx *ctx;
};

static int verify_on(const struct input *in, attest_ctx *ctx)
{
    attest_request *req;
    attest_result *res = NULL;
    int rc = 1;
    if (attest_request_new(&req, in->tee, in->data, in->len) == ATTEST_OK &&
        attest_verify(ctx, req, &res) == ATTEST_OK)
        rc = 0;
    else
        fprintf(stderr, "bench_dcap: %s\n", attest_ctx_last_error(ctx));
    attest_result_free(res);
    attest_request_free(req);
    return rc;
}

static int op_warm(void *p)
{
    struct run *r = p;
    return verify_on(r->in, r->ctx);
}

static int op_cold(void *p)
{
    const struct input *in = p;
    attest_ctx *ctx = new_ctx(in);
    int rc = verify_on(in, ctx);
    attest_ctx_free(ctx);
    return rc;
}

/* ---- the floor: a P-256 key from 64 raw bytes, then one ECDSA verify ---- */

struct ecdsa_floor {
    uint8_t xy[65]; /* 0x04 || X || Y */
    uint8_t msg[632];
    unsigned char sig[80];
    size_t sig_len;
};

static int op_ecdsa(void *p)
{
    struct ecdsa_floor *f = p;
    EVP_PKEY *key = NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"prime256v1", 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, f->xy, sizeof(f->xy)),
        OSSL_PARAM_construct_end(),
    };
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    int ok = pc != NULL && EVP_PKEY_fromdata_init(pc) == 1 &&
             EVP_PKEY_fromdata(pc, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
    EVP_PKEY_CTX_free(pc);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    ok = ok && md != NULL && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
         EVP_DigestVerify(md, f->sig, f->sig_len, f->msg, sizeof(f->msg)) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    return ok ? 0 : 1;
}

struct ecdsa_prepared {
    EVP_PKEY *key;
    const struct ecdsa_floor *f;
};

static int op_ecdsa_prepared(void *p)
{
    struct ecdsa_prepared *e = p;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, e->key) == 1 &&
             EVP_DigestVerify(md, e->f->sig, e->f->sig_len, e->f->msg, sizeof(e->f->msg)) == 1;
    EVP_MD_CTX_free(md);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    double seconds = bench_seconds(argc, argv);
    const char *env = getenv("ATTEST_VECTORS");
    struct stat st;
    snprintf(vectors, sizeof(vectors), "%s", env != NULL ? env : "../shared/vectors");
    if (stat(vectors, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "bench_dcap: vectors folder %s absent: skipping\n", vectors);
        return 77;
    }
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
        if ((inputs[i].data = slurp(inputs[i].quote, &inputs[i].len)) == NULL) {
            fprintf(stderr, "bench_dcap: %s missing\n", inputs[i].quote);
            return 1;
        }

    struct ecdsa_floor ef;
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t xy_len = 0;
    memset(ef.msg, 0xa5, sizeof(ef.msg));
    ef.sig_len = sizeof(ef.sig);
    if (k == NULL || md == NULL ||
        EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, ef.xy, sizeof(ef.xy),
                                        &xy_len) != 1 ||
        xy_len != 65 || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) != 1 ||
        EVP_DigestSign(md, ef.sig, &ef.sig_len, ef.msg, sizeof(ef.msg)) != 1)
        return 1;
    EVP_MD_CTX_free(md);
    struct ecdsa_prepared ep = {k, &ef};

    if (argc > 2 && strcmp(argv[2], "warm") == 0) {
        struct run r = {&inputs[0], new_ctx(&inputs[0])};
        printf("tdx verify warm: %.0f/s\n", bench_rate(op_warm, &r, seconds));
        attest_ctx_free(r.ctx);
        return 0;
    }
    double ecdsa = bench_rate(op_ecdsa, &ef, seconds);
    double bare = bench_rate(op_ecdsa_prepared, &ep, seconds);
    printf("floor ecdsa p-256 verify (key from raw bytes): %.0f/s\n", ecdsa);
    printf("floor ecdsa p-256 verify (key decoded once): %.0f/s\n", bare);
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        struct run r = {&inputs[i], new_ctx(&inputs[i])};
        double warm = bench_rate(op_warm, &r, seconds);
        printf("%s verify warm (collateral parsed once, chain cached): %.0f/s (ratio to 1 "
               "ecdsa %.2f, to a bare verify %.2f; to 2 ecdsa, a QE report not seen before, "
               "%.2f)\n",
               inputs[i].name, warm, warm / ecdsa, warm / bare, warm / (ecdsa / 2));
        double cold = bench_rate(op_cold, &inputs[i], seconds);
        printf("%s verify cold (new ctx each time): %.0f/s\n", inputs[i].name, cold);
        attest_ctx_free(r.ctx);
        free(inputs[i].data);
    }
    EVP_PKEY_free(k);
    return 0;
}
