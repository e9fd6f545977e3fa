/*
 * as-restful: Trustee's Attestation Service REST API over libattest (man as-restful(1)).
 *
 *   POST /attestation          Trustee AS request -> the token (text/plain)
 *   POST /policy               {"policy_id", "policy": b64url} -> 200
 *   GET  /policy               [{"policy-id": ...}]
 *   GET  /policy/{id}          the policy text
 *   POST /challenge            {"tee", "tee_params"} -> the challenge ("" for our TEEs)
 *   GET  /.well-known/jwks.json  the token signing key
 *   GET  /healthz
 * Wire formats: ../shared/specs/attestation-service.md §1. Errors are 4xx/5xx with a JSON
 * body {"error", "message"} (Trustee answers 500 text/plain for everything).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <attest/attest.h>

#include "cli.h"
#include "ctxopts.h"
#include "http.h"

#define PROG "as-restful"
#define BODY_MAX (16u * 1024u * 1024u)

struct app {
    attest_ctx *ctx;
    attest_service *svc;
};

static void usage(FILE *f)
{
    fprintf(f, "usage: " PROG " [-c|--config-file CONFIG] [--socket ADDR:PORT]\n"
               "and the trust and collateral options:\n" CTXOPTS_USAGE);
}

static void handle(void *arg, const struct http_request *r, struct http_response *out)
{
    struct app *a = arg;
    const char *body = (const char *)r->body;
    char *text = NULL;
    const char *type = "text/plain";
    attest_status rc;
    bool get = strcmp(r->method, "GET") == 0, post = strcmp(r->method, "POST") == 0;

    if (post && strcmp(r->path, "/attestation") == 0) {
        rc = attest_service_attest(a->svc, body, r->body_len, &text);
    } else if (post && strcmp(r->path, "/policy") == 0) {
        rc = attest_service_set_policy(a->svc, body, r->body_len);
    } else if (get && strcmp(r->path, "/policy") == 0) {
        rc = attest_service_list_policies(a->svc, &text);
        type = "application/json";
    } else if (get && strncmp(r->path, "/policy/", 8) == 0) {
        rc = attest_service_get_policy(a->svc, r->path + 8, &text);
    } else if (post && strcmp(r->path, "/challenge") == 0) {
        rc = attest_service_challenge(a->svc, body, r->body_len, &text);
    } else if (get && strcmp(r->path, "/.well-known/jwks.json") == 0) {
        rc = attest_service_jwks(a->svc, &text);
        type = "application/json";
    } else if (get && strcmp(r->path, "/healthz") == 0) {
        rc = ATTEST_OK;
    } else {
        http_error(out, 404, "NotFound", "no such route");
        return;
    }
    if (rc != ATTEST_OK)
        http_attest_error(out, rc, attest_ctx_last_error(a->ctx));
    else
        http_text(out, 200, type, text != NULL ? text : "");
    attest_free(text);
}

int main(int argc, char **argv)
{
    enum { O_SOCKET = 256, O_HELP, O_VERSION };
    static const struct option longopts[] = {
        {"config-file", required_argument, NULL, 'c'},
        {"socket", required_argument, NULL, O_SOCKET},
        CTXOPTS_LONGOPTS,
        {"help", no_argument, NULL, O_HELP},
        {"version", no_argument, NULL, O_VERSION},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *socket = "127.0.0.1:8080";
    struct app a = {NULL, NULL};
    struct ctxopts sources = {0};
    int c, rc = 2;

    if (attest_ctx_new(&a.ctx) != ATTEST_OK)
        return 2;
    while ((c = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case O_SOCKET: socket = optarg; break;
        case O_HELP: usage(stdout); rc = 0; goto out;
        case O_VERSION: printf(PROG " %s\n", attest_version()); rc = 0; goto out;
        default: /* ours, or unknown (getopt printed why) */
            if (ctxopts_take(&sources, PROG, c, optarg) != 1) {
                usage(stderr);
                goto out;
            }
        }
    }
    if (optind != argc) {
        usage(stderr);
        goto out;
    }
    if (!ctxopts_apply(&sources, a.ctx, PROG))
        goto out;
    if ((config != NULL ? attest_service_load(&a.svc, a.ctx, config)
                        : attest_service_new(&a.svc, a.ctx, NULL, 0)) != ATTEST_OK) {
        fprintf(stderr, PROG ": %s\n", attest_ctx_last_error(a.ctx));
        goto out;
    }
    rc = http_serve(PROG, socket, BODY_MAX, handle, &a) == 0 ? 0 : 1;
out:
    attest_service_free(a.svc);
    attest_ctx_free(a.ctx);
    return rc;
}
