/*
 * libattest: binding runtime data and init data to evidence.
 *
 * A TEE report carries fields the guest chose: report data (SNP REPORT_DATA, TDX
 * REPORTDATA, ...) and init data (SNP HOST_DATA, TDX MRCONFIGID). A verifier checks them
 * against what it expects. The expected value is derived from the caller's data in one of
 * the ways of attest_data_kind, then zero-padded on the right to the field's length and
 * compared with the whole field in constant time. An expected value longer than the field
 * is an error, except for init data the caller marks as Trustee does it (an init-data TOML
 * document, or ATTEST_DATA_TRUNCATE), which is compared truncated to a field of at least
 * 32 bytes.
 *
 * Structured data is canonicalised with RFC 8785 (JCS), as Trustee's Attestation Service
 * does: object keys sorted by UTF-16 code units at every level, no whitespace, strings with
 * only '"', '\\' and control characters escaped (non-ASCII kept as UTF-8), numbers in their
 * shortest ECMAScript form. Integer literals that fit in 64 bits are written exactly as
 * integers, so for integers, strings, booleans and null the output equals Python's
 * json.dumps(o, sort_keys=True, separators=(',', ':'), ensure_ascii=False), except for
 * the order of object keys that mix characters above U+FFFF with characters in
 * U+E000..U+FFFF (RFC 8785 compares UTF-16 code units, Python compares code points).
 */
#ifndef ATTEST_BINDING_H
#define ATTEST_BINDING_H

#include "common.h"
#include "ctx.h"
#include "status.h"

ATTEST_BEGIN_DECLS

/** How caller data becomes the expected field value. */
typedef enum attest_data_kind {
    /** The bytes are the expected value itself (Trustee AS "raw" runtime data). */
    ATTEST_DATA_RAW = 0,
    /** JSON text, canonicalised (RFC 8785) and hashed (Trustee AS "structured"). */
    ATTEST_DATA_JSON = 1,
    /** The bytes, hashed (MAA and the Azure SKR sidecar). */
    ATTEST_DATA_RAW_HASHED = 2,
    /** Trustee's init-data TOML ("version", "algorithm", [data]): its exact text hashed
     * with the algorithm it names (the alg argument is ignored). As in Trustee, a digest
     * longer than the evidence field is compared truncated to the field (a sha384 digest
     * with SEV-SNP's 32-byte HOST_DATA). */
    ATTEST_DATA_INITDATA_TOML = 3,
    /** A flag to OR into a kind for attest_request_set_init_data(): an expected value
     * longer than the evidence field is compared truncated to the field, as Trustee's
     * verifiers treat init data (a sha384 digest with SEV-SNP's 32-byte HOST_DATA),
     * instead of being an error. attest_binding_digest() ignores it. */
    ATTEST_DATA_TRUNCATE = 0x100
} attest_data_kind;

typedef enum attest_hash_alg {
    ATTEST_HASH_SHA384 = 0, /* the default, as in Trustee */
    ATTEST_HASH_SHA256 = 1,
    ATTEST_HASH_SHA512 = 2
} attest_hash_alg;

/** The longest expected value any binding produces (a SHA-512 digest, or a raw value). */
#define ATTEST_BINDING_MAX 64

/**
 * Look up a hash algorithm by name: "sha256", "sha384", "sha512" (any case).
 * @param out  on ATTEST_OK the algorithm; else untouched
 * @return ATTEST_OK, ATTEST_E_ARG (NULL), ATTEST_E_UNSUPPORTED (unknown name)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_hash_alg_from_name(const char *name,
                                                                    attest_hash_alg *out);

/**
 * The lowercase name of an algorithm ("sha384"), or NULL for a value not in the enum.
 * @since 0.1
 */
ATTEST_API const char *attest_hash_alg_name(attest_hash_alg alg);

/**
 * The digest length in bytes (32, 48, 64), or 0 for a value not in the enum.
 * @since 0.1
 */
ATTEST_API size_t attest_hash_alg_size(attest_hash_alg alg);

/**
 * Canonicalise JSON text with RFC 8785 (see the top of this header).
 * Rejected with ATTEST_E_PARSE and a message giving the byte offset: invalid JSON, invalid
 * UTF-8, lone surrogate escapes, duplicate object keys, numbers that are not finite as
 * IEEE doubles, nesting deeper than 128.
 * @param ctx      receives the error message; may not be NULL
 * @param json     UTF-8 JSON text, len bytes (no NUL needed)
 * @param out      on ATTEST_OK NUL-terminated canonical text, freed with attest_free()
 * @param out_len  on ATTEST_OK its length without the NUL; may be NULL
 * @return ATTEST_OK, ATTEST_E_ARG, ATTEST_E_NOMEM, ATTEST_E_PARSE
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_json_canonicalize(attest_ctx *ctx,
                                                                   const char *json,
                                                                   size_t len, char **out,
                                                                   size_t *out_len);

/**
 * Compute the expected field value for caller data.
 * @param kind     ATTEST_DATA_RAW (data copied; alg ignored), ATTEST_DATA_JSON,
 *                 ATTEST_DATA_RAW_HASHED or ATTEST_DATA_INITDATA_TOML (alg ignored)
 * @param out      receives the value; out_cap bytes available (ATTEST_BINDING_MAX is
 *                 always enough for hashed kinds)
 * @param out_len  on ATTEST_OK the value's length
 * @return ATTEST_OK, ATTEST_E_ARG (bad kind or alg, NULL, raw data longer than out_cap),
 *         ATTEST_E_NOMEM, ATTEST_E_PARSE (JSON or TOML, naming the line), ATTEST_E_INTERNAL
 *         (the digest failed)
 * @since 0.1
 */
ATTEST_API ATTEST_NODISCARD attest_status attest_binding_digest(attest_ctx *ctx,
                                                                attest_data_kind kind,
                                                                const uint8_t *data,
                                                                size_t len, attest_hash_alg alg,
                                                                uint8_t *out, size_t out_cap,
                                                                size_t *out_len);

ATTEST_END_DECLS

#endif /* ATTEST_BINDING_H */
