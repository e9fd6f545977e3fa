/*
 * Crash-safe file writing shared by the stores (policies, reference values, KBS resources)
 * and the simulated SNP device. Never installed. These return errno-style results so each
 * caller words its own error message.
 */
#ifndef ATTEST_FILE_H
#define ATTEST_FILE_H

#include <stddef.h>
#include <sys/types.h>

enum attest_file_result {
    ATTEST_FILE_OK = 0,
    ATTEST_FILE_CREATE = -1, /* mkstemp failed: nothing was created */
    ATTEST_FILE_WRITE = -2,  /* chmod, write, fsync or close failed: the file was removed */
};

/*
 * Create a new file from tmpl (ending in "XXXXXX", filled in by mkstemp), give it mode,
 * write data, fsync and close it. On ATTEST_FILE_OK the caller renames (or removes) tmpl;
 * on failure errno says why.
 */
enum attest_file_result attest_file__write_temp(char *tmpl, const void *data, size_t len,
                                                mode_t mode);

/* fsync a directory, so renames and unlinks in it survive a crash. 0, or -1 with errno. */
int attest_file__sync_dir(const char *dir);

#endif
