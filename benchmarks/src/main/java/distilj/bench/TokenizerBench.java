package distilj.bench;

import distilj.data.Dataset;
import distilj.data.Example;
import distilj.data.RottenTomatoes;
import distilj.tokenizer.BertTokenizer;
import distilj.tokenizer.IntList;
import distilj.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tokenizer speed on one thread: all 10,662 rotten_tomatoes sentences to ids ([CLS] ... [SEP]) per operation.
 * tokens/s = tokens per pass (printed at setup, also in the driver's JSON) / seconds per operation.
 * Run by benchmarks/tokenizer-bench.sh, which measures the Hugging Face fast tokenizer on the same sentences.
 * The vocabulary: system property {@code distilj.vocab} (default: the uncased test fixture).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Threads(1)
public class TokenizerBench {
    List<String> sentences;
    BertTokenizer tokenizer;
    IntList scratch = new IntList(1 << 20);

    @Setup
    public void setup() throws IOException {
        String vocab = System.getProperty("distilj.vocab", "src/test/resources/fixtures/tokenizer/uncased-vocab.txt");
        tokenizer = BertTokenizer.uncased(Vocab.load(Path.of(vocab)));
        RottenTomatoes.Splits s = RottenTomatoes.load();
        sentences = new ArrayList<>();
        for (Dataset d : List.of(s.train(), s.validation(), s.test())) for (Example e : d.examples()) sentences.add(e.text());
        long tokens = 0;
        for (String t : sentences) tokens += tokenizer.encode(t).length;
        System.out.println("tokens per pass: " + tokens + " (" + sentences.size() + " sentences)");
    }

    /** One int[] per sentence, as the data pipeline does. */
    @Benchmark
    public long encodeEach() {
        long sum = 0;
        for (String t : sentences) sum += tokenizer.encode(t).length;
        return sum;
    }

    /** All ids into one reused buffer (no per-sentence array): the tokenizer alone. */
    @Benchmark
    public int appendAll() {
        scratch.clear();
        for (String t : sentences) tokenizer.appendPieces(t, scratch);
        return scratch.size();
    }
}
