/* Fuzz the GHCB certificate table parser: every entry lies inside the input. */
#include "../../drivers/snp/snp.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_ctx *ctx;
    struct snp_cert_table t;

    if (attest_ctx_new(&ctx) != ATTEST_OK)
        return 0;
    if (snp_cert_table_parse(ctx, data, size, &t) == ATTEST_OK) {
        FUZZ_ASSERT(t.count <= SNP_CERT_TABLE_MAX);
        for (size_t i = 0; i < t.count; i++) {
            FUZZ_ASSERT(t.entries[i].data >= data && t.entries[i].len <= size);
            FUZZ_ASSERT((size_t)(t.entries[i].data - data) <= size - t.entries[i].len);
            FUZZ_ASSERT((size_t)(t.entries[i].data - data) >= (t.count + 1) * 24);
        }
    }
    attest_ctx_free(ctx);
    return 0;
}
