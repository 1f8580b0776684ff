package distilj.optim;

/**
 * The learning rate of each step: transformers' {@code get_linear_schedule_with_warmup}, a LambdaLR with
 * <pre>
 *   λ(s) = s / max(1, W)                          for s &lt; W   (warm-up from 0)
 *   λ(s) = max(0, (T − s) / max(1, T − W))        after        (linear decay to 0 at s = T)
 * </pre>
 * and lr(s) = base_lr · λ(s), s the 0-based index of the optimiser step (the scheduler is stepped after each update,
 * so update s uses λ(s)). Computed in double, as Python does. Stateless: the position is the global step, which a
 * checkpoint stores anyway.
 */
public final class LinearSchedule {
    private final double baseLr;
    private final long warmupSteps;
    private final long totalSteps;

    public LinearSchedule(double baseLr, long warmupSteps, long totalSteps) {
        if (!(baseLr >= 0) || warmupSteps < 0 || totalSteps < 0)
            throw new IllegalArgumentException("schedule needs lr >= 0, warm-up >= 0, total >= 0; got "
                    + baseLr + ", " + warmupSteps + ", " + totalSteps);
        this.baseLr = baseLr;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
    }

    /** λ(s). */
    public double factor(long step) {
        if (step < warmupSteps) return (double) step / (double) Math.max(1, warmupSteps);
        return Math.max(0.0, (double) (totalSteps - step) / (double) Math.max(1, totalSteps - warmupSteps));
    }

    /** The learning rate of update {@code step} (0-based). */
    public double lr(long step) {
        return baseLr * factor(step);
    }

    public double baseLr() {
        return baseLr;
    }

    public long warmupSteps() {
        return warmupSteps;
    }

    public long totalSteps() {
        return totalSteps;
    }
}
