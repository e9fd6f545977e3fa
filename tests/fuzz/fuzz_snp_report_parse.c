/* Fuzz the SEV-SNP report parser: anything it accepts has consistent fields. */
#include "../../drivers/snp/snp.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_ctx *ctx;
    struct snp_report r;

    if (attest_ctx_new(&ctx) != ATTEST_OK)
        return 0;
    if (snp_report_parse(ctx, data, size, &r) == ATTEST_OK) {
        FUZZ_ASSERT(size == SNP_REPORT_SIZE && r.version >= 2 && r.version <= 5);
        FUZZ_ASSERT(r.signer == SNP_SIGNER_VCEK || r.signer == SNP_SIGNER_VLEK);
        FUZZ_ASSERT(r.vmpl <= 3 && r.sig_algo == 1);
        struct snp_tcb t;
        snp_tcb_decode(snp_product_from_cpuid(r.cpuid_fam, r.cpuid_mod), r.reported_tcb_raw, &t);
        cJSON *c = snp_claims(&r, SNP_PRODUCT_MILAN);
        FUZZ_ASSERT(c != NULL);
        cJSON_Delete(c);
    }
    attest_ctx_free(ctx);
    return 0;
}
