/*
 * Binding and sample-verify throughput against the OpenSSL floor measured in the same run.
 *
 *   jcs+sha384    attest_binding_digest(ATTEST_DATA_JSON) of a KBS-style runtime-data
 *                 object, vs the floor: one EVP_Digest(SHA-384) of its canonical bytes
 *   sample verify attest_verify() of sample evidence bound to that runtime data, vs the
 *                 same floor (the sample TEE has no signature; binding is its only work)
 *
 * usage: bench_binding [SECONDS per measurement, default 1]
 * Prints "<name>: <rate>/s (ratio to floor <r>)"; ratio = rate / floor rate, so 1.0 means
 * as fast as the primitive, 0.5 means twice its cost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <attest/attest.h>

#include "bench.h"

static const char runtime[] =
    "{\"tee-pubkey\":{\"kty\":\"EC\",\"crv\":\"P-256\",\"alg\":\"ES256\","
    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"},"
    "\"nonce\":\"NQ8vz2bY3FwK1mRr8vJ9hQ\",\"extra\":{\"b\":[1,2,3],\"a\":\"caf\\u00e9\"}}";

struct floor_arg {
    const char *canon;
    size_t len;
};

static int op_floor(void *p)
{
    struct floor_arg *a = p;
    unsigned char md[64];
    unsigned int n;
    return EVP_Digest(a->canon, a->len, md, &n, EVP_sha384(), NULL) == 1 ? 0 : 1;
}

static int op_binding(void *p)
{
    attest_ctx *ctx = p;
    uint8_t out[ATTEST_BINDING_MAX];
    size_t len;
    return attest_binding_digest(ctx, ATTEST_DATA_JSON, (const uint8_t *)runtime,
                                 sizeof(runtime) - 1, ATTEST_HASH_SHA384, out, sizeof(out),
                                 &len) != ATTEST_OK;
}

struct verify_arg {
    attest_ctx *ctx;
    attest_request *req;
};

static int op_verify(void *p)
{
    struct verify_arg *a = p;
    attest_result *res;
    if (attest_verify(a->ctx, a->req, &res) != ATTEST_OK)
        return 1;
    attest_result_free(res);
    return 0;
}

int main(int argc, char **argv)
{
    double seconds = bench_seconds(argc, argv);
    attest_ctx *ctx;
    char *canon;
    size_t canon_len;

    if (attest_ctx_new(&ctx) != ATTEST_OK ||
        attest_json_canonicalize(ctx, runtime, sizeof(runtime) - 1, &canon, &canon_len) !=
            ATTEST_OK)
        return 1;

    struct floor_arg fa = {canon, canon_len};
    double floor_rate = bench_rate(op_floor, &fa, seconds);
    printf("floor sha384(%zu canonical bytes): %.0f/s\n", canon_len, floor_rate);

    double r = bench_rate(op_binding, ctx, seconds);
    printf("jcs+sha384 binding digest: %.0f/s (ratio to floor %.2f)\n", r, r / floor_rate);

    uint8_t rd[ATTEST_BINDING_MAX];
    size_t rd_len;
    attest_attester *att;
    attest_evidence *ev;
    struct verify_arg va = {ctx, NULL};
    if (attest_binding_digest(ctx, ATTEST_DATA_JSON, (const uint8_t *)runtime,
                              sizeof(runtime) - 1, ATTEST_HASH_SHA384, rd, sizeof(rd),
                              &rd_len) != ATTEST_OK ||
        attest_attester_new(&att, ctx, "sample") != ATTEST_OK ||
        attest_attester_collect(att, rd, rd_len, &ev) != ATTEST_OK)
        return 1;
    size_t ev_len;
    const uint8_t *ev_data = attest_evidence_data(ev, &ev_len);
    if (attest_request_new(&va.req, "sample", ev_data, ev_len) != ATTEST_OK ||
        attest_request_set_runtime_data(va.req, ATTEST_DATA_JSON, (const uint8_t *)runtime,
                                        sizeof(runtime) - 1, ATTEST_HASH_SHA384) != ATTEST_OK)
        return 1;
    r = bench_rate(op_verify, &va, seconds);
    printf("sample verify (bound): %.0f/s (ratio to floor %.2f)\n", r, r / floor_rate);

    attest_request_free(va.req);
    attest_evidence_free(ev);
    attest_attester_free(att);
    attest_free(canon);
    attest_ctx_free(ctx);
    return 0;
}
