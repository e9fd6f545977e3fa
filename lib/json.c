/* The strict JSON reader of json.h (RFC 8259 grammar, §8.1 UTF-8, §4 unique names). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct reader {
    attest_ctx *ctx;
    const char *what;
    const unsigned char *s;
    size_t len, pos;
    struct attest_json *doc;
    attest_status rc;
};

static bool fail(struct reader *r, attest_status rc, const char *reason)
{
    if (r->rc == ATTEST_OK)
        r->rc = attest_ctx__error(r->ctx, rc, "%s: JSON %s at byte %zu", r->what, reason,
                                  r->pos);
    return false;
}

static void skip_ws(struct reader *r)
{
    while (r->pos < r->len && (r->s[r->pos] == ' ' || r->s[r->pos] == '\t' ||
                               r->s[r->pos] == '\n' || r->s[r->pos] == '\r'))
        r->pos++;
}

static uint32_t new_value(struct reader *r, enum attest_json_type t)
{
    struct attest_json *d = r->doc;
    if (d->n == d->cap) {
        uint32_t cap = d->cap ? d->cap * 2 : 64;
        struct attest_json_value *v;
        if (cap <= d->cap || cap > UINT32_MAX / 2 || (v = realloc(d->v, cap * sizeof(*v))) == NULL) {
            fail(r, ATTEST_E_NOMEM, "out of memory");
            return ATTEST_JSON_NONE;
        }
        d->v = v;
        d->cap = cap;
    }
    struct attest_json_value *v = &d->v[d->n];
    memset(v, 0, sizeof(*v));
    v->type = t;
    v->first = v->next = ATTEST_JSON_NONE;
    return d->n++;
}

static bool literal(struct reader *r, const char *word)
{
    size_t n = strlen(word);
    if (r->len - r->pos < n || memcmp(r->s + r->pos, word, n) != 0)
        return fail(r, ATTEST_E_PARSE, "invalid literal");
    r->pos += n;
    return true;
}

/* Validate one UTF-8 sequence at p (RFC 3629: no overlongs, surrogates or > U+10FFFF). */
static size_t utf8_len(const unsigned char *p, size_t left)
{
    unsigned char c = p[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

static int hexval(unsigned char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static bool hex4(struct reader *r, uint32_t *out)
{
    uint32_t v = 0;
    if (r->len - r->pos < 4)
        return fail(r, ATTEST_E_PARSE, "truncated \\u escape");
    for (int i = 0; i < 4; i++) {
        int h = hexval(r->s[r->pos + (size_t)i]);
        if (h < 0)
            return fail(r, ATTEST_E_PARSE, "invalid \\u escape");
        v = v << 4 | (uint32_t)h;
    }
    r->pos += 4;
    *out = v;
    return true;
}

/* A string at r->pos (the opening quote), decoded NUL-terminated into doc->strings. */
static bool read_string(struct reader *r, const char **out, size_t *out_len)
{
    struct attest_json *d = r->doc;
    char *dst = d->strings + d->strings_len, *start = dst;

    r->pos++; /* '"' */
    for (;;) {
        if (r->pos >= r->len)
            return fail(r, ATTEST_E_PARSE, "unterminated string");
        unsigned char c = r->s[r->pos];
        if (c == '"') {
            r->pos++;
            break;
        }
        if (c < 0x20)
            return fail(r, ATTEST_E_PARSE, "control character in string");
        if (c != '\\') {
            size_t n = utf8_len(r->s + r->pos, r->len - r->pos);
            if (n == 0)
                return fail(r, ATTEST_E_PARSE, "invalid UTF-8 in string");
            memcpy(dst, r->s + r->pos, n);
            dst += n;
            r->pos += n;
            continue;
        }
        if (++r->pos >= r->len)
            return fail(r, ATTEST_E_PARSE, "unterminated string");
        c = r->s[r->pos++];
        uint32_t cp;
        switch (c) {
        case '"': *dst++ = '"'; continue;
        case '\\': *dst++ = '\\'; continue;
        case '/': *dst++ = '/'; continue;
        case 'b': *dst++ = '\b'; continue;
        case 'f': *dst++ = '\f'; continue;
        case 'n': *dst++ = '\n'; continue;
        case 'r': *dst++ = '\r'; continue;
        case 't': *dst++ = '\t'; continue;
        case 'u': break;
        default: return fail(r, ATTEST_E_PARSE, "invalid escape");
        }
        if (!hex4(r, &cp))
            return false;
        if (cp >= 0xdc00 && cp <= 0xdfff)
            return fail(r, ATTEST_E_PARSE, "unpaired surrogate escape");
        if (cp >= 0xd800 && cp <= 0xdbff) {
            uint32_t lo;
            if (r->len - r->pos < 2 || r->s[r->pos] != '\\' || r->s[r->pos + 1] != 'u')
                return fail(r, ATTEST_E_PARSE, "unpaired surrogate escape");
            r->pos += 2;
            if (!hex4(r, &lo))
                return false;
            if (lo < 0xdc00 || lo > 0xdfff)
                return fail(r, ATTEST_E_PARSE, "unpaired surrogate escape");
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }
        /* an escape is at least 6 input bytes and becomes at most 4 output bytes */
        if (cp < 0x80) {
            *dst++ = (char)cp;
        } else if (cp < 0x800) {
            *dst++ = (char)(0xc0 | cp >> 6);
            *dst++ = (char)(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            *dst++ = (char)(0xe0 | cp >> 12);
            *dst++ = (char)(0x80 | (cp >> 6 & 0x3f));
            *dst++ = (char)(0x80 | (cp & 0x3f));
        } else {
            *dst++ = (char)(0xf0 | cp >> 18);
            *dst++ = (char)(0x80 | (cp >> 12 & 0x3f));
            *dst++ = (char)(0x80 | (cp >> 6 & 0x3f));
            *dst++ = (char)(0x80 | (cp & 0x3f));
        }
    }
    *dst++ = '\0';
    *out = start;
    *out_len = (size_t)(dst - start) - 1;
    d->strings_len += (size_t)(dst - start);
    return true;
}

/* RFC 8259 §6 number; a plain non-negative integer literal is also read as a uint64. */
static bool read_number(struct reader *r, uint32_t v)
{
    size_t start = r->pos;
    bool plain = true, overflow = false;
    uint64_t u = 0;

    /* fast path: the byte arrays of SNP evidence are thousands of values 0..255 */
    if (r->len - r->pos >= 4 && r->s[r->pos] >= '1' && r->s[r->pos] <= '9') {
        const unsigned char *p = r->s + r->pos;
        size_t k = 1;
        u = (uint64_t)(p[0] - '0');
        while (k < 3 && p[k] >= '0' && p[k] <= '9')
            u = u * 10 + (uint64_t)(p[k++] - '0');
        if (p[k] == ',' || p[k] == ']' || p[k] == '}' || p[k] == ' ' || p[k] == '\n') {
            struct attest_json_value *n = &r->doc->v[v];
            n->str = (const char *)p;
            n->str_len = k;
            n->is_uint = true;
            n->uint = u;
            r->pos += k;
            return true;
        }
        u = 0;
    }
    if (r->s[r->pos] == '-') {
        plain = false;
        r->pos++;
    }
    if (r->pos >= r->len || r->s[r->pos] < '0' || r->s[r->pos] > '9')
        return fail(r, ATTEST_E_PARSE, "invalid number");
    if (r->s[r->pos] == '0') {
        r->pos++;
    } else {
        while (r->pos < r->len && r->s[r->pos] >= '0' && r->s[r->pos] <= '9') {
            unsigned d = (unsigned)(r->s[r->pos++] - '0');
            if (u > (UINT64_MAX - d) / 10)
                overflow = true;
            u = u * 10 + d;
        }
    }
    if (r->pos < r->len && r->s[r->pos] == '.') {
        plain = false;
        r->pos++;
        size_t digits = r->pos;
        while (r->pos < r->len && r->s[r->pos] >= '0' && r->s[r->pos] <= '9')
            r->pos++;
        if (r->pos == digits)
            return fail(r, ATTEST_E_PARSE, "invalid number");
    }
    if (r->pos < r->len && (r->s[r->pos] == 'e' || r->s[r->pos] == 'E')) {
        plain = false;
        r->pos++;
        if (r->pos < r->len && (r->s[r->pos] == '+' || r->s[r->pos] == '-'))
            r->pos++;
        size_t digits = r->pos;
        while (r->pos < r->len && r->s[r->pos] >= '0' && r->s[r->pos] <= '9')
            r->pos++;
        if (r->pos == digits)
            return fail(r, ATTEST_E_PARSE, "invalid number");
    }
    struct attest_json_value *n = &r->doc->v[v];
    n->str = (const char *)r->s + start;
    n->str_len = r->pos - start;
    n->is_uint = plain && !overflow;
    n->uint = n->is_uint ? u : 0;
    return true;
}

static int key_cmp(const void *a, const void *b)
{
    const struct attest_json_value *x = *(const struct attest_json_value *const *)a;
    const struct attest_json_value *y = *(const struct attest_json_value *const *)b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    return c != 0 ? c : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* RFC 8259 §4: names SHOULD be unique; for evidence a repeated name is an attack. */
static bool unique_keys(struct reader *r, uint32_t obj)
{
    struct attest_json *d = r->doc;
    uint32_t count = d->v[obj].count;
    if (count < 2)
        return true;
    const struct attest_json_value **m = malloc(count * sizeof(*m));
    if (m == NULL)
        return fail(r, ATTEST_E_NOMEM, "out of memory");
    uint32_t k = 0;
    for (uint32_t i = d->v[obj].first; i != ATTEST_JSON_NONE; i = d->v[i].next)
        m[k++] = &d->v[i];
    qsort(m, count, sizeof(*m), key_cmp);
    bool dup = false;
    for (uint32_t i = 1; i < count && !dup; i++)
        dup = key_cmp(&m[i - 1], &m[i]) == 0;
    free(m);
    return dup ? fail(r, ATTEST_E_PARSE, "object has a repeated member name") : true;
}

static bool read_value(struct reader *r, int depth, uint32_t *out);

/*
 * An array of only plain integer literals 0..255 ("0", "7", "255"; no sign, fraction,
 * exponent or leading zero), read straight into doc->strings. Returns false, with r->pos
 * unchanged, for any other array, which the general path then reads (and judges).
 */
static bool read_byte_array(struct reader *r, uint32_t v)
{
    struct attest_json *d = r->doc;
    uint8_t *out = (uint8_t *)d->strings + d->strings_len;
    size_t pos = r->pos + 1, n = 0; /* after '[' */

    for (;;) {
        while (pos < r->len && (r->s[pos] == ' ' || r->s[pos] == '\n' || r->s[pos] == '\t' ||
                                r->s[pos] == '\r'))
            pos++;
        if (pos >= r->len || r->s[pos] < '0' || r->s[pos] > '9')
            return false;
        unsigned val = (unsigned)(r->s[pos++] - '0');
        if (val != 0)
            for (int k = 0; k < 2 && pos < r->len && r->s[pos] >= '0' && r->s[pos] <= '9'; k++)
                val = val * 10 + (unsigned)(r->s[pos++] - '0');
        if (val > 255 || (pos < r->len && r->s[pos] >= '0' && r->s[pos] <= '9'))
            return false;
        out[n++] = (uint8_t)val; /* n <= (pos - start) / 2: fits the strings reserve */
        while (pos < r->len && (r->s[pos] == ' ' || r->s[pos] == '\n' || r->s[pos] == '\t' ||
                                r->s[pos] == '\r'))
            pos++;
        if (pos >= r->len)
            return false;
        if (r->s[pos] == ']')
            break;
        if (r->s[pos++] != ',')
            return false;
    }
    if (n >= UINT32_MAX)
        return false;
    d->v[v].bytes = out;
    d->v[v].count = (uint32_t)n;
    d->strings_len += n;
    r->pos = pos + 1;
    return true;
}

static bool read_container(struct reader *r, int depth, uint32_t v, bool object)
{
    char close = object ? '}' : ']';
    uint32_t last = ATTEST_JSON_NONE;

    if (depth >= ATTEST_JSON_DEPTH_MAX)
        return fail(r, ATTEST_E_PARSE, "nested too deeply");
    r->pos++; /* '{' or '[' */
    skip_ws(r);
    if (r->pos < r->len && r->s[r->pos] == (unsigned char)close) {
        r->pos++;
        return true;
    }
    for (;;) {
        const char *key = NULL;
        size_t key_len = 0;
        uint32_t child;
        skip_ws(r);
        if (object) {
            if (r->pos >= r->len || r->s[r->pos] != '"')
                return fail(r, ATTEST_E_PARSE, "expected a member name");
            if (!read_string(r, &key, &key_len))
                return false;
            /* other readers (cJSON, C strings) stop a name at NUL: refuse the ambiguity */
            if (memchr(key, '\0', key_len) != NULL)
                return fail(r, ATTEST_E_PARSE, "member name holds a NUL character");
            skip_ws(r);
            if (r->pos >= r->len || r->s[r->pos] != ':')
                return fail(r, ATTEST_E_PARSE, "expected ':'");
            r->pos++;
            skip_ws(r);
        }
        if (!read_value(r, depth + 1, &child))
            return false;
        struct attest_json_value *c = &r->doc->v[child];
        c->key = key;
        c->key_len = key_len;
        if (last == ATTEST_JSON_NONE)
            r->doc->v[v].first = child;
        else
            r->doc->v[last].next = child;
        last = child;
        if (++r->doc->v[v].count == UINT32_MAX)
            return fail(r, ATTEST_E_PARSE, "too many members");
        skip_ws(r);
        if (r->pos >= r->len)
            return fail(r, ATTEST_E_PARSE, object ? "unterminated object" : "unterminated array");
        if (r->s[r->pos] == ',') {
            r->pos++;
            continue;
        }
        if (r->s[r->pos] != (unsigned char)close)
            return fail(r, ATTEST_E_PARSE, object ? "expected ',' or '}'" : "expected ',' or ']'");
        r->pos++;
        return !object || unique_keys(r, v);
    }
}

static bool read_value_at(struct reader *r, int depth, uint32_t *out);

/* A value, with its exact source span recorded. */
static bool read_value(struct reader *r, int depth, uint32_t *out)
{
    size_t start = r->pos;
    if (!read_value_at(r, depth, out))
        return false;
    r->doc->v[*out].text = (const char *)r->s + start;
    r->doc->v[*out].text_len = r->pos - start;
    return true;
}

static bool read_value_at(struct reader *r, int depth, uint32_t *out)
{
    uint32_t v;
    if (r->pos >= r->len)
        return fail(r, ATTEST_E_PARSE, "value expected");
    switch (r->s[r->pos]) {
    case '{':
        if ((v = new_value(r, ATTEST_JSON_OBJECT)) == ATTEST_JSON_NONE ||
            !read_container(r, depth, v, true))
            return false;
        break;
    case '[':
        if ((v = new_value(r, ATTEST_JSON_ARRAY)) == ATTEST_JSON_NONE)
            return false;
        if (depth >= ATTEST_JSON_DEPTH_MAX)
            return fail(r, ATTEST_E_PARSE, "nested too deeply");
        if (!read_byte_array(r, v) && !read_container(r, depth, v, false))
            return false;
        break;
    case '"':
        if ((v = new_value(r, ATTEST_JSON_STRING)) == ATTEST_JSON_NONE)
            return false;
        {
            const char *s;
            size_t n;
            if (!read_string(r, &s, &n))
                return false;
            r->doc->v[v].str = s;
            r->doc->v[v].str_len = n;
        }
        break;
    case 't':
        if ((v = new_value(r, ATTEST_JSON_TRUE)) == ATTEST_JSON_NONE || !literal(r, "true"))
            return false;
        break;
    case 'f':
        if ((v = new_value(r, ATTEST_JSON_FALSE)) == ATTEST_JSON_NONE || !literal(r, "false"))
            return false;
        break;
    case 'n':
        if ((v = new_value(r, ATTEST_JSON_NULL)) == ATTEST_JSON_NONE || !literal(r, "null"))
            return false;
        break;
    default:
        if ((v = new_value(r, ATTEST_JSON_NUMBER)) == ATTEST_JSON_NONE || !read_number(r, v))
            return false;
        break;
    }
    *out = v;
    return true;
}

attest_status attest_json__parse(attest_ctx *ctx, const char *what, const char *text,
                                 size_t len, struct attest_json *doc)
{
    struct reader r = {ctx, what, (const unsigned char *)text, len, 0, doc, ATTEST_OK};
    uint32_t root;

    memset(doc, 0, sizeof(*doc));
    /* decoded strings never outgrow their source, plus one NUL per string (>= 2 bytes) */
    doc->strings_cap = len + len / 2 + 1;
    if (len > SIZE_MAX / 2 - 1 || (doc->strings = malloc(doc->strings_cap)) == NULL)
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "%s: out of memory", what);
    skip_ws(&r);
    if (read_value(&r, 0, &root)) {
        skip_ws(&r);
        if (r.pos != len)
            fail(&r, ATTEST_E_PARSE, "trailing bytes after the value");
    }
    if (r.rc != ATTEST_OK) {
        attest_json__free(doc);
        return r.rc;
    }
    return ATTEST_OK;
}

void attest_json__free(struct attest_json *doc)
{
    free(doc->v);
    free(doc->strings);
    memset(doc, 0, sizeof(*doc));
}

bool attest_json__is(const struct attest_json *doc, uint32_t i, enum attest_json_type t)
{
    return i < doc->n && doc->v[i].type == t;
}

uint32_t attest_json__get(const struct attest_json *doc, uint32_t obj, const char *key)
{
    size_t n = strlen(key);
    if (!attest_json__is(doc, obj, ATTEST_JSON_OBJECT))
        return ATTEST_JSON_NONE;
    for (uint32_t i = doc->v[obj].first; i != ATTEST_JSON_NONE; i = doc->v[i].next)
        if (doc->v[i].key_len == n && memcmp(doc->v[i].key, key, n) == 0)
            return i;
    return ATTEST_JSON_NONE;
}

bool attest_json__uint(const struct attest_json *doc, uint32_t i, uint64_t max, uint64_t *out)
{
    if (!attest_json__is(doc, i, ATTEST_JSON_NUMBER) || !doc->v[i].is_uint ||
        doc->v[i].uint > max)
        return false;
    *out = doc->v[i].uint;
    return true;
}

bool attest_json__bytes(const struct attest_json *doc, uint32_t i, uint8_t *out, size_t n)
{
    if (!attest_json__is(doc, i, ATTEST_JSON_ARRAY) || doc->v[i].count != n)
        return false;
    if (doc->v[i].bytes != NULL) {
        memcpy(out, doc->v[i].bytes, n);
        return true;
    }
    size_t k = 0;
    for (uint32_t c = doc->v[i].first; c != ATTEST_JSON_NONE; c = doc->v[c].next) {
        const struct attest_json_value *e = &doc->v[c];
        if (e->type != ATTEST_JSON_NUMBER || !e->is_uint || e->uint > 255)
            return false;
        out[k++] = (uint8_t)e->uint;
    }
    return k == n;
}

const char *attest_json__cstr(const struct attest_json *doc, uint32_t i)
{
    if (!attest_json__is(doc, i, ATTEST_JSON_STRING) || strlen(doc->v[i].str) != doc->v[i].str_len)
        return NULL;
    return doc->v[i].str;
}
