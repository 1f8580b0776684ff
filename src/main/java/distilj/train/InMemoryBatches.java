package distilj.train;

import distilj.kernels.DropoutRng;

/**
 * A {@link BatchSource} over tokenized rows held in memory ({@code rows[i]} the ids of row i with [CLS]/[SEP],
 * {@code labels[i]} its class). Training sources visit the rows in a fresh permutation each epoch, a pure function of
 * (seed, epoch): a Fisher–Yates shuffle driven by the counter-based {@link DropoutRng}, so batch k of epoch e can be
 * rebuilt directly on resume. (Torch's RandomSampler stream cannot be reproduced outside torch; parity tests that
 * need Python's exact order pass an explicit permutation instead, see {@link #withOrder}.)
 */
public final class InMemoryBatches implements BatchSource {
    private final int[][] rows;
    private final int[] labels;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int[][] fixedOrders;

    private int cachedEpoch = -1;
    private int[] cachedOrder;

    private InMemoryBatches(int[][] rows, int[] labels, int batchSize, boolean shuffle, long seed, int[][] fixedOrders) {
        if (rows.length != labels.length)
            throw new IllegalArgumentException(rows.length + " rows but " + labels.length + " labels");
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (rows.length == 0) throw new IllegalArgumentException("the data set is empty");
        this.rows = rows;
        this.labels = labels;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.fixedOrders = fixedOrders;
    }

    /** Training order: shuffled every epoch from (seed, epoch). */
    public static InMemoryBatches shuffled(int[][] rows, int[] labels, int batchSize, long seed) {
        return new InMemoryBatches(rows, labels, batchSize, true, seed, null);
    }

    /** Evaluation order: the data set's own, every epoch. */
    public static InMemoryBatches sequential(int[][] rows, int[] labels, int batchSize) {
        return new InMemoryBatches(rows, labels, batchSize, false, 0, null);
    }

    /** Explicit orders, {@code orders[e]} a permutation of the rows for epoch e (epochs beyond cycle). */
    public static InMemoryBatches withOrder(int[][] rows, int[] labels, int batchSize, int[][] orders) {
        return new InMemoryBatches(rows, labels, batchSize, false, 0, orders.clone());
    }

    @Override
    public int size() {
        return rows.length;
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    /** The permutation of epoch e: Fisher–Yates, the swap partner of position i drawn from (seed, e, i). */
    public static int[] permutation(int n, long seed, int epoch) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        long epochSeed = DropoutRng.bits(seed, 0x5eed_0000L + epoch);
        for (int i = n - 1; i > 0; i--) {
            // 31 random bits times (i+1), top bits: uniform on [0, i] up to a bias below 2^-31·n
            long r = DropoutRng.bits(epochSeed, i) >>> 33;
            int j = (int) ((r * (i + 1)) >>> 31);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private synchronized int[] order(int epoch) {
        if (fixedOrders != null) return fixedOrders[epoch % fixedOrders.length];
        if (!shuffle) return null;
        if (epoch != cachedEpoch) {
            cachedOrder = permutation(rows.length, seed, epoch);
            cachedEpoch = epoch;
        }
        return cachedOrder;
    }

    @Override
    public Batch batch(int epoch, int index) {
        if (index < 0 || index >= batchesPerEpoch())
            throw new IndexOutOfBoundsException("batch " + index + " of " + batchesPerEpoch());
        int[] order = order(epoch);
        int start = index * batchSize;
        int n = Math.min(batchSize, rows.length - start);
        int[] offsets = new int[n + 1];
        int[] lab = new int[n];
        for (int r = 0; r < n; r++) {
            int row = order == null ? start + r : order[start + r];
            offsets[r + 1] = offsets[r] + rows[row].length;
            lab[r] = labels[row];
        }
        int[] ids = new int[offsets[n]];
        for (int r = 0; r < n; r++) {
            int row = order == null ? start + r : order[start + r];
            System.arraycopy(rows[row], 0, ids, offsets[r], rows[row].length);
        }
        return new Batch(ids, offsets, n, lab);
    }
}
