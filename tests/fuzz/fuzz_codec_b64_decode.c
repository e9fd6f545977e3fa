/* Fuzz base64 decoding: accepted input re-encodes to itself (modulo padding). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int a = 0; a < 2; a++) {
        enum attest_b64_alphabet alpha = a ? ATTEST_B64_URL : ATTEST_B64_STD;
        uint8_t *out = NULL;
        size_t len = 0;
        if (attest_b64__decode(alpha, (const char *)data, size, &out, &len) != ATTEST_OK)
            continue;
        char *again = attest_b64__encode(alpha, out, len);
        FUZZ_ASSERT(again != NULL);
        size_t n = strlen(again), m = size;
        while (n > 0 && again[n - 1] == '=')
            n--;
        while (m > 0 && data[m - 1] == '=')
            m--;
        FUZZ_ASSERT(n == m && memcmp(again, data, n) == 0);
        free(again);
        free(out);
    }
    return 0;
}
