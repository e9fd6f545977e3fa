/*
 * Reference values at rest: the LocalJson and LocalFs layouts (records themselves are
 * lib/refvals_record.c's).
 *
 * What Trustee writes, read from confidential-containers/trustee:
 *
 *  - rvps/src/storage/local_json/mod.rs (the RVPS "store_type": "LocalJson",
 *    store_config.file_path, default .../reference_values.json): one file holding a JSON
 *    array of records, created as "[]"; set replaces the record of that name in place or
 *    appends.
 *  - rvps/src/storage/local_fs/mod.rs ("LocalFs", store_config.file_path): a sled
 *    database directory, key = name, value = the record's JSON. sled's on-disk format is
 *    its own (spacejam/sled src/config.rs: a "conf" file starting "segment_size: " beside
 *    a "db" log); we recognise it and refuse it rather than read it as empty.
 *  - deps/key-value-storage/src/local_fs/mod.rs (newer Trustee, "storage_backend"
 *    local_fs.dir_path, RVPS namespace "reference_value" from rvps/src/lib.rs): one file
 *    per key in <dir_path>/reference_value, named after the key ('/' written as "\x2F"),
 *    holding the record's JSON bytes. This is our LocalFs layout.
 *  - deps/key-value-storage/src/local_json/mod.rs (local_json.file_dir_path; the file is
 *    <file_dir_path>/reference_value): a JSON object key -> URL-safe base64 (padded, the
 *    base64 crate's URL_SAFE) of the record's JSON, created as "{}". Its README's TTL form
 *    {"value", "expires_at"} is refused: RVPS never writes it.
 *
 * A LocalJson file is written back in the layout it was read in; a new one is an array.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "refvals_impl.h"

#define STORE_FILE_MAX (64u * 1024u * 1024u) /* a LocalJson file or a LocalFs record */

/* ---- files ---- */

static bool join(char out[RV_PATH_MAX], const char *dir, const char *name)
{
    int n = snprintf(out, RV_PATH_MAX, "%s/%s", dir, name);
    return n > 0 && n < RV_PATH_MAX;
}

static char *parent_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return strdup(".");
    return slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
}

static attest_status io_error(attest_ctx *ctx, const char *what, const char *path)
{
    return attest_ctx__error(ctx, ATTEST_E_IO, "refvals: %s %s (errno %d, %s)", path, what,
                             errno, strerror(errno));
}

/*
 * Read a whole file of at most STORE_FILE_MAX bytes. *missing (and ATTEST_E_NOT_FOUND, no
 * message) when it does not exist. nofollow: a symbolic link is not a regular file.
 */
static attest_status read_file(attest_ctx *ctx, const char *path, bool nofollow, char **out,
                               size_t *out_len)
{
    struct stat st;
    char *buf = NULL;
    size_t len = 0;
    attest_status rc = ATTEST_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));

    if (fd < 0) {
        if (errno == ENOENT)
            return ATTEST_E_NOT_FOUND;
        if (errno == ELOOP && nofollow)
            return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                     "refvals: %s is a symbolic link, not a record file", path);
        return io_error(ctx, "cannot be opened", path);
    }
    if (fstat(fd, &st) != 0) {
        rc = io_error(ctx, "cannot be examined", path);
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = attest_ctx__error(ctx, ATTEST_E_IO, "refvals: %s is not a regular file", path);
        goto out;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > STORE_FILE_MAX) {
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE, "refvals: %s is larger than %u bytes",
                               path, STORE_FILE_MAX);
        goto out;
    }
    if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
        rc = rv_nomem(ctx);
        goto out;
    }
    while (len < (size_t)st.st_size + 1) { /* one byte more: notice a file that grew */
        ssize_t n = read(fd, buf + len, (size_t)st.st_size + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = io_error(ctx, "cannot be read", path);
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if (len != (size_t)st.st_size) {
        rc = attest_ctx__error(ctx, ATTEST_E_IO, "refvals: %s changed while it was read", path);
        goto out;
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

static attest_status sync_dir(attest_ctx *ctx, const char *dir)
{
    /* EINVAL: a file system that cannot sync directories has nothing to sync */
    if (attest_file__sync_dir(dir) != 0 && errno != EINVAL)
        return io_error(ctx, "cannot be synced", dir);
    return ATTEST_OK;
}

/*
 * A new file in dir holding data: ".refvals.XXXXXX" (mkstemp: never an existing file, and
 * a name no reference value can have), written, synced and closed. *tmp is malloc'd.
 */
static attest_status write_temp(attest_refvals *r, const char *data, size_t len, char **tmp)
{
    char path[RV_PATH_MAX];

    if (!join(path, r->dir, ".refvals.XXXXXX"))
        return attest_ctx__error(r->ctx, ATTEST_E_ARG, "refvals: %s is too long", r->dir);
    switch (attest_file__write_temp(path, data, len, (mode_t)r->mode)) {
    case ATTEST_FILE_CREATE: return io_error(r->ctx, "cannot hold a new file", r->dir);
    case ATTEST_FILE_WRITE: return io_error(r->ctx, "cannot be written", path);
    default: break;
    }
    if ((*tmp = strdup(path)) == NULL) {
        unlink(path);
        return rv_nomem(r->ctx);
    }
    return ATTEST_OK;
}

/* Replace r->path with data. *changed once the rename has happened. */
static attest_status replace_file(attest_refvals *r, const char *data, size_t len,
                                  bool *changed)
{
    char *tmp = NULL;
    attest_status rc = write_temp(r, data, len, &tmp);

    if (rc != ATTEST_OK)
        return rc;
    if (rename(tmp, r->path) != 0) {
        rc = io_error(r->ctx, "cannot be replaced", r->path);
        unlink(tmp);
    } else {
        *changed = true;
        rc = sync_dir(r->ctx, r->dir);
    }
    free(tmp);
    return rc;
}

/* ---- LocalJson ---- */

static bool buf_store(const attest_refvals *r, const struct rv_entry *const *cur, size_t n,
                      struct rv_buf *b)
{
    struct rv_buf rec = {0};
    bool ok = true;

    rv_buf_put(b, r->layout == RV_ARRAY ? "[" : "{", 1);
    for (size_t i = 0; i < n && ok; i++) {
        if (i > 0)
            rv_buf_put(b, ",", 1);
        if (r->layout == RV_ARRAY) {
            rv_buf_record(b, cur[i]);
            continue;
        }
        rec.len = 0;
        rv_buf_record(&rec, cur[i]);
        char *b64 = rec.oom ? NULL : attest_b64__encode(ATTEST_B64_URL, (uint8_t *)rec.p,
                                                        rec.len);
        ok = b64 != NULL;
        if (ok) {
            rv_buf_str(b, cur[i]->name, strlen(cur[i]->name));
            rv_buf_put(b, ":\"", 2);
            rv_buf_cstr(b, b64);
            rv_buf_put(b, "==", (4 - strlen(b64) % 4) % 4); /* URL_SAFE pads */
            rv_buf_put(b, "\"", 1);
        }
        free(b64);
    }
    rv_buf_put(b, r->layout == RV_ARRAY ? "]" : "}", 1);
    free(rec.p);
    return ok && !b->oom;
}

static attest_status load_object(attest_refvals *r, const struct attest_json *d)
{
    char where[RV_PATH_MAX + 80], what[RV_PATH_MAX + 96], shown[48];
    attest_status rc = ATTEST_OK;

    for (uint32_t m = d->v[0].first; m != ATTEST_JSON_NONE && rc == ATTEST_OK;
         m = d->v[m].next) {
        const struct attest_json_value *v = &d->v[m];
        uint8_t *rec = NULL;
        size_t rec_len = 0;
        struct attest_json rd;
        struct rv_entry e = {0};

        snprintf(where, sizeof(where), "%s member \"%s\"", r->path,
                 rv_show(shown, v->key, v->key_len));
        snprintf(what, sizeof(what), "refvals: %s", where);
        if (v->type == ATTEST_JSON_OBJECT)
            return attest_ctx__error(r->ctx, ATTEST_E_UNSUPPORTED,
                                     "refvals: %s is an entry with a TTL, which reference "
                                     "values never have", where);
        if (v->type != ATTEST_JSON_STRING)
            return attest_ctx__error(r->ctx, ATTEST_E_PARSE,
                                     "refvals: %s is not a string (got %s)", where,
                                     rv_json_type_name(d, m));
        rc = attest_b64__decode(ATTEST_B64_URL, v->str, v->str_len, &rec, &rec_len);
        if (rc == ATTEST_E_PARSE)
            return attest_ctx__error(r->ctx, rc, "refvals: %s is not URL-safe base64", where);
        if (rc != ATTEST_OK)
            return rv_nomem(r->ctx);
        rc = attest_json__parse(r->ctx, what, (const char *)rec, rec_len, &rd);
        if (rc == ATTEST_OK) {
            rc = rv_parse_record(r->ctx, where, &rd, 0, &e);
            attest_json__free(&rd);
        }
        free(rec);
        if (rc == ATTEST_OK && (strlen(e.name) != v->key_len || memcmp(e.name, v->key,
                                                                        v->key_len) != 0)) {
            rc = attest_ctx__error(r->ctx, ATTEST_E_PARSE,
                                   "refvals: %s holds the record of another name", where);
            rv_entry_clear(&e);
        }
        if (rc == ATTEST_OK)
            rc = rv_push(r, &e);
    }
    return rc;
}

static int cmp_entry_ptr(const void *a, const void *b)
{
    return strcmp((*(const struct rv_entry *const *)a)->name,
                  (*(const struct rv_entry *const *)b)->name);
}

static attest_status load_json(attest_refvals *r)
{
    struct attest_json d;
    char *text = NULL, where[RV_PATH_MAX + 32], shown[48];
    size_t len = 0;
    struct stat st;
    attest_status rc;

    /* a symbolic link (a ConfigMap mount, say) is written through, as Trustee's
     * fs::write does: the rename goes beside the file it points to */
    if (lstat(r->path, &st) == 0 && S_ISLNK(st.st_mode)) {
        char *real = realpath(r->path, NULL), *dir = real != NULL ? parent_of(real) : NULL;
        if (dir == NULL) {
            free(real);
            return real == NULL ? io_error(r->ctx, "cannot be resolved", r->path)
                                : rv_nomem(r->ctx);
        }
        free(r->path);
        free(r->dir);
        r->path = real;
        r->dir = dir;
    }
    rc = read_file(r->ctx, r->path, false, &text, &len);
    r->mode = 0644;
    r->layout = RV_ARRAY;
    if (rc == ATTEST_E_NOT_FOUND) { /* Trustee creates it as "[]" too */
        bool changed = false;
        return replace_file(r, "[]", 2, &changed);
    }
    if (rc != ATTEST_OK)
        return rc;
    if (stat(r->path, &st) == 0)
        r->mode = st.st_mode & 0777;
    snprintf(where, sizeof(where), "refvals: %s", r->path);
    rc = attest_json__parse(r->ctx, where, text, len, &d);
    if (rc != ATTEST_OK)
        goto out_text;
    if (attest_json__is(&d, 0, ATTEST_JSON_OBJECT)) {
        r->layout = RV_OBJECT;
        rc = load_object(r, &d);
    } else if (attest_json__is(&d, 0, ATTEST_JSON_ARRAY) && d.v[0].bytes == NULL) {
        uint32_t k = 0;
        for (uint32_t m = d.v[0].first; m != ATTEST_JSON_NONE && rc == ATTEST_OK;
             m = d.v[m].next, k++) {
            struct rv_entry e = {0};
            snprintf(where, sizeof(where), "%s[%u]", r->path, (unsigned)k);
            if ((rc = rv_parse_record(r->ctx, where, &d, m, &e)) == ATTEST_OK)
                rc = rv_push(r, &e);
        }
    } else {
        rc = attest_ctx__error(r->ctx, ATTEST_E_PARSE,
                               "refvals: %s is not a store (got %s, want an array of records "
                               "or an object of base64 records)",
                               r->path, rv_json_type_name(&d, 0));
    }
    attest_json__free(&d);
    if (rc == ATTEST_OK && r->n > 1) { /* a name twice: which one would a query mean? */
        const struct rv_entry **by = malloc(r->n * sizeof(*by));
        if (by == NULL) {
            rc = rv_nomem(r->ctx);
            goto out_text;
        }
        for (size_t i = 0; i < r->n; i++)
            by[i] = &r->e[i];
        qsort(by, r->n, sizeof(*by), cmp_entry_ptr);
        for (size_t i = 1; i < r->n && rc == ATTEST_OK; i++)
            if (strcmp(by[i - 1]->name, by[i]->name) == 0)
                rc = attest_ctx__error(r->ctx, ATTEST_E_PARSE,
                                       "refvals: %s holds \"%s\" twice", r->path,
                                       rv_show(shown, by[i]->name, strlen(by[i]->name)));
        free(by);
    }
out_text:
    free(text);
    return rc;
}

/* ---- LocalFs ---- */

/* A sled database (Trustee's older LocalFs): "conf" starting "segment_size: " and "db". */
static bool is_sled(const char *dir)
{
    static const char magic[] = "segment_size: ";
    char path[RV_PATH_MAX], head[sizeof(magic) - 1];
    struct stat st;
    bool sled = false;

    if (!join(path, dir, "db") || stat(path, &st) != 0 || !join(path, dir, "conf"))
        return false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        sled = read(fd, head, sizeof(head)) == (ssize_t)sizeof(head) &&
               memcmp(head, magic, sizeof(head)) == 0;
        close(fd);
    }
    return sled;
}

static attest_status load_fs_file(attest_refvals *r, const char *file)
{
    char path[RV_PATH_MAX], what[RV_PATH_MAX + 16], shown[48], *text = NULL;
    const char *problem = strstr(file, "\\x2F") != NULL ? "holds '/'"
                                                        : rv_name_problem(file, strlen(file));
    size_t len = 0;
    struct attest_json d;
    struct rv_entry e = {0};
    attest_status rc;

    if (!join(path, r->path, file))
        return attest_ctx__error(r->ctx, ATTEST_E_ARG, "refvals: %s is too long", r->path);
    if (problem != NULL)
        return attest_ctx__error(r->ctx, ATTEST_E_UNSUPPORTED,
                                 "refvals: %s names a reference value libattest does not "
                                 "accept (%s)", path, problem);
    if ((rc = read_file(r->ctx, path, true, &text, &len)) == ATTEST_E_NOT_FOUND)
        return ATTEST_OK; /* deleted since it was listed */
    if (rc != ATTEST_OK)
        return rc;
    snprintf(what, sizeof(what), "refvals: %s", path);
    if ((rc = attest_json__parse(r->ctx, what, text, len, &d)) == ATTEST_OK) {
        rc = rv_parse_record(r->ctx, path, &d, 0, &e);
        attest_json__free(&d);
    }
    free(text);
    if (rc == ATTEST_OK && strcmp(e.name, file) != 0) {
        rc = attest_ctx__error(r->ctx, ATTEST_E_PARSE,
                               "refvals: %s holds the record of \"%s\"", path,
                               rv_show(shown, e.name, strlen(e.name)));
        rv_entry_clear(&e);
    }
    return rc == ATTEST_OK ? rv_push(r, &e) : rc;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct rv_entry *)a)->name, ((const struct rv_entry *)b)->name);
}

static attest_status load_fs(attest_refvals *r)
{
    struct stat st;
    attest_status rc = ATTEST_OK;
    struct dirent *de;

    r->mode = 0644;
    if (stat(r->path, &st) != 0) {
        if (errno != ENOENT)
            return io_error(r->ctx, "cannot be examined", r->path);
        char *parent = parent_of(r->path);
        if (parent == NULL)
            return rv_nomem(r->ctx);
        attest_status rc2 = mkdir(r->path, 0755) != 0
                                ? io_error(r->ctx, "cannot be created", r->path)
                                : sync_dir(r->ctx, parent); /* keep the new directory */
        free(parent);
        return rc2;
    }
    if (!S_ISDIR(st.st_mode))
        return attest_ctx__error(r->ctx, ATTEST_E_IO, "refvals: %s is not a directory",
                                 r->path);
    if (is_sled(r->path))
        return attest_ctx__error(r->ctx, ATTEST_E_UNSUPPORTED,
                                 "refvals: %s is a sled database (Trustee's older LocalFs), "
                                 "which libattest cannot read; register its values again",
                                 r->path);
    DIR *dir = opendir(r->path);
    if (dir == NULL)
        return io_error(r->ctx, "cannot be listed", r->path);
    for (;;) {
        errno = 0;
        if ((de = readdir(dir)) == NULL) {
            if (errno != 0)
                rc = io_error(r->ctx, "cannot be listed", r->path);
            break;
        }
        /* ".", "..", our temporary files (a crash can leave one) and hidden files */
        if (de->d_name[0] == '.')
            continue;
        if ((rc = load_fs_file(r, de->d_name)) != ATTEST_OK)
            break;
    }
    closedir(dir);
    if (rc == ATTEST_OK && r->n > 1)
        qsort(r->e, r->n, sizeof(r->e[0]), cmp_entry);
    return rc;
}

/*
 * Every record to a temporary file first, then the renames, then one directory sync: a
 * failure while writing leaves the store as it was. A rename can only fail on a broken
 * file system; then the values renamed so far stay (*done).
 */
static attest_status write_fs(attest_refvals *r, const struct rv_entry *c, size_t nc,
                              size_t *done)
{
    char **tmp = calloc(nc, sizeof(*tmp)), path[RV_PATH_MAX];
    struct rv_buf b = {0};
    attest_status rc = ATTEST_OK;

    if (tmp == NULL)
        return rv_nomem(r->ctx);
    for (size_t k = 0; k < nc && rc == ATTEST_OK; k++) {
        b.len = 0;
        rv_buf_record(&b, &c[k]);
        rc = b.oom ? rv_nomem(r->ctx) : write_temp(r, b.p, b.len, &tmp[k]);
    }
    for (size_t k = 0; k < nc && rc == ATTEST_OK; k++) {
        if (!join(path, r->path, c[k].name) || rename(tmp[k], path) != 0) {
            rc = io_error(r->ctx, "cannot be replaced", path);
            break;
        }
        free(tmp[k]);
        tmp[k] = NULL;
        *done = k + 1;
    }
    if (*done > 0) {
        attest_status s = sync_dir(r->ctx, r->path);
        rc = rc != ATTEST_OK ? rc : s;
    }
    for (size_t k = 0; k < nc; k++)
        if (tmp[k] != NULL) {
            unlink(tmp[k]);
            free(tmp[k]);
        }
    free(tmp);
    free(b.p);
    return rc;
}

/* ---- the store ---- */

attest_status rv_store_load(attest_refvals *r)
{
    if (r->kind == RV_MEMORY)
        return ATTEST_OK;
    /* LocalJson replaces its file within its directory; LocalFs its records in itself */
    r->dir = r->kind == RV_LOCAL_JSON ? parent_of(r->path) : strdup(r->path);
    if (r->dir == NULL)
        return rv_nomem(r->ctx);
    return r->kind == RV_LOCAL_JSON ? load_json(r) : load_fs(r);
}

attest_status rv_store_write(attest_refvals *r, const struct rv_entry *c, const size_t *at,
                             size_t nc, size_t del, size_t *done)
{
    attest_status rc = ATTEST_OK;
    bool changed = false;

    *done = 0;
    if (r->kind == RV_MEMORY) {
        *done = nc > 0 ? nc : 1;
        return ATTEST_OK;
    }
    if (r->kind == RV_LOCAL_FS && nc > 0)
        return write_fs(r, c, nc, done);
    if (r->kind == RV_LOCAL_FS) {
        char path[RV_PATH_MAX];
        if (!join(path, r->path, r->e[del].name) || (unlink(path) != 0 && errno != ENOENT))
            return io_error(r->ctx, "cannot be removed", path);
        *done = 1;
        return sync_dir(r->ctx, r->path);
    }
    /* LocalJson: the whole file again, in the store's order, new names at the end */
    const struct rv_entry **cur = malloc((r->n + nc + 1) * sizeof(*cur));
    struct rv_buf b = {0};
    size_t n = 0;
    if (cur == NULL)
        return rv_nomem(r->ctx);
    for (size_t i = 0; i < r->n; i++)
        cur[i] = &r->e[i];
    for (size_t k = 0; k < nc; k++)
        if (at[k] != SIZE_MAX)
            cur[at[k]] = &c[k];
    for (size_t i = 0; i < r->n; i++)
        if (nc > 0 || i != del)
            cur[n++] = cur[i];
    for (size_t k = 0; k < nc; k++)
        if (at[k] == SIZE_MAX)
            cur[n++] = &c[k];
    if (!buf_store(r, cur, n, &b))
        rc = rv_nomem(r->ctx);
    else
        rc = replace_file(r, b.p, b.len, &changed);
    if (changed)
        *done = nc > 0 ? nc : 1;
    free(b.p);
    free(cur);
    return rc;
}
