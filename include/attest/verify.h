/*
 * libattest: verifying evidence.
 *
 * Build an attest_request (evidence plus what you expect it to be bound to), call
 * attest_verify() with a context, read the attest_result. The steps always run in this
 * order: parse, authenticate (signatures, chain to a pinned root, revocation, validity at
 * the context's time), bind (report data, init data), extract claims. Any failed step is
 * an error with no result: there are no claims from evidence that did not verify.
 */
#ifndef ATTEST_VERIFY_H
#define ATTEST_VERIFY_H

#include "binding.h"
#include "common.h"
#include "ctx.h"
#include "result.h"
#include "status.h"

ATTEST_BEGIN_DECLS

typedef struct attest_request attest_request;

/**
 * Create a request for evidence.
 * @param out       on ATTEST_OK a new request, freed with attest_request_free(); else
 *                  untouched
 * @param tee       a TEE name or alias ("snp", "sample", ...), or NULL to detect the format
 *                  from the evidence at attest_verify()
 * @param evidence  copied; len bytes, 1 .. 16 MiB
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_UNSUPPORTED (unknown tee or one
 *         left out of this build)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_request_new(attest_request **out,
                                                             const char *tee,
                                                             const uint8_t *evidence,
                                                             size_t len);

/** Free a request. NULL is a no-op. @since 0.1 */
ATTEST_API void attest_request_free(attest_request *req);

/**
 * Expect the evidence's report data to be bound to this runtime data (see binding.h for
 * the kinds). Without this call report data is not checked. A second call replaces it.
 * @param data  copied; for ATTEST_DATA_RAW at most ATTEST_BINDING_MAX bytes
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_request_set_runtime_data(
    attest_request *req, attest_data_kind kind, const uint8_t *data, size_t len,
    attest_hash_alg alg);

/**
 * Expect the evidence's init data field (SNP HOST_DATA, TDX MRCONFIGID, ...) to be bound
 * to this init data. Without this call init data is not checked. A TEE without an init
 * data field fails verification when init data is expected.
 * @param data  copied; for ATTEST_DATA_RAW at most ATTEST_BINDING_MAX bytes
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_request_set_init_data(
    attest_request *req, attest_data_kind kind, const uint8_t *data, size_t len,
    attest_hash_alg alg);

/**
 * Verify evidence against the context's trust anchors, collateral and clock.
 * @param ctx  context; on failure holds the message (attest_ctx_last_error())
 * @param req  read only; may be freed as soon as the call returns
 * @param out  on ATTEST_OK a new result, freed with attest_result_free(); else untouched
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_PARSE, ATTEST_E_SIGNATURE,
 *         ATTEST_E_CHAIN, ATTEST_E_TCB, ATTEST_E_REVOKED, ATTEST_E_BINDING,
 *         ATTEST_E_EXPIRED, ATTEST_E_UNSUPPORTED (format not recognised, or a TEE left out
 *         of this build), ATTEST_E_NOT_FOUND (required collateral missing), ATTEST_E_IO,
 *         ATTEST_E_INTERNAL
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_verify(attest_ctx *ctx,
                                                        const attest_request *req,
                                                        attest_result **out);

/**
 * Number of TEE drivers compiled into this library.
 * @since 0.1
 */
ATTEST_API size_t attest_tee_count(void);

/**
 * Name of the i-th compiled-in TEE driver ("sample", "snp", ...), or NULL when i is out of
 * range. Static string.
 * @since 0.1
 */
ATTEST_API const char *attest_tee_name(size_t i);

ATTEST_END_DECLS

#endif /* ATTEST_VERIFY_H */
