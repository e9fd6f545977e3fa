/*
 * Reference values as text: JSON output, "%Y-%m-%dT%H:%M:%SZ" times and stored records.
 *
 * A record is what confidential-containers/trustee rvps/src/reference_value.rs stores:
 * serde_json of ReferenceValue {version, name, expiration, value}, fields in that order;
 * expiration is written and parsed as "%Y-%m-%dT%H:%M:%SZ" and defaults to now + 12
 * months (chrono checked_add_months, so 29 February becomes 28 February). Before 2025-06
 * (8462025e^) a record was {version, name, expired, "hash-value": [{alg, value}]} and a
 * query gave its hash values: we read such a record as value = [its hash values].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refvals_impl.h"

/* ---- text ---- */

void rv_buf_put(struct rv_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->cap - b->len <= n) { /* room for the NUL too */
        size_t cap = b->cap != 0 ? b->cap : 256;
        while (cap - b->len <= n) {
            if (cap > SIZE_MAX / 2) {
                b->oom = true;
                return;
            }
            cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void rv_buf_cstr(struct rv_buf *b, const char *s)
{
    rv_buf_put(b, s, strlen(s));
}

void rv_buf_str(struct rv_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0;

    rv_buf_put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char u[7] = "\\u00";
        const char *esc = u;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (c >= 0x20)
                continue;
            u[4] = hex[c >> 4];
            u[5] = hex[c & 15];
            u[6] = '\0';
        }
        rv_buf_put(b, s + run, i - run);
        rv_buf_cstr(b, esc);
        run = i + 1;
    }
    rv_buf_put(b, s + run, n - run);
    rv_buf_put(b, "\"", 1);
}

void rv_buf_value(struct rv_buf *b, const struct attest_json *d, uint32_t i)
{
    const struct attest_json_value *v = &d->v[i];
    char num[4];

    switch (v->type) {
    case ATTEST_JSON_NULL: rv_buf_cstr(b, "null"); break;
    case ATTEST_JSON_FALSE: rv_buf_cstr(b, "false"); break;
    case ATTEST_JSON_TRUE: rv_buf_cstr(b, "true"); break;
    case ATTEST_JSON_NUMBER: rv_buf_put(b, v->str, v->str_len); break;
    case ATTEST_JSON_STRING: rv_buf_str(b, v->str, v->str_len); break;
    case ATTEST_JSON_ARRAY:
    case ATTEST_JSON_OBJECT:
        rv_buf_put(b, v->type == ATTEST_JSON_ARRAY ? "[" : "{", 1);
        if (v->bytes != NULL) /* json.h keeps an array of small integers as bytes */
            for (uint32_t k = 0; k < v->count; k++) {
                snprintf(num, sizeof(num), "%u", (unsigned)v->bytes[k]);
                if (k > 0)
                    rv_buf_put(b, ",", 1);
                rv_buf_cstr(b, num);
            }
        for (uint32_t c = v->first; c != ATTEST_JSON_NONE; c = d->v[c].next) {
            if (c != v->first)
                rv_buf_put(b, ",", 1);
            if (v->type == ATTEST_JSON_OBJECT) {
                rv_buf_str(b, d->v[c].key, d->v[c].key_len);
                rv_buf_put(b, ":", 1);
            }
            rv_buf_value(b, d, c);
        }
        rv_buf_put(b, v->type == ATTEST_JSON_ARRAY ? "]" : "}", 1);
        break;
    }
}

/* ---- times: "%Y-%m-%dT%H:%M:%SZ", UTC, proleptic Gregorian ---- */

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static void split_time(int64_t t, int64_t *days, int64_t *sec)
{
    *days = t / 86400;
    *sec = t % 86400;
    if (*sec < 0) {
        *sec += 86400;
        (*days)--;
    }
}

/* Exactly "YYYY-MM-DDTHH:MM:SSZ" with every field in range (chrono's %Y also takes other
 * widths and a sign; Trustee only writes this form). */
static bool time_parse(const char *s, size_t n, int64_t *out)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    int f[6] = {0}, k = 0;

    if (n != sizeof(shape) - 1)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (shape[i] != 'd') {
            if (s[i] != shape[i])
                return false;
            k++;
            continue;
        }
        if (s[i] < '0' || s[i] > '9')
            return false;
        f[k] = f[k] * 10 + (s[i] - '0');
    }
    if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > month_days(f[0], f[1]) || f[3] > 23 ||
        f[4] > 59 || f[5] > 59)
        return false;
    *out = attest_days_from_civil(f[0], f[1], f[2]) * 86400 + f[3] * 3600 + f[4] * 60 + f[5];
    return true;
}

/* t must be within [RV_EXP_MIN, RV_EXP_MAX]. */
static void time_format(int64_t t, char out[32])
{
    int64_t days, sec, y;
    int m, d;

    split_time(t, &days, &sec);
    civil_from_days(days, &y, &m, &d);
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, m, d, (int)(sec / 3600),
             (int)(sec / 60 % 60), (int)(sec % 60));
}

bool rv_plus_year(int64_t t, int64_t *out)
{
    int64_t days, sec, y;
    int m, d;

    if (t < RV_EXP_MIN || t > RV_EXP_MAX)
        return false;
    split_time(t, &days, &sec);
    civil_from_days(days, &y, &m, &d);
    if (m == 2 && d == 29 && !is_leap(y + 1))
        d = 28;
    *out = attest_days_from_civil(y + 1, m, d) * 86400 + sec;
    return *out <= RV_EXP_MAX;
}

/* ---- records ---- */

void rv_buf_record(struct rv_buf *b, const struct rv_entry *e)
{
    char t[32];

    time_format(e->exp, t);
    rv_buf_cstr(b, "{\"version\":");
    rv_buf_str(b, e->version, strlen(e->version));
    rv_buf_cstr(b, ",\"name\":");
    rv_buf_str(b, e->name, strlen(e->name));
    rv_buf_cstr(b, ",\"expiration\":\"");
    rv_buf_cstr(b, t);
    rv_buf_cstr(b, "\",\"value\":");
    rv_buf_cstr(b, e->value);
    rv_buf_put(b, "}", 1);
}

static attest_status parse_time(attest_ctx *ctx, const char *where, const char *field,
                                const struct attest_json *d, uint32_t i, int64_t *out)
{
    char shown[48];

    if (i == ATTEST_JSON_NONE)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "refvals: %s %s is missing", where, field);
    if (!attest_json__is(d, i, ATTEST_JSON_STRING))
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "refvals: %s %s is not a string (got %s)",
                                 where, field, rv_json_type_name(d, i));
    if (!time_parse(d->v[i].str, d->v[i].str_len, out))
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "refvals: %s %s is not a time (got \"%s\", want "
                                 "YYYY-MM-DDTHH:MM:SSZ)",
                                 where, field, rv_show(shown, d->v[i].str, d->v[i].str_len));
    return ATTEST_OK;
}

/* The record at d[i]; where names it in messages ("<file>[3]", "<dir>/<name>"). */
attest_status rv_parse_record(attest_ctx *ctx, const char *where,
                                  const struct attest_json *d, uint32_t i,
                                  struct rv_entry *out)
{
    struct rv_buf vb = {0};
    const char *version = RV_VERSION, *problem;
    char shown[48];
    int64_t exp;
    attest_status rc;

    if (!attest_json__is(d, i, ATTEST_JSON_OBJECT))
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "refvals: %s is not a record (got %s, want an object)", where,
                                 rv_json_type_name(d, i));
    uint32_t ver = attest_json__get(d, i, "version"), nm = attest_json__get(d, i, "name");
    uint32_t ex = attest_json__get(d, i, "expiration"), val = attest_json__get(d, i, "value");
    if (ver != ATTEST_JSON_NONE && (version = attest_json__cstr(d, ver)) == NULL)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "refvals: %s version is not a string",
                                 where);
    if (!attest_json__is(d, nm, ATTEST_JSON_STRING))
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "refvals: %s name is %s", where,
                                 nm == ATTEST_JSON_NONE ? "missing" : "not a string");
    if ((problem = rv_name_problem(d->v[nm].str, d->v[nm].str_len)) != NULL)
        return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                                 "refvals: %s name \"%s\" is not one libattest accepts (%s)",
                                 where, rv_show(shown, d->v[nm].str, d->v[nm].str_len),
                                 problem);
    if (ex != ATTEST_JSON_NONE || val != ATTEST_JSON_NONE) {
        if ((rc = parse_time(ctx, where, "expiration", d, ex, &exp)) != ATTEST_OK)
            return rc;
        if (val == ATTEST_JSON_NONE)
            return attest_ctx__error(ctx, ATTEST_E_PARSE, "refvals: %s value is missing", where);
        rv_buf_value(&vb, d, val);
    } else {
        /* the record before 2025-06: the value is the list of its hash values */
        uint32_t hv = attest_json__get(d, i, "hash-value");
        if ((rc = parse_time(ctx, where, "expiration (or expired)", d,
                             attest_json__get(d, i, "expired"), &exp)) != ATTEST_OK)
            return rc;
        if (!attest_json__is(d, hv, ATTEST_JSON_ARRAY) || d->v[hv].bytes != NULL)
            return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                     "refvals: %s has no value (nor a hash-value array)", where);
        rv_buf_put(&vb, "[", 1);
        for (uint32_t c = d->v[hv].first; c != ATTEST_JSON_NONE; c = d->v[c].next) {
            uint32_t s = attest_json__get(d, c, "value");
            if (!attest_json__is(d, s, ATTEST_JSON_STRING)) {
                free(vb.p);
                return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                         "refvals: %s hash-value holds an entry without a "
                                         "string value", where);
            }
            if (c != d->v[hv].first)
                rv_buf_put(&vb, ",", 1);
            rv_buf_str(&vb, d->v[s].str, d->v[s].str_len);
        }
        rv_buf_put(&vb, "]", 1);
    }
    return rv_entry_set(ctx, out, d->v[nm].str, d->v[nm].str_len, version, exp, &vb);
}

