package distilj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import distilj.checkpoint.HfConfig;
import distilj.model.ModelConfig;
import distilj.model.ParamLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InfoCommandTest {
    @TempDir Path dir;

    static Path minilm() {
        Path d = Path.of(System.getProperty("distilj.weights", "weights"), "all-MiniLM-L6-v2");
        boolean ok = Files.isRegularFile(d.resolve("model.safetensors"));
        if (!ok) System.err.println("SKIPPED: " + d + " missing: run weights/fetch-minilm.sh");
        Assumptions.assumeTrue(ok, d + " missing");
        return d;
    }

    @Test
    void describesTheRealMiniLmFolder() throws Exception {
        Path d = minilm();
        CliTest.Run r = new CliTest.Run("info", d.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("104 tensors"), r.out);
        assertTrue(r.out.matches("(?s).*embeddings\\.position_ids +I64 +\\[1, 512\\] +4,096\n.*"), r.out);
        assertTrue(r.out.contains("metadata {format=pt}"), r.out);
        assertTrue(r.out.contains("config: bert (BertModel): 6 layers, hidden 384, 12 heads of 32, FFN 1536"), r.out);
        assertTrue(r.out.contains("newly initialized: ['classifier.weight', 'classifier.bias']"), r.out);
        // parameters = the layout's count without the classifier head (computed independently of the file)
        ModelConfig c = HfConfig.read(d);
        long expected = 0;
        for (ParamLayout.Spec s : ParamLayout.specs(c)) {
            if (s.name.startsWith("classifier")) continue;
            long n = 1;
            for (int x : s.shape) n *= x;
            expected += n;
        }
        assertTrue(r.out.contains(String.format("%,d parameters", expected)), expected + "\n" + r.out);

        CliTest.Run j = new CliTest.Run("info", "--json", d.toString());
        assertEquals(0, j.code, j.err);
        JsonNode node = new ObjectMapper().readTree(j.out);
        assertEquals(expected, node.get("parameters").asLong());
        assertEquals(104, node.get("tensors").asInt());
    }

    @Test
    void malformedInputIsOneErrorLine() throws Exception {
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, new byte[] {(byte) 0xff, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        CliTest.Run r = new CliTest.Run("info", bad.toString());
        assertEquals(1, r.code);
        assertTrue(r.err.startsWith("error: " + bad + ": "), r.err);
        assertEquals(1, r.err.lines().count(), r.err);
        CliTest.Run missing = new CliTest.Run("info", dir.resolve("nothing").toString());
        assertEquals(1, missing.code);
        assertTrue(missing.err.startsWith("error: "), missing.err);
        CliTest.Run usage = new CliTest.Run("info", "--bogus", bad.toString());
        assertEquals(2, usage.code);
    }
}
