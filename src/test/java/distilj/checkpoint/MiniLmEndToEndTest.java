package distilj.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import distilj.kernels.Parallel;
import distilj.kernels.ScalarKernels;
import distilj.kernels.SimdKernels;
import distilj.model.ModelConfig;
import distilj.model.Models;
import distilj.model.Param;
import distilj.model.ParamLayout;
import distilj.model.SequenceClassifier;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real all-MiniLM-L6-v2 checkpoint, loaded by {@link CheckpointLoader} into the real model, gives the logits
 * transformers gives (fixture minilm_logits.json from scripts/make_checkpoint_fixtures.py, the new head set to the
 * same formula on both sides). Also pins that the model's parameters are exactly {@link ParamLayout}'s.
 */
class MiniLmEndToEndTest {
    @Test
    void modelParamsAreTheLayout() {
        for (ModelConfig.Arch arch : ModelConfig.Arch.values()) {
            ModelConfig c = CheckpointLoaderTest.tinyDistilbert();
            c.arch = arch;
            c.typeVocabSize = arch == ModelConfig.Arch.BERT ? 2 : 0;
            List<Param> model = Models.create(c, new ScalarKernels(Parallel.shared()), 1).params();
            List<ParamLayout.Spec> layout = ParamLayout.specs(c);
            assertEquals(layout.toString(), model.toString(), arch + ": names, shapes and order");
            for (int i = 0; i < layout.size(); i++) assertEquals(layout.get(i).decay, model.get(i).decay, layout.get(i).name);
        }
    }

    @Test
    void realMiniLmGivesTransformersLogits() throws Exception {
        Path dir = TestPaths.minilm();
        ModelConfig c = HfConfig.read(dir);
        // Own pool: Kernels.get() caches the shared pool, which other tests close by changing the default threads.
        try (Parallel pool = new Parallel(2)) {
            check(dir, c, Models.create(c, new SimdKernels(pool), 42));
        }
    }

    private static void check(Path dir, ModelConfig c, SequenceClassifier m) throws Exception {
        LoadReport report = CheckpointLoader.load(dir, m.params());
        assertEquals(List.of("classifier.weight", "classifier.bias"), report.newlyInitialized);
        List<Param> ps = m.params();
        ModelExportTest.fillFormula(ps.subList(ps.size() - 2, ps.size()));

        JsonNode rows = new ObjectMapper().readTree(Path.of("src/test/resources/fixtures/checkpoint/minilm_logits.json").toFile()).get("rows");
        int total = 0;
        for (JsonNode row : rows) total += row.get("ids").size();
        int[] ids = new int[total], offsets = new int[rows.size() + 1];
        int at = 0;
        for (int r = 0; r < rows.size(); r++) {
            offsets[r] = at;
            for (JsonNode id : rows.get(r).get("ids")) ids[at++] = id.asInt();
        }
        offsets[rows.size()] = at;
        m.forward(ids, offsets, rows.size(), null, false, 0);
        float[] logits = m.logits();
        double worst = 0;
        for (int r = 0; r < rows.size(); r++) {
            for (int k = 0; k < 2; k++) {
                double want = rows.get(r).get("logits").get(k).asDouble();
                worst = Math.max(worst, Math.abs(want - logits[r * 2 + k]));
                assertEquals(want, logits[r * 2 + k], 2e-5, "row " + r + " logit " + k);
            }
        }
        System.err.println("MiniLmEndToEndTest: " + rows.size() + " sentences, max |logit - transformers| = " + worst);
    }
}
