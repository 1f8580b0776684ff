package distilj.model;

import java.util.List;

/**
 * A transformer encoder with a classification head, trained and run on a packed (unpadded) batch:
 * the token ids of all rows back to back, {@code ids[offsets[r] .. offsets[r+1])} being row r. No FLOP is spent
 * on padding, and a row's output does not depend on the other rows.
 *
 * <p>Implemented by DistilBERT and BERT. Activations for the backward live in buffers owned by the model, grown
 * to the largest batch seen and reused after that.
 */
public interface SequenceClassifier {
    ModelConfig config();

    /** Every trainable tensor, named as in the Hugging Face checkpoint of this architecture. */
    List<Param> params();

    /**
     * Forward pass over {@code rows} rows. With {@code training}, dropout is on, its masks a pure function of
     * {@code dropoutSeed}. With {@code labels} (one per row), returns the mean cross-entropy loss and keeps what
     * {@link #backward()} needs; without, returns NaN.
     */
    float forward(int[] ids, int[] offsets, int rows, int[] labels, boolean training, long dropoutSeed);

    /**
     * Sizes every activation buffer once for the largest batch to come: at most {@code maxTokens} tokens,
     * {@code maxRows} rows and {@code maxScores} attention scores ({@code heads · Σ_rows L²}); {@link LargestBatch}
     * finds them over a set of batches. Optional: without it buffers grow as larger batches arrive, leaving the old
     * ones as garbage (a transient doubling of activation memory) and keeping 1/8 headroom.
     */
    default void reserve(int maxTokens, int maxRows, long maxScores, boolean training) {}

    /** The logits of the last forward, {@code [rows, numLabels]} row-major (a view: valid until the next call). */
    float[] logits();

    /** Backward of the last forward (which had labels): adds every parameter's gradient into {@link Param#grad}. */
    void backward();
}
