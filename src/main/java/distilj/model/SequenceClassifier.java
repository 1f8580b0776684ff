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

    /** The logits of the last forward, {@code [rows, numLabels]} row-major (a view: valid until the next call). */
    float[] logits();

    /** Backward of the last forward (which had labels): adds every parameter's gradient into {@link Param#grad}. */
    void backward();
}
