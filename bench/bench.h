/*
 * Timing for the benchmarks: each prints an operation's rate and its ratio to the OpenSSL
 * primitive it cannot beat, measured in the same run (ratio 1.0: as fast as the primitive).
 */
#ifndef ATTEST_BENCH_H
#define ATTEST_BENCH_H

/* One operation; returns 0 on success. A failure aborts the benchmark (exit 1). */
typedef int (*bench_op)(void *arg);

/* Seconds on the monotonic clock. */
double bench_now(void);

/* Run op in batches for about `seconds`; return operations per second. */
double bench_rate(bench_op op, void *arg, double seconds);

/* The seconds per measurement from argv[1] (default 1). */
double bench_seconds(int argc, char **argv);

#endif
