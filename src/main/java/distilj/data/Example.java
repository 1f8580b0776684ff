package distilj.data;

/** One labelled text. {@code label} is an id in {@code 0 .. numLabels-1} of its {@link Dataset}. */
public record Example(String text, int label) {
}
