package distilj.optim;

import distilj.kernels.Kernels;
import distilj.kernels.Parallel;
import distilj.model.Param;
import java.util.List;

/**
 * Global-norm gradient clipping, as {@code torch.nn.utils.clip_grad_norm_(params, max_norm)} (the Trainer's
 * {@code max_grad_norm = 1.0}):
 * <pre>
 *   total = sqrt(Σ_tensors ‖g_tensor‖²)        each ‖g_tensor‖ rounded to float, as torch's per-tensor norms are
 *   coef  = min(1, max_norm / (total + 1e-6))   in float32
 *   g    ← g · coef                             only when coef &lt; 1 (multiplying by 1 changes nothing)
 * </pre>
 * Sums run in double. Each tensor is cut into fixed chunks whose sums of squares are computed in parallel and then
 * added in chunk order, so the norm is the same for any thread count. A NaN or infinite norm is returned as is and the
 * gradients are left alone: the caller decides (the trainer stops the run).
 */
public final class GradClip {
    private GradClip() {}

    /** Elements per parallel task. */
    private static final int CHUNK = 1 << 16;

    /** The global L2 norm of all gradients, before clipping. */
    public static float norm(List<Param> params) {
        int chunks = 0;
        for (Param p : params) chunks += chunksOf(p);
        double[] partial = new double[chunks];
        int[] first = new int[params.size() + 1];
        for (int i = 0; i < params.size(); i++) first[i + 1] = first[i] + chunksOf(params.get(i));
        Kernels k = Kernels.get();
        Parallel.shared().forEach(chunks, c -> {
            int i = paramOf(first, c);
            Param p = params.get(i);
            int start = (c - first[i]) * CHUNK;
            partial[c] = k.sumSquares(p.grad, start, Math.min(CHUNK, p.size() - start));
        });
        double total = 0;
        for (int i = 0; i < params.size(); i++) {
            double s = 0;
            for (int c = first[i]; c < first[i + 1]; c++) s += partial[c];
            float n = (float) Math.sqrt(s);
            total += (double) n * n;
        }
        return (float) Math.sqrt(total);
    }

    /** Clips the gradients to global norm {@code maxNorm}; returns the norm before clipping. */
    public static float clip(List<Param> params, float maxNorm) {
        float total = norm(params);
        if (!Float.isFinite(total)) return total;
        float coef = coefficient(total, maxNorm);
        if (coef < 1f) {
            Kernels k = Kernels.get();
            Parallel.shared().forEach(params.size(), i -> k.scale(params.get(i).grad, 0, params.get(i).size(), coef));
        }
        return total;
    }

    /**
     * The factor clipping multiplies every gradient by, {@code min(1, maxNorm / (norm + 1e-6))} in float32 as torch
     * computes it; for a finite norm. The trainer hands it to {@link AdamW#step(double, float, boolean)}, which applies
     * it while it reads the gradients instead of in a pass of its own.
     */
    public static float coefficient(float norm, float maxNorm) {
        return Math.min(1f, maxNorm / (norm + 1e-6f));
    }

    private static int chunksOf(Param p) {
        return Math.max(1, (p.size() + CHUNK - 1) / CHUNK);
    }

    /** The parameter that chunk c belongs to (binary search in the first-chunk table). */
    private static int paramOf(int[] first, int c) {
        int lo = 0, hi = first.length - 2;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (first[mid] <= c) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }
}
