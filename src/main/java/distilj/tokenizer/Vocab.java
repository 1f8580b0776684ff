package distilj.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A WordPiece vocabulary: {@code vocab.txt}, one token per line, the id of a token being its line number (from 0).
 * Continuation pieces start with {@code ##}. Like Hugging Face, a token that appears twice keeps its last id.
 */
public final class Vocab {
    private final String[] tokens;
    private final Map<String, Integer> ids;

    public Vocab(List<String> tokens) {
        this.tokens = tokens.toArray(new String[0]);
        this.ids = new HashMap<>(tokens.size() * 2);
        for (int i = 0; i < this.tokens.length; i++) ids.put(this.tokens[i], i);
    }

    /** Reads a vocab.txt (UTF-8). An empty file or invalid UTF-8 is an error naming the file (and line). */
    public static Vocab load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    static Vocab read(InputStream in, String name) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        List<String> list = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, decoder))) {
            // Lines end at \n; a \r before it is part of the line ending (as Python's rstrip("\n") on a file
            // opened in text mode sees it).
            String line;
            while ((line = r.readLine()) != null) list.add(line);
        } catch (CharacterCodingException e) {
            throw new IOException(name + ": not UTF-8 near line " + (list.size() + 1), e);
        }
        if (list.isEmpty()) throw new IOException(name + ": empty vocabulary");
        return new Vocab(list);
    }

    public int size() {
        return tokens.length;
    }

    /** The id of a token, or -1. */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    public String token(int id) {
        return tokens[id];
    }
}
