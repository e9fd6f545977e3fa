/*
 * The certificate table of an extended report (GHCB spec, pub. 56421, "SNP Extended Guest
 * Request"; same layout in the configfs-tsm auxblob): 24-byte entries {GUID[16], offset
 * u32 LE, length u32 LE} ended by an all-zero entry, offsets relative to the table start.
 */
#include <string.h>

#include "snp.h"

static const struct {
    uint8_t guid[16];
    enum snp_cert_kind kind;
} known_guids[] = {
    /* 63da758d-e664-4564-adc5-f4b93be8accd */
    {{0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac,
      0xcd}, SNP_CERT_VCEK},
    /* a8074bc2-a25a-483e-aae6-39c045a0b8a1 */
    {{0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e, 0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8,
      0xa1}, SNP_CERT_VLEK},
    /* 4ab7b379-bbac-4fe4-a02f-05aef327c782 */
    {{0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4, 0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7,
      0x82}, SNP_CERT_ASK},
    /* c0b406a4-a803-4952-9743-3fb6014cd0ae */
    {{0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52, 0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0,
      0xae}, SNP_CERT_ARK},
    /* 92f81bc3-5811-4d3d-97ff-d19f88dc67ea */
    {{0x92, 0xf8, 0x1b, 0xc3, 0x58, 0x11, 0x4d, 0x3d, 0x97, 0xff, 0xd1, 0x9f, 0x88, 0xdc, 0x67,
      0xea}, SNP_CERT_CRL},
};

#define ENTRY_SIZE 24u

attest_status snp_cert_table_parse(attest_ctx *ctx, const uint8_t *buf, size_t len,
                                   struct snp_cert_table *out)
{
    struct snp_cert_table t;
    static const uint8_t zero[ENTRY_SIZE];
    size_t n = 0;

    memset(&t, 0, sizeof(t));
    /* Find the terminator first: blobs must start after it. */
    for (;; n++) {
        if (n * ENTRY_SIZE > len || ENTRY_SIZE > len - n * ENTRY_SIZE)
            return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                     "snp: certificate table has no terminating entry");
        if (memcmp(buf + n * ENTRY_SIZE, zero, ENTRY_SIZE) == 0)
            break;
        if (n == SNP_CERT_TABLE_MAX)
            return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                     "snp: certificate table has more than %d entries",
                                     SNP_CERT_TABLE_MAX);
    }
    size_t header_end = (n + 1) * ENTRY_SIZE;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *e = buf + i * ENTRY_SIZE;
        size_t off = (size_t)e[16] | (size_t)e[17] << 8 | (size_t)e[18] << 16 |
                     (size_t)e[19] << 24;
        size_t blob = (size_t)e[20] | (size_t)e[21] << 8 | (size_t)e[22] << 16 |
                      (size_t)e[23] << 24;
        if (off < header_end || off > len || blob > len - off || blob == 0)
            return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                     "snp: certificate table entry %zu (offset %zu, length "
                                     "%zu) is outside the %zu-byte table",
                                     i, off, blob, len);
        t.entries[i].kind = SNP_CERT_OTHER;
        for (size_t g = 0; g < sizeof(known_guids) / sizeof(known_guids[0]); g++)
            if (memcmp(e, known_guids[g].guid, 16) == 0)
                t.entries[i].kind = known_guids[g].kind;
        t.entries[i].data = buf + off;
        t.entries[i].len = blob;
    }
    t.count = n;
    *out = t;
    return ATTEST_OK;
}
