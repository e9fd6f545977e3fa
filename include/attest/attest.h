/*
 * libattest: remote attestation for confidential computing.
 *
 * This umbrella header includes the whole public API. Start with:
 *
 *   attest_ctx *ctx;            context: clock, trust anchors, collateral, last error
 *   attest_request *req;        evidence + expected runtime/init data
 *   attest_result *res;         TEE, TCB status, claims
 *
 *   attest_ctx_new(&ctx);
 *   attest_request_new(&req, NULL, evidence, evidence_len);
 *   attest_request_set_runtime_data(req, ATTEST_DATA_JSON, json, json_len,
 *                                   ATTEST_HASH_SHA384);
 *   if (attest_verify(ctx, req, &res) == ATTEST_OK)
 *       puts(attest_result_claims_json(res));
 *   else
 *       fprintf(stderr, "%s\n", attest_ctx_last_error(ctx));
 *
 * Every call returns an attest_status (status.h); objects are opaque and freed with their
 * _free function, which accepts NULL. See docs/ for guides and one page per function.
 */
#ifndef ATTEST_ATTEST_H
#define ATTEST_ATTEST_H

#include "attester.h"
#include "binding.h"
#include "common.h"
#include "ctx.h"
#include "jwe.h"
#include "kbs.h"
#include "policy.h"
#include "refvals.h"
#include "result.h"
#include "service.h"
#include "status.h"
#include "token.h"
#include "util.h"
#include "verify.h"
#include "version.h"

#endif /* ATTEST_ATTEST_H */
