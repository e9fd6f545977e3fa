/*
 * attest-verify: verify TEE evidence and print its claims (man attest-verify(1)).
 *
 * Exit status: 0 verified; 1 evidence rejected (malformed, not authentic, binding
 * mismatch, revoked); 2 usage error or unreadable input.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <attest/attest.h>

#include "cli.h"
#include "ctxopts.h"

#define PROG "attest-verify"
#define INPUT_MAX (16u * 1024u * 1024u)

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " PROG " [--tee NAME] [--runtime-data FILE | --runtime-data-json FILE]\n"
            "                     [--init-data FILE | --init-data-json FILE |\n"
            "                      --init-data-toml FILE]\n"
            "                     [--hash-alg sha256|sha384|sha512] [--at TIME] [--json]\n"
            "                     [--token ear|simple --signer-key PEM [--signer-alg ALG]\n"
            "                      [--signer-chain PEM] [--token-ttl SECONDS] [--issuer ISS]\n"
            "                      [--nonce TEXT]]\n"
            "                     [--policy FILE [--reference-values FILE]]\n"
            "                     EVIDENCE_FILE|-\n"
            "  and the trust and collateral options:\n" CTXOPTS_USAGE);
}

struct data_opt {
    const char *path;
    attest_data_kind kind;
};

struct options {
    const char *tee;
    struct data_opt runtime, init;
    attest_hash_alg alg;
    struct ctxopts sources; /* --trust-dir, --collateral, --pccs... */
    int64_t at;
    bool json;
    const char *evidence;
    /* --token */
    attest_token_kind token;
    const char *signer_key, *signer_alg, *signer_chain, *issuer, *nonce;
    int64_t ttl;
    const char *policy, *refvals;
};

static int set_data(struct data_opt *d, const char *what, const char *path,
                    attest_data_kind kind)
{
    if (d->path != NULL) {
        fprintf(stderr, PROG ": give %s data once (file or JSON, not both)\n", what);
        return -1;
    }
    d->path = path;
    d->kind = kind;
    return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    enum { O_TEE = 256, O_RD, O_RDJ, O_ID, O_IDJ, O_IDT, O_ALG, O_AT, O_JSON,
           O_TOKEN, O_SKEY, O_SALG, O_SCHAIN, O_TTL, O_ISS, O_NONCE, O_POLICY, O_REFVALS, O_HELP,
           O_VERSION };
    static const struct option longopts[] = {
        {"tee", required_argument, NULL, O_TEE},
        {"runtime-data", required_argument, NULL, O_RD},
        {"runtime-data-json", required_argument, NULL, O_RDJ},
        {"init-data", required_argument, NULL, O_ID},
        {"init-data-json", required_argument, NULL, O_IDJ},
        {"init-data-toml", required_argument, NULL, O_IDT},
        {"hash-alg", required_argument, NULL, O_ALG},
        CTXOPTS_LONGOPTS,
        {"at", required_argument, NULL, O_AT},
        {"json", no_argument, NULL, O_JSON},
        {"token", required_argument, NULL, O_TOKEN},
        {"signer-key", required_argument, NULL, O_SKEY},
        {"signer-alg", required_argument, NULL, O_SALG},
        {"signer-chain", required_argument, NULL, O_SCHAIN},
        {"token-ttl", required_argument, NULL, O_TTL},
        {"issuer", required_argument, NULL, O_ISS},
        {"nonce", required_argument, NULL, O_NONCE},
        {"policy", required_argument, NULL, O_POLICY},
        {"reference-values", required_argument, NULL, O_REFVALS},
        {"help", no_argument, NULL, O_HELP},
        {"version", no_argument, NULL, O_VERSION},
        {NULL, 0, NULL, 0},
    };
    int c;

    memset(o, 0, sizeof(*o));
    o->alg = ATTEST_HASH_SHA384;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case O_TEE: o->tee = optarg; break;
        case O_RD:
            if (set_data(&o->runtime, "runtime", optarg, ATTEST_DATA_RAW_HASHED))
                return -1;
            break;
        case O_RDJ:
            if (set_data(&o->runtime, "runtime", optarg, ATTEST_DATA_JSON))
                return -1;
            break;
        case O_ID:
            if (set_data(&o->init, "init", optarg, ATTEST_DATA_RAW_HASHED))
                return -1;
            break;
        case O_IDJ:
            if (set_data(&o->init, "init", optarg, ATTEST_DATA_JSON))
                return -1;
            break;
        case O_IDT:
            if (set_data(&o->init, "init", optarg, ATTEST_DATA_INITDATA_TOML))
                return -1;
            break;
        case O_ALG:
            if (attest_hash_alg_from_name(optarg, &o->alg) != ATTEST_OK) {
                fprintf(stderr, PROG ": unknown hash algorithm \"%s\"\n", optarg);
                return -1;
            }
            break;
        case O_AT:
            if (!cli_parse_time(optarg, &o->at)) {
                fprintf(stderr, PROG ": --at wants RFC 3339 or unix seconds, got \"%s\"\n",
                        optarg);
                return -1;
            }
            break;
        case O_JSON: o->json = true; break;
        case O_TOKEN:
            if (strcmp(optarg, "ear") == 0) {
                o->token = ATTEST_TOKEN_EAR;
            } else if (strcmp(optarg, "simple") == 0) {
                o->token = ATTEST_TOKEN_SIMPLE;
            } else {
                fprintf(stderr, PROG ": --token wants ear or simple, got \"%s\"\n", optarg);
                return -1;
            }
            break;
        case O_SKEY: o->signer_key = optarg; break;
        case O_SALG: o->signer_alg = optarg; break;
        case O_SCHAIN: o->signer_chain = optarg; break;
        case O_TTL:
            if (!cli_parse_int64(optarg, &o->ttl) || o->ttl <= 0) {
                fprintf(stderr, PROG ": --token-ttl wants a positive whole number of seconds\n");
                return -1;
            }
            break;
        case O_ISS: o->issuer = optarg; break;
        case O_NONCE: o->nonce = optarg; break;
        case O_POLICY: o->policy = optarg; break;
        case O_REFVALS: o->refvals = optarg; break;
        case O_HELP: usage(stdout); exit(CLI_EXIT_OK);
        case O_VERSION: printf(PROG " %s\n", attest_version()); exit(CLI_EXIT_OK);
        default: /* ours, or unknown (getopt printed why) */
            if (ctxopts_take(&o->sources, PROG, c, optarg) != 1)
                return -1;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, PROG ": give exactly one evidence file (or - for stdin)\n");
        return -1;
    }
    o->evidence = argv[optind];
    if ((o->token != 0) != (o->signer_key != NULL) ||
        (o->token == 0 && (o->signer_alg || o->signer_chain || o->ttl || o->issuer || o->nonce))) {
        fprintf(stderr, PROG ": --token and --signer-key go together; the other token options "
                "need them\n");
        return -1;
    }
    if (o->refvals != NULL && o->policy == NULL) {
        fprintf(stderr, PROG ": --reference-values is for an appraisal --policy\n");
        return -1;
    }
    return 0;
}

/* Load --policy (and --reference-values, a LocalJson store); prints why on failure. */
static int policy_setup(attest_ctx *ctx, const struct options *o, attest_policy **policy,
                        attest_refvals **refvals)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    if (o->policy == NULL)
        return 0;
    if (!cli_read_file(PROG, o->policy, INPUT_MAX, &buf, &len))
        return -1;
    attest_status rc = attest_policy_new(policy, ctx, (const char *)buf, len);
    free(buf);
    if (rc != ATTEST_OK) {
        fprintf(stderr, PROG ": %s: %s\n", o->policy, attest_ctx_last_error(ctx));
        return -1;
    }
    if (o->refvals != NULL &&
        attest_refvals_open(refvals, ctx, "LocalJson", o->refvals) != ATTEST_OK) {
        fprintf(stderr, PROG ": %s: %s\n", o->refvals, attest_ctx_last_error(ctx));
        return -1;
    }
    return 0;
}

/*
 * Apply the policy to a verified result: a release policy decides (0 allowed, 1 denied,
 * with the reason in *why), an appraisal sets the token's trust vector and is printed.
 */
static int apply_policy(attest_ctx *ctx, const struct options *o, attest_policy *p,
                        attest_refvals *rv, const attest_result *res, attest_token_opts *topts,
                        char **why)
{
    const char *claims = attest_result_claims_json(res);
    if (p == NULL)
        return 0;
    if (attest_policy_kind_of(p) == ATTEST_POLICY_RELEASE) {
        int allowed = 0;
        if (attest_policy_allows(ctx, p, claims, strlen(claims), NULL, &allowed, why) !=
            ATTEST_OK) {
            *why = NULL;
            fprintf(stderr, PROG ": policy: %s\n", attest_ctx_last_error(ctx));
            return -1;
        }
        return allowed ? 0 : 1;
    }
    attest_trust_vector tv;
    attest_ear_status st;
    if (attest_policy_appraise(ctx, p, claims, strlen(claims), rv ? attest_refvals_lookup : NULL,
                               rv, &tv, &st) != ATTEST_OK) {
        fprintf(stderr, PROG ": policy: %s\n", attest_ctx_last_error(ctx));
        return -1;
    }
    if (topts != NULL && (attest_token_opts_set_trust_vector(topts, &tv) != ATTEST_OK ||
                          attest_token_opts_set(topts, ATTEST_TOKEN_OPT_POLICY_HASH,
                                                attest_policy_hash(p)) != ATTEST_OK))
        return -1;
    if (!o->json && o->token == 0)
        printf("appraisal: %s (instance-identity %d, configuration %d, executables %d, "
               "file-system %d, hardware %d, runtime-opaque %d, storage-opaque %d, "
               "sourced-data %d)\n",
               attest_ear_status_name(st), tv.instance_identity, tv.configuration,
               tv.executables, tv.file_system, tv.hardware, tv.runtime_opaque,
               tv.storage_opaque, tv.sourced_data);
    return 0;
    return 0;
}

/* The signer and token options from the command line; prints why on failure. */
static int token_setup(attest_ctx *ctx, const struct options *o, attest_signer **signer,
                       attest_token_opts **opts)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    attest_status rc;

    if ((rc = attest_signer_load(signer, ctx, o->signer_key, o->signer_alg)) != ATTEST_OK) {
        fprintf(stderr, PROG ": --signer-key: %s\n", attest_ctx_last_error(ctx));
        return -1;
    }
    if (o->signer_chain != NULL) {
        if (!cli_read_file(PROG, o->signer_chain, INPUT_MAX, &buf, &len))
            return -1;
        rc = attest_signer_set_chain(*signer, (const char *)buf, len);
        free(buf);
        buf = NULL;
        if (rc != ATTEST_OK) {
            fprintf(stderr, PROG ": --signer-chain: %s\n", attest_ctx_last_error(ctx));
            return -1;
        }
    }
    if (attest_token_opts_new(opts) != ATTEST_OK ||
        (o->ttl != 0 && attest_token_opts_set_ttl(*opts, o->ttl) != ATTEST_OK) ||
        (o->issuer != NULL &&
         attest_token_opts_set(*opts, ATTEST_TOKEN_OPT_ISSUER, o->issuer) != ATTEST_OK) ||
        (o->nonce != NULL &&
         attest_token_opts_set(*opts, ATTEST_TOKEN_OPT_NONCE, o->nonce) != ATTEST_OK)) {
        fprintf(stderr, PROG ": bad --token-ttl (1 s to 31 days), --issuer or --nonce (8 to 88 "
                "characters)\n");
        return -1;
    }
    /* structured runtime and init data become the token's *_data_claims, as in Trustee */
    const struct { const struct data_opt *d; attest_token_opt opt; } claims[] = {
        {&o->runtime, ATTEST_TOKEN_OPT_RUNTIME_CLAIMS}, {&o->init, ATTEST_TOKEN_OPT_INIT_CLAIMS}};
    for (size_t i = 0; i < 2; i++) {
        if (claims[i].d->path == NULL || claims[i].d->kind != ATTEST_DATA_JSON)
            continue;
        if (!cli_read_file(PROG, claims[i].d->path, INPUT_MAX, &buf, &len))
            return -1;
        char *text = realloc(buf, len + 1);
        if (text == NULL) {
            free(buf);
            return -1;
        }
        text[len] = '\0';
        rc = attest_token_opts_set(*opts, claims[i].opt, text);
        free(text);
        buf = NULL;
        if (rc != ATTEST_OK) {
            fprintf(stderr, PROG ": %s: not JSON\n", claims[i].d->path);
            return -1;
        }
    }
    return 0;
}

/* Load a data file into the request; a file that cannot be bound is a usage error. */
static int add_data(attest_ctx *ctx, attest_request *req, const struct data_opt *d,
                    attest_hash_alg alg, bool runtime)
{
    uint8_t *buf, digest[ATTEST_BINDING_MAX];
    size_t len, dlen;

    if (d->path == NULL)
        return 0;
    if (!cli_read_file(PROG, d->path, INPUT_MAX, &buf, &len))
        return -1;
    /* Checked here so bad JSON is reported as the caller's input, not as bad evidence. */
    if (attest_binding_digest(ctx, d->kind, buf, len, alg, digest, sizeof(digest), &dlen) !=
        ATTEST_OK) {
        fprintf(stderr, PROG ": %s: %s\n", d->path, attest_ctx_last_error(ctx));
        free(buf);
        return -1;
    }
    attest_status rc = runtime ? attest_request_set_runtime_data(req, d->kind, buf, len, alg)
                               : attest_request_set_init_data(req, d->kind, buf, len, alg);
    free(buf);
    if (rc != ATTEST_OK) {
        fprintf(stderr, PROG ": %s: %s\n", d->path, attest_strerror(rc));
        return -1;
    }
    return 0;
}

static void print_json(const char *tee, const attest_result *res, const char *error,
                       const char *token)
{
    fputs("{\"tee\":", stdout);
    if (tee != NULL)
        cli_json_string(stdout, tee);
    else
        fputs("null", stdout);
    printf(",\"status\":\"%s\",\"tcb_status\":", res != NULL ? "verified" : "rejected");
    if (res != NULL && attest_result_tcb_status(res) != NULL)
        cli_json_string(stdout, attest_result_tcb_status(res));
    else
        fputs("null", stdout);
    printf(",\"claims\":%s,\"error\":", res != NULL ? attest_result_claims_json(res) : "null");
    if (error != NULL)
        cli_json_string(stdout, error);
    else
        fputs("null", stdout);
    if (token != NULL) {
        fputs(",\"token\":", stdout);
        cli_json_string(stdout, token);
    }
    fputs("}\n", stdout);
}

static void print_summary(const attest_result *res)
{
    const char *tcb = attest_result_tcb_status(res);

    printf("verified: %s evidence\n", attest_result_tee(res));
    if (!attest_result_hardware_backed(res))
        printf("warning: %s evidence is not hardware-backed; any program can produce it\n",
               attest_result_tee(res));
    printf("verdict: %s\n", attest_verdict_name(attest_result_verdict(res)));
    printf("tcb status: %s\n", tcb != NULL ? tcb : "(none reported)");
    printf("claims:\n");
    for (size_t i = 0; i < attest_result_claim_count(res); i++) {
        const char *name = attest_result_claim_name(res, i);
        char *value = NULL;
        if (attest_result_claim_json(res, name, &value) == ATTEST_OK)
            printf("  %s = %s\n", name, value);
        attest_free(value);
    }
}

int main(int argc, char **argv)
{
    struct options o;
    attest_ctx *ctx = NULL;
    attest_request *req = NULL;
    attest_result *res = NULL;
    attest_signer *signer = NULL;
    attest_token_opts *topts = NULL;
    attest_policy *policy = NULL;
    attest_refvals *refvals = NULL;
    char *why = NULL;
    char *token = NULL;
    uint8_t *evidence = NULL;
    size_t evidence_len = 0;
    int exit_code = CLI_EXIT_USAGE;

    if (parse_args(argc, argv, &o) != 0) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (attest_ctx_new(&ctx) != ATTEST_OK) {
        fprintf(stderr, PROG ": out of memory\n");
        return CLI_EXIT_USAGE;
    }
    if (attest_ctx_set_time(ctx, o.at) != ATTEST_OK)
        goto usage_error;
    if (!ctxopts_apply(&o.sources, ctx, PROG))
        goto out;

    if ((o.token != 0 && token_setup(ctx, &o, &signer, &topts) != 0) ||
        policy_setup(ctx, &o, &policy, &refvals) != 0)
        goto out;
    if (!cli_read_file(PROG, o.evidence, INPUT_MAX, &evidence, &evidence_len))
        goto out;
    if (evidence_len == 0) {
        fprintf(stderr, PROG ": %s: empty evidence\n", o.evidence);
        goto out;
    }
    attest_status rc = attest_request_new(&req, o.tee, evidence, evidence_len);
    if (rc == ATTEST_E_UNSUPPORTED) {
        fprintf(stderr, PROG ": unknown TEE \"%s\"; this build knows:", o.tee);
        for (size_t i = 0; i < attest_tee_count(); i++)
            fprintf(stderr, " %s", attest_tee_name(i));
        fputc('\n', stderr);
        goto out;
    } else if (rc != ATTEST_OK) {
        fprintf(stderr, PROG ": %s\n", attest_strerror(rc));
        goto out;
    }
    if (add_data(ctx, req, &o.runtime, o.alg, true) != 0 ||
        add_data(ctx, req, &o.init, o.alg, false) != 0)
        goto out;

    rc = attest_verify(ctx, req, &res);
    if (rc != ATTEST_OK) {
        if (o.json)
            print_json(o.tee, NULL, attest_ctx_last_error(ctx), NULL);
        fprintf(stderr, PROG ": rejected: %s\n", attest_ctx_last_error(ctx));
        exit_code = CLI_EXIT_REJECTED;
        goto out;
    }
    int decision = apply_policy(ctx, &o, policy, refvals, res, topts, &why);
    if (decision < 0)
        goto out;
    if (decision > 0) {
        if (o.json)
            print_json(attest_result_tee(res), NULL, why, NULL);
        fprintf(stderr, PROG ": denied by policy: %s\n", why != NULL ? why : "(no reason)");
        exit_code = CLI_EXIT_REJECTED;
        goto out;
    }
    if (o.token != 0 && attest_token_mint(ctx, signer, o.token, topts, res, &token) != ATTEST_OK) {
        fprintf(stderr, PROG ": token: %s\n", attest_ctx_last_error(ctx));
        goto out;
    }
    if (o.json)
        print_json(attest_result_tee(res), res, NULL, token);
    else if (token != NULL)
        printf("%s\n", token); /* alone, so it can be piped to a relying party */
    else
        print_summary(res);
    exit_code = CLI_EXIT_OK;
    goto out;

usage_error:
    fprintf(stderr, PROG ": %s\n", attest_ctx_last_error(ctx));
out:
    attest_free(why);
    attest_policy_free(policy);
    attest_refvals_free(refvals);
    attest_free(token);
    attest_token_opts_free(topts);
    attest_signer_free(signer);
    attest_result_free(res);
    attest_request_free(req);
    free(evidence);
    attest_ctx_free(ctx);
    return exit_code;
}
