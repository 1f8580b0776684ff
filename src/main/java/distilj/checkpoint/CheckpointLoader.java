package distilj.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import distilj.model.Param;
import distilj.model.ParamLayout;
import distilj.safetensors.SafeTensors;
import distilj.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Loads a Hugging Face checkpoint into a model's parameters, name by name (see {@link WeightNames} for how names are
 * matched), and reports what was used, unused and left newly initialised.
 *
 * <p>Accepts a model folder ({@code model.safetensors}, or the shards of {@code model.safetensors.index.json}) or a
 * {@code .safetensors} file. Every tensor that lands on a parameter must have the same shape (else an error naming
 * both) and a float type; its values are converted to float32 straight into {@link Param#data}.
 */
public final class CheckpointLoader {
    private CheckpointLoader() {}

    /** The safetensors files of a model folder or file. */
    public static List<Path> weightFiles(Path dirOrFile) throws IOException {
        if (!Files.isDirectory(dirOrFile)) {
            if (!Files.exists(dirOrFile)) throw new CheckpointException(dirOrFile + ": no such file or folder");
            return List.of(dirOrFile);
        }
        Path single = dirOrFile.resolve("model.safetensors");
        if (Files.exists(single)) return List.of(single);
        Path index = dirOrFile.resolve("model.safetensors.index.json");
        if (Files.exists(index)) return shards(index);
        if (Files.exists(dirOrFile.resolve("pytorch_model.bin")) || Files.exists(dirOrFile.resolve("tf_model.h5"))) {
            throw new CheckpointException(dirOrFile + ": has only PyTorch/TensorFlow weights; distilj reads safetensors "
                    + "(convert once in Python: model.save_pretrained(dir, safe_serialization=True))");
        }
        throw new CheckpointException(dirOrFile + ": no model.safetensors in this folder");
    }

    private static List<Path> shards(Path index) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (IOException e) {
            throw new CheckpointException(index + ": not valid JSON");
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) throw new CheckpointException(index + ": no \"weight_map\" object");
        TreeSet<String> files = new TreeSet<>();
        for (JsonNode v : map) {
            String f = v.asText();
            // Shards are names in the same folder: nothing may point elsewhere.
            if (f.isEmpty() || f.contains("/") || f.contains("\\") || f.startsWith(".")) {
                throw new CheckpointException(index + ": shard name \"" + f + "\" is not a plain file name");
            }
            files.add(f);
        }
        List<Path> out = new ArrayList<>();
        for (String f : files) out.add(index.resolveSibling(f));
        return out;
    }

    /** Loads every tensor it can into {@code params} and reports the rest. */
    public static LoadReport load(Path dirOrFile, List<Param> params) throws IOException {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> dest = new LinkedHashMap<>();
        for (Param p : params) {
            shapes.put(p.name, p.shape);
            dest.put(p.name, p.data);
        }
        return run(dirOrFile, shapes, dest);
    }

    /** What {@link #load} would report for a model of these tensors, without reading any values. */
    public static LoadReport plan(Path dirOrFile, List<ParamLayout.Spec> specs) throws IOException {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (ParamLayout.Spec s : specs) shapes.put(s.name, s.shape);
        return run(dirOrFile, shapes, null);
    }

    /** Matches names and checks shapes and types; then, if {@code dest} is given, copies the values. */
    private static LoadReport run(Path dirOrFile, Map<String, int[]> shapes, Map<String, float[]> dest) throws IOException {
        Map<String, String> paramToFile = new TreeMap<>();
        List<String> unused = new ArrayList<>(), buffers = new ArrayList<>(), renamed = new ArrayList<>();
        // Two passes: every name, shape and type is checked before any value is copied, so a failing load leaves
        // the parameters as they were.
        List<SafeTensors> open = new ArrayList<>();
        try {
            List<Object[]> plan = new ArrayList<>(); // {SafeTensors, TensorInfo, target name}
            for (Path file : weightFiles(dirOrFile)) {
                SafeTensors st = SafeTensors.open(file);
                open.add(st);
                for (String name : new TreeSet<>(st.tensors().keySet())) {
                    TensorInfo t = st.tensors().get(name);
                    String target = WeightNames.target(name, shapes.keySet());
                    if (target == null) {
                        if (WeightNames.isBuffer(name)) buffers.add(name);
                        else unused.add(name);
                        continue;
                    }
                    WeightNames.putUnique(paramToFile, target, name, file);
                    int[] shape = shapes.get(target);
                    if (!sameShape(t.shape, shape)) {
                        throw new CheckpointException(file + ": tensor \"" + name + "\" has shape " + t.shapeString()
                                + " but the model's \"" + target + "\" is " + Arrays.toString(shape)
                                + " (does config.json match these weights?)");
                    }
                    if (!t.dtype.isFloat()) {
                        throw new CheckpointException(file + ": tensor \"" + name + "\" is " + t.dtype
                                + ", not a float type, so it cannot load into \"" + target + "\"");
                    }
                    if (!target.equals(name)) renamed.add(name + " -> " + target);
                    plan.add(new Object[] {st, t, target});
                }
            }
            if (dest != null) {
                for (Object[] step : plan) ((SafeTensors) step[0]).readFloat32((TensorInfo) step[1], dest.get((String) step[2]));
            }
        } finally {
            for (SafeTensors st : open) st.close();
        }
        List<String> loaded = new ArrayList<>(), fresh = new ArrayList<>();
        for (String name : shapes.keySet()) (paramToFile.containsKey(name) ? loaded : fresh).add(name);
        return new LoadReport(dirOrFile.toString(), loaded, unused, fresh, buffers, renamed);
    }

    private static boolean sameShape(long[] file, int[] model) {
        if (file.length != model.length) return false;
        for (int i = 0; i < file.length; i++) if (file[i] != model[i]) return false;
        return true;
    }
}
