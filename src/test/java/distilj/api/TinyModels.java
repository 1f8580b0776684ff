package distilj.api;

import distilj.checkpoint.ModelExport;
import distilj.kernels.Kernels;
import distilj.model.ModelConfig;
import distilj.model.Models;
import distilj.model.Param;
import distilj.model.SequenceClassifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/** A tiny random DistilBERT classifier saved as a model folder (config.json, model.safetensors, vocab.txt). */
public final class TinyModels {
    public static final String[] WORDS = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "good", "bad", "movie",
            "film", "not", "very", "the", "is", ",", ".", "!", "##s", "great", "boring"};

    private TinyModels() {
    }

    /**
     * Saves a model with the given labels into {@code dir} and returns it (the in-memory twin, for expected values).
     * Weights are perturbed by N(0, 0.5²) so that the logits differ visibly between texts.
     */
    public static SequenceClassifier save(Path dir, long seed, String... labels) throws Exception {
        Path src = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-vocab"));
        Files.write(src.resolve("vocab.txt"), List.of(WORDS), StandardCharsets.UTF_8);
        ModelConfig c = new ModelConfig();
        c.vocabSize = WORDS.length;
        c.hidden = 16;
        c.layers = 2;
        c.heads = 2;
        c.ffn = 24;
        c.maxPositions = 512;
        c.numLabels = labels.length;
        c.labels = labels.clone();
        SequenceClassifier model = Models.create(c.validate(), Kernels.get(), seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (Param p : model.params()) for (int i = 0; i < p.size(); i++) p.data[i] += (float) (0.5 * r.nextGaussian());
        ModelExport.save(dir, c, model.params(), src);
        return model;
    }
}
