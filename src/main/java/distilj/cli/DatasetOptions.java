package distilj.cli;

import distilj.data.Dataset;
import distilj.data.RottenTomatoes;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The dataset options shared by the commands that train or evaluate (a picocli mixin:
 * {@code @Mixin DatasetOptions data;} then {@code data.load()}), with TrainCommand's names and defaults.
 *
 * <p>{@code --dataset rotten_tomatoes} (the default) is built into the jar; anything else is a training file
 * (.csv, .tsv or .jsonl, read as {@link FileFormatOptions} says). {@code --eval} is a split of the built-in dataset
 * (test, the default, as the seed recipe; validation), an evaluation file (same format and columns, its labels among
 * the training file's) or {@code none}.
 */
public final class DatasetOptions {
    public static final String BUILT_IN = "rotten_tomatoes";

    @Option(names = "--dataset", defaultValue = BUILT_IN, paramLabel = "NAME|FILE",
            description = "rotten_tomatoes (built in) or a training file (.csv, .tsv, .jsonl). Default: ${DEFAULT-VALUE}.")
    String dataset;

    @Option(names = "--eval", defaultValue = "test", paramLabel = "SPLIT|FILE",
            description = "Evaluation data: a split of the built-in dataset (test, validation) or a file; 'none' to "
                    + "skip. Default: ${DEFAULT-VALUE}.")
    String eval;

    @Mixin FileFormatOptions files;

    /** Training and evaluation data; {@code eval} is null with {@code --eval none}. */
    public record Loaded(Dataset train, Dataset eval) {
    }

    public boolean builtIn() {
        return dataset.equals(BUILT_IN);
    }

    public Loaded load() throws IOException {
        boolean noEval = eval.equals("none");
        boolean evalSplit = eval.equals("test") || eval.equals("validation");
        if (builtIn()) {
            RottenTomatoes.Splits s = RottenTomatoes.load();
            if (noEval) return new Loaded(s.train(), null);
            if (evalSplit) return new Loaded(s.train(), s.get(eval));
            if (!java.nio.file.Files.exists(Path.of(eval))) {
                throw new Cli.UsageException("--eval " + eval + ": not a split (test, validation), 'none' or an existing file");
            }
            return new Loaded(s.train(), readUser(Path.of(eval), s.train().labelNames()));
        }
        Dataset tr = readUser(Path.of(dataset), null);
        if (noEval) return new Loaded(tr, null);
        if (evalSplit && !java.nio.file.Files.exists(Path.of(eval))) {
            throw new Cli.UsageException("--eval " + eval + ": a user dataset has no splits; give an evaluation file or 'none'");
        }
        return new Loaded(tr, readUser(Path.of(eval), tr.labelNames()));
    }

    /** A user file; with {@code labels}, its labels must be among them. */
    private Dataset readUser(Path file, java.util.List<String> labels) throws IOException {
        return files.read(file, labels);
    }
}
