/*
 * libattest: the result of a successful verification.
 *
 * A result exists only when attest_verify() returned ATTEST_OK: the evidence is authentic
 * and bound as requested. What it says about the platform is the verdict: the TCB status
 * the TEE's collateral gives, whether the TEE is hardware-backed, and the claims. Claim
 * names are documented per TEE in docs/claims.md and are part of the API.
 */
#ifndef ATTEST_RESULT_H
#define ATTEST_RESULT_H

#include "common.h"
#include "status.h"

ATTEST_BEGIN_DECLS

typedef struct attest_result attest_result;

/**
 * What the verifier concludes about the platform, before any caller policy: the AR4SI
 * tiers that EAR tokens carry. A result only exists for authentic, correctly bound
 * evidence, so this is never "evidence rejected"; that is an error status instead.
 */
typedef enum attest_verdict {
    /** Genuine hardware at a TCB level its vendor considers current. */
    ATTEST_VERDICT_AFFIRMING = 0,
    /** Usable with care: TCB out of date or needing configuration, or no hardware root
     * (the sample TEE). */
    ATTEST_VERDICT_WARNING = 1,
    /** Authentic but not to be trusted, e.g. a debug-enabled guest. */
    ATTEST_VERDICT_CONTRAINDICATED = 2
} attest_verdict;

/** Free a result. NULL is a no-op. @since 0.1 */
ATTEST_API void attest_result_free(attest_result *res);

/**
 * Canonical name of the TEE that produced the evidence ("sample", "snp", ...).
 * @return borrowed until attest_result_free(); never NULL for a result
 * @since 0.1
 */
ATTEST_API const char *attest_result_tee(const attest_result *res);

/**
 * All claims as one compact JSON object: the TEE's claims under the TEE's name
 * ({"sample": {...}}), and, when the request asked for a binding that was checked,
 * "report_data" and "init_data" as lowercase hex of the evidence fields.
 * @return borrowed until attest_result_free(); NULL only for a NULL res
 * @since 0.1
 */
ATTEST_API const char *attest_result_claims_json(const attest_result *res);

/**
 * The platform's TCB status as the TEE's collateral states it: "UpToDate",
 * "SWHardeningNeeded", "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded",
 * "OutOfDate", "OutOfDateConfigurationNeeded", "TDRelaunchAdvised",
 * "TDRelaunchAdvisedConfigurationNeeded"; "NotHardwareBacked" for the sample TEE. The tdx
 * and sgx drivers report Intel's status from the TCB info and QE identity (a "Revoked"
 * TCB does not verify); snp reports none.
 * @return borrowed until attest_result_free(); NULL when the TEE reports no TCB status
 * @since 0.1
 */
ATTEST_API const char *attest_result_tcb_status(const attest_result *res);

/**
 * The verifier's verdict on the platform (see attest_verdict). The sample TEE always gives
 * ATTEST_VERDICT_WARNING; a NULL res gives ATTEST_VERDICT_CONTRAINDICATED.
 * @since 0.1
 */
ATTEST_API attest_verdict attest_result_verdict(const attest_result *res);

/**
 * The verdict's name: "affirming", "warning" or "contraindicated" (EAR ear.status names),
 * or NULL for a value not in the enum. Static string.
 * @since 0.1
 */
ATTEST_API const char *attest_verdict_name(attest_verdict verdict);

/**
 * Whether the evidence is rooted in hardware (0 for the sample TEE, whose evidence any
 * program can write).
 * @since 0.1
 */
ATTEST_API int attest_result_hardware_backed(const attest_result *res);

/**
 * Look up a claim by its documented dotted name ("sample.svn", "report_data"). The name is
 * matched against the nested claims, so "sample.platform_version.major" finds
 * {"sample": {"platform_version": {"major": 1}}}.
 * @param out  on ATTEST_OK the claim as compact JSON text (a string claim keeps its quotes),
 *             freed with attest_free(); else untouched
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_NOT_FOUND
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_result_claim_json(const attest_result *res,
                                                                   const char *name,
                                                                   char **out);

/**
 * A string claim.
 * @param out  on ATTEST_OK borrowed until attest_result_free(); else untouched
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOT_FOUND (absent, or not a string)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_result_claim_string(const attest_result *res,
                                                                     const char *name,
                                                                     const char **out);

/**
 * An integer claim: a JSON number with no fraction and a magnitude of at most 2^53 (claims
 * hold numbers as IEEE doubles, which are exact only up to there).
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOT_FOUND (absent, or not such a number)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_result_claim_int(const attest_result *res,
                                                                  const char *name,
                                                                  int64_t *out);

/**
 * A boolean claim, as 0 or 1.
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOT_FOUND (absent, or not a boolean)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_result_claim_bool(const attest_result *res,
                                                                   const char *name,
                                                                   int *out);

/**
 * Number of leaf claims: every value that is not an object, arrays included, named by its
 * dotted path ("sample.platform_version.major"), in document order. The names are listed
 * on the first call (so a result, like its ctx, is used by one thread at a time); 0 also
 * when that listing runs out of memory.
 * @since 0.1
 */
ATTEST_API size_t attest_result_claim_count(const attest_result *res);

/**
 * Dotted name of the i-th leaf claim (see attest_result_claim_count()); read its value with
 * attest_result_claim_json().
 * @return borrowed until attest_result_free(); NULL when i is out of range
 * @since 0.1
 */
ATTEST_API const char *attest_result_claim_name(const attest_result *res, size_t i);

ATTEST_END_DECLS

#endif /* ATTEST_RESULT_H */
