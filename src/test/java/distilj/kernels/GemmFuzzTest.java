package distilj.kernels;

import static distilj.kernels.KernelTestSupport.EPS;
import static distilj.kernels.KernelTestSupport.assertWithin;
import static distilj.kernels.KernelTestSupport.randn;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Random shapes, transposes and betas, with matrices packed tight in their arrays (leading dimension = row length,
 * no offset, nothing after the last element), SIMD against the scalar oracle. The packed path reads whole vectors
 * near the end of A and B; a wrong bound shows up here as an IndexOutOfBoundsException. Tolerance: both results are
 * within (K + 2)·u·Σ|a||b| of the exact one (see GemmTest), so they are within twice that of each other.
 */
class GemmFuzzTest {
    private static final Parallel POOL = new Parallel(2);

    @AfterAll
    static void close() {
        POOL.close();
    }

    @Test
    void randomTightShapesMatchTheScalarOracle() {
        Kernels simd = new SimdKernels(POOL), scalar = new ScalarKernels(POOL);
        SplittableRandom r = new SplittableRandom(2026);
        for (int c = 0; c < 120; c++) {
            // Sizes up to ~300, biased to ragged values and to K blocks of depth 1 (K = 256·n + 1).
            int M = 1 + r.nextInt(300), N = 1 + r.nextInt(300);
            int K = r.nextInt(4) == 0 ? 257 : 1 + r.nextInt(520);
            boolean tA = r.nextBoolean(), tB = r.nextBoolean();
            float beta = r.nextBoolean() ? 1f : 0f;
            float[] A = randn(r, M * K, 1), B = randn(r, K * N, 1);
            int lda = tA ? M : K, ldb = tB ? K : N;
            float[] c0 = randn(r, M * N, 1), c1 = c0.clone(), c2 = c0.clone();
            simd.gemm(tA, tB, M, N, K, A, 0, lda, B, 0, ldb, beta, c1, 0, N);
            scalar.gemm(tA, tB, M, N, K, A, 0, lda, B, 0, ldb, beta, c2, 0, N);
            double[] tol = new double[M * N];
            for (int i = 0; i < M; i++) {
                for (int j = 0; j < N; j++) {
                    double mag = 0;
                    for (int k = 0; k < K; k++) {
                        double a = tA ? A[k * lda + i] : A[i * lda + k], b = tB ? B[j * ldb + k] : B[k * ldb + j];
                        mag += Math.abs(a * b);
                    }
                    tol[i * N + j] = 2 * (K + 2) * EPS * (mag + Math.abs(beta * c0[i * N + j])) + Float.MIN_NORMAL;
                }
            }
            assertWithin("case " + c + ": " + M + "x" + N + "x" + K + " tA=" + tA + " tB=" + tB + " beta=" + beta,
                    c2, c1, tol);
        }
    }
}
