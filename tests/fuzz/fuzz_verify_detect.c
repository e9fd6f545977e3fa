/* Fuzz attest_verify with format detection over every driver, with a binding expected. */
#include <attest/attest.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_ctx *ctx;
    attest_request *req = NULL;
    attest_result *res = NULL;

    if (size == 0 || attest_ctx_new(&ctx) != ATTEST_OK)
        return 0;
    if (attest_ctx_set_time(ctx, 1700000000) != ATTEST_OK)
        abort();
    if (attest_request_new(&req, NULL, data, size) == ATTEST_OK &&
        attest_request_set_runtime_data(req, ATTEST_DATA_RAW, (const uint8_t *)"", 0,
                                        ATTEST_HASH_SHA384) == ATTEST_OK) {
        attest_status rc = attest_verify(ctx, req, &res);
        FUZZ_ASSERT((rc == ATTEST_OK) == (res != NULL));
        FUZZ_ASSERT(rc != ATTEST_OK || attest_result_claims_json(res) != NULL);
    }
    attest_result_free(res);
    attest_request_free(req);
    attest_ctx_free(ctx);
    return 0;
}
