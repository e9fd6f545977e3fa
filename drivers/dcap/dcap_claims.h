/* Claim builders and evidence unwrapping shared by the tdx and sgx drivers. Never
 * installed. */
#ifndef ATTEST_DCAP_CLAIMS_H
#define ATTEST_DCAP_CLAIMS_H

#include <cjson/cJSON.h>

#include "dcap.h"

bool dcap_claim_hex(cJSON *o, const char *name, const uint8_t *p, size_t n);
bool dcap_claim_num(cJSON *o, const char *name, double v);
bool dcap_claim_bool(cJSON *o, const char *name, bool v);

/* "header": version, att_key_type, tee_type, vendor_id, user_data. */
bool dcap_claims_header(cJSON *o, const struct dcap_quote *q);

/* The fields of an ENCLAVE_REPORT (SGX body) into o. */
bool dcap_claims_enclave_body(cJSON *o, const uint8_t *body);

/* tcb_status, advisory_ids, tcb_date, tcb_evaluation_data_number, pck.{fmspc, ...}. */
bool dcap_claims_tcb(cJSON *o, const struct dcap_verified *v);

/*
 * The quote inside evidence: the raw quote bytes, or Trustee's TdxEvidence/SgxEvidence
 * JSON {"quote": "<base64>", ...}. *quote points into buf or into *owned (free it).
 */
attest_status dcap_evidence_quote(attest_ctx *ctx, const char *tee, const uint8_t *buf,
                                  size_t len, uint8_t **owned, const uint8_t **quote,
                                  size_t *quote_len);

/* Detection score for a raw quote or that JSON, for this tee_type. */
int dcap_evidence_detect(const uint8_t *buf, size_t len, uint32_t tee_type);

/* What differs between the tdx and sgx drivers around the shared verification. */
struct dcap_tee {
    const char *name;            /* "tdx" */
    uint32_t tee_type;           /* DCAP_TEE_TDX */
    const char *other;           /* the message when the quote is the other TEE's */
    const char *init_field;      /* "mr_config_id" */
    size_t report_data_off;      /* in the body */
    size_t init_off, init_len;
    cJSON *(*claims)(const struct dcap_quote *q, const struct dcap_verified *v);
    bool (*debug)(const struct dcap_quote *q); /* the TD or enclave is debuggable */
};

struct attest_verify_input;
struct attest_verify_output;

/* The driver verify hook for tee: unwrap, parse, authenticate (dcap_verify_quote), bind
 * report data and init data, claims, verdict. */
attest_status dcap_driver_verify(attest_ctx *ctx, const struct dcap_tee *tee,
                                 const struct attest_verify_input *in,
                                 struct attest_verify_output *out);

/* UpToDate is affirmed; every other status that is not Revoked warns; a debug TD or
 * enclave is never affirmed. */
attest_verdict dcap_verdict(enum dcap_status s, bool debug);

#endif
