package distilj.kernels;

/**
 * The error function, which Java's Math lacks, for the exact GELU {@code ½·x·(1 + erf(x/√2))}.
 *
 * <p>Uses the Chebyshev-fitted {@code erfc(z) ≈ t·exp(−z² + P(t))}, {@code t = 1/(1 + z/2)}, z ≥ 0, from Numerical
 * Recipes (§6.2), whose fractional error is below 1.2e-7 everywhere: under float32's half-ulp for GELU's purposes.
 * The scalar kernels evaluate it in double; the SIMD kernels evaluate the same formula (same {@link #C}) in float lanes
 * ({@link SimdKernels#normalCdf}), and the tests bound the gap between the two.
 */
public final class Erf {
    private Erf() {}

    /** P(t) = C[0] + C[1]·t + … + C[9]·t⁹. */
    static final double[] COEFFS = {-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
        0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277};
    static final float[] C = new float[COEFFS.length];

    static {
        for (int i = 0; i < C.length; i++) C[i] = (float) COEFFS[i];
    }

    /** erfc(z) for z ≥ 0. */
    public static double erfcPositive(double z) {
        double t = 1.0 / (1.0 + 0.5 * z);
        double p = COEFFS[9];
        for (int i = 8; i >= 0; i--) p = p * t + COEFFS[i];
        return t * Math.exp(-z * z + p);
    }

    public static double erf(double x) {
        double r = erfcPositive(Math.abs(x));
        return x >= 0 ? 1.0 - r : r - 1.0;
    }
}
