package distilj.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector maths built only from exactly-rounded IEEE operations (add, mul, fma, div, min/max, conversions of integral
 * values, bit shifts, lane moves).
 *
 * <p>Why not {@code VectorOperators.EXP}/{@code TANH} and {@code reduceLanes(ADD)}? Their results are only specified
 * to within an ulp (resp. in an unspecified order), and the JIT-compiled intrinsic and the interpreter's fallback really
 * do differ: a worker thread still running the fallback then gives other bits than a compiled one, and results depend
 * on the thread count (ThreadDeterminismTest caught exactly that). Everything here is the same on every tier.
 */
final class VMath {
    private VMath() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split in a short high part (exact n·LN2_HI for |n| ≤ 2⁹) and the rest. */
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** 1.5·2²³: adding and subtracting it rounds a float (|v| < 2²²) to the nearest integer. */
    private static final float ROUND = 0x1.8p23f;
    /** P(r) of {@link #exp}, highest degree first (Cephes expf); shared by the vector body and its scalar twin. */
    private static final float EXP_P5 = 1.9875691500e-4f, EXP_P4 = 1.3981999507e-3f, EXP_P3 = 8.3334519073e-3f,
            EXP_P2 = 4.1665795894e-2f, EXP_P1 = 1.6666665459e-1f, EXP_P0 = 5.0000001201e-1f;

    /**
     * e^x with ≤ 2 ulp error for −87 ≤ x ≤ 88 (0 below, +∞ above, NaN stays NaN). x = n·ln2 + r with |r| ≤ ln2/2,
     * e^r ≈ 1 + r + r²·P(r), P the degree-5 minimax polynomial of the Cephes library's expf, then ·2ⁿ by building the
     * exponent bits.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector y = expInRange(x.max(-87f).min(88f));
        y = y.blend(0f, x.lt(-87f));
        return y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, 88f));
    }

    /**
     * {@link #exp} for callers whose x never exceeds 88 (softmax's x − max ≤ 0, GELU's −x²/2 and −z² + P(t)): the same
     * bits, without the upper clamp. Java's {@code max}/{@code min} honour −0.0 and NaN, which costs six instructions
     * each on JDK 17; here one compare and two blends do. These kernels are bound by the latency of their long chains
     * of dependent operations, so every instruction removed from the chain counts.
     */
    static FloatVector expBelow88(FloatVector x) {
        VectorMask<Float> under = x.lt(-87f);
        return expInRange(x.blend(-87f, under)).blend(0f, under);
    }

    /**
     * The scalar twin of {@link #expBelow88(FloatVector)}, the same bits: the same operations in the same order, each
     * rounded once ({@code Math.fma} is a fused multiply-add like the vector one). For the few elements at a row's ragged
     * end, where a masked vector operation would be boxed on JDK 17.
     */
    static float expBelow88(float x) {
        if (x < -87f) return 0f;
        float t = Math.fma(x, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, EXP_P5, EXP_P4);
        p = Math.fma(p, r, EXP_P3);
        p = Math.fma(p, r, EXP_P2);
        p = Math.fma(p, r, EXP_P1);
        p = Math.fma(p, r, EXP_P0);
        float e = Math.fma(p, r * r, r) + 1f;
        return e * Float.intBitsToFloat((Float.floatToRawIntBits(t) - (Float.floatToRawIntBits(ROUND) - 127)) << 23);
    }

    /** The body of {@link #exp}, valid for −87 ≤ x ≤ 88 (NaN stays NaN). */
    private static FloatVector expInRange(FloatVector x) {
        // t = ROUND + n exactly (t has ulp 1 in [2²³, 2²⁴)), so n = t − ROUND is the rounded integer and the low
        // mantissa bits of t hold n itself: bits(t) = bits(ROUND) + n.
        FloatVector t = x.fma(FloatVector.broadcast(F, LOG2E), FloatVector.broadcast(F, ROUND));
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = r.fma(FloatVector.broadcast(F, EXP_P5), FloatVector.broadcast(F, EXP_P4));
        p = p.fma(r, FloatVector.broadcast(F, EXP_P3));
        p = p.fma(r, FloatVector.broadcast(F, EXP_P2));
        p = p.fma(r, FloatVector.broadcast(F, EXP_P1));
        p = p.fma(r, FloatVector.broadcast(F, EXP_P0));
        FloatVector e = p.fma(r.mul(r), r).add(1f);
        // 2ⁿ = bits (n + 127) << 23, with n read from t's bits rather than by a float→int conversion: JDK 17's C2
        // does not intrinsify convert(F2I) on 512-bit vectors, and the fallback boxed every vector of the softmax and
        // GELU kernels (measured: GELU ~40× slower than its memory traffic, GBs of garbage per training step).
        IntVector bits = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND) - 127).lanewise(VectorOperators.LSHL, 23);
        return e.mul(bits.reinterpretAsFloats());
    }

    /**
     * tanh x = sign(x)·(e − 1)/(e + 1), e = e^{2|x|}, for |x| ≥ 0.3 (≤ ~3 ulp: the relative error of e is amplified
     * at most 1.6×); below, where that quotient would cancel, the odd Taylor series to x¹³ (truncation &lt; 1e-8
     * relative at 0.3). Saturates to ±1 for large |x|.
     */
    static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector e = exp(a.mul(2f).min(88f));
        FloatVector big = e.sub(1f).div(e.add(1f));
        FloatVector x2 = x.mul(x);
        FloatVector s = x2.fma(FloatVector.broadcast(F, 21844f / 6081075f), FloatVector.broadcast(F, -1382f / 155925f));
        s = s.fma(x2, FloatVector.broadcast(F, 62f / 2835f));
        s = s.fma(x2, FloatVector.broadcast(F, -17f / 315f));
        s = s.fma(x2, FloatVector.broadcast(F, 2f / 15f));
        s = s.fma(x2, FloatVector.broadcast(F, -1f / 3f));
        FloatVector small = s.mul(x2).fma(a, a);
        FloatVector t = big.blend(small, a.lt(0.3f));
        t = t.blend(1f, a.compare(VectorOperators.GT, 44f)); // e = +∞ there: ∞/∞ would be NaN
        return t.blend(t.neg(), x.lt(0f));
    }

    // ------------------------------------------------------------------ deterministic horizontal sums

    /**
     * Σ of the lanes a caller stored with {@code v.intoArray(t, 0)}, as a fixed tree: t[i] += t[i + L/2] for i &lt; L/2,
     * then the same on the first half, … — the tree a vector fold with the shuffles {@code i ^ half} computes. Why an
     * array: JDK 17's C2 compiles neither {@code rearrange} with a non-constant shuffle nor {@code reduceLanes} into
     * vector instructions on every path, and a vector passed to a method it does not inline is boxed on the heap;
     * these run once per row of every softmax and LayerNorm. The same on every JIT tier. Overwrites t.
     */
    static float sumLanes(float[] t) {
        for (int half = t.length >> 1; half >= 1; half >>= 1) {
            for (int i = 0; i < half; i++) t[i] += t[i + half];
        }
        return t[0];
    }

    /** {@link #sumLanes(float[])} for doubles: the same tree. */
    static double sumLanes(double[] t) {
        for (int half = t.length >> 1; half >= 1; half >>= 1) {
            for (int i = 0; i < half; i++) t[i] += t[i + half];
        }
        return t[0];
    }

    /** The largest of the lanes in t ({@link Math#max} semantics). */
    static float maxLanes(float[] t) {
        float m = t[0];
        for (int i = 1; i < t.length; i++) m = Math.max(m, t[i]);
        return m;
    }
}
