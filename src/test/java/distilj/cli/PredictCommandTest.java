package distilj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import distilj.api.TinyModels;
import distilj.model.SequenceClassifier;
import distilj.tokenizer.BertTokenizer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** predict on a small exported model folder: the printed logits are the model's, labels and scores follow from them. */
class PredictCommandTest {
    static final String[] TEXTS = {"a good movie.", "The film is very, very boring!", "not great", ""};

    @TempDir static Path tmp;
    static Path modelDir;
    static SequenceClassifier model;

    @BeforeAll
    static void exportModel() throws Exception {
        modelDir = tmp.resolve("model");
        model = TinyModels.save(modelDir, 5, "neg", "neutral", "pos");
    }

    static String[] run(InputStream stdin, String... args) {
        CommandLine cl = Cli.commandLine();
        if (!cl.getSubcommands().containsKey("predict")) cl.addSubcommand(new PredictCommand());
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        InputStream saved = System.in;
        try {
            if (stdin != null) System.setIn(stdin);
            int code = cl.execute(args);
            return new String[] {String.valueOf(code), out.toString(), err.toString()};
        } finally {
            System.setIn(saved);
        }
    }

    /** The logits of each text run alone through the in-memory model. */
    static float[][] expected() throws Exception {
        BertTokenizer tok = BertTokenizer.load(modelDir);
        float[][] want = new float[TEXTS.length][];
        for (int i = 0; i < TEXTS.length; i++) {
            int[] ids = tok.encode(TEXTS[i]);
            model.forward(ids, new int[] {0, ids.length}, 1, null, false, 0);
            want[i] = model.logits().clone();
        }
        return want;
    }

    @Test
    void jsonGivesLabelScoreAndTheModelsLogits() throws Exception {
        List<String> args = new ArrayList<>(List.of("predict", "--model", modelDir.toString(), "--json", "--batch-size", "3"));
        args.addAll(List.of(TEXTS));
        String[] res = run(null, args.toArray(new String[0]));
        assertEquals("0", res[0], res[2]);
        assertTrue(res[2].isEmpty(), "no warning for a complete model: " + res[2]);
        String[] lines = res[1].strip().split("\n");
        assertEquals(TEXTS.length, lines.length, res[1]);
        float[][] want = expected();
        String[] labels = {"neg", "neutral", "pos"};
        for (int i = 0; i < lines.length; i++) {
            JsonNode o = new ObjectMapper().readTree(lines[i]);
            double max = Double.NEGATIVE_INFINITY, z = 0;
            int best = 0;
            for (int c = 0; c < 3; c++) {
                // Bit-identical: a row's logits do not depend on the batch it is in.
                assertEquals(want[i][c], (float) o.get("logits").get(c).asDouble(), 0f, "text " + i + " logit " + c);
                if (want[i][c] > max) {
                    max = want[i][c];
                    best = c;
                }
            }
            for (int c = 0; c < 3; c++) z += Math.exp(want[i][c] - max);
            assertEquals(labels[best], o.get("label").asText());
            assertEquals(1 / z, o.get("score").asDouble(), 1e-6);
        }
    }

    @Test
    void readsStdinLinesAndPrintsLabelAndProbability() throws Exception {
        String input = String.join("\n", TEXTS) + "\n";
        String[] res = run(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                "predict", "--model", modelDir.toString());
        assertEquals("0", res[0], res[2]);
        String[] lines = res[1].strip().split("\n");
        assertEquals(TEXTS.length, lines.length, res[1]);
        for (String line : lines) assertTrue(line.matches("(neg|neutral|pos)\t(0|1)\\.\\d{4}"), line);
    }

    @Test
    void anUnsupportedFolderIsAOneLineError() throws Exception {
        Path bad = tmp.resolve("gpt");
        Files.createDirectories(bad);
        Files.writeString(bad.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
        String[] res = run(null, "predict", "--model", bad.toString(), "hello");
        assertEquals("1", res[0]);
        assertEquals(1, res[2].strip().split("\n").length, res[2]);
        assertTrue(res[2].startsWith("error: ") && res[2].contains("gpt2"), res[2]);
        res = run(null, "predict", "--model", tmp.resolve("missing").toString(), "hello");
        assertEquals("1", res[0]);
        assertTrue(res[2].startsWith("error: ") && res[2].strip().split("\n").length == 1, res[2]);
    }
}
