/*
 * The sgx driver: Intel SGX DCAP quotes (v3, or v5 with an SGX body), raw or in Trustee's
 * SgxEvidence JSON. Verification is drivers/dcap's; this file binds REPORT_DATA to
 * runtime data and CONFIGID to init data (as Trustee does), and names the claims
 * (docs/claims.md, "sgx"; Trustee deps/verifier/src/sgx/claims.rs names). SGX quotes come
 * from the caller (an enclave's QE), so there is no collection here.
 */
#include <string.h>

#include "../../lib/driver.h"
#include "../dcap/dcap_claims.h"

static cJSON *sgx_claims(const struct dcap_quote *q, const struct dcap_verified *v)
{
    cJSON *o = cJSON_CreateObject(), *body;
    bool ok = o != NULL && dcap_claims_header(o, q) &&
              (body = cJSON_AddObjectToObject(o, "body")) != NULL &&
              dcap_claims_enclave_body(body, q->body) && dcap_claims_tcb(o, v);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* ATTRIBUTES.DEBUG: the enclave's memory is readable by its host */
static bool sgx_debug(const struct dcap_quote *q)
{
    return (dcap_le64(q->body + DCAP_ER_ATTRIBUTES) >> 1) & 1;
}

static const struct dcap_tee sgx_tee = {
    .name = "sgx",
    .tee_type = DCAP_TEE_SGX,
    .other = "the quote is a TDX quote (tee_type 0x81); verify it as tdx",
    .init_field = "config_id",
    .report_data_off = DCAP_ER_REPORTDATA,
    .init_off = DCAP_ER_CONFIGID,
    .init_len = 64,
    .claims = sgx_claims,
    .debug = sgx_debug,
};

static attest_status sgx_verify(attest_ctx *ctx, const struct attest_verify_input *in,
                                struct attest_verify_output *out)
{
    return dcap_driver_verify(ctx, &sgx_tee, in, out);
}

static int sgx_detect(const uint8_t *buf, size_t len)
{
    return dcap_evidence_detect(buf, len, DCAP_TEE_SGX);
}

static const char *const sgx_aliases[] = {"SGX", NULL};

const struct attest_driver attest_driver_sgx = {
    .name = "sgx",
    .aliases = sgx_aliases,
    .hardware_backed = true,
    .detect = sgx_detect,
    .verify = sgx_verify,
    .available = NULL,
    .collect = NULL,
    .simulate = NULL,
};
