/* DCAP collateral from a PCCS or Intel PCS with libcurl, cached on disk (pccs.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "cli.h"
#include "pccs.h"

#define BODY_MAX (4u * 1024u * 1024u)

struct response {
    char *body;
    size_t len;
    char *chain; /* the issuer-chain header, percent-decoded */
    const char *chain_header;
    long status;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct response *r = arg;
    size_t add = size * n;
    if (add > BODY_MAX - r->len)
        return 0;
    char *grown = realloc(r->body, r->len + add + 1);
    if (grown == NULL)
        return 0;
    memcpy(grown + r->len, p, add);
    r->body = grown;
    r->len += add;
    r->body[r->len] = '\0';
    return add;
}

static int hexval(int c)
{
    return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

/* The issuer chain headers carry PEM, URL-encoded (PCS API v4). */
static char *percent_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    size_t o = 0;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct response *r = arg;
    size_t len = size * n, k = strlen(r->chain_header);
    if (r->chain == NULL && len > k + 1 && strncasecmp(p, r->chain_header, k) == 0 && p[k] == ':') {
        const char *v = p + k + 1;
        size_t vl = len - k - 1;
        while (vl > 0 && (*v == ' ' || *v == '\t'))
            v++, vl--;
        while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
            vl--;
        r->chain = percent_decode(v, vl);
    }
    return len;
}

static bool get(const struct pccs *p, const char *url, const char *chain_header,
                struct response *r)
{
    CURL *c = curl_easy_init();
    memset(r, 0, sizeof(*r));
    r->chain_header = chain_header != NULL ? chain_header : "X-None";
    if (c == NULL)
        return false;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (p->insecure) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK || r->status != 200) {
        fprintf(stderr, "%s: GET %s: %s (HTTP %ld)\n", p->prog, url,
                rc != CURLE_OK ? curl_easy_strerror(rc) : "refused", r->status);
        return false;
    }
    if (chain_header != NULL && r->chain == NULL) {
        fprintf(stderr, "%s: GET %s: no %s header\n", p->prog, url, chain_header);
        return false;
    }
    return true;
}

static void response_free(struct response *r)
{
    free(r->body);
    free(r->chain);
}

/* Skip one JSON value starting at s[i]; returns the index after it, or 0 on bad input. */
static size_t skip_value(const char *s, size_t n, size_t i)
{
    int depth = 0;
    bool str = false;
    if (i >= n)
        return 0;
    if (s[i] != '"' && s[i] != '{' && s[i] != '[') { /* number, true, false, null */
        while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' &&
               !isspace((unsigned char)s[i]))
            i++;
        return i;
    }
    for (; i < n; i++) {
        char ch = s[i];
        if (str) {
            if (ch == '\\') {
                i++;
            } else if (ch == '"') {
                str = false;
                if (depth == 0)
                    return i + 1;
            }
            continue;
        }
        if (ch == '"')
            str = true;
        else if (ch == '{' || ch == '[')
            depth++;
        else if ((ch == '}' || ch == ']') && --depth == 0)
            return i + 1;
    }
    return 0;
}

/*
 * The exact text of a top-level member's value: the signature covers those bytes as
 * served, so re-serialising them would break it (tdx-sgx.md §7.1).
 */
static char *member_text(const char *s, size_t n, const char *name)
{
    size_t i = 0, k = strlen(name);
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i == n || s[i++] != '{')
        return NULL;
    while (i < n) {
        while (i < n && (isspace((unsigned char)s[i]) || s[i] == ','))
            i++;
        if (i >= n || s[i] != '"')
            return NULL;
        size_t key = i + 1, end = skip_value(s, n, i);
        if (end == 0)
            return NULL;
        bool match = end - key - 1 == k && memcmp(s + key, name, k) == 0;
        i = end;
        while (i < n && (isspace((unsigned char)s[i]) || s[i] == ':'))
            i++;
        size_t vstart = i, vend = skip_value(s, n, i);
        if (vend == 0)
            return NULL;
        if (match) {
            char *out = malloc(vend - vstart + 1);
            if (out != NULL) {
                memcpy(out, s + vstart, vend - vstart);
                out[vend - vstart] = '\0';
            }
            return out;
        }
        i = vend;
    }
    return NULL;
}

/* A CRL body as the bundle wants it: DER becomes hex; hex or PEM text stays. */
static char *crl_text(const struct response *r)
{
    if (r->len > 0 && (unsigned char)r->body[0] == 0x30) {
        char *hex = malloc(2 * r->len + 1);
        if (hex != NULL)
            for (size_t i = 0; i < r->len; i++)
                snprintf(hex + 2 * i, 3, "%02x", (unsigned char)r->body[i]);
        return hex;
    }
    char *t = strdup(r->body != NULL ? r->body : "");
    size_t n = t != NULL ? strlen(t) : 0;
    while (n > 0 && isspace((unsigned char)t[n - 1]))
        t[--n] = '\0';
    return t;
}

static bool add_signed(cJSON *bundle, const char *name, const struct response *r,
                       const char *member)
{
    char sig_name[64], chain_name[64];
    char *text = member_text(r->body, r->len, member);
    cJSON *doc = cJSON_Parse(r->body);
    const cJSON *sig = cJSON_GetObjectItemCaseSensitive(doc, "signature");
    bool ok = text != NULL && cJSON_IsString(sig);
    snprintf(sig_name, sizeof(sig_name), "%s_signature", name);
    snprintf(chain_name, sizeof(chain_name), "%s_issuer_chain", name);
    ok = ok && cJSON_AddStringToObject(bundle, name, text) != NULL &&
         cJSON_AddStringToObject(bundle, sig_name, sig->valuestring) != NULL &&
         cJSON_AddStringToObject(bundle, chain_name, r->chain) != NULL;
    free(text);
    cJSON_Delete(doc);
    return ok;
}

/* Intel's dates, "2025-06-19T10:56:11Z". */
static int64_t next_update_of(const char *signed_text)
{
    cJSON *d = cJSON_Parse(signed_text);
    const cJSON *nu = cJSON_GetObjectItemCaseSensitive(d, "nextUpdate");
    int64_t t = 0;
    if (!cJSON_IsString(nu) || !cli_parse_time(nu->valuestring, &t))
        t = 0;
    cJSON_Delete(d);
    return t;
}

static bool cache_fresh(const struct pccs *p, const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    fclose(f);
    if (!cli_read_file(p->prog, path, BODY_MAX, data, len))
        return false;
    cJSON *b = cJSON_ParseWithLength((const char *)*data, *len);
    const cJSON *ti = cJSON_GetObjectItemCaseSensitive(b, "tcb_info");
    const cJSON *qe = cJSON_GetObjectItemCaseSensitive(b, "qe_identity");
    bool fresh = cJSON_IsString(ti) && cJSON_IsString(qe) &&
                 next_update_of(ti->valuestring) > attest_ctx_time(p->ctx) &&
                 next_update_of(qe->valuestring) > attest_ctx_time(p->ctx);
    cJSON_Delete(b);
    if (!fresh) {
        free(*data);
        *data = NULL;
    }
    return fresh;
}

attest_status pccs_collateral_fn(const char *tee, const char *kind, const char *key,
                                 attest_collateral_reply *reply, void *payload)
{
    const struct pccs *p = payload;
    char t[8], fmspc[16], ca[16], url[1024], path[1024];
    attest_status rc = ATTEST_E_IO;

    if (strcmp(kind, "collateral") != 0 || (strcmp(tee, "tdx") != 0 && strcmp(tee, "sgx") != 0))
        return ATTEST_E_NOT_FOUND;
    if (sscanf(key, "%7[a-z]/%15[0-9a-f]/%15[a-z]", t, fmspc, ca) != 3 || strlen(fmspc) != 12 ||
        (strcmp(ca, "platform") != 0 && strcmp(ca, "processor") != 0))
        return ATTEST_E_NOT_FOUND;
    if (p->cache != NULL) {
        uint8_t *data = NULL;
        size_t len = 0;
        snprintf(path, sizeof(path), "%s/%s-%s-%s.json", p->cache, t, fmspc, ca);
        if (cache_fresh(p, path, &data, &len)) {
            rc = attest_collateral_reply_set(reply, data, len);
            free(data);
            return rc;
        }
    }
    struct response tcb = {0}, qe = {0}, pck = {0}, root = {0};
    cJSON *bundle = cJSON_CreateObject();
    char *pck_hex = NULL, *root_hex = NULL, *json = NULL;
    snprintf(url, sizeof(url), "%s/%s/certification/v4/tcb?fmspc=%s", p->base, t, fmspc);
    if (!get(p, url, "TCB-Info-Issuer-Chain", &tcb) &&
        !(response_free(&tcb), get(p, url, "SGX-TCB-Info-Issuer-Chain", &tcb)))
        goto out;
    snprintf(url, sizeof(url), "%s/%s/certification/v4/qe/identity", p->base, t);
    if (!get(p, url, "SGX-Enclave-Identity-Issuer-Chain", &qe))
        goto out;
    snprintf(url, sizeof(url), "%s/sgx/certification/v4/pckcrl?ca=%s&encoding=der", p->base, ca);
    if (!get(p, url, "SGX-PCK-CRL-Issuer-Chain", &pck))
        goto out;
    /* a PCCS serves the root CA CRL; Intel PCS leaves it at its distribution point */
    snprintf(url, sizeof(url), "%s/sgx/certification/v4/rootcacrl", p->base);
    if (!get(p, url, NULL, &root)) {
        response_free(&root);
        if (!get(p, "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der", NULL,
                 &root))
            goto out;
    }
    if (bundle == NULL || !add_signed(bundle, "tcb_info", &tcb, "tcbInfo") ||
        !add_signed(bundle, "qe_identity", &qe, "enclaveIdentity") ||
        (pck_hex = crl_text(&pck)) == NULL || (root_hex = crl_text(&root)) == NULL ||
        cJSON_AddStringToObject(bundle, "pck_crl_issuer_chain", pck.chain) == NULL ||
        cJSON_AddStringToObject(bundle, "pck_crl", pck_hex) == NULL ||
        cJSON_AddStringToObject(bundle, "root_ca_crl", root_hex) == NULL ||
        (json = cJSON_PrintUnformatted(bundle)) == NULL) {
        fprintf(stderr, "%s: %s collateral from %s is not what PCS API v4 serves\n", p->prog,
                tee, p->base);
        rc = ATTEST_E_PARSE;
        goto out;
    }
    if (p->cache != NULL) {
        if (mkdir(p->cache, 0700) != 0 && errno != EEXIST)
            fprintf(stderr, "%s: cache %s: %s\n", p->prog, p->cache, strerror(errno));
        else
            (void)cli_write_file(p->prog, path, (const uint8_t *)json, strlen(json));
    }
    rc = attest_collateral_reply_set(reply, (const uint8_t *)json, strlen(json));
out:
    response_free(&tcb);
    response_free(&qe);
    response_free(&pck);
    response_free(&root);
    free(pck_hex);
    free(root_hex);
    free(json);
    cJSON_Delete(bundle);
    return rc;
}
