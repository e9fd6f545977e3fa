/*
 * What the test forges (snp_forge.c, dcap_forge.c) share: a scratch directory and files in
 * it, DER/PEM/hex/base64 encoders, and the vendor-neutral parts of building certificates,
 * CRLs and ECDSA signatures. OpenSSL 3 and libc only; nothing here uses libattest or the
 * drivers, so a forge built on it cannot share a bug with the code it tests.
 */
#ifndef ATTEST_TEST_FORGE_UTIL_H
#define ATTEST_TEST_FORGE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* ---- files ---- */

/* Create the process's scratch directory $TMPDIR/<tag>.XXXXXX (/tmp without TMPDIR). Once
 * per process: later calls return true at once, keeping the first tag. */
bool fu_tmp_init(const char *tag);
/* Remove the scratch directory and all it holds; a no-op in any process but the one that
 * created it (Check's forked tests inherit the path, not the directory's ownership). */
void fu_tmp_cleanup(void);
/* A new empty directory under the scratch directory; malloc'd path. */
char *fu_tmpdir(void);

/* Join dir and name; malloc'd. */
char *fu_path(const char *dir, const char *name);
bool fu_write(const char *dir, const char *name, const void *data, size_t len);
/* Remove path, recursively if it is a directory (links are removed, not followed). */
void fu_remove_tree(const char *path);

/* ---- encodings ---- */

uint8_t *fu_der(X509 *x, size_t *len);           /* malloc'd */
uint8_t *fu_crl_der(X509_CRL *crl, size_t *len); /* malloc'd */
char *fu_pem(X509 *const *certs, size_t n);      /* malloc'd, NUL-terminated */
char *fu_crl_pem(X509_CRL *crl);                 /* malloc'd */
/* Lowercase hex; malloc'd. */
char *fu_hex(const uint8_t *p, size_t n);
/* Base64 with padding; url selects the RFC 4648 §5 alphabet. malloc'd. */
char *fu_b64(const uint8_t *p, size_t n, bool url);
/* Lowercase hex of the SHA-256 of x's SubjectPublicKeyInfo DER (what a trust pin holds). */
bool fu_spki_hex(X509 *x, char out[65]);

/* ---- certificates and CRLs ---- */

/* A name of n attributes in the given order: fv holds n (field, value) pairs, flat.
 * Free with X509_NAME_free. */
X509_NAME *fu_name(const char *const *fv, size_t n);

/* An unsigned v3 certificate without extensions: serial, subject, issuer (the issuer
 * certificate's subject; NULL: subject, self-issued), validity and key. Times as
 * ASN1_TIME_set_string_X509 takes them ("YYYYMMDDhhmmssZ"). */
X509 *fu_cert_new(X509_NAME *subject, long serial, EVP_PKEY *key, X509 *issuer,
                  const char *not_before, const char *not_after);

/* An extension from an OpenSSL config value (e.g. NID_key_usage, "critical,keyCertSign"). */
bool fu_add_conf_ext(X509 *x, X509 *issuer, int nid, const char *value);

/* A non-critical extension oid whose extnValue is the len bytes at der. */
bool fu_add_der_ext(X509 *x, const char *oid, const unsigned char *der, int len);

/* An unsigned v2 CRL by issuer_name revoking the given certificates' serial numbers (each
 * revoked at this_update), sorted. next_update NULL: none. */
X509_CRL *fu_crl_new(X509_NAME *issuer_name, const char *this_update, const char *next_update,
                     X509 *const *revoked, size_t n_revoked);

/* ---- ECDSA ---- */

/* ECDSA over msg with digest md; r and s written as width-byte fields at r_out and s_out,
 * big-endian, or little-endian if le. */
bool fu_ecdsa_sign(EVP_PKEY *key, const EVP_MD *md, const void *msg, size_t len, size_t width,
                   bool le, uint8_t *r_out, uint8_t *s_out);

#endif
