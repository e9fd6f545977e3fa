/*
 * The tdx driver: Intel TDX quotes (v4 with a TD 1.0 body, v5 with a TD 1.0 or 1.5 body),
 * raw or in Trustee's TdxEvidence JSON. Verification is drivers/dcap's; this file binds
 * REPORT_DATA to runtime data and MRCONFIGID to init data (as Trustee does), and names the
 * claims (docs/claims.md, "tdx"; Trustee deps/verifier/src/tdx/claims.rs names).
 */
#include <string.h>

#include "../../lib/driver.h"
#include "../dcap/dcap_claims.h"
#include "tdx.h"

/* TD_ATTRIBUTES bits (tdx-sgx.md §2.2; Trustee tdx/claims.rs) */
#define TD_ATTR_DEBUG (1ull << 0)
#define TD_ATTR_SEPT_VE_DISABLE (1ull << 28)
#define TD_ATTR_PKS (1ull << 30)
#define TD_ATTR_KL (1ull << 31)
#define TD_ATTR_PERFMON (1ull << 63)

static cJSON *tdx_claims(const struct dcap_quote *q, const struct dcap_verified *v)
{
    static const struct { const char *name; size_t off, len; } fields[] = {
        {"tcb_svn", DCAP_TD_TEE_TCB_SVN, 16},
        {"mr_seam", DCAP_TD_MRSEAM, 48},
        {"mrsigner_seam", DCAP_TD_MRSIGNERSEAM, 48},
        {"seam_attributes", DCAP_TD_SEAM_ATTRIBUTES, 8},
        {"td_attributes", DCAP_TD_TD_ATTRIBUTES, 8},
        {"xfam", DCAP_TD_XFAM, 8},
        {"mr_td", DCAP_TD_MRTD, 48},
        {"mr_config_id", DCAP_TD_MRCONFIGID, 48},
        {"mr_owner", DCAP_TD_MROWNER, 48},
        {"mr_owner_config", DCAP_TD_MROWNERCONFIG, 48},
        {"rtmr_0", DCAP_TD_RTMR0, 48},
        {"rtmr_1", DCAP_TD_RTMR0 + 48, 48},
        {"rtmr_2", DCAP_TD_RTMR0 + 96, 48},
        {"rtmr_3", DCAP_TD_RTMR0 + 144, 48},
        {"report_data", DCAP_TD_REPORTDATA, 64},
        {"tee_tcb_svn2", DCAP_TD_TEE_TCB_SVN2, 16},
        {"mr_servicetd", DCAP_TD_MRSERVICETD, 48},
    };
    cJSON *o = cJSON_CreateObject(), *quote, *body, *attrs;
    bool ok = o != NULL && (quote = cJSON_AddObjectToObject(o, "quote")) != NULL &&
              dcap_claims_header(quote, q) &&
              dcap_claim_num(quote, "type", q->body_type) &&
              (body = cJSON_AddObjectToObject(quote, "body")) != NULL;
    for (size_t i = 0; ok && i < sizeof(fields) / sizeof(fields[0]); i++)
        if (fields[i].off + fields[i].len <= q->body_len)
            ok = dcap_claim_hex(body, fields[i].name, q->body + fields[i].off, fields[i].len);
    uint64_t a = dcap_le64(q->body + DCAP_TD_TD_ATTRIBUTES);
    ok = ok && (attrs = cJSON_AddObjectToObject(o, "td_attributes")) != NULL &&
         dcap_claim_bool(attrs, "debug", a & TD_ATTR_DEBUG) &&
         dcap_claim_bool(attrs, "septve_disable", a & TD_ATTR_SEPT_VE_DISABLE) &&
         dcap_claim_bool(attrs, "protection_keys", a & TD_ATTR_PKS) &&
         dcap_claim_bool(attrs, "key_locker", a & TD_ATTR_KL) &&
         dcap_claim_bool(attrs, "perfmon", a & TD_ATTR_PERFMON) && dcap_claims_tcb(o, v);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static bool tdx_debug(const struct dcap_quote *q)
{
    return dcap_le64(q->body + DCAP_TD_TD_ATTRIBUTES) & TD_ATTR_DEBUG;
}

static const struct dcap_tee tdx_tee = {
    .name = "tdx",
    .tee_type = DCAP_TEE_TDX,
    .other = "the quote is an SGX quote (tee_type 0); verify it as sgx",
    .init_field = "mr_config_id",
    .report_data_off = DCAP_TD_REPORTDATA,
    .init_off = DCAP_TD_MRCONFIGID,
    .init_len = 48,
    .claims = tdx_claims,
    .debug = tdx_debug,
};

static attest_status tdx_verify(attest_ctx *ctx, const struct attest_verify_input *in,
                                struct attest_verify_output *out)
{
    return dcap_driver_verify(ctx, &tdx_tee, in, out);
}

static int tdx_detect(const uint8_t *buf, size_t len)
{
    return dcap_evidence_detect(buf, len, DCAP_TEE_TDX);
}

static const char *const tdx_aliases[] = {"TDX", NULL};

const struct attest_driver attest_driver_tdx = {
    .name = "tdx",
    .aliases = tdx_aliases,
    .hardware_backed = true,
    .detect = tdx_detect,
    .verify = tdx_verify,
    .available = tdx_available,
    .collect = tdx_collect,
    .simulate = NULL,
};
