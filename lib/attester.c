/* attest_attester: collect evidence from this machine's TEE. */
#include <stdlib.h>
#include <string.h>

#include "driver.h"

struct attest_attester {
    attest_ctx *ctx;
    const struct attest_driver *driver;
    char *state_dir; /* set: a simulated device (attest_attester_new_simulated) */
};

struct attest_evidence {
    const struct attest_driver *driver;
    uint8_t *data;
    size_t len;
};

attest_status attest_attester_new(attest_attester **out, attest_ctx *ctx, const char *tee)
{
    const struct attest_driver *drv = NULL;

    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (out == NULL || tee == NULL)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "attester: NULL argument");
    if (strcmp(tee, "auto") == 0) {
        for (size_t i = 0; i < attest_drivers__count() && drv == NULL; i++) {
            const struct attest_driver *d = attest_drivers__get(i);
            if (d->collect != NULL && d->available != NULL && d->available(ctx))
                drv = d;
        }
        if (drv == NULL)
            return attest_ctx__error(ctx, ATTEST_E_NOT_FOUND,
                                     "attester: no TEE found on this machine (the sample "
                                     "TEE is never chosen automatically; name it)");
    } else if ((drv = attest_drivers__find(tee)) == NULL) {
        return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                                 "attester: unknown TEE \"%s\" or not in this build", tee);
    } else if (drv->collect == NULL) {
        return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                                 "attester: %s evidence cannot be collected by this library",
                                 drv->name);
    }
    attest_attester *a = calloc(1, sizeof(*a));
    if (a == NULL)
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "attester: out of memory");
    a->ctx = ctx;
    a->driver = drv;
    *out = a;
    return ATTEST_OK;
}

attest_status attest_attester_new_simulated(attest_attester **out, attest_ctx *ctx,
                                            const char *tee, const char *state_dir)
{
    const struct attest_driver *drv;

    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (out == NULL || tee == NULL || state_dir == NULL || state_dir[0] == '\0')
        return attest_ctx__error(ctx, ATTEST_E_ARG, "attester: NULL or empty argument");
    if ((drv = attest_drivers__find(tee)) == NULL || drv->simulate == NULL)
        return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                                 "attester: no simulated device for TEE \"%s\" in this build",
                                 tee);
    attest_attester *a = calloc(1, sizeof(*a));
    if (a == NULL || (a->state_dir = strdup(state_dir)) == NULL) {
        free(a);
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "attester: out of memory");
    }
    a->ctx = ctx;
    a->driver = drv;
    *out = a;
    return ATTEST_OK;
}

void attest_attester_free(attest_attester *a)
{
    if (a == NULL)
        return;
    free(a->state_dir);
    free(a);
}

const char *attest_attester_tee(const attest_attester *a)
{
    return a == NULL ? NULL : a->driver->name;
}

attest_status attest_attester_collect(attest_attester *a, const uint8_t *report_data,
                                      size_t len, attest_evidence **out)
{
    if (a == NULL)
        return ATTEST_E_ARG;
    if ((report_data == NULL && len > 0) || out == NULL)
        return attest_ctx__error(a->ctx, ATTEST_E_ARG, "attester: NULL argument");
    if (len > ATTEST_BINDING_MAX)
        return attest_ctx__error(a->ctx, ATTEST_E_ARG,
                                 "attester: report data is too long (got %zu bytes, want "
                                 "at most %d)",
                                 len, ATTEST_BINDING_MAX);
    attest_evidence *ev = calloc(1, sizeof(*ev));
    if (ev == NULL)
        return attest_ctx__error(a->ctx, ATTEST_E_NOMEM, "attester: out of memory");
    attest_status rc =
        a->state_dir != NULL
            ? a->driver->simulate(a->ctx, a->state_dir, report_data, len, &ev->data, &ev->len)
            : a->driver->collect(a->ctx, report_data, len, &ev->data, &ev->len);
    if (rc != ATTEST_OK) {
        free(ev);
        return rc;
    }
    ev->driver = a->driver;
    *out = ev;
    return ATTEST_OK;
}

void attest_evidence_free(attest_evidence *ev)
{
    if (ev == NULL)
        return;
    free(ev->data);
    free(ev);
}

const uint8_t *attest_evidence_data(const attest_evidence *ev, size_t *len)
{
    if (ev == NULL)
        return NULL;
    if (len != NULL)
        *len = ev->len;
    return ev->data;
}

const char *attest_evidence_tee(const attest_evidence *ev)
{
    return ev == NULL ? NULL : ev->driver->name;
}
