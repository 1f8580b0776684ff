package distilj.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataAndFilesTest {

    @Test
    void permutationIsAPermutationFreshPerEpochAndReproducible() {
        for (int n : new int[] {1, 2, 7, 8530}) {
            int[] p0 = InMemoryBatches.permutation(n, 42, 0);
            int[] sorted = p0.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < n; i++) assertEquals(i, sorted[i]);
            assertArrayEquals(p0, InMemoryBatches.permutation(n, 42, 0));
            if (n > 7) {
                assertFalse(Arrays.equals(p0, InMemoryBatches.permutation(n, 42, 1)));
                assertFalse(Arrays.equals(p0, InMemoryBatches.permutation(n, 43, 0)));
            }
        }
        // roughly uniform: over many seeds, element 0 lands in each of 4 quarters about equally often
        int[] quarters = new int[4];
        for (int s = 0; s < 4000; s++) {
            int[] p = InMemoryBatches.permutation(100, s, 0);
            for (int i = 0; i < 100; i++) if (p[i] == 0) quarters[i / 25]++;
        }
        for (int q : quarters) assertTrue(q > 850 && q < 1150, Arrays.toString(quarters));
    }

    @Test
    void batchesArePackedAndTheLastPartialBatchIsKept() {
        TinyData d = new TinyData(8530, 40, 3);
        InMemoryBatches b = InMemoryBatches.shuffled(d.rows, d.labels, 64, 42);
        assertEquals(134, b.batchesPerEpoch());
        assertEquals(18, b.batch(0, 133).rows);
        boolean[] seen = new boolean[8530];
        int[] perm = InMemoryBatches.permutation(8530, 42, 2);
        for (int k = 0; k < 134; k++) {
            Batch x = b.batch(2, k);
            for (int r = 0; r < x.rows; r++) {
                int row = perm[k * 64 + r];
                assertFalse(seen[row]);
                seen[row] = true;
                assertArrayEquals(d.rows[row], Arrays.copyOfRange(x.ids, x.offsets[r], x.offsets[r + 1]));
                assertEquals(d.labels[row], x.labels[r]);
            }
        }
        for (boolean s : seen) assertTrue(s);
        // any batch can be rebuilt directly, in any order (what a resume does)
        Batch again = b.batch(2, 77);
        Batch later = InMemoryBatches.shuffled(d.rows, d.labels, 64, 42).batch(2, 77);
        assertArrayEquals(again.ids, later.ids);
        InMemoryBatches ev = InMemoryBatches.sequential(d.rows, d.labels, 100);
        assertArrayEquals(d.rows[100], Arrays.copyOfRange(ev.batch(3, 1).ids, 0, d.rows[100].length));
    }

    @Test
    void tensorFileRoundTripsAndRejectsTruncation(@TempDir Path dir) throws IOException {
        float[] a = {1f, -2.5f, Float.MIN_VALUE, 3e38f, 0f, -0f};
        float[] b = new float[300_000];
        for (int i = 0; i < b.length; i++) b[i] = i * 0.25f - 7;
        Path f = dir.resolve("t.safetensors");
        TensorFile.write(f, List.of(new TensorFile.Tensor("a", new int[] {2, 3}, a),
                new TensorFile.Tensor("b.weight", new int[] {b.length}, b)), Map.of("format", "pt"));
        Map<String, TensorFile.Tensor> r = TensorFile.read(f);
        assertEquals(List.of("a", "b.weight"), List.copyOf(r.keySet()));
        assertArrayEquals(new int[] {2, 3}, r.get("a").shape());
        assertArrayEquals(a, r.get("a").data());
        assertArrayEquals(b, r.get("b.weight").data());
        // header: 8-byte length, JSON padded to a multiple of 8
        byte[] bytes = Files.readAllBytes(f);
        long n = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{") && header.contains("\"__metadata__\":{\"format\":\"pt\"}"), header);
        float[] into = new float[b.length];
        TensorFile.readInto(f, Map.of("b.weight", into));
        assertArrayEquals(b, into);
        IOException wrong = assertThrows(IOException.class, () -> TensorFile.readInto(f, Map.of("a", new float[5])));
        assertTrue(wrong.getMessage().contains("tensor a has 6 values, expected 5"), wrong.getMessage());
        assertThrows(IOException.class, () -> TensorFile.readInto(f, Map.of("c", new float[1])));
        Files.write(f, Arrays.copyOf(bytes, bytes.length - 5));
        IOException e = assertThrows(IOException.class, () -> TensorFile.read(f));
        assertTrue(e.getMessage().contains("b.weight") && e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void staleTemporaryFoldersAreCleanedAndCompleteCheckpointsKept(@TempDir Path out) throws IOException {
        for (String d : List.of("checkpoint-5.tmp", "checkpoint-5.old", "final.tmp", ".checkpoint-10.tmp.tmp-123",
                ".final.tmp.tmp-9", "checkpoint-5", "keep.tmp")) {
            Files.createDirectories(out.resolve(d).resolve("sub"));
            Files.writeString(out.resolve(d).resolve("sub/f"), "x");
        }
        Checkpoints.cleanStale(out);
        try (var s = Files.list(out)) {
            assertEquals(List.of("checkpoint-5", "keep.tmp"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void terminalProgressBarRunsAndPrintsTheSummary() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ConsoleReporter c = new ConsoleReporter(ps, true, Duration.ZERO);
        c.onStart(10, 2, 1, 10);
        for (int s = 3; s <= 10; s++) c.onStep(s, 10, s / 10.0, 0.5f, 100);
        c.onEpochRow(1, 0.5, 0.4, 0.9);
        c.onEnd(new TrainResult(10, 0.5, 1.0, 640, 10, 1.0));
        String s = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("resuming at step 2") && s.contains("TrainOutput(global_step=10"), s);
    }

    @Test
    void plainProgressLinesTableAndSummary() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ConsoleReporter c = new ConsoleReporter(ps, false, Duration.ZERO);
        c.onStart(670, 0, 5, 134);
        c.onStep(1, 670, 1.0 / 134, 0.6931f, 12.5);
        c.onEpochRow(1, null, 0.594, 0.834);
        c.onEpochRow(4, 0.065, 0.769, 0.841);
        c.onEnd(new TrainResult(670, 0.0547, 210.0, 203.1, 3.19, 5.0));
        String s = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("step 1/670 (0.1%) | epoch 0.01 | loss 0.6931 | 12.5 samples/s | ETA"), s);
        assertTrue(s.contains("Epoch  Training Loss  Validation Loss  Accuracy"), s);
        assertTrue(s.contains("1      No log         0.594000         0.834000"), s);
        assertTrue(s.contains("4      0.065000       0.769000         0.841000"), s);
        assertTrue(s.contains("TrainOutput(global_step=670, training_loss=0.054700"), s);
        assertTrue(s.contains("'train_samples_per_second': 203.100, 'train_steps_per_second': 3.190"), s);
    }
}
