package distilj.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import distilj.kernels.Kernels;
import distilj.kernels.Parallel;
import distilj.kernels.ScalarKernels;
import distilj.kernels.SimdKernels;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Dropout on: reproducible from the seed (any thread count), off in evaluation, and dropping the right fraction. */
class DropoutTest {
    static final ModelConfig BERT = TestModels.config(ModelConfig.Arch.BERT, 200, 64, 2, 4, 96, 2);
    static final ModelConfig DISTIL = TestModels.config(ModelConfig.Arch.DISTILBERT, 200, 64, 2, 4, 96, 2);
    static final int[][] ROWS = TestModels.rows(8, 200, 12, 40, 3, 27, 33, 19, 8, 50);

    /** loss, logits and every gradient of one training step. */
    static float[][] step(ModelConfig cfg, Kernels k, long seed, boolean training) {
        SequenceClassifier m = Models.create(cfg, k, 1);
        TestModels.perturb(m, 2);
        int[] labels = new int[ROWS.length];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 2;
        float loss = m.forward(TestModels.flatten(ROWS), TestModels.offsets(ROWS), ROWS.length, labels, training, seed);
        m.backward();
        float[][] out = new float[m.params().size() + 2][];
        out[0] = new float[] {loss};
        out[1] = m.logits().clone();
        for (int i = 0; i < m.params().size(); i++) out[i + 2] = m.params().get(i).grad.clone();
        return out;
    }

    @Test
    void sameSeedSameResultForAnyThreadCount() {
        for (ModelConfig cfg : new ModelConfig[] {DISTIL, BERT}) {
            float[][] ref;
            try (Parallel p = new Parallel(1)) {
                ref = step(cfg, new SimdKernels(p), 42, true);
                float[][] again = step(cfg, new SimdKernels(p), 42, true);
                for (int i = 0; i < ref.length; i++) assertArrayEquals(ref[i], again[i], 0f);
                float[][] other = step(cfg, new SimdKernels(p), 43, true);
                assertFalse(Arrays.equals(ref[0], other[0]), "another seed must give another loss");
                float[][] eval = step(cfg, new SimdKernels(p), 42, false);
                float[][] eval2 = step(cfg, new SimdKernels(p), 43, false);
                assertArrayEquals(eval[1], eval2[1], 0f, "without training the seed must not matter");
                assertFalse(Arrays.equals(ref[1], eval[1]), "dropout must change the logits in training");
            }
            for (int threads = 2; threads <= 3; threads++) {
                try (Parallel p = new Parallel(threads)) {
                    float[][] got = step(cfg, new SimdKernels(p), 42, true);
                    for (int i = 0; i < ref.length; i++) {
                        assertArrayEquals(ref[i], got[i], 0f, cfg.arch + " item " + i + " with " + threads + " threads");
                    }
                }
            }
        }
    }

    @Test
    void keptFractionAndScale() {
        ModelConfig cfg = TestModels.config(ModelConfig.Arch.BERT, 200, 64, 2, 4, 96, 2);
        cfg.hiddenDropout = 0.1f;
        cfg.attentionDropout = 0.25f;
        cfg.classifierDropout = 0.4f;
        try (Parallel pool = new Parallel(2)) {
            Kernels k = new ScalarKernels(pool);
            EncoderClassifier m = (EncoderClassifier) Models.create(cfg, k, 1);
            int[] ids = TestModels.flatten(ROWS), off = TestModels.offsets(ROWS);
            int T = ids.length, H = cfg.hidden, rows = ROWS.length;

            // Embeddings: compare the training output with the evaluation output element by element.
            m.forward(ids, off, rows, null, false, 5); // sizes the buffers
            float[] plain = new float[T * H];
            m.embeddings.forward(k, ids, batch(ids, off, rows, cfg), plain, false, 5);
            float[] dropped = new float[T * H];
            m.embeddings.forward(k, ids, batch(ids, off, rows, cfg), dropped, true, 5);
            int zeros = 0;
            for (int i = 0; i < T * H; i++) {
                if (dropped[i] == 0f) zeros++;
                else assertEquals(plain[i] * (1f / (1f - cfg.hiddenDropout)), dropped[i], 0f, "kept values are scaled by 1/(1-p)");
            }
            assertFraction("embeddings", zeros, T * H, cfg.hiddenDropout);

            // Attention weights: the dropped copy against the softmax weights of the same forward.
            m.forward(ids, off, rows, null, true, 5);
            Attention a = m.layers[0].attention; // all queries (the last layer has one per row)
            long n = 0;
            int az = 0;
            for (int r = 0; r < rows; r++) n += (long) cfg.heads * ROWS[r].length * ROWS[r].length;
            float s = 1f / (1f - cfg.attentionDropout);
            for (int i = 0; i < n; i++) {
                if (a.dropped[i] == 0f) az++;
                else assertEquals(a.probs[i] * s, a.dropped[i], 0f);
            }
            assertFraction("attention weights", az, (int) n, cfg.attentionDropout);

            // Head: only rows × H values per forward, so pool several seeds.
            int hz = 0, hn = 0;
            for (long seed = 0; seed < 40; seed++) {
                m.forward(ids, off, rows, null, true, seed);
                ClassifierHead h = m.head;
                for (int i = 0; i < rows * H; i++) {
                    if (h.act[i] == 0f) continue;
                    hn++;
                    if (h.dropped[i] == 0f) hz++;
                }
            }
            assertFraction("classifier head", hz, hn, cfg.classifierDropout);
        }
    }

    static PackedBatch batch(int[] ids, int[] off, int rows, ModelConfig cfg) {
        PackedBatch b = new PackedBatch();
        b.set(ids, off, rows, cfg);
        return b;
    }

    /** Binomial: the dropped fraction within 5 standard deviations of p. */
    static void assertFraction(String what, int dropped, int n, double p) {
        double frac = (double) dropped / n, sigma = Math.sqrt(p * (1 - p) / n);
        System.out.printf(java.util.Locale.ROOT, "dropout %s: dropped %.4f of %d (p = %.2f, sigma %.4f)%n", what, frac, n, p, sigma);
        assertTrue(Math.abs(frac - p) <= 5 * sigma, what + ": dropped " + frac + " of " + n + ", expected " + p);
    }
}
