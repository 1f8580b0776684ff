package distilj.model;

import distilj.kernels.Kernels;

/**
 * LayerNorm over the hidden dimension with learned scale γ and shift β (HF names {@code .weight}, {@code .bias}).
 * Keeps the per-token mean and 1/std of its last forward for the backward; the input x itself is kept by the caller
 * (it is the residual sum, which the caller owns).
 */
final class LayerNorm {
    final Param gamma;
    final Param beta;
    final int dim;
    final float eps;
    float[] mean = new float[0];
    float[] rstd = new float[0];

    LayerNorm(String name, int dim, float eps) {
        this.dim = dim;
        this.eps = eps;
        this.gamma = new Param(name + ".weight", false, dim);
        this.beta = new Param(name + ".bias", false, dim);
    }

    void ensure(int tokens) {
        mean = Buffers.grow(mean, tokens);
        rstd = Buffers.grow(rstd, tokens);
    }

    // forward:  y[T, D] = (x − μ) · rstd · γ + β,   μ = mean(x),  rstd = 1/sqrt(var(x) + eps)  (biased variance)
    // backward: x̂ = (x − μ)·rstd,  g = dy·γ
    //           dx = rstd · (g − mean(g) − x̂ · mean(g·x̂))   (overwritten)
    //           dγ += Σ_tokens dy·x̂,   dβ += Σ_tokens dy
    void forward(Kernels k, float[] x, float[] y, int tokens) {
        k.layerNormForward(x, 0, gamma.data, beta.data, y, 0, mean, rstd, 0, tokens, dim, eps);
    }

    void backward(Kernels k, float[] dy, float[] x, float[] dx, int tokens) {
        k.layerNormBackward(dy, 0, x, 0, mean, rstd, 0, gamma.data, dx, 0, gamma.grad, beta.grad, tokens, dim);
    }
}
