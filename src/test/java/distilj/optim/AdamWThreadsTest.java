package distilj.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import distilj.kernels.Parallel;
import distilj.model.Param;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** AdamW over tensors of several chunks gives the same bits on 1 and 3 threads, for both variants. */
class AdamWThreadsTest {
    static float[][] run(int threads, AdamW.Variant variant) {
        int saved = Parallel.shared().threads();
        Parallel.setDefaultThreads(threads);
        try {
            Random r = new Random(11);
            Param a = new Param("w", true, 3 * 65536 + 17), b = new Param("b", false, 1001);
            for (Param p : List.of(a, b)) for (int i = 0; i < p.size(); i++) p.data[i] = (float) r.nextGaussian();
            AdamW opt = new AdamW(List.of(a, b), variant, 0.9, 0.999, 1e-8, 0.01);
            for (int s = 0; s < 3; s++) {
                for (Param p : List.of(a, b)) for (int i = 0; i < p.size(); i++) p.grad[i] = (float) r.nextGaussian();
                opt.step(1e-3 * (3 - s));
            }
            return new float[][] {a.data, b.data, opt.m(0), opt.v(0), opt.m(1), opt.v(1)};
        } finally {
            Parallel.setDefaultThreads(saved);
        }
    }

    @Test
    void sameBitsForAnyThreadCount() {
        for (AdamW.Variant v : AdamW.Variant.values()) {
            float[][] one = run(1, v), three = run(3, v);
            for (int k = 0; k < one.length; k++) assertArrayEquals(one[k], three[k], v + " array " + k);
        }
    }
}
