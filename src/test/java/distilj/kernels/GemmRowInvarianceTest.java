package distilj.kernels;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A row of C must come out bit-identical whatever M is, i.e. whichever of the small and packed paths M·N·K selects:
 * the model's batch invariance (a sentence's logits alone = inside a batch) rests on it.
 */
class GemmRowInvarianceTest {
    @Test
    void rowsDoNotDependOnM() {
        try (Parallel pool = new Parallel(2)) {
            SimdKernels k = new SimdKernels(pool);
            SplittableRandom r = new SplittableRandom(7);
            // N, K, M: M·N·K above SimdGemm.SMALL_FLOPS, one row below it; the last with op(A) = Aᵀ packed once.
            int[][] nkm = {{768, 768, 150}, {100, 300, 150}, {3072, 768, 150}, {37, 1000, 150},
                {37, 1000, SimdGemm.A_WHOLE_MIN_M + 41}};
            for (int[] s : nkm) {
                int N = s[0], K = s[1], M = s[2];
                for (boolean transA : new boolean[] {false, true}) {
                    for (boolean transB : new boolean[] {false, true}) {
                        for (float beta : new float[] {0f, 1f}) {
                            float[] A = KernelTestSupport.randn(r, M * K, 1), B = KernelTestSupport.randn(r, K * N, 1);
                            float[] C0 = KernelTestSupport.randn(r, M * N, 1);
                            float[] all = C0.clone();
                            int lda = transA ? M : K, ldb = transB ? K : N;
                            k.gemm(transA, transB, M, N, K, A, 0, lda, B, 0, ldb, beta, all, 0, N);
                            for (int i : new int[] {0, 5, M - 1}) {
                                // The same row alone: op(A) row i as a 1×K matrix.
                                float[] a = new float[K];
                                for (int kk = 0; kk < K; kk++) a[kk] = transA ? A[kk * M + i] : A[i * K + kk];
                                float[] one = Arrays.copyOfRange(C0, i * N, i * N + N);
                                k.gemm(false, transB, 1, N, K, a, 0, K, B, 0, ldb, beta, one, 0, N);
                                KernelTestSupport.assertBitsEqual("gemm N=" + N + " K=" + K + " transA=" + transA
                                        + " transB=" + transB + " beta=" + beta + " row " + i,
                                        Arrays.copyOfRange(all, i * N, i * N + N), one);
                            }
                        }
                    }
                }
            }
        }
    }
}
