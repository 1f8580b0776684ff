package distilj.model;

/**
 * Where each dropout draws its random numbers. Kernels.dropout keeps element i of a call iff
 * {@code DropoutRng.keep(seed, counter + i, p)}; the model gives every dropout site its own range of 2⁴⁰ counters,
 * {@code counter = site·2⁴⁰ + index}, where index is the element's place in that site's buffer
 * ({@code t·H + j} for hidden states, the packed score offset for attention weights, {@code r·H + j} in the head).
 *
 * <p>So a mask is a pure function of (seed, site, position in the packed batch): the same seed gives the same masks
 * whatever the thread count, and the backward recomputes them instead of storing them. A row moved to another place
 * in the batch draws other masks (as in torch); with dropout off a row's output does not depend on the batch at all.
 */
final class DropoutSite {
    private DropoutSite() {}

    static final int EMBEDDINGS = 0;
    static final int HEAD = 1;

    static int attentionWeights(int layer) {
        return 2 + 3 * layer;
    }

    /** BERT only: dropout on the attention output projection, before the residual. */
    static int attentionOutput(int layer) {
        return 3 + 3 * layer;
    }

    static int ffnOutput(int layer) {
        return 4 + 3 * layer;
    }

    static long counter(int site, long index) {
        return ((long) site << 40) + index;
    }
}
