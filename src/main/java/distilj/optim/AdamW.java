package distilj.optim;

import distilj.kernels.Parallel;
import distilj.model.Param;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter), as {@code torch.optim.AdamW} computes it, which is
 * what the Hugging Face Trainer uses ({@code adamw_torch}, and {@code adamw_torch_fused}, the default of
 * transformers 5.x: both give the same bits on CPU for the fixture of {@code scripts/make_optim_fixtures.py}).
 *
 * <p>Per step t (1-based), for every element of every parameter, with gradient g:
 * <pre>
 *   p ← p · (1 − lr·wd)                      decoupled decay, only for {@link Param#decay} tensors
 *   m ← m + (1 − β1)·(g − m)                 = β1·m + (1 − β1)·g   (torch: exp_avg.lerp_(g, 1 − β1))
 *   v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1ᵗ)) · m / (sqrt(v) / sqrt(1 − β2ᵗ) + eps)
 * </pre>
 * Scalars (lr, the bias corrections, the step size) are computed in double as Python does and rounded to float once;
 * the element-wise work is float32 in torch's operation order (lerp as a fused multiply-add, as torch's vectorised
 * CPU kernel does), so three steps agree with torch to a few ulps.
 *
 * <p>{@link Variant#LEGACY} is the AdamW that transformers shipped until 4.x (removed since; 5.24 has none):
 * bias correction folded into the step size, eps added to the uncorrected {@code sqrt(v)}, and the decay applied
 * after the update: {@code p ← p − lr·sqrt(1−β2ᵗ)/(1−β1ᵗ) · m/(sqrt(v)+eps)}, then {@code p ← p − lr·wd·p}.
 *
 * <p>State: m and v per parameter (float[] of the parameter's size) and the step count t, shared by all parameters
 * (torch keeps one per tensor, always equal in a Trainer run). {@link #step(double)} allocates nothing; the work is
 * split over fixed chunks of elements, so the result does not depend on the thread count.
 */
public final class AdamW {
    public enum Variant { TORCH, LEGACY }

    /** Elements per parallel task: big enough to amortise the dispatch, small enough to balance. */
    private static final int CHUNK = 1 << 16;

    private final List<Param> params;
    private final Variant variant;
    private final double beta1, beta2, eps, weightDecay;
    private final float[][] m, v;
    private long t;

    /** Chunk k covers elements [chunkStart[k], chunkEnd[k]) of parameter chunkParam[k]. */
    private final int[] chunkParam, chunkStart, chunkEnd;

    /** The Trainer's AdamW: β (0.9, 0.999), eps 1e-8, torch semantics. */
    public AdamW(List<Param> params, double weightDecay) {
        this(params, Variant.TORCH, 0.9, 0.999, 1e-8, weightDecay);
    }

    public AdamW(List<Param> params, Variant variant, double beta1, double beta2, double eps, double weightDecay) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
            throw new IllegalArgumentException("AdamW betas must be in [0, 1), got " + beta1 + ", " + beta2);
        if (!(eps >= 0) || !(weightDecay >= 0))
            throw new IllegalArgumentException("AdamW eps and weight decay must be >= 0, got " + eps + ", " + weightDecay);
        this.params = List.copyOf(params);
        this.variant = variant;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.m = new float[this.params.size()][];
        this.v = new float[this.params.size()][];
        List<int[]> chunks = new ArrayList<>();
        for (int i = 0; i < this.params.size(); i++) {
            int n = this.params.get(i).size();
            m[i] = new float[n];
            v[i] = new float[n];
            for (int s = 0; s < n; s += CHUNK) chunks.add(new int[] {i, s, Math.min(n, s + CHUNK)});
        }
        chunkParam = new int[chunks.size()];
        chunkStart = new int[chunks.size()];
        chunkEnd = new int[chunks.size()];
        for (int k = 0; k < chunks.size(); k++) {
            chunkParam[k] = chunks.get(k)[0];
            chunkStart[k] = chunks.get(k)[1];
            chunkEnd[k] = chunks.get(k)[2];
        }
    }

    public Variant variant() {
        return variant;
    }

    public List<Param> params() {
        return params;
    }

    /** Steps taken so far (t of the last step; 0 before the first). */
    public long stepCount() {
        return t;
    }

    /** First moment of parameter i (the live array: a checkpoint reads it, a restore writes into it). */
    public float[] m(int i) {
        return m[i];
    }

    /** Second moment of parameter i (the live array). */
    public float[] v(int i) {
        return v[i];
    }

    /** Restores the step count (with m and v written into {@link #m(int)} / {@link #v(int)}). */
    public void setStepCount(long t) {
        if (t < 0) throw new IllegalArgumentException("AdamW step count must be >= 0, got " + t);
        this.t = t;
    }

    /** Forgets everything: m = v = 0, t = 0. */
    public void reset() {
        for (int i = 0; i < m.length; i++) {
            Arrays.fill(m[i], 0f);
            Arrays.fill(v[i], 0f);
        }
        t = 0;
    }

    /** One update of every parameter from its {@link Param#grad}, with learning rate lr (this step's scheduled lr). */
    public void step(double lr) {
        step(lr, 1f, false);
    }

    /**
     * One update from the gradients times {@code gradScale}, the clipping coefficient of {@link GradClip#coefficient}
     * (g·coef rounded to float, exactly the value torch's in-place {@code g.mul_(coef)} leaves for the optimiser), and,
     * when {@code zeroGrads}, each gradient set to 0 once read. One pass over the memory instead of three (scale,
     * update, zero_grad before the next backward): the same bits, about 0.1 s less per DistilBERT-base step.
     */
    public void step(double lr, float gradScale, boolean zeroGrads) {
        if (!(gradScale >= 0f && gradScale <= 1f))
            throw new IllegalArgumentException("gradient scale must be in [0, 1], got " + gradScale);
        t++;
        double bc1 = 1.0 - Math.pow(beta1, t);
        double bc2 = 1.0 - Math.pow(beta2, t);
        Parallel pool = Parallel.shared();
        if (variant == Variant.TORCH) {
            // torch: param.mul_(1 - lr*wd); exp_avg.lerp_(g, 1-β1); exp_avg_sq.mul_(β2).addcmul_(g, g, value=1-β2);
            // denom = (exp_avg_sq.sqrt() / bc2**0.5).add_(eps); param.addcdiv_(exp_avg, denom, value=-lr/bc1)
            float decayMul = (float) (1.0 - lr * weightDecay);
            float w1 = (float) (1.0 - beta1);
            float b2 = (float) beta2;
            float c2 = (float) (1.0 - beta2);
            float bc2Sqrt = (float) Math.sqrt(bc2);
            float epsF = (float) eps;
            float negStepSize = (float) (-(lr / bc1));
            pool.forEach(chunkParam.length, k -> torchChunk(k, decayMul, w1, b2, c2, bc2Sqrt, epsF, negStepSize, gradScale,
                    zeroGrads));
        } else {
            // transformers 4.x: exp_avg.mul_(β1).add_(g, alpha=1-β1); exp_avg_sq.mul_(β2).addcmul_(g, g, value=1-β2);
            // denom = exp_avg_sq.sqrt().add_(eps); p.addcdiv_(exp_avg, denom, value=-lr*sqrt(bc2)/bc1);
            // p.add_(p, alpha=-lr*wd)
            float b1 = (float) beta1;
            float c1 = (float) (1.0 - beta1);
            float b2 = (float) beta2;
            float c2 = (float) (1.0 - beta2);
            float epsF = (float) eps;
            float negStepSize = (float) (-(lr * Math.sqrt(bc2) / bc1));
            float negDecay = (float) (-lr * weightDecay);
            pool.forEach(chunkParam.length, k -> legacyChunk(k, b1, c1, b2, c2, epsF, negStepSize, negDecay, gradScale,
                    zeroGrads));
        }
    }

    private void torchChunk(int k, float decayMul, float w1, float b2, float c2, float bc2Sqrt, float eps,
                            float negStepSize, float gradScale, boolean zeroGrads) {
        int i = chunkParam[k];
        Param p = params.get(i);
        float[] w = p.data, g = p.grad, mi = m[i], vi = v[i];
        boolean decay = p.decay && weightDecay != 0;
        for (int j = chunkStart[k], end = chunkEnd[k]; j < end; j++) {
            float pj = decay ? w[j] * decayMul : w[j];
            float gj = g[j] * gradScale; // × 1 changes nothing
            if (zeroGrads) g[j] = 0f;
            float mj = Math.fma(w1, gj - mi[j], mi[j]);
            float vj = vi[j] * b2 + c2 * gj * gj;
            float denom = (float) Math.sqrt(vj) / bc2Sqrt + eps;
            mi[j] = mj;
            vi[j] = vj;
            w[j] = pj + negStepSize * mj / denom;
        }
    }

    private void legacyChunk(int k, float b1, float c1, float b2, float c2, float eps, float negStepSize,
                             float negDecay, float gradScale, boolean zeroGrads) {
        int i = chunkParam[k];
        Param p = params.get(i);
        float[] w = p.data, g = p.grad, mi = m[i], vi = v[i];
        boolean decay = p.decay && weightDecay != 0;
        for (int j = chunkStart[k], end = chunkEnd[k]; j < end; j++) {
            float gj = g[j] * gradScale;
            if (zeroGrads) g[j] = 0f;
            float mj = Math.fma(gj, c1, mi[j] * b1);
            float vj = vi[j] * b2 + c2 * gj * gj;
            float denom = (float) Math.sqrt(vj) + eps;
            float pj = w[j] + negStepSize * mj / denom;
            if (decay) pj = Math.fma(pj, negDecay, pj);
            mi[j] = mj;
            vi[j] = vj;
            w[j] = pj;
        }
    }
}
