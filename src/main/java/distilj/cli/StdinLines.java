package distilj.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** The texts of a command that got none as arguments: one per line of stdin, strict UTF-8 (a bad byte names its line). */
final class StdinLines {
    private StdinLines() {}

    @FunctionalInterface
    interface LineConsumer {
        void accept(String line) throws IOException;
    }

    static void forEach(LineConsumer consumer) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, decoder));
        int n = 0;
        try {
            for (String line; (line = in.readLine()) != null; n++) consumer.accept(line);
        } catch (CharacterCodingException e) {
            throw new IOException("stdin line " + (n + 1) + ": not valid UTF-8");
        }
    }
}
