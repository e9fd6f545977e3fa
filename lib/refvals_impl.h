/*
 * Shared by lib/refvals.c (the API, RVPS messages, changes), lib/refvals_record.c (JSON
 * text, times, records) and lib/refvals_store.c (the LocalJson and LocalFs files). Never
 * installed.
 */
#ifndef ATTEST_REFVALS_IMPL_H
#define ATTEST_REFVALS_IMPL_H

#include "attest/refvals.h"
#include "internal.h"
#include "json.h"

#define RV_VERSION "0.1.0"          /* rvps/src/lib.rs MESSAGE_VERSION, REFERENCE_VALUE_VERSION */
#define RV_EXP_MIN (-62167219200LL) /* 0000-01-01T00:00:00Z: the range of a 4-digit %Y */
#define RV_EXP_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */
#define RV_PATH_MAX 4096

enum rv_kind { RV_MEMORY, RV_LOCAL_JSON, RV_LOCAL_FS };

/* LocalJson files come in two layouts (lib/refvals_store.c). */
enum rv_layout { RV_ARRAY, RV_OBJECT };

struct rv_entry {
    char *name;
    char *version; /* the record's own version, kept when the record is rewritten */
    int64_t exp;   /* expiration, unix seconds; present while ctx time <= exp */
    char *value;   /* compact JSON */
};

struct attest_refvals {
    attest_ctx *ctx;
    enum rv_kind kind;
    enum rv_layout layout;
    unsigned int mode; /* permission bits for files written */
    char *path;        /* LocalJson: the file; LocalFs: the directory */
    char *dir;         /* the directory files are replaced in */
    struct rv_entry *e;
    size_t n, cap;
};

/* A growing NUL-terminated text; oom latches an allocation failure. */
struct rv_buf {
    char *p;
    size_t len, cap;
    bool oom;
};

void rv_buf_put(struct rv_buf *b, const char *s, size_t n);
void rv_buf_cstr(struct rv_buf *b, const char *s);
/* s as a JSON string, escaped as serde_json writes it. */
void rv_buf_str(struct rv_buf *b, const char *s, size_t n);
/* Value i of d as compact JSON; numbers keep their literal. */
void rv_buf_value(struct rv_buf *b, const struct attest_json *d, uint32_t i);

attest_status rv_nomem(attest_ctx *ctx);
/* Up to 40 bytes of s for a message, anything but printable ASCII shown as '?'. */
const char *rv_show(char buf[48], const char *s, size_t n);
/* NULL when s[0..n) is a valid name, else why not ("holds '/'"). */
const char *rv_name_problem(const char *s, size_t n);
const char *rv_json_type_name(const struct attest_json *d, uint32_t i);

/* t plus 12 calendar months (29 February -> 28 February), false past RV_EXP_MAX. */
bool rv_plus_year(int64_t t, int64_t *out);

/* e as its stored record (serde_json of Trustee's ReferenceValue). */
void rv_buf_record(struct rv_buf *b, const struct rv_entry *e);
/* The record at d[i] into out; where names it in messages ("<file>[3]", "<dir>/<name>"). */
attest_status rv_parse_record(attest_ctx *ctx, const char *where, const struct attest_json *d,
                              uint32_t i, struct rv_entry *out);

void rv_entry_clear(struct rv_entry *e);
/* Fill e (copies name and version); value is taken from vb. */
attest_status rv_entry_set(attest_ctx *ctx, struct rv_entry *e, const char *name,
                           size_t name_len, const char *version, int64_t exp,
                           struct rv_buf *vb);
/* Append e to r, taking it (cleared on failure too). */
attest_status rv_push(attest_refvals *r, struct rv_entry *e);

/* Read the store at open (creating an empty one). */
attest_status rv_store_load(attest_refvals *r);
/*
 * Make the files hold c[k] (replacing r->e[at[k]], or new when at[k] == SIZE_MAX) for
 * every k < nc, or, with nc == 0, lose r->e[del]; r itself is not changed. *done is how
 * many changes (a delete counts 1) reached the files: all, or none, except after a LocalFs
 * rename that failed half way. It can be all with ATTEST_E_IO: the directory sync failed.
 */
attest_status rv_store_write(attest_refvals *r, const struct rv_entry *c, const size_t *at,
                             size_t nc, size_t del, size_t *done);

#endif /* ATTEST_REFVALS_IMPL_H */
