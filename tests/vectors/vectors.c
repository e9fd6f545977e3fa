/* Finding and reading ../shared/vectors (vectors.h). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <check.h>

#include "vectors.h"

static char vectors[4096];

void vectors_init(void)
{
    const char *env = getenv("ATTEST_VECTORS");
    struct stat st;
    snprintf(vectors, sizeof(vectors), "%s", env != NULL ? env : "../shared/vectors");
    if (stat(vectors, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "vectors folder %s absent: skipping\n", vectors);
        exit(77);
    }
}

void vectors_path(char *path, size_t cap, const char *rel)
{
    snprintf(path, cap, "%s/%s", vectors, rel);
}

uint8_t *vectors_slurp(const char *rel, size_t *len)
{
    char path[8192];
    vectors_path(path, sizeof(path), rel);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    ck_assert(buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n);
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}
