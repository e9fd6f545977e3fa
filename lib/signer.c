/* attest_signer: a private key that signs tokens, its algorithm and optional x5c chain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "jose.h"
#include "signer.h"

#define PEM_KEY_MAX (1024u * 1024u)

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1; /* never prompt: encrypted keys are refused */
}

static attest_status wrap(attest_signer **out, attest_ctx *ctx, EVP_PKEY *key, const char *alg)
{
    enum attest_jws_alg a = alg != NULL ? attest_jws__alg_from_name(alg)
                                        : attest_jws__default_alg(key);
    if (a == ATTEST_JWS_NONE_ALG) {
        EVP_PKEY_free(key);
        return alg != NULL ? attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED, "signer: alg \"%s\" "
                                               "is not ES256, ES384, RS256, RS384, PS256 or "
                                               "EdDSA", alg)
                           : attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED, "signer: the key is "
                                               "not RSA, EC P-256/P-384 or Ed25519");
    }
    if (!attest_jws__key_fits(key, a)) {
        EVP_PKEY_free(key);
        return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED, "signer: the key cannot sign %s "
                                 "(RSA >= 2048 bits for RS/PS, P-256 for ES256, P-384 for "
                                 "ES384, Ed25519 for EdDSA)", attest_jws__alg_name(a));
    }
    attest_signer *s = calloc(1, sizeof(*s));
    if (s == NULL || !attest_jwk__thumbprint(key, s->kid)) {
        free(s);
        EVP_PKEY_free(key);
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "signer: out of memory");
    }
    s->ctx = ctx;
    s->key = key;
    s->alg = a;
    if (!attest_signer__header(s)) {
        attest_signer_free(s);
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "signer: out of memory");
    }
    *out = s;
    return ATTEST_OK;
}

/* Trustee's header: typ, the public key as "jwk" (+ x5c); kid for JWKS users; then alg. */
bool attest_signer__header(attest_signer *s)
{
    cJSON *header = cJSON_CreateObject(), *jwk = attest_signer__jwk(s);
    char *h64 = NULL;
    if (header != NULL && jwk != NULL && cJSON_AddStringToObject(header, "typ", "JWT") != NULL &&
        cJSON_AddStringToObject(header, "kid", s->kid) != NULL &&
        cJSON_AddItemToObject(header, "jwk", jwk)) {
        jwk = NULL;
        if (s->x5c == NULL || cJSON_AddItemToObject(header, "x5c", cJSON_Duplicate(s->x5c, 1)))
            h64 = attest_jws__header_b64(header, s->alg);
    }
    cJSON_Delete(jwk);
    cJSON_Delete(header);
    if (h64 == NULL)
        return false;
    free(s->h64);
    s->h64 = h64;
    return true;
}

attest_status attest_signer_new(attest_signer **out, attest_ctx *ctx, const char *pem,
                                size_t len, const char *alg)
{
    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (out == NULL || pem == NULL || len == 0 || len > PEM_KEY_MAX)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "signer: NULL, empty or oversized key");
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *key = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL) : NULL;
    BIO_free(bio);
    if (key == NULL)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "signer: not an unencrypted PEM private "
                                 "key");
    return wrap(out, ctx, key, alg);
}

attest_status attest_signer_load(attest_signer **out, attest_ctx *ctx, const char *path,
                                 const char *alg)
{
    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (out == NULL || path == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "signer: NULL argument");
    FILE *f = fopen(path, "rb");
    struct stat st;
    char *buf = NULL;
    attest_status rc;
    if (f == NULL || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uint64_t)st.st_size > PEM_KEY_MAX || (buf = malloc((size_t)st.st_size)) == NULL ||
        fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
        rc = attest_ctx__error(ctx, ATTEST_E_IO, "signer: %s cannot be read as a key file of at "
                               "most %u bytes", path, PEM_KEY_MAX);
    else
        rc = attest_signer_new(out, ctx, buf, (size_t)st.st_size, alg);
    if (buf != NULL)
        OPENSSL_cleanse(buf, (size_t)st.st_size);
    free(buf);
    if (f != NULL)
        fclose(f);
    return rc;
}

attest_status attest_signer_generate(attest_signer **out, attest_ctx *ctx, const char *alg)
{
    if (ctx == NULL)
        return ATTEST_E_ARG;
    enum attest_jws_alg a = attest_jws__alg_from_name(alg);
    EVP_PKEY *key = NULL;
    if (out == NULL || a == ATTEST_JWS_NONE_ALG)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "signer: alg \"%s\" is not ES256, ES384, "
                                 "RS256, RS384, PS256 or EdDSA", alg ? alg : "(null)");
    switch (a) {
    case ATTEST_JWS_ES256: key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"); break;
    case ATTEST_JWS_ES384: key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"); break;
    case ATTEST_JWS_EDDSA: key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"); break;
    default: key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072); break;
    }
    if (key == NULL)
        return attest_ctx__error(ctx, ATTEST_E_INTERNAL, "signer: %s key generation failed",
                                 alg);
    return wrap(out, ctx, key, alg);
}

attest_status attest_signer_set_chain(attest_signer *s, const char *pem, size_t len)
{
    if (s == NULL)
        return ATTEST_E_ARG;
    if (pem == NULL || len == 0 || len > PEM_KEY_MAX)
        return attest_ctx__error(s->ctx, ATTEST_E_ARG, "signer: NULL, empty or oversized chain");
    STACK_OF(X509) *certs = sk_X509_new_null();
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    X509 *x;
    attest_status rc = ATTEST_OK;
    while (bio != NULL && certs != NULL && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
        if (!sk_X509_push(certs, x))
            X509_free(x);
    BIO_free(bio);
    if (sk_X509_num(certs) == 0)
        rc = attest_ctx__error(s->ctx, ATTEST_E_PARSE, "signer: the chain holds no PEM "
                               "certificate");
    else if (EVP_PKEY_eq(X509_get0_pubkey(sk_X509_value(certs, 0)), s->key) != 1)
        rc = attest_ctx__error(s->ctx, ATTEST_E_CHAIN, "signer: the chain's first certificate "
                               "is not for the signer's key");
    cJSON *x5c = rc == ATTEST_OK ? cJSON_CreateArray() : NULL;
    for (int i = 0; rc == ATTEST_OK && i < sk_X509_num(certs); i++) {
        unsigned char *der = NULL;
        int n = i2d_X509(sk_X509_value(certs, i), &der);
        /* RFC 7515 §4.1.6: standard base64 (not base64url) DER */
        char *b = n > 0 ? attest_b64__encode(ATTEST_B64_STD, der, (size_t)n) : NULL;
        if (x5c == NULL || b == NULL || !cJSON_AddItemToArray(x5c, cJSON_CreateString(b)))
            rc = attest_ctx__error(s->ctx, ATTEST_E_NOMEM, "signer: out of memory");
        free(b);
        OPENSSL_free(der);
    }
    sk_X509_pop_free(certs, X509_free);
    if (rc != ATTEST_OK) {
        cJSON_Delete(x5c);
        return rc;
    }
    cJSON *old = s->x5c;
    s->x5c = x5c;
    if (!attest_signer__header(s)) {
        s->x5c = old;
        cJSON_Delete(x5c);
        return attest_ctx__error(s->ctx, ATTEST_E_NOMEM, "signer: out of memory");
    }
    cJSON_Delete(old);
    return ATTEST_OK;
}

const char *attest_signer_alg(const attest_signer *s)
{
    return s == NULL ? NULL : attest_jws__alg_name(s->alg);
}

cJSON *attest_signer__jwk(const attest_signer *s)
{
    return attest_jwk__from_pkey(s->key, attest_jws__alg_name(s->alg), s->kid);
}

attest_status attest_signer_jwk(const attest_signer *s, char **json)
{
    if (s == NULL)
        return ATTEST_E_ARG;
    if (json == NULL)
        return attest_ctx__error(s->ctx, ATTEST_E_ARG, "signer: NULL argument");
    cJSON *jwk = attest_signer__jwk(s);
    char *text = jwk != NULL ? cJSON_PrintUnformatted(jwk) : NULL;
    cJSON_Delete(jwk);
    if (text == NULL)
        return attest_ctx__error(s->ctx, ATTEST_E_NOMEM, "signer: out of memory");
    *json = text;
    return ATTEST_OK;
}

attest_status attest_signers_jwks(attest_ctx *ctx, const attest_signer *const *signers, size_t n,
                                  char **json)
{
    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (json == NULL || (signers == NULL && n > 0))
        return attest_ctx__error(ctx, ATTEST_E_ARG, "signer: NULL argument");
    cJSON *root = cJSON_CreateObject(), *keys = cJSON_AddArrayToObject(root, "keys");
    bool ok = root != NULL && keys != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        cJSON *jwk = signers[i] != NULL ? attest_signer__jwk(signers[i]) : NULL;
        ok = jwk != NULL && cJSON_AddItemToArray(keys, jwk);
        if (!ok)
            cJSON_Delete(jwk);
    }
    char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (text == NULL)
        return attest_ctx__error(ctx, signers != NULL && n > 0 && !ok ? ATTEST_E_ARG
                                                                      : ATTEST_E_NOMEM,
                                 "signer: cannot build the JWKS (NULL signer or out of memory)");
    *json = text;
    return ATTEST_OK;
}

void attest_signer_free(attest_signer *s)
{
    if (s == NULL)
        return;
    EVP_PKEY_free(s->key);
    cJSON_Delete(s->x5c);
    free(s->h64);
    free(s);
}
