package distilj.checkpoint;

import java.util.List;

/**
 * What loading a checkpoint did, in transformers' terms: which tensors were loaded, which tensors of the file the
 * model does not use (e.g. DistilBERT's MLM head {@code vocab_transform}, {@code vocab_layer_norm},
 * {@code vocab_projector}; BERT's {@code cls.*}), and which parameters of the model the file did not have and that
 * keep their fresh initialisation (the classification head when starting from a base checkpoint).
 */
public final class LoadReport {
    public final String source;
    /** Model parameter names that received values, in model order. */
    public final List<String> loaded;
    /** Checkpoint tensor names the model has no parameter for. */
    public final List<String> unused;
    /** Model parameter names the checkpoint did not provide. */
    public final List<String> newlyInitialized;
    /** Buffers such as embeddings.position_ids: present, recognised, not needed. */
    public final List<String> skippedBuffers;
    /** Checkpoint names that were translated (prefix added, gamma/beta renamed), as "file name -> model name". */
    public final List<String> renamed;

    LoadReport(String source, List<String> loaded, List<String> unused, List<String> newlyInitialized,
               List<String> skippedBuffers, List<String> renamed) {
        this.source = source;
        this.loaded = List.copyOf(loaded);
        this.unused = List.copyOf(unused);
        this.newlyInitialized = List.copyOf(newlyInitialized);
        this.skippedBuffers = List.copyOf(skippedBuffers);
        this.renamed = List.copyOf(renamed);
    }

    /** The report as transformers words it when {@code from_pretrained} loads a checkpoint into another head. */
    public String format(String modelName) {
        StringBuilder b = new StringBuilder();
        b.append("Loaded ").append(loaded.size()).append(" tensors from ").append(source).append('\n');
        if (!unused.isEmpty()) {
            b.append("Some weights of the model checkpoint at ").append(source)
                    .append(" were not used when initializing ").append(modelName).append(": ")
                    .append(pyList(unused)).append('\n');
            b.append("- This IS expected if the checkpoint was trained for another task or architecture "
                    + "(e.g. a masked-LM head when fine-tuning a classifier).\n");
        }
        if (!newlyInitialized.isEmpty()) {
            b.append("Some weights of ").append(modelName).append(" were not initialized from the model checkpoint at ")
                    .append(source).append(" and are newly initialized: ").append(pyList(newlyInitialized)).append('\n');
            b.append("You should probably TRAIN this model on a down-stream task to be able to use it for predictions and inference.\n");
        }
        return b.toString();
    }

    private static String pyList(List<String> names) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) b.append(", ");
            b.append('\'').append(names.get(i)).append('\'');
        }
        return b.append(']').toString();
    }

    @Override
    public String toString() {
        return format("the model");
    }
}
