package distilj.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import distilj.model.Param;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop against a real Hugging Face Trainer run (transformers 5.24.0, torch 2.15.0; fixture from
 * scripts/make_trainer_fixtures.py): the tiny bag-of-embeddings model without dropout, the Trainer's data order
 * (exported), 3 epochs of 4 steps, logging every 3 steps, evaluation each epoch. Every logged number (loss mean,
 * grad_norm, learning_rate, epoch, eval_loss, eval_accuracy, train_loss) and the final weights must agree.
 */
class TrainerParityTest {
    static int[][] rows(JsonNode a) {
        int[][] r = new int[a.size()][];
        for (int i = 0; i < r.length; i++) {
            r[i] = new int[a.get(i).size()];
            for (int j = 0; j < r[i].length; j++) r[i][j] = a.get(i).get(j).asInt();
        }
        return r;
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    static void close(double want, Object got, double rel, String what) {
        double g = ((Number) got).doubleValue();
        assertTrue(Math.abs(g - want) <= rel * Math.abs(want), what + ": java " + g + " vs transformers " + want);
    }

    @Test
    void matchesTheHuggingFaceTrainer(@TempDir Path out) throws IOException {
        JsonNode fx = new ObjectMapper().readTree(
                TrainerParityTest.class.getResourceAsStream("/fixtures/trainer/fixture.json"));
        int batch = fx.get("batch_size").asInt();
        int[][] trainRows = rows(fx.get("train_rows"));
        int[] trainLabels = ints(fx.get("train_labels"));
        int stepsPerEpoch = (trainRows.length + batch - 1) / batch;
        int epochs = fx.get("epochs").asInt();
        // the Trainer's order: the rows of the steps of each epoch, back to back
        int[][] orders = new int[epochs][trainRows.length];
        JsonNode steps = fx.get("step_rows");
        assertEquals(epochs * stepsPerEpoch, steps.size());
        for (int e = 0; e < epochs; e++) {
            int k = 0;
            for (int s = 0; s < stepsPerEpoch; s++) for (JsonNode r : steps.get(e * stepsPerEpoch + s)) orders[e][k++] = r.asInt();
            assertEquals(trainRows.length, k);
        }

        TinyBagModel m = new TinyBagModel(fx.get("vocab").asInt(), fx.get("dim").asInt(), fx.get("classes").asInt(), 0f, 0);
        List<String> decay = new ArrayList<>();
        fx.get("decay_params").forEach(n -> decay.add(n.asText()));
        for (Param p : m.params()) {
            assertEquals(decay.contains(p.name), p.decay, "decay group of " + p.name);
            JsonNode init = fx.get("init").get(p.name);
            for (int i = 0; i < p.size(); i++) p.data[i] = (float) init.get(i).asDouble();
        }

        TrainConfig c = new TrainConfig();
        c.learningRate = fx.get("lr").asDouble();
        c.weightDecay = fx.get("weight_decay").asDouble();
        c.batchSize = batch;
        c.evalBatchSize = fx.get("eval_batch_size").asInt();
        c.epochs = epochs;
        c.loggingSteps = fx.get("logging_steps").asInt();
        c.saveSteps = 0;
        Trainer t = new Trainer(m, c, InMemoryBatches.withOrder(trainRows, trainLabels, batch, orders),
                InMemoryBatches.sequential(rows(fx.get("eval_rows")), ints(fx.get("eval_labels")), c.evalBatchSize),
                out, WeightStore.SAFETENSORS_F32);
        TrainResult r = t.train(null);

        assertEquals(fx.get("global_step").asLong(), r.globalStep());
        close(fx.get("training_loss").asDouble(), r.trainingLoss(), 1e-5, "training_loss");
        JsonNode hf = fx.get("log_history");
        List<Map<String, Object>> ours = t.logHistory();
        assertEquals(hf.size(), ours.size(), "log_history entries");
        for (int i = 0; i < hf.size(); i++) {
            JsonNode h = hf.get(i);
            Map<String, Object> o = ours.get(i);
            assertEquals(new ArrayList<String>() {{ h.fieldNames().forEachRemaining(this::add); }},
                    new ArrayList<>(o.keySet()), "keys of entry " + i);
            String at = "entry " + i + " (step " + h.get("step") + ") ";
            assertEquals(h.get("step").asLong(), ((Number) o.get("step")).longValue(), at);
            assertEquals(h.get("epoch").asDouble(), ((Number) o.get("epoch")).doubleValue(), 1e-12, at + "epoch");
            if (h.has("loss")) {
                close(h.get("loss").asDouble(), o.get("loss"), 1e-5, at + "loss");
                close(h.get("grad_norm").asDouble(), o.get("grad_norm"), 1e-5, at + "grad_norm");
                close(h.get("learning_rate").asDouble(), o.get("learning_rate"), 1e-12, at + "learning_rate");
            }
            if (h.has("eval_loss")) {
                close(h.get("eval_loss").asDouble(), o.get("eval_loss"), 1e-5, at + "eval_loss");
                assertEquals(h.get("eval_accuracy").asDouble(), ((Number) o.get("eval_accuracy")).doubleValue(), at);
            }
            if (h.has("train_loss")) close(h.get("train_loss").asDouble(), o.get("train_loss"), 1e-5, at + "train_loss");
        }
        double worst = 0;
        for (Param p : m.params()) {
            JsonNode want = fx.get("final").get(p.name);
            double maxDiff = 0, maxRef = 0;
            for (int i = 0; i < p.size(); i++) {
                maxDiff = Math.max(maxDiff, Math.abs(p.data[i] - want.get(i).asDouble()));
                maxRef = Math.max(maxRef, Math.abs(want.get(i).asDouble()));
            }
            worst = Math.max(worst, maxDiff / maxRef);
            assertTrue(maxDiff <= 1e-5 * maxRef, p.name + ": relative error " + maxDiff / maxRef);
        }
        System.out.printf("TrainerParityTest: final weights worst relative error per tensor %.3g after %d steps%n",
                worst, r.globalStep());
    }
}
