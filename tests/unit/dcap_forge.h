/*
 * A test-side Intel DCAP forge: an "Intel SGX Root CA", PCK CAs, PCK leaves with the SGX
 * extension, the "Intel SGX TCB Signing" certificate, CRLs, quotes v3 (SGX), v4 (TD 1.0)
 * and v5 (TD 1.0 / TD 1.5 / SGX bodies), TCB info v3 and QE identity v2 JSON signed over
 * their exact text, dcap-qvl style collateral bundles and PCS response files -- all under
 * keys generated here.
 *
 * Layouts follow ../shared/specs/evidence/tdx-sgx.md (quote header §1, bodies §2, whole
 * quotes §3, signature data §4, what signs what §5, the PCK SGX extension §6, collateral
 * §7). OpenSSL 3 and hand-written DER/JSON only; nothing here uses libattest or the
 * drivers, so the forge cannot share a bug with the code it tests.
 *
 * Lifetime: dforge_init() generates the keys once per process (call it from an unchecked
 * fixture, so Check's forked tests inherit them) and registers dforge_cleanup() with
 * atexit, which frees them and removes the forge's temporary directory (fu_tmp_init) in
 * that process.
 */
#ifndef ATTEST_TEST_DCAP_FORGE_H
#define ATTEST_TEST_DCAP_FORGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "forge_util.h"

/* Certificate validity and the clock, fixed so that nothing depends on the wall clock. */
#define DFORGE_NOT_BEFORE "20240101000000Z"
#define DFORGE_NOT_AFTER "20490101000000Z"
#define DFORGE_T_INSIDE INT64_C(1893456000) /* 2030-01-01T00:00:00Z */
/* Collateral and CRLs current at DFORGE_T_INSIDE */
#define DFORGE_ISSUE "2029-12-15T00:00:00Z"
#define DFORGE_NEXT "2030-01-15T00:00:00Z"
#define DFORGE_CRL_THIS "20291215000000Z"
#define DFORGE_CRL_NEXT "20300115000000Z"

/* ---- sizes and offsets (tdx-sgx.md §1-§4) ---- */
#define DFORGE_HEADER 48u
#define DFORGE_SGX_BODY 384u
#define DFORGE_TD10_BODY 584u
#define DFORGE_TD15_BODY 648u

/* ENCLAVE_REPORT (§2.1), the SGX body and the QE report */
#define DFORGE_ER_CPUSVN 0
#define DFORGE_ER_MISCSELECT 16
#define DFORGE_ER_ATTRIBUTES 48
#define DFORGE_ER_MRENCLAVE 64
#define DFORGE_ER_MRSIGNER 128
#define DFORGE_ER_CONFIGID 192
#define DFORGE_ER_ISVPRODID 256
#define DFORGE_ER_ISVSVN 258
#define DFORGE_ER_REPORTDATA 320

/* TD report body (§2.2, §2.3) */
#define DFORGE_TD_TEE_TCB_SVN 0
#define DFORGE_TD_MRSEAM 16
#define DFORGE_TD_MRSIGNERSEAM 64
#define DFORGE_TD_SEAM_ATTRIBUTES 112
#define DFORGE_TD_TD_ATTRIBUTES 120
#define DFORGE_TD_XFAM 128
#define DFORGE_TD_MRTD 136
#define DFORGE_TD_MRCONFIGID 184
#define DFORGE_TD_MROWNER 232
#define DFORGE_TD_RTMR0 328
#define DFORGE_TD_REPORTDATA 520
#define DFORGE_TD_TEE_TCB_SVN2 584
#define DFORGE_TD_MRSERVICETD 600

extern const uint8_t dforge_intel_qe_vendor[16];

/* ---- the platform the default PCK leaf describes ---- */
extern const uint8_t dforge_fmspc[6];    /* 00906ed50000 */
extern const uint8_t dforge_pceid[2];    /* 0000 */
extern const uint8_t dforge_comp[16];    /* SGX TCB comp01..16 */
#define DFORGE_PCESVN 13
extern const uint8_t dforge_cpusvn[16];
extern const uint8_t dforge_tee_tcb_svn[16]; /* module minor 5, major 1 (TDX_01), then 2 */
extern const uint8_t dforge_qe_mrsigner[32];
#define DFORGE_QE_SVN 8
#define DFORGE_QE_PRODID_SGX 1
#define DFORGE_QE_PRODID_TDX 2

/* ---- keys and certificates ---- */

struct dforge_pki {
    EVP_PKEY *root_key, *platform_key, *processor_key, *leaf_key, *tcb_key;
    X509 *root;          /* CN "Intel SGX Root CA", self-signed */
    X509 *platform_ca;   /* CN "Intel SGX PCK Platform CA" */
    X509 *processor_ca;  /* CN "Intel SGX PCK Processor CA" */
    X509 *leaf;          /* CN "Intel SGX PCK Certificate", by the Platform CA */
    X509 *processor_leaf;/* the same key and extension, by the Processor CA */
    X509 *tcb_signing;   /* CN "Intel SGX TCB Signing", by the root */
    char root_spki_hex[65];
};

bool dforge_init(void);
void dforge_cleanup(void);
const struct dforge_pki *dforge_pki(void);

/* Intel's subject name: CN=cn, O=Intel Corporation, L=Santa Clara, ST=CA, C=US. */
X509_NAME *dforge_intel_name(const char *cn);

/* A CA-shaped (ca true) or end-entity certificate, ECDSA-with-SHA256. issuer NULL:
 * self-signed with key. */
X509 *dforge_cert(const char *cn, long serial, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
                  bool ca, const char *not_before, const char *not_after);

/* What goes into a PCK leaf's SGX extension (OID 1.2.840.113741.1.13.1, §6). */
struct dforge_pck_spec {
    uint8_t ppid[16];
    uint8_t comp[16];
    uint16_t pcesvn;
    uint8_t cpusvn[16];
    uint8_t pceid[2];
    uint8_t fmspc[6];
    int sgx_type;          /* ENUMERATED; -1 leaves .5 out */
    long serial;
    const char *cn;        /* "Intel SGX PCK Certificate" */
    const char *not_before, *not_after;
    X509 *issuer;          /* NULL: the Platform CA */
    EVP_PKEY *issuer_key;
};

void dforge_pck_spec_init(struct dforge_pck_spec *s);
/* key NULL: use the forge's leaf key (no keygen). */
X509 *dforge_pck_new(const struct dforge_pck_spec *s, EVP_PKEY *key);

/* A CRL (v2, ECDSA-with-SHA256) by issuer_name revoking the given certificates' serials. */
X509_CRL *dforge_crl(X509_NAME *issuer_name, EVP_PKEY *key, const char *this_update,
                     const char *next_update, X509 *const *revoked, size_t n_revoked);

/* ECDSA P-256 / SHA-256 over msg, as 64 raw bytes r || s. */
bool dforge_sign_raw(EVP_PKEY *key, const void *msg, size_t len, uint8_t sig[64]);
/* The public key as 64 bytes X || Y. */
bool dforge_pub_xy(EVP_PKEY *key, uint8_t xy[64]);

/* ---- quotes ---- */

struct dforge_quote {
    uint16_t version;        /* 3, 4, 5 */
    uint16_t att_key_type;   /* 2 */
    uint32_t tee_type;       /* 0 SGX, 0x81 TDX */
    uint16_t body_type;      /* v5 descriptor: 1 SGX, 2 TD10, 3 TD15 */
    uint32_t body_size;      /* v5 descriptor; 0: the size of body_type */
    uint8_t header_svn[4];   /* header bytes 8..11 */
    uint8_t vendor_id[16];
    uint8_t user_data[20];
    uint8_t body[DFORGE_TD15_BODY];
    uint8_t qe_report[DFORGE_SGX_BODY];
    bool keep_qe_report_data;/* false: REPORT_DATA = SHA-256(attest key || qe_auth) || 0^32 */
    uint8_t qe_auth[64];
    uint16_t qe_auth_len;
    const char *pck_chain;   /* certification data (PEM); NULL: none */
    size_t pck_chain_len;    /* 0: strlen */
    uint16_t cert_type;      /* inner certification data type, 5 */
    uint16_t outer_type;     /* v4/v5 wrapper type, 6 */
    EVP_PKEY *attest_key;    /* NULL: a fresh P-256 key per quote */
    EVP_PKEY *pck_key;       /* signs the QE report; NULL: zero signature */
    size_t trailing;         /* bytes (0xee) appended after the signature data */
};

/* The body size a quote of this version/body type carries. */
size_t dforge_body_len(const struct dforge_quote *q);

/* version 3: SGX body; 4: TD10; 5: body_type 1, 2 or 3. Fills in default bodies, QE
 * report, header and types; pck_chain and pck_key are left to the caller. */
void dforge_quote_init(struct dforge_quote *q, unsigned version, unsigned body_type);
void dforge_sgx_body_init(uint8_t b[DFORGE_SGX_BODY]);
void dforge_td_body_init(uint8_t b[DFORGE_TD15_BODY]);
void dforge_qe_report_init(uint8_t r[DFORGE_SGX_BODY], bool tdx);

/* The quote bytes, malloc'd. */
uint8_t *dforge_quote_build(const struct dforge_quote *q, size_t *len);

/* Offsets in a built quote: the end of the signed range, the signature data, the QE
 * report. */
struct dforge_layout {
    size_t signed_len, sig_data, qe_report, qe_auth_size, cert_header, chain;
};
void dforge_quote_layout(const struct dforge_quote *q, struct dforge_layout *l);

/* ---- collateral (§7) ---- */

struct dforge_isv_level {
    unsigned isvsvn;
    const char *status;
    const char *advisory; /* NULL: no advisoryIDs */
};

struct dforge_module {
    char id[16];
    uint8_t mrsigner[48], attributes[8], mask[8];
    struct dforge_isv_level levels[4];
    size_t n_levels;
};

struct dforge_tcb_level {
    uint8_t sgx[16];
    uint16_t pcesvn;
    uint8_t tdx[16];
    const char *status;
    const char *date;     /* NULL: "2029-06-01T00:00:00Z" */
    const char *advisory; /* NULL: none */
};

struct dforge_tcb_info {
    bool tdx;
    unsigned version;    /* 3 */
    const char *issue_date, *next_update;
    uint8_t fmspc[6], pceid[2];
    unsigned tcb_type, eval;
    bool with_module;    /* TDX: tdxModule */
    uint8_t module_mrsigner[48], module_attributes[8], module_mask[8];
    struct dforge_module modules[4];
    size_t n_modules;
    struct dforge_tcb_level levels[8];
    size_t n_levels;
};

/* One level at the default platform's TCB with status; TDX adds tdxModule and TDX_01
 * (isvsvn 5 UpToDate, isvsvn 2 OutOfDate). */
void dforge_tcb_info_init(struct dforge_tcb_info *t, bool tdx, const char *status);
/* The "tcbInfo" object text, malloc'd. */
char *dforge_tcb_info_json(const struct dforge_tcb_info *t);

struct dforge_qe_identity {
    bool tdx;
    const char *issue_date, *next_update;
    unsigned eval;
    uint8_t miscselect[4], miscselect_mask[4];
    uint8_t attributes[16], attributes_mask[16];
    uint8_t mrsigner[32];
    unsigned isvprodid;
    struct dforge_isv_level levels[4];
    size_t n_levels;
};

/* QE (or TD_QE) with levels isvsvn 8 UpToDate, 6 OutOfDate, 0 Revoked. */
void dforge_qe_identity_init(struct dforge_qe_identity *q, bool tdx);
char *dforge_qe_identity_json(const struct dforge_qe_identity *q);

struct dforge_bundle {
    const char *tcb_info, *qe_identity; /* exact signed texts */
    uint8_t tcb_sig[64], qe_sig[64];
    const char *tcb_chain, *qe_chain, *pck_crl_chain; /* PEM; NULL: leave out */
    X509_CRL *root_crl, *pck_crl;                     /* NULL: leave out */
};

/* A dcap-qvl style bundle (tdx-sgx.md §7; hex DER CRLs, signatures as 128 hex), malloc'd. */
char *dforge_bundle_json(const struct dforge_bundle *b);
/* {"<member>":<text>,"signature":"<hex>"}, malloc'd. */
char *dforge_pcs_response(const char *member, const char *text, const uint8_t sig[64]);

/* ---- trust directories (encodings, scratch directories, files: forge_util.h) ---- */

/* A trust directory: root.pem and pins "dcap root <SPKI SHA-256 of root>". malloc'd. */
char *dforge_trust_dir(X509 *root);

#endif
