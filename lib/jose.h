/*
 * JOSE building blocks shared by tokens, JWKS export and (later) JWE: JWK <-> EVP_PKEY,
 * the JWS algorithms, and compact JWS sign/verify. Never installed.
 *
 * RFC 7515 (JWS), RFC 7517 (JWK), RFC 7518 (algorithms: ES* signatures are the raw
 * fixed-size r||s, PS* use a salt as long as the hash), RFC 8037 (OKP/Ed25519, "EdDSA"),
 * RFC 7638 (JWK thumbprint).
 */
#ifndef ATTEST_JOSE_H
#define ATTEST_JOSE_H

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "internal.h"

enum attest_jws_alg {
    ATTEST_JWS_NONE_ALG = 0, /* not an algorithm: "none" and unknown names map here */
    ATTEST_JWS_ES256,
    ATTEST_JWS_ES384,
    ATTEST_JWS_RS256,
    ATTEST_JWS_RS384,
    ATTEST_JWS_PS256,
    ATTEST_JWS_EDDSA,
};

/* "ES256" ... "EdDSA" <-> enum; unknown names (and "none") give ATTEST_JWS_NONE_ALG. */
enum attest_jws_alg attest_jws__alg_from_name(const char *name);
const char *attest_jws__alg_name(enum attest_jws_alg alg);

/* Whether key can make or check alg signatures (type, curve, RSA >= 2048 bits). */
bool attest_jws__key_fits(EVP_PKEY *key, enum attest_jws_alg alg);

/* The natural algorithm of a key: EC P-256 ES256, P-384 ES384, RSA RS256, Ed25519 EdDSA. */
enum attest_jws_alg attest_jws__default_alg(EVP_PKEY *key);

/* A public JWK object for key ({"kty",...}); alg and kid members are added when non-NULL. */
cJSON *attest_jwk__from_pkey(EVP_PKEY *key, const char *alg, const char *kid);

/* The public key of a JWK object (EC P-256/P-384/P-521, RSA, OKP Ed25519); private members
 * are ignored. what names the JWK in messages. */
attest_status attest_jwk__to_pkey(attest_ctx *ctx, const char *what, const cJSON *jwk,
                                  EVP_PKEY **out);

/* RFC 7638 SHA-256 thumbprint of key's public JWK, base64url (43 chars + NUL). */
bool attest_jwk__thumbprint(EVP_PKEY *key, char out[44]);

/* Compact JWS of payload with header (an object; "alg" is set here). *out malloc'd. */
attest_status attest_jws__sign(attest_ctx *ctx, EVP_PKEY *key, enum attest_jws_alg alg,
                               cJSON *header, const uint8_t *payload, size_t len, char **out);

/* base64url of the compact header text, with "alg" set (added last) in header. */
char *attest_jws__header_b64(cJSON *header, enum attest_jws_alg alg);

/* The same as attest_jws__sign() with the header already encoded (a signer's constant
 * header is encoded once). */
attest_status attest_jws__sign_h64(attest_ctx *ctx, EVP_PKEY *key, enum attest_jws_alg alg,
                                   const char *h64, const uint8_t *payload, size_t len,
                                   char **out);

/*
 * The parts of a compact JWS, decoded: header (parsed, an object) and payload bytes. No
 * signature check: see attest_jws__check().
 */
struct attest_jws {
    cJSON *header;
    enum attest_jws_alg alg;
    uint8_t *payload;
    size_t payload_len;
    uint8_t *sig;
    size_t sig_len;
    const char *signing_input; /* borrowed from the token: "<header>.<payload>" */
    size_t signing_input_len;
};

attest_status attest_jws__parse(attest_ctx *ctx, const char *token, size_t len,
                                struct attest_jws *out);
void attest_jws__free(struct attest_jws *jws);

/* Verify the signature of a parsed JWS with key (alg must fit the key). */
attest_status attest_jws__check(attest_ctx *ctx, const struct attest_jws *jws, EVP_PKEY *key);

#endif
