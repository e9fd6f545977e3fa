/*
 * Declarative policies over claims (include/attest/policy.h, docs/policy.md).
 *
 * Release policies follow Azure Key Vault's secure-key-release grammar
 * (../shared/specs/azure-skr-maa.md §6.3) with the MAA/AKV family's further operators;
 * appraisal policies set the EAR trustworthiness vector the way Trustee's default_cpu Rego
 * policy does (../shared/specs/attestation-service.md §4.3-4.4), with rules instead of Rego.
 *
 * A policy is parsed once into a tree of conditions that borrows its strings from the
 * policy's own copy of the text (the strict JSON reader of json.h keeps every string
 * NUL-terminated); evaluation parses the claims with the same reader and walks the tree.
 * Numbers are compared as exact decimals (sign, significant digits, exponent), never
 * through a double or strtod(), so "1.10" equals 1.1 and nothing depends on the locale.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "attest/policy.h"
#include "file.h"
#include "json.h"

#define POLICY_MAX (1024u * 1024u) /* bytes of policy text; real policies are a few KiB */
#define WHERE_MAX 320              /* a JSON path in a message ("$.anyOf[0].allOf[2]") */
#define WHY_MAX 400                /* the explanation of a denial */
#define ID_MAX 64
#define NUM_DIGITS 48              /* significant digits kept of a number */
#define TRUST_CLAIMS 8

/* ---- exact decimal numbers ---- */

/* value = (neg ? -1 : 1) * 0.d[0]d[1]...d[nd-1] * 10^(nd + exp); zero has nd == 0. */
struct num {
    bool neg;
    uint8_t nd;
    char d[NUM_DIGITS]; /* no leading or trailing zeros */
    int64_t exp;        /* of the last digit: value = digits * 10^exp */
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Append one digit of the literal; frac: it is after the decimal point. */
static void num_digit(struct num *v, char c, bool frac, int64_t *scale)
{
    if (v->nd == 0 && c == '0') { /* a leading zero: only 0.001's fraction zeros scale */
        if (frac)
            (*scale)--;
        return;
    }
    if (v->nd < NUM_DIGITS) {
        v->d[v->nd++] = c;
        if (frac)
            (*scale)--;
    } else if (!frac) {
        (*scale)++; /* a dropped integer digit still multiplies the value by ten */
    }
}

/*
 * Parse a JSON number literal (RFC 8259 §6) of n bytes. Returns false when s is not one.
 * Significant digits past NUM_DIGITS are dropped, exponents saturate near +-10^12.
 */
static bool num_parse(const char *s, size_t n, struct num *out)
{
    struct num v = {0};
    size_t i = 0;
    int64_t scale = 0, e = 0;

    if (i < n && s[i] == '-') {
        v.neg = true;
        i++;
    }
    if (i >= n || !is_digit(s[i]))
        return false;
    if (s[i] == '0') {
        if (++i < n && is_digit(s[i]))
            return false; /* no leading zeros */
    } else {
        while (i < n && is_digit(s[i]))
            num_digit(&v, s[i++], false, &scale);
    }
    if (i < n && s[i] == '.') {
        if (++i >= n || !is_digit(s[i]))
            return false;
        while (i < n && is_digit(s[i]))
            num_digit(&v, s[i++], true, &scale);
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        bool eneg = false;
        if (++i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        if (i >= n || !is_digit(s[i]))
            return false;
        while (i < n && is_digit(s[i])) {
            if (e < 1000000000000LL)
                e = e * 10 + (s[i] - '0');
            i++;
        }
        if (eneg)
            e = -e;
    }
    if (i != n)
        return false;
    v.exp = e + scale;
    while (v.nd > 0 && v.d[v.nd - 1] == '0') {
        v.nd--;
        v.exp++;
    }
    if (v.nd == 0) {
        v.neg = false; /* -0 is 0 */
        v.exp = 0;
    }
    *out = v;
    return true;
}

static void num_from_uint(uint64_t u, struct num *out)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)u);
    num_parse(buf, strlen(buf), out); /* always a valid literal */
}

/* -1, 0, 1 as a < b, a == b, a > b; exact. */
static int num_cmp(const struct num *a, const struct num *b)
{
    if (a->nd == 0 || b->nd == 0 || a->neg != b->neg) {
        int sa = a->nd == 0 ? 0 : a->neg ? -1 : 1;
        int sb = b->nd == 0 ? 0 : b->neg ? -1 : 1;
        return (sa > sb) - (sa < sb);
    }
    int mag; /* compare magnitudes: the position of the leading digit, then the digits */
    int64_t ta = a->exp + a->nd, tb = b->exp + b->nd;
    if (ta != tb) {
        mag = ta > tb ? 1 : -1;
    } else {
        mag = 0;
        for (uint8_t k = 0; k < a->nd || k < b->nd; k++) {
            char x = k < a->nd ? a->d[k] : '0', y = k < b->nd ? b->d[k] : '0';
            if (x != y) {
                mag = x > y ? 1 : -1;
                break;
            }
        }
    }
    return a->neg ? -mag : mag;
}

/* The number as an int64 when it is an integer in range. */
static bool num_int(const struct num *v, int64_t *out)
{
    if (v->nd == 0) {
        *out = 0;
        return true;
    }
    if (v->exp < 0 || v->exp + v->nd > 18)
        return false;
    int64_t x = 0;
    for (uint8_t k = 0; k < v->nd; k++)
        x = x * 10 + (v->d[k] - '0');
    for (int64_t k = 0; k < v->exp; k++)
        x *= 10;
    *out = v->neg ? -x : x;
    return true;
}

/*
 * The canonical text of a number, as ECMAScript's Number::toString lays digits out
 * (ECMA-262 §6.1.6.1.20) but with the exact decimal digits: 115, -3, 1.5, 0.001, 1e+21.
 * buf holds at least 128 bytes.
 */
static void num_text(const struct num *v, char *buf, size_t cap)
{
    size_t o = 0;
    int64_t k = v->nd, n = v->nd + v->exp;

#define PUT(c)                                                                             \
    do {                                                                                   \
        if (o + 1 < cap)                                                                   \
            buf[o++] = (c);                                                                \
    } while (0)
    if (v->nd == 0) {
        PUT('0');
    } else {
        if (v->neg)
            PUT('-');
        if (k <= n && n <= 21) {
            for (int64_t i = 0; i < k; i++)
                PUT(v->d[i]);
            for (int64_t i = 0; i < n - k; i++)
                PUT('0');
        } else if (0 < n && n <= 21) {
            for (int64_t i = 0; i < k; i++) {
                if (i == n)
                    PUT('.');
                PUT(v->d[i]);
            }
        } else if (-6 < n && n <= 0) {
            PUT('0');
            PUT('.');
            for (int64_t i = 0; i < -n; i++)
                PUT('0');
            for (int64_t i = 0; i < k; i++)
                PUT(v->d[i]);
        } else {
            PUT(v->d[0]);
            if (k > 1) {
                PUT('.');
                for (int64_t i = 1; i < k; i++)
                    PUT(v->d[i]);
            }
            buf[o] = '\0';
            snprintf(buf + o, cap - o, "e%c%lld", n - 1 < 0 ? '-' : '+',
                     (long long)(n - 1 < 0 ? -(n - 1) : n - 1));
            return;
        }
    }
#undef PUT
    buf[o] = '\0';
}

/* ---- scalar values: policy operands and claims ---- */

enum vtype { V_NULL, V_FALSE, V_TRUE, V_NUMBER, V_STRING, V_OTHER };

struct val {
    enum vtype t;
    const char *s; /* V_STRING: NUL-terminated, may hold NUL before len */
    size_t len;
    struct num n;  /* V_NUMBER */
};

static struct val val_of(const struct attest_json *doc, uint32_t i)
{
    struct val v = {V_OTHER, NULL, 0, {0}};
    const struct attest_json_value *j = &doc->v[i];

    switch (j->type) {
    case ATTEST_JSON_NULL:
        v.t = V_NULL;
        break;
    case ATTEST_JSON_FALSE:
        v.t = V_FALSE;
        break;
    case ATTEST_JSON_TRUE:
        v.t = V_TRUE;
        break;
    case ATTEST_JSON_NUMBER:
        v.t = num_parse(j->str, j->str_len, &v.n) ? V_NUMBER : V_OTHER;
        break;
    case ATTEST_JSON_STRING:
        v.t = V_STRING;
        v.s = j->str;
        v.len = j->str_len;
        break;
    default:
        break;
    }
    return v;
}

static bool is_scalar(const struct val *v)
{
    return v->t == V_FALSE || v->t == V_TRUE || v->t == V_NUMBER || v->t == V_STRING;
}

/*
 * Does claim c equal operand o? Same types compare by value (numbers exactly, strings
 * byte for byte in constant time). AKV's coercion: when the operand is a string, a boolean
 * claim compares as "true"/"false" and a number claim as its canonical decimal text, so
 * {"equals": "false"} and {"equals": "0"} match false and 0 (azure-skr-maa.md §6.3).
 */
static bool val_equals(const struct val *c, const struct val *o)
{
    char text[128];
    const char *cs;
    size_t cl;

    switch (o->t) {
    case V_STRING:
        if (c->t == V_STRING) {
            cs = c->s;
            cl = c->len;
        } else if (c->t == V_TRUE || c->t == V_FALSE) {
            cs = c->t == V_TRUE ? "true" : "false";
            cl = strlen(cs);
        } else if (c->t == V_NUMBER) {
            num_text(&c->n, text, sizeof(text));
            cs = text;
            cl = strlen(cs);
        } else {
            return false;
        }
        return cl == o->len && attest_ct_equal((const uint8_t *)cs, (const uint8_t *)o->s, cl);
    case V_NUMBER:
        return c->t == V_NUMBER && num_cmp(&c->n, &o->n) == 0;
    case V_TRUE:
    case V_FALSE:
        return c->t == o->t;
    default:
        return false;
    }
}

/* A short, printable rendering of a value for an explanation. */
static void val_describe(const struct val *v, char *buf, size_t cap)
{
    switch (v->t) {
    case V_NULL:
        snprintf(buf, cap, "null");
        return;
    case V_FALSE:
    case V_TRUE:
        snprintf(buf, cap, "%s", v->t == V_TRUE ? "true" : "false");
        return;
    case V_NUMBER:
        num_text(&v->n, buf, cap);
        return;
    case V_OTHER:
        snprintf(buf, cap, "an array or object");
        return;
    case V_STRING:
        break;
    }
    size_t o = 0, shown = v->len > 40 ? 37 : v->len;
    if (cap < 48) {
        buf[0] = '\0';
        return;
    }
    buf[o++] = '"';
    for (size_t i = 0; i < shown; i++) {
        unsigned char ch = (unsigned char)v->s[i];
        buf[o++] = ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\' ? (char)ch : '?';
    }
    if (shown < v->len)
        o += (size_t)snprintf(buf + o, cap - o, "...");
    buf[o++] = '"';
    buf[o] = '\0';
}

/* ---- the parsed policy ---- */

enum op {
    OP_EQUALS,
    OP_NOT_EQUALS,
    OP_GT,
    OP_GE,
    OP_LT,
    OP_LE,
    OP_IN,
    OP_NOT_IN,
    OP_EXISTS,
    OP_IN_REF,
    OP_ALL_OF,
    OP_ANY_OF,
};

static const char *const op_names[] = {
    [OP_EQUALS] = "equals",
    [OP_NOT_EQUALS] = "notEquals",
    [OP_GT] = "greaterThan",
    [OP_GE] = "greaterThanOrEquals",
    [OP_LT] = "lessThan",
    [OP_LE] = "lessThanOrEquals",
    [OP_IN] = "in",
    [OP_NOT_IN] = "notIn",
    [OP_EXISTS] = "exists",
    [OP_IN_REF] = "inReferenceValue",
    [OP_ALL_OF] = "allOf",
    [OP_ANY_OF] = "anyOf",
};

struct cond {
    enum op op;
    char *where;            /* its JSON path, for explanations */
    const char *claim;      /* a claim condition: the dotted name */
    struct val val;         /* equals .. lessThanOrEquals, when ref is NULL */
    const char *ref;        /* {"referenceValue": ref} operand, or inReferenceValue */
    struct val *set;        /* in, notIn */
    size_t nset;
    bool exists;
    bool block;             /* an authority block of a release policy */
    const char *authority;  /* its "authority", or NULL */
    struct cond *kids;      /* allOf, anyOf */
    size_t nkids;
};

struct rule {
    struct cond cond;
    char *where;
    int8_t value[TRUST_CLAIMS];
    bool sets[TRUST_CLAIMS];
};

struct attest_policy {
    attest_policy_kind kind;
    char *text; /* the exact bytes, NUL-terminated; doc borrows from it */
    size_t len;
    struct attest_json doc;
    char hash[2 * 48 + 1];
    char *id;
    struct cond root; /* a release policy: allOf/anyOf of authority blocks */
    int8_t defaults[TRUST_CLAIMS];
    struct rule *rules;
    size_t nrules;
};

/* EAR's order (CBOR keys 0..7, attestation-service.md §4.3). */
static const char *const trust_names[TRUST_CLAIMS] = {
    "instance-identity", "configuration", "executables",    "file-system",
    "hardware",          "runtime-opaque", "storage-opaque", "sourced-data",
};

static void cond_clear(struct cond *c)
{
    for (size_t i = 0; i < c->nkids; i++)
        cond_clear(&c->kids[i]);
    free(c->kids);
    free(c->set);
    free(c->where);
    memset(c, 0, sizeof(*c));
}

void attest_policy_free(attest_policy *p)
{
    if (p == NULL)
        return;
    cond_clear(&p->root);
    for (size_t i = 0; i < p->nrules; i++) {
        cond_clear(&p->rules[i].cond);
        free(p->rules[i].where);
    }
    free(p->rules);
    attest_json__free(&p->doc);
    free(p->text);
    free(p->id);
    free(p);
}

/* ---- parsing ---- */

struct parser {
    attest_ctx *ctx;
    const struct attest_json *doc;
    attest_policy_kind kind;
    char where[WHERE_MAX];
    size_t wlen;
};

static size_t path_push(struct parser *p, const char *fmt, ...) ATTEST_PRINTF(2, 3);

static size_t path_push(struct parser *p, const char *fmt, ...)
{
    size_t old = p->wlen;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(p->where + old, sizeof(p->where) - old, fmt, ap);
    va_end(ap);
    p->wlen = strlen(p->where);
    return old;
}

static void path_pop(struct parser *p, size_t old)
{
    p->wlen = old;
    p->where[old] = '\0';
}

/* A member name as it may appear in a message: printable ASCII, at most 48 characters. */
static void key_text(const struct attest_json_value *m, char *buf, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < m->key_len && o + 4 < cap && i < 48; i++) {
        unsigned char ch = (unsigned char)m->key[i];
        buf[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    if (m->key_len > 48 && o + 4 < cap)
        o += (size_t)snprintf(buf + o, cap - o, "...");
    buf[o] = '\0';
}

static attest_status perr(struct parser *p, const char *fmt, ...) ATTEST_PRINTF(2, 3);

/* "policy: <where>: <what>", ATTEST_E_PARSE. */
static attest_status perr(struct parser *p, const char *fmt, ...)
{
    char what[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return attest_ctx__error(p->ctx, ATTEST_E_PARSE, "policy: %s: %s", p->where, what);
}

/* The error for the member m of the current object: "<where>.<name>: <what>". */
static attest_status perr_member(struct parser *p, const struct attest_json_value *m,
                                 const char *what)
{
    char k[64];
    key_text(m, k, sizeof(k));
    size_t old = path_push(p, ".%s", k);
    attest_status rc = perr(p, "%s", what);
    path_pop(p, old);
    return rc;
}

/* The error for the first element of the array at the current path: "<where>[0]: <what>". */
static attest_status perr_first(struct parser *p, const char *what)
{
    size_t old = path_push(p, "[0]");
    attest_status rc = perr(p, "%s", what);
    path_pop(p, old);
    return rc;
}

static bool key_is(const struct attest_json_value *m, const char *name)
{
    return m->key_len == strlen(name) && memcmp(m->key, name, m->key_len) == 0;
}

static attest_status nomem(attest_ctx *ctx)
{
    return attest_ctx__error(ctx, ATTEST_E_NOMEM, "policy: out of memory");
}

/* A string without NUL bytes, at least one byte, or NULL. */
static const char *nonempty_cstr(const struct attest_json *doc, uint32_t i)
{
    const char *s = attest_json__cstr(doc, i);
    return s != NULL && s[0] != '\0' ? s : NULL;
}

/* A claim name: dot-separated non-empty parts. */
static bool claim_name_ok(const char *s)
{
    if (s == NULL || s[0] == '.')
        return false;
    for (const char *c = s; *c != '\0'; c++)
        if (c[0] == '.' && (c[1] == '.' || c[1] == '\0'))
            return false;
    return true;
}

static attest_status parse_cond(struct parser *p, uint32_t i, struct cond *c);

/* A non-empty array of conditions at the current path, which names the array. */
static attest_status parse_cond_list(struct parser *p, uint32_t arr, struct cond *c)
{
    const struct attest_json_value *a = &p->doc->v[arr];

    if (a->type != ATTEST_JSON_ARRAY)
        return perr(p, "expected an array of conditions");
    if (a->count == 0)
        return perr(p, "expected a non-empty array of conditions");
    if (a->bytes != NULL)
        return perr_first(p, "expected an object (a condition)");
    if ((c->kids = calloc(a->count, sizeof(*c->kids))) == NULL)
        return nomem(p->ctx);
    c->nkids = a->count;
    size_t k = 0;
    for (uint32_t m = a->first; m != ATTEST_JSON_NONE; m = p->doc->v[m].next, k++) {
        size_t old = path_push(p, "[%zu]", k);
        attest_status rc = parse_cond(p, m, &c->kids[k]);
        path_pop(p, old);
        if (rc != ATTEST_OK)
            return rc;
    }
    return ATTEST_OK;
}

/* {"referenceValue": "<name>"} (appraisal policies only); sets c->ref. */
static attest_status parse_ref_operand(struct parser *p, uint32_t i, struct cond *c)
{
    const struct attest_json_value *o = &p->doc->v[i];
    for (uint32_t m = o->first; m != ATTEST_JSON_NONE; m = p->doc->v[m].next) {
        if (!key_is(&p->doc->v[m], "referenceValue"))
            return perr_member(p, &p->doc->v[m], "unknown member");
        if ((c->ref = nonempty_cstr(p->doc, m)) == NULL)
            return perr_member(p, &p->doc->v[m], "expected a reference value name");
    }
    if (c->ref == NULL)
        return perr(p, "expected {\"referenceValue\": name}");
    return ATTEST_OK;
}

/* The operand of a claim condition's operator, at the current path (which names it). */
static attest_status parse_operand(struct parser *p, uint32_t i, struct cond *c)
{
    const struct attest_json_value *j = &p->doc->v[i];
    bool appraisal = p->kind == ATTEST_POLICY_APPRAISAL;

    switch (c->op) {
    case OP_EQUALS:
    case OP_NOT_EQUALS:
        c->val = val_of(p->doc, i);
        if (is_scalar(&c->val))
            return ATTEST_OK;
        if (appraisal && j->type == ATTEST_JSON_OBJECT)
            return parse_ref_operand(p, i, c);
        return perr(p, appraisal ? "expected a string, number, boolean or "
                                   "{\"referenceValue\": name}"
                                 : "expected a string, number or boolean");
    case OP_GT:
    case OP_GE:
    case OP_LT:
    case OP_LE:
        c->val = val_of(p->doc, i);
        if (c->val.t == V_NUMBER)
            return ATTEST_OK;
        if (appraisal && j->type == ATTEST_JSON_OBJECT)
            return parse_ref_operand(p, i, c);
        return perr(p, appraisal ? "expected a number or {\"referenceValue\": name}"
                                 : "expected a number");
    case OP_IN:
    case OP_NOT_IN: {
        if (j->type != ATTEST_JSON_ARRAY)
            return perr(p, "expected an array of strings, numbers or booleans");
        if (j->count == 0)
            return perr(p, "expected a non-empty array");
        if ((c->set = calloc(j->count, sizeof(*c->set))) == NULL)
            return nomem(p->ctx);
        c->nset = j->count;
        if (j->bytes != NULL) { /* the reader keeps an array of small integers as bytes */
            for (size_t k = 0; k < j->count; k++) {
                c->set[k].t = V_NUMBER;
                num_from_uint(j->bytes[k], &c->set[k].n);
            }
            return ATTEST_OK;
        }
        size_t k = 0;
        for (uint32_t m = j->first; m != ATTEST_JSON_NONE; m = p->doc->v[m].next, k++) {
            c->set[k] = val_of(p->doc, m);
            if (!is_scalar(&c->set[k])) {
                size_t old = path_push(p, "[%zu]", k);
                attest_status rc = perr(p, "expected a string, number or boolean");
                path_pop(p, old);
                return rc;
            }
        }
        return ATTEST_OK;
    }
    case OP_EXISTS:
        if (j->type != ATTEST_JSON_TRUE && j->type != ATTEST_JSON_FALSE)
            return perr(p, "expected true or false");
        c->exists = j->type == ATTEST_JSON_TRUE;
        return ATTEST_OK;
    case OP_IN_REF:
        if (!appraisal)
            return perr(p, "reference values are only available in appraisal policies");
        if ((c->ref = nonempty_cstr(p->doc, i)) == NULL)
            return perr(p, "expected a reference value name");
        return ATTEST_OK;
    default:
        return ATTEST_E_INTERNAL;
    }
}

static int op_lookup(const struct attest_json_value *m)
{
    for (int o = 0; o <= OP_ANY_OF; o++)
        if (key_is(m, op_names[o]))
            return o;
    return -1;
}

/*
 * A condition: {"claim": name, <operator>: operand} or {"anyOf"|"allOf": [conditions]}.
 * In a release policy's authority block (c->block set by the caller) also "authority".
 */
static attest_status parse_cond(struct parser *p, uint32_t i, struct cond *c)
{
    const struct attest_json *doc = p->doc;
    uint32_t claim = ATTEST_JSON_NONE, opm = ATTEST_JSON_NONE, auth = ATTEST_JSON_NONE;
    int op = -1;

    if ((c->where = strdup(p->where)) == NULL)
        return nomem(p->ctx);
    if (doc->v[i].type != ATTEST_JSON_OBJECT)
        return perr(p, c->block ? "expected an object (an authority block)"
                                : "expected an object (a condition)");
    for (uint32_t m = doc->v[i].first; m != ATTEST_JSON_NONE; m = doc->v[m].next) {
        const struct attest_json_value *mv = &doc->v[m];
        int o;
        if (c->block && key_is(mv, "authority")) {
            auth = m;
        } else if (!c->block && key_is(mv, "claim")) {
            claim = m;
        } else if ((o = op_lookup(mv)) >= 0 && (!c->block || o >= OP_ALL_OF)) {
            if (op >= OP_ALL_OF && o >= OP_ALL_OF)
                return perr_member(p, mv, "has one of anyOf and allOf, not both");
            if (op >= 0) {
                char msg[96];
                snprintf(msg, sizeof(msg), "a condition has one operator (it also has %s)",
                         op_names[op]);
                return perr_member(p, mv, msg);
            }
            op = o;
            opm = m;
        } else {
            return perr_member(p, mv, c->block ? "unknown member" : "unknown operator");
        }
    }
    if (auth != ATTEST_JSON_NONE && (c->authority = nonempty_cstr(doc, auth)) == NULL)
        return perr_member(p, &doc->v[auth], "expected an issuer (a non-empty string)");
    if (op < 0)
        return perr(p, claim != ATTEST_JSON_NONE ? "condition has no operator"
                                                 : "expected anyOf or allOf");
    c->op = (enum op)op;
    size_t old = path_push(p, ".%s", op_names[op]);
    attest_status rc;
    if (op >= OP_ALL_OF) {
        if (claim != ATTEST_JSON_NONE)
            rc = perr(p, "a claim condition has no anyOf or allOf");
        else
            rc = parse_cond_list(p, opm, c);
    } else if (claim == ATTEST_JSON_NONE) {
        path_pop(p, old);
        old = path_push(p, ".claim");
        rc = perr(p, "missing (an operator needs a claim)");
    } else {
        rc = parse_operand(p, opm, c);
    }
    path_pop(p, old);
    if (rc != ATTEST_OK || claim == ATTEST_JSON_NONE)
        return rc;
    c->claim = attest_json__cstr(doc, claim);
    if (!claim_name_ok(c->claim) || c->claim[0] == '\0')
        return perr_member(p, &doc->v[claim], "expected a dotted claim name");
    return ATTEST_OK;
}

static attest_status parse_version(struct parser *p, uint32_t m, const char *const *ok,
                                   const char *want)
{
    const char *v = attest_json__cstr(p->doc, m);
    if (v == NULL)
        return perr_member(p, &p->doc->v[m], "expected a string");
    for (; *ok != NULL; ok++)
        if (strcmp(v, *ok) == 0)
            return ATTEST_OK;
    char msg[160];
    struct val sv = {V_STRING, v, strlen(v), {0}};
    char shown[64];
    val_describe(&sv, shown, sizeof(shown));
    snprintf(msg, sizeof(msg), "unsupported version %s (want %s)", shown, want);
    size_t old = path_push(p, ".version");
    attest_status rc = attest_ctx__error(p->ctx, ATTEST_E_UNSUPPORTED, "policy: %s: %s",
                                         p->where, msg);
    path_pop(p, old);
    return rc;
}

/* {"version": "1.0.0"|"0.2", "anyOf"|"allOf": [authority blocks]} */
static attest_status parse_release(struct parser *p, attest_policy *pol)
{
    static const char *const versions[] = {"1.0.0", "0.2", NULL};
    const struct attest_json *doc = p->doc;
    uint32_t version = ATTEST_JSON_NONE, list = ATTEST_JSON_NONE;
    attest_status rc;

    for (uint32_t m = doc->v[0].first; m != ATTEST_JSON_NONE; m = doc->v[m].next) {
        const struct attest_json_value *mv = &doc->v[m];
        if (key_is(mv, "version")) {
            version = m;
        } else if (key_is(mv, "anyOf") || key_is(mv, "allOf")) {
            if (list != ATTEST_JSON_NONE)
                return perr_member(p, mv, "a policy has one of anyOf and allOf, not both");
            list = m;
            pol->root.op = key_is(mv, "anyOf") ? OP_ANY_OF : OP_ALL_OF;
        } else {
            return perr_member(p, mv, "unknown member");
        }
    }
    if (version == ATTEST_JSON_NONE) {
        path_push(p, ".version");
        return perr(p, "missing (want \"1.0.0\")");
    }
    if ((rc = parse_version(p, version, versions, "\"1.0.0\" or \"0.2\"")) != ATTEST_OK)
        return rc;
    if ((pol->root.where = strdup("$")) == NULL)
        return nomem(p->ctx);
    const struct attest_json_value *a = &doc->v[list];
    size_t old = path_push(p, ".%s", op_names[pol->root.op]);
    if (a->type != ATTEST_JSON_ARRAY)
        rc = perr(p, "expected an array of authority blocks");
    else if (a->count == 0)
        rc = perr(p, "expected a non-empty array of authority blocks");
    else if (a->bytes != NULL)
        rc = perr_first(p, "expected an object (an authority block)");
    else if ((pol->root.kids = calloc(a->count, sizeof(*pol->root.kids))) == NULL)
        rc = nomem(p->ctx);
    else
        rc = ATTEST_OK;
    if (rc == ATTEST_OK) {
        pol->root.nkids = a->count;
        size_t k = 0;
        for (uint32_t m = a->first; m != ATTEST_JSON_NONE && rc == ATTEST_OK;
             m = doc->v[m].next, k++) {
            size_t o2 = path_push(p, "[%zu]", k);
            pol->root.kids[k].block = true;
            rc = parse_cond(p, m, &pol->root.kids[k]);
            path_pop(p, o2);
        }
    }
    path_pop(p, old);
    return rc;
}

static int trust_lookup(const struct attest_json_value *m)
{
    for (int k = 0; k < TRUST_CLAIMS; k++)
        if (key_is(m, trust_names[k]))
            return k;
    return -1;
}

/* {"<trust claim>": -128..127, ...}, at least one member; marks sets[] when given. */
static attest_status parse_trust_set(struct parser *p, uint32_t i, int8_t *value, bool *sets)
{
    const struct attest_json *doc = p->doc;

    if (doc->v[i].type != ATTEST_JSON_OBJECT)
        return perr(p, "expected an object of trustworthiness claims");
    if (doc->v[i].count == 0)
        return perr(p, "expected at least one trustworthiness claim");
    for (uint32_t m = doc->v[i].first; m != ATTEST_JSON_NONE; m = doc->v[m].next) {
        const struct attest_json_value *mv = &doc->v[m];
        int k = trust_lookup(mv);
        if (k < 0)
            return perr_member(p, mv, "unknown trustworthiness claim (want instance-identity, "
                                      "configuration, executables, file-system, hardware, "
                                      "runtime-opaque, storage-opaque or sourced-data)");
        struct val v = val_of(doc, m);
        int64_t x;
        if (v.t != V_NUMBER || !num_int(&v.n, &x) || x < -128 || x > 127)
            return perr_member(p, mv, "expected an integer from -128 to 127");
        value[k] = (int8_t)x;
        if (sets != NULL)
            sets[k] = true;
    }
    return ATTEST_OK;
}

/* {"if": condition, "set": {...}, "description": "..."} */
static attest_status parse_rule(struct parser *p, uint32_t i, struct rule *r)
{
    const struct attest_json *doc = p->doc;
    uint32_t cond = ATTEST_JSON_NONE, set = ATTEST_JSON_NONE;
    attest_status rc;

    if ((r->where = strdup(p->where)) == NULL)
        return nomem(p->ctx);
    if (doc->v[i].type != ATTEST_JSON_OBJECT)
        return perr(p, "expected an object (a rule)");
    for (uint32_t m = doc->v[i].first; m != ATTEST_JSON_NONE; m = doc->v[m].next) {
        const struct attest_json_value *mv = &doc->v[m];
        if (key_is(mv, "if"))
            cond = m;
        else if (key_is(mv, "set"))
            set = m;
        else if (!key_is(mv, "description"))
            return perr_member(p, mv, "unknown member");
        else if (mv->type != ATTEST_JSON_STRING)
            return perr_member(p, mv, "expected a string");
    }
    if (cond == ATTEST_JSON_NONE)
        return perr(p, "missing if (a condition)");
    if (set == ATTEST_JSON_NONE)
        return perr(p, "missing set (the trustworthiness claims to set)");
    size_t old = path_push(p, ".if");
    rc = parse_cond(p, cond, &r->cond);
    path_pop(p, old);
    if (rc != ATTEST_OK)
        return rc;
    old = path_push(p, ".set");
    rc = parse_trust_set(p, set, r->value, r->sets);
    path_pop(p, old);
    return rc;
}

/* {"version": "1.0", "defaults": {...}, "rules": [...], "description": "..."} */
static attest_status parse_appraisal(struct parser *p, attest_policy *pol)
{
    static const char *const versions[] = {"1.0", NULL};
    const struct attest_json *doc = p->doc;
    uint32_t version = ATTEST_JSON_NONE, defaults = ATTEST_JSON_NONE, rules = ATTEST_JSON_NONE;
    attest_status rc;

    for (uint32_t m = doc->v[0].first; m != ATTEST_JSON_NONE; m = doc->v[m].next) {
        const struct attest_json_value *mv = &doc->v[m];
        if (key_is(mv, "version"))
            version = m;
        else if (key_is(mv, "defaults"))
            defaults = m;
        else if (key_is(mv, "rules"))
            rules = m;
        else if (!key_is(mv, "description"))
            return perr_member(p, mv, "unknown member");
        else if (mv->type != ATTEST_JSON_STRING)
            return perr_member(p, mv, "expected a string");
    }
    if (version == ATTEST_JSON_NONE) {
        path_push(p, ".version");
        return perr(p, "missing (want \"1.0\")");
    }
    if ((rc = parse_version(p, version, versions, "\"1.0\"")) != ATTEST_OK)
        return rc;
    if (defaults != ATTEST_JSON_NONE) {
        size_t old = path_push(p, ".defaults");
        rc = parse_trust_set(p, defaults, pol->defaults, NULL);
        path_pop(p, old);
        if (rc != ATTEST_OK)
            return rc;
    }
    if (rules == ATTEST_JSON_NONE)
        return ATTEST_OK;
    const struct attest_json_value *a = &doc->v[rules];
    size_t old = path_push(p, ".rules");
    rc = ATTEST_OK;
    if (a->type != ATTEST_JSON_ARRAY)
        rc = perr(p, "expected an array of rules");
    else if (a->count == 0)
        rc = perr(p, "expected a non-empty array of rules (leave rules out instead)");
    else if (a->bytes != NULL)
        rc = perr_first(p, "expected an object (a rule)");
    else if ((pol->rules = calloc(a->count, sizeof(*pol->rules))) == NULL)
        rc = nomem(p->ctx);
    if (rc == ATTEST_OK) {
        pol->nrules = a->count;
        size_t k = 0;
        for (uint32_t m = a->first; m != ATTEST_JSON_NONE && rc == ATTEST_OK;
             m = doc->v[m].next, k++) {
            size_t o2 = path_push(p, "[%zu]", k);
            rc = parse_rule(p, m, &pol->rules[k]);
            path_pop(p, o2);
        }
    }
    path_pop(p, old);
    return rc;
}

static attest_status policy_parse(attest_ctx *ctx, const char *json, size_t len, const char *id,
                                  attest_policy **out)
{
    struct parser p = {.ctx = ctx, .where = "$", .wlen = 1};
    attest_status rc;
    unsigned char md[48];
    unsigned int mdlen = 0;

    if (len > POLICY_MAX)
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "policy: text is too long (got %zu bytes, want at most %u)",
                                 len, POLICY_MAX);
    attest_policy *pol = calloc(1, sizeof(*pol));
    if (pol == NULL || (pol->text = malloc(len + 1)) == NULL) {
        free(pol);
        return nomem(ctx);
    }
    memcpy(pol->text, json, len);
    pol->text[len] = '\0';
    pol->len = len;
    if (id != NULL && (pol->id = strdup(id)) == NULL) {
        rc = nomem(ctx);
        goto out;
    }
    if (EVP_Digest(pol->text, len, md, &mdlen, EVP_sha384(), NULL) != 1 || mdlen != 48) {
        rc = attest_ctx__error(ctx, ATTEST_E_INTERNAL, "policy: SHA-384 failed");
        goto out;
    }
    attest_hex__encode(md, sizeof(md), pol->hash);
    if ((rc = attest_json__parse(ctx, "policy", pol->text, len, &pol->doc)) != ATTEST_OK)
        goto out;
    p.doc = &pol->doc;
    if (pol->doc.v[0].type != ATTEST_JSON_OBJECT) {
        rc = perr(&p, "expected an object");
        goto out;
    }
    if (attest_json__get(&pol->doc, 0, "anyOf") != ATTEST_JSON_NONE ||
        attest_json__get(&pol->doc, 0, "allOf") != ATTEST_JSON_NONE) {
        p.kind = pol->kind = ATTEST_POLICY_RELEASE;
        rc = parse_release(&p, pol);
    } else if (attest_json__get(&pol->doc, 0, "rules") != ATTEST_JSON_NONE ||
               attest_json__get(&pol->doc, 0, "defaults") != ATTEST_JSON_NONE) {
        p.kind = pol->kind = ATTEST_POLICY_APPRAISAL;
        rc = parse_appraisal(&p, pol);
    } else {
        rc = perr(&p, "expected anyOf or allOf (a release policy) or defaults and rules (an "
                      "appraisal policy)");
    }
out:
    if (rc != ATTEST_OK) {
        attest_policy_free(pol);
        return rc;
    }
    *out = pol;
    return ATTEST_OK;
}

attest_status attest_policy_new(attest_policy **out, attest_ctx *ctx, const char *json,
                                size_t len)
{
    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (out == NULL || json == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "policy: out or json is NULL");
    return policy_parse(ctx, json, len, NULL, out);
}

attest_policy_kind attest_policy_kind_of(const attest_policy *p)
{
    return p == NULL ? ATTEST_POLICY_RELEASE : p->kind;
}

const char *attest_policy_id(const attest_policy *p)
{
    return p == NULL ? NULL : p->id;
}

const char *attest_policy_hash(const attest_policy *p)
{
    return p == NULL ? NULL : p->hash;
}

const char *attest_policy_text(const attest_policy *p, size_t *len)
{
    if (p == NULL)
        return NULL;
    if (len != NULL)
        *len = p->len;
    return p->text;
}

/* ---- evaluation ---- */

struct refval {
    const char *name; /* borrowed from the policy */
    char *text;       /* the callback's JSON; doc borrows from it */
    struct attest_json doc;
    bool present;
};

struct eval {
    attest_ctx *ctx;
    const struct attest_json *claims;
    const char *issuer;
    attest_refval_fn fn;
    void *payload;
    struct refval *refs;
    size_t nrefs, caprefs;
    bool why_set;
    char why[WHY_MAX];
};

static void eval_clear(struct eval *e)
{
    for (size_t i = 0; i < e->nrefs; i++) {
        attest_json__free(&e->refs[i].doc);
        free(e->refs[i].text);
    }
    free(e->refs);
}

static void note(struct eval *e, const char *fmt, ...) ATTEST_PRINTF(2, 3);

/* Record why a condition failed, if nothing failed before in this branch. */
static void note(struct eval *e, const char *fmt, ...)
{
    va_list ap;

    if (e->why_set)
        return;
    va_start(ap, fmt);
    vsnprintf(e->why, sizeof(e->why), fmt, ap);
    va_end(ap);
    e->why_set = true;
}

/* The reference value called name (asked once per evaluation), or NULL when absent. */
static attest_status refval_get(struct eval *e, const char *name, const struct refval **out)
{
    for (size_t i = 0; i < e->nrefs; i++)
        if (strcmp(e->refs[i].name, name) == 0) {
            *out = e->refs[i].present ? &e->refs[i] : NULL;
            return ATTEST_OK;
        }
    if (e->nrefs == e->caprefs) {
        size_t cap = e->caprefs ? e->caprefs * 2 : 8;
        struct refval *g = realloc(e->refs, cap * sizeof(*g));
        if (g == NULL)
            return nomem(e->ctx);
        e->refs = g;
        e->caprefs = cap;
    }
    struct refval *r = &e->refs[e->nrefs];
    memset(r, 0, sizeof(*r));
    r->name = name;
    if (e->fn != NULL) {
        attest_status rc = e->fn(name, &r->text, e->payload);
        if (rc == ATTEST_E_NOT_FOUND) {
            free(r->text);
            r->text = NULL;
        } else if (rc != ATTEST_OK) {
            free(r->text);
            return attest_ctx__error(e->ctx, rc,
                                     "policy: reference value callback failed for %s (%s)",
                                     name, attest_strerror(rc));
        }
    }
    if (r->text != NULL) {
        char what[128];
        snprintf(what, sizeof(what), "policy: reference value %s", name);
        attest_status rc = attest_json__parse(e->ctx, what, r->text, strlen(r->text), &r->doc);
        if (rc != ATTEST_OK) {
            free(r->text);
            return rc;
        }
        r->present = r->doc.v[0].type != ATTEST_JSON_NULL; /* RVPS: null is unknown */
    }
    e->nrefs++;
    *out = r->present ? r : NULL;
    return ATTEST_OK;
}

/* Does the claim equal the reference value, or a member of it when it is an array? */
static bool ref_has(const struct refval *r, const struct val *cv)
{
    const struct attest_json *d = &r->doc;
    if (d->v[0].type != ATTEST_JSON_ARRAY) {
        struct val o = val_of(d, 0);
        return val_equals(cv, &o);
    }
    if (d->v[0].bytes != NULL) {
        for (uint32_t k = 0; k < d->v[0].count; k++) {
            struct val o = {V_NUMBER, NULL, 0, {0}};
            num_from_uint(d->v[0].bytes[k], &o.n);
            if (val_equals(cv, &o))
                return true;
        }
        return false;
    }
    for (uint32_t m = d->v[0].first; m != ATTEST_JSON_NONE; m = d->v[m].next) {
        struct val o = val_of(d, m);
        if (val_equals(cv, &o))
            return true;
    }
    return false;
}

/*
 * The member of obj named by the dotted name. A member whose own name holds dots is found
 * too: at each level the longest member name that is a whole prefix of the rest wins.
 */
static uint32_t claim_lookup(const struct attest_json *doc, const char *name)
{
    uint32_t obj = 0;
    size_t left = strlen(name);

    for (;;) {
        uint32_t best = ATTEST_JSON_NONE;
        size_t best_len = 0;
        if (doc->v[obj].type != ATTEST_JSON_OBJECT)
            return ATTEST_JSON_NONE;
        for (uint32_t m = doc->v[obj].first; m != ATTEST_JSON_NONE; m = doc->v[m].next) {
            size_t kl = doc->v[m].key_len;
            if (kl > 0 && kl <= left && kl > best_len && memcmp(doc->v[m].key, name, kl) == 0 &&
                (kl == left || name[kl] == '.')) {
                best = m;
                best_len = kl;
            }
        }
        if (best == ATTEST_JSON_NONE || best_len == left)
            return best;
        obj = best;
        name += best_len + 1;
        left -= best_len + 1;
    }
}

static void set_describe(const struct cond *c, char *buf, size_t cap)
{
    size_t o = 0;
    buf[o++] = '[';
    for (size_t k = 0; k < c->nset && o + 8 < cap; k++) {
        char one[64];
        val_describe(&c->set[k], one, sizeof(one));
        if (k == 4 && c->nset > 5) {
            o += (size_t)snprintf(buf + o, cap - o, ", ... %zu more", c->nset - 4);
            break;
        }
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", k ? ", " : "", one);
    }
    if (o + 2 < cap) {
        buf[o++] = ']';
        buf[o] = '\0';
    } else {
        buf[cap - 1] = '\0';
    }
}

/* Number operand of an ordering: a number, or a reference value that is one (or a string
 * holding one, as RVPS sample values often do). */
static bool ordering_operand(const struct refval *r, struct num *out)
{
    struct val o = val_of(&r->doc, 0);
    if (o.t == V_NUMBER) {
        *out = o.n;
        return true;
    }
    return o.t == V_STRING && strlen(o.s) == o.len && num_parse(o.s, o.len, out);
}

static attest_status eval_leaf(struct eval *e, const struct cond *c, bool *out)
{
    uint32_t i = claim_lookup(e->claims, c->claim);
    const struct refval *r = NULL;
    char have[64], want[160];
    attest_status rc;

    *out = false;
    if (c->op == OP_EXISTS) {
        *out = (i != ATTEST_JSON_NONE) == c->exists;
        if (!*out)
            note(e, "%s: claim %s %s, want exists %s", c->where, c->claim,
                 c->exists ? "is missing" : "exists", c->exists ? "true" : "false");
        return ATTEST_OK;
    }
    if (i == ATTEST_JSON_NONE) {
        note(e, "%s: claim %s is missing", c->where, c->claim);
        return ATTEST_OK;
    }
    struct val cv = val_of(e->claims, i);
    if (c->ref != NULL && (rc = refval_get(e, c->ref, &r)) != ATTEST_OK)
        return rc;
    if (c->ref != NULL && r == NULL) {
        note(e, "%s: reference value %s is absent", c->where, c->ref);
        return ATTEST_OK;
    }
    switch (c->op) {
    case OP_EQUALS:
    case OP_NOT_EQUALS: {
        struct val o = r != NULL ? val_of(&r->doc, 0) : c->val;
        *out = val_equals(&cv, &o) == (c->op == OP_EQUALS);
        break;
    }
    case OP_GT:
    case OP_GE:
    case OP_LT:
    case OP_LE: {
        struct num o = c->val.n;
        if (r != NULL && !ordering_operand(r, &o)) {
            note(e, "%s: reference value %s is not a number", c->where, c->ref);
            return ATTEST_OK;
        }
        if (cv.t == V_NUMBER) {
            int k = num_cmp(&cv.n, &o);
            *out = c->op == OP_GT   ? k > 0
                   : c->op == OP_GE ? k >= 0
                   : c->op == OP_LT ? k < 0
                                    : k <= 0;
        }
        break;
    }
    case OP_IN:
    case OP_NOT_IN: {
        bool found = false;
        for (size_t k = 0; k < c->nset && !found; k++)
            found = val_equals(&cv, &c->set[k]);
        *out = found == (c->op == OP_IN);
        break;
    }
    case OP_IN_REF:
        *out = ref_has(r, &cv);
        break;
    default:
        return ATTEST_E_INTERNAL;
    }
    if (!*out) {
        val_describe(&cv, have, sizeof(have));
        if (c->ref != NULL)
            snprintf(want, sizeof(want), "reference value %s", c->ref);
        else if (c->op == OP_IN || c->op == OP_NOT_IN)
            set_describe(c, want, sizeof(want));
        else
            val_describe(&c->val, want, sizeof(want));
        note(e, "%s: claim %s is %s, want %s %s", c->where, c->claim, have, op_names[c->op],
             want);
    }
    return ATTEST_OK;
}

static attest_status eval_cond(struct eval *e, const struct cond *c, bool *out)
{
    if (c->op != OP_ALL_OF && c->op != OP_ANY_OF)
        return eval_leaf(e, c, out);
    bool had = e->why_set;
    if (c->block && c->authority != NULL &&
        (e->issuer == NULL || strcmp(c->authority, e->issuer) != 0)) {
        struct val a = {V_STRING, c->authority, strlen(c->authority), {0}};
        char want[64], got[64] = "";
        val_describe(&a, want, sizeof(want));
        if (e->issuer != NULL) {
            struct val g = {V_STRING, e->issuer, strlen(e->issuer), {0}};
            val_describe(&g, got, sizeof(got));
        }
        note(e, "%s: authority %s does not match the issuer%s%s", c->where, want,
             e->issuer == NULL ? " (none was given)" : " ", got);
        *out = false;
        return ATTEST_OK;
    }
    bool any = c->op == OP_ANY_OF, result = !any;
    for (size_t k = 0; k < c->nkids; k++) {
        bool v;
        attest_status rc = eval_cond(e, &c->kids[k], &v);
        if (rc != ATTEST_OK)
            return rc;
        if (v == any) { /* anyOf: one true decides; allOf: one false does */
            result = any;
            break;
        }
    }
    if (result && !had)
        e->why_set = false; /* a failure inside a branch that held explains nothing */
    *out = result;
    return ATTEST_OK;
}

static attest_status eval_begin(struct eval *e, attest_ctx *ctx, const char *claims_json,
                                size_t len, struct attest_json *doc)
{
    memset(e, 0, sizeof(*e));
    e->ctx = ctx;
    attest_status rc = attest_json__parse(ctx, "policy: claims", claims_json, len, doc);
    if (rc != ATTEST_OK)
        return rc;
    if (doc->v[0].type != ATTEST_JSON_OBJECT) {
        attest_json__free(doc);
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "policy: claims: expected a JSON object");
    }
    e->claims = doc;
    return ATTEST_OK;
}

attest_status attest_policy_allows(attest_ctx *ctx, const attest_policy *p,
                                   const char *claims_json, size_t len, const char *issuer,
                                   int *allowed, char **reason)
{
    struct attest_json doc;
    struct eval e;
    bool ok = false;

    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (p == NULL || claims_json == NULL || allowed == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "policy: policy, claims or allowed is NULL");
    if (p->kind != ATTEST_POLICY_RELEASE)
        return attest_ctx__error(ctx, ATTEST_E_ARG,
                                 "policy: an appraisal policy cannot allow or deny; use "
                                 "attest_policy_appraise()");
    attest_status rc = eval_begin(&e, ctx, claims_json, len, &doc);
    if (rc != ATTEST_OK)
        return rc;
    e.issuer = issuer;
    rc = eval_cond(&e, &p->root, &ok);
    char *why = NULL;
    if (rc == ATTEST_OK && !ok) {
        if (!e.why_set)
            note(&e, "$: no condition held");
        attest_ctx__log(ctx, ATTEST_LOG_INFO, "policy: denied: %s", e.why);
        if (reason != NULL && (why = strdup(e.why)) == NULL)
            rc = nomem(ctx);
    }
    eval_clear(&e);
    attest_json__free(&doc);
    if (rc != ATTEST_OK)
        return rc;
    *allowed = ok ? 1 : 0;
    if (reason != NULL)
        *reason = why;
    return ATTEST_OK;
}

attest_ear_status attest_ear_status_of(int8_t value)
{
    int v = value < 0 ? -(int)value : value; /* the bands are symmetric but for -1 .. 1 */
    if (value >= -1 && value <= 1)
        return ATTEST_EAR_NONE;
    if (v <= 31 || (value < 0 && v <= 32))
        return ATTEST_EAR_AFFIRMING;
    if (v <= 95 || (value < 0 && v <= 96))
        return ATTEST_EAR_WARNING;
    return ATTEST_EAR_CONTRAINDICATED;
}

const char *attest_ear_status_name(attest_ear_status status)
{
    switch (status) {
    case ATTEST_EAR_NONE:
        return "none";
    case ATTEST_EAR_AFFIRMING:
        return "affirming";
    case ATTEST_EAR_WARNING:
        return "warning";
    case ATTEST_EAR_CONTRAINDICATED:
        return "contraindicated";
    }
    return NULL;
}

attest_status attest_policy_appraise(attest_ctx *ctx, const attest_policy *p,
                                     const char *claims_json, size_t len, attest_refval_fn fn,
                                     void *payload, attest_trust_vector *vector,
                                     attest_ear_status *status)
{
    struct attest_json doc;
    struct eval e;
    int8_t v[TRUST_CLAIMS];

    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (p == NULL || claims_json == NULL || vector == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "policy: policy, claims or vector is NULL");
    if (p->kind != ATTEST_POLICY_APPRAISAL)
        return attest_ctx__error(ctx, ATTEST_E_ARG,
                                 "policy: a release policy sets no trustworthiness vector; use "
                                 "attest_policy_allows()");
    attest_status rc = eval_begin(&e, ctx, claims_json, len, &doc);
    if (rc != ATTEST_OK)
        return rc;
    e.fn = fn;
    e.payload = payload;
    memcpy(v, p->defaults, sizeof(v));
    for (size_t i = 0; i < p->nrules && rc == ATTEST_OK; i++) {
        bool hold = false;
        const struct rule *r = &p->rules[i];
        e.why_set = false;
        if ((rc = eval_cond(&e, &r->cond, &hold)) != ATTEST_OK)
            break;
        if (!hold) {
            attest_ctx__log(ctx, ATTEST_LOG_DEBUG, "policy: %s does not hold: %s", r->where,
                            e.why_set ? e.why : "");
            continue;
        }
        for (int k = 0; k < TRUST_CLAIMS; k++)
            if (r->sets[k]) {
                v[k] = r->value[k];
                attest_ctx__log(ctx, ATTEST_LOG_DEBUG, "policy: %s sets %s to %d", r->where,
                                trust_names[k], v[k]);
            }
    }
    eval_clear(&e);
    attest_json__free(&doc);
    if (rc != ATTEST_OK)
        return rc;
    attest_ear_status worst = ATTEST_EAR_NONE;
    for (int k = 0; k < TRUST_CLAIMS; k++)
        if (attest_ear_status_of(v[k]) > worst)
            worst = attest_ear_status_of(v[k]);
    vector->instance_identity = v[0];
    vector->configuration = v[1];
    vector->executables = v[2];
    vector->file_system = v[3];
    vector->hardware = v[4];
    vector->runtime_opaque = v[5];
    vector->storage_opaque = v[6];
    vector->sourced_data = v[7];
    if (status != NULL)
        *status = worst;
    return ATTEST_OK;
}

/* ---- built-in appraisal policies ---- */

/*
 * Trustee's default_cpu (attestation-service.md §4.4; ear_default_policy_cpu.rego) in this
 * grammar. Defaults: executables 33 (unrecognized runtime), hardware 97 (unrecognized
 * hardware), configuration 36 (configuration unavailable to the verifier). Rules raise them
 * when the claims match the reference values of the same names as Trustee's; a guest with
 * debugging enabled is set to configuration 96 (unsupportable) last, so nothing overrides
 * it. Trustee's "x in query_reference_value(n)" is inReferenceValue (equal, or a member of
 * an array); its "==" against a reference value is inReferenceValue too, so a value stored
 * as a one-element array, as RVPS sample messages hold them, still matches.
 */
#define DEFAULTS_JSON                                                                      \
    "\"defaults\": {\"executables\": 33, \"hardware\": 97, \"configuration\": 36},\n"

#define SAMPLE_RULES                                                                       \
    "  {\"description\": \"sample: the launch digest is a reference value\",\n"           \
    "   \"if\": {\"claim\": \"sample.launch_digest\", \"inReferenceValue\": "              \
    "\"launch_digest\"},\n"                                                                 \
    "   \"set\": {\"executables\": 3}},\n"                                                  \
    "  {\"description\": \"sample: svn and platform version match the reference values\",\n" \
    "   \"if\": {\"allOf\": [\n"                                                            \
    "     {\"claim\": \"sample.svn\", \"inReferenceValue\": \"svn\"},\n"                   \
    "     {\"claim\": \"sample.platform_version.major\", \"inReferenceValue\": "           \
    "\"major_version\"},\n"                                                                 \
    "     {\"claim\": \"sample.platform_version.minor\", \"greaterThanOrEquals\": "        \
    "{\"referenceValue\": \"minimum_minor_version\"}}]},\n"                                \
    "   \"set\": {\"hardware\": 2}},\n"                                                     \
    "  {\"description\": \"sample: debug is off\",\n"                                      \
    "   \"if\": {\"claim\": \"sample.debug\", \"equals\": false},\n"                       \
    "   \"set\": {\"configuration\": 2}},\n"                                                \
    "  {\"description\": \"sample: debug is on\",\n"                                       \
    "   \"if\": {\"claim\": \"sample.debug\", \"equals\": true},\n"                        \
    "   \"set\": {\"configuration\": 96}}"

#define SNP_RULES                                                                          \
    "  {\"description\": \"snp: the launch measurement is a reference value\",\n"         \
    "   \"if\": {\"claim\": \"snp.measurement\", \"inReferenceValue\": "                   \
    "\"snp_launch_measurement\"},\n"                                                        \
    "   \"set\": {\"executables\": 3}},\n"                                                  \
    "  {\"description\": \"snp: the reported TCB matches the reference values\",\n"       \
    "   \"if\": {\"allOf\": [\n"                                                            \
    "     {\"claim\": \"snp.reported_tcb.bootloader\", \"inReferenceValue\": "             \
    "\"snp_bootloader\"},\n"                                                                \
    "     {\"claim\": \"snp.reported_tcb.microcode\", \"inReferenceValue\": "              \
    "\"snp_microcode\"},\n"                                                                 \
    "     {\"claim\": \"snp.reported_tcb.snp\", \"inReferenceValue\": \"snp_snp_svn\"},\n" \
    "     {\"claim\": \"snp.reported_tcb.tee\", \"inReferenceValue\": \"snp_tee_svn\"}]},\n" \
    "   \"set\": {\"hardware\": 2}},\n"                                                     \
    "  {\"description\": \"snp: no debugging, no migration agent\",\n"                     \
    "   \"if\": {\"allOf\": [\n"                                                            \
    "     {\"claim\": \"snp.policy.debug\", \"equals\": false},\n"                         \
    "     {\"claim\": \"snp.policy.migrate_ma\", \"equals\": false}]},\n"                  \
    "   \"set\": {\"configuration\": 3}},\n"                                                \
    "  {\"description\": \"snp: and every configuration field matches its reference "      \
    "value\",\n"                                                                            \
    "   \"if\": {\"allOf\": [\n"                                                            \
    "     {\"claim\": \"snp.policy.debug\", \"equals\": false},\n"                         \
    "     {\"claim\": \"snp.policy.migrate_ma\", \"equals\": false},\n"                    \
    "     {\"claim\": \"snp.platform_info.smt_enabled\", \"inReferenceValue\": "           \
    "\"snp_smt_enabled\"},\n"                                                               \
    "     {\"claim\": \"snp.platform_info.tsme_enabled\", \"inReferenceValue\": "          \
    "\"snp_tsme_enabled\"},\n"                                                              \
    "     {\"claim\": \"snp.policy.abi_major\", \"inReferenceValue\": "                    \
    "\"snp_guest_abi_major\"},\n"                                                           \
    "     {\"claim\": \"snp.policy.abi_minor\", \"inReferenceValue\": "                    \
    "\"snp_guest_abi_minor\"},\n"                                                           \
    "     {\"claim\": \"snp.policy.single_socket\", \"inReferenceValue\": "                \
    "\"snp_single_socket\"},\n"                                                             \
    "     {\"claim\": \"snp.policy.smt\", \"inReferenceValue\": \"snp_smt_allowed\"}]},\n" \
    "   \"set\": {\"configuration\": 2}},\n"                                                \
    "  {\"description\": \"snp: debug is on\",\n"                                          \
    "   \"if\": {\"claim\": \"snp.policy.debug\", \"equals\": true},\n"                    \
    "   \"set\": {\"configuration\": 96}}"

static const char default_sample[] =
    "{\"version\": \"1.0\",\n"
    "\"description\": \"libattest default appraisal policy for the sample TEE\",\n"
    DEFAULTS_JSON "\"rules\": [\n" SAMPLE_RULES "\n]}\n";

static const char default_snp[] =
    "{\"version\": \"1.0\",\n"
    "\"description\": \"libattest default appraisal policy for AMD SEV-SNP\",\n"
    DEFAULTS_JSON "\"rules\": [\n" SNP_RULES "\n]}\n";

static const char default_all[] =
    "{\"version\": \"1.0\",\n"
    "\"description\": \"libattest default appraisal policy (Trustee's default_cpu)\",\n"
    DEFAULTS_JSON "\"rules\": [\n" SAMPLE_RULES ",\n" SNP_RULES "\n]}\n";

attest_status attest_policy_default(attest_policy **out, attest_ctx *ctx, const char *tee)
{
    static const struct {
        const char *tee, *id, *text;
        size_t len;
    } table[] = {
        {NULL, "default", default_all, sizeof(default_all) - 1},
        {"sample", "default-sample", default_sample, sizeof(default_sample) - 1},
        {"snp", "default-snp", default_snp, sizeof(default_snp) - 1},
    };

    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (out == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "policy: out is NULL");
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (tee == NULL ? table[i].tee == NULL
                        : table[i].tee != NULL && strcmp(tee, table[i].tee) == 0)
            return policy_parse(ctx, table[i].text, table[i].len, table[i].id, out);
    return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                             "policy: no default appraisal policy for TEE %.64s (want sample "
                             "or snp)",
                             tee);
}

/* ---- the policy store ---- */

struct entry {
    char id[ID_MAX + 1];
    char *text;
    size_t len;
};

struct attest_policy_store {
    char *dir; /* NULL: memory only */
    struct entry *v;
    size_t n, cap;
};

static bool id_ok(const char *id)
{
    size_t n = 0;
    if (id == NULL)
        return false;
    for (; id[n] != '\0'; n++) {
        char c = id[n];
        if (n == ID_MAX || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                             (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
            return false;
    }
    return n > 0;
}

static attest_status bad_id(attest_ctx *ctx, const char *id)
{
    if (id == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "policy: id is NULL");
    struct val v = {V_STRING, id, strnlen(id, 200), {0}};
    char shown[64];
    val_describe(&v, shown, sizeof(shown));
    return attest_ctx__error(ctx, ATTEST_E_ARG,
                             "policy: id %s is not 1 to 64 characters of A-Z, a-z, 0-9, _, . "
                             "and -",
                             shown);
}

/* The index of id, or where it would be inserted (*found false). */
static size_t store_find(const attest_policy_store *s, const char *id, bool *found)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->v[mid].id, id);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

/* Room for one more entry, so that store_put() cannot fail after a file was written. */
static attest_status store_reserve(attest_ctx *ctx, attest_policy_store *s)
{
    if (s->n < s->cap)
        return ATTEST_OK;
    size_t cap = s->cap ? s->cap * 2 : 16;
    struct entry *g = realloc(s->v, cap * sizeof(*g));
    if (g == NULL)
        return nomem(ctx);
    s->v = g;
    s->cap = cap;
    return ATTEST_OK;
}

/* Put (id, text) in memory, taking ownership of text. */
static attest_status store_put(attest_ctx *ctx, attest_policy_store *s, const char *id,
                               char *text, size_t len)
{
    bool found;
    size_t i = store_find(s, id, &found);
    if (found) {
        free(s->v[i].text);
        s->v[i].text = text;
        s->v[i].len = len;
        return ATTEST_OK;
    }
    attest_status rc = store_reserve(ctx, s);
    if (rc != ATTEST_OK) {
        free(text);
        return rc;
    }
    memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(*s->v));
    snprintf(s->v[i].id, sizeof(s->v[i].id), "%s", id);
    s->v[i].text = text;
    s->v[i].len = len;
    s->n++;
    return ATTEST_OK;
}

static char *path_join(const char *dir, const char *a, const char *b)
{
    size_t n = strlen(dir) + strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s/%s%s", dir, a, b);
    return p;
}

static attest_status io_error(attest_ctx *ctx, const char *what, const char *path, int err)
{
    return attest_ctx__error(ctx, ATTEST_E_IO, "policy: %s %s failed (errno %d, %s)", what,
                             path, err, strerror(err));
}

/* fsync a directory, so a rename or unlink in it survives a crash. */
static attest_status sync_dir(attest_ctx *ctx, const char *dir)
{
    return attest_file__sync_dir(dir) == 0 ? ATTEST_OK
                                           : io_error(ctx, "fsync of directory", dir, errno);
}

/* Read a regular file of at most POLICY_MAX bytes. */
static attest_status read_file(attest_ctx *ctx, const char *path, char **out, size_t *out_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    char *buf = NULL;
    size_t len = 0;
    attest_status rc = ATTEST_OK;

    if (fd < 0)
        return io_error(ctx, "open of", path, errno);
    if (fstat(fd, &st) != 0) {
        rc = io_error(ctx, "stat of", path, errno);
        goto out;
    }
    if (!S_ISREG(st.st_mode) || st.st_size < 0 || (uint64_t)st.st_size > POLICY_MAX) {
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE,
                               "policy: %s is not a regular file of at most %u bytes", path,
                               POLICY_MAX);
        goto out;
    }
    if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
        rc = nomem(ctx);
        goto out;
    }
    while (len < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = io_error(ctx, "read of", path, errno);
            goto out;
        }
        if (n == 0)
            break; /* shrank while reading: take what is there; the parse judges it */
        len += (size_t)n;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return rc;
}

static attest_status store_load(attest_ctx *ctx, attest_policy_store *s)
{
    DIR *d = opendir(s->dir);
    struct dirent *de;
    attest_status rc = ATTEST_OK;

    if (d == NULL)
        return io_error(ctx, "opendir of", s->dir, errno);
    while (rc == ATTEST_OK && (errno = 0, de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        char id[ID_MAX + 1], *path = NULL, *text = NULL;
        size_t len = 0;
        attest_policy *pol = NULL;
        if (n <= 5 || n - 5 > ID_MAX || strcmp(de->d_name + n - 5, ".json") != 0)
            continue;
        memcpy(id, de->d_name, n - 5);
        id[n - 5] = '\0';
        if (!id_ok(id))
            continue;
        if ((path = path_join(s->dir, de->d_name, "")) == NULL) {
            rc = nomem(ctx);
            break;
        }
        rc = read_file(ctx, path, &text, &len);
        if (rc == ATTEST_OK && (rc = policy_parse(ctx, text, len, id, &pol)) != ATTEST_OK) {
            char msg[512];
            snprintf(msg, sizeof(msg), "%s", attest_ctx_last_error(ctx));
            const char *detail = strncmp(msg, "policy: ", 8) == 0 ? msg + 8 : msg;
            rc = attest_ctx__error(ctx, rc, "policy: %s: %s", path, detail);
        }
        attest_policy_free(pol);
        if (rc == ATTEST_OK)
            rc = store_put(ctx, s, id, text, len); /* takes text */
        else
            free(text);
        free(path);
    }
    if (rc == ATTEST_OK && de == NULL && errno != 0)
        rc = io_error(ctx, "readdir of", s->dir, errno);
    closedir(d);
    return rc;
}

void attest_policy_store_free(attest_policy_store *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].text);
    free(s->v);
    free(s->dir);
    free(s);
}

attest_status attest_policy_store_new(attest_policy_store **out, attest_ctx *ctx,
                                      const char *dir)
{
    struct stat st;
    attest_status rc;

    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (out == NULL || (dir != NULL && dir[0] == '\0'))
        return attest_ctx__error(ctx, ATTEST_E_ARG, "policy: out is NULL or dir is empty");
    attest_policy_store *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return nomem(ctx);
    if (dir != NULL) {
        if ((s->dir = strdup(dir)) == NULL) {
            rc = nomem(ctx);
            goto out;
        }
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            rc = io_error(ctx, "mkdir of", dir, errno);
            goto out;
        }
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            rc = attest_ctx__error(ctx, ATTEST_E_IO, "policy: store %s is not a directory",
                                   dir);
            goto out;
        }
        if ((rc = store_load(ctx, s)) != ATTEST_OK)
            goto out;
    }
    *out = s;
    return ATTEST_OK;
out:
    attest_policy_store_free(s);
    return rc;
}

/* Replace dir/<id>.json crash-safely: temporary file, fsync, rename, fsync of dir. */
static attest_status store_write(attest_ctx *ctx, const char *dir, const char *id,
                                 const char *text, size_t len)
{
    /* ".tmp-<id>-XXXXXX" never ends in ".json", so a crash leaves nothing that loads */
    char *tmp = path_join(dir, ".tmp-", id), *final = path_join(dir, id, ".json");
    attest_status rc = ATTEST_OK;
    bool created = false;

    if (tmp == NULL || final == NULL) {
        rc = nomem(ctx);
        goto out;
    }
    char *grown = realloc(tmp, strlen(tmp) + 8);
    if (grown == NULL) {
        rc = nomem(ctx);
        goto out;
    }
    tmp = grown;
    strcat(tmp, "-XXXXXX");
    enum attest_file_result fr = attest_file__write_temp(tmp, text, len, 0600);
    if (fr != ATTEST_FILE_OK) {
        rc = fr == ATTEST_FILE_CREATE ? io_error(ctx, "create of a temporary file in", dir, errno)
                                      : io_error(ctx, "write of", tmp, errno);
        goto out;
    }
    created = true;
    if (rename(tmp, final) != 0) {
        rc = io_error(ctx, "rename to", final, errno);
        goto out;
    }
    created = false; /* renamed: nothing left to remove */
    rc = sync_dir(ctx, dir);
out:
    if (created)
        unlink(tmp);
    free(tmp);
    free(final);
    return rc;
}

attest_status attest_policy_store_set(attest_ctx *ctx, attest_policy_store *s, const char *id,
                                      const char *json, size_t len)
{
    attest_policy *pol = NULL;
    attest_status rc;

    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (s == NULL || json == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "policy: store or json is NULL");
    if (!id_ok(id))
        return bad_id(ctx, id);
    if ((rc = policy_parse(ctx, json, len, id, &pol)) != ATTEST_OK)
        return rc;
    char *text = malloc(len + 1);
    if (text == NULL) {
        attest_policy_free(pol);
        return nomem(ctx);
    }
    memcpy(text, json, len);
    text[len] = '\0';
    attest_policy_free(pol);
    if ((rc = store_reserve(ctx, s)) != ATTEST_OK ||
        (s->dir != NULL && (rc = store_write(ctx, s->dir, id, text, len)) != ATTEST_OK)) {
        free(text);
        return rc;
    }
    return store_put(ctx, s, id, text, len);
}

attest_status attest_policy_store_get(attest_ctx *ctx, const attest_policy_store *s,
                                      const char *id, attest_policy **out)
{
    bool found;

    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (s == NULL || out == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "policy: store or out is NULL");
    if (!id_ok(id))
        return bad_id(ctx, id);
    size_t i = store_find(s, id, &found);
    if (!found)
        return attest_ctx__error(ctx, ATTEST_E_NOT_FOUND, "policy: no policy with id %s", id);
    return policy_parse(ctx, s->v[i].text, s->v[i].len, id, out);
}

attest_status attest_policy_store_delete(attest_ctx *ctx, attest_policy_store *s,
                                         const char *id)
{
    bool found;

    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (s == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "policy: store is NULL");
    if (!id_ok(id))
        return bad_id(ctx, id);
    size_t i = store_find(s, id, &found);
    if (!found)
        return attest_ctx__error(ctx, ATTEST_E_NOT_FOUND, "policy: no policy with id %s", id);
    if (s->dir != NULL) {
        char *path = path_join(s->dir, id, ".json");
        if (path == NULL)
            return nomem(ctx);
        if (unlink(path) != 0 && errno != ENOENT) {
            attest_status rc = io_error(ctx, "unlink of", path, errno);
            free(path);
            return rc;
        }
        free(path);
        attest_status rc = sync_dir(ctx, s->dir);
        if (rc != ATTEST_OK)
            return rc;
    }
    free(s->v[i].text);
    memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
    s->n--;
    return ATTEST_OK;
}

size_t attest_policy_store_count(const attest_policy_store *s)
{
    return s == NULL ? 0 : s->n;
}

const char *attest_policy_store_id(const attest_policy_store *s, size_t i)
{
    return s == NULL || i >= s->n ? NULL : s->v[i].id;
}
