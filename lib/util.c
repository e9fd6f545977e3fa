#include <stdlib.h>

#include <openssl/crypto.h>

#include "internal.h"

void attest_free(void *ptr)
{
    free(ptr);
}

int attest_ct_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    if (len == 0)
        return 1;
    if (a == NULL || b == NULL)
        return 0;
    return CRYPTO_memcmp(a, b, len) == 0;
}
