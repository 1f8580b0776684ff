package distilj.model;

import distilj.kernels.Kernels;

/**
 * Token embeddings of a packed batch. DistilBERT: {@code word[id] + position[p]}; BERT adds
 * {@code token_type[0]} (single sentences), in transformers' order {@code (word + type) + position}. Then LayerNorm
 * and dropout. p is the token's position inside its own row, so rows do not see each other.
 */
final class Embeddings {
    final Param word;       // [V, H]
    final Param position;   // [P, H]
    final Param tokenType;  // [types, H], null for DistilBERT
    final LayerNorm norm;
    final int hidden;
    final int padId;
    final float dropoutP;

    // kept for the backward
    float[] sum = new float[0];     // [T, H] word + type + position, the LayerNorm input

    Embeddings(String prefix, ModelConfig cfg) {
        this.hidden = cfg.hidden;
        this.padId = cfg.padTokenId;
        this.dropoutP = cfg.hiddenDropout;
        this.word = new Param(prefix + "word_embeddings.weight", true, cfg.vocabSize, cfg.hidden);
        this.position = new Param(prefix + "position_embeddings.weight", true, cfg.maxPositions, cfg.hidden);
        this.tokenType = cfg.arch == ModelConfig.Arch.BERT
                ? new Param(prefix + "token_type_embeddings.weight", true, cfg.typeVocabSize, cfg.hidden) : null;
        this.norm = new LayerNorm(prefix + "LayerNorm", cfg.hidden, cfg.layerNormEps);
    }

    void ensure(int tokens) {
        sum = Buffers.grow(sum, (long) tokens * hidden);
        norm.ensure(tokens);
    }

    // forward:  e[t] = word[id_t] (+ type[0]) + position[t − start(row of t)]            e: [T, H]
    //           out = dropout(LayerNorm(e))                                              out: [T, H]
    // backward: de = LayerNorm'(dropout'(dout));  word.grad[id_t] += de[t] (except the padding row, which
    //           nn.Embedding(padding_idx=pad) never updates), position.grad[p_t] += de[t], type.grad[0] += de[t]
    void forward(Kernels k, int[] ids, PackedBatch b, float[] out, boolean training, long seed) {
        int H = hidden;
        for (int r = 0; r < b.rows; r++) {
            int start = b.start(r), len = b.length(r);
            for (int p = 0; p < len; p++) {
                int t = start + p, o = t * H, w = ids[t] * H, pos = p * H;
                if (tokenType == null) {
                    for (int j = 0; j < H; j++) sum[o + j] = word.data[w + j] + position.data[pos + j];
                } else {
                    for (int j = 0; j < H; j++) sum[o + j] = (word.data[w + j] + tokenType.data[j]) + position.data[pos + j];
                }
            }
        }
        int n = b.tokens * H;
        norm.forward(k, sum, out, b.tokens);
        if (training && dropoutP > 0f) {
            k.dropout(out, 0, out, 0, n, dropoutP, seed, DropoutSite.counter(DropoutSite.EMBEDDINGS, 0));
        }
    }

    /** dout [T, H] is used as scratch (overwritten). */
    void backward(Kernels k, int[] ids, PackedBatch b, float[] dout, float[] scratch, boolean training, long seed) {
        int H = hidden, n = b.tokens * H;
        if (training && dropoutP > 0f) {
            k.dropout(dout, 0, dout, 0, n, dropoutP, seed, DropoutSite.counter(DropoutSite.EMBEDDINGS, 0));
        }
        norm.backward(k, dout, sum, scratch, b.tokens);
        // Scatter-add in token order: one thread, a fixed order, so the sums are reproducible.
        for (int r = 0; r < b.rows; r++) {
            int start = b.start(r), len = b.length(r);
            for (int p = 0; p < len; p++) {
                int t = start + p, o = t * H;
                if (ids[t] != padId) k.axpy(1f, scratch, o, word.grad, ids[t] * H, H);
                k.axpy(1f, scratch, o, position.grad, p * H, H);
                if (tokenType != null) k.axpy(1f, scratch, o, tokenType.grad, 0, H);
            }
        }
    }
}
