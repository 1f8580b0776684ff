package distilj.cli;

import distilj.data.Dataset;
import distilj.data.RottenTomatoes;
import distilj.data.TabularReader;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The dataset options shared by the commands that train or evaluate (a picocli mixin:
 * {@code @Mixin DatasetOptions data;} then {@code data.load()}).
 *
 * <p>{@code --dataset rotten_tomatoes} (the default) is built into the jar; anything else is a training file
 * (.csv, .tsv or .jsonl) with {@code --eval-file} for evaluation, whose labels must be among the training file's.
 */
public final class DatasetOptions {
    public static final String BUILT_IN = "rotten_tomatoes";

    @Option(names = "--dataset", defaultValue = BUILT_IN, paramLabel = "NAME|FILE",
            description = "rotten_tomatoes (built in, the default) or a training file: .csv, .tsv or .jsonl.")
    String dataset;

    @Option(names = "--eval-file", paramLabel = "FILE", description = "Evaluation file for a user dataset (same format and columns).")
    Path evalFile;

    @Option(names = "--eval-split", defaultValue = "test", paramLabel = "SPLIT",
            description = "rotten_tomatoes split to evaluate on: test (the default, as the seed recipe) or validation.")
    String evalSplit;

    @Option(names = "--text-column", defaultValue = "text", paramLabel = "NAME", description = "Column (or JSON key) of the text. Default: ${DEFAULT-VALUE}.")
    String textColumn;

    @Option(names = "--label-column", defaultValue = "label", paramLabel = "NAME", description = "Column (or JSON key) of the label. Default: ${DEFAULT-VALUE}.")
    String labelColumn;

    @Option(names = "--encoding", defaultValue = "UTF-8", paramLabel = "CHARSET", description = "Encoding of user files. Default: ${DEFAULT-VALUE}.")
    String encoding;

    @Option(names = "--format", paramLabel = "csv|tsv|jsonl", description = "Format of user files (default: from the file name).")
    String format;

    /** Training and evaluation data; {@code eval} is null for a user dataset without --eval-file. */
    public record Loaded(Dataset train, Dataset eval) {
    }

    public boolean builtIn() {
        return dataset.equals(BUILT_IN);
    }

    public Loaded load() throws IOException {
        if (builtIn()) {
            if (evalFile != null) throw new Cli.UsageException("--eval-file is for user datasets; rotten_tomatoes has --eval-split");
            RottenTomatoes.Splits s = RottenTomatoes.load();
            if (!evalSplit.equals("test") && !evalSplit.equals("validation")) {
                throw new Cli.UsageException("--eval-split must be test or validation, not '" + evalSplit + "'");
            }
            return new Loaded(s.train(), s.get(evalSplit));
        }
        Path train = Path.of(dataset);
        Charset cs;
        TabularReader.Format fmt;
        try {
            cs = TabularReader.charset(encoding);
            fmt = format == null ? TabularReader.Format.of(train) : TabularReader.Format.valueOf(format.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Cli.UsageException(format != null && e.getMessage() != null && e.getMessage().startsWith("No enum")
                    ? "--format must be csv, tsv or jsonl, not '" + format + "'" : e.getMessage());
        }
        TabularReader.Columns cols = new TabularReader.Columns(textColumn, labelColumn);
        Dataset tr = TabularReader.read(train, fmt, cols, cs);
        Dataset ev = evalFile == null ? null : TabularReader.read(evalFile, format == null ? TabularReader.Format.of(evalFile) : fmt,
                cols, cs, tr.labelNames());
        return new Loaded(tr, ev);
    }
}
