/*
 * kbs-client: a client of Trustee's Key Broker Service protocol (v0.4.0) over libattest and
 * libcurl, shaped like Trustee's kbs-client (man kbs-client(1)).
 *
 *   attest               RCAR handshake (/kbs/v0/auth, /kbs/v0/attest): prints the token
 *   get-resource         handshake, then GET /kbs/v0/resource/<path> with the session
 *                        cookie (or a saved token as Bearer: passport mode), JWE decrypted
 *   set-resource, delete-resource, set-resource-policy, set-attestation-policy,
 *   set-reference-value, get-reference-value
 *                        admin routes, authorized by a short-lived JWT signed with
 *                        --admin-key
 *
 * Evidence comes from libattest's attesters: the sample TEE, a simulated SEV-SNP device or
 * this machine's TEE. Wire formats: ../shared/specs/kbs-protocol.md. The admin JWT is
 * written here with OpenSSL, because libattest's signers mint attestation results only.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <attest/attest.h>

#include "cli.h"

#define PROG "kbs-client"
#define KBS_PROTOCOL "0.4.0"
#define FILE_MAX (16u * 1024u * 1024u)
/* a JWE of the largest resource the kbs serves (64 MiB) in base64url, with room to spare */
#define REPLY_MAX (128u * 1024u * 1024u)
#define ADMIN_JWT_TTL 300 /* seconds, like Trustee's kbs-client */

/* ---- options ---- */

enum opt {
    O_URL = 256, O_JAR, O_CACERT, O_TEE, O_SIMDIR, O_FROM_ATTESTER, O_INITDATA, O_SAVE_TOKEN,
    O_SAVE_KEY, O_PATH, O_OUTPUT, O_TOKEN, O_KEY, O_RESFILE, O_POLFILE, O_ID, O_MSGFILE,
    O_ADMIN, O_HELP, O_VERSION, O_END
};
#define BIT(o) (1ull << ((o) - O_URL))

struct opts {
    const char *url, *jar, *cacert, *tee, *simdir, *init_data, *save_token, *save_key, *path,
        *output, *token, *key, *resource_file, *policy_file, *id, *message_file, *admin_key;
    bool from_attester;
    unsigned long long seen;
};

#define EVIDENCE_OPTS (BIT(O_TEE) | BIT(O_SIMDIR) | BIT(O_FROM_ATTESTER) | BIT(O_INITDATA))
#define GLOBAL_OPTS (BIT(O_URL) | BIT(O_JAR) | BIT(O_CACERT))

struct command {
    const char *name;
    unsigned long long allowed; /* besides GLOBAL_OPTS */
    unsigned long long required;
};

static const struct command commands[] = {
    {"attest", EVIDENCE_OPTS | BIT(O_SAVE_TOKEN) | BIT(O_SAVE_KEY), 0},
    {"get-resource", EVIDENCE_OPTS | BIT(O_PATH) | BIT(O_OUTPUT) | BIT(O_TOKEN) | BIT(O_KEY),
     BIT(O_PATH)},
    {"set-resource", BIT(O_PATH) | BIT(O_RESFILE) | BIT(O_ADMIN),
     BIT(O_PATH) | BIT(O_RESFILE) | BIT(O_ADMIN)},
    {"delete-resource", BIT(O_PATH) | BIT(O_ADMIN), BIT(O_PATH) | BIT(O_ADMIN)},
    {"set-resource-policy", BIT(O_POLFILE) | BIT(O_ADMIN), BIT(O_POLFILE) | BIT(O_ADMIN)},
    {"set-attestation-policy", BIT(O_POLFILE) | BIT(O_ID) | BIT(O_ADMIN),
     BIT(O_POLFILE) | BIT(O_ADMIN)},
    {"set-reference-value", BIT(O_MSGFILE) | BIT(O_ADMIN), BIT(O_MSGFILE) | BIT(O_ADMIN)},
    {"get-reference-value", BIT(O_ID) | BIT(O_ADMIN), BIT(O_ID) | BIT(O_ADMIN)},
};

static void usage(FILE *f)
{
    fprintf(f,
        "usage: " PROG " --url URL [--cookie-jar FILE] [--cacert PEM] COMMAND [OPTIONS]\n"
        "  attest [EVIDENCE] [--save-token FILE] [--save-key PEM]\n"
        "  get-resource --path REPO/TYPE/TAG [-o FILE] [EVIDENCE | --token FILE --key PEM\n"
        "               | --key PEM (session from --cookie-jar)]\n"
        "  set-resource --path REPO/TYPE/TAG --resource-file FILE --admin-key PEM\n"
        "  delete-resource --path REPO/TYPE/TAG --admin-key PEM\n"
        "  set-resource-policy --policy-file FILE --admin-key PEM\n"
        "  set-attestation-policy --policy-file FILE [--id ID] --admin-key PEM\n"
        "  set-reference-value --message-file FILE --admin-key PEM\n"
        "  get-reference-value --id NAME --admin-key PEM\n"
        "EVIDENCE: [--tee NAME] [--simulate-dir DIR | --evidence-from-attester]\n"
        "          [--init-data TOML]\n");
}

/* ---- small helpers ---- */

struct buf {
    char *p;
    size_t len, cap;
    bool too_large;
};

static void buf_free(struct buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* base64url without padding (RFC 4648 §5), as every protocol field but the nonce uses. */
static char *b64url(const uint8_t *p, size_t n)
{
    if (n > (SIZE_MAX - 4) / 4 * 3 - 3)
        return NULL;
    char *s = malloc(4 * ((n + 2) / 3) + 1);
    if (s == NULL)
        return NULL;
    int len = EVP_EncodeBlock((unsigned char *)s, p, (int)n);
    while (len > 0 && s[len - 1] == '=')
        len--;
    s[len] = '\0';
    for (char *c = s; *c != '\0'; c++)
        *c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
    return s;
}

/* Standard base64 with padding. */
static char *b64std(const uint8_t *p, size_t n)
{
    char *s = malloc(4 * ((n + 2) / 3) + 1);
    if (s != NULL)
        EVP_EncodeBlock((unsigned char *)s, p, (int)n);
    return s;
}

/* Write a secret (a private key, a released resource) to path with mode 0600, atomically;
 * NULL or "-" is stdout. cli_write_file() would leave it world-readable. */
static bool write_secret(const char *path, const uint8_t *data, size_t len)
{
    if (path == NULL || strcmp(path, "-") == 0)
        return cli_write_file(PROG, NULL, data, len);
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= (int)sizeof(tmp)) {
        fprintf(stderr, PROG ": %s: path too long\n", path);
        return false;
    }
    int fd = mkstemp(tmp); /* mode 0600 */
    if (fd < 0) {
        fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
        return false;
    }
    bool ok = true;
    for (size_t done = 0; ok && done < len;) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        done += ok ? (size_t)n : 0;
    }
    ok = ok && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return false;
    }
    return true;
}

static bool read_text(const char *path, char **out, size_t *len)
{
    uint8_t *b = NULL;
    size_t n = 0;
    if (!cli_read_file(PROG, path, FILE_MAX, &b, &n))
        return false;
    *out = (char *)b;
    if (len != NULL)
        *len = n;
    return true;
}

/* A file holding one line (a token): trailing whitespace dropped. */
static bool read_line(const char *path, char **out)
{
    size_t n = 0;
    if (!read_text(path, out, &n))
        return false;
    while (n > 0 && ((*out)[n - 1] == '\n' || (*out)[n - 1] == '\r' || (*out)[n - 1] == ' '))
        (*out)[--n] = '\0';
    return true;
}

static void free_secret(char *s)
{
    if (s != NULL) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

static void attest_free_secret(char *s)
{
    if (s != NULL) {
        OPENSSL_cleanse(s, strlen(s));
        attest_free(s);
    }
}

/* ---- HTTP ---- */

struct client {
    attest_ctx *ctx;
    CURL *curl;
    char *url; /* without a trailing '/' */
    char err[CURL_ERROR_SIZE];
};

struct reply {
    long status;
    struct buf body;
};

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct buf *b = arg;
    size_t len = size * n;
    if (b->too_large || len > REPLY_MAX - b->len) {
        b->too_large = true;
        return 0; /* curl aborts the transfer */
    }
    if (b->len + len + 1 > b->cap) {
        size_t cap = (b->len + len + 1) * 2;
        char *g = realloc(b->p, cap);
        if (g == NULL)
            return 0;
        b->p = g;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
    b->p[b->len] = '\0';
    return len;
}

static bool client_init(struct client *c, const struct opts *o)
{
    size_t n = strlen(o->url);
    while (n > 0 && o->url[n - 1] == '/')
        n--;
    if ((c->url = strndup(o->url, n)) == NULL || (c->curl = curl_easy_init()) == NULL) {
        fprintf(stderr, PROG ": out of memory\n");
        return false;
    }
    CURL *h = c->curl;
    /* the cookie engine carries kbs-session-id from /auth to /attest and the resource;
     * with --cookie-jar the session also outlives this run */
    curl_easy_setopt(h, CURLOPT_COOKIEFILE, o->jar != NULL ? o->jar : "");
    if (o->jar != NULL)
        curl_easy_setopt(h, CURLOPT_COOKIEJAR, o->jar);
    if (o->cacert != NULL)
        curl_easy_setopt(h, CURLOPT_CAINFO, o->cacert);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->err);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
    /* send the resource path as given: the server judges "..", not curl */
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, PROG "/" KBS_PROTOCOL);
    return true;
}

static void client_free(struct client *c)
{
    curl_easy_cleanup(c->curl); /* writes the cookie jar */
    free(c->url);
}

/*
 * One request to <url><path>. type is the body's Content-Type (NULL: no body), bearer an
 * Authorization token or NULL. Returns CLI_EXIT_OK with the status and body in r, or
 * CLI_EXIT_USAGE (network failure, printed).
 */
static int request(struct client *c, const char *method, const char *path, const char *type,
                   const char *bearer, const void *body, size_t len, struct reply *r)
{
    struct curl_slist *hdrs = NULL, *h;
    char *url = malloc(strlen(c->url) + strlen(path) + 1), *auth = NULL, ctype[128];
    int rc = CLI_EXIT_USAGE;
    bool reported = false;

    memset(r, 0, sizeof(*r));
    if (url == NULL)
        goto out;
    sprintf(url, "%s%s", c->url, path);
    if (type != NULL) {
        snprintf(ctype, sizeof(ctype), "Content-Type: %s", type);
        if ((h = curl_slist_append(hdrs, ctype)) == NULL)
            goto out;
        hdrs = h;
    }
    if (bearer != NULL) {
        if ((auth = malloc(strlen(bearer) + 32)) == NULL)
            goto out;
        sprintf(auth, "Authorization: Bearer %s", bearer);
        if ((h = curl_slist_append(hdrs, auth)) == NULL)
            goto out;
        hdrs = h;
    }
    /* "Expect: 100-continue" costs a round trip on large uploads; the kbs needs none */
    if ((h = curl_slist_append(hdrs, "Expect:")) == NULL)
        goto out;
    hdrs = h;
    CURL *e = c->curl;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &r->body);
    if (type != NULL) {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body != NULL ? body : "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, strcmp(method, "POST") == 0 ? NULL : method);
    } else {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, strcmp(method, "GET") == 0 ? NULL : method);
    }
    c->err[0] = '\0';
    CURLcode cc = curl_easy_perform(e);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
    if (cc != CURLE_OK) {
        if (r->body.too_large)
            fprintf(stderr, PROG ": %s %s: reply larger than %u bytes\n", method, path,
                    REPLY_MAX);
        else
            fprintf(stderr, PROG ": %s %s: %s\n", method, url,
                    c->err[0] != '\0' ? c->err : curl_easy_strerror(cc));
        reported = true;
        buf_free(&r->body);
        goto out;
    }
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
    if (r->body.p == NULL && (r->body.p = calloc(1, 1)) == NULL)
        goto out;
    rc = CLI_EXIT_OK;
out:
    if (rc != CLI_EXIT_OK && !reported)
        fprintf(stderr, PROG ": out of memory\n");
    curl_slist_free_all(hdrs);
    free(auth);
    free(url);
    return rc;
}

/*
 * The server said no: print its ErrorInformation ({"type": ".../errors/<Variant>",
 * "detail"}, kbs-protocol.md §5), or the start of whatever else it sent. Returns 1.
 */
static int refused(const char *what, const struct reply *r)
{
    cJSON *o = cJSON_ParseWithLength(r->body.p, r->body.len);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
    const cJSON *detail = cJSON_GetObjectItemCaseSensitive(o, "detail");
    if (cJSON_IsString(type) && cJSON_IsString(detail)) {
        const char *variant = strrchr(type->valuestring, '/');
        fprintf(stderr, PROG ": %s refused (HTTP %ld %s): %s\n", what, r->status,
                variant != NULL ? variant + 1 : type->valuestring, detail->valuestring);
    } else {
        fprintf(stderr, PROG ": %s refused (HTTP %ld): %.200s\n", what, r->status,
                r->body.p != NULL ? r->body.p : "");
    }
    cJSON_Delete(o);
    return CLI_EXIT_REJECTED;
}

/* ---- evidence ---- */

/* The attester the evidence options ask for (see usage and kbs-client(1)). */
static int make_attester(struct client *c, const struct opts *o, attest_attester **out)
{
    const char *tee = o->tee;
    attest_status rc;
    if (o->simdir != NULL)
        rc = attest_attester_new_simulated(out, c->ctx, tee != NULL ? tee : "snp", o->simdir);
    else if (o->from_attester)
        rc = attest_attester_new(out, c->ctx, tee != NULL ? tee : "auto");
    else
        rc = attest_attester_new(out, c->ctx, tee != NULL ? tee : "sample");
    if (rc != ATTEST_OK) {
        fprintf(stderr, PROG ": %s\n", attest_ctx_last_error(c->ctx));
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/*
 * Launch-time init data for the devices this client can stand in for the host of: a
 * simulated SNP guest is launched with HOST_DATA = the digest truncated to 32 bytes
 * (DIR/host_data), and sample evidence carries the whole digest as "init_data". A
 * hardware TEE got its value from the real host; nothing to do.
 */
static int init_data_launch(struct client *c, const struct opts *o, const char *toml,
                            uint8_t *digest, size_t *digest_len)
{
    attest_status rc = attest_binding_digest(c->ctx, ATTEST_DATA_INITDATA_TOML,
                                             (const uint8_t *)toml, strlen(toml),
                                             ATTEST_HASH_SHA384, digest, ATTEST_BINDING_MAX,
                                             digest_len);
    if (rc != ATTEST_OK) {
        fprintf(stderr, PROG ": %s: %s\n", o->init_data, attest_ctx_last_error(c->ctx));
        return CLI_EXIT_USAGE;
    }
    if (o->simdir != NULL) {
        char hex[65], path[PATH_MAX];
        for (size_t i = 0; i < 32; i++) /* SNP HOST_DATA is 32 bytes; digests are longer */
            snprintf(hex + 2 * i, 3, "%02x", i < *digest_len ? digest[i] : 0);
        if (snprintf(path, sizeof(path), "%s/host_data", o->simdir) >= (int)sizeof(path)) {
            fprintf(stderr, PROG ": %s: path too long\n", o->simdir);
            return CLI_EXIT_USAGE;
        }
        if (mkdir(o->simdir, 0700) != 0 && errno != EEXIST) {
            fprintf(stderr, PROG ": %s: %s\n", o->simdir, strerror(errno));
            return CLI_EXIT_USAGE;
        }
        if (!cli_write_file(PROG, path, (const uint8_t *)hex, 64))
            return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* ---- the RCAR handshake ---- */

struct attested {
    char *token;   /* the attestation token */
    char *key_pem; /* the ephemeral private key the tee-pubkey belongs to */
};

static void attested_free(struct attested *a)
{
    free(a->token);
    attest_free_secret(a->key_pem);
    a->token = a->key_pem = NULL;
}

/* Evidence text as a JSON value for primary_evidence (a string when it is not JSON). */
static cJSON *evidence_json(const attest_evidence *ev, const char *tee, const uint8_t *init,
                            size_t init_len)
{
    size_t len = 0;
    const uint8_t *data = attest_evidence_data(ev, &len);
    cJSON *j = cJSON_ParseWithLength((const char *)data, len);
    if (j == NULL) {
        char *s = strndup((const char *)data, len);
        j = s != NULL ? cJSON_CreateString(s) : NULL;
        free(s);
        return j;
    }
    if (init != NULL && strcmp(tee, "sample") == 0) {
        char *b = b64std(init, init_len);
        cJSON_DeleteItemFromObjectCaseSensitive(j, "init_data");
        if (b == NULL || cJSON_AddStringToObject(j, "init_data", b) == NULL) {
            cJSON_Delete(j);
            j = NULL;
        }
        free(b);
    }
    return j;
}

/* POST /kbs/v0/auth, /kbs/v0/attest (kbs-protocol.md §2, §3). */
static int handshake(struct client *c, const struct opts *o, struct attested *out)
{
    attest_attester *att = NULL;
    attest_evidence *ev = NULL;
    struct reply r = {0, {NULL, 0, 0, false}};
    cJSON *req = NULL, *chal = NULL, *jwk = NULL, *rd = NULL, *att_body = NULL;
    char *toml = NULL, *text = NULL, *pub = NULL, *pem = NULL;
    uint8_t init[ATTEST_BINDING_MAX], report[ATTEST_BINDING_MAX];
    size_t init_len = 0, report_len = 0;
    int rc;

    if ((rc = make_attester(c, o, &att)) != CLI_EXIT_OK)
        goto out;
    const char *tee = attest_attester_tee(att);
    rc = CLI_EXIT_USAGE;
    if (o->init_data != NULL && (!read_text(o->init_data, &toml, NULL) ||
                                 (rc = init_data_launch(c, o, toml, init, &init_len)) !=
                                     CLI_EXIT_OK))
        goto out;
    rc = CLI_EXIT_USAGE;

    /* Request: our protocol version, TEE and the hash algorithms we can bind with */
    cJSON *algs = NULL, *extra = NULL;
    if ((req = cJSON_CreateObject()) == NULL ||
        !cJSON_AddStringToObject(req, "version", KBS_PROTOCOL) ||
        !cJSON_AddStringToObject(req, "tee", tee) ||
        (extra = cJSON_AddObjectToObject(req, "extra-params")) == NULL ||
        (algs = cJSON_AddArrayToObject(extra, "supported-hash-algorithms")) == NULL ||
        !cJSON_AddItemToArray(algs, cJSON_CreateString("sha384")) ||
        (text = cJSON_PrintUnformatted(req)) == NULL)
        goto nomem;
    if ((rc = request(c, "POST", "/kbs/v0/auth", "application/json", NULL, text,
                      strlen(text), &r)) != CLI_EXIT_OK)
        goto out;
    if (r.status != 200) {
        rc = refused("auth", &r);
        goto out;
    }
    /* Challenge: the nonce; a server that picks a hash algorithm must pick ours (§2) */
    chal = cJSON_ParseWithLength(r.body.p, r.body.len);
    const cJSON *nonce = cJSON_GetObjectItemCaseSensitive(chal, "nonce");
    const cJSON *ep = cJSON_GetObjectItemCaseSensitive(chal, "extra-params");
    const cJSON *sel = cJSON_GetObjectItemCaseSensitive(ep, "selected-hash-algorithm");
    attest_hash_alg alg = ATTEST_HASH_SHA384;
    if (!cJSON_IsString(nonce)) {
        fprintf(stderr, PROG ": auth: the challenge has no nonce: %.200s\n", r.body.p);
        rc = CLI_EXIT_REJECTED;
        goto out;
    }
    if (sel != NULL && (!cJSON_IsString(sel) ||
                        attest_hash_alg_from_name(sel->valuestring, &alg) != ATTEST_OK ||
                        alg != ATTEST_HASH_SHA384)) {
        fprintf(stderr, PROG ": auth: the server selected a hash algorithm we did not offer: "
                        "%.200s\n", r.body.p);
        rc = CLI_EXIT_REJECTED;
        goto out;
    }

    /* the ephemeral key the resource will be encrypted to */
    if (attest_jwe_keygen(c->ctx, "ECDH-ES+A256KW", &pub, &pem) != ATTEST_OK) {
        fprintf(stderr, PROG ": keygen: %s\n", attest_ctx_last_error(c->ctx));
        goto out;
    }
    /* §3.1: report data = H(JCS({"additional-evidence", "nonce", "tee-pubkey"})) */
    if ((jwk = cJSON_Parse(pub)) == NULL || (rd = cJSON_CreateObject()) == NULL ||
        !cJSON_AddStringToObject(rd, "additional-evidence", "") ||
        !cJSON_AddStringToObject(rd, "nonce", nonce->valuestring) ||
        !cJSON_AddItemReferenceToObject(rd, "tee-pubkey", jwk))
        goto nomem;
    free(text);
    if ((text = cJSON_PrintUnformatted(rd)) == NULL)
        goto nomem;
    if (attest_binding_digest(c->ctx, ATTEST_DATA_JSON, (const uint8_t *)text, strlen(text),
                              alg, report, sizeof(report), &report_len) != ATTEST_OK ||
        attest_attester_collect(att, report, report_len, &ev) != ATTEST_OK) {
        fprintf(stderr, PROG ": evidence: %s\n", attest_ctx_last_error(c->ctx));
        goto out;
    }

    /* Attestation (§3): runtime data, evidence, init data */
    cJSON *rt = NULL, *te = NULL, *primary = NULL, *id = NULL;
    if ((att_body = cJSON_CreateObject()) == NULL)
        goto nomem;
    if (toml != NULL && ((id = cJSON_AddObjectToObject(att_body, "init-data")) == NULL ||
                         !cJSON_AddStringToObject(id, "format", "toml") ||
                         !cJSON_AddStringToObject(id, "body", toml)))
        goto nomem;
    if ((rt = cJSON_AddObjectToObject(att_body, "runtime-data")) == NULL ||
        !cJSON_AddStringToObject(rt, "nonce", nonce->valuestring) ||
        !cJSON_AddItemReferenceToObject(rt, "tee-pubkey", jwk) ||
        (te = cJSON_AddObjectToObject(att_body, "tee-evidence")) == NULL ||
        (primary = evidence_json(ev, tee, toml != NULL ? init : NULL, init_len)) == NULL ||
        !cJSON_AddItemToObject(te, "primary_evidence", primary) ||
        !cJSON_AddStringToObject(te, "additional_evidence", ""))
        goto nomem;
    free(text);
    if ((text = cJSON_PrintUnformatted(att_body)) == NULL)
        goto nomem;
    buf_free(&r.body);
    if ((rc = request(c, "POST", "/kbs/v0/attest", "application/json", NULL, text,
                      strlen(text), &r)) != CLI_EXIT_OK)
        goto out;
    if (r.status != 200) {
        rc = refused("attest", &r);
        goto out;
    }
    cJSON *res = cJSON_ParseWithLength(r.body.p, r.body.len);
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(res, "token");
    if (!cJSON_IsString(token) || (out->token = strdup(token->valuestring)) == NULL) {
        fprintf(stderr, PROG ": attest: the reply has no token: %.200s\n", r.body.p);
        cJSON_Delete(res);
        rc = CLI_EXIT_REJECTED;
        goto out;
    }
    cJSON_Delete(res);
    out->key_pem = pem;
    pem = NULL;
    rc = CLI_EXIT_OK;
    goto out;
nomem:
    fprintf(stderr, PROG ": out of memory\n");
    rc = CLI_EXIT_USAGE;
out:
    buf_free(&r.body);
    cJSON_Delete(req);
    cJSON_Delete(chal);
    cJSON_Delete(rd);
    cJSON_Delete(att_body);
    cJSON_Delete(jwk);
    free(toml);
    free(text);
    attest_free(pub);
    attest_free_secret(pem);
    attest_evidence_free(ev);
    attest_attester_free(att);
    return rc;
}

static int cmd_attest(struct client *c, const struct opts *o)
{
    struct attested a = {NULL, NULL};
    int rc = handshake(c, o, &a);
    if (rc == CLI_EXIT_OK) {
        size_t n = strlen(a.token);
        a.token[n] = '\n'; /* the token file as the token is printed: one line */
        bool saved = o->save_token == NULL ||
                     write_secret(o->save_token, (const uint8_t *)a.token, n + 1);
        a.token[n] = '\0';
        if (!saved ||
            (o->save_key != NULL &&
             !write_secret(o->save_key, (const uint8_t *)a.key_pem, strlen(a.key_pem))))
            rc = CLI_EXIT_USAGE;
        else
            printf("%s\n", a.token);
    }
    attested_free(&a);
    return rc;
}

/* GET /kbs/v0/resource/<path> (§4): the session's cookie, or the token as Bearer (§7). */
static int cmd_get_resource(struct client *c, const struct opts *o)
{
    struct attested a = {NULL, NULL};
    struct reply r = {0, {NULL, 0, 0, false}};
    char *url = NULL;
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    int rc;

    if (o->key != NULL) { /* passport, or a session kept in the cookie jar */
        size_t n = 0;
        rc = CLI_EXIT_USAGE;
        if (!read_text(o->key, &a.key_pem, &n) ||
            (o->token != NULL && !read_line(o->token, &a.token)))
            goto out;
    } else if ((rc = handshake(c, o, &a)) != CLI_EXIT_OK) {
        goto out;
    }
    rc = CLI_EXIT_USAGE;
    if ((url = malloc(strlen(o->path) + 32)) == NULL)
        goto out;
    sprintf(url, "/kbs/v0/resource/%s", o->path);
    /* after a handshake the cookie authenticates; the token goes only in passport mode */
    if ((rc = request(c, "GET", url, NULL, o->token != NULL ? a.token : NULL, NULL, 0, &r)) !=
        CLI_EXIT_OK)
        goto out;
    if (r.status != 200) {
        rc = refused("get-resource", &r);
        goto out;
    }
    if (attest_jwe_decrypt(c->ctx, a.key_pem, strlen(a.key_pem), r.body.p, r.body.len, &plain,
                           &plain_len) != ATTEST_OK) {
        fprintf(stderr, PROG ": get-resource: the reply does not decrypt with our key: %s\n",
                attest_ctx_last_error(c->ctx));
        rc = CLI_EXIT_REJECTED;
        goto out;
    }
    rc = write_secret(o->output, plain, plain_len) ? CLI_EXIT_OK : CLI_EXIT_USAGE;
out:
    if (plain != NULL) {
        OPENSSL_cleanse(plain, plain_len);
        attest_free(plain);
    }
    free(url);
    buf_free(&r.body);
    if (o->key != NULL) { /* read by us, not returned by the library */
        free_secret(a.key_pem);
        free(a.token);
    } else {
        attested_free(&a);
    }
    return rc;
}

/* ---- admin ---- */

/* An ECDSA signature from DER to JOSE's fixed-width r || s (RFC 7518 §3.4). */
static bool ecdsa_raw(const uint8_t *der, size_t len, size_t width, uint8_t *out)
{
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
    bool ok = sig != NULL && BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, (int)width) ==
                                 (int)width &&
              BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + width, (int)width) == (int)width;
    ECDSA_SIG_free(sig);
    return ok;
}

/*
 * The admin JWT: {"alg", "typ": "JWT"} . {"iat": now, "exp": now + 300}, signed with the
 * admin key: EdDSA for Ed25519 (as Trustee's kbs-client), ES256/ES384 for EC P-256/P-384,
 * RS256 for RSA.
 */
static int admin_jwt(const char *path, char **out)
{
    char *pem = NULL, *h64 = NULL, *c64 = NULL, *s64 = NULL, *input = NULL, claims[96];
    const char *alg = NULL;
    const EVP_MD *md = NULL;
    size_t width = 0, siglen = 0;
    uint8_t *sig = NULL, raw[132];
    EVP_PKEY *key = NULL;
    EVP_MD_CTX *mctx = NULL;
    BIO *bio = NULL;
    int rc = CLI_EXIT_USAGE;

    if (!read_text(path, &pem, NULL))
        return CLI_EXIT_USAGE;
    if ((bio = BIO_new_mem_buf(pem, -1)) == NULL ||
        (key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) == NULL) {
        fprintf(stderr, PROG ": %s: not an unencrypted PEM private key\n", path);
        goto out;
    }
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519) {
        alg = "EdDSA";
    } else if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
        alg = "RS256";
        md = EVP_sha256();
    } else if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
        char group[64] = "";
        size_t gl = 0;
        EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &gl);
        if (strcmp(group, "prime256v1") == 0)
            alg = "ES256", md = EVP_sha256(), width = 32;
        else if (strcmp(group, "secp384r1") == 0)
            alg = "ES384", md = EVP_sha384(), width = 48;
    }
    if (alg == NULL) {
        fprintf(stderr, PROG ": %s: an admin key is Ed25519, EC P-256/P-384 or RSA\n", path);
        goto out;
    }
    char header[64];
    snprintf(header, sizeof(header), "{\"alg\":\"%s\",\"typ\":\"JWT\"}", alg);
    long long now = (long long)time(NULL);
    snprintf(claims, sizeof(claims), "{\"iat\":%lld,\"exp\":%lld}", now, now + ADMIN_JWT_TTL);
    if ((h64 = b64url((const uint8_t *)header, strlen(header))) == NULL ||
        (c64 = b64url((const uint8_t *)claims, strlen(claims))) == NULL ||
        (input = malloc(strlen(h64) + strlen(c64) + 2)) == NULL ||
        (mctx = EVP_MD_CTX_new()) == NULL)
        goto nomem;
    sprintf(input, "%s.%s", h64, c64);
    if (EVP_DigestSignInit(mctx, NULL, md, NULL, key) != 1 ||
        EVP_DigestSign(mctx, NULL, &siglen, (const uint8_t *)input, strlen(input)) != 1 ||
        (sig = malloc(siglen)) == NULL ||
        EVP_DigestSign(mctx, sig, &siglen, (const uint8_t *)input, strlen(input)) != 1) {
        fprintf(stderr, PROG ": %s: signing the admin token failed\n", path);
        goto out;
    }
    if (width != 0) { /* ECDSA: DER to r || s */
        if (!ecdsa_raw(sig, siglen, width, raw)) {
            fprintf(stderr, PROG ": %s: signing the admin token failed\n", path);
            goto out;
        }
        s64 = b64url(raw, 2 * width);
    } else {
        s64 = b64url(sig, siglen);
    }
    if (s64 == NULL || (*out = malloc(strlen(input) + strlen(s64) + 2)) == NULL)
        goto nomem;
    sprintf(*out, "%s.%s", input, s64);
    rc = CLI_EXIT_OK;
    goto out;
nomem:
    fprintf(stderr, PROG ": out of memory\n");
out:
    BIO_free(bio);
    EVP_PKEY_free(key);
    EVP_MD_CTX_free(mctx);
    free_secret(pem);
    free(h64);
    free(c64);
    free(s64);
    free(input);
    free(sig);
    return rc;
}

/* One admin request; a 200 body, if any, goes to stdout. */
static int admin(struct client *c, const struct opts *o, const char *what, const char *method,
                 const char *path, const char *type, const void *body, size_t len)
{
    struct reply r = {0, {NULL, 0, 0, false}};
    char *jwt = NULL;
    int rc = admin_jwt(o->admin_key, &jwt);
    if (rc == CLI_EXIT_OK)
        rc = request(c, method, path, type, jwt, body, len, &r);
    if (rc == CLI_EXIT_OK && r.status != 200)
        rc = refused(what, &r);
    else if (rc == CLI_EXIT_OK && r.body.len > 0)
        printf("%s\n", r.body.p);
    buf_free(&r.body);
    free(jwt);
    return rc;
}

static int cmd_resource(struct client *c, const struct opts *o, bool set)
{
    char *url = malloc(strlen(o->path) + 32), *data = NULL;
    size_t len = 0;
    int rc = CLI_EXIT_USAGE;
    if (url == NULL || (set && !read_text(o->resource_file, &data, &len)))
        goto out;
    sprintf(url, "/kbs/v0/resource/%s", o->path);
    rc = set ? admin(c, o, "set-resource", "POST", url, "application/octet-stream", data, len)
             : admin(c, o, "delete-resource", "DELETE", url, NULL, NULL, 0);
out:
    if (data != NULL) {
        OPENSSL_cleanse(data, len);
        free(data);
    }
    free(url);
    return rc;
}

/* {"policy": b64url(text)}, and for the attestation policy "type" and "policy_id" (§6). */
static int cmd_policy(struct client *c, const struct opts *o, bool attestation)
{
    char *text = NULL, *p64 = NULL, *body = NULL;
    size_t len = 0;
    cJSON *j = NULL;
    int rc = CLI_EXIT_USAGE;
    if (!read_text(o->policy_file, &text, &len))
        return rc;
    if ((p64 = b64url((const uint8_t *)text, len)) == NULL || (j = cJSON_CreateObject()) == NULL ||
        (attestation && (!cJSON_AddStringToObject(j, "type", "rego") ||
                         !cJSON_AddStringToObject(j, "policy_id",
                                                  o->id != NULL ? o->id : "default_cpu"))) ||
        !cJSON_AddStringToObject(j, "policy", p64) || (body = cJSON_PrintUnformatted(j)) == NULL) {
        fprintf(stderr, PROG ": out of memory\n");
        goto out;
    }
    rc = attestation ? admin(c, o, "set-attestation-policy", "POST",
                             "/kbs/v0/attestation-policy", "application/json", body,
                             strlen(body))
                     : admin(c, o, "set-resource-policy", "POST", "/kbs/v0/resource-policy",
                             "application/json", body, strlen(body));
out:
    cJSON_Delete(j);
    free(text);
    free(p64);
    free(body);
    return rc;
}

static int cmd_reference_value(struct client *c, const struct opts *o, bool set)
{
    char *text = NULL, *url = NULL;
    size_t len = 0;
    int rc = CLI_EXIT_USAGE;
    if (set) {
        if (read_text(o->message_file, &text, &len))
            rc = admin(c, o, "set-reference-value", "POST", "/kbs/v0/reference-value",
                       "application/json", text, len);
    } else if ((url = malloc(strlen(o->id) + 32)) != NULL) {
        sprintf(url, "/kbs/v0/reference-value/%s", o->id);
        rc = admin(c, o, "get-reference-value", "GET", url, NULL, NULL, 0);
    }
    free(text);
    free(url);
    return rc;
}

/* ---- main ---- */

int main(int argc, char **argv)
{
    /* in the order of enum opt: longopts[o - O_URL] names option o */
    static const struct option longopts[] = {
        {"url", required_argument, NULL, O_URL},
        {"cookie-jar", required_argument, NULL, O_JAR},
        {"cacert", required_argument, NULL, O_CACERT},
        {"tee", required_argument, NULL, O_TEE},
        {"simulate-dir", required_argument, NULL, O_SIMDIR},
        {"evidence-from-attester", no_argument, NULL, O_FROM_ATTESTER},
        {"init-data", required_argument, NULL, O_INITDATA},
        {"save-token", required_argument, NULL, O_SAVE_TOKEN},
        {"save-key", required_argument, NULL, O_SAVE_KEY},
        {"path", required_argument, NULL, O_PATH},
        {"output", required_argument, NULL, O_OUTPUT},
        {"token", required_argument, NULL, O_TOKEN},
        {"key", required_argument, NULL, O_KEY},
        {"resource-file", required_argument, NULL, O_RESFILE},
        {"policy-file", required_argument, NULL, O_POLFILE},
        {"id", required_argument, NULL, O_ID},
        {"message-file", required_argument, NULL, O_MSGFILE},
        {"admin-key", required_argument, NULL, O_ADMIN},
        {"help", no_argument, NULL, O_HELP},
        {"version", no_argument, NULL, O_VERSION},
        {NULL, 0, NULL, 0},
    };
    struct opts o;
    struct client c;
    const struct command *cmd = NULL;
    int ch, rc = CLI_EXIT_USAGE;

    memset(&o, 0, sizeof(o));
    memset(&c, 0, sizeof(c));
    while ((ch = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        if (ch == 'o')
            ch = O_OUTPUT;
        if (ch < O_URL || ch >= O_END) {
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
        if ((o.seen & BIT(ch)) && ch != O_HELP && ch != O_VERSION) {
            fprintf(stderr, PROG ": --%s given twice\n", longopts[ch - O_URL].name);
            return CLI_EXIT_USAGE;
        }
        o.seen |= BIT(ch);
        switch (ch) {
        case O_URL: o.url = optarg; break;
        case O_JAR: o.jar = optarg; break;
        case O_CACERT: o.cacert = optarg; break;
        case O_TEE: o.tee = optarg; break;
        case O_SIMDIR: o.simdir = optarg; break;
        case O_FROM_ATTESTER: o.from_attester = true; break;
        case O_INITDATA: o.init_data = optarg; break;
        case O_SAVE_TOKEN: o.save_token = optarg; break;
        case O_SAVE_KEY: o.save_key = optarg; break;
        case O_PATH: o.path = optarg; break;
        case O_OUTPUT: o.output = optarg; break;
        case O_TOKEN: o.token = optarg; break;
        case O_KEY: o.key = optarg; break;
        case O_RESFILE: o.resource_file = optarg; break;
        case O_POLFILE: o.policy_file = optarg; break;
        case O_ID: o.id = optarg; break;
        case O_MSGFILE: o.message_file = optarg; break;
        case O_ADMIN: o.admin_key = optarg; break;
        case O_HELP: usage(stdout); return CLI_EXIT_OK;
        default: printf(PROG " %s\n", attest_version()); return CLI_EXIT_OK; /* O_VERSION */
        }
    }
    if (optind + 1 == argc)
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
            if (strcmp(argv[optind], commands[i].name) == 0)
                cmd = &commands[i];
    if (cmd == NULL || o.url == NULL) {
        if (optind + 1 == argc && cmd == NULL)
            fprintf(stderr, PROG ": unknown command \"%s\"\n", argv[optind]);
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    unsigned long long extra = o.seen & ~(cmd->allowed | GLOBAL_OPTS);
    if (extra != 0 || (o.seen & cmd->required) != cmd->required) {
        for (int i = O_URL; i < O_END; i++)
            if (extra & BIT(i))
                fprintf(stderr, PROG ": %s does not take --%s\n", cmd->name,
                        longopts[i - O_URL].name);
            else if ((cmd->required & BIT(i)) && !(o.seen & BIT(i)))
                fprintf(stderr, PROG ": %s needs --%s\n", cmd->name, longopts[i - O_URL].name);
        return CLI_EXIT_USAGE;
    }
    /* evidence comes from one place; a stored key replaces the handshake */
    if ((o.simdir != NULL && o.from_attester) ||
        (o.key != NULL && (o.seen & EVIDENCE_OPTS) != 0) ||
        (o.token != NULL && o.key == NULL) ||
        (o.key != NULL && o.token == NULL && o.jar == NULL)) {
        fprintf(stderr, PROG ": --simulate-dir and --evidence-from-attester exclude each "
                        "other; --token needs --key; --key needs --token or --cookie-jar and "
                        "replaces the evidence options\n");
        return CLI_EXIT_USAGE;
    }

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, PROG ": libcurl cannot start\n");
        return CLI_EXIT_USAGE;
    }
    if (attest_ctx_new(&c.ctx) != ATTEST_OK || !client_init(&c, &o))
        goto out;
    const char *name = cmd->name;
    if (strcmp(name, "attest") == 0)
        rc = cmd_attest(&c, &o);
    else if (strcmp(name, "get-resource") == 0)
        rc = cmd_get_resource(&c, &o);
    else if (strcmp(name, "set-resource") == 0 || strcmp(name, "delete-resource") == 0)
        rc = cmd_resource(&c, &o, name[0] == 's');
    else if (strcmp(name, "set-resource-policy") == 0 ||
             strcmp(name, "set-attestation-policy") == 0)
        rc = cmd_policy(&c, &o, name[4] == 'a');
    else
        rc = cmd_reference_value(&c, &o, name[0] == 's');
out:
    client_free(&c);
    attest_ctx_free(c.ctx);
    curl_global_cleanup();
    return rc;
}
