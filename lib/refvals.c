/*
 * Reference values (include/attest/refvals.h): Trustee RVPS messages in, values out.
 *
 * The message, as confidential-containers/trustee reads it:
 *  - rvps/src/lib.rs: Message {version (serde default "0.1.0"), payload, type}; a version
 *    other than "0.1.0" is refused; unknown members are ignored (serde's default).
 *  - rvps/src/extractors/mod.rs: the type picks the extractor ("sample", "swid", "corim",
 *    "in-toto"); an unknown type is refused.
 *  - rvps/src/extractors/sample/mod.rs: payload is STANDARD base64 of a JSON object; each
 *    member becomes ReferenceValue::new().set_name(key).set_value(value), i.e. expiring
 *    now + 12 months.
 *  - rvps/README.md calls the payload "provenance"; we take that name when "payload" is
 *    absent (Trustee's code does not).
 * Files are lib/refvals_store.c's business.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refvals_impl.h"

#define MESSAGE_MAX (16u * 1024u * 1024u)

/* ---- helpers shared with lib/refvals_store.c ---- */

attest_status rv_nomem(attest_ctx *ctx)
{
    return attest_ctx__error(ctx, ATTEST_E_NOMEM, "refvals: out of memory");
}

const char *rv_show(char buf[48], const char *s, size_t n)
{
    size_t k = 0;

    for (; k < n && k < 40; k++)
        buf[k] = s[k] >= 0x20 && s[k] < 0x7f ? s[k] : '?';
    if (k < n) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k] = '\0';
    return buf;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
                                                    : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n == 0 || n > left)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) || /* overlong, surrogate */
        (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))   /* overlong, > U+10FFFF */
        return 0;
    return n;
}

/*
 * A name is one LocalFs file name, so nothing that could leave the directory ('/', "..",
 * which Trustee's key-value LocalFs writes '/' as "\x2F" so '\' too) or hide (a leading '.'
 * is also how our temporary files are told apart).
 */
const char *rv_name_problem(const char *s, size_t n)
{
    if (n == 0)
        return "is empty";
    if (n > ATTEST_REFVALS_NAME_MAX)
        return "is longer than 255 bytes";
    if (s[0] == '.')
        return "starts with '.'";
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '/')
            return "holds '/'";
        if (c == '\\')
            return "holds '\\'";
        if (c < 0x20 || c == 0x7f)
            return "holds a control character";
        if (c == '.' && i + 1 < n && s[i + 1] == '.')
            return "holds \"..\"";
        size_t k = utf8_seq((const unsigned char *)s + i, n - i);
        if (k == 0)
            return "is not UTF-8";
        i += k;
    }
    return NULL;
}

const char *rv_json_type_name(const struct attest_json *d, uint32_t i)
{
    static const char *const names[] = {"null", "false", "true", "a number", "a string",
                                        "an array", "an object"};
    return i < d->n ? names[d->v[i].type] : "nothing";
}

void rv_entry_clear(struct rv_entry *e)
{
    free(e->name);
    free(e->version);
    free(e->value);
    memset(e, 0, sizeof(*e));
}

attest_status rv_entry_set(attest_ctx *ctx, struct rv_entry *e, const char *name,
                           size_t name_len, const char *version, int64_t exp,
                           struct rv_buf *vb)
{
    memset(e, 0, sizeof(*e));
    e->name = strndup(name, name_len);
    e->version = strdup(version);
    e->exp = exp;
    e->value = vb->oom ? NULL : vb->p;
    if (vb->oom)
        free(vb->p);
    memset(vb, 0, sizeof(*vb));
    if (e->name == NULL || e->version == NULL || e->value == NULL) {
        rv_entry_clear(e);
        return rv_nomem(ctx);
    }
    return ATTEST_OK;
}

static bool reserve(attest_refvals *r, size_t n)
{
    if (n <= r->cap)
        return true;
    size_t cap = r->cap != 0 ? r->cap : 16;
    while (cap < n)
        cap = cap > SIZE_MAX / 2 / sizeof(*r->e) ? n : cap * 2;
    if (cap > SIZE_MAX / sizeof(*r->e))
        return false;
    struct rv_entry *e = realloc(r->e, cap * sizeof(*e));
    if (e == NULL)
        return false;
    r->e = e;
    r->cap = cap;
    return true;
}

attest_status rv_push(attest_refvals *r, struct rv_entry *e)
{
    if (!reserve(r, r->n + 1)) {
        rv_entry_clear(e);
        return rv_nomem(r->ctx);
    }
    r->e[r->n++] = *e;
    memset(e, 0, sizeof(*e));
    return ATTEST_OK;
}

/* ---- changes: files first, then the handle ---- */

static size_t find(const attest_refvals *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->e[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

/* Store c[0..nc) (names unique), taking the entries that reach the store. */
static attest_status commit(attest_refvals *r, struct rv_entry *c, size_t nc)
{
    size_t *at = malloc(nc * sizeof(*at)), fresh = 0, done = 0;

    if (at == NULL)
        return rv_nomem(r->ctx);
    for (size_t k = 0; k < nc; k++)
        if ((at[k] = find(r, c[k].name)) == SIZE_MAX)
            fresh++;
    /* room first: once the files hold the change, the handle must take it too */
    if (!reserve(r, r->n + fresh)) {
        free(at);
        return rv_nomem(r->ctx);
    }
    attest_status rc = rv_store_write(r, c, at, nc, SIZE_MAX, &done);
    for (size_t k = 0; k < done; k++) {
        if (at[k] != SIZE_MAX) {
            rv_entry_clear(&r->e[at[k]]);
            r->e[at[k]] = c[k];
        } else {
            r->e[r->n++] = c[k];
        }
        memset(&c[k], 0, sizeof(c[k]));
    }
    free(at);
    return rc;
}

static attest_status check_name(attest_refvals *r, const char *name)
{
    char shown[48];
    const char *problem;

    if (name == NULL)
        return attest_ctx__error(r->ctx, ATTEST_E_ARG, "refvals: name is NULL");
    if ((problem = rv_name_problem(name, strlen(name))) != NULL)
        return attest_ctx__error(r->ctx, ATTEST_E_ARG, "refvals: name \"%s\" is not valid (%s)",
                                 rv_show(shown, name, strlen(name)), problem);
    return ATTEST_OK;
}

/* ---- API ---- */

attest_status attest_refvals_open(attest_refvals **out, attest_ctx *ctx, const char *type,
                                  const char *path)
{
    enum rv_kind kind;
    char shown[48];

    if (out == NULL || ctx == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "refvals: out or ctx is NULL");
    if (type == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "refvals: store type is NULL");
    if (strcmp(type, "memory") == 0)
        kind = RV_MEMORY;
    else if (strcmp(type, "LocalJson") == 0)
        kind = RV_LOCAL_JSON;
    else if (strcmp(type, "LocalFs") == 0)
        kind = RV_LOCAL_FS;
    else
        return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                                 "refvals: store type \"%s\" is not supported (want memory, "
                                 "LocalJson or LocalFs)", rv_show(shown, type, strlen(type)));
    if (kind == RV_MEMORY && path != NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "refvals: a memory store takes no path");
    if (kind != RV_MEMORY && (path == NULL || path[0] == '\0'))
        return attest_ctx__error(ctx, ATTEST_E_ARG, "refvals: a %s store needs a path", type);
    /* room for "/<255-byte name>" or "/.refvals.XXXXXX" after it */
    if (path != NULL && strlen(path) > RV_PATH_MAX - ATTEST_REFVALS_NAME_MAX - 2)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "refvals: path is longer than %d bytes",
                                 RV_PATH_MAX - ATTEST_REFVALS_NAME_MAX - 2);
    if (kind == RV_LOCAL_JSON && path[strlen(path) - 1] == '/')
        return attest_ctx__error(ctx, ATTEST_E_ARG, "refvals: LocalJson path %s names a "
                                 "directory, not a file", path);
    attest_refvals *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return rv_nomem(ctx);
    r->ctx = ctx;
    r->kind = kind;
    r->mode = 0644;
    if (path != NULL) {
        size_t n = strlen(path);
        while (n > 1 && path[n - 1] == '/') /* LocalFs "dir/" is "dir" */
            n--;
        if ((r->path = strndup(path, n)) == NULL) {
            free(r);
            return rv_nomem(ctx);
        }
    }
    attest_status rc = rv_store_load(r);
    if (rc != ATTEST_OK) {
        attest_refvals_free(r);
        return rc;
    }
    *out = r;
    return ATTEST_OK;
}

void attest_refvals_free(attest_refvals *rv)
{
    if (rv == NULL)
        return;
    for (size_t i = 0; i < rv->n; i++)
        rv_entry_clear(&rv->e[i]);
    free(rv->e);
    free(rv->path);
    free(rv->dir);
    free(rv);
}

/* The sample extractor: every member of the payload object is a value. */
static attest_status register_sample(attest_refvals *r, const char *payload, size_t len)
{
    attest_ctx *ctx = r->ctx;
    struct attest_json p;
    struct rv_entry *c = NULL;
    char shown[48];
    int64_t exp;
    size_t nc = 0;
    attest_status rc;

    if (!rv_plus_year(attest_ctx_time(ctx), &exp))
        return attest_ctx__error(ctx, ATTEST_E_ARG, "refvals: ctx time %lld leaves no 4-digit "
                                 "year for the expiration", (long long)attest_ctx_time(ctx));
    if ((rc = attest_json__parse(ctx, "refvals: payload", payload, len, &p)) != ATTEST_OK)
        return rc;
    if (!attest_json__is(&p, 0, ATTEST_JSON_OBJECT)) {
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE,
                               "refvals: payload is not a JSON object (got %s)",
                               rv_json_type_name(&p, 0));
        goto out;
    }
    if (p.v[0].count == 0)
        goto out;
    if ((c = calloc(p.v[0].count, sizeof(*c))) == NULL) {
        rc = rv_nomem(ctx);
        goto out;
    }
    for (uint32_t m = p.v[0].first; m != ATTEST_JSON_NONE; m = p.v[m].next) {
        const struct attest_json_value *v = &p.v[m];
        const char *problem = rv_name_problem(v->key, v->key_len);
        struct rv_buf vb = {0};
        if (problem != NULL) {
            rc = attest_ctx__error(ctx, ATTEST_E_PARSE,
                                   "refvals: payload member \"%s\" is not a valid name (%s)",
                                   rv_show(shown, v->key, v->key_len), problem);
            goto out;
        }
        rv_buf_value(&vb, &p, m);
        if ((rc = rv_entry_set(ctx, &c[nc], v->key, v->key_len, RV_VERSION, exp, &vb)) !=
            ATTEST_OK)
            goto out;
        nc++;
    }
    rc = commit(r, c, nc);
out:
    for (size_t k = 0; k < nc; k++)
        rv_entry_clear(&c[k]);
    free(c);
    attest_json__free(&p);
    return rc;
}

attest_status attest_refvals_register(attest_refvals *rv, const char *message, size_t len)
{
    struct attest_json m;
    uint8_t *payload = NULL;
    size_t payload_len = 0;
    char shown[48];
    attest_status rc;

    if (rv == NULL)
        return ATTEST_E_ARG;
    attest_ctx *ctx = rv->ctx;
    if (message == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "refvals: message is NULL");
    if (len > MESSAGE_MAX)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "refvals: message is longer than %u "
                                 "bytes (got %zu)", MESSAGE_MAX, len);
    if ((rc = attest_json__parse(ctx, "refvals: message", message, len, &m)) != ATTEST_OK)
        return rc;
    uint32_t ver = attest_json__get(&m, 0, "version"), type = attest_json__get(&m, 0, "type");
    uint32_t pl = attest_json__get(&m, 0, "payload");
    uint32_t prov = attest_json__get(&m, 0, "provenance");
    const char *field = pl != ATTEST_JSON_NONE ? "payload" : "provenance";
    if (pl == ATTEST_JSON_NONE)
        pl = prov;
    /* first the shape (serde's errors), then the version, then the type */
    if (!attest_json__is(&m, 0, ATTEST_JSON_OBJECT))
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE,
                               "refvals: message is not a JSON object (got %s)",
                               rv_json_type_name(&m, 0));
    else if (ver != ATTEST_JSON_NONE && !attest_json__is(&m, ver, ATTEST_JSON_STRING))
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE,
                               "refvals: message version is not a string (got %s)",
                               rv_json_type_name(&m, ver));
    else if (!attest_json__is(&m, type, ATTEST_JSON_STRING))
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "refvals: message type is %s%s",
                               type == ATTEST_JSON_NONE ? "missing" : "not a string, got ",
                               type == ATTEST_JSON_NONE ? "" : rv_json_type_name(&m, type));
    else if (pl != ATTEST_JSON_NONE && prov != ATTEST_JSON_NONE && pl != prov)
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE,
                               "refvals: message has both payload and provenance");
    else if (!attest_json__is(&m, pl, ATTEST_JSON_STRING))
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "refvals: message payload is %s%s",
                               pl == ATTEST_JSON_NONE ? "missing" : "not a string, got ",
                               pl == ATTEST_JSON_NONE ? "" : rv_json_type_name(&m, pl));
    else if (ver != ATTEST_JSON_NONE && (m.v[ver].str_len != sizeof(RV_VERSION) - 1 ||
                                         memcmp(m.v[ver].str, RV_VERSION, m.v[ver].str_len)))
        rc = attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                               "refvals: message version \"%s\" is not supported (want "
                               "\"" RV_VERSION "\")",
                               rv_show(shown, m.v[ver].str, m.v[ver].str_len));
    else if (m.v[type].str_len != 6 || memcmp(m.v[type].str, "sample", 6) != 0)
        rc = attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                               "refvals: message type \"%s\" is not supported (want "
                               "\"sample\")",
                               rv_show(shown, m.v[type].str, m.v[type].str_len));
    if (rc != ATTEST_OK)
        goto out;
    rc = attest_b64__decode(ATTEST_B64_STD, m.v[pl].str, m.v[pl].str_len, &payload,
                            &payload_len);
    if (rc == ATTEST_E_PARSE)
        rc = attest_ctx__error(ctx, rc, "refvals: message %s is not standard base64", field);
    else if (rc != ATTEST_OK)
        rc = rv_nomem(ctx);
    else
        rc = register_sample(rv, (const char *)payload, payload_len);
out:
    free(payload);
    attest_json__free(&m);
    return rc;
}

attest_status attest_refvals_query(attest_refvals *rv, const char *name, char **value_json)
{
    attest_status rc;

    if (rv == NULL)
        return ATTEST_E_ARG;
    if ((rc = check_name(rv, name)) != ATTEST_OK)
        return rc;
    if (value_json == NULL)
        return attest_ctx__error(rv->ctx, ATTEST_E_ARG, "refvals: value_json is NULL");
    size_t i = find(rv, name);
    /* Trustee's expired() is now > expiration: the expiration second itself is valid */
    if (i == SIZE_MAX || attest_ctx_time(rv->ctx) > rv->e[i].exp) {
        *value_json = NULL;
        return ATTEST_OK;
    }
    char *copy = strdup(rv->e[i].value);
    if (copy == NULL)
        return rv_nomem(rv->ctx);
    *value_json = copy;
    return ATTEST_OK;
}

attest_status attest_refvals_lookup(const char *name, char **json_out, void *payload)
{
    attest_refvals *rv = payload;

    if (rv == NULL)
        return ATTEST_E_ARG;
    if (json_out == NULL)
        return attest_ctx__error(rv->ctx, ATTEST_E_ARG, "refvals: json_out is NULL");
    if (name == NULL || rv_name_problem(name, strlen(name)) != NULL) {
        *json_out = NULL; /* no store holds it */
        return ATTEST_OK;
    }
    return attest_refvals_query(rv, name, json_out);
}

attest_status attest_refvals_set(attest_refvals *rv, const char *name, const char *value_json,
                                 int64_t expiration)
{
    struct attest_json d;
    struct rv_buf vb = {0};
    struct rv_entry e;
    attest_status rc;

    if (rv == NULL)
        return ATTEST_E_ARG;
    if ((rc = check_name(rv, name)) != ATTEST_OK)
        return rc;
    if (value_json == NULL)
        return attest_ctx__error(rv->ctx, ATTEST_E_ARG, "refvals: value_json is NULL");
    if (expiration < 0 || expiration > RV_EXP_MAX)
        return attest_ctx__error(rv->ctx, ATTEST_E_ARG, "refvals: expiration %lld is out of "
                                 "range (want 0 .. %lld)", (long long)expiration, RV_EXP_MAX);
    if (expiration == 0 && !rv_plus_year(attest_ctx_time(rv->ctx), &expiration))
        return attest_ctx__error(rv->ctx, ATTEST_E_ARG, "refvals: ctx time %lld leaves no "
                                 "4-digit year for the expiration",
                                 (long long)attest_ctx_time(rv->ctx));
    if ((rc = attest_json__parse(rv->ctx, "refvals: value", value_json, strlen(value_json),
                                 &d)) != ATTEST_OK)
        return rc;
    rv_buf_value(&vb, &d, 0);
    attest_json__free(&d);
    if ((rc = rv_entry_set(rv->ctx, &e, name, strlen(name), RV_VERSION, expiration, &vb)) !=
        ATTEST_OK)
        return rc;
    rc = commit(rv, &e, 1);
    rv_entry_clear(&e);
    return rc;
}

attest_status attest_refvals_delete(attest_refvals *rv, const char *name)
{
    char shown[48];
    size_t done = 0;
    attest_status rc;

    if (rv == NULL)
        return ATTEST_E_ARG;
    if ((rc = check_name(rv, name)) != ATTEST_OK)
        return rc;
    size_t i = find(rv, name);
    if (i == SIZE_MAX)
        return attest_ctx__error(rv->ctx, ATTEST_E_NOT_FOUND,
                                 "refvals: no reference value is named \"%s\"",
                                 rv_show(shown, name, strlen(name)));
    rc = rv_store_write(rv, NULL, NULL, 0, i, &done);
    if (done > 0) {
        rv_entry_clear(&rv->e[i]);
        memmove(&rv->e[i], &rv->e[i + 1], (rv->n - i - 1) * sizeof(rv->e[0]));
        rv->n--;
    }
    return rc;
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

attest_status attest_refvals_list(attest_refvals *rv, unsigned int flags, char **names_json)
{
    struct rv_buf b = {0};
    size_t n = 0;

    if (rv == NULL)
        return ATTEST_E_ARG;
    if (names_json == NULL || (flags & ~ATTEST_REFVALS_LIST_EXPIRED) != 0)
        return attest_ctx__error(rv->ctx, ATTEST_E_ARG,
                                 "refvals: names_json is NULL or flags unknown (got %#x)",
                                 flags);
    const char **names = malloc((rv->n + 1) * sizeof(*names));
    if (names == NULL)
        return rv_nomem(rv->ctx);
    int64_t now = attest_ctx_time(rv->ctx);
    for (size_t i = 0; i < rv->n; i++)
        if ((flags & ATTEST_REFVALS_LIST_EXPIRED) != 0 || now <= rv->e[i].exp)
            names[n++] = rv->e[i].name;
    qsort(names, n, sizeof(*names), cmp_str_ptr);
    rv_buf_put(&b, "[", 1);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            rv_buf_put(&b, ",", 1);
        rv_buf_str(&b, names[i], strlen(names[i]));
    }
    rv_buf_put(&b, "]", 1);
    free(names);
    if (b.oom) {
        free(b.p);
        return rv_nomem(rv->ctx);
    }
    *names_json = b.p;
    return ATTEST_OK;
}
