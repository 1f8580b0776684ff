package distilj.kernels;

/**
 * The error function, which Java's Math lacks, for the exact GELU {@code ½·x·(1 + erf(x/√2))}.
 *
 * <p>Uses the Chebyshev-fitted {@code erfc(z) ≈ t·exp(−z² + P(t))}, {@code t = 1/(1 + z/2)}, from Numerical Recipes
 * (§6.2), whose fractional error is below 1.2e-7 everywhere: under float32's half-ulp for GELU's purposes.
 */
public final class Erf {
    private Erf() {}

    public static double erf(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1.0 - r : r - 1.0;
    }
}
