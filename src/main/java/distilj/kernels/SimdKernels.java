package distilj.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link Kernels} contract on the JDK Vector API ({@code jdk.incubator.vector}). Same formulas as
 * {@link ScalarKernels}, written over vectors of {@link #F} lanes (16 floats with AVX-512), with masked vectors for the
 * ragged ends. Results differ from the scalar twin only by float rounding (partial sums in another order, fused
 * multiply-adds, the vectorised exp/erf/tanh of {@link VMath}); the tests bound the difference. Every operation used is
 * exactly rounded, so the JIT tier running a task cannot change its bits.
 *
 * <p>Loops run over full vectors with plain loads and stores, then once over the ragged end with a lane mask
 * ({@code F.indexInRange}): masked memory operations are much slower than plain ones on JDK 17.
 *
 * <p>Parallelism: element-wise kernels split into fixed chunks of {@link #CHUNK} elements, row kernels into fixed
 * groups of rows; reductions over rows (dγ, dβ, db) are split over columns instead, each task walking all rows in
 * order. No split depends on the thread count, so neither do the results.
 */
public final class SimdKernels implements Kernels {
    /**
     * The ONLY float species used anywhere: running FloatVectors of two shapes through the Vector API's shared code
     * makes its call sites megamorphic, and C2 then stops intrinsifying them in everything compiled afterwards,
     * GEMM included (measured: a DistilBERT training step ~20x slower after the first dropout).
     */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    /** Elements per parallel task in element-wise kernels; also the fixed block of {@link #sum}. */
    static final int CHUNK = 1 << 15;

    private final Parallel parallel;
    private final SimdGemm gemm;

    public SimdKernels(Parallel parallel) {
        this.parallel = parallel;
        this.gemm = new SimdGemm(parallel);
        // Touch the API now so that a broken Vector API fails the selection, not the first training step.
        FloatVector.zero(F).add(FloatVector.broadcast(F, 1f)).reduceLanes(VectorOperators.ADD);
        warmUp();
    }

    /**
     * Runs every element-wise kernel once on a few tiny rows (full vectors and masked tails), in the interpreter,
     * before any of them gets hot. Why: JDK 17's C2 only intrinsifies a Vector API call whose classes and constant-pool
     * entries are already resolved when it compiles the caller. A path first taken after compilation (a mask's
     * {@code not()}, a {@code blend}) then stays a real call with the vectors boxed on the heap: measured in a
     * DistilBERT-base step, GELU took 0.18 s instead of 0.07 s (JDK 25 has no such problem). Results are unaffected.
     */
    private void warmUp() {
        int rows = 3, dim = 2 * L + 5, n = rows * dim;
        float[] x = new float[n], y = new float[n], dy = new float[n], dx = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (i % 7 - 3) * 0.37f;
            dy[i] = (i % 5 - 2) * 0.21f;
        }
        float[] gamma = new float[dim], beta = new float[dim], dgamma = new float[dim], dbeta = new float[dim];
        java.util.Arrays.fill(gamma, 1f);
        float[] mean = new float[rows], rstd = new float[rows];
        layerNormForward(x, 0, gamma, beta, y, 0, mean, rstd, 0, rows, dim, 1e-12f);
        layerNormBackward(dy, 0, x, 0, mean, rstd, 0, gamma, dx, 0, dgamma, dbeta, rows, dim);
        float[] s = x.clone();
        softmaxForward(s, 0, rows, dim, dim, 0.5f);
        softmaxBackward(s, 0, dy, 0, dx, 0, rows, dim, dim, 0.5f);
        geluForward(x, 0, y, 0, n);
        geluBackward(x, 0, dy, 0, dx, 0, n);
        reluForward(x, 0, y, 0, n);
        reluBackward(x, 0, dy, 0, dx, 0, n);
        tanhForward(x, 0, y, 0, n);
        tanhBackward(y, 0, dy, 0, dx, 0, n);
        dropout(x, 0, y, 0, n, 0.1f, 1L, 0L);
        axpy(0.5f, x, 0, y, 0, n);
        scale(y, 0, n, 0.5f);
        add(x, 0, dy, 0, y, 0, n);
        sum(x, 0, n);
        sumSquares(x, 0, n);
        crossEntropy(x, rows, dim, new int[] {0, 1, 2}, dx);
    }

    public static int floatLanes() {
        return F.length();
    }

    /** E.g. "simd(16 lanes, GEMM packs on cache lines)"; when it cannot ({@link CacheLine}), the reason instead. */
    @Override public String name() {
        return "simd(" + F.length() + " lanes, " + (CacheLine.UNAVAILABLE == null ? "GEMM packs on cache lines"
                : "GEMM packs off cache lines: " + CacheLine.UNAVAILABLE) + ")";
    }
    @Override public Parallel parallel() { return parallel; }

    /** Runs body(lo, hi) over [0, n) in fixed chunks of {@code chunk} (one inline call when n ≤ chunk). */
    private void chunks(int n, int chunk, RangeBody body) {
        int tasks = (n + chunk - 1) / chunk;
        if (tasks <= 1) {
            if (n > 0) body.run(0, n);
            return;
        }
        parallel.forEach(tasks, t -> body.run(t * chunk, Math.min(n, (t + 1) * chunk)));
    }

    /** Rows per task so that a task has about CHUNK elements. */
    private static int rowsPerTask(int dim) {
        return Math.max(1, CHUNK / Math.max(1, dim));
    }

    @FunctionalInterface
    private interface RangeBody {
        void run(int lo, int hi);
    }

    // ------------------------------------------------------------------ matrix multiply (see SimdGemm)

    @Override
    public void gemm(boolean transA, boolean transB, int M, int N, int K, float[] A, int aOff, int lda,
                     float[] B, int bOff, int ldb, float beta, float[] C, int cOff, int ldc) {
        gemm.gemm(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc, null, 0);
    }

    /** Y = X·Wᵀ + b: the bias is added per C block right after its multiply, while the block is in cache. */
    @Override
    public void linearForward(float[] X, int xOff, float[] W, int wOff, float[] b, int bOff,
                              float[] Y, int yOff, int M, int N, int K) {
        gemm.gemm(false, true, M, N, K, X, xOff, K, W, wOff, K, 0f, Y, yOff, N, b, bOff);
    }

    /** dX = dY·W, dW += dYᵀ·X, db += column sums of dY (split over columns; rows summed in order). */
    @Override
    public void linearBackward(float[] dY, int dyOff, float[] X, int xOff, float[] W, int wOff,
                               float[] dX, int dxOff, float[] dW, int dwOff, float[] db, int dbOff,
                               int M, int N, int K) {
        if (dX != null) gemm.gemm(false, false, M, K, N, dY, dyOff, N, W, wOff, K, 0f, dX, dxOff, K, null, 0);
        gemm.gemm(true, false, N, K, M, dY, dyOff, N, X, xOff, K, 1f, dW, dwOff, K, null, 0);
        if (db != null) {
            chunks(N, 4 * L, (j0, j1) -> {
                int j = j0;
                for (; j <= j1 - L; j += L) {
                    FloatVector s = FloatVector.zero(F);
                    for (int i = 0, o = dyOff + j; i < M; i++, o += N) s = s.add(FloatVector.fromArray(F, dY, o));
                    FloatVector.fromArray(F, db, dbOff + j).add(s).intoArray(db, dbOff + j);
                }
                for (; j < j1; j++) {
                    float s = 0f;
                    for (int i = 0, o = dyOff + j; i < M; i++, o += N) s += dY[o];
                    db[dbOff + j] += s;
                }
            });
        }
    }

    // ------------------------------------------------------------------ normalisation and softmax

    @Override
    public void layerNormForward(float[] x, int xOff, float[] gamma, float[] beta, float[] y, int yOff,
                                 float[] mean, float[] rstd, int statOff, int rows, int dim, float eps) {
        chunks(rows, rowsPerTask(dim), (r0, r1) -> {
            float[] lanes = new float[L]; // for the lane folds of VMath, one per task
            for (int r = r0; r < r1; r++) {
                int o = xOff + r * dim, yo = yOff + r * dim;
                FloatVector acc = FloatVector.zero(F);
                int i = 0;
                for (; i <= dim - L; i += L) acc = acc.add(FloatVector.fromArray(F, x, o + i));
                if (i < dim) acc = acc.add(FloatVector.fromArray(F, x, o + i, F.indexInRange(i, dim)));
                acc.intoArray(lanes, 0);
                float m = VMath.sumLanes(lanes) / dim;
                FloatVector vm = FloatVector.broadcast(F, m);
                acc = FloatVector.zero(F);
                i = 0;
                for (; i <= dim - L; i += L) {
                    FloatVector d = FloatVector.fromArray(F, x, o + i).sub(vm);
                    acc = d.fma(d, acc);
                }
                if (i < dim) {
                    VectorMask<Float> k = F.indexInRange(i, dim);
                    FloatVector d = FloatVector.fromArray(F, x, o + i, k).sub(vm);
                    acc = d.fma(d, acc).blend(acc, k.not());
                }
                acc.intoArray(lanes, 0);
                float v = VMath.sumLanes(lanes) / dim;
                float s = (float) (1.0 / Math.sqrt(v + eps));
                i = 0;
                for (; i <= dim - L; i += L) {
                    FloatVector.fromArray(F, x, o + i).sub(vm).mul(s)
                            .fma(FloatVector.fromArray(F, gamma, i), FloatVector.fromArray(F, beta, i))
                            .intoArray(y, yo + i);
                }
                if (i < dim) {
                    VectorMask<Float> k = F.indexInRange(i, dim);
                    FloatVector.fromArray(F, x, o + i, k).sub(vm).mul(s)
                            .fma(FloatVector.fromArray(F, gamma, i, k), FloatVector.fromArray(F, beta, i, k))
                            .intoArray(y, yo + i, k);
                }
                mean[statOff + r] = m;
                rstd[statOff + r] = s;
            }
        });
    }

    @Override
    public void layerNormBackward(float[] dy, int dyOff, float[] x, int xOff, float[] mean, float[] rstd, int statOff,
                                  float[] gamma, float[] dx, int dxOff, float[] dgamma, float[] dbeta,
                                  int rows, int dim) {
        // Pass 1, rows in parallel: dx = rstd·(g − mean(g) − x̂·mean(g·x̂)), g = dy·γ.
        chunks(rows, rowsPerTask(dim), (r0, r1) -> {
            float[] lanes = new float[L]; // for the lane folds of VMath, one per task
            for (int r = r0; r < r1; r++) {
                int o = xOff + r * dim, go = dyOff + r * dim, xo = dxOff + r * dim;
                FloatVector vm = FloatVector.broadcast(F, mean[statOff + r]);
                float s = rstd[statOff + r];
                FloatVector gSum = FloatVector.zero(F), gxSum = FloatVector.zero(F);
                int i = 0;
                for (; i <= dim - L; i += L) {
                    FloatVector xhat = FloatVector.fromArray(F, x, o + i).sub(vm).mul(s);
                    FloatVector g = FloatVector.fromArray(F, dy, go + i).mul(FloatVector.fromArray(F, gamma, i));
                    gSum = gSum.add(g);
                    gxSum = g.fma(xhat, gxSum);
                }
                if (i < dim) {
                    VectorMask<Float> k = F.indexInRange(i, dim);
                    FloatVector xhat = FloatVector.fromArray(F, x, o + i, k).sub(vm).mul(s);
                    FloatVector g = FloatVector.fromArray(F, dy, go + i, k).mul(FloatVector.fromArray(F, gamma, i, k));
                    gSum = gSum.add(g);
                    gxSum = g.fma(xhat, gxSum).blend(gxSum, k.not());
                }
                gSum.intoArray(lanes, 0);
                float gMean = VMath.sumLanes(lanes) / dim;
                gxSum.intoArray(lanes, 0);
                float gxMean = VMath.sumLanes(lanes) / dim;
                i = 0;
                for (; i <= dim - L; i += L) {
                    FloatVector xhat = FloatVector.fromArray(F, x, o + i).sub(vm).mul(s);
                    FloatVector g = FloatVector.fromArray(F, dy, go + i).mul(FloatVector.fromArray(F, gamma, i));
                    g.sub(gMean).sub(xhat.mul(gxMean)).mul(s).intoArray(dx, xo + i);
                }
                if (i < dim) {
                    VectorMask<Float> k = F.indexInRange(i, dim);
                    FloatVector xhat = FloatVector.fromArray(F, x, o + i, k).sub(vm).mul(s);
                    FloatVector g = FloatVector.fromArray(F, dy, go + i, k).mul(FloatVector.fromArray(F, gamma, i, k));
                    g.sub(gMean).sub(xhat.mul(gxMean)).mul(s).intoArray(dx, xo + i, k);
                }
            }
        });
        // Pass 2, columns in parallel, every task summing all rows in order: dγ += Σ dy·x̂, dβ += Σ dy.
        chunks(dim, 4 * L, (c0, c1) -> {
            int i = c0;
            for (; i <= c1 - L; i += L) {
                FloatVector dg = FloatVector.fromArray(F, dgamma, i), dbt = FloatVector.fromArray(F, dbeta, i);
                for (int r = 0; r < rows; r++) {
                    FloatVector d = FloatVector.fromArray(F, dy, dyOff + r * dim + i);
                    FloatVector xhat = FloatVector.fromArray(F, x, xOff + r * dim + i)
                            .sub(mean[statOff + r]).mul(rstd[statOff + r]);
                    dg = dg.add(d.mul(xhat));
                    dbt = dbt.add(d);
                }
                dg.intoArray(dgamma, i);
                dbt.intoArray(dbeta, i);
            }
            if (i < c1) {
                VectorMask<Float> k = F.indexInRange(i, c1);
                FloatVector dg = FloatVector.fromArray(F, dgamma, i, k), dbt = FloatVector.fromArray(F, dbeta, i, k);
                for (int r = 0; r < rows; r++) {
                    FloatVector d = FloatVector.fromArray(F, dy, dyOff + r * dim + i, k);
                    FloatVector xhat = FloatVector.fromArray(F, x, xOff + r * dim + i, k)
                            .sub(mean[statOff + r]).mul(rstd[statOff + r]);
                    dg = dg.add(d.mul(xhat));
                    dbt = dbt.add(d);
                }
                dg.intoArray(dgamma, i, k);
                dbt.intoArray(dbeta, i, k);
            }

        });
    }

    /**
     * Each row in three passes, each its own small method: JDK 17's C2 ran out of its node budget inlining one big
     * loop body (NodeCountInliningCutoff) and left the masked tail's exp a real call with its vectors boxed on the
     * heap. Only arrays and scalars cross these method boundaries, so nothing is boxed whatever C2 inlines. A row's
     * ragged end (attention rows are rarely a multiple of 16 long) is done in scalar code with the vector code's
     * operations, lane by lane into the same lanes: masked vector operations were boxed too (a young collection
     * every few seconds of training). Same operations, same bits as whole vectors would give.
     */
    @Override
    public void softmaxForward(float[] x, int off, int rows, int cols, int ld, float scale) {
        chunks(rows, rowsPerTask(cols), (r0, r1) -> {
            float[] lanes = new float[L]; // for the lane folds of VMath, one per task
            for (int r = r0; r < r1; r++) {
                int o = off + r * ld;
                float max = rowMax(x, o, cols, scale, lanes);
                float inv = 1f / expRow(x, o, cols, scale, max, lanes);
                scaleRow(x, o, cols, inv);
            }
        });
    }

    /** max over j of x[o + j]·scale. */
    private static float rowMax(float[] x, int o, int cols, float scale, float[] lanes) {
        FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j <= cols - L; j += L) {
            vmax = vmax.max(FloatVector.fromArray(F, x, o + j).mul(scale));
        }
        vmax.intoArray(lanes, 0);
        for (int l = 0; j + l < cols; l++) lanes[l] = Math.max(lanes[l], x[o + j + l] * scale);
        return VMath.maxLanes(lanes);
    }

    /** x[o + j] = exp(x[o + j]·scale − max) in place; returns their sum (lanes folded by {@link VMath#sumLanes}). */
    private static float expRow(float[] x, int o, int cols, float scale, float max, float[] lanes) {
        FloatVector sum = FloatVector.zero(F);
        int j = 0;
        for (; j <= cols - L; j += L) {
            FloatVector e = VMath.expBelow88(FloatVector.fromArray(F, x, o + j).mul(scale).sub(max));
            e.intoArray(x, o + j);
            sum = sum.add(e);
        }
        sum.intoArray(lanes, 0);
        for (int l = 0; j + l < cols; l++) {
            float e = VMath.expBelow88(x[o + j + l] * scale - max);
            x[o + j + l] = e;
            lanes[l] += e;
        }
        return VMath.sumLanes(lanes);
    }

    /** x[o + j] *= inv. */
    private static void scaleRow(float[] x, int o, int cols, float inv) {
        int j = 0;
        for (; j <= cols - L; j += L) {
            FloatVector.fromArray(F, x, o + j).mul(inv).intoArray(x, o + j);
        }
        for (; j < cols; j++) x[o + j] *= inv;
    }

    /** Per row: dot = Σ dy·y, then dx = scale·y·(dy − dot); in two small methods, as {@link #softmaxForward}. */
    @Override
    public void softmaxBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff,
                                int rows, int cols, int ld, float scale) {
        chunks(rows, rowsPerTask(cols), (r0, r1) -> {
            float[] lanes = new float[L]; // for the lane folds of VMath, one per task
            for (int r = r0; r < r1; r++) {
                int yo = yOff + r * ld, go = dyOff + r * ld, xo = dxOff + r * ld;
                float dot = rowDot(dy, go, y, yo, cols, lanes);
                rowSoftmaxGrad(y, yo, dy, go, dx, xo, cols, scale, dot);
            }
        });
    }

    /** Σ_j dy[go + j]·y[yo + j] (lanes folded by {@link VMath#sumLanes}). */
    private static float rowDot(float[] dy, int go, float[] y, int yo, int cols, float[] lanes) {
        FloatVector acc = FloatVector.zero(F);
        int j = 0;
        for (; j <= cols - L; j += L) {
            acc = FloatVector.fromArray(F, dy, go + j).fma(FloatVector.fromArray(F, y, yo + j), acc);
        }
        acc.intoArray(lanes, 0);
        for (int l = 0; j + l < cols; l++) lanes[l] = Math.fma(dy[go + j + l], y[yo + j + l], lanes[l]);
        return VMath.sumLanes(lanes);
    }

    /** dx[xo + j] = scale·y[yo + j]·(dy[go + j] − dot). */
    private static void rowSoftmaxGrad(float[] y, int yo, float[] dy, int go, float[] dx, int xo, int cols, float scale,
                                       float dot) {
        int j = 0;
        for (; j <= cols - L; j += L) {
            FloatVector.fromArray(F, y, yo + j).mul(scale)
                    .mul(FloatVector.fromArray(F, dy, go + j).sub(dot)).intoArray(dx, xo + j);
        }
        for (; j < cols; j++) dx[xo + j] = y[yo + j] * scale * (dy[go + j] - dot);
    }

    // ------------------------------------------------------------------ activations

    private static final float INV_SQRT2 = 0.70710678118654752f;
    private static final float INV_SQRT_2PI = 0.39894228040143268f;

    /**
     * Φ(x) = ½·erfc(−x/√2) with the erfc of {@link Erf#erfcPositive}'s formula in float lanes: for z = |x|/√2,
     * r = erfc(z) = t·exp(−z² + P(t)), t = 1/(1 + z/2); Φ = 1 − r/2 for x ≥ 0, r/2 for x < 0. Computing the small
     * tail r directly (rather than 1 − erf) keeps Φ accurate to ~1e-7 absolute.
     */
    static FloatVector normalCdf(FloatVector x) {
        FloatVector z = x.abs().mul(INV_SQRT2);
        FloatVector t = FloatVector.broadcast(F, 1f).div(z.fma(0.5f, 1f));
        // P(t) by Estrin's scheme, (C0 + C1·t) + t²·(C2 + C3·t) + t⁴·((C4 + C5·t) + t²·(C6 + C7·t)) + t⁸·(C8 + C9·t):
        // a chain of 4 dependent FMAs after t where Horner's rule has 9. This loop is bound by the latency of its
        // chain (the out-of-order window fills up with operations waiting on it), not by the number of operations.
        FloatVector t2 = t.mul(t), t4 = t2.mul(t2), t8 = t4.mul(t4);
        FloatVector p03 = t2.fma(t.fma(erfC(3), erfC(2)), t.fma(erfC(1), erfC(0)));
        FloatVector p47 = t2.fma(t.fma(erfC(7), erfC(6)), t.fma(erfC(5), erfC(4)));
        FloatVector p = t8.fma(t.fma(erfC(9), erfC(8)), t4.fma(p47, p03));
        FloatVector halfR = t.mul(0.5f).mul(VMath.expBelow88(p.sub(z.mul(z)))); // t/2 and z² off the chain
        return FloatVector.broadcast(F, 1f).sub(halfR).blend(halfR, x.lt(0f));
    }

    private static FloatVector erfC(int i) {
        return FloatVector.broadcast(F, Erf.C[i]);
    }

    @Override
    public void geluForward(float[] x, int xOff, float[] y, int yOff, int n) {
        chunks(n, CHUNK, (lo, hi) -> {
            int i = lo;
            for (; i <= hi - L; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, xOff + i);
                v.mul(normalCdf(v)).intoArray(y, yOff + i);
            }
            if (i < hi) {
                VectorMask<Float> k = F.indexInRange(i, hi);
                FloatVector v = FloatVector.fromArray(F, x, xOff + i, k);
                v.mul(normalCdf(v)).intoArray(y, yOff + i, k);
            }

        });
    }

    /**
     * Per-thread scratch of one chunk for {@link #geluBackward}: Φ(x) of the chunk. Filled and consumed inside one
     * task, so a thread never needs two at once.
     */
    private static final ThreadLocal<float[]> CDF_SCRATCH = ThreadLocal.withInitial(() -> new float[CHUNK]);

    /**
     * dx = dy · (Φ(x) + x·φ(x)), in two passes per chunk: Φ into a scratch array, then φ and the product. One loop
     * with both exps (φ's and the one inside Φ) is too big for C2 to inline whole on JDK 17 (NodeCountInliningCutoff):
     * the second exp stayed a call, whose vector arguments and result were boxed on the heap (~1 GB of garbage per
     * DistilBERT-base step). Each pass alone inlines like {@link #geluForward}; only arrays cross the method
     * boundaries, so nothing is boxed whatever C2 decides. Same operations, same bits. dx may be dy.
     */
    @Override
    public void geluBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        chunks(n, CHUNK, (lo, hi) -> {
            float[] cdf = CDF_SCRATCH.get();
            normalCdfPass(x, xOff + lo, cdf, hi - lo);
            geluGradPass(x, xOff + lo, dy, dyOff + lo, cdf, dx, dxOff + lo, hi - lo);
        });
    }

    /** cdf[0, n) = Φ(x[xOff, xOff + n)). */
    private static void normalCdfPass(float[] x, int xOff, float[] cdf, int n) {
        int i = 0;
        for (; i <= n - L; i += L) normalCdf(FloatVector.fromArray(F, x, xOff + i)).intoArray(cdf, i);
        if (i < n) {
            VectorMask<Float> k = F.indexInRange(i, n);
            normalCdf(FloatVector.fromArray(F, x, xOff + i, k)).intoArray(cdf, i, k);
        }
    }

    /** dx = dy · (x·φ(x) + Φ), φ(x) = exp(−x²/2)/√(2π), Φ read from cdf[0, n). */
    private static void geluGradPass(float[] x, int xOff, float[] dy, int dyOff, float[] cdf, float[] dx, int dxOff,
                                     int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + i);
            FloatVector pdf = VMath.expBelow88(v.mul(v).mul(-0.5f)).mul(INV_SQRT_2PI);
            FloatVector.fromArray(F, dy, dyOff + i).mul(v.fma(pdf, FloatVector.fromArray(F, cdf, i)))
                    .intoArray(dx, dxOff + i);
        }
        if (i < n) {
            VectorMask<Float> k = F.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(F, x, xOff + i, k);
            FloatVector pdf = VMath.expBelow88(v.mul(v).mul(-0.5f)).mul(INV_SQRT_2PI);
            FloatVector.fromArray(F, dy, dyOff + i, k).mul(v.fma(pdf, FloatVector.fromArray(F, cdf, i, k)))
                    .intoArray(dx, dxOff + i, k);
        }
    }

    @Override
    public void reluForward(float[] x, int xOff, float[] y, int yOff, int n) {
        chunks(n, CHUNK, (lo, hi) -> {
            int i = lo;
            for (; i <= hi - L; i += L) {
                FloatVector.fromArray(F, x, xOff + i).max(0f).intoArray(y, yOff + i);
            }
            if (i < hi) {
                VectorMask<Float> k = F.indexInRange(i, hi);
                FloatVector.fromArray(F, x, xOff + i, k).max(0f).intoArray(y, yOff + i, k);
            }

        });
    }

    @Override
    public void reluBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        chunks(n, CHUNK, (lo, hi) -> {
            FloatVector zero = FloatVector.zero(F);
            int i = lo;
            for (; i <= hi - L; i += L) {
                VectorMask<Float> pos = FloatVector.fromArray(F, x, xOff + i).compare(VectorOperators.GT, 0f);
                zero.blend(FloatVector.fromArray(F, dy, dyOff + i), pos).intoArray(dx, dxOff + i);
            }
            if (i < hi) {
                VectorMask<Float> k = F.indexInRange(i, hi);
                VectorMask<Float> pos = FloatVector.fromArray(F, x, xOff + i, k).compare(VectorOperators.GT, 0f);
                zero.blend(FloatVector.fromArray(F, dy, dyOff + i, k), pos).intoArray(dx, dxOff + i, k);
            }

        });
    }

    @Override
    public void tanhForward(float[] x, int xOff, float[] y, int yOff, int n) {
        chunks(n, CHUNK, (lo, hi) -> {
            int i = lo;
            for (; i <= hi - L; i += L) {
                VMath.tanh(FloatVector.fromArray(F, x, xOff + i)).intoArray(y, yOff + i);
            }
            if (i < hi) {
                VectorMask<Float> k = F.indexInRange(i, hi);
                VMath.tanh(FloatVector.fromArray(F, x, xOff + i, k)).intoArray(y, yOff + i, k);
            }

        });
    }

    @Override
    public void tanhBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        chunks(n, CHUNK, (lo, hi) -> {
            int i = lo;
            for (; i <= hi - L; i += L) {
                FloatVector t = FloatVector.fromArray(F, y, yOff + i);
                FloatVector.fromArray(F, dy, dyOff + i).mul(t.mul(t).neg().add(1f)).intoArray(dx, dxOff + i);
            }
            if (i < hi) {
                VectorMask<Float> k = F.indexInRange(i, hi);
                FloatVector t = FloatVector.fromArray(F, y, yOff + i, k);
                FloatVector.fromArray(F, dy, dyOff + i, k).mul(t.mul(t).neg().add(1f)).intoArray(dx, dxOff + i, k);
            }

        });
    }

    /**
     * The mask is {@link DropoutRng}'s SplitMix64 finaliser evaluated on long lanes (same wrapping 64-bit arithmetic,
     * so bit-identical), and {@code uniform ≥ p} becomes the exact integer test {@code bits>>>40 ≥ ⌈p·2²⁴⌉}.
     */
    @Override
    public void dropout(float[] x, int xOff, float[] y, int yOff, int n, float p, long seed, long counter) {
        if (p == 0f) {
            System.arraycopy(x, xOff, y, yOff, n);
            return;
        }
        float s = 1f / (1f - p);
        // Scalar on purpose: a LongVector hash has half as many lanes as F, so applying its mask needs a float species
        // of another shape, which poisons the JIT for every other kernel (see F).
        chunks(n, CHUNK, (lo, hi) -> {
            for (int i = lo; i < hi; i++) y[yOff + i] = DropoutRng.keep(seed, counter + i, p) ? x[xOff + i] * s : 0f;
        });
    }

    // ------------------------------------------------------------------ loss

    /** A handful of logits per row (2 classes here): nothing to vectorise, so the scalar definition is used as is. */
    @Override
    public float crossEntropy(float[] logits, int rows, int classes, int[] labels, float[] dlogits) {
        return ScalarKernels.crossEntropyRows(logits, rows, classes, labels, dlogits);
    }

    // ------------------------------------------------------------------ vector helpers

    @Override
    public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        chunks(n, CHUNK, (lo, hi) -> {
            int i = lo;
            for (; i <= hi - L; i += L) {
                FloatVector.fromArray(F, x, xOff + i).mul(a).add(FloatVector.fromArray(F, y, yOff + i))
                        .intoArray(y, yOff + i);
            }
            if (i < hi) {
                VectorMask<Float> k = F.indexInRange(i, hi);
                FloatVector.fromArray(F, x, xOff + i, k).mul(a).add(FloatVector.fromArray(F, y, yOff + i, k))
                        .intoArray(y, yOff + i, k);
            }

        });
    }

    @Override
    public void scale(float[] x, int off, int n, float a) {
        chunks(n, CHUNK, (lo, hi) -> {
            int i = lo;
            for (; i <= hi - L; i += L) {
                FloatVector.fromArray(F, x, off + i).mul(a).intoArray(x, off + i);
            }
            if (i < hi) {
                VectorMask<Float> k = F.indexInRange(i, hi);
                FloatVector.fromArray(F, x, off + i, k).mul(a).intoArray(x, off + i, k);
            }

        });
    }

    @Override
    public void add(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, int n) {
        chunks(n, CHUNK, (lo, hi) -> {
            int i = lo;
            for (; i <= hi - L; i += L) {
                FloatVector.fromArray(F, x, xOff + i).add(FloatVector.fromArray(F, y, yOff + i))
                        .intoArray(z, zOff + i);
            }
            if (i < hi) {
                VectorMask<Float> k = F.indexInRange(i, hi);
                FloatVector.fromArray(F, x, xOff + i, k).add(FloatVector.fromArray(F, y, yOff + i, k))
                        .intoArray(z, zOff + i, k);
            }

        });
    }

    @Override
    public double sum(float[] x, int off, int n) {
        return blockedSum(x, off, n, false);
    }

    @Override
    public double sumSquares(float[] x, int off, int n) {
        return blockedSum(x, off, n, true);
    }

    /**
     * Σ x (or Σ x²) in double: fixed blocks of CHUNK elements, each summed in {@link #DL} = 8 double lanes
     * (element i of a block goes to lane i mod 8), the lanes folded by the tree of {@link VMath#sumLanes}, the
     * ragged tail added after, then the block sums added in block order. The blocking is fixed, so the result is the
     * same for any thread count.
     *
     * <p>The lanes are scalar code, not a vector: widening floats to doubles takes a float vector of half the width
     * ({@code convertShape(F2D)} from a full-width one is not intrinsified on JDK 17), and a second float species
     * anywhere in the process spoils JDK 17's compiled code for all the others: after a 256-bit float vector had run,
     * C2 compiled the GELU and softmax loops with their vectors boxed on the heap (measured in a DistilBERT-base step:
     * a young collection every 0.27 s, ≈ 0.5 GB of garbage per step, GELU 2–3× slower). {@code d·d} of a float is
     * exact in double, so {@code lane += d·d} rounds once, exactly as a vector {@code fma} would.
     */
    private double blockedSum(float[] x, int off, int n, boolean squares) {
        int blocks = (n + CHUNK - 1) / CHUNK;
        double[] partial = new double[Math.max(1, blocks)];
        chunks(n, CHUNK, (lo, hi) -> partial[lo / CHUNK] = laneSum(x, off + lo, hi - lo, squares));
        double total = 0;
        for (double p : partial) total += p;
        return total;
    }

    /** Lanes of {@link #blockedSum}: 8, the doubles of one AVX-512 vector (the order is the same on every machine). */
    static final int DL = 8;

    /** One block of {@link #blockedSum}: Σ x (or Σ x²) in DL lanes (element i in lane i mod DL), folded, then the tail. */
    private static double laneSum(float[] x, int off, int n, boolean squares) {
        double[] lane = new double[DL];
        int i = 0;
        for (; i <= n - DL; i += DL) {
            for (int l = 0; l < DL; l++) {
                double d = x[off + i + l];
                lane[l] += squares ? d * d : d;
            }
        }
        double s = VMath.sumLanes(lane);
        for (; i < n; i++) s += squares ? (double) x[off + i] * x[off + i] : x[off + i];
        return s;
    }
}
