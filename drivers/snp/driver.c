/* The snp driver: detect, and verify in DESIGN.md's order (parse -> authenticate -> bind ->
 * claims). Collection lives in collect.c. */
#include <string.h>

#include "../../lib/driver.h"
#include "snp.h"

static attest_status snp_verify(attest_ctx *ctx, const struct attest_verify_input *in,
                                struct attest_verify_output *out)
{
    struct snp_evidence ev;
    struct snp_report rep;
    struct snp_tcb reported;
    enum snp_product product;
    attest_status rc;

    /* parse */
    if ((rc = snp_evidence_parse(ctx, in->evidence, in->evidence_len, &ev)) != ATTEST_OK)
        return rc;
    if ((rc = snp_report_parse(ctx, ev.report, SNP_REPORT_SIZE, &rep)) != ATTEST_OK)
        goto out;
    /* authenticate */
    if ((rc = snp_report_authenticate(ctx, &rep, &ev.certs, &product, &reported)) != ATTEST_OK)
        goto out;
    /* bind: REPORT_DATA (64) to runtime data, HOST_DATA (32) to init data */
    if ((rc = attest_binding__check(ctx, "snp", "report_data", "runtime data", in->runtime,
                                    rep.report_data, 64)) != ATTEST_OK ||
        (rc = attest_binding__check(ctx, "snp", "host_data", "init data", in->init,
                                    rep.host_data, 32)) != ATTEST_OK)
        goto out;
    /* claims */
    if ((out->claims = snp_claims(&rep, product)) == NULL) {
        rc = attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: out of memory");
        goto out;
    }
    out->tcb_status = NULL; /* AMD publishes no TCB status; policy judges reported_tcb */
    /* A debug guest's memory is readable by the host: authentic, but never affirmed. */
    out->verdict = (rep.policy >> 19) & 1 ? ATTEST_VERDICT_CONTRAINDICATED
                                          : ATTEST_VERDICT_AFFIRMING;
    if (in->runtime->set) {
        memcpy(out->report_data, rep.report_data, 64);
        out->report_data_len = 64;
        out->report_data_checked = true;
    }
    if (in->init->set) {
        memcpy(out->init_data, rep.host_data, 32);
        out->init_data_len = 32;
        out->init_data_checked = true;
    }
out:
    snp_evidence_free(&ev);
    return rc;
}

/* The simulated device's evidence: Trustee's SnpEvidence JSON with VCEK, ASK and ARK, the
 * same format collection on a real guest writes. */
static attest_status snp_simulate(attest_ctx *ctx, const char *state_dir,
                                  const uint8_t *report_data, size_t len, uint8_t **out,
                                  size_t *out_len)
{
    struct snp_sim_output sim;
    attest_status rc = snp_simulate_report(ctx, state_dir, report_data, len, &sim);

    if (rc != ATTEST_OK)
        return rc;
    char *json = snp_evidence_to_trustee_json(sim.report, sim.vcek, sim.vcek_len, sim.ask,
                                              sim.ask_len, sim.ark, sim.ark_len);
    snp_sim_output_free(&sim);
    if (json == NULL)
        return attest_ctx__error(ctx, ATTEST_E_NOMEM, "snp: out of memory");
    *out = (uint8_t *)json;
    *out_len = strlen(json);
    return ATTEST_OK;
}

static int snp_detect(const uint8_t *buf, size_t len)
{
    return snp_evidence_detect(buf, len);
}

static const char *const snp_aliases[] = {"sev-snp", "SevSnpVm", NULL};

const struct attest_driver attest_driver_snp = {
    .name = "snp",
    .aliases = snp_aliases,
    .hardware_backed = true,
    .detect = snp_detect,
    .verify = snp_verify,
    .available = snp_available,
    .collect = snp_collect,
    .simulate = snp_simulate,
};
