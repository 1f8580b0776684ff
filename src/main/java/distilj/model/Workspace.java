package distilj.model;

/**
 * Scratch shared by all layers: the gradients of the backward (one layer is differentiated at a time, so one set
 * suffices) and the FFN's GELU output. Grown to the largest batch seen, like the activations.
 */
final class Workspace {
    final int hidden;
    final int ffn;
    float[] dHidden = new float[0]; // [T, H] gradient flowing down the residual stream
    float[] dRes = new float[0];    // [T, H]
    float[] dTmp1 = new float[0];   // [T, H]
    float[] dTmp2 = new float[0];   // [T, H]
    float[] dCtx = new float[0];    // [T, H]
    float[] dQ = new float[0];      // [T, H]
    float[] dK = new float[0];      // [T, H]
    float[] dV = new float[0];      // [T, H]
    float[] dFfn = new float[0];    // [T, F]
    float[] ffnAct = new float[0];  // [T, F] GELU output of the layer at hand (forward, and recomputed in backward)
    float[] dScores = new float[0]; // packed L×L per (row, head)
    float[] dQuery = new float[0];  // [rows, H] the last layer's query-token gradient (clsOnly)

    Workspace(int hidden, int ffn) {
        this.hidden = hidden;
        this.ffn = ffn;
    }

    void ensure(PackedBatch b) {
        long th = (long) b.tokens * hidden;
        dHidden = Buffers.grow(dHidden, th);
        dRes = Buffers.grow(dRes, th);
        dTmp1 = Buffers.grow(dTmp1, th);
        dTmp2 = Buffers.grow(dTmp2, th);
        dCtx = Buffers.grow(dCtx, th);
        dQ = Buffers.grow(dQ, th);
        dK = Buffers.grow(dK, th);
        dV = Buffers.grow(dV, th);
        dFfn = Buffers.grow(dFfn, (long) b.tokens * ffn);
        ffnAct = Buffers.grow(ffnAct, (long) b.tokens * ffn);
        dScores = Buffers.grow(dScores, b.scoreSize());
        dQuery = Buffers.grow(dQuery, (long) b.rows * hidden);
    }
}
