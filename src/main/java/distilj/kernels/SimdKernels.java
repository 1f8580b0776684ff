package distilj.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Vector API kernels. (Work in progress: delegates to the scalar kernels until each one is vectorised.) */
public final class SimdKernels implements Kernels {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private final Parallel parallel;
    private final ScalarKernels scalar;

    public SimdKernels(Parallel parallel) {
        this.parallel = parallel;
        this.scalar = new ScalarKernels(parallel);
        // Touch the API now so that a broken Vector API fails the selection, not the first training step.
        FloatVector.zero(F).add(FloatVector.broadcast(F, 1f)).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    public static int floatLanes() {
        return F.length();
    }

    @Override public String name() { return "simd(" + F.length() + " lanes)"; }
    @Override public Parallel parallel() { return parallel; }

    @Override public void gemm(boolean transA, boolean transB, int M, int N, int K, float[] A, int aOff, int lda, float[] B, int bOff, int ldb, float beta, float[] C, int cOff, int ldc) { scalar.gemm(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc); }
    @Override public void linearForward(float[] X, int xOff, float[] W, int wOff, float[] b, int bOff, float[] Y, int yOff, int M, int N, int K) { scalar.linearForward(X, xOff, W, wOff, b, bOff, Y, yOff, M, N, K); }
    @Override public void linearBackward(float[] dY, int dyOff, float[] X, int xOff, float[] W, int wOff, float[] dX, int dxOff, float[] dW, int dwOff, float[] db, int dbOff, int M, int N, int K) { scalar.linearBackward(dY, dyOff, X, xOff, W, wOff, dX, dxOff, dW, dwOff, db, dbOff, M, N, K); }
    @Override public void layerNormForward(float[] x, int xOff, float[] gamma, float[] beta, float[] y, int yOff, float[] mean, float[] rstd, int statOff, int rows, int dim, float eps) { scalar.layerNormForward(x, xOff, gamma, beta, y, yOff, mean, rstd, statOff, rows, dim, eps); }
    @Override public void layerNormBackward(float[] dy, int dyOff, float[] x, int xOff, float[] mean, float[] rstd, int statOff, float[] gamma, float[] dx, int dxOff, float[] dgamma, float[] dbeta, int rows, int dim) { scalar.layerNormBackward(dy, dyOff, x, xOff, mean, rstd, statOff, gamma, dx, dxOff, dgamma, dbeta, rows, dim); }
    @Override public void softmaxForward(float[] x, int off, int rows, int cols, int ld, float scale) { scalar.softmaxForward(x, off, rows, cols, ld, scale); }
    @Override public void softmaxBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int rows, int cols, int ld, float scale) { scalar.softmaxBackward(y, yOff, dy, dyOff, dx, dxOff, rows, cols, ld, scale); }
    @Override public void geluForward(float[] x, int xOff, float[] y, int yOff, int n) { scalar.geluForward(x, xOff, y, yOff, n); }
    @Override public void geluBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) { scalar.geluBackward(x, xOff, dy, dyOff, dx, dxOff, n); }
    @Override public void reluForward(float[] x, int xOff, float[] y, int yOff, int n) { scalar.reluForward(x, xOff, y, yOff, n); }
    @Override public void reluBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) { scalar.reluBackward(x, xOff, dy, dyOff, dx, dxOff, n); }
    @Override public void tanhForward(float[] x, int xOff, float[] y, int yOff, int n) { scalar.tanhForward(x, xOff, y, yOff, n); }
    @Override public void tanhBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) { scalar.tanhBackward(y, yOff, dy, dyOff, dx, dxOff, n); }
    @Override public void dropout(float[] x, int xOff, float[] y, int yOff, int n, float p, long seed, long counter) { scalar.dropout(x, xOff, y, yOff, n, p, seed, counter); }
    @Override public float crossEntropy(float[] logits, int rows, int classes, int[] labels, float[] dlogits) { return scalar.crossEntropy(logits, rows, classes, labels, dlogits); }
    @Override public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) { scalar.axpy(a, x, xOff, y, yOff, n); }
    @Override public void scale(float[] x, int off, int n, float a) { scalar.scale(x, off, n, a); }
    @Override public void add(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, int n) { scalar.add(x, xOff, y, yOff, z, zOff, n); }
    @Override public double sum(float[] x, int off, int n) { return scalar.sum(x, off, n); }
    @Override public double sumSquares(float[] x, int off, int n) { return scalar.sumSquares(x, off, n); }
}
