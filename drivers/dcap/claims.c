/*
 * Claims shared by the tdx and sgx drivers (docs/claims.md): the quote header, an
 * ENCLAVE_REPORT body, and what collateral said (TCB status, advisories, FMSPC). Names
 * follow Trustee's tdx and sgx verifiers where they have one; bytes are lowercase hex,
 * numbers integers, flags booleans.
 */
#include <string.h>
#include <time.h>

#include "../../lib/driver.h"
#include "../../lib/json.h"
#include "dcap.h"
#include "dcap_claims.h"

bool dcap_claim_hex(cJSON *o, const char *name, const uint8_t *p, size_t n)
{
    char *hex = attest_hex__encode_alloc(p, n);
    bool ok = hex != NULL && cJSON_AddStringToObject(o, name, hex) != NULL;
    free(hex);
    return ok;
}

bool dcap_claim_num(cJSON *o, const char *name, double v)
{
    return cJSON_AddNumberToObject(o, name, v) != NULL;
}

bool dcap_claim_bool(cJSON *o, const char *name, bool v)
{
    return cJSON_AddBoolToObject(o, name, v) != NULL;
}

bool dcap_claims_header(cJSON *o, const struct dcap_quote *q)
{
    cJSON *h = cJSON_AddObjectToObject(o, "header");
    return h != NULL && dcap_claim_num(h, "version", q->version) &&
           dcap_claim_num(h, "att_key_type", q->att_key_type) &&
           dcap_claim_num(h, "tee_type", q->tee_type) &&
           dcap_claim_hex(h, "vendor_id", q->header + 12, 16) &&
           dcap_claim_hex(h, "user_data", q->header + 28, 20);
}

bool dcap_claims_enclave_body(cJSON *o, const uint8_t *b)
{
    uint64_t flags = dcap_le64(b + DCAP_ER_ATTRIBUTES);
    cJSON *a;
    return dcap_claim_hex(o, "cpu_svn", b + DCAP_ER_CPUSVN, 16) &&
           dcap_claim_num(o, "misc_select", dcap_le32(b + DCAP_ER_MISCSELECT)) &&
           dcap_claim_hex(o, "isv_ext_prod_id", b + 32, 16) &&
           dcap_claim_hex(o, "attributes", b + DCAP_ER_ATTRIBUTES, 16) &&
           dcap_claim_hex(o, "mr_enclave", b + DCAP_ER_MRENCLAVE, 32) &&
           dcap_claim_hex(o, "mr_signer", b + DCAP_ER_MRSIGNER, 32) &&
           dcap_claim_hex(o, "config_id", b + DCAP_ER_CONFIGID, 64) &&
           dcap_claim_num(o, "isv_prod_id", dcap_le16(b + DCAP_ER_ISVPRODID)) &&
           dcap_claim_num(o, "isv_svn", dcap_le16(b + DCAP_ER_ISVSVN)) &&
           dcap_claim_num(o, "config_svn", dcap_le16(b + DCAP_ER_CONFIGSVN)) &&
           dcap_claim_hex(o, "isv_family_id", b + DCAP_ER_ISVFAMILYID, 16) &&
           dcap_claim_hex(o, "report_data", b + DCAP_ER_REPORTDATA, 64) &&
           (a = cJSON_AddObjectToObject(o, "attributes_flags")) != NULL &&
           dcap_claim_bool(a, "debug", (flags >> 1) & 1) &&
           dcap_claim_bool(a, "mode64bit", (flags >> 2) & 1) &&
           dcap_claim_bool(a, "provision_key", (flags >> 4) & 1) &&
           dcap_claim_bool(a, "einittoken_key", (flags >> 5) & 1) &&
           dcap_claim_bool(a, "kss", (flags >> 7) & 1);
}

bool dcap_claims_tcb(cJSON *o, const struct dcap_verified *v)
{
    char date[32];
    time_t t = (time_t)v->tcb_date;
    struct tm tm;
    cJSON *adv;
    if (gmtime_r(&t, &tm) == NULL || strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return false;
    if (cJSON_AddStringToObject(o, "tcb_status", dcap_status_name(v->status)) == NULL ||
        (adv = cJSON_AddArrayToObject(o, "advisory_ids")) == NULL)
        return false;
    for (size_t i = 0; i < v->n_advisories; i++) {
        cJSON *s = cJSON_CreateString(v->advisories[i]);
        if (s == NULL || !cJSON_AddItemToArray(adv, s)) {
            cJSON_Delete(s);
            return false;
        }
    }
    cJSON *p = cJSON_AddObjectToObject(o, "pck");
    return cJSON_AddStringToObject(o, "tcb_date", date) != NULL &&
           dcap_claim_num(o, "tcb_evaluation_data_number", v->tcb_eval_number) && p != NULL &&
           dcap_claim_hex(p, "fmspc", v->pck.fmspc, 6) &&
           dcap_claim_hex(p, "pce_id", v->pck.pceid, 2) &&
           dcap_claim_num(p, "pce_svn", v->pck.pcesvn) &&
           dcap_claim_hex(p, "cpu_svn", v->pck.cpusvn, 16) &&
           dcap_claim_hex(p, "tcb_components", v->pck.comp, 16) &&
           cJSON_AddStringToObject(p, "ca", v->pck_ca) != NULL &&
           dcap_claim_num(p, "sgx_type", v->pck.sgx_type);
}

attest_status dcap_evidence_quote(attest_ctx *ctx, const char *tee, const uint8_t *buf,
                                  size_t len, uint8_t **owned, const uint8_t **quote,
                                  size_t *quote_len)
{
    size_t i = 0;
    *owned = NULL;
    while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
        i++;
    if (i == len || buf[i] != '{') { /* the raw quote */
        *quote = buf;
        *quote_len = len;
        return ATTEST_OK;
    }
    /* Trustee's TdxEvidence / SgxEvidence: {"quote": "<base64>", ...} */
    struct attest_json doc;
    attest_status rc = attest_json__parse(ctx, tee, (const char *)buf, len, &doc);
    if (rc != ATTEST_OK)
        return rc;
    uint32_t q = attest_json__get(&doc, 0, "quote");
    if (!attest_json__is(&doc, 0, ATTEST_JSON_OBJECT) ||
        !attest_json__is(&doc, q, ATTEST_JSON_STRING)) {
        attest_json__free(&doc);
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "%s: evidence JSON has no \"quote\" string", tee);
    }
    size_t n = 0;
    rc = attest_b64__decode(ATTEST_B64_STD, doc.v[q].str, doc.v[q].str_len, owned, &n);
    attest_json__free(&doc);
    if (rc == ATTEST_E_PARSE)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "%s: evidence quote is not base64", tee);
    if (rc != ATTEST_OK)
        return attest_ctx__error(ctx, rc, "%s: out of memory", tee);
    *quote = *owned;
    *quote_len = n;
    return ATTEST_OK;
}

int dcap_evidence_detect(const uint8_t *buf, size_t len, uint32_t tee_type)
{
    if (buf == NULL)
        return 0;
    if (len > 0 && buf[0] != '{')
        return dcap_quote_detect(buf, len, tee_type);
    /* {"quote": "<base64>"}: decode the first 64 characters, the 48-byte header */
    const char *key = "\"quote\"";
    size_t klen = strlen(key);
    /* Trustee writes cc_eventlog (tens of KiB of base64, which holds no '"') before the
     * quote, so look through the whole text */
    for (size_t i = 0; i + klen < len; i++) {
        if (buf[i] != '"' || memcmp(buf + i, key, klen) != 0)
            continue;
        size_t j = i + klen;
        while (j < len && (buf[j] == ' ' || buf[j] == ':' || buf[j] == '\n'))
            j++;
        if (j >= len || buf[j] != '"' || len - j - 1 < 64)
            return 0;
        uint8_t *hdr = NULL;
        size_t n = 0;
        int score = 0;
        if (attest_b64__decode(ATTEST_B64_STD, (const char *)buf + j + 1, 64, &hdr, &n) ==
                ATTEST_OK &&
            n == 48) {
            /* dcap_quote_detect wants a body too; check the header fields alone */
            uint16_t version = dcap_le16(hdr);
            score = version >= 3 && version <= 5 && dcap_le16(hdr + 2) == 2 &&
                            dcap_le32(hdr + 4) == tee_type
                        ? 90
                        : 0;
        }
        free(hdr);
        return score;
    }
    return 0;
}

attest_verdict dcap_verdict(enum dcap_status s, bool debug)
{
    if (debug)
        return ATTEST_VERDICT_CONTRAINDICATED;
    return s == DCAP_UP_TO_DATE ? ATTEST_VERDICT_AFFIRMING : ATTEST_VERDICT_WARNING;
}

attest_status dcap_driver_verify(attest_ctx *ctx, const struct dcap_tee *tee,
                                 const struct attest_verify_input *in,
                                 struct attest_verify_output *out)
{
    uint8_t *owned = NULL;
    const uint8_t *buf;
    size_t len;
    struct dcap_quote q;
    struct dcap_verified v;
    attest_status rc;

    memset(&v, 0, sizeof(v));
    if ((rc = dcap_evidence_quote(ctx, tee->name, in->evidence, in->evidence_len, &owned, &buf,
                                  &len)) != ATTEST_OK)
        return rc;
    if ((rc = dcap_quote_parse(ctx, buf, len, &q)) != ATTEST_OK)
        goto out;
    if (q.tee_type != tee->tee_type) {
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "%s: %s", tee->name, tee->other);
        goto out;
    }
    if ((rc = dcap_verify_quote(ctx, tee->name, &q, &v)) != ATTEST_OK)
        goto out;
    const uint8_t *rd = q.body + tee->report_data_off, *init = q.body + tee->init_off;
    if ((rc = attest_binding__check(ctx, tee->name, "report_data", "runtime data", in->runtime,
                                    rd, 64)) != ATTEST_OK ||
        (rc = attest_binding__check(ctx, tee->name, tee->init_field, "init data", in->init, init,
                                    tee->init_len)) != ATTEST_OK)
        goto out;
    if ((out->claims = tee->claims(&q, &v)) == NULL) {
        rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "%s: out of memory", tee->name);
        goto out;
    }
    out->tcb_status = dcap_status_name(v.status);
    out->verdict = dcap_verdict(v.status, tee->debug(&q));
    if (in->runtime->set) {
        memcpy(out->report_data, rd, 64);
        out->report_data_len = 64;
        out->report_data_checked = true;
    }
    if (in->init->set) {
        memcpy(out->init_data, init, tee->init_len);
        out->init_data_len = tee->init_len;
        out->init_data_checked = true;
    }
out:
    dcap_verified_free(&v);
    free(owned);
    return rc;
}
