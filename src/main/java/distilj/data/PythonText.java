package distilj.data;

import java.util.ArrayList;
import java.util.List;

/** The two Python text rules the Hugging Face datasets rely on, written out (Java's own differ). */
final class PythonText {
    private PythonText() {
    }

    /**
     * Python's {@code str.isspace()} for one char: the Unicode White_Space characters plus U+001C..U+001F (Python
     * counts the information separators). Java's {@link String#strip()} misses U+0085 and U+00A0, and
     * {@link Character#isWhitespace} misses U+00A0, U+2007 and U+202F.
     */
    static boolean isSpace(char c) {
        if (c <= 0x20) return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
        return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A)
                || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    /** Python's {@code str.strip()} with no argument. */
    static String strip(String s) {
        int a = 0, b = s.length();
        while (a < b && isSpace(s.charAt(a))) a++;
        while (b > a && isSpace(s.charAt(b - 1))) b--;
        return s.substring(a, b);
    }

    /**
     * The lines of a text as Python's text mode reads them (universal newlines): "\n", "\r\n" and a lone "\r" each end
     * a line; a final line without an ending still counts, an ending at the very end adds no empty line.
     * The line endings are not included.
     */
    static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0, n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                out.add(text.substring(start, i));
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') i++;
                start = i + 1;
            }
        }
        if (start < n) out.add(text.substring(start));
        return out;
    }
}
