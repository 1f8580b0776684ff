package distilj.kernels;

/**
 * What the user is told about SIMD: {@code SIMD: on (16 float lanes, AVX-512)} or {@code SIMD: off — reason}.
 * Knows the Vector API only through the selected kernels, so it is safe to call when the module is absent.
 */
public final class Simd {
    private Simd() {}

    /** True when the process-wide kernels are the Vector API ones. */
    public static boolean on() {
        return KernelSelection.offReason() == null;
    }

    public static String statusLine() {
        String off = KernelSelection.offReason();
        if (off != null) return "SIMD: off — " + off;
        int lanes = floatLanes();
        return "SIMD: on (" + lanes + " float lanes, " + isa(lanes) + ")";
    }

    /** Lanes of the preferred float species; only valid when SIMD is on. */
    static int floatLanes() {
        try {
            Class<?> c = Class.forName("distilj.kernels.SimdKernels");
            return (int) c.getMethod("floatLanes").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return 0;
        }
    }

    static String isa(int lanes) {
        String arch = System.getProperty("os.arch");
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
        if (x86) {
            switch (lanes) {
                case 16: return "AVX-512";
                case 8: return "AVX2";
                case 4: return "SSE";
                default: return lanes + "-lane x86";
            }
        }
        if (arch.equals("aarch64")) return lanes == 4 ? "NEON" : "SVE " + lanes * 32 + "-bit";
        return arch + " " + lanes * 32 + "-bit";
    }
}
