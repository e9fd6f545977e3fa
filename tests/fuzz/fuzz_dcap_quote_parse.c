/* Fuzz the DCAP quote parser: anything it accepts lies inside the input and is
 * self-consistent; the PCK chain parser and the claims builders take it without harm. */
#include <cjson/cJSON.h>

#include "../../drivers/dcap/dcap_claims.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_ctx *ctx;
    struct dcap_quote q;

    if (attest_ctx_new(&ctx) != ATTEST_OK)
        return 0;
    if (dcap_quote_parse(ctx, data, size, &q) == ATTEST_OK) {
        FUZZ_ASSERT(q.version >= 3 && q.version <= 5 && q.att_key_type == 2);
        FUZZ_ASSERT(q.body >= data && q.body + q.body_len <= data + size);
        FUZZ_ASSERT(q.signed_len == (size_t)(q.body - data) + q.body_len);
        FUZZ_ASSERT(q.pck_chain >= data && q.pck_chain + q.pck_chain_len <= data + size);
        FUZZ_ASSERT(q.qe_auth + q.qe_auth_len <= data + size);
        FUZZ_ASSERT((q.body_type == DCAP_BODY_SGX) == (q.tee_type == DCAP_TEE_SGX));
        cJSON *o = cJSON_CreateObject();
        FUZZ_ASSERT(o != NULL && dcap_claims_header(o, &q));
        if (q.body_type == DCAP_BODY_SGX)
            FUZZ_ASSERT(dcap_claims_enclave_body(o, q.body));
        cJSON_Delete(o);
    }
    (void)dcap_evidence_detect(data, size, DCAP_TEE_TDX);
    uint8_t *owned = NULL;
    const uint8_t *inner;
    size_t inner_len;
    if (dcap_evidence_quote(ctx, "tdx", data, size, &owned, &inner, &inner_len) == ATTEST_OK)
        (void)dcap_quote_parse(ctx, inner, inner_len, &q);
    free(owned);
    attest_ctx_free(ctx);
    return 0;
}
