package distilj.kernels;

import static distilj.kernels.KernelTestSupport.assertBitsEqual;
import static distilj.kernels.KernelTestSupport.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every SIMD kernel gives bit-identical outputs on pools of 1, 2 and 3 threads. Sizes are chosen so that each kernel
 * really splits its work (several GEMM blocks of C, several element chunks, several row groups and column groups).
 */
class ThreadDeterminismTest {

    /** Runs every kernel once on fixed inputs and returns all outputs, in a fixed order. */
    private static List<float[]> runAll(Kernels k) {
        SplittableRandom r = new SplittableRandom(42);
        List<float[]> out = new ArrayList<>();
        // GEMM, packed path with 2 row blocks of C (MC = 128) by as many column blocks as threads (SimdGemm.colBlocks)
        // and 2 K blocks, all transposes, beta 0 and 1.
        int M = 140, N = 780, K = SimdGemm.KC + 4;
        float[] A = randn(r, M * K, 1), B = randn(r, K * N, 1);
        for (int t = 0; t < 4; t++) {
            boolean tA = (t & 1) != 0, tB = (t & 2) != 0;
            float[] C = randn(new SplittableRandom(t), M * N, 1);
            k.gemm(tA, tB, M, N, K, A, 0, tA ? M : K, B, 0, tB ? K : N, t % 2, C, 0, N);
            out.add(C);
        }
        // op(A) = Aᵀ with M between SimdGemm.A_WHOLE_MIN_M_ONE_THREAD and A_WHOLE_MIN_M: packed once for all tasks on 1
        // thread (packAWhole), by each task on 2 and 3 (packA): the two packings must give the same bits.
        int mT = SimdGemm.A_WHOLE_MIN_M_ONE_THREAD + 41, nT = 60;
        float[] aT = randn(r, K * mT, 1), bT = randn(r, K * nT, 1), cT = new float[mT * nT];
        k.gemm(true, false, mT, nT, K, aT, 0, mT, bT, 0, nT, 0f, cT, 0, nT);
        out.add(cT);
        // Linear layer forward and backward.
        float[] X = randn(r, M * K, 1), W = randn(r, N * K, 1), b = randn(r, N, 1), dY = randn(r, M * N, 1);
        float[] Y = new float[M * N], dX = new float[M * K], dW = new float[N * K], db = new float[N];
        k.linearForward(X, 0, W, 0, b, 0, Y, 0, M, N, K);
        k.linearBackward(dY, 0, X, 0, W, 0, dX, 0, dW, 0, db, 0, M, N, K);
        out.add(Y); out.add(dX); out.add(dW); out.add(db);
        // LayerNorm over 200 rows of 769.
        int rows = 90, dim = 769, n = rows * dim;
        float[] x = randn(r, n, 2), g = randn(r, dim, 1), be = randn(r, dim, 1), dy = randn(r, n, 1);
        float[] y = new float[n], mean = new float[rows], rstd = new float[rows];
        k.layerNormForward(x, 0, g, be, y, 0, mean, rstd, 0, rows, dim, 1e-12f);
        float[] dx = new float[n], dg = new float[dim], dbt = new float[dim];
        k.layerNormBackward(dy, 0, x, 0, mean, rstd, 0, g, dx, 0, dg, dbt, rows, dim);
        out.add(y); out.add(mean); out.add(rstd); out.add(dx); out.add(dg); out.add(dbt);
        // Softmax rows with a gap (ld > cols).
        float[] s = x.clone();
        k.softmaxForward(s, 0, 400, 150, 153, 0.125f);
        float[] ds = new float[n];
        k.softmaxBackward(s, 0, dy, 0, ds, 0, 400, 150, 153, 0.125f);
        out.add(s); out.add(ds);
        // Element-wise kernels over several chunks.
        float[][] e = new float[12][n];
        k.geluForward(x, 0, e[0], 0, n);
        k.geluBackward(x, 0, dy, 0, e[1], 0, n);
        k.reluForward(x, 0, e[2], 0, n);
        k.reluBackward(x, 0, dy, 0, e[3], 0, n);
        k.tanhForward(x, 0, e[4], 0, n);
        k.tanhBackward(e[4], 0, dy, 0, e[5], 0, n);
        k.dropout(x, 0, e[6], 0, n, 0.1f, 7, 1000);
        e[7] = y.clone();
        k.axpy(0.5f, x, 0, e[7], 0, n);
        e[8] = x.clone();
        k.scale(e[8], 0, n, 1.7f);
        k.add(x, 0, dy, 0, e[9], 0, n);
        e[10] = new float[] {(float) k.sum(x, 0, n), (float) (k.sum(x, 0, n) - (float) k.sum(x, 0, n)),
            (float) k.sumSquares(x, 0, n), (float) (k.sumSquares(x, 0, n) - (float) k.sumSquares(x, 0, n))};
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) labels[i] = i % 2;
        e[11] = new float[rows * 2 + 1];
        e[11][rows * 2] = k.crossEntropy(x, rows, 2, labels, e[11]);
        for (float[] a : e) out.add(a);
        return out;
    }

    @Test
    void oneTwoAndThreeThreadsGiveIdenticalBits() {
        List<float[]> reference = null;
        for (int threads = 1; threads <= 3; threads++) {
            try (Parallel p = new Parallel(threads)) {
                List<float[]> got = runAll(new SimdKernels(p));
                if (reference == null) {
                    reference = got;
                    continue;
                }
                assertEquals(reference.size(), got.size());
                for (int i = 0; i < got.size(); i++) {
                    assertBitsEqual("output #" + i + " with " + threads + " threads", reference.get(i), got.get(i));
                }
            }
        }
    }
}
