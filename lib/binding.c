/* Runtime/init data -> expected field value, and the comparison with evidence fields. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "initdata.h"
#include "internal.h"

static const struct {
    attest_hash_alg alg;
    const char *name;
    const char *evp;
    const EVP_MD *(*md)(void);
    size_t size;
} hash_algs[] = {
    {ATTEST_HASH_SHA384, "sha384", "SHA384", EVP_sha384, 48},
    {ATTEST_HASH_SHA256, "sha256", "SHA256", EVP_sha256, 32},
    {ATTEST_HASH_SHA512, "sha512", "SHA512", EVP_sha512, 64},
};

#define N_HASH_ALGS (sizeof(hash_algs) / sizeof(hash_algs[0]))

attest_status attest_hash_alg_from_name(const char *name, attest_hash_alg *out)
{
    if (name == NULL || out == NULL)
        return ATTEST_E_ARG;
    for (size_t i = 0; i < N_HASH_ALGS; i++)
        if (strcasecmp(name, hash_algs[i].name) == 0) {
            *out = hash_algs[i].alg;
            return ATTEST_OK;
        }
    return ATTEST_E_UNSUPPORTED;
}

const char *attest_hash_alg_name(attest_hash_alg alg)
{
    for (size_t i = 0; i < N_HASH_ALGS; i++)
        if (hash_algs[i].alg == alg)
            return hash_algs[i].name;
    return NULL;
}

size_t attest_hash_alg_size(attest_hash_alg alg)
{
    for (size_t i = 0; i < N_HASH_ALGS; i++)
        if (hash_algs[i].alg == alg)
            return hash_algs[i].size;
    return 0;
}

const char *attest_hash__evp_name(attest_hash_alg alg)
{
    for (size_t i = 0; i < N_HASH_ALGS; i++)
        if (hash_algs[i].alg == alg)
            return hash_algs[i].evp;
    return NULL;
}

static attest_status digest(attest_ctx *ctx, attest_hash_alg alg, const uint8_t *data,
                            size_t len, uint8_t *out, size_t *out_len)
{
    unsigned int n = 0;
    const EVP_MD *md = NULL;

    for (size_t i = 0; i < N_HASH_ALGS; i++)
        if (hash_algs[i].alg == alg)
            md = hash_algs[i].md();
    /* EVP_sha384() and friends: no explicit fetch, the same path as the bench floor */
    if (md == NULL || !EVP_Digest(data, len, out, &n, md, NULL))
        return attest_ctx__error(ctx, ATTEST_E_INTERNAL, "binding: %s digest failed",
                                 attest_hash_alg_name(alg));
    *out_len = n;
    return ATTEST_OK;
}

attest_status attest_binding_digest(attest_ctx *ctx, attest_data_kind kind,
                                    const uint8_t *data, size_t len, attest_hash_alg alg,
                                    uint8_t *out, size_t out_cap, size_t *out_len)
{
    uint8_t md[ATTEST_BINDING_MAX];
    size_t md_len = 0;
    attest_status rc;

    if (ctx == NULL)
        return ATTEST_E_ARG;
    if ((data == NULL && len > 0) || out == NULL || out_len == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "binding: NULL argument");
    kind = (attest_data_kind)(kind & ~ATTEST_DATA_TRUNCATE);
    if (kind != ATTEST_DATA_RAW && kind != ATTEST_DATA_INITDATA_TOML &&
        attest_hash_alg_name(alg) == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "binding: unknown hash algorithm %d",
                                 (int)alg);

    switch (kind) {
    case ATTEST_DATA_RAW:
        if (len > out_cap)
            return attest_ctx__error(ctx, ATTEST_E_ARG,
                                     "binding: raw data is too long (got %zu bytes, want at "
                                     "most %zu)",
                                     len, out_cap);
        if (len > 0)
            memcpy(out, data, len);
        *out_len = len;
        return ATTEST_OK;
    case ATTEST_DATA_RAW_HASHED:
        rc = digest(ctx, alg, data, len, md, &md_len);
        break;
    case ATTEST_DATA_JSON: {
        char *canon = NULL;
        size_t canon_len = 0;
        if ((rc = attest_json_canonicalize(ctx, (const char *)data, len, &canon,
                                           &canon_len)) != ATTEST_OK)
            return rc;
        rc = digest(ctx, alg, (const uint8_t *)canon, canon_len, md, &md_len);
        free(canon);
        break;
    }
    case ATTEST_DATA_INITDATA_TOML: {
        struct attest_initdata d;
        if ((rc = attest_initdata__parse(ctx, (const char *)data, len, &d)) != ATTEST_OK)
            return rc;
        alg = d.alg;
        attest_initdata__free(&d);
        rc = digest(ctx, alg, data, len, md, &md_len); /* the text as sent, not re-encoded */
        break;
    }
    default:
        return attest_ctx__error(ctx, ATTEST_E_ARG, "binding: unknown data kind %d",
                                 (int)kind);
    }
    if (rc != ATTEST_OK)
        return rc;
    if (md_len > out_cap)
        return attest_ctx__error(ctx, ATTEST_E_ARG,
                                 "binding: %s digest is %zu bytes, out has room for %zu",
                                 attest_hash_alg_name(alg), md_len, out_cap);
    memcpy(out, md, md_len);
    *out_len = md_len;
    return ATTEST_OK;
}

/* "<first 8 bytes hex>..." for messages: enough to tell values apart, short enough. */
static void short_hex(const uint8_t *p, size_t len, char out[20])
{
    size_t n = len < 8 ? len : 8;
    attest_hex__encode(p, n, out);
    if (len > n)
        strcat(out, "...");
}

attest_status attest_binding__check(attest_ctx *ctx, const char *tee, const char *field_name,
                                    const char *what, const struct attest_expect *expect,
                                    const uint8_t *field, size_t field_len)
{
    uint8_t padded[ATTEST_BINDING_MAX];
    char got[20], want[20];

    if (!expect->set)
        return ATTEST_OK;
    /* truncating to a short (variable, sample TEE) field would compare next to nothing */
    if (expect->len > field_len && (!expect->truncate || field_len < 32))
        return attest_ctx__error(ctx, ATTEST_E_BINDING,
                                 "%s: expected %s is longer than %s (got %zu bytes, want at "
                                 "most %zu)",
                                 tee, what, field_name, expect->len, field_len);
    if (field_len > sizeof(padded))
        return attest_ctx__error(ctx, ATTEST_E_INTERNAL, "%s: %s field of %zu bytes", tee,
                                 field_name, field_len);
    memset(padded, 0, sizeof(padded));
    memcpy(padded, expect->value, expect->len < field_len ? expect->len : field_len);
    if (attest_ct_equal(padded, field, field_len))
        return ATTEST_OK;
    short_hex(field, field_len, got);
    short_hex(padded, field_len, want);
    return attest_ctx__error(ctx, ATTEST_E_BINDING,
                             "%s: %s does not match the expected %s (got %s, want %s)", tee,
                             field_name, what, got, want);
}
