/*
 * Token minting and verification rates per algorithm, against the OpenSSL floor measured in
 * the same run: one EVP_DigestSign / EVP_DigestVerify of a payload of the token's size with
 * the same key. A token costs the signature plus JSON, base64url and claim checks; the goal
 * is a ratio >= 0.8 for mint and verify.
 *
 * usage: bench_token [SECONDS per measurement, default 1]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <attest/attest.h>

#include "bench.h"

struct setup {
    attest_ctx *ctx;
    attest_signer *signer;
    attest_result *res;
    attest_token_opts *opts;
    attest_token_verifier *ver;
    char *jwt;
    EVP_PKEY *key; /* the same key, for the floor */
    const char *alg;
    unsigned char sig[1024];
    size_t sig_len;
};

static int md_setup(EVP_MD_CTX *md, EVP_PKEY *key, const char *alg, bool sign)
{
    const EVP_MD *h = strcmp(alg, "EdDSA") == 0 ? NULL
                      : strstr(alg, "384") != NULL ? EVP_sha384()
                                                   : EVP_sha256();
    EVP_PKEY_CTX *pc = NULL;
    int ok = sign ? EVP_DigestSignInit(md, &pc, h, NULL, key)
                  : EVP_DigestVerifyInit(md, &pc, h, NULL, key);
    if (ok == 1 && strcmp(alg, "PS256") == 0)
        ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, 32) == 1;
    return ok == 1;
}

static int op_floor_sign(void *p)
{
    struct setup *s = p;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t n = sizeof(s->sig);
    int ok = md != NULL && md_setup(md, s->key, s->alg, true) &&
             EVP_DigestSign(md, s->sig, &n, (const uint8_t *)s->jwt, strlen(s->jwt)) == 1;
    s->sig_len = n;
    EVP_MD_CTX_free(md);
    return ok ? 0 : 1;
}

static int op_floor_verify(void *p)
{
    struct setup *s = p;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL && md_setup(md, s->key, s->alg, false) &&
             EVP_DigestVerify(md, s->sig, s->sig_len, (const uint8_t *)s->jwt, strlen(s->jwt)) == 1;
    EVP_MD_CTX_free(md);
    return ok ? 0 : 1;
}

static int op_mint(void *p)
{
    struct setup *s = p;
    char *jwt = NULL;
    int rc = attest_token_mint(s->ctx, s->signer, ATTEST_TOKEN_EAR, s->opts, s->res, &jwt);
    attest_free(jwt);
    return rc == ATTEST_OK ? 0 : 1;
}

static int op_verify(void *p)
{
    struct setup *s = p;
    char *claims = NULL;
    int rc = attest_token_verify(s->ver, s->jwt, strlen(s->jwt), &claims);
    attest_free(claims);
    return rc == ATTEST_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    static const char *const algs[] = {"ES256", "ES384", "RS256", "RS384", "PS256", "EdDSA"};
    double seconds = bench_seconds(argc, argv);
    attest_ctx *ctx;
    attest_attester *att;
    attest_evidence *ev;
    attest_request *req;
    attest_result *res;
    const uint8_t rd[48] = {1};

    if (attest_ctx_new(&ctx) != ATTEST_OK || attest_attester_new(&att, ctx, "sample") != ATTEST_OK ||
        attest_attester_collect(att, rd, sizeof(rd), &ev) != ATTEST_OK)
        return 1;
    size_t ev_len;
    const uint8_t *ev_data = attest_evidence_data(ev, &ev_len);
    if (attest_request_new(&req, "sample", ev_data, ev_len) != ATTEST_OK ||
        attest_verify(ctx, req, &res) != ATTEST_OK)
        return 1;
    for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
        struct setup s = {ctx, NULL, res, NULL, NULL, NULL, NULL, algs[i], {0}, 0};
        char *jwk = NULL;
        if (attest_signer_generate(&s.signer, ctx, algs[i]) != ATTEST_OK ||
            attest_token_opts_new(&s.opts) != ATTEST_OK ||
            attest_token_mint(ctx, s.signer, ATTEST_TOKEN_EAR, s.opts, res, &s.jwt) != ATTEST_OK ||
            attest_signer_jwk(s.signer, &jwk) != ATTEST_OK ||
            attest_token_verifier_new(&s.ver, ctx) != ATTEST_OK ||
            attest_token_verifier_add_jwks(s.ver, jwk, strlen(jwk)) != ATTEST_OK) {
            fprintf(stderr, "bench_token: %s setup: %s\n", algs[i], attest_ctx_last_error(ctx));
            return 1;
        }
        /* the floor's key: the signer's own, through its PEM-free path: re-derive from JWK
         * is not possible for the private half, so sign with a fresh key of the same kind */
        s.key = strcmp(algs[i], "ES256") == 0   ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")
                : strcmp(algs[i], "ES384") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384")
                : strcmp(algs[i], "EdDSA") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
                                                : EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
        if (s.key == NULL || op_floor_sign(&s) != 0)
            return 1;
        double fs = bench_rate(op_floor_sign, &s, seconds);
        double fv = bench_rate(op_floor_verify, &s, seconds);
        double m = bench_rate(op_mint, &s, seconds);
        double v = bench_rate(op_verify, &s, seconds);
        printf("%-6s mint %8.0f/s (ratio to sign floor %.2f)   verify %8.0f/s (ratio to verify "
               "floor %.2f)   [%zu-byte token]\n",
               algs[i], m, m / fs, v, v / fv, strlen(s.jwt));
        EVP_PKEY_free(s.key);
        attest_free(jwk);
        attest_free(s.jwt);
        attest_token_verifier_free(s.ver);
        attest_token_opts_free(s.opts);
        attest_signer_free(s.signer);
    }
    attest_result_free(res);
    attest_request_free(req);
    attest_evidence_free(ev);
    attest_attester_free(att);
    attest_ctx_free(ctx);
    return 0;
}
