/*
 * Policies: parsing (every malformed case names its JSON path), release-policy operators
 * and AKV coercions, authority blocks, appraisal with a fake reference-value callback, the
 * AR4SI status at each tier boundary, the built-in default policies over real claims, and
 * the policy store in memory and on disk.
 *
 * The realistic claims below are verbatim output of
 *   attest-collect --simulate snp --state-dir /tmp/polsim -o /tmp/e.json
 *   attest-verify --trust-dir /tmp/polsim --json /tmp/e.json      (the "claims" member)
 *   attest-collect --tee sample -o s.json && attest-verify --json s.json
 * Expected hashes were computed independently with Python's hashlib.sha384.
 */
#include "check_main.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/policy.h"
#include "internal.h"

static const char snp_claims[] =
    "{\"snp\":{\"measurement\":\"3a2bd43f65d086c29860d9de7f184f264155a5939a2e4d0e6afd3f04d512"
    "cf69ec23a441378a7779ca79752668e85107\",\"report_data\":\"0000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000\",\"init_data\":\"000000000000000000000000000000000000000000000000000000000000"
    "0000\",\"policy_abi_major\":0,\"policy_abi_minor\":0,\"policy_smt_allowed\":true,\"polic"
    "y_migrate_ma\":false,\"policy_debug_allowed\":false,\"policy_single_socket\":false,\"rep"
    "orted_tcb_bootloader\":3,\"reported_tcb_tee\":0,\"reported_tcb_snp\":8,\"reported_tcb_mi"
    "crocode\":115,\"platform_smt_enabled\":true,\"platform_tsme_enabled\":false,\"version\":"
    "3,\"product\":\"Milan\",\"signer\":\"VCEK\",\"guest_svn\":0,\"vmpl\":0,\"host_data\":\"0"
    "000000000000000000000000000000000000000000000000000000000000000\",\"family_id\":\"000000"
    "00000000000000000000000000\",\"image_id\":\"00000000000000000000000000000000\",\"id_key_"
    "digest\":\"00000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000\",\"author_key_digest\":\"000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000\",\"report_id\":\"211168b9ce32699"
    "e2e6f15dfaed8f3f9baf1946892f974a663ebbc36cce2212f\",\"report_id_ma\":\"fffffffffffffffff"
    "fffffffffffffffffffffffffffffffffffffffffffffff\",\"chip_id\":\"df52d258648e15aeb2468b34"
    "b940091bb80a7cfac5e75a57eb7adac6322328e9c293768d234f4e4b137cddab80fe6b1ab1d58adbcf8fd7a1"
    "34e3bb4b8c415b3b\",\"policy\":{\"abi_major\":0,\"abi_minor\":0,\"smt\":true,\"migrate_ma"
    "\":false,\"debug\":false,\"single_socket\":false,\"cxl_allow\":false,\"mem_aes_256_xts\""
    ":false,\"rapl_dis\":false,\"ciphertext_hiding\":false,\"page_swap_disable\":false},\"pla"
    "tform_info\":{\"smt_enabled\":true,\"tsme_enabled\":false,\"ecc_enabled\":false,\"rapl_d"
    "isabled\":false,\"ciphertext_hiding_enabled\":false,\"alias_check_complete\":false,\"tio"
    "_enabled\":false},\"key_info\":{\"author_key_en\":false,\"mask_chip_key\":false,\"signin"
    "g_key\":0},\"current_tcb\":{\"raw\":\"7308000000000003\",\"bootloader\":3,\"tee\":0,\"sn"
    "p\":8,\"microcode\":115},\"reported_tcb\":{\"raw\":\"7308000000000003\",\"bootloader\":3"
    ",\"tee\":0,\"snp\":8,\"microcode\":115},\"committed_tcb\":{\"raw\":\"7308000000000003\","
    "\"bootloader\":3,\"tee\":0,\"snp\":8,\"microcode\":115},\"launch_tcb\":{\"raw\":\"730800"
    "0000000003\",\"bootloader\":3,\"tee\":0,\"snp\":8,\"microcode\":115},\"firmware\":{\"cur"
    "rent_major\":1,\"current_minor\":55,\"current_build\":0,\"committed_major\":1,\"committe"
    "d_minor\":55,\"committed_build\":0},\"cpuid\":{\"family\":25,\"model\":1,\"stepping\":1}"
    "}}";

static const char snp_measurement[] =
    "3a2bd43f65d086c29860d9de7f184f264155a5939a2e4d0e6afd3f04d512cf69ec23a441378a7779ca797526"
    "68e85107";

static const char sample_claims[] =
    "{\"sample\":{\"svn\":\"1\",\"report_data\":\"\",\"launch_digest\":\"abcde\","
    "\"platform_version\":{\"major\":1,\"minor\":4},\"debug\":false}}";

/* Claims exercising every type the operators meet. */
static const char claims[] =
    "{\"snp\":{\"measurement\":\"abcd\",\"policy\":{\"debug\":false,\"abi_major\":0},"
    "\"vmpl\":0,\"guest_svn\":7,\"ratio\":1.5,\"big\":18446744073709551615,\"huge\":1e400,"
    "\"neg\":-3,\"product\":\"Milan\",\"flag\":\"false\",\"nothing\":null,\"arr\":[1,2],"
    "\"obj\":{\"x\":1},\"debuggable\":true},"
    "\"report_data\":\"00ff\",\"dotted.key\":{\"a\":1}}";

static attest_ctx *ctx;

static void setup(void)
{
    ck_assert_int_eq(attest_ctx_new(&ctx), ATTEST_OK);
}

static void teardown(void)
{
    attest_ctx_free(ctx);
}

static attest_policy *parse_ok(const char *json)
{
    attest_policy *p = NULL;
    attest_status rc = attest_policy_new(&p, ctx, json, strlen(json));
    ck_assert_msg(rc == ATTEST_OK, "%s: %s", json, attest_ctx_last_error(ctx));
    return p;
}

static void parse_fails(const char *json, attest_status code, const char *msg)
{
    attest_policy *p = (attest_policy *)&p; /* a sentinel: must stay untouched */
    attest_status rc = attest_policy_new(&p, ctx, json, strlen(json));
    ck_assert_msg(rc == code, "%s: got %d (%s)", json, rc, attest_ctx_last_error(ctx));
    ck_assert_ptr_eq(p, (attest_policy *)&p);
    ck_assert_str_eq(attest_ctx_last_error(ctx), msg);
}

/* Decide a release policy over claims; reason, when wanted, is checked by the caller. */
static int decide(const char *policy, const char *claims_json, const char *issuer,
                  char **reason)
{
    attest_policy *p = parse_ok(policy);
    int allowed = -1;
    char *why = NULL;
    attest_status rc = attest_policy_allows(ctx, p, claims_json, strlen(claims_json), issuer,
                                            &allowed, &why);
    ck_assert_msg(rc == ATTEST_OK, "%s", attest_ctx_last_error(ctx));
    ck_assert(allowed == 0 || allowed == 1);
    ck_assert((why == NULL) == (allowed == 1));
    if (reason != NULL)
        *reason = why;
    else
        attest_free(why);
    attest_policy_free(p);
    return allowed;
}

/* One condition in a one-block release policy, over the type-rich claims. */
static int cond(const char *condition)
{
    char policy[1024];
    snprintf(policy, sizeof(policy), "{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":[%s]}]}",
             condition);
    return decide(policy, claims, NULL, NULL);
}

/* ---- parse ---- */

START_TEST(test_policy_parse_release_and_hash)
{
    const char *json = "{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":[{\"claim\":"
                       "\"snp.policy.debug\",\"equals\":\"false\"}]}]}";
    attest_policy *p = parse_ok(json);
    size_t len = 0;
    ck_assert_int_eq(attest_policy_kind_of(p), ATTEST_POLICY_RELEASE);
    ck_assert_ptr_null(attest_policy_id(p));
    ck_assert_str_eq(attest_policy_hash(p), "b8eae089d1b54ce12a25860b72f6f46bee2f91d337617f07d7"
                                            "b50f237c8263ba1163a9efd5962837f288864db982af54");
    ck_assert_str_eq(attest_policy_text(p, &len), json);
    ck_assert_uint_eq(len, strlen(json));
    ck_assert_ptr_nonnull(attest_policy_text(p, NULL));
    attest_policy_free(p);
    /* the older version string and the top-level allOf */
    p = parse_ok("{\"version\":\"0.2\",\"allOf\":[{\"authority\":\"https://x\",\"anyOf\":["
                 "{\"claim\":\"a\",\"exists\":true}]}]}");
    attest_policy_free(p);
    attest_policy_free(NULL);
    ck_assert_ptr_null(attest_policy_hash(NULL));
    ck_assert_ptr_null(attest_policy_text(NULL, NULL));
    ck_assert_ptr_null(attest_policy_id(NULL));
}
END_TEST

START_TEST(test_policy_parse_appraisal)
{
    attest_policy *p = parse_ok(
        "{\"version\":\"1.0\",\"description\":\"d\",\"defaults\":{\"hardware\":97},"
        "\"rules\":[{\"description\":\"r\",\"if\":{\"claim\":\"a\",\"greaterThan\":"
        "{\"referenceValue\":\"min\"}},\"set\":{\"hardware\":2,\"executables\":-128}}]}");
    ck_assert_int_eq(attest_policy_kind_of(p), ATTEST_POLICY_APPRAISAL);
    attest_policy_free(p);
    p = parse_ok("{\"version\":\"1.0\",\"defaults\":{\"sourced-data\":127}}"); /* no rules */
    attest_policy_free(p);
}
END_TEST

/* Every malformed policy fails at parse time with its JSON path and the reason. */
START_TEST(test_policy_parse_rejects_malformed)
{
#define REL(conds) "{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":[" conds "]}]}"
#define OK_COND "{\"claim\":\"a\",\"equals\":1}"
    parse_fails("[]", ATTEST_E_PARSE, "policy: $: expected an object");
    parse_fails("{\"anyOf\":[{\"allOf\":[" OK_COND "]}]}", ATTEST_E_PARSE,
                "policy: $.version: missing (want \"1.0.0\")");
    parse_fails("{\"version\":\"2.0\",\"anyOf\":[{\"allOf\":[" OK_COND "]}]}",
                ATTEST_E_UNSUPPORTED,
                "policy: $.version: unsupported version \"2.0\" (want \"1.0.0\" or \"0.2\")");
    parse_fails("{\"version\":1,\"anyOf\":[{\"allOf\":[" OK_COND "]}]}", ATTEST_E_PARSE,
                "policy: $.version: expected a string");
    parse_fails("{\"version\":\"1.0.0\",\"anyOf\":[],\"allOf\":[]}", ATTEST_E_PARSE,
                "policy: $.allOf: a policy has one of anyOf and allOf, not both");
    parse_fails("{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":[" OK_COND "]}],\"x\":1}",
                ATTEST_E_PARSE, "policy: $.x: unknown member");
    parse_fails("{\"version\":\"1.0.0\",\"anyOf\":[]}", ATTEST_E_PARSE,
                "policy: $.anyOf: expected a non-empty array of authority blocks");
    parse_fails("{\"version\":\"1.0.0\",\"anyOf\":{}}", ATTEST_E_PARSE,
                "policy: $.anyOf: expected an array of authority blocks");
    parse_fails("{\"version\":\"1.0.0\",\"anyOf\":[\"x\"]}", ATTEST_E_PARSE,
                "policy: $.anyOf[0]: expected an object (an authority block)");
    parse_fails("{\"version\":\"1.0.0\",\"anyOf\":[{\"authority\":5,\"allOf\":[" OK_COND
                "]}]}",
                ATTEST_E_PARSE,
                "policy: $.anyOf[0].authority: expected an issuer (a non-empty string)");
    parse_fails("{\"version\":\"1.0.0\",\"anyOf\":[{\"claim\":\"a\",\"equals\":1}]}",
                ATTEST_E_PARSE, "policy: $.anyOf[0].claim: unknown member");
    parse_fails("{\"version\":\"1.0.0\",\"anyOf\":[{\"authority\":\"https://x\"}]}",
                ATTEST_E_PARSE, "policy: $.anyOf[0]: expected anyOf or allOf");
    parse_fails("{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":[]}]}", ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf: expected a non-empty array of conditions");
    parse_fails(REL(OK_COND "," OK_COND ",{\"claim\":\"a\",\"equals\":{}}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[2].equals: expected a string, number or boolean");
    parse_fails(REL("{\"claim\":\"a\",\"equals\":null}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0].equals: expected a string, number or boolean");
    parse_fails(REL("{\"claim\":\"a\",\"equal\":1}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0].equal: unknown operator");
    parse_fails(REL("{\"claim\":\"a\"}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0]: condition has no operator");
    parse_fails(REL("{\"claim\":\"a\",\"equals\":1,\"in\":[1]}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0].in: a condition has one operator (it also has "
                "equals)");
    parse_fails(REL("{\"claim\":5,\"equals\":1}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0].claim: expected a dotted claim name");
    parse_fails(REL("{\"claim\":\"snp..debug\",\"equals\":1}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0].claim: expected a dotted claim name");
    parse_fails(REL("{\"claim\":\"\",\"equals\":1}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0].claim: expected a dotted claim name");
    parse_fails(REL("{\"claim\":\"a\",\"greaterThan\":\"5\"}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0].greaterThan: expected a number");
    parse_fails(REL("{\"claim\":\"a\",\"lessThanOrEquals\":true}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0].lessThanOrEquals: expected a number");
    parse_fails(REL("{\"claim\":\"a\",\"in\":[]}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0].in: expected a non-empty array");
    parse_fails(REL("{\"claim\":\"a\",\"notIn\":\"x\"}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0].notIn: expected an array of strings, numbers or "
                "booleans");
    parse_fails(REL("{\"claim\":\"a\",\"in\":[1,{}]}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0].in[1]: expected a string, number or boolean");
    parse_fails(REL("{\"claim\":\"a\",\"exists\":\"yes\"}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0].exists: expected true or false");
    parse_fails(REL(OK_COND ",{\"anyOf\":[]}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[1].anyOf: expected a non-empty array of conditions");
    parse_fails(REL("{\"equals\":1}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0].claim: missing (an operator needs a claim)");
    parse_fails(REL("{\"claim\":\"a\",\"anyOf\":[" OK_COND "]}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0].anyOf: a claim condition has no anyOf or allOf");
    parse_fails(REL("{\"anyOf\":[" OK_COND "],\"allOf\":[" OK_COND "]}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0].allOf: has one of anyOf and allOf, not both");
    parse_fails("{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":[" OK_COND "],\"anyOf\":["
                OK_COND "]}]}",
                ATTEST_E_PARSE, "policy: $.anyOf[0].anyOf: has one of anyOf and allOf, not both");
    parse_fails(REL("{}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0]: expected anyOf or allOf");
    parse_fails(REL("{\"claim\":\"a\",\"inReferenceValue\":\"x\"}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0].inReferenceValue: reference values are only "
                "available in appraisal policies");
    parse_fails(REL("{\"claim\":\"a\",\"equals\":{\"referenceValue\":\"x\"}}"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0].equals: expected a string, number or boolean");
    parse_fails("{\"version\":\"1.0.0\",\"allOf\":[{\"anyOf\":[{\"allOf\":[{\"anyOf\":[{"
                "\"claim\":\"a\",\"lessThan\":[1]}]}]}]}]}",
                ATTEST_E_PARSE,
                "policy: $.allOf[0].anyOf[0].allOf[0].anyOf[0].lessThan: expected a number");
    parse_fails(REL("[1,2]"), ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0]: expected an object (a condition)");
    parse_fails("{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":[1,2]}]}", ATTEST_E_PARSE,
                "policy: $.anyOf[0].allOf[0]: expected an object (a condition)");
    parse_fails("{\"version\":\"1.0.0\",\"anyOf\":[7]}", ATTEST_E_PARSE,
                "policy: $.anyOf[0]: expected an object (an authority block)");
    parse_fails(REL("{\"claim\":\"a\",\"equals\":1,}"), ATTEST_E_PARSE,
                "policy: JSON expected a member name at byte 62");
    parse_fails(REL("{\"claim\":\"a\",\"claim\":\"b\",\"equals\":1}"), ATTEST_E_PARSE,
                "policy: JSON object has a repeated member name at byte 74");
    parse_fails("", ATTEST_E_PARSE, "policy: JSON value expected at byte 0");
    parse_fails("{\"version\":\"1.0.0\"}", ATTEST_E_PARSE,
                "policy: $: expected anyOf or allOf (a release policy) or defaults and rules "
                "(an appraisal policy)");
#undef REL
#undef OK_COND
}
END_TEST

START_TEST(test_policy_parse_rejects_malformed_appraisal)
{
#define APP(rules) "{\"version\":\"1.0\",\"rules\":[" rules "]}"
    parse_fails("{\"version\":\"1.0.0\",\"rules\":[]}", ATTEST_E_UNSUPPORTED,
                "policy: $.version: unsupported version \"1.0.0\" (want \"1.0\")");
    parse_fails("{\"rules\":[]}", ATTEST_E_PARSE, "policy: $.version: missing (want \"1.0\")");
    parse_fails("{\"version\":\"1.0\",\"rules\":[]}", ATTEST_E_PARSE,
                "policy: $.rules: expected a non-empty array of rules (leave rules out "
                "instead)");
    parse_fails("{\"version\":\"1.0\",\"rules\":{}}", ATTEST_E_PARSE,
                "policy: $.rules: expected an array of rules");
    parse_fails("{\"version\":\"1.0\",\"rules\":[0]}", ATTEST_E_PARSE,
                "policy: $.rules[0]: expected an object (a rule)");
    parse_fails("{\"version\":\"1.0\",\"rules\":[{},\"x\"]}", ATTEST_E_PARSE,
                "policy: $.rules[0]: missing if (a condition)");
    parse_fails("{\"version\":\"1.0\",\"defaults\":{\"hw\":2}}", ATTEST_E_PARSE,
                "policy: $.defaults.hw: unknown trustworthiness claim (want instance-identity, "
                "configuration, executables, file-system, hardware, runtime-opaque, "
                "storage-opaque or sourced-data)");
    parse_fails("{\"version\":\"1.0\",\"defaults\":{}}", ATTEST_E_PARSE,
                "policy: $.defaults: expected at least one trustworthiness claim");
    parse_fails("{\"version\":\"1.0\",\"defaults\":{\"hardware\":128}}", ATTEST_E_PARSE,
                "policy: $.defaults.hardware: expected an integer from -128 to 127");
    parse_fails("{\"version\":\"1.0\",\"defaults\":{\"hardware\":2.5}}", ATTEST_E_PARSE,
                "policy: $.defaults.hardware: expected an integer from -128 to 127");
    parse_fails(APP("{\"set\":{\"hardware\":2}}"), ATTEST_E_PARSE,
                "policy: $.rules[0]: missing if (a condition)");
    parse_fails(APP("{\"if\":{\"claim\":\"a\",\"exists\":true}}"), ATTEST_E_PARSE,
                "policy: $.rules[0]: missing set (the trustworthiness claims to set)");
    parse_fails(APP("{\"if\":{\"claim\":\"a\",\"exists\":true},\"set\":{\"hardware\":-129}}"),
                ATTEST_E_PARSE, "policy: $.rules[0].set.hardware: expected an integer from "
                                "-128 to 127");
    parse_fails(APP("{\"if\":{\"claim\":\"a\",\"exists\":true},\"set\":{\"hardware\":2},"
                    "\"then\":1}"),
                ATTEST_E_PARSE, "policy: $.rules[0].then: unknown member");
    parse_fails(APP("{\"if\":{\"claim\":\"a\",\"exists\":true},\"set\":{\"hardware\":2},"
                    "\"description\":1}"),
                ATTEST_E_PARSE, "policy: $.rules[0].description: expected a string");
    parse_fails(APP("{\"if\":{\"claim\":\"a\",\"equals\":{\"ref\":\"x\"}},"
                    "\"set\":{\"hardware\":2}}"),
                ATTEST_E_PARSE, "policy: $.rules[0].if.equals.ref: unknown member");
    parse_fails(APP("{\"if\":{\"claim\":\"a\",\"equals\":{}},\"set\":{\"hardware\":2}}"),
                ATTEST_E_PARSE, "policy: $.rules[0].if.equals: expected {\"referenceValue\": "
                                "name}");
    parse_fails(APP("{\"if\":{\"claim\":\"a\",\"equals\":[1]},\"set\":{\"hardware\":2}}"),
                ATTEST_E_PARSE, "policy: $.rules[0].if.equals: expected a string, number, "
                                "boolean or {\"referenceValue\": name}");
    parse_fails(APP("{\"if\":{\"claim\":\"a\",\"inReferenceValue\":\"\"},"
                    "\"set\":{\"hardware\":2}}"),
                ATTEST_E_PARSE, "policy: $.rules[0].if.inReferenceValue: expected a reference "
                                "value name");
    parse_fails(APP("{\"if\":{\"allOf\":[{\"claim\":\"a\",\"exists\":true},{\"claim\":\"b\","
                    "\"greaterThan\":{\"referenceValue\":7}}]},\"set\":{\"hardware\":2}}"),
                ATTEST_E_PARSE, "policy: $.rules[0].if.allOf[1].greaterThan.referenceValue: "
                                "expected a reference value name");
    parse_fails("{\"version\":\"1.0\",\"defaults\":{\"hardware\":2},\"anyOf\":[]}",
                ATTEST_E_PARSE, "policy: $.defaults: unknown member");
#undef APP
}
END_TEST

START_TEST(test_policy_parse_limits_and_arguments)
{
    size_t big = 1024 * 1024 + 1;
    char *text = malloc(big);
    attest_policy *p = NULL;
    ck_assert_ptr_nonnull(text);
    memset(text, ' ', big);
    ck_assert_int_eq(attest_policy_new(&p, ctx, text, big), ATTEST_E_PARSE);
    ck_assert_str_eq(attest_ctx_last_error(ctx),
                     "policy: text is too long (got 1048577 bytes, want at most 1048576)");
    free(text);
    ck_assert_int_eq(attest_policy_new(&p, NULL, "{}", 2), ATTEST_E_ARG);
    ck_assert_int_eq(attest_policy_new(NULL, ctx, "{}", 2), ATTEST_E_ARG);
    ck_assert_int_eq(attest_policy_new(&p, ctx, NULL, 2), ATTEST_E_ARG);
    ck_assert_ptr_null(p);
    /* invalid UTF-8 is the reader's to reject */
    ck_assert_int_eq(attest_policy_new(&p, ctx, "{\"version\":\"\xff\"}", 16), ATTEST_E_PARSE);
}
END_TEST

/* ---- release ---- */

START_TEST(test_policy_release_equals_and_coercions)
{
    ck_assert_int_eq(cond("{\"claim\":\"snp.product\",\"equals\":\"Milan\"}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.product\",\"equals\":\"milan\"}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.guest_svn\",\"equals\":7}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.guest_svn\",\"equals\":7.0}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.guest_svn\",\"equals\":70e-1}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.guest_svn\",\"equals\":8}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.policy.debug\",\"equals\":false}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.policy.debug\",\"equals\":true}"), 0);
    /* AKV: a string operand compares with a boolean or number claim's canonical text */
    ck_assert_int_eq(cond("{\"claim\":\"snp.policy.debug\",\"equals\":\"false\"}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.policy.debug\",\"equals\":\"true\"}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.policy.debug\",\"equals\":\"False\"}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.vmpl\",\"equals\":\"0\"}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.vmpl\",\"equals\":\"00\"}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.ratio\",\"equals\":\"1.5\"}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.ratio\",\"equals\":\"1.50\"}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.ratio\",\"equals\":1.50}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.neg\",\"equals\":\"-3\"}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.big\",\"equals\":\"18446744073709551615\"}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.huge\",\"equals\":\"1e+400\"}"), 1);
    /* not the other way: a string claim is not a boolean or a number */
    ck_assert_int_eq(cond("{\"claim\":\"snp.flag\",\"equals\":false}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.flag\",\"equals\":\"false\"}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.vmpl\",\"equals\":false}"), 0);
    /* null, arrays and objects equal nothing */
    ck_assert_int_eq(cond("{\"claim\":\"snp.nothing\",\"equals\":\"null\"}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.arr\",\"equals\":1}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.obj\",\"equals\":\"{}\"}"), 0);
    /* notEquals is the negation, on a present claim */
    ck_assert_int_eq(cond("{\"claim\":\"snp.product\",\"notEquals\":\"Genoa\"}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.product\",\"notEquals\":\"Milan\"}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.policy.debug\",\"notEquals\":\"false\"}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.obj\",\"notEquals\":1}"), 1);
}
END_TEST

START_TEST(test_policy_release_comparisons)
{
    ck_assert_int_eq(cond("{\"claim\":\"snp.guest_svn\",\"greaterThan\":6}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.guest_svn\",\"greaterThan\":7}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.guest_svn\",\"greaterThanOrEquals\":7}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.guest_svn\",\"greaterThanOrEquals\":7.5}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.guest_svn\",\"lessThan\":8}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.guest_svn\",\"lessThan\":7}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.guest_svn\",\"lessThanOrEquals\":7}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.guest_svn\",\"lessThanOrEquals\":6.99}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.neg\",\"lessThan\":-2}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.neg\",\"greaterThan\":-3.0001}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.neg\",\"greaterThan\":0}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.vmpl\",\"greaterThanOrEquals\":-0}"), 1);
    /* exact: beyond a double's 53 bits and its 17 digits */
    ck_assert_int_eq(cond("{\"claim\":\"snp.big\",\"greaterThan\":18446744073709551614}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.big\",\"lessThan\":18446744073709551616}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.big\",\"greaterThan\":18446744073709551615}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.ratio\",\"greaterThan\":1.49999999999999999999}"),
                     1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.ratio\",\"lessThan\":15e-1}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.huge\",\"greaterThan\":1e399}"), 1);
    /* only numbers compare */
    ck_assert_int_eq(cond("{\"claim\":\"snp.flag\",\"lessThan\":100}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.policy.debug\",\"lessThan\":100}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.arr\",\"greaterThan\":0}"), 0);
}
END_TEST

START_TEST(test_policy_release_in_exists)
{
    ck_assert_int_eq(cond("{\"claim\":\"snp.product\",\"in\":[\"Genoa\",\"Milan\"]}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.product\",\"in\":[\"Genoa\",\"Turin\"]}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.guest_svn\",\"in\":[1,7]}"), 1); /* byte array */
    ck_assert_int_eq(cond("{\"claim\":\"snp.guest_svn\",\"in\":[1,700]}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.guest_svn\",\"in\":[\"7\",true]}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.policy.debug\",\"in\":[true,\"x\"]}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.policy.debug\",\"in\":[true,\"false\"]}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.product\",\"notIn\":[\"Genoa\",\"Turin\"]}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.product\",\"notIn\":[\"Milan\"]}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.guest_svn\",\"notIn\":[7]}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.measurement\",\"exists\":true}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp.measurement\",\"exists\":false}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"snp.nothing\",\"exists\":true}"), 1); /* null is there */
    ck_assert_int_eq(cond("{\"claim\":\"snp.obj\",\"exists\":true}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"snp\",\"exists\":true}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"tdx\",\"exists\":true}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"tdx\",\"exists\":false}"), 1);
}
END_TEST

/* A missing claim makes every condition false (never an error), but exists: false. */
START_TEST(test_policy_release_missing_claims)
{
    static const char *const conds[] = {
        "{\"claim\":\"snp.nope\",\"equals\":\"x\"}",
        "{\"claim\":\"snp.nope\",\"notEquals\":\"x\"}",
        "{\"claim\":\"snp.nope\",\"greaterThan\":0}",
        "{\"claim\":\"snp.nope\",\"greaterThanOrEquals\":0}",
        "{\"claim\":\"snp.nope\",\"lessThan\":0}",
        "{\"claim\":\"snp.nope\",\"lessThanOrEquals\":0}",
        "{\"claim\":\"snp.nope\",\"in\":[1]}",
        "{\"claim\":\"snp.nope\",\"notIn\":[1]}",
        "{\"claim\":\"snp.nope\",\"exists\":true}",
        "{\"claim\":\"snp.product.deeper\",\"notEquals\":1}", /* through a string */
        "{\"claim\":\"nosuch.policy.debug\",\"equals\":false}",
    };
    for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++)
        ck_assert_msg(cond(conds[i]) == 0, "%s", conds[i]);
    ck_assert_int_eq(cond("{\"claim\":\"snp.nope\",\"exists\":false}"), 1);
    /* the same claim in anyOf with an alternative that holds */
    ck_assert_int_eq(cond("{\"anyOf\":[{\"claim\":\"snp.nope\",\"equals\":1},"
                          "{\"claim\":\"snp.vmpl\",\"equals\":0}]}"),
                     1);
}
END_TEST

START_TEST(test_policy_release_dotted_names)
{
    ck_assert_int_eq(cond("{\"claim\":\"dotted.key.a\",\"equals\":1}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"dotted.key\",\"exists\":true}"), 1);
    ck_assert_int_eq(cond("{\"claim\":\"dotted\",\"exists\":true}"), 0);
    ck_assert_int_eq(cond("{\"claim\":\"report_data\",\"equals\":\"00ff\"}"), 1);
}
END_TEST

START_TEST(test_policy_release_nested_combinators)
{
    ck_assert_int_eq(cond("{\"anyOf\":[{\"claim\":\"snp.vmpl\",\"equals\":1},"
                          "{\"allOf\":[{\"claim\":\"snp.product\",\"equals\":\"Milan\"},"
                          "{\"claim\":\"snp.policy.debug\",\"equals\":\"false\"}]}]}"),
                     1);
    ck_assert_int_eq(cond("{\"anyOf\":[{\"claim\":\"snp.vmpl\",\"equals\":1},"
                          "{\"allOf\":[{\"claim\":\"snp.product\",\"equals\":\"Milan\"},"
                          "{\"claim\":\"snp.policy.debug\",\"equals\":\"true\"}]}]}"),
                     0);
    ck_assert_int_eq(cond("{\"allOf\":[{\"anyOf\":[{\"claim\":\"a\",\"exists\":true},"
                          "{\"anyOf\":[{\"claim\":\"snp.vmpl\",\"in\":[0]}]}]}]}"),
                     1);
    /* a top-level allOf needs every block, anyOf one */
    const char *two = "{\"version\":\"1.0.0\",\"%s\":[{\"allOf\":[{\"claim\":\"snp.vmpl\","
                      "\"equals\":0}]},{\"allOf\":[{\"claim\":\"snp.vmpl\",\"equals\":1}]}]}";
    char policy[512];
    snprintf(policy, sizeof(policy), two, "anyOf");
    ck_assert_int_eq(decide(policy, claims, NULL, NULL), 1);
    snprintf(policy, sizeof(policy), two, "allOf");
    ck_assert_int_eq(decide(policy, claims, NULL, NULL), 0);
    /* an authority block's anyOf */
    ck_assert_int_eq(decide("{\"version\":\"1.0.0\",\"allOf\":[{\"anyOf\":[{\"claim\":\"x\","
                            "\"exists\":true},{\"claim\":\"snp.vmpl\",\"equals\":0}]}]}",
                            claims, NULL, NULL),
                     1);
}
END_TEST

START_TEST(test_policy_release_authority)
{
    const char *akv = "{\"version\":\"1.0.0\",\"anyOf\":[{\"authority\":"
                      "\"https://sharedeus2.eus2.attest.azure.net\",\"allOf\":["
                      "{\"claim\":\"snp.policy.debug\",\"equals\":\"false\"},"
                      "{\"claim\":\"snp.vmpl\",\"equals\":\"0\"}]}]}";
    char *why = NULL;
    ck_assert_int_eq(decide(akv, claims, "https://sharedeus2.eus2.attest.azure.net", NULL), 1);
    ck_assert_int_eq(decide(akv, claims, "https://evil.example", &why), 0);
    ck_assert_str_eq(why, "$.anyOf[0]: authority \"https://sharedeus2.eus2.attest.azure.net\" "
                          "does not match the issuer \"https://evil.example\"");
    attest_free(why);
    ck_assert_int_eq(decide(akv, claims, NULL, &why), 0);
    ck_assert_str_eq(why, "$.anyOf[0]: authority \"https://sharedeus2.eus2.attest.azure.net\" "
                          "does not match the issuer (none was given)");
    attest_free(why);
    /* two authorities: the block of the matching one decides */
    const char *two = "{\"version\":\"1.0.0\",\"anyOf\":["
                      "{\"authority\":\"https://a\",\"allOf\":[{\"claim\":\"snp.vmpl\","
                      "\"equals\":1}]},"
                      "{\"authority\":\"https://b\",\"allOf\":[{\"claim\":\"snp.vmpl\","
                      "\"equals\":0}]}]}";
    ck_assert_int_eq(decide(two, claims, "https://b", NULL), 1);
    ck_assert_int_eq(decide(two, claims, "https://a", NULL), 0);
    ck_assert_int_eq(decide(two, claims, "https://c", NULL), 0);
    /* without an authority, any issuer (or none) */
    const char *local = "{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":[{\"claim\":\"snp.vmpl\","
                        "\"equals\":0}]}]}";
    ck_assert_int_eq(decide(local, claims, NULL, NULL), 1);
    ck_assert_int_eq(decide(local, claims, "https://anything", NULL), 1);
}
END_TEST

static void capture_log(attest_log_level level, const char *message, void *payload)
{
    if (level == ATTEST_LOG_INFO)
        snprintf(payload, 512, "%s", message);
}

/* The first failing condition explains a denial, through the out-param and the log. */
START_TEST(test_policy_release_reason)
{
    char logged[512] = "";
    char *why = NULL;
    ck_assert_int_eq(attest_ctx_set_log_fn(ctx, ATTEST_LOG_INFO, capture_log, logged),
                     ATTEST_OK);
    const char *p = "{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":["
                    "{\"anyOf\":[{\"claim\":\"snp.nope\",\"equals\":1},{\"claim\":\"snp.vmpl\","
                    "\"equals\":0}]},"
                    "{\"claim\":\"snp.measurement\",\"exists\":true},"
                    "{\"claim\":\"snp.debuggable\",\"equals\":\"false\"},"
                    "{\"claim\":\"snp.vmpl\",\"equals\":1}]}]}";
    ck_assert_int_eq(decide(p, claims, NULL, &why), 0);
    ck_assert_str_eq(why, "$.anyOf[0].allOf[2]: claim snp.debuggable is true, want equals "
                          "\"false\"");
    ck_assert_str_eq(logged, "policy: denied: $.anyOf[0].allOf[2]: claim snp.debuggable is "
                             "true, want equals \"false\"");
    attest_free(why);
    ck_assert_int_eq(cond("{\"claim\":\"snp.nope\",\"equals\":1}"), 0);
    ck_assert_int_eq(decide("{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":[{\"claim\":"
                            "\"snp.nope\",\"equals\":1}]}]}",
                            claims, NULL, &why),
                     0);
    ck_assert_str_eq(why, "$.anyOf[0].allOf[0]: claim snp.nope is missing");
    attest_free(why);
    ck_assert_int_eq(decide("{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":[{\"claim\":"
                            "\"snp.guest_svn\",\"in\":[1,2,3,4,5,6]}]}]}",
                            claims, NULL, &why),
                     0);
    ck_assert_str_eq(why, "$.anyOf[0].allOf[0]: claim snp.guest_svn is 7, want in [1, 2, 3, "
                          "4, ... 2 more]");
    attest_free(why);
    ck_assert_int_eq(decide("{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":[{\"claim\":"
                            "\"snp.measurement\",\"equals\":\"0123456789012345678901234567890"
                            "1234567890\"}]}]}",
                            claims, NULL, &why),
                     0);
    ck_assert_str_eq(why, "$.anyOf[0].allOf[0]: claim snp.measurement is \"abcd\", want "
                          "equals \"0123456789012345678901234567890123456...\"");
    attest_free(why);
    ck_assert_int_eq(decide("{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":[{\"claim\":"
                            "\"snp.measurement\",\"exists\":false}]}]}",
                            claims, NULL, &why),
                     0);
    ck_assert_str_eq(why, "$.anyOf[0].allOf[0]: claim snp.measurement exists, want exists "
                          "false");
    attest_free(why);
    /* allowed: no reason, and the out-param is set to NULL */
    why = (char *)"sentinel";
    ck_assert_int_eq(decide("{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":[{\"claim\":"
                            "\"snp.vmpl\",\"equals\":0}]}]}",
                            claims, NULL, &why),
                     1);
    ck_assert_ptr_null(why);
}
END_TEST

START_TEST(test_policy_release_bad_input)
{
    attest_policy *p = parse_ok("{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":[{\"claim\":"
                                "\"a\",\"exists\":true}]}]}");
    int allowed = 7;
    ck_assert_int_eq(attest_policy_allows(ctx, p, "[1]", 3, NULL, &allowed, NULL),
                     ATTEST_E_PARSE);
    ck_assert_str_eq(attest_ctx_last_error(ctx), "policy: claims: expected a JSON object");
    ck_assert_int_eq(attest_policy_allows(ctx, p, "{\"a\":", 5, NULL, &allowed, NULL),
                     ATTEST_E_PARSE);
    ck_assert_str_eq(attest_ctx_last_error(ctx), "policy: claims: JSON value expected at byte 5");
    ck_assert_int_eq(attest_policy_allows(ctx, NULL, "{}", 2, NULL, &allowed, NULL),
                     ATTEST_E_ARG);
    ck_assert_int_eq(attest_policy_allows(ctx, p, NULL, 2, NULL, &allowed, NULL), ATTEST_E_ARG);
    ck_assert_int_eq(attest_policy_allows(ctx, p, "{}", 2, NULL, NULL, NULL), ATTEST_E_ARG);
    ck_assert_int_eq(attest_policy_allows(NULL, p, "{}", 2, NULL, &allowed, NULL),
                     ATTEST_E_ARG);
    ck_assert_int_eq(allowed, 7); /* untouched on failure */
    /* a release policy has no vector */
    attest_trust_vector tv;
    ck_assert_int_eq(attest_policy_appraise(ctx, p, "{}", 2, NULL, NULL, &tv, NULL),
                     ATTEST_E_ARG);
    attest_policy_free(p);
}
END_TEST

/* ---- appraise ---- */

/* A fake reference-value provider: name=json pairs, and a count of the questions. */
struct fake_rv {
    const char *const *pairs; /* name, json, name, json, ..., NULL */
    int calls;
    attest_status fail;       /* returned for the name "broken" */
};

static attest_status fake_refval(const char *name, char **json_out, void *payload)
{
    struct fake_rv *rv = payload;
    rv->calls++;
    if (strcmp(name, "broken") == 0)
        return rv->fail;
    for (const char *const *p = rv->pairs; p != NULL && *p != NULL; p += 2)
        if (strcmp(p[0], name) == 0) {
            if (p[1] == NULL)
                return ATTEST_OK; /* "OK, no value" */
            *json_out = strdup(p[1]);
            return *json_out == NULL ? ATTEST_E_NOMEM : ATTEST_OK;
        }
    return ATTEST_E_NOT_FOUND;
}

static void vec(const attest_trust_vector *tv, int8_t out[8])
{
    out[0] = tv->instance_identity;
    out[1] = tv->configuration;
    out[2] = tv->executables;
    out[3] = tv->file_system;
    out[4] = tv->hardware;
    out[5] = tv->runtime_opaque;
    out[6] = tv->storage_opaque;
    out[7] = tv->sourced_data;
}

/* Appraise and check executables, hardware, configuration (others must be 0), status. */
static void appraise_expect(const attest_policy *p, const char *claims_json,
                            struct fake_rv *rv, int executables, int hardware,
                            int configuration, attest_ear_status want)
{
    attest_trust_vector tv;
    attest_ear_status st = (attest_ear_status)-1;
    int8_t v[8];
    attest_status rc = attest_policy_appraise(ctx, p, claims_json, strlen(claims_json),
                                              rv == NULL ? NULL : fake_refval, rv, &tv, &st);
    ck_assert_msg(rc == ATTEST_OK, "%s", attest_ctx_last_error(ctx));
    vec(&tv, v);
    ck_assert_int_eq(v[2], executables);
    ck_assert_int_eq(v[4], hardware);
    ck_assert_int_eq(v[1], configuration);
    ck_assert_int_eq(v[0] | v[3] | v[5] | v[6] | v[7], 0);
    ck_assert_msg(st == want, "status %s, want %s", attest_ear_status_name(st),
                  attest_ear_status_name(want));
}

START_TEST(test_policy_appraise_rules_and_refvals)
{
    attest_policy *p = parse_ok(
        "{\"version\":\"1.0\",\"defaults\":{\"executables\":33,\"hardware\":97,"
        "\"configuration\":36},\"rules\":["
        "{\"if\":{\"claim\":\"snp.measurement\",\"inReferenceValue\":\"meas\"},"
        "\"set\":{\"executables\":3}},"
        "{\"if\":{\"allOf\":[{\"claim\":\"snp.guest_svn\",\"greaterThanOrEquals\":"
        "{\"referenceValue\":\"min_svn\"}},{\"claim\":\"snp.product\",\"equals\":"
        "{\"referenceValue\":\"product\"}}]},\"set\":{\"hardware\":2}},"
        "{\"if\":{\"claim\":\"snp.policy.debug\",\"equals\":false},\"set\":{\"configuration\":3}},"
        "{\"if\":{\"claim\":\"snp.policy.debug\",\"equals\":false},\"set\":{\"configuration\":2}},"
        "{\"if\":{\"claim\":\"snp.vmpl\",\"notEquals\":{\"referenceValue\":\"vmpl\"}},"
        "\"set\":{\"configuration\":32}}]}");

    /* affirming: every reference value matches; the later configuration rule wins */
    static const char *const good[] = {"meas", "[\"x\",\"abcd\"]", "min_svn", "7",
                                       "product", "\"Milan\"", "vmpl", "0", NULL};
    struct fake_rv rv = {good, 0, ATTEST_OK};
    appraise_expect(p, claims, &rv, 3, 2, 2, ATTEST_EAR_AFFIRMING);
    ck_assert_int_eq(rv.calls, 4); /* each name asked once */

    /* warning: the measurement is not a reference value, the vmpl differs */
    static const char *const warn[] = {"meas", "[\"x\"]", "min_svn", "\"5\"", "product",
                                       "\"Milan\"", "vmpl", "[0]", NULL};
    rv = (struct fake_rv){warn, 0, ATTEST_OK};
    appraise_expect(p, claims, &rv, 33, 2, 32, ATTEST_EAR_WARNING);

    /* contraindicated: no reference values at all, hardware stays 97 */
    appraise_expect(p, claims, NULL, 33, 97, 2, ATTEST_EAR_CONTRAINDICATED);
    static const char *const absent[] = {"meas", NULL, "min_svn", "null", NULL};
    rv = (struct fake_rv){absent, 0, ATTEST_OK};
    appraise_expect(p, claims, &rv, 33, 97, 2, ATTEST_EAR_CONTRAINDICATED);

    /* a minimum above the claim; a reference value that is not a number */
    static const char *const low[] = {"meas", "\"abcd\"", "min_svn", "8", "product",
                                      "\"Milan\"", NULL};
    rv = (struct fake_rv){low, 0, ATTEST_OK};
    appraise_expect(p, claims, &rv, 3, 97, 2, ATTEST_EAR_CONTRAINDICATED);
    static const char *const nan[] = {"meas", "\"abcd\"", "min_svn", "\"seven\"", "product",
                                      "\"Milan\"", NULL};
    rv = (struct fake_rv){nan, 0, ATTEST_OK};
    appraise_expect(p, claims, &rv, 3, 97, 2, ATTEST_EAR_CONTRAINDICATED);
    attest_policy_free(p);
}
END_TEST

START_TEST(test_policy_appraise_refval_forms)
{
    attest_policy *p = parse_ok("{\"version\":\"1.0\",\"rules\":["
                                "{\"if\":{\"claim\":\"snp.guest_svn\",\"inReferenceValue\":"
                                "\"r\"},\"set\":{\"executables\":2}}]}");
    static const char *const forms[][2] = {
        {"7", "2"},         {"[7]", "2"},        {"[1,2,7]", "2"},  {"\"7\"", "2"},
        {"[\"7\"]", "2"},   {"[300,7]", "2"},    {"[8]", "0"},      {"[]", "0"},
        {"{\"7\":7}", "0"}, {"[[7]]", "0"},      {"null", "0"},     {"7.0", "2"},
    };
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        const char *pairs[] = {"r", forms[i][0], NULL};
        struct fake_rv rv = {pairs, 0, ATTEST_OK};
        attest_trust_vector tv;
        ck_assert_int_eq(attest_policy_appraise(ctx, p, claims, strlen(claims), fake_refval,
                                                &rv, &tv, NULL),
                         ATTEST_OK);
        ck_assert_msg(tv.executables == atoi(forms[i][1]), "%s", forms[i][0]);
    }
    attest_policy_free(p);
}
END_TEST

START_TEST(test_policy_appraise_errors)
{
    attest_policy *p = parse_ok("{\"version\":\"1.0\",\"defaults\":{\"hardware\":2},\"rules\":["
                                "{\"if\":{\"claim\":\"snp.vmpl\",\"inReferenceValue\":"
                                "\"broken\"},\"set\":{\"hardware\":3}}]}");
    attest_trust_vector tv = {.hardware = 55};
    attest_ear_status st = ATTEST_EAR_WARNING;
    struct fake_rv rv = {NULL, 0, ATTEST_E_IO};
    ck_assert_int_eq(attest_policy_appraise(ctx, p, claims, strlen(claims), fake_refval, &rv,
                                            &tv, &st),
                     ATTEST_E_IO);
    ck_assert_str_eq(attest_ctx_last_error(ctx),
                     "policy: reference value callback failed for broken (I/O error)");
    ck_assert_int_eq(tv.hardware, 55); /* untouched */
    ck_assert_int_eq(st, ATTEST_EAR_WARNING);
    /* text that is not JSON */
    static const char *const bad[] = {"broken", "[1,", NULL};
    rv = (struct fake_rv){bad, 0, ATTEST_OK};
    attest_policy_free(p);
    p = parse_ok("{\"version\":\"1.0\",\"rules\":[{\"if\":{\"claim\":\"snp.vmpl\","
                 "\"inReferenceValue\":\"x\"},\"set\":{\"hardware\":3}}]}");
    static const char *const badx[] = {"x", "[1,", NULL};
    rv = (struct fake_rv){badx, 0, ATTEST_OK};
    ck_assert_int_eq(attest_policy_appraise(ctx, p, claims, strlen(claims), fake_refval, &rv,
                                            &tv, &st),
                     ATTEST_E_PARSE);
    ck_assert_str_eq(attest_ctx_last_error(ctx),
                     "policy: reference value x: JSON value expected at byte 3");
    (void)bad;
    /* claims that are not an object; NULL arguments; a release call on an appraisal */
    ck_assert_int_eq(attest_policy_appraise(ctx, p, "\"x\"", 3, NULL, NULL, &tv, &st),
                     ATTEST_E_PARSE);
    ck_assert_int_eq(attest_policy_appraise(ctx, p, "{}", 2, NULL, NULL, NULL, &st),
                     ATTEST_E_ARG);
    ck_assert_int_eq(attest_policy_appraise(NULL, p, "{}", 2, NULL, NULL, &tv, &st),
                     ATTEST_E_ARG);
    int allowed = 5;
    ck_assert_int_eq(attest_policy_allows(ctx, p, "{}", 2, NULL, &allowed, NULL),
                     ATTEST_E_ARG);
    ck_assert_int_eq(allowed, 5);
    ck_assert_int_eq(tv.hardware, 55);
    attest_policy_free(p);
}
END_TEST

/* The AR4SI tiers (attestation-service.md §4.3), at each boundary. */
START_TEST(test_policy_ear_status_tiers)
{
    static const struct {
        int value;
        attest_ear_status want;
    } t[] = {
        {-128, ATTEST_EAR_CONTRAINDICATED}, {-97, ATTEST_EAR_CONTRAINDICATED},
        {-96, ATTEST_EAR_WARNING},          {-33, ATTEST_EAR_WARNING},
        {-32, ATTEST_EAR_AFFIRMING},        {-2, ATTEST_EAR_AFFIRMING},
        {-1, ATTEST_EAR_NONE},              {0, ATTEST_EAR_NONE},
        {1, ATTEST_EAR_NONE},               {2, ATTEST_EAR_AFFIRMING},
        {31, ATTEST_EAR_AFFIRMING},         {32, ATTEST_EAR_WARNING},
        {95, ATTEST_EAR_WARNING},           {96, ATTEST_EAR_CONTRAINDICATED},
        {127, ATTEST_EAR_CONTRAINDICATED},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        ck_assert_msg(attest_ear_status_of((int8_t)t[i].value) == t[i].want, "%d", t[i].value);
        /* the same through an appraisal: the value alone, and beside an affirming 2 */
        for (int with = 0; with < 2; with++) {
            char json[160];
            snprintf(json, sizeof(json),
                     "{\"version\":\"1.0\",\"defaults\":{\"storage-opaque\":%d%s}}", t[i].value,
                     with ? ",\"instance-identity\":2" : "");
            attest_policy *p = parse_ok(json);
            attest_trust_vector tv;
            attest_ear_status st;
            ck_assert_int_eq(attest_policy_appraise(ctx, p, "{}", 2, NULL, NULL, &tv, &st),
                             ATTEST_OK);
            ck_assert_int_eq(tv.storage_opaque, t[i].value);
            attest_ear_status want = t[i].want;
            if (with && want < ATTEST_EAR_AFFIRMING)
                want = ATTEST_EAR_AFFIRMING; /* raised to the worst tier */
            ck_assert_msg(st == want, "%s: %s", json, attest_ear_status_name(st));
            attest_policy_free(p);
        }
    }
    ck_assert_str_eq(attest_ear_status_name(ATTEST_EAR_NONE), "none");
    ck_assert_str_eq(attest_ear_status_name(ATTEST_EAR_AFFIRMING), "affirming");
    ck_assert_str_eq(attest_ear_status_name(ATTEST_EAR_WARNING), "warning");
    ck_assert_str_eq(attest_ear_status_name(ATTEST_EAR_CONTRAINDICATED), "contraindicated");
    ck_assert_ptr_null(attest_ear_status_name((attest_ear_status)1));
}
END_TEST

/* ---- the default policies over real claims ---- */

static const char *const snp_refvals[] = {
    "snp_launch_measurement", NULL, /* filled in below */
    "snp_bootloader", "[3]", "snp_microcode", "[\"115\"]", "snp_snp_svn", "[8, 9]",
    "snp_tee_svn", "0", "snp_smt_enabled", "true", "snp_tsme_enabled", "[false]",
    "snp_guest_abi_major", "0", "snp_guest_abi_minor", "[0]", "snp_single_socket", "false",
    "snp_smt_allowed", "[true]", NULL};

/* The claims with one substring replaced (a debug guest, another TCB). */
static char *claims_with(const char *base, const char *from, const char *to)
{
    const char *at = strstr(base, from);
    ck_assert_ptr_nonnull(at);
    size_t n = strlen(base) - strlen(from) + strlen(to) + 1;
    char *s = malloc(n);
    ck_assert_ptr_nonnull(s);
    snprintf(s, n, "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
    return s;
}

START_TEST(test_policy_default_snp)
{
    char meas[128];
    const char *pairs[sizeof(snp_refvals) / sizeof(snp_refvals[0])];
    attest_policy *p = NULL, *all = NULL;

    memcpy(pairs, snp_refvals, sizeof(pairs));
    snprintf(meas, sizeof(meas), "[\"%s\"]", snp_measurement);
    pairs[1] = meas;
    ck_assert_int_eq(attest_policy_default(&p, ctx, "snp"), ATTEST_OK);
    ck_assert_int_eq(attest_policy_default(&all, ctx, NULL), ATTEST_OK);
    ck_assert_int_eq(attest_policy_kind_of(p), ATTEST_POLICY_APPRAISAL);
    ck_assert_str_eq(attest_policy_id(p), "default-snp");
    ck_assert_str_eq(attest_policy_id(all), "default");
    ck_assert_uint_eq(strlen(attest_policy_hash(p)), 96);

    for (int k = 0; k < 2; k++) {
        const attest_policy *pol = k ? all : p;
        /* everything known: affirming */
        struct fake_rv rv = {pairs, 0, ATTEST_OK};
        appraise_expect(pol, snp_claims, &rv, 3, 2, 2, ATTEST_EAR_AFFIRMING);
        /* no reference values: Trustee's defaults, but the configuration has no debug */
        appraise_expect(pol, snp_claims, NULL, 33, 97, 3, ATTEST_EAR_CONTRAINDICATED);
        /* a measurement that is not a reference value: warning */
        const char *other[sizeof(pairs) / sizeof(pairs[0])];
        memcpy(other, pairs, sizeof(other));
        other[1] = "[\"00\"]";
        rv = (struct fake_rv){other, 0, ATTEST_OK};
        appraise_expect(pol, snp_claims, &rv, 33, 2, 2, ATTEST_EAR_WARNING);
        /* a microcode level that is not a reference value: hardware unrecognized */
        char *old = claims_with(snp_claims, "\"reported_tcb\":{\"raw\":\"7308000000000003\","
                                            "\"bootloader\":3,\"tee\":0,\"snp\":8,"
                                            "\"microcode\":115}",
                                "\"reported_tcb\":{\"raw\":\"7208000000000003\","
                                "\"bootloader\":3,\"tee\":0,\"snp\":8,\"microcode\":114}");
        rv = (struct fake_rv){pairs, 0, ATTEST_OK};
        appraise_expect(pol, old, &rv, 3, 97, 2, ATTEST_EAR_CONTRAINDICATED);
        free(old);
        /* a debug guest is contraindicated whatever the reference values say */
        char *dbg = claims_with(snp_claims, "\"debug\":false", "\"debug\":true");
        rv = (struct fake_rv){pairs, 0, ATTEST_OK};
        appraise_expect(pol, dbg, &rv, 3, 2, 96, ATTEST_EAR_CONTRAINDICATED);
        free(dbg);
        /* an SMT setting that differs from its reference value: configuration 3 */
        char *smt = claims_with(snp_claims, "\"smt_enabled\":true", "\"smt_enabled\":false");
        rv = (struct fake_rv){pairs, 0, ATTEST_OK};
        appraise_expect(pol, smt, &rv, 3, 2, 3, ATTEST_EAR_AFFIRMING);
        free(smt);
        /* the SNP rules leave sample claims alone */
        appraise_expect(p, sample_claims, &rv, 33, 97, 36, ATTEST_EAR_CONTRAINDICATED);
    }
    attest_policy_free(p);
    attest_policy_free(all);
}
END_TEST

START_TEST(test_policy_default_sample)
{
    static const char *const refvals[] = {"launch_digest", "[\"abcde\"]", "svn", "[\"1\"]",
                                          "major_version", "1", "minimum_minor_version", "4",
                                          NULL};
    static const char *const newer[] = {"launch_digest", "[\"abcde\"]", "svn", "[\"1\"]",
                                        "major_version", "[1]", "minimum_minor_version", "\"5\"",
                                        NULL};
    attest_policy *p = NULL, *all = NULL;
    ck_assert_int_eq(attest_policy_default(&p, ctx, "sample"), ATTEST_OK);
    ck_assert_int_eq(attest_policy_default(&all, ctx, NULL), ATTEST_OK);
    ck_assert_str_eq(attest_policy_id(p), "default-sample");
    for (int k = 0; k < 2; k++) {
        const attest_policy *pol = k ? all : p;
        struct fake_rv rv = {refvals, 0, ATTEST_OK};
        appraise_expect(pol, sample_claims, &rv, 3, 2, 2, ATTEST_EAR_AFFIRMING);
        appraise_expect(pol, sample_claims, NULL, 33, 97, 2, ATTEST_EAR_CONTRAINDICATED);
        rv = (struct fake_rv){newer, 0, ATTEST_OK};
        appraise_expect(pol, sample_claims, &rv, 3, 97, 2, ATTEST_EAR_CONTRAINDICATED);
        char *dbg = claims_with(sample_claims, "\"debug\":false", "\"debug\":true");
        rv = (struct fake_rv){refvals, 0, ATTEST_OK};
        appraise_expect(pol, dbg, &rv, 3, 2, 96, ATTEST_EAR_CONTRAINDICATED);
        free(dbg);
    }
    attest_policy_free(p);
    attest_policy_free(all);
}
END_TEST

START_TEST(test_policy_default_unknown_tee)
{
    attest_policy *p = NULL;
    ck_assert_int_eq(attest_policy_default(&p, ctx, "tdx"), ATTEST_E_UNSUPPORTED);
    ck_assert_str_eq(attest_ctx_last_error(ctx),
                     "policy: no default appraisal policy for TEE tdx (want sample or snp)");
    ck_assert_ptr_null(p);
    ck_assert_int_eq(attest_policy_default(NULL, ctx, "snp"), ATTEST_E_ARG);
    ck_assert_int_eq(attest_policy_default(&p, NULL, "snp"), ATTEST_E_ARG);
}
END_TEST

/* ---- store ---- */

static const char pol_a[] = "{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":[{\"claim\":"
                            "\"snp.vmpl\",\"equals\":0}]}]}";
static const char pol_b[] = "{\"version\":\"1.0\",\"defaults\":{\"hardware\":2}}";

START_TEST(test_policy_store_memory)
{
    attest_policy_store *s = NULL;
    attest_policy *p = NULL;
    ck_assert_int_eq(attest_policy_store_new(&s, ctx, NULL), ATTEST_OK);
    ck_assert_uint_eq(attest_policy_store_count(s), 0);
    ck_assert_int_eq(attest_policy_store_set(ctx, s, "zeta", pol_a, strlen(pol_a)), ATTEST_OK);
    ck_assert_int_eq(attest_policy_store_set(ctx, s, "alpha-1.x_y", pol_b, strlen(pol_b)),
                     ATTEST_OK);
    ck_assert_uint_eq(attest_policy_store_count(s), 2);
    ck_assert_str_eq(attest_policy_store_id(s, 0), "alpha-1.x_y");
    ck_assert_str_eq(attest_policy_store_id(s, 1), "zeta");
    ck_assert_ptr_null(attest_policy_store_id(s, 2));
    ck_assert_int_eq(attest_policy_store_get(ctx, s, "zeta", &p), ATTEST_OK);
    ck_assert_str_eq(attest_policy_id(p), "zeta");
    ck_assert_str_eq(attest_policy_text(p, NULL), pol_a);
    ck_assert_int_eq(attest_policy_kind_of(p), ATTEST_POLICY_RELEASE);
    /* replacing does not change a policy already handed out */
    ck_assert_int_eq(attest_policy_store_set(ctx, s, "zeta", pol_b, strlen(pol_b)), ATTEST_OK);
    ck_assert_uint_eq(attest_policy_store_count(s), 2);
    ck_assert_str_eq(attest_policy_text(p, NULL), pol_a);
    attest_policy_free(p);
    p = NULL;
    ck_assert_int_eq(attest_policy_store_get(ctx, s, "zeta", &p), ATTEST_OK);
    ck_assert_int_eq(attest_policy_kind_of(p), ATTEST_POLICY_APPRAISAL);
    attest_policy_free(p);
    p = NULL;
    /* an invalid policy is not stored */
    ck_assert_int_eq(attest_policy_store_set(ctx, s, "zeta", "{}", 2), ATTEST_E_PARSE);
    ck_assert_int_eq(attest_policy_store_get(ctx, s, "zeta", &p), ATTEST_OK);
    ck_assert_int_eq(attest_policy_kind_of(p), ATTEST_POLICY_APPRAISAL);
    attest_policy_free(p);
    p = NULL;
    ck_assert_int_eq(attest_policy_store_delete(ctx, s, "zeta"), ATTEST_OK);
    ck_assert_int_eq(attest_policy_store_delete(ctx, s, "zeta"), ATTEST_E_NOT_FOUND);
    ck_assert_str_eq(attest_ctx_last_error(ctx), "policy: no policy with id zeta");
    ck_assert_int_eq(attest_policy_store_get(ctx, s, "zeta", &p), ATTEST_E_NOT_FOUND);
    ck_assert_ptr_null(p);
    ck_assert_uint_eq(attest_policy_store_count(s), 1);
    attest_policy_store_free(s);
    attest_policy_store_free(NULL);
    ck_assert_uint_eq(attest_policy_store_count(NULL), 0);
    ck_assert_ptr_null(attest_policy_store_id(NULL, 0));
}
END_TEST

START_TEST(test_policy_store_rejects_bad_ids)
{
    static const char *const bad[] = {"", "a/b", "a b", "../x", "é", "a\n",
                                      ("0123456789012345678901234567890123456789012345678901234"
                                       "5678901234")}; /* 65 */
    attest_policy_store *s = NULL;
    attest_policy *p = NULL;
    ck_assert_int_eq(attest_policy_store_new(&s, ctx, NULL), ATTEST_OK);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(attest_policy_store_set(ctx, s, bad[i], pol_a, strlen(pol_a)) ==
                          ATTEST_E_ARG,
                      "%s", bad[i]);
        ck_assert_int_eq(attest_policy_store_get(ctx, s, bad[i], &p), ATTEST_E_ARG);
        ck_assert_int_eq(attest_policy_store_delete(ctx, s, bad[i]), ATTEST_E_ARG);
    }
    ck_assert_int_eq(attest_policy_store_set(ctx, s, "a/b", pol_a, strlen(pol_a)), ATTEST_E_ARG);
    ck_assert_str_eq(attest_ctx_last_error(ctx), "policy: id \"a/b\" is not 1 to 64 characters "
                                                 "of A-Z, a-z, 0-9, _, . and -");
    ck_assert_int_eq(attest_policy_store_set(ctx, s, NULL, pol_a, strlen(pol_a)), ATTEST_E_ARG);
    ck_assert_str_eq(attest_ctx_last_error(ctx), "policy: id is NULL");
    /* 64 characters is fine */
    const char *max = "0123456789012345678901234567890123456789012345678901234567890123";
    ck_assert_int_eq(attest_policy_store_set(ctx, s, max, pol_a, strlen(pol_a)), ATTEST_OK);
    ck_assert_uint_eq(attest_policy_store_count(s), 1);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(attest_policy_store_set(ctx, NULL, "a", pol_a, strlen(pol_a)),
                     ATTEST_E_ARG);
    ck_assert_int_eq(attest_policy_store_new(NULL, ctx, NULL), ATTEST_E_ARG);
    ck_assert_int_eq(attest_policy_store_new(&s, ctx, ""), ATTEST_E_ARG);
    attest_policy_store_free(s);
}
END_TEST

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    static char buf[4096];
    if (f == NULL)
        return NULL;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.' || strncmp(e->d_name, ".tmp-", 5) == 0;
    closedir(d);
    return n;
}

static void rm_rf(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

START_TEST(test_policy_store_persists)
{
    char base[] = "/tmp/test_policy_XXXXXX", dir[256], path[512];
    attest_policy_store *s = NULL, *again = NULL;
    attest_policy *p = NULL;
    struct stat st;

    ck_assert_ptr_nonnull(mkdtemp(base));
    snprintf(dir, sizeof(dir), "%s/store", base); /* missing: created */
    ck_assert_int_eq(attest_policy_store_new(&s, ctx, dir), ATTEST_OK);
    ck_assert_int_eq(stat(dir, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0700);
    ck_assert_int_eq(attest_policy_store_set(ctx, s, "release", pol_a, strlen(pol_a)),
                     ATTEST_OK);
    ck_assert_int_eq(attest_policy_store_set(ctx, s, "appraise", pol_b, strlen(pol_b)),
                     ATTEST_OK);
    ck_assert_int_eq(attest_policy_store_set(ctx, s, "gone", pol_b, strlen(pol_b)), ATTEST_OK);
    ck_assert_int_eq(attest_policy_store_delete(ctx, s, "gone"), ATTEST_OK);
    snprintf(path, sizeof(path), "%s/release.json", dir);
    ck_assert_str_eq(read_text(path), pol_a);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    snprintf(path, sizeof(path), "%s/gone.json", dir);
    ck_assert_int_ne(access(path, F_OK), 0);
    ck_assert_int_eq(dir_entries(dir), 2); /* no temporary files left */
    /* what a crash or another program may leave: ignored */
    snprintf(path, sizeof(path), "%s/.tmp-release-abcdef", dir);
    write_text(path, "{\"version\":");
    snprintf(path, sizeof(path), "%s/README", dir);
    write_text(path, "not a policy");
    snprintf(path, sizeof(path), "%s/bad id.json", dir);
    write_text(path, "{}");

    ck_assert_int_eq(attest_policy_store_new(&again, ctx, dir), ATTEST_OK);
    ck_assert_uint_eq(attest_policy_store_count(again), 2);
    ck_assert_str_eq(attest_policy_store_id(again, 0), "appraise");
    ck_assert_str_eq(attest_policy_store_id(again, 1), "release");
    ck_assert_int_eq(attest_policy_store_get(ctx, again, "release", &p), ATTEST_OK);
    ck_assert_str_eq(attest_policy_text(p, NULL), pol_a);
    attest_policy *q = NULL;
    ck_assert_int_eq(attest_policy_store_get(ctx, s, "release", &q), ATTEST_OK);
    ck_assert_str_eq(attest_policy_hash(p), attest_policy_hash(q));
    attest_policy_free(p);
    attest_policy_free(q);
    attest_policy_store_free(again);
    again = NULL;

    /* a damaged policy file fails the load, naming the file */
    snprintf(path, sizeof(path), "%s/broken.json", dir);
    write_text(path, "{\"version\":\"1.0.0\",\"anyOf\":[]}");
    ck_assert_int_eq(attest_policy_store_new(&again, ctx, dir), ATTEST_E_PARSE);
    char want[600];
    snprintf(want, sizeof(want),
             "policy: %s: $.anyOf: expected a non-empty array of authority blocks", path);
    ck_assert_str_eq(attest_ctx_last_error(ctx), want);
    ck_assert_ptr_null(again);
    unlink(path);

    /* a directory that cannot be: a regular file */
    snprintf(path, sizeof(path), "%s/README", dir);
    ck_assert_int_eq(attest_policy_store_new(&again, ctx, path), ATTEST_E_IO);
    ck_assert_ptr_null(again);
    attest_policy_store_free(s);
    rm_rf(dir);
    rm_rf(base);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("policy");
    TCase *parse = tcase_create("parse");
    tcase_add_checked_fixture(parse, setup, teardown);
    tcase_add_test(parse, test_policy_parse_release_and_hash);
    tcase_add_test(parse, test_policy_parse_appraisal);
    tcase_add_test(parse, test_policy_parse_rejects_malformed);
    tcase_add_test(parse, test_policy_parse_rejects_malformed_appraisal);
    tcase_add_test(parse, test_policy_parse_limits_and_arguments);
    suite_add_tcase(s, parse);

    TCase *release = tcase_create("release");
    tcase_add_checked_fixture(release, setup, teardown);
    tcase_add_test(release, test_policy_release_equals_and_coercions);
    tcase_add_test(release, test_policy_release_comparisons);
    tcase_add_test(release, test_policy_release_in_exists);
    tcase_add_test(release, test_policy_release_missing_claims);
    tcase_add_test(release, test_policy_release_dotted_names);
    tcase_add_test(release, test_policy_release_nested_combinators);
    tcase_add_test(release, test_policy_release_authority);
    tcase_add_test(release, test_policy_release_reason);
    tcase_add_test(release, test_policy_release_bad_input);
    suite_add_tcase(s, release);

    TCase *appraise = tcase_create("appraise");
    tcase_add_checked_fixture(appraise, setup, teardown);
    tcase_add_test(appraise, test_policy_appraise_rules_and_refvals);
    tcase_add_test(appraise, test_policy_appraise_refval_forms);
    tcase_add_test(appraise, test_policy_appraise_errors);
    tcase_add_test(appraise, test_policy_ear_status_tiers);
    tcase_add_test(appraise, test_policy_default_snp);
    tcase_add_test(appraise, test_policy_default_sample);
    tcase_add_test(appraise, test_policy_default_unknown_tee);
    suite_add_tcase(s, appraise);

    TCase *store = tcase_create("store");
    tcase_add_checked_fixture(store, setup, teardown);
    tcase_add_test(store, test_policy_store_memory);
    tcase_add_test(store, test_policy_store_rejects_bad_ids);
    tcase_add_test(store, test_policy_store_persists);
    suite_add_tcase(s, store);
    return s;
}
