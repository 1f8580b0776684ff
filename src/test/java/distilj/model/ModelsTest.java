package distilj.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import distilj.kernels.Parallel;
import distilj.kernels.ScalarKernels;
import java.util.Arrays;
import java.util.List;
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

    /** After the first step of the largest batch, a training step allocates (almost) nothing: buffers are reused. */
    @Test
    void stepsReuseTheirBuffers() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean,
                "this JVM cannot count allocated bytes");
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) mx;
        ModelConfig c = TestModels.config(ModelConfig.Arch.DISTILBERT, 300, 64, 2, 4, 128, 2);
        SequenceClassifier m = Models.create(c, K, 1); // K runs on one thread: everything is counted here
        int[][] big = TestModels.rows(1, 300, 40, 33, 12, 50), small = TestModels.rows(2, 300, 7, 20, 3, 9);
        int[] labels = {0, 1, 1, 0};
        m.forward(TestModels.flatten(big), TestModels.offsets(big), 4, labels, true, 1);
        m.backward();
        int[] ids = TestModels.flatten(small), off = TestModels.offsets(small);
        long before = bean.getCurrentThreadAllocatedBytes();
        for (int step = 0; step < 5; step++) {
            m.forward(ids, off, 4, labels, true, step);
            m.backward();
        }
        long perStep = (bean.getCurrentThreadAllocatedBytes() - before) / 5;
        System.out.println("allocated per training step after warm-up: " + perStep + " bytes");
        // Activations of this batch alone are > 100 KB; a few small lambdas per step are fine.
        assertTrue(perStep < 8_000, "a step allocated " + perStep + " bytes");
    }

    /** The model's tensors are exactly the checkpoint layout the loader and the exporter use (names, order, shapes, decay). */
    @Test
    void paramsMatchTheCheckpointLayout() {
        for (ModelConfig.Arch arch : ModelConfig.Arch.values()) {
            ModelConfig c = TestModels.config(arch, 40, 16, 3, 2, 24, 3);
            List<ParamLayout.Spec> specs = ParamLayout.specs(c);
            List<Param> ps = Models.create(c, K, 1).params();
            assertEquals(specs.size(), ps.size(), arch.toString());
            for (int i = 0; i < ps.size(); i++) {
                assertEquals(specs.get(i).name, ps.get(i).name);
                assertArrayEquals(specs.get(i).shape, ps.get(i).shape, ps.get(i).name);
                assertEquals(specs.get(i).decay, ps.get(i).decay, ps.get(i).name);
            }
        }
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
