package distilj.model;

/** Activation buffers grow to the largest batch seen and are reused after that: no allocation per step. */
final class Buffers {
    private Buffers() {}

    /** {@code a} itself when it holds n floats, else a new array with a little headroom. */
    static float[] grow(float[] a, long n) {
        if (a.length >= n) return a;
        long size = Math.max(n, Math.min(Integer.MAX_VALUE - 8L, n + n / 8));
        if (size > Integer.MAX_VALUE - 8L) throw new IllegalArgumentException("batch too large: needs " + n + " floats");
        return new float[(int) size];
    }
}
