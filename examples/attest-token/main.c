/*
 * attest-token: verify an attestation-result token (EAR, Trustee's simple token, MAA, any
 * JWS/JWT) against keys you trust, and print its claims (man attest-token(1)).
 *
 * Exit status: 0 verified; 1 token rejected (signature, chain, expiry, issuer, audience,
 * malformed); 2 usage error or unreadable input.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <attest/attest.h>

#include "cli.h"

#define PROG "attest-token"
#define INPUT_MAX (16u * 1024u * 1024u)

static void usage(FILE *f)
{
    fprintf(f, "usage: " PROG " [--jwks FILE]... [--roots PEM]... [--pin-jwk THUMBPRINT]...\n"
               "                    [--issuer ISS] [--audience AUD] [--leeway SECONDS]\n"
               "                    [--max-age SECONDS]\n"
               "                    [--at TIME] TOKEN_FILE|-\n");
}

/* Read a whole file and hand it to add(); prints why on failure. */
static bool add_file(attest_ctx *ctx, attest_token_verifier *v, const char *path,
                     attest_status (*add)(attest_token_verifier *, const char *, size_t))
{
    uint8_t *buf = NULL;
    size_t len = 0;
    if (!cli_read_file(PROG, path, INPUT_MAX, &buf, &len))
        return false;
    attest_status rc = add(v, (const char *)buf, len);
    free(buf);
    if (rc != ATTEST_OK)
        fprintf(stderr, PROG ": %s: %s\n", path, attest_ctx_last_error(ctx));
    return rc == ATTEST_OK;
}

int main(int argc, char **argv)
{
    enum { O_JWKS = 256, O_ROOTS, O_PIN, O_ISS, O_AUD, O_LEEWAY, O_MAXAGE, O_AT, O_HELP, O_VERSION };
    static const struct option longopts[] = {
        {"jwks", required_argument, NULL, O_JWKS},
        {"roots", required_argument, NULL, O_ROOTS},
        {"pin-jwk", required_argument, NULL, O_PIN},
        {"issuer", required_argument, NULL, O_ISS},
        {"audience", required_argument, NULL, O_AUD},
        {"leeway", required_argument, NULL, O_LEEWAY},
        {"max-age", required_argument, NULL, O_MAXAGE},
        {"at", required_argument, NULL, O_AT},
        {"help", no_argument, NULL, O_HELP},
        {"version", no_argument, NULL, O_VERSION},
        {NULL, 0, NULL, 0},
    };
    attest_ctx *ctx = NULL;
    attest_token_verifier *v = NULL;
    uint8_t *token = NULL;
    size_t token_len = 0;
    char *claims = NULL;
    int exit_code = CLI_EXIT_USAGE, c, keys = 0;

    if (attest_ctx_new(&ctx) != ATTEST_OK || attest_token_verifier_new(&v, ctx) != ATTEST_OK) {
        fprintf(stderr, PROG ": out of memory\n");
        goto out;
    }
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        attest_status rc = ATTEST_OK;
        int64_t n;
        switch (c) {
        case O_JWKS:
            if (!add_file(ctx, v, optarg, attest_token_verifier_add_jwks))
                goto out;
            keys++;
            break;
        case O_ROOTS:
            if (!add_file(ctx, v, optarg, attest_token_verifier_add_roots))
                goto out;
            keys++;
            break;
        case O_PIN: rc = attest_token_verifier_pin_jwk(v, optarg); keys++; break;
        case O_ISS: rc = attest_token_verifier_set_issuer(v, optarg); break;
        case O_AUD: rc = attest_token_verifier_set_audience(v, optarg); break;
        case O_LEEWAY:
        case O_MAXAGE:
            if (!cli_parse_int64(optarg, &n)) {
                fprintf(stderr, PROG ": --%s wants a whole number of seconds, got \"%s\"\n",
                        c == O_LEEWAY ? "leeway" : "max-age", optarg);
                goto out;
            }
            rc = c == O_LEEWAY ? attest_token_verifier_set_leeway(v, n)
                               : attest_token_verifier_set_max_age(v, n);
            break;
        case O_AT:
            if (!cli_parse_time(optarg, &n) || attest_ctx_set_time(ctx, n) != ATTEST_OK) {
                fprintf(stderr, PROG ": --at wants RFC 3339 or unix seconds, got \"%s\"\n",
                        optarg);
                goto out;
            }
            break;
        case O_HELP: usage(stdout); exit_code = CLI_EXIT_OK; goto out;
        case O_VERSION: printf(PROG " %s\n", attest_version()); exit_code = CLI_EXIT_OK; goto out;
        default: usage(stderr); goto out;
        }
        if (rc != ATTEST_OK) {
            fprintf(stderr, PROG ": %s\n", attest_ctx_last_error(ctx));
            goto out;
        }
    }
    if (optind + 1 != argc || keys == 0) {
        if (keys == 0)
            fprintf(stderr, PROG ": trust something: --jwks, --roots or --pin-jwk\n");
        usage(stderr);
        goto out;
    }
    if (!cli_read_file(PROG, argv[optind], INPUT_MAX, &token, &token_len))
        goto out;
    if (attest_token_verify(v, (const char *)token, token_len, &claims) != ATTEST_OK) {
        fprintf(stderr, PROG ": rejected: %s\n", attest_ctx_last_error(ctx));
        exit_code = CLI_EXIT_REJECTED;
        goto out;
    }
    printf("%s\n", claims);
    exit_code = CLI_EXIT_OK;
out:
    attest_free(claims);
    free(token);
    attest_token_verifier_free(v);
    attest_ctx_free(ctx);
    return exit_code;
}
