package distilj.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Where the tests find ../shared and weights/, skipping loudly when they are absent. */
final class TestPaths {
    private TestPaths() {}

    static Path minilm() {
        String w = System.getProperty("distilj.weights", "weights");
        Path dir = Path.of(w, "all-MiniLM-L6-v2");
        boolean ok = Files.isRegularFile(dir.resolve("model.safetensors"));
        if (!ok) System.err.println("SKIPPED: " + dir + " is missing: run weights/fetch-minilm.sh for the real-checkpoint tests");
        Assumptions.assumeTrue(ok, dir + " missing: run weights/fetch-minilm.sh");
        return dir;
    }

    static Path distilbertConfig() {
        Path f = Path.of(System.getProperty("distilj.shared", "../shared"), "models/distilbert-base-uncased/config.json");
        boolean ok = Files.isRegularFile(f);
        if (!ok) System.err.println("SKIPPED: " + f + " is missing (../shared not present)");
        Assumptions.assumeTrue(ok, f + " missing");
        return f;
    }
}
