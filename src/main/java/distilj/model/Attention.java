package distilj.model;

import distilj.kernels.Kernels;

/**
 * Multi-head self-attention on a packed batch: the q, k, v projections, softmax(q·kᵀ/√d)·v per (row, head) over
 * that row's own tokens, and the output projection. No padding and no mask: a row's scores only ever see its own
 * keys, so its output cannot depend on the other rows. (DistilBERT: q_lin, k_lin, v_lin, out_lin;
 * BERT: self.query, self.key, self.value, output.dense.)
 *
 * <p>Queries: every token, or ({@code clsOnly}, in the last layer) only each row's first token, since the
 * classifier reads nothing else. Then q, the scores, the context and the output are computed for
 * {@code M = rows} queries instead of {@code M = T}, while k and v still cover all T tokens. The numbers are the
 * ones the full computation gives for those tokens (same operations, same dropout counters).
 */
final class Attention {
    final Linear query;
    final Linear key;
    final Linear value;
    final Linear output;
    final int hidden;
    final int heads;
    final int headSize;
    final float scale;      // 1/sqrt(headSize)
    final float dropoutP;   // on the attention weights
    final int site;
    final boolean clsOnly;

    // kept for the backward
    float[] q = new float[0];        // [M, H], head h in columns [h·d, (h+1)·d)
    float[] k = new float[0];        // [T, H]
    float[] v = new float[0];        // [T, H]
    float[] probs = new float[0];    // softmax weights, L×L per (row, head), packed (PackedBatch.scoreOffset)
    float[] dropped = new float[0];  // the same after dropout (only when training with dropout)
    float[] ctx = new float[0];      // [M, H] weights·v, heads side by side: the input of the output projection
    private boolean usedDropout;

    Attention(ModelConfig cfg, String qName, String kName, String vName, String outName, int site, boolean clsOnly) {
        this.clsOnly = clsOnly;
        this.hidden = cfg.hidden;
        this.heads = cfg.heads;
        this.headSize = cfg.headSize();
        this.scale = (float) (1.0 / Math.sqrt(headSize));
        this.dropoutP = cfg.attentionDropout;
        this.site = site;
        this.query = new Linear(qName, hidden, hidden);
        this.key = new Linear(kName, hidden, hidden);
        this.value = new Linear(vName, hidden, hidden);
        this.output = new Linear(outName, hidden, hidden);
    }

    void ensure(PackedBatch b, boolean training) {
        long th = (long) b.tokens * hidden, mh = (long) (clsOnly ? b.rows : b.tokens) * hidden;
        q = Buffers.grow(q, mh);
        k = Buffers.grow(k, th);
        v = Buffers.grow(v, th);
        ctx = Buffers.grow(ctx, mh);
        probs = Buffers.grow(probs, b.scoreSize());
        if (training && dropoutP > 0f) dropped = Buffers.grow(dropped, b.scoreSize());
    }

    // forward, x: [T, H], xq: the query tokens [M, H] (x itself, or each row's first token) → y: [M, H];
    // for each row r (keys: tokens s..s+L; queries: Lq = L tokens, or 1) and head h (columns h·d..h·d+d):
    //   Q = xq·Wqᵀ + bq  [M, H],   K = x·Wkᵀ + bk,  V = x·Wvᵀ + bv  [T, H]
    //   S = Q_rh · K_rhᵀ                                                       [Lq, L]
    //   P = softmax(S / √d) row-wise,  P' = dropout(P)                          [Lq, L]
    //   C_rh = P' · V_rh                                                       [Lq, d]
    //   y = C·Woᵀ + bo                                                         [M, H]
    // backward, dy → dx [T, H] (overwritten) and, with clsOnly, dxq [M, H] (overwritten; else added into dx):
    //   dC = dy·Wo;  dWo += dyᵀ·C;  dbo += Σ dy
    //   dP' = dC_rh · V_rhᵀ,  dV_rh = P'ᵀ · dC_rh
    //   dP = dropout'(dP')  (same mask, same 1/(1−p) scale)
    //   dS = (1/√d) · P ⊙ (dP − rowsum(dP ⊙ P))                                (softmax backward)
    //   dQ_rh = dS · K_rh,  dK_rh = dSᵀ · Q_rh
    //   dx = dK·Wk + dV·Wv,  dxq = dQ·Wq,  and the weight/bias gradients of the three projections
    void forward(Kernels kern, float[] x, float[] xq, PackedBatch b, float[] y, boolean training, long seed) {
        int T = b.tokens, M = clsOnly ? b.rows : T;
        long t0 = Profile.start();
        query.forward(kern, xq, 0, q, 0, M);
        key.forward(kern, x, 0, k, 0, T);
        value.forward(kern, x, 0, v, 0, T);
        Profile.add(Profile.Part.QKV, false, t0);
        t0 = Profile.start();
        usedDropout = training && dropoutP > 0f;
        float[] weights = usedDropout ? dropped : probs;
        int H = hidden, d = headSize;
        // One task per (row, head): each writes its own score block and its own columns of ctx.
        // With clsOnly the score block keeps its L×L place and its first row is used, so the dropout counters are
        // those of the full computation.
        kern.parallel().forEach(b.rows * heads, task -> {
            int r = task / heads, h = task % heads;
            int L = b.length(r), Lq = clsOnly ? 1 : L, so = (int) b.scoreOffset(r, h);
            int ko = b.start(r) * H + h * d, qo = (clsOnly ? r * H : b.start(r) * H) + h * d;
            kern.gemm(false, true, Lq, L, d, q, qo, H, k, ko, H, 0f, probs, so, L);
            kern.softmaxForward(probs, so, Lq, L, L, scale);
            if (usedDropout) {
                kern.dropout(probs, so, dropped, so, Lq * L, dropoutP, seed, DropoutSite.counter(site, so));
            }
            kern.gemm(false, false, Lq, d, L, weights, so, L, v, ko, H, 0f, ctx, qo, H);
        });
        Profile.add(Profile.Part.ATTENTION, false, t0);
        t0 = Profile.start();
        output.forward(kern, ctx, 0, y, 0, M);
        Profile.add(Profile.Part.OUT_PROJ, false, t0);
    }

    void backward(Kernels kern, float[] dy, float[] x, float[] xq, PackedBatch b, float[] dx, float[] dxq,
                  Workspace ws, long seed) {
        int T = b.tokens, M = clsOnly ? b.rows : T, H = hidden, d = headSize;
        float[] dC = ws.dCtx, dQ = ws.dQ, dK = ws.dK, dV = ws.dV, dS = ws.dScores;
        long t0 = Profile.start();
        output.backward(kern, dy, 0, ctx, 0, dC, 0, M);
        Profile.add(Profile.Part.OUT_PROJ, true, t0);
        t0 = Profile.start();
        float[] weights = usedDropout ? dropped : probs;
        kern.parallel().forEach(b.rows * heads, task -> {
            int r = task / heads, h = task % heads;
            int L = b.length(r), Lq = clsOnly ? 1 : L, so = (int) b.scoreOffset(r, h);
            int ko = b.start(r) * H + h * d, qo = (clsOnly ? r * H : b.start(r) * H) + h * d;
            kern.gemm(false, true, Lq, L, d, dC, qo, H, v, ko, H, 0f, dS, so, L);
            kern.gemm(true, false, L, d, Lq, weights, so, L, dC, qo, H, 0f, dV, ko, H);
            if (usedDropout) {
                kern.dropout(dS, so, dS, so, Lq * L, dropoutP, seed, DropoutSite.counter(site, so));
            }
            kern.softmaxBackward(probs, so, dS, so, dS, so, Lq, L, L, scale);
            kern.gemm(false, false, Lq, d, L, dS, so, L, k, ko, H, 0f, dQ, qo, H);
            kern.gemm(true, false, L, d, Lq, dS, so, L, q, qo, H, 0f, dK, ko, H);
        });
        Profile.add(Profile.Part.ATTENTION, true, t0);
        t0 = Profile.start();
        int n = T * H;
        key.backward(kern, dK, 0, x, 0, dx, 0, T);
        value.backward(kern, dV, 0, x, 0, ws.dTmp1, 0, T);
        kern.add(dx, 0, ws.dTmp1, 0, dx, 0, n);
        if (clsOnly) {
            query.backward(kern, dQ, 0, xq, 0, dxq, 0, M);
        } else {
            query.backward(kern, dQ, 0, x, 0, ws.dTmp1, 0, T);
            kern.add(dx, 0, ws.dTmp1, 0, dx, 0, n);
        }
        Profile.add(Profile.Part.QKV, true, t0);
    }
}
