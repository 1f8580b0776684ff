package distilj.cli;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The jar's entry point. Its only job is to make sure the JVM runs with the Vector API module.
 *
 * <p>A jar manifest cannot say {@code --add-modules jdk.incubator.vector}, so when {@code java -jar distilj.jar}
 * starts without it, this class starts a second JVM — the same {@code java} binary, the user's own JVM
 * options, the same class path and arguments, plus the module — with inherited stdin/stdout/stderr, waits for it,
 * and exits with its exit code. Ctrl-C reaches both processes (same process group); the shutdown hook makes sure the
 * child is gone before the parent exits. If the relaunch is impossible the command still runs, on the scalar
 * kernels, and {@code SIMD: off — reason} is printed once on stderr by the kernel selection. The child also gets the
 * parallel garbage collector when the user named none ({@link #defaultGc}), transparent huge pages when the
 * kernel offers them ({@link #defaultHugePages}), and on JDK 23+ leave to read array addresses ({@link
 * #defaultUnsafeAccess}).
 *
 * <p>This class must not touch anything in {@code jdk.incubator.vector} (or any class that does) before the check.
 */
public final class Launcher {
    /** Set in the child's environment so that a failed relaunch can never loop. */
    static final String RELAUNCHED_ENV = "DISTILJ_RELAUNCHED";
    static final String VECTOR_MODULE = "jdk.incubator.vector";

    private Launcher() {}

    public static void main(String[] args) {
        if (vectorModuleLoaded() || System.getenv(RELAUNCHED_ENV) != null || Boolean.getBoolean("distilj.norelaunch")) {
            System.exit(Cli.run(args));
            return;
        }
        Optional<String> why = relaunchImpossible();
        if (why.isPresent()) {
            System.setProperty("distilj.simd.offReason", why.get());
            System.exit(Cli.run(args));
            return;
        }
        System.exit(relaunch(args));
    }

    public static boolean vectorModuleLoaded() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    private static Optional<String> relaunchImpossible() {
        if (ModuleFinderHolder.systemHasVectorModule()) {
            return ProcessHandle.current().info().command().isPresent()
                    ? Optional.empty()
                    : Optional.of("cannot find the java executable to relaunch with --add-modules " + VECTOR_MODULE);
        }
        return Optional.of("this JVM has no " + VECTOR_MODULE + " module (java " + Runtime.version() + ")");
    }

    private static int relaunch(String[] args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        // The user's own JVM options (-Xmx, -D..., -XX:...), minus anything that would fight the relaunch.
        List<String> jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String a : jvmOptions) {
            if (a.startsWith("-agentlib:jdwp")) continue; // a debugger port cannot be bound twice
            cmd.add(a);
        }
        cmd.addAll(defaultGc(jvmOptions));
        cmd.addAll(defaultHugePages(jvmOptions, transparentHugePageSetting()));
        cmd.addAll(defaultUnsafeAccess(jvmOptions, Runtime.version().feature()));
        cmd.add("--add-modules");
        cmd.add(VECTOR_MODULE);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Launcher.class.getName());
        for (String a : args) cmd.add(a);

        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put(RELAUNCHED_ENV, "1");
        final Process child;
        try {
            child = pb.start();
        } catch (Exception e) {
            System.setProperty("distilj.simd.offReason", "relaunch with --add-modules failed: " + e.getMessage());
            return Cli.run(args);
        }
        Thread hook = new Thread(() -> {
            if (child.isAlive()) {
                child.destroy(); // SIGTERM: the child's own hooks run (e.g. temp files removed)
                try {
                    child.waitFor();
                } catch (InterruptedException ignored) {
                    child.destroyForcibly();
                }
            }
        }, "distilj-relaunch-reaper");
        Runtime.getRuntime().addShutdownHook(hook);
        while (true) {
            try {
                return child.waitFor();
            } catch (InterruptedException ignored) {
                // keep waiting: the child owns the terminal until it exits
            }
        }
    }

    /**
     * {@code -XX:+UseParallelGC -Xmn64m} unless the user chose a collector (and the 64 MB young generation unless they
     * sized it). Training allocates next to nothing per step, so the throughput collector has little to do and a small
     * young generation is enough; it keeps the heap close to the live data, and no concurrent GC thread competes with
     * the kernels for the cores. Measured on a DistilBERT-base training step at batch 64 (benchmarks/train-vs-pytorch.sh):
     * peak RSS 1.9 GB, against 2.0 GB with a default-sized young generation and 3.1 GB with the default G1, at the
     * same step time within the noise of that machine.
     */
    static List<String> defaultGc(List<String> jvmOptions) {
        boolean young = false;
        for (String a : jvmOptions) {
            if (a.startsWith("-XX:+Use") && a.endsWith("GC")) return List.of();
            if (a.startsWith("-Xmn") || a.startsWith("-XX:NewSize") || a.startsWith("-XX:MaxNewSize")
                    || a.startsWith("-XX:NewRatio")) young = true;
        }
        return young ? List.of("-XX:+UseParallelGC") : List.of("-XX:+UseParallelGC", "-Xmn64m");
    }

    /**
     * {@code -XX:+UseTransparentHugePages} when the kernel gives transparent huge pages on request ({@code [madvise]},
     * the usual default, or {@code [always]}) and the user said nothing about large pages. Why: a matrix multiply
     * walks its operands in blocks spread over megabytes (a row of C every 3 KB, panels of B over 2–9 MB), far more
     * 4 KB pages than the TLB holds; with 2 MB pages the same GEMM ran 15–25 % faster on this project's test machine
     * (1750×768×768 forward 113 → 140 GFLOPS on one thread, benchmarks' GemmProbe), with the same bits.
     *
     * @param setting the content of {@code /sys/kernel/mm/transparent_hugepage/enabled}, or null when there is none
     *                (not Linux): then nothing is added, so the JVM never warns about a flag it cannot honour.
     */
    static List<String> defaultHugePages(List<String> jvmOptions, String setting) {
        for (String a : jvmOptions) {
            if (a.contains("TransparentHugePages") || a.contains("LargePages")) return List.of();
        }
        boolean offered = setting != null && (setting.contains("[madvise]") || setting.contains("[always]"));
        return offered ? List.of("-XX:+UseTransparentHugePages") : List.of();
    }

    /**
     * {@code --sun-misc-unsafe-memory-access=allow} on JDK 23 and later unless the user set it. The GEMM reads where
     * its packing buffers lie to start them on a cache line (kernels' {@code CacheLine}: 0.5–1.5 % on the weight
     * gradients); from JDK 24 the JVM prints a warning on the first such read unless this is given, so without it
     * the GEMM does not look and packs wherever the buffer begins. The option does not exist before JDK 23.
     */
    static List<String> defaultUnsafeAccess(List<String> jvmOptions, int jdkFeature) {
        if (jdkFeature < 23) return List.of();
        for (String a : jvmOptions) {
            if (a.startsWith("--sun-misc-unsafe-memory-access")) return List.of();
        }
        return List.of("--sun-misc-unsafe-memory-access=allow");
    }

    private static String transparentHugePageSetting() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
        } catch (Exception e) {
            return null;
        }
    }

    /** Kept apart so that the module finder is only touched when needed. */
    private static final class ModuleFinderHolder {
        static boolean systemHasVectorModule() {
            return java.lang.module.ModuleFinder.ofSystem().find(VECTOR_MODULE).isPresent();
        }
    }

}
