package distilj.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code distilj train} end to end on a tiny DistilBERT (from its config alone) and a small CSV: it trains, writes
 * every output file and checkpoint, and a run resumed from an early checkpoint ends with the same model bytes.
 */
class TrainCommandRunTest {
    static final String CONFIG = """
            {"architectures": ["DistilBertForMaskedLM"], "activation": "gelu", "attention_dropout": 0.1, "dim": 8,
             "dropout": 0.1, "hidden_dim": 12, "initializer_range": 0.02, "max_position_embeddings": 32,
             "model_type": "distilbert", "n_heads": 2, "n_layers": 2, "pad_token_id": 0, "seq_classif_dropout": 0.2,
             "sinusoidal_pos_embds": false, "vocab_size": 16}
            """;
    static final String[] WORDS = {"good", "great", "fun", "bad", "awful", "dull", "movie", "plot", "the", "a", "!"};

    static Path modelDir(Path dir) throws Exception {
        Path m = Files.createDirectories(dir.resolve("tiny"));
        Files.writeString(m.resolve("config.json"), CONFIG);
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        vocab.addAll(List.of(WORDS));
        Files.write(m.resolve("vocab.txt"), vocab);
        return m;
    }

    static Path csv(Path file, int rows, long seed) throws Exception {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder("text,label\n");
        for (int i = 0; i < rows; i++) {
            boolean pos = r.nextBoolean();
            StringBuilder t = new StringBuilder("the movie");
            for (int k = 0; k < 2 + r.nextInt(5); k++) t.append(' ').append(WORDS[(pos ? 0 : 3) + r.nextInt(3)]);
            sb.append(t).append(',').append(pos ? "pos" : "neg").append('\n');
        }
        Files.writeString(file, sb);
        return file;
    }

    static int run(StringWriter out, String... args) {
        StringWriter err = new StringWriter();
        int rc = Cli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        out.append(err.toString());
        return rc;
    }

    @Test
    void trainsWritesItsFilesAndResumesToTheSameBytes(@TempDir Path dir) throws Exception {
        Path model = modelDir(dir);
        Path train = csv(dir.resolve("train.csv"), 40, 1), eval = csv(dir.resolve("eval.csv"), 12, 2);
        Path a = dir.resolve("a");
        String[] common = {"train", "--model", model.toString(), "--from-scratch", "--dataset", train.toString(),
                "--eval", eval.toString(), "--batch-size", "8", "--epochs", "2", "--save-steps", "4",
                "--logging-steps", "3", "--lr", "1e-3"};
        StringWriter out = new StringWriter();
        List<String> args = new ArrayList<>(List.of(common));
        args.addAll(List.of("--output", a.toString()));
        assertEquals(0, run(out, args.toArray(new String[0])), out.toString());
        String log = out.toString();
        assertTrue(log.contains("Epoch  Training Loss  Validation Loss  Accuracy"), log);
        assertTrue(log.contains("TrainOutput(global_step=10"), log);
        for (String f : List.of("config.json", "model.safetensors", "vocab.txt", "trainer_state.json", "metrics.jsonl",
                "training_curves.png", "checkpoint-4/optimizer.safetensors", "checkpoint-8/config.json",
                "checkpoint-10/trainer_state.json")) {
            assertTrue(Files.isRegularFile(a.resolve(f)), f + " missing; output:\n" + log);
        }
        JsonNode cfg = new ObjectMapper().readTree(a.resolve("config.json").toFile());
        assertEquals("DistilBertForSequenceClassification", cfg.get("architectures").get(0).asText());
        assertEquals(2, cfg.get("id2label").size());

        // resume from checkpoint-4 in another folder: same final bytes
        Path b = dir.resolve("b");
        Files.createDirectories(b);
        copyTree(a.resolve("checkpoint-4"), b.resolve("checkpoint-4"));
        StringWriter out2 = new StringWriter();
        List<String> args2 = new ArrayList<>(List.of(common));
        args2.addAll(List.of("--output", b.toString(), "--resume"));
        assertEquals(0, run(out2, args2.toArray(new String[0])), out2.toString());
        assertTrue(out2.toString().contains("resuming at step 4"), out2.toString());
        assertArrayEquals(Files.readAllBytes(a.resolve("model.safetensors")), Files.readAllBytes(b.resolve("model.safetensors")));
        assertArrayEquals(Files.readAllBytes(a.resolve("checkpoint-10/optimizer.safetensors")),
                Files.readAllBytes(b.resolve("checkpoint-10/optimizer.safetensors")));
    }

    /**
     * The command in a child JVM, killed with SIGKILL at a random moment after its first checkpoint (checkpoints are
     * Hugging Face model folders written by ModelExport inside the trainer's atomic checkpoint-N.tmp), then resumed
     * in this JVM: the final model.safetensors equals an uninterrupted run's byte for byte.
     */
    @Test
    void sigkilledCommandResumesToTheSameBytes(@TempDir Path dir) throws Exception {
        Path model = modelDir(dir);
        Path train = csv(dir.resolve("train.csv"), 40, 1);
        String[] common = {"train", "--model", model.toString(), "--from-scratch", "--dataset", train.toString(),
                "--eval", "none", "--batch-size", "8", "--epochs", "20", "--save-steps", "10",
                "--logging-steps", "10", "--lr", "1e-3"};
        Path a = dir.resolve("a"), b = dir.resolve("b");
        List<String> argsA = new ArrayList<>(List.of(common));
        argsA.addAll(List.of("--output", a.toString()));
        StringWriter outA = new StringWriter();
        assertEquals(0, run(outA, argsA.toArray(new String[0])), outA.toString());

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Xmx256m"));
        String simd = System.getProperty("distilj.simd");
        if (simd != null) cmd.add("-Ddistilj.simd=" + simd);
        // The vector width changes the bits of the SIMD reductions: the child gets this JVM's (e.g. -XX:UseAVX=2).
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:UseAVX") || arg.startsWith("-XX:MaxVectorSize")) cmd.add(arg);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Launcher.class.getName()));
        cmd.addAll(List.of(common));
        cmd.addAll(List.of("--output", b.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (distilj.train.Checkpoints.latest(b).isEmpty() && p.isAlive()) {
            if (System.nanoTime() > deadline) throw new AssertionError("no checkpoint within 60 s");
            Thread.sleep(2);
        }
        long seed = System.nanoTime();
        Thread.sleep(new Random(seed).nextInt(300));
        p.destroyForcibly();
        p.waitFor();
        long at = distilj.train.Checkpoints.latest(b).map(distilj.train.Checkpoints::stepOf).orElse(0L);
        System.err.printf("TrainCommandRunTest: child killed (exit %d, seed %d) with checkpoint-%d the latest of 100 steps%n",
                p.exitValue(), seed, at);

        List<String> argsB = new ArrayList<>(List.of(common));
        argsB.addAll(List.of("--output", b.toString(), "--resume"));
        StringWriter outB = new StringWriter();
        assertEquals(0, run(outB, argsB.toArray(new String[0])), outB.toString());
        assertArrayEquals(Files.readAllBytes(a.resolve("model.safetensors")), Files.readAllBytes(b.resolve("model.safetensors")));
        try (var s = Files.list(b)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().contains(".tmp")), "temporary folders left");
        }
    }

    @Test
    void badFlagsAreUsageErrors(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        assertEquals(2, run(out, "train", "--lr", "-1", "--output", dir.toString()), out.toString());
        assertTrue(out.toString().contains("--lr"), out.toString());
        StringWriter out2 = new StringWriter();
        assertEquals(1, run(out2, "train", "--model", dir.resolve("nothing").toString(), "--output", dir.toString()));
        assertTrue(out2.toString().contains("no config.json"), out2.toString());
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) Files.copy(p, to.resolve(from.relativize(p).toString()));
        }
    }
}
