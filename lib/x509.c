/* Loading certificates from caller-named files and directories; checks live in drivers. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

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

static void load_file(const char *path, STACK_OF(X509) *certs)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    struct stat st;

    if (f == NULL)
        return;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (size_t)st.st_size <= CERT_FILE_MAX && (buf = malloc((size_t)st.st_size)) != NULL &&
        fread(buf, 1, (size_t)st.st_size, f) == (size_t)st.st_size)
        (void)attest_x509__parse_any(buf, (size_t)st.st_size, certs); /* not a cert: skip */
    free(buf);
    fclose(f);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load a directory's regular files in name order, so results never depend on readdir. */
static void load_path(const char *path, STACK_OF(X509) *certs)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        load_file(path, certs);
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
            load_file(names[i], certs);
        free(names[i]);
    }
    free(names);
}

static void free_stack(void *p)
{
    sk_X509_pop_free(p, X509_free);
}

attest_status attest_ctx__certificates(attest_ctx *ctx, STACK_OF(X509) **out)
{
    static const uint8_t key[32] = "libattest:trust+collateral certs";
    void *cached = attest_ctx__cache_get(ctx, key);

    if (cached != NULL) {
        *out = cached;
        return ATTEST_OK;
    }
    STACK_OF(X509) *certs = sk_X509_new_null();
    if (certs == NULL)
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "x509: out of memory");
    for (size_t i = 0; i < attest_ctx__trust_dir_count(ctx); i++)
        load_path(attest_ctx__trust_dir(ctx, i), certs);
    for (size_t i = 0; i < attest_ctx__collateral_count(ctx); i++)
        load_path(attest_ctx__collateral(ctx, i), certs);
    if (!attest_ctx__cache_put(ctx, key, certs, free_stack)) {
        free_stack(certs);
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "x509: out of memory");
    }
    *out = certs;
    return ATTEST_OK;
}

/* Read each trust directory's "pins" file for a matching line. */
bool attest_ctx__extra_pin(attest_ctx *ctx, const char *tee, const char *label,
                           const uint8_t spki_sha256[32])
{
    char want[65], line[256], path[4096];

    attest_hex__encode(spki_sha256, 32, want);
    for (size_t i = 0; i < attest_ctx__trust_dir_count(ctx); i++) {
        snprintf(path, sizeof(path), "%s/pins", attest_ctx__trust_dir(ctx, i));
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        bool found = false;
        while (!found && fgets(line, sizeof(line), f) != NULL) {
            char t[32], l[64], h[80];
            if (line[0] == '#' || sscanf(line, "%31s %63s %79s", t, l, h) != 3)
                continue;
            found = strcmp(t, tee) == 0 && strcmp(l, label) == 0 && strcasecmp(h, want) == 0;
        }
        fclose(f);
        if (found)
            return true;
    }
    return false;
}

bool attest_x509__spki_sha256(X509 *cert, uint8_t out[32])
{
    unsigned char *der = NULL;
    unsigned int n = 0;
    int len = i2d_PUBKEY(X509_get0_pubkey(cert), &der);
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
