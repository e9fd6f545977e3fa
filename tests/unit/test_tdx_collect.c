/*
 * TDX collection (drivers/tdx/collect.c) against a simulated guest kernel that lives in a
 * real temporary directory tree: a configfs-tsm report directory whose entries get
 * provider/generation files on mkdir and an outblob (a quote forged by dcap_forge.c for
 * the inblob's report data) on the inblob write, and a /dev/tdx_guest stand-in whose
 * ioctls (GET_REPORT0, then the QGS GET_QUOTE flow of tdx-sgx.md §11.3) are faked.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../drivers/tdx/tdx.h"

#include "check_main.h"
#include "dcap_forge.h"
#include "forge_util.h"

enum outblob { OB_TDX, OB_SGX, OB_WRONG_RD, OB_GARBAGE, OB_NONE };

struct tk {
    char root[256], tsm[300], dev[300];
    const char *provider;     /* written on mkdir */
    bool bump_on_outblob;     /* a concurrent writer: generation changes while reading */
    enum outblob outblob;
    /* device */
    bool fail_report, fail_quote;
    uint64_t status;
    uint32_t qgs_error, id_size;
    bool qsize_lies;
    /* observed */
    char entry[600];
    int mkdirs, rmdirs, inblob_writes, report_calls, quote_calls;
    uint8_t seen_rd[64];
};

static const char *leaf(const char *path)
{
    const char *s = strrchr(path, '/');
    return s == NULL ? path : s + 1;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static void file_in(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

/* A structurally valid quote carrying report data rd (v4 TD10, or v3 SGX). */
static uint8_t *make_quote(const uint8_t rd[64], bool sgx, size_t *len)
{
    struct dforge_quote q;
    dforge_quote_init(&q, sgx ? 3 : 4, sgx ? 1 : 2);
    memcpy(q.body + (sgx ? DFORGE_ER_REPORTDATA : DFORGE_TD_REPORTDATA), rd, 64);
    q.pck_chain = "-----BEGIN CERTIFICATE-----\nnot checked by collection\n"
                  "-----END CERTIFICATE-----\n";
    uint8_t *b = dforge_quote_build(&q, len);
    ck_assert_ptr_nonnull(b);
    return b;
}

static int bump_generation(const char *dir)
{
    char path[700], buf[32] = {0};
    file_in(path, sizeof(path), dir, "generation");
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    int g = atoi(buf) + 1;
    n = (size_t)snprintf(buf, sizeof(buf), "%d\n", g);
    write_file(path, buf, n);
    return g;
}

static int k_mkdir(void *arg, const char *path)
{
    struct tk *k = arg;
    char p[700];
    if (mkdir(path, 0700) != 0)
        return -1;
    snprintf(k->entry, sizeof(k->entry), "%s", path);
    k->mkdirs++;
    file_in(p, sizeof(p), path, "provider");
    char prov[64];
    int n = snprintf(prov, sizeof(prov), "%s\n", k->provider);
    write_file(p, prov, (size_t)n);
    file_in(p, sizeof(p), path, "generation");
    write_file(p, "0\n", 2);
    return 0;
}

static int k_rmdir(void *arg, const char *path)
{
    struct tk *k = arg;
    ck_assert_str_eq(path, k->entry);
    DIR *d = opendir(path);
    struct dirent *e;
    char p[900];
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        file_in(p, sizeof(p), path, e->d_name);
        unlink(p);
    }
    if (d != NULL)
        closedir(d);
    k->rmdirs++;
    return rmdir(path);
}

static long k_read(void *arg, const char *path, uint8_t *buf, size_t cap)
{
    struct tk *k = arg;
    if (strcmp(leaf(path), "outblob") == 0 && k->bump_on_outblob) {
        char dir[600];
        snprintf(dir, sizeof(dir), "%.*s", (int)(leaf(path) - path - 1), path);
        bump_generation(dir);
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    if (n == cap) {
        errno = EFBIG;
        return -1;
    }
    return (long)n;
}

static int k_write(void *arg, const char *path, const uint8_t *buf, size_t len)
{
    struct tk *k = arg;
    ck_assert_str_eq(leaf(path), "inblob");
    ck_assert_uint_eq(len, 64);
    write_file(path, buf, len);
    k->inblob_writes++;
    memcpy(k->seen_rd, buf, 64);
    char dir[600], ob[700];
    snprintf(dir, sizeof(dir), "%.*s", (int)(leaf(path) - path - 1), path);
    file_in(ob, sizeof(ob), dir, "outblob");
    if (k->outblob == OB_NONE)
        return 0; /* the quote request failed: no outblob */
    if (k->outblob == OB_GARBAGE) {
        write_file(ob, "this is not a quote at all", 26);
    } else {
        uint8_t rd[64];
        memcpy(rd, buf, 64);
        if (k->outblob == OB_WRONG_RD)
            rd[0] ^= 0xff;
        size_t qlen = 0;
        uint8_t *q = make_quote(rd, k->outblob == OB_SGX, &qlen);
        write_file(ob, q, qlen);
        free(q);
    }
    bump_generation(dir);
    return 0;
}

static int k_exists(void *arg, const char *path)
{
    (void)arg;
    return access(path, F_OK) == 0;
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t rd_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t rd_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* /dev/tdx_guest: GET_REPORT0 puts REPORTDATA at TDREPORT offset 128 (REPORTMACSTRUCT);
 * GET_QUOTE answers the QGS GET_QUOTE_REQ with a GET_QUOTE_RESP holding a quote. */
static int k_ioctl(void *arg, const char *dev, unsigned long cmd, void *req)
{
    struct tk *k = arg;
    ck_assert_str_eq(dev, k->dev);
    if (cmd == 0xc4405401ul) { /* TDX_CMD_GET_REPORT0 */
        struct tdx_report_req *r = req;
        k->report_calls++;
        if (k->fail_report) {
            errno = EIO;
            return -1;
        }
        memset(r->tdreport, 0, sizeof(r->tdreport));
        r->tdreport[0] = 0x81; /* REPORTTYPE.TYPE: TDX */
        memcpy(r->tdreport + 128, r->reportdata, 64);
        return 0;
    }
    ck_assert_uint_eq(cmd, 0x80105404ul); /* TDX_CMD_GET_QUOTE */
    k->quote_calls++;
    if (k->fail_quote) {
        errno = ENOTTY;
        return -1;
    }
    struct tdx_quote_req *qr = req;
    uint8_t *buf = (uint8_t *)(uintptr_t)qr->buf;
    struct tdx_quote_hdr hdr;
    memcpy(&hdr, buf, sizeof(hdr));
    ck_assert_uint_eq(hdr.version, 1);
    ck_assert_uint_eq(hdr.status, 0);
    uint8_t *m = buf + sizeof(hdr);
    uint32_t msg_len = rd_be32(m);
    ck_assert_uint_eq(hdr.in_len, 4 + msg_len);
    ck_assert_uint_eq(msg_len, 16 + 8 + 1024);
    const uint8_t *q = m + 4;
    ck_assert_uint_eq(q[0] | q[1] << 8, 1);           /* major */
    ck_assert_uint_eq(q[2] | q[3] << 8, 0);           /* minor */
    ck_assert_uint_eq(rd_le32(q + 4), 0);             /* GET_QUOTE_REQ */
    ck_assert_uint_eq(rd_le32(q + 8), msg_len);       /* size */
    ck_assert_uint_eq(rd_le32(q + 16), 1024);         /* report_size */
    ck_assert_uint_eq(rd_le32(q + 20), 0);            /* id_list_size */
    ck_assert_uint_eq(q[24], 0x81);                   /* the TDREPORT from GET_REPORT0 */
    uint8_t rdata[64];
    memcpy(rdata, q + 24 + 128, 64);
    size_t qlen = 0;
    uint8_t *quote = make_quote(rdata, false, &qlen);
    uint32_t size = 16 + 8 + k->id_size + (uint32_t)qlen;
    ck_assert_uint_le(sizeof(hdr) + 4 + size, qr->len);
    uint8_t *r = m + 4;
    memset(r, 0, 24);
    r[0] = 1;                                  /* major 1, minor 0 */
    le32(r + 4, 1);                            /* GET_QUOTE_RESP */
    le32(r + 8, size);
    le32(r + 12, k->qgs_error);
    le32(r + 16, k->id_size);
    le32(r + 20, k->qsize_lies ? (uint32_t)qlen + 1 : (uint32_t)qlen);
    memset(r + 24, 0x5c, k->id_size);
    memcpy(r + 24 + k->id_size, quote, qlen);
    be32(m, size);
    hdr.status = k->status;
    hdr.out_len = 4 + size;
    memcpy(buf, &hdr, sizeof(hdr));
    free(quote);
    return 0;
}

static void tk_open(struct tk *k, bool configfs, bool device)
{
    memset(k, 0, sizeof(*k));
    snprintf(k->root, sizeof(k->root), "/tmp/attest-tdx-collect.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(k->root));
    snprintf(k->tsm, sizeof(k->tsm), "%s/tsm/report", k->root);
    snprintf(k->dev, sizeof(k->dev), "%s/dev/tdx_guest", k->root);
    if (configfs) {
        char p[300];
        snprintf(p, sizeof(p), "%s/tsm", k->root);
        ck_assert_int_eq(mkdir(p, 0700), 0);
        ck_assert_int_eq(mkdir(k->tsm, 0700), 0);
    }
    if (device) {
        char p[300];
        snprintf(p, sizeof(p), "%s/dev", k->root);
        ck_assert_int_eq(mkdir(p, 0700), 0);
        write_file(k->dev, "", 0);
    }
    k->provider = "tdx_guest";
}

/* The report directory holds no entry: every path removed what it made. */
static void tk_close(struct tk *k)
{
    DIR *d = opendir(k->tsm);
    if (d != NULL) {
        struct dirent *e;
        int n = 0;
        while ((e = readdir(d)) != NULL)
            n += e->d_name[0] != '.';
        closedir(d);
        ck_assert_msg(n == 0, "%d configfs entries left behind", n);
    }
    fu_remove_tree(k->root);
}

/* Collect with rd (len bytes); on success the evidence must decode to a TDX quote of rd
 * zero-padded to 64 bytes. */
static attest_status collect(struct tk *k, const uint8_t *rd, size_t rd_len, char *msg,
                             size_t cap)
{
    struct attest_sys_ops ops = {k_mkdir, k_rmdir, k_read, k_write, k_exists, k_ioctl, k,
                                 k->tsm, k->dev};
    attest_ctx *ctx = NULL;
    uint8_t *ev = NULL;
    size_t len = 0;
    ck_assert_int_eq(attest_ctx_new(&ctx), ATTEST_OK);
    attest_status rc = tdx_collect_with(ctx, &ops, rd, rd_len, &ev, &len);
    snprintf(msg, cap, "%s", attest_ctx_last_error(ctx));
    if (rc == ATTEST_OK) {
        static const char prefix[] = "{\"quote\":\"";
        ck_assert_ptr_nonnull(ev);
        ck_assert_uint_gt(len, sizeof(prefix));
        ck_assert_int_eq(memcmp(ev, prefix, sizeof(prefix) - 1), 0);
        ck_assert_int_eq(memcmp(ev + len - 2, "\"}", 2), 0);
        uint8_t *quote = NULL;
        size_t qlen = 0;
        ck_assert_int_eq(attest_b64__decode(ATTEST_B64_STD, (const char *)ev + sizeof(prefix) - 1,
                                            len - (sizeof(prefix) - 1) - 2, &quote, &qlen),
                         ATTEST_OK);
        struct dcap_quote q;
        ck_assert_int_eq(dcap_quote_parse(ctx, quote, qlen, &q), ATTEST_OK);
        ck_assert_uint_eq(q.tee_type, 0x81);
        uint8_t want[64] = {0};
        if (rd_len > 0) /* rd may be NULL then; memcpy's source must not be */
            memcpy(want, rd, rd_len);
        ck_assert_int_eq(memcmp(q.body + DFORGE_TD_REPORTDATA, want, 64), 0);
        free(quote);
        free(ev);
    } else {
        ck_assert_ptr_null(ev);
        ck_assert_str_ne(msg, "");
    }
    attest_ctx_free(ctx);
    return rc;
}

static const uint8_t rd48[48] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
                                 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48};

START_TEST(test_tdx_collect_configfs)
{
    struct tk k;
    char msg[512];
    tk_open(&k, true, true); /* configfs is preferred over the device */
    ck_assert_msg(collect(&k, rd48, sizeof(rd48), msg, sizeof(msg)) == ATTEST_OK, "%s", msg);
    ck_assert_int_eq(k.mkdirs, 1);
    ck_assert_int_eq(k.rmdirs, 1);
    ck_assert_int_eq(k.inblob_writes, 1);
    ck_assert_int_eq(k.report_calls + k.quote_calls, 0);
    ck_assert_int_eq(memcmp(k.seen_rd, rd48, 48), 0);
    for (int i = 48; i < 64; i++)
        ck_assert_int_eq(k.seen_rd[i], 0);
    tk_close(&k);
    /* no report data at all: 64 zero bytes */
    tk_open(&k, true, false);
    ck_assert_msg(collect(&k, NULL, 0, msg, sizeof(msg)) == ATTEST_OK, "%s", msg);
    tk_close(&k);
    /* exactly 64 bytes */
    uint8_t rd64[64];
    memset(rd64, 0xab, sizeof(rd64));
    tk_open(&k, true, false);
    ck_assert_msg(collect(&k, rd64, 64, msg, sizeof(msg)) == ATTEST_OK, "%s", msg);
    tk_close(&k);
}
END_TEST

START_TEST(test_tdx_collect_configfs_failures)
{
    static const struct {
        const char *what, *provider;
        bool bump;
        enum outblob ob;
        attest_status rc;
        const char *part;
    } cases[] = {
        {"wrong provider", "sev_guest", false, OB_TDX, ATTEST_E_UNSUPPORTED, "provider"},
        {"generation changed", "tdx_guest", true, OB_TDX, ATTEST_E_IO, "generation"},
        {"sgx quote", "tdx_guest", false, OB_SGX, ATTEST_E_IO, "not a TDX quote"},
        {"wrong report data", "tdx_guest", false, OB_WRONG_RD, ATTEST_E_IO, "not a TDX quote"},
        {"garbage", "tdx_guest", false, OB_GARBAGE, ATTEST_E_PARSE, "dcap"},
        {"no outblob", "tdx_guest", false, OB_NONE, ATTEST_E_IO, "outblob"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tk k;
        char msg[512];
        tk_open(&k, true, true);
        k.provider = cases[i].provider;
        k.bump_on_outblob = cases[i].bump;
        k.outblob = cases[i].ob;
        attest_status rc = collect(&k, rd48, sizeof(rd48), msg, sizeof(msg));
        ck_assert_msg(rc == cases[i].rc, "%s: got %d (%s), want %d", cases[i].what, rc, msg,
                      cases[i].rc);
        ck_assert_msg(strstr(msg, cases[i].part) != NULL, "%s: \"%s\" lacks \"%s\"",
                      cases[i].what, msg, cases[i].part);
        ck_assert_int_eq(k.rmdirs, 1); /* the entry is removed on every path */
        ck_assert_int_eq(k.quote_calls, 0); /* no fallback to the device */
        tk_close(&k);
    }
}
END_TEST

START_TEST(test_tdx_collect_no_tee)
{
    struct tk k;
    char msg[512];
    tk_open(&k, false, false);
    ck_assert_int_eq(collect(&k, rd48, sizeof(rd48), msg, sizeof(msg)), ATTEST_E_NOT_FOUND);
    ck_assert_msg(strstr(msg, "tdx_guest") != NULL, "%s", msg);
    tk_close(&k);
    /* report data longer than 64 bytes, before touching anything */
    uint8_t big[65] = {0};
    tk_open(&k, true, true);
    ck_assert_int_eq(collect(&k, big, sizeof(big), msg, sizeof(msg)), ATTEST_E_ARG);
    ck_assert_int_eq(k.mkdirs + k.report_calls, 0);
    tk_close(&k);
}
END_TEST

START_TEST(test_tdx_collect_device)
{
    struct tk k;
    char msg[512];
    tk_open(&k, false, true);
    ck_assert_msg(collect(&k, rd48, sizeof(rd48), msg, sizeof(msg)) == ATTEST_OK, "%s", msg);
    ck_assert_int_eq(k.report_calls, 1);
    ck_assert_int_eq(k.quote_calls, 1);
    ck_assert_int_eq(k.mkdirs, 0);
    tk_close(&k);
    /* a selected attestation key id before the quote */
    tk_open(&k, false, true);
    k.id_size = 16;
    ck_assert_msg(collect(&k, rd48, sizeof(rd48), msg, sizeof(msg)) == ATTEST_OK, "%s", msg);
    tk_close(&k);
}
END_TEST

START_TEST(test_tdx_collect_device_failures)
{
    static const struct {
        const char *what;
        bool fail_report, fail_quote, qsize_lies;
        uint64_t status;
        uint32_t qgs_error;
        attest_status rc;
        const char *part;
    } cases[] = {
        {"GET_REPORT0 fails", true, false, false, 0, 0, ATTEST_E_IO, "GET_REPORT0"},
        {"GET_QUOTE fails", false, true, false, 0, 0, ATTEST_E_UNSUPPORTED, "GET_QUOTE"},
        {"status error", false, false, false, 0x8000000000000000ull, 0, ATTEST_E_IO, "status"},
        {"status in flight", false, false, false, UINT64_MAX, 0, ATTEST_E_IO, "status"},
        {"qgs error", false, false, false, 0, 0x12, ATTEST_E_IO, "error 0x12"},
        {"quote size past the message", false, false, true, 0, 0, ATTEST_E_IO, "quote size"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tk k;
        char msg[512];
        tk_open(&k, false, true);
        k.fail_report = cases[i].fail_report;
        k.fail_quote = cases[i].fail_quote;
        k.qsize_lies = cases[i].qsize_lies;
        k.status = cases[i].status;
        k.qgs_error = cases[i].qgs_error;
        attest_status rc = collect(&k, rd48, sizeof(rd48), msg, sizeof(msg));
        ck_assert_msg(rc == cases[i].rc, "%s: got %d (%s), want %d", cases[i].what, rc, msg,
                      cases[i].rc);
        ck_assert_msg(strstr(msg, cases[i].part) != NULL, "%s: \"%s\" lacks \"%s\"",
                      cases[i].what, msg, cases[i].part);
        tk_close(&k);
    }
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("tdx_collect");
    TCase *tc = tcase_create("collect");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_tdx_collect_configfs);
    tcase_add_test(tc, test_tdx_collect_configfs_failures);
    tcase_add_test(tc, test_tdx_collect_no_tee);
    tcase_add_test(tc, test_tdx_collect_device);
    tcase_add_test(tc, test_tdx_collect_device_failures);
    suite_add_tcase(s, tc);
    return s;
}
