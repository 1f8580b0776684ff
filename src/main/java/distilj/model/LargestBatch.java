package distilj.model;

/**
 * The largest batch among many, as {@link SequenceClassifier#reserve} needs it: the most tokens, the most rows and the
 * most attention scores ({@code heads · Σ_rows L²}) of any one batch (each maximum may come from another batch).
 */
public final class LargestBatch {
    private final int heads;
    private int tokens, rows;
    private long scores;

    public LargestBatch(int heads) {
        this.heads = heads;
    }

    /** A batch of {@code rows} rows, row r being tokens {@code [offsets[r], offsets[r+1])}. */
    public void add(int[] offsets, int rows) {
        long s = 0;
        for (int r = 0; r < rows; r++) {
            long len = offsets[r + 1] - offsets[r];
            s += heads * len * len;
        }
        this.tokens = Math.max(this.tokens, offsets[rows]);
        this.rows = Math.max(this.rows, rows);
        this.scores = Math.max(this.scores, s);
    }

    /** Sizes the model's buffers for it (nothing when no batch was added). */
    public void reserveIn(SequenceClassifier model, boolean training) {
        if (tokens > 0) model.reserve(tokens, rows, scores, training);
    }
}
