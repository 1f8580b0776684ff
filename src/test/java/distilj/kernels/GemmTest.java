package distilj.kernels;

import static distilj.kernels.KernelTestSupport.EPS;
import static distilj.kernels.KernelTestSupport.SEEDS;
import static distilj.kernels.KernelTestSupport.assertBitsEqual;
import static distilj.kernels.KernelTestSupport.assertWithin;
import static distilj.kernels.KernelTestSupport.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * GEMM and the linear layer against a float64 reference, for both kernel sets.
 *
 * <p>Tolerance: any float32 dot product of length K, in any summation order and with or without FMA, satisfies the
 * classic bound {@code |ĉ − c| ≤ γ_K · Σ_k |a_ik|·|b_kj|}, {@code γ_K = K·u/(1 − K·u)}, u = 2⁻²⁴ (Higham, Accuracy and
 * Stability, §3.1); one more rounding when adding to the old C (beta = 1) or a bias. We use (K + 2)·u·(Σ|a||b| + |old|)
 * — rigorous, so it cannot fail on rounding, while an indexing bug (a wrong, missing or doubled term) is off by about
 * Σ|a||b|/K, orders of magnitude more.
 */
class GemmTest {
    private static final Parallel POOL = new Parallel(2);
    private static final Kernels[] KERNELS = {new ScalarKernels(POOL), new SimdKernels(POOL)};

    @AfterAll
    static void close() {
        POOL.close();
    }

    /**
     * A shape whose packed B (≈ 21 MB) is made in groups of K blocks ({@link SimdGemm#kBlocksPerGroup}): three groups
     * of two K blocks, the last block 7 deep. {@link #theGroupedShapeReallyIsGrouped} keeps it so if the limits move.
     */
    private static final int GROUPED_N = 1299, GROUPED_K = 5 * SimdGemm.KC + 7;

    /** M, N, K: small (unpacked path) and above SimdGemm.SMALL_FLOPS (packed path, edge tiles, several blocks). */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 17, 3}, {7, 1, 65}, {3, 7, 17}, {17, 63, 1}, {65, 33, 64}, {80, 80, 64},
        {129, 67, 131},   // packed: M over one MC block, N a ragged panel, K odd
        {97, 45, SimdGemm.KC + 44},  // packed: two K blocks
        {9, 800, 130},    // packed: four column blocks (one row block, 2 threads), M below one micro-tile
        {1, 1000, 1000},  // packed: a single row
        {20, 200, SimdGemm.KC + 1},  // packed: a last K block of depth 1 whose panel ends near the end of A (bounds)
        {16, 40, SimdGemm.STAGE_BLOCKS * SimdGemm.KC + 50},  // packed: rows staged in two spans (SimdGemm.stageRows)
        {SimdGemm.A_WHOLE_MIN_M + 41, 45, SimdGemm.KC + 45},  // packed: with transA, op(A) packed once (packAWhole),
                                                              // a ragged last tile, two K blocks, the second odd
                                                              // (a job of 13 rows: pairs, then one row alone)
    };

    @Test
    void theGroupedShapeReallyIsGrouped() {
        int nPadded = (GROUPED_N + SimdGemm.NR - 1) / SimdGemm.NR * SimdGemm.NR;
        int kBlocks = (GROUPED_K + SimdGemm.KC - 1) / SimdGemm.KC;
        assertEquals(2, SimdGemm.kBlocksPerGroup(nPadded, kBlocks),
                "K blocks per group of the grouped test shape (adjust GROUPED_N / GROUPED_K to the new limits)");
    }

    @Test
    void allTransposesStridesAndBetasMatchFloat64Reference() {
        for (long seed : SEEDS) {
            for (int[] s : SHAPES) {
                for (int t = 0; t < 4; t++) {
                    for (float beta : new float[] {0f, 1f}) {
                        check(KERNELS, seed, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, beta);
                    }
                }
            }
        }
    }

    /**
     * B packed in groups of K blocks: 16 rows (a whole micro-tile and an edge), the grouped shape. The SIMD kernels
     * only, one seed: the scalar twin has no packing to test, and with it (its walk down B's columns) and three seeds
     * this test took ~20 s.
     */
    @Test
    void bPackedInGroupsOfKBlocksMatchesFloat64Reference() {
        for (int t = 0; t < 4; t++) {
            for (float beta : new float[] {0f, 1f}) {
                boolean tA = (t & 1) != 0, tB = (t & 2) != 0;
                check(new Kernels[] {KERNELS[1]}, SEEDS[0], 16, GROUPED_N, GROUPED_K, tA, tB, beta);
            }
        }
    }

    private void check(Kernels[] kernels, long seed, int M, int N, int K, boolean tA, boolean tB, float beta) {
        SplittableRandom r = new SplittableRandom(seed * 1000 + M * 31 + N * 7 + K);
        int aRows = tA ? K : M, aCols = tA ? M : K, bRows = tB ? N : K, bCols = tB ? K : N;
        // Strided views: leading dimensions wider than the rows, and non-zero offsets.
        int lda = aCols + 3, ldb = bCols + 5, ldc = N + 2, aOff = 2, bOff = 1, cOff = 3;
        float[] A = randn(r, aOff + aRows * lda, 1), B = randn(r, bOff + bRows * ldb, 1);
        // NaN in every gap of A and B: packing reads past the matrix into discarded lanes (ragged edges), and those
        // lanes must never reach C.
        for (int i = 0; i < aOff; i++) A[i] = Float.NaN;
        for (int row = 0; row < aRows; row++) for (int c = aCols; c < lda; c++) A[aOff + row * lda + c] = Float.NaN;
        for (int i = 0; i < bOff; i++) B[i] = Float.NaN;
        for (int row = 0; row < bRows; row++) for (int c = bCols; c < ldb; c++) B[bOff + row * ldb + c] = Float.NaN;
        float[] C0 = randn(r, cOff + M * ldc, 1);
        if (beta == 0f) {
            // beta = 0 must ignore C entirely, NaN included (inside the matrix; the gaps must survive untouched).
            for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) C0[cOff + i * ldc + j] = Float.NaN;
        }
        float[] ref = C0.clone();
        double[] tol = new double[C0.length];
        // op(A) by rows and op(B) by columns, so that the reference reads both along k (the grouped shape is large).
        double[] opA = new double[M * K], opB = new double[N * K];
        for (int i = 0; i < M; i++) {
            for (int k = 0; k < K; k++) opA[i * K + k] = tA ? A[aOff + k * lda + i] : A[aOff + i * lda + k];
        }
        for (int j = 0; j < N; j++) {
            for (int k = 0; k < K; k++) opB[j * K + k] = tB ? B[bOff + j * ldb + k] : B[bOff + k * ldb + j];
        }
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double acc = 0, mag = 0;
                for (int k = 0; k < K; k++) {
                    double a = opA[i * K + k], b = opB[j * K + k];
                    acc += a * b;
                    mag += Math.abs(a * b);
                }
                int c = cOff + i * ldc + j;
                double old = beta == 0f ? 0 : C0[c];
                ref[c] = (float) (acc + old);
                tol[c] = (K + 2) * EPS * (mag + Math.abs(old)) + Float.MIN_NORMAL;
            }
        }
        for (Kernels k : kernels) {
            float[] C = C0.clone();
            k.gemm(tA, tB, M, N, K, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
            String what = k.name() + " gemm seed " + seed + " M=" + M + " N=" + N + " K=" + K + " transA=" + tA
                    + " transB=" + tB + " beta=" + beta;
            assertWithin(what, ref, C, tol);
        }
    }

    @Test
    void linearForwardAndBackwardMatchFloat64Reference() {
        // The last: forward and dX pack B in groups of K blocks, and the bias is added after the last group only.
        int[][] shapes = {
            {1, 1, 1}, {3, 5, 7}, {17, 63, 65}, {130, 97, 101}, {33, 300, 129}, {5, GROUPED_N, GROUPED_K}
        };
        for (long seed : SEEDS) {
            for (int[] s : shapes) {
                int M = s[0], N = s[1], K = s[2];
                SplittableRandom r = new SplittableRandom(seed * 77 + M + N + K);
                float[] X = randn(r, M * K, 1), W = randn(r, N * K, 0.5), b = randn(r, N, 1), dY = randn(r, M * N, 1);
                float[] dW0 = randn(r, N * K, 1), db0 = randn(r, N, 1);
                // Float64 references and their rigorous bounds (see the class comment).
                float[] yRef = new float[M * N], dxRef = new float[M * K], dwRef = new float[N * K];
                double[] yTol = new double[M * N], dxTol = new double[M * K], dwTol = new double[N * K];
                for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) {
                    double acc = b[j], mag = Math.abs(b[j]);
                    for (int k = 0; k < K; k++) { acc += (double) X[i * K + k] * W[j * K + k]; mag += Math.abs((double) X[i * K + k] * W[j * K + k]); }
                    yRef[i * N + j] = (float) acc;
                    yTol[i * N + j] = (K + 2) * EPS * mag + Float.MIN_NORMAL;
                }
                for (int i = 0; i < M; i++) for (int k = 0; k < K; k++) {
                    double acc = 0, mag = 0;
                    for (int j = 0; j < N; j++) { acc += (double) dY[i * N + j] * W[j * K + k]; mag += Math.abs((double) dY[i * N + j] * W[j * K + k]); }
                    dxRef[i * K + k] = (float) acc;
                    dxTol[i * K + k] = (N + 2) * EPS * mag + Float.MIN_NORMAL;
                }
                for (int j = 0; j < N; j++) for (int k = 0; k < K; k++) {
                    double acc = dW0[j * K + k], mag = Math.abs(dW0[j * K + k]);
                    for (int i = 0; i < M; i++) { acc += (double) dY[i * N + j] * X[i * K + k]; mag += Math.abs((double) dY[i * N + j] * X[i * K + k]); }
                    dwRef[j * K + k] = (float) acc;
                    dwTol[j * K + k] = (M + 2) * EPS * mag + Float.MIN_NORMAL;
                }
                float[] dbScalar = null;
                for (Kernels kern : KERNELS) {
                    String what = kern.name() + " linear seed " + seed + " M=" + M + " N=" + N + " K=" + K;
                    float[] Y = new float[M * N];
                    java.util.Arrays.fill(Y, Float.NaN);
                    kern.linearForward(X, 0, W, 0, b, 0, Y, 0, M, N, K);
                    assertWithin(what + " Y", yRef, Y, yTol);
                    float[] dX = new float[M * K], dW = dW0.clone(), db = db0.clone();
                    java.util.Arrays.fill(dX, Float.NaN);
                    kern.linearBackward(dY, 0, X, 0, W, 0, dX, 0, dW, 0, db, 0, M, N, K);
                    assertWithin(what + " dX", dxRef, dX, dxTol);
                    assertWithin(what + " dW", dwRef, dW, dwTol);
                    // db sums the rows of dY in row order in both twins: identical, not just close.
                    if (dbScalar == null) dbScalar = db; else assertBitsEqual(what + " db", dbScalar, db);
                    // dX == null skips dX and still accumulates dW.
                    float[] dW2 = dW0.clone();
                    kern.linearBackward(dY, 0, X, 0, W, 0, null, 0, dW2, 0, null, 0, M, N, K);
                    assertBitsEqual(what + " dW without dX", dW, dW2);
                }
            }
        }
    }
}
