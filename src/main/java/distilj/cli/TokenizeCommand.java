package distilj.cli;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import distilj.tokenizer.BertTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code distilj tokenize --model DIR [TEXT...]}: the token ids of each text (each argument, or each line of stdin
 * when there are none), one JSON array per line, exactly as Hugging Face's BertTokenizerFast makes them
 * ([CLS] ... [SEP], truncated to the model's max length). {@code --tokens} prints the word pieces of the same ids instead (with [CLS] and [SEP]).
 */
@Command(name = "tokenize",
        description = {"Print the token ids of each TEXT (or of each line of stdin), one JSON array per line.",
                "The model folder needs vocab.txt; its tokenizer_config.json (do_lower_case, ...) is used when present."},
        mixinStandardHelpOptions = true)
public final class TokenizeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model folder with vocab.txt.")
    Path model;

    @Option(names = "--tokens", description = "Print the word pieces (strings) instead of the ids.")
    boolean tokens;

    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "Texts to tokenize; none: read stdin, one text per line.")
    List<String> texts;

    @Override
    public Integer call() throws IOException {
        BertTokenizer tok = BertTokenizer.load(model);
        PrintWriter out = spec.commandLine().getOut();
        StringBuilder line = new StringBuilder();
        if (texts != null && !texts.isEmpty()) {
            for (String t : texts) print(tok, t, line, out);
        } else {
            StdinLines.forEach(t -> print(tok, t, line, out));
        }
        out.flush();
        return 0;
    }

    private void print(BertTokenizer tok, String text, StringBuilder line, PrintWriter out) {
        line.setLength(0);
        line.append('[');
        if (tokens) {
            // the strings of the same ids, one for one: [CLS] pieces [SEP]
            int[] ids = tok.encode(text);
            for (int i = 0; i < ids.length; i++) {
                if (i > 0) line.append(',');
                line.append('"');
                JsonStringEncoder.getInstance().quoteAsString(tok.vocab().token(ids[i]), line);
                line.append('"');
            }
        } else {
            int[] ids = tok.encode(text);
            for (int i = 0; i < ids.length; i++) {
                if (i > 0) line.append(',');
                line.append(ids[i]);
            }
        }
        line.append(']');
        out.append(line).append('\n');
    }
}
