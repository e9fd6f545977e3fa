/* The request object, shared by lib/request.c and lib/verify.c. */
#ifndef ATTEST_REQUEST_H
#define ATTEST_REQUEST_H

#include "driver.h"

struct attest_request_data {
    bool set;
    attest_data_kind kind;
    bool truncate; /* compare truncated to the field (ATTEST_DATA_TRUNCATE) */
    attest_hash_alg alg;
    uint8_t *data; /* len bytes + a NUL, so JSON text can be handed on as is */
    size_t len;
};

struct attest_request {
    const struct attest_driver *driver; /* NULL: detect at verify */
    uint8_t *evidence;
    size_t evidence_len;
    struct attest_request_data runtime;
    struct attest_request_data init;
};

#endif /* ATTEST_REQUEST_H */
