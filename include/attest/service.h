/*
 * libattest: the Attestation Service core, compatible with Trustee's CoCo-AS.
 *
 * attest_service takes the bodies of Trustee's AS REST API (POST /attestation, POST
 * /policy, GET /policy, POST /challenge, /.well-known/jwks.json); examples/as-grpc turns
 * the gRPC messages into the same JSON. It verifies evidence, appraises it with a stored (or built-in) policy
 * and reference values, and mints the configured token (EAR or "simple"). It does no I/O
 * but its own files (policies, reference values, keys): the servers in examples/ carry
 * the HTTP and gRPC. One service is used by one thread at a time.
 *
 * Wire formats: ../shared/specs/attestation-service.md; configuration: Trustee's AS
 * config file (docs/service.md).
 */
#ifndef ATTEST_SERVICE_H
#define ATTEST_SERVICE_H

#include "common.h"
#include "ctx.h"
#include "status.h"

ATTEST_BEGIN_DECLS

typedef struct attest_service attest_service;

/**
 * Create a service from Trustee's AS configuration (JSON):
 *   {"work_dir": DIR,
 *    "rvps_config": {"type": "BuiltIn", "store_type": "LocalFs"|"LocalJson",
 *                    "store_config": {"file_path": PATH}},
 *    "attestation_token_broker": {"type": "Ear"|"Simple", "duration_min": N,
 *        "issuer_name", "developer_name", "build_name", "profile_name", "policy_dir",
 *        "signer": {"key_path": PEM, "cert_path": PEM chain, "cert_url": URL}}}
 * Every member is optional. Without work_dir, policies and reference values live in
 * memory; with it, in <work_dir>/token/<ear|simple>/policies and
 * <work_dir>/reference_values (LocalFs) or <work_dir>/reference_values.json (LocalJson)
 * unless configured otherwise. "cert_url" is accepted and not used (no network I/O). Without a signer a key is
 * generated (ES256 for EAR, RS384 for Simple), as Trustee does. "policy_engine" is
 * ignored (policies are libattest's JSON policies, docs/policy.md); a "GrpcRemote" RVPS
 * is ATTEST_E_UNSUPPORTED (the library does no network I/O).
 * @param ctx     trust anchors, collateral, time and errors for every call; must outlive
 *                the service
 * @param config  JSON text, or NULL (len 0) for the defaults
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_PARSE (naming the member),
 *         ATTEST_E_UNSUPPORTED, ATTEST_E_IO (a key, policy or store cannot be read),
 *         ATTEST_E_CHAIN (cert_path is not for key_path), ATTEST_E_INTERNAL
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_service_new(attest_service **out,
                                                             attest_ctx *ctx,
                                                             const char *config, size_t len);

/** The same from a configuration file (at most 1 MiB). @since 0.1 */
ATTEST_API ATTEST_NODISCARD attest_status attest_service_load(attest_service **out,
                                                              attest_ctx *ctx,
                                                              const char *path);

/** Free a service (its files stay). NULL is a no-op. @since 0.1 */
ATTEST_API void attest_service_free(attest_service *s);

/**
 * POST /attestation: a Trustee AS request
 *   {"verification_requests": [{"tee", "evidence": b64url, "runtime_data":
 *     {"raw": b64url} | {"structured": JSON}, "init_data": {"init_data_digest": b64url} |
 *     {"init_data_toml": TOML}, "runtime_data_hash_algorithm"}], "policy_ids": [...]}
 * (or the older flat form with those members at the top level) in, a token out.
 * Evidence is verified, bound, appraised with policy "<id>_cpu" or "<id>" (the first
 * policy id; "default" falls back to the built-in default for the TEE), and a token minted.
 * @param token  on ATTEST_OK the JWT, freed with attest_free()
 * @return ATTEST_OK; ATTEST_E_PARSE (malformed request, naming the member); a
 *         verification error (ATTEST_E_SIGNATURE, _CHAIN, _BINDING, ...); ATTEST_E_POLICY
 *         (a stored release policy denied it); ATTEST_E_NOT_FOUND (unknown policy id);
 *         ATTEST_E_UNSUPPORTED (tee, or more than one verification request)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_service_attest(attest_service *s,
                                                                const char *request,
                                                                size_t len, char **token);

/**
 * POST /policy: {"policy_id": ID, "policy": b64url(policy text)} ("type" is ignored). The
 * policy is parsed before it is stored.
 * @return ATTEST_OK, ATTEST_E_PARSE (request or policy, naming the JSON path),
 *         ATTEST_E_ARG (bad id), ATTEST_E_IO
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_service_set_policy(attest_service *s,
                                                                    const char *request,
                                                                    size_t len);

/** GET /policy: [{"policy-id": ID}, ...], freed with attest_free(). @since 0.1 */
ATTEST_API ATTEST_NODISCARD attest_status attest_service_list_policies(attest_service *s,
                                                                       char **json);

/** GET /policy/{id}: the policy text, freed with attest_free(). ATTEST_E_NOT_FOUND. */
ATTEST_API ATTEST_NODISCARD attest_status attest_service_get_policy(attest_service *s,
                                                                    const char *id,
                                                                    char **text);

/**
 * POST /challenge: {"tee": TEE, "tee_params": STRING}. The TEEs libattest verifies have no
 * supplemental challenge: the answer is "" for a known TEE.
 * @return ATTEST_OK, ATTEST_E_PARSE, ATTEST_E_UNSUPPORTED (unknown tee)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_service_challenge(attest_service *s,
                                                                   const char *request,
                                                                   size_t len,
                                                                   char **challenge);

/** GET /.well-known/jwks.json: {"keys": [the signer's JWK]}, freed with attest_free(). */
ATTEST_API ATTEST_NODISCARD attest_status attest_service_jwks(attest_service *s, char **json);

/** RVPS RegisterReferenceValue: an RVPS message (see attest_refvals_register()). */
ATTEST_API ATTEST_NODISCARD attest_status attest_service_register_refval(attest_service *s,
                                                                         const char *message,
                                                                         size_t len);

/** RVPS QueryReferenceValue: the value's JSON, or NULL when unknown (ATTEST_OK). */
ATTEST_API ATTEST_NODISCARD attest_status attest_service_query_refval(attest_service *s,
                                                                      const char *name,
                                                                      char **json);

ATTEST_END_DECLS

#endif /* ATTEST_SERVICE_H */
