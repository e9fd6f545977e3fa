/* The context: clock, trust and collateral sources, log sink, last error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/crypto.h>

#include "ctx_cache.h"
#include "internal.h"

#define ERRMSG_MAX 512
#define PATHS_MAX 64

struct path_list {
    char *items[PATHS_MAX];
    size_t count;
};

/* Immutable things worth keeping between verifications (parsed roots, verified chains). */
#define CACHE_SLOTS 64

struct cache_slot {
    uint8_t key[32];
    void *value; /* NULL: empty */
    void (*free_fn)(void *);
};

struct attest_ctx {
    struct cache_slot cache[CACHE_SLOTS];
    size_t cache_next; /* round-robin eviction */
    int64_t time;                /* 0: now */
    struct path_list trust_dirs; /* attest_ctx_add_trust_dir */
    struct path_list collateral; /* attest_ctx_add_collateral */
    attest_collateral_fn collateral_fn;
    void *collateral_payload;
    attest_log_fn log_fn;
    void *log_payload;
    attest_log_level log_max;
    attest_status last_status;
    char errmsg[ERRMSG_MAX];
};

struct attest_collateral_reply {
    uint8_t *data;
    size_t len;
};

attest_status attest_ctx_new(attest_ctx **out)
{
    if (out == NULL)
        return ATTEST_E_ARG;
    attest_ctx *ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL)
        return ATTEST_E_NOMEM;
    ctx->log_max = ATTEST_LOG_WARN;
    *out = ctx;
    return ATTEST_OK;
}

static void path_list_clear(struct path_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    l->count = 0;
}

void attest_ctx_free(attest_ctx *ctx)
{
    if (ctx == NULL)
        return;
    path_list_clear(&ctx->trust_dirs);
    path_list_clear(&ctx->collateral);
    attest_ctx__cache_clear(ctx);
    OPENSSL_cleanse(ctx, sizeof(*ctx));
    free(ctx);
}

const char *attest_ctx_last_error(const attest_ctx *ctx)
{
    return ctx == NULL ? "" : ctx->errmsg;
}

attest_status attest_ctx_last_status(const attest_ctx *ctx)
{
    return ctx == NULL ? ATTEST_OK : ctx->last_status;
}

static void vlog(attest_ctx *ctx, attest_log_level level, const char *fmt, va_list ap)
{
    char line[ERRMSG_MAX];

    if (ctx->log_fn == NULL || level > ctx->log_max)
        return;
    vsnprintf(line, sizeof(line), fmt, ap);
    ctx->log_fn(level, line, ctx->log_payload);
}

void attest_ctx__log(attest_ctx *ctx, attest_log_level level, const char *fmt, ...)
{
    va_list ap;

    if (ctx == NULL)
        return;
    va_start(ap, fmt);
    vlog(ctx, level, fmt, ap);
    va_end(ap);
}

attest_status attest_ctx__error(attest_ctx *ctx, attest_status code, const char *fmt, ...)
{
    va_list ap;

    if (ctx == NULL)
        return code;
    va_start(ap, fmt);
    vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
    va_end(ap);
    ctx->last_status = code;
    attest_ctx__log(ctx, ATTEST_LOG_ERROR, "%s", ctx->errmsg);
    return code;
}

attest_status attest_ctx_set_time(attest_ctx *ctx, int64_t unix_seconds)
{
    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (unix_seconds < 0)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "ctx: time is negative (got %lld)",
                                 (long long)unix_seconds);
    ctx->time = unix_seconds;
    return ATTEST_OK;
}

int64_t attest_ctx_time(const attest_ctx *ctx)
{
    if (ctx != NULL && ctx->time != 0)
        return ctx->time;
    return (int64_t)time(NULL);
}

static attest_status path_list_add(attest_ctx *ctx, struct path_list *l, const char *what,
                                   const char *path, bool dir_only)
{
    struct stat st;

    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (path == NULL || path[0] == '\0')
        return attest_ctx__error(ctx, ATTEST_E_ARG, "ctx: %s path is empty", what);
    if (stat(path, &st) != 0)
        return attest_ctx__error(ctx, ATTEST_E_IO, "ctx: %s %s cannot be read (errno %d, %s)",
                                 what, path, errno, strerror(errno));
    if (!S_ISDIR(st.st_mode) && (dir_only || !S_ISREG(st.st_mode)))
        return attest_ctx__error(ctx, ATTEST_E_IO, "ctx: %s %s is not a %s", what, path,
                                 dir_only ? "directory" : "directory or regular file");
    if (l->count == PATHS_MAX)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "ctx: more than %d %s paths", PATHS_MAX,
                                 what);
    attest_ctx__cache_clear(ctx); /* what was derived from the old sources may change */
    char *copy = strdup(path);
    if (copy == NULL)
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "ctx: out of memory");
    l->items[l->count++] = copy;
    return ATTEST_OK;
}

attest_status attest_ctx_add_trust_dir(attest_ctx *ctx, const char *path)
{
    return path_list_add(ctx, ctx == NULL ? NULL : &ctx->trust_dirs, "trust dir", path, true);
}

attest_status attest_ctx_add_collateral(attest_ctx *ctx, const char *path)
{
    return path_list_add(ctx, ctx == NULL ? NULL : &ctx->collateral, "collateral", path,
                         false);
}

size_t attest_ctx__trust_dir_count(const attest_ctx *ctx)
{
    return ctx->trust_dirs.count;
}

const char *attest_ctx__trust_dir(const attest_ctx *ctx, size_t i)
{
    return i < ctx->trust_dirs.count ? ctx->trust_dirs.items[i] : NULL;
}

size_t attest_ctx__collateral_count(const attest_ctx *ctx)
{
    return ctx->collateral.count;
}

const char *attest_ctx__collateral(const attest_ctx *ctx, size_t i)
{
    return i < ctx->collateral.count ? ctx->collateral.items[i] : NULL;
}

attest_status attest_ctx_set_collateral_fn(attest_ctx *ctx, attest_collateral_fn fn,
                                           void *payload)
{
    if (ctx == NULL)
        return ATTEST_E_ARG;
    attest_ctx__cache_clear(ctx);
    ctx->collateral_fn = fn;
    ctx->collateral_payload = fn == NULL ? NULL : payload;
    return ATTEST_OK;
}

attest_status attest_ctx_set_log_fn(attest_ctx *ctx, attest_log_level max_level,
                                    attest_log_fn fn, void *payload)
{
    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (max_level < ATTEST_LOG_ERROR || max_level > ATTEST_LOG_DEBUG)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "ctx: log level %d out of range",
                                 (int)max_level);
    ctx->log_fn = fn;
    ctx->log_payload = fn == NULL ? NULL : payload;
    ctx->log_max = max_level;
    return ATTEST_OK;
}

attest_status attest_collateral_reply_set(attest_collateral_reply *reply, const uint8_t *data,
                                          size_t len)
{
    if (reply == NULL || data == NULL || len == 0 || reply->data != NULL)
        return ATTEST_E_ARG;
    reply->data = malloc(len);
    if (reply->data == NULL)
        return ATTEST_E_NOMEM;
    memcpy(reply->data, data, len);
    reply->len = len;
    return ATTEST_OK;
}

attest_status attest_ctx__collateral_fetch(attest_ctx *ctx, const char *tee,
                                           const char *kind, const char *key, uint8_t **out,
                                           size_t *out_len)
{
    struct attest_collateral_reply reply = {NULL, 0};

    if (ctx->collateral_fn == NULL)
        return ATTEST_E_NOT_FOUND;
    attest_status rc = ctx->collateral_fn(tee, kind, key, &reply, ctx->collateral_payload);
    if (rc == ATTEST_OK && reply.data == NULL)
        rc = attest_ctx__error(ctx, ATTEST_E_NOT_FOUND,
                               "%s: collateral callback returned no %s for %s", tee, kind,
                               key);
    else if (rc != ATTEST_OK && rc != ATTEST_E_NOT_FOUND)
        rc = attest_ctx__error(ctx, rc, "%s: collateral callback failed for %s %s (%s)", tee,
                               kind, key, attest_strerror(rc));
    if (rc != ATTEST_OK) {
        free(reply.data);
        return rc;
    }
    *out = reply.data;
    *out_len = reply.len;
    return ATTEST_OK;
}

void *attest_ctx__cache_get(attest_ctx *ctx, const uint8_t key[32])
{
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        if (ctx->cache[i].value != NULL && memcmp(ctx->cache[i].key, key, 32) == 0)
            return ctx->cache[i].value;
    return NULL;
}

bool attest_ctx__cache_put(attest_ctx *ctx, const uint8_t key[32], void *value,
                           void (*free_fn)(void *))
{
    struct cache_slot *s = NULL;
    for (size_t i = 0; i < CACHE_SLOTS && s == NULL; i++)
        if (ctx->cache[i].value == NULL)
            s = &ctx->cache[i];
    if (s == NULL) {
        s = &ctx->cache[ctx->cache_next];
        ctx->cache_next = (ctx->cache_next + 1) % CACHE_SLOTS;
        s->free_fn(s->value);
    }
    memcpy(s->key, key, 32);
    s->value = value;
    s->free_fn = free_fn;
    return true;
}

void attest_ctx__cache_clear(attest_ctx *ctx)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        if (ctx->cache[i].value != NULL) {
            ctx->cache[i].free_fn(ctx->cache[i].value);
            ctx->cache[i].value = NULL;
        }
}
