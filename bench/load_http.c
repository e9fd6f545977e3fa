/*
 * Bounded load on the example servers over loopback, with libcurl (one keep-alive
 * connection, requests one after another, so the latencies are the server's):
 *
 *   load_http as  URL COUNT   POST /attestation COUNT times (sample evidence bound to
 *                             structured runtime data), against as-restful
 *   load_http kbs URL COUNT   COUNT full KBS handshakes: /auth, /attest (fresh sample
 *                             evidence bound to the nonce and a new tee-pubkey each time)
 *                             and a resource GET, against kbs (which must allow sample)
 *
 * Prints requests/s, p50/p99 latency, errors (must be 0), and for "as" the ratio to the
 * in-process attest_service_attest() rate of the same request measured in this run.
 * bench/load.sh starts the servers and adds their RSS before and after.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include <attest/attest.h>

#include "bench.h"

struct buf {
    char *p;
    size_t n;
};

static size_t sink(char *data, size_t size, size_t n, void *arg)
{
    struct buf *b = arg;
    char *g = realloc(b->p, b->n + size * n + 1);
    if (g == NULL)
        return 0;
    memcpy(g + b->n, data, size * n);
    b->n += size * n;
    g[b->n] = '\0';
    b->p = g;
    return size * n;
}

/* One request; returns the HTTP status (0 on a transport error); body in *out. */
static long request(CURL *c, const char *url, const char *body, struct buf *out)
{
    long code = 0;
    out->n = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    if (curl_easy_perform(c) != CURLE_OK)
        return 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    return code;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static char *b64url(const uint8_t *p, size_t n)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *o = malloc(4 * ((n + 2) / 3) + 1), *q = o;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        *q++ = t[v >> 18 & 63];
        *q++ = t[v >> 12 & 63];
        if (i + 1 < n)
            *q++ = t[v >> 6 & 63];
        if (i + 2 < n)
            *q++ = t[v & 63];
    }
    *q = '\0';
    return o;
}

/* Sample evidence bound to runtime (JSON text, sha384) as the base64url of its JSON. */
static char *sample_evidence(attest_ctx *ctx, const char *runtime)
{
    uint8_t rd[64];
    size_t rd_len = 0;
    attest_attester *att = NULL;
    attest_evidence *ev = NULL;
    char *out = NULL;
    if (attest_binding_digest(ctx, ATTEST_DATA_JSON, (const uint8_t *)runtime, strlen(runtime),
                              ATTEST_HASH_SHA384, rd, sizeof(rd), &rd_len) == ATTEST_OK &&
        attest_attester_new(&att, ctx, "sample") == ATTEST_OK &&
        attest_attester_collect(att, rd, rd_len, &ev) == ATTEST_OK) {
        size_t n;
        const uint8_t *d = attest_evidence_data(ev, &n);
        out = b64url(d, n);
    }
    attest_evidence_free(ev);
    attest_attester_free(att);
    return out;
}

struct inproc {
    attest_service *svc;
    const char *req;
};

static int op_attest(void *p)
{
    struct inproc *a = p;
    char *token = NULL;
    int rc = attest_service_attest(a->svc, a->req, strlen(a->req), &token) == ATTEST_OK ? 0 : 1;
    attest_free(token);
    return rc;
}

static void report(const char *what, double *lat, long n, long errors, double secs)
{
    qsort(lat, (size_t)n, sizeof(*lat), cmp);
    printf("%s: %ld requests in %.2f s: %.0f/s, p50 %.2f ms, p99 %.2f ms, errors %ld\n", what, n,
           secs, n / secs, lat[n / 2] * 1e3, lat[(size_t)(n * 0.99)] * 1e3, errors);
}

static int load_as(CURL *c, attest_ctx *ctx, const char *base, long count)
{
    const char *runtime = "{\"nonce\":\"load\",\"tee-pubkey\":{\"kty\":\"EC\",\"crv\":\"P-256\"}}";
    char *ev = sample_evidence(ctx, runtime), url[512], *req = malloc(4096);
    double *lat = calloc((size_t)count, sizeof(double));
    struct buf b = {NULL, 0};
    long errors = 0;
    if (ev == NULL || req == NULL || lat == NULL)
        return 1;
    snprintf(req, 4096, "{\"verification_requests\":[{\"tee\":\"sample\",\"evidence\":\"%s\","
             "\"runtime_data\":{\"structured\":%s}}],\"policy_ids\":[]}", ev, runtime);
    snprintf(url, sizeof(url), "%s/attestation", base);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    double start = bench_now();
    for (long i = 0; i < count; i++) {
        double t = bench_now();
        if (request(c, url, req, &b) != 200)
            errors++;
        lat[i] = bench_now() - t;
    }
    double secs = bench_now() - start;
    report("as-restful POST /attestation", lat, count, errors, secs);
    /* the floor: the same request in process */
    attest_service *svc = NULL;
    if (attest_service_new(&svc, ctx, NULL, 0) == ATTEST_OK) {
        struct inproc a = {svc, req};
        double r = bench_rate(op_attest, &a, 1.0);
        printf("in-process attest_service_attest: %.0f/s; HTTP rate / in-process rate = %.2f\n",
               r, (count / secs) / r);
        attest_service_free(svc);
    }
    curl_slist_free_all(h);
    free(b.p);
    free(lat);
    free(req);
    free(ev);
    return errors != 0;
}

/* The value of "key":"..." in a small JSON object (the KBS's own answers). */
static char *field(const char *json, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "\"%s\":\"", key);
    const char *s = json != NULL ? strstr(json, pat) : NULL;
    if (s == NULL)
        return NULL;
    s += strlen(pat);
    const char *e = strchr(s, '"');
    return e != NULL ? strndup(s, (size_t)(e - s)) : NULL;
}

static int load_kbs(CURL *c, attest_ctx *ctx, const char *base, long count)
{
    double *lat = calloc((size_t)count, sizeof(double));
    struct buf b = {NULL, 0};
    char url[512], body[8192], rd[2048];
    long errors = 0;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_COOKIEFILE, ""); /* keep kbs-session-id between calls */
    double start = bench_now();
    for (long i = 0; i < count; i++) {
        double t = bench_now();
        char *pub = NULL, *priv = NULL, *nonce = NULL, *ev = NULL;
        bool ok = attest_jwe_keygen(ctx, "ECDH-ES+A256KW", &pub, &priv) == ATTEST_OK;
        snprintf(url, sizeof(url), "%s/kbs/v0/auth", base);
        ok = ok && request(c, url, "{\"version\":\"0.4.0\",\"tee\":\"sample\",\"extra-params\":"
                           "\"\"}", &b) == 200 && (nonce = field(b.p, "nonce")) != NULL;
        if (ok) {
            snprintf(rd, sizeof(rd), "{\"additional-evidence\":\"\",\"nonce\":\"%s\","
                     "\"tee-pubkey\":%s}", nonce, pub);
            ok = (ev = sample_evidence(ctx, rd)) != NULL;
        }
        if (ok) {
            /* the sample evidence's JSON, decoded back from base64url: simpler to rebuild */
            uint8_t rdd[64];
            size_t n = 0;
            attest_attester *att = NULL;
            attest_evidence *e = NULL;
            ok = attest_binding_digest(ctx, ATTEST_DATA_JSON, (const uint8_t *)rd, strlen(rd),
                                       ATTEST_HASH_SHA384, rdd, sizeof(rdd), &n) == ATTEST_OK &&
                 attest_attester_new(&att, ctx, "sample") == ATTEST_OK &&
                 attest_attester_collect(att, rdd, n, &e) == ATTEST_OK;
            if (ok) {
                size_t el;
                const char *ej = (const char *)attest_evidence_data(e, &el);
                snprintf(body, sizeof(body), "{\"runtime-data\":{\"nonce\":\"%s\",\"tee-pubkey\":"
                         "%s},\"tee-evidence\":{\"primary_evidence\":%.*s,"
                         "\"additional_evidence\":\"\"}}", nonce, pub, (int)el, ej);
            }
            attest_evidence_free(e);
            attest_attester_free(att);
        }
        snprintf(url, sizeof(url), "%s/kbs/v0/attest", base);
        ok = ok && request(c, url, body, &b) == 200;
        snprintf(url, sizeof(url), "%s/kbs/v0/resource/default/load/key", base);
        ok = ok && request(c, url, NULL, &b) == 200;
        uint8_t *plain = NULL;
        size_t plen = 0;
        ok = ok && attest_jwe_decrypt(ctx, priv, strlen(priv), b.p, b.n, &plain, &plen) ==
                       ATTEST_OK;
        attest_free(plain);
        if (!ok)
            errors++;
        lat[i] = bench_now() - t;
        attest_free(pub);
        attest_free(priv);
        free(nonce);
        free(ev);
    }
    double secs = bench_now() - start;
    report("kbs handshake (auth + attest + resource)", lat, count, errors, secs);
    curl_slist_free_all(h);
    free(b.p);
    free(lat);
    return errors != 0;
}

int main(int argc, char **argv)
{
    attest_ctx *ctx = NULL;
    if (argc != 4 || atol(argv[3]) <= 0) {
        fprintf(stderr, "usage: load_http as|kbs URL COUNT\n");
        return 2;
    }
    long count = atol(argv[3]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *c = curl_easy_init();
    if (c == NULL || attest_ctx_new(&ctx) != ATTEST_OK)
        return 1;
    int rc = strcmp(argv[1], "as") == 0 ? load_as(c, ctx, argv[2], count)
                                        : load_kbs(c, ctx, argv[2], count);
    curl_easy_cleanup(c);
    attest_ctx_free(ctx);
    curl_global_cleanup();
    return rc;
}
