package distilj.model;

import distilj.kernels.Kernels;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * DistilBertForSequenceClassification and BertForSequenceClassification on packed batches:
 * <pre>
 *   h0 = Embeddings(ids)                    [T, H]
 *   h(l+1) = EncoderLayer_l(h(l))           [T, H], l = 0 … layers−2
 *   c = last EncoderLayer(h(layers−1))      [rows, H]   (computed for each row's first token only)
 *   logits = ClassifierHead(c)              [rows, C]
 *   loss = mean_r −log softmax(logits_r)[label_r]
 * </pre>
 * The two architectures differ only in names, BERT's token-type embeddings and extra dropout, and the head's
 * activation; each part takes the difference from the config. Build one with {@link Models#create}.
 */
final class EncoderClassifier implements SequenceClassifier {
    private final ModelConfig cfg;
    private final Kernels k;
    final Embeddings embeddings;
    final EncoderLayer[] layers;
    final ClassifierHead head;
    private final List<Param> params;

    private final PackedBatch batch = new PackedBatch();
    private final Workspace ws;
    private final float[][] hidden;     // hidden[l]: input of layer l, [T, H]; hidden[layers]: [rows, H], the head's input
    private int[] ids = new int[0];     // copy of the batch's ids (the embedding backward scatters by id)
    private int[] labels = new int[0];
    private float[] logits = new float[0];
    private float[] dlogits = new float[0];
    private boolean training;
    private long seed;
    private boolean backwardReady;

    EncoderClassifier(ModelConfig cfg, Kernels k) {
        this.cfg = cfg.validate();
        this.k = k;
        String prefix = cfg.arch == ModelConfig.Arch.DISTILBERT ? "distilbert.embeddings." : "bert.embeddings.";
        this.embeddings = new Embeddings(prefix, cfg);
        this.layers = new EncoderLayer[cfg.layers];
        for (int l = 0; l < cfg.layers; l++) layers[l] = new EncoderLayer(cfg, l, l == cfg.layers - 1);
        this.head = new ClassifierHead(cfg);
        this.ws = new Workspace(cfg.hidden, cfg.ffn);
        this.hidden = new float[cfg.layers + 1][0];

        // Same order as the module's named_parameters() in transformers.
        List<Param> ps = new ArrayList<>();
        ps.add(embeddings.word);
        ps.add(embeddings.position);
        if (embeddings.tokenType != null) ps.add(embeddings.tokenType);
        addNorm(ps, embeddings.norm);
        for (EncoderLayer layer : layers) {
            Attention a = layer.attention;
            addLinear(ps, a.query);
            addLinear(ps, a.key);
            addLinear(ps, a.value);
            addLinear(ps, a.output);
            addNorm(ps, layer.norm1);
            addLinear(ps, layer.ffn.up);
            addLinear(ps, layer.ffn.down);
            addNorm(ps, layer.norm2);
        }
        addLinear(ps, head.dense);
        addLinear(ps, head.classifier);
        this.params = Collections.unmodifiableList(ps);
    }

    private static void addLinear(List<Param> ps, Linear l) {
        ps.add(l.weight);
        ps.add(l.bias);
    }

    private static void addNorm(List<Param> ps, LayerNorm n) {
        ps.add(n.gamma);
        ps.add(n.beta);
    }

    @Override
    public ModelConfig config() {
        return cfg;
    }

    @Override
    public List<Param> params() {
        return params;
    }

    @Override
    public float forward(int[] ids, int[] offsets, int rows, int[] labels, boolean training, long dropoutSeed) {
        backwardReady = false;
        batch.set(ids, offsets, rows, cfg);
        if (labels != null && labels.length < rows) {
            throw new IllegalArgumentException("labels has " + labels.length + " entries for " + rows + " rows");
        }
        ensure(training);
        System.arraycopy(ids, 0, this.ids, 0, batch.tokens);
        this.training = training;
        this.seed = dropoutSeed;

        long t0 = Profile.start();
        embeddings.forward(k, this.ids, batch, hidden[0], training, dropoutSeed);
        Profile.add(Profile.Part.EMBEDDINGS, false, t0);
        for (int l = 0; l < layers.length; l++) {
            layers[l].forward(k, hidden[l], batch, hidden[l + 1], training, dropoutSeed, ws);
        }
        t0 = Profile.start();
        head.forward(k, hidden[layers.length], rows, logits, training, dropoutSeed);
        Profile.add(Profile.Part.HEAD, false, t0);
        if (labels == null) return Float.NaN;
        System.arraycopy(labels, 0, this.labels, 0, rows);
        t0 = Profile.start();
        float loss = k.crossEntropy(logits, rows, cfg.numLabels, this.labels, dlogits);
        Profile.add(Profile.Part.LOSS, false, t0);
        backwardReady = true;
        return loss;
    }

    @Override
    public void reserve(int maxTokens, int maxRows, long maxScores, boolean training) {
        PackedBatch largest = new PackedBatch();
        largest.setSizes(maxTokens, maxRows, maxScores);
        ensureBuffers(largest, training);
    }

    private void ensure(boolean training) {
        int T = batch.tokens, rows = batch.rows;
        if (ids.length < T) ids = new int[T];
        if (labels.length != rows) labels = new int[rows];
        // Exactly [rows, C], so logits() is the whole array; reallocated only when the row count changes.
        if (logits.length != rows * cfg.numLabels) {
            logits = new float[rows * cfg.numLabels];
            dlogits = new float[rows * cfg.numLabels];
        }
        ensureBuffers(batch, training);
    }

    /** Activation buffers for a batch of b's sizes (grown, never shrunk). */
    private void ensureBuffers(PackedBatch b, boolean training) {
        int T = b.tokens, rows = b.rows;
        if (b.scoreSize() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("batch too large: its attention scores need " + b.scoreSize() + " floats");
        }
        for (int l = 0; l < layers.length; l++) hidden[l] = Buffers.grow(hidden[l], (long) T * cfg.hidden);
        hidden[layers.length] = Buffers.grow(hidden[layers.length], (long) rows * cfg.hidden);
        embeddings.ensure(T);
        for (EncoderLayer layer : layers) layer.ensure(b, training);
        head.ensure(rows);
        ws.ensure(b);
    }

    @Override
    public float[] logits() {
        return logits;
    }

    @Override
    public void backward() {
        if (!backwardReady) throw new IllegalStateException("backward() needs a forward() with labels first");
        long t0 = Profile.start();
        head.backward(k, dlogits, batch.rows, ws.dHidden, seed);
        Profile.add(Profile.Part.HEAD, true, t0);
        for (int l = layers.length - 1; l >= 0; l--) layers[l].backward(k, hidden[l], batch, ws, seed);
        t0 = Profile.start();
        embeddings.backward(k, ids, batch, ws.dHidden, ws.dRes, training, seed);
        Profile.add(Profile.Part.EMBEDDINGS, true, t0);
        backwardReady = false;
    }
}
