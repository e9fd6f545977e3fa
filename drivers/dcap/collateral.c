/*
 * DCAP collateral (tdx-sgx.md §7): TCB info (SGX v2/v3, TDX v3) and QE identity v2 as
 * Intel PCS serves them, collateral bundles, and the store that collects what the ctx's
 * sources and the collateral callback offer. Parsing only; signatures are checked lazily
 * by dcap_store_check_signed() against a signing certificate chained to the pinned root.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "../../lib/ctx_cache.h"
#include "../../lib/json.h"
#include "../../lib/x509.h"
#include "dcap.h"

static const char *const status_names[] = {
    [DCAP_UP_TO_DATE] = "UpToDate",
    [DCAP_SW_HARDENING_NEEDED] = "SWHardeningNeeded",
    [DCAP_CONFIGURATION_NEEDED] = "ConfigurationNeeded",
    [DCAP_CONFIGURATION_AND_SW_HARDENING_NEEDED] = "ConfigurationAndSWHardeningNeeded",
    [DCAP_OUT_OF_DATE] = "OutOfDate",
    [DCAP_OUT_OF_DATE_CONFIGURATION_NEEDED] = "OutOfDateConfigurationNeeded",
    [DCAP_TD_RELAUNCH_ADVISED] = "TDRelaunchAdvised",
    [DCAP_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED] = "TDRelaunchAdvisedConfigurationNeeded",
    [DCAP_REVOKED] = "Revoked",
};

const char *dcap_status_name(enum dcap_status s)
{
    return (size_t)s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s] : "?";
}

bool dcap_status_parse(const char *s, size_t len, enum dcap_status *out)
{
    for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
        if (strlen(status_names[i]) == len && memcmp(status_names[i], s, len) == 0) {
            *out = (enum dcap_status)i;
            return true;
        }
    return false;
}

/* ---- field readers: each failure names the document and the field ---- */

struct reader {
    attest_ctx *ctx;
    const struct attest_json *doc;
    const char *what; /* "TDX TCB info" */
    attest_status rc;
};

static bool fail(struct reader *r, const char *field, const char *why)
{
    if (r->rc == ATTEST_OK)
        r->rc = attest_ctx__error(r->ctx, ATTEST_E_PARSE, "dcap: %s %s %s", r->what, field, why);
    return false;
}

static uint32_t member(struct reader *r, uint32_t obj, const char *name, enum attest_json_type t,
                       bool required)
{
    uint32_t i = attest_json__get(r->doc, obj, name);
    if (i == ATTEST_JSON_NONE) {
        if (required)
            fail(r, name, "is missing");
        return ATTEST_JSON_NONE;
    }
    if (!attest_json__is(r->doc, i, t)) {
        fail(r, name, "has the wrong type");
        return ATTEST_JSON_NONE;
    }
    return i;
}

static bool get_uint(struct reader *r, uint32_t obj, const char *name, uint64_t max,
                     uint64_t *out)
{
    uint32_t i = member(r, obj, name, ATTEST_JSON_NUMBER, true);
    if (i == ATTEST_JSON_NONE)
        return false;
    if (!attest_json__uint(r->doc, i, max, out))
        return fail(r, name, "is not an integer in range");
    return true;
}

static bool get_hex(struct reader *r, uint32_t obj, const char *name, uint8_t *out, size_t n)
{
    uint32_t i = member(r, obj, name, ATTEST_JSON_STRING, true);
    size_t got = 0;
    if (i == ATTEST_JSON_NONE)
        return false;
    const struct attest_json_value *v = &r->doc->v[i];
    if (v->str_len != 2 * n || !attest_hex__decode(v->str, v->str_len, out, n, &got) || got != n)
        return fail(r, name, "is not the expected hex string");
    return true;
}

/* "YYYY-MM-DDTHH:MM:SSZ" (optionally with fractional seconds) as Intel writes dates. */
static bool parse_date(const char *s, size_t len, int64_t *out)
{
    unsigned v[6] = {0};
    static const size_t at[6] = {0, 5, 8, 11, 14, 17}, width[6] = {4, 2, 2, 2, 2, 2};
    static const char sep[6] = {'-', '-', 'T', ':', ':', 0};
    if (len < 20 || s[len - 1] != 'Z')
        return false;
    for (int f = 0; f < 6; f++) {
        for (size_t k = 0; k < width[f]; k++) {
            char c = s[at[f] + k];
            if (c < '0' || c > '9')
                return false;
            v[f] = v[f] * 10 + (unsigned)(c - '0');
        }
        if (f < 5 && s[at[f] + width[f]] != sep[f])
            return false;
    }
    if (len > 20) { /* ".123Z" */
        if (s[19] != '.' || len == 21)
            return false;
        for (size_t k = 20; k < len - 1; k++)
            if (s[k] < '0' || s[k] > '9')
                return false;
    }
    if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
        return false;
    *out = attest_days_from_civil(v[0], (int)v[1], (int)v[2]) * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
    return true;
}

static bool get_date(struct reader *r, uint32_t obj, const char *name, int64_t *out)
{
    uint32_t i = member(r, obj, name, ATTEST_JSON_STRING, true);
    if (i == ATTEST_JSON_NONE)
        return false;
    if (!parse_date(r->doc->v[i].str, r->doc->v[i].str_len, out))
        return fail(r, name, "is not a date like 2025-06-19T10:56:11Z");
    return true;
}

static bool get_status(struct reader *r, uint32_t obj, enum dcap_status *out)
{
    uint32_t i = member(r, obj, "tcbStatus", ATTEST_JSON_STRING, true);
    if (i == ATTEST_JSON_NONE)
        return false;
    if (!dcap_status_parse(r->doc->v[i].str, r->doc->v[i].str_len, out))
        return fail(r, "tcbStatus", "is not a known TCB status");
    return true;
}

static void advisories_free(struct dcap_advisories *a)
{
    for (size_t i = 0; i < a->count; i++)
        free(a->ids[i]);
    free(a->ids);
    a->ids = NULL;
    a->count = 0;
}

/* Optional "advisoryIDs": an array of strings. */
static bool get_advisories(struct reader *r, uint32_t obj, struct dcap_advisories *out)
{
    uint32_t arr = member(r, obj, "advisoryIDs", ATTEST_JSON_ARRAY, false);
    if (arr == ATTEST_JSON_NONE)
        return r->rc == ATTEST_OK;
    if ((out->ids = calloc(r->doc->v[arr].count + 1, sizeof(char *))) == NULL)
        return fail(r, "advisoryIDs", "cannot be stored (out of memory)");
    for (uint32_t i = r->doc->v[arr].first; i != ATTEST_JSON_NONE; i = r->doc->v[i].next) {
        const char *s = attest_json__cstr(r->doc, i);
        if (s == NULL)
            return fail(r, "advisoryIDs", "holds something other than a string");
        if ((out->ids[out->count] = strdup(s)) == NULL)
            return fail(r, "advisoryIDs", "cannot be stored (out of memory)");
        out->count++;
    }
    return true;
}

/* A level with only an isvsvn (QE identity, TDX module identity) */
static bool get_isv_levels(struct reader *r, uint32_t obj, unsigned max_svn,
                           struct dcap_module_level **out, size_t *n_out)
{
    uint32_t arr = member(r, obj, "tcbLevels", ATTEST_JSON_ARRAY, true);
    if (arr == ATTEST_JSON_NONE)
        return false;
    size_t n = r->doc->v[arr].count;
    struct dcap_module_level *lv = calloc(n + 1, sizeof(*lv));
    if (lv == NULL)
        return fail(r, "tcbLevels", "cannot be stored (out of memory)");
    *out = lv;
    *n_out = 0;
    for (uint32_t i = r->doc->v[arr].first; i != ATTEST_JSON_NONE; i = r->doc->v[i].next) {
        struct dcap_module_level *l = &lv[(*n_out)++];
        uint32_t tcb = member(r, i, "tcb", ATTEST_JSON_OBJECT, true);
        uint64_t svn;
        if (tcb == ATTEST_JSON_NONE || !get_uint(r, tcb, "isvsvn", max_svn, &svn) ||
            !get_date(r, i, "tcbDate", &l->tcb_date) || !get_status(r, i, &l->status) ||
            !get_advisories(r, i, &l->adv))
            return false;
        l->isvsvn = (uint16_t)svn;
    }
    return true;
}

static void isv_levels_free(struct dcap_module_level *lv, size_t n)
{
    for (size_t i = 0; lv != NULL && i < n; i++)
        advisories_free(&lv[i].adv);
    free(lv);
}

/* ---- TCB info ---- */

void dcap_tcb_info_free(struct dcap_tcb_info *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n_levels; i++)
        advisories_free(&t->levels[i].adv);
    free(t->levels);
    for (size_t i = 0; i < t->n_modules; i++)
        isv_levels_free(t->modules[i].levels, t->modules[i].n_levels);
    free(t->modules);
    memset(t, 0, sizeof(*t));
}

/* 16 components: v3 "sgxtcbcomponents"/"tdxtcbcomponents" arrays of {"svn": N, ...}. */
static bool get_components(struct reader *r, uint32_t tcb, const char *name, uint8_t out[16])
{
    uint32_t arr = member(r, tcb, name, ATTEST_JSON_ARRAY, true);
    uint64_t svn;
    size_t k = 0;
    if (arr == ATTEST_JSON_NONE)
        return false;
    if (r->doc->v[arr].count != 16)
        return fail(r, name, "does not hold 16 components");
    for (uint32_t i = r->doc->v[arr].first; i != ATTEST_JSON_NONE; i = r->doc->v[i].next) {
        if (!attest_json__is(r->doc, i, ATTEST_JSON_OBJECT))
            return fail(r, name, "holds something other than an object");
        if (!get_uint(r, i, "svn", 255, &svn))
            return false;
        out[k++] = (uint8_t)svn;
    }
    return true;
}

static bool get_tcb_level(struct reader *r, uint32_t lvl, const struct dcap_tcb_info *t,
                          struct dcap_tcb_level *l)
{
    uint32_t tcb = member(r, lvl, "tcb", ATTEST_JSON_OBJECT, true);
    uint64_t v;
    if (tcb == ATTEST_JSON_NONE)
        return false;
    if (t->version == 2) { /* sgxtcbcomp01svn .. sgxtcbcomp16svn */
        for (int i = 0; i < 16; i++) {
            char name[24];
            snprintf(name, sizeof(name), "sgxtcbcomp%02dsvn", i + 1);
            if (!get_uint(r, tcb, name, 255, &v))
                return false;
            l->sgx[i] = (uint8_t)v;
        }
    } else if (!get_components(r, tcb, "sgxtcbcomponents", l->sgx) ||
               (t->tdx && !get_components(r, tcb, "tdxtcbcomponents", l->tdx))) {
        return false;
    }
    if (!get_uint(r, tcb, "pcesvn", 65535, &v))
        return false;
    l->pcesvn = (uint16_t)v;
    return get_date(r, lvl, "tcbDate", &l->tcb_date) && get_status(r, lvl, &l->status) &&
           get_advisories(r, lvl, &l->adv);
}

static bool get_modules(struct reader *r, uint32_t root, struct dcap_tcb_info *t)
{
    uint32_t mod = member(r, root, "tdxModule", ATTEST_JSON_OBJECT, true);
    if (mod == ATTEST_JSON_NONE || !get_hex(r, mod, "mrsigner", t->module_mrsigner, 48) ||
        !get_hex(r, mod, "attributes", t->module_attributes, 8) ||
        !get_hex(r, mod, "attributesMask", t->module_attributes_mask, 8))
        return false;
    t->has_tdx_module = true;
    uint32_t arr = member(r, root, "tdxModuleIdentities", ATTEST_JSON_ARRAY, false);
    if (arr == ATTEST_JSON_NONE)
        return r->rc == ATTEST_OK;
    if ((t->modules = calloc(r->doc->v[arr].count + 1, sizeof(*t->modules))) == NULL)
        return fail(r, "tdxModuleIdentities", "cannot be stored (out of memory)");
    for (uint32_t i = r->doc->v[arr].first; i != ATTEST_JSON_NONE; i = r->doc->v[i].next) {
        struct dcap_module_identity *m = &t->modules[t->n_modules++];
        uint32_t id = member(r, i, "id", ATTEST_JSON_STRING, true);
        if (id == ATTEST_JSON_NONE)
            return false;
        if (r->doc->v[id].str_len >= sizeof(m->id) ||
            memchr(r->doc->v[id].str, 0, r->doc->v[id].str_len) != NULL)
            return fail(r, "tdxModuleIdentities id", "is too long");
        memcpy(m->id, r->doc->v[id].str, r->doc->v[id].str_len);
        if (!get_hex(r, i, "mrsigner", m->mrsigner, 48) ||
            !get_hex(r, i, "attributes", m->attributes, 8) ||
            !get_hex(r, i, "attributesMask", m->attributes_mask, 8) ||
            !get_isv_levels(r, i, 255, &m->levels, &m->n_levels))
            return false;
    }
    return true;
}

attest_status dcap_tcb_info_parse(attest_ctx *ctx, const char *text, size_t len,
                                  struct dcap_tcb_info *out)
{
    struct attest_json doc;
    struct dcap_tcb_info t;
    struct reader r = {ctx, &doc, "TCB info", ATTEST_OK};
    uint64_t v;
    attest_status rc;

    memset(&t, 0, sizeof(t));
    if ((rc = attest_json__parse(ctx, "dcap: TCB info", text, len, &doc)) != ATTEST_OK)
        return rc;
    if (!attest_json__is(&doc, 0, ATTEST_JSON_OBJECT)) {
        fail(&r, "", "is not a JSON object");
        goto out;
    }
    if (!get_uint(&r, 0, "version", 99, &v))
        goto out;
    if (v != 2 && v != 3) {
        r.rc = attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                                 "dcap: TCB info version %llu is not supported (want 2 or 3)",
                                 (unsigned long long)v);
        goto out;
    }
    t.version = (unsigned)v;
    uint32_t id = member(&r, 0, "id", ATTEST_JSON_STRING, t.version == 3);
    if (r.rc != ATTEST_OK)
        goto out;
    if (id != ATTEST_JSON_NONE) {
        const char *s = attest_json__cstr(&doc, id);
        if (s == NULL || (strcmp(s, "SGX") != 0 && strcmp(s, "TDX") != 0)) {
            fail(&r, "id", "is neither \"SGX\" nor \"TDX\"");
            goto out;
        }
        t.tdx = strcmp(s, "TDX") == 0;
    }
    r.what = t.tdx ? "TDX TCB info" : "SGX TCB info";
    if (t.tdx && t.version != 3) {
        fail(&r, "version", "is not 3");
        goto out;
    }
    if (!get_date(&r, 0, "issueDate", &t.issue_date) ||
        !get_date(&r, 0, "nextUpdate", &t.next_update) || !get_hex(&r, 0, "fmspc", t.fmspc, 6) ||
        !get_hex(&r, 0, "pceId", t.pceid, 2) ||
        !get_uint(&r, 0, "tcbEvaluationDataNumber", UINT32_MAX, &v))
        goto out;
    t.eval_number = (uint32_t)v;
    if (!get_uint(&r, 0, "tcbType", 255, &v))
        goto out;
    if (v != 0) {
        r.rc = attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                                 "dcap: %s tcbType %llu is not supported (want 0)", r.what,
                                 (unsigned long long)v);
        goto out;
    }
    if (t.tdx && !get_modules(&r, 0, &t))
        goto out;
    uint32_t arr = member(&r, 0, "tcbLevels", ATTEST_JSON_ARRAY, true);
    if (arr == ATTEST_JSON_NONE)
        goto out;
    if (doc.v[arr].count == 0) {
        fail(&r, "tcbLevels", "is empty");
        goto out;
    }
    if ((t.levels = calloc(doc.v[arr].count, sizeof(*t.levels))) == NULL) {
        fail(&r, "tcbLevels", "cannot be stored (out of memory)");
        goto out;
    }
    for (uint32_t i = doc.v[arr].first; i != ATTEST_JSON_NONE; i = doc.v[i].next) {
        struct dcap_tcb_level *l = &t.levels[t.n_levels++];
        if (!attest_json__is(&doc, i, ATTEST_JSON_OBJECT)) {
            fail(&r, "tcbLevels", "holds something other than an object");
            goto out;
        }
        if (!get_tcb_level(&r, i, &t, l))
            goto out;
    }
out:
    attest_json__free(&doc);
    if (r.rc != ATTEST_OK) {
        dcap_tcb_info_free(&t);
        return r.rc;
    }
    *out = t;
    return ATTEST_OK;
}

/* ---- QE identity ---- */

void dcap_qe_identity_free(struct dcap_qe_identity *q)
{
    if (q == NULL)
        return;
    isv_levels_free(q->levels, q->n_levels);
    memset(q, 0, sizeof(*q));
}

attest_status dcap_qe_identity_parse(attest_ctx *ctx, const char *text, size_t len,
                                     struct dcap_qe_identity *out)
{
    struct attest_json doc;
    struct dcap_qe_identity q;
    struct reader r = {ctx, &doc, "QE identity", ATTEST_OK};
    uint8_t four[4];
    uint64_t v;
    attest_status rc;

    memset(&q, 0, sizeof(q));
    if ((rc = attest_json__parse(ctx, "dcap: QE identity", text, len, &doc)) != ATTEST_OK)
        return rc;
    if (!attest_json__is(&doc, 0, ATTEST_JSON_OBJECT)) {
        fail(&r, "", "is not a JSON object");
        goto out;
    }
    uint32_t id = member(&r, 0, "id", ATTEST_JSON_STRING, true);
    if (id == ATTEST_JSON_NONE)
        goto out;
    const char *s = attest_json__cstr(&doc, id);
    if (s != NULL && strcmp(s, "QVE") == 0) { /* the QvE's identity: not a QE's */
        r.rc = attest_ctx__error(ctx, ATTEST_E_NOT_FOUND,
                                 "dcap: enclave identity QVE is not a quoting enclave's");
        goto out;
    }
    if (s == NULL || (strcmp(s, "QE") != 0 && strcmp(s, "TD_QE") != 0)) {
        r.rc = attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                                 "dcap: enclave identity id \"%s\" is not a quoting enclave's "
                                 "(want \"QE\" or \"TD_QE\")",
                                 s != NULL ? s : "?");
        goto out;
    }
    q.tdx = strcmp(s, "TD_QE") == 0;
    r.what = q.tdx ? "TD_QE identity" : "QE identity";
    if (!get_uint(&r, 0, "version", 99, &v))
        goto out;
    if (v != 2) {
        r.rc = attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                                 "dcap: %s version %llu is not supported (want 2)", r.what,
                                 (unsigned long long)v);
        goto out;
    }
    if (!get_date(&r, 0, "issueDate", &q.issue_date) ||
        !get_date(&r, 0, "nextUpdate", &q.next_update) ||
        !get_uint(&r, 0, "tcbEvaluationDataNumber", UINT32_MAX, &v))
        goto out;
    q.eval_number = (uint32_t)v;
    /* MISCSELECT: the hex of the report's little-endian bytes (go-tdx-guest reads it LE) */
    if (!get_hex(&r, 0, "miscselect", four, 4))
        goto out;
    q.miscselect = dcap_le32(four);
    if (!get_hex(&r, 0, "miscselectMask", four, 4))
        goto out;
    q.miscselect_mask = dcap_le32(four);
    if (!get_hex(&r, 0, "attributes", q.attributes, 16) ||
        !get_hex(&r, 0, "attributesMask", q.attributes_mask, 16) ||
        !get_hex(&r, 0, "mrsigner", q.mrsigner, 32) ||
        !get_uint(&r, 0, "isvprodid", 65535, &v))
        goto out;
    q.isvprodid = (uint16_t)v;
    if (!get_isv_levels(&r, 0, 65535, &q.levels, &q.n_levels))
        goto out;
    if (q.n_levels == 0)
        fail(&r, "tcbLevels", "is empty");
out:
    attest_json__free(&doc);
    if (r.rc != ATTEST_OK) {
        dcap_qe_identity_free(&q);
        return r.rc;
    }
    *out = q;
    return ATTEST_OK;
}

/* ---- the store ---- */

void dcap_store_release(struct dcap_store *s)
{
    if (s == NULL || --s->refs > 0)
        return;
    for (size_t i = 0; i < s->n_tcb; i++)
        dcap_tcb_info_free(&s->tcb[i].info);
    free(s->tcb);
    for (size_t i = 0; i < s->n_qe; i++)
        dcap_qe_identity_free(&s->qe[i].qe);
    free(s->qe);
    for (int i = 0; s->crl_memo != NULL && i < sk_X509_CRL_num(s->crls); i++)
        X509_free(s->crl_memo[i].issuer);
    free(s->crl_memo);
    sk_X509_pop_free(s->certs, X509_free);
    sk_X509_CRL_pop_free(s->crls, X509_CRL_free);
    sk_X509_pop_free(s->signers, X509_free);
    X509_free(s->signers_root);
    for (size_t i = 0; i < s->n_origins; i++)
        free(s->origins[i]);
    free(s->origins);
    free(s);
}

static void store_release_void(void *p)
{
    dcap_store_release(p);
}

static struct dcap_store *store_new(void)
{
    struct dcap_store *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->refs = 1;
    s->certs = sk_X509_new_null();
    s->crls = sk_X509_CRL_new_null();
    if (s->certs == NULL || s->crls == NULL) {
        dcap_store_release(s);
        return NULL;
    }
    return s;
}

static const char *store_origin(struct dcap_store *s, const char *origin)
{
    char **grown = realloc(s->origins, (s->n_origins + 1) * sizeof(*grown));
    if (grown == NULL)
        return NULL;
    s->origins = grown;
    if ((s->origins[s->n_origins] = strdup(origin)) == NULL)
        return NULL;
    return s->origins[s->n_origins++];
}

static attest_status nomem(attest_ctx *ctx)
{
    return attest_ctx__error(ctx, ATTEST_E_NOMEM, "dcap: out of memory");
}

/* Record one signed document: parse text, keep the digest of exactly those bytes. */
static attest_status add_signed(attest_ctx *ctx, struct dcap_store *s, const char *origin,
                                bool is_tcb, const char *text, size_t len, const uint8_t sig[64])
{
    struct dcap_signed sd;
    unsigned int n = 0;
    attest_status rc;

    memset(&sd, 0, sizeof(sd));
    memcpy(sd.sig, sig, 64);
    if (EVP_Digest(text, len, sd.body_sha256, &n, EVP_sha256(), NULL) != 1 ||
        (sd.origin = store_origin(s, origin)) == NULL)
        return nomem(ctx);
    if (is_tcb) {
        struct dcap_tcb_doc d = {.s = sd};
        struct dcap_tcb_doc *grown;
        if ((rc = dcap_tcb_info_parse(ctx, text, len, &d.info)) != ATTEST_OK)
            return rc;
        if ((grown = realloc(s->tcb, (s->n_tcb + 1) * sizeof(*grown))) == NULL) {
            dcap_tcb_info_free(&d.info);
            return nomem(ctx);
        }
        s->tcb = grown;
        s->tcb[s->n_tcb++] = d;
    } else {
        struct dcap_qe_doc d = {.s = sd};
        struct dcap_qe_doc *grown;
        if ((rc = dcap_qe_identity_parse(ctx, text, len, &d.qe)) != ATTEST_OK)
            return rc;
        if ((grown = realloc(s->qe, (s->n_qe + 1) * sizeof(*grown))) == NULL) {
            dcap_qe_identity_free(&d.qe);
            return nomem(ctx);
        }
        s->qe = grown;
        s->qe[s->n_qe++] = d;
    }
    return ATTEST_OK;
}

static bool sig_hex(const struct attest_json *doc, uint32_t i, uint8_t out[64])
{
    size_t n = 0;
    return attest_json__is(doc, i, ATTEST_JSON_STRING) && doc->v[i].str_len == 128 &&
           attest_hex__decode(doc->v[i].str, 128, out, 64, &n) && n == 64;
}

/* A CRL given as hex of DER (dcap-qvl bundles) or PEM (PCCS). */
static attest_status add_crl(attest_ctx *ctx, struct dcap_store *s, const char *what,
                             const char *text, size_t len)
{
    X509_CRL *crl = NULL;
    if (len > 10 && memcmp(text, "-----BEGIN", 10) == 0) {
        BIO *bio = BIO_new_mem_buf(text, (int)len);
        crl = bio != NULL ? PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
    } else if (len % 2 == 0) {
        uint8_t *der = malloc(len / 2 + 1);
        size_t n = 0;
        if (der == NULL)
            return nomem(ctx);
        if (attest_hex__decode(text, len, der, len / 2, &n)) {
            const unsigned char *p = der;
            crl = d2i_X509_CRL(NULL, &p, (long)n);
            if (crl != NULL && p != der + n) {
                X509_CRL_free(crl);
                crl = NULL;
            }
        }
        free(der);
    }
    if (crl == NULL)
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "dcap: collateral %s is neither hex DER nor a PEM CRL", what);
    if (!sk_X509_CRL_push(s->crls, crl)) {
        X509_CRL_free(crl);
        return nomem(ctx);
    }
    return ATTEST_OK;
}

static attest_status add_chain(attest_ctx *ctx, struct dcap_store *s, const char *what,
                               const char *pem, size_t len)
{
    attest_status rc = attest_x509__parse_any((const uint8_t *)pem, len, s->certs);
    if (rc == ATTEST_E_PARSE)
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "dcap: collateral %s holds no PEM certificate", what);
    return rc == ATTEST_OK ? ATTEST_OK : nomem(ctx);
}

/*
 * One signed document of a bundle, in either of the two layouts in use: the signed JSON
 * text with a separate "<name>_signature" (dcap-qvl QuoteCollateralV3), or the whole PCS
 * response {"tcbInfo": ..., "signature": ...} as a string (Intel's sgx_ql_qve_collateral_t,
 * which PCCS clients and Trustee's QVL path fill).
 */
static attest_status add_bundle_doc(attest_ctx *ctx, struct dcap_store *s, const char *origin,
                                    const struct attest_json *doc, const char *name, bool is_tcb)
{
    char sig_name[40];
    uint8_t sig[64];
    uint32_t v = attest_json__get(doc, 0, name);
    attest_status rc;

    snprintf(sig_name, sizeof(sig_name), "%s_signature", name);
    uint32_t sg = attest_json__get(doc, 0, sig_name);
    if (!attest_json__is(doc, v, ATTEST_JSON_STRING))
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "dcap: collateral bundle %s: %s is missing or not a string",
                                 origin, name);
    const struct attest_json_value *t = &doc->v[v];
    if (sg != ATTEST_JSON_NONE) {
        if (!sig_hex(doc, sg, sig))
            return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                     "dcap: collateral bundle %s: %s is not 128 hex digits",
                                     origin, sig_name);
        return add_signed(ctx, s, origin, is_tcb, t->str, t->str_len, sig);
    }
    size_t before = is_tcb ? s->n_tcb : s->n_qe;
    rc = dcap_store_add_document(ctx, s, origin, (const uint8_t *)t->str, t->str_len);
    if (rc == ATTEST_OK && (is_tcb ? s->n_tcb : s->n_qe) == before + 1)
        return ATTEST_OK;
    if (rc != ATTEST_OK && rc != ATTEST_E_NOT_FOUND)
        return rc;
    return attest_ctx__error(ctx, ATTEST_E_PARSE,
                             "dcap: collateral bundle %s: %s is neither signed text beside a %s "
                             "nor a PCS response with \"%s\" and \"signature\"",
                             origin, name, sig_name, is_tcb ? "tcbInfo" : "enclaveIdentity");
}

/* The one-object bundle: the two layouts above, the issuer chains (PEM) and the CRLs. */
static attest_status add_bundle(attest_ctx *ctx, struct dcap_store *s, const char *origin,
                                const struct attest_json *doc)
{
    attest_status rc;

    if ((rc = add_bundle_doc(ctx, s, origin, doc, "tcb_info", true)) != ATTEST_OK ||
        (rc = add_bundle_doc(ctx, s, origin, doc, "qe_identity", false)) != ATTEST_OK)
        return rc;
    static const char *const chains[] = {"tcb_info_issuer_chain", "qe_identity_issuer_chain",
                                         "pck_crl_issuer_chain"};
    for (size_t i = 0; i < 3; i++) {
        uint32_t c = attest_json__get(doc, 0, chains[i]);
        if (c == ATTEST_JSON_NONE)
            continue;
        if (!attest_json__is(doc, c, ATTEST_JSON_STRING))
            return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                     "dcap: collateral bundle %s: %s is not a string", origin,
                                     chains[i]);
        if ((rc = add_chain(ctx, s, chains[i], doc->v[c].str, doc->v[c].str_len)) != ATTEST_OK)
            return rc;
    }
    static const char *const crls[] = {"pck_crl", "root_ca_crl"};
    for (size_t i = 0; i < 2; i++) {
        uint32_t c = attest_json__get(doc, 0, crls[i]);
        if (c == ATTEST_JSON_NONE)
            continue; /* the CRL may come from another source; its absence fails later */
        if (!attest_json__is(doc, c, ATTEST_JSON_STRING))
            return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                     "dcap: collateral bundle %s: %s is not a string", origin,
                                     crls[i]);
        if ((rc = add_crl(ctx, s, crls[i], doc->v[c].str, doc->v[c].str_len)) != ATTEST_OK)
            return rc;
    }
    return ATTEST_OK;
}

attest_status dcap_store_add_document(attest_ctx *ctx, struct dcap_store *s, const char *origin,
                                      const uint8_t *buf, size_t len)
{
    struct attest_json doc;
    uint8_t sig[64];
    attest_status rc;

    if ((rc = attest_json__parse(ctx, "dcap: collateral", (const char *)buf, len, &doc)) !=
        ATTEST_OK)
        return rc;
    uint32_t tcb = attest_json__get(&doc, 0, "tcbInfo");
    uint32_t qe = attest_json__get(&doc, 0, "enclaveIdentity");
    uint32_t sg = attest_json__get(&doc, 0, "signature");
    if (!attest_json__is(&doc, 0, ATTEST_JSON_OBJECT)) {
        rc = ATTEST_E_NOT_FOUND;
    } else if (attest_json__get(&doc, 0, "tcb_info") != ATTEST_JSON_NONE) {
        rc = add_bundle(ctx, s, origin, &doc);
    } else if (tcb != ATTEST_JSON_NONE || qe != ATTEST_JSON_NONE) {
        /* a PCS response: the signature covers the exact text of the tcbInfo or
         * enclaveIdentity value as served (§7.1) */
        uint32_t body = tcb != ATTEST_JSON_NONE ? tcb : qe;
        if (!attest_json__is(&doc, body, ATTEST_JSON_OBJECT) || !sig_hex(&doc, sg, sig))
            rc = attest_ctx__error(ctx, ATTEST_E_PARSE,
                                   "dcap: %s: %s is not an object with a 128-hex-digit "
                                   "signature beside it",
                                   origin, tcb != ATTEST_JSON_NONE ? "tcbInfo" : "enclaveIdentity");
        else
            rc = add_signed(ctx, s, origin, tcb != ATTEST_JSON_NONE, doc.v[body].text,
                            doc.v[body].text_len, sig);
    } else {
        rc = ATTEST_E_NOT_FOUND;
    }
    attest_json__free(&doc);
    return rc;
}

/* The ctx's certificates and CRLs, referenced by the store. */
static attest_status add_ctx_pki(attest_ctx *ctx, struct dcap_store *s)
{
    STACK_OF(X509) *certs = NULL;
    STACK_OF(X509_CRL) *crls = NULL;
    attest_status rc;

    if ((rc = attest_ctx__certificates(ctx, &certs)) != ATTEST_OK ||
        (rc = attest_ctx__crls(ctx, &crls)) != ATTEST_OK)
        return rc;
    for (int i = 0; i < sk_X509_num(certs); i++) {
        X509 *x = sk_X509_value(certs, i);
        if (!X509_up_ref(x) || !sk_X509_push(s->certs, x))
            return nomem(ctx);
    }
    for (int i = 0; i < sk_X509_CRL_num(crls); i++) {
        X509_CRL *c = sk_X509_CRL_value(crls, i);
        if (!X509_CRL_up_ref(c) || !sk_X509_CRL_push(s->crls, c))
            return nomem(ctx);
    }
    return ATTEST_OK;
}

attest_status dcap_store_from_sources(attest_ctx *ctx, struct dcap_store **out)
{
    static const uint8_t key[32] = "libattest:dcap collateral store";
    struct dcap_store *s = attest_ctx__cache_get(ctx, key);
    const struct attest_source_doc *docs = NULL;
    size_t n = 0;
    attest_status rc;

    if (s != NULL) {
        s->refs++;
        *out = s;
        return ATTEST_OK;
    }
    if ((s = store_new()) == NULL)
        return nomem(ctx);
    if ((rc = attest_ctx__documents(ctx, &docs, &n)) != ATTEST_OK)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        rc = dcap_store_add_document(ctx, s, docs[i].path, docs[i].data, docs[i].len);
        if (rc == ATTEST_E_NOT_FOUND)
            continue; /* some other JSON file, or a QvE identity */
        if (rc != ATTEST_OK) {
            /* fail closed (the file may be the collateral this quote needs), and say
             * which file */
            char why[512];
            snprintf(why, sizeof(why), "%s", attest_ctx_last_error(ctx));
            if (strstr(why, docs[i].path) == NULL)
                rc = attest_ctx__error(ctx, rc, "dcap: collateral source %s: %s", docs[i].path,
                                       strncmp(why, "dcap: ", 6) == 0 ? why + 6 : why);
            goto fail;
        }
    }
    if ((rc = add_ctx_pki(ctx, s)) != ATTEST_OK)
        goto fail;
    if ((s->crl_memo = calloc((size_t)sk_X509_CRL_num(s->crls) + 1, sizeof(*s->crl_memo))) ==
        NULL) {
        rc = nomem(ctx);
        goto fail;
    }
    s->refs++; /* one for the cache, one for the caller */
    if (!attest_ctx__cache_put(ctx, key, s, store_release_void))
        s->refs--;
    *out = s;
    return ATTEST_OK;
fail:
    dcap_store_release(s);
    return rc;
}

attest_status dcap_store_from_callback(attest_ctx *ctx, const char *tee, const uint8_t fmspc[6],
                                       const char *ca, struct dcap_store **out)
{
    char k[64], hex[13];
    uint8_t *data = NULL;
    size_t len = 0;
    attest_status rc;

    *out = NULL;
    attest_hex__encode(fmspc, 6, hex);
    snprintf(k, sizeof(k), "%s/%s/%s", tee, hex, ca);
    rc = attest_ctx__collateral_fetch(ctx, tee, "collateral", k, &data, &len);
    if (rc == ATTEST_E_NOT_FOUND)
        return ATTEST_OK;
    if (rc != ATTEST_OK)
        return rc;
    /* the same reply parses to the same store: cache it under the reply's digest */
    uint8_t key[32];
    unsigned int n = 0;
    struct dcap_store *s = NULL;
    if (EVP_Digest(data, len, key, &n, EVP_sha256(), NULL) == 1) {
        key[0] ^= 0xdc;
        if ((s = attest_ctx__cache_get(ctx, key)) != NULL) {
            s->refs++;
            free(data);
            *out = s;
            return ATTEST_OK;
        }
    }
    if ((s = store_new()) == NULL) {
        free(data);
        return nomem(ctx);
    }
    rc = dcap_store_add_document(ctx, s, "the collateral callback", data, len);
    free(data);
    if (rc == ATTEST_E_NOT_FOUND)
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE,
                               "dcap: the collateral callback's reply for %s is not a "
                               "collateral bundle",
                               k);
    if (rc == ATTEST_OK &&
        (s->crl_memo = calloc((size_t)sk_X509_CRL_num(s->crls) + 1, sizeof(*s->crl_memo))) ==
            NULL)
        rc = nomem(ctx);
    if (rc != ATTEST_OK) {
        dcap_store_release(s);
        return rc;
    }
    s->refs++;
    if (!attest_ctx__cache_put(ctx, key, s, store_release_void))
        s->refs--;
    *out = s;
    return ATTEST_OK;
}

/* Certificates named "Intel SGX TCB Signing" in the store, signed by root: memoised. */
static attest_status signers(attest_ctx *ctx, struct dcap_store *s, X509 *root)
{
    if (s->signers_checked &&
        (s->signers_root == root || X509_cmp(s->signers_root, root) == 0))
        return ATTEST_OK;
    /* another root: the memo, and the signature verdicts that index it, start over */
    sk_X509_pop_free(s->signers, X509_free);
    X509_free(s->signers_root);
    s->signers_root = NULL;
    s->signers_checked = false;
    for (size_t i = 0; i < s->n_tcb; i++)
        s->tcb[i].s.checked = false;
    for (size_t i = 0; i < s->n_qe; i++)
        s->qe[i].s.checked = false;
    if ((s->signers = sk_X509_new_null()) == NULL || !X509_up_ref(root))
        return nomem(ctx);
    s->signers_root = root;
    EVP_PKEY *rk = X509_get0_pubkey(root);
    for (int i = 0; i < sk_X509_num(s->certs); i++) {
        X509 *x = sk_X509_value(s->certs, i);
        char cn[64];
        attest_x509__cn(X509_get_subject_name(x), cn, sizeof(cn));
        if (strcmp(cn, "Intel SGX TCB Signing") != 0 || rk == NULL || X509_verify(x, rk) != 1)
            continue;
        if (!X509_up_ref(x) || !sk_X509_push(s->signers, x))
            return nomem(ctx);
    }
    s->signers_checked = true;
    return ATTEST_OK;
}

attest_status dcap_store_check_signed(attest_ctx *ctx, struct dcap_store *s, X509 *root,
                                      const char *what, struct dcap_signed *doc)
{
    attest_status rc;
    if ((rc = signers(ctx, s, root)) != ATTEST_OK)
        return rc;
    if (sk_X509_num(s->signers) == 0)
        return attest_ctx__error(ctx, ATTEST_E_CHAIN,
                                 "dcap: no Intel SGX TCB Signing certificate signed by the "
                                 "pinned Intel SGX Root CA to check the %s (add the issuer "
                                 "chain to a collateral source)",
                                 what);
    if (!doc->checked) {
        doc->ok = false;
        for (int i = 0; i < sk_X509_num(s->signers) && !doc->ok; i++)
            if (dcap_ecdsa_verify_digest(X509_get0_pubkey(sk_X509_value(s->signers, i)), doc->sig,
                              doc->body_sha256)) {
                doc->ok = true;
                doc->signer = i;
            }
        doc->checked = true;
    }
    if (!doc->ok)
        return attest_ctx__error(ctx, ATTEST_E_SIGNATURE,
                                 "dcap: %s from %s: signature does not verify under the Intel "
                                 "SGX TCB Signing key",
                                 what, doc->origin);
    /* the key verified; a certificate for it must be valid now (Intel re-issued the
     * signing certificate for the same key in 2025) */
    int64_t now = attest_ctx_time(ctx);
    EVP_PKEY *key = X509_get0_pubkey(sk_X509_value(s->signers, doc->signer));
    for (int i = 0; i < sk_X509_num(s->signers); i++) {
        X509 *x = sk_X509_value(s->signers, i);
        if (attest_x509__valid_at(x, now) && EVP_PKEY_eq(X509_get0_pubkey(x), key) == 1)
            return ATTEST_OK;
    }
    return attest_ctx__error(ctx, ATTEST_E_EXPIRED,
                             "dcap: no Intel SGX TCB Signing certificate for the key that "
                             "signed the %s is valid at unix time %lld",
                             what, (long long)now);
}
