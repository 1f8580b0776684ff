// fp32 peak of this CPU: a register-only loop of independent AVX-512 FMAs, one copy per thread.
// 24 independent accumulators cover FMA latency (4 cycles) × 2 FMA ports × 3 for slack. Prints GFLOPS for the given
// thread count (all threads run the loop at once; the total is reported), by wall clock and by thread CPU time.
// Build: gcc -O2 -mavx512f -mfma -pthread fma_peak.c -o fma_peak ; run: ./fma_peak THREADS [SECONDS]
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long iterations = 20000000;
static volatile float sink;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double cpu_gflops[64];

static double thread_cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *run(void *arg) {
    int id = (int) (long) arg;
    double c0 = thread_cpu();
    __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    __m512 c[24];
    for (int i = 0; i < 24; i++) c[i] = _mm512_set1_ps((float) i);
    for (long n = 0; n < iterations; n++) {
#pragma GCC unroll 24
        for (int i = 0; i < 24; i++) c[i] = _mm512_fmadd_ps(c[i], a, b);
    }
    __m512 s = c[0];
    for (int i = 1; i < 24; i++) s = _mm512_add_ps(s, c[i]);
    float out[16];
    _mm512_storeu_ps(out, s);
    sink = out[0];
    cpu_gflops[id] = (double) iterations * 24 * 16 * 2 / (thread_cpu() - c0) / 1e9;
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    pthread_t t[64];
    double best = 0, bestCpu = 0;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now();
        for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, run, (void *) (long) i);
        for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
        double s = now() - t0;
        double gflops = (double) threads * iterations * 24 * 16 * 2 / s / 1e9;
        if (gflops > best) best = gflops;
        double cpu = 0;
        for (int i = 0; i < threads; i++) cpu += cpu_gflops[i];
        if (cpu > bestCpu) bestCpu = cpu;
    }
    // Wall-clock GFLOPS, then the sum over threads of FLOP per second of thread CPU time (what the threads reach
    // while actually running: robust to other processes sharing the cores).
    printf("%.1f %.1f\n", best, bestCpu);
    return 0;
}
