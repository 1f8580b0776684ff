package distilj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the packaged jar the way a user does — {@code java -jar target/distilj.jar …}, without
 * {@code --add-modules} — and checks that it relaunches itself with the Vector API, keeps the user's JVM options,
 * passes the exit code through, and says loudly when SIMD cannot be had.
 */
class LauncherIT {
    static final Path JAR = Paths.get(System.getProperty("distilj.jar", "target/distilj.jar"));
    static final Path JDK17 = Paths.get(System.getProperty("java.home"), "bin", "java");
    static final Path TEMURIN = Paths.get("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

    record Result(int code, String out, String err) {}

    static Result run(Path java, List<String> jvmArgs, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(jvmArgs);
        cmd.add("-jar");
        cmd.add(JAR.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove(Launcher.RELAUNCHED_ENV);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Path out = Files.createTempFile("distilj-out", ".txt"), err = Files.createTempFile("distilj-err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("jar did not finish in 60 s: " + cmd);
        }
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    @Test
    void jarRelaunchesWithSimdOnUnderJdk17() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "no jar at " + JAR);
        Result r = run(JDK17, List.of(), "--version");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("SIMD: on ("), "expected SIMD on after relaunch:\n" + r.out + r.err);
        assertFalse(r.err.contains("SIMD: off"), r.err);
        assertTrue(r.out.contains("GEMM packs on cache lines"), r.out);
    }

    @Test
    void jarRunsWithSimdOnUnderTheNewerJdk() throws Exception {
        boolean present = Files.isExecutable(TEMURIN);
        if (!present) System.err.println("SKIPPED LauncherIT.jarRunsWithSimdOnUnderTheNewerJdk: no JDK at " + TEMURIN);
        assumeTrue(present, "no newer JDK at " + TEMURIN);
        Result r = run(TEMURIN, List.of(), "--version");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("SIMD: on ("), r.out + r.err);
        assertTrue(r.out.contains("Java 2"), "should report the newer Java: " + r.out);
        // JDK 23+: the launcher's --sun-misc-unsafe-memory-access=allow lets the GEMM read addresses, without a warning
        assertTrue(r.out.contains("GEMM packs on cache lines"), r.out);
        assertFalse(r.err.contains("sun.misc.Unsafe"), r.err);
    }

    @Test
    void userJvmOptionsReachTheRelaunchedJvm() throws Exception {
        // -Ddistilj.simd=off is a JVM option: if the relaunch dropped it, SIMD would be on.
        Result r = run(JDK17, List.of("-Ddistilj.simd=off"), "--version");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("SIMD: off — disabled by -Ddistilj.simd=off"), r.out);
        assertTrue(r.err.contains("SIMD: off"), "the scalar fallback must be announced on stderr: " + r.err);
    }

    @Test
    void relaunchedJvmGetsTheParallelCollectorAndHugePagesUnlessTheUserChose() throws Exception {
        Result r = run(JDK17, List.of(), "--version");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("JVM: PS MarkSweep + PS Scavenge"), "expected the parallel collector:\n" + r.out);
        Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        boolean offered = Files.isReadable(thp) && Files.readString(thp).matches("(?s).*\\[(madvise|always)\\].*");
        assertEquals(offered, r.out.contains("transparent huge pages on"), "THP offered by the kernel: " + offered + "\n" + r.out);

        Result mine = run(JDK17, List.of("-XX:+UseSerialGC", "-XX:-UseTransparentHugePages"), "--version");
        assertEquals(0, mine.code, mine.err);
        assertTrue(mine.out.contains("JVM: Copy + MarkSweepCompact, transparent huge pages off"), mine.out);
    }

    @Test
    void usageErrorExitCodeIsPassedThrough() throws Exception {
        Result r = run(JDK17, List.of(), "--definitely-not-a-flag");
        assertEquals(2, r.code, r.out + r.err);
        assertTrue(r.err.contains("error: Unknown option: '--definitely-not-a-flag'"), r.err);
        assertFalse(r.err.contains("\tat "), "no stack trace: " + r.err);
    }

    @Test
    void withoutRelaunchTheFallbackIsLoud() throws Exception {
        // -Ddistilj.norelaunch=true stands for a JVM where the relaunch is impossible.
        Result r = run(JDK17, List.of("-Ddistilj.norelaunch=true"), "--version");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("SIMD: off — the JVM was started without --add-modules jdk.incubator.vector"), r.out);
        assertTrue(r.err.contains("SIMD: off"), r.err);
    }
}
