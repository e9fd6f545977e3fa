/* Crash-safe file writing (lib/file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

enum attest_file_result attest_file__write_temp(char *tmpl, const void *data, size_t len,
                                                mode_t mode)
{
    const uint8_t *p = data;
    int err = 0, fd = mkstemp(tmpl);
    if (fd < 0)
        return ATTEST_FILE_CREATE;
    if (fchmod(fd, mode) != 0)
        err = errno;
    for (size_t done = 0; err == 0 && done < len;) {
        ssize_t w = write(fd, p + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            err = w < 0 ? errno : EIO;
        else
            done += (size_t)w;
    }
    if (err == 0 && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && err == 0)
        err = errno;
    if (err == 0)
        return ATTEST_FILE_OK;
    unlink(tmpl);
    errno = err;
    return ATTEST_FILE_WRITE;
}

int attest_file__sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd), err = errno;
    close(fd);
    errno = err;
    return rc;
}
