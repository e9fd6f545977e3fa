/* The tdx driver's private declarations. Never installed. */
#ifndef ATTEST_TDX_H
#define ATTEST_TDX_H

#include "../../lib/tsm.h"
#include "../dcap/dcap.h"

/* Linux uapi linux/tdx-guest.h (tdx-sgx.md §11.1) */
#define TDX_REPORT_LEN 1024u
#define TDX_CMD_GET_REPORT0 0xc4405401ul /* _IOWR('T', 1, struct tdx_report_req) */
/* the pre-configfs quote ioctl of Intel's TDX guest driver: _IOR('T', 4, tdx_quote_req) */
#define TDX_CMD_GET_QUOTE 0x80105404ul
#define TDX_QUOTE_MAX (64u * 1024u)

struct tdx_report_req {
    uint8_t reportdata[64];
    uint8_t tdreport[TDX_REPORT_LEN];
};

struct tdx_quote_req {
    uint64_t buf;
    uint64_t len;
};

/* The buffer TDX_CMD_GET_QUOTE exchanges: a header, then a QGS message with a 4-byte
 * big-endian length prefix (tdx-sgx.md §11.3). */
struct tdx_quote_hdr {
    uint64_t version; /* 1 */
    uint64_t status;  /* 0 success; 0xffffffffffffffff in flight; 0x8000000000000000 error */
    uint32_t in_len;
    uint32_t out_len;
};

extern const struct attest_sys_ops tdx_posix_ops;

/* Collect a quote with this report data: configfs-tsm ("tdx_guest") when present, else
 * /dev/tdx_guest (GET_REPORT0, then GET_QUOTE through the host's QGS). The evidence is
 * Trustee's TdxEvidence JSON {"quote": "<base64>"} (malloc'd). */
attest_status tdx_collect_with(attest_ctx *ctx, const struct attest_sys_ops *ops,
                               const uint8_t *report_data, size_t len, uint8_t **out,
                               size_t *out_len);
attest_status tdx_collect(attest_ctx *ctx, const uint8_t *report_data, size_t len,
                          uint8_t **out, size_t *out_len);
bool tdx_available(attest_ctx *ctx);

#endif
