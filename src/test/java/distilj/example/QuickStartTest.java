package distilj.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import distilj.api.Prediction;
import distilj.api.TextClassifier;
import distilj.api.TinyModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's example end to end on a tiny model (a few steps on rotten_tomatoes) and checks what it prints. */
class QuickStartTest {
    @Test
    void runsOnATinyModel(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base"), out = dir.resolve("run");
        TinyModels.save(base, 9, "LABEL_0", "LABEL_1");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            QuickStart.main(new String[] {base.toString(), out.toString(), "6"});
        } finally {
            System.setOut(saved);
        }
        String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(4, lines.length, String.join("\n", lines));
        assertTrue(lines[0].startsWith("trained 6 steps, mean loss "), lines[0]);
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")) && Files.isRegularFile(out.resolve("metrics.jsonl")));
        try (TextClassifier clf = TextClassifier.load(out)) {
            assertEquals(List.of("neg", "pos"), clf.labels()); // the dataset's names replace LABEL_0/1
            List<Prediction> ps = clf.predictAll(List.of("a gorgeous, witty, seductive movie.", "the plot is a mess.",
                    "an utterly charming film."));
            for (int i = 0; i < 3; i++) assertEquals(ps.get(i).label() + "\t" + ps.get(i).score(), lines[i + 1]);

            // The saved folder evaluates to exactly what the trainer logged at its last evaluation (same loop, same
            // batches of 64, and a row's logits do not depend on its batch).
            com.fasterxml.jackson.databind.JsonNode last = null;
            for (String l : Files.readAllLines(out.resolve("metrics.jsonl"))) {
                var o = new com.fasterxml.jackson.databind.ObjectMapper().readTree(l);
                if (o.has("eval_loss")) last = o;
            }
            assertTrue(last != null, "no evaluation logged");
            distilj.train.Evaluation.Result r = clf.evaluate(distilj.data.RottenTomatoes.load().test(), 64);
            assertEquals(last.get("eval_loss").asDouble(), r.loss(), 0.0);
            assertEquals(last.get("eval_accuracy").asDouble(), r.accuracy(), 0.0);
        }
    }
}
