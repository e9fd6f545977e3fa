/*
 * The kernel interfaces evidence collection uses (configfs-tsm, guest devices), behind a
 * table of functions so tests drive collection code against a simulated kernel or a tree
 * they build. Never installed.
 */
#ifndef ATTEST_TSM_H
#define ATTEST_TSM_H

#include "internal.h"

/* Functions return 0 (read: bytes read) on success and -1 with errno set on failure. */
struct attest_sys_ops {
    int (*mkdir)(void *arg, const char *path);
    int (*rmdir)(void *arg, const char *path);
    long (*read)(void *arg, const char *path, uint8_t *buf, size_t cap);
    int (*write)(void *arg, const char *path, const uint8_t *buf, size_t len);
    int (*exists)(void *arg, const char *path); /* 1 or 0 */
    /* open dev read-write, ioctl(cmd, req), close */
    int (*ioctl)(void *arg, const char *dev, unsigned long cmd, void *req);
    void *arg;
    const char *tsm_report_dir; /* /sys/kernel/config/tsm/report */
    const char *device;         /* the TEE's guest device, e.g. /dev/sev-guest */
};

/* The POSIX calls; arg unused. */
#define ATTEST_SYS_POSIX_OPS(dev)                                                          \
    {                                                                                      \
        .mkdir = attest_sys__mkdir, .rmdir = attest_sys__rmdir, .read = attest_sys__read,  \
        .write = attest_sys__write, .exists = attest_sys__exists, .ioctl = attest_sys__ioctl, \
        .arg = NULL, .tsm_report_dir = "/sys/kernel/config/tsm/report", .device = (dev)    \
    }

int attest_sys__mkdir(void *arg, const char *path);
int attest_sys__rmdir(void *arg, const char *path);
long attest_sys__read(void *arg, const char *path, uint8_t *buf, size_t cap);
int attest_sys__write(void *arg, const char *path, const uint8_t *buf, size_t len);
int attest_sys__exists(void *arg, const char *path);
int attest_sys__ioctl(void *arg, const char *dev, unsigned long cmd, void *req);

/*
 * One configfs-tsm report (Documentation/ABI/testing/configfs-tsm-report): make an entry
 * under ops->tsm_report_dir, check its provider, write inblob, read outblob (at most
 * out_max bytes) and, when aux is not NULL, auxblob (absent or empty: *aux NULL), check
 * that no one else wrote to the entry meanwhile (generation), remove the entry. *out and
 * *aux are malloc'd. Errors are "<tee>: configfs-tsm ...".
 */
attest_status attest_tsm__report(attest_ctx *ctx, const struct attest_sys_ops *ops,
                                 const char *tee, const char *provider, const uint8_t *inblob,
                                 size_t in_len, size_t out_max, uint8_t **out, size_t *out_len,
                                 uint8_t **aux, size_t *aux_len);

#endif
