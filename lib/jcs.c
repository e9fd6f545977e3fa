/*
 * RFC 8785 JSON Canonicalization Scheme, parsed from the text itself rather than through
 * cJSON: cJSON keeps numbers only as doubles (integers above 2^53 would change), accepts
 * duplicate keys and does not validate UTF-8, and each of those changes a digest.
 *
 *   RFC 8785 §3.2.1  whitespace: none
 *   RFC 8785 §3.2.2.2 strings: escape only '"', '\\' and U+0000..U+001F (\b \t \n \f \r,
 *                    others as \u00xx lowercase); everything else as UTF-8
 *   RFC 8785 §3.2.2.3 numbers: ECMAScript Number.prototype.toString (ECMA-262 §7.1.12.1)
 *   RFC 8785 §3.2.3  object members sorted by their names as UTF-16 code units
 *
 * One deliberate extension: an integer literal that fits in int64/uint64 is written
 * exactly (RFC 8785 would round it through a double above 2^53). Trustee's canonicaliser
 * (serde_json) and Python also keep such integers exact.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define JCS_DEPTH_MAX 128

enum node_type { N_NULL, N_TRUE, N_FALSE, N_NUMBER, N_STRING, N_ARRAY, N_OBJECT };

struct node;
struct member {
    char *key; /* UTF-8, may contain NUL: use key_len */
    size_t key_len;
    struct node *value;
};

struct node {
    enum node_type type;
    char *text; /* N_STRING: decoded UTF-8; N_NUMBER: canonical form */
    size_t text_len;
    struct node **items; /* N_ARRAY */
    struct member *members; /* N_OBJECT */
    size_t count;
};

struct parser {
    attest_ctx *ctx;
    const char *s;
    size_t len;
    size_t pos;
    attest_status rc;
};

struct sbuf {
    char *buf;
    size_t len, cap;
    bool failed;
};

static void sbuf_add(struct sbuf *b, const char *p, size_t n)
{
    if (b->failed)
        return;
    if (n > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 256;
        while (n > cap - b->len) {
            if (cap > SIZE_MAX / 2) {
                b->failed = true;
                return;
            }
            cap *= 2;
        }
        char *nb = realloc(b->buf, cap);
        if (nb == NULL) {
            b->failed = true;
            return;
        }
        b->buf = nb;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, p, n);
    b->len += n;
}

static void sbuf_addc(struct sbuf *b, char c)
{
    sbuf_add(b, &c, 1);
}

static void node_free(struct node *n)
{
    if (n == NULL)
        return;
    free(n->text);
    for (size_t i = 0; n->items != NULL && i < n->count; i++)
        node_free(n->items[i]);
    for (size_t i = 0; n->members != NULL && i < n->count; i++) {
        free(n->members[i].key);
        node_free(n->members[i].value);
    }
    free(n->items);
    free(n->members);
    free(n);
}

static void fail(struct parser *p, attest_status rc, const char *what)
{
    if (p->rc != ATTEST_OK)
        return;
    p->rc = attest_ctx__error(p->ctx, rc, "jcs: %s at byte %zu", what, p->pos);
}

static void skip_ws(struct parser *p)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

static bool literal(struct parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return false;
    p->pos += n;
    return true;
}

/* Length of a valid UTF-8 sequence at s (RFC 3629 §4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t left, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;

    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        n = 2, v = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3, v = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

static void put_utf8(struct sbuf *b, uint32_t cp)
{
    char out[4];
    size_t n;

    if (cp < 0x80) {
        out[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6), out[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12), out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
    } else {
        out[0] = (char)(0xf0 | cp >> 18), out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), out[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    sbuf_add(b, out, n);
}

static bool hex4(struct parser *p, uint32_t *out)
{
    uint32_t v = 0;
    if (p->len - p->pos < 4)
        return false;
    for (int i = 0; i < 4; i++) {
        char c = p->s[p->pos + i];
        int d = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
        if (d < 0)
            return false;
        v = v << 4 | (uint32_t)d;
    }
    p->pos += 4;
    *out = v;
    return true;
}

/* Parse a string token (p->pos at the opening quote) into decoded UTF-8. */
static bool parse_string(struct parser *p, char **out, size_t *out_len)
{
    struct sbuf b = {0};

    p->pos++; /* opening quote */
    for (;;) {
        if (p->pos >= p->len) {
            fail(p, ATTEST_E_PARSE, "unterminated string");
            goto err;
        }
        /* Copy a run of plain ASCII at once: the common case, and the hot loop. */
        size_t run = p->pos;
        while (run < p->len && (unsigned char)p->s[run] >= 0x20 &&
               (unsigned char)p->s[run] < 0x80 && p->s[run] != '"' && p->s[run] != '\\')
            run++;
        if (run > p->pos) {
            sbuf_add(&b, p->s + p->pos, run - p->pos);
            p->pos = run;
            continue;
        }
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') {
            p->pos++;
            break;
        }
        if (c < 0x20) {
            fail(p, ATTEST_E_PARSE, "unescaped control character in string");
            goto err;
        }
        if (c == '\\') {
            p->pos++;
            if (p->pos >= p->len) {
                fail(p, ATTEST_E_PARSE, "unterminated escape");
                goto err;
            }
            char e = p->s[p->pos++];
            uint32_t cp;
            switch (e) {
            case '"': sbuf_addc(&b, '"'); continue;
            case '\\': sbuf_addc(&b, '\\'); continue;
            case '/': sbuf_addc(&b, '/'); continue;
            case 'b': sbuf_addc(&b, '\b'); continue;
            case 'f': sbuf_addc(&b, '\f'); continue;
            case 'n': sbuf_addc(&b, '\n'); continue;
            case 'r': sbuf_addc(&b, '\r'); continue;
            case 't': sbuf_addc(&b, '\t'); continue;
            case 'u': break;
            default: p->pos--; fail(p, ATTEST_E_PARSE, "invalid escape"); goto err;
            }
            if (!hex4(p, &cp)) {
                fail(p, ATTEST_E_PARSE, "invalid \\u escape");
                goto err;
            }
            if (cp >= 0xdc00 && cp <= 0xdfff) {
                fail(p, ATTEST_E_PARSE, "lone low surrogate escape");
                goto err;
            }
            if (cp >= 0xd800 && cp <= 0xdbff) {
                uint32_t lo;
                if (p->len - p->pos < 2 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
                    fail(p, ATTEST_E_PARSE, "lone high surrogate escape");
                    goto err;
                }
                p->pos += 2;
                if (!hex4(p, &lo) || lo < 0xdc00 || lo > 0xdfff) {
                    fail(p, ATTEST_E_PARSE, "high surrogate not followed by a low one");
                    goto err;
                }
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            put_utf8(&b, cp);
            continue;
        }
        uint32_t cp;
        size_t n = utf8_seq((const unsigned char *)p->s + p->pos, p->len - p->pos, &cp);
        if (n == 0) {
            fail(p, ATTEST_E_PARSE, "invalid UTF-8 in string");
            goto err;
        }
        sbuf_add(&b, p->s + p->pos, n);
        p->pos += n;
    }
    sbuf_addc(&b, '\0');
    if (b.failed) {
        fail(p, ATTEST_E_NOMEM, "out of memory");
        goto err;
    }
    *out = b.buf;
    *out_len = b.len - 1;
    return true;
err:
    free(b.buf);
    return false;
}

/* ECMA-262 Number::toString for a finite double (RFC 8785 §3.2.2.3). */
static void es6_number(double x, struct sbuf *b)
{
    char tmp[40], digits[20];
    int k = 0, exp10 = 0;

    if (x == 0) { /* also -0 */
        sbuf_addc(b, '0');
        return;
    }
    if (x < 0) {
        sbuf_addc(b, '-');
        x = -x;
    }
    /* The shortest digit string that reads back as x; printf rounds correctly, so the
     * first precision that round-trips gives the digits ECMAScript requires. */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, x);
        if (strtod(tmp, NULL) == x)
            break;
    }
    for (const char *q = tmp; *q != 'e'; q++)
        if (*q >= '0' && *q <= '9')
            digits[k++] = *q;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    exp10 = atoi(strchr(tmp, 'e') + 1);
    int n = exp10 + 1; /* x = 0.d1d2...dk * 10^n */

    if (k <= n && n <= 21) {
        sbuf_add(b, digits, (size_t)k);
        for (int i = 0; i < n - k; i++)
            sbuf_addc(b, '0');
    } else if (0 < n && n <= 21) {
        sbuf_add(b, digits, (size_t)n);
        sbuf_addc(b, '.');
        sbuf_add(b, digits + n, (size_t)(k - n));
    } else if (-6 < n && n <= 0) {
        sbuf_add(b, "0.", 2);
        for (int i = 0; i < -n; i++)
            sbuf_addc(b, '0');
        sbuf_add(b, digits, (size_t)k);
    } else {
        sbuf_addc(b, digits[0]);
        if (k > 1) {
            sbuf_addc(b, '.');
            sbuf_add(b, digits + 1, (size_t)(k - 1));
        }
        snprintf(tmp, sizeof(tmp), "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
        sbuf_add(b, tmp, strlen(tmp));
    }
}

/* Whether the integer literal s (optional '-', digits, no leading zeros) fits 64 bits. */
static bool fits_64(const char *s, size_t n)
{
    bool neg = s[0] == '-';
    const char *d = s + neg;
    size_t nd = n - neg;
    const char *lim = neg ? "9223372036854775808" : "18446744073709551615";
    size_t nl = strlen(lim);
    return nd < nl || (nd == nl && memcmp(d, lim, nl) <= 0);
}

static struct node *parse_number(struct parser *p)
{
    size_t start = p->pos;
    bool integer = true;
    const char *s = p->s;

    if (p->pos < p->len && s[p->pos] == '-')
        p->pos++;
    if (p->pos < p->len && s[p->pos] == '0') {
        p->pos++;
    } else if (p->pos < p->len && s[p->pos] >= '1' && s[p->pos] <= '9') {
        while (p->pos < p->len && s[p->pos] >= '0' && s[p->pos] <= '9')
            p->pos++;
    } else {
        fail(p, ATTEST_E_PARSE, "invalid number");
        return NULL;
    }
    if (p->pos < p->len && s[p->pos] == '.') {
        integer = false;
        p->pos++;
        size_t d = p->pos;
        while (p->pos < p->len && s[p->pos] >= '0' && s[p->pos] <= '9')
            p->pos++;
        if (p->pos == d) {
            fail(p, ATTEST_E_PARSE, "number has no digits after '.'");
            return NULL;
        }
    }
    if (p->pos < p->len && (s[p->pos] == 'e' || s[p->pos] == 'E')) {
        integer = false;
        p->pos++;
        if (p->pos < p->len && (s[p->pos] == '+' || s[p->pos] == '-'))
            p->pos++;
        size_t d = p->pos;
        while (p->pos < p->len && s[p->pos] >= '0' && s[p->pos] <= '9')
            p->pos++;
        if (p->pos == d) {
            fail(p, ATTEST_E_PARSE, "number has no exponent digits");
            return NULL;
        }
    }

    size_t n = p->pos - start;
    struct sbuf b = {0};
    if (integer && fits_64(s + start, n)) {
        if (n == 2 && s[start] == '-' && s[start + 1] == '0')
            sbuf_addc(&b, '0'); /* -0 is 0 */
        else
            sbuf_add(&b, s + start, n);
    } else {
        char *lit = malloc(n + 1);
        if (lit == NULL) {
            fail(p, ATTEST_E_NOMEM, "out of memory");
            return NULL;
        }
        memcpy(lit, s + start, n);
        lit[n] = '\0';
        errno = 0;
        double v = strtod(lit, NULL);
        free(lit);
        if (!isfinite(v)) {
            p->pos = start;
            fail(p, ATTEST_E_PARSE, "number out of the IEEE double range");
            return NULL;
        }
        es6_number(v, &b);
    }
    sbuf_addc(&b, '\0');
    struct node *node = calloc(1, sizeof(*node));
    if (b.failed || node == NULL) {
        free(b.buf);
        free(node);
        fail(p, ATTEST_E_NOMEM, "out of memory");
        return NULL;
    }
    node->type = N_NUMBER;
    node->text = b.buf;
    node->text_len = b.len - 1;
    return node;
}

/* Compare two UTF-8 strings by their UTF-16 code units (RFC 8785 §3.2.3). */
static int utf16_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i = 0, j = 0;
    uint16_t pa[2], pb[2];
    int na = 0, nb = 0, ia = 0, ib = 0;

    for (;;) {
        if (ia == na) {
            if (i >= alen)
                return (j >= blen && ib == nb) ? 0 : -1;
            uint32_t cp;
            i += utf8_seq((const unsigned char *)a + i, alen - i, &cp);
            if (cp >= 0x10000) {
                pa[0] = (uint16_t)(0xd800 + ((cp - 0x10000) >> 10));
                pa[1] = (uint16_t)(0xdc00 + ((cp - 0x10000) & 0x3ff));
                na = 2;
            } else {
                pa[0] = (uint16_t)cp;
                na = 1;
            }
            ia = 0;
        }
        if (ib == nb) {
            if (j >= blen)
                return 1;
            uint32_t cp;
            j += utf8_seq((const unsigned char *)b + j, blen - j, &cp);
            if (cp >= 0x10000) {
                pb[0] = (uint16_t)(0xd800 + ((cp - 0x10000) >> 10));
                pb[1] = (uint16_t)(0xdc00 + ((cp - 0x10000) & 0x3ff));
                nb = 2;
            } else {
                pb[0] = (uint16_t)cp;
                nb = 1;
            }
            ib = 0;
        }
        if (pa[ia] != pb[ib])
            return pa[ia] < pb[ib] ? -1 : 1;
        ia++, ib++;
    }
}

static int member_cmp(const void *x, const void *y)
{
    const struct member *a = x, *b = y;
    return utf16_cmp(a->key, a->key_len, b->key, b->key_len);
}

static struct node *parse_value(struct parser *p, int depth);

static struct node *parse_container(struct parser *p, int depth, bool object)
{
    struct node *n = calloc(1, sizeof(*n));
    size_t cap = 0;

    if (n == NULL) {
        fail(p, ATTEST_E_NOMEM, "out of memory");
        return NULL;
    }
    n->type = object ? N_OBJECT : N_ARRAY;
    p->pos++; /* '{' or '[' */
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == (object ? '}' : ']')) {
        p->pos++;
        return n;
    }
    for (;;) {
        if (n->count == cap) {
            cap = cap ? cap * 2 : 8;
            void *grown = object ? realloc(n->members, cap * sizeof(*n->members))
                                 : realloc(n->items, cap * sizeof(*n->items));
            if (grown == NULL) {
                fail(p, ATTEST_E_NOMEM, "out of memory");
                goto err;
            }
            if (object)
                n->members = grown;
            else
                n->items = grown;
        }
        skip_ws(p);
        if (object) {
            struct member *m = &n->members[n->count];
            if (p->pos >= p->len || p->s[p->pos] != '"') {
                fail(p, ATTEST_E_PARSE, "expected a member name");
                goto err;
            }
            if (!parse_string(p, &m->key, &m->key_len))
                goto err;
            m->value = NULL;
            n->count++;
            skip_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') {
                fail(p, ATTEST_E_PARSE, "expected ':'");
                goto err;
            }
            p->pos++;
            if ((m->value = parse_value(p, depth + 1)) == NULL)
                goto err;
        } else {
            if ((n->items[n->count] = parse_value(p, depth + 1)) == NULL)
                goto err;
            n->count++;
        }
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == (object ? '}' : ']')) {
            p->pos++;
            break;
        }
        fail(p, ATTEST_E_PARSE, object ? "expected ',' or '}'" : "expected ',' or ']'");
        goto err;
    }
    if (object && n->count > 1) {
        qsort(n->members, n->count, sizeof(*n->members), member_cmp);
        for (size_t i = 1; i < n->count; i++)
            if (member_cmp(&n->members[i - 1], &n->members[i]) == 0) {
                fail(p, ATTEST_E_PARSE, "duplicate member name in the object ending");
                goto err;
            }
    }
    return n;
err:
    node_free(n);
    return NULL;
}

static struct node *parse_value(struct parser *p, int depth)
{
    skip_ws(p);
    if (p->pos >= p->len) {
        fail(p, ATTEST_E_PARSE, "unexpected end of input");
        return NULL;
    }
    char c = p->s[p->pos];
    if (c == '{' || c == '[') {
        if (depth >= JCS_DEPTH_MAX) { /* depth counts the containers around this one */
            fail(p, ATTEST_E_PARSE, "nesting deeper than 128");
            return NULL;
        }
        return parse_container(p, depth, c == '{');
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return parse_number(p);

    struct node *n = calloc(1, sizeof(*n));
    if (n == NULL) {
        fail(p, ATTEST_E_NOMEM, "out of memory");
        return NULL;
    }
    if (c == '"') {
        n->type = N_STRING;
        if (parse_string(p, &n->text, &n->text_len))
            return n;
    } else if (literal(p, "null")) {
        n->type = N_NULL;
        return n;
    } else if (literal(p, "true")) {
        n->type = N_TRUE;
        return n;
    } else if (literal(p, "false")) {
        n->type = N_FALSE;
        return n;
    } else {
        fail(p, ATTEST_E_PARSE, "unexpected character");
    }
    free(n);
    return NULL;
}

static void emit_string(struct sbuf *b, const char *s, size_t n)
{
    sbuf_addc(b, '"');
    for (size_t i = 0; i < n; i++) {
        size_t run = i;
        while (run < n && (unsigned char)s[run] >= 0x20 && s[run] != '"' && s[run] != '\\')
            run++;
        if (run > i) { /* bytes that need no escape, copied at once */
            sbuf_add(b, s + i, run - i);
            i = run - 1;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        switch (c) {
        case '"': sbuf_add(b, "\\\"", 2); break;
        case '\\': sbuf_add(b, "\\\\", 2); break;
        case '\b': sbuf_add(b, "\\b", 2); break;
        case '\f': sbuf_add(b, "\\f", 2); break;
        case '\n': sbuf_add(b, "\\n", 2); break;
        case '\r': sbuf_add(b, "\\r", 2); break;
        case '\t': sbuf_add(b, "\\t", 2); break;
        default:
            if (c < 0x20) {
                snprintf(esc, sizeof(esc), "\\u%04x", c);
                sbuf_add(b, esc, 6);
            } else {
                sbuf_addc(b, (char)c);
            }
        }
    }
    sbuf_addc(b, '"');
}

static void emit(struct sbuf *b, const struct node *n)
{
    switch (n->type) {
    case N_NULL: sbuf_add(b, "null", 4); break;
    case N_TRUE: sbuf_add(b, "true", 4); break;
    case N_FALSE: sbuf_add(b, "false", 5); break;
    case N_NUMBER: sbuf_add(b, n->text, n->text_len); break;
    case N_STRING: emit_string(b, n->text, n->text_len); break;
    case N_ARRAY:
        sbuf_addc(b, '[');
        for (size_t i = 0; i < n->count; i++) {
            if (i > 0)
                sbuf_addc(b, ',');
            emit(b, n->items[i]);
        }
        sbuf_addc(b, ']');
        break;
    case N_OBJECT:
        sbuf_addc(b, '{');
        for (size_t i = 0; i < n->count; i++) {
            if (i > 0)
                sbuf_addc(b, ',');
            emit_string(b, n->members[i].key, n->members[i].key_len);
            sbuf_addc(b, ':');
            emit(b, n->members[i].value);
        }
        sbuf_addc(b, '}');
        break;
    }
}

attest_status attest_json_canonicalize(attest_ctx *ctx, const char *json, size_t len,
                                       char **out, size_t *out_len)
{
    if (ctx == NULL)
        return ATTEST_E_ARG;
    if ((json == NULL && len > 0) || out == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "jcs: NULL argument");

    struct parser p = {ctx, json == NULL ? "" : json, len, 0, ATTEST_OK};
    struct node *root = parse_value(&p, 0);
    if (root != NULL) {
        skip_ws(&p);
        if (p.pos != p.len)
            fail(&p, ATTEST_E_PARSE, "trailing characters after the JSON value");
    }
    if (p.rc != ATTEST_OK) {
        node_free(root);
        return p.rc;
    }

    struct sbuf b = {0};
    emit(&b, root);
    sbuf_addc(&b, '\0');
    node_free(root);
    if (b.failed) {
        free(b.buf);
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "jcs: out of memory");
    }
    *out = b.buf;
    if (out_len != NULL)
        *out_len = b.len - 1;
    return ATTEST_OK;
}
