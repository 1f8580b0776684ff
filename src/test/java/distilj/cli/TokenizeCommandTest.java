package distilj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {
    @TempDir
    Path dir;

    private Path model(String config) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/fixtures/tokenizer/uncased-vocab.txt")) {
            Files.copy(in, dir.resolve("vocab.txt"));
        }
        if (config != null) Files.writeString(dir.resolve("tokenizer_config.json"), config);
        return dir;
    }

    @Test
    void idsForEachArgument() throws IOException {
        Path m = model("{\"do_lower_case\": true, \"model_max_length\": 512}");
        CliTest.Run r = new CliTest.Run("tokenize", "--model", m.toString(), "Hello, this text will be tokenized!", "");
        assertEquals(0, r.code, r.err);
        assertEquals("[101,7592,1010,2023,3793,2097,2022,19204,3550,999,102]\n[101,102]\n", r.out);
    }

    @Test
    void tokensFromStdinAndCasedConfigHonoured() throws IOException {
        Path m = model("{\"do_lower_case\": false}");
        InputStream old = System.in;
        try {
            System.setIn(new ByteArrayInputStream("Hello \"x\"\r\nstraße\n".getBytes(StandardCharsets.UTF_8)));
            CliTest.Run r = new CliTest.Run("tokenize", "--model", m.toString(), "--tokens");
            assertEquals(0, r.code, r.err);
            // cased: "Hello" is not in the uncased vocabulary, and ß is kept (no accent stripping)
            assertEquals("[\"[CLS]\",\"[UNK]\",\"\\\"\",\"x\",\"\\\"\",\"[SEP]\"]\n[\"[CLS]\",\"st\",\"##raße\",\"[SEP]\"]\n", r.out);
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void missingVocabIsAOneLineError() {
        CliTest.Run r = new CliTest.Run("tokenize", "--model", dir.resolve("nowhere").toString(), "x");
        assertEquals(1, r.code);
        assertEquals("error: " + dir.resolve("nowhere") + ": no vocab.txt in this folder\n", r.err);
    }

    @Test
    void badConfigIsAnError() throws IOException {
        Path m = model("{\"do_lower_case\": \"yes\"}");
        CliTest.Run r = new CliTest.Run("tokenize", "--model", m.toString(), "x");
        assertEquals(1, r.code);
        assertTrue(r.err.startsWith("error: ") && r.err.contains("do_lower_case must be true, false or null"), r.err);
    }

    @Test
    void modelIsRequired() {
        CliTest.Run r = new CliTest.Run("tokenize", "x");
        assertEquals(2, r.code);
        assertTrue(r.err.startsWith("error: Missing required option: '--model=DIR'"), r.err);
    }
}
