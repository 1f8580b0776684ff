package distilj.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import distilj.kernels.Kernels;
import distilj.kernels.Parallel;
import distilj.kernels.SimdKernels;
import org.junit.jupiter.api.Test;

/**
 * {@link SequenceClassifier#reserve}: buffers sized up front for the largest batch are never reallocated by the
 * batches that follow, and the numbers are those of a model that grew its buffers batch by batch (bits, loss and
 * gradients, training with dropout).
 */
class ReserveTest {
    @Test
    void reservedModelAllocatesOnceAndComputesTheSame() {
        ModelConfig cfg = TestModels.config(ModelConfig.Arch.DISTILBERT, 300, 64, 2, 4, 130, 2);
        int[][] small = TestModels.rows(3, cfg.vocabSize, 4, 2, 7);
        int[][] large = TestModels.rows(4, cfg.vocabSize, 30, 9, 31, 5, 12, 28);
        try (Parallel pool = new Parallel(2)) {
            Kernels k = new SimdKernels(pool);
            EncoderClassifier grown = (EncoderClassifier) Models.create(cfg, k, 7);
            EncoderClassifier reserved = (EncoderClassifier) Models.create(cfg, k, 7);
            int maxTokens = TestModels.flatten(large).length;
            LargestBatch largest = new LargestBatch(cfg.heads);
            largest.add(TestModels.offsets(small), small.length);
            largest.add(TestModels.offsets(large), large.length);
            largest.reserveIn(reserved, true);
            float[] ffnPre = reserved.layers[0].ffn.pre, probs = reserved.layers[0].attention.probs;
            assertEquals((long) maxTokens * cfg.ffn, ffnPre.length, "reserve sizes buffers exactly");
            for (int[][] rows : new int[][][] {small, large, small}) {
                int[] labels = new int[rows.length];
                float lg = step(grown, rows, labels), lr = step(reserved, rows, labels);
                assertEquals(lg, lr, "loss");
                for (int p = 0; p < grown.params().size(); p++) {
                    assertArrayEquals(grown.params().get(p).grad, reserved.params().get(p).grad, grown.params().get(p).name);
                }
            }
            assertSame(ffnPre, reserved.layers[0].ffn.pre, "no reallocation after reserve");
            assertSame(probs, reserved.layers[0].attention.probs, "no reallocation after reserve");
        }
    }

    private static float step(SequenceClassifier m, int[][] rows, int[] labels) {
        for (Param p : m.params()) p.zeroGrad();
        float loss = m.forward(TestModels.flatten(rows), TestModels.offsets(rows), rows.length, labels, true, 3);
        m.backward();
        return loss;
    }
}
