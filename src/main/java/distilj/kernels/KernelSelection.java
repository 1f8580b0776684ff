package distilj.kernels;

/**
 * Chooses the process-wide {@link Kernels} once: the Vector API implementation when the {@code jdk.incubator.vector}
 * module is present and works, otherwise the scalar one — and then says so, once, on stderr. Never silently slow.
 *
 * <p>{@code -Ddistilj.simd=off} forces the scalar kernels (for comparisons).
 */
final class KernelSelection {
    private static volatile Kernels chosen;
    private static volatile String offReason;

    private KernelSelection() {}

    static Kernels get() {
        Kernels k = chosen;
        if (k == null) {
            synchronized (KernelSelection.class) {
                if (chosen == null) chosen = choose(Parallel.shared());
                k = chosen;
            }
        }
        return k;
    }

    /** Forgets the choice, e.g. after {@link Parallel#setDefaultThreads} changed the pool. */
    static void reset() { // not synchronized: called under Parallel.class, which get() takes inside its own lock
        chosen = null;
    }

    /** Why SIMD is off, or null when it is on. Triggers the choice. */
    static String offReason() {
        get();
        return offReason;
    }

    private static Kernels choose(Parallel pool) {
        String reason = simdUnavailableReason();
        if (reason == null) {
            try {
                Class<?> c = Class.forName("distilj.kernels.SimdKernels");
                return (Kernels) c.getConstructor(Parallel.class).newInstance(pool);
            } catch (ReflectiveOperationException | LinkageError e) {
                reason = "the Vector API failed to start: " + e;
            }
        }
        offReason = reason;
        System.err.println("SIMD: off — " + reason + " (running the scalar kernels, several times slower)");
        return new ScalarKernels(pool);
    }

    private static String simdUnavailableReason() {
        if ("off".equalsIgnoreCase(System.getProperty("distilj.simd", ""))) return "disabled by -Ddistilj.simd=off";
        String set = System.getProperty("distilj.simd.offReason");
        if (set != null) return set;
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "the JVM was started without --add-modules jdk.incubator.vector";
        }
        return null;
    }
}
