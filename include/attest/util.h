/*
 * libattest: small utilities every caller needs.
 */
#ifndef ATTEST_UTIL_H
#define ATTEST_UTIL_H

#include "common.h"

ATTEST_BEGIN_DECLS

/**
 * Free memory the library returned as plain bytes or text (e.g. the output of
 * attest_json_canonicalize()). NULL is a no-op. Objects have their own _free functions.
 * @since 0.1
 */
ATTEST_API void attest_free(void *ptr);

/**
 * Compare two byte strings in time that depends only on len, not on where they differ.
 * Use it for digests, report data, nonces and tags. It is not an ordering.
 * @return 1 when equal, 0 when not (or when a or b is NULL and len > 0)
 * @since 0.1
 */
ATTEST_API int attest_ct_equal(const uint8_t *a, const uint8_t *b, size_t len);

ATTEST_END_DECLS

#endif /* ATTEST_UTIL_H */
