package distilj.train;

import distilj.model.Param;
import distilj.model.SequenceClassifier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How model weights go into a checkpoint folder and come back. The default, {@link #SAFETENSORS_F32}, writes
 * {@code model.safetensors} with every {@link Param} under its Hugging Face name and metadata {"format": "pt"}; the
 * CLI can pass a store that also writes {@code config.json} and the tokenizer files (a folder that
 * {@code from_pretrained} loads), e.g. one built on {@code distilj.checkpoint}.
 */
public interface WeightStore {
    /** Writes the model's weights (and whatever else the store adds) into {@code dir}, which exists and is empty. */
    void save(SequenceClassifier model, Path dir) throws IOException;

    /** Overwrites the model's parameters with the weights saved in {@code dir}. */
    void load(SequenceClassifier model, Path dir) throws IOException;

    String WEIGHTS_FILE = "model.safetensors";

    WeightStore SAFETENSORS_F32 = new WeightStore() {
        @Override
        public void save(SequenceClassifier model, Path dir) throws IOException {
            List<TensorFile.Tensor> ts = new ArrayList<>();
            for (Param p : model.params()) ts.add(new TensorFile.Tensor(p.name, p.shape, p.data));
            TensorFile.write(dir.resolve(WEIGHTS_FILE), ts, Map.of("format", "pt"));
        }

        @Override
        public void load(SequenceClassifier model, Path dir) throws IOException {
            Path file = dir.resolve(WEIGHTS_FILE);
            Map<String, TensorFile.Tensor> ts = TensorFile.read(file);
            for (Param p : model.params()) {
                TensorFile.Tensor t = ts.get(p.name);
                if (t == null) throw new IOException(file + ": no tensor " + p.name);
                if (t.data().length != p.size())
                    throw new IOException(file + ": tensor " + p.name + " has " + t.data().length + " values, the model "
                            + p.size());
                System.arraycopy(t.data(), 0, p.data, 0, p.size());
            }
        }
    };
}
