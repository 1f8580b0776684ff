package distilj.data;

import distilj.tokenizer.Vocab;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

final class TestVocab {
    private TestVocab() {
    }

    static Vocab read(InputStream in) throws IOException {
        return new Vocab(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList());
    }
}
