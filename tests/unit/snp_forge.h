/*
 * A test-side SEV-SNP forge: AMD-shaped roots, VCEKs/VLEKs, ATTESTATION_REPORTs and CRLs
 * signed by keys the test generates, for evidence that real vectors cannot give (every
 * product, every report version, each broken chain, each TCB component, revocation).
 *
 * Layouts follow ../shared/specs/evidence/snp.md: the report §1 (AMD pub. 56860,
 * ATTESTATION_REPORT), TCB_VERSION §2, KEY_INFO §5, the VCEK/VLEK certificate and its AMD
 * extensions §6 (AMD pub. 57230), the extended-report certificate table §9 (GHCB spec,
 * pub. 56421). OpenSSL 3 EVP APIs only; nothing here uses libattest, so the forge cannot
 * share a bug with the code it tests.
 *
 * Lifetime: forge_init() generates the keys once per process (call it from an unchecked
 * fixture, so Check's forked tests inherit them) and registers forge_cleanup() with atexit,
 * which frees them and removes the forge's temporary directory (fu_tmp_init) in that
 * process only.
 */
#ifndef ATTEST_TEST_SNP_FORGE_H
#define ATTEST_TEST_SNP_FORGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "forge_util.h"

#define FORGE_REPORT_SIZE 0x4a0u

/*
 * The size of the generated ARK, ASK and ASVK keys. AMD's are RSA-4096; the driver does not
 * look at the size, and keygen dominates the test's cost under valgrind: measured here, one
 * RSA-2048 key takes 7-13 s under valgrind, one RSA-1024 key 0.3 s, and the suite needs
 * seven. 1024 bits still leaves room for PSS with SHA-384 and a 48-byte salt (needs 98
 * bytes). Raise it if the driver starts checking key sizes.
 */
#define FORGE_RSA_BITS 1024

/* Certificate validity, fixed so that nothing depends on the wall clock. */
#define FORGE_NOT_BEFORE "20240101000000Z"
#define FORGE_NOT_AFTER "20490101000000Z"
#define FORGE_T_INSIDE INT64_C(1893456000)  /* 2030-01-01T00:00:00Z */
#define FORGE_T_BEFORE INT64_C(1672531200)  /* 2023-01-01T00:00:00Z */
#define FORGE_T_AFTER INT64_C(2556144000)   /* 2051-01-01T00:00:00Z */

enum forge_product { FORGE_MILAN = 0, FORGE_GENOA, FORGE_TURIN, FORGE_PRODUCTS };

/* "Milan", "Genoa", "Turin". */
const char *forge_product_name(enum forge_product p);

/* One product's AMD roots: ARK (self-signed), ASK "SEV-<P>" and ASVK "SEV-VLEK-<P>".
 * Only Genoa's ASVK has a key of its own (forge_has_vlek). */
struct forge_roots {
    EVP_PKEY *ark_key, *ask_key, *asvk_key;
    X509 *ark, *ask, *asvk;
    X509 *leaf[2];          /* default VCEK [0] and VLEK [1] (forge_has_vlek only) */
    EVP_PKEY *leaf_key[2];
};

/* Whether p has its own ASVK key and a default VLEK (Genoa only; see make_roots). */
bool forge_has_vlek(enum forge_product p);

/* Generate every product's roots (once; later calls return true at once). */
bool forge_init(void);
void forge_cleanup(void);
const struct forge_roots *forge_roots(enum forge_product p);

/* ---- certificates ---- */

/* AMD's subject name: OU=Engineering, C=US, L=Santa Clara, ST=CA, O=Advanced Micro
 * Devices, CN=cn. Free with X509_NAME_free. */
X509_NAME *forge_amd_name(const char *cn);

/* RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48: how AMD signs every certificate and CRL. */
bool forge_sign_pss_cert(X509 *x, EVP_PKEY *issuer_key);

/* A CA certificate (ARK/ASK/ASVK shape): issuer NULL means self-signed. */
X509 *forge_ca_cert(const char *cn, long serial, EVP_PKEY *key, X509 *issuer,
                    EVP_PKEY *issuer_key);

/* What goes into a VCEK or VLEK. forge_leaf_spec_init() fills in a valid default. */
struct forge_leaf_spec {
    enum forge_product product;
    bool vlek;
    const char *cn;            /* "SEV-VCEK" / "SEV-VLEK" */
    const char *product_name;  /* productName, e.g. "Milan-B0"; NULL: leave it out */
    uint8_t fmc, bl, tee, snp, ucode;
    bool with_fmc;             /* fmcSPL (.3.9): set for Turin by default */
    bool with_hwid;            /* hwID (.4): VCEK only by default */
    bool hwid_raw;             /* hwID as the 64 raw bytes (older VCEKs), not OCTET STRING */
    uint8_t hwid[64];
    bool with_csp_id;          /* cspID (.5): VLEK only by default */
    const char *not_before, *not_after;
    X509 *issuer;              /* NULL: the product's ASK (VCEK) or ASVK (VLEK) */
    EVP_PKEY *issuer_key;
};

/* The default TCB components of the forged platform. ucode 0xc8 is above 0x7f, so its
 * DER INTEGER has a leading zero byte (02 02 00 c8). */
#define FORGE_FMC 1
#define FORGE_BL 9
#define FORGE_TEE 2
#define FORGE_SNP 23
#define FORGE_UCODE 0xc8

void forge_leaf_spec_init(struct forge_leaf_spec *s, enum forge_product p, bool vlek);

/* A fresh EC P-384 key and a certificate for it. */
bool forge_leaf_new(const struct forge_leaf_spec *s, X509 **cert, EVP_PKEY **key);

/* New references to the default leaf (forge_leaf_spec_init(s, p, vlek)) made once by
 * forge_init(): most tests need only that, and P-384 keygen is what costs under valgrind. */
bool forge_default_leaf(enum forge_product p, bool vlek, X509 **cert, EVP_PKEY **key);

/* The chip id a default leaf carries for a product (Turin: 8 bytes, the rest zero). */
void forge_chip_id(enum forge_product p, uint8_t out[64]);

/* A CRL issued under issuer_name, signed with key (RSA-PSS SHA-384), revoking the given
 * certificates' serial numbers. next_update NULL: none. */
X509_CRL *forge_crl(X509_NAME *issuer_name, EVP_PKEY *key, const char *this_update,
                    const char *next_update, X509 *const *revoked, size_t n_revoked);

/* ---- the report ---- */

/* TCB_VERSION in the product's layout (snp.md §2): Milan/Genoa byte 0 BL, 1 TEE, 6 SNP,
 * 7 UCODE; Turin byte 0 FMC, 1 BL, 2 TEE, 3 SNP, 7 UCODE. */
uint64_t forge_tcb(enum forge_product p, uint8_t fmc, uint8_t bl, uint8_t tee, uint8_t snp,
                   uint8_t ucode);

struct forge_report {
    uint32_t version;
    uint32_t guest_svn, vmpl, sig_algo;
    uint64_t policy, platform_info;
    uint32_t signing_key;      /* KEY_INFO bits 4:2: 0 VCEK, 1 VLEK */
    bool mask_chip_key, author_key_en;
    uint64_t current_tcb, reported_tcb, committed_tcb, launch_tcb;
    uint8_t report_data[64], measurement[48], host_data[32], chip_id[64];
    uint8_t family_id[16], image_id[16], report_id[32], report_id_ma[32];
    uint8_t cpuid_fam, cpuid_mod, cpuid_step; /* written for version >= 3 */
    uint64_t launch_mit_vector, current_mit_vector; /* written for version >= 5 */
    uint8_t fw_build, fw_minor, fw_major;
};

/* A report matching a default leaf of product p: every TCB = the leaf's SPLs, chip id,
 * signer, the product's CPUID, policy 0x30000 (SMT, reserved bit 17). */
void forge_report_init(struct forge_report *r, enum forge_product p, uint32_t version,
                       bool vlek);

/* Lay the fields out at their offsets; the signature area stays zero. */
void forge_report_build(const struct forge_report *r, uint8_t out[FORGE_REPORT_SIZE]);

/* ECDSA P-384/SHA-384 over bytes 0x000..0x29f; R and S as 72-byte little-endian fields at
 * 0x2a0 and 0x2e8. */
bool forge_report_sign(uint8_t report[FORGE_REPORT_SIZE], EVP_PKEY *key);

/* ---- the certificate table (GHCB, snp.md §9) ---- */

/* GUIDs in the byte order libattest's parser and go-sev-guest/virtee read (RFC 4122
 * textual order, uuid.FromBytes / Uuid::from_bytes). */
extern const uint8_t forge_guid_vcek[16], forge_guid_vlek[16], forge_guid_ask[16],
    forge_guid_ark[16], forge_guid_crl[16];

struct forge_blob {
    const uint8_t *guid;
    const uint8_t *data;
    size_t len;
};

/* The table (entries, an all-zero terminator, then the blobs), zero-padded to a multiple
 * of pad (0: no padding). malloc'd. */
uint8_t *forge_cert_table(const struct forge_blob *blobs, size_t n, size_t pad, size_t *len);

/* ---- trust directories (encodings, scratch directories, files: forge_util.h) ---- */

enum {
    FORGE_TRUST_NO_PINS = 1,  /* leave out the pins file */
    FORGE_TRUST_NO_ASVK = 2,
};

/* A trust directory for product p: ark.pem, ask.pem, asvk.pem and pins
 * ("snp <Product> <SPKI SHA-256 of the ARK>"). malloc'd path. */
char *forge_trust_dir(enum forge_product p, unsigned flags);

/* The pins line for p's ARK under label (normally forge_product_name(p)). */
bool forge_pins_line(enum forge_product p, const char *label, char out[128]);

#endif
