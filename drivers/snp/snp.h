/*
 * AMD SEV-SNP: private types of the snp driver. Never installed.
 *
 * Layouts: AMD SEV-SNP Firmware ABI specification (pub. 56860), ATTESTATION_REPORT,
 * TCB_VERSION, GUEST_POLICY and PLATFORM_INFO; VCEK/VLEK certificates: AMD pub. 57230;
 * certificate table: GHCB specification (pub. 56421). Field notes and upstream cross-checks
 * (go-sev-guest abi/, virtee/sev, Trustee deps/verifier/src/snp) are in
 * ../shared/specs/evidence/snp.md.
 */
#ifndef ATTEST_SNP_H
#define ATTEST_SNP_H

#include <cjson/cJSON.h>
#include <openssl/x509.h>

#include "../../lib/internal.h"
#include "../../lib/tsm.h"

#define SNP_REPORT_SIZE 0x4a0u
#define SNP_SIGNED_SIZE 0x2a0u  /* ECDSA covers report[0x000 .. 0x2a0) */
#define SNP_SIG_COMPONENT 72u   /* R and S: 72 bytes little-endian each */

/* Products: each has its own ARK, ASK and ASVK, and Turin changes the TCB layout. */
enum snp_product {
    SNP_PRODUCT_UNKNOWN = 0,
    SNP_PRODUCT_MILAN,
    SNP_PRODUCT_GENOA,
    SNP_PRODUCT_TURIN,
};

/* The signing key named by KEY_INFO.SIGNING_KEY (report offset 0x048, bits 4:2). */
enum snp_signer { SNP_SIGNER_VCEK = 0, SNP_SIGNER_VLEK = 1, SNP_SIGNER_NONE = 7 };

/* TCB_VERSION decomposed; fmc only exists on Turin and later. */
struct snp_tcb {
    uint64_t raw;
    uint8_t fmc, bootloader, tee, snp, microcode;
};

/*
 * A parsed report. Byte fields point into the caller's buffer (raw), which must outlive
 * the struct; nothing here is allocated.
 */
struct snp_report {
    const uint8_t *raw; /* SNP_REPORT_SIZE bytes */
    uint32_t version, guest_svn, vmpl, sig_algo, key_info;
    uint64_t policy, platform_info;
    enum snp_signer signer;
    bool author_key_en, mask_chip_key;
    const uint8_t *family_id, *image_id;        /* 16 each */
    const uint8_t *report_data;                 /* 64 */
    const uint8_t *measurement;                 /* 48 */
    const uint8_t *host_data;                   /* 32 */
    const uint8_t *id_key_digest, *author_key_digest; /* 48 each */
    const uint8_t *report_id, *report_id_ma;    /* 32 each */
    uint64_t current_tcb_raw, reported_tcb_raw, committed_tcb_raw, launch_tcb_raw;
    bool has_cpuid;                              /* version >= 3 */
    uint8_t cpuid_fam, cpuid_mod, cpuid_step;
    const uint8_t *chip_id;                      /* 64 */
    uint8_t current_build, current_minor, current_major;
    uint8_t committed_build, committed_minor, committed_major;
    uint64_t launch_mit_vector, current_mit_vector; /* version 5 */
    const uint8_t *sig_r, *sig_s;                /* 72 each, little-endian */
};

/* Parse and structurally check a 0x4a0-byte report (versions 2 to 5; 4 is laid out as 3).
 * No crypto. */
attest_status snp_report_parse(attest_ctx *ctx, const uint8_t *buf, size_t len,
                               struct snp_report *out);

/* The product from the report's CPUID fields (v3+), or SNP_PRODUCT_UNKNOWN. */
enum snp_product snp_product_from_cpuid(uint8_t family, uint8_t model);
/* "Milan", "Genoa", "Turin"; NULL for unknown. */
const char *snp_product_name(enum snp_product p);
/* From a VCEK productName ("Milan-B0") or a plain name, or SNP_PRODUCT_UNKNOWN. */
enum snp_product snp_product_from_name(const char *name);

/* Decompose a TCB_VERSION with the product's layout (Turin differs). */
void snp_tcb_decode(enum snp_product p, uint64_t raw, struct snp_tcb *out);

/* ---- certificate table (GHCB spec, extended report / configfs-tsm auxblob) ---- */

/* BUNDLE: certificates of unstated roles (a PEM chain from MAA or the SKR sidecar); their
 * roles are found from subject names and signatures. */
enum snp_cert_kind { SNP_CERT_VCEK, SNP_CERT_VLEK, SNP_CERT_ASK, SNP_CERT_ARK, SNP_CERT_CRL,
                     SNP_CERT_OTHER, SNP_CERT_BUNDLE };

struct snp_cert_entry {
    enum snp_cert_kind kind;
    const uint8_t *data; /* borrowed from the table buffer */
    size_t len;
};

#define SNP_CERT_TABLE_MAX 16

struct snp_cert_table {
    struct snp_cert_entry entries[SNP_CERT_TABLE_MAX];
    size_t count;
};

/* Parse a GUID certificate table; entries borrow from buf. */
attest_status snp_cert_table_parse(attest_ctx *ctx, const uint8_t *buf, size_t len,
                                   struct snp_cert_table *out);

/* ---- AMD KDS knowledge: VCEK/VLEK extensions (kds.c) ---- */

struct snp_vcek_ext {
    char product_name[32]; /* productName, "" if absent */
    bool has_bl, has_tee, has_snp, has_ucode, has_fmc;
    uint8_t bl, tee, snp, ucode, fmc;
    bool has_hwid;
    uint8_t hwid[64];
    bool has_csp_id;
};

/* Read the AMD extensions (OID 1.3.6.1.4.1.3704.1.*) of a VCEK or VLEK. */
attest_status snp_vcek_ext_parse(attest_ctx *ctx, X509 *cert, struct snp_vcek_ext *out);

/* SHA-256 of the SubjectPublicKeyInfo of each product's ARK (AMD KDS cert_chain). */
const uint8_t *snp_ark_pin(enum snp_product p);

/* ---- authentication (verify.c) ---- */

/*
 * Find the VCEK/VLEK (evidence table, collateral sources, callback), chain it to the
 * pinned ARK, check validity at the ctx time, the TCB and hwID extensions, and the report
 * signature. On success sets the product and the decoded REPORTED_TCB.
 */
attest_status snp_report_authenticate(attest_ctx *ctx, const struct snp_report *rep,
                                      const struct snp_cert_table *table,
                                      enum snp_product *product, struct snp_tcb *reported);

/* The claims object for an authenticated report (claims.c); NULL on allocation failure. */
cJSON *snp_claims(const struct snp_report *rep, enum snp_product product);

/* ---- evidence formats (evidence.c) ---- */

/*
 * The report and any certificates, in whichever format the evidence came: a raw report,
 * a raw report followed by a certificate table, or hex text of either. Points into
 * the evidence or into storage owned here (free with snp_evidence_free()).
 */
struct snp_evidence {
    const uint8_t *report; /* SNP_REPORT_SIZE bytes */
    struct snp_cert_table certs;
    const char *format;    /* "raw", "raw+certs", "hex", "trustee", "maa", "skr" */
    uint8_t *owned[SNP_CERT_TABLE_MAX + 2]; /* decoded buffers, when the evidence was text */
    size_t n_owned;
};

attest_status snp_evidence_parse(attest_ctx *ctx, const uint8_t *buf, size_t len,
                                 struct snp_evidence *out);
void snp_evidence_free(struct snp_evidence *ev);
/*
 * Trustee's SnpEvidence JSON for a report and DER certificates (each may be NULL): the
 * report as virtee/sev serde fields, cert_chain entries {"cert_type", "data": [bytes]}.
 * Returns malloc'd text, or NULL on allocation failure.
 */
char *snp_evidence_to_trustee_json(const uint8_t *report, const uint8_t *vcek, size_t vcek_len,
                                   const uint8_t *ask, size_t ask_len, const uint8_t *ark,
                                   size_t ark_len);

/* The same for a certificate table (entries of kind VCEK, VLEK, ASK, ARK; others are left
 * out). */
char *snp_evidence_to_trustee_json_table(const uint8_t *report,
                                         const struct snp_cert_table *certs);

/* 0..100: how sure we are these bytes are SNP evidence (driver detect). */
int snp_evidence_detect(const uint8_t *buf, size_t len);

/* ---- collection inside a guest (collect.c) ---- */

extern const struct attest_sys_ops snp_posix_ops;

/* The driver's hooks: collect on this machine; whether this is an SEV-SNP guest. */
attest_status snp_collect(attest_ctx *ctx, const uint8_t *report_data, size_t len,
                          uint8_t **out, size_t *out_len);
bool snp_available(attest_ctx *ctx);

/* Collect evidence (Trustee SnpEvidence JSON, malloc'd) with this report data. */
attest_status snp_collect_with(attest_ctx *ctx, const struct attest_sys_ops *ops,
                               const uint8_t *report_data, size_t len, uint8_t **out,
                               size_t *out_len);

/* ---- the simulated device (simulate.c) ---- */

/* A report from the simulated device, and its certificates (DER, malloc'd). */
struct snp_sim_output {
    uint8_t report[SNP_REPORT_SIZE];
    uint8_t *vcek, *ask, *ark;
    size_t vcek_len, ask_len, ark_len;
};

/*
 * Produce a signed report with this report data (zero-padded to 64 bytes) from the
 * simulated device whose state is in state_dir (created on first use: test ARK, ASK and
 * VCEK keys and certificates, the chip id, and the "pins" file that pins the test ARK).
 */
attest_status snp_simulate_report(attest_ctx *ctx, const char *state_dir,
                                  const uint8_t *report_data, size_t len,
                                  struct snp_sim_output *out);
void snp_sim_output_free(struct snp_sim_output *o);

#endif /* ATTEST_SNP_H */
