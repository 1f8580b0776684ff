package distilj.train;

/**
 * One batch in the packed (unpadded) layout of {@link distilj.model.SequenceClassifier#forward}: the token ids of
 * {@code rows} rows back to back, row r being {@code ids[offsets[r] .. offsets[r+1])}, and one label per row.
 * {@code offsets} has {@code rows + 1} entries, {@code offsets[0] = 0}.
 */
public final class Batch {
    public final int[] ids;
    public final int[] offsets;
    public final int rows;
    public final int[] labels;

    public Batch(int[] ids, int[] offsets, int rows, int[] labels) {
        if (offsets.length < rows + 1 || labels.length < rows || offsets[0] != 0 || offsets[rows] > ids.length)
            throw new IllegalArgumentException("inconsistent batch: " + rows + " rows, " + offsets.length
                    + " offsets, " + labels.length + " labels, " + ids.length + " ids");
        this.ids = ids;
        this.offsets = offsets;
        this.rows = rows;
        this.labels = labels;
    }

    /** Real tokens in the batch. */
    public int tokens() {
        return offsets[rows];
    }
}
