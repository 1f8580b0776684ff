package distilj.data;

import java.util.List;

/**
 * A list of labelled texts and the names of its labels ({@code labelNames.get(id)}, e.g. ["neg", "pos"]): what
 * becomes {@code id2label} in a saved model's config.json.
 */
public record Dataset(String name, List<Example> examples, List<String> labelNames) {
    public Dataset {
        examples = List.copyOf(examples);
        labelNames = List.copyOf(labelNames);
        for (Example e : examples) {
            if (e.label() < 0 || e.label() >= labelNames.size()) {
                throw new IllegalArgumentException(name + ": label " + e.label() + " outside 0.." + (labelNames.size() - 1));
            }
        }
    }

    public int size() {
        return examples.size();
    }

    public Example get(int i) {
        return examples.get(i);
    }

    /** How many examples have each label, indexed by label id. */
    public int[] labelCounts() {
        int[] n = new int[labelNames.size()];
        for (Example e : examples) n[e.label()]++;
        return n;
    }
}
