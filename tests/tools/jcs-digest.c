/*
 * jcs-digest: canonicalise JSON from stdin with the public API and print
 * "<canonical hex> <sha256 hex> <sha384 hex> <sha512 hex>", or "error <message>".
 * Driven by tests/binding/jcs_python.py, which computes the same independently.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <attest/attest.h>

static void print_hex(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
}

int main(void)
{
    static char buf[1 << 20];
    size_t len = fread(buf, 1, sizeof(buf), stdin);
    attest_ctx *ctx;
    char *canon = NULL;
    size_t canon_len;

    if (attest_ctx_new(&ctx) != ATTEST_OK)
        return 2;
    if (attest_json_canonicalize(ctx, buf, len, &canon, &canon_len) != ATTEST_OK) {
        printf("error %s\n", attest_ctx_last_error(ctx));
        attest_ctx_free(ctx);
        return 0;
    }
    print_hex((const uint8_t *)canon, canon_len);
    const attest_hash_alg algs[] = {ATTEST_HASH_SHA256, ATTEST_HASH_SHA384, ATTEST_HASH_SHA512};
    for (size_t i = 0; i < 3; i++) {
        uint8_t d[ATTEST_BINDING_MAX];
        size_t dl;
        if (attest_binding_digest(ctx, ATTEST_DATA_JSON, (const uint8_t *)buf, len, algs[i], d,
                                  sizeof(d), &dl) != ATTEST_OK)
            return 2;
        putchar(' ');
        print_hex(d, dl);
    }
    putchar('\n');
    attest_free(canon);
    attest_ctx_free(ctx);
    return 0;
}
