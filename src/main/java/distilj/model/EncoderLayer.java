package distilj.model;

import distilj.kernels.Kernels;

/**
 * One post-LayerNorm transformer block, the same computation for DistilBERT's TransformerBlock and BERT's BertLayer:
 * <pre>
 *   r1 = attention(x) + x         a = LayerNorm1(r1)
 *   r2 = dropout(FFN(a)) + a      y = LayerNorm2(r2)
 * </pre>
 * BERT also applies dropout to the attention output before its residual (BertSelfOutput); DistilBERT does not.
 */
final class EncoderLayer {
    final Attention attention;
    final LayerNorm norm1;   // sa_layer_norm / attention.output.LayerNorm
    final FeedForward ffn;
    final LayerNorm norm2;   // output_layer_norm / output.LayerNorm
    final int hidden;
    final int layer;
    final float attnOutDropout; // 0 for DistilBERT
    final float ffnDropout;

    // kept for the backward (the input x is kept by the model: it is the previous layer's output)
    float[] r1 = new float[0]; // [T, H] attention output + x, LayerNorm1 input
    float[] a = new float[0];  // [T, H] LayerNorm1 output: FFN input and second residual
    float[] r2 = new float[0]; // [T, H] FFN output + a, LayerNorm2 input
    private boolean training;

    EncoderLayer(ModelConfig cfg, int layer) {
        this.hidden = cfg.hidden;
        this.layer = layer;
        this.ffnDropout = cfg.hiddenDropout;
        int site = DropoutSite.attentionWeights(layer);
        if (cfg.arch == ModelConfig.Arch.DISTILBERT) {
            String p = "distilbert.transformer.layer." + layer + ".";
            attention = new Attention(cfg, p + "attention.q_lin", p + "attention.k_lin", p + "attention.v_lin",
                    p + "attention.out_lin", site);
            norm1 = new LayerNorm(p + "sa_layer_norm", hidden, cfg.layerNormEps);
            ffn = new FeedForward(cfg, p + "ffn.lin1", p + "ffn.lin2");
            norm2 = new LayerNorm(p + "output_layer_norm", hidden, cfg.layerNormEps);
            attnOutDropout = 0f;
        } else {
            String p = "bert.encoder.layer." + layer + ".";
            attention = new Attention(cfg, p + "attention.self.query", p + "attention.self.key",
                    p + "attention.self.value", p + "attention.output.dense", site);
            norm1 = new LayerNorm(p + "attention.output.LayerNorm", hidden, cfg.layerNormEps);
            ffn = new FeedForward(cfg, p + "intermediate.dense", p + "output.dense");
            norm2 = new LayerNorm(p + "output.LayerNorm", hidden, cfg.layerNormEps);
            attnOutDropout = cfg.hiddenDropout;
        }
    }

    void ensure(PackedBatch b, boolean training) {
        long th = (long) b.tokens * hidden;
        r1 = Buffers.grow(r1, th);
        a = Buffers.grow(a, th);
        r2 = Buffers.grow(r2, th);
        attention.ensure(b, training);
        norm1.ensure(b.tokens);
        ffn.ensure(b.tokens);
        norm2.ensure(b.tokens);
    }

    // forward, x [T, H] → y [T, H]:
    //   r1 = dropout_bert(attention(x)) + x,  a = LN1(r1),  r2 = dropout(FFN(a)) + a,  y = LN2(r2)
    // backward, dy → dx (overwritten):
    //   dr2 = LN2'(dy);  da = dr2 + FFN'(dropout'(dr2))
    //   dr1 = LN1'(da);  dx = dr1 + attention'(dropout_bert'(dr1))
    void forward(Kernels k, float[] x, PackedBatch b, float[] y, boolean training, long seed) {
        this.training = training;
        int T = b.tokens, n = T * hidden;
        attention.forward(k, x, b, r1, training, seed);
        if (training && attnOutDropout > 0f) {
            k.dropout(r1, 0, r1, 0, n, attnOutDropout, seed, DropoutSite.counter(DropoutSite.attentionOutput(layer), 0));
        }
        k.add(r1, 0, x, 0, r1, 0, n);
        norm1.forward(k, r1, a, T);
        ffn.forward(k, a, r2, T);
        if (training && ffnDropout > 0f) {
            k.dropout(r2, 0, r2, 0, n, ffnDropout, seed, DropoutSite.counter(DropoutSite.ffnOutput(layer), 0));
        }
        k.add(r2, 0, a, 0, r2, 0, n);
        norm2.forward(k, r2, y, T);
    }

    /** Reads dy from ws.dHidden and leaves dx there. x is this layer's forward input. */
    void backward(Kernels k, float[] x, PackedBatch b, Workspace ws, long seed) {
        int T = b.tokens, n = T * hidden;
        float[] dh = ws.dHidden, dres = ws.dRes;
        norm2.backward(k, dh, r2, dres, T);                       // dres = dr2
        float[] dffnOut = dres;
        if (training && ffnDropout > 0f) {
            dffnOut = ws.dTmp2;
            k.dropout(dres, 0, dffnOut, 0, n, ffnDropout, seed, DropoutSite.counter(DropoutSite.ffnOutput(layer), 0));
        }
        ffn.backward(k, dffnOut, a, dh, ws, T);                    // dh = FFN'(…)
        k.add(dh, 0, dres, 0, dh, 0, n);                          // dh = da
        norm1.backward(k, dh, r1, dres, T);                       // dres = dr1
        float[] dattnOut = dres;
        if (training && attnOutDropout > 0f) {
            dattnOut = ws.dTmp2;
            k.dropout(dres, 0, dattnOut, 0, n, attnOutDropout, seed,
                    DropoutSite.counter(DropoutSite.attentionOutput(layer), 0));
        }
        attention.backward(k, dattnOut, x, b, dh, ws, seed);      // dh = attention'(…)
        k.add(dh, 0, dres, 0, dh, 0, n);                          // dh = dx
    }
}
