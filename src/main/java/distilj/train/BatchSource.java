package distilj.train;

/**
 * What the trainer needs from a data set: its size and, for any (epoch, index), the same batch every time. A training
 * source shuffles each epoch from (seed, epoch) alone, so a resumed run can restart at batch k of epoch e without
 * replaying anything; an evaluation source ignores the epoch and keeps the data set's order.
 *
 * <p>This is the seam to the data package: {@link InMemoryBatches} implements it over tokenized rows, and any other
 * batcher can be adapted in a few lines.
 */
public interface BatchSource {
    /** Rows in the data set. */
    int size();

    /** Rows per batch (the last batch of an epoch may hold fewer). */
    int batchSize();

    /** Batches per epoch: ceil(size / batchSize), the last partial batch kept. */
    default int batchesPerEpoch() {
        return (size() + batchSize() - 1) / batchSize();
    }

    /** Batch {@code index} (0-based) of epoch {@code epoch} (0-based). */
    Batch batch(int epoch, int index);
}
