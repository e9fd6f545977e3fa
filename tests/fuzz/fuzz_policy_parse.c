/*
 * Fuzz the policy parser (lib/policy.c, attest_policy_new): an accepted policy has a
 * 96-digit hash and its exact text, and evaluating it over a fixed claims object (as a
 * release policy with and without an issuer, or as an appraisal policy with a reference
 * value callback) succeeds with a 0/1 decision and a status of the vector; a rejected one
 * leaves a message starting "policy".
 */
#include <string.h>

#include "attest/attest.h"
#include "attest/policy.h"
#include "fuzz.h"

static const char claims[] =
    "{\"snp\":{\"measurement\":\"3a2b\",\"policy\":{\"debug\":false,\"abi_major\":0},"
    "\"reported_tcb\":{\"bootloader\":3,\"microcode\":115},\"vmpl\":0,\"x.y\":1.5},"
    "\"sample\":{\"svn\":\"1\",\"debug\":false,\"platform_version\":{\"major\":1,"
    "\"minor\":4}},\"report_data\":\"00\",\"list\":[1,2,3]}";

/* Every name has a value, derived from the name, so all operand paths run. */
static attest_status refval(const char *name, char **json_out, void *payload)
{
    static const char *const values[] = {"[\"3a2b\",\"1\"]", "[3, 115, 0]", "4", "\"1\"",
                                         "null", "{\"a\":1}", "[true,false]"};
    (void)payload;
    size_t k = strlen(name) % (sizeof(values) / sizeof(values[0]) + 1);
    if (k == sizeof(values) / sizeof(values[0]))
        return ATTEST_E_NOT_FOUND;
    *json_out = strdup(values[k]);
    return *json_out == NULL ? ATTEST_E_NOMEM : ATTEST_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_ctx *ctx;
    attest_policy *p = NULL;

    if (attest_ctx_new(&ctx) != ATTEST_OK)
        return 0;
    if (attest_policy_new(&p, ctx, (const char *)data, size) == ATTEST_OK) {
        size_t len = 0;
        FUZZ_ASSERT(strlen(attest_policy_hash(p)) == 96);
        FUZZ_ASSERT(memcmp(attest_policy_text(p, &len), data, size) == 0 && len == size);
        FUZZ_ASSERT(attest_policy_id(p) == NULL);
        if (attest_policy_kind_of(p) == ATTEST_POLICY_RELEASE) {
            for (int k = 0; k < 2; k++) {
                int allowed = -1;
                char *why = NULL;
                attest_status rc = attest_policy_allows(ctx, p, claims, strlen(claims),
                                                        k ? "https://issuer" : NULL,
                                                        &allowed, &why);
                FUZZ_ASSERT(rc == ATTEST_OK && (allowed == 0 || allowed == 1));
                FUZZ_ASSERT((why == NULL) == (allowed == 1));
                attest_free(why);
            }
        } else {
            attest_trust_vector tv;
            attest_ear_status st = ATTEST_EAR_NONE;
            attest_status rc = attest_policy_appraise(ctx, p, claims, strlen(claims), refval,
                                                      NULL, &tv, &st);
            FUZZ_ASSERT(rc == ATTEST_OK || rc == ATTEST_E_NOMEM);
            FUZZ_ASSERT(attest_ear_status_name(st) != NULL);
        }
        attest_policy_free(p);
    } else {
        FUZZ_ASSERT(strncmp(attest_ctx_last_error(ctx), "policy", 6) == 0);
    }
    attest_ctx_free(ctx);
    return 0;
}
