package distilj.kernels;

import static distilj.kernels.KernelTestSupport.EPS;
import static distilj.kernels.KernelTestSupport.ODD_SIZES;
import static distilj.kernels.KernelTestSupport.SEEDS;
import static distilj.kernels.KernelTestSupport.assertBitsEqual;
import static distilj.kernels.KernelTestSupport.assertWithin;
import static distilj.kernels.KernelTestSupport.randn;
import static distilj.kernels.KernelTestSupport.ulp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every non-GEMM kernel of {@link SimdKernels} against its {@link ScalarKernels} twin, on sizes around the vector
 * width (1, 3, 7, 16, 17, 63, 65, 767, 769) and several seeds. Where the two do the same float operations in the same
 * order the outputs must be bit-identical; elsewhere each tolerance is derived next to its check.
 */
class SimdVsScalarTest {
    private static final Parallel POOL = new Parallel(2);
    private static final ScalarKernels S = new ScalarKernels(POOL);
    private static final SimdKernels V = new SimdKernels(POOL);

    @AfterAll
    static void close() {
        POOL.close();
    }

    private static String at(String kernel, long seed, int n) {
        return kernel + " seed " + seed + " n " + n;
    }

    /** Sizes of the element-wise tests: the odd ones plus one above the parallel chunk (CHUNK + 3). */
    private static int[] elementSizes() {
        int[] s = java.util.Arrays.copyOf(ODD_SIZES, ODD_SIZES.length + 1);
        s[s.length - 1] = SimdKernels.CHUNK * 2 + 3;
        return s;
    }

    @Test
    void exactElementWiseKernelsAreBitIdentical() {
        // ReLU, add, scale, axpy (a·x then + y, as the scalar loop), tanh backward and dropout perform the very same
        // float operations per element in both twins, so they must agree bit for bit.
        for (long seed : SEEDS) {
            for (int n : elementSizes()) {
                SplittableRandom r = new SplittableRandom(seed * 31 + n);
                float[] x = randn(r, n + 2, 2), y = randn(r, n + 2, 2), dy = randn(r, n + 2, 1);
                float[] a = new float[n + 2], b = new float[n + 2];
                S.reluForward(x, 1, a, 2, n); V.reluForward(x, 1, b, 2, n);
                assertBitsEqual(at("reluForward", seed, n), a, b);
                a = new float[n + 2]; b = new float[n + 2];
                S.reluBackward(x, 0, dy, 1, a, 1, n); V.reluBackward(x, 0, dy, 1, b, 1, n);
                assertBitsEqual(at("reluBackward", seed, n), a, b);
                S.add(x, 0, y, 2, a, 1, n); V.add(x, 0, y, 2, b, 1, n);
                assertBitsEqual(at("add", seed, n), a, b);
                a = y.clone(); b = y.clone();
                S.scale(a, 1, n, 0.37f); V.scale(b, 1, n, 0.37f);
                assertBitsEqual(at("scale", seed, n), a, b);
                S.axpy(-1.3f, x, 2, a, 0, n); V.axpy(-1.3f, x, 2, b, 0, n);
                assertBitsEqual(at("axpy", seed, n), a, b);
                float[] t = new float[n];
                S.tanhForward(x, 0, t, 0, n);
                a = new float[n]; b = new float[n];
                S.tanhBackward(t, 0, dy, 0, a, 0, n); V.tanhBackward(t, 0, dy, 0, b, 0, n);
                assertBitsEqual(at("tanhBackward", seed, n), a, b);
                for (float p : new float[] {0f, 0.1f, 0.5f, 0.93f}) {
                    a = new float[n + 2]; b = new float[n + 2];
                    S.dropout(x, 1, a, 0, n, p, seed * 99, 12345L + n); V.dropout(x, 1, b, 0, n, p, seed * 99, 12345L + n);
                    assertBitsEqual(at("dropout p=" + p, seed, n), a, b);
                }
            }
        }
    }

    @Test
    void tanhAndGeluWithinDerivedBounds() {
        for (long seed : SEEDS) {
            for (int n : elementSizes()) {
                SplittableRandom r = new SplittableRandom(seed * 17 + n);
                float[] x = randn(r, n, 3), dy = randn(r, n, 1);
                if (n > 4) { x[0] = 0f; x[1] = -40f; x[2] = 40f; x[3] = 1e-30f; }
                float[] a = new float[n], b = new float[n];
                double[] tol = new double[n];
                // tanh: both are faithfully rounded (scalar: double tanh rounded once; SIMD: the vector math
                // library, documented within 1 ulp), so they differ by at most 2 ulps of the result.
                S.tanhForward(x, 0, a, 0, n); V.tanhForward(x, 0, b, 0, n);
                for (int i = 0; i < n; i++) tol[i] = 2 * ulp(a[i]);
                assertWithin(at("tanhForward", seed, n), a, b, tol);
                // GELU = x·Φ(x). The SIMD Φ evaluates the same erfc formula in float: t and P(t) carry a few
                // roundings of magnitude ≤ 1.3 (→ ≤ 4u absolute on the exponent, i.e. ≤ 4u relative on erfc) and
                // exp ≤ 1 ulp, and erfc/2 ≤ 1, so |ΔΦ| ≤ ~8u + ulp(1) ≈ 1e-6·…; we allow |ΔΦ| ≤ 16u = 9.5e-7,
                // i.e. |Δy| ≤ 16u·|x| + 2 ulp(y) for the final product and rounding.
                S.geluForward(x, 0, a, 0, n); V.geluForward(x, 0, b, 0, n);
                for (int i = 0; i < n; i++) tol[i] = 16 * EPS * Math.abs(x[i]) + 2 * ulp(a[i]);
                assertWithin(at("geluForward", seed, n), a, b, tol);
                // GELU': Φ(x) + x·φ(x): the same |ΔΦ| bound, plus φ = exp(−x²/2)/√(2π) with x² rounded (relative
                // error ≤ (x²/2)·2u + 2u on φ), times |x|; then times dy.
                S.geluBackward(x, 0, dy, 0, a, 0, n); V.geluBackward(x, 0, dy, 0, b, 0, n);
                for (int i = 0; i < n; i++) {
                    double xv = x[i], phi = Math.exp(-0.5 * xv * xv) * 0.3989422804014327;
                    tol[i] = Math.abs(dy[i]) * (16 * EPS + Math.abs(xv) * phi * (xv * xv + 4) * EPS) + 2 * ulp(a[i]);
                }
                assertWithin(at("geluBackward", seed, n), a, b, tol);
            }
        }
    }

    @Test
    void layerNormWithinDerivedBounds() {
        int rowsList[] = {1, 5, 50};
        for (long seed : SEEDS) {
            for (int dim : ODD_SIZES) {
                for (int rows : rowsList) {
                    SplittableRandom r = new SplittableRandom(seed * 13 + dim * 7 + rows);
                    int n = rows * dim;
                    float[] x = randn(r, n + 1, 2), g = randn(r, dim, 1), be = randn(r, dim, 1), dy = randn(r, n, 1);
                    for (int i = 0; i < x.length; i++) x[i] += 3f; // a non-zero mean, as in real activations
                    float[] ya = new float[n], yb = new float[n], ma = new float[rows + 1], mb = new float[rows + 1],
                            ra = new float[rows + 1], rb = new float[rows + 1];
                    S.layerNormForward(x, 1, g, be, ya, 0, ma, ra, 1, rows, dim, 1e-12f);
                    V.layerNormForward(x, 1, g, be, yb, 0, mb, rb, 1, rows, dim, 1e-12f);
                    // Mean and variance are sums of dim terms in different orders: relative error ≤ dim·u each
                    // (γ_dim bound), so x̂ = (x − μ)·rstd is off by ≤ dim·u·(|x|/σ + |x̂|)·…; we allow
                    // 4·dim·u·(1 + |x̂| + |μ|·rstd)·|γ| + 2 ulps of the result for the final fma/rounding.
                    double[] tol = new double[n];
                    for (int row = 0; row < rows; row++) {
                        for (int i = 0; i < dim; i++) {
                            int k = row * dim + i;
                            double xhat = (x[1 + k] - ma[1 + row]) * ra[1 + row];
                            tol[k] = 4 * dim * EPS * (1 + Math.abs(xhat) + Math.abs(ma[1 + row] * ra[1 + row]))
                                    * Math.abs(g[i]) + 2 * ulp(ya[k]) + 2 * ulp(be[i]);
                        }
                    }
                    String what = "layerNorm seed " + seed + " rows " + rows + " dim " + dim;
                    assertWithin(what + " y", ya, yb, tol);
                    // Backward from the SAME saved statistics (the scalar ones), so only the backward is compared.
                    float[] dxa = new float[n], dxb = new float[n];
                    float[] dga = randn(r, dim, 1), dgb = dga.clone(), dba = randn(r, dim, 1), dbb = dba.clone();
                    S.layerNormBackward(dy, 0, x, 1, ma, ra, 1, g, dxa, 0, dga, dba, rows, dim);
                    V.layerNormBackward(dy, 0, x, 1, ma, ra, 1, g, dxb, 0, dgb, dbb, rows, dim);
                    // dγ, dβ: both twins add dy·x̂ (resp. dy) row after row with the same float operations.
                    assertBitsEqual(what + " dgamma", dga, dgb);
                    assertBitsEqual(what + " dbeta", dba, dbb);
                    // dx = rstd·(g − mean(g) − x̂·mean(g·x̂)): the two means are dim-term sums (≤ dim·u relative
                    // to the sums of magnitudes), then three roundings.
                    for (int row = 0; row < rows; row++) {
                        double s = ra[1 + row], absG = 0, absGx = 0;
                        for (int i = 0; i < dim; i++) {
                            double xhat = (x[1 + row * dim + i] - ma[1 + row]) * s, gg = dy[row * dim + i] * g[i];
                            absG += Math.abs(gg);
                            absGx += Math.abs(gg * xhat);
                        }
                        for (int i = 0; i < dim; i++) {
                            int k = row * dim + i;
                            double xhat = (x[1 + k] - ma[1 + row]) * s, gg = dy[k] * g[i];
                            tol[k] = s * (2 * dim * EPS * (absG / dim + Math.abs(xhat) * absGx / dim)
                                    + 8 * EPS * (Math.abs(gg) + absG / dim + Math.abs(xhat) * absGx / dim))
                                    + 2 * ulp(dxa[k]);
                        }
                    }
                    assertWithin(what + " dx", dxa, dxb, tol);
                }
            }
        }
    }

    @Test
    void softmaxWithinDerivedBounds() {
        for (long seed : SEEDS) {
            for (int cols : ODD_SIZES) {
                int rows = 6, ld = cols + 3;
                for (float scale : new float[] {1f, 0.125f}) {
                    SplittableRandom r = new SplittableRandom(seed * 5 + cols);
                    float[] x = randn(r, 1 + rows * ld, 4), dy = randn(r, 1 + rows * ld, 1);
                    float[] a = x.clone(), b = x.clone();
                    S.softmaxForward(a, 1, rows, cols, ld, scale);
                    V.softmaxForward(b, 1, rows, cols, ld, scale);
                    // Entries between rows (the ld gap) must be untouched.
                    for (int row = 0; row < rows; row++) {
                        for (int j = cols; j < ld && 1 + row * ld + j < x.length; j++) {
                            assertEquals(x[1 + row * ld + j], b[1 + row * ld + j], "softmax wrote past a row end");
                        }
                    }
                    // y_j = exp(s·x_j − max)/Σ: the argument is rounded (≤ |arg|·u), exp ≤ 1 ulp in either twin,
                    // the sum of cols positive terms ≤ cols·u relative, one division: relative error ≤
                    // (2|arg| + cols + 6)·u.
                    double[] tol = new double[x.length];
                    for (int row = 0; row < rows; row++) {
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j < cols; j++) max = Math.max(max, scale * x[1 + row * ld + j]);
                        for (int j = 0; j < cols; j++) {
                            int k = 1 + row * ld + j;
                            double arg = Math.abs(scale * x[k] - max) + Math.abs(max);
                            tol[k] = (2 * arg + cols + 6) * EPS * Math.abs(a[k]) + Float.MIN_NORMAL;
                        }
                    }
                    String what = "softmax seed " + seed + " cols " + cols + " scale " + scale;
                    assertWithin(what + " forward", a, b, tol);
                    // Backward on the scalar y: dx = s·y·(dy − Σ dy·y); the dot is a cols-term sum
                    // (≤ cols·u·Σ|dy·y|), then three roundings.
                    float[] dxa = new float[x.length], dxb = dy.clone();
                    S.softmaxBackward(a, 1, dy, 1, dxa, 1, rows, cols, ld, scale);
                    V.softmaxBackward(a, 1, dxb, 1, dxb, 1, rows, cols, ld, scale); // in place: dx aliases dy
                    java.util.Arrays.fill(tol, 0);
                    for (int row = 0; row < rows; row++) {
                        double absDot = 0, dot = 0;
                        for (int j = 0; j < cols; j++) {
                            int k = 1 + row * ld + j;
                            absDot += Math.abs((double) dy[k] * a[k]);
                            dot += (double) dy[k] * a[k];
                        }
                        for (int j = 0; j < cols; j++) {
                            int k = 1 + row * ld + j;
                            tol[k] = Math.abs(scale * a[k]) * (2 * cols * EPS * absDot
                                    + 8 * EPS * (Math.abs(dy[k]) + Math.abs(dot))) + Float.MIN_NORMAL;
                        }
                    }
                    for (int i = 0; i < x.length; i++) if (tol[i] == 0) dxa[i] = dxb[i]; // gaps: not compared
                    assertWithin(what + " backward", dxa, dxb, tol);
                }
            }
        }
    }

    @Test
    void sumsAndCrossEntropy() {
        for (long seed : SEEDS) {
            for (int n : elementSizes()) {
                SplittableRandom r = new SplittableRandom(seed + n * 3L);
                float[] x = randn(r, n + 1, 10);
                double sum = 0, abs = 0, sq = 0;
                for (int i = 1; i <= n; i++) { sum += x[i]; abs += Math.abs(x[i]); sq += (double) x[i] * x[i]; }
                // Double sums of n terms in any order: ≤ n·2⁻⁵³·Σ|terms| (the squares are exact in double).
                double tolSum = n * 0x1.0p-53 * abs * 2, tolSq = n * 0x1.0p-53 * sq * 2;
                assertTrue(Math.abs(V.sum(x, 1, n) - sum) <= tolSum, "sum n " + n);
                assertTrue(Math.abs(S.sum(x, 1, n) - sum) <= tolSum, "scalar sum n " + n);
                assertTrue(Math.abs(V.sumSquares(x, 1, n) - sq) <= tolSq, "sumSquares n " + n);
                assertTrue(Math.abs(S.sumSquares(x, 1, n) - sq) <= tolSq, "scalar sumSquares n " + n);
            }
            for (int rows : new int[] {1, 7, 64}) {
                for (int classes : new int[] {2, 3, 17}) {
                    SplittableRandom r = new SplittableRandom(seed * 3 + rows + classes);
                    float[] z = randn(r, rows * classes, 3);
                    int[] labels = new int[rows];
                    for (int i = 0; i < rows; i++) labels[i] = r.nextInt(classes);
                    float[] da = new float[rows * classes], db = new float[rows * classes];
                    float la = S.crossEntropy(z, rows, classes, labels, da);
                    float lb = V.crossEntropy(z, rows, classes, labels, db);
                    assertEquals(la, lb, "cross-entropy loss rows " + rows);
                    assertBitsEqual("cross-entropy dlogits", da, db);
                }
            }
        }
    }
}
