/*
 * libattest: the context.
 *
 * An attest_ctx carries everything a verification depends on besides the evidence: the
 * verification time, trust anchors, collateral, a log sink, and the message of the last
 * failure. It also caches what is immutable (parsed roots, verified intermediate chains),
 * so reuse one context for many verifications.
 *
 * Threads: a context is used by one thread at a time. It may move between threads; two
 * threads verifying at once use two contexts. Nothing in the library is global.
 */
#ifndef ATTEST_CTX_H
#define ATTEST_CTX_H

#include "common.h"
#include "status.h"

ATTEST_BEGIN_DECLS

typedef struct attest_ctx attest_ctx;

/**
 * Create a context: clock "now", no trust directories, no collateral, no log sink.
 * @param out  on ATTEST_OK a new context, freed with attest_ctx_free(); else untouched
 * @return ATTEST_OK, ATTEST_E_ARG (out is NULL), ATTEST_E_NOMEM
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_ctx_new(attest_ctx **out);

/**
 * Free a context and everything it caches. NULL is a no-op.
 * @since 0.1
 */
ATTEST_API void attest_ctx_free(attest_ctx *ctx);

/**
 * The message of the last failed call on this context, one line naming the module, the
 * field and the reason, e.g. "sample: report_data does not match the expected runtime
 * data (got 67fd9a18834fab31..., want e71ce8e70d814ba6...)". Empty when no call failed.
 * @return borrowed; valid until the next call on ctx or attest_ctx_free(); never NULL
 *         (an empty string for a NULL ctx)
 * @since 0.1
 */
ATTEST_API const char *attest_ctx_last_error(const attest_ctx *ctx);

/**
 * The status of the last failed call on this context (ATTEST_OK when none failed).
 * @since 0.1
 */
ATTEST_API attest_status attest_ctx_last_status(const attest_ctx *ctx);

/**
 * Set the time at which certificates, collateral and tokens must be valid.
 * @param unix_seconds  seconds since 1970-01-01T00:00:00Z; 0 means "now" at each call
 * @return ATTEST_OK, ATTEST_E_ARG (ctx NULL or unix_seconds negative)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_ctx_set_time(attest_ctx *ctx,
                                                              int64_t unix_seconds);

/**
 * The verification time in unix seconds: the value set with attest_ctx_set_time(), or the
 * current time when none was set.
 * @since 0.1
 */
ATTEST_API int64_t attest_ctx_time(const attest_ctx *ctx);

/**
 * Add a directory of trust-anchor certificates (PEM or DER). Drivers load the certificates
 * they need from it (see each driver's page in docs/) and accept a root only when the
 * SHA-256 of its SubjectPublicKeyInfo is pinned: compiled into the library, or named by a
 * line "<tee> <label> <64 hex digits>" of a file called "pins" in a trust directory (how a
 * deliberate test root, such as the simulated SNP device's, is trusted). A certificate
 * file alone never makes a key trusted, and collateral sources cannot pin. Directories are
 * searched in the order added; their contents are read once and cached on the ctx.
 * @param path  copied; must name an existing directory
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_IO (not a readable directory)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_ctx_add_trust_dir(attest_ctx *ctx,
                                                                   const char *path);

/**
 * Add a source of collateral (certificates, CRLs, TCB info): a directory, or one file (a
 * collateral bundle). Collateral is authenticated by the driver; a source only supplies
 * bytes. Sources are searched in the order added, after the collateral callback.
 * @param path  copied; must name an existing directory or regular file
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_IO
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_ctx_add_collateral(attest_ctx *ctx,
                                                                    const char *path);

/** Where a collateral callback puts the bytes it found. */
typedef struct attest_collateral_reply attest_collateral_reply;

/**
 * Store the bytes answering a collateral query. Copies data; may be called once per query.
 * @return ATTEST_OK, ATTEST_E_ARG (NULL, empty, or a second call), ATTEST_E_NOMEM
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status
attest_collateral_reply_set(attest_collateral_reply *reply, const uint8_t *data, size_t len);

/**
 * A collateral provider, e.g. a cache in front of AMD KDS or a PCCS, owned by the caller.
 * The library never fetches anything itself.
 * @param tee      the driver asking, e.g. "snp"
 * @param kind     what is wanted, e.g. "vcek", "cert-chain", "crl" (each driver's page
 *                 lists its kinds and keys)
 * @param key      identifies the item within the kind, e.g. a product name
 * @param reply    pass to attest_collateral_reply_set() with the bytes
 * @param payload  the pointer given to attest_ctx_set_collateral_fn()
 * @return ATTEST_OK after setting the reply; ATTEST_E_NOT_FOUND when there is none (the
 *         library then tries its collateral sources); any other code fails the verification
 */
typedef attest_status (*attest_collateral_fn)(const char *tee, const char *kind,
                                              const char *key,
                                              attest_collateral_reply *reply, void *payload);

/**
 * Install (or with fn NULL, remove) the collateral callback.
 * @return ATTEST_OK, ATTEST_E_ARG (ctx NULL)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status
attest_ctx_set_collateral_fn(attest_ctx *ctx, attest_collateral_fn fn, void *payload);

typedef enum attest_log_level {
    ATTEST_LOG_ERROR = 0,
    ATTEST_LOG_WARN = 1,
    ATTEST_LOG_INFO = 2,
    ATTEST_LOG_DEBUG = 3
} attest_log_level;

/**
 * A log sink. message is one line without a newline, valid only during the call.
 */
typedef void (*attest_log_fn)(attest_log_level level, const char *message, void *payload);

/**
 * Install (or with fn NULL, remove) the log sink; messages above max_level are not built.
 * The library never prints by itself.
 * @return ATTEST_OK, ATTEST_E_ARG (ctx NULL or max_level out of range)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_ctx_set_log_fn(attest_ctx *ctx,
                                                                attest_log_level max_level,
                                                                attest_log_fn fn,
                                                                void *payload);

ATTEST_END_DECLS

#endif /* ATTEST_CTX_H */
