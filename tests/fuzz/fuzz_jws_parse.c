/*
 * Fuzz compact JWS parsing and token verification (lib/jose.c, lib/token_verify.c):
 * attest_jws__parse(), then attest_jws__check() with a fixed P-256 key, and
 * attest_token_verify() through a verifier that trusts only that key's JWK.
 *
 * Invariants: a parsed JWS has an object header, an allowed alg, decoded payload and
 * signature buffers, and a signing input that is the input up to its second '.'; check
 * answers only OK or a signature error; verify accepts only what parse accepts and check
 * verifies with the one trusted key, returns a JSON object, and leaves its output untouched
 * and a message behind when it refuses.
 *
 * Seeds (corpus/fuzz_jws_parse/): ear.jwt and simple.jwt were minted by
 *   attest-verify --at 2026-01-01T00:00:00Z --token ear|simple --signer-key KEY --json EV
 * over sample evidence, with the P-256 key whose public JWK is FUZZ_JWK (its private half was
 * not kept: to add signed seeds, mint with a new key and replace FUZZ_JWK); the others are
 * variants signed with the same key (no exp, aud/nbf, expired, array payload, repeated alg,
 * a NUL in a member name, crit, DER signature, x5c and jwk in the header) or unsigned
 * (alg none, HS256, padded, two and four parts).
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "../../lib/jose.h"
#include "fuzz.h"

#define FUZZ_TIME 1767225600 /* 2026-01-01T00:00:00Z, the seeds' iat */
#define FUZZ_JWK                                                                           \
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"1J-S7M37FclkXRaotibuy2HJ82xr0DTux1qUiGUZong\"," \
    "\"y\":\"n2Ye3nL10mNp9760EFt9V6j8dvhvP4Zpp4ixpJl2Eok\"}"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_ctx *ctx = NULL;
    attest_token_verifier *v = NULL;
    EVP_PKEY *key = NULL;
    cJSON *jwk = cJSON_Parse(FUZZ_JWK);
    struct attest_jws j;
    const char *text = (const char *)data;

    FUZZ_ASSERT(jwk != NULL && attest_ctx_new(&ctx) == ATTEST_OK &&
                attest_ctx_set_time(ctx, FUZZ_TIME) == ATTEST_OK);
    FUZZ_ASSERT(attest_jwk__to_pkey(ctx, "fuzz", jwk, &key) == ATTEST_OK);
    cJSON_Delete(jwk);

    /* 1. parse, then check the signature with the fixed key */
    memset(&j, 0, sizeof(j));
    attest_status parsed = attest_jws__parse(ctx, text, size, &j);
    attest_status checked = ATTEST_E_PARSE;
    if (parsed == ATTEST_OK) {
        FUZZ_ASSERT(cJSON_IsObject(j.header));
        FUZZ_ASSERT(attest_jws__alg_name(j.alg) != NULL);
        FUZZ_ASSERT(j.payload != NULL && j.sig != NULL);
        FUZZ_ASSERT(j.signing_input == text && j.signing_input_len < size);
        FUZZ_ASSERT(text[j.signing_input_len] == '.');
        const char *dot = memchr(text, '.', j.signing_input_len);
        FUZZ_ASSERT(dot != NULL && memchr(dot + 1, '.', j.signing_input_len -
                                                           (size_t)(dot + 1 - text)) == NULL);
        checked = attest_jws__check(ctx, &j, key);
        FUZZ_ASSERT(checked == ATTEST_OK || checked == ATTEST_E_SIGNATURE);
        if (checked == ATTEST_OK)
            FUZZ_ASSERT(j.alg == ATTEST_JWS_ES256);
        attest_jws__free(&j);
    } else {
        FUZZ_ASSERT(j.header == NULL && j.payload == NULL && j.sig == NULL);
        FUZZ_ASSERT(attest_ctx_last_error(ctx)[0] != '\0');
    }

    /* 2. the public entry point, trusting that key's JWK (tokens without exp via max age) */
    FUZZ_ASSERT(attest_token_verifier_new(&v, ctx) == ATTEST_OK &&
                attest_token_verifier_add_jwks(v, FUZZ_JWK, strlen(FUZZ_JWK)) == ATTEST_OK &&
                attest_token_verifier_set_max_age(v, 3600) == ATTEST_OK);
    char *claims = NULL;
    attest_status rc = attest_token_verify(v, text, size, &claims);
    if (rc == ATTEST_OK) {
        FUZZ_ASSERT(parsed == ATTEST_OK && checked == ATTEST_OK);
        cJSON *c = claims != NULL ? cJSON_Parse(claims) : NULL;
        FUZZ_ASSERT(cJSON_IsObject(c));
        cJSON_Delete(c);
        attest_free(claims);
    } else {
        FUZZ_ASSERT(claims == NULL);
        FUZZ_ASSERT(attest_ctx_last_error(ctx)[0] != '\0');
        FUZZ_ASSERT(rc == ATTEST_E_PARSE || rc == ATTEST_E_SIGNATURE || rc == ATTEST_E_EXPIRED ||
                    rc == ATTEST_E_POLICY || rc == ATTEST_E_NOT_FOUND ||
                    rc == ATTEST_E_UNSUPPORTED);
        if (parsed != ATTEST_OK) /* the same parser, the same verdict */
            FUZZ_ASSERT(rc == parsed);
    }
    attest_token_verifier_free(v);
    EVP_PKEY_free(key);
    attest_ctx_free(ctx);
    return 0;
}
