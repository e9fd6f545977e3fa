/* attest_request: evidence plus the caller's binding expectations, as given. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "request.h"

attest_status attest_request_new(attest_request **out, const char *tee,
                                 const uint8_t *evidence, size_t len)
{
    const struct attest_driver *drv = NULL;

    if (out == NULL || evidence == NULL || len == 0 || len > ATTEST_EVIDENCE_MAX)
        return ATTEST_E_ARG;
    if (tee != NULL && (drv = attest_drivers__find(tee)) == NULL)
        return ATTEST_E_UNSUPPORTED;
    attest_request *req = calloc(1, sizeof(*req));
    if (req == NULL)
        return ATTEST_E_NOMEM;
    if ((req->evidence = malloc(len)) == NULL) {
        free(req);
        return ATTEST_E_NOMEM;
    }
    memcpy(req->evidence, evidence, len);
    req->evidence_len = len;
    req->driver = drv;
    *out = req;
    return ATTEST_OK;
}

static void data_clear(struct attest_request_data *d)
{
    if (d->data != NULL) {
        OPENSSL_cleanse(d->data, d->len);
        free(d->data);
    }
    memset(d, 0, sizeof(*d));
}

void attest_request_free(attest_request *req)
{
    if (req == NULL)
        return;
    data_clear(&req->runtime);
    data_clear(&req->init);
    free(req->evidence);
    free(req);
}

static attest_status data_set(struct attest_request_data *d, attest_data_kind kind,
                              const uint8_t *data, size_t len, attest_hash_alg alg)
{
    bool truncate = (kind & ATTEST_DATA_TRUNCATE) != 0;
    kind = (attest_data_kind)(kind & ~ATTEST_DATA_TRUNCATE);
    if ((data == NULL && len > 0) || len > ATTEST_EVIDENCE_MAX)
        return ATTEST_E_ARG;
    if (kind != ATTEST_DATA_RAW && kind != ATTEST_DATA_JSON && kind != ATTEST_DATA_RAW_HASHED &&
        kind != ATTEST_DATA_INITDATA_TOML)
        return ATTEST_E_ARG;
    if (kind != ATTEST_DATA_RAW && kind != ATTEST_DATA_INITDATA_TOML &&
        attest_hash_alg_name(alg) == NULL)
        return ATTEST_E_ARG;
    if (kind == ATTEST_DATA_RAW && len > ATTEST_BINDING_MAX) /* no field is longer */
        return ATTEST_E_ARG;
    uint8_t *copy = malloc(len + 1);
    if (copy == NULL)
        return ATTEST_E_NOMEM;
    if (len > 0)
        memcpy(copy, data, len);
    copy[len] = 0;
    data_clear(d);
    d->set = true;
    d->truncate = truncate || kind == ATTEST_DATA_INITDATA_TOML;
    d->kind = kind;
    d->alg = alg;
    d->data = copy;
    d->len = len;
    return ATTEST_OK;
}

attest_status attest_request_set_runtime_data(attest_request *req, attest_data_kind kind,
                                              const uint8_t *data, size_t len,
                                              attest_hash_alg alg)
{
    /* report data never truncates, and is no init-data document */
    if (req == NULL || (kind & ATTEST_DATA_TRUNCATE) != 0 || kind == ATTEST_DATA_INITDATA_TOML)
        return ATTEST_E_ARG;
    return data_set(&req->runtime, kind, data, len, alg);
}

attest_status attest_request_set_init_data(attest_request *req, attest_data_kind kind,
                                           const uint8_t *data, size_t len,
                                           attest_hash_alg alg)
{
    if (req == NULL)
        return ATTEST_E_ARG;
    return data_set(&req->init, kind, data, len, alg);
}
