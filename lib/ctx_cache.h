/*
 * A small cache on the context for what is immutable and costly to redo: parsed trust
 * certificates, verified intermediate chains. Keys are 32 bytes (usually a SHA-256 of
 * what the value was derived from). Never installed.
 */
#ifndef ATTEST_CTX_CACHE_H
#define ATTEST_CTX_CACHE_H

#include "internal.h"

/* The cached value for key, or NULL. Borrowed until the entry is evicted or cleared. */
void *attest_ctx__cache_get(attest_ctx *ctx, const uint8_t key[32]);

/*
 * Store value under key (the ctx takes ownership and frees it with free_fn on eviction or
 * clear). Evicts the oldest entry when full. The key must not be cached already.
 */
bool attest_ctx__cache_put(attest_ctx *ctx, const uint8_t key[32], void *value,
                           void (*free_fn)(void *));

/* Drop everything: called when trust or collateral sources change. */
void attest_ctx__cache_clear(attest_ctx *ctx);

#endif
