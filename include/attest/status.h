/*
 * libattest: status codes.
 *
 * Every fallible call returns an attest_status: ATTEST_OK (0) or a negative code. Codes
 * come in bands of 100, one band per kind of failure, so a caller can branch on the kind
 * with attest_status_band() while finer codes are added inside a band later. The values
 * are pinned: they never change and are only appended to (tests/unit/test_status.c).
 *
 * The fixed text of a code comes from attest_strerror(); the detail of the last failure
 * ("snp: report_data does not match the expected runtime data") is on the context, from
 * attest_ctx_last_error().
 */
#ifndef ATTEST_STATUS_H
#define ATTEST_STATUS_H

#include "common.h"

ATTEST_BEGIN_DECLS

typedef enum attest_status {
    ATTEST_OK = 0,
    /** A NULL, out-of-range or contradictory argument; the caller's bug. */
    ATTEST_E_ARG = -100,
    /** An allocation failed. */
    ATTEST_E_NOMEM = -200,
    /** Input is malformed: truncated, oversized, bad encoding, wrong type of a field. */
    ATTEST_E_PARSE = -300,
    /** A signature over evidence, a certificate or a token does not verify. */
    ATTEST_E_SIGNATURE = -400,
    /** A certificate chain does not lead to a pinned trust anchor. */
    ATTEST_E_CHAIN = -500,
    /** The platform's TCB does not match its certificate, or the TCB is revoked. */
    ATTEST_E_TCB = -600,
    /** A certificate or key is on a revocation list. */
    ATTEST_E_REVOKED = -601,
    /** Report data or init data in the evidence differs from what was expected. */
    ATTEST_E_BINDING = -700,
    /** A policy denied, or a policy is malformed. */
    ATTEST_E_POLICY = -800,
    /** A certificate, collateral or token is not valid at the verification time. */
    ATTEST_E_EXPIRED = -900,
    /** A format version, algorithm or TEE this build does not handle. */
    ATTEST_E_UNSUPPORTED = -1000,
    /** Something looked up (collateral, a claim, a TEE device) does not exist. */
    ATTEST_E_NOT_FOUND = -1100,
    /** Reading or writing a file or device failed. */
    ATTEST_E_IO = -1200,
    /** An internal invariant failed; please report it. */
    ATTEST_E_INTERNAL = -1300
} attest_status;

/**
 * Fixed English text naming a status code, e.g. "binding mismatch".
 * @param status  any value; unknown codes give "unknown status"
 * @return a static string, never NULL
 * @since 0.1
 */
ATTEST_API const char *attest_strerror(attest_status status);

/**
 * The band a code belongs to: the code rounded toward zero to a multiple of 100
 * (ATTEST_E_REVOKED -> ATTEST_E_TCB). ATTEST_OK gives ATTEST_OK; positive values give
 * ATTEST_E_ARG.
 * @since 0.1
 */
ATTEST_API attest_status attest_status_band(attest_status status);

ATTEST_END_DECLS

#endif /* ATTEST_STATUS_H */
