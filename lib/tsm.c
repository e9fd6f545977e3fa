/* configfs-tsm reports and the POSIX side of struct attest_sys_ops (lib/tsm.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tsm.h"

#define AUX_MAX (64u * 4096u)

int attest_sys__mkdir(void *arg, const char *path)
{
    (void)arg;
    return mkdir(path, 0700);
}

int attest_sys__rmdir(void *arg, const char *path)
{
    (void)arg;
    return rmdir(path);
}

long attest_sys__read(void *arg, const char *path, uint8_t *buf, size_t cap)
{
    (void)arg;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            close(fd);
            return r < 0 ? -1 : (long)n;
        }
        n += (size_t)r;
        if (n == cap) { /* larger than the caller allows */
            close(fd);
            errno = EFBIG;
            return -1;
        }
    }
}

int attest_sys__write(void *arg, const char *path, const uint8_t *buf, size_t len)
{
    (void)arg;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t w = write(fd, buf, len);
    int saved = errno;
    close(fd);
    errno = saved;
    return w == (ssize_t)len ? 0 : -1;
}

int attest_sys__exists(void *arg, const char *path)
{
    (void)arg;
    return access(path, F_OK) == 0;
}

int attest_sys__ioctl(void *arg, const char *dev, unsigned long cmd, void *req)
{
    (void)arg;
    int fd = open(dev, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc;
    do {
        rc = ioctl(fd, cmd, req);
    } while (rc < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

attest_status attest_tsm__report(attest_ctx *ctx, const struct attest_sys_ops *ops,
                                 const char *tee, const char *provider, const uint8_t *inblob,
                                 size_t in_len, size_t out_max, uint8_t **out, size_t *out_len,
                                 uint8_t **aux, size_t *aux_len)
{
    char dir[512], path[600];
    uint8_t gen1[32], gen2[32], prov[32];
    uint8_t *ob = NULL, *ab = NULL;
    long n1, n2, np, n, na = 0;
    attest_status rc = ATTEST_OK;

    snprintf(dir, sizeof(dir), "%s/libattest-%ld-%p", ops->tsm_report_dir, (long)getpid(),
             (const void *)inblob);
    if (ops->mkdir(ops->arg, dir) != 0)
        return attest_ctx__error(ctx, ATTEST_E_IO,
                                 "%s: configfs-tsm entry %s cannot be made (errno %d)", tee, dir,
                                 errno);
    snprintf(path, sizeof(path), "%s/provider", dir);
    np = ops->read(ops->arg, path, prov, sizeof(prov));
    size_t plen = strlen(provider);
    if (np < (long)plen || memcmp(prov, provider, plen) != 0) {
        rc = attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                               "%s: configfs-tsm provider is not %s (got \"%.*s\")", tee,
                               provider, np > 0 ? (int)(np < 16 ? np : 16) : 0,
                               (const char *)prov);
        goto out;
    }
    snprintf(path, sizeof(path), "%s/inblob", dir);
    if (ops->write(ops->arg, path, inblob, in_len) != 0) {
        rc = attest_ctx__error(ctx, ATTEST_E_IO, "%s: configfs-tsm inblob write failed (errno %d)",
                               tee, errno);
        goto out;
    }
    snprintf(path, sizeof(path), "%s/generation", dir);
    n1 = ops->read(ops->arg, path, gen1, sizeof(gen1));
    if ((ob = malloc(out_max + 1)) == NULL || (aux != NULL && (ab = malloc(AUX_MAX)) == NULL)) {
        rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "%s: out of memory", tee);
        goto out;
    }
    snprintf(path, sizeof(path), "%s/outblob", dir);
    n = ops->read(ops->arg, path, ob, out_max + 1);
    if (n <= 0) {
        rc = attest_ctx__error(ctx, ATTEST_E_IO,
                               "%s: configfs-tsm outblob cannot be read (errno %d; more than %zu "
                               "bytes, or the quote request failed)",
                               tee, errno, out_max);
        goto out;
    }
    if (aux != NULL) {
        snprintf(path, sizeof(path), "%s/auxblob", dir);
        na = ops->read(ops->arg, path, ab, AUX_MAX); /* absent or empty: none */
    }
    snprintf(path, sizeof(path), "%s/generation", dir);
    n2 = ops->read(ops->arg, path, gen2, sizeof(gen2));
    if (n1 <= 0 || n1 != n2 || memcmp(gen1, gen2, (size_t)n1) != 0) {
        rc = attest_ctx__error(ctx, ATTEST_E_IO,
                               "%s: configfs-tsm entry changed while being read (generation)",
                               tee);
        goto out;
    }
    *out = ob;
    *out_len = (size_t)n;
    ob = NULL;
    if (aux != NULL) {
        *aux = na > 0 ? ab : NULL;
        *aux_len = na > 0 ? (size_t)na : 0;
        if (na > 0)
            ab = NULL;
    }
out:
    free(ob);
    free(ab);
    ops->rmdir(ops->arg, dir);
    return rc;
}
