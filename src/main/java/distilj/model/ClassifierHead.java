package distilj.model;

import distilj.kernels.Kernels;

/**
 * The classification head on the first token ([CLS]) of each row (the last encoder layer outputs only those,
 * {@code [rows, H]}):
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
    private float[] cls;            // [rows, H] the forward's input: hidden state of each row's first token
    float[] pre = new float[0];     // [rows, H] dense output
    float[] act = new float[0];     // [rows, H] activation output
    float[] dropped = new float[0]; // [rows, H] after dropout, the classifier input
    float[] dAct = new float[0];    // [rows, H] backward scratch
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
        pre = Buffers.grow(pre, rh);
        act = Buffers.grow(act, rh);
        dropped = Buffers.grow(dropped, rh);
        dAct = Buffers.grow(dAct, rh);
    }

    // forward, c [rows, H] → logits [rows, C]:
    //   z = c·Wdᵀ + bd,  a = ReLU(z) or tanh(z),  a' = dropout(a),  logits = a'·Wcᵀ + bc
    // backward, dlogits → dc [rows, H] (overwritten):
    //   da' = dlogits·Wc,  dWc += dlogitsᵀ·a',  dbc += Σ dlogits
    //   da = dropout'(da');  dz = da·[z > 0]  or  da·(1 − a²)
    //   dc = dz·Wd,  dWd += dzᵀ·c,  dbd += Σ dz
    void forward(Kernels k, float[] c, int rows, float[] logits, boolean training, long seed) {
        int H = hidden, n = rows * H;
        cls = c;
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

    void backward(Kernels k, float[] dlogits, int rows, float[] dc, long seed) {
        int n = rows * hidden;
        classifier.backward(k, dlogits, 0, usedDropout ? dropped : act, 0, dAct, 0, rows);
        if (usedDropout) k.dropout(dAct, 0, dAct, 0, n, dropoutP, seed, DropoutSite.counter(DropoutSite.HEAD, 0));
        if (tanh) k.tanhBackward(act, 0, dAct, 0, dAct, 0, n);
        else k.reluBackward(act, 0, dAct, 0, dAct, 0, n);
        dense.backward(k, dAct, 0, cls, 0, dc, 0, rows);
    }
}
