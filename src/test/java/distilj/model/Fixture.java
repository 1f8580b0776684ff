package distilj.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import distilj.kernels.DropoutRng;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.jetbrains.bio.npy.NpyArray;
import org.jetbrains.bio.npy.NpyFile;

/** A fixture folder written by scripts/make_model_fixtures.py: manifest.json plus .npy arrays. */
final class Fixture {
    final Path dir;
    final JsonNode manifest;

    Fixture(String name) {
        try {
            var url = Fixture.class.getResource("/fixtures/model/" + name + "/manifest.json");
            if (url == null) throw new IllegalStateException("missing fixture " + name + ": run scripts/make_model_fixtures.py");
            dir = Paths.get(url.toURI()).getParent();
            manifest = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    NpyArray npy(String file) {
        return NpyFile.read(dir.resolve(file), Integer.MAX_VALUE);
    }

    float[] floats(String key) {
        return npy(manifest.get(key).asText()).asFloatArray();
    }

    int[] ints(String key) {
        return npy(manifest.get(key).asText()).asIntArray();
    }

    int rows() {
        return ints("offsets").length - 1;
    }

    ModelConfig config() {
        JsonNode c = manifest.get("config");
        ModelConfig cfg = new ModelConfig();
        cfg.arch = ModelConfig.Arch.valueOf(c.get("arch").asText());
        cfg.vocabSize = c.get("vocabSize").asInt();
        cfg.hidden = c.get("hidden").asInt();
        cfg.layers = c.get("layers").asInt();
        cfg.heads = c.get("heads").asInt();
        cfg.ffn = c.get("ffn").asInt();
        cfg.maxPositions = c.get("maxPositions").asInt();
        cfg.typeVocabSize = c.get("typeVocabSize").asInt();
        cfg.layerNormEps = (float) c.get("layerNormEps").asDouble();
        cfg.padTokenId = c.get("padTokenId").asInt();
        cfg.numLabels = c.get("numLabels").asInt();
        cfg.labels = new String[cfg.numLabels];
        for (int i = 0; i < cfg.numLabels; i++) cfg.labels[i] = "LABEL_" + i;
        if (cfg.arch == ModelConfig.Arch.BERT) cfg.classifierDropout = cfg.hiddenDropout;
        return cfg.validate();
    }

    /** Copies the fixture's weights (stored or generated) into the model's params, checking names and shapes. */
    void loadWeights(SequenceClassifier model) {
        JsonNode ps = manifest.get("params");
        if (ps.size() != model.params().size()) {
            throw new AssertionError("fixture has " + ps.size() + " params, model " + model.params().size());
        }
        boolean generated = manifest.get("weightsGenerated").asBoolean();
        for (int i = 0; i < ps.size(); i++) {
            JsonNode e = ps.get(i);
            Param p = model.params().get(i);
            if (!p.name.equals(e.get("name").asText())) {
                throw new AssertionError("param " + i + ": model has " + p.name + ", transformers " + e.get("name").asText());
            }
            int[] shape = new ObjectMapper().convertValue(e.get("shape"), int[].class);
            if (!java.util.Arrays.equals(shape, p.shape)) {
                throw new AssertionError(p.name + ": shape " + java.util.Arrays.toString(p.shape) + " vs "
                        + java.util.Arrays.toString(shape));
            }
            float[] w = generated ? generated(p.name, p.size(), manifest.get("generatorSeed").asLong())
                    : npy(e.get("data").asText()).asFloatArray();
            System.arraycopy(w, 0, p.data, 0, p.size());
        }
    }

    /** The script's generated_tensor(): w_i = center + scale·(2u_i − 1), u_i from SplitMix64. */
    static float[] generated(String name, int n, long baseSeed) {
        long s = DropoutRng.bits(baseSeed, name.hashCode());
        double center, scale;
        if (name.contains("LayerNorm") || name.contains("layer_norm")) {
            center = name.endsWith(".weight") ? 1.0 : 0.0;
            scale = name.endsWith(".weight") ? 0.1 : 0.05;
        } else if (name.endsWith(".bias")) {
            center = 0.0;
            scale = 0.02;
        } else {
            center = 0.0;
            scale = 0.04;
        }
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            double u = (DropoutRng.bits(s, i) >>> 40) * 0x1.0p-24;
            w[i] = (float) (center + scale * (2.0 * u - 1.0));
        }
        return w;
    }
}
