package distilj.optim;

import distilj.kernels.Kernels;
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
 * Sums run in double in a fixed order (parameter order, then {@link Kernels#sumSquares}'s order), so the norm does not
 * depend on the thread count. A NaN or infinite norm is returned as is and the gradients are left alone: the caller
 * decides (the trainer stops the run).
 */
public final class GradClip {
    private GradClip() {}

    /** The global L2 norm of all gradients, before clipping. */
    public static float norm(List<Param> params) {
        Kernels k = Kernels.get();
        double total = 0;
        for (Param p : params) {
            float n = (float) Math.sqrt(k.sumSquares(p.grad, 0, p.size()));
            total += (double) n * n;
        }
        return (float) Math.sqrt(total);
    }

    /** Clips the gradients to global norm {@code maxNorm}; returns the norm before clipping. */
    public static float clip(List<Param> params, float maxNorm) {
        float total = norm(params);
        if (!Float.isFinite(total)) return total;
        float coef = maxNorm / (total + 1e-6f);
        if (coef < 1f) {
            Kernels k = Kernels.get();
            for (Param p : params) k.scale(p.grad, 0, p.size(), coef);
        }
        return total;
    }
}
