/*
 * libattest: reference values (a Trustee RVPS store).
 *
 * A reference value is a named JSON value that appraisal compares claims with, e.g.
 * "snp_launch_measurement" -> ["<hex>", "<hex>"]. The store takes them in as Trustee's
 * Reference Value Provider Service (RVPS) does: a register message
 *
 *   {"version": "0.1.0", "type": "sample", "payload": "<std base64 of a JSON object>"}
 *
 * makes each top-level member of the decoded payload a reference value of that name,
 * valid until the ctx time plus 12 months. A query returns only the value (JSON text);
 * a value whose expiration is earlier than the ctx time is absent.
 *
 * Three store types, named as in Trustee's RVPS configuration:
 *
 *   "memory"     nothing persists; for tests and short-lived verifiers
 *   "LocalJson"  one JSON file: Trustee's array of stored records, or the newer
 *                key-value object of base64 records; created as "[]" when missing
 *   "LocalFs"    a directory with one file per reference value, holding its record
 *
 * docs/refvals.md describes the file layouts, what loads unchanged from Trustee and what
 * does not (Trustee's older LocalFs is a sled database, which is refused).
 *
 * Names are 1..255 bytes of UTF-8 without '/', '\', "..", control characters or a leading
 * '.', so that a LocalFs name is always one file inside the store's directory.
 *
 * Writes are crash-safe: the new file is written next to the old one, synced and renamed
 * over it, and the directory is synced. A write that fails leaves the store (the files and
 * the handle) as it was and returns ATTEST_E_IO (docs/refvals.md: the two exceptions, a
 * LocalFs rename or a directory sync failing after the new files are in place).
 *
 * Threads: a store handle is used by one thread at a time, like its ctx. Two handles (or
 * programs) must not write one store at once; a handle reads its store when opened and
 * does not see later changes made by others.
 */
#ifndef ATTEST_REFVALS_H
#define ATTEST_REFVALS_H

#include "common.h"
#include "ctx.h"
#include "status.h"

ATTEST_BEGIN_DECLS

typedef struct attest_refvals attest_refvals;

/** The longest reference-value name, in bytes. */
#define ATTEST_REFVALS_NAME_MAX 255

/** attest_refvals_list() flag: also list values that expired before the ctx time. */
#define ATTEST_REFVALS_LIST_EXPIRED 1u

/**
 * Open a reference-value store and read it.
 * @param out   on ATTEST_OK a new store, freed with attest_refvals_free(); else untouched
 * @param ctx   used for errors and for the time (expiry); must outlive the store
 * @param type  "memory", "LocalJson" or "LocalFs"
 * @param path  NULL for "memory"; the JSON file for "LocalJson" (created as "[]" when
 *              missing; its directory must exist); the directory for "LocalFs" (created
 *              when missing; its parent must exist). Copied.
 * @return ATTEST_OK, ATTEST_E_ARG (NULL out, ctx or type; a path for "memory" or none for
 *         the others), ATTEST_E_NOMEM, ATTEST_E_UNSUPPORTED (an unknown type; a sled
 *         database or a name or entry form libattest does not take), ATTEST_E_PARSE (a
 *         damaged file or record, a name twice), ATTEST_E_IO (cannot read, create or
 *         list; not a regular file or directory)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_refvals_open(attest_refvals **out,
                                                              attest_ctx *ctx,
                                                              const char *type,
                                                              const char *path);

/** Free a store handle (the store's files stay). NULL is a no-op. @since 0.1 */
ATTEST_API void attest_refvals_free(attest_refvals *rv);

/**
 * Register the reference values of an RVPS message (Trustee rvps Message, version
 * "0.1.0"; "version" may be left out, as Trustee allows). Type "sample" is supported: each
 * top-level member of the payload becomes a value of that name, kept verbatim, replacing
 * any value of that name, expiring 12 months after the ctx time. "provenance", the
 * Trustee README's name for "payload", is accepted when "payload" is absent. Other
 * members are ignored. All of a message's values are stored, or none (see docs/refvals.md
 * for a crash in the middle of a LocalFs write).
 * @param message  JSON text, len bytes (no NUL needed)
 * @return ATTEST_OK, ATTEST_E_ARG (NULL rv or message), ATTEST_E_NOMEM, ATTEST_E_PARSE
 *         (not JSON, a member missing or of the wrong type, payload not base64 or not a
 *         JSON object, an invalid name; the message names the field), ATTEST_E_UNSUPPORTED
 *         (a version other than "0.1.0", a type other than "sample"), ATTEST_E_IO
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_refvals_register(attest_refvals *rv,
                                                                  const char *message,
                                                                  size_t len);

/**
 * The value of a reference value at the ctx time, as compact JSON text.
 * @param value_json  on ATTEST_OK the value (free with attest_free()), or NULL when no
 *                    value has that name or it expired before the ctx time; else untouched
 * @return ATTEST_OK, ATTEST_E_ARG (NULL argument or an invalid name), ATTEST_E_NOMEM
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_refvals_query(attest_refvals *rv,
                                                               const char *name,
                                                               char **value_json);

/**
 * Store one reference value, replacing any of that name.
 * @param value_json  any JSON value, NUL-terminated; stored compact
 * @param expiration  unix seconds up to 9999-12-31T23:59:59Z; 0 for the ctx time plus 12
 *                    months. The value is returned until that second, inclusive.
 * @return ATTEST_OK, ATTEST_E_ARG (NULL argument, invalid name, expiration out of range),
 *         ATTEST_E_NOMEM, ATTEST_E_PARSE (value_json is not one JSON value), ATTEST_E_IO
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_refvals_set(attest_refvals *rv,
                                                             const char *name,
                                                             const char *value_json,
                                                             int64_t expiration);

/**
 * Delete a reference value, expired or not.
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_NOT_FOUND (no value of that
 *         name), ATTEST_E_IO
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_refvals_delete(attest_refvals *rv,
                                                                const char *name);

/**
 * The names in the store, sorted by byte value, as a JSON array of strings.
 * @param flags       0: only values present at the ctx time; ATTEST_REFVALS_LIST_EXPIRED:
 *                    expired ones too
 * @param names_json  on ATTEST_OK the array (free with attest_free()); else untouched
 * @return ATTEST_OK, ATTEST_E_ARG (NULL argument or an unknown flag), ATTEST_E_NOMEM
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_refvals_list(attest_refvals *rv,
                                                              unsigned int flags,
                                                              char **names_json);

/**
 * attest_refvals_query() in the shape of the policy engine's reference-value callback
 * (attest_refval_fn in <attest/policy.h>): pass it with the store as payload, e.g.
 * attest_policy_appraise(ctx, policy, claims, len, attest_refvals_lookup, rv, &vec, &st).
 * A name no store can hold (attest_refvals_query() gives ATTEST_E_ARG) is answered as an
 * unknown one: a policy names values, and a name that cannot exist has no value.
 * @param name      the reference value's name
 * @param json_out  on ATTEST_OK the value as JSON text (free with attest_free(), which is
 *                  free()), or NULL when unknown or expired at the ctx time; else untouched
 * @param payload   an attest_refvals *
 * @return ATTEST_OK, ATTEST_E_ARG (NULL payload or json_out), ATTEST_E_NOMEM
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_refvals_lookup(const char *name,
                                                                char **json_out,
                                                                void *payload);

ATTEST_END_DECLS

#endif /* ATTEST_REFVALS_H */
