package distilj.model;

import distilj.kernels.DropoutRng;
import distilj.kernels.Kernels;

/** Builds sequence classifiers and initialises their weights as transformers does, from a seed. */
public final class Models {
    private Models() {}

    /** A DistilBERT or BERT classifier for {@code cfg}, every weight initialised by {@link #initialize}. */
    public static SequenceClassifier create(ModelConfig cfg, Kernels kernels, long initSeed) {
        EncoderClassifier m = new EncoderClassifier(cfg, kernels);
        for (Param p : m.params()) initialize(p, cfg, initSeed);
        return m;
    }

    /**
     * transformers' _init_weights: Linear and Embedding weights ~ normal(0, initializer_range), biases 0,
     * LayerNorm weight 1 and bias 0, the padding row of the word embeddings 0.
     * Each tensor draws from its own stream, seeded by (initSeed, name), so a tensor's initial values do not depend
     * on the other tensors (a new head is initialised the same whatever the encoder's size).
     */
    public static void initialize(Param p, ModelConfig cfg, long initSeed) {
        String n = p.name;
        if (n.contains("LayerNorm") || n.contains("layer_norm")) {
            java.util.Arrays.fill(p.data, n.endsWith(".weight") ? 1f : 0f);
        } else if (n.endsWith(".bias")) {
            java.util.Arrays.fill(p.data, 0f);
        } else {
            long stream = DropoutRng.bits(initSeed, n.hashCode());
            gaussian(p.data, stream, cfg.initializerRange);
            if (n.endsWith("word_embeddings.weight")) {
                int H = p.shape[1];
                java.util.Arrays.fill(p.data, cfg.padTokenId * H, (cfg.padTokenId + 1) * H, 0f);
            }
        }
    }

    /** x[i] ~ normal(0, std) by Box–Muller on the counter-based generator: fully specified, any JDK gives the same. */
    static void gaussian(float[] x, long seed, double std) {
        for (int i = 0; i < x.length; i += 2) {
            double u1 = ((DropoutRng.bits(seed, i) >>> 11) + 1) * 0x1.0p-53;  // (0, 1]
            double u2 = (DropoutRng.bits(seed, i + 1) >>> 11) * 0x1.0p-53;    // [0, 1)
            double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * std;
            x[i] = (float) (r * StrictMath.cos(2 * Math.PI * u2));
            if (i + 1 < x.length) x[i + 1] = (float) (r * StrictMath.sin(2 * Math.PI * u2));
        }
    }
}
