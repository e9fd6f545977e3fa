/*
 * SEV-SNP verification throughput against the OpenSSL floor measured in the same run, on
 * evidence from the simulated device (its state in a temporary directory):
 *
 *   warm     attest_verify() of the same Trustee SnpEvidence JSON on one ctx, so parsed
 *            roots and the verified VCEK -> ASK -> ARK chain come from the ctx cache;
 *            floor: one ECDSA P-384/SHA-384 verify of the 0x2a0 signed bytes
 *   cold     a new ctx per verification (trust dir read, certificates parsed, chain
 *            verified); floor: that ECDSA verify plus the chain's three RSASSA-PSS
 *            certificate verifies (ARK self-signature, ASK, VCEK) on the same keys
 *   threads  warm verification on one ctx per thread, two threads: aggregate rate and
 *            its ratio to one thread (a ctx is per thread; nothing is shared or locked)
 *
 * usage: bench_snp [SECONDS per measurement, default 1] [warm|cold]  (one, for profiling)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <attest/attest.h>

#include "bench.h"

static char state_dir[256];
static const uint8_t *evidence;
static size_t evidence_len;
static const uint8_t report_data[64] = {1, 2, 3, 4, 5, 6, 7, 8};

/* ---- the floor ---- */

struct ecdsa_floor {
    EVP_PKEY *key;
    uint8_t msg[0x2a0];
    unsigned char sig[128];
    size_t sig_len;
};

static int op_ecdsa(void *p)
{
    struct ecdsa_floor *f = p;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL && EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, f->key) == 1 &&
             EVP_DigestVerify(md, f->sig, f->sig_len, f->msg, sizeof(f->msg)) == 1;
    EVP_MD_CTX_free(md);
    return ok ? 0 : 1;
}

static X509 *load_pem(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", state_dir, name);
    FILE *f = fopen(path, "r");
    X509 *x = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f != NULL)
        fclose(f);
    return x;
}

struct chain_floor {
    X509 *ark, *ask, *vcek;
};

static int op_chain(void *p)
{
    struct chain_floor *c = p;
    return X509_verify(c->ark, X509_get0_pubkey(c->ark)) == 1 &&
                   X509_verify(c->ask, X509_get0_pubkey(c->ark)) == 1 &&
                   X509_verify(c->vcek, X509_get0_pubkey(c->ask)) == 1
               ? 0
               : 1;
}

/* ---- libattest ---- */

static attest_ctx *new_ctx(void)
{
    attest_ctx *ctx;
    if (attest_ctx_new(&ctx) != ATTEST_OK || attest_ctx_add_trust_dir(ctx, state_dir) != ATTEST_OK)
        exit(1);
    return ctx;
}

static int verify_on(attest_ctx *ctx)
{
    attest_request *req;
    attest_result *res = NULL;
    int rc = 1;
    if (attest_request_new(&req, NULL, evidence, evidence_len) == ATTEST_OK &&
        attest_request_set_runtime_data(req, ATTEST_DATA_RAW, report_data, sizeof(report_data),
                                        ATTEST_HASH_SHA384) == ATTEST_OK &&
        attest_verify(ctx, req, &res) == ATTEST_OK)
        rc = 0;
    else
        fprintf(stderr, "bench_snp: %s\n", attest_ctx_last_error(ctx));
    attest_result_free(res);
    attest_request_free(req);
    return rc;
}

static int op_warm(void *p)
{
    return verify_on(p);
}

static int op_cold(void *p)
{
    (void)p;
    attest_ctx *ctx = new_ctx();
    int rc = verify_on(ctx);
    attest_ctx_free(ctx);
    return rc;
}

struct thread_arg {
    double seconds, rate;
};

static void *thread_main(void *p)
{
    struct thread_arg *t = p;
    attest_ctx *ctx = new_ctx();
    t->rate = bench_rate(op_warm, ctx, t->seconds);
    attest_ctx_free(ctx);
    return NULL;
}

static double threaded(int n, double seconds)
{
    pthread_t th[8];
    struct thread_arg args[8];
    double total = 0;
    for (int i = 0; i < n; i++) {
        args[i].seconds = seconds;
        if (pthread_create(&th[i], NULL, thread_main, &args[i]) != 0)
            exit(1);
    }
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        total += args[i].rate;
    }
    return total;
}

int main(int argc, char **argv)
{
    double seconds = bench_seconds(argc, argv);
    attest_ctx *ctx;
    attest_attester *att;
    attest_evidence *ev;

    snprintf(state_dir, sizeof(state_dir), "/tmp/bench_snp.XXXXXX");
    if (mkdtemp(state_dir) == NULL || attest_ctx_new(&ctx) != ATTEST_OK ||
        attest_attester_new_simulated(&att, ctx, "snp", state_dir) != ATTEST_OK ||
        attest_attester_collect(att, report_data, sizeof(report_data), &ev) != ATTEST_OK) {
        fprintf(stderr, "bench_snp: simulated device failed\n");
        return 1;
    }
    evidence = attest_evidence_data(ev, &evidence_len);

    struct ecdsa_floor ef;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    memset(ef.msg, 0xa5, sizeof(ef.msg));
    ef.sig_len = sizeof(ef.sig);
    if ((ef.key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384")) == NULL || md == NULL ||
        EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, ef.key) != 1 ||
        EVP_DigestSign(md, ef.sig, &ef.sig_len, ef.msg, sizeof(ef.msg)) != 1)
        return 1;
    EVP_MD_CTX_free(md);
    struct chain_floor cf = {load_pem("ark.pem"), load_pem("ask.pem"), load_pem("vcek.pem")};
    if (cf.ark == NULL || cf.ask == NULL || cf.vcek == NULL)
        return 1;

    double ecdsa = bench_rate(op_ecdsa, &ef, seconds);
    double chain = bench_rate(op_chain, &cf, seconds);
    double chain_floor = 1.0 / (1.0 / ecdsa + 1.0 / chain);
    printf("floor ecdsa p-384 verify: %.0f/s\n", ecdsa);
    printf("floor ecdsa + 3 rsa-pss certificate verifies: %.0f/s\n", chain_floor);

    const char *only = argc > 2 ? argv[2] : "";
    attest_ctx *warm_ctx = new_ctx();
    if (strcmp(only, "warm") == 0 || strcmp(only, "cold") == 0) {
        double r = bench_rate(only[0] == 'w' ? op_warm : op_cold, warm_ctx, seconds);
        printf("snp verify %s: %.0f/s\n", only, r);
        return 0;
    }
    double warm = bench_rate(op_warm, warm_ctx, seconds);
    printf("snp verify warm (trustee json, cached chain): %.0f/s (ratio to ecdsa floor %.2f)\n",
           warm, warm / ecdsa);
    double cold = bench_rate(op_cold, NULL, seconds);
    printf("snp verify cold (new ctx each time): %.0f/s (ratio to chain floor %.2f)\n", cold,
           cold / chain_floor);
    double one = threaded(1, seconds), two = threaded(2, seconds);
    printf("snp verify warm, 1 thread: %.0f/s; 2 threads: %.0f/s (%.2fx)\n", one, two,
           two / one);

    attest_ctx_free(warm_ctx);
    X509_free(cf.ark);
    X509_free(cf.ask);
    X509_free(cf.vcek);
    EVP_PKEY_free(ef.key);
    attest_evidence_free(ev);
    attest_attester_free(att);
    attest_ctx_free(ctx);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
    return system(cmd) == 0 ? 0 : 1;
}
