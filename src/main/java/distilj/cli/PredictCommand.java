package distilj.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import distilj.api.Prediction;
import distilj.api.TextClassifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin ThreadsOption threads;

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
        threads.apply();
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        try (TextClassifier clf = TextClassifier.load(model)) {
            clf.batchSize(batchSize);
            warnIfNewHead(clf, err);
            Batcher batcher = new Batcher(clf, out);
            if (!texts.isEmpty()) {
                for (String t : texts) batcher.add(t);
            } else {
                StdinLines.forEach(batcher::add);
            }
            batcher.flush();
        }
        return 0;
    }

    /** The warning for a folder whose head (or any weight) was not in the checkpoint. */
    static void warnIfNewHead(TextClassifier clf, PrintWriter err) {
        if (!clf.newlyInitialized().isEmpty()) {
            err.println("warning: " + clf.folder() + " has no " + String.join(", ", clf.newlyInitialized())
                    + ": that part is randomly initialised, so the predictions mean nothing until the model is fine-tuned");
        }
    }

    /** Collects texts (standard input is read as it comes) and prints each batch's results in order. */
    private final class Batcher {
        final TextClassifier clf;
        final PrintWriter out;
        final List<String> pending = new ArrayList<>();

        Batcher(TextClassifier clf, PrintWriter out) {
            this.clf = clf;
            this.out = out;
        }

        void add(String text) {
            pending.add(text);
            if (pending.size() == batchSize) flush();
        }

        void flush() {
            if (pending.isEmpty()) return;
            for (Prediction p : clf.predictAll(pending)) print(p);
            out.flush();
            pending.clear();
        }

        void print(Prediction p) {
            if (json) {
                ObjectNode o = mapper.createObjectNode();
                o.put("label", p.label());
                o.put("score", p.score());
                var arr = o.putArray("logits");
                for (float l : p.logits()) arr.add(l);
                out.println(o.toString());
            } else {
                out.println(p.label() + "\t" + String.format(Locale.ROOT, "%.4f", p.score()));
            }
        }
    }
}
