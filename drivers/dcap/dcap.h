/*
 * Intel DCAP (ECDSA) quotes: the part shared by the tdx and sgx drivers. Never installed.
 *
 * Layouts: "Intel SGX ECDSA Quote Library API" (quote v3), "Intel TDX DCAP Quoting Library
 * API" (quote v4/v5), "Intel SGX PCK Certificate and CRL Profile", "Intel PCS API v4" (TCB
 * info v2/v3, QE identity v2). Offsets, upstream cross-checks (Intel QVL, go-tdx-guest,
 * Trustee deps/verifier/src/intel_dcap) and the TCB matching rules are in
 * ../shared/specs/evidence/tdx-sgx.md; section numbers below refer to it.
 *
 * Files: quote.c parses quotes, pck.c the PCK chain and its SGX extension, collateral.c
 * TCB info / QE identity / bundles and where they come from, tcb.c the TCB level
 * matching, verify.c the whole procedure.
 */
#ifndef ATTEST_DCAP_H
#define ATTEST_DCAP_H

#include <openssl/x509.h>

#include "../../lib/internal.h"

#define DCAP_HEADER_SIZE 48u
#define DCAP_SGX_BODY_SIZE 384u   /* ENCLAVE_REPORT (§2.1), also the QE report */
#define DCAP_TD10_BODY_SIZE 584u  /* §2.2 */
#define DCAP_TD15_BODY_SIZE 648u  /* §2.3 */
#define DCAP_TEE_SGX 0x00000000u
#define DCAP_TEE_TDX 0x00000081u

/* What a quote attests: an SGX enclave or a TD (TDX 1.0 or 1.5 body). */
enum dcap_body { DCAP_BODY_SGX = 1, DCAP_BODY_TD10 = 2, DCAP_BODY_TD15 = 3 };

/*
 * A parsed quote. Pointers point into the caller's buffer, which must outlive the struct;
 * nothing is allocated. Bytes after the signature data (real quotes are often padded to a
 * fixed buffer) are not signed and are ignored; trailing counts them.
 */
struct dcap_quote {
    const uint8_t *raw;
    uint16_t version;         /* 3, 4 or 5 */
    uint16_t att_key_type;    /* 2: ECDSA-256-with-P-256 */
    uint32_t tee_type;        /* DCAP_TEE_SGX or DCAP_TEE_TDX */
    const uint8_t *header;    /* 48 */
    enum dcap_body body_type;
    const uint8_t *body;      /* body_len bytes */
    size_t body_len;
    size_t signed_len;        /* the attestation key signs raw[0 .. signed_len) */
    const uint8_t *signature; /* 64: r || s, big-endian */
    const uint8_t *attest_key;/* 64: X || Y, big-endian */
    const uint8_t *qe_report; /* 384 */
    const uint8_t *qe_report_sig; /* 64 */
    const uint8_t *qe_auth;   /* qe_auth_len bytes */
    size_t qe_auth_len;
    const uint8_t *pck_chain; /* certification data type 5: PEM leaf, CA, root */
    size_t pck_chain_len;
    size_t trailing;
};

/*
 * Parse and structurally check a quote (§1, §3, §4): version 3 with an SGX body, 4 with a
 * TD10 body, 5 with any body type; ECDSA P-256 attestation key; Intel's QE vendor id; a
 * type-6 wrapper around type-5 certification data (v4/v5), or type 5 directly (v3). No
 * crypto. Errors name the field: "dcap: quote signature_data_len 9000 exceeds the 4600
 * bytes left".
 */
attest_status dcap_quote_parse(attest_ctx *ctx, const uint8_t *buf, size_t len,
                               struct dcap_quote *out);

/* 0..100 as the driver detect hooks want: 100 for a well-formed header of this TEE. */
int dcap_quote_detect(const uint8_t *buf, size_t len, uint32_t tee_type);

/* Little-endian readers for quote fields. */
static inline uint16_t dcap_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t dcap_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static inline uint64_t dcap_le64(const uint8_t *p)
{
    return (uint64_t)dcap_le32(p) | ((uint64_t)dcap_le32(p + 4) << 32);
}

/* ENCLAVE_REPORT offsets (§2.1), used for the SGX body and the QE report. */
#define DCAP_ER_CPUSVN 0
#define DCAP_ER_MISCSELECT 16
#define DCAP_ER_ATTRIBUTES 48
#define DCAP_ER_MRENCLAVE 64
#define DCAP_ER_MRSIGNER 128
#define DCAP_ER_CONFIGID 192
#define DCAP_ER_ISVPRODID 256
#define DCAP_ER_ISVSVN 258
#define DCAP_ER_CONFIGSVN 260
#define DCAP_ER_ISVFAMILYID 304
#define DCAP_ER_REPORTDATA 320

/* TD report body offsets (§2.2, §2.3). */
#define DCAP_TD_TEE_TCB_SVN 0
#define DCAP_TD_MRSEAM 16
#define DCAP_TD_MRSIGNERSEAM 64
#define DCAP_TD_SEAM_ATTRIBUTES 112
#define DCAP_TD_TD_ATTRIBUTES 120
#define DCAP_TD_XFAM 128
#define DCAP_TD_MRTD 136
#define DCAP_TD_MRCONFIGID 184
#define DCAP_TD_MROWNER 232
#define DCAP_TD_MROWNERCONFIG 280
#define DCAP_TD_RTMR0 328
#define DCAP_TD_REPORTDATA 520
#define DCAP_TD_TEE_TCB_SVN2 584
#define DCAP_TD_MRSERVICETD 600

/* ---- PCK certificate chain (pck.c, §5, §6) ---- */

/* What the PCK leaf's SGX extension (OID 1.2.840.113741.1.13.1) says about the platform. */
struct dcap_pck_ext {
    uint8_t ppid[16];
    uint8_t comp[16];   /* SGX TCB comp01..comp16 SVNs */
    uint16_t pcesvn;
    uint8_t cpusvn[16];
    uint8_t pceid[2];
    uint8_t fmspc[6];
    int sgx_type;       /* 0 Standard, 1 Scalable, 2 Scalable with integrity; -1 absent */
};

/* Read the SGX extension of a PCK leaf. Errors name the sub-extension that is wrong. */
attest_status dcap_pck_ext_parse(attest_ctx *ctx, X509 *leaf, struct dcap_pck_ext *out);

/* The Intel SGX Root CA's SubjectPublicKeyInfo SHA-256 (§5.1), compiled in. */
extern const uint8_t dcap_root_spki_sha256[32];

/* Whether cert carries the pinned Intel SGX Root CA key (or one pinned in a trust
 * directory's "pins" file as "dcap root <spki sha256>", for tests). */
bool dcap_is_pinned_root(attest_ctx *ctx, X509 *cert);

/* ECDSA P-256/SHA-256 over msg (or over its SHA-256 digest) with a raw 64-byte r || s
 * signature. */
bool dcap_ecdsa_verify(EVP_PKEY *key, const uint8_t sig[64], const uint8_t *msg, size_t len);
bool dcap_ecdsa_verify_digest(EVP_PKEY *key, const uint8_t sig[64], const uint8_t digest[32]);

/* An EC P-256 public key from 64 raw bytes X || Y, or NULL. */
EVP_PKEY *dcap_p256_key(const uint8_t xy[64]);

/* ---- collateral (collateral.c, §7) ---- */

/* TCB statuses, in Intel's spelling (§10). */
enum dcap_status {
    DCAP_UP_TO_DATE,
    DCAP_SW_HARDENING_NEEDED,
    DCAP_CONFIGURATION_NEEDED,
    DCAP_CONFIGURATION_AND_SW_HARDENING_NEEDED,
    DCAP_OUT_OF_DATE,
    DCAP_OUT_OF_DATE_CONFIGURATION_NEEDED,
    DCAP_TD_RELAUNCH_ADVISED,
    DCAP_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED,
    DCAP_REVOKED,
};

const char *dcap_status_name(enum dcap_status s);
/* From Intel's string; false for an unknown one. */
bool dcap_status_parse(const char *s, size_t len, enum dcap_status *out);

/* Advisory ids, e.g. "INTEL-SA-00615": one malloc'd block of NUL-separated strings. */
struct dcap_advisories {
    char **ids;
    size_t count;
};

struct dcap_tcb_level {
    uint8_t sgx[16];
    uint16_t pcesvn;
    uint8_t tdx[16];      /* TDX TCB info only */
    enum dcap_status status;
    int64_t tcb_date;
    struct dcap_advisories adv;
};

struct dcap_module_level {
    uint16_t isvsvn; /* TDX module SVNs are 8 bits, QE SVNs 16 */
    enum dcap_status status;
    int64_t tcb_date;
    struct dcap_advisories adv;
};

struct dcap_module_identity {
    char id[16];          /* "TDX_01" */
    uint8_t mrsigner[48];
    uint8_t attributes[8], attributes_mask[8];
    struct dcap_module_level *levels;
    size_t n_levels;
};

/* TCB info, SGX (v2 or v3) or TDX (v3), as signed by Intel. */
struct dcap_tcb_info {
    bool tdx;
    unsigned version;
    int64_t issue_date, next_update;
    uint32_t eval_number;
    uint8_t fmspc[6], pceid[2];
    bool has_tdx_module;
    uint8_t module_mrsigner[48], module_attributes[8], module_attributes_mask[8];
    struct dcap_module_identity *modules;
    size_t n_modules;
    struct dcap_tcb_level *levels;
    size_t n_levels;
};

/* QE identity v2 ("QE" for SGX, "TD_QE" for TDX). */
struct dcap_qe_identity {
    bool tdx;
    int64_t issue_date, next_update;
    uint32_t eval_number;
    uint32_t miscselect, miscselect_mask;
    uint8_t attributes[16], attributes_mask[16];
    uint8_t mrsigner[32];
    uint16_t isvprodid;
    struct dcap_module_level *levels;
    size_t n_levels;
};

/* One signed collateral document: the parsed form, the exact signed bytes' verdict. */
struct dcap_signed {
    uint8_t body_sha256[32];   /* of the signed JSON text */
    uint8_t sig[64];
    const char *origin;        /* a file path, or "the collateral callback" */
    bool checked, ok;          /* memo of the signature check */
    int signer;                /* with ok: index in the store's signers */
};

struct dcap_tcb_doc {
    struct dcap_tcb_info info;
    struct dcap_signed s;
};

struct dcap_qe_doc {
    struct dcap_qe_identity qe;
    struct dcap_signed s;
};

/*
 * Everything collateral sources offered, parsed once: TCB infos, QE identities, the
 * certificates of issuer chains and the CRLs. Built from the ctx's collateral and trust
 * sources (cached on the ctx) or from one callback reply. Refcounted, because the ctx
 * cache may evict it while a verification still uses it.
 */
struct dcap_store {
    int refs;
    struct dcap_tcb_doc *tcb;
    size_t n_tcb;
    struct dcap_qe_doc *qe;
    size_t n_qe;
    STACK_OF(X509) *certs;
    STACK_OF(X509_CRL) *crls;
    char **origins;            /* owned strings the docs point at */
    size_t n_origins;
    /* memo per CRL (same index as crls): the issuer whose signature verified, and the
     * CRL's dates as unix times */
    struct dcap_crl_memo {
        X509 *issuer; /* a reference, or NULL when not yet verified */
        int64_t this_update, next_update; /* next_update INT64_MAX: none */
        bool dated;
    } *crl_memo;
    /* memo: signing certificates known to chain to signers_root (a pinned root; a ctx
     * may pin a test root beside Intel's) */
    STACK_OF(X509) *signers;
    X509 *signers_root;
    bool signers_checked;
};

void dcap_store_release(struct dcap_store *s);

/* Parse a TCB info JSON object text (the signed "tcbInfo" value). */
attest_status dcap_tcb_info_parse(attest_ctx *ctx, const char *text, size_t len,
                                  struct dcap_tcb_info *out);
void dcap_tcb_info_free(struct dcap_tcb_info *t);

/* Parse a QE identity JSON object text (the signed "enclaveIdentity" value). */
attest_status dcap_qe_identity_parse(attest_ctx *ctx, const char *text, size_t len,
                                     struct dcap_qe_identity *out);
void dcap_qe_identity_free(struct dcap_qe_identity *q);

/*
 * Add what one document holds to a store: a PCS response ({"tcbInfo": ..., "signature"}
 * or {"enclaveIdentity": ..., "signature"}) or a collateral bundle (§7, the one-object
 * layout with tcb_info, qe_identity, their signatures and issuer chains, pck_crl and
 * root_ca_crl). Returns ATTEST_E_NOT_FOUND (nothing DCAP in it, not an error for a
 * directory scan), ATTEST_E_PARSE with the field named, or ATTEST_OK.
 */
attest_status dcap_store_add_document(attest_ctx *ctx, struct dcap_store *s,
                                      const char *origin, const uint8_t *buf, size_t len);

/* The ctx's sources as a store (built once, cached); a new reference. */
attest_status dcap_store_from_sources(attest_ctx *ctx, struct dcap_store **out);

/* A store from the collateral callback for (tee, fmspc, ca), or NULL when it has none. */
attest_status dcap_store_from_callback(attest_ctx *ctx, const char *tee, const uint8_t fmspc[6],
                                       const char *ca, struct dcap_store **out);

/* Whether the document's signature verifies under a TCB signing certificate chained to
 * the pinned root and valid at the ctx time; errors name what failed. */
attest_status dcap_store_check_signed(attest_ctx *ctx, struct dcap_store *s, X509 *root,
                                      const char *what, struct dcap_signed *doc);

/* ---- TCB matching (tcb.c, §9) ---- */

struct dcap_tcb_result {
    enum dcap_status status;          /* the converged verdict */
    enum dcap_status platform_status; /* the TCB level's (with the TDX module's) */
    enum dcap_status qe_status;
    int64_t tcb_date;
    struct dcap_advisories adv;       /* borrowed from the collateral; union in order */
    const char *adv_extra[8];         /* from the module and QE levels, borrowed */
    size_t n_adv_extra;
};

/*
 * Match the platform (PCK extension, and for TDX the TD body's TEE_TCB_SVN and
 * MRSIGNERSEAM/SEAM_ATTRIBUTES) against the TCB info, and the QE report against the QE
 * identity; converge the statuses the way Intel's QVL does.
 */
attest_status dcap_tcb_evaluate(attest_ctx *ctx, const char *tee, const struct dcap_quote *q,
                                const struct dcap_pck_ext *pck, const struct dcap_tcb_info *ti,
                                const struct dcap_qe_identity *qe, struct dcap_tcb_result *out);

/* ---- the whole procedure (verify.c) ---- */

/* What verification found beyond the quote itself, for the claims and the verdict. */
struct dcap_verified {
    enum dcap_status status;
    int64_t tcb_date;
    char **advisories;  /* malloc'd, count entries, each malloc'd */
    size_t n_advisories;
    struct dcap_pck_ext pck;
    char pck_ca[16];    /* "platform" or "processor" */
    uint32_t tcb_eval_number;
};

void dcap_verified_free(struct dcap_verified *v);

/*
 * Authenticate a parsed quote (§8): PCK chain to the pinned root, CRLs, collateral
 * signatures and dates, FMSPC/PCEID, QE report signature and binding, QE identity, the
 * quote signature, TCB level matching. tee is "tdx" or "sgx" (for messages and the
 * collateral callback). Revoked is ATTEST_E_REVOKED; any other status is a finding.
 */
attest_status dcap_verify_quote(attest_ctx *ctx, const char *tee, const struct dcap_quote *q,
                                struct dcap_verified *out);

#endif /* ATTEST_DCAP_H */
