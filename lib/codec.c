/* Hex and base64 (RFC 4648), strict: one accepted encoding per byte string. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char hex_digits[] = "0123456789abcdef";

void attest_hex__encode(const uint8_t *in, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex_digits[in[i] >> 4];
        out[2 * i + 1] = hex_digits[in[i] & 0x0f];
    }
    out[2 * len] = '\0';
}

char *attest_hex__encode_alloc(const uint8_t *in, size_t len)
{
    if (len > (SIZE_MAX - 1) / 2)
        return NULL;
    char *out = malloc(2 * len + 1);
    if (out != NULL)
        attest_hex__encode(in, len, out);
    return out;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool attest_hex__decode(const char *text, size_t text_len, uint8_t *out, size_t cap,
                        size_t *out_len)
{
    if (text_len % 2 != 0 || text_len / 2 > cap)
        return false;
    for (size_t i = 0; i < text_len / 2; i++) {
        int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *out_len = text_len / 2;
    return true;
}

static const char b64_std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int b64_value(enum attest_b64_alphabet alpha, char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (alpha == ATTEST_B64_STD ? '+' : '-'))
        return 62;
    if (c == (alpha == ATTEST_B64_STD ? '/' : '_'))
        return 63;
    return -1;
}

attest_status attest_b64__decode(enum attest_b64_alphabet alpha, const char *text,
                                 size_t text_len, uint8_t **out, size_t *out_len)
{
    size_t n = text_len;

    /* Padding is optional; when present it must complete the last quantum exactly. */
    if (n % 4 == 0 && n > 0 && text[n - 1] == '=') {
        n--;
        if (text[n - 1] == '=')
            n--;
    }
    if (n % 4 == 1)
        return ATTEST_E_PARSE;
    if (n < text_len && (n + (4 - n % 4) % 4) != text_len)
        return ATTEST_E_PARSE;

    size_t full = n / 4, rest = n % 4;
    size_t len = full * 3 + (rest == 0 ? 0 : rest - 1);
    uint8_t *buf = malloc(len + 1);
    if (buf == NULL)
        return ATTEST_E_NOMEM;

    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        size_t chunk = n - i < 4 ? n - i : 4;
        uint32_t acc = 0;
        for (size_t j = 0; j < 4; j++) {
            int v = 0;
            if (j < chunk && (v = b64_value(alpha, text[i + j])) < 0) {
                free(buf);
                return ATTEST_E_PARSE;
            }
            acc = acc << 6 | (uint32_t)v;
        }
        /* Bits below the last whole byte must be zero (RFC 4648 §3.5 canonical form). */
        if ((chunk == 2 && (acc & 0xffff)) || (chunk == 3 && (acc & 0xff))) {
            free(buf);
            return ATTEST_E_PARSE;
        }
        buf[o++] = (uint8_t)(acc >> 16);
        if (chunk > 2)
            buf[o++] = (uint8_t)(acc >> 8);
        if (chunk > 3)
            buf[o++] = (uint8_t)acc;
    }
    buf[o] = 0;
    *out = buf;
    *out_len = o;
    return ATTEST_OK;
}

char *attest_b64__encode(enum attest_b64_alphabet alpha, const uint8_t *in, size_t len)
{
    const char *tab = alpha == ATTEST_B64_STD ? b64_std : b64_url;
    if (len > (SIZE_MAX - 5) / 4 * 3)
        return NULL;
    char *out = malloc((len + 2) / 3 * 4 + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0, i = 0;
    for (; len - i >= 3; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = tab[v >> 18];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = tab[(v >> 6) & 63];
        out[o++] = tab[v & 63];
    }
    if (len - i > 0) {
        uint32_t v = (uint32_t)in[i] << 16 | (len - i > 1 ? (uint32_t)in[i + 1] << 8 : 0);
        out[o++] = tab[v >> 18];
        out[o++] = tab[(v >> 12) & 63];
        if (len - i > 1)
            out[o++] = tab[(v >> 6) & 63];
        else if (alpha == ATTEST_B64_STD)
            out[o++] = '=';
        if (alpha == ATTEST_B64_STD)
            out[o++] = '=';
    }
    out[o] = '\0';
    return out;
}
