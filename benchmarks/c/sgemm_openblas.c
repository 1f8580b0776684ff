// Times cblas_sgemm (the system's OpenBLAS) on the three GEMMs of a linear layer, like GemmBench:
//   forward: Y[M,N] = X[M,K]·W[N,K]ᵀ   dX: dX[M,K] = dY[M,N]·W[N,K]   dW: dW[N,K] += dY[M,N]ᵀ·X[M,K]
// Usage: sgemm_openblas M N K op [seconds]   (threads: OPENBLAS_NUM_THREADS). Prints the best GFLOPS of the reps.
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
    double seconds = argc > 5 ? atof(argv[5]) : 3.0;
    float *x = randoms((size_t) M * K), *w = randoms((size_t) N * K), *dy = randoms((size_t) M * N);
    float *y = randoms((size_t) M * N), *dx = randoms((size_t) M * K), *dw = randoms((size_t) N * K);
    double flop = 2.0 * M * N * K, best = 0, start = now();
    int reps = 0;
    while (reps < 3 || now() - start < seconds) {
        double t0 = now();
        if (!strcmp(op, "forward")) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.f, x, K, w, K, 0.f, y, N);
        } else if (!strcmp(op, "dX")) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, K, N, 1.f, dy, N, w, K, 0.f, dx, K);
        } else {
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, N, K, M, 1.f, dy, N, x, K, 1.f, dw, K);
        }
        double g = flop / (now() - t0) / 1e9;
        if (reps > 0 && g > best) best = g; // the first call warms up
        reps++;
    }
    printf("%.1f\n", best);
    return 0;
}
