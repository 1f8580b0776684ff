package distilj.model;

/**
 * The sizes and constants of a DistilBERT or BERT sequence classifier: what {@code config.json} says, in the
 * field names of this code. Reading and writing config.json lives with the checkpoints; this class only holds and
 * checks the values. Defaults are those of transformers' DistilBertConfig / BertConfig.
 */
public final class ModelConfig {
    public enum Arch { DISTILBERT, BERT }

    public Arch arch = Arch.DISTILBERT;
    public int vocabSize = 30522;
    public int hidden = 768;          // dim / hidden_size
    public int layers = 6;            // n_layers / num_hidden_layers
    public int heads = 12;            // n_heads / num_attention_heads
    public int ffn = 3072;            // hidden_dim / intermediate_size
    public int maxPositions = 512;    // max_position_embeddings
    public int typeVocabSize = 0;     // BERT's type_vocab_size (token_type_embeddings rows); 0 for DistilBERT
    public float layerNormEps = 1e-12f;
    public float hiddenDropout = 0.1f;    // dropout / hidden_dropout_prob
    public float attentionDropout = 0.1f; // attention_dropout / attention_probs_dropout_prob
    public float classifierDropout = 0.2f; // seq_classif_dropout; BERT: classifier_dropout ?: hidden_dropout_prob
    public float initializerRange = 0.02f;
    public int padTokenId = 0;
    public int numLabels = 2;
    /** id2label, index = class id. */
    public String[] labels = {"LABEL_0", "LABEL_1"};

    public int headSize() {
        return hidden / heads;
    }

    /** Throws IllegalArgumentException naming the first inconsistent value. */
    public ModelConfig validate() {
        check(vocabSize > 0, "vocab_size must be > 0, got " + vocabSize);
        check(hidden > 0, "hidden size must be > 0, got " + hidden);
        check(layers > 0, "number of layers must be > 0, got " + layers);
        check(heads > 0, "number of heads must be > 0, got " + heads);
        check(hidden % heads == 0, "hidden size " + hidden + " is not divisible by the number of heads " + heads);
        check(ffn > 0, "FFN size must be > 0, got " + ffn);
        check(maxPositions > 0, "max_position_embeddings must be > 0, got " + maxPositions);
        check(typeVocabSize >= 0, "type_vocab_size must be >= 0, got " + typeVocabSize);
        check(arch != Arch.BERT || typeVocabSize > 0, "a BERT config needs type_vocab_size > 0");
        check(layerNormEps > 0, "layer_norm_eps must be > 0, got " + layerNormEps);
        check(inUnit(hiddenDropout) && inUnit(attentionDropout) && inUnit(classifierDropout),
                "dropout probabilities must be in [0, 1)");
        check(numLabels >= 1, "num_labels must be >= 1, got " + numLabels);
        check(labels != null && labels.length == numLabels,
                "id2label has " + (labels == null ? 0 : labels.length) + " entries but num_labels is " + numLabels);
        check(padTokenId >= 0 && padTokenId < vocabSize, "pad_token_id " + padTokenId + " is outside the vocabulary");
        return this;
    }

    private static boolean inUnit(float p) {
        return p >= 0f && p < 1f;
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("config: " + message);
    }

    /** DistilBERT base (distilbert-base-uncased) with a 2-label head. */
    public static ModelConfig distilbertBase() {
        return new ModelConfig();
    }
}
