/*
 * The KBS protocol core (include/attest/kbs.h): Trustee KBS v0.4.0, HTTP-agnostic.
 * Wire formats: ../shared/specs/kbs-protocol.md §1-8.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/rand.h>

#include "file.h"
#include "json.h"

#define KBS_PROTOCOL "0.4.0"
#define SESSIONS_MAX 4096
#define RESOURCE_MAX (64u * 1024u * 1024u)
#define ERR_PREFIX "https://github.com/confidential-containers/kbs/errors/"

/* Trustee's default resource policy (kbs/sample_policies/default.rego): allow unless the
 * token is for the sample TEE: an EAR token without sample evidence in cpu0, or a simple
 * token whose "tee" is not "sample". Anything else (no recognisable token) is refused. */
static const char default_resource_policy[] =
    "{\"version\": \"1.0.0\", \"anyOf\": ["
    "{\"allOf\": [{\"claim\": \"submods.cpu0.ear.status\", \"exists\": true},"
    " {\"claim\": \"submods.cpu0.ear.veraison.annotated-evidence.sample\", \"exists\": false}]},"
    "{\"allOf\": [{\"claim\": \"tee\", \"exists\": true},"
    " {\"claim\": \"tee\", \"notEquals\": \"sample\"}]}]}";

struct session {
    char id[33];
    char nonce[45]; /* standard base64 of 32 bytes */
    char tee[32];
    int64_t expires;
    char *token;    /* NULL until attested */
    bool used;      /* the nonce was spent by an /attest */
};

struct attest_kbs {
    attest_ctx *ctx;
    attest_service *as;
    char *resource_dir;
    int64_t timeout;
    struct session *sessions;
    size_t n_sessions;
    attest_token_verifier *issuers; /* passport tokens; also the in-process AS's key */
    attest_token_verifier *admin;   /* NULL: admin denied */
    attest_policy *resource_policy;
};

/* ---- replies ---- */

struct reply {
    unsigned status;
    char *body;
    char *cookie;
};

/* ErrorInformation {"type": ERR_PREFIX<variant>, "detail"} (kbs-protocol.md §5). */
static attest_status kbs_error(struct reply *r, unsigned status, const char *variant,
                               const char *detail)
{
    cJSON *o = cJSON_CreateObject();
    char type[128];
    snprintf(type, sizeof(type), ERR_PREFIX "%s", variant);
    if (o == NULL || cJSON_AddStringToObject(o, "type", type) == NULL ||
        cJSON_AddStringToObject(o, "detail", detail != NULL ? detail : "") == NULL ||
        (r->body = cJSON_PrintUnformatted(o)) == NULL) {
        cJSON_Delete(o);
        return ATTEST_E_NOMEM;
    }
    cJSON_Delete(o);
    r->status = status;
    return ATTEST_OK;
}

static attest_status ok_text(struct reply *r, const char *text)
{
    r->status = 200;
    r->body = strdup(text != NULL ? text : "");
    return r->body != NULL ? ATTEST_OK : ATTEST_E_NOMEM;
}

/* ---- sessions ---- */

static void session_drop(attest_kbs *k, size_t i)
{
    free(k->sessions[i].token);
    OPENSSL_cleanse(&k->sessions[i], sizeof(k->sessions[i]));
    k->sessions[i] = k->sessions[--k->n_sessions];
}

static void sessions_expire(attest_kbs *k)
{
    int64_t now = attest_ctx_time(k->ctx);
    for (size_t i = 0; i < k->n_sessions;)
        if (k->sessions[i].expires < now) /* valid through its expiry second */
            session_drop(k, i);
        else
            i++;
}

static struct session *session_find(attest_kbs *k, const char *id)
{
    sessions_expire(k);
    for (size_t i = 0; id != NULL && i < k->n_sessions; i++)
        if (strlen(id) == 32 && attest_ct_equal((const uint8_t *)k->sessions[i].id,
                                                (const uint8_t *)id, 32))
            return &k->sessions[i];
    return NULL;
}

/* "kbs-session-id=<id>; Expires=<IMF-fixdate>" (only Expires, as upstream). */
static char *cookie_for(const struct session *s)
{
    char date[64], *c = malloc(160);
    time_t t = (time_t)s->expires;
    struct tm tm;
    if (c == NULL || gmtime_r(&t, &tm) == NULL ||
        strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0) {
        free(c);
        return NULL;
    }
    snprintf(c, 160, "kbs-session-id=%s; Expires=%s", s->id, date);
    return c;
}

/* ---- setup ---- */

attest_status attest_kbs_new(attest_kbs **out, attest_ctx *ctx, attest_service *as,
                             const char *resource_dir)
{
    struct stat st;
    attest_status rc;
    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (out == NULL || resource_dir == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "kbs: NULL argument");
    if (stat(resource_dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return attest_ctx__error(ctx, ATTEST_E_IO, "kbs: resource directory %s is not a "
                                 "directory", resource_dir);
    attest_kbs *k = calloc(1, sizeof(*k));
    if (k == NULL || (k->resource_dir = strdup(resource_dir)) == NULL ||
        (k->sessions = calloc(SESSIONS_MAX, sizeof(*k->sessions))) == NULL) {
        attest_kbs_free(k);
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "kbs: out of memory");
    }
    k->ctx = ctx;
    k->as = as;
    k->timeout = 300;
    if ((rc = attest_token_verifier_new(&k->issuers, ctx)) != ATTEST_OK ||
        (rc = attest_policy_new(&k->resource_policy, ctx, default_resource_policy,
                                sizeof(default_resource_policy) - 1)) != ATTEST_OK) {
        attest_kbs_free(k);
        return rc;
    }
    if (as != NULL) { /* our own AS's tokens */
        char *jwks = NULL;
        rc = attest_service_jwks(as, &jwks);
        if (rc == ATTEST_OK)
            rc = attest_token_verifier_add_jwks(k->issuers, jwks, strlen(jwks));
        attest_free(jwks);
        if (rc != ATTEST_OK) {
            attest_kbs_free(k);
            return rc;
        }
    }
    *out = k;
    return ATTEST_OK;
}

void attest_kbs_free(attest_kbs *k)
{
    if (k == NULL)
        return;
    while (k->sessions != NULL && k->n_sessions > 0)
        session_drop(k, 0);
    free(k->sessions);
    free(k->resource_dir);
    attest_token_verifier_free(k->issuers);
    attest_token_verifier_free(k->admin);
    attest_policy_free(k->resource_policy);
    free(k);
}

attest_status attest_kbs_set_session_timeout(attest_kbs *k, int64_t seconds)
{
    if (k == NULL)
        return ATTEST_E_ARG;
    if (seconds < 1 || seconds > 24 * 3600)
        return attest_ctx__error(k->ctx, ATTEST_E_ARG, "kbs: session timeout %lld s is outside "
                                 "1 s to 1 day", (long long)seconds);
    k->timeout = seconds;
    return ATTEST_OK;
}

attest_status attest_kbs_trust_issuer(attest_kbs *k, const char *jwks, size_t len)
{
    return k == NULL ? ATTEST_E_ARG : attest_token_verifier_add_jwks(k->issuers, jwks, len);
}

attest_status attest_kbs_set_admin_key(attest_kbs *k, const char *pem, size_t len)
{
    attest_token_verifier *v = NULL;
    if (k == NULL)
        return ATTEST_E_ARG;
    attest_status rc = attest_token_verifier_new(&v, k->ctx);
    if (rc == ATTEST_OK)
        rc = attest_token_verifier_add_pem(v, pem, len);
    /* Trustee's kbs-client admin tokens: iat and a short exp; accept an hour without exp */
    if (rc == ATTEST_OK)
        rc = attest_token_verifier_set_max_age(v, 3600);
    if (rc != ATTEST_OK) {
        attest_token_verifier_free(v);
        return rc;
    }
    attest_token_verifier_free(k->admin);
    k->admin = v;
    return ATTEST_OK;
}

attest_status attest_kbs_set_resource_policy(attest_kbs *k, const char *json, size_t len)
{
    attest_policy *p = NULL;
    if (k == NULL)
        return ATTEST_E_ARG;
    attest_status rc = attest_policy_new(&p, k->ctx, json, len);
    if (rc == ATTEST_OK && attest_policy_kind_of(p) != ATTEST_POLICY_RELEASE)
        rc = attest_ctx__error(k->ctx, ATTEST_E_PARSE, "kbs: a resource policy is a release "
                               "policy (anyOf/allOf), not an appraisal policy");
    if (rc != ATTEST_OK) {
        attest_policy_free(p);
        return rc;
    }
    attest_policy_free(k->resource_policy);
    k->resource_policy = p;
    return ATTEST_OK;
}

/* ---- RCAR ---- */

static attest_status do_auth(attest_kbs *k, const uint8_t *body, size_t len, struct reply *r)
{
    struct attest_json d;
    uint8_t id[16], nonce[32];
    if (attest_json__parse(k->ctx, "kbs: request", (const char *)body, len, &d) != ATTEST_OK)
        return kbs_error(r, 401, "AttestationError", attest_ctx_last_error(k->ctx));
    const char *version = attest_json__cstr(&d, attest_json__get(&d, 0, "version"));
    const char *tee = attest_json__cstr(&d, attest_json__get(&d, 0, "tee"));
    attest_status rc;
    if (version == NULL || strcmp(version, KBS_PROTOCOL) != 0) {
        char msg[160];
        snprintf(msg, sizeof(msg), "KBS Client Protocol Version Mismatch: server wants " KBS_PROTOCOL
                 ", got %.40s", version != NULL ? version : "(none)");
        rc = kbs_error(r, 401, "AttestationError", msg);
    } else if (tee == NULL || strlen(tee) >= sizeof(k->sessions[0].tee)) {
        rc = kbs_error(r, 401, "AttestationError", "Request: tee is missing or not a string");
    } else {
        sessions_expire(k);
        if (k->n_sessions == SESSIONS_MAX) {
            /* full: a challenge nobody answered goes first, so a flood of /auth cannot push
             * out attested sessions; among equals, the one closest to expiry. Its client
             * gets a 401 and, like guest-components, runs the handshake again */
            size_t victim = 0;
            for (size_t i = 1; i < k->n_sessions; i++) {
                const struct session *a = &k->sessions[i], *b = &k->sessions[victim];
                if ((a->token == NULL) != (b->token == NULL) ? a->token == NULL
                                                             : a->expires < b->expires)
                    victim = i;
            }
            session_drop(k, victim);
        }
        if (RAND_bytes(id, sizeof(id)) != 1 || RAND_bytes(nonce, sizeof(nonce)) != 1) {
            rc = ATTEST_E_INTERNAL;
        } else {
            struct session *s = &k->sessions[k->n_sessions];
            memset(s, 0, sizeof(*s));
            attest_hex__encode(id, sizeof(id), s->id); /* UUIDv4 "simple" width */
            char *b = attest_b64__encode(ATTEST_B64_STD, nonce, sizeof(nonce));
            if (b == NULL) {
                rc = ATTEST_E_NOMEM;
            } else {
                snprintf(s->nonce, sizeof(s->nonce), "%s", b);
                snprintf(s->tee, sizeof(s->tee), "%s", tee);
                s->expires = attest_ctx_time(k->ctx) + k->timeout;
                k->n_sessions++;
                char json[128];
                snprintf(json, sizeof(json), "{\"nonce\":\"%s\",\"extra-params\":\"\"}", s->nonce);
                rc = ok_text(r, json);
                if (rc == ATTEST_OK && (r->cookie = cookie_for(s)) == NULL)
                    rc = ATTEST_E_NOMEM;
            }
            free(b);
        }
    }
    attest_json__free(&d);
    return rc;
}

/* The AS request for an Attestation body (kbs-protocol.md §3, §3.1). NULL + reason. */
static char *as_request(const cJSON *att, const struct session *s, const char **why)
{
    const cJSON *rd = cJSON_GetObjectItemCaseSensitive(att, "runtime-data");
    const cJSON *te = cJSON_GetObjectItemCaseSensitive(att, "tee-evidence");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(att, "init-data");
    const cJSON *nonce = cJSON_GetObjectItemCaseSensitive(rd, "nonce");
    const cJSON *pk = cJSON_GetObjectItemCaseSensitive(rd, "tee-pubkey");
    const cJSON *primary = cJSON_GetObjectItemCaseSensitive(te, "primary_evidence");
    const cJSON *additional = cJSON_GetObjectItemCaseSensitive(te, "additional_evidence");

    if (!cJSON_IsString(nonce) || !cJSON_IsObject(pk)) {
        *why = "Attestation: runtime-data needs a nonce string and a tee-pubkey object";
        return NULL;
    }
    /* the nonce of this session, compared without leaking where it differs */
    if (strlen(nonce->valuestring) != strlen(s->nonce) ||
        !attest_ct_equal((const uint8_t *)nonce->valuestring, (const uint8_t *)s->nonce,
                         strlen(s->nonce))) {
        *why = "Attestation: runtime-data nonce is not this session's challenge";
        return NULL;
    }
    if (primary == NULL || (additional != NULL && !cJSON_IsString(additional))) {
        *why = "Attestation: tee-evidence needs primary_evidence (and additional_evidence as "
               "a string)";
        return NULL;
    }
    if (id != NULL && !cJSON_IsNull(id)) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(id, "format");
        if (!cJSON_IsString(f) || strcmp(f->valuestring, "toml") != 0 ||
            !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(id, "body"))) {
            *why = "Attestation: init-data must be {\"format\": \"toml\", \"body\": TOML}";
            return NULL;
        }
    }
    /* evidence: the primary evidence's JSON text (a string value is taken as the text) */
    char *ev = cJSON_IsString(primary) ? strdup(primary->valuestring)
                                       : cJSON_PrintUnformatted(primary);
    char *ev64 = ev != NULL ? attest_b64__encode(ATTEST_B64_URL, (const uint8_t *)ev, strlen(ev))
                            : NULL;
    cJSON *req = cJSON_CreateObject(), *vrs = cJSON_AddArrayToObject(req, "verification_requests");
    cJSON *one = cJSON_CreateObject(), *runtime = cJSON_CreateObject(), *st = cJSON_CreateObject();
    char *text = NULL;
    bool ok = ev64 != NULL && req != NULL && vrs != NULL && one != NULL && runtime != NULL &&
              st != NULL;
    /* §3.1: {"additional-evidence", "nonce", "tee-pubkey"}, canonicalised and hashed */
    ok = ok && cJSON_AddStringToObject(st, "additional-evidence",
                                       additional != NULL ? additional->valuestring : "") &&
         cJSON_AddStringToObject(st, "nonce", nonce->valuestring) &&
         cJSON_AddItemToObject(st, "tee-pubkey", cJSON_Duplicate(pk, 1)) &&
         cJSON_AddItemToObject(runtime, "structured", st) && (st = NULL, true) &&
         cJSON_AddStringToObject(one, "tee", s->tee) &&
         cJSON_AddStringToObject(one, "evidence", ev64) &&
         cJSON_AddItemToObject(one, "runtime_data", runtime) && (runtime = NULL, true) &&
         cJSON_AddStringToObject(one, "runtime_data_hash_algorithm", "sha384");
    if (ok && id != NULL && !cJSON_IsNull(id)) {
        cJSON *init = cJSON_CreateObject();
        ok = init != NULL &&
             cJSON_AddStringToObject(init, "init_data_toml",
                                     cJSON_GetObjectItemCaseSensitive(id, "body")->valuestring) &&
             cJSON_AddItemToObject(one, "init_data", init);
        if (!ok)
            cJSON_Delete(init);
    }
    ok = ok && cJSON_AddItemToArray(vrs, one) && (one = NULL, true);
    cJSON *ids = ok ? cJSON_AddArrayToObject(req, "policy_ids") : NULL;
    ok = ok && ids != NULL && cJSON_AddItemToArray(ids, cJSON_CreateString("default"));
    if (ok)
        text = cJSON_PrintUnformatted(req);
    if (text == NULL)
        *why = "out of memory";
    cJSON_Delete(req);
    cJSON_Delete(one);
    cJSON_Delete(runtime);
    cJSON_Delete(st);
    free(ev);
    free(ev64);
    return text;
}

static attest_status do_attest(attest_kbs *k, const char *sid, const uint8_t *body, size_t len,
                               struct reply *r)
{
    struct attest_json strict;
    struct session *s = session_find(k, sid);
    if (k->as == NULL)
        return kbs_error(r, 404, "PluginNotFound", "this KBS has no attestation service");
    if (s == NULL)
        return kbs_error(r, 401, "AttestationError", sid == NULL ? "kbs-session-id cookie missing"
                                                                 : "session not found or expired");
    if (s->token != NULL) { /* attested already: the same token (kbs-protocol.md §3.3) */
        char json[64 + 16384];
        if (strlen(s->token) > 16384)
            return kbs_error(r, 401, "AttestationError", "token too large");
        snprintf(json, sizeof(json), "{\"token\":\"%s\"}", s->token);
        attest_status rc = ok_text(r, json);
        if (rc == ATTEST_OK && (r->cookie = cookie_for(s)) == NULL)
            rc = ATTEST_E_NOMEM;
        return rc;
    }
    if (s->used)
        return kbs_error(r, 401, "AttestationError", "the challenge nonce was used already");
    s->used = true; /* one evidence per challenge, whatever the outcome */
    if (attest_json__parse(k->ctx, "kbs: attestation", (const char *)body, len, &strict) !=
        ATTEST_OK)
        return kbs_error(r, 401, "AttestationError", attest_ctx_last_error(k->ctx));
    attest_json__free(&strict);
    cJSON *att = cJSON_ParseWithLength((const char *)body, len);
    const char *why = NULL;
    char *req = cJSON_IsObject(att) ? as_request(att, s, &why) : NULL;
    cJSON_Delete(att);
    if (req == NULL)
        return kbs_error(r, 401, "AttestationError", why != NULL ? why : "Attestation is not a "
                                                                          "JSON object");
    char *token = NULL;
    attest_status vrc = attest_service_attest(k->as, req, strlen(req), &token);
    free(req);
    if (vrc != ATTEST_OK)
        return kbs_error(r, 401, "AttestationError", attest_ctx_last_error(k->ctx));
    s->token = token;
    char *json = malloc(strlen(token) + 16);
    if (json == NULL)
        return ATTEST_E_NOMEM;
    sprintf(json, "{\"token\":\"%s\"}", token);
    r->status = 200;
    r->body = json;
    return (r->cookie = cookie_for(s)) != NULL ? ATTEST_OK : ATTEST_E_NOMEM;
}

/* ---- resources ---- */

/* A path segment of a resource: [A-Za-z0-9_.-]+, not "." or "..". */
static bool segment_ok(const char *p, size_t n)
{
    if (n == 0 || n > 128 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
              (p[i] >= '0' && p[i] <= '9') || p[i] == '_' || p[i] == '.' || p[i] == '-'))
            return false;
    return true;
}

/* "<repo>/<type>/<tag>" -> "<dir>/<repo>/<type>/<tag>", or false. */
static bool resource_path(const attest_kbs *k, const char *rest, char *out, size_t cap)
{
    const char *a = rest, *b = strchr(a, '/'), *c = b ? strchr(b + 1, '/') : NULL;
    if (b == NULL || c == NULL || strchr(c + 1, '/') != NULL || !segment_ok(a, (size_t)(b - a)) ||
        !segment_ok(b + 1, (size_t)(c - b - 1)) || !segment_ok(c + 1, strlen(c + 1)))
        return false;
    int n = snprintf(out, cap, "%s/%s", k->resource_dir, rest);
    return n > 0 && (size_t)n < cap;
}

/* The token for a resource request: the session's, else a verified Bearer token. */
static attest_status request_token(attest_kbs *k, const char *sid, const char *auth,
                                   char **claims, struct reply *r)
{
    struct session *s = session_find(k, sid);
    const char *tok = NULL;
    if (s != NULL && s->token != NULL)
        tok = s->token;
    else if (auth != NULL && strncmp(auth, "Bearer ", 7) == 0)
        tok = auth + 7;
    if (tok == NULL)
        return kbs_error(r, 401, "TokenNotFound", "no attested session and no Bearer token");
    if (attest_token_verify(k->issuers, tok, strlen(tok), claims) != ATTEST_OK)
        return kbs_error(r, 401, "TokenVerifierError", attest_ctx_last_error(k->ctx));
    return ATTEST_OK;
}

/* The tee-pubkey in token claims, at the paths Trustee looks (kbs-protocol.md §4). */
static char *tee_pubkey(const char *claims)
{
    static const char *const paths[][6] = {
        {"submods", "cpu0", "ear.veraison.annotated-evidence", "runtime_data_claims", "tee-pubkey", NULL},
        {"customized_claims", "runtime_data", "tee-pubkey", NULL},
        {"tee-pubkey", NULL},
    };
    cJSON *c = cJSON_Parse(claims);
    char *text = NULL;
    for (size_t p = 0; c != NULL && text == NULL && p < sizeof(paths) / sizeof(paths[0]); p++) {
        const cJSON *v = c;
        for (size_t i = 0; v != NULL && paths[p][i] != NULL; i++)
            v = cJSON_GetObjectItemCaseSensitive(v, paths[p][i]);
        if (cJSON_IsObject(v))
            text = cJSON_PrintUnformatted(v);
    }
    cJSON_Delete(c);
    return text;
}

/* Whether path, with every symlink resolved, is inside the repository: the AKV CSI driver
 * mounts resources as symlinks into ..data/, which are fine; a link out is not. */
static bool inside_repository(const attest_kbs *k, const char *path, char *real, size_t cap)
{
    char root[PATH_MAX], resolved[PATH_MAX];
    if (realpath(k->resource_dir, root) == NULL || realpath(path, resolved) == NULL)
        return false;
    size_t n = strlen(root);
    if (strncmp(resolved, root, n) != 0 || resolved[n] != '/' || strlen(resolved) >= cap)
        return false;
    memcpy(real, resolved, strlen(resolved) + 1);
    return true;
}

static attest_status read_resource(attest_kbs *k, const char *path, uint8_t **out, size_t *len)
{
    char real[PATH_MAX];
    if (!inside_repository(k, path, real, sizeof(real)))
        return attest_ctx__error(k->ctx, ATTEST_E_NOT_FOUND, "kbs: resource not found");
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    uint8_t *buf = NULL;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
        (uint64_t)st.st_size > RESOURCE_MAX || (buf = malloc((size_t)st.st_size + 1)) == NULL) {
        if (fd >= 0)
            close(fd);
        free(buf);
        return attest_ctx__error(k->ctx, ATTEST_E_NOT_FOUND, "kbs: resource not found");
    }
    size_t n = 0;
    while (n < (size_t)st.st_size) {
        ssize_t got = read(fd, buf + n, (size_t)st.st_size - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    if (n != (size_t)st.st_size) {
        free(buf);
        return attest_ctx__error(k->ctx, ATTEST_E_IO, "kbs: resource cannot be read");
    }
    *out = buf;
    *len = n;
    return ATTEST_OK;
}

static attest_status get_resource(attest_kbs *k, const char *rest, const char *sid,
                                  const char *auth, struct reply *r)
{
    char path[4096], *claims = NULL, *jwk = NULL, *jwe = NULL, *reason = NULL;
    uint8_t *data = NULL;
    size_t n = 0;
    int allowed = 0;
    attest_status rc;

    if (!resource_path(k, rest, path, sizeof(path)))
        return kbs_error(r, 404, "InvalidRequestPath", "want /kbs/v0/resource/<repository>/"
                                                       "<type>/<tag>");
    if ((rc = request_token(k, sid, auth, &claims, r)) != ATTEST_OK || r->body != NULL)
        return rc;
    if (attest_policy_allows(k->ctx, k->resource_policy, claims, strlen(claims), NULL, &allowed,
                             &reason) != ATTEST_OK)
        rc = kbs_error(r, 401, "PolicyEngineError", attest_ctx_last_error(k->ctx));
    else if (!allowed)
        rc = kbs_error(r, 401, "PolicyDeny", reason != NULL ? reason : "denied");
    else if ((jwk = tee_pubkey(claims)) == NULL)
        rc = kbs_error(r, 401, "TokenVerifierError", "the token carries no tee-pubkey");
    else if (read_resource(k, path, &data, &n) != ATTEST_OK)
        rc = kbs_error(r, 401, "PluginInternalError", attest_ctx_last_error(k->ctx));
    else if (attest_jwe_encrypt(k->ctx, jwk, strlen(jwk), NULL, ATTEST_JWE_FLATTENED, data, n,
                                &jwe) != ATTEST_OK)
        rc = kbs_error(r, 401, "JweError", attest_ctx_last_error(k->ctx));
    else {
        r->status = 200;
        r->body = jwe;
        jwe = NULL;
    }
    if (data != NULL)
        OPENSSL_clear_free(data, n + 1);
    attest_free(reason);
    attest_free(claims);
    free(jwk);
    attest_free(jwe);
    return rc;
}

/* ---- admin ---- */

static bool admin_ok(attest_kbs *k, const char *auth, struct reply *r, attest_status *rc)
{
    char *claims = NULL;
    if (k->admin == NULL) {
        *rc = kbs_error(r, 401, "AdminAuthAccess", "admin access is not configured (DenyAll)");
        return false;
    }
    if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0) {
        *rc = kbs_error(r, 401, "AdminAuthAccess", "Authorization: Bearer <admin JWT> missing");
        return false;
    }
    if (attest_token_verify(k->admin, auth + 7, strlen(auth + 7), &claims) != ATTEST_OK) {
        *rc = kbs_error(r, 401, "AdminAuthAccess", attest_ctx_last_error(k->ctx));
        return false;
    }
    attest_free(claims);
    return true;
}

/* Write a resource crash-safely: temporary file in its directory, fsync, rename. */
static attest_status put_resource(attest_kbs *k, const char *path, const uint8_t *data,
                                  size_t len)
{
    char dir[4096], tmp[4200];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    *slash = '\0';
    for (char *p = dir + strlen(k->resource_dir) + 1; *p != '\0'; p++) /* repo, type */
        if (*p == '/') {
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST)
                return attest_ctx__error(k->ctx, ATTEST_E_IO, "kbs: cannot create %s", dir);
            *p = '/';
        }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return attest_ctx__error(k->ctx, ATTEST_E_IO, "kbs: cannot create %s", dir);
    snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", dir);
    bool ok = attest_file__write_temp(tmp, data, len, 0600) == ATTEST_FILE_OK;
    if (ok && rename(tmp, path) != 0) {
        unlink(tmp);
        ok = false;
    }
    if (!ok)
        return attest_ctx__error(k->ctx, ATTEST_E_IO, "kbs: resource cannot be written");
    (void)attest_file__sync_dir(dir); /* the resource is in place; a failed sync is not fatal */
    return ATTEST_OK;
}

static attest_status admin_route(attest_kbs *k, const char *method, const char *path,
                                 const char *auth, const uint8_t *body, size_t len,
                                 struct reply *r)
{
    attest_status rc = ATTEST_OK;
    char file[4096];
    bool post = strcmp(method, "POST") == 0;

    if (!admin_ok(k, auth, r, &rc))
        return rc;
    if (strncmp(path, "resource/", 9) == 0 && (post || strcmp(method, "DELETE") == 0)) {
        if (!resource_path(k, path + 9, file, sizeof(file)))
            return kbs_error(r, 404, "InvalidRequestPath", "want resource/<repository>/<type>/"
                                                           "<tag>");
        if (post)
            rc = put_resource(k, file, body, len);
        else if (unlink(file) != 0)
            rc = attest_ctx__error(k->ctx, ATTEST_E_NOT_FOUND, "kbs: resource not found");
        return rc == ATTEST_OK ? ok_text(r, "")
                               : kbs_error(r, 401, "PluginInternalError",
                                           attest_ctx_last_error(k->ctx));
    }
    if (strcmp(path, "resource-policy") == 0 && post) {
        struct attest_json d;
        uint8_t *text = NULL;
        size_t n = 0;
        if (attest_json__parse(k->ctx, "kbs: resource policy request", (const char *)body, len,
                               &d) != ATTEST_OK)
            return kbs_error(r, 401, "SerdeError", attest_ctx_last_error(k->ctx));
        const char *p64 = attest_json__cstr(&d, attest_json__get(&d, 0, "policy"));
        if (p64 == NULL ||
            attest_b64__decode(ATTEST_B64_URL, p64, strlen(p64), &text, &n) != ATTEST_OK)
            rc = kbs_error(r, 401, "SerdeError", "policy must be base64url of the policy text");
        else if (attest_kbs_set_resource_policy(k, (const char *)text, n) != ATTEST_OK)
            rc = kbs_error(r, 401, "ParsePolicyError", attest_ctx_last_error(k->ctx));
        else
            rc = ok_text(r, "");
        free(text);
        attest_json__free(&d);
        return rc;
    }
    if (strcmp(path, "resource-policy") == 0 && strcmp(method, "GET") == 0)
        return ok_text(r, "[\"resource-policy\"]");
    if (k->as == NULL)
        return kbs_error(r, 404, "PluginNotFound", "this KBS has no attestation service");
    if (strcmp(path, "attestation-policy") == 0 && post) {
        rc = attest_service_set_policy(k->as, (const char *)body, len);
        return rc == ATTEST_OK ? ok_text(r, "")
                               : kbs_error(r, 401, "PolicyEngineError",
                                           attest_ctx_last_error(k->ctx));
    }
    if (strcmp(path, "reference-value") == 0 && post) {
        rc = attest_service_register_refval(k->as, (const char *)body, len);
        return rc == ATTEST_OK ? ok_text(r, "")
                               : kbs_error(r, 401, "RvpsError", attest_ctx_last_error(k->ctx));
    }
    if (strncmp(path, "reference-value/", 16) == 0 && strcmp(method, "GET") == 0) {
        char *v = NULL;
        rc = attest_service_query_refval(k->as, path + 16, &v);
        if (rc != ATTEST_OK)
            return kbs_error(r, 401, "RvpsError", attest_ctx_last_error(k->ctx));
        rc = ok_text(r, v != NULL ? v : "null");
        attest_free(v);
        return rc;
    }
    return kbs_error(r, 404, "InvalidRequestPath", "no such admin route");
}

/* ---- dispatch ---- */

attest_status attest_kbs_handle(attest_kbs *k, const char *method, const char *path,
                                const char *session, const char *authorization,
                                const uint8_t *body, size_t len, unsigned *status,
                                char **body_out, size_t *body_len, char **set_cookie)
{
    struct reply r = {0, NULL, NULL};
    attest_status rc;

    if (k == NULL)
        return ATTEST_E_ARG;
    if (method == NULL || path == NULL || (body == NULL && len > 0) || status == NULL ||
        body_out == NULL || body_len == NULL || set_cookie == NULL)
        return attest_ctx__error(k->ctx, ATTEST_E_ARG, "kbs: NULL argument");
    bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
    if (strncmp(path, "/kbs/v0/", 8) != 0) {
        rc = kbs_error(&r, 404, "InvalidRequestPath", "not under /kbs/v0/");
    } else {
        const char *p = path + 8;
        if (post && strcmp(p, "auth") == 0)
            rc = k->as == NULL ? kbs_error(&r, 404, "PluginNotFound",
                                           "this KBS has no attestation service")
                               : do_auth(k, body, len, &r);
        else if (post && strcmp(p, "attest") == 0)
            rc = do_attest(k, session, body, len, &r);
        else if (get && strncmp(p, "resource/", 9) == 0)
            rc = get_resource(k, p + 9, session, authorization, &r);
        else if (strncmp(p, "resource/", 9) == 0 || strncmp(p, "resource-policy", 15) == 0 ||
                 strncmp(p, "attestation-policy", 18) == 0 ||
                 strncmp(p, "reference-value", 15) == 0)
            rc = admin_route(k, method, p, authorization, body, len, &r);
        else
            rc = kbs_error(&r, 404, "PluginNotFound", "no such plugin");
    }
    if (rc != ATTEST_OK || r.body == NULL) {
        free(r.body);
        free(r.cookie);
        return attest_ctx__error(k->ctx, rc != ATTEST_OK ? rc : ATTEST_E_NOMEM,
                                 "kbs: cannot build the response");
    }
    *status = r.status;
    *body_out = r.body;
    *body_len = strlen(r.body);
    *set_cookie = r.cookie;
    return ATTEST_OK;
}
