package distilj.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import distilj.model.Param;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradClipTest {
    static Param param(String name, float... g) {
        Param p = new Param(name, true, g.length);
        System.arraycopy(g, 0, p.grad, 0, g.length);
        return p;
    }

    @Test
    void belowTheLimitNothingChanges() {
        Param a = param("a", 0.3f, 0.4f), b = param("b", 0f);
        assertEquals(0.5f, GradClip.clip(List.of(a, b), 1f), 1e-7f);
        assertArrayEquals(new float[] {0.3f, 0.4f}, a.grad);
    }

    @Test
    void aboveTheLimitScalesToMaxNormOverNormPlusEpsilon() {
        Param a = param("a", 3f, 0f), b = param("b", 0f, 4f, 0f);
        float norm = GradClip.clip(List.of(a, b), 1f);
        assertEquals(5f, norm);
        float coef = 1f / (5f + 1e-6f);
        assertArrayEquals(new float[] {3f * coef, 0f}, a.grad);
        assertArrayEquals(new float[] {0f, 4f * coef, 0f}, b.grad);
    }

    @Test
    void nonFiniteNormIsReportedAndGradientsLeftAlone() {
        Param a = param("a", Float.NaN, 1f);
        assertTrue(Float.isNaN(GradClip.clip(List.of(a), 1f)));
        assertEquals(1f, a.grad[1]);
        Param b = param("b", Float.POSITIVE_INFINITY, 1f);
        assertEquals(Float.POSITIVE_INFINITY, GradClip.clip(List.of(b), 1f));
    }

    @Test
    void normIsTheSameForAnyThreadCountAndMatchesADoubleSum() {
        java.util.Random r = new java.util.Random(5);
        Param a = param("a", new float[3 * 65536 + 11]), b = param("b", new float[7]);
        for (Param p : List.of(a, b)) for (int i = 0; i < p.size(); i++) p.grad[i] = (float) r.nextGaussian();
        int saved = distilj.kernels.Parallel.shared().threads();
        float n1, n3;
        try {
            distilj.kernels.Parallel.setDefaultThreads(1);
            n1 = GradClip.norm(List.of(a, b));
            distilj.kernels.Parallel.setDefaultThreads(3);
            n3 = GradClip.norm(List.of(a, b));
        } finally {
            distilj.kernels.Parallel.setDefaultThreads(saved);
        }
        assertEquals(n1, n3, 0f);
        double sa = 0, sb = 0;
        for (float g : a.grad) sa += (double) g * g;
        for (float g : b.grad) sb += (double) g * g;
        float na = (float) Math.sqrt(sa), nb = (float) Math.sqrt(sb);
        assertEquals((float) Math.sqrt((double) na * na + (double) nb * nb), n1, 1e-6f * n1);
    }
}
