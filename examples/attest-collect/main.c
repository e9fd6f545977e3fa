/*
 * attest-collect: collect TEE evidence on this machine (man attest-collect(1)).
 *
 * The report data is given as hex, or derived from runtime data the way attest-verify
 * checks it (raw bytes or canonical JSON, hashed). Exit status: 0 written; 1 the TEE
 * could not produce evidence; 2 usage error or unreadable input.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <attest/attest.h>

#include "cli.h"

#define PROG "attest-collect"
#define INPUT_MAX (16u * 1024u * 1024u)

static void usage(FILE *f)
{
    fprintf(f, "usage: " PROG " [--tee NAME|auto | --simulate TEE [--state-dir DIR]\n"
               "                      [--host-data HEX]]\n"
               "                      [--report-data HEX |\n"
               "                      --runtime-data FILE [--runtime-data-json]"
               " [--hash-alg ALG]]\n"
               "                      [-o|--output FILE]\n");
}

/* mkdir -p for the parents of path (not path itself: the library creates it 0700). */
static bool make_parents(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
        return false;
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return false;
        *p = '/';
    }
    return true;
}

/*
 * Where a simulated device keeps its keys unless --state-dir says otherwise:
 * $XDG_STATE_HOME/libattest/simulated-TEE, or ~/.local/state/libattest/simulated-TEE.
 */
static bool default_state_dir(const char *tee, char *buf, size_t cap)
{
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    int n;
    if (xdg != NULL && xdg[0] == '/')
        n = snprintf(buf, cap, "%s/libattest/simulated-%s", xdg, tee);
    else if (home != NULL && home[0] == '/')
        n = snprintf(buf, cap, "%s/.local/state/libattest/simulated-%s", home, tee);
    else
        return false;
    return n > 0 && (size_t)n < cap;
}

int main(int argc, char **argv)
{
    enum { O_TEE = 256, O_SIM, O_STATE, O_HOSTDATA, O_RDHEX, O_RD, O_RDJ, O_ALG, O_HELP, O_VERSION };
    static const struct option longopts[] = {
        {"tee", required_argument, NULL, O_TEE},
        {"simulate", required_argument, NULL, O_SIM},
        {"state-dir", required_argument, NULL, O_STATE},
        {"host-data", required_argument, NULL, O_HOSTDATA},
        {"report-data", required_argument, NULL, O_RDHEX},
        {"runtime-data", required_argument, NULL, O_RD},
        {"runtime-data-json", no_argument, NULL, O_RDJ},
        {"hash-alg", required_argument, NULL, O_ALG},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, O_HELP},
        {"version", no_argument, NULL, O_VERSION},
        {NULL, 0, NULL, 0},
    };
    const char *tee = "auto", *simulate = NULL, *state_dir = NULL, *host_data = NULL, *hex = NULL, *runtime_path = NULL, *output = NULL;
    bool runtime_json = false, alg_set = false, tee_set = false;
    char state_buf[4096];
    attest_hash_alg alg = ATTEST_HASH_SHA384;
    uint8_t report_data[ATTEST_BINDING_MAX];
    size_t report_data_len = 0;
    int c;

    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        switch (c) {
        case O_TEE: tee = optarg; tee_set = true; break;
        case O_SIM: simulate = optarg; break;
        case O_STATE: state_dir = optarg; break;
        case O_HOSTDATA: host_data = optarg; break;
        case O_RDHEX: hex = optarg; break;
        case O_RD: runtime_path = optarg; break;
        case O_RDJ: runtime_json = true; break;
        case O_ALG:
            if (attest_hash_alg_from_name(optarg, &alg) != ATTEST_OK) {
                fprintf(stderr, PROG ": unknown hash algorithm \"%s\"\n", optarg);
                return CLI_EXIT_USAGE;
            }
            alg_set = true;
            break;
        case 'o': output = optarg; break;
        case O_HELP: usage(stdout); return CLI_EXIT_OK;
        case O_VERSION: printf(PROG " %s\n", attest_version()); return CLI_EXIT_OK;
        default: usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc || (hex != NULL && runtime_path != NULL) ||
        (runtime_json && runtime_path == NULL) || (alg_set && runtime_path == NULL) ||
        (simulate != NULL && tee_set) || (state_dir != NULL && simulate == NULL) ||
        (host_data != NULL && simulate == NULL)) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (hex != NULL && !cli_hex_decode(hex, report_data, sizeof(report_data),
                                       &report_data_len)) {
        fprintf(stderr, PROG ": --report-data wants an even number of hex digits, at most %d "
                "bytes\n", ATTEST_BINDING_MAX);
        return CLI_EXIT_USAGE;
    }

    attest_ctx *ctx = NULL;
    attest_attester *att = NULL;
    attest_evidence *ev = NULL;
    uint8_t *runtime = NULL;
    size_t runtime_len = 0;
    int exit_code = CLI_EXIT_USAGE;

    if (attest_ctx_new(&ctx) != ATTEST_OK) {
        fprintf(stderr, PROG ": out of memory\n");
        return CLI_EXIT_USAGE;
    }
    if (runtime_path != NULL) {
        if (!cli_read_file(PROG, runtime_path, INPUT_MAX, &runtime, &runtime_len))
            goto out;
        if (attest_binding_digest(ctx, runtime_json ? ATTEST_DATA_JSON : ATTEST_DATA_RAW_HASHED,
                                  runtime, runtime_len, alg, report_data, sizeof(report_data),
                                  &report_data_len) != ATTEST_OK) {
            fprintf(stderr, PROG ": %s: %s\n", runtime_path, attest_ctx_last_error(ctx));
            goto out;
        }
    }
    attest_status rc;
    if (simulate != NULL) {
        if (state_dir == NULL) {
            if (!default_state_dir(simulate, state_buf, sizeof(state_buf))) {
                fprintf(stderr, PROG ": no HOME or XDG_STATE_HOME; give --state-dir\n");
                goto out;
            }
            state_dir = state_buf;
        }
        if (!make_parents(state_dir)) {
            fprintf(stderr, PROG ": cannot create the parents of %s: %s\n", state_dir,
                    strerror(errno));
            goto out;
        }
        if (host_data != NULL) {
            /* the simulated host launches the guest with this HOST_DATA (snp: 32 bytes) */
            uint8_t hd[32];
            size_t hd_len = 0;
            char path[4200];
            if (!cli_hex_decode(host_data, hd, sizeof(hd), &hd_len) || hd_len != sizeof(hd)) {
                fprintf(stderr, PROG ": --host-data wants 64 hex digits\n");
                goto out;
            }
            snprintf(path, sizeof(path), "%s/host_data", state_dir);
            if ((mkdir(state_dir, 0700) != 0 && errno != EEXIST) ||
                !cli_write_file(PROG, path, (const uint8_t *)host_data, strlen(host_data)))
                goto out;
        }
        rc = attest_attester_new_simulated(&att, ctx, simulate, state_dir);
    } else {
        rc = attest_attester_new(&att, ctx, tee);
    }
    if (rc != ATTEST_OK) {
        /* an unknown TEE name is the caller's mistake; no TEE on this machine is not */
        fprintf(stderr, PROG ": %s\n", attest_ctx_last_error(ctx));
        exit_code = rc == ATTEST_E_NOT_FOUND ? CLI_EXIT_REJECTED : CLI_EXIT_USAGE;
        goto out;
    }
    rc = attest_attester_collect(att, report_data, report_data_len, &ev);
    if (rc != ATTEST_OK) {
        fprintf(stderr, PROG ": %s\n", attest_ctx_last_error(ctx));
        exit_code = rc == ATTEST_E_ARG ? CLI_EXIT_USAGE : CLI_EXIT_REJECTED;
        goto out;
    }
    size_t len;
    const uint8_t *data = attest_evidence_data(ev, &len);
    if (cli_write_file(PROG, output, data, len))
        exit_code = CLI_EXIT_OK;
out:
    attest_evidence_free(ev);
    attest_attester_free(att);
    free(runtime);
    attest_ctx_free(ctx);
    return exit_code;
}
