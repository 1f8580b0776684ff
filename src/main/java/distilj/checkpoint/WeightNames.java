package distilj.checkpoint;

import java.util.Map;
import java.util.Set;

/**
 * How a tensor name in someone's checkpoint finds the model parameter it belongs to, following what transformers
 * does when loading:
 * <ul>
 *   <li>legacy LayerNorm names: {@code ...gamma} is {@code ...weight}, {@code ...beta} is {@code ...bias} (old TF
 *       ports were saved that way; transformers renames them on load);</li>
 *   <li>a checkpoint of the bare encoder ({@code BertModel}, {@code DistilBertModel}, the base
 *       {@code DistilBertForMaskedLM}) has no {@code bert.}/{@code distilbert.} prefix: the prefix is added;</li>
 *   <li>buffers that are not parameters ({@code embeddings.position_ids}, {@code embeddings.token_type_ids}, integer
 *       typed) are recognised and skipped without being called unused.</li>
 * </ul>
 */
public final class WeightNames {
    private WeightNames() {}

    static final String[] PREFIXES = {"distilbert.", "bert."};

    /** Legacy gamma/beta LayerNorm names to weight/bias. */
    public static String modernize(String name) {
        if (name.endsWith(".gamma")) return name.substring(0, name.length() - 6) + ".weight";
        if (name.endsWith(".beta")) return name.substring(0, name.length() - 5) + ".bias";
        if (name.equals("gamma")) return "weight";
        if (name.equals("beta")) return "bias";
        return name;
    }

    /** The model parameter a checkpoint tensor loads into, or null when the model has none for it. */
    public static String target(String fileName, Set<String> modelNames) {
        String n = modernize(fileName);
        if (modelNames.contains(n)) return n;
        for (String p : PREFIXES) {
            if (modelNames.contains(p + n)) return p + n;
        }
        return null;
    }

    /** A non-trainable buffer saved by older transformers versions; skipped on load. */
    public static boolean isBuffer(String fileName) {
        return fileName.endsWith("embeddings.position_ids") || fileName.endsWith("embeddings.token_type_ids");
    }

    /** Checks that no two checkpoint tensors land on the same parameter (e.g. "x" and "bert.x" both present). */
    static void putUnique(Map<String, String> paramToFile, String param, String file, Object where) throws CheckpointException {
        String before = paramToFile.putIfAbsent(param, file);
        if (before != null) {
            throw new CheckpointException(where + ": tensors \"" + before + "\" and \"" + file
                    + "\" would both load into \"" + param + "\"");
        }
    }
}
