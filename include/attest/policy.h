/*
 * libattest: declarative policies over claims.
 *
 * A policy is JSON text evaluated over a claims object, the text attest_result_claims_json()
 * returns ({"snp": {...}, "report_data": "..."}); a claim is named by its dotted path into
 * that object ("snp.policy.debug"). Two kinds share one grammar of conditions:
 *
 *  - a release policy, in Azure Key Vault's secure-key-release grammar
 *    ({"version": "1.0.0", "anyOf": [{"authority": ..., "allOf": [conditions]}]}),
 *    answers allowed or not: attest_policy_allows();
 *  - an appraisal policy ({"version": "1.0", "defaults": {...}, "rules": [...]}) sets the
 *    eight claims of an EAR trustworthiness vector, consulting reference values through a
 *    caller's callback, and so the EAR status: attest_policy_appraise().
 *
 * The grammar, operators and type coercions are in docs/policy.md. A parsed policy is
 * immutable: one attest_policy may be evaluated by several threads at once, each with its
 * own attest_ctx. A policy store keeps policies by id, in memory and optionally in a
 * directory.
 */
#ifndef ATTEST_POLICY_H
#define ATTEST_POLICY_H

#include "common.h"
#include "ctx.h"
#include "status.h"
#include "token.h"

ATTEST_BEGIN_DECLS

typedef struct attest_policy attest_policy;
typedef struct attest_policy_store attest_policy_store;

/** What a policy decides; fixed by its top-level members. */
typedef enum attest_policy_kind {
    /** Top level "anyOf"/"allOf" of authority blocks: allowed or not. */
    ATTEST_POLICY_RELEASE = 1,
    /** Top level "defaults"/"rules": an EAR trustworthiness vector. */
    ATTEST_POLICY_APPRAISAL = 2
} attest_policy_kind;

/**
 * An EAR status (ear.status): the AR4SI tier of a trustworthiness vector. The values are
 * the tiers' numeric values in draft-ietf-rats-ar4si, so a worse tier compares greater.
 */
typedef enum attest_ear_status {
    /** Every claim is -1 .. 1: nothing asserted. */
    ATTEST_EAR_NONE = 0,
    /** The worst claim is 2 .. 31 or -32 .. -2. */
    ATTEST_EAR_AFFIRMING = 2,
    /** The worst claim is 32 .. 95 or -96 .. -33. */
    ATTEST_EAR_WARNING = 32,
    /** Some claim is 96 .. 127 or -128 .. -97. */
    ATTEST_EAR_CONTRAINDICATED = 96
} attest_ear_status;

/**
 * A reference-value provider, e.g. a reference-value store, owned by the caller.
 * @param name      the reference value's name, e.g. "snp_launch_measurement"
 * @param json_out  on ATTEST_OK set to the value as JSON text, allocated with malloc() (the
 *                  library frees it with free()); left NULL when there is no such value
 * @param payload   the pointer given to attest_policy_appraise()
 * @return ATTEST_OK (with or without a value), ATTEST_E_NOT_FOUND (no such value); any
 *         other code fails the appraisal with that code
 */
typedef attest_status (*attest_refval_fn)(const char *name, char **json_out, void *payload);

/**
 * Parse a policy, release or appraisal (docs/policy.md). Unknown members or operators,
 * values of the wrong type and empty combinator arrays are errors, whose message names the
 * JSON path: "policy: $.anyOf[0].allOf[2].equals: expected a string, number or boolean".
 * @param out   on ATTEST_OK a new policy with no id, freed with attest_policy_free(); else
 *              untouched
 * @param ctx   receives the error; not kept
 * @param json  len bytes of UTF-8 JSON (at most 1 MiB), copied
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_PARSE, ATTEST_E_UNSUPPORTED (an
 *         unknown "version")
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_policy_new(attest_policy **out,
                                                            attest_ctx *ctx, const char *json,
                                                            size_t len);

/**
 * A built-in appraisal policy in the spirit of Trustee's default_cpu: measurements and TCB
 * levels found in the reference values give affirming claims, unknown ones warning or
 * contraindicated ones (executables 33, hardware 97, configuration 36), a debug-enabled
 * guest contraindicated (configuration 96). docs/policy.md lists its rules.
 * @param out  on ATTEST_OK a new appraisal policy, freed with attest_policy_free()
 * @param tee  "sample" or "snp" (id "default-sample", "default-snp"), or NULL for the
 *             policy covering every TEE with default rules (id "default")
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_UNSUPPORTED (no default policy
 *         for tee)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_policy_default(attest_policy **out,
                                                                attest_ctx *ctx,
                                                                const char *tee);

/** Free a policy. NULL is a no-op. @since 0.1 */
ATTEST_API void attest_policy_free(attest_policy *p);

/**
 * The policy's kind. A NULL p gives ATTEST_POLICY_RELEASE.
 * @since 0.1
 */
ATTEST_API attest_policy_kind attest_policy_kind_of(const attest_policy *p);

/**
 * The policy's id: the id it was stored under (attest_policy_store_get()) or its built-in
 * id (attest_policy_default()); NULL for a policy from attest_policy_new().
 * @return borrowed until attest_policy_free()
 * @since 0.1
 */
ATTEST_API const char *attest_policy_id(const attest_policy *p);

/**
 * Lowercase hex SHA-384 (96 digits) of the exact policy text, as Trustee reports
 * "policy-hash".
 * @return borrowed until attest_policy_free(); NULL only for a NULL p
 * @since 0.1
 */
ATTEST_API const char *attest_policy_hash(const attest_policy *p);

/**
 * The exact policy text the policy was parsed from.
 * @param len  receives its length; may be NULL
 * @return borrowed until attest_policy_free(), NUL-terminated; NULL only for a NULL p
 * @since 0.1
 */
ATTEST_API const char *attest_policy_text(const attest_policy *p, size_t *len);

/**
 * Evaluate a release policy over claims. The status says whether the evaluation ran; the
 * decision is *allowed*. A missing claim makes its condition false, never an error.
 * @param claims_json  a JSON object (attest_result_claims_json(), or a token's claims)
 * @param issuer       the issuer of the claims (a token's "iss"), compared with each
 *                     authority block's "authority"; NULL fails every block that names one
 * @param allowed      on ATTEST_OK 1 (allowed) or 0 (denied); else untouched
 * @param reason       may be NULL; on ATTEST_OK with *allowed 0, the first failing
 *                     condition ("$.anyOf[0].allOf[2]: claim snp.policy.debug is true, want
 *                     equals false"), freed with attest_free(); NULL when allowed. The same
 *                     line is logged at ATTEST_LOG_INFO
 * @return ATTEST_OK, ATTEST_E_ARG (NULL argument, or p is an appraisal policy),
 *         ATTEST_E_NOMEM, ATTEST_E_PARSE (claims_json is not a JSON object)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_policy_allows(attest_ctx *ctx,
                                                               const attest_policy *p,
                                                               const char *claims_json,
                                                               size_t len, const char *issuer,
                                                               int *allowed, char **reason);

/**
 * Appraise claims with an appraisal policy: the vector starts at the policy's defaults,
 * then every rule whose condition holds sets its claims, in order (a later rule wins); the
 * status is the worst AR4SI tier among the eight claims.
 * @param fn       reference values for "inReferenceValue" and {"referenceValue": name}
 *                 operands; NULL: there are none. Each name is asked at most once per call
 * @param payload  passed to fn
 * @param vector   on ATTEST_OK the trustworthiness vector; else untouched
 * @param status   on ATTEST_OK its EAR status; may be NULL; else untouched
 * @return ATTEST_OK, ATTEST_E_ARG (NULL argument, or p is a release policy),
 *         ATTEST_E_NOMEM, ATTEST_E_PARSE (claims_json is not a JSON object, or fn returned
 *         text that is not JSON), or the code fn returned other than ATTEST_E_NOT_FOUND
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status
attest_policy_appraise(attest_ctx *ctx, const attest_policy *p, const char *claims_json,
                       size_t len, attest_refval_fn fn, void *payload,
                       attest_trust_vector *vector, attest_ear_status *status);

/**
 * The AR4SI tier of one trustworthiness claim value (-1 .. 1 none, 2 .. 31 and -32 .. -2
 * affirming, 32 .. 95 and -96 .. -33 warning, the rest contraindicated).
 * @since 0.1
 */
ATTEST_API attest_ear_status attest_ear_status_of(int8_t value);

/**
 * The EAR status name: "none", "affirming", "warning" or "contraindicated", or NULL for
 * a value not in the enum. Static string.
 * @since 0.1
 */
ATTEST_API const char *attest_ear_status_name(attest_ear_status status);

/**
 * Create a policy store: policies by id, in memory, and when dir is not NULL also one file
 * "<id>.json" each in dir. An existing dir is loaded (every "<id>.json" must hold a valid
 * policy; other files are ignored); a missing one is created with mode 0700. The store
 * keeps no reference to ctx; it is used by one thread at a time.
 * @param dir  NULL for memory only; copied
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_IO (dir cannot be created or
 *         read), ATTEST_E_PARSE or ATTEST_E_UNSUPPORTED (a file in dir is not a valid
 *         policy; the message names it)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_policy_store_new(attest_policy_store **out,
                                                                  attest_ctx *ctx,
                                                                  const char *dir);

/** Free a store (its directory is left as it is). NULL is a no-op. @since 0.1 */
ATTEST_API void attest_policy_store_free(attest_policy_store *s);

/**
 * Store a policy under id, replacing any policy with that id. The text is parsed first and
 * stored only when valid. With a directory, the file is replaced crash-safely (a temporary
 * file, fsync, rename, fsync of the directory) before the store changes.
 * @param id  1 .. 64 characters of [A-Za-z0-9_.-]
 * @return ATTEST_OK, ATTEST_E_ARG (bad id), ATTEST_E_NOMEM, ATTEST_E_PARSE and
 *         ATTEST_E_UNSUPPORTED (as attest_policy_new()), ATTEST_E_IO (the store is unchanged)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_policy_store_set(attest_ctx *ctx,
                                                                  attest_policy_store *s,
                                                                  const char *id,
                                                                  const char *json,
                                                                  size_t len);

/**
 * Get the policy stored under id.
 * @param out  on ATTEST_OK a new policy whose attest_policy_id() is id, freed with
 *             attest_policy_free(); it does not change when the store does
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_NOT_FOUND
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_policy_store_get(attest_ctx *ctx,
                                                                  const attest_policy_store *s,
                                                                  const char *id,
                                                                  attest_policy **out);

/**
 * Delete the policy stored under id (and its file, then fsync of the directory).
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_NOT_FOUND, ATTEST_E_IO
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_policy_store_delete(attest_ctx *ctx,
                                                                     attest_policy_store *s,
                                                                     const char *id);

/**
 * Number of policies in the store. 0 for a NULL s.
 * @since 0.1
 */
ATTEST_API size_t attest_policy_store_count(const attest_policy_store *s);

/**
 * The i-th id in the store, in ascending byte order.
 * @return borrowed until the store next changes or is freed; NULL when i is out of range
 * @since 0.1
 */
ATTEST_API const char *attest_policy_store_id(const attest_policy_store *s, size_t i);

ATTEST_END_DECLS

#endif /* ATTEST_POLICY_H */
