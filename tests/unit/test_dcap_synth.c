/*
 * Intel DCAP (tdx and sgx drivers) through the public API with synthetic evidence: quotes
 * v3/v4/v5, PCK chains, CRLs and collateral forged by tests/unit/dcap_forge.c under keys
 * this test generates and a test root pinned through a trust directory's "pins" file.
 * Covers every TCB status and its convergence with the TDX module and QE identities, the
 * TD 1.5 relaunch advice, each broken signature/chain/CRL/collateral, binding, and the
 * quote parser's bounds (every truncation, oversized length fields).
 *
 * Layouts: ../shared/specs/evidence/tdx-sgx.md. The clock is always pinned
 * (DFORGE_T_INSIDE, inside the certificates' fixed 2024-2049 validity and the collateral's
 * 2029-12-15 .. 2030-01-15 window).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <attest/attest.h>

#include "check_main.h"
#include "dcap_forge.h"
#include "forge_util.h"

/* ---- fixture ---- */

static void forge_setup(void)
{
    if (!dforge_init()) {
        fprintf(stderr, "dcap_forge: cannot generate the test keys\n");
        abort();
    }
}

enum kind { K_SGX3, K_TDX4, K_TDX5, K_TD15, K_SGX5, K_COUNT };
static const char *const kind_names[K_COUNT] = {"sgx v3", "tdx v4", "tdx v5 td10",
                                                "tdx v5 td15", "sgx v5"};

enum via { VIA_BUNDLE, VIA_PCS_DIR, VIA_CALLBACK };

struct want {
    bool set;
    attest_data_kind kind;
    const uint8_t *p;
    size_t len;
};

/* One verification: the quote's inputs, the chain it carries, the collateral, the ctx. */
struct scen {
    enum kind kind;
    const char *tee;           /* the request's tee; NULL: detect */
    bool trustee_json;         /* evidence {"quote": "<base64>"} */
    struct dforge_quote q;
    X509 *leaf, *ca, *root;    /* the PCK chain in the quote (borrowed) */
    EVP_PKEY *ca_key;          /* signs the PCK CRL */
    struct dforge_tcb_info ti;
    struct dforge_qe_identity qi;
    X509 *tcb_cert;            /* the TCB signing certificate in the issuer chains */
    EVP_PKEY *tcb_key;
    X509 *trust_root;          /* pinned in the trust directory */
    EVP_PKEY *root_key;        /* signs the root CA CRL */
    bool no_root_crl, no_pck_crl;
    X509 *root_revokes, *pck_revokes;
    const char *pck_crl_next;  /* NULL: DFORGE_CRL_NEXT */
    EVP_PKEY *pck_crl_key;     /* NULL: ca_key */
    const char *tcb_from, *tcb_to; /* replaced in the TCB info text after signing */
    enum via via;
    int64_t at;
    struct want runtime, init;
    /* called after the first verification, on the same ctx and request */
    void (*again)(struct scen *s, attest_ctx *ctx, attest_request *req, const uint8_t *ev,
                  size_t ev_len);
    /* out */
    char *chain_pem;
    char cb_key[128];
    int cb_calls;
    attest_status rc;
    char msg[1024];
    attest_result *res;
};

static void scen_init(struct scen *s, enum kind k)
{
    const struct dforge_pki *p = dforge_pki();
    static const unsigned ver[K_COUNT] = {3, 4, 5, 5, 5}, body[K_COUNT] = {1, 2, 2, 3, 1};
    memset(s, 0, sizeof(*s));
    s->kind = k;
    bool tdx = k == K_TDX4 || k == K_TDX5 || k == K_TD15;
    s->tee = tdx ? "tdx" : "sgx";
    dforge_quote_init(&s->q, ver[k], body[k]);
    s->q.pck_key = p->leaf_key;
    s->leaf = p->leaf;
    s->ca = p->platform_ca;
    s->ca_key = p->platform_key;
    s->root = p->root;
    dforge_tcb_info_init(&s->ti, tdx, "UpToDate");
    dforge_qe_identity_init(&s->qi, tdx);
    s->tcb_cert = p->tcb_signing;
    s->tcb_key = p->tcb_key;
    s->trust_root = p->root;
    s->root_key = p->root_key;
    s->at = DFORGE_T_INSIDE;
}

static void scen_free(struct scen *s)
{
    attest_result_free(s->res);
    s->res = NULL;
    free(s->chain_pem);
    s->chain_pem = NULL;
}

/* The quote bytes (malloc'd), carrying the chain leaf, ca, root. */
static uint8_t *scen_quote(struct scen *s, size_t *len)
{
    X509 *chain[3] = {s->leaf, s->ca, s->root};
    free(s->chain_pem);
    ck_assert_ptr_nonnull(s->chain_pem = fu_pem(chain, 3));
    s->q.pck_chain = s->chain_pem;
    uint8_t *quote = dforge_quote_build(&s->q, len);
    ck_assert_ptr_nonnull(quote);
    return quote;
}

struct cb_state {
    struct scen *s;
    const char *bundle;
};

static attest_status collateral_cb(const char *tee, const char *kind, const char *key,
                                   attest_collateral_reply *reply, void *payload)
{
    struct cb_state *st = payload;
    st->s->cb_calls++;
    snprintf(st->s->cb_key, sizeof(st->s->cb_key), "%s|%s|%s", tee, kind, key);
    if (strcmp(kind, "collateral") != 0)
        return ATTEST_E_NOT_FOUND;
    return attest_collateral_reply_set(reply, (const uint8_t *)st->bundle, strlen(st->bundle));
}

static char *replace_once(char *text, const char *from, const char *to)
{
    char *at = strstr(text, from);
    ck_assert_msg(at != NULL, "\"%s\" not in the collateral text", from);
    size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    ck_assert_ptr_nonnull(out);
    snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    free(text);
    return out;
}

/* Build the collateral for s, verify evidence (the quote, raw or wrapped) on a fresh ctx. */
static void scen_verify_bytes(struct scen *s, const uint8_t *quote, size_t qlen)
{
    const struct dforge_pki *p = dforge_pki();
    X509 *issuer_chain[2] = {s->tcb_cert, p->root}, *pck_issuer[2] = {s->ca, p->root};
    char *ti = dforge_tcb_info_json(&s->ti), *qi = dforge_qe_identity_json(&s->qi);
    char *chain = fu_pem(issuer_chain, 2), *pck_chain = fu_pem(pck_issuer, 2);
    struct dforge_bundle b;
    memset(&b, 0, sizeof(b));
    ck_assert(ti != NULL && qi != NULL && chain != NULL && pck_chain != NULL);
    ck_assert(dforge_sign_raw(s->tcb_key, ti, strlen(ti), b.tcb_sig));
    ck_assert(dforge_sign_raw(s->tcb_key, qi, strlen(qi), b.qe_sig));
    if (s->tcb_from != NULL)
        ti = replace_once(ti, s->tcb_from, s->tcb_to);
    X509_CRL *root_crl = NULL, *pck_crl = NULL;
    if (!s->no_root_crl)
        ck_assert_ptr_nonnull(root_crl = dforge_crl(X509_get_subject_name(s->root),
                                                    s->root_key, DFORGE_CRL_THIS,
                                                    DFORGE_CRL_NEXT, &s->root_revokes,
                                                    s->root_revokes != NULL));
    if (!s->no_pck_crl)
        ck_assert_ptr_nonnull(
            pck_crl = dforge_crl(X509_get_subject_name(s->ca),
                                 s->pck_crl_key != NULL ? s->pck_crl_key : s->ca_key,
                                 DFORGE_CRL_THIS,
                                 s->pck_crl_next != NULL ? s->pck_crl_next : DFORGE_CRL_NEXT,
                                 &s->pck_revokes, s->pck_revokes != NULL));
    b.tcb_info = ti;
    b.qe_identity = qi;
    b.tcb_chain = b.qe_chain = chain;
    b.pck_crl_chain = pck_chain;
    b.root_crl = root_crl;
    b.pck_crl = pck_crl;
    char *bundle = dforge_bundle_json(&b);
    ck_assert_ptr_nonnull(bundle);

    char *coll = fu_tmpdir(), *trust = dforge_trust_dir(s->trust_root), *coll_path = NULL;
    ck_assert(coll != NULL && trust != NULL);
    if (s->via == VIA_BUNDLE) {
        ck_assert(fu_write(coll, "bundle.json", bundle, strlen(bundle)));
        ck_assert_ptr_nonnull(coll_path = fu_path(coll, "bundle.json"));
    } else if (s->via == VIA_PCS_DIR) {
        char *tr = dforge_pcs_response("tcbInfo", ti, b.tcb_sig);
        char *qr = dforge_pcs_response("enclaveIdentity", qi, b.qe_sig);
        ck_assert(tr != NULL && qr != NULL);
        ck_assert(fu_write(coll, "tcb_info.json", tr, strlen(tr)));
        ck_assert(fu_write(coll, "qe_identity.json", qr, strlen(qr)));
        ck_assert(fu_write(coll, "issuer_chain.pem", chain, strlen(chain)));
        if (root_crl != NULL) { /* DER, as the root CA's distribution point serves it */
            size_t n = 0;
            uint8_t *der = fu_crl_der(root_crl, &n);
            ck_assert(der != NULL && fu_write(coll, "root.crl", der, n));
            free(der);
        }
        if (pck_crl != NULL) { /* PEM, as PCCS serves it */
            char *pem = fu_crl_pem(pck_crl);
            ck_assert(pem != NULL && fu_write(coll, "pck.crl", pem, strlen(pem)));
            free(pem);
        }
        free(tr);
        free(qr);
        ck_assert_ptr_nonnull(coll_path = strdup(coll));
    }

    /* the evidence */
    const uint8_t *ev = quote;
    size_t ev_len = qlen;
    char *json = NULL;
    if (s->trustee_json) {
        char *b64 = fu_b64(quote, qlen, false);
        ck_assert_ptr_nonnull(b64);
        size_t n = strlen(b64) + 64;
        ck_assert_ptr_nonnull(json = malloc(n));
        snprintf(json, n, "{\"quote\": \"%s\", \"cc_eventlog\": null}", b64);
        free(b64);
        ev = (const uint8_t *)json;
        ev_len = strlen(json);
    }

    attest_ctx *ctx = NULL;
    attest_request *req = NULL;
    struct cb_state cbs = {s, bundle};
    ck_assert_int_eq(attest_ctx_new(&ctx), ATTEST_OK);
    ck_assert_int_eq(attest_ctx_set_time(ctx, s->at), ATTEST_OK);
    ck_assert_int_eq(attest_ctx_add_trust_dir(ctx, trust), ATTEST_OK);
    if (coll_path != NULL)
        ck_assert_int_eq(attest_ctx_add_collateral(ctx, coll_path), ATTEST_OK);
    if (s->via == VIA_CALLBACK)
        ck_assert_int_eq(attest_ctx_set_collateral_fn(ctx, collateral_cb, &cbs), ATTEST_OK);
    ck_assert_int_eq(attest_request_new(&req, s->tee, ev, ev_len), ATTEST_OK);
    if (s->runtime.set)
        ck_assert_int_eq(attest_request_set_runtime_data(req, s->runtime.kind, s->runtime.p,
                                                         s->runtime.len, ATTEST_HASH_SHA384),
                         ATTEST_OK);
    if (s->init.set)
        ck_assert_int_eq(attest_request_set_init_data(req, s->init.kind, s->init.p,
                                                      s->init.len, ATTEST_HASH_SHA384),
                         ATTEST_OK);
    attest_result_free(s->res);
    s->res = NULL;
    s->rc = attest_verify(ctx, req, &s->res);
    snprintf(s->msg, sizeof(s->msg), "%s", attest_ctx_last_error(ctx));
    ck_assert_msg((s->rc == ATTEST_OK) == (s->res != NULL), "result iff ATTEST_OK (rc %d)",
                  s->rc);
    if (s->again != NULL)
        s->again(s, ctx, req, ev, ev_len);
    attest_request_free(req);
    attest_ctx_free(ctx);
    free(json);
    free(coll_path);
    free(coll);
    free(trust);
    free(bundle);
    X509_CRL_free(root_crl);
    X509_CRL_free(pck_crl);
    free(ti);
    free(qi);
    free(chain);
    free(pck_chain);
}

static void scen_run(struct scen *s)
{
    size_t len = 0;
    uint8_t *quote = scen_quote(s, &len);
    scen_verify_bytes(s, quote, len);
    free(quote);
}

static void expect_ok(struct scen *s, const char *what)
{
    scen_run(s);
    ck_assert_msg(s->rc == ATTEST_OK, "%s (%s): got %d (%s), want ATTEST_OK", what,
                  kind_names[s->kind], s->rc, s->msg);
}

static void expect_fail(struct scen *s, attest_status want, const char *part, const char *what)
{
    scen_run(s);
    ck_assert_msg(s->rc == want, "%s (%s): got %d (%s), want %d", what, kind_names[s->kind],
                  s->rc, s->msg, want);
    if (part != NULL)
        ck_assert_msg(strstr(s->msg, part) != NULL, "%s: message \"%s\" lacks \"%s\"", what,
                      s->msg, part);
}

static bool is_tdx(enum kind k)
{
    return k == K_TDX4 || k == K_TDX5 || k == K_TD15;
}

static const char *claim_str(const attest_result *r, const char *name)
{
    const char *v = NULL;
    ck_assert_msg(attest_result_claim_string(r, name, &v) == ATTEST_OK, "claim %s", name);
    return v;
}

static int64_t claim_int(const attest_result *r, const char *name)
{
    int64_t v = -1;
    ck_assert_msg(attest_result_claim_int(r, name, &v) == ATTEST_OK, "claim %s", name);
    return v;
}

static int claim_bool(const attest_result *r, const char *name)
{
    int v = -1;
    ck_assert_msg(attest_result_claim_bool(r, name, &v) == ATTEST_OK, "claim %s", name);
    return v;
}

static void hex_eq(const attest_result *r, const char *name, const uint8_t *p, size_t n)
{
    char *hex = fu_hex(p, n);
    ck_assert_ptr_nonnull(hex);
    ck_assert_str_eq(claim_str(r, name), hex);
    free(hex);
}

/* ---- happy paths ---- */

START_TEST(test_dcap_synth_happy)
{
    struct scen s;
    enum kind k = (enum kind)_i;
    scen_init(&s, k);
    if (k == K_TDX4)
        s.tee = NULL; /* raw quote, detected */
    expect_ok(&s, "happy");
    const attest_result *r = s.res;
    ck_assert_str_eq(attest_result_tee(r), s.tee != NULL ? s.tee : "tdx");
    ck_assert_str_eq(attest_result_tcb_status(r), "UpToDate");
    ck_assert_int_eq(attest_result_verdict(r), ATTEST_VERDICT_AFFIRMING);
    ck_assert_int_eq(attest_result_hardware_backed(r), 1);
    if (is_tdx(k)) {
        ck_assert_int_eq(claim_int(r, "tdx.quote.header.version"), s.q.version);
        ck_assert_int_eq(claim_int(r, "tdx.quote.header.tee_type"), 0x81);
        ck_assert_int_eq(claim_int(r, "tdx.quote.type"), s.q.body_type);
        hex_eq(r, "tdx.quote.body.mr_td", s.q.body + DFORGE_TD_MRTD, 48);
        hex_eq(r, "tdx.quote.body.rtmr_0", s.q.body + DFORGE_TD_RTMR0, 48);
        hex_eq(r, "tdx.quote.body.report_data", s.q.body + DFORGE_TD_REPORTDATA, 64);
        hex_eq(r, "tdx.quote.body.tcb_svn", dforge_tee_tcb_svn, 16);
        hex_eq(r, "tdx.quote.header.vendor_id", dforge_intel_qe_vendor, 16);
        ck_assert_int_eq(claim_bool(r, "tdx.td_attributes.debug"), 0);
        ck_assert_int_eq(claim_bool(r, "tdx.td_attributes.septve_disable"), 1);
        const char *v;
        attest_status has2 = attest_result_claim_string(r, "tdx.quote.body.tee_tcb_svn2", &v);
        ck_assert_int_eq(has2, k == K_TD15 ? ATTEST_OK : ATTEST_E_NOT_FOUND);
        ck_assert_str_eq(claim_str(r, "tdx.tcb_status"), "UpToDate");
        ck_assert_str_eq(claim_str(r, "tdx.pck.fmspc"), "00906ed50000");
        ck_assert_str_eq(claim_str(r, "tdx.pck.pce_id"), "0000");
        ck_assert_str_eq(claim_str(r, "tdx.pck.ca"), "platform");
        ck_assert_int_eq(claim_int(r, "tdx.pck.pce_svn"), DFORGE_PCESVN);
        ck_assert_int_eq(claim_int(r, "tdx.tcb_evaluation_data_number"), 17);
        /* components read from the DER INTEGERs: 0x80 and 0xff need a leading zero */
        hex_eq(r, "tdx.pck.tcb_components", dforge_comp, 16);
        hex_eq(r, "tdx.pck.cpu_svn", dforge_cpusvn, 16);
    } else {
        ck_assert_int_eq(claim_int(r, "sgx.header.version"), s.q.version);
        ck_assert_int_eq(claim_int(r, "sgx.header.tee_type"), 0);
        hex_eq(r, "sgx.body.mr_enclave", s.q.body + DFORGE_ER_MRENCLAVE, 32);
        hex_eq(r, "sgx.body.mr_signer", s.q.body + DFORGE_ER_MRSIGNER, 32);
        hex_eq(r, "sgx.body.report_data", s.q.body + DFORGE_ER_REPORTDATA, 64);
        ck_assert_int_eq(claim_int(r, "sgx.body.isv_prod_id"), 7);
        ck_assert_int_eq(claim_int(r, "sgx.body.isv_svn"), 3);
        ck_assert_int_eq(claim_bool(r, "sgx.body.attributes_flags.debug"), 0);
        ck_assert_int_eq(claim_bool(r, "sgx.body.attributes_flags.mode64bit"), 1);
        ck_assert_str_eq(claim_str(r, "sgx.tcb_status"), "UpToDate");
        ck_assert_str_eq(claim_str(r, "sgx.pck.fmspc"), "00906ed50000");
        ck_assert_int_eq(claim_int(r, "sgx.pck.sgx_type"), 0);
        hex_eq(r, "sgx.pck.tcb_components", dforge_comp, 16);
    }
    scen_free(&s);
}
END_TEST

/* Trustee's TdxEvidence / SgxEvidence JSON, detected without naming the TEE. */
START_TEST(test_dcap_synth_trustee_json)
{
    struct scen s;
    scen_init(&s, (enum kind)_i);
    s.trustee_json = true;
    const char *want = s.tee;
    s.tee = NULL;
    expect_ok(&s, "trustee json");
    ck_assert_str_eq(attest_result_tee(s.res), want);
    scen_free(&s);
}
END_TEST

/* Collateral as PCS responses in a directory (certificates and CRLs as files beside them),
 * and through the collateral callback with its key. */
START_TEST(test_dcap_synth_collateral_sources)
{
    struct scen s;
    scen_init(&s, K_TDX4);
    s.via = VIA_PCS_DIR;
    expect_ok(&s, "pcs dir");
    scen_free(&s);

    scen_init(&s, K_TDX4);
    s.via = VIA_CALLBACK;
    expect_ok(&s, "callback");
    ck_assert_str_eq(s.cb_key, "tdx|collateral|tdx/00906ed50000/platform");
    scen_free(&s);

    scen_init(&s, K_SGX3);
    s.via = VIA_CALLBACK;
    s.leaf = dforge_pki()->processor_leaf;
    s.ca = dforge_pki()->processor_ca;
    s.ca_key = dforge_pki()->processor_key;
    expect_ok(&s, "callback processor");
    ck_assert_str_eq(s.cb_key, "sgx|collateral|sgx/00906ed50000/processor");
    ck_assert_str_eq(claim_str(s.res, "sgx.pck.ca"), "processor");
    scen_free(&s);
}
END_TEST

/* ---- TCB statuses ---- */

static const struct status_case {
    const char *status;
    attest_status rc;
    attest_verdict verdict;
} statuses[] = {
    {"UpToDate", ATTEST_OK, ATTEST_VERDICT_AFFIRMING},
    {"SWHardeningNeeded", ATTEST_OK, ATTEST_VERDICT_WARNING},
    {"ConfigurationNeeded", ATTEST_OK, ATTEST_VERDICT_WARNING},
    {"ConfigurationAndSWHardeningNeeded", ATTEST_OK, ATTEST_VERDICT_WARNING},
    {"OutOfDate", ATTEST_OK, ATTEST_VERDICT_WARNING},
    {"OutOfDateConfigurationNeeded", ATTEST_OK, ATTEST_VERDICT_WARNING},
    {"Revoked", ATTEST_E_REVOKED, ATTEST_VERDICT_CONTRAINDICATED},
};
#define N_STATUS (sizeof(statuses) / sizeof(statuses[0]))

START_TEST(test_dcap_synth_tcb_status)
{
    const struct status_case *c = &statuses[_i % N_STATUS];
    static const enum kind kinds[] = {K_SGX3, K_TDX4, K_TD15};
    struct scen s;
    scen_init(&s, kinds[_i / N_STATUS]);
    s.ti.levels[0].status = c->status;
    s.ti.levels[0].advisory = "INTEL-SA-00123";
    scen_run(&s);
    ck_assert_msg(s.rc == c->rc, "%s %s: got %d (%s)", kind_names[s.kind], c->status, s.rc,
                  s.msg);
    if (c->rc == ATTEST_OK) {
        ck_assert_str_eq(attest_result_tcb_status(s.res), c->status);
        ck_assert_int_eq(attest_result_verdict(s.res), c->verdict);
        char *adv = NULL;
        char name[64];
        snprintf(name, sizeof(name), "%s.advisory_ids", s.tee);
        ck_assert_int_eq(attest_result_claim_json(s.res, name, &adv), ATTEST_OK);
        ck_assert_str_eq(adv, "[\"INTEL-SA-00123\"]");
        attest_free(adv);
    } else {
        ck_assert_msg(strstr(s.msg, "Revoked") != NULL, "%s", s.msg);
    }
    scen_free(&s);
}
END_TEST

/* Level matching: the first level (best first) the platform reaches, by SGX components,
 * PCESVN and, for TDX, TEE_TCB_SVN from byte 2 (bytes 0-1 are the module's). */
START_TEST(test_dcap_synth_level_matching)
{
    struct scen s;
    for (int k = 0; k < 2; k++) {
        scen_init(&s, k == 0 ? K_SGX3 : K_TDX4);
        s.ti.n_levels = 3;
        s.ti.levels[1] = s.ti.levels[2] = s.ti.levels[0];
        s.ti.levels[0].sgx[4] = 255; /* equal: reached */
        s.ti.levels[0].pcesvn = DFORGE_PCESVN + 1; /* not reached */
        s.ti.levels[1].status = "SWHardeningNeeded";
        s.ti.levels[2].status = "OutOfDate";
        s.ti.levels[2].pcesvn = 0;
        expect_ok(&s, "pcesvn");
        ck_assert_str_eq(attest_result_tcb_status(s.res), "SWHardeningNeeded");
        scen_free(&s);
    }
    scen_init(&s, K_TDX4);
    s.ti.n_levels = 2;
    s.ti.levels[1] = s.ti.levels[0];
    s.ti.levels[0].tdx[2] = 3; /* above tee_tcb_svn[2] = 2 */
    s.ti.levels[0].tdx[0] = 0xff; /* byte 0 is the module's: ignored */
    s.ti.levels[1].tdx[0] = 0xff;
    s.ti.levels[1].status = "OutOfDate";
    expect_ok(&s, "tdx components");
    ck_assert_str_eq(attest_result_tcb_status(s.res), "OutOfDate");
    scen_free(&s);
}
END_TEST

START_TEST(test_dcap_synth_tcb_not_supported)
{
    struct scen s;
    scen_init(&s, K_SGX3);
    s.ti.levels[0].sgx[2] = 0x81;
    expect_fail(&s, ATTEST_E_TCB, "TCB not supported", "sgx below every level");
    scen_free(&s);
    scen_init(&s, K_TDX4);
    s.ti.levels[0].pcesvn = DFORGE_PCESVN + 1;
    expect_fail(&s, ATTEST_E_TCB, "TCB not supported", "pcesvn below every level");
    scen_free(&s);
    scen_init(&s, K_TDX5);
    s.ti.levels[0].tdx[3] = 1;
    expect_fail(&s, ATTEST_E_TCB, "TCB not supported", "tdx below every level");
    scen_free(&s);
    scen_init(&s, K_TDX4);
    s.q.body[DFORGE_TD_TEE_TCB_SVN] = 1; /* below module TDX_01's lowest isvsvn (2) */
    expect_fail(&s, ATTEST_E_TCB, "TCB not supported", "module below every level");
    scen_free(&s);
}
END_TEST

/* ---- convergence ---- */

static const struct conv_case {
    enum kind kind;
    const char *level;        /* the platform level's status */
    uint8_t module_svn;       /* TEE_TCB_SVN[0] (TDX) */
    uint16_t qe_svn;          /* QE report ISVSVN */
    const char *want;         /* NULL: ATTEST_E_REVOKED */
} conv[] = {
    /* TDX module identity TDX_01: isvsvn 5 UpToDate, 2 OutOfDate */
    {K_TDX4, "UpToDate", 3, DFORGE_QE_SVN, "OutOfDate"},
    {K_TDX4, "SWHardeningNeeded", 3, DFORGE_QE_SVN, "OutOfDate"},
    {K_TDX5, "ConfigurationNeeded", 3, DFORGE_QE_SVN, "OutOfDateConfigurationNeeded"},
    {K_TDX4, "ConfigurationAndSWHardeningNeeded", 3, DFORGE_QE_SVN,
     "OutOfDateConfigurationNeeded"},
    {K_TDX4, "ConfigurationNeeded", 5, DFORGE_QE_SVN, "ConfigurationNeeded"},
    /* QE identity: isvsvn 8 UpToDate, 6 OutOfDate, 0 Revoked */
    {K_SGX3, "UpToDate", 0, 7, "OutOfDate"},
    {K_SGX3, "SWHardeningNeeded", 0, 6, "OutOfDate"},
    {K_SGX3, "ConfigurationNeeded", 0, 6, "OutOfDateConfigurationNeeded"},
    {K_TDX4, "ConfigurationAndSWHardeningNeeded", 5, 6, "OutOfDateConfigurationNeeded"},
    {K_TDX4, "OutOfDate", 5, 6, "OutOfDate"},
    {K_SGX3, "UpToDate", 0, 9, "UpToDate"},
    {K_SGX3, "UpToDate", 0, 5, NULL},
    {K_TDX4, "UpToDate", 5, 0, NULL},
};

START_TEST(test_dcap_synth_convergence)
{
    const struct conv_case *c = &conv[_i];
    struct scen s;
    scen_init(&s, c->kind);
    s.ti.levels[0].status = c->level;
    if (is_tdx(c->kind))
        s.q.body[DFORGE_TD_TEE_TCB_SVN] = c->module_svn;
    s.q.qe_report[DFORGE_ER_ISVSVN] = (uint8_t)c->qe_svn;
    s.q.qe_report[DFORGE_ER_ISVSVN + 1] = (uint8_t)(c->qe_svn >> 8);
    scen_run(&s);
    if (c->want == NULL) {
        ck_assert_msg(s.rc == ATTEST_E_REVOKED, "case %d: got %d (%s)", _i, s.rc, s.msg);
        ck_assert_msg(strstr(s.msg, "QE Revoked") != NULL, "%s", s.msg);
    } else {
        ck_assert_msg(s.rc == ATTEST_OK, "case %d: got %d (%s)", _i, s.rc, s.msg);
        ck_assert_str_eq(attest_result_tcb_status(s.res), c->want);
        ck_assert_int_eq(attest_result_verdict(s.res), strcmp(c->want, "UpToDate") == 0
                                                           ? ATTEST_VERDICT_AFFIRMING
                                                           : ATTEST_VERDICT_WARNING);
    }
    scen_free(&s);
}
END_TEST

/* The module and QE levels' advisories join the platform level's. */
START_TEST(test_dcap_synth_advisories_merged)
{
    struct scen s;
    scen_init(&s, K_TDX4);
    s.ti.levels[0].advisory = "INTEL-SA-00001";
    s.q.body[DFORGE_TD_TEE_TCB_SVN] = 3;
    s.q.qe_report[DFORGE_ER_ISVSVN] = 6;
    expect_ok(&s, "advisories");
    char *adv = NULL;
    ck_assert_int_eq(attest_result_claim_json(s.res, "tdx.advisory_ids", &adv), ATTEST_OK);
    ck_assert_str_eq(adv, "[\"INTEL-SA-00001\",\"INTEL-SA-00999\",\"INTEL-SA-00615\"]");
    attest_free(adv);
    scen_free(&s);
}
END_TEST

START_TEST(test_dcap_synth_module_identity)
{
    struct scen s;
    /* TEE_TCB_SVN[1] = 3: no TDX_03 identity */
    scen_init(&s, K_TDX4);
    s.q.body[DFORGE_TD_TEE_TCB_SVN + 1] = 3;
    expect_fail(&s, ATTEST_E_TCB, "TDX_03", "missing module identity");
    scen_free(&s);
    /* lowercase id matches (compared case-insensitively) */
    scen_init(&s, K_TDX4);
    snprintf(s.ti.modules[0].id, sizeof(s.ti.modules[0].id), "tdx_01");
    expect_ok(&s, "lowercase module id");
    scen_free(&s);
    /* module level Revoked */
    scen_init(&s, K_TDX5);
    s.ti.modules[0].n_levels = 3;
    s.ti.modules[0].levels[2] = (struct dforge_isv_level){0, "Revoked", NULL};
    s.q.body[DFORGE_TD_TEE_TCB_SVN] = 1;
    expect_fail(&s, ATTEST_E_REVOKED, "Revoked", "module revoked");
    scen_free(&s);
    /* MRSIGNERSEAM is judged against the identity's mrsigner */
    scen_init(&s, K_TDX4);
    s.q.body[DFORGE_TD_MRSIGNERSEAM] = 1;
    expect_fail(&s, ATTEST_E_TCB, "mr_signer_seam", "mrsignerseam");
    scen_free(&s);
    scen_init(&s, K_TDX4);
    s.ti.modules[0].mrsigner[47] = 1;
    s.q.body[DFORGE_TD_MRSIGNERSEAM + 47] = 1;
    expect_ok(&s, "identity mrsigner");
    scen_free(&s);
    /* SEAM_ATTRIBUTES under the mask */
    scen_init(&s, K_TDX4);
    s.q.body[DFORGE_TD_SEAM_ATTRIBUTES] = 1;
    expect_fail(&s, ATTEST_E_TCB, "seam_attributes", "seam attributes");
    scen_free(&s);
    /* TEE_TCB_SVN[1] = 0: tdxModule alone, and every TDX component counts from byte 0 */
    scen_init(&s, K_TDX4);
    s.q.body[DFORGE_TD_TEE_TCB_SVN + 1] = 0;
    s.ti.levels[0].tdx[1] = 0;
    expect_ok(&s, "no module major");
    scen_free(&s);
    scen_init(&s, K_TDX4);
    s.q.body[DFORGE_TD_TEE_TCB_SVN + 1] = 0;
    s.ti.levels[0].tdx[1] = 0;
    s.q.body[DFORGE_TD_TEE_TCB_SVN] = 4; /* below the level's 5 */
    expect_fail(&s, ATTEST_E_TCB, "TCB not supported", "byte 0 counts without a module");
    scen_free(&s);
}
END_TEST

/*
 * TD 1.5 relaunch (tcb.c relaunch_advised): a TD whose module at launch (TEE_TCB_SVN) is
 * out of date while the loaded one (TEE_TCB_SVN_2) reaches the newest module level and
 * the newest TCB level's byte 2 is advised to relaunch, not OutOfDate.
 */
START_TEST(test_dcap_synth_td15_relaunch)
{
    static const struct {
        enum kind kind;
        const char *level;
        uint8_t svn2_minor, svn2_major, svn2_b2;
        uint16_t qe_svn;
        const char *want;
    } cases[] = {
        {K_TD15, "UpToDate", 5, 1, 2, DFORGE_QE_SVN, "TDRelaunchAdvised"},
        {K_TD15, "SWHardeningNeeded", 6, 1, 3, DFORGE_QE_SVN, "TDRelaunchAdvised"},
        {K_TD15, "ConfigurationNeeded", 5, 1, 2, DFORGE_QE_SVN,
         "TDRelaunchAdvisedConfigurationNeeded"},
        {K_TD15, "UpToDate", 4, 1, 2, DFORGE_QE_SVN, "OutOfDate"}, /* svn2 not current */
        {K_TD15, "UpToDate", 5, 1, 1, DFORGE_QE_SVN, "OutOfDate"}, /* byte 2 below */
        {K_TD15, "UpToDate", 5, 7, 2, DFORGE_QE_SVN, "OutOfDate"}, /* no TDX_07 */
        {K_TD15, "UpToDate", 5, 1, 2, 6, "OutOfDate"},             /* QE out of date */
        {K_TDX5, "UpToDate", 5, 1, 2, DFORGE_QE_SVN, "OutOfDate"}, /* TD 1.0: no relaunch */
        {K_TD15, "UpToDate", 5, 0, 2, DFORGE_QE_SVN, "TDRelaunchAdvised"}, /* minor vs level */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct scen s;
        scen_init(&s, cases[i].kind);
        s.ti.levels[0].status = cases[i].level;
        s.q.body[DFORGE_TD_TEE_TCB_SVN] = 3; /* module TDX_01 level isvsvn 2: OutOfDate */
        s.q.body[DFORGE_TD_TEE_TCB_SVN2] = cases[i].svn2_minor;
        s.q.body[DFORGE_TD_TEE_TCB_SVN2 + 1] = cases[i].svn2_major;
        s.q.body[DFORGE_TD_TEE_TCB_SVN2 + 2] = cases[i].svn2_b2;
        s.q.qe_report[DFORGE_ER_ISVSVN] = (uint8_t)cases[i].qe_svn;
        scen_run(&s);
        ck_assert_msg(s.rc == ATTEST_OK, "case %zu: got %d (%s)", i, s.rc, s.msg);
        ck_assert_msg(strcmp(attest_result_tcb_status(s.res), cases[i].want) == 0,
                      "case %zu: got %s, want %s", i, attest_result_tcb_status(s.res),
                      cases[i].want);
        ck_assert_int_eq(attest_result_verdict(s.res), ATTEST_VERDICT_WARNING);
        scen_free(&s);
    }
}
END_TEST

/* ---- signatures and binding of the QE ---- */

START_TEST(test_dcap_synth_tampered)
{
    enum kind k = (enum kind)_i;
    struct scen s;
    struct dforge_layout l;
    size_t len = 0;

    scen_init(&s, k);
    uint8_t *q = scen_quote(&s, &len);
    dforge_quote_layout(&s.q, &l);
    /* a body byte (report data), then a header byte (user data) */
    size_t spots[] = {l.signed_len - 1, 30, l.signed_len - dforge_body_len(&s.q) + 70};
    for (size_t i = 0; i < sizeof(spots) / sizeof(spots[0]); i++) {
        q[spots[i]] ^= 0x01;
        scen_verify_bytes(&s, q, len);
        ck_assert_msg(s.rc == ATTEST_E_SIGNATURE, "%s at %zu: got %d (%s)", kind_names[k],
                      spots[i], s.rc, s.msg);
        ck_assert_msg(strstr(s.msg, "quote signature does not verify") != NULL, "%s", s.msg);
        q[spots[i]] ^= 0x01;
    }
    /* the quote signature itself */
    q[l.sig_data + 5] ^= 0x80;
    scen_verify_bytes(&s, q, len);
    ck_assert_msg(s.rc == ATTEST_E_SIGNATURE, "sig: got %d (%s)", s.rc, s.msg);
    q[l.sig_data + 5] ^= 0x80;
    /* the QE report (its signature by the PCK key no longer verifies) */
    q[l.qe_report + 100] ^= 0x01;
    scen_verify_bytes(&s, q, len);
    ck_assert_msg(s.rc == ATTEST_E_SIGNATURE, "qe report: got %d (%s)", s.rc, s.msg);
    ck_assert_msg(strstr(s.msg, "QE report signature") != NULL, "%s", s.msg);
    q[l.qe_report + 100] ^= 0x01;
    /* the QE auth data (the binding no longer holds) */
    q[l.qe_auth_size + 2] ^= 0x01;
    scen_verify_bytes(&s, q, len);
    ck_assert_msg(s.rc == ATTEST_E_SIGNATURE, "qe auth: got %d (%s)", s.rc, s.msg);
    ck_assert_msg(strstr(s.msg, "QE report_data") != NULL, "%s", s.msg);
    q[l.qe_auth_size + 2] ^= 0x01;
    /* untouched again */
    scen_verify_bytes(&s, q, len);
    ck_assert_msg(s.rc == ATTEST_OK, "restored: got %d (%s)", s.rc, s.msg);
    free(q);
    scen_free(&s);
}
END_TEST

START_TEST(test_dcap_synth_qe_binding)
{
    struct scen s;
    /* QE report_data left as zeros: it does not bind the attestation key */
    scen_init(&s, (enum kind)_i);
    s.q.keep_qe_report_data = true;
    expect_fail(&s, ATTEST_E_SIGNATURE, "QE report_data", "unbound key");
    scen_free(&s);
    /* bound to another key: the QE report names key A, the quote is signed by key B */
    scen_init(&s, (enum kind)_i);
    EVP_PKEY *a = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    uint8_t xy[64];
    unsigned int n = 0;
    ck_assert(a != NULL && dforge_pub_xy(a, xy));
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    memset(s.q.qe_report + DFORGE_ER_REPORTDATA, 0, 64);
    ck_assert(md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
              EVP_DigestUpdate(md, xy, 64) == 1 &&
              EVP_DigestUpdate(md, s.q.qe_auth, s.q.qe_auth_len) == 1 &&
              EVP_DigestFinal_ex(md, s.q.qe_report + DFORGE_ER_REPORTDATA, &n) == 1);
    EVP_MD_CTX_free(md);
    s.q.keep_qe_report_data = true;
    expect_fail(&s, ATTEST_E_SIGNATURE, "QE report_data", "another key");
    /* and with key A signing the quote, it verifies */
    s.q.attest_key = a;
    expect_ok(&s, "key A");
    EVP_PKEY_free(a);
    scen_free(&s);
    /* empty QE auth data */
    scen_init(&s, (enum kind)_i);
    s.q.qe_auth_len = 0;
    expect_ok(&s, "no qe auth data");
    scen_free(&s);
}
END_TEST

/* The QE report signed by another key than the PCK leaf's. */
START_TEST(test_dcap_synth_qe_report_wrong_signer)
{
    struct scen s;
    scen_init(&s, K_TDX4);
    s.q.pck_key = dforge_pki()->tcb_key;
    expect_fail(&s, ATTEST_E_SIGNATURE, "QE report signature", "qe report by tcb key");
    scen_free(&s);
}
END_TEST

/* ---- PCK certificate ---- */

START_TEST(test_dcap_synth_pck_fields)
{
    const struct dforge_pki *p = dforge_pki();
    struct dforge_pck_spec spec;
    struct scen s;

    /* another FMSPC: no TCB info for it */
    dforge_pck_spec_init(&spec);
    memcpy(spec.fmspc, (const uint8_t[]){0x00, 0xa0, 0x6f, 0x00, 0x00, 0x01}, 6);
    X509 *leaf = dforge_pck_new(&spec, NULL);
    ck_assert_ptr_nonnull(leaf);
    scen_init(&s, K_TDX4);
    s.leaf = leaf;
    expect_fail(&s, ATTEST_E_NOT_FOUND, "00a06f000001", "wrong fmspc");
    ck_assert_msg(strstr(s.msg, "00906ed50000") != NULL, "%s", s.msg);
    scen_free(&s);
    /* the TCB info for it exists only for SGX */
    scen_init(&s, K_SGX3);
    s.leaf = leaf;
    memcpy(s.ti.fmspc, spec.fmspc, 6);
    expect_ok(&s, "sgx with that fmspc");
    ck_assert_str_eq(claim_str(s.res, "sgx.pck.fmspc"), "00a06f000001");
    scen_free(&s);
    X509_free(leaf);

    /* PCEID mismatch */
    dforge_pck_spec_init(&spec);
    spec.pceid[1] = 0x01;
    ck_assert_ptr_nonnull(leaf = dforge_pck_new(&spec, NULL));
    scen_init(&s, K_SGX3);
    s.leaf = leaf;
    expect_fail(&s, ATTEST_E_TCB, "PCEID 0001", "pceid");
    scen_free(&s);
    X509_free(leaf);

    /* SGX type 1 (Scalable) and a high PCESVN (two-byte INTEGER) */
    dforge_pck_spec_init(&spec);
    spec.sgx_type = 1;
    spec.pcesvn = 0x1234;
    ck_assert_ptr_nonnull(leaf = dforge_pck_new(&spec, NULL));
    scen_init(&s, K_SGX3);
    s.leaf = leaf;
    expect_ok(&s, "scalable");
    ck_assert_int_eq(claim_int(s.res, "sgx.pck.sgx_type"), 1);
    ck_assert_int_eq(claim_int(s.res, "sgx.pck.pce_svn"), 0x1234);
    scen_free(&s);
    X509_free(leaf);

    /* SGX Type missing */
    dforge_pck_spec_init(&spec);
    spec.sgx_type = -1;
    ck_assert_ptr_nonnull(leaf = dforge_pck_new(&spec, NULL));
    scen_init(&s, K_TDX4);
    s.leaf = leaf;
    expect_fail(&s, ATTEST_E_CHAIN, "SGX Type", "no sgx type");
    scen_free(&s);
    X509_free(leaf);

    /* a leaf whose CN is not a PCK certificate */
    dforge_pck_spec_init(&spec);
    spec.cn = "Intel SGX Something Else";
    ck_assert_ptr_nonnull(leaf = dforge_pck_new(&spec, NULL));
    scen_init(&s, K_TDX4);
    s.leaf = leaf;
    expect_fail(&s, ATTEST_E_CHAIN, "not an SGX PCK Certificate", "leaf cn");
    scen_free(&s);
    X509_free(leaf);

    /* an expired leaf */
    dforge_pck_spec_init(&spec);
    spec.not_after = "20291201000000Z";
    ck_assert_ptr_nonnull(leaf = dforge_pck_new(&spec, NULL));
    scen_init(&s, K_TDX4);
    s.leaf = leaf;
    expect_fail(&s, ATTEST_E_EXPIRED, "PCK certificate is not valid", "expired leaf");
    scen_free(&s);
    X509_free(leaf);
    (void)p;
}
END_TEST

START_TEST(test_dcap_synth_chain)
{
    const struct dforge_pki *p = dforge_pki();
    struct scen s;

    /* the leaf was issued by the Processor CA, the chain names the Platform CA */
    scen_init(&s, K_TDX4);
    s.leaf = p->processor_leaf;
    expect_fail(&s, ATTEST_E_CHAIN, "not signed by the PCK platform CA", "wrong ca");
    scen_free(&s);

    /* a complete chain to another root (same names, its own key), not pinned */
    EVP_PKEY *rk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY *ck = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ck_assert(rk != NULL && ck != NULL);
    X509 *root2 = dforge_cert("Intel SGX Root CA", 77, rk, NULL, NULL, true, DFORGE_NOT_BEFORE,
                              DFORGE_NOT_AFTER);
    X509 *ca2 = dforge_cert("Intel SGX PCK Platform CA", 78, ck, root2, rk, true,
                            DFORGE_NOT_BEFORE, DFORGE_NOT_AFTER);
    ck_assert(root2 != NULL && ca2 != NULL);
    struct dforge_pck_spec spec;
    dforge_pck_spec_init(&spec);
    spec.issuer = ca2;
    spec.issuer_key = ck;
    X509 *leaf2 = dforge_pck_new(&spec, NULL);
    ck_assert_ptr_nonnull(leaf2);
    scen_init(&s, K_SGX3);
    s.leaf = leaf2;
    s.ca = ca2;
    s.ca_key = ck;
    s.root = root2;
    s.root_key = rk;
    expect_fail(&s, ATTEST_E_CHAIN, "pinned", "unpinned root");
    scen_free(&s);
    /* pinning that root makes the same chain verify (its CRLs, the forge's collateral
     * signer is not under it: the TCB info cannot be checked) */
    scen_init(&s, K_SGX3);
    s.leaf = leaf2;
    s.ca = ca2;
    s.ca_key = ck;
    s.root = root2;
    s.root_key = rk;
    s.trust_root = root2;
    expect_fail(&s, ATTEST_E_CHAIN, "TCB Signing", "collateral signer under the other root");
    scen_free(&s);

    /* the intermediate signed by another root but the chain ends at the pinned one */
    scen_init(&s, K_SGX3);
    s.leaf = leaf2;
    s.ca = ca2;
    s.ca_key = ck;
    expect_fail(&s, ATTEST_E_CHAIN, "not signed by the Intel SGX Root CA", "ca under other root");
    scen_free(&s);

    /* an intermediate with another CN */
    X509 *odd = dforge_cert("Intel SGX PCK Something CA", 79, p->platform_key, p->root,
                            p->root_key, true, DFORGE_NOT_BEFORE, DFORGE_NOT_AFTER);
    ck_assert_ptr_nonnull(odd);
    scen_init(&s, K_TDX4);
    s.ca = odd;
    expect_fail(&s, ATTEST_E_CHAIN, "neither the Intel SGX PCK Platform CA", "odd ca cn");
    scen_free(&s);

    /* two certificates only */
    scen_init(&s, K_TDX4);
    size_t len = 0;
    uint8_t *q;
    X509 *two[2] = {p->leaf, p->platform_ca};
    char *pem = fu_pem(two, 2);
    s.q.pck_key = p->leaf_key;
    s.q.pck_chain = pem;
    ck_assert_ptr_nonnull(q = dforge_quote_build(&s.q, &len));
    scen_verify_bytes(&s, q, len);
    ck_assert_msg(s.rc == ATTEST_E_PARSE && strstr(s.msg, "not 3 PEM") != NULL, "got %d (%s)",
                  s.rc, s.msg);
    free(q);
    free(pem);
    scen_free(&s);

    X509_free(odd);
    X509_free(leaf2);
    X509_free(ca2);
    X509_free(root2);
    EVP_PKEY_free(rk);
    EVP_PKEY_free(ck);
}
END_TEST

/* ---- CRLs ---- */

START_TEST(test_dcap_synth_crl)
{
    const struct dforge_pki *p = dforge_pki();
    struct scen s;

    scen_init(&s, K_TDX4);
    s.pck_revokes = p->leaf;
    expect_fail(&s, ATTEST_E_REVOKED, "PCK certificate is revoked", "leaf revoked");
    scen_free(&s);

    scen_init(&s, K_SGX3);
    s.via = VIA_PCS_DIR;
    s.pck_revokes = p->leaf;
    expect_fail(&s, ATTEST_E_REVOKED, "PCK certificate is revoked", "leaf revoked (pem crl)");
    scen_free(&s);

    /* a CRL revoking another serial */
    scen_init(&s, K_TDX4);
    s.pck_revokes = p->tcb_signing;
    expect_ok(&s, "other serial revoked");
    scen_free(&s);

    scen_init(&s, K_SGX3);
    s.root_revokes = p->platform_ca;
    expect_fail(&s, ATTEST_E_REVOKED, "PCK CA is revoked by the Intel SGX Root CA CRL",
                "pck ca revoked");
    scen_free(&s);

    scen_init(&s, K_TDX5);
    s.via = VIA_PCS_DIR;
    s.root_revokes = p->platform_ca;
    expect_fail(&s, ATTEST_E_REVOKED, "PCK CA is revoked", "pck ca revoked (der crl file)");
    scen_free(&s);

    scen_init(&s, K_TDX4);
    s.root_revokes = p->tcb_signing;
    expect_fail(&s, ATTEST_E_REVOKED, "TCB Signing", "tcb signing revoked");
    scen_free(&s);

    scen_init(&s, K_TDX4);
    s.no_root_crl = true;
    expect_fail(&s, ATTEST_E_NOT_FOUND, "no CRL from the Intel SGX Root CA", "no root crl");
    scen_free(&s);

    scen_init(&s, K_SGX3);
    s.no_pck_crl = true;
    expect_fail(&s, ATTEST_E_NOT_FOUND, "no CRL from the PCK Platform CA", "no pck crl");
    scen_free(&s);

    scen_init(&s, K_TDX4);
    s.pck_crl_next = "20291231000000Z";
    expect_fail(&s, ATTEST_E_EXPIRED, "CRL is current", "stale pck crl");
    scen_free(&s);

    /* the PCK CRL signed by another key under the CA's name */
    scen_init(&s, K_TDX4);
    s.pck_crl_key = p->processor_key;
    expect_fail(&s, ATTEST_E_CHAIN, "not signed by it", "crl bad signature");
    scen_free(&s);
}
END_TEST

/* ---- collateral ---- */

START_TEST(test_dcap_synth_collateral)
{
    const struct dforge_pki *p = dforge_pki();
    struct scen s;

    scen_init(&s, K_TDX4);
    s.ti.next_update = "2029-12-31T00:00:00Z";
    expect_fail(&s, ATTEST_E_EXPIRED, "TDX TCB info", "expired tcb info");
    ck_assert_msg(strstr(s.msg, "is not current") != NULL, "%s", s.msg);
    scen_free(&s);

    scen_init(&s, K_SGX3);
    s.ti.issue_date = "2030-01-02T00:00:00Z"; /* issued after the verification time */
    s.ti.next_update = "2030-02-01T00:00:00Z";
    expect_fail(&s, ATTEST_E_EXPIRED, "SGX TCB info", "future tcb info");
    scen_free(&s);

    scen_init(&s, K_TDX4);
    s.qi.next_update = "2029-12-31T00:00:00Z";
    expect_fail(&s, ATTEST_E_EXPIRED, "TD_QE identity", "expired qe identity");
    scen_free(&s);

    scen_init(&s, K_SGX3);
    s.qi.next_update = "2029-12-31T00:00:00Z";
    expect_fail(&s, ATTEST_E_EXPIRED, "QE identity", "expired sgx qe identity");
    scen_free(&s);

    /* the TCB signing certificate expired before the verification time */
    X509 *old = dforge_cert("Intel SGX TCB Signing", 0x2001, p->tcb_key, p->root, p->root_key,
                            false, DFORGE_NOT_BEFORE, "20291231000000Z");
    ck_assert_ptr_nonnull(old);
    scen_init(&s, K_TDX4);
    s.tcb_cert = old;
    expect_fail(&s, ATTEST_E_EXPIRED, "TCB Signing certificate", "expired tcb signer");
    scen_free(&s);
    X509_free(old);

    /* signed by a key whose certificate is not from the pinned root */
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *self = k != NULL ? dforge_cert("Intel SGX TCB Signing", 0x2002, k, NULL, NULL, false,
                                         DFORGE_NOT_BEFORE, DFORGE_NOT_AFTER)
                           : NULL;
    ck_assert_ptr_nonnull(self);
    scen_init(&s, K_TDX4);
    s.tcb_cert = self;
    s.tcb_key = k;
    expect_fail(&s, ATTEST_E_CHAIN, "TCB Signing", "self-signed tcb signer");
    scen_free(&s);
    /* signed by another key than the certified one */
    scen_init(&s, K_TDX4);
    s.tcb_key = k;
    expect_fail(&s, ATTEST_E_SIGNATURE, "signature does not verify", "wrong signing key");
    scen_free(&s);
    X509_free(self);
    EVP_PKEY_free(k);

    /* the TCB info text changed after signing */
    for (int v = 0; v < 2; v++) {
        scen_init(&s, v == 0 ? K_TDX4 : K_SGX3);
        s.via = v == 0 ? VIA_BUNDLE : VIA_PCS_DIR;
        s.tcb_from = "\"tcbEvaluationDataNumber\":17";
        s.tcb_to = "\"tcbEvaluationDataNumber\":18";
        expect_fail(&s, ATTEST_E_SIGNATURE, "signature does not verify", "tampered tcb info");
        scen_free(&s);
        /* whitespace alone changes the signed bytes too */
        scen_init(&s, v == 0 ? K_TDX4 : K_SGX3);
        s.via = v == 0 ? VIA_BUNDLE : VIA_PCS_DIR;
        s.tcb_from = "\"tcbType\":0,";
        s.tcb_to = "\"tcbType\": 0,";
        expect_fail(&s, ATTEST_E_SIGNATURE, "signature does not verify", "reformatted");
        scen_free(&s);
    }

    /* QE identity mrsigner, isvprodid, attributes */
    scen_init(&s, K_TDX4);
    s.qi.mrsigner[0] ^= 1;
    expect_fail(&s, ATTEST_E_TCB, "mrsigner", "qe mrsigner");
    scen_free(&s);
    scen_init(&s, K_SGX3);
    s.qi.isvprodid = 2;
    expect_fail(&s, ATTEST_E_TCB, "isvprodid", "qe isvprodid");
    scen_free(&s);
    scen_init(&s, K_SGX3);
    s.q.qe_report[DFORGE_ER_ATTRIBUTES] = 0x13; /* DEBUG: the mask keeps bit 1 */
    expect_fail(&s, ATTEST_E_TCB, "attributes", "qe attributes");
    scen_free(&s);
    scen_init(&s, K_SGX3);
    s.q.qe_report[DFORGE_ER_ATTRIBUTES] = 0x15; /* bit 2 is masked out */
    expect_ok(&s, "qe attributes under the mask");
    scen_free(&s);
    scen_init(&s, K_TDX4);
    s.q.qe_report[DFORGE_ER_MISCSELECT] = 1;
    expect_fail(&s, ATTEST_E_TCB, "miscselect", "qe miscselect");
    scen_free(&s);

    /* SGX collateral for a TDX quote (and the other way round) */
    scen_init(&s, K_TDX4);
    dforge_tcb_info_init(&s.ti, false, "UpToDate");
    expect_fail(&s, ATTEST_E_NOT_FOUND, "TDX TCB info", "sgx tcb info for tdx");
    scen_free(&s);
    scen_init(&s, K_SGX3);
    dforge_qe_identity_init(&s.qi, true);
    expect_fail(&s, ATTEST_E_NOT_FOUND, "QE identity", "td_qe for sgx");
    scen_free(&s);
}
END_TEST

/* ---- verdict and binding ---- */

START_TEST(test_dcap_synth_debug)
{
    struct scen s;
    scen_init(&s, K_TDX4);
    s.q.body[DFORGE_TD_TD_ATTRIBUTES] |= 0x01;
    expect_ok(&s, "debug td");
    ck_assert_int_eq(attest_result_verdict(s.res), ATTEST_VERDICT_CONTRAINDICATED);
    ck_assert_int_eq(claim_bool(s.res, "tdx.td_attributes.debug"), 1);
    ck_assert_str_eq(attest_result_tcb_status(s.res), "UpToDate");
    scen_free(&s);
    scen_init(&s, K_SGX3);
    s.q.body[DFORGE_ER_ATTRIBUTES] |= 0x02;
    expect_ok(&s, "debug enclave");
    ck_assert_int_eq(attest_result_verdict(s.res), ATTEST_VERDICT_CONTRAINDICATED);
    ck_assert_int_eq(claim_bool(s.res, "sgx.body.attributes_flags.debug"), 1);
    scen_free(&s);
    /* another TD attribute (PERFMON, bit 63) is not debug */
    scen_init(&s, K_TD15);
    s.q.body[DFORGE_TD_TD_ATTRIBUTES + 7] = 0x80;
    expect_ok(&s, "perfmon");
    ck_assert_int_eq(attest_result_verdict(s.res), ATTEST_VERDICT_AFFIRMING);
    ck_assert_int_eq(claim_bool(s.res, "tdx.td_attributes.perfmon"), 1);
    scen_free(&s);
}
END_TEST

START_TEST(test_dcap_synth_binding)
{
    enum kind k = (enum kind)_i;
    bool tdx = is_tdx(k);
    size_t rd_off = tdx ? DFORGE_TD_REPORTDATA : DFORGE_ER_REPORTDATA;
    size_t init_off = tdx ? DFORGE_TD_MRCONFIGID : DFORGE_ER_CONFIGID;
    size_t init_len = tdx ? 48 : 64;
    uint8_t rd[64], init[64], other[64];
    struct scen s;

    for (int i = 0; i < 64; i++) {
        rd[i] = (uint8_t)(0x31 * i + 7);
        init[i] = (uint8_t)(0xa5 ^ i);
    }
    scen_init(&s, k);
    memcpy(s.q.body + rd_off, rd, 64);
    memcpy(s.q.body + init_off, init, init_len);
    s.runtime = (struct want){true, ATTEST_DATA_RAW, rd, 64};
    s.init = (struct want){true, ATTEST_DATA_RAW, init, init_len};
    expect_ok(&s, "bound");
    char name[64];
    snprintf(name, sizeof(name), "%s", tdx ? "tdx.quote.body.mr_config_id" : "sgx.body.config_id");
    hex_eq(s.res, name, init, init_len);
    scen_free(&s);

    /* runtime data differs in the last byte */
    memcpy(other, rd, 64);
    other[63] ^= 1;
    scen_init(&s, k);
    memcpy(s.q.body + rd_off, rd, 64);
    s.runtime = (struct want){true, ATTEST_DATA_RAW, other, 64};
    expect_fail(&s, ATTEST_E_BINDING, "report_data does not match", "runtime mismatch");
    scen_free(&s);

    /* a shorter expected value is zero-padded: it matches only zero-padded report data */
    scen_init(&s, k);
    memset(s.q.body + rd_off, 0, 64);
    memcpy(s.q.body + rd_off, rd, 32);
    s.runtime = (struct want){true, ATTEST_DATA_RAW, rd, 32};
    expect_ok(&s, "32-byte runtime data");
    scen_free(&s);
    scen_init(&s, k);
    memcpy(s.q.body + rd_off, rd, 64);
    s.runtime = (struct want){true, ATTEST_DATA_RAW, rd, 32};
    expect_fail(&s, ATTEST_E_BINDING, "report_data", "32 bytes vs 64");
    scen_free(&s);

    /* init data */
    memcpy(other, init, 64);
    other[0] ^= 1;
    scen_init(&s, k);
    memcpy(s.q.body + init_off, init, init_len);
    s.init = (struct want){true, ATTEST_DATA_RAW, other, init_len};
    expect_fail(&s, ATTEST_E_BINDING, tdx ? "mr_config_id" : "config_id", "init mismatch");
    scen_free(&s);
    if (tdx) { /* 64 bytes do not fit the 48-byte MRCONFIGID */
        scen_init(&s, k);
        memcpy(s.q.body + init_off, init, init_len);
        s.init = (struct want){true, ATTEST_DATA_RAW, init, 64};
        expect_fail(&s, ATTEST_E_BINDING, "longer than mr_config_id", "init too long");
        scen_free(&s);
    }
    /* SHA-256 of runtime data as the first half of report data (RAW_HASHED) */
    static const char json[] = "{\"nonce\":\"abc\"}";
    uint8_t h[32];
    unsigned int n = 0;
    ck_assert(EVP_Digest(json, strlen(json), h, &n, EVP_sha256(), NULL) == 1);
    scen_init(&s, k);
    memset(s.q.body + rd_off, 0, 64);
    memcpy(s.q.body + rd_off, h, 32);
    s.runtime = (struct want){true, ATTEST_DATA_RAW_HASHED, (const uint8_t *)json, strlen(json)};
    scen_run(&s);
    /* RAW_HASHED uses the request's alg (SHA-384 here): 48 bytes, which do not match */
    ck_assert_msg(s.rc == ATTEST_E_BINDING, "sha384 vs sha256: got %d (%s)", s.rc, s.msg);
    scen_free(&s);
}
END_TEST

/* ---- the parser ---- */

/* Every truncation of each quote kind is ATTEST_E_PARSE (raw bytes, TEE named). */
START_TEST(test_dcap_synth_truncated)
{
    enum kind k = (enum kind)_i;
    struct scen s;
    size_t len = 0;
    attest_ctx *ctx = NULL;

    scen_init(&s, k);
    uint8_t *q = scen_quote(&s, &len);
    ck_assert_int_eq(attest_ctx_new(&ctx), ATTEST_OK);
    ck_assert_int_eq(attest_ctx_set_time(ctx, DFORGE_T_INSIDE), ATTEST_OK);
    for (size_t n = 1; n < len; n++) {
        attest_request *req = NULL;
        attest_result *res = NULL;
        /* a fresh copy of exactly n bytes, so a read past them is a valgrind/ASan error */
        uint8_t *cut = malloc(n);
        ck_assert_ptr_nonnull(cut);
        memcpy(cut, q, n);
        ck_assert_int_eq(attest_request_new(&req, s.tee, cut, n), ATTEST_OK);
        attest_status rc = attest_verify(ctx, req, &res);
        ck_assert_msg(rc == ATTEST_E_PARSE, "%s cut at %zu of %zu: got %d (%s)", kind_names[k],
                      n, len, rc, attest_ctx_last_error(ctx));
        ck_assert_ptr_null(res);
        attest_request_free(req);
        free(cut);
    }
    attest_ctx_free(ctx);
    free(q);
    scen_free(&s);
}
END_TEST

/* Bytes after the signature data are not signed and are ignored. */
START_TEST(test_dcap_synth_trailing)
{
    struct scen s;
    scen_init(&s, (enum kind)_i);
    s.q.trailing = 1000;
    expect_ok(&s, "trailing bytes");
    scen_free(&s);
}
END_TEST

struct patch {
    const char *what;
    int kinds;          /* bit per enum kind */
    int field;          /* which field to patch */
    uint32_t value;
    attest_status rc;
    const char *part;
};

enum { P_VERSION, P_AKT, P_TEE, P_VENDOR, P_SD_LEN, P_OUTER_TYPE, P_OUTER_SIZE, P_QE_AUTH,
       P_CERT_TYPE, P_CERT_SIZE, P_BODY_TYPE, P_BODY_SIZE };

#define ALLK ((1 << K_COUNT) - 1)
#define TDXK ((1 << K_TDX4) | (1 << K_TDX5) | (1 << K_TD15))
#define V45 ((1 << K_TDX4) | (1 << K_TDX5) | (1 << K_TD15) | (1 << K_SGX5))
#define V5 ((1 << K_TDX5) | (1 << K_TD15) | (1 << K_SGX5))

static const struct patch patches[] = {
    {"version 2", ALLK, P_VERSION, 2, ATTEST_E_UNSUPPORTED, "quote version 2"},
    {"version 6", ALLK, P_VERSION, 6, ATTEST_E_UNSUPPORTED, "quote version 6"},
    {"att key type 3", ALLK, P_AKT, 3, ATTEST_E_UNSUPPORTED, "attestation key type 3"},
    {"att key type 0", ALLK, P_AKT, 0, ATTEST_E_UNSUPPORTED, "attestation key type 0"},
    {"tee type 0x82", ALLK, P_TEE, 0x82, ATTEST_E_PARSE, "tee_type 0x00000082"},
    {"tee type swapped (tdx)", TDXK, P_TEE, 0, ATTEST_E_PARSE, "does not fit"},
    {"tee type swapped (sgx)", (1 << K_SGX3) | (1 << K_SGX5), P_TEE, 0x81, ATTEST_E_PARSE,
     "does not fit"},
    {"vendor id", ALLK, P_VENDOR, 0, ATTEST_E_UNSUPPORTED, "QE vendor id"},
    {"signature_data_len huge", ALLK, P_SD_LEN, 0xffffffffu, ATTEST_E_PARSE, "exceeds"},
    {"signature_data_len +1", ALLK, P_SD_LEN, 1, ATTEST_E_PARSE, "exceeds"},
    {"signature_data_len short", ALLK, P_SD_LEN, 100, ATTEST_E_PARSE, NULL},
    {"outer type 5", V45, P_OUTER_TYPE, 5, ATTEST_E_UNSUPPORTED, "certification data type 5"},
    {"outer size huge", V45, P_OUTER_SIZE, 0x7fffffffu, ATTEST_E_PARSE, "does not match"},
    {"outer size -1", V45, P_OUTER_SIZE, 1, ATTEST_E_PARSE, "does not match"},
    {"qe auth size huge", ALLK, P_QE_AUTH, 0xffff, ATTEST_E_PARSE, "qe_auth_data"},
    {"cert type 4", ALLK, P_CERT_TYPE, 4, ATTEST_E_UNSUPPORTED, "certification data type 4"},
    {"cert type 1", ALLK, P_CERT_TYPE, 1, ATTEST_E_UNSUPPORTED, "certification data type 1"},
    {"cert size huge", ALLK, P_CERT_SIZE, 0xfffffff0u, ATTEST_E_PARSE, "PCK certificate chain"},
    {"cert size short", ALLK, P_CERT_SIZE, 10, ATTEST_E_PARSE, "unexplained bytes"},
    {"body type 4", V5, P_BODY_TYPE, 4, ATTEST_E_UNSUPPORTED, "body type 4"},
    {"body type 0", V5, P_BODY_TYPE, 0, ATTEST_E_UNSUPPORTED, "body type 0"},
    {"body size", V5, P_BODY_SIZE, 600, ATTEST_E_PARSE, "body size 600"},
    {"body size huge", V5, P_BODY_SIZE, 0xffffffffu, ATTEST_E_PARSE, "body size"},
};

static void put_le(uint8_t *p, uint32_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

START_TEST(test_dcap_synth_malformed)
{
    const struct patch *pt = &patches[_i];
    for (int k = 0; k < K_COUNT; k++) {
        if (!(pt->kinds & (1 << k)))
            continue;
        struct scen s;
        struct dforge_layout l;
        size_t len = 0;
        scen_init(&s, (enum kind)k);
        uint8_t *q = scen_quote(&s, &len);
        dforge_quote_layout(&s.q, &l);
        switch (pt->field) {
        case P_VERSION: put_le(q, pt->value, 2); break;
        case P_AKT: put_le(q + 2, pt->value, 2); break;
        case P_TEE: put_le(q + 4, pt->value, 4); break;
        case P_VENDOR: q[12] ^= 0x10; break;
        case P_SD_LEN:
            put_le(q + l.signed_len,
                   pt->value == 1 ? get_le32(q + l.signed_len) + 1
                   : pt->value == 100 ? get_le32(q + l.signed_len) - 100
                                      : pt->value,
                   4);
            break;
        case P_OUTER_TYPE: put_le(q + l.sig_data + 128, pt->value, 2); break;
        case P_OUTER_SIZE:
            put_le(q + l.sig_data + 130,
                   pt->value == 1 ? get_le32(q + l.sig_data + 130) - 1 : pt->value, 4);
            break;
        case P_QE_AUTH: put_le(q + l.qe_auth_size, pt->value, 2); break;
        case P_CERT_TYPE: put_le(q + l.cert_header, pt->value, 2); break;
        case P_CERT_SIZE:
            put_le(q + l.cert_header + 2,
                   pt->value == 10 ? get_le32(q + l.cert_header + 2) - 10 : pt->value, 4);
            break;
        case P_BODY_TYPE: put_le(q + DFORGE_HEADER, pt->value, 2); break;
        case P_BODY_SIZE: put_le(q + DFORGE_HEADER + 2, pt->value, 4); break;
        }
        scen_verify_bytes(&s, q, len);
        ck_assert_msg(s.rc == pt->rc, "%s (%s): got %d (%s), want %d", pt->what, kind_names[k],
                      s.rc, s.msg, pt->rc);
        if (pt->part != NULL)
            ck_assert_msg(strstr(s.msg, pt->part) != NULL, "%s (%s): \"%s\" lacks \"%s\"",
                          pt->what, kind_names[k], s.msg, pt->part);
        free(q);
        scen_free(&s);
    }
}
END_TEST

/* A quote of one TEE given to the other driver. */
START_TEST(test_dcap_synth_wrong_driver)
{
    struct scen s;
    scen_init(&s, K_TDX4);
    s.tee = "sgx";
    expect_fail(&s, ATTEST_E_PARSE, "verify it as tdx", "tdx quote as sgx");
    scen_free(&s);
    scen_init(&s, K_SGX3);
    s.tee = "tdx";
    expect_fail(&s, ATTEST_E_PARSE, "verify it as sgx", "sgx quote as tdx");
    scen_free(&s);
    /* Trustee JSON without a quote, and with a quote that is not base64 */
    static const char *const bad[] = {"{\"cc_eventlog\":null}", "{\"quote\":\"@@@@\"}",
                                      "{\"quote\":7}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        scen_init(&s, K_TDX4);
        scen_verify_bytes(&s, (const uint8_t *)bad[i], strlen(bad[i]));
        ck_assert_msg(s.rc == ATTEST_E_PARSE, "%s: got %d (%s)", bad[i], s.rc, s.msg);
        scen_free(&s);
    }
}
END_TEST

/* ---- one ctx, several verifications ---- */

static attest_status verify_on(attest_ctx *ctx, const char *tee, const uint8_t *ev, size_t len,
                               char *msg, size_t cap)
{
    attest_request *req = NULL;
    attest_result *res = NULL;
    ck_assert_int_eq(attest_request_new(&req, tee, ev, len), ATTEST_OK);
    attest_status rc = attest_verify(ctx, req, &res);
    snprintf(msg, cap, "%s", attest_ctx_last_error(ctx));
    ck_assert_msg((rc == ATTEST_OK) == (res != NULL), "result iff ATTEST_OK");
    attest_result_free(res);
    attest_request_free(req);
    return rc;
}

/* The caches (PCK chain, QE report verdict, collateral store) never carry a verdict over to
 * other bytes, and a collateral source added later is consulted. */
static void reuse_again(struct scen *s, attest_ctx *ctx, attest_request *req, const uint8_t *ev,
                        size_t ev_len)
{
    const struct dforge_pki *p = dforge_pki();
    struct dforge_layout l;
    char msg[1024];
    (void)req;
    ck_assert_msg(s->rc == ATTEST_OK, "first: %d (%s)", s->rc, s->msg);
    ck_assert_int_eq(verify_on(ctx, s->tee, ev, ev_len, msg, sizeof(msg)), ATTEST_OK);
    /* the same chain, a QE report changed after signing */
    uint8_t *q = malloc(ev_len);
    ck_assert_ptr_nonnull(q);
    memcpy(q, ev, ev_len);
    dforge_quote_layout(&s->q, &l);
    q[l.qe_report + 200] ^= 1;
    attest_status rc = verify_on(ctx, s->tee, q, ev_len, msg, sizeof(msg));
    ck_assert_msg(rc == ATTEST_E_SIGNATURE && strstr(msg, "QE report signature") != NULL,
                  "tampered qe report on a warm ctx: %d (%s)", rc, msg);
    q[l.qe_report + 200] ^= 1;
    q[l.signed_len - 1] ^= 1;
    rc = verify_on(ctx, s->tee, q, ev_len, msg, sizeof(msg));
    ck_assert_msg(rc == ATTEST_E_SIGNATURE, "tampered body on a warm ctx: %d (%s)", rc, msg);
    free(q);
    ck_assert_int_eq(verify_on(ctx, s->tee, ev, ev_len, msg, sizeof(msg)), ATTEST_OK);
    /* a later time at which the collateral is stale */
    ck_assert_int_eq(attest_ctx_set_time(ctx, DFORGE_T_INSIDE + 40 * 86400), ATTEST_OK);
    rc = verify_on(ctx, s->tee, ev, ev_len, msg, sizeof(msg));
    ck_assert_msg(rc == ATTEST_E_EXPIRED, "later: %d (%s)", rc, msg);
    ck_assert_int_eq(attest_ctx_set_time(ctx, s->at), ATTEST_OK);
    /* a CRL revoking the leaf, added afterwards */
    char *dir = fu_tmpdir();
    X509_CRL *crl = dforge_crl(X509_get_subject_name(p->platform_ca), p->platform_key,
                               DFORGE_CRL_THIS, DFORGE_CRL_NEXT, &s->leaf, 1);
    char *pem = crl != NULL ? fu_crl_pem(crl) : NULL;
    ck_assert(dir != NULL && pem != NULL && fu_write(dir, "pck.crl", pem, strlen(pem)));
    ck_assert_int_eq(attest_ctx_add_collateral(ctx, dir), ATTEST_OK);
    rc = verify_on(ctx, s->tee, ev, ev_len, msg, sizeof(msg));
    ck_assert_msg(rc == ATTEST_E_REVOKED, "crl added later: %d (%s)", rc, msg);
    free(pem);
    free(dir);
    X509_CRL_free(crl);
}

START_TEST(test_dcap_synth_ctx_reuse)
{
    struct scen s;
    scen_init(&s, (enum kind)_i);
    s.again = reuse_again;
    scen_run(&s);
    scen_free(&s);
}
END_TEST

/*
 * QE identity levels and the QE report's ISVSVN are 16 bits: a QE with ISVSVN 260 against
 * levels [264 UpToDate, 6 OutOfDate] is OutOfDate (tdx-sgx.md §8 step 9: the first level
 * with isvsvn <= the QE's). This found a driver that clamped level SVNs to 8 bits.
 * Asserts after freeing everything.
 */
START_TEST(test_dcap_synth_qe_isvsvn_16bit)
{
    struct scen s;
    scen_init(&s, K_SGX3);
    s.qi.n_levels = 2;
    s.qi.levels[0] = (struct dforge_isv_level){264, "UpToDate", NULL};
    s.qi.levels[1] = (struct dforge_isv_level){6, "OutOfDate", NULL};
    s.q.qe_report[DFORGE_ER_ISVSVN] = 260 & 0xff;
    s.q.qe_report[DFORGE_ER_ISVSVN + 1] = 260 >> 8;
    scen_run(&s);
    attest_status rc = s.rc;
    char status[64] = "", msg[1024];
    snprintf(msg, sizeof(msg), "%s", s.msg);
    if (s.res != NULL)
        snprintf(status, sizeof(status), "%s", attest_result_tcb_status(s.res));
    scen_free(&s);
    ck_assert_msg(rc == ATTEST_OK, "got %d (%s)", rc, msg);
    ck_assert_msg(strcmp(status, "OutOfDate") == 0,
                  "QE isvsvn 260 below level 264: got %s, want OutOfDate", status);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("dcap_synth");
    struct {
        const char *name;
        TCase *tc;
    } cases[] = {{"verify", NULL}, {"tcb", NULL}, {"reject", NULL}, {"bind", NULL},
                 {"parse", NULL}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cases[i].tc = tcase_create(cases[i].name);
        tcase_add_unchecked_fixture(cases[i].tc, forge_setup, NULL);
        tcase_set_timeout(cases[i].tc, 120);
        suite_add_tcase(s, cases[i].tc);
    }
    TCase *verify = cases[0].tc, *tcb = cases[1].tc, *reject = cases[2].tc,
          *bind = cases[3].tc, *parse = cases[4].tc;

    tcase_add_loop_test(verify, test_dcap_synth_happy, 0, K_COUNT);
    tcase_add_loop_test(verify, test_dcap_synth_trustee_json, 0, K_COUNT);
    tcase_add_test(verify, test_dcap_synth_collateral_sources);
    tcase_add_loop_test(verify, test_dcap_synth_ctx_reuse, 0, K_COUNT);

    tcase_add_loop_test(tcb, test_dcap_synth_tcb_status, 0, (int)(3 * N_STATUS));
    tcase_add_test(tcb, test_dcap_synth_level_matching);
    tcase_add_test(tcb, test_dcap_synth_tcb_not_supported);
    tcase_add_loop_test(tcb, test_dcap_synth_convergence, 0,
                        (int)(sizeof(conv) / sizeof(conv[0])));
    tcase_add_test(tcb, test_dcap_synth_advisories_merged);
    tcase_add_test(tcb, test_dcap_synth_module_identity);
    tcase_add_test(tcb, test_dcap_synth_td15_relaunch);
    tcase_add_test(tcb, test_dcap_synth_qe_isvsvn_16bit);

    tcase_add_loop_test(reject, test_dcap_synth_tampered, 0, K_COUNT);
    tcase_add_loop_test(reject, test_dcap_synth_qe_binding, 0, K_COUNT);
    tcase_add_test(reject, test_dcap_synth_qe_report_wrong_signer);
    tcase_add_test(reject, test_dcap_synth_pck_fields);
    tcase_add_test(reject, test_dcap_synth_chain);
    tcase_add_test(reject, test_dcap_synth_crl);
    tcase_add_test(reject, test_dcap_synth_collateral);

    tcase_add_test(bind, test_dcap_synth_debug);
    tcase_add_loop_test(bind, test_dcap_synth_binding, 0, K_COUNT);

    tcase_add_loop_test(parse, test_dcap_synth_truncated, 0, K_COUNT);
    tcase_add_loop_test(parse, test_dcap_synth_trailing, 0, K_COUNT);
    tcase_add_loop_test(parse, test_dcap_synth_malformed, 0,
                        (int)(sizeof(patches) / sizeof(patches[0])));
    tcase_add_test(parse, test_dcap_synth_wrong_driver);
    return s;
}
