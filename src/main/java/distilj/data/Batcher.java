package distilj.data;

/**
 * Cuts an encoded dataset into batches, epoch after epoch.
 *
 * <p>Training order: a fresh permutation of the rows each epoch, a pure function of (seed, epoch) — Fisher–Yates
 * driven by SplitMix64 — so the same seed gives the same batches on every run and for any thread count,
 * and a resumed run can start at batch k of epoch e without replaying the earlier ones. The last, partial batch is
 * kept (8530 rows in batches of 64: 133 full batches and one of 18). Without shuffling (evaluation) the rows come in
 * dataset order.
 *
 * <p>(torch's RandomSampler stream cannot be reproduced outside torch; for a parity run give the permutation exported
 * from Python to {@link EncodedDataset#gather}.)
 */
public final class Batcher {
    private final EncodedDataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;

    public Batcher(EncodedDataset data, int batchSize, boolean shuffle, long seed) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be ≥ 1, not " + batchSize);
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
    }

    public int batchesPerEpoch() {
        return (data.rows() + batchSize - 1) / batchSize;
    }

    public int batchSize() {
        return batchSize;
    }

    /** The row order of an epoch (0-based). */
    public int[] order(int epoch) {
        return shuffle ? permutation(data.rows(), seed, epoch) : identity(data.rows());
    }

    /** Batch {@code k} (0-based) of {@code epoch}. */
    public Batch batch(int epoch, int k) {
        return batch(order(epoch), k);
    }

    /** Batch {@code k} of a given row order (compute the order once per epoch with {@link #order}). */
    public Batch batch(int[] order, int k) {
        if (k < 0 || k >= batchesPerEpoch()) throw new IndexOutOfBoundsException("batch " + k + " of " + batchesPerEpoch());
        int from = k * batchSize;
        return data.gather(order, from, Math.min(from + batchSize, order.length));
    }

    /**
     * A permutation of {@code 0..n-1} that depends only on (seed, epoch): Fisher–Yates (Durstenfeld) driven by
     * SplitMix64, written out here so that no JDK version can change the order. The stream of epoch e starts from
     * mix(seed) + e·γ, so epochs are independent streams. Index j in 0..i is {@code (32 random bits · (i+1)) >> 32}:
     * a bias below (i+1)/2³², i.e. under 10⁻⁵ for any real dataset.
     */
    public static int[] permutation(int n, long seed, int epoch) {
        long state = mix64(seed) + (epoch + 1L) * GOLDEN_GAMMA * 0x100000001L;
        int[] p = identity(n);
        for (int i = n - 1; i > 0; i--) {
            state += GOLDEN_GAMMA;
            int j = (int) (((mix64(state) >>> 32) * (i + 1)) >>> 32);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    /** SplitMix64's output function (Steele, Lea, Flood 2014). */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }
}
