package distilj.model;

/**
 * Activation buffers grow to the largest batch seen and are reused after that: no allocation per step. A model that
 * was told its largest batch up front ({@link SequenceClassifier#reserve}) allocates each buffer once, exactly.
 */
final class Buffers {
    private Buffers() {}

    /**
     * {@code a} itself when it holds n floats; else a new array: exactly n the first time, with 1/8 headroom when an
     * unforeseen larger batch makes it grow again (so that a slowly rising maximum does not reallocate every step).
     */
    static float[] grow(float[] a, long n) {
        if (a.length >= n) return a;
        long size = a.length == 0 ? n : Math.max(n, Math.min(Integer.MAX_VALUE - 8L, n + n / 8));
        if (size > Integer.MAX_VALUE - 8L) throw new IllegalArgumentException("batch too large: needs " + n + " floats");
        return new float[(int) size];
    }
}
