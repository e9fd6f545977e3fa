/* JWK conversion and compact JWS (lib/jose.h). */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "jose.h"
#include "x509.h"
#include "json.h"

static const struct {
    enum attest_jws_alg alg;
    const char *name;
} algs[] = {
    {ATTEST_JWS_ES256, "ES256"}, {ATTEST_JWS_ES384, "ES384"}, {ATTEST_JWS_RS256, "RS256"},
    {ATTEST_JWS_RS384, "RS384"}, {ATTEST_JWS_PS256, "PS256"}, {ATTEST_JWS_EDDSA, "EdDSA"},
};

enum attest_jws_alg attest_jws__alg_from_name(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof(algs) / sizeof(algs[0]); i++)
        if (strcmp(name, algs[i].name) == 0)
            return algs[i].alg;
    return ATTEST_JWS_NONE_ALG;
}

const char *attest_jws__alg_name(enum attest_jws_alg alg)
{
    for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
        if (algs[i].alg == alg)
            return algs[i].name;
    return NULL;
}

/* The curve name of an EC key ("P-256", ...), or NULL. */
static const char *ec_curve(EVP_PKEY *key)
{
    char group[64];
    size_t n = 0;
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
        EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &n) != 1)
        return NULL;
    if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
        return "P-256";
    if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0)
        return "P-384";
    if (strcmp(group, "secp521r1") == 0 || strcmp(group, "P-521") == 0)
        return "P-521";
    return NULL;
}

bool attest_jws__key_fits(EVP_PKEY *key, enum attest_jws_alg alg)
{
    const char *crv = ec_curve(key);
    int id = EVP_PKEY_get_base_id(key);
    switch (alg) {
    case ATTEST_JWS_ES256: return crv != NULL && strcmp(crv, "P-256") == 0;
    case ATTEST_JWS_ES384: return crv != NULL && strcmp(crv, "P-384") == 0;
    case ATTEST_JWS_RS256:
    case ATTEST_JWS_RS384:
    case ATTEST_JWS_PS256: return id == EVP_PKEY_RSA && EVP_PKEY_get_bits(key) >= 2048;
    case ATTEST_JWS_EDDSA: return id == EVP_PKEY_ED25519;
    default: return false;
    }
}

enum attest_jws_alg attest_jws__default_alg(EVP_PKEY *key)
{
    static const enum attest_jws_alg order[] = {ATTEST_JWS_ES256, ATTEST_JWS_ES384,
                                                ATTEST_JWS_RS256, ATTEST_JWS_EDDSA};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        if (attest_jws__key_fits(key, order[i]))
            return order[i];
    return ATTEST_JWS_NONE_ALG;
}

/* ---- JWK ---- */

static bool add_b64(cJSON *o, const char *name, const uint8_t *p, size_t n)
{
    char *s = attest_b64__encode(ATTEST_B64_URL, p, n);
    bool ok = s != NULL && cJSON_AddStringToObject(o, name, s) != NULL;
    free(s);
    return ok;
}

static bool add_bn(cJSON *o, const char *name, EVP_PKEY *key, const char *param, int pad)
{
    BIGNUM *bn = NULL;
    uint8_t buf[1024];
    int n;
    bool ok = EVP_PKEY_get_bn_param(key, param, &bn) == 1 &&
              (n = pad > 0 ? BN_bn2binpad(bn, buf, pad) : BN_bn2bin(bn, buf)) > 0 &&
              (size_t)n <= sizeof(buf) && add_b64(o, name, buf, (size_t)n);
    BN_free(bn);
    return ok;
}

cJSON *attest_jwk__from_pkey(EVP_PKEY *key, const char *alg, const char *kid)
{
    cJSON *o = cJSON_CreateObject();
    const char *crv = ec_curve(key);
    int id = EVP_PKEY_get_base_id(key);
    bool ok = o != NULL;

    if (ok && crv != NULL) {
        int size = strcmp(crv, "P-256") == 0 ? 32 : strcmp(crv, "P-384") == 0 ? 48 : 66;
        ok = cJSON_AddStringToObject(o, "kty", "EC") != NULL &&
             cJSON_AddStringToObject(o, "crv", crv) != NULL &&
             add_bn(o, "x", key, OSSL_PKEY_PARAM_EC_PUB_X, size) &&
             add_bn(o, "y", key, OSSL_PKEY_PARAM_EC_PUB_Y, size);
    } else if (ok && id == EVP_PKEY_RSA) {
        ok = cJSON_AddStringToObject(o, "kty", "RSA") != NULL &&
             add_bn(o, "n", key, OSSL_PKEY_PARAM_RSA_N, 0) &&
             add_bn(o, "e", key, OSSL_PKEY_PARAM_RSA_E, 0);
    } else if (ok && id == EVP_PKEY_ED25519) {
        uint8_t raw[32];
        size_t n = sizeof(raw);
        ok = EVP_PKEY_get_raw_public_key(key, raw, &n) == 1 && n == 32 &&
             cJSON_AddStringToObject(o, "kty", "OKP") != NULL &&
             cJSON_AddStringToObject(o, "crv", "Ed25519") != NULL && add_b64(o, "x", raw, n);
    } else {
        ok = false;
    }
    if (ok && alg != NULL)
        ok = cJSON_AddStringToObject(o, "alg", alg) != NULL;
    if (ok && kid != NULL)
        ok = cJSON_AddStringToObject(o, "kid", kid) != NULL;
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* A base64url member of a JWK, decoded (malloc'd). */
static attest_status jwk_b64(attest_ctx *ctx, const char *what, const cJSON *jwk,
                             const char *name, uint8_t **out, size_t *len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(jwk, name);
    if (!cJSON_IsString(v))
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "%s: member \"%s\" is missing or not a "
                                 "string", what, name);
    if (attest_b64__decode(ATTEST_B64_URL, v->valuestring, strlen(v->valuestring), out, len) !=
            ATTEST_OK ||
        *len == 0) {
        free(*out);
        *out = NULL;
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "%s: member \"%s\" is not base64url",
                                 what, name);
    }
    return ATTEST_OK;
}

static attest_status pkey_from_params(attest_ctx *ctx, const char *what, const char *type,
                                      OSSL_PARAM_BLD *bld, EVP_PKEY **out)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *key = NULL;
    attest_status rc = ATTEST_OK;

    if (params == NULL || pc == NULL || EVP_PKEY_fromdata_init(pc) != 1 ||
        EVP_PKEY_fromdata(pc, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "%s: not a valid %s public key", what,
                               type);
    OSSL_PARAM_free(params);
    EVP_PKEY_CTX_free(pc);
    if (rc == ATTEST_OK)
        *out = key;
    return rc;
}

/* EC: the point must be on the curve (EVP_PKEY_public_check), so an invalid-curve attack
 * fails here. */
static attest_status ec_from_jwk(attest_ctx *ctx, const char *what, const cJSON *jwk,
                                 EVP_PKEY **out)
{
    const cJSON *crv = cJSON_GetObjectItemCaseSensitive(jwk, "crv");
    static const struct { const char *crv, *group; size_t size; } curves[] = {
        {"P-256", "P-256", 32}, {"P-384", "P-384", 48}, {"P-521", "P-521", 66}};
    size_t ci = 3;
    for (size_t i = 0; cJSON_IsString(crv) && i < 3; i++)
        if (strcmp(crv->valuestring, curves[i].crv) == 0)
            ci = i;
    if (ci == 3)
        return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED, "%s: EC curve is not P-256, P-384 "
                                 "or P-521", what);
    uint8_t *x = NULL, *y = NULL, point[1 + 2 * 66];
    size_t xl = 0, yl = 0, size = curves[ci].size;
    attest_status rc;
    if ((rc = jwk_b64(ctx, what, jwk, "x", &x, &xl)) != ATTEST_OK ||
        (rc = jwk_b64(ctx, what, jwk, "y", &y, &yl)) != ATTEST_OK)
        goto out;
    if (xl != size || yl != size) { /* RFC 7518 §6.2.1.2: exactly the field size */
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "%s: x and y must be %zu bytes for %s "
                               "(got %zu and %zu)", what, size, curves[ci].crv, xl, yl);
        goto out;
    }
    point[0] = 0x04;
    memcpy(point + 1, x, size);
    memcpy(point + 1 + size, y, size);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    if (bld == NULL ||
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curves[ci].group, 0) !=
            1 ||
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * size) !=
            1)
        rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "%s: out of memory", what);
    else
        rc = pkey_from_params(ctx, what, "EC", bld, out);
    OSSL_PARAM_BLD_free(bld);
    if (rc == ATTEST_OK) {
        EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(NULL, *out, NULL);
        if (pc == NULL || EVP_PKEY_public_check(pc) != 1) {
            EVP_PKEY_free(*out);
            *out = NULL;
            rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "%s: the point is not on %s", what,
                                   curves[ci].crv);
        }
        EVP_PKEY_CTX_free(pc);
    }
out:
    free(x);
    free(y);
    return rc;
}

static attest_status rsa_from_jwk(attest_ctx *ctx, const char *what, const cJSON *jwk,
                                  EVP_PKEY **out)
{
    uint8_t *n = NULL, *e = NULL;
    size_t nl = 0, el = 0;
    BIGNUM *bn = NULL, *be = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    attest_status rc;

    if ((rc = jwk_b64(ctx, what, jwk, "n", &n, &nl)) != ATTEST_OK ||
        (rc = jwk_b64(ctx, what, jwk, "e", &e, &el)) != ATTEST_OK)
        goto out;
    if (nl < 256 || nl > 1024 || el > 8) {
        rc = attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED, "%s: RSA modulus of %zu bits (want "
                               "2048 to 8192) or exponent of %zu bytes", what, nl * 8, el);
        goto out;
    }
    bn = BN_bin2bn(n, (int)nl, NULL);
    be = BN_bin2bn(e, (int)el, NULL);
    if (bn == NULL || be == NULL || (bld = OSSL_PARAM_BLD_new()) == NULL ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) != 1)
        rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "%s: out of memory", what);
    else
        rc = pkey_from_params(ctx, what, "RSA", bld, out);
out:
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn);
    BN_free(be);
    free(n);
    free(e);
    return rc;
}

attest_status attest_jwk__to_pkey(attest_ctx *ctx, const char *what, const cJSON *jwk,
                                  EVP_PKEY **out)
{
    const cJSON *kty = cJSON_GetObjectItemCaseSensitive(jwk, "kty");
    if (!cJSON_IsObject(jwk) || !cJSON_IsString(kty))
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "%s: not a JWK (an object with \"kty\")",
                                 what);
    if (strcmp(kty->valuestring, "EC") == 0)
        return ec_from_jwk(ctx, what, jwk, out);
    if (strcmp(kty->valuestring, "RSA") == 0)
        return rsa_from_jwk(ctx, what, jwk, out);
    if (strcmp(kty->valuestring, "OKP") == 0) {
        const cJSON *crv = cJSON_GetObjectItemCaseSensitive(jwk, "crv");
        uint8_t *x = NULL;
        size_t xl = 0;
        attest_status rc;
        if (!cJSON_IsString(crv) || strcmp(crv->valuestring, "Ed25519") != 0)
            return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED, "%s: OKP curve is not Ed25519",
                                     what);
        if ((rc = jwk_b64(ctx, what, jwk, "x", &x, &xl)) != ATTEST_OK)
            return rc;
        *out = xl == 32 ? EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, xl) : NULL;
        free(x);
        return *out != NULL ? ATTEST_OK
                            : attest_ctx__error(ctx, ATTEST_E_PARSE, "%s: Ed25519 x is not 32 "
                                                "bytes", what);
    }
    return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED, "%s: kty \"%s\" is not EC, RSA or OKP",
                             what, kty->valuestring);
}

static const char *member(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

bool attest_jwk__thumbprint(EVP_PKEY *key, char out[44])
{
    cJSON *jwk = attest_jwk__from_pkey(key, NULL, NULL);
    char text[2400];
    uint8_t md[32];
    unsigned int n = 0;
    int len = -1;
    bool ok = false;

    /* RFC 7638 §3.2-3.3: the required members in lexicographic order, no whitespace; their
     * values are base64url or fixed names, which JSON never escapes */
    if (jwk != NULL) {
        const char *kty = member(jwk, "kty");
        if (strcmp(kty, "EC") == 0)
            len = snprintf(text, sizeof(text), "{\"crv\":\"%s\",\"kty\":\"EC\",\"x\":\"%s\","
                           "\"y\":\"%s\"}", member(jwk, "crv"), member(jwk, "x"),
                           member(jwk, "y"));
        else if (strcmp(kty, "RSA") == 0)
            len = snprintf(text, sizeof(text), "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}",
                           member(jwk, "e"), member(jwk, "n"));
        else if (strcmp(kty, "OKP") == 0)
            len = snprintf(text, sizeof(text), "{\"crv\":\"%s\",\"kty\":\"OKP\",\"x\":\"%s\"}",
                           member(jwk, "crv"), member(jwk, "x"));
    }
    ok = len > 0 && (size_t)len < sizeof(text) &&
         EVP_Digest(text, (size_t)len, md, &n, EVP_sha256(), NULL) == 1;
    if (ok) {
        char *b = attest_b64__encode(ATTEST_B64_URL, md, 32);
        ok = b != NULL && strlen(b) == 43;
        if (ok)
            memcpy(out, b, 44);
        free(b);
    }
    cJSON_Delete(jwk);
    return ok;
}

/* ---- JWS ---- */

static const EVP_MD *alg_md(enum attest_jws_alg alg)
{
    switch (alg) {
    case ATTEST_JWS_ES256:
    case ATTEST_JWS_RS256:
    case ATTEST_JWS_PS256: return EVP_sha256();
    case ATTEST_JWS_ES384:
    case ATTEST_JWS_RS384: return EVP_sha384();
    default: return NULL; /* EdDSA hashes internally */
    }
}

static size_t es_size(enum attest_jws_alg alg)
{
    return alg == ATTEST_JWS_ES256 ? 32 : alg == ATTEST_JWS_ES384 ? 48 : 0;
}

static bool digest_init(EVP_MD_CTX *md, EVP_PKEY *key, enum attest_jws_alg alg, bool sign)
{
    EVP_PKEY_CTX *pc = NULL;
    int ok = sign ? EVP_DigestSignInit(md, &pc, alg_md(alg), NULL, key)
                  : EVP_DigestVerifyInit(md, &pc, alg_md(alg), NULL, key);
    if (ok == 1 && alg == ATTEST_JWS_PS256) /* RFC 7518 §3.5: salt = hash length */
        ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, 32) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pc, EVP_sha256()) == 1;
    return ok == 1;
}

char *attest_jws__header_b64(cJSON *header, enum attest_jws_alg alg)
{
    char *text, *b;
    cJSON_DeleteItemFromObjectCaseSensitive(header, "alg");
    if (cJSON_AddStringToObject(header, "alg", attest_jws__alg_name(alg)) == NULL ||
        (text = cJSON_PrintUnformatted(header)) == NULL)
        return NULL;
    b = attest_b64__encode(ATTEST_B64_URL, (const uint8_t *)text, strlen(text));
    free(text);
    return b;
}

attest_status attest_jws__sign(attest_ctx *ctx, EVP_PKEY *key, enum attest_jws_alg alg,
                               cJSON *header, const uint8_t *payload, size_t len, char **out)
{
    char *h64 = attest_jws__header_b64(header, alg);
    if (h64 == NULL)
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "jws: out of memory");
    attest_status rc = attest_jws__sign_h64(ctx, key, alg, h64, payload, len, out);
    free(h64);
    return rc;
}

attest_status attest_jws__sign_h64(attest_ctx *ctx, EVP_PKEY *key, enum attest_jws_alg alg,
                                   const char *h64, const uint8_t *payload, size_t len,
                                   char **out)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    char *p64 = NULL, *s64 = NULL, *input = NULL, *jws = NULL;
    uint8_t *sig = NULL, raw[132];
    size_t sig_len = 0, input_len;
    attest_status rc = ATTEST_OK;

    if (!attest_jws__key_fits(key, alg)) {
        EVP_MD_CTX_free(md);
        return attest_ctx__error(ctx, ATTEST_E_ARG, "jws: the key cannot sign %s",
                                 attest_jws__alg_name(alg) ? attest_jws__alg_name(alg) : "?");
    }
    if (md == NULL || (p64 = attest_b64__encode(ATTEST_B64_URL, payload, len)) == NULL ||
        (input = malloc(strlen(h64) + strlen(p64) + 2)) == NULL)
        goto nomem;
    input_len = (size_t)sprintf(input, "%s.%s", h64, p64);
    if (!digest_init(md, key, alg, true) ||
        EVP_DigestSign(md, NULL, &sig_len, (const uint8_t *)input, input_len) != 1 ||
        (sig = malloc(sig_len)) == NULL ||
        EVP_DigestSign(md, sig, &sig_len, (const uint8_t *)input, input_len) != 1) {
        rc = attest_ctx__error(ctx, ATTEST_E_INTERNAL, "jws: %s signing failed",
                               attest_jws__alg_name(alg));
        goto out;
    }
    const uint8_t *final = sig;
    size_t final_len = sig_len;
    if (es_size(alg) > 0) { /* DER ECDSA-Sig-Value -> r||s (RFC 7518 §3.4) */
        const unsigned char *p = sig;
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)sig_len);
        const BIGNUM *r, *s;
        size_t n = es_size(alg);
        bool ok = es != NULL;
        if (ok) {
            ECDSA_SIG_get0(es, &r, &s);
            ok = BN_bn2binpad(r, raw, (int)n) == (int)n && BN_bn2binpad(s, raw + n, (int)n) == (int)n;
        }
        ECDSA_SIG_free(es);
        if (!ok) {
            rc = attest_ctx__error(ctx, ATTEST_E_INTERNAL, "jws: ECDSA signature conversion");
            goto out;
        }
        final = raw;
        final_len = 2 * n;
    }
    if ((s64 = attest_b64__encode(ATTEST_B64_URL, final, final_len)) == NULL ||
        (jws = malloc(input_len + strlen(s64) + 2)) == NULL)
        goto nomem;
    sprintf(jws, "%s.%s", input, s64);
    *out = jws;
    jws = NULL;
    goto out;
nomem:
    rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "jws: out of memory");
out:
    EVP_MD_CTX_free(md);
    free(p64);
    free(s64);
    free(input);
    free(sig);
    free(jws);
    return rc;
}

/* Decode one compact part: base64url without padding (RFC 7515 §2, §7.1). */
static attest_status part(attest_ctx *ctx, const char *name, const char *p, size_t n,
                          uint8_t **out, size_t *out_len)
{
    if (memchr(p, '=', n) != NULL ||
        attest_b64__decode(ATTEST_B64_URL, p, n, out, out_len) != ATTEST_OK)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "jws: %s is not unpadded base64url",
                                 name);
    return ATTEST_OK;
}

#define JWS_MAX (16u * 1024u * 1024u)

attest_status attest_jws__parse(attest_ctx *ctx, const char *token, size_t len,
                                struct attest_jws *out)
{
    struct attest_jws j;
    struct attest_json strict;
    uint8_t *htext = NULL;
    size_t hlen = 0;
    attest_status rc;

    memset(&j, 0, sizeof(j));
    while (len > 0 && (token[len - 1] == '\n' || token[len - 1] == '\r' || token[len - 1] == ' '))
        len--;
    if (len > JWS_MAX)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "jws: token is larger than %u bytes",
                                 JWS_MAX);
    const char *d1 = memchr(token, '.', len);
    const char *d2 = d1 != NULL ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - token)) : NULL;
    if (d1 == NULL || d2 == NULL || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - token)) != NULL)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "jws: not a compact JWS (want three "
                                 "base64url parts separated by '.')");
    if ((rc = part(ctx, "header", token, (size_t)(d1 - token), &htext, &hlen)) != ATTEST_OK)
        goto fail;
    /* strict parse first: a repeated "alg" must not mean one thing here, another elsewhere */
    if ((rc = attest_json__parse(ctx, "jws: header", (const char *)htext, hlen, &strict)) !=
        ATTEST_OK)
        goto fail;
    attest_json__free(&strict);
    j.header = cJSON_ParseWithLength((const char *)htext, hlen);
    if (!cJSON_IsObject(j.header)) {
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "jws: header is not a JSON object");
        goto fail;
    }
    const cJSON *alg = cJSON_GetObjectItemCaseSensitive(j.header, "alg");
    if (!cJSON_IsString(alg)) {
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "jws: header has no \"alg\" string");
        goto fail;
    }
    if ((j.alg = attest_jws__alg_from_name(alg->valuestring)) == ATTEST_JWS_NONE_ALG) {
        rc = attest_ctx__error(ctx, ATTEST_E_SIGNATURE, "jws: alg \"%.32s\" is not allowed "
                               "(want ES256, ES384, RS256, RS384, PS256 or EdDSA)",
                               alg->valuestring);
        goto fail;
    }
    if (cJSON_GetObjectItemCaseSensitive(j.header, "crit") != NULL ||
        cJSON_GetObjectItemCaseSensitive(j.header, "b64") != NULL) {
        rc = attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED, "jws: header extensions (\"crit\", "
                               "\"b64\") are not supported");
        goto fail;
    }
    if ((rc = part(ctx, "payload", d1 + 1, (size_t)(d2 - d1 - 1), &j.payload, &j.payload_len)) !=
            ATTEST_OK ||
        (rc = part(ctx, "signature", d2 + 1, len - (size_t)(d2 + 1 - token), &j.sig,
                   &j.sig_len)) != ATTEST_OK)
        goto fail;
    j.signing_input = token;
    j.signing_input_len = (size_t)(d2 - token);
    free(htext);
    *out = j;
    return ATTEST_OK;
fail:
    free(htext);
    attest_jws__free(&j);
    return rc;
}

void attest_jws__free(struct attest_jws *j)
{
    cJSON_Delete(j->header);
    free(j->payload);
    free(j->sig);
    memset(j, 0, sizeof(*j));
}

attest_status attest_jws__check(attest_ctx *ctx, const struct attest_jws *j, EVP_PKEY *key)
{
    const char *name = attest_jws__alg_name(j->alg);
    uint8_t *der = NULL;
    const uint8_t *sig = j->sig;
    size_t sig_len = j->sig_len;
    attest_status rc = ATTEST_OK;

    if (!attest_jws__key_fits(key, j->alg)) /* no RS/HS confusion: the key decides */
        return attest_ctx__error(ctx, ATTEST_E_SIGNATURE, "jws: alg %s does not fit the "
                                 "verification key", name ? name : "?");
    if (es_size(j->alg) > 0) {
        size_t n = es_size(j->alg);
        int der_len = 0;
        if (j->sig_len != 2 * n)
            return attest_ctx__error(ctx, ATTEST_E_SIGNATURE, "jws: %s signature is %zu bytes "
                                     "(want %zu)", name, j->sig_len, 2 * n);
        if ((der_len = attest_ecdsa__der(j->sig, n, &der)) <= 0)
            return attest_ctx__error(ctx, ATTEST_E_NOMEM, "jws: out of memory");
        sig = der;
        sig_len = (size_t)der_len;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md == NULL || !digest_init(md, key, j->alg, false))
        rc = attest_ctx__error(ctx, ATTEST_E_INTERNAL, "jws: %s verification setup failed",
                               name);
    else if (EVP_DigestVerify(md, sig, sig_len, (const uint8_t *)j->signing_input,
                              j->signing_input_len) != 1)
        rc = attest_ctx__error(ctx, ATTEST_E_SIGNATURE, "jws: %s signature does not verify",
                               name);
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    return rc;
}
