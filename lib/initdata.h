/*
 * Trustee's init-data document (TOML), as the Kata agent and Trustee read it:
 *     version = "0.1.0"
 *     algorithm = "sha256" | "sha384" | "sha512"
 *     [data]
 *     "aa.toml" = '''...'''
 *     "policy.rego" = '''...'''
 * Its digest is the hash, with its own algorithm, of the exact text. Never installed.
 *
 * The reader takes the TOML subset those documents use (TOML v1.0.0): comments, bare and
 * quoted keys, basic, literal and multi-line strings, and the one table [data] whose
 * values are strings. Anything else is an error naming the line.
 */
#ifndef ATTEST_INITDATA_H
#define ATTEST_INITDATA_H

#include <cjson/cJSON.h>

#include "internal.h"

struct attest_initdata {
    char version[32];
    attest_hash_alg alg;
    cJSON *data; /* object: name -> string */
};

attest_status attest_initdata__parse(attest_ctx *ctx, const char *text, size_t len,
                                     struct attest_initdata *out);
void attest_initdata__free(struct attest_initdata *d);

#endif
