package distilj.model;

import distilj.kernels.Kernels;

/**
 * One post-LayerNorm transformer block, the same computation for DistilBERT's TransformerBlock and BERT's BertLayer:
 * <pre>
 *   r1 = attention(x) + x         a = LayerNorm1(r1)
 *   r2 = dropout(FFN(a)) + a      y = LayerNorm2(r2)
 * </pre>
 * BERT also applies dropout to the attention output before its residual (BertSelfOutput); DistilBERT does not.
 *
 * <p>The last layer is built {@code clsOnly}: the classifier reads only each row's first token, and everything in a
 * block after the keys and values is per token, so that layer computes queries, attention output, LayerNorms and FFN
 * for the {@code M = rows} first tokens only (its output is {@code [rows, H]}), while its keys and values still
 * cover every token. Same numbers, about 1/6 less work for DistilBERT's six layers.
 */
final class EncoderLayer {
    final Attention attention;
    final LayerNorm norm1;   // sa_layer_norm / attention.output.LayerNorm
    final FeedForward ffn;
    final LayerNorm norm2;   // output_layer_norm / output.LayerNorm
    final int hidden;
    final int layer;
    final boolean clsOnly;
    final float attnOutDropout; // 0 for DistilBERT
    final float ffnDropout;

    // kept for the backward (the input x is kept by the model: it is the previous layer's output)
    float[] xq = new float[0]; // [rows, H] clsOnly: each row's first token of x (the queries and the residual)
    float[] r1 = new float[0]; // [M, H] attention output + x, LayerNorm1 input
    float[] a = new float[0];  // [M, H] LayerNorm1 output: FFN input and second residual
    float[] r2 = new float[0]; // [M, H] FFN output + a, LayerNorm2 input
    private boolean training;

    EncoderLayer(ModelConfig cfg, int layer, boolean clsOnly) {
        this.hidden = cfg.hidden;
        this.layer = layer;
        this.clsOnly = clsOnly;
        this.ffnDropout = cfg.hiddenDropout;
        int site = DropoutSite.attentionWeights(layer);
        if (cfg.arch == ModelConfig.Arch.DISTILBERT) {
            String p = "distilbert.transformer.layer." + layer + ".";
            attention = new Attention(cfg, p + "attention.q_lin", p + "attention.k_lin", p + "attention.v_lin",
                    p + "attention.out_lin", site, clsOnly);
            norm1 = new LayerNorm(p + "sa_layer_norm", hidden, cfg.layerNormEps);
            ffn = new FeedForward(cfg, p + "ffn.lin1", p + "ffn.lin2");
            norm2 = new LayerNorm(p + "output_layer_norm", hidden, cfg.layerNormEps);
            attnOutDropout = 0f;
        } else {
            String p = "bert.encoder.layer." + layer + ".";
            attention = new Attention(cfg, p + "attention.self.query", p + "attention.self.key",
                    p + "attention.self.value", p + "attention.output.dense", site, clsOnly);
            norm1 = new LayerNorm(p + "attention.output.LayerNorm", hidden, cfg.layerNormEps);
            ffn = new FeedForward(cfg, p + "intermediate.dense", p + "output.dense");
            norm2 = new LayerNorm(p + "output.LayerNorm", hidden, cfg.layerNormEps);
            attnOutDropout = cfg.hiddenDropout;
        }
    }

    /** Number of tokens this layer outputs: all of them, or one per row. */
    int outputs(PackedBatch b) {
        return clsOnly ? b.rows : b.tokens;
    }

    void ensure(PackedBatch b, boolean training) {
        int M = outputs(b);
        long mh = (long) M * hidden;
        if (clsOnly) xq = Buffers.grow(xq, mh);
        r1 = Buffers.grow(r1, mh);
        a = Buffers.grow(a, mh);
        r2 = Buffers.grow(r2, mh);
        attention.ensure(b, training);
        norm1.ensure(M);
        ffn.ensure(M);
        norm2.ensure(M);
    }

    // forward, x [T, H] → y [M, H]  (xq = x, or the rows' first tokens of x):
    //   r1 = dropout_bert(attention(x, xq)) + xq,  a = LN1(r1),  r2 = dropout(FFN(a)) + a,  y = LN2(r2)
    // backward, dy [M, H] → dx [T, H] (overwritten):
    //   dr2 = LN2'(dy);  da = dr2 + FFN'(dropout'(dr2))
    //   dr1 = LN1'(da);  dx = attention'(dropout_bert'(dr1)) + dr1 (added at the query tokens)
    void forward(Kernels k, float[] x, PackedBatch b, float[] y, boolean training, long seed, Workspace ws) {
        this.training = training;
        int M = outputs(b), n = M * hidden;
        float[] in = x;
        if (clsOnly) {
            for (int r = 0; r < b.rows; r++) System.arraycopy(x, b.start(r) * hidden, xq, r * hidden, hidden);
            in = xq;
        }
        attention.forward(k, x, in, b, r1, training, seed);
        long t0 = Profile.start();
        if (training && attnOutDropout > 0f) dropout(k, r1, r1, b, attnOutDropout, seed, DropoutSite.attentionOutput(layer));
        k.add(r1, 0, in, 0, r1, 0, n);
        Profile.add(Profile.Part.RESIDUAL, false, t0);
        t0 = Profile.start();
        norm1.forward(k, r1, a, M);
        Profile.add(Profile.Part.LAYER_NORM, false, t0);
        ffn.forward(k, a, r2, M, ws);
        t0 = Profile.start();
        if (training && ffnDropout > 0f) dropout(k, r2, r2, b, ffnDropout, seed, DropoutSite.ffnOutput(layer));
        k.add(r2, 0, a, 0, r2, 0, n);
        Profile.add(Profile.Part.RESIDUAL, false, t0);
        t0 = Profile.start();
        norm2.forward(k, r2, y, M);
        Profile.add(Profile.Part.LAYER_NORM, false, t0);
    }

    /** Reads dy [M, H] from ws.dHidden and leaves dx [T, H] there. x is this layer's forward input. */
    void backward(Kernels k, float[] x, PackedBatch b, Workspace ws, long seed) {
        int M = outputs(b), n = M * hidden;
        float[] dh = ws.dHidden, dres = ws.dRes;
        long t0 = Profile.start();
        norm2.backward(k, dh, r2, dres, M);                       // dres = dr2
        Profile.add(Profile.Part.LAYER_NORM, true, t0);
        t0 = Profile.start();
        float[] dffnOut = dres;
        if (training && ffnDropout > 0f) {
            dffnOut = ws.dTmp2;
            dropout(k, dres, dffnOut, b, ffnDropout, seed, DropoutSite.ffnOutput(layer));
        }
        Profile.add(Profile.Part.RESIDUAL, true, t0);
        ffn.backward(k, dffnOut, a, dh, ws, M);                    // dh = FFN'(…)
        t0 = Profile.start();
        k.add(dh, 0, dres, 0, dh, 0, n);                          // dh = da
        Profile.add(Profile.Part.RESIDUAL, true, t0);
        t0 = Profile.start();
        norm1.backward(k, dh, r1, dres, M);                       // dres = dr1
        Profile.add(Profile.Part.LAYER_NORM, true, t0);
        t0 = Profile.start();
        float[] dattnOut = dres;
        if (training && attnOutDropout > 0f) {
            dattnOut = ws.dTmp2;
            dropout(k, dres, dattnOut, b, attnOutDropout, seed, DropoutSite.attentionOutput(layer));
        }
        Profile.add(Profile.Part.RESIDUAL, true, t0);
        if (clsOnly) {
            attention.backward(k, dattnOut, x, xq, b, dh, ws.dQuery, ws, seed); // dh [T, H]: keys and values
            t0 = Profile.start();
            k.add(ws.dQuery, 0, dres, 0, ws.dQuery, 0, n);                         // query path + residual
            for (int r = 0; r < b.rows; r++) k.axpy(1f, ws.dQuery, r * hidden, dh, b.start(r) * hidden, hidden);
            Profile.add(Profile.Part.RESIDUAL, true, t0);
        } else {
            attention.backward(k, dattnOut, x, x, b, dh, null, ws, seed);          // dh = attention'(…)
            t0 = Profile.start();
            k.add(dh, 0, dres, 0, dh, 0, n);                                      // dh = dx
            Profile.add(Profile.Part.RESIDUAL, true, t0);
        }
    }

    /**
     * Dropout on an [M, H] buffer with the counters of the full [T, H] layout (token t, feature j → t·H + j), so
     * that clsOnly draws exactly the masks the full computation draws for those tokens.
     */
    private void dropout(Kernels k, float[] src, float[] dst, PackedBatch b, float p, long seed, int site) {
        if (!clsOnly) {
            k.dropout(src, 0, dst, 0, b.tokens * hidden, p, seed, DropoutSite.counter(site, 0));
            return;
        }
        for (int r = 0; r < b.rows; r++) {
            k.dropout(src, r * hidden, dst, r * hidden, hidden, p, seed, DropoutSite.counter(site, (long) b.start(r) * hidden));
        }
    }
}
