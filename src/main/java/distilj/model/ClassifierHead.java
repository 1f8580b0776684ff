package distilj.model;

import distilj.kernels.Kernels;

/**
 * The classification head on the first token ([CLS]) of each row:
 * <pre>
 *   DistilBERT: logits = classifier(dropout(ReLU(pre_classifier(h_cls))))     dropout = seq_classif_dropout (0.2)
 *   BERT:       logits = classifier(dropout(tanh(pooler.dense(h_cls))))       dropout = classifier_dropout
 * </pre>
 * The same shape of computation with another activation, so one class serves both.
 */
final class ClassifierHead {
    final Linear dense;       // pre_classifier / bert.pooler.dense, [H, H]
    final Linear classifier;  // [C, H]
    final boolean tanh;       // BERT's pooler; else ReLU
    final int hidden;
    final int classes;
    final float dropoutP;

    // kept for the backward
    float[] cls = new float[0];     // [rows, H] hidden state of each row's first token
    float[] pre = new float[0];     // [rows, H] dense output
    float[] act = new float[0];     // [rows, H] activation output
    float[] dropped = new float[0]; // [rows, H] after dropout, the classifier input
    float[] dAct = new float[0];    // [rows, H] backward scratch
    float[] dCls = new float[0];    // [rows, H]
    private boolean usedDropout;

    ClassifierHead(ModelConfig cfg) {
        this.hidden = cfg.hidden;
        this.classes = cfg.numLabels;
        this.dropoutP = cfg.classifierDropout;
        this.tanh = cfg.arch == ModelConfig.Arch.BERT;
        this.dense = new Linear(tanh ? "bert.pooler.dense" : "pre_classifier", hidden, hidden);
        this.classifier = new Linear("classifier", hidden, classes);
    }

    void ensure(int rows) {
        long rh = (long) rows * hidden;
        cls = Buffers.grow(cls, rh);
        pre = Buffers.grow(pre, rh);
        act = Buffers.grow(act, rh);
        dropped = Buffers.grow(dropped, rh);
        dAct = Buffers.grow(dAct, rh);
        dCls = Buffers.grow(dCls, rh);
    }

    // forward, hidden [T, H] → logits [rows, C]:
    //   c_r = hidden[start(r)],  z = c·Wdᵀ + bd,  a = ReLU(z) or tanh(z),  a' = dropout(a),  logits = a'·Wcᵀ + bc
    // backward, dlogits → dhidden (only the rows' first tokens get a gradient; the rest is set to 0):
    //   da' = dlogits·Wc,  dWc += dlogitsᵀ·a',  dbc += Σ dlogits
    //   da = dropout'(da');  dz = da·[z > 0]  or  da·(1 − a²)
    //   dc = dz·Wd,  dWd += dzᵀ·c,  dbd += Σ dz;   dhidden[start(r)] = dc_r
    void forward(Kernels k, float[] hiddenStates, PackedBatch b, float[] logits, boolean training, long seed) {
        int rows = b.rows, H = hidden, n = rows * H;
        for (int r = 0; r < rows; r++) System.arraycopy(hiddenStates, b.start(r) * H, cls, r * H, H);
        dense.forward(k, cls, 0, pre, 0, rows);
        if (tanh) k.tanhForward(pre, 0, act, 0, n);
        else k.reluForward(pre, 0, act, 0, n);
        usedDropout = training && dropoutP > 0f;
        float[] in = act;
        if (usedDropout) {
            k.dropout(act, 0, dropped, 0, n, dropoutP, seed, DropoutSite.counter(DropoutSite.HEAD, 0));
            in = dropped;
        }
        classifier.forward(k, in, 0, logits, 0, rows);
    }

    void backward(Kernels k, float[] dlogits, PackedBatch b, float[] dHidden, long seed) {
        int rows = b.rows, H = hidden, n = rows * H;
        classifier.backward(k, dlogits, 0, usedDropout ? dropped : act, 0, dAct, 0, rows);
        if (usedDropout) k.dropout(dAct, 0, dAct, 0, n, dropoutP, seed, DropoutSite.counter(DropoutSite.HEAD, 0));
        if (tanh) k.tanhBackward(act, 0, dAct, 0, dAct, 0, n);
        else k.reluBackward(act, 0, dAct, 0, dAct, 0, n);
        dense.backward(k, dAct, 0, cls, 0, dCls, 0, rows);
        java.util.Arrays.fill(dHidden, 0, b.tokens * H, 0f);
        for (int r = 0; r < rows; r++) System.arraycopy(dCls, r * H, dHidden, b.start(r) * H, H);
    }
}
