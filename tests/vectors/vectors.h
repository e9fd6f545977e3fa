/* Finding and reading ../shared/vectors for the vector tests (ATTEST_VECTORS). */
#ifndef ATTEST_TEST_VECTORS_H
#define ATTEST_TEST_VECTORS_H

#include <stddef.h>
#include <stdint.h>

/* Locate the vectors folder (ATTEST_VECTORS, else ../shared/vectors); exit 77 (skip) when
 * it is absent. Call first, from make_suite(). */
void vectors_init(void);

/* path = <vectors>/<rel>, for the library's path-taking calls. */
void vectors_path(char *path, size_t cap, const char *rel);

/* The whole file <vectors>/<rel>, malloc'd with a NUL after it; fails the test if absent. */
uint8_t *vectors_slurp(const char *rel, size_t *len);

#endif
