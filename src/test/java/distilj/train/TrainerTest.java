package distilj.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import distilj.model.Param;
import distilj.model.SequenceClassifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer on the tiny test model: it learns, writes its files, resumes bit-identically, stops on NaN. */
class TrainerTest {
    static final int VOCAB = 40;

    /** 3 epochs of 13 batches (the last of 4 rows): 39 steps, checkpoints every 5, logs every 4. */
    static TrainConfig config() {
        TrainConfig c = new TrainConfig();
        c.learningRate = 0.05;
        c.batchSize = 8;
        c.evalBatchSize = 16;
        c.epochs = 3;
        c.saveSteps = 5;
        c.loggingSteps = 4;
        c.seed = 42;
        return c;
    }

    static TinyBagModel model(long initSeed) {
        return new TinyBagModel(VOCAB, 6, 2, 0.1f, initSeed);
    }

    static Trainer trainer(SequenceClassifier m, TrainConfig c, Path out, WeightStore store) {
        TinyData train = new TinyData(100, VOCAB, 1), eval = new TinyData(50, VOCAB, 2);
        return new Trainer(m, c, InMemoryBatches.shuffled(train.rows, train.labels, c.batchSize, c.seed),
                InMemoryBatches.sequential(eval.rows, eval.labels, c.evalBatchSize), out, store);
    }

    static final class Kill extends RuntimeException {
        Kill(String m) {
            super(m);
        }
    }

    /** Everything that must be bit-identical: weights, AdamW moments, step count. */
    static void assertSameState(TinyBagModel a, Trainer ta, TinyBagModel b, Trainer tb) {
        List<Param> pa = a.params(), pb = b.params();
        for (int i = 0; i < pa.size(); i++) {
            assertArrayEquals(pa.get(i).data, pb.get(i).data, pa.get(i).name + " differs");
            assertArrayEquals(ta.optimizer().m(i), tb.optimizer().m(i), "exp_avg of " + pa.get(i).name);
            assertArrayEquals(ta.optimizer().v(i), tb.optimizer().v(i), "exp_avg_sq of " + pa.get(i).name);
        }
        assertEquals(ta.optimizer().stepCount(), tb.optimizer().stepCount());
        assertEquals(ta.globalStep(), tb.globalStep());
    }

    /** Log history without wall-clock fields (runtimes, throughput), which legitimately differ. */
    static List<Map<String, Object>> timeless(List<Map<String, Object>> h) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> e : h) {
            Map<String, Object> c = new java.util.LinkedHashMap<>(e);
            c.keySet().removeIf(k -> k.contains("runtime") || k.contains("per_second"));
            // JSON round trip turns ints into longs and floats into doubles: compare as doubles
            c.replaceAll((k, v) -> ((Number) v).doubleValue());
            out.add(c);
        }
        return out;
    }

    @Test
    void trainsAndWritesItsFiles(@TempDir Path out) throws IOException {
        TinyBagModel m = model(5);
        Trainer t = trainer(m, config(), out, WeightStore.SAFETENSORS_F32);
        List<String> rows = new ArrayList<>();
        t.addListener(new TrainListener() {
            @Override
            public void onEpochRow(int epoch, Double trainingLoss, double validationLoss, double accuracy) {
                rows.add(epoch + " " + trainingLoss + " " + accuracy);
            }
        });
        double before = t.evaluateLossAccuracy()[1];
        TrainResult r = t.train(null);
        double after = t.evaluateLossAccuracy()[1];
        assertEquals(39, r.globalStep());
        assertTrue(after >= 0.75 && after > before + 0.2, "accuracy " + before + " -> " + after);
        assertEquals(3, rows.size());

        // metrics.jsonl: 9 logs (steps 4..36), 3 evaluations, 1 summary
        List<String> lines = Files.readAllLines(out.resolve(Trainer.METRICS_FILE));
        assertEquals(9 + 3 + 1, lines.size());
        ObjectMapper json = new ObjectMapper();
        JsonNode firstEval = null;
        for (String l : lines) if (json.readTree(l).has("eval_loss") && firstEval == null) firstEval = json.readTree(l);
        assertEquals(13, firstEval.get("step").asLong());
        assertEquals(1.0, firstEval.get("epoch").asDouble());
        JsonNode state = json.readTree(out.resolve("trainer_state.json").toFile());
        assertEquals(39, state.get("global_step").asLong());
        assertEquals(13, state.get("log_history").size());
        // the logged loss of step 4 is the mean of steps 1..4: check it against the history's own numbers
        assertEquals(4, state.get("log_history").get(0).get("step").asLong());

        // checkpoints every 5 steps and at the last, no leftovers
        for (int s = 5; s <= 35; s += 5) assertTrue(Files.isDirectory(out.resolve("checkpoint-" + s)), "checkpoint-" + s);
        assertTrue(Files.isDirectory(out.resolve("checkpoint-39")));
        assertEquals(out.resolve("checkpoint-39"), Checkpoints.latest(out).orElseThrow());
        try (var s = Files.list(out)) {
            assertFalse(s.anyMatch(p -> p.toString().endsWith(".tmp")));
        }
        // final model at the top level equals the trained weights
        Map<String, TensorFile.Tensor> saved = TensorFile.read(out.resolve("model.safetensors"));
        for (Param p : m.params()) assertArrayEquals(p.data, saved.get(p.name).data(), p.name);
        // the chart is a PNG
        byte[] png = Files.readAllBytes(out.resolve(Trainer.CHART_FILE));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G');
    }

    @Test
    void trainingLossColumnIsNoLogBeforeTheFirstLog(@TempDir Path out) throws IOException {
        TrainConfig c = config();
        c.loggingSteps = 20; // first log at step 20, in epoch 2
        List<Double> col = new ArrayList<>();
        Trainer t = trainer(model(5), c, out, WeightStore.SAFETENSORS_F32);
        t.addListener(new TrainListener() {
            @Override
            public void onEpochRow(int epoch, Double trainingLoss, double validationLoss, double accuracy) {
                col.add(trainingLoss);
            }
        });
        t.train(null);
        assertNull(col.get(0));
        assertEquals(t.logHistory().stream().filter(e -> e.containsKey("loss")).findFirst().orElseThrow().get("loss"),
                col.get(1));
        assertEquals(col.get(1), col.get(2)); // no new log between steps 21 and 39: still the step-20 mean
    }

    /** Runs uninterrupted, then runs again killed at {@code killAt} (by an exception thrown from a hook, so nothing
     * is saved beyond the periodic checkpoints), resumes from the latest checkpoint, and compares everything. */
    void killAndResume(Path base, long killAt, boolean killAfterCheckpoint) throws IOException {
        TinyBagModel a = model(5);
        Trainer ta = trainer(a, config(), base.resolve("a"), WeightStore.SAFETENSORS_F32);
        ta.train(null);

        Path outB = base.resolve("b");
        TinyBagModel b1 = model(5);
        Trainer tb1 = trainer(b1, config(), outB, WeightStore.SAFETENSORS_F32);
        tb1.addListener(new TrainListener() {
            @Override
            public void onStep(long step, long total, double epoch, float loss, double sps) {
                if (!killAfterCheckpoint && step == killAt) throw new Kill("killed at " + step);
            }

            @Override
            public void onCheckpoint(Path dir) {
                if (killAfterCheckpoint && Checkpoints.stepOf(dir) == killAt) throw new Kill("killed after " + dir);
            }
        });
        assertThrows(Kill.class, () -> tb1.train(null));

        // a fresh process: different initial weights, which the checkpoint must overwrite
        TinyBagModel b2 = model(777);
        Trainer tb2 = trainer(b2, config(), outB, WeightStore.SAFETENSORS_F32);
        Path latest = Checkpoints.latest(outB).orElseThrow();
        long expected = killAfterCheckpoint ? killAt : (killAt / 5) * 5;
        assertEquals(expected, Checkpoints.stepOf(latest));
        tb2.train(latest);

        assertSameState(a, ta, b2, tb2);
        assertEquals(timeless(ta.logHistory()), timeless(tb2.logHistory()));
        List<String> ma = Files.readAllLines(base.resolve("a").resolve(Trainer.METRICS_FILE));
        List<String> mb = Files.readAllLines(outB.resolve(Trainer.METRICS_FILE));
        assertEquals(ma.size(), mb.size(), "metrics.jsonl lines");
        Map<String, TensorFile.Tensor> fa = TensorFile.read(base.resolve("a/model.safetensors"));
        Map<String, TensorFile.Tensor> fb = TensorFile.read(outB.resolve("model.safetensors"));
        for (String k : fa.keySet()) assertArrayEquals(fa.get(k).data(), fb.get(k).data(), k);
    }

    @Test
    void resumeMidEpochIsBitIdentical(@TempDir Path dir) throws IOException {
        killAndResume(dir, 23, false);
    }

    @Test
    void resumeAcrossAnEpochBoundaryIsBitIdentical(@TempDir Path dir) throws IOException {
        killAndResume(dir, 14, false); // checkpoint 10 is before the end of epoch 1 (step 13) and its evaluation
    }

    @Test
    void resumeRightAfterACheckpointIsBitIdentical(@TempDir Path dir) throws IOException {
        killAndResume(dir, 30, true);
    }

    @Test
    void resumeFromTheFinalCheckpointChangesNothing(@TempDir Path dir) throws IOException {
        killAndResume(dir, 39, true);
    }

    @Test
    void aKillWhileWritingACheckpointLeavesThePreviousOneUsable(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("b");
        WeightStore failing = new WeightStore() {
            @Override
            public void save(SequenceClassifier model, Path d) throws IOException {
                if (d.getFileName().toString().equals("checkpoint-15.tmp")) {
                    Files.write(d.resolve("model.safetensors"), new byte[] {1, 2, 3}); // half-written
                    throw new Kill("killed while writing " + d);
                }
                WeightStore.SAFETENSORS_F32.save(model, d);
            }

            @Override
            public void load(SequenceClassifier model, Path d) throws IOException {
                WeightStore.SAFETENSORS_F32.load(model, d);
            }
        };
        assertThrows(Kill.class, () -> trainer(model(5), config(), out, failing).train(null));
        assertTrue(Files.isDirectory(out.resolve("checkpoint-15.tmp")));
        assertEquals(out.resolve("checkpoint-10"), Checkpoints.latest(out).orElseThrow());

        TinyBagModel b = model(9);
        Trainer tb = trainer(b, config(), out, WeightStore.SAFETENSORS_F32);
        tb.train(Checkpoints.latest(out).orElseThrow());
        assertFalse(Files.exists(out.resolve("checkpoint-15.tmp")), "stale temp folder removed");
        TinyBagModel a = model(5);
        Trainer ta = trainer(a, config(), dir.resolve("a"), WeightStore.SAFETENSORS_F32);
        ta.train(null);
        assertSameState(a, ta, b, tb);
    }

    @Test
    void nanLossStopsWithAClearMessageAndKeepsTheLastCheckpoint(@TempDir Path out) throws IOException {
        TinyBagModel m = model(5);
        Trainer t = trainer(m, config(), out, WeightStore.SAFETENSORS_F32);
        t.addListener(new TrainListener() {
            @Override
            public void onStep(long step, long total, double epoch, float loss, double sps) {
                if (step == 12) m.w.data[0] = Float.NaN; // poisons the forward of step 13
            }
        });
        byte[] before = null;
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> t.train(null));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("step 13")
                && e.getMessage().contains("checkpoint-10"), e.getMessage());
        assertEquals(out.resolve("checkpoint-10"), Checkpoints.latest(out).orElseThrow());
        assertFalse(Files.exists(out.resolve("checkpoint-15")));
        // the checkpoint still loads and holds finite weights
        TinyBagModel fresh = model(1);
        WeightStore.SAFETENSORS_F32.load(fresh, out.resolve("checkpoint-10"));
        for (Param p : fresh.params()) for (float x : p.data) assertTrue(Float.isFinite(x));
        assertNull(before);
    }

    @Test
    void resumeRefusesADifferentBatchSize(@TempDir Path out) throws IOException {
        TrainConfig c = config();
        c.epochs = 1;
        trainer(model(5), c, out, WeightStore.SAFETENSORS_F32).train(null);
        TrainConfig d = config();
        d.batchSize = 9;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer(model(5), d, out, WeightStore.SAFETENSORS_F32).train(Checkpoints.latest(out).orElseThrow()));
        assertTrue(e.getMessage().contains("batchSize"), e.getMessage());
    }
}
