/*
 * TCB level matching and status convergence as Intel's QVL does it (tdx-sgx.md §9; QVL
 * Checks/TcbLevelCheck.cpp, TdxModuleCheck.cpp, TDRelaunchCheck.cpp, and
 * convergeTcbStatusWithQeTcbStatus).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dcap.h"

static bool sgx_ge(const struct dcap_pck_ext *pck, const struct dcap_tcb_level *l)
{
    for (int i = 0; i < 16; i++)
        if (pck->comp[i] < l->sgx[i])
            return false;
    return pck->pcesvn >= l->pcesvn;
}

static bool tdx_ge(const uint8_t svn[16], const struct dcap_tcb_level *l, int from)
{
    for (int i = from; i < 16; i++)
        if (svn[i] < l->tdx[i])
            return false;
    return true;
}

static bool is_config(enum dcap_status s)
{
    return s == DCAP_CONFIGURATION_NEEDED || s == DCAP_CONFIGURATION_AND_SW_HARDENING_NEEDED ||
           s == DCAP_OUT_OF_DATE_CONFIGURATION_NEEDED;
}

static bool is_out_of_date(enum dcap_status s)
{
    return s == DCAP_OUT_OF_DATE || s == DCAP_OUT_OF_DATE_CONFIGURATION_NEEDED;
}

/* A lower-level verdict that is OutOfDate or Revoked drags the platform's down (QVL). */
static enum dcap_status converge(enum dcap_status platform, enum dcap_status other)
{
    if (other == DCAP_REVOKED)
        return DCAP_REVOKED;
    if (other == DCAP_OUT_OF_DATE) {
        if (platform == DCAP_UP_TO_DATE || platform == DCAP_SW_HARDENING_NEEDED)
            return DCAP_OUT_OF_DATE;
        if (platform == DCAP_CONFIGURATION_NEEDED ||
            platform == DCAP_CONFIGURATION_AND_SW_HARDENING_NEEDED)
            return DCAP_OUT_OF_DATE_CONFIGURATION_NEEDED;
    }
    return platform;
}

static const struct dcap_module_identity *find_module(const struct dcap_tcb_info *ti,
                                                      uint8_t major)
{
    char id[16];
    snprintf(id, sizeof(id), "TDX_%02X", major);
    for (size_t i = 0; i < ti->n_modules; i++)
        if (strcasecmp(ti->modules[i].id, id) == 0)
            return &ti->modules[i];
    return NULL;
}

static bool masked_equal(const uint8_t *a, const uint8_t *mask, const uint8_t *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((a[i] & mask[i]) != want[i])
            return false;
    return true;
}

static void hexs(const uint8_t *p, size_t n, char *out)
{
    attest_hex__encode(p, n, out);
}

/* MRSIGNERSEAM and SEAM_ATTRIBUTES against the module the TCB info names (§8 step 6). */
static attest_status check_module(attest_ctx *ctx, const char *tee, const uint8_t *body,
                                  const struct dcap_tcb_info *ti,
                                  const struct dcap_module_identity **mod_out)
{
    const uint8_t *svn = body + DCAP_TD_TEE_TCB_SVN;
    const uint8_t *mrsigner = ti->module_mrsigner, *attrs = ti->module_attributes,
                  *mask = ti->module_attributes_mask;
    const struct dcap_module_identity *mod = NULL;
    char got[97];

    *mod_out = NULL;
    if (!ti->has_tdx_module)
        return attest_ctx__error(ctx, ATTEST_E_PARSE, "%s: TDX TCB info lacks tdxModule", tee);
    if (svn[1] > 0 && ti->n_modules > 0) {
        if ((mod = find_module(ti, svn[1])) == NULL)
            return attest_ctx__error(ctx, ATTEST_E_TCB,
                                     "%s: TDX module TDX_%02X (tee_tcb_svn[1]) is not among the "
                                     "TCB info's tdxModuleIdentities",
                                     tee, svn[1]);
        mrsigner = mod->mrsigner;
        attrs = mod->attributes;
        mask = mod->attributes_mask;
    }
    if (!attest_ct_equal(body + DCAP_TD_MRSIGNERSEAM, mrsigner, 48)) {
        hexs(body + DCAP_TD_MRSIGNERSEAM, 48, got);
        return attest_ctx__error(ctx, ATTEST_E_TCB,
                                 "%s: mr_signer_seam does not match the TCB info's TDX module "
                                 "mrsigner (got %s)",
                                 tee, got);
    }
    if (!masked_equal(body + DCAP_TD_SEAM_ATTRIBUTES, mask, attrs, 8)) {
        hexs(body + DCAP_TD_SEAM_ATTRIBUTES, 8, got);
        return attest_ctx__error(ctx, ATTEST_E_TCB,
                                 "%s: seam_attributes %s do not match the TCB info's TDX module "
                                 "attributes under its mask",
                                 tee, got);
    }
    *mod_out = mod;
    return ATTEST_OK;
}

/* The QE report against the QE identity (§8 step 9); *out is the QE's TCB level. */
static attest_status check_qe(attest_ctx *ctx, const char *tee, const uint8_t *qer,
                              const struct dcap_qe_identity *qe,
                              const struct dcap_module_level **out)
{
    uint32_t rm = dcap_le32(qer + DCAP_ER_MISCSELECT);
    if ((rm & qe->miscselect_mask) != qe->miscselect)
        return attest_ctx__error(ctx, ATTEST_E_TCB,
                                 "%s: QE report miscselect 0x%08x does not match the QE identity "
                                 "(0x%08x under mask 0x%08x)",
                                 tee, rm, qe->miscselect, qe->miscselect_mask);
    if (!masked_equal(qer + DCAP_ER_ATTRIBUTES, qe->attributes_mask, qe->attributes, 16))
        return attest_ctx__error(ctx, ATTEST_E_TCB,
                                 "%s: QE report attributes do not match the QE identity under "
                                 "its mask",
                                 tee);
    if (!attest_ct_equal(qer + DCAP_ER_MRSIGNER, qe->mrsigner, 32))
        return attest_ctx__error(ctx, ATTEST_E_TCB,
                                 "%s: QE report mrsigner is not the QE identity's (not Intel's "
                                 "quoting enclave)",
                                 tee);
    uint16_t prod = dcap_le16(qer + DCAP_ER_ISVPRODID), svn = dcap_le16(qer + DCAP_ER_ISVSVN);
    if (prod != qe->isvprodid)
        return attest_ctx__error(ctx, ATTEST_E_TCB,
                                 "%s: QE report isvprodid %u is not the QE identity's %u", tee,
                                 prod, qe->isvprodid);
    for (size_t i = 0; i < qe->n_levels; i++)
        if (qe->levels[i].isvsvn <= svn) {
            *out = &qe->levels[i];
            return ATTEST_OK;
        }
    return attest_ctx__error(ctx, ATTEST_E_TCB,
                             "%s: QE isvsvn %u is below every level of the QE identity (TCB not "
                             "supported)",
                             tee, svn);
}

/* QVL TDRelaunchCheck: a TD 1.5 quote from an out-of-date module whose current module
 * (TEE_TCB_SVN_2) is up to date is told to relaunch instead. */
static bool relaunch_advised(const uint8_t *svn2, const struct dcap_tcb_info *ti)
{
    const struct dcap_tcb_level *latest = &ti->levels[0];
    if (svn2[1] == 0)
        return svn2[0] >= latest->tdx[0] && svn2[2] >= latest->tdx[2];
    const struct dcap_module_identity *m = find_module(ti, svn2[1]);
    return m != NULL && m->n_levels > 0 && svn2[0] >= m->levels[0].isvsvn &&
           svn2[2] >= latest->tdx[2];
}

static void add_extra(struct dcap_tcb_result *out, const struct dcap_advisories *a)
{
    for (size_t i = 0; i < a->count; i++) {
        bool dup = false;
        for (size_t k = 0; k < out->adv.count && !dup; k++)
            dup = strcmp(out->adv.ids[k], a->ids[i]) == 0;
        for (size_t k = 0; k < out->n_adv_extra && !dup; k++)
            dup = strcmp(out->adv_extra[k], a->ids[i]) == 0;
        if (!dup && out->n_adv_extra < sizeof(out->adv_extra) / sizeof(out->adv_extra[0]))
            out->adv_extra[out->n_adv_extra++] = a->ids[i];
    }
}

attest_status dcap_tcb_evaluate(attest_ctx *ctx, const char *tee, const struct dcap_quote *q,
                                const struct dcap_pck_ext *pck, const struct dcap_tcb_info *ti,
                                const struct dcap_qe_identity *qe, struct dcap_tcb_result *out)
{
    const struct dcap_module_level *qe_level = NULL, *mod_level = NULL;
    const struct dcap_module_identity *mod = NULL;
    const struct dcap_tcb_level *sgx_level = NULL, *level = NULL;
    bool tdx = q->body_type != DCAP_BODY_SGX;
    attest_status rc;
    size_t i;

    memset(out, 0, sizeof(*out));
    if ((rc = check_qe(ctx, tee, q->qe_report, qe, &qe_level)) != ATTEST_OK)
        return rc;
    if (tdx && (rc = check_module(ctx, tee, q->body, ti, &mod)) != ATTEST_OK)
        return rc;
    const uint8_t *svn = q->body + DCAP_TD_TEE_TCB_SVN;
    for (i = 0; i < ti->n_levels && sgx_level == NULL; i++)
        if (sgx_ge(pck, &ti->levels[i]))
            sgx_level = &ti->levels[i];
    if (sgx_level == NULL)
        return attest_ctx__error(ctx, ATTEST_E_TCB,
                                 "%s: the PCK certificate's TCB (SGX components and pcesvn %u) "
                                 "is below every TCB level of the TCB info (TCB not supported)",
                                 tee, pck->pcesvn);
    level = sgx_level;
    if (tdx) {
        /* bytes 0 and 1 describe the TDX module when it has an identity (§9) */
        int from = mod != NULL ? 2 : 0;
        level = NULL;
        for (i = (size_t)(sgx_level - ti->levels); i < ti->n_levels && level == NULL; i++)
            if (sgx_ge(pck, &ti->levels[i]) && tdx_ge(svn, &ti->levels[i], from))
                level = &ti->levels[i];
        if (level == NULL) {
            char h[33];
            hexs(svn, 16, h);
            return attest_ctx__error(ctx, ATTEST_E_TCB,
                                     "%s: tee_tcb_svn %s is below every TCB level the platform "
                                     "reaches (TCB not supported)",
                                     tee, h);
        }
    }
    enum dcap_status st = level->status;
    if (mod != NULL) {
        for (i = 0; i < mod->n_levels && mod_level == NULL; i++)
            if (mod->levels[i].isvsvn <= svn[0])
                mod_level = &mod->levels[i];
        if (mod_level == NULL)
            return attest_ctx__error(ctx, ATTEST_E_TCB,
                                     "%s: TDX module %s isvsvn %u is below every level of its "
                                     "identity (TCB not supported)",
                                     tee, mod->id, svn[0]);
        st = converge(st, mod_level->status);
    }
    out->platform_status = st;
    out->qe_status = qe_level->status;
    if (q->body_type == DCAP_BODY_TD15 && qe_level->status != DCAP_OUT_OF_DATE &&
        !is_out_of_date(sgx_level->status) && is_out_of_date(st) && mod_level != NULL &&
        mod_level->status == DCAP_OUT_OF_DATE &&
        relaunch_advised(q->body + DCAP_TD_TEE_TCB_SVN2, ti)) {
        bool cfg = is_config(sgx_level->status) || is_config(st);
        st = cfg ? DCAP_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED : DCAP_TD_RELAUNCH_ADVISED;
    }
    out->status = converge(st, qe_level->status);
    out->tcb_date = level->tcb_date;
    out->adv = level->adv;
    if (mod_level != NULL)
        add_extra(out, &mod_level->adv);
    add_extra(out, &qe_level->adv);
    return ATTEST_OK;
}
