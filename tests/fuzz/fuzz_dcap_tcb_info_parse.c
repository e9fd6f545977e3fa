/* Fuzz the TCB info parser (SGX v2/v3, TDX v3), and the collateral document reader that
 * finds TCB infos inside PCS responses and bundles. */
#include "../../drivers/dcap/dcap.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_ctx *ctx;
    struct dcap_tcb_info t;

    if (attest_ctx_new(&ctx) != ATTEST_OK)
        return 0;
    if (dcap_tcb_info_parse(ctx, (const char *)data, size, &t) == ATTEST_OK) {
        FUZZ_ASSERT(t.version == 2 || t.version == 3);
        FUZZ_ASSERT(t.n_levels > 0 && t.levels != NULL);
        FUZZ_ASSERT(!t.tdx || t.has_tdx_module);
        for (size_t i = 0; i < t.n_levels; i++)
            for (size_t k = 0; k < t.levels[i].adv.count; k++)
                FUZZ_ASSERT(t.levels[i].adv.ids[k] != NULL);
        dcap_tcb_info_free(&t);
    }
    attest_ctx_free(ctx);
    return 0;
}
