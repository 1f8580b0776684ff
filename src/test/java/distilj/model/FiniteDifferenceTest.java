package distilj.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import distilj.kernels.Kernels;
import distilj.kernels.Parallel;
import distilj.kernels.ScalarKernels;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Each layer's hand-written float32 backward against central differences of an independent float64 forward
 * ({@link Ref64}). The objective is {@code f = Σ dy·layer(x)} for a random dy (the loss itself for the whole model),
 * so ∂f/∂θ is exactly what the backward computes from dy.
 *
 * <p>Tolerance: with h = 1e-5 in double the central difference is exact to ~h²·f''' + 1e-16/h ≈ 1e-10 relative,
 * so the measured error is the float32 backward's own rounding: sums of at most a few hundred products at unit
 * roundoff 6e-8 give ≲ 1e-5 relative. We require ‖g − g_fd‖/‖g_fd‖ ≤ 1e-4 per tensor; a wrong formula (a missing
 * term, a transposed index, a wrong scale) gives errors of order 1. Dropout is ON in these tests (its mask is a
 * fixed function of the seed, so f stays smooth), which also checks that the backward re-draws the forward's masks.
 */
class FiniteDifferenceTest {
    static final double H_STEP = 1e-5;
    static final double TOL = 1e-4;
    static final Parallel POOL = new Parallel(2);
    static final Kernels K = new ScalarKernels(POOL);
    static final int[][] ROWS = {{3, 7, 1}, {5}, {2, 9, 4, 4, 8}};
    static double worst = 0;
    static String worstWhere = "";

    @AfterAll
    static void report() {
        System.out.printf(Locale.ROOT, "finite differences: worst relative error %.3g (%s)%n", worst, worstWhere);
        POOL.close();
    }

    static ModelConfig cfg(ModelConfig.Arch arch) {
        ModelConfig c = TestModels.config(arch, 11, 8, 2, 2, 12, 3);
        c.maxPositions = 8;
        c.hiddenDropout = 0.2f;
        c.attentionDropout = 0.3f;
        c.classifierDropout = 0.25f;
        return c;
    }

    static PackedBatch batch(ModelConfig c) {
        PackedBatch b = new PackedBatch();
        b.set(TestModels.flatten(ROWS), TestModels.offsets(ROWS), ROWS.length, c);
        return b;
    }

    static void randomize(List<Param> ps, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Param p : ps) {
            boolean ln = p.name.contains("LayerNorm") || p.name.contains("layer_norm");
            for (int i = 0; i < p.size(); i++) {
                p.data[i] = (float) ((ln && p.name.endsWith(".weight") ? 1 : 0) + 0.4 * (2 * r.nextDouble() - 1));
            }
        }
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (2 * r.nextDouble() - 1);
        return x;
    }

    static double dot(float[] dy, double[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) s += dy[i] * y[i];
        return s;
    }

    /** Central differences of f over every entry of theta (a double copy the reference reads), against grad. */
    static void check(String what, double[] theta, float[] grad, DoubleSupplier f) {
        double num = 0, den = 0, gn = 0;
        for (int i = 0; i < theta.length; i++) {
            double keep = theta[i];
            theta[i] = keep + H_STEP;
            double fp = f.getAsDouble();
            theta[i] = keep - H_STEP;
            double fm = f.getAsDouble();
            theta[i] = keep;
            double fd = (fp - fm) / (2 * H_STEP);
            num += (grad[i] - fd) * (grad[i] - fd);
            den += fd * fd;
            gn += (double) grad[i] * grad[i];
        }
        if (what.endsWith("key.bias") || what.endsWith("k_lin.bias") || what.endsWith(" k.bias")) {
            // Analytically zero (softmax ignores a per-query constant q·b_k): both must be rounding noise.
            assertTrue(Math.sqrt(gn) < 1e-6 && Math.sqrt(den) < 1e-6, what + ": expected ~0, got |g| " + Math.sqrt(gn)
                    + ", |fd| " + Math.sqrt(den));
            return;
        }
        assertTrue(den > 0, what + ": finite differences are all zero, the check would be empty");
        double rel = Math.sqrt(num / den);
        if (rel > worst) {
            worst = rel;
            worstWhere = what;
        }
        assertTrue(rel <= TOL, what + ": relative error " + rel + " (|fd| " + Math.sqrt(den) + ")");
    }

    static void checkParams(String layer, List<Param> ps, Ref64 ref, DoubleSupplier f) {
        for (Param p : ps) check(layer + " " + p.name, ref.of(p), p.grad, f);
    }

    @Test
    void layerNormAndLinear() {
        ModelConfig c = cfg(ModelConfig.Arch.DISTILBERT);
        PackedBatch b = batch(c);
        int T = b.tokens;
        LayerNorm ln = new LayerNorm("ln", c.hidden, c.layerNormEps);
        Linear lin = new Linear("lin", c.hidden, 5);
        randomize(List.of(ln.gamma, ln.beta, lin.weight, lin.bias), 1);
        ln.ensure(T);
        float[] x = random(T * c.hidden, 2), y = new float[T * c.hidden], z = new float[T * 5];
        ln.forward(K, x, y, T);
        lin.forward(K, y, 0, z, 0, T);
        float[] dz = random(T * 5, 3), dy = new float[T * c.hidden], dx = new float[T * c.hidden];
        lin.backward(K, dz, 0, y, 0, dy, 0, T);
        ln.backward(K, dy, x, dx, T);
        Ref64 ref = new Ref64();
        double[] x64 = Ref64.toDouble(x, x.length);
        DoubleSupplier f = () -> dot(dz, ref.linear(ref.layerNorm(x64, T, ln), T, lin));
        check("layernorm+linear dx", x64, dx, f);
        checkParams("layernorm+linear", List.of(ln.gamma, ln.beta, lin.weight, lin.bias), ref, f);
    }

    @Test
    void embeddings() {
        for (ModelConfig.Arch arch : ModelConfig.Arch.values()) {
            ModelConfig c = cfg(arch);
            PackedBatch b = batch(c);
            int[] ids = TestModels.flatten(ROWS);
            Embeddings e = new Embeddings("emb.", c);
            List<Param> ps = e.tokenType == null ? List.of(e.word, e.position, e.norm.gamma, e.norm.beta)
                    : List.of(e.word, e.position, e.tokenType, e.norm.gamma, e.norm.beta);
            randomize(ps, 4);
            e.ensure(b.tokens);
            int n = b.tokens * c.hidden;
            float[] out = new float[n];
            e.forward(K, ids, b, out, true, 77);
            float[] dy = random(n, 5);
            e.backward(K, ids, b, dy.clone(), new float[n], true, 77);
            Ref64 ref = new Ref64();
            checkParams("embeddings " + arch, ps, ref, () -> dot(dy, ref.embeddings(ids, b, e, true, 77)));
        }
    }

    @Test
    void attention() {
        attention(false);
        attention(true);
    }

    void attention(boolean clsOnly) {
        ModelConfig c = cfg(ModelConfig.Arch.BERT);
        PackedBatch b = batch(c);
        int n = b.tokens * c.hidden, M = clsOnly ? b.rows : b.tokens, m = M * c.hidden;
        Attention a = new Attention(c, "q", "k", "v", "o", DropoutSite.attentionWeights(0), clsOnly);
        List<Param> ps = List.of(a.query.weight, a.query.bias, a.key.weight, a.key.bias, a.value.weight, a.value.bias,
                a.output.weight, a.output.bias);
        randomize(ps, 6);
        a.ensure(b, true);
        Workspace ws = new Workspace(c.hidden, c.ffn);
        ws.ensure(b);
        float[] x = random(n, 7), y = new float[m], dx = new float[n], dxq = new float[m];
        float[] xq = x;
        if (clsOnly) {
            xq = new float[m];
            for (int r = 0; r < b.rows; r++) System.arraycopy(x, b.start(r) * c.hidden, xq, r * c.hidden, c.hidden);
        }
        a.forward(K, x, xq, b, y, true, 99);
        float[] dy = random(m, 8);
        a.backward(K, dy, x, xq, b, dx, clsOnly ? dxq : null, ws, 99);
        if (clsOnly) {
            for (int r = 0; r < b.rows; r++) K.axpy(1f, dxq, r * c.hidden, dx, b.start(r) * c.hidden, c.hidden);
        }
        Ref64 ref = new Ref64();
        double[] x64 = Ref64.toDouble(x, n);
        DoubleSupplier f = () -> dot(dy, Ref64.firstTokens(ref.attention(x64, b, a, true, 99), b, c.hidden, clsOnly));
        assertTrue(Math.abs(f.getAsDouble() - dot(dy, Ref64.toDouble(y, m))) < 1e-4, "float forward = double forward");
        String what = clsOnly ? "attention(cls)" : "attention";
        check(what + " dx", x64, dx, f);
        checkParams(what, ps, ref, f);
    }

    @Test
    void feedForward() {
        ModelConfig c = cfg(ModelConfig.Arch.DISTILBERT);
        PackedBatch b = batch(c);
        int T = b.tokens, n = T * c.hidden;
        FeedForward ff = new FeedForward(c, "lin1", "lin2");
        List<Param> ps = List.of(ff.up.weight, ff.up.bias, ff.down.weight, ff.down.bias);
        randomize(ps, 9);
        ff.ensure(T);
        Workspace ws = new Workspace(c.hidden, c.ffn);
        ws.ensure(b);
        float[] x = random(n, 10), y = new float[n], dx = new float[n];
        ff.forward(K, x, y, T, ws);
        float[] dy = random(n, 11);
        ff.backward(K, dy, x, dx, ws, T);
        Ref64 ref = new Ref64();
        double[] x64 = Ref64.toDouble(x, n);
        DoubleSupplier f = () -> dot(dy, ref.ffn(x64, T, ff));
        check("ffn dx", x64, dx, f);
        checkParams("ffn", ps, ref, f);
    }

    @Test
    void encoderLayer() {
        for (ModelConfig.Arch arch : ModelConfig.Arch.values()) {
            for (boolean clsOnly : new boolean[] {false, true}) encoderLayer(arch, clsOnly);
        }
    }

    void encoderLayer(ModelConfig.Arch arch, boolean clsOnly) {
        {
            ModelConfig c = cfg(arch);
            PackedBatch b = batch(c);
            int n = b.tokens * c.hidden, m = (clsOnly ? b.rows : b.tokens) * c.hidden;
            EncoderLayer l = new EncoderLayer(c, 1, clsOnly);
            List<Param> ps = layerParams(l);
            randomize(ps, 12);
            l.ensure(b, true);
            Workspace ws = new Workspace(c.hidden, c.ffn);
            ws.ensure(b);
            float[] x = random(n, 13), y = new float[m];
            l.forward(K, x, b, y, true, 5, ws);
            float[] dy = random(m, 14);
            System.arraycopy(dy, 0, ws.dHidden, 0, m);
            l.backward(K, x, b, ws, 5);
            Ref64 ref = new Ref64();
            double[] x64 = Ref64.toDouble(x, n);
            DoubleSupplier f = () -> dot(dy, ref.layer(x64, b, l, true, 5));
            assertTrue(Math.abs(f.getAsDouble() - dot(dy, Ref64.toDouble(y, m))) < 1e-4, "float forward = double forward");
            String what = "layer " + arch + (clsOnly ? " (cls)" : "");
            check(what + " dx", x64, ws.dHidden, f);
            checkParams(what, ps, ref, f);
        }
    }

    @Test
    void classifierHead() {
        for (ModelConfig.Arch arch : ModelConfig.Arch.values()) {
            ModelConfig c = cfg(arch);
            PackedBatch b = batch(c);
            int n = b.rows * c.hidden;
            ClassifierHead h = new ClassifierHead(c);
            List<Param> ps = List.of(h.dense.weight, h.dense.bias, h.classifier.weight, h.classifier.bias);
            randomize(ps, 15);
            h.ensure(b.rows);
            float[] x = random(n, 16), logits = new float[b.rows * c.numLabels], dx = new float[n];
            h.forward(K, x, b.rows, logits, true, 3);
            float[] dy = random(logits.length, 17);
            h.backward(K, dy, b.rows, dx, 3);
            Ref64 ref = new Ref64();
            double[] x64 = Ref64.toDouble(x, n);
            DoubleSupplier f = () -> dot(dy, ref.head(x64, b, h, true, 3));
            check("head " + arch + " dx", x64, dx, f);
            checkParams("head " + arch, ps, ref, f);
        }
    }

    /** The whole model and the loss, composed: every parameter, dropout on, both architectures. */
    @Test
    void wholeModel() {
        for (ModelConfig.Arch arch : ModelConfig.Arch.values()) {
            ModelConfig c = cfg(arch);
            EncoderClassifier m = (EncoderClassifier) Models.create(c, K, 3);
            randomize(m.params(), 18);
            int[] ids = TestModels.flatten(ROWS), labels = {2, 0, 1};
            m.forward(ids, TestModels.offsets(ROWS), ROWS.length, labels, true, 1234);
            m.backward();
            PackedBatch b = batch(c);
            Ref64 ref = new Ref64();
            checkParams("model " + arch, m.params(), ref, () -> ref.model(ids, b, m, labels, true, 1234));
        }
    }

    static List<Param> layerParams(EncoderLayer l) {
        Attention a = l.attention;
        return List.of(a.query.weight, a.query.bias, a.key.weight, a.key.bias, a.value.weight, a.value.bias,
                a.output.weight, a.output.bias, l.norm1.gamma, l.norm1.beta, l.ffn.up.weight, l.ffn.up.bias,
                l.ffn.down.weight, l.ffn.down.bias, l.norm2.gamma, l.norm2.beta);
    }
}
