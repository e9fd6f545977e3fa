/*
 * SEV-SNP collection against a simulated guest kernel: an in-memory configfs-tsm and a
 * /dev/sev-guest whose SNP_GET_EXT_REPORT behaves as the kernel documents (uapi
 * sev-guest.h), including the "certificate buffer too small" retry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../drivers/snp/snp.h"

#include "check_main.h"

struct fake_kernel {
    bool has_configfs, has_device;
    const char *provider;
    bool bump_generation;  /* a concurrent writer changes the entry */
    size_t outblob_len;    /* what outblob returns */
    bool with_certs;
    uint32_t device_needs; /* certs_len the device insists on */
    int busy;              /* BUSY answers before success */
    /* state */
    char entry[512];
    uint8_t inblob[64];
    int generation, requests, removed;
};

static const uint8_t fake_vcek_der[] = {0x30, 0x03, 0x02, 0x01, 0x07};

/* A certificate table with one VCEK entry (GHCB spec layout), into buf. */
static size_t make_table(uint8_t *buf, size_t cap)
{
    static const uint8_t vcek_guid[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
                                          0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};
    memset(buf, 0, cap);
    memcpy(buf, vcek_guid, 16);
    buf[16] = 48; /* offset: after this entry and the terminator */
    buf[20] = sizeof(fake_vcek_der);
    memcpy(buf + 48, fake_vcek_der, sizeof(fake_vcek_der));
    return 48 + sizeof(fake_vcek_der);
}

static void make_report(const uint8_t rd[64], uint8_t *r)
{
    memset(r, 0, SNP_REPORT_SIZE);
    r[0] = 3;
    r[0x34] = 1;
    memcpy(r + 0x50, rd, 64);
}

static const char *leaf(const char *path)
{
    const char *s = strrchr(path, '/');
    return s == NULL ? path : s + 1;
}

static int k_mkdir(void *arg, const char *path)
{
    struct fake_kernel *k = arg;
    snprintf(k->entry, sizeof(k->entry), "%s", path);
    k->generation = 0;
    return 0;
}

static int k_rmdir(void *arg, const char *path)
{
    struct fake_kernel *k = arg;
    ck_assert_str_eq(path, k->entry);
    k->removed++;
    return 0;
}

static long k_read(void *arg, const char *path, uint8_t *buf, size_t cap)
{
    struct fake_kernel *k = arg;
    const char *f = leaf(path);
    if (strcmp(f, "provider") == 0) {
        size_t n = strlen(k->provider);
        memcpy(buf, k->provider, n);
        buf[n] = '\n';
        return (long)n + 1;
    }
    if (strcmp(f, "generation") == 0) {
        int n = snprintf((char *)buf, cap, "%d\n", k->generation);
        if (k->bump_generation)
            k->generation++;
        return n;
    }
    if (strcmp(f, "outblob") == 0) {
        uint8_t r[SNP_REPORT_SIZE];
        make_report(k->inblob, r);
        size_t n = k->outblob_len < cap ? k->outblob_len : cap;
        memcpy(buf, r, n < sizeof(r) ? n : sizeof(r));
        return (long)n;
    }
    if (strcmp(f, "auxblob") == 0) {
        if (!k->with_certs) {
            errno = ENOENT;
            return -1;
        }
        return (long)make_table(buf, cap < 4096 ? cap : 4096);
    }
    errno = ENOENT;
    return -1;
}

static int k_write(void *arg, const char *path, const uint8_t *buf, size_t len)
{
    struct fake_kernel *k = arg;
    ck_assert_str_eq(leaf(path), "inblob");
    ck_assert_uint_eq(len, 64);
    memcpy(k->inblob, buf, 64);
    k->generation++;
    return 0;
}

static int k_exists(void *arg, const char *path)
{
    struct fake_kernel *k = arg;
    if (strcmp(path, "/fake/tsm/report") == 0)
        return k->has_configfs;
    if (strcmp(path, "/fake/dev/sev-guest") == 0)
        return k->has_device;
    return 0;
}

/* the kernel's struct snp_guest_request_ioctl and struct snp_ext_report_req */
struct io {
    uint8_t msg_version, pad[7];
    uint64_t req_data, resp_data;
    uint32_t fw_error, vmm_error;
};
struct ext_req {
    uint8_t user_data[64];
    uint32_t vmpl;
    uint8_t rsvd[28];
    uint64_t certs_address;
    uint32_t certs_len;
};

static int k_request(void *arg, const char *dev, unsigned long cmd, void *p)
{
    struct fake_kernel *k = arg;
    struct io *io = p;
    struct ext_req *req = (struct ext_req *)(uintptr_t)io->req_data;
    ck_assert_str_eq(dev, "/fake/dev/sev-guest");
    ck_assert_uint_eq(cmd, 0xc0205302ul);
    ck_assert_uint_eq(io->msg_version, 1);
    k->requests++;
    if (k->busy > 0) {
        k->busy--;
        io->vmm_error = 2;
        errno = EAGAIN;
        return -1;
    }
    if (req->certs_len < k->device_needs) {
        req->certs_len = k->device_needs;
        io->vmm_error = 1;
        errno = EINVAL;
        return -1;
    }
    uint8_t *resp = (uint8_t *)(uintptr_t)io->resp_data;
    memset(resp, 0, 4000);
    resp[4] = 0xa0; /* report_size 0x4a0 */
    resp[5] = 0x04;
    make_report(req->user_data, resp + 0x20);
    uint8_t *certs = (uint8_t *)(uintptr_t)req->certs_address;
    if (k->with_certs)
        make_table(certs, req->certs_len);
    return 0;
}

static struct attest_sys_ops ops_for(struct fake_kernel *k)
{
    struct attest_sys_ops o = {k_mkdir, k_rmdir, k_read, k_write, k_exists, k_request, k,
                            "/fake/tsm/report", "/fake/dev/sev-guest"};
    return o;
}

static void fake_defaults(struct fake_kernel *k)
{
    memset(k, 0, sizeof(*k));
    k->provider = "sev_guest";
    k->outblob_len = SNP_REPORT_SIZE;
}

/* Collect, then parse the evidence back: report data and certificates must survive. */
static attest_status collect_and_check(struct fake_kernel *k, bool expect_certs)
{
    attest_ctx *ctx;
    uint8_t *ev = NULL;
    size_t len = 0;
    uint8_t rd[48];
    for (int i = 0; i < 48; i++)
        rd[i] = (uint8_t)(i + 1);
    ck_assert_int_eq(attest_ctx_new(&ctx), ATTEST_OK);
    struct attest_sys_ops ops = ops_for(k);
    attest_status rc = snp_collect_with(ctx, &ops, rd, sizeof(rd), &ev, &len);
    if (rc == ATTEST_OK) {
        struct snp_evidence parsed;
        ck_assert_int_eq(snp_evidence_parse(ctx, ev, len, &parsed), ATTEST_OK);
        ck_assert_str_eq(parsed.format, "trustee");
        ck_assert_int_eq(memcmp(parsed.report + 0x50, rd, 48), 0);
        for (int i = 48; i < 64; i++)
            ck_assert_int_eq(parsed.report[0x50 + i], 0); /* zero padded */
        ck_assert_uint_eq(parsed.certs.count, expect_certs ? 1 : 0);
        if (expect_certs) {
            ck_assert_int_eq(parsed.certs.entries[0].kind, SNP_CERT_VCEK);
            ck_assert_uint_eq(parsed.certs.entries[0].len, sizeof(fake_vcek_der));
            ck_assert_int_eq(memcmp(parsed.certs.entries[0].data, fake_vcek_der,
                                    sizeof(fake_vcek_der)), 0);
        }
        snp_evidence_free(&parsed);
        free(ev);
    } else {
        ck_assert_ptr_null(ev);
        ck_assert_str_ne(attest_ctx_last_error(ctx), "");
    }
    attest_ctx_free(ctx);
    return rc;
}

START_TEST(test_snp_collect_configfs)
{
    struct fake_kernel k;
    fake_defaults(&k);
    k.has_configfs = k.has_device = true; /* configfs is preferred */
    k.with_certs = true;
    ck_assert_int_eq(collect_and_check(&k, true), ATTEST_OK);
    ck_assert_int_eq(k.removed, 1);
    ck_assert_int_eq(k.requests, 0);
    fake_defaults(&k);
    k.has_configfs = true;
    ck_assert_int_eq(collect_and_check(&k, false), ATTEST_OK); /* no auxblob */
}
END_TEST

START_TEST(test_snp_collect_configfs_failures)
{
    struct fake_kernel k;
    fake_defaults(&k);
    k.has_configfs = true;
    k.provider = "tdx_guest";
    ck_assert_int_eq(collect_and_check(&k, false), ATTEST_E_UNSUPPORTED);
    ck_assert_int_eq(k.removed, 1); /* the entry is removed on every path */
    fake_defaults(&k);
    k.has_configfs = true;
    k.bump_generation = true;
    ck_assert_int_eq(collect_and_check(&k, false), ATTEST_E_IO);
    fake_defaults(&k);
    k.has_configfs = true;
    k.outblob_len = 1000;
    ck_assert_int_eq(collect_and_check(&k, false), ATTEST_E_IO);
}
END_TEST

START_TEST(test_snp_collect_device)
{
    struct fake_kernel k;
    fake_defaults(&k);
    k.has_device = true;
    k.with_certs = true;
    k.device_needs = 5 * 4096; /* more than the first buffer: the retry path */
    k.busy = 2;
    ck_assert_int_eq(collect_and_check(&k, true), ATTEST_OK);
    ck_assert_int_eq(k.requests, 4);
    fake_defaults(&k);
    k.has_device = true;
    ck_assert_int_eq(collect_and_check(&k, false), ATTEST_OK);
    fake_defaults(&k);
    k.has_device = true;
    k.busy = 100;
    ck_assert_int_eq(collect_and_check(&k, false), ATTEST_E_IO);
    fake_defaults(&k);
    k.has_device = true;
    k.device_needs = 1u << 30; /* absurd size: refused, not allocated */
    ck_assert_int_eq(collect_and_check(&k, false), ATTEST_E_IO);
}
END_TEST

START_TEST(test_snp_collect_no_tee)
{
    struct fake_kernel k;
    fake_defaults(&k);
    ck_assert_int_eq(collect_and_check(&k, false), ATTEST_E_NOT_FOUND);
    attest_ctx *ctx;
    uint8_t *ev = NULL;
    size_t len;
    uint8_t big[65] = {0};
    struct attest_sys_ops ops = ops_for(&k);
    ck_assert_int_eq(attest_ctx_new(&ctx), ATTEST_OK);
    ck_assert_int_eq(snp_collect_with(ctx, &ops, big, sizeof(big), &ev, &len), ATTEST_E_ARG);
    attest_ctx_free(ctx);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("snp_collect");
    TCase *tc = tcase_create("collect");
    tcase_add_test(tc, test_snp_collect_configfs);
    tcase_add_test(tc, test_snp_collect_configfs_failures);
    tcase_add_test(tc, test_snp_collect_device);
    tcase_add_test(tc, test_snp_collect_no_tee);
    suite_add_tcase(s, tc);
    return s;
}
