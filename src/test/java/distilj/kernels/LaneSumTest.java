package distilj.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link SimdKernels#sum} and {@link SimdKernels#sumSquares} give exactly the bits of the documented order, written
 * out here in scalar double arithmetic: blocks of CHUNK elements; in a block, element i into lane i mod dl
 * (dl = 8 double lanes), lanes folded as a halving tree, the tail added after, block sums added in order. (The kernel
 * keeps its lanes in a plain double[8]; this proves it is still that order.)
 */
class LaneSumTest {
    static double reference(float[] x, int off, int n, boolean squares) {
        int dl = SimdKernels.DL;
        double total = 0;
        for (int lo = 0; lo < n; lo += SimdKernels.CHUNK) {
            int hi = Math.min(n, lo + SimdKernels.CHUNK), i = lo;
            double[] lane = new double[dl];
            for (; i <= hi - dl; i += dl) {
                for (int l = 0; l < dl; l++) {
                    double d = x[off + i + l];
                    lane[l] += squares ? d * d : d;
                }
            }
            for (int half = dl >> 1; half >= 1; half >>= 1) {
                for (int l = 0; l < half; l++) lane[l] += lane[l + half];
            }
            double s = lane[0];
            for (; i < hi; i++) s += squares ? (double) x[off + i] * x[off + i] : x[off + i];
            total += s;
        }
        return total;
    }

    @Test
    void vectorSumsHaveTheDocumentedBits() {
        try (Parallel pool = new Parallel(2)) {
            SimdKernels k = new SimdKernels(pool);
            SplittableRandom r = new SplittableRandom(77);
            for (int n : new int[] {1, 7, 8, 9, 63, 1000, SimdKernels.CHUNK + 13, 3 * SimdKernels.CHUNK + 5}) {
                float[] x = KernelTestSupport.randn(r, n + 3, 1);
                for (int i = 0; i < x.length; i += 17) x[i] *= 1e6f; // wide magnitudes: order matters
                assertEquals(reference(x, 3, n, false), k.sum(x, 3, n), "sum n " + n);
                assertEquals(reference(x, 3, n, true), k.sumSquares(x, 3, n), "sumSquares n " + n);
            }
        }
    }
}
