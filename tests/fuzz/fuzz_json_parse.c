/*
 * Fuzz the strict JSON reader (lib/json.c): an accepted document has consistent indices,
 * member counts and string lengths, every uint matches its literal, and cJSON (which is
 * more lenient: duplicate names, invalid UTF-8) accepts it too.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../../lib/json.h"
#include "fuzz.h"

static void walk(const struct attest_json *doc, uint32_t i, uint32_t *seen)
{
    const struct attest_json_value *v = &doc->v[i];
    FUZZ_ASSERT(i < doc->n);
    (*seen)++;
    switch (v->type) {
    case ATTEST_JSON_STRING:
        FUZZ_ASSERT(v->str[v->str_len] == '\0');
        break;
    case ATTEST_JSON_NUMBER:
        FUZZ_ASSERT(v->str_len > 0);
        if (v->is_uint) {
            char lit[32];
            FUZZ_ASSERT(v->str_len < sizeof(lit));
            memcpy(lit, v->str, v->str_len);
            lit[v->str_len] = '\0';
            FUZZ_ASSERT(strtoull(lit, NULL, 10) == v->uint);
        }
        break;
    case ATTEST_JSON_ARRAY:
    case ATTEST_JSON_OBJECT: {
        uint32_t n = 0;
        if (v->bytes != NULL) { /* a byte array: values inline, no members */
            FUZZ_ASSERT(v->type == ATTEST_JSON_ARRAY && v->count > 0 &&
                        v->first == ATTEST_JSON_NONE);
            uint8_t *copy = malloc(v->count);
            FUZZ_ASSERT(copy != NULL && attest_json__bytes(doc, i, copy, v->count));
            FUZZ_ASSERT(memcmp(copy, v->bytes, v->count) == 0);
            free(copy);
            break;
        }
        for (uint32_t c = v->first; c != ATTEST_JSON_NONE; c = doc->v[c].next, n++) {
            FUZZ_ASSERT(c > i && c < doc->n);
            FUZZ_ASSERT((doc->v[c].key != NULL) == (v->type == ATTEST_JSON_OBJECT));
            if (v->type == ATTEST_JSON_OBJECT)
                FUZZ_ASSERT(attest_json__get(doc, i, doc->v[c].key) != ATTEST_JSON_NONE ||
                            strlen(doc->v[c].key) != doc->v[c].key_len);
            walk(doc, c, seen);
        }
        FUZZ_ASSERT(n == v->count);
        break;
    }
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_ctx *ctx;
    struct attest_json doc;
    uint8_t bytes[64];
    uint64_t u;

    if (attest_ctx_new(&ctx) != ATTEST_OK)
        return 0;
    if (attest_json__parse(ctx, "fuzz", (const char *)data, size, &doc) == ATTEST_OK) {
        uint32_t seen = 0;
        walk(&doc, 0, &seen);
        FUZZ_ASSERT(seen == doc.n);
        (void)attest_json__bytes(&doc, 0, bytes, sizeof(bytes));
        (void)attest_json__uint(&doc, 0, UINT64_MAX, &u);
        (void)attest_json__cstr(&doc, 0);
        cJSON *c = cJSON_ParseWithLength((const char *)data, size);
        FUZZ_ASSERT(c != NULL);
        cJSON_Delete(c);
        attest_json__free(&doc);
    } else {
        FUZZ_ASSERT(attest_ctx_last_error(ctx)[0] != '\0');
    }
    attest_ctx_free(ctx);
    return 0;
}
