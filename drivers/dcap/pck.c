/*
 * The PCK certificate's SGX extension (tdx-sgx.md §6; "Intel SGX PCK Certificate and CRL
 * Profile"), the pinned Intel SGX Root CA (§5.1) and the raw ECDSA P-256 form quotes use.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "../../lib/x509.h"
#include "dcap.h"

/* SHA-256 of the Intel SGX Root CA's SubjectPublicKeyInfo (§5.1; SOURCES.md roots/intel). */
const uint8_t dcap_root_spki_sha256[32] = {
    0xa0, 0xaf, 0x03, 0x12, 0x89, 0xf5, 0xd5, 0xd4, 0x13, 0x2f, 0x91, 0x86, 0x06, 0x8a, 0x7f, 0xc1,
    0x36, 0x28, 0x63, 0x3b, 0xa2, 0x35, 0x77, 0x74, 0x72, 0xe2, 0x9b, 0x6b, 0x6c, 0x67, 0xa4, 0x9e};

bool dcap_is_pinned_root(attest_ctx *ctx, X509 *cert)
{
    uint8_t spki[32];
    if (cert == NULL || !attest_x509__spki_sha256(cert, spki))
        return false;
    return attest_ct_equal(spki, dcap_root_spki_sha256, 32) ||
           attest_ctx__extra_pin(ctx, "dcap", "root", spki);
}

/* ---- a small DER reader: one TLV at a time, single-byte tags, definite lengths ---- */

struct der {
    const uint8_t *p;
    size_t len;
};

/* Take the next TLV with tag from d into *val (its contents). */
static bool der_take(struct der *d, uint8_t tag, struct der *val)
{
    if (d->len < 2 || d->p[0] != tag)
        return false;
    size_t n = d->p[1], hdr = 2;
    if (n & 0x80) {
        size_t k = n & 0x7f;
        if (k == 0 || k > 3 || d->len < 2 + k)
            return false;
        n = 0;
        for (size_t i = 0; i < k; i++)
            n = (n << 8) | d->p[2 + i];
        hdr += k;
    }
    if (n > d->len - hdr)
        return false;
    val->p = d->p + hdr;
    val->len = n;
    d->p += hdr + n;
    d->len -= hdr + n;
    return true;
}

/* A non-negative DER INTEGER no larger than max. */
static bool der_uint(const struct der *v, unsigned long max, unsigned long *out)
{
    if (v->len == 0 || v->len > 4 || (v->p[0] & 0x80))
        return false;
    unsigned long n = 0;
    for (size_t i = 0; i < v->len; i++)
        n = (n << 8) | v->p[i];
    if (n > max)
        return false;
    *out = n;
    return true;
}

/* 1.2.840.113741.1.13.1 (SGX Extensions), DER contents */
static const uint8_t sgx_oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01};

static attest_status bad(attest_ctx *ctx, const char *what)
{
    return attest_ctx__error(ctx, ATTEST_E_CHAIN, "dcap: PCK certificate SGX extension: %s",
                             what);
}

/* The TCB sub-extension: comp01..16 INTEGERs, PCESVN INTEGER, CPUSVN OCTET STRING. */
static attest_status parse_tcb(attest_ctx *ctx, struct der seq, struct dcap_pck_ext *out)
{
    unsigned seen = 0; /* bit i: component i + 1; bit 16 pcesvn; bit 17 cpusvn */
    struct der item;
    while (seq.len > 0) {
        struct der oid, val;
        if (!der_take(&seq, 0x30, &item) || !der_take(&item, 0x06, &oid))
            return bad(ctx, "TCB entry is not a SEQUENCE { OID, value }");
        if (oid.len != sizeof(sgx_oid) + 2 || memcmp(oid.p, sgx_oid, sizeof(sgx_oid)) != 0 ||
            oid.p[sizeof(sgx_oid)] != 2)
            continue; /* not ours: an unknown TCB entry is ignored, as QVL does */
        unsigned arc = oid.p[sizeof(sgx_oid) + 1];
        unsigned long v;
        if (arc >= 1 && arc <= 16) {
            if (!der_take(&item, 0x02, &val) || !der_uint(&val, 255, &v))
                return bad(ctx, "a TCB component SVN is not an INTEGER 0..255");
            out->comp[arc - 1] = (uint8_t)v;
        } else if (arc == 17) {
            if (!der_take(&item, 0x02, &val) || !der_uint(&val, 65535, &v))
                return bad(ctx, "PCESVN is not an INTEGER 0..65535");
            out->pcesvn = (uint16_t)v;
        } else if (arc == 18) {
            if (!der_take(&item, 0x04, &val) || val.len != 16)
                return bad(ctx, "CPUSVN is not a 16-byte OCTET STRING");
            memcpy(out->cpusvn, val.p, 16);
        } else {
            continue;
        }
        if (seen & (1u << (arc - 1)))
            return bad(ctx, "a TCB entry appears twice");
        seen |= 1u << (arc - 1);
    }
    if (seen != 0x3ffffu)
        return bad(ctx, "TCB lacks a component, PCESVN or CPUSVN");
    return ATTEST_OK;
}

attest_status dcap_pck_ext_parse(attest_ctx *ctx, X509 *leaf, struct dcap_pck_ext *out)
{
    struct dcap_pck_ext e;
    const X509_EXTENSION *ext = NULL;
    attest_status rc;

    memset(&e, 0, sizeof(e));
    e.sgx_type = -1;
    for (int i = 0; i < X509_get_ext_count(leaf) && ext == NULL; i++) {
        const X509_EXTENSION *x = X509_get_ext(leaf, i);
        const ASN1_OBJECT *obj = X509_EXTENSION_get_object((X509_EXTENSION *)x);
        const unsigned char *d = OBJ_get0_data(obj);
        if (d != NULL && OBJ_length(obj) == sizeof(sgx_oid) &&
            memcmp(d, sgx_oid, sizeof(sgx_oid)) == 0)
            ext = x;
    }
    if (ext == NULL)
        return bad(ctx, "missing (OID 1.2.840.113741.1.13.1): not a PCK certificate");
    const ASN1_OCTET_STRING *os = X509_EXTENSION_get_data((X509_EXTENSION *)ext);
    struct der all = {ASN1_STRING_get0_data(os), (size_t)ASN1_STRING_length(os)}, seq, item;
    if (!der_take(&all, 0x30, &seq) || all.len != 0)
        return bad(ctx, "not one SEQUENCE");
    unsigned seen = 0;
    while (seq.len > 0) {
        struct der oid, val;
        if (!der_take(&seq, 0x30, &item) || !der_take(&item, 0x06, &oid))
            return bad(ctx, "entry is not a SEQUENCE { OID, value }");
        if (oid.len != sizeof(sgx_oid) + 1 || memcmp(oid.p, sgx_oid, sizeof(sgx_oid)) != 0)
            continue;
        unsigned arc = oid.p[sizeof(sgx_oid)];
        unsigned long v;
        switch (arc) {
        case 1:
            if (!der_take(&item, 0x04, &val) || val.len != 16)
                return bad(ctx, "PPID is not a 16-byte OCTET STRING");
            memcpy(e.ppid, val.p, 16);
            break;
        case 2:
            if (!der_take(&item, 0x30, &val))
                return bad(ctx, "TCB is not a SEQUENCE");
            if ((rc = parse_tcb(ctx, val, &e)) != ATTEST_OK)
                return rc;
            break;
        case 3:
            if (!der_take(&item, 0x04, &val) || val.len != 2)
                return bad(ctx, "PCE-ID is not a 2-byte OCTET STRING");
            memcpy(e.pceid, val.p, 2);
            break;
        case 4:
            if (!der_take(&item, 0x04, &val) || val.len != 6)
                return bad(ctx, "FMSPC is not a 6-byte OCTET STRING");
            memcpy(e.fmspc, val.p, 6);
            break;
        case 5:
            if (!der_take(&item, 0x0a, &val) || !der_uint(&val, 2, &v))
                return bad(ctx, "SGX Type is not an ENUMERATED 0..2");
            e.sgx_type = (int)v;
            break;
        default:
            continue; /* platform instance id, configuration: not used for verification */
        }
        if (arc <= 5) {
            if (seen & (1u << arc))
                return bad(ctx, "an entry appears twice");
            seen |= 1u << arc;
        }
    }
    if ((seen & 0x3eu) != 0x3eu)
        return bad(ctx, "PPID, TCB, PCE-ID, FMSPC or SGX Type is missing");
    *out = e;
    return ATTEST_OK;
}

EVP_PKEY *dcap_p256_key(const uint8_t xy[64])
{
    uint8_t point[65];
    EVP_PKEY *key = NULL;
    point[0] = 0x04;
    memcpy(point + 1, xy, 64);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"prime256v1", 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)),
        OSSL_PARAM_construct_end(),
    };
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (pc == NULL || EVP_PKEY_fromdata_init(pc) != 1 ||
        EVP_PKEY_fromdata(pc, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
        key = NULL;
    EVP_PKEY_CTX_free(pc);
    return key;
}

bool dcap_ecdsa_verify_digest(EVP_PKEY *key, const uint8_t sig[64], const uint8_t digest[32])
{
    unsigned char *der = NULL;
    int der_len = attest_ecdsa__der(sig, 32, &der);
    EVP_PKEY_CTX *pc = der_len > 0 && key != NULL ? EVP_PKEY_CTX_new(key, NULL) : NULL;
    bool ok = pc != NULL && EVP_PKEY_verify_init(pc) == 1 &&
              EVP_PKEY_CTX_set_signature_md(pc, EVP_sha256()) == 1 &&
              EVP_PKEY_verify(pc, der, (size_t)der_len, digest, 32) == 1;
    EVP_PKEY_CTX_free(pc);
    OPENSSL_free(der);
    return ok;
}

bool dcap_ecdsa_verify(EVP_PKEY *key, const uint8_t sig[64], const uint8_t *msg, size_t len)
{
    uint8_t digest[32];
    unsigned int n = 0;
    return EVP_Digest(msg, len, digest, &n, EVP_sha256(), NULL) == 1 &&
           dcap_ecdsa_verify_digest(key, sig, digest);
}
