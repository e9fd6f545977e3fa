/*
 * kbs: Trustee's Key Broker Service protocol (v0.4.0) over libattest (man kbs(1)).
 *
 * Background-check mode (default): an Attestation Service runs in this process, so the
 * RCAR handshake (/kbs/v0/auth, /kbs/v0/attest) hands out tokens and resources. With
 * --no-attestation the KBS only releases resources to Bearer tokens from the issuers
 * given with --trust-issuer (passport mode). Resources are files <dir>/<repo>/<type>/<tag>.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <attest/attest.h>

#include "cli.h"
#include "ctxopts.h"
#include "http.h"

#define PROG "kbs"
#define BODY_MAX (16u * 1024u * 1024u)
#define INPUT_MAX (4u * 1024u * 1024u)

struct app {
    attest_ctx *ctx;
    attest_kbs *kbs;
};

static void usage(FILE *f)
{
    fprintf(f, "usage: " PROG " --resource-dir DIR [-c|--config-file AS_CONFIG]\n"
               "           [--socket ADDR:PORT]\n"
               "           [--admin-key PEM] [--trust-issuer JWKS]... [--resource-policy FILE]\n"
               "           [--session-timeout SECONDS] [--no-attestation]\n"
               "and the trust and collateral options:\n" CTXOPTS_USAGE);
}

static void handle(void *arg, const struct http_request *r, struct http_response *out)
{
    struct app *a = arg;
    unsigned status = 0;
    char *body = NULL, *cookie = NULL;
    size_t len = 0;

    if (strcmp(r->method, "GET") == 0 && strcmp(r->path, "/healthz") == 0) {
        http_text(out, 200, "text/plain", "");
        return;
    }
    if (attest_kbs_handle(a->kbs, r->method, r->path, http_cookie(r, "kbs-session-id"),
                          http_header(r, "Authorization"), r->body, r->body_len, &status, &body,
                          &len, &cookie) != ATTEST_OK) {
        http_error(out, 500, "Internal", attest_ctx_last_error(a->ctx));
        return;
    }
    http_text(out, status, "application/json", body);
    if (cookie != NULL)
        snprintf(out->set_cookie, sizeof(out->set_cookie), "%s", cookie);
    attest_free(body);
    attest_free(cookie);
}

/* Read a file and pass it to fn; prints why on failure. */
static bool with_file(struct app *a, const char *path,
                      attest_status (*fn)(attest_kbs *, const char *, size_t))
{
    uint8_t *buf = NULL;
    size_t len = 0;
    if (!cli_read_file(PROG, path, INPUT_MAX, &buf, &len))
        return false;
    attest_status rc = fn(a->kbs, (const char *)buf, len);
    free(buf);
    if (rc != ATTEST_OK)
        fprintf(stderr, PROG ": %s: %s\n", path, attest_ctx_last_error(a->ctx));
    return rc == ATTEST_OK;
}

int main(int argc, char **argv)
{
    enum { O_SOCKET = 256, O_RES, O_ADMIN, O_ISSUER, O_RPOL, O_TIMEOUT, O_NOAS,
           O_HELP, O_VERSION };
    static const struct option longopts[] = {
        {"config-file", required_argument, NULL, 'c'},
        {"socket", required_argument, NULL, O_SOCKET},
        CTXOPTS_LONGOPTS,
        {"resource-dir", required_argument, NULL, O_RES},
        {"admin-key", required_argument, NULL, O_ADMIN},
        {"trust-issuer", required_argument, NULL, O_ISSUER},
        {"resource-policy", required_argument, NULL, O_RPOL},
        {"session-timeout", required_argument, NULL, O_TIMEOUT},
        {"no-attestation", no_argument, NULL, O_NOAS},
        {"help", no_argument, NULL, O_HELP},
        {"version", no_argument, NULL, O_VERSION},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *socket = "127.0.0.1:8080", *resources = NULL, *admin = NULL;
    const char *issuers[16], *rpolicy = NULL;
    size_t n_issuers = 0;
    int64_t timeout = 0;
    bool no_as = false;
    struct app a = {NULL, NULL};
    struct ctxopts sources = {0};
    attest_service *as = NULL;
    int c, rc = 2;

    if (attest_ctx_new(&a.ctx) != ATTEST_OK)
        return 2;
    while ((c = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case O_SOCKET: socket = optarg; break;
        case O_RES: resources = optarg; break;
        case O_ADMIN: admin = optarg; break;
        case O_ISSUER:
            if (n_issuers == sizeof(issuers) / sizeof(issuers[0]))
                goto usage;
            issuers[n_issuers++] = optarg;
            break;
        case O_RPOL: rpolicy = optarg; break;
        case O_TIMEOUT:
            if (!cli_parse_int64(optarg, &timeout) || timeout <= 0) {
                fprintf(stderr, PROG ": --session-timeout wants a positive number of seconds\n");
                goto usage;
            }
            break;
        case O_NOAS: no_as = true; break;
        case O_HELP: usage(stdout); rc = 0; goto out;
        case O_VERSION: printf(PROG " %s\n", attest_version()); rc = 0; goto out;
        default: /* ours, or unknown (getopt printed why) */
            if (ctxopts_take(&sources, PROG, c, optarg) != 1)
                goto usage;
        }
    }
    if (optind != argc || resources == NULL || (no_as && config != NULL))
        goto usage;
    if (!ctxopts_apply(&sources, a.ctx, PROG))
        goto out;
    if (!no_as && (config != NULL ? attest_service_load(&as, a.ctx, config)
                                  : attest_service_new(&as, a.ctx, NULL, 0)) != ATTEST_OK) {
        fprintf(stderr, PROG ": %s\n", attest_ctx_last_error(a.ctx));
        goto out;
    }
    if (attest_kbs_new(&a.kbs, a.ctx, as, resources) != ATTEST_OK ||
        (timeout != 0 && attest_kbs_set_session_timeout(a.kbs, timeout) != ATTEST_OK)) {
        fprintf(stderr, PROG ": %s\n", attest_ctx_last_error(a.ctx));
        goto out;
    }
    if ((admin != NULL && !with_file(&a, admin, attest_kbs_set_admin_key)) ||
        (rpolicy != NULL && !with_file(&a, rpolicy, attest_kbs_set_resource_policy)))
        goto out;
    for (size_t i = 0; i < n_issuers; i++)
        if (!with_file(&a, issuers[i], attest_kbs_trust_issuer))
            goto out;
    rc = http_serve(PROG, socket, BODY_MAX, handle, &a) == 0 ? 0 : 1;
    goto out;
usage:
    usage(stderr);
out:
    attest_kbs_free(a.kbs);
    attest_service_free(as);
    attest_ctx_free(a.ctx);
    return rc;
}
