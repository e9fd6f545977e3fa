/*
 * The simulated SEV-SNP device behind attest_attester_new_simulated(..., "snp", dir): a
 * Milan B0 guest whose reports are byte-exact version 3 ATTESTATION_REPORTs (AMD pub. 56860,
 * "ATTESTATION_REPORT Structure"), signed by a test VCEK that chains to a test ASK and ARK
 * shaped like AMD's (pub. 57230; ../shared/specs/evidence/snp.md §1 and §6).
 *
 * The device's state lives in one directory:
 *   ark.pem ask.pem vcek.pem   certificates (PEM)
 *   ark.key ask.key vcek.key   PKCS#8 PEM private keys, mode 0600
 *   chip_id                    the 64 raw CHIP_ID bytes (the VCEK's hwID)
 *   pins                       "snp Milan <SPKI SHA-256 of the ARK>", read by
 *                              attest_ctx__extra_pin() when the directory is a trust dir
 *   host_data                  optional: 64 hex digits, the HOST_DATA the simulated host
 *                              launched the guest with (e.g. an init-data digest); absent
 *                              means zero
 * Every file is written atomically (temporary file, fsync, rename) and vcek.pem comes last,
 * so "vcek.pem exists" means the state is complete; a crash leaves either a complete state
 * or one without vcek.pem, which the next call generates again.
 *
 * Generation runs under an flock() on "<dir>/.lock" and checks vcek.pem again once it holds
 * the lock, so two processes (or threads) filling the same directory never mix files from
 * two key sets: the loser of the race loads the winner's state. A lock rather than building
 * a temporary directory and renaming it into place, because the directory often exists
 * already (mkdtemp, or a caller's mkdir) and an existing directory cannot be replaced
 * atomically. Names starting with '.' are skipped by trust-dir loading (lib/x509.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "../../lib/file.h"
#include "../../lib/x509.h"
#include "snp.h"

/* The simulated platform: an AMD EPYC Milan (family 0x19, model 0x01, stepping 0x01). */
#define SIM_PRODUCT "Milan"       /* the pins label; snp_product_name(SNP_PRODUCT_MILAN) */
#define SIM_PRODUCT_NAME "Milan-B0" /* the VCEK productName extension */
#define SIM_CPUID_FAMILY 0x19
#define SIM_CPUID_MODEL 0x01
#define SIM_CPUID_STEPPING 0x01
/* REPORTED_TCB (= current, committed and launch TCB) components, written into the VCEK. */
#define SIM_TCB_BOOTLOADER 3
#define SIM_TCB_TEE 0
#define SIM_TCB_SNP 8
#define SIM_TCB_MICROCODE 115
/* Firmware 1.55 build 0 (CURRENT_MAJOR/MINOR/BUILD and COMMITTED_*). */
#define SIM_FW_MAJOR 1
#define SIM_FW_MINOR 55
#define SIM_FW_BUILD 0
/* GUEST_POLICY: bit 16 SMT allowed, bit 17 reserved-must-be-one; ABI 0.0 minimum. */
#define SIM_POLICY UINT64_C(0x30000)
/* PLATFORM_INFO: bit 0 SMT_EN. */
#define SIM_PLATFORM_INFO UINT64_C(0x1)
/* MEASUREMENT: SHA-384 of this string, so the value is reproducible anywhere. */
#define SIM_MEASURED "libattest simulated SEV-SNP guest"

#define SIM_STATE_FILE_MAX (64u * 1024u) /* a PEM key or certificate is a few KiB */
#define SIM_PATH_MAX 4096u
#define SIM_CHIP_ID_SIZE 64u

/* The loaded state: what a report needs, validated. */
struct sim_state {
    X509 *ark, *ask, *vcek;
    EVP_PKEY *vcek_key;
    uint8_t chip_id[SIM_CHIP_ID_SIZE];
    uint8_t tcb[8]; /* TCB_VERSION, Milan layout, from the VCEK's SPL extensions */
};

static void state_clear(struct sim_state *s)
{
    X509_free(s->ark);
    X509_free(s->ask);
    X509_free(s->vcek);
    EVP_PKEY_free(s->vcek_key);
    OPENSSL_cleanse(s, sizeof(*s));
}

/* Milan/Genoa TCB_VERSION: byte 0 BOOT_LOADER, 1 TEE, 2-5 reserved, 6 SNP, 7 MICROCODE. */
static void tcb_milan(uint8_t out[8], uint8_t bl, uint8_t tee, uint8_t snp, uint8_t ucode)
{
    memset(out, 0, 8);
    out[0] = bl;
    out[1] = tee;
    out[6] = snp;
    out[7] = ucode;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static bool path_in(char *buf, const char *dir, const char *name)
{
    int n = snprintf(buf, SIM_PATH_MAX, "%s/%s", dir, name);
    return n > 0 && (size_t)n < SIM_PATH_MAX;
}

static attest_status too_long(attest_ctx *ctx, const char *dir)
{
    return attest_ctx__error(ctx, ATTEST_E_ARG, "snp: state directory path is too long (%zu "
                             "bytes)", strlen(dir));
}

static attest_status nomem(attest_ctx *ctx)
{
    return attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: out of memory");
}

/* Never ask a terminal for a passphrase: the state's keys are not encrypted. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

/* ---- files ---- */

/*
 * Read dir/name (at most SIM_STATE_FILE_MAX bytes). A missing file means a damaged state
 * (ATTEST_E_PARSE), any other failure ATTEST_E_IO. *out is malloc'd; free it with
 * OPENSSL_clear_free(*out, *out_len) when it may hold a key.
 */
static attest_status read_state_file(attest_ctx *ctx, const char *dir, const char *name,
                                     uint8_t **out, size_t *out_len)
{
    char path[SIM_PATH_MAX];
    uint8_t *buf = NULL;
    size_t len = 0;
    struct stat st;
    attest_status rc = ATTEST_OK;
    int fd = -1;

    if (!path_in(path, dir, name))
        return too_long(ctx, dir);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        rc = errno == ENOENT
                 ? attest_ctx__error(ctx, ATTEST_E_PARSE,
                                     "snp: state file %s is missing (the state is damaged)", path)
                 : attest_ctx__error(ctx, ATTEST_E_IO, "snp: state file %s cannot be opened "
                                     "(errno %d, %s)", path, errno, strerror(errno));
        goto out;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
        (uint64_t)st.st_size > SIM_STATE_FILE_MAX) {
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE,
                               "snp: state file %s is not a regular file of at most %u bytes",
                               path, SIM_STATE_FILE_MAX);
        goto out;
    }
    if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
        rc = nomem(ctx);
        goto out;
    }
    while (len < (size_t)st.st_size + 1) { /* one byte more: notice a file that grew */
        ssize_t n = read(fd, buf + len, (size_t)st.st_size + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = attest_ctx__error(ctx, ATTEST_E_IO, "snp: state file %s cannot be read "
                                   "(errno %d, %s)", path, errno, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if (len != (size_t)st.st_size) {
        rc = attest_ctx__error(ctx, ATTEST_E_IO, "snp: state file %s changed while read", path);
        goto out;
    }
    *out = buf;
    *out_len = len;
    buf = NULL;
out:
    if (buf != NULL)
        OPENSSL_clear_free(buf, (size_t)st.st_size + 1);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* fsync a directory, so the renames into it survive a crash. */
static attest_status sync_dir(attest_ctx *ctx, const char *dir)
{
    if (attest_file__sync_dir(dir) != 0)
        return attest_ctx__error(ctx, ATTEST_E_IO, "snp: state directory %s cannot be synced "
                                 "(errno %d, %s)", dir, errno, strerror(errno));
    return ATTEST_OK;
}

/* Replace dir/name with data: a temporary ".name.XXXXXX" beside it, fsync, rename. */
static attest_status write_state_file(attest_ctx *ctx, const char *dir, const char *name,
                                      const void *data, size_t len, mode_t mode)
{
    char tmp[SIM_PATH_MAX], path[SIM_PATH_MAX];
    int n = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);

    if (n < 0 || (size_t)n >= sizeof(tmp) || !path_in(path, dir, name))
        return too_long(ctx, dir);
    enum attest_file_result fr = attest_file__write_temp(tmp, data, len, mode);
    if (fr == ATTEST_FILE_CREATE)
        return attest_ctx__error(ctx, ATTEST_E_IO, "snp: state file %s cannot be created "
                                 "(errno %d, %s)", path, errno, strerror(errno));
    if (fr == ATTEST_FILE_OK && rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        errno = err;
        fr = ATTEST_FILE_WRITE;
    }
    if (fr != ATTEST_FILE_OK)
        return attest_ctx__error(ctx, ATTEST_E_IO, "snp: state file %s cannot be written "
                                 "(errno %d, %s)", path, errno, strerror(errno));
    return ATTEST_OK;
}

static attest_status write_pem_cert(attest_ctx *ctx, const char *dir, const char *name, X509 *x)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    long len;
    attest_status rc;

    if (bio == NULL || PEM_write_bio_X509(bio, x) != 1 ||
        (len = BIO_get_mem_data(bio, &data)) <= 0) {
        rc = nomem(ctx);
        goto out;
    }
    rc = write_state_file(ctx, dir, name, data, (size_t)len, 0644);
out:
    BIO_free(bio);
    return rc;
}

/* PKCS#8 PEM, unencrypted (a test key), through a secure-memory BIO that is wiped on free. */
static attest_status write_pem_key(attest_ctx *ctx, const char *dir, const char *name,
                                   EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_secmem());
    char *data = NULL;
    long len;
    attest_status rc;

    if (bio == NULL || PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) != 1 ||
        (len = BIO_get_mem_data(bio, &data)) <= 0) {
        rc = nomem(ctx);
        goto out;
    }
    rc = write_state_file(ctx, dir, name, data, (size_t)len, 0600);
out:
    BIO_free(bio);
    return rc;
}

/* ---- certificates (AMD pub. 57230 shapes) ---- */

/* AMD's name order: OU, C, L, ST, O, CN (as on AMD KDS's ARK-Milan and SEV-VCEK). */
static X509_NAME *amd_name(const char *cn)
{
    static const struct { const char *field, *value; } parts[] = {
        {"OU", "Engineering"}, {"C", "US"}, {"L", "Santa Clara"},
        {"ST", "CA"},          {"O", "Advanced Micro Devices"},
    };
    X509_NAME *n = X509_NAME_new();

    for (size_t i = 0; n != NULL && i < sizeof(parts) / sizeof(parts[0]); i++)
        if (X509_NAME_add_entry_by_txt(n, parts[i].field, MBSTRING_ASC,
                                       (const unsigned char *)parts[i].value, -1, -1, 0) != 1) {
            X509_NAME_free(n);
            n = NULL;
        }
    if (n != NULL && X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                                                (const unsigned char *)cn, -1, -1, 0) != 1) {
        X509_NAME_free(n);
        n = NULL;
    }
    return n;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* t = now plus whole calendar years (29 February becomes 28 February in a common year). */
static bool time_plus_years(ASN1_TIME *t, time_t now, int years)
{
    struct tm tm;
    char buf[32];

    if (gmtime_r(&now, &tm) == NULL)
        return false;
    int year = tm.tm_year + 1900 + years;
    int mday = tm.tm_mon == 1 && tm.tm_mday == 29 && !is_leap(year) ? 28 : tm.tm_mday;
    snprintf(buf, sizeof(buf), "%04d%02d%02d%02d%02d%02dZ", year, tm.tm_mon + 1, mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec);
    return ASN1_TIME_set_string_X509(t, buf) == 1; /* UTCTime before 2050, else Generalized */
}

/* An extension whose extnValue holds the DER value der (AMD extensions, snp.md §6.1). */
static bool add_der_ext(X509 *x, const char *oid, const unsigned char *der, int der_len)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *val = ASN1_OCTET_STRING_new();
    X509_EXTENSION *ext = NULL;
    bool ok = obj != NULL && val != NULL && der_len > 0 &&
              ASN1_OCTET_STRING_set(val, der, der_len) == 1 &&
              (ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, val)) != NULL &&
              X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(val);
    ASN1_OBJECT_free(obj);
    return ok;
}

static bool add_int_ext(X509 *x, const char *oid, long v)
{
    ASN1_INTEGER *i = ASN1_INTEGER_new();
    unsigned char *der = NULL;
    int len = i != NULL && ASN1_INTEGER_set(i, v) == 1 ? i2d_ASN1_INTEGER(i, &der) : -1;
    bool ok = add_der_ext(x, oid, der, len);
    OPENSSL_free(der);
    ASN1_INTEGER_free(i);
    return ok;
}

/*
 * The VCEK's AMD extensions (OID 1.3.6.1.4.1.3704.1.*), in the order AMD KDS writes them:
 * structVersion, productName, blSPL, teeSPL, spl_4..spl_7, snpSPL, ucodeSPL, hwID.
 */
static bool add_amd_exts(X509 *x, const uint8_t chip_id[SIM_CHIP_ID_SIZE])
{
    static const struct { const char *oid; long value; } ints[] = {
        {"1.3.6.1.4.1.3704.1.3.1", SIM_TCB_BOOTLOADER}, {"1.3.6.1.4.1.3704.1.3.2", SIM_TCB_TEE},
        {"1.3.6.1.4.1.3704.1.3.4", 0},                  {"1.3.6.1.4.1.3704.1.3.5", 0},
        {"1.3.6.1.4.1.3704.1.3.6", 0},                  {"1.3.6.1.4.1.3704.1.3.7", 0},
        {"1.3.6.1.4.1.3704.1.3.3", SIM_TCB_SNP},        {"1.3.6.1.4.1.3704.1.3.8", SIM_TCB_MICROCODE},
    };
    ASN1_IA5STRING *name = ASN1_IA5STRING_new();
    ASN1_OCTET_STRING *hwid = ASN1_OCTET_STRING_new();
    unsigned char *der = NULL;
    int len;
    bool ok = name != NULL && hwid != NULL && add_int_ext(x, "1.3.6.1.4.1.3704.1.1", 1) &&
              ASN1_STRING_set(name, SIM_PRODUCT_NAME, -1) == 1 &&
              (len = i2d_ASN1_IA5STRING(name, &der)) > 0 &&
              add_der_ext(x, "1.3.6.1.4.1.3704.1.2", der, len);

    OPENSSL_free(der);
    der = NULL;
    for (size_t i = 0; ok && i < sizeof(ints) / sizeof(ints[0]); i++)
        ok = add_int_ext(x, ints[i].oid, ints[i].value);
    /* hwID: the 64 CHIP_ID bytes as a DER OCTET STRING (the newer of AMD's two forms) */
    ok = ok && ASN1_OCTET_STRING_set(hwid, chip_id, SIM_CHIP_ID_SIZE) == 1 &&
         (len = i2d_ASN1_OCTET_STRING(hwid, &der)) > 0 &&
         add_der_ext(x, "1.3.6.1.4.1.3704.1.4", der, len);
    OPENSSL_free(der);
    ASN1_OCTET_STRING_free(hwid);
    ASN1_IA5STRING_free(name);
    return ok;
}

/* ARK and ASK: key usage, subject key identifier, basic constraints, as on AMD's. No CRL
 * distribution point: AMD's CRL is not signed by this test ARK. */
static bool add_ca_exts(X509 *x, X509 *issuer)
{
    static const struct { int nid; const char *value; } exts[] = {
        {NID_key_usage, "critical,keyCertSign,cRLSign"},
        {NID_subject_key_identifier, "hash"},
        {NID_basic_constraints, "critical,CA:TRUE"},
    };
    X509V3_CTX v3;

    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v3, exts[i].nid, exts[i].value);
        bool ok = e != NULL && X509_add_ext(x, e, -1) == 1;
        X509_EXTENSION_free(e);
        if (!ok)
            return false;
    }
    return true;
}

/* RSASSA-PSS, SHA-384, MGF1-SHA-384, salt length 48: how AMD signs ARK, ASK and VCEK. */
static bool sign_pss(X509 *x, EVP_PKEY *issuer_key)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    bool ok = md != NULL && EVP_DigestSignInit(md, &pctx, EVP_sha384(), NULL, issuer_key) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) == 1 &&
              EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) == 1 && X509_sign_ctx(x, md) > 0;
    EVP_MD_CTX_free(md); /* frees pctx too */
    return ok;
}

struct cert_spec {
    const char *cn;
    long serial;
    int years; /* validity: now - 1 day .. now + years */
    bool ca;
};

static const struct cert_spec ark_spec = {"ARK-" SIM_PRODUCT, 1, 25, true};
static const struct cert_spec ask_spec = {"SEV-" SIM_PRODUCT, 2, 25, true};
static const struct cert_spec vcek_spec = {"SEV-VCEK", 0, 7, false}; /* AMD VCEKs: serial 0 */

/* A certificate for key, issued by issuer (NULL: self-signed) with issuer_key. */
static attest_status make_cert(attest_ctx *ctx, const struct cert_spec *spec, EVP_PKEY *key,
                               X509 *issuer, EVP_PKEY *issuer_key,
                               const uint8_t chip_id[SIM_CHIP_ID_SIZE], X509 **out)
{
    X509 *x = X509_new();
    X509_NAME *subject = amd_name(spec->cn);
    time_t now = (time_t)attest_ctx_time(ctx);
    attest_status rc = ATTEST_OK;

    if (x == NULL || subject == NULL || X509_set_version(x, X509_VERSION_3) != 1 ||
        ASN1_INTEGER_set(X509_get_serialNumber(x), spec->serial) != 1 ||
        X509_set_subject_name(x, subject) != 1 ||
        X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : subject) != 1 ||
        X509_time_adj_ex(X509_getm_notBefore(x), -1, 0, &now) == NULL ||
        !time_plus_years(X509_getm_notAfter(x), now, spec->years) ||
        X509_set_pubkey(x, key) != 1 ||
        !(spec->ca ? add_ca_exts(x, issuer != NULL ? issuer : x) : add_amd_exts(x, chip_id))) {
        rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: %s certificate cannot be built",
                               spec->cn);
        goto out;
    }
    if (!sign_pss(x, issuer_key)) {
        rc = attest_ctx__error(ctx, ATTEST_E_INTERNAL, "snp: %s certificate cannot be signed "
                               "with RSASSA-PSS", spec->cn);
        goto out;
    }
    *out = x;
    x = NULL;
out:
    X509_free(x);
    X509_NAME_free(subject);
    return rc;
}

/* ---- generating and loading the state ---- */

/* The pins line that makes the test ARK a trust anchor for "snp"/"Milan" (lib/x509.c). */
static attest_status write_pins(attest_ctx *ctx, const char *dir, X509 *ark)
{
    uint8_t spki[32];
    char hex[65], line[128];

    if (!attest_x509__spki_sha256(ark, spki))
        return attest_ctx__error(ctx, ATTEST_E_INTERNAL, "snp: ARK public key cannot be hashed");
    attest_hex__encode(spki, sizeof(spki), hex);
    int n = snprintf(line, sizeof(line), "snp %s %s\n", SIM_PRODUCT, hex);
    return write_state_file(ctx, dir, "pins", line, (size_t)n, 0644);
}

/* New keys, certificates and chip id into dir, vcek.pem last; the state into *out. */
static attest_status state_generate(attest_ctx *ctx, const char *dir, struct sim_state *out)
{
    EVP_PKEY *ark_key = NULL, *ask_key = NULL, *vcek_key = NULL;
    X509 *ark = NULL, *ask = NULL, *vcek = NULL;
    uint8_t chip_id[SIM_CHIP_ID_SIZE];
    attest_status rc;

    if ((ark_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)) == NULL ||
        (ask_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)) == NULL ||
        (vcek_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384")) == NULL ||
        RAND_bytes(chip_id, sizeof(chip_id)) != 1) {
        rc = attest_ctx__error(ctx, ATTEST_E_INTERNAL,
                               "snp: simulator keys cannot be generated (RSA-2048, P-384)");
        goto out;
    }
    if ((rc = make_cert(ctx, &ark_spec, ark_key, NULL, ark_key, NULL, &ark)) != ATTEST_OK ||
        (rc = make_cert(ctx, &ask_spec, ask_key, ark, ark_key, NULL, &ask)) != ATTEST_OK ||
        (rc = make_cert(ctx, &vcek_spec, vcek_key, ask, ask_key, chip_id, &vcek)) != ATTEST_OK)
        goto out;
    if ((rc = write_state_file(ctx, dir, "chip_id", chip_id, sizeof(chip_id), 0644)) !=
            ATTEST_OK ||
        (rc = write_pem_key(ctx, dir, "ark.key", ark_key)) != ATTEST_OK ||
        (rc = write_pem_cert(ctx, dir, "ark.pem", ark)) != ATTEST_OK ||
        (rc = write_pem_key(ctx, dir, "ask.key", ask_key)) != ATTEST_OK ||
        (rc = write_pem_cert(ctx, dir, "ask.pem", ask)) != ATTEST_OK ||
        (rc = write_pem_key(ctx, dir, "vcek.key", vcek_key)) != ATTEST_OK ||
        (rc = write_pins(ctx, dir, ark)) != ATTEST_OK)
        goto out;
    /* everything else is durable before vcek.pem marks the state complete */
    if ((rc = sync_dir(ctx, dir)) != ATTEST_OK ||
        (rc = write_pem_cert(ctx, dir, "vcek.pem", vcek)) != ATTEST_OK ||
        (rc = sync_dir(ctx, dir)) != ATTEST_OK)
        goto out;
    memcpy(out->chip_id, chip_id, sizeof(chip_id));
    tcb_milan(out->tcb, SIM_TCB_BOOTLOADER, SIM_TCB_TEE, SIM_TCB_SNP, SIM_TCB_MICROCODE);
    out->ark = ark;
    out->ask = ask;
    out->vcek = vcek;
    out->vcek_key = vcek_key;
    ark = ask = vcek = NULL;
    vcek_key = NULL;
out:
    OPENSSL_cleanse(chip_id, sizeof(chip_id));
    X509_free(ark);
    X509_free(ask);
    X509_free(vcek);
    EVP_PKEY_free(ark_key);
    EVP_PKEY_free(ask_key);
    EVP_PKEY_free(vcek_key);
    return rc;
}

static attest_status damaged(attest_ctx *ctx, const char *dir, const char *name,
                             const char *what)
{
    return attest_ctx__error(ctx, ATTEST_E_PARSE, "snp: state file %s/%s %s", dir, name, what);
}

static attest_status load_cert(attest_ctx *ctx, const char *dir, const char *name, X509 **out)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    BIO *bio = NULL;
    X509 *x = NULL;
    attest_status rc;

    if ((rc = read_state_file(ctx, dir, name, &buf, &len)) != ATTEST_OK)
        goto out;
    if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
        rc = nomem(ctx);
        goto out;
    }
    if ((x = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL)) == NULL) {
        rc = damaged(ctx, dir, name, "is not a PEM certificate");
        goto out;
    }
    *out = x;
out:
    BIO_free(bio);
    free(buf);
    return rc;
}

/* Load name's private key and check that it is cert's key. NULL out: check only. */
static attest_status load_key(attest_ctx *ctx, const char *dir, const char *name, X509 *cert,
                              EVP_PKEY **out)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    BIO *bio = NULL;
    EVP_PKEY *key = NULL;
    attest_status rc;

    if ((rc = read_state_file(ctx, dir, name, &buf, &len)) != ATTEST_OK)
        goto out;
    if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
        rc = nomem(ctx);
        goto out;
    }
    if ((key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)) == NULL) {
        rc = damaged(ctx, dir, name, "is not an unencrypted PEM private key");
        goto out;
    }
    if (EVP_PKEY_eq(key, X509_get0_pubkey(cert)) != 1) {
        rc = damaged(ctx, dir, name, "does not hold the key of its certificate");
        goto out;
    }
    if (out != NULL) {
        *out = key;
        key = NULL;
    }
out:
    EVP_PKEY_free(key);
    BIO_free(bio);
    if (buf != NULL)
        OPENSSL_clear_free(buf, len);
    return rc;
}

static bool signed_by(X509 *cert, X509 *issuer)
{
    EVP_PKEY *k = X509_get0_pubkey(issuer);
    return k != NULL && X509_verify(cert, k) == 1;
}

/* Load and check a complete state: keys match certificates, the chain holds, the VCEK is
 * P-384 and its hwID is chip_id. Any inconsistency is ATTEST_E_PARSE naming the file. */
static attest_status state_load(attest_ctx *ctx, const char *dir, struct sim_state *out)
{
    struct sim_state s;
    struct snp_vcek_ext ext;
    uint8_t *chip = NULL;
    size_t chip_len = 0;
    EVP_PKEY *vcek_pub;
    attest_status rc;

    memset(&s, 0, sizeof(s));
    if ((rc = load_cert(ctx, dir, "ark.pem", &s.ark)) != ATTEST_OK ||
        (rc = load_cert(ctx, dir, "ask.pem", &s.ask)) != ATTEST_OK ||
        (rc = load_cert(ctx, dir, "vcek.pem", &s.vcek)) != ATTEST_OK ||
        (rc = load_key(ctx, dir, "ark.key", s.ark, NULL)) != ATTEST_OK ||
        (rc = load_key(ctx, dir, "ask.key", s.ask, NULL)) != ATTEST_OK ||
        (rc = load_key(ctx, dir, "vcek.key", s.vcek, &s.vcek_key)) != ATTEST_OK ||
        (rc = read_state_file(ctx, dir, "chip_id", &chip, &chip_len)) != ATTEST_OK)
        goto out;
    if (!signed_by(s.ark, s.ark)) {
        rc = damaged(ctx, dir, "ark.pem", "is not self-signed");
        goto out;
    }
    if (!signed_by(s.ask, s.ark)) {
        rc = damaged(ctx, dir, "ask.pem", "is not signed by ark.pem");
        goto out;
    }
    if (!signed_by(s.vcek, s.ask)) {
        rc = damaged(ctx, dir, "vcek.pem", "is not signed by ask.pem");
        goto out;
    }
    vcek_pub = X509_get0_pubkey(s.vcek);
    if (vcek_pub == NULL || EVP_PKEY_get_base_id(vcek_pub) != EVP_PKEY_EC ||
        EVP_PKEY_get_bits(vcek_pub) != 384) {
        rc = damaged(ctx, dir, "vcek.pem", "does not hold an EC P-384 key");
        goto out;
    }
    if (snp_vcek_ext_parse(ctx, s.vcek, &ext) != ATTEST_OK || !ext.has_hwid) {
        rc = damaged(ctx, dir, "vcek.pem", "lacks AMD's TCB or hwID extensions");
        goto out;
    }
    if (chip_len != SIM_CHIP_ID_SIZE || memcmp(chip, ext.hwid, SIM_CHIP_ID_SIZE) != 0) {
        rc = damaged(ctx, dir, "chip_id", "is not the 64-byte hwID of vcek.pem");
        goto out;
    }
    memcpy(s.chip_id, chip, SIM_CHIP_ID_SIZE);
    /* the VCEK was derived for this TCB, so reports claim exactly its SPLs */
    tcb_milan(s.tcb, ext.bl, ext.tee, ext.snp, ext.ucode);
    *out = s;
    memset(&s, 0, sizeof(s)); /* handed over */
out:
    free(chip);
    state_clear(&s);
    return rc;
}

static bool exists(const char *dir, const char *name)
{
    char path[SIM_PATH_MAX];
    struct stat st;
    return path_in(path, dir, name) && stat(path, &st) == 0;
}

/* Create dir (0700; its parent must exist) if missing, then load or generate its state. */
static attest_status state_open(attest_ctx *ctx, const char *dir, struct sim_state *out)
{
    char lock_path[SIM_PATH_MAX];
    struct stat st;
    attest_status rc;
    int fd = -1;

    if (!path_in(lock_path, dir, ".lock"))
        return too_long(ctx, dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return attest_ctx__error(ctx, ATTEST_E_IO, "snp: state directory %s cannot be created "
                                 "(errno %d, %s)", dir, errno, strerror(errno));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return attest_ctx__error(ctx, ATTEST_E_IO, "snp: state directory %s is not a directory",
                                 dir);
    if (exists(dir, "vcek.pem")) /* complete: files are never rewritten once it exists */
        return state_load(ctx, dir, out);
    if ((fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
        rc = attest_ctx__error(ctx, ATTEST_E_IO, "snp: state directory %s cannot be written "
                               "(errno %d, %s)", dir, errno, strerror(errno));
        goto out;
    }
    int locked;
    while ((locked = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
        ;
    if (locked != 0) {
        rc = attest_ctx__error(ctx, ATTEST_E_IO, "snp: state directory %s cannot be locked "
                               "(errno %d, %s)", dir, errno, strerror(errno));
        goto out;
    }
    /* another process may have finished the state while we waited */
    rc = exists(dir, "vcek.pem") ? state_load(ctx, dir, out) : state_generate(ctx, dir, out);
out:
    if (fd >= 0)
        close(fd); /* releases the lock */
    return rc;
}

/* ---- the report ---- */

/* ECDSA P-384 over report[0x000 .. 0x2a0) with SHA-384; R and S as 72-byte little-endian
 * fields at 0x2a0 and 0x2e8 (48 significant bytes, the top 24 zero). */
static attest_status sign_report(attest_ctx *ctx, uint8_t *r, EVP_PKEY *key)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char *der = NULL;
    size_t der_len = 0;
    ECDSA_SIG *sig = NULL;
    const BIGNUM *sr = NULL, *ss = NULL;
    attest_status rc = ATTEST_OK;

    if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, key) != 1 ||
        EVP_DigestSign(md, NULL, &der_len, r, SNP_SIGNED_SIZE) != 1 ||
        (der = OPENSSL_malloc(der_len)) == NULL ||
        EVP_DigestSign(md, der, &der_len, r, SNP_SIGNED_SIZE) != 1) {
        rc = attest_ctx__error(ctx, ATTEST_E_INTERNAL, "snp: report cannot be signed with the "
                               "VCEK");
        goto out;
    }
    const unsigned char *p = der;
    if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) != NULL)
        ECDSA_SIG_get0(sig, &sr, &ss);
    if (sr == NULL || ss == NULL || BN_bn2lebinpad(sr, r + 0x2a0, 48) != 48 ||
        BN_bn2lebinpad(ss, r + 0x2e8, 48) != 48) {
        rc = attest_ctx__error(ctx, ATTEST_E_INTERNAL, "snp: report signature is not a P-384 "
                               "ECDSA signature");
        goto out;
    }
out:
    ECDSA_SIG_free(sig);
    OPENSSL_free(der);
    EVP_MD_CTX_free(md);
    return rc;
}

/* The launch's HOST_DATA from dir/host_data (64 hex digits and an optional newline), or
 * zero when the file is absent. */
static attest_status load_host_data(attest_ctx *ctx, const char *dir, uint8_t out[32])
{
    uint8_t *text = NULL;
    size_t len = 0, n = 0;
    memset(out, 0, 32);
    if (!exists(dir, "host_data"))
        return ATTEST_OK;
    attest_status rc = read_state_file(ctx, dir, "host_data", &text, &len);
    if (rc != ATTEST_OK)
        return rc;
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    if (len != 64 || !attest_hex__decode((const char *)text, len, out, 32, &n) || n != 32)
        rc = damaged(ctx, dir, "host_data", "is not 64 hex digits");
    free(text);
    return rc;
}

/* The report, field by field at its pub. 56860 offset; every byte not named stays zero. */
static attest_status build_report(attest_ctx *ctx, const struct sim_state *s,
                                  const uint8_t *report_data, size_t len,
                                  const uint8_t host_data[32], uint8_t *r)
{
    unsigned int mlen = 0;

    memset(r, 0, SNP_REPORT_SIZE);
    put_le32(r + 0x000, 3);                 /* VERSION */
    put_le32(r + 0x004, 0);                 /* GUEST_SVN */
    put_le64(r + 0x008, SIM_POLICY);        /* POLICY */
    /* 0x010 FAMILY_ID, 0x020 IMAGE_ID: zero (no ID block) */
    put_le32(r + 0x030, 0);                 /* VMPL */
    put_le32(r + 0x034, 1);                 /* SIGNATURE_ALGO: ECDSA P-384 with SHA-384 */
    memcpy(r + 0x038, s->tcb, 8);           /* CURRENT_TCB */
    put_le64(r + 0x040, SIM_PLATFORM_INFO); /* PLATFORM_INFO */
    put_le32(r + 0x048, 0);                 /* KEY_INFO: SIGNING_KEY 0 = VCEK */
    /* 0x04c reserved */
    if (len > 0)
        memcpy(r + 0x050, report_data, len); /* REPORT_DATA, zero-padded to 64 */
    if (EVP_Digest(SIM_MEASURED, strlen(SIM_MEASURED), r + 0x090, &mlen, EVP_sha384(), NULL) !=
            1 ||
        mlen != 48) /* MEASUREMENT */
        return attest_ctx__error(ctx, ATTEST_E_INTERNAL, "snp: measurement cannot be hashed");
    memcpy(r + 0x0c0, host_data, 32);       /* HOST_DATA */
    /* 0x0e0 ID_KEY_DIGEST, 0x110 AUTHOR_KEY_DIGEST: zero */
    if (RAND_bytes(r + 0x140, 32) != 1) /* REPORT_ID */
        return attest_ctx__error(ctx, ATTEST_E_INTERNAL, "snp: report_id cannot be drawn "
                                 "(RAND_bytes)");
    memset(r + 0x160, 0xff, 32);            /* REPORT_ID_MA: no migration agent */
    memcpy(r + 0x180, s->tcb, 8);           /* REPORTED_TCB */
    r[0x188] = SIM_CPUID_FAMILY;            /* CPUID_FAM_ID */
    r[0x189] = SIM_CPUID_MODEL;             /* CPUID_MOD_ID */
    r[0x18a] = SIM_CPUID_STEPPING;          /* CPUID_STEP */
    /* 0x18b .. 0x19f reserved */
    memcpy(r + 0x1a0, s->chip_id, 64);      /* CHIP_ID */
    memcpy(r + 0x1e0, s->tcb, 8);           /* COMMITTED_TCB */
    r[0x1e8] = SIM_FW_BUILD;                /* CURRENT_BUILD */
    r[0x1e9] = SIM_FW_MINOR;                /* CURRENT_MINOR */
    r[0x1ea] = SIM_FW_MAJOR;                /* CURRENT_MAJOR */
    /* 0x1eb reserved */
    r[0x1ec] = SIM_FW_BUILD;                /* COMMITTED_BUILD */
    r[0x1ed] = SIM_FW_MINOR;                /* COMMITTED_MINOR */
    r[0x1ee] = SIM_FW_MAJOR;                /* COMMITTED_MAJOR */
    /* 0x1ef reserved */
    memcpy(r + 0x1f0, s->tcb, 8);           /* LAUNCH_TCB */
    /* 0x1f8 .. 0x29f reserved (version 3) */
    return sign_report(ctx, r, s->vcek_key); /* 0x2a0 SIGNATURE; 0x330 .. 0x49f reserved */
}

/* A malloc'd DER copy of x (snp_sim_output's certificates are freed with free()). */
static bool der_copy(X509 *x, uint8_t **out, size_t *out_len)
{
    int len = i2d_X509(x, NULL);
    uint8_t *buf = len > 0 ? malloc((size_t)len) : NULL;
    unsigned char *p = buf;

    if (buf == NULL || i2d_X509(x, &p) != len) {
        free(buf);
        return false;
    }
    *out = buf;
    *out_len = (size_t)len;
    return true;
}

attest_status snp_simulate_report(attest_ctx *ctx, const char *state_dir,
                                  const uint8_t *report_data, size_t len,
                                  struct snp_sim_output *out)
{
    struct sim_state s;
    struct snp_sim_output o;
    attest_status rc;

    memset(&s, 0, sizeof(s));
    memset(&o, 0, sizeof(o));
    if (ctx == NULL)
        return ATTEST_E_ARG;
    if (state_dir == NULL || state_dir[0] == '\0' || out == NULL ||
        (report_data == NULL && len > 0))
        return attest_ctx__error(ctx, ATTEST_E_ARG, "snp: NULL or empty argument");
    if (len > 64)
        return attest_ctx__error(ctx, ATTEST_E_ARG, "snp: report data is too long (got %zu "
                                 "bytes, want at most 64)", len);
    if ((rc = state_open(ctx, state_dir, &s)) != ATTEST_OK)
        goto out;
    uint8_t host_data[32];
    if ((rc = load_host_data(ctx, state_dir, host_data)) != ATTEST_OK ||
        (rc = build_report(ctx, &s, report_data, len, host_data, o.report)) != ATTEST_OK)
        goto out;
    if (!der_copy(s.vcek, &o.vcek, &o.vcek_len) || !der_copy(s.ask, &o.ask, &o.ask_len) ||
        !der_copy(s.ark, &o.ark, &o.ark_len)) {
        rc = nomem(ctx);
        goto out;
    }
    *out = o;
    memset(&o, 0, sizeof(o)); /* handed over */
out:
    snp_sim_output_free(&o);
    state_clear(&s);
    return rc;
}

void snp_sim_output_free(struct snp_sim_output *o)
{
    if (o == NULL)
        return;
    free(o->vcek);
    free(o->ask);
    free(o->ark);
    o->vcek = o->ask = o->ark = NULL;
    o->vcek_len = o->ask_len = o->ark_len = 0;
}
