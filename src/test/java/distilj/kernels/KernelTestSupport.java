package distilj.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

/** Random inputs and comparison helpers shared by the kernel tests. */
final class KernelTestSupport {
    private KernelTestSupport() {}

    /** Float32 unit roundoff 2⁻²⁴ (half an ulp of 1). */
    static final double EPS = 0x1.0p-24;

    /** The sizes that catch off-by-one vector tails: below, at and around multiples of 16 lanes. */
    static final int[] ODD_SIZES = {1, 3, 7, 16, 17, 63, 65, 767, 769};
    static final long[] SEEDS = {1, 2, 3};

    static float[] randn(SplittableRandom r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (gaussian(r) * scale);
        return a;
    }

    static double gaussian(SplittableRandom r) {
        double u = r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
    }

    /** Fails with the first index where |a − b| exceeds tol[i]. */
    static void assertWithin(String what, float[] expected, float[] actual, double[] tol) {
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (!(d <= tol[i])) {
                fail(what + ": index " + i + " expected " + expected[i] + " got " + actual[i] + " (|diff| " + d
                        + " > tolerance " + tol[i] + ")");
            }
        }
    }

    static void assertBitsEqual(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": index " + i + " expected " + expected[i] + " got " + actual[i] + " (not bit-identical)");
            }
        }
        if (expected.length != actual.length) fail(what + ": lengths differ");
    }

    static double ulp(double v) {
        return Math.ulp((float) Math.abs(v));
    }
}
