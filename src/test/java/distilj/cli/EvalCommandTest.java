package distilj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import distilj.api.TinyModels;
import distilj.data.Dataset;
import distilj.data.RottenTomatoes;
import distilj.model.SequenceClassifier;
import distilj.tokenizer.BertTokenizer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code distilj eval} on a tiny random model folder: the loss and accuracy are those counted by hand from the
 * in-memory model's logits (each row run alone), labels map by name or id, errors are one line.
 */
class EvalCommandTest {
    static final String[] LABELS = {"neg", "neutral", "pos"};
    @TempDir static Path tmp;
    static Path modelDir;
    static SequenceClassifier model;
    static BertTokenizer tokenizer;

    @BeforeAll
    static void exportModel() throws Exception {
        modelDir = tmp.resolve("model");
        model = TinyModels.save(modelDir, 3, LABELS);
        tokenizer = BertTokenizer.load(modelDir);
    }

    static String[] run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int rc = Cli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {String.valueOf(rc), out.toString(), err.toString()};
    }

    /** {mean cross-entropy, accuracy} over (text, model label id) rows, each row forwarded alone, in double. */
    static double[] byHand(List<String> texts, int[] gold) {
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < texts.size(); i++) {
            int[] ids = tokenizer.encode(texts.get(i));
            model.forward(ids, new int[] {0, ids.length}, 1, null, false, 0);
            float[] z = model.logits();
            int best = 0;
            double max = z[0], sum = 0;
            for (int c = 1; c < z.length; c++) if (z[c] > z[best]) best = c;
            max = z[best];
            for (float v : z) sum += Math.exp(v - max);
            loss += Math.log(sum) - (z[gold[i]] - max);
            if (best == gold[i]) correct++;
        }
        return new double[] {loss / texts.size(), (double) correct / texts.size()};
    }

    @Test
    void jsonOnAFileWithNamesAndIdsMatchesAHandCount() throws Exception {
        String[] texts = {"a good movie.", "the film is very, very boring!", "not great", "bad", "great film",
                "the movies", "a boring, bad film", "not bad", "very good !", "is it"};
        String[] labels = {"pos", "neg", "neutral", "0", "2", "1", "neg", "pos", "2", "neutral"};
        int[] gold = {2, 0, 1, 0, 2, 1, 0, 2, 2, 1};
        StringBuilder csv = new StringBuilder("review,y\n");
        for (int i = 0; i < texts.length; i++) csv.append('"').append(texts[i]).append("\",").append(labels[i]).append('\n');
        Path file = Files.writeString(tmp.resolve("eval.csv"), csv);

        String[] res = run("eval", "--model", modelDir.toString(), "--dataset", file.toString(), "--text-column", "review",
                "--label-column", "y", "--batch-size", "3", "--json");
        assertEquals("0", res[0], res[2]);
        assertEquals("", res[2]);
        JsonNode o = new ObjectMapper().readTree(res[1]);
        List<String> keys = new ArrayList<>();
        o.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("eval_loss", "eval_accuracy", "eval_runtime", "eval_samples_per_second",
                "eval_steps_per_second", "rows", "model", "dataset", "split"), keys);
        double[] want = byHand(List.of(texts), gold);
        assertEquals(want[0], o.get("eval_loss").asDouble(), 1e-5);
        assertEquals(want[1], o.get("eval_accuracy").asDouble(), 0.0);
        assertEquals(texts.length, o.get("rows").asInt());
        assertTrue(o.get("split").isNull());
        assertEquals(file.toString(), o.get("dataset").asText());
        assertTrue(o.get("eval_samples_per_second").asDouble() >= 0 && o.get("eval_runtime").asDouble() >= 0);
    }

    @Test
    void builtInSplitMapsNegAndPosByName() throws Exception {
        String[] res = run("eval", "--model", modelDir.toString(), "--split", "validation", "--json");
        assertEquals("0", res[0], res[2]);
        JsonNode o = new ObjectMapper().readTree(res[1]);
        assertEquals("rotten_tomatoes", o.get("dataset").asText());
        assertEquals("validation", o.get("split").asText());
        Dataset d = RottenTomatoes.load().validation();
        assertEquals(d.size(), o.get("rows").asInt());
        List<String> texts = new ArrayList<>();
        int[] gold = new int[d.size()];
        for (int i = 0; i < d.size(); i++) {
            texts.add(d.get(i).text());
            gold[i] = d.get(i).label() == 1 ? 2 : 0; // neg -> model id 0, pos -> model id 2
        }
        double[] want = byHand(texts, gold);
        assertEquals(want[0], o.get("eval_loss").asDouble(), 1e-5);
        assertEquals(want[1], o.get("eval_accuracy").asDouble(), 0.0);
    }

    @Test
    void humanOutputHasEveryLine() {
        // (no --threads here: it replaces the shared pool that the static in-memory model uses)
        String[] res = run("eval", "--model", modelDir.toString());
        assertEquals("0", res[0], res[2]);
        String[] lines = res[1].strip().split("\n");
        assertEquals(7, lines.length, res[1]);
        assertTrue(lines[1].equals("dataset   rotten_tomatoes (test)"), res[1]);
        assertTrue(lines[2].equals("rows      1066"), res[1]);
        for (String k : new String[] {"loss", "accuracy", "rows/s", "runtime"}) assertTrue(res[1].contains("\n" + k + " "), k);
    }

    @Test
    void errorsAreOneLine() throws Exception {
        String[] res = run("eval", "--model", tmp.resolve("missing").toString());
        assertEquals("1", res[0]);
        assertEquals(1, res[2].strip().split("\n").length, res[2]);
        assertTrue(res[2].startsWith("error: ") && res[2].contains("missing"), res[2]);

        res = run("eval", "--model", modelDir.toString(), "--split", "dev");
        assertEquals("2", res[0]);
        assertTrue(res[2].startsWith("error: --split dev: rotten_tomatoes has the splits test, validation, train\n"), res[2]);
        assertEquals(1, res[2].lines().filter(l -> l.startsWith("error")).count(), res[2]);

        res = run("eval", "--model", modelDir.toString(), "--threads", "-1");
        assertEquals("2", res[0]);
        assertTrue(res[2].startsWith("error: --threads must be >= 0"), res[2]);

        Path file = Files.writeString(tmp.resolve("bad.tsv"), "text\tlabel\ngood\tpos\nbad\tmeh\n");
        res = run("eval", "--model", modelDir.toString(), "--dataset", file.toString());
        assertEquals("1", res[0]);
        assertEquals("error: " + file + ":3: unknown label 'meh' (known: neg, neutral, pos; or an id 0..2)", res[2].strip());
        res = run("eval", "--model", modelDir.toString(), "--dataset", file.toString(), "--split", "test");
        assertEquals("2", res[0]);
        assertTrue(res[2].startsWith("error: --split is for the built-in"), res[2]);
        Files.writeString(file, "text\tlabel\ngood\t3\n");
        res = run("eval", "--model", modelDir.toString(), "--dataset", file.toString());
        assertEquals("1", res[0]);
        assertTrue(res[2].strip().endsWith(":2: unknown label '3' (known: neg, neutral, pos; or an id 0..2)"), res[2]);
    }

    @Test
    void aBaseModelsNewHeadIsAWarningAndIdsAreCompared() throws Exception {
        Path base = tmp.resolve("base");
        TinyModels.save(base, 4, "LABEL_0", "LABEL_1");
        // drop the head from the weights: as a base checkpoint that was never fine-tuned
        Path st = base.resolve("model.safetensors");
        distilj.model.ModelConfig c = distilj.checkpoint.HfConfig.read(base);
        SequenceClassifier m = distilj.model.Models.create(c, distilj.kernels.Kernels.get(), 4);
        distilj.checkpoint.CheckpointLoader.load(base, m.params());
        List<distilj.model.Param> encoder = m.params().stream().filter(p -> !Set.of("pre_classifier.weight",
                "pre_classifier.bias", "classifier.weight", "classifier.bias").contains(p.name)).toList();
        Files.delete(st);
        Files.delete(base.resolve("config.json"));
        distilj.checkpoint.ModelExport.save(base, c, encoder, null);
        String[] res = run("eval", "--model", base.toString(), "--json");
        assertEquals("0", res[0], res[2]);
        assertTrue(res[2].startsWith("warning: " + base + " has no "), res[2]);
        assertTrue(res[2].contains("note: the model's labels [LABEL_0, LABEL_1] do not name [neg, pos]: comparing label ids"), res[2]);
    }
}
