/*
 * Collect a TDX quote inside a TD (tdx-sgx.md §11): configfs-tsm (Linux >= 6.7, provider
 * tdx_guest: inblob = REPORTDATA, outblob = the quote) when present; else /dev/tdx_guest,
 * whose GET_REPORT0 gives the TDREPORT that the older GET_QUOTE ioctl sends to the host's
 * quote generation service (QGS message version 1.0, as Intel's libtdx_attest does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tdx.h"

const struct attest_sys_ops tdx_posix_ops = ATTEST_SYS_POSIX_OPS("/dev/tdx_guest");

#define QGS_HEADER 16u /* major u16, minor u16, type u32, size u32, error_code u32 */
#define QGS_GET_QUOTE_REQ 0u
#define QGS_GET_QUOTE_RESP 1u

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static attest_status via_device(attest_ctx *ctx, const struct attest_sys_ops *ops,
                                const uint8_t rd[64], uint8_t **quote, size_t *quote_len)
{
    struct tdx_report_req rr;
    memset(&rr, 0, sizeof(rr));
    memcpy(rr.reportdata, rd, 64);
    if (ops->ioctl(ops->arg, ops->device, TDX_CMD_GET_REPORT0, &rr) != 0)
        return attest_ctx__error(ctx, ATTEST_E_IO, "tdx: TDX_CMD_GET_REPORT0 failed on %s",
                                 ops->device);
    /* the QGS GET_QUOTE_REQ: header, report_size, id_list_size, the TDREPORT */
    const uint32_t msg_len = QGS_HEADER + 8 + TDX_REPORT_LEN;
    size_t cap = sizeof(struct tdx_quote_hdr) + 4 + TDX_QUOTE_MAX;
    uint8_t *buf = calloc(1, cap);
    if (buf == NULL)
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "tdx: out of memory");
    struct tdx_quote_hdr hdr = {.version = 1, .status = 0, .in_len = 4 + msg_len, .out_len = 0};
    memcpy(buf, &hdr, sizeof(hdr));
    uint8_t *m = buf + sizeof(hdr);
    m[0] = (uint8_t)(msg_len >> 24); /* big-endian length prefix */
    m[1] = (uint8_t)(msg_len >> 16);
    m[2] = (uint8_t)(msg_len >> 8);
    m[3] = (uint8_t)msg_len;
    uint8_t *q = m + 4;
    q[0] = 1; /* major version 1, minor 0 */
    put_le32(q + 4, QGS_GET_QUOTE_REQ);
    put_le32(q + 8, msg_len);
    put_le32(q + 16, TDX_REPORT_LEN);
    put_le32(q + 20, 0);
    memcpy(q + 24, rr.tdreport, TDX_REPORT_LEN);
    struct tdx_quote_req req = {.buf = (uint64_t)(uintptr_t)buf, .len = cap};
    attest_status rc = ATTEST_OK;
    if (ops->ioctl(ops->arg, ops->device, TDX_CMD_GET_QUOTE, &req) != 0) {
        rc = attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                               "tdx: TDX_CMD_GET_QUOTE failed on %s (this kernel delivers quotes "
                               "only through configfs-tsm, Linux >= 6.7)",
                               ops->device);
        goto out;
    }
    memcpy(&hdr, buf, sizeof(hdr));
    if (hdr.status != 0 || hdr.out_len < 4 + QGS_HEADER + 8 || hdr.out_len > cap - sizeof(hdr)) {
        rc = attest_ctx__error(ctx, ATTEST_E_IO,
                               "tdx: quote request failed (status 0x%llx, out_len %u)",
                               (unsigned long long)hdr.status, hdr.out_len);
        goto out;
    }
    const uint8_t *r = m + 4;
    size_t avail = hdr.out_len - 4;
    uint32_t type = dcap_le32(r + 4), size = dcap_le32(r + 8), err = dcap_le32(r + 12);
    uint32_t id_size = dcap_le32(r + 16), qsize = dcap_le32(r + 20);
    if (dcap_le16(r) != 1 || type != QGS_GET_QUOTE_RESP || err != 0 || size > avail ||
        (uint64_t)QGS_HEADER + 8 + id_size + qsize > size || qsize == 0) {
        rc = attest_ctx__error(ctx, ATTEST_E_IO,
                               "tdx: the quote service answered type %u, error 0x%x, quote size "
                               "%u",
                               type, err, qsize);
        goto out;
    }
    if ((*quote = malloc(qsize)) == NULL) {
        rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "tdx: out of memory");
        goto out;
    }
    memcpy(*quote, r + QGS_HEADER + 8 + id_size, qsize);
    *quote_len = qsize;
out:
    free(buf);
    return rc;
}

attest_status tdx_collect_with(attest_ctx *ctx, const struct attest_sys_ops *ops,
                               const uint8_t *report_data, size_t len, uint8_t **out,
                               size_t *out_len)
{
    uint8_t rd[64] = {0}, *quote = NULL;
    size_t qlen = 0;
    attest_status rc;

    if (len > sizeof(rd))
        return attest_ctx__error(ctx, ATTEST_E_ARG,
                                 "tdx: report data is too long (got %zu bytes, want at most 64)",
                                 len);
    if (len > 0)
        memcpy(rd, report_data, len);
    if (ops->exists(ops->arg, ops->tsm_report_dir))
        rc = attest_tsm__report(ctx, ops, "tdx", "tdx_guest", rd, 64, TDX_QUOTE_MAX, &quote,
                                &qlen, NULL, NULL);
    else if (ops->exists(ops->arg, ops->device))
        rc = via_device(ctx, ops, rd, &quote, &qlen);
    else
        rc = attest_ctx__error(ctx, ATTEST_E_NOT_FOUND,
                               "tdx: neither %s nor %s exists (not a TDX guest?)",
                               ops->tsm_report_dir, ops->device);
    if (rc != ATTEST_OK)
        return rc;
    /* what the host's QGS returned must at least be a TDX quote for this report data */
    struct dcap_quote q;
    if ((rc = dcap_quote_parse(ctx, quote, qlen, &q)) != ATTEST_OK ||
        q.tee_type != DCAP_TEE_TDX || memcmp(q.body + DCAP_TD_REPORTDATA, rd, 64) != 0) {
        if (rc == ATTEST_OK)
            rc = attest_ctx__error(ctx, ATTEST_E_IO,
                                   "tdx: the quote returned is not a TDX quote of this report "
                                   "data");
        free(quote);
        return rc;
    }
    char *b64 = attest_b64__encode(ATTEST_B64_STD, quote, qlen);
    free(quote);
    size_t n = b64 != NULL ? strlen(b64) + 16 : 0;
    char *json = b64 != NULL ? malloc(n) : NULL;
    if (json == NULL) {
        free(b64);
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "tdx: out of memory");
    }
    snprintf(json, n, "{\"quote\":\"%s\"}", b64);
    free(b64);
    *out = (uint8_t *)json;
    *out_len = strlen(json);
    return ATTEST_OK;
}

attest_status tdx_collect(attest_ctx *ctx, const uint8_t *report_data, size_t len,
                          uint8_t **out, size_t *out_len)
{
    return tdx_collect_with(ctx, &tdx_posix_ops, report_data, len, out, out_len);
}

bool tdx_available(attest_ctx *ctx)
{
    (void)ctx;
    return access(tdx_posix_ops.device, F_OK) == 0;
}
