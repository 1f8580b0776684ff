package distilj.kernels;

/**
 * Every numeric kernel the model and the trainer call. Two implementations with the same contract:
 * {@link ScalarKernels}, plain loops that are the test oracle, and {@code SimdKernels}, on the JDK Vector API.
 * {@link #get()} picks one for the whole process.
 *
 * <p>Conventions: tensors are plain row-major {@code float[]} with an explicit offset and, where a matrix may be a
 * view into a wider one, a leading dimension ({@code ld} = distance between consecutive rows). Shapes are written
 * {@code [rows, cols]}. Kernels never allocate in their hot loops. Results are bit-identical for any thread count:
 * work is split over independent outputs, never over a reduction.
 */
public interface Kernels {

    /** "scalar" or e.g. "simd(16 lanes, GEMM packs on cache lines)". */
    String name();

    /** The pool this instance runs its parallel kernels on. */
    Parallel parallel();

    // ------------------------------------------------------------------ matrix multiply

    /**
     * General matrix multiply: {@code C[M,N] = beta·C + op(A)[M,K] · op(B)[K,N]}, where op(X) is X or Xᵀ.
     * A is stored as [M,K] (or [K,M] when transA), B as [K,N] (or [N,K] when transB). {@code beta} is 0 (overwrite;
     * C's old contents, even NaN, are ignored) or 1 (accumulate). Parallel over blocks of C on {@link #parallel()};
     * when called from inside a parallel task it runs on the calling thread.
     */
    void gemm(boolean transA, boolean transB, int M, int N, int K,
              float[] A, int aOff, int lda,
              float[] B, int bOff, int ldb,
              float beta, float[] C, int cOff, int ldc);

    /** Linear layer forward: {@code Y[M,N] = X[M,K] · W[N,K]ᵀ + b[N]} (b may be null). Dense, ld = row length. */
    void linearForward(float[] X, int xOff, float[] W, int wOff, float[] b, int bOff,
                       float[] Y, int yOff, int M, int N, int K);

    /**
     * Linear layer backward, given {@code dY[M,N]}: {@code dX[M,K] = dY·W} (overwritten; skipped when dX is null),
     * {@code dW[N,K] += dYᵀ·X}, {@code db[N] += Σ_rows dY} (skipped when db is null).
     */
    void linearBackward(float[] dY, int dyOff, float[] X, int xOff, float[] W, int wOff,
                        float[] dX, int dxOff, float[] dW, int dwOff, float[] db, int dbOff,
                        int M, int N, int K);

    // ------------------------------------------------------------------ normalisation and softmax

    /**
     * LayerNorm over the last dimension of {@code x[rows, dim]}:
     * {@code y = (x − μ) · rstd · γ + β}, μ the row mean, {@code rstd = 1/sqrt(var + eps)} with the biased variance.
     * Saves μ and rstd per row ({@code mean[rows]}, {@code rstd[rows]}) for the backward.
     */
    void layerNormForward(float[] x, int xOff, float[] gamma, float[] beta, float[] y, int yOff,
                          float[] mean, float[] rstd, int statOff, int rows, int dim, float eps);

    /**
     * LayerNorm backward. With {@code x̂ = (x − μ)·rstd} and {@code g = dy·γ}:
     * {@code dx = rstd · (g − mean(g) − x̂·mean(g·x̂))} (overwritten), {@code dγ += Σ_rows dy·x̂},
     * {@code dβ += Σ_rows dy}.
     */
    void layerNormBackward(float[] dy, int dyOff, float[] x, int xOff, float[] mean, float[] rstd, int statOff,
                           float[] gamma, float[] dx, int dxOff, float[] dgamma, float[] dbeta, int rows, int dim);

    /**
     * In-place softmax of each row of {@code x[rows, cols]} (leading dimension ld), after multiplying by
     * {@code scale}: {@code y_j = exp(s·x_j − max) / Σ exp(s·x_k − max)}. Rows are as long as the sequence
     * they belong to, so padding never enters.
     */
    void softmaxForward(float[] x, int off, int rows, int cols, int ld, float scale);

    /**
     * Softmax backward for rows of {@code y = softmax(s·x)}: {@code dx_j = s · y_j · (dy_j − Σ_k dy_k·y_k)}.
     * dx may alias dy.
     */
    void softmaxBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff,
                         int rows, int cols, int ld, float scale);

    // ------------------------------------------------------------------ activations (element-wise, length n)

    /** Exact GELU: {@code y = x·Φ(x) = ½·x·(1 + erf(x/√2))}. */
    void geluForward(float[] x, int xOff, float[] y, int yOff, int n);

    /** {@code dx = dy · (Φ(x) + x·φ(x))}, φ the standard normal density. dx may alias dy. */
    void geluBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n);

    /** {@code y = max(x, 0)}. */
    void reluForward(float[] x, int xOff, float[] y, int yOff, int n);

    /** {@code dx = dy · [x > 0]}, x the forward input (or output: same sign). dx may alias dy. */
    void reluBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n);

    /** {@code y = tanh(x)}. */
    void tanhForward(float[] x, int xOff, float[] y, int yOff, int n);

    /** {@code dx = dy · (1 − y²)}, y the forward output. dx may alias dy. */
    void tanhBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n);

    /**
     * Inverted dropout with a counter-based mask: element i is kept iff {@link DropoutRng#keep} for
     * {@code (seed, counter + i, p)}; kept values are scaled by {@code 1/(1−p)}, the others zeroed. The mask is a pure
     * function of (seed, counter, i), so the backward is this same call on dy, nothing is stored, and the thread count
     * cannot change it. {@code p == 0} copies. y may alias x.
     */
    void dropout(float[] x, int xOff, float[] y, int yOff, int n, float p, long seed, long counter);

    // ------------------------------------------------------------------ loss

    /**
     * Softmax cross-entropy, mean over rows: {@code loss = −(1/rows) Σ_r log softmax(z_r)[label_r]}.
     * Writes {@code dlogits = (softmax(z) − onehot(label)) / rows} when dlogits is non-null. Returns the loss.
     */
    float crossEntropy(float[] logits, int rows, int classes, int[] labels, float[] dlogits);

    // ------------------------------------------------------------------ vector helpers (length n)

    /** {@code y += a·x}. */
    void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n);

    /** {@code x *= a}. */
    void scale(float[] x, int off, int n, float a);

    /** {@code z = x + y}; z may alias x or y (residual connections). */
    void add(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, int n);

    /** Σ x, accumulated in double in a fixed order. */
    double sum(float[] x, int off, int n);

    /** Σ x², accumulated in double in a fixed order (gradient norms). */
    double sumSquares(float[] x, int off, int n);

    // ------------------------------------------------------------------ selection

    /** The process-wide kernels: SIMD when the Vector API is usable, else scalar (with a loud notice). */
    static Kernels get() {
        return KernelSelection.get();
    }
}
