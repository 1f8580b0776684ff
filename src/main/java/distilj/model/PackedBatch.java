package distilj.model;

/**
 * The geometry of one packed (unpadded) batch: {@code rows} sequences stored back to back, row r being tokens
 * {@code [start(r), start(r) + length(r))} of the flat {@code [T, H]} activations. Attention needs one
 * {@code L×L} score matrix per (row, head); they are packed too, head-major inside each row:
 * the matrix of (r, h) starts at {@code scoreOffset(r) + h·L_r²}, and all of them take {@link #scoreSize()} floats.
 */
final class PackedBatch {
    int rows;
    int tokens;
    int maxLength;
    int[] offsets = new int[1];
    long[] scoreOffsets = new long[1];
    private int heads;

    /** Reads the offsets of a batch and checks them and the ids against the config. */
    void set(int[] ids, int[] off, int rows, ModelConfig cfg) {
        if (rows < 1) throw new IllegalArgumentException("a batch needs at least one row, got " + rows);
        if (off == null || off.length < rows + 1) throw new IllegalArgumentException("offsets must hold rows + 1 entries");
        if (off[0] != 0) throw new IllegalArgumentException("offsets[0] must be 0, got " + off[0]);
        if (offsets.length < rows + 1) {
            offsets = new int[rows + 1];
            scoreOffsets = new long[rows + 1];
        }
        this.rows = rows;
        this.heads = cfg.heads;
        int max = 0;
        long scores = 0;
        for (int r = 0; r < rows; r++) {
            int len = off[r + 1] - off[r];
            if (len < 1) throw new IllegalArgumentException("row " + r + " is empty (offsets " + off[r] + ".." + off[r + 1] + ")");
            if (len > cfg.maxPositions) {
                throw new IllegalArgumentException("row " + r + " has " + len + " tokens, more than max_position_embeddings "
                        + cfg.maxPositions);
            }
            offsets[r] = off[r];
            scoreOffsets[r] = scores;
            scores += (long) heads * len * len;
            max = Math.max(max, len);
        }
        offsets[rows] = off[rows];
        scoreOffsets[rows] = scores;
        this.tokens = off[rows];
        this.maxLength = max;
        if (ids.length < tokens) throw new IllegalArgumentException("ids has " + ids.length + " entries, offsets say " + tokens);
        for (int t = 0; t < tokens; t++) {
            if (ids[t] < 0 || ids[t] >= cfg.vocabSize) {
                throw new IllegalArgumentException("token id " + ids[t] + " at position " + t + " is outside the vocabulary [0, "
                        + cfg.vocabSize + ")");
            }
        }
    }

    /** Only the sizes, for {@link SequenceClassifier#reserve}: a stand-in batch that buffers are sized from. */
    void setSizes(int tokens, int rows, long scoreSize) {
        this.rows = rows;
        this.tokens = tokens;
        if (offsets.length < rows + 1) {
            offsets = new int[rows + 1];
            scoreOffsets = new long[rows + 1];
        }
        scoreOffsets[rows] = scoreSize;
    }

    int start(int r) {
        return offsets[r];
    }

    int length(int r) {
        return offsets[r + 1] - offsets[r];
    }

    /** Offset of the L×L score matrix of (row r, head h). */
    long scoreOffset(int r, int h) {
        int len = length(r);
        return scoreOffsets[r] + (long) h * len * len;
    }

    long scoreSize() {
        return scoreOffsets[rows];
    }
}
