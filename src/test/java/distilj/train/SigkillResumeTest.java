package distilj.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing: a child JVM training the tiny model is killed with SIGKILL ({@code destroyForcibly}) at a random
 * moment, twice (the second time while resuming), then the run is resumed to the end, and the final weights must equal
 * an uninterrupted run's bit for bit. The kill times are random (printed, with the seed) so that, over many CI runs,
 * kills land everywhere, including inside a checkpoint write. {@code -Ddistilj.sigkill.rounds=N} repeats N times.
 */
class SigkillResumeTest {

    static Process child(Path out, String mode, long sleepMs) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Xmx256m"));
        String simd = System.getProperty("distilj.simd");
        if (simd != null) cmd.add("-Ddistilj.simd=" + simd);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KillableRun.class.getName(),
                out.toString(), mode, Long.toString(sleepMs)));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(out.resolveSibling(out.getFileName() + "-" + mode + ".log").toFile()).start();
    }

    /** Waits until a checkpoint exists (so the child is mid-run), then a random while, then SIGKILL. */
    static void killSomewhere(Process p, Path out, Random r, long notBeforeStep) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Checkpoints.latest(out).map(Checkpoints::stepOf).orElse(0L) <= notBeforeStep && p.isAlive()) {
            if (System.nanoTime() > deadline) throw new AssertionError("child made no checkpoint within 60 s");
            Thread.sleep(5);
        }
        Thread.sleep(r.nextInt(150));
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child did not die");
    }

    @Test
    void sigkilledRunResumesBitIdentical(@TempDir Path dir) throws Exception {
        int rounds = Integer.getInteger("distilj.sigkill.rounds", 1);
        TinyBagModel ref = TrainerTest.model(5);
        Trainer tref = TrainerTest.trainer(ref, TrainerTest.config(), dir.resolve("ref"), WeightStore.SAFETENSORS_F32);
        tref.train(null);

        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (int round = 0; round < rounds; round++) {
            Path out = dir.resolve("killed" + round);
            Process first = child(out, "fresh", 10);
            killSomewhere(first, out, r, 0);
            long firstStep = Checkpoints.latest(out).map(Checkpoints::stepOf).orElse(0L);
            Process second = child(out, "resume", 10);
            killSomewhere(second, out, r, firstStep);
            long secondStep = Checkpoints.latest(out).map(Checkpoints::stepOf).orElse(0L);
            System.err.printf("SigkillResumeTest (seed %d, round %d): killed after checkpoints %d and %d "
                    + "(exit codes %d, %d)%n", seed, round, firstStep, secondStep, first.exitValue(), second.exitValue());

            TinyBagModel m = TrainerTest.model(99);
            Trainer t = TrainerTest.trainer(m, TrainerTest.config(), out, WeightStore.SAFETENSORS_F32);
            t.train(Checkpoints.latest(out).orElseThrow());
            TrainerTest.assertSameState(ref, tref, m, t);
            assertEquals(TrainerTest.timeless(tref.logHistory()), TrainerTest.timeless(t.logHistory()));
            Map<String, TensorFile.Tensor> a = TensorFile.read(dir.resolve("ref/model.safetensors"));
            Map<String, TensorFile.Tensor> b = TensorFile.read(out.resolve("model.safetensors"));
            for (String k : a.keySet()) assertArrayEquals(a.get(k).data(), b.get(k).data(), k);
            assertEquals(Files.readAllLines(dir.resolve("ref").resolve(Trainer.METRICS_FILE)).size(),
                    Files.readAllLines(out.resolve(Trainer.METRICS_FILE)).size());
            for (File f : out.toFile().listFiles()) assertTrue(!f.getName().endsWith(".tmp"), f.getName());
        }
    }
}
