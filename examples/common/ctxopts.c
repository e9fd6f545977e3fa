/* Trust and collateral options shared by the verifying programs (ctxopts.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctxopts.h"

int ctxopts_take(struct ctxopts *o, const char *prog, int c, const char *arg)
{
    switch (c) {
    case CTXOPT_TRUST:
    case CTXOPT_COLL: {
        size_t *n = c == CTXOPT_TRUST ? &o->n_trust : &o->n_collateral;
        if (*n == CTXOPTS_MAX) {
            fprintf(stderr, "%s: more than %d %s options\n", prog, CTXOPTS_MAX,
                    c == CTXOPT_TRUST ? "--trust-dir" : "--collateral");
            return -1;
        }
        (c == CTXOPT_TRUST ? o->trust : o->collateral)[(*n)++] = arg;
        return 1;
    }
    case CTXOPT_PCCS: o->pccs.base = arg; return 1;
    case CTXOPT_PCCS_CACHE: o->pccs.cache = arg; return 1;
    case CTXOPT_PCCS_INSECURE: o->pccs.insecure = 1; return 1;
    default: return 0;
    }
}

bool ctxopts_apply(struct ctxopts *o, attest_ctx *ctx, const char *prog)
{
    for (size_t i = 0; i < o->n_trust; i++)
        if (attest_ctx_add_trust_dir(ctx, o->trust[i]) != ATTEST_OK)
            goto fail;
    for (size_t i = 0; i < o->n_collateral; i++)
        if (attest_ctx_add_collateral(ctx, o->collateral[i]) != ATTEST_OK)
            goto fail;
    if (o->pccs.base == NULL)
        return true;
#if ATTEST_EXAMPLES_PCCS
    o->pccs.ctx = ctx;
    o->pccs.prog = prog;
    if (attest_ctx_set_collateral_fn(ctx, pccs_collateral_fn, &o->pccs) != ATTEST_OK)
        goto fail;
    return true;
#else
    fprintf(stderr, "%s: --pccs needs a build with libcurl\n", prog);
    return false;
#endif
fail:
    fprintf(stderr, "%s: %s\n", prog, attest_ctx_last_error(ctx));
    return false;
}
