package distilj.train;

import distilj.kernels.DropoutRng;
import distilj.model.ModelConfig;
import distilj.model.Param;
import distilj.model.SequenceClassifier;
import java.util.List;
import java.util.Random;

/**
 * TEST ONLY: the smallest real {@link SequenceClassifier}, to exercise the trainer without the transformer.
 * Bag of embeddings → dropout → linear → softmax cross-entropy:
 * <pre>
 *   h_r  = mean_{t in row r} E[id_t]            [rows, D]
 *   hd_r = dropout(h_r, p)                      mask of (dropoutSeed, r·D + j)
 *   z_r  = W hd_r + b                           [rows, C]
 *   loss = mean_r −log softmax(z_r)[label_r]
 * </pre>
 * Backward: dz = (softmax(z) − onehot)/rows; dW += dzᵀ·hd; db += Σ dz; dhd = dz·W; dh = dhd·mask/(1−p);
 * dE[id_t] += dh_r / len_r.
 */
final class TinyBagModel implements SequenceClassifier {
    final int vocab, dim, classes;
    final float p;
    final Param emb, w, b;
    private final ModelConfig config = new ModelConfig();

    // saved by forward for backward
    private int[] ids, offsets, labels;
    private int rows;
    private long seed;
    private boolean training;
    private float[] h = new float[0], hd = new float[0], probs = new float[0], logits = new float[0];

    TinyBagModel(int vocab, int dim, int classes, float dropout, long initSeed) {
        this.vocab = vocab;
        this.dim = dim;
        this.classes = classes;
        this.p = dropout;
        emb = new Param("embeddings.word_embeddings.weight", true, vocab, dim);
        w = new Param("classifier.weight", true, classes, dim);
        b = new Param("classifier.bias", false, classes);
        Random r = new Random(initSeed);
        for (int i = 0; i < emb.size(); i++) emb.data[i] = (float) (r.nextGaussian() * 0.5);
        for (int i = 0; i < w.size(); i++) w.data[i] = (float) (r.nextGaussian() * 0.1);
        config.numLabels = classes;
        config.labels = new String[classes];
        for (int c = 0; c < classes; c++) config.labels[c] = "LABEL_" + c;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public List<Param> params() {
        return List.of(emb, w, b);
    }

    @Override
    public float forward(int[] ids, int[] offsets, int rows, int[] labels, boolean training, long dropoutSeed) {
        this.ids = ids;
        this.offsets = offsets;
        this.rows = rows;
        this.labels = labels;
        this.training = training;
        this.seed = dropoutSeed;
        if (h.length < rows * dim) {
            h = new float[rows * dim];
            hd = new float[rows * dim];
            probs = new float[rows * classes];
            logits = new float[rows * classes];
        }
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            int len = offsets[r + 1] - offsets[r];
            for (int j = 0; j < dim; j++) {
                float s = 0;
                for (int t = offsets[r]; t < offsets[r + 1]; t++) s += emb.data[ids[t] * dim + j];
                h[r * dim + j] = s / len;
                hd[r * dim + j] = training ? (DropoutRng.keep(seed, (long) r * dim + j, p) ? h[r * dim + j] / (1 - p) : 0f)
                        : h[r * dim + j];
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                float z = b.data[c];
                for (int j = 0; j < dim; j++) z += w.data[c * dim + j] * hd[r * dim + j];
                logits[r * classes + c] = z;
                max = Math.max(max, z);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.exp(logits[r * classes + c] - max);
            for (int c = 0; c < classes; c++) probs[r * classes + c] = (float) (Math.exp(logits[r * classes + c] - max) / sum);
            if (labels != null) loss += -(logits[r * classes + labels[r]] - max - Math.log(sum));
        }
        return labels == null ? Float.NaN : (float) (loss / rows);
    }

    @Override
    public float[] logits() {
        return logits;
    }

    @Override
    public void backward() {
        float[] dh = new float[dim];
        for (int r = 0; r < rows; r++) {
            java.util.Arrays.fill(dh, 0f);
            for (int c = 0; c < classes; c++) {
                float dz = (probs[r * classes + c] - (labels[r] == c ? 1f : 0f)) / rows;
                b.grad[c] += dz;
                for (int j = 0; j < dim; j++) {
                    w.grad[c * dim + j] += dz * hd[r * dim + j];
                    dh[j] += dz * w.data[c * dim + j];
                }
            }
            int len = offsets[r + 1] - offsets[r];
            for (int j = 0; j < dim; j++) {
                float g = training ? (DropoutRng.keep(seed, (long) r * dim + j, p) ? dh[j] / (1 - p) : 0f) : dh[j];
                for (int t = offsets[r]; t < offsets[r + 1]; t++) emb.grad[ids[t] * dim + j] += g / len;
            }
        }
    }
}
