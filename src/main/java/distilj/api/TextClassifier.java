package distilj.api;

import distilj.checkpoint.CheckpointLoader;
import distilj.checkpoint.HfConfig;
import distilj.checkpoint.LoadReport;
import distilj.data.Dataset;
import distilj.kernels.Kernels;
import distilj.model.ModelConfig;
import distilj.model.Models;
import distilj.model.SequenceClassifier;
import distilj.tokenizer.BertTokenizer;
import distilj.train.Evaluation;
import distilj.train.InMemoryBatches;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A text classifier loaded from a model folder (config.json, vocab.txt, model.safetensors: a folder written by
 * {@code distilj train} or any Hugging Face DistilBERT/BERT sequence-classification folder).
 *
 * <pre>{@code
 * try (TextClassifier clf = TextClassifier.load(Path.of("runs/minilm"))) {
 *     Prediction p = clf.predict("a gorgeous, witty, seductive movie.");
 *     System.out.println(p.label() + " " + p.score());
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> An instance owns the model's activation buffers, so its methods are {@code synchronized}: it may
 * be shared between threads, which then take turns (each forward pass already uses every core through the kernels'
 * thread pool). For several requests in flight, prefer {@link #predictAll} on a batch, or one instance per thread
 * (each holds its own copy of the weights).
 *
 * <p>Texts are tokenized as the folder's tokenizer says and cut to the model's positions (keeping the final [SEP]).
 * Rows are packed without padding, so a text gets the same logits alone or in any batch.
 */
public final class TextClassifier implements AutoCloseable {
    private final Path folder;
    private final ModelConfig config;
    private final BertTokenizer tokenizer;
    private final List<String> labels;
    private final List<String> newlyInitialized;
    private SequenceClassifier model;
    private int batchSize = 32;

    private TextClassifier(Path folder, ModelConfig config, BertTokenizer tokenizer, SequenceClassifier model,
                           List<String> newlyInitialized) {
        this.folder = folder;
        this.config = config;
        this.tokenizer = tokenizer;
        this.model = model;
        this.labels = List.of(config.labels);
        this.newlyInitialized = List.copyOf(newlyInitialized);
    }

    /**
     * Loads a model folder. Weights the folder lacks (typically the classification head of a base model that was
     * never fine-tuned) are initialised at random and listed by {@link #newlyInitialized()}.
     *
     * @throws IOException a missing folder or file, an unsupported architecture, a tensor of the wrong shape
     */
    public static TextClassifier load(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) throw new IOException(folder + ": no such model folder");
        ModelConfig cfg = HfConfig.read(folder);
        BertTokenizer tokenizer = BertTokenizer.load(folder);
        SequenceClassifier model = Models.create(cfg, Kernels.get(), 0);
        LoadReport report = CheckpointLoader.load(folder, model.params());
        return new TextClassifier(folder, cfg, tokenizer, model, report.newlyInitialized);
    }

    /** The folder it was loaded from. */
    public Path folder() {
        return folder;
    }

    /** The label names, by id (the model's id2label). */
    public List<String> labels() {
        return labels;
    }

    /** Parameters the folder did not have (randomly initialised): empty for a fine-tuned model. */
    public List<String> newlyInitialized() {
        return newlyInitialized;
    }

    /** Texts per forward pass in {@link #predictAll} (default 32). */
    public synchronized TextClassifier batchSize(int rows) {
        if (rows < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + rows);
        this.batchSize = rows;
        return this;
    }

    /** The token ids the model sees for {@code text}: [CLS] … [SEP], at most max_position_embeddings of them. */
    public int[] encode(String text) {
        return tokenizer.encode(text, config.maxPositions);
    }

    /** The label of one text. */
    public Prediction predict(String text) {
        return predictAll(List.of(text)).get(0);
    }

    /** The labels of many texts, in order, computed {@link #batchSize(int)} texts at a time. */
    public synchronized List<Prediction> predictAll(List<String> texts) {
        SequenceClassifier m = model();
        List<Prediction> out = new ArrayList<>(texts.size());
        int C = config.numLabels;
        for (int from = 0; from < texts.size(); from += batchSize) {
            int rows = Math.min(batchSize, texts.size() - from);
            int[][] enc = new int[rows][];
            int[] offsets = new int[rows + 1];
            for (int r = 0; r < rows; r++) {
                enc[r] = encode(texts.get(from + r));
                offsets[r + 1] = offsets[r] + enc[r].length;
            }
            int[] ids = new int[offsets[rows]];
            for (int r = 0; r < rows; r++) System.arraycopy(enc[r], 0, ids, offsets[r], enc[r].length);
            m.forward(ids, offsets, rows, null, false, 0);
            float[] logits = m.logits();
            for (int r = 0; r < rows; r++) out.add(prediction(logits, r * C, C));
        }
        return out;
    }

    /** Label = argmax of the logits; score = its softmax probability 1 / Σ_c exp(z_c − z_best), in double. */
    private Prediction prediction(float[] logits, int off, int C) {
        int best = Evaluation.argmax(logits, off, C);
        double z = 0;
        for (int c = 0; c < C; c++) z += Math.exp((double) logits[off + c] - logits[off + best]);
        return new Prediction(labels.get(best), best, 1.0 / z, Arrays.copyOfRange(logits, off, off + C));
    }

    /**
     * Loss and accuracy on a labelled data set, exactly as the trainer evaluates (mean cross-entropy over rows,
     * argmax accuracy), {@code batchSize} rows per forward pass. The data set's labels are matched to the model's by
     * name when every name of the data set is one of the model's ({@link #labelsMatchByName}), otherwise by id
     * (a model whose id2label says LABEL_0, LABEL_1 on a data set saying neg, pos).
     *
     * @throws IllegalArgumentException the data set has more labels than the model and the names do not match
     */
    public synchronized Evaluation.Result evaluate(Dataset data, int batchSize) {
        SequenceClassifier m = model();
        int[] toModel = labelMap(data);
        int[][] rows = new int[data.size()][];
        int[] gold = new int[data.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = encode(data.get(i).text());
            gold[i] = toModel[data.get(i).label()];
        }
        return Evaluation.run(m, InMemoryBatches.sequential(rows, gold, batchSize));
    }

    /** Whether every label name of {@code data} is a label of the model (then labels are matched by name). */
    public boolean labelsMatchByName(Dataset data) {
        return labels.containsAll(data.labelNames());
    }

    /** Data-set label id → model label id. */
    private int[] labelMap(Dataset data) {
        List<String> names = data.labelNames();
        int[] map = new int[names.size()];
        if (labelsMatchByName(data)) {
            for (int i = 0; i < map.length; i++) map[i] = labels.indexOf(names.get(i));
            return map;
        }
        if (names.size() > labels.size()) {
            throw new IllegalArgumentException(data.name() + " has labels " + names + " but the model " + folder
                    + " knows only " + labels);
        }
        for (int i = 0; i < map.length; i++) map[i] = i;
        return map;
    }

    private SequenceClassifier model() {
        if (model == null) throw new IllegalStateException("this TextClassifier is closed");
        return model;
    }

    /** Drops the weights and buffers (the object is unusable after). */
    @Override
    public synchronized void close() {
        model = null;
    }
}
