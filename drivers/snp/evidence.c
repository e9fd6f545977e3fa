/*
 * The SNP evidence formats in use, detected from the bytes:
 *   raw        the 0x4a0-byte ATTESTATION_REPORT; certificates come from collateral
 *   raw+certs  the report followed by the extended-report certificate table (GHCB spec;
 *              what SNP_GET_EXT_REPORT and configfs-tsm outblob+auxblob give)
 *   hex        hex text of either (the SKR sidecar's /attest/raw "report")
 *   trustee    Trustee's SnpEvidence JSON {"attestation_report", "cert_chain"}: the report
 *              as virtee/sev serde fields, or as an array of its 0x4a0 bytes
 *   maa        the MAA SevSnpVm request ({"report": b64url(maaReport)}) or the maaReport
 *              itself ({"SnpReport", "VcekCertChain"})
 *   skr        the SKR sidecar's /attest/combined {"evidence", "endorsements"}
 * Sources: ../shared/specs/evidence/snp.md §9 and §11, ../shared/specs/azure-skr-maa.md §1-2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/json.h"
#include "snp.h"

/* Keep a decoded buffer until snp_evidence_free(); NULL (as for malloc failure) when full. */
static uint8_t *own(struct snp_evidence *ev, uint8_t *p)
{
    if (p == NULL)
        return NULL;
    if (ev->n_owned == sizeof(ev->owned) / sizeof(ev->owned[0])) {
        free(p);
        return NULL;
    }
    ev->owned[ev->n_owned++] = p;
    return p;
}

void snp_evidence_free(struct snp_evidence *ev)
{
    for (size_t i = 0; i < ev->n_owned; i++)
        free(ev->owned[i]);
    ev->n_owned = 0;
}

static bool report_header_ok(const uint8_t *p)
{
    uint32_t version = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    uint32_t algo = p[0x34] | (uint32_t)p[0x35] << 8 | (uint32_t)p[0x36] << 16 |
                    (uint32_t)p[0x37] << 24;
    /* any plausible version, so an unsupported one gets report.c's precise error */
    return version >= 1 && version <= 31 && algo == 1;
}

static bool is_hex_text(const uint8_t *p, size_t n)
{
    if (n == 0 || n % 2 != 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') ||
              (p[i] >= 'A' && p[i] <= 'F')))
            return false;
    return true;
}

static size_t trim(const uint8_t *p, size_t n)
{
    while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' '))
        n--;
    return n;
}

/* JSON evidence starts with '{' after optional whitespace. */
static bool json_object_start(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
        i++;
    return i < n && p[i] == '{';
}

/* Parsing is cheap (lib/json.c), but detection runs on every evidence of every TEE. */
#define SNP_DETECT_JSON_MAX (1024u * 1024u)

int snp_evidence_detect(const uint8_t *buf, size_t len)
{
    size_t n = trim(buf, len);
    if (len >= SNP_REPORT_SIZE && report_header_ok(buf))
        return len == SNP_REPORT_SIZE ? 90 : 70;
    if (n == 2 * SNP_REPORT_SIZE && is_hex_text(buf, n))
        return 80;
    if (n > 2 * SNP_REPORT_SIZE && is_hex_text(buf, n)) { /* hex of report + table */
        uint8_t head[0x38];
        size_t got = 0;
        if (attest_hex__decode((const char *)buf, 2 * sizeof(head), head, sizeof(head), &got) &&
            got == sizeof(head) && report_header_ok(head))
            return 70;
    }
    if (json_object_start(buf, len)) {
        /* cheap key sniffing; the parser does the real work */
        static const char *const keys[] = {"\"attestation_report\"", "\"SnpReport\"",
                                           "\"VcekCertChain\"", "\"endorsements\""};
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
            for (size_t j = 0; j + strlen(keys[i]) <= len && j < 4096; j++)
                if (memcmp(buf + j, keys[i], strlen(keys[i])) == 0)
                    return 80;
        /* {"report": hex or b64url(maaReport)}, {"evidence": b64(report)}: generic names,
         * so a lower score */
        struct attest_json doc;
        if (len > SNP_DETECT_JSON_MAX ||
            attest_json__parse(NULL, "snp", (const char *)buf, len, &doc) != ATTEST_OK)
            return 0;
        int score = attest_json__is(&doc, attest_json__get(&doc, 0, "report"),
                                    ATTEST_JSON_STRING) ||
                            attest_json__is(&doc, attest_json__get(&doc, 0, "evidence"),
                                            ATTEST_JSON_STRING)
                        ? 60
                        : 0;
        attest_json__free(&doc);
        return score;
    }
    return 0;
}

/* raw report, optionally followed by a certificate table */
static attest_status from_raw(attest_ctx *ctx, const uint8_t *buf, size_t len,
                              struct snp_evidence *ev)
{
    if (len < SNP_REPORT_SIZE)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "snp: report is %zu bytes (want %u)", len,
                                 SNP_REPORT_SIZE);
    ev->report = buf;
    ev->format = "raw";
    if (len == SNP_REPORT_SIZE)
        return ATTEST_OK;
    ev->format = "raw+certs";
    return snp_cert_table_parse(ctx, buf + SNP_REPORT_SIZE, len - SNP_REPORT_SIZE, &ev->certs);
}

static attest_status b64_field(attest_ctx *ctx, struct snp_evidence *ev,
                               const struct attest_json *doc, uint32_t item,
                               enum attest_b64_alphabet alpha, const char *name, uint8_t **out,
                               size_t *out_len)
{
    if (!attest_json__is(doc, item, ATTEST_JSON_STRING))
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "snp: %s is missing or not a string", name);
    attest_status rc = attest_b64__decode(alpha, doc->v[item].str, doc->v[item].str_len, out,
                                          out_len);
    if (rc == ATTEST_E_NOMEM)
        return attest_ctx__error(ctx, rc, "snp: out of memory");
    if (rc != ATTEST_OK)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "snp: %s is not valid base64", name);
    if (own(ev, *out) == NULL)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "snp: too many certificates");
    return ATTEST_OK;
}

static attest_status add_cert(attest_ctx *ctx, struct snp_evidence *ev, enum snp_cert_kind kind,
                              const uint8_t *data, size_t len)
{
    if (ev->certs.count == SNP_CERT_TABLE_MAX)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "snp: more than %d certificates",
                                 SNP_CERT_TABLE_MAX);
    ev->certs.entries[ev->certs.count].kind = kind;
    ev->certs.entries[ev->certs.count].data = data;
    ev->certs.entries[ev->certs.count].len = len;
    ev->certs.count++;
    return ATTEST_OK;
}

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* virtee/sev TcbVersion serde: {bootloader, tee, _reserved[4], snp, microcode} (Milan and
 * Genoa byte order) or a plain u64. */
static bool json_tcb(const struct attest_json *doc, uint32_t v, uint8_t *p)
{
    uint64_t raw;
    if (attest_json__uint(doc, v, UINT64_MAX, &raw)) {
        put_le(p, raw, 8);
        return true;
    }
    if (!attest_json__is(doc, v, ATTEST_JSON_OBJECT))
        return false;
    static const struct { const char *name; size_t off; } parts[] = {
        {"bootloader", 0}, {"tee", 1}, {"snp", 6}, {"microcode", 7}};
    memset(p, 0, 8);
    for (size_t i = 0; i < 4; i++) {
        uint64_t b;
        if (!attest_json__uint(doc, attest_json__get(doc, v, parts[i].name), 255, &b))
            return false;
        p[parts[i].off] = (uint8_t)b;
    }
    uint32_t res = attest_json__get(doc, v, "_reserved");
    return res == ATTEST_JSON_NONE || attest_json__bytes(doc, res, p + 2, 4);
}

enum field_kind { U8, U32, U64, BYTES, TCB };

/* virtee/sev AttestationReport serde field names at their offsets (pub. 56860). */
static const struct {
    const char *name;
    size_t off, size;
    enum field_kind kind;
    bool optional; /* reserved fields, and names only some virtee versions use */
} fields[] = {
    {"version", 0x000, 4, U32, false},       {"guest_svn", 0x004, 4, U32, false},
    {"policy", 0x008, 8, U64, false},        {"family_id", 0x010, 16, BYTES, false},
    {"image_id", 0x020, 16, BYTES, false},   {"vmpl", 0x030, 4, U32, false},
    {"sig_algo", 0x034, 4, U32, false},      {"current_tcb", 0x038, 8, TCB, false},
    {"plat_info", 0x040, 8, U64, false},     {"_author_key_en", 0x048, 4, U32, true},
    {"key_info", 0x048, 4, U32, true},       {"_reserved_0", 0x04c, 4, U32, true},
    {"report_data", 0x050, 64, BYTES, false}, {"measurement", 0x090, 48, BYTES, false},
    {"host_data", 0x0c0, 32, BYTES, false},  {"id_key_digest", 0x0e0, 48, BYTES, false},
    {"author_key_digest", 0x110, 48, BYTES, false},
    {"report_id", 0x140, 32, BYTES, false},  {"report_id_ma", 0x160, 32, BYTES, false},
    {"reported_tcb", 0x180, 8, TCB, false},  {"_reserved_1", 0x188, 24, BYTES, true},
    {"chip_id", 0x1a0, 64, BYTES, false},    {"committed_tcb", 0x1e0, 8, TCB, false},
    {"current_build", 0x1e8, 1, U8, false},  {"current_minor", 0x1e9, 1, U8, false},
    {"current_major", 0x1ea, 1, U8, false},  {"_reserved_2", 0x1eb, 1, U8, true},
    {"committed_build", 0x1ec, 1, U8, false}, {"committed_minor", 0x1ed, 1, U8, false},
    {"committed_major", 0x1ee, 1, U8, false}, {"_reserved_3", 0x1ef, 1, U8, true},
    {"launch_tcb", 0x1f0, 8, TCB, false},    {"_reserved_4", 0x1f8, 168, BYTES, true},
};

/* Rebuild the 0x4a0 bytes from virtee/sev's serde field names. */
static attest_status report_from_fields(attest_ctx *ctx, const struct attest_json *doc,
                                        uint32_t o, uint8_t *r)
{
    memset(r, 0, SNP_REPORT_SIZE);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        uint32_t v = attest_json__get(doc, o, fields[i].name);
        uint64_t n = 0;
        bool ok;
        if (v == ATTEST_JSON_NONE && fields[i].optional)
            continue;
        switch (fields[i].kind) {
        case U8: ok = attest_json__uint(doc, v, 0xff, &n); break;
        case U32: ok = attest_json__uint(doc, v, 0xffffffffu, &n); break;
        case U64: ok = attest_json__uint(doc, v, UINT64_MAX, &n); break;
        case BYTES: ok = attest_json__bytes(doc, v, r + fields[i].off, fields[i].size); break;
        case TCB: ok = json_tcb(doc, v, r + fields[i].off); break;
        default: ok = false;
        }
        if (!ok)
            return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                     "snp: attestation_report.%s is missing or malformed",
                                     fields[i].name);
        if (fields[i].kind == U8 || fields[i].kind == U32 || fields[i].kind == U64)
            put_le(r + fields[i].off, n, fields[i].size);
    }
    uint32_t sig = attest_json__get(doc, o, "signature");
    uint32_t res = attest_json__get(doc, sig, "_reserved");
    if (!attest_json__bytes(doc, attest_json__get(doc, sig, "r"), r + 0x2a0, 72) ||
        !attest_json__bytes(doc, attest_json__get(doc, sig, "s"), r + 0x2e8, 72) ||
        (res != ATTEST_JSON_NONE && !attest_json__bytes(doc, res, r + 0x330, 0x170)))
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "snp: attestation_report.signature is missing or malformed");
    return ATTEST_OK;
}

/* virtee/sev CertType serde names */
static enum snp_cert_kind cert_kind(const char *t)
{
    static const struct { const char *name; enum snp_cert_kind kind; } names[] = {
        {"VCEK", SNP_CERT_VCEK}, {"VLEK", SNP_CERT_VLEK}, {"ASK", SNP_CERT_ASK},
        {"ARK", SNP_CERT_ARK},   {"CRL", SNP_CERT_CRL},   {"ASVK", SNP_CERT_ASK},
    };
    for (size_t i = 0; t != NULL && i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(t, names[i].name) == 0)
            return names[i].kind;
    return SNP_CERT_OTHER;
}

static attest_status from_trustee(attest_ctx *ctx, const struct attest_json *doc,
                                  struct snp_evidence *ev)
{
    uint32_t rep = attest_json__get(doc, 0, "attestation_report");
    uint8_t *r = own(ev, malloc(SNP_REPORT_SIZE));
    attest_status rc;

    if (r == NULL)
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: out of memory");
    if (attest_json__is(doc, rep, ATTEST_JSON_ARRAY)) { /* newer virtee/sev: the bytes */
        if (!attest_json__bytes(doc, rep, r, SNP_REPORT_SIZE))
            return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                     "snp: attestation_report is not an array of %u bytes",
                                     SNP_REPORT_SIZE);
    } else if (attest_json__is(doc, rep, ATTEST_JSON_OBJECT)) {
        if ((rc = report_from_fields(ctx, doc, rep, r)) != ATTEST_OK)
            return rc;
    } else {
        return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                 "snp: attestation_report is neither an object nor an array");
    }
    ev->report = r;
    ev->format = "trustee";
    uint32_t chain = attest_json__get(doc, 0, "cert_chain");
    if (chain == ATTEST_JSON_NONE || attest_json__is(doc, chain, ATTEST_JSON_NULL))
        return ATTEST_OK;
    if (!attest_json__is(doc, chain, ATTEST_JSON_ARRAY))
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "snp: cert_chain is not an array");
    for (uint32_t e = doc->v[chain].first; e != ATTEST_JSON_NONE; e = doc->v[e].next) {
        uint32_t data = attest_json__get(doc, e, "data");
        uint8_t *bytes = NULL;
        size_t n = attest_json__is(doc, data, ATTEST_JSON_ARRAY) ? doc->v[data].count : 0;
        if (n > 0 && (bytes = own(ev, malloc(n))) == NULL)
            return attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: out of memory");
        if (n == 0 || !attest_json__bytes(doc, data, bytes, n))
            return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                     "snp: cert_chain entry data is not an array of bytes");
        enum snp_cert_kind kind = cert_kind(attest_json__cstr(doc, attest_json__get(doc, e,
                                                                                  "cert_type")));
        if ((rc = add_cert(ctx, ev, kind, bytes, n)) != ATTEST_OK)
            return rc;
    }
    return ATTEST_OK;
}

/* MAA's maaReport: {"SnpReport": b64url(report), "VcekCertChain": b64url(PEM chain)} */
static attest_status from_maa_report(attest_ctx *ctx, const struct attest_json *doc, uint32_t o,
                                     struct snp_evidence *ev)
{
    uint8_t *rep, *pem;
    size_t rep_len, pem_len;
    attest_status rc;

    if ((rc = b64_field(ctx, ev, doc, attest_json__get(doc, o, "SnpReport"), ATTEST_B64_URL,
                        "SnpReport", &rep, &rep_len)) != ATTEST_OK)
        return rc;
    if (rep_len != SNP_REPORT_SIZE)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "snp: SnpReport is %zu bytes (want %u)",
                                 rep_len, SNP_REPORT_SIZE);
    ev->report = rep;
    ev->format = "maa";
    uint32_t chain = attest_json__get(doc, o, "VcekCertChain");
    if (chain == ATTEST_JSON_NONE)
        return ATTEST_OK;
    if ((rc = b64_field(ctx, ev, doc, chain, ATTEST_B64_URL, "VcekCertChain", &pem,
                        &pem_len)) != ATTEST_OK)
        return rc;
    return add_cert(ctx, ev, SNP_CERT_BUNDLE, pem, pem_len);
}

/* The MAA request: {"report": b64url(JSON maaReport), ...} */
static attest_status from_maa_request(attest_ctx *ctx, const struct attest_json *doc,
                                      uint32_t report, struct snp_evidence *ev)
{
    struct attest_json maa;
    uint8_t *inner;
    size_t inner_len;
    attest_status rc = b64_field(ctx, ev, doc, report, ATTEST_B64_URL, "report", &inner,
                                 &inner_len);
    if (rc != ATTEST_OK)
        return rc;
    if (attest_json__parse(ctx, "snp: report", (const char *)inner, inner_len, &maa) !=
            ATTEST_OK ||
        !attest_json__is(&maa, 0, ATTEST_JSON_OBJECT)) {
        attest_json__free(&maa);
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "snp: report is not a MAA report");
    }
    rc = from_maa_report(ctx, &maa, 0, ev); /* strings were decoded into owned buffers */
    attest_json__free(&maa);
    return rc;
}

/* The SKR sidecar's /attest/combined answer: {"evidence": b64, "endorsements": b64} */
static attest_status from_skr_combined(attest_ctx *ctx, const struct attest_json *doc,
                                       uint32_t evidence, struct snp_evidence *ev)
{
    uint8_t *r, *pem;
    size_t rl, pl;
    attest_status rc = b64_field(ctx, ev, doc, evidence, ATTEST_B64_STD, "evidence", &r, &rl);
    if (rc == ATTEST_OK)
        rc = from_raw(ctx, r, rl, ev);
    uint32_t endorse = attest_json__get(doc, 0, "endorsements");
    if (rc == ATTEST_OK && endorse != ATTEST_JSON_NONE &&
        (rc = b64_field(ctx, ev, doc, endorse, ATTEST_B64_STD, "endorsements", &pem, &pl)) ==
            ATTEST_OK)
        rc = add_cert(ctx, ev, SNP_CERT_BUNDLE, pem, pl);
    if (rc == ATTEST_OK)
        ev->format = "skr";
    return rc;
}

static attest_status from_json(attest_ctx *ctx, const uint8_t *buf, size_t len,
                               struct snp_evidence *ev)
{
    struct attest_json doc;
    attest_status rc = attest_json__parse(ctx, "snp: evidence", (const char *)buf, len, &doc);

    if (rc != ATTEST_OK)
        return rc;
    if (!attest_json__is(&doc, 0, ATTEST_JSON_OBJECT)) {
        attest_json__free(&doc);
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "snp: evidence is not a JSON object");
    }
    uint32_t report = attest_json__get(&doc, 0, "report");
    uint32_t evidence = attest_json__get(&doc, 0, "evidence");
    const char *report_text = attest_json__cstr(&doc, report);
    if (attest_json__get(&doc, 0, "attestation_report") != ATTEST_JSON_NONE) {
        rc = from_trustee(ctx, &doc, ev);
    } else if (attest_json__get(&doc, 0, "SnpReport") != ATTEST_JSON_NONE) {
        rc = from_maa_report(ctx, &doc, 0, ev);
    } else if (report_text != NULL &&
               is_hex_text((const uint8_t *)report_text, strlen(report_text))) {
        /* the SKR sidecar's /attest/raw answer: {"report": "<hex>"} */
        size_t n = strlen(report_text);
        uint8_t *r = own(ev, malloc(n / 2 + 1));
        size_t rl = 0;
        rc = r == NULL ? attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: out of memory")
             : !attest_hex__decode(report_text, n, r, n / 2, &rl)
                 ? attest_ctx__error(ctx, ATTEST_E_PARSE, "snp: report is not hex")
                 : from_raw(ctx, r, rl, ev);
        if (rc == ATTEST_OK)
            ev->format = "skr";
    } else if (attest_json__is(&doc, report, ATTEST_JSON_STRING)) {
        rc = from_maa_request(ctx, &doc, report, ev);
    } else if (attest_json__is(&doc, evidence, ATTEST_JSON_STRING)) {
        rc = from_skr_combined(ctx, &doc, evidence, ev);
    } else {
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE,
                               "snp: JSON evidence has none of attestation_report, SnpReport, "
                               "report or evidence");
    }
    attest_json__free(&doc);
    return rc;
}

attest_status snp_evidence_parse(attest_ctx *ctx, const uint8_t *buf, size_t len,
                                 struct snp_evidence *out)
{
    struct snp_evidence ev;
    attest_status rc;
    size_t n = trim(buf, len);

    memset(&ev, 0, sizeof(ev));
    if (json_object_start(buf, len)) {
        rc = from_json(ctx, buf, len, &ev);
    } else if (n != SNP_REPORT_SIZE && is_hex_text(buf, n)) {
        uint8_t *r = own(&ev, malloc(n / 2 + 1));
        size_t rl = 0;
        rc = r == NULL ? attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: out of memory")
             : !attest_hex__decode((const char *)buf, n, r, n / 2, &rl)
                 ? attest_ctx__error(ctx, ATTEST_E_PARSE, "snp: hex evidence is malformed")
                 : from_raw(ctx, r, rl, &ev);
        if (rc == ATTEST_OK)
            ev.format = "hex";
    } else {
        rc = from_raw(ctx, buf, len, &ev);
    }
    if (rc != ATTEST_OK) {
        snp_evidence_free(&ev);
        return rc;
    }
    *out = ev;
    return ATTEST_OK;
}

static uint64_t get_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i > 0; i--)
        v = v << 8 | p[i - 1];
    return v;
}

static cJSON *bytes_array(const uint8_t *p, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a != NULL && i < n; i++) {
        cJSON *v = cJSON_CreateNumber(p[i]);
        if (v == NULL || !cJSON_AddItemToArray(a, v)) {
            cJSON_Delete(v);
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

static bool put(cJSON *o, const char *name, cJSON *v)
{
    if (v != NULL && cJSON_AddItemToObject(o, name, v))
        return true;
    cJSON_Delete(v);
    return false;
}

/* TcbVersion as virtee/sev serialises it (Milan/Genoa byte order). */
static cJSON *tcb_object(const uint8_t *p)
{
    cJSON *t = cJSON_CreateObject();
    bool ok = t != NULL && put(t, "bootloader", cJSON_CreateNumber(p[0])) &&
              put(t, "tee", cJSON_CreateNumber(p[1])) && put(t, "_reserved", bytes_array(p + 2, 4)) &&
              put(t, "snp", cJSON_CreateNumber(p[6])) &&
              put(t, "microcode", cJSON_CreateNumber(p[7]));
    if (!ok) {
        cJSON_Delete(t);
        return NULL;
    }
    return t;
}

static bool add_chain_entry(cJSON *chain, const char *type, const uint8_t *der, size_t len)
{
    if (der == NULL)
        return true;
    cJSON *e = cJSON_CreateObject();
    if (e == NULL || !put(e, "cert_type", cJSON_CreateString(type)) ||
        !put(e, "data", bytes_array(der, len)) || !cJSON_AddItemToArray(chain, e)) {
        cJSON_Delete(e);
        return false;
    }
    return true;
}

static const char *kind_name(enum snp_cert_kind k)
{
    switch (k) {
    case SNP_CERT_VCEK: return "VCEK";
    case SNP_CERT_VLEK: return "VLEK";
    case SNP_CERT_ASK: return "ASK";
    case SNP_CERT_ARK: return "ARK";
    default: return NULL;
    }
}

char *snp_evidence_to_trustee_json_table(const uint8_t *r, const struct snp_cert_table *certs)
{
    cJSON *root = cJSON_CreateObject(), *rep = cJSON_CreateObject(), *sig = NULL;
    cJSON *chain = cJSON_CreateArray();
    char *text = NULL;
    bool ok = root != NULL && rep != NULL && chain != NULL;

    for (size_t i = 0; ok && i < sizeof(fields) / sizeof(fields[0]); i++) {
        const uint8_t *p = r + fields[i].off;
        if (strcmp(fields[i].name, "key_info") == 0) /* older name _author_key_en wins */
            continue;
        switch (fields[i].kind) {
        case BYTES: ok = put(rep, fields[i].name, bytes_array(p, fields[i].size)); break;
        case TCB: ok = put(rep, fields[i].name, tcb_object(p)); break;
        default: {
            /* the exact integer, as serde writes it: a double would round above 2^53 */
            char num[24];
            snprintf(num, sizeof(num), "%llu",
                     (unsigned long long)get_le(p, fields[i].size));
            ok = put(rep, fields[i].name, cJSON_CreateRaw(num));
        }
        }
    }
    if (ok && (sig = cJSON_CreateObject()) != NULL) {
        ok = put(sig, "r", bytes_array(r + 0x2a0, 72)) && put(sig, "s", bytes_array(r + 0x2e8, 72)) &&
             put(sig, "_reserved", bytes_array(r + 0x330, 0x170));
        ok = put(rep, "signature", sig) && ok;
    } else {
        ok = false;
    }
    for (size_t i = 0; ok && certs != NULL && i < certs->count; i++) {
        const char *name = kind_name(certs->entries[i].kind);
        if (name != NULL)
            ok = add_chain_entry(chain, name, certs->entries[i].data, certs->entries[i].len);
    }
    if (ok && put(root, "attestation_report", rep)) {
        rep = NULL;
        if (put(root, "cert_chain", chain)) {
            chain = NULL;
            text = cJSON_PrintUnformatted(root);
        }
    }
    cJSON_Delete(rep);
    cJSON_Delete(chain);
    cJSON_Delete(root);
    return text;
}

char *snp_evidence_to_trustee_json(const uint8_t *r, const uint8_t *vcek, size_t vcek_len,
                                   const uint8_t *ask, size_t ask_len, const uint8_t *ark,
                                   size_t ark_len)
{
    struct snp_cert_table t = {.count = 0};
    const struct { enum snp_cert_kind kind; const uint8_t *p; size_t n; } in[] = {
        {SNP_CERT_VCEK, vcek, vcek_len}, {SNP_CERT_ASK, ask, ask_len}, {SNP_CERT_ARK, ark, ark_len}};
    for (size_t i = 0; i < 3; i++)
        if (in[i].p != NULL) {
            t.entries[t.count].kind = in[i].kind;
            t.entries[t.count].data = in[i].p;
            t.entries[t.count].len = in[i].n;
            t.count++;
        }
    return snp_evidence_to_trustee_json_table(r, &t);
}
