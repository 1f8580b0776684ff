package distilj.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import distilj.tokenizer.BertTokenizer;
import distilj.tokenizer.Vocab;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class RottenTomatoesTest {

    @Test
    void splitSizesAndLabelCounts() {
        RottenTomatoes.Splits s = RottenTomatoes.load();
        assertEquals(8530, s.train().size());
        assertEquals(1066, s.validation().size());
        assertEquals(1066, s.test().size());
        assertArrayEquals(new int[] {4265, 4265}, s.train().labelCounts());
        assertArrayEquals(new int[] {533, 533}, s.validation().labelCounts());
        assertArrayEquals(new int[] {533, 533}, s.test().labelCounts());
        assertEquals(List.of("neg", "pos"), s.train().labelNames());
        // pos rows first in each split, then neg
        assertEquals(1, s.train().get(0).label());
        assertEquals(1, s.train().get(4264).label());
        assertEquals(0, s.train().get(4265).label());
        assertEquals(1, s.test().get(0).label());
        assertEquals(0, s.test().get(1065).label());
    }

    @Test
    void firstTrainRowIsTheFirstPositiveLineAndTokenizesAsHuggingFace() throws Exception {
        Dataset train = RottenTomatoes.load().train();
        assertTrue(train.get(0).text().startsWith("the rock is destined to be the 21st century's new \" conan \""),
                train.get(0).text());
        Vocab vocab;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/tokenizer/uncased-vocab.txt")) {
            vocab = TestVocab.read(in);
        }
        // The ids given in ../shared/README.md (made with transformers).
        assertArrayEquals(new int[] {101, 1996, 2600, 2003, 16036, 2000, 2022, 1996, 7398, 2301, 1005, 1055, 2047, 1000,
                16608, 1000, 1998, 2008, 2002, 1005, 1055, 2183, 2000, 2191, 1037, 17624, 2130, 3618, 2084, 7779, 29058,
                8625, 13327, 1010, 3744, 1011, 18856, 19513, 3158, 5477, 4168, 2030, 7112, 16562, 2140, 1012, 102},
                BertTokenizer.uncased(vocab).encode(train.get(0).text()));
    }

    @Test
    void tokenLengthsAsTheReferenceSays() throws Exception {
        Vocab vocab;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/tokenizer/uncased-vocab.txt")) {
            vocab = TestVocab.read(in);
        }
        BertTokenizer tok = BertTokenizer.uncased(vocab);
        RottenTomatoes.Splits s = RottenTomatoes.load();
        long total = 0;
        int max = 0, n = 0;
        for (Dataset d : List.of(s.train(), s.validation(), s.test())) {
            EncodedDataset e = EncodedDataset.encode(d, tok);
            for (int r = 0; r < e.rows(); r++) max = Math.max(max, e.length(r));
            total += e.totalTokens();
            n += e.rows();
        }
        assertEquals(78, max);
        assertEquals(27.4, (double) total / n, 0.05);
    }

    @Test
    void packedBatchesCarryHalfThePaddedTokens() throws Exception {
        Vocab vocab;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/tokenizer/uncased-vocab.txt")) {
            vocab = TestVocab.read(in);
        }
        EncodedDataset train = EncodedDataset.encode(RottenTomatoes.load().train(), BertTokenizer.uncased(vocab));
        Batcher batcher = new Batcher(train, 64, true, 42);
        int[] order = batcher.order(0);
        long real = 0, padded = 0;
        for (int k = 0; k < batcher.batchesPerEpoch(); k++) {
            Batch b = batcher.batch(order, k);
            real += b.tokens();
            padded += (long) b.rows * b.longest();
            Batch.Padded p = b.padded();
            assertEquals(b.longest(), p.ids()[0].length);
        }
        assertEquals(train.totalTokens(), real);
        // ../shared/README.md: about 234K real vs 478K padded tokens per epoch (the exact figure depends on the order)
        assertEquals(234_000, real, 1_000);
        assertEquals(478_000, padded, 10_000);
    }

    @Test
    void noLineKeepsPythonWhitespaceAtItsEnds() {
        for (Dataset d : List.of(RottenTomatoes.load().train(), RottenTomatoes.load().test())) {
            for (Example e : d.examples()) {
                String t = e.text();
                assertTrue(t.isEmpty() || !PythonText.isSpace(t.charAt(0)) && !PythonText.isSpace(t.charAt(t.length() - 1)), t);
            }
        }
    }

    @Test
    void pythonStripAndUniversalNewlines() {
        assertEquals("a b", PythonText.strip("\u0085\u00a0 \t\u001c a b\u3000\u2007\u202f\r\n"));
        assertEquals("x", PythonText.strip("x"));
        assertEquals("", PythonText.strip(" \u0085 "));
        assertEquals(List.of("a", "b", "c", "", "d"), PythonText.lines("a\nb\r\nc\r\rd"));
        assertEquals(List.of("a", "b"), PythonText.lines("a\nb\n"));
        assertEquals(List.of("a", ""), PythonText.lines("a\n\n"));
        assertEquals(List.of(), PythonText.lines(""));
    }
}
