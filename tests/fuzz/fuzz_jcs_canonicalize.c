/* Fuzz RFC 8785 canonicalisation: no crash, and canonical output is a fixed point. */
#include <stdlib.h>
#include <string.h>

#include <attest/attest.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_ctx *ctx;
    char *once = NULL, *twice = NULL;
    size_t once_len, twice_len;

    if (attest_ctx_new(&ctx) != ATTEST_OK)
        return 0;
    if (attest_json_canonicalize(ctx, (const char *)data, size, &once, &once_len) == ATTEST_OK) {
        FUZZ_ASSERT(strlen(once) <= once_len); /* \u0000 may put NULs in the text */
        FUZZ_ASSERT(attest_json_canonicalize(ctx, once, once_len, &twice, &twice_len) ==
                    ATTEST_OK);
        FUZZ_ASSERT(once_len == twice_len && memcmp(once, twice, once_len) == 0);
    }
    attest_free(once);
    attest_free(twice);
    attest_ctx_free(ctx);
    return 0;
}
