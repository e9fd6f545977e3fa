/* Certificate loading shared by drivers (lib/x509.c). Never installed. */
#ifndef ATTEST_X509_H
#define ATTEST_X509_H

#include <openssl/x509.h>

#include "internal.h"

/*
 * Append every certificate in buf (one DER certificate, or any number of PEM blocks) to
 * certs. Returns ATTEST_OK, ATTEST_E_PARSE (nothing parseable), ATTEST_E_NOMEM.
 */
attest_status attest_x509__parse_any(const uint8_t *buf, size_t len, STACK_OF(X509) *certs);

/*
 * The certificates found in the ctx's trust directories and collateral sources (each
 * regular file in a directory, or the file itself), parsed once and cached on the ctx.
 * Files that hold no certificate are skipped. Borrowed: valid until the ctx changes its
 * sources or is freed.
 */
attest_status attest_ctx__certificates(attest_ctx *ctx, STACK_OF(X509) **out);

/*
 * The CRLs (DER, or PEM "X509 CRL" blocks) found in the same sources, read and cached with
 * the certificates. Borrowed likewise. Their signatures are not checked here.
 */
attest_status attest_ctx__crls(attest_ctx *ctx, STACK_OF(X509_CRL) **out);

/* A JSON file found in the same sources (its first non-blank byte is '{'). */
struct attest_source_doc {
    const char *path;
    const uint8_t *data;
    size_t len;
};

/*
 * The JSON documents of the same sources (e.g. DCAP TCB info, QE identity, collateral
 * bundles), read and cached with the certificates, in the order found. Borrowed likewise.
 */
attest_status attest_ctx__documents(attest_ctx *ctx, const struct attest_source_doc **docs,
                                   size_t *n);

/*
 * Whether the caller pinned an extra root for tee/label (e.g. "snp", "Milan") with this
 * SPKI SHA-256: a line "<tee> <label> <64 hex digits>" in a file named "pins" in one of the
 * ctx's trust directories. This is how a deliberate test root (the simulated SNP device)
 * is trusted; compiled-in pins need no file. Lines starting with '#' are comments. The
 * files are read once, with the certificates.
 */
bool attest_ctx__extra_pin(attest_ctx *ctx, const char *tee, const char *label,
                           const uint8_t spki_sha256[32]);

/* SHA-256 of the certificate's SubjectPublicKeyInfo DER. */
bool attest_x509__spki_sha256(X509 *cert, uint8_t out[32]);

/* Whether cert is valid at unix time t (notBefore <= t <= notAfter). */
bool attest_x509__valid_at(X509 *cert, int64_t t);

/* An ASN1_TIME as unix seconds; false when OpenSSL cannot read it. */
bool attest_x509__time_unix(const ASN1_TIME *t, int64_t *out);

/* An ASN1_TIME as "YYYY-MM-DDTHH:MM:SSZ"; "-" for NULL, "?" when unreadable. */
void attest_x509__time_format(const ASN1_TIME *t, char *buf, size_t cap);

/*
 * ATTEST_OK when cert is valid at the ctx time, else ATTEST_E_EXPIRED with
 * "<tee>: <what> is not valid at <time> (valid <notBefore> to <notAfter>)".
 */
attest_status attest_x509__check_valid(attest_ctx *ctx, const char *tee, X509 *cert,
                                       const char *what);

/*
 * An ECDSA signature given as r || s (big-endian, half bytes each, as JWS, DCAP quotes and
 * Intel collateral carry it) in the DER form OpenSSL verifies. Returns the length and sets
 * *der (OPENSSL_free it), or 0 on failure.
 */
int attest_ecdsa__der(const uint8_t *rs, size_t half, unsigned char **der);

/* The subject (or issuer) common name into buf, "" if none. */
void attest_x509__cn(X509_NAME *name, char *buf, size_t cap);

#endif
