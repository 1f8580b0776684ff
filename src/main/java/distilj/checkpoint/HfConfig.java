package distilj.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import distilj.model.ModelConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hugging Face {@code config.json} to and from {@link ModelConfig}.
 *
 * <p>Reading takes DistilBERT's names ({@code dim, n_layers, n_heads, hidden_dim, dropout, attention_dropout,
 * seq_classif_dropout, activation}) or BERT's ({@code hidden_size, num_hidden_layers, num_attention_heads,
 * intermediate_size, hidden_dropout_prob, attention_probs_dropout_prob, classifier_dropout, layer_norm_eps,
 * type_vocab_size, hidden_act}), chosen by {@code model_type}. A missing key takes transformers' default
 * (DistilBertConfig / BertConfig); a key of the wrong type, an unsupported variant, or inconsistent sizes is an error
 * naming the file and the key.
 *
 * <p>Writing produces what {@code AutoModelForSequenceClassification.from_pretrained} needs: model_type,
 * architectures, every size, id2label/label2id, problem_type.
 */
public final class HfConfig {
    /** The transformers version whose loading of our files was checked (scripts/check_export.py). */
    public static final String TRANSFORMERS_VERSION = "5.24.0";

    private HfConfig() {}

    /** Reads {@code config.json}, or {@code dir/config.json} when given a folder. */
    public static ModelConfig read(Path fileOrDir) throws IOException {
        Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve("config.json") : fileOrDir;
        byte[] bytes;
        try {
            if (Files.size(file) > 10_000_000) throw new CheckpointException(file + ": too large for a config.json");
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": not found (a model folder needs config.json, vocab.txt and model.safetensors)");
        }
        JsonNode root;
        try {
            root = mapper().readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            String m = e.getOriginalMessage();
            throw new CheckpointException(file + ": not valid JSON: " + (m == null ? "" : m.lines().findFirst().orElse("")));
        }
        if (root == null || !root.isObject()) throw new CheckpointException(file + ": not a JSON object");
        return parse(file, root);
    }

    /** Parses an already-read config; {@code file} is only used in messages. */
    public static ModelConfig parse(Path file, JsonNode root) throws CheckpointException {
        Reader r = new Reader(file, root);
        ModelConfig c = new ModelConfig();
        String type = r.string("model_type", null);
        if (type == null) throw new CheckpointException(file + ": no \"model_type\" (expected \"distilbert\" or \"bert\")");
        switch (type) {
            case "distilbert":
                c.arch = ModelConfig.Arch.DISTILBERT;
                c.vocabSize = r.integer("vocab_size", 30522);
                c.maxPositions = r.integer("max_position_embeddings", 512);
                c.layers = r.integer("n_layers", 6);
                c.heads = r.integer("n_heads", 12);
                c.hidden = r.integer("dim", 768);
                c.ffn = r.integer("hidden_dim", 4 * 768);
                c.hiddenDropout = r.number("dropout", 0.1f);
                c.attentionDropout = r.number("attention_dropout", 0.1f);
                c.classifierDropout = r.number("seq_classif_dropout", 0.2f);
                c.initializerRange = r.number("initializer_range", 0.02f);
                c.padTokenId = r.integer("pad_token_id", 0);
                c.typeVocabSize = 0;
                c.layerNormEps = 1e-12f; // fixed in DistilBERT's modeling code, not a config key
                r.requireGelu("activation");
                if (r.bool("sinusoidal_pos_embds", false)) {
                    throw new CheckpointException(file + ": \"sinusoidal_pos_embds\": true is not supported (learned position embeddings only)");
                }
                break;
            case "bert":
                c.arch = ModelConfig.Arch.BERT;
                c.vocabSize = r.integer("vocab_size", 30522);
                c.hidden = r.integer("hidden_size", 768);
                c.layers = r.integer("num_hidden_layers", 12);
                c.heads = r.integer("num_attention_heads", 12);
                c.ffn = r.integer("intermediate_size", 3072);
                c.hiddenDropout = r.number("hidden_dropout_prob", 0.1f);
                c.attentionDropout = r.number("attention_probs_dropout_prob", 0.1f);
                c.maxPositions = r.integer("max_position_embeddings", 512);
                c.typeVocabSize = r.integer("type_vocab_size", 2);
                c.initializerRange = r.number("initializer_range", 0.02f);
                c.layerNormEps = r.number("layer_norm_eps", 1e-12f);
                c.padTokenId = r.integer("pad_token_id", 0);
                // BertForSequenceClassification: classifier_dropout if set, else hidden_dropout_prob.
                c.classifierDropout = r.isNull("classifier_dropout") ? c.hiddenDropout : r.number("classifier_dropout", c.hiddenDropout);
                r.requireGelu("hidden_act");
                String pos = r.string("position_embedding_type", "absolute");
                if (!pos.equals("absolute")) {
                    throw new CheckpointException(file + ": \"position_embedding_type\": \"" + pos + "\" is not supported (only \"absolute\")");
                }
                if (r.bool("is_decoder", false) || r.bool("add_cross_attention", false)) {
                    throw new CheckpointException(file + ": a decoder / cross-attention BERT is not supported (encoders only)");
                }
                break;
            default:
                throw new CheckpointException(file + ": model_type \"" + type + "\" is not supported (distilj runs \"distilbert\" and \"bert\")");
        }
        readLabels(r, c);
        try {
            c.validate();
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": " + e.getMessage());
        }
        return c;
    }

    /** id2label {"0": "neg", ...} and num_labels; transformers' default is two labels LABEL_0, LABEL_1. */
    private static void readLabels(Reader r, ModelConfig c) throws CheckpointException {
        JsonNode id2label = r.root.get("id2label");
        Integer numLabels = r.root.has("num_labels") ? r.integer("num_labels", 2) : null;
        if (id2label != null && !id2label.isNull()) {
            if (!id2label.isObject() || id2label.size() == 0) throw r.bad("id2label", "a non-empty object {\"0\": \"label\", ...}");
            String[] labels = new String[id2label.size()];
            for (Iterator<Map.Entry<String, JsonNode>> it = id2label.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                int id;
                try {
                    id = Integer.parseInt(e.getKey());
                } catch (NumberFormatException ex) {
                    throw r.bad("id2label", "class ids 0.." + (labels.length - 1) + " as keys, not \"" + e.getKey() + "\"");
                }
                if (id < 0 || id >= labels.length || labels[id] != null) {
                    throw r.bad("id2label", "class ids 0.." + (labels.length - 1) + " each once, not \"" + e.getKey() + "\"");
                }
                if (!e.getValue().isTextual()) throw r.bad("id2label", "string labels");
                labels[id] = e.getValue().textValue();
            }
            if (numLabels != null && numLabels != labels.length) {
                throw new CheckpointException(r.file + ": \"num_labels\" is " + numLabels + " but \"id2label\" has " + labels.length + " entries");
            }
            c.labels = labels;
            c.numLabels = labels.length;
        } else {
            int n = numLabels == null ? 2 : numLabels;
            if (n < 1) throw r.bad("num_labels", "an integer >= 1");
            c.numLabels = n;
            c.labels = new String[n];
            for (int i = 0; i < n; i++) c.labels[i] = "LABEL_" + i;
        }
    }

    /** The config.json transformers needs to load our fine-tuned classifier. */
    public static ObjectNode toJson(ModelConfig c) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        ObjectNode id2label = m.createObjectNode(), label2id = m.createObjectNode();
        for (int i = 0; i < c.numLabels; i++) {
            id2label.put(Integer.toString(i), c.labels[i]);
            label2id.put(c.labels[i], i);
        }
        if (c.arch == ModelConfig.Arch.DISTILBERT) {
            o.put("model_type", "distilbert");
            o.putArray("architectures").add("DistilBertForSequenceClassification");
            o.put("activation", "gelu");
            o.put("attention_dropout", c.attentionDropout);
            o.put("dim", c.hidden);
            o.put("dropout", c.hiddenDropout);
            o.put("hidden_dim", c.ffn);
            o.put("n_heads", c.heads);
            o.put("n_layers", c.layers);
            o.put("qa_dropout", 0.1);
            o.put("seq_classif_dropout", c.classifierDropout);
            o.put("sinusoidal_pos_embds", false);
            o.put("tie_weights_", true);
        } else {
            o.put("model_type", "bert");
            o.putArray("architectures").add("BertForSequenceClassification");
            o.put("attention_probs_dropout_prob", c.attentionDropout);
            o.put("classifier_dropout", c.classifierDropout);
            o.put("hidden_act", "gelu");
            o.put("hidden_dropout_prob", c.hiddenDropout);
            o.put("hidden_size", c.hidden);
            o.put("intermediate_size", c.ffn);
            o.put("layer_norm_eps", c.layerNormEps);
            o.put("num_attention_heads", c.heads);
            o.put("num_hidden_layers", c.layers);
            o.put("position_embedding_type", "absolute");
            o.put("type_vocab_size", c.typeVocabSize);
        }
        o.put("dtype", "float32");
        o.set("id2label", id2label);
        o.put("initializer_range", c.initializerRange);
        o.set("label2id", label2id);
        o.put("max_position_embeddings", c.maxPositions);
        o.put("pad_token_id", c.padTokenId);
        o.put("problem_type", "single_label_classification");
        o.put("transformers_version", TRANSFORMERS_VERSION);
        o.put("vocab_size", c.vocabSize);
        // Keys in alphabetical order, as transformers writes them.
        ObjectNode sorted = m.createObjectNode();
        new TreeMap<>(toMap(o)).forEach(sorted::set);
        return sorted;
    }

    private static Map<String, JsonNode> toMap(ObjectNode o) {
        Map<String, JsonNode> map = new TreeMap<>();
        o.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue()));
        return map;
    }

    /** Writes {@code file} (atomically) from {@code c}, after checking it. */
    public static void write(ModelConfig c, Path file) throws IOException {
        c.validate();
        byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(toJson(c));
        byte[] withNewline = java.util.Arrays.copyOf(json, json.length + 1);
        withNewline[json.length] = '\n';
        AtomicFiles.write(file, withNewline);
    }

    private static ObjectMapper mapper() {
        return new ObjectMapper(JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build());
    }

    /** Typed access to the keys, with the error messages in one place. */
    private static final class Reader {
        final Path file;
        final JsonNode root;

        Reader(Path file, JsonNode root) {
            this.file = file;
            this.root = root;
        }

        CheckpointException bad(String key, String expected) {
            String got = String.valueOf(root.get(key));
            if (got.length() > 80) got = got.substring(0, 80) + "...";
            return new CheckpointException(file + ": \"" + key + "\" must be " + expected + ", got " + got);
        }

        boolean isNull(String key) {
            return !root.has(key) || root.get(key).isNull();
        }

        int integer(String key, int dflt) throws CheckpointException {
            if (isNull(key)) return dflt;
            JsonNode v = root.get(key);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) throw bad(key, "an integer");
            return v.intValue();
        }

        float number(String key, float dflt) throws CheckpointException {
            if (isNull(key)) return dflt;
            JsonNode v = root.get(key);
            if (!v.isNumber() || !Double.isFinite(v.doubleValue())) throw bad(key, "a number");
            return v.floatValue();
        }

        boolean bool(String key, boolean dflt) throws CheckpointException {
            if (isNull(key)) return dflt;
            JsonNode v = root.get(key);
            if (!v.isBoolean()) throw bad(key, "true or false");
            return v.booleanValue();
        }

        String string(String key, String dflt) throws CheckpointException {
            if (isNull(key)) return dflt;
            JsonNode v = root.get(key);
            if (!v.isTextual()) throw bad(key, "a string");
            return v.textValue();
        }

        void requireGelu(String key) throws CheckpointException {
            String act = string(key, "gelu");
            if (!act.equals("gelu")) {
                throw new CheckpointException(file + ": \"" + key + "\": \"" + act
                        + "\" is not supported: distilj implements exact GELU (\"gelu\") only");
            }
        }
    }
}
