package distilj.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading from a model folder: tokenizer_config.json honoured, bad files named. */
class BertTokenizerConfigTest {
    @TempDir
    Path dir;

    private BertTokenizer load(String config) throws IOException {
        if (!Files.exists(dir.resolve("vocab.txt"))) {
            try (InputStream in = TokenizerFixtures.open("uncased-vocab.txt")) {
                Files.copy(in, dir.resolve("vocab.txt"));
            }
        }
        if (config != null) Files.writeString(dir.resolve("tokenizer_config.json"), config);
        return BertTokenizer.load(dir);
    }

    @Test
    void encodeWithALimitCutsToTheModelsPositionsKeepingSep() throws IOException {
        BertTokenizer t = load(null);
        String text = "one two three four five six seven eight nine ten";
        int[] full = t.encode(text);
        assertEquals(12, full.length, "[CLS] + 10 words + [SEP]");
        int[] cut = t.encode(text, 6);
        // The same as the tokenizer's own truncation to 6: [CLS], the first 4 pieces, [SEP].
        assertArrayEquals(new int[] {full[0], full[1], full[2], full[3], full[4], t.sepId()}, cut);
        assertArrayEquals(full, t.encode(text, 512), "no cut when the limit is not reached");
        assertThrows(IllegalArgumentException.class, () -> t.encode(text, 1));
    }

    @Test
    void defaultsWithoutConfigAreUncased() throws IOException {
        BertTokenizer t = load(null);
        assertTrue(t.lowercase());
        assertEquals(512, t.maxLength());
        assertEquals(List.of("cafe", "hotel"), t.tokenize("CAFÉ Hôtel")); // as transformers 5.24.0 says
    }

    @Test
    void lowercaseWithoutStrippingAccents() throws IOException {
        // do_lower_case true, strip_accents false: "é" stays, so "café" is not the piece "cafe"
        BertTokenizer t = load("{\"do_lower_case\": true, \"strip_accents\": false}");
        assertEquals(List.of("cafe"), TokenizerFixtures.uncased().tokenize("Café"));
        assertEquals(List.of("[UNK]"), t.tokenize("Café")); // as transformers 5.24.0 says
    }

    @Test
    void chineseCharsOptionAndMaxLength() throws IOException {
        BertTokenizer t = load("{\"tokenize_chinese_chars\": false, \"model_max_length\": 8}");
        assertEquals(List.of("中", "##文"), t.tokenize("中文")); // one word (as transformers 5.24.0 says)
        assertEquals(List.of("中", "文"), TokenizerFixtures.uncased().tokenize("中文"));
        int[] ids = t.encode("one two three four five six seven eight nine");
        assertEquals(8, ids.length);
        assertEquals(101, ids[0]);
        assertEquals(102, ids[7]);
        BertTokenizer huge = load("{\"model_max_length\": 1000000000000000019884624838656}");
        assertEquals(512, huge.maxLength());
    }

    @Test
    void specialTokensInTextAreKept() throws IOException {
        BertTokenizer t = load(null);
        assertArrayEquals(new int[] {101, 7592, 103, 2088, 102}, t.encode("hello [MASK] world"));
        assertEquals(List.of("[", "mask", "]"), t.tokenize("[mask]"));
    }

    @Test
    void badFilesAreNamed() throws IOException {
        IOException e = assertThrows(IOException.class, () -> load("{not json"));
        assertTrue(e.getMessage().startsWith(dir.resolve("tokenizer_config.json") + ": not valid JSON"), e.getMessage());
        e = assertThrows(IOException.class, () -> load("{\"model_max_length\": 1}"));
        assertTrue(e.getMessage().contains("model_max_length must be a number >= 2"), e.getMessage());
        Files.write(dir.resolve("vocab.txt"), new byte[] {'a', '\n', (byte) 0xff, '\n'});
        e = assertThrows(IOException.class, () -> Vocab.load(dir.resolve("vocab.txt")));
        assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());
        Files.writeString(dir.resolve("vocab.txt"), "[PAD]\nhello\n", StandardCharsets.UTF_8);
        Files.delete(dir.resolve("tokenizer_config.json"));
        e = assertThrows(IOException.class, () -> BertTokenizer.load(dir));
        assertTrue(e.getMessage().contains("special token [CLS] is not in the vocabulary"), e.getMessage());
    }
}
