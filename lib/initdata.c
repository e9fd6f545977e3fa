/* Trustee's init-data TOML (lib/initdata.h); grammar from TOML v1.0.0 §Keys, §String. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initdata.h"

#define INITDATA_MAX (4u * 1024u * 1024u)

struct toml {
    attest_ctx *ctx;
    const char *s;
    size_t len, pos;
    unsigned line;
    attest_status rc;
};

static bool fail(struct toml *t, const char *what)
{
    if (t->rc == ATTEST_OK)
        t->rc = attest_ctx__error(t->ctx, ATTEST_E_PARSE, "init data: line %u: %s", t->line,
                                  what);
    return false;
}

static bool at_end(const struct toml *t)
{
    return t->pos >= t->len;
}

static char peek(const struct toml *t, size_t k)
{
    return t->pos + k < t->len ? t->s[t->pos + k] : '\0';
}

static void skip_blank(struct toml *t)
{
    while (!at_end(t) && (peek(t, 0) == ' ' || peek(t, 0) == '\t'))
        t->pos++;
}

/* After a value or header: blanks, an optional comment, then a newline or the end. */
static bool end_of_line(struct toml *t)
{
    skip_blank(t);
    if (peek(t, 0) == '#')
        while (!at_end(t) && peek(t, 0) != '\n')
            t->pos++;
    if (peek(t, 0) == '\r' && peek(t, 1) == '\n')
        t->pos++;
    if (at_end(t))
        return true;
    if (peek(t, 0) != '\n')
        return fail(t, "expected the end of the line");
    t->pos++;
    t->line++;
    return true;
}

struct sbuf {
    char *p;
    size_t n, cap;
};

static bool put(struct toml *t, struct sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *g = realloc(b->p, cap);
        if (g == NULL) {
            t->rc = attest_ctx__error(t->ctx, ATTEST_E_NOMEM, "init data: out of memory");
            return false;
        }
        b->p = g;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return true;
}

static bool escape(struct toml *t, struct sbuf *b)
{
    char c = peek(t, 1), out[4];
    t->pos += 2;
    switch (c) {
    case 'b': return put(t, b, "\b", 1);
    case 't': return put(t, b, "\t", 1);
    case 'n': return put(t, b, "\n", 1);
    case 'f': return put(t, b, "\f", 1);
    case 'r': return put(t, b, "\r", 1);
    case '"': return put(t, b, "\"", 1);
    case '\\': return put(t, b, "\\", 1);
    case 'u':
    case 'U': {
        size_t digits = c == 'u' ? 4 : 8;
        unsigned long cp = 0;
        for (size_t i = 0; i < digits; i++) {
            char h = peek(t, 0);
            int v = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                    : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
            if (v < 0)
                return fail(t, "invalid unicode escape");
            cp = cp << 4 | (unsigned long)v;
            t->pos++;
        }
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return fail(t, "unicode escape is not a scalar value");
        size_t n;
        if (cp < 0x80) {
            out[0] = (char)cp, n = 1;
        } else if (cp < 0x800) {
            out[0] = (char)(0xc0 | cp >> 6), out[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
        } else if (cp < 0x10000) {
            out[0] = (char)(0xe0 | cp >> 12), out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
            out[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
        } else {
            out[0] = (char)(0xf0 | cp >> 18), out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
            out[2] = (char)(0x80 | (cp >> 6 & 0x3f)), out[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
        }
        return put(t, b, out, n);
    }
    default: return fail(t, "invalid escape in a basic string");
    }
}

/* A string value or quoted key at t->pos; the result is malloc'd, NUL-terminated. */
static char *string(struct toml *t)
{
    struct sbuf b = {NULL, 0, 0};
    char q = peek(t, 0);
    bool multi = peek(t, 1) == q && peek(t, 2) == q, literal = q == '\'';

    if (!put(t, &b, "", 0))
        return NULL;
    t->pos += multi ? 3 : 1;
    if (multi && peek(t, 0) == '\n') /* a newline right after the opening is trimmed */
        t->pos++, t->line++;
    else if (multi && peek(t, 0) == '\r' && peek(t, 1) == '\n')
        t->pos += 2, t->line++;
    for (;;) {
        if (at_end(t)) {
            fail(t, "unterminated string");
            break;
        }
        char c = peek(t, 0);
        if (c == q && (!multi || (peek(t, 1) == q && peek(t, 2) == q))) {
            if (multi) { /* up to two more quotes may close the content: '''' or ''''' */
                size_t extra = 0;
                while (extra < 2 && peek(t, 3 + extra) == q)
                    extra++;
                if (extra > 0 && !put(t, &b, t->s + t->pos, extra))
                    break;
                t->pos += 3 + extra;
            } else {
                t->pos++;
            }
            return b.p;
        }
        if (c == '\n' && !multi) {
            fail(t, "newline in a single-line string");
            break;
        }
        if (c == '\\' && !literal) {
            if (multi && (peek(t, 1) == '\n' || peek(t, 1) == ' ' || peek(t, 1) == '\r' ||
                          peek(t, 1) == '\t')) { /* line-ending backslash: trim whitespace */
                size_t p = t->pos + 1;
                while (p < t->len && (t->s[p] == ' ' || t->s[p] == '\t'))
                    p++;
                if (p < t->len && (t->s[p] == '\n' || t->s[p] == '\r')) {
                    t->pos = p;
                    while (!at_end(t) && (peek(t, 0) == '\n' || peek(t, 0) == '\r' ||
                                          peek(t, 0) == ' ' || peek(t, 0) == '\t'))
                        t->line += peek(t, 0) == '\n', t->pos++;
                    continue;
                }
            }
            if (!escape(t, &b))
                break;
            continue;
        }
        if ((unsigned char)c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            fail(t, "control character in a string");
            break;
        }
        if (c == '\n')
            t->line++;
        if (!put(t, &b, &c, 1))
            break;
        t->pos++;
    }
    free(b.p);
    return NULL;
}

static char *key(struct toml *t)
{
    if (peek(t, 0) == '"' || peek(t, 0) == '\'') {
        if (peek(t, 1) == peek(t, 0) && peek(t, 2) == peek(t, 0)) {
            fail(t, "a key cannot be a multi-line string");
            return NULL;
        }
        return string(t);
    }
    size_t start = t->pos;
    while (!at_end(t) && ((peek(t, 0) >= 'a' && peek(t, 0) <= 'z') ||
                          (peek(t, 0) >= 'A' && peek(t, 0) <= 'Z') ||
                          (peek(t, 0) >= '0' && peek(t, 0) <= '9') || peek(t, 0) == '_' ||
                          peek(t, 0) == '-'))
        t->pos++;
    if (t->pos == start) {
        fail(t, "expected a key");
        return NULL;
    }
    char *k = malloc(t->pos - start + 1);
    if (k == NULL) {
        t->rc = attest_ctx__error(t->ctx, ATTEST_E_NOMEM, "init data: out of memory");
        return NULL;
    }
    memcpy(k, t->s + start, t->pos - start);
    k[t->pos - start] = '\0';
    return k;
}

attest_status attest_initdata__parse(attest_ctx *ctx, const char *text, size_t len,
                                     struct attest_initdata *out)
{
    struct toml t = {ctx, text, len, 0, 1, ATTEST_OK};
    struct attest_initdata d;
    bool in_data = false, seen_data = false, have_alg = false, have_version = false;

    memset(&d, 0, sizeof(d));
    if (len > INITDATA_MAX)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "init data: larger than %u bytes",
                                 INITDATA_MAX);
    if ((d.data = cJSON_CreateObject()) == NULL)
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "init data: out of memory");
    while (t.rc == ATTEST_OK && !at_end(&t)) {
        skip_blank(&t);
        if (peek(&t, 0) == '#' || peek(&t, 0) == '\n' || peek(&t, 0) == '\r') {
            end_of_line(&t);
            continue;
        }
        if (peek(&t, 0) == '[') {
            t.pos++;
            skip_blank(&t);
            char *name = key(&t);
            skip_blank(&t);
            if (name != NULL && peek(&t, 0) == ']' && strcmp(name, "data") == 0 && !seen_data) {
                t.pos++;
                in_data = seen_data = true;
                end_of_line(&t);
            } else if (name != NULL) {
                fail(&t, "the only table is [data], once");
            }
            free(name);
            continue;
        }
        char *k = key(&t);
        if (k == NULL)
            break;
        skip_blank(&t);
        if (peek(&t, 0) == '.') {
            fail(&t, "dotted keys are not used in init data");
        } else if (peek(&t, 0) != '=') {
            fail(&t, "expected '=' after the key");
        } else {
            t.pos++;
            skip_blank(&t);
            char *v = peek(&t, 0) == '"' || peek(&t, 0) == '\'' ? string(&t) : NULL;
            if (v == NULL)
                fail(&t, "expected a string value");
            else if (in_data && cJSON_GetObjectItemCaseSensitive(d.data, k) != NULL)
                fail(&t, "a key is defined twice");
            else if (in_data && cJSON_AddStringToObject(d.data, k, v) == NULL)
                t.rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "init data: out of memory");
            else if (!in_data && strcmp(k, "version") == 0 && !have_version &&
                     strlen(v) < sizeof(d.version))
                memcpy(d.version, v, strlen(v) + 1), have_version = true;
            else if (!in_data && strcmp(k, "algorithm") == 0 && !have_alg) {
                if (attest_hash_alg_from_name(v, &d.alg) != ATTEST_OK)
                    fail(&t, "algorithm is not sha256, sha384 or sha512");
                have_alg = true;
            } else if (!in_data)
                fail(&t, "top-level keys are version and algorithm, once each");
            free(v);
            if (t.rc == ATTEST_OK)
                end_of_line(&t);
        }
        free(k);
    }
    if (t.rc == ATTEST_OK && (!have_alg || !have_version))
        t.rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "init data: \"version\" and \"algorithm\" "
                                 "are required");
    if (t.rc != ATTEST_OK) {
        cJSON_Delete(d.data);
        return t.rc;
    }
    *out = d;
    return ATTEST_OK;
}

void attest_initdata__free(struct attest_initdata *d)
{
    cJSON_Delete(d->data);
    d->data = NULL;
}
