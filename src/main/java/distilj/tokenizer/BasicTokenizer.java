package distilj.tokenizer;

import java.text.Normalizer;

/**
 * Text to words, as the Hugging Face {@code BertNormalizer} then {@code BertPreTokenizer} do it (the Rust pair run by
 * BertTokenizerFast), in one pass over the code points and without building intermediate strings.
 *
 * <p>Per code point c of the text, in the reference's order:
 * <ol>
 *   <li>clean_text: drop c if it is a control/format/private-use character, NUL or U+FFFD; whitespace becomes ' ';</li>
 *   <li>handle_chinese_chars: a CJK ideograph gets a space on each side (so it is a word of its own);</li>
 *   <li>strip_accents (default: on when lowercasing): NFD, then drop the nonspacing marks ("é" → "e" + U+0301 → "e");</li>
 *   <li>lowercase: Rust's {@code char::to_lowercase} per code point (no final-sigma rule: "ΣΑΣ" → "σασ");</li>
 *   <li>pre-tokenize the result: split on whitespace, and make every punctuation character a word of its own.</li>
 * </ol>
 * Character classes come from {@link CharClasses} (the reference's own tables); every single code point is checked
 * against the reference (CodePointParityTest). One known difference: NFD is applied per code point, so the canonical
 * reordering of combining marks is not done. After stripping it can only matter for two adjacent spacing marks
 * (Mc) with non-zero combining classes out of order, e.g. U+1D16D U+1D165 (musical symbols), which the reference
 * swaps and this keeps. Cased tokenizers do not strip and are not affected.
 *
 * <p>A lone surrogate (malformed UTF-16, which Python could not even hand to the reference) is kept as an ordinary
 * character, so its word becomes [UNK].
 *
 * <p>Thread-safe: the caches are filled with immutable strings, racing writers store equal values.
 */
final class BasicTokenizer {
    /** Receives each word: {@code chars[0, length)}, {@code codePoints} code points long. */
    interface WordSink {
        void word(char[] chars, int length, int codePoints);
    }

    private static final CharClasses CC = CharClasses.INSTANCE;
    private final boolean lowercase;
    private final boolean stripAccents;
    private final boolean chineseChars;
    /** fold(c) = lowercase(strip(c)) for BMP code points, computed on first use. */
    private final String[] foldCache = new String[0x10000];

    BasicTokenizer(boolean lowercase, boolean stripAccents, boolean chineseChars) {
        this.lowercase = lowercase;
        this.stripAccents = stripAccents;
        this.chineseChars = chineseChars;
    }

    /** A growable word buffer, one per call (so that one tokenizer serves many threads). */
    static final class Word {
        char[] chars = new char[64];
        int length;
        int codePoints;

        void append(int cp) {
            if (length + 2 > chars.length) chars = java.util.Arrays.copyOf(chars, chars.length * 2);
            if (cp < 0x10000) {
                chars[length++] = (char) cp;
            } else {
                chars[length++] = Character.highSurrogate(cp);
                chars[length++] = Character.lowSurrogate(cp);
            }
            codePoints++;
        }

        void flush(WordSink sink) {
            if (length > 0) sink.word(chars, length, codePoints);
            length = 0;
            codePoints = 0;
        }
    }

    /** Splits {@code text[from, to)} into words, handing each to {@code sink}. */
    void split(String text, int from, int to, Word w, WordSink sink) {
        for (int i = from; i < to; ) {
            int c = text.charAt(i);
            if (c < 0x80) {
                // ASCII fast path: letters and digits (the bulk of English text) go straight in.
                i++;
                if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) { w.append(c); continue; }
                if (c >= 'A' && c <= 'Z') { w.append(lowercase ? c + 32 : c); continue; }
            } else {
                c = text.codePointAt(i);
                i += Character.charCount(c);
            }
            int f = CC.flags(c);
            if ((f & CharClasses.CONTROL) != 0) continue;            // clean_text: dropped
            if ((f & CharClasses.WHITESPACE) != 0) { w.flush(sink); continue; }
            boolean alone = chineseChars && (f & CharClasses.CHINESE) != 0;
            if (alone) w.flush(sink);
            boolean folds = c >= 0x80 && (stripAccents || (lowercase && (f & CharClasses.LOWER) != 0));
            if (!folds) {
                // Unchanged by strip/lowercase: classify c itself.
                emit(c, f, w, sink);
            } else {
                String s = fold(c);
                for (int k = 0; k < s.length(); ) {
                    int d = s.codePointAt(k);
                    k += Character.charCount(d);
                    emit(d, CC.flags(d), w, sink);
                }
            }
            if (alone) w.flush(sink);
        }
        w.flush(sink);
    }

    /** The pre-tokenizer's rule for one normalized code point. */
    private static void emit(int d, int f, Word w, WordSink sink) {
        if ((f & CharClasses.WHITESPACE) != 0) {
            w.flush(sink);
        } else if ((f & CharClasses.PUNCTUATION) != 0) {
            w.flush(sink);
            w.append(d);
            w.flush(sink);
        } else {
            w.append(d);
        }
    }

    /** strip_accents then lowercase of one code point, as enabled. */
    private String fold(int c) {
        if (c < 0x10000) {
            String s = foldCache[c];
            if (s == null) foldCache[c] = s = computeFold(c);
            return s;
        }
        return computeFold(c);
    }

    private String computeFold(int c) {
        String s = new String(Character.toChars(c));
        if (stripAccents) {
            // NFD only where the reference decomposes: Java's tables may know newer decompositions (never other ones:
            // Unicode does not change a decomposition once published), so Java's NFD is right wherever it applies.
            int f = CC.flags(c);
            String nfd = (f & CharClasses.DECOMPOSES) != 0 ? Normalizer.normalize(s, Normalizer.Form.NFD) : s;
            StringBuilder kept = new StringBuilder(nfd.length());
            nfd.codePoints().filter(d -> (CC.flags(d) & CharClasses.MARK) == 0).forEach(kept::appendCodePoint);
            s = kept.toString();
        }
        if (lowercase) {
            StringBuilder low = new StringBuilder(s.length());
            s.codePoints().forEach(d -> low.append(CC.lowercase(d)));
            s = low.toString();
        }
        return s;
    }
}
