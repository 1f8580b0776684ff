package distilj.model;

import java.util.Locale;

/**
 * An optional per-part wall-clock profile of the training step, switched on with {@code -Ddistilj.profile=true}
 * (off by default: then every hook is one test of a static final flag, which the JIT folds away).
 *
 * <p>Each part of the model adds {@code System.nanoTime()} differences to its own slot, separately for forward and
 * backward, summed over all layers; {@link #table()} prints them. The optimiser parts (gradient norm, AdamW) are
 * timed by the caller through {@link #add}. Two clocks: wall time (on a shared machine it includes time the threads
 * spent descheduled, which is part of what a step costs) and the CPU time of the whole process (all threads, spinning
 * workers included), which is steadier than wall time when other programs load the machine.
 */
public final class Profile {
    private Profile() {}

    public static final boolean ON = Boolean.getBoolean("distilj.profile");

    /** The parts of a step, in the order of the table. */
    public enum Part {
        EMBEDDINGS("embeddings (+LN, dropout)"),
        QKV("q, k, v linear"),
        ATTENTION("attention core (scores, softmax, dropout, ·V)"),
        OUT_PROJ("attention out linear"),
        RESIDUAL("dropout + residual adds"),
        LAYER_NORM("LayerNorm 1+2"),
        FFN1("FFN lin1"),
        GELU("GELU"),
        FFN2("FFN lin2"),
        HEAD("classifier head"),
        LOSS("cross-entropy"),
        CLIP("gradient norm"),
        ADAMW("AdamW (+ clip scale, zero grads)");

        final String label;

        Part(String label) {
            this.label = label;
        }
    }

    private static final long[] FORWARD = new long[Part.values().length];
    private static final long[] BACKWARD = new long[Part.values().length];
    private static final long[] CALLS = new long[Part.values().length];
    private static final long[] CPU = new long[Part.values().length];
    private static final java.lang.management.OperatingSystemMXBean OS =
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private static long cpuStart;

    /** CPU nanoseconds used so far by the whole process, or −1 if the JVM cannot tell. */
    private static long processCpu() {
        return OS instanceof com.sun.management.OperatingSystemMXBean
                ? ((com.sun.management.OperatingSystemMXBean) OS).getProcessCpuTime() : -1L;
    }

    /** A start time for {@link #add}, or 0 when profiling is off. */
    public static long start() {
        if (!ON) return 0L;
        cpuStart = processCpu(); // parts never nest and run on one thread, so one slot suffices
        return System.nanoTime();
    }

    /** Adds the time since {@code t0} to part p (forward or backward column). */
    public static void add(Part p, boolean backward, long t0) {
        if (!ON) return;
        long dt = System.nanoTime() - t0;
        (backward ? BACKWARD : FORWARD)[p.ordinal()] += dt;
        CPU[p.ordinal()] += processCpu() - cpuStart;
        if (!backward) CALLS[p.ordinal()]++;
    }

    public static void reset() {
        java.util.Arrays.fill(FORWARD, 0L);
        java.util.Arrays.fill(BACKWARD, 0L);
        java.util.Arrays.fill(CALLS, 0L);
        java.util.Arrays.fill(CPU, 0L);
    }

    /**
     * The table: per part, forward and backward wall seconds per step (the totals divided by {@code steps}), their
     * share, and the process CPU seconds per step (forward + backward).
     */
    public static String table(int steps) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-48s %10s %10s %10s %6s %10s%n", "part (s per step)", "forward",
                "backward", "total", "%", "cpu"));
        long all = 0, cpuAll = 0;
        for (Part p : Part.values()) all += FORWARD[p.ordinal()] + BACKWARD[p.ordinal()];
        for (Part p : Part.values()) {
            long f = FORWARD[p.ordinal()], b = BACKWARD[p.ordinal()];
            sb.append(String.format(Locale.ROOT, "%-48s %10.3f %10.3f %10.3f %5.1f%% %10.3f%n", p.label,
                    f / 1e9 / steps, b / 1e9 / steps, (f + b) / 1e9 / steps, 100.0 * (f + b) / Math.max(1, all),
                    CPU[p.ordinal()] / 1e9 / steps));
            cpuAll += CPU[p.ordinal()];
        }
        sb.append(String.format(Locale.ROOT, "%-48s %10s %10s %10.3f %6s %10.3f%n", "sum of parts", "", "",
                all / 1e9 / steps, "", cpuAll / 1e9 / steps));
        return sb.toString();
    }
}
