/*
 * A small strict JSON reader (RFC 8259) for evidence formats. Never installed.
 *
 * Why not cJSON here: SNP evidence as Trustee writes it is mostly arrays of byte values
 * (a certificate is ~1,400 numbers), and cJSON spends a malloc and a locale-aware strtod
 * on each: that cost more than the report's ECDSA verify. This reader keeps every value
 * in one growing array (no per-value allocation), reads integer literals without strtod,
 * and rejects what cJSON lets through: duplicate object keys, member names holding NUL
 * (which other readers cut short), invalid UTF-8, trailing bytes and nesting deeper than
 * ATTEST_JSON_DEPTH_MAX.
 *
 * An array that holds only byte values (serde's Vec<u8>) is stored as those bytes, one
 * node for the whole array, so a certificate costs one value, not 1,400.
 *
 * Values are addressed by index; 0 is the root. A document borrows the input text and
 * must not outlive it.
 */
#ifndef ATTEST_JSON_H
#define ATTEST_JSON_H

#include "internal.h"

#define ATTEST_JSON_DEPTH_MAX 64
#define ATTEST_JSON_NONE UINT32_MAX /* "no such value" */

enum attest_json_type {
    ATTEST_JSON_NULL,
    ATTEST_JSON_FALSE,
    ATTEST_JSON_TRUE,
    ATTEST_JSON_NUMBER,
    ATTEST_JSON_STRING,
    ATTEST_JSON_ARRAY,
    ATTEST_JSON_OBJECT,
};

struct attest_json_value {
    enum attest_json_type type;
    bool is_uint;        /* NUMBER: a plain integer literal within uint64 */
    uint64_t uint;       /* NUMBER with is_uint */
    const char *str;     /* STRING: decoded UTF-8 (may hold NUL); NUMBER: the literal */
    size_t str_len;
    const char *key;     /* member of an OBJECT: its decoded name */
    size_t key_len;
    const uint8_t *bytes; /* ARRAY of only integer literals 0..255 (at least one): the
                           * values, count of them, and then no member values (first is
                           * ATTEST_JSON_NONE); NULL for any other array */
    uint32_t count;      /* ARRAY/OBJECT: number of members */
    uint32_t first;      /* ARRAY/OBJECT: index of the first member, or ATTEST_JSON_NONE */
    uint32_t next;       /* the next member of the same parent, or ATTEST_JSON_NONE */
    const char *text;    /* the value's exact source text (for re-hashing it unchanged) */
    size_t text_len;
};

struct attest_json {
    struct attest_json_value *v; /* v[0] is the root */
    uint32_t n, cap;
    char *strings;               /* decoded strings that held escapes */
    size_t strings_len, strings_cap;
};

/*
 * Parse exactly len bytes (surrounding whitespace allowed). On failure the ctx message
 * reads "<what>: JSON <reason> at byte <offset>" and *doc is left empty.
 */
attest_status attest_json__parse(attest_ctx *ctx, const char *what, const char *text,
                                 size_t len, struct attest_json *doc);
void attest_json__free(struct attest_json *doc);

/* The member of object obj named key (exact bytes), or ATTEST_JSON_NONE. */
uint32_t attest_json__get(const struct attest_json *doc, uint32_t obj, const char *key);

/* Type test that accepts ATTEST_JSON_NONE (false). */
bool attest_json__is(const struct attest_json *doc, uint32_t i, enum attest_json_type t);

/* A NUMBER that is an integer in [0, max] into *out. */
bool attest_json__uint(const struct attest_json *doc, uint32_t i, uint64_t max, uint64_t *out);

/* An ARRAY of exactly n integers in [0, 255] into out (serde's Vec<u8> and [u8; N]). */
bool attest_json__bytes(const struct attest_json *doc, uint32_t i, uint8_t *out, size_t n);

/* A STRING as a NUL-terminated C string, or NULL when it is not a string or holds NUL. */
const char *attest_json__cstr(const struct attest_json *doc, uint32_t i);

#endif
