/*
 * Attestation-result tokens through the public API (<attest/token.h>): signers from PEM
 * (PKCS#8 and traditional) and generated, EAR and Trustee "simple" minting with their exact
 * claims (../shared/specs/attestation-service.md §4-6), JWKS export and kid selection, x5c
 * chains, pinned header JWKs, every way a token can be malformed, forged or out of date, and
 * the real EAR vectors of ../shared/vectors/ear (read through ATTEST_VECTORS, never copied).
 *
 * Everything the library is checked against is computed here with OpenSSL and cJSON, not
 * with the library: base64url, JWS signatures (crafted headers and payloads), RFC 7638
 * thumbprints, certificates. The clock is pinned (T0) in every test.
 *
 * Cost under valgrind (CK_FORK=no): keys are generated once per process (one RSA-2048 key,
 * 7-13 s under valgrind); attest_signer_generate() makes RSA-3072 keys, about 20 s each
 * under valgrind, so the generated-signer round trips of RS256/RS384/PS256 and the
 * simulated SNP device (two RSA-2048 keys) run only outside valgrind.
 *
 * Tests marked "BUG" assert what the header or the spec promises and fail until lib/ is
 * fixed.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#include <attest/attest.h>

#include "check_main.h"

#define T0 INT64_C(1767225600)       /* 2026-01-01T00:00:00Z: the ctx time of every test */
#define DAY INT64_C(86400)
#define TTL_MAX (31 * DAY)           /* attest_token_opts_set_ttl() upper bound */
#define PROFILE "tag:github.com,2024:confidential-containers/Trustee"
#define ISSUER "CoCo-Attestation-Service"
#define DEVELOPER "https://confidentialcontainers.org"

/* ---- fixture: keys and a sample result, made once per process ---- */

static attest_ctx *ctx;
static EVP_PKEY *k_p256, *k_p384, *k_rsa, *k_ed, *k_p256b, *k_root, *k_root2;
static attest_result *sample_res;

static void free_globals(void)
{
    EVP_PKEY *keys[] = {k_p256, k_p384, k_rsa, k_ed, k_p256b, k_root, k_root2};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        EVP_PKEY_free(keys[i]);
    attest_result_free(sample_res);
    attest_ctx_free(ctx);
}

/* Verified sample evidence: the result every minting test signs. */
static attest_result *sample_result(attest_ctx *c)
{
    attest_attester *att = NULL;
    attest_evidence *ev = NULL;
    attest_request *req = NULL;
    attest_result *res = NULL;
    const uint8_t rd[4] = {1, 2, 3, 4};
    size_t len = 0;

    if (attest_attester_new(&att, c, "sample") != ATTEST_OK ||
        attest_attester_collect(att, rd, sizeof(rd), &ev) != ATTEST_OK)
        abort();
    const uint8_t *data = attest_evidence_data(ev, &len);
    if (attest_request_new(&req, "sample", data, len) != ATTEST_OK ||
        attest_verify(c, req, &res) != ATTEST_OK)
        abort();
    attest_request_free(req);
    attest_evidence_free(ev);
    attest_attester_free(att);
    return res;
}

/* Unchecked: runs in Check's parent, so forked tests inherit the keys; the guard keeps it
 * to one keygen per process although every TCase installs it. */
static void globals_setup(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    if (attest_ctx_new(&ctx) != ATTEST_OK || attest_ctx_set_time(ctx, T0) != ATTEST_OK)
        abort();
    k_p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    k_p256b = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    k_p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    k_ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    k_root = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    k_root2 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    k_rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    if (!k_p256 || !k_p256b || !k_p384 || !k_ed || !k_root || !k_root2 || !k_rsa)
        abort();
    sample_res = sample_result(ctx);
    atexit(free_globals);
}

/* Checked: every test starts at T0. */
static void setup(void)
{
    ck_assert_int_eq(attest_ctx_set_time(ctx, T0), ATTEST_OK);
}

static void teardown(void)
{
}

/* ---- base64url, JSON and PEM helpers (independent of the library) ---- */

static char *b64url(const uint8_t *p, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *out = malloc(n / 3 * 4 + 5), *o = out;
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        *o++ = a[v >> 18 & 63];
        *o++ = a[v >> 12 & 63];
        if (i + 1 < n)
            *o++ = a[v >> 6 & 63];
        if (i + 2 < n)
            *o++ = a[v & 63];
    }
    *o = '\0';
    return out;
}

static char *b64url_str(const char *s)
{
    return b64url((const uint8_t *)s, strlen(s));
}

/* Decode unpadded base64url (lenient: only for reading tokens the library made). */
static uint8_t *unb64url(const char *s, size_t n, size_t *out_len)
{
    uint8_t *out = malloc(n * 3 / 4 + 3);
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < n; i++) {
        const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        const char *c = memchr(a, s[i], 64);
        ck_assert_msg(c != NULL && s[i] != '\0', "not base64url: %c", s[i]);
        acc = acc << 6 | (uint32_t)(c - a);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    out[o] = 0;
    *out_len = o;
    return out;
}

/* Part i (0 header, 1 payload) of a compact JWS, parsed as JSON. */
static cJSON *part_json(const char *jwt, int i)
{
    const char *p = jwt;
    for (int k = 0; k < i; k++)
        p = strchr(p, '.') + 1;
    const char *end = strchr(p, '.');
    size_t n = 0;
    uint8_t *raw = unb64url(p, end != NULL ? (size_t)(end - p) : strlen(p), &n);
    cJSON *j = cJSON_ParseWithLength((const char *)raw, n);
    free(raw);
    ck_assert_ptr_nonnull(j);
    return j;
}

/* o[k1][k2]... (NULL-terminated names; EAR names hold dots, so no dotted paths). */
static const cJSON *get(const cJSON *o, ...)
{
    va_list ap;
    va_start(ap, o);
    for (const char *k; o != NULL && (k = va_arg(ap, const char *)) != NULL;)
        o = cJSON_GetObjectItemCaseSensitive(o, k);
    va_end(ap);
    return o;
}

static const char *str_at(const cJSON *v)
{
    ck_assert_msg(cJSON_IsString(v), "not a string");
    return v->valuestring;
}

static double num_at(const cJSON *v)
{
    ck_assert_msg(cJSON_IsNumber(v), "not a number");
    return v->valuedouble;
}

static char *bio_text(BIO *b)
{
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    char *s = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    BIO_free(b);
    return s;
}

/* The private key as PEM: PKCS#8 ("PRIVATE KEY") or traditional ("EC/RSA PRIVATE KEY"). */
static char *pem_private(EVP_PKEY *k, bool traditional)
{
    BIO *b = BIO_new(BIO_s_mem());
    ck_assert(traditional ? PEM_write_bio_PrivateKey_traditional(b, k, NULL, NULL, 0, NULL,
                                                                  NULL) == 1
                          : PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1);
    char *s = bio_text(b);
    ck_assert_ptr_nonnull(strstr(s, traditional ? (EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA
                                                        ? "BEGIN RSA PRIVATE KEY"
                                                        : "BEGIN EC PRIVATE KEY")
                                                : "BEGIN PRIVATE KEY"));
    return s;
}

static char *pem_public(EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());
    ck_assert_int_eq(PEM_write_bio_PUBKEY(b, k), 1);
    return bio_text(b);
}

static char *pem_cert(X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    ck_assert_int_eq(PEM_write_bio_X509(b, x), 1);
    return bio_text(b);
}

static attest_signer *signer_from(EVP_PKEY *k, const char *alg, bool traditional)
{
    char *pem = pem_private(k, traditional);
    attest_signer *s = NULL;
    attest_status rc = attest_signer_new(&s, ctx, pem, strlen(pem), alg);
    ck_assert_msg(rc == ATTEST_OK, "signer: %s", attest_ctx_last_error(ctx));
    OPENSSL_cleanse(pem, strlen(pem));
    free(pem);
    return s;
}

static char *jwk_of(const attest_signer *s)
{
    char *j = NULL;
    ck_assert_int_eq(attest_signer_jwk(s, &j), ATTEST_OK);
    return j;
}

/* A verifier trusting one JWK or JWKS. */
static attest_token_verifier *verifier_with(const char *jwks)
{
    attest_token_verifier *v = NULL;
    ck_assert_int_eq(attest_token_verifier_new(&v, ctx), ATTEST_OK);
    if (jwks != NULL)
        ck_assert_msg(attest_token_verifier_add_jwks(v, jwks, strlen(jwks)) == ATTEST_OK,
                      "add_jwks: %s", attest_ctx_last_error(ctx));
    return v;
}

static attest_token_verifier *verifier_for(const attest_signer *s)
{
    char *j = jwk_of(s);
    attest_token_verifier *v = verifier_with(j);
    attest_free(j);
    return v;
}

/* Verify; on success return the claims (parsed), else fail the test with the message. */
static cJSON *verify_ok(attest_token_verifier *v, const char *jwt)
{
    char *claims = NULL;
    attest_status rc = attest_token_verify(v, jwt, strlen(jwt), &claims);
    ck_assert_msg(rc == ATTEST_OK, "verify: %d %s", rc, attest_ctx_last_error(ctx));
    cJSON *c = cJSON_Parse(claims);
    ck_assert(cJSON_IsObject(c));
    attest_free(claims);
    return c;
}

static void expect_reject_n(attest_token_verifier *v, const char *jwt, size_t len,
                            attest_status code, const char *msg)
{
    char *claims = (char *)"untouched";
    attest_status rc = attest_token_verify(v, jwt, len, &claims);
    ck_assert_msg(rc == code, "want %d, got %d (%s)", code, rc, attest_ctx_last_error(ctx));
    ck_assert_str_eq(claims, "untouched");
    ck_assert_msg(strstr(attest_ctx_last_error(ctx), msg) != NULL, "message \"%s\" lacks \"%s\"",
                  attest_ctx_last_error(ctx), msg);
}

static void expect_reject(attest_token_verifier *v, const char *jwt, attest_status code,
                          const char *msg)
{
    expect_reject_n(v, jwt, strlen(jwt), code, msg);
}

static char *mint(const attest_signer *s, attest_token_kind kind, const attest_token_opts *o)
{
    char *jwt = NULL;
    attest_status rc = attest_token_mint(ctx, s, kind, o, sample_res, &jwt);
    ck_assert_msg(rc == ATTEST_OK, "mint: %s", attest_ctx_last_error(ctx));
    return jwt;
}

/* ---- signing crafted tokens with OpenSSL (the library's signer is not used) ---- */

enum { SIG_DER = 1 }; /* ES*: keep OpenSSL's DER ECDSA-Sig-Value instead of r||s */

/* sig_alg names the signing operation, independently of the header's "alg". */
static size_t sign_bytes(EVP_PKEY *k, const char *sig_alg, const char *in, size_t n,
                         uint8_t *out, int flags)
{
    const EVP_MD *md = NULL;
    size_t es = 0, len = 1024;
    bool pss = false;
    uint8_t der[1024];

    if (strcmp(sig_alg, "ES256") == 0)
        md = EVP_sha256(), es = 32;
    else if (strcmp(sig_alg, "ES384") == 0)
        md = EVP_sha384(), es = 48;
    else if (strcmp(sig_alg, "RS256") == 0)
        md = EVP_sha256();
    else if (strcmp(sig_alg, "RS384") == 0)
        md = EVP_sha384();
    else if (strcmp(sig_alg, "PS256") == 0)
        md = EVP_sha256(), pss = true;
    else
        ck_assert_str_eq(sig_alg, "EdDSA");
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = NULL;
    ck_assert_int_eq(EVP_DigestSignInit(m, &pc, md, NULL, k), 1);
    if (pss) /* RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash */
        ck_assert(EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1 &&
                  EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, 32) == 1 &&
                  EVP_PKEY_CTX_set_rsa_mgf1_md(pc, EVP_sha256()) == 1);
    ck_assert_int_eq(EVP_DigestSign(m, es ? der : out, &len, (const uint8_t *)in, n), 1);
    EVP_MD_CTX_free(m);
    if (es == 0)
        return len;
    if (flags & SIG_DER) {
        memcpy(out, der, len);
        return len;
    }
    const uint8_t *p = der; /* RFC 7518 §3.4: r and s, each padded to the field size */
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
    const BIGNUM *r, *s;
    ck_assert_ptr_nonnull(sig);
    ECDSA_SIG_get0(sig, &r, &s);
    ck_assert(BN_bn2binpad(r, out, (int)es) == (int)es &&
              BN_bn2binpad(s, out + es, (int)es) == (int)es);
    ECDSA_SIG_free(sig);
    return 2 * es;
}

/* A compact JWS of the literal header and payload texts, signed with k as sig_alg. */
static char *jws(EVP_PKEY *k, const char *sig_alg, const char *header, const char *payload,
                 int flags)
{
    char *h = b64url_str(header), *p = b64url_str(payload);
    size_t in_len = strlen(h) + 1 + strlen(p);
    char *in = malloc(in_len + 1);
    uint8_t sig[1024];
    ck_assert_ptr_nonnull(in);
    snprintf(in, in_len + 1, "%s.%s", h, p);
    char *s = b64url(sig, sign_bytes(k, sig_alg, in, in_len, sig, flags));
    char *out = malloc(in_len + strlen(s) + 2);
    ck_assert_ptr_nonnull(out);
    sprintf(out, "%s.%s", in, s);
    free(h);
    free(p);
    free(in);
    free(s);
    return out;
}

/* HS256 over header.payload with secret: the alg-confusion forgery. */
static char *jws_hs256(const uint8_t *secret, size_t secret_len, const char *header,
                       const char *payload)
{
    char *h = b64url_str(header), *p = b64url_str(payload);
    size_t in_len = strlen(h) + 1 + strlen(p), mac_len = 0;
    char *in = malloc(in_len + 1);
    uint8_t mac[64];
    ck_assert_ptr_nonnull(in);
    snprintf(in, in_len + 1, "%s.%s", h, p);
    ck_assert_ptr_nonnull(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, secret, secret_len,
                                    (const uint8_t *)in, in_len, mac, sizeof(mac), &mac_len));
    char *s = b64url(mac, mac_len);
    char *out = malloc(in_len + strlen(s) + 2);
    ck_assert_ptr_nonnull(out);
    sprintf(out, "%s.%s", in, s);
    free(h);
    free(p);
    free(in);
    free(s);
    return out;
}

/* Claims with iat/exp/nbf relative to T0 (a field is left out when its flag is false). */
static char *claims_at(bool has_iat, int64_t iat, bool has_exp, int64_t exp, bool has_nbf,
                       int64_t nbf, const char *extra)
{
    static char buf[1024];
    int n = snprintf(buf, sizeof(buf), "{\"iss\":\"%s\"", ISSUER);
    if (has_iat)
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, ",\"iat\":%lld", (long long)iat);
    if (has_exp)
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, ",\"exp\":%lld", (long long)exp);
    if (has_nbf)
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, ",\"nbf\":%lld", (long long)nbf);
    if (extra != NULL)
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, ",%s", extra);
    snprintf(buf + n, sizeof(buf) - (size_t)n, "}");
    return buf;
}

#define HDR_ES256 "{\"alg\":\"ES256\",\"typ\":\"JWT\"}"
#define SIG_FAILS "ES256 signature does not verify with any trusted key (1 tried)"
#define GOOD_CLAIMS claims_at(true, T0, true, T0 + 300, false, 0, NULL)

/* ---- RFC 7638 thumbprint, from the JWK's members ---- */

static const char *member(const cJSON *jwk, const char *name)
{
    return str_at(cJSON_GetObjectItemCaseSensitive(jwk, name));
}

/* RFC 7638 §3.2: the required members only, lexicographic order, no whitespace. */
static void thumbprint(const cJSON *jwk, char out[44])
{
    char text[4096];
    const char *kty = member(jwk, "kty");
    if (strcmp(kty, "EC") == 0)
        snprintf(text, sizeof(text), "{\"crv\":\"%s\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
                 member(jwk, "crv"), member(jwk, "x"), member(jwk, "y"));
    else if (strcmp(kty, "RSA") == 0)
        snprintf(text, sizeof(text), "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}",
                 member(jwk, "e"), member(jwk, "n"));
    else
        snprintf(text, sizeof(text), "{\"crv\":\"%s\",\"kty\":\"%s\",\"x\":\"%s\"}",
                 member(jwk, "crv"), kty, member(jwk, "x"));
    uint8_t md[32];
    ck_assert_int_eq(EVP_Digest(text, strlen(text), md, NULL, EVP_sha256(), NULL), 1);
    char *b = b64url(md, sizeof(md));
    ck_assert_uint_eq(strlen(b), 43);
    memcpy(out, b, 44);
    free(b);
}

static void thumbprint_text(const char *jwk_text, char out[44])
{
    cJSON *j = cJSON_Parse(jwk_text);
    ck_assert_ptr_nonnull(j);
    thumbprint(j, out);
    cJSON_Delete(j);
}

/* ---- certificates for x5c ---- */

static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
                       int64_t not_before, int64_t not_after, bool ca)
{
    static long serial = 1;
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    ck_assert(x != NULL && name != NULL);
    ck_assert_int_eq(X509_set_version(x, 2), 1);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name);
    X509_NAME_free(name);
    ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)not_before));
    ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)not_after));
    ck_assert_int_eq(X509_set_pubkey(x, key), 1);
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    const char *ext[][2] = {
        {"basicConstraints", ca ? "critical,CA:TRUE" : "critical,CA:FALSE"},
        {"keyUsage", ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature"},
        {"subjectKeyIdentifier", "hash"},
    };
    for (size_t i = 0; i < 3; i++) {
        X509_EXTENSION *e = X509V3_EXT_conf(NULL, &v3, ext[i][0], ext[i][1]);
        ck_assert_ptr_nonnull(e);
        ck_assert_int_eq(X509_add_ext(x, e, -1), 1);
        X509_EXTENSION_free(e);
    }
    ck_assert_int_gt(X509_sign(x, issuer_key, EVP_sha256()), 0);
    return x;
}

/* ====================================================================================== */
/* signer                                                                                 */
/* ====================================================================================== */

START_TEST(test_token_signer_pem_forms_and_natural_alg)
{
    const struct { EVP_PKEY **k; bool trad; const char *alg; } cases[] = {
        {&k_p256, false, "ES256"}, {&k_p256, true, "ES256"}, {&k_p384, false, "ES384"},
        {&k_p384, true, "ES384"},  {&k_rsa, false, "RS256"},  {&k_rsa, true, "RS256"},
        {&k_ed, false, "EdDSA"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        attest_signer *s = signer_from(*cases[i].k, NULL, cases[i].trad);
        ck_assert_str_eq(attest_signer_alg(s), cases[i].alg);
        attest_signer_free(s);
    }
    /* RSA keys sign RS256, RS384 and PS256 on request */
    const char *rsa_algs[] = {"RS256", "RS384", "PS256"};
    for (size_t i = 0; i < 3; i++) {
        attest_signer *s = signer_from(k_rsa, rsa_algs[i], i == 1);
        ck_assert_str_eq(attest_signer_alg(s), rsa_algs[i]);
        attest_signer_free(s);
    }
    ck_assert_ptr_null(attest_signer_alg(NULL));
    attest_signer_free(NULL);
}
END_TEST

START_TEST(test_token_signer_rejects_bad_keys)
{
    attest_signer *s = (attest_signer *)1;
    char *pem = pem_private(k_p256, false);

    /* an algorithm the key cannot make, or that is not allowed at all */
    const char *wrong[] = {"ES384", "RS256", "PS256", "EdDSA", "HS256", "none", "es256", ""};
    for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
        ck_assert_int_eq(attest_signer_new(&s, ctx, pem, strlen(pem), wrong[i]),
                         ATTEST_E_UNSUPPORTED);
        ck_assert_ptr_eq(s, (attest_signer *)1);
    }
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "signer: alg \"\""));
    free(pem);
    pem = pem_private(k_rsa, false);
    ck_assert_int_eq(attest_signer_new(&s, ctx, pem, strlen(pem), "ES256"),
                     ATTEST_E_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "cannot sign ES256"));
    free(pem);

    /* not a private key: public PEM, garbage, an encrypted key (never prompts) */
    char *pub = pem_public(k_p256);
    ck_assert_int_eq(attest_signer_new(&s, ctx, pub, strlen(pub), NULL), ATTEST_E_PARSE);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "not an unencrypted PEM"));
    free(pub);
    ck_assert_int_eq(attest_signer_new(&s, ctx, "garbage", 7, NULL), ATTEST_E_PARSE);
    BIO *b = BIO_new(BIO_s_mem());
    ck_assert_int_eq(PEM_write_bio_PKCS8PrivateKey(b, k_p256, EVP_aes_128_cbc(), NULL, 0, NULL,
                                                   (void *)"secret"),
                     1);
    char *enc = bio_text(b);
    ck_assert_ptr_nonnull(strstr(enc, "ENCRYPTED"));
    ck_assert_int_eq(attest_signer_new(&s, ctx, enc, strlen(enc), NULL), ATTEST_E_PARSE);
    free(enc);

    /* key types that fit no algorithm: P-521, RSA below 2048 bits */
    EVP_PKEY *p521 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
    EVP_PKEY *rsa_small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)512); /* cheap; < 2048 */
    ck_assert(p521 != NULL && rsa_small != NULL);
    pem = pem_private(p521, false);
    ck_assert_int_eq(attest_signer_new(&s, ctx, pem, strlen(pem), NULL), ATTEST_E_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "not RSA, EC P-256/P-384"));
    free(pem);
    pem = pem_private(rsa_small, false);
    ck_assert_int_eq(attest_signer_new(&s, ctx, pem, strlen(pem), "RS256"),
                     ATTEST_E_UNSUPPORTED);
    ck_assert_int_eq(attest_signer_new(&s, ctx, pem, strlen(pem), NULL), ATTEST_E_UNSUPPORTED);
    free(pem);
    EVP_PKEY_free(p521);
    EVP_PKEY_free(rsa_small);

    /* arguments */
    ck_assert_int_eq(attest_signer_new(&s, NULL, "x", 1, NULL), ATTEST_E_ARG);
    ck_assert_int_eq(attest_signer_new(NULL, ctx, "x", 1, NULL), ATTEST_E_ARG);
    ck_assert_int_eq(attest_signer_new(&s, ctx, NULL, 1, NULL), ATTEST_E_ARG);
    ck_assert_int_eq(attest_signer_new(&s, ctx, "x", 0, NULL), ATTEST_E_ARG);
    ck_assert_int_eq(attest_signer_generate(&s, ctx, "HS256"), ATTEST_E_ARG);
    ck_assert_int_eq(attest_signer_generate(&s, ctx, NULL), ATTEST_E_ARG);
    ck_assert_int_eq(attest_signer_generate(NULL, ctx, "ES256"), ATTEST_E_ARG);
    ck_assert_int_eq(attest_signer_generate(&s, NULL, "ES256"), ATTEST_E_ARG);
    ck_assert_ptr_eq(s, (attest_signer *)1);
}
END_TEST

START_TEST(test_token_signer_load_file)
{
    char path[] = "/tmp/attest-test-token-XXXXXX";
    int fd = mkstemp(path);
    char *pem = pem_private(k_p384, true);
    attest_signer *s = NULL;

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, pem, strlen(pem)), (ssize_t)strlen(pem));
    close(fd);
    ck_assert_int_eq(attest_signer_load(&s, ctx, path, NULL), ATTEST_OK);
    ck_assert_str_eq(attest_signer_alg(s), "ES384");
    attest_signer_free(s);
    s = (attest_signer *)1;
    ck_assert_int_eq(attest_signer_load(&s, ctx, path, "ES256"), ATTEST_E_UNSUPPORTED);
    unlink(path);
    ck_assert_int_eq(attest_signer_load(&s, ctx, path, NULL), ATTEST_E_IO);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "cannot be read"));
    ck_assert_int_eq(attest_signer_load(&s, ctx, "/tmp", NULL), ATTEST_E_IO);
    ck_assert_int_eq(attest_signer_load(&s, ctx, NULL, NULL), ATTEST_E_ARG);
    ck_assert_int_eq(attest_signer_load(&s, NULL, path, NULL), ATTEST_E_ARG);
    ck_assert_ptr_eq(s, (attest_signer *)1);
    free(pem);
}
END_TEST

/* The JWK: RFC 7517/7518/8037 members of the public key, alg, kid = RFC 7638 thumbprint. */
START_TEST(test_token_signer_jwk_members_and_kid)
{
    EVP_PKEY *keys[] = {k_p256, k_p384, k_rsa, k_ed};
    for (size_t i = 0; i < 4; i++) {
        attest_signer *s = signer_from(keys[i], NULL, false);
        char *text = jwk_of(s), tp[44];
        cJSON *j = cJSON_Parse(text);
        uint8_t *x = NULL;
        size_t xl = 0;
        ck_assert_ptr_nonnull(j);
        ck_assert_str_eq(member(j, "alg"), attest_signer_alg(s));
        ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(j, "d")); /* public only */
        thumbprint(j, tp);
        ck_assert_str_eq(member(j, "kid"), tp);
        if (keys[i] == k_rsa) {
            ck_assert_str_eq(member(j, "kty"), "RSA");
            ck_assert_str_eq(member(j, "e"), "AQAB");
            x = unb64url(member(j, "n"), strlen(member(j, "n")), &xl);
            ck_assert_uint_eq(xl, 256);
            BIGNUM *n = NULL, *jn = BN_bin2bn(x, (int)xl, NULL);
            ck_assert_int_eq(EVP_PKEY_get_bn_param(keys[i], OSSL_PKEY_PARAM_RSA_N, &n), 1);
            ck_assert_int_eq(BN_cmp(n, jn), 0);
            BN_free(n);
            BN_free(jn);
        } else if (keys[i] == k_ed) {
            uint8_t raw[32];
            size_t rl = sizeof(raw);
            ck_assert_str_eq(member(j, "kty"), "OKP");
            ck_assert_str_eq(member(j, "crv"), "Ed25519");
            ck_assert_int_eq(EVP_PKEY_get_raw_public_key(keys[i], raw, &rl), 1);
            x = unb64url(member(j, "x"), strlen(member(j, "x")), &xl);
            ck_assert(xl == 32 && memcmp(x, raw, 32) == 0);
        } else {
            size_t size = keys[i] == k_p256 ? 32 : 48;
            ck_assert_str_eq(member(j, "kty"), "EC");
            ck_assert_str_eq(member(j, "crv"), size == 32 ? "P-256" : "P-384");
            x = unb64url(member(j, "x"), strlen(member(j, "x")), &xl);
            ck_assert_uint_eq(xl, size); /* RFC 7518 §6.2.1.2: full field size */
            free(x);
            x = unb64url(member(j, "y"), strlen(member(j, "y")), &xl);
            ck_assert_uint_eq(xl, size);
        }
        free(x);
        cJSON_Delete(j);
        attest_free(text);
        attest_signer_free(s);
    }
    char *j = (char *)"untouched";
    ck_assert_int_eq(attest_signer_jwk(NULL, &j), ATTEST_E_ARG);
    ck_assert_str_eq(j, "untouched");
}
END_TEST

/* My thumbprint function against RFC 7638 §3.1's worked example. */
START_TEST(test_token_thumbprint_helper_matches_rfc7638)
{
    const char *jwk =
        "{\"kty\":\"RSA\",\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAt"
        "VT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl"
        "93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL"
        "5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls"
        "1jF44-csFCur-kEgU8awapJzKnqDKgw\",\"e\":\"AQAB\",\"alg\":\"RS256\",\"kid\":\"2011-04-"
        "29\"}";
    char tp[44];
    thumbprint_text(jwk, tp);
    ck_assert_str_eq(tp, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}
END_TEST

START_TEST(test_token_signers_jwks)
{
    attest_signer *s[3] = {signer_from(k_p256, NULL, false), signer_from(k_rsa, "PS256", false),
                           signer_from(k_ed, NULL, false)};
    char *jwks = NULL;
    ck_assert_int_eq(attest_signers_jwks(ctx, (const attest_signer *const *)s, 3, &jwks),
                     ATTEST_OK);
    cJSON *j = cJSON_Parse(jwks);
    const cJSON *keys = get(j, "keys", NULL);
    ck_assert_int_eq(cJSON_GetArraySize(keys), 3);
    for (int i = 0; i < 3; i++) {
        char *one = jwk_of(s[i]);
        cJSON *o = cJSON_Parse(one);
        ck_assert(cJSON_Compare(o, cJSON_GetArrayItem(keys, i), 1));
        cJSON_Delete(o);
        attest_free(one);
    }
    cJSON_Delete(j);
    attest_free(jwks);

    ck_assert_int_eq(attest_signers_jwks(ctx, NULL, 0, &jwks), ATTEST_OK);
    ck_assert_str_eq(jwks, "{\"keys\":[]}");
    attest_free(jwks);
    jwks = (char *)"untouched";
    const attest_signer *with_null[2] = {s[0], NULL};
    ck_assert_int_eq(attest_signers_jwks(ctx, with_null, 2, &jwks), ATTEST_E_ARG);
    ck_assert_int_eq(attest_signers_jwks(ctx, NULL, 1, &jwks), ATTEST_E_ARG);
    ck_assert_int_eq(attest_signers_jwks(NULL, with_null, 1, &jwks), ATTEST_E_ARG);
    ck_assert_int_eq(attest_signers_jwks(ctx, with_null, 1, NULL), ATTEST_E_ARG);
    ck_assert_str_eq(jwks, "untouched");
    for (int i = 0; i < 3; i++)
        attest_signer_free(s[i]);
}
END_TEST

/* ====================================================================================== */
/* mint: round trips and exact claims                                                     */
/* ====================================================================================== */

static const struct {
    const char *alg;
    EVP_PKEY **key;
    bool rsa;
} algs[] = {
    {"ES256", &k_p256, false}, {"ES384", &k_p384, false}, {"RS256", &k_rsa, true},
    {"RS384", &k_rsa, true},   {"PS256", &k_rsa, true},   {"EdDSA", &k_ed, false},
};

/* Mint EAR and simple with s, verify with its JWK, check header and time claims. */
static void round_trip(attest_signer *s, const char *alg)
{
    attest_token_verifier *v = verifier_for(s);
    char *jwk = jwk_of(s), tp[44];
    cJSON *want_jwk = cJSON_Parse(jwk);
    thumbprint(want_jwk, tp);
    for (int kind = ATTEST_TOKEN_EAR; kind <= ATTEST_TOKEN_SIMPLE; kind++) {
        char *jwt = mint(s, (attest_token_kind)kind, NULL);
        cJSON *h = part_json(jwt, 0), *c = verify_ok(v, jwt);
        ck_assert_str_eq(str_at(get(h, "alg", NULL)), alg);
        ck_assert_str_eq(str_at(get(h, "typ", NULL)), "JWT");
        ck_assert_str_eq(str_at(get(h, "kid", NULL)), tp);
        ck_assert(cJSON_Compare(get(h, "jwk", NULL), want_jwk, 1));
        ck_assert_ptr_null(get(h, "x5c", NULL));
        ck_assert(num_at(get(c, "iat", NULL)) == (double)T0);
        ck_assert(num_at(get(c, "exp", NULL)) == (double)(T0 + 300));
        ck_assert_str_eq(str_at(get(c, "iss", NULL)), ISSUER);
        if (kind == ATTEST_TOKEN_EAR)
            ck_assert_str_eq(str_at(get(c, "eat_profile", NULL)), PROFILE);
        else
            ck_assert_str_eq(str_at(get(c, "tee", NULL)), "sample");
        cJSON_Delete(h);
        cJSON_Delete(c);
        attest_free(jwt);
    }
    cJSON_Delete(want_jwk);
    attest_free(jwk);
    attest_token_verifier_free(v);
}

/* Loop over algs[]: PEM PKCS#8, PEM traditional (not for Ed25519) and a generated key. */
START_TEST(test_token_round_trip_every_alg)
{
    const char *alg = algs[_i].alg;
    attest_signer *s = signer_from(*algs[_i].key, alg, false);
    round_trip(s, alg);
    attest_signer_free(s);
    if (*algs[_i].key != k_ed) {
        s = signer_from(*algs[_i].key, alg, true);
        round_trip(s, alg);
        attest_signer_free(s);
    }
    if (algs[_i].rsa && RUNNING_ON_VALGRIND) /* RSA-3072 keygen: ~20 s under valgrind */
        return;
    s = NULL;
    ck_assert_int_eq(attest_signer_generate(&s, ctx, alg), ATTEST_OK);
    ck_assert_str_eq(attest_signer_alg(s), alg);
    round_trip(s, alg);
    char *jwk = jwk_of(s);
    cJSON *j = cJSON_Parse(jwk);
    if (algs[_i].rsa) { /* documented size: RSA-3072 */
        size_t nl = 0;
        uint8_t *n = unb64url(member(j, "n"), strlen(member(j, "n")), &nl);
        ck_assert_uint_eq(nl, 384);
        free(n);
    }
    cJSON_Delete(j);
    attest_free(jwk);
    attest_signer_free(s);
}
END_TEST

/* Every claim of an EAR with default options (attestation-service.md §4.1-4.2). */
START_TEST(test_token_ear_claims_exact)
{
    attest_signer *s = signer_from(k_p256, NULL, false);
    attest_token_verifier *v = verifier_for(s);
    char *jwt = mint(s, ATTEST_TOKEN_EAR, NULL);
    cJSON *c = verify_ok(v, jwt);
    char build[64];

    snprintf(build, sizeof(build), "libattest %s", attest_version());
    ck_assert_int_eq(cJSON_GetArraySize(c), 6); /* no nbf, jti, eat_nonce, raw evidence */
    ck_assert_str_eq(str_at(get(c, "eat_profile", NULL)), PROFILE);
    ck_assert(num_at(get(c, "iat", NULL)) == (double)T0);
    ck_assert(num_at(get(c, "exp", NULL)) == (double)(T0 + 300));
    ck_assert_str_eq(str_at(get(c, "iss", NULL)), ISSUER);
    ck_assert_str_eq(str_at(get(c, "ear.verifier-id", "developer", NULL)), DEVELOPER);
    ck_assert_str_eq(str_at(get(c, "ear.verifier-id", "build", NULL)), build);
    ck_assert_int_eq(cJSON_GetArraySize(get(c, "submods", NULL)), 1);
    const cJSON *sub = get(c, "submods", "cpu0", NULL);
    ck_assert_int_eq(cJSON_GetArraySize(sub), 4);
    /* the sample TEE's verdict is warning: "hardware" 32, the rest 0 */
    ck_assert_str_eq(str_at(get(sub, "ear.status", NULL)), "warning");
    cJSON *want_tv = cJSON_Parse("{\"instance-identity\":0,\"configuration\":0,\"executables\":0,"
                                 "\"file-system\":0,\"hardware\":32,\"runtime-opaque\":0,"
                                 "\"storage-opaque\":0,\"sourced-data\":0}");
    ck_assert(cJSON_Compare(get(sub, "ear.trustworthiness-vector", NULL), want_tv, 1));
    cJSON_Delete(want_tv);
    ck_assert_str_eq(str_at(get(sub, "ear.appraisal-policy-id", NULL)), "default");
    /* annotated evidence: the result's claims plus runtime/init data claims (null) */
    cJSON *want_ev = cJSON_Parse(attest_result_claims_json(sample_res));
    cJSON_AddItemToObject(want_ev, "runtime_data_claims", cJSON_CreateNull());
    cJSON_AddItemToObject(want_ev, "init_data_claims", cJSON_CreateNull());
    ck_assert(cJSON_Compare(get(sub, "ear.veraison.annotated-evidence", NULL), want_ev, 1));
    ck_assert_ptr_nonnull(get(sub, "ear.veraison.annotated-evidence", "sample", "svn", NULL));
    cJSON_Delete(want_ev);
    cJSON_Delete(c);
    attest_free(jwt);
    attest_token_verifier_free(v);
    attest_signer_free(s);
}
END_TEST

/* Trustee's legacy token (attestation-service.md §6). */
START_TEST(test_token_simple_claims_exact)
{
    attest_signer *s = signer_from(k_rsa, "RS384", false); /* Trustee's simple-token alg */
    attest_token_verifier *v = verifier_for(s);
    attest_token_opts *o = NULL;
    ck_assert_int_eq(attest_token_opts_new(&o), ATTEST_OK);
    ck_assert_int_eq(attest_token_opts_set(o, ATTEST_TOKEN_OPT_POLICY_HASH, "ab12"), ATTEST_OK);
    ck_assert_int_eq(attest_token_opts_set(o, ATTEST_TOKEN_OPT_POLICY_ID, "p1"), ATTEST_OK);
    ck_assert_int_eq(attest_token_opts_set(o, ATTEST_TOKEN_OPT_RUNTIME_CLAIMS,
                                           "{\"nonce\":\"n1\"}"),
                     ATTEST_OK);
    ck_assert_int_eq(attest_token_opts_set(o, ATTEST_TOKEN_OPT_INIT_CLAIMS, "[1,\"two\"]"),
                     ATTEST_OK);
    ck_assert_int_eq(attest_token_opts_set_ttl(o, 600), ATTEST_OK);
    char *jwt = mint(s, ATTEST_TOKEN_SIMPLE, o);
    cJSON *c = verify_ok(v, jwt);

    ck_assert_int_eq(cJSON_GetArraySize(c), 9);
    ck_assert_str_eq(str_at(get(c, "iss", NULL)), ISSUER);
    ck_assert(num_at(get(c, "iat", NULL)) == (double)T0);
    ck_assert(num_at(get(c, "nbf", NULL)) == (double)T0);
    ck_assert(num_at(get(c, "exp", NULL)) == (double)(T0 + 600));
    const char *jti = str_at(get(c, "jti", NULL));
    ck_assert_uint_eq(strlen(jti), 10);
    for (size_t i = 0; i < 10; i++)
        ck_assert_msg((jti[i] >= 'A' && jti[i] <= 'Z') || (jti[i] >= 'a' && jti[i] <= 'z') ||
                          (jti[i] >= '0' && jti[i] <= '9'),
                      "jti \"%s\"", jti);
    ck_assert_str_eq(str_at(get(c, "tee", NULL)), "sample");
    cJSON *want = cJSON_Parse("[{\"policy-id\":\"p1\",\"policy-hash\":\"ab12\"}]");
    ck_assert(cJSON_Compare(get(c, "evaluation-reports", NULL), want, 1));
    cJSON_Delete(want);
    want = cJSON_Parse("{\"init_data\":[1,\"two\"],\"runtime_data\":{\"nonce\":\"n1\"}}");
    ck_assert(cJSON_Compare(get(c, "customized_claims", NULL), want, 1));
    cJSON_Delete(want);

    /* tcb-status: a JSON *string* holding the flattened "<tee>.<path>" claims; the top-level
     * report_data is not under the TEE and is left out */
    cJSON *tcb = cJSON_Parse(str_at(get(c, "tcb-status", NULL)));
    cJSON *claims = cJSON_Parse(attest_result_claims_json(sample_res));
    const cJSON *sm = get(claims, "sample", NULL);
    ck_assert(cJSON_IsObject(tcb));
    ck_assert_int_eq(cJSON_GetArraySize(tcb), 6);
    ck_assert(cJSON_Compare(get(tcb, "sample.svn", NULL), get(sm, "svn", NULL), 1));
    ck_assert(cJSON_Compare(get(tcb, "sample.report_data", NULL), get(sm, "report_data", NULL),
                            1));
    ck_assert(cJSON_Compare(get(tcb, "sample.launch_digest", NULL),
                            get(sm, "launch_digest", NULL), 1));
    ck_assert(cJSON_Compare(get(tcb, "sample.debug", NULL), get(sm, "debug", NULL), 1));
    ck_assert(num_at(get(tcb, "sample.platform_version.major", NULL)) ==
              num_at(get(sm, "platform_version", "major", NULL)));
    ck_assert(num_at(get(tcb, "sample.platform_version.minor", NULL)) ==
              num_at(get(sm, "platform_version", "minor", NULL)));
    ck_assert_ptr_null(get(tcb, "report_data", NULL));
    ck_assert_ptr_null(get(tcb, "sample.platform_version", NULL));
    cJSON_Delete(claims);
    cJSON_Delete(tcb);

    /* a new jti per token; defaults: policy "default", empty hash, null customized claims */
    char *jwt2 = mint(s, ATTEST_TOKEN_SIMPLE, NULL);
    cJSON *c2 = verify_ok(v, jwt2);
    ck_assert_str_ne(str_at(get(c2, "jti", NULL)), jti);
    want = cJSON_Parse("[{\"policy-id\":\"default\",\"policy-hash\":\"\"}]");
    ck_assert(cJSON_Compare(get(c2, "evaluation-reports", NULL), want, 1));
    cJSON_Delete(want);
    want = cJSON_Parse("{\"init_data\":null,\"runtime_data\":null}");
    ck_assert(cJSON_Compare(get(c2, "customized_claims", NULL), want, 1));
    cJSON_Delete(want);
    ck_assert(num_at(get(c2, "exp", NULL)) == (double)(T0 + 300));
    cJSON_Delete(c2);
    attest_free(jwt2);

    cJSON_Delete(c);
    attest_free(jwt);
    attest_token_opts_free(o);
    attest_token_verifier_free(v);
    attest_signer_free(s);
}
END_TEST

/* ear.status from one trust claim at each AR4SI tier boundary (§4.3), loop over values. */
static const struct {
    int v;
    const char *status;
} tiers[] = {
    {-1, "none"},        {0, "none"},         {1, "none"},           {2, "affirming"},
    {31, "affirming"},   {-2, "affirming"},   {-32, "affirming"},    {32, "warning"},
    {95, "warning"},     {-33, "warning"},    {-96, "warning"},      {96, "contraindicated"},
    {127, "contraindicated"}, {-97, "contraindicated"}, {-128, "contraindicated"},
};

static const char *const tv_names[8] = {"instance-identity", "configuration", "executables",
                                        "file-system",       "hardware",      "runtime-opaque",
                                        "storage-opaque",    "sourced-data"};

static int8_t *tv_field(attest_trust_vector *tv, int i)
{
    int8_t *f[8] = {&tv->instance_identity, &tv->configuration, &tv->executables,
                    &tv->file_system,       &tv->hardware,      &tv->runtime_opaque,
                    &tv->storage_opaque,    &tv->sourced_data};
    return f[i];
}

/* Mint an EAR with tv (NULL: default) and return its cpu0 submodule's payload. */
static cJSON *ear_with_vector(attest_signer *s, const attest_trust_vector *tv)
{
    attest_token_opts *o = NULL;
    ck_assert_int_eq(attest_token_opts_new(&o), ATTEST_OK);
    ck_assert_int_eq(attest_token_opts_set_trust_vector(o, tv), ATTEST_OK);
    char *jwt = mint(s, ATTEST_TOKEN_EAR, o);
    cJSON *c = part_json(jwt, 1);
    attest_free(jwt);
    attest_token_opts_free(o);
    return c;
}

START_TEST(test_token_ear_status_tier_boundaries)
{
    attest_signer *s = signer_from(k_p256, NULL, false);
    attest_trust_vector tv;
    int field = _i % 8; /* each boundary value in another claim, all eight covered */
    memset(&tv, 0, sizeof(tv));
    *tv_field(&tv, field) = (int8_t)tiers[_i].v;
    cJSON *c = ear_with_vector(s, &tv);
    const cJSON *sub = get(c, "submods", "cpu0", NULL);
    ck_assert_msg(strcmp(str_at(get(sub, "ear.status", NULL)), tiers[_i].status) == 0,
                  "%s = %d gave %s, want %s", tv_names[field], tiers[_i].v,
                  str_at(get(sub, "ear.status", NULL)), tiers[_i].status);
    for (int i = 0; i < 8; i++)
        ck_assert(num_at(get(sub, "ear.trustworthiness-vector", tv_names[i], NULL)) ==
                  (i == field ? tiers[_i].v : 0));
    cJSON_Delete(c);
    attest_signer_free(s);
}
END_TEST

START_TEST(test_token_ear_status_worst_claim_wins)
{
    const struct { int8_t v[8]; const char *status; } cases[] = {
        {{2, 32, 0, 0, 0, 0, 0, 0}, "warning"},
        {{-97, 2, 32, 1, 0, 0, 0, 0}, "contraindicated"},
        {{1, -1, 0, 1, -1, 0, 1, -1}, "none"},
        {{2, 3, -2, 1, -1, 31, 0, -32}, "affirming"},
        {{31, 31, 31, 31, 31, 31, 31, -33}, "warning"},
        {{-96, 95, 32, -33, 2, 0, 0, 127}, "contraindicated"},
    };
    attest_signer *s = signer_from(k_p256, NULL, false);
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        attest_trust_vector tv;
        for (int i = 0; i < 8; i++)
            *tv_field(&tv, i) = cases[k].v[i];
        cJSON *c = ear_with_vector(s, &tv);
        ck_assert_str_eq(str_at(get(c, "submods", "cpu0", "ear.status", NULL)), cases[k].status);
        cJSON_Delete(c);
    }
    /* NULL restores the default vector: the verdict (warning for sample) as "hardware" */
    cJSON *c = ear_with_vector(s, NULL);
    ck_assert_str_eq(str_at(get(c, "submods", "cpu0", "ear.status", NULL)), "warning");
    ck_assert(num_at(get(c, "submods", "cpu0", "ear.trustworthiness-vector", "hardware",
                         NULL)) == 32);
    cJSON_Delete(c);
    attest_trust_vector tv;
    ck_assert_int_eq(attest_token_opts_set_trust_vector(NULL, &tv), ATTEST_E_ARG);
    attest_signer_free(s);
}
END_TEST

/* Default vector for an affirming verdict: the simulated SNP device (hardware 2). */
START_TEST(test_token_ear_default_vector_affirming)
{
    bool snp = false;
    for (size_t i = 0; i < attest_tee_count(); i++)
        snp = snp || strcmp(attest_tee_name(i), "snp") == 0;
    if (!snp || RUNNING_ON_VALGRIND) /* two RSA-2048 keygens in the simulated device */
        return;
    char dir[] = "/tmp/attest-test-token-snp-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char state[64];
    snprintf(state, sizeof(state), "%s/state", dir);
    attest_attester *att = NULL;
    attest_evidence *ev = NULL;
    attest_request *req = NULL;
    attest_result *res = NULL;
    uint8_t rd[64] = {0};
    size_t len = 0;
    ck_assert_int_eq(attest_attester_new_simulated(&att, ctx, "snp", state), ATTEST_OK);
    ck_assert_int_eq(attest_attester_collect(att, rd, sizeof(rd), &ev), ATTEST_OK);
    const uint8_t *data = attest_evidence_data(ev, &len);
    ck_assert_int_eq(attest_ctx_add_trust_dir(ctx, state), ATTEST_OK);
    ck_assert_int_eq(attest_request_new(&req, NULL, data, len), ATTEST_OK);
    ck_assert_msg(attest_verify(ctx, req, &res) == ATTEST_OK, "%s", attest_ctx_last_error(ctx));
    ck_assert_int_eq(attest_result_verdict(res), ATTEST_VERDICT_AFFIRMING);

    attest_signer *s = signer_from(k_p256, NULL, false);
    char *jwt = NULL;
    ck_assert_int_eq(attest_token_mint(ctx, s, ATTEST_TOKEN_EAR, NULL, res, &jwt), ATTEST_OK);
    cJSON *c = part_json(jwt, 1);
    const cJSON *sub = get(c, "submods", "cpu0", NULL);
    ck_assert_str_eq(str_at(get(sub, "ear.status", NULL)), "affirming");
    for (int i = 0; i < 8; i++)
        ck_assert(num_at(get(sub, "ear.trustworthiness-vector", tv_names[i], NULL)) ==
                  (i == 4 ? 2 : 0));
    ck_assert_ptr_nonnull(get(sub, "ear.veraison.annotated-evidence", "snp", NULL));
    /* simple token: tcb-status flattens under "snp." */
    attest_free(jwt);
    jwt = NULL;
    ck_assert_int_eq(attest_token_mint(ctx, s, ATTEST_TOKEN_SIMPLE, NULL, res, &jwt), ATTEST_OK);
    cJSON *c2 = part_json(jwt, 1);
    ck_assert_str_eq(str_at(get(c2, "tee", NULL)), "snp");
    cJSON *tcb = cJSON_Parse(str_at(get(c2, "tcb-status", NULL)));
    ck_assert_ptr_nonnull(get(tcb, "snp.measurement", NULL));
    cJSON_Delete(tcb);
    cJSON_Delete(c2);
    cJSON_Delete(c);
    attest_free(jwt);
    attest_signer_free(s);
    attest_result_free(res);
    attest_request_free(req);
    attest_evidence_free(ev);
    attest_attester_free(att);
    DIR *d = opendir(state); /* keys, certificates, pins, .lock */
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
        char p[512];
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(p, sizeof(p), "%s/%s", state, e->d_name);
            unlink(p);
        }
    }
    if (d != NULL)
        closedir(d);
    ck_assert_int_eq(rmdir(state), 0);
    rmdir(dir);
}
END_TEST

START_TEST(test_token_options_in_claims)
{
    attest_signer *s = signer_from(k_ed, NULL, false);
    attest_token_verifier *v = verifier_for(s);
    attest_token_opts *o = NULL;
    ck_assert_int_eq(attest_token_opts_new(&o), ATTEST_OK);
    const struct { attest_token_opt opt; const char *value; } set[] = {
        {ATTEST_TOKEN_OPT_ISSUER, "https://as.example"},
        {ATTEST_TOKEN_OPT_PROFILE, "tag:example.com,2026:test"},
        {ATTEST_TOKEN_OPT_DEVELOPER, "https://dev.example"},
        {ATTEST_TOKEN_OPT_BUILD, "build 7"},
        {ATTEST_TOKEN_OPT_SUBMOD, "gpu0"},
        {ATTEST_TOKEN_OPT_POLICY_ID, "my-policy"},
        {ATTEST_TOKEN_OPT_POLICY_HASH, "00ff"},
        {ATTEST_TOKEN_OPT_NONCE, "bm9uY2Utbm9uY2U"},
        {ATTEST_TOKEN_OPT_RUNTIME_CLAIMS, "{\"nonce\":\"n\",\"tee-pubkey\":{\"kty\":\"EC\"}}"},
        {ATTEST_TOKEN_OPT_INIT_CLAIMS, "{\"a\":[1,2,{\"b\":null}]}"},
    };
    for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++)
        ck_assert_int_eq(attest_token_opts_set(o, set[i].opt, set[i].value), ATTEST_OK);
    ck_assert_int_eq(attest_token_opts_set_ttl(o, 3600), ATTEST_OK);
    ck_assert_int_eq(attest_token_verifier_set_issuer(v, "https://as.example"), ATTEST_OK);
    char *jwt = mint(s, ATTEST_TOKEN_EAR, o);
    cJSON *c = verify_ok(v, jwt);
    ck_assert_str_eq(str_at(get(c, "iss", NULL)), "https://as.example");
    ck_assert_str_eq(str_at(get(c, "eat_profile", NULL)), "tag:example.com,2026:test");
    ck_assert_str_eq(str_at(get(c, "ear.verifier-id", "developer", NULL)), "https://dev.example");
    ck_assert_str_eq(str_at(get(c, "ear.verifier-id", "build", NULL)), "build 7");
    ck_assert_str_eq(str_at(get(c, "eat_nonce", NULL)), "bm9uY2Utbm9uY2U");
    ck_assert(num_at(get(c, "exp", NULL)) == (double)(T0 + 3600));
    ck_assert_ptr_null(get(c, "submods", "cpu0", NULL));
    const cJSON *sub = get(c, "submods", "gpu0", NULL);
    ck_assert_str_eq(str_at(get(sub, "ear.appraisal-policy-id", NULL)), "my-policy");
    const cJSON *ev = get(sub, "ear.veraison.annotated-evidence", NULL);
    cJSON *want = cJSON_Parse(set[8].value);
    ck_assert(cJSON_Compare(get(ev, "runtime_data_claims", NULL), want, 1));
    cJSON_Delete(want);
    want = cJSON_Parse(set[9].value);
    ck_assert(cJSON_Compare(get(ev, "init_data_claims", NULL), want, 1));
    cJSON_Delete(want);
    cJSON_Delete(c);
    attest_free(jwt);

    /* NULL restores each default */
    for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++)
        ck_assert_int_eq(attest_token_opts_set(o, set[i].opt, NULL), ATTEST_OK);
    ck_assert_int_eq(attest_token_verifier_set_issuer(v, NULL), ATTEST_OK);
    jwt = mint(s, ATTEST_TOKEN_EAR, o);
    c = verify_ok(v, jwt);
    ck_assert_str_eq(str_at(get(c, "iss", NULL)), ISSUER);
    ck_assert_str_eq(str_at(get(c, "eat_profile", NULL)), PROFILE);
    ck_assert_ptr_null(get(c, "eat_nonce", NULL));
    ck_assert_str_eq(str_at(get(c, "submods", "cpu0", "ear.appraisal-policy-id", NULL)),
                     "default");
    ck_assert(cJSON_IsNull(get(c, "submods", "cpu0", "ear.veraison.annotated-evidence",
                               "runtime_data_claims", NULL)));
    ck_assert(num_at(get(c, "exp", NULL)) == (double)(T0 + 3600)); /* ttl kept */
    cJSON_Delete(c);
    attest_free(jwt);
    attest_token_opts_free(o);
    attest_token_verifier_free(v);
    attest_signer_free(s);
}
END_TEST

START_TEST(test_token_options_bounds)
{
    attest_token_opts *o = NULL;
    ck_assert_int_eq(attest_token_opts_new(&o), ATTEST_OK);
    /* ttl: 1 s .. 31 days */
    ck_assert_int_eq(attest_token_opts_set_ttl(o, 0), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_opts_set_ttl(o, -1), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_opts_set_ttl(o, TTL_MAX + 1), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_opts_set_ttl(NULL, 60), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_opts_set_ttl(o, 1), ATTEST_OK);
    ck_assert_int_eq(attest_token_opts_set_ttl(o, TTL_MAX), ATTEST_OK);
    attest_signer *s = signer_from(k_p256, NULL, false);
    char *jwt = mint(s, ATTEST_TOKEN_EAR, o);
    cJSON *c = part_json(jwt, 1);
    ck_assert(num_at(get(c, "exp", NULL)) == (double)(T0 + TTL_MAX));
    cJSON_Delete(c);
    attest_free(jwt);
    ck_assert_int_eq(attest_token_opts_set_ttl(o, 1), ATTEST_OK);
    jwt = mint(s, ATTEST_TOKEN_SIMPLE, o);
    c = part_json(jwt, 1);
    ck_assert(num_at(get(c, "exp", NULL)) == (double)(T0 + 1));
    cJSON_Delete(c);
    attest_free(jwt);

    /* nonce: 8 .. 88 characters (base64 of 8 .. 64 bytes) */
    char n[100];
    memset(n, 'a', sizeof(n));
    n[7] = '\0';
    ck_assert_int_eq(attest_token_opts_set(o, ATTEST_TOKEN_OPT_NONCE, n), ATTEST_E_ARG);
    n[7] = 'a', n[8] = '\0';
    ck_assert_int_eq(attest_token_opts_set(o, ATTEST_TOKEN_OPT_NONCE, n), ATTEST_OK);
    n[8] = 'a', n[88] = '\0';
    ck_assert_int_eq(attest_token_opts_set(o, ATTEST_TOKEN_OPT_NONCE, n), ATTEST_OK);
    jwt = mint(s, ATTEST_TOKEN_EAR, o);
    c = part_json(jwt, 1);
    ck_assert_str_eq(str_at(get(c, "eat_nonce", NULL)), n);
    cJSON_Delete(c);
    attest_free(jwt);
    n[88] = 'a', n[89] = '\0';
    ck_assert_int_eq(attest_token_opts_set(o, ATTEST_TOKEN_OPT_NONCE, n), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_opts_set(o, ATTEST_TOKEN_OPT_NONCE, ""), ATTEST_E_ARG);

    /* JSON options must be strict JSON; empty strings only for the policy hash */
    const char *bad_json[] = {"", "not json", "{\"a\":1,\"a\":2}", "{\"a\":1} x", "{\"a\":"};
    for (size_t i = 0; i < sizeof(bad_json) / sizeof(bad_json[0]); i++) {
        ck_assert_int_eq(attest_token_opts_set(o, ATTEST_TOKEN_OPT_RUNTIME_CLAIMS, bad_json[i]),
                         ATTEST_E_ARG);
        ck_assert_int_eq(attest_token_opts_set(o, ATTEST_TOKEN_OPT_INIT_CLAIMS, bad_json[i]),
                         ATTEST_E_ARG);
    }
    ck_assert_int_eq(attest_token_opts_set(o, ATTEST_TOKEN_OPT_RUNTIME_CLAIMS, "[1]"), ATTEST_OK);
    ck_assert_int_eq(attest_token_opts_set(o, ATTEST_TOKEN_OPT_ISSUER, ""), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_opts_set(o, ATTEST_TOKEN_OPT_SUBMOD, ""), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_opts_set(o, ATTEST_TOKEN_OPT_POLICY_HASH, ""), ATTEST_OK);
    ck_assert_int_eq(attest_token_opts_set(o, (attest_token_opt)0, "x"), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_opts_set(o, (attest_token_opt)11, "x"), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_opts_set(NULL, ATTEST_TOKEN_OPT_ISSUER, "x"), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_opts_new(NULL), ATTEST_E_ARG);
    attest_token_opts_free(NULL);

    /* mint arguments; jwt untouched on failure */
    jwt = (char *)"untouched";
    ck_assert_int_eq(attest_token_mint(NULL, s, ATTEST_TOKEN_EAR, o, sample_res, &jwt),
                     ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_mint(ctx, NULL, ATTEST_TOKEN_EAR, o, sample_res, &jwt),
                     ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_mint(ctx, s, (attest_token_kind)3, o, sample_res, &jwt),
                     ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_mint(ctx, s, (attest_token_kind)0, o, sample_res, &jwt),
                     ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_mint(ctx, s, ATTEST_TOKEN_EAR, o, NULL, &jwt), ATTEST_E_ARG);
    ck_assert_str_eq(jwt, "untouched");
    ck_assert_int_eq(attest_token_mint(ctx, s, ATTEST_TOKEN_EAR, o, sample_res, NULL),
                     ATTEST_E_ARG);
    attest_token_opts_free(o);
    attest_signer_free(s);
}
END_TEST

/* ====================================================================================== */
/* JWKS and kid                                                                           */
/* ====================================================================================== */

START_TEST(test_token_jwks_export_then_verify)
{
    attest_signer *s[4] = {signer_from(k_p256, NULL, false), signer_from(k_p384, NULL, true),
                           signer_from(k_rsa, "PS256", false), signer_from(k_ed, NULL, false)};
    char *jwks = NULL;
    ck_assert_int_eq(attest_signers_jwks(ctx, (const attest_signer *const *)s, 4, &jwks),
                     ATTEST_OK);
    attest_token_verifier *v = verifier_with(jwks);
    for (int i = 0; i < 4; i++) {
        char *jwt = mint(s[i], ATTEST_TOKEN_EAR, NULL);
        cJSON_Delete(verify_ok(v, jwt));
        attest_free(jwt);
    }
    attest_token_verifier_free(v);
    attest_free(jwks);

    /* a token of a signer outside the set: its kid is unknown */
    attest_signer *other = signer_from(k_p256b, NULL, false);
    char *jwt = mint(other, ATTEST_TOKEN_EAR, NULL);
    ck_assert_int_eq(attest_signers_jwks(ctx, (const attest_signer *const *)s, 3, &jwks),
                     ATTEST_OK);
    v = verifier_with(jwks);
    expect_reject(v, jwt, ATTEST_E_NOT_FOUND, "no trusted key for a ES256 token with kid ");
    attest_free(jwt);
    /* the EdDSA signer was left out of this set */
    jwt = mint(s[3], ATTEST_TOKEN_SIMPLE, NULL);
    expect_reject(v, jwt, ATTEST_E_NOT_FOUND, "no trusted key for a EdDSA token");
    attest_free(jwt);
    attest_token_verifier_free(v);
    attest_free(jwks);
    attest_signer_free(other);
    for (int i = 0; i < 4; i++)
        attest_signer_free(s[i]);
}
END_TEST

/* A token's kid picks the key: several ES256 keys, each token verifies with its own; a
 * token whose kid names a key of another key's material fails the signature. */
START_TEST(test_token_jwks_kid_selection)
{
    attest_signer *a = signer_from(k_p256, NULL, false), *b = signer_from(k_p256b, NULL, false);
    char *ja = jwk_of(a), *jb = jwk_of(b), tpa[44];
    cJSON *ca = cJSON_Parse(ja), *cb = cJSON_Parse(jb);
    thumbprint(ca, tpa);
    char jwks[4096];
    snprintf(jwks, sizeof(jwks), "{\"keys\":[%s,%s]}", jb, ja);
    attest_token_verifier *v = verifier_with(jwks);
    char *ta = mint(a, ATTEST_TOKEN_EAR, NULL), *tb = mint(b, ATTEST_TOKEN_EAR, NULL);
    cJSON_Delete(verify_ok(v, ta));
    cJSON_Delete(verify_ok(v, tb));
    attest_token_verifier_free(v);

    /* a kid in no key of the set -> not found, although key a would verify */
    char hdr[256];
    snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"kid\":\"%s\"}", "not-a-known-kid");
    char *t = jws(k_p256, "ES256", hdr, GOOD_CLAIMS, 0);
    v = verifier_with(jwks);
    expect_reject(v, t, ATTEST_E_NOT_FOUND, "with kid not-a-known-kid");
    free(t);
    /* without a kid every fitting key is tried */
    t = jws(k_p256, "ES256", HDR_ES256, GOOD_CLAIMS, 0);
    cJSON_Delete(verify_ok(v, t));
    free(t);
    attest_token_verifier_free(v);

    /* key b's material published under a's kid: a's token is checked with b's key only */
    cJSON_ReplaceItemInObjectCaseSensitive(cb, "kid", cJSON_CreateString(tpa));
    char *forged = cJSON_PrintUnformatted(cb);
    v = verifier_with(forged);
    expect_reject(v, ta, ATTEST_E_SIGNATURE, "ES256 signature does not verify with any trusted "
                                             "key (1 tried)");
    attest_token_verifier_free(v);
    free(forged);

    /* a trusted key without a kid (veraison's pkey.json has none) is tried for any kid:
     * pins the current behaviour, which token.h's "checked with the keys of that kid"
     * leaves open */
    cJSON_DeleteItemFromObjectCaseSensitive(ca, "kid");
    char *kidless = cJSON_PrintUnformatted(ca);
    v = verifier_with(kidless);
    cJSON_Delete(verify_ok(v, ta));
    expect_reject(v, tb, ATTEST_E_SIGNATURE, "(1 tried)");
    attest_token_verifier_free(v);
    free(kidless);

    cJSON_Delete(ca);
    cJSON_Delete(cb);
    attest_free(ja);
    attest_free(jb);
    attest_free(ta);
    attest_free(tb);
    attest_signer_free(a);
    attest_signer_free(b);
}
END_TEST

START_TEST(test_token_jwks_rejects_bad_keys)
{
    attest_token_verifier *v = verifier_with(NULL);
    const struct { const char *jwks; attest_status code; const char *msg; } cases[] = {
        {"not json", ATTEST_E_PARSE, "token: JWKS"},
        {"[1]", ATTEST_E_PARSE, "not a JWK or {\"keys\": [...]}"},
        {"{\"keys\":{}}", ATTEST_E_PARSE, "not a JWK"},
        {"{\"keys\":[]}", ATTEST_E_PARSE, "JWKS has no keys"},
        {"{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}", ATTEST_E_UNSUPPORTED,
         "kty \"oct\" is not EC, RSA or OKP"},
        {"{\"keys\":[1]}", ATTEST_E_PARSE, "JWKS key 0: not a JWK"},
        {"{\"kty\":\"EC\",\"crv\":\"P-256K\",\"x\":\"AA\",\"y\":\"AA\"}", ATTEST_E_UNSUPPORTED,
         "EC curve is not"},
        {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\",\"y\":\"AAAA\"}", ATTEST_E_PARSE,
         "must be 32 bytes"},
        /* (1, 1) is not on P-256: an invalid-curve point */
        {"{\"kty\":\"EC\",\"crv\":\"P-256\","
         "\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE\","
         "\"y\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE\"}",
         ATTEST_E_PARSE, "JWKS key 0"},
        {"{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}", ATTEST_E_UNSUPPORTED,
         "RSA modulus of 24 bits"},
        {"{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"AA\"}", ATTEST_E_UNSUPPORTED,
         "OKP curve is not Ed25519"},
        {"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AAAA\"}", ATTEST_E_PARSE, "not 32 bytes"},
        {"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"A+/=\"}", ATTEST_E_PARSE, "base64url"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        attest_status rc = attest_token_verifier_add_jwks(v, cases[i].jwks,
                                                          strlen(cases[i].jwks));
        ck_assert_msg(rc == cases[i].code, "%s: want %d got %d (%s)", cases[i].jwks,
                      cases[i].code, rc, attest_ctx_last_error(ctx));
        ck_assert_msg(strstr(attest_ctx_last_error(ctx), cases[i].msg) != NULL, "%s: \"%s\"",
                      cases[i].jwks, attest_ctx_last_error(ctx));
    }
    /* all or nothing: a good key followed by a bad one leaves nothing trusted */
    attest_signer *s = signer_from(k_p256, NULL, false);
    char *j = jwk_of(s), set[2048];
    snprintf(set, sizeof(set), "{\"keys\":[%s,{\"kty\":\"oct\"}]}", j);
    ck_assert_int_eq(attest_token_verifier_add_jwks(v, set, strlen(set)), ATTEST_E_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "JWKS key 1"));
    char *t = jws(k_p256, "ES256", HDR_ES256, GOOD_CLAIMS, 0);
    expect_reject(v, t, ATTEST_E_NOT_FOUND, "no trusted key for a ES256 token");
    ck_assert_int_eq(attest_token_verifier_add_jwks(v, NULL, 0), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_verifier_add_jwks(NULL, j, strlen(j)), ATTEST_E_ARG);
    /* a bare JWK is a set of one; private members are ignored */
    ck_assert_int_eq(attest_token_verifier_add_jwks(v, j, strlen(j)), ATTEST_OK);
    cJSON_Delete(verify_ok(v, t));
    free(t);
    attest_free(j);
    attest_signer_free(s);
    attest_token_verifier_free(v);
}
END_TEST

/* ====================================================================================== */
/* x5c                                                                                    */
/* ====================================================================================== */

START_TEST(test_token_x5c_chain)
{
    X509 *root = make_cert(k_root, "test root", NULL, k_root, T0 - DAY, T0 + 3650 * DAY, true);
    X509 *root2 = make_cert(k_root2, "test root", NULL, k_root2, T0 - DAY, T0 + 3650 * DAY, true);
    X509 *leaf = make_cert(k_p384, "token signer", root, k_root, T0 - DAY, T0 + DAY, false);
    X509 *old = make_cert(k_p384, "token signer", root, k_root, T0 - 2 * DAY, T0 - 1, false);
    X509 *alien = make_cert(k_p256b, "someone else", root, k_root, T0 - DAY, T0 + DAY, false);
    char *root_pem = pem_cert(root), *root2_pem = pem_cert(root2), *leaf_pem = pem_cert(leaf);
    char *old_pem = pem_cert(old), *alien_pem = pem_cert(alien);
    char chain[8192];
    snprintf(chain, sizeof(chain), "%s%s", leaf_pem, root_pem);

    attest_signer *s = signer_from(k_p384, NULL, false);
    ck_assert_int_eq(attest_signer_set_chain(s, chain, strlen(chain)), ATTEST_OK);
    char *jwt = mint(s, ATTEST_TOKEN_EAR, NULL);

    /* header x5c: standard base64 DER, leaf first (RFC 7515 §4.1.6) */
    cJSON *h = part_json(jwt, 0);
    const cJSON *x5c = get(h, "x5c", NULL);
    ck_assert_int_eq(cJSON_GetArraySize(x5c), 2);
    unsigned char *der = NULL;
    int n = i2d_X509(leaf, &der);
    char *b64 = malloc((size_t)n * 2 + 4);
    EVP_EncodeBlock((unsigned char *)b64, der, n);
    ck_assert_str_eq(str_at(cJSON_GetArrayItem(x5c, 0)), b64);
    free(b64);
    OPENSSL_free(der);
    cJSON_Delete(h);

    /* roots only: no JWKS, no pin */
    attest_token_verifier *v = verifier_with(NULL);
    ck_assert_int_eq(attest_token_verifier_add_roots(v, root_pem, strlen(root_pem)), ATTEST_OK);
    cJSON_Delete(verify_ok(v, jwt));
    attest_token_verifier_free(v);

    /* a leaf-only chain verifies as well */
    ck_assert_int_eq(attest_signer_set_chain(s, leaf_pem, strlen(leaf_pem)), ATTEST_OK);
    char *jwt_leaf = mint(s, ATTEST_TOKEN_SIMPLE, NULL);
    v = verifier_with(NULL);
    ck_assert_int_eq(attest_token_verifier_add_roots(v, root_pem, strlen(root_pem)), ATTEST_OK);
    cJSON_Delete(verify_ok(v, jwt_leaf));
    attest_token_verifier_free(v);
    attest_free(jwt_leaf);

    /* another root (same name, other key) -> chain error, even with the header jwk pinned:
     * an x5c that fails is final */
    v = verifier_with(NULL);
    ck_assert_int_eq(attest_token_verifier_add_roots(v, root2_pem, strlen(root2_pem)),
                     ATTEST_OK);
    expect_reject(v, jwt, ATTEST_E_CHAIN, "header x5c does not chain to a trusted root");
    char *sj = jwk_of(s), stp[44];
    thumbprint_text(sj, stp);
    ck_assert_int_eq(attest_token_verifier_pin_jwk(v, stp), ATTEST_OK);
    expect_reject(v, jwt, ATTEST_E_CHAIN, "header x5c does not chain to a trusted root");
    attest_free(sj);
    attest_token_verifier_free(v);

    /* a trust anchor must be self-signed: the leaf itself as "root" is not enough */
    v = verifier_with(NULL);
    ck_assert_int_eq(attest_token_verifier_add_roots(v, leaf_pem, strlen(leaf_pem)), ATTEST_OK);
    expect_reject(v, jwt, ATTEST_E_CHAIN, "header x5c does not chain to a trusted root");
    attest_token_verifier_free(v);

    /* the leaf expired before the ctx time -> chain error */
    ck_assert_int_eq(attest_signer_set_chain(s, old_pem, strlen(old_pem)), ATTEST_OK);
    char *jwt_old = mint(s, ATTEST_TOKEN_EAR, NULL);
    v = verifier_with(NULL);
    ck_assert_int_eq(attest_token_verifier_add_roots(v, root_pem, strlen(root_pem)), ATTEST_OK);
    expect_reject(v, jwt_old, ATTEST_E_CHAIN, "certificate has expired");
    /* ... and valid at a time inside its validity (the token's iat is T0, so allow it) */
    ck_assert_int_eq(attest_ctx_set_time(ctx, T0 - DAY), ATTEST_OK);
    expect_reject(v, jwt_old, ATTEST_E_EXPIRED, "issued in the future");
    ck_assert_int_eq(attest_ctx_set_time(ctx, T0), ATTEST_OK);
    attest_token_verifier_free(v);
    attest_free(jwt_old);

    /* a chain whose leaf is not the signer's key is refused, and the old chain kept */
    ck_assert_int_eq(attest_signer_set_chain(s, alien_pem, strlen(alien_pem)), ATTEST_E_CHAIN);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "not for the signer's key"));
    ck_assert_int_eq(attest_signer_set_chain(s, root_pem, strlen(root_pem)), ATTEST_E_CHAIN);
    ck_assert_int_eq(attest_signer_set_chain(s, "garbage", 7), ATTEST_E_PARSE);
    ck_assert_int_eq(attest_signer_set_chain(s, NULL, 0), ATTEST_E_ARG);
    ck_assert_int_eq(attest_signer_set_chain(NULL, leaf_pem, strlen(leaf_pem)), ATTEST_E_ARG);
    char *jwt_kept = mint(s, ATTEST_TOKEN_EAR, NULL);
    h = part_json(jwt_kept, 0);
    ck_assert_int_eq(cJSON_GetArraySize(get(h, "x5c", NULL)), 1); /* still old_pem */
    cJSON_Delete(h);
    attest_free(jwt_kept);

    /* roots arguments */
    v = verifier_with(NULL);
    ck_assert_int_eq(attest_token_verifier_add_roots(v, "garbage", 7), ATTEST_E_PARSE);
    ck_assert_int_eq(attest_token_verifier_add_roots(v, NULL, 0), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_verifier_add_roots(NULL, root_pem, strlen(root_pem)),
                     ATTEST_E_ARG);
    /* a token without x5c and no other key: nothing to check it with */
    ck_assert_int_eq(attest_token_verifier_add_roots(v, root_pem, strlen(root_pem)), ATTEST_OK);
    char *t = jws(k_p384, "ES384", "{\"alg\":\"ES384\"}", GOOD_CLAIMS, 0);
    expect_reject(v, t, ATTEST_E_NOT_FOUND, "no trusted key for a ES384 token");
    free(t);
    /* an x5c entry that is not a base64 DER certificate */
    t = jws(k_p384, "ES384", "{\"alg\":\"ES384\",\"x5c\":[\"AAAA\"]}", GOOD_CLAIMS, 0);
    expect_reject(v, t, ATTEST_E_PARSE, "not a base64 DER certificate");
    free(t);
    attest_token_verifier_free(v);

    attest_free(jwt);
    attest_signer_free(s);
    free(root_pem);
    free(root2_pem);
    free(leaf_pem);
    free(old_pem);
    free(alien_pem);
    X509_free(root);
    X509_free(root2);
    X509_free(leaf);
    X509_free(old);
    X509_free(alien);
}
END_TEST

/* ====================================================================================== */
/* pinned header jwk                                                                      */
/* ====================================================================================== */

START_TEST(test_token_pinned_header_jwk)
{
    EVP_PKEY *keys[] = {k_p256, k_rsa, k_ed};
    for (size_t i = 0; i < 3; i++) {
        attest_signer *s = signer_from(keys[i], NULL, false);
        char *jwt = mint(s, ATTEST_TOKEN_EAR, NULL), tp[44];
        cJSON *h = part_json(jwt, 0);
        thumbprint(get(h, "jwk", NULL), tp); /* from the header's own members */
        cJSON_Delete(h);

        attest_token_verifier *v = verifier_with(NULL);
        expect_reject(v, jwt, ATTEST_E_NOT_FOUND, "no trusted key"); /* no pin */
        ck_assert_int_eq(attest_token_verifier_pin_jwk(v, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZ"
                                                          "sRGC9Xs"),
                         ATTEST_OK);
        expect_reject(v, jwt, ATTEST_E_NOT_FOUND, "no trusted key"); /* another pin */
        ck_assert_int_eq(attest_token_verifier_pin_jwk(v, tp), ATTEST_OK);
        cJSON_Delete(verify_ok(v, jwt));
        attest_token_verifier_free(v);
        attest_free(jwt);
        attest_signer_free(s);
    }
    /* the pin binds the key: a header jwk swapped for another key fails the pin */
    attest_signer *a = signer_from(k_p256, NULL, false);
    char *ja = jwk_of(a), tpa[44], hdr[1024];
    thumbprint_text(ja, tpa);
    attest_signer *b = signer_from(k_p256b, NULL, false);
    char *jb = jwk_of(b);
    snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"jwk\":%s}", jb);
    char *t = jws(k_p256b, "ES256", hdr, GOOD_CLAIMS, 0);
    attest_token_verifier *v = verifier_with(NULL);
    ck_assert_int_eq(attest_token_verifier_pin_jwk(v, tpa), ATTEST_OK);
    expect_reject(v, t, ATTEST_E_NOT_FOUND, "no trusted key for a ES256 token");
    free(t);
    /* ... and the pinned header key signing for someone else's signature fails */
    snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"jwk\":%s}", ja);
    t = jws(k_p256b, "ES256", hdr, GOOD_CLAIMS, 0);
    expect_reject(v, t, ATTEST_E_SIGNATURE, "does not verify with any trusted key (1 tried)");
    free(t);
    /* pin arguments: 43 characters */
    ck_assert_int_eq(attest_token_verifier_pin_jwk(v, "short"), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_verifier_pin_jwk(v, NULL), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_verifier_pin_jwk(NULL, tpa), ATTEST_E_ARG);
    attest_token_verifier_free(v);
    attest_free(ja);
    attest_free(jb);
    attest_signer_free(a);
    attest_signer_free(b);
}
END_TEST

/* ====================================================================================== */
/* verify: negatives                                                                      */
/* ====================================================================================== */

static attest_signer *vs;            /* the P-256 signer of the verify TCase */
static attest_token_verifier *vv;    /* trusting vs's JWK */

static void verify_setup(void)
{
    setup();
    vs = signer_from(k_p256, NULL, false);
    vv = verifier_for(vs);
}

static void verify_teardown(void)
{
    attest_token_verifier_free(vv);
    attest_signer_free(vs);
    vv = NULL;
    vs = NULL;
}

START_TEST(test_token_verify_rejects_alg_none)
{
    char *h = b64url_str("{\"alg\":\"none\",\"typ\":\"JWT\"}"), *p = b64url_str(GOOD_CLAIMS);
    char t[2048];
    snprintf(t, sizeof(t), "%s.%s.", h, p); /* unsigned JWT, RFC 7519 §6.1 */
    expect_reject(vv, t, ATTEST_E_SIGNATURE, "alg \"none\" is not allowed");
    /* with a signature it is no better */
    free(h);
    h = b64url_str("{\"alg\":\"None\"}");
    snprintf(t, sizeof(t), "%s.%s.AAAA", h, p);
    expect_reject(vv, t, ATTEST_E_SIGNATURE, "alg \"None\" is not allowed");
    free(h);
    h = b64url_str("{\"typ\":\"JWT\"}");
    snprintf(t, sizeof(t), "%s.%s.", h, p);
    expect_reject(vv, t, ATTEST_E_PARSE, "header has no \"alg\" string");
    free(h);
    h = b64url_str("{\"alg\":256}");
    snprintf(t, sizeof(t), "%s.%s.", h, p);
    expect_reject(vv, t, ATTEST_E_PARSE, "header has no \"alg\" string");
    free(h);
    free(p);
}
END_TEST

/* HS256 keyed with the public key's bytes: a verifier that let the token pick the
 * algorithm would accept it (alg confusion). */
START_TEST(test_token_verify_rejects_hmac_confusion)
{
    attest_signer *rs = signer_from(k_rsa, NULL, false);
    char *jwk_ec = jwk_of(vs), *jwk_rsa = jwk_of(rs), set[4096];
    snprintf(set, sizeof(set), "{\"keys\":[%s,%s]}", jwk_ec, jwk_rsa);
    attest_token_verifier *v = verifier_with(set);
    EVP_PKEY *keys[] = {k_p256, k_rsa};
    for (int i = 0; i < 2; i++) {
        char *pub = pem_public(keys[i]);
        char *t = jws_hs256((const uint8_t *)pub, strlen(pub),
                            "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", GOOD_CLAIMS);
        expect_reject(v, t, ATTEST_E_SIGNATURE, "alg \"HS256\" is not allowed");
        free(t);
        const char *jwk = i == 0 ? jwk_ec : jwk_rsa;
        t = jws_hs256((const uint8_t *)jwk, strlen(jwk), "{\"alg\":\"HS256\"}", GOOD_CLAIMS);
        expect_reject(v, t, ATTEST_E_SIGNATURE, "alg \"HS256\" is not allowed");
        free(t);
        free(pub);
    }
    attest_token_verifier_free(v);
    attest_free(jwk_ec);
    attest_free(jwk_rsa);
    attest_signer_free(rs);
}
END_TEST

/* An EC signature presented as RS256: the key decides which algorithms it checks. */
START_TEST(test_token_verify_rejects_swapped_alg)
{
    char *t = jws(k_p256, "ES256", "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", GOOD_CLAIMS, 0);
    expect_reject(vv, t, ATTEST_E_NOT_FOUND, "no trusted key for a RS256 token");
    free(t);
    t = jws(k_p256, "ES256", "{\"alg\":\"ES384\"}", GOOD_CLAIMS, 0);
    expect_reject(vv, t, ATTEST_E_NOT_FOUND, "no trusted key for a ES384 token");
    free(t);
    t = jws(k_p256, "ES256", "{\"alg\":\"EdDSA\"}", GOOD_CLAIMS, 0);
    expect_reject(vv, t, ATTEST_E_NOT_FOUND, "no trusted key for a EdDSA token");
    free(t);
    /* with an RSA key trusted too, RS256 is tried against it and fails */
    attest_signer *rs = signer_from(k_rsa, NULL, false);
    char *j = jwk_of(rs);
    ck_assert_int_eq(attest_token_verifier_add_jwks(vv, j, strlen(j)), ATTEST_OK);
    t = jws(k_p256, "ES256", "{\"alg\":\"RS256\"}", GOOD_CLAIMS, 0);
    expect_reject(vv, t, ATTEST_E_SIGNATURE, "RS256 signature does not verify with any trusted "
                                             "key (1 tried)");
    free(t);
    /* PS256 over an RS256 signature, RS384 over RS256 */
    t = jws(k_rsa, "RS256", "{\"alg\":\"PS256\"}", GOOD_CLAIMS, 0);
    expect_reject(vv, t, ATTEST_E_SIGNATURE, "PS256 signature does not verify");
    free(t);
    t = jws(k_rsa, "RS256", "{\"alg\":\"RS384\"}", GOOD_CLAIMS, 0);
    expect_reject(vv, t, ATTEST_E_SIGNATURE, "RS384 signature does not verify");
    free(t);
    attest_free(j);
    attest_signer_free(rs);
}
END_TEST

START_TEST(test_token_verify_rejects_header_extensions)
{
    /* a repeated "alg": one parser might read the first, another the last */
    const char *dups[] = {"{\"alg\":\"ES256\",\"alg\":\"none\"}",
                          "{\"alg\":\"none\",\"alg\":\"ES256\"}",
                          "{\"alg\":\"ES256\",\"alg\":\"ES256\"}",
                          "{\"alg\":\"ES256\",\"al\\u0067\":\"ES256\"}"};
    for (size_t i = 0; i < sizeof(dups) / sizeof(dups[0]); i++) {
        char *t = jws(k_p256, "ES256", dups[i], GOOD_CLAIMS, 0);
        expect_reject(vv, t, ATTEST_E_PARSE, "repeated member name");
        free(t);
    }
    /* RFC 7515 §4.1.11: "crit" lists extensions that must be understood; we know none.
     * BUG (doc): ATTEST_E_UNSUPPORTED is not among attest_token_verify()'s documented
     * codes (include/attest/token.h, attest_token_verify @return). */
    char *t = jws(k_p256, "ES256", "{\"alg\":\"ES256\",\"crit\":[\"exp\"],\"exp\":1}",
                  GOOD_CLAIMS, 0);
    expect_reject(vv, t, ATTEST_E_UNSUPPORTED, "header extensions (\"crit\", \"b64\")");
    free(t);
    t = jws(k_p256, "ES256", "{\"alg\":\"ES256\",\"crit\":[]}", GOOD_CLAIMS, 0);
    expect_reject(vv, t, ATTEST_E_UNSUPPORTED, "\"crit\"");
    free(t);
    t = jws(k_p256, "ES256", "{\"alg\":\"ES256\",\"b64\":false,\"crit\":[\"b64\"]}",
            GOOD_CLAIMS, 0);
    expect_reject(vv, t, ATTEST_E_UNSUPPORTED, "\"b64\"");
    free(t);
    /* headers that are not a JSON object */
    t = jws(k_p256, "ES256", "[\"alg\",\"ES256\"]", GOOD_CLAIMS, 0);
    expect_reject(vv, t, ATTEST_E_PARSE, "header is not a JSON object");
    free(t);
    t = jws(k_p256, "ES256", "{\"alg\":\"ES256\"", GOOD_CLAIMS, 0);
    expect_reject(vv, t, ATTEST_E_PARSE, "jws: header");
    free(t);
}
END_TEST

/* A header member named "alg\u0000" would be "alg" to cJSON and another name to a
 * byte-exact reader: the strict reader refuses NUL in member names. */
START_TEST(test_token_verify_rejects_nul_in_member_name)
{
    char *t = jws(k_p256, "ES256", "{\"alg\\u0000\":\"ES256\",\"alg\":\"none\"}", GOOD_CLAIMS, 0);
    char *claims = NULL;
    attest_status rc = attest_token_verify(vv, t, strlen(t), &claims);
    attest_free(claims);
    free(t);
    ck_assert_msg(rc == ATTEST_E_PARSE, "header {\"alg\\u0000\":\"ES256\",\"alg\":\"none\"}: "
                  "want ATTEST_E_PARSE, got %d", rc);
}
END_TEST

START_TEST(test_token_verify_time_claims)
{
    const struct {
        bool iat; int64_t iat_v; bool exp; int64_t exp_v; bool nbf; int64_t nbf_v;
        attest_status code; const char *msg;
    } cases[] = {
        /* exp with the default 60 s leeway: at the edge accepted, one second later not */
        {true, T0 - 400, true, T0 - 61, false, 0, ATTEST_E_EXPIRED, "token: expired at"},
        {true, T0 - 400, true, T0 - 60, false, 0, ATTEST_OK, NULL},
        {true, T0, true, T0, false, 0, ATTEST_OK, NULL},
        /* nbf and iat in the future */
        {true, T0, true, T0 + 300, true, T0 + 61, ATTEST_E_EXPIRED, "not valid before"},
        {true, T0, true, T0 + 300, true, T0 + 60, ATTEST_OK, NULL},
        {true, T0 + 61, true, T0 + 300, false, 0, ATTEST_E_EXPIRED, "issued in the future"},
        {true, T0 + 60, true, T0 + 300, false, 0, ATTEST_OK, NULL},
        /* exp is required without a max age; iat is optional */
        {true, T0, false, 0, false, 0, ATTEST_E_PARSE, "claim \"exp\" is missing"},
        {false, 0, true, T0 + 300, false, 0, ATTEST_OK, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *t = jws(k_p256, "ES256", HDR_ES256,
                      claims_at(cases[i].iat, cases[i].iat_v, cases[i].exp, cases[i].exp_v,
                                cases[i].nbf, cases[i].nbf_v, NULL),
                      0);
        if (cases[i].code == ATTEST_OK)
            cJSON_Delete(verify_ok(vv, t));
        else
            expect_reject(vv, t, cases[i].code, cases[i].msg);
        free(t);
    }
    /* non-numeric time claims */
    const char *bad[][2] = {
        {"{\"exp\":\"1767225900\"}", "claim \"exp\" is not a number"},
        {"{\"exp\":1767225900,\"nbf\":null}", "claim \"nbf\" is not a number"},
        {"{\"exp\":1767225900,\"iat\":true}", "claim \"iat\" is not a number"},
    };
    for (size_t i = 0; i < 3; i++) {
        char *t = jws(k_p256, "ES256", HDR_ES256, bad[i][0], 0);
        expect_reject(vv, t, ATTEST_E_PARSE, bad[i][1]);
        free(t);
    }
    /* NumericDate may have a fraction (RFC 7519 §2); a member name holding NUL ("exp\u0000",
     * which C-string readers see as "exp") is refused outright */
    const struct { const char *claims; attest_status code; const char *msg; } more[] = {
        {"{\"exp\":1767225539.5}", ATTEST_E_EXPIRED, "expired at"},
        {"{\"exp\":1767225540.0}", ATTEST_OK, NULL},
        {"{\"exp\":17672255400e-1}", ATTEST_OK, NULL},
        {"{\"exp\\u0000\":9999999999,\"exp\":1767225000}", ATTEST_E_PARSE,
         "member name holds a NUL"},
        {"{\"exp\\u0000\":9999999999}", ATTEST_E_PARSE, "member name holds a NUL"},
        {"{\"exp\":9999999999,\"nbf\\u0000\":0,\"nbf\":1767225661}", ATTEST_E_PARSE,
         "member name holds a NUL"},
    };
    for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
        char *t = jws(k_p256, "ES256", HDR_ES256, more[i].claims, 0);
        if (more[i].code == ATTEST_OK)
            cJSON_Delete(verify_ok(vv, t));
        else
            expect_reject(vv, t, more[i].code, more[i].msg);
        free(t);
    }
    /* leeway 0: exp == now is still valid, exp == now - 1 is not */
    ck_assert_int_eq(attest_token_verifier_set_leeway(vv, 0), ATTEST_OK);
    char *t = jws(k_p256, "ES256", HDR_ES256, claims_at(true, T0 - 10, true, T0, false, 0, NULL),
                  0);
    cJSON_Delete(verify_ok(vv, t));
    free(t);
    t = jws(k_p256, "ES256", HDR_ES256, claims_at(true, T0 - 10, true, T0 - 1, false, 0, NULL),
            0);
    expect_reject(vv, t, ATTEST_E_EXPIRED, "expired at 1767225599 (now 1767225600, leeway 0 s)");
    free(t);
    ck_assert_int_eq(attest_token_verifier_set_leeway(vv, 600), ATTEST_OK);
    t = jws(k_p256, "ES256", HDR_ES256, claims_at(true, T0 - 900, true, T0 - 600, false, 0, NULL),
            0);
    cJSON_Delete(verify_ok(vv, t));
    free(t);
    ck_assert_int_eq(attest_token_verifier_set_leeway(vv, -1), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_verifier_set_leeway(vv, 601), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_verifier_set_leeway(NULL, 1), ATTEST_E_ARG);

    /* a minted token expires ttl + leeway after iat */
    ck_assert_int_eq(attest_token_verifier_set_leeway(vv, 60), ATTEST_OK);
    char *jwt = mint(vs, ATTEST_TOKEN_EAR, NULL);
    ck_assert_int_eq(attest_ctx_set_time(ctx, T0 + 360), ATTEST_OK);
    cJSON_Delete(verify_ok(vv, jwt));
    ck_assert_int_eq(attest_ctx_set_time(ctx, T0 + 361), ATTEST_OK);
    expect_reject(vv, jwt, ATTEST_E_EXPIRED, "expired at 1767225900");
    attest_free(jwt);
}
END_TEST

START_TEST(test_token_verify_max_age)
{
    /* without exp, accepted only when a max age is set, and then by iat */
    char *t = jws(k_p256, "ES256", HDR_ES256, claims_at(true, T0 - 3600, false, 0, false, 0, NULL),
                  0);
    expect_reject(vv, t, ATTEST_E_PARSE, "claim \"exp\" is missing");
    ck_assert_int_eq(attest_token_verifier_set_max_age(vv, 3600), ATTEST_OK);
    cJSON_Delete(verify_ok(vv, t));
    free(t);
    /* edge: now - iat == max age + leeway accepted, one second more rejected */
    t = jws(k_p256, "ES256", HDR_ES256, claims_at(true, T0 - 3660, false, 0, false, 0, NULL), 0);
    cJSON_Delete(verify_ok(vv, t));
    free(t);
    t = jws(k_p256, "ES256", HDR_ES256, claims_at(true, T0 - 3661, false, 0, false, 0, NULL), 0);
    expect_reject(vv, t, ATTEST_E_EXPIRED, "older than the max age of 3600 s");
    free(t);
    /* with a max age, iat is required */
    t = jws(k_p256, "ES256", HDR_ES256, claims_at(false, 0, false, 0, false, 0, NULL), 0);
    expect_reject(vv, t, ATTEST_E_PARSE, "claim \"iat\" is missing or not a number");
    free(t);
    /* exp still counts when present */
    t = jws(k_p256, "ES256", HDR_ES256, claims_at(true, T0 - 100, true, T0 - 61, false, 0, NULL),
            0);
    expect_reject(vv, t, ATTEST_E_EXPIRED, "expired at");
    free(t);
    ck_assert_int_eq(attest_token_verifier_set_max_age(vv, 0), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_verifier_set_max_age(vv, -5), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_verifier_set_max_age(vv, 10 * 366 * DAY + 1), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_verifier_set_max_age(vv, 10 * 366 * DAY), ATTEST_OK);
    ck_assert_int_eq(attest_token_verifier_set_max_age(NULL, 60), ATTEST_E_ARG);
}
END_TEST

START_TEST(test_token_verify_rejects_wrong_key)
{
    /* minted by another key: its kid is not the trusted key's */
    attest_signer *other = signer_from(k_p256b, NULL, false);
    char *jwt = mint(other, ATTEST_TOKEN_EAR, NULL);
    expect_reject(vv, jwt, ATTEST_E_NOT_FOUND, "no trusted key for a ES256 token with kid");
    attest_free(jwt);
    attest_signer_free(other);
    /* no kid: the one fitting key is tried and fails */
    char *t = jws(k_p256b, "ES256", HDR_ES256, GOOD_CLAIMS, 0);
    expect_reject(vv, t, ATTEST_E_SIGNATURE, "does not verify with any trusted key (1 tried)");
    free(t);
    /* a forged kid naming the trusted key */
    char hdr[256], *j = jwk_of(vs), tp[44];
    thumbprint_text(j, tp);
    snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"kid\":\"%s\"}", tp);
    t = jws(k_p256b, "ES256", hdr, GOOD_CLAIMS, 0);
    expect_reject(vv, t, ATTEST_E_SIGNATURE, "ES256 signature does not verify");
    free(t);
    attest_free(j);
}
END_TEST

/* Flip one base64url character at pos (to another valid one, same low bits kept so the
 * encoding stays canonical at the end of a part). */
static void flip(char *t, size_t pos)
{
    t[pos] = t[pos] == 'A' ? 'Q' : 'A';
}

START_TEST(test_token_verify_rejects_tampering)
{
    char *jwt = mint(vs, ATTEST_TOKEN_EAR, NULL);
    size_t d1 = (size_t)(strchr(jwt, '.') - jwt), d2 = (size_t)(strrchr(jwt, '.') - jwt);
    cJSON_Delete(verify_ok(vv, jwt));
    char *t = strdup(jwt);

    /* one payload byte: the signature no longer covers it */
    flip(t, d1 + 20);
    expect_reject(vv, t, ATTEST_E_SIGNATURE, "ES256 signature does not verify");
    strcpy(t, jwt);
    flip(t, d1 + (d2 - d1) / 2);
    expect_reject(vv, t, ATTEST_E_SIGNATURE, "ES256 signature does not verify");
    /* one signature byte, in r and in s */
    strcpy(t, jwt);
    flip(t, d2 + 5);
    expect_reject(vv, t, ATTEST_E_SIGNATURE, "ES256 signature does not verify");
    strcpy(t, jwt);
    flip(t, d2 + 60);
    expect_reject(vv, t, ATTEST_E_SIGNATURE, "ES256 signature does not verify");
    /* one header byte ("typ" -> another value keeps it JSON): the kid or JSON changes */
    strcpy(t, jwt);
    flip(t, 3);
    char *claims = NULL;
    attest_status rc = attest_token_verify(vv, t, strlen(t), &claims);
    ck_assert(rc == ATTEST_E_PARSE || rc == ATTEST_E_SIGNATURE || rc == ATTEST_E_NOT_FOUND);
    ck_assert_ptr_null(claims);
    /* a trailing newline (a token read from a file) is fine; other trailing bytes are not */
    size_t n = strlen(jwt);
    char *nl = malloc(n + 3);
    snprintf(nl, n + 3, "%s\r\n", jwt);
    cJSON_Delete(verify_ok(vv, nl));
    snprintf(nl, n + 3, "%s\t", jwt);
    expect_reject(vv, nl, ATTEST_E_PARSE, "signature is not unpadded base64url");
    free(nl);
    free(t);
    attest_free(jwt);
}
END_TEST

START_TEST(test_token_verify_rejects_malformed)
{
    char *jwt = mint(vs, ATTEST_TOKEN_EAR, NULL);
    size_t n = strlen(jwt);
    size_t d1 = (size_t)(strchr(jwt, '.') - jwt), d2 = (size_t)(strrchr(jwt, '.') - jwt);
    char *buf = malloc(n + 64);
    if (buf == NULL) /* not ck_assert: the compiler must see buf is not NULL below */
        abort();

    /* truncated inside each part */
    expect_reject_n(vv, jwt, d1 / 2, ATTEST_E_PARSE, "not a compact JWS");
    expect_reject_n(vv, jwt, d1 + 10, ATTEST_E_PARSE, "not a compact JWS");
    expect_reject_n(vv, jwt, d2, ATTEST_E_PARSE, "not a compact JWS");
    /* the length check's own message ("signature is 0 bytes (want 64)") is replaced by the
     * verifier's summary: see test_token_verify_rejects_malformed's ES256 cases */
    expect_reject_n(vv, jwt, d2 + 1, ATTEST_E_SIGNATURE, SIG_FAILS);
    expect_reject_n(vv, jwt, n - 2, ATTEST_E_SIGNATURE, SIG_FAILS); /* 84 chars: 63 bytes */
    expect_reject_n(vv, jwt, n - 1, ATTEST_E_PARSE, "signature is not unpadded base64url");
    expect_reject_n(vv, jwt, 0, ATTEST_E_PARSE, "not a compact JWS");
    /* the header cut short by whole characters: still base64url, no longer JSON */
    snprintf(buf, n + 64, "%.*s%s", (int)(d1 - 4), jwt, jwt + d1);
    expect_reject(vv, buf, ATTEST_E_PARSE, "jws: header");

    /* padding '=' in any part (RFC 7515 §2: base64url without padding) */
    snprintf(buf, n + 64, "%s=", jwt); /* 64 bytes -> 86 chars: would pad with "==" */
    expect_reject(vv, buf, ATTEST_E_PARSE, "signature is not unpadded base64url");
    snprintf(buf, n + 64, "%s==", jwt);
    expect_reject(vv, buf, ATTEST_E_PARSE, "signature is not unpadded base64url");
    char *h = b64url_str("{\"alg\":\"ES256\"}"); /* 15 bytes: 20 chars, padding-free */
    char *hp = b64url_str("{\"alg\":\"ES256\" }"); /* 16 bytes: 22 chars, "==" padding */
    snprintf(buf, n + 64, "%s==%s", hp, jwt + d1);
    expect_reject(vv, buf, ATTEST_E_PARSE, "header is not unpadded base64url");
    snprintf(buf, n + 64, "%.*s==%s", (int)d2, jwt, jwt + d2);
    expect_reject(vv, buf, ATTEST_E_PARSE, "not unpadded base64url");
    free(h);
    free(hp);

    /* characters outside base64url: standard base64's '+' and '/', and others */
    const char bad[] = {'+', '/', '*', ' ', '\0'};
    for (size_t i = 0; i < sizeof(bad); i++) {
        memcpy(buf, jwt, n + 1);
        buf[d1 + 5] = bad[i];
        expect_reject_n(vv, buf, n, ATTEST_E_PARSE, "payload is not unpadded base64url");
        memcpy(buf, jwt, n + 1);
        buf[2] = bad[i];
        expect_reject_n(vv, buf, n, ATTEST_E_PARSE, "header is not unpadded base64url");
        memcpy(buf, jwt, n + 1);
        buf[d2 + 3] = bad[i];
        expect_reject_n(vv, buf, n, ATTEST_E_PARSE, "signature is not unpadded base64url");
    }

    /* 2 and 4 parts, empty parts */
    snprintf(buf, n + 64, "%.*s", (int)d2, jwt);
    expect_reject(vv, buf, ATTEST_E_PARSE, "want three base64url parts");
    snprintf(buf, n + 64, "%s.AAAA", jwt);
    expect_reject(vv, buf, ATTEST_E_PARSE, "want three base64url parts");
    snprintf(buf, n + 64, "%s.", jwt);
    expect_reject(vv, buf, ATTEST_E_PARSE, "want three base64url parts");
    expect_reject(vv, "..", ATTEST_E_PARSE, "jws: header");
    expect_reject(vv, "", ATTEST_E_PARSE, "not a compact JWS");
    snprintf(buf, n + 64, ".%s", jwt + d1 + 1);
    expect_reject(vv, buf, ATTEST_E_PARSE, "jws: header");
    snprintf(buf, n + 64, "%.*s.%s", (int)d1, jwt, jwt + d2); /* empty payload */
    expect_reject(vv, buf, ATTEST_E_SIGNATURE, "ES256 signature does not verify");
    /* an empty payload, correctly signed */
    char *t = jws(k_p256, "ES256", HDR_ES256, "", 0);
    expect_reject(vv, t, ATTEST_E_PARSE, "token: claims");
    free(t);

    /* payloads that are JSON but not an object, or not JSON */
    const char *payloads[] = {"[1,2]", "\"claims\"", "null", "17", "{\"exp\":1,}",
                              "{\"a\":1,\"a\":2}", "{\"exp\":1767225900} trailing"};
    for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
        t = jws(k_p256, "ES256", HDR_ES256, payloads[i], 0);
        expect_reject(vv, t, ATTEST_E_PARSE, "token: claims");
        free(t);
    }

    /* ES256 signatures of the wrong length: DER instead of r||s, and one byte short */
    t = jws(k_p256, "ES256", HDR_ES256, GOOD_CLAIMS, SIG_DER);
    expect_reject(vv, t, ATTEST_E_SIGNATURE, SIG_FAILS);
    free(t);
    t = jws(k_p256, "ES256", HDR_ES256, GOOD_CLAIMS, 0);
    size_t tl = strlen(t);
    char *sig = strrchr(t, '.') + 1;
    size_t sl = 0;
    uint8_t *raw = unb64url(sig, strlen(sig), &sl);
    ck_assert_uint_eq(sl, 64);
    char *short_sig = b64url(raw, 63);
    strcpy(sig, short_sig);
    expect_reject(vv, t, ATTEST_E_SIGNATURE, SIG_FAILS);
    ck_assert_uint_lt(strlen(t), tl);
    free(short_sig);
    free(raw);
    free(t);

    /* NULL arguments */
    char *claims = (char *)"untouched";
    ck_assert_int_eq(attest_token_verify(NULL, jwt, n, &claims), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_verify(vv, NULL, 0, &claims), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_verify(vv, jwt, n, NULL), ATTEST_E_ARG);
    ck_assert_str_eq(claims, "untouched");
    free(buf);
    attest_free(jwt);
}
END_TEST

START_TEST(test_token_verify_rejects_oversized)
{
    size_t n = 16u * 1024u * 1024u + 1;
    char *big = malloc(n + 1);
    ck_assert_ptr_nonnull(big);
    memset(big, 'A', n);
    size_t third = n / 3;
    big[third] = '.';
    big[2 * third] = '.';
    big[n] = '\0';
    expect_reject_n(vv, big, n, ATTEST_E_PARSE, "token is larger than 16777216 bytes");
    free(big);
}
END_TEST

START_TEST(test_token_verify_issuer_and_audience)
{
    ck_assert_int_eq(attest_token_verifier_set_issuer(vv, "https://other.example"), ATTEST_OK);
    char *jwt = mint(vs, ATTEST_TOKEN_EAR, NULL);
    expect_reject(vv, jwt, ATTEST_E_POLICY, "issuer is not \"https://other.example\"");
    ck_assert_int_eq(attest_token_verifier_set_issuer(vv, ISSUER), ATTEST_OK);
    cJSON_Delete(verify_ok(vv, jwt));
    char *t = jws(k_p256, "ES256", HDR_ES256, "{\"exp\":1767225900}", 0); /* no iss */
    expect_reject(vv, t, ATTEST_E_POLICY, "issuer is not");
    free(t);
    ck_assert_int_eq(attest_token_verifier_set_issuer(vv, NULL), ATTEST_OK);

    ck_assert_int_eq(attest_token_verifier_set_audience(vv, "rp-1"), ATTEST_OK);
    expect_reject(vv, jwt, ATTEST_E_POLICY, "audience \"rp-1\" is not in \"aud\""); /* no aud */
    const struct { const char *aud; bool ok; } cases[] = {
        {"\"aud\":\"rp-1\"", true},          {"\"aud\":\"rp-2\"", false},
        {"\"aud\":[\"x\",\"rp-1\"]", true},  {"\"aud\":[\"x\",\"y\"]", false},
        {"\"aud\":[]", false},               {"\"aud\":[1,\"rp-1x\"]", false},
        {"\"aud\":\"RP-1\"", false},         {"\"aud\":{\"rp-1\":1}", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        t = jws(k_p256, "ES256", HDR_ES256,
                claims_at(true, T0, true, T0 + 300, false, 0, cases[i].aud), 0);
        if (cases[i].ok)
            cJSON_Delete(verify_ok(vv, t));
        else
            expect_reject(vv, t, ATTEST_E_POLICY, "audience \"rp-1\" is not in \"aud\"");
        free(t);
    }
    ck_assert_int_eq(attest_token_verifier_set_audience(vv, NULL), ATTEST_OK);
    cJSON_Delete(verify_ok(vv, jwt));
    ck_assert_int_eq(attest_token_verifier_set_issuer(NULL, "x"), ATTEST_E_ARG);
    ck_assert_int_eq(attest_token_verifier_set_audience(NULL, "x"), ATTEST_E_ARG);
    attest_free(jwt);
}
END_TEST

/* The claims come back as the payload; the header promises compact text. */
START_TEST(test_token_verify_returns_claims)
{
    char *jwt = mint(vs, ATTEST_TOKEN_EAR, NULL), *claims = NULL;
    ck_assert_int_eq(attest_token_verify(vv, jwt, strlen(jwt), &claims), ATTEST_OK);
    size_t n = 0;
    const char *p = strchr(jwt, '.') + 1;
    uint8_t *payload = unb64url(p, (size_t)(strchr(p, '.') - p), &n);
    ck_assert_uint_eq(strlen(claims), n);
    ck_assert(memcmp(claims, payload, n) == 0);
    free(payload);
    attest_free(claims);
    attest_free(jwt);
    ck_assert_int_eq(attest_token_verifier_new(NULL, ctx), ATTEST_E_ARG);
    attest_token_verifier *v = (attest_token_verifier *)1;
    ck_assert_int_eq(attest_token_verifier_new(&v, NULL), ATTEST_E_ARG);
    ck_assert_ptr_eq(v, (attest_token_verifier *)1);
    attest_token_verifier_free(NULL);
}
END_TEST

/* attest_token_verify() hands back the payload exactly as signed, whitespace included
 * (re-printing could round numbers). */
START_TEST(test_token_verify_claims_are_as_signed)
{
    char *t = jws(k_p256, "ES256", HDR_ES256, "{ \"exp\" : 1767225900,\n  \"iss\": \"a b\" }", 0);
    char *claims = NULL;
    ck_assert_int_eq(attest_token_verify(vv, t, strlen(t), &claims), ATTEST_OK);
    char got[128];
    snprintf(got, sizeof(got), "%s", claims);
    attest_free(claims);
    free(t);
    ck_assert_str_eq(got, "{ \"exp\" : 1767225900,\n  \"iss\": \"a b\" }");
}
END_TEST

/* ====================================================================================== */
/* real vectors (../shared/vectors/ear via ATTEST_VECTORS)                                */
/* ====================================================================================== */

static char vectors[4096];

static char *slurp(const char *rel, size_t *len)
{
    char path[8192];
    snprintf(path, sizeof(path), "%s/ear/%s", vectors, rel);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert(buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static double vector_iat(const char *jwt)
{
    cJSON *c = part_json(jwt, 1);
    double iat = num_at(get(c, "iat", NULL));
    cJSON_Delete(c);
    return iat;
}

/* Each veraison token with its published key, after its iat (they have no exp). */
START_TEST(test_token_vectors_verify_with_key)
{
    const char *cases[][2] = {
        {"veraison-ear/arc-testJWT.jwt", "veraison-ear/pkey.json"},
        {"veraison-ear/arc-testJWT_JWK.jwt", "veraison-ear/pkey.json"},
        {"veraison-ear/ear_test-TestVerify_pass.jwt", "veraison-ear/pkey.json"},
        {"rust-ear/README-verification-example.jwt", "rust-ear/ec_key_pub.jwk"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t tl = 0, kl = 0;
        char *jwt = slurp(cases[i][0], &tl), *key = slurp(cases[i][1], &kl);
        int64_t iat = (int64_t)vector_iat(jwt);
        attest_token_verifier *v = NULL;
        char *claims = NULL;
        ck_assert_int_eq(attest_token_verifier_new(&v, ctx), ATTEST_OK);
        ck_assert_int_eq(attest_token_verifier_add_jwks(v, key, kl), ATTEST_OK);
        /* no exp: rejected until a max age is set */
        ck_assert_int_eq(attest_ctx_set_time(ctx, iat + 3600), ATTEST_OK);
        expect_reject_n(v, jwt, tl, ATTEST_E_PARSE, "claim \"exp\" is missing");
        ck_assert_int_eq(attest_token_verifier_set_max_age(v, DAY), ATTEST_OK);
        attest_status rc = attest_token_verify(v, jwt, tl, &claims); /* file ends in \n */
        ck_assert_msg(rc == ATTEST_OK, "%s: %s", cases[i][0], attest_ctx_last_error(ctx));
        cJSON *c = cJSON_Parse(claims);
        ck_assert_ptr_nonnull(get(c, "submods", "test", "ear.status", NULL));
        ck_assert_str_eq(str_at(get(c, "submods", "test", "ear.status", NULL)),
                         i == 3 ? "none" : "affirming");
        cJSON_Delete(c);
        attest_free(claims);
        /* too old for the max age; before iat */
        ck_assert_int_eq(attest_ctx_set_time(ctx, iat + 2 * DAY), ATTEST_OK);
        expect_reject_n(v, jwt, tl, ATTEST_E_EXPIRED, "older than the max age");
        if (iat >= 61) { /* not rust-ear's, issued at 1 */
            ck_assert_int_eq(attest_ctx_set_time(ctx, iat - 61), ATTEST_OK);
            expect_reject_n(v, jwt, tl, ATTEST_E_EXPIRED, "issued in the future");
        }
        /* one byte of the payload changed */
        ck_assert_int_eq(attest_ctx_set_time(ctx, iat + 3600), ATTEST_OK);
        char *d = strchr(jwt, '.') + 8;
        *d = *d == 'A' ? 'Q' : 'A';
        expect_reject_n(v, jwt, tl, ATTEST_E_SIGNATURE, "ES256 signature does not verify");
        attest_token_verifier_free(v);
        free(jwt);
        free(key);
    }
}
END_TEST

/* veraison's token with a header jwk, and Trustee's realm token (its key only in the
 * header): pinned by the thumbprint computed here from the header's members. */
START_TEST(test_token_vectors_pinned_header_jwk)
{
    size_t tl = 0;
    char *jwt = slurp("veraison-ear/arc-testJWT_JWK.jwt", &tl), tp[44];
    cJSON *h = part_json(jwt, 0);
    thumbprint(get(h, "jwk", NULL), tp);
    cJSON_Delete(h);
    attest_token_verifier *v = verifier_with(NULL);
    ck_assert_int_eq(attest_token_verifier_set_max_age(v, DAY), ATTEST_OK);
    ck_assert_int_eq(attest_ctx_set_time(ctx, (int64_t)vector_iat(jwt) + 60), ATTEST_OK);
    expect_reject_n(v, jwt, tl, ATTEST_E_NOT_FOUND, "no trusted key for a ES256 token");
    ck_assert_int_eq(attest_token_verifier_pin_jwk(v, tp), ATTEST_OK);
    char *claims = NULL;
    ck_assert_int_eq(attest_token_verify(v, jwt, tl, &claims), ATTEST_OK);
    attest_free(claims);
    attest_token_verifier_free(v);
    free(jwt);

    jwt = slurp("veraison-ear/arc-testRealmJWT.jwt", &tl);
    h = part_json(jwt, 0);
    thumbprint(get(h, "jwk", NULL), tp);
    cJSON_Delete(h);
    cJSON *c = part_json(jwt, 1);
    int64_t iat = (int64_t)num_at(get(c, "iat", NULL)), exp = (int64_t)num_at(get(c, "exp", NULL));
    cJSON_Delete(c);
    ck_assert_int_eq(iat, 1752059139); /* 2025-07-09T11:05:39Z, SOURCES.md */
    ck_assert_int_eq(exp, iat + 300);
    v = verifier_with(NULL);
    ck_assert_int_eq(attest_ctx_set_time(ctx, iat + 60), ATTEST_OK);
    expect_reject_n(v, jwt, tl, ATTEST_E_NOT_FOUND, "no trusted key"); /* not pinned */
    ck_assert_int_eq(attest_token_verifier_pin_jwk(v, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC"
                                                      "9Xs"),
                     ATTEST_OK);
    expect_reject_n(v, jwt, tl, ATTEST_E_NOT_FOUND, "no trusted key"); /* another pin */
    ck_assert_int_eq(attest_token_verifier_pin_jwk(v, tp), ATTEST_OK);
    ck_assert_int_eq(attest_token_verify(v, jwt, tl, &claims), ATTEST_OK);
    c = cJSON_Parse(claims);
    ck_assert_str_eq(str_at(get(c, "eat_profile", NULL)), PROFILE);
    ck_assert_ptr_null(get(c, "iss", NULL)); /* this Trustee build set no "iss" */
    ck_assert_str_eq(str_at(get(c, "submods", "cpu0", "ear.status", NULL)), "affirming");
    ck_assert(num_at(get(c, "submods", "cpu0", "ear.trustworthiness-vector", "hardware",
                         NULL)) == 2);
    ck_assert_ptr_nonnull(get(c, "submods", "cpu0", "ear.veraison.annotated-evidence", "cca",
                              NULL));
    cJSON_Delete(c);
    attest_free(claims);
    /* at exp + leeway still valid, a second later expired; now (2026+) long expired */
    ck_assert_int_eq(attest_ctx_set_time(ctx, exp + 60), ATTEST_OK);
    ck_assert_int_eq(attest_token_verify(v, jwt, tl, &claims), ATTEST_OK);
    attest_free(claims);
    ck_assert_int_eq(attest_ctx_set_time(ctx, exp + 61), ATTEST_OK);
    expect_reject_n(v, jwt, tl, ATTEST_E_EXPIRED, "expired at 1752059439");
    ck_assert_int_eq(attest_ctx_set_time(ctx, T0), ATTEST_OK);
    expect_reject_n(v, jwt, tl, ATTEST_E_EXPIRED, "expired at");
    /* a relying party that requires Trustee's issuer rejects it: it has no "iss" */
    ck_assert_int_eq(attest_ctx_set_time(ctx, iat + 60), ATTEST_OK);
    ck_assert_int_eq(attest_token_verifier_set_issuer(v, ISSUER), ATTEST_OK);
    expect_reject_n(v, jwt, tl, ATTEST_E_POLICY, "issuer is not \"CoCo-Attestation-Service\"");
    attest_token_verifier_free(v);
    free(jwt);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("token");
    struct { const char *name; void (*setup)(void), (*teardown)(void); TCase *tc; } cases[] = {
        {"signer", setup, teardown, NULL}, {"mint", setup, teardown, NULL},
        {"jwks", setup, teardown, NULL},   {"x5c", setup, teardown, NULL},
        {"pin", setup, teardown, NULL},    {"verify", verify_setup, verify_teardown, NULL},
        {"vectors", setup, teardown, NULL},
    };
    const char *env = getenv("ATTEST_VECTORS");
    struct stat st;
    char ear[8192];
    snprintf(vectors, sizeof(vectors), "%s", env != NULL ? env : "");
    snprintf(ear, sizeof(ear), "%s/ear", vectors);
    bool have_vectors = env != NULL && stat(ear, &st) == 0 && S_ISDIR(st.st_mode);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]) - !have_vectors; i++) {
        cases[i].tc = tcase_create(cases[i].name);
        tcase_add_unchecked_fixture(cases[i].tc, globals_setup, NULL);
        tcase_add_checked_fixture(cases[i].tc, cases[i].setup, cases[i].teardown);
        tcase_set_timeout(cases[i].tc, 120); /* valgrind (CK_FORK=no) is slow */
    }
    TCase *tc = cases[0].tc;
    tcase_add_test(tc, test_token_signer_pem_forms_and_natural_alg);
    tcase_add_test(tc, test_token_signer_rejects_bad_keys);
    tcase_add_test(tc, test_token_signer_load_file);
    tcase_add_test(tc, test_token_signer_jwk_members_and_kid);
    tcase_add_test(tc, test_token_thumbprint_helper_matches_rfc7638);
    tcase_add_test(tc, test_token_signers_jwks);
    tc = cases[1].tc;
    tcase_add_loop_test(tc, test_token_round_trip_every_alg, 0,
                        (int)(sizeof(algs) / sizeof(algs[0])));
    tcase_add_test(tc, test_token_ear_claims_exact);
    tcase_add_test(tc, test_token_simple_claims_exact);
    tcase_add_loop_test(tc, test_token_ear_status_tier_boundaries, 0,
                        (int)(sizeof(tiers) / sizeof(tiers[0])));
    tcase_add_test(tc, test_token_ear_status_worst_claim_wins);
    tcase_add_test(tc, test_token_ear_default_vector_affirming);
    tcase_add_test(tc, test_token_options_in_claims);
    tcase_add_test(tc, test_token_options_bounds);
    tc = cases[2].tc;
    tcase_add_test(tc, test_token_jwks_export_then_verify);
    tcase_add_test(tc, test_token_jwks_kid_selection);
    tcase_add_test(tc, test_token_jwks_rejects_bad_keys);
    tcase_add_test(cases[3].tc, test_token_x5c_chain);
    tcase_add_test(cases[4].tc, test_token_pinned_header_jwk);
    tc = cases[5].tc;
    tcase_add_test(tc, test_token_verify_rejects_alg_none);
    tcase_add_test(tc, test_token_verify_rejects_hmac_confusion);
    tcase_add_test(tc, test_token_verify_rejects_swapped_alg);
    tcase_add_test(tc, test_token_verify_rejects_header_extensions);
    tcase_add_test(tc, test_token_verify_rejects_nul_in_member_name);
    tcase_add_test(tc, test_token_verify_time_claims);
    tcase_add_test(tc, test_token_verify_max_age);
    tcase_add_test(tc, test_token_verify_rejects_wrong_key);
    tcase_add_test(tc, test_token_verify_rejects_tampering);
    tcase_add_test(tc, test_token_verify_rejects_malformed);
    tcase_add_test(tc, test_token_verify_rejects_oversized);
    tcase_add_test(tc, test_token_verify_issuer_and_audience);
    tcase_add_test(tc, test_token_verify_returns_claims);
    tcase_add_test(tc, test_token_verify_claims_are_as_signed);
    for (size_t i = 0; i < 6; i++)
        suite_add_tcase(s, cases[i].tc);

    /* the vectors TCase only when the folder is there (house rule 24: skip, never fail) */
    if (have_vectors) {
        tcase_add_test(cases[6].tc, test_token_vectors_verify_with_key);
        tcase_add_test(cases[6].tc, test_token_vectors_pinned_header_jwk);
        suite_add_tcase(s, cases[6].tc);
    } else {
        fprintf(stderr, "test_token: %s not found, vector tests skipped\n", ear);
    }
    return s;
}
