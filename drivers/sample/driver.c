/* The sample driver: detect, verify (parse -> bind -> claims) and collect. */
#include <stdlib.h>
#include <string.h>

#include "../../lib/driver.h"
#include "sample.h"

/* Sample evidence is a few hundred bytes; anything this large is named, not sniffed. */
#define SAMPLE_DETECT_MAX 4096u

static int sample_detect(const uint8_t *buf, size_t len)
{
    static const char key[] = "\"svn\"";
    size_t i = 0;

    /* cheap checks first: detection runs on every evidence, of every TEE */
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
        i++;
    if (len > SAMPLE_DETECT_MAX || i == len || buf[i] != '{')
        return 0;
    bool has_key = false;
    for (size_t j = i; !has_key && j + sizeof(key) - 1 <= len; j++)
        has_key = memcmp(buf + j, key, sizeof(key) - 1) == 0;
    if (!has_key)
        return 0;
    cJSON *root = cJSON_ParseWithLength((const char *)buf, len);
    int score = 0;

    /* A JSON object with a string "svn"; low confidence, so any hardware format that also
     * matches wins (hardware drivers score 50 and up). */
    if (cJSON_IsObject(root) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "svn")))
        score = 10;
    cJSON_Delete(root);
    return score;
}

/* Trustee's sample claims (parse_tee_evidence), with our optional init_data. */
static cJSON *sample_claims(const struct sample_evidence *ev)
{
    cJSON *c = cJSON_CreateObject();
    cJSON *pv = cJSON_CreateObject();
    bool ok = c != NULL && pv != NULL;

    ok = ok && cJSON_AddStringToObject(c, "svn", ev->svn) != NULL;
    ok = ok && cJSON_AddStringToObject(c, "report_data", ev->report_data_b64) != NULL;
    if (ev->init_data_b64 != NULL)
        ok = ok && cJSON_AddStringToObject(c, "init_data", ev->init_data_b64) != NULL;
    ok = ok && cJSON_AddStringToObject(c, "launch_digest", ev->launch_digest) != NULL;
    ok = ok && cJSON_AddNumberToObject(pv, "major", (double)ev->major) != NULL;
    ok = ok && cJSON_AddNumberToObject(pv, "minor", (double)ev->minor) != NULL;
    if (ok && cJSON_AddItemToObject(c, "platform_version", pv))
        pv = NULL;
    else
        ok = false;
    ok = ok && cJSON_AddBoolToObject(c, "debug", ev->debug) != NULL;
    cJSON_Delete(pv);
    if (!ok) {
        cJSON_Delete(c);
        return NULL;
    }
    return c;
}

static attest_status sample_verify(attest_ctx *ctx, const struct attest_verify_input *in,
                                   struct attest_verify_output *out)
{
    struct sample_evidence ev;
    cJSON *root = NULL;
    attest_status rc;

    /* parse */
    if ((rc = sample_evidence_parse(ctx, in->evidence, in->evidence_len, &root, &ev)) !=
        ATTEST_OK)
        return rc;
    /* authenticate: nothing to check; the sample TEE has no key. */
    /* bind */
    if ((rc = attest_binding__check(ctx, "sample", "report_data", "runtime data", in->runtime,
                                    ev.report_data, ev.report_data_len)) != ATTEST_OK)
        goto out;
    if (in->init->set && ev.init_data_b64 == NULL) {
        rc = attest_ctx__error(ctx, ATTEST_E_BINDING,
                               "sample: init data expected but the evidence has no init_data");
        goto out;
    }
    if ((rc = attest_binding__check(ctx, "sample", "init_data", "init data", in->init,
                                    ev.init_data, ev.init_data_len)) != ATTEST_OK)
        goto out;
    /* claims */
    cJSON *claims = sample_claims(&ev);
    if (claims == NULL) {
        rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "sample: out of memory");
        goto out;
    }
    out->claims = claims;
    out->tcb_status = "NotHardwareBacked";
    out->verdict = ATTEST_VERDICT_WARNING; /* no hardware root, whatever it claims */
    if (in->runtime->set) {
        memcpy(out->report_data, ev.report_data, ev.report_data_len);
        out->report_data_len = ev.report_data_len;
        out->report_data_checked = true;
    }
    if (in->init->set) {
        memcpy(out->init_data, ev.init_data, ev.init_data_len);
        out->init_data_len = ev.init_data_len;
        out->init_data_checked = true;
    }
out:
    cJSON_Delete(root);
    return rc;
}

/* The evidence Trustee's sample attester (guest-components) writes: svn "1". */
static attest_status sample_collect(attest_ctx *ctx, const uint8_t *report_data, size_t len,
                                    uint8_t **out, size_t *out_len)
{
    char *b64 = attest_b64__encode(ATTEST_B64_STD, report_data, len);
    cJSON *obj = cJSON_CreateObject();
    char *text = NULL;

    if (b64 != NULL && obj != NULL && cJSON_AddStringToObject(obj, "svn", "1") != NULL &&
        cJSON_AddStringToObject(obj, "report_data", b64) != NULL)
        text = cJSON_PrintUnformatted(obj);
    free(b64);
    cJSON_Delete(obj);
    if (text == NULL)
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "sample: out of memory");
    *out = (uint8_t *)text;
    *out_len = strlen(text);
    return ATTEST_OK;
}

static const char *const sample_aliases[] = {NULL};

const struct attest_driver attest_driver_sample = {
    .name = "sample",
    .aliases = sample_aliases,
    .hardware_backed = false,
    .detect = sample_detect,
    .verify = sample_verify,
    .available = NULL, /* never chosen by "auto" */
    .collect = sample_collect,
};
