/*
 * struct snp_report -> claims (docs/claims.md, "snp"). Two groups under "snp":
 * Trustee's flat names (measurement, policy_debug_allowed, reported_tcb_microcode, ...),
 * so Trustee policies find what they know, and a structured view of every field
 * (policy.debug, reported_tcb.microcode, platform_info.smt_enabled, ...). Bytes are
 * lowercase hex, flags booleans, numbers integers.
 */
#include <stdio.h>

#include <cjson/cJSON.h>

#include "snp.h"

struct builder {
    cJSON *obj;
    bool ok;
};

static void add_hex(struct builder *b, cJSON *o, const char *name, const uint8_t *p, size_t n)
{
    char hex[129];
    if (!b->ok)
        return;
    attest_hex__encode(p, n, hex);
    b->ok = cJSON_AddStringToObject(o, name, hex) != NULL;
}

static void add_num(struct builder *b, cJSON *o, const char *name, double v)
{
    if (b->ok)
        b->ok = cJSON_AddNumberToObject(o, name, v) != NULL;
}

static void add_bool(struct builder *b, cJSON *o, const char *name, bool v)
{
    if (b->ok)
        b->ok = cJSON_AddBoolToObject(o, name, v) != NULL;
}

static void add_str(struct builder *b, cJSON *o, const char *name, const char *v)
{
    if (b->ok)
        b->ok = cJSON_AddStringToObject(o, name, v) != NULL;
}

static cJSON *add_obj(struct builder *b, cJSON *o, const char *name)
{
    cJSON *c = b->ok ? cJSON_AddObjectToObject(o, name) : NULL;
    b->ok = c != NULL;
    return c;
}

static void add_tcb(struct builder *b, cJSON *o, const char *name, enum snp_product p,
                    uint64_t raw)
{
    struct snp_tcb t;
    char hex[17];
    cJSON *c = add_obj(b, o, name);
    if (c == NULL)
        return;
    snp_tcb_decode(p, raw, &t);
    snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)raw);
    add_str(b, c, "raw", hex);
    if (p == SNP_PRODUCT_TURIN)
        add_num(b, c, "fmc", t.fmc);
    add_num(b, c, "bootloader", t.bootloader);
    add_num(b, c, "tee", t.tee);
    add_num(b, c, "snp", t.snp);
    add_num(b, c, "microcode", t.microcode);
}

static bool bit(uint64_t v, int n)
{
    return (v >> n) & 1;
}

cJSON *snp_claims(const struct snp_report *r, enum snp_product product)
{
    struct builder b = {cJSON_CreateObject(), true};
    cJSON *o = b.obj;
    struct snp_tcb rep;

    if (o == NULL)
        return NULL;
    snp_tcb_decode(product, r->reported_tcb_raw, &rep);

    /* Trustee's names (deps/verifier/src/snp parse_tee_evidence) */
    add_hex(&b, o, "measurement", r->measurement, 48);
    add_hex(&b, o, "report_data", r->report_data, 64);
    add_hex(&b, o, "init_data", r->host_data, 32);
    add_num(&b, o, "policy_abi_major", (double)((r->policy >> 8) & 0xff));
    add_num(&b, o, "policy_abi_minor", (double)(r->policy & 0xff));
    add_bool(&b, o, "policy_smt_allowed", bit(r->policy, 16));
    add_bool(&b, o, "policy_migrate_ma", bit(r->policy, 18));
    add_bool(&b, o, "policy_debug_allowed", bit(r->policy, 19));
    add_bool(&b, o, "policy_single_socket", bit(r->policy, 20));
    add_num(&b, o, "reported_tcb_bootloader", rep.bootloader);
    add_num(&b, o, "reported_tcb_tee", rep.tee);
    add_num(&b, o, "reported_tcb_snp", rep.snp);
    add_num(&b, o, "reported_tcb_microcode", rep.microcode);
    if (product == SNP_PRODUCT_TURIN)
        add_num(&b, o, "reported_tcb_fmc", rep.fmc);
    add_bool(&b, o, "platform_smt_enabled", bit(r->platform_info, 0));
    add_bool(&b, o, "platform_tsme_enabled", bit(r->platform_info, 1));

    /* every field (pub. 56860 ATTESTATION_REPORT) */
    add_num(&b, o, "version", r->version);
    add_str(&b, o, "product", snp_product_name(product));
    add_str(&b, o, "signer", r->signer == SNP_SIGNER_VLEK ? "VLEK" : "VCEK");
    add_num(&b, o, "guest_svn", r->guest_svn);
    add_num(&b, o, "vmpl", r->vmpl);
    add_hex(&b, o, "host_data", r->host_data, 32);
    add_hex(&b, o, "family_id", r->family_id, 16);
    add_hex(&b, o, "image_id", r->image_id, 16);
    add_hex(&b, o, "id_key_digest", r->id_key_digest, 48);
    add_hex(&b, o, "author_key_digest", r->author_key_digest, 48);
    add_hex(&b, o, "report_id", r->report_id, 32);
    add_hex(&b, o, "report_id_ma", r->report_id_ma, 32);
    add_hex(&b, o, "chip_id", r->chip_id, 64);

    cJSON *pol = add_obj(&b, o, "policy");
    if (pol != NULL) {
        add_num(&b, pol, "abi_major", (double)((r->policy >> 8) & 0xff));
        add_num(&b, pol, "abi_minor", (double)(r->policy & 0xff));
        add_bool(&b, pol, "smt", bit(r->policy, 16));
        add_bool(&b, pol, "migrate_ma", bit(r->policy, 18));
        add_bool(&b, pol, "debug", bit(r->policy, 19));
        add_bool(&b, pol, "single_socket", bit(r->policy, 20));
        add_bool(&b, pol, "cxl_allow", bit(r->policy, 21));
        add_bool(&b, pol, "mem_aes_256_xts", bit(r->policy, 22));
        add_bool(&b, pol, "rapl_dis", bit(r->policy, 23));
        add_bool(&b, pol, "ciphertext_hiding", bit(r->policy, 24));
        add_bool(&b, pol, "page_swap_disable", bit(r->policy, 25));
    }
    cJSON *pi = add_obj(&b, o, "platform_info");
    if (pi != NULL) {
        add_bool(&b, pi, "smt_enabled", bit(r->platform_info, 0));
        add_bool(&b, pi, "tsme_enabled", bit(r->platform_info, 1));
        add_bool(&b, pi, "ecc_enabled", bit(r->platform_info, 2));
        add_bool(&b, pi, "rapl_disabled", bit(r->platform_info, 3));
        add_bool(&b, pi, "ciphertext_hiding_enabled", bit(r->platform_info, 4));
        add_bool(&b, pi, "alias_check_complete", bit(r->platform_info, 5));
        add_bool(&b, pi, "tio_enabled", bit(r->platform_info, 7));
    }
    cJSON *ki = add_obj(&b, o, "key_info");
    if (ki != NULL) {
        add_bool(&b, ki, "author_key_en", r->author_key_en);
        add_bool(&b, ki, "mask_chip_key", r->mask_chip_key);
        add_num(&b, ki, "signing_key", r->signer);
    }
    add_tcb(&b, o, "current_tcb", product, r->current_tcb_raw);
    add_tcb(&b, o, "reported_tcb", product, r->reported_tcb_raw);
    add_tcb(&b, o, "committed_tcb", product, r->committed_tcb_raw);
    add_tcb(&b, o, "launch_tcb", product, r->launch_tcb_raw);
    cJSON *fw = add_obj(&b, o, "firmware");
    if (fw != NULL) {
        add_num(&b, fw, "current_major", r->current_major);
        add_num(&b, fw, "current_minor", r->current_minor);
        add_num(&b, fw, "current_build", r->current_build);
        add_num(&b, fw, "committed_major", r->committed_major);
        add_num(&b, fw, "committed_minor", r->committed_minor);
        add_num(&b, fw, "committed_build", r->committed_build);
    }
    if (r->has_cpuid) {
        cJSON *c = add_obj(&b, o, "cpuid");
        if (c != NULL) {
            add_num(&b, c, "family", r->cpuid_fam);
            add_num(&b, c, "model", r->cpuid_mod);
            add_num(&b, c, "stepping", r->cpuid_step);
        }
    }
    if (r->version >= 5) {
        char hex[17];
        snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)r->launch_mit_vector);
        add_str(&b, o, "launch_mit_vector", hex);
        snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)r->current_mit_vector);
        add_str(&b, o, "current_mit_vector", hex);
    }
    if (!b.ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
