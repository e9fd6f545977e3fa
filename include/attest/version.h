/*
 * libattest: version of the headers and of the library.
 *
 * Compare ATTEST_VERSION_NUMBER (the headers you compiled with) with
 * attest_version_number() (the library you run with) to detect skew.
 */
#ifndef ATTEST_VERSION_H
#define ATTEST_VERSION_H

#include "common.h"

#define ATTEST_VERSION_MAJOR 0
#define ATTEST_VERSION_MINOR 1
#define ATTEST_VERSION_PATCH 0
/** major * 10000 + minor * 100 + patch */
#define ATTEST_VERSION_NUMBER \
    (ATTEST_VERSION_MAJOR * 10000 + ATTEST_VERSION_MINOR * 100 + ATTEST_VERSION_PATCH)
#define ATTEST_VERSION_STRING "0.1.0"

ATTEST_BEGIN_DECLS

/**
 * The library's version as "MAJOR.MINOR.PATCH".
 * @return a static string, never NULL
 * @since 0.1
 */
ATTEST_API const char *attest_version(void);

/**
 * The library's version as major * 10000 + minor * 100 + patch.
 * @since 0.1
 */
ATTEST_API unsigned attest_version_number(void);

ATTEST_END_DECLS

#endif /* ATTEST_VERSION_H */
