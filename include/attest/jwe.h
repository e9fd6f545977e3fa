/*
 * libattest: JWE (RFC 7516) for releasing secrets to a TEE, the way Trustee's KBS answers
 * a resource request: the resource encrypted to the "tee-pubkey" JWK the TEE generated.
 *
 * Key management: RSA-OAEP-256, RSA-OAEP, RSA1_5 (compatibility only), ECDH-ES and
 * ECDH-ES+A256KW on P-256, P-384 and P-521. Content encryption: A256GCM.
 */
#ifndef ATTEST_JWE_H
#define ATTEST_JWE_H

#include "common.h"
#include "ctx.h"
#include "status.h"

ATTEST_BEGIN_DECLS

/** How attest_jwe_encrypt() serialises: RFC 7516 §7.1 compact, or §7.2.2 flattened JSON
 * (what the KBS resource endpoint returns). */
typedef enum attest_jwe_form {
    ATTEST_JWE_COMPACT = 0,
    ATTEST_JWE_FLATTENED = 1
} attest_jwe_form;

/**
 * Encrypt plaintext to the public key of a JWK.
 * @param jwk   the recipient's public JWK (RSA, or EC P-256/P-384/P-521), e.g. a KBS
 *              "tee-pubkey"; private members are ignored
 * @param alg   key management; NULL takes the JWK's "alg", else RSA-OAEP-256 for RSA and
 *              ECDH-ES+A256KW for EC
 * @param out   on ATTEST_OK the JWE text (NUL-terminated), freed with attest_free()
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_PARSE (jwk),
 *         ATTEST_E_UNSUPPORTED (alg or key type), ATTEST_E_INTERNAL
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_jwe_encrypt(attest_ctx *ctx, const char *jwk,
                                                             size_t jwk_len, const char *alg,
                                                             attest_jwe_form form,
                                                             const uint8_t *plaintext,
                                                             size_t len, char **out);

/**
 * Decrypt a JWE (compact, or flattened JSON) with a private key in PEM (PKCS#8 or the
 * traditional forms). Every failure after the header is read gives the same message, so
 * the answer is no oracle for RSA1_5 or AES-GCM.
 * @param plaintext  on ATTEST_OK the bytes (plus a NUL not counted in *out_len), freed
 *                   with attest_free()
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_PARSE (malformed JWE or key),
 *         ATTEST_E_UNSUPPORTED (alg, enc, key type), ATTEST_E_SIGNATURE (decryption or
 *         authentication failed)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_jwe_decrypt(attest_ctx *ctx, const char *pem,
                                                             size_t pem_len, const char *jwe,
                                                             size_t len, uint8_t **plaintext,
                                                             size_t *out_len);

/**
 * Generate a key pair for receiving JWEs, as a TEE does before it asks a KBS for
 * resources: EC P-256 for "ECDH-ES+A256KW" or "ECDH-ES", RSA-3072 for the RSA algorithms.
 * @param public_jwk   on ATTEST_OK {"kty", key members, "alg"}, freed with attest_free()
 * @param private_pem  on ATTEST_OK the PKCS#8 PEM private key, freed with attest_free()
 *                     (wipe it first if it matters)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_jwe_keygen(attest_ctx *ctx, const char *alg,
                                                            char **public_jwk,
                                                            char **private_pem);

ATTEST_END_DECLS

#endif /* ATTEST_JWE_H */
