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

static attest_status sgx_verify(attest_ctx *ctx, const struct attest_verify_input *in,
                                struct attest_verify_output *out)
{
    uint8_t *owned = NULL;
    const uint8_t *buf;
    size_t len;
    struct dcap_quote q;
    struct dcap_verified v;
    attest_status rc;

    memset(&v, 0, sizeof(v));
    if ((rc = dcap_evidence_quote(ctx, "sgx", in->evidence, in->evidence_len, &owned, &buf,
                                  &len)) != ATTEST_OK)
        return rc;
    if ((rc = dcap_quote_parse(ctx, buf, len, &q)) != ATTEST_OK)
        goto out;
    if (q.tee_type != DCAP_TEE_SGX) {
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE,
                               "sgx: the quote is a TDX quote (tee_type 0x81); verify it as tdx");
        goto out;
    }
    if ((rc = dcap_verify_quote(ctx, "sgx", &q, &v)) != ATTEST_OK)
        goto out;
    if ((rc = attest_binding__check(ctx, "sgx", "report_data", "runtime data", in->runtime,
                                    q.body + DCAP_ER_REPORTDATA, 64)) != ATTEST_OK ||
        (rc = attest_binding__check(ctx, "sgx", "config_id", "init data", in->init,
                                    q.body + DCAP_ER_CONFIGID, 64)) != ATTEST_OK)
        goto out;
    if ((out->claims = sgx_claims(&q, &v)) == NULL) {
        rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "sgx: out of memory");
        goto out;
    }
    out->tcb_status = dcap_status_name(v.status);
    /* ATTRIBUTES.DEBUG: the enclave's memory is readable by its host */
    out->verdict = dcap_verdict(v.status, (dcap_le64(q.body + DCAP_ER_ATTRIBUTES) >> 1) & 1);
    if (in->runtime->set) {
        memcpy(out->report_data, q.body + DCAP_ER_REPORTDATA, 64);
        out->report_data_len = 64;
        out->report_data_checked = true;
    }
    if (in->init->set) {
        memcpy(out->init_data, q.body + DCAP_ER_CONFIGID, 64);
        out->init_data_len = 64;
        out->init_data_checked = true;
    }
out:
    dcap_verified_free(&v);
    free(owned);
    return rc;
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
