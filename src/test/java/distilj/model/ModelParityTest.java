package distilj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import distilj.kernels.Kernels;
import distilj.kernels.Parallel;
import distilj.kernels.ScalarKernels;
import distilj.kernels.SimdKernels;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Logits, loss and every parameter's gradient against transformers + torch autograd, from the fixtures of
 * scripts/make_model_fixtures.py (transformers runs the batch padded with a mask, we run it packed).
 */
class ModelParityTest {
    static final Parallel POOL = new Parallel(2);

    @AfterAll
    static void close() {
        POOL.close();
    }

    static Kernels scalar() {
        return new ScalarKernels(POOL);
    }

    static Kernels simd() {
        return new SimdKernels(POOL);
    }

    @Test
    void tinyDistilbertScalar() {
        check("tiny-distilbert", scalar(), 1e-5, 1e-4);
    }

    @Test
    void tinyDistilbertSimd() {
        check("tiny-distilbert", simd(), 1e-5, 1e-4);
    }

    @Test
    void tinyBertScalar() {
        check("tiny-bert", scalar(), 1e-5, 1e-4);
    }

    @Test
    void tinyBertSimd() {
        check("tiny-bert", simd(), 1e-5, 1e-4);
    }

    @Test
    void realWidthDistilbert() {
        check("real-width-distilbert", simd(), 1e-4, 1e-4);
    }

    /** Forward + backward on the fixture batch; asserts logits, loss and per-tensor gradient relative errors. */
    static void check(String name, Kernels k, double logitTol, double gradTol) {
        Fixture f = new Fixture(name);
        ModelConfig cfg = f.config();
        SequenceClassifier model = Models.create(cfg, k, 7);
        f.loadWeights(model);
        int[] ids = f.ints("ids"), offsets = f.ints("offsets"), labels = f.ints("labels");
        int rows = f.rows();

        float loss = model.forward(ids, offsets, rows, labels, false, 0);
        float[] ref = f.floats("logits");
        double maxDiff = maxAbsDiff(model.logits(), ref);
        double lossRef = f.manifest.get("loss").asDouble();
        System.out.printf(Locale.ROOT, "%s [%s]: logits max |diff| %.3g, loss %.7f vs %.7f%n",
                name, k.name(), maxDiff, loss, lossRef);
        assertEquals(ref.length, model.logits().length);
        assertTrue(maxDiff <= logitTol, name + ": logits differ by " + maxDiff);
        assertEquals(lossRef, loss, Math.max(1e-6, 1e-5 * Math.abs(lossRef)), name + ": loss");

        for (Param p : model.params()) p.zeroGrad();
        model.backward();
        JsonNode ps = f.manifest.get("params");
        double maxNorm = 0;
        for (JsonNode e : ps) maxNorm = Math.max(maxNorm, e.get("gradNorm").asDouble());
        double worst = 0;
        String worstName = "";
        for (int i = 0; i < ps.size(); i++) {
            JsonNode e = ps.get(i);
            Param p = model.params().get(i);
            float[] g = f.npy(e.get("grad").asText()).asFloatArray();
            double rel;
            if (e.has("gradRows")) {
                int[] sel = f.npy(e.get("gradRows").asText()).asIntArray();
                int width = p.size() / p.shape[0];
                float[] ours = new float[sel.length * width];
                for (int s = 0; s < sel.length; s++) System.arraycopy(p.grad, sel[s] * width, ours, s * width, width);
                rel = relError(ours, g);
                // The whole tensor's norm must match too (catches gradient written to rows outside the subset).
                double norm = Math.sqrt(k.sumSquares(p.grad, 0, p.size()));
                double normRef = e.get("gradNorm").asDouble();
                assertTrue(Math.abs(norm - normRef) <= gradTol * normRef,
                        p.name + ": gradient norm " + norm + " vs " + normRef);
            } else {
                rel = relError(p.grad, g);
            }
            if (p.name.endsWith("k_lin.bias") || p.name.endsWith("self.key.bias")) {
                // Analytically zero: adding a constant to every key shifts each query's scores by q·b, a constant
                // that softmax removes. Both sides hold rounding noise; the difference must be noise-sized.
                double abs = rel * e.get("gradNorm").asDouble();
                if (e.get("gradNorm").asDouble() == 0) abs = rel;
                assertTrue(e.get("gradNorm").asDouble() <= 1e-5 * maxNorm && abs <= 1e-5 * maxNorm,
                        p.name + ": should be ~0, |g − g_ref| = " + abs);
                continue;
            }
            if (rel > worst) {
                worst = rel;
                worstName = p.name;
            }
            assertTrue(rel <= gradTol, p.name + ": gradient relative error " + rel);
        }
        System.out.printf(Locale.ROOT, "%s [%s]: worst gradient relative error %.3g (%s) over %d tensors%n",
                name, k.name(), worst, worstName, ps.size());
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return a.length == b.length ? m : Double.POSITIVE_INFINITY;
    }

    /** ‖g − g_ref‖ / ‖g_ref‖ (and ‖g‖ when the reference is exactly zero). */
    static double relError(float[] g, float[] ref) {
        if (g.length < ref.length) return Double.POSITIVE_INFINITY;
        double num = 0, den = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = (double) g[i] - ref[i];
            num += d * d;
            den += (double) ref[i] * ref[i];
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }
}
