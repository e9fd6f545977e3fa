/*
 * Intel DCAP collateral from a PCCS or Intel's PCS (API v4) over HTTPS with libcurl, cached
 * on disk: an attest_collateral_fn for the example programs. The library itself never
 * fetches anything (DESIGN.md); this is where a program does it.
 */
#ifndef ATTEST_EXAMPLES_PCCS_H
#define ATTEST_EXAMPLES_PCCS_H

#include <attest/attest.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pccs {
    const char *base;  /* e.g. https://api.trustedservices.intel.com or https://pccs:8081 */
    const char *cache; /* a directory for the bundles, or NULL: no cache */
    attest_ctx *ctx;   /* its time (injected, or now) is when a cached bundle must be current */
    const char *prog;  /* for messages on stderr */
    int insecure;      /* accept any TLS certificate (a local PCCS with a self-signed one) */
};

/*
 * The callback: answers kind "collateral", key "<tee>/<fmspc hex>/<platform|processor>"
 * with a collateral bundle (the one-object layout of docs/tee/dcap.md) assembled from
 * the PCS responses and their issuer-chain headers; everything else is NOT_FOUND. A cached
 * bundle whose TCB info and QE identity are current at the ctx's time is used without
 * fetching.
 * Install with attest_ctx_set_collateral_fn(ctx, pccs_collateral_fn, &pccs).
 */
attest_status pccs_collateral_fn(const char *tee, const char *kind, const char *key,
                                 attest_collateral_reply *reply, void *payload);

#ifdef __cplusplus
}
#endif

#endif
