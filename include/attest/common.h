/*
 * libattest: common definitions shared by every public header.
 *
 * Each public header includes this one, so any of them compiles on its own
 * (checked by tests/api/headers.sh as C99 -pedantic and as C++).
 */
#ifndef ATTEST_COMMON_H
#define ATTEST_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Symbol visibility: only ATTEST_API symbols listed in lib/attest.map are exported. */
#if defined(ATTEST_BUILDING_LIBRARY) && defined(__GNUC__)
#define ATTEST_API __attribute__((visibility("default")))
#else
#define ATTEST_API
#endif

/* A status that is ignored is a verification that was not checked. */
#if defined(__GNUC__) || defined(__clang__)
#define ATTEST_NODISCARD __attribute__((warn_unused_result))
#else
#define ATTEST_NODISCARD
#endif

#ifdef __cplusplus
#define ATTEST_BEGIN_DECLS extern "C" {
#define ATTEST_END_DECLS }
#else
#define ATTEST_BEGIN_DECLS
#define ATTEST_END_DECLS
#endif

#endif /* ATTEST_COMMON_H */
