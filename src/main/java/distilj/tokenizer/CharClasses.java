package distilj.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The character classes of the Hugging Face BERT normalizer and pre-tokenizer, for every code point.
 *
 * <p>Why a table and not {@link Character#getType}: the Rust {@code tokenizers} library behind BertTokenizerFast
 * takes "control", "punctuation" and "nonspacing mark" from a crate frozen at an old Unicode version, while every
 * JDK has its own, newer one. Hundreds of code points differ (e.g. U+166D is punctuation there, a symbol in Java 17;
 * U+2E43..U+2E4F are punctuation in Java 17 and not there). {@code bert-chars.txt} was read off the real library code
 * point by code point by {@code scripts/make_tokenizer_fixtures.py}, so the classes here are the reference's, on any
 * JDK. Lowercasing follows Rust's {@code char::to_lowercase} (full mapping: İ becomes "i̇"), also from the table.
 *
 * <p>Layout: one flag byte per BMP code point (64 KB, O(1) lookup) and a short range list for the rest.
 */
final class CharClasses {
    static final int CONTROL = 1;     // removed by clean_text (also NUL and U+FFFD)
    static final int WHITESPACE = 2;  // clean_text makes it ' '; the pre-tokenizer splits on it
    static final int PUNCTUATION = 4; // the pre-tokenizer makes it a word of its own
    static final int CHINESE = 8;     // CJK ideograph: handle_chinese_chars puts spaces around it
    static final int MARK = 16;       // nonspacing mark: dropped after NFD by strip_accents
    static final int LOWER = 32;      // has a lowercase mapping other than itself
    static final int DECOMPOSES = 64; // NFD changes it (in the reference's Unicode version: "é" yes, U+11938 no)

    private static final String RESOURCE = "bert-chars.txt";
    static final CharClasses INSTANCE = load();

    private final byte[] bmp = new byte[0x10000];
    /** Supplementary planes: disjoint segments, segment i = [starts[i], starts[i+1]) having flags segFlags[i]. */
    private final int[] starts;
    private final byte[] segFlags;
    /** Lowercase of a code point that has one; e.g. 'A' → "a", 'İ' → "i̇". */
    private final Map<Integer, String> lower = new HashMap<>();

    private CharClasses(List<int[]> ranges) {
        java.util.TreeSet<Integer> cuts = new java.util.TreeSet<>(List.of(0x10000, 0x110000));
        for (int[] r : ranges) {
            for (int c = r[0]; c <= Math.min(r[1], 0xFFFF); c++) bmp[c] |= (byte) r[2];
            if (r[1] > 0xFFFF) {
                cuts.add(Math.max(r[0], 0x10000));
                cuts.add(r[1] + 1);
            }
        }
        // Classes overlap (a mark may have a lowercase...), so cut the planes into segments of constant flags.
        starts = cuts.stream().mapToInt(Integer::intValue).toArray();
        segFlags = new byte[starts.length];
        for (int[] r : ranges) {
            if (r[1] <= 0xFFFF) continue;
            for (int i = java.util.Arrays.binarySearch(starts, Math.max(r[0], 0x10000)); starts[i] <= r[1]; i++) {
                segFlags[i] |= (byte) r[2];
            }
        }
    }

    /** The flags of a code point (a bit set of the constants above). */
    int flags(int cp) {
        if (cp < 0x10000) return bmp[cp];
        int i = java.util.Arrays.binarySearch(starts, cp);
        return segFlags[i >= 0 ? i : -i - 2];
    }

    /** The lowercase of a code point as a string (itself when it has none). */
    String lowercase(int cp) {
        String s = lower.get(cp);
        return s != null ? s : new String(Character.toChars(cp));
    }

    private static CharClasses load() {
        try (InputStream in = CharClasses.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IOException("resource distilj/tokenizer/" + RESOURCE + " missing from the jar");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<int[]> ranges = new ArrayList<>();
            Map<Integer, String> lower = new HashMap<>();
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                String[] f = line.split(" ");
                if (f[0].equals("lower")) {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 2; i < f.length; i++) sb.appendCodePoint(Integer.parseInt(f[i], 16));
                    int cp = Integer.parseInt(f[1], 16);
                    lower.put(cp, sb.toString());
                    ranges.add(new int[] {cp, cp, LOWER});
                    continue;
                }
                int flag = switch (f[0]) {
                    case "control" -> CONTROL;
                    case "whitespace" -> WHITESPACE;
                    case "punctuation" -> PUNCTUATION;
                    case "chinese" -> CHINESE;
                    case "mark" -> MARK;
                    case "decomposes" -> DECOMPOSES;
                    default -> throw new IOException(RESOURCE + ": unknown class in line: " + line);
                };
                ranges.add(new int[] {Integer.parseInt(f[1], 16), Integer.parseInt(f[2], 16), flag});
            }
            CharClasses cc = new CharClasses(ranges);
            cc.lower.putAll(lower);
            return cc;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
