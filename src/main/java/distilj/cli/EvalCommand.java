package distilj.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import distilj.api.TextClassifier;
import distilj.data.Dataset;
import distilj.data.RottenTomatoes;
import distilj.train.Evaluation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code distilj eval --model DIR [--dataset rotten_tomatoes|FILE] [--split test]}: loss and accuracy of a model
 * folder on a labelled data set, computed as the trainer evaluates after each epoch ({@link Evaluation}), with the
 * throughput. {@code --json} prints one object with the Trainer's eval keys.
 *
 * <p>The built-in rotten_tomatoes is evaluated on one split ({@code --split}, test by default); a user file
 * (.csv, .tsv, .jsonl; {@code --text-column} etc. as for {@code train}) is evaluated whole, its labels being the
 * model's label names or ids.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a model folder on a labelled data set: loss, accuracy, rows/s.",
                "Labels of a file are the model's label names (its config.json id2label) or their ids 0..K-1."})
public final class EvalCommand implements Callable<Integer> {
    static final List<String> SPLITS = List.of("test", "validation", "train");

    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "The model folder (written by train, or a DistilBERT/BERT classification folder).")
    Path model;

    @Option(names = "--dataset", defaultValue = DatasetOptions.BUILT_IN, paramLabel = "NAME|FILE",
            description = "rotten_tomatoes (built in) or a labelled file (.csv, .tsv, .jsonl). Default: ${DEFAULT-VALUE}.")
    String dataset;

    @Option(names = "--split", paramLabel = "SPLIT",
            description = "Split of the built-in dataset: test, validation or train. Default: test.")
    String split;

    @Mixin FileFormatOptions files;

    @Option(names = "--batch-size", defaultValue = "64", paramLabel = "N", description = "Rows per forward pass. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Mixin ThreadsOption threads;

    @Option(names = "--json", description = "One JSON object: eval_loss, eval_accuracy, eval_runtime, "
            + "eval_samples_per_second, eval_steps_per_second, rows, model, dataset, split.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (batchSize < 1) throw new Cli.UsageException("--batch-size must be at least 1, got " + batchSize);
        boolean builtIn = dataset.equals(DatasetOptions.BUILT_IN);
        if (builtIn && split != null && !SPLITS.contains(split)) {
            throw new Cli.UsageException("--split " + split + ": rotten_tomatoes has the splits test, validation, train");
        }
        if (!builtIn && split != null) {
            throw new Cli.UsageException("--split is for the built-in rotten_tomatoes; a file (" + dataset + ") is evaluated whole");
        }
        String splitName = builtIn ? (split == null ? "test" : split) : null;
        threads.apply();
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();

        try (TextClassifier clf = TextClassifier.load(model)) {
            PredictCommand.warnIfNewHead(clf, err);
            Dataset data = builtIn ? RottenTomatoes.load().get(splitName) : files.readForModel(Path.of(dataset), clf.labels());
            if (!clf.labelsMatchByName(data)) {
                err.println("note: the model's labels " + clf.labels() + " do not name " + data.labelNames()
                        + ": comparing label ids");
            }
            Evaluation.Result r = clf.evaluate(data, batchSize);
            if (json) {
                ObjectNode o = new ObjectMapper().createObjectNode();
                for (Map.Entry<String, Object> e : r.metrics().entrySet()) o.put(e.getKey(), ((Number) e.getValue()).doubleValue());
                o.put("rows", r.rows());
                o.put("model", model.toString());
                o.put("dataset", dataset);
                if (splitName == null) o.putNull("split");
                else o.put("split", splitName);
                out.println(o.toString());
            } else {
                out.printf(Locale.ROOT, "model     %s%n", model);
                out.printf(Locale.ROOT, "dataset   %s%n", builtIn ? dataset + " (" + splitName + ")" : dataset);
                out.printf(Locale.ROOT, "rows      %d%n", r.rows());
                out.printf(Locale.ROOT, "loss      %.4f%n", r.loss());
                out.printf(Locale.ROOT, "accuracy  %.4f%n", r.accuracy());
                out.printf(Locale.ROOT, "rows/s    %.1f%n", r.samplesPerSecond());
                out.printf(Locale.ROOT, "runtime   %.2f s%n", r.seconds());
            }
            out.flush();
        }
        return 0;
    }
}
