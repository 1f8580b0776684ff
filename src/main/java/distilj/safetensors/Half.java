package distilj.safetensors;

/**
 * IEEE 754 binary16 ("half", F16) to and from float32. Java 17 has no Float.float16ToFloat, so the bit layout is
 * spelled out: half = 1 sign bit, 5 exponent bits (bias 15), 10 mantissa bits; float = 1, 8 (bias 127), 23.
 */
public final class Half {
    private Half() {}

    /** Exact: every half is a float. */
    public static float toFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // inf, NaN (payload kept)
        if (exp == 0) {
            // zero or subnormal: mant * 2^-24, exact in float
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        // normal: rebias the exponent 15 -> 127 and widen the mantissa 10 -> 23 bits
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
