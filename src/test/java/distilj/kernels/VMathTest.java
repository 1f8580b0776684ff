package distilj.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The vector maths' edge cases: the clamp-free exp gives exp's bits, and GELU keeps the oracle's infinities and NaNs. */
class VMathTest {
    private static final int L = VMath.F.length();

    @Test
    void expBelow88GivesTheBitsOfExpWherever88IsNotExceeded() {
        SplittableRandom r = new SplittableRandom(7);
        float[] x = new float[64 * L];
        float[] special = {0f, -0f, -87f, Math.nextDown(-87f), Math.nextUp(-87f), -87.5f, -103f, -1e30f,
            Float.NEGATIVE_INFINITY, Float.NaN, 88f, 1e-30f, -1e-30f, Float.MIN_VALUE, -Float.MIN_VALUE};
        for (int i = 0; i < x.length; i++) {
            x[i] = i < special.length ? special[i] : (float) (r.nextDouble() * 200 - 112); // [−112, 88)
        }
        for (int i = 0; i < x.length; i += L) {
            FloatVector v = FloatVector.fromArray(VMath.F, x, i);
            float[] a = VMath.exp(v).toArray(), b = VMath.expBelow88(v).toArray();
            for (int l = 0; l < L; l++) {
                assertEquals(Float.floatToRawIntBits(a[l]), Float.floatToRawIntBits(b[l]),
                        "x = " + x[i + l] + ": exp " + a[l] + ", expBelow88 " + b[l]);
            }
        }
    }

    @Test
    void theScalarExpIsTheVectorExpLaneForLane() {
        SplittableRandom r = new SplittableRandom(11);
        float[] x = new float[256 * L];
        float[] special = {0f, -0f, -87f, Math.nextDown(-87f), -88f, Float.NEGATIVE_INFINITY, Float.NaN, 88f, -1e-30f,
            -0.34657359f, 0.34657359f, -20.5f};
        for (int i = 0; i < x.length; i++) {
            x[i] = i < special.length ? special[i] : (float) (r.nextDouble() * 120 - 100); // [−100, 20)
        }
        for (int i = 0; i < x.length; i += L) {
            float[] v = VMath.expBelow88(FloatVector.fromArray(VMath.F, x, i)).toArray();
            for (int l = 0; l < L; l++) {
                float s = VMath.expBelow88(x[i + l]);
                assertEquals(Float.floatToRawIntBits(v[l]), Float.floatToRawIntBits(s),
                        "x = " + x[i + l] + ": vector " + v[l] + ", scalar " + s);
            }
        }
    }

    @Test
    void geluKeepsTheOraclesInfinitiesAndNaNs() {
        try (Parallel pool = new Parallel(1)) {
            Kernels s = new ScalarKernels(pool), v = new SimdKernels(pool);
            float[] x = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, -0f, 0f, 100f, -100f, 13.5f, -13.5f,
                Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f, -9.5f, 9.5f, 3f, -3f, 0.5f};
            float[] dy = new float[x.length];
            java.util.Arrays.fill(dy, 1f);
            float[][] out = new float[4][x.length];
            s.geluForward(x, 0, out[0], 0, x.length);
            v.geluForward(x, 0, out[1], 0, x.length);
            s.geluBackward(x, 0, dy, 0, out[2], 0, x.length);
            v.geluBackward(x, 0, dy, 0, out[3], 0, x.length);
            for (int k = 0; k < 4; k += 2) {
                for (int i = 0; i < x.length; i++) {
                    float a = out[k][i], b = out[k + 1][i];
                    String what = (k == 0 ? "GELU" : "GELU'") + "(" + x[i] + "): scalar " + a + ", SIMD " + b;
                    if (Float.isNaN(a)) {
                        assertTrue(Float.isNaN(b), what);
                    } else if (Float.isInfinite(a)) {
                        assertEquals(a, b, what);
                    } else { // finite: within 1e-6 absolute (|GELU| < 1) or relative
                        assertTrue(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a)), what);
                    }
                }
            }
        }
    }
}
