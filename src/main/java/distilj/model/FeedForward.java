package distilj.model;

import distilj.kernels.Kernels;

/**
 * The position-wise feed-forward network: lin1 → exact (erf) GELU → lin2. (DistilBERT: ffn.lin1, ffn.lin2;
 * BERT: intermediate.dense, output.dense.) The dropout after lin2 belongs to the layer that owns the residual.
 */
final class FeedForward {
    final Linear up;    // [F, H]
    final Linear down;  // [H, F]
    final int hidden;
    final int ffn;

    // kept for the backward: only the GELU input. The GELU output g (the lin2 input, as large) lives in the
    // workspace shared by all layers and is recomputed from `pre` in the backward: the same deterministic kernel gives
    // the same bits, for ~1 % of a step's time and one T·F buffer per model instead of one per layer (~100 MB less for
    // DistilBERT-base at batch 64).
    float[] pre = new float[0];  // [T, F] lin1 output, the GELU input

    FeedForward(ModelConfig cfg, String upName, String downName) {
        this.hidden = cfg.hidden;
        this.ffn = cfg.ffn;
        this.up = new Linear(upName, hidden, ffn);
        this.down = new Linear(downName, ffn, hidden);
    }

    void ensure(int tokens) {
        pre = Buffers.grow(pre, (long) tokens * ffn);
    }

    // forward:  u = x·W1ᵀ + b1  [T, F];   g = GELU(u) = u·Φ(u);   y = g·W2ᵀ + b2  [T, H]
    // backward: g = GELU(u) again (into the workspace)
    //           dg = dy·W2,  dW2 += dyᵀ·g,  db2 += Σ dy
    //           du = dg ⊙ (Φ(u) + u·φ(u))
    //           dx = du·W1 (overwritten),  dW1 += duᵀ·x,  db1 += Σ du
    void forward(Kernels k, float[] x, float[] y, int tokens, Workspace ws) {
        float[] act = ws.ffnAct;
        long t0 = Profile.start();
        up.forward(k, x, 0, pre, 0, tokens);
        Profile.add(Profile.Part.FFN1, false, t0);
        t0 = Profile.start();
        k.geluForward(pre, 0, act, 0, tokens * ffn);
        Profile.add(Profile.Part.GELU, false, t0);
        t0 = Profile.start();
        down.forward(k, act, 0, y, 0, tokens);
        Profile.add(Profile.Part.FFN2, false, t0);
    }

    void backward(Kernels k, float[] dy, float[] x, float[] dx, Workspace ws, int tokens) {
        float[] dg = ws.dFfn, act = ws.ffnAct;
        long t0 = Profile.start();
        k.geluForward(pre, 0, act, 0, tokens * ffn);
        Profile.add(Profile.Part.GELU, true, t0);
        t0 = Profile.start();
        down.backward(k, dy, 0, act, 0, dg, 0, tokens);
        Profile.add(Profile.Part.FFN2, true, t0);
        t0 = Profile.start();
        k.geluBackward(pre, 0, dg, 0, dg, 0, tokens * ffn);
        Profile.add(Profile.Part.GELU, true, t0);
        t0 = Profile.start();
        up.backward(k, dg, 0, x, 0, dx, 0, tokens);
        Profile.add(Profile.Part.FFN1, true, t0);
    }
}
