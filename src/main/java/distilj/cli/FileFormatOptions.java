package distilj.cli;

import distilj.data.Dataset;
import distilj.data.TabularReader;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * How to read a user's data file (a picocli mixin, part of {@link DatasetOptions} and used by {@code eval}): the
 * columns of the text and the label, the encoding and the format.
 */
public final class FileFormatOptions {
    @Option(names = "--text-column", defaultValue = "text", paramLabel = "NAME", description = "Column (or JSON key) of the text. Default: ${DEFAULT-VALUE}.")
    String textColumn;

    @Option(names = "--label-column", defaultValue = "label", paramLabel = "NAME", description = "Column (or JSON key) of the label. Default: ${DEFAULT-VALUE}.")
    String labelColumn;

    @Option(names = "--encoding", defaultValue = "UTF-8", paramLabel = "CHARSET", description = "Encoding of user files. Default: ${DEFAULT-VALUE}.")
    String encoding;

    @Option(names = "--format", paramLabel = "csv|tsv|jsonl", description = "Format of user files (default: from the file name).")
    String format;

    /** A training file ({@code labels} null: the names come from the file) or one whose labels are among {@code labels}. */
    Dataset read(Path file, List<String> labels) throws IOException {
        return read(file, labels, false);
    }

    /** A file to evaluate a model with labels {@code modelLabels}: names, or integer ids 0..K-1. */
    Dataset readForModel(Path file, List<String> modelLabels) throws IOException {
        return read(file, modelLabels, true);
    }

    private Dataset read(Path file, List<String> labels, boolean idsToo) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such file");
        Charset cs;
        TabularReader.Format fmt;
        try {
            cs = TabularReader.charset(encoding);
            fmt = format == null ? TabularReader.Format.of(file) : TabularReader.Format.valueOf(format.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Cli.UsageException(format != null && e.getMessage() != null && e.getMessage().startsWith("No enum")
                    ? "--format must be csv, tsv or jsonl, not '" + format + "'" : e.getMessage());
        }
        TabularReader.Columns cols = new TabularReader.Columns(textColumn, labelColumn);
        return idsToo ? TabularReader.readForModel(file, fmt, cols, cs, labels) : TabularReader.read(file, fmt, cols, cs, labels);
    }
}
