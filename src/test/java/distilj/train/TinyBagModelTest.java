package distilj.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import distilj.model.Param;
import org.junit.jupiter.api.Test;

/** The test model's backward against central finite differences (training mode: dropout masks are fixed by the seed). */
class TinyBagModelTest {
    @Test
    void gradientsMatchFiniteDifferences() {
        TinyBagModel m = new TinyBagModel(11, 5, 3, 0.3f, 7);
        java.util.Random r = new java.util.Random(3);
        for (float[] d : new float[][] {m.b.data}) for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        int[] ids = {1, 4, 4, 9, 0, 2, 3, 10, 7};
        int[] offsets = {0, 3, 4, 9};
        int[] labels = {2, 0, 1};
        long seed = 99;
        for (Param p : m.params()) p.zeroGrad();
        m.forward(ids, offsets, 3, labels, true, seed);
        m.backward();
        for (Param p : m.params()) {
            for (int i = 0; i < p.size(); i++) {
                float old = p.data[i];
                double eps = 1e-2;
                p.data[i] = (float) (old + eps);
                double up = m.forward(ids, offsets, 3, labels, true, seed);
                p.data[i] = (float) (old - eps);
                double down = m.forward(ids, offsets, 3, labels, true, seed);
                p.data[i] = old;
                double fd = (up - down) / (2 * eps);
                assertEquals(fd, p.grad[i], 2e-3, p.name + "[" + i + "]");
            }
        }
    }
}
