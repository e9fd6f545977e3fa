/*
 * libattest: attestation-result tokens.
 *
 * A signer holds a private key (PEM file or memory, or generated) and mints JWTs over a
 * verification result: EAR (draft-ietf-rats-ear, the token Trustee's Attestation Service
 * issues today) or Trustee's legacy "simple" token. A token verifier checks any JWS/JWT
 * (ours, Trustee's, MAA's) against keys the caller trusts: a JWK or JWKS, roots for an
 * "x5c" chain, or the token's own header "jwk" only when the caller pinned its thumbprint.
 *
 * Algorithms: ES256, ES384, RS256, RS384, PS256, EdDSA (Ed25519). "none", HMAC and any
 * algorithm that does not fit the verification key are refused.
 */
#ifndef ATTEST_TOKEN_H
#define ATTEST_TOKEN_H

#include "common.h"
#include "ctx.h"
#include "result.h"
#include "status.h"

ATTEST_BEGIN_DECLS

typedef struct attest_signer attest_signer;

/**
 * Create a signer from an unencrypted private key in PEM (PKCS#8 or the traditional RSA/EC
 * forms): RSA 2048 to 8192 bits, EC P-256 or P-384, or Ed25519.
 * @param ctx  receives errors; must outlive the signer
 * @param alg  "ES256", "ES384", "RS256", "RS384", "PS256" or "EdDSA"; NULL picks the key's
 *             natural one (P-256 ES256, P-384 ES384, RSA RS256, Ed25519 EdDSA)
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_PARSE (not a PEM private key),
 *         ATTEST_E_UNSUPPORTED (key type, or alg does not fit the key)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_signer_new(attest_signer **out, attest_ctx *ctx,
                                                            const char *pem, size_t len,
                                                            const char *alg);

/**
 * The same from a PEM file (at most 1 MiB).
 * @return as attest_signer_new(), and ATTEST_E_IO when path cannot be read
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_signer_load(attest_signer **out,
                                                             attest_ctx *ctx, const char *path,
                                                             const char *alg);

/**
 * Create a signer with a new key for alg: P-256 for ES256, P-384 for ES384, RSA-3072 for
 * RS256, RS384 and PS256, Ed25519 for EdDSA. Like Trustee's Attestation Service without a
 * configured key, for tests and short-lived services; publish its JWK.
 * @return ATTEST_OK, ATTEST_E_ARG (unknown alg), ATTEST_E_NOMEM, ATTEST_E_INTERNAL
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_signer_generate(attest_signer **out,
                                                                 attest_ctx *ctx,
                                                                 const char *alg);

/**
 * Attach a certificate chain (PEM, leaf first) sent as the header "x5c" of every token.
 * The leaf's public key must be the signer's.
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_PARSE (no certificate),
 *         ATTEST_E_CHAIN (the leaf is not the signer's key)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_signer_set_chain(attest_signer *s,
                                                                  const char *pem, size_t len);

/** The signer's JWS algorithm name. @since 0.1 */
ATTEST_API const char *attest_signer_alg(const attest_signer *s);

/**
 * The signer's public key as a JWK: {"kty", key members, "alg", "kid"}, where kid is the
 * RFC 7638 SHA-256 thumbprint (base64url). Free with attest_free().
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_signer_jwk(const attest_signer *s, char **json);

/**
 * A JWKS {"keys": [...]} of the signers' public JWKs, as served at /.well-known/jwks.json.
 * Free with attest_free().
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_signers_jwks(attest_ctx *ctx,
                                                              const attest_signer *const *signers,
                                                              size_t n, char **json);

/** Free a signer (its key is wiped). NULL is a no-op. @since 0.1 */
ATTEST_API void attest_signer_free(attest_signer *s);

/* ---- minting ---- */

/** The token formats attest_token_mint() writes. */
typedef enum attest_token_kind {
    /** EAR: eat_profile, iat, exp, iss, ear.verifier-id, submods.<name>.{ear.status,
     * ear.trustworthiness-vector, ear.appraisal-policy-id, ear.veraison.annotated-evidence},
     * optional eat_nonce; header {"typ": "JWT", "alg", "jwk", "kid"[, "x5c"]}. */
    ATTEST_TOKEN_EAR = 1,
    /** Trustee's legacy token: iss, iat, nbf, exp, jti, tee, evaluation-reports,
     * tcb-status (a JSON string of the flattened claims), customized_claims. */
    ATTEST_TOKEN_SIMPLE = 2
} attest_token_kind;

/** The AR4SI trustworthiness vector, in EAR's order; values -128..127, 0 = no claim. */
typedef struct attest_trust_vector {
    int8_t instance_identity, configuration, executables, file_system, hardware,
        runtime_opaque, storage_opaque, sourced_data;
} attest_trust_vector;

typedef struct attest_token_opts attest_token_opts;

/**
 * Options for attest_token_mint(), with Trustee's defaults: issuer
 * "CoCo-Attestation-Service", lifetime 300 s, profile
 * "tag:github.com,2024:confidential-containers/Trustee", developer
 * "https://confidentialcontainers.org", build "libattest <version>", submodule "cpu0",
 * policy id "default", no nonce, the trust vector derived from the result's verdict.
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_token_opts_new(attest_token_opts **out);
ATTEST_API void attest_token_opts_free(attest_token_opts *o);

/** Names of the string options of attest_token_opts_set(). */
typedef enum attest_token_opt {
    ATTEST_TOKEN_OPT_ISSUER = 1,
    ATTEST_TOKEN_OPT_PROFILE,
    ATTEST_TOKEN_OPT_DEVELOPER,
    ATTEST_TOKEN_OPT_BUILD,
    ATTEST_TOKEN_OPT_SUBMOD,
    ATTEST_TOKEN_OPT_POLICY_ID,
    ATTEST_TOKEN_OPT_POLICY_HASH,   /* hex, reported in simple tokens' evaluation-reports */
    ATTEST_TOKEN_OPT_NONCE,         /* eat_nonce, 8 to 88 characters (base64 of 8..64 bytes) */
    ATTEST_TOKEN_OPT_RUNTIME_CLAIMS, /* JSON: runtime_data_claims / customized_claims */
    ATTEST_TOKEN_OPT_INIT_CLAIMS    /* JSON: init_data_claims */
} attest_token_opt;

/**
 * Set a string option (copied; NULL restores the default). JSON options must be valid JSON.
 * @return ATTEST_OK, ATTEST_E_ARG (unknown option, invalid value), ATTEST_E_NOMEM
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_token_opts_set(attest_token_opts *o,
                                                                attest_token_opt opt,
                                                                const char *value);

/** Token lifetime in seconds (1 .. 31 days; default 300). @since 0.1 */
ATTEST_API ATTEST_NODISCARD attest_status attest_token_opts_set_ttl(attest_token_opts *o,
                                                                    int64_t seconds);

/** The appraisal's trust vector (from an appraisal policy). NULL restores the default. */
ATTEST_API ATTEST_NODISCARD attest_status
attest_token_opts_set_trust_vector(attest_token_opts *o, const attest_trust_vector *tv);

/**
 * Mint a token for a verification result, signed by s; iat is the ctx time.
 * @param jwt  on ATTEST_OK the compact JWT, freed with attest_free()
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_INTERNAL
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_token_mint(attest_ctx *ctx,
                                                            const attest_signer *s,
                                                            attest_token_kind kind,
                                                            const attest_token_opts *o,
                                                            const attest_result *res,
                                                            char **jwt);

/* ---- verifying ---- */

typedef struct attest_token_verifier attest_token_verifier;

/**
 * A verifier that trusts nothing yet. Add keys with attest_token_verifier_add_jwks(),
 * attest_token_verifier_add_roots() or attest_token_verifier_pin_jwk().
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_token_verifier_new(attest_token_verifier **out,
                                                                    attest_ctx *ctx);
ATTEST_API void attest_token_verifier_free(attest_token_verifier *v);

/**
 * Trust the keys of a JWKS ({"keys": [...]}) or of one JWK. A token whose header names a
 * "kid" is checked with the keys of that kid and the keys that have none; without a kid,
 * with every key that fits.
 * @return ATTEST_OK, ATTEST_E_PARSE (naming the key), ATTEST_E_UNSUPPORTED, ATTEST_E_NOMEM
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_token_verifier_add_jwks(attest_token_verifier *v,
                                                                         const char *json,
                                                                         size_t len);

/**
 * Trust a public key given as PEM: a SubjectPublicKeyInfo ("PUBLIC KEY") or a certificate
 * (its key; the certificate itself is not checked). Tokens with any kid may use it.
 * @return ATTEST_OK, ATTEST_E_PARSE, ATTEST_E_UNSUPPORTED (key type), ATTEST_E_NOMEM
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_token_verifier_add_pem(attest_token_verifier *v,
                                                                        const char *pem,
                                                                        size_t len);

/**
 * Trust tokens whose header "x5c" chain (leaf first) ends at one of these root
 * certificates (PEM), each certificate valid at the ctx time.
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status
attest_token_verifier_add_roots(attest_token_verifier *v, const char *pem, size_t len);

/**
 * Trust a token's own header "jwk" when its RFC 7638 SHA-256 thumbprint (base64url) is
 * this one: how a relying party pins a Trustee AS key it learned out of band.
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_token_verifier_pin_jwk(attest_token_verifier *v,
                                                                        const char *thumbprint);

/** Require this "iss" (NULL: any). @since 0.1 */
ATTEST_API ATTEST_NODISCARD attest_status
attest_token_verifier_set_issuer(attest_token_verifier *v, const char *iss);

/** Require this audience in "aud" (NULL: any). @since 0.1 */
ATTEST_API ATTEST_NODISCARD attest_status
attest_token_verifier_set_audience(attest_token_verifier *v, const char *aud);

/** Clock skew allowed on exp, nbf and iat, 0 .. 600 s (default 60). @since 0.1 */
ATTEST_API ATTEST_NODISCARD attest_status
attest_token_verifier_set_leeway(attest_token_verifier *v, int64_t seconds);

/**
 * Accept tokens no older than this (now - iat <= seconds, 1 .. 10 years), and then also
 * tokens without "exp" (EAR makes exp optional; veraison's own tokens have none). Without
 * a max age, "exp" is required.
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status
attest_token_verifier_set_max_age(attest_token_verifier *v, int64_t seconds);

/**
 * Verify a compact JWS/JWT: algorithm allowed and fitting the key, signature by a trusted
 * key, exp/nbf/iat at the ctx time (with leeway; exp is required unless a max age is set),
 * iss and aud when set.
 * @param claims  on ATTEST_OK the payload exactly as signed (a JSON object, its bytes
 *                unchanged: no re-printing that could round numbers), NUL-terminated,
 *                freed with attest_free(); untouched on failure
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_PARSE (malformed token),
 *         ATTEST_E_UNSUPPORTED ("crit" or "b64" header), ATTEST_E_SIGNATURE
 *         (alg refused, or no trusted key verifies it), ATTEST_E_CHAIN (x5c), ATTEST_E_EXPIRED
 *         (exp, nbf, iat), ATTEST_E_POLICY (iss or aud), ATTEST_E_NOT_FOUND (no key)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_token_verify(attest_token_verifier *v,
                                                              const char *jwt, size_t len,
                                                              char **claims);

ATTEST_END_DECLS

#endif /* ATTEST_TOKEN_H */
