package distilj.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import distilj.data.Dataset;
import distilj.data.Example;
import distilj.data.RottenTomatoes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** Identical ids to Hugging Face's BertTokenizerFast (tokenizers 0.23.3, transformers 5.24.0; see the fixture script). */
class BertTokenizerParityTest {

    @Test
    void allRottenTomatoesSentencesMatch() throws Exception {
        RottenTomatoes.Splits s = RottenTomatoes.load();
        List<String> texts = new ArrayList<>();
        for (Dataset d : List.of(s.train(), s.validation(), s.test())) for (Example e : d.examples()) texts.add(e.text());
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(TokenizerFixtures.open("rotten_tomatoes_ids.jsonl.gz")), StandardCharsets.UTF_8))) {
            JsonNode head = TokenizerFixtures.JSON.readTree(r.readLine());
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(String.join("\n", texts).getBytes(StandardCharsets.UTF_8)));
            assertEquals(head.get("texts_sha256").asText(), sha, "the sentences differ from the ones the fixture tokenized");
            BertTokenizer tok = TokenizerFixtures.uncased();
            int same = 0;
            List<String> bad = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                int[] expected = TokenizerFixtures.ints(TokenizerFixtures.JSON.readTree(r.readLine()));
                int[] actual = tok.encode(texts.get(i));
                if (Arrays.equals(expected, actual)) same++;
                else if (bad.size() < 5) bad.add(i + ": " + texts.get(i) + "\n  hf   " + Arrays.toString(expected) + "\n  ours " + Arrays.toString(actual));
            }
            assertEquals(null, r.readLine(), "fixture has more rows than sentences");
            System.err.println("rotten_tomatoes parity: " + same + "/" + texts.size());
            assertEquals(texts.size(), same, String.join("\n", bad));
            assertEquals(10662, same);
        }
    }

    @Test
    void hardSetMatchesUncased() {
        hardSet("uncased", TokenizerFixtures.uncased());
    }

    @Test
    void hardSetMatchesCased() {
        hardSet("cased", TokenizerFixtures.cased());
    }

    private static void hardSet(String which, BertTokenizer tok) {
        JsonNode cases = TokenizerFixtures.json("hard.json.gz").get(which);
        int same = 0;
        List<String> bad = new ArrayList<>();
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            int[] expected = TokenizerFixtures.ints(c.get("ids"));
            List<String> tokens = new ArrayList<>();
            c.get("tokens").forEach(t -> tokens.add(t.asText()));
            int[] ids = tok.encode(text);
            List<String> pieces = tok.tokenize(text);
            if (Arrays.equals(expected, ids) && tokens.equals(pieces)) same++;
            else bad.add(escape(text) + "\n  hf   " + tokens + "\n  ours " + pieces);
        }
        System.err.println("hard set parity (" + which + "): " + same + "/" + cases.size());
        assertTrue(cases.size() >= 440, "hard set too small: " + cases.size());
        assertEquals(cases.size(), same, String.join("\n", bad));
    }

    @Test
    void pairsMatchWithLongestFirstTruncation() {
        BertTokenizer tok = TokenizerFixtures.uncased();
        JsonNode pairs = TokenizerFixtures.json("hard.json.gz").get("pairs");
        for (JsonNode p : pairs) {
            assertArrayEquals(TokenizerFixtures.ints(p.get("ids")), tok.encodePair(p.get("a").asText(), p.get("b").asText()),
                    "pair " + p.get("a").asText().length() + "/" + p.get("b").asText().length() + " chars");
        }
        assertEquals(10, pairs.size());
    }

    @Test
    void oneTokenizerServesManyThreads() throws Exception {
        // The fold cache is filled racily (immutable strings, equal values): results must not depend on it.
        JsonNode cases = TokenizerFixtures.json("hard.json.gz").get("uncased");
        List<String> texts = new ArrayList<>();
        for (JsonNode c : cases) texts.add(c.get("text").asText());
        BertTokenizer shared = TokenizerFixtures.uncased();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Boolean>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int shift = t * 37;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < texts.size(); i++) {
                        JsonNode c = cases.get((i + shift) % texts.size());
                        if (!Arrays.equals(TokenizerFixtures.ints(c.get("ids")), shared.encode(c.get("text").asText()))) return false;
                    }
                    return true;
                }));
            }
            for (var f : done) assertTrue(f.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void sharedReadmeExamples() {
        BertTokenizer tok = TokenizerFixtures.uncased();
        assertEquals(List.of("hello", ",", "this", "text", "will", "be", "token", "##ized", "!"),
                tok.tokenize("Hello, this text will be tokenized!"));
        assertArrayEquals(new int[] {101, 102}, tok.encode(""));
        int[] long600 = tok.encode("word ".repeat(600));
        assertEquals(512, long600.length);
        assertEquals(101, long600[0]);
        assertEquals(102, long600[511]);
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (c >= 0x20 && c < 0x7F) b.append((char) c);
            else b.append(String.format("\\u{%X}", c));
        });
        return b.length() > 200 ? b.substring(0, 200) + "..." : b.toString();
    }
}
