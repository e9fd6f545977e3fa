/*
 * attest_verify(): pick the driver, compute the expected binding values, run the driver
 * (parse -> authenticate -> bind -> claims), wrap its output in a result.
 */
#include <string.h>

#include "request.h"

/* The driver whose detect() is most confident; ties go to the earlier table entry. */
static attest_status detect_driver(attest_ctx *ctx, const attest_request *req,
                                   const struct attest_driver **out)
{
    const struct attest_driver *best = NULL;
    int best_score = 0;

    for (size_t i = 0; i < attest_drivers__count(); i++) {
        const struct attest_driver *d = attest_drivers__get(i);
        int score = d->detect(req->evidence, req->evidence_len);
        if (score > best_score) {
            best = d;
            best_score = score;
        }
    }
    if (best == NULL)
        return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                                 "verify: evidence format not recognised (%zu bytes); "
                                 "name the TEE explicitly",
                                 req->evidence_len);
    *out = best;
    return ATTEST_OK;
}

static attest_status expect_from(attest_ctx *ctx, const struct attest_request_data *d,
                                 struct attest_expect *e)
{
    memset(e, 0, sizeof(*e));
    if (!d->set)
        return ATTEST_OK;
    attest_status rc = attest_binding_digest(ctx, d->kind, d->data, d->len, d->alg, e->value,
                                             sizeof(e->value), &e->len);
    if (rc == ATTEST_OK) {
        e->set = true;
        e->truncate = d->truncate;
    }
    return rc;
}

attest_status attest_verify(attest_ctx *ctx, const attest_request *req, attest_result **out)
{
    const struct attest_driver *drv;
    struct attest_expect runtime, init;
    struct attest_verify_output vo;
    attest_status rc;

    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (req == NULL || out == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "verify: NULL argument");

    drv = req->driver;
    if (drv == NULL && (rc = detect_driver(ctx, req, &drv)) != ATTEST_OK)
        return rc;
    if ((rc = expect_from(ctx, &req->runtime, &runtime)) != ATTEST_OK)
        return rc;
    if ((rc = expect_from(ctx, &req->init, &init)) != ATTEST_OK)
        return rc;

    struct attest_verify_input vi = {req->evidence, req->evidence_len, &runtime, &init};
    memset(&vo, 0, sizeof(vo));
    rc = drv->verify(ctx, &vi, &vo);
    if (rc == ATTEST_OK && ATTEST_NEVER(vo.claims == NULL))
        rc = attest_ctx__error(ctx, ATTEST_E_INTERNAL, "%s: driver returned no claims",
                               drv->name);
    if (rc != ATTEST_OK) {
        cJSON_Delete(vo.claims); /* a driver must not leave any; fail closed if it did */
        return rc;
    }
    return attest_result__new(ctx, drv, &vo, out);
}
