package distilj.kernels;

import static distilj.kernels.KernelTestSupport.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The dropout mask: its keep rate, its scaling, and its independence of thread count and kernel set. */
class DropoutTest {

    @Test
    void keepsAboutOneMinusPAndScalesKeptValues() {
        int n = 200_003;
        float[] ones = new float[n];
        Arrays.fill(ones, 1f);
        try (Parallel pool = new Parallel(2)) {
            Kernels k = new SimdKernels(pool);
            for (float p : new float[] {0.1f, 0.2f, 0.5f}) {
                float[] y = new float[n];
                k.dropout(ones, 0, y, 0, n, p, 42, 0);
                int kept = 0;
                for (float v : y) {
                    if (v != 0f) {
                        kept++;
                        assertEquals(1f / (1f - p), v, "kept values are scaled by 1/(1-p)");
                    }
                }
                // kept ~ Binomial(n, 1−p): mean n(1−p), sd √(n·p·(1−p)) ≤ 224 here. A 6-sd band fails a correct
                // generator with probability ~2e-9, while a biased one (e.g. off by 1%) misses it by > 8 sd.
                double mean = n * (1.0 - p), sd = Math.sqrt(n * p * (1.0 - p));
                assertTrue(Math.abs(kept - mean) <= 6 * sd, "p=" + p + ": kept " + kept + ", expected " + mean + " ± " + 6 * sd);
            }
        }
    }

    @Test
    void sameSeedSameMaskForAnyThreadCountAndKernelSet() {
        int n = 3 * SimdKernels.CHUNK + 17; // several parallel chunks and a ragged tail
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = i % 13 - 6f;
        float[] reference = new float[n];
        new ScalarKernels(null).dropout(x, 0, reference, 0, n, 0.1f, 1234, 777);
        for (int threads = 1; threads <= 3; threads++) {
            try (Parallel pool = new Parallel(threads)) {
                float[] y = new float[n];
                new SimdKernels(pool).dropout(x, 0, y, 0, n, 0.1f, 1234, 777);
                assertBitsEqual("dropout mask with " + threads + " threads", reference, y);
                float[] inPlace = x.clone();
                new SimdKernels(pool).dropout(inPlace, 0, inPlace, 0, n, 0.1f, 1234, 777);
                assertBitsEqual("in-place dropout with " + threads + " threads", reference, inPlace);
            }
        }
        // A different seed or counter gives a different mask.
        float[] other = new float[n];
        new ScalarKernels(null).dropout(x, 0, other, 0, n, 0.1f, 1235, 777);
        assertNotEquals(Arrays.hashCode(reference), Arrays.hashCode(other));
        new ScalarKernels(null).dropout(x, 0, other, 0, n, 0.1f, 1234, 778);
        assertNotEquals(Arrays.hashCode(reference), Arrays.hashCode(other));
    }
}
