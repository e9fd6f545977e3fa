/*
 * The Attestation Service core (include/attest/service.h): Trustee AS requests in, tokens
 * out. Request and configuration shapes: ../shared/specs/attestation-service.md §1-3 and
 * ../shared/seeds/002-trustee-kbs-as-rvps.txt (AS configuration).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "initdata.h"
#include "json.h"

#define CONFIG_MAX (1024u * 1024u)
#define REQUEST_MAX (64u * 1024u * 1024u)

struct attest_service {
    attest_ctx *ctx;
    attest_token_kind kind;
    attest_signer *signer;
    attest_token_opts *opts; /* issuer, profile, developer, build, ttl */
    attest_policy_store *policies;
    attest_refvals *refvals;
};

/* ---- configuration ---- */

static const char *cfg_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static attest_status cfg_type(attest_ctx *ctx, const cJSON *o, const char *path,
                              const char *name, int want)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (v == NULL || (v->type & 0xff) == want)
        return ATTEST_OK;
    return attest_ctx__error(ctx, ATTEST_E_PARSE, "service: config %s.%s has the wrong type",
                             path, name);
}

/* mkdir -p (0700 for what we create). */
static attest_status make_dirs(attest_ctx *ctx, const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
        return attest_ctx__error(ctx, ATTEST_E_ARG, "service: path too long");
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0700) != 0 && errno != EEXIST)
                return attest_ctx__error(ctx, ATTEST_E_IO, "service: %s cannot be created "
                                         "(%s)", buf, strerror(errno));
            *p = c;
            if (c == '\0')
                break;
        }
    }
    return ATTEST_OK;
}

static attest_status read_file(attest_ctx *ctx, const char *what, const char *path, size_t max,
                               char **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    char *buf = NULL;
    if (f == NULL || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
        (uint64_t)st.st_size > max || (buf = malloc((size_t)st.st_size + 1)) == NULL ||
        fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        if (f != NULL)
            fclose(f);
        free(buf);
        return attest_ctx__error(ctx, ATTEST_E_IO, "service: %s %s cannot be read (a file of at "
                                 "most %zu bytes)", what, path, max);
    }
    fclose(f);
    buf[st.st_size] = '\0';
    *out = buf;
    *out_len = (size_t)st.st_size;
    return ATTEST_OK;
}

static attest_status setup_signer(attest_service *s, const cJSON *signer)
{
    attest_ctx *ctx = s->ctx;
    const char *key = cfg_str(signer, "key_path"), *chain = cfg_str(signer, "cert_path");
    attest_status rc;

    if ((rc = cfg_type(ctx, signer, "attestation_token_broker.signer", "key_path",
                       cJSON_String)) != ATTEST_OK ||
        (rc = cfg_type(ctx, signer, "attestation_token_broker.signer", "cert_path",
                       cJSON_String)) != ATTEST_OK)
        return rc;

    if (signer != NULL && key == NULL)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "service: config "
                                 "attestation_token_broker.signer.key_path is required");
    if (key == NULL) /* Trustee generates a key when none is configured */
        return attest_signer_generate(&s->signer, ctx,
                                      s->kind == ATTEST_TOKEN_EAR ? "ES256" : "RS384");
    /* Trustee's simple broker signs RS384 with its RSA key; other keys take their own alg */
    if ((rc = attest_signer_load(&s->signer, ctx, key,
                                 s->kind == ATTEST_TOKEN_SIMPLE ? "RS384" : NULL)) ==
            ATTEST_E_UNSUPPORTED &&
        s->kind == ATTEST_TOKEN_SIMPLE)
        rc = attest_signer_load(&s->signer, ctx, key, NULL);
    if (rc != ATTEST_OK || chain == NULL)
        return rc;
    char *pem = NULL;
    size_t len = 0;
    if ((rc = read_file(ctx, "signer cert_path", chain, CONFIG_MAX, &pem, &len)) == ATTEST_OK)
        rc = attest_signer_set_chain(s->signer, pem, len);
    free(pem);
    return rc;
}

static attest_status setup_broker(attest_service *s, const cJSON *b)
{
    attest_ctx *ctx = s->ctx;
    const char *type = cfg_str(b, "type");
    const cJSON *dur = cJSON_GetObjectItemCaseSensitive(b, "duration_min");
    attest_status rc;

    s->kind = ATTEST_TOKEN_EAR;
    if (type != NULL && strcmp(type, "Simple") == 0)
        s->kind = ATTEST_TOKEN_SIMPLE;
    else if (type != NULL && strcmp(type, "Ear") != 0)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "service: config "
                                 "attestation_token_broker.type is \"%s\" (want Ear or Simple)",
                                 type);
    if ((rc = attest_token_opts_new(&s->opts)) != ATTEST_OK)
        return attest_ctx__error(ctx, rc, "service: out of memory");
    if (dur != NULL && (!cJSON_IsNumber(dur) || dur->valuedouble < 1 ||
                        dur->valuedouble > 44640 || dur->valuedouble != (int)dur->valuedouble ||
                        attest_token_opts_set_ttl(s->opts, (int64_t)dur->valuedouble * 60) !=
                            ATTEST_OK))
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "service: config "
                                 "attestation_token_broker.duration_min is not a whole number "
                                 "of minutes from 1 to 44640");
    static const struct { const char *name; attest_token_opt opt; } strs[] = {
        {"issuer_name", ATTEST_TOKEN_OPT_ISSUER},       {"developer_name", ATTEST_TOKEN_OPT_DEVELOPER},
        {"build_name", ATTEST_TOKEN_OPT_BUILD},         {"profile_name", ATTEST_TOKEN_OPT_PROFILE},
    };
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        const char *v = cfg_str(b, strs[i].name);
        if ((rc = cfg_type(ctx, b, "attestation_token_broker", strs[i].name, cJSON_String)) !=
            ATTEST_OK)
            return rc;
        if (v != NULL && attest_token_opts_set(s->opts, strs[i].opt, v) != ATTEST_OK)
            return attest_ctx__error(ctx, ATTEST_E_PARSE, "service: config "
                                     "attestation_token_broker.%s is empty", strs[i].name);
    }
    if ((rc = cfg_type(ctx, b, "attestation_token_broker", "signer", cJSON_Object)) != ATTEST_OK)
        return rc;
    return setup_signer(s, cJSON_GetObjectItemCaseSensitive(b, "signer"));
}

static attest_status setup_stores(attest_service *s, const cJSON *cfg)
{
    attest_ctx *ctx = s->ctx;
    const char *work = cfg_str(cfg, "work_dir");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(cfg, "attestation_token_broker");
    const cJSON *rv = cJSON_GetObjectItemCaseSensitive(cfg, "rvps_config");
    attest_status rc;
    static const struct { const char *path, *name; int which; } strs[] = {
        {"attestation_token_broker", "policy_dir", 0}, {"rvps_config", "type", 1},
        {"rvps_config", "store_type", 1}, {"rvps_config", "store_config", 2}};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        const cJSON *o = strs[i].which == 0 ? b : rv;
        if ((rc = cfg_type(ctx, o, strs[i].path, strs[i].name,
                           strs[i].which == 2 ? cJSON_Object : cJSON_String)) != ATTEST_OK)
            return rc;
    }
    if ((rc = cfg_type(ctx, cJSON_GetObjectItemCaseSensitive(rv, "store_config"),
                       "rvps_config.store_config", "file_path", cJSON_String)) != ATTEST_OK)
        return rc;
    const char *pdir = cfg_str(b, "policy_dir"), *rtype = cfg_str(rv, "type");
    const char *stype = cfg_str(rv, "store_type");
    const char *spath = cfg_str(cJSON_GetObjectItemCaseSensitive(rv, "store_config"), "file_path");
    char pbuf[4096], rbuf[4096];

    if (pdir == NULL && work != NULL) {
        snprintf(pbuf, sizeof(pbuf), "%s/token/%s/policies", work,
                 s->kind == ATTEST_TOKEN_EAR ? "ear" : "simple");
        pdir = pbuf;
    }
    if (pdir != NULL && (rc = make_dirs(ctx, pdir)) != ATTEST_OK)
        return rc;
    if ((rc = attest_policy_store_new(&s->policies, ctx, pdir)) != ATTEST_OK)
        return rc;
    if (rtype != NULL && strcmp(rtype, "BuiltIn") != 0)
        return attest_ctx__error(ctx, rtype != NULL && strcmp(rtype, "GrpcRemote") == 0
                                          ? ATTEST_E_UNSUPPORTED
                                          : ATTEST_E_PARSE,
                                 "service: config rvps_config.type \"%s\": only BuiltIn (the "
                                 "library does no network I/O)", rtype);
    if (stype == NULL)
        stype = work != NULL || spath != NULL ? "LocalFs" : "memory";
    if (strcmp(stype, "memory") != 0 && spath == NULL) {
        if (work == NULL)
            return attest_ctx__error(ctx, ATTEST_E_PARSE, "service: config "
                                     "rvps_config.store_config.file_path is required without "
                                     "work_dir");
        snprintf(rbuf, sizeof(rbuf), "%s/reference_values%s", work,
                 strcmp(stype, "LocalJson") == 0 ? ".json" : "");
        spath = rbuf;
    }
    if (work != NULL && (rc = make_dirs(ctx, work)) != ATTEST_OK)
        return rc;
    return attest_refvals_open(&s->refvals, ctx, stype,
                               strcmp(stype, "memory") == 0 ? NULL : spath);
}

attest_status attest_service_new(attest_service **out, attest_ctx *ctx, const char *config,
                                 size_t len)
{
    struct attest_json strict;
    cJSON *cfg = NULL;
    attest_status rc;

    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (out == NULL || (config == NULL && len > 0) || len > CONFIG_MAX)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "service: NULL or oversized argument");
    if (config != NULL) {
        if ((rc = attest_json__parse(ctx, "service: config", config, len, &strict)) != ATTEST_OK)
            return rc;
        attest_json__free(&strict);
        cfg = cJSON_ParseWithLength(config, len);
        if (!cJSON_IsObject(cfg)) {
            cJSON_Delete(cfg);
            return attest_ctx__error(ctx, ATTEST_E_PARSE, "service: config is not a JSON "
                                     "object");
        }
    }
    attest_service *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        cJSON_Delete(cfg);
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "service: out of memory");
    }
    s->ctx = ctx;
    if ((rc = cfg_type(ctx, cfg, "$", "work_dir", cJSON_String)) != ATTEST_OK ||
        (rc = cfg_type(ctx, cfg, "$", "rvps_config", cJSON_Object)) != ATTEST_OK ||
        (rc = cfg_type(ctx, cfg, "$", "attestation_token_broker", cJSON_Object)) != ATTEST_OK ||
        (rc = setup_broker(s, cJSON_GetObjectItemCaseSensitive(cfg,
                                                               "attestation_token_broker"))) !=
            ATTEST_OK ||
        (rc = setup_stores(s, cfg)) != ATTEST_OK) {
        attest_service_free(s);
        cJSON_Delete(cfg);
        return rc;
    }
    cJSON_Delete(cfg);
    *out = s;
    return ATTEST_OK;
}

attest_status attest_service_load(attest_service **out, attest_ctx *ctx, const char *path)
{
    char *text = NULL;
    size_t len = 0;
    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (path == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "service: NULL path");
    attest_status rc = read_file(ctx, "config", path, CONFIG_MAX, &text, &len);
    if (rc == ATTEST_OK)
        rc = attest_service_new(out, ctx, text, len);
    free(text);
    return rc;
}

void attest_service_free(attest_service *s)
{
    if (s == NULL)
        return;
    attest_signer_free(s->signer);
    attest_token_opts_free(s->opts);
    attest_policy_store_free(s->policies);
    attest_refvals_free(s->refvals);
    free(s);
}

/* ---- attestation ---- */

/* An unpadded (or padded) base64url member, decoded. */
static attest_status b64url(attest_ctx *ctx, const cJSON *v, const char *name, uint8_t **out,
                            size_t *len)
{
    if (!cJSON_IsString(v))
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "service: %s is missing or not a string",
                                 name);
    if (attest_b64__decode(ATTEST_B64_URL, v->valuestring, strlen(v->valuestring), out, len) !=
        ATTEST_OK)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "service: %s is not base64url", name);
    return ATTEST_OK;
}

/* The one-of objects {"raw"|"structured"} and {"init_data_digest"|"init_data_toml"}. */
static const cJSON *one_of(const cJSON *o, const char *a, const char *b, const char **which)
{
    const cJSON *va = cJSON_GetObjectItemCaseSensitive(o, a);
    const cJSON *vb = cJSON_GetObjectItemCaseSensitive(o, b);
    if (!cJSON_IsObject(o) || cJSON_GetArraySize(o) != 1 || (va == NULL) == (vb == NULL))
        return NULL;
    *which = va != NULL ? a : b;
    return va != NULL ? va : vb;
}

struct verification {
    const char *tee;
    cJSON *runtime_claims, *init_claims; /* for the token and the policy; may be NULL */
    /* the exact text of structured runtime/init data in the request: canonicalised as
     * sent, so integers above 2^53 and escapes stay what the attester hashed */
    const char *rt_text, *init_text;
    size_t rt_len, init_len;
};

static attest_status set_runtime(attest_ctx *ctx, attest_request *req, const cJSON *r,
                                 const cJSON *alg_name, struct verification *v)
{
    attest_hash_alg alg = ATTEST_HASH_SHA384;
    const char *which = NULL;
    const cJSON *val;
    attest_status rc;

    if (r == NULL || cJSON_IsNull(r))
        return ATTEST_OK;
    if (alg_name != NULL && !cJSON_IsNull(alg_name) &&
        (!cJSON_IsString(alg_name) ||
         (alg_name->valuestring[0] != '\0' &&
          attest_hash_alg_from_name(alg_name->valuestring, &alg) != ATTEST_OK)))
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "service: runtime_data_hash_algorithm is "
                                 "not sha256, sha384 or sha512");
    if ((val = one_of(r, "raw", "structured", &which)) == NULL)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "service: runtime_data must be "
                                 "{\"raw\": b64url} or {\"structured\": JSON}");
    if (strcmp(which, "raw") == 0) {
        uint8_t *raw = NULL;
        size_t n = 0;
        if ((rc = b64url(ctx, val, "runtime_data.raw", &raw, &n)) != ATTEST_OK)
            return rc;
        /* Trustee's AS compares raw runtime data as given, zero padded (docs/binding.md) */
        rc = attest_request_set_runtime_data(req, ATTEST_DATA_RAW, raw, n, alg);
        free(raw);
        return rc == ATTEST_OK ? ATTEST_OK
                               : attest_ctx__error(ctx, ATTEST_E_PARSE, "service: "
                                                   "runtime_data.raw is longer than 64 bytes");
    }
    if (v->rt_text == NULL)
        return attest_ctx__error(ctx, ATTEST_E_INTERNAL, "service: runtime_data.structured "
                                 "text not found");
    rc = attest_request_set_runtime_data(req, ATTEST_DATA_JSON, (const uint8_t *)v->rt_text,
                                         v->rt_len, alg);
    if (rc != ATTEST_OK)
        return attest_ctx__error(ctx, rc, "service: runtime_data.structured cannot be bound");
    v->runtime_claims = cJSON_Duplicate(val, 1);
    return v->runtime_claims != NULL ? ATTEST_OK
                                     : attest_ctx__error(ctx, ATTEST_E_NOMEM, "service: out of "
                                                         "memory");
}

/*
 * init_data: {"init_data_digest": b64url} or {"init_data_toml": TOML} (Trustee's code), or
 * the documented {"raw": b64url} (as given, like the digest) or {"structured": JSON}
 * (canonical JSON hashed with init_data_hash_algorithm) of seed 002's request shape.
 */
static attest_status set_init(attest_ctx *ctx, attest_request *req, const cJSON *i,
                              const cJSON *alg_name, struct verification *v)
{
    const char *which = NULL;
    const cJSON *val;
    attest_status rc;

    if (i == NULL || cJSON_IsNull(i))
        return ATTEST_OK;
    if ((val = one_of(i, "init_data_digest", "init_data_toml", &which)) == NULL &&
        (val = one_of(i, "raw", "structured", &which)) == NULL)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "service: init_data must be "
                                 "{\"init_data_digest\": b64url}, {\"init_data_toml\": TOML}, "
                                 "{\"raw\": b64url} or {\"structured\": JSON}");
    if (strcmp(which, "structured") == 0) {
        attest_hash_alg alg = ATTEST_HASH_SHA384;
        if (alg_name != NULL && !cJSON_IsNull(alg_name) &&
            (!cJSON_IsString(alg_name) ||
             (alg_name->valuestring[0] != '\0' &&
              attest_hash_alg_from_name(alg_name->valuestring, &alg) != ATTEST_OK)))
            return attest_ctx__error(ctx, ATTEST_E_PARSE, "service: init_data_hash_algorithm is "
                                     "not sha256, sha384 or sha512");
        if (v->init_text == NULL)
            return attest_ctx__error(ctx, ATTEST_E_INTERNAL, "service: init_data.structured "
                                     "text not found");
        rc = attest_request_set_init_data(req, ATTEST_DATA_JSON | ATTEST_DATA_TRUNCATE,
                                          (const uint8_t *)v->init_text, v->init_len, alg);
        if (rc == ATTEST_OK && (v->init_claims = cJSON_Duplicate(val, 1)) == NULL)
            rc = ATTEST_E_NOMEM;
        return rc == ATTEST_OK ? rc
                               : attest_ctx__error(ctx, rc, "service: init_data.structured "
                                                   "cannot be bound");
    }
    if (strcmp(which, "init_data_digest") == 0 || strcmp(which, "raw") == 0) {
        uint8_t *raw = NULL;
        size_t n = 0;
        if ((rc = b64url(ctx, val, "init_data.init_data_digest", &raw, &n)) != ATTEST_OK)
            return rc;
        /* Trustee compares init data truncated to the field (regularize_data) */
        rc = attest_request_set_init_data(req, ATTEST_DATA_RAW | ATTEST_DATA_TRUNCATE, raw, n,
                                          ATTEST_HASH_SHA384);
        free(raw);
        return rc == ATTEST_OK ? ATTEST_OK
                               : attest_ctx__error(ctx, ATTEST_E_PARSE, "service: "
                                                   "init_data.init_data_digest is longer than "
                                                   "64 bytes");
    }
    if (!cJSON_IsString(val))
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "service: init_data.init_data_toml is not "
                                 "a string");
    struct attest_initdata d;
    const char *toml = val->valuestring;
    if ((rc = attest_initdata__parse(ctx, toml, strlen(toml), &d)) != ATTEST_OK)
        return rc;
    v->init_claims = d.data; /* the [data] table, as Trustee's init_data_claims */
    d.data = NULL;
    attest_initdata__free(&d);
    return attest_request_set_init_data(req, ATTEST_DATA_INITDATA_TOML, (const uint8_t *)toml,
                                        strlen(toml), ATTEST_HASH_SHA384);
}

/* Verify one IndividualAttestationRequest. */
static attest_status verify_one(attest_service *s, const cJSON *r, struct verification *v,
                                attest_result **res)
{
    attest_ctx *ctx = s->ctx;
    const cJSON *tee = cJSON_GetObjectItemCaseSensitive(r, "tee");
    uint8_t *evidence = NULL;
    size_t n = 0;
    attest_request *req = NULL;
    attest_status rc;

    if (!cJSON_IsString(tee))
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "service: tee is missing or not a string");
    v->tee = tee->valuestring;
    if ((rc = b64url(ctx, cJSON_GetObjectItemCaseSensitive(r, "evidence"), "evidence", &evidence,
                     &n)) != ATTEST_OK)
        return rc;
    if ((rc = attest_request_new(&req, tee->valuestring, evidence, n)) != ATTEST_OK)
        rc = attest_ctx__error(ctx, rc, rc == ATTEST_E_UNSUPPORTED
                                            ? "service: tee \"%s\" is not supported by this build"
                                            : "service: evidence for %s is empty or too large",
                               tee->valuestring);
    else if ((rc = set_runtime(ctx, req, cJSON_GetObjectItemCaseSensitive(r, "runtime_data"),
                               cJSON_GetObjectItemCaseSensitive(r, "runtime_data_hash_algorithm"),
                               v)) == ATTEST_OK &&
             (rc = set_init(ctx, req, cJSON_GetObjectItemCaseSensitive(r, "init_data"),
                            cJSON_GetObjectItemCaseSensitive(r, "init_data_hash_algorithm"), v)) ==
                 ATTEST_OK)
        rc = attest_verify(ctx, req, res);
    attest_request_free(req);
    free(evidence);
    return rc;
}

/* Trustee's policy input: the verifier's claims plus runtime_data_claims and
 * init_data_claims (attestation-service.md §7). */
static char *annotated(const attest_result *res, const struct verification *v)
{
    cJSON *o = cJSON_Parse(attest_result_claims_json(res));
    char *text = NULL;
    if (cJSON_IsObject(o) &&
        cJSON_AddItemToObject(o, "runtime_data_claims",
                              v->runtime_claims ? cJSON_Duplicate(v->runtime_claims, 1)
                                                : cJSON_CreateNull()) &&
        cJSON_AddItemToObject(o, "init_data_claims",
                              v->init_claims ? cJSON_Duplicate(v->init_claims, 1)
                                             : cJSON_CreateNull()))
        text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* "<id>_cpu", then "<id>", then for "default" the built-in default of the TEE. */
static attest_status find_policy(attest_service *s, const char *id, const char *tee,
                                 attest_policy **out)
{
    char cpu[128];
    snprintf(cpu, sizeof(cpu), "%s_cpu", id);
    if (attest_policy_store_get(s->ctx, s->policies, cpu, out) == ATTEST_OK ||
        attest_policy_store_get(s->ctx, s->policies, id, out) == ATTEST_OK)
        return ATTEST_OK;
    if (strcmp(id, "default") != 0)
        return attest_ctx__error(s->ctx, ATTEST_E_NOT_FOUND, "service: no policy \"%s\" (nor "
                                 "\"%s\")", id, cpu);
    if (attest_policy_default(out, s->ctx, tee) == ATTEST_OK)
        return ATTEST_OK;
    return attest_policy_default(out, s->ctx, NULL);
}

static attest_status appraise_and_mint(attest_service *s, const char *policy_id,
                                       const attest_result *res, const struct verification *v,
                                       char **token)
{
    attest_ctx *ctx = s->ctx;
    attest_policy *p = NULL;
    attest_token_opts *o = NULL;
    attest_trust_vector tv;
    char *claims = annotated(res, v), *rt = NULL, *in = NULL;
    attest_status rc;

    if (claims == NULL)
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "service: out of memory");
    if ((rc = find_policy(s, policy_id, attest_result_tee(res), &p)) != ATTEST_OK)
        goto out;
    if (attest_policy_kind_of(p) == ATTEST_POLICY_APPRAISAL) {
        rc = attest_policy_appraise(ctx, p, claims, strlen(claims), attest_refvals_lookup,
                                    s->refvals, &tv, NULL);
    } else {
        /* a release policy decides, as Trustee's simple broker: allowed or refused */
        int allowed = 0;
        char *reason = NULL;
        rc = attest_policy_allows(ctx, p, claims, strlen(claims), NULL, &allowed, &reason);
        if (rc == ATTEST_OK && !allowed)
            rc = attest_ctx__error(ctx, ATTEST_E_POLICY, "service: rejected by policy %s: %s",
                                   policy_id, reason ? reason : "denied");
        attest_free(reason);
    }
    if (rc != ATTEST_OK)
        goto out;
    rt = v->runtime_claims ? cJSON_PrintUnformatted(v->runtime_claims) : NULL;
    in = v->init_claims ? cJSON_PrintUnformatted(v->init_claims) : NULL;
    /* the configured options, then this request's */
    if ((o = attest_token__opts_dup(s->opts)) == NULL)
        rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "service: out of memory");
    if (rc == ATTEST_OK &&
        ((attest_policy_kind_of(p) == ATTEST_POLICY_APPRAISAL &&
          attest_token_opts_set_trust_vector(o, &tv) != ATTEST_OK) ||
         attest_token_opts_set(o, ATTEST_TOKEN_OPT_POLICY_ID, policy_id) != ATTEST_OK ||
         attest_token_opts_set(o, ATTEST_TOKEN_OPT_POLICY_HASH, attest_policy_hash(p)) !=
             ATTEST_OK ||
         (rt != NULL && attest_token_opts_set(o, ATTEST_TOKEN_OPT_RUNTIME_CLAIMS, rt) != ATTEST_OK) ||
         (in != NULL && attest_token_opts_set(o, ATTEST_TOKEN_OPT_INIT_CLAIMS, in) != ATTEST_OK)))
        rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "service: out of memory");
    if (rc == ATTEST_OK)
        rc = attest_token_mint(ctx, s->signer, s->kind, o, res, token);
out:
    attest_token_opts_free(o);
    attest_policy_free(p);
    free(claims);
    free(rt);
    free(in);
    return rc;
}

/* The source text of runtime_data.structured and init_data.structured in the (first)
 * verification request, or in the older flat form. */
static void structured_spans(const struct attest_json *d, struct verification *v)
{
    uint32_t one = 0, reqs = attest_json__get(d, 0, "verification_requests");
    if (attest_json__is(d, reqs, ATTEST_JSON_ARRAY))
        one = d->v[reqs].first;
    uint32_t rt = attest_json__get(d, attest_json__get(d, one, "runtime_data"), "structured");
    uint32_t in = attest_json__get(d, attest_json__get(d, one, "init_data"), "structured");
    if (rt != ATTEST_JSON_NONE) {
        v->rt_text = d->v[rt].text;
        v->rt_len = d->v[rt].text_len;
    }
    if (in != ATTEST_JSON_NONE) {
        v->init_text = d->v[in].text;
        v->init_len = d->v[in].text_len;
    }
}

attest_status attest_service_attest(attest_service *s, const char *request, size_t len,
                                    char **token)
{
    struct attest_json strict;
    struct verification v;
    attest_result *res = NULL;
    cJSON *root = NULL;
    attest_status rc;

    memset(&v, 0, sizeof(v));
    if (s == NULL)
        return ATTEST_E_ARG;
    attest_ctx *ctx = s->ctx;
    if (request == NULL || token == NULL || len > REQUEST_MAX)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "service: NULL or oversized request");
    if ((rc = attest_json__parse(ctx, "service: request", request, len, &strict)) != ATTEST_OK)
        return rc;
    structured_spans(&strict, &v);
    root = cJSON_ParseWithLength(request, len);
    const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(root, "verification_requests");
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(root, "policy_ids");
    const cJSON *one = root; /* the older flat form: tee, evidence, ... at the top */
    const char *policy_id = "default";
    if (!cJSON_IsObject(root)) {
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "service: request is not a JSON object");
        goto out;
    }
    if (reqs != NULL) {
        if (!cJSON_IsArray(reqs) || cJSON_GetArraySize(reqs) == 0) {
            rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "service: verification_requests is not a "
                                   "non-empty array");
            goto out;
        }
        if (cJSON_GetArraySize(reqs) > 1) {
            rc = attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED, "service: %d verification requests; "
                                   "one (the CPU's) is supported", cJSON_GetArraySize(reqs));
            goto out;
        }
        one = reqs->child;
    }
    if (ids != NULL && !cJSON_IsNull(ids)) {
        if (!cJSON_IsArray(ids)) {
            rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "service: policy_ids is not an array");
            goto out;
        }
        for (const cJSON *i = ids->child; i != NULL; i = i->next)
            if (!cJSON_IsString(i)) {
                rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "service: policy_ids holds a "
                                       "non-string");
                goto out;
            }
        if (ids->child != NULL) /* Trustee: the first id names the EAR appraisal policy */
            policy_id = ids->child->valuestring;
    }
    if ((rc = verify_one(s, one, &v, &res)) == ATTEST_OK)
        rc = appraise_and_mint(s, policy_id, res, &v, token);
out:
    attest_result_free(res);
    cJSON_Delete(v.runtime_claims);
    cJSON_Delete(v.init_claims);
    cJSON_Delete(root);
    attest_json__free(&strict);
    return rc;
}

/* ---- policies, challenge, JWKS, reference values ---- */

attest_status attest_service_set_policy(attest_service *s, const char *request, size_t len)
{
    struct attest_json strict;
    if (s == NULL)
        return ATTEST_E_ARG;
    if (request == NULL || len > REQUEST_MAX)
        return attest_ctx__error(s->ctx, ATTEST_E_ARG, "service: NULL or oversized request");
    attest_status rc = attest_json__parse(s->ctx, "service: policy request", request, len, &strict);
    if (rc != ATTEST_OK)
        return rc;
    attest_json__free(&strict);
    cJSON *root = cJSON_ParseWithLength(request, len);
    const char *id = cfg_str(root, "policy_id");
    uint8_t *text = NULL;
    size_t n = 0;
    if (id == NULL)
        rc = attest_ctx__error(s->ctx, ATTEST_E_PARSE, "service: policy_id is missing or not a "
                               "string");
    else if ((rc = b64url(s->ctx, cJSON_GetObjectItemCaseSensitive(root, "policy"), "policy",
                          &text, &n)) == ATTEST_OK)
        rc = attest_policy_store_set(s->ctx, s->policies, id, (const char *)text, n);
    free(text);
    cJSON_Delete(root);
    return rc;
}

attest_status attest_service_list_policies(attest_service *s, char **json)
{
    if (s == NULL)
        return ATTEST_E_ARG;
    if (json == NULL)
        return attest_ctx__error(s->ctx, ATTEST_E_ARG, "service: NULL argument");
    cJSON *a = cJSON_CreateArray();
    bool ok = a != NULL;
    for (size_t i = 0; ok && i < attest_policy_store_count(s->policies); i++) {
        cJSON *o = cJSON_CreateObject();
        ok = o != NULL &&
             cJSON_AddStringToObject(o, "policy-id", attest_policy_store_id(s->policies, i)) &&
             cJSON_AddItemToArray(a, o);
        if (!ok)
            cJSON_Delete(o);
    }
    char *text = ok ? cJSON_PrintUnformatted(a) : NULL;
    cJSON_Delete(a);
    if (text == NULL)
        return attest_ctx__error(s->ctx, ATTEST_E_NOMEM, "service: out of memory");
    *json = text;
    return ATTEST_OK;
}

attest_status attest_service_get_policy(attest_service *s, const char *id, char **text)
{
    attest_policy *p = NULL;
    if (s == NULL)
        return ATTEST_E_ARG;
    if (id == NULL || text == NULL)
        return attest_ctx__error(s->ctx, ATTEST_E_ARG, "service: NULL argument");
    attest_status rc = attest_policy_store_get(s->ctx, s->policies, id, &p);
    if (rc != ATTEST_OK)
        return rc == ATTEST_E_NOT_FOUND
                   ? attest_ctx__error(s->ctx, rc, "service: no policy \"%s\"", id)
                   : rc;
    size_t n = 0;
    const char *t = attest_policy_text(p, &n);
    char *copy = malloc(n + 1);
    if (copy != NULL) {
        memcpy(copy, t, n);
        copy[n] = '\0';
        *text = copy;
    }
    attest_policy_free(p);
    return copy != NULL ? ATTEST_OK
                        : attest_ctx__error(s->ctx, ATTEST_E_NOMEM, "service: out of memory");
}

attest_status attest_service_challenge(attest_service *s, const char *request, size_t len,
                                       char **challenge)
{
    struct attest_json d;
    if (s == NULL)
        return ATTEST_E_ARG;
    if (request == NULL || challenge == NULL)
        return attest_ctx__error(s->ctx, ATTEST_E_ARG, "service: NULL argument");
    attest_status rc = attest_json__parse(s->ctx, "service: challenge request", request, len, &d);
    if (rc != ATTEST_OK)
        return rc;
    uint32_t tee = attest_json__get(&d, 0, "tee");
    const char *name = attest_json__cstr(&d, tee);
    bool known = false;
    for (size_t i = 0; name != NULL && i < attest_tee_count(); i++)
        known = known || strcmp(attest_tee_name(i), name) == 0;
    if (name == NULL)
        rc = attest_ctx__error(s->ctx, ATTEST_E_PARSE, "service: tee is missing or not a "
                               "string");
    else if (!known)
        rc = attest_ctx__error(s->ctx, ATTEST_E_UNSUPPORTED, "service: tee \"%s\" is not "
                               "supported by this build", name);
    else if ((*challenge = calloc(1, 1)) == NULL) /* no supplemental challenge */
        rc = attest_ctx__error(s->ctx, ATTEST_E_NOMEM, "service: out of memory");
    attest_json__free(&d);
    return rc;
}

attest_status attest_service_jwks(attest_service *s, char **json)
{
    if (s == NULL)
        return ATTEST_E_ARG;
    const attest_signer *const one[1] = {s->signer};
    return attest_signers_jwks(s->ctx, one, 1, json);
}

attest_status attest_service_register_refval(attest_service *s, const char *message, size_t len)
{
    return s == NULL ? ATTEST_E_ARG : attest_refvals_register(s->refvals, message, len);
}

attest_status attest_service_query_refval(attest_service *s, const char *name, char **json)
{
    return s == NULL ? ATTEST_E_ARG : attest_refvals_query(s->refvals, name, json);
}
