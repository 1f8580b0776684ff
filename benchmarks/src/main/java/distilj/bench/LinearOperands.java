package distilj.bench;

import distilj.kernels.Kernels;
import java.util.SplittableRandom;

/**
 * The operands of one linear layer's three GEMMs at a benchmark shape "tokens x out x in" (M x N x K of the forward),
 * filled with the same uniform(−1, 1) numbers (seed 1) wherever they are used: {@link GemmBench}, {@link GemmProbe},
 * {@link GemmAB}. forward: Y[M,N] = X[M,K]·W[N,K]ᵀ + b; dX[M,K] = dY[M,N]·W; dW[N,K] += dY[M,N]ᵀ·X.
 */
final class LinearOperands {
    final int M, N, K;
    final float[] x, w, b, dy, y, dx, dw;

    LinearOperands(String shape) {
        String[] s = shape.split("x");
        M = Integer.parseInt(s[0]);
        N = Integer.parseInt(s[1]);
        K = Integer.parseInt(s[2]);
        SplittableRandom r = new SplittableRandom(1);
        x = GemmBench.random(r, M * K);
        w = GemmBench.random(r, N * K);
        b = GemmBench.random(r, N);
        dy = GemmBench.random(r, M * N);
        y = new float[M * N];
        dx = new float[M * K];
        dw = new float[N * K];
    }

    /**
     * Runs one of the three GEMMs ("forward", "dX" or "dW") through {@code k} and returns the first element of its
     * output (for JMH to consume).
     */
    float run(Kernels k, String op) {
        switch (op) {
            case "forward":
                k.linearForward(x, 0, w, 0, b, 0, y, 0, M, N, K);
                return y[0];
            case "dX":
                k.gemm(false, false, M, K, N, dy, 0, N, w, 0, K, 0f, dx, 0, K);
                return dx[0];
            case "dW":
                k.gemm(true, false, N, K, M, dy, 0, N, x, 0, K, 1f, dw, 0, K);
                return dw[0];
            default:
                throw new IllegalArgumentException("op must be forward, dX or dW: " + op);
        }
    }

    /** 2·M·N·K, the floating-point operations of each of the three GEMMs. */
    double flop() {
        return 2.0 * M * N * K;
    }
}
