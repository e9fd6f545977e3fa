/*
 * Authenticate a DCAP quote in QVL's order (tdx-sgx.md §8): the PCK chain to the pinned
 * Intel SGX Root CA, revocation by the root CA and PCK CA CRLs, the collateral's
 * signatures and dates, FMSPC and PCEID, the QE report (signature by the PCK key, binding
 * of the attestation key, QE identity), the quote signature, and the TCB level.
 *
 * What never changes for the same bytes is cached on the ctx: the parsed and verified PCK
 * chain (keyed by the certification data), the CRL signature verdicts, the collateral
 * store and its signature verdicts. Validity at the ctx time is checked every time.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "../../lib/ctx_cache.h"
#include "../../lib/x509.h"
#include "dcap.h"

/* A verified PCK chain: leaf <- PCK CA <- pinned root, and the leaf's SGX extension. */
struct dcap_chain {
    X509 *leaf, *ca, *root;
    struct dcap_pck_ext ext;
    char ca_kind[16];      /* "platform" or "processor" (PCS's ca= parameter) */
    uint8_t qe_ok[32];     /* digest of the last QE report + signature that verified */
    bool has_qe_ok;
    uint8_t ak_raw[64];    /* the last attestation key seen with this chain, decoded */
    EVP_PKEY *ak;
    int refs;
};

static void chain_release(void *p)
{
    struct dcap_chain *c = p;
    if (c == NULL || --c->refs > 0)
        return;
    X509_free(c->leaf);
    X509_free(c->ca);
    X509_free(c->root);
    EVP_PKEY_free(c->ak);
    free(c);
}

static attest_status nomem(attest_ctx *ctx)
{
    return attest_ctx__error(ctx, ATTEST_E_NOMEM, "dcap: out of memory");
}

static bool cn_is(X509 *x, const char *want)
{
    char cn[80];
    attest_x509__cn(X509_get_subject_name(x), cn, sizeof(cn));
    return strcmp(cn, want) == 0;
}

static attest_status chain_build(attest_ctx *ctx, const char *tee, const struct dcap_quote *q,
                                 struct dcap_chain **out)
{
    STACK_OF(X509) *certs = sk_X509_new_null();
    struct dcap_chain *c = calloc(1, sizeof(*c));
    attest_status rc = ATTEST_OK;

    if (certs == NULL || c == NULL) {
        rc = nomem(ctx);
        goto out;
    }
    c->refs = 1;
    if (attest_x509__parse_any(q->pck_chain, q->pck_chain_len, certs) != ATTEST_OK ||
        sk_X509_num(certs) != 3) {
        rc = attest_ctx__error(ctx, ATTEST_E_PARSE,
                               "%s: PCK certificate chain is not 3 PEM certificates (leaf, PCK "
                               "CA, root; got %d)",
                               tee, sk_X509_num(certs));
        goto out;
    }
    c->leaf = sk_X509_shift(certs);
    c->ca = sk_X509_shift(certs);
    c->root = sk_X509_shift(certs);
    char cn[80];
    attest_x509__cn(X509_get_subject_name(c->leaf), cn, sizeof(cn));
    if (strstr(cn, "SGX PCK Certificate") == NULL) {
        rc = attest_ctx__error(ctx, ATTEST_E_CHAIN,
                               "%s: PCK leaf subject CN \"%s\" is not an SGX PCK Certificate",
                               tee, cn);
        goto out;
    }
    if (cn_is(c->ca, "Intel SGX PCK Platform CA"))
        snprintf(c->ca_kind, sizeof(c->ca_kind), "platform");
    else if (cn_is(c->ca, "Intel SGX PCK Processor CA"))
        snprintf(c->ca_kind, sizeof(c->ca_kind), "processor");
    else {
        attest_x509__cn(X509_get_subject_name(c->ca), cn, sizeof(cn));
        rc = attest_ctx__error(ctx, ATTEST_E_CHAIN,
                               "%s: PCK intermediate \"%s\" is neither the Intel SGX PCK "
                               "Platform CA nor the Processor CA",
                               tee, cn);
        goto out;
    }
    if (!dcap_is_pinned_root(ctx, c->root)) {
        rc = attest_ctx__error(ctx, ATTEST_E_CHAIN,
                               "%s: PCK chain does not end at the pinned Intel SGX Root CA (its "
                               "last certificate has another key)",
                               tee);
        goto out;
    }
    EVP_PKEY *rk = X509_get0_pubkey(c->root), *ck = X509_get0_pubkey(c->ca);
    if (rk == NULL || X509_verify(c->root, rk) != 1 || X509_verify(c->ca, rk) != 1) {
        rc = attest_ctx__error(ctx, ATTEST_E_CHAIN,
                               "%s: PCK %s CA is not signed by the Intel SGX Root CA", tee,
                               c->ca_kind);
        goto out;
    }
    if (ck == NULL || X509_verify(c->leaf, ck) != 1) {
        rc = attest_ctx__error(ctx, ATTEST_E_CHAIN,
                               "%s: PCK leaf certificate is not signed by the PCK %s CA", tee,
                               c->ca_kind);
        goto out;
    }
    EVP_PKEY *lk = X509_get0_pubkey(c->leaf);
    if (lk == NULL || EVP_PKEY_get_base_id(lk) != EVP_PKEY_EC || EVP_PKEY_get_bits(lk) != 256) {
        rc = attest_ctx__error(ctx, ATTEST_E_CHAIN, "%s: PCK leaf key is not EC P-256", tee);
        goto out;
    }
    if ((rc = dcap_pck_ext_parse(ctx, c->leaf, &c->ext)) != ATTEST_OK)
        goto out;
    *out = c;
    c = NULL;
out:
    chain_release(c);
    sk_X509_pop_free(certs, X509_free);
    return rc;
}

/* The verified chain for this quote's certification data, from the ctx cache or built. */
static attest_status chain_get(attest_ctx *ctx, const char *tee, const struct dcap_quote *q,
                               struct dcap_chain **out)
{
    uint8_t key[32];
    unsigned int n = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool keyed = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
                 EVP_DigestUpdate(md, "dcap pck chain v1", 17) == 1 &&
                 EVP_DigestUpdate(md, q->pck_chain, q->pck_chain_len) == 1 &&
                 EVP_DigestFinal_ex(md, key, &n) == 1;
    EVP_MD_CTX_free(md);
    struct dcap_chain *c = keyed ? attest_ctx__cache_get(ctx, key) : NULL;
    attest_status rc;

    if (c != NULL) {
        c->refs++;
        *out = c;
        return ATTEST_OK;
    }
    if ((rc = chain_build(ctx, tee, q, &c)) != ATTEST_OK)
        return rc;
    c->refs++;
    if (!keyed || !attest_ctx__cache_put(ctx, key, c, chain_release))
        c->refs--;
    *out = c;
    return ATTEST_OK;
}

/* Whether issuer signed CRL i of the store; the verdict and the CRL's dates are memoised
 * on the store (the issuer is the cached chain's certificate, so the same object). */
static bool crl_signed_by(struct dcap_store *s, int i, X509 *issuer)
{
    struct dcap_crl_memo *m = &s->crl_memo[i];
    X509_CRL *crl = sk_X509_CRL_value(s->crls, i);
    if (m->issuer == issuer)
        return true;
    if (X509_CRL_verify(crl, X509_get0_pubkey(issuer)) != 1)
        return false;
    if (!m->dated) {
        const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
        m->next_update = INT64_MAX;
        m->dated = attest_x509__time_unix(X509_CRL_get0_lastUpdate(crl), &m->this_update) &&
                   (next == NULL || attest_x509__time_unix(next, &m->next_update));
        if (!m->dated)
            return false;
    }
    if (X509_up_ref(issuer)) {
        X509_free(m->issuer);
        m->issuer = issuer;
    }
    return true;
}

/*
 * Revocation of subject by issuer: every CRL from issuer that issuer signed and that was
 * issued by now is searched (a revocation stays); at least one must be current.
 */
static attest_status check_crls(attest_ctx *ctx, const char *tee, struct dcap_store *const *stores,
                                size_t n_stores, X509 *issuer, X509 *subject,
                                const char *issuer_name, const char *subject_name)
{
    int64_t now = attest_ctx_time(ctx), last_next = INT64_MIN;
    bool current = false;
    int seen = 0;

    for (size_t k = 0; k < n_stores; k++) {
        struct dcap_store *st = stores[k];
        for (int i = 0; st != NULL && i < sk_X509_CRL_num(st->crls); i++) {
            X509_CRL *crl = sk_X509_CRL_value(st->crls, i);
            if (st->crl_memo[i].issuer != issuer &&
                X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0)
                continue;
            if (!crl_signed_by(st, i, issuer))
                return attest_ctx__error(ctx, ATTEST_E_CHAIN,
                                         "%s: a CRL naming the %s as issuer is not signed by it",
                                         tee, issuer_name);
            const struct dcap_crl_memo *m = &st->crl_memo[i];
            if (m->this_update > now)
                continue; /* issued after the verification time */
            seen++;
            if (now < m->next_update)
                current = true;
            else if (m->next_update > last_next)
                last_next = m->next_update;
            X509_REVOKED *rev = NULL;
            if (X509_CRL_get0_by_cert(crl, &rev, subject) == 1)
                return attest_ctx__error(ctx, ATTEST_E_REVOKED, "%s: %s is revoked by the %s CRL",
                                         tee, subject_name, issuer_name);
        }
    }
    if (seen == 0)
        return attest_ctx__error(ctx, ATTEST_E_NOT_FOUND,
                                 "%s: no CRL from the %s (add it to a collateral source or the "
                                 "bundle)",
                                 tee, issuer_name);
    if (!current) {
        char at[32], nu[32];
        attest_time__format(now, at, sizeof(at));
        attest_time__format(last_next, nu, sizeof(nu));
        return attest_ctx__error(ctx, ATTEST_E_EXPIRED,
                                 "%s: no %s CRL is current at %s (the latest next update is %s)",
                                 tee, issuer_name, at, nu);
    }
    return ATTEST_OK;
}

static bool current_at(int64_t issue, int64_t next, int64_t now)
{
    return issue <= now && now < next;
}

static attest_status date_error(attest_ctx *ctx, const char *tee, const char *what,
                                const char *origin, int64_t issue, int64_t next)
{
    char at[32], a[32], b[32];
    attest_time__format(attest_ctx_time(ctx), at, sizeof(at));
    attest_time__format(issue, a, sizeof(a));
    attest_time__format(next, b, sizeof(b));
    return attest_ctx__error(ctx, ATTEST_E_EXPIRED,
                             "%s: %s from %s is not current at %s (issueDate %s, nextUpdate %s)",
                             tee, what, origin, at, a, b);
}

/*
 * The TCB info for this TEE and FMSPC: the callback's first, then the sources'; among
 * several, a signed and current one with the highest evaluation data number.
 */
static attest_status pick_tcb_info(attest_ctx *ctx, const char *tee, bool tdx,
                                   const uint8_t fmspc[6], struct dcap_store *const *stores,
                                   size_t n_stores, X509 *root, struct dcap_store **store_out,
                                   const struct dcap_tcb_info **out)
{
    const char *what = tdx ? "TDX TCB info" : "SGX TCB info";
    struct dcap_tcb_doc *best = NULL, *stale = NULL;
    struct dcap_store *best_store = NULL;
    attest_status rc = ATTEST_OK, first_err = ATTEST_OK;
    char other[13] = "";
    int64_t now = attest_ctx_time(ctx);

    for (size_t s = 0; s < n_stores && best == NULL; s++) {
        struct dcap_store *st = stores[s];
        for (size_t i = 0; st != NULL && i < st->n_tcb; i++) {
            struct dcap_tcb_doc *d = &st->tcb[i];
            if (d->info.tdx != tdx)
                continue;
            if (memcmp(d->info.fmspc, fmspc, 6) != 0) {
                attest_hex__encode(d->info.fmspc, 6, other);
                continue;
            }
            if (!current_at(d->info.issue_date, d->info.next_update, now)) {
                if (stale == NULL || d->info.issue_date > stale->info.issue_date)
                    stale = d;
                continue;
            }
            rc = dcap_store_check_signed(ctx, st, root, what, &d->s);
            if (rc != ATTEST_OK) {
                if (first_err == ATTEST_OK)
                    first_err = rc;
                continue;
            }
            if (best == NULL || d->info.eval_number > best->info.eval_number) {
                best = d;
                best_store = st;
            }
        }
    }
    if (best != NULL) {
        *out = &best->info;
        *store_out = best_store;
        return ATTEST_OK;
    }
    if (first_err != ATTEST_OK) /* the message of the first failure is on the ctx */
        return first_err;
    if (stale != NULL)
        return date_error(ctx, tee, what, stale->s.origin, stale->info.issue_date,
                          stale->info.next_update);
    char want[13];
    attest_hex__encode(fmspc, 6, want);
    return attest_ctx__error(ctx, ATTEST_E_NOT_FOUND,
                             "%s: no %s for FMSPC %s%s%s%s (add Intel's TCB info for it to a "
                             "collateral source)",
                             tee, what, want, other[0] ? " (found one for FMSPC " : "", other,
                             other[0] ? ")" : "");
}

static attest_status pick_qe_identity(attest_ctx *ctx, const char *tee, bool tdx,
                                      struct dcap_store *const *stores, size_t n_stores,
                                      X509 *root, const struct dcap_qe_identity **out)
{
    const char *what = tdx ? "TD_QE identity" : "QE identity";
    struct dcap_qe_doc *best = NULL, *stale = NULL;
    attest_status rc, first_err = ATTEST_OK;
    int64_t now = attest_ctx_time(ctx);

    for (size_t s = 0; s < n_stores && best == NULL; s++) {
        struct dcap_store *st = stores[s];
        for (size_t i = 0; st != NULL && i < st->n_qe; i++) {
            struct dcap_qe_doc *d = &st->qe[i];
            if (d->qe.tdx != tdx)
                continue;
            if (!current_at(d->qe.issue_date, d->qe.next_update, now)) {
                if (stale == NULL || d->qe.issue_date > stale->qe.issue_date)
                    stale = d;
                continue;
            }
            if ((rc = dcap_store_check_signed(ctx, st, root, what, &d->s)) != ATTEST_OK) {
                if (first_err == ATTEST_OK)
                    first_err = rc;
                continue;
            }
            if (best == NULL || d->qe.eval_number > best->qe.eval_number)
                best = d;
        }
    }
    if (best != NULL) {
        *out = &best->qe;
        return ATTEST_OK;
    }
    if (first_err != ATTEST_OK)
        return first_err;
    if (stale != NULL)
        return date_error(ctx, tee, what, stale->s.origin, stale->qe.issue_date,
                          stale->qe.next_update);
    return attest_ctx__error(ctx, ATTEST_E_NOT_FOUND,
                             "%s: no %s (add Intel's QE identity to a collateral source)", tee,
                             what);
}

/* The QE report: signed by the PCK leaf, and binding the attestation key (§5 steps 2, 3). */
static attest_status check_qe_report(attest_ctx *ctx, const char *tee, const struct dcap_quote *q,
                                     struct dcap_chain *c)
{
    uint8_t memo[32], want[64];
    unsigned int n = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
              EVP_DigestUpdate(md, q->qe_report, DCAP_SGX_BODY_SIZE) == 1 &&
              EVP_DigestUpdate(md, q->qe_report_sig, 64) == 1 &&
              EVP_DigestFinal_ex(md, memo, &n) == 1;
    EVP_MD_CTX_free(md);
    if (!ok)
        return nomem(ctx);
    if (!(c->has_qe_ok && memcmp(c->qe_ok, memo, 32) == 0)) {
        if (!dcap_ecdsa_verify(X509_get0_pubkey(c->leaf), q->qe_report_sig, q->qe_report,
                               DCAP_SGX_BODY_SIZE))
            return attest_ctx__error(ctx, ATTEST_E_SIGNATURE,
                                     "%s: QE report signature does not verify under the PCK "
                                     "certificate",
                                     tee);
        memcpy(c->qe_ok, memo, 32);
        c->has_qe_ok = true;
    }
    md = EVP_MD_CTX_new();
    memset(want, 0, sizeof(want));
    ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
         EVP_DigestUpdate(md, q->attest_key, 64) == 1 &&
         EVP_DigestUpdate(md, q->qe_auth, q->qe_auth_len) == 1 &&
         EVP_DigestFinal_ex(md, want, &n) == 1;
    EVP_MD_CTX_free(md);
    if (!ok)
        return nomem(ctx);
    if (!attest_ct_equal(want, q->qe_report + DCAP_ER_REPORTDATA, 64))
        return attest_ctx__error(ctx, ATTEST_E_SIGNATURE,
                                 "%s: QE report_data is not SHA-256(attestation key || QE auth "
                                 "data) (the attestation key is not the QE's)",
                                 tee);
    return ATTEST_OK;
}

/* The quote signature by the attestation key. The key (64 raw bytes) lives as long as its
 * quoting enclave, so its decoded form is kept with the chain. */
static attest_status check_quote_signature(attest_ctx *ctx, const char *tee,
                                           const struct dcap_quote *q, struct dcap_chain *c)
{
    if (c->ak == NULL || memcmp(c->ak_raw, q->attest_key, 64) != 0) {
        EVP_PKEY_free(c->ak);
        if ((c->ak = dcap_p256_key(q->attest_key)) == NULL)
            return attest_ctx__error(ctx, ATTEST_E_SIGNATURE,
                                     "%s: attestation key is not a P-256 point", tee);
        memcpy(c->ak_raw, q->attest_key, 64);
    }
    if (!dcap_ecdsa_verify(c->ak, q->signature, q->raw, q->signed_len))
        return attest_ctx__error(ctx, ATTEST_E_SIGNATURE,
                                 "%s: quote signature does not verify under the attestation key "
                                 "(header or body changed)",
                                 tee);
    return ATTEST_OK;
}

void dcap_verified_free(struct dcap_verified *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->n_advisories; i++)
        free(v->advisories[i]);
    free(v->advisories);
    v->advisories = NULL;
    v->n_advisories = 0;
}

static attest_status copy_advisories(attest_ctx *ctx, const struct dcap_tcb_result *r,
                                     struct dcap_verified *v)
{
    size_t n = r->adv.count + r->n_adv_extra;
    if (n == 0)
        return ATTEST_OK;
    if ((v->advisories = calloc(n, sizeof(char *))) == NULL)
        return nomem(ctx);
    for (size_t i = 0; i < n; i++) {
        const char *s = i < r->adv.count ? r->adv.ids[i] : r->adv_extra[i - r->adv.count];
        if ((v->advisories[i] = strdup(s)) == NULL)
            return nomem(ctx);
        v->n_advisories++;
    }
    return ATTEST_OK;
}

attest_status dcap_verify_quote(attest_ctx *ctx, const char *tee, const struct dcap_quote *q,
                                struct dcap_verified *out)
{
    struct dcap_chain *c = NULL;
    struct dcap_store *stores[2] = {NULL, NULL}, *ti_store = NULL;
    const struct dcap_tcb_info *ti = NULL;
    const struct dcap_qe_identity *qe = NULL;
    struct dcap_tcb_result tr;
    struct dcap_verified v;
    bool tdx = q->body_type != DCAP_BODY_SGX;
    attest_status rc;

    memset(&v, 0, sizeof(v));
    /* the PCK chain, and its validity now */
    if ((rc = chain_get(ctx, tee, q, &c)) != ATTEST_OK)
        return rc;
    if ((rc = attest_x509__check_valid(ctx, tee, c->root, "Intel SGX Root CA")) != ATTEST_OK ||
        (rc = attest_x509__check_valid(ctx, tee, c->ca, c->ca_kind[1] == 'l' ? "PCK Platform CA"
                                                                   : "PCK Processor CA")) !=
            ATTEST_OK ||
        (rc = attest_x509__check_valid(ctx, tee, c->leaf, "PCK certificate")) != ATTEST_OK)
        goto out;
    /* collateral: the callback's bundle first, then the ctx's sources */
    if ((rc = dcap_store_from_callback(ctx, tee, c->ext.fmspc, c->ca_kind, &stores[0])) !=
            ATTEST_OK ||
        (rc = dcap_store_from_sources(ctx, &stores[1])) != ATTEST_OK)
        goto out;
    /* revocation: the PCK CA by the root CA CRL, the leaf by the PCK CA CRL */
    if ((rc = check_crls(ctx, tee, stores, 2, c->root, c->ca, "Intel SGX Root CA",
                         "the PCK CA")) != ATTEST_OK ||
        (rc = check_crls(ctx, tee, stores, 2, c->ca,
                         c->leaf, c->ca_kind[1] == 'l' ? "PCK Platform CA" : "PCK Processor CA",
                         "the PCK certificate")) != ATTEST_OK)
        goto out;
    if ((rc = pick_tcb_info(ctx, tee, tdx, c->ext.fmspc, stores, 2, c->root, &ti_store, &ti)) !=
            ATTEST_OK ||
        (rc = pick_qe_identity(ctx, tee, tdx, stores, 2, c->root, &qe)) != ATTEST_OK)
        goto out;
    /* the TCB signing certificate must not be revoked by the root CA either */
    for (int i = 0; ti_store->signers != NULL && i < sk_X509_num(ti_store->signers); i++)
        if ((rc = check_crls(ctx, tee, stores, 2, c->root, sk_X509_value(ti_store->signers, i),
                             "Intel SGX Root CA", "the Intel SGX TCB Signing certificate")) !=
            ATTEST_OK)
            goto out;
    if (memcmp(ti->pceid, c->ext.pceid, 2) != 0) {
        rc = attest_ctx__error(ctx, ATTEST_E_TCB,
                               "%s: PCK certificate PCEID %02x%02x is not the TCB info's "
                               "%02x%02x",
                               tee, c->ext.pceid[0], c->ext.pceid[1], ti->pceid[0],
                               ti->pceid[1]);
        goto out;
    }
    /* the QE, then the quote itself */
    if ((rc = check_qe_report(ctx, tee, q, c)) != ATTEST_OK ||
        (rc = check_quote_signature(ctx, tee, q, c)) != ATTEST_OK)
        goto out;
    if ((rc = dcap_tcb_evaluate(ctx, tee, q, &c->ext, ti, qe, &tr)) != ATTEST_OK)
        goto out;
    if (tr.status == DCAP_REVOKED) {
        rc = attest_ctx__error(ctx, ATTEST_E_REVOKED,
                               "%s: TCB status is Revoked (platform %s, QE %s)", tee,
                               dcap_status_name(tr.platform_status),
                               dcap_status_name(tr.qe_status));
        goto out;
    }
    v.status = tr.status;
    v.tcb_date = tr.tcb_date;
    v.pck = c->ext;
    v.tcb_eval_number = ti->eval_number;
    snprintf(v.pck_ca, sizeof(v.pck_ca), "%s", c->ca_kind);
    if ((rc = copy_advisories(ctx, &tr, &v)) != ATTEST_OK)
        goto out;
    *out = v;
    memset(&v, 0, sizeof(v));
out:
    dcap_verified_free(&v);
    dcap_store_release(stores[0]);
    dcap_store_release(stores[1]);
    chain_release(c);
    return rc;
}
