/*
 * AMD Key Distribution Service knowledge, no I/O: the VCEK/VLEK certificate extensions
 * (AMD pub. 57230, "Versioned Chip/Loaded Endorsement Key Certificate"; OIDs as in
 * go-sev-guest kds/kds.go) and the pinned ARK keys.
 */
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include "snp.h"

/* SHA-256 of each ARK's SubjectPublicKeyInfo (DER), from the certificates AMD KDS serves at
 * /vcek/v1/<product>/cert_chain; see ../shared/vectors/SOURCES.md "roots/". */
static const uint8_t ark_pin_milan[32] = {
    0x9f, 0x05, 0x6b, 0xee, 0x44, 0x37, 0x7e, 0x29, 0x30, 0x8c, 0xb5, 0xff, 0xa8, 0x95, 0xbd, 0xfb,
    0x62, 0xd1, 0x88, 0x81, 0xfa, 0x6b, 0xed, 0x8d, 0x6f, 0x07, 0x5b, 0x02, 0x04, 0x08, 0x9c, 0xb9};
static const uint8_t ark_pin_genoa[32] = {
    0x42, 0x9a, 0x69, 0xc9, 0x42, 0x2a, 0xa2, 0x58, 0xee, 0x4d, 0x8d, 0xb5, 0xfc, 0xda, 0x9c, 0x64,
    0x70, 0xef, 0x15, 0xf8, 0xcd, 0x5a, 0x9c, 0xeb, 0xd6, 0xcb, 0xc7, 0xd9, 0x0b, 0x86, 0x38, 0x31};
static const uint8_t ark_pin_turin[32] = {
    0x4f, 0x12, 0x54, 0x10, 0x56, 0x3a, 0x2a, 0xb9, 0xa5, 0x03, 0x56, 0xf9, 0x24, 0x3f, 0x6f, 0xe0,
    0xb6, 0xf7, 0x3d, 0xe9, 0x86, 0x03, 0xf5, 0x3f, 0x90, 0x33, 0x9c, 0x70, 0xe9, 0xd7, 0xad, 0x08};

const uint8_t *snp_ark_pin(enum snp_product p)
{
    switch (p) {
    case SNP_PRODUCT_MILAN: return ark_pin_milan;
    case SNP_PRODUCT_GENOA: return ark_pin_genoa;
    case SNP_PRODUCT_TURIN: return ark_pin_turin;
    case SNP_PRODUCT_UNKNOWN: break;
    }
    return NULL;
}

#define AMD_OID "1.3.6.1.4.1.3704.1."

/* A DER INTEGER extension value in 0..255 (values >= 0x80 are encoded 02 02 00 xx). */
static bool ext_u8(const ASN1_OCTET_STRING *v, uint8_t *out)
{
    const unsigned char *p = ASN1_STRING_get0_data(v);
    long len = ASN1_STRING_length(v);
    ASN1_INTEGER *i = d2i_ASN1_INTEGER(NULL, &p, len);
    int64_t value = -1;
    bool ok = i != NULL && p == ASN1_STRING_get0_data(v) + len &&
              ASN1_INTEGER_get_int64(&value, i) == 1 && value >= 0 && value <= 255;
    ASN1_INTEGER_free(i);
    if (ok)
        *out = (uint8_t)value;
    return ok;
}

attest_status snp_vcek_ext_parse(attest_ctx *ctx, X509 *cert, struct snp_vcek_ext *out)
{
    struct snp_vcek_ext e;
    char oid[64];

    memset(&e, 0, sizeof(e));
    for (int i = 0; i < X509_get_ext_count(cert); i++) {
        X509_EXTENSION *ext = X509_get_ext(cert, i);
        if (OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(ext), 1) <= 0 ||
            strncmp(oid, AMD_OID, strlen(AMD_OID)) != 0)
            continue;
        const char *id = oid + strlen(AMD_OID);
        const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(ext);
        const unsigned char *p = ASN1_STRING_get0_data(v);
        long len = ASN1_STRING_length(v);
        bool ok = true;

        if (strcmp(id, "2") == 0) { /* productName: IA5String */
            ASN1_IA5STRING *s = d2i_ASN1_IA5STRING(NULL, &p, len);
            ok = s != NULL && ASN1_STRING_length(s) < (int)sizeof(e.product_name);
            if (ok) {
                memcpy(e.product_name, ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
                e.product_name[ASN1_STRING_length(s)] = '\0';
            }
            ASN1_IA5STRING_free(s);
        } else if (strcmp(id, "3.1") == 0) {
            ok = e.has_bl = ext_u8(v, &e.bl);
        } else if (strcmp(id, "3.2") == 0) {
            ok = e.has_tee = ext_u8(v, &e.tee);
        } else if (strcmp(id, "3.3") == 0) {
            ok = e.has_snp = ext_u8(v, &e.snp);
        } else if (strcmp(id, "3.8") == 0) {
            ok = e.has_ucode = ext_u8(v, &e.ucode);
        } else if (strcmp(id, "3.9") == 0) {
            ok = e.has_fmc = ext_u8(v, &e.fmc);
        } else if (strcmp(id, "4") == 0) {
            /* hwID: older VCEKs hold the 64 raw bytes, newer ones a DER OCTET STRING */
            if (len == 64) {
                memcpy(e.hwid, p, 64);
                e.has_hwid = true;
            } else {
                ASN1_OCTET_STRING *o = d2i_ASN1_OCTET_STRING(NULL, &p, len);
                ok = o != NULL && ASN1_STRING_length(o) == 64;
                if (ok) {
                    memcpy(e.hwid, ASN1_STRING_get0_data(o), 64);
                    e.has_hwid = true;
                }
                ASN1_OCTET_STRING_free(o);
            }
        } else if (strcmp(id, "5") == 0) {
            e.has_csp_id = true;
        }
        if (!ok)
            return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                     "snp: certificate extension %s is malformed", oid);
    }
    if (!e.has_bl || !e.has_tee || !e.has_snp || !e.has_ucode)
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "snp: certificate lacks a TCB extension (blSPL, teeSPL, "
                                 "snpSPL and ucodeSPL are required)");
    if (e.has_hwid && e.has_csp_id)
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "snp: certificate carries both hwID and cspID");
    *out = e;
    return ATTEST_OK;
}
