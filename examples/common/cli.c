#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

bool cli_read_file(const char *prog, const char *path, size_t max, uint8_t **out,
                   size_t *out_len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;

    if (f == NULL) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return false;
    }
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *grown = realloc(buf, cap + 1);
            if (grown == NULL) {
                fprintf(stderr, "%s: %s: out of memory\n", prog, path);
                goto fail;
            }
            buf = grown;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (len > max) {
            fprintf(stderr, "%s: %s: larger than %zu bytes\n", prog, path, max);
            goto fail;
        }
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        fprintf(stderr, "%s: %s: read error\n", prog, path);
        goto fail;
    }
    if (f != stdin)
        fclose(f);
    buf[len] = 0; /* so text input can be used as a C string too */
    *out = buf;
    *out_len = len;
    return true;
fail:
    if (f != stdin)
        fclose(f);
    free(buf);
    return false;
}

static bool write_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

bool cli_write_file(const char *prog, const char *path, const uint8_t *data, size_t len)
{
    if (path == NULL || strcmp(path, "-") == 0) {
        if (!write_all(STDOUT_FILENO, data, len)) {
            fprintf(stderr, "%s: writing stdout: %s\n", prog, strerror(errno));
            return false;
        }
        return true;
    }
    /* a device, FIFO or socket (-o /dev/null, -o /dev/stdout) is written in place: renaming
     * a file over it would replace the device itself */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        int dfd = open(path, O_WRONLY | O_CLOEXEC);
        bool ok = dfd >= 0 && write_all(dfd, data, len);
        if (dfd >= 0)
            ok = close(dfd) == 0 && ok;
        if (!ok)
            fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return ok;
    }
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= (int)sizeof(tmp)) {
        fprintf(stderr, "%s: %s: path too long\n", prog, path);
        return false;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return false;
    }
    bool ok = write_all(fd, data, len) && fchmod(fd, 0644) == 0 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        unlink(tmp);
        return false;
    }
    return true;
}

void cli_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

bool cli_parse_time(const char *text, int64_t *out)
{
    char *end;
    size_t n = strlen(text);

    if (n > 0 && strspn(text, "0123456789") == n) {
        errno = 0;
        long long v = strtoll(text, &end, 10);
        if (errno != 0)
            return false;
        *out = v;
        return true;
    }
    struct tm tm = {0};
    int consumed = 0;
    if (sscanf(text, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 || consumed != 19)
        return false;
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return false;
    const char *p = text + consumed;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    long offset = 0;
    if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
        offset = 0;
    } else if ((p[0] == '+' || p[0] == '-') && strlen(p) == 6 && p[3] == ':') {
        int hh, mm;
        if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2 || hh > 23 || mm > 59)
            return false;
        offset = (hh * 3600L + mm * 60L) * (p[0] == '+' ? 1 : -1);
    } else {
        return false;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return false;
    *out = (int64_t)t - offset;
    return true;
}

bool cli_hex_decode(const char *text, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t n = strlen(text);
    if (n % 2 != 0 || n / 2 > cap)
        return false;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (strspn(text + 2 * i, "0123456789abcdefABCDEF") < 2 ||
            sscanf(text + 2 * i, "%2x", &v) != 1)
            return false;
        out[i] = (uint8_t)v;
    }
    *out_len = n / 2;
    return true;
}

bool cli_parse_int64(const char *text, int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (text[0] == '\0' || end == NULL || *end != '\0' || errno != 0)
        return false;
    *out = (int64_t)v;
    return true;
}
