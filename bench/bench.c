/* Timing shared by the benchmarks (bench.h). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double bench_rate(bench_op op, void *arg, double seconds)
{
    long n = 0;
    double start = bench_now(), elapsed;
    do {
        for (int i = 0; i < 16; i++)
            if (op(arg) != 0) {
                fprintf(stderr, "bench: operation failed\n");
                exit(1);
            }
        n += 16;
    } while ((elapsed = bench_now() - start) < seconds);
    return (double)n / elapsed;
}

double bench_seconds(int argc, char **argv)
{
    double s = argc > 1 ? atof(argv[1]) : 1.0;
    return s > 0 ? s : 1.0;
}
