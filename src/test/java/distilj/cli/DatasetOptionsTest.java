package distilj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class DatasetOptionsTest {
    @TempDir
    Path dir;

    @Command(name = "t")
    static final class T {
        @Mixin DatasetOptions data;
    }

    private static DatasetOptions parse(String... args) {
        T t = new T();
        new CommandLine(t).parseArgs(args);
        return t.data;
    }

    @Test
    void builtInByDefault() throws IOException {
        DatasetOptions.Loaded l = parse().load();
        assertEquals(8530, l.train().size());
        assertEquals("rotten_tomatoes/test", l.eval().name());
        assertEquals("rotten_tomatoes/validation", parse("--eval", "validation").load().eval().name());
        assertEquals(null, parse("--eval", "none").load().eval());
        Cli.UsageException e = assertThrows(Cli.UsageException.class, () -> parse("--eval", "dev").load());
        assertEquals("--eval dev: not a split (test, validation), 'none' or an existing file", e.getMessage());
        IOException missing = assertThrows(IOException.class, () -> parse("--dataset", "nope.csv").load());
        assertEquals("nope.csv: no such file", missing.getMessage());
    }

    @Test
    void userFilesWithColumnsAndEvalLabelsFromTrain() throws IOException {
        Path train = dir.resolve("train.tsv"), eval = dir.resolve("eval.tsv");
        Files.writeString(train, "review\tstars\ngood\tpos\nbad\tneg\n");
        Files.writeString(eval, "review\tstars\nok\tpos\n");
        DatasetOptions.Loaded l = parse("--dataset", train.toString(), "--eval", eval.toString(),
                "--text-column", "review", "--label-column", "stars").load();
        assertEquals(List.of("neg", "pos"), l.train().labelNames());
        assertEquals(1, l.eval().get(0).label());
        Files.writeString(eval, "review\tstars\nok\tmeh\n");
        IOException e = assertThrows(IOException.class, () -> parse("--dataset", train.toString(), "--eval", eval.toString(),
                "--text-column", "review", "--label-column", "stars").load());
        assertEquals(eval + ":2: unknown label 'meh' (known: neg, pos)", e.getMessage());
        Cli.UsageException u = assertThrows(Cli.UsageException.class, () -> parse("--dataset", train.toString(), "--format", "xml").load());
        assertTrue(u.getMessage().contains("--format must be csv, tsv or jsonl"), u.getMessage());
        u = assertThrows(Cli.UsageException.class, () -> parse("--dataset", train.toString(), "--text-column", "review",
                "--label-column", "stars").load()); // default --eval test: no such split for a user file
        assertTrue(u.getMessage().contains("a user dataset has no splits"), u.getMessage());
    }
}
