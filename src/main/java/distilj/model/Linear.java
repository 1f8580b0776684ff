package distilj.model;

import distilj.kernels.Kernels;

/**
 * A fully connected layer, PyTorch's {@code nn.Linear}: weight {@code W[out, in]}, bias {@code b[out]}.
 *
 * <p>The layer holds no activations: the caller keeps the input X (it is needed by the backward) in its own
 * buffers, because the same X often feeds several layers (q, k and v read the same hidden states).
 */
final class Linear {
    final Param weight;
    final Param bias;
    final int in;
    final int out;

    Linear(String name, int in, int out) {
        this.in = in;
        this.out = out;
        this.weight = new Param(name + ".weight", true, out, in);
        this.bias = new Param(name + ".bias", false, out);
    }

    // forward:  Y[M, out] = X[M, in] · Wᵀ + b
    // backward: dX[M, in] = dY · W            (overwritten; skipped when dX is null)
    //           dW[out, in] += dYᵀ · X,   db[out] += Σ_rows dY
    void forward(Kernels k, float[] X, int xOff, float[] Y, int yOff, int M) {
        k.linearForward(X, xOff, weight.data, 0, bias.data, 0, Y, yOff, M, out, in);
    }

    void backward(Kernels k, float[] dY, int dyOff, float[] X, int xOff, float[] dX, int dxOff, int M) {
        k.linearBackward(dY, dyOff, X, xOff, weight.data, 0, dX, dxOff, weight.grad, 0, bias.grad, 0, M, out, in);
    }
}
