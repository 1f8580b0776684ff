package distilj.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import distilj.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfConfigTest {
    @TempDir Path dir;

    Path json(String text) throws IOException {
        Path p = dir.resolve("config.json");
        Files.writeString(p, text);
        return p;
    }

    String error(String text) throws IOException {
        Path p = json(text);
        String m = assertThrows(CheckpointException.class, () -> HfConfig.read(p)).getMessage();
        assertTrue(m.startsWith(p + ": "), "names the file: " + m);
        return m;
    }

    @Test
    void readsThePublishedDistilbertConfig() throws IOException {
        ModelConfig c = HfConfig.read(TestPaths.distilbertConfig());
        assertEquals(ModelConfig.Arch.DISTILBERT, c.arch);
        assertEquals(768, c.hidden);
        assertEquals(6, c.layers);
        assertEquals(12, c.heads);
        assertEquals(3072, c.ffn);
        assertEquals(30522, c.vocabSize);
        assertEquals(512, c.maxPositions);
        assertEquals(0.2f, c.classifierDropout);
        assertEquals(0, c.typeVocabSize);
        assertEquals(2, c.numLabels);
        assertArrayEquals(new String[] {"LABEL_0", "LABEL_1"}, c.labels);
    }

    @Test
    void readsMiniLmConfig() throws IOException {
        ModelConfig c = HfConfig.read(TestPaths.minilm());
        assertEquals(ModelConfig.Arch.BERT, c.arch);
        assertEquals(384, c.hidden);
        assertEquals(6, c.layers);
        assertEquals(12, c.heads);
        assertEquals(32, c.headSize());
        assertEquals(1536, c.ffn);
        assertEquals(2, c.typeVocabSize);
        assertEquals(1e-12f, c.layerNormEps);
        assertEquals(0.1f, c.classifierDropout, "classifier_dropout absent: hidden_dropout_prob");
    }

    @Test
    void defaultsAreTransformers() throws IOException {
        ModelConfig d = HfConfig.read(json("{\"model_type\":\"distilbert\"}"));
        assertEquals(768, d.hidden);
        assertEquals(3072, d.ffn);
        assertEquals(0.2f, d.classifierDropout);
        ModelConfig b = HfConfig.read(json("{\"model_type\":\"bert\", \"classifier_dropout\": null}"));
        assertEquals(12, b.layers, "BertConfig default: 12 layers");
        assertEquals(2, b.typeVocabSize);
        assertEquals(0.1f, b.classifierDropout);
        ModelConfig l = HfConfig.read(json("{\"model_type\":\"bert\",\"id2label\":{\"1\":\"pos\",\"0\":\"neg\"},\"classifier_dropout\":0.3}"));
        assertArrayEquals(new String[] {"neg", "pos"}, l.labels);
        assertEquals(0.3f, l.classifierDropout);
        assertEquals(3, HfConfig.read(json("{\"model_type\":\"bert\",\"num_labels\":3}")).numLabels);
    }

    @Test
    void clearErrors() throws IOException {
        Path missing = dir.resolve("nowhere");
        assertTrue(assertThrows(CheckpointException.class, () -> HfConfig.read(missing)).getMessage().contains("not found"));
        assertTrue(error("{\"model_type\":\"roberta\"}").contains("model_type \"roberta\" is not supported"));
        assertTrue(error("{\"dim\":768}").contains("no \"model_type\""));
        assertTrue(error("{\"model_type\":\"distilbert\",\"dim\":100,\"n_heads\":12}").contains("not divisible"));
        assertTrue(error("{\"model_type\":\"bert\",\"hidden_act\":\"relu\"}").contains("\"hidden_act\": \"relu\" is not supported"));
        assertTrue(error("{\"model_type\":\"distilbert\",\"activation\":\"gelu_new\"}").contains("exact GELU"));
        assertTrue(error("{\"model_type\":\"distilbert\",\"dim\":\"big\"}").contains("\"dim\" must be an integer, got \"big\""));
        assertTrue(error("{\"model_type\":\"bert\",\"id2label\":{\"0\":\"a\",\"2\":\"b\"}}").contains("id2label"));
        assertTrue(error("{\"model_type\":\"bert\",\"num_labels\":3,\"id2label\":{\"0\":\"a\",\"1\":\"b\"}}").contains("num_labels"));
        assertTrue(error("{\"model_type\":\"bert\",\"position_embedding_type\":\"relative_key\"}").contains("relative_key"));
        assertTrue(error("{\"model_type\": ").contains("not valid JSON"));
    }

    @Test
    void writesWhatTransformersNeedsAndReadsItBack() throws IOException {
        for (ModelConfig.Arch arch : ModelConfig.Arch.values()) {
            ModelConfig c = new ModelConfig();
            c.arch = arch;
            c.hidden = 64;
            c.heads = 4;
            c.layers = 2;
            c.ffn = 96;
            c.vocabSize = 100;
            c.maxPositions = 40;
            c.typeVocabSize = arch == ModelConfig.Arch.BERT ? 2 : 0;
            c.numLabels = 3;
            c.labels = new String[] {"neg", "neutral", "pos"};
            c.classifierDropout = 0.25f;
            Path p = dir.resolve(arch + ".json");
            HfConfig.write(c, p);
            JsonNode j = new ObjectMapper().readTree(p.toFile());
            String cls = arch == ModelConfig.Arch.BERT ? "BertForSequenceClassification" : "DistilBertForSequenceClassification";
            assertEquals(cls, j.get("architectures").get(0).asText());
            assertEquals("single_label_classification", j.get("problem_type").asText());
            assertEquals("neutral", j.get("id2label").get("1").asText());
            assertEquals(2, j.get("label2id").get("pos").asInt());
            ModelConfig back = HfConfig.read(p);
            assertEquals(c.arch, back.arch);
            assertEquals(c.hidden, back.hidden);
            assertEquals(c.heads, back.heads);
            assertEquals(c.layers, back.layers);
            assertEquals(c.ffn, back.ffn);
            assertEquals(c.vocabSize, back.vocabSize);
            assertEquals(c.maxPositions, back.maxPositions);
            assertEquals(c.typeVocabSize, back.typeVocabSize);
            assertEquals(c.classifierDropout, back.classifierDropout);
            assertArrayEquals(c.labels, back.labels);
        }
    }
}
