/*
 * ATTESTATION_REPORT bytes -> struct snp_report (AMD pub. 56860, "ATTESTATION_REPORT
 * Structure"; offsets cross-checked with go-sev-guest abi/abi.go). Structure only: the
 * signature is checked in verify.c.
 */
#include <string.h>

#include "snp.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* The first non-zero offset in [from, to), or 0 if all zero. */
static size_t nonzero_at(const uint8_t *r, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (r[i] != 0)
            return i;
    return 0;
}

enum snp_product snp_product_from_cpuid(uint8_t family, uint8_t model)
{
    /* virtee/sev Generation::identify_cpu; go-sev-guest kds.ProductLineCpuid */
    if (family == 0x19 && model <= 0x0f)
        return SNP_PRODUCT_MILAN;
    if (family == 0x19 && ((model >= 0x10 && model <= 0x1f) || (model >= 0xa0 && model <= 0xaf)))
        return SNP_PRODUCT_GENOA;
    if (family == 0x1a && model <= 0x11)
        return SNP_PRODUCT_TURIN;
    return SNP_PRODUCT_UNKNOWN;
}

const char *snp_product_name(enum snp_product p)
{
    switch (p) {
    case SNP_PRODUCT_MILAN: return "Milan";
    case SNP_PRODUCT_GENOA: return "Genoa";
    case SNP_PRODUCT_TURIN: return "Turin";
    case SNP_PRODUCT_UNKNOWN: break;
    }
    return NULL;
}

enum snp_product snp_product_from_name(const char *name)
{
    static const enum snp_product all[] = {SNP_PRODUCT_MILAN, SNP_PRODUCT_GENOA,
                                           SNP_PRODUCT_TURIN};
    if (name == NULL)
        return SNP_PRODUCT_UNKNOWN;
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        const char *n = snp_product_name(all[i]);
        size_t len = strlen(n);
        /* "Milan" or a stepping-qualified productName such as "Milan-B0" */
        if (strncmp(name, n, len) == 0 && (name[len] == '\0' || name[len] == '-'))
            return all[i];
    }
    return SNP_PRODUCT_UNKNOWN;
}

void snp_tcb_decode(enum snp_product p, uint64_t raw, struct snp_tcb *out)
{
    memset(out, 0, sizeof(*out));
    out->raw = raw;
    if (p == SNP_PRODUCT_TURIN) { /* FMC, BL, TEE, SNP, 3 reserved, UCODE */
        out->fmc = (uint8_t)raw;
        out->bootloader = (uint8_t)(raw >> 8);
        out->tee = (uint8_t)(raw >> 16);
        out->snp = (uint8_t)(raw >> 24);
    } else { /* Milan, Genoa: BL, TEE, 4 reserved, SNP, UCODE */
        out->bootloader = (uint8_t)raw;
        out->tee = (uint8_t)(raw >> 8);
        out->snp = (uint8_t)(raw >> 48);
    }
    out->microcode = (uint8_t)(raw >> 56);
}

attest_status snp_report_parse(attest_ctx *ctx, const uint8_t *buf, size_t len,
                               struct snp_report *out)
{
    struct snp_report r;
    size_t bad;

    if (len != SNP_REPORT_SIZE)
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "snp: report is %zu bytes (want %u)", len, SNP_REPORT_SIZE);
    memset(&r, 0, sizeof(r));
    r.raw = buf;
    r.version = le32(buf + 0x000);
    if (r.version < 2 || r.version > 5)
        return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                                 "snp: report version %u is not supported (want 2 to 5)",
                                 r.version);
    r.guest_svn = le32(buf + 0x004);
    r.policy = le64(buf + 0x008);
    r.family_id = buf + 0x010;
    r.image_id = buf + 0x020;
    r.vmpl = le32(buf + 0x030);
    r.sig_algo = le32(buf + 0x034);
    r.current_tcb_raw = le64(buf + 0x038);
    r.platform_info = le64(buf + 0x040);
    r.key_info = le32(buf + 0x048);
    r.report_data = buf + 0x050;
    r.measurement = buf + 0x090;
    r.host_data = buf + 0x0c0;
    r.id_key_digest = buf + 0x0e0;
    r.author_key_digest = buf + 0x110;
    r.report_id = buf + 0x140;
    r.report_id_ma = buf + 0x160;
    r.reported_tcb_raw = le64(buf + 0x180);
    r.has_cpuid = r.version >= 3; /* reserved in v2 */
    if (r.has_cpuid) {
        r.cpuid_fam = buf[0x188];
        r.cpuid_mod = buf[0x189];
        r.cpuid_step = buf[0x18a];
    }
    r.chip_id = buf + 0x1a0;
    r.committed_tcb_raw = le64(buf + 0x1e0);
    r.current_build = buf[0x1e8];
    r.current_minor = buf[0x1e9];
    r.current_major = buf[0x1ea];
    r.committed_build = buf[0x1ec];
    r.committed_minor = buf[0x1ed];
    r.committed_major = buf[0x1ee];
    r.launch_tcb_raw = le64(buf + 0x1f0);
    if (r.version >= 5) {
        r.launch_mit_vector = le64(buf + 0x1f8);
        r.current_mit_vector = le64(buf + 0x200);
    }
    r.sig_r = buf + 0x2a0;
    r.sig_s = buf + 0x2e8;

    if (r.sig_algo != 1)
        return attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                                 "snp: signature_algo %u is not ECDSA P-384 with SHA-384 (1)",
                                 r.sig_algo);
    if (r.vmpl > 3)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "snp: vmpl %u is out of range (0-3)",
                                 r.vmpl);
    /* GUEST_POLICY: bit 17 reserved-must-be-one, bits 63:26 must be zero */
    if (!(r.policy & (UINT64_C(1) << 17)) || (r.policy >> 26) != 0)
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "snp: policy 0x%016llx has reserved bits wrong (bit 17 must "
                                 "be 1, bits 63:26 zero)",
                                 (unsigned long long)r.policy);
    /* PLATFORM_INFO: bit 6 and bits 63:8 reserved */
    if ((r.platform_info & ~UINT64_C(0xbf)) != 0)
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "snp: platform_info 0x%016llx has reserved bits set",
                                 (unsigned long long)r.platform_info);
    /* KEY_INFO: bit 0 AUTHOR_KEY_EN, bit 1 MASK_CHIP_KEY, bits 4:2 SIGNING_KEY */
    if ((r.key_info >> 5) != 0)
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "snp: key_info 0x%08x has reserved bits 31:5 set", r.key_info);
    r.author_key_en = r.key_info & 1;
    r.mask_chip_key = (r.key_info >> 1) & 1;
    unsigned signer = (r.key_info >> 2) & 7;
    if (signer == SNP_SIGNER_NONE || r.mask_chip_key)
        return attest_ctx__error(ctx, ATTEST_E_SIGNATURE,
                                 "snp: report is not signed (key_info signing_key %u, "
                                 "mask_chip_key %d)",
                                 signer, (int)r.mask_chip_key);
    if (signer != SNP_SIGNER_VCEK && signer != SNP_SIGNER_VLEK)
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "snp: key_info signing_key %u is reserved (want 0 VCEK or "
                                 "1 VLEK)",
                                 signer);
    r.signer = (enum snp_signer)signer;

    /* Reserved ranges must be zero; which ones depends on the version. */
    static const struct { size_t from, to; unsigned min_v, max_v; } reserved[] = {
        {0x04c, 0x050, 2, 5}, {0x188, 0x1a0, 2, 2}, {0x18b, 0x1a0, 3, 5},
        {0x1eb, 0x1ec, 2, 5}, {0x1ef, 0x1f0, 2, 5}, {0x1f8, 0x2a0, 2, 4},
        {0x208, 0x2a0, 5, 5}, {0x330, 0x4a0, 2, 5},
    };
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        if (r.version < reserved[i].min_v || r.version > reserved[i].max_v)
            continue;
        if ((bad = nonzero_at(buf, reserved[i].from, reserved[i].to)) != 0)
            return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                     "snp: reserved byte 0x%03zx is not zero (version %u)", bad,
                                     r.version);
    }
    /* R and S are 48-byte values in 72-byte fields: the top 24 bytes must be zero. */
    if ((bad = nonzero_at(buf, 0x2a0 + 48, 0x2a0 + 72)) != 0 ||
        (bad = nonzero_at(buf, 0x2e8 + 48, 0x2e8 + 72)) != 0)
        return attest_ctx__error(ctx, ATTEST_E_SIGNATURE,
                                 "snp: signature byte 0x%03zx is beyond a P-384 value", bad);
    *out = r;
    return ATTEST_OK;
}
