package distilj.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import distilj.kernels.Kernels;
import distilj.kernels.Parallel;
import distilj.kernels.ScalarKernels;
import distilj.kernels.SimdKernels;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A sentence's logits are bit-identical alone and inside any batch, for 1, 2 and 3 threads, with the scalar and
 * the SIMD kernels (each compared with itself: the two kernel sets may round differently).
 */
class BatchInvarianceTest {
    enum Impl { SCALAR, SIMD }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void distilbert(Impl impl) {
        check(impl, TestModels.config(ModelConfig.Arch.DISTILBERT, 300, 96, 2, 3, 200, 2));
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void bert(Impl impl) {
        check(impl, TestModels.config(ModelConfig.Arch.BERT, 300, 64, 2, 4, 130, 3));
    }

    static void check(Impl impl, ModelConfig cfg) {
        int[][] rows = TestModels.rows(5, cfg.vocabSize, 9, 1, 23, 4, 17, 2, 31);
        List<float[]> reference = null;
        for (int threads = 1; threads <= 3; threads++) {
            try (Parallel pool = new Parallel(threads)) {
                Kernels k = impl == Impl.SCALAR ? new ScalarKernels(pool) : new SimdKernels(pool);
                SequenceClassifier m = Models.create(cfg, k, 99);
                TestModels.perturb(m, 3);
                if (reference == null) {
                    // Each row alone, single-threaded: the reference.
                    reference = new ArrayList<>();
                    for (int[] row : rows) reference.add(run(m, new int[][] {row}).get(0));
                }
                // The whole batch, reversed, and a batch where rows appear twice at other places.
                check(reference, rows, run(m, rows), r -> r, threads);
                int n = rows.length;
                int[][] reversed = new int[n][];
                for (int i = 0; i < n; i++) reversed[i] = rows[n - 1 - i];
                check(reference, rows, run(m, reversed), r -> n - 1 - r, threads);
                int[][] doubled = new int[2 * n][];
                for (int i = 0; i < 2 * n; i++) doubled[i] = rows[(i * 3) % n];
                check(reference, rows, run(m, doubled), r -> (r * 3) % n, threads);
                // A training step in between must not disturb an evaluation (buffers are reused).
                int[] labels = new int[n];
                m.forward(TestModels.flatten(rows), TestModels.offsets(rows), n, labels, true, 17);
                m.backward();
                check(reference, rows, run(m, rows), r -> r, threads);
            }
        }
        System.out.println("batch invariance " + cfg.arch + " [" + impl + "]: " + rows.length
                + " rows bit-identical alone and in 4 batches, 1-3 threads");
    }

    /** position r of the batch holds rows[index(r)]. */
    static void check(List<float[]> reference, int[][] rows, List<float[]> got, Function<Integer, Integer> index,
                      int threads) {
        assertEquals(got.size() > 0, true);
        for (int r = 0; r < got.size(); r++) {
            float[] want = reference.get(index.apply(r));
            assertArrayEquals(want, got.get(r), 0f, "row " + r + " with " + threads + " threads");
            for (int c = 0; c < want.length; c++) {
                assertEquals(Float.floatToRawIntBits(want[c]), Float.floatToRawIntBits(got.get(r)[c]));
            }
        }
    }

    static List<float[]> run(SequenceClassifier m, int[][] rows) {
        m.forward(TestModels.flatten(rows), TestModels.offsets(rows), rows.length, null, false, 0);
        int c = m.config().numLabels;
        List<float[]> out = new ArrayList<>();
        for (int r = 0; r < rows.length; r++) out.add(java.util.Arrays.copyOfRange(m.logits(), r * c, r * c + c));
        return out;
    }
}
