/* The signer's insides, shared with token minting (lib/token.c). Never installed. */
#ifndef ATTEST_SIGNER_H
#define ATTEST_SIGNER_H

#include "jose.h"

struct attest_signer {
    attest_ctx *ctx;
    EVP_PKEY *key;
    enum attest_jws_alg alg;
    char kid[44]; /* RFC 7638 thumbprint */
    cJSON *x5c;   /* array of base64 DER certificates, or NULL */
    char *h64;    /* the tokens' header, base64url: typ, kid, jwk[, x5c], alg */
};

/* (Re)build s->h64 after the key or chain changed. */
bool attest_signer__header(attest_signer *s);

/* The public JWK (with alg and kid); NULL on allocation failure. */
cJSON *attest_signer__jwk(const attest_signer *s);

#endif
