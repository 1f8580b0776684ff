package distilj.checkpoint;

import distilj.model.ModelConfig;
import distilj.model.Param;
import distilj.safetensors.SafeTensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Saves a model folder that {@code AutoModelForSequenceClassification.from_pretrained(dir)} loads:
 * {@code config.json} ({@link HfConfig#toJson}), {@code model.safetensors} (every parameter as F32 under its Hugging
 * Face name, metadata {@code {"format": "pt"}}), and the tokenizer files copied from the source model folder.
 *
 * <p>A crash never leaves a half-written model:
 * <ul>
 *   <li>a new (or empty) target: everything is written into a temporary folder next to it, which is then renamed
 *       to the target in one step, so the folder appears whole or not at all;</li>
 *   <li>an existing target with files in it (it may hold other things, such as training checkpoints, which must not
 *       be deleted): each file is replaced atomically, weights first and config.json last.</li>
 * </ul>
 */
public final class ModelExport {
    /** Tokenizer files copied from the source model folder when present. */
    public static final List<String> TOKENIZER_FILES =
            List.of("vocab.txt", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json");

    private ModelExport() {}

    /**
     * Writes {@code params} and {@code config} into {@code dir}; {@code tokenizerFrom} (may be null) is a folder whose
     * tokenizer files are copied along.
     */
    public static void save(Path dir, ModelConfig config, List<Param> params, Path tokenizerFrom) throws IOException {
        config.validate();
        Map<String, SafeTensorsWriter.Tensor> tensors = new LinkedHashMap<>();
        for (Param p : params) {
            if (tensors.put(p.name, new SafeTensorsWriter.Tensor(p.shape, p.data)) != null) {
                throw new IllegalArgumentException("two parameters are named " + p.name);
            }
        }
        dir = dir.toAbsolutePath().normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new CheckpointException(dir + ": exists and is not a folder");
        boolean fresh = !Files.exists(dir) || isEmpty(dir);
        Path work = fresh ? Files.createTempDirectory(dir.getParent(), "." + dir.getFileName() + ".tmp-") : dir;
        try {
            SafeTensorsWriter.write(work.resolve("model.safetensors"), Map.of("format", "pt"), tensors);
            if (tokenizerFrom != null) {
                for (String f : TOKENIZER_FILES) {
                    Path src = tokenizerFrom.resolve(f);
                    if (Files.isRegularFile(src)) AtomicFiles.write(work.resolve(f), Files.readAllBytes(src));
                }
            }
            HfConfig.write(config, work.resolve("config.json")); // last: a folder with config.json is complete
            if (fresh) {
                if (Files.exists(dir)) Files.delete(dir); // empty
                SafeTensorsWriter.readableByAll(work);
                AtomicFiles.move(work, dir);
                work = null;
            }
        } finally {
            if (fresh && work != null) deleteTree(work);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a leftover hidden temp folder is harmless
                }
            });
        } catch (IOException ignored) {
            // nothing to clean
        }
    }
}
