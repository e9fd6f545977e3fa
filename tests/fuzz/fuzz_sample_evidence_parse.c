/* Fuzz the sample evidence parser; a parse that succeeds must give consistent fields. */
#include <stdlib.h>

#include "../../drivers/sample/sample.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_ctx *ctx;
    cJSON *root = NULL;
    struct sample_evidence ev;

    if (attest_ctx_new(&ctx) != ATTEST_OK)
        return 0;
    if (sample_evidence_parse(ctx, data, size, &root, &ev) == ATTEST_OK) {
        FUZZ_ASSERT(ev.svn != NULL && ev.report_data_len <= SAMPLE_FIELD_MAX);
        FUZZ_ASSERT(ev.init_data_len <= SAMPLE_FIELD_MAX);
        cJSON_Delete(root);
    }
    attest_ctx_free(ctx);
    return 0;
}
