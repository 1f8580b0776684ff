package distilj.kernels;

/**
 * Plain-loop kernels: the readable definition of every operation and the oracle the SIMD kernels are tested against.
 * Single-threaded on purpose (the pool is only held to satisfy the interface), accumulating in float in the natural
 * order except where the contract says double.
 */
public final class ScalarKernels implements Kernels {
    private final Parallel parallel;

    public ScalarKernels(Parallel parallel) {
        this.parallel = parallel;
    }

    @Override public String name() { return "scalar"; }
    @Override public Parallel parallel() { return parallel; }

    @Override
    public void gemm(boolean transA, boolean transB, int M, int N, int K,
                     float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                     float beta, float[] C, int cOff, int ldc) {
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                float acc = 0f;
                for (int k = 0; k < K; k++) {
                    float a = transA ? A[aOff + k * lda + i] : A[aOff + i * lda + k];
                    float b = transB ? B[bOff + j * ldb + k] : B[bOff + k * ldb + j];
                    acc += a * b;
                }
                int c = cOff + i * ldc + j;
                C[c] = beta == 0f ? acc : beta * C[c] + acc;
            }
        }
    }

    @Override
    public void linearForward(float[] X, int xOff, float[] W, int wOff, float[] b, int bOff,
                              float[] Y, int yOff, int M, int N, int K) {
        gemm(false, true, M, N, K, X, xOff, K, W, wOff, K, 0f, Y, yOff, N);
        if (b != null) {
            for (int i = 0; i < M; i++) {
                for (int j = 0; j < N; j++) Y[yOff + i * N + j] += b[bOff + j];
            }
        }
    }

    @Override
    public void linearBackward(float[] dY, int dyOff, float[] X, int xOff, float[] W, int wOff,
                               float[] dX, int dxOff, float[] dW, int dwOff, float[] db, int dbOff,
                               int M, int N, int K) {
        if (dX != null) gemm(false, false, M, K, N, dY, dyOff, N, W, wOff, K, 0f, dX, dxOff, K);
        gemm(true, false, N, K, M, dY, dyOff, N, X, xOff, K, 1f, dW, dwOff, K);
        if (db != null) {
            for (int j = 0; j < N; j++) {
                float s = 0f;
                for (int i = 0; i < M; i++) s += dY[dyOff + i * N + j];
                db[dbOff + j] += s;
            }
        }
    }

    @Override
    public void layerNormForward(float[] x, int xOff, float[] gamma, float[] beta, float[] y, int yOff,
                                 float[] mean, float[] rstd, int statOff, int rows, int dim, float eps) {
        for (int r = 0; r < rows; r++) {
            int o = xOff + r * dim;
            float m = 0f;
            for (int i = 0; i < dim; i++) m += x[o + i];
            m /= dim;
            float v = 0f;
            for (int i = 0; i < dim; i++) {
                float d = x[o + i] - m;
                v += d * d;
            }
            v /= dim;
            float s = (float) (1.0 / Math.sqrt(v + eps));
            int yo = yOff + r * dim;
            for (int i = 0; i < dim; i++) y[yo + i] = (x[o + i] - m) * s * gamma[i] + beta[i];
            mean[statOff + r] = m;
            rstd[statOff + r] = s;
        }
    }

    @Override
    public void layerNormBackward(float[] dy, int dyOff, float[] x, int xOff, float[] mean, float[] rstd, int statOff,
                                  float[] gamma, float[] dx, int dxOff, float[] dgamma, float[] dbeta, int rows, int dim) {
        for (int r = 0; r < rows; r++) {
            int o = xOff + r * dim, go = dyOff + r * dim, xo = dxOff + r * dim;
            float m = mean[statOff + r], s = rstd[statOff + r];
            float gMean = 0f, gxMean = 0f;
            for (int i = 0; i < dim; i++) {
                float xhat = (x[o + i] - m) * s;
                float g = dy[go + i] * gamma[i];
                gMean += g;
                gxMean += g * xhat;
                dgamma[i] += dy[go + i] * xhat;
                dbeta[i] += dy[go + i];
            }
            gMean /= dim;
            gxMean /= dim;
            for (int i = 0; i < dim; i++) {
                float xhat = (x[o + i] - m) * s;
                float g = dy[go + i] * gamma[i];
                dx[xo + i] = s * (g - gMean - xhat * gxMean);
            }
        }
    }

    @Override
    public void softmaxForward(float[] x, int off, int rows, int cols, int ld, float scale) {
        for (int r = 0; r < rows; r++) {
            int o = off + r * ld;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) max = Math.max(max, scale * x[o + j]);
            float sum = 0f;
            for (int j = 0; j < cols; j++) {
                float e = (float) Math.exp(scale * x[o + j] - max);
                x[o + j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int j = 0; j < cols; j++) x[o + j] *= inv;
        }
    }

    @Override
    public void softmaxBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff,
                                int rows, int cols, int ld, float scale) {
        for (int r = 0; r < rows; r++) {
            int yo = yOff + r * ld, go = dyOff + r * ld, xo = dxOff + r * ld;
            float dot = 0f;
            for (int j = 0; j < cols; j++) dot += dy[go + j] * y[yo + j];
            for (int j = 0; j < cols; j++) dx[xo + j] = scale * y[yo + j] * (dy[go + j] - dot);
        }
    }

    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    @Override
    public void geluForward(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            y[yOff + i] = (float) (0.5 * v * (1.0 + Erf.erf(v * INV_SQRT2)));
        }
    }

    @Override
    public void geluBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            double cdf = 0.5 * (1.0 + Erf.erf(v * INV_SQRT2));
            double pdf = INV_SQRT_2PI * Math.exp(-0.5 * v * v);
            dx[dxOff + i] = (float) (dy[dyOff + i] * (cdf + v * pdf));
        }
    }

    @Override
    public void reluForward(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = Math.max(x[xOff + i], 0f);
    }

    @Override
    public void reluBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) dx[dxOff + i] = x[xOff + i] > 0f ? dy[dyOff + i] : 0f;
    }

    @Override
    public void tanhForward(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = (float) Math.tanh(x[xOff + i]);
    }

    @Override
    public void tanhBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            float t = y[yOff + i];
            dx[dxOff + i] = dy[dyOff + i] * (1f - t * t);
        }
    }

    @Override
    public void dropout(float[] x, int xOff, float[] y, int yOff, int n, float p, long seed, long counter) {
        if (p == 0f) {
            System.arraycopy(x, xOff, y, yOff, n);
            return;
        }
        float s = 1f / (1f - p);
        for (int i = 0; i < n; i++) {
            y[yOff + i] = DropoutRng.keep(seed, counter + i, p) ? x[xOff + i] * s : 0f;
        }
    }

    @Override
    public float crossEntropy(float[] logits, int rows, int classes, int[] labels, float[] dlogits) {
        return crossEntropyRows(logits, rows, classes, labels, dlogits);
    }

    /** The cross-entropy loop, shared with the SIMD kernels (a few classes per row: nothing to vectorise). */
    static float crossEntropyRows(float[] logits, int rows, int classes, int[] labels, float[] dlogits) {
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            int o = r * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) max = Math.max(max, logits[o + c]);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.exp(logits[o + c] - max);
            double logZ = max + Math.log(sum);
            int label = labels[r];
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("label " + label + " of row " + r + " is outside [0, " + classes + ")");
            }
            loss += logZ - logits[o + label];
            if (dlogits != null) {
                for (int c = 0; c < classes; c++) {
                    double p = Math.exp(logits[o + c] - logZ);
                    dlogits[o + c] = (float) ((p - (c == label ? 1 : 0)) / rows);
                }
            }
        }
        return (float) (loss / rows);
    }

    @Override
    public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] += a * x[xOff + i];
    }

    @Override
    public void scale(float[] x, int off, int n, float a) {
        for (int i = 0; i < n; i++) x[off + i] *= a;
    }

    @Override
    public void add(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, int n) {
        for (int i = 0; i < n; i++) z[zOff + i] = x[xOff + i] + y[yOff + i];
    }

    @Override
    public double sum(float[] x, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += x[off + i];
        return s;
    }

    @Override
    public double sumSquares(float[] x, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) x[off + i] * x[off + i];
        return s;
    }
}
