/* The context: clock, sources, callbacks and the last error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#include "check_main.h"

START_TEST(test_ctx_new_free_and_null)
{
    attest_ctx *ctx = NULL;
    ck_assert_int_eq(attest_ctx_new(NULL), ATTEST_E_ARG);
    ck_assert_int_eq(attest_ctx_new(&ctx), ATTEST_OK);
    ck_assert_str_eq(attest_ctx_last_error(ctx), "");
    ck_assert_int_eq(attest_ctx_last_status(ctx), ATTEST_OK);
    attest_ctx_free(ctx);
    attest_ctx_free(NULL);
    ck_assert_str_eq(attest_ctx_last_error(NULL), "");
}
END_TEST

START_TEST(test_ctx_time_is_injectable)
{
    attest_ctx *ctx;
    ck_assert_int_eq(attest_ctx_new(&ctx), ATTEST_OK);
    int64_t before = (int64_t)time(NULL);
    int64_t now = attest_ctx_time(ctx);
    ck_assert(now >= before && now <= before + 5);
    ck_assert_int_eq(attest_ctx_set_time(ctx, 1700000000), ATTEST_OK);
    ck_assert_int_eq(attest_ctx_time(ctx), 1700000000);
    ck_assert_int_eq(attest_ctx_set_time(ctx, -1), ATTEST_E_ARG);
    ck_assert_int_eq(attest_ctx_time(ctx), 1700000000);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "negative"));
    ck_assert_int_eq(attest_ctx_last_status(ctx), ATTEST_E_ARG);
    ck_assert_int_eq(attest_ctx_set_time(ctx, 0), ATTEST_OK);
    ck_assert(attest_ctx_time(ctx) >= before);
    ck_assert_int_eq(attest_ctx_set_time(NULL, 1), ATTEST_E_ARG);
    attest_ctx_free(ctx);
}
END_TEST

START_TEST(test_ctx_sources_must_exist)
{
    attest_ctx *ctx;
    ck_assert_int_eq(attest_ctx_new(&ctx), ATTEST_OK);
    ck_assert_int_eq(attest_ctx_add_trust_dir(ctx, "/"), ATTEST_OK);
    ck_assert_int_eq(attest_ctx_add_trust_dir(ctx, "/nonexistent/dir"), ATTEST_E_IO);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "/nonexistent/dir"));
    ck_assert_int_eq(attest_ctx_add_trust_dir(ctx, "/dev/null"), ATTEST_E_IO);
    ck_assert_int_eq(attest_ctx_add_trust_dir(ctx, ""), ATTEST_E_ARG);
    ck_assert_int_eq(attest_ctx_add_trust_dir(ctx, NULL), ATTEST_E_ARG);
    ck_assert_int_eq(attest_ctx_add_collateral(ctx, "/etc/hostname"), ATTEST_OK);
    ck_assert_int_eq(attest_ctx_add_collateral(ctx, "/tmp"), ATTEST_OK);
    ck_assert_int_eq(attest_ctx_add_collateral(ctx, "/dev/null"), ATTEST_E_IO);
    ck_assert_uint_eq(attest_ctx__trust_dir_count(ctx), 1);
    ck_assert_str_eq(attest_ctx__trust_dir(ctx, 0), "/");
    ck_assert_uint_eq(attest_ctx__collateral_count(ctx), 2);
    ck_assert_str_eq(attest_ctx__collateral(ctx, 1), "/tmp");
    ck_assert_ptr_null(attest_ctx__collateral(ctx, 2));
    attest_ctx_free(ctx);
}
END_TEST

struct log_capture {
    int calls;
    attest_log_level level;
    char last[256];
};

static void capture_log(attest_log_level level, const char *msg, void *payload)
{
    struct log_capture *c = payload;
    c->calls++;
    c->level = level;
    snprintf(c->last, sizeof(c->last), "%s", msg);
}

START_TEST(test_ctx_log_fn_receives_errors)
{
    attest_ctx *ctx;
    struct log_capture cap = {0};
    ck_assert_int_eq(attest_ctx_new(&ctx), ATTEST_OK);
    ck_assert_int_eq(attest_ctx_set_log_fn(ctx, ATTEST_LOG_WARN, capture_log, &cap),
                     ATTEST_OK);
    ck_assert_int_eq(attest_ctx__error(ctx, ATTEST_E_PARSE, "mod: field %s", "x"),
                     ATTEST_E_PARSE);
    ck_assert_int_eq(cap.calls, 1);
    ck_assert_int_eq(cap.level, ATTEST_LOG_ERROR);
    ck_assert_str_eq(cap.last, "mod: field x");
    attest_ctx__log(ctx, ATTEST_LOG_DEBUG, "filtered");
    ck_assert_int_eq(cap.calls, 1);
    attest_ctx__log(ctx, ATTEST_LOG_WARN, "kept %d", 7);
    ck_assert_int_eq(cap.calls, 2);
    ck_assert_str_eq(cap.last, "kept 7");
    ck_assert_int_eq(attest_ctx_set_log_fn(ctx, (attest_log_level)9, capture_log, &cap),
                     ATTEST_E_ARG);
    ck_assert_int_eq(cap.calls, 3); /* the refusal itself is logged as an error */
    ck_assert_int_eq(attest_ctx_set_log_fn(ctx, ATTEST_LOG_DEBUG, NULL, NULL), ATTEST_OK);
    attest_ctx__log(ctx, ATTEST_LOG_ERROR, "nobody listens");
    ck_assert_int_eq(cap.calls, 3);
    attest_ctx_free(ctx);
}
END_TEST

static attest_status provider(const char *tee, const char *kind, const char *key,
                              attest_collateral_reply *reply, void *payload)
{
    (void)payload;
    if (strcmp(tee, "t") != 0)
        return ATTEST_E_NOT_FOUND;
    if (strcmp(kind, "fail") == 0)
        return ATTEST_E_IO;
    if (strcmp(kind, "empty") == 0)
        return ATTEST_OK;
    ck_assert_int_eq(attest_collateral_reply_set(reply, (const uint8_t *)key, strlen(key)),
                     ATTEST_OK);
    /* once per query */
    ck_assert_int_eq(attest_collateral_reply_set(reply, (const uint8_t *)"x", 1), ATTEST_E_ARG);
    return ATTEST_OK;
}

START_TEST(test_ctx_collateral_fn)
{
    attest_ctx *ctx;
    uint8_t *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(attest_ctx_new(&ctx), ATTEST_OK);
    ck_assert_int_eq(attest_ctx__collateral_fetch(ctx, "t", "vcek", "k", &data, &len),
                     ATTEST_E_NOT_FOUND);
    ck_assert_int_eq(attest_ctx_set_collateral_fn(ctx, provider, NULL), ATTEST_OK);
    ck_assert_int_eq(attest_ctx__collateral_fetch(ctx, "t", "vcek", "abc", &data, &len),
                     ATTEST_OK);
    ck_assert_uint_eq(len, 3);
    ck_assert_int_eq(memcmp(data, "abc", 3), 0);
    free(data);
    data = NULL;
    ck_assert_int_eq(attest_ctx__collateral_fetch(ctx, "other", "vcek", "k", &data, &len),
                     ATTEST_E_NOT_FOUND);
    ck_assert_int_eq(attest_ctx__collateral_fetch(ctx, "t", "fail", "k", &data, &len),
                     ATTEST_E_IO);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "collateral callback failed"));
    ck_assert_int_eq(attest_ctx__collateral_fetch(ctx, "t", "empty", "k", &data, &len),
                     ATTEST_E_NOT_FOUND);
    ck_assert_ptr_null(data);
    ck_assert_int_eq(attest_collateral_reply_set(NULL, (const uint8_t *)"x", 1), ATTEST_E_ARG);
    attest_ctx_free(ctx);
}
END_TEST

START_TEST(test_ctx_ct_equal)
{
    const uint8_t a[] = {1, 2, 3}, b[] = {1, 2, 4};
    ck_assert_int_eq(attest_ct_equal(a, a, 3), 1);
    ck_assert_int_eq(attest_ct_equal(a, b, 3), 0);
    ck_assert_int_eq(attest_ct_equal(a, b, 2), 1);
    ck_assert_int_eq(attest_ct_equal(NULL, b, 2), 0);
    ck_assert_int_eq(attest_ct_equal(NULL, NULL, 0), 1);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("ctx");
    TCase *tc = tcase_create("ctx");
    tcase_add_test(tc, test_ctx_new_free_and_null);
    tcase_add_test(tc, test_ctx_time_is_injectable);
    tcase_add_test(tc, test_ctx_sources_must_exist);
    tcase_add_test(tc, test_ctx_log_fn_receives_errors);
    tcase_add_test(tc, test_ctx_collateral_fn);
    tcase_add_test(tc, test_ctx_ct_equal);
    suite_add_tcase(s, tc);
    return s;
}
