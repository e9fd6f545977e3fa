/*
 * The interface between the core and one TEE driver (drivers/<tee>/driver.c). Never
 * installed. The core owns dispatch, binding expectations and the result; a driver owns
 * its evidence format.
 */
#ifndef ATTEST_DRIVER_H
#define ATTEST_DRIVER_H

#include <cjson/cJSON.h>

#include "internal.h"

/* What attest_verify() hands a driver: the evidence and the expected binding values. */
struct attest_verify_input {
    const uint8_t *evidence;
    size_t evidence_len;
    const struct attest_expect *runtime; /* report data; ->set false: not checked */
    const struct attest_expect *init;    /* init data field; ->set false: not checked */
};

/*
 * What a driver produces once parse, authenticate and bind all succeeded. The core turns
 * it into an attest_result. report_data/init_data are the evidence fields, recorded only
 * when the matching expectation was set and checked.
 */
struct attest_verify_output {
    cJSON *claims;          /* the TEE's claims object; owned by the output */
    const char *tcb_status; /* static string or NULL */
    attest_verdict verdict;
    uint8_t report_data[ATTEST_BINDING_MAX];
    size_t report_data_len;
    bool report_data_checked;
    uint8_t init_data[ATTEST_BINDING_MAX];
    size_t init_data_len;
    bool init_data_checked;
};

struct attest_driver {
    const char *name;           /* canonical, as in Trustee's tee names */
    const char *const *aliases; /* NULL-terminated, or NULL */
    bool hardware_backed;
    /*
     * How sure the driver is that these bytes are its evidence: 0 (no) .. 100 (magic
     * number matched). Must be cheap and must not fail on any input.
     */
    int (*detect)(const uint8_t *evidence, size_t len);
    /* parse -> authenticate -> bind -> claims; on error, nothing in *out. */
    attest_status (*verify)(attest_ctx *ctx, const struct attest_verify_input *in,
                            struct attest_verify_output *out);
    /* Whether "auto" may pick this driver on this machine; NULL: never. */
    bool (*available)(attest_ctx *ctx);
    /* Evidence with this report data; *out is malloc'd. NULL: cannot collect. */
    attest_status (*collect)(attest_ctx *ctx, const uint8_t *report_data, size_t len,
                             uint8_t **out, size_t *out_len);
    /* The same from a simulated device whose state lives in state_dir. NULL: none. */
    attest_status (*simulate)(attest_ctx *ctx, const char *state_dir,
                              const uint8_t *report_data, size_t len, uint8_t **out,
                              size_t *out_len);
};

/* The static driver table (lib/drivers.c), in detection-priority order. */
size_t attest_drivers__count(void);
const struct attest_driver *attest_drivers__get(size_t i);
/* Find by canonical name or alias (case-sensitive, as Trustee's tee strings are). */
const struct attest_driver *attest_drivers__find(const char *name);

/* The result object, built by the core from a driver's output (takes out->claims). */
attest_status attest_result__new(attest_ctx *ctx, const struct attest_driver *drv,
                                 struct attest_verify_output *out, attest_result **res);

#endif /* ATTEST_DRIVER_H */
