/*
 * Minting attestation-result tokens: EAR (draft-ietf-rats-ear, in the shape Trustee's
 * Attestation Service issues, ../shared/specs/attestation-service.md §4) and Trustee's
 * legacy "simple" token (§6).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "json.h"
#include "signer.h"

#define TTL_MAX (31 * 24 * 3600)

struct attest_token_opts {
    char *str[ATTEST_TOKEN_OPT_INIT_CLAIMS + 1];
    int64_t ttl;
    bool has_tv;
    attest_trust_vector tv;
};

static const char *const defaults[ATTEST_TOKEN_OPT_INIT_CLAIMS + 1] = {
    [ATTEST_TOKEN_OPT_ISSUER] = "CoCo-Attestation-Service",
    [ATTEST_TOKEN_OPT_PROFILE] = "tag:github.com,2024:confidential-containers/Trustee",
    [ATTEST_TOKEN_OPT_DEVELOPER] = "https://confidentialcontainers.org",
    [ATTEST_TOKEN_OPT_BUILD] = "libattest " ATTEST_VERSION_STRING,
    [ATTEST_TOKEN_OPT_SUBMOD] = "cpu0",
    [ATTEST_TOKEN_OPT_POLICY_ID] = "default",
};

attest_status attest_token_opts_new(attest_token_opts **out)
{
    if (out == NULL)
        return ATTEST_E_ARG;
    attest_token_opts *o = calloc(1, sizeof(*o));
    if (o == NULL)
        return ATTEST_E_NOMEM;
    o->ttl = 300;
    *out = o;
    return ATTEST_OK;
}

void attest_token_opts_free(attest_token_opts *o)
{
    if (o == NULL)
        return;
    for (size_t i = 0; i < sizeof(o->str) / sizeof(o->str[0]); i++)
        free(o->str[i]);
    free(o);
}

attest_token_opts *attest_token__opts_dup(const attest_token_opts *o)
{
    attest_token_opts *d = calloc(1, sizeof(*d));
    if (d == NULL)
        return NULL;
    *d = *o;
    for (size_t i = 0; i < sizeof(d->str) / sizeof(d->str[0]); i++)
        if (o->str[i] != NULL && (d->str[i] = strdup(o->str[i])) == NULL) {
            while (i-- > 0)
                free(d->str[i]);
            free(d);
            return NULL;
        }
    return d;
}

attest_status attest_token_opts_set(attest_token_opts *o, attest_token_opt opt, const char *value)
{
    if (o == NULL || opt < ATTEST_TOKEN_OPT_ISSUER || opt > ATTEST_TOKEN_OPT_INIT_CLAIMS)
        return ATTEST_E_ARG;
    if (value != NULL && (opt == ATTEST_TOKEN_OPT_RUNTIME_CLAIMS ||
                          opt == ATTEST_TOKEN_OPT_INIT_CLAIMS)) {
        struct attest_json doc;
        if (attest_json__parse(NULL, "token", value, strlen(value), &doc) != ATTEST_OK)
            return ATTEST_E_ARG;
        attest_json__free(&doc);
    }
    if (value != NULL && opt == ATTEST_TOKEN_OPT_NONCE &&
        (strlen(value) < 8 || strlen(value) > 88))
        return ATTEST_E_ARG; /* EAT: 8..64 bytes, base64 text of them at most 88 */
    if (value != NULL && value[0] == '\0' && opt != ATTEST_TOKEN_OPT_POLICY_HASH)
        return ATTEST_E_ARG;
    char *copy = value != NULL ? strdup(value) : NULL;
    if (value != NULL && copy == NULL)
        return ATTEST_E_NOMEM;
    free(o->str[opt]);
    o->str[opt] = copy;
    return ATTEST_OK;
}

attest_status attest_token_opts_set_ttl(attest_token_opts *o, int64_t seconds)
{
    if (o == NULL || seconds < 1 || seconds > TTL_MAX)
        return ATTEST_E_ARG;
    o->ttl = seconds;
    return ATTEST_OK;
}

attest_status attest_token_opts_set_trust_vector(attest_token_opts *o,
                                                 const attest_trust_vector *tv)
{
    if (o == NULL)
        return ATTEST_E_ARG;
    o->has_tv = tv != NULL;
    if (tv != NULL)
        o->tv = *tv;
    return ATTEST_OK;
}

static const char *opt(const attest_token_opts *o, attest_token_opt which)
{
    return o != NULL && o->str[which] != NULL ? o->str[which] : defaults[which];
}

/* AR4SI tier of one claim value (draft-ietf-rats-ar4si; attestation-service.md §4.3). */
static int tier(int v)
{
    if (v >= -1 && v <= 1)
        return 0; /* none */
    if ((v >= 2 && v <= 31) || (v >= -32 && v <= -2))
        return 1; /* affirming */
    if ((v >= 32 && v <= 95) || (v >= -96 && v <= -33))
        return 2; /* warning */
    return 3;     /* contraindicated */
}

static const char *const tier_names[] = {"none", "affirming", "warning", "contraindicated"};

/* Without an appraisal the vector carries only the verifier's verdict, as "hardware". */
static attest_trust_vector default_vector(const attest_result *res)
{
    attest_trust_vector tv;
    memset(&tv, 0, sizeof(tv));
    switch (attest_result_verdict(res)) {
    case ATTEST_VERDICT_AFFIRMING: tv.hardware = 2; break;           /* genuine hardware */
    case ATTEST_VERDICT_WARNING: tv.hardware = 32; break;            /* unsafe hardware */
    default: tv.hardware = 96; break;                                /* contraindicated */
    }
    return tv;
}

static cJSON *vector_json(const attest_trust_vector *tv, const char **status)
{
    const struct { const char *name; int v; } c[] = {
        {"instance-identity", tv->instance_identity}, {"configuration", tv->configuration},
        {"executables", tv->executables},             {"file-system", tv->file_system},
        {"hardware", tv->hardware},                   {"runtime-opaque", tv->runtime_opaque},
        {"storage-opaque", tv->storage_opaque},       {"sourced-data", tv->sourced_data},
    };
    cJSON *o = cJSON_CreateObject();
    int worst = 0;
    for (size_t i = 0; o != NULL && i < sizeof(c) / sizeof(c[0]); i++) {
        if (cJSON_AddNumberToObject(o, c[i].name, c[i].v) == NULL) {
            cJSON_Delete(o);
            return NULL;
        }
        if (tier(c[i].v) > worst)
            worst = tier(c[i].v);
    }
    *status = tier_names[worst];
    return o;
}

/* A JSON option as a value, or JSON null when unset. */
static cJSON *json_opt(const attest_token_opts *o, attest_token_opt which)
{
    const char *text = opt(o, which);
    return text != NULL ? cJSON_Parse(text) : cJSON_CreateNull();
}

static cJSON *ear_claims(attest_ctx *ctx, const attest_token_opts *o, const attest_result *res)
{
    int64_t now = attest_ctx_time(ctx);
    attest_trust_vector tv = o != NULL && o->has_tv ? o->tv : default_vector(res);
    const char *status = NULL;
    cJSON *c = cJSON_CreateObject(), *vid = cJSON_CreateObject(), *submods = cJSON_CreateObject();
    cJSON *sub = cJSON_CreateObject(), *vec = vector_json(&tv, &status);
    cJSON *evidence = cJSON_Parse(attest_result_claims_json(res));
    bool ok = c != NULL && vid != NULL && submods != NULL && sub != NULL && vec != NULL &&
              cJSON_IsObject(evidence);

    ok = ok && cJSON_AddStringToObject(c, "eat_profile", opt(o, ATTEST_TOKEN_OPT_PROFILE)) &&
         cJSON_AddNumberToObject(c, "iat", (double)now) &&
         cJSON_AddStringToObject(vid, "developer", opt(o, ATTEST_TOKEN_OPT_DEVELOPER)) &&
         cJSON_AddStringToObject(vid, "build", opt(o, ATTEST_TOKEN_OPT_BUILD)) &&
         cJSON_AddItemToObject(c, "ear.verifier-id", vid) && (vid = NULL, true);
    ok = ok && cJSON_AddItemToObject(evidence, "runtime_data_claims",
                                     json_opt(o, ATTEST_TOKEN_OPT_RUNTIME_CLAIMS)) &&
         cJSON_AddItemToObject(evidence, "init_data_claims",
                               json_opt(o, ATTEST_TOKEN_OPT_INIT_CLAIMS));
    ok = ok && cJSON_AddStringToObject(sub, "ear.status", status) &&
         cJSON_AddItemToObject(sub, "ear.trustworthiness-vector", vec) && (vec = NULL, true) &&
         cJSON_AddStringToObject(sub, "ear.appraisal-policy-id",
                                 opt(o, ATTEST_TOKEN_OPT_POLICY_ID)) &&
         cJSON_AddItemToObject(sub, "ear.veraison.annotated-evidence", evidence) &&
         (evidence = NULL, true) &&
         cJSON_AddItemToObject(submods, opt(o, ATTEST_TOKEN_OPT_SUBMOD), sub) &&
         (sub = NULL, true) && cJSON_AddItemToObject(c, "submods", submods) &&
         (submods = NULL, true);
    ok = ok && cJSON_AddNumberToObject(c, "exp", (double)(now + (o ? o->ttl : 300))) &&
         cJSON_AddStringToObject(c, "iss", opt(o, ATTEST_TOKEN_OPT_ISSUER));
    if (ok && opt(o, ATTEST_TOKEN_OPT_NONCE) != NULL)
        ok = cJSON_AddStringToObject(c, "eat_nonce", opt(o, ATTEST_TOKEN_OPT_NONCE)) != NULL;
    cJSON_Delete(vid);
    cJSON_Delete(submods);
    cJSON_Delete(sub);
    cJSON_Delete(vec);
    cJSON_Delete(evidence);
    if (!ok) {
        cJSON_Delete(c);
        return NULL;
    }
    return c;
}

/* Trustee's tcb-status: every leaf under the TEE's claims as "<tee>.<path>": value. */
static bool flatten(cJSON *out, const cJSON *node, const char *prefix)
{
    for (const cJSON *c = node->child; c != NULL; c = c->next) {
        size_t n = strlen(prefix) + strlen(c->string) + 2;
        char *name = malloc(n);
        bool ok = name != NULL;
        if (ok) {
            snprintf(name, n, "%s.%s", prefix, c->string);
            ok = cJSON_IsObject(c) ? flatten(out, c, name)
                                   : cJSON_AddItemToObject(out, name, cJSON_Duplicate(c, 1));
        }
        free(name);
        if (!ok)
            return false;
    }
    return true;
}

static cJSON *simple_claims(attest_ctx *ctx, const attest_token_opts *o, const attest_result *res)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    int64_t now = attest_ctx_time(ctx);
    const char *tee = attest_result_tee(res);
    cJSON *c = cJSON_CreateObject(), *claims = cJSON_Parse(attest_result_claims_json(res));
    cJSON *flat = cJSON_CreateObject(), *reports = cJSON_CreateArray(), *rep = cJSON_CreateObject();
    cJSON *custom = cJSON_CreateObject();
    uint8_t rnd[10];
    char jti[11], *tcb = NULL;
    bool ok = c != NULL && claims != NULL && flat != NULL && reports != NULL && rep != NULL &&
              custom != NULL && RAND_bytes(rnd, sizeof(rnd)) == 1;

    for (size_t i = 0; ok && i < sizeof(rnd); i++)
        jti[i] = alnum[rnd[i] % (sizeof(alnum) - 1)];
    jti[10] = '\0';
    ok = ok && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(claims, tee)) &&
         flatten(flat, cJSON_GetObjectItemCaseSensitive(claims, tee), tee) &&
         (tcb = cJSON_PrintUnformatted(flat)) != NULL;
    ok = ok && cJSON_AddStringToObject(c, "iss", opt(o, ATTEST_TOKEN_OPT_ISSUER)) &&
         cJSON_AddNumberToObject(c, "iat", (double)now) &&
         cJSON_AddNumberToObject(c, "nbf", (double)now) &&
         cJSON_AddNumberToObject(c, "exp", (double)(now + (o ? o->ttl : 300))) &&
         cJSON_AddStringToObject(c, "jti", jti) && cJSON_AddStringToObject(c, "tee", tee);
    ok = ok && cJSON_AddStringToObject(rep, "policy-id", opt(o, ATTEST_TOKEN_OPT_POLICY_ID)) &&
         cJSON_AddStringToObject(rep, "policy-hash",
                                 opt(o, ATTEST_TOKEN_OPT_POLICY_HASH) ? opt(o, ATTEST_TOKEN_OPT_POLICY_HASH) : "") &&
         cJSON_AddItemToArray(reports, rep) && (rep = NULL, true) &&
         cJSON_AddItemToObject(c, "evaluation-reports", reports) && (reports = NULL, true);
    ok = ok && cJSON_AddStringToObject(c, "tcb-status", tcb) &&
         cJSON_AddItemToObject(custom, "init_data", json_opt(o, ATTEST_TOKEN_OPT_INIT_CLAIMS)) &&
         cJSON_AddItemToObject(custom, "runtime_data",
                               json_opt(o, ATTEST_TOKEN_OPT_RUNTIME_CLAIMS)) &&
         cJSON_AddItemToObject(c, "customized_claims", custom) && (custom = NULL, true);
    free(tcb);
    cJSON_Delete(claims);
    cJSON_Delete(flat);
    cJSON_Delete(reports);
    cJSON_Delete(rep);
    cJSON_Delete(custom);
    if (!ok) {
        cJSON_Delete(c);
        return NULL;
    }
    return c;
}

attest_status attest_token_mint(attest_ctx *ctx, const attest_signer *s, attest_token_kind kind,
                                const attest_token_opts *o, const attest_result *res, char **jwt)
{
    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (s == NULL || res == NULL || jwt == NULL ||
        (kind != ATTEST_TOKEN_EAR && kind != ATTEST_TOKEN_SIMPLE))
        return attest_ctx__error(ctx, ATTEST_E_ARG, "token: NULL argument or unknown kind");
    cJSON *claims = kind == ATTEST_TOKEN_EAR ? ear_claims(ctx, o, res) : simple_claims(ctx, o, res);
    char *payload = claims != NULL ? cJSON_PrintUnformatted(claims) : NULL;
    attest_status rc;

    if (payload == NULL)
        rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "token: out of memory");
    else
        rc = attest_jws__sign_h64(ctx, s->key, s->alg, s->h64, (const uint8_t *)payload,
                                  strlen(payload), jwt);
    cJSON_Delete(claims);
    free(payload);
    return rc;
}
