/*
 * The options every verifying program takes for its trust and collateral sources:
 *   --trust-dir DIR   --collateral PATH   --pccs URL   --pccs-cache DIR   --pccs-insecure
 * One place for their parsing and their effect on an attest_ctx (attest-verify,
 * as-restful, as-grpc, kbs). --pccs works in builds with libcurl (pccs.h).
 */
#ifndef ATTEST_EXAMPLES_CTXOPTS_H
#define ATTEST_EXAMPLES_CTXOPTS_H

#include <stdbool.h>
#include <stddef.h>

#include <attest/attest.h>

#include "pccs.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    CTXOPT_TRUST = 1000,
    CTXOPT_COLL,
    CTXOPT_PCCS,
    CTXOPT_PCCS_CACHE,
    CTXOPT_PCCS_INSECURE,
};

/* Entries for a struct option table (getopt_long). */
#define CTXOPTS_LONGOPTS                                                                   \
    {"trust-dir", required_argument, NULL, CTXOPT_TRUST},                                  \
        {"collateral", required_argument, NULL, CTXOPT_COLL},                              \
        {"pccs", required_argument, NULL, CTXOPT_PCCS},                                    \
        {"pccs-cache", required_argument, NULL, CTXOPT_PCCS_CACHE},                        \
        {"pccs-insecure", no_argument, NULL, CTXOPT_PCCS_INSECURE}

/* The usage text for them, to print after a program's own. */
#define CTXOPTS_USAGE                                                                      \
    "  [--trust-dir DIR]... [--collateral DIR|FILE]...\n"                                  \
    "  [--pccs URL [--pccs-cache DIR] [--pccs-insecure]]\n"

#define CTXOPTS_MAX 64

struct ctxopts {
    const char *trust[CTXOPTS_MAX], *collateral[CTXOPTS_MAX];
    size_t n_trust, n_collateral;
    struct pccs pccs; /* pccs.base set: --pccs given */
};

/* Record option c (a CTXOPT_* value) with its argument: 1 taken, 0 not one of ours, -1 too
 * many (printed). */
int ctxopts_take(struct ctxopts *o, const char *prog, int c, const char *arg);

/*
 * Apply the recorded options to ctx: trust directories, collateral sources, and the PCCS
 * callback (asked at the ctx's time: the injected one, or the wall clock at each call).
 * o must outlive ctx. Prints why and returns false on failure.
 */
bool ctxopts_apply(struct ctxopts *o, attest_ctx *ctx, const char *prog);

#ifdef __cplusplus
}
#endif

#endif
