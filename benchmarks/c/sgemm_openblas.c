// Times cblas_sgemm (the system's OpenBLAS) on the three GEMMs of a linear layer, like GemmBench:
//   forward: Y[M,N] = X[M,K]·W[N,K]ᵀ   dX: dX[M,K] = dY[M,N]·W[N,K]   dW: dW[N,K] += dY[M,N]ᵀ·X[M,K]
// Usage: sgemm_openblas M N K op [windows] [warmup_seconds]   (threads: OPENBLAS_NUM_THREADS)
// Measured the way JMH measures our side (GemmBench, -w 1 -r 1): calls back to back, first for warmup_seconds (default
// 1) not counted, then `windows` windows (default 3) of at least 1 s each. Prints two numbers: the GFLOPS of the best
// window (its calls' FLOPs over its time: what gemm-vs-blas.sh compares with JMH's best iteration) and of the fastest
// single call (kept for the record: the minimum of a few hundred calls sits below any window's mean).
// Build: gcc -O2 sgemm_openblas.c -o sgemm_openblas -lopenblas
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static float *randoms(size_t n) {
    float *a = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) a[i] = (float) rand() / RAND_MAX * 2 - 1;
    return a;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s M N K forward|dX|dW [seconds]\n", argv[0]);
        return 2;
    }
    int M = atoi(argv[1]), N = atoi(argv[2]), K = atoi(argv[3]);
    const char *op = argv[4];
    int windows = argc > 5 ? atoi(argv[5]) : 3;
    double warmup = argc > 6 ? atof(argv[6]) : 1.0;
    float *x = randoms((size_t) M * K), *w = randoms((size_t) N * K), *dy = randoms((size_t) M * N);
    float *y = randoms((size_t) M * N), *dx = randoms((size_t) M * K), *dw = randoms((size_t) N * K);
    double flop = 2.0 * M * N * K, best_window = 0, best_call = 0;
    for (int win = -1; win < windows; win++) { // window -1: the warm-up
        double t_win = now(), span = win < 0 ? warmup : 1.0;
        long calls = 0;
        do {
            double t0 = now();
            if (!strcmp(op, "forward")) {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.f, x, K, w, K, 0.f, y, N);
            } else if (!strcmp(op, "dX")) {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, K, N, 1.f, dy, N, w, K, 0.f, dx, K);
            } else {
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, N, K, M, 1.f, dy, N, x, K, 1.f, dw, K);
            }
            double t1 = now(), g = flop / (t1 - t0) / 1e9;
            if (win >= 0 && g > best_call) best_call = g;
            calls++;
        } while (now() - t_win < span);
        double g = flop * calls / (now() - t_win) / 1e9;
        if (win >= 0 && g > best_window) best_window = g;
    }
    printf("%.1f %.1f\n", best_window, best_call);
    return 0;
}
