package distilj.model;

import java.util.SplittableRandom;

/** Small configs and batches shared by the model tests. */
final class TestModels {
    private TestModels() {}

    static ModelConfig config(ModelConfig.Arch arch, int vocab, int hidden, int layers, int heads, int ffn, int labels) {
        ModelConfig c = new ModelConfig();
        c.arch = arch;
        c.vocabSize = vocab;
        c.hidden = hidden;
        c.layers = layers;
        c.heads = heads;
        c.ffn = ffn;
        c.maxPositions = 64;
        c.typeVocabSize = arch == ModelConfig.Arch.BERT ? 2 : 0;
        c.numLabels = labels;
        c.labels = new String[labels];
        for (int i = 0; i < labels; i++) c.labels[i] = "LABEL_" + i;
        if (arch == ModelConfig.Arch.BERT) c.classifierDropout = c.hiddenDropout;
        return c.validate();
    }

    /** Rows of the given lengths, ids in [1, vocab). */
    static int[][] rows(long seed, int vocab, int... lengths) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] rows = new int[lengths.length][];
        for (int i = 0; i < lengths.length; i++) {
            rows[i] = new int[lengths[i]];
            for (int j = 0; j < lengths[i]; j++) rows[i][j] = 1 + r.nextInt(vocab - 1);
        }
        return rows;
    }

    static int[] flatten(int[][] rows) {
        int n = 0;
        for (int[] r : rows) n += r.length;
        int[] ids = new int[n];
        int o = 0;
        for (int[] r : rows) {
            System.arraycopy(r, 0, ids, o, r.length);
            o += r.length;
        }
        return ids;
    }

    static int[] offsets(int[][] rows) {
        int[] off = new int[rows.length + 1];
        for (int i = 0; i < rows.length; i++) off[i + 1] = off[i] + rows[i].length;
        return off;
    }

    /** Perturbs every parameter a little (biases and LayerNorm would otherwise be 0/1). */
    static void perturb(SequenceClassifier m, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Param p : m.params()) {
            for (int i = 0; i < p.size(); i++) p.data[i] += (float) (0.05 * (2 * r.nextDouble() - 1));
        }
    }
}
