/*
 * JWE (RFC 7516) with the algorithms of RFC 7518 §4.2-4.3 (RSA1_5, RSA-OAEP,
 * RSA-OAEP-256), §4.6 (ECDH-ES, ECDH-ES+A256KW: Concat KDF with SHA-256, AES Key Wrap of
 * RFC 3394) and §5.3 (A256GCM). The KBS wire details (flattened JSON, header member order,
 * AAD = the protected member as sent) are in ../shared/specs/kbs-protocol.md §8.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "jose.h"
#include "json.h"

#define JWE_MAX (64u * 1024u * 1024u)
#define CEK_LEN 32
#define IV_LEN 12
#define TAG_LEN 16

enum key_mgmt { KM_NONE, KM_RSA1_5, KM_RSA_OAEP, KM_RSA_OAEP_256, KM_ECDH_ES, KM_ECDH_ES_A256KW };

static const struct {
    enum key_mgmt km;
    const char *name;
} kms[] = {
    {KM_RSA1_5, "RSA1_5"},     {KM_RSA_OAEP, "RSA-OAEP"},       {KM_RSA_OAEP_256, "RSA-OAEP-256"},
    {KM_ECDH_ES, "ECDH-ES"},   {KM_ECDH_ES_A256KW, "ECDH-ES+A256KW"},
};

static enum key_mgmt km_from_name(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof(kms) / sizeof(kms[0]); i++)
        if (strcmp(name, kms[i].name) == 0)
            return kms[i].km;
    return KM_NONE;
}

static const char *km_name(enum key_mgmt km)
{
    for (size_t i = 0; i < sizeof(kms) / sizeof(kms[0]); i++)
        if (kms[i].km == km)
            return kms[i].name;
    return "?";
}

static bool is_rsa(enum key_mgmt km)
{
    return km == KM_RSA1_5 || km == KM_RSA_OAEP || km == KM_RSA_OAEP_256;
}

/* Never prompt on a terminal: an encrypted PEM key is refused. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1;
}

/* ---- primitives ---- */

static bool rsa_crypt(EVP_PKEY *key, enum key_mgmt km, bool enc, const uint8_t *in, size_t in_len,
                      uint8_t *out, size_t *out_len)
{
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    bool ok = pc != NULL && (enc ? EVP_PKEY_encrypt_init(pc) : EVP_PKEY_decrypt_init(pc)) == 1;
    if (ok && km == KM_RSA1_5) {
        ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1;
    } else if (ok) {
        const EVP_MD *md = km == KM_RSA_OAEP_256 ? EVP_sha256() : EVP_sha1();
        ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_OAEP_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_oaep_md(pc, md) == 1 && EVP_PKEY_CTX_set_rsa_mgf1_md(pc, md) == 1;
    }
    ok = ok && (enc ? EVP_PKEY_encrypt(pc, out, out_len, in, in_len)
                    : EVP_PKEY_decrypt(pc, out, out_len, in, in_len)) == 1;
    EVP_PKEY_CTX_free(pc);
    return ok;
}

/* Z = the x-coordinate of the ECDH shared point (RFC 7518 §4.6.2). */
static bool ecdh(EVP_PKEY *priv, EVP_PKEY *peer, uint8_t *z, size_t *z_len)
{
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL);
    bool ok = pc != NULL && EVP_PKEY_derive_init(pc) == 1 &&
              EVP_PKEY_derive_set_peer(pc, peer) == 1 && EVP_PKEY_derive(pc, z, z_len) == 1;
    EVP_PKEY_CTX_free(pc);
    return ok;
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Party info for the KDF: the header's "apu" / "apv", decoded (RFC 7518 §4.6.1.2-3). */
struct party {
    uint8_t *u, *v;
    size_t u_len, v_len;
};

/* Concat KDF (NIST SP 800-56A §5.8.1) for a 256-bit key: one SHA-256 round over
 * counter || Z || len(AlgorithmID) || AlgorithmID || len(apu) || apu || len(apv) || apv ||
 * 256 (RFC 7518 §4.6.2). */
static bool concat_kdf(const uint8_t *z, size_t z_len, const char *alg_id,
                       const struct party *pi, uint8_t key[32])
{
    uint8_t counter[4], len[4], keybits[4], ulen[4], vlen[4];
    unsigned int n = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    be32(counter, 1);
    be32(len, (uint32_t)strlen(alg_id));
    be32(ulen, (uint32_t)(pi != NULL ? pi->u_len : 0));
    be32(vlen, (uint32_t)(pi != NULL ? pi->v_len : 0));
    be32(keybits, 256);
    bool ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
              EVP_DigestUpdate(md, counter, 4) == 1 && EVP_DigestUpdate(md, z, z_len) == 1 &&
              EVP_DigestUpdate(md, len, 4) == 1 &&
              EVP_DigestUpdate(md, alg_id, strlen(alg_id)) == 1 &&
              EVP_DigestUpdate(md, ulen, 4) == 1 &&
              (pi == NULL || pi->u_len == 0 || EVP_DigestUpdate(md, pi->u, pi->u_len) == 1) &&
              EVP_DigestUpdate(md, vlen, 4) == 1 &&
              (pi == NULL || pi->v_len == 0 || EVP_DigestUpdate(md, pi->v, pi->v_len) == 1) &&
              EVP_DigestUpdate(md, keybits, 4) == 1 && EVP_DigestFinal_ex(md, key, &n) == 1 &&
              n == 32;
    EVP_MD_CTX_free(md);
    return ok;
}

/* AES-256 Key Wrap (RFC 3394) of a 32-byte key: 40 bytes out; unwrap checks the IV. */
static bool aes_kw(bool wrap, const uint8_t kek[32], const uint8_t *in, size_t in_len,
                   uint8_t *out, size_t *out_len)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0;
    bool ok = c != NULL;
    if (ok)
        EVP_CIPHER_CTX_set_flags(c, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    ok = ok && EVP_CipherInit_ex(c, EVP_aes_256_wrap(), NULL, kek, NULL, wrap ? 1 : 0) == 1 &&
         EVP_CipherUpdate(c, out, &n1, in, (int)in_len) == 1 &&
         EVP_CipherFinal_ex(c, out + n1, &n2) == 1;
    EVP_CIPHER_CTX_free(c);
    if (ok)
        *out_len = (size_t)(n1 + n2);
    return ok;
}

static bool gcm(bool enc, const uint8_t cek[32], const uint8_t iv[IV_LEN], const char *aad,
                size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[TAG_LEN])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0;
    bool ok = c != NULL &&
              EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc ? 1 : 0) == 1 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, IV_LEN, NULL) == 1 &&
              EVP_CipherInit_ex(c, NULL, NULL, cek, iv, enc ? 1 : 0) == 1 &&
              EVP_CipherUpdate(c, NULL, &n, (const uint8_t *)aad, (int)aad_len) == 1 &&
              (len == 0 || EVP_CipherUpdate(c, out, &n, in, (int)len) == 1);
    if (ok && !enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1;
    ok = ok && EVP_CipherFinal_ex(c, out + (len == 0 ? 0 : n), &fin) == 1;
    if (ok && enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok;
}

/* ---- encrypt ---- */

static char *b64(const uint8_t *p, size_t n)
{
    return attest_b64__encode(ATTEST_B64_URL, p, n);
}

attest_status attest_jwe_encrypt(attest_ctx *ctx, const char *jwk_text, size_t jwk_len,
                                 const char *alg, attest_jwe_form form, const uint8_t *plaintext,
                                 size_t len, char **out)
{
    EVP_PKEY *key = NULL, *eph = NULL;
    cJSON *jwk = NULL, *header = NULL;
    uint8_t cek[CEK_LEN], iv[IV_LEN], tag[TAG_LEN], z[132], kek[32], ek[1024];
    uint8_t *ct = NULL;
    size_t ek_len = 0, z_len = sizeof(z);
    char *htext = NULL, *p_h = NULL, *p_ek = NULL, *p_iv = NULL, *p_ct = NULL, *p_tag = NULL;
    char *text = NULL;
    attest_status rc = ATTEST_OK;
    struct attest_json strict;

    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (jwk_text == NULL || out == NULL || (plaintext == NULL && len > 0) || len > JWE_MAX ||
        (form != ATTEST_JWE_COMPACT && form != ATTEST_JWE_FLATTENED))
        return attest_ctx__error(ctx, ATTEST_E_ARG, "jwe: NULL argument, unknown form or more "
                                 "than %u bytes", JWE_MAX);
    if ((rc = attest_json__parse(ctx, "jwe: jwk", jwk_text, jwk_len, &strict)) != ATTEST_OK)
        return rc;
    attest_json__free(&strict);
    jwk = cJSON_ParseWithLength(jwk_text, jwk_len);
    if ((rc = attest_jwk__to_pkey(ctx, "jwe: jwk", jwk, &key)) != ATTEST_OK)
        goto out;
    bool rsa = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
    if (alg == NULL) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(jwk, "alg");
        alg = cJSON_IsString(a) ? a->valuestring : rsa ? "RSA-OAEP-256" : "ECDH-ES+A256KW";
    }
    enum key_mgmt km = km_from_name(alg);
    if (km == KM_NONE || is_rsa(km) != rsa || EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519) {
        rc = attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED, "jwe: alg \"%s\" does not fit a %s "
                               "key (RSA1_5, RSA-OAEP, RSA-OAEP-256 for RSA; ECDH-ES, "
                               "ECDH-ES+A256KW for EC)", alg, rsa ? "RSA" : "non-RSA");
        goto out;
    }
    /* the protected header: alg, enc, then epk (the KBS member order) */
    if ((header = cJSON_CreateObject()) == NULL ||
        cJSON_AddStringToObject(header, "alg", km_name(km)) == NULL ||
        cJSON_AddStringToObject(header, "enc", "A256GCM") == NULL)
        goto nomem;
    if (RAND_bytes(cek, sizeof(cek)) != 1 || RAND_bytes(iv, sizeof(iv)) != 1)
        goto internal;
    if (rsa) {
        ek_len = sizeof(ek);
        if (EVP_PKEY_get_size(key) > (int)sizeof(ek) ||
            !rsa_crypt(key, km, true, cek, sizeof(cek), ek, &ek_len))
            goto internal;
    } else {
        char group[32];
        size_t gl = 0;
        if (EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof(group), &gl) != 1 ||
            (eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", group)) == NULL ||
            !ecdh(eph, key, z, &z_len))
            goto internal;
        cJSON *epk = attest_jwk__from_pkey(eph, NULL, NULL);
        if (epk == NULL || !cJSON_AddItemToObject(header, "epk", epk)) {
            cJSON_Delete(epk);
            goto nomem;
        }
        if (km == KM_ECDH_ES) { /* direct: the KDF output is the CEK */
            if (!concat_kdf(z, z_len, "A256GCM", NULL, cek))
                goto internal;
        } else if (!concat_kdf(z, z_len, "ECDH-ES+A256KW", NULL, kek) ||
                   !aes_kw(true, kek, cek, sizeof(cek), ek, &ek_len)) {
            goto internal;
        }
    }
    if ((htext = cJSON_PrintUnformatted(header)) == NULL ||
        (p_h = b64((const uint8_t *)htext, strlen(htext))) == NULL ||
        (ct = malloc(len + 1)) == NULL)
        goto nomem;
    /* RFC 7516 §5.1 step 14: AAD = ASCII(BASE64URL(UTF8(protected header))) */
    if (!gcm(true, cek, iv, p_h, strlen(p_h), plaintext, len, ct, tag))
        goto internal;
    if ((p_ek = b64(ek, ek_len)) == NULL || (p_iv = b64(iv, sizeof(iv))) == NULL ||
        (p_ct = b64(ct, len)) == NULL || (p_tag = b64(tag, sizeof(tag))) == NULL)
        goto nomem;
    size_t total = strlen(p_h) + strlen(p_ek) + strlen(p_iv) + strlen(p_ct) + strlen(p_tag) + 128;
    if ((text = malloc(total)) == NULL)
        goto nomem;
    if (form == ATTEST_JWE_COMPACT)
        snprintf(text, total, "%s.%s.%s.%s.%s", p_h, p_ek, p_iv, p_ct, p_tag);
    else if (ek_len > 0)
        snprintf(text, total, "{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\","
                 "\"ciphertext\":\"%s\",\"tag\":\"%s\"}", p_h, p_ek, p_iv, p_ct, p_tag);
    else /* RFC 7516 §7.2.1: no encrypted_key member for direct key agreement */
        snprintf(text, total, "{\"protected\":\"%s\",\"iv\":\"%s\",\"ciphertext\":\"%s\","
                 "\"tag\":\"%s\"}", p_h, p_iv, p_ct, p_tag);
    *out = text;
    text = NULL;
    goto out;
nomem:
    rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "jwe: out of memory");
    goto out;
internal:
    rc = attest_ctx__error(ctx, ATTEST_E_INTERNAL, "jwe: %s encryption failed", alg);
out:
    OPENSSL_cleanse(cek, sizeof(cek));
    OPENSSL_cleanse(kek, sizeof(kek));
    OPENSSL_cleanse(z, sizeof(z));
    EVP_PKEY_free(key);
    EVP_PKEY_free(eph);
    cJSON_Delete(jwk);
    cJSON_Delete(header);
    free(htext);
    free(p_h);
    free(p_ek);
    free(p_iv);
    free(p_ct);
    free(p_tag);
    free(ct);
    free(text);
    return rc;
}

/* ---- decrypt ---- */

/* The five parts, as text spans into the input (compact) or into the JSON (flattened). */
struct parts {
    const char *p[5]; /* protected, encrypted_key, iv, ciphertext, tag */
    size_t n[5];
};

static attest_status split(attest_ctx *ctx, const char *jwe, size_t len, struct attest_json *doc,
                           struct parts *out)
{
    static const char *const names[5] = {"protected", "encrypted_key", "iv", "ciphertext", "tag"};
    size_t i = 0;
    while (i < len && (jwe[i] == ' ' || jwe[i] == '\n' || jwe[i] == '\r' || jwe[i] == '\t'))
        i++;
    if (i < len && jwe[i] == '{') { /* flattened JSON, RFC 7516 §7.2.2 */
        attest_status rc = attest_json__parse(ctx, "jwe", jwe, len, doc);
        if (rc != ATTEST_OK)
            return rc;
        if (attest_json__get(doc, 0, "recipients") != ATTEST_JSON_NONE ||
            attest_json__get(doc, 0, "header") != ATTEST_JSON_NONE ||
            attest_json__get(doc, 0, "unprotected") != ATTEST_JSON_NONE ||
            attest_json__get(doc, 0, "aad") != ATTEST_JSON_NONE)
            return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED, "jwe: only the flattened form "
                                     "with a protected header and no aad is supported");
        for (int k = 0; k < 5; k++) {
            uint32_t v = attest_json__get(doc, 0, names[k]);
            if (k == 1 && v == ATTEST_JSON_NONE) { /* §7.2.1: absent when empty (ECDH-ES) */
                out->p[k] = "";
                out->n[k] = 0;
                continue;
            }
            if (!attest_json__is(doc, v, ATTEST_JSON_STRING))
                return attest_ctx__error(ctx, ATTEST_E_PARSE, "jwe: member \"%s\" is missing "
                                         "or not a string", names[k]);
            out->p[k] = doc->v[v].str;
            out->n[k] = doc->v[v].str_len;
        }
        return ATTEST_OK;
    }
    const char *s = jwe + i, *end = jwe + len;
    while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    for (int k = 0; k < 5; k++) {
        const char *dot = k < 4 ? memchr(s, '.', (size_t)(end - s)) : end;
        if (dot == NULL)
            return attest_ctx__error(ctx, ATTEST_E_PARSE, "jwe: not a compact JWE (want five "
                                     "base64url parts separated by '.')");
        out->p[k] = s;
        out->n[k] = (size_t)(dot - s);
        s = dot + 1;
    }
    if (memchr(out->p[4], '.', out->n[4]) != NULL)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "jwe: more than five parts");
    return ATTEST_OK;
}

static attest_status unb64(attest_ctx *ctx, const char *name, const char *p, size_t n,
                           uint8_t **out, size_t *out_len)
{
    if (memchr(p, '=', n) != NULL ||
        attest_b64__decode(ATTEST_B64_URL, p, n, out, out_len) != ATTEST_OK)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "jwe: %s is not unpadded base64url", name);
    return ATTEST_OK;
}

attest_status attest_jwe_decrypt(attest_ctx *ctx, const char *pem, size_t pem_len,
                                 const char *jwe, size_t len, uint8_t **plaintext, size_t *out_len)
{
    struct attest_json doc, hstrict;
    struct parts parts;
    uint8_t *h = NULL, *ek = NULL, *iv = NULL, *ct = NULL, *tag = NULL, *pt = NULL;
    size_t h_len = 0, ek_len = 0, iv_len = 0, ct_len = 0, tag_len = 0;
    uint8_t cek[CEK_LEN], kek[32], z[132], buf[1024];
    size_t z_len = sizeof(z), n = 0;
    EVP_PKEY *key = NULL, *epk = NULL;
    cJSON *header = NULL;
    attest_status rc;

    memset(&doc, 0, sizeof(doc));
    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (pem == NULL || jwe == NULL || plaintext == NULL || out_len == NULL || len > JWE_MAX * 2)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "jwe: NULL or oversized argument");
    if (pem_len == 0 || pem_len > 1024u * 1024u)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "jwe: empty or oversized private key");
    BIO *bio = BIO_new_mem_buf(pem, (int)pem_len);
    key = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL) : NULL;
    BIO_free(bio);
    if (key == NULL)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "jwe: not an unencrypted PEM private key");
    if ((rc = split(ctx, jwe, len, &doc, &parts)) != ATTEST_OK ||
        (rc = unb64(ctx, "protected header", parts.p[0], parts.n[0], &h, &h_len)) != ATTEST_OK ||
        (rc = attest_json__parse(ctx, "jwe: protected header", (const char *)h, h_len,
                                 &hstrict)) != ATTEST_OK)
        goto out;
    attest_json__free(&hstrict);
    header = cJSON_ParseWithLength((const char *)h, h_len);
    const cJSON *alg = cJSON_GetObjectItemCaseSensitive(header, "alg");
    const cJSON *enc = cJSON_GetObjectItemCaseSensitive(header, "enc");
    enum key_mgmt km = cJSON_IsString(alg) ? km_from_name(alg->valuestring) : KM_NONE;
    bool rsa = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
    if (!cJSON_IsObject(header) || km == KM_NONE || !cJSON_IsString(enc) ||
        strcmp(enc->valuestring, "A256GCM") != 0 || is_rsa(km) != rsa ||
        cJSON_GetObjectItemCaseSensitive(header, "zip") != NULL ||
        cJSON_GetObjectItemCaseSensitive(header, "crit") != NULL) {
        rc = attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED, "jwe: header wants alg RSA1_5, "
                               "RSA-OAEP, RSA-OAEP-256, ECDH-ES or ECDH-ES+A256KW fitting the "
                               "key, enc A256GCM, and no zip or crit");
        goto out;
    }
    if ((rc = unb64(ctx, "encrypted_key", parts.p[1], parts.n[1], &ek, &ek_len)) != ATTEST_OK ||
        (rc = unb64(ctx, "iv", parts.p[2], parts.n[2], &iv, &iv_len)) != ATTEST_OK ||
        (rc = unb64(ctx, "ciphertext", parts.p[3], parts.n[3], &ct, &ct_len)) != ATTEST_OK ||
        (rc = unb64(ctx, "tag", parts.p[4], parts.n[4], &tag, &tag_len)) != ATTEST_OK)
        goto out;
    if (iv_len != IV_LEN || tag_len != TAG_LEN) {
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "jwe: iv must be 12 and tag 16 bytes (got "
                               "%zu and %zu)", iv_len, tag_len);
        goto out;
    }
    struct party pi = {NULL, NULL, 0, 0};
    const cJSON *apu = cJSON_GetObjectItemCaseSensitive(header, "apu");
    const cJSON *apv = cJSON_GetObjectItemCaseSensitive(header, "apv");
    if ((apu != NULL && (!cJSON_IsString(apu) ||
                         (rc = unb64(ctx, "apu", apu->valuestring, strlen(apu->valuestring),
                                     &pi.u, &pi.u_len)) != ATTEST_OK)) ||
        (apv != NULL && (!cJSON_IsString(apv) ||
                         (rc = unb64(ctx, "apv", apv->valuestring, strlen(apv->valuestring),
                                     &pi.v, &pi.v_len)) != ATTEST_OK))) {
        if (rc == ATTEST_OK)
            rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "jwe: apu and apv must be strings");
        free(pi.u);
        free(pi.v);
        goto out;
    }
    /* From here on every failure reads the same: no padding or unwrap oracle. */
    bool ok;
    if (rsa) {
        /* RFC 7516 §11.5: on a bad RSA1_5 block carry on with a random CEK */
        ok = RAND_bytes(cek, sizeof(cek)) == 1;
        n = sizeof(buf);
        if (ok && EVP_PKEY_get_size(key) <= (int)sizeof(buf) &&
            rsa_crypt(key, km, false, ek, ek_len, buf, &n) && n == CEK_LEN)
            memcpy(cek, buf, CEK_LEN);
    } else {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(header, "epk");
        ok = attest_jwk__to_pkey(ctx, "jwe: epk", e, &epk) == ATTEST_OK &&
             ecdh(key, epk, z, &z_len);
        if (ok && km == KM_ECDH_ES)
            ok = ek_len == 0 && concat_kdf(z, z_len, "A256GCM", &pi, cek);
        else if (ok)
            ok = concat_kdf(z, z_len, "ECDH-ES+A256KW", &pi, kek) && ek_len == CEK_LEN + 8 &&
                 aes_kw(false, kek, ek, ek_len, cek, &n) && n == CEK_LEN;
    }
    free(pi.u);
    free(pi.v);
    ok = ok && (pt = malloc(ct_len + 1)) != NULL &&
         gcm(false, cek, iv, parts.p[0], parts.n[0], ct, ct_len, pt, tag);
    if (!ok) {
        rc = attest_ctx__error(ctx, ATTEST_E_SIGNATURE, "jwe: decryption failed (wrong key, or "
                               "the JWE was altered)");
        goto out;
    }
    pt[ct_len] = '\0';
    *plaintext = pt;
    *out_len = ct_len;
    pt = NULL;
out:
    OPENSSL_cleanse(cek, sizeof(cek));
    OPENSSL_cleanse(kek, sizeof(kek));
    OPENSSL_cleanse(z, sizeof(z));
    OPENSSL_cleanse(buf, sizeof(buf));
    if (pt != NULL)
        OPENSSL_clear_free(pt, ct_len + 1);
    EVP_PKEY_free(key);
    EVP_PKEY_free(epk);
    cJSON_Delete(header);
    attest_json__free(&doc);
    free(h);
    free(ek);
    free(iv);
    free(ct);
    free(tag);
    return rc;
}

attest_status attest_jwe_keygen(attest_ctx *ctx, const char *alg, char **public_jwk,
                                char **private_pem)
{
    if (ctx == NULL)
        return ATTEST_E_ARG;
    enum key_mgmt km = km_from_name(alg);
    if (public_jwk == NULL || private_pem == NULL || km == KM_NONE)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "jwe: NULL argument or unknown alg \"%s\"",
                                 alg ? alg : "(null)");
    EVP_PKEY *key = is_rsa(km) ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072)
                               : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    cJSON *jwk = key != NULL ? attest_jwk__from_pkey(key, km_name(km), NULL) : NULL;
    char *pub = jwk != NULL ? cJSON_PrintUnformatted(jwk) : NULL, *priv = NULL;
    BIO *bio = BIO_new(BIO_s_secmem());
    char *data = NULL;
    long n = 0;
    attest_status rc = ATTEST_OK;
    if (pub == NULL || bio == NULL ||
        PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) != 1 ||
        (n = BIO_get_mem_data(bio, &data)) <= 0 || (priv = malloc((size_t)n + 1)) == NULL) {
        rc = attest_ctx__error(ctx, ATTEST_E_INTERNAL, "jwe: %s key generation failed", alg);
    } else {
        memcpy(priv, data, (size_t)n);
        priv[n] = '\0';
        *public_jwk = pub;
        *private_pem = priv;
        pub = priv = NULL;
    }
    free(pub);
    free(priv);
    BIO_free(bio);
    cJSON_Delete(jwk);
    EVP_PKEY_free(key);
    return rc;
}
