/*
 * Verifying JWS/JWT attestation tokens against keys the caller trusts (RFC 7515, RFC 7519):
 * a JWK/JWKS, roots for a header "x5c" chain, or a pinned header "jwk". The token alone
 * never makes its key trusted.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "jose.h"
#include "json.h"

#define KEYS_MAX 64
#define PINS_MAX 16

struct trusted_key {
    EVP_PKEY *key;
    char *kid; /* NULL: none */
};

struct attest_token_verifier {
    attest_ctx *ctx;
    struct trusted_key keys[KEYS_MAX];
    size_t n_keys;
    STACK_OF(X509) *roots;
    char pins[PINS_MAX][44];
    size_t n_pins;
    char *issuer, *audience;
    int64_t leeway;
    int64_t max_age; /* 0: exp required */
};

attest_status attest_token_verifier_new(attest_token_verifier **out, attest_ctx *ctx)
{
    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (out == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "token: NULL argument");
    attest_token_verifier *v = calloc(1, sizeof(*v));
    if (v == NULL || (v->roots = sk_X509_new_null()) == NULL) {
        free(v);
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "token: out of memory");
    }
    v->ctx = ctx;
    v->leeway = 60;
    *out = v;
    return ATTEST_OK;
}

void attest_token_verifier_free(attest_token_verifier *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->n_keys; i++) {
        EVP_PKEY_free(v->keys[i].key);
        free(v->keys[i].kid);
    }
    sk_X509_pop_free(v->roots, X509_free);
    free(v->issuer);
    free(v->audience);
    free(v);
}

static attest_status add_key(attest_token_verifier *v, const cJSON *jwk, size_t index)
{
    char what[48];
    EVP_PKEY *key = NULL;
    const cJSON *kid = cJSON_GetObjectItemCaseSensitive(jwk, "kid");
    snprintf(what, sizeof(what), "token: JWKS key %zu", index);
    attest_status rc = attest_jwk__to_pkey(v->ctx, what, jwk, &key);
    if (rc != ATTEST_OK)
        return rc;
    if (v->n_keys == KEYS_MAX) {
        EVP_PKEY_free(key);
        return attest_ctx__error(v->ctx, ATTEST_E_ARG, "token: more than %d trusted keys",
                                 KEYS_MAX);
    }
    char *k = cJSON_IsString(kid) ? strdup(kid->valuestring) : NULL;
    if (cJSON_IsString(kid) && k == NULL) {
        EVP_PKEY_free(key);
        return attest_ctx__error(v->ctx, ATTEST_E_NOMEM, "token: out of memory");
    }
    v->keys[v->n_keys].key = key;
    v->keys[v->n_keys].kid = k;
    v->n_keys++;
    return ATTEST_OK;
}

attest_status attest_token_verifier_add_jwks(attest_token_verifier *v, const char *json,
                                             size_t len)
{
    struct attest_json strict;
    if (v == NULL)
        return ATTEST_E_ARG;
    if (json == NULL)
        return attest_ctx__error(v->ctx, ATTEST_E_ARG, "token: NULL JWKS");
    attest_status rc = attest_json__parse(v->ctx, "token: JWKS", json, len, &strict);
    if (rc != ATTEST_OK)
        return rc;
    attest_json__free(&strict);
    cJSON *root = cJSON_ParseWithLength(json, len);
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(root, "keys");
    size_t before = v->n_keys, i = 0;
    if (!cJSON_IsObject(root) || (keys != NULL && !cJSON_IsArray(keys))) {
        rc = attest_ctx__error(v->ctx, ATTEST_E_PARSE, "token: JWKS is not a JWK or "
                               "{\"keys\": [...]}");
    } else if (keys == NULL) {
        rc = add_key(v, root, 0);
    } else {
        for (const cJSON *k = keys->child; rc == ATTEST_OK && k != NULL; k = k->next)
            rc = add_key(v, k, i++);
        if (rc == ATTEST_OK && i == 0)
            rc = attest_ctx__error(v->ctx, ATTEST_E_PARSE, "token: JWKS has no keys");
    }
    if (rc != ATTEST_OK) /* all or nothing */
        while (v->n_keys > before) {
            v->n_keys--;
            EVP_PKEY_free(v->keys[v->n_keys].key);
            free(v->keys[v->n_keys].kid);
        }
    cJSON_Delete(root);
    return rc;
}

attest_status attest_token_verifier_add_pem(attest_token_verifier *v, const char *pem, size_t len)
{
    if (v == NULL)
        return ATTEST_E_ARG;
    if (pem == NULL || len == 0 || len > 1024u * 1024u)
        return attest_ctx__error(v->ctx, ATTEST_E_ARG, "token: NULL, empty or oversized PEM");
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *key = bio != NULL ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
    if (key == NULL && bio != NULL) {
        (void)BIO_reset(bio);
        X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        key = x != NULL ? X509_get_pubkey(x) : NULL;
        X509_free(x);
    }
    BIO_free(bio);
    if (key == NULL)
        return attest_ctx__error(v->ctx, ATTEST_E_PARSE, "token: not a PEM public key or "
                                 "certificate");
    if (attest_jws__default_alg(key) == ATTEST_JWS_NONE_ALG) {
        EVP_PKEY_free(key);
        return attest_ctx__error(v->ctx, ATTEST_E_UNSUPPORTED, "token: the key is not RSA, EC "
                                 "P-256/P-384 or Ed25519");
    }
    if (v->n_keys == KEYS_MAX) {
        EVP_PKEY_free(key);
        return attest_ctx__error(v->ctx, ATTEST_E_ARG, "token: more than %d trusted keys",
                                 KEYS_MAX);
    }
    v->keys[v->n_keys].key = key;
    v->keys[v->n_keys].kid = NULL;
    v->n_keys++;
    return ATTEST_OK;
}

attest_status attest_token_verifier_add_roots(attest_token_verifier *v, const char *pem,
                                              size_t len)
{
    if (v == NULL)
        return ATTEST_E_ARG;
    if (pem == NULL || len == 0 || len > 4u * 1024u * 1024u)
        return attest_ctx__error(v->ctx, ATTEST_E_ARG, "token: NULL, empty or oversized roots");
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    X509 *x;
    int added = 0;
    while (bio != NULL && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (!sk_X509_push(v->roots, x)) {
            X509_free(x);
            break;
        }
        added++;
    }
    BIO_free(bio);
    return added > 0 ? ATTEST_OK
                     : attest_ctx__error(v->ctx, ATTEST_E_PARSE, "token: no PEM certificate "
                                         "in the roots");
}

attest_status attest_token_verifier_pin_jwk(attest_token_verifier *v, const char *thumbprint)
{
    if (v == NULL)
        return ATTEST_E_ARG;
    if (thumbprint == NULL || strlen(thumbprint) != 43 || v->n_pins == PINS_MAX)
        return attest_ctx__error(v->ctx, ATTEST_E_ARG, "token: a JWK thumbprint is 43 "
                                 "base64url characters (at most %d pins)", PINS_MAX);
    memcpy(v->pins[v->n_pins++], thumbprint, 44);
    return ATTEST_OK;
}

static attest_status set_str(attest_token_verifier *v, char **dst, const char *s)
{
    if (v == NULL)
        return ATTEST_E_ARG;
    char *copy = s != NULL ? strdup(s) : NULL;
    if (s != NULL && copy == NULL)
        return attest_ctx__error(v->ctx, ATTEST_E_NOMEM, "token: out of memory");
    free(*dst);
    *dst = copy;
    return ATTEST_OK;
}

attest_status attest_token_verifier_set_issuer(attest_token_verifier *v, const char *iss)
{
    return set_str(v, v != NULL ? &v->issuer : NULL, iss);
}

attest_status attest_token_verifier_set_audience(attest_token_verifier *v, const char *aud)
{
    return set_str(v, v != NULL ? &v->audience : NULL, aud);
}

attest_status attest_token_verifier_set_leeway(attest_token_verifier *v, int64_t seconds)
{
    if (v == NULL)
        return ATTEST_E_ARG;
    if (seconds < 0 || seconds > 600)
        return attest_ctx__error(v->ctx, ATTEST_E_ARG, "token: leeway %lld s is outside 0..600",
                                 (long long)seconds);
    v->leeway = seconds;
    return ATTEST_OK;
}

attest_status attest_token_verifier_set_max_age(attest_token_verifier *v, int64_t seconds)
{
    if (v == NULL)
        return ATTEST_E_ARG;
    if (seconds < 1 || seconds > 10 * 366 * 24 * 3600LL)
        return attest_ctx__error(v->ctx, ATTEST_E_ARG, "token: max age %lld s is outside 1 s "
                                 "to 10 years", (long long)seconds);
    v->max_age = seconds;
    return ATTEST_OK;
}

/* The leaf key of a header x5c chain that ends at a trusted root, valid at the ctx time. */
static attest_status x5c_key(attest_token_verifier *v, const cJSON *x5c, EVP_PKEY **out)
{
    STACK_OF(X509) *chain = sk_X509_new_null();
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *sc = X509_STORE_CTX_new();
    attest_status rc = ATTEST_OK;

    *out = NULL;
    for (const cJSON *c = x5c->child; rc == ATTEST_OK && c != NULL; c = c->next) {
        uint8_t *der = NULL;
        size_t n = 0;
        const unsigned char *p;
        X509 *x = NULL;
        if (!cJSON_IsString(c) ||
            attest_b64__decode(ATTEST_B64_STD, c->valuestring, strlen(c->valuestring), &der,
                               &n) != ATTEST_OK ||
            (p = der, x = d2i_X509(NULL, &p, (long)n)) == NULL || p != der + n ||
            !sk_X509_push(chain, x)) {
            X509_free(x);
            rc = attest_ctx__error(v->ctx, ATTEST_E_PARSE, "token: header x5c holds something "
                                   "that is not a base64 DER certificate");
        }
        free(der);
    }
    if (rc == ATTEST_OK && sk_X509_num(chain) == 0)
        rc = attest_ctx__error(v->ctx, ATTEST_E_PARSE, "token: header x5c is empty");
    for (int i = 0; rc == ATTEST_OK && i < sk_X509_num(v->roots); i++)
        if (store == NULL || X509_STORE_add_cert(store, sk_X509_value(v->roots, i)) != 1)
            rc = attest_ctx__error(v->ctx, ATTEST_E_NOMEM, "token: out of memory");
    if (rc == ATTEST_OK) {
        X509 *leaf = sk_X509_value(chain, 0);
        if (sc == NULL || X509_STORE_CTX_init(sc, store, leaf, chain) != 1) {
            rc = attest_ctx__error(v->ctx, ATTEST_E_NOMEM, "token: out of memory");
        } else {
            X509_STORE_CTX_set_time(sc, 0, (time_t)attest_ctx_time(v->ctx));
            if (X509_verify_cert(sc) != 1)
                rc = attest_ctx__error(v->ctx, ATTEST_E_CHAIN, "token: header x5c does not "
                                       "chain to a trusted root (%s)",
                                       X509_verify_cert_error_string(
                                           X509_STORE_CTX_get_error(sc)));
            else if ((*out = X509_get_pubkey(leaf)) == NULL)
                rc = attest_ctx__error(v->ctx, ATTEST_E_NOMEM, "token: out of memory");
        }
    }
    X509_STORE_CTX_free(sc);
    X509_STORE_free(store);
    sk_X509_pop_free(chain, X509_free);
    return rc;
}

/* A NumericDate (RFC 7519 §2): an integer, or a JSON number literal with a fraction. */
static bool num(const struct attest_json *d, uint32_t i, double *out)
{
    char lit[64];
    if (!attest_json__is(d, i, ATTEST_JSON_NUMBER))
        return false;
    if (d->v[i].is_uint) {
        *out = (double)d->v[i].uint;
        return true;
    }
    if (d->v[i].str_len >= sizeof(lit))
        return false;
    memcpy(lit, d->v[i].str, d->v[i].str_len);
    lit[d->v[i].str_len] = '\0';
    char *end = NULL;
    *out = strtod(lit, &end); /* a JSON literal has no locale-dependent characters but '.' */
    return end != NULL && *end == '\0';
}

static bool str_is(const struct attest_json *d, uint32_t i, const char *want)
{
    return attest_json__is(d, i, ATTEST_JSON_STRING) && d->v[i].str_len == strlen(want) &&
           memcmp(d->v[i].str, want, d->v[i].str_len) == 0;
}

/* RFC 7519 §4.1: exp (required without a max age), nbf, iat at the ctx time; iss and aud
 * when asked. */
static attest_status check_claims(attest_token_verifier *v, const struct attest_json *d)
{
    double now = (double)attest_ctx_time(v->ctx), t, exp = 0;
    double lw = (double)v->leeway;
    uint32_t e = attest_json__get(d, 0, "exp"), nbf = attest_json__get(d, 0, "nbf");
    uint32_t iat = attest_json__get(d, 0, "iat");

    if (e == ATTEST_JSON_NONE && v->max_age == 0)
        return attest_ctx__error(v->ctx, ATTEST_E_PARSE, "token: claim \"exp\" is missing "
                                 "(set a max age to accept tokens without one)");
    if (e != ATTEST_JSON_NONE && !num(d, e, &exp))
        return attest_ctx__error(v->ctx, ATTEST_E_PARSE, "token: claim \"exp\" is not a number");
    if (v->max_age > 0) {
        if (!num(d, iat, &t))
            return attest_ctx__error(v->ctx, ATTEST_E_PARSE, "token: claim \"iat\" is missing "
                                     "or not a number (a max age is set)");
        if (now - t > (double)v->max_age + lw)
            return attest_ctx__error(v->ctx, ATTEST_E_EXPIRED, "token: issued at %.0f, older "
                                     "than the max age of %lld s (now %.0f)", t,
                                     (long long)v->max_age, now);
    }
    if (e != ATTEST_JSON_NONE && now > exp + lw)
        return attest_ctx__error(v->ctx, ATTEST_E_EXPIRED, "token: expired at %.0f (now %.0f, "
                                 "leeway %.0f s)", exp, now, lw);
    if (nbf != ATTEST_JSON_NONE) {
        if (!num(d, nbf, &t))
            return attest_ctx__error(v->ctx, ATTEST_E_PARSE, "token: claim \"nbf\" is not a "
                                     "number");
        if (now + lw < t)
            return attest_ctx__error(v->ctx, ATTEST_E_EXPIRED, "token: not valid before %.0f "
                                     "(now %.0f)", t, now);
    }
    if (iat != ATTEST_JSON_NONE) {
        if (!num(d, iat, &t))
            return attest_ctx__error(v->ctx, ATTEST_E_PARSE, "token: claim \"iat\" is not a "
                                     "number");
        if (t > now + lw)
            return attest_ctx__error(v->ctx, ATTEST_E_EXPIRED, "token: issued in the future "
                                     "(iat %.0f, now %.0f)", t, now);
    }
    if (v->issuer != NULL && !str_is(d, attest_json__get(d, 0, "iss"), v->issuer))
        return attest_ctx__error(v->ctx, ATTEST_E_POLICY, "token: issuer is not \"%s\"",
                                 v->issuer);
    if (v->audience != NULL) {
        uint32_t aud = attest_json__get(d, 0, "aud");
        bool found = str_is(d, aud, v->audience);
        if (attest_json__is(d, aud, ATTEST_JSON_ARRAY))
            for (uint32_t a = d->v[aud].first; a != ATTEST_JSON_NONE; a = d->v[a].next)
                found = found || str_is(d, a, v->audience);
        if (!found)
            return attest_ctx__error(v->ctx, ATTEST_E_POLICY, "token: audience \"%s\" is not "
                                     "in \"aud\"", v->audience);
    }
    return ATTEST_OK;
}

/* Try the signature with key; remember how many keys were tried. */
static bool try_key(attest_token_verifier *v, const struct attest_jws *j, EVP_PKEY *key,
                    int *tried)
{
    if (!attest_jws__key_fits(key, j->alg))
        return false;
    (*tried)++;
    return attest_jws__check(v->ctx, j, key) == ATTEST_OK;
}

attest_status attest_token_verify(attest_token_verifier *v, const char *jwt, size_t len,
                                  char **claims)
{
    struct attest_jws j;
    struct attest_json strict;
    attest_status rc;
    bool ok = false;
    int tried = 0;

    if (v == NULL)
        return ATTEST_E_ARG;
    if (jwt == NULL || claims == NULL)
        return attest_ctx__error(v->ctx, ATTEST_E_ARG, "token: NULL argument");
    if ((rc = attest_jws__parse(v->ctx, jwt, len, &j)) != ATTEST_OK)
        return rc;
    const cJSON *kid = cJSON_GetObjectItemCaseSensitive(j.header, "kid");
    /* 1. caller keys: by kid when the token names one */
    for (size_t i = 0; !ok && i < v->n_keys; i++)
        if (!cJSON_IsString(kid) || v->keys[i].kid == NULL ||
            strcmp(kid->valuestring, v->keys[i].kid) == 0)
            ok = try_key(v, &j, v->keys[i].key, &tried);
    /* 2. a header x5c chain to a caller root */
    const cJSON *x5c = cJSON_GetObjectItemCaseSensitive(j.header, "x5c");
    if (!ok && cJSON_IsArray(x5c) && sk_X509_num(v->roots) > 0) {
        EVP_PKEY *key = NULL;
        if ((rc = x5c_key(v, x5c, &key)) != ATTEST_OK) {
            attest_jws__free(&j);
            return rc;
        }
        ok = try_key(v, &j, key, &tried);
        EVP_PKEY_free(key);
    }
    /* 3. the header jwk, only when pinned */
    const cJSON *hjwk = cJSON_GetObjectItemCaseSensitive(j.header, "jwk");
    if (!ok && hjwk != NULL && v->n_pins > 0) {
        EVP_PKEY *key = NULL;
        char tp[44];
        if (attest_jwk__to_pkey(v->ctx, "token: header jwk", hjwk, &key) == ATTEST_OK &&
            attest_jwk__thumbprint(key, tp))
            for (size_t i = 0; !ok && i < v->n_pins; i++)
                if (strcmp(tp, v->pins[i]) == 0)
                    ok = try_key(v, &j, key, &tried);
        EVP_PKEY_free(key);
    }
    if (!ok) {
        const char *alg = attest_jws__alg_name(j.alg);
        rc = tried == 0 ? attest_ctx__error(v->ctx, ATTEST_E_NOT_FOUND, "token: no trusted key "
                                            "for a %s token%s%s", alg,
                                            cJSON_IsString(kid) ? " with kid " : "",
                                            cJSON_IsString(kid) ? kid->valuestring : "")
                        : attest_ctx__error(v->ctx, ATTEST_E_SIGNATURE, "token: %s signature "
                                            "does not verify with any trusted key (%d tried)",
                                            alg, tried);
        attest_jws__free(&j);
        return rc;
    }
    /* the payload: a strict JSON object, then its registered claims */
    rc = attest_json__parse(v->ctx, "token: claims", (const char *)j.payload, j.payload_len,
                            &strict);
    if (rc == ATTEST_OK) {
        rc = attest_json__is(&strict, 0, ATTEST_JSON_OBJECT)
                 ? check_claims(v, &strict)
                 : attest_ctx__error(v->ctx, ATTEST_E_PARSE, "token: claims are not a JSON "
                                     "object");
        attest_json__free(&strict);
    }
    if (rc == ATTEST_OK) {
        char *text = malloc(j.payload_len + 1);
        if (text == NULL) {
            rc = attest_ctx__error(v->ctx, ATTEST_E_NOMEM, "token: out of memory");
        } else {
            memcpy(text, j.payload, j.payload_len);
            text[j.payload_len] = '\0';
            *claims = text;
        }
    }
    attest_jws__free(&j);
    return rc;
}
