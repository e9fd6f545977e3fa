/* Loading certificates from caller-named files and directories; checks live in drivers. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "ctx_cache.h"
#include "x509.h"

#define CERT_FILE_MAX (4u * 1024u * 1024u)

attest_status attest_x509__parse_any(const uint8_t *buf, size_t len, STACK_OF(X509) *certs)
{
    int added = 0;

    if (len > 0 && buf[0] == 0x30) { /* DER SEQUENCE */
        const unsigned char *p = buf;
        X509 *x = d2i_X509(NULL, &p, (long)len);
        if (x != NULL && p == buf + len) {
            if (!sk_X509_push(certs, x)) {
                X509_free(x);
                return ATTEST_E_NOMEM;
            }
            return ATTEST_OK;
        }
        X509_free(x);
        return ATTEST_E_PARSE;
    }
    BIO *bio = BIO_new_mem_buf(buf, (int)len);
    if (bio == NULL)
        return ATTEST_E_NOMEM;
    X509 *x;
    while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (!sk_X509_push(certs, x)) {
            X509_free(x);
            BIO_free(bio);
            return ATTEST_E_NOMEM;
        }
        added++;
    }
    BIO_free(bio);
    return added > 0 ? ATTEST_OK : ATTEST_E_PARSE;
}

/* A DER CRL, or every PEM "X509 CRL" block in buf (other blocks are skipped). */
static void parse_crls(const uint8_t *buf, size_t len, STACK_OF(X509_CRL) *crls)
{
    if (len > 0 && buf[0] == 0x30) {
        const unsigned char *p = buf;
        X509_CRL *c = d2i_X509_CRL(NULL, &p, (long)len);
        if (c != NULL && (p != buf + len || !sk_X509_CRL_push(crls, c)))
            X509_CRL_free(c);
        return;
    }
    BIO *bio = BIO_new_mem_buf(buf, (int)len);
    X509_CRL *c;
    while (bio != NULL && (c = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL)
        if (!sk_X509_CRL_push(crls, c)) {
            X509_CRL_free(c);
            break;
        }
    BIO_free(bio);
}

/*
 * What the ctx's trust directories and collateral sources hold, read once: certificates,
 * CRLs, and the trust directories' "pins" lines.
 */
struct pin {
    char tee[32], label[64];
    uint8_t spki[32];
};

struct sources {
    STACK_OF(X509) *certs;
    STACK_OF(X509_CRL) *crls;
    struct pin *pins;
    size_t n_pins;
    struct attest_source_doc *docs; /* JSON files (DCAP collateral), path and bytes owned */
    size_t n_docs;
};

static void sources_free(void *p)
{
    struct sources *s = p;
    if (s == NULL)
        return;
    sk_X509_pop_free(s->certs, X509_free);
    sk_X509_CRL_pop_free(s->crls, X509_CRL_free);
    free(s->pins);
    for (size_t i = 0; i < s->n_docs; i++) {
        free((char *)s->docs[i].path);
        free((uint8_t *)s->docs[i].data);
    }
    free(s->docs);
    free(s);
}

/* Keep a JSON document (first non-blank byte '{') for the drivers that read collateral. */
static void keep_document(const char *path, uint8_t *buf, size_t len, struct sources *src)
{
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
        i++;
    if (i == len || buf[i] != '{')
        return;
    struct attest_source_doc *grown = realloc(src->docs, (src->n_docs + 1) * sizeof(*grown));
    char *p = strdup(path);
    uint8_t *copy = malloc(len);
    if (grown != NULL)
        src->docs = grown;
    if (grown == NULL || p == NULL || copy == NULL) {
        free(p);
        free(copy);
        return;
    }
    memcpy(copy, buf, len);
    src->docs[src->n_docs++] = (struct attest_source_doc){p, copy, len};
}

static void load_file(const char *path, struct sources *src)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    struct stat st;

    if (f == NULL)
        return;
    /* a file may hold certificates, CRLs, both (PEM) or neither (skipped) */
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (size_t)st.st_size <= CERT_FILE_MAX && (buf = malloc((size_t)st.st_size)) != NULL &&
        fread(buf, 1, (size_t)st.st_size, f) == (size_t)st.st_size) {
        (void)attest_x509__parse_any(buf, (size_t)st.st_size, src->certs);
        parse_crls(buf, (size_t)st.st_size, src->crls);
        keep_document(path, buf, (size_t)st.st_size, src);
    }
    free(buf);
    fclose(f);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load a directory's regular files in name order, so results never depend on readdir. */
static void load_path(const char *path, struct sources *src)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        load_file(path, src);
        return;
    }
    DIR *d = opendir(path);
    if (d == NULL)
        return;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **grown = realloc(names, cap * sizeof(*names));
            if (grown == NULL)
                break;
            names = grown;
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        if ((names[n] = malloc(len)) == NULL)
            break;
        snprintf(names[n], len, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof(*names), name_cmp);
    for (size_t i = 0; i < n; i++) {
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            load_file(names[i], src);
        free(names[i]);
    }
    free(names);
}

/* The lines "<tee> <label> <64 hex digits>" of dir/pins; '#' starts a comment line. */
static bool load_pins(const char *dir, struct sources *src)
{
    char line[256], path[4096];
    FILE *f;

    if (snprintf(path, sizeof(path), "%s/pins", dir) >= (int)sizeof(path) ||
        (f = fopen(path, "r")) == NULL)
        return true;
    bool ok = true;
    while (ok && fgets(line, sizeof(line), f) != NULL) {
        struct pin p;
        char h[80];
        size_t n = 0;
        if (line[0] == '#' || sscanf(line, "%31s %63s %79s", p.tee, p.label, h) != 3 ||
            !attest_hex__decode(h, strlen(h), p.spki, sizeof(p.spki), &n) || n != 32)
            continue;
        struct pin *grown = realloc(src->pins, (src->n_pins + 1) * sizeof(*grown));
        if ((ok = grown != NULL)) {
            src->pins = grown;
            src->pins[src->n_pins++] = p;
        }
    }
    fclose(f);
    return ok;
}

static attest_status sources_get(attest_ctx *ctx, struct sources **out)
{
    static const uint8_t key[32] = "libattest:trust+collateral srcs";
    struct sources *src = attest_ctx__cache_get(ctx, key);

    if (src != NULL) {
        *out = src;
        return ATTEST_OK;
    }
    if ((src = calloc(1, sizeof(*src))) == NULL ||
        (src->certs = sk_X509_new_null()) == NULL ||
        (src->crls = sk_X509_CRL_new_null()) == NULL)
        goto nomem;
    for (size_t i = 0; i < attest_ctx__trust_dir_count(ctx); i++) {
        load_path(attest_ctx__trust_dir(ctx, i), src);
        if (!load_pins(attest_ctx__trust_dir(ctx, i), src))
            goto nomem;
    }
    for (size_t i = 0; i < attest_ctx__collateral_count(ctx); i++)
        load_path(attest_ctx__collateral(ctx, i), src);
    if (!attest_ctx__cache_put(ctx, key, src, sources_free))
        goto nomem;
    *out = src;
    return ATTEST_OK;
nomem:
    sources_free(src);
    return attest_ctx__error(ctx, ATTEST_E_NOMEM, "x509: out of memory");
}

attest_status attest_ctx__certificates(attest_ctx *ctx, STACK_OF(X509) **out)
{
    struct sources *src;
    attest_status rc = sources_get(ctx, &src);
    if (rc == ATTEST_OK)
        *out = src->certs;
    return rc;
}

attest_status attest_ctx__crls(attest_ctx *ctx, STACK_OF(X509_CRL) **out)
{
    struct sources *src;
    attest_status rc = sources_get(ctx, &src);
    if (rc == ATTEST_OK)
        *out = src->crls;
    return rc;
}

attest_status attest_ctx__documents(attest_ctx *ctx, const struct attest_source_doc **docs,
                                   size_t *n)
{
    struct sources *src;
    attest_status rc = sources_get(ctx, &src);
    if (rc == ATTEST_OK) {
        *docs = src->docs;
        *n = src->n_docs;
    }
    return rc;
}

bool attest_ctx__extra_pin(attest_ctx *ctx, const char *tee, const char *label,
                           const uint8_t spki_sha256[32])
{
    struct sources *src;
    if (sources_get(ctx, &src) != ATTEST_OK)
        return false;
    for (size_t i = 0; i < src->n_pins; i++)
        if (strcmp(src->pins[i].tee, tee) == 0 && strcmp(src->pins[i].label, label) == 0 &&
            attest_ct_equal(src->pins[i].spki, spki_sha256, 32))
            return true;
    return false;
}

bool attest_x509__spki_sha256(X509 *cert, uint8_t out[32])
{
    /* The certificate's own SubjectPublicKeyInfo, re-encoded by the ASN.1 templates:
     * i2d_PUBKEY(EVP_PKEY) would go through OpenSSL 3's provider encoders, which cost
     * more than a signature check. The DER bytes are the same. */
    unsigned char *der = NULL;
    unsigned int n = 0;
    int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
    bool ok = len > 0 && EVP_Digest(der, (size_t)len, out, &n, EVP_sha256(), NULL) == 1;
    OPENSSL_free(der);
    return ok && n == 32;
}

bool attest_x509__valid_at(X509 *cert, int64_t t)
{
    time_t when = (time_t)t;
    /* X509_cmp_time: -1 earlier or equal, 1 later, 0 on error (which must fail) */
    return X509_cmp_time(X509_get0_notBefore(cert), &when) == -1 &&
           X509_cmp_time(X509_get0_notAfter(cert), &when) == 1;
}

void attest_x509__cn(X509_NAME *name, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (name == NULL || X509_NAME_get_text_by_NID(name, NID_commonName, buf, (int)cap) < 0)
        buf[0] = '\0';
}

bool attest_x509__time_unix(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return false;
    *out = attest_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
           tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    return true;
}

void attest_x509__time_format(const ASN1_TIME *t, char *buf, size_t cap)
{
    struct tm tm;
    if (t == NULL)
        snprintf(buf, cap, "-");
    else if (ASN1_TIME_to_tm(t, &tm) != 1 || strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, cap, "?");
}

attest_status attest_x509__check_valid(attest_ctx *ctx, const char *tee, X509 *cert,
                                       const char *what)
{
    int64_t now = attest_ctx_time(ctx);
    if (attest_x509__valid_at(cert, now))
        return ATTEST_OK;
    char nb[32], na[32], at[32];
    attest_time__format(now, at, sizeof(at));
    attest_x509__time_format(X509_get0_notBefore(cert), nb, sizeof(nb));
    attest_x509__time_format(X509_get0_notAfter(cert), na, sizeof(na));
    return attest_ctx__error(ctx, ATTEST_E_EXPIRED, "%s: %s is not valid at %s (valid %s to %s)",
                             tee, what, at, nb, na);
}

int attest_ecdsa__der(const uint8_t *rs, size_t half, unsigned char **der)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(rs, (int)half, NULL), *s = BN_bin2bn(rs + half, (int)half, NULL);
    int len = 0;
    *der = NULL;
    if (sig != NULL && r != NULL && s != NULL && ECDSA_SIG_set0(sig, r, s)) {
        r = s = NULL; /* owned by sig */
        len = i2d_ECDSA_SIG(sig, der);
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return len > 0 ? len : 0;
}
