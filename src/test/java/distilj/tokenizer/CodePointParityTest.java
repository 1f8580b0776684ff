package distilj.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every code point, exhaustively: what the normalizer + pre-tokenizer make of "a" + c + "b" must hash, per block of
 * 4096 code points, to what the real Hugging Face normalizer and pre-tokenizer made of it (see the fixture script for
 * the line format). Catches any difference in control, whitespace, punctuation, CJK, accent or case handling.
 */
class CodePointParityTest {

    @Test
    void uncasedEveryCodePoint() throws Exception {
        check("uncased", new BasicTokenizer(true, true, true));
    }

    @Test
    void casedEveryCodePoint() throws Exception {
        check("cased", new BasicTokenizer(false, false, true));
    }

    private static void check(String which, BasicTokenizer basic) throws Exception {
        JsonNode expected = TokenizerFixtures.json("codepoints.json").get(which);
        List<String> bad = new ArrayList<>();
        BasicTokenizer.Word w = new BasicTokenizer.Word();
        for (int block = 0; block < 0x110000; block += 4096) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (int cp = block; cp < block + 4096; cp++) {
                if (cp >= 0xD800 && cp <= 0xDFFF) continue;
                sha.update(line(basic, w, cp).getBytes(StandardCharsets.UTF_8));
            }
            String h = HexFormat.of().formatHex(sha.digest());
            if (!h.equals(expected.get(block / 4096).asText())) bad.add(String.format("U+%04X..U+%04X", block, block + 4095));
        }
        System.err.println("code point parity (" + which + "): " + (272 - bad.size()) + "/272 blocks of 4096 identical");
        assertEquals(List.of(), bad, "blocks that differ from Hugging Face");
    }

    /** HEX(cp) ':' pieces, each as space-separated HEX code points, joined by '|', then '\n'. */
    static String line(BasicTokenizer basic, BasicTokenizer.Word w, int cp) {
        String text = "a" + new String(Character.toChars(cp)) + "b";
        List<String> pieces = new ArrayList<>();
        basic.split(text, 0, text.length(), w, (chars, length, codePoints) -> {
            StringBuilder b = new StringBuilder();
            new String(chars, 0, length).codePoints().forEach(d -> {
                if (b.length() > 0) b.append(' ');
                b.append(Integer.toHexString(d).toUpperCase());
            });
            pieces.add(b.toString());
        });
        return Integer.toHexString(cp).toUpperCase() + ":" + String.join("|", pieces) + "\n";
    }
}
