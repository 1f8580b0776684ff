package distilj.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The trainable tensors of a sequence classifier for a {@link ModelConfig}, named exactly as in the Hugging Face
 * {@code *ForSequenceClassification} checkpoints and listed in the order PyTorch registers them
 * ({@code model.named_parameters()}), so that a saved model and a loaded checkpoint line up name by name.
 *
 * <pre>
 * DistilBERT (prefix distilbert.)              BERT (prefix bert.)
 *   embeddings.word_embeddings.weight [V,H]      embeddings.word_embeddings.weight [V,H]
 *   embeddings.position_embeddings.weight [P,H]  embeddings.position_embeddings.weight [P,H]
 *   embeddings.LayerNorm.{weight,bias} [H]       embeddings.token_type_embeddings.weight [T,H]
 *   transformer.layer.i.                         embeddings.LayerNorm.{weight,bias} [H]
 *     attention.{q,k,v,out}_lin [H,H] + [H]      encoder.layer.i.
 *     sa_layer_norm [H]                            attention.self.{query,key,value} [H,H] + [H]
 *     ffn.lin1 [F,H] + [F], ffn.lin2 [H,F] + [H]   attention.output.dense [H,H], attention.output.LayerNorm [H]
 *     output_layer_norm [H]                        intermediate.dense [F,H], output.dense [H,F], output.LayerNorm [H]
 * pre_classifier [H,H] + [H]                   pooler.dense [H,H] + [H]   (inside the bert. prefix)
 * classifier [L,H] + [L]                       classifier [L,H] + [L]
 * </pre>
 * Weights are {@code [out, in]}. Decay follows the Trainer: every tensor decays except biases and LayerNorm
 * weights (embedding matrices do decay).
 */
public final class ParamLayout {
    private ParamLayout() {}

    /** One expected tensor: name, shape, and whether AdamW's weight decay applies. */
    public static final class Spec {
        public final String name;
        public final int[] shape;
        public final boolean decay;

        Spec(String name, boolean decay, int... shape) {
            this.name = name;
            this.shape = shape;
            this.decay = decay;
        }

        public Param newParam() {
            return new Param(name, decay, shape);
        }

        @Override
        public String toString() {
            return name + java.util.Arrays.toString(shape);
        }
    }

    /** The prefix of the encoder's tensors in a *ForSequenceClassification checkpoint. */
    public static String prefix(ModelConfig.Arch arch) {
        return arch == ModelConfig.Arch.DISTILBERT ? "distilbert." : "bert.";
    }

    public static List<Spec> specs(ModelConfig c) {
        List<Spec> s = new ArrayList<>();
        int h = c.hidden, f = c.ffn;
        String p = prefix(c.arch);
        if (c.arch == ModelConfig.Arch.DISTILBERT) {
            s.add(new Spec(p + "embeddings.word_embeddings.weight", true, c.vocabSize, h));
            s.add(new Spec(p + "embeddings.position_embeddings.weight", true, c.maxPositions, h));
            layerNorm(s, p + "embeddings.LayerNorm", h);
            for (int i = 0; i < c.layers; i++) {
                String l = p + "transformer.layer." + i + ".";
                for (String m : new String[] {"q_lin", "k_lin", "v_lin", "out_lin"}) linear(s, l + "attention." + m, h, h);
                layerNorm(s, l + "sa_layer_norm", h);
                linear(s, l + "ffn.lin1", f, h);
                linear(s, l + "ffn.lin2", h, f);
                layerNorm(s, l + "output_layer_norm", h);
            }
            linear(s, "pre_classifier", h, h);
        } else {
            s.add(new Spec(p + "embeddings.word_embeddings.weight", true, c.vocabSize, h));
            s.add(new Spec(p + "embeddings.position_embeddings.weight", true, c.maxPositions, h));
            s.add(new Spec(p + "embeddings.token_type_embeddings.weight", true, c.typeVocabSize, h));
            layerNorm(s, p + "embeddings.LayerNorm", h);
            for (int i = 0; i < c.layers; i++) {
                String l = p + "encoder.layer." + i + ".";
                linear(s, l + "attention.self.query", h, h);
                linear(s, l + "attention.self.key", h, h);
                linear(s, l + "attention.self.value", h, h);
                linear(s, l + "attention.output.dense", h, h);
                layerNorm(s, l + "attention.output.LayerNorm", h);
                linear(s, l + "intermediate.dense", f, h);
                linear(s, l + "output.dense", h, f);
                layerNorm(s, l + "output.LayerNorm", h);
            }
            linear(s, p + "pooler.dense", h, h);
        }
        linear(s, "classifier", c.numLabels, h);
        return s;
    }

    /** Fresh zero-filled {@link Param}s for every tensor of {@link #specs}. */
    public static List<Param> params(ModelConfig c) {
        List<Param> out = new ArrayList<>();
        for (Spec s : specs(c)) out.add(s.newParam());
        return out;
    }

    private static void linear(List<Spec> s, String name, int out, int in) {
        s.add(new Spec(name + ".weight", true, out, in));
        s.add(new Spec(name + ".bias", false, out));
    }

    private static void layerNorm(List<Spec> s, String name, int h) {
        s.add(new Spec(name + ".weight", false, h));
        s.add(new Spec(name + ".bias", false, h));
    }
}
