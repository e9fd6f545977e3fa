/*
 * libattest: collecting evidence on this machine.
 *
 * An attester asks this machine's TEE for evidence bound to report data the caller
 * chooses (usually a digest from attest_binding_digest()). "auto" picks the first
 * hardware TEE found; it never picks the sample TEE, which must be asked for by name.
 */
#ifndef ATTEST_ATTESTER_H
#define ATTEST_ATTESTER_H

#include "common.h"
#include "ctx.h"
#include "status.h"

ATTEST_BEGIN_DECLS

typedef struct attest_attester attest_attester;
typedef struct attest_evidence attest_evidence;

/**
 * Create an attester.
 * @param out  on ATTEST_OK a new attester, freed with attest_attester_free(); else untouched
 * @param ctx  used for errors and logging; must outlive the attester
 * @param tee  a TEE name or alias, or "auto"
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_UNSUPPORTED (the TEE cannot
 *         collect, or is left out of this build), ATTEST_E_NOT_FOUND ("auto" found no TEE)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_attester_new(attest_attester **out,
                                                              attest_ctx *ctx,
                                                              const char *tee);

/**
 * Create an attester for a simulated TEE device, for tests and demos on machines without
 * the hardware. Today "snp": a simulated SEV-SNP guest whose reports are byte-exact
 * version 3 reports signed by a test VCEK, chained to a test ASK and ARK.
 *
 * The simulated device keeps its keys and certificates in state_dir (created with mode
 * 0700 and filled on first use, reused afterwards, so evidence from several runs verifies
 * against one root). Its root is never trusted by default: a verifier accepts it only
 * after attest_ctx_add_trust_dir(ctx, state_dir), whose "pins" file pins the test ARK.
 *
 * @param out        on ATTEST_OK a new attester, freed with attest_attester_free()
 * @param ctx        used for errors; must outlive the attester
 * @param tee        "snp"
 * @param state_dir  copied; created if missing
 * The state is opened (created, or loaded and checked) by each attest_attester_collect(),
 * which then also returns ATTEST_E_IO (state_dir unusable) or ATTEST_E_PARSE (state_dir
 * holds damaged or mismatched keys).
 *
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_UNSUPPORTED (no simulator for
 *         tee)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_attester_new_simulated(attest_attester **out,
                                                                        attest_ctx *ctx,
                                                                        const char *tee,
                                                                        const char *state_dir);

/** Free an attester. NULL is a no-op. @since 0.1 */
ATTEST_API void attest_attester_free(attest_attester *a);

/**
 * The canonical name of the attester's TEE.
 * @return borrowed until attest_attester_free()
 * @since 0.1
 */
ATTEST_API const char *attest_attester_tee(const attest_attester *a);

/**
 * Collect evidence whose report data is report_data. Hardware TEEs zero-pad it to their
 * field (64 bytes for SNP and TDX); the sample TEE stores it as given.
 * @param report_data  0 .. 64 bytes (the TEE's report data field size)
 * @param out          on ATTEST_OK new evidence, freed with attest_evidence_free(); else
 *                     untouched
 * @return ATTEST_OK, ATTEST_E_ARG (too long), ATTEST_E_NOMEM, ATTEST_E_IO (the device or
 *         configfs failed, or a simulator's state_dir is unusable), ATTEST_E_PARSE (a
 *         simulator's state_dir is damaged), ATTEST_E_UNSUPPORTED
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_attester_collect(attest_attester *a,
                                                                  const uint8_t *report_data,
                                                                  size_t len,
                                                                  attest_evidence **out);

/** Free evidence. NULL is a no-op. @since 0.1 */
ATTEST_API void attest_evidence_free(attest_evidence *ev);

/**
 * The evidence bytes, in the format attest_verify() and Trustee's Attestation Service
 * accept for the TEE.
 * @param len  receives the length; may be NULL
 * @return borrowed until attest_evidence_free()
 * @since 0.1
 */
ATTEST_API const uint8_t *attest_evidence_data(const attest_evidence *ev, size_t *len);

/**
 * The canonical TEE name of the evidence.
 * @return borrowed until attest_evidence_free()
 * @since 0.1
 */
ATTEST_API const char *attest_evidence_tee(const attest_evidence *ev);

ATTEST_END_DECLS

#endif /* ATTEST_ATTESTER_H */
