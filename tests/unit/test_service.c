/*
 * The Attestation Service core through the public API: Trustee AS requests with sample
 * evidence, policies by id, reference values, the token broker configurations, and every
 * malformed request and configuration we could think of. Tokens are checked by verifying
 * them with the service's own JWKS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <attest/attest.h>

#include "check_main.h"

#define NOW 1767225600 /* 2026-01-01 */

static attest_ctx *ctx;

static void setup(void)
{
    ck_assert_int_eq(attest_ctx_new(&ctx), ATTEST_OK);
    ck_assert_int_eq(attest_ctx_set_time(ctx, NOW), ATTEST_OK);
}

static void teardown(void)
{
    attest_ctx_free(ctx);
}

static char *b64url(const void *data, size_t len)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    for (int i = 0; i < n; i++)
        out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    return out;
}

/* Sample evidence whose report_data is the given raw bytes (and optional init_data). */
static char *sample_evidence(const uint8_t *rd, size_t rd_len, const uint8_t *id, size_t id_len)
{
    char *rdb = malloc(200), *idb = malloc(200), *ev = malloc(600);
    EVP_EncodeBlock((unsigned char *)rdb, rd, (int)rd_len);
    EVP_EncodeBlock((unsigned char *)idb, id, (int)id_len);
    if (id_len > 0)
        snprintf(ev, 600, "{\"svn\":\"1\",\"report_data\":\"%s\",\"init_data\":\"%s\"}", rdb, idb);
    else
        snprintf(ev, 600, "{\"svn\":\"1\",\"report_data\":\"%s\"}", rdb);
    free(rdb);
    free(idb);
    return ev;
}

static const char runtime[] = "{\"nonce\":\"n-1\",\"tee-pubkey\":{\"kty\":\"EC\",\"crv\":\"P-256\"}}";

/* A request for sample evidence bound to structured runtime data. */
static char *structured_request(const char *policy_ids)
{
    uint8_t rd[64];
    size_t rd_len = 0;
    ck_assert_int_eq(attest_binding_digest(ctx, ATTEST_DATA_JSON, (const uint8_t *)runtime,
                                           strlen(runtime), ATTEST_HASH_SHA384, rd, sizeof(rd),
                                           &rd_len),
                     ATTEST_OK);
    char *ev = sample_evidence(rd, rd_len, NULL, 0), *e64 = b64url(ev, strlen(ev));
    char *req = malloc(strlen(e64) + 512);
    sprintf(req, "{\"verification_requests\":[{\"tee\":\"sample\",\"evidence\":\"%s\","
                 "\"runtime_data\":{\"structured\":%s},\"runtime_data_hash_algorithm\":"
                 "\"sha384\"}],\"policy_ids\":%s}", e64, runtime, policy_ids);
    free(ev);
    free(e64);
    return req;
}

/* The claims of a token, verified with the service's JWKS. */
static cJSON *token_claims(attest_service *s, const char *token)
{
    attest_token_verifier *v;
    char *jwks = NULL, *claims = NULL;
    ck_assert_int_eq(attest_service_jwks(s, &jwks), ATTEST_OK);
    ck_assert_int_eq(attest_token_verifier_new(&v, ctx), ATTEST_OK);
    ck_assert_int_eq(attest_token_verifier_add_jwks(v, jwks, strlen(jwks)), ATTEST_OK);
    ck_assert_int_eq(attest_token_verify(v, token, strlen(token), &claims), ATTEST_OK);
    cJSON *c = cJSON_Parse(claims);
    ck_assert_ptr_nonnull(c);
    attest_free(claims);
    attest_free(jwks);
    attest_token_verifier_free(v);
    return c;
}

static const char *ear_status(cJSON *c)
{
    cJSON *s = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "submods"), "cpu0"),
                                   "ear.status");
    ck_assert(cJSON_IsString(s));
    return s->valuestring;
}

static cJSON *evidence_of(cJSON *c)
{
    return cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "submods"), "cpu0"),
                               "ear.veraison.annotated-evidence");
}

START_TEST(test_service_default_ear)
{
    attest_service *s;
    char *req = structured_request("[]"), *token = NULL;
    ck_assert_int_eq(attest_service_new(&s, ctx, NULL, 0), ATTEST_OK);
    ck_assert_int_eq(attest_service_attest(s, req, strlen(req), &token), ATTEST_OK);
    cJSON *c = token_claims(s, token);
    /* no reference values: Trustee's default leaves executables and hardware unrecognised */
    ck_assert_str_eq(ear_status(c), "contraindicated");
    cJSON *ev = evidence_of(c);
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(ev, "sample"), "svn")->valuestring,
                     "1");
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(ev, "runtime_data_claims"),
                                         "nonce")->valuestring, "n-1");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(ev, "init_data_claims")));
    ck_assert_str_eq(cJSON_GetObjectItem(c, "iss")->valuestring, "CoCo-Attestation-Service");
    ck_assert_int_eq((int)cJSON_GetObjectItem(c, "iat")->valuedouble % 1000, NOW % 1000);
    cJSON_Delete(c);
    attest_free(token);

    /* with Trustee's sample reference values the same evidence is affirming */
    const char *values = "{\"launch_digest\":[\"abcde\"],\"svn\":[\"1\"],\"major_version\":1,"
                         "\"minimum_minor_version\":0}";
    char *payload = malloc(256), msg[512];
    EVP_EncodeBlock((unsigned char *)payload, (const unsigned char *)values, (int)strlen(values));
    snprintf(msg, sizeof(msg), "{\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":\"%s\"}",
             payload);
    ck_assert_int_eq(attest_service_register_refval(s, msg, strlen(msg)), ATTEST_OK);
    char *q = NULL;
    ck_assert_int_eq(attest_service_query_refval(s, "svn", &q), ATTEST_OK);
    ck_assert_str_eq(q, "[\"1\"]");
    attest_free(q);
    ck_assert_int_eq(attest_service_attest(s, req, strlen(req), &token), ATTEST_OK);
    c = token_claims(s, token);
    ck_assert_str_eq(ear_status(c), "affirming");
    cJSON_Delete(c);
    attest_free(token);
    free(payload);
    free(req);
    attest_service_free(s);
}
END_TEST

START_TEST(test_service_raw_and_legacy_forms)
{
    attest_service *s;
    char *token = NULL, req[2048];
    const uint8_t raw[] = "exactly these bytes";
    char *ev = sample_evidence(raw, sizeof(raw) - 1, NULL, 0), *e64 = b64url(ev, strlen(ev));
    char *r64 = b64url(raw, sizeof(raw) - 1);
    ck_assert_int_eq(attest_service_new(&s, ctx, NULL, 0), ATTEST_OK);
    snprintf(req, sizeof(req), "{\"verification_requests\":[{\"tee\":\"sample\",\"evidence\":"
             "\"%s\",\"runtime_data\":{\"raw\":\"%s\"}}],\"policy_ids\":[\"default\"]}", e64, r64);
    ck_assert_int_eq(attest_service_attest(s, req, strlen(req), &token), ATTEST_OK);
    attest_free(token);
    /* the older flat request (Trustee AS before verification_requests) */
    snprintf(req, sizeof(req), "{\"tee\":\"sample\",\"evidence\":\"%s\",\"runtime_data\":"
             "{\"raw\":\"%s\"},\"policy_ids\":[]}", e64, r64);
    ck_assert_int_eq(attest_service_attest(s, req, strlen(req), &token), ATTEST_OK);
    attest_free(token);
    /* raw runtime data that is not the report data */
    char *other = b64url("other bytes", 11);
    snprintf(req, sizeof(req), "{\"tee\":\"sample\",\"evidence\":\"%s\",\"runtime_data\":"
             "{\"raw\":\"%s\"}}", e64, other);
    token = NULL;
    ck_assert_int_eq(attest_service_attest(s, req, strlen(req), &token), ATTEST_E_BINDING);
    ck_assert_ptr_null(token);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "report_data does not match"));
    free(other);
    free(ev);
    free(e64);
    free(r64);
    attest_service_free(s);
}
END_TEST

START_TEST(test_service_init_data_toml)
{
    attest_service *s;
    const char toml[] = "algorithm = \"sha256\"\nversion = \"0.1.0\"\n\n[data]\n"
                        "\"aa.toml\" = '''\n[token_configs]\n'''\n\"note\" = \"hi\"\n";
    uint8_t id[32];
    unsigned int n = 0;
    EVP_Digest(toml, strlen(toml), id, &n, EVP_sha256(), NULL);
    char *ev = sample_evidence((const uint8_t *)"", 0, id, 32), *e64 = b64url(ev, strlen(ev));
    cJSON *r = cJSON_CreateObject(), *vr = cJSON_AddArrayToObject(r, "verification_requests");
    cJSON *one = cJSON_CreateObject(), *init = cJSON_CreateObject();
    cJSON_AddStringToObject(one, "tee", "sample");
    cJSON_AddStringToObject(one, "evidence", e64);
    cJSON_AddStringToObject(init, "init_data_toml", toml);
    cJSON_AddItemToObject(one, "init_data", init);
    cJSON_AddItemToArray(vr, one);
    char *req = cJSON_PrintUnformatted(r), *token = NULL;
    ck_assert_int_eq(attest_service_new(&s, ctx, NULL, 0), ATTEST_OK);
    ck_assert_int_eq(attest_service_attest(s, req, strlen(req), &token), ATTEST_OK);
    cJSON *c = token_claims(s, token);
    cJSON *claims = cJSON_GetObjectItem(evidence_of(c), "init_data_claims");
    ck_assert_str_eq(cJSON_GetObjectItem(claims, "note")->valuestring, "hi");
    ck_assert_str_eq(cJSON_GetObjectItem(claims, "aa.toml")->valuestring, "[token_configs]\n");
    cJSON_Delete(c);
    attest_free(token);
    /* another TOML text: init_data mismatch */
    cJSON_ReplaceItemInObject(init, "init_data_toml",
                              cJSON_CreateString("algorithm = \"sha256\"\nversion = \"0.1.0\"\n"));
    free(req);
    req = cJSON_PrintUnformatted(r);
    ck_assert_int_eq(attest_service_attest(s, req, strlen(req), &token), ATTEST_E_BINDING);
    /* malformed TOML names the line */
    cJSON_ReplaceItemInObject(init, "init_data_toml",
                              cJSON_CreateString("algorithm = \"sha256\"\nversion = 1\n"));
    free(req);
    req = cJSON_PrintUnformatted(r);
    ck_assert_int_eq(attest_service_attest(s, req, strlen(req), &token), ATTEST_E_PARSE);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "line 2"));
    free(req);
    cJSON_Delete(r);
    free(ev);
    free(e64);
    attest_service_free(s);
}
END_TEST

START_TEST(test_service_policies)
{
    attest_service *s;
    char *list = NULL, *text = NULL, *token = NULL, body[1024];
    const char *policy = "{\"version\": \"1.0\", \"defaults\": {\"hardware\": 2}, \"rules\": "
                         "[{\"if\": {\"claim\": \"sample.svn\", \"equals\": \"1\"}, "
                         "\"set\": {\"executables\": 32}}]}";
    char *p64 = b64url(policy, strlen(policy));
    ck_assert_int_eq(attest_service_new(&s, ctx, NULL, 0), ATTEST_OK);
    snprintf(body, sizeof(body), "{\"type\":\"rego\",\"policy_id\":\"mine_cpu\",\"policy\":\"%s\"}",
             p64);
    ck_assert_int_eq(attest_service_set_policy(s, body, strlen(body)), ATTEST_OK);
    ck_assert_int_eq(attest_service_list_policies(s, &list), ATTEST_OK);
    ck_assert_str_eq(list, "[{\"policy-id\":\"mine_cpu\"}]");
    ck_assert_int_eq(attest_service_get_policy(s, "mine_cpu", &text), ATTEST_OK);
    ck_assert_str_eq(text, policy);
    char *req = structured_request("[\"mine\"]");
    ck_assert_int_eq(attest_service_attest(s, req, strlen(req), &token), ATTEST_OK);
    cJSON *c = token_claims(s, token);
    ck_assert_str_eq(ear_status(c), "warning");
    cJSON *sub = cJSON_GetObjectItem(cJSON_GetObjectItem(c, "submods"), "cpu0");
    ck_assert_str_eq(cJSON_GetObjectItem(sub, "ear.appraisal-policy-id")->valuestring, "mine");
    ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(sub, "ear.trustworthiness-vector"),
                                         "executables")->valueint, 32);
    cJSON_Delete(c);
    attest_free(token);
    free(req);
    /* an unknown id */
    req = structured_request("[\"nosuch\"]");
    token = NULL;
    ck_assert_int_eq(attest_service_attest(s, req, strlen(req), &token), ATTEST_E_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "nosuch"));
    /* Rego is not our policy language: refused with the JSON reason */
    char *rego = b64url("package policy\ndefault allow = true\n", 37);
    snprintf(body, sizeof(body), "{\"policy_id\":\"r\",\"policy\":\"%s\"}", rego);
    ck_assert_int_eq(attest_service_set_policy(s, body, strlen(body)), ATTEST_E_PARSE);
    ck_assert_int_eq(attest_service_get_policy(s, "r", &text), ATTEST_E_NOT_FOUND);
    snprintf(body, sizeof(body), "{\"policy_id\":\"../x\",\"policy\":\"%s\"}", p64);
    ck_assert_int_eq(attest_service_set_policy(s, body, strlen(body)), ATTEST_E_ARG);
    ck_assert_int_eq(attest_service_set_policy(s, "{\"policy_id\":\"x\"}", 17), ATTEST_E_PARSE);
    free(rego);
    free(req);
    free(p64);
    attest_free(list);
    attest_free(text);
    attest_service_free(s);
}
END_TEST

/* Structured runtime data is canonicalised as sent: an integer above 2^53 and a \u0000
 * escape survive (a JSON library's re-print would change both). */
START_TEST(test_service_structured_exact)
{
    attest_service *s;
    const char *rt = "{\"n\":18446744073709551615,\"s\":\"a\\u0000b\"}";
    uint8_t rd[64];
    size_t rd_len = 0;
    char *token = NULL, req[2048];
    ck_assert_int_eq(attest_binding_digest(ctx, ATTEST_DATA_JSON, (const uint8_t *)rt,
                                           strlen(rt), ATTEST_HASH_SHA384, rd, sizeof(rd),
                                           &rd_len),
                     ATTEST_OK);
    char *ev = sample_evidence(rd, rd_len, NULL, 0), *e64 = b64url(ev, strlen(ev));
    snprintf(req, sizeof(req), "{\"verification_requests\":[{\"tee\":\"sample\",\"evidence\":"
             "\"%s\",\"runtime_data\":{\"structured\": %s }}]}", e64, rt);
    ck_assert_int_eq(attest_service_new(&s, ctx, NULL, 0), ATTEST_OK);
    ck_assert_msg(attest_service_attest(s, req, strlen(req), &token) == ATTEST_OK, "%s",
                  attest_ctx_last_error(ctx));
    attest_free(token);
    attest_service_free(s);
    free(ev);
    free(e64);
}
END_TEST

START_TEST(test_service_simple_broker)
{
    attest_service *s;
    const char *cfg = "{\"attestation_token_broker\":{\"type\":\"Simple\",\"duration_min\":2,"
                      "\"issuer_name\":\"my-as\"}}";
    char *req = structured_request("[]"), *token = NULL;
    ck_assert_int_eq(attest_service_new(&s, ctx, cfg, strlen(cfg)), ATTEST_OK);
    /* no stored policy: the built-in appraisal default applies to simple tokens too */
    ck_assert_int_eq(attest_service_attest(s, req, strlen(req), &token), ATTEST_OK);
    cJSON *c = token_claims(s, token);
    ck_assert_str_eq(cJSON_GetObjectItem(c, "iss")->valuestring, "my-as");
    ck_assert_int_eq((int)(cJSON_GetObjectItem(c, "exp")->valuedouble -
                           cJSON_GetObjectItem(c, "iat")->valuedouble), 120);
    cJSON *flat = cJSON_Parse(cJSON_GetObjectItem(c, "tcb-status")->valuestring);
    ck_assert_str_eq(cJSON_GetObjectItem(flat, "sample.svn")->valuestring, "1");
    cJSON_Delete(flat);
    cJSON_Delete(c);
    attest_free(token);
    /* a release policy that denies: rejected by policy, no token */
    const char *deny = "{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":[{\"claim\":\"sample.svn\","
                       "\"equals\":\"2\"}]}]}";
    char *d64 = b64url(deny, strlen(deny)), body[512];
    snprintf(body, sizeof(body), "{\"policy_id\":\"default\",\"policy\":\"%s\"}", d64);
    ck_assert_int_eq(attest_service_set_policy(s, body, strlen(body)), ATTEST_OK);
    token = NULL;
    ck_assert_int_eq(attest_service_attest(s, req, strlen(req), &token), ATTEST_E_POLICY);
    ck_assert_ptr_null(token);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "rejected by policy default"));
    free(d64);
    free(req);
    attest_service_free(s);
}
END_TEST

static const char *bad_requests[] = {
    "not json",
    "[]",
    "{\"verification_requests\":[]}",
    "{\"verification_requests\":{}}",
    "{\"verification_requests\":[{\"evidence\":\"e30\"}]}",
    "{\"verification_requests\":[{\"tee\":\"sample\"}]}",
    "{\"verification_requests\":[{\"tee\":\"sample\",\"evidence\":\"!!!\"}]}",
    "{\"verification_requests\":[{\"tee\":\"sample\",\"evidence\":\"e30\",\"runtime_data\":"
    "{\"raw\":\"AA\",\"structured\":{}}}]}",
    "{\"verification_requests\":[{\"tee\":\"sample\",\"evidence\":\"e30\",\"runtime_data\":"
    "{\"other\":1}}]}",
    "{\"verification_requests\":[{\"tee\":\"sample\",\"evidence\":\"e30\",\"runtime_data\":"
    "{\"structured\":{}},\"runtime_data_hash_algorithm\":\"md5\"}]}",
    "{\"verification_requests\":[{\"tee\":\"sample\",\"evidence\":\"e30\",\"init_data\":"
    "{\"init_data_toml\":7}}]}",
    "{\"verification_requests\":[{\"tee\":\"sample\",\"evidence\":\"e30\"}],\"policy_ids\":[1]}",
    "{\"verification_requests\":[{\"tee\":\"sample\",\"evidence\":\"e30\"}],\"policy_ids\":\"a\"}",
    "{\"tee\":\"sample\",\"tee\":\"snp\",\"evidence\":\"e30\"}",
};

START_TEST(test_service_bad_requests)
{
    attest_service *s;
    char *token = NULL;
    ck_assert_int_eq(attest_service_new(&s, ctx, NULL, 0), ATTEST_OK);
    const char *r = bad_requests[_i];
    attest_status rc = attest_service_attest(s, r, strlen(r), &token);
    ck_assert_msg(rc == ATTEST_E_PARSE, "request %d: got %d (%s)", _i, rc,
                  attest_ctx_last_error(ctx));
    ck_assert_ptr_null(token);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "service"));
    attest_service_free(s);
}
END_TEST

START_TEST(test_service_unsupported_requests)
{
    attest_service *s;
    char *token = NULL, *challenge = NULL;
    ck_assert_int_eq(attest_service_new(&s, ctx, NULL, 0), ATTEST_OK);
    const char *two = "{\"verification_requests\":[{\"tee\":\"sample\",\"evidence\":\"e30\"},"
                      "{\"tee\":\"sample\",\"evidence\":\"e30\"}]}";
    ck_assert_int_eq(attest_service_attest(s, two, strlen(two), &token), ATTEST_E_UNSUPPORTED);
    const char *tee = "{\"verification_requests\":[{\"tee\":\"se\",\"evidence\":\"e30\"}]}";
    ck_assert_int_eq(attest_service_attest(s, tee, strlen(tee), &token), ATTEST_E_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(attest_ctx_last_error(ctx), "\"se\""));
    ck_assert_ptr_null(token);
    const char *chal = "{\"tee\":\"sample\",\"tee_params\":\"\"}";
    ck_assert_int_eq(attest_service_challenge(s, chal, strlen(chal), &challenge), ATTEST_OK);
    ck_assert_str_eq(challenge, "");
    attest_free(challenge);
    challenge = NULL;
    ck_assert_int_eq(attest_service_challenge(s, "{\"tee\":\"se\"}", 12, &challenge),
                     ATTEST_E_UNSUPPORTED);
    ck_assert_int_eq(attest_service_challenge(s, "{}", 2, &challenge), ATTEST_E_PARSE);
    ck_assert_ptr_null(challenge);
    attest_service_free(s);
}
END_TEST

static const struct { const char *cfg; attest_status want; const char *msg; } bad_configs[] = {
    {"[]", ATTEST_E_PARSE, "not a JSON object"},
    {"{\"work_dir\":3}", ATTEST_E_PARSE, "work_dir"},
    {"{\"attestation_token_broker\":{\"type\":\"Jwt\"}}", ATTEST_E_PARSE, "type"},
    {"{\"attestation_token_broker\":{\"duration_min\":0}}", ATTEST_E_PARSE, "duration_min"},
    {"{\"attestation_token_broker\":{\"duration_min\":1.5}}", ATTEST_E_PARSE, "duration_min"},
    {"{\"attestation_token_broker\":{\"issuer_name\":\"\"}}", ATTEST_E_PARSE, "issuer_name"},
    {"{\"attestation_token_broker\":{\"signer\":{}}}", ATTEST_E_PARSE, "key_path"},
    {"{\"attestation_token_broker\":{\"signer\":{\"key_path\":\"/nonexistent/k.pem\"}}}",
     ATTEST_E_IO, "/nonexistent/k.pem"},
    {"{\"rvps_config\":{\"type\":\"GrpcRemote\",\"address\":\"127.0.0.1:50003\"}}",
     ATTEST_E_UNSUPPORTED, "GrpcRemote"},
    {"{\"rvps_config\":{\"type\":\"BuiltIn\",\"store_type\":\"LocalJson\"}}", ATTEST_E_PARSE,
     "file_path"},
    {"{\"work_dir\":\"/a\",\"work_dir\":\"/b\"}", ATTEST_E_PARSE, "repeated"},
};

START_TEST(test_service_bad_configs)
{
    attest_service *s = NULL;
    attest_status rc = attest_service_new(&s, ctx, bad_configs[_i].cfg, strlen(bad_configs[_i].cfg));
    ck_assert_msg(rc == bad_configs[_i].want, "config %d: got %d (%s)", _i, rc,
                  attest_ctx_last_error(ctx));
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(attest_ctx_last_error(ctx), bad_configs[_i].msg) != NULL,
                  "config %d: \"%s\" lacks \"%s\"", _i, attest_ctx_last_error(ctx),
                  bad_configs[_i].msg);
}
END_TEST

START_TEST(test_service_work_dir_and_signer)
{
    char dir[] = "/tmp/test_service.XXXXXX", cfg[1024], keyp[128], cmd[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    /* a configured P-384 key: the EAR broker signs with it (ES384) */
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    snprintf(keyp, sizeof(keyp), "%s/signer.pem", dir);
    FILE *f = fopen(keyp, "w");
    ck_assert(f != NULL && PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1);
    fclose(f);
    EVP_PKEY_free(k);
    snprintf(cfg, sizeof(cfg), "{\"work_dir\":\"%s/as\",\"policy_engine\":\"opa\","
             "\"rvps_config\":{\"type\":\"BuiltIn\",\"store_type\":\"LocalJson\","
             "\"store_config\":{\"file_path\":\"%s/rv.json\"}},"
             "\"attestation_token_broker\":{\"type\":\"Ear\",\"signer\":{\"key_path\":\"%s\"}}}",
             dir, dir, keyp);
    attest_service *s;
    ck_assert_int_eq(attest_service_new(&s, ctx, cfg, strlen(cfg)), ATTEST_OK);
    const char *policy = "{\"version\":\"1.0\",\"defaults\":{\"hardware\":2}}";
    char *p64 = b64url(policy, strlen(policy)), body[512], *jwks = NULL;
    snprintf(body, sizeof(body), "{\"policy_id\":\"kept\",\"policy\":\"%s\"}", p64);
    ck_assert_int_eq(attest_service_set_policy(s, body, strlen(body)), ATTEST_OK);
    const char *msg = "{\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":"
                      "\"eyJzdm4iOlsiMSJdfQ==\"}"; /* {"svn":["1"]} */
    ck_assert_int_eq(attest_service_register_refval(s, msg, strlen(msg)), ATTEST_OK);
    ck_assert_int_eq(attest_service_jwks(s, &jwks), ATTEST_OK);
    ck_assert_ptr_nonnull(strstr(jwks, "\"alg\":\"ES384\""));
    attest_service_free(s);
    /* a second service on the same files sees the policy and the reference value */
    char *list = NULL, *q = NULL;
    ck_assert_int_eq(attest_service_new(&s, ctx, cfg, strlen(cfg)), ATTEST_OK);
    ck_assert_int_eq(attest_service_list_policies(s, &list), ATTEST_OK);
    ck_assert_str_eq(list, "[{\"policy-id\":\"kept\"}]");
    ck_assert_int_eq(attest_service_query_refval(s, "svn", &q), ATTEST_OK);
    ck_assert_str_eq(q, "[\"1\"]");
    struct stat st;
    snprintf(cmd, sizeof(cmd), "%s/as/token/ear/policies/kept.json", dir);
    ck_assert_int_eq(stat(cmd, &st), 0);
    attest_free(list);
    attest_free(q);
    attest_free(jwks);
    free(p64);
    attest_service_free(s);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("service");
    TCase *tc = tcase_create("service");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_service_default_ear);
    tcase_add_test(tc, test_service_raw_and_legacy_forms);
    tcase_add_test(tc, test_service_init_data_toml);
    tcase_add_test(tc, test_service_policies);
    tcase_add_test(tc, test_service_structured_exact);
    tcase_add_test(tc, test_service_simple_broker);
    tcase_add_loop_test(tc, test_service_bad_requests, 0,
                        (int)(sizeof(bad_requests) / sizeof(bad_requests[0])));
    tcase_add_test(tc, test_service_unsupported_requests);
    tcase_add_loop_test(tc, test_service_bad_configs, 0,
                        (int)(sizeof(bad_configs) / sizeof(bad_configs[0])));
    tcase_add_test(tc, test_service_work_dir_and_signer);
    suite_add_tcase(s, tc);
    return s;
}
