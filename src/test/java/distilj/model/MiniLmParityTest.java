package distilj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import distilj.kernels.Kernels;
import distilj.kernels.Parallel;
import distilj.kernels.SimdKernels;
import distilj.checkpoint.CheckpointLoader;
import distilj.checkpoint.LoadReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The real all-MiniLM-L6-v2 checkpoint (a 6-layer BERT, hidden 384) with a seeded classifier head: logits against
 * BertForSequenceClassification, ≤ 1e-4, loaded by the product's CheckpointLoader (no "bert." prefix in this file).
 * Needs weights/all-MiniLM-L6-v2 (bash weights/fetch-minilm.sh).
 */
class MiniLmParityTest {

    @Test
    void logitsMatchTransformers() throws IOException {
        Path dir = Paths.get(System.getProperty("distilj.weights", "weights"), "all-MiniLM-L6-v2");
        Path file = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(file)) {
            System.err.println("SKIPPED MiniLmParityTest: " + file + " is missing (run bash weights/fetch-minilm.sh)");
        }
        Assumptions.assumeTrue(Files.isRegularFile(file), "MiniLM weights missing: run bash weights/fetch-minilm.sh");

        Fixture f = new Fixture("minilm");
        ModelConfig cfg = f.config();
        try (Parallel pool = new Parallel(2)) {
            Kernels k = new SimdKernels(pool);
            SequenceClassifier m = Models.create(cfg, k, 1);
            Map<String, Param> byName = new HashMap<>();
            for (Param p : m.params()) byName.put(p.name, p);
            LoadReport report = CheckpointLoader.load(dir, m.params());
            assertEquals(m.params().size() - 2, report.loaded.size(), "every encoder and pooler tensor comes from the checkpoint");
            assertEquals(List.of("classifier.weight", "classifier.bias"), report.newlyInitialized);
            for (String name : new String[] {"classifier.weight", "classifier.bias"}) {
                float[] w = f.npy(f.manifest.get("head").get(name).asText()).asFloatArray();
                System.arraycopy(w, 0, byName.get(name).data, 0, w.length);
            }
            int[] ids = f.ints("ids"), off = f.ints("offsets");
            m.forward(ids, off, f.rows(), null, false, 0);
            float[] ref = f.floats("logits");
            double diff = ModelParityTest.maxAbsDiff(m.logits(), ref);
            System.out.printf(Locale.ROOT, "minilm [%s]: %d rows, logits max |diff| %.3g%n", k.name(), f.rows(), diff);
            assertTrue(diff <= 1e-4, "MiniLM logits differ by " + diff);
        }
    }
}
