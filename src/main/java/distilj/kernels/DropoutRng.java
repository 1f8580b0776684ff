package distilj.kernels;

/**
 * The counter-based random numbers behind dropout: a pure function of (seed, counter), so the mask of element i does
 * not depend on the order or the thread in which elements are visited, and the backward pass recomputes the forward
 * mask instead of storing it. The mixer is SplitMix64's finaliser (Steele, Lea &amp; Flood 2014), which passes
 * BigCrush on consecutive counters.
 */
public final class DropoutRng {
    private DropoutRng() {}

    /** 64 well-mixed bits for (seed, counter). */
    public static long bits(long seed, long counter) {
        long z = seed + counter * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform in [0, 1) with 24 bits, exactly representable as a float. */
    public static float uniform(long seed, long counter) {
        return (bits(seed, counter) >>> 40) * 0x1.0p-24f;
    }

    /** Whether element {@code counter} survives dropout with drop probability p: uniform ≥ p. */
    public static boolean keep(long seed, long counter, float p) {
        return uniform(seed, counter) >= p;
    }
}
