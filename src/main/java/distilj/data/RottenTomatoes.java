package distilj.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The rotten_tomatoes dataset (Pang &amp; Lee's "sentence polarity dataset v1.0", 5331 positive and 5331 negative
 * snippets), built into the jar from the original Cornell files and split exactly as the Hugging Face dataset is:
 * <ul>
 *   <li>each file read as ISO-8859-1 (latin-1), split into lines with universal newlines, each line stripped as
 *   Python's {@code str.strip()} does;</li>
 *   <li>{@code i1 = int(5331 * 0.8 + 0.5) = 4265}, {@code i2 = int(5331 * 0.9 + 0.5) = 4798};</li>
 *   <li>train = pos[:i1] + neg[:i1] (8530), validation = pos[i1:i2] + neg[i1:i2] (1066),
 *   test = pos[i2:] + neg[i2:] (1066); label 0 = neg, 1 = pos.</li>
 * </ul>
 * The two files' sha256 are checked when loaded.
 */
public final class RottenTomatoes {
    public static final List<String> LABELS = List.of("neg", "pos");
    static final String POS_SHA256 = "d79ef14009bbf87cd6be21f91c3ea1a3cbcb73b34dfb4231aef7bbcd7677abc4";
    static final String NEG_SHA256 = "4af43bf489620b498a0852c5a8c6a535155dec7985fdfea782b8f7756b957ccc";

    /** The three splits. */
    public record Splits(Dataset train, Dataset validation, Dataset test) {
        public Dataset get(String split) {
            return switch (split) {
                case "train" -> train;
                case "validation" -> validation;
                case "test" -> test;
                default -> throw new IllegalArgumentException("rotten_tomatoes has no split '" + split
                        + "' (train, validation, test)");
            };
        }
    }

    private RottenTomatoes() {
    }

    private static volatile Splits cached;

    /** The splits (built once per JVM, then shared: datasets are immutable). */
    public static Splits load() {
        Splits s = cached;
        if (s == null) cached = s = build();
        return s;
    }

    private static Splits build() {
        List<String> pos = read("rt-polarity.pos", POS_SHA256);
        List<String> neg = read("rt-polarity.neg", NEG_SHA256);
        if (pos.size() != neg.size()) throw new IllegalStateException("rotten_tomatoes: " + pos.size() + " pos vs " + neg.size() + " neg lines");
        int n = pos.size();
        int i1 = (int) (n * 0.8 + 0.5), i2 = (int) (n * 0.9 + 0.5);
        return new Splits(split("rotten_tomatoes/train", pos, neg, 0, i1),
                split("rotten_tomatoes/validation", pos, neg, i1, i2),
                split("rotten_tomatoes/test", pos, neg, i2, n));
    }

    private static Dataset split(String name, List<String> pos, List<String> neg, int from, int to) {
        List<Example> ex = new ArrayList<>(2 * (to - from));
        for (int i = from; i < to; i++) ex.add(new Example(pos.get(i), 1));
        for (int i = from; i < to; i++) ex.add(new Example(neg.get(i), 0));
        return new Dataset(name, ex, LABELS);
    }

    private static List<String> read(String file, String sha256) {
        String resource = "rotten_tomatoes/" + file;
        try (InputStream in = RottenTomatoes.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("distilj/data/" + resource + " is missing from the jar");
            byte[] bytes = in.readAllBytes();
            String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            if (!actual.equals(sha256)) {
                throw new IllegalStateException("distilj/data/" + resource + " is damaged: sha256 " + actual + ", expected " + sha256);
            }
            List<String> lines = PythonText.lines(new String(bytes, StandardCharsets.ISO_8859_1));
            lines.replaceAll(PythonText::strip);
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
