/*
 * libattest internals shared by lib/ and drivers/. Never installed.
 *
 * Cross-file helpers are named attest_<module>__<verb> and are hidden by lib/attest.map.
 */
#ifndef ATTEST_INTERNAL_H
#define ATTEST_INTERNAL_H

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>

#include "attest/attest.h"

/* Largest evidence attest_request_new() accepts; real evidence is at most a few 100 KiB. */
#define ATTEST_EVIDENCE_MAX (16u * 1024u * 1024u)

/*
 * ATTEST_NEVER(cond): a state that cannot happen. Debug builds assert; release builds
 * evaluate to cond so the caller still takes its error path (fail closed).
 */
#ifdef NDEBUG
#define ATTEST_NEVER(cond) (cond)
#else
#define ATTEST_NEVER(cond) (assert(!(cond)), (cond))
#endif

#if defined(__GNUC__)
#define ATTEST_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ATTEST_PRINTF(f, a)
#endif

/*
 * Record a failure on ctx and return code, so each early exit is one statement:
 *     return attest_ctx__error(ctx, ATTEST_E_PARSE, "sample: svn is not a string");
 * Message form: "<tee|module>: <field> <what is wrong> (got X, want Y)".
 */
attest_status attest_ctx__error(attest_ctx *ctx, attest_status code, const char *fmt, ...)
    ATTEST_PRINTF(3, 4);

/* Emit a log line through the ctx's sink, if one is installed and level is wanted. */
void attest_ctx__log(attest_ctx *ctx, attest_log_level level, const char *fmt, ...)
    ATTEST_PRINTF(3, 4);

/* The ordered collateral sources (attest_ctx_add_collateral) and trust directories. */
size_t attest_ctx__trust_dir_count(const attest_ctx *ctx);
const char *attest_ctx__trust_dir(const attest_ctx *ctx, size_t i);
size_t attest_ctx__collateral_count(const attest_ctx *ctx);
const char *attest_ctx__collateral(const attest_ctx *ctx, size_t i);

/*
 * Ask the collateral callback for (tee, kind, key). On ATTEST_OK *out (malloc'd) and
 * *out_len hold the reply; ATTEST_E_NOT_FOUND when no callback is set or it has none.
 */
attest_status attest_ctx__collateral_fetch(attest_ctx *ctx, const char *tee,
                                           const char *kind, const char *key, uint8_t **out,
                                           size_t *out_len);

/* ---- bounds-checked reading of binary input (STYLE.md rule 5) ---- */

struct attest_cursor {
    const uint8_t *buf;
    size_t len;
    size_t off; /* off <= len, always */
};

static inline void attest_cursor_init(struct attest_cursor *c, const uint8_t *buf, size_t len)
{
    c->buf = buf;
    c->len = len;
    c->off = 0;
}

/* Take n bytes; the cursor moves only on success. Subtraction, so it cannot wrap. */
static inline bool attest_cursor_take(struct attest_cursor *c, size_t n, const uint8_t **out)
{
    if (n > c->len - c->off)
        return false;
    *out = c->buf + c->off;
    c->off += n;
    return true;
}

static inline size_t attest_cursor_left(const struct attest_cursor *c)
{
    return c->len - c->off;
}

/* ---- codecs (lib/codec.c) ---- */

/* Lowercase hex of len bytes into out (2 * len + 1 bytes, NUL-terminated). */
void attest_hex__encode(const uint8_t *in, size_t len, char *out);

/* malloc'd lowercase hex string, or NULL on allocation failure. */
char *attest_hex__encode_alloc(const uint8_t *in, size_t len);

/*
 * Decode hex (either case, even length, no separators) of text_len chars into out (cap
 * bytes). Returns false on a bad character, odd length or when it does not fit.
 */
bool attest_hex__decode(const char *text, size_t text_len, uint8_t *out, size_t cap,
                        size_t *out_len);

enum attest_b64_alphabet { ATTEST_B64_STD, ATTEST_B64_URL };

/*
 * Decode base64 (RFC 4648 §4 std or §5 url). Padding is optional but, if present, must
 * be correct; whitespace is rejected; non-zero trailing bits are rejected (so each byte
 * string has exactly one accepted encoding per padding choice). *out is malloc'd (+1 NUL
 * byte, not counted). Returns ATTEST_OK, ATTEST_E_PARSE, ATTEST_E_NOMEM.
 */
attest_status attest_b64__decode(enum attest_b64_alphabet alpha, const char *text,
                                 size_t text_len, uint8_t **out, size_t *out_len);

/* Encode as base64; std pads with '=', url does not. malloc'd NUL-terminated, or NULL. */
char *attest_b64__encode(enum attest_b64_alphabet alpha, const uint8_t *in, size_t len);

/* ---- time (lib/util.c) ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
int64_t attest_days_from_civil(int64_t y, int m, int d);

/* Unix time t as "YYYY-MM-DDTHH:MM:SSZ" (its decimal value if gmtime cannot say). */
void attest_time__format(int64_t t, char *buf, size_t cap);

/* ---- tokens (lib/token.c) ---- */

/* A copy of token options, or NULL on allocation failure. */
attest_token_opts *attest_token__opts_dup(const attest_token_opts *o);

/* ---- binding (lib/binding.c) ---- */

/* What the request expects one evidence field to hold. */
struct attest_expect {
    bool set;
    bool truncate; /* compare the first field-length bytes (Trustee init-data digests) */
    uint8_t value[ATTEST_BINDING_MAX];
    size_t len;
};

/*
 * Compare an expected value with an evidence field: expected zero-padded to field_len must
 * equal the field, in constant time; a longer one is an error unless expect->truncate. An unset expectation passes. On mismatch the message
 * is "<tee>: <field_name> does not match the expected <what> (got ..., want ...)".
 */
attest_status attest_binding__check(attest_ctx *ctx, const char *tee, const char *field_name,
                                    const char *what, const struct attest_expect *expect,
                                    const uint8_t *field, size_t field_len);

/* The EVP_MD name for an algorithm, or NULL. */
const char *attest_hash__evp_name(attest_hash_alg alg);

#endif /* ATTEST_INTERNAL_H */
