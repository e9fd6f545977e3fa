/*
 * libattest: the Key Broker Service core, speaking Trustee's KBS protocol (v0.4.0).
 *
 * attest_kbs handles one HTTP request at a time, HTTP-agnostically: the method, path,
 * session cookie, Authorization header and body in; the status, body and Set-Cookie out.
 * It runs the RCAR handshake (/kbs/v0/auth, /kbs/v0/attest) with an attest_service in the
 * same process (background-check mode), releases resources from a directory repository
 * (<repository>/<type>/<tag>) JWE-encrypted to the TEE's key after a resource policy
 * allowed the attestation token, and accepts tokens from trusted issuers as a Bearer
 * token (passport mode). Admin routes need a Bearer JWT signed by an admin key.
 *
 * Wire formats: ../shared/specs/kbs-protocol.md; examples/kbs is the HTTP shell.
 * One attest_kbs is used by one thread at a time.
 */
#ifndef ATTEST_KBS_H
#define ATTEST_KBS_H

#include "common.h"
#include "ctx.h"
#include "service.h"
#include "status.h"

ATTEST_BEGIN_DECLS

typedef struct attest_kbs attest_kbs;

/**
 * Create a KBS.
 * @param ctx           time, trust anchors and errors; must outlive the KBS
 * @param as            the in-process Attestation Service for /kbs/v0/attest (borrowed;
 *                      must outlive the KBS), or NULL for a resource-only KBS that accepts
 *                      passport tokens alone
 * @param resource_dir  the repository root; resources are files <dir>/<repo>/<type>/<tag>
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_IO (resource_dir is not a
 *         directory)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_kbs_new(attest_kbs **out, attest_ctx *ctx,
                                                         attest_service *as,
                                                         const char *resource_dir);

/** Free a KBS and its sessions. NULL is a no-op. @since 0.1 */
ATTEST_API void attest_kbs_free(attest_kbs *k);

/** Session lifetime in seconds (default 300, as Trustee's 5 minutes). @since 0.1 */
ATTEST_API ATTEST_NODISCARD attest_status attest_kbs_set_session_timeout(attest_kbs *k,
                                                                         int64_t seconds);

/**
 * Trust attestation tokens signed by these keys (a JWK or JWKS) as Bearer tokens: the
 * passport mode's issuers. Tokens of the in-process service are always trusted.
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_kbs_trust_issuer(attest_kbs *k,
                                                                  const char *jwks,
                                                                  size_t len);

/**
 * The admin key: Bearer JWTs on admin routes must be signed by it (a PEM public key or
 * certificate: Ed25519 as in Trustee's kbs-client, EC or RSA) and unexpired. Without an
 * admin key every admin request is refused (Trustee's DenyAll).
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_kbs_set_admin_key(attest_kbs *k,
                                                                   const char *pem, size_t len);

/**
 * The resource policy (a libattest release policy over the token's claims, see
 * docs/policy.md). The default refuses tokens for the sample TEE and allows the rest, as
 * Trustee's default resource policy does.
 * @return ATTEST_OK, ATTEST_E_PARSE (naming the JSON path), ATTEST_E_ARG, ATTEST_E_NOMEM
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_kbs_set_resource_policy(attest_kbs *k,
                                                                         const char *json,
                                                                         size_t len);

/**
 * Handle one request.
 * @param method         "GET", "POST", "DELETE", ...
 * @param path           the URL path ("/kbs/v0/auth"); no query string
 * @param session        the value of the kbs-session-id cookie, or NULL
 * @param authorization  the Authorization header, or NULL
 * @param status         on ATTEST_OK the HTTP status (200, or 401/404 with a KBS
 *                       ErrorInformation body {"type", "detail"})
 * @param body           on ATTEST_OK the response body (NUL-terminated), freed with
 *                       attest_free()
 * @param set_cookie     on ATTEST_OK a Set-Cookie header value, or NULL; attest_free()
 * @return ATTEST_OK when a response was made (whatever its status), ATTEST_E_ARG or
 *         ATTEST_E_NOMEM otherwise
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_kbs_handle(attest_kbs *k, const char *method,
                                                            const char *path,
                                                            const char *session,
                                                            const char *authorization,
                                                            const uint8_t *body, size_t len,
                                                            unsigned *status, char **body_out,
                                                            size_t *body_len, char **set_cookie);

ATTEST_END_DECLS

#endif /* ATTEST_KBS_H */
