/*
 * DCAP quote parsing (tdx-sgx.md §1, §3, §4). Like Intel QVL's Quote::parse then
 * Quote::validate: walk the bytes with a bounds-checked cursor into locals, then check the
 * per-version rules, and only then fill *out.
 */
#include <string.h>

#include "dcap.h"

/* Intel's QE vendor id (§1), the only QE whose identity Intel publishes. */
static const uint8_t intel_qe_vendor[16] = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
                                            0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};

#define CERT_TYPE_PCK_CHAIN 5
#define CERT_TYPE_QE_REPORT 6

static attest_status truncated(attest_ctx *ctx, const char *field, size_t need, size_t left)
{
    return attest_ctx__error(ctx, ATTEST_E_PARSE,
                             "dcap: quote is truncated at %s (need %zu bytes, %zu left)", field,
                             need, left);
}

/* The QE report certification data (type 6 payload, or the v3 tail), §4. */
static attest_status parse_qe_cert_data(attest_ctx *ctx, struct attest_cursor *c,
                                        struct dcap_quote *q)
{
    const uint8_t *p;
    uint32_t cert_len;
    uint16_t cert_type;

    if (!attest_cursor_take(c, DCAP_SGX_BODY_SIZE, &q->qe_report))
        return truncated(ctx, "qe_report", DCAP_SGX_BODY_SIZE, attest_cursor_left(c));
    if (!attest_cursor_take(c, 64, &q->qe_report_sig))
        return truncated(ctx, "qe_report_signature", 64, attest_cursor_left(c));
    if (!attest_cursor_take(c, 2, &p))
        return truncated(ctx, "qe_auth_data size", 2, attest_cursor_left(c));
    q->qe_auth_len = dcap_le16(p);
    if (!attest_cursor_take(c, q->qe_auth_len, &q->qe_auth))
        return truncated(ctx, "qe_auth_data", q->qe_auth_len, attest_cursor_left(c));
    if (!attest_cursor_take(c, 6, &p))
        return truncated(ctx, "certification data header", 6, attest_cursor_left(c));
    cert_type = dcap_le16(p);
    cert_len = dcap_le32(p + 2);
    if (cert_type != CERT_TYPE_PCK_CHAIN)
        return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                                 "dcap: certification data type %u is not supported (want 5, "
                                 "the PCK certificate chain; types 1-4 need a PCK certificate "
                                 "from PCS)",
                                 cert_type);
    if (!attest_cursor_take(c, cert_len, &q->pck_chain))
        return truncated(ctx, "PCK certificate chain", cert_len, attest_cursor_left(c));
    q->pck_chain_len = cert_len;
    if (attest_cursor_left(c) != 0)
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "dcap: %zu unexplained bytes after the PCK certificate chain "
                                 "inside the signature data",
                                 attest_cursor_left(c));
    return ATTEST_OK;
}

/* The signature data (§4): the quote signature, the attestation key, certification data. */
static attest_status parse_signature_data(attest_ctx *ctx, const uint8_t *sd, size_t len,
                                          struct dcap_quote *q)
{
    struct attest_cursor c;
    const uint8_t *p;

    attest_cursor_init(&c, sd, len);
    if (!attest_cursor_take(&c, 64, &q->signature))
        return truncated(ctx, "quote signature", 64, attest_cursor_left(&c));
    if (!attest_cursor_take(&c, 64, &q->attest_key))
        return truncated(ctx, "attestation key", 64, attest_cursor_left(&c));
    if (q->version == 3)
        return parse_qe_cert_data(ctx, &c, q);
    /* v4/v5: a type-6 wrapper holds the QE report certification data */
    if (!attest_cursor_take(&c, 6, &p))
        return truncated(ctx, "certification data header", 6, attest_cursor_left(&c));
    uint16_t type = dcap_le16(p);
    uint32_t size = dcap_le32(p + 2);
    if (type != CERT_TYPE_QE_REPORT)
        return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                                 "dcap: certification data type %u is not supported in a v%u "
                                 "quote (want 6, QE report certification data)",
                                 type, q->version);
    if (size != attest_cursor_left(&c))
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "dcap: QE report certification data size %u does not match "
                                 "the %zu bytes left in the signature data",
                                 size, attest_cursor_left(&c));
    struct attest_cursor inner;
    attest_cursor_init(&inner, c.buf + c.off, size);
    return parse_qe_cert_data(ctx, &inner, q);
}

attest_status dcap_quote_parse(attest_ctx *ctx, const uint8_t *buf, size_t len,
                               struct dcap_quote *out)
{
    struct dcap_quote q;
    struct attest_cursor c;
    const uint8_t *p;

    memset(&q, 0, sizeof(q));
    q.raw = buf;
    attest_cursor_init(&c, buf, len);
    if (!attest_cursor_take(&c, DCAP_HEADER_SIZE, &q.header))
        return truncated(ctx, "header", DCAP_HEADER_SIZE, len);
    q.version = dcap_le16(q.header);
    q.att_key_type = dcap_le16(q.header + 2);
    q.tee_type = dcap_le32(q.header + 4);
    if (q.version < 3 || q.version > 5)
        return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                                 "dcap: quote version %u is not supported (want 3, 4 or 5)",
                                 q.version);
    if (q.att_key_type != 2)
        return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                                 "dcap: attestation key type %u is not supported (want 2, "
                                 "ECDSA-256-with-P-256)",
                                 q.att_key_type);
    if (q.tee_type != DCAP_TEE_SGX && q.tee_type != DCAP_TEE_TDX)
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "dcap: tee_type 0x%08x is neither SGX (0) nor TDX (0x81)",
                                 q.tee_type);
    if (memcmp(q.header + 12, intel_qe_vendor, 16) != 0)
        return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                                 "dcap: QE vendor id is not Intel's (only Intel's QE has "
                                 "published identities)");
    /* the body: fixed by version for v3/v4, described by a type and size for v5 (§3.3) */
    if (q.version == 3) {
        q.body_type = DCAP_BODY_SGX;
        q.body_len = DCAP_SGX_BODY_SIZE;
    } else if (q.version == 4) {
        q.body_type = DCAP_BODY_TD10;
        q.body_len = DCAP_TD10_BODY_SIZE;
    } else {
        if (!attest_cursor_take(&c, 6, &p))
            return truncated(ctx, "body descriptor", 6, attest_cursor_left(&c));
        uint16_t type = dcap_le16(p);
        uint32_t size = dcap_le32(p + 2);
        static const size_t sizes[4] = {0, DCAP_SGX_BODY_SIZE, DCAP_TD10_BODY_SIZE,
                                        DCAP_TD15_BODY_SIZE};
        if (type < 1 || type > 3)
            return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                                     "dcap: quote body type %u is not supported (want 1 SGX, 2 "
                                     "TD 1.0 or 3 TD 1.5)",
                                     type);
        if (size != sizes[type])
            return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                     "dcap: quote body size %u does not fit body type %u (want "
                                     "%zu)",
                                     size, type, sizes[type]);
        q.body_type = (enum dcap_body)type;
        q.body_len = size;
    }
    bool body_tdx = q.body_type != DCAP_BODY_SGX;
    if (body_tdx != (q.tee_type == DCAP_TEE_TDX))
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "dcap: tee_type 0x%08x does not fit a v%u quote with a %s body",
                                 q.tee_type, q.version, body_tdx ? "TD" : "SGX enclave");
    if (!attest_cursor_take(&c, q.body_len, &q.body))
        return truncated(ctx, "report body", q.body_len, attest_cursor_left(&c));
    q.signed_len = c.off;
    if (!attest_cursor_take(&c, 4, &p))
        return truncated(ctx, "signature_data_len", 4, attest_cursor_left(&c));
    uint32_t sd_len = dcap_le32(p);
    const uint8_t *sd;
    if (!attest_cursor_take(&c, sd_len, &sd))
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "dcap: quote signature_data_len %u exceeds the %zu bytes left",
                                 sd_len, attest_cursor_left(&c));
    attest_status rc = parse_signature_data(ctx, sd, sd_len, &q);
    if (rc != ATTEST_OK)
        return rc;
    q.trailing = attest_cursor_left(&c);
    *out = q;
    return ATTEST_OK;
}

int dcap_quote_detect(const uint8_t *buf, size_t len, uint32_t tee_type)
{
    if (buf == NULL || len < DCAP_HEADER_SIZE + DCAP_SGX_BODY_SIZE)
        return 0;
    uint16_t version = dcap_le16(buf);
    if (version < 3 || version > 5 || dcap_le16(buf + 2) != 2 ||
        dcap_le32(buf + 4) != tee_type || memcmp(buf + 12, intel_qe_vendor, 16) != 0)
        return 0;
    return 100;
}
