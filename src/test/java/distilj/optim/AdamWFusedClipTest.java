package distilj.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import distilj.model.Param;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The trainer's one-pass step, {@code step(lr, GradClip.coefficient(norm, max), true)}, against the three passes it
 * replaces (clip the gradients in place, step, zero the gradients): the same bits in weights and moments, and the
 * gradients left at zero. Steps with and without clipping, both variants.
 */
class AdamWFusedClipTest {
    /** Weights and moments after three steps; gradients of norm ≈ 330 (clipped at 1) or ≈ 0.33 (not clipped). */
    static float[][] run(AdamW.Variant variant, boolean fused, float gradStd) {
        Random r = new Random(5);
        Param a = new Param("w", true, 70_001), b = new Param("b", false, 333);
        List<Param> ps = List.of(a, b);
        for (Param p : ps) for (int i = 0; i < p.size(); i++) p.data[i] = (float) r.nextGaussian();
        AdamW opt = new AdamW(ps, variant, 0.9, 0.999, 1e-8, 0.01);
        for (int s = 0; s < 3; s++) {
            for (Param p : ps) for (int i = 0; i < p.size(); i++) p.grad[i] += (float) (gradStd * r.nextGaussian());
            double lr = 1e-3 * (3 - s);
            if (fused) {
                float norm = GradClip.norm(ps);
                opt.step(lr, GradClip.coefficient(norm, 1f), true);
                for (Param p : ps) assertArrayEquals(new float[p.size()], p.grad, "gradients are zeroed by the step");
            } else {
                GradClip.clip(ps, 1f);
                opt.step(lr);
                for (Param p : ps) p.zeroGrad();
            }
        }
        return new float[][] {a.data, b.data, opt.m(0), opt.v(0), opt.m(1), opt.v(1)};
    }

    @Test
    void onePassEqualsClipThenStepThenZero() {
        for (AdamW.Variant v : AdamW.Variant.values()) {
            for (float std : new float[] {1f, 1e-3f}) {
                float[][] three = run(v, false, std), one = run(v, true, std);
                for (int k = 0; k < one.length; k++) assertArrayEquals(three[k], one[k], v + " std " + std + " array " + k);
            }
        }
    }

    @Test
    void coefficientIsTorchs() {
        assertEquals(1f, GradClip.coefficient(0.5f, 1f));
        assertEquals(1f / (2f + 1e-6f), GradClip.coefficient(2f, 1f));
        // the clipped and unclipped runs differ, so the test above exercises both branches
        assertNotEquals(run(AdamW.Variant.TORCH, true, 1f)[0][0], run(AdamW.Variant.TORCH, true, 1e-3f)[0][0]);
    }

    @Test
    void rejectsScalesOutsideZeroOne() {
        AdamW opt = new AdamW(List.of(new Param("w", true, 3)), 0.01);
        assertThrows(IllegalArgumentException.class, () -> opt.step(1e-3, 1.5f, true));
        assertThrows(IllegalArgumentException.class, () -> opt.step(1e-3, Float.NaN, true));
    }
}
