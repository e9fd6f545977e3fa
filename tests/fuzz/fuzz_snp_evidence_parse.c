/*
 * Fuzz the SEV-SNP evidence formats (raw, raw + certificate table, hex, Trustee JSON, MAA,
 * SKR): an accepted input yields a report pointer and certificates inside valid memory,
 * and a Trustee JSON rendering of it parses back to the same report bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "../../drivers/snp/snp.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_ctx *ctx;
    struct snp_evidence ev;

    (void)snp_evidence_detect(data, size);
    if (attest_ctx_new(&ctx) != ATTEST_OK)
        return 0;
    if (snp_evidence_parse(ctx, data, size, &ev) == ATTEST_OK) {
        volatile uint8_t sink = 0;
        for (size_t i = 0; i < SNP_REPORT_SIZE; i++) /* ASan checks the bounds */
            sink ^= ev.report[i];
        for (size_t c = 0; c < ev.certs.count; c++)
            for (size_t i = 0; i < ev.certs.entries[c].len; i++)
                sink ^= ev.certs.entries[c].data[i];
        (void)sink;
        char *json = snp_evidence_to_trustee_json(ev.report, NULL, 0, NULL, 0, NULL, 0);
        FUZZ_ASSERT(json != NULL);
        struct snp_evidence back;
        if (snp_evidence_parse(ctx, (const uint8_t *)json, strlen(json), &back) == ATTEST_OK) {
            FUZZ_ASSERT(memcmp(back.report, ev.report, SNP_REPORT_SIZE) == 0);
            snp_evidence_free(&back);
        }
        free(json);
        snp_evidence_free(&ev);
    }
    attest_ctx_free(ctx);
    return 0;
}
