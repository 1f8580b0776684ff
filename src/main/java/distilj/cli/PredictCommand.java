package distilj.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import distilj.checkpoint.CheckpointLoader;
import distilj.checkpoint.HfConfig;
import distilj.checkpoint.LoadReport;
import distilj.kernels.Kernels;
import distilj.model.ModelConfig;
import distilj.model.Models;
import distilj.model.SequenceClassifier;
import distilj.tokenizer.BertTokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code distilj predict --model DIR [--json] [TEXT…]}: the label and its probability for each text (or each line
 * of standard input when no TEXT is given), from a DistilBERT or BERT sequence-classification folder
 * (config.json, vocab.txt, model.safetensors).
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Classify texts with a fine-tuned model folder (config.json, vocab.txt, model.safetensors).",
                "Reads one text per line from standard input when no TEXT is given."})
public final class PredictCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The model folder.")
    Path model;

    @Option(names = "--json", description = "One JSON object per line: label, score and the raw logits.")
    boolean json;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N",
            description = "Texts per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "Texts to classify.")
    List<String> texts = new ArrayList<>();

    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public Integer call() throws IOException {
        if (batchSize < 1) throw new Cli.UsageException("--batch-size must be at least 1, got " + batchSize);
        ModelConfig cfg = HfConfig.read(model);
        BertTokenizer tokenizer = BertTokenizer.load(model);
        SequenceClassifier classifier = Models.create(cfg, Kernels.get(), 0);
        LoadReport report = CheckpointLoader.load(model, classifier.params());
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (!report.newlyInitialized.isEmpty()) {
            err.println("warning: " + model + " has no " + String.join(", ", report.newlyInitialized)
                    + ": that part is randomly initialised, so the predictions mean nothing until the model is fine-tuned");
        }
        Batcher batcher = new Batcher(tokenizer, classifier, cfg, out);
        if (!texts.isEmpty()) {
            for (String t : texts) batcher.add(t);
        } else {
            var decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, decoder));
            int n = 0;
            try {
                for (String line; (line = in.readLine()) != null; n++) batcher.add(line);
            } catch (CharacterCodingException e) {
                throw new IOException("stdin line " + (n + 1) + ": not valid UTF-8");
            }
        }
        batcher.flush();
        return 0;
    }

    /** Collects texts into packed batches of {@code batchSize} rows and prints each batch's results in order. */
    private final class Batcher {
        final BertTokenizer tokenizer;
        final SequenceClassifier classifier;
        final ModelConfig cfg;
        final PrintWriter out;
        final List<int[]> pending = new ArrayList<>();

        Batcher(BertTokenizer tokenizer, SequenceClassifier classifier, ModelConfig cfg, PrintWriter out) {
            this.tokenizer = tokenizer;
            this.classifier = classifier;
            this.cfg = cfg;
            this.out = out;
        }

        void add(String text) {
            int[] ids = tokenizer.encode(text);
            if (ids.length > cfg.maxPositions) {
                // Keep [CLS] … and the final [SEP] within the model's positions.
                int[] cut = java.util.Arrays.copyOf(ids, cfg.maxPositions);
                cut[cut.length - 1] = ids[ids.length - 1];
                ids = cut;
            }
            pending.add(ids);
            if (pending.size() == batchSize) flush();
        }

        void flush() {
            int rows = pending.size();
            if (rows == 0) return;
            int[] offsets = new int[rows + 1];
            for (int r = 0; r < rows; r++) offsets[r + 1] = offsets[r] + pending.get(r).length;
            int[] ids = new int[offsets[rows]];
            for (int r = 0; r < rows; r++) System.arraycopy(pending.get(r), 0, ids, offsets[r], pending.get(r).length);
            classifier.forward(ids, offsets, rows, null, false, 0);
            float[] logits = classifier.logits();
            int C = cfg.numLabels;
            for (int r = 0; r < rows; r++) print(logits, r * C, C);
            out.flush();
            pending.clear();
        }

        /** Softmax over the row's logits (in double, max subtracted); the label is the argmax. */
        void print(float[] logits, int off, int C) {
            int best = 0;
            for (int c = 1; c < C; c++) if (logits[off + c] > logits[off + best]) best = c;
            double z = 0;
            for (int c = 0; c < C; c++) z += Math.exp((double) logits[off + c] - logits[off + best]);
            double score = 1.0 / z;
            String label = cfg.labels[best];
            if (json) {
                ObjectNode o = mapper.createObjectNode();
                o.put("label", label);
                o.put("score", score);
                var arr = o.putArray("logits");
                for (int c = 0; c < C; c++) arr.add(logits[off + c]);
                out.println(o.toString());
            } else {
                out.println(label + "\t" + String.format(Locale.ROOT, "%.4f", score));
            }
        }
    }
}
