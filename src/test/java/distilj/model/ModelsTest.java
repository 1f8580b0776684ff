package distilj.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import distilj.kernels.Parallel;
import distilj.kernels.ScalarKernels;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Initialisation as transformers does it, parameter bookkeeping, and input checks. */
class ModelsTest {
    static final Parallel POOL = new Parallel(1);
    static final ScalarKernels K = new ScalarKernels(POOL);

    @AfterAll
    static void close() {
        POOL.close();
    }

    @Test
    void initialisationFollowsTransformers() {
        ModelConfig c = TestModels.config(ModelConfig.Arch.DISTILBERT, 500, 96, 1, 4, 128, 2);
        SequenceClassifier a = Models.create(c, K, 42), b = Models.create(c, K, 42), d = Models.create(c, K, 43);
        for (int i = 0; i < a.params().size(); i++) {
            Param p = a.params().get(i);
            assertArrayEquals(p.data, b.params().get(i).data, 0f, "same seed, same values: " + p.name);
            boolean ln = p.name.contains("LayerNorm") || p.name.contains("layer_norm");
            if (ln) {
                float want = p.name.endsWith(".weight") ? 1f : 0f;
                for (float v : p.data) assertEquals(want, v, 0f, p.name);
            } else if (p.name.endsWith(".bias")) {
                for (float v : p.data) assertEquals(0f, v, 0f, p.name);
            } else {
                assertFalse(Arrays.equals(p.data, d.params().get(i).data), "another seed, other values: " + p.name);
                double s = 0, s2 = 0;
                int from = p.name.endsWith("word_embeddings.weight") ? c.hidden : 0;  // skip the padding row
                int n = p.size() - from;
                for (int j = from; j < p.size(); j++) {
                    s += p.data[j];
                    s2 += (double) p.data[j] * p.data[j];
                }
                double mean = s / n, std = Math.sqrt(s2 / n - mean * mean);
                assertEquals(0.0, mean, 5 * 0.02 / Math.sqrt(n), p.name + " mean");
                assertEquals(0.02, std, 0.02 * 6 / Math.sqrt(2.0 * n), p.name + " std");
            }
            assertEquals(!(ln || p.name.endsWith(".bias")), p.decay, p.name + " decay flag");
        }
        Param word = a.params().get(0);
        assertEquals("distilbert.embeddings.word_embeddings.weight", word.name);
        for (int j = 0; j < c.hidden; j++) assertEquals(0f, word.data[c.padTokenId * c.hidden + j], 0f, "padding row");
    }

    @Test
    void badBatchesAreRejectedWithAMessage() {
        ModelConfig c = TestModels.config(ModelConfig.Arch.BERT, 50, 16, 1, 2, 20, 2);
        SequenceClassifier m = Models.create(c, K, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.forward(new int[] {1, 2, 50}, new int[] {0, 3}, 1, null, false, 0));
        assertTrue(e.getMessage().contains("token id 50"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> m.forward(new int[] {1, 2}, new int[] {0, 0, 2}, 2, null, false, 0));
        assertTrue(e.getMessage().contains("row 0 is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> m.forward(new int[65], new int[] {0, 65}, 1, null, false, 0));
        assertTrue(e.getMessage().contains("max_position_embeddings"), e.getMessage());
        assertThrows(IllegalStateException.class, m::backward, "backward needs a forward with labels");
        m.forward(new int[] {1, 2}, new int[] {0, 2}, 1, null, false, 0);
        assertThrows(IllegalStateException.class, m::backward, "a forward without labels has nothing to differentiate");
    }
}
