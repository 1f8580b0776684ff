package distilj.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import distilj.model.ModelConfig;
import distilj.model.Param;
import distilj.model.ParamLayout;
import distilj.safetensors.SafeTensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointLoaderTest {
    @TempDir Path dir;

    static Param find(List<Param> ps, String name) {
        for (Param p : ps) if (p.name.equals(name)) return p;
        throw new AssertionError("no param " + name);
    }

    /** The real all-MiniLM-L6-v2 checkpoint (BertModel names, no prefix, an I64 position_ids buffer). */
    @Test
    void loadsRealMiniLmIntoBertForSequenceClassification() throws Exception {
        Path model = TestPaths.minilm();
        ModelConfig c = HfConfig.read(model);
        List<Param> params = ParamLayout.params(c);
        LoadReport r = CheckpointLoader.load(model, params);
        System.out.print(r.format("BertForSequenceClassification"));

        assertEquals(List.of("classifier.weight", "classifier.bias"), r.newlyInitialized);
        assertEquals(List.of(), r.unused);
        assertEquals(List.of("embeddings.position_ids"), r.skippedBuffers);
        assertEquals(params.size() - 2, r.loaded.size());
        assertTrue(r.loaded.contains("bert.pooler.dense.weight"));
        assertTrue(r.renamed.contains("encoder.layer.5.output.dense.bias -> bert.encoder.layer.5.output.dense.bias"));
        assertTrue(r.format("BertForSequenceClassification").contains(
                "newly initialized: ['classifier.weight', 'classifier.bias']"));

        // Values against what Python's safetensors read (scripts/make_checkpoint_fixtures.py).
        JsonNode fx = new ObjectMapper().readTree(SafeTensorsTest().resolve("minilm.json").toFile());
        for (var it = fx.get("tensors").fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().endsWith("position_ids")) continue;
            Param p = find(params, "bert." + e.getKey());
            JsonNode first8 = e.getValue().get("first8");
            for (int i = 0; i < 8; i++) assertEquals((float) first8.get(i).asDouble(), p.data[i], p.name + "[" + i + "]");
            double sum = 0;
            for (float v : p.data) sum += v;
            assertEquals(e.getValue().get("sum").asDouble(), sum, 1e-9 * Math.max(1, p.size()), p.name);
            ByteBuffer b = ByteBuffer.allocate(4 * p.size()).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(p.data);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
            assertEquals(e.getValue().get("sha256").asText(), sha, p.name + ": every byte as Python read it");
        }
        // the same lists as transformers 5.24.0 reports for this checkpoint (fixture)
        JsonNode tl = fx.get("transformers_loading");
        assertEquals(strings(tl.get("missing_keys")), new java.util.TreeSet<>(r.newlyInitialized));
        assertEquals(strings(tl.get("unexpected_keys")), new java.util.TreeSet<>(r.unused));
        // every encoder tensor is non-zero after loading (pooler.dense.bias is all zeros in the file itself)
        for (Param p : params) {
            if (p.name.startsWith("classifier") || p.name.equals("bert.pooler.dense.bias")) continue;
            boolean any = false;
            for (float v : p.data) any |= v != 0;
            assertTrue(any, p.name + " loaded");
        }
    }

    static java.util.TreeSet<String> strings(JsonNode array) {
        java.util.TreeSet<String> s = new java.util.TreeSet<>();
        for (JsonNode n : array) s.add(n.asText());
        return s;
    }

    /** A DistilBertForMaskedLM saved by transformers itself: our report must equal transformers' own. */
    @Test
    void transformersSavedMaskedLmGivesTransformersReport() throws IOException {
        Path d = SafeTensorsTest().resolve("distilbert-tiny-mlm");
        JsonNode tl = new ObjectMapper().readTree(SafeTensorsTest().resolve("distilbert-tiny-mlm.json").toFile()).get("transformers_loading");
        ModelConfig c = HfConfig.read(d);
        List<Param> params = ParamLayout.params(c);
        LoadReport r = CheckpointLoader.load(d, params);
        assertEquals(strings(tl.get("missing_keys")), new java.util.TreeSet<>(r.newlyInitialized));
        assertEquals(strings(tl.get("unexpected_keys")), new java.util.TreeSet<>(r.unused));
        assertEquals(params.size() - 4, r.loaded.size());
    }

    static Path SafeTensorsTest() {
        return Path.of("src/test/resources/fixtures/checkpoint");
    }

    static ModelConfig tinyDistilbert() {
        ModelConfig c = new ModelConfig();
        c.hidden = 8;
        c.heads = 2;
        c.layers = 2;
        c.ffn = 12;
        c.vocabSize = 20;
        c.maxPositions = 10;
        return c.validate();
    }

    /** A DistilBertForMaskedLM base checkpoint as published: no prefix, MLM head, some legacy gamma/beta names. */
    static Map<String, SafeTensorsWriter.Tensor> baseCheckpoint(ModelConfig c, long seed, boolean legacyNames) {
        Random rnd = new Random(seed);
        Map<String, SafeTensorsWriter.Tensor> t = new LinkedHashMap<>();
        for (ParamLayout.Spec s : ParamLayout.specs(c)) {
            if (!s.name.startsWith("distilbert.")) continue; // heads are not in the base checkpoint
            String name = s.name.substring("distilbert.".length());
            if (legacyNames && name.contains("layer_norm.")) name = name.replace(".weight", ".gamma").replace(".bias", ".beta");
            t.put(name, random(rnd, s.shape));
        }
        t.put("vocab_transform.weight", random(rnd, c.hidden, c.hidden));
        t.put("vocab_transform.bias", random(rnd, c.hidden));
        t.put("vocab_layer_norm.weight", random(rnd, c.hidden));
        t.put("vocab_layer_norm.bias", random(rnd, c.hidden));
        t.put("vocab_projector.weight", random(rnd, c.vocabSize, c.hidden));
        t.put("vocab_projector.bias", random(rnd, c.vocabSize));
        return t;
    }

    static SafeTensorsWriter.Tensor random(Random rnd, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        return new SafeTensorsWriter.Tensor(shape, v);
    }

    @Test
    void baseDistilbertReportsTheSameListsAsTransformers() throws IOException {
        ModelConfig c = tinyDistilbert();
        Map<String, SafeTensorsWriter.Tensor> file = baseCheckpoint(c, 7, true);
        Path p = dir.resolve("model.safetensors");
        SafeTensorsWriter.write(p, Map.of("format", "pt"), file);
        List<Param> params = ParamLayout.params(c);
        LoadReport r = CheckpointLoader.load(dir, params);
        // the seed run's lists (REFERENCE.md), in name order
        assertEquals(List.of("vocab_layer_norm.bias", "vocab_layer_norm.weight", "vocab_projector.bias",
                "vocab_projector.weight", "vocab_transform.bias", "vocab_transform.weight"), r.unused);
        assertEquals(List.of("pre_classifier.weight", "pre_classifier.bias", "classifier.weight", "classifier.bias"),
                r.newlyInitialized);
        assertArrayEquals(file.get("transformer.layer.1.ffn.lin2.weight").data,
                find(params, "distilbert.transformer.layer.1.ffn.lin2.weight").data);
        assertArrayEquals(file.get("transformer.layer.0.sa_layer_norm.gamma").data,
                find(params, "distilbert.transformer.layer.0.sa_layer_norm.weight").data, "gamma -> weight");
        assertArrayEquals(file.get("transformer.layer.0.output_layer_norm.beta").data,
                find(params, "distilbert.transformer.layer.0.output_layer_norm.bias").data, "beta -> bias");
    }

    @Test
    void shapeMismatchFailsNamingTheTensorAndTouchesNothing() throws IOException {
        ModelConfig c = tinyDistilbert();
        Map<String, SafeTensorsWriter.Tensor> file = new LinkedHashMap<>(baseCheckpoint(c, 1, false));
        file.put("transformer.layer.1.ffn.lin1.weight", random(new Random(2), 13, 8));
        SafeTensorsWriter.write(dir.resolve("model.safetensors"), Map.of("format", "pt"), file);
        List<Param> params = ParamLayout.params(c);
        String m = assertThrows(CheckpointException.class, () -> CheckpointLoader.load(dir, params)).getMessage();
        assertTrue(m.contains("tensor \"transformer.layer.1.ffn.lin1.weight\" has shape [13, 8] but the model's "
                + "\"distilbert.transformer.layer.1.ffn.lin1.weight\" is [12, 8]"), m);
        for (Param p : params) for (float v : p.data) assertEquals(0f, v, "nothing copied before the check: " + p.name);
    }

    @Test
    void aFineTunedCheckpointLoadsCompletely() throws IOException {
        ModelConfig c = tinyDistilbert();
        List<Param> a = ParamLayout.params(c);
        Random rnd = new Random(3);
        Map<String, SafeTensorsWriter.Tensor> file = new LinkedHashMap<>();
        for (Param p : a) {
            for (int i = 0; i < p.size(); i++) p.data[i] = (float) rnd.nextGaussian();
            file.put(p.name, new SafeTensorsWriter.Tensor(p.shape, p.data));
        }
        Path f = dir.resolve("ft.safetensors");
        SafeTensorsWriter.write(f, Map.of("format", "pt"), file);
        List<Param> b = ParamLayout.params(c);
        LoadReport r = CheckpointLoader.load(f, b);
        assertEquals(List.of(), r.unused);
        assertEquals(List.of(), r.newlyInitialized);
        assertEquals(List.of(), r.renamed);
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).data, b.get(i).data, a.get(i).name);
    }

    @Test
    void clearErrorsForFolders() {
        String m = assertThrows(CheckpointException.class, () -> CheckpointLoader.load(dir, new ArrayList<>())).getMessage();
        assertTrue(m.contains("no model.safetensors"), m);
    }

    @Test
    void layoutDecayRule() {
        ModelConfig c = tinyDistilbert();
        for (ParamLayout.Spec s : ParamLayout.specs(c)) {
            boolean norm = s.name.contains("LayerNorm") || s.name.contains("layer_norm");
            assertEquals(!(s.name.endsWith(".bias") || norm), s.decay, s.name);
        }
        assertEquals(4 + c.layers * 16 + 4, ParamLayout.specs(c).size(), "DistilBERT: embeddings, 16 per block, two heads");
        ModelConfig bert = new ModelConfig();
        bert.arch = ModelConfig.Arch.BERT;
        bert.typeVocabSize = 2;
        assertEquals(5 + bert.layers * 16 + 2 + 2, ParamLayout.specs(bert).size(), "BERT: embeddings, 16 per layer, pooler, classifier");
    }
}
