/* Sample evidence JSON -> struct sample_evidence. No crypto: there is none to check. */
#include <stdlib.h>
#include <string.h>

#include "sample.h"

static attest_status decode_field(attest_ctx *ctx, const char *name, const char *b64,
                                  uint8_t *out, size_t *out_len)
{
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    attest_status rc = attest_b64__decode(ATTEST_B64_STD, b64, strlen(b64), &raw, &raw_len);

    if (rc == ATTEST_E_NOMEM)
        return attest_ctx__error(ctx, rc, "sample: out of memory");
    if (rc != ATTEST_OK)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "sample: %s is not valid base64", name);
    if (raw_len > SAMPLE_FIELD_MAX) {
        free(raw);
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "sample: %s is too long (got %zu bytes, want at most %d)",
                                 name, raw_len, SAMPLE_FIELD_MAX);
    }
    memcpy(out, raw, raw_len);
    *out_len = raw_len;
    free(raw);
    return ATTEST_OK;
}

/* An optional string member: absent -> *out untouched; present but not a string -> error. */
static attest_status opt_string(attest_ctx *ctx, const cJSON *obj, const char *name,
                                const char **out)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (m == NULL)
        return ATTEST_OK;
    if (!cJSON_IsString(m))
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "sample: %s is not a string", name);
    *out = m->valuestring;
    return ATTEST_OK;
}

static attest_status version_part(attest_ctx *ctx, const cJSON *pv, const char *name,
                                  int64_t *out)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(pv, name);
    if (!cJSON_IsNumber(m) || m->valuedouble < 0 || m->valuedouble > 65535 ||
        m->valuedouble != (double)(int64_t)m->valuedouble)
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "sample: platform_version.%s is not an integer 0..65535",
                                 name);
    *out = (int64_t)m->valuedouble;
    return ATTEST_OK;
}

attest_status sample_evidence_parse(attest_ctx *ctx, const uint8_t *buf, size_t len,
                                    cJSON **root_out, struct sample_evidence *out)
{
    struct sample_evidence ev = {.report_data_b64 = "", .launch_digest = "abcde",
                                 .major = 1, .minor = 4};
    attest_status rc;
    cJSON *root = cJSON_ParseWithLength((const char *)buf, len);

    if (root == NULL)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "sample: evidence is not JSON");
    if (!cJSON_IsObject(root)) {
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "sample: evidence is not a JSON object");
        goto out;
    }
    if ((rc = opt_string(ctx, root, "svn", &ev.svn)) != ATTEST_OK)
        goto out;
    if (ev.svn == NULL) {
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "sample: svn is missing");
        goto out;
    }
    if ((rc = opt_string(ctx, root, "report_data", &ev.report_data_b64)) != ATTEST_OK ||
        (rc = decode_field(ctx, "report_data", ev.report_data_b64, ev.report_data,
                           &ev.report_data_len)) != ATTEST_OK)
        goto out;
    if ((rc = opt_string(ctx, root, "init_data", &ev.init_data_b64)) != ATTEST_OK)
        goto out;
    if (ev.init_data_b64 != NULL &&
        (rc = decode_field(ctx, "init_data", ev.init_data_b64, ev.init_data,
                           &ev.init_data_len)) != ATTEST_OK)
        goto out;
    if ((rc = opt_string(ctx, root, "launch_digest", &ev.launch_digest)) != ATTEST_OK)
        goto out;

    const cJSON *pv = cJSON_GetObjectItemCaseSensitive(root, "platform_version");
    if (pv != NULL) {
        if (!cJSON_IsObject(pv)) {
            rc = attest_ctx__error(ctx, ATTEST_E_PARSE,
                                   "sample: platform_version is not an object");
            goto out;
        }
        if ((rc = version_part(ctx, pv, "major", &ev.major)) != ATTEST_OK ||
            (rc = version_part(ctx, pv, "minor", &ev.minor)) != ATTEST_OK)
            goto out;
    }
    const cJSON *dbg = cJSON_GetObjectItemCaseSensitive(root, "debug");
    if (dbg != NULL) {
        if (!cJSON_IsBool(dbg)) {
            rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "sample: debug is not a boolean");
            goto out;
        }
        ev.debug = cJSON_IsTrue(dbg);
    }
    *out = ev;
    *root_out = root;
    root = NULL;
    rc = ATTEST_OK;
out:
    cJSON_Delete(root);
    return rc;
}
