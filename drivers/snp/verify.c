/*
 * Authenticate a parsed report: find the VCEK or VLEK, chain it to the pinned ARK of the
 * product (ARK -> ASK -> VCEK, or ARK -> ASVK -> VLEK, RSASSA-PSS SHA-384), check every
 * certificate's validity at the ctx time, match the certificate's TCB extensions with
 * REPORTED_TCB and its hwID with CHIP_ID, then verify the report's ECDSA P-384 signature.
 * Order and checks follow ../shared/specs/evidence/snp.md §7 (go-sev-guest verify/,
 * Trustee deps/verifier/src/snp).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "../../lib/ctx_cache.h"
#include "../../lib/x509.h"
#include "snp.h"

static const char *signer_name(enum snp_signer s)
{
    return s == SNP_SIGNER_VLEK ? "VLEK" : "VCEK";
}

/* The certificate in certs whose DER encoding is exactly der, or NULL. Parsing a
 * certificate costs more than a chain of signature checks in OpenSSL 3.0, so evidence
 * that repeats a trusted ASK or ARK reuses the parsed one. */
static X509 *find_der(STACK_OF(X509) *certs, const uint8_t *der, size_t len)
{
    for (int i = 0; i < sk_X509_num(certs); i++) {
        X509 *x = sk_X509_value(certs, i);
        unsigned char *enc = NULL;
        int n = i2d_X509(x, &enc); /* a copy of the cached encoding */
        bool same = n > 0 && (size_t)n == len && memcmp(enc, der, len) == 0;
        OPENSSL_free(enc);
        if (same)
            return x;
    }
    return NULL;
}

/* Everything that could be part of the chain: evidence certificates first, then the ctx's
 * trust and collateral sources. The stack holds references (X509_up_ref). */
static attest_status gather(attest_ctx *ctx, const struct snp_cert_table *table,
                            STACK_OF(X509) **out, STACK_OF(X509) **leaves)
{
    STACK_OF(X509) *pool = sk_X509_new_null(), *lv = sk_X509_new_null(), *known = NULL;
    attest_status rc = ATTEST_OK;

    if (pool == NULL || lv == NULL) {
        rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: out of memory");
        goto fail;
    }
    if ((rc = attest_ctx__certificates(ctx, &known)) != ATTEST_OK)
        goto fail;
    for (size_t i = 0; table != NULL && i < table->count; i++) {
        const struct snp_cert_entry *e = &table->entries[i];
        if (e->kind == SNP_CERT_CRL || e->kind == SNP_CERT_OTHER)
            continue;
        STACK_OF(X509) *dst = (e->kind == SNP_CERT_VCEK || e->kind == SNP_CERT_VLEK) ? lv
                                                                                     : pool;
        X509 *same = find_der(known, e->data, e->len);
        if (same != NULL) { /* a copy of a certificate the ctx parsed already */
            if (!X509_up_ref(same) || !sk_X509_push(dst, same)) {
                rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: out of memory");
                goto fail;
            }
            continue;
        }
        if (attest_x509__parse_any(e->data, e->len, dst) != ATTEST_OK) {
            rc = attest_ctx__error(ctx, ATTEST_E_PARSE,
                                   "snp: certificate %zu in the evidence is not a DER or PEM "
                                   "certificate",
                                   i);
            goto fail;
        }
    }
    for (int i = 0; i < sk_X509_num(known); i++) {
        X509 *x = sk_X509_value(known, i);
        if (!X509_up_ref(x) || !sk_X509_push(pool, x)) {
            rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: out of memory");
            goto fail;
        }
    }
    *out = pool;
    *leaves = lv;
    return ATTEST_OK;
fail:
    sk_X509_pop_free(pool, X509_free);
    sk_X509_pop_free(lv, X509_free);
    return rc;
}

/* Is cert a VCEK/VLEK by its subject CN ("SEV-VCEK" / "SEV-VLEK", AMD pub. 57230)? */
static bool is_leaf(X509 *cert, enum snp_signer signer)
{
    char cn[64];
    attest_x509__cn(X509_get_subject_name(cert), cn, sizeof(cn));
    return strcmp(cn, signer == SNP_SIGNER_VLEK ? "SEV-VLEK" : "SEV-VCEK") == 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* Whether a VCEK/VLEK's SPL extensions are this report's REPORTED_TCB. */
static bool tcb_matches(const struct snp_report *rep, const struct snp_vcek_ext *e)
{
    enum snp_product p = rep->has_cpuid ? snp_product_from_cpuid(rep->cpuid_fam, rep->cpuid_mod)
                                        : SNP_PRODUCT_UNKNOWN;
    struct snp_tcb t;
    if (p == SNP_PRODUCT_UNKNOWN)
        p = snp_product_from_name(e->product_name);
    snp_tcb_decode(p, rep->reported_tcb_raw, &t);
    return e->bl == t.bootloader && e->tee == t.tee && e->snp == t.snp &&
           e->ucode == t.microcode && (p != SNP_PRODUCT_TURIN || e->fmc == t.fmc);
}

/*
 * A new reference to the certificate in list that was issued for this chip (hwID = chip
 * id; a VLEK is not chip-bound) and this TCB, else for this chip at another TCB (which
 * then fails with a precise TCB error). With by_cn, only certificates named like the
 * signer count.
 */
static X509 *find_leaf(const struct snp_report *rep, STACK_OF(X509) *list, bool by_cn)
{
    X509 *chip_only = NULL;
    for (int i = 0; i < sk_X509_num(list); i++) {
        X509 *x = sk_X509_value(list, i);
        struct snp_vcek_ext e;
        if (by_cn && !is_leaf(x, rep->signer))
            continue;
        if (snp_vcek_ext_parse(NULL, x, &e) != ATTEST_OK)
            continue;
        if (rep->signer == SNP_SIGNER_VCEK &&
            !(e.has_hwid && attest_ct_equal(e.hwid, rep->chip_id, 64)))
            continue;
        if (tcb_matches(rep, &e)) {
            X509_up_ref(x);
            return x;
        }
        if (chip_only == NULL)
            chip_only = x;
    }
    if (chip_only != NULL)
        X509_up_ref(chip_only);
    return chip_only;
}

/* The first candidate of any chip, so a wrong VCEK fails with a precise error. */
static X509 *first_leaf(const struct snp_report *rep, STACK_OF(X509) *leaves,
                        STACK_OF(X509) *pool)
{
    X509 *x = sk_X509_num(leaves) > 0 ? sk_X509_value(leaves, 0) : NULL;
    for (int i = 0; x == NULL && i < sk_X509_num(pool); i++)
        if (is_leaf(sk_X509_value(pool, i), rep->signer))
            x = sk_X509_value(pool, i);
    if (x != NULL)
        X509_up_ref(x);
    return x;
}

/*
 * Ask the collateral callback for the endorsement certificate: kind "vcek" or "vlek", key
 * "<chip_id hex>/<reported_tcb as 16 hex digits>". NOT_FOUND (no callback, or it has
 * none) lets the search go on; any other failure of the callback fails verification.
 */
static attest_status fetch_leaf(attest_ctx *ctx, const struct snp_report *rep, X509 **out)
{
    char key[160], chip[129];
    uint8_t *data = NULL;
    size_t len = 0;
    attest_status rc;

    *out = NULL;
    attest_hex__encode(rep->chip_id, 64, chip);
    snprintf(key, sizeof(key), "%s/%016llx", chip, (unsigned long long)rep->reported_tcb_raw);
    rc = attest_ctx__collateral_fetch(ctx, "snp",
                                      rep->signer == SNP_SIGNER_VLEK ? "vlek" : "vcek", key,
                                      &data, &len);
    if (rc == ATTEST_E_NOT_FOUND)
        return ATTEST_OK;
    if (rc != ATTEST_OK)
        return rc;
    STACK_OF(X509) *s = sk_X509_new_null();
    if (s != NULL && attest_x509__parse_any(data, len, s) == ATTEST_OK)
        *out = sk_X509_shift(s);
    sk_X509_pop_free(s, X509_free);
    free(data);
    if (*out == NULL)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "snp: the collateral callback's %s "
                                 "is not a DER or PEM certificate",
                                 signer_name(rep->signer));
    return ATTEST_OK;
}

/*
 * The endorsement certificate, in the documented order: the evidence's own, the collateral
 * callback, the collateral sources; the chip's VCEK first, else any candidate.
 */
static attest_status pick_leaf(attest_ctx *ctx, const struct snp_report *rep,
                               STACK_OF(X509) *leaves, STACK_OF(X509) *pool, X509 **out)
{
    attest_status rc;

    if ((*out = find_leaf(rep, leaves, false)) != NULL)
        return ATTEST_OK;
    if ((rc = fetch_leaf(ctx, rep, out)) != ATTEST_OK || *out != NULL)
        return rc;
    if ((*out = find_leaf(rep, pool, true)) != NULL ||
        (*out = first_leaf(rep, leaves, pool)) != NULL)
        return ATTEST_OK;
    return attest_ctx__error(ctx, ATTEST_E_NOT_FOUND,
                             "snp: no %s certificate for this report (supply it in the "
                             "evidence, a collateral source or the collateral callback)",
                             signer_name(rep->signer));
}

static attest_status check_tcb(attest_ctx *ctx, const struct snp_report *rep,
                               enum snp_product product, const struct snp_vcek_ext *e,
                               struct snp_tcb *reported)
{
    const char *who = signer_name(rep->signer);

    snp_tcb_decode(product, rep->reported_tcb_raw, reported);
    const struct { const char *ext, *field; uint8_t cert, rep; bool check; } parts[] = {
        {"blSPL", "bootloader", e->bl, reported->bootloader, true},
        {"teeSPL", "tee", e->tee, reported->tee, true},
        {"snpSPL", "snp", e->snp, reported->snp, true},
        {"ucodeSPL", "microcode", e->ucode, reported->microcode, true},
        {"fmcSPL", "fmc", e->fmc, reported->fmc, product == SNP_PRODUCT_TURIN},
    };
    if (product == SNP_PRODUCT_TURIN && !e->has_fmc)
        return attest_ctx__error(ctx, ATTEST_E_TCB, "snp: Turin %s lacks the fmcSPL extension",
                                 who);
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        if (parts[i].check && parts[i].cert != parts[i].rep)
            return attest_ctx__error(ctx, ATTEST_E_TCB,
                                     "snp: reported_tcb %s does not match the %s (got %u, "
                                     "%s %s %u)",
                                     parts[i].field, who, parts[i].rep, who, parts[i].ext,
                                     parts[i].cert);
    if (rep->signer == SNP_SIGNER_VCEK) {
        if (!e->has_hwid)
            return attest_ctx__error(ctx, ATTEST_E_CHAIN, "snp: VCEK lacks the hwID extension");
        /* A host may mask CHIP_ID (all zero); the VCEK signature still binds the chip. */
        if (!all_zero(rep->chip_id, 64) && !attest_ct_equal(e->hwid, rep->chip_id, 64))
            return attest_ctx__error(ctx, ATTEST_E_CHAIN,
                                     "snp: chip_id does not match the VCEK hwID (the VCEK is "
                                     "another chip's)");
    } else if (!e->has_csp_id) {
        return attest_ctx__error(ctx, ATTEST_E_CHAIN, "snp: VLEK lacks the cspID extension");
    }
    return ATTEST_OK;
}

/* Is this certificate the pinned ARK of product (compiled-in pin, or a trust-dir pin)? */
static bool is_pinned_ark(attest_ctx *ctx, X509 *x, enum snp_product product)
{
    uint8_t spki[32];
    if (!attest_x509__spki_sha256(x, spki))
        return false;
    return attest_ct_equal(spki, snp_ark_pin(product), 32) ||
           attest_ctx__extra_pin(ctx, "snp", snp_product_name(product), spki);
}

static bool signed_by(X509 *cert, X509 *issuer)
{
    EVP_PKEY *k = X509_get0_pubkey(issuer);
    return k != NULL && X509_verify(cert, k) == 1;
}

/* ARK -> ASK/ASVK -> leaf. On success *ark_out and *mid_out are borrowed from pool. */
static attest_status chain(attest_ctx *ctx, const struct snp_report *rep,
                           enum snp_product product, X509 *leaf, STACK_OF(X509) *pool,
                           X509 **ark_out, X509 **mid_out)
{
    const char *pname = snp_product_name(product);
    char mid_cn[64], cn[64];
    X509 *mid = NULL, *ark = NULL;
    int mids = 0;

    snprintf(mid_cn, sizeof(mid_cn), rep->signer == SNP_SIGNER_VLEK ? "SEV-VLEK-%s" : "SEV-%s",
             pname);
    for (int i = 0; i < sk_X509_num(pool) && mid == NULL; i++) {
        X509 *x = sk_X509_value(pool, i);
        attest_x509__cn(X509_get_subject_name(x), cn, sizeof(cn));
        if (strcmp(cn, mid_cn) != 0)
            continue;
        mids++;
        if (signed_by(leaf, x))
            mid = x;
    }
    if (mid == NULL && mids == 0)
        return attest_ctx__error(ctx, ATTEST_E_CHAIN,
                                 "snp: no %s certificate to issue the %s (add AMD's "
                                 "cert_chain for %s to a trust directory)",
                                 mid_cn, signer_name(rep->signer), pname);
    if (mid == NULL)
        return attest_ctx__error(ctx, ATTEST_E_CHAIN,
                                 "snp: %s is not signed by %s (%d candidate certificates)",
                                 signer_name(rep->signer), mid_cn, mids);
    for (int i = 0; i < sk_X509_num(pool) && ark == NULL; i++) {
        X509 *x = sk_X509_value(pool, i);
        if (is_pinned_ark(ctx, x, product) && signed_by(x, x) && signed_by(mid, x))
            ark = x;
    }
    if (ark == NULL)
        return attest_ctx__error(ctx, ATTEST_E_CHAIN,
                                 "snp: %s is not signed by the pinned ARK-%s (no certificate "
                                 "with the pinned key signs it)",
                                 mid_cn, pname);
    *ark_out = ark;
    *mid_out = mid;
    return ATTEST_OK;
}

/* ECDSA P-384 over report[0 .. 0x2a0) with R and S little-endian (pub. 56860, SIGNATURE). */
static attest_status check_signature(attest_ctx *ctx, const struct snp_report *rep, X509 *leaf)
{
    EVP_PKEY *key = X509_get0_pubkey(leaf);
    uint8_t be[96];
    attest_status rc = ATTEST_OK;

    if (key == NULL || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || EVP_PKEY_get_bits(key) != 384)
        return attest_ctx__error(ctx, ATTEST_E_CHAIN, "snp: %s key is not EC P-384",
                                 signer_name(rep->signer));
    /* R and S are little-endian; OpenSSL wants them big-endian */
    for (int i = 0; i < 48; i++) {
        be[i] = rep->sig_r[47 - i];
        be[48 + i] = rep->sig_s[47 - i];
    }
    unsigned char *der = NULL;
    int der_len = attest_ecdsa__der(be, 48, &der);
    if (der_len <= 0)
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: out of memory");
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md == NULL || EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, key) != 1)
        rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: signature check setup failed");
    else if (EVP_DigestVerify(md, der, (size_t)der_len, rep->raw, SNP_SIGNED_SIZE) != 1)
        rc = attest_ctx__error(ctx, ATTEST_E_SIGNATURE,
                               "snp: report signature does not verify under the %s",
                               signer_name(rep->signer));
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    return rc;
}

/*
 * A chain once verified: leaf -> ASK/ASVK -> pinned ARK, signatures checked, leaf
 * extensions parsed. Signatures never change, so it is cached on the ctx under a key made
 * of everything the chain search saw (see chain_key); validity, TCB and revocation depend
 * on the time, the report and the CRLs, and are checked on every verification.
 */
struct snp_chain {
    X509 *leaf, *mid, *ark;
    struct snp_vcek_ext ext;
    enum snp_product product;
};

static void chain_free(void *p)
{
    struct snp_chain *c = p;
    if (c == NULL)
        return;
    X509_free(c->leaf);
    X509_free(c->mid);
    X509_free(c->ark);
    free(c);
}

/* A private copy of a cached chain (the cache entry may be evicted while we use it). */
static struct snp_chain *chain_dup(const struct snp_chain *c)
{
    struct snp_chain *d = malloc(sizeof(*d));
    if (d == NULL)
        return NULL;
    *d = *c;
    X509_up_ref(d->leaf);
    X509_up_ref(d->mid);
    X509_up_ref(d->ark);
    return d;
}

/*
 * The cache key of a chain search: the signer, the product the report's CPUID names, the
 * chip id and reported TCB (which pick the leaf from the collateral sources) and the bytes
 * of every certificate the evidence carried. The ctx's own sources are covered by the
 * cache itself, which is cleared when they change.
 */
static bool chain_key(const struct snp_report *rep, enum snp_product cpuid_product,
                      const struct snp_cert_table *table, uint8_t key[32])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t head[16] = "snp chain v1";
    unsigned int n = 0;
    bool ok;

    head[12] = (uint8_t)rep->signer;
    head[13] = (uint8_t)cpuid_product;
    ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
         EVP_DigestUpdate(md, head, sizeof(head)) == 1 &&
         EVP_DigestUpdate(md, rep->chip_id, 64) == 1 &&
         EVP_DigestUpdate(md, rep->raw + 0x180, 8) == 1; /* REPORTED_TCB */
    for (size_t i = 0; ok && table != NULL && i < table->count; i++) {
        const struct snp_cert_entry *e = &table->entries[i];
        uint8_t len[9] = {(uint8_t)e->kind};
        if (e->kind == SNP_CERT_CRL || e->kind == SNP_CERT_OTHER)
            continue;
        for (int b = 0; b < 8; b++)
            len[1 + b] = (uint8_t)((uint64_t)e->len >> (8 * b));
        ok = EVP_DigestUpdate(md, len, sizeof(len)) == 1 &&
             EVP_DigestUpdate(md, e->data, e->len) == 1;
    }
    ok = ok && EVP_DigestFinal_ex(md, key, &n) == 1 && n == 32;
    EVP_MD_CTX_free(md);
    return ok;
}

/* Find the leaf, decide the product, and chain to the pinned ARK: the uncached path. */
static attest_status chain_build(attest_ctx *ctx, const struct snp_report *rep,
                                 enum snp_product cpuid_product,
                                 const struct snp_cert_table *table, struct snp_chain **out)
{
    STACK_OF(X509) *pool = NULL, *leaves = NULL;
    struct snp_chain *c = calloc(1, sizeof(*c));
    X509 *ark = NULL, *mid = NULL;
    attest_status rc;
    const char *who = signer_name(rep->signer);

    if (c == NULL)
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: out of memory");
    if ((rc = gather(ctx, table, &pool, &leaves)) != ATTEST_OK)
        goto out;
    if ((rc = pick_leaf(ctx, rep, leaves, pool, &c->leaf)) != ATTEST_OK)
        goto out;
    if ((rc = snp_vcek_ext_parse(ctx, c->leaf, &c->ext)) != ATTEST_OK)
        goto out;
    /* Product: the report's CPUID (v3+) wins over productName, which early VCEKs got wrong. */
    c->product = cpuid_product;
    if (c->product == SNP_PRODUCT_UNKNOWN)
        c->product = snp_product_from_name(c->ext.product_name);
    if (c->product == SNP_PRODUCT_UNKNOWN) {
        rc = attest_ctx__error(ctx, ATTEST_E_UNSUPPORTED,
                               "snp: product unknown (cpuid family 0x%02x model 0x%02x, %s "
                               "productName \"%s\")",
                               rep->cpuid_fam, rep->cpuid_mod, who, c->ext.product_name);
        goto out;
    }
    if ((rc = chain(ctx, rep, c->product, c->leaf, pool, &ark, &mid)) != ATTEST_OK)
        goto out;
    X509_up_ref(ark);
    X509_up_ref(mid);
    c->ark = ark;
    c->mid = mid;
    *out = c;
    c = NULL;
out:
    chain_free(c);
    sk_X509_pop_free(pool, X509_free);
    sk_X509_pop_free(leaves, X509_free);
    return rc;
}

/* The chain for this report, from the ctx cache or built and then cached. */
static attest_status chain_get(attest_ctx *ctx, const struct snp_report *rep,
                               const struct snp_cert_table *table, struct snp_chain **out)
{
    enum snp_product cpuid_product =
        rep->has_cpuid ? snp_product_from_cpuid(rep->cpuid_fam, rep->cpuid_mod)
                       : SNP_PRODUCT_UNKNOWN;
    uint8_t key[32];
    bool keyed = chain_key(rep, cpuid_product, table, key);
    const struct snp_chain *cached = keyed ? attest_ctx__cache_get(ctx, key) : NULL;
    struct snp_chain *c = NULL, *copy;
    attest_status rc;

    if (cached != NULL) {
        if ((*out = chain_dup(cached)) == NULL)
            return attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: out of memory");
        return ATTEST_OK;
    }
    if ((rc = chain_build(ctx, rep, cpuid_product, table, &c)) != ATTEST_OK)
        return rc;
    /* caching is an optimisation: a failure to cache is not an error */
    if (keyed && (copy = chain_dup(c)) != NULL && !attest_ctx__cache_put(ctx, key, copy,
                                                                           chain_free))
        chain_free(copy);
    *out = c;
    return ATTEST_OK;
}

/* One CRL: if the chain's ARK issued it, it must verify, be current, and not list the
 * ASK/ASVK. */
static attest_status check_revocation_one(attest_ctx *ctx, X509_CRL *crl,
                                          const struct snp_chain *c, const char *mid_name)
{
    uint8_t key[32], der_hash[32];
    unsigned char *der = NULL;
    unsigned int n = 0;
    int len;

    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(c->ark)) != 0)
        return ATTEST_OK; /* another issuer's CRL (another product) */
    /* the signature once per CRL and ARK; the verdict is cached like a chain */
    if ((len = i2d_X509_CRL(crl, &der)) <= 0 ||
        EVP_Digest(der, (size_t)len, der_hash, &n, EVP_sha256(), NULL) != 1) {
        OPENSSL_free(der);
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: out of memory");
    }
    OPENSSL_free(der);
    memcpy(key, der_hash, 32);
    key[0] ^= 0x5a; /* a different key space than the CRL hash itself */
    key[31] ^= (uint8_t)c->product;
    if (attest_ctx__cache_get(ctx, key) == NULL) {
        if (X509_CRL_verify(crl, X509_get0_pubkey(c->ark)) != 1)
            return attest_ctx__error(ctx, ATTEST_E_CHAIN,
                                     "snp: CRL issued as ARK-%s is not signed by the pinned "
                                     "ARK-%s",
                                     snp_product_name(c->product),
                                     snp_product_name(c->product));
        uint8_t *mark = malloc(1);
        if (mark != NULL && !attest_ctx__cache_put(ctx, key, mark, free))
            free(mark);
    }
    int64_t now = attest_ctx_time(ctx);
    time_t t = (time_t)now;
    const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
    if (X509_cmp_time(X509_CRL_get0_lastUpdate(crl), &t) != -1 ||
        (next != NULL && X509_cmp_time(next, &t) != 1)) {
        char lu[32], nu[32];
        attest_x509__time_format(X509_CRL_get0_lastUpdate(crl), lu, sizeof(lu));
        attest_x509__time_format(next, nu, sizeof(nu)); /* "-" when there is none */
        return attest_ctx__error(ctx, ATTEST_E_EXPIRED,
                                 "snp: ARK-%s CRL is not current at unix time %lld (this "
                                 "update %s, next update %s)",
                                 snp_product_name(c->product), (long long)now, lu, nu);
    }
    X509_REVOKED *rev = NULL;
    if (X509_CRL_get0_by_cert(crl, &rev, c->mid) == 1)
        return attest_ctx__error(ctx, ATTEST_E_REVOKED,
                                 "snp: %s is revoked by the ARK-%s CRL", mid_name,
                                 snp_product_name(c->product));
    return ATTEST_OK;
}

/* AMD's CRL (ARK-signed) lists revoked ASKs and ASVKs; check every one supplied: the
 * evidence's CRL entries, then the ctx's sources. */
static attest_status check_revocation(attest_ctx *ctx, const struct snp_cert_table *table,
                                      const struct snp_chain *c, const char *mid_name)
{
    STACK_OF(X509_CRL) *known = NULL;
    attest_status rc;

    for (size_t i = 0; table != NULL && i < table->count; i++) {
        const struct snp_cert_entry *e = &table->entries[i];
        if (e->kind != SNP_CERT_CRL)
            continue;
        const unsigned char *p = e->data;
        X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)e->len);
        if (crl == NULL) {
            BIO *bio = BIO_new_mem_buf(e->data, (int)e->len);
            crl = bio != NULL ? PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL) : NULL;
            BIO_free(bio);
        }
        if (crl == NULL)
            return attest_ctx__error(ctx, ATTEST_E_PARSE,
                                     "snp: certificate table entry %zu is not a DER or PEM "
                                     "CRL",
                                     i);
        rc = check_revocation_one(ctx, crl, c, mid_name);
        X509_CRL_free(crl);
        if (rc != ATTEST_OK)
            return rc;
    }
    if ((rc = attest_ctx__crls(ctx, &known)) != ATTEST_OK)
        return rc;
    /* our own references: checking may add to the ctx cache, which may evict the list */
    STACK_OF(X509_CRL) *crls = sk_X509_CRL_dup(known);
    if (crls == NULL && sk_X509_CRL_num(known) > 0)
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: out of memory");
    for (int i = 0; i < sk_X509_CRL_num(crls); i++)
        X509_CRL_up_ref(sk_X509_CRL_value(crls, i));
    for (int i = 0; rc == ATTEST_OK && i < sk_X509_CRL_num(crls); i++)
        rc = check_revocation_one(ctx, sk_X509_CRL_value(crls, i), c, mid_name);
    sk_X509_CRL_pop_free(crls, X509_CRL_free);
    return rc;
}

attest_status snp_report_authenticate(attest_ctx *ctx, const struct snp_report *rep,
                                      const struct snp_cert_table *table,
                                      enum snp_product *product_out, struct snp_tcb *reported)
{
    struct snp_chain *c = NULL;
    attest_status rc;
    const char *who = signer_name(rep->signer);
    const char *mid_name = rep->signer == SNP_SIGNER_VLEK ? "ASVK" : "ASK";

    if ((rc = chain_get(ctx, rep, table, &c)) != ATTEST_OK)
        return rc;
    if ((rc = attest_x509__check_valid(ctx, "snp", c->ark, "ARK")) != ATTEST_OK ||
        (rc = attest_x509__check_valid(ctx, "snp", c->mid, mid_name)) != ATTEST_OK ||
        (rc = attest_x509__check_valid(ctx, "snp", c->leaf, who)) != ATTEST_OK)
        goto out;
    if ((rc = check_revocation(ctx, table, c, mid_name)) != ATTEST_OK)
        goto out;
    if ((rc = check_tcb(ctx, rep, c->product, &c->ext, reported)) != ATTEST_OK)
        goto out;
    if ((rc = check_signature(ctx, rep, c->leaf)) != ATTEST_OK)
        goto out;
    *product_out = c->product;
out:
    chain_free(c);
    return rc;
}
