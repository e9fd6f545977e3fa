/*
 * The SEV-SNP forge (snp_forge.h): AMD-shaped certificates, reports and CRLs under keys
 * generated here. Written from ../shared/specs/evidence/snp.md, independently of the
 * driver; the driver's simulate.c builds the same certificate shape for its own device.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "forge_util.h"
#include "snp_forge.h"

static struct forge_roots roots[FORGE_PRODUCTS];
static bool ready;
static pid_t owner;             /* the process that generated (and must free) everything */

static const char *const product_names[FORGE_PRODUCTS] = {"Milan", "Genoa", "Turin"};
static char ark_spki_hex[FORGE_PRODUCTS][65];

const char *forge_product_name(enum forge_product p)
{
    return p < FORGE_PRODUCTS ? product_names[p] : NULL;
}

bool forge_has_vlek(enum forge_product p)
{
    return p == FORGE_GENOA;
}

const struct forge_roots *forge_roots(enum forge_product p)
{
    return ready && p < FORGE_PRODUCTS ? &roots[p] : NULL;
}

/* ---- certificates ---- */

X509_NAME *forge_amd_name(const char *cn)
{
    /* AMD's order on KDS certificates: OU, C, L, ST, O, CN (snp.md §6) */
    const char *const fv[] = {"OU", "Engineering", "C",  "US", "L",  "Santa Clara",
                              "ST", "CA",          "O",  "Advanced Micro Devices",
                              "CN", cn};
    return fu_name(fv, sizeof(fv) / sizeof(fv[0]) / 2);
}

/* A DigestSign context for RSASSA-PSS SHA-384, MGF1 SHA-384, salt 48 (snp.md §6). */
static EVP_MD_CTX *pss_ctx(EVP_PKEY *key)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    if (md == NULL || EVP_DigestSignInit(md, &pctx, EVP_sha384(), NULL, key) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) != 1) {
        EVP_MD_CTX_free(md);
        return NULL;
    }
    return md;
}

bool forge_sign_pss_cert(X509 *x, EVP_PKEY *issuer_key)
{
    EVP_MD_CTX *md = pss_ctx(issuer_key);
    bool ok = md != NULL && X509_sign_ctx(x, md) > 0;
    EVP_MD_CTX_free(md);
    return ok;
}

/* Version 3, serial, AMD names, validity and key: what every certificate here shares. */
static X509 *cert_base(const char *cn, long serial, EVP_PKEY *key, X509 *issuer,
                       const char *not_before, const char *not_after)
{
    X509_NAME *subject = forge_amd_name(cn);
    X509 *x = fu_cert_new(subject, serial, key, issuer, not_before, not_after);
    X509_NAME_free(subject);
    return x;
}

X509 *forge_ca_cert(const char *cn, long serial, EVP_PKEY *key, X509 *issuer,
                    EVP_PKEY *issuer_key)
{
    X509 *x = cert_base(cn, serial, key, issuer, FORGE_NOT_BEFORE, FORGE_NOT_AFTER);
    bool ok = x != NULL &&
              fu_add_conf_ext(x, issuer != NULL ? issuer : x, NID_key_usage,
                           "critical,keyCertSign,cRLSign") &&
              fu_add_conf_ext(x, issuer != NULL ? issuer : x, NID_subject_key_identifier, "hash") &&
              fu_add_conf_ext(x, issuer != NULL ? issuer : x, NID_basic_constraints,
                           "critical,CA:TRUE") &&
              forge_sign_pss_cert(x, issuer_key != NULL ? issuer_key : key);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static bool add_int_ext(X509 *x, const char *oid, long v)
{
    ASN1_INTEGER *i = ASN1_INTEGER_new();
    unsigned char *der = NULL;
    int len = i != NULL && ASN1_INTEGER_set(i, v) == 1 ? i2d_ASN1_INTEGER(i, &der) : -1;
    bool ok = fu_add_der_ext(x, oid, der, len);
    OPENSSL_free(der);
    ASN1_INTEGER_free(i);
    return ok;
}

static bool add_ia5_ext(X509 *x, const char *oid, const char *s)
{
    ASN1_IA5STRING *v = ASN1_IA5STRING_new();
    unsigned char *der = NULL;
    int len = v != NULL && ASN1_STRING_set(v, s, -1) == 1 ? i2d_ASN1_IA5STRING(v, &der) : -1;
    bool ok = fu_add_der_ext(x, oid, der, len);
    OPENSSL_free(der);
    ASN1_IA5STRING_free(v);
    return ok;
}

#define AMD_OID "1.3.6.1.4.1.3704.1."

/* AMD pub. 57230 extensions in KDS order: structVersion, productName, blSPL, teeSPL,
 * spl_4..spl_7, snpSPL, ucodeSPL, [fmcSPL], hwID | cspID. */
static bool add_amd_exts(X509 *x, const struct forge_leaf_spec *s)
{
    const struct { const char *oid; long v; } spl[] = {
        {AMD_OID "3.1", s->bl},  {AMD_OID "3.2", s->tee}, {AMD_OID "3.4", 0},
        {AMD_OID "3.5", 0},      {AMD_OID "3.6", 0},      {AMD_OID "3.7", 0},
        {AMD_OID "3.3", s->snp}, {AMD_OID "3.8", s->ucode},
    };
    bool ok = add_int_ext(x, AMD_OID "1", 1);
    if (ok && s->product_name != NULL)
        ok = add_ia5_ext(x, AMD_OID "2", s->product_name);
    for (size_t i = 0; ok && i < sizeof(spl) / sizeof(spl[0]); i++)
        ok = add_int_ext(x, spl[i].oid, spl[i].v);
    if (ok && s->with_fmc)
        ok = add_int_ext(x, AMD_OID "3.9", s->fmc);
    if (ok && s->with_hwid) {
        if (s->hwid_raw) {
            ok = fu_add_der_ext(x, AMD_OID "4", s->hwid, 64);
        } else {
            ASN1_OCTET_STRING *o = ASN1_OCTET_STRING_new();
            unsigned char *der = NULL;
            int len = o != NULL && ASN1_OCTET_STRING_set(o, s->hwid, 64) == 1
                          ? i2d_ASN1_OCTET_STRING(o, &der)
                          : -1;
            ok = fu_add_der_ext(x, AMD_OID "4", der, len);
            OPENSSL_free(der);
            ASN1_OCTET_STRING_free(o);
        }
    }
    if (ok && s->with_csp_id)
        ok = add_ia5_ext(x, AMD_OID "5", "libattest-test-csp");
    return ok;
}

void forge_chip_id(enum forge_product p, uint8_t out[64])
{
    memset(out, 0, 64);
    /* Turin reports use only the first 8 bytes of CHIP_ID (snp.md §1) */
    size_t n = p == FORGE_TURIN ? 8 : 64;
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(0x11 * (p + 1) + 7 * i + 1);
}

void forge_leaf_spec_init(struct forge_leaf_spec *s, enum forge_product p, bool vlek)
{
    static const char *const names[FORGE_PRODUCTS] = {"Milan-B0", "Genoa-B1", "Turin-B0"};
    memset(s, 0, sizeof(*s));
    s->product = p;
    s->vlek = vlek;
    s->cn = vlek ? "SEV-VLEK" : "SEV-VCEK";
    s->product_name = names[p];
    s->fmc = FORGE_FMC;
    s->bl = FORGE_BL;
    s->tee = FORGE_TEE;
    s->snp = FORGE_SNP;
    s->ucode = FORGE_UCODE;
    s->with_fmc = p == FORGE_TURIN;
    s->with_hwid = !vlek;
    forge_chip_id(p, s->hwid);
    s->with_csp_id = vlek;
    s->not_before = FORGE_NOT_BEFORE;
    s->not_after = FORGE_NOT_AFTER;
}

bool forge_leaf_new(const struct forge_leaf_spec *s, X509 **cert, EVP_PKEY **key)
{
    const struct forge_roots *r = forge_roots(s->product);
    X509 *issuer = s->issuer != NULL ? s->issuer : r == NULL ? NULL : s->vlek ? r->asvk : r->ask;
    EVP_PKEY *issuer_key = s->issuer != NULL ? s->issuer_key
                           : r == NULL       ? NULL
                           : s->vlek         ? r->asvk_key
                                             : r->ask_key;
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    /* serial 0, as on AMD's VCEKs */
    X509 *x = k != NULL && issuer != NULL
                  ? cert_base(s->cn, 0, k, issuer, s->not_before, s->not_after)
                  : NULL;
    if (x == NULL || !add_amd_exts(x, s) || !forge_sign_pss_cert(x, issuer_key)) {
        X509_free(x);
        EVP_PKEY_free(k);
        return false;
    }
    *cert = x;
    *key = k;
    return true;
}

X509_CRL *forge_crl(X509_NAME *issuer_name, EVP_PKEY *key, const char *this_update,
                    const char *next_update, X509 *const *revoked, size_t n_revoked)
{
    X509_CRL *crl = fu_crl_new(issuer_name, this_update, next_update, revoked, n_revoked);
    EVP_MD_CTX *md = crl != NULL ? pss_ctx(key) : NULL;
    bool ok = md != NULL && X509_CRL_sign_ctx(crl, md) > 0;
    EVP_MD_CTX_free(md);
    if (!ok) {
        X509_CRL_free(crl);
        return NULL;
    }
    return crl;
}

/* ---- roots ---- */

static bool make_roots(enum forge_product p, struct forge_roots *r)
{
    char cn[64];
    long serial = 0x100L * (p + 1);

    r->ark_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)FORGE_RSA_BITS);
    r->ask_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)FORGE_RSA_BITS);
    /* Only Genoa's VLEK path is exercised: Milan's and Turin's ASVK certificates carry their
     * ASK's key, two RSA keygens fewer (a VLEK of theirs signed by the ASK would chain). */
    if (forge_has_vlek(p))
        r->asvk_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)FORGE_RSA_BITS);
    else if (r->ask_key != NULL && EVP_PKEY_up_ref(r->ask_key) == 1)
        r->asvk_key = r->ask_key;
    if (r->ark_key == NULL || r->ask_key == NULL || r->asvk_key == NULL)
        return false;
    snprintf(cn, sizeof(cn), "ARK-%s", product_names[p]);
    if ((r->ark = forge_ca_cert(cn, serial + 1, r->ark_key, NULL, NULL)) == NULL ||
        !fu_spki_hex(r->ark, ark_spki_hex[p])) /* once: i2d_PUBKEY is slow under valgrind */
        return false;
    snprintf(cn, sizeof(cn), "SEV-%s", product_names[p]);
    if ((r->ask = forge_ca_cert(cn, serial + 2, r->ask_key, r->ark, r->ark_key)) == NULL)
        return false;
    snprintf(cn, sizeof(cn), "SEV-VLEK-%s", product_names[p]);
    if ((r->asvk = forge_ca_cert(cn, serial + 3, r->asvk_key, r->ark, r->ark_key)) == NULL)
        return false;
    for (int vlek = 0; vlek < (forge_has_vlek(p) ? 2 : 1); vlek++) {
        struct forge_leaf_spec s;
        forge_leaf_spec_init(&s, p, vlek);
        if (!forge_leaf_new(&s, &r->leaf[vlek], &r->leaf_key[vlek]))
            return false;
    }
    return true;
}

bool forge_default_leaf(enum forge_product p, bool vlek, X509 **cert, EVP_PKEY **key)
{
    const struct forge_roots *r = forge_roots(p);
    if (r == NULL || r->leaf[vlek] == NULL || X509_up_ref(r->leaf[vlek]) != 1)
        return false;
    if (EVP_PKEY_up_ref(r->leaf_key[vlek]) != 1) {
        X509_free(r->leaf[vlek]);
        return false;
    }
    *cert = r->leaf[vlek];
    *key = r->leaf_key[vlek];
    return true;
}

void forge_cleanup(void)
{
    if (!ready || getpid() != owner) /* a forked test's copy: the parent frees the real one */
        return;
    for (int p = 0; p < FORGE_PRODUCTS; p++) {
        X509_free(roots[p].ark);
        X509_free(roots[p].ask);
        X509_free(roots[p].asvk);
        EVP_PKEY_free(roots[p].ark_key);
        EVP_PKEY_free(roots[p].ask_key);
        EVP_PKEY_free(roots[p].asvk_key);
        for (int i = 0; i < 2; i++) {
            X509_free(roots[p].leaf[i]);
            EVP_PKEY_free(roots[p].leaf_key[i]);
        }
    }
    memset(roots, 0, sizeof(roots));
    fu_tmp_cleanup();
    ready = false;
}

bool forge_init(void)
{
    if (ready)
        return true;
    if (!fu_tmp_init("attest-snp-synth"))
        return false;
    owner = getpid();
    ready = true; /* from here forge_cleanup() undoes whatever was made */
    atexit(forge_cleanup);
    for (int p = 0; p < FORGE_PRODUCTS; p++)
        if (!make_roots((enum forge_product)p, &roots[p])) {
            forge_cleanup();
            return false;
        }
    return true;
}

bool forge_pins_line(enum forge_product p, const char *label, char out[128])
{
    if (forge_roots(p) == NULL)
        return false;
    snprintf(out, 128, "snp %s %s\n", label, ark_spki_hex[p]);
    return true;
}

static bool write_pem(const char *dir, const char *name, X509 *x)
{
    char *pem = fu_pem(&x, 1);
    bool ok = pem != NULL && fu_write(dir, name, pem, strlen(pem));
    free(pem);
    return ok;
}

char *forge_trust_dir(enum forge_product p, unsigned flags)
{
    const struct forge_roots *r = forge_roots(p);
    char *dir = r != NULL ? fu_tmpdir() : NULL;
    char line[128];
    bool ok = dir != NULL && write_pem(dir, "ark.pem", r->ark) &&
              write_pem(dir, "ask.pem", r->ask) &&
              ((flags & FORGE_TRUST_NO_ASVK) || write_pem(dir, "asvk.pem", r->asvk)) &&
              ((flags & FORGE_TRUST_NO_PINS) ||
               (forge_pins_line(p, product_names[p], line) &&
                fu_write(dir, "pins", line, strlen(line))));
    if (!ok) {
        free(dir);
        return NULL;
    }
    return dir;
}

/* ---- the report (snp.md §1) ---- */

uint64_t forge_tcb(enum forge_product p, uint8_t fmc, uint8_t bl, uint8_t tee, uint8_t snp,
                   uint8_t ucode)
{
    if (p == FORGE_TURIN)
        return (uint64_t)fmc | (uint64_t)bl << 8 | (uint64_t)tee << 16 | (uint64_t)snp << 24 |
               (uint64_t)ucode << 56;
    return (uint64_t)bl | (uint64_t)tee << 8 | (uint64_t)snp << 48 | (uint64_t)ucode << 56;
}

void forge_report_init(struct forge_report *r, enum forge_product p, uint32_t version,
                       bool vlek)
{
    /* CPUID_FAM_ID/MOD_ID/STEP of stepping-0 parts (go-sev-guest kds.ProductLineCpuid):
     * Milan 0x00A00F10, Genoa 0x00A10F10, Turin 0x00B00F20 (snp.md §1.2) */
    static const uint8_t cpuid[FORGE_PRODUCTS][3] = {
        {0x19, 0x01, 0x00}, {0x19, 0x11, 0x00}, {0x1a, 0x02, 0x00}};
    uint64_t tcb = forge_tcb(p, FORGE_FMC, FORGE_BL, FORGE_TEE, FORGE_SNP, FORGE_UCODE);

    memset(r, 0, sizeof(*r));
    r->version = version;
    r->policy = UINT64_C(0x30000); /* SMT allowed, bit 17 reserved-must-be-one */
    r->sig_algo = 1;               /* ECDSA P-384 with SHA-384 */
    r->platform_info = 1;          /* SMT_EN */
    r->signing_key = vlek ? 1 : 0;
    r->current_tcb = r->reported_tcb = r->committed_tcb = r->launch_tcb = tcb;
    for (int i = 0; i < 48; i++)
        r->measurement[i] = (uint8_t)(0xa0 + i);
    for (int i = 0; i < 32; i++)
        r->report_id[i] = (uint8_t)(0x40 + i);
    memset(r->report_id_ma, 0xff, 32); /* no migration agent */
    if (!vlek) /* a VLEK-signed report: the host masked CHIP_ID */
        forge_chip_id(p, r->chip_id);
    r->cpuid_fam = cpuid[p][0];
    r->cpuid_mod = cpuid[p][1];
    r->cpuid_step = cpuid[p][2];
    r->fw_major = 1;
    r->fw_minor = 55;
    r->fw_build = 21;
}

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void forge_report_build(const struct forge_report *r, uint8_t out[FORGE_REPORT_SIZE])
{
    uint32_t key_info = (r->author_key_en ? 1u : 0u) | (r->mask_chip_key ? 2u : 0u) |
                        (r->signing_key & 7u) << 2;

    memset(out, 0, FORGE_REPORT_SIZE);
    put_le(out + 0x000, r->version, 4);         /* VERSION */
    put_le(out + 0x004, r->guest_svn, 4);       /* GUEST_SVN */
    put_le(out + 0x008, r->policy, 8);          /* POLICY */
    memcpy(out + 0x010, r->family_id, 16);      /* FAMILY_ID */
    memcpy(out + 0x020, r->image_id, 16);       /* IMAGE_ID */
    put_le(out + 0x030, r->vmpl, 4);            /* VMPL */
    put_le(out + 0x034, r->sig_algo, 4);        /* SIGNATURE_ALGO */
    put_le(out + 0x038, r->current_tcb, 8);     /* CURRENT_TCB */
    put_le(out + 0x040, r->platform_info, 8);   /* PLATFORM_INFO */
    put_le(out + 0x048, key_info, 4);           /* KEY_INFO; 0x04c reserved */
    memcpy(out + 0x050, r->report_data, 64);    /* REPORT_DATA */
    memcpy(out + 0x090, r->measurement, 48);    /* MEASUREMENT */
    memcpy(out + 0x0c0, r->host_data, 32);      /* HOST_DATA */
    /* 0x0e0 ID_KEY_DIGEST, 0x110 AUTHOR_KEY_DIGEST: zero (no ID block) */
    memcpy(out + 0x140, r->report_id, 32);      /* REPORT_ID */
    memcpy(out + 0x160, r->report_id_ma, 32);   /* REPORT_ID_MA */
    put_le(out + 0x180, r->reported_tcb, 8);    /* REPORTED_TCB */
    if (r->version >= 3) {                      /* reserved in version 2 */
        out[0x188] = r->cpuid_fam;              /* CPUID_FAM_ID */
        out[0x189] = r->cpuid_mod;              /* CPUID_MOD_ID */
        out[0x18a] = r->cpuid_step;             /* CPUID_STEP; 0x18b..0x19f reserved */
    }
    memcpy(out + 0x1a0, r->chip_id, 64);        /* CHIP_ID */
    put_le(out + 0x1e0, r->committed_tcb, 8);   /* COMMITTED_TCB */
    out[0x1e8] = r->fw_build;                   /* CURRENT_BUILD */
    out[0x1e9] = r->fw_minor;                   /* CURRENT_MINOR */
    out[0x1ea] = r->fw_major;                   /* CURRENT_MAJOR; 0x1eb reserved */
    out[0x1ec] = r->fw_build;                   /* COMMITTED_BUILD */
    out[0x1ed] = r->fw_minor;                   /* COMMITTED_MINOR */
    out[0x1ee] = r->fw_major;                   /* COMMITTED_MAJOR; 0x1ef reserved */
    put_le(out + 0x1f0, r->launch_tcb, 8);      /* LAUNCH_TCB */
    if (r->version >= 5) {                      /* reserved before version 5 */
        put_le(out + 0x1f8, r->launch_mit_vector, 8);  /* LAUNCH_MIT_VECTOR */
        put_le(out + 0x200, r->current_mit_vector, 8); /* CURRENT_MIT_VECTOR */
    }
    /* 0x208..0x29f reserved; 0x2a0 SIGNATURE */
}

bool forge_report_sign(uint8_t report[FORGE_REPORT_SIZE], EVP_PKEY *key)
{
    /* over 0x000..0x29f; 72-byte little-endian fields: 48 significant bytes, then zeros
     * (snp.md §1.1) */
    return fu_ecdsa_sign(key, EVP_sha384(), report, 0x2a0, 72, true, report + 0x2a0,
                         report + 0x2e8);
}

/* ---- the certificate table (snp.md §9) ---- */

const uint8_t forge_guid_vcek[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
                                     0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};
const uint8_t forge_guid_vlek[16] = {0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e,
                                     0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1};
const uint8_t forge_guid_ask[16] = {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
                                    0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82};
const uint8_t forge_guid_ark[16] = {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
                                    0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae};
const uint8_t forge_guid_crl[16] = {0x92, 0xf8, 0x1b, 0xc3, 0x58, 0x11, 0x4d, 0x3d,
                                    0x97, 0xff, 0xd1, 0x9f, 0x88, 0xdc, 0x67, 0xea};

uint8_t *forge_cert_table(const struct forge_blob *blobs, size_t n, size_t pad, size_t *len)
{
    size_t off = (n + 1) * 24, total = off; /* entries and the all-zero terminator */
    for (size_t i = 0; i < n; i++)
        total += blobs[i].len;
    if (pad > 0 && total % pad != 0)
        total += pad - total % pad;
    uint8_t *t = calloc(1, total);
    if (t == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        memcpy(t + 24 * i, blobs[i].guid, 16);
        put_le(t + 24 * i + 16, off, 4);          /* offset from the table start */
        put_le(t + 24 * i + 20, blobs[i].len, 4); /* length */
        memcpy(t + off, blobs[i].data, blobs[i].len);
        off += blobs[i].len;
    }
    *len = total;
    return t;
}
