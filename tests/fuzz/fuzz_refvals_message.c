/*
 * Fuzz the RVPS message reader (attest_refvals_register() on a memory store), twice per
 * input: the bytes as a message, and the bytes as the payload of a "sample" message (so
 * the payload's JSON is reached without the fuzzer having to write base64). An accepted
 * message leaves values that query as one JSON value, which the strict reader takes and
 * which attest_refvals_set() stores unchanged (compact output is a fixed point); a refused
 * one leaves a message on the ctx and the store as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "../../lib/json.h"
#include "attest/refvals.h"
#include "fuzz.h"

static void check_values(attest_ctx *ctx, attest_refvals *rv)
{
    char *names = NULL;
    struct attest_json doc;

    FUZZ_ASSERT(attest_refvals_list(rv, ATTEST_REFVALS_LIST_EXPIRED, &names) == ATTEST_OK);
    FUZZ_ASSERT(attest_json__parse(ctx, "names", names, strlen(names), &doc) == ATTEST_OK);
    FUZZ_ASSERT(attest_json__is(&doc, 0, ATTEST_JSON_ARRAY));
    for (uint32_t i = doc.v[0].first; i != ATTEST_JSON_NONE; i = doc.v[i].next) {
        const char *name = attest_json__cstr(&doc, i);
        char *value = NULL, *again = NULL;
        struct attest_json v;
        FUZZ_ASSERT(name != NULL);
        FUZZ_ASSERT(attest_refvals_query(rv, name, &value) == ATTEST_OK && value != NULL);
        FUZZ_ASSERT(attest_json__parse(ctx, "value", value, strlen(value), &v) == ATTEST_OK);
        attest_json__free(&v);
        FUZZ_ASSERT(attest_refvals_set(rv, name, value, 0) == ATTEST_OK);
        FUZZ_ASSERT(attest_refvals_query(rv, name, &again) == ATTEST_OK && again != NULL);
        FUZZ_ASSERT(strcmp(value, again) == 0);
        attest_free(value);
        attest_free(again);
    }
    attest_json__free(&doc);
    attest_free(names);
}

static void one(attest_ctx *ctx, const char *msg, size_t len)
{
    attest_refvals *rv = NULL;
    char *names = NULL;

    if (attest_refvals_open(&rv, ctx, "memory", NULL) != ATTEST_OK)
        return;
    FUZZ_ASSERT(attest_refvals_set(rv, "seed", "1", 0) == ATTEST_OK);
    attest_status rc = attest_refvals_register(rv, msg, len);
    if (rc == ATTEST_OK) {
        check_values(ctx, rv);
    } else {
        FUZZ_ASSERT(rc == ATTEST_E_PARSE || rc == ATTEST_E_UNSUPPORTED ||
                    rc == ATTEST_E_NOMEM);
        FUZZ_ASSERT(attest_ctx_last_error(ctx)[0] != '\0');
        FUZZ_ASSERT(attest_refvals_list(rv, ATTEST_REFVALS_LIST_EXPIRED, &names) == ATTEST_OK);
        FUZZ_ASSERT(strcmp(names, "[\"seed\"]") == 0);
        attest_free(names);
    }
    attest_refvals_free(rv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_ctx *ctx;

    if (attest_ctx_new(&ctx) != ATTEST_OK)
        return 0;
    if (attest_ctx_set_time(ctx, 1700000000) == ATTEST_OK) {
        one(ctx, (const char *)data, size);
        char *b64 = attest_b64__encode(ATTEST_B64_STD, data, size);
        size_t n = b64 != NULL ? strlen(b64) + 64 : 0;
        char *msg = b64 != NULL ? malloc(n) : NULL;
        if (msg != NULL) {
            int k = snprintf(msg, n, "{\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":"
                                     "\"%s\"}", b64);
            one(ctx, msg, (size_t)k);
        }
        free(msg);
        free(b64);
    }
    attest_ctx_free(ctx);
    return 0;
}
