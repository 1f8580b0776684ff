package distilj.bench;

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

    /** 2·M·N·K, the floating-point operations of each of the three GEMMs. */
    double flop() {
        return 2.0 * M * N * K;
    }
}
