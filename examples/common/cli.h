/*
 * Helpers shared by the example programs: reading input, writing output atomically,
 * JSON string escaping and time parsing. Programs use only the public libattest API;
 * what they need from here is not attestation logic, only command-line plumbing.
 */
#ifndef ATTEST_EXAMPLES_CLI_H
#define ATTEST_EXAMPLES_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes shared by the programs (see their man pages). */
enum { CLI_EXIT_OK = 0, CLI_EXIT_REJECTED = 1, CLI_EXIT_USAGE = 2 };

/* Read a whole file ("-" is stdin), at most max bytes. On failure prints why, returns false. */
bool cli_read_file(const char *prog, const char *path, size_t max, uint8_t **out,
                   size_t *out_len);

/*
 * Write data to path atomically (temporary file in the same directory, fsync, rename), or
 * to stdout when path is NULL or "-". On failure prints why, leaves no partial file.
 */
bool cli_write_file(const char *prog, const char *path, const uint8_t *data, size_t len);

/* Write s as a JSON string literal (with quotes) to f. */
void cli_json_string(FILE *f, const char *s);

/*
 * Parse a time: unix seconds ("1700000000") or RFC 3339 ("2024-05-01T12:00:00Z",
 * fractions ignored, offsets "+02:00" honoured).
 */
bool cli_parse_time(const char *text, int64_t *out);

/* A whole decimal integer ("60"; not "60s", "", "abc"), within int64. */
bool cli_parse_int64(const char *text, int64_t *out);

/* Decode hex (even length, either case) into out (cap bytes). */
bool cli_hex_decode(const char *text, uint8_t *out, size_t cap, size_t *out_len);

#endif
