/*
 * jwe-tool: the JWE API from the command line, for the interop tests.
 *   jwe-tool keygen ALG PUBLIC_JWK_OUT PRIVATE_PEM_OUT
 *   jwe-tool encrypt JWK_FILE ALG|- compact|flattened   (plaintext on stdin, JWE on stdout)
 *   jwe-tool decrypt PEM_FILE                           (JWE on stdin, plaintext on stdout)
 * Exit: 0 done, 1 the library refused (message on stderr), 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <attest/attest.h>

static char *slurp(FILE *f, size_t *len)
{
    size_t cap = 4096, n = 0, r;
    char *buf = malloc(cap);
    while (buf != NULL && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *g = realloc(buf, cap *= 2);
            if (g == NULL) {
                free(buf);
                return NULL;
            }
            buf = g;
        }
    }
    *len = n;
    return buf;
}

static char *slurp_path(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *b = f != NULL ? slurp(f, len) : NULL;
    if (f != NULL)
        fclose(f);
    return b;
}

static int put(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    int ok = f != NULL && fputs(text, f) >= 0;
    if (f != NULL)
        ok = fclose(f) == 0 && ok;
    return ok;
}

int main(int argc, char **argv)
{
    attest_ctx *ctx = NULL;
    int rc = 2;
    if (argc < 3 || attest_ctx_new(&ctx) != ATTEST_OK)
        goto usage;
    if (strcmp(argv[1], "keygen") == 0 && argc == 5) {
        char *pub = NULL, *priv = NULL;
        rc = attest_jwe_keygen(ctx, argv[2], &pub, &priv) == ATTEST_OK && put(argv[3], pub) &&
                     put(argv[4], priv)
                 ? 0
                 : 1;
        attest_free(pub);
        attest_free(priv);
    } else if (strcmp(argv[1], "encrypt") == 0 && argc == 5) {
        size_t jl = 0, pl = 0;
        char *jwk = slurp_path(argv[2], &jl), *pt = slurp(stdin, &pl), *out = NULL;
        attest_jwe_form form = strcmp(argv[4], "flattened") == 0 ? ATTEST_JWE_FLATTENED
                                                                 : ATTEST_JWE_COMPACT;
        rc = jwk != NULL && pt != NULL &&
                     attest_jwe_encrypt(ctx, jwk, jl, strcmp(argv[3], "-") ? argv[3] : NULL, form,
                                        (const uint8_t *)pt, pl, &out) == ATTEST_OK
                 ? 0
                 : 1;
        if (rc == 0)
            fputs(out, stdout);
        attest_free(out);
        free(jwk);
        free(pt);
    } else if (strcmp(argv[1], "decrypt") == 0 && argc == 3) {
        size_t kl = 0, jl = 0, pl = 0;
        char *pem = slurp_path(argv[2], &kl), *jwe = slurp(stdin, &jl);
        uint8_t *pt = NULL;
        rc = pem != NULL && jwe != NULL &&
                     attest_jwe_decrypt(ctx, pem, kl, jwe, jl, &pt, &pl) == ATTEST_OK
                 ? 0
                 : 1;
        if (rc == 0)
            fwrite(pt, 1, pl, stdout);
        attest_free(pt);
        free(pem);
        free(jwe);
    } else {
        goto usage;
    }
    if (rc == 1)
        fprintf(stderr, "jwe-tool: %s\n", attest_ctx_last_error(ctx));
    attest_ctx_free(ctx);
    return rc;
usage:
    fprintf(stderr, "usage: jwe-tool keygen ALG PUB PRIV | encrypt JWK ALG|- compact|flattened"
                    " | decrypt PEM\n");
    attest_ctx_free(ctx);
    return 2;
}
