/*
 * Reference values: Trustee RVPS messages, expiry at the ctx time, the three store types,
 * Trustee's own file layouts, names that could leave a LocalFs directory, failed writes.
 */
#define _XOPEN_SOURCE 700 /* nftw() */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/refvals.h"
#include "internal.h"

#if defined(__has_include)
#if __has_include(<attest/policy.h>)
#include "attest/policy.h"
#define HAVE_POLICY_H 1
#endif
#endif

#include "check_main.h"

#define T0 1700000000           /* 2023-11-14T22:13:20Z */
#define T0_EXP 1731622400       /* 2024-11-14T22:13:20Z: 12 months on, 366 days */
#define T0_EXP_TEXT "2024-11-14T22:13:20Z"

static attest_ctx *ctx;
static char base[256];
static char *q_last, *names_last; /* what q() and names() returned last */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(base, sizeof(base), "%s/refvals.XXXXXX", tmp != NULL ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(base));
    ck_assert_int_eq(chmod(base, 0755), 0); /* "nobody" may look in: see read_only() */
    ck_assert_int_eq(attest_ctx_new(&ctx), ATTEST_OK);
    ck_assert_int_eq(attest_ctx_set_time(ctx, T0), ATTEST_OK);
}

static void teardown(void)
{
    free(q_last);
    free(names_last);
    q_last = names_last = NULL;
    attest_ctx_free(ctx);
    nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *in_base(char out[512], const char *name)
{
    snprintf(out, 512, "%s/%s", base, name);
    return out;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    ck_assert_int_eq(fclose(f), 0);
}

/* The file's contents (malloc'd), or NULL when it does not exist. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = malloc(1 << 20);
    ck_assert_ptr_nonnull(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static size_t dir_entries(const char *dir)
{
    size_t n = 0;
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(fscanf(p, "%zu", &n), 1);
    pclose(p);
    return n;
}

/* {"version": ..., "type": ..., "payload": std-base64(payload)}; NULL version: none. */
static char *message(const char *version, const char *type, const char *payload)
{
    char *b64 = attest_b64__encode(ATTEST_B64_STD, (const uint8_t *)payload, strlen(payload));
    ck_assert_ptr_nonnull(b64);
    size_t n = strlen(b64) + 128;
    char *m = malloc(n);
    ck_assert_ptr_nonnull(m);
    if (version != NULL)
        snprintf(m, n, "{\"version\":\"%s\",\"type\":\"%s\",\"payload\":\"%s\"}", version,
                 type, b64);
    else
        snprintf(m, n, "{\"type\":\"%s\",\"payload\":\"%s\"}", type, b64);
    free(b64);
    return m;
}

static attest_status reg(attest_refvals *rv, const char *payload)
{
    char *m = message("0.1.0", "sample", payload);
    attest_status rc = attest_refvals_register(rv, m, strlen(m));
    free(m);
    return rc;
}

/* The query's answer as text; "(none)" for NULL. Freed by the next call. */
static const char *q(attest_refvals *rv, const char *name)
{
    char *v = NULL;
    free(q_last);
    q_last = NULL;
    ck_assert_int_eq(attest_refvals_query(rv, name, &v), ATTEST_OK);
    q_last = v;
    return v != NULL ? v : "(none)";
}

static const char *names(attest_refvals *rv, unsigned flags)
{
    free(names_last);
    names_last = NULL;
    ck_assert_int_eq(attest_refvals_list(rv, flags, &names_last), ATTEST_OK);
    return names_last;
}

static void expect_error(attest_status got, attest_status want, const char *substring)
{
    ck_assert_int_eq(got, want);
    ck_assert_msg(strstr(attest_ctx_last_error(ctx), substring) != NULL,
                  "message \"%s\" lacks \"%s\"", attest_ctx_last_error(ctx), substring);
}

/* ---- messages ---- */

START_TEST(test_refvals_register_query_round_trip)
{
    attest_refvals *rv = NULL;
    ck_assert_int_eq(attest_refvals_open(&rv, ctx, "memory", NULL), ATTEST_OK);
    ck_assert_int_eq(reg(rv, "{\"snp_launch_measurement\": [\"aa\", \"bb\"],\n"
                             " \"tdx.mr_td\": {\"k\": 1}}"),
                     ATTEST_OK);
    ck_assert_str_eq(q(rv, "snp_launch_measurement"), "[\"aa\",\"bb\"]");
    ck_assert_str_eq(q(rv, "tdx.mr_td"), "{\"k\":1}");
    ck_assert_str_eq(q(rv, "unknown"), "(none)");
    ck_assert_str_eq(names(rv, 0), "[\"snp_launch_measurement\",\"tdx.mr_td\"]");
    /* a later message replaces a value of the same name, keeps the others */
    ck_assert_int_eq(reg(rv, "{\"tdx.mr_td\": \"cc\"}"), ATTEST_OK);
    ck_assert_str_eq(q(rv, "tdx.mr_td"), "\"cc\"");
    ck_assert_str_eq(q(rv, "snp_launch_measurement"), "[\"aa\",\"bb\"]");
    /* the policy engine's callback answers the same */
    char *v = NULL;
    ck_assert_int_eq(attest_refvals_lookup("tdx.mr_td", &v, rv), ATTEST_OK);
    ck_assert_str_eq(v, "\"cc\"");
    attest_free(v);
    v = (char *)"untouched";
    ck_assert_int_eq(attest_refvals_lookup("../../etc/passwd", &v, rv), ATTEST_OK);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(attest_refvals_lookup("x", &v, NULL), ATTEST_E_ARG);
#ifdef HAVE_POLICY_H
    /* the store's lookup is the policy engine's callback, without a cast */
    attest_refval_fn fn = attest_refvals_lookup;
    ck_assert_int_eq(fn("tdx.mr_td", &v, rv), ATTEST_OK);
    attest_free(v);
#endif
    /* "version" may be left out (serde default), "provenance" is the README's name */
    char *m = message(NULL, "sample", "{\"a\": 1}");
    ck_assert_int_eq(attest_refvals_register(rv, m, strlen(m)), ATTEST_OK);
    free(m);
    const char *prov = "{\"version\":\"0.1.0\",\"type\":\"sample\",\"provenance\":"
                       "\"eyJiIjogMn0=\",\"extra\":[1]}"; /* {"b": 2}; unknown members pass */
    ck_assert_int_eq(attest_refvals_register(rv, prov, strlen(prov)), ATTEST_OK);
    ck_assert_str_eq(q(rv, "b"), "2");
    /* an empty object registers nothing */
    ck_assert_int_eq(reg(rv, "{}"), ATTEST_OK);
    ck_assert_str_eq(names(rv, 0), "[\"a\",\"b\",\"snp_launch_measurement\",\"tdx.mr_td\"]");
    attest_refvals_free(rv);
    attest_refvals_free(NULL);
}
END_TEST

START_TEST(test_refvals_values_are_kept_verbatim)
{
    attest_refvals *rv = NULL;
    ck_assert_int_eq(attest_refvals_open(&rv, ctx, "memory", NULL), ATTEST_OK);
    ck_assert_int_eq(reg(rv, "{\"s\": \"\\u00e9\\n\\\"\\/\\u0001\", \"f\": 1.50e3,"
                             " \"big\": 123456789012345678901234567890, \"t\": true,"
                             " \"no\": false, \"z\": null, \"bytes\": [1, 2, 255],"
                             " \"nest\": {\"a\": [[], {}], \"b\": -0.5}}"),
                     ATTEST_OK);
    ck_assert_str_eq(q(rv, "s"), "\"\xc3\xa9\\n\\\"/\\u0001\"");
    ck_assert_str_eq(q(rv, "f"), "1.50e3");
    ck_assert_str_eq(q(rv, "big"), "123456789012345678901234567890");
    ck_assert_str_eq(q(rv, "t"), "true");
    ck_assert_str_eq(q(rv, "no"), "false");
    ck_assert_str_eq(q(rv, "z"), "null");
    ck_assert_str_eq(q(rv, "bytes"), "[1,2,255]");
    ck_assert_str_eq(q(rv, "nest"), "{\"a\":[[],{}],\"b\":-0.5}");
    ck_assert_int_eq(attest_refvals_set(rv, "set", " [ \"x\" , 7 ] ", 0), ATTEST_OK);
    ck_assert_str_eq(q(rv, "set"), "[\"x\",7]");
    expect_error(attest_refvals_set(rv, "set", "[1,", 0), ATTEST_E_PARSE, "refvals: value");
    expect_error(attest_refvals_set(rv, "set", "1 2", 0), ATTEST_E_PARSE, "trailing");
    ck_assert_str_eq(q(rv, "set"), "[\"x\",7]");
    attest_refvals_free(rv);
}
END_TEST

START_TEST(test_refvals_rejects_malformed_messages)
{
    static const struct {
        const char *message; /* NULL: built from the three below */
        const char *version, *type, *payload;
        attest_status want;
        const char *substring;
    } cases[] = {
        {NULL, "0.2.0", "sample", "{}", ATTEST_E_UNSUPPORTED,
         "refvals: message version \"0.2.0\" is not supported (want \"0.1.0\")"},
        {NULL, "", "sample", "{}", ATTEST_E_UNSUPPORTED, "version \"\" is not supported"},
        {NULL, "0.1.0", "swid", "{}", ATTEST_E_UNSUPPORTED,
         "refvals: message type \"swid\" is not supported (want \"sample\")"},
        {NULL, "0.1.0", "Sample", "{}", ATTEST_E_UNSUPPORTED, "type \"Sample\""},
        {NULL, "0.1.0", "sample", "[1, 2]", ATTEST_E_PARSE,
         "refvals: payload is not a JSON object (got an array)"},
        {NULL, "0.1.0", "sample", "\"text\"", ATTEST_E_PARSE,
         "payload is not a JSON object (got a string)"},
        {NULL, "0.1.0", "sample", "{\"a\": }", ATTEST_E_PARSE, "refvals: payload: JSON"},
        {NULL, "0.1.0", "sample", "{\"a\": 1, \"a\": 2}", ATTEST_E_PARSE, "repeated"},
        {NULL, "0.1.0", "sample", "{\"../escape\": 1}", ATTEST_E_PARSE,
         "refvals: payload member \"../escape\" is not a valid name (starts with '.')"},
        {NULL, "0.1.0", "sample", "{\"a/b\": 1}", ATTEST_E_PARSE, "(holds '/')"},
        {NULL, "0.1.0", "sample", "{\"a..b\": 1}", ATTEST_E_PARSE, "(holds \"..\")"},
        {NULL, "0.1.0", "sample", "{\"\": 1}", ATTEST_E_PARSE, "(is empty)"},
        {NULL, "0.1.0", "sample", "{\"a\\nb\": 1}", ATTEST_E_PARSE, "control character"},
        {NULL, "0.1.0", "sample", "{\"a\\\\b\": 1}", ATTEST_E_PARSE, "(holds '\\')"},
        {"{\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":\"e30=!\"}", NULL, NULL, NULL,
         ATTEST_E_PARSE, "refvals: message payload is not standard base64"},
        {"{\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":\"e30-\"}", NULL, NULL, NULL,
         ATTEST_E_PARSE, "payload is not standard base64"},
        {"{\"version\":\"0.1.0\",\"type\":\"sample\",\"provenance\":\"%%\"}", NULL, NULL, NULL,
         ATTEST_E_PARSE, "message provenance is not standard base64"},
        {"{\"version\":0.1,\"type\":\"sample\",\"payload\":\"e30=\"}", NULL, NULL, NULL,
         ATTEST_E_PARSE, "refvals: message version is not a string (got a number)"},
        {"{\"version\":\"0.1.0\",\"payload\":\"e30=\"}", NULL, NULL, NULL, ATTEST_E_PARSE,
         "refvals: message type is missing"},
        {"{\"version\":\"0.1.0\",\"type\":[\"sample\"],\"payload\":\"e30=\"}", NULL, NULL, NULL,
         ATTEST_E_PARSE, "type is not a string, got an array"},
        {"{\"version\":\"0.1.0\",\"type\":\"sample\"}", NULL, NULL, NULL, ATTEST_E_PARSE,
         "refvals: message payload is missing"},
        {"{\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":{}}", NULL, NULL, NULL,
         ATTEST_E_PARSE, "payload is not a string, got an object"},
        {"{\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":\"e30=\",\"provenance\":"
         "\"e30=\"}", NULL, NULL, NULL, ATTEST_E_PARSE, "has both payload and provenance"},
        {"[\"0.1.0\", \"sample\"]", NULL, NULL, NULL, ATTEST_E_PARSE,
         "refvals: message is not a JSON object (got an array)"},
        {"{\"version\":\"0.1.0\",", NULL, NULL, NULL, ATTEST_E_PARSE, "refvals: message: JSON"},
        {"", NULL, NULL, NULL, ATTEST_E_PARSE, "refvals: message: JSON value expected"},
        {"{\"version\":\"0.1.0\\u0000\",\"type\":\"sample\",\"payload\":\"e30=\"}", NULL, NULL,
         NULL, ATTEST_E_UNSUPPORTED, "version \"0.1.0?\" is not supported"},
    };
    attest_refvals *rv = NULL;
    ck_assert_int_eq(attest_refvals_open(&rv, ctx, "memory", NULL), ATTEST_OK);
    ck_assert_int_eq(reg(rv, "{\"keep\": 1}"), ATTEST_OK);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *m = cases[i].message != NULL
                      ? strdup(cases[i].message)
                      : message(cases[i].version, cases[i].type, cases[i].payload);
        attest_status rc = attest_refvals_register(rv, m, strlen(m));
        ck_assert_msg(rc == cases[i].want, "case %zu: got %d, want %d (%s)", i, (int)rc,
                      (int)cases[i].want, attest_ctx_last_error(ctx));
        ck_assert_msg(strstr(attest_ctx_last_error(ctx), cases[i].substring) != NULL,
                      "case %zu: message \"%s\" lacks \"%s\"", i, attest_ctx_last_error(ctx),
                      cases[i].substring);
        free(m);
        ck_assert_str_eq(names(rv, ATTEST_REFVALS_LIST_EXPIRED), "[\"keep\"]");
    }
    /* a valid member does not slip in beside an invalid one */
    ck_assert_int_eq(reg(rv, "{\"fine\": 1, \"not/fine\": 2}"), ATTEST_E_PARSE);
    ck_assert_str_eq(names(rv, ATTEST_REFVALS_LIST_EXPIRED), "[\"keep\"]");
    ck_assert_int_eq(attest_refvals_register(rv, NULL, 0), ATTEST_E_ARG);
    ck_assert_int_eq(attest_refvals_register(NULL, "{}", 2), ATTEST_E_ARG);
    attest_refvals_free(rv);
}
END_TEST

START_TEST(test_refvals_rejects_escaping_names)
{
    static const char *const bad[] = {"..", ".", "../x", "a/b", "/etc/passwd", "a\\x2Fb",
                                      ".refvals.AAAAAA", "a..", "", "\x01", "x\xff"};
    char long_name[ATTEST_REFVALS_NAME_MAX + 2], path[512], *v = NULL;
    attest_refvals *rv = NULL;

    ck_assert_int_eq(mkdir(in_base(path, "store"), 0755), 0);
    ck_assert_int_eq(attest_refvals_open(&rv, ctx, "LocalFs", path), ATTEST_OK);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_int_eq(attest_refvals_set(rv, bad[i], "1", 0), ATTEST_E_ARG);
        ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "is not valid"));
        ck_assert_int_eq(attest_refvals_query(rv, bad[i], &v), ATTEST_E_ARG);
        ck_assert_int_eq(attest_refvals_delete(rv, bad[i]), ATTEST_E_ARG);
    }
    memset(long_name, 'n', sizeof(long_name));
    long_name[ATTEST_REFVALS_NAME_MAX + 1] = '\0';
    expect_error(attest_refvals_set(rv, long_name, "1", 0), ATTEST_E_ARG,
                 "is longer than 255 bytes");
    long_name[ATTEST_REFVALS_NAME_MAX] = '\0';
    ck_assert_int_eq(attest_refvals_set(rv, long_name, "1", 0), ATTEST_OK);
    ck_assert_int_eq(attest_refvals_set(rv, "caf\xc3\xa9 a.b", "1", 0), ATTEST_OK);
    ck_assert_int_eq(attest_refvals_set(rv, NULL, "1", 0), ATTEST_E_ARG);
    ck_assert_int_eq(attest_refvals_query(rv, "x", NULL), ATTEST_E_ARG);
    /* nothing was written outside the store */
    ck_assert_uint_eq(dir_entries(base), 1);
    ck_assert_uint_eq(dir_entries(path), 2);
    attest_refvals_free(rv);
}
END_TEST

/* ---- expiry ---- */

START_TEST(test_refvals_expiry_at_the_ctx_time)
{
    attest_refvals *rv = NULL;
    ck_assert_int_eq(attest_refvals_open(&rv, ctx, "memory", NULL), ATTEST_OK);
    ck_assert_int_eq(reg(rv, "{\"m\": [\"aa\"]}"), ATTEST_OK);
    ck_assert_int_eq(attest_ctx_set_time(ctx, T0_EXP - 1), ATTEST_OK);
    ck_assert_str_eq(q(rv, "m"), "[\"aa\"]");
    ck_assert_int_eq(attest_ctx_set_time(ctx, T0_EXP), ATTEST_OK); /* now > exp: not yet */
    ck_assert_str_eq(q(rv, "m"), "[\"aa\"]");
    ck_assert_str_eq(names(rv, 0), "[\"m\"]");
    ck_assert_int_eq(attest_ctx_set_time(ctx, T0_EXP + 1), ATTEST_OK);
    ck_assert_str_eq(q(rv, "m"), "(none)");
    char *v = (char *)"untouched";
    ck_assert_int_eq(attest_refvals_lookup("m", &v, rv), ATTEST_OK);
    ck_assert_ptr_null(v);
    ck_assert_str_eq(names(rv, 0), "[]");
    ck_assert_str_eq(names(rv, ATTEST_REFVALS_LIST_EXPIRED), "[\"m\"]");
    ck_assert_int_eq(attest_refvals_list(rv, 2, &v), ATTEST_E_ARG);
    /* an expired value can still be deleted; registering again makes it present */
    ck_assert_int_eq(reg(rv, "{\"m\": 2}"), ATTEST_OK);
    ck_assert_str_eq(q(rv, "m"), "2");
    ck_assert_int_eq(attest_refvals_delete(rv, "m"), ATTEST_OK);
    expect_error(attest_refvals_delete(rv, "m"), ATTEST_E_NOT_FOUND,
                 "refvals: no reference value is named \"m\"");
    /* an explicit expiration */
    ck_assert_int_eq(attest_ctx_set_time(ctx, 1000), ATTEST_OK);
    ck_assert_int_eq(attest_refvals_set(rv, "e", "1", 2000), ATTEST_OK);
    ck_assert_str_eq(q(rv, "e"), "1");
    ck_assert_int_eq(attest_ctx_set_time(ctx, 2001), ATTEST_OK);
    ck_assert_str_eq(q(rv, "e"), "(none)");
    expect_error(attest_refvals_set(rv, "e", "1", -5), ATTEST_E_ARG, "expiration -5");
    expect_error(attest_refvals_set(rv, "e", "1", 253402300800LL), ATTEST_E_ARG,
                 "out of range");
    ck_assert_int_eq(attest_refvals_set(rv, "e", "1", 253402300799LL), ATTEST_OK);
    /* a ctx time whose year + 1 has 5 digits has no default expiration */
    ck_assert_int_eq(attest_ctx_set_time(ctx, 253402300799LL - 86400 * 300), ATTEST_OK);
    expect_error(attest_refvals_set(rv, "e", "1", 0), ATTEST_E_ARG, "leaves no 4-digit year");
    expect_error(reg(rv, "{\"e\": 1}"), ATTEST_E_ARG, "leaves no 4-digit year");
    attest_refvals_free(rv);
}
END_TEST

START_TEST(test_refvals_expiration_is_written_as_trustee_does)
{
    char path[512];
    attest_refvals *rv = NULL;

    /* 2024-02-29T12:00:00Z + 12 months: chrono's checked_add_months gives 28 February */
    ck_assert_int_eq(attest_ctx_set_time(ctx, 1709208000), ATTEST_OK);
    ck_assert_int_eq(attest_refvals_open(&rv, ctx, "LocalJson", in_base(path, "rv.json")),
                     ATTEST_OK);
    ck_assert_int_eq(reg(rv, "{\"leap\": 1}"), ATTEST_OK);
    ck_assert_int_eq(attest_ctx_set_time(ctx, T0), ATTEST_OK);
    ck_assert_int_eq(reg(rv, "{\"m\": [\"aa\"]}"), ATTEST_OK);
    ck_assert_int_eq(attest_refvals_set(rv, "epoch", "0", 1), ATTEST_OK);
    char *text = read_text(path);
    ck_assert_str_eq(text, "[{\"version\":\"0.1.0\",\"name\":\"leap\",\"expiration\":"
                           "\"2025-02-28T12:00:00Z\",\"value\":1},"
                           "{\"version\":\"0.1.0\",\"name\":\"m\",\"expiration\":\""
                           T0_EXP_TEXT "\",\"value\":[\"aa\"]},"
                           "{\"version\":\"0.1.0\",\"name\":\"epoch\",\"expiration\":"
                           "\"1970-01-01T00:00:01Z\",\"value\":0}]");
    free(text);
    attest_refvals_free(rv);
}
END_TEST

/* ---- stores ---- */

static void round_trip(const char *type, const char *path)
{
    attest_refvals *rv = NULL;
    ck_assert_int_eq(attest_refvals_open(&rv, ctx, type, path), ATTEST_OK);
    ck_assert_int_eq(reg(rv, "{\"a\": [\"x\"], \"b\": {\"k\": true}}"), ATTEST_OK);
    ck_assert_int_eq(attest_refvals_set(rv, "c", "3", 0), ATTEST_OK);
    ck_assert_int_eq(attest_refvals_delete(rv, "b"), ATTEST_OK);
    ck_assert_int_eq(reg(rv, "{\"a\": \"y\"}"), ATTEST_OK);
    ck_assert_str_eq(q(rv, "a"), "\"y\"");
    ck_assert_str_eq(q(rv, "b"), "(none)");
    ck_assert_str_eq(q(rv, "c"), "3");
    attest_refvals_free(rv);
    if (path == NULL)
        return;
    /* close and reopen: the same values, expiry included */
    rv = NULL;
    ck_assert_int_eq(attest_refvals_open(&rv, ctx, type, path), ATTEST_OK);
    ck_assert_str_eq(names(rv, 0), "[\"a\",\"c\"]");
    ck_assert_str_eq(q(rv, "a"), "\"y\"");
    ck_assert_str_eq(q(rv, "c"), "3");
    ck_assert_int_eq(attest_ctx_set_time(ctx, T0_EXP + 1), ATTEST_OK);
    ck_assert_str_eq(q(rv, "a"), "(none)");
    attest_refvals_free(rv);
}

START_TEST(test_refvals_store_round_trips)
{
    char path[512], *text;

    round_trip("memory", NULL);
    ck_assert_int_eq(attest_ctx_set_time(ctx, T0), ATTEST_OK);
    round_trip("LocalJson", in_base(path, "rv.json"));
    text = read_text(path);
    ck_assert_str_eq(text, "[{\"version\":\"0.1.0\",\"name\":\"a\",\"expiration\":\""
                           T0_EXP_TEXT "\",\"value\":\"y\"},{\"version\":\"0.1.0\","
                           "\"name\":\"c\",\"expiration\":\"" T0_EXP_TEXT "\",\"value\":3}]");
    free(text);
    ck_assert_uint_eq(dir_entries(base), 1); /* no temporary file left */
    ck_assert_int_eq(attest_ctx_set_time(ctx, T0), ATTEST_OK);
    round_trip("LocalFs", in_base(path, "fs/")); /* created; a trailing '/' is fine */
    text = read_text(in_base(path, "fs/a"));
    ck_assert_str_eq(text, "{\"version\":\"0.1.0\",\"name\":\"a\",\"expiration\":\""
                           T0_EXP_TEXT "\",\"value\":\"y\"}");
    free(text);
    ck_assert_uint_eq(dir_entries(in_base(path, "fs")), 2);
}
END_TEST

START_TEST(test_refvals_open_arguments)
{
    attest_refvals *rv = NULL;
    char path[512];

    expect_error(attest_refvals_open(&rv, ctx, "Postgres", NULL), ATTEST_E_UNSUPPORTED,
                 "store type \"Postgres\" is not supported");
    expect_error(attest_refvals_open(&rv, ctx, "memory", "/tmp"), ATTEST_E_ARG, "no path");
    expect_error(attest_refvals_open(&rv, ctx, "LocalJson", NULL), ATTEST_E_ARG,
                 "needs a path");
    expect_error(attest_refvals_open(&rv, ctx, "LocalFs", ""), ATTEST_E_ARG, "needs a path");
    expect_error(attest_refvals_open(&rv, ctx, "LocalJson", in_base(path, "d/")),
                 ATTEST_E_ARG, "names a directory");
    expect_error(attest_refvals_open(&rv, ctx, "LocalJson", in_base(path, "no/rv.json")),
                 ATTEST_E_IO, "cannot hold a new file");
    expect_error(attest_refvals_open(&rv, ctx, "LocalFs", in_base(path, "no/fs")),
                 ATTEST_E_IO, "cannot be created");
    write_text(in_base(path, "file"), "x");
    expect_error(attest_refvals_open(&rv, ctx, "LocalFs", path), ATTEST_E_IO,
                 "is not a directory");
    ck_assert_int_eq(attest_refvals_open(&rv, NULL, "memory", NULL), ATTEST_E_ARG);
    ck_assert_int_eq(attest_refvals_open(NULL, ctx, "memory", NULL), ATTEST_E_ARG);
    ck_assert_int_eq(attest_refvals_open(&rv, ctx, NULL, NULL), ATTEST_E_ARG);
    ck_assert_ptr_null(rv);
}
END_TEST

/*
 * Make dir read-only for this process: mode 0555 and, as root (who writes anyway), the
 * effective uid "nobody" until writable() (the saved uid stays 0, so it can come back).
 */
static void read_only(const char *dir)
{
    ck_assert_int_eq(chmod(dir, 0555), 0);
    if (getuid() == 0)
        ck_assert_msg(seteuid(65534) == 0, "seteuid: %s", strerror(errno));
}

static void writable(const char *dir)
{
    if (getuid() == 0)
        ck_assert_int_eq(seteuid(0), 0);
    ck_assert_int_eq(chmod(dir, 0755), 0);
}

static void read_only_case(const char *type, const char *path, const char *dir,
                           const char *probe)
{
    attest_refvals *rv = NULL;
    ck_assert_int_eq(attest_refvals_open(&rv, ctx, type, path), ATTEST_OK);
    ck_assert_int_eq(reg(rv, "{\"a\": 1, \"b\": 2}"), ATTEST_OK);
    char *before = read_text(probe);
    ck_assert_ptr_nonnull(before);
    size_t entries = dir_entries(dir);

    read_only(dir);
    attest_status r1 = reg(rv, "{\"a\": 10, \"new\": 3}");
    attest_status r2 = attest_refvals_set(rv, "b", "20", 0);
    attest_status r3 = attest_refvals_delete(rv, "b");
    writable(dir);
    expect_error(r3, ATTEST_E_IO, "refvals: ");
    ck_assert_int_eq(r1, ATTEST_E_IO);
    ck_assert_int_eq(r2, ATTEST_E_IO);

    /* the handle and the files are as they were */
    ck_assert_str_eq(q(rv, "a"), "1");
    ck_assert_str_eq(q(rv, "b"), "2");
    ck_assert_str_eq(q(rv, "new"), "(none)");
    char *after = read_text(probe);
    ck_assert_str_eq(after, before);
    ck_assert_uint_eq(dir_entries(dir), entries);
    free(before);
    free(after);
    attest_refvals_free(rv);
    rv = NULL;
    ck_assert_int_eq(attest_refvals_open(&rv, ctx, type, path), ATTEST_OK);
    ck_assert_str_eq(names(rv, 0), "[\"a\",\"b\"]");
    ck_assert_str_eq(q(rv, "a"), "1");
    attest_refvals_free(rv);
}

START_TEST(test_refvals_read_only_directory_gives_io)
{
    char json_dir[512], json[512], fs[512], probe[512];

    ck_assert_int_eq(mkdir(in_base(json_dir, "j"), 0755), 0);
    read_only_case("LocalJson", in_base(json, "j/rv.json"), json_dir, json);
    read_only_case("LocalFs", in_base(fs, "fs"), fs, in_base(probe, "fs/b"));
}
END_TEST

/* ---- Trustee's layouts, written by hand as its serde_json writes them ---- */

START_TEST(test_refvals_loads_trustee_local_json_array)
{
    char path[512];
    attest_refvals *rv = NULL;

    /* rvps/src/storage/local_json: an array of records; "version" defaults; a record of
     * the format before 2025-06 ("expired", "hash-value") reads as its hash values */
    write_text(in_base(path, "reference_values.json"),
               "[{\"version\":\"0.1.0\",\"name\":\"snp_launch_measurement\",\"expiration\":"
               "\"2026-08-21T12:00:00Z\",\"value\":[\"8a5e\",\"77f0\"]},"
               "{\"name\":\"svn\",\"expiration\":\"2020-01-01T00:00:00Z\",\"value\":3},"
               "{\"version\":\"0.1.0\",\"name\":\"kernel\",\"expired\":\"2026-01-01T00:00:00Z\","
               "\"hash-value\":[{\"alg\":\"sha384\",\"value\":\"aa\"},{\"alg\":\"sha256\","
               "\"value\":\"bb\"}]}]");
    ck_assert_int_eq(attest_refvals_open(&rv, ctx, "LocalJson", path), ATTEST_OK);
    ck_assert_str_eq(q(rv, "snp_launch_measurement"), "[\"8a5e\",\"77f0\"]");
    ck_assert_str_eq(q(rv, "svn"), "(none)"); /* expired in 2020 */
    ck_assert_str_eq(q(rv, "kernel"), "[\"aa\",\"bb\"]");
    ck_assert_str_eq(names(rv, ATTEST_REFVALS_LIST_EXPIRED),
                     "[\"kernel\",\"snp_launch_measurement\",\"svn\"]");
    /* a write keeps the layout and the order, replacing in place */
    ck_assert_int_eq(attest_refvals_set(rv, "svn", "4", 1893456000), ATTEST_OK);
    char *text = read_text(path);
    ck_assert_str_eq(text, "[{\"version\":\"0.1.0\",\"name\":\"snp_launch_measurement\","
                           "\"expiration\":\"2026-08-21T12:00:00Z\",\"value\":[\"8a5e\","
                           "\"77f0\"]},{\"version\":\"0.1.0\",\"name\":\"svn\",\"expiration\":"
                           "\"2030-01-01T00:00:00Z\",\"value\":4},{\"version\":\"0.1.0\","
                           "\"name\":\"kernel\",\"expiration\":\"2026-01-01T00:00:00Z\","
                           "\"value\":[\"aa\",\"bb\"]}]");
    free(text);
    attest_refvals_free(rv);
}
END_TEST

START_TEST(test_refvals_loads_trustee_key_value_stores)
{
    static const char record[] = "{\"version\":\"0.1.0\",\"name\":\"snp_launch_measurement\","
                                 "\"expiration\":\"2026-08-21T12:00:00Z\",\"value\":[\"8a5e\"]}";
    char path[512], file[512], *text;
    attest_refvals *rv = NULL;

    /* deps/key-value-storage local_json: <file_dir_path>/reference_value, an object of
     * URL-safe padded base64 records */
    char *b64 = attest_b64__encode(ATTEST_B64_URL, (const uint8_t *)record, strlen(record));
    size_t n = strlen(b64) + 128;
    char *obj = malloc(n);
    snprintf(obj, n, "{\"snp_launch_measurement\":\"%s%s\"}", b64,
             strlen(b64) % 4 == 2 ? "==" : strlen(b64) % 4 == 3 ? "=" : "");
    ck_assert_int_eq(mkdir(in_base(path, "local_json"), 0755), 0);
    write_text(in_base(path, "local_json/reference_value"), obj);
    ck_assert_int_eq(attest_refvals_open(&rv, ctx, "LocalJson", path), ATTEST_OK);
    ck_assert_str_eq(q(rv, "snp_launch_measurement"), "[\"8a5e\"]");
    ck_assert_int_eq(attest_refvals_set(rv, "snp_launch_measurement", "[\"8a5e\"]",
                                        1787313600), ATTEST_OK); /* the same record */
    text = read_text(path);
    ck_assert_str_eq(text, obj); /* written back byte for byte, in the object layout */
    free(text);
    attest_refvals_free(rv);
    free(obj);
    free(b64);
    /* its README's TTL entries are refused, not dropped */
    write_text(path, "{\"session\":{\"value\":\"MjM0Cg==\",\"expires_at\":1767225600000}}");
    expect_error(attest_refvals_open(&rv, ctx, "LocalJson", path), ATTEST_E_UNSUPPORTED,
                 "with a TTL");

    /* deps/key-value-storage local_fs: <dir_path>/reference_value/<name>, raw records */
    ck_assert_int_eq(mkdir(in_base(path, "local_fs"), 0755), 0);
    ck_assert_int_eq(mkdir(in_base(path, "local_fs/reference_value"), 0755), 0);
    write_text(in_base(file, "local_fs/reference_value/snp_launch_measurement"), record);
    write_text(in_base(file, "local_fs/reference_value/.refvals.Xy12Zz"), "crash leftover");
    ck_assert_int_eq(attest_refvals_open(&rv, ctx, "LocalFs", path), ATTEST_OK);
    ck_assert_str_eq(q(rv, "snp_launch_measurement"), "[\"8a5e\"]");
    ck_assert_str_eq(names(rv, 0), "[\"snp_launch_measurement\"]");
    attest_refvals_free(rv);
    rv = NULL;
    /* a key with '/' (written "\x2F") is not a name we take */
    write_text(in_base(file, "local_fs/reference_value/a\\x2Fb"), record);
    expect_error(attest_refvals_open(&rv, ctx, "LocalFs", path), ATTEST_E_UNSUPPORTED,
                 "(holds '/')");
    ck_assert_int_eq(unlink(file), 0);
    /* a file that holds the record of another name */
    write_text(in_base(file, "local_fs/reference_value/other"), record);
    expect_error(attest_refvals_open(&rv, ctx, "LocalFs", path), ATTEST_E_PARSE,
                 "holds the record of \"snp_launch_measurement\"");
    ck_assert_ptr_null(rv);
}
END_TEST

START_TEST(test_refvals_refuses_sled_and_damaged_stores)
{
    char path[512], file[512];
    attest_refvals *rv = NULL;

    /* rvps/src/storage/local_fs before key-value-storage: a sled database */
    ck_assert_int_eq(mkdir(in_base(path, "sled"), 0755), 0);
    write_text(in_base(file, "sled/conf"), "segment_size: 524288\nuse_compression: false\n"
                                           "version: 0.34\n\x12\x34\x56\x78");
    write_text(in_base(file, "sled/db"), "");
    expect_error(attest_refvals_open(&rv, ctx, "LocalFs", path), ATTEST_E_UNSUPPORTED,
                 "is a sled database");

    static const struct {
        const char *text, *substring;
    } damaged[] = {
        {"{", "JSON"},
        {"", "JSON value expected"},
        {"3", "is not a store (got a number"},
        {"[1]", "is not a store"},
        {"[\"x\"]", "[0] is not a record (got a string, want an object)"},
        {"[{\"name\":\"a\",\"value\":1}]", "[0] expiration is missing"},
        {"[{\"name\":\"a\",\"expiration\":\"2026-13-01T00:00:00Z\",\"value\":1}]",
         "[0] expiration is not a time (got \"2026-13-01T00:00:00Z\""},
        {"[{\"name\":\"a\",\"expiration\":\"2026-02-29T00:00:00Z\",\"value\":1}]",
         "not a time"},
        {"[{\"name\":\"a\",\"expiration\":\"2026-01-01 00:00:00\",\"value\":1}]", "not a time"},
        {"[{\"name\":\"a\",\"expiration\":\"2026-01-01T00:00:00Z\"}]", "value is missing"},
        {"[{\"expiration\":\"2026-01-01T00:00:00Z\",\"value\":1}]", "name is missing"},
        {"[{\"name\":\"../a\",\"expiration\":\"2026-01-01T00:00:00Z\",\"value\":1}]",
         "is not one libattest accepts (starts with '.')"},
        {"[{\"name\":\"a\",\"expiration\":\"2026-01-01T00:00:00Z\",\"value\":1},"
         "{\"name\":\"a\",\"expiration\":\"2027-01-01T00:00:00Z\",\"value\":2}]",
         "holds \"a\" twice"},
        {"{\"a\":\"!!\"}", "is not URL-safe base64"},
        {"{\"a\":\"e30=\"}", "member \"a\" name is missing"}, /* the record {} */
        {"{\"a\":\"e30\"}", "member \"a\" name is missing"},  /* padding optional */
        {"{\"a\":3}", "member \"a\" is not a string (got a number)"},
    };
    in_base(path, "rv.json");
    for (size_t i = 0; i < sizeof(damaged) / sizeof(damaged[0]); i++) {
        write_text(path, damaged[i].text);
        attest_status rc = attest_refvals_open(&rv, ctx, "LocalJson", path);
        ck_assert_msg(rc == ATTEST_E_PARSE || rc == ATTEST_E_UNSUPPORTED, "case %zu: %d", i,
                      (int)rc);
        ck_assert_msg(strstr(attest_ctx_last_error(ctx), damaged[i].substring) != NULL,
                      "case %zu: message \"%s\" lacks \"%s\"", i, attest_ctx_last_error(ctx),
                      damaged[i].substring);
    }
    ck_assert_ptr_null(rv);
}
END_TEST

START_TEST(test_refvals_symbolic_links)
{
    char path[512], link[512], file[512], *text;
    attest_refvals *rv = NULL;

    /* a LocalJson file reached through a link is written through it; the link stays */
    ck_assert_int_eq(mkdir(in_base(path, "real"), 0755), 0);
    write_text(in_base(path, "real/rv.json"), "[]");
    ck_assert_int_eq(symlink(path, in_base(link, "rv.json")), 0);
    ck_assert_int_eq(attest_refvals_open(&rv, ctx, "LocalJson", link), ATTEST_OK);
    ck_assert_int_eq(attest_refvals_set(rv, "a", "1", 0), ATTEST_OK);
    attest_refvals_free(rv);
    rv = NULL;
    struct stat st;
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    text = read_text(path);
    ck_assert_str_eq(text, "[{\"version\":\"0.1.0\",\"name\":\"a\",\"expiration\":\""
                           T0_EXP_TEXT "\",\"value\":1}]");
    free(text);

    /* a LocalFs record is never read through a link, nor is a directory a record */
    ck_assert_int_eq(mkdir(in_base(path, "fs"), 0755), 0);
    ck_assert_int_eq(symlink("/etc/passwd", in_base(file, "fs/passwd")), 0);
    expect_error(attest_refvals_open(&rv, ctx, "LocalFs", path), ATTEST_E_PARSE,
                 "fs/passwd is a symbolic link");
    ck_assert_int_eq(unlink(file), 0);
    ck_assert_int_eq(mkdir(in_base(file, "fs/sub"), 0755), 0);
    expect_error(attest_refvals_open(&rv, ctx, "LocalFs", path), ATTEST_E_IO,
                 "fs/sub is not a regular file");
    ck_assert_ptr_null(rv);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("refvals");
    TCase *tc = tcase_create("message");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_refvals_register_query_round_trip);
    tcase_add_test(tc, test_refvals_values_are_kept_verbatim);
    tcase_add_test(tc, test_refvals_rejects_malformed_messages);
    tcase_add_test(tc, test_refvals_rejects_escaping_names);
    suite_add_tcase(s, tc);
    tc = tcase_create("expiry");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_refvals_expiry_at_the_ctx_time);
    tcase_add_test(tc, test_refvals_expiration_is_written_as_trustee_does);
    suite_add_tcase(s, tc);
    tc = tcase_create("store");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_refvals_store_round_trips);
    tcase_add_test(tc, test_refvals_open_arguments);
    tcase_add_test(tc, test_refvals_read_only_directory_gives_io);
    tcase_add_test(tc, test_refvals_loads_trustee_local_json_array);
    tcase_add_test(tc, test_refvals_loads_trustee_key_value_stores);
    tcase_add_test(tc, test_refvals_refuses_sled_and_damaged_stores);
    tcase_add_test(tc, test_refvals_symbolic_links);
    suite_add_tcase(s, tc);
    return s;
}
