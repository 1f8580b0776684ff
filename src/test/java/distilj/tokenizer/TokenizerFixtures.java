package distilj.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Fixtures made by scripts/make_tokenizer_fixtures.py (the real Hugging Face tokenizer). */
final class TokenizerFixtures {
    static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerFixtures() {
    }

    static InputStream open(String name) {
        InputStream in = TokenizerFixtures.class.getResourceAsStream("/fixtures/tokenizer/" + name);
        if (in == null) throw new IllegalStateException("fixture fixtures/tokenizer/" + name + " missing");
        return in;
    }

    /** The uncased vocabulary (bert-base-uncased = distilbert-base-uncased = all-MiniLM-L6-v2), committed as a fixture. */
    static Vocab uncasedVocab() {
        try (InputStream in = open("uncased-vocab.txt")) {
            return Vocab.read(in, "uncased-vocab.txt");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BertTokenizer uncased() {
        return BertTokenizer.uncased(uncasedVocab());
    }

    static BertTokenizer cased() {
        return new BertTokenizer(uncasedVocab(), false, false, true, 512, "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]");
    }

    static JsonNode json(String name) {
        try (InputStream in = name.endsWith(".gz") ? new java.util.zip.GZIPInputStream(open(name)) : open(name)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode array) {
        int[] a = new int[array.size()];
        for (int i = 0; i < a.length; i++) a[i] = array.get(i).intValue();
        return a;
    }
}
