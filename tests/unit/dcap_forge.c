/*
 * The Intel DCAP forge (dcap_forge.h). Written from ../shared/specs/evidence/tdx-sgx.md,
 * independently of drivers/dcap: the SGX extension's DER and the collateral JSON are
 * written by hand here, quotes are laid out byte by byte.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/x509v3.h>

#include "dcap_forge.h"
#include "forge_util.h"

const uint8_t dforge_intel_qe_vendor[16] = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
                                            0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};
const uint8_t dforge_fmspc[6] = {0x00, 0x90, 0x6e, 0xd5, 0x00, 0x00};
const uint8_t dforge_pceid[2] = {0x00, 0x00};
/* comp03 = 0x80 needs a DER leading zero (02 02 00 80) */
const uint8_t dforge_comp[16] = {7, 9, 0x80, 3, 255, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0};
const uint8_t dforge_cpusvn[16] = {7, 9, 0x80, 3, 255, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0};
const uint8_t dforge_tee_tcb_svn[16] = {5, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
const uint8_t dforge_qe_mrsigner[32] = {
    0x8c, 0x4f, 0x57, 0x75, 0xd7, 0x96, 0x50, 0x3e, 0x96, 0x13, 0x7f, 0x77, 0xc6, 0x8a, 0x82, 0x9a,
    0x00, 0x56, 0xac, 0x8d, 0xed, 0x70, 0x14, 0x0b, 0x08, 0x1b, 0x09, 0x44, 0x90, 0xc5, 0x7b, 0xff};

static struct dforge_pki pki;
static bool ready;
static pid_t owner;

const struct dforge_pki *dforge_pki(void)
{
    return ready ? &pki : NULL;
}

/* ---- raw ECDSA ---- */

bool dforge_sign_raw(EVP_PKEY *key, const void *msg, size_t len, uint8_t sig[64])
{
    return fu_ecdsa_sign(key, EVP_sha256(), msg, len, 32, false, sig, sig + 32);
}

bool dforge_pub_xy(EVP_PKEY *key, uint8_t xy[64])
{
    BIGNUM *x = NULL, *y = NULL;
    bool ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
              EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 &&
              BN_bn2binpad(x, xy, 32) == 32 && BN_bn2binpad(y, xy + 32, 32) == 32;
    BN_free(x);
    BN_free(y);
    return ok;
}

/* ---- certificates ---- */

X509_NAME *dforge_intel_name(const char *cn)
{
    const char *const fv[] = {"CN", cn,   "O",  "Intel Corporation", "L", "Santa Clara",
                              "ST", "CA", "C",  "US"};
    return fu_name(fv, sizeof(fv) / sizeof(fv[0]) / 2);
}

/* Intel names, validity, key, and the CA or end-entity extensions. */
static X509 *cert_base(const char *cn, long serial, EVP_PKEY *key, X509 *issuer, bool ca,
                       const char *not_before, const char *not_after)
{
    X509_NAME *subject = dforge_intel_name(cn);
    X509 *x = fu_cert_new(subject, serial, key, issuer, not_before, not_after);
    X509_NAME_free(subject);
    X509 *iss = issuer != NULL ? issuer : x;
    bool ok = x != NULL &&
              fu_add_conf_ext(x, iss, NID_basic_constraints,
                              ca ? "critical,CA:TRUE,pathlen:1" : "critical,CA:FALSE") &&
              fu_add_conf_ext(x, iss, NID_key_usage,
                              ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") &&
              fu_add_conf_ext(x, iss, NID_subject_key_identifier, "hash");
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

X509 *dforge_cert(const char *cn, long serial, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
                  bool ca, const char *not_before, const char *not_after)
{
    X509 *x = cert_base(cn, serial, key, issuer, ca, not_before, not_after);
    if (x == NULL || X509_sign(x, issuer_key != NULL ? issuer_key : key, EVP_sha256()) <= 0) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* ---- hand-written DER for the SGX extension (§6) ---- */

struct buf {
    uint8_t *p;
    size_t len, cap;
    bool bad;
};

static void put(struct buf *b, const void *d, size_t n)
{
    if (b->bad)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        uint8_t *g = realloc(b->p, cap);
        if (g == NULL) {
            b->bad = true;
            return;
        }
        b->p = g;
        b->cap = cap;
    }
    memcpy(b->p + b->len, d, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void putc8(struct buf *b, uint8_t c)
{
    put(b, &c, 1);
}

/* tag, definite length, content */
static void tlv(struct buf *out, uint8_t tag, const uint8_t *content, size_t n)
{
    putc8(out, tag);
    if (n < 0x80) {
        putc8(out, (uint8_t)n);
    } else if (n < 0x100) {
        putc8(out, 0x81);
        putc8(out, (uint8_t)n);
    } else {
        putc8(out, 0x82);
        putc8(out, (uint8_t)(n >> 8));
        putc8(out, (uint8_t)n);
    }
    put(out, content, n);
}

/* A non-negative INTEGER/ENUMERATED in minimal two's complement. */
static void der_uint(struct buf *out, uint8_t tag, unsigned long v)
{
    uint8_t tmp[9];
    size_t n = 0;
    do {
        tmp[8 - n++] = (uint8_t)v;
        v >>= 8;
    } while (v != 0);
    if (tmp[9 - n] & 0x80)
        tmp[8 - n++] = 0;
    tlv(out, tag, tmp + 9 - n, n);
}

/* 1.2.840.113741.1.13.1 */
static const uint8_t sgx_arc[] = {0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01};

/* OID sgx_arc[.a[.b]] (b 0: none) */
static void sgx_oid(struct buf *out, unsigned a, unsigned b)
{
    uint8_t o[16];
    memcpy(o, sgx_arc, sizeof(sgx_arc));
    size_t n = sizeof(sgx_arc);
    o[n++] = (uint8_t)a;
    if (b != 0)
        o[n++] = (uint8_t)b;
    tlv(out, 0x06, o, n);
}

/* SEQUENCE { OID, value } with the value already encoded */
static void entry(struct buf *out, unsigned a, unsigned b, const struct buf *value)
{
    struct buf e = {0};
    sgx_oid(&e, a, b);
    put(&e, value->p, value->len);
    tlv(out, 0x30, e.p, e.len);
    out->bad |= e.bad;
    free(e.p);
}

static void entry_octets(struct buf *out, unsigned a, unsigned b, const uint8_t *p, size_t n)
{
    struct buf v = {0};
    tlv(&v, 0x04, p, n);
    entry(out, a, b, &v);
    free(v.p);
}

static void entry_uint(struct buf *out, unsigned a, unsigned b, uint8_t tag, unsigned long x)
{
    struct buf v = {0};
    der_uint(&v, tag, x);
    entry(out, a, b, &v);
    free(v.p);
}

static uint8_t *sgx_extension(const struct dforge_pck_spec *s, size_t *len)
{
    struct buf items = {0}, tcb = {0}, tcbseq = {0}, all = {0};
    entry_octets(&items, 1, 0, s->ppid, 16);
    for (unsigned i = 1; i <= 16; i++)
        entry_uint(&tcb, 2, i, 0x02, s->comp[i - 1]);
    entry_uint(&tcb, 2, 17, 0x02, s->pcesvn);
    entry_octets(&tcb, 2, 18, s->cpusvn, 16);
    tlv(&tcbseq, 0x30, tcb.p, tcb.len);
    entry(&items, 2, 0, &tcbseq);
    entry_octets(&items, 3, 0, s->pceid, 2);
    entry_octets(&items, 4, 0, s->fmspc, 6);
    if (s->sgx_type >= 0)
        entry_uint(&items, 5, 0, 0x0a, (unsigned long)s->sgx_type);
    tlv(&all, 0x30, items.p, items.len);
    bool bad = items.bad || tcb.bad || tcbseq.bad || all.bad;
    free(items.p);
    free(tcb.p);
    free(tcbseq.p);
    if (bad) {
        free(all.p);
        return NULL;
    }
    *len = all.len;
    return all.p;
}

void dforge_pck_spec_init(struct dforge_pck_spec *s)
{
    memset(s, 0, sizeof(*s));
    for (int i = 0; i < 16; i++)
        s->ppid[i] = (uint8_t)(0xa0 + i);
    memcpy(s->comp, dforge_comp, 16);
    s->pcesvn = DFORGE_PCESVN;
    memcpy(s->cpusvn, dforge_cpusvn, 16);
    memcpy(s->pceid, dforge_pceid, 2);
    memcpy(s->fmspc, dforge_fmspc, 6);
    s->sgx_type = 0;
    s->serial = 0x5a5a01;
    s->cn = "Intel SGX PCK Certificate";
    s->not_before = DFORGE_NOT_BEFORE;
    s->not_after = DFORGE_NOT_AFTER;
}

X509 *dforge_pck_new(const struct dforge_pck_spec *s, EVP_PKEY *key)
{
    X509 *issuer = s->issuer != NULL ? s->issuer : pki.platform_ca;
    EVP_PKEY *issuer_key = s->issuer != NULL ? s->issuer_key : pki.platform_key;
    EVP_PKEY *k = key != NULL ? key : pki.leaf_key;
    size_t len = 0;
    uint8_t *der = sgx_extension(s, &len);
    X509 *x = der != NULL && issuer != NULL && k != NULL
                  ? cert_base(s->cn, s->serial, k, issuer, false, s->not_before, s->not_after)
                  : NULL;
    bool ok = x != NULL && fu_add_der_ext(x, "1.2.840.113741.1.13.1", der, (int)len) &&
              X509_sign(x, issuer_key, EVP_sha256()) > 0;
    free(der);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

X509_CRL *dforge_crl(X509_NAME *issuer_name, EVP_PKEY *key, const char *this_update,
                     const char *next_update, X509 *const *revoked, size_t n_revoked)
{
    X509_CRL *crl = fu_crl_new(issuer_name, this_update, next_update, revoked, n_revoked);
    if (crl == NULL || X509_CRL_sign(crl, key, EVP_sha256()) <= 0) {
        X509_CRL_free(crl);
        return NULL;
    }
    return crl;
}

/* ---- init ---- */

void dforge_cleanup(void)
{
    if (!ready || getpid() != owner)
        return;
    X509_free(pki.root);
    X509_free(pki.platform_ca);
    X509_free(pki.processor_ca);
    X509_free(pki.leaf);
    X509_free(pki.processor_leaf);
    X509_free(pki.tcb_signing);
    EVP_PKEY_free(pki.root_key);
    EVP_PKEY_free(pki.platform_key);
    EVP_PKEY_free(pki.processor_key);
    EVP_PKEY_free(pki.leaf_key);
    EVP_PKEY_free(pki.tcb_key);
    memset(&pki, 0, sizeof(pki));
    fu_tmp_cleanup();
    ready = false;
}

static EVP_PKEY *p256(void)
{
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

bool dforge_init(void)
{
    if (ready)
        return true;
    if (!fu_tmp_init("attest-dcap-synth"))
        return false;
    owner = getpid();
    ready = true;
    atexit(dforge_cleanup);
    struct dforge_pck_spec s;
    bool ok = (pki.root_key = p256()) != NULL && (pki.platform_key = p256()) != NULL &&
              (pki.processor_key = p256()) != NULL && (pki.leaf_key = p256()) != NULL &&
              (pki.tcb_key = p256()) != NULL &&
              (pki.root = dforge_cert("Intel SGX Root CA", 0x22650c, pki.root_key, NULL, NULL,
                                      true, DFORGE_NOT_BEFORE, DFORGE_NOT_AFTER)) != NULL &&
              (pki.platform_ca = dforge_cert("Intel SGX PCK Platform CA", 0x1001,
                                             pki.platform_key, pki.root, pki.root_key, true,
                                             DFORGE_NOT_BEFORE, DFORGE_NOT_AFTER)) != NULL &&
              (pki.processor_ca = dforge_cert("Intel SGX PCK Processor CA", 0x1002,
                                              pki.processor_key, pki.root, pki.root_key, true,
                                              DFORGE_NOT_BEFORE, DFORGE_NOT_AFTER)) != NULL &&
              (pki.tcb_signing = dforge_cert("Intel SGX TCB Signing", 0x1003, pki.tcb_key,
                                             pki.root, pki.root_key, false, DFORGE_NOT_BEFORE,
                                             DFORGE_NOT_AFTER)) != NULL &&
              fu_spki_hex(pki.root, pki.root_spki_hex);
    if (ok) {
        dforge_pck_spec_init(&s);
        ok = (pki.leaf = dforge_pck_new(&s, NULL)) != NULL;
        s.issuer = pki.processor_ca;
        s.issuer_key = pki.processor_key;
        ok = ok && (pki.processor_leaf = dforge_pck_new(&s, NULL)) != NULL;
    }
    if (!ok) {
        dforge_cleanup();
        return false;
    }
    return true;
}

char *dforge_trust_dir(X509 *root)
{
    char *dir = fu_tmpdir(), line[128], hex[65];
    char *pem = fu_pem(&root, 1);
    bool ok = dir != NULL && pem != NULL && fu_spki_hex(root, hex) &&
              fu_write(dir, "root.pem", pem, strlen(pem));
    if (ok) {
        snprintf(line, sizeof(line), "# test root\ndcap root %s\n", hex);
        ok = fu_write(dir, "pins", line, strlen(line));
    }
    free(pem);
    if (!ok) {
        free(dir);
        return NULL;
    }
    return dir;
}

/* ---- quotes (§1-§4) ---- */

static void le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void dforge_sgx_body_init(uint8_t b[DFORGE_SGX_BODY])
{
    memset(b, 0, DFORGE_SGX_BODY);
    memcpy(b + DFORGE_ER_CPUSVN, dforge_cpusvn, 16);
    b[DFORGE_ER_ATTRIBUTES] = 0x05;      /* INIT | MODE64BIT; bit 1 DEBUG clear */
    b[DFORGE_ER_ATTRIBUTES + 8] = 0x03;  /* XFRM x87 | SSE */
    for (int i = 0; i < 32; i++) {
        b[DFORGE_ER_MRENCLAVE + i] = (uint8_t)(0x10 + i);
        b[DFORGE_ER_MRSIGNER + i] = (uint8_t)(0x60 + i);
    }
    le16(b + DFORGE_ER_ISVPRODID, 7);
    le16(b + DFORGE_ER_ISVSVN, 3);
    for (int i = 0; i < 64; i++)
        b[DFORGE_ER_REPORTDATA + i] = (uint8_t)(0xc0 ^ i);
}

void dforge_td_body_init(uint8_t b[DFORGE_TD15_BODY])
{
    memset(b, 0, DFORGE_TD15_BODY);
    memcpy(b + DFORGE_TD_TEE_TCB_SVN, dforge_tee_tcb_svn, 16);
    for (int i = 0; i < 48; i++) {
        b[DFORGE_TD_MRSEAM + i] = (uint8_t)(0x30 + i);
        b[DFORGE_TD_MRTD + i] = (uint8_t)(0x90 + i);
        b[DFORGE_TD_RTMR0 + i] = (uint8_t)(0x01 + i);
    }
    /* MRSIGNERSEAM and SEAM_ATTRIBUTES zero: the Intel-signed module */
    b[DFORGE_TD_TD_ATTRIBUTES + 3] = 0x10; /* SEPT_VE_DISABLE (bit 28) */
    b[DFORGE_TD_XFAM] = 0xe7;
    b[DFORGE_TD_XFAM + 1] = 0x02;
    b[DFORGE_TD_XFAM + 2] = 0x06;
    for (int i = 0; i < 64; i++)
        b[DFORGE_TD_REPORTDATA + i] = (uint8_t)(0x55 ^ i);
    memcpy(b + DFORGE_TD_TEE_TCB_SVN2, dforge_tee_tcb_svn, 16);
}

void dforge_qe_report_init(uint8_t r[DFORGE_SGX_BODY], bool tdx)
{
    memset(r, 0, DFORGE_SGX_BODY);
    memcpy(r + DFORGE_ER_CPUSVN, dforge_cpusvn, 16);
    r[DFORGE_ER_ATTRIBUTES] = 0x11;     /* INIT | PROVISION_KEY-less QE shape */
    r[DFORGE_ER_ATTRIBUTES + 8] = 0xe7;
    for (int i = 0; i < 32; i++)
        r[DFORGE_ER_MRENCLAVE + i] = (uint8_t)(0xe0 ^ i);
    memcpy(r + DFORGE_ER_MRSIGNER, dforge_qe_mrsigner, 32);
    le16(r + DFORGE_ER_ISVPRODID, tdx ? DFORGE_QE_PRODID_TDX : DFORGE_QE_PRODID_SGX);
    le16(r + DFORGE_ER_ISVSVN, DFORGE_QE_SVN);
}

void dforge_quote_init(struct dforge_quote *q, unsigned version, unsigned body_type)
{
    memset(q, 0, sizeof(*q));
    q->version = (uint16_t)version;
    q->att_key_type = 2;
    q->body_type = (uint16_t)(version == 3 ? 1 : version == 4 ? 2 : body_type);
    bool tdx = q->body_type != 1;
    q->tee_type = tdx ? 0x81 : 0;
    if (!tdx) {
        le16(q->header_svn, DFORGE_QE_SVN);
        le16(q->header_svn + 2, DFORGE_PCESVN);
    }
    memcpy(q->vendor_id, dforge_intel_qe_vendor, 16);
    for (int i = 0; i < 16; i++)
        q->user_data[i] = (uint8_t)(0x70 + i);
    if (tdx)
        dforge_td_body_init(q->body);
    else
        dforge_sgx_body_init(q->body);
    dforge_qe_report_init(q->qe_report, tdx);
    q->qe_auth_len = 32;
    for (int i = 0; i < 32; i++)
        q->qe_auth[i] = (uint8_t)i;
    q->cert_type = 5;
    q->outer_type = 6;
}

size_t dforge_body_len(const struct dforge_quote *q)
{
    if (q->version == 3)
        return DFORGE_SGX_BODY;
    if (q->version == 4)
        return DFORGE_TD10_BODY;
    return q->body_type == 1 ? DFORGE_SGX_BODY
           : q->body_type == 3 ? DFORGE_TD15_BODY
                               : DFORGE_TD10_BODY;
}

static size_t chain_len(const struct dforge_quote *q)
{
    if (q->pck_chain == NULL)
        return 0;
    return q->pck_chain_len != 0 ? q->pck_chain_len : strlen(q->pck_chain);
}

void dforge_quote_layout(const struct dforge_quote *q, struct dforge_layout *l)
{
    l->signed_len = DFORGE_HEADER + (q->version == 5 ? 6 : 0) + dforge_body_len(q);
    l->sig_data = l->signed_len + 4;
    l->qe_report = l->sig_data + 128 + (q->version == 3 ? 0 : 6);
    l->qe_auth_size = l->qe_report + 384 + 64;
    l->cert_header = l->qe_auth_size + 2 + q->qe_auth_len;
    l->chain = l->cert_header + 6;
}

uint8_t *dforge_quote_build(const struct dforge_quote *q, size_t *len)
{
    struct dforge_layout l;
    size_t body_len = dforge_body_len(q), cl = chain_len(q);
    EVP_PKEY *ak = q->attest_key != NULL ? q->attest_key : p256();
    uint8_t qer[DFORGE_SGX_BODY], xy[64];
    unsigned int n = 0;
    bool ok = ak != NULL && dforge_pub_xy(ak, xy);

    dforge_quote_layout(q, &l);
    size_t total = l.chain + cl + q->trailing;
    uint8_t *b = ok ? calloc(1, total) : NULL;
    if (b == NULL)
        goto fail;
    /* header (§1) */
    le16(b, q->version);
    le16(b + 2, q->att_key_type);
    le32(b + 4, q->tee_type);
    memcpy(b + 8, q->header_svn, 4);
    memcpy(b + 12, q->vendor_id, 16);
    memcpy(b + 28, q->user_data, 20);
    size_t off = DFORGE_HEADER;
    if (q->version == 5) { /* §3.3 body descriptor */
        le16(b + off, q->body_type);
        le32(b + off + 2, q->body_size != 0 ? q->body_size : (uint32_t)body_len);
        off += 6;
    }
    memcpy(b + off, q->body, body_len);
    /* signature data (§4) */
    le32(b + l.signed_len, (uint32_t)(l.chain + cl - l.sig_data));
    memcpy(b + l.sig_data + 64, xy, 64);
    if (q->version != 3) {
        le16(b + l.sig_data + 128, q->outer_type);
        le32(b + l.sig_data + 130, (uint32_t)(l.chain + cl - l.qe_report));
    }
    memcpy(qer, q->qe_report, sizeof(qer));
    if (!q->keep_qe_report_data) { /* §5 step 3 */
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        memset(qer + DFORGE_ER_REPORTDATA, 0, 64);
        ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(md, xy, 64) == 1 &&
             EVP_DigestUpdate(md, q->qe_auth, q->qe_auth_len) == 1 &&
             EVP_DigestFinal_ex(md, qer + DFORGE_ER_REPORTDATA, &n) == 1;
        EVP_MD_CTX_free(md);
        if (!ok)
            goto fail;
    }
    memcpy(b + l.qe_report, qer, sizeof(qer));
    if (q->pck_key != NULL && !dforge_sign_raw(q->pck_key, qer, sizeof(qer), b + l.qe_report + 384))
        goto fail;
    le16(b + l.qe_auth_size, q->qe_auth_len);
    memcpy(b + l.qe_auth_size + 2, q->qe_auth, q->qe_auth_len);
    le16(b + l.cert_header, q->cert_type);
    le32(b + l.cert_header + 2, (uint32_t)cl);
    if (cl > 0)
        memcpy(b + l.chain, q->pck_chain, cl);
    memset(b + l.chain + cl, 0xee, q->trailing);
    /* the attestation key signs header and body (§5 step 1) */
    if (!dforge_sign_raw(ak, b, l.signed_len, b + l.sig_data))
        goto fail;
    if (ak != q->attest_key)
        EVP_PKEY_free(ak);
    *len = total;
    return b;
fail:
    free(b);
    if (ak != q->attest_key)
        EVP_PKEY_free(ak);
    return NULL;
}

/* ---- collateral JSON, written by hand (§7) ---- */

struct sb {
    char *s;
    size_t len, cap;
    bool bad;
};

static void sbf(struct sb *b, const char *fmt, ...)
{
    va_list ap;
    if (b->bad)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || b->len + (size_t)n + 1 > b->cap) {
        size_t cap = n < 0 ? 0 : (b->len + (size_t)n + 1) * 2;
        char *g = cap > 0 ? realloc(b->s, cap) : NULL;
        if (g == NULL) {
            b->bad = true;
            return;
        }
        b->s = g;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void sbhex(struct sb *b, const uint8_t *p, size_t n, bool upper)
{
    for (size_t i = 0; i < n; i++)
        sbf(b, upper ? "%02X" : "%02x", p[i]);
}

static char *sb_done(struct sb *b)
{
    if (b->bad) {
        free(b->s);
        return NULL;
    }
    return b->s;
}

static void isv_levels(struct sb *b, const struct dforge_isv_level *lv, size_t n)
{
    sbf(b, "\"tcbLevels\":[");
    for (size_t i = 0; i < n; i++) {
        sbf(b, "%s{\"tcb\":{\"isvsvn\":%u},\"tcbDate\":\"2029-06-01T00:00:00Z\",\"tcbStatus\":\"%s\"",
            i ? "," : "", lv[i].isvsvn, lv[i].status);
        if (lv[i].advisory != NULL)
            sbf(b, ",\"advisoryIDs\":[\"%s\"]", lv[i].advisory);
        sbf(b, "}");
    }
    sbf(b, "]");
}

static void components(struct sb *b, const char *name, const uint8_t *svn)
{
    sbf(b, "\"%s\":[", name);
    for (int i = 0; i < 16; i++)
        sbf(b, "%s{\"svn\":%u%s}", i ? "," : "", svn[i],
            i == 0 ? ",\"category\":\"BIOS\",\"type\":\"Early Microcode Update\"" : "");
    sbf(b, "]");
}

void dforge_tcb_info_init(struct dforge_tcb_info *t, bool tdx, const char *status)
{
    memset(t, 0, sizeof(*t));
    t->tdx = tdx;
    t->version = 3;
    t->issue_date = DFORGE_ISSUE;
    t->next_update = DFORGE_NEXT;
    memcpy(t->fmspc, dforge_fmspc, 6);
    memcpy(t->pceid, dforge_pceid, 2);
    t->eval = 17;
    t->n_levels = 1;
    memcpy(t->levels[0].sgx, dforge_comp, 16);
    t->levels[0].pcesvn = DFORGE_PCESVN;
    memcpy(t->levels[0].tdx, dforge_tee_tcb_svn, 16);
    t->levels[0].status = status;
    if (tdx) {
        t->with_module = true;
        memset(t->module_mask, 0xff, 8);
        t->n_modules = 1;
        struct dforge_module *m = &t->modules[0];
        snprintf(m->id, sizeof(m->id), "TDX_01");
        memset(m->mask, 0xff, 8);
        m->n_levels = 2;
        m->levels[0] = (struct dforge_isv_level){5, "UpToDate", NULL};
        m->levels[1] = (struct dforge_isv_level){2, "OutOfDate", "INTEL-SA-00999"};
    }
}

char *dforge_tcb_info_json(const struct dforge_tcb_info *t)
{
    struct sb b = {0};
    sbf(&b, "{\"id\":\"%s\",\"version\":%u,\"issueDate\":\"%s\",\"nextUpdate\":\"%s\",\"fmspc\":\"",
        t->tdx ? "TDX" : "SGX", t->version, t->issue_date, t->next_update);
    sbhex(&b, t->fmspc, 6, false);
    sbf(&b, "\",\"pceId\":\"");
    sbhex(&b, t->pceid, 2, false);
    sbf(&b, "\",\"tcbType\":%u,\"tcbEvaluationDataNumber\":%u,", t->tcb_type, t->eval);
    if (t->with_module) {
        sbf(&b, "\"tdxModule\":{\"mrsigner\":\"");
        sbhex(&b, t->module_mrsigner, 48, true);
        sbf(&b, "\",\"attributes\":\"");
        sbhex(&b, t->module_attributes, 8, true);
        sbf(&b, "\",\"attributesMask\":\"");
        sbhex(&b, t->module_mask, 8, true);
        sbf(&b, "\"},\"tdxModuleIdentities\":[");
        for (size_t i = 0; i < t->n_modules; i++) {
            const struct dforge_module *m = &t->modules[i];
            sbf(&b, "%s{\"id\":\"%s\",\"mrsigner\":\"", i ? "," : "", m->id);
            sbhex(&b, m->mrsigner, 48, true);
            sbf(&b, "\",\"attributes\":\"");
            sbhex(&b, m->attributes, 8, true);
            sbf(&b, "\",\"attributesMask\":\"");
            sbhex(&b, m->mask, 8, true);
            sbf(&b, "\",");
            isv_levels(&b, m->levels, m->n_levels);
            sbf(&b, "}");
        }
        sbf(&b, "],");
    }
    sbf(&b, "\"tcbLevels\":[");
    for (size_t i = 0; i < t->n_levels; i++) {
        const struct dforge_tcb_level *l = &t->levels[i];
        sbf(&b, "%s{\"tcb\":{", i ? "," : "");
        components(&b, "sgxtcbcomponents", l->sgx);
        sbf(&b, ",\"pcesvn\":%u", l->pcesvn);
        if (t->tdx) {
            sbf(&b, ",");
            components(&b, "tdxtcbcomponents", l->tdx);
        }
        sbf(&b, "},\"tcbDate\":\"%s\",\"tcbStatus\":\"%s\"",
            l->date != NULL ? l->date : "2029-06-01T00:00:00Z", l->status);
        if (l->advisory != NULL)
            sbf(&b, ",\"advisoryIDs\":[\"%s\"]", l->advisory);
        sbf(&b, "}");
    }
    sbf(&b, "]}");
    return sb_done(&b);
}

void dforge_qe_identity_init(struct dforge_qe_identity *q, bool tdx)
{
    memset(q, 0, sizeof(*q));
    q->tdx = tdx;
    q->issue_date = DFORGE_ISSUE;
    q->next_update = DFORGE_NEXT;
    q->eval = 17;
    memset(q->miscselect_mask, 0xff, 4);
    q->attributes[0] = 0x11;
    q->attributes_mask[0] = 0xfb;
    memset(q->attributes_mask + 1, 0xff, 7);
    memcpy(q->mrsigner, dforge_qe_mrsigner, 32);
    q->isvprodid = tdx ? DFORGE_QE_PRODID_TDX : DFORGE_QE_PRODID_SGX;
    q->n_levels = 3;
    q->levels[0] = (struct dforge_isv_level){DFORGE_QE_SVN, "UpToDate", NULL};
    q->levels[1] = (struct dforge_isv_level){6, "OutOfDate", "INTEL-SA-00615"};
    q->levels[2] = (struct dforge_isv_level){0, "Revoked", NULL};
}

char *dforge_qe_identity_json(const struct dforge_qe_identity *q)
{
    struct sb b = {0};
    sbf(&b, "{\"id\":\"%s\",\"version\":2,\"issueDate\":\"%s\",\"nextUpdate\":\"%s\","
            "\"tcbEvaluationDataNumber\":%u,\"miscselect\":\"",
        q->tdx ? "TD_QE" : "QE", q->issue_date, q->next_update, q->eval);
    sbhex(&b, q->miscselect, 4, true);
    sbf(&b, "\",\"miscselectMask\":\"");
    sbhex(&b, q->miscselect_mask, 4, true);
    sbf(&b, "\",\"attributes\":\"");
    sbhex(&b, q->attributes, 16, true);
    sbf(&b, "\",\"attributesMask\":\"");
    sbhex(&b, q->attributes_mask, 16, true);
    sbf(&b, "\",\"mrsigner\":\"");
    sbhex(&b, q->mrsigner, 32, true);
    sbf(&b, "\",\"isvprodid\":%u,", q->isvprodid);
    isv_levels(&b, q->levels, q->n_levels);
    sbf(&b, "}");
    return sb_done(&b);
}

/* A JSON string literal: the escapes RFC 8259 requires. */
static void json_str(struct sb *b, const char *s)
{
    sbf(b, "\"");
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            sbf(b, "\\%c", c);
        else if (c == '\n')
            sbf(b, "\\n");
        else if (c < 0x20)
            sbf(b, "\\u%04x", c);
        else
            sbf(b, "%c", c);
    }
    sbf(b, "\"");
}

static void crl_member(struct sb *b, const char *name, X509_CRL *crl)
{
    size_t n = 0;
    uint8_t *der = crl != NULL ? fu_crl_der(crl, &n) : NULL;
    char *hex = der != NULL ? fu_hex(der, n) : NULL;
    if (crl != NULL && hex == NULL)
        b->bad = true;
    else if (hex != NULL)
        sbf(b, ",\"%s\":\"%s\"", name, hex);
    free(hex);
    free(der);
}

char *dforge_bundle_json(const struct dforge_bundle *bd)
{
    struct sb b = {0};
    char *ts = fu_hex(bd->tcb_sig, 64), *qs = fu_hex(bd->qe_sig, 64);
    if (ts == NULL || qs == NULL)
        b.bad = true;
    sbf(&b, "{\"version\":\"3\"");
    if (bd->pck_crl_chain != NULL) {
        sbf(&b, ",\n \"pck_crl_issuer_chain\":");
        json_str(&b, bd->pck_crl_chain);
    }
    crl_member(&b, "root_ca_crl", bd->root_crl);
    crl_member(&b, "pck_crl", bd->pck_crl);
    if (bd->tcb_chain != NULL) {
        sbf(&b, ",\n \"tcb_info_issuer_chain\":");
        json_str(&b, bd->tcb_chain);
    }
    sbf(&b, ",\n \"tcb_info\":");
    json_str(&b, bd->tcb_info);
    sbf(&b, ",\n \"tcb_info_signature\":\"%s\"", ts != NULL ? ts : "");
    if (bd->qe_chain != NULL) {
        sbf(&b, ",\n \"qe_identity_issuer_chain\":");
        json_str(&b, bd->qe_chain);
    }
    sbf(&b, ",\n \"qe_identity\":");
    json_str(&b, bd->qe_identity);
    sbf(&b, ",\n \"qe_identity_signature\":\"%s\"}\n", qs != NULL ? qs : "");
    free(ts);
    free(qs);
    return sb_done(&b);
}

char *dforge_pcs_response(const char *member, const char *text, const uint8_t sig[64])
{
    struct sb b = {0};
    char *hex = fu_hex(sig, 64);
    if (hex == NULL)
        return NULL;
    sbf(&b, "{\"%s\":%s,\"signature\":\"%s\"}", member, text, hex);
    free(hex);
    return sb_done(&b);
}
