/*
 * Collect an SEV-SNP report inside a guest: configfs-tsm (Linux >= 6.7) when present, else
 * the /dev/sev-guest SNP_GET_EXT_REPORT ioctl; with the host's certificate table when it
 * supplies one. Interfaces: ../shared/specs/evidence/snp.md §8 (kernel uapi sev-guest.h) and
 * §10 (Documentation/ABI/testing/configfs-tsm-report).
 *
 * All kernel access goes through struct attest_sys_ops, so tests drive this code against a
 * simulated kernel; the default ops are the POSIX calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snp.h"

/* kernel uapi linux/sev-guest.h */
struct snp_guest_request_ioctl {
    uint8_t msg_version;
    uint8_t pad[7];
    uint64_t req_data;
    uint64_t resp_data;
    uint32_t fw_error;  /* exitinfo2 low half */
    uint32_t vmm_error; /* exitinfo2 high half */
};
struct snp_report_req {
    uint8_t user_data[64];
    uint32_t vmpl;
    uint8_t rsvd[28];
};
struct snp_ext_report_req {
    struct snp_report_req data;
    uint64_t certs_address;
    uint32_t certs_len;
};
_Static_assert(sizeof(struct snp_guest_request_ioctl) == 32, "uapi layout");
_Static_assert(sizeof(struct snp_report_req) == 96, "uapi layout");

#define SNP_GET_EXT_REPORT 0xc0205302ul /* _IOWR('S', 0x2, struct snp_guest_request_ioctl) */
#define SNP_RESP_SIZE 4000u             /* MSG_REPORT_RSP: status, size, 24 reserved, report */
#define SNP_VMM_ERR_INVALID_LEN 1u
#define SNP_VMM_ERR_BUSY 2u
#define CERTS_MAX (64u * 4096u) /* as lib/tsm.c reads auxblob */

const struct attest_sys_ops snp_posix_ops = ATTEST_SYS_POSIX_OPS("/dev/sev-guest");

/* configfs-tsm: the report in outblob, the host's certificate table in auxblob. */
static attest_status via_configfs(attest_ctx *ctx, const struct attest_sys_ops *ops,
                                  const uint8_t rd[64], uint8_t *report, uint8_t **certs,
                                  size_t *certs_len)
{
    uint8_t *out = NULL;
    size_t n = 0;
    attest_status rc = attest_tsm__report(ctx, ops, "snp", "sev_guest", rd, 64,
                                          SNP_REPORT_SIZE, &out, &n, certs, certs_len);
    if (rc != ATTEST_OK)
        return rc;
    if (n != SNP_REPORT_SIZE) {
        free(out);
        free(*certs);
        *certs = NULL;
        return attest_ctx__error(ctx, ATTEST_E_IO,
                                 "snp: configfs-tsm outblob is %zu bytes (want %u)", n,
                                 SNP_REPORT_SIZE);
    }
    memcpy(report, out, SNP_REPORT_SIZE);
    free(out);
    return ATTEST_OK;
}

/* /dev/sev-guest SNP_GET_EXT_REPORT, growing the certificate buffer when the host asks. */
static attest_status via_device(attest_ctx *ctx, const struct attest_sys_ops *ops,
                                const uint8_t rd[64], uint8_t *report, uint8_t **certs,
                                size_t *certs_len)
{
    uint8_t *resp = calloc(1, SNP_RESP_SIZE), *buf = NULL;
    uint32_t cap = 4 * 4096;
    attest_status rc = ATTEST_OK;

    if (resp == NULL)
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: out of memory");
    for (int attempt = 0;; attempt++) {
        struct snp_ext_report_req req;
        struct snp_guest_request_ioctl io;
        free(buf);
        if ((buf = calloc(1, cap)) == NULL) {
            rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: out of memory");
            goto out;
        }
        memset(&req, 0, sizeof(req));
        memcpy(req.data.user_data, rd, 64);
        req.certs_address = (uint64_t)(uintptr_t)buf;
        req.certs_len = cap;
        memset(&io, 0, sizeof(io));
        io.msg_version = 1;
        io.req_data = (uint64_t)(uintptr_t)&req;
        io.resp_data = (uint64_t)(uintptr_t)resp;
        if (ops->ioctl(ops->arg, ops->device, SNP_GET_EXT_REPORT, &io) == 0)
            break;
        if (io.vmm_error == SNP_VMM_ERR_INVALID_LEN && req.certs_len > cap &&
            req.certs_len <= CERTS_MAX && attempt < 3) {
            cap = req.certs_len; /* the host needs a bigger table buffer */
            continue;
        }
        if (io.vmm_error == SNP_VMM_ERR_BUSY && attempt < 5)
            continue;
        rc = attest_ctx__error(ctx, ATTEST_E_IO,
                               "snp: SNP_GET_EXT_REPORT failed on %s (errno %d, fw_error 0x%x, "
                               "vmm_error %u)",
                               ops->device, errno, io.fw_error, io.vmm_error);
        goto out;
    }
    /* MSG_REPORT_RSP (pub. 56860): status u32 @0, report_size u32 @4, report @0x20 */
    uint32_t status = resp[0] | (uint32_t)resp[1] << 8 | (uint32_t)resp[2] << 16 |
                      (uint32_t)resp[3] << 24;
    uint32_t size = resp[4] | (uint32_t)resp[5] << 8 | (uint32_t)resp[6] << 16 |
                    (uint32_t)resp[7] << 24;
    if (status != 0 || size != SNP_REPORT_SIZE) {
        rc = attest_ctx__error(ctx, ATTEST_E_IO,
                               "snp: firmware report response status 0x%x, size %u (want 0, "
                               "%u)",
                               status, size, SNP_REPORT_SIZE);
        goto out;
    }
    memcpy(report, resp + 0x20, SNP_REPORT_SIZE);
    static const uint8_t zero[24];
    if (memcmp(buf, zero, 24) != 0) { /* an empty table starts with the terminator */
        *certs = buf;
        *certs_len = cap;
        buf = NULL;
    }
out:
    free(buf);
    free(resp);
    return rc;
}

attest_status snp_collect_with(attest_ctx *ctx, const struct attest_sys_ops *ops,
                               const uint8_t *report_data, size_t len, uint8_t **out,
                               size_t *out_len)
{
    uint8_t rd[64] = {0}, report[SNP_REPORT_SIZE + 1];
    uint8_t *certs = NULL;
    size_t certs_len = 0;
    attest_status rc;

    if (len > sizeof(rd))
        return attest_ctx__error(ctx, ATTEST_E_ARG,
                                 "snp: report data is too long (got %zu bytes, want at most 64)",
                                 len);
    if (len > 0)
        memcpy(rd, report_data, len);
    if (ops->exists(ops->arg, ops->tsm_report_dir))
        rc = via_configfs(ctx, ops, rd, report, &certs, &certs_len);
    else if (ops->exists(ops->arg, ops->device))
        rc = via_device(ctx, ops, rd, report, &certs, &certs_len);
    else
        rc = attest_ctx__error(ctx, ATTEST_E_NOT_FOUND,
                               "snp: neither %s nor %s exists (not an SEV-SNP guest?)",
                               ops->tsm_report_dir, ops->device);
    if (rc != ATTEST_OK)
        goto out;
    struct snp_cert_table table = {.count = 0};
    if (certs != NULL && (rc = snp_cert_table_parse(ctx, certs, certs_len, &table)) != ATTEST_OK)
        goto out;
    char *json = snp_evidence_to_trustee_json_table(report, &table);
    if (json == NULL) {
        rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: out of memory");
        goto out;
    }
    *out = (uint8_t *)json;
    *out_len = strlen(json);
out:
    free(certs);
    return rc;
}

attest_status snp_collect(attest_ctx *ctx, const uint8_t *report_data, size_t len,
                          uint8_t **out, size_t *out_len)
{
    return snp_collect_with(ctx, &snp_posix_ops, report_data, len, out, out_len);
}

bool snp_available(attest_ctx *ctx)
{
    (void)ctx;
    return access(snp_posix_ops.device, F_OK) == 0;
}
