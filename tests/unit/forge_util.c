/*
 * The forges' shared helpers (forge_util.h). OpenSSL 3 EVP APIs and libc only.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "forge_util.h"

static char base_dir[4096]; /* the scratch directory; empty: none */
static pid_t base_owner;    /* the process that created it */
static unsigned long dir_seq;

/* ---- files ---- */

bool fu_tmp_init(const char *tag)
{
    if (base_dir[0] != '\0')
        return true;
    const char *tmp = getenv("TMPDIR");
    snprintf(base_dir, sizeof(base_dir), "%s/%s.XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp", tag);
    if (mkdtemp(base_dir) == NULL) {
        base_dir[0] = '\0';
        return false;
    }
    base_owner = getpid();
    return true;
}

void fu_tmp_cleanup(void)
{
    if (base_dir[0] == '\0' || getpid() != base_owner)
        return;
    fu_remove_tree(base_dir);
    base_dir[0] = '\0';
}

char *fu_tmpdir(void)
{
    char buf[4200];
    snprintf(buf, sizeof(buf), "%s/d%lu.XXXXXX", base_dir, dir_seq++);
    if (base_dir[0] == '\0' || mkdtemp(buf) == NULL)
        return NULL;
    return strdup(buf);
}

char *fu_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

bool fu_write(const char *dir, const char *name, const void *data, size_t len)
{
    char *path = fu_path(dir, name);
    FILE *f = path != NULL ? fopen(path, "wb") : NULL;
    bool ok = f != NULL && fwrite(data, 1, len, f) == len;
    if (f != NULL && fclose(f) != 0)
        ok = false;
    free(path);
    return ok;
}

void fu_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d != NULL && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *child = fu_path(path, e->d_name);
            if (child != NULL)
                fu_remove_tree(child);
            free(child);
        }
        if (d != NULL)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* ---- encodings ---- */

uint8_t *fu_der(X509 *x, size_t *len)
{
    int n = i2d_X509(x, NULL);
    uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
    unsigned char *p = buf;
    if (buf == NULL || i2d_X509(x, &p) != n) {
        free(buf);
        return NULL;
    }
    *len = (size_t)n;
    return buf;
}

uint8_t *fu_crl_der(X509_CRL *crl, size_t *len)
{
    int n = i2d_X509_CRL(crl, NULL);
    uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
    unsigned char *p = buf;
    if (buf == NULL || i2d_X509_CRL(crl, &p) != n) {
        free(buf);
        return NULL;
    }
    *len = (size_t)n;
    return buf;
}

/* The contents of a memory BIO as a NUL-terminated malloc'd string; frees the BIO. */
static char *bio_text(BIO *bio, bool ok)
{
    char *data = NULL, *out = NULL;
    long n = ok && bio != NULL ? BIO_get_mem_data(bio, &data) : 0;
    if (n > 0 && (out = malloc((size_t)n + 1)) != NULL) {
        memcpy(out, data, (size_t)n);
        out[n] = '\0';
    }
    BIO_free(bio);
    return out;
}

char *fu_pem(X509 *const *certs, size_t n)
{
    BIO *bio = BIO_new(BIO_s_mem());
    bool ok = bio != NULL;
    for (size_t i = 0; ok && i < n; i++)
        ok = PEM_write_bio_X509(bio, certs[i]) == 1;
    return bio_text(bio, ok);
}

char *fu_crl_pem(X509_CRL *crl)
{
    BIO *bio = BIO_new(BIO_s_mem());
    return bio_text(bio, bio != NULL && PEM_write_bio_X509_CRL(bio, crl) == 1);
}

char *fu_hex(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *s = malloc(2 * n + 1);
    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 15];
    }
    s[2 * n] = '\0';
    return s;
}

char *fu_b64(const uint8_t *p, size_t n, bool url)
{
    char *s = n <= INT32_MAX / 2 ? malloc(4 * ((n + 2) / 3) + 1) : NULL;
    if (s == NULL)
        return NULL;
    int len = EVP_EncodeBlock((unsigned char *)s, p, (int)n);
    for (int i = 0; url && i < len; i++) /* RFC 4648 §5: '-' and '_' for '+' and '/' */
        s[i] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
    return s;
}

bool fu_spki_hex(X509 *x, char out[65])
{
    unsigned char *der = NULL, md[32];
    unsigned int n = 0;
    int len = i2d_PUBKEY(X509_get0_pubkey(x), &der);
    bool ok = len > 0 && EVP_Digest(der, (size_t)len, md, &n, EVP_sha256(), NULL) == 1 && n == 32;
    OPENSSL_free(der);
    char *hex = ok ? fu_hex(md, 32) : NULL;
    if (hex != NULL)
        snprintf(out, 65, "%s", hex);
    free(hex);
    return hex != NULL;
}

/* ---- certificates and CRLs ---- */

X509_NAME *fu_name(const char *const *fv, size_t n)
{
    X509_NAME *name = X509_NAME_new();
    bool ok = name != NULL;
    for (size_t i = 0; ok && i < n; i++)
        ok = X509_NAME_add_entry_by_txt(name, fv[2 * i], MBSTRING_ASC,
                                        (const unsigned char *)fv[2 * i + 1], -1, -1, 0) == 1;
    if (!ok) {
        X509_NAME_free(name);
        return NULL;
    }
    return name;
}

X509 *fu_cert_new(X509_NAME *subject, long serial, EVP_PKEY *key, X509 *issuer,
                  const char *not_before, const char *not_after)
{
    X509 *x = X509_new();
    bool ok = x != NULL && subject != NULL && X509_set_version(x, X509_VERSION_3) == 1 &&
              ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1 &&
              X509_set_subject_name(x, subject) == 1 &&
              X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer)
                                                     : subject) == 1 &&
              ASN1_TIME_set_string_X509(X509_getm_notBefore(x), not_before) == 1 &&
              ASN1_TIME_set_string_X509(X509_getm_notAfter(x), not_after) == 1 &&
              X509_set_pubkey(x, key) == 1;
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

bool fu_add_conf_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    bool ok = e != NULL && X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok;
}

bool fu_add_der_ext(X509 *x, const char *oid, const unsigned char *der, int len)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *val = ASN1_OCTET_STRING_new();
    X509_EXTENSION *ext = NULL;
    bool ok = x != NULL && obj != NULL && val != NULL && len > 0 &&
              ASN1_OCTET_STRING_set(val, der, len) == 1 &&
              (ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, val)) != NULL &&
              X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(val);
    ASN1_OBJECT_free(obj);
    return ok;
}

X509_CRL *fu_crl_new(X509_NAME *issuer_name, const char *this_update, const char *next_update,
                     X509 *const *revoked, size_t n_revoked)
{
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *t = ASN1_TIME_new();
    bool ok = crl != NULL && t != NULL && X509_CRL_set_version(crl, X509_CRL_VERSION_2) == 1 &&
              X509_CRL_set_issuer_name(crl, issuer_name) == 1 &&
              ASN1_TIME_set_string_X509(t, this_update) == 1 &&
              X509_CRL_set1_lastUpdate(crl, t) == 1;
    if (ok && next_update != NULL)
        ok = ASN1_TIME_set_string_X509(t, next_update) == 1 &&
             X509_CRL_set1_nextUpdate(crl, t) == 1;
    for (size_t i = 0; ok && i < n_revoked; i++) {
        X509_REVOKED *r = X509_REVOKED_new();
        ok = r != NULL && ASN1_TIME_set_string_X509(t, this_update) == 1 &&
             X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(revoked[i])) == 1 &&
             X509_REVOKED_set_revocationDate(r, t) == 1 && X509_CRL_add0_revoked(crl, r) == 1;
        if (!ok)
            X509_REVOKED_free(r);
    }
    ok = ok && X509_CRL_sort(crl) == 1;
    ASN1_TIME_free(t);
    if (!ok) {
        X509_CRL_free(crl);
        return NULL;
    }
    return crl;
}

/* ---- ECDSA ---- */

bool fu_ecdsa_sign(EVP_PKEY *key, const EVP_MD *md, const void *msg, size_t len, size_t width,
                   bool le, uint8_t *r_out, uint8_t *s_out)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char *der = NULL;
    size_t der_len = 0;
    ECDSA_SIG *sig = NULL;
    const BIGNUM *r = NULL, *s = NULL;
    int w = (int)width;
    bool ok = ctx != NULL && EVP_DigestSignInit(ctx, NULL, md, NULL, key) == 1 &&
              EVP_DigestSign(ctx, NULL, &der_len, msg, len) == 1 &&
              (der = OPENSSL_malloc(der_len)) != NULL &&
              EVP_DigestSign(ctx, der, &der_len, msg, len) == 1;
    const unsigned char *p = der;
    if (ok && (sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) != NULL)
        ECDSA_SIG_get0(sig, &r, &s);
    ok = ok && r != NULL && s != NULL &&
         (le ? BN_bn2lebinpad(r, r_out, w) == w && BN_bn2lebinpad(s, s_out, w) == w
             : BN_bn2binpad(r, r_out, w) == w && BN_bn2binpad(s, s_out, w) == w);
    ECDSA_SIG_free(sig);
    OPENSSL_free(der);
    EVP_MD_CTX_free(ctx);
    return ok;
}
