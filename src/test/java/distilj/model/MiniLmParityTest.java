package distilj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import distilj.kernels.Kernels;
import distilj.kernels.Parallel;
import distilj.kernels.SimdKernels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The real all-MiniLM-L6-v2 checkpoint (a 6-layer BERT, hidden 384) with a seeded classifier head: logits against
 * BertForSequenceClassification, ≤ 1e-4. Needs weights/all-MiniLM-L6-v2 (bash weights/fetch-minilm.sh).
 */
class MiniLmParityTest {

    @Test
    void logitsMatchTransformers() throws IOException {
        Path dir = Paths.get(System.getProperty("distilj.weights", "weights"), "all-MiniLM-L6-v2");
        Path file = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(file)) {
            System.err.println("SKIPPED MiniLmParityTest: " + file + " is missing (run bash weights/fetch-minilm.sh)");
        }
        Assumptions.assumeTrue(Files.isRegularFile(file), "MiniLM weights missing: run bash weights/fetch-minilm.sh");

        Fixture f = new Fixture("minilm");
        ModelConfig cfg = f.config();
        try (Parallel pool = new Parallel(2)) {
            Kernels k = new SimdKernels(pool);
            SequenceClassifier m = Models.create(cfg, k, 1);
            Map<String, Param> byName = new HashMap<>();
            for (Param p : m.params()) byName.put(p.name, p);
            int loaded = readF32Safetensors(file, byName);
            assertEquals(m.params().size() - 2, loaded, "every encoder and pooler tensor comes from the checkpoint");
            for (String name : new String[] {"classifier.weight", "classifier.bias"}) {
                float[] w = f.npy(f.manifest.get("head").get(name).asText()).asFloatArray();
                System.arraycopy(w, 0, byName.get(name).data, 0, w.length);
            }
            int[] ids = f.ints("ids"), off = f.ints("offsets");
            m.forward(ids, off, f.rows(), null, false, 0);
            float[] ref = f.floats("logits");
            double diff = ModelParityTest.maxAbsDiff(m.logits(), ref);
            System.out.printf(Locale.ROOT, "minilm [%s]: %d rows, logits max |diff| %.3g%n", k.name(), f.rows(), diff);
            assertTrue(diff <= 1e-4, "MiniLM logits differ by " + diff);
        }
    }

    /**
     * A minimal F32 safetensors reader for this test only (the product's loader lives in distilj.checkpoint):
     * header length, JSON header, little-endian data. Names without the "bert." prefix get it; buffers are skipped.
     */
    static int readF32Safetensors(Path file, Map<String, Param> byName) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long n = len.flip().getLong();
            ByteBuffer hb = ByteBuffer.allocate((int) n);
            readFully(ch, hb, 8);
            JsonNode header = new ObjectMapper().readTree(new String(hb.array(), StandardCharsets.UTF_8));
            int loaded = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Param p = byName.get(e.getKey());
                if (p == null) p = byName.get("bert." + e.getKey());
                if (p == null) continue;
                assertEquals("F32", e.getValue().get("dtype").asText(), e.getKey());
                long begin = e.getValue().get("data_offsets").get(0).asLong();
                ByteBuffer data = ByteBuffer.allocate(p.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, data, 8 + n + begin);
                data.flip().asFloatBuffer().get(p.data);
                loaded++;
            }
            return loaded;
        }
    }

    static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos);
            if (r < 0) throw new IOException("unexpected end of file");
            pos += r;
        }
    }
}
