/*
 * The sample TEE: Trustee's software-only test TEE. Its evidence is JSON any program can
 * write, so it proves nothing about hardware; it exists to run attestation flows end to
 * end without a TEE. Results say so (hardware_backed 0, tcb_status "NotHardwareBacked").
 *
 * Evidence (Trustee deps/verifier/src/sample/mod.rs, guest-components sample attester):
 *   {"svn": "<string>", "report_data": "<base64 std>"}
 * plus, accepted here and in older Trustee releases, "init_data": "<base64 std>", and the
 * claims Trustee's sample verifier fixes, which evidence may set: "launch_digest"
 * (string, default "abcde"), "platform_version" ({"major","minor"}, default 1.4), "debug"
 * (bool, default false). Other members are ignored, as Trustee's serde parser does.
 */
#ifndef ATTEST_SAMPLE_H
#define ATTEST_SAMPLE_H

#include <cjson/cJSON.h>

#include "../../lib/internal.h"

/* Report data and init data fields hold at most this many bytes. */
#define SAMPLE_FIELD_MAX ATTEST_BINDING_MAX

struct sample_evidence {
    const char *svn;         /* borrowed from the parsed JSON */
    const char *report_data_b64;
    uint8_t report_data[SAMPLE_FIELD_MAX];
    size_t report_data_len;
    const char *init_data_b64; /* NULL when absent */
    uint8_t init_data[SAMPLE_FIELD_MAX];
    size_t init_data_len;
    const char *launch_digest;
    int64_t major, minor;
    bool debug;
};

/*
 * Parse sample evidence. On ATTEST_OK *root holds the parsed JSON (free with cJSON_Delete)
 * that ev borrows from; on error nothing is allocated.
 */
attest_status sample_evidence_parse(attest_ctx *ctx, const uint8_t *buf, size_t len,
                                    cJSON **root, struct sample_evidence *ev);

#endif /* ATTEST_SAMPLE_H */
