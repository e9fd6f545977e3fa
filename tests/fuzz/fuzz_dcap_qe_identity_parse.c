/* Fuzz the QE identity parser and the collateral document reader (PCS responses and
 * one-object bundles with hex CRLs and PEM issuer chains). */
#include "../../drivers/dcap/dcap.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_ctx *ctx;
    struct dcap_qe_identity q;

    if (attest_ctx_new(&ctx) != ATTEST_OK)
        return 0;
    if (dcap_qe_identity_parse(ctx, (const char *)data, size, &q) == ATTEST_OK) {
        FUZZ_ASSERT(q.n_levels > 0 && q.levels != NULL);
        dcap_qe_identity_free(&q);
    }
    struct dcap_store *s = calloc(1, sizeof(*s));
    if (s != NULL) {
        s->refs = 1;
        s->certs = sk_X509_new_null();
        s->crls = sk_X509_CRL_new_null();
        if (s->certs != NULL && s->crls != NULL)
            (void)dcap_store_add_document(ctx, s, "fuzz", data, size);
        dcap_store_release(s);
    }
    attest_ctx_free(ctx);
    return 0;
}
