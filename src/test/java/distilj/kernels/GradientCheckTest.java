package distilj.kernels;

import static distilj.kernels.KernelTestSupport.randn;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every backward kernel against central finite differences of a float64 forward written here, independently of the
 * kernels. For a forward y = f(θ) and a random upstream gradient G, the scalar L(θ) = Σ G⊙f(θ) has ∂L/∂θ equal to what
 * the backward kernel returns given dy = G.
 *
 * <p>Tolerance: the FD derivative is computed in double with h = 1e-5 (truncation error ~h²·|L'''| ≈ 1e-10, rounding
 * ~1e-16/h ≈ 1e-11), so it is exact for our purposes; the analytic gradient is float32, whose error is bounded by
 * ~n·u (n ≤ ~100 terms per sum, u = 6e-8) ≈ 1e-5 relative to the magnitudes summed. We allow
 * |analytic − FD| ≤ 2e-4·(|FD| + rms of the whole gradient): loose enough never to trip on rounding, while any
 * wrong term, sign or factor is off by O(1) of the gradient.
 */
class GradientCheckTest {
    private static final Parallel POOL = new Parallel(2);
    private static final Kernels[] KERNELS = {new ScalarKernels(POOL), new SimdKernels(POOL)};
    private static final double H = 1e-5;

    @AfterAll
    static void close() {
        POOL.close();
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    /**
     * Compares analytic[i] to the central difference of L with respect to input[i], for the given indices
     * (all when null). L reads the (mutated) double copy of the input.
     */
    static void check(String what, float[] analytic, double[] input, int[] indices, ToDoubleFunction<double[]> loss) {
        int n = indices == null ? input.length : indices.length;
        double[] fd = new double[n];
        double ss = 0;
        for (int t = 0; t < n; t++) {
            int i = indices == null ? t : indices[t];
            double keep = input[i];
            input[i] = keep + H;
            double up = loss.applyAsDouble(input);
            input[i] = keep - H;
            double down = loss.applyAsDouble(input);
            input[i] = keep;
            fd[t] = (up - down) / (2 * H);
            ss += fd[t] * fd[t];
        }
        double rms = Math.sqrt(ss / n);
        for (int t = 0; t < n; t++) {
            int i = indices == null ? t : indices[t];
            double tol = 2e-4 * (Math.abs(fd[t]) + rms) + 1e-12;
            if (!(Math.abs(analytic[i] - fd[t]) <= tol)) {
                fail(what + ": d/d[" + i + "] analytic " + analytic[i] + " vs finite difference " + fd[t]
                        + " (tolerance " + tol + ")");
            }
        }
    }

    static int[] sample(SplittableRandom r, int n, int count) {
        if (n <= count) return null;
        int[] s = new int[count];
        for (int i = 0; i < count; i++) s[i] = r.nextInt(n);
        return s;
    }

    // ------------------------------------------------------------------ linear

    @Test
    void linear() {
        int[][] shapes = {{5, 7, 9}, {101, 97, 99}}; // unpacked and packed GEMM paths
        for (Kernels k : KERNELS) {
            for (int[] s : shapes) {
                int M = s[0], N = s[1], K = s[2];
                SplittableRandom r = new SplittableRandom(M);
                float[] X = randn(r, M * K, 1), W = randn(r, N * K, 1), b = randn(r, N, 1), G = randn(r, M * N, 1);
                float[] dX = new float[M * K], dW = new float[N * K], db = new float[N];
                k.linearBackward(G, 0, X, 0, W, 0, dX, 0, dW, 0, db, 0, M, N, K);
                double[] x = toDouble(X), w = toDouble(W), bb = toDouble(b);
                ToDoubleFunction<double[]> L = unused -> {
                    double l = 0;
                    for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) {
                        double y = bb[j];
                        for (int q = 0; q < K; q++) y += x[i * K + q] * w[j * K + q];
                        l += G[i * N + j] * y;
                    }
                    return l;
                };
                String what = k.name() + " linear " + M + "x" + N + "x" + K;
                check(what + " dX", dX, x, sample(r, x.length, 30), L);
                check(what + " dW", dW, w, sample(r, w.length, 30), L);
                check(what + " db", db, bb, sample(r, bb.length, 30), L);
            }
        }
    }

    // ------------------------------------------------------------------ layer norm

    @Test
    void layerNorm() {
        int rows = 3, dim = 67;
        double eps = 1e-5; // larger than BERT's 1e-12 so that eps itself is exercised by the check
        for (Kernels k : KERNELS) {
            SplittableRandom r = new SplittableRandom(7);
            float[] X = randn(r, rows * dim, 2), g = randn(r, dim, 1), be = randn(r, dim, 1), G = randn(r, rows * dim, 1);
            for (int i = 0; i < X.length; i++) X[i] += 1f;
            float[] y = new float[X.length], mean = new float[rows], rstd = new float[rows];
            k.layerNormForward(X, 0, g, be, y, 0, mean, rstd, 0, rows, dim, (float) eps);
            float[] dx = new float[X.length], dg = new float[dim], db = new float[dim];
            k.layerNormBackward(G, 0, X, 0, mean, rstd, 0, g, dx, 0, dg, db, rows, dim);
            double[] x = toDouble(X), gd = toDouble(g), bd = toDouble(be);
            ToDoubleFunction<double[]> L = unused -> {
                double l = 0;
                for (int row = 0; row < rows; row++) {
                    double m = 0, v = 0;
                    for (int i = 0; i < dim; i++) m += x[row * dim + i];
                    m /= dim;
                    for (int i = 0; i < dim; i++) v += (x[row * dim + i] - m) * (x[row * dim + i] - m);
                    v /= dim;
                    double s = 1 / Math.sqrt(v + eps);
                    for (int i = 0; i < dim; i++) l += G[row * dim + i] * ((x[row * dim + i] - m) * s * gd[i] + bd[i]);
                }
                return l;
            };
            check(k.name() + " layerNorm dx", dx, x, null, L);
            check(k.name() + " layerNorm dgamma", dg, gd, null, L);
            check(k.name() + " layerNorm dbeta", db, bd, null, L);
        }
    }

    // ------------------------------------------------------------------ softmax

    @Test
    void softmax() {
        int rows = 3, cols = 19, ld = 21;
        double scale = 0.125;
        for (Kernels k : KERNELS) {
            SplittableRandom r = new SplittableRandom(11);
            float[] X = randn(r, rows * ld, 6), G = randn(r, rows * ld, 1);
            float[] y = X.clone();
            k.softmaxForward(y, 0, rows, cols, ld, (float) scale);
            float[] dx = new float[X.length];
            k.softmaxBackward(y, 0, G, 0, dx, 0, rows, cols, ld, (float) scale);
            double[] x = toDouble(X);
            ToDoubleFunction<double[]> L = unused -> {
                double l = 0;
                for (int row = 0; row < rows; row++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j < cols; j++) max = Math.max(max, scale * x[row * ld + j]);
                    for (int j = 0; j < cols; j++) sum += Math.exp(scale * x[row * ld + j] - max);
                    for (int j = 0; j < cols; j++) l += G[row * ld + j] * Math.exp(scale * x[row * ld + j] - max) / sum;
                }
                return l;
            };
            int[] inRows = new int[rows * cols];
            for (int row = 0; row < rows; row++) for (int j = 0; j < cols; j++) inRows[row * cols + j] = row * ld + j;
            check(k.name() + " softmax dx", dx, x, inRows, L);
        }
    }

    // ------------------------------------------------------------------ activations

    /** erf by its Maclaurin series, accurate to ~1e-13 for |z| ≤ 3 (an independent reference for Erf). */
    static double erfSeries(double z) {
        double term = z, sum = z;
        for (int n = 1; n < 80; n++) {
            term *= -z * z / n;
            sum += term / (2 * n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    @Test
    void elementWiseActivations() {
        int n = 37;
        for (Kernels k : KERNELS) {
            SplittableRandom r = new SplittableRandom(3);
            float[] X = randn(r, n, 1.5), G = randn(r, n, 1);
            for (int i = 0; i < n; i++) {
                X[i] = Math.max(-4f, Math.min(4f, X[i]));                  // the erf series' range
                if (Math.abs(X[i]) < 1e-3f) X[i] = 0.5f;                   // ReLU: stay off the kink
            }
            double[] x = toDouble(X);
            float[] dx = new float[n];
            k.geluBackward(X, 0, G, 0, dx, 0, n);
            check(k.name() + " gelu", dx, x, null, v -> {
                double l = 0;
                for (int i = 0; i < n; i++) l += G[i] * 0.5 * v[i] * (1 + erfSeries(v[i] / Math.sqrt(2)));
                return l;
            });
            k.reluBackward(X, 0, G, 0, dx, 0, n);
            check(k.name() + " relu", dx, x, null, v -> {
                double l = 0;
                for (int i = 0; i < n; i++) l += G[i] * Math.max(v[i], 0);
                return l;
            });
            float[] y = new float[n];
            k.tanhForward(X, 0, y, 0, n);
            k.tanhBackward(y, 0, G, 0, dx, 0, n);
            check(k.name() + " tanh", dx, x, null, v -> {
                double l = 0;
                for (int i = 0; i < n; i++) l += G[i] * Math.tanh(v[i]);
                return l;
            });
            // Dropout: the backward is the same call on dy (the mask is recomputed from seed and counter).
            float p = 0.3f;
            long seed = 5, counter = 100;
            k.dropout(G, 0, dx, 0, n, p, seed, counter);
            check(k.name() + " dropout", dx, x, null, v -> {
                double l = 0;
                for (int i = 0; i < n; i++) {
                    l += G[i] * (DropoutRng.keep(seed, counter + i, p) ? v[i] / (1 - (double) p) : 0);
                }
                return l;
            });
        }
    }

    // ------------------------------------------------------------------ loss

    @Test
    void crossEntropy() {
        int rows = 5, classes = 3;
        for (Kernels k : KERNELS) {
            SplittableRandom r = new SplittableRandom(9);
            float[] Z = randn(r, rows * classes, 3);
            int[] labels = {0, 2, 1, 1, 0};
            float[] dz = new float[Z.length];
            k.crossEntropy(Z, rows, classes, labels, dz);
            check(k.name() + " cross-entropy", dz, toDouble(Z), null, z -> {
                double l = 0;
                for (int row = 0; row < rows; row++) {
                    double sum = 0;
                    for (int c = 0; c < classes; c++) sum += Math.exp(z[row * classes + c]);
                    l += Math.log(sum) - z[row * classes + labels[row]];
                }
                return l / rows;
            });
        }
    }
}
