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
}
